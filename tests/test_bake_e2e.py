"""End to end: Debian's packer bakes the image into a local Debian root, for Icecast 2.4 and 2.5.

Packer 1.6.6 talks to the loopback fake of the DigitalOcean API
(``tests/fake_do.py``, ``api_url``); the fake reports 127.0.0.1 as the droplet's
address and hands Packer's public key to the harness, which writes it into the
root's ``/root/.ssh/authorized_keys``; Packer then connects to the test sshd
(``ssh_port``), which chroots into the root (``tests/e2e_host.py``), and runs the
repository's template and provisioning scripts there for real: for 2.4
``apt-get`` installs icecast2 from Debian's mirror inside the root; for 2.5 the
provisioning fetches Debian's icecast2 2.5.0 source package, builds it with its
build dependencies from the mirror and installs it. The module fixture runs one
bake per release; the tests below check what it left in the root, that the
installed Icecast serves the fallback mount (and TLS) from that root, that the
snapshot exists in the fake under the name that was passed, and that
``icecfg up``, ``status`` and ``down`` then work with that snapshot and that
server.

Needs root, debootstrap, openssh-server and packer (scripts/install-packer-test-deps.sh),
and Debian's mirror. The first run builds the cached root (about a minute); see
``build/e2e-root/``. The Icecast 2.5 package the 2.5 bake builds (about four
minutes) is kept in ``build/e2e-root/icecfg-cache/`` as icecfg keeps it for a
user, keyed by the recipe: later runs install it instead of building it, until
the recipe changes (delete that directory to test the build again).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import ssl
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from icecfg.bake import package_cache
from icecfg.bake.digitalocean import DigitalOcean
from icecfg.bake.packer import default_template_dir
from icecfg.bake.snapshots import Snapshot
from tests import audio, e2e_host
from tests.fake_do import FakeDigitalOcean
from tests.oracle import (
    MOUNT_TIMEOUT,
    STARTUP_TIMEOUT,
    HttpResponse,
    SourceClient,
    free_ports,
    http_get,
    self_signed_pem,
)

TOKEN = "dop_v1_e2e_" + secrets.token_hex(16)
CERT_PATH = "/etc/icecast2/tls/bundle.pem"
FALLBACK_PATH = "/usr/share/icecast2/web/fallback.ogg"
LOGDIR = "/var/log/icecast2"
PACKAGE_CACHE = e2e_host.E2E_DIR / "icecfg-cache"
PACKER_DIR = default_template_dir()


def icecast_xml(http_port: int, tls_port: int, release: str) -> bytes:
    """A small configuration for ``release``: a live mount falling back to a file, plus TLS.

    2.4 takes TLS as ``<ssl>1</ssl>`` with ``<paths><ssl-certificate>``; 2.5 as
    ``<tls>1</tls>`` with ``<security><tls-context>``, and needs ``<reportxmldb>``.
    """
    if release == "2.4":
        tls_socket = "<ssl>1</ssl>"
        paths = f"<ssl-certificate>{CERT_PATH}</ssl-certificate>"
        security = ""
        loglevel = "3"
    else:
        tls_socket = "<tls>1</tls>"
        paths = "<reportxmldb>/usr/share/icecast2/report-db.xml</reportxmldb>"
        security = f"<tls-context><tls-certificate>{CERT_PATH}</tls-certificate></tls-context>"
        loglevel = "information"
    return f"""<?xml version="1.0"?>
<icecast>
    <location>e2e test</location>
    <admin>ops@example.org</admin>
    <hostname>127.0.0.1</hostname>
    <limits>
        <clients>20</clients>
        <sources>2</sources>
        <queue-size>524288</queue-size>
        <client-timeout>30</client-timeout>
        <header-timeout>15</header-timeout>
        <source-timeout>10</source-timeout>
        <burst-size>65535</burst-size>
    </limits>
    <authentication>
        <source-password>{secrets.token_hex(12)}</source-password>
        <relay-password>{secrets.token_hex(12)}</relay-password>
        <admin-user>admin</admin-user>
        <admin-password>{secrets.token_hex(12)}</admin-password>
    </authentication>
    <listen-socket>
        <port>{http_port}</port>
        <bind-address>127.0.0.1</bind-address>
    </listen-socket>
    <listen-socket>
        <port>{tls_port}</port>
        <bind-address>127.0.0.1</bind-address>
        {tls_socket}
    </listen-socket>
    <mount type="normal">
        <mount-name>/live.ogg</mount-name>
        <fallback-mount>/fallback.ogg</fallback-mount>
        <fallback-override>1</fallback-override>
    </mount>
    <fileserve>1</fileserve>
    <paths>
        <basedir>/usr/share/icecast2</basedir>
        <logdir>{LOGDIR}</logdir>
        <webroot>/usr/share/icecast2/web</webroot>
        <adminroot>/usr/share/icecast2/admin</adminroot>
        {paths}
    </paths>
    <logging>
        <accesslog>access.log</accesslog>
        <errorlog>error.log</errorlog>
        <loglevel>{loglevel}</loglevel>
        <logsize>10000</logsize>
    </logging>
    <security>
        <chroot>0</chroot>
        {security}
    </security>
