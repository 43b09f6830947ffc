"""``icecfg up``: a droplet from the newest icecfg snapshot, DNS pointed at it, Icecast answering.

Steps, each printed as it happens:

1. If a droplet tagged ``icecfg`` exists already it is used (``up`` twice
   never makes a second droplet); otherwise the snapshot (``--snapshot ID``,
   default the newest ``icecfg-`` snapshot tagged ``icecfg`` of the configured
   Icecast release, ``--target`` or the settings' ``target``), region and
   size are checked and the DNS zone holding ``--domain`` is found *before*
   anything that costs money is created.
2. The droplet is created tagged ``icecfg`` (in the create request itself, so
   no droplet ever exists untagged) and polled until it is active.
3. An A record ``--domain`` -> the droplet's address is set through
   DigitalOcean's domain records API.  With ``--ipv6`` (or ``ipv6 = true``
   in the settings) the droplet is created with IPv6 and an AAAA record for
   its IPv6 address follows the A record.
4. Every listen socket of the configuration (``--config``; plain HTTP and
   TLS) is probed until Icecast answers on all of them.
5. The source URL for the DJ software (the password shown as a placeholder),
   the listener URLs of every mount and the price per hour are printed.

With ``--relays N`` relay droplets follow, made from the same snapshot with a
relay configuration in their user data (see :mod:`icecfg.ondemand.relays` and
``docs/scaling.md``), each with its own DNS name and health check.

If a step fails, or on Ctrl-C, what this run created is removed in reverse
order: first the DNS records, AAAA before A (so no name points at a
destroyed droplet), then the droplet.  ``--keep-on-failure`` keeps both for debugging.  A droplet
that cannot be destroyed is still tagged ``icecfg``, so ``icecfg down``
finds it.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar

from icecfg.bake.snapshots import PREFIX
from icecfg.commands import add_target_argument, given_text, guarded, load_or_usage_error, number_in, whole_number
from icecfg.ondemand import (
    EXIT_OK,
    TAG,
    Failed,
    Served,
    Socket,
    UsageError,
    locate,
    probe,
    read_served,
    token_from_environment,
)
from icecfg.ondemand.dns import Zone, find_zone, record_type, same_address
from icecfg.ondemand.relays import MAX_RELAYS

if TYPE_CHECKING:
    from icecfg.bake.digitalocean import DigitalOcean, Droplet, Size
    from icecfg.bake.snapshots import Snapshot

#: What to undo if ``up`` fails, in order of creation: (what, how).
Undo = list[tuple[str, Callable[[], None]]]
_Dated = TypeVar("_Dated", "Droplet", "Snapshot")

__all__ = ["Failed", "add_arguments", "find_zone", "listener_urls", "run", "source_lines"]

DEFAULT_SIZE = "s-1vcpu-1gb"
#: Seconds between polls of the droplet and of Icecast.
POLL_INTERVAL = 3.0
HEALTH_INTERVAL = 2.0
#: Seconds one probe of a socket may take.
PROBE_TIMEOUT = 5.0
DEFAULT_TIMEOUT = 600.0
#: ``--timeout`` in seconds: a droplet boots from a snapshot in a minute or two, and it is
#: billed while up waits, so an hour is the most worth waiting for.
TIMEOUT_RANGE = (1, 3600)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config",
        type=given_text,
        help="the icecast.xml the snapshot was baked with (default: as icecfg bake finds it)",
    )
    add_target_argument(parser, "Icecast release (default: settings, else 2.4)")
    parser.add_argument(
        "--snapshot",
        type=given_text,
        default="latest",
        metavar="ID|latest",
        help="snapshot to start (default: the newest icecfg one of the configuration's release)",
    )
    parser.add_argument("--size", type=given_text, help="droplet size (default: settings, else s-1vcpu-1gb)")
    parser.add_argument(
        "--region", type=given_text, help="region (default: settings, else the snapshot's first region)"
    )
    dns = parser.add_mutually_exclusive_group()
    dns.add_argument(
        "--domain", type=given_text, metavar="NAME", help="DNS name to point at the droplet (default: settings domain)"
    )
    dns.add_argument("--no-dns", action="store_true", help="set no DNS record even if the settings name one")
    parser.add_argument(
        "--timeout",
        type=number_in(*TIMEOUT_RANGE),
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help=f"how long to wait for the droplet and for Icecast to answer, {TIMEOUT_RANGE[0]} to "
        f"{TIMEOUT_RANGE[1]} (default 600)",
    )
    parser.add_argument(
        "--ipv6",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="create the droplet with IPv6 and add an AAAA record too (default: the ipv6 setting, else off)",
    )
    parser.add_argument(
        "--keep-on-failure", action="store_true", help="keep the droplet and DNS record when a step fails"
    )
    parser.add_argument(
        "--relays",
        type=whole_number(0, MAX_RELAYS),
        default=0,
        metavar="N",
        help=f"also run N relay droplets (0 to {MAX_RELAYS}) that pull every mount from this one (see docs/scaling.md)",
    )


def run(args: argparse.Namespace) -> int:
    with _terminated_as_interrupted():
        return guarded("up", lambda: _run(args))


@contextlib.contextmanager
def _terminated_as_interrupted() -> Iterator[None]:
    """SIGTERM and SIGHUP remove what this run created, as Ctrl-C does.

    ``timeout 900 icecfg up``, a service manager stopping it, or the SSH
    session it runs in closing send these, not SIGINT; without a handler the
    process died on the spot and left a droplet billed by the hour and a DNS
    name pointing at it.  The clean-up that follows is not cut short by the
    same signal sent again.
    """
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():  # only the main thread may set handlers
        yield
        return
    signals = (signal.SIGTERM, signal.SIGHUP)

    def interrupted(signum: int, frame: object) -> None:
        for number in signals:
            signal.signal(number, signal.SIG_IGN)
        raise KeyboardInterrupt

    previous = {number: signal.signal(number, interrupted) for number in signals}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def _say(text: str) -> None:
    print(text, flush=True)


def _run(args: argparse.Namespace) -> int:
    path, settings, _explicit = locate(args.config)
    args.config = str(path)
    target = settings.target_or(args.target)
    served = read_served(path, target)
    bake = settings.bake
    domain = None if args.no_dns else (args.domain or bake.get("domain"))
    ttl = bake.get("dns-ttl", 60)
    if isinstance(ttl, bool) or not isinstance(ttl, int) or ttl < 30:
        raise UsageError("bake.dns-ttl must be a whole number of seconds, at least 30")
    ipv6 = args.ipv6 if args.ipv6 is not None else bake.get("ipv6", False)
    if not isinstance(ipv6, bool):
        raise UsageError("bake.ipv6 must be true or false")
    args.ipv6 = ipv6
    if domain and served.hostname and served.hostname.lower() != domain.strip().rstrip(".").lower():
        _say(f"note: the configuration's <hostname> is {served.hostname}, the DNS name {domain}")
    token = token_from_environment()

    from icecfg.bake.digitalocean import DigitalOcean

    with DigitalOcean(token) as api:
        return _up(api, args, served, settings.bake, domain, ttl)


def _newest(items: list[_Dated]) -> _Dated:
    return max(items, key=lambda d: (d.created_at or datetime.min.replace(tzinfo=timezone.utc), int(d.id)))


def choose_snapshot(api: DigitalOcean, wanted: str, release: str) -> Snapshot:
    """The snapshot to start: by id, or the newest icecfg one of ``release``; ``Failed`` when there is none.

    The release comes from the snapshot's name, which bake writes (names from
    before releases were named are 2.4 images): a configuration linted for 2.5
    must not be started on a 2.4 image, where its TLS socket would serve plain HTTP.
    """
    from icecfg.bake.snapshots import release_of

    if wanted in ("", "latest"):
        icecfg_snapshots = [s for s in api.snapshots(tag=TAG) if s.name.startswith(PREFIX)]
        if not icecfg_snapshots:
            raise Failed("no icecfg snapshot to start: run icecfg bake first")
        candidates = [s for s in icecfg_snapshots if release_of(s.name) == release]
        if not candidates:
            others = sorted({r for s in icecfg_snapshots if (r := release_of(s.name))})
            there = f" (there are snapshots of {', '.join(others)})" if others else ""
            raise Failed(f"no icecfg snapshot of Icecast {release}: run icecfg bake --target {release}{there}")
        return max(candidates, key=lambda s: (s.created_at, int(s.id) if s.id.isdigit() else 0))
    if not wanted.isdigit():
        raise UsageError(f"--snapshot takes a snapshot id or 'latest', not {wanted!r}")
    found = next((s for s in api.snapshots() if s.id == wanted), None)
    if found is None:
        raise Failed(f"no droplet snapshot with id {wanted} (icecfg snapshots lists them)")
    runs = release_of(found.name)
    if runs is not None and runs != release:
        raise UsageError(f"snapshot {wanted} runs Icecast {runs}, the configuration is for {release} (--target)")
    return found


def _check_size(sizes: list[Size], slug: str, region: str, snapshot: Snapshot | None) -> None:
    size = next((s for s in sizes if s.slug == slug), None)
    if size is None:
        raise UsageError(f"unknown droplet size {slug!r}")
    if not size.available or (size.regions and region not in size.regions):
        raise UsageError(f"size {slug} is not available in {region}")
    if snapshot is not None and size.disk and snapshot.min_disk_size > size.disk:
        raise UsageError(
            f"snapshot {snapshot.name} needs a disk of {snapshot.min_disk_size} GB; {slug} has {size.disk} GB"
        )


def _up(
    api: DigitalOcean, args: argparse.Namespace, served: Served, bake: dict[str, Any], domain: str | None, ttl: int
) -> int:
    from icecfg.bake import pricing
    from icecfg.ondemand.relays import RELAY_TAG

    # --relays is 0 to MAX_RELAYS once parsed (whole_number)
    if args.relays and served.plain is None:
        raise UsageError("relays pull the streams from the origin's plain HTTP socket; the configuration has none")
    tagged = [d for d in api.droplets(tag=TAG) if TAG in d.tags]
    running = [d for d in tagged if RELAY_TAG not in d.tags]
    zone = find_zone(api, domain) if domain else None
    sizes = api.sizes()
    undo: list[tuple[str, Callable[[], None]]] = []
    droplet: Droplet | None = None
    relays: list[tuple[str, str]] = []
    try:
        if running:
            droplet = _newest(running)
            _say(f"droplet {droplet.id} ({droplet.name}) is already up: using it")
            if len(running) > 1:
                others = ", ".join(str(d.id) for d in running if d.id != droplet.id)
                _say(f"  other icecfg droplets are running too ({others}); icecfg down removes them all")
            if args.snapshot not in ("", "latest") and str(droplet.image_id) != args.snapshot:
                _say(f"  it runs image {droplet.image_id}, not {args.snapshot}: icecfg down first to switch")
            if droplet.status == "off":
                _say("  it is powered off: powering it on")
                api.droplet_action(droplet.id, "power_on")
        else:
            snapshot = choose_snapshot(api, args.snapshot, served.target)
            region = args.region or bake.get("region") or (snapshot.regions[0] if snapshot.regions else None)
            if not region:
                raise UsageError("no --region given and the snapshot lists no region")
            if snapshot.regions and region not in snapshot.regions:
                raise UsageError(
                    f"snapshot {snapshot.id} is in {', '.join(snapshot.regions)}, not {region} "
                    "(transfer it there or choose one of those)"
                )
            slug = args.size or bake.get("size") or DEFAULT_SIZE
            _check_size(sizes, slug, region, snapshot)
            name = "icecfg-" + _stamp()
            _say(f"creating droplet {name}: {slug} in {region} from snapshot {snapshot.name} ({snapshot.id})")
            droplet = _create(api, name, region, slug, int(snapshot.id), bake, undo, ipv6=args.ipv6)
        deadline = time.monotonic() + args.timeout
        droplet, address = _boot(api, droplet, deadline)
        if zone is not None:
            _point(api, zone, address, ttl, undo, created=bool(undo))
            if args.ipv6:
                _point_ipv6(api, zone, droplet, ttl, undo, created=bool(undo))
        _wait_for_icecast(address, served, deadline)
        if args.relays:
            existing = [d for d in tagged if RELAY_TAG in d.tags]
            relays = _add_relays(api, args, served, droplet, zone, bake, ttl, deadline, undo, existing)
    except BaseException:
        if undo and not args.keep_on_failure:
            _undo(undo)
        elif undo:
            _say("kept what this run created for debugging (--keep-on-failure); icecfg down removes it")
        raise
    host = zone.fqdn if zone is not None else address
    price = pricing.droplet_price(droplet.size_slug, sizes)
    _say("")
    for line in source_lines(served, host):
        _say(line)
    _say("")
    _say("listeners:")
    for line in listener_urls(served, host):
        _say(f"  {line}")
    for relay_host, _address in relays:
        for line in listener_urls(served, relay_host):
            _say(f"  {line}")
    if zone is None:
        _say("  (no DNS name: the addresses above change with every droplet, and TLS players will")
        _say("   not accept the certificate for an IP address; set domain in icecfg.toml)")
    elif relays:
        _say(f"  (TLS on the relays needs a certificate that also names {relays[0][0]} and the others)")
    _say("")
    count = 1 + len(relays)
    each = "" if count == 1 else f" x {count} droplets = {_rate(price.hourly * count)}"
    _say(
        f"cost: {_rate(price.hourly)} an hour for the droplet ({price.slug}){each}, plus outbound transfer "
        f"beyond the allowance at {_rate(pricing.EGRESS_PER_GIB)}/GiB"
    )
    _say("the droplet costs money until it is destroyed: run icecfg down when the show is over")
    return EXIT_OK


def _stamp() -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")


def _boot(api: DigitalOcean, droplet: Droplet, deadline: float) -> tuple[Droplet, str]:
    """Wait until the droplet is active; returns it and its public address."""
    droplet = api.wait_droplet(
        droplet.id, "active", timeout=max(1.0, deadline - time.monotonic()), interval=POLL_INTERVAL
    )
    address = droplet.public_ipv4
    if not address:
        raise Failed(f"droplet {droplet.id} is active but has no public IPv4 address")
    _say(f"droplet {droplet.id} is active at {address}")
    return droplet, str(address)


def _point(api: DigitalOcean, zone: Zone, address: str, ttl: int, undo: Undo, *, created: bool) -> None:
    """Make ``zone`` an A (or AAAA) record for ``address``; removed on failure when this run made the droplet."""
    kind = record_type(address)
    if created:
        label = f"DNS record {zone.fqdn}" + (" AAAA" if kind == "AAAA" else "")
        undo.append((label, lambda: _remove_records(api, zone, address)))
    record = api.upsert_address_record(zone.domain, zone.name, address, ttl)
    _say(f"DNS: {zone.fqdn} {kind} {record.data} (ttl {record.ttl if record.ttl is not None else ttl})")


def _point_ipv6(api: DigitalOcean, zone: Zone, droplet: Droplet, ttl: int, undo: Undo, *, created: bool) -> None:
    """The AAAA record for the droplet's IPv6 address, when it has one."""
    address = droplet.public_ipv6
    if not address:
        _say(f"droplet {droplet.id} has no public IPv6 address: no AAAA record for {zone.fqdn}")
        return
    _point(api, zone, str(address), ttl, undo, created=created)


