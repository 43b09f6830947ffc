"""2.4.4 stops reading an ``<http-headers>`` block early; 2.5 reads on.

2.4.4 leaves the block (``break``) at the first child that is not a
``<header>`` (an XML comment included), at a header without ``name`` or
``value`` and at a ``type`` other than ``static``; every later header was
never sent.  2.5 skips comments and other elements and takes headers without
a value and of ``type="cors"``.  To keep what 2.4.4 sent, the headers it
never read but 2.5 would are removed; ``--intent`` keeps them.
"""

from __future__ import annotations

from icecfg.document import Comment, Element
from icecfg.migrate.context import Context


def _stops_24(node: object) -> bool:
    if isinstance(node, Comment):
        return True
    if not isinstance(node, Element):
        return False
    if node.local_name != "header":
        return True
    return node.get("name") is None or node.get("value") is None or (node.get("type") or "static") != "static"


def typed_for_25(node: Element) -> bool:
    """A ``<header>`` of a type 2.5 sends and 2.4.4 stops at (``type="cors"``): written for 2.5, not 2.4."""
    return node.local_name == "header" and (node.get("type") or "static") != "static" and not _stops_25(node)


def _stops_25(node: Element) -> bool:
    return node.get("name") is None or (node.get("type") or "static") not in ("static", "cors", "corpse")


def cut_where_24_stopped(ctx: Context) -> None:
    for block in [e for e in ctx.config.document.root.iter() if e.local_name == "http-headers"]:
        stopped_at: object = None
        for node in list(block.children):
            if stopped_at is None:
                if _stops_24(node):
                    stopped_at = node
                else:
                    continue
            if not isinstance(node, Element) or node.local_name != "header":
                continue
            if _stops_25(node):
                break  # 2.5 stops here too: what follows is unread by both
            what = "a comment" if isinstance(stopped_at, Comment) else _describe(stopped_at)
            reason = f"{ctx.source.label} stopped reading <http-headers> at {what} and never sent this header"
            ctx.unread(node, reason)


def _describe(node: object) -> str:
    if isinstance(node, Element):
        return f"<{node.local_name}> on line {node.line}" if node.start >= 0 else f"<{node.local_name}>"
    return "a node it does not read"
