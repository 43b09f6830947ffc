"""Small probes the oracle tests share: does a port speak HTTP or TLS, is it closed,
did the server contact a loopback address it was pointed at.

They sit on top of :mod:`tests.oracle` (the harness) and know nothing about rules.
"""

from __future__ import annotations

import base64
import contextlib
import datetime
import http.client
import os
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from xml.etree import ElementTree

import pytest

import icecfg
from icecfg.lint import Finding, lint
from tests import oracle

TRANSPORT_ERRORS = (OSError, http.client.HTTPException)


def release_config(
    box: oracle.Sandbox, ports: list[int], *, source_password: str, admin_password: str, **parts: object
) -> bytes:
    """:func:`oracle.basic_config` for the sandbox's release, after emptying its log directory.

    The servers of a module share one sandbox: removing the earlier servers'
    logs first lets each check read only its own server's lines.
    """
    box.clear_logs()
    return oracle.basic_config(
        box,
        ports,
        source_password=source_password,
        admin_password=admin_password,
        **parts,  # type: ignore[arg-type]
    )


def box_of(release: str, request: pytest.FixtureRequest) -> oracle.Sandbox:
    """The module's sandbox for ``release`` (the ``box24``/``box25``/``boxkh`` fixtures of conftest.py)."""
    box = request.getfixturevalue({"2.4": "box24", "2.5": "box25", "kh": "boxkh"}[release])
    assert isinstance(box, oracle.Sandbox)
    return box


def findings(data: bytes, target: str, *codes: str, files: bool = False) -> list[Finding]:
    """The findings of ``codes`` for ``data`` on ``target`` (``files``: read the real filesystem)."""
    return [f for f in lint(icecfg.loads(data), target, files=files) if f.code in codes]


def fixed(data: bytes, target: str, code: str) -> bytes:
    """The configuration after the fixes of ``code`` (what ``icecfg lint --fix`` writes)."""
    cfg = icecfg.loads(data)
    for finding in lint(cfg, target, files=False, select=[code]):
        assert finding.fix is not None, finding
        finding.fix()
    return icecfg.dumps(cfg)


def answers(
    server: oracle.IcecastServer, port: int, *, tls: bool = False, path: str = "/", timeout: float = 3.0
) -> int | None:
    """The HTTP status ``port`` answers (over TLS when ``tls``), or None when nothing usable comes back.

    A plain request to a TLS port is reset or left hanging, and so is a TLS
    handshake with a plain port: a short timeout suits expected failures.
    Any status counts as an answer (KH serves no status page, so ``/`` is a 404).
    """
    try:
        return server.http_get(port, path, tls=tls, timeout=timeout).status
    except TRANSPORT_ERRORS:
        return None


def plain_ok(server: oracle.IcecastServer, port: int, timeout: float = 3.0, path: str = "/status-json.xsl") -> bool:
    """Whether ``port`` answers a plain HTTP request for ``path`` with 200."""
    return answers(server, port, path=path, timeout=timeout) == 200


def tls_ok(server: oracle.IcecastServer, port: int, timeout: float = 3.0, path: str = "/status-json.xsl") -> bool:
    """Whether ``port`` answers an HTTPS request for ``path`` with 200; a plain port leaves the handshake hanging."""
    return answers(server, port, tls=True, path=path, timeout=timeout) == 200


def verified_handshake(port: int, trusted: Path, host: str | None = None) -> str:
    """A TLS handshake that trusts only ``trusted``, as a player would; "ok" or the reason it fails.

    With ``host``, the certificate's names are checked against it, as a
    player connecting to ``https://host`` does; without, only its chain and dates.
    """
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = host is not None
    context.load_verify_locations(cafile=str(trusted))
    try:
        with (
            socket.create_connection(("127.0.0.1", port), timeout=3) as raw,
            context.wrap_socket(raw, server_hostname=host) as tls,
        ):
            tls.do_handshake()
            return "ok"
    except ssl.SSLCertVerificationError as err:
        return str(err.verify_message)


def expired_pem(box: oracle.Sandbox) -> Path:
    """A self-signed certificate (with its key) for 127.0.0.1 that expired yesterday."""
    from cryptography.hazmat.primitives.asymmetric import rsa

    from tests.certificates import DAY, NOW, certificate, key_pem, pem

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = certificate("127.0.0.1", key, not_before=NOW - 10 * DAY, not_after=NOW - DAY, ca=True)
    return box.write("expired.pem", pem(cert) + key_pem(key), mode=0o600)


def expired_issued(box: oracle.Sandbox) -> tuple[Path, Path, bytes]:
    """A test CA valid today (ca.pem) and a certificate it issued for 127.0.0.1 that expired yesterday.

    Returns the CA a client trusts, the expired certificate with its key
    (expired-issued.pem, what the server is given) and that certificate in
    DER, to compare with the one a server sends.
    """
    from tests.certificates import DAY, NOW

    return dated_issued(box, "expired-issued.pem", not_before=NOW - 10 * DAY, not_after=NOW - DAY)


