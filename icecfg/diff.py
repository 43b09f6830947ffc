"""A unified diff of two versions of a file that ``patch -p1`` applies, with no secret in it.

Both commands that print a file's changes use it (``lint --diff``,
``migrate``), so both hide a secret the same way.  Lines are compared as
bytes, so any encoding and line ending survive, and a last line without a
line break gets the ``\\ No newline at end of file`` marker ``patch`` needs.
A secret is looked for as the file spells it (:func:`icecfg.secrets.spellings`:
references as written, each line of one written over several), encoded as
the file is.  Context lines are never a line holding a secret: a hunk's
context stops short of one (the same number of lines on both sides, so
``patch`` does not take the hunk as anchored to the file's start or end).
A changed line that holds a secret is shown masked; such a diff cannot be
applied, which :func:`unified` reports.

The headers name each file as :func:`patch_names` says: relative, without
``..``, which GNU patch refuses.  Standard input has no name: its diff has
no headers, and applies to the file
that was piped in (``patch FILE < DIFF``); a header ``a/-`` named a file
``-``, which ``patch -p1`` asked for.
"""

from __future__ import annotations

import difflib
import os
from bisect import bisect_left
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise

from icecfg.secrets import MASK, Spellings, hide, spellings

CONTEXT = 3
_NO_EOL = b"\\ No newline at end of file\n"


@dataclass
class Diff:
    text: bytes
    #: A changed line held a secret and is shown masked: the diff does not apply.
    masked: bool


#: How a diff of standard input applies: to the file piped in, named to ``patch`` (a line for stderr).
STDIN_ADVICE = "the diff of standard input names no file: apply it to the file that was piped in (patch FILE < DIFF)"


class StdinAmongFiles(ValueError):
    """Standard input and other files in one diff: its hunks, without headers, would apply to another file."""


@dataclass(frozen=True)
class PatchNames:
    """Where ``patch -p1`` applies a diff of some files, and the name each has in its headers."""

    #: None: the current directory; else the directory (absolute) the names are relative to.
    directory: str | None
    #: The path as given -> its name in the headers; None for ``-`` (standard input): no headers.
    names: dict[str, str | None]

    def advice(self, files: str = "files") -> str | None:
        """How to apply the diff, when not with ``patch -p1`` in the current directory (a line for stderr)."""
        if "-" in self.names:
            return STDIN_ADVICE
        if self.directory is None:
            return None
        import shlex

        return (
            f"the diff names the {files} relative to {self.directory}, not the current directory: "
            f"apply it there (patch -p1 -d {shlex.quote(self.directory)})"
        )


def patch_names(paths: Iterable[str], cwd: str | None = None) -> PatchNames:
    """The name of each of ``paths`` in a diff that ``patch -p1`` applies, and where it applies it.

    GNU patch refuses a name that is absolute or holds ``..`` (``a/../x.xml``),
    so each path is normalised and made relative: to the current directory
    when every file is below it, else to the deepest directory that holds
    them all (which the caller names: ``patch -p1 -d DIR``).  Standard input
    (``-``) gets no name, and so no headers: it is diffed alone, or its hunks
    would read as more of the file before them (:class:`StdinAmongFiles`).
    """
    paths = list(paths)
    if "-" in paths and len(paths) > 1:
        raise StdinAmongFiles(
            "standard input (-) has no file name for the diff to give, so it cannot share one with other files: "
            "diff it on its own"
        )
    here = os.path.abspath(cwd or os.getcwd())
    files = {path: os.path.normpath(os.path.join(here, path)) for path in paths if path != "-"}
    base = here
    if any(os.path.commonpath([here, file]) != here for file in files.values()):
        base = os.path.commonpath([os.path.dirname(file) for file in files.values()])
    names: dict[str, str | None] = {path: os.path.relpath(file, base) for path, file in files.items()}
    names.update({"-": None} if "-" in paths else {})
    return PatchNames(None if base == here else base, names)


