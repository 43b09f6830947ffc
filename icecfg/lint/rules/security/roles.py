"""Icecast 2.5 role stacks that do not do what they read as.

Checks that let in whoever sends no login (ICE519), ACLs undone by the
order of their attributes (ICE520), anonymous roles that shut the source
out (ICE521), ACL attributes a role's ``<acl>`` child makes 2.5 ignore
(ICE522), roles 2.5 drops at start (ICE523), anonymous roles that open the
admin interface (ICE524).  The walk through the stacks is ``icecfg.effective.roles``.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from icecfg.document import Element
from icecfg.effective.authoptions import options
from icecfg.effective.mounts import MountConfig
from icecfg.effective.roles import (
    LISTENER_METHODS,
    ROLE_TYPES,
    STATIC_OPTIONS,
    acl_of,
    checks_logins,
    ignored_acl,
    missing_option,
    not_set_up,
    opens_admin,
    overridden_methods,
    source_refused_by,
    stranger,
)
from icecfg.lint.context import LintContext
from icecfg.lint.finding import Finding
from icecfg.lint.rule import rule
from icecfg.spec import Dialect

#: The role ICE519 asks for: what 2.5 itself closes a 2.4-style htpasswd block with.
CLOSING_ROLE = '<role type="anonymous" match-method="get,options,post,head" deny-method="*" deny-web="*"/>'


@rule("ICE519", "auth-roles-let-strangers-in", "error", dialects=(Dialect.V25,))
def auth_roles_let_strangers_in(ctx: LintContext) -> Iterator[Finding]:
    """A 2.5 role stack with htpasswd or static roles that still lets every listener without a login in.

    ## Why
    Icecast 2.5 asks a listener through the mount's roles, then its default
    mount's, then the server's, which always end with a built-in anonymous
    role that lets listeners in.  An htpasswd or static role passes on a
    listener who sends no login, or a user it does not know (it answers
    "no match"); only a wrong password for a user it knows refuses him.  A
    mount whose roles are only such checks is therefore open to everyone
    who sends no login: the roles protect nothing.  A 2.4-style
    `<authentication type="htpasswd">` does not have the problem: 2.5 closes
    it with an anonymous role that refuses everything.  A stack whose own
    anonymous role lets listeners in is public as written and not reported;
    nor is one whose way cannot be told from the file (a url role asks its
    backend; roles that filter on the request's origin; listen sockets with
    roles of their own).

    ## On each release
    - 2.5.0: a mount with only `<role type="htpasswd">` (or only a static
      role) lets a listener without a login in (200), and one with a user
      the role does not know; a known user with a wrong password gets 401.
      After an `enforce-auth` role a listener without any login gets 401,
      but one with a user name the file does not know still gets in.  With the closing role
      below, both get 401 and the known user still gets in; the source
      still logs in with the global source password (verified,
      `tests/test_oracle_roles.py`).
    - 2.4.4 and Icecast-KH have no role stacks.

    ## Bad
    ```xml
    <mount>
        <mount-name>/members</mount-name>
        <authentication>
            <role type="htpasswd"><option name="filename" value="/etc/icecast2/members"/></role>
        </authentication>
    </mount>
    ```

    ## Good
    ```xml
    <mount>
        <mount-name>/members</mount-name>
        <authentication>
            <role type="htpasswd"><option name="filename" value="/etc/icecast2/members"/></role>
            <role type="anonymous" match-method="get,options,post,head" deny-method="*" deny-web="*"/>
        </authentication>
    </mount>
    ```

    ## Fix
    End the stack with an anonymous role that matches the listener methods
    and denies everything (`icecfg lint --fix` adds it), or write the mount's
    authentication as a 2.4-style `<authentication type="htpasswd">`.
    """
    holders = _role_holders(ctx)
    for mount in _mounts(ctx, holders):
        blocks = mount.auth_blocks if mount.kind == "normal" else _own(mount.element)
        if not blocks or blocks[0].parent is not mount.element or blocks[0].get("type") is not None:
            continue
        own = blocks[0]
        checks = checks_logins(own)
        if not checks:
            continue
        found = stranger(blocks, ctx.config.document.root)
        if found is None or not found.let_in or (found.role is not None and found.role.parent is own):
            continue  # closed, not known, or open by the mount's own anonymous role: as written
        kinds_set = {f'<role type="{role.get("type")}">' for role in checks}
        kinds = " and ".join(sorted(kinds_set))

        def fix(own: Element = own) -> None:
            from icecfg.document import parse_fragment

            own.insert_formatted(parse_fragment(CLOSING_ROLE))

        yield ctx.finding(
            own,
            f"the roles of {_label(mount.label)} pass {found.who(kinds, plural=len(kinds_set) > 1)}, on to {found.by}, "
            f"which lets them in: the mount is open to everyone; end the stack with {CLOSING_ROLE}",
            fix=fix,
            fix_title="end the stack with an anonymous role that denies everything",
        )


def _role_holders(ctx: LintContext) -> set[int]:
    """ids of the ``<mount>`` elements whose ``<authentication>`` holds ``<role>``s (a lookup, not a scan of mounts)."""
    holders = set()
    for placed in ctx.rows("role"):
        block = placed.element.parent
        if block is not None and block.parent is not None and block.parent.local_name == "mount":
            holders.add(id(block.parent))
    return holders


def _mounts(ctx: LintContext, holders: set[int]) -> Iterator[MountConfig]:
    """The mounts, normal then default, whose own ``<authentication>`` holds roles."""
    if not holders:
        return
    for mount in (*ctx.effective.mounts.normal(), *ctx.effective.mounts.defaults()):
        if id(mount.element) in holders:
            yield mount


def _label(name: str) -> str:
    return name if name.startswith("<") else f"mount {name}"


def _own(mount: Element) -> tuple[Element, ...]:
    own = mount.find_last("authentication")
    return (own,) if own is not None else ()


@rule("ICE520", "role-acl-order", "error", dialects=(Dialect.V25,))
def role_acl_order(ctx: LintContext) -> Iterator[Finding]:
    """A `<role>` whose later `deny-method`/`allow-method` undoes what an earlier one names.

    ## Why
    Attribute order means nothing in XML, but Icecast 2.5 applies a role's
    ACL attributes in the order they are written (`acl.c`), each setting
    the methods it names.  `allow-method="get" deny-method="*"` therefore
    denies `get` too: the role refuses the very listeners it was written to
    let in.  `deny-method="*" allow-method="get"` means "only get".

    ## On each release
    - 2.5.0: an anonymous role written `allow-method="get"
      deny-method="*"` refuses every listener (401); the same attributes
      the other way round let them in (verified, `tests/test_oracle_roles.py`).
    - 2.4.4 and Icecast-KH have no roles.

    ## Bad
    ```xml
    <role type="anonymous" match-method="get" allow-method="get" deny-method="*"/>
    ```

    ## Good
    ```xml
    <role type="anonymous" match-method="get" deny-method="*" allow-method="get"/>
    ```

    ## Fix
    Write the attribute that covers everything (`*`) first and the
    exceptions after it (`icecfg lint --fix` moves the earlier one last).
    """
    for placed in ctx.rows("role"):
        role = placed.element
        acl = acl_of(role)
        for earlier, later, methods in overridden_methods(role):

            def fix(acl: Element = acl, name: str = earlier.name, value: str = earlier.value) -> None:
                acl.delete(name)
                acl.set(name, value)

            yield ctx.finding(
                role,
                f'{earlier.name}="{earlier.value}" is undone by the {later.name}="{later.value}" written after it: '
                f"Icecast 2.5 applies a role's attributes in the order written, so {', '.join(methods)} "
                f"{'is' if len(methods) == 1 else 'are'} {'denied' if later.name == 'deny-method' else 'allowed'}; "
                f"write {later.name} first",
                fix=fix,
                fix_title=f"move {earlier.name} after {later.name}",
            )


@rule("ICE521", "role-refuses-sources", "error", dialects=(Dialect.V25,))
def role_refuses_sources(ctx: LintContext) -> Iterator[Finding]:
    """A mount's anonymous `<role>` that also answers the source: Icecast 2.5 refuses every source there.

    ## Why
    A source logs in through the same role stacks as a listener, the
    mount's first.  An anonymous role without a method filter matches the
    source's `PUT` (or `SOURCE`) too and ends its way with the role's ACL,
    which allows only `get,options` unless it says otherwise: the source is
    refused before the server's `<source-password>` is ever asked.

    ## On each release
    - 2.5.0: a mount whose roles hold `<role type="anonymous"
      allow-method="get"/>` refuses its source with the right source
      password (401); with `match-method="get,options,post,head"` on the
      role the source streams and listeners are let in (verified,
      `tests/test_oracle_roles.py`).
    - 2.4.4 and Icecast-KH have no roles.

    ## Bad
    ```xml
    <authentication><role type="anonymous" allow-method="get"/></authentication>
    ```

    ## Good
    ```xml
    <authentication><role type="anonymous" match-method="get,options,post,head" allow-method="get"/></authentication>
    ```

    ## Fix
    Give the role the listener methods as `match-method` (`icecfg lint
    --fix` does, when the role has no method filter yet), or let it allow
    `put,source` if anyone may stream there.
    """
    for mount in _mounts(ctx, _role_holders(ctx)):
        for block in mount.element.elements("authentication"):
            if block.get("type") is not None:
                continue
            role = source_refused_by(block)
            if role is None:
                continue
            fix = None
            if not any(role.get(name) is not None for name in ("method", "match-method", "nomatch-method")):

                def fix(role: Element = role) -> None:
                    role.set("match-method", LISTENER_METHODS)

            yield ctx.finding(
                role,
                f"this anonymous role answers the sources of {_label(mount.label)} too (it matches their PUT and "
                f"SOURCE, and its ACL does not allow them): Icecast 2.5 refuses every source there before the source "
                f'password is asked; give it match-method="{LISTENER_METHODS}"',
                fix=fix,
                fix_title="match only the listener methods",
            )


@rule("ICE522", "role-acl-ignored", "error", dialects=(Dialect.V25,))
def role_acl_ignored(ctx: LintContext) -> Iterator[Finding]:
    """ACL attributes on a `<role>` that also has an `<acl>` child (or a second `<acl>`): Icecast 2.5 ignores them.

    ## Why
    A role's ACL (what a client it lets in may do) is written either as
    attributes of the `<role>` or as an `<acl>` child.  With an `<acl>`
    child, Icecast 2.5 takes the ACL from that child alone: `allow-method`,
    `deny-method` and the other ACL attributes on the role are silently
    ignored, so the role allows what the defaults (`get,options`) and the
    child say.  A second `<acl>` is ignored too, with `More than one ACL
    defined in role! Not supported (yet).` in the error log.

    ## On each release
    - 2.5.0: `<role type="anonymous" match-method="get"
      deny-method="*"><acl/></role>` lets every listener in (the role's
      `deny-method` is not read); with the attributes on the `<acl>` the
      order rule of ICE520 applies there (verified, `tests/test_oracle_roles.py`).
    - 2.4.4 and Icecast-KH have no roles.

    ## Bad
    ```xml
    <role type="anonymous" match-method="get" deny-method="*"><acl allow-method="get"/></role>
    ```

    ## Good
    ```xml
    <role type="anonymous" match-method="get"><acl deny-method="*" allow-method="get"/></role>
    ```

    ## Fix
    Write the whole ACL on one element: move the role's ACL attributes into
    its `<acl>`, in the order they should apply, and keep one `<acl>`.
    """
    for placed in ctx.rows("role"):
        role = placed.element
        names, extra = ignored_acl(role)
        if names:
            attrs = " ".join(names)
            yield ctx.finding(
                role,
                f"{attrs} on this role {'is' if len(names) == 1 else 'are'} ignored: Icecast 2.5 takes the role's ACL "
                "from its <acl> child alone; move them into the <acl>",
            )
        for acl in extra:
            yield ctx.finding(
                acl,
                "a second <acl> in a role is ignored: Icecast 2.5 logs 'More than one ACL defined in role! Not "
                "supported (yet).' and keeps the first; merge them into one",
            )


@rule("ICE523", "role-not-set-up", "error", dialects=(Dialect.V25,))
def role_not_set_up(ctx: LintContext) -> Iterator[Finding]:
    """A `<role>` Icecast 2.5 drops at start: an unknown type, or a static role without its user or password.

    ## Why
    Icecast 2.5 sets each role up as it reads the file.  A role of a type
    it does not know (`Unrecognised authenticator type`), or a `static`
    role without a `username` and `password` option (`legacy-password`:
    without `password`; a misspelt option logs `Unknown option: NAME` and
    counts as missing), is logged once and left out of its stack: the
    requests it was written for go on to the next role.  Icecast's own
    sample configuration has one (`passwod`).

    ## On each release
    - 2.5.0: a mount whose stack is a static role for its source
      (`username` and a misspelt `passwod`) and an anonymous role that
      denies everything logs `Unknown option: passwod` and `Password
      required, but not given.`, and refuses that source (401); with
      `password` the source streams (verified, `tests/test_oracle_roles.py`).
    - 2.4.4 and Icecast-KH have no roles.

    ## Bad
    ```xml
    <role type="static" allow-method="source,put">
        <option name="username" value="dj"/>
        <option name="passwod" value="..."/>
    </role>
    ```

    ## Good
    ```xml
    <role type="static" allow-method="source,put">
        <option name="username" value="dj"/>
        <option name="password" value="..."/>
    </role>
    ```

    ## Fix
    Name a type 2.5 knows, and give a static role both options
    (`icecfg lint --fix` renames a misspelt one).
    """
    for placed in ctx.rows("role"):
        role = placed.element
        reason = not_set_up(role)
        if not reason:
            continue
        kind = role.get("type")
        hint, fix = "", None
        if kind not in ROLE_TYPES:
            close = difflib.get_close_matches(kind or "", ROLE_TYPES, n=1, cutoff=0.6)
            hint = f' (did you mean "{close[0]}"?)' if close else ""
        elif (missing := missing_option(role)) is not None:
            written = [(option, name) for option, name in options(role, Dialect.V25) if name not in STATIC_OPTIONS]
            near = [(o, n) for o, n in written if difflib.get_close_matches(n, [missing], n=1, cutoff=0.75)]
            if len(near) == 1:
                option, name = near[0]
                hint = f' (<option name="{name}"> is not it: did you mean "{missing}"?)'

                def fix(option: Element = option, missing: str = missing) -> None:
                    option.set("name", missing)

        yield ctx.finding(
            role,
            f"this <role> has {reason}{hint}: Icecast 2.5 logs it at start and drops the role, so the requests it "
            "was written for go on to the next role",
            fix=fix,
            fix_title="rename the option" if fix is not None else None,
        )


@rule("ICE524", "role-opens-admin", "error", dialects=(Dialect.V25,))
def role_opens_admin(ctx: LintContext) -> Iterator[Finding]:
    """An anonymous `<role>` whose ACL allows admin commands: anyone can use them without a login.

    ## Why
    An anonymous role lets every request it matches in without asking for
    a login; its ACL then says what the client may do.  By default that is
    only the public admin commands (`buildm3u`, `publicstats`).  With
    `allow-admin="*"` (or `allow-all`) on an anonymous role, anyone who can
    reach the server may kill sources, move listeners, change metadata and
    read the full statistics: on the server's `<authentication>` for every
    mount, on a mount's for that mount.

    ## On each release
    - 2.5.0: with `<role type="anonymous" allow-admin="*"/>` in the
      server's `<authentication>`, `/admin/stats.xml`, `metadata`,
      `listclients` and `killsource` answer 200 without a login (401
      without the role); on a mount's, that mount's commands do (verified,
      `tests/test_oracle_roles.py`).
    - 2.4.4 and Icecast-KH have no roles.

    ## Bad
    ```xml
    <authentication>
        <role type="anonymous" allow-admin="*"/>
    </authentication>
    ```

    ## Good
    ```xml
    <authentication>
        <role type="static" allow-admin="*" allow-web="*">
            <option name="username" value="ops"/>
            <option name="password" value="..."/>
        </role>
    </authentication>
    ```

    ## Fix
    Give admin rights only to a role that checks a login (static,
    htpasswd, url), or name the public commands the anonymous role may use.
    """
    for placed in ctx.rows("role"):
        role = placed.element
        opened = opens_admin(role)
        if opened is None:
            continue
        holder = role.parent.parent if role.parent is not None else None
        if holder is not None and holder.local_name == "mount":
            mount = next((m for m in _mounts(ctx, {id(holder)})), None)
            scope = (
                f"the admin commands of {_label(mount.label)}" if mount is not None else "this mount's admin commands"
            )
        else:
            scope = "the whole admin interface, for every mount"
        what = "every admin command" if opened == ["*"] else ", ".join(opened)
        yield ctx.finding(
            role,
            f"this anonymous role allows {what} without a login: Icecast 2.5 lets anyone use {scope} "
            "(kill sources, move listeners, change metadata); give admin rights to a role that checks a login",
        )
