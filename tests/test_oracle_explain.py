"""``icecfg explain`` against the real Icecast 2.4.4, 2.5.0 and KH: what it says the server does, it does.

Each configuration (the shipped examples, Debian's samples, a dozen files of
the shared corpus) is rewritten through the model to run in a sandbox, once
per release: ports become free loopback ports, paths point into the sandbox
(the TLS certificate wherever the release reads it; 2.5 also gets the
harness's report database and PRNG seed), and anything that would reach
beyond this machine (relays, YP, URL authentication, master servers, scripts)
is removed.  Then the effective configuration of the very bytes that run is
compared with the running server:

* listeners: every port it lists is bound, and answers TLS, plain HTTP or
  426 as its protocol says (every 2.5 TLS mode, KH's detection per connection);
* mounts and fallbacks: a listener of a mount without a source gets the
  fallback file explain names, or a 404 when it names none (KH needs a rate);
* headers: the server-wide headers explain lists are sent (2.5 CORS ones to
  a request with an Origin), the ones it says are dropped are not;
* start-up: a configuration explain says cannot start does not start;
* limits: the max-listeners explain derives (merged from a default mount,
  a glob default, KH's pick among same-name mounts, KH attributes) is enforced;
* sources: the source password works on exactly the mounts explain says;
* fallback-override: a returning source takes back the listeners explain says.
"""

from __future__ import annotations

import contextlib
import http.client
import re
import secrets
import ssl
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest

import icecfg
from icecfg.conversion import FallbackOverride
from icecfg.effective import EffectiveConfig, Listener, Protocol, Source, explain
from icecfg.effective.text import render
from icecfg.files import FileView
from icecfg.lint import lint
from tests import audio, oracle
from tests.audio import encode
from tests.corpus import corpus_paths
from tests.oracle_checks import listener_bytes, listener_counts
from tests.samples import read_sample, sample_paths

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((REPO / "examples").glob("*/icecast.xml"))
#: How many corpus files are run: the ones that exercise the most of explain.
CORPUS_RUNS = 12
PASSWORD = secrets.token_hex(8)


#: Every release explain speaks of; each runs the same configurations on its own binary.
RELEASES = ("2.4", "2.5", "kh")


@pytest.fixture(scope="module", params=RELEASES)
def box(request: pytest.FixtureRequest) -> Iterator[oracle.Sandbox]:
    """One sandbox per release (its own web and admin files); the tests run release by release."""
    oracle.require_release(request.param)
    with oracle.temporary_sandbox(release=request.param) as sandbox:
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
    # a socket with <shoutcast-mount> also opens port + 1: each new port comes with its + 1 free
    *bases, single = oracle.free_ports(1, pairs=max(len(sockets), 1))
    if sockets:
        renumbered: dict[str | None, int] = {}
        for index, sock in enumerate(sockets):
            # the same written port gets the same new one, so duplicates stay duplicates
            written = sock.get_text("port")
            port = renumbered.setdefault(written, bases[index])
            sock.port = port
            sock.bind_address = "127.0.0.1"
        if cfg.get_text("port") is not None:
            cfg.port = single
    else:
        cfg.port = bases[0]
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
    paths.banfile = None
    for name in ("ssl_certificate", "kh_ssl_certificate", "tls_certificate", "ssl_private_key"):
        if getattr(paths, name) is not None:
            setattr(paths, name, str(pem))
    security = cfg.security
    if security.exists:
        security.chroot = None
        security.changeowner = None
        context = security.tls_context
        if context.exists:
            for name in ("tls_certificate", "tls_key"):
                if getattr(context, name) is not None:
                    setattr(context, name, str(pem))
    if box.release == "2.5":
        _harness_25(cfg)
    return icecfg.dumps(cfg)


def _harness_25(cfg: icecfg.IcecastConfig) -> None:
    """What the harness gives every 2.5.0 server: its report database and a PRNG seed it can read."""
    report_db = oracle.get_release("2.5").report_db
    assert report_db is not None
    cfg.paths.reportxmldbs = [str(report_db)]
    cfg.security.prng_seeds = ["/dev/urandom"]
    block = cfg.security.element
    assert block is not None
    for seed in block.elements("prng-seed"):
        seed.set("type", "device")
        seed.set("size", "32")


def tls_answers(port: int) -> bool:
    try:
        oracle.http_get(port, "/status-json.xsl", tls=True, timeout=3.0, max_body=256)
    except (OSError, http.client.HTTPException, ssl.SSLError):
        return False
    return True


def plain_status(port: int) -> int | None:
    """The status of a plain HTTP request, or None when the port does not answer one."""
    try:
        return oracle.http_get(port, "/status-json.xsl", timeout=3.0, max_body=64).status
    except (OSError, http.client.HTTPException):
        return None


def check_protocols(listeners: list[Listener]) -> None:
    """Plain HTTP served, 426 answered, a TLS handshake accepted: each exactly as explain says.

    The probes run at once: one that gets no answer waits out its timeout,
    and a port that speaks only TLS (or only plain HTTP) always has one.
    """
    ports = [listener.port or 0 for listener in listeners]
    with ThreadPoolExecutor(max_workers=16) as pool:
        plain_probes = [pool.submit(plain_status, port) for port in ports]
        tls_probes = [pool.submit(tls_answers, port) for port in ports]
        plains = [probe.result() for probe in plain_probes]
        tlses = [probe.result() for probe in tls_probes]
    for listener, plain, tls in zip(listeners, plains, tlses, strict=True):
        protocol = listener.protocol
        served = plain is not None and plain != 426
        assert (served, tls) == (protocol.offers_plain, protocol.offers_tls), (
            f"{listener.label}: explain says {protocol.value}; plain HTTP got {plain}, TLS {tls}"
        )
        assert (plain == 426) == protocol.answers_426, f"{listener.label}: {protocol.value}, plain got {plain}"


def check_listeners(eff: EffectiveConfig) -> None:
    for listener in eff.listeners:
        assert listener.port, listener
    # a Shoutcast source port waits for a password line, not HTTP; a socket explain says is not
    # opened (another holds its port) has that one's protocol
    check_protocols([listener for listener in eff.listeners if not listener.shoutcast_compat and not listener.lost])
    for port in eff.ports():
        assert oracle.tcp_connects(port, timeout=3.0), f"port {port} is not bound"


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
    """The headers explain lists are sent (2.5 CORS ones only to a request with an Origin), the dropped not."""
    origin = {"Origin": "http://player.example.org"}
    response = oracle.http_get(port, "/status-json.xsl", timeout=3.0, max_body=256, headers=origin)
    bare = oracle.http_get(port, "/status-json.xsl", timeout=3.0, max_body=256)
    for header in eff.headers.sent:
        if header.status in (None, "", "0", str(response.status)):
            assert response.headers.get(header.name) is not None, f"header {header.name} not sent"
            if header.needs_origin:
                assert bare.headers.get(header.name) is None, f"CORS header {header.name} sent without Origin"
    for dropped in eff.headers.dropped:
        if dropped.name and all(h.name.lower() != dropped.name.lower() for h in eff.headers.sent):
            assert response.headers.get(dropped.name) is None, f"header {dropped.name} sent: {dropped.reason}"


@pytest.mark.parametrize(("label", "data"), CONFIGS, ids=[label for label, _ in CONFIGS])
def test_explain_matches_the_running_server(
    label: str, data: bytes, box: oracle.Sandbox, pem: Path, media: dict[str, bytes]
) -> None:
    run = sandboxed(data, box, pem)
    release = box.release
    eff = explain(icecfg.loads(run, label), release, FileView("/"))
    name = f"{release}-{label.replace('/', '-')}"
    if eff.startup_problems:
        # A start-up problem may be a crash (2.5.0's empty <loglevel>): one try says enough.
        result = oracle.start_expecting_exit(run, box, name=name, expect_crash=True)
        assert result.returncode not in (0, None), f"explain says it cannot start: {eff.startup_problems}"
        return
    place_fallback_files(eff, box, media)
    eff = explain(icecfg.loads(run, label), release, FileView("/"))
    first = next(s for s in eff.listeners if s.protocol.offers_plain or s.protocol.offers_tls)
    assert first.port
    with contextlib.ExitStack() as stack:
        server = stack.enter_context(oracle.serve(run, box, first.port, name))
        assert server.running
        check_listeners(eff)
        plain = next((s.port for s in eff.listeners if s.protocol.offers_plain and s.port), None)
        if plain is not None and eff.limits.get("clients") not in (0, None):
            check_headers(eff, plain)
            check_fallbacks(eff, plain)


