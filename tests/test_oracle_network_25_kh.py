"""The network rules' claims, checked on the running Icecast 2.5.0 and Icecast-KH (some on 2.4.4 too).

Each test lints a configuration for the release it names and shows on that
release's binary what the finding announces (a socket not bound, a URL, a
refused client, a connection the server makes or does not make), then the
corrected configuration.  Upstream servers (relay, master) are a
:class:`~tests.oracle_checks.RequestRecorder` on 127.0.0.1.  The 2.4.4 side
of the same rules is in ``test_oracle_tls_security.py``, except for the
master and on-demand relay tests, which run the same steps on all three
releases.
"""

from __future__ import annotations

import http.client
import secrets
import time
from pathlib import Path

import pytest

import icecfg
from icecfg.effective import explain
from tests import oracle
from tests.oracle_checks import (
    RequestRecorder,
    answers,
    answers_soon,
    box_of,
    findings,
    fixed,
    log_lines,
    port_pair_and_one,
    release_config,
    tcp_refused,
)

SOURCE_PASSWORD = secrets.token_hex(8)
ADMIN_PASSWORD = secrets.token_hex(8)
STATUS = "/status-json.xsl"  # 2.5 serves it; KH has no status page


def socket_xml(port: int, extra: str = "", bind: str = "127.0.0.1") -> str:
    return f"<listen-socket><port>{port}</port><bind-address>{bind}</bind-address>{extra}</listen-socket>"


def config(box: oracle.Sandbox, extra: str, *, hostname: str = "oracle.example.org", **parts: object) -> bytes:
    """The release's warning-free configuration whose sockets (and more) are all in ``extra``."""
    data = release_config(box, [], source_password=SOURCE_PASSWORD, admin_password=ADMIN_PASSWORD, extra=extra, **parts)
    return data.replace(b"<hostname>oracle.example.org</hostname>", f"<hostname>{hostname}</hostname>".encode())


def error_log(box: oracle.Sandbox) -> str:
    """The error log a server that already exited left in the sandbox."""
    path = box.logdir / "error.log"
    return path.read_text(errors="replace") if path.exists() else ""


def playlist(server: oracle.IcecastServer, port: int, mount: str, host: str = "127.0.0.1") -> str:
    """The ``.m3u`` for ``mount``, asked with a Host header without a port (as 2.4.4 tests do)."""
    resp = server.http_get(port, mount + ".m3u", host=host, headers={"Host": "stream.example.org"})
    assert resp.status == 200, resp
    return resp.body.decode()


# --------------------------------------------------------------------------- ICE901


def test_2_5_duplicate_listen_socket_takes_the_later_settings(box25: oracle.Sandbox) -> None:
    first, other = oracle.free_ports(2)
    bad = config(box25, socket_xml(first) + socket_xml(first, "<tls>1</tls>") + socket_xml(other))
    [finding] = findings(bad, "2.5", "ICE901")
    assert "silently opens the port once, with this later socket's settings" in finding.message
    with oracle.IcecastServer(bad, box25, wait_port=other, name="dup25") as server:
        # the plain socket written first is gone: the port is the <tls> one (426 without a certificate)
        assert [answers(server, first, path=STATUS) for _ in range(3)] == [426] * 3
        assert "listen" not in "\n".join(line for line in log_lines(server) if " EROR " in line)
    first, other = oracle.free_ports(2)  # fresh ports: the last server's may still be closing
    good = config(box25, socket_xml(first) + socket_xml(other))
    assert not findings(good, "2.5", "ICE901")
    with oracle.IcecastServer(good, box25, wait_port=other, name="dup25-fixed") as server:
        assert answers(server, first, path=STATUS) == 200


