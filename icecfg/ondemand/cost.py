"""``icecfg cost``: what a month of this on-demand set-up costs, and where a hosted plan wins.

The month is::

    droplet      price per hour x hours streamed
    snapshots    size in GB x $0.06 per snapshot kept (at least $0.01 each)
    transfer     (sum over mounts of bitrate x listeners x hours
                  - the allowance the droplet accrues while it exists) x $0.01/GiB

The allowance accrues only while a droplet exists (the monthly allowance /
672 per hour), so a droplet that lives a few hours a month brings almost
none: 40 listeners at 250 kbit/s are 10 Mbit/s, 4.19 GiB an hour, while an
``s-1vcpu-1gb`` droplet accrues 1.49 GiB an hour.

The droplet costs at most its monthly price however many hours it runs (a
month has 730 hours on average, at most 744; more is refused).

The break-even against a hosted plan of ``--compare-monthly`` dollars is the
number of hours a month at which both cost the same: the snapshots are paid
whether or not anything streams, every hour adds the droplet's price (until
it reaches its monthly price) and the transfer beyond its allowance.

Per droplet size the table shows the included transfer, the rate at which it
accrues, how many listeners that rate covers at the configuration's highest
bitrate, and the most listeners the droplet's network can carry at that
bitrate.

Prices come from the API's sizes list and the account's icecfg snapshots
when a token is set, otherwise from the dated table in
:mod:`icecfg.bake.pricing`, and the output says which.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from pathlib import Path
from typing import Any, cast

from icecfg.bake.snapshots import PREFIX
from icecfg.commands import TOKEN_VARIABLES, add_target_argument, decimal_number, given_text, guarded, whole_number
from icecfg.ondemand import (
    EXIT_OK,
    TAG,
    Mount,
    UsageError,
    locate,
    money,
    read_served,
    token_from_environment,
)
from icecfg.settings import DEFAULT_KEEP

__all__ = [
    "DEFAULT_HOURS",
    "DEFAULT_LISTENERS",
    "NETWORK_LIMIT_MBPS",
    "Estimate",
    "SizeRow",
    "Snapshots",
    "Stream",
    "add_arguments",
    "break_even_hours",
    "egress_gib",
    "estimate",
    "run",
    "size_rows",
    "stream_mbps",
]

DEFAULT_HOURS = Decimal(10)
DEFAULT_LISTENERS = 40
DEFAULT_COMPARE = Decimal(16)
DEFAULT_BITRATE = 128
DEFAULT_SIZE = "s-1vcpu-1gb"
#: The mount estimated when the configuration names none.
ASSUMED_MOUNT = "/stream"
#: Size of one snapshot when the API cannot be asked (Debian 12 with icecast2 is about this).
ESTIMATED_SNAPSHOT_GB = Decimal(2)
#: Hours in an average month (24 x 365 / 12).
HOURS_IN_MONTH = Decimal(730)
#: Hours in the longest month (31 days): more hours a month are refused.
MAX_HOURS_IN_MONTH = Decimal(744)
#: "All other Droplets have a maximum network throughput limit of 2 Gbps"
#: (https://docs.digitalocean.com/products/droplets/details/limits/; Premium CPU sizes: 10 Gbps).
NETWORK_LIMIT_MBPS = Decimal(2000)
_BYTES_PER_GIB = Decimal(2**30)

# The range of each number the estimate takes (docs/on-demand.md lists them): generous for
# any station, and small enough that every amount fits the 28 digits of a Decimal with
# its cents.
#: Listeners of a mount: a million, far beyond what one droplet's network carries at any bitrate.
MAX_LISTENERS = 1_000_000
#: kbit/s of a stream (--bitrate, or a mount's <bitrate>): 100 Mbit/s, more than any audio or video stream.
BITRATE_RANGE = (1, 100_000)
#: Dollars a month of the hosted plan compared with.
MAX_COMPARE = Decimal(1_000_000)
#: GB of one snapshot (10 TB).
MAX_SNAPSHOT_GB = Decimal(10_000)


@dataclass(frozen=True)
class Stream:
    """One mount as the estimate sees it: its bitrate and how many listen."""

    mount: str
    bitrate_kbps: int
    listeners: int
    assumed_bitrate: bool = False

    @property
    def mbps(self) -> Decimal:
        return stream_mbps([self.bitrate_kbps], [self.listeners])

    def gib_per_hour(self) -> Decimal:
        return egress_gib([self.bitrate_kbps], [self.listeners], 1)


def stream_mbps(bitrates_kbps: Iterable[int], listeners: Iterable[int]) -> Decimal:
    """Outbound megabits per second: the sum over mounts of bitrate x listeners."""
    return sum((Decimal(b) * Decimal(n) for b, n in zip(bitrates_kbps, listeners, strict=True)), Decimal(0)) / 1000


def egress_gib(bitrates_kbps: Iterable[int], listeners: Iterable[int], hours: float | Decimal) -> Decimal:
    """GiB sent to listeners in ``hours``: kbit/s x 1000 / 8 bytes a second, x 3600 a hour, / 2**30."""
    hours = Decimal(str(hours))
    if hours < 0:
        raise ValueError(f"hours must be 0 or more, got {hours}")
    bits_per_second = stream_mbps(bitrates_kbps, listeners) * 1_000_000
    return bits_per_second / 8 * 3600 * hours / _BYTES_PER_GIB


@dataclass(frozen=True)
class Snapshots:
    """The snapshots a month stores: pairs of (GB, how many of that size).

    The ``keep`` setting's estimate is one pair, ``keep`` snapshots of about
    2 GB: counted, not listed, so the work and memory of an estimate never
    grow with the number a user writes.
    """

    sizes: tuple[tuple[Decimal, int], ...] = ()

    @classmethod
    def each(cls, sizes: Iterable[float | Decimal]) -> Snapshots:
        """One snapshot of each size (the API's list, ``--snapshot-gb``)."""
        return cls(tuple((Decimal(str(gb)), 1) for gb in sizes))

    @classmethod
    def alike(cls, gb: Decimal, count: int) -> Snapshots:
        """``count`` snapshots of ``gb`` each."""
        if count < 0:
            raise ValueError(f"snapshots must be 0 or more, got {count}")
        return cls(((gb, count),) if count else ())

    @property
    def count(self) -> int:
        return sum(n for _, n in self.sizes)

    @property
    def total_gb(self) -> Decimal:
        return sum((gb * n for gb, n in self.sizes), Decimal(0))

    def monthly_cost(self) -> Decimal:
        """A month of them: each snapshot's price (at least the minimum) times how many there are."""
        from icecfg.bake import pricing

        return sum((pricing.snapshot_monthly_cost(float(gb)) * n for gb, n in self.sizes), Decimal(0))

    def listed(self) -> list[Decimal]:
        """The size of every snapshot, one entry each (for the JSON; ``count`` is in KEEP_RANGE or from the API)."""
        return [gb for gb, n in self.sizes for _ in range(n)]


def break_even_hours(
    fixed: Decimal,
    per_hour: Decimal,
    plan_monthly: Decimal,
    *,
    capped_after: Decimal | None = None,
    capped_per_hour: Decimal = Decimal(0),
) -> Decimal | None:
    """Hours a month at which the month costs the plan's price; None if never cheaper.

    The month costs ``fixed + hours x per_hour``; after ``capped_after`` hours
    (when the droplet has reached its monthly price) each further hour costs
    only ``capped_per_hour`` (the transfer).  ``HOURS_IN_MONTH`` or more means
    cheaper even streaming all month.
    """
    if fixed >= plan_monthly:
        return None
    if per_hour <= 0:
        return HOURS_IN_MONTH
    hours = (plan_monthly - fixed) / per_hour
    if capped_after is None or hours <= capped_after:
        return hours
    at_cap = fixed + capped_after * per_hour
    if capped_per_hour <= 0:
        return max(HOURS_IN_MONTH, capped_after)
    return capped_after + (plan_monthly - at_cap) / capped_per_hour


@dataclass(frozen=True)
class Estimate:
    """The month, itemised; amounts in dollars, transfer in GiB, not rounded."""

    size: str
    hours: Decimal
    hourly: Decimal
    droplet: Decimal
    kept: Snapshots
    snapshots: Decimal
    streams: tuple[Stream, ...]
    egress_gib: Decimal
    allowance_gib: Decimal
    billable_gib: Decimal
    egress: Decimal
    compare_monthly: Decimal | None
    per_hour: Decimal
    break_even: Decimal | None = None

    @property
    def total(self) -> Decimal:
        return self.droplet + self.snapshots + self.egress

    def as_dict(self) -> dict[str, Any]:
        def f(value: Decimal | None) -> float | None:
            return None if value is None else float(value)

        return {
            "size": self.size,
            "hours_per_month": f(self.hours),
            "price_hourly": f(self.hourly),
            "droplet": f(self.droplet),
            "snapshot_gb": [float(g) for g in self.kept.listed()],
            "snapshots": f(self.snapshots),
            "streams": [
                {"mount": s.mount, "bitrate_kbps": s.bitrate_kbps, "listeners": s.listeners, "mbps": float(s.mbps)}
                for s in self.streams
            ],
            "mbps": float(sum((s.mbps for s in self.streams), Decimal(0))),
            "egress_gib": f(self.egress_gib),
            "allowance_gib": f(self.allowance_gib),
            "billable_gib": f(self.billable_gib),
            "egress": f(self.egress),
            "total": f(self.total),
            "compare_monthly": f(self.compare_monthly),
            "cost_per_hour": f(self.per_hour),
            "break_even_hours": f(self.break_even),
        }


def estimate(
    streams: Sequence[Stream],
    size: str,
    hours: float | Decimal,
    snapshot_gb: Iterable[float | Decimal] | Snapshots,
    sizes: Iterable[Any] | None = None,
    *,
    billing: str = "second",
    compare_monthly: Decimal | None = None,
) -> Estimate:
    """The month of ``streams`` on one droplet of ``size`` running ``hours``; ``ValueError`` for an unknown size.

    ``snapshot_gb`` is the size of each snapshot kept, or :class:`Snapshots`.
    """
    from icecfg.bake import pricing

    sizes = list(sizes or ())
    hours = Decimal(str(hours))
    if hours < 0:
        raise ValueError(f"hours must be 0 or more, got {hours}")
    price = pricing.droplet_price(size, sizes)
    if billing not in ("second", "hour"):
        raise ValueError(f"billing must be 'second' or 'hour', got {billing!r}")
    droplet = pricing.droplet_cost(size, float(hours), sizes, cast("pricing.Billing", billing))
    kept = snapshot_gb if isinstance(snapshot_gb, Snapshots) else Snapshots.each(snapshot_gb)
    snapshots = kept.monthly_cost()
    bitrates = [s.bitrate_kbps for s in streams]
    counts = [s.listeners for s in streams]
    sent = egress_gib(bitrates, counts, hours)
    allowance = pricing.transfer_allowance_gib(size, float(hours), sizes)
    billable = max(Decimal(0), sent - allowance)
    egress = billable * pricing.EGRESS_PER_GIB  # pricing.egress_cost, without a float in between
    # What each further hour adds: the droplet and the transfer its own allowance does not cover.
    accrual = price.transfer_gib / pricing.HOURS_PER_MONTH
    transfer_per_hour = max(Decimal(0), egress_gib(bitrates, counts, 1) - accrual) * pricing.EGRESS_PER_GIB
    per_hour = price.hourly + transfer_per_hour
    even = None
    if compare_monthly is not None:
        # From the hour the droplet reaches its monthly price on, only transfer is added
        # (from then on the droplet's own allowance no longer grows either: 672 hours).
        capped_after = price.monthly / price.hourly if price.hourly > 0 else None
        after_cap = egress_gib(bitrates, counts, 1) * pricing.EGRESS_PER_GIB
        even = break_even_hours(
            snapshots, per_hour, compare_monthly, capped_after=capped_after, capped_per_hour=after_cap
        )
    return Estimate(
        size=size,
        hours=hours,
        hourly=price.hourly,
        droplet=droplet,
        kept=kept,
        snapshots=snapshots,
        streams=tuple(streams),
        egress_gib=sent,
        allowance_gib=allowance,
        billable_gib=billable,
        egress=egress,
        compare_monthly=compare_monthly,
        per_hour=per_hour,
        break_even=even,
    )


@dataclass(frozen=True)
class SizeRow:
    """What one droplet size offers a stream of ``bitrate_kbps`` per listener."""

    slug: str
    hourly: Decimal
    monthly: Decimal
    transfer_gib: Decimal
    accrual_gib_per_hour: Decimal
    accrual_mbps: Decimal
    covered_listeners: int
    network_listeners: int


def size_rows(table: dict[str, Any], bitrate_kbps: int) -> list[SizeRow]:
    """One row per size, cheapest first."""
    from icecfg.bake import pricing

    if bitrate_kbps <= 0:
        raise ValueError("the bitrate must be positive")
    rows = []
    for price in sorted(table.values(), key=lambda p: (p.monthly, p.slug)):
        per_hour = price.transfer_gib / pricing.HOURS_PER_MONTH
        mbps = per_hour * _BYTES_PER_GIB * 8 / 3600 / 1_000_000
        rows.append(
            SizeRow(
                slug=price.slug,
                hourly=price.hourly,
                monthly=price.monthly,
                transfer_gib=price.transfer_gib,
                accrual_gib_per_hour=per_hour,
                accrual_mbps=mbps,
                covered_listeners=int((mbps * 1000 / bitrate_kbps).to_integral_value(ROUND_FLOOR)),
                network_listeners=int((NETWORK_LIMIT_MBPS * 1000 / bitrate_kbps).to_integral_value(ROUND_FLOOR)),
            )
        )
    return rows


# --------------------------------------------------------------------------- command


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config", type=given_text, help="icecast.xml for the mounts and bitrates (default: as icecfg bake finds it)"
    )
    add_target_argument(parser, "Icecast release (default: settings, else 2.4)")
    parser.add_argument(
        "--hours-per-month",
        type=decimal_number(Decimal(0), MAX_HOURS_IN_MONTH),
        default=DEFAULT_HOURS,
        metavar="H",
        help=f"hours streamed a month, 0 to {MAX_HOURS_IN_MONTH} (10)",
    )
    parser.add_argument(
        "--listeners",
        action="append",
        metavar="N|MOUNT=N",
        help=f"listeners of every mount, or of one mount, 0 to {MAX_LISTENERS} "
        f"(repeatable; default {DEFAULT_LISTENERS})",
    )
    parser.add_argument(
        "--compare-monthly",
        type=decimal_number(Decimal(0), MAX_COMPARE),
        default=DEFAULT_COMPARE,
        metavar="USD",
        help=f"hosted plan price a month, 0 to {MAX_COMPARE} (16)",
    )
    parser.add_argument("--size", type=given_text, help="droplet size (default: settings, else s-1vcpu-1gb)")
    parser.add_argument(
        "--snapshot-gb",
        type=decimal_number(Decimal(0), MAX_SNAPSHOT_GB),
        action="append",
        metavar="GB",
        help=f"size of a snapshot kept, 0 to {MAX_SNAPSHOT_GB} "
        "(repeatable; default: the account's icecfg snapshots, else an estimate)",
    )
    parser.add_argument(
        "--bitrate",
        type=whole_number(*BITRATE_RANGE),
        default=DEFAULT_BITRATE,
        metavar="KBPS",
        help=f"for mounts that declare none (or one cost cannot price), {BITRATE_RANGE[0]} to {BITRATE_RANGE[1]} (128)",
    )
    parser.add_argument(
        "--billing", choices=("second", "hour"), default="second", help="droplet billing (per second since 2026)"
    )
    parser.add_argument("--format", choices=("text", "json"), default="text")


