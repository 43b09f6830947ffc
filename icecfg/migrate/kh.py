"""KH's attribute form: ``<listen-socket port="8000"/>`` written as child elements.

KH's table-driven parser reads a scalar child also from an attribute of its
section; 2.5 ignores such attributes.  Each one becomes the child element it
stands for (the element table says which), unless a child element of that
name is already there: KH lets the element win, so the attribute goes.
"""

from __future__ import annotations

from icecfg import spec
from icecfg.document import Element
from icecfg.effective.fallbacks import fallback_value, kh_fallback_rate
from icecfg.migrate.context import Context, remove
from icecfg.placement import walk


def file_fallbacks_kh_did_not_send(ctx: Context) -> None:
    """Report the file fallbacks KH answered 404 for, for want of a rate, and 2.5 will send.

    KH sends a fallback file only at a known rate (``<limit-rate>``, the
    fallback's ``rate`` or a ``[kbit/s]`` in the file's name, tested on kh22:
    ICE608); 2.5 sends it as fast as a listener takes it.  The file stays, as
    it is what the file asks for, and listeners get it from now on: a
    difference to know of, not a loss.  Runs before any edit, on the file as
    KH read it.
    """
    from icecfg.effective.config import EffectiveConfig

    files = ctx.file_view() if ctx.files else None
    graph = EffectiveConfig(ctx.config.document.root, ctx.source, files).fallbacks
    for mount, fallback in graph.chained():
        assert mount.name is not None
        names = graph.end_file(mount.name)
        if names is None or graph.kh_file_rate(names) != 0:
            continue
        ctx.record(
            fallback.element,
            "kept",
            f"KH answered 404 to a listener of {mount.name} without a source instead of sending the fallback "
            f"file {names[-1]}, as no rate for it was set; {ctx.target.label} sends the file",
            keeps_behaviour=False,
            edit=False,
        )


def settings_kh_read_after_mounts(ctx: Context) -> None:
    """Report what a mount did not get on KH from a ``<limits>`` or ``<http-headers>`` written after it.

    KH copies the ``<limits>`` queue, burst and source timeout and the
    server-wide headers into a mount as it reads the ``<mount>`` (rule
    ICE916, tested on kh22); 2.5 uses them wherever they are written.  The
    file stays as written, as it says what was meant, and such a mount gets
    the later values from now on: a difference to know of.  Runs before any
    edit, on the file as KH read it.
    """
    from icecfg.effective.config import EffectiveConfig

    eff = EffectiveConfig(ctx.config.document.root, ctx.source)
    for mount in eff.mounts.mounts:
        for name, copied in (mount.kh_limits or {}).items():
            if mount.settings.get(name) is not copied:
                continue
            final = eff.limits.get(name)
            ctx.record(
                mount.element,
                "kept",
                f"KH gave {mount.label} the <{name}> {copied.value} it read before a later <limits>; "
                f"{ctx.target.label} gives it that <limits>'s {final}",
                keeps_behaviour=False,
                edit=False,
            )

    for late in eff.kh_late_headers:
        # one note per header, naming the first mounts: a note per mount and header grows as their product
        names = ", ".join(mount.label for mount in late.first)
        more = f" and {late.count - len(late.first)} more" if late.count > len(late.first) else ""
        ctx.record(
            late.node,
            "kept",
            f"KH did not send the server-wide header {late.node.get('name')} (line {late.node.line}) on "
            f"{names}{more}, read before it; {ctx.target.label} sends it on every response",
            keeps_behaviour=False,
            edit=False,
        )


