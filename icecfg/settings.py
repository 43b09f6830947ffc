"""Settings from ``icecfg.toml``, ``.icecfg.toml`` or ``[tool.icecfg]`` in ``pyproject.toml``.

The file is found by walking up from the linted file (like ruff and black);
the first directory holding one of them wins.  In ``icecfg.toml`` the keys
stand at the top level, in ``pyproject.toml`` under ``[tool.icecfg]``; the
bake settings are the ``bake`` table of either.  Command-line flags win over
the file.

Every key is checked here, once, when the file is read: a wrong type or value
(``target = "2.6"``, ``keep = "two"``) is a :class:`SettingsError` naming the
file, the line, the key and what is allowed, so no command ever meets a value
it cannot use (and no command prints a traceback for one).
"""

from __future__ import annotations

import difflib
import json
import os
import re
import stat
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from icecfg.files import Assets, read_at_most
from icecfg.records import Record
from icecfg.spec import Dialect

FILE_NAMES = ("icecfg.toml", ".icecfg.toml", "pyproject.toml")

#: The Icecast releases icecfg checks against (other spellings: see target_name).
TARGETS = tuple(d.value for d in Dialect)
#: Output formats of ``icecfg lint``.
FORMATS = ("text", "json", "sarif", "github")
SEVERITIES = ("error", "warning", "info")
#: Snapshots kept when pruning without a ``keep`` setting: what ``init`` writes, what
#: ``bake`` and ``prune`` keep and what ``cost`` prices, so the three never disagree.
DEFAULT_KEEP = 2
#: The snapshots ``keep`` (and ``--keep``) may name: a thousand of 2 GB cost $120 a month.
KEEP_RANGE = (0, 1000)
#: ``dns-ttl`` in seconds: DigitalOcean takes no less than 30; a record for a droplet that
#: lives hours and changes its address with every ``up`` is cached a day at most.
DNS_TTL_RANGE = (30, 86400)


def target_name(value: str) -> str | None:
    """The canonical target (``2.4``, ``2.5``, ``kh``) for ``value``, or None if it names none.

    The spellings (``KH``, ``2.4.4``, ``2.5.0``) are :class:`Dialect`'s, the one target parser.
    """
    try:
        return Dialect(value).value
    except ValueError:
        return None


# -- validators: each returns None when the value is fine, else what is allowed ----------


Check = Callable[[Any], "str | None"]


def _string(value: Any) -> str | None:
    return None if isinstance(value, str) and value.strip() else "a non-empty string"


def _boolean(value: Any) -> str | None:
    return None if isinstance(value, bool) else "true or false"


def _count(minimum: int, maximum: int) -> Check:
    def check(value: Any) -> str | None:
        ok = isinstance(value, int) and not isinstance(value, bool) and minimum <= value <= maximum
        return None if ok else f"a whole number from {minimum} to {maximum}"

    return check


def _one_of(*choices: str) -> Check:
    def check(value: Any) -> str | None:
        return None if value in choices else "one of " + ", ".join(json.dumps(c) for c in choices)

    return check


def _target(value: Any) -> str | None:
    if isinstance(value, str) and target_name(value) is not None:
        return None
    # the spellings the command line takes too (spec.TARGET_SPELLINGS)
    return "one of " + ", ".join(json.dumps(t) for t in TARGETS) + ' (or "2.4.4", "2.5.0", "KH")'


def _strings(value: Any) -> str | None:
    ok = isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value)
    return None if ok else 'a list of strings, e.g. ["ICE1", "ICE501"]'


def _ssh_keys(value: Any) -> str | None:
    ok = isinstance(value, list) and all(isinstance(v, (str, int)) and not isinstance(v, bool) for v in value)
    return None if ok else "a list of SSH key fingerprints or ids"


def _assets(value: Any) -> str | None:
    ok = isinstance(value, dict) and all(
        isinstance(k, str) and k.startswith("/") and isinstance(v, str) and v.strip() for k, v in value.items()
    )
    return None if ok else 'a table of absolute server paths to local files, e.g. "/etc/icecast2/bundle.pem" = "x.pem"'


#: Keys of the lint settings (top level) and what each allows.
LINT_KEYS: dict[str, Check] = {
    "target": _target,
    "select": _strings,
    "ignore": _strings,
    "extend-select": _strings,
    "fail-on": _one_of(*SEVERITIES),
    "root": _string,
    "no-fs": _boolean,
    "format": _one_of(*FORMATS),
    "exclude": _strings,
}