</icecast>
""".encode()


#: The settings' ``[bake] domain``: the name ``up`` points at the droplet, which the certificate names.
DOMAIN = "radio.example.org"


def make_cert_bundle(path: Path) -> Path:
    """A self-signed certificate for :data:`DOMAIN` and its key in one PEM file, as Icecast 2.4 wants it.

    Valid for a year and for the domain: one that expires within days (ICE407),
    or names another host than the one listeners connect to (ICE410), is a lint
    warning, and the bake tests assert that the configuration lints clean.
    """
    path.write_bytes(self_signed_pem(common_name=DOMAIN, days=365))
    return path


@dataclass
class Bake:
    release: str
    fake: FakeDigitalOcean
    #: The Icecast package this bake could reuse (a 2.5 bake's from an earlier test run), if any.
    kept_package: Path | None
    root: Path
    work: Path
    config: bytes
    snapshot_id: str
    snapshot_name: str
    stdout: str
    stderr: str
    snapshots: list[Snapshot]
    older: list[str]
    foreign: str
    requests: list[tuple[str, str]]
    droplet_request: dict[str, object]
    public_keys: list[str]
    packer_argv: list[str]
    http_port: int
    tls_port: int
    assets: dict[str, bytes]
    seconds: dict[str, float] = field(default_factory=dict)


@pytest.fixture(scope="module", params=["2.4", "2.5"], ids=lambda release: f"icecast-{release}")
def bake(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bake]:
    """One real bake of the test configuration for the release; the fake API stays up for the tests."""
    release = str(request.param)
    assert os.geteuid() == 0, "the end-to-end bake needs root (debootstrap, chroot, sshd)"
    for tool in ("packer", "debootstrap", e2e_host.SSHD, "oggenc", "openssl"):
        assert shutil.which(tool), f"{tool} is missing: run scripts/install-packer-test-deps.sh"
    seconds: dict[str, float] = {}
    t0 = time.monotonic()
    e2e_host.ensure_base_root()
    seconds["base root"] = time.monotonic() - t0
    t1 = time.monotonic()
    root = e2e_host.make_root(f"bake-{release}")
    seconds["copy root"] = time.monotonic() - t1
    try:
        with FakeDigitalOcean(token=TOKEN) as fake:
            yield _bake(root, tmp_path_factory.mktemp(f"bake-{release}"), seconds, release, fake)
    finally:
        e2e_host.remove_run(root)


def _icecfg(
    *argv: str, cwd: Path, fake: FakeDigitalOcean, timeout: float = 900, command: tuple[str, ...] = ()
) -> subprocess.CompletedProcess[str]:
    """Run the icecfg command line as a user would, against the fake API.

    ``command`` is the program to run (default: this checkout's, through the
    running interpreter); tests/test_wheel.py passes an installed wheel's.
    """
    env = dict(os.environ)
    env.update(
        DIGITALOCEAN_TOKEN=TOKEN,
        DIGITALOCEAN_END_POINT=fake.end_point,
        DIGITALOCEAN_API_URL=fake.url,
    )
    env.pop("DIGITALOCEAN_ACCESS_TOKEN", None)
    # The 2.5 package a bake builds is kept here between test runs (keyed by the
    # recipe), as icecfg keeps it in ~/.cache for a user.
    env["XDG_CACHE_HOME"] = str(PACKAGE_CACHE)
    return subprocess.run(
        [*(command or (sys.executable, "-m", "icecfg.cli")), *argv],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def _bake(
    root: Path,
    tmp: Path,
    seconds: dict[str, float],
    release: str,
    fake: FakeDigitalOcean,
    icecfg: tuple[str, ...] = (),
) -> Bake:
    """Run ``icecfg bake`` (``icecfg``: the command, see :func:`_icecfg`) against the fake API and the chroot sshd."""
    http_port, tls_port, ssh_port = free_ports(3)
    config = icecast_xml(http_port, tls_port, release)
    (tmp / "icecast.xml").write_bytes(config)
    fallback = audio.make_ogg(tmp / "fallback.ogg")
    cert = make_cert_bundle(tmp / "bundle.pem")
    assets = {FALLBACK_PATH: fallback, CERT_PATH: cert}
    (tmp / "icecfg.toml").write_text(
        f'target = "{release}"\n'
        f'[bake]\nconfig = "icecast.xml"\nkeep = 1\nprivacy-logs = true\ndomain = "{DOMAIN}"\n'
        f'[bake.assets]\n"{FALLBACK_PATH}" = "{fallback}"\n"{CERT_PATH}" = "{cert}"\n'
    )

    keys: list[str] = []
    packer_argv: list[str] = []
    with e2e_host.ChrootSshd(root, root.parent / "sshd", ssh_port) as sshd:

        def on_droplet_created(droplet: dict[str, object], public_keys: list[str]) -> None:
            keys.extend(public_keys)
            sshd.authorize(public_keys)
            packer_argv.extend(_packer_command_lines())

        fake.on_droplet_created = on_droplet_created
        now = datetime.now(timezone.utc)
        older = [
            fake.add_snapshot(f"icecfg-{i:012x}-2026010{i}-000000", 1.0, now - timedelta(days=40 - i), tags=("icecfg",))
            for i in range(1, 3)
        ]
        foreign = fake.add_snapshot("hand-made-backup", 3.0, now - timedelta(days=90))
        key = package_cache.cache_key(release, "debian-12-x64", PACKER_DIR)
        kept = PACKAGE_CACHE / "icecfg" / "packages" / key / package_cache.PACKAGE_NAME if key else None
        kept = kept if kept is not None and kept.is_file() else None
        t2 = time.monotonic()
        run = _icecfg("bake", "--ssh-port", str(ssh_port), cwd=tmp, fake=fake, timeout=1800, command=icecfg)
        seconds["icecfg bake"] = time.monotonic() - t2
        with DigitalOcean(TOKEN, end_point=fake.end_point) as client:
            snapshots = client.snapshots()
        requests = [(r.method, r.path) for r in fake.requests]
        created = [r.body for r in fake.requests if (r.method, r.path) == ("POST", "/v2/droplets")]
        sshd_log = sshd.log_text()
    if run.returncode != 0:
        raise AssertionError(
            f"icecfg bake exited {run.returncode}\n{run.stdout[-4000:]}\n{run.stderr[-4000:]}\n{sshd_log[-3000:]}"
        )
    made = re.search(
        rf"^snapshot (\d+) (icecfg-{re.escape(release)}-[0-9a-f]{{12}}-\d{{8}}-\d{{6}}): ", run.stdout, re.M
    )
    assert made is not None, run.stdout
    return Bake(
        release=release,
        fake=fake,
        kept_package=kept,
        root=root,
        work=tmp,
        config=config,
        snapshot_id=made[1],
        snapshot_name=made[2],
        stdout=run.stdout,
        stderr=run.stderr,
        snapshots=snapshots,
        older=older,
        foreign=foreign,
        requests=requests,
        droplet_request=created[0] if created else {},
        public_keys=keys,
        packer_argv=packer_argv,
        http_port=http_port,
        tls_port=tls_port,
        assets={p: Path(local).read_bytes() for p, local in assets.items()},
        seconds=seconds,
    )


def _packer_command_lines() -> list[str]:
    """The argv of every running packer process (read from /proc while the build runs)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if argv and argv[0] and Path(argv[0].decode(errors="replace")).name == "packer":
            found.append(" ".join(a.decode(errors="replace") for a in argv))
    return found


