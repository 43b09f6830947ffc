"""Headers: ``<http-headers>`` blocks that lose headers, repeat them, or repeat Icecast's own."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterator

from icecfg.conversion import atoi
from icecfg.document import Element
from icecfg.effective.truncation import Stop
from icecfg.effective.truncation import stop as block_stop
from icecfg.lint.context import LintContext
from icecfg.lint.finding import Finding
from icecfg.lint.rule import rule
from icecfg.spec import Dialect


def _blocks(ctx: LintContext) -> list[Element]:
    """The ``<http-headers>`` blocks the target reads (2.5-only places are the dialect rules' business).

    Found once per lint for the three rules of this module: a big file has
    one block per mount.
    """
    return ctx.once(_find_blocks)


def _find_blocks(ctx: LintContext) -> list[Element]:
    target = ctx.target
    # whether the target reads a row where it stands depends on the row and its section only:
    # asked once per pair, not per block
    read: dict[tuple[int, int], bool] = {}
    found = []
    for placed in ctx.rows("http-headers"):
        the_row = placed.row
        if the_row is None:
            continue
        parent = placed.parent
        key = (id(the_row), id(parent))
        reads = read.get(key)
        if reads is None:
            reads = read[key] = target in the_row.dialects and target in parent.dialects
        if reads and placed.section is not None:
            found.append(placed.element)
    return found


@rule("ICE711", "http-headers-truncated", "error", dialects=(Dialect.V24, Dialect.V25))
def http_headers_truncated(ctx: LintContext) -> Iterator[Finding]:
    """Icecast stops reading (2.5: copying) `<http-headers>` at a comment or a bad `<header>`: later ones are lost.

    ## Why
    Icecast 2.4.4 leaves the whole `<http-headers>` block at the first child
    that is not a `<header>` (an XML comment included), at a `<header>`
    without `name` or `value`, and at a `type` other than `static`
    (`type="cors"` from the 2.5 sample config logs `Unknown type cors for
    HTTP Header X`).  That header and every later one in the block are never
    sent, silently (tested).  Icecast 2.5 skips comments and other elements
    but still stops at a header without `name` or with an unknown `type`
    (tested on 2.5.0: the later headers of the block are not sent).
    Icecast 2.5 also copies a default mount's headers into each mount it
    applies to only up to the first header without a `value` (a `cors`
    one written without it too, which the default mount itself sends with
    its built-in value): that one and every later one never reach those
    mounts (`config_copy_http_header`; tested on 2.5.0).
    Icecast-KH reads past all of these (tested on kh22), so this rule does
    not apply to it.

    ## Bad
    ```xml
    <http-headers>
        <header name="Access-Control-Allow-Origin" value="*"/>
        <!-- for the player -->
        <header name="X-Frame-Options" value="DENY"/>
    </http-headers>
    ```

    ## Good
    ```xml
    <!-- the second header is for the player -->
    <http-headers>
        <header name="Access-Control-Allow-Origin" value="*"/>
        <header name="X-Frame-Options" value="DENY"/>
    </http-headers>
    ```

    ## Fix
    Move comments out of `<http-headers>`, give every header a `name` and a
    `value`, and on 2.4 drop `type` (or write `static`).
    """
    for block in _blocks(ctx):
        stop = block_stop(block, ctx.target)
        if stop is None:
            continue
        later = [
            node for node in block.children[stop.at + 1 :] if isinstance(node, Element) and node.local_name == "header"
        ]
        broken = stop.node if isinstance(stop.node, Element) and stop.node.local_name == "header" else None
        if broken is None and not later:
            continue  # nothing after it: nothing is lost
        names = [n.get("name") or "(unnamed)" for n in later]
        lost = ", ".join(names)
        if broken is not None:
            lost_text = f"it and the later headers {lost}" if later else "it"
        else:
            lost_text = f"the later headers {lost}"
        anchor = broken if broken is not None else later[0]
        yield ctx.finding(
            anchor,
            f"{ctx.target.label} stops reading <http-headers> at {stop.reason}: {lost_text} "
            f"{'is' if lost_text == 'it' else 'are'} never sent; {_advice(stop, ctx.target)}",
        )
    if ctx.target is Dialect.V25:
        yield from _default_copies_cut(ctx)


def _default_copies_cut(ctx: LintContext) -> Iterator[Finding]:
    """2.5: a default mount's header without a value, where its copy into the mounts it applies to ends."""
    table = ctx.effective.mounts
    for default in table.defaults():
        blocks = list(default.element.elements("http-headers"))
        if not blocks:
            continue
        from icecfg.effective.headers import copy_end  # loaded only for a default mount with headers

        cut = copy_end(blocks, ctx.target)
        if cut is None or not any(
            m.merged_from is not None and m.merged_from.element is default.element for m in table.mounts
        ):
            continue
        header, later = cut
        names = ", ".join(n.get("name") or "" for n in later)
        lost = f"it and the later headers {names} are" if later else "it is"
        yield ctx.finding(
            header,
            f"<header> without a value in {default.label}: Icecast 2.5 copies the default mount's headers into "
            f"each mount it applies to only up to here, so {lost} never sent on those mounts; give it a value",
        )


def _advice(stop: Stop, target: Dialect) -> str:
    node = stop.node
    if isinstance(node, Element) and node.local_name == "header":
        if node.get("name") is None:
            return 'add name="..."'
        if node.get("value") is None and target is Dialect.V24:
            return 'add value="..." (2.4.4 requires it)'
        return 'remove type (2.4.4 knows only type="static")' if target is Dialect.V24 else "fix the type"
    if isinstance(node, Element):
        return f"move <{node.local_name}> out of <http-headers>"
    return "move it out of <http-headers>"


@rule("ICE712", "duplicate-http-header", "warning")
def duplicate_http_header(ctx: LintContext) -> Iterator[Finding]:
    """The same header name is configured twice for the same responses.

    ## Why
    Headers accumulate.  Icecast 2.4.4 and 2.5.0 send every one of them, so
    a client gets two `X-Foo` lines and may use either (tested on both;
    names are compared case-insensitively, as HTTP does).  Icecast-KH keeps
    only the last one of a name (tested on kh22).  Two headers restricted
    to different `status` codes do not clash.  A mount's header of the name
    of a server-wide one is a repeat too: 2.4.4 and 2.5.0 send both lines on
    the mount's stream, while KH's mount replaces the server-wide header it
    copied (tested on all three, `tests/test_oracle_explain.py`).  So is a
    mount's header of the name of one its default mount (`<mount
    type="default">`) has: 2.4.4 and 2.5.0 add the default mount's headers
    to the mount's own and send both lines, the mount's first; KH has no
    default mount, so the question does not arise there (tested on all
    three).

    ## Bad
    ```xml
    <http-headers>
        <header name="Access-Control-Allow-Origin" value="*"/>
        <header name="Access-Control-Allow-Origin" value="https://radio.example"/>
    </http-headers>
    ```

    ## Good
    ```xml
    <http-headers>
        <header name="Access-Control-Allow-Origin" value="https://radio.example"/>
    </http-headers>
    ```

    ## Fix
    Keep one header per name (per status).
    """
    scopes: dict[int, list[Element]] = {}
    for block in _blocks(ctx):
        owner = block.parent
        key = id(owner)
        scopes.setdefault(key, []).extend(h for h in block.elements("header") if h.get("name"))
    if not scopes:
        return
    from icecfg.effective.headers import repeated  # loaded only for a file with headers

    for headers in scopes.values():
        if len(headers) < 2:
            continue  # one header cannot repeat another: most mounts' blocks
        for header, earlier in repeated(headers):
            name = header.get("name") or ""
            if ctx.target is Dialect.KH:
                effect = f"Icecast-KH keeps only this one and drops the {name} header of line {earlier.line}"
                effect += _kh_mounts_between(ctx, earlier, header)
            else:
                effect = f"{ctx.target.label} sends both {name} lines (see line {earlier.line}); clients may use either"
            yield ctx.finding(
                header,
                f"header {name} is configured twice: {effect}; keep one",
                attribute="name",
            )
    if ctx.target is not Dialect.KH:
        yield from _repeating_server_wide(ctx, scopes)
        yield from _repeating_default_mount(ctx, scopes)


def _repeating_default_mount(ctx: LintContext, scopes: dict[int, list[Element]]) -> Iterator[Finding]:
    """2.4.4 and 2.5.0: a mount's header of a name its default mount's headers have; its streams carry both.

    The default mount's headers are appended to the mount's own
    (:attr:`icecfg.effective.mounts.MountConfig.header_blocks`), so a
    listener gets both lines, the mount's first.  The finding is on the
    mount's header: a default mount's header repeats on every mount it
    reaches.  KH has no default mount (its ``type`` is the content type).
    """
    donors = {id(m.element) for m in ctx.effective.mounts.mounts if m.kind == "default"}
    if not any(key in donors for key in scopes):
        return  # no default mount with headers: most files
    from icecfg.effective.headers import repeated

    for mount in ctx.effective.mounts.normal():
        donor = mount.merged_from
        own = scopes.get(id(mount.element))
        inherited = scopes.get(id(donor.element)) if donor is not None else None
        if not own or not inherited:
            continue
        mine = {id(h) for h in own}
        reported: set[int] = set()
        for header, earlier in repeated([*own, *inherited]):
            if id(header) in mine or id(earlier) not in mine or id(earlier) in reported:
                continue
            reported.add(id(earlier))
            name = earlier.get("name") or ""
            yield ctx.finding(
                earlier,
                f"header {name} is also configured by the default mount (line {header.line}), whose headers "
                f"{ctx.target.label} adds to this mount's: it sends both {name} lines on this mount's responses, "
                "this one first; clients may use either; keep one",
                attribute="name",
            )


def _repeating_server_wide(ctx: LintContext, scopes: dict[int, list[Element]]) -> Iterator[Finding]:
    """2.4.4 and 2.5.0: a mount's header of a name a server-wide one has; the mount's streams carry both.

    A mount's headers go on its 200 responses only: a server-wide header
    limited to another status does not meet them.

    KH copies the server-wide headers into the mount, where the mount's own
    replaces one of the same name: no repeat there.
    """
    from icecfg.effective.headers import EarlierHeaders

    root = ctx.config.document.root
    server = scopes.get(id(root), [])
    if not server:
        return
    server_wide = EarlierHeaders(server)  # indexed once: a file may have as many as it has mounts
    for headers in scopes.values():
        owner = headers[0].parent.parent if headers and headers[0].parent is not None else None
        if owner is None or owner is root or owner.local_name != "mount":
            continue
        for header in headers:
            earlier = server_wide.clash(header)
            if earlier is not None and atoi(earlier.get("status") or "0") in (0, 200):
                name = header.get("name") or ""
                yield ctx.finding(
                    header,
                    f"header {name} is also configured server-wide (line {earlier.line}): {ctx.target.label} "
                    f"sends both {name} lines on this mount's responses; clients may use either; keep one",
                    attribute="name",
                )


def _kh_mounts_between(ctx: LintContext, earlier: Element, header: Element) -> str:
    """KH: the mounts read between two server-wide blocks keep the earlier header (they copied it), in words."""
    first, second = earlier.parent, header.parent
    root = ctx.config.document.root
    if first is None or second is None or first is second or first.parent is not root:
        return ""
    reading = ctx.once(_kh_reading_order)
    if reading is None:
        return ""
    order, befores, labels = reading
    low, high = order.get(id(first)), order.get(id(second))
    if low is None or high is None:
        return ""
    # the mounts read after ``low`` blocks but no more than ``high``: a run of the mounts in file order
    start, end = bisect_right(befores, low), bisect_right(befores, high)
    if start >= end:
        return ""
    count = end - start
    names = ", ".join(labels[start : min(end, start + 3)]) + (f" and {count - 3} more" if count > 3 else "")
    return f", but the <mount>s read between the two ({names}) copied and keep line {earlier.line}'s"


def _kh_reading_order(ctx: LintContext) -> tuple[dict[int, int], list[int], list[str]] | None:
    """KH, worked out once for every clash: each server-wide block's place, and the mounts read before the last.

    The mounts (labels) come in file order with how many blocks each read
    before it, so the mounts between two blocks are found by a search, not
    by a look at every mount for every clash.  None when no mount is read
    before a server-wide block.
    """
    blocks = ctx.effective.kh_header_blocks_before
    if not blocks:
        return None
    root = ctx.config.document.root
    order = {id(block): index for index, block in enumerate(root.elements("http-headers"))}
    early = [(blocks[m.element], m.label) for m in ctx.effective.mounts.mounts if m.element in blocks]
    return order, [before for before, _label in early], [label for _before, label in early]


@rule("ICE713", "cache-header-duplicates-icecast", "info", dialects=(Dialect.V24, Dialect.V25))
def cache_header_duplicates_icecast(ctx: LintContext) -> Iterator[Finding]:
    """A `Cache-Control`, `Pragma` or `Expires` header that Icecast 2.4.4 and 2.5 already send.

    ## Why
    Icecast 2.4.4 and 2.5.0 send `Cache-Control: no-cache, no-store`,
    `Pragma: no-cache` and `Expires: Mon, 26 Jul 1997 05:00:00 GMT` on every
    response: streams, file fallbacks and status pages alike (tested on
    both; 2.5.0 `util.c` l.643).  The advice to
    add `Cache-Control: no-cache` so that players and proxies do not cache a
    stream, often given for `<fallback-override>` setups where listeners
    switch between streams, is therefore already taken care of.  A configured
    header is sent *in addition* as a second line; one that allows caching
    (`max-age`, `public`) contradicts Icecast's own.  Icecast-KH sends
    `Cache-Control: no-store, no-cache, private` and replaces it with a
    configured one (tested on kh22: one line, the configured value), so
    this rule does not apply to KH.

    ## Bad
    ```xml
    <http-headers>
        <header name="Cache-Control" value="no-cache"/>
    </http-headers>
    ```

    ## Good
    ```xml
    <http-headers>
        <header name="Access-Control-Allow-Origin" value="*"/>
    </http-headers>
    ```

    ## Fix
    Remove the header (the automatic fix does when it only repeats the
    no-cache instruction).
    """
    blocks = _blocks(ctx)
    if not blocks:
        return
    from icecfg.effective.headers import repeats_own  # loaded only for a file with headers

    overrides: bool | None = None  # looked up at the first finding: it reads every mount
    for block in blocks:
        for header in block.elements("header"):
            name = (header.get("name") or "").strip()
            own = repeats_own(name, ctx.target)
            if own is None:
                continue
            value = header.get("value") or ""
            words = value.lower()
            caching = any(w in words for w in ("max-age", "public", "s-maxage", "immutable"))
            if overrides is None:
                overrides = _moves_listeners(ctx)
            context = " (listeners moved by <fallback-override> included)" if overrides else ""
            if caching:
                effect = f"it contradicts Icecast's own {own!r}, sent on the same responses"
                fix = None
            else:
                effect = f"it only adds a second line to Icecast's own {own!r}"
                fix = _remove(header)
            yield ctx.finding(
                header,
                f"header {name}: {ctx.target.label} already sends {own!r} on every response{context}; "
                f"{effect}; remove this header",
                attribute="name",
                fix=fix,
                fix_title=f"remove the {name} header",
            )


def _remove(header: Element) -> Callable[[], None]:
    def fix() -> None:
        if header.parent is not None:
            header.parent.remove(header)

    return fix


def _moves_listeners(ctx: LintContext) -> bool:
    """Some mount's own ``<fallback-override>`` moves listeners, as the release reads it (2.5's ``none`` does not)."""
    from icecfg.effective.fallbacks import options_on

    return any(name == "fallback-override" for mount in ctx.effective.mounts.mounts for name, _ in options_on(mount))
