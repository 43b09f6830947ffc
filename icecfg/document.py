"""The lossless document: icecast.xml as a concrete syntax tree.

Every byte of the input belongs to exactly one node, so an unchanged document
dumps to the very bytes it was loaded from, and an edit rewrites only the text
of the node it touches.  lxml (like every conforming XML serializer)
normalises quotes, whitespace inside tags, ``<a></a>`` versus ``<a/>``,
character references and the declaration, which is why icecfg keeps its own
tree instead of lxml's.

Reading happens in two steps:

1. expat (C, in the standard library) checks the whole text: well-formedness
   (with the line and column of the first error), nesting depth, and
   entities.  A handler refuses entity declarations before any is expanded,
   so XXE and "billion laughs" documents never cost more than the bytes
   already read; no DTD or external resource is loaded.  After this step
   nothing that is read later can fail.
2. Regular expressions, which may rely on the text being well-formed, cut it
   into nodes that keep their raw text and offset.  An element's content is
   read when it is first asked for, one level at a time (``read_all`` and
   ``iter`` read a whole subtree in one pass): loading a file and changing
   one value touches only the elements on the way, and ``dumps`` of an
   unchanged document returns the bytes it was given.
"""

from __future__ import annotations

import bisect
import codecs
import functools
import gc
import re
from collections.abc import Iterator
from typing import Union
from xml.parsers import expat

from icecfg.errors import ParseError

#: Inputs larger than this are refused: a real icecast.xml is a few KiB.
MAX_BYTES = 64 * 1024 * 1024
#: Elements nested deeper than this are refused: icecast.xml nests about 6 deep.
MAX_DEPTH = 64