#: Keys of the ``[bake]`` table (bake, prune, up, down, status, cost) and what each allows.
BAKE_KEYS: dict[str, Check] = {
    "config": _string,
    "region": _string,
    "size": _string,
    "image": _string,
    "target": _target,
    "keep": _count(*KEEP_RANGE),
    "assets": _assets,
    "privacy-logs": _boolean,
    "domain": _string,
    "keep-dns": _boolean,
    "dns-ttl": _count(*DNS_TTL_RANGE),
    "ipv6": _boolean,
    "ssh-keys": _ssh_keys,
}


class SettingsError(ValueError):
    """A settings file icecfg cannot use; the message names the file (and line) and what is wrong."""


class Settings(Record):
    """The settings found for one linted path (empty when there is no file)."""

    __slots__ = ("bake", "lint", "path")

    path: Path | None
    lint: dict[str, Any]
    bake: dict[str, Any]

    def __init__(
        self, path: Path | None = None, lint: dict[str, Any] | None = None, bake: dict[str, Any] | None = None
    ) -> None:
        self.path = path
        self.lint = {} if lint is None else lint
        self.bake = {} if bake is None else bake

    def get(self, key: str, default: Any = None) -> Any:
        return self.lint.get(key, default)

    @property
    def target(self) -> str | None:
        """The Icecast release the settings name: ``target`` at the top or in ``[bake]`` (they agree).

        One release per settings file: lint checks the configuration for the
        release the image runs, and up looks for the snapshots bake made.
        """
        found: str | None = self.lint.get("target") or self.bake.get("target")
        return found

    def target_or(self, flag: str | None) -> str:
        """The release bake, up, status, cost and schema work for: ``--target``, else :attr:`target`, else 2.4.

        lint, explain and migrate also ask the Icecast installed here before
        taking 2.4 (:func:`icecfg.target.choose`): they describe a server,
        where these build or price an image of a release.
        """
        return flag or self.target or "2.4"

    def where_target(self) -> str:
        """``file:line`` of the ``target`` setting in use, for messages."""
        return self.where("target") if "target" in self.lint else self.where("target", "bake")

    def resolve(self, value: str) -> str:
        """A path setting, relative to the settings file's directory.

        A symlink loop is left unresolved (Python 3.11's ``resolve`` raises
        RuntimeError for it): the command then names the file that cannot be read.
        """
        if self.path is None or Path(value).is_absolute():
            return value
        try:
            return str((self.path.parent / value).resolve())
        except (RuntimeError, OSError):
            return os.path.abspath(self.path.parent / value)

    def assets(self) -> Assets:
        """``[bake.assets]``: server path -> local file (relative paths resolved against this file)."""
        table: Mapping[str, str] = self.bake.get("assets", {})
        return Assets({server: Path(self.resolve(local)) for server, local in table.items()}, self.path)

    def where(self, key: str, table: str | None = None) -> str:
        """``file:line`` of ``key`` (in ``table``) for messages; just the file when not found."""
        if self.path is None:
            return "<settings>"
        line = _line_of(self.path, key, table)
        return f"{self.path}:{line}" if line else str(self.path)


def find(start: Path) -> Settings:
    """The settings for ``start`` (a file or directory), walking up to the filesystem root."""
    directory = start if start.is_dir() else start.parent
    directory = directory.resolve()
    for candidate in (directory, *directory.parents):
        for name in FILE_NAMES:
            path = candidate / name
            if not _is_settings_file(path):
                continue
            data = _read(path)
            if name == "pyproject.toml":
                tool = data.get("tool", {})
                if "icecfg" not in tool:
                    continue
                data = tool["icecfg"]
            return _settings(path, data)
    return Settings()


def _is_settings_file(path: Path) -> bool:
    """Whether ``path`` is a settings file to read; a name there that is none is a :class:`SettingsError`.

    Passing over a dangling symlink, a loop or a directory of that name made
    the settings further up, or none, apply without a word; a FIFO would
    have stopped every command waiting for a writer.
    """
    try:
        mode = path.stat().st_mode
    except OSError as err:
        if not os.path.lexists(path):
            return False
        raise SettingsError(f"{path}: {err.strerror or err}") from None
    if stat.S_ISREG(mode):
        return True
    if stat.S_ISDIR(mode):
        raise SettingsError(f"{path}: is a directory, not a settings file")
    raise SettingsError(f"{path}: is not a regular file (a FIFO, socket or device)")


