"""The rules' claims about Icecast 2.5.0 and Icecast-KH (some on 2.4.4 too), shown on the running servers.

Each test lints a configuration for the release it names, runs it on that
release's binary (built by ``scripts/build-oracles.sh``) and shows the harm
the finding predicts; then runs the corrected configuration (the one
``icecfg lint --fix`` writes, where the rule has a fix) and shows the harm
gone.  For findings that must *not* be made (a false positive, a severity),
the server shows that the configuration changes nothing.
"""

from __future__ import annotations

import re
import secrets
import signal
import time
from pathlib import Path

import pytest

import icecfg
from icecfg.lint import lint
from tests import oracle
from tests.oracle_checks import findings, fixed, log_lines, release_config

SOURCE_PASSWORD = secrets.token_hex(8)
ADMIN_PASSWORD = secrets.token_hex(8)


def config(box: oracle.Sandbox, port: int | None, **parts: object) -> bytes:
    """The harness's warning-free configuration for the sandbox's release (see :func:`release_config`)."""
    ports = [port] if port is not None else []
    return release_config(box, ports, source_password=SOURCE_PASSWORD, admin_password=ADMIN_PASSWORD, **parts)


def replaced(data: bytes, old: str, new: str) -> bytes:
    assert old.encode() in data
    return data.replace(old.encode(), new.encode())


# -- ICE001: a file that does not parse, or whose root is not <icecast>, stops every release ------


#: ICE001's configurations: (the edit that makes the file, the line each release prints after the FATAL one)
UNPARSED = {
    "unclosed": (("</limits>", ""), "Opening and ending tag mismatch"),
    "root": (("icecast>", "icecast-config>"), "root element is not <icecast>"),
}


@pytest.mark.parametrize("kind", sorted(UNPARSED))
@pytest.mark.parametrize("release", ["2.4", "2.5", "kh"])
def test_unparsed_file_stops_the_server(release: str, kind: str, request: pytest.FixtureRequest) -> None:
    """ICE001: 2.4.4 exits 1 after its FATAL line; 2.5.0 and KH print the same and then die of SIGSEGV."""
    box = request.getfixturevalue({"2.4": "box24", "2.5": "box25", "kh": "boxkh"}[release])
    port = oracle.free_port()
    (old, new), said = UNPARSED[kind]
    good = config(box, port)
    bad = good.replace(old.encode(), new.encode())
    assert bad != good
    with pytest.raises(icecfg.ParseError):
        icecfg.loads(bad)
    result = oracle.start_expecting_exit(bad, box, name=f"unparsed-{kind}-{release}", expect_crash=True)
    output = result.stdout + result.stderr
    assert "FATAL: error parsing config file" in output and said in output, result.describe()
    assert result.returncode == (1 if release == "2.4" else -signal.SIGSEGV), result.describe()
    with oracle.IcecastServer(good, box, wait_port=port, name=f"parsed-{release}") as server:
        assert server.running  # started and answers HTTP on the port


@pytest.mark.parametrize("release", ["2.4", "2.5", "kh"])
def test_dtd_entity_declaration_is_refused_by_icecfg_only(release: str, request: pytest.FixtureRequest) -> None:
    """ICE001's own policy: every release starts on a file that declares an entity; icecfg refuses it."""
    box = request.getfixturevalue({"2.4": "box24", "2.5": "box25", "kh": "boxkh"}[release])
    port = oracle.free_port()
    good = config(box, port)
    declared = b'<?xml version="1.0"?>\n<!DOCTYPE icecast [<!ENTITY place "oracle">]>\n' + good
    with pytest.raises(icecfg.ParseError):
        icecfg.loads(declared)
    with oracle.IcecastServer(declared, box, wait_port=port, name=f"entity-{release}") as server:
        assert server.running  # started and answers HTTP on the port


# -- ICE503: a source password that is also the admin password opens /admin, on every release ---


