"""Dialect: syntax of another Icecast release than the target.

The element table says which dialects (2.4, 2.5, KH) read each element and
attribute, which ones call it obsolete and which removed it; these rules only
compare the document with it.  An element the table knows for another dialect
is reported here and never as an unknown element (ICE101); what lies inside
it is not reported at all, since the target never reads it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping

from icecfg import spec
from icecfg.conversion import TlsMode, TypedValueError, effective, parse_typed
from icecfg.document import Element
from icecfg.lint.context import LintContext
from icecfg.lint.finding import Finding, Severity
from icecfg.lint.rule import rule
from icecfg.lint.rules.common import (
    Status,
    attribute_specs,
    attributes_with_status,
    dialect_names,
    has_attribute,
    kh_child_attributes,
    parent_tags,
    read_by_row,
    read_named,
    rename,
    shown,
    with_status,
)
from icecfg.placement import Placed
from icecfg.spec import Dialect

#: 2.5 TLS spellings Icecast 2.4.4 ignores, with what 2.4.4 reads instead: (section, element) -> advice.
_TLS_ON_24: dict[tuple[str, str], str] = {
    ("listen-socket", "tls"): (
        "Icecast 2.4.4 ignores it and this port serves plain HTTP; write <ssl>1</ssl> "
        "and put the certificate in <paths><ssl-certificate>"
    ),
    ("paths", "tls-certificate"): (
        "Icecast 2.4.4 ignores it, loads no certificate and every <ssl>1 port serves plain HTTP; "
        "write <ssl-certificate> (one PEM file with the certificate chain and the key)"
    ),
    ("paths", "tls-allowed-ciphers"): (
        "Icecast 2.4.4 ignores it and keeps its built-in cipher list; write <ssl-allowed-ciphers>"
    ),
    ("security", "tls-context"): (
        "Icecast 2.4.4 ignores it, loads no certificate and every <ssl>1 port serves plain HTTP; "
        "put the certificate (with the key in the same PEM file) in <paths><ssl-certificate>"
    ),
}
_TLS_RENAMES_24 = {"tls-certificate": "ssl-certificate", "tls-allowed-ciphers": "ssl-allowed-ciphers"}


#: (section, attribute, target) -> what ignoring the attribute does, shown on the running server.
_IGNORED_ATTRIBUTE_CONSEQUENCES: dict[tuple[str, str, Dialect], str] = {
    ("header", "type", Dialect.KH): (
        " and sends the header as written on every response, with an empty value when it has none"
    ),
    ("mount", "type", Dialect.KH): ": this block is the ordinary mount its <mount-name> names",
}


def _tls_mode(element: Element) -> TlsMode:
    """What Icecast 2.5 makes of a listen socket's <tls>/<ssl> element."""
    row = spec.SECTIONS["listen-socket"].child("tls")
    assert row is not None
    text = element.text
    if text is None:
        return TlsMode.AUTO
    mode = effective(row, text, Dialect.V25)
    assert isinstance(mode, TlsMode)
    return mode


def _is_tls_on_24(seen_parent: spec.SectionRow, element: Element, target: Dialect) -> bool:
    key = (seen_parent.id, element.local_name)
    if target is not Dialect.V24 or key not in _TLS_ON_24:
        return False
    # <tls>disabled</tls> is ignored by 2.4.4 too, harmlessly: a plain dialect finding
    return key != ("listen-socket", "tls") or _tls_mode(element) is not TlsMode.DISABLED


def _other_homes(name: str, parent: spec.SectionRow, target: Dialect) -> list[str]:
    """Where else ``target`` reads an element called ``name``: ``<paths>``, ``<host> in <relay>``."""
    homes = []
    for section in spec.SECTIONS.values():
        if section is parent or section.child(name, target) is None:
            continue
        outer = [t for t in parent_tags(section) if t != "icecast"]
        homes.append(f"<{section.tag}> in <{outer[0]}>" if outer else f"<{section.tag}>")
    return list(dict.fromkeys(homes))


