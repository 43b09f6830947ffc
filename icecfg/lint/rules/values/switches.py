"""Yes/no values a release reads otherwise: true as 0, 2.5 old-style fallback-override words."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from icecfg import spec
from icecfg.conversion import (
    FallbackOverride,
    TypedValueError,
    atoi,
    effective,
    format_typed,
    parse_typed,
)
from icecfg.lint.context import LintContext
from icecfg.lint.finding import Finding
from icecfg.lint.rule import rule
from icecfg.lint.rules.common import read_leaves
from icecfg.lint.rules.values.shared import set_text_fix
from icecfg.spec import Dialect, Kind

_BOOLEANISH = frozenset({Kind.BOOL, Kind.PUBLIC, Kind.FALLBACK_OVERRIDE})


_FALLBACK_OVERRIDES = frozenset({Kind.FALLBACK_OVERRIDE})


def _describe(kind: Kind, value: object) -> str:
    if value is None:
        return "nothing (it keeps the default)"
    if isinstance(value, bool):
        return "1 (on)" if value else "0 (off)"
    if isinstance(value, FallbackOverride):
        return format_typed(kind, value) if value is not FallbackOverride.OWN else "own"
    if kind is Kind.PUBLIC and value in _PUBLIC_MEANINGS:
        return f"{value} ({_PUBLIC_MEANINGS[value]})"
    return str(value)


#: What each ``<public>`` value does: the words a finding gives its number.
_PUBLIC_MEANINGS: dict[object, str] = {-1: "the source decides", 0: "never listed on YP", 1: "listed on YP"}


def _tls_socket_on_25(placed_parent: spec.SectionRow, name: str, target: Dialect) -> bool:
    """2.5 reads a listen socket's <ssl> with the <tls> parser: ICE211/ICE304 judge it."""
    return target is Dialect.V25 and placed_parent.id == "listen-socket" and name == "ssl"


@rule("ICE204", "misread-boolean", "error")
def misread_boolean(ctx: LintContext) -> Iterator[Finding]:
    """On/off setting written in a way the target reads differently (2.4.4: `true` is 0).

    ## Why
    Icecast 2.4.4 reads booleans with `atoi`, so only numbers work:
    `true`, `yes` and `on` are all **0, off**.  Checked on the real server:
    `<fileserve>true</fileserve>` switches static files off (`/style.css`
    answers 404).  The same applies to `<public>`, `<hidden>`,
    `<fallback-override>`, `<ssl>`, `<chroot>` ...  Icecast 2.5 accepts
    `true`/`yes`/`on` (`util_str_to_bool`, util.c l.311) but reads any other
    word as 0; Icecast-KH accepts `true`/`yes`/`false`/`no` and numbers and
    ignores anything else (`config_get_bool`).  Tested with `<fileserve>`:
    on 2.5.0 `enabled` switches static files off and `on` keeps them; on
    kh22 `off` is ignored (files stay served) and `true` keeps them.
    2.5's `<public>` takes `client` (-1, the source decides) too, but like
    `-1` only as written: `<public> client </public>` is 0, never listed
    even when the source asks, and ` -1` (or any number but 0) is 1, listed
    whatever the source says (tested on 2.5.0: the mount's `public` stat).

    ## Bad
    ```xml
    <fileserve>true</fileserve>
    ```

    ## Good
    ```xml
    <fileserve>1</fileserve>
    ```

    ## Fix
    Write `1` or `0`: every Icecast reads them the same way
    (`icecfg lint --fix` does it).
    """
    # (row, text) the target reads as meant: a file repeats its few on/off spellings on every mount
    fine: set[tuple[int, str]] = set()
    for placed, row, value in read_leaves(ctx, _BOOLEANISH):
        text = placed.element.text
        name = placed.element.local_name
        if value.kind not in _BOOLEANISH or text is None or _tls_socket_on_25(placed.parent, name, ctx.target):
            continue
        if (id(row), text) in fine:
            continue
        actual = effective(row, text, ctx.target)
        try:
            meant = parse_typed(value.kind, text, value.choices)
        except TypedValueError:
            yield ctx.finding(
                placed.element,
                f"<{name}> value {text!r} is not on/off: {ctx.target.label} reads it as "
                f"{_describe(value.kind, actual)}; write 1 or 0",
                at_text=True,
            )
            continue
        if actual == meant:
            fine.add((id(row), text))
            continue
        replacement = format_typed(value.kind, meant)
        fix: Callable[[], None] | None = None
        title = ""
        if effective(row, replacement, ctx.target) == meant:
            fix = set_text_fix(placed.element, replacement)
            title = f"write <{name}>{replacement}</{name}>"
        elif value.kind is Kind.PUBLIC:
            replacement = "-1, 0 or 1"  # 2.5 has no spelling of another number: each is a 1
        yield ctx.finding(
            placed.element,
            f"<{name}>{text.strip()}</{name}>: {ctx.target.label} reads {text!r} as "
            f"{_describe(value.kind, actual)}; write {replacement}",
            at_text=True,
            fix=fix,
            fix_title=title,
        )


def _fallback_override_word_25(text: str) -> str | None:
    """The word 2.5 takes without a warning (``config_str_to_fallback_override_t``), or None."""
    if text == "none" or text.lower() in ("all", "own"):
        return text
    return None


@rule("ICE212", "fallback-override-old-style", "warning", dialects=spec.V25)
def fallback_override_old_style(ctx: LintContext) -> Iterator[Finding]:
    """`<fallback-override>` written as 1/0 (or true/false): Icecast 2.5 wants `all` or `none`.

    ## Why
    Icecast 2.5 reads `<fallback-override>` as a word: `none`, `all` or the
    new `own` (only the listeners that came from this mount return).  It
    still understands the 2.4 numbers and booleans, but logs "Old style
    fallback override setting. Please replace "1" with "all"." at every
    start (`cfgfile.c` l.261-278; verified on 2.5.0).  Note that `none` is
    compared case-sensitively: `None` is "old style" too.

    ## Bad
    ```xml
    <mount>
        <mount-name>/live</mount-name>
        <fallback-mount>/fallback.ogg</fallback-mount>
        <fallback-override>1</fallback-override>
    </mount>
    ```

    ## Good
    ```xml
    <mount>
        <mount-name>/live</mount-name>
        <fallback-mount>/fallback.ogg</fallback-mount>
        <fallback-override>all</fallback-override>
    </mount>
    ```

    ## Fix
    Write `all` for 1 and `none` for 0 (`icecfg lint --fix` does it).  Only
    for a 2.5 server: Icecast 2.4.4 reads `all` with `atoi`, as 0.
    """
    for placed, _row, value in read_leaves(ctx, _FALLBACK_OVERRIDES):
        text = placed.element.text
        if value.kind is not Kind.FALLBACK_OVERRIDE or text is None or _fallback_override_word_25(text):
            continue
        # util_str_to_bool: true/yes/on (any case, untrimmed) or a non-zero number
        word = "all" if text.lower() in ("true", "yes", "on") or atoi(text) != 0 else "none"
        name = placed.element.local_name
        yield ctx.finding(
            placed.element,
            f"<{name}>{text}</{name}> is the old style: Icecast 2.5 reads it as {word} and logs "
            f"'Old style fallback override setting' at every start; write {word}",
            at_text=True,
            fix=set_text_fix(placed.element, word),
            fix_title=f"write <{name}>{word}</{name}>",
        )