def test_kh_duplicate_listen_socket_stops_the_server(boxkh: oracle.Sandbox) -> None:
    first, other = oracle.free_ports(2)
    bad = config(boxkh, socket_xml(first) + socket_xml(first) + socket_xml(other))
    [finding] = findings(bad, "kh", "ICE901")
    assert "Icecast-KH cannot bind it and does not start" in finding.message
    result = oracle.start_expecting_exit(bad, boxkh, name="dupkh")
    log = result.stderr + error_log(boxkh)
    assert f"Could not create listener socket on port {first}" in log, result.describe()
    assert "Server startup failed. Exiting" in log, result.describe()
    good = fixed(bad, "kh", "ICE901")
    with oracle.IcecastServer(good, boxkh, wait_port=other, name="dupkh-fixed") as server:
        assert answers(server, first) == 404  # KH has no status page: any answer is a running server


# --------------------------------------------------------------------------- ICE902, ICE903, ICE904, ICE905 on 2.5


def test_2_5_playlists_use_the_socket_of_the_request(box25: oracle.Sandbox, ogg: Path) -> None:
    """2.5.0 builds playlist and listenurl URLs from the socket a request came in on.

    The port is always that socket's, so a root <port> nobody listens on
    (ICE902) or a Shoutcast-compat first socket (ICE905) no longer ends up in
    playlists as on 2.4.4 (only in YP listings, first sent 60 s after a mount
    starts, too slow to wait for here).  The host is the socket's
    <bind-address>, or <hostname> when the socket is bound to a wildcard or
    ``::``-prefixed address: there a localhost <hostname> (ICE904) is what
    listeners get.
    """
    port, root_port, compat, wildcard = oracle.free_ports(4)
    body = (
        f"<port>{root_port}</port>"
        + socket_xml(compat, "<shoutcast-compat>1</shoutcast-compat>")
        + socket_xml(port)
        + socket_xml(wildcard, bind="::1")  # loopback, but "::"-prefixed: Icecast treats it as a wildcard
    )
    mount = "<mount><mount-name>/live.ogg</mount-name><public>1</public></mount>"
    data = config(box25, body + mount, hostname="localhost")
    found = {f.code for f in findings(data, "2.5", "ICE902", "ICE904", "ICE905", "ICE914")}
    assert found == {"ICE902", "ICE904"}  # ICE905 defers to the root port, ICE914 to ICE904
    [root] = findings(data, "2.5", "ICE902")
    assert "YP listings" in root.message and "playlist" not in root.message
    with (
        oracle.IcecastServer(data, box25, wait_port=port, name="urls25") as server,
        server.source(port, "/live.ogg", ogg, password=SOURCE_PASSWORD) as source,
    ):
        assert source.accepted
        entry = server.wait_mount(port, "/live.ogg")
        assert entry["listenurl"] == f"http://127.0.0.1:{port}/live.ogg"
        assert playlist(server, port, "/live.ogg").strip() == f"http://127.0.0.1:{port}/live.ogg"
        via_wildcard = playlist(server, wildcard, "/live.ogg", host="::1").strip()
        assert via_wildcard == f"http://localhost:{wildcard}/live.ogg"  # the ICE904 harm
        assert tcp_refused(root_port)
        assert "YP directory listing support will be disabled" in server.stderr()
    good = config(box25, socket_xml(port) + socket_xml(wildcard, bind="::1") + mount, hostname="stream.example.org")
    assert not findings(good, "2.5", "ICE902", "ICE904", "ICE905", "ICE914")
    with (
        oracle.IcecastServer(good, box25, wait_port=port, name="urls25-good") as server,
        server.source(port, "/live.ogg", ogg, password=SOURCE_PASSWORD) as source,
    ):
        assert source.accepted
        server.wait_mount(port, "/live.ogg")
        via_wildcard = playlist(server, wildcard, "/live.ogg", host="::1").strip()
        assert via_wildcard == f"http://stream.example.org:{wildcard}/live.ogg"


