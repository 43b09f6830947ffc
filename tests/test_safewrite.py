"""Writing a configuration keeps what makes the file usable, or writes nothing.

Every writer (``icecfg.dump``, ``lint --fix``, ``init --force``) goes through
:mod:`icecfg.safewrite`; these tests pin each promise of docs/model.md
("Save"): owner, group, mode, extended attributes and ACLs kept, symlinks
written through, no temporary file left on any failure, and no edit made
on disk since the file was read silently lost.
"""

from __future__ import annotations

import contextlib
import errno
import grp
import io
import os
import shutil
import stat
import struct
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import icecfg
from icecfg import cli, safewrite
from icecfg.errors import FileChangedError, UnsafeWriteError
from icecfg.lint import command as lint_command
from tests import oracle

DATA = b"<icecast>\n    <hostname>localhost</hostname>\n    <logging>\n        <loglevel>debug</loglevel>\n    </logging>\n</icecast>\n"

#: An ACL granting user 103 read access (the kernel's posix_acl_xattr format, version 2).
_UNDEFINED = 0xFFFFFFFF


def _acl(*entries: tuple[int, int, int]) -> bytes:
    return struct.pack("<I", 2) + b"".join(struct.pack("<HHI", *entry) for entry in entries)


ACL = _acl((0x01, 6, _UNDEFINED), (0x02, 4, 103), (0x04, 4, _UNDEFINED), (0x10, 4, _UNDEFINED), (0x20, 0, _UNDEFINED))


def icecast_gid() -> int:
    return grp.getgrnam("icecast").gr_gid


def as_debian_ships(path: Path, data: bytes = DATA) -> Path:
    """``path`` holding ``data`` as Debian ships icecast.xml: root:icecast 0640."""
    assert os.geteuid() == 0, "these tests check owner and group: run them as root"
    path.write_bytes(data)
    os.chown(path, 0, icecast_gid())
    path.chmod(0o640)
    return path


def identity(path: Path) -> tuple[int, int, int]:
    st = path.stat()
    return st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


def edited(path: Path) -> icecfg.IcecastConfig:
    cfg = icecfg.load(path)
    cfg.hostname = "radio.example.org"
    return cfg


def test_dump_keeps_owner_group_and_mode(tmp_path: Path) -> None:
    path = as_debian_ships(tmp_path / "icecast.xml")
    icecfg.dump(edited(path), path)
    assert icecfg.load(path).hostname == "radio.example.org"
    assert identity(path) == (0, icecast_gid(), 0o640)
    assert leftovers(tmp_path) == []


def test_dump_keeps_extended_attributes_and_acl(tmp_path: Path) -> None:
    path = as_debian_ships(tmp_path / "icecast.xml")
    os.setxattr(path, "system.posix_acl_access", ACL)
    os.setxattr(path, "user.origin", b"git")
    icecfg.dump(edited(path), path)
    assert os.getxattr(path, "system.posix_acl_access") == ACL
    assert os.getxattr(path, "user.origin") == b"git"
    assert identity(path) == (0, icecast_gid(), 0o640)


def test_a_default_acl_of_the_directory_does_not_creep_in(tmp_path: Path) -> None:
    directory = tmp_path / "etc"
    directory.mkdir()
    os.setxattr(directory, "system.posix_acl_default", ACL)
    path = directory / "icecast.xml"
    path.write_bytes(DATA)
    os.removexattr(path, "system.posix_acl_access")  # the file itself has none
    os.chown(path, 0, icecast_gid())
    path.chmod(0o640)
    icecfg.dump(edited(path), path)
    assert "system.posix_acl_access" not in os.listxattr(path)
    assert identity(path) == (0, icecast_gid(), 0o640)


