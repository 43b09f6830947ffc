"""HTTP headers that survive the parser: 2.4.4 stops reading a block at the first surprise.

Icecast 2.4.4 ``break``s out of an ``<http-headers>`` block at the first
child that is not a ``<header>`` (an XML comment included), at a header
without ``name`` or ``value`` and at an unknown ``type``: every header after
that point is silently never sent.  2.5 skips non-header nodes but still
stops at a missing name or an unknown type; KH replaces a header of the same
name instead of sending both.
"""

from __future__ import annotations

from dataclasses import dataclass

from icecfg.document import Element
from icecfg.effective.provenance import Origin, written
from icecfg.effective.truncation import stop
from icecfg.spec import Dialect


@dataclass(frozen=True)
class Header:
    """A header the server sends."""

    name: str
    value: str | None
    #: HTTP status it is limited to (None: every status).
    status: str | None
    type: str
    origin: Origin

    def to_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "value": self.value,
            "status": self.status,
            "type": self.type,
            "from": self.origin.to_json(),
        }


@dataclass(frozen=True)
class Dropped:
    """A header written in the file that the server never sends, and why."""

    name: str | None
    origin: Origin
    reason: str

    def to_json(self) -> dict[str, object]:
        return {"name": self.name, "reason": self.reason, "from": self.origin.to_json()}


@dataclass(frozen=True)
class Headers:
    sent: tuple[Header, ...]
    dropped: tuple[Dropped, ...]

    def names(self) -> list[str]:
        return [header.name for header in self.sent]

    def to_json(self) -> dict[str, object]:
        return {"sent": [h.to_json() for h in self.sent], "dropped": [d.to_json() for d in self.dropped]}


def headers(blocks: tuple[Element, ...] | list[Element], dialect: Dialect) -> Headers:
    """The headers ``blocks`` make ``dialect`` send, in order, and the ones it drops."""
    sent: list[Header | None] = []
    dropped: list[Dropped] = []
    #: KH: lower-cased name -> position in ``sent`` of the header it would replace
    by_name: dict[str, int] = {}
    for block in blocks:
        halt = stop(block, dialect)
        for index, node in enumerate(block.children):
            if not isinstance(node, Element) or node.local_name != "header":
                continue
            name = node.get("name")
            if halt is not None and index >= halt.at:
                dropped.append(Dropped(name, written(node), f"after {halt.reason}, the block is not read further"))
                continue
            if name is None:
                continue
            value = node.get("value")
            header = Header(name, value, node.get("status"), node.get("type") or "static", written(node))
            if dialect is Dialect.KH:
                earlier = by_name.get(name.lower())
                previous = sent[earlier] if earlier is not None else None
                if previous is not None and earlier is not None:
                    sent[earlier] = None
                    reason = f"replaced by the header at line {header.origin.line}"
                    dropped.append(Dropped(previous.name, previous.origin, reason))
                by_name[name.lower()] = len(sent)
            sent.append(header)
    return Headers(tuple(h for h in sent if h is not None), tuple(dropped))
