"""A throw-away Debian root that plays the droplet in the end-to-end bake test.

Packer's DigitalOcean builder creates a droplet through the API (here the
loopback fake, ``tests/fake_do.py``), then connects to the droplet's address
with SSH and runs the provisioners. This module supplies the "droplet":

* :func:`ensure_base_root` builds, once, a Debian bookworm root with
  ``debootstrap --variant=minbase`` plus what a DigitalOcean Debian image has
  and the provisioning scripts rely on (systemd for ``systemctl enable``,
  openssh-server for its host keys), and caches it under
  ``build/e2e-root/base`` (git-ignored). The cache is keyed by :data:`RECIPE`;
  a stamp file written last marks it complete.
* :func:`make_root` copies the cached root for one test run (one copy per test
  process), because the provisioning changes it. Inside the root a ``policy-rc.d`` that exits 101 keeps
  package scripts from starting services, and ``/dev`` holds the device nodes
  debootstrap made with mknod (sshd's ``ChrootDirectory`` does not provide a
  ``/dev``; apt, dpkg and the shell need ``/dev/null`` and friends). ``/proc`` is
  deliberately not mounted: apt, dpkg and the scripts work without it, and no
  host mount can then be left behind.
* :class:`ChrootSshd` runs Debian's ``/usr/sbin/sshd`` in the foreground on a
  free high port of 127.0.0.1 with its own config, host key and pid file, chrooting
  root logins into that root (``ChrootDirectory``; ``Subsystem sftp
  internal-sftp`` so file uploads need nothing from the root). Its
  ``AuthorizedKeysFile`` is the root's ``/root/.ssh/authorized_keys``, seen from
  the host: the fake's ``on_droplet_created`` hook writes Packer's public key
  there, as DigitalOcean does on a real droplet, so the image clean-up can be
  checked. It is stopped by its pid.
* :class:`RootIcecast` starts the installed ``/usr/bin/icecast2`` from the root
  (``chroot --userspec`` with the ids of the root's own ``icecast2`` user) on the
  configuration the bake installed.

sshd refuses a chroot directory with a group- or world-writable path component,
which is why none of this can live under ``/tmp``. Everything here needs root.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from types import TracebackType

REPO = Path(__file__).resolve().parents[1]


def _chroot_safe(path: Path) -> bool:
    """True when every existing component is root-owned and not group/world-writable."""
    for part in (path, *path.parents):
        if not part.exists():
            continue
        st = part.stat()
        if st.st_uid != 0 or st.st_mode & 0o022:
            return False
    return True


# The cache lives in the checkout's build directory; a checkout under a
# world-writable directory (/tmp) cannot hold a chroot sshd accepts, so such a
# checkout keeps it in a root-owned cache directory instead.
E2E_DIR = REPO / "build" / "e2e-root" if _chroot_safe(REPO / "build") else Path("/var/cache/icecfg-tests") / "e2e-root"
BASE = E2E_DIR / "base"
RUNS = E2E_DIR / "runs"
STAMP_NAME = ".icecfg-e2e-base"

SUITE = "bookworm"
MIRROR = "http://deb.debian.org/debian"
#: Packages a DigitalOcean Debian image has that the provisioning touches.
INCLUDE = ("systemd", "openssh-server")
RECIPE = f"v1 debootstrap --variant=minbase --include={','.join(INCLUDE)} {SUITE} {MIRROR}"

SSHD = "/usr/sbin/sshd"
POLICY_RC_D = b"#!/bin/sh\n# e2e test root: package scripts never start services.\nexit 101\n"
#: Character devices the root needs (name, mode, major, minor).
DEVICES = (
    ("null", 0o666, 1, 3),
    ("zero", 0o666, 1, 5),
    ("full", 0o666, 1, 7),
    ("random", 0o666, 1, 8),
    ("urandom", 0o666, 1, 9),
    ("tty", 0o666, 5, 0),
)
DEBOOTSTRAP_TIMEOUT = 900.0


class HostError(RuntimeError):
    """The test root or its sshd could not be set up."""


# --------------------------------------------------------------------------- the root


def _mounts_under(path: Path) -> list[str]:
    """Mount points at or below ``path`` (debootstrap mounts /proc and /sys while it runs)."""
    prefix = str(path.resolve())
    found = []
    with open("/proc/self/mounts") as mounts:
        for line in mounts:
            point = line.split()[1].replace("\\040", " ")
            if point == prefix or point.startswith(prefix + "/"):
                found.append(point)
    return sorted(found, key=len, reverse=True)


def remove_tree(path: Path) -> None:
    """Remove a root made here, unmounting what a killed debootstrap may have left."""
    if not path.exists():
        return
    for point in _mounts_under(path):
        subprocess.run(["umount", "--lazy", point], check=False, capture_output=True)
    if _mounts_under(path):
        raise HostError(f"{path} still has mounts; not removing it")
    shutil.rmtree(path)


@contextlib.contextmanager
def _lock() -> Iterator[None]:
    E2E_DIR.mkdir(parents=True, exist_ok=True)
    with open(E2E_DIR / ".lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _check_no_writable_components(path: Path) -> None:
    """sshd's ChrootDirectory rule: every component root-owned, not group/world-writable."""
    for part in (path, *path.parents):
        st = part.stat()
        if st.st_uid != 0 or st.st_mode & 0o022:
            raise HostError(f"{part} is not root-owned or is group/world-writable; sshd refuses to chroot below it")