def _in_root(bake: Bake, server_path: str) -> Path:
    return bake.root / server_path.lstrip("/")


# --------------------------------------------------------------------------- the build


def test_build_succeeded_and_reported_progress(bake: Bake) -> None:
    print("e2e timings:", {k: round(v, 1) for k, v in bake.seconds.items()})
    # bake goes on over warnings and counts them (the 2.5 file keeps 2.4-style values some 2.5 rules warn about;
    # how many is the rules' business, tested with them)
    verdict = (
        "lints clean" if bake.release == "2.4" else r"has no lint errors \([1-9]\d* warnings?: see icecfg lint \S+\)"
    )
    assert re.search(rf"^config \S+ {verdict} for Icecast {re.escape(bake.release)};", bake.stdout, re.M), bake.stdout
    assert "Creating droplet" in bake.stdout, bake.stdout
    assert "Provisioning with shell script" in bake.stdout, bake.stdout
    assert re.search(r"^\[\s*\d+ s\] ", bake.stdout, re.M), bake.stdout  # elapsed time on each step line


def test_snapshot_is_in_the_fake_tagged_and_older_ones_pruned(bake: Bake) -> None:
    by_id = {s.id: s for s in bake.snapshots}
    made = by_id[bake.snapshot_id]
    assert made.name == bake.snapshot_name
    assert made.name.startswith(f"icecfg-{bake.release}-")
    assert "icecfg" in made.tags
    assert f"icecfg-icecast-{bake.release.replace('.', '-')}" in made.tags
    # keep = 1: the older icecfg snapshots (2.4 images, by their names) are gone, except
    # after a 2.5 bake the newest 2.4 one, which up needs for a 2.4 configuration; the
    # hand-made one is untouched.
    older_first, newer = bake.older
    pruned = list(bake.older) if bake.release == "2.4" else [older_first]
    assert not set(pruned) & set(by_id)
    assert (newer in by_id) == (bake.release == "2.5")
    assert bake.foreign in by_id
    assert sorted(
        p.rstrip("/") for m, p in bake.requests if m == "DELETE" and p.startswith("/v2/snapshots/")
    ) == sorted(f"/v2/snapshots/{i}" for i in pruned)
    # Packer cleaned up after itself: the build droplet and the temporary key are gone.
    body = bake.droplet_request
    assert (body["region"], body["size"], body["image"]) == ("fra1", "s-1vcpu-1gb", "debian-12-x64")
    assert body["tags"] == ["icecfg-bake"]
    assert any(m == "DELETE" and p.startswith("/v2/droplets/") for m, p in bake.requests)
    assert any(m == "DELETE" and p.startswith("/v2/account/keys/") for m, p in bake.requests)


