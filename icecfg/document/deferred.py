"""Late links from Element to the reader and the renderer.

The reader and the renderer build and type-test elements, so they import
``nodes``; Element reaches them through these functions, which import them on
first call instead of at import time, so that no module imports in a cycle.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from icecfg.document.nodes import Element, Node


def _read_content(element: Element) -> list[Node]:
    from icecfg.document.reader import _read_content as read_content

    return read_content(element)


def _read_subtree(element: Element) -> None:
    from icecfg.document.reader import _read_subtree as read_subtree

    read_subtree(element)


def _render(element: Element, out: list[str]) -> None:
    from icecfg.document.render import _render as render

    render(element, out)


def format_new(element: Element, indent: str, unit: str, newline: str) -> None:
    from icecfg.document.render import format_new as lay_out

    lay_out(element, indent, unit, newline)
