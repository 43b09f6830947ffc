"""HTTP headers that survive the parser: 2.4.4 stops reading a block at the first surprise.

Icecast 2.4.4 ``break``s out of an ``<http-headers>`` block at the first
child that is not a ``<header>`` (an XML comment included), at a header
without ``name`` or ``value`` and at an unknown ``type``: every header after
that point is silently never sent.  2.5 skips non-header nodes but still
stops at a missing name or an unknown type, and sends a header only when it
has a value: its own, or for ``type="cors"`` (answering a request that has an
``Origin``) the default 2.5 knows for that name; KH replaces a header of the
same name instead of sending both.

What a listener of a mount gets is the server-wide headers and the mount's
own (2.4/2.5 also the default mount's), in that order: 2.4.4 and 2.5.0 add
the server-wide ones to every response, wherever the ``<http-headers>``
stands.  KH instead copies the server-wide headers into a mount as it reads
the ``<mount>`` (``_parse_mount``) and sends only the mount's list on its
responses: a server-wide header written after the ``<mount>`` never reaches
it (tested on kh22, :func:`on_mount`).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Sequence
from typing import Generic, TypeVar

from icecfg.conversion import atoi
from icecfg.document import Element
from icecfg.effective.provenance import Origin, written
from icecfg.effective.truncation import stop
from icecfg.records import FrozenRecord
from icecfg.spec import Dialect


class Header(FrozenRecord):
    """A header the server sends."""

    __slots__ = ("name", "needs_origin", "origin", "status", "type", "value")

    name: str
    value: str | None
    #: HTTP status it is limited to (None: every status).
    status: str | None
    type: str
    origin: Origin
    #: 2.5 ``type="cors"``: sent only in answer to a request with an ``Origin`` header.
    needs_origin: bool

    def __init__(
        self, name: str, value: str | None, status: str | None, type: str, origin: Origin, needs_origin: bool = False
    ) -> None:
        _set = object.__setattr__
        _set(self, "name", name)
        _set(self, "value", value)
        _set(self, "status", status)
        _set(self, "type", type)
        _set(self, "origin", origin)
        _set(self, "needs_origin", needs_origin)

    def to_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "value": self.value,
            "status": self.status,
            "type": self.type,
            "needs_origin": self.needs_origin,
            "from": self.origin.to_json(),
        }


#: 2.5 (util.c ``_build_headers_loop``): names a ``type="cors"`` header without a value still gets one for.
_CORS_DEFAULTS = frozenset(
    {
        "access-control-allow-origin",
        "access-control-allow-methods",
        "access-control-expose-headers",
        "access-control-max-age",
        "access-control-allow-headers",
    }
)


def _unsent_25(name: str, value: str | None, cors: bool) -> str | None:
    """Why 2.5 never sends a header it has read (None: it does)."""
    if value is not None:
        return None
    if not cors:
        return "no value: Icecast 2.5 sends no header without one"
    if name.lower() not in _CORS_DEFAULTS:
        return "type cors without a value, and Icecast 2.5 has no default for this name"
    return None


class Dropped(FrozenRecord):
    """A header written in the file that the server never sends, and why."""

    __slots__ = ("name", "origin", "reason")

    name: str | None
    origin: Origin
    reason: str

    def __init__(self, name: str | None, origin: Origin, reason: str) -> None:
        _set = object.__setattr__
        _set(self, "name", name)
        _set(self, "origin", origin)
        _set(self, "reason", reason)

    def to_json(self) -> dict[str, object]:
        return {"name": self.name, "reason": self.reason, "from": self.origin.to_json()}


class Headers(FrozenRecord):
    __slots__ = ("dropped", "sent")

    sent: tuple[Header, ...]
    dropped: tuple[Dropped, ...]

    def __init__(self, sent: tuple[Header, ...], dropped: tuple[Dropped, ...]) -> None:
        _set = object.__setattr__
        _set(self, "sent", sent)
        _set(self, "dropped", dropped)

    def names(self) -> list[str]:
        return [header.name for header in self.sent]

    def to_json(self) -> dict[str, object]:
        return {"sent": [h.to_json() for h in self.sent], "dropped": [d.to_json() for d in self.dropped]}


def headers(blocks: Sequence[Element], dialect: Dialect, copied_from: int | None = None) -> Headers:
    """The headers ``blocks`` make ``dialect`` send, in order, and the ones it drops.

    ``copied_from``: the blocks from this index on are a default mount's,
    which 2.5 copies into the mount (``merge_mounts``).  The copy
    (``config_copy_http_header``) ends at the first header without a value:
    that one and every later one are not sent to the mount, though the
    default mount itself sends a CORS one (shown on 2.5.0).
    """
    sent: list[Header | None] = []
    dropped: list[Dropped] = []
    #: KH: lower-cased name -> position in ``sent`` of the header it would replace
    by_name: dict[str, int] = {}
    cut = copy_end(blocks[copied_from:], dialect) if copied_from is not None else None
    past_cut = False
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
            if cut is not None and (past_cut or node is cut[0]):  # the cut lies in the copied blocks
                past_cut = True
                dropped.append(Dropped(name, written(node), _not_copied(cut[0], node)))
                continue
            kind = node.get("type") or "static"
            cors = dialect is Dialect.V25 and kind in ("cors", "corpse")
            if dialect is Dialect.V25:
                unsent = _unsent_25(name, value, cors)
                if unsent is not None:
                    dropped.append(Dropped(name, written(node), unsent))
                    continue
            header = Header(name, value, node.get("status"), kind, written(node), cors)
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


def copy_end(blocks: Sequence[Element], dialect: Dialect) -> tuple[Element, list[Element]] | None:
    """2.5: the first header of a default mount's ``blocks`` without a value, and the ones after it.

    ``config_copy_http_header`` ends the copy of the list into each mount
    there (shown on 2.5.0); None when every header has a value, and on the
    other releases (2.4.4 stops reading the block at it, :mod:`.truncation`).
    """
    if dialect is not Dialect.V25:
        return None
    ended: Element | None = None
    later: list[Element] = []
    for block in blocks:
        halt = stop(block, dialect)
        for index, node in enumerate(block.children):
            if not isinstance(node, Element) or node.local_name != "header" or node.get("name") is None:
                continue
            if halt is not None and index >= halt.at:
                break
            if ended is not None:
                later.append(node)
            elif node.get("value") is None:
                ended = node
    return (ended, later) if ended is not None else None


def _not_copied(ended: Element, header: Element) -> str:
    """Why a default mount's header does not reach a mount on 2.5: the copy ended at ``ended``."""
    if ended is header:
        return "no value: Icecast 2.5 ends its copy of the default mount's headers here (none after it is sent)"
    return f"after the header at line {ended.line}, which has no value, Icecast 2.5 copies no default mount's header"


