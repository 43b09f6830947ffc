"""Replacing a file the way a server's configuration must be replaced.

Debian ships ``/etc/icecast2/icecast.xml`` as ``root:icecast 0640`` and runs
Icecast as ``icecast2``, which reads it through the group; configurations
kept in a git checkout are often symlinked into ``/etc``.  A plain
"write a temporary file and rename it" loses the group (the server then
cannot read its configuration) and replaces the symlink by a file.  Every
icecfg command that writes a file goes through :func:`write_bytes_atomic`,
which:

* follows a chain of symlinks and replaces the file at its end, so the
  links stay links;
* writes a temporary file in that file's directory (a rename is atomic only
  within one file system), gives it the old file's owner, group, extended
  attributes (POSIX ACLs are the ``system.posix_acl_access`` attribute) and
  mode, fsyncs it, renames it over the old file and fsyncs the directory,
  so a reader (or Icecast reloading on SIGHUP) sees the old or the new
  file, never half of one, even after a power cut;
* removes the temporary file on every error, leaving the old file as it was;
* refuses, with :class:`FileChangedError` and nothing written, when the file
  is no longer the one the caller read (``expected``), so an edit made in
  between (by a person or by another tool) is not silently lost.  (The
  comparison and the rename are two steps: a change landing in the instant
  between them is still replaced; no portable lock covers editors.)

What is not kept: hard links (the other names keep the old content, as with
any editor that renames), and extended attributes the kernel does not let
this process set (``security.*`` needs privileges; each attribute is tried
on its own).  Owner and group are not best effort: when they cannot be kept
(not root, and not a group this user belongs to) nothing is written.
"""

from __future__ import annotations

import errno
import os
import stat

from icecfg.errors import FileChangedError, UnsafeWriteError

PathLike = str | os.PathLike[str]

#: Mode of a file that did not exist before, before the umask (what ``open`` would give it
#: is 0666; a configuration holds passwords, so the group and others get no write bit).
NEW_FILE_MODE = 0o644


class Fingerprint:
    """What identifies the content of a file as it was read: its size and SHA-256.

    The digest of bytes read is worked out when first compared or asked
    for: a lint reads a file without writing it back, and ``hashlib`` loads
    OpenSSL, a tenth of a cold ``icecfg lint``.  Until then the fingerprint
    keeps the bytes, which the document read from them keeps anyway.
    """

    __slots__ = ("_data", "_sha256", "size")

    def __init__(self, size: int, sha256: str) -> None:
        self.size = size
        self._sha256 = sha256
        self._data: bytes | None = None

    @property
    def sha256(self) -> str:
        if self._data is not None:
            import hashlib

            self._sha256 = hashlib.sha256(self._data).hexdigest()
            self._data = None
        return self._sha256

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Fingerprint):
            return NotImplemented
        return self.size == other.size and self.sha256 == other.sha256

    def __hash__(self) -> int:
        return hash((self.size, self.sha256))

    def __repr__(self) -> str:
        return f"Fingerprint(size={self.size!r}, sha256={self.sha256!r})"

    @classmethod
    def of(cls, data: bytes) -> Fingerprint:
        """The fingerprint of ``data``."""
        found = cls(len(data), "")
        found._data = data
        return found

    @classmethod
    def of_file(cls, path: PathLike) -> Fingerprint | None:
        """The fingerprint of the file at ``path`` (through symlinks); None if there is none."""
        try:
            with open(path, "rb") as handle:
                return cls.of(handle.read())
        except FileNotFoundError:
            return None


def final_target(path: PathLike) -> str:
    """The file a chain of symlinks at ``path`` ends in (``path`` itself if it is no link).

    Raises OSError(ELOOP) for a symlink loop.
    """
    resolved = os.path.realpath(os.fspath(path))
    if os.path.islink(resolved):  # realpath gives up inside a loop and returns a link
        raise OSError(errno.ELOOP, os.strerror(errno.ELOOP), os.fspath(path))
    return resolved


def same_file(first: PathLike, second: PathLike) -> bool:
    """True when both paths (through symlinks) name the same file, existing or not."""
    try:
        return os.path.samefile(first, second)
    except OSError:
        return final_target(first) == final_target(second)


