"""Logging: log file names Icecast cannot open, a missing log directory, and what the logs keep.

Icecast opens every log as ``logdir + "/" + name`` (``_start_logging``), so a
log name is always relative to ``<logdir>``: an absolute name, ``/dev/null``
included, is glued onto logdir and cannot be opened.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterator
from typing import NamedTuple

from icecfg.document import Element
from icecfg.effective.logging import written_setting
from icecfg.lint.context import LintContext
from icecfg.lint.finding import Finding, Severity
from icecfg.lint.rule import rule
from icecfg.spec import Dialect

_V24_V25 = (Dialect.V24, Dialect.V25)
_LOGS = ("errorlog", "accesslog", "playlistlog")
_KIND = {"errorlog": "error", "accesslog": "access", "playlistlog": "playlist"}
#: ``<logsize>`` values from here on (1 GiB in KiB) look like a size in bytes.
_LOGSIZE_BYTES_LIKE = 1024 * 1024


class _Written(NamedTuple):
    """A log name as the release reads it from the file, and where it is written."""

    name: str
    element: Element
    #: ``name`` when Icecast-KH read it from a ``name=`` attribute, else None (the element's text).
    attribute: str | None


def _written_log(ctx: LintContext, tag: str) -> _Written | None:
    """The name Icecast uses for log ``tag`` when the file writes one (None for the default).

    The effective layer knows which element wins and where in it the name
    was read: the last one's text on 2.4/2.5; on KH each element in turn,
    its text, then ``name=``, then a ``<name>`` child.
    """
    log = ctx.effective.logging.log(_KIND[tag])
    element, name = log.name.origin.element, log.name.value
    if element is None or not isinstance(name, str):
        return None
    if log.attribute is not None:
        return _Written(name, element, log.attribute)
    if element.text != name:
        return None  # an empty element: the default is kept
    return _Written(name, element, None)


def _log_name(ctx: LintContext, tag: str) -> tuple[str | None, Element | None]:
    """The file name Icecast uses for log ``tag`` (default applied) and its element."""
    name = ctx.effective.logging.log(_KIND[tag]).name
    return (name.value if isinstance(name.value, str) else None), name.origin.element


def _logdir(ctx: LintContext) -> tuple[str, Element | None]:
    """The log directory Icecast uses (default applied) and its element."""
    logdir = ctx.effective.logdir
    return str(logdir.value or ""), logdir.origin.element


def _chrooted(ctx: LintContext, path: str) -> str:
    """``path`` as seen from outside when ``<chroot>`` confines Icecast to ``<basedir>``."""
    return ctx.effective.security.outside(path)


def _is_chrooted(ctx: LintContext) -> bool:
    return ctx.effective.security.chrooted


def _discard_name(logdir: str) -> str:
    """A log name that, appended to ``logdir``, reaches /dev/null."""
    depth = len([p for p in posixpath.normpath(logdir).split("/") if p]) if logdir.startswith("/") else 16
    return "../" * max(depth, 1) + "dev/null"


def _reaches_null(logdir: str, name: str) -> bool:
    return posixpath.normpath(logdir + "/" + name) == "/dev/null"


@rule("ICE801", "log-name-absolute", "error")
def log_name_absolute(ctx: LintContext) -> Iterator[Finding]:
    """An absolute log file name: Icecast appends it to `<logdir>` and cannot open it.

    ## Why
    Log files are always opened as `logdir + "/" + name`.  An absolute
    `<errorlog>` or `<accesslog>` (`/dev/null` included) becomes
    `LOGDIR//abs/name`, and Icecast 2.4.4 exits at startup: `FATAL: could not
    open error logging (LOGDIR//abs/err.log): No such file or directory`,
    exit status 1 (tested).  An absolute `<playlistlog>` prints the same
    FATAL line, but the server keeps running without a playlist log (tested).
    Icecast 2.5.0 prints the same FATAL lines for an absolute `<errorlog>`
    and then dies by a segmentation fault instead of exiting with 1 (tested).
    Icecast-KH also opens `logdir/name` but keeps running: an error log it
    cannot create goes to stderr, an access log it cannot create is not
    written anywhere, without a word (tested on kh22).

    ## Bad
    ```xml
    <paths><logdir>/var/log/icecast2</logdir></paths>
    <logging><errorlog>/var/log/icecast2/error.log</errorlog></logging>
    ```

    ## Good
    ```xml
    <paths><logdir>/var/log/icecast2</logdir></paths>
    <logging><errorlog>error.log</errorlog></logging>
    ```

    ## Fix
    Write the name relative to `<logdir>` (the automatic fix does when the
    file is in logdir).  To discard a log, write a relative name that climbs
    out of logdir to `/dev/null`, e.g. `../../../dev/null` for
    `/var/log/icecast2` (tested on 2.4.4), or `-` for stderr (access and error
    log only).
    """
    logdir, _element = _logdir(ctx)
    for tag in _LOGS:
        found = _written_log(ctx, tag)
        if found is None or not found.name.startswith("/"):
            continue
        name = found.name
        opened = f"{logdir}/{name}"
        if ctx.target is Dialect.KH:
            effect = _kh_unopened(tag)
        elif tag == "playlistlog":
            effect = (
                f"{ctx.target.label} prints 'FATAL: could not open playlist logging ({opened})' and runs "
                "without a playlist log"
            )
        else:
            effect = f"{ctx.target.label} exits at startup with 'FATAL: could not open {_KIND[tag]} logging ({opened})'"
        fix: Callable[[], None] | None = None
        directory, base = posixpath.split(posixpath.normpath(name))
        if base and directory == posixpath.normpath(logdir):
            advice = f"write {base}"
            fix = _rename(found, base)
        elif posixpath.normpath(name) == "/dev/null":
            advice = f"to discard it write {_discard_name(logdir)} (relative to logdir)"
            if tag != "playlistlog":
                advice += " or - for stderr"
        else:
            advice = "write a name relative to <logdir>"
        if fix is None:
            title = ""
        elif found.attribute is not None:
            title = f'write <{tag} name="{base}">'
        else:
            title = f"write <{found.element.local_name}>{base}</{found.element.local_name}>"
        yield ctx.finding(
            found.element,
            f"<{tag}> {name} is appended to <logdir> ({opened}): {effect}; {advice}",
            fix=fix,
            fix_title=title,
            attribute=found.attribute,
            at_text=True,  # when the name is the text, not an attribute
        )


def _kh_unopened(tag: str) -> str:
    """What Icecast-KH does with a log file it cannot create (tested on kh22): it keeps running."""
    if tag == "errorlog":
        return "Icecast-KH cannot create it and writes the error log to stderr instead"
    return f"Icecast-KH cannot create it and keeps no {_KIND[tag]} log, silently"


def _set_text(element: Element, text: str) -> Callable[[], None]:
    def fix() -> None:
        element.set_text(text)

    return fix


def _rename(found: _Written, name: str) -> Callable[[], None]:
    """Write ``name`` where the release read the log's name: the attribute or the element's text."""
    if found.attribute is None:
        return _set_text(found.element, name)

    def fix() -> None:
        found.element.set(found.attribute or "name", name)

    return fix


@rule("ICE802", "playlistlog-dash", "warning")
def playlistlog_dash(ctx: LintContext) -> Iterator[Finding]:
    """`<playlistlog>-</playlistlog>` creates a file named `-`; it is not stderr.

    ## Why
    `-` means stderr only for `<accesslog>` and `<errorlog>`.  For the
    playlist log Icecast opens `logdir/-` and writes a file literally named
    `-` (tested on 2.4.4 and 2.5.0), which most tools then read as standard
    input.  Icecast-KH opens no file at all for `-` and stops at startup:
    `could not open log : Success`, `Server startup failed. Exiting`, with
    exit status 0 (tested on kh22).

    ## Bad
    ```xml
    <logging><playlistlog>-</playlistlog></logging>
    ```

    ## Good
    ```xml
    <logging><playlistlog>playlist.log</playlistlog></logging>
    ```

    ## Fix
    Name a file, or remove `<playlistlog>` to keep no playlist log.
    """
    found = _written_log(ctx, "playlistlog")
    if found is None or found.name != "-":
        return
    logdir, _ = _logdir(ctx)
    if ctx.target is Dialect.KH:
        yield ctx.finding(
            found.element,
            "<playlistlog>-</playlistlog> is not stderr: Icecast-KH cannot open a log of that name and stops "
            "at startup ('Server startup failed', exit status 0); name a file such as playlist.log, "
            "or remove <playlistlog> to keep none",
            attribute=found.attribute,
            at_text=True,  # when the name is the text, not an attribute
        )
        return
    yield ctx.finding(
        found.element,
        f"<playlistlog>-</playlistlog> is not stderr: Icecast writes the playlist log to a file named - "
        f"({logdir}/-); name a file such as playlist.log, or remove <playlistlog> to keep none",
        at_text=True,
    )


@rule("ICE803", "log-directory-missing", "error", needs_files=True)
def log_directory_missing(ctx: LintContext) -> Iterator[Finding]:
    """The log directory (or a subdirectory in a log name) does not exist: Icecast exits at startup.

    ## Why
    Icecast opens its logs after reading the configuration and does not
    create directories.  A missing `<logdir>` (the default is
    `/usr/local/icecast/logs`) or a missing subdirectory in a log name makes
    2.4.4 exit with `FATAL: could not open error logging (...): No such file
    or directory` and status 1 (tested).  Icecast 2.5.0 prints the same
    FATAL lines (and first warns `Requesting file status for ... failed`
    for a missing `<logdir>`) and then dies by a segmentation fault
    (tested).  Icecast-KH keeps running and writes its error log to stderr
    instead, silently, and keeps no access log (tested on kh22).  Logs
    written to stderr (`-`) need no
    directory.  With `<chroot>` the directory is looked up inside
    `<basedir>`, and one that exists only outside it is missing: this rule
    reports the log directory in a chroot too (ICE509 leaves it to this
    one, and a path written with the basedir prefix to ICE508).

    ## On each release
    - 2.4.4: exits with status 1 (tested, `tests/test_oracle_fallback_headers.py`).
    - 2.5.0: dies after the FATAL lines (tested,
      `tests/test_oracle_media_25_kh.py`); started as root of a user
      namespace with `<chroot>`, it stops with `FATAL: could not open error
      logging` for a log directory that exists only outside the chroot
      (verified, `tests/test_oracle_tls_security_25_kh.py`).
    - Icecast-KH: keeps running, the error log on stderr (tested,
      `tests/test_oracle_media_25_kh.py`); started so with `<chroot>`, it
      opens its error log after the chroot: with `<logdir>/log</logdir>` it
      writes `<basedir>/log/error.log`; with a directory that exists only
      outside the chroot it writes no file there and sends its error log to
      stderr (verified, `tests/test_oracle_tls_security_25_kh.py`).
    - 2.4.4, in a user namespace, refuses to run as root right after the
      chroot, before it opens its logs: that it stops for a directory
      missing in the chroot is from the source (`_start_logging`).

    ## Bad
    ```xml
    <paths><logdir>/var/log/icecast</logdir></paths>  <!-- Debian's is /var/log/icecast2 -->
    ```

    ## Good
    ```xml
    <paths><logdir>/var/log/icecast2</logdir></paths>
    ```

    ## Fix
    Create the directory (writable by Icecast's user) or correct the path.
    """
    assert ctx.files is not None
    logdir, logdir_element = _logdir(ctx)
    if logdir_element is not None and ctx.effective.security.includes_base(logdir):
        return  # ICE508: written with the basedir prefix, looked up twice inside it
    files = []
    for tag in _LOGS:
        name, element = _log_name(ctx, tag)
        if name is None or name.startswith("/") or (name == "-" and tag != "playlistlog"):
            continue
        if _reaches_null(logdir, name):
            continue
        files.append((tag, name, element))
    if not files:
        return
    local_logdir = _chrooted(ctx, logdir)
    if not ctx.files.is_dir(local_logdir):
        logs = ", ".join(f"<{tag}> {name}" for tag, name, _ in files)
        where = f"{local_logdir} (inside the chroot)" if local_logdir != logdir else logdir
        outside = local_logdir != logdir and logdir.startswith("/") and ctx.files.is_dir(logdir)
        hint = " (it exists only outside the chroot)" if outside else ""
        written = "<logdir>" if logdir_element is not None else "the default <logdir>"
        anchor = logdir_element or ctx.config.paths.element or ctx.config.logging.element
        effect = (
            f"Icecast-KH cannot open {logs}: it writes the error log to stderr and keeps no other log, silently"
            if ctx.target is Dialect.KH
            else f"Icecast cannot open {logs} and exits at startup ('FATAL: could not open ... logging')"
        )
        yield ctx.finding(
            anchor,
            f"{written} {where} {ctx.files.problem(local_logdir)}{hint}, so {effect}; create it or correct the path",
            at_text=logdir_element is not None,
        )
        return
    for tag, name, element in files:
        directory = posixpath.dirname(posixpath.normpath(f"{logdir}/{name}"))
        local_directory = _chrooted(ctx, directory)
        if ctx.files.is_dir(local_directory):
            continue
        if ctx.target is Dialect.KH:
            effect = _kh_unopened(tag)
        elif tag == "playlistlog":
            effect = "Icecast runs without a playlist log"
        else:
            effect = f"Icecast exits at startup ('FATAL: could not open {_KIND[tag]} logging')"
        yield ctx.finding(
            element,
            f"<{tag}> {name}: the directory {directory} {ctx.files.problem(local_directory)}, so {effect}; "
            "create it or write a name directly in logdir",
            at_text=element is not None,
        )


@rule("ICE804", "loglevel-debug", "info")
def loglevel_debug(ctx: LintContext) -> Iterator[Finding]:
    """`<loglevel>4</loglevel>` (debug) in a production configuration.

    ## Why
    Level 4 writes Icecast's internal steps to the error log, several lines
    for every request: on 2.4.4 ten status requests and a three-second
    source gave 327 lines at level 4 and 11 at level 3 (tested).  Icecast
    2.5.0 and Icecast-KH also write `DBUG` lines at level 4 and none at
    level 3 (tested on both).  The file
    grows fast, rotates away the lines that matter, and the warnings drown.
    Level 3 (info) keeps startup, source and listener events; 2 (warn) only
    problems.

    ## Bad
    ```xml
    <logging><loglevel>4</loglevel></logging>
    ```

    ## Good
    ```xml
    <logging><loglevel>3</loglevel></logging>
    ```

    ## Fix
    Use 3 or 2 in production and 4 only while debugging (the automatic fix
    writes 3).
    """
    level = ctx.effective.logging.level
    element = written_setting(level, "loglevel")
    if element is None or level.value != 4:
        return
    yield ctx.finding(
        element,
        f"<loglevel>{element.text}</loglevel> is debug: the error log gets several lines for every "
        "request and the warnings drown; use 3 (info) or 2 (warn) in production",
        at_text=True,
        fix=_set_text(element, "3"),
        fix_title="write <loglevel>3</loglevel>",
    )


@rule("ICE805", "logsize-in-bytes", "info", dialects=_V24_V25)
def logsize_in_bytes(ctx: LintContext) -> Iterator[Finding]:
    """`<logsize>` looks like a number of bytes, but it is KiB.

    ## Why
    Icecast multiplies `<logsize>` by 1024 (`log_set_trigger`): it is the
    rotation size in KiB.  `<logsize>10485760</logsize>` meant as 10 MB is
    10 GiB, so the logs are hardly ever rotated.  Tested on 2.5.0: with
    `<logsize>2</logsize>` the error log is moved to `error.log.old` once it
    passes 2048 bytes: before each line, 2.5.0 checks its own count of the
    size, which adds one byte per line (the kept copy's NUL), so the moved
    file can be a few bytes short of 2048.  Tested on 2.4.4 likewise: it
    counts the bytes it writes, so the moved file is just past 2048 bytes.
    A log that never fills 10 GiB cannot be shown in a test; the unit is
    what is shown.

    On Icecast-KH: the unit is KiB too, but KH caps the value at 2000000
    (about 1.9 GiB; `cfgfile.c` [KH] l.1072), so a byte-sized value is
    reported by ICE203 there, not by this rule.  Tested on kh22:
    `<logsize>150</logsize>` rotates the error log once it passes 153600
    bytes (to `error.log.<date>_<time>`, as `<logarchive>` defaults to 1),
    and a size under 100000 bytes is raised to 100000
    (`<logsize>2</logsize>` rotates after 100000 bytes, not 2048).

    ## Bad
    ```xml
    <logging><logsize>10485760</logsize></logging>
    ```

    ## Good
    ```xml
    <logging><logsize>10240</logsize></logging>  <!-- 10 MiB -->
    ```

    ## Fix
    Give the size in KiB.
    """
    written = ctx.effective.logging.size
    element = written_setting(written, "logsize")
    size = written.value
    if element is None or element.text is None or not isinstance(size, int) or size < _LOGSIZE_BYTES_LIKE:
        return
    gib = size / (1024 * 1024)
    yield ctx.finding(
        element,
        f"<logsize>{element.text.strip()}</logsize> is in KiB: logs rotate only after {gib:g} GiB; "
        f"if {size} bytes were meant, write {max(size // 1024, 1)}",
        at_text=True,
    )


@rule("ICE806", "log-name-empty", "error", dialects=(Dialect.KH,))
def log_name_empty(ctx: LintContext) -> Iterator[Finding]:
    """Icecast-KH: an empty `name=""` on a log element; for the error log KH crashes at start.

    ## Why
    Icecast-KH reads a log element's text, then its `name=` attribute, then
    a `<name>` child, each replacing the name before (`_parse_errorlog` and
    the like).  An empty `name=""` replaces a name written as text with
    nothing.  Tested on kh22: `<errorlog name="">error.log</errorlog>`
    crashes the server at start (SIGSEGV); `<accesslog name="">` writes no
    access log and `<playlistlog name="">` no playlist log, without a word.
    Icecast 2.4.4 and 2.5.0 read no attribute here and use the text.

    ## Bad
    ```xml
    <logging><errorlog name="">error.log</errorlog></logging>
    ```

    ## Good
    ```xml
    <logging><errorlog>error.log</errorlog></logging>
    ```

    ## Fix
    Remove the empty attribute (the automatic fix does) or give the name
    in it.  To keep no access log, remove `<accesslog>` or discard it as
    ICE890 explains.
    """
    for tag in _LOGS:
        found = _written_log(ctx, tag)
        if found is None or found.name or found.attribute is None:
            continue
        element = found.element
        if tag == "errorlog":
            effect, severity = "Icecast-KH crashes at start (SIGSEGV)", None
        else:
            effect, severity = f"Icecast-KH keeps no {_KIND[tag]} log, silently", Severity.WARNING
        yield ctx.finding(
            element,
            f'<{tag} name=""> gives the log an empty name: {effect}; remove the attribute or name a file in it',
            attribute="name",
            fix=_drop_attribute(element, "name"),
            fix_title='remove name=""',
            severity=severity,
        )


def _drop_attribute(element: Element, name: str) -> Callable[[], None]:
    def fix() -> None:
        element.delete(name)

    return fix


@rule("ICE890", "access-log-on-disk", "warning", default_enabled=False)
def access_log_on_disk(ctx: LintContext) -> Iterator[Finding]:
    """Privacy (opt-in): the access log stores every listener's IP address on disk.

    ## Why
    Icecast writes one line per request to the access log: client IP
    address, time, URL and user agent.  Where listener IP addresses count as
    personal data, keeping them needs a reason and a retention policy.

    On Icecast 2.4.4 an absolute `<accesslog>/dev/null</accesslog>` is fatal
    (the name is appended to logdir, see ICE801).  What works (tested):

    * a relative name that climbs out of logdir to `/dev/null`, such as
      `../../../dev/null` for `/var/log/icecast2`: nothing is written;
    * `-`, which writes the access log to stderr; a systemd service keeps
      stderr in its journal, so the addresses still end up on disk unless
      the journal is volatile.

    Icecast-KH can leave the addresses out: `<accesslog_ip>0</accesslog_ip>`.
    Tested on 2.4.4, 2.5.0 and kh22: the access log gets `127.0.0.1` for a
    request from loopback, and with the fix no access log file is written.

    This rule is off by default; enable it with `--select ICE890` (or
    `--select access-log-on-disk`); `--select ICE8` alone does not.

    ## Bad
    ```xml
    <paths><logdir>/var/log/icecast2</logdir></paths>
    <logging><accesslog>access.log</accesslog></logging>
    ```

    ## Good
    ```xml
    <paths><logdir>/var/log/icecast2</logdir></paths>
    <logging><accesslog>../../../dev/null</accesslog></logging>
    ```

    ## Fix
    Discard the access log as above (the automatic fix writes the
    `../…/dev/null` name when Icecast is not chrooted), or rotate and delete
    it on a schedule that your privacy policy allows.
    """
    name, element = _log_name(ctx, "accesslog")
    if name is None or name == "-" or name.startswith("/"):
        return  # stderr is the journal's business; an absolute name is fatal (ICE801)
    logdir, _ = _logdir(ctx)
    if _reaches_null(logdir, name):
        return
    if ctx.target is Dialect.KH and _kh_ip_off(ctx):
        return
    discard = _discard_name(logdir)
    kh = "; or set <accesslog_ip>0</accesslog_ip>" if ctx.target is Dialect.KH else ""
    fix = None if _is_chrooted(ctx) else _discard(ctx, discard)
    where = posixpath.normpath(f"{logdir}/{name}")
    yield ctx.finding(
        element if element is not None else (ctx.config.logging.element or None),
        f"the access log {where} keeps every listener's IP address on disk; to keep none write "
        f"<accesslog>{discard}</accesslog> (an absolute /dev/null is fatal), or - for stderr, which a "
        f"systemd service still stores in its journal{kh}",
        at_text=element is not None,
        fix=fix,
        fix_title=f"write <accesslog>{discard}</accesslog>",
    )


def _kh_ip_off(ctx: LintContext) -> bool:
    text = ctx.config.logging.get_text("accesslog_ip")
    block = _block_ip(ctx)
    return any(v is not None and v.strip().lower() in ("0", "no", "false") for v in (text, block))


def _block_ip(ctx: LintContext) -> str | None:
    for block in ctx.config.logging.elements:
        access = block.find_last("accesslog")
        if access is not None:
            ip = access.find_last("ip")
            if ip is not None:
                return ip.text
    return None


def _discard(ctx: LintContext, name: str) -> Callable[[], None]:
    def fix() -> None:
        ctx.config.logging.accesslog = name

    return fix
