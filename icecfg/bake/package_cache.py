"""The Icecast package a 2.5 bake built, kept on this machine for the next bakes.

Building Icecast 2.5.0 on the build droplet (``packer/scripts/15-build-icecast-2.5.sh``)
adds about four minutes to a bake. The package it builds depends only on that
recipe and the base image, not on the configuration, so ``icecfg bake`` downloads
it from the build droplet and keeps it under
``$XDG_CACHE_HOME/icecfg/packages/<key>/`` (``~/.cache`` without it); the next
bake of the same release on the same base image stages it, and the recipe
installs it instead of building it again.

The key is a hash of the release, the base image and the build recipe, so
changing any of them builds afresh. The package never takes part in the
content hash: an image baked with a kept package is the image of the same
recipe. Delete the directory to force a build. The package came from the
user's own build droplet, so it is trusted as the image itself is; the recipe
still checks its name, version and architecture, and the bake still checks
``icecast2 -v``.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

__all__ = ["BUILT_ON_DROPLET", "PACKAGE_NAME", "RECIPES", "cache_key", "cached", "keep", "packages_dir"]

#: Where the recipe leaves the package it built, for the bake to download (empty when it built none).
BUILT_ON_DROPLET = "/root/icecfg-built-package.deb"
#: The kept package's file name, in the cache and in the staging directory (``prebuilt/``).
PACKAGE_NAME = "icecast2.deb"
#: The provisioning script that builds each release's package (releases without one install Debian's).
RECIPES = {"2.5": "scripts/15-build-icecast-2.5.sh"}


def packages_dir() -> Path:
    """``$XDG_CACHE_HOME/icecfg/packages``, else ``~/.cache/icecfg/packages``."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "icecfg" / "packages"


def cache_key(release: str, image: str, template_dir: Path) -> str | None:
    """The key of ``release``'s package built on ``image`` by the recipe in ``template_dir``, or None."""
    recipe = RECIPES.get(release)
    if recipe is None:
        return None
    h = hashlib.sha256()
    for part in (release.encode(), image.encode(), (template_dir / recipe).read_bytes()):
        h.update(len(part).to_bytes(8, "big") + part)
    return h.hexdigest()[:24]


def cached(key: str | None) -> Path | None:
    """The kept package for ``key``, if there is one."""
    if key is None:
        return None
    path = packages_dir() / key / PACKAGE_NAME
    return path if path.is_file() and path.stat().st_size > 0 else None


def keep(key: str, built: Path) -> Path | None:
    """Keep the package the bake downloaded (``None`` if it built none); written atomically, 0600."""
    if not built.is_file() or built.stat().st_size == 0:
        return None
    directory = packages_dir() / key
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=directory, prefix=".incoming-")
    try:
        with os.fdopen(fd, "wb") as out, open(built, "rb") as source:
            while chunk := source.read(1 << 20):
                out.write(chunk)
        os.replace(temporary, directory / PACKAGE_NAME)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return directory / PACKAGE_NAME
