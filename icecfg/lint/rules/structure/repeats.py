"""Elements written twice where a release reads one (the last, or on KH sometimes the first)."""

from __future__ import annotations

import functools
from collections.abc import Iterator

from icecfg import spec
from icecfg.document import Element
from icecfg.lint.context import LintContext
from icecfg.lint.finding import Finding
from icecfg.lint.rule import rule
from icecfg.lint.rules.common import read_by_row
from icecfg.placement import Placed
from icecfg.spec import Dialect


@rule("ICE104", "repeated-element", "warning")
def repeated_element(ctx: LintContext) -> Iterator[Finding]:
    """Setting given more than once; Icecast uses the last one and ignores the others.

    ## Why
    Icecast reads a scalar setting each time it meets it and keeps the last
    value (repeated `<limits>`, `<paths>` ... blocks merge the same way).
    An earlier occurrence is dead configuration: whoever edits it sees no
    effect.  Icecast 2.4.4 and 2.5 say nothing; Icecast-KH logs "setting
    for ... was set previously" at each later occurrence, so for KH the
    finding stands there.

    On each release: 2.4.4 and 2.5.0 use the last value and log
    nothing.  Icecast-KH logs `setting for "clients" (line N) was set
    previously` (likewise for a repeated `<limits>` block or `<port>`),
    and keeps the last value it can read: a later element whose value it
    cannot read (empty, a comment or CDATA first, not a number) leaves
    the earlier one in force, and the finding names that one (verified,
    `tests/test_oracle_explain.py`).

    ## Bad
    ```xml
    <limits>
        <clients>500</clients>
        <sources>4</sources>
        <clients>100</clients>
    </limits>
    ```

    ## Good
    ```xml
    <limits>
        <clients>500</clients>
        <sources>4</sources>
    </limits>
    ```

    ## Fix
    Keep one occurrence with the value you want and delete the others.
    """
    # a leaf's parent is the root or a placed block (the walk enters nothing else); only the
    # blocks Icecast merges (Repeat.EACH) have a scope of their own: file only those
    by_element = {
        id(p.element): p
        for name in _merged_block_names()
        for p in ctx.rows(name)
        if p.row is not None and p.row.section is not None and p.row.repeat is spec.Repeat.EACH
    }
    scopes: dict[int, tuple[object, ...]] = {}

    # most settings occur once: a group holds its one element until a second one comes
    groups: dict[tuple[tuple[object, ...], str], Placed | list[Placed]] = {}
    for leaves in _possibly_repeated(ctx, by_element):
        for placed in leaves:
            parent = placed.element.parent
            known = scopes.get(id(parent))
            key = (known if known is not None else _scope(parent, by_element, scopes), placed.row.name)  # type: ignore[union-attr]
            seen = groups.setdefault(key, placed)
            if seen is not placed:
                if isinstance(seen, list):
                    seen.append(placed)
                else:
                    groups[key] = [seen, placed]
    for group in groups.values():
        if not isinstance(group, list):
            continue
        last = group[-1]
        if ctx.target is Dialect.KH:
            # KH warns at each occurrence after the first ("setting for ... was set previously"),
            # and keeps the last one it reads a value from
            used = _read_last_by_kh(group)
            ignored = ", ".join(str(p.element.line) for p in group if p is not used)
            for placed in group[1:]:
                if placed is used:
                    use = "uses this one" if used is last else "uses this one, the last it reads a value from"
                else:
                    use = f"uses the one on line {used.element.line}"
                yield ctx.finding(
                    placed.element,
                    f"<{placed.element.local_name}> is set {len(group)} times in <{placed.parent.tag}>: "
                    f"Icecast-KH warns that it was set before and {use}; line {ignored} "
                    f"{'is' if ',' not in ignored else 'are'} ignored",
                )
            continue
        for placed in group[:-1]:
            yield ctx.finding(
                placed.element,
                f"<{placed.element.local_name}> is set {len(group)} times in <{placed.parent.tag}>: "
                f"Icecast uses the last one (line {last.element.line}) and ignores this one",
            )


def _read_last_by_kh(group: list[Placed]) -> Placed:
    """The element of a repeated setting whose value KH keeps: the last it reads a value from.

    KH's ``config_get_*`` leave the setting as it was when they read no
    text (a comment or CDATA first, only blanks) or cannot convert it, so
    an unreadable last occurrence keeps an earlier one (shown on KH by
    ``test_kh_keeps_a_setting_a_later_element_does_not_give``).
    """
    from icecfg.conversion import keeps_earlier, release_text

    used = group[0]
    for placed in group[1:]:
        row = placed.row
        if row is None or not keeps_earlier(row, release_text(placed.element, Dialect.KH), Dialect.KH):
            used = placed
    return used


def _possibly_repeated(ctx: LintContext, merged: dict[int, Placed]) -> Iterator[list[Placed]]:
    """The leaves of each name of a Repeat.LAST row that may be repeated somewhere, in document order.

    A name whose leaves all stand in different blocks, none of which Icecast
    merges with another, is set once everywhere: its elements are not looked
    at one by one (at 100,000 mounts, that is every ``<mount-name>``).
    """
    by_name: dict[str, list[list[Placed]]] = {}
    for row, group in read_by_row(ctx).values():
        if row.value is not None and row.repeat is spec.Repeat.LAST:
            leaves = group if row.section is None else [p for p in group if p.section is None]
            by_name.setdefault(row.name, []).append(leaves)
    merged_blocks = {placed.element for placed in merged.values()}
    order: dict[int, int] = {}
    for groups in by_name.values():
        leaves = groups[0] if len(groups) == 1 else [p for g in groups for p in g]
        if len(leaves) < 2:  # set once: most settings of a small file
            continue
        parents = {p.element.parent for p in leaves}  # elements hash by identity
        if len(parents) == len(leaves) and parents.isdisjoint(merged_blocks):
            continue
        if len(groups) > 1 and not ctx.config.document.changed:
            # rows of one name in several sections, back to document order: in a file as read,
            # the order of the start offsets
            leaves.sort(key=_start_of)
        elif len(groups) > 1:
            order = order or {id(p): i for i, p in enumerate(ctx.placed)}
            leaves.sort(key=lambda p: order[id(p)])
        yield leaves


def _start_of(placed: Placed) -> int:
    return placed.element.start


@functools.cache
def _merged_block_names() -> frozenset[str]:
    """Names of the block rows Icecast merges when repeated (Repeat.EACH), in any section."""
    return frozenset(
        row.name for _section, row in spec.iter_rows() if row.section is not None and row.repeat is spec.Repeat.EACH
    )


def _scope(
    element: Element | None, by_element: dict[int, Placed], scopes: dict[int, tuple[object, ...]]
) -> tuple[object, ...]:
    """Blocks that Icecast merges (Repeat.EACH) share one scope (worked out once per block).

    A function of the module, not a closure: a recursive closure is a reference
    cycle, and the linter runs with the cyclic collector paused.
    """
    if element is None or element.parent is None:
        return ("root",)
    key = id(element)
    known = scopes.get(key)
    if known is None:
        placed = by_element.get(key)
        if placed is not None and placed.row is not None and placed.row.repeat is spec.Repeat.EACH:
            known = (*_scope(element.parent, by_element, scopes), placed.row.name)
        else:
            known = ("element", key)
        scopes[key] = known
    return known