@rule("ICE301", "element-not-in-target", "error")
def element_not_in_target(ctx: LintContext) -> Iterator[Finding]:
    """Element of another Icecast release; the target does not read it here.

    ## Why
    2.5 and KH added many elements (`<listen-backlog>`, `<yp-directory>`,
    `<role>`, KH's `<x-forwarded-for>` ...) and dropped some 2.4 ones.
    Icecast 2.4.4 skips what it does not know without a word, 2.5 logs
    "Unknown tag" (`cfgfile.c` l.529-595) and KH "unknown node" (KH
    l.404-443); all three start anyway, without the setting.  Everything
    inside such an element is ignored with it.

    Where ignoring the element changes nothing the finding is only *info*:
    on Icecast-KH, `<threadpool>` (unused by 2.4.4 too) and
    `<burst-on-connect>1</burst-on-connect>` (KH always sends the
    `<burst-size>` burst) are such elements; `<burst-on-connect>0` stays an
    error, since KH bursts all the same.

    On each release: 2.4.4 ignores the element silently, except a KH
    `<accesslog>` block, for which it logs "<accesslog> must not be
    empty.".  2.5.0 logs "Unknown tag in config:
    /icecast/paths/x-forwarded-for" (for the `<accesslog>` block:
    "<accesslog> setting must not be empty.").  Icecast-KH logs `unknown
    node "listen-backlog" parsing "listen-socket" at line N` (also for a
    `<tls>` in a listen socket and a root `<mime-types>`).

    ## Bad
    ```xml
    <!-- linted for Icecast 2.4 -->
    <listen-socket>
        <port>8000</port>
        <listen-backlog>64</listen-backlog>
    </listen-socket>
    ```

    ## Good
    ```xml
    <listen-socket>
        <port>8000</port>
    </listen-socket>
    ```

    ## Fix
    Use the target's own element (the message names where the target reads
    it, if anywhere), lint for the release you really run (`--target`), or
    remove the element.
    """
    for seen in with_status(ctx, Status.FOREIGN):
        placed = seen.placed
        row = placed.row
        if seen.status is not Status.FOREIGN or row is None:
            continue
        if ctx.target in row.removed or _is_tls_on_24(placed.parent, placed.element, ctx.target):
            continue  # ICE305, ICE303
        name = seen.name
        label = ctx.target.label
        if placed.parent.child(name, ctx.target) is not None:
            inner = placed.section
            assert inner is not None
            message = (
                f"<{name}> written as a block is {dialect_names(inner.dialects)} syntax: "
                f"{label} reads <{name}> as plain text only"
            )
        else:
            inside = " and ignores everything in it" if placed.section is not None else ""
            message = (
                f"<{name}> in <{placed.parent.tag}> is {dialect_names(row.dialects)} syntax: "
                f"{label} does not read it{inside}"
            )
            homes = _other_homes(name, placed.parent, ctx.target)
            if homes:
                message += f"; {label} reads <{name}> in {' or '.join(homes)}"
        if _harmless(row, placed.element, ctx.target):
            # ignored, but the target does what the element asks anyway: worth a note, not an error
            message += "; that changes nothing there, remove it"
            yield ctx.finding(placed.element, message, severity=Severity.INFO)
            continue
        yield ctx.finding(placed.element, message)


def _harmless(row: spec.ElementRow, element: Element, target: Dialect) -> bool:
    """Whether the target, which does not read ``element``, behaves as its value asks anyway."""
    if target not in row.harmless:
        return False
    wanted = row.harmless[target]
    if wanted is None:
        return True
    text = element.text
    if text is None or row.value is None:
        return False
    try:
        return parse_typed(row.value.kind, text) == parse_typed(row.value.kind, wanted)
    except TypedValueError:
        return False


