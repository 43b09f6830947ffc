"""Limits of connections per login that Icecast 2.5 does not apply (see :mod:`icecfg.effective.userlimits`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from icecfg.document import Element
from icecfg.effective.userlimits import ignored_limit, limited
from icecfg.lint.context import LintContext
from icecfg.lint.finding import Finding
from icecfg.lint.rule import rule
from icecfg.spec import Dialect


@rule("ICE525", "connection-limit-ignored", "warning", dialects=(Dialect.V25,))
def connection_limit_ignored(ctx: LintContext) -> Iterator[Finding]:
    """A limit of connections per listener login that Icecast 2.5 does not apply.

    ## Why
    Icecast 2.5 counts a user's connections to a mount by the `name` of
    the role that let them in, and refuses one over the role's
    `connections-per-user` (429).  A role without a `name` counts none, so
    its limit never applies, and an anonymous role's counts only listeners
    that send a login, which none need to.  A 2.4-style htpasswd block's
    `<option name="allow_duplicate_users" value="0"/>`, which makes 2.4.4
    refuse a user's second connection, is turned by 2.5 into
    `connections-per-user="0"`, which it reads as no limit: one login can be
    shared by any number of listeners.  (2.4.4 and KH refuse a second
    connection even without the option.)

    ## On each release
    - 2.4.4 and Icecast-KH refuse a login's second connection by default
      (401, 403) and with `allow_duplicate_users` 0; only a non-zero
      value lets it in (verified, `tests/test_oracle_roles.py`).
    - 2.5.0 lets any number in by default and with the option 0 (200); so
      does a role with `connections-per-user="1"` and no `name`; with a
      `name` the second connection gets 429; a named anonymous role with
      the limit lets two listeners without a login in, and refuses a
      second one only when both send the same login (all verified).  `icecfg
      migrate` writes the limit for every htpasswd block the old release
      held to one connection per login.

    ## Bad
    ```xml
    <authentication type="htpasswd">
        <option name="filename" value="/etc/icecast2/listeners"/>
        <option name="allow_duplicate_users" value="0"/>
    </authentication>
    ```

    ## Good
    ```xml
    <authentication type="htpasswd" name="htpasswd" connections-per-user="1">
        <option name="filename" value="/etc/icecast2/listeners"/>
    </authentication>
    ```

    ## Fix
    Give the role (or 2.4-style block) a `name` and write the limit as
    `connections-per-user`; `icecfg lint --fix` does both and drops
    `allow_duplicate_users`.  An anonymous role has no limit per listener
    to give: limit the mount's `<max-listeners>`.
    """
    candidates = [p.element for p in ctx.rows("role")]
    candidates += [p.element for p in ctx.rows("authentication", "mount")]
    for element in sorted(candidates, key=lambda e: e.start):
        found = ignored_limit(element)
        if found is None:
            continue
        if found.kind == "allow_duplicate_users":
            message = (
                '<option name="allow_duplicate_users" value="0"> is read by Icecast 2.5 as '
                'connections-per-user="0", no limit: one login serves any number of listeners (2.4.4 and KH '
                'refuse a second connection); write name="htpasswd" connections-per-user="1" on the block'
            )
            yield ctx.finding(found.written, message, fix=_fix(element), fix_title="limit as Icecast 2.5 reads it")
            continue
        if found.kind == "anonymous":
            yield ctx.finding(
                element,
                f'connections-per-user="{element.get("connections-per-user")}" on an anonymous role limits nothing: '
                "Icecast 2.5 counts only listeners that send the same login, and a listener of an anonymous role "
                "need not send one; limit the mount's <max-listeners> instead",
                attribute="connections-per-user",
            )
            continue
        yield ctx.finding(
            element,
            f'connections-per-user="{element.get("connections-per-user")}" on a {_what(element)} without a name '
            "is never applied: Icecast 2.5 counts a user's connections by the role's name; add a name",
            attribute="connections-per-user",
            fix=_fix(element),
            fix_title=f'name it "{element.get("type") or "listeners"}"',
        )


def _what(element: Element) -> str:
    return "<role>" if element.local_name == "role" else "2.4-style <authentication>"


def _fix(element: Element) -> Callable[[], None]:
    def fix() -> None:
        limited(element)

    return fix
