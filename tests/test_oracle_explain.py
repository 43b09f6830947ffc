"""``icecfg explain`` against the real Icecast 2.4.4: what it says the server does, the server does.

Each configuration (the shipped examples, Debian's samples, a dozen files of
the shared corpus) is rewritten through the model to run in a sandbox:
ports become free loopback ports, paths point into the sandbox, and anything
that would reach beyond this machine (relays, YP, URL authentication, master
servers, scripts) is removed.  Then the effective configuration of the very
bytes that run is compared with the running server:

* listeners: every port it lists is bound, and answers TLS or plain HTTP as
  its protocol says (a TLS port with an unusable certificate answers plain);
* mounts and fallbacks: a listener of a mount without a source gets the
  fallback file explain names, or a 404 when it names none;
* headers: the server-wide headers explain lists are sent, the ones it says
  are dropped are not;
* start-up: a configuration explain says cannot start does not start;
* limits: a max-listeners merged from a default mount is enforced.
"""

from __future__ import annotations

import contextlib
import http.client
import secrets
import socket
import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest

import icecfg
from icecfg.effective import EffectiveConfig, Protocol, Source, explain
from icecfg.files import FileView
from tests import audio, oracle
from tests.corpus import corpus_paths
from tests.samples import read_sample, sample_paths
from tests.test_audio import encode
from tests.test_oracle_fallback_headers import serve

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((REPO / "examples").glob("*/icecast.xml"))
#: How many corpus files are run: the ones that exercise the most of explain.
CORPUS_RUNS = 12
PASSWORD = secrets.token_hex(8)


@pytest.fixture(scope="module")
def box() -> Iterator[oracle.Sandbox]:
    with oracle.temporary_sandbox() as sandbox:
        yield sandbox


@pytest.fixture(scope="module")
def pem(box: oracle.Sandbox) -> Path:
    return oracle.make_tls_pem(box)


@pytest.fixture(scope="module")
def media() -> dict[str, bytes]:
    return {".ogg": audio.make_ogg(bitrate_kbps=96).read_bytes(), ".mp3": encode("mp3", bitrate_kbps=96)}


def _interest(data: bytes) -> int:
    """How much of explain a corpus file exercises: TLS, sockets, fallbacks, default mounts, headers."""
    eff = explain(icecfg.loads(data), "2.4")
    score = 3 * sum(1 for s in eff.listeners if s.tls) + len(eff.listeners)
    score += 2 * sum(1 for m in eff.mounts.normal() if eff.fallbacks.of(m) is not None)
    score += 2 * sum(1 for m in eff.mounts.mounts if m.kind == "default")
    score += 3 * len(eff.headers.dropped) + len(eff.headers.sent) + len(eff.mounts.mounts)
    return score


def _configs() -> list[tuple[str, bytes]]:
    found = [(f"examples/{p.parent.name}", p.read_bytes()) for p in EXAMPLES]
    found += [(f"sample/{p.name}", read_sample(p)) for p in sample_paths()]
    scored = []
    for path in corpus_paths():
        data = path.read_bytes()
        try:
            scored.append((-_interest(data), path.name, data))
        except icecfg.IcecfgError:
            continue  # not well-formed: nothing to explain
    found += [(f"corpus/{name}", data) for _score, name, data in sorted(scored)[:CORPUS_RUNS]]
    return found


CONFIGS = _configs()