def test_snapshots_lists_the_release(bake: Bake) -> None:
    listed = _icecfg("snapshots", "--format", "json", cwd=bake.work, fake=bake.fake, timeout=60)
    assert listed.returncode == 0, listed.stderr
    rows = {row["id"]: row for row in json.loads(listed.stdout)}
    assert rows[bake.snapshot_id]["release"] == bake.release
    assert rows[bake.snapshot_id]["name"] == bake.snapshot_name
    table = _icecfg("snapshots", cwd=bake.work, fake=bake.fake, timeout=60)
    [line] = [line for line in table.stdout.splitlines() if bake.snapshot_name in line]
    assert line.split()[:3] == [bake.snapshot_id, bake.snapshot_name, bake.release]
    assert "ICECAST" in table.stdout.splitlines()[0]


def test_token_never_in_output_or_packers_argv(bake: Bake) -> None:
    assert any("build -machine-readable" in argv for argv in bake.packer_argv), bake.packer_argv
    for argv in bake.packer_argv:
        assert TOKEN not in argv
    assert TOKEN not in bake.stdout
    assert TOKEN not in bake.stderr


# --------------------------------------------------------------------------- the image


#: What ``dpkg-query`` and ``icecast2 -v`` say in each image.
INSTALLED = {"2.4": ("2.4.4-", "Icecast 2.4.4"), "2.5": ("2.5.0-2~deb12+icecfg1", "Icecast 2.5.0")}


def test_icecast2_installed_is_the_release(bake: Bake) -> None:
    package, version = INSTALLED[bake.release]
    proc = e2e_host.in_root(bake.root, "dpkg-query", "-W", "-f=${Status} ${Version}", "icecast2")
    status, _, installed = proc.stdout.rpartition(" ")
    assert status == "install ok installed", proc.stderr
    assert installed.startswith(package), installed
    uid, gid = e2e_host.read_ids(bake.root, "icecast2", "icecast")
    proc = e2e_host.in_root(
        bake.root, "setpriv", f"--reuid={uid}", f"--regid={gid}", "--clear-groups", "icecast2", "-v"
    )
    assert proc.stdout.strip() == version, (proc.stdout, proc.stderr)
    # The provisioning checked it too, and said so.
    assert f"icecfg: {version} installed (release {bake.release})" in bake.stdout


