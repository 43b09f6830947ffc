"""The fallback, fileserve, headers, logging and value rules on Icecast 2.5.0 and Icecast-KH.

The same claims ``test_oracle_fallback_headers`` and ``test_oracle_values``
show on 2.4.4, shown on the 2.5.0 and KH binaries for every rule whose
dialect list names that release: the configuration the rule reports is run
and the harm observed (HTTP status, headers, bytes served, a log line, the
exit status), then the configuration the rule asks for is run and the harm
is gone.  Where a release behaves differently, the rule says so for that
release, and these tests hold it to that.  Several checks share one server
where the configuration is the same, to keep the number of starts small.
"""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Iterator

import pytest

import icecfg
from icecfg.lint import lint
from tests import audio, oracle
from tests.oracle_checks import fixed
from tests.release_oracle import (
    SOURCE_PASSWORD,
    box_for,
    config,
    drain,
    findings,
    lint_as_server_user,
    listen,
    remove_unreadable_fallbacks,
    renamed_fallback_mounts,
    replaced,
    show_renamed_fallback,
    show_unplayable_fallbacks,
    show_unreadable_fallbacks,
    unplayable_fallback_mounts,
    unreadable_fallback_mounts,
    write_fallback_media,
    write_renamed_fallback,
    write_unplayable_fallbacks,
    write_unreadable_fallbacks,
)

RELEASES = ["2.5", "kh"]


@pytest.fixture(scope="module", params=RELEASES)
def box(request: pytest.FixtureRequest) -> Iterator[oracle.Sandbox]:
    """One sandbox per release, with the fallback files and a static file in its webroot."""
    for sandbox in box_for(request.param):
        write_fallback_media(sandbox)
        yield sandbox


def get(server: oracle.IcecastServer, port: int, path: str) -> oracle.HttpResponse:
    return server.http_get(port, path, max_body=4096)


# --------------------------------------------------------------------------- fallback


#: KH plays a file fallback to a listener of a mount without source only when it knows a rate
#: to send it at (``source_add_listener``): the mount's ``<limit-rate>`` gives one.
KH_RATE = "<limit-rate>128k</limit-rate>"


def _chain(prefix: str, hops: int, rate: str) -> str:
    return "".join(
        f"<mount><mount-name>/{prefix}{i}</mount-name>{rate if i == 0 else ''}<fallback-mount>"
        f"{f'/{prefix}{i + 1}' if i < hops - 1 else '/fallback.ogg'}</fallback-mount></mount>"
        for i in range(hops)
    )


def test_fallbacks(box: oracle.Sandbox) -> None:
    """ICE601 no slash, ICE602 missing file, ICE603 loop, ICE604 ten hops, ICE605 options alone, ICE607 as is."""
    release = box.release
    port = oracle.free_port()
    rate = KH_RATE if release == "kh" else ""
    refused = 403 if release == "kh" else 404  # KH: "Fallback through too many mountpoints"
    mounts = (
        f"<mount><mount-name>/live</mount-name><bitrate>64</bitrate>{rate}"
        "<fallback-mount>/fallback.ogg</fallback-mount></mount>"
        f"<mount><mount-name>/noslash</mount-name>{rate}<fallback-mount>fallback.mp3</fallback-mount></mount>"
        f"<mount><mount-name>/missing</mount-name>{rate}<fallback-mount>/missing.ogg</fallback-mount></mount>"
        "<mount><mount-name>/x</mount-name><fallback-mount>/y</fallback-mount></mount>"
        "<mount><mount-name>/y</mount-name><fallback-mount>/x</fallback-mount></mount>"
        "<mount><mount-name>/opts</mount-name><fallback-when-full>1</fallback-when-full></mount>"
        + _chain("ten", 10, rate)
        + _chain("nine", 9, rate)
    )
    bad = config(box, port, extra=mounts)
    assert len(findings(bad, release, "ICE601")) == 1
    (missing,) = findings(bad, release, "ICE602", files=True)
    assert "fallback /missing.ogg of /missing" in missing.message
    (loop,) = findings(bad, release, "ICE603")
    assert f"their listeners get {refused};" in loop.message
    (too_long,) = findings(bad, release, "ICE604")
    assert too_long.message.startswith("the fallback chain of /ten0 is 10 hops long")
    assert f"get {refused} instead" in too_long.message
    (mismatch,) = findings(bad, release, "ICE607", files=True)
    assert "/live" in mismatch.message
    assert len(findings(bad, release, "ICE605")) == (1 if release == "2.5" else 0)
    fallback_file = (box.webroot / "fallback.ogg").read_bytes()
    with oracle.IcecastServer(bad, box, wait_port=port, name=f"fallback-bad-{release}") as server:
        live = get(server, port, "/live")  # ICE607: the 128 kbit/s file, as it is, on a 64 kbit/s mount
        assert live.status == 200
        assert live.body == fallback_file[: len(live.body)] and len(live.body) > 1000
        assert get(server, port, "/noslash").status == 404
        assert get(server, port, "/missing").status == 404
        assert get(server, port, "/x").status == refused
        assert get(server, port, "/ten0").status == refused  # the file is ten hops away
        assert get(server, port, "/nine0").status == 200  # nine hops
        if release == "kh":
            assert "fallback does not start with / on /noslash" in server.stderr()
            assert "preventing a fallback loop" in server.wait_log("preventing a fallback loop")
        warned = "Config for mount /opts contains fallback options but no fallback mount."
        logged = server.wait_log(warned, "stderr", timeout=1.0)
        assert (warned in logged) is (release == "2.5"), logged

    cfg = icecfg.loads(bad)
    for finding in lint(cfg, release, files=False, select=["ICE601"]):
        assert finding.fix is not None
        finding.fix()
    box.write("web/missing.ogg", audio.make_ogg(bitrate_kbps=128).read_bytes())
    try:
        good = icecfg.dumps(cfg)
        assert not findings(good, release, "ICE601") and not findings(good, release, "ICE602", files=True)
        with oracle.IcecastServer(good, box, wait_port=port, name=f"fallback-good-{release}") as server:
            for mount, name in (("/noslash", "fallback.mp3"), ("/missing", "missing.ogg")):
                response = get(server, port, mount)
                assert response.status == 200, mount
                assert response.body[:256] in (box.webroot / name).read_bytes(), mount  # KH skips the ID3 tag
    finally:
        (box.webroot / "missing.ogg").unlink()


