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

from icecfg.document import CData, Comment, Element, ProcessingInstruction
from icecfg.effective.provenance import Origin, written
from icecfg.spec import Dialect

#: The header types Icecast 2.5 accepts (``corpse`` is its alias of ``cors``).
TYPES_25 = ("static", "cors", "corpse")


@dataclass(frozen=True)
class Stop:
    """Where a dialect stops reading an ``<http-headers>`` block, and why."""

    index: int  # position in the block's children
    node: object
    reason: str


def stop(block: Element, dialect: Dialect) -> Stop | None:
    """The first node of ``block`` that makes ``dialect`` stop reading it, if any."""
    for index, node in enumerate(block.children):
        if isinstance(node, str):
            if node.strip() and dialect is Dialect.V24:
                return Stop(index, node, f"the text {node.strip()[:20]!r}")
            continue
        if isinstance(node, CData):
            if node.value.strip() and dialect is Dialect.V24:
                return Stop(index, node, "a CDATA section")
            continue
        if isinstance(node, (Comment, ProcessingInstruction)):
            if dialect is Dialect.V24:
                what = "comment" if isinstance(node, Comment) else "processing instruction"
                return Stop(index, node, f"the {what} on line {block.position(node.start)[0]}")
            continue
        if not isinstance(node, Element):
            continue
        if node.local_name != "header":
            if dialect is Dialect.V24:
                return Stop(index, node, f"<{node.local_name}>")
            continue
        name = node.get("name")
        if name is None:
            return Stop(index, node, "a <header> without a name attribute")
        if node.get("value") is None and dialect is Dialect.V24:
            return Stop(index, node, f'<header name="{name}"> without a value attribute')
        kind = node.get("type")
        if kind is not None and (kind != "static" if dialect is Dialect.V24 else kind not in TYPES_25):
            return Stop(index, node, f'<header name="{name}" type="{kind}">')
    return None


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
    sent: list[Header] = []
    dropped: list[Dropped] = []
    for block in blocks:
        halt = stop(block, dialect)
        for index, node in enumerate(block.children):
            if not isinstance(node, Element) or node.local_name != "header":
                continue
            name = node.get("name")
            if halt is not None and index >= halt.index:
                dropped.append(Dropped(name, written(node), f"after {halt.reason}, the block is not read further"))
                continue
            if name is None:
                continue
            value = node.get("value")
            header = Header(name, value, node.get("status"), node.get("type") or "static", written(node))
            if dialect is Dialect.KH:
                replaced = [h for h in sent if h.name.lower() == name.lower()]
                for old in replaced:
                    sent.remove(old)
                    dropped.append(Dropped(old.name, old.origin, f"replaced by the header at line {node.line}"))
            sent.append(header)
    return Headers(tuple(sent), tuple(dropped))