def _add_relays(
    api: DigitalOcean,
    args: argparse.Namespace,
    served: Served,
    origin: Droplet,
    zone: Zone | None,
    bake: dict[str, Any],
    ttl: int,
    deadline: float,
    undo: Undo,
    existing: list[Droplet],
) -> list[tuple[str, str]]:
    """Relays 1..N of ``origin`` (those already up are kept); returns (public name, address) of each."""
    from icecfg import io
    from icecfg.ondemand.relays import RELAY_TAG, relay_config, relay_hostname, relay_index, relay_name, user_data

    assert served.plain is not None
    by_index: dict[int, Droplet] = {}
    for running in existing:
        index = relay_index(running)
        if index is not None:
            by_index.setdefault(index, running)
    origin_address = origin.public_ipv4
    if not origin_address:  # relays pull from it: without one they would be told to pull from "None"
        raise Failed(f"droplet {origin.id} has no public IPv4 address for relays to pull from")
    if origin.image_id is None:  # relays start from the origin's image
        raise Failed(f"droplet {origin.id} does not say which image it was made from")
    image = origin.image_id
    base = zone.fqdn if zone is not None else (served.hostname or origin_address)
    origin_config = load_or_usage_error(args.config)
    stamp = _stamp()
    pending: list[tuple[int, str, Droplet, bool]] = []
    for index in range(1, args.relays + 1):
        hostname = relay_hostname(base, index)
        droplet = by_index.get(index)
        if droplet is not None:
            _say(f"relay {index}: droplet {droplet.id} is already up: using it")
            pending.append((index, hostname, droplet, False))
            continue
        try:
            config = relay_config(
                origin_config,
                origin_address,
                served.plain.port,
                hostname,
                [m.name for m in served.mounts],
                served.target,
            )
        except ValueError as err:
            raise Failed(str(err)) from None
        name = relay_name(index, stamp)
        _say(f"creating relay {index} ({name}) of {origin_address}:{served.plain.port}")
        droplet = _create(
            api,
            name,
            origin.region,
            origin.size_slug,
            image,
            bake,
            undo,
            tags=[TAG, RELAY_TAG],
            user_data=user_data(io.dumps(config)),
            ipv6=args.ipv6,
        )
        pending.append((index, hostname, droplet, True))
    beyond = sorted(i for i in by_index if i > args.relays)
    if beyond:
        _say(f"relays {', '.join(map(str, beyond))} keep running (icecfg down removes every icecfg droplet)")
    out = []
    for index, hostname, made, created in pending:
        droplet, address = _boot(api, made, deadline)
        if zone is not None:
            relative = f"relay{index}" if zone.name == "@" else f"relay{index}.{zone.name}"
            relay_zone = Zone(zone.domain, relative, hostname)
            _point(api, relay_zone, address, ttl, undo, created=created)
            if args.ipv6:
                _point_ipv6(api, relay_zone, droplet, ttl, undo, created=created)
        _wait_for_relay(address, served, hostname, deadline)
        out.append((hostname if zone is not None else address, address))
    return out


