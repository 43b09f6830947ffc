"""Server limits (``<limits>``) with the release's defaults, range checks and order effects."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from icecfg.conversion import AudioSeconds, atoi
from icecfg.document import Element
from icecfg.effective.provenance import Traced, clamped
from icecfg.effective.reading import section_values
from icecfg.spec import Dialect


class Limits:
    """``<limits>`` as the release uses it: name -> traced value (``clients``, ``burst-size``, ...).

    A read-only mapping behind a plain class: it is on ``icecfg lint``'s start-up path.
    """

    __slots__ = ("values",)

    def __init__(self, values: Mapping[str, Traced[object]]) -> None:
        self.values = values

    def get(self, name: str) -> object:
        found = self.values.get(name)
        return found.value if found is not None else None

    def to_json(self) -> dict[str, object]:
        return {name: value.to_json() for name, value in self.values.items()}


def limits(root: Element, dialect: Dialect) -> Limits:
    """The limits of all ``<limits>`` blocks (their fields merge, the last one written wins)."""
    blocks = list(root.elements("limits"))
    values = section_values(blocks, "limits", dialect)
    zeroing = _burst_zeroed(blocks, dialect)
    if zeroing is not None:
        values["burst-size"] = Traced(0, clamped(zeroing, "<burst-on-connect>0 after <burst-size> sets the burst to 0"))
    if dialect is Dialect.KH:
        kh_cap_sizes(values)
    return Limits(MappingProxyType(values))


def kh_cap_sizes(values: dict[str, Traced[object]]) -> None:
    """KH: a burst or queue size in ``values`` past KH's own limit becomes the size KH uses, clamped.

    KH caps the source's sizes wherever they came from (``source.c``
    ``update_source_stats`` takes the mount's or the config's): ``<limits>``
    here, a mount's own or copied ones in :attr:`MountConfig.settings`.
    """
    for name in KH_SIZE_CAPS:
        found = values.get(name)
        if found is None or found.origin.element is None:
            continue  # a default is never past a cap
        used = kh_capped(name, found.value)
        if used != found.value:
            values[name] = Traced(used, clamped(found.origin.element, kh_cap_note(name)))


#: KH's sanity checks on a source's sizes in bytes (``update_source_stats``): a size above the
#: first number is used as the second.  Shown on kh22: ``<burst-size>-5`` (read as 2**31 - 1)
#: sends a new listener about 100000 bytes at once.
KH_SIZE_CAPS = {"burst-size": (50_000_000, 100_000), "queue-size": (1_000_000_000, 1_000_000)}


def kh_capped(name: str, value: object) -> object:
    """The bytes KH uses for a ``burst-size`` or ``queue-size`` it read as ``value`` (seconds left as they are)."""
    cap = KH_SIZE_CAPS.get(name)
    if cap is None or not isinstance(value, int) or isinstance(value, (bool, AudioSeconds)):
        return value
    return cap[1] if value > cap[0] else value


def kh_cap_note(name: str) -> str:
    """Why KH uses another size than the one written (the note of a clamped value, and of ICE201)."""
    above, used = KH_SIZE_CAPS[name]
    return f"Icecast-KH uses {used} bytes for a {name} over {above}"


def _burst_zeroed(blocks: list[Element], dialect: Dialect) -> Element | None:
    """2.4/2.5: a ``<burst-on-connect>0`` after the last ``<burst-size>`` sets the burst to 0."""
    if dialect is Dialect.KH:
        return None
    last: Element | None = None
    for block in blocks:
        for child in block.elements():
            if child.local_name in ("burst-size", "burst-on-connect"):
                last = child
    if last is not None and last.local_name == "burst-on-connect" and last.text is not None and atoi(last.text) == 0:
        return last
    return None
