"""The ``<limits>`` defaults ``icecfg explain`` gives each release, shown on the real servers.

Every test runs a file that writes no ``<limits>`` setting, asks explain for
the default of one, and shows the running release does that: the client
and source counts it admits, the burst a new listener gets, how long a
stalled source and a silent connection are kept, the request body 2.5.0
reads (the burst also shows 2.4.4's and 2.5.0's ``burst-on-connect``
default).  Left out, as no client
on 127.0.0.1 sees them within seconds: ``queue-size`` (the drop point adds
the server's socket buffer, which loopback grows to megabytes),
``client-timeout`` and 2.4.4's ``threadpool`` (no release uses them),
2.5.0's ``body-timeout`` (25 s after a request body stalls) and
``server-idle-timeout`` (5 minutes), KH's ``workers`` and ``min-queue-size``
(server internals).
"""

from __future__ import annotations

import contextlib
import socket
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

import icecfg
from icecfg.effective.provenance import Source
from tests import audio, oracle
from tests.oracle_checks import listener_bytes
from tests.release_oracle import SOURCE_PASSWORD, box_for, config

RELEASES = ("2.4", "2.5", "kh")


@pytest.fixture(scope="module", params=RELEASES)
def box(request: pytest.FixtureRequest) -> Iterator[oracle.Sandbox]:
    """One sandbox per release; the tests run release by release."""
    yield from box_for(request.param)


@pytest.fixture(scope="module")
def song() -> bytes:
    return audio.make_ogg(seconds=20, bitrate_kbps=64).read_bytes()


def _default(data: bytes, release: str, name: str) -> int:
    """The value explain gives ``<limits><name>`` of ``data``, which must be the release's default."""
    found = icecfg.explain(icecfg.loads(data), release).limits.values[name]
    assert found.origin.source is Source.DEFAULT, found
    assert isinstance(found.value, int), found
    return found.value


def _status_line(port: int, mount: str) -> tuple[socket.socket, bytes]:
    """A listener of ``mount`` kept connected, and the first bytes of its answer (its status line)."""
    conn = socket.create_connection(("127.0.0.1", port), timeout=20)
    conn.sendall(f"GET {mount} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n".encode())
    try:
        return conn, conn.recv(12)
    except OSError:
        return conn, b""


#: The status each release refuses a client over ``<clients>`` with.
_REFUSED = {"2.4": b" 403", "2.5": b" 503", "kh": b" 403"}


def test_the_default_client_limit_explain_gives_is_enforced(box: oracle.Sandbox, song: bytes) -> None:
    """``clients``: with a source on, default - 1 listeners are served and the next ones refused.

    The source is one of the clients the limit counts.  The listeners connect
    all at once and stay: 2.4.4 takes a third of a second for each one that
    connects after the last was answered.
    """
    port = oracle.free_port()
    data = config(box, port)
    clients = _default(data, box.release, "clients")
    assert clients <= 1024, clients  # one connection each: the test opens that many
    with (
        oracle.serve(data, box, port, f"{box.release}-default-clients") as server,
        server.source(port, "/live.ogg", song, password=SOURCE_PASSWORD) as source,
    ):
        assert source.accepted
        server.wait_mount(port, "/live.ogg")
        with ThreadPoolExecutor(64) as pool:
            answers = list(pool.map(lambda _: _status_line(port, "/live.ogg"), range(clients - 1)))
        # one at a time: KH counts a client it refuses until the refusal is sent
        answers += [_status_line(port, "/live.ogg") for _ in range(3)]
        for conn, _status in answers:
            conn.close()
    statuses = [status[-4:] for _conn, status in answers]
    assert statuses == [b" 200"] * (clients - 1) + [_REFUSED[box.release]] * 3, statuses


def test_the_default_source_limit_explain_gives_is_enforced(box: oracle.Sandbox, song: bytes) -> None:
    """``sources``: that many sources are accepted, one more is refused."""
    port = oracle.free_port()
    data = config(box, port)
    sources = _default(data, box.release, "sources")
    assert sources <= 64, sources
    with oracle.serve(data, box, port, f"{box.release}-default-sources") as server, contextlib.ExitStack() as on:
        for index in range(sources):
            client = on.enter_context(server.source(port, f"/s{index}.ogg", song, password=SOURCE_PASSWORD))
            assert client.accepted, (index, client.status, client.reason)
        server.wait_mount(port, f"/s{sources - 1}.ogg")
        with server.source(port, "/one-more.ogg", song, password=SOURCE_PASSWORD) as extra:
            assert not extra.accepted and extra.status is not None and extra.status >= 400, extra


