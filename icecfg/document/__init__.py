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

from icecfg.document.attributes import Attr
from icecfg.document.escaping import decode_attribute, decode_text, escape_attribute, escape_text
from icecfg.document.file import Document
from icecfg.document.leaves import CData, Comment, Doctype, Leaf, ProcessingInstruction, Whitespace
from icecfg.document.lines import Lines
from icecfg.document.nodes import Element, Node
from icecfg.document.reader import parse, parse_fragment
from icecfg.document.render import format_new
from icecfg.document.safety import MAX_BYTES, MAX_DEPTH

__all__ = [
    "MAX_BYTES",
    "MAX_DEPTH",
    "Attr",
    "CData",
    "Comment",
    "Doctype",
    "Document",
    "Element",
    "Leaf",
    "Lines",
    "Node",
    "ProcessingInstruction",
    "Whitespace",
    "decode_attribute",
    "decode_text",
    "escape_attribute",
    "escape_text",
    "format_new",
    "parse",
    "parse_fragment",
]