#: What explain says a plain socket and a TLS-switched one serve when the certificate has no key.
_CERT_ONLY = {
    "2.4": [Protocol.PLAIN, Protocol.PLAIN_DOWNGRADED],  # 2.4.4's silent downgrade
    "2.5": [Protocol.PLAIN, Protocol.REFUSED],  # 426 for plain HTTP, no TLS either
    "kh": [Protocol.PLAIN, Protocol.PLAIN],  # no usable certificate: no detection, plain everywhere
}


def test_a_tls_port_whose_certificate_has_no_key(box: oracle.Sandbox) -> None:
    """Each release's answer to an unusable certificate, seen through the files: explain reads the PEM."""
    certificate_only = box.write(
        "cert-only.pem", b"".join(_blocks(oracle.make_tls_pem(box, "full.pem"), b"CERTIFICATE"))
    )
    plain, secure = oracle.free_ports(2)
    data = release_config(box, [plain], tls_ports=(secure,), tls_certificate=certificate_only)
    eff = explain(icecfg.loads(data), box.release, FileView("/"))
    assert eff.tls.usable is False
    assert [s.protocol for s in eff.listeners] == _CERT_ONLY[box.release]
    with oracle.serve(data, box, plain, f"{box.release}-explain-cert-only"):
        check_listeners(eff)


def test_a_tls_port_whose_key_belongs_to_another_certificate(box: oracle.Sandbox) -> None:
    """OpenSSL refuses the pair at start-up: explain decodes both and says what each release then serves."""
    first = oracle.make_tls_pem(box, "first.pem")
    second = oracle.make_tls_pem(box, "second.pem")
    mismatched = box.write("mismatched.pem", b"".join(_blocks(first, b"CERTIFICATE") + _blocks(second, b"PRIVATE KEY")))
    plain, secure = oracle.free_ports(2)
    data = release_config(box, [plain], tls_ports=(secure,), tls_certificate=mismatched)
    eff = explain(icecfg.loads(data), box.release, FileView("/"))
    assert eff.tls.key_matches is False and eff.tls.usable is False
    assert [s.protocol for s in eff.listeners] == _CERT_ONLY[box.release]
    with oracle.serve(data, box, plain, f"{box.release}-explain-mismatched"):
        check_listeners(eff)


def listener_statuses(port: int, mount: str, count: int) -> list[int]:
    """Statuses of ``count`` listeners of ``mount`` connected at once (all held open until the end).

    The response is kept too: on an HTTP/1.0 answer it alone holds the
    socket, and dropping it would disconnect the listener before the next.
    """
    with contextlib.ExitStack() as listeners:
        statuses = []
        for _ in range(count):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            listeners.callback(conn.close)
            conn.request("GET", mount)
            response = conn.getresponse()
            listeners.callback(response.close)
            statuses.append(response.status)
    return statuses


#: Per release, mounts whose max-listeners explain derives other than from their own element:
#: merged from a default mount (unnamed or a glob; 2.4/2.5), or on KH the first of two
#: same-name mounts (its mount tree picks one, here the second) and the attribute form.
#: /pat-a.ogg has no mount of its own: 2.4 and KH take the /pat-* one, 2.5 (which matches
#: normal mounts exactly) the default mount, used directly.
_LIMITED_MOUNTS = {
    "2.4": (
        '<mount type="default"><mount-name>/glob-*</mount-name><max-listeners>1</max-listeners></mount>'
        f'<mount type="default"><password>{PASSWORD}</password><max-listeners>2</max-listeners></mount>'
        "<mount><mount-name>/glob-capped.ogg</mount-name></mount>"
        "<mount><mount-name>/capped.ogg</mount-name></mount>"
        "<mount><mount-name>/pat-*</mount-name><max-listeners>3</max-listeners></mount>",
        Source.MERGED,
    ),
    "kh": (
        "<mount><mount-name>/capped.ogg</mount-name><max-listeners>1</max-listeners></mount>"
        "<mount><mount-name>/capped.ogg</mount-name><max-listeners>3</max-listeners></mount>"
        '<mount mount-name="/attr-capped.ogg" max-listeners="2"/>'
        "<mount><mount-name>/pat-*</mount-name><max-listeners>4</max-listeners></mount>",
        Source.ELEMENT,
    ),
}
_LIMITED_MOUNTS["2.5"] = _LIMITED_MOUNTS["2.4"]


#: What a listener over a mount's limit gets (not a claim of explain: the status each release picks).
_OVER_LIMIT = {"2.4": 403, "2.5": 503, "kh": 403}


def test_max_listeners_explain_derives_is_enforced(box: oracle.Sandbox) -> None:
    """The limit explain gives a mount (merged, picked among same-name mounts, attribute form) is enforced."""
    port = oracle.free_port()
    mounts, source = _LIMITED_MOUNTS[box.release]
    data = release_config(box, [port], extra=mounts)
    eff = explain(icecfg.loads(data), box.release, FileView("/"))
    limits = {}
    names = [m.name for m in eff.mounts.normal() if m.name is not None and "*" not in m.name]
    for name in [*names, "/pat-a.ogg"]:
        found = eff.mounts.find(name)
        assert found is not None, name
        limit = found.settings["max-listeners"]
        if name in names:
            assert limit.origin.source is source, (name, limit)
        assert isinstance(limit.value, int)
        limits[name] = limit.value
    assert len(set(limits.values())) > 1, limits  # the mounts' limits are told apart
    song = audio.make_ogg(seconds=20, bitrate_kbps=64).read_bytes()
    with oracle.serve(data, box, port, f"{box.release}-explain-capped") as server, contextlib.ExitStack() as sources:
        for name in limits:
            assert eff.auth.source_logins(name, eff.mounts), f"explain says no source can log in on {name}"
            client = sources.enter_context(server.source(port, name, song, password=PASSWORD))
            assert client.accepted, name
            server.wait_mount(port, name)
        for name, limit in limits.items():
            statuses = listener_statuses(port, name, limit + 1)
            assert statuses == [200] * limit + [_OVER_LIMIT[box.release]], (name, limit, statuses)


#: A default mount and mounts that write 0 where 2.4.4 and 2.5.0 read "unset" only as -1: a
#: normal mount's own 0 stays (2.5.0 clamps a max-listeners of 0 to -1 first, and so merges
#: it), and a default mount's 0 is passed on.  The glob default comes first: it is the one
#: /zero-default.mp3 merges.
_ZERO_MOUNTS = (
    '<mount type="default"><mount-name>/zero-*</mount-name><max-listeners>0</max-listeners>'
    "<public>0</public><mp3-metadata-interval>0</mp3-metadata-interval></mount>"
    f'<mount type="default"><password>{PASSWORD}</password><max-listeners>2</max-listeners>'
    "<public>1</public><mp3-metadata-interval>4000</mp3-metadata-interval></mount>"
    "<mount><mount-name>/own-zero.mp3</mount-name><max-listeners>0</max-listeners>"
    "<public>0</public><mp3-metadata-interval>0</mp3-metadata-interval></mount>"
    "<mount><mount-name>/unset.mp3</mount-name></mount>"
    "<mount><mount-name>/zero-default.mp3</mount-name></mount>"
)


def _stats_public(port: int) -> dict[str, str]:
    """The ``public`` each source is listed with, from /admin/stats."""
    response = oracle.http_get(port, "/admin/stats", auth=("admin", PASSWORD), timeout=3.0, max_body=1 << 20)
    root = ElementTree.fromstring(response.body)
    return {s.get("mount", ""): s.findtext("public") or "" for s in root.iter("source")}


