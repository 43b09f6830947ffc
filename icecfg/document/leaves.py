"""Text-only nodes: character data around the root, comments, CDATA, processing instructions, DOCTYPE.

Each keeps the exact text it was written as, so that it renders back byte for
byte; the few that have a value a parser would report decode it on demand.
"""

from __future__ import annotations

from icecfg.document.escaping import _normalise_newlines


class Leaf:
    """A node that is only text: character data, comment, PI, CDATA or DOCTYPE."""

    __slots__ = ("raw", "start")

    def __init__(self, raw: str, start: int = -1) -> None:
        self.raw = raw
        #: Offset in the original text, -1 for nodes icecfg created.
        self.start = start

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.raw!r})"


class Whitespace(Leaf):
    """Blank text before or after the root element."""

    __slots__ = ()


class Comment(Leaf):
    __slots__ = ()

    @property
    def content(self) -> str:
        """The text between ``<!--`` and ``-->``, line ends as an XML parser reports them."""
        return _normalise_newlines(self.raw[4:-3])


class CData(Leaf):
    __slots__ = ()

    @property
    def value(self) -> str:
        return _normalise_newlines(self.raw[9:-3])


class ProcessingInstruction(Leaf):
    __slots__ = ()


class Doctype(Leaf):
    __slots__ = ()
