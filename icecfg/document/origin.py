"""Where parsed text came from: the shared source text and line/column lookup."""

from __future__ import annotations

import bisect
import re
from array import array
from itertools import accumulate, count
from operator import add
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from icecfg.document.nodes import Element


class _Origin:
    """The decoded text a parse came from, shared by all nodes of that parse."""

    __slots__ = ("_line_starts", "_lookups", "child_index", "detached", "path", "text")

    def __init__(self, text: str, path: str | None) -> None:
        self.text = text
        self.path = path
        #: True for a copied fragment: its offsets are not positions in any file.
        self.detached = False
        self._line_starts: array[int] | None = None
        self._lookups = 0
        #: id of an element with many children -> (that element, its child elements by name);
        #: see ``Element._children_by_name``.
        self.child_index: dict[int, tuple[Element, dict[str, list[Element]]]] = {}

    def position(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of a character offset; CR, LF and CRLF all end lines."""
        text = self.text
        self._lookups += 1
        if self._line_starts is None and self._lookups <= _COUNTED_LOOKUPS and "\r" not in text:
            # the usual LF-only file: counting in C beats building a table for a few lookups,
            # but each count reads the file up to the offset, so many lookups use the table
            return text.count("\n", 0, offset) + 1, offset - text.rfind("\n", 0, offset)
        if self._line_starts is None:
            self._line_starts = _line_starts(text)
        index = bisect.bisect_right(self._line_starts, offset) - 1
        return index + 1, offset - self._line_starts[index] + 1


def _line_starts(text: str) -> array[int]:
    """Offset of the first character of each line.

    An array, not a list of ints: a 100,000-mount file has a million lines.
    The usual LF-only text is split 64 kB at a time and the line lengths
    summed in C (a third of the time of a search for every line break, and
    never a list of every line); CR and CRLF line ends take the search.
    """
    starts = array("q", [0])
    if "\r" in text:
        starts.extend(m.end() for m in _LINE_BREAK.finditer(text))
        return starts
    for base in range(0, len(text), _CHUNK):
        lines = text[base : base + _CHUNK].split("\n")
        # the i-th line break of the chunk ends the lines before it: their lengths, plus i breaks
        starts.extend(map(add, accumulate(map(len, lines[:-1])), count(base + 1)))
    return starts


_LINE_BREAK = re.compile(r"\r\n?|\n")
#: Characters of an LF-only text split into lines at a time (as fast as bigger pieces, and little memory).
_CHUNK = 1 << 16
#: Positions looked up by counting line breaks before the line table is built.
_COUNTED_LOOKUPS = 16
