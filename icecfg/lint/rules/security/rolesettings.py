"""Role settings written on a mount's `<authentication>` that Icecast 2.5 makes no role of."""

from __future__ import annotations

from collections.abc import Iterator

from icecfg import spec
from icecfg.document import Element
from icecfg.effective.roles import is_role
from icecfg.lint.context import LintContext
from icecfg.lint.finding import Finding
from icecfg.lint.rule import rule
from icecfg.spec import Dialect

_ROLE = spec.SECTIONS["role"]
#: What 2.5.0 reads from a role (and from a 2.4-style htpasswd block) besides its type, options and
#: name (a name alone only labels the role in the log).
ROLE_ATTRIBUTES = frozenset(a.name for a in _ROLE.attributes if a.name not in ("type", "name"))
ROLE_CHILDREN = frozenset(c.name for c in _ROLE.children if c.name != "option")


@rule("ICE526", "role-setting-ignored", "warning", dialects=(Dialect.V25,))
def role_setting_ignored(ctx: LintContext) -> Iterator[Finding]:
    """A role's attribute or child on a mount's `<authentication>` that Icecast 2.5 reads no role from.

    ## Why
    Icecast 2.5 makes a 2.4-style `<authentication type="htpasswd">` block
    a role and reads from it everything a `<role>` takes: `deny-method`,
    `connections-per-user` and the other ACL attributes, `<http-headers>`
    sent to the listeners it lets in.  It makes no such role of the other
    two forms, and ignores the settings silently: a `type="url"` block's
    role is built from its `<option>`s alone, and an `<authentication>`
    without a type is a stack whose `<role>` children are all 2.5 reads.
    A limit or ACL written there is not applied.

    ## On each release
    - 2.5.0: `deny-method="get"` on a htpasswd block refuses its users
      (401), and its `<http-headers>` reach them; the same on a block of
      roles changes nothing (200, no header); `name="url"
      connections-per-user="1"` on a url block lets a login in twice
      (verified, `tests/test_oracle_roles.py`,
      `tests/test_oracle_url_auth.py`).
    - 2.4.4 and Icecast-KH read none of these settings (ICE302).

    ## Bad
    ```xml
    <authentication deny-method="get">
        <role type="htpasswd"><option name="filename" value="/etc/icecast2/users"/></role>
    </authentication>
    ```

    ## Good
    ```xml
    <authentication>
        <role type="htpasswd" deny-method="get"><option name="filename" value="/etc/icecast2/users"/></role>
    </authentication>
    ```

    ## Fix
    Write the setting on the `<role>` it is meant for.  A url block's needs
    the block written as a `<role type="url">` (its `listener_add` option
    is the role's `client_add`) in an `<authentication>` without a type.
    """
    for placed in ctx.rows("authentication", "mount"):
        block = placed.element
        kind = block.get("type")
        if is_role(block):
            continue  # a htpasswd block is a role to 2.5
        if kind == "url":
            where, why = "a 2.4-style url block", "Icecast 2.5 builds its role from the <option>s alone"
            advice = 'write it on a <role type="url"> in an <authentication> without a type'
        elif kind is None:
            where, why = "an <authentication> of roles", "Icecast 2.5 reads only its <role> elements"
            advice = "write it on the <role> it is meant for"
        else:
            continue  # another type is ICE504's
        for name in block.attribute_names():
            if name in ROLE_ATTRIBUTES:
                yield ctx.finding(block, f"{name}= on {where} is ignored: {why}; {advice}", attribute=name)
        for child in _role_children(block):
            yield ctx.finding(child, f"<{child.local_name}> in {where} is ignored: {why}; {advice}")


def _role_children(block: Element) -> list[Element]:
    return [child for child in block.elements() if child.local_name in ROLE_CHILDREN]
