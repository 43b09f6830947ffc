"""Authentication: who can log in as a source, an admin, a relay, and which mounts ask listeners.

Secrets are kept so that the layer can answer "is this the default
password?", but nothing here prints them: :meth:`Login.to_json` masks a
password unless it is asked for explicitly (``reveal=True``).
"""

from __future__ import annotations

from dataclasses import dataclass

from icecfg import spec
from icecfg.document import Element
from icecfg.effective.mounts import MountTable
from icecfg.effective.provenance import Origin, Traced, default, written
from icecfg.effective.reading import section_values
from icecfg.spec import Dialect


def mask(secret: str) -> str:
    """``hac***``: enough to recognise a default, not enough to log in."""
    return secret[:3] + "***" if len(secret) > 6 else "***"


@dataclass(frozen=True)
class Login:
    """A role that can log in, with the user name it takes and its password."""

    role: str  # source, admin, relay, shoutcast
    #: The mount it applies to (None: the whole server).
    mount: str | None
    user: Traced[object]
    password: Traced[object] | None

    @property
    def can_log_in(self) -> bool:
        return self.password is not None and bool(self.password.value)

    def to_json(self, reveal: bool = False) -> dict[str, object]:
        secret: dict[str, object] | None = None
        if self.password is not None:
            secret = self.password.to_json()
            text = str(self.password.value or "")
            secret["value"] = text if reveal else mask(text)
        return {"role": self.role, "mount": self.mount, "user": self.user.to_json(), "password": secret}


@dataclass(frozen=True)
class ListenerAuth:
    """How a mount asks its listeners to log in."""

    mount: str
    #: "htpasswd", "url", "command", "roles", or "none (public)" / "deny-all" for a broken block
    kind: str
    origin: Origin
    note: str = ""

    def to_json(self) -> dict[str, object]:
        return {"mount": self.mount, "type": self.kind, "note": self.note or None, "from": self.origin.to_json()}


@dataclass(frozen=True)
class Auth:
    logins: tuple[Login, ...]
    listener_auth: tuple[ListenerAuth, ...]

    def to_json(self, reveal: bool = False) -> dict[str, object]:
        return {
            "logins": [login.to_json(reveal) for login in self.logins],
            "listener_auth": [auth.to_json() for auth in self.listener_auth],
        }


def _types(dialect: Dialect) -> tuple[str, ...]:
    """The authenticator types the release knows, from the element table."""
    attribute = spec.SECTIONS["mount-authentication"].attribute("type", dialect)
    return attribute.value.choices if attribute is not None else ()


def auth(root: Element, dialect: Dialect, table: MountTable) -> Auth:
    blocks = list(root.elements("authentication"))
    values = section_values(blocks, "authentication", dialect)
    root_values = section_values([root], "icecast", dialect)
    logins: list[Login] = []
    source = values.get("source-password") or root_values.get("source-password")
    logins.append(Login("source", None, Traced("source", default()), source))
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
    listener_auth: list[ListenerAuth] = []
    for mount in table.normal():
        assert mount.name is not None
        password = mount.settings.get("password")
        if password is not None and password.value:
            user = mount.settings.get("username") or Traced("source", default())
            logins.append(Login("source", mount.name, user, password))
        block = mount.element.find_last("authentication")
        if block is None:
            continue
        kind = block.get("type")
        if kind is None and dialect is Dialect.V25:
            listener_auth.append(ListenerAuth(mount.name, "roles", written(block)))
        elif kind in _types(dialect):
            listener_auth.append(ListenerAuth(mount.name, kind, written(block)))
        elif dialect is Dialect.V25:
            listener_auth.append(ListenerAuth(mount.name, "deny-all", written(block), f"unknown type {kind!r}"))
        else:
            what = "no type" if kind is None else f"unknown type {kind!r}"
            listener_auth.append(ListenerAuth(mount.name, "none (public)", written(block), what))
    return Auth(tuple(logins), tuple(listener_auth))
