"""Finding an element's children by name: the lookups every reader of a config makes.

``LookupMixin`` gives Element these methods (a mixin, so an element has no
extra field).  The root of a big file answers from an index by name, kept on
the origin while the root is unchanged; every other element scans its
children, which is faster for the few a block has.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from typing import TYPE_CHECKING, cast

from icecfg.document.deferred import _read_content

if TYPE_CHECKING:
    from icecfg.document.nodes import Element, Node
    from icecfg.document.origin import _Origin

#: Elements with more children than this answer lookups by name from an index.
_INDEXED_CHILDREN = 64


class LookupMixin:
    """Element's lookups by name; the fields they read are Element's slots.

    They compare ``child.__class__ is Element`` (the fastest test of a node's
    kind): ``nodes`` binds ``Element`` here once the class exists
    (:func:`bind_element`), since the class derives from this mixin.  Each
    reads the children (and the index) inline rather than through a shared
    helper: the linter asks hundreds of thousands of these in a big file, and
    the extra call measured +0.7% of lint's instructions (callgrind, 5,000
    mounts).
    """

    __slots__ = ()

    if TYPE_CHECKING:
        _kids: list[Node] | str | None
        _clean: bool
        origin: _Origin | None

    def elements(self, name: str | None = None) -> Iterator[Element]:
        """Child elements in document order, optionally only those called ``name``."""

        kids: Sequence[Node] | None = self._kids
        if not isinstance(kids, list):  # unread, or a leaf as read: no child elements (see _kids)
            kids = () if isinstance(kids, str) else _read_content(cast("Element", self))
        if name is None:
            return iter([c for c in kids if c.__class__ is Element])
        if len(kids) > _INDEXED_CHILDREN:
            named = self._children_by_name(kids)
            if named is not None:
                return iter(named.get(name, ()))
        return iter([c for c in kids if c.__class__ is Element and c.local_name == name])

    def first_element(self) -> Element | None:
        """The first child element, found without listing the others (the root of a big file has many)."""

        kids: Sequence[Node] | None = self._kids
        if not isinstance(kids, list):  # unread, or a leaf as read: no child elements (see _kids)
            kids = () if isinstance(kids, str) else _read_content(cast("Element", self))
        for child in kids:
            if child.__class__ is Element:
                return child
        return None

    def elements_named(self, names: Collection[str]) -> list[Element]:
        """Child elements called any of ``names`` (tag and aliases), in document order."""

        kids: Sequence[Node] | None = self._kids
        if not isinstance(kids, list):  # unread, or a leaf as read: no child elements (see _kids)
            kids = () if isinstance(kids, str) else _read_content(cast("Element", self))
        if len(kids) > _INDEXED_CHILDREN:
            named = self._children_by_name(kids)
            if named is not None:
                found = [named[n] for n in names if n in named]
                if len(found) == 1:
                    return list(found[0])
                # parsed and unchanged: document order is the order of the start offsets
                return sorted([e for group in found for e in group], key=_start_of)
        return [c for c in kids if c.__class__ is Element and c.local_name in names]

    def find(self, name: str) -> Element | None:
        """The first child element called ``name``."""

        kids: Sequence[Node] | None = self._kids
        if not isinstance(kids, list):  # unread, or a leaf as read: no child elements (see _kids)
            kids = () if isinstance(kids, str) else _read_content(cast("Element", self))
        if len(kids) > _INDEXED_CHILDREN:
            named = self._children_by_name(kids)
            if named is not None:
                group = named.get(name)
                return group[0] if group else None
        for child in kids:
            if child.__class__ is Element and child.local_name == name:
                return child
        return None

    def find_last(self, name: str) -> Element | None:
        """The last child element called ``name``: the one Icecast uses for scalars."""

        kids: Sequence[Node] | None = self._kids
        if not isinstance(kids, list):  # unread, or a leaf as read: no child elements (see _kids)
            kids = () if isinstance(kids, str) else _read_content(cast("Element", self))
        if len(kids) > _INDEXED_CHILDREN:
            named = self._children_by_name(kids)
            if named is not None:
                group = named.get(name)
                return group[-1] if group else None
        for child in reversed(kids):
            if child.__class__ is Element and child.local_name == name:
                return child
        return None

    def _children_by_name(self, kids: Sequence[Node]) -> dict[str, list[Element]] | None:
        """The child elements by local name, for an element with many children (the root of a big file).

        Asking the root of a 100,000-mount file for its ``<listen-socket>``s
        would otherwise read all of its children each time.  The index is
        kept (on the origin, so that elements carry no extra field) while the
        element is parsed and unchanged: every edit marks the element changed
        (``_touch``), after which it is read from the children again.
        """
        origin = self.origin
        if origin is None or not self._clean:
            return None
        entry = origin.child_index.get(id(self))
        if entry is not None and entry[0] is self:
            return entry[1]
        named: dict[str, list[Element]] = {}
        for child in kids:
            if child.__class__ is Element:
                group = named.get(child.local_name)
                if group is None:
                    named[child.local_name] = [child]
                else:
                    group.append(child)
        origin.child_index[id(self)] = (cast("Element", self), named)
        return named


def _start_of(element: Element) -> int:
    return element.start


def bind_element(cls: type) -> None:
    """Make ``cls`` the ``Element`` the lookups test nodes against (called once, by ``nodes``)."""
    globals()["Element"] = cls
