"""Values both releases know but read differently.

Icecast 2.4.4 reads numbers and booleans with ``atoi`` (``true`` is 0), 2.5
reads words and replaces an out-of-range number by its default, KH keeps a
default where it cannot read a value.  Where the old and the new reading of
the same text differ, the text is rewritten to what the old release did
(or, with ``--intent``, to what the text says) in a form both read alike.
"""

from __future__ import annotations

from icecfg import spec
from icecfg.conversion import Crash, TypedValueError, effective, effective_of_empty, is_int, parse_typed
from icecfg.document import Element
from icecfg.effective.limits import kh_capped
from icecfg.migrate.context import Context, canonical
from icecfg.placeholders import is_placeholder_only
from icecfg.placement import Placed


def reading(row: spec.ElementRow, text: str | None, dialect: spec.Dialect) -> str | None:
    """What ``dialect`` uses for ``text`` (None: absent), canonically; ranges applied as 2.5 does."""
    assert row.value is not None
    value = effective(row, text, dialect) if text is not None else effective(row, None, dialect)
    span = row.value.ranges.get(dialect)
    in_range = span is None or not isinstance(value, int) or isinstance(value, bool) or span[0] <= value <= span[1]
    if not in_range:
        value = effective(row, None, dialect)  # 2.5 warns and keeps the default
    if value is None and text is not None:
        value = effective(row, None, dialect)  # KH keeps its default when it cannot read the text
    if dialect is spec.Dialect.KH:
        value = kh_capped(row.name, value)  # a source's burst and queue past KH's own limits
    return canonical(value, row.value.kind)


def _empty_the_target_dies_of(ctx: Context, placed: Placed, old: str | None) -> None:
    """An empty element the old release read (KH: its default) and the target segfaults on (ICE205).

    Written as what the old release used when the target reads that the
    same, else removed, so that the target uses its own default.
    """
    row = placed.row
    element = placed.element
    assert row is not None
    name = f"<{element.local_name}>"
    how = f"read an empty {name} as {old!r}" if old is not None else f"kept its default for an empty {name}"
    said = f"{ctx.source.label} {how}, {ctx.target.label} segfaults on it"
    if old is not None and reading(row, old, ctx.target) == old:
        element.set_text(old)
        ctx.record(element, "value", f"{said}; written {old!r}: what {ctx.source.label} did")
        return
    same = old == reading(row, None, ctx.target)
    ctx.drop(element, f"{said}; removed: {ctx.target.label} uses its own default", keeps_behaviour=same)


def check(ctx: Context, placed: Placed) -> None:
    row = placed.row
    element = placed.element
    assert row is not None and row.value is not None
    text = element.text
    if text is None:
        try:
            old = canonical(effective_of_empty(row, ctx.source), row.value.kind)
        except Crash:
            return  # the old release crashes on it: nothing to keep (lint reports it)
        try:
            new = canonical(effective_of_empty(row, ctx.target), row.value.kind)
        except Crash:
            _empty_the_target_dies_of(ctx, placed, old)
            return
    else:
        old = reading(row, text, ctx.source)
        new = reading(row, text, ctx.target)
    if old == new:
        return
    name = f"<{element.local_name}>"
    said = f"{ctx.source.label} read {text!r} as {old}, {ctx.target.label} reads it as {new}"
    if left_for_template(ctx, element, said):
        return
    if ctx.intent:
        try:
            meant = canonical(parse_typed(row.value.kind, text or "", row.value.choices), row.value.kind)
        except TypedValueError:
            meant = None
        if meant is not None and meant != text and reading(row, meant, ctx.target) == meant:
            element.set_text(meant)
            ctx.record(element, "value", f"{said}; written {meant!r}: what it means (--intent)", keeps_behaviour=False)
        else:
            ctx.record(element, "kept", f"{said}; kept (--intent)", keeps_behaviour=False, edit=False)
        return
    if text is None and row.value.secret:
        # KH takes its built-in changeme for an empty <source-password/>: a password
        # everybody knows is never written into the file (as for an absent one)
        ctx.record(element, "kept", f"{said}; no default password is written", keeps_behaviour=False, edit=False)
        return
    if old is not None and reading(row, old, ctx.target) == old:
        element.set_text(old)
        ctx.record(element, "value", f"{said}; written {old!r}: what {ctx.source.label} did", follows_intent=False)
    elif old == reading(row, None, ctx.target):
        ctx.drop(element, f"{said}; without {name} {ctx.target.label} does the same", follows_intent=False)
    elif text is not None and is_int(text) and (nearest := _nearest(row, old, ctx.target)) is not None:
        ctx.record(
            element,
            "value",
            f"{said}; {ctx.target.label} cannot be told {old}: written {nearest}, the nearest it takes",
            keeps_behaviour=False,
            follows_intent=False,
            lost=True,
        )
        element.set_text(nearest)
    else:
        ctx.record(
            element,
            "kept",
            f"{said}; {ctx.target.label} cannot be told {old}",
            keeps_behaviour=False,
            lost=True,
            edit=False,
        )


def left_for_template(ctx: Context, element: Element, said: str) -> bool:
    """Report a value that is only a template's placeholder, which no rewrite may replace.

    What the old release made of ``${PORT}`` (``atoi``'s 0, KH's default)
    is not the value the template engine renders into it: writing that
    reading would silently break the template.  The text stays as it is and
    the difference is a loss, which the user settles in the template.
    """
    text = element.text
    if text is None or not is_placeholder_only(text):
        return False
    ctx.record(
        element,
        "kept",
        f"{said}; {text.strip()!r} is a template placeholder, left for its template engine:"
        f" render a value {ctx.target.label} reads as meant",
        keeps_behaviour=False,
        follows_intent=False,
        lost=True,
        edit=False,
    )
    return True


def _nearest(row: spec.ElementRow, old: str | None, dialect: spec.Dialect) -> str | None:
    """The bound of ``dialect``'s range closest to the number ``old``, when ``old`` lies outside it."""
    span = row.value.ranges.get(dialect) if row.value is not None else None
    if span is None or old is None or not old.lstrip("-").isdigit():
        return None
    return str(min(max(int(old), span[0]), span[1]))
