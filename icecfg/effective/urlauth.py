"""A url authenticator's options as each release reads them, and whether it asks about listeners.

A url authenticator asks a backend about every listener at the URL of one
option: ``listener_add`` in a 2.4-style ``<authentication type="url">``,
``client_add`` in a 2.5 ``<role type="url">``.  Each release reads options by
their exact name and skips every other one: 2.4.4, KH and 2.5.0's reading of
a 2.4-style block without a word, 2.5.0 in a ``<role>`` with ``Unknown
option: NAME``.  Without the add URL nobody is asked and every listener is
let in: a misspelt ``listner_add``, the other generation's name, or an empty
block all leave the mount public (shown on 2.4.4, 2.5.0 and kh22).

The option lists are the releases' own (``auth_url.c``; 2.5.0's
``cfgfile.c`` for a 2.4-style block); they are the table, the functions
below only read it.
"""

from __future__ import annotations

from icecfg.document import Element
from icecfg.effective.authoptions import options
from icecfg.spec import Dialect

#: 2.4.4 ``auth_get_url_auth`` (auth_url.c) and ``allow_duplicate_users`` (auth.c, any type).
_V24 = frozenset(
    {
        "username",
        "password",
        "headers",
        "header_prefix",
        "listener_add",
        "listener_remove",
        "mount_add",
        "mount_remove",
        "stream_auth",
        "auth_header",
        "timelimit_header",
        "allow_duplicate_users",
    }
)
#: KH reads 2.4's options and its own request settings (auth_url.c) and generic ones (auth.c).
_KH = _V24 | {
    "redirect_limit",
    "timeout",
    "on_error_wait",
    "presume_innocent",
    "realm",
    "drop_existing_listener",
    "rejected_mount",
    "handlers",
}
#: What 2.5.0 takes from a 2.4-style block when it turns it into roles (cfgfile.c): nothing else.
_V25_BLOCK = frozenset(
    {
        "mount_add",
        "mount_remove",
        "listener_add",
        "listener_remove",
        "username",
        "password",
        "auth_header",
        "timelimit_header",
        "headers",
        "header_prefix",
        "stream_auth",
    }
)
#: 2.5.0 ``auth_get_url_auth``: the options of a ``<role type="url">``.
_V25_ROLE = frozenset(
    {
        "username",
        "password",
        "headers",
        "header_prefix",
        "client_add",
        "client_remove",
        "action_add",
        "action_remove",
        "auth_header",
        "timelimit_header",
        "header_auth",
        "header_timelimit",
        "header_message",
        "header_alter_action",
        "header_alter_argument",
    }
)
#: The same option under the other generation's name (a 2.4-style block takes the first).
RENAMED = {
    "client_add": "listener_add",
    "client_remove": "listener_remove",
    "listener_add": "client_add",
    "listener_remove": "client_remove",
}


def known_options(dialect: Dialect, *, role: bool) -> frozenset[str]:
    """The option names ``dialect`` reads in a url authenticator (``role``: a 2.5 ``<role>``)."""
    if role:
        return _V25_ROLE
    return {Dialect.V24: _V24, Dialect.V25: _V25_BLOCK, Dialect.KH: _KH}[dialect]


def add_option(*, role: bool) -> str:
    """The option whose URL is asked about each listener."""
    return "client_add" if role else "listener_add"


def asks_nobody(block: Element, dialect: Dialect, *, role: bool) -> bool:
    """Whether the authenticator lets every listener in unasked: the release reads no add URL.

    2.4.4 and KH let a listener in whenever no add URL is set, whatever else
    the block says (a ``stream_auth`` source login included).  A 2.5.0
    2.4-style block with ``stream_auth`` is left out: it refuses every
    listener instead (:func:`logs_in_sources_only`).
    """
    names = {name for _option, name in options(block, dialect)}
    if role:
        return "client_add" not in names
    if dialect is Dialect.V25:
        return not names & {"listener_add", "stream_auth"}
    return "listener_add" not in names


def logs_in_sources_only(block: Element, dialect: Dialect) -> bool:
    """Whether a 2.4-style block has ``stream_auth`` and no ``listener_add`` (``role``: never).

    2.4.4 and KH ask the backend about sources and let every listener in;
    2.5.0 turns the block into a role stack for ``source,put`` only
    (``cfgfile.c``: a url role and an anonymous one), which no listener
    matches: every listener gets 401 (all shown, ``tests/test_oracle_url_auth.py``).
    """
    names = {name for _option, name in options(block, dialect)}
    return "stream_auth" in names and "listener_add" not in names
