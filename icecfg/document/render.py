"""Rendering an element back to text, and laying out elements icecfg creates."""

from __future__ import annotations

from icecfg.document.nodes import Element, Node


def format_new(element: Element, indent: str, unit: str, newline: str) -> None:
    """Lay out a created element's element children one per line, nested by ``unit``."""
    if element.origin is not None:
        return  # parsed (or copied) text keeps its own layout
    kids = [c for c in element.children if isinstance(c, Element)]
    if not kids or any(isinstance(c, str) and c.strip(" \t\r\n") for c in element.children):
        return  # a value or mixed content
    inner = indent + unit
    laid: list[Node] = []
    for child in [c for c in element.children if not isinstance(c, str)]:
        laid.append(newline + inner)
        laid.append(child)
        if isinstance(child, Element):
            format_new(child, inner, unit, newline)
    laid.append(newline + indent)
    element.children = laid


def _render(element: Element, out: list[str]) -> None:
    if element._clean and element.origin is not None:
        out.append(element.origin.text[element.start : element.end])
        return
    out.append(element.start_tag)
    for child in element.children:
        if isinstance(child, str):
            out.append(child)
        elif not isinstance(child, Element):
            out.append(child.raw)
        elif child._clean and child.origin is not None:  # the usual unchanged sibling: a slice, no call
            out.append(child.origin.text[child.start : child.end])
        else:
            _render(child, out)
    if element._end_raw is not None:
        out.append(element._end_raw or f"</{element.name}>")
