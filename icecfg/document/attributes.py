"""Attributes as written, and the start tag that holds them.

An element's attributes are parsed from its start tag only when first asked
for; until then the tag renders as written.  ``AttributeMixin`` gives Element
these methods: a mixin rather than a helper object, so that an element
carries no extra field and a lookup costs no extra call.
"""

from __future__ import annotations

import re
from sys import intern
from typing import TYPE_CHECKING

from icecfg.document.escaping import decode_attribute, escape_attribute


class Attr:
    """One attribute as written: leading whitespace, name, ``=`` part, quote, raw value."""

    # the offset is kept as the element's start plus the name's place in the tag: both ints
    # already exist (one shared by the tag's attributes, one small and cached), where their
    # sum would be an int object more for every attribute of a file
    __slots__ = ("_offset", "_tag_start", "eq", "name", "quote", "raw", "ws")

    def __init__(self, ws: str, name: str, eq: str, quote: str, raw: str, start: int = -1) -> None:
        self.ws = ws
        self.name = name
        self.eq = eq
        self.quote = quote
        self.raw = raw
        self._tag_start = start
        self._offset = 0

    @property
    def start(self) -> int:
        """Offset of the name in the original text, -1 when created."""
        return self._tag_start + self._offset

    @property
    def value(self) -> str:
        return decode_attribute(self.raw)

    def render(self) -> str:
        return f"{self.ws}{self.name}{self.eq}{self.quote}{self.raw}{self.quote}"


_ATTR = re.compile(r"(\s+)([^\s=/>]+)(\s*=\s*)(?:\"([^\"]*)\"|'([^']*)')")

_TAG_TAIL = re.compile(r"(\s*)/?>\Z")

#: Attribute values of letters only, up to this long, are shared (type="normal", "default", ...).
_SHARED_WORD = 16


def _shared(raw: str) -> str:
    """``raw``, as one string for every tag that holds it when it is a short word (type="normal")."""
    return intern(raw) if len(raw) <= _SHARED_WORD and raw.isalpha() else raw


