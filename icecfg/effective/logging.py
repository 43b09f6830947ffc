"""Logging: which file each log goes to, what is discarded, and what stops Icecast from starting.

Icecast builds every log path as ``logdir + "/" + name``, always: an
absolute name is appended to the log directory and the server refuses to
start (2.4.4, 2.5), ``-`` sends the error and access logs to stderr but is an
ordinary file name for the playlist log.
"""

from __future__ import annotations

import posixpath
from typing import NamedTuple

from icecfg.document import Element
from icecfg.effective.provenance import Traced, default, written
from icecfg.effective.reading import row, section_values
from icecfg.effective.security import Security
from icecfg.spec import Dialect

LOGS = ("errorlog", "accesslog", "playlistlog")
KIND = {"errorlog": "error", "accesslog": "access", "playlistlog": "playlist"}


class Log(NamedTuple):
    """Where one log goes (an immutable named tuple: the lint start-up path reads it)."""

    kind: str  # error, access, playlist
    name: Traced[object]
    #: "file", "stderr", "off", "discarded" (reaches /dev/null), "fatal" (Icecast does not start)
    destination: str
    #: The server path written (None for stderr or off).
    path: str | None
    #: The path as seen from outside a chroot.
    outside: str | None
    note: str = ""
    #: The attribute of the name's element that holds it (KH's ``<accesslog name="...">``);
    #: None when the name is that element's text, or not written.
    attribute: str | None = None

    def to_json(self) -> dict[str, object]:
        return {
            "name": self.name.to_json(),
            "destination": self.destination,
            "path": self.path,
            "outside": self.outside,
            "note": self.note or None,
        }


class Logging(NamedTuple):
    logdir: Traced[object]
    #: ``<loglevel>`` as the release reads it: 2.4.4 with ``atoi``; 2.5.0 takes the words
    #: ``debug``/``information``/``warning``/``error`` (and ``DBUG``... in any case, exactly
    #: as written: a padded word is read with ``atoi`` as 0); KH words or numbers.
    level: Traced[object]
    logs: tuple[Log, ...]
    #: What the level means: "nothing" (2.4.4 reads 0 or a word), or the highest level logged.
    level_meaning: str
    #: ``<logsize>``: the rotation size in KiB as the release reads it (2.5 keeps the default
    #: for a value outside 0..INT_MAX; KH caps it at 2000000).
    size: Traced[object]

    def log(self, kind: str) -> Log:
        return next(log for log in self.logs if log.kind == kind)

    def to_json(self) -> dict[str, object]:
        return {
            "logdir": self.logdir.to_json(),
            "level": self.level.to_json(),
            "level_meaning": self.level_meaning,
            "size": self.size.to_json(),
            "logs": {log.kind: log.to_json() for log in self.logs},
        }


_LEVELS = {1: "errors", 2: "warnings", 3: "information", 4: "debug"}


def _log_name(blocks: list[Element], tag: str, dialect: Dialect) -> tuple[Traced[object], str | None]:
    """The file name of log ``tag`` and the attribute it was read from (KH: :func:`_kh_log_name`).

    2.4 and 2.5 read the last element's text.
    """
    if dialect is Dialect.KH:
        return _kh_log_name(blocks, tag)
    found: Element | None = None
    for block in blocks:
        for child in block.elements(tag):
            found = child
    if found is not None:
        if found.text is not None:
            return Traced(found.text, written(found)), None
        return Traced(row("logging", tag).default(dialect), written(found, "empty: the default is kept")), None
    return Traced(row("logging", tag).default(dialect), default()), None


