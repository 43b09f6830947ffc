"""The expat check run before anything is read: well-formedness, depth, and no entity expansion."""

from __future__ import annotations

import re
from xml.parsers import expat

from icecfg.document.escaping import _PREDEFINED, _REF
from icecfg.document.nodes import Element
from icecfg.errors import ParseError
from icecfg.files import MAX_FILE_BYTES

#: Inputs larger than this are refused: a real icecast.xml is a few KiB.  The same limit
#: as for reading any file icecfg is named, so that what is read can also be parsed.
MAX_BYTES = MAX_FILE_BYTES
#: Elements nested deeper than this are refused: icecast.xml nests about 6 deep.
MAX_DEPTH = 64


class _Refused(Exception):
    """Raised from an expat handler; carries the position expat had when it called it."""

    def __init__(self, message: str, parser: expat.XMLParserType) -> None:
        super().__init__(message)
        self.message = message
        self.line = parser.CurrentLineNumber
        self.column = parser.CurrentColumnNumber + 1


def _check_well_formed(data: bytes, path: str | None, encoding: str = "utf-8") -> bool:
    """Let expat check well-formedness and nesting depth; refuse entities before any expansion.

    Returns whether the DOCTYPE names an external DTD: expat then lets
    references to undefined entities in attribute values pass.

    Counting the depth in Python handlers, one call per start and end tag,
    costs twice what expat alone costs (0.45 s of 0.7 s for a 23 MB file).
    So expat first runs without them, and the depth is measured on the
    checked bytes in C (``_nests_deeper``); only a file that may nest too
    deeply, or that expat refuses, is parsed again with the handlers, which
    give the first error, with its position, exactly as a single run would.
    """
    if encoding in _ASCII_MARKUP:
        hidden: list[int] = []
        try:
            external, doctype = _expat(data, hidden)
        except (_Refused, LookupError, expat.ExpatError):
            pass  # the run below gives the first error: one of nesting may come before this one
        else:
            if not doctype and not _nests_deeper(data, hidden, MAX_DEPTH):
                return external
    try:
        return _expat(data, None)[0]
    except _Refused as err:
        raise ParseError(err.message, line=err.line, column=err.column, path=path) from None
    except LookupError as err:
        raise ParseError(f"unsupported encoding: {err}", path=path) from None
    except expat.ExpatError as err:
        message = expat.ErrorString(err.code) or "not well-formed"
        raise ParseError(f"not well-formed XML: {message}", line=err.lineno, column=err.offset + 1, path=path) from None


def _expat(data: bytes, hidden: list[int] | None) -> tuple[bool, bool]:
    """Run expat over ``data``: (whether a DOCTYPE names an external DTD, whether there is a DOCTYPE).

    With ``hidden`` None, handlers refuse elements nested deeper than
    ``MAX_DEPTH``; otherwise nothing is called per element, and ``hidden``
    gets the byte offset of each comment, CDATA section, processing
    instruction and XML declaration (for ``_nests_deeper``).  Raises
    ``_Refused``, ``LookupError`` or ``expat.ExpatError``.
    """
    parser = expat.ParserCreate(intern=None)  # the names are not kept: interning them only costs time
    # The handlers reach the parser (for its position) through this list, emptied when parsing
    # ends: holding it directly would make a cycle (the parser holds them) that only the
    # collector frees, and a linter reads with the collector paused (the parser's tables are
    # megabytes for a big file).
    current = [parser]

    def refuse_entity(*_args: object) -> None:
        raise _Refused("DTD entity declarations are refused (they allow XXE and entity expansion attacks)", current[0])

    def refuse_external(*_args: object) -> int:
        raise _Refused("external entities are refused", current[0])

    def refuse_skipped(name: str, _parameter: bool) -> None:
        # only reached when a DOCTYPE names an external DTD, which icecfg never reads
        raise _Refused(f"undefined entity &{name};", current[0])

    external = doctype = False

    def start_doctype(_name: str, system_id: str | None, public_id: str | None, _internal: bool) -> None:
        nonlocal external, doctype
        external = bool(system_id or public_id)
        doctype = True

    parser.StartDoctypeDeclHandler = start_doctype
    parser.EntityDeclHandler = refuse_entity
    parser.UnparsedEntityDeclHandler = refuse_entity
    parser.ExternalEntityRefHandler = refuse_external
    parser.SkippedEntityHandler = refuse_skipped
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    if hidden is None:
        # the names of the open elements; an end tag removes one of its name (which one does not matter)
        open_elements: list[str] = []
        push = open_elements.append

        def start(name: str, _attributes: list[str]) -> None:
            push(name)
            if len(open_elements) > MAX_DEPTH:
                raise _Refused(f"elements nested deeper than {MAX_DEPTH} levels", current[0])

        parser.ordered_attributes = True
        parser.StartElementHandler = start
        parser.EndElementHandler = open_elements.remove
    else:

        def mark(*_args: object) -> None:
            hidden.append(current[0].CurrentByteIndex)

        parser.CommentHandler = mark
        parser.StartCdataSectionHandler = mark
        parser.ProcessingInstructionHandler = mark
        parser.XmlDeclHandler = mark
    try:
        parser.Parse(data, True)
    finally:
        current.clear()
    return external, doctype