def _wait_for_relay(address: str, served: Served, hostname: str, deadline: float) -> None:
    """Wait until the relay runs its own configuration (its hostname) and relays every mount."""
    from icecfg.ondemand import fetch_status, listeners_by_mount

    _wait_for_icecast(address, served, deadline)
    socket = served.status_socket()
    assert socket is not None
    wanted = {m.name for m in served.mounts}
    while True:
        try:
            stats = fetch_status(address, socket, PROBE_TIMEOUT)
            host = stats.get("host")
            missing = wanted - set(listeners_by_mount(stats))
            if host == hostname and not missing:
                _say(f"relay {hostname} relays {', '.join(sorted(wanted))}")
                return
            why = f"it is still {host!r}" if host != hostname else f"no stream yet on {', '.join(sorted(missing))}"
        except ValueError as err:
            why = str(err)
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise Failed(f"relay {hostname} at {address} is not relaying in time ({why})")
        time.sleep(min(HEALTH_INTERVAL, remaining))


def _rate(value: Decimal) -> str:
    return f"${value.normalize():f}"


def _create(
    api: DigitalOcean,
    name: str,
    region: str,
    slug: str,
    image: int,
    bake: dict[str, Any],
    undo: Undo,
    *,
    tags: list[str] | None = None,
    user_data: str | None = None,
    ipv6: bool = False,
) -> Droplet:
    """Create a droplet tagged ``icecfg`` (in the request); after an unclear failure, find and remove it."""
    from icecfg.bake.digitalocean import DigitalOceanError

    keys = bake.get("ssh-keys") or ()
    if not isinstance(keys, list | tuple):
        raise UsageError("bake.ssh-keys must be a list of SSH key ids or fingerprints")
    try:
        droplet = api.create_droplet(
            name, region, slug, image, ssh_keys=list(keys), tags=tags or [TAG], user_data=user_data, ipv6=ipv6
        )
    except DigitalOceanError as err:
        if err.status is not None and err.status < 500:
            raise  # refused: nothing was created
        # A 5xx or a lost answer: the droplet may exist all the same.
        try:
            strays = [d for d in api.droplets(tag=TAG) if d.name == name]
        except DigitalOceanError:
            _say(f"the droplet {name} may have been created; it is tagged {TAG}: icecfg down removes it")
            raise err from None
        for stray in strays:
            _destroy(api, stray.id)
        raise
    undo.append((f"droplet {droplet.id}", lambda: _destroy(api, droplet.id)))
    return droplet


