"""The expat check run before anything is read: well-formedness, depth, and no entity expansion."""

from __future__ import annotations

from xml.parsers import expat

from icecfg.document.escaping import _PREDEFINED, _REF
from icecfg.document.nodes import Element
from icecfg.errors import ParseError

#: Inputs larger than this are refused: a real icecast.xml is a few KiB.
MAX_BYTES = 64 * 1024 * 1024
#: Elements nested deeper than this are refused: icecast.xml nests about 6 deep.
MAX_DEPTH = 64


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

    # the names of the open elements; an end tag removes one of its name (which one does not matter)
    open_elements: list[str] = []
    push = open_elements.append

    def start(name: str, _attributes: list[str]) -> None:
        push(name)
        if len(open_elements) > MAX_DEPTH:
            raise _Refused(f"elements nested deeper than {MAX_DEPTH} levels", current[0])

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
    finally:
        current.clear()
    return external


def _check_attribute_references(root: Element, path: str | None) -> None:
    """Refuse references to entities icecfg cannot expand without the DTD (it never reads one)."""
    for element in root.iter():
        for attr in element.attributes:
            for match in _REF.finditer(attr.raw) if "&" in attr.raw else ():
                if not match[1].startswith("#") and match[1] not in _PREDEFINED:
                    line, column = element.position(attr.start + len(attr.name) + len(attr.eq) + 1 + match.start())
                    raise ParseError(f"undefined entity &{match[1]};", line=line, column=column, path=path)
