"""XML Schemas of icecast.xml, one per dialect, derived from the element table.

The schemas are for editors (completion, hover documentation, squiggles) and
for ``icecfg schema --validate``.  They describe what each Icecast release
reads, as :mod:`icecfg.spec` records it:

* every section is a complex type whose children are an unbounded
  ``xs:choice`` of the rows the dialect knows: Icecast accepts its children in
  any order and any number of times (which occurrence counts is the linter's
  business, not the schema's);
* leaves get a value type that accepts what the dialect reads *as meant*:
  numbers may have surrounding whitespace (``atoi`` and ``sscanf`` skip it),
  2.4 booleans are the digits ``0`` and ``1`` (2.4.4 reads ``true`` as 0),
  2.5 booleans also take ``true``/``false``/``yes``/``no``/``on``/``off``,
  enumerations list their words, and 2.5's range checks become bounds;
* attributes are declared where the dialect reads them, ``required`` where
  the table says so; KH also reads a section's scalar children as attributes;
* each declaration carries the row's documentation, default and caveats.

Comments and processing instructions may appear anywhere, as in Icecast.  The
schemas have no target namespace; Icecast ignores namespaces altogether, but an
editor needs documents without one to pick the schema.

``schema()`` needs nothing but the table; :func:`validate` imports
``xmlschema`` and ``lxml`` when called, never at import time, so that linting
does not pay for them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from icecfg import spec
from icecfg.conversion import crashes_if_empty
from icecfg.spec import Dialect, Kind

if TYPE_CHECKING:
    import xmlschema

__all__ = ["file_name", "schema", "schema_path", "validate"]

#: Words each dialect reads as booleans (besides the digits 0 and 1).
_BOOL_WORDS = {
    Dialect.V24: (),
    Dialect.V25: ("true", "false", "yes", "no", "on", "off"),
    Dialect.KH: ("true", "false", "yes", "no"),
}
#: 2.5 ``util_str_to_loglevel`` words (compared case-insensitively).
_LOGLEVEL_WORDS = ("debug", "dbug", "information", "info", "warning", "warn", "error", "eror")
#: Words 2.5's ``str_to_tlsmode`` reads as rfc2818; 0/false/no mean *auto*.
_TLS_TRUE_WORDS = ("true", "yes", "on")

_DIGIT_BOOL = r"\s*[01]\s*"


def file_name(dialect: Dialect | str) -> str:
    """The schema's file name in ``schemas/``, e.g. ``icecast-2.4.xsd``."""
    return f"icecast-{Dialect(dialect).value}.xsd"


def schema(dialect: Dialect | str) -> str:
    """The XML Schema 1.0 document of icecast.xml as ``dialect`` reads it."""
    return _Builder(Dialect(dialect)).build()


def schema_path(dialect: Dialect | str) -> Path:
    """A file holding the dialect's schema, for editors to point at.

    In a source checkout that is the committed ``schemas/icecast-<dialect>.xsd``.
    An installed icecfg has no such folder; it writes the schema once to
    ``$XDG_CACHE_HOME/icecfg/<version>/`` (default ``~/.cache``) and returns
    that file, rewriting it when its content is not the current schema.
    """
    import os

    from icecfg.version import __version__

    name = file_name(dialect)
    content = schema(dialect)
    committed = Path(__file__).resolve().parent.parent / "schemas" / name
    if _holds(committed, content):
        return committed
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    target = cache / "icecfg" / __version__ / name
    if not _holds(target, content):
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{name}.{os.getpid()}.tmp")
        partial.write_text(content, encoding="utf-8")
        os.replace(partial, target)
    return target


def _holds(path: Path, content: str) -> bool:
    try:
        return path.read_text(encoding="utf-8") == content
    except (OSError, UnicodeDecodeError):
        return False


# Building ---------------------------------------------------------------------


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _nocase(word: str) -> str:
    """An XSD regex matching ``word`` in any letter case."""
    return "".join(f"[{c.upper()}{c.lower()}]" if c.isalpha() else _regex_escape(c) for c in word)


