"""Security: passwords, mount authentication, and the switch away from root.

No message of this family ever contains a password: findings name the
element and say what is wrong with its value.
"""

from __future__ import annotations

import difflib
import posixpath
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from icecfg.document import Element, parse, parse_fragment
from icecfg.effective.mounts import mount_name
from icecfg.effective.reading import may_spell
from icecfg.effective.security import chrooted_paths
from icecfg.effective.startup import htpasswd_without_users_file
from icecfg.errors import ParseError
from icecfg.lint.context import LintContext
from icecfg.lint.finding import Finding
from icecfg.lint.rule import rule
from icecfg.spec import Dialect, Kind

if TYPE_CHECKING:
    from icecfg.effective.auth import Credential

V24_V25 = (Dialect.V24, Dialect.V25)


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


@rule("ICE506", "changeowner-incomplete", "error")
def changeowner_incomplete(ctx: LintContext) -> Iterator[Finding]:
    """`<changeowner>` without both `<user>` and `<group>` does not switch user (KH: half of it, or crashes).

    ## Why
    The mere presence of `<changeowner>` turns the user switch on, but
    Icecast 2.4.4 and 2.5 call setgid/setuid only when both the user and
    the group resolve.  With one missing, a server started as root stays root, and
    then refuses to run ("You should not run icecast2 as root"), except
    Icecast 2.5 as PID 1 (a container's entrypoint), which runs on as root.

    ## On each release
    - Only a server started as root switches user.  Started as root of a
      user namespace (`tests/test_oracle_tls_security_25_kh.py`), 2.4.4
      and 2.5.0 with `<user>` alone do not try to switch, print `ERROR: You
      should not run icecast2 as root` and exit; with both they try (`Error
      changing groupid` there, where only root is mapped).  That 2.5.0 runs
      on as PID 1 is shown for ICE507.
    - Icecast-KH differs: with `<user>` alone it switches the user without
      the group (so it keeps root's group), and with `<group>` alone it
      dies of SIGSEGV at start-up (shown there too); with neither it stays
      root and refuses to run.

    ## Bad
    ```xml
    <security><changeowner><user>icecast2</user></changeowner></security>
    ```

    ## Good
    ```xml
    <security><changeowner><user>icecast2</user><group>icecast</group></changeowner></security>
    ```

    ## Fix
    Set both `<user>` and `<group>`, or remove `<changeowner>` when Icecast
    is started as an unprivileged user.
    """
    guard = ctx.effective.security
    if guard.owner is None or guard.switches_group:
        return
    missing = [
        f"<{name}>" for name, value in (("user", guard.user), ("group", guard.group)) if not value or not value.value
    ]
    yield ctx.finding(
        guard.owner,
        f"<changeowner> lacks {' and '.join(missing)}: {_half_owner(ctx.target, missing)}; set both",
    )


def _half_owner(target: Dialect, missing: list[str]) -> str:
    """What ``target`` started as root does with a ``<changeowner>`` that lacks ``missing`` (shown on each).

    2.4.4 and 2.5.0 switch only when both are named.  KH switches the user
    alone when only the group is missing, and crashes when only the user is.
    """
    if target is Dialect.KH and missing == ["<group>"]:
        return "Icecast-KH switches the user alone, so started as root it keeps root's group"
    if target is Dialect.KH and missing == ["<user>"]:
        return "Icecast-KH started as root crashes at start-up (SIGSEGV)"
    refusal = _refuses_root(target, ", except as PID 1, a container's entrypoint, where it runs on as root")
    switches = "has no one to switch to" if target is Dialect.KH else "switches user only when both resolve"
    return f"{target.label} {switches}, so started as root it stays root (and then {refusal})"


def _refuses_root(target: Dialect, exception: str) -> str:
    """What ``target`` does when it is still root after the chroot and user switch, ``exception`` for 2.5.

    Each release refuses to run as root (shown as root of a user namespace),
    except 2.5.0 when it is PID 1, as a container's entrypoint is: there it
    runs on as root.
    """
    return "refuses to run" + (exception if target is Dialect.V25 else "")


