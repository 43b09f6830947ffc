"""The tree's nodes: text leaves, attributes and elements that keep their text as written."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator
from sys import intern
from typing import Union

from icecfg.document.escaping import _normalise_newlines, decode_attribute, decode_text, escape_attribute, escape_text
from icecfg.document.layout import _document_newline, _indent_unit, _index_of, _origin_text, _rsplit_line, _starts_line
from icecfg.document.origin import _LINE_BREAK, _Origin


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


#: A child of an element: an element, a comment/PI/CDATA node, or character
#: data kept as the plain ``str`` it was written as (references unexpanded).
Node = Union["Element", Leaf, str]


class Attr:
    """One attribute as written: leading whitespace, name, ``=`` part, quote, raw value."""

    __slots__ = ("eq", "name", "quote", "raw", "start", "ws")

    def __init__(self, ws: str, name: str, eq: str, quote: str, raw: str, start: int = -1) -> None:
        self.ws = ws
        self.name = name
        self.eq = eq
        self.quote = quote
        self.raw = raw
        #: Offset of the name in the original text, -1 when created.
        self.start = start

    @property
    def value(self) -> str:
        return decode_attribute(self.raw)

    def render(self) -> str:
        return f"{self.ws}{self.name}{self.eq}{self.quote}{self.raw}{self.quote}"


_ATTR = re.compile(r"(\s+)([^\s=/>]+)(\s*=\s*)(?:\"([^\"]*)\"|'([^']*)')")


class Element:
    """An element with its start tag, children and end tag as written.

    A parsed element keeps a reference to the text it came from and its span
    in it; as long as nothing below it changes it renders by slicing that text.
    Any edit marks the element and its ancestors as changed, after which they
    render from their parts, and untouched children still render from slices.
    """

    __slots__ = (
        "__weakref__",
        "_attrs",
        "_clean",
        "_end_raw",
        "_kids",
        "_start_raw",
        "_tag_changed",
        "end",
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
        self._kids: list[Node] | None = []
        self.origin: _Origin | None = None
        self.start = -1
        self.end = -1
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
        return kids if kids is not None else _read_content(self)

    @children.setter
    def children(self, nodes: list[Node]) -> None:
        self._kids = nodes

    def __repr__(self) -> str:
        return f"<Element {self.name} at line {self.line}>"

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

    def elements(self, name: str | None = None) -> Iterator[Element]:
        """Child elements in document order, optionally only those called ``name``."""

        kids = self._kids if self._kids is not None else _read_content(self)
        if name is None:
            return iter([c for c in kids if c.__class__ is Element])
        if len(kids) > _INDEXED_CHILDREN:
            named = self._children_by_name(kids)
            if named is not None:
                return iter(named.get(name, ()))
        return iter([c for c in kids if c.__class__ is Element and c.local_name == name])

    def elements_named(self, names: Collection[str]) -> list[Element]:
        """Child elements called any of ``names`` (tag and aliases), in document order."""

        kids = self._kids if self._kids is not None else _read_content(self)
        if len(kids) > _INDEXED_CHILDREN:
            named = self._children_by_name(kids)
            if named is not None:
                found = [named[n] for n in names if n in named]
                if len(found) == 1:
                    return list(found[0])
                # parsed and unchanged: document order is the order of the start offsets
                return sorted([e for group in found for e in group], key=_start_of)
        return [c for c in kids if c.__class__ is Element and c.local_name in names]

    def find(self, name: str) -> Element | None:
        """The first child element called ``name``."""

        kids = self._kids if self._kids is not None else _read_content(self)
        if len(kids) > _INDEXED_CHILDREN:
            named = self._children_by_name(kids)
            if named is not None:
                group = named.get(name)
                return group[0] if group else None
        for child in kids:
            if child.__class__ is Element and child.local_name == name:
                return child
        return None

    def find_last(self, name: str) -> Element | None:
        """The last child element called ``name``: the one Icecast uses for scalars."""

        kids = self._kids if self._kids is not None else _read_content(self)
        if len(kids) > _INDEXED_CHILDREN:
            named = self._children_by_name(kids)
            if named is not None:
                group = named.get(name)
                return group[-1] if group else None
        for child in reversed(kids):
            if child.__class__ is Element and child.local_name == name:
                return child
        return None

    def _children_by_name(self, kids: list[Node]) -> dict[str, list[Element]] | None:
        """The child elements by local name, for an element with many children (the root of a big file).

        Asking the root of a 100,000-mount file for its ``<listen-socket>``s
        would otherwise read all of its children each time.  The index is
        kept (on the origin, so that elements carry no extra field) while the
        element is parsed and unchanged: every edit marks the element changed
        (``_touch``), after which it is read from the children again.
        """
        origin = self.origin
        if origin is None or not self._clean:
            return None
        entry = origin.child_index.get(id(self))
        if entry is not None and entry[0] is self:
            return entry[1]
        named: dict[str, list[Element]] = {}
        for child in kids:
            if child.__class__ is Element:
                group = named.get(child.local_name)
                if group is None:
                    named[child.local_name] = [child]
                else:
                    group.append(child)
        origin.child_index[id(self)] = (self, named)
        return named

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
            push(reversed([c for c in kids if c.__class__ is Element]))

    @property
    def text(self) -> str | None:
        """The value as libxml2 gives it to Icecast.

        Text and CDATA are joined with references expanded and comments
        skipped; nothing is trimmed; an element with no text at all (``<x/>``,
        ``<x></x>`` or only a comment) gives None, not ``""``.
        """

        children = self._kids
        if children is None:
            children = _read_content(self)
        if len(children) == 1:
            only = children[0]
            if only.__class__ is str:
                # the common <x>value</x>: no references, no carriage returns to normalise
                return (decode_text(only) if "&" in only or "\r" in only else only) or None
        parts = [decode_text(c) if isinstance(c, str) else c.value for c in children if isinstance(c, (str, CData))]
        joined = "".join(parts)
        return joined or None

    @property
    def text_start(self) -> int:
        """Offset of the first character data, or of the end of the start tag."""
        if self.start < 0 or not self._clean:
            return -1
        offset = self.start + len(self.start_tag)
        for child in self.children:
            if isinstance(child, (str, CData)):
                return offset
            offset += len(child.render() if isinstance(child, Element) else child.raw)
        return offset

    @property
    def attributes(self) -> list[Attr]:
        """The attributes as written, parsed from the start tag on first use."""
        if self._attrs is None:
            attrs = []
            for m in _ATTR.finditer(self._start_raw, 1 + len(self.name)):
                double = m[4] is not None
                # spacing, names and "=" repeat from tag to tag: one string each, not one per attribute
                attr = Attr(intern(m[1]), intern(m[2]), intern(m[3]), '"' if double else "'", m[4] if double else m[5])
                attr.start = self.start + m.start(2) if self.start >= 0 else -1
                attrs.append(attr)
            self._attrs = attrs
        return self._attrs

    @property
    def has_attributes(self) -> bool:
        """Whether the element has any attribute, answered without reading them.

        Most elements of a config have none: a walk that only wants those
        with attributes need not build an empty list for every element.
        """
        if self._attrs is not None:
            return bool(self._attrs)
        return "=" in self._start_raw  # every attribute has its "="; a tag as written holds no other

    def get(self, name: str) -> str | None:
        """The value of attribute ``name``, or None."""
        attrs = self._attrs
        if attrs is None:
            if "=" not in self._start_raw:
                return None  # no attribute: asked of every element, answered without building a list
            attrs = self.attributes
        for attr in attrs:
            if attr.name == name:
                return decode_attribute(attr.raw)
        return None

    def attribute(self, name: str) -> Attr | None:
        attrs = self._attrs
        if attrs is None:
            if "=" not in self._start_raw:
                return None
            attrs = self.attributes
        for attr in attrs:
            if attr.name == name:
                return attr
        return None

    @property
    def start_tag(self) -> str:
        """The start tag: as written until an attribute or the tag's form changes."""
        if not self._tag_changed:
            return self._start_raw or f"<{self.name}>"
        tail = _TAG_TAIL.search(self._start_raw)
        space = tail[1] if tail is not None else ""
        close = "/>" if self._end_raw is None else ">"
        if close == ">" and self._start_raw.endswith("/>"):
            space = ""  # <x /> that gained content becomes <x>...</x>
        return "<" + self.name + "".join(a.render() for a in self.attributes) + space + close

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

    def set(self, name: str, value: str) -> None:
        """Set attribute ``name``; an existing one keeps its place and quote style."""
        attrs = self.attributes
        existing = self.attribute(name)
        if existing is not None:
            existing.raw = escape_attribute(value, existing.quote)
        else:
            quote = attrs[0].quote if attrs else '"'
            attrs.append(Attr(" ", name, "=", quote, escape_attribute(value, quote)))
        self._tag_changed = True
        self._touch()

    def delete(self, name: str) -> None:
        """Remove attribute ``name``."""
        self.attributes[:] = [a for a in self.attributes if a.name != name]
        self._tag_changed = True
        self._touch()

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

        index = _index_of(self.children, child)
        lo, hi = index, index + 1
        before = self.children[index - 1] if index > 0 else None
        after = self.children[index + 1] if index + 1 < len(self.children) else None
        if isinstance(before, str) and isinstance(after, str):
            head, sep, indent = _rsplit_line(before)
            if sep and not indent.strip(" \t"):
                trail = re.match(r"[ \t]*(\r\n|\r|\n)", after)
                if trail is not None:
                    # drop "indent<child>trailing-spaces+newline"; keep the rest
                    merged = head + sep + after[trail.end() :]
                    replacement: list[Node] = [merged] if merged else []
                    self.children[index - 1 : index + 2] = replacement
                    child.parent = None
                    self._touch()
                    return
        del self.children[lo:hi]
        child.parent = None
        self._touch()

    def insert_formatted(self, child: Element, after: Element | None = None, before: Element | None = None) -> None:
        """Insert ``child`` on a line of its own, formatted like its siblings.

        With ``after``, the new line goes right after the line on which
        ``after`` ends (so a trailing comment stays with ``after``); with
        ``before``, on a new line just above ``before``; otherwise the new
        element becomes the last child.  Indentation and line ending are
        copied from the neighbourhood; nested content of ``child`` is indented
        below it with the document's indentation step.
        """

        newline, indent, unit = self._layout(after or before)
        format_new(child, indent, unit, newline)
        if before is not None and after is None:
            index = _index_of(self.children, before)
            previous = self.children[index - 1] if index > 0 else None
            if newline and isinstance(previous, str) and _starts_line(before):
                head, sep, tail = _rsplit_line(previous)
                self.children[index - 1] = head + sep + tail
                self.insert(index, child)
                self.insert(index + 1, newline + tail)
                return
            self.insert(index, child)
            return
        if after is not None:
            index = _index_of(self.children, after) + 1
            # skip what shares ``after``'s line, up to the first line break
            while index < len(self.children):
                node = self.children[index]
                split = _LINE_BREAK.search(node) if isinstance(node, str) else None
                if isinstance(node, str) and split is not None:
                    head, rest = node[: split.end()], node[split.end() :]
                    self.children[index : index + 1] = [head + indent, newline + rest]
                    self.insert(index + 1, child)
                    return
                index += 1
            if not newline:
                self.insert(_index_of(self.children, after) + 1, child)
                return
            # ``after`` is on the line of the closing tag: open a new line
            self.insert(index, newline + indent)
            self.insert(index + 1, child)
            return
        # append as the last child, before the closing tag's indentation
        last = self.children[-1] if self.children else None
        if isinstance(last, str) and _LINE_BREAK.search(last):
            head, sep, tail = _rsplit_line(last)
            self.children[-1:] = [head + sep + indent, newline + tail]
            self.insert(len(self.children) - 1, child)
            return
        if newline:
            parent_indent = self._indent()
            self.insert(len(self.children), newline + indent)
            self.insert(len(self.children), child)
            self.insert(len(self.children), newline + parent_indent)
        else:
            self.insert(len(self.children), child)

    def _indent(self) -> str:
        """The whitespace before this element on its line."""

        if self.start >= 0:
            text = _origin_text(self)
            if text is not None:
                line_start = max(text.rfind("\n", 0, self.start), text.rfind("\r", 0, self.start)) + 1
                prefix = text[line_start : self.start]
                return prefix if not prefix.strip(" \t") else re.match(r"[ \t]*", prefix)[0]  # type: ignore[index]
        index = _index_of(self.parent.children, self) if self.parent is not None else -1
        if index > 0:
            before = self.parent.children[index - 1]  # type: ignore[union-attr]
            if isinstance(before, str):
                _head, sep, tail = _rsplit_line(before)
                if sep and not tail.strip(" \t"):
                    return tail
        return ""

    def _layout(self, after: Element | None) -> tuple[str, str, str]:
        """(newline, indentation of a new child, indentation step) near ``after``."""

        root = self
        while root.parent is not None:
            root = root.parent
        newline = _document_newline(root)
        unit = _indent_unit(root)
        sibling = after
        if sibling is None:
            sibling = next(iter(reversed(list(self.elements()))), None)
        if sibling is not None:
            indent = sibling._indent()
            # a sibling on the parent's line means a compact, one-line layout
            if not _starts_line(sibling):
                return "", "", ""
            return newline, indent, unit
        if not _LINE_BREAK.search(_origin_text(self) or "\n") or not newline:
            return "", "", ""
        return newline, self._indent() + unit, unit


#: Elements with more children than this answer lookups by name from an index.
_INDEXED_CHILDREN = 64


def _start_of(element: Element) -> int:
    return element.start


def _local(name: str) -> str:
    return name.rpartition(":")[2]


_TAG_TAIL = re.compile(r"(\s*)/?>\Z")
#: ``_start_raw``/``_end_raw`` value meaning the plain ``<name>``/``</name>``:
#: most elements are written so, and not storing the strings saves memory.
_CANONICAL = ""


# The reader and the renderer build and inspect Elements, so they import this
# module; Element reaches them through these functions, which import them on
# first call instead of at import time (no import cycle).


def _read_content(element: Element) -> list[Node]:
    from icecfg.document.reader import _read_content as read_content

    return read_content(element)


def _read_subtree(element: Element) -> None:
    from icecfg.document.reader import _read_subtree as read_subtree

    read_subtree(element)


def _render(element: Element, out: list[str]) -> None:
    from icecfg.document.render import _render as render

    render(element, out)


def format_new(element: Element, indent: str, unit: str, newline: str) -> None:
    from icecfg.document.render import format_new as lay_out

    lay_out(element, indent, unit, newline)
