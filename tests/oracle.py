"""Run the real Icecast servers (2.4.4, 2.5.0, KH kh22) as test oracles.

The linter's claims about ``icecast.xml`` ("this crashes", "this port serves
plain HTTP", "this source is refused") are only worth something if they match
what the binary of the release they name does.  This module starts a release
on a given configuration in a throw-away sandbox, talks HTTP/TLS to it,
streams a source into it and shuts it down again, so tests can compare the
model's prediction with the server's behaviour.

Releases (``release=`` everywhere, see :func:`get_release`):

* ``"2.4"``: Debian's ``/usr/bin/icecast2`` 2.4.4 (the default).
* ``"2.5"``: Icecast 2.5.0 and ``"kh"``: Icecast-KH kh22, built from source by
  ``scripts/build-oracles.sh`` (``make setup``) into a cache.  A test that
  needs one calls :func:`require_release`, which *fails* with the command to
  run when the build is missing: a missing oracle must not pass silently.

Release differences the harness absorbs: 2.5.0 reads ``<paths><reportxmldb>``
(the installed ``report-db.xml``), warns without ``<security><prng-seed>`` and
complains about a world-readable config file, so :func:`basic_config` adds
the first two and configs are written 0600 for the runtime user; its TLS is a
``<tls>`` flag per listen socket with ``<security><tls-context>``.  KH has no
per-socket TLS flag (``<paths><ssl-certificate>`` makes every port detect TLS
per connection) and serves no ``status-json.xsl``, so its mounts are found
by requesting them.

Design points, each forced by how icecast2 2.4.4 behaves (and true of the
other two releases as well):

* icecast2 refuses to run as root ("You should not run icecast2 as root"),
  so when the tests run as root the server is started as ``nobody:nogroup``
  through ``setpriv``.  ``setpriv`` changes credentials and then *execs* the
  server, so the process we hold is icecast itself: its pid is the server's
  pid and a crash is reported as ``-SIGSEGV`` rather than being hidden
  behind a wrapper.  ``runuser`` is not used because it goes through PAM and
  stays as the parent, which would turn the server's exit status into the
  wrapper's.  Configurations therefore leave ``<changeowner>`` out.
* Because the server runs as another user, everything it touches (config,
  log directory, web and admin roots) lives in a sandbox created with
  :func:`tempfile.mkdtemp` and chowned to that user; pytest's ``tmp_path``
  sits under a 0700 directory that ``nobody`` cannot traverse.
* Config warnings go to stderr and ``FATAL`` lines to stdout before the log
  files are opened, so both streams are captured to files in the sandbox.
  stdout is made line-buffered with ``stdbuf`` so lines printed shortly
  before a crash are not lost in a stdio buffer.
* Servers run in their own session/process group and are only ever signalled
  by their own process id (or that process group, while the leader is still
  unreaped so the id cannot have been reused).  Nothing is killed by name.
"""

from __future__ import annotations

import atexit
import base64
import contextlib
import grp
import html
import http.client
import json
import os
import pwd
import re
import shutil
import signal
import socket
import ssl
import stat
import subprocess
import sys
import tempfile
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from types import TracebackType
from typing import IO, Any, NamedTuple
from urllib.parse import urlsplit

import pytest

from tests import audio

ICECAST_BIN = Path("/usr/bin/icecast2")
SYSTEM_WEBROOT = Path("/usr/share/icecast2/web")
SYSTEM_ADMINROOT = Path("/usr/share/icecast2/admin")
BUILD_SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "build-oracles.sh"
RELEASES = ("2.4", "2.5", "kh")
RUNTIME_USER = "nobody"
RUNTIME_GROUP = "nogroup"

# Waits poll for their condition and return as soon as it holds, so these
# deadlines only cost time when something is wrong; they are sized for a CI
# machine with two loaded cores, where a start that takes 0.1 s when idle can
# take several seconds.
STARTUP_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0
MOUNT_TIMEOUT = 30.0
MAX_BODY = 64 * 1024

# A start that dies of one of these signals before it served anything is
# started again this many more times (see IcecastServer.retry_startup_crash).
# Some 2.4.4 configurations crash often: the station `icecfg init` writes
# (fallback files on its mounts) crashed in 15 of 45 starts on an idle
# machine, up to 4 in a row, and 4 in a row were seen in CI too.  At one
# crash in two under load, 17 tries all crash about once in 130,000 starts;
# a crash on every try is still reported, after a few seconds of extra starts.
CRASH_SIGNALS = (signal.SIGSEGV, signal.SIGBUS, signal.SIGABRT)
STARTUP_CRASH_RETRIES = 16

_POLL_INTERVAL = 0.05
_SETTLE = 1.0  # how long a listed mount may stay without server_type before wait_mount takes it as it is


# --------------------------------------------------------------------------- releases


class OracleMissing(RuntimeError):
    """The binary of a release is not installed or not built; the message says how to get it."""


@dataclass(frozen=True)
class Release:
    """Where one Icecast release lives: its binary and the data it ships.

    ``name`` is the id used across the tests (``"2.4"``, ``"2.5"``, ``"kh"``,
    the same as icecfg's lint targets); ``version`` what ``-v`` reports.
    """

    name: str
    version: str
    binary: Path
    webroot: Path
    adminroot: Path
    report_db: Path | None = None

    @property
    def title(self) -> str:
        return f"Icecast {self.version}"


_BUILT_VERSIONS = {"2.5": "2.5.0", "kh": "2.4.0-kh22"}


@cache
def get_release(name: str = "2.4") -> Release:
    """Return the installed release ``name`` or raise :class:`OracleMissing`.

    2.5 and KH are found through ``scripts/build-oracles.sh --prefix``, the
    one place that knows the cache layout; the answer is cached per process.
    """
    if name == "2.4":
        if not ICECAST_BIN.is_file():
            raise OracleMissing(f"{ICECAST_BIN} is missing: run scripts/install-system-deps.sh (make setup)")
        return Release("2.4", "2.4.4", ICECAST_BIN, SYSTEM_WEBROOT, SYSTEM_ADMINROOT)
    if name not in _BUILT_VERSIONS:
        raise ValueError(f"unknown release {name!r}; expected one of {RELEASES}")
    proc = subprocess.run([str(BUILD_SCRIPT), "--prefix", name], capture_output=True, text=True, check=False)
    prefix = Path(proc.stdout.strip())
    binary = prefix / "bin" / "icecast"
    if proc.returncode != 0 or not binary.is_file():
        raise OracleMissing(
            f"Icecast {_BUILT_VERSIONS[name]} is not built (looked for {binary}): "
            f"run `make setup` or `scripts/build-oracles.sh {name}` {proc.stderr.strip()}".rstrip()
        )
    share = prefix / "share" / "icecast"
    report_db = share / "report-db.xml" if name == "2.5" else None
    return Release(name, _BUILT_VERSIONS[name], binary, share / "web", share / "admin", report_db)


def require_release(name: str) -> Release:
    """:func:`get_release` for tests: a missing binary fails the test with the command to run."""
    try:
        return get_release(name)
    except OracleMissing as e:
        pytest.fail(str(e), pytrace=False)


# --------------------------------------------------------------------------- ports


def free_ports(n: int, *, pairs: int = 0) -> list[int]:
    """Return ``n`` distinct TCP ports that were free on 127.0.0.1.

    With ``pairs`` the list starts with that many more ports ``p`` whose
    ``p + 1`` was free too (a listen socket with ``<shoutcast-mount>`` also
    opens ``p + 1``); no port of the list is another's ``+ 1``.

    All probe sockets stay bound until every port is chosen, so the kernel
    cannot hand out the same ephemeral port twice.  The ports are released
    before returning; another process could grab one in between, which is an
    accepted (rare) race for tests.
    """
    if n < 0 or pairs < 0:
        raise ValueError("n and pairs must be >= 0")
    sockets: list[socket.socket] = []

    def probe(port: int = 0) -> int | None:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            s.close()
            return None
        sockets.append(s)
        return int(s.getsockname()[1])

    try:
        chosen: list[int] = []
        for _ in range(200):
            if len(chosen) == pairs:
                break
            base = probe()
            if base is not None and base < 65535 and probe(base + 1) is not None:
                chosen.append(base)
        if len(chosen) < pairs:
            raise RuntimeError(f"could not find {pairs} free port pairs")
        for _ in range(n):
            single = probe()
            assert single is not None
            chosen.append(single)
        return chosen
    finally:
        for s in sockets:
            s.close()


def free_port() -> int:
    """Return one TCP port that was free on 127.0.0.1 (see :func:`free_ports`)."""
    return free_ports(1)[0]


def tcp_connects(port: int, host: str = "127.0.0.1", timeout: float = 2.0) -> bool:
    """Whether something accepts a TCP connection on ``host:port`` (nothing is sent).

    Tells a bound port from a closed one whatever the port speaks (plain
    HTTP, TLS, the Shoutcast source protocol).
    """
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


