"""Icecast 2.5 role stacks whose walk ends other than they read: who gets in, which source is shut out.

Checks that let in whoever sends no login (ICE519), anonymous roles that
shut the source out (ICE521), roles 2.5 drops at start so the walk skips
them (ICE523).  The walk through the stacks is ``icecfg.effective.roles``.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterator

from icecfg.document import Element
from icecfg.effective.authoptions import options
from icecfg.effective.mounts import MountConfig
from icecfg.effective.roles import (
    LISTENER_METHODS,
    METHODS,
    ROLE_TYPES,
    STATIC_OPTIONS,
    checks_logins,
    method_items,
    missing_option,
    not_set_up,
    source_refused_by,
    stranger,
    unknown_method,
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
    for mount in mounts_with_roles(ctx):
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
            f"the roles of {mount_words(mount.label)} pass {found.who(kinds, plural=len(kinds_set) > 1)}, "
            f"on to {found.by}, which lets them in: the mount is open to everyone; end the stack with {CLOSING_ROLE}",
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


def mounts_with_roles(ctx: LintContext) -> Iterator[MountConfig]:
    """The mounts, normal then default, whose own ``<authentication>`` holds roles."""
    holders = _role_holders(ctx)
    if not holders:
        return
    for mount in (*ctx.effective.mounts.normal(), *ctx.effective.mounts.defaults()):
        if id(mount.element) in holders:
            yield mount


def mount_words(name: str) -> str:
    """A mount's label in a message: ``mount /live``, or ``<mount type="default">`` as it is."""
    return name if name.startswith("<") else f"mount {name}"


def _own(mount: Element) -> tuple[Element, ...]:
    own = mount.find_last("authentication")
    return (own,) if own is not None else ()


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
    for mount in mounts_with_roles(ctx):
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
                f"this anonymous role answers the sources of {mount_words(mount.label)} too (it matches their PUT and "
                f"SOURCE, and its ACL does not allow them): Icecast 2.5 refuses every source there before the source "
                f'password is asked; give it match-method="{LISTENER_METHODS}"',
                fix=fix,
                fix_title="match only the listener methods",
            )


@rule("ICE523", "role-not-set-up", "error", dialects=(Dialect.V25,))
def role_not_set_up(ctx: LintContext) -> Iterator[Finding]:
    """A `<role>` Icecast 2.5 drops at start: an unknown type or method, a static role without its user or password.

    ## Why
    Icecast 2.5 sets each role up as it reads the file.  A role of a type
    it does not know (`Unrecognised authenticator type`), or a `static`
    role without a `username` and `password` option (`legacy-password`:
    without `password`; a misspelt option logs `Unknown option: NAME` and
    counts as missing), is logged once and left out of its stack: the
    requests it was written for go on to the next role.  Icecast's own
    sample configuration has one (`passwod`).  A `method` list with an
    item 2.5 does not know drops the role before anything is logged: an
    empty item (`method="get,"`), a space before a comma (`"get ,head"`:
    the item is `get `) or a misspelt name.

    ## On each release
    - 2.5.0: a mount whose stack is a static role for its source
      (`username` and a misspelt `passwod`) and an anonymous role that
      denies everything logs `Unknown option: passwod` and `Password
      required, but not given.`, and refuses that source (401); with
      `password` the source streams (verified, `tests/test_oracle_roles.py`).
      A htpasswd role written `method="get,"` before the same anonymous
      role refuses its user (401), where `method="get"` lets her in, and
      nothing is logged (verified, same test).
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
        silent = unknown_method(role) is not None  # dropped before anything is logged
        if silent:
            fix = _method_fix(role)
        elif kind not in ROLE_TYPES:
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

        logged = "drops the role at start without a word" if silent else "logs it at start and drops the role"
        yield ctx.finding(
            role,
            f"this <role> has {reason}{hint}: Icecast 2.5 {logged}, so the requests it was written for go on to "
            "the next role",
            attribute="method" if silent else None,
            fix=fix,
            fix_title=("write the method list as 2.5 reads it" if silent else "rename the option") if fix else "",
        )


def _method_fix(role: Element) -> Callable[[], None] | None:
    """The ``method`` list without empty items and stray spaces, misspelt names corrected; None if one is unknown."""
    written = []
    for item in method_items(role.get("method") or ""):
        name = item.strip().lower()
        if not name:
            continue
        if name != "*" and name not in METHODS:
            close = difflib.get_close_matches(name, METHODS, n=1, cutoff=0.75)
            if not close:
                return None
            name = close[0]
        written.append(name)
    if not written:
        return None

    def fix() -> None:
        role.set("method", ",".join(written))

    return fix