def sandboxed(data: bytes, box: oracle.Sandbox, pem: Path) -> bytes:
    """The configuration with free loopback ports and sandbox paths, nothing reaching outside.

    Every edit goes through the model, so the rest of the file (mounts,
    limits, headers, comments) runs exactly as written.
    """
    cfg = icecfg.loads(data)
    sockets = list(cfg.listen_sockets)
    ports = oracle.free_ports(2 * max(len(sockets), 1))
    if sockets:
        renumbered: dict[str | None, int] = {}
        for index, sock in enumerate(sockets):
            # the same written port gets the same new one, so duplicates stay duplicates
            written = sock.get_text("port")
            port = renumbered.setdefault(written, ports[2 * index])
            sock.port = port
            sock.bind_address = "127.0.0.1"
        if cfg.get_text("port") is not None:
            cfg.port = ports[-1]
    else:
        cfg.port = ports[0]
        cfg.bind_address = "127.0.0.1"
    cfg.directories = []
    cfg.relays = []
    for name in ("master_server", "master_server_port", "master_password", "master_username"):
        setattr(cfg, name, None)
    for mount in cfg.mounts:
        mount.dump_file = None
        mount.on_connect = None
        mount.on_disconnect = None
        auth = mount.authentication
        if auth.exists and (auth.element is not None and auth.element.get("type") == "url"):
            mount.authentication = None
    paths = cfg.paths
    paths.logdir = str(box.logdir)
    paths.webroot = str(box.webroot)
    paths.adminroot = str(box.adminroot)
    paths.basedir = str(box.root)
    paths.pidfile = None
    paths.allow_ip = None
    paths.deny_ip = None
    if paths.ssl_certificate is not None:
        paths.ssl_certificate = str(pem)
    if cfg.security.exists:
        cfg.security.chroot = None
        cfg.security.changeowner = None
    return icecfg.dumps(cfg)


def plain_answers(port: int) -> bool:
    try:
        oracle.http_get(port, "/status-json.xsl", timeout=3.0, max_body=256)
    except (OSError, http.client.HTTPException):
        return False
    return True


def tls_answers(port: int) -> bool:
    try:
        oracle.http_get(port, "/status-json.xsl", tls=True, timeout=3.0, max_body=256)
    except (OSError, http.client.HTTPException, ssl.SSLError):
        return False
    return True


def bound(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=3.0).close()
    except OSError:
        return False
    return True


def check_listeners(eff: EffectiveConfig) -> None:
    for listener in eff.listeners:
        assert listener.port, listener
        if listener.shoutcast_compat:
            continue  # a Shoutcast source port: it waits for a password line, not HTTP
        plain, tls = plain_answers(listener.port), tls_answers(listener.port)
        expected = (listener.protocol.offers_plain, listener.protocol.offers_tls)
        assert (plain, tls) == expected, f"{listener.label}: explain says {listener.protocol.value}"
    for port in eff.ports():
        assert bound(port), f"port {port} is not bound"


def place_fallback_files(eff: EffectiveConfig, box: oracle.Sandbox, media: dict[str, bytes]) -> None:
    """Put a playable file wherever a chain ends in a file, so that explain can say it is there."""
    for mount in eff.mounts.normal():
        for hop in eff.chain(mount).hops:
            if hop.kind == "file" and hop.name.startswith("/") and ".." not in hop.name:
                data = media[".ogg"] if hop.name.endswith((".ogg", ".oga")) else media[".mp3"]
                box.write(str(box.webroot.relative_to(box.root) / hop.name.lstrip("/")), data)


def check_fallbacks(eff: EffectiveConfig, port: int) -> int:
    """A listener of each plain mount without a source gets the file explain names, or 404."""
    checked = 0
    protected = {auth.mount for auth in eff.auth.listener_auth}
    for mount in eff.mounts.normal():
        name = mount.name
        assert name is not None
        if name in protected or not name.startswith("/") or any(c in name for c in "*?[ "):
            continue
        if mount.get("max-listeners") == 0:
            continue
        chain = eff.chain(mount)
        response = oracle.http_get(port, name, timeout=3.0, max_body=4096)
        if chain.gets is None:
            assert response.status == 404, f"{name}: explain says nobody serves it, got {response.status}"
        else:
            assert response.status == 200, f"{name}: explain says {chain.gets} is played, got {response.status}"
            assert response.body, f"{name}: no audio from {chain.gets}"
        checked += 1
    return checked