def test_2_5_first_socket_only_matters_for_yp(box25: oracle.Sandbox, ogg: Path) -> None:
    port, compat = oracle.free_ports(2)
    with RequestRecorder() as directory:  # never answers: only the YP entry 2.5.0 prepares matters
        yp = (
            f"<directory><yp-url-timeout>2</yp-url-timeout><yp-url>http://127.0.0.1:{directory.port}/yp</yp-url>"
            "</directory><mount><mount-name>/live.ogg</mount-name><public>1</public></mount>"
        )
        bad = config(box25, socket_xml(compat, "<shoutcast-compat>1</shoutcast-compat>") + socket_xml(port) + yp)
        [finding] = findings(bad, "2.5", "ICE905")
        assert "YP listings" in finding.message and "playlist" not in finding.message
        with (
            oracle.IcecastServer(bad, box25, wait_port=port, name="first25") as server,
            server.source(port, "/live.ogg", ogg, password=SOURCE_PASSWORD) as source,
        ):
            assert source.accepted
            server.wait_mount(port, "/live.ogg")
            assert playlist(server, port, "/live.ogg").strip() == f"http://127.0.0.1:{port}/live.ogg"
            assert answers(server, compat, timeout=1.0) is None  # listeners cannot use that port
            # the YP entry gets no socket of its own: its URL falls back to the first socket's port
            warned = "There is no listen socket defined for this YP nor is there a default"
            assert warned in server.wait_log(warned)


def test_2_5_root_bind_address_is_ignored(box25: oracle.Sandbox) -> None:
    port = oracle.free_port()
    body = "<bind-address>127.0.0.1</bind-address>" + socket_xml(port, bind="127.0.0.2")
    bad = config(box25, body)
    [finding] = findings(bad, "2.5", "ICE903")
    assert "root <bind-address> is ignored" in finding.message
    with oracle.IcecastServer(bad, box25, name="rootbind25") as server:
        assert answers_soon(server, "127.0.0.2", port)  # the socket's own address is used ...
        assert tcp_refused(port)  # ... and nothing listens on the root <bind-address>
    assert not findings(config(box25, socket_xml(port, bind="127.0.0.2")), "2.5", "ICE903")


def test_kh_localhost_hostname_is_advertised(boxkh: oracle.Sandbox, ogg: Path) -> None:
    port = oracle.free_port()
    mount = "<mount><mount-name>/live.ogg</mount-name><public>1</public></mount>"
    bad = config(boxkh, socket_xml(port) + mount, hostname="localhost")
    [finding] = findings(bad, "kh", "ICE904")
    with (
        oracle.IcecastServer(bad, boxkh, wait_port=port, name="localhostkh") as server,
        server.source(port, "/live.ogg", ogg, password=SOURCE_PASSWORD) as source,
    ):
        assert source.accepted
        server.wait_mount(port, "/live.ogg")
        assert f"http://localhost:{port}/live.ogg" in playlist(server, port, "/live.ogg")
    good = config(boxkh, socket_xml(port) + mount, hostname="stream.example.org")
    assert not findings(good, "kh", "ICE904")
    assert finding.line == 2


# --------------------------------------------------------------------------- <public> on 2.5 (ICE204)


#: <public> as written on a mount -> whether that mount's source asks to be listed (Ice-Public).
PUBLIC_25 = {
    "/client.ogg": ("client", True),  # -1: the source decides
    "/padded.ogg": (" client ", True),  # no match as written: util_str_to_bool's 0, whatever the source asks
    "/minus.ogg": (" -1", False),  # no "-1" as written: atoi's -1 is not 0, so 1, whatever the source says
}


def public_stats(box: oracle.Sandbox, data: bytes, port: int, ogg: Path) -> dict[str, str]:
    """The ``public`` 2.5.0's admin stats show for each mount of :data:`PUBLIC_25`, its source connected."""
    shown: dict[str, str] = {}
    with oracle.IcecastServer(data, box, wait_port=port, name="public25") as server:
        for mount, (_, asks) in PUBLIC_25.items():
            with server.source(port, mount, ogg, password=SOURCE_PASSWORD, public=asks) as source:
                assert source.accepted
                login = ("admin", ADMIN_PASSWORD)
                shown[mount] = server.admin_source(port, mount, login, fields=("public", "server_type"))["public"]
    return shown


