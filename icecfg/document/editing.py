"""Editing that keeps the layout as written: removing an element with its line, inserting one on a new line.

These read and rewrite the whitespace around elements; Element's ``remove``
and ``insert_formatted`` call them, so they never build or type-test an
element and Element imports them at import time.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from icecfg.document.deferred import format_new
from icecfg.document.layout import _indent, _index_of, _layout, _rsplit_line, _starts_line
from icecfg.document.leaves import Comment
from icecfg.document.origin import _LINE_BREAK

if TYPE_CHECKING:
    from icecfg.document.nodes import Element, Node


def remove_with_line(parent: Element, child: Element) -> None:
    """``Element.remove``: drop ``child`` with its indentation and line end when it stands on a line alone."""

    index = _index_of(parent.children, child)
    lo, hi = index, index + 1
    before = parent.children[index - 1] if index > 0 else None
    after = parent.children[index + 1] if index + 1 < len(parent.children) else None
    if isinstance(before, str) and isinstance(after, str):
        head, sep, indent = _rsplit_line(before)
        if sep and not indent.strip(" \t"):
            trail = re.match(r"[ \t]*(\r\n|\r|\n)", after)
            if trail is not None:
                # drop "indent<child>trailing-spaces+newline"; keep the rest
                merged = head + sep + after[trail.end() :]
                replacement: list[Node] = [merged] if merged else []
                parent.children[index - 1 : index + 2] = replacement
                child.parent = None
                parent._touch()
                return
    del parent.children[lo:hi]
    child.parent = None
    parent._touch()


def insert_formatted(
    parent: Element, child: Element, after: Element | None = None, before: Element | None = None
) -> None:
    """``Element.insert_formatted``: put ``child`` on a new line laid out like its neighbours'."""

    newline, indent, unit = _layout(parent, after or before)
    format_new(child, indent, unit, newline)
    if before is not None and after is None:
        index = _index_of(parent.children, before)
        starts_line = _starts_line(before)
        if starts_line:
            index = _above_its_comments(parent.children, index)
        previous = parent.children[index - 1] if index > 0 else None
        if newline and isinstance(previous, str) and starts_line:
            head, sep, tail = _rsplit_line(previous)
            parent.children[index - 1] = head + sep + tail
            parent.insert(index, child)
            parent.insert(index + 1, newline + tail)
            return
        parent.insert(index, child)
        return
    if after is not None:
        index = _index_of(parent.children, after) + 1
        # skip what shares ``after``'s line, up to the first line break
        while index < len(parent.children):
            node = parent.children[index]
            split = _LINE_BREAK.search(node) if isinstance(node, str) else None
            if isinstance(node, str) and split is not None:
                head, rest = node[: split.end()], node[split.end() :]
                parent.children[index : index + 1] = [head + indent, newline + rest]
                parent.insert(index + 1, child)
                return
            index += 1
        if not newline:
            parent.insert(_index_of(parent.children, after) + 1, child)
            return
        # ``after`` is on the line of the closing tag: open a new line
        parent.insert(index, newline + indent)
        parent.insert(index + 1, child)
        return
    # append as the last child, before the closing tag's indentation
    last = parent.children[-1] if parent.children else None
    if isinstance(last, str) and _LINE_BREAK.search(last):
        head, sep, tail = _rsplit_line(last)
        parent.children[-1:] = [head + sep + indent, newline + tail]
        parent.insert(len(parent.children) - 1, child)
        return
    if newline:
        parent_indent = _indent(parent)
        parent.insert(len(parent.children), newline + indent)
        parent.insert(len(parent.children), child)
        parent.insert(len(parent.children), newline + parent_indent)
    else:
        parent.insert(len(parent.children), child)


def _above_its_comments(children: list[Node], index: int) -> int:
    """Where to insert "before" the node at ``index``: above the comments on the lines just above it.

    A comment on its own line right above an element (no blank line
    between) speaks of that element; a new element put between the two
    would seem to be what the comment describes.
    """
    while index >= 2:
        gap, comment = children[index - 1], children[index - 2]
        if not (isinstance(gap, str) and isinstance(comment, Comment) and _one_line_break(gap)):
            break
        lead = children[index - 3] if index >= 3 else None
        if not isinstance(lead, str) or not _LINE_BREAK.search(lead) or _rsplit_line(lead)[2].strip(" \t"):
            break  # the comment shares a line with what stands before it: it is that one's
        index -= 2
    return index


def _one_line_break(text: str) -> bool:
    """Whitespace that ends exactly one line: what stands between a comment and the element below it."""
    return not text.strip() and len(_LINE_BREAK.findall(text)) == 1
