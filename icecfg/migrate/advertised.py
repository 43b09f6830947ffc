"""The address YP directories list, which Icecast 2.5 takes from its only socket.

2.4.4 and KH list ``<hostname>`` and the root ``<port>`` (else the first
socket's).  With only one socket configured, 2.5.0 lists that socket's port and,
unless it is bound to a wildcard address, its bind address instead of
``<hostname>`` (:attr:`~icecfg.effective.config.EffectiveConfig.default_socket`;
shown, ``tests/test_oracle_yp.py``).  No element of 2.5 says "list
``<hostname>``": keeping the old listing means another socket or another
bind address, which opens or closes ports, so the difference is reported
with what to do rather than rewritten.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from icecfg.migrate.context import Context

if TYPE_CHECKING:
    from icecfg.effective.provenance import Traced

Listing = tuple["Traced[object]", "Traced[object]"]


def listing(ctx: Context) -> Listing:
    """The host and port the old release lists on YP directories (before any rewrite)."""
    from icecfg.effective.config import EffectiveConfig

    read = EffectiveConfig(ctx.config.document.root, ctx.source)
    return read.advertised_host, read.advertised_port


def report_moved(ctx: Context, before: Listing) -> None:
    """Report where the target lists the server on YP directories, when that is not where the old release did."""
    from icecfg.effective.config import EffectiveConfig

    now = EffectiveConfig(ctx.config.document.root, ctx.target)
    if not now.directories:
        return  # nothing is listed
    old_host, old_port = before
    host, port = now.advertised_host, now.advertised_port
    if (host.value, port.value) == (old_host.value, old_port.value):
        return
    element = host.origin.element if host.value != old_host.value else port.origin.element
    if element is None:
        return
    ctx.record(
        element,
        "kept",
        f"{ctx.target.label} lists this server on YP directories as {host.value}:{port.value}, where "
        f"{ctx.source.label} listed {old_host.value}:{old_port.value}: with only one socket it names that "
        "socket's port and <bind-address>; with a second <listen-socket> it names <hostname> and the "
        "root <port> (else the first socket's), as before",
        keeps_behaviour=False,
        edit=False,
    )