def test_2_5_public_words_are_compared_as_written(box25: oracle.Sandbox, ogg: Path) -> None:
    """2.5.0 reads ``<public>client</public>`` and ``-1`` only unpadded; explain and ICE204 say so.

    ``__parse_public`` (cfgfile.c) compares ``client`` and ``-1`` as
    written; padded, they go to ``util_str_to_bool``.  The stats' ``public``
    is the mount's value, or the source's ``Ice-Public`` where it is -1.
    """
    port = oracle.free_port()
    mounts = "".join(
        f"<mount><mount-name>{m}</mount-name><public>{v}</public></mount>" for m, (v, _) in PUBLIC_25.items()
    )
    bad = config(box25, socket_xml(port) + mounts)
    read = {m.name: m.settings["public"].value for m in explain(icecfg.loads(bad), "2.5").mounts.mounts}
    assert read == {"/client.ogg": -1, "/padded.ogg": 0, "/minus.ogg": 1}
    predicted = {m: str(int(PUBLIC_25[m][1]) if value == -1 else value) for m, value in read.items()}
    assert (
        public_stats(box25, bad, port, ogg) == predicted == {"/client.ogg": "1", "/padded.ogg": "0", "/minus.ogg": "1"}
    )
    flagged = sorted(f.message.split(" reads ")[1].split(" as ")[0] for f in findings(bad, "2.5", "ICE204"))
    assert flagged == ["' -1'", "' client '"]  # "client" itself is read as meant
    good = fixed(bad, "2.5", "ICE204")
    assert not findings(good, "2.5", "ICE204")
    assert public_stats(box25, good, port, ogg) == {"/client.ogg": "1", "/padded.ogg": "1", "/minus.ogg": "0"}


# --------------------------------------------------------------------------- ICE906


@pytest.mark.parametrize("release", ["2.5", "kh"])
def test_shoutcast_mount_takes_the_next_port(release: str, request: pytest.FixtureRequest) -> None:
    box = box_of(release, request)
    base, elsewhere = port_pair_and_one()
    mount_xml = socket_xml(base, "<shoutcast-mount>/live.mp3</shoutcast-mount>")
    bad = config(box, mount_xml + socket_xml(base + 1))
    [finding] = findings(bad, release, "ICE906")
    assert str(base + 1) in finding.message
    if release == "kh":
        result = oracle.start_expecting_exit(bad, box, name="sc-kh")
        log = result.stderr + error_log(box)
        assert "Server startup failed. Exiting" in log, result.describe()
    else:
        with oracle.IcecastServer(bad, box, wait_port=base, name="sc-25") as server:
            # the port answers HTTP as the plain socket: it is no Shoutcast source port any more
            assert answers(server, base + 1, path=STATUS) == 200
    good = config(box, mount_xml + socket_xml(elsewhere))
    assert not findings(good, release, "ICE906")
    assert base + 1 in icecfg.explain(icecfg.loads(good), release).ports()  # what bake opens in the firewall
    with oracle.IcecastServer(good, box, wait_port=elsewhere, name=f"sc-{release}-free") as server:
        log = "\n".join(log_lines(server))
        assert "Could not create listener socket" not in log and "Can not listen on socket" not in log
        assert tcp_refused(base + 1) is False  # the Shoutcast source port is open ...
        if release == "2.5":
            assert answers(server, base + 1, path=STATUS, timeout=1.0) is None  # ... and is no HTTP port


# --------------------------------------------------------------------------- ICE907


@pytest.mark.parametrize("release", ["2.5", "kh"])
def test_sources_take_client_slots(release: str, request: pytest.FixtureRequest, ogg: Path) -> None:
    box = box_of(release, request)
    port = oracle.free_port()
    refused = {"2.5": 503, "kh": 403}[release]
    for clients in (2, 3):
        data = config(box, socket_xml(port), limits=f"<clients>{clients}</clients><sources>1</sources>")
        assert bool(findings(data, release, "ICE907")) == (clients == 2)
        with (
            oracle.IcecastServer(data, box, wait_port=port, name=f"clients{clients}-{release}") as server,
            server.source(port, "/live.ogg", ogg, password=SOURCE_PASSWORD) as source,
        ):
            assert source.accepted
            server.wait_mount(port, "/live.ogg")
            listener = _listener_holding_a_slot(port, "/live.ogg", refused)  # the second client slot
            try:
                third = answers(server, port)
                assert (third == refused) == (clients == 2), third
            finally:
                listener.close()