def one_fallback_mount(ctx: Context) -> None:
    """KH's ``<fallback>`` blocks become the one ``<fallback-mount>`` 2.5 reads, naming what KH used.

    kh22 reads ``<fallback>`` and ``<fallback-mount>`` into one field, the
    last one written that names a mount winning (text, ``mount=`` or a
    ``<mount>`` child: :func:`~icecfg.effective.fallbacks.fallback_value`);
    2.5 has no ``<fallback>`` and reads only the last ``<fallback-mount>``.
    So a mount's fallback elements are replaced by one ``<fallback-mount>``
    holding the mount KH used, and a ``rate`` (KH's speed for a file
    fallback) is a loss: 2.5 sends a fallback file as fast as listeners take
    it.  This runs before the attribute form is expanded, so that the file is
    read as KH read it (tested on kh22).
    """
    root = ctx.config.document.root
    mounts = [p.element for p in walk(root) if p.section is not None and p.section.id == "mount"]
    for mount in mounts:
        written = mount.elements_named(_FALLBACK_ELEMENTS)
        rate = kh_fallback_rate(mount)
        if not rate and all(e.local_name == "fallback-mount" and not e.has_attributes for e in written):
            continue  # plain <fallback-mount>s: 2.5 reads them as KH did
        found = fallback_value(mount, ctx.source)
        source = None  # the fallback element KH took the value from
        if found is not None:
            source = found[1] if found[1].local_name in _FALLBACK_ELEMENTS else found[1].parent
        plain = found is not None and found[2] is None
        keep = source if plain and source is not None and source.local_name == "fallback-mount" else None
        if keep is not None:
            if keep.has_attributes:  # KH's rate= (the value is the text): 2.5 reads no attribute there
                for name in [a.name for a in keep.attributes]:
                    keep.delete(name)
                ctx.record(keep, "remove", "attributes of <fallback-mount>: KH read them, 2.5 does not")
        elif found is not None:
            replacement = Element("fallback-mount")
            replacement.set_text(found[0])
            mount.insert_formatted(replacement, before=written[0])
            ctx.written_for[id(replacement)] = found[1]
            ctx.record(
                replacement,
                "convert",
                f"<{found[1].local_name}>: KH read the fallback {found[0]!r} from it; "
                f"{ctx.target.label} reads only the text of <fallback-mount>",
            )
        for element in written:
            if element is keep:
                continue
            if element is not source:
                why = (
                    f"a later fallback element replaced it in KH, which used {found[0]!r}"
                    if found is not None
                    else "KH read no usable fallback from this mount's fallback elements"
                )
                ctx.record(element, "remove", f"<{element.local_name}>: {why}")
            remove(element)
        if rate:
            ctx.record(
                mount,
                "kept",
                f"KH sent the fallback file at {rate // 1000} kbit/s (the last fallback element's rate); "
                f"{ctx.target.label} has no such rate and sends the file as fast as a listener takes it",
                keeps_behaviour=False,
                lost=True,
                edit=False,
            )


#: The elements KH reads a mount's fallback from.
_FALLBACK_ELEMENTS = ("fallback", "fallback-mount")


def expand_attributes(ctx: Context) -> None:
    root = ctx.config.document.root
    blocks = [(root, spec.ROOT)]
    blocks += [(p.element, p.section) for p in walk(root) if p.section is not None]
    for element, section in blocks:
        as_children = section.kh_attribute_children()
        for attribute in list(element.attributes):
            row = as_children.get(attribute.name)
            if row is None:
                continue
            name = f"<{element.local_name} {attribute.name}=...>"
            if any(c.local_name in (row.name, *row.aliases) for c in element.elements()):
                element.delete(attribute.name)
                ctx.record(element, "remove", f"{name}: a <{row.name}> element overrides it in KH")
                continue
            child = Element(row.name)
            child.set_text(attribute.value)
            element.insert_formatted(child)
            element.delete(attribute.name)
            ctx.written_for[id(child)] = element
            ctx.record(element, "convert", f"{name}: KH reads the attribute as <{row.name}>, 2.5 only the element")
            if not attribute.value and row.value is not None and row.value.kind is spec.Kind.PASSWORD:
                _empty_password(ctx, child)


def _empty_password(ctx: Context, child: Element) -> None:
    """An empty password attribute: KH checked the empty password, which 2.5 cannot be told.

    KH let in whoever sent an empty password (tested on kh22); 2.5 reads the
    empty element as no password and refuses everyone.  That is the safe
    side, so the empty element stays, and the difference is a loss to decide.
    """
    ctx.settled.add(id(child))
    ctx.record(
        child,
        "kept",
        f"KH accepted an empty <{child.local_name}> from anyone who sent none; {ctx.target.label} has no empty "
        "password and reads the empty element as none (nobody logs in): write a password",
        keeps_behaviour=False,
        lost=True,
        edit=False,
    )


def tls_on_every_socket(ctx: Context) -> None:
    """KH detects TLS on every port once a certificate works; 2.5 does so where told ``<tls>auto</tls>``."""
    if ctx.tls_usable is False:
        return
    root = ctx.config.document.root
    for placed in [p for p in walk(root) if p.section is not None and p.section.id == "listen-socket"]:
        socket = placed.element
        if any(c.local_name in ("tls", "ssl") for c in socket.elements()):
            continue
        mode = Element("tls")
        mode.set_text("auto")
        socket.insert_formatted(mode)
        ctx.record(
            socket, "add", "KH offers TLS on every port once its certificate works; 2.5 does with <tls>auto</tls>"
        )
