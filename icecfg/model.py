"""The typed model: dataclass-style sections bound to the lossless document.

A section object (``Limits``, ``Mount``, ...) is a view on elements of a
:class:`~icecfg.document.Document`.  Reading a field reads the element's text
and converts it to the type the element table gives it; writing a field
rewrites that one element, creates it at its usual place (indented like its
siblings) or removes it with its line.  Nothing is copied, so the document
stays the single place where the configuration lives, and dumping it keeps
every comment and byte the user wrote.

A section created from scratch (``Mount(mount_name="/live.ogg")``) owns a
detached element until it is assigned or appended into a configuration, from
then on it is a view on the inserted element like any other.

Field names follow one rule: the element (or attribute) name with ``-``
turned into ``_``; repeated elements are lists under a plural name.  The field
declarations themselves are generated from the element table into
:mod:`icecfg.sections`.
"""

from __future__ import annotations

import difflib
import re
import sys
import weakref
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any, ClassVar, Generic, SupportsIndex, TypeVar, overload

from icecfg import spec
from icecfg.conversion import (
    Crash,
    FallbackOverride,
    TlsMode,
    TypedValueError,
    format_typed,
    keeps_earlier,
    parse_typed,
    release_reading,
    release_text,
)
from icecfg.document import Document, Element, Whitespace, format_new, parse_fragment
from icecfg.errors import InvalidAssignmentError, InvalidTypeError, InvalidValueError
from icecfg.safewrite import Fingerprint
from icecfg.secrets import SECRET_OPTIONS
from icecfg.spec import Dialect, Kind

if sys.version_info >= (3, 11):
    from typing import dataclass_transform
else:  # pragma: no cover - exercised on 3.10 only
    from typing_extensions import dataclass_transform

if TYPE_CHECKING:
    from typing_extensions import Self

S = TypeVar("S", bound="Section")


