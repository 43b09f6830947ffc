"""A stateful fake of DigitalOcean's public API (v2) on 127.0.0.1, for tests.

It serves real HTTP (stdlib ``ThreadingHTTPServer``) so that python-digitalocean,
icecfg's adapter and Packer's DigitalOcean builder (godo) can all talk to it:

    with FakeDigitalOcean(token="t0k") as fake:
        env = {"DIGITALOCEAN_API_URL": fake.url}            # Packer (host root)
        os.environ["DIGITALOCEAN_END_POINT"] = fake.end_point  # python-digitalocean (.../v2/)

Response shapes follow the OpenAPI spec (``digitalocean/openapi``): root keys
(``droplet``, ``droplets``, ``action``, ``ssh_key``, ``snapshots``, ...),
``links.pages`` with absolute URLs back to the fake and ``meta.total`` on lists,
``{"id": ..., "message": ...}`` errors, ``RateLimit-*`` headers on every
response. Snapshot ids are strings under ``/v2/snapshots`` and integers under
``/v2/images`` and ``/v2/droplets/{id}/snapshots``, as on the real API.

Time moves on its own (or by ``clock``, a monotonic clock a test can drive): a
droplet is ``new`` until ``boot_delay`` seconds after creation, then ``active``; a droplet action is ``in-progress`` for
``action_delay`` seconds and completes on the first request after that (a
``shutdown``/``power_off`` turns the droplet ``off``, a ``snapshot`` creates the
image, listed by ``GET /v2/droplets/{id}/snapshots``). The droplet is
``locked`` while one of its actions is in progress, and a second action is
refused with 422 meanwhile, as DigitalOcean does.

Test controls: :meth:`FakeDigitalOcean.inject` (canned failures),
:meth:`~FakeDigitalOcean.add_snapshot`, :meth:`~FakeDigitalOcean.add_droplet`,
:meth:`~FakeDigitalOcean.add_domain`, :meth:`~FakeDigitalOcean.add_record`,
``requests`` (the log, without the Authorization header), ``state`` (the
model), ``errors`` (exceptions raised while handling a request, answered 500)
and the ``on_droplet_created`` hook.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import ipaddress
import json
import math
import re
import socket
import struct
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    import pytest
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

JSON = dict[str, Any]

#: The token the shared ``fake`` fixture (conftest.py) puts in the environment; tests assert it never leaks.
TOKEN = "dop_v1_fake_do_test_token_5f2c9a0123"

RATE_LIMIT = 5000
RATE_WINDOW_SECONDS = 3600
MAX_PER_PAGE = 200
DEFAULT_PER_PAGE = 20

REGIONS: tuple[tuple[str, str], ...] = (
    ("nyc1", "New York 1"),
    ("nyc3", "New York 3"),
    ("sfo3", "San Francisco 3"),
    ("tor1", "Toronto 1"),
    ("lon1", "London 1"),
    ("ams3", "Amsterdam 3"),
    ("fra1", "Frankfurt 1"),
    ("blr1", "Bangalore 1"),
    ("sgp1", "Singapore 1"),
    ("syd1", "Sydney 1"),
)
REGION_SLUGS = tuple(slug for slug, _ in REGIONS)
REGION_FEATURES = ("backups", "ipv6", "metadata", "install_agent", "storage", "image_transfer")

# Basic (Regular) sizes with the prices of the reference's pricing section:
# hourly = monthly / 672 as the API rounds it, transfer in TB (0.5 = 500 GiB).
SIZES: tuple[JSON, ...] = (
    {
        "slug": "s-1vcpu-512mb-10gb",
        "memory": 512,
        "vcpus": 1,
        "disk": 10,
        "transfer": 0.5,
        "price_monthly": 4.0,
        "price_hourly": 0.00595,
    },
    {
        "slug": "s-1vcpu-1gb",
        "memory": 1024,
        "vcpus": 1,
        "disk": 25,
        "transfer": 1.0,
        "price_monthly": 6.0,
        "price_hourly": 0.00893,
    },
    {
        "slug": "s-1vcpu-2gb",
        "memory": 2048,
        "vcpus": 1,
        "disk": 50,
        "transfer": 2.0,
        "price_monthly": 12.0,
        "price_hourly": 0.01786,
    },
    {
        "slug": "s-2vcpu-2gb",
        "memory": 2048,
        "vcpus": 2,
        "disk": 60,
        "transfer": 3.0,
        "price_monthly": 18.0,
        "price_hourly": 0.02679,
    },
    {
        "slug": "s-2vcpu-4gb",
        "memory": 4096,
        "vcpus": 2,
        "disk": 80,
        "transfer": 4.0,
        "price_monthly": 24.0,
        "price_hourly": 0.03571,
    },
)
SIZE_BY_SLUG = {size["slug"]: size for size in SIZES}

# Public distribution images a droplet can be created from by slug.
DISTRIBUTIONS: tuple[tuple[int, str, str, str, float], ...] = (
    (129211873, "ubuntu-20-04-x64", "Ubuntu", "20.04 (LTS) x64", 0.76),
    (129211874, "ubuntu-22-04-x64", "Ubuntu", "22.04 (LTS) x64", 1.31),
    (129211875, "ubuntu-24-04-x64", "Ubuntu", "24.04 (LTS) x64", 1.87),
    (129211876, "debian-11-x64", "Debian", "11 x64", 0.72),
    (129211877, "debian-12-x64", "Debian", "12 x64", 0.83),
)

ERRORS: dict[int, tuple[str, str]] = {
    400: ("bad_request", "The request was malformed."),
    401: ("unauthorized", "Unable to authenticate you"),
    403: ("forbidden", "You do not have access for the attempted action."),
    404: ("not_found", "The resource you were accessing could not be found."),
    405: ("method_not_allowed", "The method is not allowed for this resource."),
    409: ("conflict", "The request conflicts with the current state of the resource."),
    422: ("unprocessable_entity", "The request could not be processed."),
    429: ("too_many_requests", "API rate limit exceeded."),
    500: ("server_error", "Unexpected server-side error"),
    502: ("bad_gateway", "Bad gateway"),
    503: ("service_unavailable", "The service is temporarily unavailable."),
    504: ("gateway_timeout", "Gateway timeout"),
}

TAG_NAME = re.compile(r"\A[A-Za-z0-9:_-]{1,255}\Z")
DROPLET_NAME = re.compile(r"\A[A-Za-z0-9.-]{1,255}\Z")
RECORD_TYPES = frozenset({"A", "AAAA", "CAA", "CNAME", "MX", "NS", "SOA", "SRV", "TXT"})
KEY_TYPES = frozenset(
    {
        "ssh-rsa",
        "ssh-ed25519",
        "ecdsa-sha2-nistp256",
        "ecdsa-sha2-nistp384",
        "ecdsa-sha2-nistp521",
    }
)
DROPLET_ACTIONS = frozenset({"shutdown", "power_off", "power_on", "reboot", "power_cycle", "snapshot"})


def _iso(when: datetime) -> str:
    return when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def error_body(status: int, message: str | None = None, error_id: str | None = None) -> JSON:
    """The JSON body DigitalOcean sends with an error status."""
    default_id, default_message = ERRORS.get(status, ("error", "Error"))
    return {
        "id": error_id or default_id,
        "message": message or default_message,
        "request_id": str(uuid.uuid4()),
    }


class ApiError(Exception):
    """Raised inside a route to answer with an error status and body."""

    def __init__(self, status: int, message: str | None = None, error_id: str | None = None) -> None:
        super().__init__(message or ERRORS.get(status, ("", ""))[1])
        self.status = status
        self.body = error_body(status, message, error_id)


class RecordedRequest(NamedTuple):
    """One request as the fake received it; the Authorization header is never kept."""

    method: str
    path: str
    query: dict[str, str]
    body: Any


@dataclass
class Injection:
    """A canned answer for the next ``remaining`` requests matching ``method`` and ``pattern``."""

    method: str
    pattern: re.Pattern[str]
    status: int
    remaining: int | None
    headers: dict[str, str]
    body: Any
    query: dict[str, str] = field(default_factory=dict)
    hits: int = 0


@dataclass
class Droplet:
    id: int
    name: str
    region: str
    size: str
    image: JSON
    status: str
    created_at: str
    tags: list[str] = field(default_factory=list)
    ssh_keys: list[int] = field(default_factory=list)
    user_data: str | None = None
    backups: bool = False
    ipv6: bool = False
    monitoring: bool = False
    private_networking: bool = False
    vpc_uuid: str = ""
    snapshot_ids: list[int] = field(default_factory=list)


@dataclass
class Image:
    id: int
    name: str
    type: str
    distribution: str
    regions: list[str]
    created_at: str
    min_disk_size: int
    size_gigabytes: float
    slug: str | None = None
    public: bool = False
    description: str = ""
    tags: list[str] = field(default_factory=list)
    resource_id: int | None = None


@dataclass
class Action:
    id: int
    type: str
    resource_id: int
    resource_type: str
    region: str
    started_at: str
    done_at: float
    status: str = "in-progress"
    completed_at: str | None = None
    params: JSON = field(default_factory=dict)


@dataclass
class Key:
    id: int
    name: str
    public_key: str
    fingerprint: str


@dataclass
class Record:
    id: int
    type: str
    name: str
    data: str
    ttl: int = 1800
    priority: int | None = None
    port: int | None = None
    weight: int | None = None
    flags: int | None = None
    tag: str | None = None


@dataclass
class Domain:
    name: str
    ttl: int = 1800
    records: dict[int, Record] = field(default_factory=dict)


@dataclass
class FakeState:
    """Everything the fake knows; read it in assertions (hold ``fake.lock`` if requests are in flight)."""

    droplets: dict[int, Droplet] = field(default_factory=dict)
    images: dict[int, Image] = field(default_factory=dict)
    actions: dict[int, Action] = field(default_factory=dict)
    keys: dict[int, Key] = field(default_factory=dict)
    tags: set[str] = field(default_factory=set)
    domains: dict[str, Domain] = field(default_factory=dict)


@dataclass
class _Request:
    method: str
    path: str
    query: dict[str, str]
    body: Any


_Answer = tuple[int, Any]

DropletHook = Callable[[JSON, list[str]], None]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fake-digitalocean/1"
    timeout = 30
    # Headers and body go out in two writes; with Nagle's algorithm on, a
    # kept-alive client waits for a delayed ACK (~40 ms) on every response.
    disable_nagle_algorithm = True
    fake: FakeDigitalOcean

    def setup(self) -> None:
        super().setup()
        self.fake._track(self.connection, add=True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.fake._track(self.connection, add=False)

    def do_GET(self) -> None:
        self.fake._serve(self)

    do_POST = do_PUT = do_PATCH = do_DELETE = do_GET

    def log_message(self, format: str, *args: Any) -> None:
        pass


def _fingerprint(public_key: str) -> str:
    """The MD5 fingerprint DigitalOcean shows for an OpenSSH public key; ``ApiError`` if invalid."""
    fields = public_key.split()
    if len(fields) < 2 or fields[0] not in KEY_TYPES:
        raise ApiError(422, "Key invalid, type not supported")
    try:
        blob = base64.b64decode(fields[1], validate=True)
    except (binascii.Error, ValueError):
        raise ApiError(422, "Key invalid, not a base64 key") from None
    if len(blob) < 4:
        raise ApiError(422, "Key invalid")
    (length,) = struct.unpack(">I", blob[:4])
    if blob[4 : 4 + length].decode("ascii", "replace") != fields[0]:
        raise ApiError(422, "Key invalid, type does not match its data")
    digest = hashlib.md5(blob, usedforsecurity=False).hexdigest()
    return ":".join(digest[i : i + 2] for i in range(0, len(digest), 2))


class FakeDigitalOcean:
    """A fake DigitalOcean API on 127.0.0.1; use it as a context manager."""

    def __init__(
        self,
        token: str = "fake-do-token",
        droplet_ip: str = "127.0.0.1",
        boot_delay: float = 0.0,
        action_delay: float = 0.0,
        *,
        snapshot_size_gigabytes: float = 1.42,
        rate_limit: int = RATE_LIMIT,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.token = token
        self.droplet_ip = droplet_ip
        self.boot_delay = boot_delay
        self.action_delay = action_delay
        self.snapshot_size_gigabytes = snapshot_size_gigabytes
        self.rate_limit = rate_limit
        self.clock = clock
        self.on_droplet_created: DropletHook | None = None
        self.state = FakeState()
        self.requests: list[RecordedRequest] = []
        self.errors: list[BaseException] = []
        self.lock = threading.RLock()
        self.account_uuid = str(uuid.uuid4())
        self._injections: list[Injection] = []
        self._ids = {
            "droplet": 3164444,
            "image": 7938000,
            "action": 36804000,
            "key": 512189,
            "record": 28448000,
        }
        self._window_start = time.time()
        self._window_count = 0
        self._connections: set[socket.socket] = set()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        for image_id, slug, distribution, name, size in DISTRIBUTIONS:
            self.state.images[image_id] = Image(
                id=image_id,
                name=name,
                type="base",
                distribution=distribution,
                regions=list(REGION_SLUGS),
                created_at="2024-04-25T12:00:00Z",
                min_disk_size=7,
                size_gigabytes=size,
                slug=slug,
                public=True,
            )

    # -- life cycle -------------------------------------------------------

    def __enter__(self) -> FakeDigitalOcean:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def start(self) -> None:
        handler = type("FakeDigitalOceanHandler", (_Handler,), {"fake": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        with self.lock:
            connections = list(self._connections)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None

    def _track(self, connection: socket.socket, *, add: bool) -> None:
        with self.lock:
            if add:
                self._connections.add(connection)
            else:
                self._connections.discard(connection)

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the fake is not running")
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        """The host root, what Packer's ``api_url`` wants (godo appends ``v2/...``)."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def end_point(self) -> str:
        """``url + "/v2/"``, what python-digitalocean's ``DIGITALOCEAN_END_POINT`` wants."""
        return self.url + "/v2/"

    # -- test controls ----------------------------------------------------

    def inject(
        self,
        method: str,
        path_regex: str,
        status: int,
        times: int | None = 1,
        headers: dict[str, str] | None = None,
        body: Any = None,
        query: dict[str, str] | None = None,
    ) -> Injection:
        """Answer the next ``times`` requests (``None``: all) matching with ``status``.

        ``method`` is an HTTP method or ``"*"``; ``path_regex`` is searched in
        the request path (anchor it to be exact); ``query`` items, if given,
        must all be in the request's query (``{"page": "2"}``). ``body``
        defaults to the standard error body of ``status`` (``bytes`` are sent
        as they are, as an HTML error page); the ``RateLimit-*`` headers are
        sent too, and ``headers`` (e.g. ``{"Retry-After": "2"}``) come on top.
        """
        injection = Injection(
            method=method.upper(),
            pattern=re.compile(path_regex),
            status=status,
            remaining=times,
            headers=dict(headers or {}),
            body=error_body(status) if body is None and status >= 400 else body,
            query=dict(query or {}),
        )
        with self.lock:
            self._injections.append(injection)
        return injection

    def add_snapshot(
        self,
        name: str,
        size_gigabytes: float,
        created_at: datetime | str,
        tags: Iterable[str] = (),
        regions: Iterable[str] = ("fra1",),
        droplet_id: int | None = None,
        *,
        min_disk_size: int = 25,
    ) -> str:
        """Put a droplet snapshot in the account; returns its id as the snapshots API spells it."""
        stamp = created_at if isinstance(created_at, str) else _iso(created_at)
        with self.lock:
            image_id = self._next("image")
            tags = list(tags)
            self.state.tags.update(tags)
            self.state.images[image_id] = Image(
                id=image_id,
                name=name,
                type="snapshot",
                distribution="Ubuntu",
                regions=list(regions),
                created_at=stamp,
                min_disk_size=min_disk_size,
                size_gigabytes=size_gigabytes,
                tags=tags,
                resource_id=droplet_id if droplet_id is not None else self._next("droplet"),
            )
            if droplet_id is not None and droplet_id in self.state.droplets:
                self.state.droplets[droplet_id].snapshot_ids.append(image_id)
        return str(image_id)

    def add_droplet(
        self,
        name: str,
        image_id: int | str,
        tags: Iterable[str] = (),
        status: str = "active",
        *,
        region: str = "fra1",
        size: str = "s-1vcpu-1gb",
    ) -> int:
        """Put a droplet created from ``image_id`` in the account (the image may be gone)."""
        with self.lock:
            image = self.state.images.get(int(image_id))
            if image is not None:
                image_view = self._image_view(image)
            else:
                image_view = {"id": int(image_id), "name": "deleted-image", "type": "snapshot", "regions": []}
            droplet = self._new_droplet(name, region, size, image_view, list(tags), status)
            if status == "new":
                self._new_action("create", droplet.id, "droplet", region, delay=self.boot_delay)
            return droplet.id

    def add_domain(self, name: str, ttl: int = 1800) -> None:
        """A domain with DigitalOcean's default NS and SOA records."""
        with self.lock:
            self._create_domain_state(name, ttl, None)

    def add_record(self, domain: str, type: str, name: str, data: str, ttl: int = 1800) -> int:
        with self.lock:
            record = Record(id=self._next("record"), type=type, name=name, data=data, ttl=ttl)
            self.state.domains[domain].records[record.id] = record
            return record.id

    def advance(self) -> None:
        """Complete every action and boot whose time has come (requests do this too)."""
        with self.lock:
            self._tick()

    # -- request handling -------------------------------------------------

    def _next(self, kind: str) -> int:
        self._ids[kind] += 1
        return self._ids[kind]

    def _rate_headers(self) -> dict[str, str]:
        remaining = max(0, self.rate_limit - self._window_count)
        return {
            "RateLimit-Limit": str(self.rate_limit),
            "RateLimit-Remaining": str(remaining),
            "RateLimit-Reset": str(int(self._window_start + RATE_WINDOW_SECONDS)),
        }

    def _serve(self, handler: _Handler) -> None:
        method = handler.command
        split = urlsplit(handler.path)
        path = split.path
        query = {key: values[-1] for key, values in parse_qs(split.query, keep_blank_values=True).items()}
        raw = self._read_body(handler)
        body: Any = None
        bad_json = False
        if raw.strip():
            try:
                body = json.loads(raw)
            except ValueError:
                bad_json = True
                body = raw.decode("utf-8", "replace")
        hook: tuple[JSON, list[str]] | None = None
        headers: dict[str, str] = {}
        with self.lock:
            self.requests.append(RecordedRequest(method, path, query, body))
            now = time.time()
            if now >= self._window_start + RATE_WINDOW_SECONDS:
                self._window_start, self._window_count = now, 0
            self._window_count += 1
            status, answer, extra = self._answer(handler, _Request(method, path, query, body), bad_json)
            headers.update(self._rate_headers())
            headers.update(extra)
            if isinstance(answer, _HookedAnswer):
                hook = (answer.droplet, answer.public_keys)
                answer = answer.body
        if hook is not None and self.on_droplet_created is not None:
            try:
                self.on_droplet_created(*hook)
            except Exception as exc:
                self.errors.append(exc)
                status, answer = 500, error_body(500, f"on_droplet_created failed: {exc}")
        self._write(handler, status, answer, headers)

    def _answer(self, handler: _Handler, request: _Request, bad_json: bool) -> tuple[int, Any, dict[str, str]]:
        if handler.headers.get("Authorization", "") != f"Bearer {self.token}":
            return 401, error_body(401), {}
        for injection in self._injections:
            if injection.remaining == 0:
                continue
            if injection.method not in ("*", request.method):
                continue
            if not injection.pattern.search(request.path):
                continue
            if any(request.query.get(key) != value for key, value in injection.query.items()):
                continue
            injection.hits += 1
            if injection.remaining is not None:
                injection.remaining -= 1
            return injection.status, injection.body, injection.headers
        if self._window_count > self.rate_limit:
            return 429, error_body(429), {}
        if bad_json:
            return 400, error_body(400, "The request body is not valid JSON."), {}
        try:
            self._tick()
            status, answer = self._route(request)
        except ApiError as exc:
            return exc.status, exc.body, {}
        except Exception as exc:
            self.errors.append(exc)
            return 500, error_body(500), {}
        return status, answer, {}

    @staticmethod
    def _read_body(handler: _Handler) -> bytes:
        if handler.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks: list[bytes] = []
            while True:
                size = int(handler.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while handler.rfile.readline().strip():
                        pass
                    return b"".join(chunks)
                chunks.append(handler.rfile.read(size))
                handler.rfile.readline()
        length = int(handler.headers.get("Content-Length") or 0)
        return handler.rfile.read(length) if length else b""

    @staticmethod
    def _write(handler: _Handler, status: int, body: Any, headers: dict[str, str]) -> None:
        handler.send_response(status)
        for name, value in headers.items():
            handler.send_header(name, value)
        if status == 204:
            handler.end_headers()
            return
        if isinstance(body, bytes):
            payload, kind = body, "text/html"
        else:
            payload, kind = (
                (b"" if body is None else json.dumps(body).encode()),
                "application/json; charset=utf-8",
            )
        handler.send_header("Content-Type", kind)
        handler.send_header("Content-Length", str(len(payload)))
        handler.end_headers()
        handler.wfile.write(payload)

    def _route(self, request: _Request) -> _Answer:
        path = request.path.rstrip("/") or "/"
        allowed = False
        for method, pattern, name in _ROUTES:
            match = pattern.fullmatch(path)
            if match is None:
                continue
            if method != request.method:
                allowed = True
                continue
            params = {key: unquote(value) for key, value in match.groupdict().items()}
            route: Callable[..., _Answer] = getattr(self, "_on_" + name)
            return route(request, **params)
        if allowed:
            raise ApiError(405)
        raise ApiError(404)

    # -- time -------------------------------------------------------------

    def _tick(self) -> None:
        now = self.clock()
        for action in sorted(self.state.actions.values(), key=lambda a: a.id):
            if action.status == "in-progress" and action.done_at <= now:
                self._complete(action)

    def _complete(self, action: Action) -> None:
        action.completed_at = _iso(datetime.now(timezone.utc))
        if action.resource_type == "image":
            image = self.state.images.get(action.resource_id)
            if image is None:
                action.status = "errored"
                return
            region = action.params.get("region")
            if isinstance(region, str) and region not in image.regions:
                image.regions.append(region)
            action.status = "completed"
            return
        droplet = self.state.droplets.get(action.resource_id)
        if droplet is None:
            action.status = "errored"
            return
        action.status = "completed"
        if action.type == "create" and droplet.status == "new":
            droplet.status = "active"
        elif action.type in ("shutdown", "power_off"):
            droplet.status = "off"
        elif action.type in ("power_on", "reboot", "power_cycle"):
            droplet.status = "active"
        elif action.type == "snapshot":
            image_id = self._next("image")
            name = action.params.get("name") or f"{droplet.name}-{int(time.time())}"
            self.state.images[image_id] = Image(
                id=image_id,
                name=str(name),
                type="snapshot",
                distribution=str(droplet.image.get("distribution") or "Unknown"),
                regions=[droplet.region],
                created_at=action.completed_at,
                min_disk_size=int(SIZE_BY_SLUG[droplet.size]["disk"]),
                size_gigabytes=self.snapshot_size_gigabytes,
                resource_id=droplet.id,
            )
            droplet.snapshot_ids.append(image_id)

    def _new_action(
        self,
        kind: str,
        resource_id: int,
        resource_type: str,
        region: str,
        *,
        delay: float,
        params: JSON | None = None,
    ) -> Action:
        action = Action(
            id=self._next("action"),
            type=kind,
            resource_id=resource_id,
            resource_type=resource_type,
            region=region,
            started_at=_iso(datetime.now(timezone.utc)),
            done_at=self.clock() + delay,
            params=dict(params or {}),
        )
        self.state.actions[action.id] = action
        return action

    def _busy(self, droplet_id: int) -> bool:
        return any(
            a.status == "in-progress" and a.resource_type == "droplet" and a.resource_id == droplet_id
            for a in self.state.actions.values()
        )

    def _locked(self, droplet_id: int) -> bool:
        return any(
            a.status == "in-progress"
            and a.resource_type == "droplet"
            and a.resource_id == droplet_id
            and a.type != "create"
            for a in self.state.actions.values()
        )

    # -- views ------------------------------------------------------------

    def _page(self, request: _Request, key: str, items: list[Any]) -> _Answer:
        per_page = _int_param(request.query, "per_page", DEFAULT_PER_PAGE)
        page = _int_param(request.query, "page", 1)
        if per_page < 1 or page < 1:
            raise ApiError(400, "page and per_page must be positive integers")
        per_page = min(per_page, MAX_PER_PAGE)
        total = len(items)
        last = max(1, math.ceil(total / per_page))

        def link(number: int) -> str:
            query = dict(request.query)
            query.update(page=str(number), per_page=str(per_page))
            return f"{self.url}{request.path}?{urlencode(query)}"

        pages: dict[str, str] = {}
        if page > 1:
            pages["first"] = link(1)
            pages["prev"] = link(min(page - 1, last))
        if page < last:
            pages["next"] = link(page + 1)
            pages["last"] = link(last)
        chunk = items[(page - 1) * per_page : page * per_page]
        return 200, {key: chunk, "links": {"pages": pages} if pages else {}, "meta": {"total": total}}

    @staticmethod
    def _region_view(slug: str) -> JSON:
        return {
            "slug": slug,
            "name": dict(REGIONS).get(slug, slug),
            "sizes": [size["slug"] for size in SIZES],
            "available": True,
            "features": list(REGION_FEATURES),
        }

    @staticmethod
    def _size_view(size: JSON) -> JSON:
        return {
            **size,
            "regions": list(REGION_SLUGS),
            "available": True,
            "description": "Basic",
        }

    @staticmethod
    def _image_view(image: Image) -> JSON:
        return {
            "id": image.id,
            "name": image.name,
            "type": image.type,
            "distribution": image.distribution,
            "slug": image.slug,
            "public": image.public,
            "regions": list(image.regions),
            "created_at": image.created_at,
            "min_disk_size": image.min_disk_size,
            "size_gigabytes": image.size_gigabytes,
            "description": image.description,
            "tags": list(image.tags),
            "status": "available",
            "error_message": "",
        }

    @staticmethod
    def _snapshot_view(image: Image) -> JSON:
        return {
            "id": str(image.id),
            "name": image.name,
            "created_at": image.created_at,
            "regions": list(image.regions),
            "resource_id": str(image.resource_id) if image.resource_id is not None else "",
            "resource_type": "droplet",
            "min_disk_size": image.min_disk_size,
            "size_gigabytes": image.size_gigabytes,
            "tags": list(image.tags),
        }

    def _droplet_view(self, droplet: Droplet) -> JSON:
        size = SIZE_BY_SLUG[droplet.size]
        v4: list[JSON] = []
        v6: list[JSON] = []
        if droplet.status != "new":
            gateway = _gateway(self.droplet_ip)
            v4.append(
                {
                    "ip_address": self.droplet_ip,
                    "netmask": "255.255.240.0",
                    "gateway": gateway,
                    "type": "public",
                }
            )
            if droplet.private_networking:
                v4.append(
                    {
                        "ip_address": f"10.114.0.{droplet.id % 250 + 2}",
                        "netmask": "255.255.240.0",
                        "gateway": "10.114.0.1",
                        "type": "private",
                    }
                )
            if droplet.ipv6:
                v6.append(
                    {
                        "ip_address": f"2a03:b0c0:3:d0::{droplet.id % 65536:x}",
                        "netmask": 64,
                        "gateway": "2a03:b0c0:3:d0::1",
                        "type": "public",
                    }
                )
        features = [
            name
            for name, on in (
                ("backups", droplet.backups),
                ("ipv6", droplet.ipv6),
                ("private_networking", droplet.private_networking),
                ("monitoring", droplet.monitoring),
            )
            if on
        ]
        return {
            "id": droplet.id,
            "name": droplet.name,
            "memory": size["memory"],
            "vcpus": size["vcpus"],
            "disk": size["disk"],
            "locked": self._locked(droplet.id),
            "status": droplet.status,
            "kernel": None,
            "created_at": droplet.created_at,
            "features": features,
            "backup_ids": [],
            "next_backup_window": None,
            "snapshot_ids": list(droplet.snapshot_ids),
            "image": dict(droplet.image),
            "volume_ids": [],
            "size": self._size_view(size),
            "size_slug": droplet.size,
            "networks": {"v4": v4, "v6": v6},
            "region": self._region_view(droplet.region),
            "tags": list(droplet.tags),
            "vpc_uuid": droplet.vpc_uuid,
        }

    def _action_view(self, action: Action) -> JSON:
        return {
            "id": action.id,
            "status": action.status,
            "type": action.type,
            "started_at": action.started_at,
            "completed_at": action.completed_at,
            "resource_id": action.resource_id,
            "resource_type": action.resource_type,
            "region": self._region_view(action.region),
            "region_slug": action.region,
        }

    @staticmethod
    def _key_view(key: Key) -> JSON:
        return {"id": key.id, "name": key.name, "fingerprint": key.fingerprint, "public_key": key.public_key}

    @staticmethod
    def _record_view(record: Record) -> JSON:
        return {
            "id": record.id,
            "type": record.type,
            "name": record.name,
            "data": record.data,
            "priority": record.priority,
            "port": record.port,
            "ttl": record.ttl,
            "weight": record.weight,
            "flags": record.flags,
            "tag": record.tag,
        }

    def _tag_view(self, name: str) -> JSON:
        droplets = [d for d in self.state.droplets.values() if name in d.tags]
        images = [i for i in self.state.images.values() if name in i.tags]
        last = None
        if droplets:
            last = f"{self.url}/v2/droplets/{droplets[-1].id}"
        elif images:
            last = f"{self.url}/v2/images/{images[-1].id}"
        return {
            "name": name,
            "resources": {
                "count": len(droplets) + len(images),
                "last_tagged_uri": last,
                "droplets": {"count": len(droplets)},
                "images": {"count": len(images)},
                "volumes": {"count": 0},
                "volume_snapshots": {"count": 0},
                "databases": {"count": 0},
            },
        }

    # -- lookups ----------------------------------------------------------

    def _droplet(self, droplet_id: str | int) -> Droplet:
        droplet = self.state.droplets.get(int(droplet_id))
        if droplet is None:
            raise ApiError(404)
        return droplet

    def _private_snapshot(self, image_id: str) -> Image:
        image = self.state.images.get(int(image_id)) if image_id.isdigit() else None
        if image is None or image.public:
            raise ApiError(404)
        return image

    def _domain(self, name: str) -> Domain:
        domain = self.state.domains.get(name.lower())
        if domain is None:
            raise ApiError(404)
        return domain

    def _key(self, ident: str) -> Key:
        for key in self.state.keys.values():
            if (ident.isdigit() and key.id == int(ident)) or key.fingerprint == ident:
                return key
        raise ApiError(404)

    # -- account and keys -------------------------------------------------

    def _on_get_account(self, request: _Request) -> _Answer:
        return 200, {
            "account": {
                "droplet_limit": 25,
                "floating_ip_limit": 3,
                "volume_limit": 100,
                "email": "icecfg@example.com",
                "name": "icecfg tests",
                "uuid": self.account_uuid,
                "email_verified": True,
                "status": "active",
                "status_message": "",
                "team": {"uuid": self.account_uuid, "name": "My Team"},
            }
        }

    def _on_list_keys(self, request: _Request) -> _Answer:
        return self._page(request, "ssh_keys", [self._key_view(k) for k in self.state.keys.values()])

    def _on_create_key(self, request: _Request) -> _Answer:
        body = _object(request.body)
        name, public_key = body.get("name"), body.get("public_key")
        if not isinstance(name, str) or not name:
            raise ApiError(422, "name is required")
        if not isinstance(public_key, str):
            raise ApiError(422, "public_key is required")
        fingerprint = _fingerprint(public_key)
        if any(k.fingerprint == fingerprint for k in self.state.keys.values()):
            raise ApiError(422, "SSH Key is already in use on your account")
        key = Key(id=self._next("key"), name=name, public_key=public_key.strip(), fingerprint=fingerprint)
        self.state.keys[key.id] = key
        return 201, {"ssh_key": self._key_view(key)}

    def _on_get_key(self, request: _Request, key: str) -> _Answer:
        return 200, {"ssh_key": self._key_view(self._key(key))}

    def _on_update_key(self, request: _Request, key: str) -> _Answer:
        found = self._key(key)
        name = _object(request.body).get("name")
        if isinstance(name, str) and name:
            found.name = name
        return 200, {"ssh_key": self._key_view(found)}

    def _on_delete_key(self, request: _Request, key: str) -> _Answer:
        del self.state.keys[self._key(key).id]
        return 204, None

    # -- droplets ---------------------------------------------------------

    def _new_droplet(
        self,
        name: str,
        region: str,
        size: str,
        image: JSON,
        tags: list[str],
        status: str,
        **options: Any,
    ) -> Droplet:
        self.state.tags.update(tags)
        droplet = Droplet(
            id=self._next("droplet"),
            name=name,
            region=region,
            size=size,
            image=image,
            status=status,
            created_at=_iso(datetime.now(timezone.utc)),
            tags=tags,
            vpc_uuid=str(uuid.uuid5(uuid.NAMESPACE_URL, f"vpc-{region}")),
            **options,
        )
        self.state.droplets[droplet.id] = droplet
        return droplet

    def _on_list_droplets(self, request: _Request) -> _Answer:
        droplets = list(self.state.droplets.values())
        if "tag_name" in request.query:
            droplets = [d for d in droplets if request.query["tag_name"] in d.tags]
        if "name" in request.query:
            droplets = [d for d in droplets if d.name == request.query["name"]]
        return self._page(request, "droplets", [self._droplet_view(d) for d in droplets])

    def _on_create_droplet(self, request: _Request) -> _Answer:
        body = _object(request.body)
        if "names" in body:
            raise ApiError(422, "this fake creates one droplet per request: send name, not names")
        name = body.get("name")
        if not isinstance(name, str) or not DROPLET_NAME.match(name):
            raise ApiError(422, "name is required and must be a valid hostname")
        region = body.get("region")
        if region not in REGION_SLUGS:
            raise ApiError(422, f"You specified an invalid region for Droplet creation: {region!r}")
        size = body.get("size")
        if size not in SIZE_BY_SLUG:
            raise ApiError(422, f"You specified an invalid size for Droplet creation: {size!r}")
        image = self._image_for_create(body.get("image"))
        if image.min_disk_size > int(SIZE_BY_SLUG[size]["disk"]):
            raise ApiError(422, f"The image requires a disk of at least {image.min_disk_size} GB")
        if not image.public and region not in image.regions:
            raise ApiError(422, f"The image is not available in region {region}")
        keys = [self._key_for_create(ident) for ident in _list(body.get("ssh_keys"), "ssh_keys")]
        tags = _list(body.get("tags"), "tags")
        for tag in tags:
            if not isinstance(tag, str) or not TAG_NAME.match(tag):
                raise ApiError(422, f"invalid tag {tag!r}")
        user_data = body.get("user_data")
        if user_data is not None and (not isinstance(user_data, str) or len(user_data) > 65536):
            raise ApiError(422, "user_data must be a string of at most 64 KiB")
        options = {flag: bool(body.get(flag)) for flag in ("backups", "ipv6", "monitoring", "private_networking")}
        droplet = self._new_droplet(
            name,
            str(region),
            str(size),
            self._image_view(image),
            list(tags),
            "new",
            ssh_keys=[key.id for key in keys],
            user_data=user_data,
            **options,
        )
        if isinstance(body.get("vpc_uuid"), str) and body["vpc_uuid"]:
            droplet.vpc_uuid = body["vpc_uuid"]
        action = self._new_action("create", droplet.id, "droplet", region, delay=self.boot_delay)
        view = self._droplet_view(droplet)
        answer = {
            "droplet": view,
            "links": {"actions": [{"id": action.id, "rel": "create", "href": f"{self.url}/v2/actions/{action.id}"}]},
        }
        return 202, _HookedAnswer(answer, view, [key.public_key for key in keys])

    def _image_for_create(self, ident: Any) -> Image:
        image: Image | None = None
        if isinstance(ident, int) and not isinstance(ident, bool):
            image = self.state.images.get(ident)
        elif isinstance(ident, str) and ident.isdigit():
            image = self.state.images.get(int(ident))
        elif isinstance(ident, str):
            image = next((i for i in self.state.images.values() if i.slug == ident), None)
        if image is None:
            raise ApiError(422, f"You specified an invalid image for Droplet creation: {ident!r}")
        return image

    def _key_for_create(self, ident: Any) -> Key:
        for key in self.state.keys.values():
            if ident in (key.id, str(key.id), key.fingerprint):
                return key
        raise ApiError(422, f"ssh_keys: no key {ident!r} on this account")

    def _on_get_droplet(self, request: _Request, id: str) -> _Answer:
        return 200, {"droplet": self._droplet_view(self._droplet(id))}

    def _on_delete_droplet(self, request: _Request, id: str) -> _Answer:
        del self.state.droplets[self._droplet(id).id]
        return 204, None

    def _on_delete_droplets_by_tag(self, request: _Request) -> _Answer:
        tag = request.query.get("tag_name")
        if not tag:
            raise ApiError(422, "tag_name is required to delete droplets by tag")
        for droplet in [d for d in self.state.droplets.values() if tag in d.tags]:
            del self.state.droplets[droplet.id]
        return 204, None

    def _on_list_droplet_actions(self, request: _Request, id: str) -> _Answer:
        droplet = self._droplet(id)
        actions = [
            self._action_view(a)
            for a in self.state.actions.values()
            if a.resource_type == "droplet" and a.resource_id == droplet.id
        ]
        return self._page(request, "actions", actions)

    def _on_post_droplet_action(self, request: _Request, id: str) -> _Answer:
        droplet = self._droplet(id)
        body = _object(request.body)
        kind = body.get("type")
        if kind not in DROPLET_ACTIONS:
            raise ApiError(422, f"unsupported action type {kind!r}")
        params: JSON = {}
        if kind == "snapshot":
            name = body.get("name")
            if name is not None and not isinstance(name, str):
                raise ApiError(422, "name must be a string")
            params["name"] = name
        if self._busy(droplet.id):
            raise ApiError(422, "Droplet already has a pending event.")
        action = self._new_action(kind, droplet.id, "droplet", droplet.region, delay=self.action_delay, params=params)
        return 201, {"action": self._action_view(action)}

    def _on_get_droplet_action(self, request: _Request, id: str, aid: str) -> _Answer:
        action = self.state.actions.get(int(aid))
        if action is None or action.resource_type != "droplet" or action.resource_id != int(id):
            raise ApiError(404)
        return 200, {"action": self._action_view(action)}

    def _on_list_droplet_snapshots(self, request: _Request, id: str) -> _Answer:
        droplet = self._droplet(id)
        images = [self.state.images[i] for i in droplet.snapshot_ids if i in self.state.images]
        return self._page(request, "snapshots", [self._image_view(i) for i in images])

    # -- actions ----------------------------------------------------------

    def _on_list_actions(self, request: _Request) -> _Answer:
        return self._page(request, "actions", [self._action_view(a) for a in self.state.actions.values()])

    def _on_get_action(self, request: _Request, aid: str) -> _Answer:
        action = self.state.actions.get(int(aid))
        if action is None:
            raise ApiError(404)
        return 200, {"action": self._action_view(action)}

    # -- images and snapshots ---------------------------------------------

    def _on_list_images(self, request: _Request) -> _Answer:
        images = list(self.state.images.values())
        if request.query.get("private") == "true":
            images = [i for i in images if not i.public]
        kind = request.query.get("type")
        if kind in ("distribution", "application"):
            images = [i for i in images if i.public and kind == "distribution"]
        elif kind:
            images = [i for i in images if i.type == kind]
        if "tag_name" in request.query:
            images = [i for i in images if request.query["tag_name"] in i.tags]
        return self._page(request, "images", [self._image_view(i) for i in images])

    def _on_get_image(self, request: _Request, image: str) -> _Answer:
        if image.isdigit():
            found = self.state.images.get(int(image))
        else:
            found = next((i for i in self.state.images.values() if i.slug == image), None)
        if found is None:
            raise ApiError(404)
        return 200, {"image": self._image_view(found)}

    def _on_update_image(self, request: _Request, image: str) -> _Answer:
        found = self._private_snapshot(image)
        body = _object(request.body)
        for name in ("name", "description", "distribution"):
            if isinstance(body.get(name), str):
                setattr(found, name, body[name])
        return 200, {"image": self._image_view(found)}

    def _delete_image(self, image: Image) -> None:
        del self.state.images[image.id]
        for droplet in self.state.droplets.values():
            if image.id in droplet.snapshot_ids:
                droplet.snapshot_ids.remove(image.id)

    def _on_delete_image(self, request: _Request, image: str) -> _Answer:
        self._delete_image(self._private_snapshot(image))
        return 204, None

    def _on_post_image_action(self, request: _Request, image: str) -> _Answer:
        found = self._private_snapshot(image)
        body = _object(request.body)
        if body.get("type") != "transfer":
            raise ApiError(422, f"unsupported image action type {body.get('type')!r}")
        region = body.get("region")
        if region not in REGION_SLUGS:
            raise ApiError(422, f"invalid region {region!r}")
        action = self._new_action(
            "transfer",
            found.id,
            "image",
            found.regions[0],
            delay=self.action_delay,
            params={"region": region},
        )
        return 201, {"action": self._action_view(action)}

    def _on_get_image_action(self, request: _Request, image: str, aid: str) -> _Answer:
        action = self.state.actions.get(int(aid))
        if action is None or action.resource_type != "image" or action.resource_id != int(image):
            raise ApiError(404)
        return 200, {"action": self._action_view(action)}

    def _on_list_snapshots(self, request: _Request) -> _Answer:
        kind = request.query.get("resource_type")
        if kind not in (None, "droplet", "volume"):
            raise ApiError(400, f"invalid resource_type {kind!r}")
        images = [] if kind == "volume" else [i for i in self.state.images.values() if i.type == "snapshot"]
        return self._page(request, "snapshots", [self._snapshot_view(i) for i in images])

    def _on_get_snapshot(self, request: _Request, sid: str) -> _Answer:
        return 200, {"snapshot": self._snapshot_view(self._private_snapshot(sid))}

    def _on_delete_snapshot(self, request: _Request, sid: str) -> _Answer:
        self._delete_image(self._private_snapshot(sid))
        return 204, None

    # -- tags -------------------------------------------------------------

    def _on_list_tags(self, request: _Request) -> _Answer:
        return self._page(request, "tags", [self._tag_view(t) for t in sorted(self.state.tags)])

    def _on_create_tag(self, request: _Request) -> _Answer:
        name = _object(request.body).get("name")
        if not isinstance(name, str) or not TAG_NAME.match(name):
            raise ApiError(422, "tag names may contain letters, numbers, colons, dashes and underscores")
        self.state.tags.add(name)
        return 201, {"tag": self._tag_view(name)}

    def _on_get_tag(self, request: _Request, tag: str) -> _Answer:
        if tag not in self.state.tags:
            raise ApiError(404)
        return 200, {"tag": self._tag_view(tag)}

    def _on_delete_tag(self, request: _Request, tag: str) -> _Answer:
        if tag not in self.state.tags:
            raise ApiError(404)
        self.state.tags.discard(tag)
        resources: list[Droplet | Image] = [*self.state.droplets.values(), *self.state.images.values()]
        for resource in resources:
            if tag in resource.tags:
                resource.tags.remove(tag)
        return 204, None

    def _tag_targets(self, request: _Request, tag: str) -> list[Droplet | Image]:
        if tag not in self.state.tags:
            raise ApiError(404, f"tag {tag!r} not found")
        resources = _object(request.body).get("resources")
        if not isinstance(resources, list) or not resources:
            raise ApiError(422, "resources must be a non-empty list")
        targets: list[Droplet | Image] = []
        for item in resources:
            if not isinstance(item, dict):
                raise ApiError(422, "each resource must be an object")
            ident, kind = item.get("resource_id"), item.get("resource_type")
            if not isinstance(ident, str):
                raise ApiError(422, f"resource_id must be a string, got {ident!r}")
            target: Droplet | Image | None = None
            if kind == "droplet" and ident.isdigit():
                target = self.state.droplets.get(int(ident))
            elif kind == "image" and ident.isdigit():
                image = self.state.images.get(int(ident))
                target = image if image is not None and not image.public else None
            elif kind not in ("volume", "volume_snapshot", "database"):
                raise ApiError(422, f"invalid resource_type {kind!r}")
            if target is None:
                raise ApiError(404, f"{kind} {ident} not found")
            targets.append(target)
        return targets

    def _on_tag_resources(self, request: _Request, tag: str) -> _Answer:
        for target in self._tag_targets(request, tag):
            if tag not in target.tags:
                target.tags.append(tag)
        return 204, None

    def _on_untag_resources(self, request: _Request, tag: str) -> _Answer:
        for target in self._tag_targets(request, tag):
            if tag in target.tags:
                target.tags.remove(tag)
        return 204, None

    # -- domains and records ----------------------------------------------

    def _create_domain_state(self, name: str, ttl: int, ip_address: str | None) -> Domain:
        domain = Domain(name=name.lower(), ttl=ttl)
        for host in ("ns1", "ns2", "ns3"):
            record = Record(id=self._next("record"), type="NS", name="@", data=f"{host}.digitalocean.com", ttl=ttl)
            domain.records[record.id] = record
        soa = Record(id=self._next("record"), type="SOA", name="@", data="1800", ttl=ttl)
        domain.records[soa.id] = soa
        if ip_address:
            a = Record(id=self._next("record"), type="A", name="@", data=ip_address, ttl=ttl)
            domain.records[a.id] = a
        self.state.domains[domain.name] = domain
        return domain

    def _domain_view(self, domain: Domain) -> JSON:
        lines = [f"$ORIGIN {domain.name}.", f"$TTL {domain.ttl}"]
        lines += [f"{r.name} IN {r.type} {r.data}" for r in domain.records.values()]
        return {"name": domain.name, "ttl": domain.ttl, "zone_file": "\n".join(lines) + "\n"}

    def _on_list_domains(self, request: _Request) -> _Answer:
        return self._page(request, "domains", [self._domain_view(d) for d in self.state.domains.values()])

    def _on_create_domain(self, request: _Request) -> _Answer:
        body = _object(request.body)
        name = body.get("name")
        if not isinstance(name, str) or "." not in name:
            raise ApiError(422, "name must be a domain name")
        if name.lower() in self.state.domains:
            raise ApiError(422, "Name already in use")
        ip = body.get("ip_address")
        if ip is not None:
            _check_ip(ip, 4)
        domain = self._create_domain_state(name, 1800, ip)
        return 201, {"domain": self._domain_view(domain)}

    def _on_get_domain(self, request: _Request, domain: str) -> _Answer:
        return 200, {"domain": self._domain_view(self._domain(domain))}

    def _on_delete_domain(self, request: _Request, domain: str) -> _Answer:
        del self.state.domains[self._domain(domain).name]
        return 204, None

    def _on_list_records(self, request: _Request, domain: str) -> _Answer:
        found = self._domain(domain)
        records = list(found.records.values())
        if "type" in request.query:
            records = [r for r in records if r.type == request.query["type"].upper()]
        if "name" in request.query:
            # The API filters by the fully qualified name ("www.example.com", or
            # "example.com" for the apex "@"); a relative name matches nothing.
            wanted = request.query["name"].lower().rstrip(".")
            records = [r for r in records if _fqdn(r.name, found.name) == wanted]
        return self._page(request, "domain_records", [self._record_view(r) for r in records])

    def _on_create_record(self, request: _Request, domain: str) -> _Answer:
        found = self._domain(domain)
        body = _object(request.body)
        kind = body.get("type")
        if kind not in RECORD_TYPES:
            raise ApiError(422, f"invalid record type {kind!r}")
        for required in ("name", "data"):
            if not isinstance(body.get(required), str) or not body[required]:
                raise ApiError(422, f"{required} is required")
        record = Record(id=self._next("record"), type=kind, name=_relative(body["name"], found.name), data="")
        self._apply_record(record, body)
        found.records[record.id] = record
        return 201, {"domain_record": self._record_view(record)}

    def _record(self, domain: str, rid: str) -> tuple[Domain, Record]:
        found = self._domain(domain)
        record = found.records.get(int(rid))
        if record is None:
            raise ApiError(404)
        return found, record

    def _on_get_record(self, request: _Request, domain: str, rid: str) -> _Answer:
        return 200, {"domain_record": self._record_view(self._record(domain, rid)[1])}

    def _on_update_record(self, request: _Request, domain: str, rid: str) -> _Answer:
        found, record = self._record(domain, rid)
        body = _object(request.body)
        kind = body.get("type")
        if kind is not None and kind != record.type:
            raise ApiError(422, f"a {record.type} record cannot become {kind!r}")
        if isinstance(body.get("name"), str) and body["name"]:
            record.name = _relative(body["name"], found.name)
        self._apply_record(record, body)
        return 200, {"domain_record": self._record_view(record)}

    _on_patch_record = _on_update_record

    def _on_delete_record(self, request: _Request, domain: str, rid: str) -> _Answer:
        found, record = self._record(domain, rid)
        del found.records[record.id]
        return 204, None

    @staticmethod
    def _apply_record(record: Record, body: JSON) -> None:
        data = body.get("data")
        if data is not None:
            if not isinstance(data, str) or not data:
                raise ApiError(422, "data must be a non-empty string")
            if record.type == "A":
                _check_ip(data, 4)
            elif record.type == "AAAA":
                _check_ip(data, 6)
            record.data = data
        ttl = body.get("ttl")
        if ttl is not None:
            if not isinstance(ttl, int) or isinstance(ttl, bool) or ttl < 30:
                raise ApiError(422, "ttl must be an integer of at least 30")
            record.ttl = ttl
        for name in ("priority", "port", "weight", "flags"):
            value = body.get(name)
            if value is not None:
                if not isinstance(value, int) or isinstance(value, bool):
                    raise ApiError(422, f"{name} must be an integer")
                setattr(record, name, value)
        if isinstance(body.get("tag"), str):
            record.tag = body["tag"]

    # -- regions and sizes ------------------------------------------------

    def _on_list_regions(self, request: _Request) -> _Answer:
        return self._page(request, "regions", [self._region_view(slug) for slug in REGION_SLUGS])

    def _on_list_sizes(self, request: _Request) -> _Answer:
        return self._page(request, "sizes", [self._size_view(size) for size in SIZES])


@dataclass
class _HookedAnswer:
    """A droplet-create answer that also asks for ``on_droplet_created`` to run."""

    body: JSON
    droplet: JSON
    public_keys: list[str]


def _int_param(query: dict[str, str], name: str, default: int) -> int:
    value = query.get(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError:
        raise ApiError(400, f"{name} must be an integer, got {value!r}") from None


def _object(body: Any) -> JSON:
    if body is None:
        return {}
    if not isinstance(body, dict):
        raise ApiError(400, "the request body must be a JSON object")
    return body


def _list(value: Any, name: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ApiError(422, f"{name} must be a list")
    return value


def _check_ip(value: Any, version: int) -> None:
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        address = None
    if address is None or address.version != version:
        raise ApiError(422, f"{value!r} is not an IPv{version} address")


def _gateway(ip: str) -> str:
    try:
        network = ipaddress.ip_network(f"{ip}/20", strict=False)
    except ValueError:
        return ip
    return str(network.network_address + 1)


def _fqdn(name: str, domain: str) -> str:
    return domain if name == "@" else f"{name}.{domain}".lower()


def _relative(name: str, domain: str) -> str:
    name = name.rstrip(".")
    if name.lower() == domain:
        return "@"
    suffix = "." + domain
    return name[: -len(suffix)] if name.lower().endswith(suffix) else name


_LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})


def _is_loopback(host: object) -> bool:
    if not isinstance(host, str):
        return False
    if host in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def record_timers(monkeypatch: pytest.MonkeyPatch) -> list[threading.Timer]:
    """Every ``threading.Timer`` made while the test runs (real timers, kept for their interval and state).

    The adapter's "still waiting" notice is such a timer: a test reads the
    interval it was set to and whether it was cancelled, not how long it took.
    """
    timers: list[threading.Timer] = []

    class RecordingTimer(threading.Timer):
        def __init__(self, interval: float, function: Callable[..., object], args: Any = None) -> None:
            super().__init__(interval, function, args)
            timers.append(self)

    monkeypatch.setattr(threading, "Timer", RecordingTimer)
    return timers


@contextlib.contextmanager
def loopback_only() -> Iterator[list[tuple[str, int]]]:
    """Refuse, for the duration, any name lookup or TCP/UDP connection that is not to loopback.

    Yields the list of ``(host, port)`` every connection attempt went to, so a
    test can also assert *where* code tried to connect.
    """
    attempts: list[tuple[str, int]] = []
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex
    real_getaddrinfo = socket.getaddrinfo

    def check(sock: socket.socket, address: Any) -> None:
        if sock.family in (socket.AF_INET, socket.AF_INET6):
            host, port = address[0], address[1]
            attempts.append((host, port))
            if not _is_loopback(host):
                raise ConnectionRefusedError(f"test guard: refusing to connect to {host}:{port}")

    def connect(sock: socket.socket, address: Any) -> None:
        check(sock, address)
        real_connect(sock, address)

    def connect_ex(sock: socket.socket, address: Any) -> int:
        check(sock, address)
        return real_connect_ex(sock, address)

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host is not None and not _is_loopback(host if isinstance(host, str) else host.decode()):
            raise socket.gaierror(f"test guard: refusing to look up {host!r}")
        return real_getaddrinfo(host, *args, **kwargs)

    socket.socket.connect = connect  # type: ignore[method-assign,assignment]
    socket.socket.connect_ex = connect_ex  # type: ignore[method-assign,assignment]
    socket.getaddrinfo = getaddrinfo
    try:
        yield attempts
    finally:
        socket.socket.connect = real_connect  # type: ignore[method-assign]
        socket.socket.connect_ex = real_connect_ex  # type: ignore[method-assign]
        socket.getaddrinfo = real_getaddrinfo


@contextlib.contextmanager
def in_environment(monkeypatch: pytest.MonkeyPatch, token: str, **options: Any) -> Iterator[FakeDigitalOcean]:
    """A fake that the environment names, as a user's shell would, with only loopback reachable.

    ``DIGITALOCEAN_TOKEN`` holds ``token`` and ``DIGITALOCEAN_END_POINT`` the
    fake; a ``DIGITALOCEAN_ACCESS_TOKEN`` from the shell running the tests is
    removed so that it cannot be the one a command picks up.
    """
    with loopback_only(), FakeDigitalOcean(token=token, **options) as server:
        monkeypatch.setenv("DIGITALOCEAN_TOKEN", token)
        monkeypatch.delenv("DIGITALOCEAN_ACCESS_TOKEN", raising=False)
        monkeypatch.setenv("DIGITALOCEAN_END_POINT", server.end_point)
        yield server


def _routes() -> list[tuple[str, re.Pattern[str], str]]:
    droplet = r"/v2/droplets/(?P<id>\d+)"
    image = r"/v2/images/(?P<image>\d+)"
    record = r"/v2/domains/(?P<domain>[^/]+)/records/(?P<rid>\d+)"
    table = [
        ("GET", r"/v2/account", "get_account"),
        ("GET", r"/v2/account/keys", "list_keys"),
        ("POST", r"/v2/account/keys", "create_key"),
        ("GET", r"/v2/account/keys/(?P<key>[^/]+)", "get_key"),
        ("PUT", r"/v2/account/keys/(?P<key>[^/]+)", "update_key"),
        ("DELETE", r"/v2/account/keys/(?P<key>[^/]+)", "delete_key"),
        ("GET", r"/v2/droplets", "list_droplets"),
        ("POST", r"/v2/droplets", "create_droplet"),
        ("DELETE", r"/v2/droplets", "delete_droplets_by_tag"),
        ("GET", droplet, "get_droplet"),
        ("DELETE", droplet, "delete_droplet"),
        ("GET", droplet + "/actions", "list_droplet_actions"),
        ("POST", droplet + "/actions", "post_droplet_action"),
        ("GET", droplet + r"/actions/(?P<aid>\d+)", "get_droplet_action"),
        ("GET", droplet + "/snapshots", "list_droplet_snapshots"),
        ("GET", r"/v2/actions", "list_actions"),
        ("GET", r"/v2/actions/(?P<aid>\d+)", "get_action"),
        ("GET", r"/v2/images", "list_images"),
        ("GET", r"/v2/images/(?P<image>[^/]+)", "get_image"),
        ("PUT", image, "update_image"),
        ("DELETE", image, "delete_image"),
        ("POST", image + "/actions", "post_image_action"),
        ("GET", image + r"/actions/(?P<aid>\d+)", "get_image_action"),
        ("GET", r"/v2/snapshots", "list_snapshots"),
        ("GET", r"/v2/snapshots/(?P<sid>[^/]+)", "get_snapshot"),
        ("DELETE", r"/v2/snapshots/(?P<sid>[^/]+)", "delete_snapshot"),
        ("GET", r"/v2/tags", "list_tags"),
        ("POST", r"/v2/tags", "create_tag"),
        ("GET", r"/v2/tags/(?P<tag>[^/]+)", "get_tag"),
        ("DELETE", r"/v2/tags/(?P<tag>[^/]+)", "delete_tag"),
        ("POST", r"/v2/tags/(?P<tag>[^/]+)/resources", "tag_resources"),
        ("DELETE", r"/v2/tags/(?P<tag>[^/]+)/resources", "untag_resources"),
        ("GET", r"/v2/domains", "list_domains"),
        ("POST", r"/v2/domains", "create_domain"),
        ("GET", r"/v2/domains/(?P<domain>[^/]+)", "get_domain"),
        ("DELETE", r"/v2/domains/(?P<domain>[^/]+)", "delete_domain"),
        ("GET", r"/v2/domains/(?P<domain>[^/]+)/records", "list_records"),
        ("POST", r"/v2/domains/(?P<domain>[^/]+)/records", "create_record"),
        ("GET", record, "get_record"),
        ("PUT", record, "update_record"),
        ("PATCH", record, "patch_record"),
        ("DELETE", record, "delete_record"),
        ("GET", r"/v2/regions", "list_regions"),
        ("GET", r"/v2/sizes", "list_sizes"),
    ]
    return [(method, re.compile(pattern), name) for method, pattern, name in table]


_ROUTES = _routes()