def run(args: argparse.Namespace) -> int:
    return guarded("cost", lambda: _run(args))


def _listener_counts(values: list[str] | None, mounts: list[str]) -> tuple[dict[str, int], bool]:
    """Listeners per mount from ``--listeners``; the flag tells whether the default was assumed."""
    default = DEFAULT_LISTENERS
    per_mount: dict[str, int] = {}
    for value in values or ():
        name, sep, number = value.rpartition("=")
        try:
            count = int(number)
        except ValueError:
            raise UsageError(f"--listeners takes N or MOUNT=N, not {value!r}") from None
        if not 0 <= count <= MAX_LISTENERS:
            raise UsageError(f"--listeners {value}: listeners must be a whole number from 0 to {MAX_LISTENERS}")
        if sep:
            if name not in mounts:
                raise UsageError(f"--listeners {value}: no mount {name} (mounts: {', '.join(mounts) or 'none'})")
            per_mount[name] = count
        else:
            default = count
    return {m: per_mount.get(m, default) for m in mounts}, not values


def _priced_bitrate(mount: Mount, path: Path, instead: int, notes: list[str]) -> int | None:
    """The mount's ``<bitrate>`` when cost can price it; else None (``--bitrate`` is taken) and a note.

    Icecast passes ``<bitrate>`` on to listeners and directories as text and
    accepts any; only a whole number in BITRATE_RANGE is a bitrate the
    estimate can use.  Anything else written there is named with its line.
    """
    number, low, high = mount.bitrate_kbps, *BITRATE_RANGE
    if mount.bitrate_text is None or (number is not None and low <= number <= high):
        return number
    notes.append(
        f"{path}:{mount.bitrate_line}: <bitrate>{mount.bitrate_text}</bitrate> of {mount.name} is not a bitrate "
        f"cost can price (a whole number from {low} to {high} kbit/s): taken as {instead} kbit/s (--bitrate)"
    )
    return None