def unified(
    name: str | None, before: bytes, after: bytes, secrets: Iterable[str] = (), encoding: str = "utf-8"
) -> Diff:
    """The diff from ``before`` to ``after`` of the file ``name``, both in ``encoding``; empty when equal.

    ``name`` None (standard input) leaves the headers out (:func:`patch_names`).

    ``secrets`` are those of both versions (:func:`icecfg.secrets.secrets`).
    A character the encoding lacks is written as a character reference, as
    :meth:`icecfg.document.Document.dumps` writes it.
    """
    old, new = before.splitlines(keepends=True), after.splitlines(keepends=True)
    pieces = spellings(secrets).encoded(encoding)

    def secret(line: bytes) -> bool:
        return bool(pieces.spans(line))

    blocks = changes(old, new)
    if not blocks:
        return Diff(b"", False)
    hunks = _group(blocks, old, secret)
    out = [] if name is None else [f"--- a/{name}\n".encode(), f"+++ b/{name}\n".encode()]
    masked = False
    for i1, i2, j1, j2, inner in hunks:
        out.append(f"@@ -{_range(i1, i2)} +{_range(j1, j2)} @@\n".encode())
        for tag, a1, a2, b1, b2 in inner:
            if tag == "equal":
                for k in range(a1, a2):
                    out += _line(b" ", old[k], k == len(old) - 1)
                continue
            for k in range(a1, a2):
                masked |= secret(old[k])
                out += _line(b"-", _mask(old[k], pieces), k == len(old) - 1)
            for k in range(b1, b2):
                masked |= secret(new[k])
                out += _line(b"+", _mask(new[k], pieces), k == len(new) - 1)
    return Diff(b"".join(out), masked)


Op = tuple[str, int, int, int, int]

#: A stretch between two anchors with at most this many lines on a side is matched line by line.
_SMALL = 400


def changes(old: Sequence[bytes], new: Sequence[bytes]) -> list[Op]:
    """The blocks that differ between ``old`` and ``new`` (difflib's opcodes, ``equal`` left out), in order.

    ``difflib.SequenceMatcher`` (without its junk heuristic, which would let
    a change go unmatched) compares each line that recurs, ``</mount>`` say,
    with every other: a migration that changes each of 500 mounts took 13 s
    to show.  icecfg changes a few lines and keeps the rest byte for byte,
    so the lines that stand once in each version, in the same order, pair up
    (the anchors of a patience diff); only the stretches between two anchors
    are matched line by line, and a stretch is first cut at its own unique
    lines in the same way.  A long stretch with none (a file of identical
    blocks) falls back to the junk heuristic, which keeps it linear.
    """
    found: list[Op] = []
    pending = [(0, len(old), 0, len(new))]
    while pending:
        a1, a2, b1, b2 = pending.pop()
        while a1 < a2 and b1 < b2 and old[a1] == new[b1]:  # the common start and end need no matching
            a1, b1 = a1 + 1, b1 + 1
        while a1 < a2 and b1 < b2 and old[a2 - 1] == new[b2 - 1]:
            a2, b2 = a2 - 1, b2 - 1
        if a1 == a2 and b1 == b2:
            continue
        anchors = _anchors(old, a1, a2, new, b1, b2)
        if not anchors:
            small = a2 - a1 <= _SMALL and b2 - b1 <= _SMALL
            matcher = difflib.SequenceMatcher(None, old[a1:a2], new[b1:b2], autojunk=not small)
            found += [(tag, a1 + i1, a1 + i2, b1 + j1, b1 + j2) for tag, i1, i2, j1, j2 in matcher.get_opcodes()]
            continue
        # the stretches between the anchors (and before the first, after the last), each cut again
        edges = [(a1 - 1, b1 - 1), *anchors, (a2, b2)]
        pending += [(i + 1, k, j + 1, m) for (i, j), (k, m) in pairwise(edges) if i + 1 < k or j + 1 < m]
    return sorted((op for op in found if op[0] != "equal"), key=lambda op: (op[1], op[3]))