# only 2.4 and 2.5: KH merges no default mount
@pytest.mark.parametrize("box", ["2.4", "2.5"], indirect=True)
def test_a_zero_a_mount_writes_is_merged_as_explain_says(box: oracle.Sandbox) -> None:
    """max-listeners, public and the ICY interval: 0 is a value, not "unset", where explain says so."""
    port = oracle.free_port()
    data = release_config(box, [port], extra=_ZERO_MOUNTS)
    eff = explain(icecfg.loads(data), box.release, FileView("/"))
    names = ("/own-zero.mp3", "/unset.mp3", "/zero-default.mp3")
    said = {}
    for name in names:
        found = eff.mounts.find(name)
        assert found is not None, name
        said[name] = {key: found.get(key) for key in ("max-listeners", "public", "mp3-metadata-interval")}
    song = encode("mp3", seconds=20, bitrate_kbps=64)
    with oracle.serve(data, box, port, f"{box.release}-explain-zero") as server, contextlib.ExitStack() as sources:
        for name in names:
            client = server.source(port, name, song, password=PASSWORD, content_type="audio/mpeg", public=True)
            assert sources.enter_context(client).accepted, name
            server.wait_mount(port, name)
        public = _stats_public(port)
        for name, values in said.items():
            if values["public"] in (0, 1):  # -1: the source's Ice-Public decides
                assert public[name] == str(values["public"]), (name, values, public)
            interval = values["mp3-metadata-interval"]
            if values["max-listeners"] != 0 and interval != -1:  # -1: the release's default interval
                answer = oracle.http_get(port, name, timeout=2.0, max_body=1024, headers={"Icy-MetaData": "1"})
                assert answer.status == 200, (name, answer.status)
                sent = answer.headers.get("icy-metaint")
                assert sent == (str(interval) if interval else None), (name, values, sent)
        for name, values in said.items():  # the limits last: a listener turned away leaves no slot taken
            limit = values["max-listeners"]
            assert isinstance(limit, int), (name, values)
            statuses = listener_statuses(port, name, limit + 1 if limit >= 0 else 3)
            expected = [200] * limit + [_OVER_LIMIT[box.release]] if limit >= 0 else [200] * 3
            assert statuses == expected, (name, values, statuses)


#: Values whose first piece is no plain text (a comment, CDATA, blank text before a comment),
#: or which a comment splits: KH reads a value only when it starts with text that is not blank.
_COMMENTED_MOUNTS = (
    "<mount><mount-name>/comment-first.ogg</mount-name><max-listeners><!-- c -->1</max-listeners></mount>"
    "<mount><mount-name>/blank-first.ogg</mount-name><max-listeners>\n  <!-- c -->\n  1\n</max-listeners></mount>"
    "<mount><mount-name>/cdata.ogg</mount-name><max-listeners><![CDATA[1]]></max-listeners></mount>"
    "<mount><mount-name>/split.ogg</mount-name><max-listeners>1<!-- c -->2</max-listeners></mount>"
    "<mount><mount-name>/text-first.ogg</mount-name><max-listeners> 2<!-- c --></max-listeners></mount>"
    "<mount><mount-name><![CDATA[/cdata-name.ogg]]></mount-name><max-listeners>1</max-listeners></mount>"
)


def test_a_value_with_comments_or_cdata_is_read_as_explain_says(box: oracle.Sandbox) -> None:
    """Comments are skipped and CDATA joined in a value; KH takes none that does not start with text."""
    port = oracle.free_port()
    data = release_config(box, [port], extra=_COMMENTED_MOUNTS)
    eff = explain(icecfg.loads(data), box.release, FileView("/"))
    names = ("/comment-first.ogg", "/blank-first.ogg", "/cdata.ogg", "/split.ogg", "/text-first.ogg", "/cdata-name.ogg")
    limits = {}
    for name in names:
        found = eff.mounts.find(name)
        limit = found.get("max-listeners") if found is not None else -1  # no mount of that name: no limit
        assert isinstance(limit, int), (name, limit)
        limits[name] = limit
    song = audio.make_ogg(seconds=20, bitrate_kbps=64).read_bytes()
    with oracle.serve(data, box, port, f"{box.release}-explain-comments") as server, contextlib.ExitStack() as sources:
        for name in names:
            assert sources.enter_context(server.source(port, name, song, password=PASSWORD)).accepted, name
            server.wait_mount(port, name)
        for name, limit in limits.items():
            statuses = listener_statuses(port, name, limit + 1 if 0 <= limit < 12 else 4)
            expected = [200] * limit + [_OVER_LIMIT[box.release]] if 0 <= limit < 12 else [200] * 4
            assert statuses == expected, (name, limit, statuses)


#: A setting written twice, the second time with nothing KH can read: junk, empty, a comment first
#: (after an element, or after KH's attribute form).
_REWRITTEN_MOUNTS = (
    "<mount><mount-name>/junk.ogg</mount-name><max-listeners>2</max-listeners><max-listeners>abc</max-listeners></mount>"
    "<mount><mount-name>/empty.ogg</mount-name><max-listeners>2</max-listeners><max-listeners/></mount>"
    "<mount><mount-name>/hidden.ogg</mount-name><max-listeners>2</max-listeners>"
    "<max-listeners><!-- c -->1</max-listeners></mount>"
    "<mount><mount-name>/name.ogg</mount-name><mount-name/><max-listeners>1</max-listeners></mount>"
    '<mount max-listeners="2"><mount-name>/attribute.ogg</mount-name><max-listeners><!-- c -->1</max-listeners></mount>'
)


def _explained_limits(eff: Any, names: tuple[str, ...]) -> dict[str, int]:
    """The max-listeners explain gives each mount name (-1: no mount of that name, no limit)."""
    limits = {}
    for name in names:
        found = eff.mounts.find(name)
        limit = found.get("max-listeners") if found is not None else -1
        assert isinstance(limit, int), (name, limit)
        limits[name] = limit
    return limits


def _assert_limits_enforced(box: oracle.Sandbox, data: bytes, port: int, name: str, limits: dict[str, int]) -> None:
    """With a source on each mount, the server lets in as many listeners as ``limits`` says (-1: any number)."""
    song = audio.make_ogg(seconds=20, bitrate_kbps=64).read_bytes()
    with oracle.serve(data, box, port, name) as server, contextlib.ExitStack() as sources:
        for mount in limits:
            assert sources.enter_context(server.source(port, mount, song, password=PASSWORD)).accepted, mount
            server.wait_mount(port, mount)
        for mount, limit in limits.items():
            statuses = listener_statuses(port, mount, limit + 1 if limit >= 0 else 4)
            assert statuses == ([200] * limit + [403] if limit >= 0 else [200] * 4), (mount, limit, statuses)


# only kh: 2.4.4 and 2.5.0 take the last element as written (tests/test_oracle_values.py)
@pytest.mark.parametrize("box", ["kh"], indirect=True)
def test_kh_keeps_a_setting_a_later_element_does_not_give(box: oracle.Sandbox) -> None:
    """KH: a repeated setting whose last element it cannot read keeps the earlier value, as explain says."""
    port = oracle.free_port()
    data = release_config(box, [port], extra=_REWRITTEN_MOUNTS)
    eff = explain(icecfg.loads(data), box.release, FileView("/"))
    limits = _explained_limits(eff, ("/junk.ogg", "/empty.ogg", "/hidden.ogg", "/name.ogg", "/attribute.ogg"))
    _assert_limits_enforced(box, data, port, "kh-explain-rewritten", limits)


# only kh: 2.4.4 and 2.5.0 take the last element as written (tests/test_oracle_values.py)
@pytest.mark.parametrize("box", ["kh"], indirect=True)
def test_the_model_reads_a_kh_setting_as_kh_does(box: oracle.Sandbox) -> None:
    """``Section.effective`` on KH: the last element KH reads a value from, the limit KH enforces."""
    port = oracle.free_port()
    data = release_config(box, [port], extra=_REWRITTEN_MOUNTS)
    limits = {}
    for mount in icecfg.loads(data).mounts:
        name = mount.effective("mount_name", "kh")
        assert isinstance(name, str), (mount.get_text("mount-name"), name)
        limits[name] = mount.effective("max_listeners", "kh")
    assert sorted(limits) == ["/attribute.ogg", "/empty.ogg", "/hidden.ogg", "/junk.ogg", "/name.ogg"], limits
    assert all(isinstance(limit, int) and limit >= 0 for limit in limits.values()), limits
    _assert_limits_enforced(box, data, port, "kh-model-rewritten", limits)


def test_a_bind_address_kh_reads_nothing_from_leaves_the_earlier_one(box: oracle.Sandbox) -> None:
    """KH keeps an unbindable address past an empty <bind-address>; 2.4.4 and 2.5.0 then bind every interface."""
    good, bad = oracle.free_ports(2)
    kept = f"<listen-socket><port>{bad}</port><bind-address>localhost</bind-address><bind-address/></listen-socket>"
    data = release_config(box, [good]).replace(b"<paths>", kept.encode() + b"<paths>", 1)
    eff = explain(icecfg.loads(data), box.release, FileView("/"))
    assert (bad in eff.ports()) == (box.release != "kh"), eff.ports()
    with oracle.serve(data, box, good, f"{box.release}-explain-bind-kept"):
        assert oracle.tcp_connects(bad) == (bad in eff.ports()), f"port {bad}: explain lists {eff.ports()}"