def _regex_escape(char: str) -> str:
    return "\\" + char if char in r".\?*+{}()[]|^$-" else char


def _words(words: Iterable[str]) -> list[str]:
    return [_nocase(w) for w in words]


@dataclass
class _SimpleType:
    """A named simple type: its name and the lines inside ``<xs:simpleType>``."""

    name: str
    body: tuple[str, ...]
    doc: str = ""


@dataclass
class _Builder:
    dialect: Dialect
    simple: dict[tuple[str, ...], _SimpleType] = field(default_factory=dict)

    # -- value types -----------------------------------------------------------

    def _named(self, name: str, body: Iterable[str], doc: str = "", *, shared: bool = True) -> str:
        """Register a simple type; ``shared`` types with the same definition are one type."""
        body = tuple(body)
        key = body if shared else (name, *body)
        found = self.simple.get(key)
        if found is not None:
            return found.name
        if any(t.name == name for t in self.simple.values()):
            raise ValueError(f"two different simple types named {name}")
        self.simple[key] = _SimpleType(name, body, doc)
        return name

    def _restriction(self, base: str, facets: Iterable[str]) -> list[str]:
        return [f'<xs:restriction base="{base}">', *(f"  {f}" for f in facets), "</xs:restriction>"]

    def _pattern(self, *alternatives: str) -> list[str]:
        return self._restriction("xs:string", [f'<xs:pattern value="{_escape("|".join(alternatives))}"/>'])

    def _int(self, bounds: tuple[int, int] | None, minimum: int | None = None) -> str:
        if bounds is None and minimum is None:
            return "xs:int"
        lo, hi = bounds if bounds is not None else (minimum, None)
        facets = []
        if lo is not None:
            facets.append(f'<xs:minInclusive value="{lo}"/>')
        if hi is not None:
            facets.append(f'<xs:maxInclusive value="{hi}"/>')
        name = f"int.{lo}..{hi}" if hi is not None else f"int.{lo}.."
        doc = "A whole number; whitespace around it is allowed."
        return self._named(name, self._restriction("xs:int", facets), doc)

    def _bool(self) -> str:
        words = _BOOL_WORDS[self.dialect]
        doc = {
            Dialect.V24: "0 or 1.  Icecast 2.4.4 reads words with atoi: `true` and `yes` mean 0 (false).",
            Dialect.V25: "0 or 1, or true/false, yes/no, on/off (any case, no surrounding whitespace).",
            Dialect.KH: "0 or 1, or true/false, yes/no.",
        }[self.dialect]
        return self._named("bool", self._pattern(_DIGIT_BOOL, *_words(words)), doc)

    def _enum(self, owner: str, choices: tuple[str, ...], case_insensitive: bool) -> str:
        listed = self._restriction("xs:string", [f'<xs:enumeration value="{_escape(c)}"/>' for c in choices])
        if not case_insensitive:
            return self._named(owner, listed, shared=False)
        body = [
            "<xs:union>",
            "  <xs:simpleType>",
            *(f"    {line}" for line in listed),
            "  </xs:simpleType>",
            "  <xs:simpleType>",
            *(f"    {line}" for line in self._pattern(*_words(choices))),
            "  </xs:simpleType>",
            "</xs:union>",
        ]
        return self._named(owner, body, "Compared without regard to letter case.", shared=False)

    def value_type(self, value: spec.Value, owner: str) -> str:
        """The type name for ``value``; ``owner`` names enumerations (``mount.type``)."""
        kind, d = value.kind, self.dialect
        bounds = value.ranges.get(d)
        if kind is Kind.INT:
            return self._int(bounds)
        if kind is Kind.UINT:
            return self._int(bounds, minimum=0)
        if kind is Kind.SIZE:
            if d is Dialect.KH:
                doc = (
                    "Bytes; a k or m suffix multiplies by 1000 or 1000000 (Icecast-KH reads K, M or a space "
                    "before the suffix as no suffix), s means seconds of audio."
                )
                return self._named("size", self._pattern(r"\s*[0-9]+\s*[kKmMsS]?\s*"), doc)
            return self._int(bounds, minimum=0)
        if kind is Kind.BITRATE:
            doc = "Bits per second; a k or m suffix (either case) multiplies by 1000 or 1000000."
            return self._named("bitrate", self._pattern(r"\s*[+-]?[0-9]+[kKmM]?\s*"), doc)
        if kind is Kind.BOOL:
            return self._bool()
        if kind is Kind.ENUM:
            return self._enum(owner, value.choices, value.case_insensitive)
        if kind is Kind.LOGLEVEL:
            if d is Dialect.V24:
                doc = "1 error, 2 warn, 3 info, 4 debug.  2.4.4 reads words as 0 and then logs nothing."
                return self._named("loglevel", self._restriction("xs:int", _bounds(1, 4)), doc)
            if d is Dialect.V25:
                doc = "1 error, 2 warn, 3 info, 4 debug, or the words error, warning, information, debug."
                return self._named("loglevel", self._pattern(r"\s*[1-4]\s*", *_words(_LOGLEVEL_WORDS)), doc)
            return "xs:string"  # KH: words, numbers, subsec and level=N forms
        if kind is Kind.TLS_MODE:
            doc = (
                "disabled, auto, auto_no_plain, rfc2817 or rfc2818 (1, true, yes and on mean rfc2818).  "
                "0, false, no and an empty element mean auto, not disabled: write `disabled`."
            )
            alternatives = _words((*value.choices, *_TLS_TRUE_WORDS))
            return self._named("tls-mode", self._pattern(r"\s*1\s*", *alternatives), doc)
        if kind is Kind.FALLBACK_OVERRIDE:
            if d is not Dialect.V25:
                return self._bool()
            words = _BOOL_WORDS[d]
            doc = "none, all or own; the old 0/1 (and boolean words) still work with a warning."
            return self._named("fallback-override", self._pattern(_DIGIT_BOOL, *_words(value.choices + words)), doc)
        if kind is Kind.PUBLIC:
            digits = r"\s*(-1|0|1)\s*"
            if d is Dialect.V24:
                doc = "1 listed, 0 not listed, -1 the source client decides; 2.4.4 reads `true` as 0."
                return self._named("public", self._pattern(digits), doc)
            words = _BOOL_WORDS[d] + (("client",) if d is Dialect.V25 else ())
            doc = "1 listed, 0 not listed, -1 (2.5: also `client`) the source client decides."
            return self._named("public", self._pattern(digits, *_words(words)), doc)
        if kind is Kind.IP:
            octet = r"(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
            ipv4 = rf"({octet}\.){{3}}{octet}"
            ipv6 = r"[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*(%[0-9A-Za-z_.\-]+)?"
            doc = "A numeric IPv4 or IPv6 address; host names such as localhost fail to bind."
            return self._named("ip", self._pattern(ipv4, ipv6), doc)
        if kind is Kind.REF:
            doc = "A reference to a listen socket's id, written `#id`."
            return self._named("ref", self._pattern(r"#\S+"), doc)
        return "xs:string"

    # -- documentation ---------------------------------------------------------

    def _annotation(self, text: str, indent: str) -> list[str]:
        if not text:
            return []
        return [
            f"{indent}<xs:annotation>",
            f"{indent}  <xs:documentation>{_escape(text)}</xs:documentation>",
            f"{indent}</xs:annotation>",
        ]

    def _row_doc(self, row: spec.ElementRow, alias_of: str | None = None) -> str:
        d = self.dialect
        parts = [row.doc.strip()]
        if alias_of is not None:
            parts.insert(0, f"Another spelling of <{alias_of}>.")
        default = row.default(d)
        if default is not None and row.value is not None and not row.value.secret:
            parts.append(f"Default: {default}.")
        if crashes_if_empty(row, d):
            parts.append(f"Never leave it empty: {d.label} crashes (segfault) on an empty element.")
        if d in row.obsolete:
            parts.append(f"Obsolete in {d.label}: {row.obsolete[d]}.")
        parts.append(f"Known to: {_dialects(row.dialects)}.")
        return " ".join(p for p in parts if p)

    # -- structure -------------------------------------------------------------

    def _block(self, row: spec.ElementRow) -> spec.SectionRow | None:
        """The section ``row`` opens in this dialect, or None when it is a leaf here."""
        if row.section is None:
            return None
        section = spec.SECTIONS[row.section]
        if self.dialect not in section.dialects:
            if row.value is None:
                raise ValueError(f"<{row.name}> opens {section.id}, which {self.dialect.label} lacks")
            return None
        return section

    def _rows(self, section: spec.SectionRow) -> list[spec.ElementRow]:
        return [row for row in section.children if self.dialect in row.dialects]

    def _attributes(self, owner: str, attributes: Iterable[spec.AttributeRow], indent: str) -> list[str]:
        lines: list[str] = []
        for attribute in attributes:
            if self.dialect not in attribute.dialects:
                continue
            type_name = self.value_type(attribute.value, f"{owner}.{attribute.name}")
            # XSD 1.0 cannot say "this attribute or its alias": an aliased one stays optional
            required = self.dialect in attribute.required and not attribute.aliases
            doc = attribute.doc
            if attribute.default is not None:
                doc = f"{doc} Default: {attribute.default}."
            for name in (attribute.name, *attribute.aliases):
                use = ' use="required"' if required else ""
                text = doc if name == attribute.name else f"Another spelling of {attribute.name}. {doc}"
                lines.append(f'{indent}<xs:attribute name="{name}" type="{type_name}"{use}>')
                lines += self._annotation(text.strip(), indent + "  ")
                lines.append(f"{indent}</xs:attribute>")
        return lines

    def _kh_attributes(self, section: spec.SectionRow, indent: str) -> list[str]:
        """KH reads a section's scalar children also as its attributes (``port="8000"``)."""
        if self.dialect is not Dialect.KH:
            return []
        declared = {n for a in section.attributes for n in (a.name, *a.aliases)}
        lines: list[str] = []
        for name, row in section.kh_attribute_children().items():
            if name in declared:
                continue
            declared.add(name)
            assert row.value is not None
            type_name = self.value_type(row.value, f"{section.id}.{row.name}")
            lines.append(f'{indent}<xs:attribute name="{name}" type="{type_name}">')
            doc = f"Same as the child element <{row.name}>. {self._row_doc(row)}"
            lines += self._annotation(doc, indent + "  ")
            lines.append(f"{indent}</xs:attribute>")
        return lines

    def _child(self, section: spec.SectionRow, row: spec.ElementRow, name: str, indent: str) -> list[str]:
        alias_of = row.name if name != row.name else None
        doc = self._annotation(self._row_doc(row, alias_of), indent + "  ")
        block = self._block(row)
        if block is not None:
            mixed = row.value is not None
            type_name = self.complex_name(block, mixed)
            return [f'{indent}<xs:element name="{name}" type="{type_name}">', *doc, f"{indent}</xs:element>"]
        assert row.value is not None
        type_name = self.value_type(row.value, f"{section.id}.{row.name}")
        own = [a for a in row.attributes if self.dialect in a.dialects]
        if not own:
            return [f'{indent}<xs:element name="{name}" type="{type_name}">', *doc, f"{indent}</xs:element>"]
        inner = indent + "  "
        return [
            f'{indent}<xs:element name="{name}">',
            *doc,
            f"{inner}<xs:complexType>",
            f"{inner}  <xs:simpleContent>",
            f'{inner}    <xs:extension base="{type_name}">',
            *self._attributes(f"{section.id}.{row.name}", own, inner + "      "),
            f"{inner}    </xs:extension>",
            f"{inner}  </xs:simpleContent>",
            f"{inner}</xs:complexType>",
            f"{indent}</xs:element>",
        ]

    def complex_name(self, section: spec.SectionRow, mixed: bool = False) -> str:
        return f"{section.id}.or-text" if mixed else section.id

    def _complex(self, section: spec.SectionRow, mixed: bool) -> list[str]:
        name = self.complex_name(section, mixed)
        head = f'  <xs:complexType name="{name}"' + (' mixed="true">' if mixed else ">")
        lines = [head]
        doc = section.doc
        if mixed:
            doc = f"{doc} Written either as a plain value or as this block."
        lines += self._annotation(doc, "    ")
        rows = self._rows(section)
        attributes = "    "
        if rows:
            lines.append('    <xs:choice minOccurs="0" maxOccurs="unbounded">')
            seen: set[str] = set()
            for row in rows:
                for child_name in (row.name, *row.aliases):
                    if child_name in seen:
                        raise ValueError(f"{section.id}: two rows named <{child_name}> in {self.dialect.label}")
                    seen.add(child_name)
                    lines += self._child(section, row, child_name, "      ")
            lines.append("    </xs:choice>")
        else:
            # only attributes: whitespace (and comments) inside are fine, anything else is not
            doc = "Nothing but whitespace."
            blank = self._named("blank", self._pattern(r"\s*"), doc)
            lines += ["    <xs:simpleContent>", f'      <xs:extension base="{blank}">']
            attributes = "        "
        lines += self._attributes(section.id, section.attributes, attributes)
        lines += self._kh_attributes(section, attributes)
        if not rows:
            lines += ["      </xs:extension>", "    </xs:simpleContent>"]
        lines.append("  </xs:complexType>")
        return lines

    def _reachable(self) -> list[tuple[spec.SectionRow, bool]]:
        """(section, mixed) pairs that need a complex type, root first, in table order."""
        found: set[tuple[str, bool]] = {(spec.ROOT.id, False)}
        todo = [spec.ROOT]
        while todo:
            section = todo.pop()
            for row in self._rows(section):
                block = self._block(row)
                if block is None:
                    continue
                key = (block.id, row.value is not None)
                if key not in found:
                    found.add(key)
                    todo.append(block)
        order = {s.id: i for i, s in enumerate(spec.SECTIONS.values())}
        pairs = sorted(found, key=lambda k: (order[k[0]], k[1]))
        return [(spec.SECTIONS[sid], mixed) for sid, mixed in pairs]

    def build(self) -> str:
        d = self.dialect
        complex_lines: list[str] = []
        for section, mixed in self._reachable():
            complex_lines.append("")
            complex_lines += self._complex(section, mixed)
        simple_lines: list[str] = []
        for simple in sorted(self.simple.values(), key=lambda t: t.name):
            simple_lines.append("")
            simple_lines.append(f'  <xs:simpleType name="{simple.name}">')
            simple_lines += self._annotation(simple.doc, "    ")
            simple_lines += [f"    {line}" for line in simple.body]
            simple_lines.append("  </xs:simpleType>")
        root_doc = (
            f"icecast.xml for {d.label}.  Generated from icecfg's element table "
            "(icecfg/spec.py) by scripts/generate.py: do not edit."
        )
        lines = [
            '<?xml version="1.0" encoding="UTF-8"?>',
            f"<!-- XML Schema of icecast.xml as {d.label} reads it.",
            "     Generated from icecfg/spec.py by scripts/generate.py; do not edit. -->",
            '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" elementFormDefault="unqualified">',
            *self._annotation(root_doc, "  "),
            "",
            f'  <xs:element name="{spec.ROOT.tag}" type="{self.complex_name(spec.ROOT)}">',
            *self._annotation(spec.ROOT.doc, "    "),
            "  </xs:element>",
            *complex_lines,
            *simple_lines,
            "</xs:schema>",
        ]
        return "\n".join(lines) + "\n"