def _chroot_on(ctx: LintContext) -> Element | None:
    """The ``<chroot>`` element when the target confines Icecast to ``<basedir>``."""
    guard = ctx.effective.security
    return guard.chroot.origin.element if guard.chrooted else None


@rule("ICE507", "chroot-without-changeowner", "error")
def chroot_without_changeowner(ctx: LintContext) -> Iterator[Finding]:
    """`<chroot>1` without `<changeowner>` cannot work.

    ## Why
    Only root may chroot, and Icecast refuses to keep running as root: with
    no `<changeowner>` a server started as root exits ("You should not run
    icecast2 as root"), and one started as another user skips the chroot
    ("Cannot change server root unless running as root") and runs without
    the protection the configuration promises.  Icecast 2.5 makes one
    exception: as PID 1, which it is as a container's entrypoint, it runs
    on as root inside the chroot.

    ## On each release
    - 2.4.4, 2.5.0 and Icecast-KH, started as another user: each prints
      `Cannot change server root unless running as root` and runs on without
      the chroot (verified, `tests/test_oracle_tls_security.py` and
      `tests/test_oracle_tls_security_25_kh.py`).
    - Started as root (shown as root of a user namespace, in
      `tests/test_oracle_tls_security_25_kh.py`): 2.4.4 and Icecast-KH
      print `Changed root successfully` and then `ERROR: You should not run
      icecast2 as root`, and exit (2.4.4 with status 1, KH with 0).  2.5.0
      chroots too, and then exits on the first path that is not inside the
      chroot (`FATAL: could not open error logging`); as PID 1 it chroots
      and serves, as root.

    ## Bad
    ```xml
    <security><chroot>1</chroot></security>
    ```

    ## Good
    ```xml
    <security>
        <chroot>1</chroot>
        <changeowner><user>icecast2</user><group>icecast</group></changeowner>
    </security>
    ```

    ## Fix
    Add `<changeowner>` with both user and group, or drop the chroot.
    """
    chroot = _chroot_on(ctx)
    if chroot is None:
        return
    if ctx.effective.security.changeowner:
        return
    exception = ", except as PID 1 (a container's entrypoint), where it runs on as root in the chroot"
    yield ctx.finding(
        chroot,
        f"<chroot> is on but there is no <changeowner>: started as root {ctx.target.label} "
        f"{_refuses_root(ctx.target, exception)}, "
        "started as another user it skips the chroot; add <changeowner> with <user> and <group>",
        at_text=True,
    )


def _basedir(ctx: LintContext) -> str:
    """The directory Icecast chroots into."""
    return ctx.effective.security.chroot_base


def _chroot_paths(ctx: LintContext) -> Iterator[tuple[Element, str, str]]:
    """(element, path text, what) of every absolute path Icecast opens after the chroot."""
    return chrooted_paths(ctx.placed, ctx.target)


