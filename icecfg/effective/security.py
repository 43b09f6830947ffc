"""Security: the chroot and the user Icecast switches to, and paths as seen from outside a chroot."""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Iterator
from typing import NamedTuple

from icecfg.document import Element
from icecfg.effective.provenance import Traced, default, written
from icecfg.effective.reading import section_values
from icecfg.placement import Placed
from icecfg.spec import Dialect, Kind

#: Paths Icecast opens before it chroots (so they stay host paths).  2.5.0 reads the
#: <reportxmldb> file while it parses the configuration, before the chroot; 2.4.4 and
#: 2.5.0 write <pidfile> before it, Icecast-KH after it, inside <basedir> (shown on each).
#: Icecast-KH splices its root <include> files in while it parses the configuration.
#: The mime types file is read after the chroot, at start, on every release (shown on each);
#: so is 2.5's <geoipdb> by a build with libmaxminddb (from the source: the build tested
#: has none and only looks the file up, on the host path, while it parses the configuration).
_BEFORE_CHROOT = frozenset({"basedir", "reportxmldb"})
_BEFORE_CHROOT_ON: dict[Dialect, frozenset[str]] = {
    Dialect.V24: _BEFORE_CHROOT | {"pidfile"},
    Dialect.V25: _BEFORE_CHROOT | {"pidfile"},
    Dialect.KH: _BEFORE_CHROOT | {"include"},
}
#: Paths relative to something other than the filesystem root.
_RELATIVE_ELSEWHERE = frozenset({"intro"})


class Security(NamedTuple):
    """``<security>`` and ``<paths><basedir>`` as they shape where Icecast runs.

    An immutable named tuple (like the logging records): every lint run
    reads it, and a dataclass costs a millisecond to define at start-up.
    """

    chroot: Traced[object]
    #: The chroot target (``<basedir>``).
    basedir: Traced[object]
    #: ``<changeowner>`` present: Icecast switches user (when started as root and both names resolve).
    changeowner: bool
    #: The last ``<user>``/``<group>`` of every ``<changeowner>``: each one read replaces the
    #: one before, and an empty one leaves no name (value None), as ``_parse_security`` does.
    user: Traced[str | None] | None
    group: Traced[str | None] | None
    #: The last ``<changeowner>`` element (None without one).
    owner: Element | None = None
    #: The release switches the user when only ``<user>`` is named (KH, keeping root's group).
    user_alone_switches: bool = False
    #: The release whose reading this is (what it does started as root differs).
    dialect: Dialect = Dialect.V24

    @property
    def chrooted(self) -> bool:
        return bool(self.chroot.value)

    @property
    def chroot_base(self) -> str:
        """The directory Icecast chroots into: ``<basedir>`` (its compiled-in default when unset)."""
        return str(self.basedir.value or "/")

    @property
    def switches_group(self) -> bool:
        """Whether a server started as root calls setgid: only when ``<changeowner>`` names both a user and a group."""
        return bool(self.user is not None and self.user.value and self.group is not None and self.group.value)

    @property
    def switches_user(self) -> bool:
        """Whether a server started as root calls setuid: with both names, and on KH with ``<user>`` alone.

        Shown as root of a user namespace: 2.4.4 and 2.5.0 try neither switch
        unless both names are set; KH tries the user's alone (``Error
        changing userid``), so it keeps root's group.
        """
        if self.switches_group:
            return True
        return self.user_alone_switches and bool(self.user is not None and self.user.value)

    @property
    def started_as_root(self) -> str:
        """What a server started as root does with a ``<changeowner>`` that names less than both; "" otherwise.

        Shown as root of a user namespace (``tests/test_oracle_tls_security_25_kh.py``):
        2.4.4 and 2.5.0 switch nothing and then refuse to run as root (2.5.0
        runs on as PID 1, a container's entrypoint); KH switches a ``<user>``
        alone, keeping root's group, dies of SIGSEGV on a ``<group>`` alone,
        and refuses to run with neither.
        """
        if not self.changeowner or self.switches_group:
            return ""
        if self.switches_user:
            return "switches the user alone and keeps root's group"
        named = {name for name, value in (("user", self.user), ("group", self.group)) if value and value.value}
        if self.dialect is Dialect.KH and named == {"group"}:
            return "crashes at start-up (SIGSEGV)"
        refusal = "stays root and refuses to run"
        return refusal + (", except as PID 1 (a container's entrypoint)" if self.dialect is Dialect.V25 else "")

    def outside(self, path: str) -> str:
        """``path`` as seen from outside when ``<chroot>`` confines Icecast to ``<basedir>``."""
        if not self.chrooted:
            return path
        return posixpath.join(self.chroot_base, path.lstrip("/"))

    def includes_base(self, path: str) -> bool:
        """Whether ``path``, opened after the chroot, is written with the ``<basedir>`` prefix.

        Such a path is looked up twice inside the basedir (``<basedir><basedir>/...``):
        ICE508 reports it, so the rules that check whether a chrooted path exists
        (ICE509, ICE803) leave it alone rather than report the same mistake again.
        """
        base = self.chroot_base.rstrip("/") or "/"
        return self.chrooted and base != "/" and (path == base or path.startswith(base + "/"))

    def to_json(self) -> dict[str, object]:
        return {
            "chroot": self.chroot.to_json(),
            "basedir": self.basedir.to_json(),
            "changeowner": self.changeowner,
            "user": self.user.to_json() if self.user else None,
            "group": self.group.to_json() if self.group else None,
            "switches_user": self.switches_user,
            "switches_group": self.switches_group,
            "started_as_root": self.started_as_root or None,
        }


