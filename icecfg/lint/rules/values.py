"""Values: element text that the target Icecast reads differently from what it says.

Every rule here looks only at elements the target really reads (see
:func:`icecfg.lint.rules.common.read_leaves`) and derives what it checks
from the element table: the value kind, the per-dialect ranges, the
``crash_if_empty`` flag and the defaults.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterator

from icecfg import spec
from icecfg.conversion import (
    FallbackOverride,
    TlsMode,
    TypedValueError,
    atoi,
    c_div,
    crashes_if_empty,
    effective,
    format_typed,
    is_int,
    kh_bitrate,
    kh_size,
    parse_typed,
)
from icecfg.document import Element
from icecfg.effective.limits import kh_cap_note, kh_capped
from icecfg.lint.context import LintContext
from icecfg.lint.finding import Finding
from icecfg.lint.rule import rule
from icecfg.lint.rules.common import (
    leaf_groups,
    leaf_groups_of_rows,
    read_by_row,
    read_leaves,
    read_leaves_of_rows,
    read_named,
    rename,
    shown,
)
from icecfg.placement import Placed
from icecfg.spec import Dialect, Kind

_WHOLE_NUMBERS = frozenset({Kind.INT, Kind.UINT, Kind.SIZE, Kind.BITRATE})
_BOOLEANISH = frozenset({Kind.BOOL, Kind.PUBLIC, Kind.FALLBACK_OVERRIDE})
#: The kinds some rule of this module looks at: each rule visits only the leaves of its kinds.
_INTEGERS = frozenset({Kind.INT})  # the ports
_ADDRESSES = frozenset({Kind.IP})
_LOGLEVELS = frozenset({Kind.LOGLEVEL})
_ENUMS = frozenset({Kind.ENUM})
_FALLBACK_OVERRIDES = frozenset({Kind.FALLBACK_OVERRIDE})
#: What an empty value matters for: the numbers (``Value.numeric``) and log levels.
_EMPTY_MATTERS = frozenset(
    {Kind.INT, Kind.UINT, Kind.BOOL, Kind.FALLBACK_OVERRIDE, Kind.PUBLIC, Kind.SIZE, Kind.BITRATE, Kind.LOGLEVEL}
)
#: Kinds whose text Icecast uses as written: names, paths, hosts, passwords.
_VERBATIM = frozenset(
    {
        Kind.STRING,
        Kind.PASSWORD,
        Kind.PATH,
        Kind.FILENAME,
        Kind.MOUNT,
        Kind.HOST,
        Kind.IP,
        Kind.URL,
        Kind.MIME,
        Kind.REF,
    }
)


def is_port(value: spec.Value) -> bool:
    """True for the table's TCP port value types."""
    return value is spec.PORT or value is spec.LISTEN_PORT


def is_listen_port(value: spec.Value) -> bool:
    """The ports Icecast binds (root ``<port>`` and listen-socket ``<port>``)."""
    return value is spec.LISTEN_PORT


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


def binds(ctx: LintContext, placed: Placed) -> bool:
    """Whether a ``<port>``/``<bind-address>`` is used for binding a socket.

    The root ones configure an implicit socket that exists only while no
    ``<listen-socket>`` does (2.4, 2.5: they then only feed generated URLs).
    """
    if placed.parent is not spec.ROOT:
        return placed.parent.id == "listen-socket"
    return not any(
        p.parent is spec.ROOT for row, group in read_by_row(ctx).values() if row.name == "listen-socket" for p in group
    )


def _port_row(row: spec.ElementRow) -> bool:
    return row.value is not None and row.value.kind in _INTEGERS and is_port(row.value)


def _bind_address_row(row: spec.ElementRow) -> bool:
    return row.value is not None and row.value.kind in _ADDRESSES and row.name == "bind-address"


def set_text_fix(element: Element, text: str) -> Callable[[], None]:
    """A fix that replaces the element's text."""

    def fix() -> None:
        element.set_text(text)

    return fix


def _is_number(kind: Kind, text: str, target: Dialect) -> bool:
    if (kind is Kind.SIZE and target is Dialect.KH) or kind is Kind.BITRATE:
        try:
            parse_typed(kind, text)
        except TypedValueError:
            return False
        return True
    return is_int(text)


# -- ICE201-ICE203: numbers ---------------------------------------------------------------


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
            if _is_number(value.kind, text, ctx.target):
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
                or _is_number(value.kind, text, Dialect.KH)
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