@rule("ICE508", "chroot-path-includes-basedir", "error")
def chroot_path_includes_basedir(ctx: LintContext) -> Iterator[Finding]:
    """With `<chroot>`, a path written with the basedir prefix is looked up twice inside it.

    ## Why
    Icecast chroots into `<basedir>` before it opens its log directory,
    webroot, adminroot and the other files, so every path is then resolved
    inside the chroot: `<logdir>/srv/icecast/logs</logdir>` with basedir
    `/srv/icecast` becomes `/srv/icecast/srv/icecast/logs` on the host, and
    a missing log directory stops 2.4.4 and 2.5 (Icecast-KH writes its
    error log to stderr instead, as for ICE803).

    ## On each release
    - 2.5.0, started as root of a user namespace: `Changed root
      successfully`, then `FATAL: could not open error logging` for a log
      directory written with the basedir prefix; with the path this rule's
      fix writes it serves (as PID 1, where it may run as root; verified,
      `tests/test_oracle_tls_security_25_kh.py`).
    - Icecast-KH, started so, also opens its error log after the chroot:
      for a log directory written with the basedir prefix it writes no
      file and sends its error log to stderr, without stopping for it
      (verified, same file).
    - `<pidfile>`: 2.4.4 and 2.5.0 write it before the chroot, on the
      host path as written, so it is not reported for them; Icecast-KH
      writes it after the chroot, so one written with the basedir prefix
      lands at `<basedir><basedir>/...`, and with the path this rule's fix
      writes KH writes `<basedir>/...` (verified on each, same file).
    - 2.4.4, in a user namespace, refuses to run as root right after the
      chroot (only root is mapped there, so the user switch fails): what
      it opens after it is from the source.

    ## Bad
    ```xml
    <paths><basedir>/srv/icecast</basedir><logdir>/srv/icecast/logs</logdir></paths>
    <security><chroot>1</chroot></security>
    ```

    ## Good
    ```xml
    <paths><basedir>/srv/icecast</basedir><logdir>/logs</logdir></paths>
    <security><chroot>1</chroot></security>
    ```

    ## Fix
    Write the paths as seen from inside the chroot; the fix strips the
    basedir prefix.
    """
    if _chroot_on(ctx) is None:
        return
    base = _basedir(ctx)
    for element, path, what in _chroot_paths(ctx):
        if not ctx.effective.security.includes_base(path):
            continue
        inside = "/" + path[len(base.rstrip("/")) :].lstrip("/")
        host = posixpath.join(base, path.lstrip("/"))  # the path as written, looked up inside the chroot

        def fix(element: Element = element, inside: str = inside) -> None:
            if element.local_name == "option":
                element.set("value", inside)
            else:
                element.set_text(inside)

        yield ctx.finding(
            element,
            f"{what} {path} includes <basedir> {base}: after the chroot Icecast opens {host}; write {inside}",
            attribute="value" if element.local_name == "option" else None,
            at_text=element.local_name != "option",
            fix=fix,
            fix_title=f"write {inside}",
        )


@rule("ICE509", "chroot-path-missing", "error", needs_files=True)
def chroot_path_missing(ctx: LintContext) -> Iterator[Finding]:
    """With `<chroot>`, a path does not exist inside the basedir.

    ## Why
    After the chroot into `<basedir>`, Icecast opens `/usr/share/icecast2/web`
    as `<basedir>/usr/share/icecast2/web`.  A path that exists only outside
    the chroot is unreachable: a missing webroot or adminroot breaks the
    status pages and /admin, a missing mime types file leaves the
    extensions only it names served as `application/octet-stream`.  The
    log directory is checked by ICE803, which knows when no log needs
    one, and a path written with the basedir prefix by ICE508.  Paths
    opened before the
    chroot are host paths and not checked: `<basedir>`, 2.5's
    `<reportxmldb>`, which 2.5.0 reads while it parses the configuration
    (ICE513 checks it), Icecast-KH's `<include>`, and `<pidfile>` on 2.4
    and 2.5.  Icecast-KH writes `<pidfile>` after the chroot: the
    directory of that file must exist inside the basedir.

    ## On each release
    - 2.5.0, started as root of a user namespace, loads a `<reportxmldb>`
      that exists only outside the chroot and logs `Can not parse report
      xml database` for one that exists only inside it (verified,
      `tests/test_oracle_tls_security_25_kh.py`).
    - Each release reads the mime types file (2.4's root `<mime-types>`,
      `<paths><mime-types>` on 2.5 and Icecast-KH) at start, after the
      chroot: for a file that exists only outside it each logs `Cannot open
      mime types file` (verified on each, `tests/test_oracle_paths.py`).
    - 2.5's `<geoipdb>` is opened at start, after the chroot, by a build
      with libmaxminddb (from the source, `geoip_db_new` after
      `_ch_root_uid_setup`); the 2.5.0 tested has none and only looks the
      file up on the host path while it parses the configuration (verified,
      same file).
    - Started so, 2.4.4 and 2.5.0 write `<pidfile>` on the host path
      before the chroot, Icecast-KH inside the chroot, at `<basedir>`
      plus the path (verified on each, `tests/test_oracle_tls_security_25_kh.py`).

    ## Bad
    ```xml
    <paths><basedir>/srv/icecast</basedir><webroot>/usr/share/icecast2/web</webroot></paths>
    <security><chroot>1</chroot></security>
    ```

    ## Good
    ```xml
    <paths><basedir>/srv/icecast</basedir><webroot>/web</webroot></paths>
    <security><chroot>1</chroot></security>
    ```

    ## Fix
    Create the file or directory inside the basedir (or bind-mount it
    there) and write the path as seen from inside the chroot.
    """
    if _chroot_on(ctx) is None:
        return
    assert ctx.files is not None
    base = _basedir(ctx)
    guard = ctx.effective.security
    for element, path, what in _chroot_paths(ctx):
        if guard.includes_base(path) or element.local_name == "logdir":
            continue  # ICE508's; the log directory is ICE803's, which knows when no log needs it
        host = posixpath.join(base, path.lstrip("/"))
        check = posixpath.dirname(host) if what in _WRITTEN else host
        if ctx.files.exists(check):
            continue
        outside = " (it exists only outside the chroot)" if ctx.files.exists(path) else ""
        yield ctx.finding(
            element,
            f"{what} {path}: after the chroot into {base} Icecast opens {host}, which "
            f"{ctx.files.problem(check)}{outside}; create it inside the basedir",
            attribute="value" if element.local_name == "option" else None,
            at_text=element.local_name != "option",
        )