def on_mount(
    server: Sequence[Element],
    own: Sequence[Element],
    dialect: Dialect,
    read_before: int | None = None,
    copied_from: int | None = None,
) -> Headers:
    """The headers ``dialect`` sends a listener of a mount: the ``server``-wide blocks, then the mount's ``own``.

    ``read_before`` (KH): how many of the ``server`` blocks come before the
    ``<mount>``; KH copies only those into the mount, and each header of a
    later block is reported dropped for it.  None: all of them (a mount after
    every block, or another release).  ``copied_from``: where a default
    mount's blocks start in ``own`` (see :func:`headers`).
    """
    if dialect is not Dialect.KH or read_before is None or read_before >= len(server):
        return headers([*server, *own], dialect, None if copied_from is None else len(server) + copied_from)
    found = headers([*server[:read_before], *own], dialect)
    late = tuple(
        Dropped(name, written(node), LATE_ON_KH)
        for block in server[read_before:]
        for node in block.elements("header")
        if (name := node.get("name"))
    )
    return Headers(found.sent, found.dropped + late)


_Mount = TypeVar("_Mount")


class LateHeader(FrozenRecord, Generic[_Mount]):
    """KH: a server-wide ``<header>`` that some mounts read before it do not send.

    ``count`` is how many; ``first`` the first of them in the file (up to
    the number asked for), for a message that names a few.
    """

    __slots__ = ("count", "first", "node")

    node: Element
    count: int
    first: tuple[_Mount, ...]

    def __init__(self, node: Element, count: int, first: tuple[_Mount, ...]) -> None:
        _set = object.__setattr__
        _set(self, "node", node)
        _set(self, "count", count)
        _set(self, "first", first)


