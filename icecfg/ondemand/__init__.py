"""Icecast on demand: ``icecfg init``, ``up``, ``down``, ``status`` and ``cost``.

``init`` writes a secure starting ``icecast.xml`` and ``icecfg.toml``; after
``icecfg bake`` has made a snapshot of it, ``up`` creates a droplet from that
snapshot (tagged ``icecfg``), points DNS at it and waits until Icecast
answers; ``status`` shows what runs, since when, what it cost so far and who
listens; ``down`` destroys the droplets again; ``cost`` estimates a month.
``up --relays N`` adds relay droplets (:mod:`icecfg.ondemand.relays`).

This package holds what the commands share: reading the served ports and
mounts from the configuration, the settings, the token, money and time
formatting, and a small HTTP probe.  Nothing here imports the DigitalOcean
client or the lint rules: the commands import those inside ``run``.

Exit status of every command: 0 success, 1 the operation failed, 2 usage
error (bad option, unreadable configuration, no API token).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from icecfg.bake.snapshots import TAG
from icecfg.commands import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    Failed,
    UsageError,
    load_or_usage_error,
    settings_near,
    token_from_environment,
)
from icecfg.settings import Settings

if TYPE_CHECKING:
    import ssl

    from icecfg.sections import IcecastConfig
    from icecfg.spec import Dialect

# http.client and ssl are imported where they are used: ``icecfg lint`` builds
# every command's parser and should not pay for them.

__all__ = [
    "DEFAULT_CONFIG",
    "EXIT_FAILED",
    "EXIT_OK",
    "EXIT_USAGE",
    "TAG",
    "Failed",
    "Mount",
    "Served",
    "Socket",
    "UsageError",
    "fetch_status",
    "format_duration",
    "locate",
    "money",
    "probe",
    "read_served",
    "token_from_environment",
]

DEFAULT_CONFIG = "icecast.xml"
#: Bytes of ``/status-json.xsl`` read at most.
_STATUS_LIMIT = 4 * 1024 * 1024


@dataclass(frozen=True)
class Socket:
    """A listen socket as clients reach it: its port and whether it speaks TLS."""

    port: int
    tls: bool

    @property
    def scheme(self) -> str:
        return "https" if self.tls else "http"


@dataclass(frozen=True)
class Mount:
    """A mount listeners can tune in to, with what the configuration declares about it."""

    name: str
    #: ``<bitrate>`` read as a whole number (of any size), None when it is no such number.
    bitrate_kbps: int | None
    content_type: str | None
    source_user: str
    #: What to show instead of the source password (never the password itself).
    password_hint: str
    max_listeners: int | None
    #: ``<bitrate>`` as written (stripped; None when unset or blank), and the line that says it.
    bitrate_text: str | None = None
    bitrate_line: int = 0


@dataclass(frozen=True)
class Served:
    """What a configuration serves: its public name, sockets and mounts."""

    target: str
    hostname: str | None
    sockets: tuple[Socket, ...]
    mounts: tuple[Mount, ...]
    clients: int | None

    @property
    def plain(self) -> Socket | None:
        return next((s for s in self.sockets if not s.tls), None)

    @property
    def tls(self) -> Socket | None:
        """The TLS socket to advertise: one on another port than the plain one when there is such."""
        plain = self.plain
        offered = [s for s in self.sockets if s.tls]
        return next((s for s in offered if plain is None or s.port != plain.port), offered[0] if offered else None)

    def status_socket(self) -> Socket | None:
        """The socket to read ``/status-json.xsl`` from: plain first (no certificate involved)."""
        return self.plain or self.tls


def locate(config: str | None) -> tuple[Path, Settings, bool]:
    """The configuration to read, its settings, and whether ``--config`` named it.

    Without ``--config`` it is the settings' ``bake.config`` (relative to the
    settings file), else ``icecast.xml`` next to the settings, else in the
    current directory: the same file ``icecfg bake`` bakes.
    """
    if config:
        return Path(config), settings_near(config), True
    settings = settings_near(None)
    base = settings.path.parent if settings.path is not None else Path.cwd()
    path = base / str(settings.bake.get("config", DEFAULT_CONFIG))
    return path, (settings_near(path) if path.parent != base else settings), False


def read_served(path: str | os.PathLike[str], target: str = "2.4") -> Served:
    """Ports, TLS, mounts and bitrates of the configuration at ``path``; ``UsageError`` if unusable."""
    from icecfg.spec import Dialect

    cfg = load_or_usage_error(path, hint="pass the configuration with --config")
    return _served(cfg, Dialect(target))


def _served(cfg: IcecastConfig, dialect: Dialect) -> Served:
    """What ``up``, ``status`` and ``cost`` need, read from the effective configuration.

    A socket that serves both plain HTTP and TLS (2.5 ``auto``, KH once a
    certificate is set) is listed once for each; a socket that serves nothing
    usable (2.5 TLS without a certificate) or is not bound is left out.
    """
    from icecfg.effective import Source, explain

    eff = explain(cfg, dialect)
    sockets: list[Socket] = []
    for listener in eff.listeners:
        if not listener.port or not listener.binds:
            continue
        if listener.protocol.offers_plain:
            sockets.append(Socket(listener.port, False))
        if listener.protocol.offers_tls:
            sockets.append(Socket(listener.port, True))
    users = {login.mount: login for login in eff.auth.logins if login.role == "source" and login.mount}
    mounts: list[Mount] = []
    for mount in eff.mounts.normal():
        name = mount.name
        if not name or any(c in name for c in "*?["):
            continue  # a pattern, not a mount listeners tune in to
        written = mount.settings.get("bitrate")
        text = written.value.strip() if written is not None and isinstance(written.value, str) else ""
        # ASCII digits only: str.isdigit() also takes "²", which int() refuses
        bitrate = int(text) if text.isascii() and text.isdigit() else None
        content_type = mount.get("type")
        limit = mount.settings.get("max-listeners")
        login = users.get(name)
        mounts.append(
            Mount(
                name=name,
                bitrate_kbps=bitrate,
                content_type=content_type if isinstance(content_type, str) else None,
                source_user=str(login.user.value) if login is not None else "source",
                password_hint=(
                    f"<password of {name} from your config>" if login is not None else "<password from your config>"
                ),
                max_listeners=(
                    limit.value
                    if limit is not None and limit.origin.source is not Source.DEFAULT and isinstance(limit.value, int)
                    else None
                ),
                bitrate_text=text or None,
                bitrate_line=written.origin.line if written is not None else 0,
            )
        )
    hostname = eff.hostname
    written_host = str(hostname.value).strip() if hostname.origin.source is not Source.DEFAULT else ""
    clients = eff.limits.values.get("clients")
    return Served(
        target=dialect.value,
        hostname=written_host or None,
        sockets=tuple(sockets),
        mounts=tuple(mounts),
        clients=clients.value if clients is not None and isinstance(clients.value, int) else None,
    )


def money(amount: Decimal, places: int = 2) -> str:
    """``$1.23``: dollars rounded half up to ``places`` decimals."""
    quantum = Decimal(1).scaleb(-places)
    return f"${amount.quantize(quantum, rounding='ROUND_HALF_UP')}"


def format_duration(seconds: float) -> str:
    """``2h 05m`` (or ``45s`` under a minute, ``3d 4h 05m`` from a day on)."""
    seconds = max(0, int(seconds))
    if seconds < 60:
        return f"{seconds}s"
    minutes, _ = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    if days:
        return f"{days}d {hours}h {minutes:02d}m"
    return f"{hours}h {minutes:02d}m"


def age_seconds(created_at: datetime | None, now: datetime | None = None) -> float:
    """Seconds since ``created_at`` (0 when unknown)."""
    if created_at is None:
        return 0.0
    now = now or datetime.now(timezone.utc)
    return max(0.0, (now - created_at).total_seconds())


def _unverified_tls() -> ssl.SSLContext:
    # A liveness probe: it sends no secret and only asks whether a TLS server
    # answers, so the certificate (issued for the hostname, not the address
    # that is probed) is not checked here.
    import ssl

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def _get(host: str, socket: Socket, path: str, timeout: float, limit: int) -> tuple[int, bytes]:
    import http.client

    connection: http.client.HTTPConnection
    if socket.tls:
        connection = http.client.HTTPSConnection(host, socket.port, timeout=timeout, context=_unverified_tls())
    else:
        connection = http.client.HTTPConnection(host, socket.port, timeout=timeout)
    try:
        connection.request("GET", path, headers={"User-Agent": "icecfg", "Connection": "close"})
        response = connection.getresponse()
        body = response.read(limit) if limit else b""
        return response.status, body
    finally:
        connection.close()


def probe(host: str, socket: Socket, timeout: float = 5.0) -> str | None:
    """``None`` when an HTTP(S) server answers ``GET /`` on the socket, else why not (one line)."""
    import http.client
    import ssl

    try:
        _get(host, socket, "/", timeout, 0)
    except ssl.SSLError as err:
        return f"TLS handshake failed ({err.reason or err})"
    except (OSError, http.client.HTTPException) as err:
        return _reason(err)
    return None


def _reason(err: BaseException) -> str:
    if isinstance(err, OSError) and err.strerror:
        return err.strerror
    text = str(err) or type(err).__name__
    return text.splitlines()[0]


def fetch_status(host: str, socket: Socket, timeout: float = 5.0) -> dict[str, Any]:
    """The ``icestats`` object of ``/status-json.xsl``, with ``source`` always a list.

    Icecast 2.4.4's stylesheet gives ``source`` as an object for one mount
    and leaves it out for none, and until the server has published its
    global stats it emits ``{"icestats":"server_start":...`` (invalid JSON);
    both are normalised.  Raises ``ValueError`` with a one-line reason.
    """
    import http.client
    import json

    try:
        status, body = _get(host, socket, "/status-json.xsl", timeout, _STATUS_LIMIT)
    except (OSError, http.client.HTTPException) as err:
        raise ValueError(f"{socket.scheme}://{host}:{socket.port}/status-json.xsl: {_reason(err)}") from None
    if status != 200:
        raise ValueError(f"{socket.scheme}://{host}:{socket.port}/status-json.xsl answered HTTP {status}")
    text = body.decode("utf-8", "replace")
    broken = '{"icestats":"'
    if text.startswith(broken):
        text = '{"icestats":{' + text[len('{"icestats":') :]
    try:
        doc = json.loads(text, strict=False)
    except ValueError:
        raise ValueError(f"{socket.scheme}://{host}:{socket.port}/status-json.xsl is not valid JSON") from None
    stats = doc.get("icestats") if isinstance(doc, dict) else None
    if not isinstance(stats, dict):
        raise ValueError(f"{socket.scheme}://{host}:{socket.port}/status-json.xsl has no icestats")
    source = stats.get("source")
    stats["source"] = [] if source is None else [source] if isinstance(source, dict) else list(source)
    return stats


def listeners_by_mount(stats: dict[str, Any]) -> dict[str, int]:
    """Current listeners of every mount that has a source, from ``fetch_status``."""
    out: dict[str, int] = {}
    for source in stats.get("source", ()):
        if not isinstance(source, dict):
            continue
        mount = urlsplit(str(source.get("listenurl", ""))).path
        try:
            out[mount] = int(source.get("listeners") or 0)
        except (TypeError, ValueError):
            out[mount] = 0
    return out