#: Encodings in which every byte below 128 is that ASCII character and no other byte is part of
#: markup, so that the bytes can be searched for "<", "/", ">" and quotes (see ``_nests_deeper``).
_ASCII_MARKUP = frozenset({"utf-8", "ascii", "iso8859-1", "iso8859-15", "cp1252"})

#: Every byte but the marks of tags: "<", "/", ">", quotes, and "\x02" (the "/" of an end tag).
_NOT_MARKS = bytes(sorted(set(range(256)) - set(b"<>/\"'\x02")))
#: Every byte but "<" (a start tag) and ")" (an end tag).
_NOT_BRACKETS = bytes(sorted(set(range(256)) - set(b"<)")))

#: An empty-element tag reduced to its marks (``<`` then its quoted values then ``/>``), reversed:
#: read from its "/>" back to its "<", so that a match is tried at each "/>", not at every "<".
_EMPTY_ELEMENT_REVERSED = re.compile(rb""">/(?:"[^"<]*"|'[^'<]*')*<""")


def _nests_deeper(data: bytes, hidden: list[int], limit: int) -> bool:
    r"""Whether well-formed ``data`` nests elements more than ``limit`` deep; True also when unsure.

    ``data`` has no DOCTYPE (whose literals may hold "<"), and ``hidden``
    holds the offset of every comment, CDATA section, PI and XML declaration
    in it.  Outside those, "<" only starts a tag (text and attribute values
    cannot hold it), and once every byte but "<", "/", ">" and quotes is
    deleted (``bytes.translate``, in C), with the "/" of each "</" turned
    into "\x02" first:

    - an end tag is ``<\x02>``;
    - a start tag is ``<``, its attribute values in quotes, ``>``;
    - an empty-element tag is the same, ending in ``/>`` (a value may hold
      "/>" too: the quotes tell which one ends the tag);
    - text leaves only "/", ">" and quotes, never "<".

    With each empty-element tag taken as a start and an end tag, start and
    end tags become "<" and ")": balanced brackets.  Deleting every "<)"
    (the elements with no element inside) takes exactly one level off the
    deepest nesting, so the depth is the number of rounds until nothing is
    left.  tests/test_document_depth.py holds this to the depth expat reports.
    """
    if b"\x02" in data:  # not in well-formed XML; if it were, "\x02" would not stand for end tags alone
        return True
    spans = _visible(data, hidden)
    if spans is None:
        return True
    # the pieces are joined first: pieces of a few hundred bytes, each replaced and translated,
    # left megabytes of freed memory in the process; big buffers go back to the system
    view = memoryview(data)
    visible = b"".join([view[lo:hi] for lo, hi in spans]) if hidden else data
    marks = visible.replace(b"</", b"<\x02").translate(None, _NOT_MARKS)
    del visible
    # an empty element is a start tag and an end tag: "<" and "<\x02", written reversed
    marks = _EMPTY_ELEMENT_REVERSED.sub(b"\x02<<", marks[::-1])[::-1]
    brackets = marks.replace(b"<\x02", b")").translate(None, _NOT_BRACKETS)
    for _ in range(limit):
        if not brackets:
            return False
        brackets = brackets.replace(b"<)", b"")
    return bool(brackets)


def _visible(data: bytes, hidden: list[int]) -> list[tuple[int, int]] | None:
    """The spans of ``data`` around the comments, CDATA sections and PIs starting at ``hidden``.

    None if one of them is not where expat said it starts (the caller then
    checks the depth with expat).
    """
    spans = []
    position = 0
    find = data.find
    for start in hidden:
        opening = data[start : start + 2]
        if opening == b"<!":
            opening = data[start : start + 4]
        end = _HIDDEN_END.get(opening)
        found = -1 if end is None or start < position else find(end, start + len(opening))
        if end is None or found < 0:
            return None
        spans.append((position, start))
        position = found + len(end)
    spans.append((position, len(data)))
    return spans


#: How a comment, CDATA section ("<![C"), PI or XML declaration begins, and what ends it.
_HIDDEN_END = {b"<!--": b"-->", b"<![C": b"]]>", b"<?": b"?>"}


def _check_attribute_references(root: Element, path: str | None) -> None:
    """Refuse references to entities icecfg cannot expand without the DTD (it never reads one)."""
    for element in root.iter():
        for attr in element.attributes:
            for match in _REF.finditer(attr.raw) if "&" in attr.raw else ():
                if not match[1].startswith("#") and match[1] not in _PREDEFINED:
                    line, column = element.position(attr.start + len(attr.name) + len(attr.eq) + 1 + match.start())
                    raise ParseError(f"undefined entity &{match[1]};", line=line, column=column, path=path)
