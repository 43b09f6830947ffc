"""Mount blocks: two for one name, one without a name, a default mount with one."""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

from icecfg import spec
from icecfg.document import Element
from icecfg.lint.context import LintContext
from icecfg.lint.finding import Finding
from icecfg.lint.rule import rule
from icecfg.lint.rules.common import root_mounts
from icecfg.spec import Dialect


class _RootMount(NamedTuple):
    """A root ``<mount>`` the target reads, as ICE105, ICE109 and ICE110 look at it."""

    element: Element
    kind: str | None  # "normal" or "default" as the target reads it; None if it drops the mount
    name: str | None  # the mount name the target uses (the last <mount-name>)
    name_element: Element | None


class _RootMounts(NamedTuple):
    """What the mount rules report, found in one pass over the root mounts; only the few kept."""

    #: The mounts that are not a normal mount with a name (ICE109, ICE110), in document order.
    odd: list[_RootMount]
    #: Each mount the target drops as a repeat (ICE105): (it, the first one), in document order.
    repeats: list[tuple[_RootMount, Element]]


def _root_mount_facts(ctx: LintContext) -> _RootMounts:
    """Kind and name of the root ``<mount>``s, worked out once for the three mount rules."""
    return ctx.once(_work_out_root_mounts)


def _work_out_root_mounts(ctx: LintContext) -> _RootMounts:
    kh = ctx.target is Dialect.KH
    odd: list[_RootMount] = []
    repeats: list[tuple[_RootMount, Element]] = []
    # kind -> mount name -> the first mount of that kind and name (a dict per kind: no key tuple per mount)
    first: dict[str, dict[str | None, Element]] = {"normal": {}, "default": {}}
    mounts = root_mounts(ctx)
    # KH: the name it reads (the last <mount-name> it reads a name from, else the attribute)
    kh_names = {id(mount.element): mount.name for mount in ctx.effective.mounts.mounts} if kh else {}
    for element, name_element in zip(mounts, _last_mount_names(ctx, mounts), strict=True):
        # the kind as the target reads it: KH has no type attribute (wildcard names instead),
        # the others drop a mount of another type (None)
        kind: str | None = "normal"
        if not kh:
            kind = element.get("type")
            if kind is None:
                kind = "normal"
            elif kind not in ("normal", "default"):
                kind = None
        # the name the target uses: the last <mount-name>; on KH the one it reads
        if kh:
            name = kh_names.get(id(element))
        elif name_element is not None:
            name = name_element.text
        else:
            name = None
        if kind != "normal" or name is None:
            odd.append(_RootMount(element, kind, name, name_element))
            if kind is None or (name is None and kind == "normal"):
                continue  # dropped by Icecast: ICE108, ICE109
        seen = first[kind].setdefault(name, element)
        if seen is not element:
            repeats.append((_RootMount(element, kind, name, name_element), seen))
    return _RootMounts(odd, repeats)


def _last_mount_names(ctx: LintContext, mounts: list[Element]) -> list[Element | None]:
    """The last ``<mount-name>`` child of each of ``mounts`` (None for a mount without one), in their order.

    The walk's group of the row lists every ``<mount-name>`` in document
    order, and a mount holds no mount, so the names of one mount follow each
    other there: one pass along both lists pairs them, without a table of
    every mount (8 MB at 100,000 mounts).  A name that does not fall into
    place (its mount is not among ``mounts``) sends the pairing back to that
    table.
    """
    row = spec.SECTIONS["mount"].child("mount-name")
    if row is None:
        return [None] * len(mounts)
    group = ctx.by_row.get(id(row), (row, []))[1]
    last: list[Element | None] = []
    index, count = 0, len(group)
    for mount in mounts:
        found = None
        while index < count:
            element = group[index].element
            if element.parent is not mount:
                break
            if element.local_name == "mount-name":  # not an alias: the release reads the tag
                found = element
            index += 1
        last.append(found)
    if index == count:
        return last
    by_mount: dict[int, Element] = {}
    for placed in group:
        element = placed.element
        if element.local_name == "mount-name" and element.parent is not None:
            by_mount[id(element.parent)] = element
    return [by_mount.get(id(mount)) for mount in mounts]


@rule("ICE105", "duplicate-mount", "warning")
def duplicate_mount(ctx: LintContext) -> Iterator[Finding]:
    """A second `<mount>` for the same mount name; Icecast uses one (2.4, 2.5: the first) and ignores the other.

    ## Why
    Icecast keeps every `<mount>` in file order and looks a mount up by
    taking the first block whose name matches.  A later block with the same
    `<mount-name>` (or a second `type="default"` block) is never used: its
    limits, passwords and fallbacks silently do nothing (checked on Icecast
    2.4.4: the second `/live` block's `max-listeners` was ignored).

    On each release: 2.4.4 and 2.5.0 use the first block and log nothing
    about the second.  Icecast-KH logs nothing either, but files mounts in
    a balanced tree by name: which of the blocks it uses depends on the
    other mount names (with a `/0.ogg` after two `/a.ogg` blocks, the
    second), and the finding names the one it uses; of two templates
    (`/live-*`) it uses the one of lower `<priority>`, else the first
    (verified, `tests/test_differential.py`).

    ## Bad
    ```xml
    <mount><mount-name>/live.ogg</mount-name><max-listeners>10</max-listeners></mount>
    <mount><mount-name>/live.ogg</mount-name><fallback-mount>/backup.ogg</fallback-mount></mount>
    ```

    ## Good
    ```xml
    <mount>
        <mount-name>/live.ogg</mount-name>
        <max-listeners>10</max-listeners>
        <fallback-mount>/backup.ogg</fallback-mount>
    </mount>
    ```

    ## Fix
    Merge the blocks into the first one and delete the later one.
    """
    if ctx.target is Dialect.KH:
        yield from _kh_duplicate_mounts(ctx)
        return
    for (element, kind, name, _), first in _root_mount_facts(ctx).repeats:
        what = f"<mount-name> {name!r}" if name is not None else "no <mount-name>"
        label = 'type="default" ' if kind == "default" else ""
        yield ctx.finding(
            element,
            f"this {label}<mount> with {what} repeats the one on line {first.line}: "
            "Icecast uses the first matching <mount> and ignores this one; merge them",
        )


