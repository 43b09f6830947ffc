"""Walk a document along the element table: which row describes each element.

Icecast 2.4.4 silently ignores every element it does not know, at every
level.  This walk is how icecfg notices them: each element is matched against
the rows of its parent's section (in any dialect; which dialect understands
it is the linter's business).
"""

from __future__ import annotations

from collections.abc import Iterator

from icecfg import spec
from icecfg.document import Element
from icecfg.records import Record


class Placed(Record):
    """An element, the section it stands in, and its row there (None if unknown).

    One per element of the file (600,000 at 100,000 mounts), so each holds
    only the element and its row: a row stands in one section of the table,
    which :attr:`parent` looks up (8 bytes an element less than a third
    field).  An element the table does not know, or whose row the walk met
    under another section, is a :class:`_PlacedIn`, which keeps its section.
    """

    __slots__ = ("element", "row")

    element: Element
    row: spec.ElementRow | None

    def __init__(self, element: Element, row: spec.ElementRow) -> None:
        self.element = element
        self.row = row

    def __eq__(self, other: object) -> bool:
        return self is other  # one per element of the file: compared by identity

    def __hash__(self) -> int:
        return id(self)

    @property
    def parent(self) -> spec.SectionRow:
        """The section the element stands in."""
        return _HOME[id(self.row)]

    @property
    def section(self) -> spec.SectionRow | None:
        """The section the element itself opens, when it is a known block."""
        if self.row is None or self.row.section is None:
            return None
        if self.row.value is not None and not any(True for _ in self.element.elements()):
            return None  # a KH leaf that may also be written as a block, written as a leaf
        return spec.SECTIONS[self.row.section]

    @property
    def path(self) -> str:
        """An XPath-like name for messages, e.g. ``/icecast/limits/clients``."""
        names = []
        node: Element | None = self.element
        while node is not None:
            names.append(node.local_name)
            node = node.parent
        return "/" + "/".join(reversed(names))


class _PlacedIn(Placed):
    """A placed element that keeps its section: unknown there, or with a row of another section."""

    __slots__ = ("_parent",)

    _parent: spec.SectionRow

    def __init__(self, element: Element, parent: spec.SectionRow, row: spec.ElementRow | None) -> None:
        self.element = element
        self.row = row
        self._parent = parent

    @property
    def parent(self) -> spec.SectionRow:
        return self._parent


#: id of each row of the table -> the section it stands in (rows live as long as the module).
_HOME: dict[int, spec.SectionRow] = {id(row): s for s in spec.SECTIONS.values() for row in s.children}


def walk(root: Element, section: spec.SectionRow = spec.ROOT) -> Iterator[Placed]:
    """Every element below ``root`` in document order, matched against the table.

    The children of an unknown element are not visited: it is reported whole.
    """
    # a stack of (element, its parent's section, that section's rows by name seen so far),
    # next one on top: one push per element, one dictionary lookup per element
    # per section: name -> (its row, whether the row stands in that section)
    rows: dict[str, tuple[spec.ElementRow | None, bool]] = {}
    tables: dict[int, dict[str, tuple[spec.ElementRow | None, bool]]] = {id(section): rows}
    stack = [(c, section, rows) for c in _child_elements_reversed(root)]
    pop = stack.pop
    push = stack.extend
    sections = spec.SECTIONS
    while stack:
        child, current, rows = pop()
        name = child.local_name
        try:
            row, home = rows[name]
        except KeyError:
            row = current.child(name)
            home = row is not None and _HOME.get(id(row)) is current
            rows[name] = (row, home)
        yield Placed(child, row) if home and row is not None else _PlacedIn(child, current, row)
        if row is not None and row.section is not None:
            # a block's children stand in its section (a KH leaf that may also be written as a
            # block, written as a leaf, has none: its Placed.section is None, nothing to enter)
            kids = _child_elements_reversed(child)
            if kids:
                inner = sections[row.section]
                table = tables.get(id(inner))
                if table is None:
                    table = tables[id(inner)] = {}
                push([(c, inner, table) for c in kids])


#: The placed elements of each known row: id of the row -> (the row, its elements in document order).
RowGroups = dict[int, tuple[spec.ElementRow, list[Placed]]]


def placed_list(root: Element, section: spec.SectionRow = spec.ROOT) -> tuple[list[Placed], RowGroups]:
    """What :func:`walk` yields, as a list, and the same elements grouped by row: the linter's one walk.

    Built level by level with a nested call per block instead of a stack of
    tuples and a generator: at 100,000 mounts this visits 600,000 elements,
    and the per-element cost is the walk's whole cost.  The groups come from
    the same pass, so that a rule about a few rows visits only their elements.
    """
    out: list[Placed] = []
    append = out.append
    groups: RowGroups = {}
    sections = spec.SECTIONS
    new = Placed.__new__
    # per section: name -> (its row, that row's group, whether the row stands in that section), or
    # None for a name the section does not know
    tables: dict[int, dict[str, tuple[spec.ElementRow, list[Placed], bool] | None]] = {}

    def visit(element: Element, current: spec.SectionRow) -> None:
        table = tables.get(id(current))
        if table is None:
            table = tables[id(current)] = {}
        for child in element.children:
            if child.__class__ is not Element:
                continue
            name = child.local_name
            try:
                entry = table[name]
            except KeyError:
                found = current.child(name)
                if found is None:
                    entry = table[name] = None
                else:
                    group = groups.setdefault(id(found), (found, []))[1]
                    entry = table[name] = (found, group, _HOME.get(id(found)) is current)
            if entry is None:
                append(_PlacedIn(child, current, None))
                continue
            row, group, home = entry
            if home:  # the common case, without a call to __init__: one per element of the file
                placed = new(Placed)
                placed.element = child
                placed.row = row
            else:
                placed = _PlacedIn(child, current, row)
            append(placed)
            group.append(placed)
            if row.section is not None:
                visit(child, sections[row.section])  # noqa: F821 (bound until the del below)

    visit(root, section)
    # visit calls itself through its own closure cell: a cycle that holds the walk's lists (a
    # Placed per element) until a collection finds it; clearing the cell frees them with the result
    del visit
    return out, groups


def _child_elements_reversed(element: Element) -> list[Element]:
    """The child elements, last first (the order a stack pops them in document order)."""
    kids = list(element.elements())
    kids.reverse()
    return kids


def unknown_elements(root: Element) -> list[Placed]:
    """Elements no dialect knows where they stand (misspelt, misplaced, wrong case)."""
    return [placed for placed in walk(root) if placed.row is None]
