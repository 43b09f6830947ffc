"""Relays: which upstream streams the server pulls, to which local mount, and when."""

from __future__ import annotations

from dataclasses import dataclass

from icecfg import spec
from icecfg.document import Element
from icecfg.effective.provenance import Source, Traced, default, derived
from icecfg.effective.reading import section_values, traced
from icecfg.spec import Dialect

_ON_DEMAND = spec.SECTIONS["icecast"].child("relays-on-demand")


@dataclass(frozen=True)
class Relay:
    server: Traced[object]
    port: Traced[object]
    mount: Traced[object]
    local_mount: str
    on_demand: Traced[object]
    element: Element

    def to_json(self) -> dict[str, object]:
        return {
            "server": self.server.to_json(),
            "port": self.port.to_json(),
            "mount": self.mount.to_json(),
            "local_mount": self.local_mount,
            "on_demand": self.on_demand.to_json(),
        }


def relays(root: Element, dialect: Dialect, server_port: int | None) -> tuple[Relay, ...]:
    """Every ``<relay>``; ``<relays-on-demand>`` counts as far as it was read before the relay (2.4/2.5)."""
    assert _ON_DEMAND is not None
    found = []
    so_far = traced(_ON_DEMAND, None, None, dialect)[0]
    last_setting = so_far
    for child in root.elements():
        if child.local_name == "relays-on-demand":
            last_setting = traced(_ON_DEMAND, child, child.text, dialect)[0]
            if dialect is not Dialect.KH:
                so_far = last_setting
            continue
        if child.local_name != "relay":
            continue
        blocks = [child]
        if dialect is Dialect.V25:
            blocks.extend(u for u in child.elements("upstream") if u.get("type") in (None, "normal", "default"))
        values = section_values(blocks[:1], "relay", dialect)
        if len(blocks) > 1:
            # 2.5 <upstream> blocks: what they write overrides the flat (obsolete) children
            upstream = section_values(blocks[1:], "upstream", dialect)
            values.update({k: v for k, v in upstream.items() if v.origin.source is not Source.DEFAULT})
        port = values.get("port") or Traced(None, default())
        if dialect is Dialect.KH and port.value is None:
            port = Traced(server_port, derived(None, "the server's own port"))
        mount = values.get("mount") or Traced("/", default())
        local = values.get("local-mount")
        on_demand = values.get("on-demand") or so_far
        found.append(
            Relay(
                server=_server(values),
                port=port,
                mount=mount,
                local_mount=str(local.value if local is not None and local.value else mount.value),
                on_demand=on_demand,
                element=child,
            )
        )
    if dialect is Dialect.KH:
        # KH reads the whole file first: the last setting applies to every relay
        found = [r if r.on_demand.origin.tag == "on-demand" else _with(r, last_setting) for r in found]
    return tuple(found)


def _server(values: dict[str, Traced[object]]) -> Traced[object]:
    """The upstream host: ``<server>`` (or KH's ``<ip>``) as written, else the default 127.0.0.1."""
    for name in ("server", "ip"):
        found = values.get(name)
        if found is not None and found.origin.source is not Source.DEFAULT:
            return found
    return values.get("server") or Traced("127.0.0.1", default())


def _with(relay: Relay, on_demand: Traced[object]) -> Relay:
    return Relay(relay.server, relay.port, relay.mount, relay.local_mount, on_demand, relay.element)
