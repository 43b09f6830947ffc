"""The library's functions: what ``import icecfg`` offers, in one place.

``icecfg/__init__.py`` binds these names on first use, so that importing one
module of icecfg (``icecfg.bake.snapshots``, ``icecfg.errors``) loads that
module and what it needs, never the linter or the model.  The jobs' own
packages (``icecfg.lint``, ``icecfg.migrate``, ``icecfg.effective``) keep
their names: their entry points are bound here under names of their own
(``check``, ``upgrade``, ``explain``), so that ``icecfg.lint`` is always the
package and ``import icecfg.lint.rule`` works after ``import icecfg``.  Each
is imported on first use, with its job.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

from icecfg.conversion import Crash, FallbackOverride, MountType, TlsMode
from icecfg.errors import (
    FileChangedError,
    IcecfgError,
    InvalidValueError,
    LocatedError,
    ParseError,
    UnsafeWriteError,
    WriteError,
)
from icecfg.io import dump, dumps, load, loads
from icecfg.sections import *  # noqa: F403 - the model's section classes
from icecfg.sections import __all__ as _sections
from icecfg.spec import Dialect
from icecfg.version import __version__

if TYPE_CHECKING:
    from icecfg.effective.config import explain
    from icecfg.lint.engine import lint as check
    from icecfg.migrate import migrate as upgrade
    from icecfg.migrate.change import Change, Migration

#: The jobs' entry points under the names the API gives them, each imported on first use:
#: ``check`` is ``icecfg lint``, ``upgrade`` is ``icecfg migrate``, ``explain`` is ``icecfg explain``.
_LAZY = {
    "check": ("icecfg.lint.engine", "lint"),
    "upgrade": ("icecfg.migrate", "migrate"),
    "explain": ("icecfg.effective.config", "explain"),
    "Change": ("icecfg.migrate.change", "Change"),
    "Migration": ("icecfg.migrate.change", "Migration"),
}


def __getattr__(name: str) -> object:
    if name not in _LAZY:
        raise AttributeError(f"module 'icecfg.api' has no attribute {name!r}")
    module, attribute = _LAZY[name]
    value = getattr(import_module(module), attribute)
    globals()[name] = value
    return value


__all__ = [  # noqa: PLE0604 - the sections' names are generated
    "Change",
    "Crash",
    "Dialect",
    "FallbackOverride",
    "FileChangedError",
    "IcecfgError",
    "InvalidValueError",
    "LocatedError",
    "Migration",
    "MountType",
    "ParseError",
    "TlsMode",
    "UnsafeWriteError",
    "WriteError",
    "__version__",
    "check",
    "dump",
    "dumps",
    "explain",
    "load",
    "loads",
    "upgrade",
    *_sections,
]