class AttributeMixin:
    """Element's attributes and start tag, with the slots that hold them.

    ``_start_raw`` is the start tag as written (``_CANONICAL`` for ``<name>``),
    ``_attrs`` its attributes: None until read; names and raw values in one
    flat tuple ``(name, raw, name, raw, ...)`` once asked for by name;
    :class:`Attr` objects (spacing, quote, place) once :attr:`attributes` is
    asked for.  ``_tag_changed`` says whether the tag must be rebuilt from them.

    The tuple is what a lint of a big file keeps: it asks every attribute for
    its name and value, and an :class:`Attr` for each of them (with its list)
    kept twice the memory for as long as the document lived.
    """

    __slots__ = ("_attrs", "_start_raw", "_tag_changed")

    _attrs: list[Attr] | tuple[str, ...] | None
    _start_raw: str
    _tag_changed: bool

    if TYPE_CHECKING:
        name: str
        start: int
        _end_raw: str | None

        def _touch(self) -> None: ...

    @property
    def attributes(self) -> list[Attr]:
        """The attributes as written, parsed from the start tag on first use."""
        kept = self._attrs
        if not isinstance(kept, list):  # unread, or read as names and values only: made now
            attrs = []
            tag = self._start_raw
            start = self.start
            # findall (tuples, no match objects) is asked of every element with attributes in a
            # big file; the attributes of a tag as written follow each other with nothing between
            # (the whitespace before each is its own), so each name's offset is a running sum
            position = 1 + len(self.name)
            for ws, name, eq, double, single in _ATTR.findall(tag, position):
                quote = tag[position + len(ws) + len(name) + len(eq)]
                raw = double if quote == '"' else single
                # spacing, names, "=" and words such as type="normal" repeat from tag to tag:
                # one string each, not one per attribute
                attr = Attr(intern(ws), intern(name), intern(eq), quote, _shared(raw), start)
                if start >= 0:
                    attr._offset = position + len(ws)  # the name starts after its whitespace
                position += len(ws) + len(name) + len(eq) + len(raw) + 2
                attrs.append(attr)
            self._attrs = kept = attrs[:]  # a copy of exactly its length: appending left room for more
        return kept

    @property
    def has_attributes(self) -> bool:
        """Whether the element has any attribute, answered without reading them.

        Most elements of a config have none: a walk that only wants those
        with attributes need not build an empty list for every element.
        """
        if self._attrs is not None:
            return bool(self._attrs)
        return "=" in self._start_raw  # every attribute has its "="; a tag as written holds no other

    def _pairs(self) -> list[Attr] | tuple[str, ...]:
        """The attributes as read so far: the Attr objects, else the flat (name, raw, ...) tuple, read now."""
        attrs = self._attrs
        if attrs is not None:
            return attrs
        pairs: list[str] = []
        for _ws, name, _eq, double, single in _ATTR.findall(self._start_raw, 1 + len(self.name)):
            pairs.append(intern(name))
            pairs.append(_shared(double or single))  # the group of the value's quote; "" is "" in either
        self._attrs = found = tuple(pairs)
        return found

    def attribute_names(self) -> tuple[str, ...]:
        """The attribute names in the order written."""
        attrs = self._attrs
        if attrs is None:
            if "=" not in self._start_raw:
                return ()
            attrs = self._pairs()
        if isinstance(attrs, tuple):
            return attrs[::2]
        return tuple([attr.name for attr in attrs])

    def attribute_items(self) -> list[tuple[str, str]]:
        """Each attribute's name and raw value (references unexpanded), in the order written."""
        attrs = self._attrs
        if attrs is None:
            if "=" not in self._start_raw:
                return []
            attrs = self._pairs()
        if isinstance(attrs, tuple):
            return list(zip(attrs[::2], attrs[1::2], strict=True))
        return [(attr.name, attr.raw) for attr in attrs]

    def get(self, name: str) -> str | None:
        """The value of attribute ``name``, or None."""
        attrs = self._attrs
        if attrs is None:
            if "=" not in self._start_raw:
                return None  # no attribute: asked of every element, answered without building a list
            attrs = self._pairs()
        if isinstance(attrs, tuple):
            try:
                index = attrs.index(name)
                while index & 1:  # a value written like the name: look on
                    index = attrs.index(name, index + 1)
            except ValueError:
                return None
            return decode_attribute(attrs[index + 1])
        for attr in attrs:
            if attr.name == name:
                return decode_attribute(attr.raw)
        return None

    def attribute(self, name: str) -> Attr | None:
        attrs = self._attrs
        if not isinstance(attrs, list):
            if attrs is None and "=" not in self._start_raw:
                return None
            attrs = self.attributes
        for attr in attrs:
            if attr.name == name:
                return attr
        return None

    @property
    def start_tag(self) -> str:
        """The start tag: as written until an attribute or the tag's form changes."""
        if not self._tag_changed:
            return self._start_raw or f"<{self.name}>"
        tail = _TAG_TAIL.search(self._start_raw)
        space = tail[1] if tail is not None else ""
        close = "/>" if self._end_raw is None else ">"
        if close == ">" and self._start_raw.endswith("/>"):
            space = ""  # <x /> that gained content becomes <x>...</x>
        return "<" + self.name + "".join(a.render() for a in self.attributes) + space + close

    def set(self, name: str, value: str) -> None:
        """Set attribute ``name``; an existing one keeps its place and quote style."""
        attrs = self.attributes
        existing = self.attribute(name)
        if existing is not None:
            existing.raw = escape_attribute(value, existing.quote)
        else:
            quote = attrs[0].quote if attrs else '"'
            attrs.append(Attr(" ", name, "=", quote, escape_attribute(value, quote)))
        self._tag_changed = True
        self._touch()

    def delete(self, name: str) -> None:
        """Remove attribute ``name``."""
        self.attributes[:] = [a for a in self.attributes if a.name != name]
        self._tag_changed = True
        self._touch()
