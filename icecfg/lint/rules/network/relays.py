"""Relays: a port to pull from, master relay settings, on-demand relays."""

from __future__ import annotations

from collections.abc import Iterator

from icecfg.document import Element
from icecfg.lint.context import LintContext
from icecfg.lint.finding import Finding
from icecfg.lint.rule import rule
from icecfg.lint.rules.network.shared import root_elements
from icecfg.spec import Dialect


@rule("ICE909", "relay-without-port", "error", dialects=(Dialect.V24,))
def relay_without_port(ctx: LintContext) -> Iterator[Finding]:
    """A 2.4 `<relay>` without `<port>` connects to port 0.

    ## Why
    Icecast 2.4.4 has no default for a relay's upstream `<port>`: without
    it (or with an empty one) the relay tries port 0 and never connects.
    Icecast 2.5 defaults to 80, Icecast-KH to the server's own port.

    ## On each release
    - 2.4.4: the relay connects to port 0 (verified, `tests/test_oracle_tls_security.py`).
    - 2.5.0: not reported: it connects to port 80 (verified, `tests/test_oracle_network_25_kh.py`).
    - Icecast-KH: not reported; it defaults to the server's own port (verified,
      `tests/test_oracle_network_25_kh.py`).

    ## Bad
    ```xml
    <relay><server>upstream.example.org</server><mount>/live</mount></relay>
    ```

    ## Good
    ```xml
    <relay><server>upstream.example.org</server><port>8000</port><mount>/live</mount></relay>
    ```

    ## Fix
    Add the upstream's `<port>`.
    """
    for relay in ctx.effective.relays:
        if relay.port.value not in (0, None):
            continue
        port = relay.port.origin.element
        if port is None:
            yield ctx.finding(
                relay.element,
                "<relay> has no <port>: Icecast 2.4.4 connects to port 0 and the relay never starts; "
                "add the upstream's <port>",
            )
        else:
            shown = "empty" if port.text is None else repr(port.text)
            yield ctx.finding(
                port,
                f"<relay> <port> is {shown}, which Icecast 2.4.4 reads as port 0: the relay never "
                "connects; write the upstream's port number",
            )


@rule("ICE910", "master-relay-incomplete", "error")
def master_relay_incomplete(ctx: LintContext) -> Iterator[Finding]:
    """Master/slave relaying is configured halfway and is silently off.

    ## Why
    A slave relays its master's mounts only when `<master-server>`, a
    non-zero `<master-server-port>` and `<master-password>` are all set
    (`slave.c` l.618-628); with any of them missing Icecast does nothing and
    says nothing.  `<master-server-port>` has no default.

    ## On each release
    - All three: without `<master-password>` no request reaches the master;
      with it, 2.4.4 and 2.5.0 ask for `/admin/streamlist.txt` and KH for
      `/admin/streams` at once (verified, `tests/test_oracle_network_25_kh.py`).

    ## Bad
    ```xml
    <master-server>master.example.org</master-server>
    <master-password>...</master-password>
    ```

    ## Good
    ```xml
    <master-server>master.example.org</master-server>
    <master-server-port>8000</master-server-port>
    <master-password>...</master-password>
    ```

    ## Fix
    Add the missing element(s), or remove the master settings.
    """
    master = ctx.effective.master
    if master is None or master.relaying:
        return
    words = {
        "master-server": "<master-server>",
        "master-server-port": "a non-zero <master-server-port>",
        "master-password": "<master-password>",
    }
    missing = [words[name] for name in master.missing]
    anchor = next(v.origin.element for v in (master.server, master.port, master.password) if v.origin.element)
    yield ctx.finding(
        anchor,
        f"master relaying needs <master-server>, <master-server-port> and <master-password>, but "
        f"{' and '.join(missing)} is missing: {ctx.target.label} silently relays nothing; add it",
    )


@rule("ICE911", "relays-on-demand-after-relay", "warning")
def relays_on_demand_after_relay(ctx: LintContext) -> Iterator[Finding]:
    """`<relays-on-demand>` after `<relay>` blocks does not apply to them.

    ## Why
    Each `<relay>` copies the value of `<relays-on-demand>` read *so far*
    when it is parsed (`cfgfile.c` l.912).  Relays written before the
    setting keep the old value, so they run all the time (or never on
    demand) unless they set `<on-demand>` themselves.

    ## On each release
    - 2.5.0: a relay written before `<relays-on-demand>1</relays-on-demand>`
      connects to its upstream at start-up with no listener; written after it,
      nothing connects (verified, `tests/test_oracle_network_25_kh.py`).
    - Icecast-KH: the same (verified).
    - 2.4.4: the same (verified, `tests/test_oracle_network_25_kh.py`).

    ## Bad
    ```xml
    <relay><server>up.example.org</server><port>8000</port><mount>/a</mount></relay>
    <relays-on-demand>1</relays-on-demand>
    ```

    ## Good
    ```xml
    <relays-on-demand>1</relays-on-demand>
    <relay><server>up.example.org</server><port>8000</port><mount>/a</mount></relay>
    ```

    ## Fix
    Move `<relays-on-demand>` above the first `<relay>`; the fix does that.
    """
    root = ctx.config.document.root
    settings = root_elements(ctx, "relays-on-demand")
    if not settings:
        return
    setting = settings[-1]
    if setting.text is None:
        return  # empty: a crash on 2.4, the value rules report it
    final = bool(ctx.effective.values["relays-on-demand"].value)
    # each relay keeps the value read before it (the effective relays know which)
    missed = [
        relay.element
        for relay in ctx.effective.relays
        if not relay.own_on_demand and relay.element.start < setting.start and bool(relay.on_demand.value) != final
    ]
    if not missed:
        return
    first_relay = root_elements(ctx, "relay")[0]

    def fix() -> None:
        for element in settings:
            if element.parent is not None:
                element.parent.remove(element)
        moved = Element("relays-on-demand")
        moved.set_text(setting.text or "0")
        root.insert_formatted(moved, before=first_relay)

    yield ctx.finding(
        setting,
        f"<relays-on-demand> comes after {len(missed)} <relay> block(s) that were already read without it; "
        "move it above the first <relay>",
        fix=fix,
        fix_title="move <relays-on-demand> above the first <relay>",
    )
