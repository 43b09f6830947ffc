"""The structure, value and dialect rules against the real Icecast 2.4.4.

Each test lints a configuration, runs it on the Debian ``icecast2`` binary
and shows the harm the finding predicts (an HTTP status, a missing header, a
random port, a crash), then runs the corrected configuration - where the rule
has a fix, the one ``icecfg lint --fix`` writes - and shows the harm gone.
"""

from __future__ import annotations

import contextlib
import http.client
import itertools
import os
import re
import secrets
import signal
import ssl
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest

import icecfg
from icecfg.lint import lint
from tests import audio, oracle

SOURCE_PASSWORD = secrets.token_hex(8)
ADMIN_PASSWORD = secrets.token_hex(8)
_serial = itertools.count()


@pytest.fixture(scope="module")
def ogg() -> Path:
    return audio.make_ogg(seconds=2, rate=44100, channels=2, bitrate_kbps=64)


def config(
    box: oracle.Sandbox,
    ports: list[int],
    *,
    root: str = "",
    limits: str = "",
    sockets: list[str] | None = None,
    mounts: str = "",
    paths: str = "",
    loglevel: str = "3",
    authentication: str | None = None,
) -> bytes:
    """A warning-free 2.4 configuration with one 127.0.0.1 socket per port, plus the given parts.

    Every configuration gets its own log file names, so servers sharing the
    sandbox never read each other's logs.
    """
    serial = next(_serial)
    if sockets is None:
        sockets = [f"<port>{p}</port><bind-address>127.0.0.1</bind-address>" for p in ports]
    if authentication is None:
        authentication = f"<source-password>{SOURCE_PASSWORD}</source-password>"
    listen = "\n".join(f"  <listen-socket>{inner}</listen-socket>" for inner in sockets)
    return f"""<icecast>
  <hostname>127.0.0.1</hostname>
  <location>oracle</location>
  <admin>oracle@example.invalid</admin>
{root}
  <limits>{limits}</limits>
  <authentication>
    {authentication}
    <admin-user>admin</admin-user>
    <admin-password>{ADMIN_PASSWORD}</admin-password>
  </authentication>
{listen}
{mounts}
  <paths>
    <logdir>{box.logdir}</logdir>
    <webroot>{box.webroot}</webroot>
    <adminroot>{box.adminroot}</adminroot>{paths}
  </paths>
  <logging>
    <errorlog>error-{serial}.log</errorlog>
    <accesslog>access-{serial}.log</accesslog>
    <loglevel>{loglevel}</loglevel>
  </logging>
</icecast>
""".encode()


def codes(data: bytes) -> set[str]:
    """The codes icecfg reports for ``data`` on 2.4."""
    return {f.code for f in lint(icecfg.loads(data), target="2.4", files=False)}


def fixed(data: bytes, code: str) -> bytes:
    """``data`` after applying the fixes of every ``code`` finding (as ``lint --fix`` does)."""
    cfg = icecfg.loads(data)
    findings = [f for f in lint(cfg, target="2.4", files=False) if f.code == code]
    assert findings and all(f.fix is not None for f in findings), [f.message for f in findings]
    for finding in findings:
        assert finding.fix is not None
        finding.fix()
    out = icecfg.dumps(cfg)
    assert code not in codes(out)
    return out


@contextlib.contextmanager
def running(box: oracle.Sandbox, data: bytes, port: int) -> Iterator[oracle.IcecastServer]:
    with oracle.IcecastServer(data, box, wait_port=port, name=f"values-{next(_serial)}") as server:
        yield server


def log_of(server: oracle.IcecastServer, data: bytes) -> str:
    match = re.search(rb"<errorlog>([^<]+)</errorlog>", data)
    assert match is not None
    return server.error_log(match[1].decode()) or ""


def static_file_status(box: oracle.Sandbox, data: bytes, port: int) -> int:
    with running(box, data, port) as server:
        return server.http_get(port, "/style.css").status