def load(path: Path) -> Settings:
    """The settings of one explicitly named file (``icecfg lint --settings``)."""
    data = _read(path)
    if path.name == "pyproject.toml":
        data = data.get("tool", {}).get("icecfg", {})
    return _settings(path, data)


def parse(text: str, path: Path) -> Settings:
    """The settings ``text`` holds, checked as if read from ``path``; :class:`SettingsError` if icecfg would refuse it.

    ``icecfg init`` asks before it writes its ``icecfg.toml``: an option it
    copies there (``--region ''``) must not make a file every later command
    stops at.
    """
    tomllib = _toml()
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise SettingsError(_toml_error(path, str(err))) from None
    return _settings(path, data)


def _toml() -> Any:
    """The TOML parser, imported when needed: compiling its patterns costs more than the rest of a lint's imports."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - 3.10
        import tomli as tomllib
    return tomllib


def _read(path: Path) -> dict[str, Any]:
    tomllib = _toml()
    try:
        data: dict[str, Any] = tomllib.loads(read_at_most(path).decode("utf-8"))
        return data
    except tomllib.TOMLDecodeError as err:
        raise SettingsError(_toml_error(path, str(err))) from None
    except OSError as err:
        raise SettingsError(f"{path}: {err.strerror}") from None
    except UnicodeDecodeError:
        raise SettingsError(f"{path}: not UTF-8 text") from None


def _toml_error(path: Path, message: str) -> str:
    """``path:line:column: what`` from tomllib's ``what (at line L, column C)``, the form of every other error."""
    found = re.fullmatch(r"(?s)(.*) \(at line (\d+), column (\d+)\)", message)
    if found is None:
        return f"{path}: {message}"
    return f"{path}:{found[2]}:{found[3]}: {found[1]}"


def _settings(path: Path, data: dict[str, Any]) -> Settings:
    settings = Settings(path)
    settings.lint = _checked(settings, {k: v for k, v in data.items() if k != "bake"}, LINT_KEYS, None)
    bake = data.get("bake", {})
    if not isinstance(bake, dict):
        raise SettingsError(f"{settings.where('bake')}: bake must be a table ([bake])")
    settings.bake = _checked(settings, bake, BAKE_KEYS, "bake")
    for table in (settings.lint, settings.bake):
        if "target" in table:
            table["target"] = target_name(table["target"])
    if "root" in settings.lint and settings.lint.get("no-fs") is True:
        raise SettingsError(
            f"{settings.where('no-fs')}: no-fs = true and root (line {_line_of(path, 'root', None)}) exclude each "
            "other: no-fs would ignore the tree root names; keep one of them"
        )
    top, image = settings.lint.get("target"), settings.bake.get("target")
    if top is not None and image is not None and top != image:
        raise SettingsError(
            f'{settings.where("target", "bake")}: [bake] target = "{image}" but {settings.where("target")} says '
            f'target = "{top}": the image runs the release the configuration is linted for; keep one of them'
        )
    return settings


def _checked(settings: Settings, data: dict[str, Any], keys: dict[str, Check], table: str | None) -> dict[str, Any]:
    prefix = f"{table}." if table else ""
    for key, value in data.items():
        check = keys.get(key)
        if check is None:
            known = [*keys, "bake"] if table is None else list(keys)
            close = difflib.get_close_matches(key, known, n=1)
            hint = f"did you mean {prefix}{close[0]}?" if close else f"known: {', '.join(known)}"
            raise SettingsError(f"{settings.where(key, table)}: unknown setting {prefix}{key} ({hint})")
        allowed = check(value)
        if allowed is not None:
            shown = json.dumps(value, default=str)
            raise SettingsError(f"{settings.where(key, table)}: {prefix}{key} = {shown}: must be {allowed}")
    return dict(data)


def _line_of(path: Path, key: str, table: str | None) -> int:
    """The line that sets ``key`` (inside ``[table]`` or ``[tool.icecfg.table]``), 0 when not found."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return 0
    pattern = re.compile(rf"""^\s*["']?{re.escape(key)}["']?\s*=""")
    header = re.compile(r"^\s*\[+\s*([^\]]+?)\s*\]+")
    current = ""
    for number, line in enumerate(lines, 1):
        match = header.match(line)
        if match:
            current = match[1].removeprefix("tool.icecfg").lstrip(".")
            if current == (f"{table}.{key}" if table else key):  # an unknown table: its header
                return number
            continue
        if pattern.match(line) and (current == (table or "") or current.startswith(f"{table or ''}.")):
            return number
    return 0