def _destroy(api: DigitalOcean, droplet_id: int) -> None:
    api.destroy_droplet(droplet_id)
    _say(f"destroyed droplet {droplet_id}")


def _remove_records(api: DigitalOcean, zone: Zone, address: str) -> None:
    """Delete the A (for IPv4) or AAAA (for IPv6) records of the zone's name that point at ``address``."""
    kind = record_type(address)
    for record in api.domain_records(zone.domain, type=kind, name=zone.fqdn):
        if record.type == kind and record.name == zone.name and same_address(record.data, address):
            api.delete_record(zone.domain, record.id)
            _say(f"removed DNS record {zone.fqdn} {kind} {address}")


def _undo(undo: Undo) -> None:
    """Run the clean-up steps newest first; one that fails does not stop the others."""
    from icecfg.bake.digitalocean import DigitalOceanError

    for what, step in reversed(undo):
        try:
            step()
        except DigitalOceanError as err:
            print(f"icecfg up: could not remove {what}: {err}", file=sys.stderr)
            if what.startswith("droplet"):
                print(f"icecfg up: it is tagged {TAG}: icecfg down removes it", file=sys.stderr)


def _wait_for_icecast(address: str, served: Served, deadline: float) -> None:
    """Probe every listen socket until all answer; ``Failed`` naming the silent ones at the deadline."""
    waiting: dict[Socket, str] = dict.fromkeys(served.sockets, "not tried")
    while True:
        for socket in list(waiting):
            reason = probe(address, socket, timeout=PROBE_TIMEOUT)
            if reason is None:
                del waiting[socket]
                _say(f"Icecast answers {socket.scheme}://{address}:{socket.port}/")
            else:
                waiting[socket] = reason
        if not waiting:
            return
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            silent = "; ".join(f"{s.scheme} port {s.port}: {why}" for s, why in waiting.items())
            raise Failed(f"Icecast did not answer in time ({silent})")
        time.sleep(min(HEALTH_INTERVAL, remaining))


