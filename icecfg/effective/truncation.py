"""Where a release stops reading an ``<http-headers>`` block (2.4.4's comment trap).

Kept apart from :mod:`icecfg.effective.headers` so that the lint rule that
reports the trap loads only this.
"""

from __future__ import annotations

from typing import NamedTuple

from icecfg.document import CData, Comment, Element, ProcessingInstruction
from icecfg.spec import Dialect

#: The header types Icecast 2.5 accepts (``corpse`` is its alias of ``cors``).
TYPES_25 = ("static", "cors", "corpse")


class Stop(NamedTuple):
    """Where a dialect stops reading an ``<http-headers>`` block, and why.

    A named tuple rather than a dataclass: it is on ``icecfg lint``'s start-up path.
    """

    at: int  # position in the block's children
    node: object
    reason: str


def stop(block: Element, dialect: Dialect) -> Stop | None:
    """The first node of ``block`` that makes ``dialect`` stop reading it, if any."""
    for index, node in enumerate(block.children):
        if isinstance(node, str):
            if node.strip() and dialect is Dialect.V24:
                return Stop(index, node, f"the text {node.strip()[:20]!r}")
            continue
        if isinstance(node, CData):
            if node.value.strip() and dialect is Dialect.V24:
                return Stop(index, node, "a CDATA section")
            continue
        if isinstance(node, (Comment, ProcessingInstruction)):
            if dialect is Dialect.V24:
                what = "comment" if isinstance(node, Comment) else "processing instruction"
                return Stop(index, node, f"the {what} on line {block.position(node.start)[0]}")
            continue
        if not isinstance(node, Element):
            continue
        if node.local_name != "header":
            if dialect is Dialect.V24:
                return Stop(index, node, f"<{node.local_name}>")
            continue
        name = node.get("name")
        if name is None:
            return Stop(index, node, "a <header> without a name attribute")
        if node.get("value") is None and dialect is Dialect.V24:
            return Stop(index, node, f'<header name="{name}"> without a value attribute')
        kind = node.get("type")
        if kind is not None and (kind != "static" if dialect is Dialect.V24 else kind not in TYPES_25):
            return Stop(index, node, f'<header name="{name}" type="{kind}">')
    return None