def test_empty_or_text_fallback_file_plays_nothing(box: oracle.Sandbox) -> None:
    """ICE609: an empty fallback file is 200 and silence, a text file is 200 and the text, moved listeners wait."""
    release = box.release
    port = oracle.free_port()
    write_unplayable_fallbacks(box)
    data = config(box, port, extra=unplayable_fallback_mounts(KH_RATE if release == "kh" else ""))
    messages = [f.message for f in findings(data, release, "ICE609", files=True)]
    assert len(messages) == 3
    assert "fallback file /empty.ogg of /empty" in messages[0] and "is empty (0 bytes)" in messages[0]
    assert "is text, not audio" in messages[1]
    with oracle.IcecastServer(data, box, wait_port=port, name=f"unplayable-{release}") as server:
        show_unplayable_fallbacks(server, port, release)
        if release == "kh":
            assert "different type detected for /empty.ogg" in server.error_log()  # its only word on it

    box.write("web/empty.ogg", audio.make_ogg(bitrate_kbps=128).read_bytes())
    box.write("web/quiet.ogg", audio.make_ogg(bitrate_kbps=128).read_bytes())
    try:
        assert ["/text.ogg" in f.message for f in findings(data, release, "ICE609", files=True)] == [True]
        with oracle.IcecastServer(data, box, wait_port=port, name=f"playable-{release}") as server:
            response = get(server, port, "/empty")
            assert response.status == 200 and response.body.startswith(b"OggS")
    finally:
        box.write("web/empty.ogg", b"")
        box.write("web/quiet.ogg", b"")


def test_unreadable_fallback_file_is_404_and_a_directory_plays_nothing(box: oracle.Sandbox) -> None:
    """ICE602: a fallback file the server's user cannot read is a 404; ICE609: a directory is 200 and silence."""
    release = box.release
    port = oracle.free_port()
    write_unreadable_fallbacks(box)
    try:
        data = config(box, port, extra=unreadable_fallback_mounts(KH_RATE if release == "kh" else ""))
        directories = [f.message for f in findings(data, release, "ICE609", files=True)]
        assert [m.split(" of ")[0] for m in directories] == ["fallback file /folder.ogg", "fallback file /hollow.ogg"]
        assert all("is a directory" in m and "answers 200" in m and "then sends no data" in m for m in directories)
        (locked,) = lint_as_server_user(data, release, "ICE602")  # not the directories: ICE609's
        assert f"({box.webroot}/locked.ogg cannot be read): when /locked has no source its listeners get 404" in locked
        with oracle.IcecastServer(data, box, wait_port=port, name=f"unreadable-{release}") as server:
            show_unreadable_fallbacks(server, port, release)
    finally:
        remove_unreadable_fallbacks(box)


def test_audio_under_another_formats_name_goes_out_as_that_format(box: oracle.Sandbox) -> None:
    """ICE609: an MP3 file saved as renamed.ogg is served as audio/ogg, and Ogg listeners are moved onto it."""
    release = box.release
    port = oracle.free_port()
    mp3 = write_renamed_fallback(box)
    data = config(box, port, extra=renamed_fallback_mounts(KH_RATE if release == "kh" else ""))
    try:
        messages = [f.message for f in findings(data, release, "ICE609", files=True)]
        assert len(messages) == 2  # /renamed and /live
        assert all("holds MPEG audio (MP3), which its extension .ogg does not name" in m for m in messages)
        label = {"2.5": "Icecast 2.5", "kh": "Icecast-KH"}[release]
        assert f"{label} labels it by the extension as an Ogg stream" in messages[0]
        with oracle.IcecastServer(data, box, wait_port=port, name=f"renamed-{release}") as server:
            show_renamed_fallback(server, port, release, mp3)
        box.write("web/renamed.ogg", audio.make_ogg(bitrate_kbps=128).read_bytes())
        assert findings(data, release, "ICE609", files=True) == []
        with oracle.IcecastServer(data, box, wait_port=port, name=f"renamed-ogg-{release}") as server:
            assert get(server, port, "/renamed").body.startswith(b"OggS")
    finally:
        (box.webroot / "renamed.ogg").unlink()


