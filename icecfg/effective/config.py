"""The effective configuration: everything one release does with one icecast.xml, computed on demand.

Each part (listeners, mounts, fallbacks, logging, ...) is computed the first
time it is asked for and then kept, so a lint rule that only needs the
listeners does not pay for the mounts, and every rule that needs them shares
one answer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from icecfg import spec
from icecfg.document import Element
from icecfg.effective.cached import computed_once
from icecfg.effective.provenance import Traced, default, written
from icecfg.effective.reading import child_text, may_spell, section_values
from icecfg.files import FileView
from icecfg.spec import Dialect, Kind

# Each part's module is imported when that part is first asked for: a lint
# run that only needs the listeners does not load the auth or relay readers.
if TYPE_CHECKING:
    from icecfg.effective.auth import Auth, ServerAuth
    from icecfg.effective.bursts import Sizes
    from icecfg.effective.chains import FallbackChain
    from icecfg.effective.directory import Directory
    from icecfg.effective.fallbacks import Fallbacks
    from icecfg.effective.headers import Headers, LateHeader
    from icecfg.effective.khcopy import HeaderChanges, KhCopies
    from icecfg.effective.limits import Limits
    from icecfg.effective.listeners import Listener
    from icecfg.effective.logging import Logging
    from icecfg.effective.mounts import MountConfig, MountTable
    from icecfg.effective.paths import Paths
    from icecfg.effective.relays import Master, Relay
    from icecfg.effective.security import Security
    from icecfg.effective.tls import TlsContext
    from icecfg.model import RootSection

#: Version of the JSON document :meth:`EffectiveConfig.to_json` returns.
SCHEMA = 2
_MOUNT = spec.SECTIONS["mount"]
_MASTER_SETTINGS = ("master-server", "master-server-port", "master-password")


class EffectiveConfig:
    """What ``target`` does with the configuration whose root element is ``root``.

    ``files`` maps server paths to local files (``--root``); without it,
    facts that depend on files (is the certificate usable, does a fallback
    file exist) are reported as unknown rather than guessed.  ``domain`` is
    a DNS name listeners connect to besides ``<hostname>`` (``[bake]
    domain``, which ``icecfg up`` points at the droplet).  A plain class
    (its parts are cached properties), so that building one per lint run
    costs nothing at start-up.
    """

    def __init__(
        self,
        root: Element,
        target: Dialect,
        files: FileView | None = None,
        path: str | None = None,
        domain: str | None = None,
    ) -> None:
        self.root = root
        self.target = target
        self.files = files
        self.path = path
        self.domain = domain

    def __repr__(self) -> str:
        return f"EffectiveConfig({self.path or '<config>'}, target={self.target.value!r})"

    # -- network ------------------------------------------------------------
    @computed_once
    def tls(self) -> TlsContext:
        from icecfg.effective.tls import tls_context

        return tls_context(self.root, self.target, self.files)

    @computed_once
    def listeners(self) -> tuple[Listener, ...]:
        from icecfg.effective.listeners import listeners

        return listeners(self.root, self.target, self.tls)

    @computed_once
    def tls_listeners(self) -> tuple[Listener, ...]:
        """The sockets that serve TLS once the certificate loads (KH: every socket, TLS is detected)."""
        if self.target is Dialect.KH:
            return self.listeners
        return tuple(s for s in self.listeners if s.tls)

    @property
    def tls_in_use(self) -> bool:
        """Whether some socket would serve TLS if the certificate loaded (KH: a certificate is set)."""
        if self.target is Dialect.KH:
            return self.tls.configured
        return bool(self.tls_listeners)

    @property
    def implicit_listener(self) -> bool:
        """No ``<listen-socket>`` is written: the server listens on the root ``<port>``/``<bind-address>``."""
        return all(s.element is None for s in self.listeners)

    @computed_once
    def root_port(self) -> Traced[int | None] | None:
        """The port the root ``<port>`` names, None when it is not written."""
        from icecfg.effective.listeners import root_port

        return root_port(self.root, self.target)

    def ports(self) -> list[int]:
        """Every TCP port the server binds (Shoutcast source ports included), sorted."""
        found: set[int] = set()
        for listener in self.listeners:
            if not listener.binds:
                continue  # no numeric address: nothing is bound
            # a port another socket holds is open all the same (by that socket); the Shoutcast
            # source port is a socket of its own, opened even when this one is not
            if listener.port and not listener.lost:
                found.add(listener.port)
            if listener.shoutcast_port and not listener.shoutcast_lost:
                found.add(listener.shoutcast_port)
        return sorted(found)

    @computed_once
    def default_socket(self) -> Listener | None:
        """2.5.0's default listen socket, which its YP listings name: the only socket it configures.

        With exactly one socket configured (every ``<listen-socket>`` counts,
        and the Shoutcast source port a ``<shoutcast-mount>`` adds; none
        written is the root listener), 2.5.0 builds the URL it sends YP
        directories from that socket
        (``listensocket_container_get_default``, ``client_get_baseurl``): its
        port, whatever the root ``<port>`` says, and its bind address instead
        of ``<hostname>`` unless that is a wildcard (``0.``- or
        ``::``-prefixed).  With more, ``<hostname>`` and the root ``<port>``
        (else the first socket's).  None on 2.4.4 and KH, which always use
        those.  Shown on each (``tests/test_oracle_yp.py``).
        """
        if self.target is not Dialect.V25:
            return None
        # cfgfile.c counts a socket as it reads it (listen_sock_count), bound or not
        sockets = self.listeners
        if len(sockets) != 1 or sockets[0].shoutcast_port is not None or sockets[0].port is None:
            return None
        return sockets[0]

    @computed_once
    def advertised_host(self) -> Traced[object]:
        """The host YP listings name: ``<hostname>``, or (2.5.0) the default socket's bind address (see there)."""
        socket = self.default_socket
        if socket is None or socket.bind is None or socket.bind.startswith(("0.", "::")):
            return self.hostname
        if socket.element is None:
            element, _text = child_text(self.root, spec.ROOT, "bind-address", self.target)
        else:
            element, _text = child_text(socket.element, spec.SECTIONS["listen-socket"], "bind-address", self.target)
        assert element is not None  # the socket's bind address is written
        return Traced(socket.bind, written(element))

    @computed_once
    def values(self) -> dict[str, Traced[object]]:
        """Root-level value settings (``hostname``, ``fileserve``, ...)."""
        return section_values([self.root], "icecast", self.target)

    @computed_once
    def hostname(self) -> Traced[object]:
        return self.values.get("hostname") or Traced("localhost", default())

    @computed_once
    def dns_hostname(self) -> str | None:
        """``<hostname>`` when it is a DNS name a certificate can name (None: unset, localhost, an IP address)."""
        if self.hostname.origin.element is None or not isinstance(self.hostname.value, str):
            return None
        return dns_name(self.hostname.value)

    @computed_once
    def certificate_names_hostname(self) -> bool | None:
        """Whether the certificate TLS clients are served names :attr:`dns_hostname`.

        Icecast never compares the two; a client connecting to
        ``https://<hostname>`` does and refuses a certificate for other names.
        None when there is nothing to judge: no socket serves TLS, the files
        were not looked at, the certificate does not decode or names nothing,
        or ``<hostname>`` is no DNS name.
        """
        return self._certificate_names(self.dns_hostname)

    @computed_once
    def dns_domain(self) -> str | None:
        """:attr:`domain` when it is a DNS name, and another one than :attr:`dns_hostname` (None otherwise)."""
        domain = dns_name(self.domain) if self.domain is not None else None
        if domain is None:
            return None
        from icecfg.effective.pem import name_covers  # only with a domain: a plain lint never loads it

        host = self.dns_hostname
        # a name without a wildcard covers only itself: the same name as <hostname>, judged there
        return None if host is not None and name_covers(domain, host) else domain

    @computed_once
    def certificate_names_domain(self) -> bool | None:
        """Whether the certificate TLS clients are served names :attr:`dns_domain`.

        Judged as :attr:`certificate_names_hostname` is; None when there is
        nothing to judge, or no such domain was given.
        """
        return self._certificate_names(self.dns_domain)

    def _certificate_names(self, host: str | None) -> bool | None:
        cert = self.tls.certificate_file
        pem = cert.pem if cert is not None else None
        if not self.tls_in_use or pem is None or pem.validity is None or not pem.names or host is None:
            return None
        return pem.covers(host)

    @computed_once
    def advertised_port(self) -> Traced[object]:
        """The port advertised in URLs: the root ``<port>``, else the first socket's.

        2.4.4 and KH write it into playlists, ``listenurl`` and YP listings; 2.5.0
        writes the port of the socket a request came in on into playlists and
        uses this one for YP listings when it has more than one listen socket
        (verified in ``tests/test_oracle_network_25_kh.py``); with only one,
        that socket's (:attr:`default_socket`; shown, ``tests/test_oracle_yp.py``).
        """
        socket = self.default_socket
        if socket is not None:
            return Traced(socket.port, socket.port_origin)
        element, text = child_text(self.root, spec.ROOT, "port", self.target)
        if element is not None and text is not None:
            return self.values.get("port") or Traced(None, written(element))
        first = next((s for s in self.listeners), None)
        if first is None:
            return Traced(8000, default())
        return Traced(first.port, first.port_origin)

    # -- mounts -------------------------------------------------------------
    @computed_once
    def mounts(self) -> MountTable:
        from icecfg.effective.mounts import mount_table

        return mount_table(self.root, self.target)

    @computed_once
    def public_mounts(self) -> tuple[MountConfig, ...]:
        """Mounts (normal or default) whose own ``<public>`` is 1: the release lists them on YP directories."""
        return tuple(m for m in self.mounts.mounts if _own_value(m, "public") == 1)

    @computed_once
    def sizes(self) -> Sizes:
        """The server's burst and queue sizes (``<limits>``)."""
        from icecfg.effective.bursts import server_sizes

        return server_sizes(self.limits)

    @computed_once
    def mount_sizes(self) -> tuple[Sizes, ...]:
        """The burst and queue sizes of every mount that writes its own."""
        from icecfg.effective.bursts import mount_sizes

        return mount_sizes(self.sizes, self.mounts, self.root)

    @computed_once
    def path_values(self) -> dict[str, Traced[object]]:
        """``<paths>`` settings as the release reads them (defaults included)."""
        return section_values(list(self.root.elements("paths")), "paths", self.target)

    @computed_once
    def logdir(self) -> Traced[object]:
        return self.path_values.get("logdir") or Traced("", default())

    @computed_once
    def fallbacks(self) -> Fallbacks:
        from icecfg.effective.fallbacks import Fallbacks, webroot_outside

        webroot = self.path_values.get("webroot")
        text = str(webroot.value) if webroot is not None and webroot.value is not None else ""
        base = str(self.security.basedir.value or "/") if self.security.chrooted else None
        # a rate is a rare setting: a file as read that spells none has none on any mount
        rates = may_spell(self.root, ("rate",))
        return Fallbacks(self.mounts, webroot_outside(text, base), self.files, rates=rates)

    def chain(self, mount: MountConfig) -> FallbackChain:
        """The resolved fallback chain of a normal mount."""
        from icecfg.effective.chains import resolve

        return resolve(self.fallbacks, mount)

    @computed_once
    def limits(self) -> Limits:
        from icecfg.effective.limits import limits

        return limits(self.root, self.target)

    # -- the rest -----------------------------------------------------------
    @computed_once
    def security(self) -> Security:
        from icecfg.effective.security import security

        return security(self.root, self.target, self.path_values)

    @computed_once
    def paths(self) -> Paths:
        from icecfg.effective.paths import paths

        return paths(self.root, self.target, self.security, self.path_values, self.values)

    @computed_once
    def logging(self) -> Logging:
        from icecfg.effective.logging import logging

        return logging(self.root, self.target, self.security, self.path_values)

    @computed_once
    def server_auth(self) -> ServerAuth:
        """The server-wide credentials alone (no mount is read for them)."""
        from icecfg.effective.auth import server_auth

        return server_auth(self.root, self.target, self.values)

    @computed_once
    def auth(self) -> Auth:
        from icecfg.effective.auth import auth

        return auth(self.root, self.target, self.mounts, self.server_auth)

    def source_password(self, mount: str) -> Traced[object] | None:
        """The source password the server checks for a source on ``mount``; None when none can log in.

        The mount's own ``<password>``, else (2.5) the one of the default mount
        it is found under, else the global ``<source-password>`` (on 2.5 only
        where the first default mount passes it on; KH's built-in ``changeme``
        when none is written).  A secret: print it through :func:`icecfg.effective.auth.mask`.
        """
        return self.auth.source_password(mount, self.mounts)

    @computed_once
    def headers(self) -> Headers:
        """The server-wide headers (sent on every response, filtered by status)."""
        from icecfg.effective.headers import headers

        return headers(list(self.root.elements("http-headers")), self.target)

    def mount_headers(self, mount: MountConfig) -> Headers:
        """The headers a listener of ``mount`` gets: the server-wide ones, then the mount's (and its default mount's).

        On KH only the server-wide headers written before the ``<mount>``
        (:func:`icecfg.effective.headers.on_mount`); the later ones are
        reported dropped for it.
        """
        from icecfg.effective.headers import on_mount

        server = self._server_header_blocks
        before = self.kh_header_blocks_before.get(mount.element) if self.target is Dialect.KH else None
        return on_mount(server, mount.header_blocks, self.target, before, mount.copied_headers_from)

    def mount_header_changes(self, mount: MountConfig) -> HeaderChanges:
        """What a listener of ``mount`` gets besides the server-wide :attr:`headers`, and which of those it does not.

        :meth:`mount_headers` lists everything; explain shows a mount this
        way, in the time of the mount's own headers, so that a file with a
        server-wide header per station does not list each on every mount.
        2.4/2.5: the mount's own and its default mount's headers (every
        server-wide one is sent as well).  KH: the mount's own; not sent are
        those its own replace and, as one run (``not_copied``), the
        server-wide ones written after the ``<mount>``; one written before it
        that a later server-wide header replaces everywhere else is still
        sent to it.
        """
        from icecfg.effective.headers import headers
        from icecfg.effective.khcopy import changes

        own = headers(mount.header_blocks, self.target, mount.copied_headers_from)
        if self.target is not Dialect.KH:
            return changes(own)
        read = self.kh_header_blocks_before.get(mount.element, len(self._server_header_blocks))
        return self._kh_copies.changes(read, own)

    @computed_once
    def _kh_copies(self) -> KhCopies:
        from icecfg.effective.khcopy import KhCopies

        every = len(self._server_header_blocks)  # a mount after the last block copies them all
        reads = [*self.kh_header_blocks_before.values(), every]
        return KhCopies(self._server_header_blocks, self.headers, reads)

    @computed_once
    def _server_header_blocks(self) -> tuple[Element, ...]:
        return tuple(self.root.elements("http-headers"))

    @computed_once
    def kh_header_blocks_before(self) -> dict[Element, int]:
        """KH: the mounts read before a server-wide ``<http-headers>``, each with the blocks read before it."""
        from icecfg.effective.headers import kh_blocks_before

        return kh_blocks_before(self.root)

    @computed_once
    def kh_late_headers(self) -> tuple[LateHeader[MountConfig], ...]:
        """KH: each server-wide ``<header>`` some mounts read before it do not send (ICE916), with the first three."""
        from icecfg.effective.headers import headers, kh_late, own_names

        before = self.kh_header_blocks_before
        if self.target is not Dialect.KH or not before:
            return ()
        early = [
            (mount, before[mount.element], own_names(headers(mount.header_blocks, Dialect.KH)))
            for mount in self.mounts.mounts
            if mount.element in before
        ]
        return tuple(kh_late(self._server_header_blocks, early))

    @computed_once
    def relays(self) -> tuple[Relay, ...]:
        if self.root.find("relay") is None:
            return ()  # most files: no need to load the relay reader
        port = self.advertised_port.value
        from icecfg.effective.relays import relays

        return relays(self.root, self.target, port if isinstance(port, int) else None)

    @computed_once
    def master(self) -> Master | None:
        """Master/slave relaying settings, None when none is written."""
        if not any(
            self.root.find(name) is not None for name in ("master-server", "master-server-port", "master-password")
        ):
            return None
        from icecfg.effective.relays import master

        return master(self.root, self.values, self.target)

    @computed_once
    def directories(self) -> tuple[Directory, ...]:
        if self.root.find("directory") is None and self.root.find("yp-directory") is None:
            return ()
        from icecfg.effective.directory import directories

        return directories(self.root, self.target)

    @computed_once
    def startup_problems(self) -> tuple[str, ...]:
        """Reasons the release exits or crashes at start-up with this configuration (:mod:`.startup`)."""
        from icecfg.effective.startup import startup_problems

        return startup_problems(self)

    @computed_once
    def notes(self) -> tuple[str, ...]:
        """What to know about running this configuration on this release that no setting can change."""
        from icecfg.effective.startup_race import startup_race_note

        race = startup_race_note(self.target, self.fallbacks)
        return (race,) if race is not None else ()

    # -- output -------------------------------------------------------------
    def mount_json(self, mount: MountConfig, reveal_secrets: bool = False) -> dict[str, object]:
        from icecfg.effective.auth import secret_json

        settings: dict[str, object] = {}
        for name, value in mount.settings.items():
            row = _MOUNT.child(name)
            secret = row is not None and row.value is not None and row.value.kind is Kind.PASSWORD
            settings[name] = secret_json(value, reveal_secrets) if secret else value.to_json()
        out: dict[str, object] = {
            "name": mount.name,
            "type": mount.kind,
            "line": written(mount.element).line,
            "merged_from_line": written(mount.merged_from.element).line if mount.merged_from else None,
            "settings": settings,
            "headers": self.mount_header_changes(mount).to_json(),
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
            "notes": list(self.notes),
            "hostname": self.hostname.to_json(),
            "advertised_host": self.advertised_host.to_json(),
            "advertised_port": self.advertised_port.to_json(),
            "listeners": [listener.to_json() for listener in self.listeners],
            "ports": self.ports(),
            "tls": {
                **self.tls.to_json(),
                "certificate_names_hostname": self.certificate_names_hostname,
                "domain": self.dns_domain,
                "certificate_names_domain": self.certificate_names_domain,
            },
            "mounts": [self.mount_json(m, reveal_secrets) for m in self.mounts.mounts],
            "limits": self.limits.to_json(),
            "auth": self.auth.to_json(reveal_secrets),
            "logging": self.logging.to_json(),
            "paths": self.paths.to_json(),
            "security": self.security.to_json(),
            "headers": self.headers.to_json(),
            "relays": [relay.to_json() for relay in self.relays],
            "master": self.master.to_json(reveal_secrets) if self.master is not None else None,
            "directories": [d.to_json() for d in self.directories],
        }


def _own_value(mount: MountConfig, name: str) -> object:
    found = mount.own.get(name)
    return found.value if found is not None else None


def explain(
    config: RootSection,
    target: Dialect | str = Dialect.V24,
    files: FileView | None = None,
    domain: str | None = None,
) -> EffectiveConfig:
    """What release ``target`` does with ``config`` (an :class:`icecfg.IcecastConfig`): ``icecfg explain``.

    Returns an :class:`EffectiveConfig`: listen sockets with the protocol each
    really serves, mounts after the default mount is merged and their fallback
    chains, limits, logins, logs and headers, each value a ``Traced`` that says
    where it came from.  ``files`` (a :class:`~icecfg.files.FileView`) is where
    the certificate and fallback files are looked up; without it, facts that
    depend on files are reported as unchecked (``None``), not guessed.
    ``domain`` is a DNS name listeners connect to besides ``<hostname>``
    (``[bake] domain``): the certificate is judged against it too.  Nothing
    is read until asked for; ``config`` is not changed.  Raises ValueError for
    a target that is no release (see :class:`~icecfg.spec.Dialect`).
    """
    return EffectiveConfig(config.document.root, Dialect(target), files, config.path, domain)


def dns_name(text: str) -> str | None:
    """``text`` (stripped) when it is a DNS name a certificate can name; None for localhost or an IP address."""
    import ipaddress

    host = text.strip()
    if "." not in host.strip(".") or host.lower().startswith("localhost"):
        return None
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return host
    return None