def _bounds(lo: int, hi: int) -> list[str]:
    return [f'<xs:minInclusive value="{lo}"/>', f'<xs:maxInclusive value="{hi}"/>']


def _dialects(dialects: frozenset[Dialect]) -> str:
    return ", ".join(d.label for d in Dialect if d in dialects)


# Validating -------------------------------------------------------------------


@cache
def _compiled(dialect: Dialect) -> xmlschema.XMLSchema10:
    import xmlschema

    return xmlschema.XMLSchema10(schema(dialect))


@cache
def _type_docs(dialect: Dialect) -> dict[str, str]:
    """Simple type name -> its documentation, for readable value errors."""
    builder = _Builder(dialect)
    builder.build()
    docs = {t.name: t.doc for t in builder.simple.values() if t.doc}
    docs["int"] = "a whole number"
    return docs


def validate(data: bytes, dialect: Dialect | str) -> list[str]:
    """Errors of ``data`` (an icecast.xml) against the dialect's schema; empty when valid.

    Each error is one line, ``line N: /icecast/path: what is wrong``.
    Comments and processing instructions are dropped first (Icecast skips
    them, even inside a value).  A document icecfg does not read (not
    well-formed, DTD entity declarations, nested too deep, beyond the size
    limit) is refused by the document reader, as everywhere in icecfg: one
    error at the line ``icecfg lint`` names for it (ICE001).
    """
    from lxml import etree

    from icecfg.document import parse
    from icecfg.errors import ParseError

    target = Dialect(dialect)
    try:
        parse(data, root_name=None)  # any root: the schema says what it expects instead
    except ParseError as err:
        return [f"line {err.line}: {err.message}" if err.line else err.message]
    parser = etree.XMLParser(
        resolve_entities=False,
        load_dtd=False,
        no_network=True,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as err:  # expat read it; should libxml2 disagree, its position
        line = err.position[0] if err.position else 0
        return [f"line {line}: not well-formed XML: {err.msg}"]
    tree: Any = root  # an lxml element: xmlschema reads it like an ElementTree element
    found = _compiled(target).iter_errors(tree, use_location_hints=False)  # never fetch xsi:schemaLocation
    messages = [_message(error, target) for error in found]
    return [text for _line, text in sorted(messages, key=lambda m: m[0])]


def _local(tag: object) -> str:
    text = str(tag)
    return text.rsplit("}", 1)[-1]


def _message(error: xmlschema.XMLSchemaValidationError, dialect: Dialect) -> tuple[int, str]:
    """One line for one validation error, naming the element and what the dialect expects."""
    import re

    from xmlschema.validators import XsdPatternFacets

    elem = error.elem
    line = getattr(elem, "sourceline", None)
    path = error.path or "/"
    reason = error.reason or error.message
    child = error.invalid_child
    if child is not None:
        line = getattr(child, "sourceline", line)
        parent = _local(elem.tag) if elem is not None else "?"
        name = _local(child.tag)
        return _at(line, f"{path}/{name}: <{name}> is not an element of <{parent}> in {dialect.label}")
    if elem is not None and "can't have child elements" in reason:
        return _at(line, f"{path}: <{_local(elem.tag)}> takes no child elements in {dialect.label}")
    unread = re.match(r"'([^']+)' attribute not allowed", reason)
    if unread is not None and elem is not None:
        return _at(line, f"{path}: {dialect.label} reads no attribute {unread[1]} on <{_local(elem.tag)}>")
    type_name = None
    validator: object = error.validator
    while validator is not None and type_name is None:
        type_name = getattr(validator, "local_name", None)
        validator = getattr(validator, "parent", None)
    described = _type_docs(dialect).get(type_name or "")
    what = f"<{_local(elem.tag)}>" if elem is not None else "value"
    attribute = re.match(r"attribute ([\w:.-]+)=", reason)
    if attribute is not None:
        what = f"attribute {attribute[1]} of {what}"
        reason = reason.split(": ", 1)[-1]
    value = error.obj
    if isinstance(value, (str, int)) and not hasattr(value, "tag"):
        shown = "an empty value" if value == "" else repr(value)
        if described and (isinstance(error.validator, XsdPatternFacets) or "invalid literal" in reason):
            reason = described
        elif "invalid literal" in reason:
            reason = "not a whole number"
        return _at(line, f"{path}: {what}: {shown} is invalid: {reason}")
    return _at(line, f"{path}: {what}: {reason}")


def _at(line: object, text: str) -> tuple[int, str]:
    number = line if isinstance(line, int) else 0
    return number, f"line {number or '?'}: {text}"