def test_kh_crashes_when_the_source_returns_to_a_listener_of_an_empty_fallback(boxkh: oracle.Sandbox) -> None:
    """ICE609 on KH: a listener waiting on the empty file, then the source connects: kh22 dies of SIGSEGV.

    With audio in the file the same steps leave the server running and the
    waiting listener gets the live stream.
    """
    port = oracle.free_port()
    write_unplayable_fallbacks(boxkh)
    data = config(boxkh, port, extra=unplayable_fallback_mounts(KH_RATE))
    (finding, *_) = findings(data, "kh", "ICE609", files=True)
    assert "kh22 crashed when the source came back while such a listener was connected" in finding.message
    try:
        for playable in (False, True):
            if playable:
                boxkh.write("web/quiet.ogg", audio.make_ogg(bitrate_kbps=128).read_bytes())
            with oracle.IcecastServer(data, boxkh, wait_port=port, name=f"kh-source-returns-{playable}") as server:
                waiting = listen(port, "/live")
                received, _closed = drain(waiting, 1.0)
                assert (received > 0) is playable
                with server.source(port, "/live", audio.make_ogg(), password=SOURCE_PASSWORD) as source:
                    assert source.accepted
                    crashed = oracle.wait_until(lambda: not server.running, timeout=3.0)
                    assert crashed is not playable
                    if playable:
                        server.wait_mount(port, "/live")
                        received, closed = drain(waiting, 1.0)
                        assert received > 0 and not closed
                waiting.close()
                if not playable:
                    assert server.result().returncode == -11  # SIGSEGV
    finally:
        for name in ("empty.ogg", "quiet.ogg", "text.ogg"):
            (boxkh.webroot / name).unlink()


# --------------------------------------------------------------------------- fileserve and booleans

#: <fileserve> value -> (codes reported, whether /hello.txt is served), per release.
FILESERVE = {
    "2.5": [
        ("0", {"ICE701"}, False),
        ("enabled", {"ICE204", "ICE701"}, False),  # util_str_to_bool: an unknown word is 0
        ("on", set(), True),
        ("", {"ICE206", "ICE701"}, False),  # util_str_to_bool: empty is 0
    ],
    "kh": [
        ("0", {"ICE701"}, False),
        ("off", {"ICE204"}, True),  # config_get_bool ignores the word: the default (1) stays
        ("true", set(), True),
        ("", {"ICE206", "ICE701"}, False),  # config_get_bool: empty is 0, silently
        # written twice, the second read as nothing: the first (0) stays
        ("0</fileserve><fileserve>off", {"ICE204", "ICE701"}, False),
        ("1</fileserve><fileserve><!-- c -->1", {"ICE701"}, False),  # no text: config_get_bool's 0
    ],
}


def test_fileserve_values(box: oracle.Sandbox) -> None:
    """ICE701 (static files 404), ICE204 (a word the release misreads), ICE206 (empty keeps the default)."""
    release = box.release
    port = oracle.free_port()
    for value, codes, served in FILESERVE[release]:
        data = config(box, port, extra=f"<fileserve>{value}</fileserve>")
        found = {f.code for f in lint(icecfg.loads(data), release, files=False)}
        assert found & {"ICE701", "ICE204", "ICE206"} == codes, value
        with oracle.IcecastServer(data, box, wait_port=port, name=f"fileserve-{release}") as server:
            status = get(server, port, "/hello.txt").status
            assert status == (200 if served else 404), (value, status)
            assert get(server, port, "/status.xsl").status == 200, value  # .xsl pages stay
            if release == "2.5":  # 2.5 says so whenever files are off (KH never does)
                assert ("serving of static files has been disabled" in server.stderr()) is not served


# --------------------------------------------------------------------------- headers

HEADERS = (
    '<http-headers><header name="X-A1" value="1"/><!-- a comment --><header name="X-B1" value="1"/></http-headers>'
    '<http-headers><header name="X-A2" value="2"/><header value="n"/><header name="X-B2" value="2"/></http-headers>'
    '<http-headers><header name="X-A3" value="3"/><header type="bogus" name="X-C3" value="*"/>'
    '<header name="X-B3" value="3"/></http-headers>'
    '<http-headers><header name="X-Dup" value="one"/><header name="X-Dup" value="two"/>'
    '<header name="Cache-Control" value="no-cache"/></http-headers>'
)
HEADERS_FIXED = (
    '<http-headers><header name="X-A1" value="1"/><!-- a comment --><header name="X-B1" value="1"/></http-headers>'
    '<http-headers><header name="X-A2" value="2"/><header name="X-N2" value="n"/><header name="X-B2" value="2"/>'
    '</http-headers><http-headers><header name="X-A3" value="3"/><header name="X-C3" value="*"/>'
    '<header name="X-B3" value="3"/></http-headers>'
    '<http-headers><header name="X-Dup" value="two"/></http-headers>'
)


