"""The secrets of a configuration: values never to be printed, and how to find them in text.

Every command that shows a file's content (lint's findings and diffs, bake's
lint errors, migrate's diff) masks these; they are a fact of the file, not of
one command, so they are worked out here, below the commands that mask them.

What a command prints is the file as written, not as parsed: a password
``a&amp;b`` is printed with its reference, one written over two lines is
printed on two.  So a secret is kept both as the value Icecast reads and as
the file spells it, and :func:`spellings` cuts each into what can stand on
one printed line; :func:`spans` finds those in a line of text or bytes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import AnyStr

from icecfg.document import Element, Leaf, escape_attribute, escape_text
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
        if not item.element.has_attributes:
            continue  # most elements: their attribute list is not even built
        for attribute in item.element.attributes:
            if _is_secret_attribute(item, attribute.name) and not is_placeholder_only(attribute.value):
                found.update((attribute.value, attribute.raw))
    found.discard("")
    return frozenset(found)


def spellings(secrets: Iterable[str]) -> list[str]:
    """Every form in which a secret can show up on one printed line, longest first.

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
    return sorted(found, key=lambda s: (-len(s), s))


def spans(line: AnyStr, pieces: Sequence[AnyStr]) -> list[tuple[int, int]]:
    """Where ``pieces`` stand in ``line``: ``(start, stop)`` in order, overlapping ones merged.

    Merged, so that two secrets that overlap are masked as one and no end of
    either is left showing.
    """
    found: list[tuple[int, int]] = []
    for piece in pieces:
        at = line.find(piece)
        while at >= 0:
            found.append((at, at + len(piece)))
            at = line.find(piece, at + 1)
    merged: list[tuple[int, int]] = []
    for lo, hi in sorted(found):
        if merged and lo <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
        else:
            merged.append((lo, hi))
    return merged


def hide(line: AnyStr, found: Sequence[tuple[int, int]], mask: AnyStr) -> AnyStr:
    """``line`` with each of the ``found`` spans (as :func:`spans` gives them) replaced by ``mask``."""
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