class Field:
    """How one Python attribute of a section maps onto the document.

    ``kind`` is ``leaf`` (a child element's text), ``attr`` (an attribute of
    the section's element), ``texts`` (a repeated leaf, as a list of str),
    ``block`` (a nested section that occurs once) or ``items`` (a list of
    nested sections).
    """

    def __init__(self, kind: str, tag: str | None, cls: type[Section] | None = None) -> None:
        self.kind = kind
        self.tag = tag or ""
        self.cls = cls
        self.name = ""
        self.tags: frozenset[str] = frozenset()
        self.value: spec.Value | None = None
        self.row: spec.ElementRow | None = None
        self.attribute: spec.AttributeRow | None = None
        self.owner = ""
        #: The whole numbers an assignment may give an integer field (see :func:`_bounds`).
        self.bounds: tuple[int, int] = _C_INT

    def __set_name__(self, owner: type[Section], name: str) -> None:
        self.name = name
        self.owner = owner.__name__
        if not self.tag:
            self.tag = name.replace("_", "-")

    def bind(self, owner: type[Section]) -> None:
        """Look the field up in the element table once the owning class exists."""
        section = spec.SECTIONS[owner._spec_id]
        if self.kind == "attr":
            variants = [a for a in section.attributes if self.tag in (a.name, *a.aliases)]
            if not variants:
                raise LookupError(f"{owner.__name__}.{self.name}: no attribute {self.tag!r} in {section.id}")
            self.attribute = variants[0]
            self.value = variants[0].value
            if len({a.value.kind for a in variants}) > 1:
                # dialects disagree on the type (KH's header status "*"): read it as text
                self.value = spec.STRING
            elif len(variants) > 1:
                choices = tuple(dict.fromkeys(c for a in variants for c in a.value.choices))
                self.value = spec.Value(variants[0].value.kind, choices=choices)
            self.tags = frozenset(t for a in variants for t in (a.name, *a.aliases))
            self.bounds = _bounds(self.value, frozenset(d for a in variants for d in a.dialects))
            return
        row = section.child(self.tag)
        if row is None:
            raise LookupError(f"{owner.__name__}.{self.name}: no element <{self.tag}> in {section.id}")
        self.row = row
        self.value = row.value
        self.tags = frozenset((row.name, *row.aliases))
        if row.value is not None:
            self.bounds = _bounds(row.value, row.dialects)

    # descriptor protocol -----------------------------------------------------
    @overload
    def __get__(self, obj: None, owner: type[Section]) -> Field: ...
    @overload
    def __get__(self, obj: Section, owner: type[Section]) -> Any: ...
    def __get__(self, obj: Section | None, owner: type[Section]) -> Any:
        if obj is None:
            return self
        if self.kind == "leaf":
            element = obj._last(self.tags)
            return None if element is None else self._typed(element, element.text)
        if self.kind == "attr":
            blocks = obj._elements()
            if not blocks:
                return None
            attr = next((a for a in blocks[0].attributes if a.name in self.tags), None)
            return None if attr is None else self._typed(blocks[0], attr.value, attr.start)
        if self.kind == "texts":
            return [e.text or "" for e in obj._children(self.tags)]
        assert self.cls is not None
        if self.kind == "block":
            return self.cls._lazy(obj, self)
        return SectionList(obj, self, [self.cls._bound(e) for e in obj._children(self.tags)])

    def __set__(self, obj: Section, value: Any) -> None:
        if self.kind == "leaf":
            obj._set_leaf(self, value)
        elif self.kind == "attr":
            obj._set_attr(self, value)
        elif self.kind == "texts":
            obj._set_texts(self, self._listed(value))
        elif self.kind == "block":
            obj._set_block(self, value)
        else:
            obj._set_items(self, self._listed(value))

    def _listed(self, value: object) -> list[Any]:
        """The items of a list field's new value; a str or a lone section is refused, not split."""
        if value is None:
            return []
        if isinstance(value, (str, bytes, Section)) or not isinstance(value, Iterable):
            what = "a list of str" if self.kind == "texts" else f"a list of {self.cls.__name__ if self.cls else ''}"
            raise self.wrong_type(value, f"{what} (or None)")
        return list(value)

    def wrong_type(self, value: object, what: str) -> InvalidTypeError:
        """``Section.field: int object is not a Mount``: the one wording for a value of the wrong Python type."""
        return InvalidTypeError(f"{self.owner}.{self.name}: {type(value).__name__} object is not {what}")

    def __delete__(self, obj: Section) -> None:
        """``del cfg.security.changeowner`` removes the element(s), like assigning None."""
        self.__set__(obj, None)

    def _typed(self, element: Element, text: str | None, offset: int | None = None) -> Any:
        if text is None:
            return None
        assert self.value is not None
        try:
            return parse_typed(self.value.kind, text, self.value.choices)
        except TypedValueError as err:
            line, column = element.position(offset if offset is not None else element.text_start)
            if line == 0:
                line, column = element.position()
            raise InvalidValueError(f"<{self.tag}>: {err}", line=line, column=column, path=element.path) from None

    def format(self, value: Any) -> str:
        """The text to write for ``value``, or :class:`InvalidAssignmentError` (nothing changes).

        Refused: a value of the wrong type, a number outside :attr:`bounds`,
        a word the field does not know, and characters XML 1.0 cannot hold
        (the file could not be read again).
        """
        assert self.value is not None
        kind = self.value.kind
        if kind in _INTEGER_KINDS:
            if isinstance(value, bool) or not isinstance(value, int):
                raise self._refused(value, InvalidTypeError)
            low, high = self.bounds
            if not low <= value <= high:
                raise self._refused(value)
            return str(value)
        if kind is Kind.BOOL:
            if not isinstance(value, bool):
                raise self._refused(value, InvalidTypeError)
            return format_typed(kind, value)
        allowed: tuple[type, ...] = _TYPES.get(kind, (str,))
        if not isinstance(value, allowed):
            raise self._refused(value, InvalidTypeError)
        text = format_typed(kind, value)
        if kind is Kind.ENUM and self.value.choices:
            known = text.lower() if self.value.case_insensitive else text
            if known not in self.value.choices:
                raise self._refused(value)
        try:
            parse_typed(kind, text, self.value.choices)  # never write what cannot be read back
        except TypedValueError:
            raise self._refused(value) from None
        bad = _NOT_XML.search(text)
        if bad is not None:
            raise self._refused(value, what=f"text XML 1.0 can hold (it has U+{ord(bad[0]):04X})")
        return text

    def expected(self) -> str:
        """What this field takes, in the words of the error messages."""
        assert self.value is not None
        kind = self.value.kind
        low, high = self.bounds
        if kind is Kind.PUBLIC:
            return "-1, 0 or 1"
        if kind is Kind.LOGLEVEL:
            return f"a log level from {low} (error) to {high} (debug)"
        if kind is Kind.SIZE:
            return f"a size in bytes from {low} to {high}"
        if kind is Kind.BITRATE:
            return f"a bitrate in bits per second from {low} to {high}"
        if kind in _INTEGER_KINDS:
            return f"a whole number from {low} to {high}"
        if kind is Kind.BOOL:
            return "True or False"
        if kind is Kind.TLS_MODE:
            return "a TlsMode (" + ", ".join(m.value for m in TlsMode) + ")"
        if kind is Kind.FALLBACK_OVERRIDE:
            return "a FallbackOverride (none, all, own) or True or False"
        if kind is Kind.ENUM and self.value.choices:
            return "one of " + ", ".join(self.value.choices)
        return "text (a str)"

    def _refused(
        self, value: object, error: type[InvalidAssignmentError] = InvalidAssignmentError, what: str | None = None
    ) -> InvalidAssignmentError:
        assert self.value is not None
        shown = "the value given" if self.value.secret else repr(value)
        return error(f"{self.owner}.{self.name}: {shown} is not {what or self.expected()}")