def _attribute_to_child_fix(element: Element, name: str, value: str) -> Callable[[], None]:
    def fix() -> None:
        child = Element(name)
        child.set_text(value)
        element.delete(name)
        element.insert_formatted(child)

    return fix


@rule("ICE302", "attribute-not-in-target", "warning")
def attribute_not_in_target(ctx: LintContext) -> Iterator[Finding]:
    """Attribute of another Icecast release; the target ignores it.

    ## Why
    Icecast-KH reads every scalar child also as an attribute of its parent
    (`<listen-socket port="8000"/>`, KH `parse_xml_tags` l.360-443), and 2.5
    added attributes such as a listen socket's `id=`/`type=`.  Icecast 2.4.4
    looks only at the attributes it knows: it takes `<listen-socket
    port="8000"/>` for a socket on the default port 8000 on all interfaces.
    KH has no `type=` on `<mount>`: a `type="default"` block is an ordinary
    mount there (use a wildcard `<mount-name>` instead); `type="normal"` is
    what every KH mount is, so it is not reported.  KH has no `type=` on
    `<header>` either: it sends a `type="cors"` header as written, with an
    empty value when it has none (2.5 computes that value).

    On each release: 2.4.4 and 2.5.0 ignore the attribute silently.
    Icecast-KH ignores `type=` on `<header>` and `<mount>` silently; a
    `<mount type="default">` without `<mount-name>` is a nameless mount
    there, and KH logs `failed to read element "mount" within "icecast" at
    line N`.

    ## Bad
    ```xml
    <!-- linted for Icecast 2.4 -->
    <listen-socket port="8443" bind-address="127.0.0.1"/>
    ```

    ## Good
    ```xml
    <listen-socket>
        <port>8443</port>
        <bind-address>127.0.0.1</bind-address>
    </listen-socket>
    ```

    ## Fix
    Write the setting as a child element (`icecfg lint --fix` does it for
    KH-style attributes), or remove the attribute.
    """
    for placed, attr in attributes_with_status(ctx, Status.FOREIGN):
        row = placed.row
        assert row is not None
        element = placed.element
        tag = element.local_name
        kh_children = kh_child_attributes(row)
        name = attr.name
        section_id = placed.section.id if placed.section is not None else ""
        if spec.HARMLESS_FOREIGN_ATTRIBUTES.get((section_id, name, ctx.target)) == attr.value:
            continue  # ignored, but what it asks for is what the target does anyway
        label = ctx.target.label
        specs = [a for a in attribute_specs(row) if has_attribute(a, name)]
        if not specs and name in kh_children:
            child_row = kh_children[name]
            child = child_row.name
            secret = child_row.value is not None and child_row.value.secret
            if element.find(child) is not None:
                yield ctx.finding(
                    element,
                    f"<{tag} {name}=...>: only Icecast-KH reads child settings as attributes; "
                    f"{label} ignores it and uses the <{child}> element; remove the attribute",
                    attribute=name,
                )
                continue
            yield ctx.finding(
                element,
                f"<{tag} {name}=...>: only Icecast-KH reads child settings as attributes; "
                f"{label} ignores it; write <{child}> as a child element "
                f"(value {shown(ctx, attr.value, secret)})",
                attribute=name,
                fix=_attribute_to_child_fix(element, child, attr.value),
                fix_title=f"move {name}= into a <{child}> element",
            )
            continue
        if any(a.default is not None and attr.value == a.default for a in specs):
            continue  # ignored, the target does the default anyway (KH: every mount is type="normal")
        dialects: frozenset[Dialect] = frozenset()
        for candidate in specs:
            dialects |= candidate.dialects
        consequence = _IGNORED_ATTRIBUTE_CONSEQUENCES.get((section_id, name, ctx.target), "")
        yield ctx.finding(
            element,
            f"{name}= on <{tag}> is {dialect_names(dialects)} syntax: {label} ignores it{consequence}",
            attribute=name,
        )


