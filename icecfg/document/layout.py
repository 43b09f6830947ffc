"""Layout as written: line breaks, indentation and where an element stands among its siblings.

These read elements but never build or type-test one, so Element imports them
at import time; rendering, which does, lives in ``render``.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from icecfg.document.origin import _LINE_BREAK

if TYPE_CHECKING:
    from icecfg.document.nodes import Element, Node


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
    """The line ending most used by the document: "" for one written on one line, LF for one not parsed.

    Worked out once per parsed text and kept on its origin: each edit that
    inserts an element asks, and counting the line breaks of a big file for
    each of thousands of edits (migrate) made their cost the edits x the file.
    """
    node: Element | None = root
    while node is not None and node.origin is None:
        node = node.parent
    if node is None or node.origin is None:
        return "\n"
    origin = node.origin
    if origin.newline is None:
        origin.newline = _most_used_newline(origin.text)
    return origin.newline


def _most_used_newline(text: str) -> str:
    """The line ending most used in ``text``; "" when it has none."""
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
    first = root.first_element()
    if first is not None:
        indent = _indent(first)
        if indent and _starts_line(first):
            return indent[len(_indent(root)) :] or indent
    return "    "


def _indent(element: Element) -> str:
    """The whitespace before this element on its line."""

    if element.start >= 0:
        text = _origin_text(element)
        if text is not None:
            line_start = max(text.rfind("\n", 0, element.start), text.rfind("\r", 0, element.start)) + 1
            prefix = text[line_start : element.start]
            return prefix if not prefix.strip(" \t") else re.match(r"[ \t]*", prefix)[0]  # type: ignore[index]
    index = _index_of(element.parent.children, element) if element.parent is not None else -1
    if index > 0:
        before = element.parent.children[index - 1]  # type: ignore[union-attr]
        if isinstance(before, str):
            _head, sep, tail = _rsplit_line(before)
            if sep and not tail.strip(" \t"):
                return tail
    return ""


def _layout(element: Element, after: Element | None) -> tuple[str, str, str]:
    """(newline, indentation of a new child, indentation step) near ``after``."""

    root = element
    while root.parent is not None:
        root = root.parent
    newline = _document_newline(root)
    unit = _indent_unit(root)
    sibling = after
    if sibling is None:
        sibling = next(iter(reversed(list(element.elements()))), None)
    if sibling is not None:
        indent = _indent(sibling)
        # a sibling on the parent's line means a compact, one-line layout
        if not _starts_line(sibling):
            return "", "", ""
        return newline, indent, unit
    if not _LINE_BREAK.search(_origin_text(element) or "\n") or not newline:
        return "", "", ""
    return newline, _indent(element) + unit, unit
