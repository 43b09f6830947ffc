"""Settings from ``icecfg.toml``, ``.icecfg.toml`` or ``[tool.icecfg]`` in ``pyproject.toml``.

The file is found by walking up from the linted file (like ruff and black);
the first directory holding one of them wins.  In ``icecfg.toml`` the keys
stand at the top level, in ``pyproject.toml`` under ``[tool.icecfg]``; the
bake settings are the ``bake`` table of either.  Command-line flags win over
the file.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - 3.10
    import tomli as tomllib

FILE_NAMES = ("icecfg.toml", ".icecfg.toml", "pyproject.toml")

#: Keys of the lint settings and their types.
LINT_KEYS: dict[str, type] = {
    "target": str,
    "select": list,
    "ignore": list,
    "extend-select": list,
    "fail-on": str,
    "root": str,
    "no-fs": bool,
    "format": str,
}


class SettingsError(ValueError):
    """A settings file icecfg cannot use; the message names the file."""


@dataclass
class Settings:
    """The settings found for one linted path (empty when there is no file)."""

    path: Path | None = None
    lint: dict[str, Any] = field(default_factory=dict)
    bake: dict[str, Any] = field(default_factory=dict)

    def get(self, key: str, default: Any = None) -> Any:
        return self.lint.get(key, default)

    def resolve(self, value: str) -> str:
        """A path setting, relative to the settings file's directory."""
        if self.path is None or Path(value).is_absolute():
            return value
        return str((self.path.parent / value).resolve())


def find(start: Path) -> Settings:
    """The settings for ``start`` (a file or directory), walking up to the filesystem root."""
    directory = start if start.is_dir() else start.parent
    directory = directory.resolve()
    for candidate in (directory, *directory.parents):
        for name in FILE_NAMES:
            path = candidate / name
            if not path.is_file():
                continue
            data = _read(path)
            if name == "pyproject.toml":
                tool = data.get("tool", {})
                if "icecfg" not in tool:
                    continue
                data = tool["icecfg"]
            return _settings(path, data)
    return Settings()


def load(path: Path) -> Settings:
    """The settings of one explicitly named file (``--config``)."""
    data = _read(path)
    if path.name == "pyproject.toml":
        data = data.get("tool", {}).get("icecfg", {})
    return _settings(path, data)


def _read(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            data: dict[str, Any] = tomllib.load(handle)
            return data
    except tomllib.TOMLDecodeError as err:
        raise SettingsError(f"{path}: {err}") from None
    except OSError as err:
        raise SettingsError(f"{path}: {err.strerror}") from None


def _settings(path: Path, data: dict[str, Any]) -> Settings:
    lint = {k: v for k, v in data.items() if k != "bake"}
    for key, value in lint.items():
        expected = LINT_KEYS.get(key)
        if expected is None:
            raise SettingsError(f"{path}: unknown setting {key!r} (known: {', '.join(LINT_KEYS)}, bake)")
        if not isinstance(value, expected):
            raise SettingsError(f"{path}: {key} must be a {expected.__name__}")
    bake = data.get("bake", {})
    if not isinstance(bake, dict):
        raise SettingsError(f"{path}: bake must be a table")
    return Settings(path, lint, bake)