@pytest.mark.parametrize("release", ["2.4", "2.5", "kh"])
def test_source_password_reused_as_admin_password_opens_admin(
    release: str, request: pytest.FixtureRequest, ogg: Path
) -> None:
    box = request.getfixturevalue({"2.4": "box24", "2.5": "box25", "kh": "boxkh"}[release])
    port = oracle.free_port()
    good = config(box, port)
    shared = f"<admin-password>{SOURCE_PASSWORD}</admin-password>"
    bad = replaced(good, f"<admin-password>{ADMIN_PASSWORD}</admin-password>", shared)
    (finding,) = findings(bad, release, "ICE503")
    assert "<source-password>" in finding.message and SOURCE_PASSWORD not in finding.message
    assert not findings(good, release, "ICE503")
    for name, data, admin in (("reused", bad, 200), ("distinct", good, 401)):
        with oracle.IcecastServer(data, box, wait_port=port, name=f"reuse-{name}-{release}") as server:
            with server.source(port, "/live.ogg", ogg, password=SOURCE_PASSWORD) as source:
                assert source.accepted, name  # the password every DJ holds
            assert server.http_get(port, "/admin/stats", auth=("admin", SOURCE_PASSWORD)).status == admin, name


# -- ICE908: a burst as large as the queue, which no release says anything about -----------------


@pytest.mark.parametrize("release", ["2.4", "2.5", "kh"])
def test_burst_size_as_large_as_the_queue_is_taken_without_a_word(
    release: str, request: pytest.FixtureRequest, ogg: Path
) -> None:
    box = request.getfixturevalue({"2.4": "box24", "2.5": "box25", "kh": "boxkh"}[release])
    port = oracle.free_port()
    bad = config(box, port, limits="<queue-size>65536</queue-size><burst-size>65536</burst-size>")
    (finding,) = findings(bad, release, "ICE908")
    assert "65536" in finding.message
    with oracle.IcecastServer(bad, box, wait_port=port, name=f"burst-{release}") as server:
        with server.source(port, "/live.ogg", ogg, password=SOURCE_PASSWORD) as source:
            assert source.accepted
            server.wait_mount(port, "/live.ogg")
        said = [line for line in log_lines(server) if re.search(r"(burst|queue)[ _-]?size", line, re.IGNORECASE)]
        assert said == [], said  # the rule is the only one to say it
    good = replaced(bad, "<queue-size>65536</queue-size>", "<queue-size>524288</queue-size>")
    assert not findings(good, release, "ICE908")


# -- ICE912: <yp-url-timeout> 15 becomes 6 s, on 2.4.4 and on 2.5.0 ---------------------------


@pytest.mark.parametrize("release", ["2.4", "2.5"])
def test_yp_url_timeout_15_becomes_6_seconds(release: str, request: pytest.FixtureRequest) -> None:
    box = request.getfixturevalue("box24" if release == "2.4" else "box25")
    port, dead = oracle.free_ports(2)  # the directory URL points at a closed loopback port
    directory = (
        f"<directory><yp-url-timeout>15</yp-url-timeout>"
        f"<yp-url>http://127.0.0.1:{dead}/cgi-bin/yp-cgi</yp-url></directory>"
    )
    bad = config(box, port, extra=directory)
    (finding,) = findings(bad, release, "ICE912")
    assert "uses 6 seconds instead" in finding.message
    with oracle.IcecastServer(bad, box, wait_port=port, name=f"yp-bad-{release}") as server:
        log = server.wait_log("Adding new YP server")
        assert "(timeout 6s" in log, log
    good = fixed(bad, release, "ICE912")
    assert b"<yp-url-timeout>10</yp-url-timeout>" in good
    assert not findings(good, release, "ICE912")
    with oracle.IcecastServer(good, box, wait_port=port, name=f"yp-good-{release}") as server:
        log = server.wait_log("Adding new YP server")
        assert "(timeout 10s" in log, log


# -- ICE913: <touch-interval> below 30 becomes 30 s on 2.4.4 --------------------------------------