@rule("ICE202", "port-out-of-range", "error")
def port_out_of_range(ctx: LintContext) -> Iterator[Finding]:
    """TCP port outside 1..65535; Icecast 2.4.4 binds a random or a wrapped port.

    ## Why
    Icecast 2.4.4 does not check port numbers.  Checked on the real server:
    `0` binds a random free port and `99999` binds port 34463 (99999 modulo
    65536), both without a message.  Icecast 2.5 range-checks only some
    ports (`master-server-port`, upstream ports) and takes listen ports as
    they are: tested on 2.5.0, a `<port>` of N + 65536 silently binds port
    N.  Icecast-KH drops a socket whose port is out of range
    (`config_get_port`; tested on kh22: it logs `port out of range, 99999`
    and `failed to read element "port"`, and nothing listens there).

    ## Bad
    ```xml
    <listen-socket>
        <port>99999</port>
    </listen-socket>
    ```

    ## Good
    ```xml
    <listen-socket>
        <port>9999</port>
    </listen-socket>
    ```

    ## Fix
    Use a port between 1 and 65535 (above 1023 unless Icecast starts as root).
    """
    # only the port rows are visited, not every whole number of the file
    for placed, _row, value in read_leaves_of_rows(ctx, _port_row):
        text = placed.element.text
        if not is_port(value) or text is None or not is_int(text):
            continue
        number = int(text)
        if 1 <= number <= 65535:
            continue
        name = placed.element.local_name
        if ctx.target is not Dialect.KH and is_listen_port(value):
            wrapped = number % 65536
            label = "Icecast 2.4.4" if ctx.target is Dialect.V24 else ctx.target.label
            if binds(ctx, placed):
                bound = "a random free port" if wrapped == 0 else f"port {wrapped} instead"
                consequence = f"{label} silently binds {bound}"
            else:
                consequence = f"{label} writes port {wrapped} into generated URLs"
        elif ctx.target is Dialect.KH and is_listen_port(value):
            consequence = "Icecast-KH rejects it ('port out of range')"
        else:
            consequence = f"{ctx.target.label} cannot use it"
        yield ctx.finding(
            placed.element,
            f"<{name}> {number} is not a TCP port (1..65535): {consequence}",
            at_text=True,
        )


@rule("ICE203", "value-out-of-range", "warning", dialects=(Dialect.V25, Dialect.KH))
def value_out_of_range(ctx: LintContext) -> Iterator[Finding]:
    """Number outside the range the target accepts for this setting.

    ## Why
    Icecast 2.5 range-checks most numbers (`__read_int`,
    `__read_unsigned_int`, `cfgfile.c` l.342-376), logs "Value for tag is
    out of range" as a configuration problem on the admin dashboard and
    keeps the default (verified on 2.5.0: `<clients>0</clients>` leaves the
    limit at its default, not at 0); a
    mount's `<max-listeners>-1</max-listeners>`, the 2.4 way of saying
    unlimited, is such a value.  Icecast-KH clamps or rejects out-of-range
    values (`workers` 1..400, relay `timeout` 1..60; tested on kh22:
    `<workers>0</workers>` logs `requested worker count 1`).  The ranges
    come from the element table.

    ## Bad
    ```xml
    <limits>
        <header-timeout>1</header-timeout>
    </limits>
    ```

    ## Good
    ```xml
    <limits>
        <header-timeout>5</header-timeout>
    </limits>
    ```

    ## Fix
    Use a value inside the range the message gives (for an unlimited mount,
    leave `<max-listeners>` out).
    """

    def checked(row: spec.ElementRow) -> bool:
        return row.value is not None and row.value.ranges.get(ctx.target) is not None and not is_port(row.value)

    for placed, row, value in read_leaves_of_rows(ctx, checked):
        bounds = value.ranges.get(ctx.target)
        if bounds is None or is_port(value):
            continue
        text = placed.element.text
        if text is None or not _is_number(value.kind, text, ctx.target):
            continue
        number = parse_typed(value.kind, text) if value.kind is Kind.SIZE else int(text)
        assert isinstance(number, int)
        low, high = bounds
        if low <= number <= high:
            continue
        if ctx.target is Dialect.V25:
            default = row.default(ctx.target)
            kept = f" ({default})" if default is not None else ""
            how = f"logs 'Value for tag is out of range' and keeps the default{kept}"
        else:
            how = "does not accept it (rejects or clamps it)"
        yield ctx.finding(
            placed.element,
            f"<{placed.element.local_name}> {number} is outside {low}..{high}: {ctx.target.label} {how}",
            at_text=True,
        )


