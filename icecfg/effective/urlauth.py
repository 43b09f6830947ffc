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


#: What 2.5.0 passes from a 2.4-style block into the url role it makes for sources, besides the URL
#: (``cfgfile.c`` ``__append_old_style_urlauth``): the same names in a ``<role type="url">``.
_CARRIED = ("username", "password", "auth_header", "timelimit_header", "headers", "header_prefix")


def sources_only_authentication(block: Element, dialect: Dialect) -> Element | None:
    """A 2.5 ``<authentication>`` that logs sources in as ``block`` did on ``dialect`` and lets listeners in.

    For a 2.4-style block that logs in only sources (:func:`logs_in_sources_only`):
    the url role 2.5.0 itself makes of ``stream_auth`` (the same URL, action
    and options, matching ``source,put``), without the anonymous role it adds
    beside it, which refuses listeners.  Listeners then go on to the
    server's anonymous role, as they were let in on 2.4.4 and KH.  The ACL
    is written ``deny-method`` first: 2.5 applies it in that order (ICE520).
    Shown on 2.5.0: the backend is asked about the source, its yes lets
    the source in and its no refuses it, and listeners get the stream.
    None when the block holds an option that would not carry over
    (``mount_add``, ``listener_remove``, ...).
    """
    from icecfg.effective.authoptions import option_value, read_last

    written: dict[str, list[Element]] = {}
    for option, name in options(block, dialect):
        written.setdefault(name, []).append(option)
    if not logs_in_sources_only(block, dialect) or set(written) - {"stream_auth", *_CARRIED}:
        return None
    attrs = {"type": "url", "match-method": "source,put", "deny-method": "*", "allow-method": "source,put"}
    role = Element("role", attrs)
    values = {name: option_value(read_last(found, dialect), dialect) for name, found in written.items()}
    role.append(Element("option", {"name": "client_add", "value": values["stream_auth"] or ""}))
    role.append(Element("option", {"name": "action_add", "value": "stream_auth"}))
    for name in _CARRIED:
        value = values.get(name)
        if value is not None:
            role.append(Element("option", {"name": name, "value": value}))
    return Element("authentication", children=[role])
