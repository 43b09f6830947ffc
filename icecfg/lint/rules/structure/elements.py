"""Elements a release does not read where they stand: unknown, misplaced, written in the wrong case."""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from icecfg import spec
from icecfg.document import Element, decode_text
from icecfg.lint.context import LintContext
from icecfg.lint.finding import Finding
from icecfg.lint.rule import rule
from icecfg.lint.rules.common import (
    Status,
    character_data,
    dialect_names,
    read_by_target,
    rename,
    shown,
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
