"""Numbers: text a release reads as no number, or as nothing (2.4.4 crashes on some empty ones)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from icecfg import spec
from icecfg.conversion import (
    atoi,
    crashes_if_empty,
    kh_bitrate,
    kh_size,
)
from icecfg.document import Element
from icecfg.effective.limits import kh_cap_note, kh_capped
from icecfg.lint.context import LintContext
from icecfg.lint.finding import Finding
from icecfg.lint.rule import rule
from icecfg.lint.rules.common import (
    leaf_groups,
    leaf_groups_of_rows,
)
from icecfg.lint.rules.values.shared import binds, is_listen_port, is_number, set_text_fix
from icecfg.spec import Dialect, Kind

_WHOLE_NUMBERS = frozenset({Kind.INT, Kind.UINT, Kind.SIZE, Kind.BITRATE})


#: What an empty value matters for: the numbers (``Value.numeric``) and log levels.
_EMPTY_MATTERS = frozenset(
    {Kind.INT, Kind.UINT, Kind.BOOL, Kind.FALLBACK_OVERRIDE, Kind.PUBLIC, Kind.SIZE, Kind.BITRATE, Kind.LOGLEVEL}
)


def _kh_reads(kind: Kind, text: str) -> int | None:
    """The number KH reads from ``text`` for a value of ``kind`` (None: none, the setting keeps its value)."""
    if kind is Kind.SIZE:
        return kh_size(text)
    if kind is Kind.BITRATE:
        return kh_bitrate(text)
    return _leading_int(text)


def _leading_int(text: str) -> int | None:
    """The number C's atoi/sscanf("%d") would find at the start, or None if there is none."""
    stripped = text.lstrip(" \t\n\v\f\r")
    if stripped[:1] in ("+", "-"):
        stripped = stripped[1:]
    return atoi(text) if stripped[:1].isdigit() else None


@rule("ICE201", "not-a-number", "error")
def not_a_number(ctx: LintContext) -> Iterator[Finding]:
    """Numeric setting that is not a whole number; Icecast reads something else.

    ## Why
    Icecast 2.4.4 reads numbers with C's `atoi`, which never fails: it stops
    at the first character that is not a digit.  `8000abc` is 8000, `abc`
    and a blank value are 0.  Checked on the real server: `<port>abc</port>`
    binds a **random** port without a word, and `<clients> </clients>` sets
    the client limit to 0, so every request is refused with 403.  Icecast
    2.5 reads most numbers the same way (`util_str_to_int`; unsigned values
    reject trailing junk, `cfgfile.c` l.342-376), then range-checks them:
    where the number read is out of range it logs "out of range" and keeps
    the default (verified on 2.5.0: `<clients>abc</clients>` keeps 256).
    Icecast-KH reads them with `sscanf("%d")` and keeps the default when
    that fails, except a listen socket's port: the socket is then dropped
    ("failed to read element"), and with no other socket KH stops at
    start-up ("No listen-socket defintions", sic) and then crashes with a
    segfault (verified on kh22).  KH reads its attribute form the same way:
    `<mount max-listeners="x">` keeps the default, no limit, and `"1x"` is 1
    (verified on kh22).

    KH reads a size (`<burst-size>`, `<queue-size>`) with `sscanf("%u")`,
    which takes a minus sign and wraps: `-5` is 4294967291, capped at
    2147483647, and a source then uses its own limits for so large a size:
    a burst of 100000 bytes, a queue of 1000000 (verified on kh22: a new
    listener gets about 100 KB at once for `<burst-size>-5</burst-size>`).

    KH reads `<limit-rate>`, `<max-bandwidth>` and a `<fallback>`'s `rate`
    as bitrates (`config_get_bitrate`): a number of bits per second and the
    one character after it, `k`/`K` multiplying by 1000 and `m`/`M` by
    1000000; any other character ends the number, so `64kbit` is 64000,
    `64 k` is 64 and `1.5m` is 1 bit/s; a text without a number keeps the
    value before it (verified on kh22: a fallback file is sent at
    `<limit-rate>` / 8 bytes per second, and not at all for `1.5m` or
    `-1`, which leave it 0 bytes per second).

    ## Bad
    ```xml
    <listen-socket>
        <port>8000abc</port>
    </listen-socket>
    ```

    ## Good
    ```xml
    <listen-socket>
        <port>8000</port>
    </listen-socket>
    ```

    ## Fix
    Write the number only.  Where the text starts with a number,
    `icecfg lint --fix` keeps that number (what 2.4.4 already uses).
    """
    for row, value, leaves in leaf_groups(ctx, _WHOLE_NUMBERS):
        for placed in leaves:
            text = placed.element.text
            if text is None:  # the groups are of _WHOLE_NUMBERS rows only: no look at the kind per leaf
                continue
            if text.isdecimal() and not (value.kind is Kind.SIZE and ctx.target is Dialect.KH):
                continue  # the usual plain digits (what is_int's \d matches), without a regular expression
            if is_number(value.kind, text, ctx.target):
                continue
            name = placed.element.local_name
            lead = _kh_reads(value.kind, text) if ctx.target is Dialect.KH else _leading_int(text)
            blank = not text.strip()
            what = f"<{name}> is blank" if blank else f"<{name}> value {text!r} is not {_a_number(value.kind)}"
            target = ctx.target
            read_as: int | None
            unsigned = value.kind is Kind.UINT or value.kind is Kind.SIZE  # 2.5 strtol, no trailing junk
            if target is Dialect.V24 or (target is Dialect.V25 and not unsigned):
                read_as = atoi(text)
                consequence = f"{target.label} reads it as {read_as}"
            elif target is Dialect.KH and lead is not None:
                read_as = lead
                consequence = f"{target.label} reads it as {lead}{_unit(value.kind)}"
                if value.kind is Kind.SIZE and kh_capped(row.name, lead) != lead:
                    consequence += f" ({kh_cap_note(row.name)})"
            else:
                read_as = None
                default = row.default(target)
                consequence = f"{target.label} rejects it and keeps the default" + (
                    f" ({default})" if default is not None else ""
                )
            bounds = value.ranges.get(target)
            if target is Dialect.V25 and read_as is not None and bounds is not None:
                low, high = bounds
                if not low <= read_as <= high:  # __read_int: out of range, logged, the old value stays
                    default = row.default(target)
                    kept = f" ({default})" if default is not None else ""
                    consequence += (
                        f", which is outside {low}..{high}: it logs 'out of range' and keeps the default{kept}"
                    )
                    read_as = None
            if target is Dialect.KH and is_listen_port(value) and placed.parent.id == "listen-socket" and lead is None:
                # _parse_listen_sock: the port stays 0 and the socket is dropped
                consequence = (
                    "Icecast-KH cannot read it and drops this listen socket; with no other socket it stops at "
                    "start-up ('No listen-socket defintions', sic) and crashes"
                )
            if read_as is not None:
                if is_listen_port(value) and read_as % 65536 == 0 and binds(ctx, placed):
                    consequence += ", so the socket binds a random free port"
                elif row.name == "clients" and placed.parent.id == "limits" and read_as <= 0:
                    consequence += ", and with a client limit of 0 every request is refused with 403"
            fix: Callable[[], None] | None = None
            title = ""
            if lead is not None and not blank:
                used = kh_capped(row.name, lead) if value.kind is Kind.SIZE and target is Dialect.KH else lead
                fix = set_text_fix(placed.element, str(used))  # the number the release goes by
                title = f"write <{name}>{used}</{name}>"
            yield ctx.finding(placed.element, f"{what}: {consequence}", at_text=True, fix=fix, fix_title=title)
    if ctx.target is Dialect.KH:
        yield from _kh_attribute_numbers(ctx)


