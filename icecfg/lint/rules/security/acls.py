"""Icecast 2.5 role ACLs that allow other than they read.

ACL attributes undone by the order they are written in (ICE520), ACL
attributes a role's ``<acl>`` child makes 2.5 ignore (ICE522), anonymous
roles that open the admin interface (ICE524).  The reading of an ACL is
``icecfg.effective.roles``.
"""

from __future__ import annotations

from collections.abc import Iterator

from icecfg.document import Element
from icecfg.effective.roles import (
    acl_of,
    ignored_acl,
    is_role,
    overridden_methods,
)
from icecfg.lint.context import LintContext
from icecfg.lint.finding import Finding
from icecfg.lint.rule import rule
from icecfg.lint.rules.security.stacks import mount_words
from icecfg.spec import Dialect


@rule("ICE520", "role-acl-order", "error", dialects=(Dialect.V25,))
def role_acl_order(ctx: LintContext) -> Iterator[Finding]:
    """A `<role>` whose later `deny-method`/`allow-method` undoes what an earlier one names.

    ## Why
    Attribute order means nothing in XML, but Icecast 2.5 applies a role's
    ACL attributes in the order they are written (`acl.c`), each setting
    the methods it names.  `allow-method="get" deny-method="*"` therefore
    denies `get` too: the role refuses the very listeners it was written to
    let in.  `deny-method="*" allow-method="get"` means "only get".  A
    2.4-style `<authentication type="htpasswd">` block is a role to 2.5,
    and its attributes are read the same way.

    ## On each release
    - 2.5.0: an anonymous role written `allow-method="get"
      deny-method="*"` refuses every listener (401); the same attributes
      the other way round let them in; so do they on a htpasswd block, to
      its users (verified, `tests/test_oracle_roles.py`).
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
    for role in _roles(ctx):
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
    for role in _roles(ctx):
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


def _roles(ctx: LintContext) -> list[Element]:
    """The ``<role>`` elements and the 2.4-style htpasswd blocks, which 2.5.0 reads as roles too, in file order."""
    roles = [placed.element for placed in ctx.rows("role")]
    blocks = [p.element for p in ctx.rows("authentication", "mount") if is_role(p.element)]
    return sorted(roles + blocks, key=lambda element: element.start) if blocks else roles


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
    if not any(True for _ in ctx.rows("role")):
        return  # no role anywhere: nothing to walk (the usual file)
    from icecfg.effective.auth import open_admin

    for opened in open_admin(ctx.config.document.root, ctx.effective.mounts):
        role = opened.role
        scope = "the whole admin interface, for every mount"
        if opened.mount is not None:
            scope = f"the admin commands of {mount_words(opened.mount)}"
        what = "every admin command" if opened.commands == ("*",) else ", ".join(opened.commands)
        yield ctx.finding(
            role,
            f"this anonymous role allows {what} without a login: Icecast 2.5 lets anyone use {scope} "
            "(kill sources, move listeners, change metadata); give admin rights to a role that checks a login",
        )
