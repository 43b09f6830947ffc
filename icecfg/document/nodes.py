"""Element: an element that keeps its text as written, its children and its place in the tree.

Element holds the tree: its fields, reading children, walking and inserting.
The other jobs live in modules of their own: ``leaves`` (text-only nodes),
``attributes``, ``content`` and ``lookups`` (attributes and the start tag,
character data, children by name: mixins, so an element has no extra field),
``layout`` and ``editing`` (whitespace as written, edits that keep it) and
``deferred`` (the late links to reader and renderer).  ``Attr`` and the
leaves are importable from here too.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Union

from icecfg.document import lookups as _lookups
from icecfg.document.attributes import Attr, AttributeMixin
from icecfg.document.content import ContentMixin
from icecfg.document.deferred import _read_content, _read_subtree, _render
from icecfg.document.editing import insert_formatted as _insert_formatted
from icecfg.document.editing import remove_with_line
from icecfg.document.escaping import escape_attribute, escape_text
from icecfg.document.leaves import CData, Comment, Doctype, Leaf, ProcessingInstruction, Whitespace
from icecfg.document.lookups import LookupMixin
from icecfg.document.origin import _Origin

__all__ = [
    "Attr",
    "CData",
    "Comment",
    "Doctype",
    "Element",
    "Leaf",
    "Node",
    "ProcessingInstruction",
    "Whitespace",
]

#: A child of an element: an element, a comment/PI/CDATA node, or character
#: data kept as the plain ``str`` it was written as (references unexpanded).
Node = Union["Element", Leaf, str]


class Element(AttributeMixin, ContentMixin, LookupMixin):
    """An element with its start tag, children and end tag as written.

    A parsed element keeps a reference to the text it came from and its span
    in it; as long as nothing below it changes it renders by slicing that text.
    Any edit marks the element and its ancestors as changed, after which they
    render from their parts, and untouched children still render from slices.
    """

    __slots__ = (
        "__weakref__",
        "_clean",
        "_end",
        "_end_raw",
        "_kids",
        "local_name",
        "name",
        "origin",
        "parent",
        "start",
    )

    def __init__(
        self,
        name: str,
        attrs: dict[str, str] | None = None,
        children: list[Node] | None = None,
    ) -> None:
        self.name = name
        #: The name without a namespace prefix: Icecast compares only this.
        self.local_name = _local(name)
        self.parent: Element | None = None
        #: The children; None while they are unread.  A leaf ``<name>value</name>`` as read
        #: holds its value as written here instead of the list ``[value]``: most elements
        #: of a config are leaves, and most are only asked for their ``text``, so each
        #: saves a list; ``children`` builds the list when it is asked for.
        self._kids: list[Node] | str | None = []
        self.origin: _Origin | None = None
        self.start = -1
        #: See ``end``: None for a leaf as read.
        self._end: int | None = -1
        self._clean = False
        self._attrs: list[Attr] | None = []
        for key, value in (attrs or {}).items():
            self._attrs.append(Attr(" ", key, "=", '"', escape_attribute(value, '"')))
        self._start_raw = ""
        self._tag_changed = True  # a created element's tag is built from its parts
        self._end_raw: str | None = None  # None: written as an empty-element tag <x/>
        for child in children or []:
            self.append(child)

    # -- reading ---------------------------------------------------------------
    @property
    def children(self) -> list[Node]:
        """The element's content in document order, read from the text on first use."""

        kids = self._kids
        if isinstance(kids, list):
            return kids
        if isinstance(kids, str):  # a leaf as read (see _kids)
            content: list[Node] = [kids] if kids else []
            self._kids = content
            return content
        return _read_content(self)

    @children.setter
    def children(self, nodes: list[Node]) -> None:
        self._kids = nodes

    def __repr__(self) -> str:
        return f"<Element {self.name} at line {self.line}>"

    @property
    def end(self) -> int:
        """Offset just past the element's end tag in the text it was read from; -1 if created."""
        end = self._end
        if end is not None:
            return end
        # A leaf <name>value</name> as read keeps no end offset (an int object for most
        # elements of a file): its value holds no "<", so the first one after its "<" is
        # its end tag's, written as exactly "</name>".
        assert self.origin is not None, "only the reader makes leaves without an end"
        text = self.origin.text
        return text.index(">", text.index("<", self.start + 1)) + 1

    @property
    def self_closing(self) -> bool:
        return self._end_raw is None

    @property
    def line(self) -> int:
        return self.position()[0]

    @property
    def column(self) -> int:
        return self.position()[1]

    def position(self, offset: int | None = None) -> tuple[int, int]:
        """(line, column) of this element's ``<``, or of ``offset``; (0, 0) if created."""
        offset = self.start if offset is None else offset
        if self.origin is None or self.origin.detached or offset < 0:
            return (0, 0)
        return self.origin.position(offset)

    @property
    def path(self) -> str | None:
        """The file the element was read from, when known."""
        return self.origin.path if self.origin is not None else None

    @property
    def unedited_text(self) -> str | None:
        """The text of the file this element was read from, while nothing in it was edited since; else None.

        Its span of that text is then exactly what the element renders, so a
        search of the text answers "is X written anywhere below?" (a rare
        setting, a suppression directive) without visiting any element.  An
        edit anywhere below marks the element changed (``_touch``).
        """
        origin = self.origin
        if origin is None or origin.detached or not self._clean or self.start < 0:
            return None
        return origin.text

    def read_all(self) -> None:
        """Read everything below this element now instead of level by level on first use.

        Content is read lazily, so that loading a file and changing one value
        touches only what lies on the way; a caller about to visit every
        element (a linter) saves time by reading it all in one pass.
        """

        _read_subtree(self)

    def iter(self) -> Iterator[Element]:
        """This element and all elements below it, in document order.

        An unread element is read whole (all its levels in one pass) when the
        walk reaches it, so a tree that is already read is walked only once.
        """

        stack: list[Element] = [self]
        pop = stack.pop
        push = stack.extend
        while stack:
            element = pop()
            yield element
            kids = element._kids
            if kids is None:
                _read_subtree(element)
                kids = element.children
            elif isinstance(kids, str):
                continue  # a leaf as read (see _kids)
            push(reversed([c for c in kids if c.__class__ is Element]))

    @property
    def end_tag(self) -> str:
        if self._end_raw is None:
            return ""
        return self._end_raw or f"</{self.name}>"

    def render(self) -> str:
        """The element's text, including everything inside it."""

        out: list[str] = []
        _render(self, out)
        return "".join(out)

    # -- editing ---------------------------------------------------------------
    def _touch(self) -> None:
        node: Element | None = self
        while node is not None and node._clean:
            node._clean = False
            node = node.parent

    def _open(self) -> None:
        """Turn ``<x/>`` into ``<x></x>`` so that it can hold content."""
        if self._end_raw is None:
            self.attributes  # noqa: B018 - read them before the tag is rebuilt
            self._end_raw = _CANONICAL
            self._tag_changed = True

    def rename(self, name: str) -> None:
        """Give the element another name; attributes, content and spacing stay as written."""
        self.attributes  # noqa: B018 - read them from the old tag before it is rebuilt
        self.children  # noqa: B018 - read the content while the old tags still delimit it
        old = self.name
        self.name = name
        self.local_name = _local(name)
        self._tag_changed = True
        if self._end_raw:  # "</old  >" keeps its spacing
            self._end_raw = "</" + name + self._end_raw[2 + len(old) :]
        self._touch()

    def set_text(self, value: str) -> None:
        """Replace the content with ``value`` (escaped); ``<x/>`` becomes ``<x>v</x>``."""
        for child in self.children:
            if isinstance(child, Element):
                child.parent = None
        self.children = [escape_text(value)] if value else []
        self._open()
        self._touch()

    def append(self, node: Node) -> None:
        """Append ``node`` as the last child without adding any whitespace."""
        self.insert(len(self.children), node)

    def insert(self, index: int, node: Node) -> None:
        """Insert ``node`` at ``index`` of the children, without whitespace."""
        if isinstance(node, Element):
            if node.parent is not None:
                raise ValueError(f"<{node.name}> already belongs to <{node.parent.name}>")
            node.parent = self
        self.children.insert(index, node)
        self._open()
        self._touch()

    def remove(self, child: Element) -> None:
        """Remove ``child`` together with its own line (indentation and line end)."""
        remove_with_line(self, child)

    def insert_formatted(self, child: Element, after: Element | None = None, before: Element | None = None) -> None:
        """Insert ``child`` on a line of its own, formatted like its siblings.

        With ``after``, the new line goes right after the line on which
        ``after`` ends (so a trailing comment stays with ``after``); with
        ``before``, on a new line just above ``before``; otherwise the new
        element becomes the last child.  Indentation and line ending are
        copied from the neighbourhood; nested content of ``child`` is indented
        below it with the document's indentation step.
        """

        _insert_formatted(self, child, after, before)


_lookups.bind_element(Element)  # the lookups test a node's class against it


def _local(name: str) -> str:
    return name.rpartition(":")[2]


#: ``_start_raw``/``_end_raw`` value meaning the plain ``<name>``/``</name>``:
#: most elements are written so, and not storing the strings saves memory.
_CANONICAL = ""
