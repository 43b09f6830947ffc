"""One migration: walk the file along the element table and rewrite each element.

Order matters: KH's attribute form is first turned into child elements (so
the rest sees one shape), 2.4's header blocks are cut where 2.4 stopped
reading them, then each element is rewritten from its row.  Last, a path the
old release opened inside the chroot and 2.5 opens before it (KH's
``<pidfile>``) is written as the file the old release used, which only the
finished file shows.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from icecfg.migrate import advertised, chroot, defaults, forms, headers, kh, rows, texts
from icecfg.migrate.change import Migration
from icecfg.migrate.context import Context, attached
from icecfg.placement import walk
from icecfg.sections import IcecastConfig
from icecfg.spec import Dialect


def run(
    config: IcecastConfig,
    source: Dialect | str,
    target: Dialect | str,
    *,
    intent: bool = False,
    root: str | None = None,
    files: bool = True,
    assets: Mapping[str, str | os.PathLike[str]] | None = None,
) -> Migration:
    ctx = Context(config, Dialect(source), Dialect(target), intent, root, files, dict(assets or {}))
    if ctx.target is not Dialect.V25:
        raise ValueError(f"migrate writes Icecast 2.5 configurations, not {ctx.target.label}")
    document_root = config.document.root
    document_root.read_all()
    tls_configured = any(e.local_name in forms.TLS_ELEMENTS[ctx.source] for e in document_root.iter())
    if ctx.files and tls_configured:
        ctx.tls_usable, ctx.tls_problem = forms.tls_usable(ctx)
    ctx.source_password = forms.global_source_password(document_root, ctx.source)
    read = chroot.paths_read(ctx)
    listed = advertised.listing(ctx)
    if ctx.source is Dialect.KH:
        kh.file_fallbacks_kh_did_not_send(ctx)
        kh.settings_kh_read_after_mounts(ctx)
        kh.one_fallback_mount(ctx)
        kh.expand_attributes(ctx)
    if ctx.source is Dialect.V24:
        headers.cut_where_24_stopped(ctx)
    texts.remove_stray(ctx)
    placed_all = list(walk(document_root))
    ctx.ignored = {id(p.element) for p in placed_all if p.row is None or not rows.knows(p.row, ctx.source)}
    absent = defaults.missing(ctx)
    for placed in placed_all:
        if attached(placed.element, document_root):
            rows.rewrite(ctx, placed)
    defaults.keep(ctx, absent)
    chroot.keep_where_opened(ctx, read)
    advertised.report_moved(ctx, listed)
    if ctx.source is Dialect.KH and tls_configured:
        kh.tls_on_every_socket(ctx)
    changes = sorted(ctx.changes, key=lambda c: c.line)
    return Migration(config, ctx.source, ctx.target, intent, changes)
