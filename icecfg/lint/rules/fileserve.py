"""Fileserve: what ``<fileserve>0</fileserve>`` (or 2.4's ``true``) switches off."""

from __future__ import annotations

from collections.abc import Iterator

from icecfg import spec
from icecfg.conversion import Crash, TypedValueError, effective, parse_typed, release_text
from icecfg.document import Element
from icecfg.lint.context import LintContext
from icecfg.lint.finding import Finding
from icecfg.lint.rule import rule
from icecfg.spec import Dialect, Kind

#: What Icecast 2.4.4 does with ``<fileserve>0</fileserve>``, as tested on the Debian binary.
_EFFECT_24 = (
    "Icecast 2.4.4 answers 404 for every static file in webroot (the status pages' style.css and "
    "images, any .html, .css, .js, .txt or audio file put there); the .xsl pages (status.xsl, "
    "status-json.xsl, /admin/), .m3u/.xspf playlists, streams and file fallbacks still work"
)
_EFFECT_OTHER = "{label} serves no static file from webroot (the web interface loses its stylesheets and images)"


def _fileserve(ctx: LintContext) -> tuple[Element, bool, bool] | None:
    """The ``<fileserve>`` element Icecast reads, what it meant and what ``ctx.target`` uses."""
    element = ctx.config.document.root.find_last("fileserve")
    if ctx.target is Dialect.KH and element is not None:
        return _kh_fileserve(ctx)
    if element is None or (element.text is None and ctx.target is Dialect.V24):
        return None  # absent: on; empty: a 2.4.4 crash the value rules report
    row = spec.ROOT.child("fileserve")
    assert row is not None
    if element.text is None:
        return element, False, False  # 2.5 and KH read an empty value as 0 (tested; ICE206 says so)
    try:
        meant = parse_typed(Kind.BOOL, element.text)
    except TypedValueError:
        meant = None
    try:
        used = effective(row, element.text, ctx.target)
    except Crash:
        return None
    if used is None:  # KH keeps the default (on) for a word it cannot read
        used = True
    return element, bool(meant) if meant is not None else bool(used), bool(used)


def _kh_fileserve(ctx: LintContext) -> tuple[Element, bool, bool] | None:
    """:func:`_fileserve` on KH: the effective configuration's reading.

    KH keeps an earlier ``<fileserve>`` past one whose word it cannot read,
    and reads one that does not start with text (a comment first) as 0.
    """
    used = ctx.effective.values["fileserve"]
    element = used.origin.element
    if element is None:
        return None  # not written, or not read: on
    text = release_text(element, Dialect.KH)
    try:
        meant = parse_typed(Kind.BOOL, text) if text is not None else None
    except TypedValueError:
        meant = None
    on = bool(used.value)
    return element, bool(meant) if meant is not None else on, on


@rule("ICE701", "fileserve-disabled", "info")
def fileserve_disabled(ctx: LintContext) -> Iterator[Finding]:
    """`<fileserve>0</fileserve>`: static files from webroot are not served.

    ## Why
    With file serving off, Icecast 2.4.4 answers 404 for every static file in
    webroot: the stylesheet and images of the status pages (which then show
    unstyled), and any HTML, JavaScript, text or audio file put there.  It
    still serves the `.xsl` pages (`/status.xsl`, `/status-json.xsl`, the
    `/admin/` pages), generates `.m3u`, `.xspf` and `.vclt` playlists, streams
    mounts and plays file fallbacks from webroot (all tested).  At startup it
    warns "serving of static files has been disabled".

    This is a deliberate choice on some servers; the finding says what it
    costs.  `<fileserve>true</fileserve>` turns file serving off too in
    2.4.4, which reads booleans with `atoi` (ICE204 reports the misreading).

    Icecast 2.5.0 and Icecast-KH do the same with `<fileserve>0</fileserve>`
    (tested: `/hello.txt` in webroot answers 404, `/status.xsl` still 200);
    2.5.0 warns at startup as 2.4.4 does, KH says nothing.  Both also read
    an empty `<fileserve></fileserve>` as 0 (tested); 2.5 reads `true`,
    `yes`, `on` as on, KH `true` and `yes` (its `off` is ignored: ICE204).
    KH keeps an earlier `<fileserve>0` past a later word it ignores, and
    reads a `<fileserve>` that starts with a comment as 0 (tested).

    ## Bad
    ```xml
    <fileserve>0</fileserve>
    ```

    ## Good
    ```xml
    <fileserve>1</fileserve>
    ```

    ## Fix
    Set `<fileserve>1</fileserve>` (or remove the element: 1 is the default)
    if the web interface or files in webroot should be reachable.
    """
    found = _fileserve(ctx)
    if found is None:
        return
    element, meant, used = found
    if used:
        return
    effect = _EFFECT_24 if ctx.target is Dialect.V24 else _EFFECT_OTHER.format(label=ctx.target.label)
    misread = f" ({(element.text or '').strip()!r} reads as 0 in Icecast 2.4.4, see ICE204)" if meant else ""
    yield ctx.finding(
        element,
        f"<fileserve>{element.text or ''}</fileserve> turns file serving off{misread}: {effect}; "
        "write 1 if files in webroot should be served",
        at_text=True,
    )


