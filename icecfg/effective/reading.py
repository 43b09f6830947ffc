"""How a release reads one setting: which element counts, and the value it makes of it.

Every module of the effective configuration asks these few functions, so the
rules of reading (the last element wins, KH's attribute form and the last
element KH reads a value from, an empty numeric element crashing 2.4.4, the
row's default) live in one place.  What
KH reads from one element, and when it keeps an earlier one
(:func:`icecfg.conversion.release_text`, :func:`icecfg.conversion.keeps_earlier`),
is conversion's: the model's ``Section.effective`` asks the same functions.
"""

from __future__ import annotations

from collections.abc import Iterable

from icecfg import spec
from icecfg.conversion import AS_WRITTEN, Crash, converted, effective, keeps_earlier, release_reading, release_text
from icecfg.document import Element
from icecfg.effective.provenance import Traced, clamped, default, written
from icecfg.spec import Dialect


def row(section_id: str, name: str) -> spec.ElementRow:
    """The table row of child ``name`` of section ``section_id`` (it must exist)."""
    found = spec.SECTIONS[section_id].child(name)
    assert found is not None, f"{section_id}/{name} is not in the element table"
    return found


def child_text(
    element: Element, section: spec.SectionRow, name: str, dialect: Dialect
) -> tuple[Element | None, str | None]:
    """The element ``dialect`` reads for child ``name`` of ``element`` (the last one) and its text.

    KH also takes most scalar children as attributes of their parent
    (``<listen-socket port="8000"/>``, see ``Section.kh_attribute_children``);
    an attribute is reported as the parent element with its value.  KH keeps
    the value of the last element it reads one from (:func:`_kh_read`).
    """
    last = element.find_last(name)
    if last is not None:
        return _kh_read(element, section, name, last) if dialect is Dialect.KH else (last, last.text)
    return _as_attribute(element, section, name, dialect)


def last_children(element: Element) -> dict[str, Element]:
    """The last child element of each name: for a block several of whose children are asked (one pass)."""
    return {child.local_name: child for child in element.elements()}


def child_text_in(
    element: Element, last: dict[str, Element], section: spec.SectionRow, name: str, dialect: Dialect
) -> tuple[Element | None, str | None]:
    """:func:`child_text`, with the element's :func:`last_children` already at hand."""
    found = last.get(name)
    if found is not None:
        return _kh_read(element, section, name, found) if dialect is Dialect.KH else (found, found.text)
    return _as_attribute(element, section, name, dialect)


def _kh_read(element: Element, section: spec.SectionRow, name: str, last: Element) -> tuple[Element, str | None]:
    """The child ``name`` KH takes its value from, ``last`` being the last one written, and its text.

    KH reads the section's attributes, then its children in order, and a
    child it reads nothing from leaves the value as it was
    (:func:`icecfg.conversion.keeps_earlier`): the last child it reads,
    else the attribute, else ``last`` (whose value is then the default).
    """
    text = release_text(last, Dialect.KH)
    the_row = section.child(name, Dialect.KH)
    if the_row is None or not keeps_earlier(the_row, text, Dialect.KH):
        return last, text
    for child in reversed(list(element.elements(name))):
        child_text = release_text(child, Dialect.KH)
        if not keeps_earlier(the_row, child_text, Dialect.KH):
            return child, child_text
    attribute, value = _as_attribute(element, section, name, Dialect.KH)
    return (attribute, value) if attribute is not None else (last, text)


def _as_attribute(
    element: Element, section: spec.SectionRow, name: str, dialect: Dialect
) -> tuple[Element | None, str | None]:
    """KH's attribute form of child ``name`` (``<listen-socket port="8000"/>``), when written."""
    if dialect is Dialect.KH and name in section.kh_attribute_children():
        value = element.get(name)
        if value is not None:
            return element, value
    return None, None


def may_spell(root: Element, names: Iterable[str]) -> bool:
    """Whether an element or attribute below ``root`` may be called one of ``names``.

    False only for a file as read (nothing edited since) whose text spells
    none of them: a name is written out in full in its tag (a reference
    cannot stand in a name), so a few searches of the text answer for a
    rare setting instead of a look at every element of a big file.
    """
    text = root.unedited_text
    return text is None or any(name in text for name in names)


def traced(
    the_row: spec.ElementRow, element: Element | None, text: str | None, dialect: Dialect
) -> tuple[Traced[object], bool]:
    """The value of ``the_row`` read from ``element`` (None: absent) and whether 2.4.4 crashes on it."""
    if element is None:
        return Traced(effective(the_row, None, dialect), default()), False
    value = the_row.value
    if text is not None and value is not None and value.kind in AS_WRITTEN:
        # most values of a big file (names, paths, hosts) are their text: the conversion's chain
        # of tests and its Reading cost twice the rest of this reading
        return Traced(text, written(element)), False
    try:
        reading = release_reading(the_row, text, dialect) if text is None else converted(the_row, text, dialect)
    except Crash:
        return Traced(None, written(element, "empty: Icecast 2.4.4 crashes reading it")), True
    if reading.how == "not-read":
        return Traced(reading.value, default(reading.note)), False  # KH keeps its default
    if reading.how == "clamped":
        return Traced(reading.value, clamped(element, reading.note)), False  # 2.5 reports it, keeps the default
    return Traced(reading.value, written(element)), False


