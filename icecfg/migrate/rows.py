"""Rewrite one element from its row of the element table.

Which rewrite applies is read from the row, never from the element's name:
the row's ``replacement`` for the target release (rename, move, value map,
structural form, drop), whether the old release knew the element at all,
and whether the target still has it.  Leaves both releases know go to
:mod:`icecfg.migrate.readings`, which checks that they read the value alike.
"""

from __future__ import annotations

from icecfg import spec
from icecfg.conversion import Crash, TypedValueError, effective, effective_of_empty, parse_typed
from icecfg.document import Element
from icecfg.migrate import forms, readings, relocate
from icecfg.migrate.context import Context, canonical
from icecfg.placeholders import is_placeholder_only
from icecfg.placement import Placed


def knows(row: spec.ElementRow, dialect: spec.Dialect) -> bool:
    return dialect in row.dialects


def rewrite(ctx: Context, placed: Placed) -> None:
    row = placed.row
    element = placed.element
    name = f"<{element.local_name}>"
    if row is None or (not knows(row, ctx.source) and (not knows(row, ctx.target) or ctx.target in row.removed)):
        # dead text for both releases; 2.5 would log "Unknown tag" for it at every start
        where = "no release knows it here" if row is None else f"only {_others(row)} reads it"
        ctx.drop(element, f"{_both(ctx)} {name}: {where}")
        return
    replacement = row.replacement.get(ctx.target)
    if not knows(row, ctx.source):
        ctx.unread(element, f"{ctx.source.label} ignores {name} here; {ctx.target.label} would use it")
        if ctx.intent and replacement is not None:
            # kept for what it says: in the target's own form, as a 2.5 file would say it
            apply(ctx, placed, replacement, reading=ctx.target)
        return
    if placed.section is not None:
        problem = ignored_by(placed.section, element, ctx.source)
        if problem is not None and ignored_by(placed.section, element, ctx.target) is None:
            ctx.unread(element, f"{ctx.source.label} ignored this {name} ({problem}); {ctx.target.label} would not")
            return
    if placed.section is not None and element.has_attributes and ctx.source is spec.Dialect.V24:
        _attributes_only_target_reads(ctx, placed.section, element)
    if replacement is not None:
        apply(ctx, placed, replacement)
        return
    if not knows(row, ctx.target) or ctx.target in row.removed:
        ctx.drop(
            element,
            f"{ctx.target.label} has no {name} and nothing that does the same ({row.doc})",
            keeps_behaviour=False,
            follows_intent=False,
            lost=True,
        )
        return
    if placed.section is not None:
        return
    if row.value is not None and id(element) not in ctx.settled:
        readings.check(ctx, placed)


def _attributes_only_target_reads(ctx: Context, section: spec.SectionRow, element: Element) -> None:
    """Attributes the old release skipped and the target reads (2.5's ``vhost=`` on an ``<alias>``).

    Removed, as an element the old release ignored is, or with ``--intent``
    kept and reported.  A mount's ``<authentication>`` takes a role's
    attributes only where 2.5 makes a role of it (:func:`~icecfg.effective.roles.is_role`).
    From 2.4 only: KH skips ``type=`` on a ``<mount>`` too, yet a KH mount
    whose name has a ``*`` is a template, which 2.5's ``type="default"``
    keeps; so a KH file keeps its attributes as written.
    """
    from icecfg.effective.roles import is_role

    for name in element.attribute_names():
        if section.attribute(name, ctx.source) is not None or section.attribute(name, ctx.target) is None:
            continue
        if section.id == "mount-authentication" and not is_role(element):
            continue  # read by neither: ICE526 reports it
        reason = f"{ctx.source.label} ignores {name}= on <{element.local_name}>; {ctx.target.label} would use it"
        if ctx.intent:
            ctx.record(element, "kept", reason + " (kept: --intent)", keeps_behaviour=False, edit=False)
        else:
            element.delete(name)
            ctx.record(element, "remove", reason, follows_intent=False)


def _both(ctx: Context) -> str:
    """The old and the new release ignoring something: one release when the file is already for the new one."""
    if ctx.source is ctx.target:
        return f"{ctx.target.label} ignores"
    return f"{ctx.source.label} and {ctx.target.label} ignore"


def _others(row: spec.ElementRow) -> str:
    return " and ".join(d.label for d in spec.Dialect if d in row.dialects)