def test_dump_writes_through_a_chain_of_symlinks(tmp_path: Path) -> None:
    (tmp_path / "git").mkdir()
    (tmp_path / "etc").mkdir()
    real = as_debian_ships(tmp_path / "git" / "icecast.xml")
    (tmp_path / "middle.xml").symlink_to("git/icecast.xml")
    link = tmp_path / "etc" / "icecast.xml"
    link.symlink_to("../middle.xml")
    icecfg.dump(edited(link), link)
    assert link.is_symlink() and os.readlink(link) == "../middle.xml"
    assert (tmp_path / "middle.xml").is_symlink()
    assert icecfg.load(real).hostname == "radio.example.org"
    assert identity(real) == (0, icecast_gid(), 0o640)
    assert leftovers(tmp_path / "etc") == leftovers(tmp_path / "git") == []


def test_symlink_loop_is_an_error_and_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "a.xml").symlink_to("b.xml")
    (tmp_path / "b.xml").symlink_to("a.xml")
    with pytest.raises(OSError, match="symbolic links"):
        icecfg.dump(icecfg.loads(DATA), tmp_path / "a.xml")
    assert (tmp_path / "a.xml").is_symlink() and leftovers(tmp_path) == []


def test_new_file_gets_the_usual_mode(tmp_path: Path) -> None:
    path = tmp_path / "new.xml"
    previous = os.umask(0o022)
    try:
        icecfg.dump(icecfg.loads(DATA), path)
    finally:
        os.umask(previous)
    assert identity(path)[2] == 0o644
    assert path.read_bytes() == DATA


def test_not_a_regular_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "icecast.xml").mkdir()
    with pytest.raises(UnsafeWriteError, match=r"not a regular file; nothing written$"):
        icecfg.dump(icecfg.loads(DATA), tmp_path / "icecast.xml")


def test_a_missing_directory_is_named_not_the_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "no-such-dir" / "icecast.xml"
    with pytest.raises(FileNotFoundError) as caught:
        icecfg.dump(icecfg.loads(DATA), target)
    assert str(caught.value) == f"[Errno 2] No such file or directory: '{target.parent}'"
    assert not target.parent.exists()


def _fail(errno_value: int) -> Callable[..., Any]:
    def fail(*args: Any, **kwargs: Any) -> Any:
        raise OSError(errno_value, os.strerror(errno_value))

    return fail


@pytest.mark.parametrize(
    ("function", "error"),
    [
        ("write", errno.ENOSPC),
        ("fchown", errno.EIO),
        ("fchmod", errno.EIO),
        ("setxattr", None),  # per attribute, best effort: the write goes on
        ("fsync", errno.EIO),
        ("replace", errno.EXDEV),
    ],
)
def test_no_temporary_file_is_left_on_any_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, function: str, error: int | None
) -> None:
    path = as_debian_ships(tmp_path / "icecast.xml")
    os.setxattr(path, "user.origin", b"git")
    os.chown(path, 1, icecast_gid())  # so the owner has to be set on the temporary file
    cfg = edited(path)
    monkeypatch.setattr(safewrite.os, function, _fail(error or errno.EPERM))
    if error is None:
        icecfg.dump(cfg, path)
        assert icecfg.load(path).hostname == "radio.example.org"
    else:
        with pytest.raises(OSError) as caught:
            icecfg.dump(cfg, path)
        assert caught.value.errno == error
        assert path.read_bytes() == DATA
    monkeypatch.undo()
    assert identity(path) == (1, icecast_gid(), 0o640)
    assert leftovers(tmp_path) == []


