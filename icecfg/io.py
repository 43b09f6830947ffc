"""Loading and saving icecast.xml files."""

from __future__ import annotations

import os

from icecfg.document import parse
from icecfg.errors import FileChangedError, ParseError
from icecfg.safewrite import Fingerprint, same_file, write_bytes_atomic
from icecfg.sections import IcecastConfig

PathLike = str | os.PathLike[str]


def loads(data: bytes | str, path: PathLike | None = None) -> IcecastConfig:
    """Read a configuration from bytes (or text); raises :class:`ParseError`.

    ``path`` names the file the bytes were read from: it appears in error
    messages, and :func:`dump` to that file refuses to overwrite it when it
    no longer holds these bytes (see :attr:`IcecastConfig.loaded`).  Text is
    compared as :func:`dumps` encodes it: read the file as bytes (or use
    :func:`load`), since reading it as text changes ``\r\n`` line ends and
    the file would then count as changed.
    """
    name = None if path is None else os.fspath(path)
    config = IcecastConfig.from_document(parse(data, name))
    if isinstance(data, bytes):
        config.loaded = Fingerprint.of(data)
    elif name is not None:  # without a fingerprint, dump would overwrite edits made on disk meanwhile
        config.loaded = Fingerprint.of(config.document.dumps())
    return config


def load(path: PathLike) -> IcecastConfig:
    """Read the configuration file at ``path``, remembering its fingerprint for :func:`dump`.

    Raises :class:`ParseError` (one line, ``file:line:column: message``) for a
    file icecfg will not read, OSError when it cannot be opened.  A value of
    the wrong type raises :class:`~icecfg.errors.InvalidValueError` only when
    it is read.
    """
    name = os.fspath(path)
    with open(name, "rb") as handle:
        data = handle.read()
    return loads(data, name)


def dumps(config: IcecastConfig) -> bytes:
    """The configuration's bytes: unchanged parts exactly as they were read.

    Comments, whitespace, quotes, line endings, the XML declaration and the
    encoding are kept; only edited values and added or removed elements differ.
    """
    return config.document.dumps()


def dump(
    config: IcecastConfig, path: PathLike, *, overwrite: bool = False, expected: Fingerprint | None = None
) -> None:
    """Write the configuration to ``path`` safely (see :mod:`icecfg.safewrite`).

    The write is atomic, goes through symlinks to the file they point at and
    keeps that file's owner, group, mode and extended attributes (ACLs), so
    Icecast still reads it.  Writing back to the file the configuration was
    loaded from raises :class:`~icecfg.errors.FileChangedError` (nothing
    written) when that file changed on disk since it was loaded;
    ``overwrite=True`` writes anyway.  A caller that re-read its edits
    (``loads(dumps(cfg))``) passes the fingerprint of the file as it read
    it as ``expected``.

    Raises :class:`~icecfg.errors.UnsafeWriteError` when the owner or group
    cannot be kept or ``path`` is no regular file, and OSError when the file
    system refuses (a missing or read-only directory); the old file is then
    unchanged and no temporary file is left.  The three errors are OSErrors.
    """
    data = dumps(config)
    source = config.path
    if expected is None and not overwrite and source is not None and same_file(source, path):
        expected = config.loaded
    written = write_bytes_atomic(path, data, expected=None if overwrite else expected)
    if source is not None and same_file(source, path):
        config.loaded = written  # the next dump compares with what is there now


__all__ = ["FileChangedError", "ParseError", "dump", "dumps", "load", "loads"]