def write_bytes_atomic(
    path: PathLike,
    data: bytes,
    *,
    expected: Fingerprint | None = None,
    new_mode: int | None = None,
    private: bool = False,
) -> Fingerprint:
    """Replace the file at ``path`` (through symlinks) by ``data``, keeping what makes it usable.

    ``expected`` is the fingerprint of the content the caller read and
    changed; if the file now holds anything else (or is gone),
    :class:`FileChangedError` is raised and nothing is written.  ``None``
    writes whatever is there (a new file, or ``--force``).

    A new file gets ``new_mode`` (default 0644) minus the umask and this
    process's owner and group.  An existing file keeps owner, group, mode
    and extended attributes (see the module documentation).  Returns the
    fingerprint of what was written, the ``expected`` of a next write.
    ``private`` is for data holding secrets: a new file is 0600 and an
    existing one loses the permission bits of others (owner and group stay).

    Raises :class:`UnsafeWriteError` when the owner or group cannot be kept,
    OSError for what the file system refuses (naming the directory when the
    temporary file cannot be made there: it is missing, or not writable); in
    every case the old file is unchanged and no temporary file is left.
    """
    import tempfile  # only writing needs it: keep it off the lint path's start-up

    target = final_target(path)
    try:
        old: os.stat_result | None = os.stat(target)
    except FileNotFoundError:
        old = None
    if old is not None and not stat.S_ISREG(old.st_mode):
        raise UnsafeWriteError(f"{path}: not a regular file; nothing written")
    if expected is not None and Fingerprint.of_file(target) != expected:
        raise FileChangedError(
            f"{path}: changed on disk since it was read; nothing written (read it again, or overwrite)"
        )
    directory, name = os.path.split(target)
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=directory)
    except OSError as err:
        # Name what the user can act on, never the temporary file nobody asked for: a missing
        # directory, or else the file asked for (a directory this user cannot write).
        where = directory or os.curdir
        raise OSError(err.errno, err.strerror, where if not os.path.isdir(where) else os.fspath(path)) from None
    try:
        try:
            _write_all(handle, data)
            hidden = 0o007 if private else 0
            if old is None:
                mode = 0o600 if private else NEW_FILE_MODE if new_mode is None else new_mode
                os.fchmod(handle, mode & ~_umask())
            else:
                _keep_identity(handle, target, old, path, hidden)
            os.fsync(handle)
        finally:
            os.close(handle)
        os.replace(temporary, target)
    except BaseException:
        try:
            os.unlink(temporary)
        except FileNotFoundError:
            pass
        raise
    _fsync_directory(directory)
    return Fingerprint.of(data)


def _write_all(handle: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(handle, view)
        view = view[written:]


def _keep_identity(handle: int, target: str, old: os.stat_result, shown: PathLike, hidden: int) -> None:
    """Give the open temporary file the owner, group, extended attributes and mode of ``old``.

    Owner first (a chown clears set-id bits and capabilities), then the
    attributes (an ACL also sets the group bits of the mode), the mode last
    so it is exactly the old one.
    """
    mine = os.fstat(handle)
    if (mine.st_uid, mine.st_gid) != (old.st_uid, old.st_gid):
        try:
            os.fchown(handle, old.st_uid, old.st_gid)
        except PermissionError:
            raise UnsafeWriteError(
                f"{shown}: cannot keep its owner and group ({old.st_uid}:{old.st_gid}) without privileges; "
                "nothing written"
            ) from None
    kept = _xattrs(target)
    for attribute in kept:
        try:
            os.setxattr(handle, attribute, os.getxattr(target, attribute))
        except OSError:
            continue  # best effort per attribute: security.* may need privileges this process lacks
    for attribute in set(_xattrs(handle)) - set(kept):
        if not attribute.startswith("security."):  # labels are the policy's business
            try:  # an ACL the temporary file inherited from the directory's default ACL
                os.removexattr(handle, attribute)
            except OSError:
                continue
    os.fchmod(handle, stat.S_IMODE(old.st_mode) & ~hidden)


def _xattrs(target: str | int) -> list[str]:
    if not hasattr(os, "listxattr"):  # pragma: no cover - not Linux
        return []
    try:
        return os.listxattr(target)
    except OSError:  # the file system has none (ENOTSUP) or the file went away
        return []


def _fsync_directory(directory: str) -> None:
    """Make the rename itself durable; file systems that cannot fsync a directory are fine."""
    try:
        handle = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError as err:
        if err.errno not in (errno.EINVAL, errno.ENOTSUP, errno.EBADF):
            raise
    finally:
        os.close(handle)


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


__all__ = ["NEW_FILE_MODE", "Fingerprint", "final_target", "same_file", "write_bytes_atomic"]
