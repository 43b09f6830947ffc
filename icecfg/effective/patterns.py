"""Mount names as patterns: ``fnmatch(pattern, name, FNM_PATHNAME)`` the way Icecast calls it."""

from __future__ import annotations

import re
from functools import lru_cache

#: Characters that make a mount name a pattern (KH's template test; 2.4's fnmatch needs only *?[).
TEMPLATE_CHARS = re.compile(r"[*?\[+!@$]")


@lru_cache(maxsize=256)
def glob_regex(pattern: str) -> re.Pattern[str]:
    """``fnmatch(pattern, name, FNM_PATHNAME)``: wildcards never match ``/``."""
    out = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
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


def is_pattern(name: str) -> bool:
    return TEMPLATE_CHARS.search(name) is not None


def glob_match(pattern: str, name: str) -> bool:
    """Whether mount name ``name`` matches ``pattern`` (plain names only match themselves)."""
    if not TEMPLATE_CHARS.search(pattern):
        return pattern == name
    try:
        return glob_regex(pattern).match(name) is not None
    except re.error:
        return False
