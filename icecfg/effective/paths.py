"""Paths (``<paths>``): the directories and files Icecast uses, absolute or relative to what."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from icecfg import spec
from icecfg.document import Element
from icecfg.effective.provenance import Traced
from icecfg.effective.reading import section_values
from icecfg.effective.security import Security, opened_before_chroot
from icecfg.records import FrozenRecord
from icecfg.spec import Dialect, Kind

_PATHS = spec.SECTIONS["paths"]


class ServerPath(FrozenRecord):
    """One path setting: the value, where it lies as Icecast opens it, and seen from the host."""

    __slots__ = ("name", "outside", "relative_to", "value")

    name: str
    value: Traced[object]
    #: "absolute", or what a relative path is resolved against.
    relative_to: str
    #: The path as seen from outside a chroot (equal to the value without one).
    outside: str

    def __init__(self, name: str, value: Traced[object], relative_to: str, outside: str) -> None:
        _set = object.__setattr__
        _set(self, "name", name)
        _set(self, "value", value)
        _set(self, "relative_to", relative_to)
        _set(self, "outside", outside)

    def to_json(self) -> dict[str, object]:
        return {**self.value.to_json(), "relative_to": self.relative_to, "outside": self.outside}


class Paths(FrozenRecord):
    __slots__ = ("values",)

    values: Mapping[str, ServerPath]

    def __init__(self, values: Mapping[str, ServerPath]) -> None:
        _set = object.__setattr__
        _set(self, "values", values)

    def get(self, name: str) -> str | None:
        found = self.values.get(name)
        return str(found.value.value) if found is not None and found.value.value is not None else None

    def to_json(self) -> dict[str, object]:
        return {name: value.to_json() for name, value in self.values.items()}


def paths(root: Element, dialect: Dialect, guard: Security, values: dict[str, Traced[object]] | None = None) -> Paths:
    """``values`` is ``section_values`` of the ``<paths>`` blocks when known (an EffectiveConfig has them)."""
    if values is None:
        values = section_values(list(root.elements("paths")), "paths", dialect)
    out: dict[str, ServerPath] = {}
    for name, value in values.items():
        row = _PATHS.child(name, dialect)
        if row is None or row.value is None or row.value.kind is not Kind.PATH or not isinstance(value.value, str):
            continue
        text = value.value
        if text.startswith("/"):
            relative_to = "absolute"
        else:
            inside = guard.chrooted and not opened_before_chroot(name, dialect)
            relative_to = "the chroot (basedir)" if inside else "the working directory"
        seen = text if opened_before_chroot(name, dialect) else guard.outside(text)
        out[name] = ServerPath(name, value, relative_to, seen)
    return Paths(MappingProxyType(out))
