"""Fallback chains resolved: each hop a mount or a file, and how the chain ends.

A person reading ``icecfg explain`` (and the oracle tests) wants the whole
chain of a mount at once; the lint rules walk :class:`Fallbacks` directly.
"""

from __future__ import annotations

import enum

from icecfg.audio import formats_meet
from icecfg.conversion import FallbackOverride
from icecfg.effective.fallbacks import MAX_HOPS, Fallbacks
from icecfg.effective.mounts import MountConfig
from icecfg.effective.provenance import Origin, Traced, default
from icecfg.records import FrozenRecord
from icecfg.spec import Dialect


class End(str, enum.Enum):
    """How a fallback chain ends."""

    NONE = "none"  # the mount has no fallback
    FILE = "file"  # a name no mount configures: a file in webroot (or a source without <mount>)
    MOUNT = "mount"  # a configured mount without a fallback of its own
    CYCLE = "cycle"  # back to a name already in the chain
    DEPTH = "depth-limit"  # longer than Icecast follows
    NOT_ABSOLUTE = "not-absolute"  # a value without the leading /: no file, listeners get 404


class Hop(FrozenRecord):
    """One step of a chain: the name listeners are sent to."""

    __slots__ = ("exists", "kind", "name", "origin", "path", "problem")

    name: str
    #: "mount" (a configured mount or relay), or "file" (webroot + name)
    kind: str
    #: Where the fallback value that leads here is written (or merged from).
    origin: Origin
    #: The server path of the file, for a file hop.
    path: str | None
    #: Whether that file exists (None when the files were not looked at).
    exists: bool | None
    #: Why the server cannot send that file (:meth:`~icecfg.files.FileView.unusable`: "cannot be
    #: read", "is a directory", "does not exist"); "" when it can or the files were not looked at.
    problem: str

    def __init__(
        self,
        name: str,
        kind: str,
        origin: Origin,
        path: str | None = None,
        exists: bool | None = None,
        problem: str = "",
    ) -> None:
        _set = object.__setattr__
        _set(self, "name", name)
        _set(self, "kind", kind)
        _set(self, "origin", origin)
        _set(self, "path", path)
        _set(self, "exists", exists)
        _set(self, "problem", problem)

    def to_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "kind": self.kind,
            "path": self.path,
            "exists": self.exists,
            "problem": self.problem or None,
            "from": self.origin.to_json(),
        }


class FallbackChain(FrozenRecord):
    """The resolved chain of one normal mount."""

    __slots__ = ("dropped_at", "end", "file_rate", "hops", "mount", "override", "when_full")

    mount: str
    hops: tuple[Hop, ...]
    end: End
    override: Traced[object]
    when_full: Traced[object]
    #: KH: the bytes per second a file at the end is sent at; KH sends no file without a rate
    #: (``source_add_listener`` answers 404).  None on the other releases, which need none.
    file_rate: int | None
    #: The first name along the chain of a format type the release does not move the mount's
    #: listeners to (:func:`~icecfg.audio.formats_meet`), with both types: when the source stops
    #: they are dropped there, not moved (ICE606).  None when every name's format meets the mount's
    #: or the configuration does not tell.
    dropped_at: tuple[str, str, str] | None

    def __init__(
        self,
        mount: str,
        hops: tuple[Hop, ...],
        end: End,
        override: Traced[object],
        when_full: Traced[object],
        file_rate: int | None = None,
        dropped_at: tuple[str, str, str] | None = None,
    ) -> None:
        _set = object.__setattr__
        _set(self, "mount", mount)
        _set(self, "hops", hops)
        _set(self, "end", end)
        _set(self, "override", override)
        _set(self, "when_full", when_full)
        _set(self, "file_rate", file_rate)
        _set(self, "dropped_at", dropped_at)

    @property
    def gets(self) -> str | None:
        """What a listener of the mount gets while no source is connected anywhere in the chain.

        The name of the first file hop whose file the server can send (or may,
        when the files were not looked at) within the depth limit; None: 404.
        A file it cannot read is 404 too (tested on 2.4.4, 2.5.0 and kh22).
        """
        if self.file_rate == 0:
            return None
        for hop in self.hops[:MAX_HOPS]:
            if hop.kind == "file" and hop.exists is not False and not hop.problem:
                return hop.name
        return None

    def to_json(self) -> dict[str, object]:
        return {
            "hops": [hop.to_json() for hop in self.hops],
            "end": self.end.value,
            "listeners_get": self.gets,
            "override": self.override.to_json(),
            "when_full": self.when_full.to_json(),
            "file_rate": self.file_rate,
            "dropped_at": None
            if self.dropped_at is None
            else dict(zip(("name", "format", "mount_format"), self.dropped_at, strict=True)),
        }


def resolve(graph: Fallbacks, mount: MountConfig) -> FallbackChain:
    """The resolved chain of a normal mount."""
    assert mount.name is not None
    names, loops = graph.names(mount.name, MAX_HOPS + 1)
    if len(names) > MAX_HOPS + 2:
        names, loops = names[: MAX_HOPS + 2], False  # one hop past the limit shows it is reached
    hops: list[Hop] = []
    end = End.NONE
    current = mount.name
    for following in names[1:]:
        step = graph.next(current)
        assert step is not None
        fallback = graph.of(step[1])
        assert fallback is not None
        if graph.table.defines(following):
            hops.append(Hop(following, "mount", fallback.origin))
            end = End.MOUNT
        elif not following.startswith("/"):
            hops.append(Hop(following, "file", fallback.origin, None, False))
            end = End.NOT_ABSOLUTE
        else:
            path = graph.file_path(following)
            exists = graph.files.is_file(path) if graph.files is not None else None
            problem = graph.files.unusable(path) if graph.files is not None else ""
            hops.append(Hop(following, "file", fallback.origin, path, exists, problem))
            end = End.FILE
        current = following
    if loops:
        end = End.CYCLE
    elif len(hops) > MAX_HOPS:
        end = End.DEPTH
    return FallbackChain(
        mount.name,
        tuple(hops),
        end,
        _setting(mount, "fallback-override", graph.table.dialect),
        _setting(mount, "fallback-when-full", graph.table.dialect),
        graph.kh_file_rate(names) if graph.table.dialect is Dialect.KH and end is End.FILE else None,
        _dropped_at(graph, names[: MAX_HOPS + 1]),
    )


def _dropped_at(graph: Fallbacks, names: list[str]) -> tuple[str, str, str] | None:
    """(name, its format type, the mount's) of the first fallback the mount's listeners are not moved to."""
    own = graph.declared_format(names[0])
    if own is None:
        return None
    for name in names[1:]:
        other = graph.declared_format(name)
        if other is not None and not formats_meet(own.format_type, other.format_type):
            return name, other.format_type, own.format_type
    return None


#: What 2.5.0's ``own`` really takes back (navigation.c: a listener whose history has fewer
#: than two entries is moved as by ``all``); tested on the running 2.5.0.
_OWN_NOTE = "own: listeners that came through this mount or tuned in to the fallback directly; not via other mounts"


def _setting(mount: MountConfig, name: str, dialect: Dialect) -> Traced[object]:
    found = mount.settings.get(name)
    if found is not None:
        if name == "fallback-override" and found.value is FallbackOverride.OWN and not found.origin.note:
            return Traced(found.value, found.origin.replace(note=_OWN_NOTE))
        return found
    return Traced(FallbackOverride.NONE if name == "fallback-override" else False, default())
