"""DigitalOcean prices for icecfg's cost estimates, as a dated table.

Sources (as collected for icecfg in ``packer-digitalocean-reference.md`` §7):

- snapshots: https://docs.digitalocean.com/products/images/snapshots/details/pricing/
  -- "$0.06 GB per month for Droplets ... a minimum charge of $0.01"; no extra
  charge for copies in more regions (the $0.05 rate ended with the July 2022
  repricing);
- droplets and bandwidth: https://docs.digitalocean.com/products/droplets/details/pricing/
  (validated 28 May 2026) -- CPU Droplets are billed per second with a minimum
  of 60 seconds or $0.01, whichever is higher (since 1 January 2026; before
  that hourly, 1 hour minimum, capped at 672 hours a month); either way a
  month of a droplet costs at most its monthly price; powered-off
  droplets are still billed; extra outbound transfer is $0.01/GiB;
- the Basic sizes: the June 2022 repricing table and digitalocean.com/pricing
  ("Droplets starting at $4/month"); hourly = monthly / 672, as the API's
  ``price_hourly`` rounds it.

Prices change; the live ``GET /v2/sizes`` answer (``price_monthly``,
``price_hourly``, ``transfer`` in TB) overrides this table wherever it is given.
Amounts are :class:`~decimal.Decimal` dollars, not rounded.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from types import MappingProxyType
from typing import Literal, Protocol

__all__ = [
    "DROPLET_PRICES",
    "EGRESS_PER_GIB",
    "HOURS_PER_MONTH",
    "PRICES_AS_OF",
    "SNAPSHOT_MINIMUM",
    "SNAPSHOT_PER_GB_MONTH",
    "Billing",
    "DropletPrice",
    "SizeLike",
    "droplet_cost",
    "droplet_price",
    "egress_cost",
    "price_table",
    "snapshot_monthly_cost",
    "transfer_allowance_gib",
]

PRICES_AS_OF = date(2026, 5, 28)
"""When the newest of the sources above was checked."""

SNAPSHOT_PER_GB_MONTH = Decimal("0.06")
SNAPSHOT_MINIMUM = Decimal("0.01")
EGRESS_PER_GIB = Decimal("0.01")
DROPLET_MINIMUM = Decimal("0.01")
DROPLET_MINIMUM_SECONDS = 60
HOURS_PER_MONTH = 672
"""The hours DigitalOcean divides a monthly price (and a transfer allowance) by."""

# The API reports ``transfer`` in TB where the price page says GiB, 0.5 for the
# "500 GiB" plan and 1.0 for "1000 GiB": one API terabyte is 1000 GiB.
GIB_PER_API_TB = Decimal(1000)

Billing = Literal["second", "hour"]


@dataclass(frozen=True)
class DropletPrice:
    """What one droplet size costs, and the outbound transfer a month of it includes."""

    slug: str
    monthly: Decimal
    hourly: Decimal
    transfer_gib: Decimal


class SizeLike(Protocol):
    """The fields of a ``GET /v2/sizes`` entry the estimator reads."""

    @property
    def slug(self) -> str: ...
    @property
    def price_monthly(self) -> float: ...
    @property
    def price_hourly(self) -> float: ...
    @property
    def transfer(self) -> float: ...


def _row(slug: str, monthly: str, hourly: str, transfer_gib: int) -> tuple[str, DropletPrice]:
    return slug, DropletPrice(slug, Decimal(monthly), Decimal(hourly), Decimal(transfer_gib))


DROPLET_PRICES: Mapping[str, DropletPrice] = MappingProxyType(
    dict(
        [
            # Basic (Regular, shared CPU); the $4 size is not offered in every region.
            _row("s-1vcpu-512mb-10gb", "4.00", "0.00595", 500),
            _row("s-1vcpu-1gb", "6.00", "0.00893", 1000),
            _row("s-1vcpu-2gb", "12.00", "0.01786", 2000),
            _row("s-2vcpu-2gb", "18.00", "0.02679", 3000),
            _row("s-2vcpu-4gb", "24.00", "0.03571", 4000),
        ]
    )
)


def _money(value: float | int | str | Decimal) -> Decimal:
    # str() first: Decimal(0.1) would carry the binary float's long tail.
    return value if isinstance(value, Decimal) else Decimal(str(value))


def price_table(sizes: Iterable[SizeLike] | None = None) -> dict[str, DropletPrice]:
    """The built-in table, with every size the API listed replacing (or adding) its row."""
    table = dict(DROPLET_PRICES)
    for size in sizes or ():
        table[size.slug] = DropletPrice(
            slug=size.slug,
            monthly=_money(size.price_monthly),
            hourly=_money(size.price_hourly),
            transfer_gib=_money(size.transfer) * GIB_PER_API_TB,
        )
    return table


def droplet_price(slug: str, sizes: Iterable[SizeLike] | None = None) -> DropletPrice:
    """The price of size ``slug``; ``ValueError`` naming the known sizes if there is none."""
    table = price_table(sizes)
    try:
        return table[slug]
    except KeyError:
        known = ", ".join(sorted(table))
        raise ValueError(f"no price known for droplet size {slug!r} (known: {known})") from None


def snapshot_monthly_cost(size_gb: float) -> Decimal:
    """A month of one snapshot of ``size_gb`` (the API's ``size_gigabytes``)."""
    if size_gb < 0 or math.isnan(size_gb):
        raise ValueError(f"snapshot size must be 0 or more GB, got {size_gb}")
    return max(SNAPSHOT_MINIMUM, _money(size_gb) * SNAPSHOT_PER_GB_MONTH)


def droplet_cost(
    slug: str,
    hours: float,
    sizes: Iterable[SizeLike] | None = None,
    billing: Billing = "second",
) -> Decimal:
    """What one droplet of size ``slug`` costs for existing ``hours`` (within a month).

    ``billing="second"`` is the model since 2026: per second, at least 60 s or
    $0.01, whichever is more. ``billing="hour"`` is the older model: started
    hours, at least one. Both stop at the size's monthly price: a droplet that
    exists all month (730 hours on average, more than the 672 the hourly rate
    is worked out from) costs its monthly price, never more.
    """
    if hours < 0 or math.isnan(hours):
        raise ValueError(f"hours must be 0 or more, got {hours}")
    price = droplet_price(slug, sizes)
    if hours == 0:
        return Decimal(0)
    if billing == "second":
        seconds = max(Decimal(DROPLET_MINIMUM_SECONDS), _money(hours) * 3600)
        return min(price.monthly, max(DROPLET_MINIMUM, price.hourly * seconds / 3600))
    if billing == "hour":
        return min(price.monthly, price.hourly * math.ceil(hours))
    raise ValueError(f"billing must be 'second' or 'hour', got {billing!r}")


def transfer_allowance_gib(slug: str, hours: float, sizes: Iterable[SizeLike] | None = None) -> Decimal:
    """The free outbound transfer a droplet accrues while it exists (allowance / 672 per hour)."""
    if hours < 0 or math.isnan(hours):
        raise ValueError(f"hours must be 0 or more, got {hours}")
    price = droplet_price(slug, sizes)
    return price.transfer_gib * min(_money(hours), Decimal(HOURS_PER_MONTH)) / HOURS_PER_MONTH


def egress_cost(gib: float, allowance_gib: float | Decimal = 0) -> Decimal:
    """Outbound transfer beyond the pooled allowance, at $0.01/GiB (inbound is free)."""
    if gib < 0 or math.isnan(gib):
        raise ValueError(f"transfer must be 0 or more GiB, got {gib}")
    return max(Decimal(0), _money(gib) - _money(allowance_gib)) * EGRESS_PER_GIB