def security(root: Element, dialect: Dialect, paths: dict[str, Traced[object]] | None = None) -> Security:
    """``paths`` is ``section_values`` of the ``<paths>`` blocks when known (an EffectiveConfig has them)."""
    blocks = list(root.elements("security"))
    values = section_values(blocks, "security", dialect)
    if paths is None:
        paths = section_values(list(root.elements("paths")), "paths", dialect)
    owners = [owner for block in blocks for owner in block.elements("changeowner")]
    user: Traced[str | None] | None = None
    group: Traced[str | None] | None = None
    for owner in owners:
        for child in owner.elements():
            if child.local_name in ("user", "group"):
                origin = written(child) if child.text is not None else written(child, "empty: no name")
                value = Traced(child.text, origin)
                if child.local_name == "user":
                    user = value
                else:
                    group = value
    return Security(
        chroot=values.get("chroot") or Traced(False, default()),
        basedir=paths.get("basedir") or Traced(None, default()),
        changeowner=bool(owners),
        user=user,
        group=group,
        owner=owners[-1] if owners else None,
        user_alone_switches=dialect is Dialect.KH,
        dialect=dialect,
    )


def opened_before_chroot(name: str, dialect: Dialect) -> bool:
    """Whether ``dialect`` opens the path setting ``name`` before it chroots.

    Such a path is a host path even with ``<chroot>``: it is neither looked
    up inside ``<basedir>`` nor resolved against it.  Per release, because
    the order differs: Icecast-KH writes ``<pidfile>`` after the chroot.
    """
    return name in _BEFORE_CHROOT_ON[dialect]


def chrooted_paths(placed: Iterable[Placed], dialect: Dialect) -> Iterator[tuple[Element, str, str]]:
    """(element, path, what) of every absolute path Icecast opens after it chroots into ``<basedir>``.

    Paths of every section, the root's ``<mime-types>`` (2.4, 2.5) included
    (not those the release opens before, as ``<basedir>`` and KH's
    ``<include>``, nor ``<intro>``, relative to webroot), then the
    ``filename`` of every htpasswd
    authenticator of a mount.  Takes the elements already matched against
    the table (a lint run has them).
    """
    htpasswd: list[Element] = []
    for item in placed:
        row = item.row
        mount_auth = row is not None and row.name == "authentication" and item.parent.id == "mount"
        if mount_auth and item.element.get("type") == "htpasswd":
            htpasswd.append(item.element)
        if row is None or row.value is None or row.value.kind is not Kind.PATH:
            continue
        if dialect not in row.dialects:
            continue
        if opened_before_chroot(row.name, dialect) or row.name in _RELATIVE_ELSEWHERE:
            continue
        text = item.element.text
        if text and text.startswith("/"):
            yield item.element, text, f"<{row.name}>"
    for block in htpasswd:
        for option in block.elements("option"):
            value = option.get("value")
            if option.get("name") == "filename" and value and value.startswith("/"):
                yield option, value, 'the htpasswd <option name="filename">'