def _token() -> str | None:
    """The API token when one is set: without it, cost uses the dated price table."""
    try:
        return token_from_environment()
    except UsageError as err:
        if any(os.environ.get(name, "").strip() for name in TOKEN_VARIABLES):  # set, but no token can be so
            print(f"icecfg cost: {err}; using the price table instead", file=sys.stderr)
        return None


def _from_api(token: str) -> tuple[list[Any], list[Decimal], str | None]:
    """Sizes and icecfg snapshot sizes from the API; on failure, nothing and the reason."""
    from icecfg.bake.digitalocean import DigitalOcean, DigitalOceanError

    try:
        with DigitalOcean(token) as api:
            sizes = api.sizes()
            snapshots = [s for s in api.snapshots(tag=TAG) if s.name.startswith(PREFIX)]
    except DigitalOceanError as err:
        return [], [], str(err)
    return sizes, [Decimal(str(s.size_gigabytes)) for s in snapshots], None


def _run(args: argparse.Namespace) -> int:
    import json

    from icecfg.bake import pricing

    path, settings, explicit = locate(args.config)
    target = settings.target_or(args.target)
    notes: list[str] = []
    clients: int | None = None
    # (name, the bitrate it declares that cost can price, whether it declares one at all)
    mounts: list[tuple[str, int | None, bool]] = [(ASSUMED_MOUNT, None, False)]
    if not explicit and not path.exists():
        notes.append(f"no {path.name} found: one mount assumed (--config names the configuration)")
    else:
        served = read_served(path, target)
        clients = served.clients
        if served.mounts:
            mounts = [
                (m.name, _priced_bitrate(m, path, args.bitrate, notes), m.bitrate_text is not None)
                for m in served.mounts
            ]
        else:  # sources may still stream to a mount no <mount> configures (Debian's sample)
            notes.append(f"{path} has no <mount>: one stream assumed")
    # the other numbers are in their ranges once parsed (decimal_number, whole_number)
    counts, assumed_listeners = _listener_counts(args.listeners, [name for name, _, _ in mounts])
    streams = [
        Stream(name, bitrate or args.bitrate, counts[name], assumed_bitrate=bitrate is None)
        for name, bitrate, _ in mounts
    ]
    size = args.size or settings.bake.get("size") or DEFAULT_SIZE

    token = _token()
    sizes: list[Any] = []
    api_snapshots: list[Decimal] = []
    table_source = f"icecfg's price table as of {pricing.PRICES_AS_OF.isoformat()}"
    source = f"{table_source} (set DIGITALOCEAN_TOKEN for live prices)"
    if token:
        sizes, api_snapshots, problem = _from_api(token)
        if problem:
            print(f"icecfg cost: {problem}; using the price table instead", file=sys.stderr)
            source = f"{table_source} (the DigitalOcean API did not answer; see above)"
        else:
            source = "the DigitalOcean API (GET /v2/sizes and your icecfg snapshots)"
    if args.snapshot_gb:
        kept = Snapshots.each(args.snapshot_gb)
    elif token and sizes:
        kept = Snapshots.each(api_snapshots)
    else:
        keep: int = settings.bake.get("keep", DEFAULT_KEEP)  # in KEEP_RANGE: the settings check it
        kept = Snapshots.alike(ESTIMATED_SNAPSHOT_GB, keep)
        notes.append(f"snapshots: {keep} (the keep setting) of about {ESTIMATED_SNAPSHOT_GB} GB each, an estimate")
    try:
        result = estimate(
            streams,
            size,
            args.hours_per_month,
            kept,
            sizes,
            billing=args.billing,
            compare_monthly=args.compare_monthly,
        )
    except ValueError as err:
        raise UsageError(str(err)) from None
    table = pricing.price_table(sizes)
    highest = max(s.bitrate_kbps for s in streams)
    rows = size_rows(table, highest)
    if clients is not None and rows and clients < min(r.network_listeners for r in rows):
        notes.append(
            f"the configuration's <clients> limit of {clients} caps one server's listeners before its network does"
        )
    if any(bitrate is None and not declared for _, bitrate, declared in mounts):
        notes.append(f"mounts without <bitrate> are taken as {args.bitrate} kbit/s (--bitrate)")
    if assumed_listeners:
        notes.append(f"{DEFAULT_LISTENERS} listeners per mount assumed (--listeners)")
    if args.format == "json":
        data = result.as_dict()
        data["prices_from"] = "api" if token and sizes else "table"
        data["prices_as_of"] = None if token and sizes else pricing.PRICES_AS_OF.isoformat()
        data["sizes"] = [
            {
                "slug": r.slug,
                "price_hourly": float(r.hourly),
                "price_monthly": float(r.monthly),
                "transfer_gib": float(r.transfer_gib),
                "accrual_gib_per_hour": float(r.accrual_gib_per_hour),
                "accrual_mbps": float(r.accrual_mbps),
                "covered_listeners": r.covered_listeners,
                "network_listeners": r.network_listeners,
            }
            for r in rows
        ]
        data["notes"] = notes
        print(json.dumps(data, indent=2))
        return EXIT_OK
    _print(result, rows, highest, source, notes)
    return EXIT_OK