#: A mount written before <limits>, one after, and a name with no <mount>: KH copies the <limits>
#: burst and source timeout into a mount as it reads it, so the first keeps KH's defaults.
_LIMITS_ORDER_MOUNTS = ("/early.ogg", "/late.ogg", "/unlisted.ogg")


def _limits_order_config(box: oracle.Sandbox, port: int) -> bytes:
    limits = "<source-timeout>3</source-timeout><burst-size>6000</burst-size><queue-size>1000000</queue-size>"
    data = release_config(box, [port], limits=limits, extra="<mount><mount-name>/late.ogg</mount-name></mount>")
    return data.replace(b"<limits>", b"<mount><mount-name>/early.ogg</mount-name></mount><limits>", 1)


def _mount_value(eff: EffectiveConfig, mount: str, name: str) -> object:
    """What explain says ``mount`` uses for ``name``: its own (KH: its copy), else the server's <limits>."""
    found = eff.mounts.find(mount)
    value = found.get(name) if found is not None else None
    return value if value is not None else eff.limits.get(name)


def _seconds_until_gone(server: oracle.IcecastServer, port: int, mounts: list[str], longest: float) -> dict[str, float]:
    """Seconds from now until the server no longer lists each mount (its source dropped), polled."""
    start = time.monotonic()
    gone: dict[str, float] = {}
    while len(gone) < len(mounts) and time.monotonic() - start < longest:
        listed = server.listed_mounts(port)
        for mount in mounts:
            if listed is not None and mount not in gone and mount not in listed:
                gone[mount] = time.monotonic() - start
        time.sleep(0.2)
    return gone


def test_a_stalled_source_is_dropped_after_the_timeout_explain_says(box: oracle.Sandbox) -> None:
    """The source timeout explain gives each mount: KH's own for a <mount> read before <limits>."""
    port = oracle.free_port()
    data = _limits_order_config(box, port)
    eff = explain(icecfg.loads(data), box.release, FileView("/"))
    timeouts = {name: _mount_value(eff, name, "source-timeout") for name in _LIMITS_ORDER_MOUNTS}
    assert all(isinstance(t, int) and 0 < t < 30 for t in timeouts.values()), timeouts
    song = audio.make_ogg(seconds=20, bitrate_kbps=64).read_bytes()
    with oracle.serve(data, box, port, f"{box.release}-explain-source-timeout") as server, contextlib.ExitStack() as on:
        sources = [on.enter_context(server.source(port, n, song, password=PASSWORD)) for n in _LIMITS_ORDER_MOUNTS]
        for source in sources:
            assert source.accepted, source.mount
            server.wait_mount(port, source.mount)
        for source in sources:
            source.pause()  # connected, sending nothing
        gone = _seconds_until_gone(server, port, list(_LIMITS_ORDER_MOUNTS), 30)
    for name, timeout in timeouts.items():
        assert isinstance(timeout, int)
        assert name in gone and timeout - 2 <= gone[name] <= timeout + 3, (name, timeout, gone)


@pytest.mark.parametrize("box", ["kh"], indirect=True)
def test_kh_bursts_a_mount_read_before_limits_with_the_size_explain_says(box: oracle.Sandbox) -> None:
    """KH: a <mount> read before <limits> keeps the default burst; the others get the <limits> one."""
    port = oracle.free_port()
    data = _limits_order_config(box, port)
    eff = explain(icecfg.loads(data), box.release, FileView("/"))
    bursts = {name: _mount_value(eff, name, "burst-size") for name in _LIMITS_ORDER_MOUNTS}
    assert sorted({b for b in bursts.values() if isinstance(b, int)}) == [6000, 65536], bursts
    song = audio.make_ogg(seconds=30, bitrate_kbps=128).read_bytes()
    with oracle.serve(data, box, port, "kh-explain-burst-order") as server, contextlib.ExitStack() as on:
        for name in _LIMITS_ORDER_MOUNTS:
            assert on.enter_context(server.source(port, name, song, password=PASSWORD)).accepted, name
        for name in _LIMITS_ORDER_MOUNTS:
            server.wait_mount(port, name)
        time.sleep(8)  # about 128 KB queued: more than either burst
        received = {name: listener_bytes(port, name, 0.25) for name in _LIMITS_ORDER_MOUNTS}
    for name, burst in bursts.items():
        # the small burst and its Ogg headers stay under 12 KB; the default one (65536) goes well beyond
        assert (received[name] < 12000) == (burst == 6000), (name, burst, received)


#: Bind addresses no release binds (a name, padding) beside one it does.
_UNBINDABLE = ("<bind-address>localhost</bind-address>", "<bind-address> 127.0.0.1 </bind-address>")


def test_a_socket_whose_address_cannot_be_bound_is_not_listed(box: oracle.Sandbox) -> None:
    """Icecast binds numeric addresses only: explain lists no port for the others, and no start without one."""
    good, *bad = oracle.free_ports(1 + len(_UNBINDABLE))
    sockets = "".join(
        f"<listen-socket><port>{port}</port>{bind}</listen-socket>" for port, bind in zip(bad, _UNBINDABLE, strict=True)
    )
    data = release_config(box, [good]).replace(b"<paths>", sockets.encode() + b"<paths>", 1)
    eff = explain(icecfg.loads(data), box.release, FileView("/"))
    assert not eff.startup_problems
    with oracle.serve(data, box, good, f"{box.release}-explain-unbindable"):
        for port in bad:
            assert oracle.tcp_connects(port) == (port in eff.ports()), f"port {port}: explain lists {eff.ports()}"
    alone = release_config(box, []).replace(b"<paths>", sockets.encode() + b"<paths>", 1)
    eff = explain(icecfg.loads(alone), box.release, FileView("/"))
    assert eff.startup_problems, "explain says a file whose every socket fails to bind starts"
    name = f"{box.release}-explain-unbindable-alone"
    result = oracle.start_expecting_exit(alone, box, name=name, expect_crash=box.release == "2.5")
    # KH exits with status 0 after logging the failure, 2.5.0 with a segfault
    assert "Server startup failed" in result.stdout + result.stderr + (result.error_log or ""), result.describe()


@pytest.mark.parametrize("box", ["2.4", "2.5"], indirect=True)
def test_a_socket_whose_port_a_later_one_takes_is_not_opened_as_explain_says(box: oracle.Sandbox, pem: Path) -> None:
    """Two sockets on one port: 2.4.4 and 2.5.0 both open it as the later one, and the earlier one is lost.

    2.4.4 binds its sockets last written first, so the earlier one is the one
    that fails (``Could not create listener socket``); 2.5.0 opens the port
    once with the later socket's settings.  The later socket here serves TLS
    and the earlier plain HTTP, so the port shows which one is open.  KH does
    not start at all (``tests/test_oracle_startup.py``).
    """
    port, other = oracle.free_ports(2)
    later = "<ssl>1</ssl>" if box.release == "2.4" else "<tls>1</tls>"
    sockets = "".join(
        f"<listen-socket><port>{port}</port><bind-address>127.0.0.1</bind-address>{extra}</listen-socket>"
        for extra in ("", later)
    )
    data = release_config(box, [other], tls_certificate=pem).replace(b"<paths>", sockets.encode() + b"<paths>", 1)
    eff = explain(icecfg.loads(data), box.release, FileView("/"))
    assert not eff.startup_problems
    first, second = [listener for listener in eff.listeners if listener.port == port]
    assert first.lost and not second.lost and second.protocol.offers_tls
    assert "NOT OPENED: the later socket at line" in render(eff)
    with oracle.serve(data, box, other, f"{box.release}-explain-socket-taken"):
        check_listeners(eff)  # the port serves TLS, as the later socket does, and no plain HTTP
        assert tls_answers(port)


#: Two sockets that want one port: which socket asks for port + 1 for Shoutcast sources, and
#: which is written later: (name, sockets, what holds port + 1: "plain" or "shoutcast").
_SHOUTCAST_CLASHES = (
    ("plain-later", "{sc}{plain_next}", "plain"),
    ("plain-earlier", "{plain_next}{sc}", "shoutcast"),
    ("same-port-later", "{sc}{plain_base}", "shoutcast"),
)


