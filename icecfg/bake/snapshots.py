"""Which icecfg snapshots to keep and which to delete: a pure function, no I/O.

icecfg names its images ``icecfg-<release>-<hash12>-<YYYYMMDD-HHMMSS>`` (the
Icecast release the image runs, the first 12 hex digits of the configuration's
hash, then the UTC bake time) and tags them ``icecfg`` and, per release,
``icecfg-icecast-2-5`` (DigitalOcean tags allow no dots).  Images baked before
releases were named (``icecfg-<hash12>-<time>``) ran Debian's 2.4.4 and count as
release 2.4.  Only snapshots with *both* the ``icecfg`` tag and the name prefix
are ever candidates for deletion; everything else in the account is left alone
and does not appear in the plan at all.

Snapshot names are not unique on DigitalOcean (two bakes of the same
configuration in the same second, or a user's own snapshot called the same),
so every decision is made, and reported, by snapshot id.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

__all__ = [
    "PREFIX",
    "RELEASES",
    "TAG",
    "Plan",
    "Snapshot",
    "hash_of",
    "plan",
    "release_of",
    "release_tag",
    "snapshot_name",
]

PREFIX = "icecfg-"
TAG = "icecfg"
HASH_LENGTH = 12
_TIME_FORMAT = "%Y%m%d-%H%M%S"
#: The Icecast releases an image can run (what ``icecfg bake --target`` installs).
RELEASES = ("2.4", "2.5")
#: The release of an image named before names carried one.
LEGACY_RELEASE = "2.4"
_NAME = re.compile(r"\Aicecfg-(?:(?P<release>\d+\.\d+)-)?(?P<hash>[0-9a-f]{12})-(?P<time>\d{8}-\d{6})\Z")
_HEX = re.compile(r"\A[0-9a-f]+\Z")


@dataclass(frozen=True)
class Snapshot:
    """A droplet snapshot as ``GET /v2/snapshots`` describes it.

    ``id`` is a string, as in the snapshots API (the images API calls the same
    object by the integer ``int(id)``). ``created_at`` is timezone-aware UTC.
    """

    id: str
    name: str
    created_at: datetime
    size_gigabytes: float = 0.0
    min_disk_size: int = 0
    regions: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    resource_id: str | None = None


@dataclass(frozen=True)
class Plan:
    """The outcome of :func:`plan`, newest first in both lists.

    ``reasons`` holds one line per candidate (kept or deleted), keyed by id.
    Snapshots that are not candidates appear nowhere.
    """

    keep: list[Snapshot] = field(default_factory=list)
    delete: list[Snapshot] = field(default_factory=list)
    reasons: dict[str, str] = field(default_factory=dict)


def _utc(when: datetime, what: str) -> datetime:
    if when.tzinfo is None or when.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware, got the naive datetime {when.isoformat()}")
    return when.astimezone(timezone.utc)


def _newest_first_key(snapshot: Snapshot) -> tuple[datetime, tuple[int, int, str]]:
    # Ties on created_at (one-second resolution) are broken by id: DigitalOcean
    # hands out increasing numeric ids, so the larger one is the later image.
    ident = snapshot.id
    id_key = (1, int(ident), "") if ident.isdigit() else (0, 0, ident)
    return (_utc(snapshot.created_at, f"created_at of snapshot {ident}"), id_key)


def is_candidate(snapshot: Snapshot, *, prefix: str = PREFIX, tag: str = TAG) -> bool:
    """Whether the policy may ever delete ``snapshot``: tagged ``tag`` and named ``prefix...``."""
    return tag in snapshot.tags and snapshot.name.startswith(prefix)


def _describe(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    if seconds % 86400 == 0 and seconds:
        return f"{seconds // 86400}d"
    if seconds % 3600 == 0 and seconds:
        return f"{seconds // 3600}h"
    return f"{seconds}s"


def plan(
    snapshots: Iterable[Snapshot],
    keep: int,
    in_use: set[str],
    now: datetime,
    older_than: timedelta | None = None,
    prefix: str = PREFIX,
    tag: str = TAG,
) -> Plan:
    """Decide, by id, which icecfg snapshots to keep and which to delete.

    Rules, in order of precedence:

    1. only snapshots tagged ``tag`` whose name starts with ``prefix`` are
       candidates; the rest are never touched and are left out of the plan;
    2. the newest candidate is always kept, even with ``keep=0``, and so is the
       newest of every Icecast release (:func:`release_of`), so that ``icecfg
       up`` can still start a station configured for the other release;
    3. a candidate in ``in_use`` (the image of an existing droplet) is kept;
    4. the ``keep`` newest candidates are kept;
    5. with ``older_than``, a candidate is deleted only if it is strictly older
       than that at ``now``.

    A snapshot id listed twice (pagination over a changing list can do that)
    is planned once.
    """
    if keep < 0:
        raise ValueError(f"keep must be 0 or more, got {keep}")
    if older_than is not None and older_than < timedelta(0):
        raise ValueError(f"older_than must not be negative, got {older_than}")
    now = _utc(now, "now")

    seen: set[str] = set()
    candidates: list[Snapshot] = []
    for snapshot in snapshots:
        if snapshot.id in seen:
            continue
        seen.add(snapshot.id)
        if is_candidate(snapshot, prefix=prefix, tag=tag):
            candidates.append(snapshot)
    candidates.sort(key=_newest_first_key, reverse=True)
    newest_of_release: dict[str, str] = {}
    for snapshot in candidates:
        release = release_of(snapshot.name)
        if release is not None:
            newest_of_release.setdefault(release, snapshot.id)
    release_of_newest = {ident: release for release, ident in newest_of_release.items()}

    result = Plan()
    for rank, snapshot in enumerate(candidates):
        age = now - _utc(snapshot.created_at, f"created_at of snapshot {snapshot.id}")
        if rank == 0:
            reason = "newest icecfg snapshot (always kept)"
        elif snapshot.id in release_of_newest:
            reason = f"newest icecfg snapshot of Icecast {release_of_newest[snapshot.id]} (always kept)"
        elif snapshot.id in in_use:
            reason = "in use by an existing droplet"
        elif rank < keep:
            reason = f"one of the {keep} newest"
        elif older_than is not None and age <= older_than:
            reason = f"not older than {_describe(older_than)}"
        else:
            why = f"beyond the {keep} newest" if keep else "not the newest"
            if older_than is not None:
                why += f", older than {_describe(older_than)}"
            result.delete.append(snapshot)
            result.reasons[snapshot.id] = f"delete: {why}, not in use"
            continue
        result.keep.append(snapshot)
        result.reasons[snapshot.id] = f"keep: {reason}"
    return result


def snapshot_name(config_hash: str, now: datetime, release: str) -> str:
    """``icecfg-<release>-<first 12 hex digits of config_hash>-<UTC YYYYMMDD-HHMMSS>``."""
    digest = config_hash.lower()
    if len(digest) < HASH_LENGTH or not _HEX.match(digest):
        raise ValueError(f"config hash must be at least {HASH_LENGTH} hex digits, got {config_hash!r}")
    if release not in RELEASES:
        raise ValueError(f"no image recipe for Icecast {release!r} (only {', '.join(RELEASES)})")
    stamp = _utc(now, "now").strftime(_TIME_FORMAT)
    return f"{PREFIX}{release}-{digest[:HASH_LENGTH]}-{stamp}"


def release_tag(release: str) -> str:
    """The tag an image of ``release`` carries besides ``icecfg``: ``icecfg-icecast-2-5``."""
    return f"{TAG}-icecast-{release.replace('.', '-')}"


def release_of(name: str) -> str | None:
    """The Icecast release in an icecfg snapshot name (2.4 for names without one), or ``None``."""
    match = _NAME.match(name)
    if match is None or hash_of(name) is None:
        return None
    return match["release"] or LEGACY_RELEASE


def hash_of(name: str) -> str | None:
    """The 12-digit configuration hash in an icecfg snapshot name, or ``None``."""
    match = _NAME.match(name)
    if match is None:
        return None
    try:
        datetime.strptime(match["time"], _TIME_FORMAT)
    except ValueError:
        return None
    return match["hash"]


def created_of(name: str) -> datetime | None:
    """The UTC bake time in an icecfg snapshot name, or ``None``."""
    match = _NAME.match(name)
    if match is None:
        return None
    try:
        return datetime.strptime(match["time"], _TIME_FORMAT).replace(tzinfo=timezone.utc)
    except ValueError:
        return None
