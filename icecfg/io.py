"""Loading and saving icecast.xml files."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from icecfg.document import parse
from icecfg.errors import ParseError
from icecfg.sections import IcecastConfig

PathLike = str | os.PathLike[str]


def loads(data: bytes | str, path: str | None = None) -> IcecastConfig:
    """Read a configuration from bytes (or text); raises :class:`ParseError`."""
    return IcecastConfig.from_document(parse(data, path))


def load(path: PathLike) -> IcecastConfig:
    """Read the configuration file at ``path``; raises :class:`ParseError` or OSError."""
    name = os.fspath(path)
    with open(name, "rb") as handle:
        data = handle.read()
    return loads(data, name)


def dumps(config: IcecastConfig) -> bytes:
    """The configuration's bytes: unchanged parts exactly as they were read."""
    return config.document.dumps()


def dump(config: IcecastConfig, path: PathLike) -> None:
    """Write atomically: a temporary file beside ``path`` renamed over it.

    A reader (or Icecast reloading on SIGHUP) sees either the old or the new
    file, never a half-written one, and a failure leaves the old file intact.
    An existing file's permission bits are kept (icecast.xml holds passwords
    and is often mode 0640).
    """
    import tempfile  # only writing needs it: keep it off the lint path's start-up

    target = Path(path)
    data = dumps(config)
    try:
        mode: int | None = stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        mode = None
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, mode if mode is not None else 0o644 & ~_umask())
        os.replace(temporary, target)
    except BaseException:
        try:
            os.unlink(temporary)
        except FileNotFoundError:
            pass
        raise


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


__all__ = ["ParseError", "dump", "dumps", "load", "loads"]