@pytest.mark.parametrize("box", ["2.4", "2.5"], indirect=True)
@pytest.mark.parametrize(("layout", "order", "holder"), _SHOUTCAST_CLASHES, ids=[c[0] for c in _SHOUTCAST_CLASHES])
def test_a_shoutcast_port_the_later_socket_takes_is_not_opened_as_explain_says(
    box: oracle.Sandbox, layout: str, order: str, holder: str
) -> None:
    """port + 1 of a ``<shoutcast-mount>`` socket is a socket of its own, bound in file order reversed.

    The socket written later gets the port, whether it is the plain socket or
    the Shoutcast source port; and a socket that loses its own port to a
    later one still opens its Shoutcast source port.  The port shows which
    one is open: a plain socket answers HTTP, a Shoutcast source port takes
    a Shoutcast source login.
    """
    base, port = oracle.free_ports(1, pairs=1)

    def sock(number: int, extra: str = "") -> str:
        return f"<listen-socket><port>{number}</port><bind-address>127.0.0.1</bind-address>{extra}</listen-socket>"

    sockets = order.format(
        sc=sock(base, "<shoutcast-mount>/sc.mp3</shoutcast-mount>"), plain_next=sock(base + 1), plain_base=sock(base)
    )
    data = release_config(box, [port]).replace(b"<paths>", sockets.encode() + b"<paths>", 1)
    eff = explain(icecfg.loads(data), box.release, FileView("/"))
    assert not eff.startup_problems
    [shoutcast] = [s for s in eff.listeners if s.shoutcast_port == base + 1]
    assert bool(shoutcast.shoutcast_lost) == (holder == "plain"), shoutcast.to_json()
    assert base + 1 in eff.ports()
    assert "NOT OPENED: the later socket at line" in render(eff)
    ice906 = [f.message for f in lint(icecfg.loads(data), box.release, files=False) if f.code == "ICE906"]
    if layout != "same-port-later":
        [message] = ice906
        said = "Shoutcast sources have no port" if holder == "plain" else "does not open that socket"
        assert said in message, message
    song = audio.make_ogg(seconds=5, bitrate_kbps=64).read_bytes()
    with oracle.serve(data, box, port, f"{box.release}-explain-shoutcast-{layout}"):
        check_listeners(eff)
        if holder == "plain":
            assert oracle.http_get(base + 1, "/status-json.xsl", timeout=3.0).status == 200
        else:
            with oracle.shoutcast_source(base + 1, PASSWORD, song) as answer:
                assert answer.startswith(b"OK2"), answer
                assert oracle.wait_until(lambda: "/sc.mp3" in listener_counts(port, PASSWORD))


#: KH templates: ``*`` crosses ``/`` (fnmatch without FNM_PATHNAME), and a lower <priority> is
#: tried first whatever the file order; equal ones go in file order.
_KH_TEMPLATES = (
    "<mount><mount-name>/dir/*</mount-name><max-listeners>1</max-listeners></mount>"
    "<mount><mount-name>/pat*</mount-name><max-listeners>2</max-listeners></mount>"
    "<mount><mount-name>/pa*</mount-name><max-listeners>3</max-listeners></mount>"
    "<mount><mount-name>/x*</mount-name><max-listeners>2</max-listeners><priority>5</priority></mount>"
    "<mount><mount-name>/xy*</mount-name><max-listeners>1</max-listeners><priority>2</priority></mount>"
)


# only kh: 2.4.4 and 2.5.0 have no templates of this kind (see the max-listeners test)
@pytest.mark.parametrize("box", ["kh"], indirect=True)
def test_kh_picks_the_template_explain_says(box: oracle.Sandbox) -> None:
    """KH matches a name against its templates with ``*`` crossing ``/``, lowest <priority> first."""
    port = oracle.free_port()
    data = release_config(box, [port], extra=_KH_TEMPLATES)
    eff = explain(icecfg.loads(data), box.release, FileView("/"))
    limits = _explained_limits(eff, ("/dir/sub/a.ogg", "/pattern.ogg", "/xyz.ogg"))
    _assert_limits_enforced(box, data, port, "kh-explain-templates", limits)


#: <public> as written on one mount each, and the Ice-Public its source sends (what "-1" lists).
_PUBLIC_WORDS = {"true": False, "yes": False, " yes": False, "no": True, "false": True, "1": False}


def test_the_public_flag_explain_reads_is_listed(box: oracle.Sandbox) -> None:
    """A mount's <public> as explain reads it is the one /admin/stats lists; -1 leaves it to the source."""
    port = oracle.free_port()
    mounts = {f"/public-{index}.ogg": (word, source) for index, (word, source) in enumerate(_PUBLIC_WORDS.items())}
    extra = "".join(
        f"<mount><mount-name>{name}</mount-name><public>{word}</public></mount>" for name, (word, _) in mounts.items()
    )
    data = release_config(box, [port], extra=extra)
    eff = explain(icecfg.loads(data), box.release, FileView("/"))
    expected = {}
    for name, (_word, source) in mounts.items():
        found = eff.mounts.find(name)
        assert found is not None, name
        public = found.get("public")
        if public is None or public not in (-1, 0, 1):
            continue  # a number no release lists as it is
        expected[name] = str(int(source)) if public == -1 else str(public)
    song = audio.make_ogg(seconds=20, bitrate_kbps=64).read_bytes()
    with oracle.serve(data, box, port, f"{box.release}-explain-public") as server, contextlib.ExitStack() as sources:
        for name, (_word, source) in mounts.items():
            client = server.source(port, name, song, password=PASSWORD, public=source)
            assert sources.enter_context(client).accepted, name
            server.wait_mount(port, name)
        listed = _stats_public(port)
    assert {name: listed.get(name) for name in expected} == expected, {n: mounts[n][0] for n in expected}


#: <fileserve> written with a word, padded or not: 2.5.0 and KH compare words as written.
_SWITCH_WORDS = ("yes", " yes", "no", " no", " 0", "1 ")


@pytest.mark.parametrize("word", _SWITCH_WORDS)
def test_a_switch_word_is_read_as_explain_says(box: oracle.Sandbox, word: str) -> None:
    """Static files are served exactly when explain reads <fileserve> as on."""
    box.write("web/hello.txt", b"hello\n")
    port = oracle.free_port()
    data = release_config(box, [port]).replace(b"<paths>", f"<fileserve>{word}</fileserve><paths>".encode(), 1)
    fileserve = explain(icecfg.loads(data), box.release).values["fileserve"].value
    assert isinstance(fileserve, bool), fileserve
    with oracle.serve(data, box, port, f"{box.release}-explain-fileserve"):
        status = oracle.http_get(port, "/hello.txt", timeout=3.0, max_body=64).status
    assert status == (200 if fileserve else 404), f"<fileserve>{word!r}: explain reads {fileserve}, got {status}"


def test_the_port_of_a_socket_is_the_one_explain_says(box: oracle.Sandbox) -> None:
    """No <port> (KH drops the socket), a port then an empty one, a port then junk (KH keeps the port)."""
    good, first, second = oracle.free_ports(3)
    default_free = not oracle.tcp_connects(8000)  # the default port: judged only when nothing else holds it
    sockets = (
        "<listen-socket><bind-address>127.0.0.1</bind-address></listen-socket>"
        f"<listen-socket><port>{first}</port><port/><bind-address>127.0.0.1</bind-address></listen-socket>"
        f"<listen-socket><port>{second}</port><port>abc</port><bind-address>127.0.0.1</bind-address></listen-socket>"
    )
    data = release_config(box, [good]).replace(b"<paths>", sockets.encode() + b"<paths>", 1)
    eff = explain(icecfg.loads(data), box.release, FileView("/"))
    listed = eff.ports()
    with oracle.serve(data, box, good, f"{box.release}-explain-socket-ports"):
        for port in listed:
            assert port == 0 or oracle.tcp_connects(port), f"explain lists port {port}, not bound"
        for port in (first, second, *([8000] if default_free else [])):
            assert oracle.tcp_connects(port) == (port in listed), f"port {port}: explain lists {listed}"


#: <shoutcast-mount> as written on one socket each: empty, blank, a name then an empty one, a name.
_SHOUTCAST_MOUNTS = (
    "<shoutcast-mount></shoutcast-mount>",
    "<shoutcast-mount> </shoutcast-mount>",
    "<shoutcast-mount>/first.mp3</shoutcast-mount><shoutcast-mount/>",
    "<shoutcast-mount>/named.mp3</shoutcast-mount>",
)