#: Files Icecast creates: only their directory must exist inside the chroot.
_WRITTEN = frozenset({"<dump-file>", "<pidfile>"})


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


@rule("ICE511", "prng-seed-missing", "warning", dialects=(Dialect.V25,))
def no_prng_seed(ctx: LintContext) -> Iterator[Finding]:
    """No `<prng-seed>` in `<security>`; Icecast 2.5 warns at every start.

    ## Why
    Icecast 2.5 seeds its random number generator (used for session and
    connection identifiers) from the `<prng-seed>` elements of `<security>`.
    Without one it logs "Warning, no PRNG seed configured, falling back to
    libigloo defaults." at every start (`cfgfile.c` l.1489; verified on
    2.5.0); on Windows it counts as a configuration problem.

    ## On each release
    - 2.5.0: verified (`tests/test_oracle_releases.py`).

    ## Bad
    ```xml
    <security>
        <chroot>0</chroot>
    </security>
    ```

    ## Good
    ```xml
    <security>
        <chroot>0</chroot>
        <prng-seed type="device" size="32">/dev/urandom</prng-seed>
    </security>
    ```

    ## Fix
    Add `<prng-seed type="device" size="32">/dev/urandom</prng-seed>` to
    `<security>` (2.5's sample also keeps a `read-write` seed file).
    `icecfg lint --fix` adds it to the last `<security>` (or a new one)
    when the server is not chrooted; 2.5.0 then starts without the warning
    (verified).  In a chroot the device must exist inside it: add the seed
    by hand there.
    """
    root = ctx.config.document.root
    if any(True for _ in ctx.rows("prng-seed", "security")):
        return
    blocks = list(root.elements("security"))
    block = blocks[-1] if blocks else None
    yield ctx.finding(
        block,
        "no <prng-seed> is configured: Icecast 2.5 logs 'no PRNG seed configured, falling back to "
        f"libigloo defaults' at every start; add {_PRNG_SEED} to <security>",
        fix=None if ctx.effective.security.chrooted else _add_prng_seed(root, block),
        fix_title="add a <prng-seed> that reads /dev/urandom",
    )


#: The seed 2.5's own sample configuration reads.
_PRNG_SEED = '<prng-seed type="device" size="32">/dev/urandom</prng-seed>'