@rule("ICE702", "mime-types-file-missing", "warning", needs_files=True)
def mime_types_file_missing(ctx: LintContext) -> Iterator[Finding]:
    """The mime types file Icecast reads does not exist: files go out as `application/octet-stream`.

    ## Why
    Icecast labels every file it serves, a file fallback included, by its
    extension through the mime types file (`/etc/mime.types` unless
    `<mime-types>` names another; Debian's icecast2 package does not
    depend on `media-types`, which installs it).  Without the file it logs
    `Cannot open mime types file`, runs, and knows only its few built-in
    types (`.ogg`, `.mp3`, `.aac`, `.m3u`, `.html`, `.css`, `.txt`, `.jpg`,
    `.png`; Icecast-KH also `.pls`, `.xspf`, `.xml`, `.gif`): an `.opus`,
    `.oga`, `.flac`, `.webm` or `.m4a` file goes out as
    `application/octet-stream`, which players need not play.  On 2.4.4
    and 2.5.0 such a file fallback is then no longer an Ogg stream: when
    the source of an Ogg mount stops, its listeners are dropped instead of
    moved to the fallback.

    ## On each release
    - 2.4.4 and 2.5.0, the file missing: `.opus`, `.oga`, `.spx`, `.flac`,
      `.webm`, `.m4a`, `.wav` and `.mp2` files are served as
      `application/octet-stream`, `.ogg` as `application/ogg` (with
      Debian's file: `audio/ogg`), `.mp3` and `.aac` as before; the status
      pages, `.m3u` and `.xspf` playlists still work.  A listener of an Ogg
      mount whose source stops is dropped (`stream /live.ogg and
      /fallback.opus are of different types, ignored`) instead of moved to
      its `.opus` file fallback, and one who comes while no source plays
      gets that file as `application/octet-stream` (verified,
      `tests/test_oracle_paths.py`).
    - Icecast-KH, the file missing, serves the same files as
      `application/octet-stream` (its built-in types come before the
      file's: `.ogg` is `application/ogg` either way); it still moves the
      listeners of an Ogg mount to an `.opus` file fallback, but one who
      comes while no source plays gets it as `application/octet-stream`
      (verified, same file).

    ## Bad
    ```xml
    <paths><mime-types>/etc/icecast2/mime.types</mime-types></paths>
    ```

    ## Good
    ```xml
    <paths><mime-types>/etc/mime.types</mime-types></paths>
    ```

    ## Fix
    Install the file (Debian and Ubuntu: `apt install media-types`) or
    name one that exists in `<mime-types>` (2.4.4 reads only the root's,
    Icecast-KH only the one in `<paths>`).
    """
    named = ctx.effective.paths.values.get("mime-types")
    if named is None:
        return
    element = named.value.origin.element
    if element is not None and ctx.effective.security.chrooted:
        return  # a written path after the chroot: ICE509's
    assert ctx.files is not None
    problem = ctx.files.unusable(named.outside)
    if not problem:
        return
    shown = named.outside if named.outside == named.value.value else f"{named.value.value} ({named.outside})"
    yield ctx.finding(
        element,
        f"the mime types file {shown} {ctx.files.problem(named.outside, problem)}: {ctx.target.label} then knows "
        f"only its built-in types, so {_unlabelled(ctx)}; install it (Debian: media-types) or name one that exists",
        at_text=element is not None,
    )


def _unlabelled(ctx: LintContext) -> str:
    """What goes out unlabelled without the mime types file: the first file fallback so sent, else the usual.

    A fallback the release still knows by itself (``.ogg``: ``application/ogg``
    for ``audio/ogg``) is not named: players take either.
    """
    from icecfg.audio import UNKNOWN_MIME, format_type_of_mime, mime_of_name

    release = ctx.target.value
    changed = []
    for config, found in ctx.effective.fallbacks.file_fallbacks():
        labelled = mime_of_name(found.value, release)
        unlabelled = mime_of_name(found.value, release, mime_file=False) or UNKNOWN_MIME
        if labelled is not None and unlabelled == UNKNOWN_MIME:
            changed.append((config.label, found.value, labelled, unlabelled))
    if not changed:
        return f".opus, .flac, .webm and .m4a files go out as {UNKNOWN_MIME}"
    label, value, labelled, unlabelled = changed[0]
    more = f" (and {len(changed) - 1} more)" if len(changed) > 1 else ""
    said = f"the file fallback {value} of {label}{more} goes out as {unlabelled}, not {labelled}"
    moved = format_type_of_mime(labelled) == format_type_of_mime(unlabelled)
    if moved or ctx.target is Dialect.KH:
        return said
    return f"{said}, and when the source of an Ogg stream stops its listeners are dropped instead of moved to it"