def test_the_shoutcast_source_port_explain_lists_is_opened(box: oracle.Sandbox) -> None:
    """Port + 1 is bound exactly where explain lists it, and a Shoutcast source there feeds the mount it names."""
    *bases, port = oracle.free_ports(1, pairs=len(_SHOUTCAST_MOUNTS))
    sockets = "".join(
        f"<listen-socket><port>{base}</port><bind-address>127.0.0.1</bind-address>{mount}</listen-socket>"
        for base, mount in zip(bases, _SHOUTCAST_MOUNTS, strict=True)
    )
    data = release_config(box, [port]).replace(b"<paths>", sockets.encode() + b"<paths>", 1)
    eff = explain(icecfg.loads(data), box.release, FileView("/"))
    said = {s.port: (s.shoutcast_port, s.shoutcast_mount_name) for s in eff.listeners if s.port in bases}
    assert len(said) == len(bases), eff.listeners
    song = audio.make_ogg(seconds=5, bitrate_kbps=64).read_bytes()
    with oracle.serve(data, box, port, f"{box.release}-explain-shoutcast-mount"):
        for base, (extra, mount) in said.items():
            opened = oracle.tcp_connects(base + 1)
            assert opened == (extra == base + 1), f"port {base + 1}: explain lists {extra}, bound: {opened}"
            if extra is None or mount is None or not mount.startswith("/"):
                continue
            with oracle.shoutcast_source(extra, PASSWORD, song) as answer:
                assert answer.startswith(b"OK2"), (mount, answer)
                assert oracle.wait_until(lambda m=mount: m in listener_counts(port, PASSWORD)), (
                    f"explain says Shoutcast sources on {extra} feed {mount}; mounts: {listener_counts(port, PASSWORD)}"
                )


def test_the_source_password_works_where_explain_says(box: oracle.Sandbox) -> None:
    """2.5 puts the global source password on the first default mount: only the names it covers take it."""
    port = oracle.free_port()
    mounts = (
        '<mount type="default"><mount-name>/glob-*</mount-name></mount>'
        "<mount><mount-name>/glob-a.ogg</mount-name></mount>"
        "<mount><mount-name>/other.ogg</mount-name></mount>"
    )
    data = release_config(box, [port], extra=mounts)
    eff = explain(icecfg.loads(data), box.release, FileView("/"))
    expected = {
        name: any(login.password is not None and login.password.value == PASSWORD for login in logins)
        for name in ("/glob-a.ogg", "/other.ogg")
        for logins in [eff.auth.source_logins(name, eff.mounts)]
    }
    assert expected["/glob-a.ogg"]
    song = audio.make_ogg(seconds=5, bitrate_kbps=64).read_bytes()
    with (
        oracle.serve(data, box, port, f"{box.release}-explain-source-scope") as server,
        contextlib.ExitStack() as sources,
    ):
        for name, accepted in expected.items():
            client = sources.enter_context(server.source(port, name, song, password=PASSWORD))
            assert client.accepted == accepted, f"{name}: explain says the source password works: {accepted}"


def test_a_fallback_file_is_sent_where_explain_says(box: oracle.Sandbox, media: dict[str, bytes]) -> None:
    """KH sends a fallback file only at a rate (limit-rate or the fallback's rate); the others always."""
    port = oracle.free_port()
    mounts = (
        "<mount><mount-name>/limited.ogg</mount-name><fallback-mount>/file.ogg</fallback-mount>"
        "<limit-rate>128k</limit-rate></mount>"
        '<mount><mount-name>/rated.ogg</mount-name><fallback-mount rate="128k">/file.ogg</fallback-mount></mount>'
        "<mount><mount-name>/unrated.ogg</mount-name><fallback-mount>/file.ogg</fallback-mount></mount>"
    )
    data = release_config(box, [port], extra=mounts)
    eff = explain(icecfg.loads(data), box.release, FileView("/"))
    place_fallback_files(eff, box, media)
    eff = explain(icecfg.loads(data), box.release, FileView("/"))
    sent = {mount.name: eff.chain(mount).gets is not None for mount in eff.mounts.normal()}
    assert sent["/limited.ogg"] and sent["/rated.ogg"]
    with oracle.serve(data, box, port, f"{box.release}-explain-file-rate"):
        assert check_fallbacks(eff, port) == len(sent)


#: KH ``<limit-rate>`` values as written, each on a mount of its own falling back to a file.
_LIMIT_RATES = {
    "k": "<limit-rate>64k</limit-rate>",
    "upper-k": "<limit-rate>64K</limit-rate>",  # either case
    "padded": "<limit-rate> 64k</limit-rate>",
    "unit": "<limit-rate>64kbit</limit-rate>",  # the first character after the digits counts
    "unread-later": "<limit-rate>64k</limit-rate><limit-rate>x</limit-rate>",  # "x" leaves 64k
    # 256K, not an m suffix: KH's file sender fell short of 1 Mbit/s here (61 kB/s for 1M)
    "quarter-mega": "<limit-rate>256K</limit-rate>",
    "fraction": "<limit-rate>1.5m</limit-rate>",  # 1 bit/s: 0 bytes/s, no rate, no file
    "minus-one": "<limit-rate>-1</limit-rate>",  # -1 / 8 is 0 in C: no file either
}
#: Seconds each listener reads: KH throttles to the rate after an initial 8192 bytes.
_RATE_SECONDS = 4.0


# only kh: no other release knows <limit-rate> (neither 2.4.4's nor 2.5.0's binary holds the word)
@pytest.mark.parametrize("box", ["kh"], indirect=True)
def test_kh_sends_a_fallback_file_at_the_limit_rate_explain_reads(box: oracle.Sandbox, media: dict[str, bytes]) -> None:
    """A listener gets the fallback file at ``<limit-rate>`` / 8 bytes per second, as explain reads the bitrate."""
    port = oracle.free_port()
    mounts = "".join(
        f"<mount><mount-name>/{name}.ogg</mount-name><fallback-mount>/file-{name}.ogg</fallback-mount>{rate}</mount>"
        for name, rate in _LIMIT_RATES.items()
    )
    data = release_config(box, [port], extra=mounts)
    for name in _LIMIT_RATES:
        box.write(str(box.webroot.relative_to(box.root) / f"file-{name}.ogg"), media[".ogg"])
    eff = explain(icecfg.loads(data), box.release, FileView("/"))
    said = {}
    for name in _LIMIT_RATES:
        mount = eff.mounts.find(f"/{name}.ogg")
        assert mount is not None
        chain = eff.chain(mount)
        said[name] = chain.file_rate if chain.gets is not None else None
    # the claim itself: k and m in either case, whatever follows them; "x" keeps the 64k before it
    assert said == {
        "k": 8000,
        "upper-k": 8000,
        "padded": 8000,
        "unit": 8000,
        "unread-later": 8000,
        "quarter-mega": 32000,
        "fraction": None,
        "minus-one": None,
    }
    with oracle.serve(data, box, port, "kh-explain-limit-rate") as server, ThreadPoolExecutor(len(said)) as pool:
        pending = {
            name: pool.submit(oracle.http_get, port, f"/{name}.ogg", timeout=_RATE_SECONDS, max_body=10**7)
            for name in said
        }
        responses = {name: future.result() for name, future in pending.items()}
        # the exact bytes per second KH took (k is 1000, not 1024), as it logs them opening the file
        opened = {name: f'lookup of fallback file "/file-{name}.ogg" ({rate})' for name, rate in said.items() if rate}
        logged = {name: line in server.wait_log(line) for name, line in opened.items()}
    assert logged == dict.fromkeys(opened, True)
    for name, rate in said.items():
        response = responses[name]
        if rate is None:
            assert response.status == 404, f"{name}: explain says no file is sent, got {response.status}"
            continue
        assert response.status == 200, f"{name}: {response.status}"
        sent = len(response.body)
        assert 0.5 * rate * _RATE_SECONDS < sent < 1.5 * rate * _RATE_SECONDS + 16384, f"{name}: {sent} bytes"


#: KH mount ``<max-bandwidth>`` values as written, with the bits per second explain must read;
#: the stream (a tone) comes in at about 21 kbit/s, so each is far below or far above it.
_MAX_BANDWIDTHS = {
    "unread-later": ("<max-bandwidth>8k</max-bandwidth><max-bandwidth>x</max-bandwidth>", 8000),
    "unit": ("<max-bandwidth>8kbit</max-bandwidth>", 8000),
    "space": ("<max-bandwidth>64 k</max-bandwidth>", 64),  # the space is the suffix: 64 bit/s
    "upper-k": ("<max-bandwidth>640K</max-bandwidth>", 640000),
    "upper-m": ("<max-bandwidth>1M</max-bandwidth>", 1000000),
}
_STREAM_SECONDS = 30