def _listener_holding_a_slot(port: int, mount: str, refused: int, within: float = 5.0) -> http.client.HTTPConnection:
    """A listener of ``mount`` that got 200 and holds its client slot open.

    The server frees the slot of a request that has ended (``wait_mount``'s
    last poll of status-json, KH's of its stats) a moment later, on its connection thread: a
    listener that comes in before that is refused as one too many (2.5.0
    answered 503 once in a CI run).  So it asks again, for a few seconds,
    while it is refused so; a free slot must then answer 200.
    """
    deadline = time.monotonic() + within
    while True:
        listener = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        listener.request("GET", mount)
        status = listener.getresponse().status
        if status == refused and time.monotonic() < deadline:
            listener.close()
            time.sleep(0.2)
            continue
        assert status == 200, status
        return listener


# --------------------------------------------------------------------------- ICE910, ICE911


@pytest.mark.parametrize("release", ["2.4", "2.5", "kh"])
def test_incomplete_master_settings_relay_nothing(release: str, request: pytest.FixtureRequest) -> None:
    box = box_of(release, request)
    port = oracle.free_port()
    for complete in (False, True):
        with RequestRecorder() as master:
            settings = (
                f"<master-server>127.0.0.1</master-server><master-server-port>{master.port}</master-server-port>"
                "<master-update-interval>15</master-update-interval>"  # 2.5.0 accepts 15..3600; the first ask is at once
            )
            if complete:
                settings += f"<master-password>{secrets.token_hex(8)}</master-password>"
            data = config(box, socket_xml(port) + settings)
            assert bool(findings(data, release, "ICE910")) != complete
            with oracle.IcecastServer(data, box, wait_port=port, name=f"master-{release}-{complete}"):
                asked = master.wait(oracle.MOUNT_TIMEOUT if complete else 4.0)  # the first ask is at once
            if complete:
                wanted = b"GET /admin/streams" if release == "kh" else b"GET /admin/streamlist.txt"
                assert asked and asked[0].startswith(wanted), asked
            else:
                assert asked == []


def relay_xml(upstream: int) -> str:
    return (
        f"<relay><server>127.0.0.1</server><port>{upstream}</port><mount>/up.ogg</mount>"
        "<local-mount>/relayed.ogg</local-mount></relay>"
    )


@pytest.mark.parametrize("release", ["2.4", "2.5", "kh"])
def test_relays_on_demand_after_the_relay_does_not_apply(release: str, request: pytest.FixtureRequest) -> None:
    box = box_of(release, request)
    port = oracle.free_port()
    with RequestRecorder() as upstream:
        bad = config(box, socket_xml(port) + relay_xml(upstream.port) + "<relays-on-demand>1</relays-on-demand>")
        [finding] = findings(bad, release, "ICE911")
        with oracle.IcecastServer(bad, box, wait_port=port, name=f"ondemand-{release}-bad"):
            asked = upstream.wait(oracle.MOUNT_TIMEOUT)
        assert asked and asked[0].startswith(b"GET /up.ogg"), asked  # connected with no listener
        good = fixed(bad, release, "ICE911")
        assert good.index(b"<relays-on-demand>") < good.index(b"<relay>")
        assert not findings(good, release, "ICE911")
    with RequestRecorder() as upstream:
        data = config(box, socket_xml(port) + "<relays-on-demand>1</relays-on-demand>" + relay_xml(upstream.port))
        assert not findings(data, release, "ICE911")
        with oracle.IcecastServer(data, box, wait_port=port, name=f"ondemand-{release}-good"):
            assert upstream.wait(4.0) == []  # on demand: nobody listens, nothing is fetched
    assert finding.fix is not None