def test_http_headers(box: oracle.Sandbox) -> None:
    """ICE711 (2.5: a nameless or unknown-type header ends the block), ICE712 (KH keeps the last of a name)."""
    release = box.release
    port = oracle.free_port()
    bad = config(box, port, extra=HEADERS)
    truncated = findings(bad, release, "ICE711")
    dup = findings(bad, release, "ICE712")
    with oracle.IcecastServer(bad, box, wait_port=port, name=f"headers-bad-{release}") as server:
        headers = get(server, port, "/status.xsl").headers
    assert [headers.get(f"X-A{i}") for i in (1, 2, 3)] == ["1", "2", "3"]
    assert headers.get("X-B1") == "1"  # a comment stops neither 2.5 nor KH (2.4.4 stops there)
    lost = [name for name in ("X-B2", "X-C3", "X-B3") if headers.get(name) is None]
    # ICE713: 2.5.0 adds a second Cache-Control line; KH's own is replaced, so the rule is not for KH
    cache = {"2.5": ["no-cache, no-store", "no-cache"], "kh": ["no-cache"]}[release]
    assert headers.get_all("Cache-Control") == cache
    assert len(findings(bad, release, "ICE713")) == (1 if release == "2.5" else 0)
    sent_dup = headers.get_all("X-Dup")
    if release == "2.5":
        assert lost == ["X-B2", "X-C3", "X-B3"], dict(headers)
        assert [("X-B2" in f.message, "X-B3" in f.message) for f in truncated] == [(True, False), (False, True)]
        assert sent_dup == ["one", "two"]  # as 2.4.4 does
        assert len(dup) == 1 and "Icecast 2.5 sends both X-Dup lines" in dup[0].message
    else:
        assert not truncated
        assert lost == [], dict(headers)  # KH reads on past a nameless or unknown-type header
        assert sent_dup == ["two"]  # KH replaces a header of the same name
        assert len(dup) == 1 and "Icecast-KH" in dup[0].message
    good = config(box, port, extra=HEADERS_FIXED)
    assert not findings(good, release, "ICE711") and not findings(good, release, "ICE712")
    with oracle.IcecastServer(good, box, wait_port=port, name=f"headers-good-{release}") as server:
        headers = get(server, port, "/status.xsl").headers
    for name, value in (("X-B1", "1"), ("X-N2", "n"), ("X-B2", "2"), ("X-C3", "*"), ("X-B3", "3")):
        assert headers.get(name) == value, name
    assert headers.get_all("X-Dup") == ["two"]


#: A default mount with headers, and a mount it applies to.
DEFAULT_HEADERS = (
    '<mount type="default"><http-headers>{headers}</http-headers></mount>'
    "<mount><mount-name>/live.ogg</mount-name><max-listeners>5</max-listeners></mount>"
)


def test_2_5_copies_a_default_mounts_headers_up_to_one_without_a_value(request: pytest.FixtureRequest) -> None:
    """ICE711 and explain on 2.5.0: a mount gets its default mount's headers copied only up to the first
    without a value (``config_copy_http_header``), a CORS one written without its value included."""
    box = request.getfixturevalue("box25")
    port = oracle.free_port()
    cors = '<header type="cors" name="Access-Control-Allow-Origin"{}/><header name="X-After" value="1"/>'
    got = {}
    for name, value in (("cut", ""), ("whole", ' value="*"')):
        data = config(box, port, extra=DEFAULT_HEADERS.format(headers=cors.format(value)))
        effective = icecfg.explain(icecfg.loads(data), "2.5")
        mount = effective.mounts.find("/live.ogg")
        assert mount is not None
        said = sorted(h.name.lower() for h in effective.mount_headers(mount).sent if h.name.startswith(("X-", "Acc")))
        with (
            oracle.IcecastServer(data, box, wait_port=port, name=f"default-headers-{name}") as server,
            server.source(port, "/live.ogg", audio.make_ogg(), password=SOURCE_PASSWORD) as source,
        ):
            assert source.accepted
            server.wait_mount(port, "/live.ogg")
            answer = server.http_get(port, "/live.ogg", max_body=4, headers={"Origin": "http://player.example.org"})
        got[name] = sorted(k.lower() for k in answer.headers if k.lower().startswith(("x-", "access-")))
        assert got[name] == said, name
        assert len(findings(data, "2.5", "ICE711")) == (name == "cut"), name
    assert got["cut"] == [] and "x-after" in got["whole"]


# --------------------------------------------------------------------------- logging


def _logging(data: bytes, logging: str) -> bytes:
    """``data`` with its <logging> block replaced."""
    start, end = data.index(b"<logging>"), data.index(b"</logging>") + len(b"</logging>")
    return data[:start] + f"<logging>{logging}</logging>".encode() + data[end:]


@pytest.mark.parametrize(
    "logging",
    [
        "<errorlog>/tmp/icecfg-abs/err.log</errorlog>",
        "<errorlog>error.log</errorlog><accesslog>sub/access.log</accesslog>",
    ],
    ids=["absolute-errorlog", "missing-subdirectory"],
)
def test_2_5_unopenable_log_is_fatal(logging: str, request: pytest.FixtureRequest) -> None:
    """ICE801 / ICE803 on 2.5.0: the server stops at startup; the fixed name starts."""
    box = request.getfixturevalue("box25")
    port = oracle.free_port()
    data = _logging(config(box, port), logging)
    assert findings(data, "2.5", "ICE801") or findings(data, "2.5", "ICE803", files=True)
    result = oracle.start_expecting_exit(data, box, name="log-fatal", expect_crash=True)
    assert f"FATAL: could not open error logging ({box.logdir}//tmp/" in result.stdout or (
        f"FATAL: could not open access logging ({box.logdir}/sub/access.log)" in result.stdout
    ), result.describe()
    assert result.signal == 11, result.describe()  # 2.5.0 then crashes instead of exiting with 1
    good = _logging(data, "<errorlog>error.log</errorlog><accesslog>access.log</accesslog>")
    assert not findings(good, "2.5", "ICE801") and not findings(good, "2.5", "ICE803", files=True)
    with oracle.IcecastServer(good, box, wait_port=port, name="log-fixed") as server:
        assert get(server, port, "/status.xsl").status == 200