@pytest.mark.parametrize("box", ["kh"], indirect=True)
def test_kh_refuses_a_listener_over_the_max_bandwidth_explain_reads(box: oracle.Sandbox) -> None:
    """KH refuses a listener once (listeners + 1) x the stream's bitrate exceeds the mount's ``<max-bandwidth>``."""
    port = oracle.free_port()
    mounts = "".join(
        f"<mount><mount-name>/{name}.ogg</mount-name>{written}</mount>"
        for name, (written, _bits) in _MAX_BANDWIDTHS.items()
    )
    data = release_config(box, [port], extra=mounts, loglevel="4")  # debug: KH logs the limit it compares
    eff = explain(icecfg.loads(data), box.release, FileView("/"))
    said = {}
    for name in _MAX_BANDWIDTHS:
        mount = eff.mounts.find(f"/{name}.ogg")
        assert mount is not None
        said[name] = mount.get("max-bandwidth")
    assert said == {name: bits for name, (_written, bits) in _MAX_BANDWIDTHS.items()}
    song = audio.make_ogg(seconds=_STREAM_SECONDS, bitrate_kbps=128).read_bytes()
    stream_bits = len(song) * 8 / _STREAM_SECONDS
    assert all(not stream_bits / 2 < bits < stream_bits * 2 for bits in said.values()), stream_bits
    with oracle.serve(data, box, port, "kh-explain-max-bandwidth") as server, contextlib.ExitStack() as on:
        for name in said:
            assert on.enter_context(server.source(port, f"/{name}.ogg", song, password=PASSWORD)).accepted, name
            server.wait_mount(port, f"/{name}.ogg")
        time.sleep(3.0)  # KH measures the stream's bitrate as it comes in
        got = {name: oracle.http_get(port, f"/{name}.ogg", timeout=2.0, max_body=1024).status for name in said}
        # the exact limit KH compares with (k is 1000, m 1,000,000), as it logs it at debug level
        compared = {name: server.wait_log(f"checking bandwidth limits for /{name}.ogg (") for name in said}
    assert got == {name: 200 if bits > stream_bits else 403 for name, bits in said.items()}
    for name, bits in said.items():
        assert re.search(rf"checking bandwidth limits for /{name}\.ogg \(\d+, {bits}\)", compared[name]), name


@pytest.mark.parametrize("box", ["kh"], indirect=True)
@pytest.mark.parametrize(("written", "bits"), [("8k</max-bandwidth><max-bandwidth>x", 8000), ("1m", 1000000)])
def test_kh_refuses_a_listener_over_the_server_max_bandwidth_explain_reads(
    box: oracle.Sandbox, written: str, bits: int
) -> None:
    """KH refuses a listener once the server's outgoing rate plus the stream's exceeds ``<limits><max-bandwidth>``."""
    port = oracle.free_port()
    extra = "<mount><mount-name>/a.ogg</mount-name></mount>"
    limits = f"<max-bandwidth>{written}</max-bandwidth>"
    data = release_config(box, [port], limits=limits, extra=extra)
    assert explain(icecfg.loads(data), box.release, FileView("/")).limits.get("max-bandwidth") == bits
    song = audio.make_ogg(seconds=_STREAM_SECONDS, bitrate_kbps=128).read_bytes()
    stream_bits = len(song) * 8 / _STREAM_SECONDS
    with oracle.serve(data, box, port, "kh-explain-server-max-bandwidth") as server, contextlib.ExitStack() as on:
        assert on.enter_context(server.source(port, "/a.ogg", song, password=PASSWORD)).accepted
        server.wait_mount(port, "/a.ogg")
        time.sleep(3.0)  # KH measures the stream's bitrate as it comes in
        status = oracle.http_get(port, "/a.ogg", timeout=2.0, max_body=1024).status
    assert status == (200 if bits > 2 * stream_bits else 403)


#: Per release, fallback-override values as written; explain reads each as all, own or none.
_OVERRIDES = {"2.4": ("1", "0"), "2.5": ("all", "own", "none", "1"), "kh": ("1", "0")}
#: Listeners on (the returning mount, its fallback) once its source is back, of three on the
#: fallback: one that came through the mount, one that tuned in to the fallback directly, and
#: one that came through another mount with the same fallback.  2.5.0's "own" keeps only the
#: last: a listener without a history of its own is moved as by "all".
_MOVED = {FallbackOverride.ALL: (3, 0), FallbackOverride.OWN: (2, 1), FallbackOverride.NONE: (0, 3)}


def test_fallback_override_moves_the_listeners_explain_says(box: oracle.Sandbox) -> None:
    """A returning source takes back all, its own or none of its fallback's listeners, as explain reads the value."""
    port = oracle.free_port()
    values = _OVERRIDES[box.release]
    mounts = "".join(
        f"<mount><mount-name>/m{i}.ogg</mount-name><fallback-mount>/f{i}.ogg</fallback-mount>"
        f"<fallback-override>{value}</fallback-override></mount>"
        f"<mount><mount-name>/x{i}.ogg</mount-name><fallback-mount>/f{i}.ogg</fallback-mount></mount>"
        for i, value in enumerate(values)
    )
    data = release_config(box, [port], extra=mounts)
    eff = explain(icecfg.loads(data), box.release, FileView("/"))
    expected: dict[str, int] = {}
    for i in range(len(values)):
        mount = eff.mounts.find(f"/m{i}.ogg")
        assert mount is not None
        override = eff.chain(mount).override.value
        assert isinstance(override, FallbackOverride)
        expected[f"/m{i}.ogg"], expected[f"/f{i}.ogg"] = _MOVED[override]
    song = audio.make_ogg(seconds=30, bitrate_kbps=48).read_bytes()
    with (
        oracle.serve(data, box, port, f"{box.release}-explain-override") as server,
        contextlib.ExitStack() as stack,
    ):
        for i in range(len(values)):
            assert stack.enter_context(server.source(port, f"/f{i}.ogg", song, password=PASSWORD)).accepted
            server.wait_mount(port, f"/f{i}.ogg")
        for i in range(len(values)):
            for name in (f"/m{i}.ogg", f"/f{i}.ogg", f"/x{i}.ogg"):  # through the mount, direct, through another
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                stack.callback(conn.close)
                conn.request("GET", name)
                response = conn.getresponse()
                stack.callback(response.close)
                assert response.status == 200, name
        for i in range(len(values)):
            assert stack.enter_context(server.source(port, f"/m{i}.ogg", song, password=PASSWORD)).accepted
        counts: dict[str, int] = {}

        def moved() -> bool:
            """Every pair shows what explain says (the moves take a moment; a failure waits until they are long over)."""
            counts.update(listener_counts(port, PASSWORD))
            return all(counts.get(name, 0) == n for name, n in expected.items())

        oracle.wait_until(moved)
        assert {name: counts.get(name, 0) for name in expected} == expected


def release_config(box: oracle.Sandbox, ports: list[int], **kwargs: Any) -> bytes:
    """A configuration the sandbox's release starts with no warning (the harness's, with this module's passwords)."""
    return oracle.basic_config(box, ports, source_password=PASSWORD, admin_password=PASSWORD, **kwargs)


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
            assert all(listener.port for listener in eff.listeners)
            check_protocols(list(eff.listeners))


def test_listeners_log_in_where_explain_says(box: oracle.Sandbox) -> None:
    """A default mount's ``<authentication>``: 2.5.0 asks it of mounts with a ``<mount>`` of their own, 2.4.4 and KH not.

    Without a source a listener gets 401 where it must log in, else 404; explain's
    "Who can log in" must list exactly the configured mounts that answer 401.
    """
    port = oracle.free_port()
    users = box.write("users", b"listener:0c88028bf3aa6a6a143ed846f2be1ea4\n")
    auth = f'<authentication type="htpasswd"><option name="filename" value="{users}"/></authentication>'
    mounts = (
        f'<mount type="default"><mount-name>/pat-*</mount-name>{auth}</mount>'
        "<mount><mount-name>/pat-a.ogg</mount-name><max-listeners>5</max-listeners></mount>"
        f"<mount><mount-name>/pat-c.ogg</mount-name>{auth}</mount>"
        "<mount><mount-name>/other.ogg</mount-name><max-listeners>5</max-listeners></mount>"
    )
    data = release_config(box, [port], extra=mounts)
    eff = explain(icecfg.loads(data), box.release, FileView("/"))
    names = ("/pat-a.ogg", "/pat-c.ogg", "/other.ogg")
    protected = {asked.mount for asked in eff.auth.listener_auth}
    with oracle.serve(data, box, port, f"{box.release}-explain-listener-login"):
        statuses = {name: oracle.http_get(port, name, timeout=3.0, max_body=64).status for name in names}
    assert {name for name, status in statuses.items() if status == 401} == protected & set(names), statuses
    assert {status for name, status in statuses.items() if name not in protected} == {404}, statuses


