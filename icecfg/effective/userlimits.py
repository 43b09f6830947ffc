"""How many connections one listener login may hold, as each release reads it.

2.4.4 refuses a second connection of a user already listening to the
mount when the mount's authenticator has ``allow_duplicate_users`` 0
(``check_duplicate_logins``, read with ``atoi``; a second login of alice
gets 401).  2.5.0 has a per-role limit instead, ``connections-per-user``,
and counts a user's connections by the **name** of the role that let them
in (``__count_user_role_on_mount``): a role without a ``name`` counts none,
so its limit never applies.  It turns ``allow_duplicate_users`` 0 in a
2.4-style htpasswd block into ``connections-per-user="0"``, which it reads
as no limit (``cfgfile.c``).  Each shown on the release (a second login of
alice: 401 on 2.4.4, 200 on 2.5.0; 429 on 2.5.0 with a named role and a
limit of 1), ``tests/test_oracle_roles.py``.  KH reads no such option.
"""

from __future__ import annotations

from typing import NamedTuple

from icecfg.conversion import atoi
from icecfg.document import Element
from icecfg.effective.authoptions import option_value, options
from icecfg.spec import Dialect

#: The name a fix gives a role it names: the role's own type says what it is.
DEFAULT_ROLE_NAME = "{type}"


class IgnoredLimit(NamedTuple):
    """A limit of connections per user that 2.5.0 does not apply, and where it is written."""

    element: Element  # the role, or the 2.4-style block
    written: Element  # what holds the limit: the block's allow_duplicate_users option, or the element
    kind: str  # "allow_duplicate_users" or "unnamed"


def refuses_duplicate_users(block: Element, dialect: Dialect) -> Element | None:
    """The ``allow_duplicate_users`` option with which ``dialect`` refuses a user's second connection, if any.

    2.4.4 reads it with ``atoi`` in any authenticator; 2.5.0 takes it from a
    2.4-style htpasswd block (``util_str_to_bool``) only to turn it into no
    limit at all (:func:`ignored_limit`).
    """
    if dialect is Dialect.KH:
        return None
    found = None
    for option, name in options(block, dialect):
        if name == "allow_duplicate_users":
            found = option  # the last one written wins on both
    if found is None:
        return None
    value = option_value(found, dialect) or ""
    if dialect is Dialect.V25:
        word = value.strip().lower()
        refused = word not in ("true", "yes", "on") and atoi(value) == 0
    else:
        refused = atoi(value) == 0
    return found if refused else None


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
        option = refuses_duplicate_users(element, Dialect.V25)
        if option is not None:
            return IgnoredLimit(element, option, "allow_duplicate_users")
    if element.local_name == "authentication" and element.get("type") is None:
        return None  # a stack of roles: each role has its own limit
    if connection_limit(element) is not None and not element.get("name"):
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
        element.set("name", DEFAULT_ROLE_NAME.format(type=element.get("type") or "listeners"))
    if connection_limit(element) is None:
        element.set("connections-per-user", str(limit))