def test_2_5_missing_logdir_is_fatal(box25: oracle.Sandbox) -> None:
    """ICE803 on 2.5.0: a <logdir> that does not exist stops the server."""
    port = oracle.free_port()
    data = config(box25, port, logdir=box25.root / "no-such-logdir")
    assert findings(data, "2.5", "ICE803", files=True)
    result = oracle.start_expecting_exit(data, box25, name="no-logdir", expect_crash=True)
    assert f"FATAL: could not open error logging ({box25.root}/no-such-logdir/error.log)" in result.stdout
    assert result.signal == 11, result.describe()


def test_2_5_playlistlog_dash_is_a_file(box25: oracle.Sandbox) -> None:
    """ICE802 on 2.5.0: `<playlistlog>-</playlistlog>` is a file named `-` in the log directory."""
    port = oracle.free_port()
    data = _logging(config(box25, port), "<errorlog>error.log</errorlog><playlistlog>-</playlistlog>")
    assert findings(data, "2.5", "ICE802")
    with oracle.IcecastServer(data, box25, wait_port=port, name="pl-dash") as server:
        assert get(server, port, "/status.xsl").status == 200
        assert (box25.logdir / "-").is_file()


def test_debug_loglevel_floods_the_error_log(box: oracle.Sandbox) -> None:
    """ICE804: level 4 writes debug lines for every request; its fix writes none."""
    release = box.release
    port = oracle.free_port()
    debug = config(box, port, loglevel="4")
    (finding,) = findings(debug, release, "ICE804")
    good = fixed(debug, release, "ICE804")
    assert not findings(good, release, "ICE804")
    lines = {}
    for name, data in (("debug", debug), ("fixed", good)):
        box.clear_logs()
        with oracle.IcecastServer(data, box, wait_port=port, name=f"loglevel-{name}") as server:
            for _ in range(10):
                get(server, port, "/status.xsl")
            if name == "debug":  # the lines are written a moment after the requests
                oracle.wait_until(lambda: (server.error_log() or "").count(" DBUG ") >= 10)
            else:
                time.sleep(0.3)  # nothing to wait for: give a stray debug line time to show
            lines[name] = (server.error_log() or "").count(" DBUG ")
    assert lines["debug"] >= 10 and lines["fixed"] == 0, (lines, finding.message)


def test_access_log_keeps_addresses_and_the_fix_keeps_nothing(box: oracle.Sandbox) -> None:
    """ICE890 (opt-in): the access log stores the listener's address; the fix's path stores nothing."""
    release = box.release
    port = oracle.free_port()
    plain = config(box, port)
    assert findings(plain, release, "ICE890")  # selected: it is opt-in
    discard = fixed(plain, release, "ICE890")
    assert not findings(discard, release, "ICE890") and not findings(discard, release, "ICE801")
    for name, data in (("plain", plain), ("discard", discard)):
        box.clear_logs()
        with oracle.IcecastServer(data, box, wait_port=port, name=f"access-{name}") as server:
            assert get(server, port, "/status.xsl").status == 200
            if name == "plain":
                assert "127.0.0.1" in server.wait_log("127.0.0.1", "access.log")
            else:
                time.sleep(0.5)
                assert not [n for n in box.logdir.iterdir() if "access" in n.name]


# --------------------------------------------------------------------------- values


def test_untrimmed_mount_name_and_hostname_bind_address(box: oracle.Sandbox) -> None:
    """ICE207 (" /spaced" matches no request) and ICE208 (a host name as bind address binds nothing)."""
    release = box.release
    port, other = oracle.free_ports(2)
    rate = KH_RATE if release == "kh" else ""
    socket = f"<listen-socket><port>{other}</port><bind-address>localhost</bind-address></listen-socket>"
    mount = f"<mount><mount-name> /spaced</mount-name>{rate}<fallback-mount>/fallback.ogg</fallback-mount></mount>"
    bad = config(box, port, extra=socket + mount)
    assert len(findings(bad, release, "ICE207")) == 1
    assert len(findings(bad, release, "ICE208")) == 1
    with oracle.IcecastServer(bad, box, wait_port=port, name=f"values-bad-{release}") as server:
        assert get(server, port, "/spaced").status == 404
        with pytest.raises(OSError):
            oracle.http_get(other, "/status.xsl", timeout=1.0)
    good = replaced(replaced(bad, " /spaced", "/spaced"), ">localhost<", ">127.0.0.1<")
    assert not findings(good, release, "ICE207") and not findings(good, release, "ICE208")
    with oracle.IcecastServer(good, box, wait_port=port, name=f"values-good-{release}") as server:
        assert get(server, port, "/spaced").status == 200
        assert get(server, other, "/status.xsl").status == 200


