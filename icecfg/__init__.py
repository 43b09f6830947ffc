"""icecfg: a typed, lossless model of Icecast's icecast.xml, and tools around it.

>>> import icecfg
>>> cfg = icecfg.loads(b"<icecast><limits><clients>100</clients></limits></icecast>")
>>> cfg.limits.clients
100
>>> cfg.limits.clients = 250
>>> icecfg.dumps(cfg)
b'<icecast><limits><clients>250</clients></limits></icecast>'
"""

from __future__ import annotations

from typing import TYPE_CHECKING

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

# ``icecfg.lint(cfg, target="2.4", root=None)``: the linter's entry point.  The
# function is bound after its package was imported, so the name means the
# function; ``icecfg.lint.<module>`` imports keep working through sys.modules.
from icecfg.lint.engine import lint as _lint
from icecfg.sections import *  # noqa: F403 - the model's section classes
from icecfg.sections import __all__ as _sections
from icecfg.spec import Dialect
from icecfg.values import Crash, FallbackOverride, MountType, TlsMode

lint = _lint

if TYPE_CHECKING:
    from icecfg.effective import explain as explain


def __getattr__(name: str) -> object:
    # ``icecfg.explain(cfg, target)``: the effective configuration, loaded on
    # first use so that ``import icecfg`` stays as light as it was.
    if name == "explain":
        from icecfg.effective import explain

        return explain
    raise AttributeError(f"module 'icecfg' has no attribute {name!r}")


__version__ = "0.1.0"

__all__ = [  # noqa: PLE0604 - the sections' names are generated
    "Crash",
    "Dialect",
    "FallbackOverride",
    "FileChangedError",
    "IcecfgError",
    "InvalidValueError",
    "LocatedError",
    "MountType",
    "ParseError",
    "TlsMode",
    "UnsafeWriteError",
    "WriteError",
    "dump",
    "dumps",
    "explain",
    "load",
    "lint",
    "loads",
    *_sections,
]
