"""Find placeholders in a value and render them with given variables."""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache

from icecfg.placeholders.syntaxes import ESCAPES, SYNTAXES, Syntax
from icecfg.records import FrozenRecord


class Placeholder(FrozenRecord):
    """One placeholder occurrence in a value."""

    __slots__ = ("default", "end", "name", "op", "start", "syntax", "text")

    syntax: Syntax
    #: The variable it is looked up by.
    name: str
    #: The placeholder as written, e.g. ``${PORT}``.
    text: str
    #: Offsets of ``text`` in the value.
    start: int
    end: int
    #: Shell parameter-expansion operator (``:-``, ``-``, ``:=``, ``=``, ``:+``, ``+``, ``:?``, ``?``) or "".
    op: str
    default: str

    def __init__(
        self, syntax: Syntax, name: str, text: str, start: int, end: int, op: str = "", default: str = ""
    ) -> None:
        _set = object.__setattr__
        _set(self, "syntax", syntax)
        _set(self, "name", name)
        _set(self, "text", text)
        _set(self, "start", start)
        _set(self, "end", end)
        _set(self, "op", op)
        _set(self, "default", default)

    def value(self, variables: Mapping[str, str]) -> str | None:
        """What the template tool writes for it with ``variables``, or None when it has no value."""
        given = variables.get(self.name)
        op = self.op.lstrip(":")
        unset = given is None or (self.op.startswith(":") and given == "")
        if op == "+":
            return "" if unset else self.default
        if op in ("-", "=") and unset:
            return self.default
        return given


@cache
def _inline() -> re.Pattern[str]:
    escapes = "|".join(re.escape(e) for e in ESCAPES)
    parts = [f"(?P<esc>{escapes})"] + [
        f"(?P<s{i}>{_renamed(s.pattern, i)})" for i, s in enumerate(SYNTAXES) if not s.whole_value
    ]
    return re.compile("|".join(parts))


@cache
def _whole() -> list[tuple[Syntax, re.Pattern[str]]]:
    return [(s, re.compile(r"\s*(" + s.pattern + r")\s*\Z")) for s in SYNTAXES if s.whole_value]


def _renamed(pattern: str, index: int) -> str:
    """Give a syntax's groups names unique in the combined expression."""
    return re.sub(r"\(\?P<(\w+)>", lambda m: f"(?P<{m[1]}{index}>", pattern)


@cache
def _any() -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{_renamed(s.pattern, i)})" for i, s in enumerate(SYNTAXES)))


def may_contain(text: str) -> bool:
    """False when no placeholder can be anywhere in ``text``: one pass over a whole file.

    A cheap test before looking value by value; True may still mean none
    (an escaped ``$$``, a ``$name$`` that is not a whole value).
    """
    return _any().search(text) is not None


def find(text: str) -> list[Placeholder]:
    """Every placeholder in ``text``, in order.  Cheap when there is none."""
    if not any(c in text for c in "$@%{["):
        return []
    for syntax, whole in _whole():
        match = whole.match(text)
        if match is not None:
            return [Placeholder(syntax, match["name"], match[1], match.start(1), match.end(1))]
    found: list[Placeholder] = []
    for match in _inline().finditer(text):
        if match.lastgroup == "esc" or match.lastgroup is None:
            continue
        index = int(match.lastgroup[1:])
        syntax = SYNTAXES[index]
        groups = match.groupdict()
        found.append(
            Placeholder(
                syntax,
                groups[f"name{index}"],
                match[0],
                match.start(),
                match.end(),
                groups.get(f"op{index}") or "",
                (groups.get(f"default{index}") or "") if groups.get(f"op{index}") else "",
            )
        )
    return found


def is_placeholder_only(text: str) -> bool:
    """True when ``text`` is nothing but placeholders and whitespace (a template's stand-in value)."""
    found = find(text)
    if not found:
        return False
    rest = text
    for placeholder in reversed(found):
        rest = rest[: placeholder.start] + rest[placeholder.end :]
    return not rest.strip()


def render(text: str, variables: Mapping[str, str]) -> tuple[str, list[Placeholder]]:
    """``text`` with every placeholder that has a value replaced; and the placeholders left as written."""
    found = find(text)
    if not found:
        return text, []
    out: list[str] = []
    left: list[Placeholder] = []
    last = 0
    for placeholder in found:
        value = placeholder.value(variables)
        out.append(text[last : placeholder.start])
        if value is None:
            out.append(placeholder.text)
            left.append(placeholder)
        else:
            out.append(value)
        last = placeholder.end
    out.append(text[last:])
    return "".join(out), left
