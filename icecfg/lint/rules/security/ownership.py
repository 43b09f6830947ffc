"""The switch away from root: `<changeowner>` and `<chroot>`, and the paths a chrooted server opens."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from typing import TYPE_CHECKING

from icecfg.document import Element
from icecfg.effective.security import chrooted_paths
from icecfg.lint.context import LintContext
from icecfg.lint.finding import Finding
from icecfg.lint.rule import rule
from icecfg.spec import Dialect

if TYPE_CHECKING:
    pass


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