def test_the_2_5_package_is_built_once_and_then_reused(bake: Bake) -> None:
    """The first 2.5 bake with a recipe builds the package and keeps it; later ones install the kept one."""
    key = package_cache.cache_key(bake.release, "debian-12-x64", PACKER_DIR)
    if bake.release == "2.4":
        assert key is None
        assert "package for later bakes" not in bake.stdout
        return
    assert key is not None
    kept = PACKAGE_CACHE / "icecfg" / "packages" / key / package_cache.PACKAGE_NAME
    version = e2e_host.in_root(bake.root, "dpkg-query", "-W", "-f=${Version}", "icecast2").stdout
    proc = subprocess.run(
        ["dpkg-deb", "-f", str(kept), "Package", "Version"], capture_output=True, text=True, check=False
    )
    assert proc.stdout.split() == ["Package:", "icecast2", "Version:", version], proc
    if bake.kept_package is None:
        assert re.search(r"icecfg: built icecast2 2\.5\.0-2~deb12\+icecfg1 in \d+ s", bake.stdout), bake.stdout
        assert f"kept the Icecast 2.5 package for later bakes: {kept}" in bake.stdout
    else:
        assert "icecfg: installed icecast2 2.5.0-2~deb12+icecfg1, kept from an earlier bake" in bake.stdout
        assert "icecfg: built icecast2" not in bake.stdout
    # Either way the droplet's copy went with the clean-up.
    assert not _in_root(bake, package_cache.BUILT_ON_DROPLET).exists()


def test_build_tools_are_not_in_the_image(bake: Bake) -> None:
    """The 2.5 build's dependencies and work files went again (and 2.4 never had them)."""
    for package in ("gcc", "dpkg-dev", "debhelper", "libxml2-dev", "libigloo-dev"):
        proc = e2e_host.in_root(bake.root, "dpkg-query", "-W", "-f=${db:Status-Abbrev}", package)
        assert not proc.stdout.startswith("ii"), package
    assert not list(_in_root(bake, "/var/tmp").glob("icecfg-*"))
    if bake.release == "2.5":
        # Its run-time libraries stayed.
        proc = e2e_host.in_root(bake.root, "ldd", "/usr/bin/icecast2")
        assert proc.returncode == 0 and "not found" not in proc.stdout, proc.stdout


def test_config_installed_byte_identical_root_icecast_0640(bake: Bake) -> None:
    path = _in_root(bake, "/etc/icecast2/icecast.xml")
    assert path.read_bytes() == bake.config
    st = path.stat()
    _, icecast_gid = e2e_host.read_ids(bake.root, "icecast2", "icecast")
    assert (st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)) == (0, icecast_gid, 0o640)


def test_assets_installed_with_owner_and_mode(bake: Bake) -> None:
    uid, gid = e2e_host.read_ids(bake.root, "icecast2", "icecast")
    cert = _in_root(bake, CERT_PATH)
    assert cert.read_bytes() == bake.assets[CERT_PATH]
    st = cert.stat()
    assert (st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)) == (uid, gid, 0o600)
    fallback = _in_root(bake, FALLBACK_PATH)
    assert fallback.read_bytes() == bake.assets[FALLBACK_PATH]
    st = fallback.stat()
    assert (st.st_uid, stat.S_IMODE(st.st_mode)) == (0, 0o644)


def test_access_log_discarded(bake: Bake) -> None:
    logdir = _in_root(bake, LOGDIR)
    access = logdir / "access.log"
    assert access.is_symlink() and os.readlink(access) == "/dev/null"
    assert access.lstat().st_uid == 0
    st = logdir.stat()
    _, gid = e2e_host.read_ids(bake.root, "icecast2", "icecast")
    # root-owned and sticky: icecast2 cannot rename the symlink away when rotating.
    assert (st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)) == (0, gid, 0o1770)
    helper = _in_root(bake, "/usr/local/sbin/icecfg-discard-logs")
    assert helper.is_file() and helper.stat().st_mode & 0o111
    dropin = _in_root(bake, "/etc/systemd/system/icecast2.service.d/icecfg-logs.conf")
    assert "ExecStartPre=+/usr/local/sbin/icecfg-discard-logs" in dropin.read_text().splitlines()
    hook = e2e_host.in_root(bake.root, "apt-config", "dump", "DPkg::Post-Invoke")
    assert "/usr/local/sbin/icecfg-discard-logs" in hook.stdout, hook