def _add_prng_seed(root: Element, block: Element | None) -> Callable[[], None]:
    """The fix: :data:`_PRNG_SEED` as the message writes it, in ``block`` or in a new ``<security>``."""

    def fix() -> None:
        seed = parse_fragment(_PRNG_SEED)
        if block is not None:
            block.insert_formatted(seed)
        else:
            root.insert_formatted(Element("security", children=[seed]))

    return fix


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
    <authentication type="url">
        <option name="stream_auth" value="http://127.0.0.1:8080/source"/>
        <option name="listener_add" value="http://127.0.0.1:8080/listener"/>
    </authentication>
    ```

    ## Fix
    Let listeners in explicitly: add `<option name="listener_add">` with
    the URL of a backend that decides about them (one that answers
    `X-Icecast-Auth-Result: ok` to everyone keeps the stream public).
    """
    from icecfg.effective.urlauth import logs_in_sources_only

    for block, role, where in _url_authenticators(ctx):
        if role or not logs_in_sources_only(block, ctx.target):
            continue
        yield ctx.finding(
            block,
            f'<authentication type="url"> of {where} has "stream_auth" and no "listener_add": '
            f"{ctx.target.label} makes it a login for sources only and refuses every listener (401); "
            'add <option name="listener_add"> with a backend that lets them in',
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


@rule("ICE513", "report-database-unreadable", "warning", dialects=(Dialect.V25,), needs_files=True)
def report_database_unreadable(ctx: LintContext) -> Iterator[Finding]:
    """2.5 `<reportxmldb>` is missing, unreadable or not a report database; 2.5.0 logs an error at every start.

    ## Why
    Icecast 2.5.0 reads each `<paths><reportxmldb>` while it parses the
    configuration: before the chroot (a host path, looked up as written)
    and before it opens its error log.  A file that does not exist, cannot
    be read, is a directory, is not well-formed XML or holds another
    document than a `<report>` database is not loaded: 2.5.0 prints `EROR
    CONFIG/_parse_paths Can not parse report xml database "PATH"` on
    standard error at every start (not in the error log, not open yet)
    and runs without it.  The database adds texts to the error reports
    2.5 sends; the `report-db.xml` 2.5.0 installs defines none, so its
    answers stay the same.

    ## On each release
    - 2.5.0: starts and serves with a missing, unreadable, not-XML or
      non-report file and prints `Can not parse report xml database` for
      each; its 404 report is the same as with the installed database
      (verified, `tests/test_oracle_paths.py`).  Started with `<chroot>`
      it reads the file on the host path (verified,
      `tests/test_oracle_tls_security_25_kh.py`).
    - 2.4.4 and Icecast-KH do not read `<reportxmldb>` (ICE301 reports it).

    ## Bad
    ```xml
    <paths><reportxmldb>/usr/share/icecast/report-db.xml</reportxmldb></paths>  <!-- not installed there -->
    ```

    ## Good
    ```xml
    <paths><reportxmldb>/usr/local/share/icecast/report-db.xml</reportxmldb></paths>
    ```

    ## Fix
    Point it at the `report-db.xml` Icecast 2.5 installs (`share/icecast/`
    under its prefix), readable by the user Icecast starts as, or remove
    the element.
    """
    assert ctx.files is not None
    for placed in ctx.rows("reportxmldb", "paths"):
        path = placed.element.text
        if not path:
            continue  # 2.5.0 warns that it must not be empty and reads nothing
        problem = ctx.files.unusable(path) or ctx.files.parsed(path, _not_a_report_database, _REPORT_DB_BYTES)
        if not problem:
            continue
        yield ctx.finding(
            placed.element,
            f"<reportxmldb> {path} {ctx.files.problem(path, problem)}: Icecast 2.5 logs 'Can not parse report xml "
            "database' at every start and runs without it; point it at the report-db.xml Icecast installs, "
            "or remove it",
            at_text=True,
        )


#: Read at most this much of a report database (the one 2.5.0 installs is a few hundred bytes).
_REPORT_DB_BYTES = 4 * 1024 * 1024


def _not_a_report_database(data: bytes) -> str:
    """What keeps 2.5.0 from loading ``data`` as a report database ('' when nothing does).

    2.5.0 wants well-formed XML whose root is ``<report>``; it rejects other
    documents too (``Unknown name <foo>``).  The node names inside are not
    checked here: a file that is meant as one has the root right.
    """
    try:
        root = parse(data, root_name=None).root
    except ParseError as error:
        return f"is not well-formed XML ({error.message})"
    if root.local_name != "report":
        return f"holds <{root.name}>, not a <report> database"
    return ""
