"""The team's corpus of real-world icecast.xml files, read at test time.

The files are other people's work, so they are never copied into the
repository: they sit in the ``shared`` folder beside the checkout (CI lays it
there) or wherever ``ICECFG_SHARED`` points.  Tests that use them fail, not
skip, when the folder is missing: a missing fixture must not pass silently.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def shared_dir() -> Path:
    """The shared folder: ``$ICECFG_SHARED``, else ``../shared`` beside the checkout."""
    override = os.environ.get("ICECFG_SHARED")
    return Path(override) if override else REPO.parent / "shared"


def corpus_dir() -> Path:
    return shared_dir() / "corpus"


def corpus_paths() -> list[Path]:
    """Every corpus file, sorted by name; at least 60 must be there."""
    paths = sorted(corpus_dir().glob("*.xml"))
    assert len(paths) >= 60, f"the icecast.xml corpus is missing from {corpus_dir()} (set ICECFG_SHARED)"
    return paths


def corpus() -> dict[str, bytes]:
    """name -> bytes of every corpus file."""
    return {path.name: path.read_bytes() for path in corpus_paths()}