def admin_max_listeners(server: oracle.IcecastServer, port: int, streaming: list[str]) -> dict[str, str]:
    """mount -> <max_listeners> of every source in /admin/stats (status-json does not show it).

    Read once each mount in ``streaming`` has its limit there: the stats
    list a new source's type a moment before its limit.
    """
    for mount in streaming:
        server.admin_source(port, mount, ("admin", ADMIN_PASSWORD))
    resp = server.http_get(port, "/admin/stats", auth=("admin", ADMIN_PASSWORD), max_body=1024 * 1024)
    assert resp.status == 200, resp
    tree = ET.fromstring(resp.body)
    return {s.get("mount", ""): s.findtext("max_listeners", "") for s in tree.iter("source")}


def listening_ports(pid: int) -> set[int]:
    """TCP ports the process ``pid`` listens on (from its socket fds and /proc/net)."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        with contextlib.suppress(OSError):
            match = re.fullmatch(r"socket:\[(\d+)\]", os.readlink(fd))
            if match:
                inodes.add(match[1])
    ports = set()
    for table in ("tcp", "tcp6"):
        for line in Path(f"/proc/{pid}/net/{table}").read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A" and fields[9] in inodes:  # 0A: LISTEN
                ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    return ports


# -- booleans and ignored elements: <fileserve> -----------------------------------------


def test_boolean_word_true_switches_static_files_off(box: oracle.Sandbox) -> None:
    port = oracle.free_port()
    bad = config(box, [port], root="  <fileserve>true</fileserve>")
    assert "ICE204" in codes(bad)
    with running(box, bad, port) as server:
        assert server.http_get(port, "/style.css").status == 404
        assert "serving of static files has been disabled" in server.stderr()
    good = fixed(bad, "ICE204")
    assert b"<fileserve>1</fileserve>" in good
    assert static_file_status(box, good, port) == 200


def test_ignored_elements_leave_the_default(box: oracle.Sandbox) -> None:
    """Misspelt, misplaced and miscased: had any of the three been read, /style.css would be 404."""
    port = oracle.free_port()
    control = config(box, [port], root="  <fileserve>0</fileserve>")
    assert not codes(control) & {"ICE101", "ICE102", "ICE103"}
    assert static_file_status(box, control, port) == 404  # written correctly, the setting works
    bad = config(
        box,
        [port],
        root="  <fileserv>0</fileserv>\n  <FileServe>0</FileServe>",
        paths="\n    <fileserve>0</fileserve>",
    )
    assert {"ICE101", "ICE102", "ICE103"} <= codes(bad)
    with running(box, bad, port) as server:
        assert server.http_get(port, "/style.css").status == 200  # none of them had an effect
        assert server.stderr() == ""  # and Icecast said nothing about it
    assert static_file_status(box, fixed(bad, "ICE103"), port) == 404  # renamed, it is read


def test_repeated_setting_last_one_wins(box: oracle.Sandbox) -> None:
    port = oracle.free_port()
    on_last = config(box, [port], root="  <fileserve>0</fileserve>\n  <fileserve>1</fileserve>")
    findings = [f for f in lint(icecfg.loads(on_last), target="2.4", files=False) if f.code == "ICE104"]
    dead_line = on_last.split(b"\n").index(b"  <fileserve>0</fileserve>") + 1
    assert [f.line for f in findings] == [dead_line]  # the first occurrence is the dead one
    assert static_file_status(box, on_last, port) == 200
    off_last = config(box, [port], root="  <fileserve>1</fileserve>\n  <fileserve>0</fileserve>")
    assert static_file_status(box, off_last, port) == 404


# -- numbers --------------------------------------------------------------------------------


def test_empty_clients_segfaults_and_blank_clients_refuse_everything(box: oracle.Sandbox) -> None:
    port = oracle.free_port()
    empty = config(box, [port], limits="<clients></clients>")
    assert "ICE205" in codes(empty)
    result = oracle.start_expecting_exit(empty, box, name=f"values-{next(_serial)}", expect_crash=True)
    assert result.returncode == -signal.SIGSEGV, result.describe()
    assert (result.stdout, result.stderr) == ("", "")
    assert b"<clients" not in fixed(empty, "ICE205")  # the fix removes it: the default 256 applies

    blank = config(box, [port], limits="<clients> </clients>")
    findings = [f for f in lint(icecfg.loads(blank), target="2.4", files=False) if f.code == "ICE201"]
    assert findings and "every request is refused with 403" in findings[0].message
    with running(box, blank, port) as server:
        assert server.http_get(port, "/style.css").status == 403
        assert server.http_get(port, "/status-json.xsl").status == 403

    good = config(box, [port], limits="<clients>100</clients>")
    assert not codes(good) & {"ICE201", "ICE205"}
    assert static_file_status(box, good, port) == 200


def test_non_numeric_port_binds_a_random_port(box: oracle.Sandbox) -> None:
    control, meant = oracle.free_ports(2)
    bad = config(
        box,
        [],
        sockets=[
            f"<port>{control}</port><bind-address>127.0.0.1</bind-address>",
            "<port>abc</port><bind-address>127.0.0.1</bind-address>",
        ],
    )
    assert "ICE201" in codes(bad)
    with running(box, bad, control) as server:
        ports = listening_ports(server.pid)
        assert control in ports and len(ports) == 2, ports
        (random_port,) = ports - {control}  # a port no line of the configuration names
        assert server.http_get(random_port, "/style.css").status == 200  # serving where nobody looks
    good = config(box, [meant])
    with running(box, good, meant) as server:
        assert server.http_get(meant, "/style.css").status == 200


def test_port_junk_is_cut_and_large_ports_wrap(box: oracle.Sandbox) -> None:
    junk, wrapped = oracle.free_ports(2)
    bad = config(
        box,
        [],
        sockets=[
            f"<port>{junk}abc</port><bind-address>127.0.0.1</bind-address>",
            f"<port>{wrapped + 65536}</port><bind-address>127.0.0.1</bind-address>",
        ],
    )
    found = [f for f in lint(icecfg.loads(bad), target="2.4", files=False) if f.code in ("ICE201", "ICE202")]
    assert {f.code for f in found} == {"ICE201", "ICE202"}
    assert any(f"binds port {wrapped} instead" in f.message for f in found)
    with running(box, bad, junk) as server:
        assert listening_ports(server.pid) == {junk, wrapped}
    # the ICE201 fix keeps the number atoi already read
    assert f"<port>{junk}</port>".encode() in fixed(bad, "ICE201")


def test_bind_address_must_be_numeric(box: oracle.Sandbox) -> None:
    port = oracle.free_port()
    bad = config(box, [], sockets=[f"<port>{port}</port><bind-address>localhost</bind-address>"])
    assert "ICE208" in codes(bad)
    result = oracle.start_expecting_exit(bad, box, name=f"values-{next(_serial)}")
    assert result.returncode == 1, result.describe()
    assert "Server startup failed" in result.stdout + result.stderr + (result.error_log or "")
    good = fixed(bad, "ICE208")
    assert b"<bind-address>127.0.0.1</bind-address>" in good
    assert static_file_status(box, good, port) == 200


def test_empty_port_is_reported_and_ignored(box: oracle.Sandbox) -> None:
    port = oracle.free_port()
    bad = config(
        box,
        [],
        sockets=[
            f"<port>{port}</port><bind-address>127.0.0.1</bind-address>",
            "<port/><bind-address>127.0.0.1</bind-address>",
        ],
    )
    assert "ICE206" in codes(bad)
    with running(box, bad, port) as server:
        assert "<port> must not be empty" in server.stderr()


# -- words -----------------------------------------------------------------------------------


def test_loglevel_word_logs_nothing(box: oracle.Sandbox) -> None:
    port = oracle.free_port()
    bad = config(box, [port], loglevel="debug")
    assert "ICE209" in codes(bad)
    with running(box, bad, port) as server:
        server.http_get(port, "/no-such-file")
        time.sleep(0.3)
        assert log_of(server, bad) == ""
    good = fixed(bad, "ICE209")
    assert b"<loglevel>4</loglevel>" in good
    with running(box, good, port) as server:
        server.http_get(port, "/no-such-file")
        assert oracle.wait_until(lambda: "server started" in log_of(server, good)), log_of(server, good)


# -- mounts ------------------------------------------------------------------------------------


def _mount(name: str, body: str) -> str:
    return f"  <mount>\n    <mount-name>{name}</mount-name>\n    {body}\n  </mount>"


@contextlib.contextmanager
def sources(port: int, mounts: list[str], ogg: Path) -> Iterator[list[oracle.SourceClient]]:
    with contextlib.ExitStack() as stack:
        clients = [stack.enter_context(oracle.SourceClient(port, m, ogg, password=SOURCE_PASSWORD)) for m in mounts]
        assert all(c.accepted for c in clients), clients
        yield clients


def _listeners_admitted(port: int, mount: str, count: int) -> list[int]:
    """Statuses of ``count`` listeners connected at the same time."""
    connections = []
    statuses = []
    try:
        for _ in range(count):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connections.append(conn)
            conn.request("GET", mount)
            statuses.append(conn.getresponse().status)
    finally:
        for conn in connections:
            conn.close()
    return statuses


def test_mount_settings_lost_to_spelling_whitespace_and_duplicates(box: oracle.Sandbox, ogg: Path) -> None:
    port = oracle.free_port()
    mounts = "\n".join(
        [
            _mount("/ok", "<max-listeners>1</max-listeners>"),
            _mount("/typo", "<max-listener>1</max-listener>"),
            _mount("/case", "<Max-Listeners>1</Max-Listeners>"),
            _mount(" /ws", "<max-listeners>1</max-listeners>"),
            _mount("/dup", "<max-listeners>7</max-listeners>"),
            _mount("/dup", "<max-listeners>9</max-listeners>"),
        ]
    )
    bad = config(box, [port], mounts=mounts)
    assert {"ICE101", "ICE103", "ICE207", "ICE105"} <= codes(bad)
    names = ["/ok", "/typo", "/case", "/ws", "/dup"]
    with running(box, bad, port) as server, sources(port, names, ogg):
        for name in names:
            server.wait_mount(port, name)
        limits = admin_max_listeners(server, port, names)
        assert limits == {
            "/ok": "1",
            "/typo": "unlimited",
            "/case": "unlimited",
            "/ws": "unlimited",
            "/dup": "7",
        }
        assert _listeners_admitted(port, "/ok", 2) == [200, 403]  # the limit works where spelt right
        assert _listeners_admitted(port, "/typo", 2) == [200, 200]  # <max-listener>: unlimited
    good = fixed(fixed(bad, "ICE103"), "ICE207")
    with running(box, good, port) as server, sources(port, names, ogg):
        for name in names:
            server.wait_mount(port, name)
        limits = admin_max_listeners(server, port, names)
        assert (limits["/case"], limits["/ws"]) == ("1", "1")
        assert _listeners_admitted(port, "/ws", 2) == [200, 403]


def test_default_mount_spelling_and_missing_names(box: oracle.Sandbox, ogg: Path) -> None:
    port = oracle.free_port()
    mounts = "\n".join(
        [
            '  <mount type="Default"><max-listeners>3</max-listeners></mount>',
            '  <mount Type="default"><max-listeners>4</max-listeners></mount>',
            "  <mount><max-listeners>5</max-listeners></mount>",
            '  <mount type="default"><mount-name>/other*</mount-name><max-listeners>6</max-listeners></mount>',
        ]
    )
    bad = config(box, [port], mounts=mounts)
    assert {"ICE108", "ICE106", "ICE109", "ICE110"} <= codes(bad)
    with running(box, bad, port) as server, sources(port, ["/live", "/other1"], ogg):
        server.wait_mount(port, "/live")
        server.wait_mount(port, "/other1")
        # none of the four blocks reaches /live; the named default mount acts as a pattern
        assert admin_max_listeners(server, port, ["/live", "/other1"]) == {"/live": "unlimited", "/other1": "6"}
        err = server.stderr()
        assert "Unknown mountpoint type: Default" in err
        assert "has mount-name set" in err
    good = config(box, [port], mounts='  <mount type="default"><max-listeners>3</max-listeners></mount>')
    assert not codes(good) & {"ICE106", "ICE108", "ICE109", "ICE110"}
    with running(box, good, port) as server, sources(port, ["/live"], ogg):
        server.wait_mount(port, "/live")
        assert admin_max_listeners(server, port, ["/live"]) == {"/live": "3"}


# -- attributes -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "first"),
    [("ICE107", '<header name="X-A"/>'), ("ICE108", '<header type="cors" name="X-A" value="a"/>')],
    ids=["missing-value", "unknown-type"],
)
def test_bad_header_drops_the_later_headers(box: oracle.Sandbox, code: str, first: str) -> None:
    port = oracle.free_port()
    headers = f'  <http-headers>{first}<header name="X-B" value="b"/></http-headers>'
    bad = config(box, [port], root=headers)
    assert code in codes(bad)
    with running(box, bad, port) as server:
        resp = server.http_get(port, "/style.css")
        assert resp.status == 200
        assert resp.headers.get("X-B") is None
    good = config(
        box,
        [port],
        root='  <http-headers><header name="X-A" value="a"/><header name="X-B" value="b"/></http-headers>',
    )
    assert not codes(good) & {"ICE107", "ICE108"}
    with running(box, good, port) as server:
        resp = server.http_get(port, "/style.css")
        assert (resp.headers.get("X-A"), resp.headers.get("X-B")) == ("a", "b")


# -- dialect ----------------------------------------------------------------------------------


def test_tls_element_on_24_serves_plain_http(box: oracle.Sandbox) -> None:
    plain, secure = oracle.free_ports(2)
    pem = oracle.make_tls_pem(box, name=f"tls-{next(_serial)}.pem")
    bad = config(
        box,
        [],
        sockets=[
            f"<port>{plain}</port><bind-address>127.0.0.1</bind-address>",
            f"<port>{secure}</port><bind-address>127.0.0.1</bind-address><tls>1</tls>",
        ],
        paths=f"\n    <ssl-certificate>{pem}</ssl-certificate>",
    )
    assert "ICE303" in codes(bad)
    with running(box, bad, plain) as server:
        assert server.http_get(secure, "/style.css").status == 200  # plain HTTP on the "TLS" port
        with pytest.raises((ssl.SSLError, OSError, http.client.HTTPException)):
            oracle.http_get(secure, "/style.css", tls=True, timeout=1)
    good = fixed(bad, "ICE303")
    assert b"<ssl>1</ssl>" in good
    with running(box, good, plain) as server:
        assert server.http_get(secure, "/style.css", tls=True).status == 200
        with pytest.raises((OSError, http.client.HTTPException)):
            oracle.http_get(secure, "/style.css", timeout=1)


def test_root_source_password_is_deprecated(box: oracle.Sandbox) -> None:
    port = oracle.free_port()
    bad = config(box, [port], root=f"  <source-password>{SOURCE_PASSWORD}</source-password>", authentication="")
    assert "ICE306" in codes(bad)
    with running(box, bad, port) as server:
        assert "deprecated" in server.stderr()
    good = config(box, [port])
    assert "ICE306" not in codes(good)
    with running(box, good, port) as server:
        assert server.stderr() == ""