@rule("ICE303", "new-tls-syntax", "error", dialects=spec.V24)
def tls_syntax_on_24(ctx: LintContext) -> Iterator[Finding]:
    """2.5 TLS syntax (`<tls>`, `<tls-certificate>`, `<tls-context>`); 2.4.4 ignores it and serves plain HTTP.

    ## Why
    Icecast 2.5 renamed the TLS settings; Icecast 2.4.4 knows only the old
    names and skips the new ones silently.  Checked on the real server: a
    listen socket with `<tls>1</tls>` answers plain HTTP and fails a TLS
    handshake, even with a valid `<ssl-certificate>`.  A certificate in
    `<paths><tls-certificate>` or `<security><tls-context>` is never loaded,
    so every `<ssl>1</ssl>` port serves plain HTTP too.

    On each release: 2.4.4 ignores the 2.5 TLS elements silently.  2.5.0
    reads them; a `<paths><tls-certificate>` logs "Obsolete tag in config:
    /icecast/paths/tls-certificate" and "... can be replaced: Use a
    <tls-certificate> in <tls-context>." (ICE306).  Icecast-KH logs
    `unknown node "tls" parsing "listen-socket" at line N` (ICE301).

    ## Bad
    ```xml
    <listen-socket>
        <port>8443</port>
        <tls>1</tls>
    </listen-socket>
    ```

    ## Good
    ```xml
    <listen-socket>
        <port>8443</port>
        <ssl>1</ssl>
    </listen-socket>
    ```

    ## Fix
    Write `<ssl>1</ssl>` in the socket and the certificate (chain and key
    in one PEM file) in `<paths><ssl-certificate>`.  `icecfg lint --fix`
    renames `<tls>` and `<tls-certificate>`.
    """
    for seen in with_status(ctx, Status.FOREIGN):
        placed = seen.placed
        element = placed.element
        if seen.status is not Status.FOREIGN or not _is_tls_on_24(placed.parent, element, ctx.target):
            continue
        name = element.local_name
        advice = _TLS_ON_24[(placed.parent.id, name)]
        fix: Callable[[], None] | None = None
        title = ""
        if (
            name == "tls"
            and _tls_mode(element) in (TlsMode.RFC2818, TlsMode.AUTO_NO_PLAIN)
            and _certificate_once_fixed(ctx)
        ):

            def to_ssl(element: Element = element) -> None:
                rename(element, "ssl").set_text("1")

            fix, title = to_ssl, "write <ssl>1</ssl>"
        elif name in _TLS_RENAMES_24 and placed.parent.child(_TLS_RENAMES_24[name], ctx.target) is not None:
            new = _TLS_RENAMES_24[name]

            def to_old(element: Element = element, new: str = new) -> None:
                rename(element, new)

            fix, title = to_old, f"rename <{name}> to <{new}>"
        yield ctx.finding(element, f"<{name}> is Icecast 2.5 syntax: {advice}", fix=fix, fix_title=title)


def _certificate_once_fixed(ctx: LintContext) -> bool:
    """Whether 2.4.4 has a certificate once ``--fix`` has run.

    That is a ``<paths><ssl-certificate>``, or a ``<paths><tls-certificate>``
    that the rename fix turns into one.  Without a certificate, ``<ssl>1`` is
    no better than the ignored ``<tls>`` (plain HTTP either way) and ICE401
    would flag it: the fix is then not offered, so fixing never adds a finding.
    """
    for paths in ctx.config.document.root.children:
        if not isinstance(paths, Element) or paths.local_name != "paths":
            continue
        for child in paths.children:
            if not isinstance(child, Element) or child.local_name not in ("ssl-certificate", "tls-certificate"):
                continue
            if (child.text or "").strip():
                return True
    return False


