"""What the structure, values and dialect families share: which element is whose business.

The three families agree through these views of one walk of the document:

* an element no dialect knows where it stands is a *structure* finding
  (unknown, misplaced or miscased: ICE101-ICE103);
* an element the table knows there, but only for another dialect, is a
  *dialect* finding (ICE3xx), and so is everything inside it;
* only elements the target really reads get *value* findings (ICE2xx) and
  the structure rules about repeats, attributes and mounts.

The views are worked out once per lint (``ctx.once``) and shared; the
attribute lookups are memoised per process, as the table does not change.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterator, Mapping

from icecfg import spec
from icecfg.document import Attr, Element
from icecfg.lint.context import LintContext
from icecfg.placement import Placed
from icecfg.records import Record
from icecfg.spec import Dialect


class Status(enum.Enum):
    """How the target dialect treats one element of the document."""

    READ = "read"  # the target reads it where it stands
    UNKNOWN = "unknown"  # no dialect knows it here (ICE101-ICE103)
    FOREIGN = "foreign"  # another dialect knows it here, the target does not (ICE3xx)
    HIDDEN = "hidden"  # inside an unknown or foreign element: never read


class Seen(Record):
    """A placed element and the target's view of it."""

    __slots__ = ("placed", "status")

    placed: Placed
    status: Status

    def __init__(self, placed: Placed, status: Status) -> None:
        self.placed = placed
        self.status = status

    def __eq__(self, other: object) -> bool:
        return self is other  # one per element of the file: compared by identity

    def __hash__(self) -> int:
        return id(self)

    @property
    def element(self) -> Element:
        return self.placed.element

    @property
    def name(self) -> str:
        return self.placed.element.local_name


def with_status(ctx: LintContext, status: Status) -> list[Seen]:
    """The placed elements of one status other than READ, in document order (they are few)."""
    if status is Status.READ:
        raise ValueError("the elements the target reads are read_by_target()")
    return _views(ctx).unread.get(status, [])


class _Views(Record):
    """The placed elements sorted by the target's view of them, in one pass over the document.

    Every structure, value and dialect rule starts from one of these;
    working them all out together walks the tens of thousands of elements of
    a big file once instead of once per list.  Only what cannot be derived
    from the groups by row is kept as a list of its own: at 100,000 mounts
    each list of every element costs as much memory as a tenth of the file.
    """

    __slots__ = ("by_row", "root_mounts", "unread", "with_attributes")

    #: The elements the target does not read, by status, in document order (they are few).
    unread: dict[Status, list[Seen]]
    #: Read elements that have attributes, in document order.
    with_attributes: list[Placed]
    #: The ``<mount>`` elements of the root that the target reads, in document order.
    root_mounts: list[Element]
    #: The read elements by row: id of the row -> (row, its elements in document order).
    by_row: dict[int, tuple[spec.ElementRow, list[Placed]]]

    def __init__(
        self,
        unread: dict[Status, list[Seen]],
        with_attributes: list[Placed],
        root_mounts: list[Element],
        by_row: dict[int, tuple[spec.ElementRow, list[Placed]]],
    ) -> None:
        self.unread = unread
        self.with_attributes = with_attributes
        self.root_mounts = root_mounts
        self.by_row = by_row


def _views(ctx: LintContext) -> _Views:
    return ctx.once(_work_out_views)


def root_mounts(ctx: LintContext) -> list[Element]:
    """The ``<mount>`` elements directly under the root that the target reads."""
    return _views(ctx).root_mounts


def _work_out_views(ctx: LintContext) -> _Views:
    placed_all = ctx.placed
    unread: dict[Status, list[Seen]] = {}
    if _has_foreign(ctx):
        unread, with_attributes = _sorted_one_by_one(ctx)
    elif len(placed_all) == sum(len(group) for _row, group in ctx.by_row.values()):
        # the usual file: every element the table knows is read, and every element is known (the
        # walk files each known one under its row): one quick pass instead of a look at each
        # element's status
        with_attributes = [p for p in placed_all if p.element.has_attributes]
    else:
        # the target reads every element the table knows, and the walk entered no unknown one
        unread[Status.UNKNOWN] = [Seen(p, Status.UNKNOWN) for p in placed_all if p.row is None]
        with_attributes = [p for p in placed_all if p.row is not None and p.element.has_attributes]
    # the groups of the walk, less the few elements the target does not read
    by_row = ctx.by_row
    gone = {id(seen.placed): seen.placed.row for seen_list in unread.values() for seen in seen_list}
    touched = {id(row) for row in gone.values() if row is not None}
    if touched:
        by_row = {}
        for key, (row, group) in ctx.by_row.items():
            kept = [p for p in group if id(p) not in gone] if key in touched else group
            if kept:
                by_row[key] = (row, kept)
    # every root <mount> is placed with the root's one row called so
    root_section = spec.ROOT
    mount_row = root_section.child("mount")
    _row, mounts = by_row.get(id(mount_row), (mount_row, []))
    root_mounts = [p.element for p in mounts if p.parent is root_section]
    return _Views(unread, with_attributes, root_mounts, by_row)


