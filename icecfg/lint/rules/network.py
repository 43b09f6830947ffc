"""Network and limits: listen sockets, advertised URLs, relays, YP timing, resource limits."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from icecfg.document import Element
from icecfg.effective.bursts import written_here
from icecfg.effective.directory import MIN_TOUCH_INTERVAL, TIMEOUT_FALLBACK, TIMEOUT_RANGE
from icecfg.effective.listeners import Listener, is_loopback, shoutcast_clashes, socket_clashes
from icecfg.effective.provenance import Source, Traced
from icecfg.lint.context import LintContext
from icecfg.lint.finding import Finding
from icecfg.lint.rule import rule
from icecfg.spec import Dialect

V24_V25 = (Dialect.V24, Dialect.V25)


# --------------------------------------------------------------------------- shared facts


def root_elements(ctx: LintContext, name: str) -> list[Element]:
    """Direct children ``name`` of the root, in document order."""
    return list(ctx.config.document.root.elements(name))


def listeners(ctx: LintContext) -> list[Listener]:
    """The sockets Icecast binds, as the effective configuration computes them."""
    return list(ctx.effective.listeners)


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


# --------------------------------------------------------------------------- rules


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
      `yp.c` l.611-620) and url authenticators; the YP part is not shown
      (2.5.0 sends its first YP request 60 s after a mount starts).
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


def _hostname(ctx: LintContext) -> tuple[Element | None, str | None]:
    """The ``<hostname>`` element the target reads and its text (None, None: not written)."""
    element = ctx.effective.hostname.origin.element
    return element, element.text if element is not None else None


@rule("ICE904", "hostname-not-public", "warning")
def hostname_not_public(ctx: LintContext) -> Iterator[Finding]:
    """`<hostname>` is unset or local while mounts are listed on YP.

    ## Why
    Icecast builds the URL it sends to YP directories, and the one in `.m3u`
    playlists of requests without a `Host` port, from `<hostname>` (default
    `localhost`) and the advertised port.  With `localhost` or 127.0.0.1 the
    directory lists a stream nobody else can reach.

    ## On each release
    - 2.4.4: a request's playlist says `http://localhost:PORT/...`
      (verified, `tests/test_oracle_tls_security.py`).
    - 2.5.0: the host of a playlist is the socket's `<bind-address>`, and
      `<hostname>` only for a socket bound to a wildcard (or `::`-prefixed)
      address; there a `localhost` `<hostname>` is what listeners get
      (verified with a `::1` socket, `tests/test_oracle_network_25_kh.py`); 2.5.0 also disables YP for it.
    - Icecast-KH: the playlist says `http://localhost:PORT/...` (verified).

    ## Bad
    ```xml
    <directory><yp-url>http://dir.xiph.org/cgi-bin/yp-cgi</yp-url></directory>
    <hostname>localhost</hostname>
    ```

    ## Good
    ```xml
    <directory><yp-url>http://dir.xiph.org/cgi-bin/yp-cgi</yp-url></directory>
    <hostname>radio.example.org</hostname>
    ```

    ## Fix
    Set `<hostname>` to the public DNS name listeners use.
    """
    last, text = _hostname(ctx)
    value = (text or "localhost").strip().lower()
    if value not in ("localhost", "localhost.localdomain", "::1") and not value.startswith("127."):
        return  # first: the public mounts are the settings of every mount, worked out only when needed
    directories = ctx.effective.directories
    public = ctx.effective.public_mounts
    if not directories and not public:
        return
    why = (
        f"{len(directories)} YP directory(ies) will list"
        if directories
        else f"{len(public)} public mount(s) are advertised with"
    )
    shown = "unset (localhost)" if last is None or text is None else f"{text.strip()!r}"
    yield ctx.finding(
        last if last is not None else None,
        f"<hostname> is {shown} but {why} URLs built from it that no listener can reach; "
        "set <hostname> to the server's public DNS name",
        at_text=last is not None,
    )


@rule("ICE905", "first-listen-socket-not-public", "warning")
def first_listen_socket_not_public(ctx: LintContext) -> Iterator[Finding]:
    """The first listen socket, whose port Icecast advertises, is not one listeners can use.

    ## Why
    Without a root `<port>`, Icecast writes the first `<listen-socket>`'s
    port into `.m3u` playlists, the `listenurl` statistic and YP listings.
    If that socket is a Shoutcast source port, is bound to 127.0.0.1, or (on
    2.4.4, which always writes `http://`) speaks TLS, those URLs are wrong
    while another socket would have been right.

    ## On each release
    - 2.4.4: the playlist points at the Shoutcast-compat port (verified,
      `tests/test_oracle_tls_security.py`).
    - 2.5.0: playlists use the socket a request came in on (verified,
      `tests/test_oracle_network_25_kh.py`); with more than one socket, YP listings use the first socket's
      port (`client.c` l.1125-1141) and 2.5.0 logs `There is no listen socket
      defined for this YP nor is there a default` (verified); the YP request
      itself is not shown, it comes 60 s after a mount starts.
    - Icecast-KH: playlists point at the first socket's port as on 2.4.4
      (verified, `tests/test_oracle_network_25_kh.py`), but a shoutcast-compat socket serves listeners
      there too, so only a loopback-bound first socket is reported.

    ## Bad
    ```xml
    <listen-socket><port>8001</port><bind-address>127.0.0.1</bind-address></listen-socket>
    <listen-socket><port>8000</port></listen-socket>
    ```

    ## Good
    ```xml
    <listen-socket><port>8000</port></listen-socket>
    <listen-socket><port>8001</port><bind-address>127.0.0.1</bind-address></listen-socket>
    ```

    ## Fix
    Put the public plain-HTTP socket first (2.4.4 needs a restart after
    reordering sockets).
    """
    if ctx.effective.root_port is not None:
        return  # the root <port> is advertised instead (ICE902)
    sockets = [s for s in listeners(ctx) if s.element is not None]
    if len(sockets) < 2:
        return

    # on a server that listens only on loopback addresses, loopback is no mistake
    public_server = any(not is_loopback(s.bind) for s in sockets)

    def problems(listener: Listener) -> list[str]:
        found = []
        if listener.shoutcast_compat and ctx.target is not Dialect.KH:
            # verified on KH kh22: a shoutcast-compat socket serves listeners too
            found.append("a shoutcast-compat source port")
        if public_server and is_loopback(listener.bind):
            found.append(f"bound to {listener.bind}")
        if listener.tls and ctx.target is Dialect.V24:
            found.append("TLS while 2.4.4 advertises it as http://")
        return found

    first = sockets[0]
    issues = problems(first)
    if not issues:
        return
    better = next((s for s in sockets[1:] if not problems(s)), None)
    if better is None:
        return
    assert first.element is not None and better.element is not None
    where = "YP listings" if ctx.target is Dialect.V25 else "playlist and YP URLs"
    yield ctx.finding(
        first.element,
        f"the first <listen-socket> ({first.label}) is {' and '.join(issues)}, but its port is the one "
        f"{ctx.target.label} writes into {where}; move the socket at line "
        f"{better.element.line} ({better.label}) first",
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


def _limit(ctx: LintContext, name: str) -> tuple[Element | None, int | None, str]:
    """The value the target uses for a <limits> child, the element that sets it, and how it came to be.

    The effective configuration applies the defaults and 2.5's range check
    (the third item then says which default replaced what); a KH value it
    could not read at all is left to the value rules.
    """
    found = ctx.effective.limits.values.get(name)
    if found is None:
        return None, None, ""
    value, origin = found.value, found.origin
    if origin.source is Source.DEFAULT and origin.note:
        return None, None, ""  # KH could not read the text: the value rules report it
    kept = ""
    if origin.source is Source.CLAMPED and origin.element is not None:
        text = (origin.element.text or "").strip()
        kept = f" (the default {ctx.target.label} keeps for {text!r}, out of range)"
    return origin.element, value if isinstance(value, int) and not isinstance(value, bool) else None, kept


@rule("ICE907", "clients-not-above-sources", "warning")
def clients_not_above_sources(ctx: LintContext) -> Iterator[Finding]:
    """`<clients>` is not more than twice `<sources>`: sources crowd out listeners.

    ## Why
    Every source (and relay) also counts against the `<clients>` limit, so a
    server with `<clients>` close to `<sources>` has few or no slots left for
    listeners once its sources connect.  Icecast 2.5 checks this and logs an
    error when `clients <= 2 * sources` (`cfgfile.c` l.1077), also when an
    out-of-range value made it keep the default: `<clients>0</clients>` with
    `<sources>200</sources>` gives "Client limit (256) is too small for given
    source limit (200)" (verified on 2.5.0).

    ## On each release
    - 2.4.4: with `<clients>2` and one source, a second listener gets 403
      (verified, `tests/test_oracle_tls_security.py`).
    - 2.5.0: the same client gets 503, and 2.5.0 logs the limit as too small
      (verified, `tests/test_oracle_network_25_kh.py` and `tests/test_oracle_releases.py`).
    - Icecast-KH: 403, as 2.4.4 (verified).

    ## Bad
    ```xml
    <limits><clients>20</clients><sources>10</sources></limits>
    ```

    ## Good
    ```xml
    <limits><clients>100</clients><sources>10</sources></limits>
    ```

    ## Fix
    Raise `<clients>` (or lower `<sources>`) so that clients > 2 × sources.
    """
    clients_el, clients, clients_kept = _limit(ctx, "clients")
    sources_el, sources, sources_kept = _limit(ctx, "sources")
    if clients is None or sources is None or clients <= 0 or sources <= 0:
        return  # a zero or broken limit is the value rules' business
    if clients > 2 * sources:
        return
    target = clients_el or sources_el
    if target is None:
        return
    said = "Icecast 2.5 logs an error for this; " if ctx.target is Dialect.V25 else ""
    yield ctx.finding(
        target,
        f"<clients> {clients}{clients_kept} is not above 2 x <sources> "
        f"{sources}{sources_kept}: sources also take client slots, "
        f"leaving few for listeners; {said}raise <clients> above {2 * sources}",
        at_text=clients_el is not None,
    )


@rule("ICE908", "burst-size-not-below-queue-size", "warning")
def burst_size_not_below_queue_size(ctx: LintContext) -> Iterator[Finding]:
    """`<burst-size>` is not smaller than `<queue-size>`.

    ## Why
    The burst is the data a new listener gets at once from the stream queue;
    the queue size is how far a listener may lag before it is dropped.  The
    Icecast documentation asks for a burst below the queue size: a burst as
    large as the queue leaves a new listener no room before that limit.
    Mount values override the `<limits>` ones.  Icecast-KH copies the
    `<limits>` sizes into a mount as it reads the `<mount>`: a mount written
    before `<limits>` keeps the sizes KH had then (its defaults), and is
    judged with those.

    ## On each release
    - None of the releases logs anything about it, at start or when a
      source connects (verified, `tests/test_oracle_releases.py`).
    - When a listener falls behind depends on network timing; not shown on
      a running server.
    - Icecast-KH: a `<limits>` after a `<mount>` does not reach that mount
      (verified with its burst and source timeout,
      `tests/test_oracle_explain.py`).

    ## Bad
    ```xml
    <limits><queue-size>65536</queue-size><burst-size>65536</burst-size></limits>
    ```

    ## Good
    ```xml
    <limits><queue-size>524288</queue-size><burst-size>65536</burst-size></limits>
    ```

    ## Fix
    Lower `<burst-size>` (the default is 65536) or raise `<queue-size>`.
    """
    server = ctx.effective.sizes
    queue, burst = server.queue_bytes, server.burst_bytes
    target = _written_element(server.burst) or _written_element(server.queue)
    if queue is not None and burst is not None and queue > 0 and burst >= queue and target is not None:
        yield ctx.finding(
            target,
            f"<limits> <burst-size> {burst} is not below <queue-size> {queue}: a new listener's burst "
            "leaves it no room before the lag limit that drops it; keep the burst well below the queue size",
            at_text=True,
        )
    for sizes in ctx.effective.mount_sizes:
        mount = sizes.mount
        assert mount is not None
        m_queue, m_burst = sizes.queue_bytes, sizes.burst_bytes
        if m_queue is None or m_burst is None or m_queue <= 0 or m_burst < 0 or m_burst < m_queue:
            continue
        own = mount.own.get("burst-size")
        if own is None or not written_here(own):
            own = mount.own.get("queue-size")
        # KH: a mount that writes neither has sizes of its own when read before the <limits> that sets them
        at = own.origin.element if own is not None and written_here(own) else None
        yield ctx.finding(
            at if at is not None else mount.element,
            f"mount {mount.name or '(default mount)'}: <burst-size> {m_burst} is not below <queue-size> {m_queue}; "
            "keep the burst well below the queue size",
            at_text=at is not None,
        )


def _written_element(value: Traced[object]) -> Element | None:
    """The element that sets ``value`` when it is written (not a default)."""
    return value.origin.element if value.origin.source is not Source.DEFAULT else None


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


def _hostcheck(hostname: str) -> str | None:
    """What 2.5's ``util_hostcheck`` finds wrong with an (already lower-cased) hostname, or None."""
    if hostname in ("localhost", "localhost.localdomain", "localhost.localnet"):
        return "is localhost, the default"
    if all(c.isdigit() or c == "." for c in hostname):
        return "is an IPv4 address"
    if ":" in hostname and all(c in "0123456789abcdef:" for c in hostname):
        return "is an IPv6 address"
    if any(not (c.isascii() and (c.isalnum() or c in ".-")) for c in hostname):
        return "contains characters a host name does not have"
    if "." not in hostname:
        return "is not a fully qualified domain name"
    return None