@pytest.mark.parametrize(("written", "allowed"), [("4294967297", 1), ("4294967298", 2)])
def test_kh_keeps_32_bits_of_a_number(boxkh: oracle.Sandbox, written: str, allowed: int) -> None:
    """KH's ``sscanf("%d")`` stores an int: ``<sources>4294967297</sources>`` allows one source, as explain says."""
    from icecfg.effective import EffectiveConfig
    from icecfg.spec import Dialect

    port = oracle.free_port()
    data = config(boxkh, port, limits=f"<sources>{written}</sources>")
    assert EffectiveConfig(icecfg.loads(data).document.root, Dialect.KH, None).limits.get("sources") == allowed
    with oracle.IcecastServer(data, boxkh, wait_port=port, name=f"kh-wrap-{written}"), contextlib.ExitStack() as stack:
        accepted = [
            stack.enter_context(
                oracle.SourceClient(port, f"/s{i}.ogg", audio.make_ogg(), password=SOURCE_PASSWORD)
            ).accepted
            for i in range(3)
        ]
    assert accepted == [True] * allowed + [False] * (3 - allowed)


def test_2_5_tls_zero_means_auto(box25: oracle.Sandbox) -> None:
    """ICE211: `<tls>0</tls>` on 2.5.0 still speaks TLS on that port; `disabled` does not."""
    port, other = oracle.free_ports(2)
    pem = oracle.make_tls_pem(box25)
    socket = f"<listen-socket><port>{other}</port><bind-address>127.0.0.1</bind-address><tls>0</tls></listen-socket>"
    bad = config(box25, port, tls_certificate=pem, extra=socket)
    assert len(findings(bad, "2.5", "ICE211")) == 1
    with oracle.IcecastServer(bad, box25, wait_port=port, name="tls-zero") as server:
        assert oracle.http_get(other, "/status.xsl", tls=True).status == 200
        assert server.http_get(other, "/status.xsl").status == 200  # auto: plain HTTP too
    good = replaced(bad, "<tls>0</tls>", "<tls>disabled</tls>")
    assert not findings(good, "2.5", "ICE211")
    with oracle.IcecastServer(good, box25, wait_port=port, name="tls-disabled") as server:
        assert server.http_get(other, "/status.xsl").status == 200
        with pytest.raises(OSError):
            oracle.http_get(other, "/status.xsl", tls=True, timeout=2.0)


@pytest.mark.parametrize(("fallback", "moved"), [("/fallback.mp3", False), ("/fallback.ogg", True)])
def test_listeners_move_only_to_a_fallback_of_the_same_format(box: oracle.Sandbox, fallback: str, moved: bool) -> None:
    """ICE606: when an Ogg source stops, its listeners move to an Ogg fallback file, not to an MP3 one."""
    release = box.release
    port = oracle.free_port()
    rate = KH_RATE if release == "kh" else ""
    data = config(
        box,
        port,
        extra=f"<mount><mount-name>/live</mount-name><type>application/ogg</type>{rate}"
        f"<fallback-mount>{fallback}</fallback-mount></mount>",
    )
    reported = findings(data, release, "ICE606")
    assert bool(reported) is not moved
    with oracle.IcecastServer(data, box, wait_port=port, name=f"move-{release}") as server:
        with server.source(port, "/live", audio.make_ogg(), password=SOURCE_PASSWORD) as source:
            assert source.accepted
            server.wait_mount(port, "/live")
            listener = listen(port, "/live")
            drain(listener, 0.5)
        received, closed = drain(listener, 4.0)
        listener.close()
        if moved:
            assert not closed and received > 20_000  # the fallback file keeps coming
        else:
            assert closed
            refused = {
                "2.5": f"stream /live and {fallback} are of different types, ignored",
                "kh": f"format mismatched for {fallback}",
            }[release]
            assert refused in server.wait_log(refused)
            (finding,) = reported
            quoted = re.search(r"\('([^']+)'\)", finding.message)  # the log line the finding names
            assert quoted is not None and quoted[1] in refused, finding.message


def test_2_5_wrapped_port_empty_number_and_logsize(box25: oracle.Sandbox) -> None:
    """ICE202 (2.5.0 binds port modulo 65536), ICE206 ("Invalid empty tag"), ICE805 (<logsize> is KiB)."""
    port, wrapped = oracle.free_ports(2)
    socket = f"<listen-socket><port>{wrapped + 65536}</port><bind-address>127.0.0.1</bind-address></listen-socket>"
    bad = config(box25, port, limits="<clients></clients>", extra=socket, loglevel="4")
    bad = replaced(bad, "<loglevel>4</loglevel>", "<loglevel>4</loglevel><logsize>2</logsize>")
    (out_of_range,) = findings(bad, "2.5", "ICE202")
    assert f"binds port {wrapped}" in out_of_range.message
    (empty,) = findings(bad, "2.5", "ICE206")
    assert "keeps the default 256" in empty.message
    box25.clear_logs()  # the log starts empty, so 2.5.0's count of its size is known exactly
    with oracle.IcecastServer(bad, box25, wait_port=port, name="values-25") as server:
        assert server.http_get(wrapped, "/status.xsl").status == 200  # the wrapped port serves
        assert "Invalid empty tag: /icecast/limits/clients" in server.stderr()
        for _ in range(10):
            get(server, port, "/status.xsl")
        rotated = box25.logdir / "error.log.old"
        assert rotated.is_file()
        written = rotated.read_bytes()
        last_line = len(written) - written.rfind(b"\n", 0, -1) - 1
        # 2.5.0 (common/log/log.c) checks before each line whether its count of the file's size has
        # passed logsize * 1024, and rotates if so; it counts each line one byte longer than it writes
        # (the NUL of the copy kept for the admin page), so the file itself may stay a few bytes short.
        counted = len(written) + written.count(b"\n")
        assert counted > 2048  # passed 2 KiB (with 2 bytes every line would rotate: one line in the file)
        assert counted - (last_line + 1) <= 2048  # ... only with its last line
    good = config(
        box25, port, limits="<clients>256</clients>", extra=socket.replace(str(wrapped + 65536), str(wrapped))
    )
    assert not findings(good, "2.5", "ICE202") and not findings(good, "2.5", "ICE206")
    with oracle.IcecastServer(good, box25, wait_port=port, name="values-25-good") as server:
        assert server.http_get(wrapped, "/status.xsl").status == 200
        assert "Invalid empty tag" not in server.stderr()