def test_interrupt_while_writing_leaves_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = as_debian_ships(tmp_path / "icecast.xml")
    cfg = edited(path)

    def interrupted(*args: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(safewrite.os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        icecfg.dump(cfg, path)
    monkeypatch.undo()
    assert path.read_bytes() == DATA and leftovers(tmp_path) == []


def test_owner_that_cannot_be_kept_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = as_debian_ships(tmp_path / "icecast.xml")
    monkeypatch.setattr(safewrite.os, "fchown", _fail(errno.EPERM))
    with pytest.raises(UnsafeWriteError) as caught:
        icecfg.dump(edited(path), path)
    assert "cannot keep its owner and group" in str(caught.value) and "\n" not in str(caught.value)
    assert path.read_bytes() == DATA and leftovers(tmp_path) == []


def test_without_privileges_another_owners_file_is_left_alone(tmp_path: Path) -> None:
    """``lint --fix`` run as the runtime user (``nobody``) on a root:icecast file it may write, in a directory it may write."""
    shared = Path(tempfile.mkdtemp(prefix="icecfg-safewrite-"))  # tmp_path is not traversable by nobody
    try:
        shared.chmod(0o777)
        path = as_debian_ships(shared / "icecast.xml")
        path.chmod(0o666)
        run = oracle.icecfg_as_runtime_user("lint", "--isolated", "--no-fs", "--fix", str(path), cwd=shared)
        assert run.returncode == 1, run
        assert run.stderr == (
            f"icecfg lint: {path}: cannot keep its owner and group (0:{icecast_gid()}) without privileges; "
            "nothing written\n"
        )
        assert path.read_bytes() == DATA and identity(path) == (0, icecast_gid(), 0o666)
        assert leftovers(shared) == []
    finally:
        shutil.rmtree(shared)


def test_a_directory_that_refuses_the_write_is_named_as_the_file_not_its_temporary(tmp_path: Path) -> None:
    """``migrate --write`` and ``init --force`` as the runtime user beside a file it may write, in a directory it may not."""
    shared = Path(tempfile.mkdtemp(prefix="icecfg-safewrite-"))  # tmp_path is not traversable by nobody
    try:
        shared.chmod(0o755)
        path = shared / "icecast.xml"
        path.write_bytes(b"<icecast>\n    <fileserve>true</fileserve>\n</icecast>\n")
        path.chmod(0o666)
        # the exit status of a failed write, as docs/command-line.md says: 1
        for argv, status, line in (
            (
                ("migrate", "--format", "json", "--from", "2.4", "--no-fs", "--write", str(path)),
                1,
                f"icecfg migrate: {path}: cannot write: Permission denied; nothing written\n",
            ),
            (
                ("init", str(shared), "--hostname", "radio.example.org", "--force"),
                1,
                f"icecfg init: {path}: Permission denied\n",
            ),
        ):
            run = oracle.icecfg_as_runtime_user(*argv, cwd=shared)
            assert (run.returncode, run.stderr) == (status, line), run
        assert b"true" in path.read_bytes() and leftovers(shared) == []
    finally:
        shutil.rmtree(shared)


def test_a_change_on_disk_since_loading_is_never_overwritten(tmp_path: Path) -> None:
    path = as_debian_ships(tmp_path / "icecast.xml")
    cfg = edited(path)
    theirs = DATA.replace(b"localhost", b"edited.example.org")
    path.write_bytes(theirs)
    with pytest.raises(FileChangedError) as caught:
        icecfg.dump(cfg, path)
    assert str(caught.value) == (
        f"{path}: changed on disk since it was read; nothing written (read it again, or overwrite)"
    )
    assert path.read_bytes() == theirs and leftovers(tmp_path) == []
    icecfg.dump(cfg, path, overwrite=True)
    assert icecfg.load(path).hostname == "radio.example.org"


def test_a_change_on_disk_since_loading_text_is_never_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "icecast.xml"
    path.write_bytes(DATA)
    cfg = icecfg.loads(path.read_text(encoding="utf-8"), path=str(path))
    path.write_bytes(DATA + b"<!-- theirs -->\n")
    cfg.hostname = "mine.example.org"
    with pytest.raises(FileChangedError, match=r"changed on disk since it was read"):
        icecfg.dump(cfg, path)
    assert path.read_bytes() == DATA + b"<!-- theirs -->\n"
    path.write_bytes(DATA)
    icecfg.dump(cfg, path)  # unchanged on disk: written
    assert icecfg.load(path).hostname == "mine.example.org"


def test_a_file_removed_since_loading_is_not_recreated(tmp_path: Path) -> None:
    path = as_debian_ships(tmp_path / "icecast.xml")
    cfg = edited(path)
    path.unlink()
    with pytest.raises(FileChangedError):
        icecfg.dump(cfg, path)
    assert not path.exists()


def test_dumping_again_compares_with_what_was_written(tmp_path: Path) -> None:
    path = as_debian_ships(tmp_path / "icecast.xml")
    cfg = edited(path)
    icecfg.dump(cfg, path)
    cfg.hostname = "second.example.org"
    icecfg.dump(cfg, path)  # its own write is no conflict
    copy = tmp_path / "copy.xml"
    copy.write_bytes(b"<icecast/>")
    icecfg.dump(cfg, copy)  # another file is no conflict either: only the file it was read from
    assert icecfg.load(copy).hostname == icecfg.load(path).hostname == "second.example.org"


def test_write_bytes_atomic_checks_the_expected_fingerprint(tmp_path: Path) -> None:
    path = as_debian_ships(tmp_path / "icecast.xml")
    before = safewrite.Fingerprint.of(DATA)
    assert safewrite.Fingerprint.of_file(path) == before
    after = safewrite.write_bytes_atomic(path, b"<icecast/>\n", expected=before)
    assert after == safewrite.Fingerprint.of(b"<icecast/>\n")
    with pytest.raises(FileChangedError):
        safewrite.write_bytes_atomic(path, b"<icecast></icecast>\n", expected=before)
    assert path.read_bytes() == b"<icecast/>\n"
    assert identity(path) == (0, icecast_gid(), 0o640)


def test_lint_fix_refuses_when_the_file_changed_meanwhile(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = as_debian_ships(tmp_path / "icecast.xml")
    theirs = DATA.replace(b"localhost", b"edited.example.org")
    real_loads = lint_command.loads

    def loads_then_someone_edits(data: bytes | str, name: str | None = None) -> icecfg.IcecastConfig:
        config = real_loads(data, name)
        path.write_bytes(theirs)
        monkeypatch.setattr(lint_command, "loads", real_loads)
        return config

    monkeypatch.setattr(lint_command, "loads", loads_then_someone_edits)
    assert cli.main(["lint", "--isolated", "--no-fs", "--fix", str(path)]) == 1
    err = capsys.readouterr().err
    assert (
        err
        == f"icecfg lint: {path}: changed on disk since it was read; nothing written (read it again, or overwrite)\n"
    )
    assert path.read_bytes() == theirs and leftovers(tmp_path) == []


def test_lint_fix_keeps_owner_group_mode_and_symlink(tmp_path: Path) -> None:
    real = as_debian_ships(tmp_path / "real.xml")
    link = tmp_path / "icecast.xml"
    link.symlink_to(real.name)
    with contextlib.redirect_stdout(io.StringIO()):
        cli.main(["lint", "--isolated", "--no-fs", "--fix", str(link)])
    assert link.is_symlink()
    assert b"<loglevel>debug</loglevel>" not in real.read_bytes()  # fixed (ICE209, then ICE804)
    assert identity(real) == (0, icecast_gid(), 0o640)


def test_init_force_keeps_owner_group_and_writes_through_symlinks(tmp_path: Path) -> None:
    (tmp_path / "git").mkdir()
    real = as_debian_ships(tmp_path / "git" / "icecast.xml")
    directory = tmp_path / "radio"
    directory.mkdir()
    (directory / "icecast.xml").symlink_to("../git/icecast.xml")
    with contextlib.redirect_stdout(io.StringIO()) as out:
        assert cli.main(["init", str(directory), "--hostname", "radio.example.org", "--force"]) == 0
    assert (directory / "icecast.xml").is_symlink()
    assert icecfg.load(real).hostname == "radio.example.org"
    assert identity(real) == (0, icecast_gid(), 0o640)
    assert "(mode 0640:" in out.getvalue()
    assert leftovers(directory) == leftovers(tmp_path / "git") == []
