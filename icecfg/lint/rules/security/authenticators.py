"""Mount authenticators whose type or options leave the mount other than it looks: unknown types,
htpasswd without its users file, KH's command authenticator without its program.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from typing import TYPE_CHECKING

from icecfg.document import Element
from icecfg.effective.startup import htpasswd_without_users_file
from icecfg.lint.context import LintContext
from icecfg.lint.finding import Finding
from icecfg.lint.rule import rule
from icecfg.spec import Dialect

if TYPE_CHECKING:
    pass


@rule("ICE504", "mount-auth-type-invalid", "error")
def mount_auth_type_invalid(ctx: LintContext) -> Iterator[Finding]:
    """A mount `<authentication>` with a missing or unknown `type`: 2.4 leaves the mount public.

    ## Why
    Icecast 2.4.4 logs `Unrecognised authenticator type` (or `no
    authentication type defined`) and then creates the mount *without* any
    authenticator: every listener gets the stream without credentials
    (verified on 2.4.4 with `type="htpassword"`).  The `type` is
    case-sensitive.  Icecast 2.5 instead denies every listener of the mount.

    ## On each release
    - 2.4.4: logs `Unrecognised authenticator type` and serves the mount to
      everybody (verified, `tests/test_oracle_tls_security.py`).
    - 2.5.0: logs `Unknown authentication type in legacy mode. Anonymous
      listeners and global login for sources disabled.`: every listener gets
      401 (also with a valid login) and a source logging in with the global
      `<source-password>` is refused (verified, `tests/test_oracle_tls_security_25_kh.py`).
    - Icecast-KH: logs `Unrecognised authenticator type` and `failed to read
      element "authentication"`; the mount is served to everybody (verified).

    ## Bad
    ```xml
    <authentication type="htpassword">
        <option name="filename" value="/etc/icecast2/listeners"/>
    </authentication>
    ```

    ## Good
    ```xml
    <authentication type="htpasswd">
        <option name="filename" value="/etc/icecast2/listeners"/>
    </authentication>
    ```

    ## Fix
    Use `htpasswd` or `url` (KH also `command`); the fix corrects an obvious
    misspelling.
    """
    from icecfg.effective.auth import authenticator_types, listener_auth_block

    allowed = authenticator_types(ctx.target)
    for placed in ctx.rows("authentication", "mount"):
        auth = placed.element
        fact = listener_auth_block(auth, ctx.target)
        if not fact.broken:
            continue
        value = auth.get("type")
        choices = " or ".join(f'"{c}"' for c in allowed)
        if value is None:
            yield ctx.finding(
                auth,
                f"<authentication> in {fact.where} has no type: {fact.effect}; add type={choices}",
            )
            continue
        close = difflib.get_close_matches(value.lower(), allowed, n=2, cutoff=0.6)
        fix = None
        if len(close) == 1:
            word = close[0]

            def fix(auth: Element = auth, word: str = word) -> None:
                auth.set("type", word)

        hint = f' (did you mean "{close[0]}"?)' if close else ""
        yield ctx.finding(
            auth,
            f'<authentication type="{value}"> is not an authenticator type{hint}: {fact.effect}; use type={choices}',
            attribute="type",
            fix=fix,
            fix_title=f'set type="{close[0]}"' if close else "",
        )


@rule("ICE505", "htpasswd-without-filename", "error")
def htpasswd_without_filename(ctx: LintContext) -> Iterator[Finding]:
    """An htpasswd authenticator without its `filename` option lets nobody in.

    ## Why
    The htpasswd authenticator reads its users from the file named by
    `<option name="filename">`.  Without it Icecast logs `No filename given
    in options for authenticator` and starts anyway; the authenticator then
    knows no user, so every listener of the mount is refused with 401, even
    with valid credentials (verified on 2.4.4).

    ## On each release
    - 2.4.4: logs `No filename given in options for authenticator`; every
      listener gets 401, even with a valid login (verified, `tests/test_oracle_tls_security.py`).
    - 2.5.0: the same (verified, `tests/test_oracle_tls_security_25_kh.py`).
    - Icecast-KH: logs the same line and then crashes at start-up (SIGSEGV)
      (verified).

    ## Bad
    ```xml
    <authentication type="htpasswd">
        <option name="allow_duplicate_users" value="0"/>
    </authentication>
    ```

    ## Good
    ```xml
    <authentication type="htpasswd">
        <option name="filename" value="/etc/icecast2/listeners"/>
    </authentication>
    ```

    ## Fix
    Add `<option name="filename" value="..."/>` naming the htpasswd file
    (inside the chroot when one is used).
    """
    for placed in (*ctx.rows("authentication"), *ctx.rows("role")):  # the only rows judged below
        element = placed.element
        if placed.row is None or element.get("type") != "htpasswd":
            continue
        if placed.row.name == "authentication" and placed.parent.id == "mount":
            from icecfg.effective.auth import mount_phrase

            where = f"<authentication> of {mount_phrase(element, ctx.target)}"
        elif placed.row.name == "role" and ctx.target is Dialect.V25:
            where = '<role type="htpasswd">'
        else:
            continue
        if not htpasswd_without_users_file(element, ctx.target):
            continue
        if ctx.target is Dialect.KH:
            effect = "Icecast-KH crashes at start-up (SIGSEGV) after logging 'No filename given'"
        else:
            effect = f"{ctx.target.label} knows no user to let in, so every listener is refused"
        yield ctx.finding(
            element,
            f'{where} has no <option name="filename">: {effect}; name the htpasswd file',
        )


@rule("ICE517", "auth-command-without-listener-add", "error", dialects=(Dialect.KH,))
def auth_command_without_listener_add(ctx: LintContext) -> Iterator[Finding]:
    """Icecast-KH command authenticator without `listener_add`: KH crashes at start-up.

    ## Why
    Icecast-KH's `command` authenticator runs the program named by
    `<option name="listener_add">` for each listener.  It reads only
    `listener_add` and `listener_remove`, by their exact names.  Without
    `listener_add` (missing, misspelt, or without a `value`) KH logs `No
    command specified for authentication` and then dies of SIGSEGV while
    starting.

    ## On each release
    - kh22: with a misspelt `listner_add`, and with no option at all, the
      server logs that line and dies of SIGSEGV at start-up (verified,
      `tests/test_oracle_url_auth.py`).
    - 2.4.4 and 2.5.0 have no `command` authenticator (ICE504).

    ## Bad
    ```xml
    <authentication type="command">
        <option name="listner_add" value="/usr/local/bin/listener-auth"/>
    </authentication>
    ```

    ## Good
    ```xml
    <authentication type="command">
        <option name="listener_add" value="/usr/local/bin/listener-auth"/>
    </authentication>
    ```

    ## Fix
    Name the program with `<option name="listener_add" value="..."/>`
    (`icecfg lint --fix` renames a misspelt one).
    """
    from icecfg.effective.auth import mount_phrase
    from icecfg.effective.authoptions import options
    from icecfg.effective.startup import command_without_listener_add

    for placed in ctx.rows("authentication", "mount"):
        block = placed.element
        if (block.get("type") or "") != "command":
            continue
        if not command_without_listener_add(block):
            continue
        found = options(block, ctx.target)
        close = [
            (option, name)
            for option, name in found
            if difflib.get_close_matches(name, ["listener_add"], n=1, cutoff=0.75) and name != "listener_remove"
        ]
        fix = None
        hint = ""
        if len(close) == 1:
            option, name = close[0]
            hint = f' (<option name="{name}"> is not it: did you mean "listener_add"?)'

            def fix(option: Element = option) -> None:
                option.set("name", "listener_add")

        yield ctx.finding(
            block,
            f'<authentication type="command"> of {mount_phrase(block, ctx.target)} has no <option '
            f"name=\"listener_add\">{hint}: Icecast-KH logs 'No command specified for authentication' and crashes "
            "at start-up (SIGSEGV); name the program with listener_add",
            fix=fix,
            fix_title='rename it "listener_add"' if fix is not None else "",
        )