def _has_foreign(ctx: LintContext) -> bool:
    """Whether any element is another dialect's where it stands (only rows that may be are looked at)."""
    target = ctx.target
    for row, group in ctx.by_row.values():
        if target in row.dialects and (row.section is None or target in spec.SECTIONS[row.section].dialects):
            continue  # the target reads this row, and its block form if it has one
        if any(is_foreign(placed, target) for placed in group):
            return True
    return False


def _sorted_one_by_one(ctx: LintContext) -> tuple[dict[Status, list[Seen]], list[Placed]]:
    """The unread elements by status and the read ones with attributes, element by element.

    For a file that holds another dialect's elements: what they contain is
    hidden from the target, which only a walk in document order tells.
    """
    unread: dict[Status, list[Seen]] = {}
    with_attributes: list[Placed] = []
    blocked: set[int] = set()
    target = ctx.target
    unknown, foreign, hidden = Status.UNKNOWN, Status.FOREIGN, Status.HIDDEN
    for placed in ctx.placed:
        element = placed.element
        row = placed.row
        if blocked and id(element.parent) in blocked:
            status = hidden
        elif row is None:
            status = unknown
        elif target not in row.dialects and placed.parent.child(element.local_name, target) is None:
            # is_foreign(), spelt out: this loop sees every element (a row the target reads
            # answers at once; only another dialect's row needs the lookup of the target's)
            status = foreign
        elif row.section is not None and _foreign_block(placed, target):
            status = foreign
        else:
            if element.has_attributes:
                with_attributes.append(placed)
            continue
        blocked.add(id(element))
        unread.setdefault(status, []).append(Seen(placed, status))
    return unread, with_attributes


def _foreign_block(placed: Placed, target: Dialect) -> bool:
    """A block the table knows here as a leaf of the target (a KH block form of a leaf)."""
    inner = placed.section
    return inner is not None and target not in inner.dialects  # a KH block form of a leaf


def is_foreign(placed: Placed, target: Dialect) -> bool:
    """True when the table knows the element here, but not for ``target``."""
    if placed.row is None:
        return False
    if placed.parent.child(placed.element.local_name, target) is None:
        return True
    return _foreign_block(placed, target)


def read_by_target(ctx: LintContext) -> list[Placed]:
    """Placed elements the target reads: known there and inside elements it reads."""
    return ctx.once(_read_by_target)


def _read_by_target(ctx: LintContext) -> list[Placed]:
    unread = {id(seen.placed) for group in _views(ctx).unread.values() for seen in group}
    if not unread:
        return ctx.placed  # the usual file: the target reads every element, no copy of the list
    return [placed for placed in ctx.placed if id(placed) not in unread]


def read_by_row(ctx: LintContext) -> dict[int, tuple[spec.ElementRow, list[Placed]]]:
    """The elements the target reads grouped by their row (id of the row -> row, elements in document order).

    A rule about a few rows (those with required attributes, say) visits
    only their elements.
    """
    return _views(ctx).by_row


def read_named(ctx: LintContext, *names: str) -> Iterator[Placed]:
    """Elements the target reads whose row is called (or aliased) any of ``names``, row by row.

    Every element called so is among them (the walk finds an element's row
    by its tag or alias); a rule about ``<ssl>`` visits those, not the file.
    """
    wanted = set(names)
    for row, group in read_by_row(ctx).values():
        if row.name in wanted or not wanted.isdisjoint(row.aliases):
            yield from group


def read_with_attributes(ctx: LintContext) -> list[Placed]:
    """Placed elements the target reads that have attributes (few do): what the attribute rules walk."""
    return _views(ctx).with_attributes


def attributes_with_status(ctx: LintContext, status: Status) -> Iterator[tuple[Placed, Attr]]:
    """Attributes of a status other than READ on the elements the target reads, in document order.

    ICE106 (unknown) and ICE302 (another dialect's) both judge every
    attribute of the file: the status of each is worked out once, for both,
    and only the few that are not read are kept.
    """
    for placed, attr, found in ctx.once(_unread_attributes):
        if found is status:
            yield placed, attr


