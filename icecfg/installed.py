"""Which Icecast release is installed on this machine, for a default lint target.

A user on a 2.5.0 server who runs ``icecfg lint /etc/icecast/icecast.xml``
wants 2.5 findings, not 2.4 ones that call correct 2.5 syntax wrong.  When
no target is given, icecfg asks the binary the user would run, ``icecast
-v`` or ``icecast2 -v`` from ``PATH``: that prints the version and exits
without starting a server.

Asking costs a process start (about 60 ms: Icecast links some sixty
libraries), so the answer is cached per binary in the user's cache directory,
keyed by the binary's inode, size and modification time; a lint then pays a
``stat``.  ``ICECFG_ICECAST`` (a ``PATH``-style list of binaries) replaces the
``PATH`` lookup, for tests and for servers installed elsewhere; set it empty
to never look.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from icecfg.records import FrozenRecord
from icecfg.spec import Dialect

#: Binary names looked up on PATH, in order (upstream's name, then Debian's).
NAMES = ("icecast", "icecast2")
#: Environment variable naming the binaries to ask instead of a PATH lookup.
ENV = "ICECFG_ICECAST"
#: Longest wait for ``-v``; a binary that takes longer is not asked again this run.
TIMEOUT = 5.0

_VERSION = re.compile(r"Icecast[ -](?P<version>\d+(?:\.\d+)*)(?P<rest>\S*)", re.IGNORECASE)


class Installed(FrozenRecord):
    """An Icecast binary and what its ``-v`` said."""

    __slots__ = ("dialect", "line", "path")

    path: str
    #: The version line as printed, e.g. ``Icecast 2.4.0-kh22-0-gbb41738``.
    line: str
    #: The release line icecfg models for it; None when the line names no known release.
    dialect: Dialect | None

    def __init__(self, path: str, line: str, dialect: Dialect | None) -> None:
        _set = object.__setattr__
        _set(self, "path", path)
        _set(self, "line", line)
        _set(self, "dialect", dialect)


def parse_version(text: str) -> Dialect | None:
    """The release line of an ``icecast -v`` output: ``Icecast 2.5.0`` is 2.5, ``2.4.0-kh22`` is KH.

    The 2.5 betas called themselves 2.4.99.x; anything newer than 2.5 is read
    as 2.5 (its closest model), anything older than 2.4 as 2.4.
    """
    match = _VERSION.search(text)
    if match is None:
        return None
    if "kh" in match["rest"].lower():
        return Dialect.KH
    numbers = tuple(int(n) for n in match["version"].split("."))
    return Dialect.V25 if numbers[:3] >= (2, 4, 99) else Dialect.V24


def candidates() -> list[str]:
    """The binaries to ask, in order: ``$ICECFG_ICECAST``, else ``icecast`` and ``icecast2`` on PATH."""
    listed = os.environ.get(ENV)
    if listed is not None:
        return [p for p in listed.split(os.pathsep) if p]
    found = (shutil.which(name) for name in NAMES)
    return [p for p in found if p is not None]


def detect(binaries: list[str] | None = None, cache: Path | None = None) -> Installed | None:
    """The first of ``binaries`` (default :func:`candidates`) that answers ``-v`` with a version line."""
    cache = _cache_file() if cache is None else cache
    for path in candidates() if binaries is None else binaries:
        found = _ask(path, cache)
        if found is not None:
            return found
    return None


def _ask(path: str, cache: Path) -> Installed | None:
    try:
        info = os.stat(path)
    except OSError:
        return None
    key = f"{info.st_ino}:{info.st_size}:{info.st_mtime_ns}:{info.st_ctime_ns}"
    known = _read_cache(cache)
    entry = known.get(os.path.abspath(path))
    if isinstance(entry, dict) and entry.get("key") == key and isinstance(entry.get("line"), str):
        line = entry["line"]
    else:
        line = _run(path)
        if line is None:
            return None
        known[os.path.abspath(path)] = {"key": key, "line": line}
        _write_cache(cache, known)
    return Installed(path, line, parse_version(line)) if line else None


def _run(path: str) -> str | None:
    """The version line ``path -v`` prints ("" when it prints none), or None when it cannot run."""
    try:
        done = subprocess.run(
            [path, "-v"],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    for raw in (done.stdout + b"\n" + done.stderr).splitlines():
        line = raw.decode("utf-8", errors="replace").strip()
        if _VERSION.search(line):
            return line
    return ""


def _cache_file() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "icecfg" / "icecast-version.json"


def _read_cache(cache: Path) -> dict[str, object]:
    try:
        data = json.loads(cache.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_cache(cache: Path, data: dict[str, object]) -> None:
    """Best effort: a cache that cannot be written only costs the next lint a process start."""
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=".icecast-version.", dir=cache.parent)
    except OSError:
        return
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(data, out)
        os.replace(name, cache)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(name)
