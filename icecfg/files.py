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

import errno
import os
import posixpath
import stat
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path, PurePosixPath
from typing import TypeVar, cast

_Parsed = TypeVar("_Parsed")

#: What :meth:`FileView.unusable` says of a file that cannot be opened and read.
MISSING, DIRECTORY, UNREADABLE = "does not exist", "is a directory", "cannot be read"
#: What :meth:`FileView.unusable_assets` says of an asset that is a FIFO, socket or device.
NOT_REGULAR = "is not a regular file"


#: The most icecfg reads of a file it was named (a configuration, settings, variables), and
#: the most the document reader parses (``icecfg.document.MAX_BYTES``): ``/dev/zero`` or an
#: endless pipe ends in an error, not in all memory taken, while a generated config of
#: 100,000 mounts (23 MB) is still read.
MAX_FILE_BYTES = 64 * 2**20


def too_large(limit: int = MAX_FILE_BYTES) -> OSError:
    """The error of a file beyond ``limit`` bytes; its ``strerror`` is what messages say."""
    return OSError(errno.EFBIG, f"more than {limit >> 20} MiB, larger than any file icecfg reads")


def read_at_most(path: str | os.PathLike[str], limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of ``path``, or :func:`too_large` (an OSError) when there are more than ``limit``."""
    with open(path, "rb") as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise too_large(limit)
    return data


class Assets(dict[str, Path]):
    """Server path -> the local file bake installs there, with the settings file that maps them.

    A plain mapping serves as well; this one also knows where it was read
    (``origin``), so that a finding about a missing asset can name the
    settings that point at the local file, which is the file to fix.
    """

    def __init__(self, table: Mapping[str, Path] | None = None, origin: Path | None = None) -> None:
        super().__init__(table or {})
        #: The settings file of ``[bake.assets]`` (None: not read from one).
        self.origin = origin


def shown(path: str | os.PathLike[str]) -> str:
    """``path`` as a message names a local file: relative to the current directory below it, else absolute."""
    absolute = os.path.abspath(path)
    relative = os.path.relpath(absolute)
    return absolute if relative == ".." or relative.startswith("../") else relative


def _named(local: Path) -> str:
    """A local file as a message names it: ``./bundle.pem`` below the current directory, else absolute."""
    name = shown(local)
    return name if os.path.isabs(name) else "./" + name


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
        #: The settings file that maps the assets, for messages (None: unknown).
        self.assets_origin = assets.origin if isinstance(assets, Assets) else None
        self._parsed: dict[tuple[Path, Callable[[bytes], object], int], object] = {}

    def _server(self, server_path: str) -> str:
        """``server_path`` made absolute (against ``cwd``) and normalised, as a POSIX string."""
        pure = PurePosixPath(server_path)
        if not pure.is_absolute():
            pure = PurePosixPath(self.cwd) / pure
        normal = posixpath.normpath(str(pure))
        return "/" + normal.lstrip("/")

    def _asset(self, absolute: str) -> Path | None:
        """The local file of an asset at (or an asset directory above) the normalised ``absolute``."""
        if self.assets:
            pure = PurePosixPath(absolute)
            for candidate in (pure, *pure.parents):
                asset = self.assets.get(str(candidate))
                if asset is not None:
                    return asset.joinpath(*pure.relative_to(candidate).parts)
        return None

    def _holds_asset(self, absolute: str) -> bool:
        """Whether an asset lies below the directory ``absolute``."""
        prefix = absolute.rstrip("/") + "/"
        return any(server.startswith(prefix) for server in self.assets)

    def local(self, server_path: str) -> Path:
        """Where ``server_path`` (as Icecast would open it) lies on this machine."""
        absolute = self._server(server_path)
        asset = self._asset(absolute)
        if asset is not None:
            return asset
        parts = [p for p in PurePosixPath(absolute).parts[1:] if p not in ("", ".")]
        return self.root.joinpath(*parts)

    def problem(self, server_path: str, problem: str = MISSING) -> str:
        """``problem`` (what is wrong with the file at ``server_path``) as a finding words it.

        For an asset the local file that stands for it is named as well:
        ``does not exist (icecfg.toml [bake.assets] maps it to ./bundle.pem)``;
        it is the file to create or fix, and the server path alone does not
        say where it is.  Every finding about a missing or unusable server
        file is worded here, so none forgets it.
        """
        asset = self._asset(self._server(server_path))
        if asset is None:
            return problem
        return f"{problem} ({self._table()} maps it to {_named(asset)})"

    def _table(self) -> str:
        """The settings table that maps the assets, as messages name it."""
        return "[bake.assets]" if self.assets_origin is None else f"{shown(self.assets_origin)} [bake.assets]"

    def unusable(self, server_path: str) -> str:
        """Why the file at ``server_path`` cannot be read: MISSING, DIRECTORY or UNREADABLE ('' when it can).

        The bare words; a finding puts them through :meth:`problem`, so an
        asset's local file is named.  The certificate (ICE402), the fallback
        file (ICE602, ICE609) and bake's check of its assets all ask here, so
        a file that cannot be read is reported alike whichever of them meets
        it, not taken for a good file by one and a missing one by another.
        """
        if not self.exists(server_path):
            return MISSING
        if self.is_dir(server_path):
            return DIRECTORY
        if not self.readable(server_path):
            return UNREADABLE
        return ""

    def unusable_assets(self) -> list[str]:
        """One phrase for each asset whose local file cannot be read: the local file, what is wrong, the settings.

        ``icecfg bake`` copies every asset's bytes onto the image, so it asks
        this before it stages anything and refuses with these words: the local
        file is the one to fix, the settings line the one that names it.
        """
        found = []
        for server_path in sorted(self.assets):
            # bake copies the bytes: a FIFO would keep it waiting for a writer, a device for ever
            why = self.unusable(server_path) or ("" if self.is_file(server_path) else NOT_REGULAR)
            if why:
                local = _named(self.assets[server_path])
                found.append(f"{local} {why} ({self._table()} maps {server_path} to it)")
        return found

    def exists(self, server_path: str) -> bool:
        return self.local(server_path).exists()

    def is_file(self, server_path: str) -> bool:
        return self.local(server_path).is_file()

    def is_dir(self, server_path: str) -> bool:
        if self.local(server_path).is_dir():
            return True
        # a directory that holds an asset exists on the image bake builds
        return self._holds_asset(self._server(server_path))

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


class ImageView(FileView):
    """The files of an image not built yet: bake's assets and what its packages install, nothing else.

    ``icecfg bake`` lints against this before anything is spent, so the
    findings are those of the server it will build, not of this machine: a
    certificate is found where an asset puts it, ``/var/log/icecast2`` exists
    because Debian's package makes it, ``/etc/mime.types`` because the image
    installs ``media-types``, and any other path does not exist.  A package's
    file exists and is readable, but its bytes are on the image only.  No
    file is made for it (no temporary tree of symlinks to clean up).
    """

    def __init__(
        self,
        assets: Mapping[str, str | os.PathLike[str]] | None = None,
        directories: Iterable[str] = (),
        cwd: str = "/",
        files: Iterable[str] = (),
    ) -> None:
        super().__init__("/", cwd, assets)  # the root is never looked at: every method is answered here
        #: The files the packages install (their bytes are not known here).
        self.package_files = frozenset(self._server(f) for f in files)
        listed = [PurePosixPath(self._server(d)) for d in directories]
        listed += [PurePosixPath(f).parent for f in self.package_files]
        #: The directories on the image, their parents included.
        self.directories = frozenset(str(p) for d in listed for p in (d, *d.parents))

    def local(self, server_path: str) -> Path:
        """The asset's local file; any other path is named as it is on the image (nothing is there here)."""
        absolute = self._server(server_path)
        asset = self._asset(absolute)
        return asset if asset is not None else Path(absolute)

    def _is_directory(self, absolute: str) -> bool:
        return absolute in self.directories or self._holds_asset(absolute)

    def exists(self, server_path: str) -> bool:
        absolute = self._server(server_path)
        asset = self._asset(absolute)
        return asset.exists() if asset is not None else self._is_directory(absolute) or absolute in self.package_files

    def is_file(self, server_path: str) -> bool:
        absolute = self._server(server_path)
        asset = self._asset(absolute)
        return asset.is_file() if asset is not None else absolute in self.package_files

    def is_dir(self, server_path: str) -> bool:
        absolute = self._server(server_path)
        asset = self._asset(absolute)
        return (asset is not None and asset.is_dir()) or self._is_directory(absolute)

    def readable(self, server_path: str) -> bool:
        absolute = self._server(server_path)
        asset = self._asset(absolute)
        if asset is not None:
            return os.access(asset, os.R_OK)
        return self._is_directory(absolute) or absolute in self.package_files

    def read_bytes(self, server_path: str, limit: int = 16 * 1024 * 1024) -> bytes:
        absolute = self._server(server_path)
        if self._asset(absolute) is None:
            # a package's file: its bytes are on the image only (no rule reads one)
            error = errno.EISDIR if self._is_directory(absolute) else errno.ENOENT
            raise OSError(error, os.strerror(error), absolute)
        return super().read_bytes(server_path, limit)

    def mode(self, server_path: str) -> int:
        absolute = self._server(server_path)
        if self._asset(absolute) is None:
            if self._is_directory(absolute):
                return stat.S_IFDIR | 0o755
            if absolute in self.package_files:
                return stat.S_IFREG | 0o644
            raise OSError(errno.ENOENT, os.strerror(errno.ENOENT), absolute)
        return super().mode(server_path)