def _unread_attributes(ctx: LintContext) -> list[tuple[Placed, Attr, Status]]:
    out: list[tuple[Placed, Attr, Status]] = []
    target, read = ctx.target, Status.READ
    # row -> attribute name -> status: the rows and names of a file repeat from element to element
    memo: dict[int, dict[str, Status]] = {}
    for placed in read_with_attributes(ctx):
        row = placed.row
        assert row is not None
        statuses = memo.get(id(row))
        if statuses is None:
            statuses = memo[id(row)] = {}
        # names only: an Attr object is made for the few reported, not kept for every attribute
        for name in placed.element.attribute_names():
            status = statuses.get(name)
            if status is None:
                status = statuses[name] = read if is_namespace_attribute(name) else attribute_status(row, name, target)
            if status is not read:
                attr = placed.element.attribute(name)
                assert attr is not None
                out.append((placed, attr, status))
    return out


_Leaf = tuple[Placed, spec.ElementRow, spec.Value]


def read_leaves(ctx: LintContext, kinds: frozenset[spec.Kind] | None = None) -> Iterator[_Leaf]:
    """Elements the target reads as a value: (placed, row, value type), row by row.

    With ``kinds``, only those whose value is of one of these kinds: a rule
    about ports or log levels then visits only those rows, not every leaf.
    Each row's elements come in document order; the rows do not (findings
    are sorted by position in the end).
    """
    if kinds is None:
        return read_leaves_of_rows(ctx, _any_row)
    return read_leaves_of_rows(ctx, lambda row: row.value.kind in kinds)  # type: ignore[union-attr]


def leaf_groups(
    ctx: LintContext, kinds: frozenset[spec.Kind]
) -> list[tuple[spec.ElementRow, spec.Value, list[Placed]]]:
    """What :func:`read_leaves` yields, a row at a time: (row, value type, its leaves in document order).

    For the rules that visit tens of thousands of leaves: a loop over each
    list costs a fraction of a generator's tuple per leaf.
    """
    return [found for found in ctx.once(_value_groups) if found[1].kind in kinds]


def leaf_groups_of_rows(
    ctx: LintContext, keep: Callable[[spec.ElementRow], bool]
) -> list[tuple[spec.ElementRow, spec.Value, list[Placed]]]:
    """What :func:`read_leaves_of_rows` yields, a row at a time (see :func:`leaf_groups`)."""
    return [found for found in ctx.once(_value_groups) if keep(found[0])]


def _value_groups(ctx: LintContext) -> list[tuple[spec.ElementRow, spec.Value, list[Placed]]]:
    """Every row with a value and its leaves the target reads, worked out once per lint.

    A dozen value rules each ask for some of them: the rows without a value
    (blocks) and the block forms of a leaf are sorted out once, not by each.
    """
    out = []
    for row, group in _views(ctx).by_row.values():
        value = row.value
        if value is None:
            continue
        if row.section is None:
            out.append((row, value, group))
            continue
        # a KH leaf that may also be written as a block: only those written as a leaf
        leaves = [placed for placed in group if placed.section is None]
        if leaves:
            out.append((row, value, leaves))
    return out


def _any_row(_row: spec.ElementRow) -> bool:
    return True


def read_leaves_of_rows(ctx: LintContext, keep: Callable[[spec.ElementRow], bool]) -> Iterator[_Leaf]:
    """The leaves of :func:`read_leaves` whose row ``keep`` accepts, row by row.

    For a rule about a property of the row (crashes when empty, has a range):
    the elements of the other rows are not visited.  Nothing is kept: a list
    of the leaves would cost as much memory as their elements' text.
    """
    for row, value, leaves in leaf_groups_of_rows(ctx, keep):
        for placed in leaves:
            yield placed, row, value


def rename(element: Element, name: str) -> Element:
    """Rename ``element`` in place, keeping its namespace prefix; returns it for chaining."""
    if element.parent is None:
        raise ValueError("the root element cannot be renamed here")
    prefix, colon, _local = element.name.rpartition(":")
    element.rename(f"{prefix}{colon}{name}")
    return element


def is_namespace_attribute(name: str) -> bool:
    """xmlns declarations and prefixed attributes (``xsi:...``) are XML's, not Icecast's."""
    return name == "xmlns" or ":" in name


def attribute_specs(row: spec.ElementRow) -> tuple[spec.AttributeRow, ...]:
    """Every attribute the table gives an element (its own and its section's), all dialects."""
    attrs = row.attributes
    if row.section is not None:
        attrs = attrs + spec.SECTIONS[row.section].attributes
    return attrs


