"""What a lint rule reports."""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field


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


@dataclass(slots=True)  # a big file can have tens of thousands: no __dict__ each
class Finding:
    """One problem at one place of one file.

    ``message`` names the element and the value involved but never a secret.
    ``fix``, when set, edits the configuration the lint ran on (through the
    lossless model, so only the lines concerned change).
    """

    code: str
    name: str
    severity: Severity
    message: str
    path: str
    line: int
    column: int
    end_line: int
    end_column: int = 0
    #: The line of the element the finding is about (where suppressions apply).
    anchor_line: int = 0
    fix: Callable[[], None] | None = field(default=None, repr=False, compare=False)
    fix_title: str = ""

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
