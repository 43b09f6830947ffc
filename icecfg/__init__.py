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

from icecfg.errors import IcecfgError, InvalidValueError, LocatedError, ParseError
from icecfg.io import dump, dumps, load, loads
from icecfg.sections import *  # noqa: F403 - the model's section classes
from icecfg.sections import __all__ as _sections
from icecfg.spec import Dialect
from icecfg.values import Crash, FallbackOverride, MountType, TlsMode

__version__ = "0.1.0"

__all__ = [  # noqa: PLE0604 - the sections' names are generated
    "Crash",
    "Dialect",
    "FallbackOverride",
    "IcecfgError",
    "InvalidValueError",
    "LocatedError",
    "MountType",
    "ParseError",
    "TlsMode",
    "dump",
    "dumps",
    "load",
    "loads",
    *_sections,
]
