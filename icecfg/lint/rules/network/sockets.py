"""Listen sockets: two on one port, a root <port> or <bind-address> nothing listens on, Shoutcast ports."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from icecfg.document import Element
from icecfg.effective.listeners import shoutcast_clashes, socket_clashes
from icecfg.lint.context import LintContext
from icecfg.lint.finding import Finding
from icecfg.lint.rule import rule
from icecfg.lint.rules.network.shared import listeners, root_elements
from icecfg.spec import Dialect


def _same_socket(a: Element, b: Element) -> bool:
    def shape(element: Element) -> list[tuple[str, str | None]]:
        return [(c.local_name, c.text) for c in element.elements()] + [
            (f"@{attr.name}", attr.value) for attr in element.attributes
        ]

    return shape(a) == shape(b)


def _remover(element: Element) -> Callable[[], None]:
    def fix() -> None:
        parent = element.parent
        if parent is not None:
            parent.remove(element)

    return fix


@rule("ICE901", "duplicate-listen-socket", "error")
def duplicate_listen_socket(ctx: LintContext) -> Iterator[Finding]:
    """Two listen sockets on the same port and address: only one is opened (KH: neither).

    ## Why
    Icecast binds every `<listen-socket>` in turn, and two cannot hold one
    port and address.  Icecast 2.4.4 files its sockets last written first
    and binds them in that order, so the *later* socket gets the port and
    the earlier one fails: it logs `Could not create listener socket on
    port N`, drops the earlier socket and runs on, so that socket's `<ssl>`
    or `<shoutcast-mount>` settings silently never apply.  Icecast 2.5
    likewise opens the port once with the later socket's settings, and
    Icecast-KH does not start.  A socket without `<bind-address>` listens on
    every interface, so it also collides with any address on that port.

    ## On each release
    - 2.4.4: logs `Could not create listener socket on port N`, drops the
      earlier socket and runs on: a plain socket followed by an `<ssl>1`
      one on the same port serves TLS only (verified,
      `tests/test_oracle_tls_security.py`, `tests/test_oracle_explain.py`).
    - 2.5.0: logs nothing and opens the port once, with the *later* socket's
      settings: a plain socket followed by a `<tls>1` one on the same port
      becomes a TLS port (verified, `tests/test_oracle_network_25_kh.py`).
    - Icecast-KH: logs `Could not create listener socket` and `Server startup
      failed. Exiting`: it does not start (verified).

    ## Bad
    ```xml
    <listen-socket><port>8000</port></listen-socket>
    <listen-socket><port>8000</port><ssl>1</ssl></listen-socket>
    ```

    ## Good
    ```xml
    <listen-socket><port>8000</port></listen-socket>
    <listen-socket><port>8443</port><ssl>1</ssl></listen-socket>
    ```

    ## Fix
    Give each socket its own port (or distinct addresses), or delete the
    duplicate; when both sockets are written identically the fix removes the
    second one.
    """
    for listener, earlier in socket_clashes(listeners(ctx)):
        assert listener.element is not None and earlier.element is not None
        fix = None
        if _same_socket(earlier.element, listener.element):
            fix = _remover(listener.element)
        if earlier.bind == listener.bind:
            why = "the same address"
        else:
            why = "an overlapping address (a socket without <bind-address> holds every interface)"
        # verified: 2.4.4 binds the later socket first, logs the earlier one's failed bind and runs
        # on; 2.5.0 opens the port once, silently, with the later socket's settings; kh22 stops
        if ctx.target is Dialect.V25:
            harm = (
                f"Icecast 2.5 silently opens the port once, with this later socket's settings, and the "
                f"settings of line {earlier.element.line} are lost"
            )
        elif ctx.target is Dialect.V24:
            harm = (
                f"Icecast 2.4.4 binds this later socket first and drops the one at line {earlier.element.line}, "
                "with its settings"
            )
        else:
            harm = f"{ctx.target.label} cannot bind it and does not start"
        yield ctx.finding(
            listener.element,
            f"<listen-socket> {listener.label} repeats the socket at line {earlier.element.line} "
            f"on {why}: {harm}; use another <port>",
            fix=fix,
            fix_title="remove the duplicate <listen-socket>",
        )


@rule("ICE902", "root-port-not-listening", "error")
def root_port_not_listening(ctx: LintContext) -> Iterator[Finding]:
    """Root `<port>` next to listen sockets: nothing listens there, but URLs use it.

    ## Why
    As soon as one `<listen-socket>` exists, the implicit listener made from
    the root `<port>` and `<bind-address>` is removed.  The root `<port>`
    still becomes the port Icecast writes into generated URLs: `.m3u`
    playlists, the `listenurl` statistic and YP listings (verified on 2.4.4:
    nothing listened on the root port, yet `/live.m3u` pointed at it).

    ## On each release
    - 2.4.4: playlists and `listenurl` point at the root port, where nothing
      listens (verified, `tests/test_oracle_tls_security.py`).
    - 2.5.0: playlists and `listenurl` use the port of the socket a request
      came in on (verified, `tests/test_oracle_network_25_kh.py`); the root port still reaches YP listings
      when there is more than one `<listen-socket>` (no default socket,
      `yp.c` l.611-620; verified with a directory on 127.0.0.1,
      `tests/test_oracle_yp.py`) and url authenticators.  With only one
      socket 2.5.0 lists that socket's port instead (verified, ICE917).
    - Icecast-KH: as 2.4.4, the playlist points at the root port, where
      nothing listens (verified, `tests/test_oracle_network_25_kh.py`).

    ## Bad
    ```xml
    <port>8000</port>
    <listen-socket><port>8010</port></listen-socket>
    ```

    ## Good
    ```xml
    <listen-socket><port>8010</port></listen-socket>
    ```

    ## Fix
    Remove the root `<port>` (the first listen socket's port is then
    advertised) or make it one of the listen sockets' ports.  The fix removes
    it.
    """
    root = ctx.config.document.root
    written = ctx.effective.root_port
    if ctx.effective.implicit_listener or written is None or written.origin.element is None:
        return
    last, port = written.origin.element, written.value
    ports = root_elements(ctx, "port")
    bound = {s.port for s in listeners(ctx)}
    if port in bound or any(ctx.templated(p) for p in root.iter() if p.local_name == "port"):
        return  # a socket's templated port may well render to the root one

    def fix() -> None:
        for element in ports:
            root.remove(element)

    if ctx.target is Dialect.V25:
        # client.c l.1125-1141: a request's URLs use the socket it came in on; YP entries
        # (yp.c l.611-620) fall back to the root port when there is no single default socket
        where = "YP listings (with more than one <listen-socket>) and url-authenticator requests"
    else:
        where = "playlist, listenurl and YP URLs"
    yield ctx.finding(
        last,
        f"root <port> {port} is not bound because <listen-socket> elements exist, yet "
        f"{ctx.target.label} writes it into {where}; remove it",
        at_text=True,
        fix=fix,
        fix_title="remove the root <port>",
    )


@rule("ICE903", "root-bind-address-ignored", "warning")
def root_bind_address_ignored(ctx: LintContext) -> Iterator[Finding]:
    """Root `<bind-address>` next to listen sockets is ignored.

    ## Why
    The root `<bind-address>` only applies to the implicit listener, which
    Icecast drops as soon as one `<listen-socket>` exists.  A server meant to
    listen on 127.0.0.1 only then listens wherever its sockets say: without
    their own `<bind-address>`, on every interface.

    ## On each release
    - 2.4.4 and 2.5.0: the socket listens on its own address and nothing
      listens on the root `<bind-address>` (verified,
      `tests/test_oracle_tls_security.py` and `tests/test_oracle_network_25_kh.py`).
    - Icecast-KH: the same (verified, `tests/test_oracle_network_25_kh.py`).

    ## Bad
    ```xml
    <bind-address>127.0.0.1</bind-address>
    <listen-socket><port>8000</port></listen-socket>
    ```

    ## Good
    ```xml
    <listen-socket><port>8000</port><bind-address>127.0.0.1</bind-address></listen-socket>
    ```

    ## Fix
    Move the address into each `<listen-socket>` and remove the root one.
    """
    if ctx.effective.implicit_listener:
        return
    binds = root_elements(ctx, "bind-address")
    if not binds:
        return
    open_sockets = [s for s in listeners(ctx) if s.bind is None]
    where = f"; {len(open_sockets)} socket(s) listen on every interface" if open_sockets else ""
    yield ctx.finding(
        binds[-1],
        "root <bind-address> is ignored because <listen-socket> elements exist"
        f"{where}; set <bind-address> inside each <listen-socket>",
    )


@rule("ICE906", "shoutcast-port-collision", "error")
def shoutcast_port_collision(ctx: LintContext) -> Iterator[Finding]:
    """`<shoutcast-mount>` also opens port+1, which another socket already uses.

    ## Why
    A listen socket with `<shoutcast-mount>` makes Icecast open a second,
    Shoutcast-compatible socket on the next port.  Icecast 2.4.4 does this
    even when the socket itself has `<shoutcast-compat>`; 2.5 only when it
    has not, and Icecast-KH drops a socket that has both.  If port+1 is
    another listen socket's port, only one of the two can have it.

    ## On each release
    2.4.4 and 2.5.0 bind their sockets last written first, so the one
    written later gets the port:
    - the plain socket written after the `<shoutcast-mount>` one: the port
      answers HTTP as that socket, and Shoutcast sources have no port;
    - written before it: the port is the Shoutcast source port, and the
      plain socket is not opened (its listeners are refused).

    2.4.4 logs `Could not create listener socket on port N+1` and runs on;
    2.5.0 logs nothing (both orders verified on both releases,
    `tests/test_oracle_explain.py`).
    Icecast-KH does not start (`Server startup failed. Exiting`, verified).
    `icecfg explain` shows which port is `NOT OPENED`.

    ## Bad
    ```xml
    <listen-socket><port>8000</port><shoutcast-mount>/live</shoutcast-mount></listen-socket>
    <listen-socket><port>8001</port></listen-socket>
    ```

    ## Good
    ```xml
    <listen-socket><port>8000</port><shoutcast-mount>/live</shoutcast-mount></listen-socket>
    <listen-socket><port>8010</port></listen-socket>
    ```

    ## Fix
    Keep the port after a `<shoutcast-mount>` socket free.
    """
    for listener, other in shoutcast_clashes(listeners(ctx)):
        assert listener.element is not None and other.element is not None
        extra = listener.shoutcast_port
        mount = listener.element.find_last("shoutcast-mount") or listener.element
        if ctx.target is Dialect.KH:
            harm = "Icecast-KH cannot bind it twice and does not start"
        elif listener.shoutcast_lost:
            # verified on 2.4.4 and 2.5.0: the port answers as the plain socket
            harm = f"{ctx.target.label} binds that socket first, and Shoutcast sources have no port"
        elif other.lost:
            # verified: the port takes Shoutcast sources and refuses the plain socket's listeners
            harm = f"{ctx.target.label} binds the Shoutcast source port first and does not open that socket"
        else:  # both lost to a third socket, which explain names
            harm = "at most one of them can be opened"
        yield ctx.finding(
            mount,
            f"<shoutcast-mount> makes {ctx.target.label} also open port {extra} for Shoutcast sources, "
            f"which the <listen-socket> at line {other.element.line} uses too: {harm}; keep the next port free",
        )
