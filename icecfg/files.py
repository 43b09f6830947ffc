"""The server's filesystem as icecfg sees it: paths in icecast.xml mapped under ``--root``.

Nothing that judges a configuration opens files itself: it asks this view, so
that ``--root`` (lint a staged image tree), ``--no-fs`` (no file checks at
all), the bake staging directory, the ``[bake.assets]`` of the settings and
the effective configuration all go through one small piece of code.  It sits
below every job (lint, bake, explain).

``assets`` maps server paths to local files: the certificate and fallback
audio that ``icecfg bake`` will install on the image.  A server path that is
an asset (or lies inside an asset directory) is looked up at its local file,
so ``icecfg lint`` judges the server as bake will build it, the same way
``icecfg bake`` does.
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Callable, Mapping
from pathlib import Path, PurePosixPath
from typing import TypeVar, cast

_Parsed = TypeVar("_Parsed")


class FileView:
    """Server paths resolved under ``root`` (``/`` when linting the machine itself), assets first."""

    def __init__(
        self,
        root: str | os.PathLike[str] = "/",
        cwd: str = "/",
        assets: Mapping[str, str | os.PathLike[str]] | None = None,
    ) -> None:
        self.root = Path(root)
        #: The directory relative server paths are resolved against.
        self.cwd = cwd
        #: Normalised absolute server path -> the local file bake installs there.
        self.assets = {self._server(k): Path(v) for k, v in (assets or {}).items()}
        self._parsed: dict[tuple[Path, Callable[[bytes], object], int], object] = {}

    def _server(self, server_path: str) -> str:
        """``server_path`` made absolute (against ``cwd``) and normalised, as a POSIX string."""
        pure = PurePosixPath(server_path)
        if not pure.is_absolute():
            pure = PurePosixPath(self.cwd) / pure
        normal = posixpath.normpath(str(pure))
        return "/" + normal.lstrip("/")

    def local(self, server_path: str) -> Path:
        """Where ``server_path`` (as Icecast would open it) lies on this machine."""
        absolute = self._server(server_path)
        if self.assets:
            pure = PurePosixPath(absolute)
            for candidate in (pure, *pure.parents):
                asset = self.assets.get(str(candidate))
                if asset is not None:
                    return asset.joinpath(*pure.relative_to(candidate).parts)
        parts = [p for p in PurePosixPath(absolute).parts[1:] if p not in ("", ".")]
        return self.root.joinpath(*parts)

    def exists(self, server_path: str) -> bool:
        return self.local(server_path).exists()

    def is_file(self, server_path: str) -> bool:
        return self.local(server_path).is_file()

    def is_dir(self, server_path: str) -> bool:
        if self.local(server_path).is_dir():
            return True
        # a directory that holds an asset exists on the image bake builds
        prefix = self._server(server_path).rstrip("/") + "/"
        return any(server.startswith(prefix) for server in self.assets)

    def readable(self, server_path: str) -> bool:
        return os.access(self.local(server_path), os.R_OK)

    def read_bytes(self, server_path: str, limit: int = 16 * 1024 * 1024) -> bytes:
        """The file's first ``limit`` bytes; OSError if it cannot be read."""
        with self.local(server_path).open("rb") as handle:
            return handle.read(limit)

    def mode(self, server_path: str) -> int:
        return self.local(server_path).stat().st_mode

    def parsed(self, server_path: str, parse: Callable[[bytes], _Parsed], limit: int) -> _Parsed | None:
        """``parse`` of the file's first ``limit`` bytes; None when it is not a readable file.

        Worked out once per file and parser: the certificate is read by the
        TLS context of each target linted and by several rules, and decoding
        it once is enough (the files do not change during a run).
        """
        key = (self.local(server_path), cast("Callable[[bytes], object]", parse), limit)
        if key not in self._parsed:
            found: object = None
            if self.is_file(server_path) and self.readable(server_path):
                try:
                    found = parse(self.read_bytes(server_path, limit))
                except OSError:
                    found = None
            self._parsed[key] = found
        return cast("_Parsed | None", self._parsed[key])
