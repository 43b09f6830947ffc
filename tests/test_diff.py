"""The diffs lint --diff and migrate print: the changes they list turn the old file into the new one.

``icecfg.diff.changes`` pairs the lines that stand once in each version
before it matches the rest line by line (see its docstring); these tests
hold it to what a diff must be, whatever lines recur: the blocks it lists,
applied in order, make the new version, and ``patch`` applies the printed
diff to give exactly the new bytes.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from icecfg.diff import changes, unified

#: Lines that recur (closing tags, values) and lines that stand once (names).
LINES = st.one_of(
    st.sampled_from([b"    </mount>\n", b"    <mount>\n", b"        <public>1</public>\n", b"\n"]),
    st.integers(0, 40).map(lambda i: b"        <mount-name>/m%d.ogg</mount-name>\n" % i),
)


@st.composite
def versions(draw: st.DrawFn) -> tuple[list[bytes], list[bytes]]:
    """A file and an edited copy: lines replaced, inserted and deleted here and there."""
    old = draw(st.lists(LINES, max_size=60))
    new = list(old)
    for _ in range(draw(st.integers(0, 8))):
        where = draw(st.integers(0, len(new)))
        edit = draw(st.sampled_from(["replace", "insert", "delete"]))
        if edit == "insert" or not new:
            new.insert(where, draw(LINES))
        elif edit == "replace":
            new[min(where, len(new) - 1)] = draw(LINES)
        else:
            del new[min(where, len(new) - 1)]
    return old, new


def _applied(old: list[bytes], new: list[bytes]) -> list[bytes]:
    out: list[bytes] = []
    last = 0
    for _tag, i1, i2, j1, j2 in changes(old, new):
        assert last <= i1 <= i2, "blocks in order, none overlapping"
        out += old[last:i1] + new[j1:j2]
        last = i2
    return out + old[last:]


@settings(max_examples=400, deadline=None)
@given(versions())
def test_the_blocks_listed_make_the_new_version(pair: tuple[list[bytes], list[bytes]]) -> None:
    old, new = pair
    assert _applied(old, new) == new


@settings(max_examples=40, deadline=None)
@given(pair=versions())
def test_patch_applies_the_printed_diff_exactly(
    pair: tuple[list[bytes], list[bytes]], tmp_path_factory: pytest.TempPathFactory
) -> None:
    old, new = pair
    before, after = b"".join(old), b"".join(new)
    where = Path(tmp_path_factory.mktemp("patch"))
    (where / "icecast.xml").write_bytes(before)
    diff = unified("icecast.xml", before, after)
    applied = subprocess.run(["patch", "-p1", "-s"], input=diff.text, cwd=where, capture_output=True, check=False)
    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert (where / "icecast.xml").read_bytes() == after


def test_a_file_of_identical_blocks_is_matched_too() -> None:
    """No line stands once: the stretch is matched by difflib's heuristic, and still correctly."""
    old = [b"<mount>\n", b"<public>1</public>\n", b"</mount>\n"] * 2000
    new = list(old)
    new[3001] = b"<public>0</public>\n"
    assert _applied(old, new) == new