# --------------------------------------------------------------------------- sandbox


def runtime_ids() -> tuple[int, int] | None:
    """Return the ``(uid, gid)`` the server will run as, or ``None`` for "as is".

    Only root needs to switch user (icecast2 refuses root); an ordinary user
    can run the server directly, which keeps the harness usable outside CI.
    """
    if os.geteuid() != 0:
        return None
    return pwd.getpwnam(RUNTIME_USER).pw_uid, grp.getgrnam(RUNTIME_GROUP).gr_gid


def as_runtime_user(argv: Iterable[str]) -> list[str]:
    """``argv`` run as the servers run: as the runtime user through ``setpriv`` when root, else as it is.

    For what that user can and cannot read: a file of mode 000 is unreadable
    to ``nobody`` (and to an ordinary user who owns it), never to root.
    """
    if runtime_ids() is None:
        return list(argv)
    return ["setpriv", f"--reuid={RUNTIME_USER}", f"--regid={RUNTIME_GROUP}", "--clear-groups", *argv]


def icecfg_as_runtime_user(
    *args: str, cwd: Path | None = None, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    """``icecfg ARGS`` of this checkout run as the runtime user (:func:`as_runtime_user`), output captured.

    The working directory and the files the command reads must be ones that
    user may traverse and read (not pytest's ``tmp_path``, under a 0700 directory).
    """
    import icecfg

    env = dict(os.environ)
    checkout = str(Path(icecfg.__file__).resolve().parents[1])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (checkout, env.get("PYTHONPATH", "")) if p)
    argv = as_runtime_user([sys.executable, "-m", "icecfg", *args])
    return subprocess.run(argv, cwd=cwd, env=env, input=stdin, capture_output=True, text=True, check=False)


def _can_traverse(path: Path, ids: tuple[int, int] | None) -> bool:
    """Tell whether the runtime user can reach entries inside ``path``."""
    if ids is None:
        return os.access(path, os.X_OK)
    uid, gid = ids
    for p in (path, *path.parents):
        try:
            st = p.stat()
        except OSError:
            return False
        if st.st_uid == uid:
            bit = stat.S_IXUSR
        elif st.st_gid == gid:
            bit = stat.S_IXGRP
        else:
            bit = stat.S_IXOTH
        if not st.st_mode & bit:
            return False
    return True


def _give_to_runtime_user(path: Path) -> None:
    """Chown ``path`` (recursively) to the runtime user; no-op when not root."""
    ids = runtime_ids()
    if ids is None:
        return
    uid, gid = ids
    os.chown(path, uid, gid, follow_symlinks=False)
    if path.is_dir() and not path.is_symlink():
        for dirpath, dirnames, filenames in os.walk(path):
            for name in dirnames + filenames:
                os.chown(Path(dirpath, name), uid, gid, follow_symlinks=False)


@dataclass(frozen=True)
class Sandbox:
    """A private directory tree the unprivileged server can use.

    ``logdir`` is writable, ``webroot``/``adminroot`` are real copies of the
    files of ``release`` (Debian's originals are symlinks into
    ``/etc/icecast2``, copied dereferenced so tests may add or remove files
    freely).  Everything is owned by the runtime user.
    """

    root: Path
    logdir: Path
    webroot: Path
    adminroot: Path
    release: str = "2.4"

    def write(self, name: str, data: bytes, mode: int = 0o644) -> Path:
        """Write ``data`` to ``root/name`` so that the runtime user can read it."""
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        path.chmod(mode)
        _give_to_runtime_user(path)
        return path

    def mkdir(self, name: str, mode: int = 0o755) -> Path:
        """Create ``root/name`` owned by (so writable for) the runtime user."""
        path = self.root / name
        path.mkdir(parents=True, exist_ok=True)
        path.chmod(mode)
        _give_to_runtime_user(path)
        return path

    def clear_logs(self) -> None:
        """Remove the log files of earlier servers, so that the next server's logs hold only its own lines.

        A module's servers often share one sandbox (and so one log directory).
        """
        for old in self.logdir.iterdir():
            if old.is_file() or old.is_symlink():
                old.unlink()

    def cleanup(self) -> None:
        """Remove the whole tree; servers using it must be stopped first."""
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.cleanup()


def make_sandbox(base: Path | None = None, release: str = "2.4") -> Sandbox:
    """Create a :class:`Sandbox` for ``release`` and return it.

    The sandbox is created inside ``base`` when the runtime user can traverse
    it.  pytest's ``tmp_path`` usually cannot be traversed (it lives under a
    0700 ``/tmp/pytest-of-root``), so in that case, or when ``base`` is
    ``None``, the sandbox goes into the system temp dir instead, a symlink
    ``base/icecast-sandbox*`` points at it for post-mortem inspection, and it
    is removed at interpreter exit (use it as a context manager or call
    :meth:`Sandbox.cleanup` to remove it earlier).
    """
    rel = get_release(release)
    ids = runtime_ids()
    inside_base = base is not None and _can_traverse(base, ids)
    root = Path(tempfile.mkdtemp(prefix="icecast-sandbox-", dir=base if inside_base else None))
    root.chmod(0o755)
    if not inside_base:
        atexit.register(shutil.rmtree, root, True)
        if base is not None:
            base.mkdir(parents=True, exist_ok=True)
            (base / root.name).symlink_to(root, target_is_directory=True)
    logdir = root / "log"
    logdir.mkdir(mode=0o755)
    webroot = root / "web"
    adminroot = root / "admin"
    shutil.copytree(rel.webroot, webroot, symlinks=False)
    shutil.copytree(rel.adminroot, adminroot, symlinks=False)
    for tree in (webroot, adminroot):
        for dirpath, _dirnames, filenames in os.walk(tree):
            Path(dirpath).chmod(0o755)
            for name in filenames:
                Path(dirpath, name).chmod(0o644)
    _give_to_runtime_user(root)
    return Sandbox(root=root, logdir=logdir, webroot=webroot, adminroot=adminroot, release=release)


def self_signed_pem(common_name: str = "127.0.0.1", days: int = 2) -> bytes:
    """A new self-signed certificate followed by its private key, as one PEM (what Icecast 2.4 reads).

    Made by ``openssl req``; the key never leaves the returned bytes and a
    temporary directory that is removed at once.
    """
    with tempfile.TemporaryDirectory() as tmp:
        key, cert = Path(tmp, "key.pem"), Path(tmp, "cert.pem")
        subprocess.run(
            [
                *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", str(days)),
                *("-subj", f"/CN={common_name}", "-keyout", str(key), "-out", str(cert)),
            ],
            check=True,
            capture_output=True,
        )
        return cert.read_bytes() + key.read_bytes()


def encrypted_key_pem(bundle: bytes, passphrase: bytes = b"a passphrase no daemon is told") -> bytes:
    """``bundle`` (a certificate and its key) with the key encrypted under ``passphrase``."""
    from cryptography.hazmat.primitives import serialization

    start = bundle.index(b"-----BEGIN PRIVATE KEY-----")
    key = serialization.load_pem_private_key(bundle[start:], password=None)
    encryption = serialization.BestAvailableEncryption(passphrase)
    return bundle[:start] + key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)


#: The ``<hostname>`` of :func:`basic_config`.
HOSTNAME = "oracle.example.org"


def issued_chain_pems(host: str = HOSTNAME, *, another_key: bool = False) -> tuple[bytes, bytes, bytes]:
    """:func:`tests.certificates.issued_chain_pems` for the harness's ``<hostname>``: root, leaf only, full chain."""
    from tests.certificates import issued_chain_pems

    return issued_chain_pems(host, another_key=another_key)


def make_tls_pem(box: Sandbox, name: str = "server.pem", common_name: str = "127.0.0.1") -> Path:
    """Create a self-signed certificate for ``<ssl-certificate>`` and return its path.

    2.4.4 wants the certificate and the private key in *one* PEM file (the
    key is read from the certificate file), readable by the runtime user;
    the file is written 0600 and owned by that user, like a real deployment.
    """
    return box.write(name, self_signed_pem(common_name), mode=0o600)