def kh_child_attributes(row: spec.ElementRow) -> Mapping[str, spec.ElementRow]:
    """Scalar children Icecast-KH also reads as attributes of this element: name -> row."""
    return spec.SECTIONS[row.section].kh_attribute_children() if row.section is not None else {}


def has_attribute(spec_attr: spec.AttributeRow, name: str) -> bool:
    return name == spec_attr.name or name in spec_attr.aliases


def target_attribute(row: spec.ElementRow, name: str, target: Dialect) -> spec.AttributeRow | None:
    """The table's attribute ``name`` of this element in ``target``, if any (asked once per row and name)."""
    key = (id(row), name, target)
    if key in _TARGET_ATTRIBUTE:
        return _TARGET_ATTRIBUTE[key]
    found = _target_attribute(row, name, target)
    if len(_TARGET_ATTRIBUTE) < _MEMO_LIMIT:  # attribute names are the file's: bound what is kept
        _TARGET_ATTRIBUTE[key] = found
    return found


#: How many answers the memos of this module keep (the table's rows and names are few; a file's are not).
_MEMO_LIMIT = 4096
#: The table rows live as long as the program: their id is a stable key.
_TARGET_ATTRIBUTE: dict[tuple[int, str, Dialect], spec.AttributeRow | None] = {}
_ATTRIBUTE_STATUS: dict[tuple[int, str, Dialect], Status] = {}


def _target_attribute(row: spec.ElementRow, name: str, target: Dialect) -> spec.AttributeRow | None:
    for candidate in attribute_specs(row):
        if has_attribute(candidate, name) and target in candidate.dialects:
            return candidate
    return None


def attribute_status(row: spec.ElementRow, name: str, target: Dialect) -> Status:
    """READ, FOREIGN (another dialect reads it) or UNKNOWN, for attribute ``name``."""
    key = (id(row), name, target)
    known = _ATTRIBUTE_STATUS.get(key)
    if known is None:
        known = _attribute_status(row, name, target)
        if len(_ATTRIBUTE_STATUS) < _MEMO_LIMIT:
            _ATTRIBUTE_STATUS[key] = known
    return known


def _attribute_status(row: spec.ElementRow, name: str, target: Dialect) -> Status:
    if target_attribute(row, name, target) is not None:
        return Status.READ
    kh_children = kh_child_attributes(row)
    if target is Dialect.KH and name in kh_children:
        return Status.READ
    if any(has_attribute(a, name) for a in attribute_specs(row)) or name in kh_children:
        return Status.FOREIGN
    return Status.UNKNOWN


def dialect_names(dialects: frozenset[Dialect]) -> str:
    """``Icecast 2.5`` or ``Icecast 2.4.4 and Icecast-KH``, in a stable order."""
    labels = [d.label for d in Dialect if d in dialects]
    return " and ".join(labels) if len(labels) < 3 else ", ".join(labels)


def parent_tags(section: spec.SectionRow) -> list[str]:
    """Tags of the sections that hold ``section`` as a child block."""
    tags = [parent.tag for parent, row in spec.iter_rows() if row.section == section.id]
    return list(dict.fromkeys(tags))


def where(section: spec.SectionRow, ambiguous_with: str = "") -> str:
    """``<mount>``, or ``<authentication> in <icecast>`` when the tag alone is ambiguous."""
    if section is spec.ROOT:
        return "<icecast>"
    if section.tag != ambiguous_with:
        return f"<{section.tag}>"
    parents = parent_tags(section)
    return f"<{section.tag}> in " + " or ".join(f"<{t}>" for t in parents) if parents else f"<{section.tag}>"


def shown(ctx: LintContext, text: str, secret: bool = False) -> str:
    """``'text'`` for a message, or a mask when the value is (or may be) a secret."""
    if secret or text in ctx.secrets or text.strip() in ctx.secrets:
        return "(value hidden)"
    return repr(text)


def character_data(element: Element) -> Iterator[tuple[str, int]]:
    """Each run of character data directly in ``element``, as written, with its offset in the text.

    The runs between child elements and comments: what Icecast 2.5 calls
    ``.../text`` inside a section, and where a template puts a placeholder
    for markup.  Nothing is yielded when positions are unknown (an edited
    element): character data is kept as written, so an offset is the start of
    the content plus the length of every node before it.
    """
    if element.start < 0 or element.text_start < 0:
        return
    offset = element.start + len(element.start_tag)
    for child in element.children:
        if isinstance(child, str):
            yield child, offset
            offset += len(child)
        elif isinstance(child, Element):
            offset += len(child.render())
        else:
            offset += len(child.raw)