@rule("ICE304", "old-ssl-syntax", "info", dialects=spec.V25)
def ssl_spelling_on_25(ctx: LintContext) -> Iterator[Finding]:
    """2.4 `<ssl>` in a listen socket; Icecast 2.5 reads it as `<tls>`, better written so.

    ## Why
    Icecast 2.5 still accepts `<ssl>` in a listen socket but reads it with
    the new `<tls>` parser (`str_to_tlsmode`, `cfgfile.c` l.397-424), whose
    words differ: `1` means rfc2818 (immediate TLS), and `0` means *auto*,
    not off (ICE211 reports that case).  Writing `<tls>` with the mode's
    name says what the port does.

    On each release: 2.5.0 reads `<ssl>` as `<tls>` without a message.
    2.4.4 reads `<ssl>` as its own syntax.  Icecast-KH logs `unknown node
    "ssl" parsing "listen-socket" at line N` (ICE305).

    ## Bad
    ```xml
    <listen-socket>
        <port>8443</port>
        <ssl>1</ssl>
    </listen-socket>
    ```

    ## Good
    ```xml
    <listen-socket>
        <port>8443</port>
        <tls>rfc2818</tls>
    </listen-socket>
    ```

    ## Fix
    Replace `<ssl>` by `<tls>` with the mode the message names
    (`icecfg lint --fix` does it).
    """
    for placed in read_named(ctx, "ssl"):
        element = placed.element
        if placed.parent.id != "listen-socket" or element.local_name != "ssl":
            continue
        mode = _tls_mode(element)
        if mode is TlsMode.AUTO:
            text = (element.text or "").strip().lower()
            if text != "auto":
                continue  # meant off, read as auto: ICE211
        written = (element.text or "").strip()

        def fix(element: Element = element, mode: TlsMode = mode) -> None:
            rename(element, "tls").set_text(mode.value)

        yield ctx.finding(
            element,
            f"<ssl>{written}</ssl> is the Icecast 2.4 spelling: Icecast 2.5 reads it as "
            f"<tls>{mode.value}</tls>; write that instead",
            fix=fix,
            fix_title=f"write <tls>{mode.value}</tls>",
        )


def _releases_with(kind: Callable[[spec.ElementRow], Mapping[Dialect, str]]) -> frozenset[Dialect]:
    """The releases for which the element table has an entry of ``kind`` (removed, obsolete) in some row.

    ICE305 and ICE306 report only what the table lists, so they name only
    these releases: a rule listed for a release where it can never report
    would let ``--select`` on that release pass every file clean.
    """
    return frozenset(dialect for _, row in spec.iter_rows() for dialect in kind(row))


def _remove_fix(element: Element) -> Callable[[], None]:
    def fix() -> None:
        assert element.parent is not None
        element.parent.remove(element)

    return fix


@rule("ICE305", "removed-element", "error", dialects=_releases_with(lambda row: row.removed))
def removed_element(ctx: LintContext) -> Iterator[Finding]:
    """Element the target release removed; it is rejected or ignored.

    ## Why
    Some 2.4 elements are gone in later releases: Icecast 2.5 logs an
    ERROR for `<icelogin>` ("support has been removed", `cfgfile.c`
    l.1317-1520), treats `<threadpool>` as an unknown tag and no longer
    parses `<directory><server>`; Icecast-KH auto-detects TLS on every socket
    and reports a listen socket's `<ssl>` as an unknown node.

    On each release: 2.4.4 reads these elements (they are its own
    syntax) and removed none, so the rule checks only 2.5 and KH
    (`--select ICE305` alone on a 2.4 target is a usage error).  2.5.0
    logs "<icelogin> support has been removed." (EROR) and "Obsolete tag
    in config: /icecast/icelogin".  Icecast-KH logs `unknown
    node "ssl" parsing "listen-socket" at line N` and ignores the element.

    ## Bad
    ```xml
    <!-- linted for Icecast 2.5 -->
    <icecast>
        <icelogin>0</icelogin>
    </icecast>
    ```

    ## Good
    ```xml
    <icecast>
    </icecast>
    ```

    ## Fix
    Remove the element (`icecfg lint --fix` does it).
    """
    for seen in with_status(ctx, Status.FOREIGN):
        row = seen.placed.row
        if seen.status is not Status.FOREIGN or row is None or ctx.target not in row.removed:
            continue
        element = seen.element
        yield ctx.finding(
            element,
            f"<{seen.name}> was removed in {ctx.target.label} ({row.removed[ctx.target]}); remove it",
            fix=_remove_fix(element),
            fix_title=f"remove <{seen.name}>",
        )


