"""Icecast 2.5's role stacks: which role ends a request's way through them, and what its ACL allows.

2.5 asks each request through stacks of ``<role>``s in turn: the mount's
(a 2.4-style block becomes one), its default mount's, then the server's,
which always ends with a built-in anonymous role that lets listeners in
(``cfgfile.c``, ``connection_handle.c``).  A role the request does not
match, or whose check does not know the user, passes it on (NOMATCH):
an htpasswd or static role does so for a listener who sends no login or a
user it does not know, and only a wrong password for a user it knows ends
the way (``auth_htpasswd.c``, ``auth_static.c``).  What ends it for such a
listener is an anonymous role (whose ACL then allows or denies the GET),
a url role (its backend answers) or ``enforce-auth`` (refuses a listener
without a password).  So a mount whose only role is an htpasswd one is open
to everyone who sends no login: the server's anonymous role lets them in
(shown on 2.5.0, ``tests/test_oracle_roles.py``).  The ACL (which methods
and admin commands a client let in may use) is read in the order its
attributes are written; roles 2.5 cannot set up are left out of the walk.
"""

from __future__ import annotations

from typing import NamedTuple

from icecfg.document import Attr, Element
from icecfg.effective.authoptions import options
from icecfg.spec import Dialect

#: The listener methods 2.5 gives a 2.4-style block's closing anonymous role (CONFIG_LEGACY_ANONYMOUS_METHODS).
LISTENER_METHODS = "get,options,post,head"


class Stranger(NamedTuple):
    """What happens to a listener of a mount who sends no login the mount's roles know."""

    #: The role that ends the way (None: the server's built-in anonymous role).
    role: Element | None
    #: Whether that role lets the listener in.
    let_in: bool
    #: An ``enforce-auth`` role on the way refuses a listener who sends no login at all
    #: (only one with a user name the roles do not know goes on; shown on 2.5.0).
    no_login_refused: bool = False

    def who(self, checkers: str = "the roles", plural: bool = True) -> str:
        """The listeners who get that far, in words (``checkers``: the roles that check logins)."""
        unknown = f"a user {checkers} {'do' if plural else 'does'} not know"
        if self.no_login_refused:
            return f"a listener with {unknown}"
        return f"a listener without a login, or with {unknown}"

    @property
    def by(self) -> str:
        """That role in words."""
        return (
            "the server's built-in anonymous role"
            if self.role is None
            else f"the anonymous role at line {self.role.line}"
        )


def is_role(element: Element) -> bool:
    """Whether 2.5.0 makes ``element`` a role and reads a role's settings (ACL attributes, ``<http-headers>``) from it.

    A ``<role>`` is one, and so is a mount's 2.4-style ``<authentication
    type="htpasswd">``, whose node ``auth_get_authenticator`` reads as it
    reads a role's.  A url block's role is built from its options alone, and
    an ``<authentication>`` without a type is only read for its roles: the
    settings are ignored there (all shown, ``tests/test_oracle_roles.py``).
    """
    if element.local_name == "role":
        return True
    return element.local_name == "authentication" and element.get("type") == "htpasswd"


def checks_logins(block: Element) -> list[Element]:
    """The roles of a 2.5 role stack (``<authentication>`` without ``type``) written to check a listener's login.

    One that 2.5 drops at start (:func:`not_set_up`) counts: the stack was
    meant to check logins, and without it every listener goes on.
    """
    return [
        role for role in block.elements("role") if role.get("type") in ("htpasswd", "static") and _matches_get(role)
    ]


