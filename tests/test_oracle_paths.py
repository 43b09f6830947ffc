"""Files Icecast reads at start, checked on the running 2.4.4, 2.5.0 and Icecast-KH.

When each release reads them (while it parses the configuration, before the
chroot, or at start, after it), and what a missing or broken one does: 2.5's
``<reportxmldb>`` (ICE513), the mime types file and 2.5's ``<geoipdb>``
(ICE509, explain's paths).  Starts "as root" run in a user namespace, where
each release chroots and then refuses to run as root: what it read before
that shows in its output and logs.
"""

from __future__ import annotations

import re
import secrets
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import icecfg
from icecfg.audio import BUILT_IN_MIME, EXTENSION_MIME, UNKNOWN_MIME, mime_of_name
from tests import audio, oracle
from tests.audio import encode
from tests.oracle_checks import box_of, findings, release_config
from tests.release_oracle import drain, lint_as_server_user, listen

SOURCE_PASSWORD = secrets.token_hex(8)
ADMIN_PASSWORD = secrets.token_hex(8)
CHROOT = "<security><chroot>1</chroot></security>"
#: A mime types file that names an extension no release knows by itself.
MIME_TYPES = b"application/x-icecfg-probe  icecfgprobe\n"
PROBE = "/probe.icecfgprobe"


def config(box: oracle.Sandbox, ports: list[int], **parts: object) -> bytes:
    return release_config(box, ports, source_password=SOURCE_PASSWORD, admin_password=ADMIN_PASSWORD, **parts)


def chrooted(box: oracle.Sandbox, port: int, extra_paths: str = "", extra: str = "") -> bytes:
    """A configuration that chroots into the sandbox, its log directory written as seen inside."""
    data = config(box, [port], extra=CHROOT + extra, extra_paths=f"<basedir>{box.root}</basedir>{extra_paths}")
    return data.replace(f"<logdir>{box.logdir}</logdir>".encode(), f"<logdir>/{box.logdir.name}</logdir>".encode())