@rule("ICE914", "hostname-not-fqdn", "warning", dialects=(Dialect.V25,))
def hostname_not_fqdn(ctx: LintContext) -> Iterator[Finding]:
    """`<hostname>` unset, localhost, an IP address or a short name: Icecast 2.5 warns at every start.

    ## Why
    Icecast 2.5 checks `<hostname>` (`__check_hostname`, `util_hostcheck`):
    unset or `localhost` ("YP directory listing support will be disabled"),
    an IPv4 or IPv6 address, unusual characters or a name without a dot
    each log a warning at every start and count as a configuration problem
    on the admin dashboard (verified on 2.5.0).  The host name goes into
    playlists, stream URLs and YP listings.  (Where YP listings are
    configured, ICE904 reports a local host name instead.)

    ## On each release
    - 2.5.0: verified (`tests/test_oracle_releases.py`).

    ## Bad
    ```xml
    <hostname>localhost</hostname>
    ```

    ## Good
    ```xml
    <hostname>radio.example.org</hostname>
    ```

    ## Fix
    Set `<hostname>` to the server's public, fully qualified DNS name.
    """
    last, text = _hostname(ctx)
    problem = _hostcheck((text or "localhost").lower())
    if problem is None:
        return
    if problem.startswith("is localhost") and (ctx.effective.directories or ctx.effective.public_mounts):
        return  # ICE904 says it, with the YP consequence
    shown = "<hostname> is not set, so it" if text is None else f"<hostname> {text!r}"
    yp = " and says YP listing support will be disabled" if problem.startswith("is localhost") else ""
    yield ctx.finding(
        last,
        f"{shown} {problem}: Icecast 2.5 logs a warning about it at every start{yp}; "
        "set it to the server's public DNS name (radio.example.org)",
        at_text=text is not None,
    )


