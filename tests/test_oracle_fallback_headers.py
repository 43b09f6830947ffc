"""The fallback, fileserve, headers and logging rules against the real Icecast 2.4.4.

Every rule of these families that claims how 2.4.4 behaves is shown here: the
configuration it reports is run and the harm observed over HTTP, in the exit
status or in a log line; then the configuration the rule asks for is run and
the harm is gone.  Each scenario also lints the very bytes it runs, so rule
and server are checked against each other.
"""

from __future__ import annotations

import os
import re
import secrets
import time
from collections.abc import Iterator

import pytest

import icecfg
from icecfg.lint import Finding, lint
from tests import audio, oracle
from tests.release_oracle import (
    drain,
    lint_as_server_user,
    listen,
    remove_unreadable_fallbacks,
    renamed_fallback_mounts,
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

PASSWORD = secrets.token_hex(8)


def config(
    box: oracle.Sandbox,
    port: int,
    body: str = "",
    *,
    logging: str = "<errorlog>error.log</errorlog><accesslog>access.log</accesslog><loglevel>3</loglevel>",
    logdir: str | None = None,
) -> bytes:
    """A warning-free 2.4 config around ``body`` (mounts, headers, <fileserve>)."""
    return f"""<icecast>
  <hostname>127.0.0.1</hostname>
  <location>oracle</location>
  <admin>oracle@example.invalid</admin>
  <authentication>
    <source-password>{PASSWORD}</source-password>
    <admin-user>admin</admin-user>
    <admin-password>{PASSWORD}</admin-password>
  </authentication>
  <listen-socket><port>{port}</port><bind-address>127.0.0.1</bind-address></listen-socket>
  {body}
  <paths>
    <logdir>{logdir or box.logdir}</logdir>
    <webroot>{box.webroot}</webroot>
    <adminroot>{box.adminroot}</adminroot>
  </paths>
  <logging>{logging}</logging>
</icecast>
""".encode()


def codes(data: bytes, *, select: tuple[str, ...] = ()) -> list[Finding]:
    return lint(icecfg.loads(data), target="2.4", root="/", select=select)


def found(data: bytes, code: str, *, select: tuple[str, ...] = ()) -> list[str]:
    return [f.message for f in codes(data, select=select) if f.code == code]


@pytest.fixture(scope="module")
def box() -> Iterator[oracle.Sandbox]:
    with oracle.temporary_sandbox() as sandbox:
        write_fallback_media(sandbox)
        yield sandbox


@pytest.fixture(scope="module")
def port() -> int:
    return oracle.free_port()


def get(server: oracle.IcecastServer, port: int, path: str) -> oracle.HttpResponse:
    return server.http_get(port, path, max_body=2048, auth=("admin", PASSWORD) if "admin" in path else None)


# --------------------------------------------------------------------------- fallback


def test_file_fallback_slash_and_missing_file(box: oracle.Sandbox, port: int) -> None:
    """ICE601, ICE602: only `/file` in webroot plays; no slash or no file gives 404; ICE607: the file goes out as is."""
    mounts = """
  <mount><mount-name>/live</mount-name><bitrate>64</bitrate><fallback-mount>/fallback.ogg</fallback-mount></mount>
  <mount><mount-name>/noslash</mount-name><fallback-mount>fallback.mp3</fallback-mount></mount>
  <mount><mount-name>/missing</mount-name><fallback-mount>/missing.ogg</fallback-mount></mount>"""
    bad = config(box, port, mounts)
    assert len(found(bad, "ICE601")) == 1 and "'fallback.mp3' does not start with /" in found(bad, "ICE601")[0]
    assert len(found(bad, "ICE602")) == 1 and "fallback /missing.ogg of /missing" in found(bad, "ICE602")[0]
    (mismatch,) = found(bad, "ICE607")
    assert "/live" in mismatch and "128" in mismatch, mismatch
    fallback_file = (box.webroot / "fallback.ogg").read_bytes()
    with oracle.serve(bad, box, port, "fallback-bad") as server:
        live = get(server, port, "/live")  # ICE607: the 128 kbit/s file, byte for byte, on a 64 kbit/s mount
        assert (live.status, live.headers["Content-Type"]) == (200, "audio/ogg")
        assert live.body == fallback_file[: len(live.body)] and len(live.body) > 1000
        assert get(server, port, "/noslash").status == 404
        assert get(server, port, "/missing").status == 404
        assert oracle.wait_until(
            lambda: f'unable to open file "{box.webroot}/missing.ogg"' in (server.error_log() or "")
        )

    cfg = icecfg.loads(bad)
    for finding in lint(cfg, target="2.4", root="/"):
        if finding.code == "ICE601" and finding.fix is not None:
            finding.fix()
    box.write("web/missing.ogg", audio.make_ogg(bitrate_kbps=128).read_bytes())
    try:
        good = cfg.document.dumps()
        assert not found(good, "ICE601") and not found(good, "ICE602")
        with oracle.serve(good, box, port, "fallback-good") as server:
            for mount, mime in (("/noslash", "audio/mpeg"), ("/missing", "audio/ogg")):
                response = get(server, port, mount)
                assert (response.status, response.headers["Content-Type"]) == (200, mime), mount
    finally:
        (box.webroot / "missing.ogg").unlink()


def test_unreadable_fallback_file_is_404_and_a_directory_plays_nothing(box: oracle.Sandbox, port: int) -> None:
    """ICE602: a fallback file the server's user cannot read is a 404, as a missing one; ICE609: a directory plays nothing."""
    write_unreadable_fallbacks(box)
    try:
        data = config(box, port, unreadable_fallback_mounts())
        directories = found(data, "ICE609")
        assert [m.split(" of ")[0] for m in directories] == ["fallback file /folder.ogg", "fallback file /hollow.ogg"]
        said = "is a directory: Icecast 2.4.4 answers 200 and then sends no data"
        assert all(said in m for m in directories)
        (locked,) = lint_as_server_user(data, "2.4", "ICE602")  # not the directories: ICE609's
        assert f"({box.webroot}/locked.ogg cannot be read): when /locked has no source its listeners get 404" in locked
        with oracle.serve(data, box, port, "unreadable") as server:
            show_unreadable_fallbacks(server, port, "2.4", PASSWORD)
            unable = f'unable to open file "{box.webroot}/locked.ogg"'  # as for a missing file
            assert oracle.wait_until(lambda: unable in (server.error_log() or ""))
    finally:
        remove_unreadable_fallbacks(box)


def test_chain_depth_loops_and_options_without_fallback(box: oracle.Sandbox, port: int) -> None:
    """ICE604 (nine hops work, ten do not), ICE603 (a loop is a 404), ICE605 (the startup warning)."""

    def chain(prefix: str, hops: int) -> str:
        return "".join(
            f"<mount><mount-name>/{prefix}{i}</mount-name><fallback-mount>"
            f"{f'/{prefix}{i + 1}' if i < hops - 1 else '/fallback.ogg'}</fallback-mount></mount>"
            for i in range(hops)
        )

    body = (
        chain("ten", 10)
        + chain("nine", 9)
        + "<mount><mount-name>/x</mount-name><fallback-mount>/y</fallback-mount></mount>"
        + "<mount><mount-name>/y</mount-name><fallback-mount>/x</fallback-mount></mount>"
        + "<mount><mount-name>/opts</mount-name><fallback-override>1</fallback-override></mount>"
    )
    data = config(box, port, body)
    too_long = found(data, "ICE604")
    assert len(too_long) == 1 and too_long[0].startswith("the fallback chain of /ten0 is 10 hops long")
    assert found(data, "ICE603") == [
        "fallback chain /x -> /y -> /x loops: when none of these mounts has a source, their listeners get 404; "
        "end the chain with a file fallback"
    ]
    assert len(found(data, "ICE605")) == 1
    with oracle.serve(data, box, port, "chains") as server:
        assert get(server, port, "/ten0").status == 404  # the file is ten hops away
        assert get(server, port, "/ten1").status == 200  # nine hops
        assert get(server, port, "/nine0").status == 200  # nine hops
        assert get(server, port, "/x").status == 404
        assert "Config for mount /opts contains fallback options but no fallback mount." in server.stderr()


@pytest.mark.parametrize(("fallback", "moved"), [("/fallback.mp3", False), ("/fallback.ogg", True)])
def test_listeners_move_only_to_a_fallback_of_the_same_format(
    box: oracle.Sandbox, port: int, fallback: str, moved: bool
) -> None:
    """ICE606: an Ogg mount's listeners are dropped, not moved, when the fallback is MP3."""
    data = config(
        box,
        port,
        f"<mount><mount-name>/live</mount-name><type>application/ogg</type>"
        f"<fallback-mount>{fallback}</fallback-mount></mount>",
    )
    reported = found(data, "ICE606")
    assert bool(reported) is not moved
    with oracle.serve(data, box, port, "move") as server:
        with oracle.SourceClient(port, "/live", audio.make_ogg(), password=PASSWORD) as source:
            assert source.accepted
            server.wait_mount(port, "/live")
            listener = listen(port, "/live")
            assert listener.headers["Content-Type"] == "application/ogg"
            drain(listener, 0.5)
        log = lambda: server.error_log() or ""  # noqa: E731
        if moved:
            assert oracle.wait_until(lambda: f'passing 1 listeners to "{fallback}"' in log())
            received, closed = drain(listener, 1.0)
            assert not closed and received > 20_000  # the file keeps coming
        else:
            refused = f"stream /live and {fallback} are of different types, ignored"
            assert oracle.wait_until(lambda: refused in log())
            quoted = re.search(r"\('([^']+)'\)", reported[0])  # the log line the finding names
            assert quoted is not None and quoted[1] in refused, reported
            _received, closed = drain(listener, 4.0)
            assert closed
        listener.close()


def test_empty_or_text_fallback_file_plays_nothing(box: oracle.Sandbox, port: int) -> None:
    """ICE609: an empty fallback file is 200 and silence, a text file is 200 and the text, and 2.4.4 logs nothing."""
    write_unplayable_fallbacks(box)
    data = config(box, port, unplayable_fallback_mounts())
    messages = found(data, "ICE609")
    assert len(messages) == 3
    assert "fallback file /empty.ogg of /empty" in messages[0] and "is empty (0 bytes)" in messages[0]
    assert "is text, not audio" in messages[1]
    with oracle.serve(data, box, port, "unplayable") as server:
        show_unplayable_fallbacks(server, port, "2.4", PASSWORD)
        assert [line for line in (server.error_log() or "").splitlines() if "EROR" in line] == []

    box.write("web/empty.ogg", audio.make_ogg(bitrate_kbps=128).read_bytes())
    box.write("web/quiet.ogg", audio.make_ogg(bitrate_kbps=128).read_bytes())
    try:
        assert ["/text.ogg" in message for message in found(data, "ICE609")] == [True]  # only the text is left
        with oracle.serve(data, box, port, "playable") as server:
            response = get(server, port, "/empty")
            assert response.status == 200 and response.body.startswith(b"OggS")
    finally:
        box.write("web/empty.ogg", b"")
        box.write("web/quiet.ogg", b"")


def test_audio_under_another_formats_name_goes_out_as_that_format(box: oracle.Sandbox, port: int) -> None:
    """ICE609: an MP3 file saved as renamed.ogg is served as audio/ogg, and Ogg listeners are moved onto it."""
    mp3 = write_renamed_fallback(box)
    data = config(box, port, renamed_fallback_mounts())
    try:
        messages = found(data, "ICE609")
        assert len(messages) == 2  # /renamed and /live
        assert all("holds MPEG audio (MP3), which its extension .ogg does not name" in m for m in messages)
        assert "Icecast 2.4.4 labels it by the extension as an Ogg stream" in messages[0]
        with oracle.serve(data, box, port, "renamed") as server:
            show_renamed_fallback(server, port, "2.4", mp3, PASSWORD)
        box.write("web/renamed.ogg", audio.make_ogg(bitrate_kbps=128).read_bytes())
        assert found(data, "ICE609") == []
        with oracle.serve(data, box, port, "renamed-ogg") as server:
            assert get(server, port, "/renamed").body.startswith(b"OggS")
    finally:
        (box.webroot / "renamed.ogg").unlink()


# --------------------------------------------------------------------------- fileserve

#: What 2.4.4 still serves with file serving off, and what it refuses.
STILL_SERVED = (
    "/status.xsl",
    "/status-json.xsl",
    "/server_version.xsl",
    "/admin/",
    "/admin/stats",
    "/live",
    "/live.m3u",
    "/live.xspf",
    "/fallback.ogg",
)
NOT_SERVED = ("/style.css", "/hello.txt", "/fallback.mp3")


@pytest.mark.parametrize("value", ["0", "true"])
def test_fileserve_off(box: oracle.Sandbox, port: int, value: str) -> None:
    """ICE701: static files give 404; .xsl pages, admin, playlists, streams and file fallbacks work."""
    mount = "<mount><mount-name>/live</mount-name><fallback-mount>/fallback.ogg</fallback-mount></mount>"
    data = config(box, port, f"<fileserve>{value}</fileserve>{mount}")
    assert found(data, "ICE701")
    with oracle.serve(data, box, port, f"fileserve-{value}") as server:
        statuses = {path: get(server, port, path).status for path in STILL_SERVED + NOT_SERVED}
        assert statuses == {**dict.fromkeys(STILL_SERVED, 200), **dict.fromkeys(NOT_SERVED, 404)}
        assert get(server, port, "/live").headers["Content-Type"] == "audio/ogg"  # the file fallback plays
        assert "serving of static files has been disabled" in server.stderr()
    if value == "0":
        return  # `1` is shown serving the files by the `true` case

    cfg = icecfg.loads(data)
    cfg.fileserve = True  # what the message asks for (and ICE204's fix writes)
    fixed = cfg.document.dumps()
    assert b"<fileserve>1</fileserve>" in fixed and not found(fixed, "ICE701")
    with oracle.serve(fixed, box, port, f"fileserve-{value}-fixed") as server:
        for path in NOT_SERVED:
            assert get(server, port, path).status == 200, path
        assert server.stderr() == ""


# --------------------------------------------------------------------------- headers

TRAPS = """
  <http-headers><header name="X-A1" value="1"/><!-- a comment --><header name="X-B1" value="1"/></http-headers>
  <http-headers><header name="X-A2" value="2"/><header name="X-N2"/><header name="X-B2" value="2"/></http-headers>
  <http-headers><header name="X-A3" value="3"/><header type="cors" name="X-C3" value="*"/><header name="X-B3" value="3"/></http-headers>
  <http-headers><header name="X-Dup" value="one"/><header name="X-Dup" value="two"/></http-headers>"""
FIXED = """
  <!-- a comment -->
  <http-headers><header name="X-A1" value="1"/><header name="X-B1" value="1"/></http-headers>
  <http-headers><header name="X-A2" value="2"/><header name="X-N2" value="n"/><header name="X-B2" value="2"/></http-headers>
  <http-headers><header name="X-A3" value="3"/><header name="X-C3" value="*"/><header name="X-B3" value="3"/></http-headers>
  <http-headers><header name="X-Dup" value="two"/></http-headers>"""


def test_http_headers_traps(box: oracle.Sandbox, port: int) -> None:
    """ICE711: a comment, a header without value, type="cors" drop the later headers; ICE712: both sent."""
    bad = config(box, port, TRAPS)
    truncated = found(bad, "ICE711")
    assert len(truncated) == 3
    assert "the comment on line" in truncated[0] and "X-B1 are never sent" in truncated[0]
    assert "X-N2" in truncated[1] and "X-B2" in truncated[1]
    assert 'type="cors"' in truncated[2] and "X-B3" in truncated[2]
    assert len(found(bad, "ICE712")) == 1
    with oracle.serve(bad, box, port, "headers-bad") as server:
        headers = get(server, port, "/status-json.xsl").headers
        assert [headers.get(f"X-A{i}") for i in (1, 2, 3)] == ["1", "2", "3"]
        assert [headers.get(name) for name in ("X-B1", "X-N2", "X-B2", "X-C3", "X-B3")] == [None] * 5
        assert headers.get_all("X-Dup") == ["one", "two"]
        assert "Unknown type cors for HTTP Header X-C3" in server.stderr()

    good = config(box, port, FIXED)
    assert not found(good, "ICE711") and not found(good, "ICE712")
    with oracle.serve(good, box, port, "headers-good") as server:
        headers = get(server, port, "/status-json.xsl").headers
        for name, value in (("X-B1", "1"), ("X-N2", "n"), ("X-B2", "2"), ("X-C3", "*"), ("X-B3", "3")):
            assert headers.get(name) == value, name
        assert headers.get_all("X-Dup") == ["two"]


def test_icecast_already_sends_no_cache(box: oracle.Sandbox, port: int) -> None:
    """ICE713: no-cache headers on every response, the fallback stream of an override mount included."""
    mount = (
        "<mount><mount-name>/live</mount-name><fallback-mount>/fallback.ogg</fallback-mount>"
        "<fallback-override>1</fallback-override></mount>"
    )
    extra = '<http-headers><header name="Cache-Control" value="no-cache"/></http-headers>'
    data = config(box, port, extra + mount)
    assert len(found(data, "ICE713")) == 1
    with oracle.serve(config(box, port, mount), box, port, "cache") as server:
        for path in ("/live", "/status-json.xsl", "/nosuch"):
            headers = get(server, port, path).headers
            assert headers.get_all("Cache-Control") == ["no-cache, no-store"], path
            assert headers.get("Pragma") == "no-cache"
            assert headers.get("Expires") == "Mon, 26 Jul 1997 05:00:00 GMT"
    with oracle.serve(data, box, port, "cache-twice") as server:
        assert get(server, port, "/live").headers.get_all("Cache-Control") == [
            "no-cache, no-store",
            "no-cache",
        ]


# --------------------------------------------------------------------------- logging


@pytest.mark.parametrize(
    ("logging", "fatal"),
    [
        ("<errorlog>/tmp/icecfg-abs/err.log</errorlog>", "could not open error logging"),
        ("<errorlog>error.log</errorlog><accesslog>/dev/null</accesslog>", "could not open access logging"),
        (
            "<errorlog>error.log</errorlog><accesslog>sub/access.log</accesslog>",
            "could not open access logging",
        ),
    ],
    ids=["absolute-errorlog", "dev-null-accesslog", "missing-subdirectory"],
)
def test_unopenable_log_is_fatal(box: oracle.Sandbox, port: int, logging: str, fatal: str) -> None:
    """ICE801 / ICE803: exit status 1 with a FATAL line on stdout."""
    data = config(box, port, logging=logging)
    assert found(data, "ICE801") or found(data, "ICE803")
    result = oracle.start_expecting_exit(data, box, name="log-fatal")
    assert result.returncode == 1, result.describe()
    assert f"FATAL: {fatal} ({box.logdir}/" in result.stdout


def test_missing_logdir_is_fatal_and_relative_names_work(box: oracle.Sandbox, port: int) -> None:
    """ICE803: a missing logdir exits 1; ICE801's fix (error.log) starts."""
    missing = f"{box.root}/no-such-logdir"
    data = config(box, port, logdir=missing)
    assert found(data, "ICE803")
    result = oracle.start_expecting_exit(data, box, name="no-logdir")
    assert result.returncode == 1 and f"FATAL: could not open error logging ({missing}/error.log)" in result.stdout

    cfg = icecfg.loads(config(box, port, logging=f"<errorlog>{box.logdir}/error.log</errorlog>"))
    (fix,) = [f.fix for f in lint(cfg, target="2.4", files=False) if f.code == "ICE801"]
    assert fix is not None
    fix()
    box.clear_logs()
    with oracle.serve(cfg.document.dumps(), box, port, "log-fixed") as server:
        assert get(server, port, "/status-json.xsl").status == 200
        assert oracle.wait_until(lambda: "INFO" in (server.error_log("error.log") or ""))


def test_playlistlog_absolute_and_dash(box: oracle.Sandbox, port: int) -> None:
    """ICE801 (playlist: FATAL printed, server keeps running) and ICE802 (a file named -)."""
    data = config(box, port, logging="<errorlog>error.log</errorlog><playlistlog>/tmp/icecfg-pl.log</playlistlog>")
    assert "runs without a playlist log" in found(data, "ICE801")[0]
    with oracle.serve(data, box, port, "pl-abs") as server:
        assert get(server, port, "/status-json.xsl").status == 200
        assert f"FATAL: could not open playlist logging ({box.logdir}//tmp/icecfg-pl.log)" in server.stdout()
    box.clear_logs()
    data = config(box, port, logging="<errorlog>error.log</errorlog><playlistlog>-</playlistlog>")
    assert found(data, "ICE802")
    with oracle.serve(data, box, port, "pl-dash"):
        assert (box.logdir / "-").is_file()


def test_discarding_the_access_log(box: oracle.Sandbox, port: int) -> None:
    """ICE890: the fix's ../…/dev/null keeps nothing; `-` writes the lines (with the IP) to stderr."""
    plain = config(box, port)
    (message,) = found(plain, "ICE890", select=("ICE890",))
    assert not found(plain, "ICE890")  # opt-in: silent unless selected
    cfg = icecfg.loads(plain)
    (fix,) = [f.fix for f in lint(cfg, target="2.4", files=False, select=["ICE890"])]
    assert fix is not None
    fix()
    discard = cfg.document.dumps()
    assert not found(discard, "ICE890", select=("ICE890",)) and not found(discard, "ICE801")
    for name, data in (("plain", plain), ("discard", discard)):
        box.clear_logs()
        with oracle.serve(data, box, port, f"access-{name}") as server:
            assert get(server, port, "/status-json.xsl").status == 200
            agent_seen = lambda: "127.0.0.1" in (server.access_log() or "")  # noqa: E731
            if name == "plain":
                assert oracle.wait_until(agent_seen), message
            else:
                time.sleep(0.5)
                assert not (box.logdir / "access.log").exists()
                assert "access" not in " ".join(os.listdir(box.logdir))
    stderr_log = config(box, port, logging="<errorlog>error.log</errorlog><accesslog>-</accesslog>")
    assert not found(stderr_log, "ICE890", select=("ICE890",))
    box.clear_logs()
    with oracle.serve(stderr_log, box, port, "access-stderr") as server:
        get(server, port, "/status-json.xsl")
        assert oracle.wait_until(
            lambda: "127.0.0.1 - - [" in server.stderr() and "GET /status-json.xsl" in server.stderr()
        )
        assert not (box.logdir / "access.log").exists()


def test_debug_loglevel_floods_the_error_log(box: oracle.Sandbox, port: int) -> None:
    """ICE804: level 4 writes several debug lines per request; its fix (3) writes none."""
    cfg = icecfg.loads(config(box, port, logging="<errorlog>error.log</errorlog><loglevel>4</loglevel>"))
    debug = cfg.document.dumps()
    (finding,) = [f for f in lint(cfg, target="2.4", files=False) if f.code == "ICE804"]
    assert finding.fix is not None
    finding.fix()
    fixed = cfg.document.dumps()
    assert not found(fixed, "ICE804")
    lines = {}
    for name, data in (("debug", debug), ("fixed", fixed)):
        box.clear_logs()
        with oracle.serve(data, box, port, f"loglevel-{name}") as server:
            before = (server.error_log() or "").count(" DBUG ")
            for _ in range(10):
                get(server, port, "/status-json.xsl")
            if name == "debug":  # the lines are written a moment after the requests
                oracle.wait_until(lambda: (server.error_log() or "").count(" DBUG ") - before >= 30)  # noqa: B023
            else:
                time.sleep(0.3)  # nothing to wait for: give a stray debug line time to show
            lines[name] = (server.error_log() or "").count(" DBUG ") - before
    assert lines["debug"] >= 30 and lines["fixed"] == 0, lines


def test_logsize_is_in_kib(box: oracle.Sandbox, port: int) -> None:
    """ICE805: 2.4.4 reads `<logsize>` as KiB: with 2 the error log is moved to error.log.old past 2048 bytes."""
    logging = "<errorlog>error.log</errorlog><loglevel>4</loglevel><logsize>{}</logsize>"
    (message,) = found(config(box, port, logging=logging.format(2097152)), "ICE805")
    assert "if 2097152 bytes were meant, write 2048" in message
    data = config(box, port, logging=logging.format(2))
    assert not found(data, "ICE805")
    box.clear_logs()  # the log starts empty, so its size is counted from the first line
    with oracle.serve(data, box, port, "logsize") as server:
        for _ in range(10):
            get(server, port, "/status-json.xsl")
        rotated = box.logdir / "error.log.old"
        assert oracle.wait_until(rotated.is_file)
        written = rotated.read_bytes()
        last_line = len(written) - written.rfind(b"\n", 0, -1) - 1
        # before each line 2.4.4 rotates once the bytes written have passed logsize * 1024
        assert len(written) > 2048  # passed 2 KiB (with 2 bytes every line would rotate: one line in the file)
        assert len(written) - last_line <= 2048  # ... only with its last line
