"""The effective configuration: what a given Icecast release really does with a config.

>>> import icecfg
>>> cfg = icecfg.loads(b"<icecast><listen-socket><port>8443</port><ssl>1</ssl></listen-socket></icecast>")
>>> eff = icecfg.explain(cfg, "2.4")
>>> [(s.port, s.protocol.value) for s in eff.listeners]
[(8443, 'plain-downgraded')]

Between the model (what is written) and the jobs (lint judges, bake opens
the firewall, ``up`` prints URLs): each of those asks here instead of
re-reading the file its own way.  Every value records where it came from.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from icecfg.effective.chains import End as End
    from icecfg.effective.chains import FallbackChain as FallbackChain
    from icecfg.effective.chains import Hop as Hop
    from icecfg.effective.config import SCHEMA as SCHEMA
    from icecfg.effective.config import EffectiveConfig as EffectiveConfig
    from icecfg.effective.config import explain as explain
    from icecfg.effective.listeners import Listener as Listener
    from icecfg.effective.listeners import Protocol as Protocol
    from icecfg.effective.mounts import MountConfig as MountConfig
    from icecfg.effective.mounts import MountTable as MountTable
    from icecfg.effective.provenance import Origin as Origin
    from icecfg.effective.provenance import Source as Source
    from icecfg.effective.provenance import Traced as Traced

#: name -> the submodule that defines it.  Names are imported on first use, so
#: that a rule importing ``icecfg.effective.listeners`` loads only what that
#: needs and ``icecfg lint`` starts no slower.
_WHERE = {
    "SCHEMA": "config",
    "EffectiveConfig": "config",
    "explain": "config",
    "End": "chains",
    "FallbackChain": "chains",
    "Hop": "chains",
    "Listener": "listeners",
    "Protocol": "listeners",
    "MountConfig": "mounts",
    "MountTable": "mounts",
    "Origin": "provenance",
    "Source": "provenance",
    "Traced": "provenance",
}

__all__ = [
    "SCHEMA",
    "EffectiveConfig",
    "End",
    "FallbackChain",
    "Hop",
    "Listener",
    "MountConfig",
    "MountTable",
    "Origin",
    "Protocol",
    "Source",
    "Traced",
    "explain",
]


def __getattr__(name: str) -> object:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'icecfg.effective' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f"icecfg.effective.{module}"), name)
    globals()[name] = value  # found once: the next ``from icecfg.effective import`` (one per lint) is a lookup
    return value
