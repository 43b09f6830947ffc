"""Words a release reads as a number or a default: log levels, KH enums, 2.5 TLS modes."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from icecfg import spec
from icecfg.conversion import (
    TlsMode,
    TypedValueError,
    atoi,
    effective,
    is_int,
    parse_typed,
)
from icecfg.document import Element
from icecfg.lint.context import LintContext
from icecfg.lint.finding import Finding
from icecfg.lint.rule import rule
from icecfg.lint.rules.common import (
    read_leaves,
    read_named,
    rename,
)
from icecfg.lint.rules.values.shared import set_text_fix
from icecfg.spec import Dialect, Kind

_LOGLEVELS = frozenset({Kind.LOGLEVEL})


_ENUMS = frozenset({Kind.ENUM})


@rule("ICE209", "loglevel-word", "error")
def loglevel_word(ctx: LintContext) -> Iterator[Finding]:
    """`<loglevel>` written as a word the target cannot read; it reads 0 and logs nothing at all.

    ## Why
    Icecast 2.4.4 reads the log level with `atoi`: `debug`, `info` or
    `warn` are 0, and at level 0 nothing is written to the error log, not
    even errors.  Checked on the real server: with `<loglevel>debug</loglevel>`
    error.log stays empty.  Icecast 2.5 knows exactly `debug`, `dbug`,
    `information`, `info`, `warning`, `warn`, `error` and `eror` (any case,
    no surrounding space; `util_str_to_loglevel`) and reads anything else
    with `atoi`: `verbose` or ` info ` leave its error log empty too
    (verified on 2.5.0).  Icecast-KH knows `debug`, `info`, `warn` and
    `error` (any case) and numbers; another word, such as 2.5's
    `information`, makes it log `unknown level setting information` and
    use level 2: warnings and errors only, the INFO lines are gone (tested
    on kh22).

    ## Bad
    ```xml
    <logging>
        <loglevel>debug</loglevel>
    </logging>
    ```

    ## Good
    ```xml
    <logging>
        <loglevel>4</loglevel>
    </logging>
    ```

    ## Fix
    Use the number: 4 debug, 3 info, 2 warn, 1 error (`icecfg lint --fix`
    converts the word).
    """
    for placed, _row, value in read_leaves(ctx, _LOGLEVELS):
        text = placed.element.text
        if value.kind is not Kind.LOGLEVEL or text is None or is_int(text) or not text.strip():
            continue
        if ctx.target is Dialect.V25 and text.lower() in _LOGLEVEL_WORDS_25:
            continue
        if ctx.target is Dialect.KH and (text.lower() in _LOGLEVEL_WORDS_KH or not text.isalnum()):
            continue  # a known word, or KH's "name=N, subsec" syntax (not judged here)
        name = placed.element.local_name
        fix: Callable[[], None] | None = None
        title = ""
        advice = "use a number: 4 debug, 3 info, 2 warn, 1 error"
        try:
            level = parse_typed(Kind.LOGLEVEL, text)
        except TypedValueError:
            level = None
        if isinstance(level, int):
            advice = f"write {level}"
            fix = set_text_fix(placed.element, str(level))
            title = f"write <{name}>{level}</{name}>"
        if ctx.target is Dialect.KH:
            effect = (
                f"Icecast-KH does not know the word (it logs 'unknown level setting {text}') and uses 2: "
                "warnings and errors only"
            )
        else:
            effect = f"{ctx.target.label} reads it as {atoi(text)}, and at that level nothing is logged at all"
        yield ctx.finding(
            placed.element,
            f"<{name}> {text!r}: {effect}; {advice}",
            at_text=True,
            fix=fix,
            fix_title=title,
        )


#: The words 2.5's util_str_to_loglevel knows (compared ignoring case, never trimmed).
_LOGLEVEL_WORDS_25 = frozenset({"debug", "dbug", "information", "info", "warning", "warn", "error", "eror"})


#: The words KH's config_get_loglevel knows (convert_name_to_level, ignoring case; ``subsec`` is a flag).
_LOGLEVEL_WORDS_KH = frozenset({"debug", "info", "warn", "error", "subsec"})


@rule("ICE210", "invalid-enum-value", "warning", dialects=spec.KH)
def invalid_enum_value(ctx: LintContext) -> Iterator[Finding]:
    """Word that is not one the setting knows; Icecast-KH falls back to its default.

    ## Why
    Word-valued settings know a fixed list of words.  Icecast-KH, for
    instance, writes the access log in CLF unless `<type>` is exactly
    `CLF-ESC` (`cfgfile.c` [KH] l.1032-1096): a misspelt word silently
    means the default (tested on kh22: with `<type>clf-escaped</type>` a
    user agent `Player "X" 1.0` is logged as it is, with `CLF-ESC` as
    `Player%20%22X%22%201%2e0`).  The words come from the element table.

    On each release: only Icecast-KH has a setting whose text is one of a
    fixed list of words (the access log's `<type>`), so the rule is for KH
    alone.  Icecast 2.4.4 and 2.5.0 read no `<type>` in `<accesslog>`:
    there the block is KH syntax (ICE301), and 2.5.0 logs
    "`<accesslog>` setting must not be empty" and keeps `access.log`
    (tested on 2.5.0, which escapes a quote in the user agent as `\\x22`
    on its own).  The words of 2.4/2.5 settings are checked by ICE204,
    ICE209 and ICE211.

    ## Bad
    ```xml
    <accesslog>
        <name>access.log</name>
        <type>clf-escaped</type>
    </accesslog>
    ```

    ## Good
    ```xml
    <accesslog>
        <name>access.log</name>
        <type>CLF-ESC</type>
    </accesslog>
    ```

    ## Fix
    Use one of the words the message lists, in exactly that spelling.
    """
    for placed, _row, value in read_leaves(ctx, _ENUMS):
        text = placed.element.text
        if value.kind is not Kind.ENUM or not value.choices or text is None:
            continue
        choices = value.choices
        ok = text.lower() in {c.lower() for c in choices} if value.case_insensitive else text in choices
        if ok:
            continue
        yield ctx.finding(
            placed.element,
            f"<{placed.element.local_name}> {text!r} is not one of {', '.join(choices)}: "
            f"{ctx.target.label} ignores the word and uses its default",
            at_text=True,
        )


def _tls_row() -> spec.ElementRow:
    row = spec.SECTIONS["listen-socket"].child("tls")
    assert row is not None
    return row


@rule("ICE211", "tls-value-means-auto", "warning", dialects=spec.V25)
def tls_value_means_auto(ctx: LintContext) -> Iterator[Finding]:
    """2.5 `<tls>0</tls>` (or `false`, `no`, empty, any unknown word) means auto, not disabled.

    ## Why
    Icecast 2.5 reads a listen socket's `<tls>` (and the old `<ssl>`) with
    `str_to_tlsmode` (`cfgfile.c` l.397-424): `disabled`, `auto`,
    `auto_no_plain`, `rfc2817`, `rfc2818`, and `true`/`yes`/`on`/non-zero
    numbers for rfc2818.  **Everything else, `0`, `false`, `no` and an
    empty element included, means `auto`**: the port accepts TLS and plain
    HTTP.  Only a missing element or the word `disabled` switches TLS off.
    Tested on 2.5.0 with a certificate: a `<tls>0</tls>` port completes a
    TLS handshake and also answers plain HTTP; with `disabled` it answers
    plain HTTP only.

    ## Bad
    ```xml
    <listen-socket>
        <port>8000</port>
        <tls>0</tls>
    </listen-socket>
    ```

    ## Good
    ```xml
    <listen-socket>
        <port>8000</port>
        <tls>disabled</tls>
    </listen-socket>
    ```

    ## Fix
    Write `<tls>disabled</tls>` or remove the element; write `auto`
    explicitly if auto is what you want.
    """
    tls_row = _tls_row()
    for placed in read_named(ctx, "tls", "ssl"):
        element = placed.element
        name = element.local_name
        if placed.parent.id != "listen-socket" or name not in ("tls", "ssl"):
            continue
        text = element.text
        if text is not None and text.strip().lower() == "auto":
            continue
        mode = TlsMode.AUTO if text is None else effective(tls_row, text, Dialect.V25)
        if mode is not TlsMode.AUTO:
            continue
        written = f"<{name}/>" if text is None else f"<{name}>{text.strip()}</{name}>"

        def fix(element: Element = element, name: str = name) -> None:
            target = rename(element, "tls") if name != "tls" else element
            target.set_text("disabled")

        yield ctx.finding(
            element,
            f"{written} means auto in Icecast 2.5 (the port accepts TLS and plain HTTP), not disabled; "
            "write <tls>disabled</tls> (or remove it) to switch TLS off, or <tls>auto</tls> if meant",
            at_text=text is not None,
            fix=fix,
            fix_title="write <tls>disabled</tls>",
        )