def test_discarding_survives_the_postinst_chown(bake: Bake) -> None:
    """What an icecast2 upgrade does to the log directory, undone by the helper (apt hook)."""
    logdir = _in_root(bake, LOGDIR)
    access = logdir / "access.log"
    saved = logdir.stat()
    try:
        assert e2e_host.in_root(bake.root, "chown", "icecast2:adm", LOGDIR).returncode == 0
        access.unlink()
        access.write_text("203.0.113.9 - - GET /live.ogg\n")
        proc = e2e_host.in_root(bake.root, "/usr/local/sbin/icecfg-discard-logs")
        assert proc.returncode == 0, proc.stderr
        assert access.is_symlink() and os.readlink(access) == "/dev/null"
        st = logdir.stat()
        assert (st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)) == (0, saved.st_gid, 0o1770)
    finally:
        os.chown(logdir, saved.st_uid, saved.st_gid)
        logdir.chmod(stat.S_IMODE(saved.st_mode))
        if not access.is_symlink():
            access.unlink(missing_ok=True)
            access.symlink_to("/dev/null")


def test_services_enabled_for_boot(bake: Bake) -> None:
    for unit in ("icecast2", "nftables"):
        proc = e2e_host.in_root(bake.root, "systemctl", "is-enabled", unit)
        assert proc.stdout.strip() == "enabled", (unit, proc.stdout, proc.stderr)
    unit = _in_root(bake, "/etc/systemd/system/icecast2.service").read_text()
    for line in ("User=icecast2", "Group=icecast", "Restart=on-failure"):
        assert line in unit.splitlines()
    assert "ExecStart=/usr/bin/icecast2 -c /etc/icecast2/icecast.xml" in unit.splitlines()
    assert _in_root(bake, "/etc/systemd/system/multi-user.target.wants/icecast2.service").is_symlink()
    assert "ENABLE=true" in _in_root(bake, "/etc/default/icecast2").read_text().splitlines()


def test_firewall_opens_only_the_configured_ports(bake: Bake) -> None:
    rules = _in_root(bake, "/etc/nftables.conf").read_text()
    assert "type filter hook input priority filter; policy drop;" in rules
    low, high = sorted((bake.http_port, bake.tls_port))
    # the config's listen sockets, and SSH (22) so that the droplet can still be administered
    assert [line.strip() for line in rules.splitlines() if "dport" in line] == [
        f"tcp dport {{ 22, {low}, {high} }} accept"
    ]
    # The rules parse (syntax check only; nothing is loaded into the host's kernel).
    proc = e2e_host.in_root(bake.root, "nft", "-c", "-f", "/etc/nftables.conf")
    assert proc.returncode == 0, proc.stderr


def test_no_build_leftovers(bake: Bake) -> None:
    root = bake.root
    assert bake.public_keys, "the fake never saw Packer's key"
    # Every key DigitalOcean put on the build droplet was Packer's temporary one.
    assert not _in_root(bake, "/root/.ssh/authorized_keys").exists()
    assert not _in_root(bake, "/root/icecfg-stage").exists()
    assert not list((root / "tmp").glob("script_*"))
    assert not _in_root(bake, "/root/.bash_history").exists()
    lists = [p.name for p in _in_root(bake, "/var/lib/apt/lists").iterdir()]
    assert not [n for n in lists if n not in {"partial", "lock"}], lists
    assert not list(_in_root(bake, "/var/cache/apt/archives").glob("*.deb"))
    assert not list(_in_root(bake, "/etc/ssh").glob("ssh_host_*"))
    assert _in_root(bake, "/etc/systemd/system/icecfg-ssh-host-keys.service").is_file()
    assert _in_root(bake, "/etc/machine-id").read_bytes() == b""
    # The root's own policy-rc.d was there before the bake: respected and kept.
    assert _in_root(bake, "/usr/sbin/policy-rc.d").read_bytes() == e2e_host.POLICY_RC_D


# --------------------------------------------------------------------------- running it


def _wait_ok(server: e2e_host.RootIcecast, port: int, path: str, *, tls: bool) -> HttpResponse | None:
    """GET ``path`` until it answers 200; ``None`` if the server died first."""
    deadline = time.monotonic() + STARTUP_TIMEOUT
    last: object = None
    while time.monotonic() < deadline:
        if server.returncode is not None:
            return None
        try:
            response = http_get(port, path, tls=tls, timeout=3.0, max_body=8192)
        except OSError as exc:
            last = exc
        else:
            if response.status == 200:
                return response
            last = response.status
        time.sleep(0.2)
    raise AssertionError(f"GET {path} on port {port} (tls={tls}) never answered 200: {last!r}\n{server.output()}")


