"""The keep/prune policy: exhaustive over small worlds, then random ones, then by hand."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from icecfg.bake.snapshots import (
    Plan,
    Snapshot,
    created_of,
    hash_of,
    is_candidate,
    plan,
    release_of,
    release_tag,
    snapshot_name,
)

NOW = datetime(2025, 3, 1, 12, 0, 0, tzinfo=timezone.utc)
DAY = timedelta(days=1)
OLDER_THAN = (None, timedelta(0), DAY + DAY / 2, 10 * DAY)


def snap(ident: str, name: str, age: timedelta, tags: tuple[str, ...] = ("icecfg",)) -> Snapshot:
    return Snapshot(id=ident, name=name, created_at=NOW - age, size_gigabytes=1.5, tags=tags)


def newest_first(snapshots: list[Snapshot]) -> list[Snapshot]:
    return sorted(snapshots, key=lambda s: (s.created_at, int(s.id)), reverse=True)


def check_invariants(
    snapshots: list[Snapshot],
    result: Plan,
    keep: int,
    in_use: set[str],
    older_than: timedelta | None,
) -> None:
    """Every rule of the policy, stated independently of how plan() is written."""
    candidates = newest_first([s for s in snapshots if "icecfg" in s.tags and s.name.startswith("icecfg-")])
    candidate_ids = {s.id for s in candidates}
    kept = [s.id for s in result.keep]
    deleted = [s.id for s in result.delete]

    # Only candidates are planned, each exactly once, each with a reason.
    assert set(kept).isdisjoint(deleted)
    assert sorted(kept + deleted) == sorted(candidate_ids)
    assert set(result.reasons) == candidate_ids
    for ident in kept:
        assert result.reasons[ident].startswith("keep: ")
    for ident in deleted:
        assert result.reasons[ident].startswith("delete: ")
    # Both lists newest first.
    assert result.keep == newest_first(result.keep)
    assert result.delete == newest_first(result.delete)

    if candidates:
        assert candidates[0].id in kept, "the newest candidate is always kept"
    newest_of_release: dict[str, str] = {}
    for s in candidates:
        release = release_of(s.name)
        if release is not None:
            newest_of_release.setdefault(release, s.id)
    assert set(newest_of_release.values()) <= set(kept), "the newest of every release is kept"
    assert not (set(deleted) & in_use), "an image in use is never deleted"
    assert {s.id for s in candidates[:keep]} <= set(kept), "the N newest are kept"
    if older_than is not None:
        for s in result.delete:
            assert NOW - s.created_at > older_than, "only snapshots older than older_than are deleted"

    # And nothing is kept without one of those reasons.
    for rank, s in enumerate(candidates):
        protected = (
            rank == 0
            or s.id in newest_of_release.values()
            or s.id in in_use
            or rank < keep
            or (older_than is not None and NOW - s.created_at <= older_than)
        )
        assert (s.id in kept) == protected, (rank, s, keep, in_use, older_than)


# Per snapshot: tagged?, prefixed?, in use? -- 8 kinds, all combinations of up to 5.
KINDS: list[tuple[bool, bool, bool]] = [(a, b, c) for a, b, c in itertools.product((False, True), repeat=3)]


def world(kinds: tuple[tuple[bool, bool, bool], ...]) -> tuple[list[Snapshot], set[str]]:
    snapshots = []
    in_use = set()
    for index, (tagged, prefixed, used) in enumerate(kinds):
        ident = str(1000 + index)
        name = ("icecfg-" if prefixed else "manual-") + "same-name"  # names collide on purpose
        tags = ("icecfg", "web") if tagged else ("web",)
        snapshots.append(snap(ident, name, age=index * DAY, tags=tags))
        if used:
            in_use.add(ident)
    return snapshots, in_use


@pytest.mark.parametrize("count", range(6))
def test_exhaustive_small_worlds(count: int) -> None:
    cases = 0
    for kinds in itertools.product(KINDS, repeat=count):
        snapshots, in_use = world(kinds)
        shuffled = snapshots[::-1]
        for keep in range(6):
            for older_than in OLDER_THAN:
                result = plan(shuffled, keep, in_use, NOW, older_than)
                check_invariants(snapshots, result, keep, in_use, older_than)
                cases += 1
    assert cases == 8**count * 6 * len(OLDER_THAN)


def test_input_order_does_not_matter() -> None:
    for kinds in itertools.product(KINDS, repeat=4):
        snapshots, in_use = world(kinds)
        expected = plan(snapshots, 1, in_use, NOW, DAY)
        for permutation in itertools.islice(itertools.permutations(snapshots), 0, None, 7):
            assert plan(list(permutation), 1, in_use, NOW, DAY) == expected


# -- random worlds ---------------------------------------------------------

IDS = st.integers(min_value=1, max_value=10**9).map(str)
NAMES = st.sampled_from(
    [
        "icecfg-aaaaaaaaaaaa-20250101-000000",
        "icecfg-2.4-bbbbbbbbbbbb-20250101-000000",
        "icecfg-2.5-cccccccccccc-20250101-000000",
        "icecfg-x",
        "icecfg-",
        "icecfg",
        "other",
        "",
    ]
)
TAGS = st.lists(st.sampled_from(["icecfg", "keep", "ICECFG", "icecfg2"]), max_size=3, unique=True).map(tuple)
AGES = st.integers(min_value=-3600, max_value=60 * 86400).map(lambda s: timedelta(seconds=s))


@st.composite
def worlds(draw: st.DrawFn) -> tuple[list[Snapshot], set[str]]:
    ids = draw(st.lists(IDS, max_size=12, unique=True))
    # Few distinct ages, so created_at ties happen often.
    ages = draw(st.lists(AGES, min_size=1, max_size=3))
    snapshots = [
        Snapshot(
            id=ident,
            name=draw(NAMES),
            created_at=NOW - draw(st.sampled_from(ages)),
            tags=draw(TAGS),
        )
        for ident in ids
    ]
    in_use = set(draw(st.lists(st.sampled_from(ids), unique=True))) if ids else set()
    in_use |= set(draw(st.lists(IDS, max_size=2)))  # images of droplets made from other snapshots
    return snapshots, in_use


OPTIONAL_AGE = st.none() | st.integers(min_value=0, max_value=90 * 86400).map(lambda s: timedelta(seconds=s))


@settings(max_examples=400, deadline=None)
@given(worlds(), st.integers(min_value=0, max_value=15), OPTIONAL_AGE)
def test_random_worlds(data: tuple[list[Snapshot], set[str]], keep: int, older_than: timedelta | None) -> None:
    snapshots, in_use = data
    result = plan(snapshots, keep, in_use, NOW, older_than)
    check_invariants(snapshots, result, keep, in_use, older_than)


@settings(max_examples=300, deadline=None)
@given(worlds(), st.integers(min_value=0, max_value=6), OPTIONAL_AGE)
def test_pruning_twice_deletes_nothing_more(
    data: tuple[list[Snapshot], set[str]], keep: int, older_than: timedelta | None
) -> None:
    snapshots, in_use = data
    first = plan(snapshots, keep, in_use, NOW, older_than)
    deleted = {s.id for s in first.delete}
    second = plan([s for s in snapshots if s.id not in deleted], keep, in_use, NOW, older_than)
    assert second.delete == []
    assert second.keep == first.keep


@settings(max_examples=300, deadline=None)
@given(worlds(), st.integers(min_value=0, max_value=6), OPTIONAL_AGE)
def test_more_caution_never_deletes_more(
    data: tuple[list[Snapshot], set[str]], keep: int, older_than: timedelta | None
) -> None:
    snapshots, in_use = data
    base = {s.id for s in plan(snapshots, keep, in_use, NOW, older_than).delete}
    assert {s.id for s in plan(snapshots, keep + 1, in_use, NOW, older_than).delete} <= base
    longer = (older_than or timedelta(0)) + DAY
    assert {s.id for s in plan(snapshots, keep, in_use, NOW, longer).delete} <= base
    more_in_use = in_use | {s.id for s in snapshots[::2]}
    assert {s.id for s in plan(snapshots, keep, more_in_use, NOW, older_than).delete} <= base


@settings(max_examples=200, deadline=None)
@given(worlds())
def test_non_candidates_are_never_mentioned(data: tuple[list[Snapshot], set[str]]) -> None:
    snapshots, in_use = data
    result = plan(snapshots, 0, in_use, NOW, None)
    planned = {s.id for s in result.keep} | {s.id for s in result.delete} | set(result.reasons)
    for s in snapshots:
        if not is_candidate(s):
            assert s.id not in planned


# -- by hand ----------------------------------------------------------------


def test_duplicate_names_are_decided_by_id() -> None:
    name = "icecfg-0123456789ab-20250101-000000"
    older = snap("501", name, 3 * DAY)
    newer = snap("502", name, 2 * DAY)
    newest = snap("600", "icecfg-0123456789ab-20250228-000000", DAY)
    result = plan([older, newest, newer], keep=2, in_use=set(), now=NOW)
    assert [s.id for s in result.keep] == ["600", "502"]
    assert [s.id for s in result.delete] == ["501"]
    assert result.reasons == {
        "600": "keep: newest icecfg snapshot (always kept)",
        "502": "keep: one of the 2 newest",
        "501": "delete: beyond the 2 newest, not in use",
    }


def test_same_name_and_same_time_the_higher_id_is_newer() -> None:
    a = snap("9", "icecfg-same", DAY)
    b = snap("10", "icecfg-same", DAY)
    result = plan([a, b], keep=0, in_use=set(), now=NOW)
    assert [s.id for s in result.keep] == ["10"]
    assert [s.id for s in result.delete] == ["9"]


def test_an_id_listed_twice_is_planned_once() -> None:
    a = snap("1", "icecfg-a", 2 * DAY)
    b = snap("2", "icecfg-b", DAY)
    result = plan([a, b, a], keep=0, in_use=set(), now=NOW)
    assert [s.id for s in result.delete] == ["1"]
    assert [s.id for s in result.keep] == ["2"]


def test_the_newest_of_each_release_is_kept() -> None:
    """A bake of 2.5 with keep=1 does not delete the last 2.4 image (names before releases are 2.4)."""
    old_24 = snap("1", "icecfg-0123456789ab-20250101-000000", 30 * DAY)
    older_24 = snap("2", "icecfg-0123456789ab-20241201-000000", 60 * DAY)
    first_25 = snap("3", "icecfg-2.5-0123456789ab-20250201-000000", 2 * DAY)
    new_25 = snap("4", "icecfg-2.5-0123456789ab-20250202-000000", DAY)
    result = plan([old_24, older_24, first_25, new_25], keep=1, in_use=set(), now=NOW)
    assert result.reasons == {
        "4": "keep: newest icecfg snapshot (always kept)",
        "1": "keep: newest icecfg snapshot of Icecast 2.4 (always kept)",
        "3": "delete: beyond the 1 newest, not in use",
        "2": "delete: beyond the 1 newest, not in use",
    }


def test_keep_zero_still_keeps_the_newest() -> None:
    only = snap("1", "icecfg-a", 100 * DAY)
    assert plan([only], keep=0, in_use=set(), now=NOW, older_than=DAY).keep == [only]


def test_in_use_old_snapshot_is_kept_with_its_reason() -> None:
    old = snap("1", "icecfg-a", 100 * DAY)
    new = snap("2", "icecfg-b", DAY)
    result = plan([old, new], keep=0, in_use={"1"}, now=NOW)
    assert result.delete == []
    assert result.reasons["1"] == "keep: in use by an existing droplet"


def test_older_than_is_strict() -> None:
    new = snap("3", "icecfg-c", timedelta(0))
    exactly = snap("2", "icecfg-b", 7 * DAY)
    beyond = snap("1", "icecfg-a", 7 * DAY + timedelta(seconds=1))
    result = plan([new, exactly, beyond], keep=0, in_use=set(), now=NOW, older_than=7 * DAY)
    assert [s.id for s in result.delete] == ["1"]
    assert result.reasons["2"] == "keep: not older than 7d"
    assert result.reasons["1"] == "delete: not the newest, older than 7d, not in use"


def test_other_snapshots_are_invisible() -> None:
    mine = snap("1", "icecfg-a", DAY)
    untagged = snap("2", "icecfg-b", 5 * DAY, tags=())
    foreign = snap("3", "backup-c", 5 * DAY)
    case = snap("4", "ICECFG-d", 5 * DAY)
    result = plan([mine, untagged, foreign, case], keep=0, in_use=set(), now=NOW)
    assert result == Plan(keep=[mine], delete=[], reasons={"1": "keep: newest icecfg snapshot (always kept)"})


def test_custom_prefix_and_tag() -> None:
    a = snap("1", "radio-a", 2 * DAY, tags=("radio",))
    b = snap("2", "radio-b", DAY, tags=("radio",))
    c = snap("3", "icecfg-c", 3 * DAY)
    result = plan([a, b, c], keep=0, in_use=set(), now=NOW, prefix="radio-", tag="radio")
    assert [s.id for s in result.delete] == ["1"]
    assert "3" not in result.reasons


def test_empty() -> None:
    assert plan([], keep=3, in_use={"1"}, now=NOW) == Plan()


def test_time_zones_are_compared_in_utc() -> None:
    plus_two = timezone(timedelta(hours=2))
    a = Snapshot("1", "icecfg-a", datetime(2025, 3, 1, 13, 0, tzinfo=plus_two), tags=("icecfg",))  # 11:00 UTC
    b = Snapshot("2", "icecfg-b", datetime(2025, 3, 1, 11, 30, tzinfo=timezone.utc), tags=("icecfg",))
    result = plan([a, b], keep=0, in_use=set(), now=NOW)
    assert [s.id for s in result.keep] == ["2"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"keep": -1}, "keep must be 0 or more"),
        ({"older_than": -DAY}, "older_than must not be negative"),
        ({"now": datetime(2025, 1, 1)}, "now must be timezone-aware"),
    ],
)
def test_bad_arguments(kwargs: dict[str, object], message: str) -> None:
    arguments: dict[str, object] = {"snapshots": [], "keep": 1, "in_use": set(), "now": NOW}
    arguments.update(kwargs)
    with pytest.raises(ValueError, match=message):
        plan(**arguments)  # type: ignore[arg-type]


def test_naive_created_at_is_refused() -> None:
    naive = Snapshot("1", "icecfg-a", datetime(2025, 1, 1), tags=("icecfg",))
    with pytest.raises(ValueError, match="created_at of snapshot 1 must be timezone-aware"):
        plan([naive], keep=1, in_use=set(), now=NOW)


# -- names --------------------------------------------------------------------


def test_snapshot_name() -> None:
    when = datetime(2025, 3, 1, 13, 4, 5, 999, tzinfo=timezone(timedelta(hours=1)))
    name = snapshot_name("ABCDEF0123456789" * 4, when, "2.5")
    assert name == "icecfg-2.5-abcdef012345-20250301-120405"
    assert hash_of(name) == "abcdef012345"
    assert release_of(name) == "2.5"
    assert created_of(name) == datetime(2025, 3, 1, 12, 4, 5, tzinfo=timezone.utc)


def test_names_from_before_releases_are_2_4() -> None:
    """Images baked before names carried a release ran Debian's 2.4.4."""
    assert release_of("icecfg-abcdef012345-20250301-120405") == "2.4"
    assert release_of("hand-made-2.5-backup") is None
    assert release_tag("2.5") == "icecfg-icecast-2-5"


