"""Fallback chains: where a mount's listeners go when its source is absent.

Icecast follows ``<fallback-mount>`` while a mount has no running source
(``source_find_mount``), at most ``MAX_FALLBACK_DEPTH`` lookups, and plays
a file from webroot when the value names no live mount (the value must start
with ``/``: the file is webroot and the value glued together).  A chain is
resolved here once: its hops, whether each is a mount or a file, and how it
ends (a file, a mount without fallback, a loop, the depth limit) is in
:mod:`icecfg.effective.chains`.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from typing import NamedTuple

from icecfg import spec
from icecfg.conversion import FallbackOverride, c_div, kh_bitrate
from icecfg.document import Element
from icecfg.effective.declared import Declared, declared_format, declared_format_type
from icecfg.effective.mounts import MountConfig, MountTable
from icecfg.effective.provenance import Origin, Traced, merged, written
from icecfg.effective.reading import child_text
from icecfg.files import FileView
from icecfg.spec import Dialect

#: Icecast's MAX_FALLBACK_DEPTH: ``source_find_mount`` looks a name up at most
#: this many times, the requested mount included, so a listener of a mount
#: reaches at most ``MAX_FALLBACK_DEPTH - 1`` fallback hops (tested on 2.4.4).
MAX_FALLBACK_DEPTH = 10
MAX_HOPS = MAX_FALLBACK_DEPTH - 1
#: Dialect.KH as a module global: reading it through the enum class costs ten times as much,
#: and it is asked for every mount.
_KH = Dialect.KH
#: The mount options that only act on the mount's fallback.
FALLBACK_OPTIONS = ("fallback-override", "fallback-when-full")


def fallback_value(mount: Element, dialect: Dialect) -> tuple[str, Element, str | None] | None:
    """The mount's own fallback value (None when unset or empty), its element, and the attribute holding it."""
    found = _own_fallback(mount, dialect)
    return (found.value, found.element, found.attribute) if found is not None else None


def _own_fallback(mount: Element, dialect: Dialect) -> Fallback | None:
    """The mount's own fallback (what :func:`fallback_value` tells), None without one."""
    if dialect is _KH:
        found = _kh_fallback_value(mount)
        return Fallback(found[0], found[1], None, found[2]) if found is not None else None
    element = mount.find_last("fallback-mount")
    if element is None:
        return None
    value = element.text
    return Fallback(value, element) if value is not None else None


def _kh_fallback_value(mount: Element) -> tuple[str, Element, str | None] | None:
    """KH's fallback: the last mount named by any ``<fallback>`` or ``<fallback-mount>``, in file order.

    kh22 hands both elements to one parser (``_parse_fallback``) that fills
    the same field, so each element that names a mount replaces what the ones
    before it named; inside one element its own text, then a ``mount=``
    attribute (even an empty one), then a ``<mount>`` child each replace the
    last.  An element that names none (``<fallback rate="128k"/>``) leaves the
    field as it was (all tested on kh22).
    """
    found: tuple[str, Element, str | None] | None = None
    for block in mount.elements_named(_KH_FALLBACK_BLOCKS):
        text = block.text
        if text is not None and text.strip():
            found = (text, block, None)
        attribute = block.get("mount")
        if attribute is not None:
            found = (attribute, block, "mount")
        if block.local_name == "fallback":
            for inner in block.elements("mount"):
                value = inner.text
                if value is not None and value.strip():
                    found = (value, inner, None)
    if found is None or not found[0]:
        return None  # an empty mount= leaves KH a value without its "/": no fallback
    return found


#: KH reads a rate from a fallback name such as ``/silence.mp3[128]`` (kbit/s).
_KH_NAME_RATE = re.compile(r"[^\[]+\[\s*([+-]?\d+)\]")


_KH_FALLBACK_BLOCKS = frozenset({"fallback", "fallback-mount"})
_KH_FALLBACK_SECTION = spec.SECTIONS["kh-fallback"]


def kh_fallback_rate(mount: Element) -> int:
    """Bits per second a KH mount's ``<fallback>``/``<fallback-mount>`` names (``rate``), 0 when none.

    ``_parse_fallback`` starts each element at 0 and reads its ``rate``
    attribute, then its ``<rate>`` children, a value it cannot read leaving
    the one before (:func:`icecfg.effective.reading.child_text`); the last
    element's rate stays.
    """
    blocks = mount.elements_named(_KH_FALLBACK_BLOCKS)
    if not blocks:
        return 0
    last = blocks[-1]
    _where, written_rate = child_text(last, _KH_FALLBACK_SECTION, "rate", Dialect.KH)
    rate = kh_bitrate(written_rate) if written_rate is not None else None
    return rate or 0


def kh_name_rate(name: str) -> int:
    """Bytes per second KH sends a fallback file at when its name carries ``[kbit/s]``, else 0."""
    match = _KH_NAME_RATE.match(name)
    return int(match[1]) * 1000 // 8 if match is not None else 0


