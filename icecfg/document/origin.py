"""Where parsed text came from: the shared source text and line/column lookup."""

from __future__ import annotations

import re
from array import array
from bisect import bisect_right
from itertools import accumulate, count
from operator import add
from sys import maxsize
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from icecfg.document.nodes import Element


class _Origin:
    """The decoded text a parse came from, shared by all nodes of that parse."""

    __slots__ = ("_counted", "_line", "_line_starts", "child_index", "detached", "newline", "path", "text")

    def __init__(self, text: str, path: str | None) -> None:
        self.text = text
        self.path = path
        #: True for a copied fragment: its offsets are not positions in any file.
        self.detached = False
        self._line_starts: array[int] | None = None
        #: Characters read by counting line breaks so far: -1 before the first lookup, None when
        #: the text holds a CR (CR and CRLF line ends take the table).
        self._counted: int | None = -1
        #: The line of the last lookup in the table: (its first offset, the next line's, its number).
        self._line = (0, 0, 0)
        #: id of an element with many children -> (that element, its child elements by name);
        #: see ``Element._children_by_name``.
        self.child_index: dict[int, tuple[Element, dict[str, list[Element]]]] = {}
        #: The line ending the text uses most (None until an edit asks: ``layout._document_newline``).
        self.newline: str | None = None

    def position(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of a character offset; CR, LF and CRLF all end lines."""
        starts = self._line_starts
        if starts is None:
            counted = self._counted
            if counted == -1:  # looked for once: many lookups of offset 0 must not each read the text
                counted = self._counted = None if "\r" in self.text else 0
            if counted is not None and counted + offset <= len(self.text):
                # the usual LF-only file, asked for a few positions (a lint with few findings):
                # counting in C beats building the table until the counts have read as many
                # characters as the file holds (a quarter of the table's cost); a fixed number
                # of counts read a big file that many times (16 at 100,000 mounts: 0.1 s)
                self._counted = counted + offset
                text = self.text
                return text.count("\n", 0, offset) + 1, offset - text.rfind("\n", 0, offset)
            starts = self._line_starts = _line_starts(self.text)
        start, end, line = self._line
        if not start <= offset < end:
            # a finding asks for its start and end, mostly on one line: two lookups of three
            # are on the line of the one before, and skip the search
            line = bisect_right(starts, offset)
            start = starts[line - 1]
            end = starts[line] if line < len(starts) else maxsize
            self._line = (start, end, line)
        return line, offset - start + 1


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
