"""YP directories: the URL timeout, the touch interval, and the socket a 2.5 directory names."""

from __future__ import annotations

from collections.abc import Iterator

from icecfg.document import Element
from icecfg.effective.directory import MIN_TOUCH_INTERVAL, TIMEOUT_FALLBACK, TIMEOUT_RANGE
from icecfg.effective.startup import yp_socket_without_hash
from icecfg.lint.context import LintContext
from icecfg.lint.finding import Finding
from icecfg.lint.rule import rule
from icecfg.spec import Dialect


@rule("ICE912", "yp-url-timeout-out-of-range", "warning", dialects=(Dialect.V24, Dialect.V25))
def yp_url_timeout_out_of_range(ctx: LintContext) -> Iterator[Finding]:
    """`<yp-url-timeout>` outside 1..10 becomes 6 seconds in Icecast 2.4.4 and 2.5.

    ## Why
    `yp.c` (2.4.4 l.250, 2.5.0 l.270) replaces any YP timeout outside 1..10
    seconds by 6, without a message; the documentation's own example of 15
    is one of them.  Verified on both: the error log says "Adding new YP
    server ... (timeout 6s ...)".  Icecast 2.5 first range-checks the value
    against 2..600 and logs anything outside as out of range (ICE203); 11
    to 600 pass that check and still become 6.  Icecast-KH uses the value
    as it is.

    ## On each release
    - 2.4.4 and 2.5.0: verified (`tests/test_oracle_releases.py`).

    ## Bad
    ```xml
    <directory><yp-url-timeout>15</yp-url-timeout><yp-url>http://dir.xiph.org/cgi-bin/yp-cgi</yp-url></directory>
    ```

    ## Good
    ```xml
    <directory><yp-url-timeout>10</yp-url-timeout><yp-url>http://dir.xiph.org/cgi-bin/yp-cgi</yp-url></directory>
    ```

    ## Fix
    Use a value from 1 to 10; the fix sets 10 for larger values.
    """
    lo, hi = TIMEOUT_RANGE
    for directory in ctx.effective.directories:
        replaced = directory.timeout_replaced
        if replaced is None:
            continue
        fix = None
        if replaced.written > hi:

            def fix(element: Element = replaced.element) -> None:
                element.set_text(str(hi))

        yield ctx.finding(
            replaced.element,
            f"<yp-url-timeout> {replaced.written} is outside {lo}..{hi}: {ctx.target.label} uses "
            f"{TIMEOUT_FALLBACK} seconds instead; write a value from {lo} to {hi}",
            at_text=True,
            fix=fix,
            fix_title=f"set <yp-url-timeout> to {hi}",
        )


@rule("ICE913", "touch-interval-below-30", "warning", dialects=(Dialect.V24,))
def touch_interval_below_30(ctx: LintContext) -> Iterator[Finding]:
    """`<touch-interval>` below 30 becomes 30 seconds in Icecast 2.4.4.

    ## Why
    `yp.c` (l.252) raises any YP touch interval below 30 seconds to 30
    without a message, so a smaller value only misleads the reader.

    ## On each release
    - 2.4.4: with `<touch-interval>10</touch-interval>` it logs `Adding new
      YP server "..." (timeout Ns, default interval 30s)`; 45 is kept
      (verified, `tests/test_oracle_releases.py`).

    ## Bad
    ```xml
    <directory><yp-url>http://dir.xiph.org/cgi-bin/yp-cgi</yp-url><touch-interval>10</touch-interval></directory>
    ```

    ## Good
    ```xml
    <directory><yp-url>http://dir.xiph.org/cgi-bin/yp-cgi</yp-url><touch-interval>30</touch-interval></directory>
    ```

    ## Fix
    Use 30 or more; the fix sets 30.
    """
    least = MIN_TOUCH_INTERVAL
    for directory in ctx.effective.directories:
        replaced = directory.touch_interval_replaced
        if replaced is None:
            continue

        def fix(element: Element = replaced.element) -> None:
            element.set_text(str(least))

        yield ctx.finding(
            replaced.element,
            f"<touch-interval> {replaced.written} is below {least}: Icecast 2.4.4 uses {least} seconds instead; "
            f"write {least} or more",
            at_text=True,
            fix=fix,
            fix_title=f"set <touch-interval> to {least}",
        )


# -- ICE914-ICE915: what Icecast 2.5 warns about the server's identity ----------------------


@rule("ICE918", "yp-socket-without-hash", "error", dialects=(Dialect.V25,))
def yp_socket_without_hash_crashes(ctx: LintContext) -> Iterator[Finding]:
    """A `<yp-directory>`'s `listen-socket` option without its `#`: Icecast 2.5 crashes at start-up.

    ## Why
    The option names the `<listen-socket id="...">` whose address the
    directory lists, as a reference: `#pub` for the socket `id="pub"`.
    Written as the id itself, Icecast 2.5 goes to report the value as
    invalid and dies doing it: the YP parser passes no element to the
    report (`cfgfile.c`, "FIXME: Pass the correct node"), which reads it.

    ## On each release
    - 2.5.0: `<option name="listen-socket" value="pub"/>` ends the server
      with SIGSEGV before the first log line (exit status 139); `#pub`
      starts (verified, `tests/test_oracle_startup.py`).
    - 2.4.4 and Icecast-KH have no `<yp-directory>`.

    ## Bad
    ```xml
    <listen-socket id="pub"><port>8000</port></listen-socket>
    <yp-directory url="http://dir.xiph.org/cgi-bin/yp-cgi">
        <option name="listen-socket" value="pub"/>
    </yp-directory>
    ```

    ## Good
    ```xml
    <listen-socket id="pub"><port>8000</port></listen-socket>
    <yp-directory url="http://dir.xiph.org/cgi-bin/yp-cgi">
        <option name="listen-socket" value="#pub"/>
    </yp-directory>
    ```

    ## Fix
    Write the value as `#` and the socket's id; the fix adds the `#`.
    """
    for option in yp_socket_without_hash(ctx.config.document.root):
        value = option.get("value") or ""

        def fix(option: Element = option, value: str = value) -> None:
            option.set("value", "#" + value)

        yield ctx.finding(
            option,
            f'<option name="listen-socket" value="{value}"> is no #id reference: Icecast 2.5 segfaults at start '
            f'reading it (exit status 139, no message); write value="#{value}"',
            attribute="value",
            fix=fix,
            fix_title="add the #",
        )