#: 2.5's CONFIG_DEFAULT_LOCATION and CONFIG_DEFAULT_ADMIN.
_IDENTITY_DEFAULTS = {"location": "Earth", "admin": "icemaster@localhost"}


@rule("ICE915", "default-location-or-admin", "warning", dialects=(Dialect.V25,))
def default_location_or_admin(ctx: LintContext) -> Iterator[Finding]:
    """`<location>` or `<admin>` unset or left at the default; Icecast 2.5 warns at every start.

    ## Why
    Icecast 2.5 logs "Warning, <location> not configured, using default
    value "Earth"" and "Warning, <admin> contact not configured, using
    default value "icemaster@localhost". This breaks YP directory
    listings." when either is missing or still the sample's value
    (`cfgfile.c` l.1506-1524; verified on 2.5.0), and shows both as
    configuration problems on the admin dashboard.

    ## On each release
    - 2.5.0: verified (`tests/test_oracle_releases.py`).

    ## Bad
    ```xml
    <location>Earth</location>
    <admin>icemaster@localhost</admin>
    ```

    ## Good
    ```xml
    <location>Berlin, Germany</location>
    <admin>radio-admin@example.org</admin>
    ```

    ## Fix
    Say where the server is and give an address that reaches its
    administrator.
    """
    for name, default in _IDENTITY_DEFAULTS.items():
        used = ctx.effective.values.get(name)
        last = used.origin.element if used is not None else None
        text = last.text if last is not None else None
        if text is not None and text != default:
            continue
        what = f"<{name}> is not set" if text is None else f"<{name}> is the default {default!r}"
        breaks = "; it breaks YP directory listings" if name == "admin" else ""
        yield ctx.finding(
            last,
            f"{what}: Icecast 2.5 logs a warning at every start{breaks}; set your own",
            at_text=text is not None,
        )


