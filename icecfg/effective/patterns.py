"""Mount names as patterns: ``fnmatch(pattern, name, FNM_PATHNAME)`` the way Icecast calls it.

KH calls ``fnmatch`` without flags for its templates: there a wildcard also
matches ``/`` (``pathname=False``).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Generic, TypeVar

T = TypeVar("T")
#: A pattern as a GlobIndex files it: (position in file order, pattern, item).
_Entry = tuple[int, str, T]

#: Characters that make a mount name a pattern (KH's template test; 2.4's fnmatch needs only *?[).
TEMPLATE_CHARS = re.compile(r"[*?\[+!@$]")
#: The characters ``fnmatch`` does not match literally.
_WILDCARD = re.compile(r"[*?\[]")


def glob_regex(pattern: str, pathname: bool = True) -> re.Pattern[str]:
    """``fnmatch(pattern, name, FNM_PATHNAME)`` as a regular expression (cached for the common few)."""
    return _cached_regex(pattern, pathname)


def _compile(pattern: str, pathname: bool = True) -> re.Pattern[str]:
    """``fnmatch(pattern, name, FNM_PATHNAME)``: wildcards never match ``/`` (``pathname=False``: they do)."""
    any_run, any_one = ("[^/]*", "[^/]") if pathname else ("(?s:.*)", "(?s:.)")
    out = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "*":
            out.append(any_run)
        elif char == "?":
            out.append(any_one)
        elif char == "[":
            end = pattern.find("]", i + 2 if pattern[i + 1 : i + 2] in ("!", "]") else i + 1)
            if end < 0:
                out.append(re.escape(char))
            else:
                body = pattern[i + 1 : end]
                if body.startswith("!"):
                    body = "^" + body[1:]
                out.append("[" + body.replace("\\", "\\\\") + "]")
                i = end
        else:
            out.append(re.escape(char))
        i += 1
    return re.compile("".join(out) + r"\Z")


_cached_regex = lru_cache(maxsize=256)(_compile)


def is_pattern(name: str) -> bool:
    return TEMPLATE_CHARS.search(name) is not None


def glob_match(pattern: str, name: str, pathname: bool = True) -> bool:
    """Whether mount name ``name`` matches ``pattern`` (plain names only match themselves)."""
    if not TEMPLATE_CHARS.search(pattern):
        return pattern == name
    star = _one_star(pattern)
    if star is not None:
        return _star_match(star, name, pathname)
    try:
        return glob_regex(pattern, pathname).match(name) is not None
    except re.error:
        return False


class GlobIndex(Generic[T]):
    """Patterns in file order, filed by the literal text they start with.

    ``fnmatch`` matches the characters of a pattern before its first wildcard
    (``*``, ``?`` or ``[``) literally, so a pattern can only match names that
    start with that prefix.  A lookup probes the prefixes of the name (only at
    the lengths some pattern has), merges the few candidates by position and
    matches them in file order: the first match is the one a scan of every
    pattern would find, without the scan.  Finding the mount of n names then
    does not grow as n x patterns.  Most names match no pattern at all: the
    first characters every prefix starts with (as many as the shortest has)
    turn them away with one lookup.
    """

    __slots__ = ("_by_prefix", "_compiled", "_lengths", "_pathname", "_stems")

    def __init__(self, pathname: bool = True) -> None:
        #: False: wildcards also match ``/`` (KH's templates).
        self._pathname = pathname
        #: Prefix -> its one pattern, or a list of them in file order.  Nearly every prefix
        #: has one pattern, and a list for each would be one more object per glob mount.
        self._by_prefix: dict[str, _Entry[T] | list[_Entry[T]]] = {}
        self._lengths: list[int] = []
        #: Each prefix cut to the shortest prefix's length: a name starting with none of them matches nothing.
        self._stems: set[str] = set()
        #: Each pattern compiled once (the module's small LRU cache would thrash on thousands).
        self._compiled: dict[str, re.Pattern[str] | None] = {}

    def add(self, position: int, pattern: str, item: T) -> None:
        """File ``pattern``; positions must be added in increasing order."""
        wildcard = _WILDCARD.search(pattern)
        prefix = pattern[: wildcard.start()] if wildcard else pattern
        entry = (position, pattern, item)
        filed = self._by_prefix.get(prefix)
        if filed is None:
            self._by_prefix[prefix] = entry
            if len(prefix) not in self._lengths:
                self._lengths = sorted([*self._lengths, len(prefix)])
                if self._lengths[0] == len(prefix):  # a new shortest prefix: fewer characters to compare
                    self._stems = {known[: len(prefix)] for known in self._by_prefix}
            self._stems.add(prefix[: self._lengths[0]])
        elif isinstance(filed, list):
            filed.append(entry)
        else:
            self._by_prefix[prefix] = [filed, entry]

    def first_match(self, name: str, limit: int | None = None) -> tuple[int, T] | None:
        """The first pattern in file order (at a position up to ``limit``) that matches ``name``."""
        if not self._lengths or name[: self._lengths[0]] not in self._stems:
            return None
        candidates: list[_Entry[T]] | None = None
        merged = False
        by_prefix = self._by_prefix
        longest = len(name)
        for length in self._lengths:
            if length > longest:
                break
            filed = by_prefix.get(name[:length])
            if filed is not None:
                bucket = filed if isinstance(filed, list) else [filed]
                if candidates is None:
                    candidates = bucket  # in file order already: read, never changed
                else:
                    candidates = candidates + bucket
                    merged = True
        if candidates is None:
            return None
        if merged:
            candidates.sort(key=_position)
        for position, pattern, item in candidates:
            if limit is not None and position > limit:
                break
            if self._matches(pattern, name):
                return position, item
        return None

    def _matches(self, pattern: str, name: str) -> bool:
        if pattern == name and "[" not in pattern:
            return True  # a glob mount looked up by its own name: each * and ? matches itself
        if not TEMPLATE_CHARS.search(pattern):
            return pattern == name
        star = _one_star(pattern)
        if star is not None:
            return _star_match(star, name, self._pathname)
        if pattern not in self._compiled:
            try:
                self._compiled[pattern] = _compile(pattern, self._pathname)
            except re.error:
                self._compiled[pattern] = None
        compiled = self._compiled[pattern]
        return compiled is not None and compiled.match(name) is not None


def _position(entry: tuple[int, str, object]) -> int:
    return entry[0]


def _one_star(pattern: str) -> tuple[str, str] | None:
    """(text before, text after) the ``*`` of a pattern with one ``*`` and no other wildcard, else None.

    Most glob mounts are ``/prefix-*`` or ``/name*.ext``: they match without
    compiling a regular expression, which costs far more than the match when
    a file has thousands of them.
    """
    if pattern.count("*") != 1 or "?" in pattern or "[" in pattern or "\\" in pattern:
        return None
    head, _star, tail = pattern.partition("*")
    return head, tail


def _star_match(parts: tuple[str, str], name: str, pathname: bool = True) -> bool:
    """What the regular expression of ``head*tail`` answers: ``*`` matches any run of characters but ``/``."""
    head, tail = parts
    middle_end = len(name) - len(tail)
    return (
        middle_end >= len(head)
        and name.startswith(head)
        and name.endswith(tail)
        and (not pathname or "/" not in name[len(head) : middle_end])
    )