def test_2_4_touch_interval_below_30_becomes_30_seconds(box24: oracle.Sandbox) -> None:
    port, dead = oracle.free_ports(2)  # the directory URL points at a closed loopback port
    directory = (
        f"<directory><touch-interval>10</touch-interval>"
        f"<yp-url>http://127.0.0.1:{dead}/cgi-bin/yp-cgi</yp-url></directory>"
    )
    bad = config(box24, port, extra=directory)
    (finding,) = findings(bad, "2.4", "ICE913")
    assert "uses 30 seconds instead" in finding.message
    with oracle.IcecastServer(bad, box24, wait_port=port, name="touch-bad") as server:
        log = server.wait_log("Adding new YP server")
        assert "default interval 30s" in log, log
    good = fixed(bad, "2.4", "ICE913")
    assert b"<touch-interval>30</touch-interval>" in good
    longer = replaced(good, "<touch-interval>30<", "<touch-interval>45<")  # a value it keeps is read as written
    assert not findings(good, "2.4", "ICE913") and not findings(longer, "2.4", "ICE913")
    with oracle.IcecastServer(longer, box24, wait_port=port, name="touch-good") as server:
        log = server.wait_log("Adding new YP server")
        assert "default interval 45s" in log, log


# -- ICE713: Cache-Control duplicated on 2.5.0 as on 2.4.4 -------------------------------------


def test_2_5_already_sends_no_cache_and_a_configured_one_is_a_second_line(box25: oracle.Sandbox) -> None:
    port = oracle.free_port()
    headers = '<http-headers><header name="Cache-Control" value="no-cache"/></http-headers>'
    bad = config(box25, port, extra=headers)
    assert len(findings(bad, "2.5", "ICE713")) == 1
    with oracle.IcecastServer(bad, box25, wait_port=port, name="cache-bad") as server:
        got = server.http_get(port, "/status-json.xsl").headers
        assert got.get_all("Cache-Control") == ["no-cache, no-store", "no-cache"]
    good = fixed(bad, "2.5", "ICE713")
    assert b"Cache-Control" not in good
    with oracle.IcecastServer(good, box25, wait_port=port, name="cache-good") as server:
        for path in ("/status-json.xsl", "/nosuch"):
            got = server.http_get(port, path).headers
            assert got.get_all("Cache-Control") == ["no-cache, no-store"], path
            assert got.get("Expires") == "Mon, 26 Jul 1997 05:00:00 GMT"
            assert got.get("Pragma") == "no-cache"


# -- ICE209: a log level word 2.5.0 does not know leaves its error log empty ------------------


def test_2_5_unknown_loglevel_word_logs_nothing(box25: oracle.Sandbox) -> None:
    port = oracle.free_port()
    bad = config(box25, port, loglevel=" information ")  # 2.5 never trims: atoi(" information ") is 0
    (finding,) = findings(bad, "2.5", "ICE209")
    assert "Icecast 2.5 reads it as 0" in finding.message
    with oracle.IcecastServer(bad, box25, wait_port=port, name="loglevel-bad") as server:
        server.http_get(port, "/no-such-file")
        time.sleep(0.5)
        assert (server.error_log() or "") == ""
    good = fixed(bad, "2.5", "ICE209")
    assert b"<loglevel>3</loglevel>" in good
    with oracle.IcecastServer(good, box25, wait_port=port, name="loglevel-good") as server:
        server.http_get(port, "/no-such-file")
        assert server.wait_log("INFO") != ""


# -- ICE401: 2.5.0 <tls> socket without certificate answers 426 and no TLS -------------------


def test_2_5_tls_socket_without_certificate_serves_nobody(box25: oracle.Sandbox) -> None:
    port, tls_port = oracle.free_ports(2)
    bad = config(box25, port, tls_ports=(tls_port,))
    (finding,) = findings(bad, "2.5", "ICE401")
    assert "426 Upgrade Required" in finding.message
    with oracle.IcecastServer(bad, box25, wait_port=port, name="tls-bad") as server:
        assert server.http_get(tls_port, "/status-json.xsl").status == 426
        with pytest.raises(OSError):
            oracle.http_get(tls_port, "/status-json.xsl", tls=True)
    good = config(box25, port, tls_ports=(tls_port,), tls_certificate=oracle.make_tls_pem(box25))
    assert not findings(good, "2.5", "ICE401")
    with oracle.IcecastServer(good, box25, wait_port=port, name="tls-good") as server:
        assert oracle.http_get(tls_port, "/status-json.xsl", tls=True).status == 200


# -- ICE201/ICE203: 2.5.0 logs an out-of-range number and keeps the default, not 0 -----------