# -- ICE204-ICE206: booleans and empty values ---------------------------------------------


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


@rule("ICE205", "empty-number-crash", "error", dialects=spec.V24_V25)
def empty_number_crash(ctx: LintContext) -> Iterator[Finding]:
    """Empty numeric element: Icecast 2.4.4 (and for `<loglevel>` 2.5.0) crashes at startup.

    ## Why
    Icecast 2.4.4 reads most numbers with `atoi(value)`, and an empty
    element's value is NULL: `atoi(NULL)` dereferences a null pointer.
    Checked on the real server: `<clients></clients>` (or `<clients/>`,
    `<fileserve/>`) kills Icecast with SIGSEGV, exit status 139, before it
    prints anything, so the crash is hard to trace back to the file.
    Icecast 2.5.0 checks most empty values, but not `<loglevel/>`: it
    compares NULL with `strcasecmp` (`util_str_to_loglevel`) and segfaults
    the same way, silently (verified on 2.5.0).

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
    for _row, _value, leaves in leaf_groups_of_rows(ctx, lambda row: crashes_if_empty(row, ctx.target)):
        for placed in leaves:  # the groups are of the rows that crash (the filter above)
            element = placed.element
            if element.text is not None:
                continue
            name = element.local_name

            def fix(element: Element = element) -> None:
                assert element.parent is not None
                element.parent.remove(element)

            how = "atoi(NULL)" if ctx.target is Dialect.V24 else "a NULL string"
            yield ctx.finding(
                element,
                f"<{name}> is empty: {ctx.target.label} reads it with {how} and segfaults at startup "
                f"(exit status 139, no message); give it a value or remove it",
                fix=fix,
                fix_title=f"remove the empty <{name}>",
            )


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


# -- ICE207-ICE209: text values ---------------------------------------------------------------


def _whitespace_consequence(kind: Kind) -> str:
    return {
        Kind.PASSWORD: "the whitespace is part of the password clients must send",
        Kind.MOUNT: "the mount name includes it and matches no request for the name without it",
        Kind.PATH: "the path includes it and names a different file",
        Kind.FILENAME: "the file name includes it",
        Kind.HOST: "the host name includes it, in generated URLs and YP listings too",
        Kind.IP: "the address includes it and does not parse as an IP address",
        Kind.URL: "the URL includes it",
    }.get(kind, "Icecast uses the text as written")


@rule("ICE207", "untrimmed-value", "warning")
def untrimmed_value(ctx: LintContext) -> Iterator[Finding]:
    """Leading or trailing whitespace in a name, path, host or password; Icecast keeps it.

    ## Why
    Icecast never trims values: `<mount-name> /live</mount-name>` configures
    a mount called " /live", which no listener ever asks for, and a password
    written across lines includes the newline and the indentation.  The
    whitespace is invisible in review.  Tested on 2.5.0 and kh22: a mount
    named " /spaced" with a file fallback answers 404 for `/spaced`, the
    trimmed name plays the fallback.

    ## Bad
    ```xml
    <mount>
        <mount-name>
            /live.ogg
        </mount-name>
    </mount>
    ```

    ## Good
    ```xml
    <mount>
        <mount-name>/live.ogg</mount-name>
    </mount>
    ```

    ## Fix
    Remove the whitespace (`icecfg lint --fix` does it).
    """
    for _row, value, leaves in leaf_groups(ctx, _VERBATIM):
        for placed in leaves:  # the groups are of _VERBATIM rows only: no look at the kind per leaf
            text = placed.element.text
            if text is None or text == text.strip():
                continue
            element = placed.element
            name = element.local_name
            secret = value.secret
            if not text.strip():
                yield ctx.finding(
                    element,
                    f"<{name}> holds only whitespace: Icecast uses it as written; give it a value or remove it",
                )
                continue
            subject = f"<{name}>" if secret else f"<{name}> {shown(ctx, text, secret)}"
            stripped = text.strip()

            def fix(element: Element = element, stripped: str = stripped) -> None:
                element.set_text(stripped)

            yield ctx.finding(
                element,
                f"{subject} has leading or trailing whitespace: Icecast never trims values, so "
                f"{_whitespace_consequence(value.kind)}; remove it",
                at_text=True,
                fix=fix,
                fix_title=f"trim the whitespace of <{name}>",
            )


@rule("ICE208", "bind-address-not-numeric", "error")
def bind_address_not_numeric(ctx: LintContext) -> Iterator[Finding]:
    """`<bind-address>` that is not a numeric IP address; the socket cannot bind.

    ## Why
    Icecast binds listen sockets to numeric addresses only.  Checked on
    Icecast 2.4.4: `<bind-address>localhost</bind-address>` fails to bind;
    when that was the only socket, Icecast exits with "Server startup
    failed".  Otherwise it runs without the socket you configured.  Icecast
    2.5.0 and Icecast-KH do the same (tested: a second socket with
    `<bind-address>localhost</bind-address>` refuses connections, with
    `127.0.0.1` it serves).

    ## Bad
    ```xml
    <listen-socket>
        <port>8000</port>
        <bind-address>localhost</bind-address>
    </listen-socket>
    ```

    ## Good
    ```xml
    <listen-socket>
        <port>8000</port>
        <bind-address>127.0.0.1</bind-address>
    </listen-socket>
    ```

    ## Fix
    Write the address as digits (`127.0.0.1`, `::1`, `0.0.0.0`); `icecfg
    lint --fix` turns `localhost` into `127.0.0.1`.
    """
    numeric: set[str] = set()
    # only the <bind-address> rows are visited, not every host name of the file
    for placed, row, value in read_leaves_of_rows(ctx, _bind_address_row):
        text = placed.element.text
        if value.kind is not Kind.IP or row.name != "bind-address" or text is None or not text.strip():
            continue
        if not binds(ctx, placed):
            continue  # a root <bind-address> beside <listen-socket>s is not used at all
        address = text.strip()
        if address in numeric:
            continue  # a file binds its few addresses on many sockets: each is parsed once
        try:
            ipaddress.ip_address(address)
            numeric.add(address)
            continue
        except ValueError:
            pass
        fix: Callable[[], None] | None = None
        title = ""
        if address.lower() == "localhost":
            fix = set_text_fix(placed.element, "127.0.0.1")
            title = "write <bind-address>127.0.0.1</bind-address>"
        yield ctx.finding(
            placed.element,
            f"<bind-address> {address!r} is not a numeric IP address: Icecast cannot bind it "
            "(startup fails when no other socket binds); write the address as digits, e.g. 127.0.0.1",
            at_text=True,
            fix=fix,
            fix_title=title,
        )


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


# -- ICE210-ICE211: words ---------------------------------------------------------------------


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


# -- ICE212: 2.5's fallback-override words ---------------------------------------------------


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


@rule("ICE213", "kh-negative-limit-rate", "error", dialects=spec.KH)
def kh_negative_limit_rate(ctx: LintContext) -> Iterator[Finding]:
    """A mount's `<limit-rate>` is -8 bit/s or less: Icecast-KH stops reading its source.

    ## Why
    KH turns `<limit-rate>` into bytes per second with C's division by 8,
    and reads a live source only while that rate is 0 or not below the
    rate the source comes in at (`source_read`).  `-1` to `-7` are 0 bytes
    per second: no limit at all, as without the element (not reported here;
    a file fallback then has no rate, ICE608).  `-8` or less is a negative rate, below any incoming rate:
    KH stops reading the source for good.  The source client is accepted
    and sees no error (its data piles up in the socket), while a listener
    of the mount gets nothing, not even the response headers (verified on
    kh22: `<limit-rate>-8</limit-rate>` holds a 20 KB/s source; `-1`
    streams as without a limit).

    ## Bad
    ```xml
    <mount>
        <mount-name>/live</mount-name>
        <limit-rate>-8</limit-rate>
    </mount>
    ```

    ## Good
    ```xml
    <mount>
        <mount-name>/live</mount-name>
        <limit-rate>128k</limit-rate>
    </mount>
    ```

    ## Fix
    Write the stream's bitrate (it is also the rate a fallback file is sent
    at), or leave `<limit-rate>` out for no limit.
    """
    seen: set[int] = set()
    for mount in ctx.effective.mounts.mounts:
        found = mount.settings.get("limit-rate")
        if found is None or not isinstance(found.value, int) or found.value > -8:
            continue
        element = found.origin.element
        if element is None or id(element) in seen:
            continue  # reported where it is written, once
        seen.add(id(element))
        rate = c_div(found.value, 8)  # -1 to -7 are 0: no limit, as without the element
        what = (
            f"is {rate} bytes per second to Icecast-KH, below any rate a source sends at: KH stops "
            f"reading the source of {mount.label} for good, and its listeners get nothing while the source "
            "client sees no error"
        )
        yield ctx.finding(
            element,
            f"<limit-rate>{element.text}</limit-rate> {what}; write the stream's bitrate or leave it out",
            at_text=True,
        )
