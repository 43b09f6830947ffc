"""Structure: elements and attributes Icecast does not read where they stand.

Which element is the business of this family, of ``values`` and of
``dialect`` is decided by the views in :mod:`icecfg.lint.rules.common`.
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Iterator
from typing import NamedTuple

from icecfg import spec
from icecfg.conversion import is_int
from icecfg.document import Element, decode_attribute, decode_text
from icecfg.lint.context import LintContext
from icecfg.lint.finding import Finding
from icecfg.lint.rule import rule
from icecfg.lint.rules.common import (
    Status,
    attribute_specs,
    attributes_with_status,
    character_data,
    dialect_names,
    kh_child_attributes,
    read_by_row,
    read_by_target,
    read_with_attributes,
    rename,
    root_mounts,
    shown,
    target_attribute,
    where,
    with_status,
)
from icecfg.placeholders import find
from icecfg.placement import Placed
from icecfg.spec import Dialect


def _wrong_case_row(placed: Placed) -> spec.ElementRow | None:
    name = placed.element.local_name.lower()
    for row in placed.parent.children:
        if any(n.lower() == name for n in (row.name, *row.aliases)):
            return row
    return None


def _unknown(ctx: LintContext) -> Iterator[Placed]:
    """Elements no dialect knows where they stand, outside elements the target ignores anyway."""
    for seen in with_status(ctx, Status.UNKNOWN):
        yield seen.placed


def _homes(placed: Placed) -> list[spec.SectionRow]:
    """Other sections that have a child called like this element."""
    name = placed.element.local_name
    return [s for s in spec.SECTIONS.values() if s is not placed.parent and s.child(name) is not None]


# -- ICE101-ICE103: elements no dialect reads where they stand --------------------


@rule("ICE101", "unknown-element", "error")
def unknown_element(ctx: LintContext) -> Iterator[Finding]:
    """Element Icecast does not know here; it is ignored without a word.

    ## Why
    Icecast 2.4.4 matches element names exactly and skips everything else
    silently, at every level: a misspelt `<max-listener>` leaves the mount
    unlimited, a `<client>` in `<limits>` leaves the default of 256 clients.
    Icecast 2.5 logs "Unknown tag" but starts all the same.

    On each release: 2.4.4 ignores the element silently.  2.5.0 logs
    "Unknown tag in config: /icecast/limits/client" (an EROR line naming the
    element's path; non-blank text directly inside a section is
    `.../text`) and ignores it.  Icecast-KH logs `unknown node "client"
    parsing "limits" at line N` and ignores it.  All three start.

    ## Bad
    ```xml
    <mount>
        <mount-name>/live.ogg</mount-name>
        <max-listener>50</max-listener>
    </mount>
    ```

    ## Good
    ```xml
    <mount>
        <mount-name>/live.ogg</mount-name>
        <max-listeners>50</max-listeners>
    </mount>
    ```

    Icecast 2.5 treats text written between the elements of a section the
    same way ("Unknown tag in config: /icecast/paths/text"); 2.4.4 and KH
    skip such text silently, so it is reported for 2.5 only.  Text holding
    a template placeholder (`${TLS_OPTS}`) is a template's place for
    elements, reported as ICE003.

    ## Fix
    Correct the name (the message suggests the closest known one) or remove
    the element.  Elements in the wrong section or in the wrong case have
    their own rules (ICE102, ICE103).
    """
    for placed in _unknown(ctx):
        name = placed.element.local_name
        if _wrong_case_row(placed) is not None or _homes(placed):
            continue  # reported by the more precise rules
        known = sorted({r.name for r in placed.parent.children if ctx.target in r.dialects})
        close = difflib.get_close_matches(name, known, n=1, cutoff=0.75)
        hint = f"; did you mean <{close[0]}>?" if close else ""
        yield ctx.finding(placed.element, f"<{name}> is not an element of <{placed.parent.tag}>{hint}")
    if ctx.target is Dialect.V25:
        root = ctx.config.document.root
        blocks = [root, *(p.element for p in read_by_target(ctx) if p.section is not None)]
        for block in blocks:
            for text, offset in stray_texts(block):
                finding = ctx.finding(
                    block,
                    f"text {shown(ctx, text)} directly in <{block.local_name}>: Icecast 2.5 logs it as "
                    f'an unknown tag ("{block.local_name}/text") and ignores it',
                )
                finding.line, finding.column = block.position(offset)
                finding.anchor_line = finding.line
                yield finding


def stray_texts(element: Element) -> Iterator[tuple[str, int]]:
    """Non-blank text directly inside ``element``: (the text stripped, offset of its first character).

    libxml2 gives each run of text between child elements and comments its
    own text node; a run of only spaces, tabs and line ends is "blank" and
    skipped by every Icecast.  A run holding a template placeholder is
    ICE003's (markup the template tool writes there).
    """
    for text, offset in character_data(element):
        stripped = text.lstrip(" \t\r\n")
        if stripped and not find(stripped):
            yield decode_text(stripped.rstrip(" \t\r\n")), offset + len(text) - len(stripped)


@rule("ICE102", "misplaced-element", "error")
def misplaced_element(ctx: LintContext) -> Iterator[Finding]:
    """Known element in the wrong section; Icecast ignores it there.

    ## Why
    Icecast reads each section's own children only.  A `<fallback-mount>`
    written directly under `<icecast>` instead of inside a `<mount>` is
    skipped silently by Icecast 2.4.4 (2.5 logs "Unknown tag"): the setting
    it was meant to make never takes effect.

    On each release: 2.4.4 ignores the element silently.  2.5.0 logs
    "Unknown tag in config: /icecast/fallback-mount", except for an
    `<admin-user>` in a mount's `<authentication>`, which it ignores
    silently.  Icecast-KH logs `unknown node "fallback-mount" parsing
    "icecast" at line N`.

    ## Bad
    ```xml
    <icecast>
        <fallback-mount>/backup.ogg</fallback-mount>
        <mount>
            <mount-name>/live.ogg</mount-name>
        </mount>
    </icecast>
    ```

    ## Good
    ```xml
    <icecast>
        <mount>
            <mount-name>/live.ogg</mount-name>
            <fallback-mount>/backup.ogg</fallback-mount>
        </mount>
    </icecast>
    ```

    ## Fix
    Move the element into the section the message names.
    """
    for placed in _unknown(ctx):
        if _wrong_case_row(placed) is not None:
            continue
        homes = _homes(placed)
        if not homes:
            continue
        name = placed.element.local_name
        here = [s for s in homes if s.child(name, ctx.target) is not None]
        chosen = here or homes
        places = list(dict.fromkeys(where(s, placed.parent.tag) for s in chosen))
        belongs = " or ".join(places[:4])
        if not here:
            dialects: frozenset[Dialect] = frozenset()
            for s in homes:
                row = s.child(name)
                assert row is not None
                dialects |= row.dialects
            belongs += f" ({dialect_names(dialects)} only)"
        yield ctx.finding(
            placed.element,
            f"<{name}> does not belong in <{placed.parent.tag}>: Icecast ignores it there; it belongs in {belongs}",
        )


@rule("ICE103", "wrong-case-element", "error")
def wrong_case_element(ctx: LintContext) -> Iterator[Finding]:
    """Element name in the wrong case; Icecast compares names case-sensitively and ignores it.

    ## Why
    Icecast compares element names with `strcmp`: `<Hostname>` is not
    `<hostname>`.  Icecast 2.4.4 skips the miscased element without a
    message, so the setting stays at its default.

    On each release: 2.4.4 ignores the element silently.  2.5.0 logs
    "Unknown tag in config: /icecast/Hostname".  Icecast-KH logs
    `unknown node "Hostname" parsing "icecast" at line N`.

    ## Bad
    ```xml
    <icecast>
        <Hostname>radio.example.org</Hostname>
    </icecast>
    ```

    ## Good
    ```xml
    <icecast>
        <hostname>radio.example.org</hostname>
    </icecast>
    ```

    ## Fix
    Write the name in lower case as the message shows (`icecfg lint --fix`
    renames it).
    """
    for placed in _unknown(ctx):
        row = _wrong_case_row(placed)
        if row is None:
            continue
        element = placed.element
        name = element.local_name
        lowered = name.lower()
        correct = next(n for n in (row.name, *row.aliases) if n.lower() == lowered)

        def fix(element: Element = element, correct: str = correct) -> None:
            rename(element, correct)

        yield ctx.finding(
            element,
            f"<{name}> is not <{correct}>: Icecast matches element names case-sensitively "
            f"and ignores <{name}>; write <{correct}>",
            fix=fix,
            fix_title=f"rename <{name}> to <{correct}>",
        )


# -- ICE104-ICE105: repeats ----------------------------------------------------------


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


# -- ICE106-ICE108: attributes ---------------------------------------------------------

#: Attributes whose absence or bad value another family reports with more context:
#: a mount authenticator's type decides whether the mount is public (ICE504, security).
_REPORTED_ELSEWHERE = frozenset({("mount-authentication", "type")})

#: What the target does when a required attribute is missing, per section.
_MISSING_CONSEQUENCE: dict[tuple[str, Dialect | None], str] = {
    ("header", Dialect.V24): "Icecast 2.4.4 drops this header and every later one in the block",
    ("header", Dialect.V25): "Icecast 2.5 stops reading the block here: later headers are lost too",
    ("header", None): "the header is dropped",
    ("option", None): "Icecast skips the option silently",
    ("alias", None): "Icecast drops the alias silently",
    ("yp-directory", None): "Icecast 2.5 reports the directory as invalid and does not use it",
    ("event", None): "Icecast 2.5 reports an error and drops the event",
    ("role", None): "Icecast 2.5 reports the role as invalid",
}

#: What the target does with an attribute value it does not know, per (section, attribute).
_BAD_VALUE_CONSEQUENCE: dict[tuple[str, str, Dialect | None], str] = {
    ("mount", "type", None): "Icecast warns 'Unknown mountpoint type' and drops the whole mount",
    ("header", "type", Dialect.V24): (
        "Icecast 2.4.4 warns 'Unknown type' and drops this header and every later one in the block"
    ),
    ("header", "type", None): "Icecast 2.5 stops reading the block here: later headers are lost too",
    ("listen-socket", "type", None): "Icecast 2.5 logs 'Unknown listener type' and uses normal",
    ("upstream", "type", None): "Icecast 2.5 ignores the upstream",
    ("event", "type", None): "Icecast 2.5 reports an error and drops the event",
    ("event", "trigger", None): "the event never fires: Icecast 2.5 emits no such trigger",
}


def _consequence(table: dict[tuple[str, Dialect | None], str], section: str, target: Dialect) -> str:
    return table.get((section, target)) or table.get((section, None)) or "Icecast ignores the element"


@rule("ICE106", "unknown-attribute", "warning")
def unknown_attribute(ctx: LintContext) -> Iterator[Finding]:
    """Attribute Icecast does not know on this element; it is ignored silently.

    ## Why
    Icecast reads the attributes it expects with `xmlGetProp` (case-sensitive)
    and never looks at the others: `<mount Type="default">` is a normal mount
    without a name, which Icecast drops.  Attributes only some dialects read
    (2.5's `id=`, KH's children-as-attributes) are reported by ICE302.

    On each release: 2.4.4 and 2.5.0 ignore the attribute silently.
    Icecast-KH ignores an unknown attribute silently too (`<listen-socket
    prot="8000">`); a `<mount Type="default">` without `<mount-name>` is
    a mount without a name there, and KH logs `failed to read element
    "mount" within "icecast" at line N`.

    ## Bad
    ```xml
    <mount Type="default">
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
    Correct the attribute name (the message suggests the closest known one)
    or remove it.
    """
    for placed, attr in attributes_with_status(ctx, Status.UNKNOWN):
        row = placed.row
        assert row is not None
        name = attr.name
        known = sorted(
            {n for a in attribute_specs(row) if ctx.target in a.dialects for n in (a.name, *a.aliases)}
            | (set(kh_child_attributes(row)) if ctx.target is Dialect.KH else set())
        )
        same = [k for k in known if k.lower() == name.lower()]
        if same:
            hint = f"; attribute names are case-sensitive: write {same[0]}= (Icecast sees no {same[0]}=)"
        else:
            close = difflib.get_close_matches(name, known, n=1, cutoff=0.75)
            hint = f"; did you mean {close[0]}=?" if close else ""
        yield ctx.finding(
            placed.element,
            f"{name}= is not an attribute of <{placed.element.local_name}>: Icecast ignores it{hint}",
            attribute=name,
        )


@rule("ICE107", "missing-attribute", "error")
def missing_attribute(ctx: LintContext) -> Iterator[Finding]:
    """Required attribute missing; Icecast drops the element (or worse).

    ## Why
    Some elements are nothing without their attributes, and Icecast does not
    stop to say so.  Checked on Icecast 2.4.4: a `<header>` without `value`
    ends the parsing of its `<http-headers>` block, so it and every later
    header are silently missing from responses.  Options without `name` or
    `value` are skipped, an `<alias>` without `source` or `destination` is
    dropped.  In 2.5 (`cfgfile.c`
    l.2041-2111, l.2535-2599; `event.c` l.335-377) a `<header>` without
    `name`, a `<yp-directory>` without `url` and an `<event>` without `type`
    or `trigger` are invalid; `value` became optional for CORS headers.

    On each release: 2.4.4 says nothing (a `<header>` without `value`
    silently ends its block).  2.5.0 ends the block at a `<header>` without
    `name` silently, and for a `<yp-directory>` without `url` logs
    "Invalid content for tag: /icecast/yp-directory" and "Missing
    mandatory attribute 'url' for <yp-directory>.".  Icecast-KH logs
    `failed to read element "alias" within "paths" at line N` for an
    `<alias>` without `destination`, and says nothing about a nameless
    `<header>`.

    ## Bad
    ```xml
    <http-headers>
        <header name="Access-Control-Allow-Origin"/>
        <header name="X-Robots-Tag" value="noindex"/>
    </http-headers>
    ```

    ## Good
    ```xml
    <http-headers>
        <header name="Access-Control-Allow-Origin" value="*"/>
        <header name="X-Robots-Tag" value="noindex"/>
    </http-headers>
    ```

    ## Fix
    Add the attribute with the value you mean.
    """
    requiring = _rows_requiring_attributes(ctx.target)
    for key, (row, group) in read_by_row(ctx).items():
        if key not in requiring:
            continue  # most rows: their elements are not visited
        yield from _missing_attributes(ctx, row, group)


def _missing_attributes(ctx: LintContext, row: spec.ElementRow, group: list[Placed]) -> Iterator[Finding]:
    # the names a complete element has, as written: most elements have them all and are passed at once
    must = frozenset(a.name for a in attribute_specs(row) if ctx.target in a.dialects and ctx.target in a.required)
    for placed in group:
        element = placed.element
        written = element.attribute_names()
        if must.issubset(written):
            continue
        present = set(written)
        lowered = {n.lower() for n in present}
        section_id = row.section or placed.parent.id
        reported: set[str] = set()
        for attr in attribute_specs(row):
            if ctx.target not in attr.dialects or ctx.target not in attr.required or attr.name in reported:
                continue
            if (section_id, attr.name) in _REPORTED_ELSEWHERE:
                continue
            names = (attr.name, *attr.aliases)
            if any(n in present for n in names) or any(n.lower() in lowered for n in names):
                continue  # present, or present in the wrong case (ICE106 says so)
            reported.add(attr.name)
            yield ctx.finding(
                element,
                f"<{element.local_name}> has no {attr.name}= attribute: "
                f"{_consequence(_MISSING_CONSEQUENCE, section_id, ctx.target)}",
            )


@functools.cache
def _rows_requiring_attributes(target: Dialect) -> frozenset[int]:
    """Ids of the table's rows with an attribute required on ``target`` (few; the walk's groups are keyed so)."""
    return frozenset(
        id(row) for _section, row in spec.iter_rows() if any(target in a.required for a in attribute_specs(row))
    )


#: The kinds of attribute value :func:`_attribute_value_problem` judges.
_CHECKED_KINDS = frozenset({spec.Kind.ENUM, spec.Kind.INT, spec.Kind.REF})


def _attribute_value_problem(spec_attr: spec.AttributeRow, value: str) -> str | None:
    kind = spec_attr.value.kind
    if kind is spec.Kind.ENUM and spec_attr.value.choices:
        choices = spec_attr.value.choices
        folded = spec_attr.value.case_insensitive
        ok = value.lower() in {c.lower() for c in choices} if folded else value in choices
        if not ok:
            same = [c for c in choices if c.lower() == value.strip().lower()]
            hint = f" (write {same[0]!r}: the comparison is case-sensitive)" if same else ""
            return f"is not one of {', '.join(choices)}{hint}"
    elif kind is spec.Kind.INT:
        if not is_int(value):
            return "is not a whole number"
    elif kind is spec.Kind.REF and not value.startswith("#"):
        return "must be a #id reference"
    return None


#: How many start tags ICE108 remembers as passed before it starts afresh.
_PASSED_TAGS = 4096


def _checked_attribute_names(row: spec.ElementRow, target: Dialect) -> frozenset[str]:
    """Names (and aliases) of the row's attributes that ``target`` reads with a value ICE108 judges.

    Exactly the names whose :func:`target_attribute` is of a checked kind:
    any other name of an element is passed over by ICE108.
    """
    names = {n for a in attribute_specs(row) for n in (a.name, *a.aliases)}
    return frozenset(
        n
        for n in names
        if (found := target_attribute(row, n, target)) is not None and found.value.kind in _CHECKED_KINDS
    )


@rule("ICE108", "invalid-attribute-value", "error")
def invalid_attribute_value(ctx: LintContext) -> Iterator[Finding]:
    """Attribute value Icecast does not accept; the element is dropped or misread.

    ## Why
    Icecast compares word-valued attributes exactly.  Checked on Icecast
    2.4.4: `<mount type="Default">` logs "Unknown mountpoint type" and the
    **whole mount is dropped**.  A header `type` other than `static` drops
    that header and all later ones in 2.4.4.  (A mount authenticator's
    `type` has its own rule, ICE504.)

    On each release: 2.4.4 and 2.5.0 log "Unknown mountpoint type:
    Default" (2.4.4 drops the mount); 2.4.4 logs "Unknown type cors for HTTP
    Header A" for a header type it does not know; 2.5.0 logs "Invalid
    content for tag: /icecast/listen-socket: virt" and `Unknown listener
    type "virt", falling back to NORMAL.`.  A non-numeric `port=` on
    `<alias>` passes silently on 2.4.4 and 2.5.0; Icecast-KH logs
    `failed to read attribute "port" within "alias" at line N`.

    ## Bad
    ```xml
    <mount type="Default">
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
    Use one of the values the message lists, in exactly that spelling.
    """
    # row -> attribute name -> its checked type, and (type, value as written) -> problem: the rows,
    # names and values of a file repeat from element to element (type="normal" on every mount)
    specs: dict[int, dict[str, spec.AttributeRow | None]] = {}
    problems: dict[tuple[int, str], str | None] = {}
    # row -> the names of its attributes with a checked type: an element without any of them (a
    # <header> without type=, an <alias>) has nothing to judge, and its values are not looked at
    checked: dict[int, frozenset[str]] = {}
    passed: set[tuple[int, str]] = set()  # (row, start tag) of blocks found without a problem
    for placed in read_with_attributes(ctx):
        row = placed.row
        assert row is not None
        element = placed.element
        names = checked.get(id(row))
        if names is None:
            names = checked[id(row)] = _checked_attribute_names(row, ctx.target)
        if names.isdisjoint(element.attribute_names()):
            continue
        # a block's start tag as written decides all this rule says of it (its row decides the
        # section): 40,000 <mount type="normal"> of a big file are judged once
        tag = (id(row), element.start_tag) if row.section is not None else None
        if tag is not None and tag in passed:
            continue
        reported = False
        section_id = row.section or placed.parent.id
        of_row = specs.get(id(row))
        if of_row is None:
            of_row = specs[id(row)] = {}
        for name, raw in element.attribute_items():  # no Attr kept for each attribute of the file
            if name in of_row:
                spec_attr = of_row[name]
            else:
                spec_attr = target_attribute(row, name, ctx.target)
                if spec_attr is not None and spec_attr.value.kind not in _CHECKED_KINDS:
                    spec_attr = None  # a text value: any is accepted, nothing to check
                of_row[name] = spec_attr
            if spec_attr is None or (section_id, spec_attr.name) in _REPORTED_ELSEWHERE:
                continue
            key = (id(spec_attr), raw)
            if key in problems:
                problem = problems[key]
            else:
                problem = problems[key] = _attribute_value_problem(spec_attr, decode_attribute(raw))
            if problem is None:
                continue
            consequence = (
                _BAD_VALUE_CONSEQUENCE.get((section_id, spec_attr.name, ctx.target))
                or _BAD_VALUE_CONSEQUENCE.get((section_id, spec_attr.name, None))
                or f"{ctx.target.label} does not accept it"
            )
            reported = True
            yield ctx.finding(
                element,
                f"<{element.local_name} {name}={decode_attribute(raw)!r}>: the value {problem}; {consequence}",
                attribute=name,
            )
        if tag is not None and not reported:
            if len(passed) >= _PASSED_TAGS:  # tags of a file are many: bound what is kept
                passed.clear()
            passed.add(tag)


# -- ICE109-ICE110: mounts -------------------------------------------------------------


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