@rule("ICE916", "kh-server-settings-after-mount", "warning", dialects=(Dialect.KH,))
def kh_server_settings_after_mount(ctx: LintContext) -> Iterator[Finding]:
    """Icecast-KH: `<limits>` or server-wide `<http-headers>` after a `<mount>` does not reach that mount.

    ## Why
    Icecast-KH starts each mount with the queue size, burst size and source
    timeout of `<limits>`, and the server-wide `<http-headers>`, as they
    stand when it reads the `<mount>` (`_parse_mount` in its `cfgfile.c`).
    A `<limits>` or `<http-headers>` written further down changes the
    server's values, not the mounts read before it: those keep KH's defaults
    (a 64 KB burst, a 10 s source timeout) and send none of the headers.

    ## On each release
    - Icecast-KH: a mount written before `<limits>` bursts its default
      65,536 bytes and drops a stalled source after the default timeout; a
      server-wide header written after a `<mount>` is not sent on its stream
      (verified, `tests/test_oracle_explain.py`).
    - 2.4.4 and 2.5.0 use `<limits>` and the server-wide headers wherever
      they are written (verified), so the rule is for KH alone.

    ## Bad
    ```xml
    <mount><mount-name>/live.mp3</mount-name></mount>
    <limits><burst-size>16000</burst-size></limits>
    <http-headers><header name="Access-Control-Allow-Origin" value="*"/></http-headers>
    ```

    ## Good
    ```xml
    <limits><burst-size>16000</burst-size></limits>
    <http-headers><header name="Access-Control-Allow-Origin" value="*"/></http-headers>
    <mount><mount-name>/live.mp3</mount-name></mount>
    ```

    ## Fix
    Move `<limits>` and `<http-headers>` above the first `<mount>`, or set
    the values on the mount itself.
    """
    root = ctx.config.document.root
    if root.find("mount") is None:
        return
    yield from _kh_limits_missed(ctx)
    yield from _kh_headers_missed(ctx)


