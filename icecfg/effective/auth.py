"""Authentication: who can log in as a source, an admin, a relay, and which mounts ask listeners.

Secrets are kept so that the layer can answer "is this the default
password?", but nothing here prints them: :meth:`Login.to_json` masks a
password unless it is asked for explicitly (``reveal=True``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import NamedTuple

from icecfg import spec
from icecfg.document import Element
from icecfg.effective.mounts import MountConfig, MountTable, mount_name
from icecfg.effective.provenance import Origin, Source, Traced, default, written
from icecfg.effective.reading import section_values
from icecfg.effective.urlauth import asks_nobody, logs_in_sources_only
from icecfg.placement import Placed
from icecfg.records import FrozenRecord
from icecfg.secrets import SECRET_OPTIONS
from icecfg.spec import Dialect, Kind

#: Passwords everybody knows: Icecast's sample configs (``hackme``, the mount
#: example's ``hackmemore``) and Icecast-KH's compiled-in default (``changeme``,
#: ``CONFIG_DEFAULT_SOURCE_PASSWORD``).  Scanners try exactly these.
KNOWN_PASSWORDS: dict[str, str] = {
    "hackme": "Icecast's sample-config default",
    "hackmemore": "Icecast's sample-config default",
    "changeme": "Icecast-KH's built-in default",
}
#: What 2.4 and 2.5 do when a password element is empty (libxml2 hands them NULL: no password).
_EMPTY_EFFECT = {
    "source-password": "sources are refused unless their mount has its own <password>",
    "admin-password": "nobody can log in to /admin",
    "relay-password": "slave servers cannot authenticate to fetch the stream list",
    "master-password": "master relaying stays off",
    "password": "the mount falls back to the global <source-password>",
}
#: What KH does when a password written as an attribute is empty: it checks the empty password.
_KH_EMPTY_ATTRIBUTE = {
    "source-password": "any source that sends an empty password is accepted",
    "admin-password": "anyone can log in to /admin with an empty password",
}


def known_default(secret: str | None) -> str | None:
    """Where ``secret`` is a well-known default from (case and surrounding space ignored), else None."""
    if secret is None:
        return None
    return KNOWN_PASSWORDS.get(secret.strip().lower())


def mask(secret: str) -> str:
    """``***`` for any password: no part of a secret is printed (even a prefix narrows a guess).

    An empty password hides nothing and is shown as it is; whether a secret
    is a well-known default is said in words (:func:`known_default`), not by
    showing some of it.
    """
    return "***" if secret else ""


def secret_json(password: Traced[object], reveal: bool = False) -> dict[str, object]:
    """A traced password as plain data: masked unless ``reveal``, with ``known_default`` named.

    Every password explain prints as JSON (logins, a mount's ``<password>``,
    the master and relay passwords) goes through here, so that all of them
    are masked the same way and all say when they are a well-known default.
    """
    data = password.to_json()
    text = str(password.value or "")
    if not reveal and password.value is not None:
        data["value"] = mask(text)
    data["known_default"] = known_default(text)
    return data


class Login(FrozenRecord):
    """A role that can log in, with the user name it takes and its password."""

    __slots__ = ("mount", "password", "role", "user", "via_default")
    _uncompared = frozenset({"via_default"})
    _unshown = frozenset({"via_default"})

    role: str  # source, admin, relay, shoutcast
    #: The mount it applies to (None: the whole server).
    mount: str | None
    user: Traced[object]
    password: Traced[object] | None
    #: 2.5: the ``<mount type="default">`` the login is attached to.  It then works only
    #: on the names that default mount is found for (the global source password sits on
    #: the first default mount of the file, whatever its name).
    via_default: MountConfig | None

    def __init__(
        self,
        role: str,
        mount: str | None,
        user: Traced[object],
        password: Traced[object] | None,
        via_default: MountConfig | None = None,
    ) -> None:
        _set = object.__setattr__
        _set(self, "role", role)
        _set(self, "mount", mount)
        _set(self, "user", user)
        _set(self, "password", password)
        _set(self, "via_default", via_default)

    @property
    def can_log_in(self) -> bool:
        return self.password is not None and bool(self.password.value)

    @property
    def scope(self) -> str:
        """Where the login works, in words."""
        if self.mount is not None:
            return self.mount
        if self.via_default is not None:
            return f"mounts of {self.via_default.label}"
        return "server"

    def to_json(self, reveal: bool = False) -> dict[str, object]:
        secret = secret_json(self.password, reveal) if self.password is not None else None
        via = self.via_default.label if self.via_default is not None else None
        return {
            "role": self.role,
            "mount": self.mount,
            "via_default_mount": via,
            "user": self.user.to_json(),
            "password": secret,
        }


class ListenerAuth(FrozenRecord):
    """How a mount (normal or ``type="default"``) asks its listeners to log in."""

    __slots__ = ("effect", "kind", "mount", "note", "origin", "roles", "where")
    _uncompared = frozenset({"where", "effect", "roles"})

    #: The mount's name; ``<mount type="default">`` for an unnamed default mount.
    mount: str
    #: "htpasswd", "url", "command", "roles", or "none (public)" / "deny-all" for a broken block
    kind: str
    origin: Origin
    note: str
    #: The mount in words, for messages: ``mount /live``, ``the default mount``, ``the mount``.
    where: str
    #: What the release does instead of asking listeners when the block is broken (a missing
    #: or unknown ``type``); empty when the block works.
    effect: str
    #: The ``<role>`` elements of a 2.5 role stack, in the order 2.5 asks them (kind "roles").
    roles: tuple[Element, ...]

    def __init__(
        self,
        mount: str,
        kind: str,
        origin: Origin,
        note: str = "",
        where: str = "the mount",
        effect: str = "",
        roles: tuple[Element, ...] = (),
    ) -> None:
        _set = object.__setattr__
        _set(self, "mount", mount)
        _set(self, "kind", kind)
        _set(self, "origin", origin)
        _set(self, "note", note)
        _set(self, "where", where)
        _set(self, "effect", effect)
        _set(self, "roles", roles)

    @property
    def broken(self) -> bool:
        return bool(self.effect)

    @property
    def role_words(self) -> str:
        """The role stack in words: ``htpasswd "members", then anonymous for get,head`` (the methods it answers)."""
        from icecfg.effective.roles import not_set_up

        words = []
        for role in self.roles:
            name, matched = role.get("name"), role.get("match-method") or role.get("method")
            dropped = not_set_up(role)
            words.append(
                (role.get("type") or "no type")
                + (f' "{name}"' if name else "")
                + (f" for {matched}" if matched else "")
                + (f" (DROPPED at start: {dropped})" if dropped else "")
            )
        return ", then ".join(words)

    def to_json(self) -> dict[str, object]:
        found: dict[str, object] = {
            "mount": self.mount,
            "type": self.kind,
            "note": self.note or None,
            "from": self.origin.to_json(),
        }
        if self.roles:
            found["roles"] = [
                {"type": role.get("type"), "name": role.get("name"), "line": role.line} for role in self.roles
            ]
        return found


class Credential(NamedTuple):
    """A secret written in the file: a password element, or an ``<option>`` whose value is one.

    A named tuple, built only when a rule asks: the lint start-up path stays light.
    """

    element: Element
    #: The table row's name (``source-password``, ``password``) or the option's name.
    name: str
    #: The section it stands in (``authentication``, ``icecast``, ``mount``, ``relay``, ``upstream``...).
    section: str
    #: The secret; None for an empty element (2.4 and 2.5 then read no password at all).
    value: str | None
    #: The attribute holding the secret: ``value`` of an ``<option name=... value=...>``, or the
    #: password's own name in KH's attribute form (``<authentication source-password="...">``);
    #: None for an element's text.
    attribute: str | None = None

    @property
    def is_option(self) -> bool:
        return self.element.local_name == "option"

    def empty_effect(self, dialect: Dialect) -> str | None:
        """What the release does with this password when it is empty; None when nothing is lost.

        2.4 and 2.5 read an empty element as no password at all.  KH reads an
        empty element as unset (its built-in default, see :class:`ServerAuth`),
        but an empty attribute as the empty password, which a client that sends
        none matches (tested on kh22).  Empty upstream credentials of a relay
        simply mean none are sent.
        """
        if self.is_option:
            return None
        if dialect is Dialect.KH:
            return _KH_EMPTY_ATTRIBUTE.get(self.name) if self.attribute is not None and not self.value else None
        if self.attribute is not None or self.value is not None:
            return None
        if self.name == "password" and self.section != "mount":
            return None
        return _EMPTY_EFFECT.get(self.name)


def credentials(placed: Iterable[Placed], dialect: Dialect) -> Iterator[Credential]:
    """Every secret of the document: passwords in document order, then secret options.

    Takes the elements already matched against the table (a lint run has
    them) so that the document is not walked twice.  For KH a password may
    also be an attribute of its block (``<authentication admin-password="...">``):
    KH reads it so (tested on kh22), and it is a secret like the element.
    """
    options: list[Credential] = []
    for item in placed:
        element = item.element
        row = item.row
        if row is not None and row.value is not None and row.value.kind is Kind.PASSWORD:
            yield Credential(element, row.name, item.parent.id, element.text)
        elif dialect is Dialect.KH and element.has_attributes and (section := item.section) is not None:
            as_attributes = section.kh_attribute_children()
            for attribute in element.attributes:
                found = as_attributes.get(attribute.name)
                if found is not None and found.value is not None and found.value.kind is Kind.PASSWORD:
                    yield Credential(element, found.name, section.id, attribute.value, attribute.name)
        elif element.local_name == "option" and (element.get("name") or "") in SECRET_OPTIONS:
            name = element.get("name") or ""
            options.append(Credential(element, name, item.parent.id, element.get("value"), "value"))
    yield from options


class OpenAdmin(NamedTuple):
    """Admin commands an anonymous 2.5 role lets anyone use without a login (ICE524)."""

    role: Element
    #: The mount whose commands they are (None: the whole server).
    mount: str | None
    #: The commands beyond the public ones; ``("*",)``: every one.
    commands: tuple[str, ...]

    def to_json(self) -> dict[str, object]:
        return {"line": self.role.line, "mount": self.mount, "commands": list(self.commands)}


class Auth(FrozenRecord):
    __slots__ = ("default_listener_auth", "listener_auth", "logins", "open_admin")

    logins: tuple[Login, ...]
    #: Normal mounts that ask their listeners to log in (the ``<authentication>`` the release keeps).
    listener_auth: tuple[ListenerAuth, ...]
    #: The same for each ``<mount type="default">`` with an ``<authentication>``.
    default_listener_auth: tuple[ListenerAuth, ...]
    #: 2.5: admin commands anonymous roles open to anyone.
    open_admin: tuple[OpenAdmin, ...]

    def __init__(
        self,
        logins: tuple[Login, ...],
        listener_auth: tuple[ListenerAuth, ...],
        default_listener_auth: tuple[ListenerAuth, ...] = (),
        open_admin: tuple[OpenAdmin, ...] = (),
    ) -> None:
        _set = object.__setattr__
        _set(self, "logins", logins)
        _set(self, "listener_auth", listener_auth)
        _set(self, "default_listener_auth", default_listener_auth)
        _set(self, "open_admin", open_admin)

    def source_logins(self, name: str, table: MountTable) -> list[Login]:
        """The source logins that work on mount ``name``: its own, else its default mount's, else the server's."""
        found = [login for login in self.logins if login.role == "source" and login.can_log_in]
        own = [login for login in found if login.mount == name]
        if own:
            return own
        default_mount = table.default_for(name)
        bound = [login for login in found if login.via_default is not None]
        if bound:
            return [login for login in bound if login.via_default is default_mount]
        return [login for login in found if login.mount is None]

    def source_password(self, name: str, table: MountTable) -> Traced[object] | None:
        """The source password the server checks for mount ``name``; None when no source can log in.

        The mount's own ``<password>``, else (2.5) the password of the default
        mount it is found under, else the global ``<source-password>``
        (KH's built-in ``changeme`` when none is written).
        """
        found = self.source_logins(name, table)
        return found[0].password if found else None

    def to_json(self, reveal: bool = False) -> dict[str, object]:
        return {
            "logins": [login.to_json(reveal) for login in self.logins],
            "listener_auth": [auth.to_json() for auth in self.listener_auth],
            "open_admin": [opened.to_json() for opened in self.open_admin],
        }


def _types(dialect: Dialect) -> tuple[str, ...]:
    """The authenticator types the release knows, from the element table."""
    attribute = spec.SECTIONS["mount-authentication"].attribute("type", dialect)
    return attribute.value.choices if attribute is not None else ()


class ServerAuth(NamedTuple):
    """The server-wide credentials (``<authentication>``, the root's ``<source-password>``) as read.

    Apart from :class:`Auth` because it needs no mount: a lint rule that asks
    whether /admin can be reached does not pay for every mount's settings.
    """

    #: ``<authentication>``'s value settings, defaults included.
    values: dict[str, Traced[object]]
    #: The server's source login (password: the global ``<source-password>``; KH's default).
    source: Login
    #: ``<admin-user>`` and ``<admin-password>`` as written (None when not): /admin needs both.
    admin_user: Traced[object] | None
    admin_password: Traced[object] | None
    #: KH: the server's source login when it takes the compiled-in ``changeme`` because no
    #: ``<source-password>`` is written or it is empty (tested on kh22).  None elsewhere.
    builtin_source: Login | None


def server_auth(root: Element, dialect: Dialect, root_values: dict[str, Traced[object]] | None = None) -> ServerAuth:
    """The server-wide logins; ``root_values`` is ``section_values([root], "icecast", dialect)`` when known.

    The root's values are worked out once by :class:`EffectiveConfig`: at
    100,000 mounts reading them again means a look at every mount.
    """
    values = section_values(list(root.elements("authentication")), "authentication", dialect)
    if root_values is None:
        root_values = section_values([root], "icecast", dialect)
    at_root = root_values.get("source-password")  # 2.5 warns, and reads it too
    password = _last_read(values.get("source-password"), at_root)
    source = Login("source", None, Traced("source", default()), password)
    builtin = None
    if dialect is Dialect.KH and password is not None:
        element = password.origin.element
        # an empty <source-password/> is unset; KH's attribute form (the origin is the
        # <authentication> block itself) is read even when empty: the empty password
        if password.origin.source is Source.DEFAULT or (
            element is not None and element.local_name != "authentication" and not element.text
        ):
            builtin = source
    return ServerAuth(
        values, source, _written(values.get("admin-user")), _written(values.get("admin-password")), builtin
    )


def _last_read(*found: Traced[object] | None) -> Traced[object] | None:
    """The global source password the release keeps: the one read last, at the root or in ``<authentication>``.

    Both places set the same field, each overwriting the other, so the one
    later in the file wins (tested on 2.4.4 and 2.5.0; KH's table parser
    writes both into the same field as well); one written beats a default.
    """
    written_ones = [value for value in found if value is not None and value.origin.element is not None]
    if written_ones:
        return max(written_ones, key=lambda value: value.origin.element.start if value.origin.element else -1)
    return next((value for value in found if value is not None), None)


def auth(root: Element, dialect: Dialect, table: MountTable, server: ServerAuth | None = None) -> Auth:
    server = server if server is not None else server_auth(root, dialect)
    values = server.values
    logins: list[Login] = []
    server_source = server.source
    source = server_source.password
    logins.append(_on_first_default(server_source, table) if dialect is Dialect.V25 else server_source)
    admin_user = values.get("admin-user")
    admin_password = values.get("admin-password")
    if admin_password is not None:
        user = admin_user or Traced("admin", default("refused: <admin-user> is not set"))
        logins.append(Login("admin", None, user, admin_password if admin_user is not None else None))
    relay_password = values.get("relay-password")
    if relay_password is not None:
        logins.append(Login("relay", None, values.get("relay-user") or Traced("relay", default()), relay_password))
    shoutcast = values.get("shoutcast-user")
    if dialect is Dialect.V25 and shoutcast is not None and source is not None:
        logins.append(Login("shoutcast", None, shoutcast, source))
    if dialect is Dialect.V25:
        logins.extend(_default_mount_logins(table))
    listener_auth: list[ListenerAuth] = []
    for mount in table.normal():
        assert mount.name is not None
        password = mount.settings.get("password")
        if password is not None and password.value:
            user = mount.settings.get("username") or Traced("source", default())
            logins.append(Login("source", mount.name, user, password))
        listener_auth.extend(mount_listener_auth(mount))
    default_auth = [
        listener_auth_block(block, dialect, mount.label)
        for mount in table.defaults()
        if (block := mount.element.find_last("authentication")) is not None
    ]
    opened = open_admin(root, table) if dialect is Dialect.V25 else ()
    return Auth(tuple(logins), tuple(listener_auth), tuple(default_auth), opened)


def open_admin(root: Element, table: MountTable) -> tuple[OpenAdmin, ...]:
    """The anonymous roles of the server's and the mounts' 2.5 role stacks that open admin commands.

    What explain lists under "Who can log in" and ICE524 reports: one walk,
    so the two cannot disagree about which roles and whose commands.
    """
    from icecfg.effective.roles import opens_admin

    found = []
    holders: list[tuple[Element, str | None]] = [(root, None)]
    holders += [(mount.element, mount.label) for mount in (*table.normal(), *table.defaults())]
    for holder, mount in holders:
        for block in holder.elements("authentication"):
            if block.get("type") is not None:
                continue
            for role in block.elements("role"):
                opened = opens_admin(role)
                if opened is not None:
                    found.append(OpenAdmin(role, mount, tuple(opened)))
    return tuple(found)


def mount_listener_auth(mount: MountConfig) -> Iterator[ListenerAuth]:
    """The authentication listeners of ``mount`` go through: its own block, then (2.5) its default mount's."""
    for block in mount.auth_blocks:
        found = listener_auth_block(block, mount.dialect, mount.label)
        if block.parent is not mount.element:
            found = found.replace(note="; ".join(filter(None, ["from the default mount", found.note])))
        elif found.kind == "roles" and (notes := _role_notes(mount, block)):
            found = found.replace(note="; ".join(notes))
        elif found.kind == "htpasswd" and mount.dialect is Dialect.V25 and (notes := _block_acl_notes(block)):
            found = found.replace(note="; ".join([*notes, found.note]))
        yield found


def _block_acl_notes(block: Element) -> list[str]:
    """What the ACL of a 2.4-style htpasswd block does, which 2.5.0 reads as a role's (shown on 2.5.0)."""
    from icecfg.effective.roles import allows

    notes = []
    if not allows(block, "get", web=True):
        notes.append("USERS REFUSED: the block's ACL denies listeners (get), which Icecast 2.5 reads as a role's")
    return notes + _acl_notes(block, "the block")


def _acl_notes(role: Element, who: str) -> list[str]:
    """A role's ACL attributes 2.5 ignores or undoes by their order (ICE520, ICE522), ``who`` naming the role."""
    from icecfg.effective.roles import ignored_acl, overridden_methods

    ignored, _extra = ignored_acl(role)
    notes = [f"{who} ignores its {' '.join(ignored)} (it has an <acl>)"] if ignored else []
    for earlier, later, methods in overridden_methods(role):
        policy = "denies" if later.name == "deny-method" else "allows"
        notes.append(f"{who} {policy} {', '.join(methods)}: its {later.name} comes after {earlier.name}")
    return notes


def _role_notes(mount: MountConfig, block: Element) -> list[str]:
    """What a mount's 2.5 role stack does that it does not read as (ICE519 to ICE522)."""
    from icecfg.effective.roles import checks_logins, source_refused_by, stranger
    from icecfg.effective.userlimits import role_note

    notes = []
    if checks_logins(block):
        root = block
        while root.parent is not None:
            root = root.parent
        found = stranger(mount.auth_blocks, root)
        if found is not None and found.let_in:
            notes.append(f"OPEN: {found.who()}, is let in by {found.by}")
    for role in block.elements("role"):
        if limit := role_note(role):
            notes.append(limit)
        notes += _acl_notes(role, f"the role at line {role.line}")
    refusing = source_refused_by(block)
    if refusing is not None:
        notes.append(f"SOURCES REFUSED: the anonymous role at line {refusing.line} answers them too")
    return notes


def authenticator_types(dialect: Dialect) -> tuple[str, ...]:
    """The ``<authentication type=...>`` values the release knows (case-sensitive), from the element table."""
    return _types(dialect)


def mount_phrase(block: Element, dialect: Dialect) -> str:
    """The mount holding ``block`` in words: ``mount /live``, ``the default mount`` or ``the mount``.

    The name is the one ``dialect`` reads (:func:`~icecfg.effective.mounts.mount_name`).
    """
    mount = block.parent
    name = mount_name(mount, dialect) if mount is not None else None
    if name:
        return f"mount {name}"
    return "the default mount" if mount is not None and mount.get("type") == "default" else "the mount"


def listener_auth_block(block: Element, dialect: Dialect, mount: str | None = None) -> ListenerAuth:
    """What ``dialect`` makes of one mount ``<authentication>`` block, normal or default mount.

    A block without a ``type`` is 2.5's role stack; a missing or unknown
    ``type`` elsewhere is broken, and each release does something different
    with it (verified on 2.4.4, 2.5.0 and KH): 2.4.4 and KH create the mount
    with no authenticator, so it is public; 2.5.0 refuses every listener and
    every source logging in with the global ``<source-password>``.  A url
    authenticator without the ``listener_add`` the release reads asks nobody
    and lets every listener in (:mod:`icecfg.effective.urlauth`).
    ``mount`` is the name reported (default: the mount's name or label).
    """
    where = mount_phrase(block, dialect)
    if mount is None:
        parent = block.parent
        name = mount_name(parent, dialect) if parent is not None else None
        mount = name or '<mount type="default">'
    kind = block.get("type")
    origin = written(block)
    if kind is None and dialect is Dialect.V25:
        return ListenerAuth(mount, "roles", origin, where=where, roles=tuple(block.elements("role")))
    if kind == "url" and dialect is Dialect.V25 and logs_in_sources_only(block, dialect):
        note = 'url authenticator with "stream_auth" and no "listener_add": Icecast 2.5 refuses every listener'
        return ListenerAuth(mount, "deny-all", origin, note, where)
    if kind == "url" and asks_nobody(block, dialect, role=False):
        # no listener_add the release reads: the authenticator lets every listener in unasked. The
        # type is right, so the block is not broken (ICE504's); ICE515 reports it
        note = 'url authenticator without "listener_add": no backend is asked'
        return ListenerAuth(mount, "none (public)", origin, note, where)
    if kind in _types(dialect):
        from icecfg.effective.userlimits import connection_note

        note = connection_note(block, dialect) if kind in ("htpasswd", "url") else ""
        return ListenerAuth(mount, kind, origin, note, where=where)
    if dialect is Dialect.V25:
        effect = (
            f"Icecast 2.5 refuses every listener of {where} and every source that "
            "logs in there with the global <source-password>"
        )
        return ListenerAuth(mount, "deny-all", origin, f"unknown type {kind!r}", where, effect)
    what = "no type" if kind is None else f"unknown type {kind!r}"
    if dialect is Dialect.V24:
        effect = f"Icecast 2.4.4 creates {where} without authentication: it is PUBLIC"
    else:
        effect = f"Icecast-KH drops the block and creates {where} without authentication: it is PUBLIC"
    return ListenerAuth(mount, "none (public)", origin, what, where, effect)


def _written(value: Traced[object] | None) -> Traced[object] | None:
    return value if value is not None and value.origin.source is Source.ELEMENT else None


def _has_own_auth(mount: MountConfig) -> bool:
    """2.5: the mount has an auth stack of its own (an ``<authentication>`` or an old-style password)."""
    password = mount.own.get("password")
    return mount.element.find_last("authentication") is not None or (password is not None and bool(password.value))


def _on_first_default(login: Login, table: MountTable) -> Login:
    """2.5 attaches the global source password to the first ``<mount type="default">`` of the file.

    (cfgfile.c: ``config_find_mount(NULL, MOUNT_TYPE_DEFAULT)`` takes the first
    default mount, named or not; an unnamed one is created when there is none.)
    It then works only on the names that mount is found for, and not at all
    when that mount has an auth stack of its own (tested on 2.5.0).
    """
    first = next(table.defaults(), None)
    if first is None or login.password is None:
        return login
    if _has_own_auth(first):
        why = f"{first.label} has its own authentication: Icecast 2.5 drops the global source password"
        return login.replace(user=Traced(login.user.value, default(why)), password=None, via_default=first)
    return login.replace(via_default=first)


def _default_mount_logins(table: MountTable) -> list[Login]:
    """2.5 default mounts with an old-style ``<password>``: it logs sources in on the names they cover."""
    found = []
    for mount in table.defaults():
        password = mount.own.get("password")
        if password is not None and password.value:
            user = mount.own.get("username") or Traced("source", default())
            found.append(Login("source", None, user, password, mount))
    return found
