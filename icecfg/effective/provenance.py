"""Where each effective value comes from: an element and its line, a default, a merge, a clamp.

A value a server uses is only useful to a person if they can find what set
it: "port 8443, line 12" or "max-listeners 7, merged from the default mount
at line 30" is what lets them change it.  Every fact of the effective
configuration carries an :class:`Origin`.
"""

from __future__ import annotations

import bisect
import enum
import re
from collections import OrderedDict
from typing import Generic, TypeVar

from icecfg.document import Element
from icecfg.records import FrozenRecord, slot_setters

T_co = TypeVar("T_co", covariant=True)


class Source(str, enum.Enum):
    """How a value came to be."""

    ELEMENT = "element"  # written in the file (an element's text, or KH's attribute form)
    DEFAULT = "default"  # not written: the release's default
    MERGED = "merged"  # not written on the mount: filled in from a default (or glob) mount
    CLAMPED = "clamped"  # written, but the release replaces it (range, wrap, minimum)
    DERIVED = "derived"  # follows from other settings (shoutcast port+1, the implicit listener)


class Origin(FrozenRecord):
    """Where a value comes from; ``element`` is kept for positions but never compared or printed."""

    __slots__ = ("element", "note", "source", "tag")
    _uncompared = frozenset({"element"})
    _unshown = frozenset({"element"})

    source: Source
    #: The element name that set it (``port``, ``fallback-mount``), when one did.
    tag: str | None
    #: A few words for a person: what was clamped to what, which default mount merged.
    note: str
    element: Element | None

    def __init__(self, source: Source, tag: str | None = None, note: str = "", element: Element | None = None) -> None:
        _set = object.__setattr__
        _set(self, "source", source)
        _set(self, "tag", tag)
        _set(self, "note", note)
        _set(self, "element", element)

    @property
    def line(self) -> int:
        """1-based line of the element in its file, 0 when unknown (computed on demand)."""
        return line_of(self.element) if self.element is not None else 0

    def describe(self) -> str:
        """``line 12 <port>``, ``default``, ``merged from line 30``, ``clamped (note)``."""
        where = f"line {self.line} <{self.tag}>" if self.line and self.tag else (f"<{self.tag}>" if self.tag else "")
        if self.source is Source.ELEMENT:
            text = where or "written"
        elif self.source is Source.DEFAULT:
            text = "default"
        elif self.source is Source.MERGED:
            text = f"merged from {where}" if where else "merged"
        elif self.source is Source.CLAMPED:
            text = f"clamped, {where}" if where else "clamped"
        else:
            text = f"derived from {where}" if where else "derived"
        return f"{text} ({self.note})" if self.note else text

    def to_json(self) -> dict[str, object]:
        out: dict[str, object] = {"source": self.source.value}
        if self.tag is not None:
            out["element"] = self.tag
        if self.line:
            out["line"] = self.line
        if self.note:
            out["note"] = self.note
        return out


def written(element: Element, note: str = "") -> Origin:
    """The origin of a value read from ``element`` (its text or one of its attributes).

    Made for most values of a file (hundreds of thousands at 100,000 mounts),
    so its fields are set by their slots' own setters, not by ``__init__``'s
    ``object.__setattr__`` and its lookup by name: a third of the cost.
    """
    origin = _new(Origin)
    _set_source(origin, Source.ELEMENT)
    _set_tag(origin, element.local_name)
    _set_note(origin, note)
    _set_element(origin, element)
    return origin


_new = object.__new__
_ORIGIN_SETTERS = slot_setters(Origin)
_set_source = _ORIGIN_SETTERS["source"]
_set_tag = _ORIGIN_SETTERS["tag"]
_set_note = _ORIGIN_SETTERS["note"]
_set_element = _ORIGIN_SETTERS["element"]


def merged(element: Element, note: str = "") -> Origin:
    """A mount value filled in from ``element`` of a default mount."""
    return Origin(Source.MERGED, element.local_name, note, element)


def clamped(element: Element | None, note: str) -> Origin:
    """A written value the release replaces (``note`` says by what and why)."""
    if element is None:
        return Origin(Source.CLAMPED, note=note)
    return Origin(Source.CLAMPED, element.local_name, note, element)


def derived(element: Element | None, note: str) -> Origin:
    if element is None:
        return Origin(Source.DERIVED, note=note)
    return Origin(Source.DERIVED, element.local_name, note, element)


DEFAULT = Origin(Source.DEFAULT)


def default(note: str = "") -> Origin:
    return Origin(Source.DEFAULT, note=note) if note else DEFAULT


class Traced(FrozenRecord, Generic[T_co]):
    """A value and where it comes from."""

    __slots__ = ("origin", "value")

    value: T_co
    origin: Origin

    def __init__(self, value: T_co, origin: Origin) -> None:
        _set = object.__setattr__
        _set(self, "value", value)
        _set(self, "origin", origin)

    def to_json(self) -> dict[str, object]:
        return {"value": _plain(self.value), "from": self.origin.to_json()}


def _plain(value: object) -> object:
    """JSON-ready form of a value (enums as their words)."""
    if isinstance(value, enum.Enum):
        return value.value
    return value


_LINE_BREAK = re.compile(r"\r\n?|\n")
#: Line-start tables of the last few parsed texts: explaining a file asks for
#: the line of every value, and counting newlines each time would be quadratic.
_TABLES: OrderedDict[int, tuple[object, list[int]]] = OrderedDict()


def line_of(element: Element) -> int:
    """1-based line of ``element``'s start tag, 0 for a created element."""
    origin = element.origin
    if origin is None or origin.detached or element.start < 0:
        return 0
    entry = _TABLES.get(id(origin))
    if entry is None or entry[0] is not origin:
        starts = [0]
        starts.extend(m.end() for m in _LINE_BREAK.finditer(origin.text))
        entry = (origin, starts)
        _TABLES[id(origin)] = entry
        while len(_TABLES) > 8:
            _TABLES.popitem(last=False)
    return bisect.bisect_right(entry[1], element.start)
