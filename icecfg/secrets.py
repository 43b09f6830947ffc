"""The secrets of a configuration: values never to be printed.

Every command that shows a file's content (lint's findings and diffs, bake's
lint errors, migrate's diff) masks these; they are a fact of the file, not of
one command, so they are worked out here, below the commands that mask them.
"""

from __future__ import annotations

from collections.abc import Iterable

from icecfg.document import Element
from icecfg.placeholders import is_placeholder_only
from icecfg.placement import Placed, walk
from icecfg.spec import Kind

#: ``<option name=... value=.../>`` names whose value is a secret (url authenticators).
SECRET_OPTIONS = ("password", "auth_password")


def secrets(root: Element) -> frozenset[str]:
    """Every password-kind value in the document under ``root``."""
    return placed_secrets(walk(root))


def placed_secrets(placed: Iterable[Placed]) -> frozenset[str]:
    """Every password-kind value among ``placed`` (elements with their table rows)."""
    found: set[str] = set()
    for item in placed:
        row = item.row
        if row is not None and row.value is not None and row.value.kind is Kind.PASSWORD:
            text = item.element.text
            if text and not is_placeholder_only(text):  # ${ADMIN_PASSWORD} names a secret, is none
                found.add(text)
                found.add(text.strip())
        if not item.element.has_attributes:
            continue  # most elements: their attribute list is not even built
        for attribute in item.element.attributes:
            if (
                attribute.name in ("password", "value")
                and _is_secret_option(item.element)
                and not is_placeholder_only(attribute.value)
            ):
                found.add(attribute.value)
    found.discard("")
    return frozenset(found)


def _is_secret_option(element: Element) -> bool:
    """``<option name="password" value="..."/>`` of a url authenticator holds a secret."""
    return element.local_name == "option" and (element.get("name") or "") in SECRET_OPTIONS
