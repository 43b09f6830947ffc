"""Inline suppression comments.

    <!-- icecfg: ignore[ICE501] the demo server is local only -->
    <source-password>hackme</source-password>

A comment ``icecfg: ignore[CODES]`` silences those codes (or prefixes) for the
element on the same line or on the line after the comment; without a code
list it silences every rule there.  ``icecfg: ignore-file[CODES]`` anywhere
silences them in the whole file.  Text after the bracket is the reason.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterator

from icecfg.document import Comment, Document, Element
from icecfg.records import Record

_DIRECTIVE = re.compile(r"icecfg:\s*(ignore-file|ignore)\b(?:\[([^\]]*)\])?")


class Suppression(Record):
    """One directive: where it is and what it silences (the engine keeps which ones were used)."""

    #: Slots: a file may have one per mount, none needs a ``__dict__``.
    __slots__ = ("codes", "column", "end_line", "line", "own_line", "whole_file")

    line: int
    end_line: int
    column: int
    codes: tuple[str, ...]
    whole_file: bool
    #: Whether the comment stands alone on its line (then it covers the next line).
    own_line: bool

    def __init__(
        self, line: int, end_line: int, column: int, codes: tuple[str, ...], whole_file: bool, own_line: bool = True
    ) -> None:
        self.line = line
        self.end_line = end_line
        self.column = column
        self.codes = codes
        self.whole_file = whole_file
        self.own_line = own_line

    def matches(self, code: str) -> bool:
        return not self.codes or any(code.startswith(c) for c in self.codes)

    def covers(self, code: str, line: int) -> bool:
        if not self.matches(code):
            return False
        if self.whole_file or line in (self.line, self.end_line):
            return True
        return self.own_line and line == self.end_line + 1


def collect(document: Document) -> list[Suppression]:
    """Every suppression directive in the document's comments."""
    found: list[Suppression] = []
    root = document.root
    comments: list[tuple[Comment, Element | None]] = [(c, None) for c in document.prolog if isinstance(c, Comment)]
    unedited = root.unedited_text
    if unedited is None or "icecfg:" in unedited:  # else no directive below the root (and nothing edited)
        for element, marked in _comments_to_search(root):
            comments.extend([(c, element) for c in marked])
    comments.extend((c, None) for c in document.epilog if isinstance(c, Comment))
    if not comments:
        return found
    origin = root.origin
    text = origin.text if origin is not None else ""
    # the origin's lookup itself, not the root's wrapper round it (one per comment of a big file)
    position = origin.position if origin is not None and not origin.detached else root.position
    lists: dict[str, tuple[str, ...]] = {}
    for comment, _owner in comments:
        start = comment.start
        if start >= 0:
            raw = comment.raw
            line, column = position(start)
            # the comment's last line: its own line breaks counted, when they are all LF (the usual
            # file), instead of a second lookup in the file's line table
            end_line = line + raw.count("\n") if "\r" not in raw else position(start + len(raw) - 1)[0]
            line_start = start - column + 1  # not a backward search: that reads the file once per comment
            own_line = not text[line_start:start].strip()
        else:
            line, column, end_line, own_line = 0, 0, 0, True
        for match in _DIRECTIVE.finditer(comment.content):
            listed = match[2]
            codes = lists.get(listed) if listed else ()
            if codes is None:  # a file with a directive per mount lists the same codes each time
                codes = lists[listed] = tuple(c.strip().upper() for c in listed.split(",") if c.strip())
            found.append(Suppression(line, end_line, column, codes, match[1] == "ignore-file", own_line=own_line))
    return found


def _comments_to_search(root: Element) -> Iterator[tuple[Element, list[Comment]]]:
    """The elements whose comments may hold a directive, in the order of ``root.iter()``.

    Each comes with its comments that hold the literal "icecfg:" (a directive
    needs it, so only those are read further).  In a document as read
    (nothing edited), a directive's comment lies inside the text span of
    every element that holds it, so an element whose span holds no
    "icecfg:" is skipped with all it contains: a file with a directive per
    mount costs one pass over the root's children (sorting out its elements
    and comments together), not a look at every element.
    """
    text = root.unedited_text
    if text is None:
        for element in root.iter():
            yield element, [c for c in element.children if c.__class__ is Comment and "icecfg:" in c.raw]
        return
    marks: list[int] = []
    found = text.find("icecfg:")
    while found >= 0:
        marks.append(found)
        found = text.find("icecfg:", found + 1)
    stack = [root]
    while stack:
        element = stack.pop()
        children: list[Element] = []
        marked: list[Comment] = []
        add = children.append
        for child in element.children:
            if isinstance(child, Element):
                add(child)
            elif isinstance(child, Comment) and "icecfg:" in child.raw:
                marked.append(child)
        yield element, marked
        if not children:
            continue
        # the children holding a mark: each mark looked up among the children's starts (a file with
        # a directive per mount has thousands of marks, but ten times as many children of the root)
        starts = [c.start for c in children]
        holding: set[int] = set()
        for mark in marks[bisect_left(marks, starts[0]) : bisect_left(marks, element.end)]:
            index = bisect_right(starts, mark) - 1
            if index >= 0 and mark < children[index].end:
                holding.add(index)
        stack.extend(children[i] for i in sorted(holding, reverse=True))
