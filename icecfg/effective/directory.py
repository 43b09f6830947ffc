"""YP directory listing: which directories the server announces its public mounts to.

``yp.c`` (2.4.4 l.250-252, 2.5.0 l.270) replaces some written timings
without a word: a timeout outside 1..10 seconds becomes 6 (2.4.4 and 2.5),
a touch interval below 30 becomes 30 (2.4.4).  The clamps live here, once:
``explain`` shows the value used, the lint rules judge the replacement and
``migrate`` writes what the old release applied.
"""

from __future__ import annotations

from icecfg.document import Element
from icecfg.effective.provenance import Source, Traced, clamped, default, written
from icecfg.effective.reading import section_values
from icecfg.records import FrozenRecord
from icecfg.spec import Dialect

#: The YP timeouts (seconds) 2.4.4 and 2.5 keep; any other becomes :data:`TIMEOUT_FALLBACK`.
TIMEOUT_RANGE = (1, 10)
TIMEOUT_FALLBACK = 6
#: 2.4.4 raises a shorter touch interval (seconds) to this.
MIN_TOUCH_INTERVAL = 30


class Replaced(FrozenRecord):
    """A written value the release silently replaces: what was written, what is used, and where."""

    __slots__ = ("element", "used", "written")

    written: int
    used: int
    element: Element

    def __init__(self, written: int, used: int, element: Element) -> None:
        _set = object.__setattr__
        _set(self, "written", written)
        _set(self, "used", used)
        _set(self, "element", element)


class Directory(FrozenRecord):
    __slots__ = ("timeout", "timeout_replaced", "touch_interval", "touch_interval_replaced", "url")

    url: Traced[object]
    timeout: Traced[object] | None
    touch_interval: Traced[object] | None
    #: The written ``<yp-url-timeout>`` yp.c replaced (None: used as written, or not written).
    timeout_replaced: Replaced | None
    #: The written ``<touch-interval>`` yp.c raised (None: used as written, or not written).
    touch_interval_replaced: Replaced | None

    def __init__(
        self,
        url: Traced[object],
        timeout: Traced[object] | None,
        touch_interval: Traced[object] | None,
        timeout_replaced: Replaced | None = None,
        touch_interval_replaced: Replaced | None = None,
    ) -> None:
        _set = object.__setattr__
        _set(self, "url", url)
        _set(self, "timeout", timeout)
        _set(self, "touch_interval", touch_interval)
        _set(self, "timeout_replaced", timeout_replaced)
        _set(self, "touch_interval_replaced", touch_interval_replaced)

    def to_json(self) -> dict[str, object]:
        return {
            "url": self.url.to_json(),
            "timeout": self.timeout.to_json() if self.timeout else None,
            "touch_interval": self.touch_interval.to_json() if self.touch_interval else None,
        }


def directories(root: Element, dialect: Dialect) -> tuple[Directory, ...]:
    """The directories the release lists its public mounts in (a ``<directory>`` without ``<yp-url>`` is discarded)."""
    found = []
    for block in root.elements("directory"):
        read = directory(block, dialect)
        if read.url.value:
            found.append(read)
    if dialect is Dialect.V25:
        for block in root.elements("yp-directory"):
            address = block.get("url")
            if address:
                found.append(Directory(Traced(address, written(block)), None, None))
    return tuple(found)


def directory(block: Element, dialect: Dialect) -> Directory:
    """One ``<directory>`` block as ``dialect`` uses it (without a ``<yp-url>`` it is discarded)."""
    values = section_values([block], "directory", dialect)
    url = values.get("yp-url") or Traced(None, default())
    timeout = values.get("yp-url-timeout")
    touch = values.get("touch-interval")
    low, high = TIMEOUT_RANGE
    timeout_replaced = _replaced(timeout, low, high, TIMEOUT_FALLBACK) if dialect is not Dialect.KH else None
    if timeout_replaced is not None:
        note = f"{timeout_replaced.written} is outside {low}..{high}"
        timeout = Traced(TIMEOUT_FALLBACK, clamped(timeout_replaced.element, note))
    touch_replaced = None
    if dialect is Dialect.V24:
        touch_replaced = _replaced(touch, MIN_TOUCH_INTERVAL, None, MIN_TOUCH_INTERVAL)
    if touch_replaced is not None:
        note = f"{touch_replaced.written} is below {MIN_TOUCH_INTERVAL}"
        touch = Traced(MIN_TOUCH_INTERVAL, clamped(touch_replaced.element, note))
    return Directory(url, timeout, touch, timeout_replaced, touch_replaced)


def _replaced(value: Traced[object] | None, low: int, high: int | None, used: int) -> Replaced | None:
    """``value`` replaced by ``used`` when it is a written whole number outside ``low..high`` (None: no upper bound)."""
    if value is None or value.origin.element is None or value.origin.source is not Source.ELEMENT:
        return None
    number = value.value
    if not isinstance(number, int) or isinstance(number, bool):
        return None
    if number < low or (high is not None and number > high):
        return Replaced(number, used, value.origin.element)
    return None