def not_yet_valid_issued(box: oracle.Sandbox) -> tuple[Path, Path, bytes]:
    """As :func:`expired_issued`, for a certificate valid only from tomorrow (not-yet-valid.pem)."""
    from tests.certificates import DAY, NOW

    return dated_issued(box, "not-yet-valid.pem", not_before=NOW + DAY, not_after=NOW + 30 * DAY)


def dated_issued(
    box: oracle.Sandbox, name: str, *, not_before: datetime.datetime, not_after: datetime.datetime
) -> tuple[Path, Path, bytes]:
    """A test CA valid today (ca.pem) and a certificate for 127.0.0.1 it issued, valid between the two dates.

    Returns the CA a client trusts, the certificate with its key (``name``,
    what the server is given) and that certificate in DER, to compare with
    the one a server sends.
    """
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import Encoding

    from tests.certificates import certificate, key_pem, pem

    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca = certificate("Oracle Test CA", ca_key, ca=True)
    leaf = certificate(
        "127.0.0.1", key, issuer="Oracle Test CA", signer=ca_key, not_before=not_before, not_after=not_after
    )
    return (
        box.write("ca.pem", pem(ca)),
        box.write(name, pem(leaf) + key_pem(key), mode=0o600),
        leaf.public_bytes(Encoding.DER),
    )