def stranger(blocks: tuple[Element, ...], root: Element) -> Stranger | None:
    """What ends the way of a listener without a known login through ``blocks`` then the server's roles.

    ``blocks`` are a mount's ``<authentication>`` blocks in the order 2.5
    asks them (:attr:`~icecfg.effective.mounts.MountConfig.auth_blocks`).
    None where this cannot be told from the file: a url role (its backend
    decides), a role that filters on the request's origin, a listen socket
    with roles of its own (asked first), or a 2.4-style block of another
    kind than htpasswd.
    """
    if any(socket.find("authentication") is not None for socket in root.elements("listen-socket")):
        return None
    server = [block for block in root.elements("authentication") if block.get("type") is None]
    enforced = False
    for block in (*blocks, *server):
        kind = block.get("type")
        if kind == "htpasswd" and block.parent is not None and block.parent.local_name == "mount":
            # 2.5 closes a 2.4-style htpasswd block with an anonymous role that denies everything
            return Stranger(block, let_in=False)
        if kind is not None:
            return None
        for role in _roles(block):
            if not _matches_get(role):
                continue
            role_kind = role.get("type")
            if any(attr.name in ("match-origin", "nomatch-origin") for attr in role.attributes) or role_kind == "url":
                return None
            if role_kind == "anonymous":
                return Stranger(role, _allows_get(role), enforced)
            enforced = enforced or role_kind == "enforce-auth"
    return Stranger(None, True, enforced)


def _roles(block: Element) -> list[Element]:
    """The roles of a stack that 2.5 sets up, in order (one it drops at start is not asked)."""
    return [role for role in block.elements("role") if not not_set_up(role)]


#: The role types 2.5.0 knows (``auth.c`` ``get_authenticator``).
ROLE_TYPES = ("anonymous", "static", "legacy-password", "url", "htpasswd", "enforce-auth")
#: The options a static (or legacy-password) role reads; any other logs ``Unknown option: NAME``.
STATIC_OPTIONS = ("username", "password", "hashed", "action", "argument")


def not_set_up(role: Element) -> str:
    """Why 2.5 drops ``role`` at start, in words; "" when it sets it up.

    An unknown ``type`` logs ``Unrecognised authenticator type``; a static
    role without ``username`` or ``password`` (a ``legacy-password`` one
    without ``password``) logs ``Username required, but not given.`` or
    ``Password required, but not given.`` (``auth_static.c``).  A ``method``
    list with an item 2.5 does not know (:func:`unknown_method`) drops the
    role without a word.  Either way the role is left out of its stack
    (shown on 2.5.0).
    """
    bad = unknown_method(role)
    if bad is not None:
        what = "an empty item" if not bad else f"{bad!r}, no method Icecast 2.5 knows"
        return f'method="{role.get("method")}" with {what}'
    kind = role.get("type")
    if kind not in ROLE_TYPES:
        return "no type" if kind is None else f"an unknown type {kind!r}"
    missing = missing_option(role)
    return f'no <option name="{missing}">' if missing is not None else ""


#: The methods 2.5 knows by name (``httpp_str_to_method``, compared ignoring case).
METHODS = ("get", "post", "put", "head", "options", "delete", "trace", "connect", "source", "play", "stats")


def method_items(text: str) -> list[str]:
    """A ``method`` list as ``auth.c`` splits it: at each comma, spaces after a comma skipped, up to a ``*``."""
    items = []
    for index, written in enumerate(text.split(",")):
        item = written.lstrip(" ") if index else written
        items.append(item)
        if item == "*":
            break
    return items


def unknown_method(role: Element) -> str | None:
    """The first item of a role's ``method`` that 2.5 does not know ("" for an empty one); None when all are known.

    ``auth_get_authenticator`` drops the whole role at such an item, before
    anything is logged: ``method="get,"`` (an empty last item), ``"get
    ,head"`` (``get `` with its space) or a misspelt name (shown on 2.5.0).
    """
    written = role.get("method")
    if written is None:
        return None
    for item in method_items(written):
        if item != "*" and item.lower() not in METHODS:
            return item
    return None


