"""Rewrites the element table names but that are more than a rename.

A row's ``Replacement.form`` names one of these.  ``CONVERSIONS`` rebuild
an element in another shape (2.4's ``<directory>`` becomes 2.5's
``<yp-directory url="...">`` with options); ``adjust`` corrects what the old
release did before the row's value map is applied (2.4 served an ``<ssl>``
port as plain HTTP when its certificate was unusable).
"""

from __future__ import annotations

from collections.abc import Callable

from icecfg.conversion import effective
from icecfg.document import Element
from icecfg.effective.auth import server_auth
from icecfg.effective.authoptions import options
from icecfg.effective.directory import directory
from icecfg.effective.mounts import MountConfig, mount_table
from icecfg.effective.provenance import Source
from icecfg.migrate.context import Context, remove
from icecfg.placement import Placed
from icecfg.spec import SECTIONS, Dialect

#: Elements whose presence makes the old release's TLS set-up worth checking.
TLS_ELEMENTS = {
    Dialect.V24: frozenset({"ssl"}),
    Dialect.KH: frozenset({"ssl-certificate", "ssl_certificate"}),
    Dialect.V25: frozenset(),
}


def adjust(form: str | None, ctx: Context, placed: Placed, behaviour: str | None) -> tuple[str | None, str]:
    """``behaviour`` corrected by what the server's files made of it, with a note."""
    if form == "tls" and behaviour == "1" and ctx.tls_usable is False:
        why = f": {ctx.tls_problem}" if ctx.tls_problem else ""
        return "0", f"{ctx.source.label} had no usable certificate and served this port as plain HTTP{why}"
    return behaviour, ""


def tls_usable(ctx: Context) -> tuple[bool, str]:
    """Whether the old release could set TLS up with the configured certificate (before any edit), and why not.

    2.4.4 could not where it served an ``<ssl>1`` port as plain HTTP (no
    certificate, or one it could not load); KH where its certificate could
    not be loaded.  The effective TLS context knows, from the files, and
    says why (``/etc/icecast2/bundle.pem cannot be read``): the migration
    note that turns a TLS port into plain HTTP must give the reason.
    """
    from icecfg.effective.config import EffectiveConfig
    from icecfg.effective.listeners import Protocol

    effective = EffectiveConfig(ctx.config.document.root, ctx.source, ctx.file_view())
    if ctx.source is Dialect.KH:
        usable = not effective.tls.configured or effective.tls.usable is not False
    else:
        usable = not any(s.protocol is Protocol.PLAIN_DOWNGRADED for s in effective.listeners)
    return usable, "" if usable else effective.tls.problem


def yp_directory(ctx: Context, placed: Placed) -> None:
    """``<directory>`` -> ``<yp-directory url="..."><option .../></yp-directory>``."""
    element = placed.element
    rows = SECTIONS["directory"]
    values: dict[str, str | None] = {}
    for child in element.elements():
        values[child.local_name] = child.text
    url = (values.get("yp-url") or "").strip()
    if not url:
        ctx.drop(element, f"a <directory> without <yp-url>: {ctx.source.label} discarded it")
        return
    new = Element("yp-directory", {"url": url})
    # the timings as the old release used them (yp.c's replacements applied)
    used = directory(element, ctx.source)
    for tag, option, value in (
        ("yp-url-timeout", "timeout", used.timeout),
        ("touch-interval", "touch-interval", used.touch_interval),
    ):
        row = rows.child(tag)
        if tag not in values or row is None:
            continue
        did = value.value if value is not None and value.value is not None else effective(row, None, ctx.source)
        new.append(Element("option", {"name": option, "value": str(did)}))
    parent = element.parent
    assert parent is not None
    parent.insert_formatted(new, before=element)
    ctx.record(
        element,
        "convert",
        f'<directory> is <yp-directory url="..."> with options in {ctx.target.label}'
        f" (timeouts written as {ctx.source.label} applied them)",
    )
    remove(element)


def default_mount_source_login(ctx: Context, placed: Placed) -> None:
    """Keep sources logging in with the global password under a default mount with its own authentication.

    Shown on 2.5.0: under a ``<mount type="default">`` that has a legacy
    ``<authentication type=...>``, a source with the global source password
    is refused (401); with a ``<password>`` in that default mount it is
    accepted, as 2.4.4 accepted it.  The global password is written there.
    """
    auth, mount = placed.element, placed.element.parent
    if ctx.source is ctx.target or mount is None or mount.get("type") != "default" or auth.get("type") is None:
        return
    _listeners_asked_to_log_in(ctx, auth)
    if any(child.local_name == "password" for child in mount.elements()):
        return
    password = ctx.source_password
    if password is None:
        return  # no global password: sources are refused on both
    from icecfg.migrate.relocate import leaf_field
    from icecfg.sections import Mount

    section = Mount._bound(mount)
    new = Element("password")
    new.set_text(password)
    section._place(leaf_field(section, "password"), new)
    ctx.record(
        auth,
        "add",
        f"{ctx.target.label} refuses sources with the global source password under a default mount with its own"
        " <authentication>; that password is written into the default mount as <password>, as"
        f" {ctx.source.label} accepted it",
    )