def basic_config(
    box: Sandbox,
    ports: list[int],
    *,
    source_password: str,
    admin_password: str,
    tls_ports: tuple[int, ...] = (),
    tls_certificate: Path | None = None,
    limits: str = "",
    extra_paths: str = "",
    extra: str = "",
    logdir: Path | None = None,
    loglevel: str | None = None,
) -> bytes:
    """A minimal configuration the sandbox's release starts with no warning.

    One listen socket on 127.0.0.1 per port in ``ports`` and per port in
    ``tls_ports``; ``tls_certificate`` (see :func:`make_tls_pem`) is given the
    way the release reads it: 2.4 ``<ssl>1</ssl>`` per socket plus
    ``<paths><ssl-certificate>``, 2.5 ``<tls>1</tls>`` per socket plus
    ``<security><tls-context>``, KH only ``<paths><ssl-certificate>`` (every
    port then detects TLS per connection, so ``tls_ports`` are plain sockets).
    ``<changeowner>`` is left out (the server already runs unprivileged).
    The hostname is a full domain name because 2.5.0 warns about
    ``localhost``, IP addresses and short names.
    """
    rel = get_release(box.release)
    tls_flag = {"2.4": "<ssl>1</ssl>", "2.5": "<tls>1</tls>", "kh": ""}[rel.name]
    sockets = "".join(
        f"\n  <listen-socket><port>{p}</port><bind-address>127.0.0.1</bind-address>{flag}</listen-socket>"
        for p, flag in [*((p, "") for p in ports), *((p, tls_flag) for p in tls_ports)]
    )
    paths = (
        f"<logdir>{logdir or box.logdir}</logdir><webroot>{box.webroot}</webroot><adminroot>{box.adminroot}</adminroot>"
    )
    security = ""
    if rel.report_db is not None:
        paths += f"<reportxmldb>{rel.report_db}</reportxmldb>"
    if rel.name == "2.5":
        security = '<prng-seed type="device" size="32">/dev/urandom</prng-seed>'
    if tls_certificate is not None:
        if rel.name == "2.5":
            security += f"<tls-context><tls-certificate>{tls_certificate}</tls-certificate></tls-context>"
        else:
            paths += f"<ssl-certificate>{tls_certificate}</ssl-certificate>"
    level = loglevel or ("information" if rel.name == "2.5" else "3")
    return f"""<icecast>
  <hostname>{HOSTNAME}</hostname>
  <location>harness</location>
  <admin>harness@example.invalid</admin>
  <limits>{limits}</limits>
  <authentication>
    <source-password>{source_password}</source-password>
    <admin-user>admin</admin-user>
    <admin-password>{admin_password}</admin-password>
  </authentication>{sockets}
  <paths>{paths}{extra_paths}</paths>
  <security>{security}</security>
  <logging>
    <errorlog>error.log</errorlog>
    <accesslog>access.log</accesslog>
    <loglevel>{level}</loglevel>
  </logging>{extra}
</icecast>
""".encode()


@contextlib.contextmanager
def temporary_sandbox(base: Path | None = None, release: str = "2.4") -> Iterator[Sandbox]:
    """Context-manager form of :func:`make_sandbox` that always cleans up."""
    box = make_sandbox(base, release)
    try:
        yield box
    finally:
        box.cleanup()


# --------------------------------------------------------------------------- HTTP


class HttpResponse(NamedTuple):
    """Status, headers and the first bytes of a response body.

    ``body`` is a prefix: streams never end, so reads stop after
    ``max_body`` bytes or when the timeout expires.
    """

    status: int
    headers: http.client.HTTPMessage
    body: bytes


