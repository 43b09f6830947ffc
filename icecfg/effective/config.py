"""The effective configuration: everything one release does with one icecast.xml, computed on demand.

Each part (listeners, mounts, fallbacks, logging, ...) is computed the first
time it is asked for and then kept, so a lint rule that only needs the
listeners does not pay for the mounts, and every rule that needs them shares
one answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from icecfg import spec
from icecfg.document import Element
from icecfg.effective.auth import Auth, auth, mask
from icecfg.effective.directory import Directory, directories
from icecfg.effective.fallbacks import FallbackChain, Fallbacks, webroot_outside
from icecfg.effective.headers import Headers, headers
from icecfg.effective.limits import Limits, limits
from icecfg.effective.listeners import Listener, listeners
from icecfg.effective.logging import Logging, logging
from icecfg.effective.mounts import MountConfig, MountTable, mount_table
from icecfg.effective.paths import Paths, paths
from icecfg.effective.provenance import Traced, default, written
from icecfg.effective.reading import child_text, section_values
from icecfg.effective.relays import Relay, relays
from icecfg.effective.security import Security, security
from icecfg.effective.tls import TlsContext, tls_context
from icecfg.files import FileView
from icecfg.spec import Dialect, Kind

if TYPE_CHECKING:
    from icecfg.model import RootSection

#: Version of the JSON document :meth:`EffectiveConfig.to_json` returns.
SCHEMA = 1
_MOUNT = spec.SECTIONS["mount"]


@dataclass(frozen=True, eq=False)
class EffectiveConfig:
    """What ``target`` does with the configuration whose root element is ``root``.

    ``files`` maps server paths to local files (``--root``); without it,
    facts that depend on files (is the certificate usable, does a fallback
    file exist) are reported as unknown rather than guessed.
    """

    root: Element
    target: Dialect
    files: FileView | None = None
    path: str | None = None

    # -- network ------------------------------------------------------------
    @cached_property
    def tls(self) -> TlsContext:
        return tls_context(self.root, self.target, self.files)

    @cached_property
    def listeners(self) -> tuple[Listener, ...]:
        return listeners(self.root, self.target, self.tls)

    def ports(self) -> list[int]:
        """Every TCP port the server binds (Shoutcast source ports included), sorted."""
        found: set[int] = set()
        for listener in self.listeners:
            if listener.port:
                found.add(listener.port)
            if listener.shoutcast_port:
                found.add(listener.shoutcast_port)
        return sorted(found)

    @cached_property
    def values(self) -> dict[str, Traced[object]]:
        """Root-level value settings (``hostname``, ``fileserve``, ...)."""
        return section_values([self.root], "icecast", self.target)

    @cached_property
    def hostname(self) -> Traced[object]:
        return self.values.get("hostname") or Traced("localhost", default())

    @cached_property
    def advertised_port(self) -> Traced[object]:
        """The port written into playlists, ``listenurl`` and YP: the root ``<port>``, else the first socket's."""
        element, text = child_text(self.root, spec.ROOT, "port", self.target)
        if element is not None and text is not None:
            return self.values.get("port") or Traced(None, written(element))
        first = next((s for s in self.listeners), None)
        if first is None:
            return Traced(8000, default())
        return Traced(first.port, first.port_origin)

    # -- mounts -------------------------------------------------------------
    @cached_property
    def mounts(self) -> MountTable:
        return mount_table(self.root, self.target)

    @cached_property
    def fallbacks(self) -> Fallbacks:
        webroot = self.paths.get("webroot") or ""
        base = str(self.security.basedir.value or "/") if self.security.chrooted else None
        return Fallbacks(self.mounts, webroot_outside(webroot, base), self.files)

    def chain(self, mount: MountConfig) -> FallbackChain:
        return self.fallbacks.chain(mount)

    @cached_property
    def limits(self) -> Limits:
        return limits(self.root, self.target)

    # -- the rest -----------------------------------------------------------
    @cached_property
    def security(self) -> Security:
        return security(self.root, self.target)

    @cached_property
    def paths(self) -> Paths:
        return paths(self.root, self.target, self.security)

    @cached_property
    def logging(self) -> Logging:
        return logging(self.root, self.target, self.security)

    @cached_property
    def auth(self) -> Auth:
        return auth(self.root, self.target, self.mounts)

    @cached_property
    def headers(self) -> Headers:
        """The server-wide headers (sent on every response, filtered by status)."""
        return headers(list(self.root.elements("http-headers")), self.target)

    def mount_headers(self, mount: MountConfig) -> Headers:
        """A mount's headers (its own, then the default mount's); sent with HTTP 200 only."""
        return headers(mount.header_blocks, self.target)

    @cached_property
    def relays(self) -> tuple[Relay, ...]:
        port = self.advertised_port.value
        return relays(self.root, self.target, port if isinstance(port, int) else None)

    @cached_property
    def directories(self) -> tuple[Directory, ...]:
        return directories(self.root, self.target)

    @cached_property
    def startup_problems(self) -> tuple[str, ...]:
        """Reasons the release refuses to start with this configuration (that this layer knows of)."""
        found = [f"the {log.kind} log: {log.note}" for log in self.logging.logs if log.destination == "fatal"]
        if not any(s.port is not None for s in self.listeners):
            found.append("no listen socket can be bound")
        return tuple(found)

    # -- output -------------------------------------------------------------
    def mount_json(self, mount: MountConfig, reveal_secrets: bool = False) -> dict[str, object]:
        settings: dict[str, object] = {}
        for name, value in mount.settings.items():
            data = value.to_json()
            row = _MOUNT.child(name)
            if row is not None and row.value is not None and row.value.kind is Kind.PASSWORD and not reveal_secrets:
                data["value"] = mask(str(value.value or ""))
            settings[name] = data
        out: dict[str, object] = {
            "name": mount.name,
            "type": mount.kind,
            "line": written(mount.element).line,
            "merged_from_line": written(mount.merged_from.element).line if mount.merged_from else None,
            "settings": settings,
            "headers": self.mount_headers(mount).to_json(),
        }
        if mount.kind == "normal" and mount.name is not None:
            out["fallback"] = self.chain(mount).to_json()
        return out

    def to_json(self, reveal_secrets: bool = False) -> dict[str, object]:
        """The whole effective configuration as plain data (documented in docs/explain.md)."""
        return {
            "schema": SCHEMA,
            "target": self.target.value,
            "file": self.path,
            "startup_problems": list(self.startup_problems),
            "hostname": self.hostname.to_json(),
            "advertised_port": self.advertised_port.to_json(),
            "listeners": [listener.to_json() for listener in self.listeners],
            "ports": self.ports(),
            "tls": self.tls.to_json(),
            "mounts": [self.mount_json(m, reveal_secrets) for m in self.mounts.mounts],
            "limits": self.limits.to_json(),
            "auth": self.auth.to_json(reveal_secrets),
            "logging": self.logging.to_json(),
            "paths": self.paths.to_json(),
            "security": self.security.to_json(),
            "headers": self.headers.to_json(),
            "relays": [relay.to_json() for relay in self.relays],
            "directories": [d.to_json() for d in self.directories],
        }


def explain(
    config: RootSection,
    target: Dialect | str = Dialect.V24,
    files: FileView | None = None,
) -> EffectiveConfig:
    """What release ``target`` does with ``config`` (an :class:`icecfg.IcecastConfig`)."""
    return EffectiveConfig(config.document.root, Dialect(target), files, config.path)