def _kh_log_name(blocks: list[Element], tag: str) -> tuple[Traced[object], str | None]:
    """KH's log name: every ``<accesslog>`` (or error, playlist log) read in turn into one setting.

    kh22 parses each element with one table (``_parse_accesslog`` ...):
    its own text, then a ``name=`` attribute (even an empty one), then a
    ``<name>`` child each replace the name; an element that gives none
    (``<accesslog/>``) leaves it as it was (tested on kh22).
    """
    found: Traced[object] | None = None
    attribute: str | None = None
    for block in blocks:
        for element in block.elements(tag):
            text = element.text
            if text is not None and text.strip(" \t\r\n"):
                found, attribute = Traced(text, written(element)), None
            value = element.get("name")
            if value is not None:
                found, attribute = Traced(value, written(element, "the name attribute")), "name"
            for inner in element.elements("name"):
                value = inner.text
                if value is not None and value.strip(" \t\r\n"):
                    found, attribute = Traced(value, written(inner)), None
    if found is None:
        return Traced(row("logging", tag).default(Dialect.KH), default()), None
    return found, attribute


#: What KH does with a log whose name is empty (``<accesslog name=""/>``): tested on kh22.
_KH_EMPTY_NAME = {
    "access": ("off", "an empty name: KH writes no access log"),
    "error": ("fatal", "an empty name: KH crashes (SIGSEGV) at start"),
    "playlist": ("off", "an empty name: KH opens no playlist log"),
}


def logging(
    root: Element, dialect: Dialect, guard: Security, paths: dict[str, Traced[object]] | None = None
) -> Logging:
    """``paths`` is ``section_values`` of the ``<paths>`` blocks when known (an EffectiveConfig has them)."""
    blocks = list(root.elements("logging"))
    values = section_values(blocks, "logging", dialect)
    if paths is None:
        paths = section_values(list(root.elements("paths")), "paths", dialect)
    logdir = paths.get("logdir") or Traced("", default())
    directory = str(logdir.value or "")
    level = values.get("loglevel") or Traced(3, default())
    size = values.get("logsize") or Traced(0, default())
    number = level.value if isinstance(level.value, int) else 0
    meaning = _LEVELS.get(number, "nothing") if number < 5 else "debug"
    logs = [_log(KIND[tag], *_log_name(blocks, tag, dialect), directory, dialect, guard) for tag in LOGS]
    return Logging(logdir, level, tuple(logs), meaning, size)


def _log(
    kind: str, name: Traced[object], attribute: str | None, directory: str, dialect: Dialect, guard: Security
) -> Log:
    """Where log ``kind`` named ``name`` goes, as ``dialect`` builds its path in ``directory``."""
    text = name.value if isinstance(name.value, str) else None
    if text is None:
        return Log(kind, name, "off", None, None, attribute=attribute)
    if text == "" and dialect is Dialect.KH:
        destination, note = _KH_EMPTY_NAME[kind]
        return Log(kind, name, destination, None, None, note, attribute)
    if text == "-" and kind != "playlist":
        return Log(kind, name, "stderr", None, None, attribute=attribute)
    path = directory + "/" + text
    outside = guard.outside(path)
    if text.startswith("/") and dialect is not Dialect.KH:
        if kind == "playlist":
            return Log(kind, name, "off", path, outside, "an absolute name is appended to logdir", attribute)
        note = "an absolute name is appended to logdir: Icecast does not start"
        return Log(kind, name, "fatal", path, outside, note, attribute)
    if posixpath.normpath(path) == "/dev/null":
        return Log(kind, name, "discarded", path, outside, attribute=attribute)
    note = "a file literally named '-'" if text == "-" else ""
    return Log(kind, name, "file", path, outside, note, attribute)


def written_setting(value: Traced[object], tag: str) -> Element | None:
    """The ``<logging>`` child that set ``value`` when it is written as element ``tag`` with text.

    None for a default, an empty element, KH's attribute form (``<logging loglevel="4">``)
    or its block form: the value is then not the text of one element a person can edit.
    """
    element = value.origin.element
    if element is None or element.local_name != tag or element.text is None:
        return None
    if any(True for _ in element.elements()):
        return None
    return element
