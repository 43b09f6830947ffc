"""The regular expressions that cut checked, well-formed text into tokens and find element ends."""

from __future__ import annotations

import functools
import re

_TOKEN = re.compile(
    r"""
    (?P<ws>[ \t\r\n]*)
    (?:
        <(?P<name>[^\s/>!?]+)(?:>(?P<leaf>[^<]*)</(?P=name)>|(?:[^>"'/]+|"[^"]*"|'[^']*')*(?P<start>/?)>)
      | (?P<end></[^\s>]+\s*>)
      | (?P<comment><!--)
      | (?P<cdata><!\[CDATA\[[^\]]*(?:\](?!\]>)[^\]]*)*\]\]>)
      | (?P<pi><\?[^?]*(?:\?(?!>)[^?]*)*\?>)
      | (?P<doctype><!DOCTYPE(?:[^\[>"']+|"[^"]*"|'[^']*'|\[(?:<!--.*?-->|"[^"]*"|'[^']*'|[^\]"'])*\])*>)
      | (?P<text>[^<]+)
    )
    """,
    re.S | re.X,
)
"""One token, with the whitespace before it: the last group that matched names its kind.

``leaf`` is ``<name>value</name>`` in one step (most of icecast.xml), ``start``
a start tag (its value is "/" for ``<name/>``); for ``text`` the whitespace is
part of the text.
"""


@functools.lru_cache(maxsize=256)
def _opening(name: str) -> re.Pattern[str]:
    """The start of a start tag called ``name`` (not of a longer name)."""
    return re.compile("<" + re.escape(name) + r"(?=[\s/>])")


_END_TAG_REST = re.compile(r"\s*>")
_START_TAG_REST = re.compile(r"""(?:[^>"'/]+|"[^"]*"|'[^']*')*(/?)>""")


def _find_end(text: str, name: str, position: int) -> tuple[int, int]:
    """Span of the end tag closing the element called ``name`` whose content starts at ``position``.

    The text is well-formed (expat said so), so that end tag is the first
    ``</name>`` that is neither inside a comment, CDATA section or PI nor
    owned by a nested element of the same name.  The search runs in
    ``str.find`` (C speed) and visits only CDATA sections, PIs and namesakes,
    each once; comments cost nothing extra, because only the last one before
    a candidate can hide it (comments neither nest nor hold "<!--").
    """
    close = "</" + name
    opening = _opening(name)
    depth = 1
    end = cdata = question = same = -1  # -1: not looked for yet
    while True:
        if end < position:
            end = text.find(close, position)
            cdata = question = same = -1
        if cdata < position:
            cdata = text.find("<![", position, end)
            cdata = end if cdata < 0 else cdata
        if question < position:
            question = text.find("<?", position, end)
            question = end if question < 0 else question
        if same < position:
            found = opening.search(text, position, end)
            same = end if found is None else found.start()
        first = min(cdata, question, same)
        comment = text.rfind("<!--", position, first)
        if comment >= 0:
            comment_end = text.find("-->", comment + 4) + 3
            if comment_end > first:  # what was found is inside a comment
                position = comment_end
                continue
        if first == end:
            rest = _END_TAG_REST.match(text, end + len(close))
            if rest is None:  # </namesake>, a longer name: not ours
                position = end + len(close)
                continue
            depth -= 1
            if not depth:
                return end, rest.end()
            position = rest.end()
        elif first == cdata:
            position = text.find("]]>", cdata + 9) + 3
        elif first == question:
            position = text.find("?>", question + 2) + 2
        else:
            tag = _START_TAG_REST.match(text, same + 1 + len(name))
            assert tag is not None, "expat accepted the start tag"
            if not tag[1]:
                depth += 1
            position = tag.end()


def _find_root_end(text: str, name: str, position: int) -> tuple[int, int]:
    """Span of the root's end tag: usually the last ``</name>`` in the text, found from the end."""
    end = text.rfind("</" + name)
    rest = _END_TAG_REST.match(text, end + 2 + len(name))
    if rest is not None and text.find("-->", end) < 0 and text.find("?>", end) < 0:
        # nothing after it could hold it (a comment or PI would end after it)
        return end, rest.end()
    return _find_end(text, name, position)