def _kh_duplicate_mounts(ctx: LintContext) -> Iterator[Finding]:
    """ICE105 on KH: every mount of a name written more than once but the one KH uses.

    The names are the ones KH reads (the last ``<mount-name>`` it reads a
    name from, or the attribute), and the one used is the effective mount
    table's pick (``MountTable.kh_used``), not always the first.
    """
    table = ctx.effective.mounts
    by_name: dict[str, list[Element]] = {}
    for mount in table.normal():
        assert mount.name is not None
        by_name.setdefault(mount.name, []).append(mount.element)
    for name, elements in by_name.items():
        if len(elements) < 2:
            continue
        used = table.kh_used(name)
        assert used is not None
        for element in elements:
            if element is used.element:
                continue
            yield ctx.finding(
                element,
                f"this <mount> with <mount-name> {name!r} is one of {len(elements)}: Icecast-KH uses the one on "
                f"line {used.element.line} (the one it finds by that name) and ignores this one; merge them",
            )


@rule("ICE109", "mount-without-name", "error")
def mount_without_name(ctx: LintContext) -> Iterator[Finding]:
    """A normal `<mount>` without `<mount-name>`; Icecast drops the whole block silently.

    ## Why
    A normal mount is found by its name.  Without a `<mount-name>` (or with
    an empty one) Icecast 2.4.4 discards the block without a message
    (`cfgfile.c` l.803-808), so none of its limits, passwords or fallbacks
    apply.  Settings meant for every mount go into a `type="default"` mount
    (2.4, 2.5) or a wildcard mount name (KH).

    On each release: 2.4.4 and 2.5.0 drop the block silently (also
    with an empty `<mount-name/>`).  Icecast-KH drops it and logs `failed to
    read element "mount" within "icecast" at line N`.

    ## Bad
    ```xml
    <mount>
        <max-listeners>100</max-listeners>
    </mount>
    ```

    ## Good
    ```xml
    <mount>
        <mount-name>/live.ogg</mount-name>
        <max-listeners>100</max-listeners>
    </mount>
    ```

    ## Fix
    Add the `<mount-name>` the settings are for, or make the block a
    `<mount type="default">` (2.4, 2.5).
    """
    for element, kind, name, name_element in _root_mount_facts(ctx).odd:
        if kind != "normal":
            continue
        if name is not None:
            continue
        what = "an empty <mount-name>" if name_element is not None else "no <mount-name>"
        advice = (
            'use a wildcard <mount-name> such as "/*" for settings of every mount'
            if ctx.target is Dialect.KH
            else 'use <mount type="default"> for settings of every mount'
        )
        yield ctx.finding(
            element,
            f"<mount> has {what}: {ctx.target.label} drops the whole block silently, "
            f"so none of its settings apply; add the mount name, or {advice}",
        )


@rule("ICE110", "default-mount-with-name", "warning", dialects=spec.V24_V25)
def default_mount_with_name(ctx: LintContext) -> Iterator[Finding]:
    """`<mount type="default">` with a `<mount-name>`: Icecast warns and uses the name as a pattern.

    ## Why
    In Icecast 2.4.4 and 2.5.0 a default mount supplies defaults for every
    mount.  With a `<mount-name>` both warn "Default mount ... has
    mount-name set.  This is not supported." and then use the name as an
    `fnmatch` pattern (2.4.4 `cfgfile.c` l.1445, 2.5.0 l.2013): the defaults
    reach only the mounts whose names match, which is rarely what the block
    was meant for, and the behaviour is explicitly unsupported.

    On each release: 2.4.4 logs "Default mount /live has mount-name
    set. This is not supported. Behavior may not be consistent."; 2.5.0
    logs the same line.  Icecast-KH has no `type=` on `<mount>` (ICE302):
    the block is an ordinary mount named `/live`, without a message.

    ## Bad
    ```xml
    <mount type="default">
        <mount-name>/live.ogg</mount-name>
        <max-listeners>100</max-listeners>
    </mount>
    ```

    ## Good
    ```xml
    <mount type="default">
        <max-listeners>100</max-listeners>
    </mount>
    ```

    ## Fix
    Remove the `<mount-name>` to set defaults for every mount, or drop
    `type="default"` to configure that one mount.
    """
    label = ctx.target.label
    for _element, kind, name, name_element in _root_mount_facts(ctx).odd:
        if kind != "default":
            continue
        if name is None or name_element is None:
            continue
        yield ctx.finding(
            name_element,
            f'<mount type="default"> has <mount-name> {name!r}: {label} warns that this is not '
            "supported and uses it as a pattern, so the defaults only reach mounts matching it; "
            'remove the <mount-name> or drop type="default"',
        )
