"""Passwords: defaults anyone can look up, empty ones, one password for two logins, half an admin login.

No message here ever contains a password: findings name the element and
say what is wrong with its value.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from icecfg.document import Element
from icecfg.effective.mounts import mount_name
from icecfg.effective.reading import may_spell
from icecfg.lint.context import LintContext
from icecfg.lint.finding import Finding
from icecfg.lint.rule import rule
from icecfg.spec import Dialect, Kind

if TYPE_CHECKING:
    from icecfg.effective.auth import Credential


def _credentials(ctx: LintContext) -> list[Credential]:
    """Every secret of the file, as the effective layer finds them (found once per lint run)."""
    return ctx.once(_find_credentials)


def _find_credentials(ctx: LintContext) -> list[Credential]:
    from icecfg.effective.auth import credentials  # loaded on first use: not on the start-up path

    target = ctx.target
    if target is Dialect.KH:
        return list(credentials(ctx.placed, target))  # KH also reads passwords from any block's attributes
    # elsewhere a secret is a password-kind element or an <option>: credentials() yields the first
    # in document order, then the second; given only those, it need not look at every element
    options = []
    if may_spell(ctx.config.document.root, ("option",)):
        options = [p for p in ctx.placed if p.element.local_name == "option"]
    return [*credentials(ctx.of_kind(Kind.PASSWORD), target), *credentials(options, target)]


def _describe(element: Element, dialect: Dialect) -> str:
    """``element`` in words, naming the mount that holds it by the name ``dialect`` reads."""
    parent = element.parent
    if parent is not None and parent.local_name == "mount":
        name = mount_name(parent, dialect)
        if name:
            return f"<{element.local_name}> of mount {name}"
    if parent is not None and parent.local_name in ("relay", "upstream"):
        return f"<{parent.local_name}> <{element.local_name}>"
    return f"<{element.local_name}>"


@rule("ICE501", "default-password", "error")
def default_password(ctx: LintContext) -> Iterator[Finding]:
    """A password is a well-known default (`hackme`, `hackmemore`, `changeme`).

    ## Why
    The sample `icecast.xml` ships `hackme` for the source, relay and admin
    passwords and `hackmemore` for its mount example; Icecast-KH uses
    `changeme` when no source password is set.  Scanners try exactly these:
    with the source password anyone can take over a mount, with the admin
    password the whole server.

    ## On each release
    - 2.4.4 and 2.5.0 accept the sample passwords like any other, and have
      no built-in one: without a source password they refuse `changeme`
      and `hackme` too (verified, ICE502's tests).
    - Icecast-KH: with no `<source-password>` or an empty one, sources that
      log in with `changeme` are accepted (verified, `tests/test_oracle_tls_security_25_kh.py`); this rule
      reports both.  KH also reads the passwords as attributes of their
      block (`<authentication source-password="hackme">`): a default there
      is accepted just the same (verified) and reported too.

    ## Bad
    ```xml
    <authentication>
        <source-password>hackme</source-password>
    </authentication>
    ```

    ## Good
    ```xml
    <authentication>
        <source-password>long-random-secret-4f9c</source-password>
    </authentication>
    ```

    ## Fix
    Generate a long random password for each role (`openssl rand -hex 16`)
    and keep the file readable only by Icecast.
    """
    from icecfg.effective.auth import known_default

    for secret in _credentials(ctx):
        origin = known_default(secret.value)
        if origin is None:
            continue
        element = secret.element
        if secret.attribute is None:
            yield ctx.finding(
                element,
                f"{_describe(element, ctx.target)} is {origin} password, which scanners try first; "
                "set a long random password",
                at_text=True,
            )
        else:
            where = f"{secret.attribute} of {_describe(element, ctx.target)}"  # KH's attribute form
            if secret.is_option:
                where = f'<option name="{secret.name}">'
            yield ctx.finding(
                element,
                f"{where} is {origin} password, which scanners try first; set a long random password",
                attribute=secret.attribute,
            )
    builtin = ctx.effective.server_auth.builtin_source
    if builtin is not None:
        # verified on KH kh22: an absent or empty <source-password> lets sources in with "changeme"
        assert builtin.password is not None
        written = builtin.password.origin.element
        shown = "no <source-password> is set" if written is None else "<source-password> is empty"
        yield ctx.finding(
            written if written is not None else ctx.config.document.root.find("authentication"),
            f"{shown}, so Icecast-KH accepts its built-in default password, which "
            "anyone can look up; set <authentication><source-password>",
        )


@rule("ICE502", "empty-password", "error")
def empty_password(ctx: LintContext) -> Iterator[Finding]:
    """An empty password sets no password at all, or (KH's attribute form) the empty one.

    ## Why
    libxml2 hands Icecast NULL for an empty element, so `<source-password/>`
    means "no source password": every source is refused ("No source
    password set").  An empty `<admin-password/>` makes /admin unreachable,
    an empty `<relay-password/>` locks out slave servers, and an empty mount
    `<password/>` silently falls back to the global source password.

    ## On each release
    - 2.4.4: an empty `<source-password/>` refuses every source, also with
      the passwords `""`, `hackme` and `changeme`: there is no built-in one
      (verified, `tests/test_oracle_tls_security.py`).
    - 2.5.0: the same (verified, `tests/test_oracle_tls_security_25_kh.py`).
    - Icecast-KH: an empty `<source-password/>` element is read as unset and
      KH accepts its built-in `changeme` (ICE501, verified).  KH also reads
      the passwords as attributes (`<authentication source-password="">`),
      and there an empty value is the empty password: a source or an admin
      that sends an empty password is let in (verified,
      `tests/test_oracle_tls_security_25_kh.py`); this rule reports that.

    ## Bad
    ```xml
    <authentication><source-password/></authentication>
    ```

    ## Good
    ```xml
    <authentication><source-password>long-random-secret-4f9c</source-password></authentication>
    ```

    ## Fix
    Write the password, or remove the element (or the KH attribute) when it
    is not wanted.
    """
    for secret in _credentials(ctx):
        effect = secret.empty_effect(ctx.target)
        if effect is None:
            continue
        if secret.attribute is not None:
            yield ctx.finding(
                secret.element,
                f'{secret.attribute}="" on {_describe(secret.element, ctx.target)} is read by {ctx.target.label} '
                "as the empty "
                f"password: {effect}; write the password",
                attribute=secret.attribute,
            )
            continue
        yield ctx.finding(
            secret.element,
            f"{_describe(secret.element, ctx.target)} is empty, which {ctx.target.label} reads as no password at all: "
            f"{effect}; write the password or remove the element",
        )


@rule("ICE503", "password-reused", "warning")
def password_reused(ctx: LintContext) -> Iterator[Finding]:
    """The admin password is also used as a source, relay or mount password.

    ## Why
    Source passwords are handed to every DJ and streaming tool and are
    often sent over plain HTTP.  When the admin password is the same, anyone
    holding a source password can log in to /admin, move or kick listeners,
    kill sources and read the configuration.

    ## On each release
    - All three releases: with `<admin-password>` the same as the source
      password, a source logs in with it and `/admin/stats` answers 200 to
      `admin` with it; with distinct passwords, 401 (verified,
      `tests/test_oracle_releases.py`).

    ## Bad
    ```xml
    <authentication>
        <source-password>same-secret</source-password>
        <admin-password>same-secret</admin-password>
    </authentication>
    ```

    ## Good
    ```xml
    <authentication>
        <source-password>source-secret-71ad</source-password>
        <admin-password>admin-secret-c30e</admin-password>
    </authentication>
    ```

    ## Fix
    Give the admin account a password of its own.
    """
    secrets = [secret for secret in _credentials(ctx) if not secret.is_option]  # KH's attribute form included
    admin = None
    for secret in secrets:
        if secret.name == "admin-password" and secret.section == "authentication":
            admin = secret
    if admin is None or not admin.value:
        return
    for secret in secrets:
        if secret is admin or secret.name == "admin-password":
            continue
        if secret.name not in ("source-password", "relay-password") and secret.section != "mount":
            continue
        if secret.value == admin.value:
            where = _describe(secret.element, ctx.target)
            yield ctx.finding(
                secret.element,
                f"{secret.attribute + ' of ' + where if secret.attribute else where} is the same as "
                "<admin-password>: whoever holds it can also run the admin interface; "
                "give the admin account its own password",
                attribute=secret.attribute,
            )


@rule("ICE510", "admin-credentials-incomplete", "error")
def admin_credentials_incomplete(ctx: LintContext) -> Iterator[Finding]:
    """Only one of `<admin-user>` and `<admin-password>` is set: /admin is unreachable.

    ## Why
    Icecast grants the admin interface only to a login that matches both
    `<admin-user>` and `<admin-password>` (`connection.c` l.978-998); with
    one missing nobody can log in, so listeners cannot be moved and
    metadata cannot be updated through /admin.

    ## On each release
    - 2.4.4, 2.5.0 and Icecast-KH: with `<admin-user>` missing, the admin
      login answers 401 (verified, `tests/test_oracle_tls_security.py` and
      `tests/test_oracle_tls_security_25_kh.py`); none of them has a default admin user.

    ## Bad
    ```xml
    <authentication><admin-password>admin-secret-c30e</admin-password></authentication>
    ```

    ## Good
    ```xml
    <authentication>
        <admin-user>admin</admin-user>
        <admin-password>admin-secret-c30e</admin-password>
    </authentication>
    ```

    ## Fix
    Set both elements.
    """
    server = ctx.effective.server_auth
    user, password = server.admin_user, server.admin_password
    if (user is None) == (password is None):
        return
    present, missing = (
        ("<admin-user>", "<admin-password>") if password is None else ("<admin-password>", "<admin-user>")
    )
    written = user if user is not None else password
    assert written is not None
    element = written.origin.element
    yield ctx.finding(
        element,
        f"{present} is set without {missing}: {ctx.target.label} needs both, so nobody can log in "
        f"to /admin; add {missing}",
    )


# -- ICE511-ICE512: what Icecast 2.5 warns about at every start ------------------------------
