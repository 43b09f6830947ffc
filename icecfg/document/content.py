"""An element's character data: its value as Icecast reads it, and where that value starts.

``ContentMixin`` gives Element these properties: a mixin rather than a helper
object, so that an element carries no extra field and reading a value (done
for every element a linter looks at) costs no extra call.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from icecfg.document.escaping import decode_text
from icecfg.document.leaves import CData, Leaf

if TYPE_CHECKING:
    from icecfg.document.nodes import Node
    from icecfg.document.origin import _Origin

#: ``_kids`` of a parsed ``<name>value</name>`` or ``<name/>`` whose content is
#: not read yet.  The reader matched the whole leaf, so the content is
#: character data with no markup: ``text`` slices it from the source, and the
#: ``[value]`` list (with its own copy of the value) is built only if
#: ``children`` is asked for.  Most elements of a config are such leaves, so
#: this saves a list and a string on each.  An empty tuple, so that a walk over
#: child elements finds none.
_TEXT_ONLY: tuple[()] = ()


class ContentMixin:
    """Element's text; the fields it reads are Element's slots."""

    __slots__ = ()

    if TYPE_CHECKING:
        name: str
        start: int
        origin: _Origin | None
        _clean: bool
        _end_raw: str | None
        _kids: list[Node] | tuple[()] | None

        @property
        def children(self) -> list[Node]: ...

        @property
        def start_tag(self) -> str: ...

    @property
    def text(self) -> str | None:
        """The value as libxml2 gives it to Icecast.

        Text and CDATA are joined with references expanded and comments
        skipped; nothing is trimmed; an element with no text at all (``<x/>``,
        ``<x></x>`` or only a comment) gives None, not ``""``.
        """

        children = self._kids
        if children is _TEXT_ONLY:
            value = self._leaf_content()
            return (decode_text(value) if "&" in value or "\r" in value else value) or None
        if children is None:
            children = self.children  # read on first use; the reader wants an Element
        if len(children) == 1:
            only = children[0]
            if only.__class__ is str:
                # the common <x>value</x>: no references, no carriage returns to normalise
                return (decode_text(only) if "&" in only or "\r" in only else only) or None
        parts = [decode_text(c) if isinstance(c, str) else c.value for c in children if isinstance(c, (str, CData))]
        joined = "".join(parts)
        return joined or None

    def _leaf_content(self) -> str:
        """The content as written of a leaf whose ``_kids`` is ``_TEXT_ONLY``: between ``<name>`` and ``</name>``."""
        assert self.origin is not None, "only the reader makes text-only leaves"
        if self._end_raw is None:
            return ""  # <name/>
        text = self.origin.text
        lo = self.start + len(self.name) + 2
        return text[lo : text.index("<", lo)]

    @property
    def text_start(self) -> int:
        """Offset of the first character data, or of the end of the start tag."""
        if self.start < 0 or not self._clean:
            return -1
        offset = self.start + len(self.start_tag)
        if self._kids is _TEXT_ONLY:
            return offset  # content or not, it starts right after the start tag
        for child in self.children:
            if isinstance(child, (str, CData)):
                return offset
            offset += len(child.raw if isinstance(child, Leaf) else child.render())
        return offset