#: Kinds whose values are whole numbers (Icecast reads them with atoi or a range check).
_INTEGER_KINDS = frozenset({Kind.INT, Kind.UINT, Kind.SIZE, Kind.BITRATE, Kind.LOGLEVEL, Kind.PUBLIC})
#: Python types a field of each kind takes (default: str); integers and bools are checked apart.
_TYPES: dict[Kind, tuple[type, ...]] = {
    Kind.TLS_MODE: (TlsMode, str),
    Kind.FALLBACK_OVERRIDE: (FallbackOverride, bool, str),
}
#: What C's int holds: Icecast reads every number into one, larger ones wrap.
_C_INT = (-(2**31), 2**31 - 1)
#: KH reads a bitrate into an ``int64_t``.
_C_INT64 = (-(2**63), 2**63 - 1)
#: Characters outside XML 1.0's Char production: no parser reads a file holding them.
# The complement of XML 1.0's Char production, written as the few ranges it
# leaves out: the negated form compiles a charset over all of Unicode, which
# cost more at import than the rest of this module.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _bounds(value: spec.Value, dialects: frozenset[Dialect]) -> tuple[int, int]:
    """The whole numbers a field may be given: what some Icecast that has the field can use.

    A TCP port is 1..65535 for every release (2.4.4 does not check, it
    truncates 70000 to port 4464).  Other ranges bind only when every
    release that has the field checks one (2.5's limits do not bind a 2.4
    configuration); otherwise the kind's range: a C int, not negative for
    sizes and unsigned values, -1..1 for ``<public>``, 1..4 for log levels.
    """
    if value.kind is Kind.PUBLIC:
        return (-1, 1)
    if value.kind is Kind.LOGLEVEL:
        return (1, 4)
    if value.kind is Kind.BITRATE:
        return _C_INT64
    low, high = (0, _C_INT[1]) if value.kind in (Kind.UINT, Kind.SIZE) else _C_INT
    checked = [value.ranges[d] for d in dialects if d in value.ranges]
    if (1, 65535) in value.ranges.values() or (checked and len(checked) == len(dialects)):
        ranges = checked or list(value.ranges.values())
        return (max(low, min(r[0] for r in ranges)), min(high, max(r[1] for r in ranges)))
    return (low, high)


# The field specifiers take ``default``/``default_factory`` only so that type
# checkers (PEP 681) see every field as optional in the generated __init__;
# absent fields are simply absent elements.


def leaf(tag: str | None = None, *, default: None = None) -> Any:
    """A child element holding a value."""
    return Field("leaf", tag)


def attr(name: str | None = None, *, default: None = None) -> Any:
    """An attribute of the section's own element."""
    return Field("attr", name)


def texts(tag: str, *, default_factory: type[list[str]] = list) -> Any:
    """A child element that may repeat, each holding a value (a list of str)."""
    return Field("texts", tag)


def block(cls: type[Section], tag: str | None = None, *, default: None = None) -> Any:
    """A nested section that occurs once (or whose occurrences merge)."""
    return Field("block", tag, cls)


