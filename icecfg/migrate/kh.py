"""KH's attribute form: ``<listen-socket port="8000"/>`` written as child elements.

KH's table-driven parser reads a scalar child also from an attribute of its
section; 2.5 ignores such attributes.  Each one becomes the child element it
stands for (the element table says which), unless a child element of that
name is already there: KH lets the element win, so the attribute goes.
"""

from __future__ import annotations

from icecfg import spec
from icecfg.document import Element
from icecfg.migrate.context import Context
from icecfg.placement import walk


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