def test_snapshot_name_refuses_a_release_without_a_recipe() -> None:
    with pytest.raises(ValueError, match="no image recipe for Icecast 'kh'"):
        snapshot_name("0" * 64, NOW, "kh")


@pytest.mark.parametrize("digest", ["", "abc", "0123456789a", "0123456789abcdeg", "xyzxyzxyzxyz"])
def test_snapshot_name_needs_twelve_hex_digits(digest: str) -> None:
    with pytest.raises(ValueError, match="config hash"):
        snapshot_name(digest, NOW, "2.4")


def test_snapshot_name_needs_an_aware_time() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        snapshot_name("0" * 64, datetime(2025, 1, 1), "2.4")


@pytest.mark.parametrize(
    "name",
    [
        "icecfg-0123456789ab-20251301-000000",  # month 13
        "icecfg-0123456789ab-20250101-246000",
        "icecfg-0123456789AB-20250101-000000",
        "icecfg-0123456789abc-20250101-000000",
        "icecfg-0123456789a-20250101-000000",
        "icecfg-0123456789ab-20250101-000000-copy",
        "packer-0123456789ab-20250101-000000",
        "icecfg-0123456789ab",
        "",
    ],
)
def test_hash_of_rejects(name: str) -> None:
    assert hash_of(name) is None
    assert created_of(name) is None


@given(
    st.text(alphabet="0123456789abcdefABCDEF", min_size=12, max_size=64),
    st.datetimes(
        min_value=datetime(1970, 1, 2),
        max_value=datetime(9998, 12, 30),
        timezones=st.sampled_from([timezone.utc, timezone(timedelta(hours=-7)), timezone(timedelta(hours=9))]),
    ),
)
def test_names_round_trip(digest: str, when: datetime) -> None:
    name = snapshot_name(digest, when, "2.5")
    assert name.startswith("icecfg-2.5-")
    assert release_of(name) == "2.5"
    assert hash_of(name) == digest[:12].lower()
    assert created_of(name) == when.astimezone(timezone.utc).replace(microsecond=0)