def _kh_attribute_numbers(ctx: LintContext) -> Iterator[Finding]:
    """KH's attribute form of a number (``<mount max-listeners="x">``) that is not a whole number.

    KH reads the attribute with the element's own ``config_get_int`` (or
    size reader): the number it starts with, else nothing, and the setting
    keeps its default (KH reads attributes before the children).
    """
    for placed in ctx.placed:
        element, section = placed.element, placed.section
        if section is None or not element.has_attributes:
            continue
        as_children = section.kh_attribute_children()
        for attribute in element.attributes:
            row = as_children.get(attribute.name)
            value = row.value if row is not None else None
            text = attribute.value
            if (
                row is None
                or value is None
                or value.kind not in _WHOLE_NUMBERS
                or is_number(value.kind, text, Dialect.KH)
            ):
                continue
            read = _kh_reads(value.kind, text)
            if read is not None:
                consequence = f"Icecast-KH reads it as {read}{_unit(value.kind)}"
            else:
                default = row.default(Dialect.KH)
                consequence = "Icecast-KH rejects it and keeps the default" + (
                    f" ({default})" if default is not None else ""
                )
            yield ctx.finding(
                element,
                f"{attribute.name}={text!r} on <{element.local_name}> is not {_a_number(value.kind)}: {consequence}",
                attribute=attribute.name,
            )


def _a_number(kind: Kind) -> str:
    """What a value of ``kind`` should be, in a finding's words."""
    return "a bitrate (bits per second, k or m for 1000 or 1000000)" if kind is Kind.BITRATE else "a whole number"


def _unit(kind: Kind) -> str:
    """The unit a number KH reads for ``kind`` is in, as a finding adds it (bitrates only)."""
    return " bit/s" if kind is Kind.BITRATE else ""


