"""The element table: every element and attribute of icecast.xml, per dialect.

This module is the single source of truth about icecast.xml.  The typed model,
the structure and value lint rules, the XSDs in ``schemas/`` and the element
reference in ``docs/`` are all derived from it, so supporting a new element is
one row here rather than five edits in five places.

The facts come from reading Icecast's ``src/cfgfile.c`` (2.4.4, 2.5.0-rc2 and
the KH fork) and from experiments on the Debian 2.4.4 binary; each row's
``source`` names where.

Vocabulary
----------
* A *section* is an element with element children (``<limits>``, ``<mount>``)
  or one that is only attributes (``<alias/>``, ``<header/>``).  Sections are
  identified by a *section id* such as ``"mount"`` or ``"mount-authentication"``;
  the same tag can mean different sections under different parents
  (``<authentication>`` at the root holds passwords, in a mount it holds an
  authenticator).
* A *leaf* is an element whose text is a value (``<clients>100</clients>``).
* ``Repeat`` says what Icecast does when an element occurs more than once.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterator, Mapping
from types import MappingProxyType

from icecfg.records import FrozenRecord

#: What messages call each target.
_LABELS = {"2.4": "Icecast 2.4.4", "2.5": "Icecast 2.5", "kh": "Icecast-KH"}


class Dialect(str, enum.Enum):
    """An Icecast release line whose parser icecfg models."""

    V24 = "2.4"
    V25 = "2.5"
    KH = "kh"

    @property
    def label(self) -> str:
        """Human name used in messages."""
        return _LABELS[self.value]

    @classmethod
    def _missing_(cls, value: object) -> Dialect:
        """The spellings users write for a target: any case, a full release number.

        ``KH`` and ``icecast-kh``; ``2.4.4`` (any 2.4 release); ``2.5.0`` and
        ``2.5.0-rc2``.  This is the one parser of targets: the command line,
        the settings file and the API all go through ``Dialect(text)``, and
        a word that is no release gets one ValueError that lists the spellings.
        """
        if isinstance(value, str):
            word = value.strip().lower()
            if word in ("kh", "icecast-kh"):
                return cls.KH
            match = _RELEASE.fullmatch(word)
            if match is not None:
                return cls.V24 if match[1] == "4" else cls.V25
        raise ValueError(f"unknown target {value!r} ({TARGET_SPELLINGS})")


#: What an unknown target's message offers instead.
TARGET_SPELLINGS = "2.4, 2.5 or kh; 2.4.4, 2.5.0, KH"
#: 2.4, 2.4.4, 2.5, 2.5.0, 2.5.0-rc2, 2.5-beta3 (the group is the minor number)
_RELEASE = re.compile(r"2\.([45])(?:\.\d+)?(?:-?(?:alpha|beta|rc)\d*)?")

ALL: frozenset[Dialect] = frozenset(Dialect)
V24: frozenset[Dialect] = frozenset({Dialect.V24})
V25: frozenset[Dialect] = frozenset({Dialect.V25})
KH: frozenset[Dialect] = frozenset({Dialect.KH})
V24_V25: frozenset[Dialect] = frozenset({Dialect.V24, Dialect.V25})
V24_KH: frozenset[Dialect] = frozenset({Dialect.V24, Dialect.KH})
V25_KH: frozenset[Dialect] = frozenset({Dialect.V25, Dialect.KH})


class Repeat(str, enum.Enum):
    """What Icecast does with a second occurrence of the same element."""

    LAST = "last"  # scalar: the last occurrence wins
    FIRST = "first"  # kept in order, lookup takes the first match (mounts)
    ACC = "acc"  # occurrences accumulate in a list (listen sockets, headers)
    EACH = "each"  # a section parsed each time; its fields merge, last wins


class Kind(str, enum.Enum):
    """How a value is written and how each dialect converts it."""

    STRING = "string"  # free text, never trimmed by Icecast
    PASSWORD = "password"  # free text that is a secret: never printed
    INT = "int"  # 2.4: atoi; 2.5: atoi + range check; KH: sscanf %d
    UINT = "uint"  # unsigned int (2.5 strtol without trailing junk)
    BOOL = "bool"  # 2.4: atoi (true == 0!); 2.5/KH: words and numbers
    ENUM = "enum"  # one of ``choices``
    PATH = "path"  # a filesystem path (file or directory) on the server
    FILENAME = "filename"  # a file name relative to a directory (log names)
    MOUNT = "mount"  # a mount point path, should start with "/"
    HOST = "host"  # a host name or address
    IP = "ip"  # a numeric IP address (bind addresses)
    URL = "url"
    MIME = "mime"  # a MIME type
    LOGLEVEL = "loglevel"  # 1..4; 2.5 and KH also take words
    TLS_MODE = "tls-mode"  # 2.5 <tls>: disabled|auto|auto_no_plain|rfc2817|rfc2818
    FALLBACK_OVERRIDE = "fallback-override"  # 2.4 bool, 2.5 none|all|own
    PUBLIC = "public"  # -1/0/1, 2.5 also true/false/client
    SIZE = "size"  # bytes; KH also takes k/m/s suffixes
    BITRATE = "bitrate"  # bits per second with a k/K or m/M suffix (KH config_get_bitrate)
    CIPHERS = "ciphers"  # an OpenSSL cipher list
    REF = "ref"  # "#id" reference to a listen socket (2.5)
    METHODS = "methods"  # comma list of HTTP methods or "*" (2.5 roles)


class Value(FrozenRecord):
    """The value type of a leaf element or an attribute."""

    __slots__ = ("case_insensitive", "choices", "kind", "ranges")
    kind: Kind
    #: Inclusive ranges per dialect where that dialect checks them (2.5, KH).
    ranges: Mapping[Dialect, tuple[int, int]]
    #: Allowed words for ENUM (and the words TLS_MODE etc. know).
    choices: tuple[str, ...]
    #: Whether ENUM words are compared case-insensitively.
    case_insensitive: bool

    def __init__(
        self,
        kind: Kind,
        ranges: Mapping[Dialect, tuple[int, int]] | None = None,
        choices: tuple[str, ...] = (),
        case_insensitive: bool = False,
    ) -> None:
        _set = object.__setattr__
        _set(self, "kind", kind)
        _set(self, "ranges", {} if ranges is None else ranges)
        _set(self, "choices", choices)
        _set(self, "case_insensitive", case_insensitive)

    @property
    def numeric(self) -> bool:
        """True for kinds Icecast 2.4 reads with atoi (and so crash on empty)."""
        return self.kind in _NUMERIC

    @property
    def secret(self) -> bool:
        """True when the value must never appear in output."""
        return self.kind is Kind.PASSWORD


_NUMERIC = frozenset({Kind.INT, Kind.UINT, Kind.BOOL, Kind.FALLBACK_OVERRIDE, Kind.PUBLIC, Kind.SIZE, Kind.BITRATE})


class AttributeRow(FrozenRecord):
    """One attribute of an element."""

    __slots__ = ("aliases", "default", "dialects", "doc", "name", "required", "value")
    name: str
    value: Value
    dialects: frozenset[Dialect]
    required: frozenset[Dialect]
    default: str | None
    #: Other spellings Icecast accepts for the same attribute (``dest``).
    aliases: tuple[str, ...]
    doc: str

    def __init__(
        self,
        name: str,
        value: Value,
        dialects: frozenset[Dialect] = ALL,
        required: frozenset[Dialect] = frozenset(),
        default: str | None = None,
        aliases: tuple[str, ...] = (),
        doc: str = "",
    ) -> None:
        _set = object.__setattr__
        _set(self, "name", name)
        _set(self, "value", value)
        _set(self, "dialects", dialects)
        _set(self, "required", required)
        _set(self, "default", default)
        _set(self, "aliases", aliases)
        _set(self, "doc", doc)


class Replacement(FrozenRecord):
    """How a later release writes what an element says (``icecfg migrate`` follows it).

    Every field left at its default means "as before": a row with
    ``Replacement(name="icy-metadata-interval")`` is renamed in place, one with
    ``path=("security", "tls-context")`` moves into that section (created
    where needed), one with ``wrap`` moves into a child block of its parent.
    ``values`` maps what the old release *did* (its effective value written
    canonically: ``1``/``0`` for booleans, digits for numbers) to the new text;
    a value that maps to None means the element goes away with nothing in its
    place (``<burst-on-connect>1`` is the default).
    """

    __slots__ = ("drop", "form", "name", "path", "unused", "values", "wrap")
    #: New tag name; None keeps the name.
    name: str | None
    #: Section tags from the root down to the new parent; empty keeps the parent.
    path: tuple[str, ...]
    #: A child block of the parent to move into: tag and attributes (``<upstream type="default">``).
    wrap: tuple[str, tuple[tuple[str, str], ...]] | None
    #: Old effective value (canonical text) -> new text; None removes the element.
    values: Mapping[str, str | None]
    #: A conversion too structural for the fields above, done by ``icecfg.migrate.forms``.
    form: str | None
    #: No equivalent: the element is removed, and its effect is lost unless ``unused``.
    drop: bool
    #: The old release parsed the element but nothing used it: removing it changes nothing.
    unused: bool

    def __init__(
        self,
        name: str | None = None,
        path: tuple[str, ...] = (),
        wrap: tuple[str, tuple[tuple[str, str], ...]] | None = None,
        values: Mapping[str, str | None] | None = None,
        form: str | None = None,
        drop: bool = False,
        unused: bool = False,
    ) -> None:
        _set = object.__setattr__
        _set(self, "name", name)
        _set(self, "path", path)
        _set(self, "wrap", wrap)
        _set(self, "values", {} if values is None else values)
        _set(self, "form", form)
        _set(self, "drop", drop)
        _set(self, "unused", unused)


class ElementRow(FrozenRecord):
    """One row of the table: a child element of a section.

    Exactly one of ``value`` (a leaf) and ``section`` (a block) is usually set;
    KH accepts some leaves in a block form, in which case both are set and the
    element is read as a block when it has element children.
    """

    __slots__ = (
        "aliases",
        "attributes",
        "crash_if_empty",
        "crash_if_empty_also",
        "defaults",
        "dialects",
        "doc",
        "harmless",
        "name",
        "obsolete",
        "py_name",
        "removed",
        "repeat",
        "replacement",
        "section",
        "source",
        "value",
    )
    name: str
    dialects: frozenset[Dialect]
    value: Value | None
    section: str | None
    repeat: Repeat
    #: Default per dialect as Icecast would read it (text form), or None.
    defaults: Mapping[Dialect, str | None]
    attributes: tuple[AttributeRow, ...]
    #: 2.4.4 reads it with atoi(NULL) when empty and segfaults.
    crash_if_empty: bool
    #: Other dialects that segfault on it when empty (2.5.0: ``strcasecmp(NULL)`` for <loglevel>).
    crash_if_empty_also: frozenset[Dialect]
    #: Dialect -> replacement advice where that dialect calls it obsolete.
    obsolete: Mapping[Dialect, str]
    #: Dialect -> message where that dialect rejects it outright.
    removed: Mapping[Dialect, str]
    #: Dialect -> how that dialect writes the same thing (what ``icecfg migrate`` rewrites it to).
    replacement: Mapping[Dialect, Replacement]
    #: Dialects that do not read the element although ignoring it changes nothing there:
    #: dialect -> the one value for which that holds (None: whatever the value).
    harmless: Mapping[Dialect, str | None]
    #: Other tag names Icecast accepts for the same element.
    aliases: tuple[str, ...]
    #: Python attribute name in the model when the naming rule would clash.
    py_name: str | None
    doc: str
    source: str

    def __init__(
        self,
        name: str,
        dialects: frozenset[Dialect],
        value: Value | None = None,
        section: str | None = None,
        repeat: Repeat = Repeat.LAST,
        defaults: Mapping[Dialect, str | None] | None = None,
        attributes: tuple[AttributeRow, ...] = (),
        crash_if_empty: bool = False,
        crash_if_empty_also: frozenset[Dialect] = frozenset(),
        obsolete: Mapping[Dialect, str] | None = None,
        removed: Mapping[Dialect, str] | None = None,
        replacement: Mapping[Dialect, Replacement] | None = None,
        harmless: Mapping[Dialect, str | None] | None = None,
        aliases: tuple[str, ...] = (),
        py_name: str | None = None,
        doc: str = "",
        source: str = "",
    ) -> None:
        _set = object.__setattr__
        _set(self, "name", name)
        _set(self, "dialects", dialects)
        _set(self, "value", value)
        _set(self, "section", section)
        _set(self, "repeat", repeat)
        _set(self, "defaults", {} if defaults is None else defaults)
        _set(self, "attributes", attributes)
        _set(self, "crash_if_empty", crash_if_empty)
        _set(self, "crash_if_empty_also", crash_if_empty_also)
        _set(self, "obsolete", {} if obsolete is None else obsolete)
        _set(self, "removed", {} if removed is None else removed)
        _set(self, "replacement", {} if replacement is None else replacement)
        _set(self, "harmless", {} if harmless is None else harmless)
        _set(self, "aliases", aliases)
        _set(self, "py_name", py_name)
        _set(self, "doc", doc)
        _set(self, "source", source)

    @property
    def is_section(self) -> bool:
        return self.section is not None

    def default(self, dialect: Dialect) -> str | None:
        """The default Icecast uses in ``dialect`` when the element is absent."""
        return self.defaults.get(dialect)


class SectionRow(FrozenRecord):
    """A block element type: its children and attributes."""

    __slots__ = ("attributes", "children", "dialects", "doc", "id", "kh_children_as_attributes", "tag")
    id: str
    tag: str
    dialects: frozenset[Dialect]
    children: tuple[ElementRow, ...]
    attributes: tuple[AttributeRow, ...]
    #: KH reads any scalar child also as an attribute of this element.
    kh_children_as_attributes: bool
    doc: str

    def __init__(
        self,
        id: str,
        tag: str,
        dialects: frozenset[Dialect],
        children: tuple[ElementRow, ...] = (),
        attributes: tuple[AttributeRow, ...] = (),
        kh_children_as_attributes: bool = True,
        doc: str = "",
    ) -> None:
        _set = object.__setattr__
        _set(self, "id", id)
        _set(self, "tag", tag)
        _set(self, "dialects", dialects)
        _set(self, "children", children)
        _set(self, "attributes", attributes)
        _set(self, "kh_children_as_attributes", kh_children_as_attributes)
        _set(self, "doc", doc)

    def child(self, name: str, dialect: Dialect | None = None) -> ElementRow | None:
        """The row for child ``name`` (by tag or alias), optionally in one dialect."""
        key = (id(self), name, dialect)
        try:
            return _CHILD_ROW[key]  # asked once per element of a file: answered from memory
        except KeyError:
            pass
        found = self._child(name, dialect)
        if len(_CHILD_ROW) < _CHILD_ROW_LIMIT:  # unknown names are the file's, not the table's: bound them
            _CHILD_ROW[key] = found
        return found

    def _child(self, name: str, dialect: Dialect | None) -> ElementRow | None:
        index = _CHILD_INDEX.get(id(self))
        if index is None:
            index = {}
            for row in self.children:
                for tag in (row.name, *row.aliases):
                    index.setdefault(tag, []).append(row)
            _CHILD_INDEX[id(self)] = index
        for row in index.get(name, ()):
            if dialect is None or dialect in row.dialects:
                return row
        return None

    def kh_attribute_children(self) -> Mapping[str, ElementRow]:
        """Children KH also reads when written as attributes of this section: name or alias -> row.

        KH's table-driven parser takes a scalar child as an attribute of its
        parent (``<listen-socket port="8000"/>``), except where its table says
        otherwise (:data:`KH_NOT_ATTRIBUTES`) and for children it reads with a
        block parser (rows with a ``section``, such as the log files), which
        ignores an attribute's value.
        """
        found = _KH_ATTRIBUTE_INDEX.get(id(self))
        if found is None:
            found = {}
            if self.kh_children_as_attributes and Dialect.KH in self.dialects:
                for row in self.children:
                    if row.value is None or row.section is not None or Dialect.KH not in row.dialects:
                        continue
                    for name in (row.name, *row.aliases):
                        if (self.id, name) not in KH_NOT_ATTRIBUTES:
                            found[name] = row
            _KH_ATTRIBUTE_INDEX[id(self)] = found
        return found

    def attribute(self, name: str, dialect: Dialect | None = None) -> AttributeRow | None:
        for attr in self.attributes:
            if (name == attr.name or name in attr.aliases) and (dialect is None or dialect in attr.dialects):
                return attr
        return None


#: Section id -> child name -> rows, built on first lookup (sections live for the process).
_CHILD_INDEX: dict[int, dict[str, list[ElementRow]]] = {}
#: SectionRow.child answers by (section, name, dialect); sections live as long as the module.
_CHILD_ROW: dict[tuple[int, str, Dialect | None], ElementRow | None] = {}
_CHILD_ROW_LIMIT = 4096
#: Section id -> what ``kh_attribute_children`` found, likewise.
_KH_ATTRIBUTE_INDEX: dict[int, dict[str, ElementRow]] = {}

#: (section, child) pairs KH does not read from an attribute although the section
#: takes its other scalar children so: flagged CFG_TAG_NOTATTR in KH's tables (a
#: mount's type and subtype clash with the xiph ``type`` attribute), or handed to a
#: block parser that ignores the attribute's value (``fallback-mount`` goes to
#: ``_parse_fallback``, KH cfgfile.c).
KH_NOT_ATTRIBUTES = frozenset({("mount", "type"), ("mount", "subtype"), ("mount", "fallback-mount")})

#: (section, attribute, dialect) -> the value that dialect ignores without a change: it
#: does not read the attribute, but what the value asks for is what it does anyway
#: (every KH mount is a normal one; KH logs nothing).  No dialect finding for it.
HARMLESS_FOREIGN_ATTRIBUTES: Mapping[tuple[str, str, Dialect], str] = MappingProxyType(
    {("mount", "type", Dialect.KH): "normal"}
)


def _d(v24: str | None = None, v25: str | None = None, kh: str | None = None) -> dict[Dialect, str | None]:
    """Defaults per dialect; pass the same text three times when they agree."""
    return {Dialect.V24: v24, Dialect.V25: v25, Dialect.KH: kh}


def _same(default: str | None) -> dict[Dialect, str | None]:
    return _d(default, default, default)


# Common value types -----------------------------------------------------------
STRING = Value(Kind.STRING)
PASSWORD = Value(Kind.PASSWORD)
BOOL = Value(Kind.BOOL)
PATH = Value(Kind.PATH)
MOUNT = Value(Kind.MOUNT)
HOST = Value(Kind.HOST)
IP = Value(Kind.IP)
URL = Value(Kind.URL)
INT = Value(Kind.INT)
PORT = Value(Kind.INT, ranges={Dialect.V25: (1, 65535), Dialect.KH: (1, 65535)})
UINT = Value(Kind.UINT)
SIZE = Value(Kind.SIZE)
BITRATE = Value(Kind.BITRATE)
FILENAME = Value(Kind.FILENAME)
MIME = Value(Kind.MIME)
CIPHERS = Value(Kind.CIPHERS)
LOGLEVEL = Value(Kind.LOGLEVEL)
REF = Value(Kind.REF)
METHODS = Value(Kind.METHODS)
#: A listen port that 2.5 reads with plain ``util_str_to_int`` (no range check).
LISTEN_PORT = Value(Kind.INT, ranges={Dialect.KH: (1, 65535)})
TLS_MODE = Value(Kind.TLS_MODE, choices=("disabled", "auto", "auto_no_plain", "rfc2817", "rfc2818"))
FALLBACK_OVERRIDE = Value(Kind.FALLBACK_OVERRIDE, choices=("none", "all", "own"))
PUBLIC = Value(Kind.PUBLIC)

_MIB16 = 16 * 1024 * 1024
_INT_MAX = 2**31 - 1


def _timeout(lo: int = 2, hi: int = 600) -> Value:
    return Value(Kind.INT, ranges={Dialect.V25: (lo, hi)})


def _enum(*choices: str, case_insensitive: bool = False) -> Value:
    return Value(Kind.ENUM, choices=choices, case_insensitive=case_insensitive)


#: The triggers Icecast 2.5 emits (``event.c``); an event bound to any other
#: trigger is accepted but never fires.
EVENT_TRIGGERS: tuple[str, ...] = (
    "icecast-start",
    "icecast-stop",
    "icecast-active",
    "icecast-idle",
    "source-connect",
    "source-disconnect",
    "source-flags-changed",
    "source-listener-attach",
    "source-listeners-changed",
    "source-listeners-is-zero",
    "format-metadata-changed",
    "dumpfile-opened",
    "dumpfile-closed",
    "dumpfile-error",
)

# Where each parser lives (cfgfile.c of 2.4.4 unless marked) --------------------
_SRC_ROOT = "cfgfile.c l.453-586; [2.5] l.1317-1520; [KH] l.1871-1951"
_SRC_LIMITS = "cfgfile.c l.588-636; [2.5] l.1522-1564; [KH] l.1746-1771"
_SRC_AUTH = "cfgfile.c l.1045-1084; [2.5] l.2398-2486"
_SRC_DIRECTORY = "cfgfile.c l.1086-1121; yp.c l.250-252"
_SRC_YP = "[2.5] cfgfile.c l.2535-2599"
_SRC_LISTEN = "cfgfile.c l.973-1043; [2.5] l.2304-2396; [KH] l.1805-1869"
_SRC_HEADERS = "cfgfile.c l.834-890; [2.5] l.2041-2111"
_SRC_RELAY = "cfgfile.c l.892-971; [2.5] l.2113-2302; [KH] l.1640-1715"
_SRC_MOUNT = "cfgfile.c l.638-832; [2.5] l.1762-2039; [KH] l.1439-1585"
_SRC_MOUNT_AUTH = "auth.c l.637-699; [2.5] cfgfile.c l.1566-1760"
_SRC_ROLE = "[2.5] auth.c l.798-1010; acl.c l.124-215"
_SRC_EVENTS = "[2.5] cfgfile.c l.3020-3030; event.c l.335-377"
_SRC_PATHS = "cfgfile.c l.1123-1214; [2.5] l.2681-2811; [KH] l.1177-1213"
_SRC_RESOURCE = "[2.5] cfgfile.c l.2601-2679"
_SRC_LOGGING = "cfgfile.c l.1216-1255; [2.5] l.2813-2885; [KH] l.1032-1096"
_SRC_SECURITY = "cfgfile.c l.1257-1289; [2.5] l.2938-3018"

# Shared attribute sets ----------------------------------------------------------
_TLS_IMPLEMENTATION = AttributeRow(
    "implementation",
    _enum("generic"),
    V25,
    aliases=("impl",),
    doc="TLS library selector; the only accepted value is `generic`.",
)

_OBSOLETE_TLS_PATHS = {Dialect.V25: "use <security><tls-context>"}
_UPSTREAM_BLOCK = ("upstream", (("type", "default"),))
_UPSTREAM = {Dialect.V25: Replacement(wrap=_UPSTREAM_BLOCK)}
_TLS_CONTEXT_CERTIFICATE = {Dialect.V25: Replacement(name="tls-certificate", path=("security", "tls-context"))}
_TLS_CONTEXT_CIPHERS = {Dialect.V25: Replacement(name="tls-allowed-ciphers", path=("security", "tls-context"))}


def _alias_attributes(dialects: frozenset[Dialect]) -> tuple[AttributeRow, ...]:
    """Attributes of ``<alias>``; 2.5 treats ``<alias>`` exactly like ``<resource>``."""
    base = dialects - V25
    return (
        AttributeRow(
            "source",
            STRING,
            dialects,
            required=base,
            doc="Request path to rewrite, compared with strcmp; 2.5 uses destination when only that is set.",
        ),
        AttributeRow(
            "destination",
            STRING,
            dialects,
            required=base,
            aliases=("dest",),
            doc="Path the request is rewritten to; without it the alias is silently dropped (2.4).",
        ),
        AttributeRow(
            "port",
            INT,
            dialects,
            default="-1",
            doc="Only apply on this server port; -1 means any port.",
        ),
        AttributeRow(
            "bind-address",
            IP,
            dialects,
            doc="Only apply to connections accepted on this bind address.",
        ),
        AttributeRow(
            "listen-socket",
            REF,
            dialects & V25,
            doc="`#id` of the listen socket the resource applies to.",
        ),
        AttributeRow("vhost", HOST, dialects & V25, doc="Only apply to requests for this virtual host."),
        AttributeRow("module", STRING, dialects & V25, doc="Module that serves the resource."),
        AttributeRow("handler", STRING, dialects & V25, doc="Handler of the module that serves the resource."),
        AttributeRow(
            "omode",
            _enum("default", "normal", "legacy-compat", "legacy", "strict"),
            dialects & V25,
            default="default",
            doc="Operation mode for requests matched by this resource.",
        ),
        AttributeRow(
            "prefixmatch",
            BOOL,
            dialects & V25,
            default="0",
            doc="Match `source` as a prefix instead of the whole path.",
        ),
    )


_ACL_ATTRIBUTES: tuple[AttributeRow, ...] = (
    AttributeRow("allow-method", METHODS, V25, doc="HTTP methods this role may use (`*` for all)."),
    AttributeRow("deny-method", METHODS, V25, doc="HTTP methods this role may not use."),
    AttributeRow("allow-admin", STRING, V25, doc="Admin commands this role may run (`*` for all)."),
    AttributeRow("deny-admin", STRING, V25, doc="Admin commands this role may not run."),
    AttributeRow("allow-web", STRING, V25, doc="Web paths this role may fetch (`*` for all)."),
    AttributeRow("deny-web", STRING, V25, doc="Web paths this role may not fetch."),
    AttributeRow("allow-all", BOOL, V25, doc="Allow every method, admin command and web path."),
    AttributeRow("deny-all", BOOL, V25, doc="Deny every method, admin command and web path."),
    AttributeRow(
        "connections-per-user",
        STRING,
        V25,
        doc="Concurrent connections per user: a number, `*` or `unlimited`.",
    ),
    AttributeRow("connection-duration", STRING, V25, doc="Maximum connection time in seconds."),
)


#: What ``auth_get_authenticator`` reads from a ``<role>`` besides its type and options (2.5.0 reads
#: the same from a 2.4-style ``<authentication type="htpasswd">`` block, which it makes a role of).
_ROLE_ATTRIBUTES: tuple[AttributeRow, ...] = (
    AttributeRow("name", STRING, V25, doc="Role name; 2.5 counts a user's connections by it."),
    AttributeRow("management-url", URL, V25, doc="URL of the backend's management interface."),
    AttributeRow("method", METHODS, V25, doc="HTTP methods this role handles (`*` for all)."),
    AttributeRow("match-method", METHODS, V25, doc="Only consider requests with these methods."),
    AttributeRow("nomatch-method", METHODS, V25, doc="Skip requests with these methods."),
    AttributeRow("match-web", STRING, V25, doc="Only consider these web paths."),
    AttributeRow("nomatch-web", STRING, V25, doc="Skip these web paths."),
    AttributeRow("match-admin", STRING, V25, doc="Only consider these admin commands."),
    AttributeRow("nomatch-admin", STRING, V25, doc="Skip these admin commands."),
    AttributeRow("match-origin", STRING, V25, doc="Only consider requests from these origins."),
    AttributeRow("nomatch-origin", STRING, V25, doc="Skip requests from these origins."),
    AttributeRow("may-alter", STRING, V25, doc="Request properties the backend may change."),
    AttributeRow("may-not-alter", STRING, V25, doc="Request properties the backend may not change."),
    *_ACL_ATTRIBUTES,
)

_ROLE_CHILDREN: tuple[ElementRow, ...] = (
    ElementRow(
        "http-headers",
        V25,
        section="http-headers",
        repeat=Repeat.ACC,
        doc="Headers sent to clients matched by this role.",
        source=_SRC_HEADERS,
    ),
    ElementRow(
        "acl",
        V25,
        section="acl",
        doc="Access rules of the role; only one is allowed.",
        source=_SRC_ROLE,
    ),
    ElementRow("on-failed-action", V25, STRING, doc="Action when authentication fails.", source=_SRC_ROLE),
    ElementRow("on-failed-argument", V25, STRING, doc="Argument of on-failed-action.", source=_SRC_ROLE),
    ElementRow("on-deny-action", V25, STRING, doc="Action when the ACL denies.", source=_SRC_ROLE),
    ElementRow("on-deny-argument", V25, STRING, doc="Argument of on-deny-action.", source=_SRC_ROLE),
)


def _log_block(name: str, dialects: frozenset[Dialect], default: str | None, doc: str) -> ElementRow:
    """A log file name that KH also accepts as a ``kh-log`` block."""
    return ElementRow(
        name,
        dialects,
        FILENAME,
        section="kh-log",
        defaults=dict.fromkeys(dialects, default),
        doc=doc,
        source=_SRC_LOGGING,
    )


# The table ------------------------------------------------------------------
# Sections are listed root first, then in the order the Icecast documentation
# presents them.  Rows inside a section follow the order of the Icecast sample
# configuration, which is also the order in which icecfg writes new elements.

_SECTIONS: list[SectionRow] = [
    SectionRow(
        id="icecast",
        tag="icecast",
        dialects=ALL,
        doc="The root element.  Icecast compares only the local name, case-sensitively.",
        children=(
            ElementRow(
                "location",
                ALL,
                STRING,
                defaults=_same("Earth"),
                doc="Free text shown on the server info page and sent to YP directories.",
                source="cfgfile.c l.575-579",
            ),
            ElementRow(
                "admin",
                ALL,
                STRING,
                defaults=_same("icemaster@localhost"),
                doc="Contact address of the server's administrator.",
                source="cfgfile.c l.581-585",
            ),
            ElementRow(
                "hostname",
                ALL,
                HOST,
                defaults=_same("localhost"),
                doc="Public host name used in YP listings and generated URLs; `localhost` breaks both.",
                source="cfgfile.c l.569-573; [2.5] l.1261-1315",
            ),
            ElementRow(
                "server-id",
                ALL,
                STRING,
                defaults=_d("Icecast 2.4.4", None, None),
                crash_if_empty=True,  # <server-id/>: strdup(NULL) in yp_initialize (2.4.4 and 2.5.0, shown)
                crash_if_empty_also=V25,
                doc="Overrides the Server header (default: the build's version string); always warns.",
                source="cfgfile.c l.475",
            ),
            ElementRow(
                "server_id",
                KH,
                STRING,
                py_name="kh_server_id",
                replacement={Dialect.V25: Replacement(name="server-id")},
                doc="KH spelling of <server-id>.",
                source=_SRC_ROOT,
            ),
            ElementRow(
                "limits",
                ALL,
                section="limits",
                repeat=Repeat.EACH,
                doc="Server-wide resource limits.",
                source=_SRC_LIMITS,
            ),
            ElementRow(
                "authentication",
                ALL,
                section="authentication",
                repeat=Repeat.EACH,
                doc="Global source, admin and relay credentials.",
                source=_SRC_AUTH,
            ),
            ElementRow(
                "source-password",
                ALL,
                PASSWORD,
                obsolete={
                    Dialect.V24: "move it into <authentication>",
                    Dialect.V25: "move it into <authentication>",
                },
                replacement={Dialect.V25: Replacement(path=("authentication",))},
                doc="Legacy place of the global source password; 2.4 warns it is deprecated.",
                source="cfgfile.c l.480",
            ),
            ElementRow(
                "icelogin",
                V24,
                BOOL,
                defaults=_d("0", None, None),
                crash_if_empty=True,
                removed={Dialect.V25: "support has been removed"},
                replacement={Dialect.V25: Replacement(drop=True)},
                doc="Allows the old `ice-` source login; an ERROR in 2.5.",
                source="connection.c l.1039",
            ),
            ElementRow(
                "shoutcast-mount",
                ALL,
                MOUNT,
                defaults=_same("/stream"),
                doc="Mount for shoutcast-compat sockets that do not set their own.",
                source="connection.c l.1203-1206",
            ),
            ElementRow(
                "directory",
                ALL,
                section="directory",
                repeat=Repeat.ACC,
                obsolete={Dialect.V25: 'use <yp-directory url="...">'},
                replacement={Dialect.V25: Replacement(form="yp-directory")},
                doc="A YP directory to list public mounts in (at most 25).",
                source=_SRC_DIRECTORY,
            ),
            ElementRow(
                "yp-directory",
                V25,
                section="yp-directory",
                repeat=Repeat.ACC,
                doc="A YP directory to list public mounts in (2.5 form).",
                source=_SRC_YP,
            ),
            ElementRow(
                "listen-socket",
                ALL,
                section="listen-socket",
                repeat=Repeat.ACC,
                doc="A port to listen on; any listen-socket disables the root <port>/<bind-address> socket.",
                source=_SRC_LISTEN,
            ),
            ElementRow(
                "port",
                ALL,
                LISTEN_PORT,
                defaults=_same("8000"),
                doc="Implicit listener port and the port written into URLs, even when listen-sockets exist.",
                source="cfgfile.c l.503-511",
            ),
            ElementRow(
                "bind-address",
                ALL,
                IP,
                doc="Numeric address of the implicit listener; ignored when any listen-socket exists.",
                source=_SRC_ROOT,
            ),
            ElementRow(
                "http-headers",
                ALL,
                section="http-headers",
                repeat=Repeat.ACC,
                doc="Extra HTTP headers sent on every response.",
                source=_SRC_HEADERS,
            ),
            ElementRow(
                "master-server",
                ALL,
                HOST,
                doc="Master to relay all mounts from; needs master-server-port and master-password too.",
                source="slave.c l.618-628",
            ),
            ElementRow(
                "master-server-port",
                ALL,
                PORT,
                defaults=_same("0"),
                crash_if_empty=True,
                doc="Port of the master server; 0 (the default) silently disables master relaying.",
                source="slave.c l.618-628",
            ),
            ElementRow(
                "master-update-interval",
                ALL,
                Value(Kind.INT, ranges={Dialect.V25: (15, 3600)}),
                defaults=_same("120"),
                crash_if_empty=True,
                doc="Seconds between fetches of the master's stream list.",
                source=_SRC_ROOT,
            ),
            ElementRow(
                "master-username",
                ALL,
                STRING,
                defaults=_same("relay"),
                crash_if_empty=True,  # <master-username/>: strdup(NULL) in the slave thread (2.4.4, 2.5.0; shown)
                crash_if_empty_also=V25,
                doc="User name for the master's stream list.",
                source=_SRC_ROOT,
            ),
            ElementRow(
                "master-password",
                ALL,
                PASSWORD,
                doc="Password for the master's stream list; without it master relaying is off.",
                source="slave.c l.618-628",
            ),
            ElementRow("master-bind", KH, IP, doc="Local address for connections to the master.", source=_SRC_ROOT),
            ElementRow(
                "master-relay-auth",
                KH,
                BOOL,
                defaults=_d(kh="1"),
                doc="Let listener authentication of relayed mounts be done by the master.",
                source=_SRC_ROOT,
            ),
            ElementRow("master-ssl-port", KH, PORT, doc="TLS port of the master server.", source=_SRC_ROOT),
            ElementRow(
                "master-redirect",
                KH,
                BOOL,
                doc="Let the master redirect listeners to this slave.",
                source=_SRC_ROOT,
            ),
            ElementRow(
                "max-redirect-slaves",
                KH,
                INT,
                doc="How many slaves may register for redirects.",
                source=_SRC_ROOT,
            ),
            ElementRow(
                "master",
                KH,
                section="kh-master",
                repeat=Repeat.EACH,
                doc="KH block form of the master-* settings.",
                source=_SRC_ROOT,
            ),
            ElementRow(
                "redirect",
                KH,
                section="kh-redirect",
                repeat=Repeat.ACC,
                doc="A host listeners may be redirected to.",
                source=_SRC_ROOT,
            ),
            ElementRow(
                "relays-on-demand",
                ALL,
                BOOL,
                defaults=_same("0"),
                crash_if_empty=True,
                doc="Default for <relay><on-demand>; only relays parsed after it see it, so put it first.",
                source="cfgfile.c l.912",
            ),
            ElementRow(
                "relay",
                ALL,
                section="relay",
                repeat=Repeat.ACC,
                doc="A stream pulled from another server.",
                source=_SRC_RELAY,
            ),
            ElementRow(
                "mount",
                ALL,
                section="mount",
                repeat=Repeat.FIRST,
                doc="Settings for one mount point; the first matching <mount> wins.",
                source=_SRC_MOUNT,
            ),
            ElementRow(
                "fileserve",
                ALL,
                BOOL,
                defaults=_same("1"),
                crash_if_empty=True,
                doc="Serve static files from webroot; `true` reads as 0 in 2.4.4: use 1.",
                source="cfgfile.c l.566",
            ),
            ElementRow(
                "mime-types",
                V24_V25,
                PATH,
                defaults=_d("/etc/mime.types", "/etc/mime.types", None),
                obsolete={Dialect.V25: "use <paths><mime-types>"},
                replacement={Dialect.V25: Replacement(path=("paths",))},
                doc=(
                    "File mapping extensions to MIME types, read at start after the chroot; "
                    "KH only reads it in <paths>."
                ),
                source=_SRC_ROOT,
            ),
            ElementRow(
                "paths",
                ALL,
                section="paths",
                repeat=Repeat.EACH,
                doc="Directories and files the server uses.",
                source=_SRC_PATHS,
            ),
            ElementRow(
                "logging",
                ALL,
                section="logging",
                repeat=Repeat.EACH,
                doc="Log file names, level and rotation.",
                source=_SRC_LOGGING,
            ),
            ElementRow(
                "security",
                ALL,
                section="security",
                repeat=Repeat.EACH,
                doc="chroot, user change and (2.5) TLS context.",
                source=_SRC_SECURITY,
            ),
            ElementRow(
                "event-bindings",
                V25,
                section="event-bindings",
                repeat=Repeat.ACC,
                aliases=("kartoffelsalat",),
                doc="Server-wide event handlers.",
                source=_SRC_EVENTS,
            ),
            ElementRow(
                "include",
                KH,
                PATH,
                repeat=Repeat.ACC,
                doc="Glob of XML files whose root elements are spliced in as siblings.",
                source="[KH] cfgfile.c l.1098-1156",
            ),
        ),
    ),
    SectionRow(
        id="limits",
        tag="limits",
        dialects=ALL,
        doc="Server-wide resource limits.  Every 2.4.4 limit is read with atoi and crashes when empty.",
        children=(
            ElementRow(
                "clients",
                ALL,
                Value(Kind.INT, ranges={Dialect.V25: (1, 32768)}),
                defaults=_same("256"),
                crash_if_empty=True,
                doc="Total concurrent clients: listeners, file and stats requests; 0 or blank refuses all.",
                source="cfgfile.c l.588-636; [2.5] l.1522-1564, l.1072",
            ),
            ElementRow(
                "sources",
                ALL,
                Value(Kind.INT, ranges={Dialect.V25: (1, 16384)}),
                defaults=_same("16"),
                crash_if_empty=True,
                doc="Concurrent source clients, relays included; 2.5 wants clients > 2*sources.",
                source=_SRC_LIMITS,
            ),
            ElementRow(
                "queue-size",
                ALL,
                Value(Kind.SIZE, ranges={Dialect.V25: (1, _MIB16)}),
                defaults=_same("512000"),
                crash_if_empty=True,
                doc="Bytes a listener may lag behind before it is dropped.",
                source=_SRC_LIMITS,
            ),
            ElementRow(
                "threadpool",
                V24,
                INT,
                defaults=_d("4", None, None),
                crash_if_empty=True,
                removed={Dialect.V25: "unknown tag in 2.5"},
                replacement={Dialect.V25: Replacement(drop=True, unused=True)},
                harmless={Dialect.KH: None},
                doc="Parsed but unused by 2.4.4; unknown to 2.5 and KH.",
                source=_SRC_LIMITS,
            ),
            ElementRow(
                "client-timeout",
                ALL,
                _timeout(),
                defaults=_same("30"),
                crash_if_empty=True,
                doc="Seconds; read, but no release uses it (2.4.4, 2.5.0 and KH alike).",
                source=_SRC_LIMITS,
            ),
            ElementRow(
                "header-timeout",
                ALL,
                _timeout(),
                defaults=_d("15", "15", "5"),
                crash_if_empty=True,
                doc="Seconds a client may take to send its request headers.",
                source=_SRC_LIMITS,
            ),
            ElementRow(
                "source-timeout",
                ALL,
                _timeout(),
                defaults=_same("10"),
                crash_if_empty=True,
                doc="Seconds of source silence before the source is dropped.",
                source=_SRC_LIMITS,
            ),
            ElementRow(
                "burst-on-connect",
                V24_V25,
                BOOL,
                defaults=_d("1", "1", None),
                crash_if_empty=True,
                obsolete={Dialect.V25: "use <burst-size>"},
                replacement={Dialect.V25: Replacement(name="burst-size", values={"0": "0", "1": None})},
                harmless={Dialect.KH: "1"},
                doc="0 sets burst-size to 0; order-dependent with <burst-size> (the later one wins). "
                "KH has no such switch and always bursts <burst-size>: 1 changes nothing there.",
                source=_SRC_LIMITS,
            ),
            ElementRow(
                "burst-size",
                ALL,
                Value(Kind.SIZE, ranges={Dialect.V25: (0, _MIB16)}),
                defaults=_same("65536"),
                crash_if_empty=True,
                doc="Bytes sent at once to a new listener; keep it below queue-size.",
                source=_SRC_LIMITS,
            ),
            ElementRow(
                "bodysize",
                V25,
                Value(Kind.SIZE, ranges={Dialect.V25: (1024, 65536)}),
                defaults=_d(v25="4096"),
                doc="Maximum request body size in bytes.",
                source=_SRC_LIMITS,
            ),
            ElementRow(
                "body-timeout",
                V25,
                _timeout(),
                defaults=_d(v25="25"),
                doc="Seconds a client may take to send a request body.",
                source=_SRC_LIMITS,
            ),
            ElementRow(
                "server-idle-timeout",
                V25,
                _timeout(15, 3600),
                defaults=_d(v25="300"),
                doc="Seconds without activity before the server counts as idle.",
                source=_SRC_LIMITS,
            ),
            ElementRow(
                "max-bandwidth",
                KH,
                BITRATE,
                defaults=_d(kh="0"),
                doc="Server-wide outgoing bitrate at which new listeners are refused, bits/s (k/K, m/M suffix).",
                source=_SRC_LIMITS,
            ),
            ElementRow("max-listeners", KH, INT, doc="Server-wide listener limit.", source=_SRC_LIMITS),
            ElementRow(
                "min-queue-size",
                KH,
                SIZE,
                defaults=_d(kh="65536"),
                doc="Minimum listener queue; k/m/s suffixes accepted.",
                source=_SRC_LIMITS,
            ),
            ElementRow(
                "workers",
                KH,
                Value(Kind.INT, ranges={Dialect.KH: (1, 400)}),
                defaults=_d(kh="1"),
                doc="Worker threads; values are clamped to 1..400.",
                source=_SRC_LIMITS,
            ),
            ElementRow(
                "inactivity-timeout",
                KH,
                INT,
                doc="Seconds without activity before KH shuts down.",
                source=_SRC_LIMITS,
            ),
        ),
    ),
    SectionRow(
        id="authentication",
        tag="authentication",
        dialects=ALL,
        doc="Global credentials (root child); 2.5 turns them into static roles.",
        children=(
            ElementRow(
                "source-password",
                ALL,
                PASSWORD,
                defaults=_d(None, None, "changeme"),
                attributes=(
                    AttributeRow(
                        "mount",
                        MOUNT,
                        V24,
                        doc="Not supported here: ERROR and the password is ignored; use <mount><password>.",
                    ),
                ),
                doc="Global source password for user `source`; without any, every source is refused.",
                source="client.c l.129-155; connection.c l.1025",
            ),
            ElementRow(
                "relay-user",
                ALL,
                STRING,
                defaults=_same("relay"),
                doc="User slaves use to fetch /admin/streamlist.txt.",
                source=_SRC_AUTH,
            ),
            ElementRow(
                "relay-password",
                ALL,
                PASSWORD,
                doc="Password for slaves; if unset no slave can authenticate.",
                source=_SRC_AUTH,
            ),
            ElementRow(
                "admin-user",
                ALL,
                STRING,
                doc="Admin login; /admin needs both user and password.",
                source="cfgfile.c l.1045-1084; connection.c l.978-998",
            ),
            ElementRow(
                "admin-password",
                ALL,
                PASSWORD,
                doc="Admin password; without it /admin cannot be reached.",
                source="connection.c l.978-998",
            ),
            ElementRow(
                "shoutcast-user",
                V25,
                STRING,
                defaults=_d(v25="source"),
                doc="User name assumed for Shoutcast source logins.",
                source=_SRC_AUTH,
            ),
            ElementRow(
                "role",
                V25,
                section="role",
                repeat=Repeat.ACC,
                doc="A role of the global authentication stack; an anonymous role is always appended.",
                source="[2.5] cfgfile.c l.2453-2485",
            ),
        ),
    ),
    SectionRow(
        id="role",
        tag="role",
        dialects=V25,
        kh_children_as_attributes=False,
        doc="One authenticator of a 2.5 authentication stack and what it grants.",
        attributes=(
            AttributeRow(
                "type",
                _enum("anonymous", "static", "legacy-password", "url", "htpasswd", "enforce-auth"),
                V25,
                required=V25,
                doc="Authenticator backend.",
            ),
            *_ROLE_ATTRIBUTES,
        ),
        children=(
            ElementRow(
                "option",
                V25,
                section="option",
                repeat=Repeat.ACC,
                doc="Backend setting, e.g. `filename` for htpasswd.",
                source=_SRC_ROLE,
            ),
            *_ROLE_CHILDREN,
        ),
    ),
    SectionRow(
        id="acl",
        tag="acl",
        dialects=V25,
        kh_children_as_attributes=False,
        doc="Access rules of a role; takes the same ACL attributes as <role>.",
        attributes=_ACL_ATTRIBUTES,
        children=(
            ElementRow(
                "http-headers",
                V25,
                section="http-headers",
                repeat=Repeat.ACC,
                doc="Headers sent to clients granted by this ACL.",
                source=_SRC_HEADERS,
            ),
        ),
    ),
    SectionRow(
        id="option",
        tag="option",
        dialects=ALL,
        doc="A name/value setting of an authenticator, YP directory or event.",
        attributes=(
            AttributeRow("name", STRING, ALL, required=ALL, doc="Option name; options without it are skipped."),
            AttributeRow("value", STRING, ALL, required=ALL, doc="Option value; options without it are skipped."),
        ),
    ),
    SectionRow(
        id="directory",
        tag="directory",
        dialects=ALL,
        doc="A YP directory (2.4/KH form; obsolete in 2.5).  Without <yp-url> it is discarded.",
        children=(
            ElementRow(
                "yp-url-timeout",
                ALL,
                _timeout(),
                defaults=_d("6", "6", "10"),
                crash_if_empty=True,
                doc="Seconds to wait for the directory; 2.4.4 and 2.5.0 turn values outside 1..10 into 6 "
                "(2.5.0 also logs values outside 2..600 as out of range); KH uses any value.",
                source="cfgfile.c l.1086-1121; yp.c l.250; [2.5] yp.c l.270; [KH] yp.c l.321-336",
            ),
            ElementRow(
                "yp-url",
                ALL,
                URL,
                doc="The directory's CGI URL; required.",
                source=_SRC_DIRECTORY,
            ),
            ElementRow(
                "touch-interval",
                ALL,
                _timeout(30, 3600),
                defaults=_d("30", None, "600"),
                crash_if_empty=True,
                doc="Seconds between YP updates; 2.4.4 raises values below 30 to 30.",
                source="cfgfile.c l.1086-1121; yp.c l.252",
            ),
            ElementRow(
                "server",
                V24,
                section="directory-server",
                repeat=Repeat.ACC,
                removed={Dialect.V25: "no longer parsed"},
                replacement={Dialect.V25: Replacement(drop=True, unused=True)},
                doc="Legacy block that 2.4.4 parses into a list nothing uses.",
                source=_SRC_DIRECTORY,
            ),
        ),
    ),
    SectionRow(
        id="directory-server",
        tag="server",
        dialects=V24,
        kh_children_as_attributes=False,
        doc="Legacy <directory><server> block; parsed by _add_server and never used.",
        children=(
            ElementRow("host", V24, HOST, doc="Unused.", source=_SRC_DIRECTORY),
            ElementRow(
                "touch-interval",
                V24,
                INT,
                crash_if_empty=True,
                doc="Unused.",
                source=_SRC_DIRECTORY,
            ),
        ),
    ),
    SectionRow(
        id="yp-directory",
        tag="yp-directory",
        dialects=V25,
        kh_children_as_attributes=False,
        doc="A YP directory (2.5).  Options: timeout, touch-interval, listen-socket (`#id`).",
        attributes=(AttributeRow("url", URL, V25, required=V25, doc="The directory's URL; required."),),
        children=(
            ElementRow(
                "option",
                V25,
                section="option",
                repeat=Repeat.ACC,
                doc="`timeout`, `touch-interval` or `listen-socket`; other names are invalid.",
                source=_SRC_YP,
            ),
        ),
    ),
    SectionRow(
        id="listen-socket",
        tag="listen-socket",
        dialects=ALL,
        doc='A listening socket.  KH also takes the children as attributes (`port="8000"`).',
        attributes=(
            AttributeRow("id", STRING, V25, doc="Name referenced as `#id` by on-behalf-of, resources and YP."),
            AttributeRow(
                "type",
                _enum("normal", "virtual", case_insensitive=True),
                V25,
                default="normal",
                doc="Other values log `Unknown listener type` and mean normal.",
            ),
            AttributeRow("on-behalf-of", REF, V25, doc="`#id` of the socket this one acts for; must start with #."),
        ),
        children=(
            ElementRow(
                "port",
                ALL,
                LISTEN_PORT,
                defaults=_same("8000"),
                doc="Empty keeps 8000; `abc` binds a random port and 99999 wraps in 2.4.4.",
                source=_SRC_LISTEN,
            ),
            ElementRow(
                "bind-address",
                ALL,
                IP,
                doc="Numeric address to bind; `localhost` fails to bind.",
                source=_SRC_LISTEN,
            ),
            ElementRow(
                "shoutcast-mount",
                ALL,
                MOUNT,
                doc="Also opens a Shoutcast source port on port+1 (2.4.4 even with shoutcast-compat).",
                source="cfgfile.c l.1030-1042",
            ),
            ElementRow(
                "shoutcast-compat",
                ALL,
                BOOL,
                defaults=_same("0"),
                crash_if_empty=True,
                doc="Only Shoutcast sources may use this port; port-1 must be a normal port.",
                source=_SRC_LISTEN,
            ),
            ElementRow(
                "ssl",
                V24_V25,
                BOOL,
                defaults=_d("0", None, None),
                crash_if_empty=True,
                removed={Dialect.KH: "TLS is auto-detected on every socket; unknown node"},
                replacement={
                    Dialect.V25: Replacement(name="tls", form="tls", values={"1": "rfc2818", "0": "disabled"}),
                },
                doc="2.4: TLS on this port (plain HTTP if the cert fails); 2.5 reads it as <tls>, 0 = auto.",
                source="cfgfile.c l.973-1043; [2.5] l.397-424",
            ),
            ElementRow(
                "tls",
                V25,
                TLS_MODE,
                defaults=_d(v25="disabled"),
                doc="TLS mode; absent is disabled but `0`, `false` and empty mean auto.",
                source="[2.5] cfgfile.c l.397-424",
            ),
            ElementRow(
                "so-sndbuf",
                ALL,
                Value(Kind.INT, ranges={Dialect.V25: (1024, 65536)}),
                defaults=_same("0"),
                crash_if_empty=True,
                doc="Socket send buffer in bytes; 0 keeps the OS default.",
                source=_SRC_LISTEN,
            ),
            ElementRow(
                "listen-backlog",
                V25,
                Value(Kind.INT, ranges={Dialect.V25: (1, 128)}),
                doc="Queue length of pending connections.",
                source=_SRC_LISTEN,
            ),
            ElementRow(
                "authentication",
                V25,
                section="listen-socket-authentication",
                repeat=Repeat.EACH,
                doc="Per-socket authentication stack.",
                source=_SRC_LISTEN,
            ),
            ElementRow(
                "http-headers",
                V25,
                section="http-headers",
                repeat=Repeat.ACC,
                doc="Headers sent on responses from this socket.",
                source=_SRC_HEADERS,
            ),
            ElementRow("queue-len", KH, INT, doc="Queue length of pending connections.", source=_SRC_LISTEN),
            ElementRow("so-mss", KH, INT, doc="TCP maximum segment size.", source=_SRC_LISTEN),
        ),
    ),
    SectionRow(
        id="listen-socket-authentication",
        tag="authentication",
        dialects=V25,
        kh_children_as_attributes=False,
        doc="The authentication stack of a 2.5 listen socket.",
        children=(
            ElementRow(
                "role",
                V25,
                section="role",
                repeat=Repeat.ACC,
                doc="A role of the socket's authentication stack.",
                source=_SRC_ROLE,
            ),
        ),
    ),
    SectionRow(
        id="http-headers",
        tag="http-headers",
        dialects=ALL,
        doc="Extra response headers.  2.4.4 stops at the first comment or bad <header>: later ones are lost.",
        children=(
            ElementRow(
                "header",
                ALL,
                section="header",
                repeat=Repeat.ACC,
                doc="One header; KH replaces an earlier header of the same name.",
                source="cfgfile.c l.846-858",
            ),
        ),
    ),
    SectionRow(
        id="header",
        tag="header",
        dialects=ALL,
        doc="One extra HTTP header.",
        attributes=(
            AttributeRow(
                "name",
                STRING,
                ALL,
                required=ALL,
                doc="Header name; KH checks RFC 7230 token characters.",
            ),
            AttributeRow(
                "value",
                STRING,
                ALL,
                required=V24,
                doc="Header value; missing drops it and all later headers in 2.4.4; 2.5 CORS computes it.",
            ),
            AttributeRow(
                "type",
                _enum("static"),
                V24,
                default="static",
                doc="2.4.4 knows only `static`; `cors` logs a WARN and drops all later headers.",
            ),
            AttributeRow(
                "type",
                _enum("static", "cors", "corpse"),
                V25,
                default="static",
                doc="`cors` (also `corpse`) computes CORS headers.",
            ),
            AttributeRow(
                "status",
                INT,
                V24_V25,
                default="0",
                doc="Only send with this HTTP status; 0 means any.",
            ),
            AttributeRow(
                "status",
                STRING,
                KH,
                default="*",
                doc="Only send with this HTTP status; `*` means any.",
            ),
        ),
    ),
    SectionRow(
        id="relay",
        tag="relay",
        dialects=ALL,
        doc="A relayed stream.  2.5 wants the upstream settings in <upstream> blocks.",
        children=(
            ElementRow(
                "server",
                ALL,
                HOST,
                defaults=_same("127.0.0.1"),
                obsolete={Dialect.V25: 'use an <upstream type="default"> block'},
                replacement=_UPSTREAM,
                doc="Upstream host.",
                source=_SRC_RELAY,
            ),
            ElementRow(
                "ip",
                KH,
                HOST,
                replacement={Dialect.V25: Replacement(name="server", wrap=_UPSTREAM_BLOCK)},
                doc="KH spelling of <server>.",
                source=_SRC_RELAY,
            ),
            ElementRow(
                "port",
                ALL,
                PORT,
                defaults=_d("0", "80", None),
                obsolete={Dialect.V25: 'use an <upstream type="default"> block'},
                replacement=_UPSTREAM,
                doc="Upstream port; 2.4.4 has no default (0), KH defaults to the server's own port.",
                source=_SRC_RELAY,
            ),
            ElementRow(
                "mount",
                ALL,
                MOUNT,
                defaults=_same("/"),
                obsolete={Dialect.V25: 'use an <upstream type="default"> block'},
                replacement=_UPSTREAM,
                doc="Path of the stream on the upstream server.",
                source=_SRC_RELAY,
            ),
            ElementRow(
                "local-mount",
                ALL,
                MOUNT,
                doc="Local mount name (default: <mount>); KH skips it unless it starts with /.",
                source=_SRC_RELAY,
            ),
            ElementRow(
                "on-demand",
                ALL,
                BOOL,
                crash_if_empty=True,
                doc="Only relay while listeners are connected; defaults to <relays-on-demand> read so far.",
                source="cfgfile.c l.912",
            ),
            ElementRow(
                "relay-shoutcast-metadata",
                ALL,
                BOOL,
                defaults=_same("1"),
                crash_if_empty=True,
                obsolete={Dialect.V25: 'use an <upstream type="default"> block'},
                replacement=_UPSTREAM,
                doc="Ask the upstream for ICY metadata.",
                source=_SRC_RELAY,
            ),
            ElementRow(
                "relay-icy-metadata",
                KH,
                BOOL,
                defaults=_d(kh="1"),
                replacement={Dialect.V25: Replacement(name="relay-shoutcast-metadata", wrap=_UPSTREAM_BLOCK)},
                doc="KH spelling of <relay-shoutcast-metadata>.",
                source=_SRC_RELAY,
            ),
            ElementRow(
                "username",
                ALL,
                STRING,
                obsolete={Dialect.V25: 'use an <upstream type="default"> block'},
                replacement=_UPSTREAM,
                doc="User for the upstream server.",
                source=_SRC_RELAY,
            ),
            ElementRow(
                "password",
                ALL,
                PASSWORD,
                obsolete={Dialect.V25: 'use an <upstream type="default"> block'},
                replacement=_UPSTREAM,
                doc="Password for the upstream server.",
                source=_SRC_RELAY,
            ),
            ElementRow(
                "bind",
                ALL,
                IP,
                obsolete={Dialect.V25: 'use an <upstream type="default"> block'},
                replacement=_UPSTREAM,
                doc="Local address for the outgoing connection.",
                source=_SRC_RELAY,
            ),
            ElementRow(
                "uri",
                V25,
                URL,
                obsolete={Dialect.V25: 'use an <upstream type="default"> block'},
                replacement=_UPSTREAM,
                doc="2.5 flat form of an upstream URI; only read inside <upstream>.",
                source=_SRC_RELAY,
            ),
            ElementRow(
                "timeout",
                KH,
                Value(Kind.INT, ranges={Dialect.KH: (1, 60)}),
                defaults=_d(kh="4"),
                doc="Connect timeout in seconds; out of range becomes 4.",
                source=_SRC_RELAY,
            ),
            ElementRow(
                "upstream",
                V25,
                section="upstream",
                repeat=Repeat.ACC,
                doc="An upstream; several normal ones are tried in order.",
                source=_SRC_RELAY,
            ),
            ElementRow(
                "master",
                KH,
                section="relay-host",
                repeat=Repeat.ACC,
                doc="An upstream host (same as <host>).",
                source=_SRC_RELAY,
            ),
            ElementRow(
                "host",
                KH,
                section="relay-host",
                repeat=Repeat.ACC,
                doc="An upstream host; several are tried in order.",
                source=_SRC_RELAY,
            ),
            ElementRow("run-on", KH, INT, doc="Seconds an on-demand relay keeps running.", source=_SRC_RELAY),
            ElementRow("retry-delay", KH, INT, doc="Seconds between reconnection attempts.", source=_SRC_RELAY),
            ElementRow(
                "enable",
                KH,
                BOOL,
                defaults=_d(kh="1"),
                doc="0 keeps the relay configured but stopped.",
                source=_SRC_RELAY,
            ),
            ElementRow(
                "http-headers",
                KH,
                section="http-headers",
                repeat=Repeat.ACC,
                doc="Headers sent to listeners of this relay.",
                source=_SRC_HEADERS,
            ),
        ),
    ),
    SectionRow(
        id="upstream",
        tag="upstream",
        dialects=V25,
        kh_children_as_attributes=False,
        doc="An upstream server of a 2.5 relay.",
        attributes=(
            AttributeRow(
                "type",
                _enum("normal", "default"),
                V25,
                default="normal",
                doc="`default` supplies defaults for the normal upstreams; other values drop the upstream.",
            ),
        ),
        children=(
            ElementRow("server", V25, HOST, defaults=_d(v25="127.0.0.1"), doc="Upstream host.", source=_SRC_RELAY),
            ElementRow("port", V25, PORT, defaults=_d(v25="80"), doc="Upstream port.", source=_SRC_RELAY),
            ElementRow(
                "mount",
                V25,
                MOUNT,
                defaults=_d(v25="/"),
                doc="Path of the stream upstream.",
                source=_SRC_RELAY,
            ),
            ElementRow(
                "relay-shoutcast-metadata",
                V25,
                BOOL,
                defaults=_d(v25="1"),
                doc="Ask the upstream for ICY metadata.",
                source=_SRC_RELAY,
            ),
            ElementRow("username", V25, STRING, doc="User for the upstream server.", source=_SRC_RELAY),
            ElementRow("password", V25, PASSWORD, doc="Password for the upstream server.", source=_SRC_RELAY),
            ElementRow("bind", V25, IP, doc="Local address for the outgoing connection.", source=_SRC_RELAY),
            ElementRow(
                "uri",
                V25,
                URL,
                doc="`http://user:pass@host:port/path`; only the http scheme is accepted.",
                source=_SRC_RELAY,
            ),
        ),
    ),
    SectionRow(
        id="relay-host",
        tag="host",
        dialects=KH,
        doc="A KH relay upstream (<master> or <host> inside <relay>); unset fields come from the relay.",
        children=(
            ElementRow("ip", KH, HOST, aliases=("server",), doc="Upstream host.", source=_SRC_RELAY),
            ElementRow("port", KH, PORT, doc="Upstream port.", source=_SRC_RELAY),
            ElementRow("mount", KH, MOUNT, doc="Path of the stream upstream.", source=_SRC_RELAY),
            ElementRow("ssl", KH, BOOL, aliases=("tls",), doc="Connect with TLS.", source=_SRC_RELAY),
            ElementRow("bind", KH, IP, doc="Local address for the outgoing connection.", source=_SRC_RELAY),
            ElementRow(
                "timeout",
                KH,
                Value(Kind.INT, ranges={Dialect.KH: (1, 60)}),
                doc="Connect timeout in seconds; out of range becomes 4.",
                source=_SRC_RELAY,
            ),
            ElementRow(
                "http-headers",
                KH,
                section="http-headers",
                repeat=Repeat.ACC,
                doc="Headers sent to this upstream.",
                source=_SRC_HEADERS,
            ),
            ElementRow("priority", KH, INT, doc="Order in which hosts are tried.", source=_SRC_RELAY),
        ),
    ),
    SectionRow(
        id="mount",
        tag="mount",
        dialects=ALL,
        doc="Settings of one mount point, or (type=default, KH wildcards) defaults for many.",
        attributes=(
            AttributeRow(
                "type",
                _enum("normal", "default"),
                V24_V25,
                default="normal",
                doc="Mount kind, modelled as `mount_type`; case-sensitive, other values drop the mount.",
            ),
        ),
        children=(
            ElementRow(
                "mount-name",
                ALL,
                MOUNT,
                doc="Mount path, not trimmed; a normal mount without it is dropped, 2.4.4 glob-matches it.",
                source="cfgfile.c l.803-808; l.1429-1458",
            ),
            ElementRow(
                "username",
                ALL,
                STRING,
                defaults=_same("source"),
                doc="Source user for this mount.",
                source=_SRC_MOUNT,
            ),
            ElementRow(
                "password",
                ALL,
                PASSWORD,
                doc="Source password for this mount (default: the global source-password).",
                source=_SRC_MOUNT,
            ),
            ElementRow(
                "max-listeners",
                ALL,
                Value(Kind.INT, ranges={Dialect.V25: (1, 16384)}),
                defaults=_same("-1"),
                crash_if_empty=True,
                doc="Listener limit; -1 is unlimited but out of range for 2.5.",
                source=_SRC_MOUNT,
            ),
            ElementRow(
                "max-listener-duration",
                ALL,
                UINT,
                defaults=_same("0"),
                crash_if_empty=True,
                doc="Seconds a listener may stay; 0 is unlimited.",
                source=_SRC_MOUNT,
            ),
            ElementRow(
                "dump-file",
                ALL,
                PATH,
                attributes=(
                    AttributeRow(
                        "interpolation",
                        _enum("default", "none", "strftime", "uuid"),
                        V25,
                        default="default",
                        doc="How the file name is expanded.",
                    ),
                ),
                doc="Append the stream to this file (strftime-expanded); relative to the cwd, not logdir.",
                source="source.c l.595-613",
            ),
            ElementRow(
                "dump-file-size-limit",
                V25,
                UINT,
                doc="Start a new dump file after this many bytes.",
                source=_SRC_MOUNT,
            ),
            ElementRow(
                "dump-file-time-limit",
                V25,
                UINT,
                doc="Start a new dump file after this many seconds.",
                source=_SRC_MOUNT,
            ),
            ElementRow(
                "burst-size",
                ALL,
                Value(Kind.SIZE, ranges={Dialect.V25: (0, _MIB16)}),
                crash_if_empty=True,
                doc="Burst for this mount in bytes; unset inherits <limits><burst-size>.",
                source=_SRC_MOUNT,
            ),
            ElementRow(
                "queue-size",
                ALL,
                Value(Kind.SIZE, ranges={Dialect.V25: (1, _MIB16)}),
                crash_if_empty=True,
                doc="Queue for this mount in bytes; unset inherits <limits><queue-size>.",
                source=_SRC_MOUNT,
            ),
            ElementRow(
                "source-timeout",
                ALL,
                UINT,
                doc="Source timeout for this mount; unset inherits <limits><source-timeout>.",
                source=_SRC_MOUNT,
            ),
            ElementRow(
                "fallback-mount",
                ALL,
                MOUNT,
                doc="Where listeners go without a source; a file is webroot+value, so it must start with /.",
                source="source.c l.161-192, l.1393-1455",
            ),
            ElementRow(
                "fallback",
                KH,
                section="kh-fallback",
                doc="KH fallback with an optional rate limit.",
                source=_SRC_MOUNT,
            ),
            ElementRow(
                "fallback-override",
                ALL,
                FALLBACK_OVERRIDE,
                defaults=_d("0", "none", "1"),
                crash_if_empty=True,
                replacement={Dialect.V25: Replacement(values={"1": "all", "0": "none"})},
                doc="Move listeners back from the fallback; 2.4.4 moves all of the fallback's listeners.",
                source="source.c l.685-700",
            ),
            ElementRow(
                "fallback-when-full",
                ALL,
                BOOL,
                defaults=_same("0"),
                crash_if_empty=True,
                doc="Send listeners beyond max-listeners to the fallback; warns without fallback-mount.",
                source="cfgfile.c l.823-826; auth.c l.378-410",
            ),
            ElementRow(
                "intro",
                ALL,
                PATH,
                doc="File played to new listeners, relative to webroot; must match the stream format.",
                source="source.c l.1176-1195",
            ),
            ElementRow(
                "hidden",
                ALL,
                BOOL,
                defaults=_same("0"),
                crash_if_empty=True,
                doc="Hide the mount from the public status pages.",
                source=_SRC_MOUNT,
            ),
            ElementRow(
                "public",
                ALL,
                PUBLIC,
                defaults=_same("-1"),
                crash_if_empty=True,
                crash_if_empty_also=V25,  # __parse_public: strcasecmp(NULL) (shown)
                doc="List on YP: 1 yes, 0 no, -1 the source decides; `true` reads as 0 in 2.4.4, "
                "as 1 in 2.5 and KH (KH also reads `no`/`false` as 0; words only as written, unpadded). "
                "2.5 also reads `client` as -1 and any other number but 0 as 1; `client` and `-1` only "
                "unpadded (` client ` is 0, ` -1` is 1).",
                source=_SRC_MOUNT,
            ),
            ElementRow(
                "no-yp",
                V24_V25,
                BOOL,
                defaults=_d("0", "0", None),
                crash_if_empty=True,
                obsolete={Dialect.V25: "use <public>"},
                replacement={Dialect.V25: Replacement(name="public", values={"1": "0", "0": "-1"})},
                doc="Deprecated: non-zero means public 0.",
                source=_SRC_MOUNT,
            ),
            ElementRow(
                "no-mount",
                ALL,
                BOOL,
                defaults=_same("0"),
                crash_if_empty=True,
                obsolete={Dialect.V25: "use <allow-direct-access> (inverted)"},
                replacement={Dialect.V25: Replacement(name="allow-direct-access", values={"1": "0", "0": "1"})},
                doc="1 means the mount is only reachable through a fallback.",
                source=_SRC_MOUNT,
            ),
            ElementRow(
                "allow-direct-access",
                V25,
                BOOL,
                defaults=_d(v25="1"),
                doc="0 means the mount is only reachable through a fallback.",
                source=_SRC_MOUNT,
            ),
            ElementRow(
                "authentication",
                ALL,
                section="mount-authentication",
                replacement={Dialect.V25: Replacement(form="mount-authentication")},
                doc="Listener authentication; a bad or missing type leaves the mount public in 2.4.4.",
                source=_SRC_MOUNT_AUTH,
            ),
            ElementRow(
                "http-headers",
                ALL,
                section="http-headers",
                repeat=Repeat.ACC,
                doc="Headers sent with this mount's 200 responses.",
                source=_SRC_HEADERS,
            ),
            ElementRow(
                "on-connect",
                ALL,
                PATH,
                doc="Executable run with the mount name when a source connects; no shell, no arguments.",
                source="source.c l.1354",
            ),
            ElementRow(
                "on-disconnect",
                ALL,
                PATH,
                doc="Executable run with the mount name when the source leaves; no shell, no arguments.",
                source="source.c l.1354",
            ),
            ElementRow(
                "cluster-password",
                ALL,
                PASSWORD,
                doc="Password shared by the servers of a YP cluster.",
                source=_SRC_MOUNT,
            ),
            ElementRow(
                "stream-name",
                ALL,
                STRING,
                doc="Overrides the stream name the source sends.",
                source=_SRC_MOUNT,
            ),
            ElementRow(
                "stream-description",
                ALL,
                STRING,
                doc="Overrides the stream description the source sends.",
                source=_SRC_MOUNT,
            ),
            ElementRow(
                "stream-url",
                ALL,
                URL,
                doc="Overrides the stream URL the source sends.",
                source=_SRC_MOUNT,
            ),
            ElementRow("genre", ALL, STRING, doc="Overrides the genre the source sends.", source=_SRC_MOUNT),
            ElementRow("bitrate", ALL, STRING, doc="Overrides the bitrate (free text, kbps).", source=_SRC_MOUNT),
            ElementRow(
                "type",
                ALL,
                MIME,
                doc="Overrides the MIME type; KH does not take it as an attribute.",
                source=_SRC_MOUNT,
            ),
            ElementRow(
                "subtype",
                ALL,
                STRING,
                doc="Overrides the codec subtype; KH does not take it as an attribute.",
                source=_SRC_MOUNT,
            ),
            ElementRow(
                "charset",
                ALL,
                STRING,
                doc="Charset of non-Ogg metadata (default Latin-1).",
                source=_SRC_MOUNT,
            ),
            ElementRow(
                "mp3-metadata-interval",
                ALL,
                Value(Kind.INT, ranges={Dialect.V25: (-1, 65536)}),
                defaults=_same("-1"),
                crash_if_empty=True,
                obsolete={Dialect.V25: "use <icy-metadata-interval>"},
                replacement={Dialect.V25: Replacement(name="icy-metadata-interval")},
                doc="ICY metadata interval in bytes; -1 means 16000.",
                source="format_mp3.c l.55",
            ),
            ElementRow(
                "metadata-interval",
                KH,
                INT,
                replacement={Dialect.V25: Replacement(name="icy-metadata-interval")},
                doc="KH spelling of <mp3-metadata-interval>.",
                source=_SRC_MOUNT,
            ),
            ElementRow(
                "icy-metadata-interval",
                V25,
                Value(Kind.INT, ranges={Dialect.V25: (-1, 65536)}),
                defaults=_d(v25="-1"),
                doc="ICY metadata interval in bytes; -1 means the default.",
                source=_SRC_MOUNT,
            ),
            ElementRow(
                "max-history",
                V25,
                Value(Kind.INT, ranges={Dialect.V25: (1, 256)}),
                doc="Metadata history length; out of range becomes 256.",
                source=_SRC_MOUNT,
            ),
            ElementRow(
                "event-bindings",
                V25,
                section="event-bindings",
                repeat=Repeat.ACC,
                aliases=("kartoffelsalat",),
                doc="Event handlers for this mount.",
                source=_SRC_EVENTS,
            ),
            ElementRow(
                "relay",
                V25,
                section="relay",
                repeat=Repeat.ACC,
                doc="Mount-scoped relay; only in a normal mount named /...; <local-mount> is ignored.",
                source=_SRC_RELAY,
            ),
            ElementRow(
                "priority",
                KH,
                INT,
                doc="Order of wildcard mount templates.",
                source=_SRC_MOUNT,
            ),
            ElementRow(
                "min-queue-size",
                KH,
                SIZE,
                doc="Minimum listener queue; k/m/s suffixes accepted.",
                source=_SRC_MOUNT,
            ),
            ElementRow(
                "file-seekable",
                KH,
                BOOL,
                defaults=_d(kh="1"),
                doc="Allow range requests on file fallbacks.",
                source=_SRC_MOUNT,
            ),
            ElementRow(
                "hijack",
                KH,
                BOOL,
                doc="A new source takes over the mount from the old one.",
                source=_SRC_MOUNT,
            ),
            ElementRow("allow-chunked", KH, BOOL, doc="Accept chunked source uploads.", source=_SRC_MOUNT),
            ElementRow(
                "max-bandwidth",
                KH,
                BITRATE,
                defaults=_d(kh="-1"),
                doc="Bitrate limit of all listeners of the mount, bits per second (k/K, m/M suffix); -1: none.",
                source=_SRC_MOUNT,
            ),
            ElementRow("wait-time", KH, INT, doc="Seconds to wait for a source before failing.", source=_SRC_MOUNT),
            ElementRow("filter-theora", KH, BOOL, doc="Strip Theora video from the stream.", source=_SRC_MOUNT),
            ElementRow(
                "limit-rate",
                KH,
                BITRATE,
                defaults=_d(kh="0"),
                doc="Rate the source is read at and a fallback file sent at, bits per second (k/K, m/M suffix).",
                source=_SRC_MOUNT,
            ),
            ElementRow("skip-accesslog", KH, BOOL, doc="Do not log this mount's listeners.", source=_SRC_MOUNT),
            ElementRow("max-send-size", KH, INT, doc="Largest block written per send.", source=_SRC_MOUNT),
            ElementRow(
                "linger-for",
                KH,
                INT,
                doc="Seconds the mount stays after the source leaves.",
                source=_SRC_MOUNT,
            ),
            ElementRow(
                "redirect",
                KH,
                URL,
                doc="Redirect listeners to this server (the mount path is appended).",
                source=_SRC_MOUNT,
            ),
            ElementRow("redirect-to", KH, URL, doc="Redirect listeners to this exact URL.", source=_SRC_MOUNT),
            ElementRow("ogg-passthrough", KH, BOOL, doc="Pass Ogg through without rewriting.", source=_SRC_MOUNT),
            ElementRow(
                "admin_comments_only",
                KH,
                BOOL,
                doc="Only take metadata from admin updates.",
                source=_SRC_MOUNT,
            ),
            ElementRow(
                "allow-url-ogg-metadata",
                KH,
                BOOL,
                defaults=_d(kh="1"),
                doc="Accept metadata updates by URL for Ogg streams.",
                source=_SRC_MOUNT,
            ),
            ElementRow("ban-client", KH, INT, doc="Seconds a kicked client stays banned.", source=_SRC_MOUNT),
            ElementRow(
                "intro-skip-replay",
                KH,
                INT,
                doc="Seconds within which a reconnecting listener skips the intro.",
                source=_SRC_MOUNT,
            ),
            ElementRow("so-sndbuf", KH, INT, doc="Socket send buffer for listeners.", source=_SRC_MOUNT),
            ElementRow(
                "max-stream-duration",
                KH,
                INT,
                doc="Seconds a source may stay connected.",
                source=_SRC_MOUNT,
            ),
            _log_block("preroll-log", KH, None, "Per-mount preroll log (file name or block)."),
            _log_block("accesslog", KH, None, "Per-mount access log (file name or block)."),
            ElementRow("listenurl", KH, URL, doc="Listen URL published for this mount.", source=_SRC_MOUNT),
        ),
    ),
    SectionRow(
        id="mount-authentication",
        tag="authentication",
        dialects=ALL,
        doc="Listener authentication of a mount: legacy type+options, or (2.5, no type) a role stack; "
        '2.5 reads a type="htpasswd" block as a role (its attributes and children too).',
        attributes=(
            AttributeRow(
                "type",
                _enum("htpasswd", "url"),
                V24_V25,
                required=V24,
                doc="Case-sensitive; bad or missing leaves 2.4.4 public, 2.5 denies; 2.5 without it: roles.",
            ),
            AttributeRow(
                "type",
                _enum("htpasswd", "url", "command"),
                KH,
                required=KH,
                doc="Authenticator backend.",
            ),
            # 2.5.0 makes a 2.4-style htpasswd block the role it reads these from (auth_get_authenticator;
            # a url block's role is built from its options alone: see ICE526)
            *_ROLE_ATTRIBUTES,
        ),
        children=(
            ElementRow(
                "option",
                ALL,
                section="option",
                repeat=Repeat.ACC,
                doc="Backend setting (filename, listener_add, ...); other children warn.",
                source="auth.c l.670-672",
            ),
            ElementRow(
                "role",
                V25,
                section="role",
                repeat=Repeat.ACC,
                doc="A role of the mount's authentication stack.",
                source="[2.5] cfgfile.c l.1566-1592",
            ),
            *_ROLE_CHILDREN,  # of a 2.4-style htpasswd block, as of a role (2.5)
        ),
    ),
    SectionRow(
        id="kh-fallback",
        tag="fallback",
        dialects=KH,
        doc="KH fallback; its children may also be written as attributes.",
        children=(
            ElementRow(
                "mount",
                KH,
                MOUNT,
                doc="Fallback mount; values not starting with / are dropped.",
                source=_SRC_MOUNT,
            ),
            ElementRow(
                "rate",
                KH,
                BITRATE,
                doc="Bits per second the fallback file is sent at (k/K, m/M suffix).",
                source=_SRC_MOUNT,
            ),
        ),
    ),
    SectionRow(
        id="event-bindings",
        tag="event-bindings",
        dialects=V25,
        kh_children_as_attributes=False,
        doc="Event handlers (2.5); other children are ignored silently.",
        children=(
            ElementRow(
                "event",
                V25,
                section="event",
                repeat=Repeat.ACC,
                doc="One handler; without type or trigger it is dropped.",
                source=_SRC_EVENTS,
            ),
        ),
    ),
    SectionRow(
        id="event",
        tag="event",
        dialects=V25,
        kh_children_as_attributes=False,
        doc="An event handler.",
        attributes=(
            AttributeRow(
                "type",
                _enum("exec", "url", "log", "terminate"),
                V25,
                required=V25,
                doc="Handler kind; `url` needs curl support.",
            ),
            AttributeRow(
                "trigger",
                _enum(*EVENT_TRIGGERS),
                V25,
                required=V25,
                doc="Event name; Icecast accepts any text but only these are ever emitted.",
            ),
        ),
        children=(
            ElementRow(
                "option",
                V25,
                section="option",
                repeat=Repeat.ACC,
                doc="exec: executable; url: url, action, username, password.",
                source=_SRC_EVENTS,
            ),
        ),
    ),
    SectionRow(
        id="paths",
        tag="paths",
        dialects=ALL,
        doc="Directories and files.  With <chroot> every path resolves inside basedir.",
        children=(
            ElementRow(
                "basedir",
                ALL,
                PATH,
                defaults=_same("/usr/local/icecast"),
                doc="Only used as the chroot target.",
                source=_SRC_PATHS,
            ),
            ElementRow(
                "logdir",
                ALL,
                PATH,
                defaults=_same("/usr/local/icecast/logs"),
                doc="Must exist and be writable by the changeowner user.",
                source=_SRC_PATHS,
            ),
            ElementRow(
                "webroot",
                ALL,
                PATH,
                defaults=_same("/usr/local/icecast/webroot"),
                doc="Static files and file fallbacks; one trailing / is stripped.",
                source=_SRC_PATHS,
            ),
            ElementRow(
                "adminroot",
                ALL,
                PATH,
                defaults=_same("/usr/local/icecast/admin"),
                doc="XSLT files for /admin and playlists.",
                source=_SRC_PATHS,
            ),
            ElementRow(
                "pidfile",
                ALL,
                PATH,
                doc=(
                    "2.4 and 2.5 write it as root before the chroot and setuid (a host path), so it may not be "
                    "removed at exit; KH writes it after the chroot, inside <basedir>."
                ),
                source="cfgfile.c l.1123-1214; main.c l.320-330",
            ),
            ElementRow(
                "allow-ip",
                ALL,
                PATH,
                doc="File of IPs; when set only they may connect; a missing file means no filtering.",
                source="connection.c l.328-383",
            ),
            ElementRow(
                "deny-ip",
                ALL,
                PATH,
                doc="File of IPs refused before allow-ip is checked.",
                source="connection.c l.387-415",
            ),
            ElementRow(
                "banfile",
                KH,
                PATH,
                aliases=("ban-file",),
                replacement={Dialect.V25: Replacement(name="deny-ip")},
                doc="KH spelling of <deny-ip>.",
                source=_SRC_PATHS,
            ),
            ElementRow(
                "alias",
                ALL,
                section="alias",
                repeat=Repeat.ACC,
                doc="Rewrites a request path; first match wins.",
                source="connection.c l.1170-1178",
            ),
            ElementRow(
                "resource",
                V25,
                section="resource",
                repeat=Repeat.ACC,
                doc="2.5 name of <alias> with more matching options.",
                source=_SRC_RESOURCE,
            ),
            ElementRow(
                "ssl-certificate",
                ALL,
                PATH,
                attributes=(_TLS_IMPLEMENTATION,),
                obsolete=_OBSOLETE_TLS_PATHS,
                replacement=_TLS_CONTEXT_CERTIFICATE,
                doc="PEM with certificate chain and key; if unusable, 2.4.4 ssl ports serve plain HTTP.",
                source="connection.c l.195-246",
            ),
            ElementRow(
                "ssl_certificate",
                KH,
                PATH,
                py_name="kh_ssl_certificate",
                replacement=_TLS_CONTEXT_CERTIFICATE,
                doc="KH spelling of <ssl-certificate>.",
                source=_SRC_PATHS,
            ),
            ElementRow(
                "tls-certificate",
                V25,
                PATH,
                attributes=(_TLS_IMPLEMENTATION,),
                obsolete=_OBSOLETE_TLS_PATHS,
                replacement=_TLS_CONTEXT_CERTIFICATE,
                doc="2.5 name of <ssl-certificate>.",
                source=_SRC_PATHS,
            ),
            ElementRow(
                "ssl-private-key",
                KH,
                PATH,
                replacement={Dialect.V25: Replacement(name="tls-key", path=("security", "tls-context"))},
                doc="Private key file; defaults to the certificate file.",
                source=_SRC_PATHS,
            ),
            ElementRow("ssl-cafile", KH, PATH, doc="CA certificates file.", source=_SRC_PATHS),
            ElementRow(
                "ssl-allowed-ciphers",
                ALL,
                CIPHERS,
                obsolete=_OBSOLETE_TLS_PATHS,
                replacement=_TLS_CONTEXT_CIPHERS,
                doc="OpenSSL cipher list; an invalid list only warns and keeps the default.",
                source=_SRC_PATHS,
            ),
            ElementRow(
                "tls-allowed-ciphers",
                V25,
                CIPHERS,
                obsolete=_OBSOLETE_TLS_PATHS,
                replacement=_TLS_CONTEXT_CIPHERS,
                doc="2.5 name of <ssl-allowed-ciphers>.",
                source=_SRC_PATHS,
            ),
            ElementRow(
                "mime-types",
                V25_KH,
                PATH,
                defaults=_d(None, "/etc/mime.types", "/etc/mime.types"),
                doc=(
                    "File mapping extensions to MIME types, read at start after the chroot; a missing one "
                    "is logged and the extensions only it names are served as application/octet-stream (ICE702)."
                ),
                source=_SRC_PATHS,
            ),
            ElementRow(
                "nulldevice",
                V25,
                PATH,
                defaults=_d(v25="/dev/null"),
                doc="Null device used for detached processes.",
                source=_SRC_PATHS,
            ),
            ElementRow(
                "reportxmldb",
                V25,
                PATH,
                repeat=Repeat.ACC,
                doc=(
                    "XML database of diagnostic reports; read while the configuration is parsed, "
                    "before the chroot (a host path); each one written is loaded."
                ),
                source=_SRC_PATHS,
            ),
            ElementRow(
                "geoipdb",
                V25,
                PATH,
                doc=(
                    "GeoIP database file; a build with libmaxminddb opens it at start, after the chroot "
                    "(one without ignores it)."
                ),
                source=_SRC_PATHS,
            ),
            ElementRow(
                "x-forwarded-for",
                KH,
                STRING,
                repeat=Repeat.ACC,
                doc="fnmatch pattern of a trusted proxy's IP.",
                source="[KH] cfgfile.c l.1158-1175",
            ),
            ElementRow("deny-agents", KH, PATH, doc="File of user agents to refuse.", source=_SRC_PATHS),
        ),
    ),
    SectionRow(
        id="alias",
        tag="alias",
        dialects=ALL,
        doc="A request path rewrite; 2.5 treats it exactly like <resource>.",
        attributes=_alias_attributes(ALL),
    ),
    SectionRow(
        id="resource",
        tag="resource",
        dialects=V25,
        kh_children_as_attributes=False,
        doc="A request path rewrite or handler (2.5).",
        attributes=_alias_attributes(V25),
    ),
    SectionRow(
        id="logging",
        tag="logging",
        dialects=ALL,
        doc="Log files.  Names are always appended to logdir, so absolute names fail.",
        children=(
            _log_block("accesslog", ALL, "access.log", "Access log name in logdir; `-` is stderr."),
            _log_block("errorlog", ALL, "error.log", "Error log name in logdir; `-` is stderr."),
            _log_block("playlistlog", ALL, None, "Playlist log name; `-` is a file named -, not stderr."),
            _log_block("preroll-log", KH, None, "Preroll log (file name or block)."),
            ElementRow(
                "loglevel",
                ALL,
                LOGLEVEL,
                defaults=_same("3"),
                crash_if_empty=True,
                crash_if_empty_also=V25,
                doc="1 error .. 4 debug; 2.4.4 reads words as 0 and then logs nothing; "
                "empty, 2.4.4 and 2.5.0 segfault.",
                source=_SRC_LOGGING,
            ),
            ElementRow(
                "logsize",
                ALL,
                Value(Kind.INT, ranges={Dialect.V25: (0, _INT_MAX), Dialect.KH: (0, 2000000)}),
                defaults=_d("0", "0", "20000"),
                crash_if_empty=True,
                doc="Rotate at this many KiB; 0 means about 1 GB.",
                source="log.c l.215-219",
            ),
            ElementRow(
                "logarchive",
                ALL,
                BOOL,
                defaults=_same("0"),
                crash_if_empty=True,
                doc="Rotate to timestamped names instead of NAME.old.",
                source="log.c l.93-116",
            ),
            ElementRow(
                "memorybacklog",
                V25,
                Value(Kind.INT, ranges={Dialect.V25: (8, 1024)}),
                repeat=Repeat.ACC,
                defaults=_d(v25="64"),
                attributes=(
                    AttributeRow(
                        "logfile",
                        _enum("error", "access", "playlist"),
                        V25,
                        doc="Which log's in-memory backlog this sets.",
                    ),
                ),
                doc="Lines kept in memory for the admin interface.",
                source=_SRC_LOGGING,
            ),
            ElementRow("accesslog_ip", KH, BOOL, defaults=_d(kh="1"), doc="Log client IPs.", source=_SRC_LOGGING),
            ElementRow(
                "accesslog_exclude_ext",
                KH,
                STRING,
                doc="File extensions not written to the access log.",
                source=_SRC_LOGGING,
            ),
            ElementRow("accesslog_lines", KH, INT, doc="Access log lines kept in memory.", source=_SRC_LOGGING),
            ElementRow("errorlog_lines", KH, INT, doc="Error log lines kept in memory.", source=_SRC_LOGGING),
            ElementRow("playlistlog_lines", KH, INT, doc="Playlist log lines kept in memory.", source=_SRC_LOGGING),
        ),
    ),
    SectionRow(
        id="kh-log",
        tag="accesslog",
        dialects=KH,
        doc="KH block form of accesslog/errorlog/playlistlog/preroll-log.",
        children=(
            ElementRow("name", KH, FILENAME, doc="File name in logdir.", source=_SRC_LOGGING),
            ElementRow("archive", KH, BOOL, doc="Rotate to timestamped names.", source=_SRC_LOGGING),
            ElementRow(
                "display",
                KH,
                INT,
                aliases=("history",),
                doc="Lines kept in memory.",
                source=_SRC_LOGGING,
            ),
            ElementRow("size", KH, INT, doc="Rotate at this size.", source=_SRC_LOGGING),
            ElementRow("duration", KH, INT, doc="Rotate after this many seconds.", source=_SRC_LOGGING),
            ElementRow("ip", KH, BOOL, doc="Log client IPs (access log).", source=_SRC_LOGGING),
            ElementRow(
                "type",
                KH,
                _enum("CLF", "CLF-ESC"),
                doc="Access log format; anything but CLF-ESC means CLF.",
                source=_SRC_LOGGING,
            ),
            ElementRow("exclude_ext", KH, STRING, doc="File extensions not logged.", source=_SRC_LOGGING),
            ElementRow("querystr", KH, BOOL, doc="Log query strings (access log).", source=_SRC_LOGGING),
            ElementRow("level", KH, LOGLEVEL, doc="Log level (error log).", source=_SRC_LOGGING),
        ),
    ),
    SectionRow(
        id="security",
        tag="security",
        dialects=ALL,
        doc="Process security: chroot, user change, TLS context and PRNG seeding.",
        children=(
            ElementRow(
                "chroot",
                ALL,
                BOOL,
                defaults=_same("0"),
                crash_if_empty=True,
                doc="chroot to basedir (root only); a failure also skips changeowner.",
                source="main.c l.354-427",
            ),
            ElementRow(
                "changeowner",
                ALL,
                section="changeowner",
                repeat=Repeat.EACH,
                doc="Its presence alone enables the user change, even when empty.",
                source="main.c l.354-427",
            ),
            ElementRow(
                "tls-context",
                V25,
                section="tls-context",
                repeat=Repeat.EACH,
                doc="Certificate, key and ciphers for TLS sockets.",
                source="[2.5] cfgfile.c l.381-399",
            ),
            ElementRow(
                "prng-seed",
                V25,
                STRING,
                repeat=Repeat.ACC,
                attributes=(
                    AttributeRow(
                        "type",
                        _enum("read-once", "read-write", "device", "static", "profile"),
                        V25,
                        doc="What the value is: a file, a device, a seed or a profile (linux, bsd).",
                    ),
                    AttributeRow("size", INT, V25, doc="Bytes to read from the file or device."),
                ),
                doc="Seeds the PRNG; without any 2.5 warns `no PRNG seed configured`.",
                source=_SRC_SECURITY,
            ),
        ),
    ),
    SectionRow(
        id="changeowner",
        tag="changeowner",
        dialects=ALL,
        doc="User and group to switch to; both must resolve or neither is applied.",
        children=(
            ElementRow("user", ALL, STRING, doc="User name to run as.", source="main.c l.354-427"),
            ElementRow("group", ALL, STRING, doc="Group name to run as.", source="main.c l.354-427"),
        ),
    ),
    SectionRow(
        id="tls-context",
        tag="tls-context",
        dialects=V25,
        kh_children_as_attributes=False,
        doc="The 2.5 TLS context.",
        children=(
            ElementRow(
                "tls-certificate",
                V25,
                PATH,
                attributes=(_TLS_IMPLEMENTATION,),
                doc="PEM certificate chain (and key when tls-key is unset); keep it non-world-readable.",
                source="[2.5] cfgfile.c l.381-399",
            ),
            ElementRow(
                "tls-key",
                V25,
                PATH,
                doc="Private key; defaults to the certificate file.",
                source="[2.5] cfgfile.c l.381-399",
            ),
            ElementRow(
                "tls-allowed-ciphers",
                V25,
                CIPHERS,
                doc="OpenSSL cipher list.",
                source="[2.5] cfgfile.c l.381-399",
            ),
        ),
    ),
    SectionRow(
        id="kh-master",
        tag="master",
        dialects=KH,
        doc="KH block form of the root master-* settings.",
        children=(
            ElementRow("server", KH, HOST, doc="Master host.", source=_SRC_ROOT),
            ElementRow("port", KH, PORT, doc="Master port.", source=_SRC_ROOT),
            ElementRow("ssl-port", KH, PORT, doc="Master TLS port.", source=_SRC_ROOT),
            ElementRow("username", KH, STRING, defaults=_d(kh="relay"), doc="Master user.", source=_SRC_ROOT),
            ElementRow("password", KH, PASSWORD, doc="Master password.", source=_SRC_ROOT),
            ElementRow("bind", KH, IP, doc="Local address for connections to the master.", source=_SRC_ROOT),
            ElementRow(
                "interval",
                KH,
                INT,
                defaults=_d(kh="120"),
                doc="Seconds between stream list fetches; below 2 becomes 60.",
                source=_SRC_ROOT,
            ),
            ElementRow("relay-auth", KH, BOOL, doc="Let the master authenticate listeners.", source=_SRC_ROOT),
            ElementRow("retry-delay", KH, INT, doc="Seconds between reconnection attempts.", source=_SRC_ROOT),
            ElementRow("redirect", KH, BOOL, doc="Let the master redirect listeners here.", source=_SRC_ROOT),
            ElementRow("run-on", KH, INT, doc="Seconds on-demand relays keep running.", source=_SRC_ROOT),
            ElementRow("on-demand", KH, BOOL, doc="Relay the master's streams on demand.", source=_SRC_ROOT),
        ),
    ),
    SectionRow(
        id="kh-redirect",
        tag="redirect",
        dialects=KH,
        doc="A KH redirect target; without a host it is dropped.",
        children=(
            ElementRow("host", KH, HOST, doc="Host to redirect listeners to.", source=_SRC_ROOT),
            ElementRow("port", KH, PORT, defaults=_d(kh="8000"), doc="Port on that host.", source=_SRC_ROOT),
        ),
    ),
]

SECTIONS: Mapping[str, SectionRow] = MappingProxyType({s.id: s for s in _SECTIONS})
ROOT: SectionRow = SECTIONS["icecast"]


def section_of(row: ElementRow) -> SectionRow | None:
    """The section a block row refers to."""
    return SECTIONS[row.section] if row.section is not None else None


def iter_rows() -> Iterator[tuple[SectionRow, ElementRow]]:
    """Every (section, child row) pair of the table."""
    for section in _SECTIONS:
        for row in section.children:
            yield section, row
