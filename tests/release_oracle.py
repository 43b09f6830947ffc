"""Shared pieces of the oracle tests that run one configuration per release.

A test lints the bytes it runs for the release it names (``findings``),
starts that release's server on them and shows the harm, then does the same
with the configuration the rule asks for (``fixed``, what ``icecfg lint
--fix`` writes, or a hand edit with ``replaced``).  Used by the 2.5.0 and KH
oracle tests so the rules and the servers are checked the same way.
"""

from __future__ import annotations

import http.client
import json
import secrets
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import icecfg
from icecfg.lint import Finding, lint
from tests import audio, oracle
from tests.audio import encode

SOURCE_PASSWORD = secrets.token_hex(8)
ADMIN_PASSWORD = secrets.token_hex(8)


def box_for(release: str) -> Iterator[oracle.Sandbox]:
    """A sandbox of ``release`` for a module-scoped fixture (fails if the binary is not built)."""
    oracle.require_release(release)
    with oracle.temporary_sandbox(release=release) as sandbox:
        yield sandbox


def write_fallback_media(sandbox: oracle.Sandbox) -> None:
    """Put 128 kbps Ogg and MP3 fallback files and a static page in the sandbox's webroot."""
    sandbox.write("web/fallback.ogg", audio.make_ogg(bitrate_kbps=128).read_bytes())
    sandbox.write("web/fallback.mp3", encode("mp3", bitrate_kbps=128))
    sandbox.write("web/hello.txt", b"hello\n")


def config(box: oracle.Sandbox, port: int | None, **parts: object) -> bytes:
    """The harness's warning-free configuration for the sandbox's release (see ``oracle.basic_config``).

    The servers of a module share the sandbox's log directory: the logs of
    earlier servers are removed first.
    """
    box.clear_logs()
    ports = [port] if port is not None else []
    return oracle.basic_config(
        box,
        ports,
        source_password=SOURCE_PASSWORD,
        admin_password=ADMIN_PASSWORD,
        **parts,  # type: ignore[arg-type]
    )


def findings(data: bytes, target: str, code: str, *, files: bool = False) -> list[Finding]:
    """The findings of ``code`` (or a code prefix) for ``target`` (``files``: also the rules that read the disk).

    Every rule runs, as in ``icecfg lint``, with ``code`` selected too (an opt-in
    rule runs only so): a rule of another release then has no finding, where
    selecting it alone would run nothing, which ``lint`` refuses with ValueError.
    """
    cfg = icecfg.loads(data)
    select = ["ICE", code]
    found = lint(cfg, target, root="/", select=select) if files else lint(cfg, target, files=False, select=select)
    return [f for f in found if f.code.startswith(code)]


def replaced(data: bytes, old: str, new: str) -> bytes:
    assert old.encode() in data, old
    return data.replace(old.encode(), new.encode())


def listen(port: int, mount: str, timeout: float = 4) -> http.client.HTTPResponse:
    """A listener of ``mount`` that has been answered 200 (read it with :func:`drain`).

    ``timeout`` is how long one read waits for data: after a read that timed
    out, the stream cannot be read again.
    """
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    conn.request("GET", mount)
    response = conn.getresponse()
    assert response.status == 200
    return response


def drain(response: http.client.HTTPResponse, seconds: float, enough: int | None = None) -> tuple[int, bool]:
    """Bytes of a stream read within ``seconds`` (or until ``enough`` came) and whether the server closed it."""
    total, ended = _read(response, seconds, enough)
    return total, ended == "closed"


def read_until_quiet(response: http.client.HTTPResponse, within: float) -> tuple[int, str]:
    """Read until one read waits the listener's timeout for nothing: (bytes, "quiet", "closed" or "sending").

    "sending" means data still came after ``within`` seconds.  After "quiet"
    the stream cannot be read again (a socket that timed out is done).
    """
    return _read(response, within, None)


def _read(response: http.client.HTTPResponse, seconds: float, enough: int | None) -> tuple[int, str]:
    total = 0
    deadline = time.monotonic() + seconds
    try:
        while time.monotonic() < deadline:
            chunk = response.read1(65536)
            if not chunk:
                return total, "closed"
            total += len(chunk)
            if enough is not None and total >= enough:
                return total, "sending"
    except (TimeoutError, OSError):
        return total, "quiet"
    return total, "sending"


#: The Content-Type each release gives a file named ``.ogg``.
OGG_LABEL = {"2.4": "audio/ogg", "2.5": "audio/ogg", "kh": "application/ogg"}


