"""Icecast 2.5 role stacks that check logins but let in whoever sends none."""

from __future__ import annotations

from collections.abc import Iterator

from icecfg.document import Element
from icecfg.effective.roles import checks_logins, stranger
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
    - 2.5.0: a mount with only `<role type="htpasswd">` lets a listener
      without a login in (200), and one with a user the file does not know;
      a known user with a wrong password gets 401.  With the closing role
      below, both get 401 and the known user still gets in; the source
      still logs in with the global source password (verified,
      `tests/test_oracle_url_auth.py`).
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
    for mount in (*ctx.effective.mounts.normal(), *ctx.effective.mounts.defaults()):
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
        kinds = " and ".join(sorted({f'<role type="{role.get("type")}">' for role in checks}))

        def fix(own: Element = own) -> None:
            from icecfg.document import parse_fragment

            own.insert_formatted(parse_fragment(CLOSING_ROLE))

        yield ctx.finding(
            own,
            f"the roles of {_label(mount.label)} pass a listener who sends no login, or a user {kinds} does not "
            f"know, on to {found.by}, which lets them in: the mount is open to everyone; "
            f"end the stack with {CLOSING_ROLE}",
            fix=fix,
            fix_title="end the stack with an anonymous role that denies everything",
        )


def _label(name: str) -> str:
    return name if name.startswith("<") else f"mount {name}"


def _own(mount: Element) -> tuple[Element, ...]:
    own = mount.find_last("authentication")
    return (own,) if own is not None else ()
