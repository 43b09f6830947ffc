"""``icecfg status``: the running icecfg droplets, their uptime and cost so far, and who listens.

Listeners per mount come from the server's own ``/status-json.xsl``, read
from the droplet's address on the configuration's plain port (its TLS port
when it has no plain one).  Mounts of the configuration that have no source
right now are shown as such: their listeners, if any, are on the fallback
file, which Icecast does not count in that page.  A server that cannot be
read is reported on the droplet's line; the exit status stays 0 because the
droplets themselves could be listed.

The page's layout was checked on both releases icecfg bakes: Icecast 2.4.4
and 2.5.0 both give ``icestats.source`` as an object for one mount, a list
for several and nothing for none, each with ``listenurl`` and ``listeners``;
2.5.0 adds keys (``instance_uuid``, ``authentication``, ``modules``,
``dummy``, ``*_iso8601`` times) and leaves out ``server_id`` for a moment
after it starts, while 2.4.4 emits invalid JSON at that moment (see
:func:`icecfg.ondemand.fetch_status`).  The server's own ``server_id``
("Icecast 2.5.0") is shown, so the release running is visible.
"""

from __future__ import annotations

import argparse
from datetime import datetime, timezone
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from icecfg.commands import add_target_argument, given_text, guarded
from icecfg.ondemand import (
    EXIT_OK,
    TAG,
    Served,
    Socket,
    age_seconds,
    fetch_status,
    format_duration,
    listeners_by_mount,
    locate,
    money,
    read_served,
    token_from_environment,
)

if TYPE_CHECKING:
    from icecfg.bake.digitalocean import Droplet, Size

__all__ = ["add_arguments", "run"]

#: Seconds to wait for ``/status-json.xsl``.
STATUS_TIMEOUT = 5.0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config",
        type=given_text,
        help="icecast.xml the droplets serve, for its ports (default: as icecfg bake finds it)",
    )
    add_target_argument(parser, "Icecast release (default: settings, else 2.4)")
    parser.add_argument("--format", choices=("text", "json"), default="text")


def run(args: argparse.Namespace) -> int:
    return guarded("status", lambda: _run(args))


def _served(args: argparse.Namespace) -> Served | None:
    path, settings, explicit = locate(args.config)
    target = settings.target_or(args.target)
    if not explicit and not path.exists():
        return None  # no configuration here: Icecast's default port is tried
    return read_served(path, target)


def _run(args: argparse.Namespace) -> int:
    import json

    served = _served(args)
    token = token_from_environment()

    from icecfg.bake.digitalocean import DigitalOcean, DigitalOceanError

    with DigitalOcean(token) as api:
        droplets = sorted((d for d in api.droplets(tag=TAG) if TAG in d.tags), key=lambda d: d.id)
        try:
            sizes = api.sizes() if droplets else []
        except DigitalOceanError:
            sizes = []  # the dated price table then
    now = datetime.now(timezone.utc)
    rows = [_row(droplet, served, sizes, now) for droplet in droplets]
    if args.format == "json":
        print(json.dumps(rows, indent=2))
        return EXIT_OK
    if not rows:
        print(f"no droplets tagged {TAG} are running")
        return EXIT_OK
    for row in rows:
        _print_row(row)
    total = sum((Decimal(str(r["cost_so_far"])) for r in rows if r["cost_so_far"] is not None), Decimal(0))
    print(f"{len(rows)} droplet(s), {money(total)} so far")
    return EXIT_OK


def _row(droplet: Droplet, served: Served | None, sizes: list[Size], now: datetime) -> dict[str, Any]:
    from icecfg.bake import pricing

    seconds = age_seconds(droplet.created_at, now)
    try:
        price: Any = pricing.droplet_price(droplet.size_slug, sizes)
        cost: Decimal | None = pricing.droplet_cost(droplet.size_slug, seconds / 3600, sizes)
    except ValueError:
        price, cost = None, None
    row: dict[str, Any] = {
        "id": droplet.id,
        "name": droplet.name,
        "status": droplet.status,
        "region": droplet.region,
        "size": droplet.size_slug,
        "address": droplet.public_ipv4,
        "created": droplet.created_at.isoformat() if droplet.created_at else None,
        "uptime_seconds": int(seconds),
        "price_hourly": float(price.hourly) if price is not None else None,
        "cost_so_far": float(cost.quantize(Decimal("0.0001"))) if cost is not None else None,
        "status_url": None,
        "mounts": {},
        "listeners": None,
        "server": None,
        "error": None,
    }
    socket = served.status_socket() if served is not None else Socket(8000, False)
    if droplet.public_ipv4 is None or socket is None or droplet.status != "active":
        row["error"] = "not reachable (no address or not active)"
        return row
    row["status_url"] = f"{socket.scheme}://{droplet.public_ipv4}:{socket.port}/status-json.xsl"
    try:
        stats = fetch_status(droplet.public_ipv4, socket, STATUS_TIMEOUT)
    except ValueError as err:
        row["error"] = str(err)
        return row
    counts = listeners_by_mount(stats)
    server = stats.get("server_id")
    row["server"] = server if isinstance(server, str) else None
    mounts: dict[str, int | None] = {}
    for mount in served.mounts if served is not None else ():
        mounts[mount.name] = counts.get(mount.name)  # None: no source right now
    for name, count in sorted(counts.items()):
        mounts.setdefault(name, count)
    row["mounts"] = mounts
    row["listeners"] = sum(counts.values())
    return row


def _print_row(row: dict[str, Any]) -> None:
    cost = money(Decimal(str(row["cost_so_far"]))) if row["cost_so_far"] is not None else "unknown"
    rate = f"${Decimal(str(row['price_hourly'])).normalize():f}/h" if row["price_hourly"] is not None else "no price"
    print(
        f"droplet {row['id']} {row['name']}: {row['status']}, {row['size']} in {row['region']}, "
        f"{row['address'] or 'no address'}, up {format_duration(row['uptime_seconds'])}, "
        f"{cost} so far ({rate})"
    )
    if row["error"]:
        print(f"  listeners: unknown ({row['error']})")
        return
    server = f", {row['server']}" if row["server"] else ""
    print(f"  listeners ({row['status_url']}{server}):")
    if not row["mounts"]:
        print("    no mounts with a source")
    for name, count in row["mounts"].items():
        shown = "no source (listeners get the fallback)" if count is None else f"{count} listener(s)"
        print(f"    {name}  {shown}")