def _gib(value: Decimal) -> str:
    return f"{value:.2f} GiB"


def _line(label: str, detail: str, amount: str) -> str:
    return f"  {label:<11}{detail:<56}{amount:>9}"


def _verdict(result: Estimate, hours: Decimal) -> str:
    """One sentence that names the cheaper of on demand and the hosted plan."""
    assert result.compare_monthly is not None
    plan = money(result.compare_monthly)
    each = f"each hour adds {money(result.per_hour, 4)}"
    if result.break_even is None:
        if result.snapshots > result.compare_monthly:
            return (
                f"the hosted plan is cheaper at any number of hours: the snapshots alone cost "
                f"{money(result.snapshots)} a month, the plan {plan}"
            )
        return f"the hosted plan is cheaper: it costs {plan} a month, as much as the snapshots alone; {each}"
    if result.break_even >= HOURS_IN_MONTH:
        return f"on demand is cheaper than the hosted plan ({plan}) even streaming all month ({each})"
    difference = money(abs(result.compare_monthly - result.total))
    if result.total < result.compare_monthly:
        outcome = f"on demand is cheaper and saves {difference}"
    elif result.total > result.compare_monthly:
        outcome = f"the hosted plan is cheaper, on demand costs {difference} more"
    else:
        outcome = "both cost the same"
    return f"break-even at {result.break_even:.1f} hours a month ({each}); at {hours:f} hours {outcome}"


