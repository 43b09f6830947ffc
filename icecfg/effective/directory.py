"""YP directory listing: which directories the server announces its public mounts to."""

from __future__ import annotations

from dataclasses import dataclass

from icecfg.document import Element
from icecfg.effective.provenance import Traced, clamped, written
from icecfg.effective.reading import section_values
from icecfg.spec import Dialect


@dataclass(frozen=True)
class Directory:
    url: Traced[object]
    timeout: Traced[object] | None
    touch_interval: Traced[object] | None

    def to_json(self) -> dict[str, object]:
        return {
            "url": self.url.to_json(),
            "timeout": self.timeout.to_json() if self.timeout else None,
            "touch_interval": self.touch_interval.to_json() if self.touch_interval else None,
        }


def directories(root: Element, dialect: Dialect) -> tuple[Directory, ...]:
    found = []
    for block in root.elements("directory"):
        values = section_values([block], "directory", dialect)
        url = values.get("yp-url")
        if url is None or not url.value:
            continue
        timeout = values.get("yp-url-timeout")
        touch = values.get("touch-interval")
        if _outside(timeout, 1, 10) and dialect is not Dialect.KH:
            assert timeout is not None
            # yp.c: a timeout outside 1..10 seconds becomes 6
            timeout = Traced(6, clamped(timeout.origin.element, f"{timeout.value} is outside 1..10"))
        if _outside(touch, 30, None) and dialect is Dialect.V24:
            assert touch is not None
            touch = Traced(30, clamped(touch.origin.element, f"{touch.value} is below 30"))
        found.append(Directory(url, timeout, touch))
    if dialect is Dialect.V25:
        for block in root.elements("yp-directory"):
            address = block.get("url")
            if address:
                found.append(Directory(Traced(address, written(block)), None, None))
    return tuple(found)


def _outside(value: Traced[object] | None, low: int, high: int | None) -> bool:
    """A written whole number outside ``low..high`` (``high`` None: no upper bound)."""
    if value is None or value.origin.element is None or not isinstance(value.value, int):
        return False
    return value.value < low or (high is not None and value.value > high)
