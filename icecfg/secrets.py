"""The secrets of a configuration: values never to be printed, and how to find them in text.

Every command that shows a file's content (lint's findings and diffs, bake's
lint errors, migrate's diff) masks these; they are a fact of the file, not of
one command, so they are worked out here, below the commands that mask them.

What a command prints is the file as written, not as parsed: a password
``a&amp;b`` is printed with its reference, one written over two lines is
printed on two.  So a secret is kept both as the value Icecast reads and as
the file spells it, and :func:`spellings` cuts each into what can stand on
one printed line; :meth:`Spellings.spans` finds them in a line of text or bytes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from typing import AnyStr, Generic

from icecfg.document import Element, Leaf, decode_attribute, escape_attribute, escape_text
from icecfg.placeholders import is_placeholder_only
from icecfg.placement import Placed, walk
from icecfg.spec import SECTIONS, Kind

#: ``<option name=... value=.../>`` names whose value is a secret (url authenticators).
SECRET_OPTIONS = ("password", "auth_password")

#: What a secret is printed as.
MASK = "***"

_LINE_BREAK = re.compile(r"\r\n?|\n")

#: Every name a password element goes by: only an attribute so named can be KH's form of one.
_PASSWORD_NAMES = frozenset(
    name
    for section in SECTIONS.values()
    for row in section.children
    if row.value is not None and row.value.kind is Kind.PASSWORD
    for name in (row.name, *row.aliases)
)


def secrets(root: Element) -> frozenset[str]:
    """Every password-kind value in the document under ``root``, as read and as written."""
    return placed_secrets(walk(root))


def placed_secrets(placed: Iterable[Placed]) -> frozenset[str]:
    """Every password-kind value among ``placed`` (elements with their table rows), as read and as written.

    A password is an element's text, the value of an authenticator's secret
    ``<option>``, or (KH's form) an attribute of its block named after it
    (``<authentication source-password="...">``), whichever release the
    file is for: printed, it is a password in every one of them.  So is an
    element named like a password where no release reads it (a 2.4
    ``<admin-password>`` outside ``<authentication>``, a misspelt block).
    """
    found: set[str] = set()
    for item in placed:
        row = item.row
        if row is None:
            # unknown here (misplaced, or in a misspelt block the walk does not enter): no release
            # reads it, but it is printed, and a password-named element in it holds a password
            for element in item.element.iter():
                if element.local_name in _PASSWORD_NAMES:
                    _add_text(found, element)
        elif row.value is not None and row.value.kind is Kind.PASSWORD:
            _add_text(found, item.element)
        elif row.value is not None and row.value.kind is Kind.URL and item.element.text:
            _add_url_passwords(found, (item.element.text, _content_as_written(item.element)))
        if not item.element.has_attributes:
            continue  # most elements: their attribute list is not even built
        # names and values as written, not Attr objects (one per attribute of a large file, kept on it)
        for name, raw in item.element.attribute_items():
            if _is_secret_attribute(item, name):
                value = decode_attribute(raw)
                if not is_placeholder_only(value):
                    found.update((value, raw))
            elif "@" in raw:  # an authenticator's or a directory's URL
                _add_url_passwords(found, (decode_attribute(raw), raw))
    found.discard("")
    return frozenset(found)


def spellings(secrets: Iterable[str]) -> Spellings[str]:
    """Every form in which a secret can show up on one printed line, indexed to be found in one.

    A secret spanning lines is cut at its line breaks; each piece is also
    taken stripped (its indentation is the file's, not the secret's) and
    XML-escaped as icecfg writes a value it sets.  Blank pieces are left
    alone: masking every space would hide the line.
    """
    found: set[str] = set()
    for secret in secrets:
        for piece in _LINE_BREAK.split(secret):
            for form in (piece, piece.strip()):
                if form.strip():
                    found.update((form, escape_text(form), escape_attribute(form, '"'), escape_attribute(form, "'")))
    return Spellings(found)


#: Characters of the window a line is read through (see :class:`Spellings`).
_WINDOW = 4

#: At most every this many characters a line is read (see :class:`Spellings`): the pieces are
#: filed under this many windows each.
_MAX_STRIDE = 8


class Spellings(Generic[AnyStr]):
    """Pieces of secrets (text or bytes), filed so that one pass over a line finds every one of them.

    A command may print tens of thousands of lines (each finding's message
    and source line, a diff) of a file that holds tens of thousands of
    passwords, one per mount: looking for every piece in every line costs
    lines x pieces (a 10,000-mount file took a minute to report).  So the
    pieces of at least ``_WINDOW`` characters are filed under substrings of
    that length (windows), and a line is read window by window: only the
    pieces filed under a window it holds are compared, and those by one
    lookup for each place and length they are filed at (``secret1`` ...
    ``secret9999`` all hold ``secr``).

    Nor is every window of a line read: a piece of ``L`` characters holds
    ``L - _WINDOW + 1`` of them, so reading every ``stride``-th window, the
    shortest piece's count (at most ``_MAX_STRIDE``), lands on one of the
    first ``stride`` windows of every piece wherever it stands, and each
    piece is filed under those.  Passwords of eight characters or more make
    the line read a fifth of the times.  Pieces shorter than a window are
    looked up by length at every character.
    """

    __slots__ = ("_filed", "_pieces", "_short", "_stride")

    def __init__(self, pieces: Iterable[AnyStr]) -> None:
        #: Longest first, blank ones dropped.
        self._pieces: list[AnyStr] = sorted({p for p in pieces if p.strip()}, key=lambda p: (-len(p), p))
        #: Window -> (where it stands in the piece, the piece's length) -> the pieces so filed.
        self._filed: dict[AnyStr, dict[tuple[int, int], set[AnyStr]]] = {}
        #: Length -> the pieces shorter than a window, of that length.
        self._short: dict[int, set[AnyStr]] = {}
        long = [piece for piece in self._pieces if len(piece) >= _WINDOW]
        self._stride = min(min((len(p) - _WINDOW + 1 for p in long), default=1), _MAX_STRIDE)
        for piece in self._pieces:
            if len(piece) < _WINDOW:
                self._short.setdefault(len(piece), set()).add(piece)
        filed = self._filed
        for piece in long:
            for at in range(self._stride):
                window = piece[at : at + _WINDOW]
                groups = filed.get(window)
                if groups is None:
                    groups = filed[window] = {}
                group = groups.get((at, len(piece)))
                if group is None:
                    groups[at, len(piece)] = {piece}
                else:
                    group.add(piece)

    def __bool__(self) -> bool:
        return bool(self._pieces)

    def __iter__(self) -> Iterator[AnyStr]:
        """The pieces, longest first."""
        return iter(self._pieces)

    def encoded(self: Spellings[str], encoding: str) -> Spellings[bytes]:
        """The same pieces as a file in ``encoding`` writes them (a character it lacks as a reference)."""
        return Spellings([p.encode(encoding, "xmlcharrefreplace") for p in self._pieces])

    def spans(self, line: AnyStr) -> list[tuple[int, int]]:
        """Where the pieces stand in ``line``: ``(start, stop)`` in order, overlapping ones merged.

        Merged, so that two secrets that overlap are masked as one and no end
        of either is left showing.
        """
        found: list[tuple[int, int]] = []
        filed = self._filed
        if filed:
            get = filed.get
            for i in range(0, len(line) - _WINDOW + 1, self._stride):
                groups = get(line[i : i + _WINDOW])
                if groups is not None:
                    for (offset, length), pieces in groups.items():
                        start = i - offset
                        if start >= 0 and line[start : start + length] in pieces:
                            found.append((start, start + length))
        for length, short in self._short.items():
            for i in range(len(line) - length + 1):
                if line[i : i + length] in short:
                    found.append((i, i + length))
        merged: list[tuple[int, int]] = []
        for lo, hi in sorted(found):
            if merged and lo <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
            else:
                merged.append((lo, hi))
        return merged


def hide(line: AnyStr, found: Sequence[tuple[int, int]], mask: AnyStr) -> AnyStr:
    """``line`` with each of the ``found`` spans (as :meth:`Spellings.spans` gives them) replaced by ``mask``."""
    parts: list[AnyStr] = []
    last = 0
    for lo, hi in found:
        parts += [line[last:lo], mask]
        last = hi
    parts.append(line[last:])
    return mask[:0].join(parts)


def _add_text(found: set[str], element: Element) -> None:
    """Add the password ``element`` holds, as read, stripped and as written (a placeholder is none)."""
    text = element.text
    if text and not is_placeholder_only(text):  # ${ADMIN_PASSWORD} names a secret, is none
        found.update((text, text.strip(), _content_as_written(element)))


#: The password of a URL's user information (``http://user:PASSWORD@host/``), as far as it runs.
_URL_PASSWORD = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^/?#@:\s]*:([^/?#@\s]+)@")


def _add_url_passwords(found: set[str], spellings: Iterable[str]) -> None:
    """Add the password of each URL in ``spellings`` (the value as read and as written; a placeholder is none).

    ``<upstream><uri>`` and an authenticator's ``listener_add`` can carry
    credentials, ``http://user:password@host/``: printed, the password is one.
    """
    for text in spellings:
        for match in _URL_PASSWORD.finditer(text):
            if not is_placeholder_only(match[1]):
                found.add(match[1])


def _content_as_written(element: Element) -> str:
    """The element's content as the file spells it: references, CDATA and comments as they stand."""
    return "".join(
        child if isinstance(child, str) else child.raw if isinstance(child, Leaf) else child.render()
        for child in element.children
    )


def _is_secret_attribute(item: Placed, name: str) -> bool:
    """Whether attribute ``name`` of the placed element holds a secret.

    ``value`` (or ``password``) of an ``<option name="password" .../>`` of a
    url authenticator, and a password child KH reads as an attribute of its
    block (``<authentication admin-password="...">``).
    """
    element = item.element
    if element.local_name == "option":
        return name in ("password", "value") and (element.get("name") or "") in SECRET_OPTIONS
    if name not in _PASSWORD_NAMES:
        return False
    section = item.section
    if section is None:
        return False
    row = section.kh_attribute_children().get(name)
    return row is not None and row.value is not None and row.value.kind is Kind.PASSWORD