def check_headers(eff: EffectiveConfig, port: int) -> None:
    response = oracle.http_get(port, "/status-json.xsl", timeout=3.0, max_body=256)
    for header in eff.headers.sent:
        if header.status in (None, "", "0", str(response.status)):
            assert response.headers.get(header.name) is not None, f"header {header.name} not sent"
    for dropped in eff.headers.dropped:
        if dropped.name and all(h.name.lower() != dropped.name.lower() for h in eff.headers.sent):
            assert response.headers.get(dropped.name) is None, f"header {dropped.name} sent: {dropped.reason}"


@pytest.mark.parametrize(("label", "data"), CONFIGS, ids=[label for label, _ in CONFIGS])
def test_explain_matches_the_running_server(
    label: str, data: bytes, box: oracle.Sandbox, pem: Path, media: dict[str, bytes]
) -> None:
    run = sandboxed(data, box, pem)
    eff = explain(icecfg.loads(run, label), "2.4", FileView("/"))
    name = label.replace("/", "-")
    if eff.startup_problems:
        result = oracle.start_expecting_exit(run, box, name=name)
        assert result.returncode not in (0, None), f"explain says it cannot start: {eff.startup_problems}"
        return
    place_fallback_files(eff, box, media)
    eff = explain(icecfg.loads(run, label), "2.4", FileView("/"))
    first = next(s for s in eff.listeners if s.protocol.offers_plain or s.protocol.offers_tls)
    assert first.port
    with contextlib.ExitStack() as stack:
        server = stack.enter_context(serve(run, box, first.port, name))
        assert server.running
        check_listeners(eff)
        plain = next((s.port for s in eff.listeners if s.protocol.offers_plain and s.port), None)
        if plain is not None and eff.limits.get("clients") not in (0, None):
            check_headers(eff, plain)
            check_fallbacks(eff, plain)


def test_a_tls_port_whose_certificate_has_no_key_serves_plain_http(box: oracle.Sandbox) -> None:
    """2.4.4's silent downgrade, seen through the files: explain reads the PEM and says so."""
    certificate_only = box.write(
        "cert-only.pem", b"".join(_blocks(oracle.make_tls_pem(box, "full.pem"), b"CERTIFICATE"))
    )
    plain, secure = oracle.free_ports(2)
    data = oracle_config(
        box,
        plain,
        f"<listen-socket><port>{secure}</port><bind-address>127.0.0.1</bind-address><ssl>1</ssl></listen-socket>",
        certificate_only,
    )
    eff = explain(icecfg.loads(data), "2.4", FileView("/"))
    assert eff.tls.usable is False
    assert [s.protocol for s in eff.listeners] == [Protocol.PLAIN, Protocol.PLAIN_DOWNGRADED]
    with serve(data, box, plain, "explain-cert-only"):
        check_listeners(eff)


def test_max_listeners_merged_from_the_default_mount_is_enforced(box: oracle.Sandbox) -> None:
    port = oracle.free_port()
    mounts = (
        '<mount type="default"><max-listeners>1</max-listeners></mount>'
        "<mount><mount-name>/capped.ogg</mount-name></mount>"
    )
    data = oracle_config(box, port, mounts, None)
    eff = explain(icecfg.loads(data), "2.4", FileView("/"))
    mount = eff.mounts.find("/capped.ogg")
    assert mount is not None
    limit = mount.settings["max-listeners"]
    assert (limit.value, limit.origin.source) == (1, Source.MERGED)
    song = audio.make_ogg(seconds=20, bitrate_kbps=64).read_bytes()
    with (
        serve(data, box, port, "explain-capped") as server,
        oracle.SourceClient(port, "/capped.ogg", song, password=PASSWORD) as source,
    ):
        assert source.accepted
        server.wait_mount(port, "/capped.ogg")
        with contextlib.ExitStack() as listeners:
            statuses = []
            for _ in range(2):
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                listeners.callback(conn.close)
                conn.request("GET", "/capped.ogg")
                statuses.append(conn.getresponse().status)
        assert statuses == [200, 403], statuses