def test_kh_out_of_range_port_workers_empty_number_and_log_type(boxkh: oracle.Sandbox) -> None:
    """ICE202 (KH drops the socket), ICE203 (<workers>0 becomes 1), ICE206 (silent), ICE210 (CLF-ESC misspelt)."""
    port, other = oracle.free_ports(2)
    socket = "<listen-socket><port>{}</port><bind-address>127.0.0.1</bind-address></listen-socket>"
    bad = config(boxkh, port, limits="<clients></clients><workers>0</workers>", extra=socket.format(other + 65536))
    bad = replaced(
        bad,
        "<accesslog>access.log</accesslog>",
        "<accesslog><name>access.log</name><type>clf-escaped</type></accesslog>",
    )
    (out_of_range,) = findings(bad, "kh", "ICE202")
    assert "port out of range" in out_of_range.message
    assert len(findings(bad, "kh", "ICE203")) == 1
    (empty,) = findings(bad, "kh", "ICE206")
    assert "keeps the default 256" in empty.message
    assert len(findings(bad, "kh", "ICE210")) == 1
    agent = 'Player "X" 1.0'
    with oracle.IcecastServer(bad, boxkh, wait_port=port, name="values-kh") as server:
        assert server.http_get(port, "/status.xsl", headers={"User-Agent": agent}).status == 200
        with pytest.raises(OSError):
            oracle.http_get(other, "/status.xsl", timeout=1.0)
        assert f"port out of range, {other + 65536}" in server.stderr()
        assert "clients" not in server.stderr()  # the empty limit is passed over silently
        assert "requested worker count 1" in server.wait_log("requested worker count")
        assert f'"{agent}"' in server.wait_log(agent, "access.log")  # plain CLF: the quotes stay
    good = replaced(bad, "clf-escaped", "CLF-ESC")
    good = replaced(good, str(other + 65536), str(other))
    good = replaced(replaced(good, "<clients></clients>", ""), "<workers>0</workers>", "<workers>1</workers>")
    for code in ("ICE202", "ICE203", "ICE206", "ICE210"):
        assert not findings(good, "kh", code), code
    boxkh.clear_logs()
    with oracle.IcecastServer(good, boxkh, wait_port=port, name="values-kh-good") as server:
        assert server.http_get(other, "/status.xsl", headers={"User-Agent": agent}).status == 200
        assert "Player%20%22X%22%201%2e0" in server.wait_log("Player%20", "access.log")


def test_2_5_reads_no_access_log_type(box25: oracle.Sandbox) -> None:
    """ICE210 is KH's: 2.5.0 has no word-valued setting; the KH `<type>` block is ICE301 there, and harmful."""
    port = oracle.free_port()
    bad = replaced(
        config(box25, port),
        "<accesslog>access.log</accesslog>",
        "<accesslog><name>access.log</name><type>clf-escaped</type></accesslog>",
    )
    assert not findings(bad, "2.5", "ICE210")
    assert findings(bad, "kh", "ICE210")
    assert len(findings(bad, "2.5", "ICE301")) == 1
    agent = 'Player "X" 1.0'
    box25.clear_logs()
    with oracle.IcecastServer(bad, box25, wait_port=port, name="accesslog-type-25") as server:
        assert server.http_get(port, "/status.xsl", headers={"User-Agent": agent}).status == 200
        assert "<accesslog> setting must not be empty" in server.stderr()
        assert "Player \\x22X\\x22 1.0" in server.wait_log("Player", "access.log")  # 2.5 escapes on its own
    good = replaced(
        bad,
        "<accesslog><name>access.log</name><type>clf-escaped</type></accesslog>",
        "<accesslog>access.log</accesslog>",
    )
    assert not findings(good, "2.5", "ICE301") and not findings(good, "2.5", "ICE210")
    box25.clear_logs()
    with oracle.IcecastServer(good, box25, wait_port=port, name="accesslog-25") as server:
        assert server.http_get(port, "/status.xsl", headers={"User-Agent": agent}).status == 200
        assert "Player \\x22X\\x22 1.0" in server.wait_log("Player", "access.log")
        assert "<accesslog>" not in server.stderr()


