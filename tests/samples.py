"""The sample configurations Debian's icecast2 package ships, read at test time.

They are the project's round-trip and oracle fixtures; they are not copied
into the repository (they are Icecast's, and the installed package is the
version users really have).
"""

from __future__ import annotations

import gzip
from pathlib import Path

DOC_DIR = Path("/usr/share/doc/icecast2")
ETC_CONFIG = Path("/etc/icecast2/icecast.xml")


def sample_paths() -> list[Path]:
    """Every sample config of the installed package (doc folder and /etc)."""
    paths = sorted(DOC_DIR.glob("*.xml.dist")) + sorted(DOC_DIR.glob("*.xml.dist.gz"))
    if ETC_CONFIG.exists():
        paths.append(ETC_CONFIG)
    return paths


def read_sample(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if path.suffix == ".gz" else data


def samples() -> dict[str, bytes]:
    """name -> bytes of every sample; at least the four upstream samples must be there."""
    found = {path.name: read_sample(path) for path in sample_paths()}
    assert len(found) >= 4, f"icecast2's sample configs are missing from {DOC_DIR}: {sorted(found)}"
    return found


def largest_sample() -> bytes:
    return max(samples().values(), key=len)