@pytest.mark.parametrize(("clients", "code"), [("abc", "ICE201"), ("0", "ICE203")])
def test_2_5_out_of_range_client_limit_keeps_the_default(box25: oracle.Sandbox, clients: str, code: str) -> None:
    port = oracle.free_port()
    bad = config(box25, port, limits=f"<clients>{clients}</clients>")
    (finding,) = findings(bad, "2.5", code)
    assert "keeps the default (256)" in finding.message
    with oracle.IcecastServer(bad, box25, wait_port=port, name=f"clients-{code}") as server:
        # a limit of 0 would refuse every request with 403 (as 2.4.4 does); 2.5.0 keeps 256
        assert server.http_get(port, "/status-json.xsl").status == 200
        assert "/icecast/limits/clients" in server.wait_log("/icecast/limits/clients", "stderr")
    good = replaced(bad, f"<clients>{clients}</clients>", "<clients>100</clients>")
    assert not findings(good, "2.5", code)
    with oracle.IcecastServer(good, box25, wait_port=port, name=f"clients-{code}-good") as server:
        assert server.http_get(port, "/status-json.xsl").status == 200
        assert "/icecast/limits/clients" not in server.stderr()


# -- ICE201 on KH: a listen socket whose port cannot be read is dropped ------------------------


def test_kh_non_numeric_port_drops_the_socket_and_kh_stops(boxkh: oracle.Sandbox) -> None:
    port = oracle.free_port()
    socket = "<listen-socket><port>{}</port><bind-address>127.0.0.1</bind-address></listen-socket>"
    bad = config(boxkh, None, extra=socket.format("abc"))
    (finding,) = findings(bad, "kh", "ICE201")
    assert "'No listen-socket defintions', sic) and crashes" in finding.message
    result = oracle.start_expecting_exit(bad, boxkh, name="kh-port-bad", expect_crash=True)
    assert 'failed to read element "port" within "listen-socket"' in result.stderr, result.describe()
    assert "No listen-socket defintions" in result.stderr, result.describe()  # KH's spelling
    assert result.signal == 11, result.describe()  # then a segfault, not a clean exit
    good = config(boxkh, None, extra=socket.format(port))
    assert not findings(good, "kh", "ICE201")
    with oracle.IcecastServer(good, boxkh, wait_port=port, name="kh-port-good") as server:
        assert server.http_get(port, "/").status in (200, 404)


# -- ICE302 on KH: <mount type="normal"> changes nothing ----------------------------------------


def test_kh_mount_type_normal_changes_nothing(boxkh: oracle.Sandbox) -> None:
    port = oracle.free_port()
    mount = "<mount{}><mount-name>/live.ogg</mount-name><max-listeners>3</max-listeners></mount>"
    typed = config(boxkh, port, extra=mount.format(' type="normal"'))
    plain = config(boxkh, port, extra=mount.format(""))
    assert not findings(typed, "kh", "ICE302")
    outputs = []
    for name, data in (("kh-type", typed), ("kh-notype", plain)):
        with oracle.IcecastServer(data, boxkh, wait_port=port, name=name) as server:
            server.http_get(port, "/")
            outputs.append(server.stderr().replace(name, "NAME"))
    assert outputs[0] == outputs[1]
    assert "type" not in outputs[0]


# -- ICE301 on KH: <threadpool> and <burst-on-connect>1 change nothing -----------------------------


def test_kh_ignores_threadpool_and_burst_on_connect_harmlessly(boxkh: oracle.Sandbox) -> None:
    port = oracle.free_port()
    limits = "<threadpool>4</threadpool><burst-on-connect>1</burst-on-connect>"
    data = config(boxkh, port, limits=limits)
    found = findings(data, "kh", "ICE301")
    assert {f.severity.value for f in found} == {"info"}
    assert len(found) == 2
    with oracle.IcecastServer(data, boxkh, wait_port=port, name="kh-ignored") as server:
        assert server.http_get(port, "/").status in (200, 404)


# -- ICE212, ICE914, ICE915, ICE511, ICE512, ICE907: what 2.5.0 warns about at every start ----

#: rule -> the line 2.5.0 logs for it.
WARNED = {
    "ICE212": 'Old style fallback override setting. Please replace "1" with "all".',
    "ICE914": "Warning, <hostname> not configured, using default value",
    "ICE915": "Warning, <location> not configured, using default value",
    "ICE511": "Warning, no PRNG seed configured, falling back to libigloo defaults.",
    "ICE512": 'You use old style auth option "auth_header"',
    "ICE907": "Client limit (256) is too small for given source limit (200)",
}