def _kh_limits_missed(ctx: LintContext) -> Iterator[Finding]:
    """One finding at the ``<limits>`` setting that comes too late for some mounts (the mounts keep their copy)."""
    late: dict[str, list[tuple[str, object]]] = {}  # setting -> (mount, value it keeps)
    for mount in ctx.effective.mounts.mounts:
        for name, copied in (mount.kh_limits or {}).items():
            if mount.settings.get(name) is copied:
                late.setdefault(name, []).append((mount.label, copied.value))
    for name, missed in late.items():
        final = ctx.effective.limits.values.get(name)
        anchor = final.origin.element if final is not None else None
        kept = ", ".join(f"{label} keeps {value}" for label, value in missed[:3])
        more = f" and {len(missed) - 3} more" if len(missed) > 3 else ""
        yield ctx.finding(
            anchor,
            f"<{name}> in <limits> comes after {len(missed)} <mount>(s) Icecast-KH has already read, "
            f"which keep the value they copied ({kept}{more}); move <limits> above the first <mount> "
            f"or set <{name}> on the mount",
        )


def _kh_headers_missed(ctx: LintContext) -> Iterator[Finding]:
    """One finding at each server-wide header some mounts do not send, naming the first of them."""
    for late in ctx.effective.kh_late_headers:
        header, count = late.node, late.count
        names = ", ".join(mount.label for mount in late.first) + (f" and {count - 3} more" if count > 3 else "")
        yield ctx.finding(
            header,
            f"server-wide header {header.get('name')} comes after {count} <mount>(s) ({names}): "
            "Icecast-KH copies the server-wide headers into a mount as it reads it and does not send this one "
            "there; move <http-headers> above the first <mount>",
            attribute="name",
        )
