"""KH: what a mount copies of the server-wide headers, told against what every other response gets.

Icecast-KH copies the server-wide headers into a mount as it reads the
``<mount>`` (tested on kh22), so a mount read before some ``<http-headers>``
block lacks every header of that block and the blocks after it, and may
still carry one that a later block replaces everywhere else.  explain shows
each mount's difference from the list sent on every response; written out
header by header, a file that alternates blocks and mounts made that
difference grow as mounts x headers (1,000 of each: 97 MB of text, 10 s).

Two facts keep it proportional to what differs:

- the headers a mount misses are a run at the end of the server-wide list:
  that list is in file order (KH appends a replacing header where it is
  written), and a header the mount copied and nothing replaced later is in
  both.  A mount's difference names the run (:class:`NotCopied`), not each
  header of it;
- what a mount copied of a name is the last header of that name in the
  blocks before it: a search in that name's blocks, not a copy of the list.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Sequence

from icecfg.document import Element
from icecfg.effective.headers import LATE_ON_KH, Dropped, Header, Headers, headers
from icecfg.records import FrozenRecord
from icecfg.spec import Dialect


class NotCopied(FrozenRecord):
    """KH: the server-wide headers a mount does not get, being written after its ``<mount>``.

    They are the last ``count`` of the list sent on every response, from
    ``first`` to ``last``: named as a run rather than one by one.
    """

    __slots__ = ("count", "first", "last")

    count: int
    first: Header
    last: Header

    def __init__(self, count: int, first: Header, last: Header) -> None:
        _set = object.__setattr__
        _set(self, "count", count)
        _set(self, "first", first)
        _set(self, "last", last)

    @property
    def reason(self) -> str:
        return LATE_ON_KH

    def to_json(self) -> dict[str, object]:
        return {
            "count": self.count,
            "first": {"name": self.first.name, "from": self.first.origin.to_json()},
            "last": {"name": self.last.name, "from": self.last.origin.to_json()},
            "reason": LATE_ON_KH,
        }


class HeaderChanges(Headers):
    """What a listener of a mount gets besides the headers on every response, and what of those it does not get.

    ``sent``: headers it gets besides them; ``dropped``: headers written for
    it that it does not get, and server-wide ones it does not get one by one
    (on KH those its own replace); ``not_copied`` (KH): the run of
    server-wide headers written after its ``<mount>``, None when there is
    none.
    """

    __slots__ = ("not_copied",)

    not_copied: NotCopied | None

    def __init__(self, sent: tuple[Header, ...], dropped: tuple[Dropped, ...], not_copied: NotCopied | None) -> None:
        super().__init__(sent, dropped)
        object.__setattr__(self, "not_copied", not_copied)

    def to_json(self) -> dict[str, object]:
        late = self.not_copied
        return {**super().to_json(), "not_copied": late.to_json() if late is not None else None}


def changes(own: Headers) -> HeaderChanges:
    """2.4/2.5, or a KH mount read after every block: the mount's own headers are all that differs."""
    return HeaderChanges(own.sent, own.dropped, None)


class KhCopies:
    """KH: for each number of server-wide blocks read before a mount, what such a mount copied.

    Built once for a file, given the numbers its mounts were read after;
    each mount's :meth:`changes` then costs in proportion to its own headers
    and to the headers that differ for it.
    """

    __slots__ = ("_blocks_of_sent", "_everywhere", "_extra", "_named")

    def __init__(self, server: Sequence[Element], everywhere: Headers, reads: Iterable[int]) -> None:
        self._everywhere = everywhere
        #: lower-cased name -> (the block of each header KH keeps of that name in its block, those headers)
        self._named: dict[str, tuple[list[int], list[Header]]] = {}
        block_of: dict[int, int] = {}  # id of a <header> element -> its block
        for index, block in enumerate(server):
            for header in headers([block], Dialect.KH).sent:
                blocks, found = self._named.setdefault(header.name.lower(), ([], []))
                blocks.append(index)
                found.append(header)
                block_of[id(header.origin.element)] = index
        #: the block of each header on every response, in order (see the module: a run per mount)
        self._blocks_of_sent = [block_of[id(header.origin.element)] for header in everywhere.sent]
        self._extra = self._replaced_later(sorted(set(reads)))

    def _replaced_later(self, reads: list[int]) -> dict[int, tuple[Header, ...]]:
        """For each of ``reads``: the headers such a mount copied that a later block replaces on every response.

        A name is in that state from just after its first block to its last
        (at which the mount's copy is not the last of its name): a sweep
        over the numbers in order adds and removes names as it passes their
        ends, so the work is that of what is found.
        """
        named = self._named.items()
        spans = sorted((blocks[0] + 1, blocks[-1], name) for name, (blocks, _) in named if len(blocks) > 1)
        out: dict[int, tuple[Header, ...]] = {}
        active: dict[str, int] = {}  # name -> its last block
        start = 0
        for read in reads:
            while start < len(spans) and spans[start][0] <= read:
                active[spans[start][2]] = spans[start][1]
                start += 1
            for name in [name for name, last in active.items() if last < read]:
                del active[name]
            copied = [self.copied(name, read) for name in active]
            out[read] = tuple(sorted((h for h in copied if h is not None), key=_position))
        return out

    def copied(self, name: str, read: int) -> Header | None:
        """The header called ``name`` (lower-cased) a mount read after ``read`` blocks copied: the last before it."""
        found = self._named.get(name)
        if found is None:
            return None
        at = bisect_left(found[0], read)
        return found[1][at - 1] if at else None

    def changes(self, read: int, own: Headers) -> HeaderChanges:
        """What a mount read after ``read`` blocks, with headers ``own``, gets besides every response's, and lacks.

        Its own headers replace a copied one of the same name; a copied
        header a later block replaces on every response is still sent to it.
        """
        mine = {header.name.lower(): header for header in own.sent}
        replaced = []
        for name, header in mine.items():
            copied = self.copied(name, read)
            if copied is not None:
                reason = f"replaced by the header at line {header.origin.line}"
                replaced.append(Dropped(copied.name, copied.origin, reason))
        later = self._extra.get(read)
        if later is None:  # a number not given when built: worked out alone
            later = self._extra[read] = self._replaced_later([read])[read]
        extra = tuple(h for h in later if h.name.lower() not in mine)
        sent = self._everywhere.sent
        at = bisect_left(self._blocks_of_sent, read)
        late = NotCopied(len(sent) - at, sent[at], sent[-1]) if at < len(sent) else None
        return HeaderChanges(extra + own.sent, own.dropped + tuple(replaced), late)


def _position(header: Header) -> int:
    element = header.origin.element
    return element.start if element is not None else -1
