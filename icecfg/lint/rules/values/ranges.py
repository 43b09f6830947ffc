"""Numbers out of the range a release takes: ports, 2.5 and KH ranges, KH negative rates."""

from __future__ import annotations

from collections.abc import Iterator

from icecfg import spec
from icecfg.conversion import (
    c_div,
    is_int,
    parse_typed,
)
from icecfg.lint.context import LintContext
from icecfg.lint.finding import Finding
from icecfg.lint.rule import rule
from icecfg.lint.rules.common import read_leaves_of_rows
from icecfg.lint.rules.values.shared import binds, is_listen_port, is_number
from icecfg.spec import Dialect, Kind

#: The kinds some rule of this module looks at: each rule visits only the leaves of its kinds.
_INTEGERS = frozenset({Kind.INT})  # the ports


def is_port(value: spec.Value) -> bool:
    """True for the table's TCP port value types."""
    return value is spec.PORT or value is spec.LISTEN_PORT


def _port_row(row: spec.ElementRow) -> bool:
    return row.value is not None and row.value.kind in _INTEGERS and is_port(row.value)


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
        if text is None or not is_number(value.kind, text, ctx.target):
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
