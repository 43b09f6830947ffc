"""The address Icecast writes into playlists and YP listings: host name, first socket, 2.5's only socket."""

from __future__ import annotations

from collections.abc import Iterator

from icecfg.effective.listeners import Listener, is_loopback
from icecfg.lint.context import LintContext
from icecfg.lint.finding import Finding
from icecfg.lint.rule import rule
from icecfg.lint.rules.network.shared import hostname, listeners
from icecfg.spec import Dialect


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
    last, text = hostname(ctx)
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
      port (`client.c` l.1125-1141; verified with a directory on 127.0.0.1,
      `tests/test_oracle_yp.py`) and 2.5.0 logs `There is no listen socket
      defined for this YP nor is there a default` (verified).
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


@rule("ICE917", "yp-lists-socket-address", "warning", dialects=(Dialect.V25,))
def yp_lists_socket_address(ctx: LintContext) -> Iterator[Finding]:
    """Icecast 2.5 lists the only socket's private or loopback address in YP directories, not `<hostname>`.

    ## Why
    With only one socket (a `<shoutcast-mount>`'s source port counts as a
    second), Icecast 2.5 builds the URL it sends YP directories from it:
    its port, and its `<bind-address>` instead of `<hostname>` unless the
    address is a wildcard (`0.0.0.0`, or any address starting with `::`).  A server bound to 127.0.0.1
    behind a reverse proxy, or to a private address, is then listed at an
    address no listener can reach.  With two or more sockets 2.5 names
    `<hostname>` and the root `<port>` (else the first socket's), as 2.4.4
    and KH always do.

    ## On each release
    - 2.5.0: one socket bound to 127.0.0.1 is listed as
      `http://127.0.0.1:PORT/mount`; two such sockets and a root `<port>`
      as `http://HOSTNAME:ROOTPORT/mount`, one with a `<shoutcast-mount>`
      as `http://HOSTNAME:PORT/mount` (verified with a directory on
      127.0.0.1, `tests/test_oracle_yp.py`).
    - 2.4.4 and Icecast-KH list `<hostname>` whatever the socket is bound
      to (verified, same test).

    ## Bad
    ```xml
    <hostname>radio.example.org</hostname>
    <listen-socket><port>8000</port><bind-address>127.0.0.1</bind-address></listen-socket>
    <yp-directory url="http://dir.xiph.org/cgi-bin/yp-cgi"/>
    ```

    ## Good
    ```xml
    <hostname>radio.example.org</hostname>
    <port>80</port>
    <listen-socket><port>8000</port><bind-address>127.0.0.1</bind-address></listen-socket>
    <listen-socket><port>8001</port><bind-address>127.0.0.1</bind-address></listen-socket>
    <yp-directory url="http://dir.xiph.org/cgi-bin/yp-cgi"/>
    ```

    ## Fix
    Bind the socket to a wildcard address, or open a second
    `<listen-socket>` and set the root `<port>` to the port listeners reach
    (a reverse proxy's): Icecast 2.5 then lists `<hostname>` and that port.
    """
    effective = ctx.effective
    if not effective.directories:
        return
    host = effective.advertised_host
    if host is effective.hostname or not isinstance(host.value, str) or not _unreachable(host.value):
        return
    yield ctx.finding(
        host.origin.element,
        f"Icecast 2.5 lists this server in YP directories as http://{host.value}:{effective.advertised_port.value}/"
        ", which no listener can reach: with only one socket it names that socket's <bind-address>, not "
        "<hostname>; open a second <listen-socket> and set the root <port> to the port listeners reach",
        at_text=True,
    )


def _unreachable(address: str) -> bool:
    """A loopback, private or link-local address: none that a directory's listeners can connect to."""
    import ipaddress  # only for a 2.5 file listed on a directory with one socket bound to an address

    try:
        found = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return found.is_loopback or found.is_private or found.is_link_local
