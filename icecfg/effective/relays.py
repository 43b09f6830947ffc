"""Relays: which upstream streams the server pulls, to which local mount, and when; and its master."""

from __future__ import annotations

from icecfg import spec
from icecfg.document import Element
from icecfg.effective.provenance import Source, Traced, default, derived
from icecfg.effective.reading import section_values, traced
from icecfg.records import FrozenRecord, slot_setters
from icecfg.spec import Dialect

_ON_DEMAND = spec.SECTIONS["icecast"].child("relays-on-demand")


class Relay(FrozenRecord):
    __slots__ = ("element", "local_mount", "mount", "on_demand", "own_on_demand", "port", "server")

    server: Traced[object]
    port: Traced[object]
    mount: Traced[object]
    local_mount: str
    on_demand: Traced[object]
    element: Element
    #: The relay sets ``<on-demand>`` itself (False: it keeps the ``<relays-on-demand>`` read before it).
    own_on_demand: bool

    def __init__(
        self,
        server: Traced[object],
        port: Traced[object],
        mount: Traced[object],
        local_mount: str,
        on_demand: Traced[object],
        element: Element,
        own_on_demand: bool = False,
    ) -> None:
        # the slots' own setters, not object.__setattr__ and its lookup by name: a file can
        # have a relay for every few mounts (see records.slot_setters)
        setters = _RELAY_SETTERS
        setters["server"](self, server)
        setters["port"](self, port)
        setters["mount"](self, mount)
        setters["local_mount"](self, local_mount)
        setters["on_demand"](self, on_demand)
        setters["element"](self, element)
        setters["own_on_demand"](self, own_on_demand)

    def to_json(self) -> dict[str, object]:
        return {
            "server": self.server.to_json(),
            "port": self.port.to_json(),
            "mount": self.mount.to_json(),
            "local_mount": self.local_mount,
            "on_demand": self.on_demand.to_json(),
        }


#: The setters of Relay's slots (see records.slot_setters).
_RELAY_SETTERS = slot_setters(Relay)


def relays(root: Element, dialect: Dialect, server_port: int | None) -> tuple[Relay, ...]:
    """Every ``<relay>``; ``<relays-on-demand>`` counts as far as it was read before the relay (all releases)."""
    assert _ON_DEMAND is not None
    found = []
    so_far = traced(_ON_DEMAND, None, None, dialect)[0]
    # the release asked once, not through the enum class for every relay
    v25, kh = dialect is Dialect.V25, dialect is Dialect.KH
    # only these two, in document order: a big file's root has a hundred thousand other children
    for child in root.elements_named(("relay", "relays-on-demand")):
        if child.local_name == "relays-on-demand":
            so_far = traced(_ON_DEMAND, child, child.text, dialect)[0]
            continue
        blocks = [child]
        if v25:
            blocks.extend(u for u in child.elements("upstream") if u.get("type") in (None, "normal", "default"))
        values = section_values(blocks[:1], "relay", dialect)
        if len(blocks) > 1:
            # 2.5 <upstream> blocks: what they write overrides the flat (obsolete) children
            upstream = section_values(blocks[1:], "upstream", dialect)
            values.update({k: v for k, v in upstream.items() if v.origin.source is not Source.DEFAULT})
        port = values.get("port") or Traced(None, default())
        if kh and port.value is None:
            port = Traced(server_port, derived(None, "the server's own port"))
        mount = values.get("mount") or Traced("/", default())
        local = values.get("local-mount")
        own = values.get("on-demand")
        own_on_demand = own is not None and own.origin.source is not Source.DEFAULT
        on_demand = own if own is not None and own_on_demand else so_far
        found.append(
            Relay(
                server=_server(values),
                port=port,
                mount=mount,
                local_mount=str(local.value if local is not None and local.value else mount.value),
                on_demand=on_demand,
                element=child,
                own_on_demand=own_on_demand,
            )
        )
    # KH too (verified on kh22): a relay read before <relays-on-demand>1 connects at start-up
    return tuple(found)


def _server(values: dict[str, Traced[object]]) -> Traced[object]:
    """The upstream host: ``<server>`` (or KH's ``<ip>``) as written, else the default 127.0.0.1."""
    for name in ("server", "ip"):
        found = values.get(name)
        if found is not None and found.origin.source is not Source.DEFAULT:
            return found
    return values.get("server") or Traced("127.0.0.1", default())


class Master(FrozenRecord):
    """Master/slave relaying: a slave relays every mount of its master (``slave.c`` l.618-628)."""

    __slots__ = ("password", "port", "server")

    server: Traced[object]
    port: Traced[object]
    password: Traced[object]

    def __init__(self, server: Traced[object], port: Traced[object], password: Traced[object]) -> None:
        _set = object.__setattr__
        _set(self, "server", server)
        _set(self, "port", port)
        _set(self, "password", password)

    @property
    def missing(self) -> tuple[str, ...]:
        """The settings whose absence keeps relaying off, silently (empty: it relays)."""
        found = []
        if not self.server.value:
            found.append("master-server")
        if not self.port.value:
            found.append("master-server-port")  # no default: 0
        if not self.password.value:
            found.append("master-password")
        return tuple(found)

    @property
    def relaying(self) -> bool:
        return not self.missing

    def to_json(self, reveal_secrets: bool = False) -> dict[str, object]:
        from icecfg.effective.auth import secret_json

        password = secret_json(self.password, reveal_secrets)
        return {
            "server": self.server.to_json(),
            "port": self.port.to_json(),
            "password": password,
            "relaying": self.relaying,
            "missing": list(self.missing),
        }


_MASTER = ("master-server", "master-server-port", "master-password")


def master(root: Element, values: dict[str, Traced[object]], dialect: Dialect) -> Master | None:
    """The root master settings, None when none is written (or KH reads its ``<master>`` block instead)."""
    if dialect is Dialect.KH and root.find("master") is not None:
        return None  # KH's <master> block form has its own defaults
    found = [values.get(name) or Traced(None, default()) for name in _MASTER]
    if all(value.origin.element is None for value in found):
        return None
    return Master(*found)
