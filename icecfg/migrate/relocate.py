"""Rename an element, move it into another section or block, or change its text.

The last occurrence of a scalar wins in every Icecast release, so when the
destination already holds an element of the new name (in any of its blocks:
the blocks of a repeated section such as ``<authentication>`` make one
setting), whichever the old release read last is the one kept, and it is
written where the target release reads it last.
"""

from __future__ import annotations

from icecfg import spec
from icecfg.document import Element
from icecfg.migrate.context import Context, remove
from icecfg.model import Field, Section
from icecfg.placement import Placed


def move(
    ctx: Context,
    placed: Placed,
    replacement: spec.Replacement,
    text: str | None,
    keeps: bool,
    follows: bool,
    note: str,
) -> None:
    element = placed.element
    old = f"<{element.local_name}>"
    new_name = replacement.name or element.local_name
    parent = element.parent
    assert parent is not None
    flags = {"keeps_behaviour": keeps, "follows_intent": follows}
    if replacement.path:
        section = section_at(ctx.config, replacement.path)
        destination = section.element
        where = "<" + "><".join(replacement.path) + ">"
    elif replacement.wrap is not None:
        section = None
        destination = _wrap_block(parent, replacement.wrap)
        where = f"<{replacement.wrap[0]}>"
    else:
        section = None
        destination = parent
        where = ""
    blocks = section.elements if section is not None else [destination] if destination is not None else []
    rivals = _rivals(ctx, element, new_name, [*blocks, parent])
    later = [r for r in rivals if ctx.original(r).start > ctx.original(element).start]
    if later:
        ctx.drop(element, f"{old} is overridden by a later {_named(ctx, later[0])} (the last one wins)", **flags)
        return
    for rival in rivals:
        ctx.drop(rival, f"overridden by the later {old}, which becomes <{new_name}> here", **flags)
    if not where and new_name == element.local_name and (text is None or text == element.text):
        return  # already written as the target release wants it
    what = []
    if new_name != element.local_name:
        what.append(f"{old} is <{new_name}> in {ctx.target.label}")
    if where:
        what.append(f"it belongs in {where} there")
    if text is not None and text != element.text:
        what.append(f"{element.text!r} is written {text!r} for {ctx.target.label}")
    reason = "; ".join(what) or "rewritten"
    if note:
        reason = f"{reason} ({note})"
    action = "move" if where else ("rename" if new_name != element.local_name else "value")
    if not where:
        ctx.record(element, action, reason, **flags)
        if new_name != element.local_name:
            element.rename(new_name)
        if text is not None and text != element.text:
            element.set_text(text)
        return
    # a new element (not a parsed copy): it takes its indentation from its new siblings
    copy = Element(new_name, {a.name: a.value for a in element.attributes})
    copy.set_text(text if text is not None else element.text or "")
    ctx.written_for[id(copy)] = ctx.original(element)
    ctx.record(element, action, reason, **flags)
    remove(element)
    if section is not None:
        section._place(leaf_field(section, new_name), copy)
    else:
        assert destination is not None
        destination.insert_formatted(copy)


def _rivals(ctx: Context, element: Element, new_name: str, blocks: list[Element]) -> list[Element]:
    """The other elements of ``blocks`` the old release read for the setting ``element`` makes.

    Those called ``new_name`` or the element's own name, in every block of
    the destination and where the element stands.  One the old release
    ignored there set nothing: it is no rival (its own row removes it, or
    ``--intent`` keeps it, and the element moved after it is the one read).
    """
    names = {new_name, element.local_name}
    found: list[Element] = []
    for block in dict.fromkeys(blocks):  # the parent may be a destination block: each once
        found += [c for c in block.elements_named(names) if c is not element and ctx.read_by_source(c)]
    return found


def _named(ctx: Context, element: Element) -> str:
    """``<source-password> on line 7``: an element of the file, for a reason."""
    line = ctx.original(element).line
    return f"<{element.local_name}> on line {line}" if line else f"<{element.local_name}>"


def section_at(config: Section, path: tuple[str, ...]) -> Section:
    """The model section at ``path`` (tags from the root); created on first write."""
    section = config
    for tag in path:
        field = next(f for f in type(section)._fields.values() if f.kind == "block" and tag in f.tags)
        section = getattr(section, field.name)
    return section


def leaf_field(section: Section, tag: str) -> Field:
    return next(f for f in type(section)._fields.values() if f.kind in ("leaf", "texts") and tag in f.tags)


def _wrap_block(parent: Element, wrap: tuple[str, tuple[tuple[str, str], ...]]) -> Element:
    """The child block of ``parent`` the element moves into, created before the first flat child."""
    tag, attributes = wrap
    for child in parent.elements(tag):
        if all(child.get(k) == v for k, v in attributes):
            return child
    block = Element(tag, dict(attributes))
    first = next((c for c in parent.elements() if c.local_name != tag), None)
    if first is not None:
        parent.insert_formatted(block, before=first)
    else:
        parent.insert_formatted(block)
    return block


__all__ = ["leaf_field", "move", "section_at"]