@rule("ICE205", "empty-number-crash", "error", dialects=spec.V24_V25)
def empty_number_crash(ctx: LintContext) -> Iterator[Finding]:
    """An empty element the release reads without a check: Icecast 2.4.4 or 2.5.0 crashes at startup.

    ## Why
    Icecast 2.4.4 reads most numbers with `atoi(value)`, and an empty
    element's value is NULL: `atoi(NULL)` dereferences a null pointer.
    Checked on the real server: `<clients></clients>` (or `<clients/>`,
    `<fileserve/>`) kills Icecast with SIGSEGV, exit status 139, before it
    prints anything, so the crash is hard to trace back to the file.
    Icecast 2.5.0 checks most empty values, but not `<loglevel/>` or a
    mount's `<public/>`: it compares NULL with `strcasecmp`
    (`util_str_to_loglevel`, `__parse_public`) and segfaults the same way,
    silently.  Both copy an empty `<server-id/>` (as the YP client starts)
    and `<master-username/>` (a second later, in the relay thread, with or
    without a master) with `strdup(NULL)` and die too.

    ## On each release
    - 2.4.4: the numbers, `<public/>`, `<server-id/>` and
      `<master-username/>` (verified, `tests/test_oracle_startup.py` and
      `tests/test_oracle_harness.py`).
    - 2.5.0: `<loglevel/>`, a mount's `<public/>`, `<server-id/>` and
      `<master-username/>` (verified, same tests).
    - Icecast-KH keeps its default for each, without a word (verified).

    ## Bad
    ```xml
    <limits>
        <clients></clients>
    </limits>
    ```

    ## Good
    ```xml
    <limits>
        <clients>100</clients>
    </limits>
    ```

    ## Fix
    Give the element a value, or remove it to use the default
    (`icecfg lint --fix` removes it).
    """
    for row, _value, leaves in leaf_groups_of_rows(ctx, lambda row: crashes_if_empty(row, ctx.target)):
        for placed in leaves:  # the groups are of the rows that crash (the filter above)
            element = placed.element
            if element.text is not None:
                continue
            name = element.local_name

            def fix(element: Element = element) -> None:
                assert element.parent is not None
                element.parent.remove(element)

            how = _null_read(row, ctx.target)
            yield ctx.finding(
                element,
                f"<{name}> is empty: {ctx.target.label} reads it with {how} and segfaults at startup "
                f"(exit status 139, no message); give it a value or remove it",
                fix=fix,
                fix_title=f"remove the empty <{name}>",
            )


def _null_read(row: spec.ElementRow, target: Dialect) -> str:
    """What the release does with the NULL an empty element gives, in C."""
    if row.value is not None and row.value.kind is Kind.STRING:
        return "strdup(NULL)"
    return "atoi(NULL)" if target is Dialect.V24 else "strcasecmp(NULL)"


@rule("ICE206", "empty-number", "warning")
def empty_number(ctx: LintContext) -> Iterator[Finding]:
    """Empty numeric element: Icecast reports it (or not) and keeps the default.

    ## Why
    An empty number is a mistake: a value was meant to be there.  Icecast
    2.4.4 warns "`<port>` must not be empty" and listens on 8000; Icecast 2.5
    logs "Invalid empty tag" and keeps the default (`cfgfile.c`
    l.342-376; tested on 2.5.0: `Invalid empty tag: /icecast/limits/clients`);
    Icecast-KH keeps the default without a word (`config_get_int` skips an
    empty value; tested on kh22).  (Where 2.4.4
    would crash instead, ICE205 reports it.)  An empty on/off setting is
    different: Icecast 2.5 (`util_str_to_bool`) and Icecast-KH
    (`config_get_bool`) read it as 0, off, without a word about it; tested
    on 2.5.0 and kh22 with `<fileserve></fileserve>`, which switches static
    files off (`/hello.txt` answers 404).  Icecast-KH reads an empty
    `<loglevel/>` as 2, warnings and errors only, without a word (tested).

    ## Bad
    ```xml
    <listen-socket>
        <port></port>
    </listen-socket>
    ```

    ## Good
    ```xml
    <listen-socket>
        <port>8000</port>
    </listen-socket>
    ```

    ## Fix
    Give the element a value, or remove it to use the default.
    """
    for row, value, leaves in leaf_groups(ctx, _EMPTY_MATTERS):
        if not (value.numeric or value.kind is Kind.LOGLEVEL) or crashes_if_empty(row, ctx.target):
            continue  # not a number, or ICE205's: a row at a time, not a leaf at a time
        for placed in leaves:
            element = placed.element
            if element.text is not None:
                continue
            if value.kind is Kind.LOGLEVEL and ctx.target is Dialect.KH:
                yield ctx.finding(
                    element,
                    f"<{element.local_name}> is empty: Icecast-KH reads it as 2 (warnings and errors only), "
                    "silently; give it a value or remove it",
                )
                continue
            if value.kind is Kind.BOOL and ctx.target is not Dialect.V24:
                yield ctx.finding(
                    element,
                    f"<{element.local_name}> is empty: {ctx.target.label} reads it as 0 (off), silently; "
                    "write 1 or 0, or remove it to use the default",
                )
                continue
            default = row.default(ctx.target)
            keeps = f" (it keeps the default {default})" if default is not None else ""
            yield ctx.finding(
                element,
                f"<{element.local_name}> is empty: {ctx.target.label} reads no value from it{keeps}; "
                "give it a value or remove it",
            )