def _fix_up(root: Path) -> None:
    """What the root needs beyond debootstrap: policy-rc.d, device nodes, /root/.ssh."""
    policy = root / "usr/sbin/policy-rc.d"
    policy.write_bytes(POLICY_RC_D)
    policy.chmod(0o755)
    dev = root / "dev"
    dev.mkdir(mode=0o755, exist_ok=True)
    for name, mode, major, minor in DEVICES:
        node = dev / name
        if node.is_char_device() and os.major(node.stat().st_rdev) == major:
            continue
        if node.exists() or node.is_symlink():
            node.unlink()
        os.mknod(node, mode | 0o020000, os.makedev(major, minor))  # S_IFCHR
        node.chmod(mode)
    ssh_dir = root / "root/.ssh"
    ssh_dir.mkdir(mode=0o700, exist_ok=True)
    ssh_dir.chmod(0o700)


def ensure_base_root(log: Path | None = None) -> Path:
    """Return the cached base root, building it first if needed (about a minute)."""
    with _lock():
        stamp = BASE / STAMP_NAME
        if stamp.is_file() and stamp.read_text().strip() == RECIPE:
            return BASE
        if shutil.which("debootstrap") is None:
            raise HostError("debootstrap is missing; run scripts/install-packer-test-deps.sh")
        remove_tree(BASE)
        partial = E2E_DIR / "base.partial"
        remove_tree(partial)
        log_path = log or (E2E_DIR / "debootstrap.log")
        with open(log_path, "wb") as out:
            proc = subprocess.run(
                [
                    "debootstrap",
                    "--variant=minbase",
                    f"--include={','.join(INCLUDE)}",
                    SUITE,
                    str(partial),
                    MIRROR,
                ],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                timeout=DEBOOTSTRAP_TIMEOUT,
                check=False,
            )
        if proc.returncode != 0:
            tail = log_path.read_text(errors="replace")[-2000:]
            remove_tree(partial)
            raise HostError(f"debootstrap failed ({proc.returncode}):\n{tail}")
        if _mounts_under(partial):
            raise HostError(f"debootstrap left mounts below {partial}")
        _fix_up(partial)
        (partial / STAMP_NAME).write_text(RECIPE + "\n")
        partial.rename(BASE)
        return BASE


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def prune_stale_runs() -> None:
    """Remove run copies whose test process is gone (``<name>-<pid>-<random>``)."""
    if not RUNS.is_dir():
        return
    for run_dir in RUNS.iterdir():
        parts = run_dir.name.rsplit("-", 2)
        if len(parts) == 3 and parts[1].isdigit() and not _pid_alive(int(parts[1])):
            remove_tree(run_dir)