def _anchors(old: Sequence[bytes], a1: int, a2: int, new: Sequence[bytes], b1: int, b2: int) -> list[tuple[int, int]]:
    """Pairs of positions of lines that stand once in each stretch, the longest run in the same order."""
    seen_old: dict[bytes, int] = {}
    for i in range(a1, a2):
        seen_old[old[i]] = -1 if old[i] in seen_old else i
    seen_new: dict[bytes, int] = {}
    for j in range(b1, b2):
        line = new[j]
        if seen_old.get(line, -1) >= 0:
            seen_new[line] = -1 if line in seen_new else j
    pairs = [(seen_old[line], j) for line, j in seen_new.items() if j >= 0]
    pairs.sort()
    # the longest increasing run of new positions (patience sorting: piles' tops, and a link back)
    tops: list[int] = []
    top_pair: list[int] = []
    back: list[int] = []
    for index, (_i, j) in enumerate(pairs):
        pile = bisect_left(tops, j)
        if pile == len(tops):
            tops.append(j)
            top_pair.append(index)
        else:
            tops[pile] = j
            top_pair[pile] = index
        back.append(top_pair[pile - 1] if pile else -1)
    run: list[tuple[int, int]] = []
    index = top_pair[-1] if top_pair else -1
    while index >= 0:
        run.append(pairs[index])
        index = back[index]
    run.reverse()
    return run


def _group(
    blocks: Sequence[Op], old: list[bytes], secret: Callable[[bytes], bool]
) -> list[tuple[int, int, int, int, list[Op]]]:
    """Hunks: change blocks with up to CONTEXT clean lines around them, merged where they touch."""

    def clean_run(start: int, stop: int, step: int) -> int:
        """How many lines from ``start`` towards ``stop`` (exclusive) hold no secret, at most CONTEXT."""
        count, k = 0, start
        while k != stop and count < CONTEXT and not secret(old[k]):
            count, k = count + 1, k + step
        return count

    hunks: list[tuple[int, int, int, int, list[Op]]] = []
    index = 0
    while index < len(blocks):
        group = [blocks[index]]
        while index + 1 < len(blocks):
            gap_start, gap_stop = group[-1][2], blocks[index + 1][1]
            gap = range(gap_start, gap_stop)
            if len(gap) <= 2 * CONTEXT and not any(secret(old[k]) for k in gap):
                group.append(blocks[index + 1])
                index += 1
            else:
                break
        index += 1
        first, last = group[0], group[-1]
        lead = clean_run(first[1] - 1, -1, -1)
        trail = clean_run(last[2], len(old), 1)
        # a side cut short by a secret (not by the file's edge) shortens the other side to match
        if lead < CONTEXT and first[1] - lead > 0:
            trail = min(trail, lead)
        if trail < CONTEXT and last[2] + trail < len(old):
            lead = min(lead, trail)
        inner: list[Op] = []
        if lead:
            inner.append(("equal", first[1] - lead, first[1], first[3] - lead, first[3]))
        for k, op in enumerate(group):
            inner.append(op)
            if k + 1 < len(group):
                following = group[k + 1]
                inner.append(("equal", op[2], following[1], op[4], following[3]))
        if trail:
            inner.append(("equal", last[2], last[2] + trail, last[4], last[4] + trail))
        hunks.append((first[1] - lead, last[2] + trail, first[3] - lead, last[4] + trail, inner))
    return hunks


def _range(start: int, stop: int) -> str:
    length = stop - start
    if length == 1:
        return str(start + 1)
    return f"{start + 1 if length else start},{length}"


def _line(sign: bytes, line: bytes, last: bool) -> list[bytes]:
    if line.endswith((b"\n", b"\r")):
        return [sign + line]
    return [sign + line + b"\n", _NO_EOL] if last else [sign + line + b"\n"]


def _mask(line: bytes, pieces: Spellings[bytes]) -> bytes:
    return hide(line, pieces.spans(line), MASK.encode())