def mount_authentication(ctx: Context, placed: Placed) -> None:
    """A mount's ``<authentication>``: the three things 2.5 reads differently in it."""
    default_mount_source_login(ctx, placed)
    url_disconnect_event(ctx, placed)
    url_sources_only(ctx, placed)
    duplicate_users(ctx, placed)


def duplicate_users(ctx: Context, placed: Placed) -> None:
    """Keep the old release's one connection per login, which 2.5.0 lifts (htpasswd); report a url block's.

    2.4.4 and KH refuse a second connection of a login already listening
    (401, 403) unless ``allow_duplicate_users`` is non-zero; 2.5.0 lets any
    number in, and reads that option 0 as no limit.  Shown on each
    (:mod:`icecfg.effective.userlimits`).  An htpasswd block is written
    with ``name`` and ``connections-per-user="1"``, which 2.5.0 applies
    (429).  2.5.0 builds a url block's role from its options alone, so a url
    block's limit cannot be kept in that form: reported as lost.
    """
    from icecfg.effective.urlauth import asks_nobody
    from icecfg.effective.userlimits import (
        drops_earlier_connection,
        duplicate_options,
        limited,
        refuses_second_connection,
    )

    block = placed.element
    kind = block.get("type")
    if ctx.source is ctx.target or kind not in ("htpasswd", "url") or block.parent is None:
        return  # (a url block logging in only sources is replaced by a role before this)
    if kind == "url" and asks_nobody(block, ctx.source, role=False):
        return  # listeners do not log in: there is no login to hold to one connection
    if not refuses_second_connection(block, ctx.source):
        return
    how = "as written" if duplicate_options(block, ctx.source) else "by default"
    old = f"{ctx.source.label} refused a login's second connection ({how}; allow_duplicate_users 1 allows it)"
    if kind == "url":
        ctx.record(
            block,
            "kept",
            f"{old}; {ctx.target.label} lets any number in and reads no such option in a url block: write the"
            ' block as a <role type="url"> with a name and connections-per-user="1", or have the backend refuse it',
            keeps_behaviour=False,
            lost=True,
            edit=False,
        )
        return
    if drops_earlier_connection(block, ctx.source):
        limited(block)
        ctx.record(
            block,
            "convert",
            f"{ctx.source.label} let a login's second connection in and dropped the first (drop_existing_listener);"
            f' {ctx.target.label} lets any number in: written as name="htpasswd" connections-per-user="1", which'
            " keeps one connection per login but refuses the new one (429) instead",
            keeps_behaviour=False,
        )
        return
    limited(block)
    ctx.record(
        block,
        "convert",
        f'{old}; {ctx.target.label} lets any number in: written as name="htpasswd" connections-per-user="1",'
        " which it applies",
    )


def url_sources_only(ctx: Context, placed: Placed) -> None:
    """Keep a url block that logs in only sources: the old release let every listener in, 2.5.0 none.

    Shown on 2.4.4, kh22 and 2.5.0 (ICE518): with ``stream_auth`` and no
    ``listener_add`` the old release asks its backend about sources only and
    lets listeners in unasked; 2.5.0 makes the block a login for
    ``source,put`` plus an anonymous role that refuses every listener (401).
    Written as the url role 2.5.0 makes of it, without that anonymous role
    (:func:`~icecfg.effective.urlauth.sources_only_authentication`), the
    backend is asked about sources as before and listeners are let in.  A
    block with an option that does not carry over is reported as a loss.
    """
    from icecfg.effective.urlauth import logs_in_sources_only, sources_only_authentication

    auth, mount = placed.element, placed.element.parent
    if ctx.source is ctx.target or mount is None or auth.get("type") != "url":
        return
    if not logs_in_sources_only(auth, ctx.source):
        return
    roles = sources_only_authentication(auth, ctx.source)
    if roles is None:
        ctx.record(
            auth,
            "kept",
            f'{ctx.source.label} let every listener in (the block has "stream_auth" and no "listener_add");'
            f" {ctx.target.label} makes it a login for sources only and refuses every listener: add"
            ' <option name="listener_add"> with a backend that lets them in',
            keeps_behaviour=False,
            follows_intent=False,
            lost=True,
            edit=False,
        )
        return
    mount.insert_formatted(roles, before=auth)
    ctx.record(
        auth,
        "convert",
        f'{ctx.target.label} would refuse every listener of a 2.4-style block with "stream_auth" and no'
        ' "listener_add"; written as the <role type="url"> it makes for the source login, without the role that'
        f" refuses listeners, so sources log in through the backend and listeners get in, as on {ctx.source.label}",
    )
    remove(auth)


