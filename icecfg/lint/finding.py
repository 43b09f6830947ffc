"""What a lint rule reports."""

from __future__ import annotations

import enum
from collections.abc import Callable

from icecfg.records import Record


class Severity(str, enum.Enum):
    """How bad a finding is; ``--fail-on`` compares against this order."""

    INFO = "info"
    WARNING = "warning"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return {"info": 0, "warning": 1, "error": 2}[self.value]


#: Where rule documentation lives, for links in every output format.
DOCS_URL = "https://github.com/icecfg/icecfg/blob/main/docs/rules/{code}.md"


class Finding(Record):
    """One problem at one place of one file.

    ``message`` names the element and the value involved but never a secret.
    ``fix``, when set, edits the configuration the lint ran on (through the
    lossless model, so only the lines concerned change).
    """

    #: Slots: a big file can have tens of thousands of findings, none needs a ``__dict__``.
    __slots__ = (
        "anchor_line",
        "code",
        "column",
        "end_column",
        "end_line",
        "fix",
        "fix_title",
        "line",
        "message",
        "name",
        "path",
        "severity",
    )
    _uncompared = frozenset({"fix"})
    _unshown = frozenset({"fix"})

    code: str
    name: str
    severity: Severity
    message: str
    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    #: The line of the element the finding is about (where suppressions apply).
    anchor_line: int
    fix: Callable[[], None] | None
    fix_title: str

    def __init__(
        self,
        code: str,
        name: str,
        severity: Severity,
        message: str,
        path: str,
        line: int,
        column: int,
        end_line: int,
        end_column: int = 0,
        anchor_line: int = 0,
        fix: Callable[[], None] | None = None,
        fix_title: str = "",
    ) -> None:
        self.code = code
        self.name = name
        self.severity = severity
        self.message = message
        self.path = path
        self.line = line
        self.column = column
        self.end_line = end_line
        self.end_column = end_column
        self.anchor_line = anchor_line
        self.fix = fix
        self.fix_title = fix_title

    @property
    def url(self) -> str:
        return DOCS_URL.format(code=self.code)

    def to_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "name": self.name,
            "severity": self.severity.value,
            "message": self.message,
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            "url": self.url,
            "fixable": self.fix is not None,
        }

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.line, self.column, self.code)
