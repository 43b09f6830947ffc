"""Url authenticators: the option names each release reads, and what a block without its add URL does.

Each release reads its own option names (``icecfg.effective.urlauth`` has
the table); a block that names none it reads asks nobody, and 2.5.0 reads a
2.4-style block differently again.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from typing import TYPE_CHECKING

from icecfg.document import Element
from icecfg.lint.context import LintContext
from icecfg.lint.finding import Finding
from icecfg.lint.rule import rule
from icecfg.spec import Dialect

if TYPE_CHECKING:
    pass

#: 2.4-style url-authenticator options 2.5 still reads with a warning -> (2.5 option, what changes).
_OLD_URL_AUTH_OPTIONS = {
    "auth_header": ("header_auth", "the backend answers a header such as 'X-Icecast-Auth-Result: ok'"),
    "timelimit_header": ("header_timelimit", "it names the header only, without the colon"),
}


@rule("ICE512", "auth-url-old-option", "warning", dialects=(Dialect.V25,))
def auth_url_old_option(ctx: LintContext) -> Iterator[Finding]:
    """Url authenticator with 2.4-style header options (or none); Icecast 2.5 warns each time.

    ## Why
    Icecast 2.5 reads the backend's verdict differently from 2.4: instead
    of `auth_header` (a whole line, `icecast-auth-user: 1`, the backend must
    send) and `timelimit_header` (a line prefix), it takes `header_auth`
    and `header_timelimit`, the *names* of headers whose values are the
    result and the seconds.  The result is one of 2.5's own words: `ok`
    lets the listener in; `failed`, `forbidden` and any other word (`allow`
    too) refuse it.  The old options still
    work but log "You use old style auth option "auth_header". Please
    switch to new style option "header_auth"." each time the authenticator
    is set up; with neither option it logs "You do not have enabled old or
    new style auth option ... I will enable both" and accepts both forms
    (`auth_url.c` l.568-605; verified on 2.5.0).

    A 2.4-style `<mount><authentication type="url">` is converted by 2.5
    into a `<role>` that receives only the 2.4 option names
    (`cfgfile.c` l.1643-1730): `header_auth` written there is ignored, so
    such a block always logs one of the two warnings.  Only a 2.5 `<role
    type="url">` can take the new options.

    ## On each release
    - 2.5.0: the warnings verified (`tests/test_oracle_releases.py`); a
      backend's `X-Icecast-Auth-Result: ok` lets a listener in, `allow`
      does not (verified, `tests/test_oracle_url_auth.py`).

    ## Bad
    ```xml
    <authentication type="url">
        <option name="listener_add" value="http://auth.example.org/add"/>
        <option name="auth_header" value="icecast-auth-user: 1"/>
    </authentication>
    ```

    ## Good
    ```xml
    <authentication>
        <role type="url" match-method="get">
            <option name="client_add" value="http://auth.example.org/add"/>
            <option name="header_auth" value="x-icecast-auth-result"/>
            <option name="header_timelimit" value="x-icecast-auth-timelimit"/>
        </role>
    </authentication>
    ```

    ## Fix
    Make the backend answer `X-Icecast-Auth-Result: ok` (and
    `X-Icecast-Auth-Timelimit: SECONDS`), then write the authenticator as a
    2.5 `<role type="url">` with `header_auth` and `header_timelimit`.  No
    automatic fix: renaming the option alone would make 2.5 wait for a
    header the backend does not send.
    """
    for element in ctx.config.document.root.iter():
        if element.local_name not in ("authentication", "role") or (element.get("type") or "").strip() != "url":
            continue
        legacy = element.local_name == "authentication"
        names = {(o.get("name") or ""): o for o in element.elements("option")}
        for old, (new, change) in _OLD_URL_AUTH_OPTIONS.items():
            option = names.get(old)
            if option is not None:
                where = 'in a <role type="url">' if legacy else "instead"
                yield ctx.finding(
                    option,
                    f"<option name=\"{old}\"> is the 2.4 style: Icecast 2.5 logs 'You use old style auth option' "
                    f'each time it sets the authenticator up; use "{new}" {where} ({change})',
                    attribute="name",
                )
            elif legacy or new not in names:
                ignored = " (2.5 ignores it in a 2.4-style block)" if legacy and new in names else ""
                yield ctx.finding(
                    element,
                    f'url authenticator without "{new}"{ignored}: Icecast 2.5 logs \'You do not have enabled old '
                    f"or new style auth option' at every start and accepts both forms; "
                    + (
                        f'write it as <role type="url"> with <option name="{new}" .../>'
                        if legacy
                        else f'set <option name="{new}" .../>'
                    ),
                )


def _url_authenticators(ctx: LintContext) -> Iterator[tuple[Element, bool, str]]:
    """(block, whether it is a 2.5 ``<role>``, where it applies in words) for each url authenticator the target reads.

    A 2.4-style ``<authentication type="url">`` of a mount (each release), or
    a 2.5 ``<role type="url">`` (of a mount's or the server's ``<authentication>``).
    """
    from icecfg.effective.auth import mount_phrase

    for placed in ctx.rows("authentication", "mount"):
        block = placed.element
        if (block.get("type") or "") == "url":
            yield block, False, mount_phrase(block, ctx.target)
    if ctx.target is not Dialect.V25:
        return
    for placed in ctx.rows("role"):
        block = placed.element
        if (block.get("type") or "") != "url":
            continue
        holder = block.parent
        if holder is not None and holder.parent is not None and holder.parent.local_name == "mount":
            yield block, True, mount_phrase(holder, ctx.target)
        else:
            yield block, True, "every mount without an <authentication> of its own"


@rule("ICE514", "auth-url-unknown-option", "warning")
def auth_url_unknown_option(ctx: LintContext) -> Iterator[Finding]:
    """Url authenticator option the release does not read (misspelt, or the other generation's name).

    ## Why
    A url authenticator reads its options by their exact names and skips
    any other one.  Icecast 2.4.4 and Icecast-KH skip it without a word, and
    so does 2.5.0 in a 2.4-style `<authentication type="url">` (it keeps
    only the 2.4 names when it turns the block into roles); in a 2.5
    `<role type="url">` it logs `Unknown option: NAME`.  The names changed
    between the generations: a 2.4-style block takes `listener_add` and
    `listener_remove`, a 2.5 `<role>` takes `client_add` and
    `client_remove`.  A misspelt or misplaced `listener_add` is the worst
    case: the authenticator then asks nobody and lets every listener in
    (ICE515).

    ## On each release
    - 2.4.4, 2.5.0 and kh22: a mount whose block has `listner_add`, or
      the other generation's name for it, lets a listener in without the
      backend being asked; with the right name the backend is asked and its
      refusal stands (verified, `tests/test_oracle_url_auth.py`).
    - 2.5.0 logs `Unknown option: listener_add` for a `<role type="url">`
      (verified); it says nothing of a 2.4-style block's unknown options.

    ## Bad
    ```xml
    <authentication type="url">
        <option name="listner_add" value="http://127.0.0.1:8080/add"/>
    </authentication>
    ```

    ## Good
    ```xml
    <authentication type="url">
        <option name="listener_add" value="http://127.0.0.1:8080/add"/>
    </authentication>
    ```

    ## Fix
    Use the name the release reads (`icecfg lint --fix` renames an option
    with one close match or the other generation's name).  The header
    options of a 2.4-style block on 2.5 are ICE512's.
    """
    from icecfg.effective.authoptions import options
    from icecfg.effective.urlauth import RENAMED, known_options

    for block, role, _where in _url_authenticators(ctx):
        known = known_options(ctx.target, role=role)
        taken = options(block, ctx.target)
        names = {name for _option, name in taken}
        for option, name in taken:
            if name in known or (not role and ctx.target is Dialect.V25 and name in _OLD_URL_AUTH_NEW_NAMES):
                continue
            renamed = RENAMED.get(name)
            if renamed in known:
                word: str | None = renamed
                hint = f' ("{name}" is the name {_generation(not role)} takes; {_generation(role)} takes "{renamed}")'
            else:
                close = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.75)
                word = close[0] if close else None
                hint = f' (did you mean "{word}"?)' if word else ""
            if role:
                said = f"Icecast 2.5 logs 'Unknown option: {name}' and ignores it"
            else:
                said = f"{ctx.target.label} ignores it without a word"
            fix = None
            if word is not None and word not in names:

                def fix(option: Element = option, word: str = word) -> None:
                    option.set("name", word)

            kind = '<role type="url">' if role else "url authenticator"
            yield ctx.finding(
                option,
                f'<option name="{name}"> is not an option of {ctx.target.label}\'s {kind}{hint}: {said}',
                attribute="name",
                fix=fix,
                fix_title=f'rename it "{word}"' if fix is not None else "",
            )


#: 2.5's header options, which ICE512 reports in a 2.4-style block.
_OLD_URL_AUTH_NEW_NAMES = frozenset(new for new, _change in _OLD_URL_AUTH_OPTIONS.values())


def _generation(role: bool) -> str:
    """Which kind of url authenticator takes a name, in words."""
    return 'a 2.5 <role type="url">' if role else "a 2.4-style block"


@rule("ICE515", "auth-url-asks-nobody", "error")
def auth_url_asks_nobody(ctx: LintContext) -> Iterator[Finding]:
    """A url authenticator without the add URL the release reads lets every listener in.

    ## Why
    A url authenticator asks its backend about each listener at the URL of
    `listener_add` (a 2.4-style `<authentication type="url">`) or
    `client_add` (a 2.5 `<role type="url">`).  Without that option, or
    with it misspelt (ICE514) or without a `value`, nobody is asked: the
    listener is let in, and the mount is as public as one without
    authentication.  A block that only reports sources (`mount_add`,
    `mount_remove`) protects nothing either, nor one that logs in only
    sources (`stream_auth`) on 2.4.4 and KH; on 2.5.0 that block refuses
    every listener instead (ICE518).

    ## On each release
    - 2.4.4, 2.5.0 and kh22: a block with a misspelt `listener_add`, the
      other generation's name, no option at all, or only `mount_add` lets
      a listener in without asking the backend (verified,
      `tests/test_oracle_url_auth.py`); 2.5.0 does the same for a `<role
      type="url">` without `client_add`.  On 2.4.4 and kh22 a block with
      only `stream_auth` does too (verified there).

    ## Bad
    ```xml
    <authentication type="url">
        <option name="mount_add" value="http://127.0.0.1:8080/start"/>
    </authentication>
    ```

    ## Good
    ```xml
    <authentication type="url">
        <option name="mount_add" value="http://127.0.0.1:8080/start"/>
        <option name="listener_add" value="http://127.0.0.1:8080/add"/>
    </authentication>
    ```

    ## Fix
    Add the option (`listener_add`, in a 2.5 `<role>` `client_add`) with the
    URL of the backend that decides about listeners, or remove the block if
    the mount is meant to be public.
    """
    from icecfg.effective.urlauth import add_option, asks_nobody

    for block, role, where in _url_authenticators(ctx):
        if not asks_nobody(block, ctx.target, role=role):
            continue
        add = add_option(role=role)
        kind = '<role type="url">' if role else '<authentication type="url">'
        yield ctx.finding(
            block,
            f'{kind} of {where} has no <option name="{add}"> {ctx.target.label} reads: it asks no backend and '
            f'lets every listener in; add <option name="{add}" value="URL"/> or remove the block',
        )


@rule("ICE518", "auth-url-sources-only", "error", dialects=(Dialect.V25,))
def auth_url_sources_only(ctx: LintContext) -> Iterator[Finding]:
    """A 2.4-style url block with `stream_auth` and no `listener_add`: Icecast 2.5 refuses every listener.

    ## Why
    Such a block logs sources in through the backend (`stream_auth`) and
    says nothing about listeners.  Icecast 2.4.4 and Icecast-KH then let
    every listener in unasked.  Icecast 2.5 turns the block into a stack of
    roles for the methods `source,put` only (a url role and an anonymous
    one, `cfgfile.c`), and a listener matches none of them: every listener
    of the mount is refused with 401 while the source streams.  A file
    that ran a public stream on 2.4 serves nobody on 2.5.

    ## On each release
    - 2.5.0: the source logs in through the backend; a listener gets 401
      (verified, `tests/test_oracle_url_auth.py`).
    - 2.4.4 and kh22: the same block lets every listener in (200) without
      asking the backend (verified there too; ICE515 reports that).

    ## Bad
    ```xml
    <authentication type="url">
        <option name="stream_auth" value="http://127.0.0.1:8080/source"/>
    </authentication>
    ```

    ## Good
    ```xml
    <authentication>
        <role type="url" match-method="source,put" deny-method="*" allow-method="source,put">
            <option name="client_add" value="http://127.0.0.1:8080/source"/>
            <option name="action_add" value="stream_auth"/>
        </role>
    </authentication>
    ```

    ## Fix
    Write the source login as the url role 2.5 makes of `stream_auth`,
    without the role that refuses listeners (`icecfg lint --fix` and
    `icecfg migrate` do, when the block holds nothing else that would be
    lost: `mount_add`, `listener_remove`): the backend is asked about
    sources as before (`action=stream_auth`), its no still refuses them,
    and listeners are let in (verified on 2.5.0).  Or add
    `<option name="listener_add">` with a backend that decides about
    listeners.
    """
    from icecfg.effective.urlauth import logs_in_sources_only, sources_only_authentication

    for block, role, where in _url_authenticators(ctx):
        if role or not logs_in_sources_only(block, ctx.target):
            continue
        fix = None
        roles = sources_only_authentication(block, ctx.target)
        if roles is not None and block.parent is not None:

            def fix(block: Element = block, roles: Element = roles) -> None:
                assert block.parent is not None
                block.parent.insert_formatted(roles, before=block)
                block.parent.remove(block)

        yield ctx.finding(
            block,
            f'<authentication type="url"> of {where} has "stream_auth" and no "listener_add": '
            f"{ctx.target.label} makes it a login for sources only and refuses every listener (401); "
            'write the source login as a <role type="url" match-method="source,put"> or add <option '
            'name="listener_add"> with a backend that lets them in',
            fix=fix,
            fix_title="write the source login as a role",
        )


@rule("ICE516", "auth-url-mount-remove", "warning", dialects=(Dialect.V25,))
def auth_url_mount_remove(ctx: LintContext) -> Iterator[Finding]:
    """A 2.4-style `mount_remove`: Icecast 2.5.0 calls the `mount_add` URL instead, or nothing.

    ## Why
    Icecast 2.5 turns the `mount_add` and `mount_remove` options of a
    2.4-style `<authentication type="url">` into source-connect and
    source-disconnect events.  2.5.0 gives the disconnect event the URL of
    `mount_add` (`cfgfile.c`): the backend that should hear that a source
    left is never called, and the one that hears sources arrive is called
    again with `action=mount_remove`.  Without `mount_add`, 2.5.0 logs
    `Can not set up event backend url for trigger source-disconnect` at
    every start and calls nothing.

    ## On each release
    - 2.5.0: a source that connects and leaves calls the `mount_add` URL
      twice and the `mount_remove` URL never; without `mount_add` it calls
      nothing and logs the line above (verified, `tests/test_oracle_url_auth.py`).
    - 2.4.4 and kh22 call `mount_remove`'s URL (verified there too).

    ## Bad
    ```xml
    <authentication type="url">
        <option name="mount_add" value="http://127.0.0.1:8080/start"/>
        <option name="mount_remove" value="http://127.0.0.1:8080/stop"/>
    </authentication>
    ```

    ## Good
    ```xml
    <authentication type="url">
        <option name="mount_add" value="http://127.0.0.1:8080/start"/>
    </authentication>
    <event-bindings>
        <event type="url" trigger="source-disconnect">
            <option name="url" value="http://127.0.0.1:8080/stop"/>
            <option name="action" value="mount_remove"/>
        </event>
    </event-bindings>
    ```

    ## Fix
    Move the call into the mount's `<event-bindings>` as an `<event
    type="url" trigger="source-disconnect">` (`icecfg migrate` does this
    when it moves a 2.4 or KH file to 2.5).
    """
    from icecfg.effective.authoptions import options

    for block, role, where in _url_authenticators(ctx):
        if role:
            continue
        taken = options(block, ctx.target)
        names = [name for _option, name in taken]
        for option, name in taken:
            if name != "mount_remove":
                continue
            effect = (
                'calls the URL of "mount_add" instead when a source leaves'
                if "mount_add" in names
                else "logs 'Can not set up event backend url for trigger source-disconnect' and calls nothing"
            )
            yield ctx.finding(
                option,
                f'<option name="mount_remove"> of {where}: Icecast 2.5.0 {effect}; write it as <event type="url" '
                'trigger="source-disconnect"> in the mount\'s <event-bindings>',
                attribute="name",
            )