@pytest.fixture
def host_dir() -> Iterator[Path]:
    """A directory outside every sandbox (so outside the chroot) that the server's user can read."""
    path = Path(tempfile.mkdtemp(prefix="icecfg-host-"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path)


def everything_logged(result: oracle.IcecastExit, box: oracle.Sandbox) -> str:
    """What a release that has exited wrote: its output and its error log (inside the chroot or not)."""
    log = box.logdir / "error.log"
    return result.stdout + result.stderr + (log.read_text() if log.exists() else "")


# -- <reportxmldb> (2.5) ------------------------------------------------------------------------------------


REPORT_PROBLEMS = ["missing", "unreadable", "not-xml", "other-document", "directory"]


def broken_report_database(box: oracle.Sandbox, problem: str, installed: bytes) -> Path:
    """A report database path that 2.5.0 cannot load for ``problem``."""
    if problem == "missing":
        return box.root / "no-report-db.xml"
    if problem == "unreadable":
        return box.write("unreadable-db.xml", installed, mode=0o000)
    if problem == "not-xml":
        return box.write("half-db.xml", installed[: len(installed) // 2])
    if problem == "other-document":
        return box.write("other-db.xml", b'<?xml version="1.0"?>\n<notes/>\n')
    return box.mkdir("db-directory")


@pytest.mark.parametrize("problem", REPORT_PROBLEMS)
def test_a_report_database_2_5_cannot_load_is_logged_and_the_server_runs(
    problem: str, request: pytest.FixtureRequest
) -> None:
    """ICE513 on 2.5.0: the file is not loaded, ``Can not parse report xml database`` is printed
    on standard error (the error log is not open yet) and the server starts and serves."""
    box = box_of("2.5", request)
    port = oracle.free_port()
    data = config(box, [port])
    written = re.search(rb"<reportxmldb>([^<]+)</reportxmldb>", data)
    assert written is not None
    path = broken_report_database(box, problem, Path(written[1].decode()).read_bytes())
    variant = data.replace(written[0], f"<reportxmldb>{path}</reportxmldb>".encode())
    if problem == "unreadable":  # root reads a file of mode 000: lint as the server's user
        messages = lint_as_server_user(variant, "2.5", "ICE513")
    else:
        messages = [f.message for f in findings(variant, "2.5", "ICE513", files=True)]
    (message,) = messages
    assert f"<reportxmldb> {path} " in message and "Can not parse report xml database" in message, message
    assert not findings(data, "2.5", "ICE513", files=True), "the installed database is reported"
    with oracle.IcecastServer(variant, box, wait_port=port, name=f"report-db-{problem}") as server:
        assert server.http_get(port, "/status-json.xsl").status == 200
        assert f'EROR CONFIG/_parse_paths Can not parse report xml database "{path}"' in server.stderr()
        assert "report xml database" not in (server.error_log() or "")


def test_without_its_report_database_2_5_answers_as_with_the_installed_one(request: pytest.FixtureRequest) -> None:
    """The database 2.5.0 installs defines no report text: a missing one changes no answer (ICE513 is a warning)."""
    box = box_of("2.5", request)
    port = oracle.free_port()
    data = config(box, [port])
    written = re.search(rb"<reportxmldb>[^<]+</reportxmldb>", data)
    assert written is not None
    answers = []
    for variant in (data, data.replace(written[0], f"<reportxmldb>{box.root}/none.xml</reportxmldb>".encode())):
        with oracle.IcecastServer(variant, box, wait_port=port, name="report-db-answers") as server:
            responses = [server.http_get(port, path) for path in ("/no-such-file.html", "/admin/nosuch")]
            answers.append([(response.status, response.body) for response in responses])
    assert answers[0] == answers[1]
    assert [status for status, _ in answers[0]] == [404, 400]


def test_2_5_loads_each_report_database_written(request: pytest.FixtureRequest) -> None:
    """Each ``<reportxmldb>`` is read, not only the last: a broken first one is logged before the installed one.

    So explain lists both, ICE104 calls neither ignored, and ICE513 judges each.
    """
    box = box_of("2.5", request)
    port = oracle.free_port()
    data = config(box, [port])
    written = re.search(rb"<reportxmldb>[^<]+</reportxmldb>", data)
    assert written is not None
    missing = box.root / "first-db.xml"
    variant = data.replace(written[0], f"<reportxmldb>{missing}</reportxmldb>".encode() + written[0])
    cfg = icecfg.loads(variant)
    listed = [one["value"] for one in icecfg.explain(cfg, "2.5").to_json()["paths"]["reportxmldb"]]
    assert listed == [str(missing), written[0][len(b"<reportxmldb>") : -len(b"</reportxmldb>")].decode()]
    assert not findings(variant, "2.5", "ICE104", files=True)
    (unreadable,) = findings(variant, "2.5", "ICE513", files=True)
    assert str(missing) in unreadable.message
    with oracle.IcecastServer(variant, box, wait_port=port, name="report-db-each") as server:
        assert f'Can not parse report xml database "{missing}"' in server.stderr()


# -- the mime types file (2.4.4, 2.5.0, KH) -----------------------------------------------------------------

#: The element that names the mime types file on each release (2.4.4 reads only the root's, KH only <paths>').
MIME_IN_PATHS = {"2.4": False, "2.5": True, "kh": True}


def mime_parts(release: str, path: Path | str) -> dict[str, str]:
    """``config`` keyword arguments that name the mime types file ``path`` as ``release`` reads it."""
    element = f"<mime-types>{path}</mime-types>"
    return {"extra_paths": element} if MIME_IN_PATHS[release] else {"extra": element}


@pytest.mark.parametrize("release", ["2.4", "2.5", "kh"])
def test_the_mime_types_file_is_read_once_at_start(release: str, request: pytest.FixtureRequest) -> None:
    """Each release reads the mime types file at start, not on first use: moved away after the start, its
    types still apply.  A missing one is logged at start (before any request) and the server runs, with
    ``application/octet-stream`` for the extensions only the file named."""
    box = box_of(release, request)
    port = oracle.free_port()
    box.write(f"web{PROBE}", b"probe\n")
    mime = box.write("probe.types", MIME_TYPES)
    data = config(box, [port], **mime_parts(release, mime))
    assert icecfg.explain(icecfg.loads(data), release).paths.values["mime-types"].outside == str(mime)
    with oracle.IcecastServer(data, box, wait_port=port, name="mime-at-start") as server:
        time.sleep(0.5)
        moved = mime.rename(box.root / "moved.types")
        try:
            answer = server.http_get(port, PROBE)
        finally:
            moved.rename(mime)
        assert (answer.status, answer.headers["Content-Type"]) == (200, "application/x-icecfg-probe")
    missing = box.root / "no-such.types"
    data = config(box, [port], **mime_parts(release, missing))
    with oracle.IcecastServer(data, box, wait_port=port, name="mime-missing") as server:
        time.sleep(0.5)
        before = server.stdout() + server.stderr() + (server.error_log() or "")
        assert f"WARN fserve/fserve_recheck_mime_types Cannot open mime types file {missing}" in before
        answer = server.http_get(port, PROBE)
        assert (answer.status, answer.headers["Content-Type"]) == (200, "application/octet-stream")


@pytest.mark.parametrize("release", ["2.4", "2.5", "kh"])
def test_the_mime_types_file_is_read_after_the_chroot(
    release: str, request: pytest.FixtureRequest, host_dir: Path
) -> None:
    """Started as root (of a user namespace) with <chroot>, each release reads the mime types file inside
    the basedir: one that exists only on the host is not found, one that exists only inside is.  Explain's
    ``outside`` is the file read, and ICE509 reports the host-only one (2.4's root <mime-types> included)."""
    box = box_of(release, request)
    port = oracle.free_port()
    host = host_dir / "host-only.types"
    host.write_bytes(MIME_TYPES)
    box.write("inside/probe.types", MIME_TYPES)  # /inside/probe.types inside; absent on the host at that path
    for path, found in ((str(host), False), ("/inside/probe.types", True)):
        data = chrooted(box, port, **mime_parts(release, path))
        explained = icecfg.explain(icecfg.loads(data), release).paths.values["mime-types"]
        assert explained.outside == f"{box.root}{path}"
        reported = [f.message for f in findings(data, release, "ICE508", "ICE509", files=True) if path in f.message]
        if found:
            assert not reported, reported
        else:
            (message,) = reported
            assert f"<mime-types> {path}: after the chroot" in message, message
        result = oracle.start_expecting_exit(
            data, box, name=f"mime-chroot-{release}", expect_crash=True, namespace_root=True
        )
        output = everything_logged(result, box)
        assert f'Changed root successfully to "{box.root}"' in output, result.describe()
        assert "You should not run icecast2 as root" in output, result.describe()
        assert (f"Cannot open mime types file {path}" in output) is not found, result.describe()


def test_2_5_reads_the_root_and_the_paths_mime_types_and_keeps_the_later(request: pytest.FixtureRequest) -> None:
    """2.5.0 still reads the obsolete root <mime-types> as it meets it: the later of it and
    <paths><mime-types> names the file used, and explain says which."""
    box = box_of("2.5", request)
    port = oracle.free_port()
    box.write(f"web{PROBE}", b"probe\n")
    root_file = box.write("root.types", b"application/x-from-root  icecfgprobe\n")
    paths_file = box.write("paths.types", b"application/x-from-paths  icecfgprobe\n")
    at_root = f"<mime-types>{root_file}</mime-types>"
    root_last = config(box, [port], extra=at_root, extra_paths=f"<mime-types>{paths_file}</mime-types>")
    assert root_last.index(at_root.encode()) > root_last.index(b"<paths>")
    root_first = root_last.replace(at_root.encode(), b"").replace(b"<paths>", at_root.encode() + b"<paths>")
    for data, used, kind in ((root_last, root_file, "root"), (root_first, paths_file, "paths")):
        assert icecfg.explain(icecfg.loads(data), "2.5").paths.values["mime-types"].value.value == str(used)
        with oracle.IcecastServer(data, box, wait_port=port, name="mime-both") as server:
            assert server.http_get(port, PROBE).headers["Content-Type"] == f"application/x-from-{kind}"


#: Debian's mime types file, which icecfg's table (``icecfg.audio.EXTENSION_MIME``) follows.
DEBIAN_MIME_TYPES = Path("/etc/mime.types")


@pytest.mark.parametrize("release", ["2.4", "2.5", "kh"])
def test_each_release_labels_files_as_icecfg_s_table_says_with_and_without_the_mime_types_file(
    release: str, request: pytest.FixtureRequest
) -> None:
    """The Content-Type of a static file of each extension icecfg knows, with Debian's mime types file and
    with a missing one: ``mime_of_name`` for the release, else ``application/octet-stream`` (extensions are
    looked up as written).  Without the file the status page and the mounts' playlists still work."""
    assert DEBIAN_MIME_TYPES.is_file(), "Debian's /etc/mime.types is missing: make setup installs media-types"
    box = box_of(release, request)
    port = oracle.free_port()
    names = [f"file.{ext}" for ext in sorted({*EXTENSION_MIME, *BUILT_IN_MIME[release]})] + ["UPPER.OGG", "UPPER.Mp3"]
    for name in names:
        box.write(f"web/{name}", b"labelled\n")
    mount = "<mount><mount-name>/live.ogg</mount-name></mount>"
    for path, read in ((DEBIAN_MIME_TYPES, True), (box.root / "no-such.types", False)):
        parts = mime_parts(release, path)
        parts["extra"] = parts.get("extra", "") + mount
        data = config(box, [port], **parts)
        with oracle.IcecastServer(data, box, wait_port=port, name=f"mime-table-{read}") as server:
            served = {name: server.http_get(port, f"/{name}").headers["Content-Type"] for name in names}
            told = {name: mime_of_name(name, release, mime_file=read) or UNKNOWN_MIME for name in names}
            assert served == told
            assert server.http_get(port, "/status.xsl").status == 200
            playlist = server.http_get(port, "/live.ogg.m3u")
            assert (playlist.status, playlist.headers["Content-Type"]) == (200, "audio/x-mpegurl")


def fallback_mount(release: str) -> str:
    """/live.ogg, falling back to /fallback.opus (on KH at 64 kbit/s: see ICE608).

    One mount: each file fallback starts a thread as 2.4.4 and 2.5.0 start, and
    the more of them, the more often a start dies of their start-up race.
    """
    if release == "kh":
        fallback = "<fallback><mount>/fallback.opus</mount><rate>64k</rate></fallback>"
    else:
        fallback = "<fallback-mount>/fallback.opus</fallback-mount>"
    return f"<mount><mount-name>/live.ogg</mount-name>{fallback}</mount>"


@pytest.mark.parametrize("release", ["2.4", "2.5", "kh"])
def test_without_the_mime_types_file_an_opus_fallback_is_unlabelled_and_on_2_4_2_5_takes_no_listeners(
    release: str, request: pytest.FixtureRequest
) -> None:
    """ICE702: with the mime types file an Ogg Opus file fallback is ``audio/ogg``; without it each release
    sends it as ``application/octet-stream`` to a listener who comes while no source plays, and 2.4.4 and
    2.5.0 no longer move the listeners of an Ogg source to it when the source stops (dropped); KH still does."""
    box = box_of(release, request)
    port = oracle.free_port()
    box.write("web/fallback.opus", encode("opus", bitrate_kbps=64))
    present = box.write("present.types", b"audio/ogg\toga ogg opus spx\n")
    for path in (present, box.root / "no-such.types"):
        read = path.exists()
        parts = mime_parts(release, path)
        parts["extra"] = parts.get("extra", "") + fallback_mount(release)
        data = config(box, [port], **parts)
        reported = findings(data, release, "ICE702", files=True)
        if read:
            assert not reported, reported
        else:
            (finding,) = reported
            assert "the file fallback /fallback.opus of /live.ogg goes out as application/octet-stream" in (
                finding.message
            )
            assert ("its listeners are dropped instead of moved to it" in finding.message) is (release != "kh")
        with oracle.IcecastServer(data, box, wait_port=port, name=f"mime-fallback-{read}") as server:
            waiting = server.http_get(port, "/live.ogg", max_body=4096)  # no source yet: the fallback file
            assert (waiting.status, waiting.headers["Content-Type"]) == (200, "audio/ogg" if read else UNKNOWN_MIME)
            with server.source(port, "/live.ogg", audio.make_ogg(), password=SOURCE_PASSWORD) as source:
                assert source.accepted
                server.wait_mount(port, "/live.ogg")
                listener = listen(port, "/live.ogg", timeout=2)
                assert drain(listener, 10.0, enough=1001)[0] > 1000  # the live stream plays
            try:
                received, closed = drain(listener, 4.0)
            finally:
                listener.close()
            moved = read or release == "kh"
            assert (closed, received > 10_000) == (not moved, moved), (received, closed)
            refused = "/live.ogg and /fallback.opus are of different types, ignored"
            assert (refused in (server.error_log() or "")) is not moved


# -- <geoipdb> (2.5) ----------------------------------------------------------------------------------------


def test_2_5_looks_its_geoip_database_up_on_the_host_and_runs_without_one(
    request: pytest.FixtureRequest, host_dir: Path
) -> None:
    """The 2.5.0 tested is built without libmaxminddb: it never opens <geoipdb> (no ``geoip database``
    line), it only looks the file up while it parses the configuration, before the chroot
    (``Requesting file status ... failed`` for a path missing on the host), and a missing one stops
    nothing.  A build with libmaxminddb opens it at start, after the chroot (``geoip_db_new`` after
    ``_ch_root_uid_setup`` in main.c): what explain's ``outside`` and ICE509 go by."""
    box = box_of("2.5", request)
    port = oracle.free_port()
    missing = box.root / "no-such.mmdb"
    with oracle.IcecastServer(
        config(box, [port], extra_paths=f"<geoipdb>{missing}</geoipdb>"), box, wait_port=port, name="geoip-missing"
    ) as server:
        assert server.http_get(port, "/status-json.xsl").status == 200
        assert f'Requesting file status for "{missing}" failed' in server.stderr()
    host = host_dir / "host.mmdb"
    host.write_bytes(b"not a database")
    box.write("inside/geo.mmdb", b"not a database")
    for path, on_host in ((str(host), True), ("/inside/geo.mmdb", False)):
        data = chrooted(box, port, extra_paths=f"<geoipdb>{path}</geoipdb>")
        assert icecfg.explain(icecfg.loads(data), "2.5").paths.values["geoipdb"].outside == f"{box.root}{path}"
        reported = [f for f in findings(data, "2.5", "ICE509", files=True) if path in f.message]
        assert bool(reported) is on_host, reported
        result = oracle.start_expecting_exit(data, box, name="geoip-chroot", expect_crash=True, namespace_root=True)
        output = everything_logged(result, box)
        assert f'Changed root successfully to "{box.root}"' in output, result.describe()
        assert (f'Requesting file status for "{path}" failed' in output) is not on_host, result.describe()
        assert "geoip database" not in output, result.describe()