def _insecure_tls_context() -> ssl.SSLContext:
    """TLS without verification: test certificates are self-signed."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


def basic_auth(user: str, password: str) -> str:
    """Return an ``Authorization`` header value for HTTP Basic auth."""
    token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
    return f"Basic {token}"


def http_get(
    port: int,
    path: str,
    *,
    host: str = "127.0.0.1",
    timeout: float = 5.0,
    tls: bool = False,
    headers: Mapping[str, str] | None = None,
    auth: tuple[str, str] | None = None,
    method: str = "GET",
    max_body: int = MAX_BODY,
) -> HttpResponse:
    """Send one request and return the response; HTTP errors are not raised.

    A 401 or 404 is a normal observation for these tests, so only transport
    failures (connection refused, reset, TLS handshake errors, timeouts before
    the status line) raise, as :class:`OSError` or
    :class:`http.client.HTTPException`.  The body read is bounded both in
    size and in time (``timeout`` from the status line on), because a mount
    answers with an endless stream; the status line has ``timeout`` of its
    own, so a slow answer on a loaded machine does not leave the body no
    time at all.
    """
    conn: http.client.HTTPConnection
    if tls:
        conn = http.client.HTTPSConnection(host, port, timeout=timeout, context=_insecure_tls_context())
    else:
        conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        request_headers = dict(headers or {})
        if auth is not None:
            request_headers["Authorization"] = basic_auth(*auth)
        conn.request(method, path, headers=request_headers)
        sock = conn.sock  # kept: getresponse() drops conn.sock on "Connection: close"
        resp = conn.getresponse()
        deadline = time.monotonic() + timeout
        chunks: list[bytes] = []
        remaining = max_body
        while remaining > 0:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            if sock is not None:
                sock.settimeout(left)
            try:
                chunk = resp.read1(remaining)
            except (TimeoutError, ssl.SSLError, ConnectionError, http.client.IncompleteRead):
                break
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
        return HttpResponse(resp.status, resp.headers, b"".join(chunks))
    finally:
        conn.close()


class StatusJsonError(ValueError):
    """``/status-json.xsl`` did not return a usable JSON document."""


_ICESTATS_WITHOUT_BRACE = '{"icestats":"'


def status_json(
    port: int,
    *,
    host: str = "127.0.0.1",
    tls: bool = False,
    timeout: float = 5.0,
    repair: bool = True,
) -> dict[str, Any]:
    """Fetch and parse ``/status-json.xsl``, normalising ``icestats.source``.

    Icecast 2.4 renders the XML stats through an XSLT, so ``source`` is
    absent with no mounts, an object with one and a list with several; it is
    always returned as a list here.

    The stylesheet also emits an object's ``{`` together with its first
    child, and hides some children (``client_connections`` ...).  Until the
    server has published its global stats (``admin``, ``host``, ... sort
    before the hidden ones), which happens shortly *after* it starts
    accepting connections, ``icestats`` therefore begins with a hidden child
    and the output is ``{"icestats":"server_start":...`` - invalid JSON.
    With ``repair`` (the default) exactly that defect is fixed; any other
    invalid JSON (2.4's stylesheet does not escape control characters a
    client can put into metadata) raises :class:`StatusJsonError` carrying
    the raw text.
    """
    resp = http_get(port, "/status-json.xsl", host=host, tls=tls, timeout=timeout, max_body=4 * 1024 * 1024)
    text = resp.body.decode("utf-8", "replace")
    if resp.status != 200:
        raise StatusJsonError(f"status-json.xsl answered {resp.status}: {text[:500]!r}")
    if repair and text.startswith(_ICESTATS_WITHOUT_BRACE):
        text = '{"icestats":{' + text[len('{"icestats":') :]
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as e:
        raise StatusJsonError(f"status-json.xsl is not valid JSON ({e}): {text[:2000]!r}") from e
    if not isinstance(doc, dict) or not isinstance(doc.get("icestats"), dict):
        raise StatusJsonError(f"status-json.xsl has no icestats object: {text[:500]!r}")
    stats: dict[str, Any] = doc["icestats"]
    source = stats.get("source")
    if source is None:
        stats["source"] = []
    elif isinstance(source, dict):
        stats["source"] = [source]
    return doc


def source_mount(source: Mapping[str, Any]) -> str:
    """Return the mount name of a status-json source entry.

    status-json has no ``mount`` field; the mount is the path of
    ``listenurl`` (whose host and port come from ``<hostname>``/``<port>``,
    not from the socket that was asked).
    """
    return urlsplit(str(source.get("listenurl", ""))).path


def listed_mounts(port: int, *, host: str = "127.0.0.1", tls: bool = False) -> list[str]:
    """Return the mounts that status-json lists (hidden mounts are not listed)."""
    return [source_mount(s) for s in status_json(port, host=host, tls=tls)["icestats"]["source"]]


# --------------------------------------------------------------------------- server


@dataclass(frozen=True)
class IcecastExit:
    """How a server process ended and what it printed.

    ``returncode`` follows :mod:`subprocess`: negative for a signal, so a
    segfault is ``-11``; :attr:`shell_status` gives the shell's ``139``.
    """

    returncode: int
    stdout: str
    stderr: str
    error_log: str | None = None

    @property
    def signal(self) -> int | None:
        """The terminating signal number, if the process was killed by one."""
        return -self.returncode if self.returncode < 0 else None

    @property
    def shell_status(self) -> int:
        """The exit status as a shell reports it (128 + signal for signals)."""
        return 128 - self.returncode if self.returncode < 0 else self.returncode

    def describe(self) -> str:
        """Return a multi-line report for assertion and error messages."""
        sig = f" (signal {signal.Signals(self.signal).name})" if self.signal else ""
        parts = [
            f"exit code {self.returncode}{sig}, shell status {self.shell_status}",
            f"--- stdout ---\n{self.stdout}",
            f"--- stderr ---\n{self.stderr}",
        ]
        if self.error_log is not None:
            parts.append(f"--- error.log (last 4000 chars) ---\n{self.error_log[-4000:]}")
        return "\n".join(parts)


class IcecastError(RuntimeError):
    """The server did not behave as the harness expected; carries its output."""

    def __init__(self, message: str, result: IcecastExit | None = None) -> None:
        self.result = result
        super().__init__(message if result is None else f"{message}\n{result.describe()}")


class IcecastExitedError(IcecastError):
    """The server exited while it was expected to be running."""


class IcecastStartTimeout(IcecastError):
    """The server kept running but did not answer HTTP in time (it was stopped)."""


class IcecastDidNotExit(IcecastError):
    """A configuration that should end the server left it running (it was stopped)."""


@cache
def _unshare_net() -> list[str]:
    """The ``unshare`` prefix that gives a process a network namespace of its own.

    Root needs no user namespace; anyone else maps their user to itself.  When
    the system allows neither, :class:`OracleMissing` says so (an isolated run
    must never fall back to the host's network).
    """
    argv = ["unshare", "--net"] if os.geteuid() == 0 else ["unshare", "--net", "--map-current-user"]
    probe = subprocess.run([*argv, "true"], capture_output=True, text=True, check=False)
    if probe.returncode != 0:
        raise OracleMissing(
            f"cannot run a server in its own network namespace ({' '.join(argv)}): {probe.stderr.strip()}"
        )
    return argv


# One line per start-up crash that was retried, for the end-of-run summary (tests/conftest.py).
retried_startup_crashes: list[str] = []

_live_servers: dict[int, IcecastServer] = {}
_live_lock = threading.Lock()


def _stop_leftovers() -> None:
    """Stop servers a crashed test never stopped, so none outlive the run."""
    with _live_lock:
        servers = list(_live_servers.values())
    for server in servers:
        server.stop()


atexit.register(_stop_leftovers)


class IcecastServer:
    """One Icecast process running a given configuration in a sandbox.

    Use as a context manager (``with IcecastServer(cfg, box, wait_port=p) as s``)
    or call :meth:`start`/:meth:`stop`.  The configuration is written to
    ``<sandbox>/<name>.xml`` and the output to ``<name>.stdout`` /
    ``<name>.stderr`` next to it.

    ``isolated`` runs the server in a network namespace of its own (``unshare
    --net``, which execs, so the pid is still the server's): it can reach
    nothing, not even the host's loopback.  That is for configurations taken
    from elsewhere (relays, YP directories, auth URLs of other people's
    servers) that are only run to read what the server says about them.

    A server that dies of a crash signal (:data:`CRASH_SIGNALS`) during
    :meth:`start`, before it answered what ``wait_port`` waits for, is started
    again up to :data:`STARTUP_CRASH_RETRIES` more times.  Icecast 2.4.4 and
    2.5.0 segfault in a few per cent of starts, more under load: they create
    their global counters only when the stats thread first runs, and an
    increment queued before that (by the fallback-file thread a mount with an
    existing fallback file starts, or by the first accepted connection, such
    as the harness's own wait for HTTP) crashes the server (shown
    deterministically by tests/test_oracle_startup_race.py).  That race is
    not what the tests look at.  A test *about* a crash passes ``expect_crash=True``
    (or ``retry_startup_crash=False``) and sees the first one; a crash that
    happens on every try is still raised, with the output of the last try.
    Each retried crash is kept in :attr:`startup_crashes` and its output and
    logs are moved to ``<sandbox>/<name>.crash<N>/``, so the logs a test reads
    are those of the run it talks to.
    """

    def __init__(
        self,
        config: bytes,
        sandbox: Sandbox,
        *,
        wait_port: int | None = None,
        wait_tls: bool = False,
        startup_timeout: float = STARTUP_TIMEOUT,
        name: str = "icecast",
        line_buffered: bool = True,
        config_file: Path | None = None,
        user: tuple[str, str] | None = None,
        isolated: bool = False,
        expect_crash: bool = False,
        retry_startup_crash: bool | None = None,
        wait_connect: bool = False,
        namespace_root: bool = False,
        pid_1: bool = False,
    ) -> None:
        """``config_file`` serves that existing file as it is (owner, mode, symlink
        and all) instead of writing ``config`` into the sandbox; ``user`` is a
        ``(user, group)`` to run as, with that user's supplementary groups, as
        a packaged server runs (only as root; default ``nobody:nogroup`` with
        none).  ``expect_crash`` declares that the test looks at a crash, so
        none is retried; ``retry_startup_crash`` overrides the retry alone
        (default: retry unless ``expect_crash``).  ``wait_connect`` makes
        :meth:`start` wait only until ``wait_port`` accepts TCP connections,
        for a file taken from elsewhere whose port may speak plain HTTP or
        TLS (which is what the test is about to find out).

        ``namespace_root`` runs the server as root of a user namespace of its
        own (``unshare --user --map-root-user``): it sees uid 0 and may
        chroot, yet holds no privilege on the host, so what a release does
        when started as root is shown unprivileged (a user switch to any
        other user fails there: only uid 0 is mapped).  ``pid_1`` also makes
        it PID 1 of a PID namespace, as a container's entrypoint is (:attr:`pid` is then
        that of ``unshare``, which waits for the server; both stop with their process group)."""
        if pid_1 and not namespace_root:
            raise ValueError("pid_1 needs namespace_root: a PID namespace is made inside the user namespace")
        self.namespace_root = namespace_root
        self.pid_1 = pid_1
        self.config_file = config_file
        self.user = user
        self.config = config
        self.sandbox = sandbox
        self.release = get_release(sandbox.release)
        self.isolated = isolated
        self.wait_port = wait_port
        self.wait_tls = wait_tls
        self.wait_connect = wait_connect
        self.startup_timeout = startup_timeout
        self.name = name
        self.line_buffered = line_buffered
        self.config_path = config_file if config_file is not None else sandbox.root / f"{name}.xml"
        self.stdout_path = sandbox.root / f"{name}.stdout"
        self.stderr_path = sandbox.root / f"{name}.stderr"
        self._proc: subprocess.Popen[bytes] | None = None
        self._out: IO[bytes] | None = None
        self._err: IO[bytes] | None = None
        self._lost = False
        self.expect_crash = expect_crash
        self.retry_startup_crash = (not expect_crash) if retry_startup_crash is None else retry_startup_crash
        self.startup_crashes: list[IcecastExit] = []
        self._log_sizes: dict[Path, int] = {}

    # -- process control ----------------------------------------------------

    def command(self) -> list[str]:
        """Return the argv used to start the server (no secrets: they are in the file)."""
        argv: list[str] = []
        if self.isolated:
            argv += _unshare_net()
        if runtime_ids() is not None and self.user is not None:
            argv += ["setpriv", f"--reuid={self.user[0]}", f"--regid={self.user[1]}", "--init-groups"]
        elif runtime_ids() is not None:
            argv += ["setpriv", f"--reuid={RUNTIME_USER}", f"--regid={RUNTIME_GROUP}", "--clear-groups"]
        if self.namespace_root:
            argv += ["unshare", "--user", "--map-root-user"]
        if self.pid_1:
            argv += ["--pid", "--fork"]  # unshare forks the server as PID 1 and waits for it
        if self.line_buffered:
            argv += ["stdbuf", "-oL", "-eL"]
        return [*argv, str(self.release.binary), "-c", str(self.config_path)]

    def launch(self) -> IcecastServer:
        """Start the process without waiting for it to serve anything."""
        if self._proc is not None:
            raise RuntimeError("server already started")
        if self.config_file is None:
            # 0600 like a real deployment: 2.5.0 logs an error for a world-readable config
            self.sandbox.write(self.config_path.name, self.config, mode=0o600)
        if not self.startup_crashes:
            self._log_sizes = _file_sizes(self.sandbox.logdir)
        self._out = self.stdout_path.open("wb")
        self._err = self.stderr_path.open("wb")
        self._proc = subprocess.Popen(
            self.command(),
            stdin=subprocess.DEVNULL,
            stdout=self._out,
            stderr=self._err,
            cwd=self.sandbox.root,
            start_new_session=True,  # own process group: stray children are killed with it
        )
        with _live_lock:
            _live_servers[self._proc.pid] = self
        return self

    def start(self) -> IcecastServer:
        """Start the server and, if ``wait_port`` is set, wait until it answers HTTP.

        Raises :class:`IcecastExitedError` if the process ends first and
        :class:`IcecastStartTimeout` if it does not answer within
        ``startup_timeout`` seconds; either way the output is in the message.
        A start-up crash is retried as the class docstring says.
        """
        while True:
            deadline = time.monotonic() + self.startup_timeout
            self.launch()
            if self.wait_port is None:
                return self
            try:
                if self.wait_connect:
                    self.wait_connectable(self.wait_port, self.startup_timeout)
                else:
                    self.wait_http(self.wait_port, self.startup_timeout, tls=self.wait_tls)
                    self._wait_global_stats(self.wait_port, deadline)
                self._raise_if_dead()
            except IcecastExitedError as err:
                if not self._may_retry(err.result):
                    raise
                self._set_aside_crash(err.result)
                continue
            return self

    def _may_retry(self, result: IcecastExit | None) -> bool:
        """Whether a start that ended with ``result`` is tried again."""
        return (
            self.retry_startup_crash
            and result is not None
            and result.signal in CRASH_SIGNALS
            and len(self.startup_crashes) < STARTUP_CRASH_RETRIES
        )

    def _set_aside_crash(self, result: IcecastExit) -> None:
        """Keep a crashed try's output for post-mortem and make way for the next try.

        Its stdout/stderr and what it added to the log directory move to
        ``<name>.crash<N>/``; the log files are cut back to what they held
        before the first try, so the next try's logs read as a fresh start.
        """
        self.startup_crashes.append(result)
        retried_startup_crashes.append(
            f"{self.release.title} {self.sandbox.root / self.name} try {len(self.startup_crashes)}: "
            f"{result.describe().splitlines()[0]} [{os.environ.get('PYTEST_CURRENT_TEST', '-')}]"
        )
        keep = self.sandbox.root / f"{self.name}.crash{len(self.startup_crashes)}"
        keep.mkdir(exist_ok=True)
        for path in (self.stdout_path, self.stderr_path):
            if path.exists():
                shutil.copyfile(path, keep / path.name)
        logdir = self.sandbox.logdir
        for path, size in _file_sizes(logdir).items():
            before = self._log_sizes.get(path)
            if before == size:
                continue
            with contextlib.suppress(OSError):
                shutil.copyfile(path, keep / path.relative_to(logdir).as_posix().replace("/", "_"))
                if before is None:
                    path.unlink()
                else:
                    os.truncate(path, before)
        self._proc = None
        self._lost = False

    def _wait_global_stats(self, port: int, deadline: float) -> None:
        """Give the server until ``deadline`` to publish its global stats.

        2.4.4 accepts connections before its slave thread has published
        ``server_id``, ``host``, ``admin`` and ``location``; a test reading
        status-json in that window sees them missing (and broken JSON, see
        :func:`status_json`).  Only a 200 response can show readiness: if
        status-json is refused or missing (client limit, custom webroot) the
        server is taken as ready.  Not becoming ready is not an error here,
        dying is: a transport error gives the process a moment to show that it
        is exiting (a crash closes the connection before the exit is visible).
        """
        while time.monotonic() < deadline:
            try:
                resp = http_get(port, "/status-json.xsl", tls=self.wait_tls, timeout=5.0)
            except (OSError, http.client.HTTPException) as e:
                self.wait_exit(1.0)
                self._raise_if_dead(e)
                return
            if resp.status != 200 or b'"server_id"' in resp.body:
                return
            time.sleep(0.02)

    def listening(self) -> bool:
        """Whether an ``isolated`` server has a listening TCP socket (it has read its config and bound).

        ``/proc/<pid>/net`` lists every socket of the process's network
        namespace, so it tells the server's own sockets apart only in a
        namespace of its own, and only once the wrappers have exec'd the
        server (before that the pid may still be in the host's namespace).
        """
        if not self.isolated:
            raise RuntimeError("listening() needs isolated=True: the host's namespace has other sockets")
        try:
            if Path(os.readlink(f"/proc/{self.pid}/exe")) != self.release.binary.resolve():
                return False
        except OSError:
            return False
        for name in ("tcp", "tcp6"):
            try:
                rows = Path(f"/proc/{self.pid}/net/{name}").read_text().splitlines()[1:]
            except OSError:
                continue
            if any(row.split()[3] == "0A" for row in rows):
                return True
        return False

    @property
    def pid(self) -> int:
        """The server's process id (icecast itself: the wrappers exec it)."""
        if self._proc is None:
            raise RuntimeError("server not started")
        return self._proc.pid

    @property
    def returncode(self) -> int | None:
        """The exit code once the process has ended and been reaped, else ``None``."""
        if self._proc is None:
            return None
        if self._proc.returncode is None and self._exited():
            self._reap()
        return self._proc.returncode

    @property
    def running(self) -> bool:
        """Whether the process is still alive."""
        return self._proc is not None and self._proc.returncode is None and not self._exited()

    def _exited(self) -> bool:
        """Check for exit *without* reaping, so the pid/pgid stay reserved."""
        assert self._proc is not None
        if self._proc.returncode is not None:
            return True
        try:
            info = os.waitid(os.P_PID, self._proc.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
        except ChildProcessError:
            # Reaped behind our back: the pid may already be reused, never signal it again.
            self._lost = True
            return True
        return info is not None

    def wait_exit(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for the process to end (without reaping it)."""
        deadline = time.monotonic() + timeout
        while not self._exited():
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.02)
        return True

    def _reap(self) -> None:
        """Kill what is left of the process group, then collect the exit status."""
        assert self._proc is not None
        if self._proc.returncode is None:
            if not self._lost:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(self._proc.pid, signal.SIGKILL)
            self._proc.wait()  # subprocess reports 0 if the status was already collected
        for f in (self._out, self._err):
            if f is not None:
                f.close()
        with _live_lock:
            _live_servers.pop(self._proc.pid, None)

    def stop(self, timeout: float = STOP_TIMEOUT) -> int | None:
        """Stop the server and return its exit code (``None`` if never started).

        SIGTERM makes icecast shut down cleanly (exit 0, logs flushed); if it
        has not exited after ``timeout`` seconds the process group gets
        SIGKILL.  The process is always reaped, so no zombie is left.
        """
        if self._proc is None:
            return None
        if self._proc.returncode is None:
            if not self._exited():
                with contextlib.suppress(ProcessLookupError):
                    os.kill(self._proc.pid, signal.SIGTERM)
                if not self.wait_exit(timeout):
                    with contextlib.suppress(ProcessLookupError, PermissionError):
                        os.killpg(self._proc.pid, signal.SIGKILL)
                    self.wait_exit(STOP_TIMEOUT)
            self._reap()
        return self._proc.returncode

    def reload(self, config: bytes | None = None) -> None:
        """Send SIGHUP, optionally after replacing the config file.

        On reload 2.4.4 re-parses the file and logs its warnings to
        error.log instead of stderr; listen sockets are not re-bound.
        """
        if config is not None:
            self.config = config
            self.sandbox.write(self.config_path.name, config, mode=0o600)
        os.kill(self.pid, signal.SIGHUP)

    def __enter__(self) -> IcecastServer:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- output -------------------------------------------------------------

    def stdout(self) -> str:
        """Everything the server wrote to stdout so far (``FATAL:`` lines go here)."""
        return _read_text(self.stdout_path) or ""

    def stderr(self) -> str:
        """Everything written to stderr so far (config WARN/ERROR at startup)."""
        return _read_text(self.stderr_path) or ""

    def error_log(self, name: str = "error.log") -> str | None:
        """The content of ``logdir/name``, or ``None`` if the file does not exist."""
        return _read_text(self.sandbox.logdir / name)

    def access_log(self, name: str = "access.log") -> str | None:
        """The content of ``logdir/name``, or ``None`` if the file does not exist."""
        return _read_text(self.sandbox.logdir / name)

    def wait_log(self, text: str, name: str = "error.log", timeout: float = MOUNT_TIMEOUT) -> str:
        """Poll until ``text`` shows up in ``name`` and return everything read from it.

        ``name`` is a file in the log directory or ``"stdout"``/``"stderr"``.
        The server writes its logs from its own threads, a moment after the
        request or event that causes a line, so a test that needs a line waits
        for it; the wait ends as soon as the line is there.  After ``timeout``
        seconds (or once the server has exited) the content as it is is
        returned, for the caller's assertion to show.
        """
        read = {"stdout": self.stdout, "stderr": self.stderr}.get(name) or (lambda: self.error_log(name))
        deadline = time.monotonic() + timeout
        while True:
            seen = read() or ""
            if text in seen or time.monotonic() >= deadline or not self.running:
                return seen
            time.sleep(_POLL_INTERVAL)

    def result(self) -> IcecastExit:
        """Exit code plus output; stops the server first if it is still running."""
        code = self.stop()
        if code is None:
            raise RuntimeError("server not started")
        return IcecastExit(code, self.stdout(), self.stderr(), self.error_log())

    # -- talking to it ------------------------------------------------------

    def http_get(
        self,
        port: int,
        path: str,
        *,
        host: str = "127.0.0.1",
        timeout: float = 5.0,
        tls: bool = False,
        headers: Mapping[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        method: str = "GET",
        max_body: int = MAX_BODY,
    ) -> HttpResponse:
        """:func:`http_get` against this server; a transport failure after the
        server died is re-raised as :class:`IcecastExitedError` with its output."""
        try:
            return http_get(
                port,
                path,
                host=host,
                timeout=timeout,
                tls=tls,
                headers=headers,
                auth=auth,
                method=method,
                max_body=max_body,
            )
        except (OSError, http.client.HTTPException) as e:
            self._raise_if_dead(e)
            raise

    def source(self, port: int, mount: str, audio_data: bytes | Path, *, password: str, **kwargs: Any) -> SourceClient:
        """A :class:`SourceClient` for this server (not started; use it in ``with``).

        On 2.5 a ``PUT`` asks for ``100 Continue``, without which 2.5.0 never
        answers before the upload ends (see :class:`SourceClient`).
        """
        if self.release.name == "2.5" and kwargs.get("method", "PUT") == "PUT":
            kwargs.setdefault("expect_continue", True)
        return SourceClient(port, mount, audio_data, password=password, **kwargs)

    def status_json(self, port: int, *, host: str = "127.0.0.1", tls: bool = False) -> dict[str, Any]:
        """:func:`status_json` against this server (see there for normalisation)."""
        try:
            return status_json(port, host=host, tls=tls)
        except (OSError, http.client.HTTPException) as e:
            self._raise_if_dead(e)
            raise

    def _raise_if_dead(self, cause: BaseException | None = None) -> None:
        if self._proc is not None and not self.running:
            raise IcecastExitedError(f"{self.release.title} is not running", self.result()) from cause

    def wait_http(self, port: int, timeout: float = STARTUP_TIMEOUT, *, tls: bool = False) -> HttpResponse:
        """Poll until ``port`` gives any HTTP response and return that response.

        Any status counts (with ``<clients> </clients>`` every request is a
        403, but the server is up).  If the process exits first the error has
        its exit code and output; on timeout the server is stopped and
        :class:`IcecastStartTimeout` is raised.
        """
        deadline = time.monotonic() + timeout
        last: BaseException | None = None
        while True:
            self._raise_if_dead(last)
            try:
                return http_get(port, "/", tls=tls, timeout=min(2.0, max(0.2, deadline - time.monotonic())))
            except (OSError, http.client.HTTPException) as e:
                last = e
            if time.monotonic() >= deadline:
                self._raise_if_dead(last)
                raise IcecastStartTimeout(
                    f"{self.release.title} did not answer HTTP on port {port} within {timeout} s (last error: {last!r})",
                    self.result(),
                ) from last
            time.sleep(_POLL_INTERVAL)

    def wait_connectable(self, port: int, timeout: float = STARTUP_TIMEOUT) -> None:
        """Poll until ``port`` accepts a TCP connection, whatever it speaks.

        Fails like :meth:`wait_http`: :class:`IcecastExitedError` if the
        process exits first, :class:`IcecastStartTimeout` (server stopped)
        after ``timeout`` seconds.
        """
        deadline = time.monotonic() + timeout
        while True:
            self._raise_if_dead()
            if tcp_connects(port, timeout=min(2.0, max(0.2, deadline - time.monotonic()))):
                return
            if time.monotonic() >= deadline:
                self._raise_if_dead()
                raise IcecastStartTimeout(
                    f"{self.release.title} did not accept connections on port {port} within {timeout} s",
                    self.result(),
                )
            time.sleep(_POLL_INTERVAL)

    def _poll_sources(self, port: int) -> list[dict[str, Any]] | None:
        """status-json's source entries, or ``None`` on a transient failure (the server must be alive)."""
        try:
            return list(self.status_json(port)["icestats"]["source"])
        except (OSError, http.client.HTTPException, StatusJsonError):
            self._raise_if_dead()
            return None

    def wait_mount(
        self,
        port: int,
        mount: str,
        timeout: float = MOUNT_TIMEOUT,
        *,
        fields: Iterable[str] | None = None,
    ) -> dict[str, Any]:
        """Poll status-json until ``mount`` is listed and return its source entry.

        A mount is listed (``listenurl``) a moment before its source's fields
        are: ``server_type`` comes next and the format's own fields
        (``audio_bitrate`` ...) only once the source's first pages are parsed.
        ``fields`` names the ones the caller reads: the entry is returned once
        all are there.  By default ``server_type`` is waited for, but an entry
        that stays without it for :data:`_SETTLE` seconds is returned as it is
        (a mount listed for its fallback has no source, so no type).

        ``timeout`` is a lower bound raised to :data:`MOUNT_TIMEOUT`: the wait
        ends as soon as the mount is there, so only a failing test waits long.
        Transient failures of status-json (a loaded server) are polled past.

        KH serves no ``status-json.xsl``: there its stats are read instead
        (see :meth:`_kh_wait_mount`).  No release is asked for the mount
        itself: that request would be a listener, and a mount's one
        ``<max-listeners>`` slot would be taken when the test comes to it.
        """
        if self.release.name == "kh":
            return self._kh_wait_mount(port, mount, timeout, fields)
        deadline = time.monotonic() + max(timeout, MOUNT_TIMEOUT)
        wanted = ("server_type",) if fields is None else tuple(fields)
        untyped_since: float | None = None
        entry: dict[str, Any] | None = None
        while True:
            entry = None
            for source in self._poll_sources(port) or []:
                if source_mount(source) == mount:
                    entry = dict(source)
            now = time.monotonic()
            if entry is not None:
                if all(name in entry for name in wanted):
                    return entry
                untyped_since = now if untyped_since is None else untyped_since
                if fields is None and now - untyped_since >= _SETTLE:
                    return entry
            if now >= deadline:
                missing = "" if entry is None else f" (listed without {[n for n in wanted if n not in entry]})"
                raise TimeoutError(
                    f"mount {mount} not ready on port {port} after {max(timeout, MOUNT_TIMEOUT)} s{missing}; "
                    f"entry: {entry}; error.log tail:\n{(self.error_log() or '')[-3000:]}"
                )
            time.sleep(_POLL_INTERVAL)

    def _kh_wait_mount(self, port: int, mount: str, timeout: float, fields: Iterable[str] | None) -> dict[str, Any]:
        """KH's :meth:`wait_mount`: poll its stats until ``mount`` has a running source with ``fields``.

        KH files ``server_type`` (and ``listenurl``) while it applies the
        mount's settings, before the source runs; ``queue_size`` comes from
        ``source_init``, the step that starts it (kh22 source.c), so that is
        what the admin stats are waited for.  The public status page shows
        no ``queue_size``: there ``server_type`` is all there is.  The entry
        returned has the stats' fields and a ``listenurl`` on 127.0.0.1.
        """
        deadline = time.monotonic() + max(timeout, MOUNT_TIMEOUT)
        seen: dict[str, str] | None = None
        while True:
            found = self._kh_source_stats(port)
            if found is not None:
                stats, admin = found
                seen = stats.get(mount)
                wanted = tuple(fields or ()) + (("queue_size",) if admin else ("server_type",))
                if seen is not None and all(name in seen for name in wanted):
                    return {**seen, "listenurl": f"http://127.0.0.1:{port}{mount}"}
            if time.monotonic() >= deadline:
                raise TimeoutError(
                    f"mount {mount} not running on port {port} after {max(timeout, MOUNT_TIMEOUT)} s; "
                    f"stats: {seen}; error.log tail:\n{(self.error_log() or '')[-3000:]}"
                )
            time.sleep(_POLL_INTERVAL)

    def admin_login(self) -> tuple[str, str] | None:
        """The ``<admin-user>`` and ``<admin-password>`` of the served file, or ``None`` without both.

        The harness reads a release's stats with them where it has no
        public page to read (KH has no status-json).  The last of each
        counts, as KH reads it; a file that is no XML has none.
        """
        try:
            data = self.config_path.read_bytes() if self.config_file is not None else self.config
            root = ET.fromstring(data)
        except (OSError, ET.ParseError):
            return None
        user = [e.text for e in root.findall("authentication/admin-user")][-1:]
        password = [e.text for e in root.findall("authentication/admin-password")][-1:]
        if not user or not password or not user[0] or not password[0]:
            return None
        return user[0], password[0]

    def _kh_source_stats(self, port: int) -> tuple[dict[str, dict[str, str]], bool] | None:
        """KH's stats of every source (mount -> fields), and whether they are the admin stats.

        The admin stats list hidden mounts too; a file without a working
        admin login is read from the public ``/status.xsl`` page instead,
        which lists the other mounts with their content type.  ``None`` when
        neither answers (a transient failure; the server must be alive).
        """
        login = self.admin_login()
        with contextlib.suppress(OSError, http.client.HTTPException, ET.ParseError):
            if login is not None:
                resp = http_get(port, "/admin/stats", auth=login, timeout=2.0, max_body=4 * 1024 * 1024)
                if resp.status == 200:
                    return _stats_sources(resp.body), True
            resp = http_get(port, "/status.xsl", timeout=2.0, max_body=4 * 1024 * 1024)
            if resp.status == 200:
                return _status_page_sources(resp.body.decode("utf-8", "replace")), False
        self._raise_if_dead()
        return None

    def admin_source(
        self,
        port: int,
        mount: str,
        auth: tuple[str, str],
        fields: Iterable[str] = ("max_listeners",),
        timeout: float = MOUNT_TIMEOUT,
    ) -> dict[str, str]:
        """Poll ``/admin/stats`` until ``mount``'s source has every one of ``fields``; return its fields.

        The stats thread files a new source's fields one by one: 2.5.0 has
        been seen listing ``server_type`` (what :meth:`wait_mount` waits
        for) while ``max_listeners`` was not there yet, about one run in
        ten.  The admin stats also list hidden mounts and KH's, which
        status-json does not.  A timeout names what was last seen.
        """
        wanted = tuple(fields)
        seen: dict[str, str] | None = None

        def ready() -> bool:
            nonlocal seen
            with contextlib.suppress(OSError, http.client.HTTPException, ET.ParseError):
                resp = http_get(port, "/admin/stats", auth=auth, timeout=2.0, max_body=4 * 1024 * 1024)
                seen = _stats_sources(resp.body).get(mount, seen)
            self._raise_if_dead()
            return seen is not None and all(name in seen for name in wanted)

        if not wait_until(ready, timeout):
            raise TimeoutError(
                f"/admin/stats on port {port} has no {list(wanted)} for {mount} after {timeout} s: {seen}"
            )
        assert seen is not None
        return seen

    def wait_listeners(self, port: int, mount: str, count: int, timeout: float = MOUNT_TIMEOUT) -> dict[str, Any]:
        """Poll status-json until ``mount`` counts ``count`` listeners and return its source entry.

        A listener is counted a moment after its request is answered, and one
        that leaves is uncounted a moment after it closed.  Transient
        failures of status-json are polled past; a timeout names the last
        count seen.  Not for KH, which serves no status-json.
        """
        if self.release.name == "kh":
            raise RuntimeError("KH serves no status-json: read the listeners from /admin/stats")
        deadline = time.monotonic() + max(timeout, MOUNT_TIMEOUT)
        seen: object = None
        while True:
            for source in self._poll_sources(port) or []:
                if source_mount(source) == mount:
                    seen = source.get("listeners")
                    if int(seen or 0) == count:
                        return dict(source)
            if time.monotonic() >= deadline:
                raise TimeoutError(f"mount {mount} on port {port} never counted {count} listener(s); last seen: {seen}")
            time.sleep(_POLL_INTERVAL)

    def listed_mounts(self, port: int) -> set[str] | None:
        """The mounts with a source, as status-json (KH: its stats) lists them; None on a transient failure.

        Asked of the server's own lists, never of a mount: a request for a
        mount whose source is stalled is a listener the server may keep
        waiting (KH sends nothing until the source does).
        """
        if self.release.name == "kh":
            found = self._kh_source_stats(port)
            return None if found is None else set(found[0])
        sources = self._poll_sources(port)
        return None if sources is None else {source_mount(s) for s in sources}

    def wait_mount_gone(self, port: int, mount: str, timeout: float = MOUNT_TIMEOUT) -> None:
        """Poll status-json (KH: its stats, see :meth:`wait_mount`) until ``mount`` is no longer listed.

        ``timeout`` is a lower bound raised to :data:`MOUNT_TIMEOUT` (see :meth:`wait_mount`).
        """
        deadline = time.monotonic() + max(timeout, MOUNT_TIMEOUT)
        while True:
            listed = self.listed_mounts(port)
            if listed is not None and mount not in listed:
                return
            if time.monotonic() >= deadline:
                raise TimeoutError(f"mount {mount} still listed on port {port} after {max(timeout, MOUNT_TIMEOUT)} s")
            time.sleep(_POLL_INTERVAL)


def _stats_sources(xml: bytes) -> dict[str, dict[str, str]]:
    """The ``<source>`` entries of a stats document (``/admin/stats``): mount -> its fields."""
    return {
        source.get("mount", ""): {child.tag: child.text or "" for child in source}
        for source in ET.fromstring(xml).iter("source")
    }


#: How KH's public status.xsl heads a mount's block, and the row of its content type.
_STATUS_PAGE_MOUNT = "<h3>Mount Point "
_STATUS_PAGE_TYPE = re.compile(r"Content Type:</td>\s*<td[^>]*>([^<]*)<")


def _status_page_sources(page: str) -> dict[str, dict[str, str]]:
    """The mounts a status.xsl page (as KH ships it) lists: mount -> ``server_type`` where it shows one."""
    sources: dict[str, dict[str, str]] = {}
    for block in page.split(_STATUS_PAGE_MOUNT)[1:]:
        name, _, rest = block.partition("</h3>")
        content_type = _STATUS_PAGE_TYPE.search(rest)
        mount = html.unescape(name.strip())
        sources[mount] = {} if content_type is None else {"server_type": content_type[1].strip()}
    return sources


def _file_sizes(directory: Path) -> dict[Path, int]:
    """Size of every regular file under ``directory`` (empty if it does not exist)."""
    sizes: dict[Path, int] = {}
    for dirpath, _dirnames, filenames in os.walk(directory):
        for name in filenames:
            path = Path(dirpath, name)
            with contextlib.suppress(OSError):
                if path.is_file() and not path.is_symlink():
                    sizes[path] = path.stat().st_size
    return sizes


def _read_text(path: Path) -> str | None:
    try:
        return path.read_bytes().decode("utf-8", "replace")
    except FileNotFoundError:
        return None


def serve(config: bytes, sandbox: Sandbox, port: int, name: str = "icecast", **options: Any) -> IcecastServer:
    """The server on ``config`` for a ``with`` block, started once it answers HTTP on ``port``.

    Short for ``IcecastServer(config, sandbox, wait_port=port, name=name)``;
    a start that dies of the start-up race of 2.4.4 and 2.5.0 (a global
    counter incremented, by a fallback-file thread or the first connection,
    before the stats thread has created it) is started again, every other failure and a crash after start-up fail the
    test (see :class:`IcecastServer`).
    """
    return IcecastServer(config, sandbox, wait_port=port, name=name, **options)


def start_expecting_exit(
    config: bytes,
    sandbox: Sandbox,
    timeout: float = STARTUP_TIMEOUT,
    *,
    name: str = "icecast",
    expect_crash: bool = False,
    namespace_root: bool = False,
) -> IcecastExit:
    """Run a configuration that should make icecast2 exit and report how it did.

    For fatal configs (bad XML, unopenable logs, no bindable socket) and
    crashes (``<clients></clients>`` segfaults in 2.4.4).  If the server is
    still running after ``timeout`` seconds it is stopped and
    :class:`IcecastDidNotExit` is raised with its output.

    A test that looks at a crash says so with ``expect_crash=True`` and gets
    the first exit as it is.  Otherwise the test expects a clean exit (status
    1 after a ``FATAL``), and a crash is the start-up race instead: that
    run is tried again like :meth:`IcecastServer.start` does, and a crash on
    every try is returned as it is.
    """
    server = IcecastServer(config, sandbox, name=name, expect_crash=expect_crash, namespace_root=namespace_root)
    while True:
        server.launch()
        if not server.wait_exit(timeout):
            raise IcecastDidNotExit(f"icecast2 still running after {timeout} s", server.result())
        result = server.result()
        if not server._may_retry(result):
            return result
        server._set_aside_crash(result)


def wait_until(check: Callable[[], object], timeout: float = MOUNT_TIMEOUT) -> bool:
    """Poll ``check`` until it returns something true and say whether it did within ``timeout`` seconds.

    For what a server does a moment after the request that causes it (a
    log line, a listener moved): the wait ends as soon as the condition
    holds, so ``timeout`` only bounds a failure and is sized for a loaded
    machine.  The last call is made after the deadline, so a slow poll is
    not cut short.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(_POLL_INTERVAL)
    return bool(check())


def wait_mount(
    server: IcecastServer,
    port: int,
    mount: str,
    timeout: float = MOUNT_TIMEOUT,
    *,
    fields: Iterable[str] | None = None,
) -> dict[str, Any]:
    """Module-level alias of :meth:`IcecastServer.wait_mount`."""
    return server.wait_mount(port, mount, timeout, fields=fields)


@contextlib.contextmanager
def shoutcast_source(port: int, password: str, audio_data: bytes, timeout: float = 5.0) -> Iterator[bytes]:
    """Log in as a Shoutcast (ICY) source on a shoutcast-compat port (``port`` is base + 1) and send some audio.

    The Shoutcast DSP's protocol: the password alone on the first line, the
    server answers ``OK2`` (or an error line), then the source sends its
    headers and the stream.  2.4.4 and KH answer the password line; 2.5.0
    only once the headers have come, and when password and headers arrived
    in one segment it left the login unanswered in 2 of 4 runs: the headers
    follow in a segment of their own, after the answer or half a second.
    Yields the server's answer; the source ends when the block exits.
    """
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(password.encode() + b"\r\n")
        answer = b""
        with contextlib.suppress(OSError):
            sock.settimeout(0.5)
            with contextlib.suppress(TimeoutError):
                answer = sock.recv(1024)
            sock.settimeout(timeout)
            sock.sendall(b"content-type: application/ogg\r\nicy-name: oracle\r\nicy-pub: 0\r\n\r\n")
            while b"\r\n\r\n" not in answer:
                chunk = sock.recv(1024)
                if not chunk:
                    break
                answer += chunk
        if answer.startswith(b"OK2"):
            sock.sendall(audio_data[: 64 * 1024])
        yield answer


# --------------------------------------------------------------------------- source client


@dataclass
class _SourceState:
    bytes_sent: int = 0
    error: BaseException | None = None
    stopped: threading.Event = field(default_factory=threading.Event)


class SourceClient:
    """Stream audio to a mount over HTTP ``PUT`` (or legacy ``SOURCE``).

    Implemented in Python rather than with the ``shout`` tool because
    ``shout`` only takes the password as ``--pass`` on its command line,
    where any local user can read it from ``/proc/<pid>/cmdline``; here the
    password only ever exists in this process's memory and the
    ``Authorization`` header.

    Icecast 2.4.4 answers a source request right after authentication
    (``HTTP/1.0 200 OK`` with no body, or 401/403 with a text body) and then
    reads raw data with no length or chunking; so the client reads the
    status first and only then streams.  The audio loops until :meth:`stop`
    and is paced at real time (file size / Ogg duration) after a one-second
    initial burst, so the server sees a plausible live source.

    Icecast 2.5.0 sends *no* response to a plain ``PUT`` (by HTTP's rules
    the final status comes when the upload ends); only with ``Expect:
    100-continue`` (``expect_continue=True``, what libshout sends) does it
    answer ``100 Continue`` first, which then counts as accepted.
    :meth:`IcecastServer.source` picks that per release.
    """

    def __init__(
        self,
        port: int,
        mount: str,
        audio_data: bytes | Path,
        *,
        password: str,
        user: str = "source",
        host: str = "127.0.0.1",
        method: str = "PUT",
        content_type: str = "application/ogg",
        public: bool = False,
        headers: Mapping[str, str] | None = None,
        bytes_per_second: float | None = None,
        tls: bool = False,
        timeout: float = 5.0,
        expect_continue: bool = False,
    ) -> None:
        self.port = port
        self.mount = mount
        self.data = audio_data.read_bytes() if isinstance(audio_data, Path) else bytes(audio_data)
        if not self.data:
            raise ValueError("no audio data")
        self.user = user
        self._password = password
        self.host = host
        self.method = method
        self.content_type = content_type
        self.public = public
        self.extra_headers = dict(headers or {})
        self.bytes_per_second = bytes_per_second or self._realtime_rate()
        self.tls = tls
        self.timeout = timeout
        self.expect_continue = expect_continue
        self.status: int | None = None
        self.reason = ""
        self.response_headers: dict[str, str] = {}
        self.response_body = b""
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._state = _SourceState()

    def _realtime_rate(self) -> float:
        """Bytes per second that play the data in real time (fallback 16 kB/s)."""
        try:
            duration = audio.ogg_vorbis_info(self.data).duration
        except ValueError:
            duration = 0.0
        return len(self.data) / duration if duration > 0 else 16000.0

    @property
    def accepted(self) -> bool:
        """Whether the server answered 200 (or, asked to, 100 Continue) to the source request."""
        return self.status == 200 or (self.expect_continue and self.status == 100)

    @property
    def streaming(self) -> bool:
        """Whether data is still being sent (false after a server disconnect)."""
        return self._thread is not None and self._thread.is_alive()

    @property
    def bytes_sent(self) -> int:
        """Audio bytes written to the socket so far."""
        return self._state.bytes_sent

    @property
    def error(self) -> BaseException | None:
        """Why streaming ended early (e.g. the server closed the connection)."""
        return self._state.error

    def start(self) -> SourceClient:
        """Connect, authenticate and, if accepted, start streaming in a thread.

        Refusals (401, 403, ...) are not exceptions: they are recorded in
        :attr:`status`, :attr:`reason` and :attr:`response_body`.  A
        connection closed without any response leaves :attr:`status` as
        ``None`` and sets :attr:`error`.
        """
        sock: socket.socket = socket.create_connection((self.host, self.port), timeout=self.timeout)
        if self.tls:
            sock = _insecure_tls_context().wrap_socket(sock, server_hostname=self.host)
        self._sock = sock
        lines = [
            f"{self.method} {self.mount} HTTP/1.1",
            f"Host: {self.host}:{self.port}",
            f"Authorization: {basic_auth(self.user, self._password)}",
            "User-Agent: icecfg-test-source/1.0",
            f"Content-Type: {self.content_type}",
            f"Ice-Public: {int(self.public)}",
            *(["Expect: 100-continue"] if self.expect_continue else []),
            *(f"{k}: {v}" for k, v in self.extra_headers.items()),
        ]
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("utf-8"))
        self._read_response(sock)
        if self.accepted:
            self._thread = threading.Thread(target=self._stream, name=f"source {self.mount}", daemon=True)
            self._thread.start()
        return self

    def _read_response(self, sock: socket.socket) -> None:
        buf = b""
        deadline = time.monotonic() + self.timeout
        try:
            while b"\r\n\r\n" not in buf:
                sock.settimeout(max(0.01, deadline - time.monotonic()))
                chunk = sock.recv(4096)
                if not chunk:
                    break
                buf += chunk
        except OSError as e:  # includes timeouts
            self._state.error = e
        head, _, rest = buf.partition(b"\r\n\r\n")
        if not head:
            if self._state.error is None:
                self._state.error = ConnectionError("connection closed without a response")
            return
        status_line, *header_lines = head.decode("iso-8859-1").split("\r\n")
        parts = status_line.split(" ", 2)
        if len(parts) >= 2 and parts[1].isdigit():
            self.status = int(parts[1])
            self.reason = parts[2] if len(parts) > 2 else ""
        for line in header_lines:
            key, _, value = line.partition(":")
            self.response_headers[key.strip().lower()] = value.strip()
        if not self.accepted:
            # Refusals carry a short text body and then the server closes.
            body = rest
            with contextlib.suppress(OSError):
                while len(body) < MAX_BODY and time.monotonic() < deadline:
                    sock.settimeout(max(0.01, deadline - time.monotonic()))
                    chunk = sock.recv(4096)
                    if not chunk:
                        break
                    body += chunk
            self.response_body = body

    def _stream(self) -> None:
        sock = self._sock
        assert sock is not None
        state = self._state
        data = self.data
        rate = self.bytes_per_second
        burst = rate  # one second ahead, so the mount appears quickly
        start = time.monotonic()
        pos = 0
        try:
            while not state.stopped.is_set():
                ahead = state.bytes_sent - burst - (time.monotonic() - start) * rate
                if ahead > 0 and state.stopped.wait(ahead / rate):
                    break
                chunk = data[pos : pos + 4096]
                pos = (pos + len(chunk)) % len(data)
                view = memoryview(chunk)
                while view and not state.stopped.is_set():
                    sock.settimeout(0.5)
                    try:
                        n = sock.send(view)
                    except TimeoutError:
                        continue  # server not reading right now; re-check stop flag
                    view = view[n:]
                    state.bytes_sent += n
        except OSError as e:
            state.error = e

    def pause(self) -> None:
        """Stop sending but keep the connection open: the server's source timeout then ends the mount."""
        self._state.stopped.set()
        if self._thread is not None:
            self._thread.join(STOP_TIMEOUT)

    def stop(self) -> None:
        """Stop streaming and close the connection (the server ends the mount)."""
        self._state.stopped.set()
        if self._thread is not None:
            self._thread.join(STOP_TIMEOUT)
        if self._sock is not None:
            with contextlib.suppress(OSError):
                self._sock.shutdown(socket.SHUT_RDWR)
            self._sock.close()

    def __enter__(self) -> SourceClient:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:  # never shows the password
        return f"SourceClient({self.host}:{self.port}{self.mount}, user={self.user!r}, status={self.status})"