def test_2_5_start_up_warnings_each_have_a_rule(box25: oracle.Sandbox) -> None:
    port, dead = oracle.free_ports(2)
    add = f"http://127.0.0.1:{dead}/add"  # a closed loopback port: nothing is ever asked
    bad_auth = (
        f'<authentication type="url"><option name="listener_add" value="{add}"/>'
        '<option name="auth_header" value="icecast-auth-user: 1"/>'
        '<option name="timelimit_header" value="icecast-auth-timelimit:"/></authentication>'
    )
    good_auth = (
        f'<authentication><role type="url" match-method="get"><option name="client_add" value="{add}"/>'
        '<option name="header_auth" value="x-icecast-auth-result"/>'
        '<option name="header_timelimit" value="x-icecast-auth-timelimit"/></role></authentication>'
    )
    mount = (
        "<mount><mount-name>/live.ogg</mount-name><fallback-mount>/fb.ogg</fallback-mount>"
        "<fallback-override>{}</fallback-override>{}</mount>"
    )
    good = config(
        box25, port, limits="<clients>500</clients><sources>200</sources>", extra=mount.format("all", good_auth)
    )
    bad = config(box25, port, limits="<clients>0</clients><sources>200</sources>", extra=mount.format("1", bad_auth))
    bad = replaced(bad, "<hostname>oracle.example.org</hostname>", "<hostname>localhost</hostname>")
    bad = replaced(bad, "<location>harness</location>", "<location>Earth</location>")
    bad = replaced(bad, '<prng-seed type="device" size="32">/dev/urandom</prng-seed>', "")
    found = {f.code for f in lint(icecfg.loads(bad), "2.5", files=False)}
    assert set(WARNED) <= found
    with oracle.IcecastServer(bad, box25, wait_port=port, name="warned-bad") as server:
        logged = server.wait_log(WARNED["ICE907"], "stderr")
        for code, line in WARNED.items():
            assert line in logged, (code, logged)
    assert not {f.code for f in lint(icecfg.loads(good), "2.5", files=False)} & set(WARNED)
    with oracle.IcecastServer(good, box25, wait_port=port, name="warned-good") as server:
        server.http_get(port, "/status-json.xsl")
        time.sleep(0.3)
        logged = server.stderr()
        for line in (*WARNED.values(), "auth option", "Client limit", "<hostname>", "<admin>"):
            assert line not in logged, (line, logged)


def test_2_5_prng_seed_fix_silences_its_warning(box25: oracle.Sandbox) -> None:
    """ICE511's fix: the seed it adds is read by 2.5.0, which then starts without the warning."""
    port = oracle.free_port()
    seeded = config(box25, port)
    bad = replaced(seeded, '<prng-seed type="device" size="32">/dev/urandom</prng-seed>', "")
    assert findings(bad, "2.5", "ICE511")
    good = fixed(bad, "2.5", "ICE511")
    assert good != bad
    assert not findings(good, "2.5", "ICE511")
    with oracle.IcecastServer(good, box25, wait_port=port, name="prng-seeded") as server:
        assert server.http_get(port, "/status-json.xsl").status == 200
        logged = server.stderr()
    assert WARNED["ICE511"] not in logged and "PRNG" not in logged, logged


# -- ICE205 on 2.5: an empty <loglevel/> segfaults 2.5.0 ------------------------------------------


def test_2_5_empty_loglevel_segfaults(box25: oracle.Sandbox) -> None:
    port = oracle.free_port()
    good = config(box25, port)
    bad = replaced(good, "<loglevel>information</loglevel>", "<loglevel/>")
    (finding,) = findings(bad, "2.5", "ICE205")
    result = oracle.start_expecting_exit(bad, box25, name="loglevel-empty", expect_crash=True)
    assert result.signal == 11, result.describe()
    assert result.stderr == "", result.describe()  # no word about why
    fixed_config = fixed(bad, "2.5", "ICE205")
    assert b"<loglevel" not in fixed_config
    with oracle.IcecastServer(fixed_config, box25, wait_port=port, name="loglevel-removed") as server:
        assert server.http_get(port, "/status-json.xsl").status == 200
    assert finding.fix is not None
