"""icecfg: a typed, lossless model of Icecast's icecast.xml, and tools around it.

>>> import icecfg
>>> cfg = icecfg.loads(b"<icecast><limits><clients>100</clients></limits></icecast>")
>>> cfg.limits.clients
100
>>> cfg.limits.clients = 250
>>> icecfg.dumps(cfg)
b'<icecast><limits><clients>250</clients></limits></icecast>'
>>> icecfg.check(cfg, target="2.4", files=False)  # what ``icecfg lint`` finds
[]

``dumps`` returns the bytes that were read with only the edits changed
(comments, layout and encoding are kept); ``dump(cfg, path)`` writes them
atomically, through symlinks, keeping owner, group and mode, and refuses
(``FileChangedError``) to overwrite a file that changed since ``load``.
Errors about a file or a value are :class:`IcecfgError` subclasses with a
one-line message: :class:`ParseError` (``file:line:column:``) from ``load``
and ``loads``, :class:`InvalidValueError` for a value that is not of its
type (read, or assigned), :class:`WriteError` from ``dump`` (an OSError, as
are the file system's own errors it passes on).  A misspelt field name is an
AttributeError naming the closest field; an unknown target a ValueError.
docs/model.md has the whole tour.

The names live in :mod:`icecfg.api` and are bound here on first use: a
package's ``__init__`` runs before any of its modules, so an eager import here
would load the model and the linter into every ``import icecfg.<module>``.
The packages ``icecfg.lint``, ``icecfg.migrate`` and ``icecfg.effective`` keep
their names; their entry points are :func:`check`, :func:`upgrade` and
:func:`explain`.  Modules inside icecfg import from the module that defines a
name, never from here (``tests/test_layers.py``).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

from icecfg.version import __version__ as __version__

if TYPE_CHECKING:
    from icecfg.api import Change as Change
    from icecfg.api import Crash as Crash
    from icecfg.api import Dialect as Dialect
    from icecfg.api import FallbackOverride as FallbackOverride
    from icecfg.api import FileChangedError as FileChangedError
    from icecfg.api import IcecfgError as IcecfgError
    from icecfg.api import InvalidValueError as InvalidValueError
    from icecfg.api import LocatedError as LocatedError
    from icecfg.api import Migration as Migration
    from icecfg.api import MountType as MountType
    from icecfg.api import ParseError as ParseError
    from icecfg.api import TlsMode as TlsMode
    from icecfg.api import UnsafeWriteError as UnsafeWriteError
    from icecfg.api import WriteError as WriteError
    from icecfg.api import __all__ as __all__
    from icecfg.api import check as check
    from icecfg.api import dump as dump
    from icecfg.api import dumps as dumps
    from icecfg.api import explain as explain
    from icecfg.api import load as load
    from icecfg.api import loads as loads
    from icecfg.api import upgrade as upgrade
    from icecfg.sections import *  # noqa: F403 - the model's section classes


#: The lower-case names of the API; every other name it has is a class (CamelCase).
_FUNCTIONS = frozenset({"__all__", "check", "dump", "dumps", "explain", "load", "loads", "upgrade"})


if not TYPE_CHECKING:
    # Hidden from type checkers, which would otherwise type every misspelt
    # ``icecfg.X`` (and ``from icecfg import X``) as ``object`` instead of
    # reporting it: they see the names imported above, the ones bound here.

    def __getattr__(name: str) -> object:
        # Called only for a name not bound yet.  A lower-case name that is not the
        # API's is a submodule that ``from icecfg import spec`` is about to import:
        # answering it must not load the API (and the model with it).
        if not (name in _FUNCTIONS or name[:1].isupper()):
            raise AttributeError(f"module 'icecfg' has no attribute {name!r}")
        api = import_module("icecfg.api")
        if name != "__all__" and name not in api.__all__:
            raise AttributeError(f"module 'icecfg' has no attribute {name!r}")
        value = getattr(api, name)
        globals()[name] = value
        return value


def __dir__() -> list[str]:
    return sorted({*globals(), *import_module("icecfg.api").__all__})