def _url(socket: Socket, host: str, path: str, user: str | None = None) -> str:
    auth = f"{user}@" if user else ""
    return f"{socket.scheme}://{auth}{host}:{socket.port}{path}"


def source_lines(served: Served, host: str) -> list[str]:
    """What to type into the DJ software, with the password as a placeholder."""
    lines = ["source (DJ software such as butt or Mixxx):"]
    if not served.mounts:
        lines.append("  (the configuration declares no mount: any mount name works)")
    preferred = served.tls or served.plain
    for mount in served.mounts:
        credentials = f"{mount.source_user}:{mount.password_hint}"
        if preferred is not None:
            lines.append(f"  {_url(preferred, host, mount.name, credentials)}")
        lines.append(f"  server {host}, mount {mount.name}, user {mount.source_user}, password {mount.password_hint}")
    ports = []
    if served.tls is not None:
        ports.append(f"{served.tls.port} with TLS (recommended)")
    if served.plain is not None:
        ports.append(f"{served.plain.port} without TLS (the password travels in clear text)")
    if ports:
        lines.append(f"  port {' or '.join(ports)}")
    return lines


def listener_urls(served: Served, host: str) -> list[str]:
    """One line per mount: its URL on every socket, TLS first."""
    ordered = sorted(served.sockets, key=lambda s: not s.tls)
    return [
        f"{mount.name}  " + "  ".join(_url(socket, host, mount.name) for socket in ordered) for mount in served.mounts
    ]