def make_root(name: str) -> Path:
    """A fresh copy of the base root for one run: ``build/e2e-root/runs/<name>-<pid>-<random>/root``.

    Each test process gets its own copy, so concurrent test runs (several people
    running the suite in one tree) never provision the same root. Remove it with
    :func:`remove_run`; copies left by dead processes are pruned here.
    """
    base = ensure_base_root()
    RUNS.mkdir(parents=True, exist_ok=True)
    prune_stale_runs()
    run_dir = Path(tempfile.mkdtemp(prefix=f"{name}-{os.getpid()}-", dir=RUNS))
    run_dir.chmod(0o755)
    root = run_dir / "root"
    subprocess.run(["cp", "-a", "--reflink=auto", str(base), str(root)], check=True)
    (root / STAMP_NAME).unlink()
    # apt inside the root resolves the mirror with the host's resolver settings.
    resolv = root / "etc/resolv.conf"
    if resolv.is_symlink() or resolv.exists():
        resolv.unlink()
    shutil.copyfile("/etc/resolv.conf", resolv)
    _fix_up(root)
    _check_no_writable_components(root)
    return root


def remove_run(root: Path) -> None:
    """Remove a copy made by :func:`make_root` (its whole run directory)."""
    run_dir = root.parent
    if run_dir.parent != RUNS:
        raise HostError(f"{root} was not made by make_root")
    remove_tree(run_dir)


def read_ids(root: Path, user: str, group: str) -> tuple[int, int]:
    """The uid of ``user`` and gid of ``group`` from the root's own passwd and group files."""

    def lookup(path: Path, name: str) -> int:
        for line in path.read_text().splitlines():
            fields = line.split(":")
            if fields and fields[0] == name:
                return int(fields[2])
        raise KeyError(f"{name} not in {path}")

    return lookup(root / "etc/passwd", user), lookup(root / "etc/group", group)


