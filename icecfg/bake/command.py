"""``icecfg snapshots`` and ``icecfg prune``: see and clean up icecfg's DigitalOcean snapshots.

Exit status: 0 success; 1 a DigitalOcean request failed; 2 usage error or no
API token.  The token comes from ``DIGITALOCEAN_TOKEN`` or
``DIGITALOCEAN_ACCESS_TOKEN`` and is never printed; the API endpoint from
``DIGITALOCEAN_END_POINT`` (python-digitalocean's setting, ending in ``/v2/``).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

from icecfg import settings as settings_module

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
TAG = "icecfg"
PREFIX = "icecfg-"


class UsageError(Exception):
    """A one-line problem with how icecfg was called or set up (exit 2)."""


def token_from_environment() -> str:
    """The API token, or UsageError naming the variables to set."""
    for name in ("DIGITALOCEAN_TOKEN", "DIGITALOCEAN_ACCESS_TOKEN"):
        value = os.environ.get(name, "").strip()
        if value:
            return value
    raise UsageError("no DigitalOcean API token: set DIGITALOCEAN_TOKEN (or DIGITALOCEAN_ACCESS_TOKEN)")


def bake_settings(config: str | None = None) -> settings_module.Settings:
    """The ``bake`` settings: from ``--config``'s directory upwards, else the current directory."""
    start = Path(config).resolve() if config else Path.cwd()
    try:
        return settings_module.find(start)
    except settings_module.SettingsError as err:
        raise UsageError(str(err)) from None


def client() -> Any:
    from icecfg.bake.digitalocean import DigitalOcean

    return DigitalOcean(token_from_environment())


def add_snapshots_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=("text", "json"), default="text")


def add_prune_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--keep", type=int, metavar="N", help="how many of the newest snapshots to keep (default: settings, else 3)"
    )
    parser.add_argument("--older-than", type=float, metavar="DAYS", help="delete only snapshots older than DAYS")
    parser.add_argument("--yes", action="store_true", help="delete; without it only the plan is printed")


def _money(value: Decimal) -> str:
    return f"${value:.2f}"


def run_snapshots(args: argparse.Namespace) -> int:
    from icecfg.bake.digitalocean import DigitalOceanError
    from icecfg.bake.pricing import snapshot_monthly_cost

    try:
        with client() as api:
            snapshots = sorted(api.snapshots(tag=TAG), key=lambda s: s.created_at, reverse=True)
            in_use = api.images_in_use()
    except UsageError as err:
        print(f"icecfg snapshots: {err}", file=sys.stderr)
        return EXIT_USAGE
    except DigitalOceanError as err:
        print(f"icecfg snapshots: {err}", file=sys.stderr)
        return EXIT_FAILED
    rows = [
        {
            "id": s.id,
            "name": s.name,
            "created": s.created_at.strftime("%Y-%m-%d %H:%M UTC"),
            "size_gb": s.size_gigabytes,
            "regions": list(s.regions),
            "monthly_cost": float(snapshot_monthly_cost(s.size_gigabytes)),
            "in_use": s.id in in_use,
        }
        for s in snapshots
        if s.name.startswith(PREFIX)
    ]
    if args.format == "json":
        print(json.dumps(rows, indent=2))
        return EXIT_OK
    if not rows:
        print("no icecfg snapshots")
        return EXIT_OK
    print(f"{'ID':>12}  {'NAME':40} {'CREATED':20} {'SIZE GB':>7}  {'REGIONS':12} {'$/MONTH':>7}  IN USE")
    for row in rows:
        print(
            f"{row['id']:>12}  {row['name']:40} {row['created']:20} {row['size_gb']:7.2f}  "
            f"{','.join(row['regions']):12} {_money(Decimal(str(row['monthly_cost']))):>7}  "
            f"{'yes' if row['in_use'] else 'no'}"
        )
    total = sum((Decimal(str(r["monthly_cost"])) for r in rows), Decimal(0))
    print(f"{len(rows)} snapshot(s), {_money(total)} a month")
    return EXIT_OK


def run_prune(args: argparse.Namespace) -> int:
    from icecfg.bake.digitalocean import DigitalOceanError

    try:
        keep = args.keep if args.keep is not None else int(bake_settings().bake.get("keep", 3))
        if keep < 0 or (args.older_than is not None and args.older_than < 0):
            raise UsageError("--keep and --older-than take numbers of at least 0")
        with client() as api:
            return prune(api, keep, args.older_than, args.yes)
    except UsageError as err:
        print(f"icecfg prune: {err}", file=sys.stderr)
        return EXIT_USAGE
    except DigitalOceanError as err:
        print(f"icecfg prune: {err}", file=sys.stderr)
        return EXIT_FAILED


def prune(api: Any, keep: int, older_than_days: float | None, yes: bool, out: Any = None) -> int:
    """Print the plan and, with ``yes``, delete what it says, by id.  Used by bake too."""
    from icecfg.bake.snapshots import plan

    out = out or sys.stdout
    snapshots = api.snapshots()
    in_use = api.images_in_use()
    older = timedelta(days=older_than_days) if older_than_days is not None else None
    decided = plan(snapshots, keep, in_use, datetime.now(timezone.utc), older, prefix=PREFIX, tag=TAG)
    for snapshot in decided.keep:
        print(f"keep    {snapshot.id:>12}  {snapshot.name}  ({decided.reasons.get(snapshot.id, '')})", file=out)
    for snapshot in decided.delete:
        verb = "delete " if yes else "would delete"
        print(f"{verb:7} {snapshot.id:>12}  {snapshot.name}  ({decided.reasons.get(snapshot.id, '')})", file=out)
        if yes:
            api.delete_snapshot(snapshot.id)
    if not decided.delete:
        print("nothing to prune", file=out)
    elif not yes:
        print(f"{len(decided.delete)} snapshot(s) would be deleted; run again with --yes to delete them", file=out)
    return EXIT_OK
