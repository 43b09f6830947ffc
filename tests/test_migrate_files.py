"""``icecfg migrate`` over the shipped examples, Debian's samples and the shared corpus.

For every file that loads: only the lines of the elements a change names are
touched; the result loads, lints for 2.5 with no error the original did not
have for 2.4 and nothing obsolete; migrating it again as the 2.5 file it now
is changes nothing.  The lines changed per file are printed (the measure the
issue asks for).
"""

from __future__ import annotations

import collections
import difflib
from functools import cache
from pathlib import Path

import pytest

import icecfg
from icecfg.lint.finding import Severity
from tests.corpus import corpus
from tests.samples import samples

REPO = Path(__file__).resolve().parents[1]


@cache
def files() -> dict[str, bytes]:
    found = {f"examples/{p.parent.name}": p.read_bytes() for p in sorted(REPO.glob("examples/*/icecast.xml"))}
    found.update({f"debian/{name}": data for name, data in samples().items()})
    found.update({f"corpus/{name}": data for name, data in corpus().items()})
    return found


def loadable() -> list[str]:
    names = []
    for name, data in files().items():
        try:
            icecfg.loads(data, name)
        except icecfg.ParseError:
            continue
        names.append(name)
    return names


def migrate_file(name: str, **options: object) -> tuple[bytes, bytes, icecfg.Migration]:
    data = files()[name]
    cfg = icecfg.loads(data, name)
    migration = icecfg.upgrade(cfg, files=False, **options)  # type: ignore[arg-type]
    return data, icecfg.dumps(cfg), migration


def changed_lines(before: bytes, after: bytes) -> tuple[list[int], int]:
    """Original line numbers replaced or deleted, and the number of lines added."""
    old, new = before.splitlines(keepends=True), after.splitlines(keepends=True)
    removed, added = [], 0
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag != "equal":
            removed += range(i1 + 1, i2 + 1)
            added += j2 - j1
    return removed, added


@pytest.mark.parametrize("name", loadable())
@pytest.mark.parametrize("intent", [False, True], ids=["keep", "intent"])
def test_migration_touches_only_named_elements_and_lints_clean_for_2_5(name: str, intent: bool) -> None:
    before, after, migration = migrate_file(name, intent=intent)
    removed, _added = changed_lines(before, after)
    spans = [(c.line, max(c.line, c.end_line)) for c in migration.changes if c.edit]
    stray = [line for line in removed if not any(lo <= line <= hi for lo, hi in spans)]
    assert not stray, f"lines {stray} changed without a change naming them"
    migrated = icecfg.loads(after, name)
    errors_before = collections.Counter(
        f.code for f in icecfg.check(icecfg.loads(before, name), "2.4", files=False) if f.severity is Severity.ERROR
    )
    findings = icecfg.check(migrated, "2.5", files=False)
    errors_after = collections.Counter(f.code for f in findings if f.severity is Severity.ERROR)
    new_errors = [f.message for f in findings if f.code in errors_after - errors_before]
    if intent:  # what the author meant may be wrong on 2.5 too; the migration says where it changes behaviour
        assert not new_errors or migration.behaviour_changes
    else:
        assert not new_errors
    assert not [f.message for f in findings if f.code in ("ICE304", "ICE306")]  # old syntax, obsolete elements
    again = icecfg.upgrade(migrated, from_="2.5", files=False)
    assert [c for c in again.changes if c.edit] == []
    assert icecfg.dumps(migrated) == after


def test_lines_changed_per_file(capsys: pytest.CaptureFixture[str]) -> None:
    rows = []
    for name in loadable():
        before, after, migration = migrate_file(name)
        removed, added = changed_lines(before, after)
        rows.append(
            (name, len(before.splitlines()), len(removed), added, len(migration.changes), len(migration.losses))
        )
    with capsys.disabled():
        print(f"\n{'file':34} {'lines':>6} {'-lines':>6} {'+lines':>6} {'changes':>7} {'lost':>4}")
        for row in rows:
            print(f"{row[0]:34} {row[1]:6} {row[2]:6} {row[3]:6} {row[4]:7} {row[5]:4}")
        total = [sum(r[i] for r in rows) for i in range(1, 6)]
        print(
            f"{'total (' + str(len(rows)) + ' files)':34} {total[0]:6} {total[1]:6} {total[2]:6} {total[3]:7} {total[4]:4}"
        )
    assert len(rows) >= 60
    # a line is removed only where a change is; unchanged files stay byte-identical
    assert all(r[2] == 0 and r[3] == 0 for r in rows if r[4] == 0)
