"""Defaults that differ: an element the file leaves out means one thing to the old release and another to 2.5.

KH waits 5 s for request headers, 2.5 waits 15; KH moves listeners back from
a fallback by default, 2.5 does not.  Where a block the file has lacks such
an element, the old release's default is written into it (indented like its
siblings, where the documentation places it).  A default 2.5 cannot be told
(KH's source password ``changeme``, 2.4.4's relay port 0) is reported.
"""

from __future__ import annotations

from icecfg import sections, spec
from icecfg.document import Element
from icecfg.effective.fallbacks import FALLBACK_OPTIONS
from icecfg.migrate.context import Context, attached
from icecfg.migrate.readings import reading
from icecfg.migrate.relocate import leaf_field
from icecfg.model import Section
from icecfg.placement import walk

_CLASSES: dict[str, type[Section]] = {
    cls._spec_id: cls
    for cls in vars(sections).values()
    if isinstance(cls, type) and issubclass(cls, Section) and "_spec_id" in vars(cls)
}


#: A block, its section row, and an element row the block leaves out whose default differs.
Missing = tuple[Element, spec.SectionRow, spec.ElementRow, str, str]


def missing(ctx: Context) -> list[Missing]:
    """The elements each block leaves out whose default differs, in the file as the old release read it.

    Taken before the rewrites: a child they move elsewhere (a relay's
    ``<port>`` into ``<upstream>``) was there for the old release, and one
    the old release ignored (removed by its row) was not.
    """
    root = ctx.config.document.root
    found: list[Missing] = []
    merged = _merged_blocks(ctx)
    for placed in walk(root):
        element, section = placed.element, placed.section
        if section is None:
            continue
        present = merged.get(id(element))
        if present is None:
            present = {child.local_name for child in element.elements() if id(child) not in ctx.ignored}
        elif not present:
            continue  # a block merged with a later one: the default is written into the last
        for row in section.children:
            if row.value is None or row.section is not None or present & {row.name, *row.aliases}:
                continue
            if ctx.source not in row.dialects or ctx.target not in row.dialects:
                continue
            old, new = reading(row, None, ctx.source), reading(row, None, ctx.target)
            if old is None or new is None or old == new:
                continue
            found.append((element, section, row, old, new))
    return found


def _merged_blocks(ctx: Context) -> dict[int, set[str]]:
    """Blocks every release merges when repeated (``<limits>``, ``<paths>`` ...): what each group holds.

    Each such block is read in turn and a later value wins, so an element
    any of them holds is what the old release used, not its default.  The
    last block of each group (same parent, same row) maps to the names the
    group holds; the others to an empty set: the default goes into the last
    block once, not into each (where it would also replace a value an
    earlier block set).
    """
    groups: dict[tuple[int, int], list[Element]] = {}
    for placed in walk(ctx.config.document.root):
        row = placed.row
        if row is not None and row.section is not None and row.repeat is spec.Repeat.EACH:
            groups.setdefault((id(placed.element.parent), id(row)), []).append(placed.element)
    out: dict[int, set[str]] = {}
    for blocks in groups.values():
        names = {child.local_name for block in blocks for child in block.elements() if id(child) not in ctx.ignored}
        for block in blocks:
            out[id(block)] = set()
        out[id(blocks[-1])] = names
    return out


def keep(ctx: Context, absent: list[Missing]) -> None:
    """Write the old release's default for each element ``absent`` names, into its block where it still stands."""
    root = ctx.config.document.root
    without_fallback = _mounts_without_fallback(ctx)
    for element, section, row, old, new in absent:
        if not attached(element, root) or element.elements_named({row.name, *row.aliases}):
            continue  # the block went (a row removed it), or --intent kept one the old release ignored
        if row.name in FALLBACK_OPTIONS and id(element) in without_fallback:
            continue  # nothing for it to act on, on either release: 2.5 would only warn at every start
        _write(ctx, element, section, row, old, new)


def _mounts_without_fallback(ctx: Context) -> set[int]:
    """The ``<mount>`` blocks (by identity) with no fallback of their own nor merged from a default mount, on 2.5.

    The fallback options act only on a mount's fallback (ICE605): KH's
    default for them changes nothing on such a mount, and 2.5 logs "contains
    fallback options but no fallback mount" for each one written there.
    """
    from icecfg.effective.config import EffectiveConfig

    graph = EffectiveConfig(ctx.config.document.root, ctx.target, None).fallbacks
    return {id(mount.element) for mount in graph.table.mounts if graph.of(mount) is None}


def _write(ctx: Context, block: Element, section: spec.SectionRow, row: spec.ElementRow, old: str, new: str) -> None:
    name = f"<{row.name}>"
    said = f"without {name}, {ctx.source.label} used {old} and {ctx.target.label} uses {new}"
    replacement = row.replacement.get(ctx.target)
    text = replacement.values.get(old, old) if replacement is not None else old
    if row.value is not None and row.value.secret:
        ctx.record(block, "kept", f"{said}; no default password is written", keeps_behaviour=False, edit=False)
        return
    if text is None or reading(row, text, ctx.target) != old:
        ctx.record(block, "kept", f"{said}; {ctx.target.label} cannot be told {old}", keeps_behaviour=False, edit=False)
        return
    if ctx.intent:
        ctx.record(
            block, "kept", f"{said} (--intent: left to {ctx.target.label}'s default)", keeps_behaviour=False, edit=False
        )
        return
    model = _CLASSES[section.id]._bound(block)
    new_element = Element(row.name)
    new_element.set_text(text)
    ctx.record(block, "add", f"{said}; {name}{text}</{row.name}> is written to keep {ctx.source.label}'s")
    model._place(leaf_field(model, row.name), new_element)