_USE = re.compile(r"use <([a-z0-9-]+)>\Z")


def _rename_target(placed_parent: spec.SectionRow, row: spec.ElementRow, advice: str, target: Dialect) -> str | None:
    """The sibling to rename to when the advice is a plain rename of the same value type."""
    match = _USE.match(advice)
    if match is None:
        return None
    new = placed_parent.child(match[1], target)
    if new is None or new.value is None or row.value is None:
        return None
    if new.value.kind is not row.value.kind or new.value.choices != row.value.choices:
        return None
    return new.name


@rule("ICE306", "obsolete-element", "warning", dialects=_releases_with(lambda row: row.obsolete))
def obsolete_element(ctx: LintContext) -> Iterator[Finding]:
    """Element the target release calls obsolete; it still works, with a warning.

    ## Why
    Icecast logs a warning at every start for obsolete elements (2.5:
    "Obsolete tag in config ... can be replaced", `cfgfile.c` l.529-595;
    2.4.4: a root `<source-password>` "is deprecated").  The old spellings
    may disappear in the next release; the replacement comes from the
    element table.

    On each release: 2.4.4 logs "<source-password> defined outside
    <authentication>. This is deprecated." for a root `<source-password>`.
    2.5.0 logs "Obsolete tag in config: /icecast/source-password" and
    "Obsolete tag /icecast/source-password can be replaced: Use
    <source-password> in <authentication>." (for the root
    `<source-password>` also "... This is deprecated and will be removed in
    version 2.X.0"; likewise `<mp3-metadata-interval>`: "Use
    <icy-metadata-interval>.").  Icecast-KH logs no obsolete-element
    warning, so the rule checks only 2.4 and 2.5 (`--select ICE306`
    alone on a KH target is a usage error).

    ## Bad
    ```xml
    <!-- linted for Icecast 2.5 -->
    <mount>
        <mount-name>/live.mp3</mount-name>
        <mp3-metadata-interval>8192</mp3-metadata-interval>
    </mount>
    ```

    ## Good
    ```xml
    <mount>
        <mount-name>/live.mp3</mount-name>
        <icy-metadata-interval>8192</icy-metadata-interval>
    </mount>
    ```

    ## Fix
    Use the replacement the message names; where it is a plain rename of
    the same setting, `icecfg lint --fix` does it.
    """
    for row, group in read_by_row(ctx).values():
        if row.obsolete.get(ctx.target) is None:
            continue  # most rows: their elements are not visited
        yield from _obsolete_elements(ctx, group)


def _obsolete_elements(ctx: LintContext, group: list[Placed]) -> Iterator[Finding]:
    for placed in group:
        row = placed.row
        assert row is not None
        advice = row.obsolete.get(ctx.target)
        if advice is None:
            continue
        element = placed.element
        name = element.local_name
        new = _rename_target(placed.parent, row, advice, ctx.target)
        fix: Callable[[], None] | None = None
        title = ""
        if new is not None and element.parent is not None and element.parent.find(new) is None:

            def to_new(element: Element = element, new: str = new) -> None:
                rename(element, new)

            fix, title = to_new, f"rename <{name}> to <{new}>"
        yield ctx.finding(
            element,
            f"<{name}> is obsolete in {ctx.target.label}: {advice}",
            fix=fix,
            fix_title=title,
        )