@contextlib.contextmanager
def _running(bake: Bake, probe: str = "/live.ogg") -> Iterator[e2e_host.RootIcecast]:
    """The image's Icecast, started from the root as its icecast2 user, answering ``probe`` on both sockets.

    Probing the mount plays its fallback file to the probe.  Icecast 2.5.0
    moves such a listener onto the stream when a source starts although the
    probe has hung up: counted next to the player for a moment (reproduced
    with a plain probe), and in one CI run for the whole wait below (the
    plain and the TLS probe, ``listeners`` 2 for one player).  A test that
    counts listeners probes a page instead.

    Icecast 2.4.4 sometimes dies of SIGSEGV right after starting when a mount falls
    back to a file (measured: a few percent of starts, with and without chroot), and
    2.5.0 was seen to as well (rarer; the oracle harness retries its start-up crashes
    too); the image's unit restarts it (Restart=on-failure), and so does this, a few
    times.  Any other way of dying fails the test.
    """
    crashes = []
    for _attempt in range(4):
        with e2e_host.RootIcecast(bake.root, bake.work) as server:
            plain = _wait_ok(server, bake.http_port, probe, tls=False)
            secure = _wait_ok(server, bake.tls_port, probe, tls=True) if plain else None
            if plain is None or secure is None:
                crashes.append((server.returncode, server.output()))
                continue
            assert server.returncode is None, server.output()
            yield server
            assert server.returncode is None, server.output()
            break
    else:
        raise AssertionError(f"icecast2 kept dying: {crashes}")
    assert all(code == -signal.SIGSEGV for code, _ in crashes), crashes


def test_installed_icecast_serves_the_fallback_from_the_root(bake: Bake) -> None:
    with _running(bake) as server:
        plain = http_get(bake.http_port, "/live.ogg", timeout=3.0, max_body=8192)
        secure = http_get(bake.tls_port, "/live.ogg", tls=True, timeout=3.0, max_body=8192)
        stats = _status_json(bake, server)
    for response in (plain, secure):
        assert response.status == 200
        assert response.headers.get("Content-Type") == "audio/ogg"
        assert response.body.startswith(b"OggS")
    # The server is the release the configuration was linted for.
    assert str(stats["server_id"]).startswith(INSTALLED[bake.release][1]), stats
    # The server ran as the root's icecast2 user and wrote its error log, while
    # every listener line went to /dev/null.
    logdir = _in_root(bake, LOGDIR)
    uid, _ = e2e_host.read_ids(bake.root, "icecast2", "icecast")
    error_log = logdir / "error.log"
    assert error_log.is_file() and error_log.stat().st_uid == uid
    assert os.readlink(logdir / "access.log") == "/dev/null"
    for path in logdir.iterdir():
        if path.is_file() and not path.is_symlink():
            assert "GET /live.ogg" not in path.read_text(errors="replace"), path


def _status_json(bake: Bake, server: e2e_host.RootIcecast) -> dict[str, Any]:
    """``/status-json.xsl`` once the server has published its id (2.5.0 lacks it for a moment)."""
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while True:
        response = http_get(bake.http_port, "/status-json.xsl", timeout=3.0, max_body=1 << 20)
        try:
            stats = json.loads(response.body)["icestats"]
        except (ValueError, KeyError, TypeError):
            stats = {}
        if isinstance(stats, dict) and "server_id" in stats:
            return stats
        if time.monotonic() > deadline:
            raise AssertionError(f"no server_id in {response.body[:500]!r}\n{server.output()}")
        time.sleep(0.2)


