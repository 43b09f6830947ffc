"""Server limits (``<limits>``) with the release's defaults, range checks and order effects."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from icecfg.conversion import atoi
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
    return Limits(MappingProxyType(values))


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
