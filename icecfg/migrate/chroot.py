"""Paths the old release opened on one side of the chroot and the target opens on the other.

With ``<chroot>`` a path Icecast opens after it chroots is looked up inside
``<basedir>``, one it opens before is a host path.  The releases differ in
that order for ``<pidfile>`` (Icecast-KH writes it after the chroot, 2.4.4
and 2.5.0 before it: :func:`~icecfg.effective.security.opened_before_chroot`),
so the same text names another file once migrated.  Each such path is
rewritten to the one the target opens as the file the old release opened, or,
when that cannot be worked out from the file (a template placeholder, no
``<basedir>``), the difference is reported with both paths.
"""

from __future__ import annotations

from icecfg.effective.paths import Paths, ServerPath
from icecfg.effective.provenance import Source
from icecfg.effective.security import Security, opened_before_chroot
from icecfg.migrate.context import Context
from icecfg.placeholders import find


def paths_read(ctx: Context) -> tuple[Paths, Security]:
    """The ``<paths>`` settings and chroot as the old release read them (before any rewrite)."""
    from icecfg.effective.config import EffectiveConfig

    read = EffectiveConfig(ctx.config.document.root, ctx.source)
    return read.paths, read.security


def keep_where_opened(ctx: Context, before: tuple[Paths, Security]) -> None:
    """Rewrite each path the target would open on the other side of the chroot to the file the old release opened."""
    from icecfg.effective.config import EffectiveConfig

    old_paths, old_guard = before
    if not old_guard.chrooted:
        return
    now = EffectiveConfig(ctx.config.document.root, ctx.target)
    for name, old in old_paths.values.items():
        new = now.paths.values.get(name)
        if new is None or opened_before_chroot(name, ctx.source) is opened_before_chroot(name, ctx.target):
            continue
        if new.outside != old.outside:
            _rewrite(ctx, name, old, new, now.security)


def _rewrite(ctx: Context, name: str, old: ServerPath, new: ServerPath, guard: Security) -> None:
    """Write the path ``name`` so the target opens ``old.outside``; report the difference when it cannot."""
    element = new.value.origin.element
    if element is None or element.local_name != name or element.text is None:
        return  # not an element's text (KH's attribute form is expanded before): nothing to rewrite
    text = element.text
    when = "after" if not opened_before_chroot(name, ctx.source) else "before"
    target_when = "before" if opened_before_chroot(name, ctx.target) else "after"
    said = (
        f"with <chroot> {ctx.source.label} opened <{name}> {text} {when} the chroot, as {old.outside}; "
        f"{ctx.target.label} opens it {target_when} the chroot, as {new.outside}"
    )
    wanted = _written(ctx, name, old.outside, guard)
    why = _unsafe(text, guard) or (f"it lies outside {guard.chroot_base}" if wanted is None else "")
    if why or wanted is None:
        ctx.record(
            element,
            "kept",
            f"{said}; left as written ({why}): write the path {ctx.target.label} opens as {old.outside}",
            keeps_behaviour=False,
            edit=False,
        )
        return
    ctx.record(element, "value", f"{said}; written {wanted!r}, the file {ctx.source.label} used")
    element.set_text(wanted)


def _unsafe(text: str, guard: Security) -> str:
    """Why the host path cannot be known from the file ("" when it can): a placeholder, or no ``<basedir>``.

    Without ``<basedir>`` each release chroots into the directory it was
    built with, which the file does not say.
    """
    unknown = [p.text for p in find(text) + find(guard.chroot_base)]
    if unknown:
        return f"{', '.join(unknown)} is a template placeholder"
    if guard.basedir.origin.source is Source.DEFAULT:
        return "no <basedir> is written: each release chroots into the one it was built with"
    return ""


def _written(ctx: Context, name: str, host: str, guard: Security) -> str | None:
    """The text of ``<name>`` the target opens as the host path ``host`` (None: none, outside the chroot)."""
    if opened_before_chroot(name, ctx.target):
        return host
    base = guard.chroot_base.rstrip("/")
    if host != base and not host.startswith(base + "/"):
        return None
    return "/" + host[len(base) :].lstrip("/")


__all__ = ["keep_where_opened", "paths_read"]
