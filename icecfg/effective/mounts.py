"""Mounts: which ``<mount>`` configures a name, and every setting after the default mount is merged.

Icecast keeps mounts in file order and ``config_find_mount`` returns the
first match: 2.4.4 glob-matches normal mount names too, 2.5 matches normal
mounts exactly and only default mounts as patterns, and both use a
``type="default"`` mount directly when no normal mount matches; KH has no mount
types but treats names with wildcards as templates.  A normal mount then
inherits every unset field (absent, 0 or -1) from the first matching default
mount (``merge_mounts``).  KH instead starts each mount from the
``<limits>`` queue, burst and source timeout as they stand when it reads
the ``<mount>``: a ``<limits>`` written after it does not reach it
(:attr:`MountConfig.kh_limits`).  Listener authentication is no setting merged but
a chain of blocks asked in turn (:attr:`MountConfig.auth_blocks`): 2.5 asks
the default mount's ``<authentication>`` after the mount's own, 2.4.4 and KH
only the mount's own.  Lookups are indexed so a file with thousands of mounts
is handled in linear time.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from types import MappingProxyType

from icecfg import spec
from icecfg.conversion import keeps_earlier, release_text
from icecfg.document import Element
from icecfg.effective.cached import computed_once
from icecfg.effective.khtree import tree_winners
from icecfg.effective.limits import kh_cap_sizes
from icecfg.effective.patterns import TEMPLATE_CHARS, GlobIndex, glob_match, is_pattern
from icecfg.effective.provenance import Source, Traced, derived, merged
from icecfg.effective.reading import may_spell, section_values, traced, value_rows
from icecfg.records import FrozenRecord, Record, slot_setters
from icecfg.spec import Dialect

_MOUNT = spec.SECTIONS["mount"]
#: Mount settings a normal mount never takes from a default mount.
_NOT_MERGED: dict[Dialect, frozenset[str]] = {
    Dialect.V24: frozenset({"mount-name"}),
    # the default mount's <password> is its own auth stack, asked after the mount's (auth.source_logins)
    Dialect.V25: frozenset({"mount-name", "username", "password"}),
    Dialect.KH: frozenset(),
}
#: The releases as module globals: ``Dialect.V24`` is a lookup through the enum class (about
#: ten times a global's cost), and the dialect is asked for every name looked up.
_V24 = Dialect.V24
_KH = Dialect.KH
#: Values ``merge_mounts`` counts as unset.
_UNSET = (None, 0, -1, False, "")
#: Settings whose unset value is -1 alone (2.4/2.5 ``merge_mounts`` tests ``== -1``): a 0
#: written on a normal mount stays, and a default mount's 0 is passed on.
_UNSET_IS_MINUS_ONE = frozenset(
    {"max-listeners", "burst-size", "public", "mp3-metadata-interval", "icy-metadata-interval", "max-history"}
)
_MINUS_ONE = (None, -1)
#: The mount settings KH copies from ``<limits>`` into each mount as it reads the ``<mount>``
#: (``_parse_mount`` in its cfgfile.c; shown on KH by tests/test_oracle_explain.py).
KH_FROM_LIMITS = ("burst-size", "queue-size", "min-queue-size", "source-timeout")


def _unset(name: str, value: object) -> bool:
    """Whether ``merge_mounts`` fills setting ``name`` holding ``value`` (as read) from the default mount."""
    return value in (_MINUS_ONE if name in _UNSET_IS_MINUS_ONE else _UNSET)


class MountConfig(FrozenRecord):
    """One ``<mount>`` as the release files it, with its settings resolved.

    ``settings`` maps an element name (``max-listeners``) to the value the
    release uses for it on this mount: written, merged from ``merged_from``,
    or the release's default.  Secrets are in it too: print them through
    :func:`icecfg.effective.auth.mask`.
    """

    __slots__ = ("__dict__", "dialect", "element", "kh_limits", "kind", "merged_from", "name")
    _unshown = frozenset({"merged_from", "kh_limits"})

    element: Element
    kind: str  # "normal" or "default"
    name: str | None
    dialect: Dialect
    #: The ``type="default"`` mount this one inherits unset settings from.
    merged_from: MountConfig | None
    #: KH: the :data:`KH_FROM_LIMITS` values this mount starts from where they differ from the
    #: server's ``<limits>`` (a ``<limits>`` written after the ``<mount>`` changes them); None: none differ.
    kh_limits: Mapping[str, Traced[object]] | None

    def __init__(
        self,
        element: Element,
        kind: str,
        name: str | None,
        dialect: Dialect,
        merged_from: MountConfig | None = None,
        kh_limits: Mapping[str, Traced[object]] | None = None,
    ) -> None:
        setters = _FIELD_SETTERS
        setters["element"](self, element)
        setters["kind"](self, kind)
        setters["name"](self, name)
        setters["dialect"](self, dialect)
        setters["merged_from"](self, merged_from)
        setters["kh_limits"](self, kh_limits)

    # One per element of the file: compared by identity.  object's own methods (not a
    # Python ``id(self)``) keep the hash in C, and mounts key the per-mount dicts of a lint.
    __eq__ = object.__eq__
    __hash__ = object.__hash__

    @property
    def label(self) -> str:
        return self.name if self.name is not None else '<mount type="default">'

    @computed_once
    def own(self) -> Mapping[str, Traced[object]]:
        """Settings written on this mount (last occurrence wins; KH's attribute form included)."""
        return MappingProxyType(_own_settings(self.element, self.dialect))

    @computed_once
    def settings(self) -> Mapping[str, Traced[object]]:
        """Every value setting of the mount after the merge, defaults included.

        A queue, burst or source timeout left unset is the server's
        ``<limits>`` one, except on KH where the mount read it before a
        ``<limits>`` that changes it (:attr:`kh_limits`): then it is the value KH
        copied into the mount.
        """
        out: dict[str, Traced[object]] = {}
        donor = self.merged_from.own if self.merged_from is not None else {}
        skip = _NOT_MERGED[self.dialect]
        from_limits = self.kh_limits or {}
        own = self.own
        # the value rows with their unset reading, worked out once per process and shared: a
        # default made here for every unset setting of every mount was a record pair per row
        for row, unset in value_rows(_MOUNT, self.dialect):
            mine = own.get(row.name)
            copied = from_limits.get(row.name)
            if copied is not None and (mine is None or mine.value is None or mine.origin.source is Source.DEFAULT):
                out[row.name] = copied  # KH: nothing read on the mount, the copy of <limits> stays
                continue
            if mine is not None and (not _unset(row.name, mine.value) or row.name in skip):
                out[row.name] = mine
                continue
            theirs = donor.get(row.name)
            if theirs is not None and row.name not in skip and not _unset(row.name, theirs.value):
                assert theirs.origin.element is not None
                out[row.name] = Traced(theirs.value, merged(theirs.origin.element, "from the default mount"))
                continue
            if mine is not None:
                out[row.name] = mine
                continue
            if unset is not None:
                out[row.name] = unset
        if self.dialect is _KH:
            kh_cap_sizes(out)  # KH uses its own size for one past its limit, as for <limits>
        return MappingProxyType(out)

    def get(self, name: str) -> object:
        """The effective value of setting ``name`` (None when neither written nor defaulted)."""
        found = self.settings.get(name)
        return found.value if found is not None else None

    @computed_once
    def auth_blocks(self) -> tuple[Element, ...]:
        """The ``<authentication>`` blocks a listener of this mount goes through, in the order they are asked.

        The mount's own (the last written), then on 2.5 the one of the default
        mount it is found under: 2.5 tries the normal mount's auth stack, then
        the default mount's, so a mount with a ``<mount>`` of its own and no
        ``<authentication>`` still asks its listeners to log in.  2.4.4 and KH
        ask only the mount's own block (all three shown on the running servers).
        """
        own = self.element.find_last("authentication")
        blocks: tuple[Element, ...] = (own,) if own is not None else ()
        donor = self.merged_from
        if self.dialect is Dialect.V25 and donor is not None:
            inherited = donor.element.find_last("authentication")
            if inherited is not None:
                blocks += (inherited,)
        return blocks

    @computed_once
    def header_blocks(self) -> tuple[Element, ...]:
        """``<http-headers>`` blocks the mount sends: its own, then the default mount's (appended)."""
        own = tuple(self.element.elements("http-headers"))
        if self.merged_from is None:
            return own
        return own + tuple(self.merged_from.element.elements("http-headers"))

    @property
    def copied_headers_from(self) -> int | None:
        """Where the default mount's blocks start in :attr:`header_blocks` (None: it has none)."""
        if self.merged_from is None:
            return None
        return sum(1 for _block in self.element.elements("http-headers"))


#: The setters of MountConfig's slots: a file can have 100,000 mounts, and making them is
#: most of building the mount table (see records.slot_setters).
_FIELD_SETTERS = slot_setters(MountConfig)


def _own_settings(element: Element, dialect: Dialect) -> dict[str, Traced[object]]:
    """One pass over the mount's children (and KH attributes): row name -> traced value.

    KH reads the attributes first, then the children in order, and keeps a
    value a later one gives none of (:func:`icecfg.conversion.keeps_earlier`),
    as :func:`icecfg.effective.reading.section_values` reads other sections.
    """
    read: dict[str, tuple[Element, str | None]] = {}
    if dialect is _KH and element.has_attributes:
        as_attributes = _MOUNT.kh_attribute_children()
        for attribute in element.attributes:
            row = as_attributes.get(attribute.name)
            if row is not None and row.value is not None:
                read[row.name] = (element, attribute.value)
    for child in element.elements():
        row = _MOUNT.child(child.local_name, dialect)
        if row is not None and row.value is not None:
            text = release_text(child, dialect)
            if dialect is _KH and row.name in read and keeps_earlier(row, text, dialect):
                continue  # KH: nothing read, the earlier value stays
            read[row.name] = (child, text)
    out: dict[str, Traced[object]] = {}
    for name, (where, text) in read.items():
        row = _MOUNT.child(name, dialect)
        assert row is not None
        out[name] = traced(row, where, text, dialect)[0]
    return out


class MountTable(Record):
    """The mounts of one configuration and how ``config_find_mount`` looks names up."""

    __slots__ = (
        "_defaults",
        "_exact",
        "_found",
        "_kh_ranked",
        "_named",
        "_patterns",
        "dialect",
        "mounts",
        "relay_mounts",
    )
    _unshown = frozenset({"_found", "_named", "_exact", "_patterns", "_defaults", "_kh_ranked"})

    dialect: Dialect
    mounts: tuple[MountConfig, ...]
    #: Local mount names relays feed (a source can be expected there without a <mount>).
    relay_mounts: frozenset[str]
    _found: dict[str, MountConfig | None]
    #: Normal mounts with a name, in file order: a mount's position is its index here.
    _named: list[MountConfig]
    #: Name -> position of the mount ``config_find_mount`` finds by its exact name (an int, not a
    #: (position, mount) pair: one object less per mount of a large file).
    _exact: dict[str, int]
    _patterns: GlobIndex[MountConfig]
    _defaults: DefaultMounts
    #: KH: its templates in the order it tries them, when some <priority> changes the file order.
    _kh_ranked: tuple[MountConfig, ...] | None

    def __init__(
        self, dialect: Dialect, mounts: tuple[MountConfig, ...], relay_mounts: frozenset[str], defaults: DefaultMounts
    ) -> None:
        """``defaults`` indexes the default mounts of ``mounts`` (:func:`mount_table` builds both)."""
        self.dialect = dialect
        self.mounts = mounts
        self.relay_mounts = relay_mounts
        self._found = {}
        self._named = [m for m in mounts if m.kind == "normal" and m.name is not None]
        self._exact = {}
        self._patterns = GlobIndex(pathname=dialect is not Dialect.KH)  # KH: fnmatch without FNM_PATHNAME
        self._kh_ranked = None
        self._index_normal()
        self._defaults = defaults

    def _index_normal(self) -> None:
        exact = self._exact
        is_glob = TEMPLATE_CHARS.search  # is_pattern() inlined: asked once for each mount of the file
        for position, mount in enumerate(self._named):
            name = mount.name
            assert name is not None
            exact.setdefault(name, position)
            if is_glob(name):
                self._patterns.add(position, name, mount)
        if self.dialect is Dialect.KH:
            # KH: of several same-name mounts, the one its AVL tree finds (not always the first)
            exact.update(tree_winners(self._kh_tree_entries()))
            self._kh_ranked = self._kh_ranking()

    def _kh_ranking(self) -> tuple[MountConfig, ...] | None:
        """KH's templates lowest <priority> first (unset or negative: last), in file order within one.

        None when no template writes a priority: then file order is KH's order.
        """
        templates = [m for m in self._named if m.name is not None and is_pattern(m.name)]
        if not any(m.element.find_last("priority") is not None for m in templates):
            return None
        return tuple(sorted(templates, key=_kh_priority))  # stable: file order within one priority

    def _kh_tree_entries(self) -> Iterator[tuple[str, int]]:
        """KH's tree holds every mount whose name is not a template, in file order (name, position)."""
        for position, mount in enumerate(self._named):
            assert mount.name is not None
            if not is_pattern(mount.name):
                yield mount.name, position

    def normal(self) -> Iterator[MountConfig]:
        """Normal mounts with a name, in file order."""
        return iter(self._named)

    def kh_used(self, name: str) -> MountConfig | None:
        """KH: of the mounts written with the name ``name``, the one it uses (None: there is none).

        A name without template characters: the one its mount tree finds
        (not always the first, :mod:`icecfg.effective.khtree`); a template:
        the first one KH tries (lowest ``<priority>``, then file order), which
        matches every name the others would.
        """
        if not is_pattern(name):
            hit = self._exact.get(name)
            return self._named[hit] if hit is not None else None
        return next((m for m in (self._kh_ranked or self._named) if m.name == name), None)

    def defaults(self) -> Iterator[MountConfig]:
        return (m for m in self.mounts if m.kind == "default")

    def find(self, name: str) -> MountConfig | None:
        """The mount configuration the release uses for ``name`` (``config_find_mount``), memoised."""
        found = self._found
        if name in found:  # not try/except: a KeyError costs more than a lookup, and a lint misses once per name
            return found[name]
        mount = found[name] = self._find(name)
        return mount

    def _find(self, name: str) -> MountConfig | None:
        hit = self._exact.get(name)
        dialect = self.dialect
        if dialect is _V24:
            # 2.4.4 glob-matches normal mounts too; the first match in file order wins
            found = self._patterns.first_match(name, hit)
            if found is not None:
                return found[1]
        if hit is not None:
            return self._named[hit]
        if dialect is _KH:
            if self._kh_ranked is not None:
                return next((m for m in self._kh_ranked if glob_match(m.name or "", name, pathname=False)), None)
            found = self._patterns.first_match(name)
            return found[1] if found is not None else None
        return self.default_for(name)  # 2.4 and 2.5 use it directly when no normal mount matches

    def find_linearly(self, name: str) -> MountConfig | None:
        """The plain reading of ``config_find_mount``, mount after mount; the tests compare it with :meth:`find`."""
        if self.dialect is Dialect.KH:
            winner = tree_winners(self._kh_tree_entries()).get(name)
            if winner is not None:
                return self._named[winner]  # a name written more than once: the tree's pick
        for mount in self.normal():
            assert mount.name is not None
            if mount.name == name or (self.dialect is Dialect.V24 and glob_match(mount.name, name)):
                return mount  # 2.4.4 glob-matches normal mounts too, first match wins
        if self.dialect is Dialect.KH:
            ranked = self._kh_ranked if self._kh_ranked is not None else self.normal()
            for mount in ranked:
                assert mount.name is not None
                if is_pattern(mount.name) and glob_match(mount.name, name, pathname=False):
                    return mount
        if self.dialect is not Dialect.KH:
            return self.default_for_linearly(name)  # used directly when no normal mount matches
        return None

    def default_for_linearly(self, name: str | None) -> MountConfig | None:
        """The plain scan :meth:`default_for` stands for; the tests compare the two."""
        for mount in self.defaults():
            if mount.name is None or name is None or glob_match(mount.name, name):
                return mount
        return None

    def default_for(self, name: str | None) -> MountConfig | None:
        """The first ``type="default"`` mount that applies to ``name`` (unnamed ones apply to all)."""
        return self._defaults.first_for(name)

    def defines(self, name: str) -> bool:
        """True when a source can be expected on ``name``: a configured normal mount or a relay."""
        if name in self.relay_mounts:
            return True
        found = self.find(name)
        return found is not None and found.kind == "normal"


def _kh_priority(mount: MountConfig) -> int:
    """The rank of a KH template: its <priority>, unset or negative ones after every other."""
    value = mount.get("priority")
    last = 2**31 - 1  # INT_MAX
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else last


class DefaultMounts:
    """The ``type="default"`` mounts in file order, indexed to find the first that applies to a name.

    Apart from :class:`MountTable` because a normal mount's link to its default
    mount is made when the mount is, before the table that holds both exists.
    """

    __slots__ = ("_any", "_exact", "_first", "_patterns")

    def __init__(self, mounts: Iterable[MountConfig]) -> None:
        self._first: MountConfig | None = None
        self._any: tuple[int, MountConfig] | None = None
        self._exact: dict[str, tuple[int, MountConfig]] = {}
        self._patterns: GlobIndex[MountConfig] = GlobIndex()
        for index, mount in enumerate(mounts):
            if self._first is None:
                self._first = mount
            if mount.name is None:
                if self._any is None:
                    self._any = (index, mount)
            elif is_pattern(mount.name):
                self._patterns.add(index, mount.name, mount)  # fnmatch only: '/[ab]' is not itself
            else:
                self._exact.setdefault(mount.name, (index, mount))

    def first_for(self, name: str | None) -> MountConfig | None:
        """The first default mount that applies to ``name``: unnamed ones apply to all; None: the first."""
        if name is None:
            return self._first
        best = self._any
        exact = self._exact.get(name)
        if exact is not None and (best is None or exact[0] < best[0]):
            best = exact
        found = self._patterns.first_match(name, best[0] if best is not None else None)
        if found is not None:
            best = found
        return best[1] if best is not None else None


def mount_table(root: Element, dialect: Dialect) -> MountTable:
    """Every mount the release keeps, each normal one linked to the default mount it merges (linear).

    Two passes: the default mounts are made and indexed first, so that each
    normal mount is made with its link (2.4/2.5; KH merges nothing).
    """
    found: list[tuple[Element, str, str | None]] = []
    kh = dialect is Dialect.KH
    for element in root.elements("mount"):
        kind = element.get("type") if not kh else None
        if kind is None:
            kind = "normal"
        elif kind not in ("normal", "default"):
            continue  # 2.4/2.5 drop a mount of unknown type ("Unknown mountpoint type")
        name = mount_name(element, dialect)
        found.append((element, kind, name))
    if kh:
        copies = _kh_limits_copies(root)
        mounts = tuple(MountConfig(e, kind, name, dialect, None, copies.get(e)) for e, kind, name in found)
        return MountTable(dialect, mounts, _relay_mounts(root), DefaultMounts(()))
    made = [MountConfig(e, kind, name, dialect) if kind == "default" else None for e, kind, name in found]
    defaults = DefaultMounts(m for m in made if m is not None)
    first_for = defaults.first_for
    mounts = tuple(
        mount if mount is not None else MountConfig(element, kind, name, dialect, first_for(name))
        for mount, (element, kind, name) in zip(made, found, strict=True)
    )
    return MountTable(dialect, mounts, _relay_mounts(root), defaults)


def _relay_mounts(root: Element) -> frozenset[str]:
    """Local mount names relays feed."""
    relays: set[str] = set()
    for relay in root.elements("relay"):
        relays.add(_text(relay, "local-mount") or _text(relay, "mount") or "/")
    return frozenset(relays)


def _kh_limits_copies(root: Element) -> dict[Element, Mapping[str, Traced[object]]]:
    """KH: the ``<mount>`` elements read before a ``<limits>`` that changes what they copy, with their copies.

    KH's ``_parse_mount`` starts each mount with the queue, burst and source
    timeout ``<limits>`` has given so far, file order; a ``<limits>`` after the
    ``<mount>`` changes the server's values only.  One pass over the root's
    children; the copies are worked out once per ``<limits>`` block met.
    Mounts after the last ``<limits>`` (most files) copy the server's values
    and are left out.
    """
    blocks = list(root.elements("limits"))
    if not blocks or not may_spell(root, KH_FROM_LIMITS):
        return {}
    final = section_values(blocks, "limits", Dialect.KH)
    out: dict[Element, Mapping[str, Traced[object]]] = {}
    seen = 0
    copy: Mapping[str, Traced[object]] | None = None  # worked out at the first mount after a <limits>
    for child in root.elements():
        name = child.local_name
        if name == "limits":
            seen += 1
            if seen == len(blocks):
                break  # every later mount copies the server's values
            copy = None
        elif name == "mount":
            if copy is None:
                copy = MappingProxyType(_kh_copy(blocks, seen, final))
            if copy:
                out[child] = copy
    return out


def _kh_copy(blocks: list[Element], seen: int, final: Mapping[str, Traced[object]]) -> dict[str, Traced[object]]:
    """What a mount read after ``blocks[:seen]`` copies of :data:`KH_FROM_LIMITS`, where it differs from ``final``."""
    before = section_values(blocks[:seen], "limits", Dialect.KH)
    out: dict[str, Traced[object]] = {}
    for name in KH_FROM_LIMITS:
        now, then = final.get(name), before.get(name)
        if then is None or now is None or now.value == then.value:
            continue
        where = f" (line {now.origin.line})" if now.origin.line else ""
        note = f"Icecast-KH copies <limits> into a mount as it reads it: a later one{where} comes too late"
        element = then.origin.element
        out[name] = Traced(then.value, derived(element, note if element is not None else f"the default; {note}"))
    return out


def mount_name(element: Element, dialect: Dialect) -> str | None:
    """The name ``dialect`` reads for the ``<mount>`` ``element``: every message naming a mount says this one.

    2.4.4 and 2.5.0 take the last ``<mount-name>`` as written; KH also the
    ``mount-name`` attribute, and keeps a name past a later element it reads
    nothing from.
    """
    return _kh_mount_name(element) if dialect is _KH else _text(element, "mount-name")


def _kh_mount_name(element: Element) -> str | None:
    """KH's name of a mount: the ``mount-name`` attribute, replaced by each element it reads a name from."""
    name = element.get("mount-name")
    for child in element.elements("mount-name"):
        text = release_text(child, Dialect.KH)
        if text is not None:
            name = text
    return name


def _text(element: Element, name: str) -> str | None:
    found = element.find_last(name)
    return found.text if found is not None else None


def is_written(value: Traced[object]) -> bool:
    return value.origin.source in (Source.ELEMENT, Source.CLAMPED)
