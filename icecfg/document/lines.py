"""A text's lines as icecfg numbers them, cut out one at a time."""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from typing import overload

from icecfg.document.origin import _line_starts


class Lines(Sequence[str]):
    """The lines of ``text``, without their line ends, ended as XML ends them: by LF, CRLF or CR only.

    The line numbers a finding carries count those; ``str.splitlines`` also
    ends a line at U+2028, U+0085 and the like, so a comment holding one
    made a report show the wrong line under every later finding.  And it
    cuts a line out when asked, from a table of where each one starts: a
    report shows the lines of its findings, not the million of a large file
    (about 70 MB as strings at 100,000 mounts).
    """

    __slots__ = ("_starts", "_text")

    def __init__(self, text: str) -> None:
        self._text = text
        #: Where each line starts, worked out on the first question: a report in JSON, or of a
        #: file without findings, asks none.
        self._starts: array[int] | None = None

    def _table(self) -> array[int]:
        starts = self._starts
        if starts is None:
            starts = self._starts = _line_starts(self._text)
        return starts

    def __len__(self) -> int:
        if not self._text:
            return 0
        starts = self._table()
        # a final line end ends the last line; it starts no empty one after it
        return len(starts) - 1 if starts[-1] == len(self._text) else len(starts)

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[str]: ...

    def __getitem__(self, index: int | slice) -> str | Sequence[str]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        size = len(self)
        if index < 0:
            index += size
        if not 0 <= index < size:
            raise IndexError("line index out of range")
        starts = self._table()
        start = starts[index]
        end = starts[index + 1] if index + 1 < len(starts) else len(self._text)
        return self._text[start:end].rstrip("\r\n")
