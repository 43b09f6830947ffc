"""Stray text directly in a block, and a template's placeholder standing there.

Every release ignores text between a block's elements; 2.5 also logs it at
each start as an unknown tag (``listen-socket/text``).  The text goes, with
the line it stood on when it had one of its own.  Text that holds a template
placeholder (``{TLS_SOCKET_OPTS}`` on a line of its own) is no stray text:
the template tool writes elements there, which migrate cannot see.  It stays,
and is reported as a loss for the user to settle in the template.
"""

from __future__ import annotations

from icecfg.document import Element
from icecfg.migrate.context import Context
from icecfg.placeholders import find
from icecfg.placement import walk


def remove_stray(ctx: Context) -> None:
    root = ctx.config.document.root
    for block in [root, *(p.element for p in walk(root) if p.section is not None)]:
        children = block.children
        for index, child in enumerate(children):
            if not isinstance(child, str) or not child.strip(" \t\r\n"):
                continue
            shown = child.strip(" \t\r\n")
            if find(shown):
                _markup_left(ctx, block, shown)
                continue
            kept = [line for line in child.split("\n") if not line.strip(" \t\r")]
            ctx.record(
                block,
                "remove",
                f"text {shown[:40]!r} directly in <{block.local_name}>: every release ignores it,"
                f" {ctx.target.label} logs it as an unknown tag",
            )
            children[index] = "\n".join(kept) if len(kept) > 1 else "".join(kept)
            block._touch()


def _markup_left(ctx: Context, block: Element, shown: str) -> None:
    """Report a placeholder among ``block``'s elements: what it renders to is for the template to migrate."""
    ctx.record(
        block,
        "kept",
        f"template placeholder {shown[:40]!r} stands among the elements of <{block.local_name}>, left for its "
        f"template engine: the elements it writes are not migrated; make them what {ctx.target.label} reads "
        f"(check them with icecfg migrate on the rendered file)",
        keeps_behaviour=False,
        follows_intent=False,
        lost=True,
        edit=False,
    )
