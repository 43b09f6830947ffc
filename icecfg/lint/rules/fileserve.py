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