def renamed_fallback_mounts(rate: str = "") -> str:
    """/renamed without source and /live, an Ogg stream, both fall back to /renamed.ogg: MP3 audio (ICE609).

    Neither declares a ``<type>``: what the listener is told comes from the file's name alone.
    """
    return "".join(
        f"<mount><mount-name>{name}</mount-name>{rate}<fallback-mount>/renamed.ogg</fallback-mount></mount>"
        for name in ("/renamed", "/live")
    )


def write_renamed_fallback(sandbox: oracle.Sandbox) -> bytes:
    """An MP3 file saved as ``renamed.ogg`` in the webroot; its bytes."""
    data = encode("mp3", bitrate_kbps=128)
    sandbox.write("web/renamed.ogg", data)
    return data


def show_renamed_fallback(
    server: oracle.IcecastServer, port: int, release: str, mp3: bytes, password: str = SOURCE_PASSWORD
) -> None:
    """ICE609's claims on a running server of ``renamed_fallback_mounts``: MP3 bytes go out as Ogg.

    A listener of the mount without source is answered the release's Ogg
    Content-Type (``OGG_LABEL``, from the file's name) and gets the MP3 bytes
    as they are; a listener of the Ogg stream /live is moved to the file when
    the source stops (no "different types" refusal: the name says Ogg) and
    gets the MP3 bytes after the Ogg pages.
    """
    tuned_in = server.http_get(port, "/renamed", timeout=2.0, max_body=4096)
    assert tuned_in.status == 200
    assert tuned_in.headers.get("Content-Type") == OGG_LABEL[release], tuned_in.headers
    assert not tuned_in.body.startswith(b"OggS") and tuned_in.body[:256] in mp3  # KH skips the ID3 tag
    ogg = audio.make_ogg().read_bytes()
    with server.source(port, "/live", ogg, password=password) as source:
        assert source.accepted
        server.wait_mount(port, "/live")
        listener = listen(port, "/live", timeout=2)
        assert listener.read1(4).startswith(b"OggS")  # the live stream: Ogg pages
    moved = MOVED[release].format(mount="/live", fallback="/renamed.ogg")
    assert moved in server.wait_log(moved)
    received = b""
    deadline = time.monotonic() + 10.0
    while time.monotonic() < deadline and mp3[-4096:-2048] not in received:
        received += listener.read1(65536)
    listener.close()
    assert mp3[-4096:-2048] in received  # the MP3 file, byte for byte, in what was an Ogg stream


#: A text file saved under an audio name: what ICE609 calls text.
PLACEHOLDER_TEXT = b"placeholder\n"
#: The line each release logs when it moves a stopped source's listeners to its fallback.
MOVED = {
    "2.4": 'passing 1 listeners to "{fallback}"',
    "2.5": 'passing 1 listeners from "{mount}" to "{fallback}"',
    "kh": "fallback set on {mount} to {fallback} (16000) with 1 listeners",
}


def unplayable_fallback_mounts(rate: str = "") -> str:
    """/empty and /text without source fall back to /empty.ogg (0 bytes) and /text.ogg; /live to /quiet.ogg (0 bytes).

    /live has a file of its own: on KH a listener who tuned in to the empty
    file of another mount crashes the server when /live's source connects.
    """
    return "".join(
        f"<mount><mount-name>{name}</mount-name><type>application/ogg</type>{rate}"
        f"<fallback-mount>{fallback}</fallback-mount></mount>"
        for name, fallback in (("/empty", "/empty.ogg"), ("/text", "/text.ogg"), ("/live", "/quiet.ogg"))
    )


def write_unplayable_fallbacks(sandbox: oracle.Sandbox) -> None:
    sandbox.write("web/empty.ogg", b"")
    sandbox.write("web/quiet.ogg", b"")
    sandbox.write("web/text.ogg", PLACEHOLDER_TEXT)


def show_unplayable_fallbacks(
    server: oracle.IcecastServer, port: int, release: str, password: str = SOURCE_PASSWORD
) -> None:
    """ICE609's claims on a running server of ``unplayable_fallback_mounts``.

    A listener of a mount without source whose fallback file is empty gets
    200 and no data on a connection that stays open; with a text file it
    gets the text, repeated, as the stream; a listener moved to the empty
    file when the source stops gets nothing more.
    """
    empty = listen(port, "/empty")
    assert drain(empty, 2.0) == (0, False)  # 200, then silence on an open connection
    empty.close()
    text = server.http_get(port, "/text", timeout=2.0, max_body=4096)
    assert text.status == 200
    repeats = len(text.body) // len(PLACEHOLDER_TEXT) + 1
    assert text.body == (PLACEHOLDER_TEXT * repeats)[: len(text.body)] and repeats > 3, text.body[:64]
    # what the server had buffered from the live source comes, then nothing for 2 s on an open connection
    assert moved_when_the_source_stops(server, port, release, "/quiet.ogg", password) == "quiet"


