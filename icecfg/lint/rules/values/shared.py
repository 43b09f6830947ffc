"""What several values rules share."""

from __future__ import annotations

from collections.abc import Callable

from icecfg import spec
from icecfg.conversion import (
    TypedValueError,
    is_int,
    parse_typed,
)
from icecfg.document import Element
from icecfg.lint.context import LintContext
from icecfg.lint.rules.common import read_by_row
from icecfg.placement import Placed
from icecfg.spec import Dialect, Kind


def is_listen_port(value: spec.Value) -> bool:
    """The ports Icecast binds (root ``<port>`` and listen-socket ``<port>``)."""
    return value is spec.LISTEN_PORT


def binds(ctx: LintContext, placed: Placed) -> bool:
    """Whether a ``<port>``/``<bind-address>`` is used for binding a socket.

    The root ones configure an implicit socket that exists only while no
    ``<listen-socket>`` does (2.4, 2.5: they then only feed generated URLs).
    """
    if placed.parent is not spec.ROOT:
        return placed.parent.id == "listen-socket"
    return not any(
        p.parent is spec.ROOT for row, group in read_by_row(ctx).values() if row.name == "listen-socket" for p in group
    )


def set_text_fix(element: Element, text: str) -> Callable[[], None]:
    """A fix that replaces the element's text."""

    def fix() -> None:
        element.set_text(text)

    return fix


def is_number(kind: Kind, text: str, target: Dialect) -> bool:
    if (kind is Kind.SIZE and target is Dialect.KH) or kind is Kind.BITRATE:
        try:
            parse_typed(kind, text)
        except TypedValueError:
            return False
        return True
    return is_int(text)
