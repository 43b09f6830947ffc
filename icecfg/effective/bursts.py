"""Burst and queue sizes: what a new listener gets at once, and how far a listener may lag.

A mount's ``<burst-size>`` and ``<queue-size>`` override the server's
``<limits>`` ones (after the default mount is merged); unset, the
``<limits>`` values apply (on KH, those it had read when it read the
``<mount>``: ``MountConfig.kh_limits``).  The Icecast documentation asks for a burst
below the queue: the lint judges that, from the sizes computed here.
"""

from __future__ import annotations

from icecfg import spec
from icecfg.conversion import AudioSeconds
from icecfg.document import Element
from icecfg.effective.limits import Limits, kh_capped
from icecfg.effective.mounts import MountConfig, MountTable
from icecfg.effective.provenance import Source, Traced, default
from icecfg.effective.reading import may_spell
from icecfg.records import FrozenRecord
from icecfg.spec import Dialect

_NAMES = ("burst-size", "queue-size")
_MOUNT = spec.SECTIONS["mount"]


class Sizes(FrozenRecord):
    """The burst and the queue of the server (``mount`` None) or of one mount.

    ``burst_bytes``/``queue_bytes`` are the sizes in bytes, None when the
    release does not read a byte count (an unreadable value, or KH's
    ``10s``: seconds of audio, which depend on the bitrate).
    """

    __slots__ = ("burst", "burst_bytes", "mount", "queue", "queue_bytes")

    burst: Traced[object]
    queue: Traced[object]
    burst_bytes: int | None
    queue_bytes: int | None
    #: The mount that sets its own sizes (None: the server-wide ``<limits>``).
    mount: MountConfig | None

    def __init__(
        self,
        burst: Traced[object],
        queue: Traced[object],
        burst_bytes: int | None,
        queue_bytes: int | None,
        mount: MountConfig | None = None,
    ) -> None:
        _set = object.__setattr__
        _set(self, "burst", burst)
        _set(self, "queue", queue)
        _set(self, "burst_bytes", burst_bytes)
        _set(self, "queue_bytes", queue_bytes)
        _set(self, "mount", mount)


def _sizes(burst: Traced[object], queue: Traced[object], mount: MountConfig | None = None, kh: bool = False) -> Sizes:
    return Sizes(burst, queue, _bytes(burst, "burst-size", kh), _bytes(queue, "queue-size", kh), mount)


def _bytes(value: Traced[object], name: str, kh: bool) -> int | None:
    number = kh_capped(name, value.value) if kh else value.value
    if not isinstance(number, int) or isinstance(number, (bool, AudioSeconds)):
        return None  # unreadable, or KH's "10s" (config_qsizing_conv_a2n: seconds of audio)
    return number


def server_sizes(limits: Limits) -> Sizes:
    """The ``<limits>`` sizes (a later ``<burst-on-connect>0`` has already set the burst to 0)."""
    nothing: Traced[object] = Traced(None, default())
    return _sizes(limits.values.get("burst-size") or nothing, limits.values.get("queue-size") or nothing)


def mount_sizes(server: Sizes, mounts: MountTable, root: Element | None = None) -> tuple[Sizes, ...]:
    """The sizes of every mount (normal or default) that writes a burst or queue size of its own.

    On KH also of every mount read before a ``<limits>`` that changes a size:
    its sizes are not the server's.

    ``root``, when given, is the document's root: a file that never spells a
    size's name has no mount to look at.
    """
    found = []
    spellings = _spellings()
    if root is not None and not may_spell(root, spellings):
        return ()
    for mount in mounts.mounts:
        copied = mount.kh_limits
        if copied is None or not any(name in copied for name in _NAMES):  # KH: a mount read before <limits>
            if not _may_write_sizes(mount.element, spellings):
                continue  # most mounts: their own settings are not worked out (and kept) for nothing
            if not any(written_here(mount.own.get(name)) for name in _NAMES):
                continue
        burst = mount.settings.get("burst-size")
        queue = mount.settings.get("queue-size")
        found.append(
            _sizes(
                burst if burst is not None and burst.origin.source is not Source.DEFAULT else server.burst,
                queue if queue is not None and queue.origin.source is not Source.DEFAULT else server.queue,
                mount,
                mounts.dialect is Dialect.KH,
            )
        )
    return tuple(found)


def _spellings() -> frozenset[str]:
    """Every tag (and alias) of a mount's burst and queue size rows."""
    return frozenset(n for row in _MOUNT.children if row.name in _NAMES for n in (row.name, *row.aliases))


def _may_write_sizes(element: Element, spellings: frozenset[str]) -> bool:
    """Whether the mount has a child or attribute spelt like a burst or queue size (read or not)."""
    for child in element.elements():  # a loop, not any() over a generator: asked of every mount
        if child.local_name in spellings:
            return True
    return element.has_attributes and any(a.name in spellings for a in element.attributes)


def written_here(value: Traced[object] | None) -> bool:
    """The value was written where it is used (not a default, not merged from a default mount)."""
    return value is not None and value.origin.source in (Source.ELEMENT, Source.CLAMPED)
