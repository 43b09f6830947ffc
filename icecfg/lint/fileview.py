"""The linter's name for :class:`icecfg.files.FileView` (kept for existing imports)."""

from __future__ import annotations

from icecfg.files import FileView

__all__ = ["FileView"]
