"""Structure: elements and attributes Icecast does not read where they stand."""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from icecfg.lint.context import LintContext
from icecfg.lint.finding import Finding
from icecfg.lint.rule import rule


@rule("ICE101", "unknown-element", "error")
def unknown_element(ctx: LintContext) -> Iterator[Finding]:
    """Element Icecast does not know here; it is ignored without a word.

    ## Why
    Icecast 2.4.4 matches element names exactly and skips everything else
    silently, at every level: a misspelt `<max-listener>` leaves the mount
    unlimited, a `<client>` in `<limits>` leaves the default of 256 clients.
    Icecast 2.5 logs "Unknown tag" but starts all the same.

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

    ## Fix
    Correct the name (the message suggests the closest known one) or remove
    the element.  Elements in the wrong section or in the wrong case have
    their own rules (ICE102, ICE103).
    """
    for placed in ctx.placed:
        if placed.row is not None:
            continue
        name = placed.element.local_name
        if _wrong_case(placed) or _elsewhere(placed):
            continue  # reported by the more precise rules
        known = sorted({r.name for r in placed.parent.children if ctx.target in r.dialects})
        close = difflib.get_close_matches(name, known, n=1, cutoff=0.75)
        hint = f"; did you mean <{close[0]}>?" if close else ""
        yield ctx.finding(placed.element, f"<{name}> is not an element of <{placed.parent.tag}>{hint}")


def _wrong_case(placed: object) -> bool:
    from icecfg.structure import Placed

    assert isinstance(placed, Placed)
    name = placed.element.local_name.lower()
    return any(r.name.lower() == name for r in placed.parent.children)


def _elsewhere(placed: object) -> bool:
    from icecfg import spec
    from icecfg.structure import Placed

    assert isinstance(placed, Placed)
    name = placed.element.local_name
    return any(s.child(name) is not None for s in spec.SECTIONS.values() if s is not placed.parent)
