"""Paths (``<paths>``): the directories and files Icecast uses, absolute or relative to what."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from icecfg import spec
from icecfg.document import Element
from icecfg.effective.provenance import Traced
from icecfg.effective.reading import section_values, traced
from icecfg.effective.security import Security, opened_before_chroot
from icecfg.records import FrozenRecord
from icecfg.spec import Dialect, Kind, Repeat

_PATHS = spec.SECTIONS["paths"]
_ROOT = spec.SECTIONS["icecast"]


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
    """The path settings: one value each, and the settings of which the release reads every occurrence.

    2.5.0 loads each ``<reportxmldb>`` written (into one report database), so
    such a setting is a list in ``each``, not the last one in ``values``.
    """

    __slots__ = ("each", "values")

    values: Mapping[str, ServerPath]
    each: Mapping[str, tuple[ServerPath, ...]]

    def __init__(self, values: Mapping[str, ServerPath], each: Mapping[str, tuple[ServerPath, ...]]) -> None:
        _set = object.__setattr__
        _set(self, "values", values)
        _set(self, "each", each)

    def get(self, name: str) -> str | None:
        found = self.values.get(name)
        return str(found.value.value) if found is not None and found.value.value is not None else None

    def to_json(self) -> dict[str, object]:
        out: dict[str, object] = {name: value.to_json() for name, value in self.values.items()}
        out.update({name: [one.to_json() for one in every] for name, every in self.each.items()})
        return out


def paths(
    root: Element,
    dialect: Dialect,
    guard: Security,
    values: dict[str, Traced[object]] | None = None,
    root_values: dict[str, Traced[object]] | None = None,
) -> Paths:
    """``values`` is ``section_values`` of the ``<paths>`` blocks, ``root_values`` of the root, when known."""
    if values is None:
        values = section_values(list(root.elements("paths")), "paths", dialect)
    mime_types = _mime_types(root, dialect, values, root_values)
    if mime_types is not None:
        values = {**values, "mime-types": mime_types}
    out: dict[str, ServerPath] = {}
    each: dict[str, list[ServerPath]] = {}
    for name, value in values.items():
        row = _PATHS.child(name, dialect) or (_ROOT.child(name, dialect) if name == "mime-types" else None)
        if row is None or row.value is None or row.value.kind is not Kind.PATH:
            continue
        if row.repeat is Repeat.ACC:
            for block in root.elements("paths"):
                for element in block.elements(name):
                    one, _crash = traced(row, element, element.text, dialect)
                    if isinstance(one.value, str) and one.value:
                        each.setdefault(name, []).append(_server_path(name, one, dialect, guard))
        elif isinstance(value.value, str):
            out[name] = _server_path(name, value, dialect, guard)
    return Paths(MappingProxyType(out), MappingProxyType({name: tuple(every) for name, every in each.items()}))


def _server_path(name: str, value: Traced[object], dialect: Dialect, guard: Security) -> ServerPath:
    """``value`` of path setting ``name``, with what a relative one is resolved against and its host path."""
    text = str(value.value)
    if text.startswith("/"):
        relative_to = "absolute"
    else:
        inside = guard.chrooted and not opened_before_chroot(name, dialect)
        relative_to = "the chroot (basedir)" if inside else "the working directory"
    seen = text if opened_before_chroot(name, dialect) else guard.outside(text)
    return ServerPath(name, value, relative_to, seen)


def _mime_types(
    root: Element, dialect: Dialect, values: dict[str, Traced[object]], root_values: dict[str, Traced[object]] | None
) -> Traced[object] | None:
    """The mime types file the release reads: the root's ``<mime-types>`` or ``<paths>``', whichever it reads last.

    2.4.4 reads only the root's, Icecast-KH only the one in ``<paths>``; 2.5.0
    reads both (the root's is obsolete) as it meets them, so the later one in
    the file wins.  Every release reads the file at start, after the chroot
    (shown on each).
    """
    if _ROOT.child("mime-types", dialect) is None:
        return values.get("mime-types")
    if root_values is None:
        root_values = section_values([root], "icecast", dialect)
    at_root, in_paths = root_values.get("mime-types"), values.get("mime-types")
    if in_paths is None or in_paths.origin.element is None:
        return at_root or in_paths
    if at_root is None or at_root.origin.element is None:
        return in_paths
    last = None
    for child in root.elements():  # both written (rare): the one the release meets last wins
        if child.local_name == "mime-types":
            last = at_root
        elif child.local_name == "paths" and any(True for _ in child.elements("mime-types")):
            last = in_paths
    return last or in_paths
