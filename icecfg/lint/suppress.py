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
from dataclasses import dataclass, field

from icecfg.document import Comment, Document, Element

_DIRECTIVE = re.compile(r"icecfg:\s*(ignore-file|ignore)\b(?:\[([^\]]*)\])?")


@dataclass
class Suppression:
    """One directive: where it is, what it silences, and whether anything used it."""

    line: int
    end_line: int
    column: int
    codes: tuple[str, ...]
    whole_file: bool
    used: set[str] = field(default_factory=set)

    def matches(self, code: str) -> bool:
        return not self.codes or any(code.startswith(c) for c in self.codes)

    #: Whether the comment stands alone on its line (then it covers the next line).
    own_line: bool = True

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
    origin = root.origin
    if origin is not None and root._clean and not origin.detached and "icecfg:" not in origin.text:
        return found  # no directive anywhere in the file as read (and nothing edited)
    comments: list[tuple[Comment, Element | None]] = [(c, None) for c in document.prolog if isinstance(c, Comment)]
    for element in root.iter():
        comments.extend((c, element) for c in element.children if isinstance(c, Comment))
    comments.extend((c, None) for c in document.epilog if isinstance(c, Comment))
    for comment, _owner in comments:
        for match in _DIRECTIVE.finditer(comment.content):
            codes = tuple(c.strip().upper() for c in (match[2] or "").split(",") if c.strip())
            start = comment.start
            line, column = root.position(start) if start >= 0 else (0, 0)
            end_line = root.position(start + len(comment.raw) - 1)[0] if start >= 0 else 0
            text = root.origin.text if root.origin is not None else ""
            line_start = start - column + 1  # not a backward search: that reads the file once per comment
            own_line = start < 0 or not text[line_start:start].strip()
            found.append(Suppression(line, end_line, column, codes, match[1] == "ignore-file", own_line=own_line))
    return found