def _blocks(path: Path, label: bytes) -> list[bytes]:
    data = path.read_bytes()
    out = []
    start = data.find(b"-----BEGIN " + label)
    while start >= 0:
        end = data.index(b"-----END " + label, start)
        end = data.index(b"\n", end) + 1
        out.append(data[start:end])
        start = data.find(b"-----BEGIN " + label, end)
    return out


def oracle_config(box: oracle.Sandbox, port: int, body: str, certificate: Path | None) -> bytes:
    cert = f"<ssl-certificate>{certificate}</ssl-certificate>" if certificate is not None else ""
    return f"""<icecast>
  <hostname>127.0.0.1</hostname><location>oracle</location><admin>oracle@example.invalid</admin>
  <authentication><source-password>{PASSWORD}</source-password>
    <admin-user>admin</admin-user><admin-password>{PASSWORD}</admin-password></authentication>
  <listen-socket><port>{port}</port><bind-address>127.0.0.1</bind-address></listen-socket>
  {body}
  <paths><logdir>{box.logdir}</logdir><webroot>{box.webroot}</webroot><adminroot>{box.adminroot}</adminroot>{cert}</paths>
  <logging><errorlog>error.log</errorlog><accesslog>access.log</accesslog><loglevel>3</loglevel></logging>
</icecast>
""".encode()


#: 2.5 TLS switches on one socket each (KH has none: every socket is the same).
_SWITCHES = {
    "2.5": (
        "",
        "<tls>0</tls>",
        "<tls>auto</tls>",
        "<tls>rfc2818</tls>",
        "<tls>auto_no_plain</tls>",
        "<tls>rfc2817</tls>",
    ),
    "kh": ("", ""),
}


def observe(port: int) -> tuple[int | None, bool]:
    """(status of a plain HTTP request or None, whether a TLS handshake and request succeed)."""
    try:
        plain: int | None = oracle.http_get(port, "/status-json.xsl", timeout=3.0, max_body=64).status
    except (OSError, http.client.HTTPException):
        plain = None
    return plain, tls_answers(port)


@pytest.mark.parametrize("certificate", [True, False], ids=["certificate", "no-certificate"])
@pytest.mark.parametrize("release", ["2.5", "kh"])
def test_explain_protocols_match_25_and_kh(release: str, certificate: bool) -> None:
    """Every 2.5 TLS mode, and KH's per-connection detection, with and without a certificate."""
    oracle.require_release(release)
    switches = _SWITCHES[release]
    with oracle.temporary_sandbox(release=release) as sandbox:
        ports = oracle.free_ports(len(switches) + 1)
        pem = oracle.make_tls_pem(sandbox) if certificate else None
        data = oracle.basic_config(
            sandbox, [ports[0]], source_password=PASSWORD, admin_password=PASSWORD, tls_certificate=pem
        )
        sockets = "".join(
            f"<listen-socket><port>{port}</port><bind-address>127.0.0.1</bind-address>{switch}</listen-socket>"
            for port, switch in zip(ports[1:], switches, strict=True)
        )
        data = data.replace(b"<paths>", sockets.encode() + b"<paths>", 1)
        eff = explain(icecfg.loads(data), release, FileView("/"))
        assert len(eff.listeners) == len(ports)
        with oracle.IcecastServer(data, sandbox, wait_port=ports[0]):
            for listener in eff.listeners:
                assert listener.port
                plain, tls = observe(listener.port)
                protocol = listener.protocol
                served = plain is not None and plain != 426
                assert (served, tls) == (protocol.offers_plain, protocol.offers_tls), (
                    f"{listener.label}: explain says {protocol.value}; plain HTTP got {plain}, TLS {tls}"
                )
                assert (plain == 426) == protocol.answers_426, f"{listener.label}: {protocol.value}, plain got {plain}"
