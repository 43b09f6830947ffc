"""Reading: parse bytes into a Document, and read element content lazily, one level at a time."""

from __future__ import annotations

import codecs
import gc
import re
from sys import intern

from icecfg.document.decoding import _DECLARED_ENCODING, _decode
from icecfg.document.file import Document
from icecfg.document.leaves import CData, Comment, Doctype, Leaf, ProcessingInstruction, Whitespace
from icecfg.document.nodes import _CANONICAL, Element, Node, _local
from icecfg.document.origin import _Origin
from icecfg.document.safety import MAX_BYTES, _check_attribute_references, _check_well_formed
from icecfg.document.tokens import _TOKEN, _find_end, _find_root_end
from icecfg.errors import ParseError


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
        external_dtd = _check_well_formed(check, path, encoding)
        bom = b""
        if text.startswith("\ufeff"):
            text = text[1:]
            bom = codecs.BOM_UTF8 if encoding == "utf-8" else b""
        # what dumps writes of it unchanged: a text given as str is "as read" too, so that an
        # unedited one is not taken for changed (and its dumps are those bytes)
        original = raw if check is raw and not bom else bom + text.encode(encoding, errors="xmlcharrefreplace")
    else:
        if len(data) > MAX_BYTES:
            raise ParseError(f"input larger than {MAX_BYTES // (1024 * 1024)} MiB", path=path)
        text, encoding, bom = _decode(data, path)
        external_dtd = _check_well_formed(data, path, encoding)
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
    end: int | None,
    start_raw: str,
    end_raw: str | None,
    kids: list[Node] | str | None,
) -> Element:
    """An element as read from ``origin``: clean, so that it renders as its slice of the text.

    ``start_raw``/``end_raw`` are ``_CANONICAL`` for ``<name>``/``</name>``;
    ``end_raw`` is None for ``<name/>``; ``kids`` is None while the content
    is unread, the value as written for a leaf ``<name>value</name>`` (which
    has no ``end``: see ``Element._kids`` and ``Element.end``).
    """
    element = Element.__new__(Element)
    element.name = name
    element.local_name = name if ":" not in name else _local(name)
    element.parent = parent
    element.origin = origin
    element.start = start
    element._end = end
    element._clean = True
    element._attrs = None
    element._tag_changed = False
    element._start_raw = start_raw
    element._end_raw = end_raw
    element._kids = kids
    return element


def _open_element(match: re.Match[str], parent: Element | None, origin: _Origin, start: int) -> tuple[Element, int]:
    """The element whose start tag ``match`` is, with its content unread; and where it ends."""
    name = intern(match["name"])
    tag_end = match.end()
    text = origin.text
    start_raw = text[start:tag_end] if tag_end - start != len(name) + 2 else _CANONICAL
    if match["start"]:
        return _parsed(name, parent, origin, start, tag_end, start_raw, None, []), tag_end
    close_start, close_end = (_find_end if parent is not None else _find_root_end)(text, name, tag_end)
    end_raw = text[close_start:close_end] if close_end - close_start != len(name) + 3 else _CANONICAL
    return _parsed(name, parent, origin, start, close_end, start_raw, end_raw, None), close_end


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
    new = Element.__new__
    tags: dict[str, str] = {}
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
            if kind == "leaf":
                # the common case: whitespace, then <name>text</name>, in one step
                ws, name, value = match.group(1, 2, 3)  # ws, name, leaf: one call, not three
                if ws:
                    # indentation repeats on every line: keep one string per distinct run
                    kids.append(intern(ws))
                    start += len(ws)
                if len(value) <= _SHARED_VALUE:
                    value = intern(value)  # 0, 1, 100 ...: one string for all
                name = intern(name)  # one string per distinct tag name, not per element
                # the value stands in for the list of children (see Element._kids); built here, not
                # through _parsed: a call per element is a tenth of the whole read
                leaf = new(Element)
                leaf.name = leaf.local_name = name
                if ":" in name:
                    leaf.local_name = _local(name)
                leaf.parent = top
                leaf.origin = origin
                leaf.start = start
                leaf._end = None
                leaf._clean = True
                leaf._attrs = None
                leaf._tag_changed = False
                leaf._start_raw = leaf._end_raw = _CANONICAL
                leaf._kids = value
                kids.append(leaf)
                continue
            if kind == "text":
                kids.append(match[0])
                continue
            ws = match["ws"]
            if ws:
                kids.append(intern(ws))
                start += len(ws)
            if kind == "comment":
                # comments are most of a sample config: find their end with str.find, not the regex
                position = text.find("-->", start + 4) + 3
                kids.append(Comment(text[start:position], start))
            elif kind == "start":
                if not whole:
                    child, position = _open_element(match, top, origin, start)
                    kids.append(child)
                    continue
                tag = intern(match["name"])
                if position - start == len(tag) + 2:
                    start_raw = _CANONICAL
                else:  # <mount type="normal"> and the like repeat: keep one string for each
                    start_raw = text[start:position]
                    start_raw = tags.setdefault(start_raw, start_raw)
                inner: list[Node] = []
                child = _parsed(tag, top, origin, start, position, start_raw, None, inner)
                kids.append(child)
                if not match["start"]:
                    stack.append((child, inner))
                    top, kids = child, inner
            elif kind == "end":
                top._end_raw = text[start:position] if position - start != len(top.name) + 3 else _CANONICAL
                top._end = position
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


#: Values up to this long (numbers, flags) are shared between the elements that hold them.
_SHARED_VALUE = 4


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
            kids = node._kids
            if kids is None:
                _read(node, whole=True)
            elif isinstance(kids, list):
                pending.extend(c for c in kids if c.__class__ is Element)
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