def moved_when_the_source_stops(
    server: oracle.IcecastServer, port: int, release: str, fallback: str, password: str
) -> str:
    """A listener of ``/live`` while a source plays, moved to ``fallback`` when it stops: how its stream ends.

    The live stream plays first (over 1,000 bytes), and the release logs the
    move; then what the server had buffered comes and the stream ends
    ``quiet`` (nothing for 2 s on an open connection) or ``closed``.
    """
    with server.source(port, "/live", audio.make_ogg(), password=password) as source:
        assert source.accepted
        server.wait_mount(port, "/live")
        listener = listen(port, "/live", timeout=2)
        received, _closed = drain(listener, 10.0, enough=1001)
        assert received > 1000  # the live stream plays
    moved = MOVED[release].format(mount="/live", fallback=fallback)
    assert moved in server.wait_log(moved)
    try:
        return read_until_quiet(listener, 30.0)[1]
    finally:
        listener.close()


def unreadable_fallback_mounts(rate: str = "") -> str:
    """/locked falls back to /locked.ogg (mode 000), /folder to /folder.ogg and /live to /hollow.ogg (directories)."""
    return "".join(
        f"<mount><mount-name>{name}</mount-name><type>application/ogg</type>{rate}"
        f"<fallback-mount>{fallback}</fallback-mount></mount>"
        for name, fallback in (("/locked", "/locked.ogg"), ("/folder", "/folder.ogg"), ("/live", "/hollow.ogg"))
    )


def write_unreadable_fallbacks(sandbox: oracle.Sandbox) -> None:
    """Audio the server's user may not read, and two directories named as fallback files."""
    sandbox.write("web/locked.ogg", audio.make_ogg(bitrate_kbps=128).read_bytes(), mode=0o000)
    sandbox.mkdir("web/folder.ogg")
    sandbox.mkdir("web/hollow.ogg")


def remove_unreadable_fallbacks(sandbox: oracle.Sandbox) -> None:
    (sandbox.webroot / "locked.ogg").unlink()
    (sandbox.webroot / "folder.ogg").rmdir()
    (sandbox.webroot / "hollow.ogg").rmdir()


def lint_as_server_user(data: bytes, target: str, code: str) -> list[str]:
    """The messages of ``code`` when ``icecfg lint`` reads the files as the server's user does.

    In-process lint runs as the test (root), which reads a file of mode 000;
    Icecast's user does not.
    """
    run = oracle.icecfg_as_runtime_user(
        "lint",
        "--isolated",
        "--target",
        target,
        "--format",
        "json",
        "--select",
        f"ICE,{code}",
        "-",
        cwd=Path(tempfile.gettempdir()),
        stdin=data.decode(),
    )
    assert run.returncode in (0, 1) and "Traceback" not in run.stderr, run
    return [finding["message"] for finding in json.loads(run.stdout) if finding["code"] == code]


def show_unreadable_fallbacks(
    server: oracle.IcecastServer, port: int, release: str, password: str = SOURCE_PASSWORD
) -> None:
    """ICE602's and ICE609's claims on a running server of ``unreadable_fallback_mounts``.

    A fallback file the server's user cannot read is a 404, as a missing one
    is.  A directory in a fallback file's place gets no data to a listener
    who tunes in (200) nor to one moved there when the source stops: 2.4.4
    and 2.5.0 keep the connection open, Icecast-KH closes it at once.
    """
    kh = release == "kh"
    assert server.http_get(port, "/locked", max_body=2048).status == 404
    folder = listen(port, "/folder")
    assert drain(folder, 2.0) == (0, kh)  # 200, then silence (an open connection but on KH)
    folder.close()
    # what the server had buffered from the live source comes, then nothing
    assert moved_when_the_source_stops(server, port, release, "/hollow.ogg", password) == ("closed" if kh else "quiet")
    if kh:
        assert "different type detected for /hollow.ogg" in server.wait_log("different type detected for /hollow.ogg")