def served_certificate(port: int) -> bytes:
    """The certificate (DER) the TLS port ``port`` sends a client that checks nothing."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    with socket.create_connection(("127.0.0.1", port), timeout=3) as raw, context.wrap_socket(raw) as tls:
        der = tls.getpeercert(binary_form=True)
    assert der is not None
    return der


def issued_chain(
    box: oracle.Sandbox, host: str = oracle.HOSTNAME, *, another_key: bool = False
) -> tuple[Path, Path, Path]:
    """:func:`oracle.issued_chain_pems` written into the sandbox: root-ca.pem, leaf-only.pem, full-chain.pem.

    With ``another_key``, a chain of its own (another root) whose intermediate
    did not sign the server certificate, in files named ``other-key-*``.
    """
    root, leaf_only, full = oracle.issued_chain_pems(host, another_key=another_key)
    prefix = "other-key-" if another_key else ""
    return (
        box.write(f"{prefix}root-ca.pem", root),
        box.write(f"{prefix}leaf-only.pem", leaf_only, mode=0o600),
        box.write(f"{prefix}full-chain.pem", full, mode=0o600),
    )


def chain_cases(box: oracle.Sandbox) -> list[tuple[Path, Path, str, str | None]]:
    """ICE411's three bundles, each with the root a client trusts, how its handshake ends and what ICE411 says.

    The server certificate alone; with an intermediate of the issuer's name
    but another key (its own chain: another root); with its intermediate
    (None: no finding).
    """
    root, leaf_only, full = issued_chain(box)
    other_root, _leaf, other_key = issued_chain(box, another_key=True)
    return [
        (leaf_only, root, "unable to get local issuer certificate", "holds no certificate of that issuer"),
        (other_key, other_root, "certificate signature failure", "in the file did not sign it"),
        (full, root, "ok", None),
    ]


def tcp_refused(port: int, host: str = "127.0.0.1") -> bool:
    """Whether nothing accepts TCP connections on ``host:port``."""
    return not oracle.tcp_connects(port, host)


def answers_soon(
    server: oracle.IcecastServer, host: str, port: int, timeout: float = oracle.STARTUP_TIMEOUT, path: str = "/"
) -> bool:
    """Poll until ``host:port`` answers HTTP at all (the harness waits on 127.0.0.1 only)."""

    def answered() -> bool:
        try:
            server.http_get(port, path, host=host, timeout=2)
        except TRANSPORT_ERRORS:
            return False
        return True

    return oracle.wait_until(answered, timeout)


def listener_counts(port: int, admin_password: str) -> dict[str, int]:
    """Listeners per mount, from /admin/stats (every release serves it; KH has no status-json)."""
    response = oracle.http_get(port, "/admin/stats", auth=("admin", admin_password), timeout=3.0, max_body=1 << 20)
    root = ElementTree.fromstring(response.body)
    return {s.get("mount", ""): int(s.findtext("listeners") or 0) for s in root.iter("source")}


def port_pair_and_one() -> tuple[int, int]:
    """A port ``p`` with ``p + 1`` also free, and a third free port; all distinct."""
    base, third = oracle.free_ports(1, pairs=1)
    return base, third


class RequestRecorder:
    """A loopback TCP listener that records the first bytes of every connection made to it.

    Stands in for an upstream server (relay, master, YP directory) so a test
    can see whether, and with what request, Icecast reaches out; it answers
    nothing and closes each connection.
    """

    def __init__(self) -> None:
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(8)
        self.port = int(self._sock.getsockname()[1])
        self.requests: list[bytes] = []
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _addr = self._sock.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(1.0)
                data = b""
                try:
                    while len(data) < 8192:
                        chunk = conn.recv(4096)
                        if not chunk:
                            break
                        data += chunk
                except OSError:
                    pass
                self.requests.append(data)

    def first_lines(self) -> list[bytes]:
        return [r.split(b"\r\n", 1)[0] for r in self.requests]

    def wait(self, timeout: float) -> list[bytes]:
        """Wait up to ``timeout`` seconds for a first request; return all request lines so far."""
        deadline = time.monotonic() + timeout
        while not self.requests and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.3 if self.requests else 0)  # a connection being read right now
        return self.first_lines()

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._sock.shutdown(socket.SHUT_RDWR)  # wakes the accept() of the serving thread
        self._sock.close()
        self._thread.join(timeout=2)

    def __enter__(self) -> RequestRecorder:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def log_lines(server: oracle.IcecastServer) -> Iterator[str]:
    """Every line the server wrote to stderr and its error log so far."""
    yield from server.stderr().splitlines()
    yield from (server.error_log() or "").splitlines()


def pidfile_written(data: bytes, box: oracle.Sandbox, candidates: list[Path]) -> Path:
    """Which of ``candidates`` the release started with ``data`` (as root of a user namespace) writes its PID to.

    The release refuses to run as root after the chroot, and KH removes its pidfile as it
    exits: so each candidate is a FIFO held open for reading, and the PID shows in the one
    the release wrote.
    """
    readers: dict[Path, int] = {}
    try:
        for fifo in candidates:
            os.mkfifo(fifo)
            fifo.chmod(0o666)  # the server runs as another user; 2.5.0 warns of it and goes on
            readers[fifo] = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
        result = oracle.start_expecting_exit(data, box, name="pidfile", expect_crash=True, namespace_root=True)
        output = result.stdout + result.stderr
        assert f'Changed root successfully to "{box.root}"' in output, result.describe()
        assert "ERROR: You should not run icecast2 as root" in output, result.describe()
        pids = {fifo: drain_fifo(fd) for fifo, fd in readers.items()}
    finally:
        for fifo, fd in readers.items():
            os.close(fd)
            fifo.unlink(missing_ok=True)
    (written,) = [fifo for fifo, pid in pids.items() if pid]
    assert pids[written].strip().isdigit(), (pids, result.describe())
    return written


def drain_fifo(fd: int) -> bytes:
    """What was written into the FIFO held open at ``fd`` (nothing if no writer came)."""
    try:
        return os.read(fd, 64)
    except BlockingIOError:
        return b""


def listener_bytes(port: int, mount: str, seconds: float, *, after_headers: bool = False) -> int:
    """Bytes a new listener of ``mount`` receives within ``seconds``: what a burst or a held stream looks like.

    By default the window starts at the request and counts the response
    headers too.  ``after_headers`` counts only the stream, from its first
    bytes: 2.4.4 adds a new listener to its source a while after answering it.
    """
    with socket.create_connection(("127.0.0.1", port), timeout=max(seconds, 5)) as conn:
        conn.sendall(f"GET {mount} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n".encode())
        received = b""
        while after_headers and (b"\r\n\r\n" not in received or received.endswith(b"\r\n\r\n")):
            chunk = conn.recv(65536)
            if not chunk:
                break
            received += chunk
        start = time.monotonic()
        while (left := seconds - (time.monotonic() - start)) > 0:
            conn.settimeout(left)
            try:
                chunk = conn.recv(65536)
            except TimeoutError:
                break
            if not chunk:
                break
            received += chunk
    return len(received.partition(b"\r\n\r\n")[2]) if after_headers else len(received)


def second_connection(
    data: bytes,
    box: oracle.Sandbox,
    port: int,
    mount: str,
    ogg: Path,
    name: str,
    source_password: str,
    credentials: str | None = "alice:secret",
) -> int:
    """The status alice's second connection to ``mount`` gets while her first one listens (both log in as alice).

    ``credentials`` None: two listeners that send no login.
    """
    login = {"Authorization": "Basic " + base64.b64encode(credentials.encode()).decode()} if credentials else {}
    with (
        oracle.IcecastServer(data, box, wait_port=port, name=name) as server,
        server.source(port, mount, ogg, password=source_password) as source,
    ):
        assert source.accepted
        server.wait_mount(port, mount)
        first = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        try:
            first.request("GET", mount, headers=login)
            response = first.getresponse()
            assert response.status == 200
            assert response.read(64)  # listening: on the mount's list of listeners
            return server.http_get(port, mount, max_body=4, headers=login).status
        finally:
            first.close()