def missing_option(role: Element) -> str | None:
    """The first option a static role (``username``, ``password``) or a legacy-password one lacks; None if none."""
    kind = role.get("type")
    if kind not in ("static", "legacy-password"):
        return None
    names = {name for _option, name in options(role, Dialect.V25)}
    needed = ("username", "password") if kind == "static" else ("password",)
    return next((name for name in needed if name not in names), None)


def _methods(text: str) -> set[str] | None:
    """The methods a list names, lower-cased (2.5 compares them ignoring case); None for ``*``."""
    names = {name.strip().lower() for name in text.split(",")}
    return None if "*" in names else names


def _matches_get(role: Element) -> bool:
    return matches(role, "get")


def matches(role: Element, method: str) -> bool:
    """Whether the role's filters let a web request with ``method`` through to its check (``auth.c``).

    ``method`` sets every method to no match and then the ones it names;
    ``match-method`` and ``nomatch-method`` set every other method the other
    way when they come first; without any, every method matches.
    """
    matched: bool | None = None  # None until an attribute sets every method
    written = role.get("method")
    if written is not None:
        listed = _methods(written)
        matched = listed is None or method in listed
    for name, match in (("match-method", True), ("nomatch-method", False)):
        value = role.get(name)
        if value is None:
            continue
        if matched is None:
            matched = not match  # the first filter sets every other method the other way
        listed = _methods(value)
        if listed is None or method in listed:
            matched = match
    web = True
    if role.get("match-web") is not None:
        web = role.get("match-web") == "*"
    if role.get("nomatch-web") is not None:
        web = role.get("nomatch-web") != "*"
    return (matched is None or matched) and web


def _allows_get(role: Element) -> bool:
    return allows(role, "get", web=True)


def allows(role: Element, method: str, *, web: bool) -> bool:
    """Whether the role's ACL lets a request with ``method`` in (``web``: a web request, as a listener's is).

    The ACL starts with ``get,options`` and web requests allowed; the
    attributes apply in the order they are written, each overriding what
    came before for the methods it names (``acl.c``; shown on 2.5.0).
    """
    allowed, web_allowed = method in _DEFAULT_METHODS, True
    for attr in acl_of(role).attributes:
        value = attr.value
        if attr.name in ("allow-method", "deny-method"):
            listed = _methods(value)
            if listed is None or method in listed:
                allowed = attr.name == "allow-method"
        elif attr.name in ("allow-web", "deny-web"):
            on = _on(value)
            web_allowed = on if attr.name == "allow-web" else not on
        elif attr.name in ("allow-all", "deny-all"):
            on = _on(value)
            allowed = web_allowed = on if attr.name == "allow-all" else not on
    return allowed and (web_allowed or not web)


def acl_of(role: Element) -> Element:
    """The element whose attributes are the role's ACL: its first ``<acl>`` child, else the role itself.

    With an ``<acl>`` child, 2.5 takes the ACL from it alone (``auth.c``):
    ACL attributes on the role are then ignored.
    """
    child = role.find("acl")
    return child if child is not None else role


#: The attributes 2.5 reads as a role's ACL (``acl_new_from_xml_node``).
ACL_ATTRIBUTES = frozenset(
    {
        "allow-method",
        "deny-method",
        "allow-admin",
        "deny-admin",
        "allow-web",
        "deny-web",
        "allow-all",
        "deny-all",
        "connections-per-user",
        "connection-duration",
    }
)


def ignored_acl(role: Element) -> tuple[list[str], list[Element]]:
    """ACL attributes of a role that has an ``<acl>`` child, and ``<acl>`` children after the first: 2.5 ignores both.

    ``auth.c`` takes the ACL from the first ``<acl>`` child (logging ``More
    than one ACL defined in role! Not supported (yet).`` for each further
    one) and reads the role's own attributes only without one (shown on 2.5.0).
    """
    children = list(role.elements("acl"))
    if not children:
        return [], []
    return [name for name in role.attribute_names() if name in ACL_ATTRIBUTES], children[1:]