@pytest.mark.parametrize(("logsize", "rotates_at"), [("150", 150 * 1024), ("2", 100_000)])
def test_kh_logsize_is_kib_with_a_floor(boxkh: oracle.Sandbox, logsize: str, rotates_at: int) -> None:
    """ICE805's unit on KH: <logsize> is KiB (150 rotates after 153600 bytes); KH raises a size below 100000 bytes.

    A byte-sized value (10485760) is above KH's cap of 2000000 KiB: ICE203 reports it there, not ICE805.
    """
    port = oracle.free_port()
    data = replaced(
        config(boxkh, port, loglevel="4"),
        "<loglevel>4</loglevel>",
        f"<loglevel>4</loglevel><logsize>{logsize}</logsize>",
    )
    byte_sized = replaced(data, f"<logsize>{logsize}</logsize>", "<logsize>10485760</logsize>")
    assert findings(byte_sized, "kh", "ICE203") and not findings(byte_sized, "kh", "ICE805")
    assert findings(byte_sized, "2.5", "ICE805")
    boxkh.clear_logs()
    with oracle.IcecastServer(data, boxkh, wait_port=port, name=f"kh-logsize-{logsize}") as server:
        rotated: list[int] = []
        written = 0
        # Each request adds some 30 to 40 bytes of debug lines, so the size decides when to
        # stop, not a count of requests: give up at twice the size (or a log that stopped growing)
        deadline = time.monotonic() + 120
        while not rotated and written < 2 * rotates_at and time.monotonic() < deadline:
            server.http_get(port, "/status.xsl", timeout=2.0, max_body=16)
            rotated = [p.stat().st_size for p in boxkh.logdir.glob("error.log.*")]  # logarchive: a timestamp
            try:
                size = (boxkh.logdir / "error.log").stat().st_size
            except FileNotFoundError:  # for a moment while KH renames it and opens a new one
                size = 0
            written = size + sum(rotated)
    assert len(rotated) == 1, (rotated, written)
    assert rotates_at < rotated[0] < rotates_at + 2048, rotated  # the first line past the size rotates


def test_kh_unopenable_logs_keep_running_and_dash_stops(boxkh: oracle.Sandbox) -> None:
    """ICE801/ICE803 on KH: logs it cannot create are lost (error log to stderr); ICE802: `-` stops KH."""
    port = oracle.free_port()
    good = config(boxkh, port)
    absolute = replaced(good, "<errorlog>error.log</errorlog>", f"<errorlog>{boxkh.logdir}/error.log</errorlog>")
    (finding,) = findings(absolute, "kh", "ICE801")
    assert "writes the error log to stderr" in finding.message
    missing = config(boxkh, port, logdir=boxkh.root / "no-such-logdir")
    (finding,) = findings(missing, "kh", "ICE803", files=True)
    assert "keeps no other log" in finding.message
    for name, data in (("abs", absolute), ("nologdir", missing)):
        boxkh.clear_logs()
        with oracle.IcecastServer(data, boxkh, wait_port=port, name=f"kh-log-{name}") as server:
            assert get(server, port, "/status.xsl").status == 200
            assert "server started" in server.wait_log("server started", "stderr")  # the error log, on stderr
            assert not (boxkh.logdir / "error.log").exists()
    assert not (boxkh.root / "no-such-logdir").exists()
    dash = replaced(good, "</logging>", "<playlistlog>-</playlistlog></logging>")
    (finding,) = findings(dash, "kh", "ICE802")
    assert "stops at startup" in finding.message
    result = oracle.start_expecting_exit(dash, boxkh, name="kh-pl-dash")
    assert result.returncode == 0, result.describe()  # sic: a failed start with status 0
    assert "Server startup failed" in (result.error_log or ""), result.describe()
    fixed_dash = replaced(dash, "<playlistlog>-</playlistlog>", "<playlistlog>playlist.log</playlistlog>")
    assert not findings(fixed_dash, "kh", "ICE802")
    for data in (good, fixed_dash):
        assert not findings(data, "kh", "ICE801") and not findings(data, "kh", "ICE803", files=True)
        boxkh.clear_logs()
        with oracle.IcecastServer(data, boxkh, wait_port=port, name="kh-log-good") as server:
            assert get(server, port, "/status.xsl").status == 200
            assert "server started" in server.wait_log("server started")


def test_kh_unknown_or_empty_loglevel_drops_the_info_lines(boxkh: oracle.Sandbox) -> None:
    """ICE209 on KH (2.5's `information` is level 2 there, with a warning) and ICE206 (empty: 2, silently)."""
    port = oracle.free_port()
    word = config(boxkh, port, loglevel="information")
    assert len(findings(word, "kh", "ICE209")) == 1
    empty = replaced(word, "<loglevel>information</loglevel>", "<loglevel/>")
    (finding,) = findings(empty, "kh", "ICE206")
    assert "reads it as 2" in finding.message
    good = fixed(word, "kh", "ICE209")
    assert b"<loglevel>3</loglevel>" in good
    for name, data in (("word", word), ("empty", empty), ("good", good)):
        boxkh.clear_logs()
        with oracle.IcecastServer(data, boxkh, wait_port=port, name=f"kh-level-{name}") as server:
            get(server, port, "/nosuch")
            if name == "good":  # the line is written a moment after the request
                server.wait_log(" INFO ")
            else:
                time.sleep(0.3)  # nothing to wait for: give a stray INFO line time to show
            log = server.error_log() or ""
            assert (" INFO " in log) is (name == "good"), (name, log[-500:])
            warned = "unknown level setting information" in log + server.stderr()
            assert warned is (name == "word"), name
