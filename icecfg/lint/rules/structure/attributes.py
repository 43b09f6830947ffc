"""Attributes: unknown, missing where a release needs them, or of a value it cannot use."""

from __future__ import annotations

import difflib
import functools
from collections.abc import Iterator

from icecfg import spec
from icecfg.conversion import is_int
from icecfg.document import decode_attribute
from icecfg.lint.context import LintContext
from icecfg.lint.finding import Finding
from icecfg.lint.rule import rule
from icecfg.lint.rules.common import (
    Status,
    attribute_specs,
    attributes_with_status,
    kh_child_attributes,
    read_by_row,
    read_with_attributes,
    target_attribute,
)
from icecfg.placement import Placed
from icecfg.spec import Dialect

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