def items(cls: type[Section], tag: str, *, default_factory: type[list[Any]] = list) -> Any:
    """A nested section that repeats: a list."""
    return Field("items", tag, cls)


@dataclass_transform(kw_only_default=True, field_specifiers=(leaf, attr, texts, block, items))
class Section:
    """Base class of every section of the model.

    A section reads and writes through the elements it is bound to:

    * a list item (a ``Mount``) or a section built from scratch is bound to
      exactly one element;
    * a section that occurs once per parent (``cfg.limits``) is looked up in
      its parent each time, since Icecast merges repeated blocks (fields of a
      second ``<limits>`` override the first), and it is created in the
      parent the first time one of its fields is written.
    """

    _spec_id: ClassVar[str]
    _fields: ClassVar[dict[str, Field]]
    _order: ClassVar[list[Field]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        fields: dict[str, Field] = {}
        for klass in reversed(cls.__mro__):
            for name, value in vars(klass).items():
                if isinstance(value, Field):
                    fields[name] = value
        for field in fields.values():
            if field.row is None and field.attribute is None:
                field.bind(cls)
        cls._fields = fields
        cls._order = [f for f in fields.values() if f.kind != "attr"]

    def __init__(self, **values: Any) -> None:
        self._owner: Section | None = None
        self._field: Field | None = None
        self._blocks: list[Element] = [Element(self._tag())]
        for name, value in values.items():
            if name not in self._fields:
                raise TypeError(
                    f"{type(self).__name__}() got an unexpected keyword argument {name!r}{_hint(self, name)}"
                )
            if value is not None:
                setattr(self, name, value)

    def __setattr__(self, name: str, value: Any) -> None:
        """Only fields (and the model's own state) can be set: a typo must not vanish silently."""
        if name.startswith("_") or isinstance(getattr(type(self), name, None), (Field, property)):
            object.__setattr__(self, name, value)
            return
        raise self._no_field(name)

    def _no_field(self, name: str) -> AttributeError:
        """``Limits has no field 'client'; did you mean 'clients'?``: a typo must not vanish silently."""
        return AttributeError(f"{type(self).__name__} has no field {name!r}{_hint(self, name)}", name=name, obj=self)

    def __delattr__(self, name: str) -> None:
        """``del section.field`` removes the element (the field's ``__delete__``); a typo is named."""
        if name.startswith("_") or isinstance(getattr(type(self), name, None), (Field, property)):
            object.__delattr__(self, name)
            return
        raise self._no_field(name)

    if not TYPE_CHECKING:  # at run time only: type checkers keep reporting unknown names themselves

        def __getattr__(self, name: str) -> Any:
            """Reading an unknown name names the closest field too."""
            if name.startswith("_"):
                raise AttributeError(name)
            raise self._no_field(name)

    # binding -----------------------------------------------------------------
    @classmethod
    def _tag(cls) -> str:
        return spec.SECTIONS[cls._spec_id].tag

    @classmethod
    def _bound(cls, element: Element) -> Self:
        obj = cls.__new__(cls)
        obj._owner = None
        obj._field = None
        obj._blocks = [element]
        return obj

    @classmethod
    def _lazy(cls, owner: Section, field: Field) -> Self:
        obj = cls.__new__(cls)
        obj._owner = owner
        obj._field = field
        obj._blocks = []
        return obj

    def _elements(self) -> list[Element]:
        """The elements this section reads from, in document order."""
        if self._owner is not None:
            assert self._field is not None
            return list(self._owner._children(self._field.tags))
        return self._blocks

    @property
    def element(self) -> Element | None:
        """The (first) element of this section, or None while it does not exist."""
        blocks = self._elements()
        return blocks[0] if blocks else None

    @property
    def elements(self) -> list[Element]:
        """Every element of this section: a repeated singleton block gives several."""
        return list(self._elements())

    @property
    def exists(self) -> bool:
        """False for a section the file does not have (yet)."""
        return bool(self._elements())

    def _children(self, tags: frozenset[str]) -> Iterator[Element]:
        for block_element in self._elements():
            yield from block_element.elements_named(tags)

    def _last(self, tags: frozenset[str]) -> Element | None:
        found = None
        for found in self._children(tags):  # noqa: B007 - keep the last
            pass
        return found

    def _ensure(self) -> Element:
        """The element new children go into, creating this section if needed."""
        blocks = self._elements()
        if blocks:
            return blocks[-1]
        assert self._owner is not None and self._field is not None
        element = Element(self._tag())
        self._owner._place(self._field, element)
        return element

    def _place(self, field: Field, element: Element, after: Element | None = None) -> None:
        """Insert a new child where the field order says it belongs."""
        parent = self._ensure()
        if after is None:
            position = self._order.index(field)
            earlier = {t for f in self._order[:position] for t in f.tags}
            later = {t for f in self._order[position + 1 :] for t in f.tags}
            same: Element | None = None
            previous: Element | None = None
            following: Element | None = None
            for child in parent.elements():
                name = child.local_name
                if name in field.tags:
                    same = child
                elif name in earlier:
                    previous = child
                elif name in later and following is None:
                    following = child
            after = same or previous
            if after is None and following is not None:
                self._insert(parent, element, before=following)
                return
        self._insert(parent, element, after=after)

    def _insert(
        self, parent: Element, element: Element, after: Element | None = None, before: Element | None = None
    ) -> None:
        if self._in_document():
            parent.insert_formatted(element, after=after, before=before)
        elif after is not None:
            parent.insert(_child_index(parent, after) + 1, element)
        elif before is not None:
            parent.insert(_child_index(parent, before), element)
        else:
            parent.append(element)

    def _in_document(self) -> bool:
        """True when edits land in a document whose layout must be kept."""
        section: Section = self
        while section._owner is not None:
            section = section._owner
        top = section._blocks[0] if section._blocks else None
        while top is not None and top.parent is not None:
            top = top.parent
        return top is not None and top in _ROOTS

    # writing -----------------------------------------------------------------
    def _set_leaf(self, field: Field, value: Any) -> None:
        if value is None:
            for child in list(self._children(field.tags)):
                assert child.parent is not None
                child.parent.remove(child)
            return
        text = field.format(value)
        existing = self._last(field.tags)
        if existing is not None:
            existing.set_text(text)
            return
        element = Element(field.tag)
        element.set_text(text)
        self._place(field, element)

    def _set_attr(self, field: Field, value: Any) -> None:
        if value is None:
            for element in self._elements():
                for name in field.tags:
                    if element.attribute(name) is not None:
                        element.delete(name)
            return
        text = field.format(value)
        element = self._ensure()
        name = next((a.name for a in element.attributes if a.name in field.tags), field.tag)
        element.set(name, text)

    def _set_texts(self, field: Field, values: list[str]) -> None:
        texts = [field.format(value) for value in values]  # refuses a bad one before anything changes
        children = list(self._children(field.tags))
        same = 0  # the leading elements that already hold the leading texts stay (``includes += [...]``)
        while same < min(len(children), len(texts)) and children[same].text == texts[same]:
            same += 1
        for child in children[same:]:
            assert child.parent is not None
            child.parent.remove(child)
        for text in texts[same:]:
            element = Element(field.tag)
            element.set_text(text)
            self._place(field, element)

    def _set_block(self, field: Field, value: Section | None) -> None:
        old = list(self._children(field.tags))
        if value is None:
            for child in old:
                assert child.parent is not None
                child.parent.remove(child)
            return
        assert field.cls is not None
        if not isinstance(value, field.cls):
            raise field.wrong_type(value, f"a {field.cls.__name__} (or None)")
        present = value._elements()
        if len(present) == len(old) and all(a is b for a, b in zip(present, old, strict=True)):
            return  # the section itself (``cfg.limits = cfg.limits``): copying it would drop a repeated block
        element = value._detach()
        if old:
            anchor = old[-1]
            assert anchor.parent is not None
            self._insert(anchor.parent, element, after=anchor)
            for child in old:
                assert child.parent is not None
                child.parent.remove(child)
        else:
            self._place(field, element)
        value._owner, value._field, value._blocks = None, None, [element]

    def _set_items(self, field: Field, values: list[Section]) -> None:
        """Make the list ``values``, touching only the elements that come or go.

        ``cfg.mounts += [...]`` and ``cfg.mounts = [m for m in cfg.mounts if ...]``
        assign a list that keeps some of the present items in their order:
        those stay where they are, with the comments between them, and only the
        others are removed or inserted.  A list that reorders them is laid out again.
        """
        current: SectionList[Section] = getattr(self, field.name)
        values = [current._check(value) for value in values]  # refuses a bad one before anything changes
        index = {id(current._element(item)): position for position, item in enumerate(current)}
        positions = [index.get(id(value._elements()[0])) if len(value._elements()) == 1 else None for value in values]
        kept = [position for position in positions if position is not None]
        if kept == sorted(set(kept)):
            staying = set(kept)
            for position in reversed(range(len(current))):
                if position not in staying:
                    del current[position]
            for position, (value, found) in enumerate(zip(values, positions, strict=True)):
                if found is None:
                    current.insert(position, value)
            return
        target: SectionList[Section] = SectionList(self, field, [])
        for child in list(self._children(field.tags)):
            assert child.parent is not None
            child.parent.remove(child)
        target.extend(values)

    def _detach(self) -> Element:
        """The element to insert for this section: its own, or a copy if it lives elsewhere.

        A section written as several blocks (two ``<limits>``) reads as one, the
        later settings last, as Icecast reads it; its copy is one block holding
        every block's content in that order, so that it reads the same.
        """
        blocks = self._elements()
        if len(blocks) == 1 and blocks[0].parent is None and blocks[0] not in _ROOTS:
            return blocks[0]
        if not blocks:
            return parse_fragment(f"<{self._tag()}/>")
        if len(blocks) == 1:
            return parse_fragment(blocks[0].render())
        inner = [_content_text(block) for block in blocks]
        # each block's content but the last loses its closing indentation: the next one brings its own
        content = "".join(part.rstrip() for part in inner[:-1]) + inner[-1]
        copy = parse_fragment(f"<{blocks[0].name}>{content}</{blocks[0].name}>")
        for block in blocks:  # KH reads settings from a section's attributes too: a later block's win
            for attribute in block.attributes:
                value = block.get(attribute.name)
                assert value is not None
                copy.set(attribute.name, value)
        return copy

    # reading helpers ---------------------------------------------------------
    def get_text(self, tag: str) -> str | None:
        """The raw text of child ``tag`` as Icecast reads it (last occurrence), untyped."""
        element = self._last(frozenset({tag}))
        return None if element is None else element.text

    def effective(self, name: str, target: Dialect | str = Dialect.V24) -> Any:
        """How ``target`` reads field ``name`` of this section alone: its default, its own parsing.

        A document-level reading of one value: the element the release reads
        (the last one; KH also the attribute form, and the last it reads a
        value from: :func:`icecfg.conversion.keeps_earlier`), converted as the release
        converts it (:func:`icecfg.conversion.release_reading`, the same
        function the effective configuration uses: KH keeps its default for
        text it cannot read, 2.5 its default for a value out of range).  What
        the server does with the whole file (a mount's settings after the
        default mount is merged, listeners, fallbacks) is
        :func:`icecfg.explain`'s.

        Raises :class:`icecfg.conversion.Crash` where Icecast 2.4.4 segfaults
        (``atoi(NULL)`` on an empty numeric element), AttributeError (naming
        the closest field) for a name that is no field, ValueError for a
        section or list field.
        """
        dialect = Dialect(target)
        field = self._fields.get(name)
        if field is None:
            raise self._no_field(name)
        if field.kind != "leaf" or field.row is None:
            raise ValueError(f"{name} is not a value field")
        if dialect is Dialect.KH and dialect in field.row.dialects:
            written = self._kh_setting(field)
            if isinstance(written, str):
                return release_reading(field.row, written, dialect).value
            element = written
        else:
            element = self._last(field.tags)
        if element is None:
            return release_reading(field.row, None, dialect, present=False).value
        try:
            return release_reading(field.row, release_text(element, dialect), dialect).value
        except Crash as crash:
            line, column = element.position()
            raise Crash(crash.message, line=line, column=column, path=element.path) from None

    def _kh_setting(self, field: Field) -> Element | str | None:
        """What KH reads for ``field``: the last child element it reads a value from, or an attribute.

        KH's table-driven parser takes a scalar child also as an attribute of
        its parent (``<listen-socket port="8000"/>``); within each block it
        reads the attributes first and the children after, so a child
        element overrides an attribute, unless KH reads no value from it
        (:func:`icecfg.conversion.keeps_earlier`, as the effective
        configuration decides it).  Returns the element, the attribute
        value, or None when neither is written.
        """
        row = field.row
        assert row is not None
        found: Element | str | None = None
        as_attributes = spec.SECTIONS[self._spec_id].kh_attribute_children()
        names = {name for name in field.tags if name in as_attributes}
        for block in self._elements():
            if names:
                for attribute in block.attributes:
                    if attribute.name in names:
                        found = attribute.value
            for child in block.elements():
                if child.local_name in field.tags:
                    if found is not None and keeps_earlier(row, release_text(child, Dialect.KH), Dialect.KH):
                        continue  # KH reads nothing from it: the earlier value stays
                    found = child
        return found

    def to_dict(self) -> dict[str, Any]:
        """The typed values as plain data (invalid values as their raw text), passwords included."""
        return self._values(masked=False)

    def _values(self, *, masked: bool) -> dict[str, Any]:
        """:meth:`to_dict`; ``masked`` shows every password (and a password option's value) as ``***``."""
        out: dict[str, Any] = {}
        for name, field in self._fields.items():
            if field.kind in ("leaf", "attr"):
                try:
                    value = getattr(self, name)
                except InvalidValueError:
                    value = self.get_text(field.tag) if field.kind == "leaf" else self._raw_attr(field)
                if value is not None:
                    out[name] = "***" if masked and value != "" and self._secret(field) else value
            elif field.kind == "texts":
                value = getattr(self, name)
                if value:
                    out[name] = value
            elif field.kind == "block":
                section = getattr(self, name)
                if section.exists:
                    out[name] = section._values(masked=masked)
            else:
                listed = getattr(self, name)
                if listed:
                    out[name] = [item._values(masked=masked) for item in listed]
        return out

    def _secret(self, field: Field) -> bool:
        """A password, or the value of an authenticator's ``password`` option (as :mod:`icecfg.secrets` says)."""
        if field.value is not None and field.value.secret:
            return True
        if field.kind == "attr" and field.tag == "value" and self._spec_id == "option":
            return self._raw_attr(type(self)._fields["name"]) in SECRET_OPTIONS
        return False

    def _raw_attr(self, field: Field) -> str | None:
        blocks = self._elements()
        return next((a.value for a in blocks[0].attributes if a.name in field.tags), None) if blocks else None

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Section) or type(other) is not type(self):
            return NotImplemented
        return self.to_dict() == other.to_dict()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        """The values, passwords shown as ``***``: a repr ends up in logs and test reports."""
        inner = ", ".join(f"{k}={v!r}" for k, v in self._values(masked=True).items())
        return f"{type(self).__name__}({inner})"


