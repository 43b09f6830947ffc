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


class ContentMixin:
    """Element's text; the fields it reads are Element's slots."""

    __slots__ = ()

    if TYPE_CHECKING:
        start: int
        _clean: bool
        _kids: list[Node] | str | None

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
        if isinstance(children, str):
            # a leaf as read, whose value as written stands in for the list of its children
            return (decode_text(children) if "&" in children or "\r" in children else children) or None
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

    @property
    def leads_with_text(self) -> bool:
        """Whether the element's first child is character data that is not all blank.

        CDATA, a comment or a processing instruction first, or only spaces, tabs
        and line ends before one, is not: KH reads a value only from an element
        whose first child passes ``xmlNodeIsText`` and not ``xmlIsBlankNode``.
        """
        children = self._kids
        if isinstance(children, str):
            raw = children
        else:
            if children is None:
                children = self.children
            run = []
            for child in children:  # adjacent text is one node to libxml2
                if not isinstance(child, str):
                    break
                run.append(child)
            raw = "".join(run)
        text = decode_text(raw) if "&" in raw or "\r" in raw else raw
        return bool(text.strip(" \t\n\r"))

    @property
    def text_start(self) -> int:
        """Offset of the first character data, or of the end of the start tag."""
        if self.start < 0 or not self._clean:
            return -1
        offset = self.start + len(self.start_tag)
        if isinstance(self._kids, str):
            return offset  # a leaf as read: content or not, it starts right after the start tag
        for child in self.children:
            if isinstance(child, (str, CData)):
                return offset
            offset += len(child.raw if isinstance(child, Leaf) else child.render())
        return offset