def kh_late(
    server: Sequence[Element], early: Sequence[tuple[_Mount, int, frozenset[str]]], shown: int = 3
) -> list[LateHeader[_Mount]]:
    """KH: each named ``<header>`` of the ``server`` blocks that some of the ``early`` mounts do not send.

    ``early``: the mounts read before the last server-wide block, in file
    order, each with how many blocks it read before it and the lower-cased
    names of the headers of its own it sends.  A mount does not send a
    header of a block written after it (:func:`on_mount`) unless a header
    of that name reaches it otherwise: copied from an earlier block, or its
    own.  So every header called ``n`` misses the same mounts: those read
    before both its block and the first block that sends an ``n``, without
    an ``n`` of their own.  Worked out from that, with a search in the
    mounts' counts, rather than from each mount's whole list of headers,
    which made a file that alternates blocks and mounts cost mounts x
    headers (1,000 of each: 7 s; 4,000: 137 s).
    """
    befores = [before for _mount, before, _names in early]
    first_block: dict[str, int] = {}  # lower-cased name -> the first block that sends one
    for index, block in enumerate(server):
        for header in headers([block], Dialect.KH).sent:
            first_block.setdefault(header.name.lower(), index)
    own_at: dict[str, list[int]] = {}  # lower-cased name -> positions in ``early`` of mounts sending their own
    for position, (_mount, _before, names) in enumerate(early):
        for own_name in names:
            own_at.setdefault(own_name, []).append(position)
    free: dict[str, list[int]] = {}  # lower-cased name -> the first positions of mounts without their own
    out: list[LateHeader[_Mount]] = []
    for index, block in enumerate(server):
        for node in block.elements("header"):
            name = node.get("name")
            if not name:
                continue
            lower = name.lower()
            reach = bisect_right(befores, min(index, first_block.get(lower, index)))
            if not reach:
                continue
            own = own_at.get(lower, [])
            count = reach - bisect_left(own, reach)
            if not count:
                continue
            positions = free.get(lower)
            if positions is None:
                positions = free[lower] = _first_free(own, len(early), shown)
            first = tuple(early[p][0] for p in positions if p < reach)
            out.append(LateHeader(node, count, first))
    return out


def own_names(own: Headers) -> frozenset[str]:
    """The lower-cased names of the headers ``own`` sends: what :func:`kh_late` asks of each mount."""
    return frozenset(header.name.lower() for header in own.sent)


def _first_free(taken: list[int], size: int, wanted: int) -> list[int]:
    """The first ``wanted`` positions below ``size`` not in ``taken`` (sorted)."""
    out: list[int] = []
    position = 0
    for used in taken:
        while position < used and len(out) < wanted:
            out.append(position)
            position += 1
        if len(out) == wanted:
            return out
        position = used + 1
    while position < size and len(out) < wanted:
        out.append(position)
        position += 1
    return out


#: Why KH does not send a server-wide header written after the mount on that mount.
LATE_ON_KH = (
    "server-wide, written after this <mount>: Icecast-KH copies the server-wide headers into a mount "
    "as it reads the <mount>, so this one does not reach it"
)


def late_on_kh(dropped: Dropped) -> bool:
    """Whether ``dropped`` is a server-wide header KH does not send on a mount read before it."""
    return dropped.reason == LATE_ON_KH