#: A mount read before the server-wide <http-headers>, one after that replaces a server-wide header.
_HEADER_ORDER = (
    '<mount><mount-name>/early.ogg</mount-name><http-headers><header name="X-Own" value="early"/></http-headers>'
    "</mount>"
    '<http-headers><header name="X-Server" value="1"/><header name="X-Shared" value="server"/></http-headers>'
    '<mount><mount-name>/late.ogg</mount-name><http-headers><header name="X-Shared" value="late"/></http-headers>'
    "</mount>"
)
_HEADER_NAMES = ("X-Own", "X-Server", "X-Shared")


def test_a_mounts_stream_carries_the_headers_explain_gives_it(box: oracle.Sandbox) -> None:
    """2.4.4 and 2.5.0 send the server-wide headers on every stream; KH only on a mount read after them."""
    port = oracle.free_port()
    data = release_config(box, [port], extra=_HEADER_ORDER)
    eff = explain(icecfg.loads(data), box.release, FileView("/"))
    said = {}
    for name in ("/early.ogg", "/late.ogg"):
        mount = eff.mounts.find(name)
        assert mount is not None
        said[name] = sorted((h.name, h.value) for h in eff.mount_headers(mount).sent)
        # what explain prints for the mount: its changes against every response, a late run named once
        changes = eff.mount_header_changes(mount)
        late = changes.not_copied.count if changes.not_copied is not None else 0
        kept = eff.headers.sent[: len(eff.headers.sent) - late]
        gone = {id(d.origin.element) for d in changes.dropped}
        shown = [h for h in kept if id(h.origin.element) not in gone] + list(changes.sent)
        assert sorted((h.name, h.value) for h in shown) == said[name], name
    song = audio.make_ogg(seconds=20, bitrate_kbps=64).read_bytes()
    with oracle.serve(data, box, port, f"{box.release}-explain-header-order") as server, contextlib.ExitStack() as on:
        for name in said:
            assert on.enter_context(server.source(port, name, song, password=PASSWORD)).accepted, name
            server.wait_mount(port, name)
        got = {}
        for name in said:
            response = oracle.http_get(port, name, timeout=2.0, max_body=1024)
            assert response.status == 200, (name, response.status)
            got[name] = sorted((h, v) for h in _HEADER_NAMES for v in response.headers.get_all(h) or [])
    assert got == said
    # the claim itself, so that explain and server cannot agree on a wrong answer
    assert (("X-Server", "1") in got["/early.ogg"]) == (box.release != "kh")


#: A default mount's header of the name a mount's own has, and one of a name of its own.
_DEFAULT_MOUNT_HEADERS = (
    '<mount type="default"><http-headers><header name="X-Shared" value="default"/>'
    '<header name="X-Default" value="1"/></http-headers></mount>'
    '<mount><mount-name>/own.ogg</mount-name><http-headers><header name="X-Shared" value="own"/></http-headers>'
    "</mount>"
)


def test_a_mount_gets_the_default_mounts_headers_explain_gives_it(box: oracle.Sandbox) -> None:
    """2.4.4 and 2.5.0 send a default mount's headers after the mount's own, a repeated name as a second line.

    KH has no default mount (its ``type`` is the stream's content type): the
    block is a mount of its own and its headers never reach ``/own.ogg``.
    """
    port = oracle.free_port()
    data = release_config(box, [port], extra=_DEFAULT_MOUNT_HEADERS)
    eff = explain(icecfg.loads(data), box.release, FileView("/"))
    mount = eff.mounts.find("/own.ogg")
    assert mount is not None
    said = [(h.name, h.value) for h in eff.mount_headers(mount).sent if h.name in ("X-Shared", "X-Default")]
    song = audio.make_ogg(seconds=20, bitrate_kbps=64).read_bytes()
    with (
        oracle.serve(data, box, port, f"{box.release}-explain-default-headers") as server,
        contextlib.ExitStack() as on,
    ):
        assert on.enter_context(server.source(port, "/own.ogg", song, password=PASSWORD)).accepted
        server.wait_mount(port, "/own.ogg")
        response = oracle.http_get(port, "/own.ogg", timeout=2.0, max_body=1024)
    assert response.status == 200, response.status
    got = [(name, value) for name, value in response.headers.items() if name in ("X-Shared", "X-Default")]
    assert got == said
    # the claim itself: both X-Shared lines, the mount's first, where a default mount applies
    merged = [("X-Shared", "own"), ("X-Shared", "default"), ("X-Default", "1")]
    assert got == (merged if box.release != "kh" else [("X-Shared", "own")])


def _kh_order_config(box: oracle.Sandbox, port: int, *, mount_first: bool) -> bytes:
    """/early.ogg written before <limits> and the server-wide headers (``mount_first``), or after both."""
    mount = "<mount><mount-name>/early.ogg</mount-name></mount>"
    headers = '<http-headers><header name="X-Server" value="1"/></http-headers>'
    limits = "<burst-size>6000</burst-size><queue-size>1000000</queue-size>"
    data = release_config(box, [port], limits=limits, extra=headers if mount_first else headers + mount)
    return data.replace(b"<limits>", mount.encode() + b"<limits>", 1) if mount_first else data


# only kh: ICE916 is a KH rule (2.4.4 and 2.5.0 read both wherever they stand, as the tests above show)
@pytest.mark.parametrize("box", ["kh"], indirect=True)
def test_kh_limits_and_headers_after_a_mount_do_not_reach_it(box: oracle.Sandbox) -> None:
    """ICE916: the mount read first bursts KH's default 65536 bytes and lacks the header; moved, it has both."""
    song = audio.make_ogg(seconds=30, bitrate_kbps=128).read_bytes()
    for mount_first in (True, False):
        port = oracle.free_port()
        data = _kh_order_config(box, port, mount_first=mount_first)
        found = [f.message for f in lint(icecfg.loads(data), "kh") if f.code == "ICE916"]
        named = {word for message in found for word in ("<burst-size>", "<queue-size>", "X-Server") if word in message}
        assert len(found) == len(named) == (3 if mount_first else 0), found
        with oracle.serve(data, box, port, f"kh-ice916-{mount_first}") as server, contextlib.ExitStack() as on:
            assert on.enter_context(server.source(port, "/early.ogg", song, password=PASSWORD)).accepted
            server.wait_mount(port, "/early.ogg")
            time.sleep(8)  # about 128 KB queued: more than either burst
            received = listener_bytes(port, "/early.ogg", 0.25)
            header = oracle.http_get(port, "/early.ogg", timeout=3.0, max_body=1024).headers.get("X-Server")
        assert (header is None) == mount_first, (mount_first, header)
        assert (received > 12000) == mount_first, (mount_first, received)


# only kh: 2.4.4 and 2.5.0 read no settings from attributes
@pytest.mark.parametrize("box", ["kh"], indirect=True)
def test_kh_reads_a_number_attribute_as_lint_and_explain_say(box: oracle.Sandbox) -> None:
    """KH: ``max-listeners="x"`` keeps the default (no limit), ``"1x"`` is 1; ICE201 says so for both."""
    port = oracle.free_port()
    mounts = '<mount mount-name="/junk.ogg" max-listeners="x"/><mount mount-name="/lead.ogg" max-listeners="1x"/>'
    data = release_config(box, [port], extra=mounts)
    eff = explain(icecfg.loads(data), box.release, FileView("/"))
    limits = _explained_limits(eff, ("/junk.ogg", "/lead.ogg"))
    assert limits == {"/junk.ogg": -1, "/lead.ogg": 1}
    said = sorted(f.message for f in lint(icecfg.loads(data), "kh") if f.code == "ICE201")
    assert len(said) == 2 and "keeps the default (-1)" in said[1] and "reads it as 1" in said[0], said
    _assert_limits_enforced(box, data, port, "kh-number-attributes", limits)
