"""How many connections one listener login may hold, as each release reads it.

2.4.4 and KH let a login listen to a mount **once** at a time: a second
connection with a user already listening gets 401 (2.4.4) or 403 (KH)
unless the authenticator has ``allow_duplicate_users`` set to a non-zero
number (``check_duplicate_logins``; both read it with ``atoi``, 2.4.4 the
last one written, KH any one, since it can only set its flag).  2.5.0 lets
any number in by default.  Its limit is a role's ``connections-per-user``,
counted by the **name** of the role that let the user in
(``__count_user_role_on_mount``): a role without a ``name`` counts none, so
its limit never applies; and it turns ``allow_duplicate_users`` 0 in a
2.4-style htpasswd block into ``connections-per-user="0"``, which it reads
as no limit (``cfgfile.c``).  All shown on the releases (a second login of
alice while the first listens: 401 on 2.4.4 and 403 on KH by default, 200
with ``allow_duplicate_users`` 1; 200 on 2.5.0 by default and with the
option 0, 429 with a named role and a limit of 1), ``tests/test_oracle_roles.py``.
KH's ``drop_existing_listener`` lets the second connection in and drops the
first instead (shown).  An anonymous role's limit counts only listeners
that send a login, which it never asks for: any number without one get in
(shown: 200 and 200 without a login, 429 for a second one sending the same).
"""

from __future__ import annotations

from typing import NamedTuple

from icecfg.conversion import atoi
from icecfg.document import Element
from icecfg.effective.authoptions import option_value, options
from icecfg.spec import Dialect


class IgnoredLimit(NamedTuple):
    """A limit of connections per user that 2.5.0 does not apply, and where it is written."""

    element: Element  # the role, or the 2.4-style block
    written: Element  # what holds the limit: the block's allow_duplicate_users option, or the element
    kind: str  # "allow_duplicate_users", "anonymous" or "unnamed"


def duplicate_options(block: Element, dialect: Dialect) -> list[Element]:
    """The block's ``allow_duplicate_users`` options the release takes, in document order."""
    return [option for option, name in options(block, dialect) if name == "allow_duplicate_users"]


def refuses_second_connection(block: Element, dialect: Dialect) -> bool:
    """Whether 2.4.4 or KH refuses a second connection of a login already listening to the block's mount.

    They do unless an ``allow_duplicate_users`` option is a non-zero number
    (2.4.4: the last one written; KH: any one).  2.5.0 never does for a
    2.4-style block (:func:`ignored_limit`).
    """
    if dialect is Dialect.V25:
        return False
    found = duplicate_options(block, dialect)
    if not found:
        return True
    if dialect is Dialect.KH:
        return not any(atoi(option_value(option, dialect) or "") for option in found)
    return atoi(option_value(found[-1], dialect) or "") == 0


def drops_earlier_connection(block: Element, dialect: Dialect) -> bool:
    """Whether KH lets a login's second connection in and drops the first (``drop_existing_listener``, shown).

    KH reads the option with ``atoi`` (any one non-zero sets it); it matters
    only where KH holds a login to one connection (:func:`refuses_second_connection`).
    """
    if dialect is not Dialect.KH or not refuses_second_connection(block, dialect):
        return False
    return any(
        atoi(option_value(option, dialect) or "")
        for option, name in options(block, dialect)
        if name == "drop_existing_listener"
    )


def _refusing_option_25(block: Element) -> Element | None:
    """A 2.4-style block's ``allow_duplicate_users`` that says no (``util_str_to_bool``): 2.5.0 reads no limit."""
    found = duplicate_options(block, Dialect.V25)
    if not found:
        return None
    value = option_value(found[-1], Dialect.V25) or ""
    says_yes = value.strip().lower() in ("true", "yes", "on") or atoi(value) != 0
    return None if says_yes else found[-1]


def connection_limit(element: Element) -> int | None:
    """The ``connections-per-user`` 2.5.0 reads from a role's attributes; None when it sets no limit.

    ``*`` and ``unlimited`` are no limit, anything else is read with
    ``atoi`` (``acl.c``); 0 and less are no limit either.
    """
    value = element.get("connections-per-user")
    if value is None or value.strip() in ("*", "unlimited"):
        return None
    limit = atoi(value)
    return limit if limit > 0 else None


def ignored_limit(element: Element) -> IgnoredLimit | None:
    """A limit of connections per user written on a 2.5 role or 2.4-style block that 2.5.0 does not apply.

    ``element`` is a ``<role>`` or a mount's ``<authentication>`` as 2.5
    reads them.
    """
    if element.local_name == "authentication" and element.get("type") == "htpasswd":
        option = _refusing_option_25(element)
        if option is not None:
            return IgnoredLimit(element, option, "allow_duplicate_users")
    if element.local_name == "authentication" and element.get("type") != "htpasswd":
        return None  # a stack of roles (each role has its own limit), or a block 2.5 reads no limit from (ICE526)
    if connection_limit(element) is None:
        return None
    if element.local_name == "role" and element.get("type") == "anonymous":
        return IgnoredLimit(element, element, "anonymous")
    if not element.get("name"):
        return IgnoredLimit(element, element, "unnamed")
    return None


def limited(element: Element, limit: int = 1) -> None:
    """Write ``element``'s limit as 2.5.0 applies it: ``connections-per-user`` on a role with a name.

    Drops an ``allow_duplicate_users`` option (2.5.0 would turn it back
    into no limit) and names the role after its type when it has no name.
    Shown on 2.5.0: a second login of the same user is then refused (429).
    """
    for option, name in options(element, Dialect.V25):
        if name == "allow_duplicate_users" and option.parent is not None:
            option.parent.remove(option)
    if not element.get("name"):
        element.set("name", element.get("type") or "listeners")  # its type says what the role is
    if connection_limit(element) is None:
        element.set("connections-per-user", str(limit))


def connection_note(block: Element, dialect: Dialect) -> str:
    """How many connections one login may hold through a mount's 2.4-style htpasswd or url block, in words."""
    kind = block.get("type")
    if dialect is not Dialect.V25:
        if drops_earlier_connection(block, dialect):
            return "one connection per login at a time: a new one drops the earlier (drop_existing_listener)"
        if refuses_second_connection(block, dialect):
            return "one connection per login at a time (allow_duplicate_users 1 allows more)"
        return "any number of connections per login"
    if kind == "htpasswd" and _refusing_option_25(block) is not None:
        return "any number of connections per login: Icecast 2.5 reads allow_duplicate_users 0 as no limit"
    limit = connection_limit(block)
    if limit is not None and kind != "htpasswd":
        return "any number of connections per login: Icecast 2.5 reads no connections-per-user from a url block"
    if limit is not None and block.get("name"):
        return f"at most {limit} connection{'s' if limit > 1 else ''} per login"
    if limit is not None:
        return "any number of connections per login: connections-per-user needs a name"
    return "any number of connections per login"


def role_note(role: Element) -> str:
    """What a 2.5 role's written ``connections-per-user`` does, in words; "" when none is written."""
    limit = connection_limit(role)
    if limit is None:
        return ""
    if role.get("type") == "anonymous":
        return f"the anonymous role at line {role.line} counts only listeners sending a login: no limit applies"
    if not role.get("name"):
        return f"the role at line {role.line} has connections-per-user but no name: no limit applies"
    return f"the role at line {role.line}: at most {limit} connection{'s' if limit > 1 else ''} per login"