def test_tls_port_serves_the_baked_certificate_and_refuses_plain_http(bake: Bake) -> None:
    """The <tls> socket (2.5) and the <ssl> socket (2.4) speak TLS only, with the bundle's certificate."""
    bundle = bake.assets[CERT_PATH].decode()
    baked = ssl.PEM_cert_to_DER_cert(bundle[: bundle.index("-----END CERTIFICATE-----") + 25])
    with _running(bake):
        served = ssl.PEM_cert_to_DER_cert(ssl.get_server_certificate(("127.0.0.1", bake.tls_port), timeout=5))
        with socket.create_connection(("127.0.0.1", bake.tls_port), timeout=5) as sock:
            sock.sendall(b"GET /live.ogg HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
            answer = b""
            with contextlib.suppress(OSError):
                while len(answer) < 64 and (chunk := sock.recv(64)):
                    answer += chunk
    assert served == baked
    assert not answer.startswith(b"HTTP/"), answer


# --------------------------------------------------------------------------- up, status, down


def test_up_status_down_with_the_baked_snapshot(bake: Bake) -> None:
    """``icecfg up`` starts the baked snapshot, ``status`` counts a real listener, ``down`` ends it."""
    from tests.station import Listener

    fake = bake.fake
    fake.add_domain("example.org")
    # A newer snapshot of the other release: up must still pick this release's.
    other = "2.5" if bake.release == "2.4" else "2.4"
    decoy = fake.add_snapshot(
        f"icecfg-{other}-0123456789ab-20990101-000000", 1.0, datetime.now(timezone.utc), tags=("icecfg",)
    )
    password = re.search(rb"<source-password>([^<]+)<", bake.config)
    assert password is not None
    with _running(bake, probe="/status-json.xsl"):  # no listener but the player below
        up = _icecfg("up", cwd=bake.work, fake=fake, timeout=300)
        assert up.returncode == 0, up.stdout + up.stderr
        assert f"from snapshot {bake.snapshot_name} ({bake.snapshot_id})" in up.stdout
        assert decoy not in up.stdout
        assert f"Icecast answers https://127.0.0.1:{bake.tls_port}/" in up.stdout
        assert f"https://radio.example.org:{bake.tls_port}/live.ogg" in up.stdout
        song = audio.make_ogg(bitrate_kbps=128)
        # SOURCE, as most DJ software sends it: Icecast 2.5.0 answers an HTTP/1.1 PUT
        # without "Expect: 100-continue" only once audio arrives, 2.4.4 at once.
        with SourceClient(bake.http_port, "/live.ogg", song, password=password[1].decode(), method="SOURCE") as source:
            assert source.accepted
            # The mount is listed, with nobody on it, before the player connects: a
            # player that arrives while 2.5.0 still serves the fallback file is moved
            # onto the stream when it goes live and counted twice.
            _status_until(bake, "/live.ogg", 0)
            player = Listener(bake.http_port, "/live.ogg")
            try:
                rows = _status_until(bake, "/live.ogg", 1)
            finally:
                player.close()
        text = _icecfg("status", cwd=bake.work, fake=fake, timeout=60)
    [row] = rows
    assert row["mounts"] == {"/live.ogg": 1}
    assert row["listeners"] == 1
    assert row["status_url"] == f"http://127.0.0.1:{bake.http_port}/status-json.xsl"
    assert row["server"] == INSTALLED[bake.release][1]
    assert text.returncode == 0 and f"droplet {row['id']} " in text.stdout, text.stdout + text.stderr
    [droplet] = [d for d in fake.state.droplets.values() if "icecfg" in d.tags]
    assert str(droplet.image["id"]) == bake.snapshot_id
    down = _icecfg("down", "--yes", cwd=bake.work, fake=fake, timeout=120)
    assert down.returncode == 0, down.stdout + down.stderr
    assert f"destroyed droplet {row['id']}" in down.stdout or f"droplet {row['id']}" in down.stdout, down.stdout
    assert not [d for d in fake.state.droplets.values() if "icecfg" in d.tags]
    assert not [r for r in fake.state.domains["example.org"].records.values() if r.type == "A"]
    assert TOKEN not in up.stdout + up.stderr + text.stdout + down.stdout


def _status_until(bake: Bake, mount: str, listeners: int) -> list[dict[str, Any]]:
    """``icecfg status --format json`` until it counts ``listeners`` on ``mount``."""
    deadline = time.monotonic() + 2 * MOUNT_TIMEOUT  # each try is a whole command run
    while True:
        proc = _icecfg("status", "--format", "json", cwd=bake.work, fake=bake.fake, timeout=60)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        rows = json.loads(proc.stdout)
        if rows and rows[0]["mounts"].get(mount) == listeners:
            return list(rows)
        if time.monotonic() > deadline:
            raise AssertionError(f"status never showed {listeners} listener(s) on {mount}: {rows}")
        time.sleep(0.5)


def test_bake_refuses_a_release_it_cannot_install(tmp_path: Path) -> None:
    """``--target kh``: one line, exit 2, before any request reaches the API."""
    (tmp_path / "icecast.xml").write_bytes(icecast_xml(8000, 8443, "2.5"))
    with FakeDigitalOcean(token=TOKEN) as fake:
        proc = _icecfg("bake", "--target", "kh", cwd=tmp_path, fake=fake, timeout=60)
        requests = list(fake.requests)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr == (
        "icecfg bake: cannot bake Icecast-KH: the image installs Icecast 2.4 or 2.5 (--target 2.4 or --target 2.5)\n"
    )
    assert requests == []