class Fallback(NamedTuple):
    """A mount's fallback value, and the mount it was merged from when inherited.

    A named tuple rather than a dataclass: it is on ``icecfg lint``'s start-up path.
    """

    value: str
    element: Element
    inherited_from: MountConfig | None = None
    #: The attribute of ``element`` that holds the value (KH's ``<fallback mount="...">``), None: its text.
    attribute: str | None = None

    @property
    def origin(self) -> Origin:
        if self.inherited_from is not None:
            return merged(self.element, "from the default mount")
        return written(self.element)


class Fallbacks:
    """The fallback graph of a mount table: each mount's fallback, chains, what listeners get."""

    def __init__(self, table: MountTable, webroot: str, files: FileView | None, *, rates: bool = True) -> None:
        self.table = table
        #: False when the file spells no ``rate`` (nor ``limit-rate``): no mount sets one, and
        #: :meth:`kh_file_rate` asks only the file's name instead of every mount of each chain.
        self._rates = rates
        #: The webroot as seen from outside a chroot (the files are looked up there).
        self.webroot = webroot
        self.files = files
        #: Mounts with a fallback (own or merged), in file order; a mount without one is absent.
        self._of: dict[MountConfig, Fallback] = {}
        self._formats: dict[str, Declared | None] = {}
        self._format_types: dict[str, str | None] = {}
        self._unusual: list[tuple[MountConfig, list[str], bool]] | None = None
        dialect = table.dialect
        of = self._of
        # Thousands of mounts can inherit from the same few default mounts: each default
        # mount is read once, and its mounts share one (immutable) inherited Fallback.
        inherited: dict[MountConfig, Fallback | None] = {}
        for mount in table.mounts:
            found = _own_fallback(mount.element, dialect)
            if found is not None:
                of[mount] = found
                continue
            donor = mount.merged_from  # merge_mounts fills unset fields from the first matching default mount
            if donor is None or mount.kind != "normal":
                continue
            try:
                shared = inherited[donor]
            except KeyError:
                own = _own_fallback(donor.element, dialect)
                shared = inherited[donor] = own._replace(inherited_from=donor) if own is not None else None
            if shared is not None:
                of[mount] = shared

    def of(self, mount: MountConfig) -> Fallback | None:
        """The fallback of ``mount`` (own or merged), None without one."""
        return self._of.get(mount)

    def with_fallback(self) -> Iterator[tuple[MountConfig, Fallback]]:
        """Every mount that has a fallback (own or merged) and that fallback, in file order."""
        return iter(self._of.items())

    def chained(self) -> Iterator[tuple[MountConfig, Fallback]]:
        """Normal mounts with a name that have a fallback, in file order: where chains start."""
        return ((m, f) for m, f in self._of.items() if m.kind == "normal" and m.name is not None)

    def file_fallbacks(self) -> Iterator[tuple[MountConfig, Fallback]]:
        """Mounts whose own fallback names no mount (a file in webroot), and that fallback, in file order.

        An inherited fallback is judged where it is written, at the default
        mount; a value without the leading ``/`` is ICE601's.
        """
        for config, found in self._of.items():
            value = found.value
            if found.inherited_from is not None or not value.startswith("/"):
                continue
            if self.table.defines(value) or self.rescued_by_default(value):
                continue
            yield config, found

    def next(self, name: str) -> tuple[str, MountConfig] | None:
        """The next name after ``name`` and the mount that sends it there.

        A name no normal mount configures ends the chain: it is a file (or a
        source without a ``<mount>``), and Icecast finds its running source
        before it would consult a default mount.
        """
        mount = self.table.find(name)
        if mount is None or mount.kind != "normal":
            return None
        fallback = self._of.get(mount)
        return (fallback.value, mount) if fallback is not None else None

    def rescued_by_default(self, name: str) -> bool:
        """2.4/2.5: a name no mount configures still falls back through the default mount."""
        mount = self.table.find(name)
        if mount is None or mount.kind != "default":
            return False
        fallback = self.of(mount)
        return fallback is not None and fallback.value != name

    def names(self, start: str, limit: int = 4 * MAX_FALLBACK_DEPTH) -> tuple[list[str], bool]:
        """Names from ``start`` along the fallbacks (about ``limit`` of them at most), and whether they loop."""
        names = [start]
        find = self.table.find
        of = self._of.get
        name = start
        while True:  # self.next() inlined: every lint walks every chain
            mount = find(name)
            if mount is None or mount.kind != "normal":
                return names, False
            fallback = of(mount)
            if fallback is None:
                return names, False
            name = fallback.value
            if name in names:  # a list: chains are short, and a set would cost more than it saves
                names.append(name)
                return names, True
            names.append(name)
            if len(names) > limit:
                return names, False

    def unusual(self) -> list[tuple[MountConfig, list[str], bool]]:
        """The chains that loop or are longer than Icecast follows: (mount, names, loops), in file order.

        Found in one walk of every chain, shared by the rules on loops and on
        the depth limit; the rest of the chains, nearly all of a large file,
        are walked only once for both.
        """
        if self._unusual is None:
            self._unusual = []
            for mount, _fallback in self.chained():
                assert mount.name is not None
                names, loops = self.names(mount.name)
                if loops or len(names) - 1 > MAX_HOPS:
                    self._unusual.append((mount, names, loops))
        return self._unusual

    def file_path(self, value: str) -> str:
        """The server path Icecast opens for a file fallback: webroot and value, concatenated."""
        return self.webroot + value

    def end_file(self, start: str) -> list[str] | None:
        """The names from ``start`` to the file its chain ends in, when listeners can reach that file.

        None when the chain ends in a mount, loops, is longer than Icecast
        follows, ends in a value without the leading ``/``, or the file is
        known not to exist.
        """
        names, loops = self.names(start, MAX_HOPS + 1)
        return names if not loops and self.reaches_file(names) else None

    def reaches_file(self, names: list[str]) -> bool:
        """Whether a chain of ``names`` (no loop) ends, within the depth limit, in a file the server may send.

        Not in one that is missing, a directory, or that cannot be read: the
        server answers 404 for those (a directory: 200 and no data), as ICE602
        and ICE609 say.
        """
        last = names[-1]
        if len(names) < 2 or len(names) - 1 > MAX_HOPS:
            return False
        if self.table.defines(last) or not last.startswith("/"):
            return False
        path = self.file_path(last)
        return self.files is None or (self.files.is_file(path) and not self.files.unusable(path))

    def kh_file_rate(self, names: list[str]) -> int:
        """The rate KH's ``source_add_listener`` sends the file at the end of ``names`` with (bytes/s).

        Along the chain the last mount with a ``<limit-rate>`` sets it; else the
        first fallback with a ``rate``; else a ``[kbit/s]`` in the file's name.
        Without one KH answers 404 instead of sending the file (tested on kh22).
        """
        if not self._rates:
            return kh_name_rate(names[-1])
        rate = 0
        for name in names[:-1]:
            mount = self.table.find(name)
            if mount is None:
                continue
            bits = mount.get("limit-rate")
            if isinstance(bits, int) and bits:
                rate = c_div(bits, 8)  # C's int64 / 8: -1 bit/s is 0 bytes/s, and that 0 is taken
            if rate == 0:
                rate = c_div(kh_fallback_rate(mount.element), 8)
        return rate or kh_name_rate(names[-1])

    @property
    def refusal(self) -> str:
        """The status a listener gets when the lookups run out (a loop, the depth limit): tested on each release."""
        return "403" if self.table.dialect is Dialect.KH else "404"

    def declared_format(self, name: str) -> Declared | None:
        """The format of whatever plays on ``name``, when the configuration tells (memoised).

        Many chains end in the same few mounts and files, so each name is read once.
        """
        try:
            return self._formats[name]
        except KeyError:
            found = self._formats[name] = declared_format(self.table, name)
            return found

    def format_type(self, name: str) -> str | None:
        """The format type :meth:`declared_format` tells for ``name``, without its evidence (memoised).

        What the fallback rule compares for each name of every chain: a
        large file's chains end in tens of thousands of names, and a
        :class:`Declared` with its evidence kept for each would be one more
        record per name where the shared type word is all that is read.
        """
        types = self._format_types
        if name in types:
            return types[name]
        found = types[name] = declared_format_type(self.table, name)
        return found


def options_on(mount: MountConfig) -> Iterator[tuple[str, Traced[object]]]:
    """The fallback options written on ``mount`` itself that switch something on, as the release reads them.

    ``<fallback-override>`` counts unless it reads as ``none`` (2.4 ``atoi``,
    2.5 ``all``/``none``/``own`` or a boolean, KH a boolean);
    ``<fallback-when-full>`` when it reads as true.  An empty element that
    crashes 2.4.4 switches nothing on (the value rules report the crash).
    """
    for name in FALLBACK_OPTIONS:
        found = mount.own.get(name)
        if found is None or found.value is None:
            continue
        if isinstance(found.value, FallbackOverride):
            if found.value is not FallbackOverride.NONE:
                yield name, found
        elif found.value:
            yield name, found


def webroot_outside(webroot: str, chroot_base: str | None) -> str:
    """The webroot with one trailing / stripped, as seen from outside a chroot to ``chroot_base``."""
    if webroot.endswith("/") and len(webroot) > 1:
        webroot = webroot[:-1]
    if chroot_base is None:
        return webroot
    return posixpath.join(chroot_base, webroot.lstrip("/"))