def _print(result: Estimate, rows: list[SizeRow], bitrate: int, source: str, notes: list[str]) -> None:
    from icecfg.bake import pricing

    hours = result.hours.normalize()
    print(f"prices from {source}")
    print(f"a month of {hours:f} hours on one {result.size} droplet:")
    for stream in result.streams:
        print(
            f"  {stream.mount}: {stream.bitrate_kbps} kbit/s x {stream.listeners} listeners = "
            f"{stream.mbps:.1f} Mbit/s, {stream.gib_per_hour():.2f} GiB an hour"
        )
    print()
    print(_line("droplet", f"{hours:f} h x ${result.hourly.normalize():f}/h", money(result.droplet)))
    stored = result.kept.total_gb.normalize()
    count = result.kept.count
    print(
        _line(
            "snapshots",
            f"{stored:f} GB in {count} snapshot{'s' if count != 1 else ''} x ${pricing.SNAPSHOT_PER_GB_MONTH}/GB",
            money(result.snapshots),
        )
    )
    print(
        _line(
            "transfer",
            f"{_gib(result.egress_gib)} - {_gib(result.allowance_gib)} allowance = {_gib(result.billable_gib)}"
            f" x ${pricing.EGRESS_PER_GIB}",
            money(result.egress),
        )
    )
    print(_line("total", "a month", money(result.total)))
    if result.compare_monthly is not None:
        print(_line("hosted", "plan, a month (--compare-monthly)", money(result.compare_monthly)))
        print(f"  {_verdict(result, hours)}")
    print()
    print(f"droplet sizes at {bitrate} kbit/s a listener:")
    print(
        f"  {'size':20} {'$/hour':>8} {'$/month':>8} {'transfer/month':>15} {'accrues/hour':>26}"
        f" {'covered':>8} {'at most':>8}"
    )
    for row in rows:
        accrues = f"{row.accrual_gib_per_hour:.2f} GiB = {row.accrual_mbps:.2f} Mbit/s"
        print(
            f"  {row.slug:20} {row.hourly.normalize():>8f} {row.monthly:>8.2f} {row.transfer_gib:>11.0f} GiB "
            f"{accrues:>26} {row.covered_listeners:>8} {row.network_listeners:>8}"
        )
    print("  covered: listeners whose transfer the droplet's own allowance pays for while it runs")
    print(f"  at most: listeners its network carries ({NETWORK_LIMIT_MBPS:f} Mbit/s for these sizes)")
    print("  the allowance is pooled with your other droplets; transfer beyond it costs $0.01/GiB")
    for note in notes:
        print(f"note: {note}")
