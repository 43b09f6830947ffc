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


def _log_name(blocks: list[Element], tag: str, dialect: Dialect) -> Traced[object]:
    """The file name of log ``tag``: the last element's text (KH: :func:`_kh_log_name`)."""
    if dialect is Dialect.KH:
        return _kh_log_name(blocks, tag)
    found: Element | None = None
    for block in blocks:
        for child in block.elements(tag):
            found = child
    if found is not None:
        if found.text is not None:
            return Traced(found.text, written(found))
        return Traced(row("logging", tag).default(dialect), written(found, "empty: the default is kept"))
    return Traced(row("logging", tag).default(dialect), default())


def _kh_log_name(blocks: list[Element], tag: str) -> Traced[object]:
    """KH's log name: every ``<accesslog>`` (or error, playlist log) read in turn into one setting.

    kh22 parses each element with one table (``_parse_accesslog`` ...):
    its own text, then a ``name=`` attribute (even an empty one), then a
    ``<name>`` child each replace the name; an element that gives none
    (``<accesslog/>``) leaves it as it was (tested on kh22).
    """
    found: Traced[object] | None = None
    for block in blocks:
        for element in block.elements(tag):
            text = element.text
            if text is not None and text.strip(" \t\r\n"):
                found = Traced(text, written(element))
            attribute = element.get("name")
            if attribute is not None:
                found = Traced(attribute, written(element, "the name attribute"))
            for inner in element.elements("name"):
                value = inner.text
                if value is not None and value.strip(" \t\r\n"):
                    found = Traced(value, written(inner))
    return found if found is not None else Traced(row("logging", tag).default(Dialect.KH), default())


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
    logs = []
    for tag in LOGS:
        name = _log_name(blocks, tag, dialect)
        kind = KIND[tag]
        text = name.value if isinstance(name.value, str) else None
        if text is None:
            logs.append(Log(kind, name, "off", None, None))
            continue
        if text == "" and dialect is Dialect.KH:
            destination, note = _KH_EMPTY_NAME[kind]
            logs.append(Log(kind, name, destination, None, None, note))
            continue
        if text == "-" and kind != "playlist":
            logs.append(Log(kind, name, "stderr", None, None))
            continue
        path = directory + "/" + text
        outside = guard.outside(path)
        if text.startswith("/") and dialect is not Dialect.KH:
            if kind == "playlist":
                logs.append(Log(kind, name, "off", path, outside, "an absolute name is appended to logdir"))
            else:
                note = "an absolute name is appended to logdir: Icecast does not start"
                logs.append(Log(kind, name, "fatal", path, outside, note))
            continue
        if posixpath.normpath(path) == "/dev/null":
            logs.append(Log(kind, name, "discarded", path, outside))
            continue
        note = "a file literally named '-'" if text == "-" else ""
        logs.append(Log(kind, name, "file", path, outside, note))
    return Logging(logdir, level, tuple(logs), meaning, size)


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
