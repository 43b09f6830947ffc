"""The server's filesystem as icecfg sees it: paths in icecast.xml mapped under ``--root``.

Nothing that judges a configuration opens files itself: it asks this view, so
that ``--root`` (lint a staged image tree), ``--no-fs`` (no file checks at
all), the bake staging directory and the effective configuration go through
one small piece of code.  It sits below every job (lint, bake, explain).
"""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath


class FileView:
    """Server paths resolved under ``root`` (``/`` when linting the machine itself)."""

    def __init__(self, root: str | os.PathLike[str] = "/", cwd: str = "/") -> None:
        self.root = Path(root)
        #: The directory relative server paths are resolved against.
        self.cwd = cwd

    def local(self, server_path: str) -> Path:
        """Where ``server_path`` (as Icecast would open it) lies on this machine."""
        pure = PurePosixPath(server_path)
        if not pure.is_absolute():
            pure = PurePosixPath(self.cwd) / pure
        parts = [p for p in pure.parts[1:] if p not in ("", ".")]
        return self.root.joinpath(*parts)

    def exists(self, server_path: str) -> bool:
        return self.local(server_path).exists()

    def is_file(self, server_path: str) -> bool:
        return self.local(server_path).is_file()

    def is_dir(self, server_path: str) -> bool:
        return self.local(server_path).is_dir()

    def readable(self, server_path: str) -> bool:
        return os.access(self.local(server_path), os.R_OK)

    def read_bytes(self, server_path: str, limit: int = 16 * 1024 * 1024) -> bytes:
        """The file's first ``limit`` bytes; OSError if it cannot be read."""
        with self.local(server_path).open("rb") as handle:
            return handle.read(limit)

    def mode(self, server_path: str) -> int:
        return self.local(server_path).stat().st_mode