def _hint(section: Section, name: str) -> str:
    """``; did you mean 'clients'?`` for the field closest to ``name``, or nothing."""
    close = difflib.get_close_matches(name, list(type(section)._fields), n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


def _child_index(parent: Element, child: Element) -> int:
    for index, node in enumerate(parent.children):
        if node is child:
            return index
    raise ValueError("not a child")


def _content_text(block: Element) -> str:
    """What stands between the start and end tag of ``block`` as it renders ("" for ``<x/>``)."""
    if block.self_closing:
        return ""
    text = block.render()
    return text[len(block.start_tag) : text.rindex("</")]


#: Root elements of documents (parsed, or built and laid out), whose layout
#: edits keep; elements outside them are still being built and are laid out
#: when they are inserted.
_ROOTS: weakref.WeakSet[Element] = weakref.WeakSet()


class RootSection(Section):
    """The root section: a document of its own, loaded or built from scratch."""

    def __init__(self, **values: Any) -> None:
        super().__init__(**values)
        root = self._blocks[0]
        format_new(root, "", "    ", "\n")
        self._document = Document(root, epilog=[Whitespace("\n")])
        _ROOTS.add(root)

    @classmethod
    def from_document(cls, document: Document) -> Self:
        """The configuration that reads and writes ``document``."""
        obj = cls._bound(document.root)
        obj._document = document
        _ROOTS.add(document.root)
        return obj

    @property
    def document(self) -> Document:
        """The lossless document behind this configuration."""
        return self._document

    @property
    def path(self) -> str | None:
        """The file this configuration was loaded from, if any."""
        return self.document.path

    @property
    def loaded(self) -> Fingerprint | None:
        """The fingerprint of the bytes this configuration was read from (None: built, or text without a path).

        :func:`icecfg.dump` back to :attr:`path` compares it with the file on
        disk and refuses to overwrite a change made since; after a write it
        is the fingerprint of what was written.
        """
        return getattr(self, "_loaded", None)

    @loaded.setter
    def loaded(self, value: Fingerprint | None) -> None:
        self._loaded = value

    def unknown_elements(self) -> list[Element]:
        """Elements the element table does not know where they stand, in document order.

        Icecast 2.4.4 ignores them without a word; each knows its ``line``
        and ``column``.
        """
        from icecfg.placement import unknown_elements

        return [placed.element for placed in unknown_elements(self.document.root)]


class SectionList(list[S], Generic[S]):
    """A list of sections that writes every change through to the document.

    It is a real ``list`` (so ``cfg.mounts[0]``, ``len``, iteration and
    slicing behave as usual), and ``append``, ``insert``, ``extend``,
    ``del``, item assignment, ``pop``, ``remove`` and ``clear`` also insert
    or remove the elements, formatted like their siblings.
    """

    def __init__(self, owner: Section, field: Field, content: Iterable[S]) -> None:
        super().__init__(content)
        self._owner = owner
        self._field = field

    def _element(self, item: S) -> Element:
        blocks = item._elements()
        if not blocks:
            raise ValueError("this section has no element")
        return blocks[0]

    def _check(self, item: object) -> S:
        cls = self._field.cls
        assert cls is not None
        if not isinstance(item, cls):
            raise self._field.wrong_type(item, f"a {cls.__name__}")
        return item  # type: ignore[return-value]

    def append(self, item: S) -> None:
        item = self._check(item)
        element = item._detach()
        after = self._element(self[-1]) if len(self) else None
        if after is not None:
            assert after.parent is not None
            self._owner._insert(after.parent, element, after=after)
        else:
            self._owner._place(self._field, element)
        item._owner, item._field, item._blocks = None, None, [element]
        super().append(item)

    def extend(self, values: Iterable[S]) -> None:
        for item in values:
            self.append(item)

    def __iadd__(self, values: Iterable[S]) -> Self:  # type: ignore[override, misc]
        self.extend(values)
        return self

    def insert(self, index: SupportsIndex, item: S) -> None:
        position = int(index)
        if position < 0:
            position = max(0, len(self) + position)
        if position >= len(self):
            self.append(item)
            return
        item = self._check(item)
        element = item._detach()
        before = self._element(self[position])
        assert before.parent is not None
        self._owner._insert(before.parent, element, before=before)
        item._owner, item._field, item._blocks = None, None, [element]
        super().insert(position, item)

    @overload
    def __setitem__(self, index: SupportsIndex, item: S) -> None: ...
    @overload
    def __setitem__(self, index: slice, item: Iterable[S]) -> None: ...
    def __setitem__(self, index: SupportsIndex | slice, item: Any) -> None:
        if isinstance(index, slice):
            raise TypeError("assign the whole list, or items one at a time")
        position = int(index)
        old = self[position]
        new = self._check(item)
        element = new._detach()
        anchor = self._element(old)
        assert anchor.parent is not None
        self._owner._insert(anchor.parent, element, after=anchor)
        anchor.parent.remove(anchor)
        new._owner, new._field, new._blocks = None, None, [element]
        super().__setitem__(position, new)

    def __delitem__(self, index: SupportsIndex | slice) -> None:
        doomed = self[index] if isinstance(index, slice) else [self[index]]
        for item in doomed:
            element = self._element(item)
            if element.parent is not None:
                element.parent.remove(element)
        super().__delitem__(index)

    def pop(self, index: SupportsIndex = -1) -> S:
        item = self[index]
        del self[index]
        return item

    def remove(self, item: S) -> None:
        for position, candidate in enumerate(self):
            if candidate is item or candidate == item:
                del self[position]
                return
        raise ValueError("item not in list")

    def clear(self) -> None:
        del self[:]

    def sort(self, *args: Any, **kwargs: Any) -> None:
        raise TypeError("the order of sections is the document's order; move items explicitly")

    def reverse(self) -> None:
        raise TypeError("the order of sections is the document's order; move items explicitly")