def overridden_methods(role: Element) -> list[tuple[Attr, Attr, list[str]]]:
    """(earlier attribute, later attribute, methods) where a later ``*-method`` undoes what an earlier one names.

    XML gives attribute order no meaning, but 2.5 applies a role's ACL
    attributes in the order written: ``allow-method="get" deny-method="*"``
    denies ``get`` too (shown on 2.5.0).  Only methods the earlier attribute
    names one by one count: ``deny-method="*" allow-method="get"`` is the
    way to write "only get".
    """
    found = []
    seen: list[Attr] = []
    for attr in acl_of(role).attributes:
        if attr.name not in ("allow-method", "deny-method"):
            continue
        later = _methods(attr.value)
        for earlier in seen:
            named = _methods(earlier.value)
            if earlier.name == attr.name or named is None:
                continue
            undone = sorted(named if later is None else named & later)
            if undone:
                found.append((earlier, attr, undone))
        seen.append(attr)
    return found


def source_refused_by(block: Element) -> Element | None:
    """The anonymous role of a mount's 2.5 role stack that answers a source's PUT and refuses it, if one does.

    A source goes through the mount's roles first.  An anonymous role that
    matches its method ends the way with the role's ACL, which by default
    allows only ``get,options``: the source is refused (401) before the
    server's source-password login is asked (shown on 2.5.0).  A role
    before it that checks logins can only pass the source on or refuse it
    unless its own ACL allows a source's method; a url role asks its
    backend: either makes it None.
    """
    for role in _roles(block):
        if not (matches(role, "put") or matches(role, "source")):
            continue
        kind = role.get("type")
        lets_sources_in = allows(role, "put", web=False) or allows(role, "source", web=False)
        if kind == "anonymous":
            return None if lets_sources_in else role
        if kind in ("url", "legacy-password") or lets_sources_in:
            return None
    return None


#: The methods an ACL allows before its attributes are applied (``acl_new``).
_DEFAULT_METHODS = frozenset({"get", "options"})


def _on(value: str) -> bool:
    """2.5's reading of a switch attribute: ``*`` or a true word."""
    return "*" in value or value.strip().lower() in ("1", "yes", "true", "on")


#: Admin commands 2.5's ACL allows before a role's attributes apply (``acl_new``): the public ones.
PUBLIC_ADMIN = frozenset({"buildm3u", "publicstats", "publicstats.json"})


def opens_admin(role: Element) -> list[str] | None:
    """The admin commands beyond the public ones an anonymous role lets anyone use ("*": all); None if none.

    An anonymous role lets every request it matches in without a login, and
    its ACL then decides what the client may do.  Admin requests match a
    role unless ``match-admin``/``nomatch-admin`` say otherwise (roles with
    those are not judged here).  The ACL starts with only the public
    commands allowed and applies ``allow-admin``, ``deny-admin``,
    ``allow-all`` and ``deny-all`` in the order written (``acl.c``).  Shown
    on 2.5.0: a server's anonymous role with ``allow-admin="*"`` answers
    ``/admin/stats.xml`` and ``killsource`` to anyone; a mount's, its
    mount's admin commands.
    """
    if role.get("type") != "anonymous" or not matches(role, "get"):
        return None
    if role.get("match-admin") is not None or role.get("nomatch-admin") is not None:
        return None
    every, named = False, dict.fromkeys(PUBLIC_ADMIN, True)
    for attr in acl_of(role).attributes:
        if attr.name in ("allow-admin", "deny-admin"):
            allow = attr.name == "allow-admin"
            listed = _methods(attr.value)
            if listed is None:
                every, named = allow, {}
            else:
                named.update(dict.fromkeys(listed, allow))
        elif attr.name in ("allow-all", "deny-all"):
            every = _on(attr.value) is (attr.name == "allow-all")
            named = {}
    if every:
        return ["*"]
    opened = sorted(command for command, allowed in named.items() if allowed and command not in PUBLIC_ADMIN)
    return opened or None
