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

from icecfg.effective.config import SCHEMA, EffectiveConfig, explain
from icecfg.effective.fallbacks import End, FallbackChain, Hop
from icecfg.effective.listeners import Listener, Protocol
from icecfg.effective.mounts import MountConfig, MountTable
from icecfg.effective.provenance import Origin, Source, Traced

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
