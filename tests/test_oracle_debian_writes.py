"""After icecfg writes Debian's icecast.xml, Debian's icecast2 still reads it and serves.

Debian ships ``/etc/icecast2/icecast.xml`` as ``root:icecast 0640`` and runs
the server as user ``icecast2``, which reads the file through the
``icecast`` group.  Each test copies Debian's file (ports and paths moved
into a sandbox through the model) as ``root:icecast 0640``, lets icecfg
write it (``icecfg.dump`` or ``icecfg lint --fix``, on the file and through
a symlink, as configurations kept in a git checkout are linked into /etc),
then starts ``/usr/bin/icecast2`` as ``icecast2`` with its groups and
checks it answers HTTP on the port the written file names.
"""

from __future__ import annotations

import contextlib
import grp
import io
import os
import pwd
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import icecfg
from icecfg import cli
from tests import oracle

DEBIAN_CONFIG = Path("/etc/icecast2/icecast.xml")
USER, GROUP = "icecast2", "icecast"


@pytest.fixture
def box(tmp_path: Path) -> Iterator[oracle.Sandbox]:
    assert os.geteuid() == 0, "these tests chown to Debian's icecast user: run them as root"
    with oracle.temporary_sandbox(tmp_path) as sandbox:
        # the packaged server writes its logs as icecast2
        os.chown(sandbox.logdir, pwd.getpwnam(USER).pw_uid, grp.getgrnam(GROUP).gr_gid)
        yield sandbox


def debian_config(box: oracle.Sandbox, port: int) -> bytes:
    """Debian's own icecast.xml with its port and paths moved into the sandbox (through the model)."""
    cfg = icecfg.load(DEBIAN_CONFIG)
    cfg.listen_sockets[0].port = port
    cfg.paths.logdir = str(box.logdir)
    cfg.paths.webroot = str(box.webroot)
    cfg.paths.adminroot = str(box.adminroot)
    return icecfg.dumps(cfg)


def install(path: Path, data: bytes) -> Path:
    """``data`` at ``path`` as Debian installs it: root:icecast 0640."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    os.chown(path, 0, grp.getgrnam(GROUP).gr_gid)
    path.chmod(0o640)
    return path


def place(box: oracle.Sandbox, data: bytes, through_link: bool) -> tuple[Path, Path]:
    """(the path icecfg and icecast2 are given, the real file)."""
    if not through_link:
        path = install(box.root / "etc" / "icecast.xml", data)
        return path, path
    real = install(box.root / "git" / "icecast.xml", data)
    link = box.root / "etc" / "icecast.xml"
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to("../git/icecast.xml")
    return link, real


def assert_served_by_debian_user(box: oracle.Sandbox, path: Path, port: int) -> None:
    server = oracle.IcecastServer(b"", box, wait_port=port, config_file=path, user=(USER, GROUP))
    with server:
        response = server.http_get(port, "/status-json.xsl")
        assert response.status == 200, response
        assert b'"icestats"' in response.body


def by_dump(path: Path, port: int) -> None:
    cfg = icecfg.load(path)
    cfg.listen_sockets[0].port = port
    icecfg.dump(cfg, path)


def by_lint_fix(path: Path, port: int) -> None:
    # the file names the new port already; the fix is ICE209's <loglevel> word -> number
    text = path.read_bytes()
    assert b"<loglevel>3</loglevel>" in text
    path.write_bytes(text.replace(b"<loglevel>3</loglevel>", b"<loglevel>info</loglevel>"))
    with contextlib.redirect_stdout(io.StringIO()):
        cli.main(["lint", "--isolated", "--no-fs", "--fix", str(path)])
    assert b"<loglevel>3</loglevel>" in path.read_bytes()


@pytest.mark.parametrize("through_link", [False, True], ids=["file", "symlink"])
@pytest.mark.parametrize("write", [by_dump, by_lint_fix], ids=["dump", "lint-fix"])
def test_debian_icecast2_still_reads_the_written_config(
    box: oracle.Sandbox, through_link: bool, write: Callable[[Path, int], None]
) -> None:
    old_port, new_port = oracle.free_ports(2)
    path, real = place(box, debian_config(box, new_port if write is by_lint_fix else old_port), through_link)
    write(path, new_port)
    assert_served_by_debian_user(box, path, new_port)
    assert icecfg.load(real).listen_sockets[0].port == new_port  # the real file was written
    assert path.is_symlink() is through_link
    st = real.stat()
    assert (st.st_uid, st.st_gid, st.st_mode & 0o777) == (0, grp.getgrnam(GROUP).gr_gid, 0o640)
