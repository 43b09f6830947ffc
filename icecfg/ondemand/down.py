"""``icecfg down``: destroy the droplets tagged ``icecfg``, and only those.

Droplets are listed by tag and checked again for the tag before anything is
destroyed, so a droplet without it is never touched, whatever its name or
address.  For each one, the A records of the configured DNS name that point
at its address, and the AAAA records that point at its IPv6 address when it
has one, are removed first (unless ``keep-dns`` is set or
``--keep-dns`` given), then the droplet is destroyed, and how long it ran
and what its time cost are printed.  A failure to remove a record does not
stop the droplet from being destroyed (it costs money), but makes the exit
status 1.

Without ``--yes`` the plan is printed and, on a terminal, confirmation is
asked; when standard input is not a terminal nothing is destroyed and the
exit status is 2.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime, timezone
from decimal import Decimal
from typing import TYPE_CHECKING

from icecfg.commands import given_text, guarded
from icecfg.ondemand import (
    EXIT_FAILED,
    EXIT_OK,
    TAG,
    Failed,
    UsageError,
    age_seconds,
    format_duration,
    locate,
    money,
    token_from_environment,
)
from icecfg.ondemand.dns import Zone, find_zone, same_address

if TYPE_CHECKING:
    from icecfg.bake.digitalocean import DigitalOcean, Droplet, Size

__all__ = ["add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--yes", action="store_true", help="destroy without asking")
    parser.add_argument(
        "--config",
        type=given_text,
        help="icecast.xml whose icecfg.toml names the DNS record (default: as icecfg bake finds it)",
    )
    parser.add_argument(
        "--domain", type=given_text, metavar="NAME", help="the DNS name up pointed at the droplet (default: settings)"
    )
    parser.add_argument(
        "--keep-dns",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="keep the DNS record (default: the keep-dns setting, else remove it)",
    )


def run(args: argparse.Namespace) -> int:
    return guarded("down", lambda: _run(args))


def _interactive() -> bool:
    try:
        return sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False


def _run(args: argparse.Namespace) -> int:
    _path, settings, _explicit = locate(args.config)
    bake = settings.bake
    domain = args.domain or bake.get("domain")
    keep_dns = args.keep_dns if args.keep_dns is not None else bake.get("keep-dns", False)
    if not isinstance(keep_dns, bool):
        raise UsageError("bake.keep-dns must be true or false")
    token = token_from_environment()

    from icecfg.bake.digitalocean import DigitalOcean

    with DigitalOcean(token) as api:
        return _down(api, args, domain, keep_dns)


def _cost(slug: str, seconds: float, sizes: list[Size]) -> Decimal | None:
    from icecfg.bake import pricing

    try:
        return pricing.droplet_cost(slug, seconds / 3600, sizes)
    except ValueError:
        return None


def _record_of(zone: Zone, droplet: Droplet) -> Zone:
    """The DNS name ``up`` gave the droplet: the configured one, or ``relay<i>.`` of it for relay i."""
    from icecfg.ondemand.relays import relay_index

    index = relay_index(droplet)
    return zone if index is None else zone.relay(index)


def _remove_records(api: DigitalOcean, name: Zone, kind: str, address: str) -> int:
    """Delete the ``kind`` records of ``name`` whose data is ``address``; 1 if that failed, else 0."""
    from icecfg.bake.digitalocean import DigitalOceanError

    try:
        for record in api.domain_records(name.domain, type=kind, name=name.fqdn):
            if record.type == kind and record.name == name.name and same_address(record.data, address):
                api.delete_record(name.domain, record.id)
                print(f"DNS: removed {name.fqdn} {kind} {address}")
    except DigitalOceanError as err:
        print(f"icecfg down: could not remove the DNS record {name.fqdn} -> {address}: {err}", file=sys.stderr)
        return 1
    return 0


def _down(api: DigitalOcean, args: argparse.Namespace, domain: str | None, keep_dns: bool) -> int:
    from icecfg.bake.digitalocean import DigitalOceanError

    droplets = sorted((d for d in api.droplets(tag=TAG) if TAG in d.tags), key=lambda d: d.id)
    if not droplets:
        print(f"no droplets tagged {TAG}: nothing to destroy")
        return EXIT_OK
    try:
        sizes = api.sizes()
    except DigitalOceanError:
        sizes = []  # the dated price table then
    for droplet in droplets:
        print(
            f"droplet {droplet.id} {droplet.name}: {droplet.size_slug} in {droplet.region}, "
            f"{droplet.public_ipv4 or 'no address'}, up {format_duration(age_seconds(droplet.created_at))}"
        )
    if not args.yes:
        if not _interactive():
            raise UsageError(f"not destroying {len(droplets)} droplet(s) without --yes")
        print(f"Destroy {len(droplets)} droplet(s)? [y/N] ", end="", flush=True)
        if sys.stdin.readline().strip().lower() not in ("y", "yes"):
            print("nothing destroyed")
            return EXIT_OK

    failures = 0
    zone = None
    if domain and not keep_dns:
        try:
            zone = find_zone(api, domain)
        except (Failed, UsageError, DigitalOceanError) as err:
            print(f"icecfg down: DNS record of {domain} left alone: {err}", file=sys.stderr)
            failures += 1
    total_seconds = 0.0
    total_cost = Decimal(0)
    unknown_cost = False
    for droplet in droplets:
        name = _record_of(zone, droplet) if zone is not None else None
        for kind, address in (("A", droplet.public_ipv4), ("AAAA", droplet.public_ipv6)):
            if name is not None and address:
                failures += _remove_records(api, name, kind, address)
        try:
            api.destroy_droplet(droplet.id)
        except DigitalOceanError as err:
            print(f"icecfg down: {err}", file=sys.stderr)
            failures += 1
            continue
        seconds = age_seconds(droplet.created_at, datetime.now(timezone.utc))
        cost = _cost(droplet.size_slug, seconds, sizes)
        total_seconds += seconds
        if cost is None:
            unknown_cost = True
        else:
            total_cost += cost
        shown = money(cost) if cost is not None else "unknown (no price for this size)"
        print(f"destroyed droplet {droplet.id} {droplet.name}: ran {format_duration(seconds)}, cost {shown}")
    if domain and keep_dns:
        print(f"DNS: kept {domain} (keep-dns); it now points at an address DigitalOcean may give to another customer")
    cost_text = money(total_cost) + (" and more (some sizes have no price)" if unknown_cost else "")
    print(
        f"total: ran {format_duration(total_seconds)}, droplet time {cost_text} "
        "(outbound transfer beyond the allowance is billed apart, at $0.01/GiB)"
    )
    return EXIT_FAILED if failures else EXIT_OK
