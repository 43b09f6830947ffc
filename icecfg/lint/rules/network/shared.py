"""What several network rules ask: the root's elements, the sockets, the advertised host name."""

from __future__ import annotations

from icecfg.document import Element
from icecfg.effective.listeners import Listener
from icecfg.lint.context import LintContext


def root_elements(ctx: LintContext, name: str) -> list[Element]:
    """Direct children ``name`` of the root, in document order."""
    return list(ctx.config.document.root.elements(name))


def listeners(ctx: LintContext) -> list[Listener]:
    """The sockets Icecast binds, as the effective configuration computes them."""
    return list(ctx.effective.listeners)


def hostname(ctx: LintContext) -> tuple[Element | None, str | None]:
    """The ``<hostname>`` element the target reads and its text (None, None: not written)."""
    element = ctx.effective.hostname.origin.element
    return element, element.text if element is not None else None