class _Origin:
    """The decoded text a parse came from, shared by all nodes of that parse."""

    __slots__ = ("_line_starts", "_lookups", "detached", "path", "text")

    def __init__(self, text: str, path: str | None) -> None:
        self.text = text
        self.path = path
        #: True for a copied fragment: its offsets are not positions in any file.
        self.detached = False
        self._line_starts: list[int] | None = None
        self._lookups = 0

    def position(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of a character offset; CR, LF and CRLF all end lines."""
        text = self.text
        self._lookups += 1
        if self._line_starts is None and self._lookups <= _COUNTED_LOOKUPS and "\r" not in text:
            # the usual LF-only file: counting in C beats building a table for a few lookups,
            # but each count reads the file up to the offset, so many lookups use the table
            return text.count("\n", 0, offset) + 1, offset - text.rfind("\n", 0, offset)
        if self._line_starts is None:
            starts = [0]
            starts.extend(m.end() for m in _LINE_BREAK.finditer(self.text))
            self._line_starts = starts
        index = bisect.bisect_right(self._line_starts, offset) - 1
        return index + 1, offset - self._line_starts[index] + 1


_LINE_BREAK = re.compile(r"\r\n?|\n")
#: Positions looked up by counting line breaks before the line table is built.
_COUNTED_LOOKUPS = 16


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
        return iter([c for c in kids if c.__class__ is Element and c.local_name == name])

    def find(self, name: str) -> Element | None:
        """The first child element called ``name``."""
        return next(self.elements(name), None)

    def find_last(self, name: str) -> Element | None:
        """The last child element called ``name``: the one Icecast uses for scalars."""
        found = None
        for found in self.elements(name):  # noqa: B007 - keep the last
            pass
        return found

    def read_all(self) -> None:
        """Read everything below this element now instead of level by level on first use.

        Content is read lazily, so that loading a file and changing one value
        touches only what lies on the way; a caller about to visit every
        element (a linter) saves time by reading it all in one pass.
        """
        _read_subtree(self)

    def iter(self) -> Iterator[Element]:
        """This element and all elements below it, in document order."""
        _read_subtree(self)
        stack: list[Element] = [self]
        while stack:
            element = stack.pop()
            yield element
            stack.extend(reversed([c for c in element.children if isinstance(c, Element)]))

    @property
    def text(self) -> str | None:
        """The value as libxml2 gives it to Icecast.

        Text and CDATA are joined with references expanded and comments
        skipped; nothing is trimmed; an element with no text at all (``<x/>``,
        ``<x></x>`` or only a comment) gives None, not ``""``.
        """
        children = self.children
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
                attr = Attr(m[1], m[2], m[3], '"' if double else "'", m[4] if double else m[5])
                attr.start = self.start + m.start(2) if self.start >= 0 else -1
                attrs.append(attr)
            self._attrs = attrs
        return self._attrs

    def get(self, name: str) -> str | None:
        """The value of attribute ``name``, or None."""
        attr = self.attribute(name)
        return attr.value if attr is not None else None

    def attribute(self, name: str) -> Attr | None:
        for attr in self.attributes:
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


def _local(name: str) -> str:
    return name.rpartition(":")[2]


_TAG_TAIL = re.compile(r"(\s*)/?>\Z")
#: ``_start_raw``/``_end_raw`` value meaning the plain ``<name>``/``</name>``:
#: most elements are written so, and not storing the strings saves memory.
_CANONICAL = ""


def _origin_text(element: Element) -> str | None:
    """The text the element was parsed from, or its nearest parsed ancestor's."""
    node: Element | None = element
    while node is not None:
        if node.origin is not None:
            return node.origin.text
        node = node.parent
    return None


def _starts_line(element: Element) -> bool:
    """True when only whitespace stands between the previous line break and ``element``."""
    parent = element.parent
    if parent is None:
        return True
    index = _index_of(parent.children, element)
    if index == 0:
        return False
    before = parent.children[index - 1]
    if isinstance(before, str):
        _head, sep, tail = _rsplit_line(before)
        return bool(sep) and not tail.strip(" \t")
    return False


def _index_of(children: list[Node], node: Node) -> int:
    for index, child in enumerate(children):
        if child is node:
            return index
    raise ValueError("not a child of this element")


def _rsplit_line(text: str) -> tuple[str, str, str]:
    """Split ``text`` at its last line break: (before, line break, after)."""
    last = None
    for last in _LINE_BREAK.finditer(text):  # noqa: B007 - keep the last
        pass
    if last is None:
        return text, "", ""
    return text[: last.start()], last[0], text[last.end() :]


def _document_newline(root: Element) -> str:
    """The line ending most used by the document (LF when it has none)."""
    text = _origin_text(root)
    if text is None:
        return "\n"
    crlf = text.count("\r\n")
    lf = text.count("\n") - crlf
    cr = text.count("\r") - crlf
    if max(crlf, lf, cr) == 0:
        return ""
    if crlf >= lf and crlf >= cr:
        return "\r\n"
    return "\n" if lf >= cr else "\r"


def _indent_unit(root: Element) -> str:
    """The document's indentation step, taken from the root's first child."""
    first = next(root.elements(), None)
    if first is not None:
        indent = first._indent()
        if indent and _starts_line(first):
            return indent[len(root._indent()) :] or indent
    return "    "


def format_new(element: Element, indent: str, unit: str, newline: str) -> None:
    """Lay out a created element's element children one per line, nested by ``unit``."""
    if element.origin is not None:
        return  # parsed (or copied) text keeps its own layout
    kids = [c for c in element.children if isinstance(c, Element)]
    if not kids or any(isinstance(c, str) and c.strip(" \t\r\n") for c in element.children):
        return  # a value or mixed content
    inner = indent + unit
    laid: list[Node] = []
    for child in [c for c in element.children if not isinstance(c, str)]:
        laid.append(newline + inner)
        laid.append(child)
        if isinstance(child, Element):
            format_new(child, inner, unit, newline)
    laid.append(newline + indent)
    element.children = laid


def _render(element: Element, out: list[str]) -> None:
    if element._clean and element.origin is not None:
        out.append(element.origin.text[element.start : element.end])
        return
    out.append(element.start_tag)
    for child in element.children:
        if isinstance(child, str):
            out.append(child)
        elif not isinstance(child, Element):
            out.append(child.raw)
        elif child._clean and child.origin is not None:  # the usual unchanged sibling: a slice, no call
            out.append(child.origin.text[child.start : child.end])
        else:
            _render(child, out)
    if element._end_raw is not None:
        out.append(element._end_raw or f"</{element.name}>")


# -- escaping ------------------------------------------------------------------
_PREDEFINED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}
_REF = re.compile(r"&(#[0-9]+|#x[0-9a-fA-F]+|[^;&\s]+);")