def ignored_by(section: spec.SectionRow, element: Element, dialect: spec.Dialect) -> str | None:
    """Why ``dialect`` skips this whole block: a required choice attribute missing or not one it knows."""
    for attribute in section.attributes:
        if dialect not in attribute.required or attribute.value.kind is not spec.Kind.ENUM:
            continue
        value = next((element.get(n) for n in (attribute.name, *attribute.aliases) if element.get(n) is not None), None)
        if value is None:
            return f"no {attribute.name}"
        choices = attribute.value.choices
        known = value.lower() in choices if attribute.value.case_insensitive else value in choices
        if not known:
            return f"{attribute.name}={value!r} is not one of {', '.join(choices)}"
    return None


def behaviour_and_meaning(
    ctx: Context, placed: Placed, reading: spec.Dialect | None = None
) -> tuple[str | None, str | None]:
    """What the old release (or ``reading``) did with the element's value, and what the text says, canonically."""
    row = placed.row
    assert row is not None and row.value is not None
    text = placed.element.text
    dialect = reading or ctx.source
    did = effective(row, text, dialect) if text is not None else effective_of_empty(row, dialect)
    behaviour = canonical(did, row.value.kind)
    if behaviour is None:
        behaviour = canonical(effective(row, None, dialect), row.value.kind)
    try:
        meant = canonical(parse_typed(row.value.kind, text, row.value.choices), row.value.kind) if text else None
    except TypedValueError:
        meant = None
    return behaviour, meant if meant is not None else behaviour


def apply(ctx: Context, placed: Placed, replacement: spec.Replacement, reading: spec.Dialect | None = None) -> None:
    """Rewrite the element as ``replacement`` says; its value read as the old release (or ``reading``) read it."""
    element = placed.element
    row = placed.row
    assert row is not None
    name = f"<{element.local_name}>"
    if replacement.form is not None and replacement.form in forms.CONVERSIONS:
        forms.CONVERSIONS[replacement.form](ctx, placed)
        return
    if replacement.drop:
        lost = False
        if not replacement.unused and row.value is not None:
            try:
                behaviour, _meant = behaviour_and_meaning(ctx, placed)
            except Crash:
                behaviour = None
            lost = behaviour != canonical(effective(row, None, ctx.source), row.value.kind)
        why = "it was parsed but unused" if replacement.unused else "nothing replaces it"
        if lost:
            why = f"the setting it made is lost ({row.doc})"
        ctx.drop(
            element,
            f"{ctx.target.label} no longer reads {name}: {why}",
            keeps_behaviour=not lost,
            follows_intent=not lost,
            lost=lost,
        )
        return
    text: str | None = None  # None: the element keeps its text
    keeps, follows, note = True, True, ""
    if replacement.values and placed.element.text is not None and is_placeholder_only(placed.element.text):
        # the value is the template's to render: the element is renamed or moved as it stands
        readings.left_for_template(ctx, element, f"{name} takes other values in {ctx.target.label}")
        relocate.move(ctx, placed, replacement, None, True, True, "")
        return
    if replacement.values:
        try:
            behaviour, meant = behaviour_and_meaning(ctx, placed, reading)
        except Crash as crash:
            ctx.record(element, "kept", f"left as written: {crash}", edit=False)
            return
        behaviour, note = forms.adjust(replacement.form, ctx, placed, behaviour)
        key = meant if ctx.intent else behaviour
        if key is None or key not in replacement.values:
            ctx.record(
                element,
                "kept",
                f"{ctx.target.label} has no equivalent of {name} {key!r}",
                keeps_behaviour=False,
                lost=True,
                edit=False,
            )
            return
        if behaviour != meant:
            keeps, follows = (False, True) if ctx.intent else (True, False)
            chosen = "what the file means (--intent)" if ctx.intent else f"what {ctx.source.label} did"
            note = note or f"{ctx.source.label} read {element.text!r} as {behaviour}, the text means {meant}"
            note = f"{note}; written: {chosen}"
        mapped = replacement.values[key]
        if mapped is None:
            ctx.drop(
                element,
                _join(f"{name} {key} is what {ctx.target.label} does without it", note),
                keeps_behaviour=keeps,
                follows_intent=follows,
            )
            return
        text = mapped
    relocate.move(ctx, placed, replacement, text, keeps, follows, note)


def _join(reason: str, note: str) -> str:
    return f"{reason} ({note})" if note else reason
