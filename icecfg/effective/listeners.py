"""Listen sockets: the port and address each binds, and the protocol it really serves.

What a socket serves is not what its ``<ssl>``/``<tls>`` element says: 2.4.4
serves plain HTTP on an ``<ssl>1`` port when the certificate cannot be
used, 2.5 reads ``<tls>0`` as ``auto``, and KH has no per-socket switch at
all but detects TLS on every connection once a certificate is set.  The
firewall (bake), the URLs ``up`` prints and the TLS rules all ask here.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Iterator, Sequence

from icecfg import spec
from icecfg.conversion import TlsMode, TypedValueError, atoi, effective, parse_typed, release_text
from icecfg.document import Element
from icecfg.effective.provenance import DEFAULT, Origin, Traced, default, derived, written
from icecfg.effective.reading import child_text, child_text_in, last_children, row
from icecfg.effective.tls import TlsContext
from icecfg.records import FrozenRecord, slot_setters
from icecfg.spec import Dialect, Kind

_LISTEN = spec.SECTIONS["listen-socket"]
_TLS_ROW = row("listen-socket", "tls")
_COMPAT_ROW = row("listen-socket", "shoutcast-compat")
#: The port Icecast binds when none is written (and when ``<port>`` is empty).
DEFAULT_PORT = 8000


class Protocol(str, enum.Enum):
    """What a client meets on a socket."""

    PLAIN = "plain"  # plain HTTP only
    TLS = "tls"  # a TLS handshake first (2.4 <ssl>1, 2.5 rfc2818)
    DETECT = "plain-or-tls"  # TLS or plain HTTP, detected per connection (2.5 auto, KH with a certificate)
    TLS_REQUIRED = "tls-required"  # TLS detected per connection; plain HTTP gets 426 (2.5 auto_no_plain)
    TLS_UPGRADE = "tls-upgrade"  # plain HTTP must upgrade to TLS (RFC 2817), else 426; no direct TLS (2.5 rfc2817)
    PLAIN_DOWNGRADED = "plain-downgraded"  # 2.4 <ssl>1 whose certificate is unusable: silently plain HTTP
    REFUSED = "refused"  # 2.5 TLS mode without a usable certificate: plain gets 426, no TLS either

    @property
    def offers_plain(self) -> bool:
        return self in (Protocol.PLAIN, Protocol.DETECT, Protocol.PLAIN_DOWNGRADED)

    @property
    def offers_tls(self) -> bool:
        """A client may start with a TLS handshake (https://)."""
        return self in (Protocol.TLS, Protocol.DETECT, Protocol.TLS_REQUIRED)

    @property
    def answers_426(self) -> bool:
        """A plain HTTP request gets ``426 Upgrade Required`` (2.5)."""
        return self in (Protocol.TLS_REQUIRED, Protocol.TLS_UPGRADE, Protocol.REFUSED)


class Listener(FrozenRecord):
    """One socket Icecast tries to bind, as it reads the configuration."""

    __slots__ = (
        "bind",
        "binds",
        "element",
        "lost",
        "port",
        "port_element",
        "port_origin",
        "protocol",
        "protocol_origin",
        "shoutcast_compat",
        "shoutcast_lost",
        "shoutcast_mount",
        "shoutcast_mount_name",
        "shoutcast_port",
        "tls",
        "tls_mode",
        "tls_requested",
    )

    #: The <listen-socket> element, or None for the implicit root listener.
    element: Element | None
    #: The port bound; 0 is a random port, None when the dialect drops the socket.
    port: int | None
    #: The bind address as written, None for all interfaces.
    bind: str | None
    #: False when the bind address is no numeric IP address: the release cannot bind the socket.
    binds: bool
    #: The element that holds the port (for positions), when written.
    port_element: Element | None
    shoutcast_compat: bool
    shoutcast_mount: bool
    #: 2.4: ``<ssl>`` is on; 2.5: the TLS mode is not ``disabled``; KH: never (auto-detected).
    tls: bool
    #: 2.5 TLS mode (None on the other dialects).
    tls_mode: TlsMode | None
    #: The user wrote a TLS request that needs a certificate (not an implicit 2.5 ``auto``).
    tls_requested: bool
    #: What clients meet on the socket, given the TLS context.
    protocol: Protocol
    #: Where the port comes from.
    port_origin: Origin
    #: Where the protocol comes from (the <ssl>/<tls> element, the certificate, or the default).
    protocol_origin: Origin
    #: The extra Shoutcast source port (port + 1) a ``<shoutcast-mount>`` opens, when it does.
    shoutcast_port: int | None
    #: The mount Shoutcast sources on this socket feed.
    shoutcast_mount_name: str | None
    #: Why the release does not open the Shoutcast source port although it is asked to, or "":
    #: a later socket on that port and address, or a later ``<shoutcast-mount>`` one's, is bound
    #: first.  The Shoutcast port is a socket of its own: it opens even when ``lost`` is set.
    shoutcast_lost: str
    #: Why the release does not open this socket although its port is open, or "": a later
    #: socket on the same port and address takes it.  2.4.4 binds sockets last written first
    #: and drops the earlier one (``Could not create listener socket``); 2.5.0 opens the port
    #: once with the later socket's settings (both verified).
    lost: str

    def __init__(
        self,
        element: Element | None,
        port: int | None,
        bind: str | None,
        port_element: Element | None,
        shoutcast_compat: bool,
        shoutcast_mount: bool,
        tls: bool,
        tls_mode: TlsMode | None,
        tls_requested: bool,
        protocol: Protocol = Protocol.PLAIN,
        port_origin: Origin = DEFAULT,
        protocol_origin: Origin = DEFAULT,
        shoutcast_port: int | None = None,
        shoutcast_mount_name: str | None = None,
        lost: str = "",
        shoutcast_lost: str = "",
    ) -> None:
        # the slots' own setters, not object.__setattr__ and its lookup by name: a file can
        # have a socket for every few mounts (see records.slot_setters)
        setters = _LISTENER_SETTERS
        setters["element"](self, element)
        setters["port"](self, port)
        setters["bind"](self, bind)
        setters["binds"](self, numeric_address(bind))
        setters["port_element"](self, port_element)
        setters["shoutcast_compat"](self, shoutcast_compat)
        setters["shoutcast_mount"](self, shoutcast_mount)
        setters["tls"](self, tls)
        setters["tls_mode"](self, tls_mode)
        setters["tls_requested"](self, tls_requested)
        setters["protocol"](self, protocol)
        setters["port_origin"](self, port_origin)
        setters["protocol_origin"](self, protocol_origin)
        setters["shoutcast_port"](self, shoutcast_port)
        setters["shoutcast_mount_name"](self, shoutcast_mount_name)
        setters["lost"](self, lost)
        setters["shoutcast_lost"](self, shoutcast_lost)

    @property
    def label(self) -> str:
        port = "?" if self.port is None else str(self.port)
        where = self.bind if self.bind is not None else "all interfaces"
        return f"port {port} on {where}"

    def to_json(self) -> dict[str, object]:
        return {
            "port": self.port,
            "bind": self.bind,
            "binds": self.binds,
            "protocol": self.protocol.value,
            "tls_mode": self.tls_mode.value if self.tls_mode is not None else None,
            "shoutcast_compat": self.shoutcast_compat,
            "shoutcast_port": self.shoutcast_port,
            "shoutcast_mount": self.shoutcast_mount_name,
            "lost": self.lost or None,
            "shoutcast_lost": self.shoutcast_lost or None,
            "port_from": self.port_origin.to_json(),
            "protocol_from": self.protocol_origin.to_json(),
        }


#: The setters of Listener's slots (see records.slot_setters).
_LISTENER_SETTERS = slot_setters(Listener)


def numeric_address(address: str | None) -> bool:
    """Whether Icecast can bind ``address`` (None: all interfaces).

    Every release resolves it with ``getaddrinfo(AI_NUMERICHOST)``: a host
    name (``localhost``) or padding around the digits fails, and the socket is
    not bound (shown in ``tests/test_oracle_explain.py``).
    """
    if address is None:
        return True
    return _parses_as_address(address)


@functools.lru_cache(maxsize=256)
def _parses_as_address(address: str) -> bool:
    """Whether ``ipaddress`` reads ``address``; kept for the few addresses a file binds.

    A big file has a socket for every few mounts, nearly all bound to the
    same address or two, and parsing one costs as much as the rest of the socket.
    """
    import ipaddress  # only for a file that writes a bind address

    try:
        ipaddress.ip_address(address)
    except ValueError:
        return False
    return True


def is_loopback(address: str | None) -> bool:
    """True for a bind address only this machine can reach."""
    if address is None:
        return False
    text = address.strip().lower()
    # "localhost" is loopback in intent, and ICE208's fix writes it as 127.0.0.1
    return text.startswith("127.") or text in ("::1", "0:0:0:0:0:0:0:1", "localhost")


def listen_port(text: str | None, present: bool, dialect: Dialect) -> int | None:
    """The port a listen-socket ``<port>`` text binds in ``dialect``."""
    if not present or text is None:
        return DEFAULT_PORT  # absent, or empty: "<port> must not be empty", the default stays
    if dialect is Dialect.KH:
        try:
            value = parse_typed(Kind.INT, text)
        except TypedValueError:
            return None
        assert isinstance(value, int)
        return value if 1 <= value <= 65535 else None
    return atoi(text) & 0xFFFF  # stored in an int, bound as an unsigned short


def _port_origin(element: Element | None, text: str | None, port: int | None) -> Origin:
    if element is None:
        return default() if port is not None else default("no port read: the socket is dropped")
    if port is None:
        return written(element, "not a port: the socket is dropped")
    if text is None:
        return written(element, "empty: the default stays")
    stripped = text.strip()
    if stripped != str(port):
        note = "random port" if port == 0 else f"{text!r} read as {port}"
        return written(element, note)
    return written(element)


def _bool(text: str | None, dialect: Dialect) -> bool:
    if text is None:
        return False
    return bool(effective(_COMPAT_ROW, text, dialect))


def tls_mode_of(element: Element) -> tuple[TlsMode, bool, Element] | None:
    """2.5: the TLS mode of a listen socket, whether it was asked for explicitly, and its element.

    2.5 reads ``<ssl>`` exactly like ``<tls>``; the last of them counts.  An
    absent element is ``disabled``, an empty one ``auto``; ``0``, ``false``
    and unknown words also mean ``auto`` (an implicit one, not requested).
    """
    last: Element | None = None
    for child in element.elements():
        if child.local_name in ("ssl", "tls"):
            last = child
    if last is None:
        return None
    text = last.text
    if text is None:
        return TlsMode.AUTO, True, last
    mode = effective(_TLS_ROW, text, Dialect.V25)
    assert isinstance(mode, TlsMode)
    explicit = mode in (TlsMode.RFC2818, TlsMode.RFC2817, TlsMode.AUTO_NO_PLAIN) or (
        mode is TlsMode.AUTO and text.strip().lower() == "auto"
    )
    return mode, explicit, last


def _socket_port(element: Element, last: dict[str, Element], dialect: Dialect) -> tuple[Element | None, str | None]:
    """The ``<port>`` of a listen socket the release takes, and its text; (None, None) when none is read.

    An empty ``<port>`` leaves the port an earlier one set (2.4.4 and 2.5.0:
    "must not be empty"); KH also skips one it cannot read as a port
    (``config_get_port``) and drops a socket without a port.
    """
    if dialect is not Dialect.KH:
        written = [child for child in element.elements("port") if child.text is not None]
        if written:
            return written[-1], written[-1].text
        return child_text_in(element, last, _LISTEN, "port", dialect)  # only empty ones: the default stays
    found, text = _as_kh_port(element.get("port"), element)
    tried: Element | None = None
    for child in element.elements("port"):
        tried = child
        child_text = release_text(child, dialect)
        if child_text is not None and listen_port(child_text, True, dialect) is not None:
            found, text = child, child_text
    if found is None and tried is not None:
        return tried, release_text(tried, dialect)  # none read: the last one, to say why
    return found, text


def _as_kh_port(value: str | None, element: Element) -> tuple[Element | None, str | None]:
    """KH's ``port=`` attribute, when it reads as a port."""
    if value is None or listen_port(value, True, Dialect.KH) is None:
        return None, None
    return element, value


def _shoutcast_mount(element: Element, last: dict[str, Element], dialect: Dialect) -> tuple[Element | None, str | None]:
    """The ``<shoutcast-mount>`` a socket uses, and its text; (None, None) when it has none.

    2.4.4 and 2.5.0 take the last element's text, and an empty one is none at
    all: no port + 1 is opened.  KH skips an empty or blank element and keeps
    the name an earlier one gave.  (Shown on the servers in
    ``tests/test_oracle_explain.py``.)
    """
    if dialect is not Dialect.KH:
        found, text = child_text_in(element, last, _LISTEN, "shoutcast-mount", dialect)
        return (found, text) if text is not None else (None, None)
    if "shoutcast-mount" not in last:
        return child_text_in(element, last, _LISTEN, "shoutcast-mount", dialect)  # KH's attribute form
    named = [child for child in element.elements("shoutcast-mount") if child.leads_with_text]
    return (named[-1], named[-1].text) if named else (None, None)


def _protocol(
    dialect: Dialect, tls: bool, mode: TlsMode | None, switch: Element | None, context: TlsContext
) -> tuple[Protocol, Origin]:
    """What the socket serves, given its TLS switch and whether the certificate can work."""
    cert = context.certificate
    if dialect is Dialect.KH:
        if context.usable is False or cert is None:
            return Protocol.PLAIN, cert.origin if cert is not None else default("no certificate: no TLS")
        return Protocol.DETECT, derived(cert.origin.element, "a certificate: TLS detected on every socket")
    if not tls or switch is None:
        return Protocol.PLAIN, default()
    usable = context.usable is not False
    why = context.problem or "the certificate cannot be used"
    if dialect is Dialect.V24:
        if usable:
            return Protocol.TLS, written(switch)
        return Protocol.PLAIN_DOWNGRADED, written(switch, f"{why}: Icecast 2.4.4 serves plain HTTP")
    if mode is TlsMode.AUTO:
        if usable:
            return Protocol.DETECT, written(switch, "auto")
        return Protocol.PLAIN, written(switch, f"auto, but {why}")
    if not usable:
        return Protocol.REFUSED, written(switch, f"{why}: plain HTTP gets 426 and no TLS is offered")
    if mode is TlsMode.RFC2818:
        return Protocol.TLS, written(switch, "rfc2818")
    if mode is TlsMode.RFC2817:
        return Protocol.TLS_UPGRADE, written(switch, "rfc2817")
    return Protocol.TLS_REQUIRED, written(switch, mode.value if mode is not None else "")


def root_port(root: Element, dialect: Dialect) -> Traced[int | None] | None:
    """The port the root ``<port>`` names (None when it is not written).

    Without ``<listen-socket>`` it is the implicit listener's port; with
    them nothing binds it, yet 2.4.4 and KH still write it into playlists
    and YP listings (ICE902 judges that).
    """
    element, text = child_text(root, spec.ROOT, "port", dialect)
    if element is None:
        return None
    port = listen_port(text, True, dialect)
    return Traced(port, _port_origin(element, text, port))


def listeners(root: Element, dialect: Dialect, context: TlsContext) -> tuple[Listener, ...]:
    """The sockets Icecast binds: every <listen-socket>, or the implicit root listener."""
    sockets = list(root.elements("listen-socket"))
    if not sockets:
        written_port = root_port(root, dialect)
        _bind_el, bind = child_text(root, spec.ROOT, "bind-address", dialect)
        if written_port is None:
            port: int | None = DEFAULT_PORT
            port_el: Element | None = None
            origin = default("no <listen-socket>: the implicit listener")
        else:
            port, origin = written_port.value, written_port.origin
            port_el = origin.element
        protocol, protocol_origin = _protocol(dialect, False, None, None, context)
        return (
            Listener(
                element=None,
                port=port,
                bind=bind,
                port_element=port_el,
                shoutcast_compat=False,
                shoutcast_mount=False,
                tls=False,
                tls_mode=None,
                tls_requested=False,
                protocol=protocol,
                port_origin=origin,
                protocol_origin=protocol_origin,
            ),
        )
    found = []
    # the release asked once, not three times per socket through the enum class
    v24, v25, kh = dialect is Dialect.V24, dialect is Dialect.V25, dialect is Dialect.KH
    for element in sockets:
        last = last_children(element)  # one pass over the socket's children, not one per setting
        port_el, port_text = _socket_port(element, last, dialect)
        _bind_el, bind = child_text_in(element, last, _LISTEN, "bind-address", dialect)
        _c, compat_text = child_text_in(element, last, _LISTEN, "shoutcast-compat", dialect)
        mount_el, mount_text = _shoutcast_mount(element, last, dialect)
        tls = requested = False
        mode: TlsMode | None = None
        switch: Element | None = None
        if v24:
            switch = last.get("ssl")
            tls = requested = switch is not None and switch.text is not None and atoi(switch.text) != 0
        elif v25:
            state = tls_mode_of(element)
            if state is not None:
                mode, requested, switch = state
                tls = mode is not TlsMode.DISABLED
        port = listen_port(port_text, port_el is not None, dialect)
        if kh and (port_el is None or port_text is None):
            port = None  # KH: a socket no port is read for keeps port 0 and is dropped
        compat = _bool(compat_text, dialect)
        extra: int | None = None
        # 2.4.4 opens port+1 for Shoutcast sources even on a compat socket; 2.5 and KH only on a
        # normal one (KH drops a socket with both, below)
        opens_extra = v24 or not compat
        if mount_el is not None and port is not None and port > 0 and opens_extra:
            extra = (port + 1) & 0xFFFF
        if kh and mount_el is not None and compat:
            port = None  # KH refuses the combination and drops the socket
        protocol, protocol_origin = _protocol(dialect, tls, mode, switch, context)
        found.append(
            Listener(
                element=element,
                port=port,
                bind=bind,
                port_element=port_el,
                shoutcast_compat=compat,
                shoutcast_mount=mount_el is not None,
                tls=tls,
                tls_mode=mode,
                tls_requested=requested,
                protocol=protocol,
                port_origin=_port_origin(port_el, port_text, port),
                protocol_origin=protocol_origin,
                shoutcast_port=extra,
                shoutcast_mount_name=(mount_text or "/") if mount_el is not None else None,
            )
        )
    if not kh:  # KH does not start at all (effective.startup)
        _mark_lost(found, v24)
    return tuple(found)


def _mark_lost(found: list[Listener], v24: bool) -> None:
    """Mark each port a socket asks for that an earlier-bound one on the same port and address holds.

    2.4.4 and 2.5.0 file their sockets last written first (``_parse_listen_socket``
    puts each after the list's head), each ``<shoutcast-mount>`` socket's
    port + 1 right after it, and bind them in that order: of two on one port
    and address the one written later is bound, and the earlier one is not
    opened (``Listener.lost``, or ``Listener.shoutcast_lost`` for a Shoutcast
    source port).  2.4.4 logs ``Could not create listener socket``; 2.5.0
    says nothing.  Each port is a socket of its own: a socket that is not
    opened still opens its Shoutcast source port.  All verified, with
    sockets that answer differently (``tests/test_oracle_explain.py``,
    ``tests/test_oracle_network_25_kh.py``).
    """
    setters = _LISTENER_SETTERS  # set while the records are still being built
    release = "Icecast 2.4.4" if v24 else "Icecast 2.5"
    # port -> what holds it: (the socket, whether as its Shoutcast source port)
    taken: dict[int, list[tuple[Listener, bool]]] = {}
    for listener in reversed(found):
        if listener.element is None or not listener.binds:
            continue
        for port, shoutcast in ((listener.port, False), (listener.shoutcast_port, True)):
            if not port:
                continue
            holders = taken.setdefault(port, [])
            holder = next(((s, sc) for s, sc in holders if clash(s.bind, listener.bind)), None)
            if holder is None:
                holders.append((listener, shoutcast))
                continue
            other, as_shoutcast = holder
            assert other.element is not None
            by = f"the later socket at line {other.element.line}"
            if as_shoutcast:
                by += f" opens port {port} first, for Shoutcast sources (port + 1 of its <shoutcast-mount>)"
            else:
                by += f" is bound to port {port} first"
            what = "this Shoutcast source port" if shoutcast else "this socket"
            setters["shoutcast_lost" if shoutcast else "lost"](listener, f"{by}: {release} does not open {what}")


def socket_clashes(listeners: Sequence[Listener]) -> Iterator[tuple[Listener, Listener]]:
    """Each written socket with the earlier one that already holds its port and address.

    A socket without a bind address holds every interface, so it clashes
    with any address on its port.  One lookup per socket, not a scan of all.
    """
    seen: dict[int, list[Listener]] = {}
    for listener in listeners:
        if listener.element is None or not listener.port:
            continue
        same_port = seen.setdefault(listener.port, [])
        earlier = next((s for s in same_port if clash(s.bind, listener.bind)), None)
        same_port.append(listener)
        if earlier is not None:
            yield listener, earlier


def shoutcast_clashes(listeners: Sequence[Listener]) -> Iterator[tuple[Listener, Listener]]:
    """Each socket whose Shoutcast source port (port + 1) another written socket holds, with that socket."""
    by_port: dict[int, list[Listener]] = {}
    for socket in listeners:
        if socket.element is not None and socket.port:
            by_port.setdefault(socket.port, []).append(socket)
    for listener in listeners:
        extra = listener.shoutcast_port
        if extra is None or listener.element is None:
            continue
        other = next((s for s in by_port.get(extra, ()) if s is not listener and clash(s.bind, listener.bind)), None)
        if other is not None:
            yield listener, other


def clash(a: str | None, b: str | None) -> bool:
    """Whether two bind addresses on the same port cannot both be bound."""
    return a is None or b is None or a == b
