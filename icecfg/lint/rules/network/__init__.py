"""Network and limits: listen sockets, advertised URLs, relays, YP timing, resource limits.

One module per concern; importing the package registers every rule of the family.
"""

from __future__ import annotations

from icecfg.lint.rules.network import advertised, directory, identity, kh_order, limits, relays, sockets

__all__ = ["advertised", "directory", "identity", "kh_order", "limits", "relays", "sockets"]