def section_values(blocks: list[Element], section_id: str, dialect: Dialect) -> dict[str, Traced[object]]:
    """Every value setting of a section whose repeated blocks merge (last wins), defaults included.

    One pass over the blocks' children (and KH's attribute form): linear in
    the elements.  Settings neither written nor defaulted are left out.
    """
    section = spec.SECTIONS[section_id]
    last: dict[str, tuple[Element, str | None]] = {}
    rows = _rows_by_name(section, dialect)
    as_attributes = section.kh_attribute_children() if dialect is Dialect.KH else {}
    for block in blocks:
        if as_attributes and block.has_attributes:  # only KH reads values from attributes
            for attribute in block.attributes:
                found = as_attributes.get(attribute.name)
                if found is not None:
                    last[found.name] = (block, attribute.value)
        for child in block.elements():
            name = child.local_name
            # the root of a big file has a hundred thousand children of a few names, and a relay
            # or mount block is read once per block: each name's row is looked up by the name alone
            if name in rows:
                found = rows[name]
            else:
                found = section.child(name, dialect)
                if len(rows) < _ROWS_LIMIT:  # the names are the file's: bound what is kept
                    rows[name] = found
            if found is not None and found.value is not None:
                if found.section is not None and any(True for _ in child.elements()):
                    continue  # a KH block form of a leaf
                text = release_text(child, dialect)
                if found.name in last and keeps_earlier(found, text, dialect):
                    continue  # KH: nothing read, the earlier element's value stays
                last[found.name] = (child, text)
    shortcut = _unset_values(section, dialect)
    if shortcut is not None and shortcut[0].keys() >= last.keys():
        # every setting written has a default: the defaults in table order, each written one in its place
        unset_values, value_row = shortcut
        out = dict(unset_values)
        for name, (element, text) in last.items():
            out[name] = traced(value_row[name], element, text, dialect)[0]
        return out
    out = {}
    for the_row, unset in value_rows(section, dialect):
        read = last.get(the_row.name)
        if read is not None:
            out[the_row.name] = traced(the_row, read[0], read[1], dialect)[0]
        elif unset is not None:
            out[the_row.name] = unset
    return out


#: (section id, dialect) -> element name -> its row in that section for that dialect (None: none).
_ROWS: dict[tuple[str, Dialect], dict[str, spec.ElementRow | None]] = {}
#: Names kept per section in ``_ROWS``: the table's names, and the few misspelt ones of a file.
_ROWS_LIMIT = 256


def _rows_by_name(section: spec.SectionRow, dialect: Dialect) -> dict[str, spec.ElementRow | None]:
    """The rows of ``section`` by element name in ``dialect``, filled in as names are met (kept per process).

    The table does not change; a plain lookup by name here costs a fraction
    of ``SectionRow.child``'s, which :func:`section_values` would otherwise
    make for every child of every block.
    """
    key = (section.id, dialect)
    rows = _ROWS.get(key)
    if rows is None:
        rows = _ROWS[key] = {}
    return rows


#: (section id, dialect) -> what its value rows read as when unset (those that read as something, in
#: table order) and its value rows by name; None when two value rows share a name.
_UNSET: dict[tuple[str, Dialect], tuple[dict[str, Traced[object]], dict[str, spec.ElementRow]] | None] = {}


def _unset_values(
    section: spec.SectionRow, dialect: Dialect
) -> tuple[dict[str, Traced[object]], dict[str, spec.ElementRow]] | None:
    """What :func:`section_values` returns for blocks that write nothing, and the rows by name (once per process).

    A small file writes a few settings of each section: its values are then
    a copy of these with the written ones replaced, not a walk of every row.
    """
    key = (section.id, dialect)
    if key not in _UNSET:
        rows = value_rows(section, dialect)
        by_name = {the_row.name: the_row for the_row, _unset in rows}
        unset_values = {the_row.name: unset for the_row, unset in rows if unset is not None}
        _UNSET[key] = (unset_values, by_name) if len(by_name) == len(rows) else None
    return _UNSET[key]


#: (section id, dialect) -> its value rows, each with what it reads as when unset (None: nothing).
_VALUE_ROWS: dict[tuple[str, Dialect], list[tuple[spec.ElementRow, Traced[object] | None]]] = {}


def value_rows(section: spec.SectionRow, dialect: Dialect) -> list[tuple[spec.ElementRow, Traced[object] | None]]:
    """The section's value rows the release knows, in table order, with their unset reading.

    Worked out once per process: the table does not change, and a traced
    default is immutable, so every configuration shares it (a small file's
    lint would otherwise rebuild the defaults of every section each time).
    """
    key = (section.id, dialect)
    rows = _VALUE_ROWS.get(key)
    if rows is None:
        rows = []
        for the_row in section.children:
            if the_row.value is None or dialect not in the_row.dialects:
                continue
            unset = traced(the_row, None, None, dialect)[0]
            rows.append((the_row, unset if unset.value is not None else None))
        _VALUE_ROWS[key] = rows
    return rows
