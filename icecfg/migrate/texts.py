"""Stray text directly in a block (``{TLS_SOCKET_OPTS}`` left by a template).

Every release ignores it; 2.5 also logs it at each start as an unknown tag
(``listen-socket/text``).  The text goes, with the line it stood on when it
had one of its own.
"""

from __future__ import annotations

from icecfg.migrate.context import Context
from icecfg.placement import walk


def remove_stray(ctx: Context) -> None:
    root = ctx.config.document.root
    for block in [root, *(p.element for p in walk(root) if p.section is not None)]:
        children = block.children
        for index, child in enumerate(children):
            if not isinstance(child, str) or not child.strip(" \t\r\n"):
                continue
            shown = child.strip(" \t\r\n")
            kept = [line for line in child.split("\n") if not line.strip(" \t\r")]
            ctx.record(
                block,
                "remove",
                f"text {shown[:40]!r} directly in <{block.local_name}>: every release ignores it,"
                f" {ctx.target.label} logs it as an unknown tag",
            )
            children[index] = "\n".join(kept) if len(kept) > 1 else "".join(kept)
            block._touch()