#: The source's rate in the burst test: a third of the default burst a second, so a listener's
#: first quarter of a second holds the burst and little more.
_BURST_RATE = 20000


def test_the_default_burst_explain_gives_is_what_a_new_listener_gets(box: oracle.Sandbox, song: bytes) -> None:
    """``burst-size``: a new listener of a running source gets about that many bytes at once."""
    port = oracle.free_port()
    data = config(box, port)
    burst = _default(data, box.release, "burst-size")
    with oracle.serve(data, box, port, f"{box.release}-default-burst") as server:
        source = server.source(port, "/live.ogg", song, password=SOURCE_PASSWORD, bytes_per_second=_BURST_RATE)
        with source:
            assert source.accepted
            server.wait_mount(port, "/live.ogg")
            # queue more than twice the burst, so the burst and not the queue is what is sent
            assert oracle.wait_until(lambda: source.bytes_sent > 2 * burst + _BURST_RATE, timeout=15)
            received = [listener_bytes(port, "/live.ogg", 0.25, after_headers=True) for _ in range(3)]
    # besides the burst: the stream's Ogg headers (4 KB), whole pages of 4 KB at either end of it
    # and what the source sends in the window (5 KB).  Measured: 2.4.4 and 2.5.0 up to 21 KB more,
    # KH up to 15 KB (it sends the burst over a fifth of a second).  No burst at all would be a
    # few KB, the whole queue more than twice the burst.
    assert all(burst <= got <= burst + 28672 for got in received), (burst, received)


def test_a_stalled_source_is_dropped_after_the_default_source_timeout(box: oracle.Sandbox, song: bytes) -> None:
    """``source-timeout``: a source that stops sending is dropped after about the default."""
    port = oracle.free_port()
    data = config(box, port)
    timeout = _default(data, box.release, "source-timeout")
    assert timeout <= 20, timeout
    with (
        oracle.serve(data, box, port, f"{box.release}-default-source-timeout") as server,
        server.source(port, "/live.ogg", song, password=SOURCE_PASSWORD) as source,
    ):
        assert source.accepted
        server.wait_mount(port, "/live.ogg")
        source.pause()  # connected, sending nothing
        start = time.monotonic()
        server.wait_mount_gone(port, "/live.ogg", timeout=timeout + 5)
        gone = time.monotonic() - start
    assert timeout - 2 <= gone <= timeout + 3, (timeout, gone)


def test_a_silent_connection_is_closed_after_the_default_header_timeout(box: oracle.Sandbox) -> None:
    """``header-timeout``: a connection that sends no request is closed after about the default."""
    port = oracle.free_port()
    data = config(box, port)
    timeout = _default(data, box.release, "header-timeout")
    assert timeout <= 20, timeout
    with (
        oracle.serve(data, box, port, f"{box.release}-default-header-timeout"),
        socket.create_connection(("127.0.0.1", port), timeout=timeout + 10) as conn,
    ):
        start = time.monotonic()
        answer = conn.recv(4096)  # blocks until the server closes the connection
        closed = time.monotonic() - start
    assert answer == b"" and timeout - 2 <= closed <= timeout + 3, (timeout, closed, answer)


# only 2.5: 2.4.4 and KH have no <bodysize>
@pytest.mark.parametrize("box", ["2.5"], indirect=True)
def test_a_request_body_is_cut_at_the_default_bodysize(box: oracle.Sandbox) -> None:
    """``bodysize``: a POST whose body is longer than the default is closed once that many bytes came.

    One byte fewer and the connection waits for the rest of the body.
    """
    port = oracle.free_port()
    data = config(box, port)
    size = _default(data, box.release, "bodysize")
    head = f"POST /status.xsl HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {2 * size}\r\n\r\n".encode()
    with (
        oracle.serve(data, box, port, f"{box.release}-default-bodysize"),
        socket.create_connection(("127.0.0.1", port), timeout=1.5) as conn,
    ):
        conn.sendall(head + b"a" * (size - 1))
        with pytest.raises(TimeoutError):
            conn.recv(4096)  # still open, waiting for the body
        conn.settimeout(5)
        conn.sendall(b"a")
        assert conn.recv(4096) == b""  # closed with no answer