def _expand(match: re.Match[str]) -> str:
    ref = match[1]
    if ref.startswith("#x"):
        return chr(int(ref[2:], 16))
    if ref.startswith("#"):
        return chr(int(ref[1:]))
    try:
        return _PREDEFINED[ref]
    except KeyError:
        raise ParseError(f"undefined entity &{ref};") from None


def _normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def decode_text(raw: str) -> str:
    """Character data as an XML parser delivers it: newlines normalised, references expanded."""
    raw = _normalise_newlines(raw)
    return _REF.sub(_expand, raw) if "&" in raw else raw


def decode_attribute(raw: str) -> str:
    """An attribute value as an XML parser delivers it (whitespace characters become spaces)."""
    raw = _normalise_newlines(raw)
    raw = raw.replace("\n", " ").replace("\t", " ")
    return _REF.sub(_expand, raw) if "&" in raw else raw


def escape_text(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")


def escape_attribute(value: str, quote: str = '"') -> str:
    escaped = escape_text(value).replace("\n", "&#10;").replace("\t", "&#9;")
    return escaped.replace('"', "&quot;") if quote == '"' else escaped.replace("'", "&apos;")


# -- the document --------------------------------------------------------------
class Document:
    """A whole file: what stands before the root, the root, and what follows."""

    def __init__(
        self,
        root: Element,
        prolog: list[Leaf] | None = None,
        epilog: list[Leaf] | None = None,
        *,
        encoding: str = "utf-8",
        bom: bytes = b"",
        original: bytes | None = None,
    ) -> None:
        self.root = root
        self.prolog: list[Leaf] = prolog or []
        self.epilog: list[Leaf] = epilog or []
        self.encoding = encoding
        self.bom = bom
        self.original = original
        self._prolog_raw = [n.raw for n in self.prolog] + [n.raw for n in self.epilog]

    @property
    def path(self) -> str | None:
        return self.root.origin.path if self.root.origin is not None else None

    @property
    def changed(self) -> bool:
        unchanged_edges = [n.raw for n in self.prolog] + [n.raw for n in self.epilog] == self._prolog_raw
        return not (self.root._clean and unchanged_edges and self.original is not None)

    def render(self) -> str:
        out = [n.raw for n in self.prolog]
        _render(self.root, out)
        out.extend(n.raw for n in self.epilog)
        return "".join(out)

    def dumps(self) -> bytes:
        """The document's bytes: the original ones when nothing changed."""
        if not self.changed and self.original is not None:
            return self.original
        return self.bom + self.render().encode(self.encoding, errors="xmlcharrefreplace")


_TOKEN = re.compile(
    r"""
    (?P<ws>[ \t\r\n]*)
    (?:
        <(?P<name>[^\s/>!?]+)(?:>(?P<leaf>[^<]*)</(?P=name)>|(?:[^>"'/]+|"[^"]*"|'[^']*')*(?P<start>/?)>)
      | (?P<end></[^\s>]+\s*>)
      | (?P<comment><!--)
      | (?P<cdata><!\[CDATA\[[^\]]*(?:\](?!\]>)[^\]]*)*\]\]>)
      | (?P<pi><\?[^?]*(?:\?(?!>)[^?]*)*\?>)
      | (?P<doctype><!DOCTYPE(?:[^\[>"']+|"[^"]*"|'[^']*'|\[(?:<!--.*?-->|"[^"]*"|'[^']*'|[^\]"'])*\])*>)
      | (?P<text>[^<]+)
    )
    """,
    re.S | re.X,
)
"""One token, with the whitespace before it: the last group that matched names its kind.

``leaf`` is ``<name>value</name>`` in one step (most of icecast.xml), ``start``
a start tag (its value is "/" for ``<name/>``); for ``text`` the whitespace is
part of the text.
"""

_DECLARED_ENCODING = re.compile(rb"""^<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def _decode(data: bytes, path: str | None) -> tuple[str, str, bytes]:
    """(text, codec name, BOM) of the raw bytes, or ParseError."""
    bom = b""
    encoding = "utf-8"
    for mark, name in _BOMS:
        if data.startswith(mark):
            bom, encoding = mark, name
            break
    body = data[len(bom) :]
    if not bom:
        declared = _DECLARED_ENCODING.match(body)
        if declared is not None:
            name = declared[1].decode("ascii")
            try:
                encoding = codecs.lookup(name).name
            except LookupError:
                raise ParseError(f"unknown encoding {name!r} in the XML declaration", path=path) from None
            if encoding.startswith("utf-16"):
                raise ParseError("UTF-16 without a byte order mark is not supported", path=path)
    try:
        return body.decode(encoding), encoding, bom
    except UnicodeDecodeError as err:
        prefix = body[: err.start].decode(encoding, errors="replace")
        line = prefix.count("\n") + 1
        column = len(prefix) - (prefix.rfind("\n") + 1) + 1
        raise ParseError(
            f"bytes that are not valid {encoding} at byte offset {err.start + len(bom)}",
            line=line,
            column=column,
            path=path,
        ) from None


class _Refused(Exception):
    """Raised from an expat handler; carries the position expat had when it called it."""

    def __init__(self, message: str, parser: expat.XMLParserType) -> None:
        super().__init__(message)
        self.message = message
        self.line = parser.CurrentLineNumber
        self.column = parser.CurrentColumnNumber + 1


def _check_well_formed(data: bytes, path: str | None) -> bool:
    """Let expat check well-formedness and nesting depth; refuse entities before any expansion.

    Returns whether the DOCTYPE names an external DTD: expat then lets
    references to undefined entities in attribute values pass.
    """
    parser = expat.ParserCreate(intern=None)  # the names are not kept: interning them only costs time

    def refuse_entity(*_args: object) -> None:
        raise _Refused("DTD entity declarations are refused (they allow XXE and entity expansion attacks)", parser)

    def refuse_external(*_args: object) -> int:
        raise _Refused("external entities are refused", parser)

    def refuse_skipped(name: str, _parameter: bool) -> None:
        # only reached when a DOCTYPE names an external DTD, which icecfg never reads
        raise _Refused(f"undefined entity &{name};", parser)

    # the names of the open elements; an end tag removes one of its name (which one does not matter)
    open_elements: list[str] = []
    push = open_elements.append

    def start(name: str, _attributes: list[str]) -> None:
        push(name)
        if len(open_elements) > MAX_DEPTH:
            raise _Refused(f"elements nested deeper than {MAX_DEPTH} levels", parser)

    external = False

    def doctype(_name: str, system_id: str | None, public_id: str | None, _internal: bool) -> None:
        nonlocal external
        external = bool(system_id or public_id)

    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = refuse_entity
    parser.UnparsedEntityDeclHandler = refuse_entity
    parser.ExternalEntityRefHandler = refuse_external
    parser.SkippedEntityHandler = refuse_skipped
    parser.ordered_attributes = True
    parser.StartElementHandler = start
    parser.EndElementHandler = open_elements.remove
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    try:
        parser.Parse(data, True)
    except _Refused as err:
        raise ParseError(err.message, line=err.line, column=err.column, path=path) from None
    except LookupError as err:
        raise ParseError(f"unsupported encoding: {err}", path=path) from None
    except expat.ExpatError as err:
        message = expat.ErrorString(err.code) or "not well-formed"
        raise ParseError(f"not well-formed XML: {message}", line=err.lineno, column=err.offset + 1, path=path) from None
    return external


def _check_attribute_references(root: Element, path: str | None) -> None:
    """Refuse references to entities icecfg cannot expand without the DTD (it never reads one)."""
    for element in root.iter():
        for attr in element.attributes:
            for match in _REF.finditer(attr.raw) if "&" in attr.raw else ():
                if not match[1].startswith("#") and match[1] not in _PREDEFINED:
                    line, column = element.position(attr.start + len(attr.name) + len(attr.eq) + 1 + match.start())
                    raise ParseError(f"undefined entity &{match[1]};", line=line, column=column, path=path)


def parse(data: bytes | str, path: str | None = None, *, root_name: str | None = "icecast") -> Document:
    """Read ``data`` into a :class:`Document`, or raise :class:`ParseError`."""
    if isinstance(data, str):
        text = data
        raw = data.encode("utf-8")
        declared = _DECLARED_ENCODING.match(raw)
        encoding = "utf-8"
        if declared is not None:
            try:
                encoding = codecs.lookup(declared[1].decode("ascii")).name
            except LookupError:
                raise ParseError(
                    f"unknown encoding {declared[1].decode('ascii')!r} in the XML declaration", path=path
                ) from None
        if len(raw) > MAX_BYTES:
            raise ParseError(f"input larger than {MAX_BYTES // (1024 * 1024)} MiB", path=path)
        # expat must see the bytes in the declared encoding
        check = text.encode(encoding, errors="xmlcharrefreplace") if encoding != "utf-8" else raw
        external_dtd = _check_well_formed(check, path)
        bom, original = b"", None
        if text.startswith("\ufeff"):
            text = text[1:]
            bom = codecs.BOM_UTF8 if encoding == "utf-8" else b""
    else:
        if len(data) > MAX_BYTES:
            raise ParseError(f"input larger than {MAX_BYTES // (1024 * 1024)} MiB", path=path)
        text, encoding, bom = _decode(data, path)
        external_dtd = _check_well_formed(data, path)
        original = data
    document = _build(text, path, root_name)
    if external_dtd:
        _check_attribute_references(document.root, path)
    document.encoding = encoding
    document.bom = bom
    document.original = original
    return document


def _build(text: str, path: str | None, root_name: str | None) -> Document:
    """Read what stands before, as and after the root; the root's content is read on first use."""
    origin = _Origin(text, path)
    prolog: list[Leaf] = []
    epilog: list[Leaf] = []
    root: Element | None = None
    size = len(text)
    position = 0
    while position < size:
        match = _TOKEN.match(text, position)
        if match is None:  # pragma: no cover - expat accepted the text, so a token matches
            raise ParseError("unexpected text", path=path)
        kind = match.lastgroup
        start = position
        position = match.end()
        edge = prolog if root is None else epilog
        if kind == "text":
            edge.append(Whitespace(match[0], start))
            continue
        ws = match["ws"]
        if ws:
            edge.append(Whitespace(ws, start))
            start += len(ws)
        if kind == "leaf":
            value = match["leaf"]
            kids: list[Node] = [value] if value else []
            root = _parsed(match["name"], None, origin, start, position, _CANONICAL, _CANONICAL, kids)
        elif kind == "start":
            root, position = _open_element(match, None, origin, start)
        elif kind == "comment":
            position = text.find("-->", start + 4) + 3
            edge.append(Comment(text[start:position], start))
        elif kind == "cdata":  # pragma: no cover - expat refuses CDATA outside the root
            edge.append(CData(match["cdata"], start))
        elif kind == "pi":
            edge.append(ProcessingInstruction(match["pi"], start))
        else:
            edge.append(Doctype(match["doctype"], start))
    if root is None:  # pragma: no cover - expat already refused it
        raise ParseError("no root element", path=path)
    if root_name is not None and root.local_name != root_name:
        line, column = origin.position(root.start)
        raise ParseError(
            f"root element is <{root.name}>, icecast.xml needs <{root_name}>",
            line=line,
            column=column,
            path=path,
        )
    return Document(root, prolog, epilog)


def _parsed(
    name: str,
    parent: Element | None,
    origin: _Origin,
    start: int,
    end: int,
    start_raw: str,
    end_raw: str | None,
    kids: list[Node] | None,
) -> Element:
    """An element as read from ``origin``: clean, so that it renders as its slice of the text.

    ``start_raw``/``end_raw`` are ``_CANONICAL`` for ``<name>``/``</name>``;
    ``end_raw`` is None for ``<name/>``; ``kids`` is None while the content
    is unread.
    """
    element = Element.__new__(Element)
    element.name = name
    element.local_name = name if ":" not in name else _local(name)
    element.parent = parent
    element.origin = origin
    element.start = start
    element.end = end
    element._clean = True
    element._attrs = None
    element._tag_changed = False
    element._start_raw = start_raw
    element._end_raw = end_raw
    element._kids = kids
    return element


def _open_element(match: re.Match[str], parent: Element | None, origin: _Origin, start: int) -> tuple[Element, int]:
    """The element whose start tag ``match`` is, with its content unread; and where it ends."""
    name = match["name"]
    tag_end = match.end()
    text = origin.text
    start_raw = text[start:tag_end] if tag_end - start != len(name) + 2 else _CANONICAL
    if match["start"]:
        return _parsed(name, parent, origin, start, tag_end, start_raw, None, []), tag_end
    close_start, close_end = (_find_end if parent is not None else _find_root_end)(text, name, tag_end)
    end_raw = text[close_start:close_end] if close_end - close_start != len(name) + 3 else _CANONICAL
    return _parsed(name, parent, origin, start, close_end, start_raw, end_raw, None), close_end


@functools.lru_cache(maxsize=256)
def _opening(name: str) -> re.Pattern[str]:
    """The start of a start tag called ``name`` (not of a longer name)."""
    return re.compile("<" + re.escape(name) + r"(?=[\s/>])")


_END_TAG_REST = re.compile(r"\s*>")
_START_TAG_REST = re.compile(r"""(?:[^>"'/]+|"[^"]*"|'[^']*')*(/?)>""")


def _find_end(text: str, name: str, position: int) -> tuple[int, int]:
    """Span of the end tag closing the element called ``name`` whose content starts at ``position``.

    The text is well-formed (expat said so), so that end tag is the first
    ``</name>`` that is neither inside a comment, CDATA section or PI nor
    owned by a nested element of the same name.  The search runs in
    ``str.find`` (C speed) and visits only CDATA sections, PIs and namesakes,
    each once; comments cost nothing extra, because only the last one before
    a candidate can hide it (comments neither nest nor hold "<!--").
    """
    close = "</" + name
    opening = _opening(name)
    depth = 1
    end = cdata = question = same = -1  # -1: not looked for yet
    while True:
        if end < position:
            end = text.find(close, position)
            cdata = question = same = -1
        if cdata < position:
            cdata = text.find("<![", position, end)
            cdata = end if cdata < 0 else cdata
        if question < position:
            question = text.find("<?", position, end)
            question = end if question < 0 else question
        if same < position:
            found = opening.search(text, position, end)
            same = end if found is None else found.start()
        first = min(cdata, question, same)
        comment = text.rfind("<!--", position, first)
        if comment >= 0:
            comment_end = text.find("-->", comment + 4) + 3
            if comment_end > first:  # what was found is inside a comment
                position = comment_end
                continue
        if first == end:
            rest = _END_TAG_REST.match(text, end + len(close))
            if rest is None:  # </namesake>, a longer name: not ours
                position = end + len(close)
                continue
            depth -= 1
            if not depth:
                return end, rest.end()
            position = rest.end()
        elif first == cdata:
            position = text.find("]]>", cdata + 9) + 3
        elif first == question:
            position = text.find("?>", question + 2) + 2
        else:
            tag = _START_TAG_REST.match(text, same + 1 + len(name))
            assert tag is not None, "expat accepted the start tag"
            if not tag[1]:
                depth += 1
            position = tag.end()


def _find_root_end(text: str, name: str, position: int) -> tuple[int, int]:
    """Span of the root's end tag: usually the last ``</name>`` in the text, found from the end."""
    end = text.rfind("</" + name)
    rest = _END_TAG_REST.match(text, end + 2 + len(name))
    if rest is not None and text.find("-->", end) < 0 and text.find("?>", end) < 0:
        # nothing after it could hold it (a comment or PI would end after it)
        return end, rest.end()
    return _find_end(text, name, position)


def _content_span(element: Element) -> tuple[int, int]:
    """Where the content of a parsed, unread element starts and ends in its text."""
    name = element.name
    lo = element.start + (len(element._start_raw) or len(name) + 2)
    hi = element.end - (len(element._end_raw or "") or len(name) + 3)
    return lo, hi


def _read_content(element: Element) -> list[Node]:
    """Read one level of a parsed element's content: nested elements stay unread.

    Reading lazily makes ``loads`` + ``dumps`` cost about one pass of expat,
    and an edit reads only the elements on its way.
    """
    return _read(element, whole=False)


def _read(element: Element, *, whole: bool) -> list[Node]:
    """Build the content of a parsed, unread element from its text.

    With ``whole``, every level below it is built in the same pass (end tags
    close the open elements); without, each child element's end tag is looked
    up with ``_find_end`` and its content left unread.
    """
    origin = element.origin
    assert origin is not None
    text = origin.text
    lo, hi = _content_span(element)
    top = element
    kids: list[Node] = []
    element._kids = result = kids
    stack: list[tuple[Element, list[Node]]] = [(element, kids)]
    match_token = _TOKEN.match
    position = lo
    collecting = gc.isenabled()
    gc.disable()  # many small objects, no garbage: collecting now would only cost time
    try:
        while position < hi:
            match = match_token(text, position, hi)
            assert match is not None, "expat accepted the text, so a token matches"
            kind = match.lastgroup
            start = position
            position = match.end()
            if kind == "text":
                kids.append(match[0])
                continue
            ws = match["ws"]
            if ws:
                kids.append(ws)
                start += len(ws)
            if kind == "leaf":
                # the common case: whitespace, then <name>text</name>, in one step
                value = match["leaf"]
                content: list[Node] = [value] if value else []
                kids.append(_parsed(match["name"], top, origin, start, position, _CANONICAL, _CANONICAL, content))
            elif kind == "comment":
                # comments are most of a sample config: find their end with str.find, not the regex
                position = text.find("-->", start + 4) + 3
                kids.append(Comment(text[start:position], start))
            elif kind == "start":
                if not whole:
                    child, position = _open_element(match, top, origin, start)
                    kids.append(child)
                    continue
                tag = match["name"]
                start_raw = text[start:position] if position - start != len(tag) + 2 else _CANONICAL
                inner: list[Node] = []
                child = _parsed(tag, top, origin, start, position, start_raw, None, inner)
                kids.append(child)
                if not match["start"]:
                    stack.append((child, inner))
                    top, kids = child, inner
            elif kind == "end":
                top._end_raw = text[start:position] if position - start != len(top.name) + 3 else _CANONICAL
                top.end = position
                stack.pop()
                top, kids = stack[-1]
            elif kind == "cdata":
                kids.append(CData(match["cdata"], start))
            else:
                kids.append(ProcessingInstruction(match["pi"], start))
    finally:
        if collecting:
            gc.enable()
    return result


def _read_subtree(element: Element) -> None:
    """Read the content of ``element`` and of every element below it now.

    Each unread subtree is read in one pass that builds all of its levels
    (no end tags to look for), with the cyclic collector paused once: what
    walks everything (``iter``, the linter) costs what an eager parser costs.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        pending = [element]
        while pending:
            node = pending.pop()
            if node._kids is None:
                _read(node, whole=True)
            else:
                pending.extend(c for c in node._kids if c.__class__ is Element)
    finally:
        if collecting:
            gc.enable()


def parse_fragment(text: str) -> Element:
    """Parse one element from text, to copy an element into another document.

    The copy keeps its text exactly; it has no position (line 0), since its
    lines are not the lines of the document it is inserted into.
    """
    document = parse(text, root_name=None)
    root = document.root
    assert root.origin is not None
    root.origin.detached = True
    return root