@pytest.mark.parametrize("release", ["2.5", "kh"])
def test_relay_without_port_does_not_connect_to_port_0(release: str, request: pytest.FixtureRequest) -> None:
    """ICE909 is a 2.4-only rule: 2.5.0 defaults a relay's upstream port to 80, Icecast-KH to its own port."""
    box = box_of(release, request)
    port = oracle.free_port()
    relay = "<relay><server>127.0.0.1</server><mount>/up.ogg</mount><local-mount>/relayed.ogg</local-mount></relay>"
    data = config(box, socket_xml(port) + relay)
    assert findings(data, "2.4", "ICE909")
    assert not findings(data, release, "ICE909")
    with oracle.IcecastServer(data, box, wait_port=port, name=f"relay-noport-{release}") as server:
        # (the line to find, the start of it to wait for): 2.5.0 port 80, KH the server's own port
        connecting, logged = {
            "2.5": ("connecting to 127.0.0.1:80\n", "connecting to 127.0.0.1:"),
            "kh": (f"connecting /relayed.ogg to 127.0.0.1:{port}\n", "connecting /relayed.ogg to"),
        }[release]
        assert connecting in server.wait_log(logged)


def test_kh_root_port_bind_address_and_first_socket(boxkh: oracle.Sandbox, ogg: Path) -> None:
    """KH, like 2.4.4, binds only the listen sockets and advertises the root or else the first port."""
    port, other = oracle.free_ports(2)
    bad = config(boxkh, f"<port>{other}</port>" + socket_xml(port), hostname="stream.example.org")
    [finding] = findings(bad, "kh", "ICE902")
    with (
        oracle.IcecastServer(bad, boxkh, wait_port=port, name="rootportkh") as server,
        server.source(port, "/live.ogg", ogg, password=SOURCE_PASSWORD) as source,
    ):
        assert source.accepted
        server.wait_mount(port, "/live.ogg")
        assert playlist(server, port, "/live.ogg").strip() == f"http://stream.example.org:{other}/live.ogg"
        assert tcp_refused(other)  # nothing listens where the playlist points
    good = fixed(bad, "kh", "ICE902")
    assert not findings(good, "kh", "ICE902")
    with (
        oracle.IcecastServer(good, boxkh, wait_port=port, name="rootportkh-fixed") as server,
        server.source(port, "/live.ogg", ogg, password=SOURCE_PASSWORD) as source,
    ):
        assert source.accepted
        server.wait_mount(port, "/live.ogg")
        assert playlist(server, port, "/live.ogg").strip() == f"http://stream.example.org:{port}/live.ogg"

    # the first socket's port is advertised; a shoutcast-compat one still serves listeners on KH,
    # so ICE905 reports only a first socket listeners cannot reach (loopback on a public server)
    compat_first = config(
        boxkh,
        socket_xml(other, "<shoutcast-compat>1</shoutcast-compat>") + socket_xml(port),
        hostname="stream.example.org",
    )
    assert not findings(compat_first, "kh", "ICE905")
    assert findings(config(boxkh, socket_xml(other) + socket_xml(port, bind="0.0.0.0")), "kh", "ICE905")
    with (
        oracle.IcecastServer(compat_first, boxkh, wait_port=port, name="firstkh") as server,
        server.source(port, "/live.ogg", ogg, password=SOURCE_PASSWORD) as source,
    ):
        assert source.accepted
        server.wait_mount(port, "/live.ogg")
        assert playlist(server, port, "/live.ogg").strip() == f"http://stream.example.org:{other}/live.ogg"
        assert server.http_get(other, "/live.ogg", max_body=4).body == b"OggS"

    root_bind = config(boxkh, "<bind-address>127.0.0.1</bind-address>" + socket_xml(port, bind="127.0.0.2"))
    [finding] = findings(root_bind, "kh", "ICE903")
    assert "root <bind-address> is ignored" in finding.message
    with oracle.IcecastServer(root_bind, boxkh, name="rootbindkh") as server:
        assert answers_soon(server, "127.0.0.2", port)
        assert tcp_refused(port)