def kh_blocks_before(root: Element) -> dict[Element, int]:
    """KH: each ``<mount>`` read before the last server-wide ``<http-headers>``, with how many blocks precede it.

    One pass over the root's children; mounts after the last block (most
    files) copy every server-wide header and are left out.
    """
    total = sum(1 for _ in root.elements("http-headers"))
    out: dict[Element, int] = {}
    seen = 0
    for child in root.elements():
        name = child.local_name
        if name == "http-headers":
            seen += 1
            if seen == total:
                break
        elif name == "mount":
            out[child] = seen
    return out


#: The caching headers 2.4.4 and 2.5.0 send themselves on every response, streams,
#: file fallbacks and status pages alike (tested on both; 2.5.0 ``util.c`` l.643).
#: A configured header of the same name is sent *in addition*, as a second line.
#: KH sends ``Cache-Control: no-store, no-cache, private`` and replaces it with a
#: configured one (tested on kh22: one line), so nothing is repeated there.
_OWN: dict[Dialect, dict[str, str]] = {
    Dialect.V24: {
        "cache-control": "Cache-Control: no-cache, no-store",
        "pragma": "Pragma: no-cache",
        "expires": "Expires: Mon, 26 Jul 1997 05:00:00 GMT",
    },
    Dialect.KH: {},
}
_OWN[Dialect.V25] = _OWN[Dialect.V24]


def repeats_own(name: str, dialect: Dialect) -> str | None:
    """The line ``dialect`` sends itself that a configured header ``name`` would repeat (None: none)."""
    return _OWN[dialect].get(name.strip().lower())


class EarlierHeaders:
    """The ``<header>`` elements met so far, to find the one a new header clashes with by a lookup.

    Kept by lower-cased name, then by status (0: every status), the first
    of each kept: finding the clash of a header is a lookup, not a scan of
    all before it, and the server-wide headers are indexed once for every
    mount they are compared with.
    """

    __slots__ = ("_first", "_position")

    def __init__(self, headers: Iterable[Element] = ()) -> None:
        self._first: dict[str, dict[int, tuple[int, Element]]] = {}
        self._position = 0
        for header in headers:
            self.add(header)

    def clash(self, header: Element) -> Element | None:
        """The earliest header met that is sent on responses ``header`` is sent on, by the same name."""
        name = header.get("name")
        by_status = self._first.get(name.lower()) if name else None
        if not by_status:
            return None
        return _earliest(by_status, atoi(header.get("status") or "0"))

    def add(self, header: Element) -> None:
        name = header.get("name")
        if name:
            self._add(name.lower(), atoi(header.get("status") or "0"), header)

    def clash_then_add(self, header: Element) -> Element | None:
        """:meth:`clash`, then :meth:`add`, reading the header's attributes once for both."""
        name = header.get("name")
        if not name:
            return None  # neither clashes nor is kept
        key = name.lower()
        status = atoi(header.get("status") or "0")
        by_status = self._first.get(key)
        clash = _earliest(by_status, status) if by_status else None
        self._add(key, status, header)
        return clash

    def _add(self, key: str, status: int, header: Element) -> None:
        self._first.setdefault(key, {}).setdefault(status, (self._position, header))
        self._position += 1


def _earliest(by_status: dict[int, tuple[int, Element]], status: int) -> Element | None:
    """The earliest of ``by_status`` a header limited to ``status`` clashes with (0: every status)."""
    # status 0 clashes with every earlier header of the name
    clashing = list(by_status.values()) if status == 0 else [by_status[s] for s in (0, status) if s in by_status]
    return min(clashing, key=lambda pair: pair[0])[1] if clashing else None


def repeated(headers: Iterable[Element]) -> Iterator[tuple[Element, Element]]:
    """Each ``<header>`` sent on responses an earlier one of the same name is sent on, with that earlier one.

    Names are compared case-insensitively (as HTTP does); ``status`` absent
    or 0 means every status, so two headers limited to different statuses do
    not clash.  What the release does with the pair (2.4.4/2.5 send both, KH
    only the later) is :func:`headers`' business.
    """
    earlier = EarlierHeaders()
    for header in headers:
        clash = earlier.clash_then_add(header)
        if clash is not None:
            yield header, clash