def in_root(root: Path, *argv: str, timeout: float = 120.0) -> subprocess.CompletedProcess[str]:
    """Run a command inside the root (as root, with a clean environment)."""
    env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL": "C", "HOME": "/root"}
    return subprocess.run(
        ["chroot", str(root), *argv],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def _terminate(proc: subprocess.Popen[bytes], timeout: float) -> int:
    """SIGTERM ``proc`` (by its own pid, nothing else), SIGKILL it after ``timeout`` s; reap it and return its status."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout)
    return proc.returncode


# --------------------------------------------------------------------------- sshd


def _wait_banner(port: int, deadline: float, proc: subprocess.Popen[bytes]) -> None:
    while True:
        if proc.poll() is not None:
            raise HostError(f"sshd exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1.0) as sock:
                if sock.recv(64).startswith(b"SSH-2.0-"):
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise HostError(f"sshd did not answer on 127.0.0.1:{port}")
        time.sleep(0.05)


class ChrootSshd:
    """Debian's sshd on ``127.0.0.1:port``, chrooting root logins into ``root``."""

    def __init__(self, root: Path, workdir: Path, port: int) -> None:
        self.root = root
        self.workdir = workdir
        self.port = port
        self.config = workdir / "sshd_config"
        self.host_key = workdir / "ssh_host_ed25519_key"
        self.pid_file = workdir / "sshd.pid"
        self.log = workdir / "sshd.log"
        self.authorized_keys = root / "root/.ssh/authorized_keys"
        self._proc: subprocess.Popen[bytes] | None = None

    def authorize(self, public_keys: Iterable[str]) -> None:
        """Write keys the way DigitalOcean does on a new droplet (root's authorized_keys)."""
        keys = [k.strip() for k in public_keys if k.strip()]
        self.authorized_keys.parent.mkdir(mode=0o700, exist_ok=True)
        self.authorized_keys.write_text("".join(f"{k}\n" for k in keys))
        self.authorized_keys.chmod(0o600)

    def config_text(self) -> str:
        return "\n".join(
            [
                f"Port {self.port}",
                "ListenAddress 127.0.0.1",
                f"HostKey {self.host_key}",
                f"PidFile {self.pid_file}",
                f"AuthorizedKeysFile {self.authorized_keys}",
                "AuthenticationMethods publickey",
                "PubkeyAuthentication yes",
                "PasswordAuthentication no",
                "KbdInteractiveAuthentication no",
                "PermitRootLogin prohibit-password",
                "AllowUsers root",
                "UsePAM no",
                "StrictModes yes",
                "PermitUserEnvironment no",
                "AllowTcpForwarding no",
                "AllowAgentForwarding no",
                "X11Forwarding no",
                f"ChrootDirectory {self.root}",
                "Subsystem sftp internal-sftp",
                "LogLevel INFO",
                "",
            ]
        )

    def start(self, timeout: float = 30.0) -> ChrootSshd:
        if self._proc is not None:
            raise HostError("sshd already started")
        if not os.access(SSHD, os.X_OK):
            raise HostError(f"{SSHD} is missing; run scripts/install-packer-test-deps.sh")
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.workdir.chmod(0o700)
        if not self.host_key.exists():
            subprocess.run(
                ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "e2e-host", "-f", str(self.host_key)],
                check=True,
                capture_output=True,
            )
        self.config.write_text(self.config_text())
        # Debian's sshd wants its privilege separation directory.
        Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)
        check = subprocess.run([SSHD, "-t", "-f", str(self.config)], capture_output=True, text=True, check=False)
        if check.returncode != 0:
            raise HostError(f"sshd -t rejected the config: {check.stderr.strip()}")
        with open(self.log, "ab") as log:
            self._proc = subprocess.Popen(
                [SSHD, "-D", "-e", "-f", str(self.config)],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                start_new_session=True,
            )
        try:
            _wait_banner(self.port, time.monotonic() + timeout, self._proc)
        except BaseException:
            self.stop()
            raise
        return self

    @property
    def pid(self) -> int:
        if self._proc is None:
            raise HostError("sshd not started")
        return self._proc.pid

    def stop(self, timeout: float = 10.0) -> None:
        """Stop this sshd (and only it) by its pid."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        _terminate(proc, timeout)
        self.pid_file.unlink(missing_ok=True)

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def __enter__(self) -> ChrootSshd:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


# --------------------------------------------------------------------------- icecast


class RootIcecast:
    """The root's installed icecast2, run from inside the root as its ``icecast2`` user."""

    def __init__(self, root: Path, workdir: Path, config: str = "/etc/icecast2/icecast.xml") -> None:
        self.root = root
        self.config = config
        self.stdout = workdir / "icecast.stdout"
        self.stderr = workdir / "icecast.stderr"
        self.uid, self.gid = read_ids(root, "icecast2", "icecast")
        self._proc: subprocess.Popen[bytes] | None = None

    def argv(self) -> list[str]:
        return [
            "chroot",
            f"--userspec={self.uid}:{self.gid}",
            str(self.root),
            "/usr/bin/icecast2",
            "-c",
            self.config,
        ]

    def start(self) -> RootIcecast:
        env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL": "C"}
        with open(self.stdout, "wb") as out, open(self.stderr, "wb") as err:
            self._proc = subprocess.Popen(
                self.argv(), stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=env, start_new_session=True
            )
        return self

    @property
    def returncode(self) -> int | None:
        return None if self._proc is None else self._proc.poll()

    def output(self) -> str:
        parts = [p.read_text(errors="replace") for p in (self.stdout, self.stderr) if p.exists()]
        return "\n".join(parts)

    def stop(self, timeout: float = 10.0) -> int | None:
        """Stop the server by its pid (``chroot`` execs it, so the pid is icecast's)."""
        proc, self._proc = self._proc, None
        if proc is None:
            return None
        return _terminate(proc, timeout)

    def __enter__(self) -> RootIcecast:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