def url_disconnect_event(ctx: Context, placed: Placed) -> None:
    """Keep a url authenticator's ``mount_remove`` call: 2.5.0 makes it at ``mount_add``'s URL.

    2.5.0 turns a 2.4-style block's ``mount_remove`` into a source-disconnect
    event, but with the URL of ``mount_add`` (cfgfile.c), and without one it
    logs ``Can not set up event backend url for trigger source-disconnect``
    and calls nothing.  Written as 2.5's own ``<event type="url"
    trigger="source-disconnect">`` in the mount's ``<event-bindings>``, the
    call goes where 2.4.4 and KH sent it, with the same action and login
    (shown on 2.4.4, kh22 and 2.5.0).
    """
    from icecfg.effective.authoptions import option_value, read_last

    auth, mount = placed.element, placed.element.parent
    if ctx.source is ctx.target or mount is None or auth.get("type") != "url":
        return
    written: dict[str, list[Element]] = {}
    for option, name in options(auth, ctx.source):
        written.setdefault(name, []).append(option)
    removes = written.get("mount_remove")
    if not removes:
        return
    event = Element("event", {"type": "url", "trigger": "source-disconnect"})
    for name, found in (("url", removes), ("username", written.get("username")), ("password", written.get("password"))):
        value = option_value(read_last(found, ctx.source), ctx.source) if found else None
        if value is not None:
            event.append(Element("option", {"name": name, "value": value}))
    event.append(Element("option", {"name": "action", "value": "mount_remove"}))
    bindings = mount.find_last("event-bindings")
    if bindings is None:
        bindings = Element("event-bindings")
        mount.insert_formatted(bindings)
    bindings.insert_formatted(event)
    ctx.record(
        removes[0],
        "convert",
        f'{ctx.target.label} calls a 2.4-style "mount_remove" at the URL of "mount_add", or without one calls'
        ' nothing; written as <event type="url" trigger="source-disconnect"> in <event-bindings>, calling the URL'
        f" {ctx.source.label} called",
    )
    for option in removes:
        remove(option)


def _listeners_asked_to_log_in(ctx: Context, auth: Element) -> None:
    """Report the mounts whose listeners 2.5 makes log in with the default mount's authentication, the old release not.

    Shown on 2.4.4, kh22 and 2.5.0: a listener of a mount that has a
    ``<mount>`` of its own (without ``<authentication>``) was let in by the
    old release whatever the default mount's ``<authentication type=...>``
    says, and gets 401 on 2.5.0, which applies it to every mount the default
    mount matches.  2.5 cannot be told to leave one out: a loss to decide on.
    The effective layer knows which blocks each release asks
    (:attr:`~icecfg.effective.mounts.MountConfig.auth_blocks`).
    """
    root = ctx.config.document.root
    old = mount_table(root, ctx.source)
    names = [
        mount.label
        for mount in mount_table(root, ctx.target).normal()
        if auth in mount.auth_blocks and not _asked_to_log_in(old.find(mount.label))
    ]
    if not names:
        return
    ctx.record(
        auth,
        "kept",
        f"{ctx.source.label} let listeners of {', '.join(names)} in without this default mount's <authentication>"
        f" (they have a <mount> of their own); {ctx.target.label} applies it to them: their listeners must log in",
        keeps_behaviour=False,
        follows_intent=False,
        lost=True,
        edit=False,
    )


def _asked_to_log_in(mount: MountConfig | None) -> bool:
    """Whether the listeners of ``mount`` (None: a name the release has no mount for) go through an authentication."""
    return mount is not None and bool(mount.auth_blocks)


def global_source_password(root: Element, dialect: Dialect) -> str | None:
    """The global source password ``dialect`` used, as written; None when none is written.

    The effective layer reads it as the release does (the last one read, at
    the root or in ``<authentication>``; KH's attribute form).  Its answer for
    "nothing written" is the built-in default (KH's ``changeme``), which must
    not be copied into the new file: only a value read from an element counts.
    """
    server = server_auth(root, dialect)
    password = server.source.password
    if server.builtin_source is not None or password is None or password.origin.source is not Source.ELEMENT:
        return None
    return password.value if isinstance(password.value, str) else None


CONVERSIONS: dict[str, Callable[[Context, Placed], None]] = {
    "yp-directory": yp_directory,
    "mount-authentication": mount_authentication,
}
