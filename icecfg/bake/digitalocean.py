"""The DigitalOcean adapter: the only icecfg module that imports python-digitalocean.

python-digitalocean 1.17 is convenient but has sharp edges this adapter files off:

- **Endpoint.** The library reads ``DIGITALOCEAN_END_POINT`` when it builds an
  object, and the objects a ``Manager`` returns (``Droplet``, ``Image``,
  ``Snapshot``, ``Record``...) do not inherit the ``end_point=`` argument: they
  fall back to the environment variable, or to the real API. So the adapter
  puts its endpoint into ``DIGITALOCEAN_END_POINT`` for the duration of every
  library call (and passes it explicitly too). The URL must end in ``/v2/``
  because the library ``urljoin``\\s relative paths onto it; a host root or a
  missing trailing slash is normalised, anything else rejected.
- **Timeouts, retries, confinement.** The library has no default timeout, no
  retry and no 429 handling, and a 429 or an error body without ``id`` turns
  into ``DataReadError`` or even ``IndexError``. Every request the library makes
  with its ``_session`` goes through :class:`_Transport` instead (the library
  lets keyword arguments overwrite its attributes, ``_session`` included): it
  adds the timeout, retries 429 and 5xx with exponential backoff and jitter
  (honouring ``Retry-After`` and ``RateLimit-Reset``), refuses any URL outside
  the configured endpoint (a pagination ``next`` link included), and turns
  every failure into one-line :class:`DigitalOceanError` before the library
  sees the response.
- **POST and PATCH** bypass the library's session (it calls the module-level
  ``requests.post``/``requests.patch``, which can have neither timeout, retry
  nor endpoint check), so the adapter sends those through the same transport
  itself. Retrying a POST is safe only when it was refused (429): a 5xx may
  come after the droplet or record was created, so POSTs are retried on 5xx
  only where repeating them is harmless (tags).
- **Actions.** ``Action.wait()`` gives up after about 20 polls; the adapter
  polls with its own deadline (:meth:`DigitalOcean.wait_action`).
- **Waiting.** A request has a connect timeout (``ICECFG_DO_CONNECT_TIMEOUT``,
  5 s), a timeout for each try (20 s) and, retries included, a total budget
  (``ICECFG_DO_TIMEOUT``, 60 s, room for a rate-limit wait);
  no single try waits past the budget.  An API that accepts connections and
  never answers would otherwise keep a command silent for minutes, so after
  two seconds without an answer the adapter says on stderr what it is
  waiting for and when it gives up.
"""

from __future__ import annotations

import contextlib
import email.utils
import ipaddress
import logging
import os
import random
import re
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any
from urllib.parse import quote, urlsplit

import digitalocean  # type: ignore[import-untyped]
import requests

from icecfg.bake.snapshots import Snapshot
from icecfg.commands import Failed, UsageError, check_token
from icecfg.version import __version__

__all__ = [
    "BUDGET_ENV",
    "CONNECT_TIMEOUT_ENV",
    "DEFAULT_END_POINT",
    "END_POINT_ENV",
    "Account",
    "Action",
    "DigitalOcean",
    "DigitalOceanError",
    "DigitalOceanSetupError",
    "Droplet",
    "Record",
    "RetryPolicy",
    "Size",
    "Snapshot",
    "normalize_end_point",
]

DEFAULT_END_POINT = "https://api.digitalocean.com/v2/"
END_POINT_ENV = "DIGITALOCEAN_END_POINT"
#: Seconds one request may take, retries included (the default of RetryPolicy.total).
BUDGET_ENV = "ICECFG_DO_TIMEOUT"
DEFAULT_BUDGET = 60.0
#: Seconds to wait for a connection to be accepted.
CONNECT_TIMEOUT_ENV = "ICECFG_DO_CONNECT_TIMEOUT"
DEFAULT_CONNECT_TIMEOUT = 5.0
#: Seconds without an answer after which the adapter says what it waits for.
NOTICE_AFTER = 2.0
TAG_NAME = re.compile(r"\A[A-Za-z0-9:_-]{1,255}\Z")
_IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
_LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
_MAX_SERVER_MESSAGE = 300

log = logging.getLogger(__name__)

# os.environ is process-wide: library calls of adapters with different
# endpoints must not interleave.
_ENV_LOCK = threading.RLock()


class DigitalOceanError(Failed):
    """Any failure talking to DigitalOcean; ``str()`` is one line and never holds the token.

    It is a :class:`~icecfg.commands.Failed`: every command reports it as one
    line and exits 1 (:func:`~icecfg.commands.guarded`).

    ``status`` is the HTTP status when there was an answer, ``error_id`` the
    API's error id (``not_found``, ``too_many_requests``...).
    """

    def __init__(self, message: str, *, status: int | None = None, error_id: str | None = None) -> None:
        self.message = " ".join(message.split())
        super().__init__(self.message)
        self.status = status
        self.error_id = error_id


class DigitalOceanSetupError(DigitalOceanError, UsageError):
    """The adapter is set up wrongly (``DIGITALOCEAN_END_POINT``, ``ICECFG_DO_TIMEOUT``...): no request was made.

    Still a :class:`DigitalOceanError` for callers of the adapter, but a
    :class:`~icecfg.commands.UsageError` for the commands: like a missing
    token it is how icecfg was set up, so it exits 2, not 1.
    """


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to retry: at most ``attempts`` tries within ``total`` seconds.

    The delay before try n+1 is ``Retry-After`` when the answer has one, the
    time until ``RateLimit-Reset`` for a 429 with no requests remaining, and
    otherwise ``base * 2**(n-1)`` capped at ``cap``, of which a random half is
    jitter. A wait that would end past the ``total`` budget is not started,
    and no try waits for an answer past it.
    """

    attempts: int = 5
    total: float = DEFAULT_BUDGET
    base: float = 0.5
    cap: float = 30.0


@dataclass(frozen=True)
class Droplet:
    id: int
    name: str
    status: str
    region: str
    size_slug: str
    image_id: int | None
    public_ipv4: str | None
    tags: tuple[str, ...]
    locked: bool
    created_at: datetime | None
    public_ipv6: str | None = None


@dataclass(frozen=True)
class Action:
    id: int
    type: str
    status: str
    resource_id: int | None
    resource_type: str | None


@dataclass(frozen=True)
class Size:
    slug: str
    price_monthly: float
    price_hourly: float
    transfer: float
    """Included outbound transfer per month, in TB as the API gives it (0.5 = 500 GiB)."""
    vcpus: int
    memory: int
    disk: int
    regions: tuple[str, ...]
    available: bool


@dataclass(frozen=True)
class Record:
    id: int
    type: str
    name: str
    data: str
    ttl: int | None


@dataclass(frozen=True)
class Account:
    email: str
    uuid: str
    status: str
    droplet_limit: int


def normalize_end_point(url: str) -> str:
    """``http(s)://host[:port][/prefix]/v2/`` from a host root or a ``.../v2`` URL.

    Anything else raises :class:`DigitalOceanError`.
    """
    text = url.strip()
    parts = urlsplit(text)
    try:
        port = parts.port
    except ValueError:
        port = None
        text = ""
    host = parts.hostname or ""
    shown = f"{parts.scheme}://{host}{f':{port}' if port else ''}{parts.path}"
    if not text or parts.scheme not in ("http", "https") or not host:
        raise DigitalOceanSetupError(f"DigitalOcean API endpoint is not an http(s) URL: {shown!r}")
    if parts.username is not None or parts.password is not None:
        raise DigitalOceanSetupError(f"DigitalOcean API endpoint must not hold credentials: {shown!r}")
    if parts.query or parts.fragment:
        raise DigitalOceanSetupError(f"DigitalOcean API endpoint must not have a query or fragment: {shown!r}")
    path = parts.path.rstrip("/")
    if not path:
        path = "/v2"
    if not path.endswith("/v2"):
        raise DigitalOceanSetupError(
            f"DigitalOcean API endpoint must end in /v2/ (python-digitalocean joins paths onto it): {shown!r}"
        )
    netloc = f"[{host}]" if ":" in host else host
    if port is not None:
        netloc += f":{port}"
    return f"{parts.scheme}://{netloc}{path}/"


def _parse_time(value: Any) -> datetime:
    if not isinstance(value, str):
        raise ValueError(f"not a timestamp: {value!r}")
    when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return when.astimezone(timezone.utc)


def _retry_after(value: str | None, now: float) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - now)


class _Secret:
    """The API token, kept out of ``repr()``, ``vars()`` dumps and tracebacks with locals."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "<token hidden>"

    __str__ = __repr__


class _Transport:
    """What python-digitalocean uses as its ``requests.Session``, and what the adapter's own calls use.

    Only ``2xx`` answers come back; everything else raises :class:`DigitalOceanError`.
    """

    def __init__(
        self,
        end_point: str,
        token: _Secret,
        *,
        timeout: float,
        connect_timeout: float,
        retry: RetryPolicy,
        sleep: Callable[[float], None],
        clock: Callable[[], float],
        wallclock: Callable[[], float],
        rng: random.Random,
        notice_after: float | None,
        notify: Callable[[str], None],
    ) -> None:
        self._end_point = end_point
        parts = urlsplit(end_point)
        self._origin = (parts.scheme, parts.netloc.lower())
        self._prefix = parts.path
        self._token = token
        self._timeout = timeout
        self._connect_timeout = connect_timeout
        self._notice_after = notice_after
        self._notify = notify
        self._retry = retry
        self._sleep = sleep
        self._clock = clock
        self._wallclock = wallclock
        self._rng = rng
        self._session = requests.Session()
        # No ~/.netrc (requests would replace the Bearer header with Basic auth
        # from it) and no proxy picked up implicitly; a proxy configured in the
        # environment is still used for a non-loopback endpoint.
        self._session.trust_env = False
        if (parts.hostname or "") not in _LOOPBACK_HOSTS:
            self._session.proxies.update(requests.utils.get_environ_proxies(end_point))
        self._session.headers["User-Agent"] = f"icecfg/{__version__} {self._session.headers['User-Agent']}"

    def scrub(self, text: str) -> str:
        token = self._token.reveal()
        return text.replace(token, "[token]") if token else text

    def fail(self, message: str, *, status: int | None = None, error_id: str | None = None) -> DigitalOceanError:
        return DigitalOceanError(self.scrub(message), status=status, error_id=error_id)

    def url(self, path: str) -> str:
        return self._end_point + path.lstrip("/")

    def _check(self, method: str, url: str) -> str:
        parts = urlsplit(url)
        if (parts.scheme, parts.netloc.lower()) != self._origin or not parts.path.startswith(self._prefix):
            where = f"{parts.scheme}://{parts.hostname or ''}{parts.path}"
            raise self.fail(f"refusing {method} {where}: outside the configured endpoint {self._end_point}")
        return parts.path

    # The library calls these three with its own headers and, if
    # PYTHON_DIGITALOCEAN_REQUEST_TIMEOUT_SEC is set, a timeout.
    def get(self, url: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", url, **kwargs)

    def put(self, url: str, **kwargs: Any) -> requests.Response:
        return self.request("PUT", url, **kwargs)

    def delete(self, url: str, **kwargs: Any) -> requests.Response:
        return self.request("DELETE", url, **kwargs)

    def close(self) -> None:
        self._session.close()

    def request(
        self, method: str, url: str, *, retry_server_errors: bool | None = None, **kwargs: Any
    ) -> requests.Response:
        """Send with timeout and retries; returns the 2xx ``requests.Response``."""
        method = method.upper()
        path = self._check(method, url)
        if retry_server_errors is None:
            retry_server_errors = method in _IDEMPOTENT
        headers = dict(kwargs.pop("headers", None) or {})
        headers["Authorization"] = f"Bearer {self._token.reveal()}"
        headers.setdefault("Content-Type", "application/json")
        kwargs["headers"] = headers
        kwargs["allow_redirects"] = False
        deadline = self._clock() + self._retry.total
        with self._notice(method, path):
            return self._attempts(method, url, path, deadline, retry_server_errors, kwargs)

    @contextlib.contextmanager
    def _notice(self, method: str, path: str) -> Iterator[None]:
        """Say on stderr what a request that has not answered for a while waits for."""
        if self._notice_after is None:
            yield
            return
        message = (
            f"waiting for the DigitalOcean API ({method} {path} at {self._end_point}); "
            f"giving up after {self._retry.total:g} s ({BUDGET_ENV} sets this)"
        )
        timer = threading.Timer(self._notice_after, self._notify, args=(message,))
        timer.daemon = True
        timer.start()
        try:
            yield
        finally:
            timer.cancel()

    def _attempts(
        self, method: str, url: str, path: str, deadline: float, retry_server_errors: bool, kwargs: dict[str, Any]
    ) -> requests.Response:
        attempt = 0
        while True:
            attempt += 1
            response = None
            started = self._clock()
            remaining = max(deadline - started, 0.001)
            read_timeout = min(self._timeout, remaining)
            kwargs["timeout"] = (min(self._connect_timeout, remaining), read_timeout)
            try:
                response = self._session.request(method, url, **kwargs)
            except requests.ConnectTimeout:
                failure = self.fail(
                    f"{method} {path}: {self._end_point} accepted no connection within "
                    f"{round(min(self._connect_timeout, remaining), 1):g} s"
                )
            except requests.Timeout:
                failure = self.fail(f"{method} {path}: no answer within {round(read_timeout, 1):g} s")
            except requests.ConnectionError as exc:
                failure = self.fail(f"{method} {path}: cannot connect to {self._end_point} ({_reason(exc)})")
            except requests.RequestException as exc:
                raise self.fail(f"{method} {path}: {type(exc).__name__}: {_reason(exc)}") from None
            if response is not None:
                log.debug("%s %s -> %s (%.2f s)", method, path, response.status_code, self._clock() - started)
                if 200 <= response.status_code < 300:
                    return response
                failure = self._error(method, path, response)
                status = response.status_code
                retryable = status == 429 or (status >= 500 and retry_server_errors)
            else:
                retryable = retry_server_errors
            if not retryable:
                raise failure
            delay = self._delay(response, attempt)
            if attempt >= self._retry.attempts:
                raise self.fail(
                    f"{failure.message} (gave up after {attempt} attempts)",
                    status=failure.status,
                    error_id=failure.error_id,
                )
            if self._clock() + delay >= deadline:
                raise self.fail(
                    f"{failure.message} (gave up: a retry in {round(delay, 1):g} s would exceed the "
                    f"{self._retry.total:g} s budget, which {BUDGET_ENV} sets)",
                    status=failure.status,
                    error_id=failure.error_id,
                )
            log.info(
                "%s; retrying in %.1f s (attempt %d of %d)",
                failure.message,
                delay,
                attempt + 1,
                self._retry.attempts,
            )
            self._sleep(delay)

    def _error(self, method: str, path: str, response: requests.Response) -> DigitalOceanError:
        status = int(response.status_code)
        error_id: str | None = None
        message = ""
        try:
            body = response.json()
        except ValueError:
            body = None
        if isinstance(body, dict):
            error_id = body.get("id") if isinstance(body.get("id"), str) else None
            message = str(body.get("message") or "")
        if not message:
            message = str(response.reason or "no message")
        if len(message) > _MAX_SERVER_MESSAGE:
            message = message[:_MAX_SERVER_MESSAGE] + "..."
        label = f"HTTP {status}" + (f" {error_id}" if error_id else "")
        return self.fail(f"{method} {path}: {label}: {message}", status=status, error_id=error_id)

    def _delay(self, response: requests.Response | None, attempt: int) -> float:
        if response is not None:
            headers = response.headers
            after = _retry_after(headers.get("Retry-After"), self._wallclock())
            if after is not None:
                return after
            reset = headers.get("RateLimit-Reset")
            if response.status_code == 429 and reset and headers.get("RateLimit-Remaining") == "0":
                try:
                    return max(0.0, float(reset) - self._wallclock())
                except ValueError:
                    pass
        backoff = min(self._retry.cap, self._retry.base * 2.0 ** (attempt - 1))
        return backoff / 2 + self._rng.uniform(0, backoff / 2)


def _reason(exc: BaseException) -> str:
    """The innermost cause of a requests/urllib3 error, e.g. ``Connection refused``.

    requests wraps urllib3's ``MaxRetryError``, whose ``reason`` wraps the
    ``OSError``; their ``str()`` spans object reprs and is not for users.
    """
    seen: set[int] = set()
    inner = exc
    while id(inner) not in seen:
        seen.add(id(inner))
        reason = getattr(inner, "reason", None)
        first = inner.args[0] if inner.args else None
        nxt = (
            reason
            if isinstance(reason, BaseException)
            else inner.__cause__ or inner.__context__ or (first if isinstance(first, BaseException) else None)
        )
        if nxt is None:
            break
        inner = nxt
    if isinstance(inner, OSError) and inner.strerror:
        return inner.strerror
    text = str(inner)
    return text.rsplit(": ", 1)[-1] if ": " in text else text or type(inner).__name__


#: The most seconds ``ICECFG_DO_TIMEOUT`` and ``ICECFG_DO_CONNECT_TIMEOUT`` take: beyond an
#: hour a request that hangs is waited on as good as for ever.
MAX_WAIT_SECONDS = 3600


def _seconds_from_environment(name: str, default: float) -> float:
    """A number of seconds above 0 and at most :data:`MAX_WAIT_SECONDS` from the variable ``name``, else ``default``."""
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0 < value <= MAX_WAIT_SECONDS:  # NaN compares false: refused too
        raise DigitalOceanSetupError(
            f"{name} must be a number of seconds above 0, at most {MAX_WAIT_SECONDS}, not {text!r}"
        )
    return value


def _to_stderr(message: str) -> None:
    print(f"icecfg: {message}", file=sys.stderr, flush=True)


class DigitalOcean:
    """What icecfg's bake, snapshots, prune, up and down commands need from DigitalOcean.

    ``token`` comes from the caller (the CLI reads ``DIGITALOCEAN_TOKEN`` or
    ``DIGITALOCEAN_ACCESS_TOKEN``). ``end_point`` defaults to
    ``$DIGITALOCEAN_END_POINT``, then to the real API. ``timeout`` is how long
    one try waits for an answer, ``connect_timeout`` (default
    ``$ICECFG_DO_CONNECT_TIMEOUT``, else 5 s) for a connection, and
    ``retry.total`` (default ``$ICECFG_DO_TIMEOUT``, else 60 s) how long a
    request may take, retries included. After ``notice_after`` seconds
    without an answer ``notify`` (default: a line on stderr) hears what the
    request waits for; None keeps quiet. ``sleep``, ``clock``, ``wallclock``
    and ``rng`` are there for tests.
    """

    def __init__(
        self,
        token: str,
        end_point: str | None = None,
        *,
        timeout: float = 20.0,
        connect_timeout: float | None = None,
        retry: RetryPolicy | None = None,
        per_page: int = 200,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        wallclock: Callable[[], float] = time.time,
        rng: random.Random | None = None,
        notice_after: float | None = NOTICE_AFTER,
        notify: Callable[[str], None] | None = None,
    ) -> None:
        token = (token or "").strip()
        if not token:
            raise DigitalOceanError("no DigitalOcean API token: set DIGITALOCEAN_TOKEN or DIGITALOCEAN_ACCESS_TOKEN")
        try:
            check_token(token)
        except UsageError as err:
            raise DigitalOceanSetupError(str(err)) from None
        if timeout <= 0:
            raise ValueError(f"timeout must be positive, got {timeout}")
        if not 1 <= per_page <= 200:
            raise ValueError(f"per_page must be 1..200, got {per_page}")
        self._token = _Secret(token)
        self.end_point = normalize_end_point(end_point or os.environ.get(END_POINT_ENV) or DEFAULT_END_POINT)
        self.per_page = per_page
        self._sleep = sleep
        self._clock = clock
        if connect_timeout is None:
            connect_timeout = _seconds_from_environment(CONNECT_TIMEOUT_ENV, DEFAULT_CONNECT_TIMEOUT)
        if connect_timeout <= 0:
            raise ValueError(f"connect_timeout must be positive, got {connect_timeout}")
        if retry is None:
            retry = RetryPolicy(total=_seconds_from_environment(BUDGET_ENV, DEFAULT_BUDGET))
        self._transport = _Transport(
            self.end_point,
            self._token,
            timeout=timeout,
            connect_timeout=connect_timeout,
            retry=retry,
            sleep=sleep,
            clock=clock,
            wallclock=wallclock,
            rng=rng or random.Random(),
            notice_after=notice_after,
            notify=notify or _to_stderr,
        )

    def __repr__(self) -> str:
        return f"DigitalOcean(end_point={self.end_point!r})"

    def close(self) -> None:
        self._transport.close()

    def __enter__(self) -> DigitalOcean:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- plumbing ---------------------------------------------------------

    @contextlib.contextmanager
    def _calling(self, what: str) -> Iterator[None]:
        """Run library code with our endpoint in the environment; map every failure to one error."""
        with _ENV_LOCK:
            previous = os.environ.get(END_POINT_ENV)
            os.environ[END_POINT_ENV] = self.end_point
            try:
                yield
            except DigitalOceanError as exc:
                raise self._transport.fail(f"{what}: {exc.message}", status=exc.status, error_id=exc.error_id) from None
            except digitalocean.Error as exc:
                detail = str(exc) or type(exc).__name__
                raise self._transport.fail(f"{what}: {detail}") from None
            except (KeyError, IndexError, TypeError, ValueError, AttributeError) as exc:
                raise self._transport.fail(
                    f"{what}: unexpected answer from the API ({type(exc).__name__}: {exc})"
                ) from None
            finally:
                if previous is None:
                    os.environ.pop(END_POINT_ENV, None)
                else:
                    os.environ[END_POINT_ENV] = previous

    def _library(self, cls: Any, **fields: Any) -> Any:
        # end_point= and _session= overwrite what BaseAPI.__init__ set up.
        return cls(token=self._token.reveal(), end_point=self.end_point, _session=self._transport, **fields)

    def _get(self, path: str, params: Mapping[str, str] | None = None) -> dict[str, Any]:
        """A GET through the library, which follows ``links.pages.next`` and merges the lists."""
        manager = self._library(digitalocean.Manager)
        data = manager.get_data(path, params={"per_page": self.per_page, **(params or {})})
        if not isinstance(data, dict):
            raise ValueError(f"expected a JSON object from {path}")
        return data

    def _send(self, method: str, path: str, body: Mapping[str, Any], *, retry_server_errors: bool) -> dict[str, Any]:
        response = self._transport.request(
            method, self._transport.url(path), json=dict(body), retry_server_errors=retry_server_errors
        )
        if response.status_code == 204 or not response.content:
            return {}
        data = response.json()
        if not isinstance(data, dict):
            raise ValueError(f"expected a JSON object from {path}")
        return data

    # -- account, sizes ---------------------------------------------------

    def account(self) -> Account:
        """``GET /v2/account`` (also a cheap check that the token works)."""
        with self._calling("reading the account"):
            data = self._get("account/")["account"]
            return Account(
                email=str(data.get("email") or ""),
                uuid=str(data.get("uuid") or ""),
                status=str(data.get("status") or ""),
                droplet_limit=int(data.get("droplet_limit") or 0),
            )

    def sizes(self) -> list[Size]:
        """Every droplet size with its prices (``GET /v2/sizes``, all pages)."""
        with self._calling("listing droplet sizes"):
            return [
                Size(
                    slug=str(item["slug"]),
                    price_monthly=float(item["price_monthly"]),
                    price_hourly=float(item["price_hourly"]),
                    transfer=float(item.get("transfer") or 0),
                    vcpus=int(item.get("vcpus") or 0),
                    memory=int(item.get("memory") or 0),
                    disk=int(item.get("disk") or 0),
                    regions=tuple(item.get("regions") or ()),
                    available=bool(item.get("available", True)),
                )
                for item in self._get("sizes/")["sizes"]
            ]

    # -- snapshots --------------------------------------------------------

    def snapshots(self, tag: str | None = None) -> list[Snapshot]:
        """Droplet snapshots, all pages of ``GET /v2/snapshots?resource_type=droplet``.

        With ``tag``, only those tagged so; that endpoint has no tag filter, so
        the filtering happens here.
        """
        with self._calling("listing snapshots"):
            result = [_snapshot(item) for item in self._get("snapshots/", {"resource_type": "droplet"})["snapshots"]]
        return [s for s in result if tag is None or tag in s.tags]

    def images_in_use(self) -> set[str]:
        """Ids (as strings) of the images existing droplets were created from."""
        with self._calling("listing droplets"):
            droplets = self._get("droplets/")["droplets"]
            return {
                str(d["image"]["id"])
                for d in droplets
                if isinstance(d.get("image"), dict) and d["image"].get("id") is not None
            }

    def tag_snapshot(self, snapshot_id: str, tag: str) -> None:
        """Tag a droplet snapshot, creating the tag if needed.

        Sent directly: the library's ``Tag.add_snapshots`` uses the resource type
        ``volume_snapshot``, while droplet snapshots are ``image`` resources (as
        Packer tags them). Tagging is idempotent, so 5xx answers are retried.
        """
        if not TAG_NAME.match(tag):
            raise DigitalOceanError(f"invalid tag name {tag!r}: letters, digits, ':', '_' and '-' only")
        path = f"tags/{quote(tag, safe='')}/resources"
        body = {"resources": [{"resource_id": str(snapshot_id), "resource_type": "image"}]}
        with self._calling(f"tagging snapshot {snapshot_id} with {tag!r}"):
            try:
                self._send("POST", path, body, retry_server_errors=True)
            except DigitalOceanError as exc:
                if exc.status != 404:
                    raise
                self._send("POST", "tags", {"name": tag}, retry_server_errors=True)
                self._send("POST", path, body, retry_server_errors=True)

    def delete_snapshot(self, snapshot_id: str) -> None:
        """``DELETE /v2/snapshots/{id}``."""
        with self._calling(f"deleting snapshot {snapshot_id}"):
            self._library(digitalocean.Snapshot, id=str(snapshot_id)).destroy()

    # -- droplets and actions ---------------------------------------------

    def droplets(self, tag: str | None = None) -> list[Droplet]:
        """Droplets, all of them or those tagged ``tag`` (``GET /v2/droplets?tag_name=``)."""
        params = {"tag_name": tag} if tag else {}
        with self._calling("listing droplets"):
            return [_droplet(d) for d in self._get("droplets/", params)["droplets"]]

    def droplet(self, droplet_id: int) -> Droplet:
        with self._calling(f"reading droplet {droplet_id}"):
            return _droplet(self._get(f"droplets/{int(droplet_id)}")["droplet"])

    def create_droplet(
        self,
        name: str,
        region: str,
        size: str,
        image: int | str,
        *,
        ssh_keys: Iterable[int | str] = (),
        tags: Iterable[str] = (),
        user_data: str | None = None,
        monitoring: bool = False,
        ipv6: bool = False,
    ) -> Droplet:
        """``POST /v2/droplets`` for one droplet; ``image`` is a snapshot id or a slug.

        Sent directly (the library's ``Droplet.create`` uses ``requests.post``
        with no timeout). Retried on 429 only: after a 5xx the droplet may exist.
        """
        body: dict[str, Any] = {
            "name": name,
            "region": region,
            "size": size,
            "image": int(image) if isinstance(image, int) or str(image).isdigit() else image,
            "ssh_keys": list(ssh_keys),
            "tags": list(tags),
            "monitoring": monitoring,
            "ipv6": ipv6,
        }
        if user_data is not None:
            body["user_data"] = user_data
        with self._calling(f"creating droplet {name!r}"):
            return _droplet(self._send("POST", "droplets", body, retry_server_errors=False)["droplet"])

    def destroy_droplet(self, droplet_id: int) -> None:
        """``DELETE /v2/droplets/{id}``."""
        with self._calling(f"destroying droplet {droplet_id}"):
            self._library(digitalocean.Droplet, id=int(droplet_id)).destroy()

    def droplet_action(self, droplet_id: int, kind: str, **params: Any) -> Action:
        """``POST /v2/droplets/{id}/actions``.

        ``kind`` is ``shutdown``, ``power_off``, ``power_on``, ``snapshot`` (with ``name=``)...
        """
        body = {"type": kind, **params}
        with self._calling(f"{kind} of droplet {droplet_id}"):
            data = self._send("POST", f"droplets/{int(droplet_id)}/actions", body, retry_server_errors=False)
            return _action(data["action"])

    def action(self, action_id: int) -> Action:
        with self._calling(f"reading action {action_id}"):
            return _action(self._get(f"actions/{int(action_id)}")["action"])

    def wait_action(self, action_id: int, timeout: float = 1800.0, interval: float = 5.0) -> Action:
        """Poll ``GET /v2/actions/{id}`` until ``completed``.

        Raises :class:`DigitalOceanError` if the action errors or ``timeout`` runs out.
        """
        deadline = self._clock() + timeout
        while True:
            action = self.action(action_id)
            if action.status == "completed":
                return action
            if action.status == "errored":
                raise DigitalOceanError(f"action {action_id} ({action.type}) failed on DigitalOcean's side")
            remaining = deadline - self._clock()
            if remaining <= 0:
                raise DigitalOceanError(f"action {action_id} ({action.type}) still {action.status} after {timeout:g} s")
            self._sleep(min(interval, remaining))

    def wait_droplet(
        self, droplet_id: int, status: str = "active", timeout: float = 600.0, interval: float = 3.0
    ) -> Droplet:
        """Poll the droplet until it has ``status`` and is not locked."""
        deadline = self._clock() + timeout
        while True:
            droplet = self.droplet(droplet_id)
            if droplet.status == status and not droplet.locked:
                return droplet
            remaining = deadline - self._clock()
            if remaining <= 0:
                raise DigitalOceanError(
                    f"droplet {droplet_id} is still {droplet.status}"
                    f"{' (locked)' if droplet.locked else ''} after {timeout:g} s, expected {status}"
                )
            self._sleep(min(interval, remaining))

    # -- DNS --------------------------------------------------------------

    def domain_records(self, domain: str, type: str | None = None, name: str | None = None) -> list[Record]:
        """Records of ``domain`` (all pages); ``name`` is the fully qualified name, as the API filters."""
        params = {key: value for key, value in (("type", type), ("name", name)) if value}
        with self._calling(f"listing DNS records of {domain}"):
            items = self._get(f"domains/{quote(domain, safe='')}/records/", params)["domain_records"]
            return [_record(item) for item in items]

    def upsert_a_record(self, domain: str, name: str, ip: str, ttl: int = 60) -> Record:
        """Make ``name`` (relative, ``@`` for the apex) in ``domain`` an A record for ``ip`` alone.

        IPv4 only; see :meth:`upsert_address_record`.
        """
        if _ip_version(ip) != 4:
            raise DigitalOceanError(f"not an IPv4 address: {ip!r}")
        return self.upsert_address_record(domain, name, ip, ttl)

    def upsert_address_record(self, domain: str, name: str, ip: str, ttl: int = 60) -> Record:
        """Make ``name`` (relative, ``@`` for the apex) in ``domain`` point at ``ip`` alone.

        An A record for an IPv4 address, an AAAA record for an IPv6 one.
        Updates the existing record of that type (preferring one that already
        holds ``ip``), deletes further records of that type and name so the
        name does not round-robin to stale addresses, or creates one. Records
        of the other address type are left alone.
        """
        version = _ip_version(ip)
        if version is None:
            raise DigitalOceanError(f"not an IP address: {ip!r}")
        kind = "A" if version == 4 else "AAAA"
        if version == 6:
            ip = str(ipaddress.IPv6Address(ip))  # the compressed form, as the API gives it back
        relative = "@" if name in ("", "@", domain) else name.removesuffix("." + domain)
        fqdn = domain if relative == "@" else f"{relative}.{domain}"
        # The API's name filter should do this; checking again costs nothing.
        existing = sorted(
            (r for r in self.domain_records(domain, type=kind, name=fqdn) if r.type == kind and r.name == relative),
            key=lambda r: (r.data != ip, r.id),
        )
        where = f"{fqdn} {kind} {ip}"
        with self._calling(f"setting {where}"):
            if not existing:
                body = {"type": kind, "name": relative, "data": ip, "ttl": ttl}
                data = self._send("POST", f"domains/{quote(domain, safe='')}/records", body, retry_server_errors=False)
                return _record(data["domain_record"])
            keep, extra = existing[0], existing[1:]
            for record in extra:
                self._library(digitalocean.Record, domain_name=domain, id=record.id).destroy()
            if keep.data == ip and keep.ttl == ttl:
                return keep
            # Sent directly: the library's Record.save() PUTs every field,
            # nulls and a misspelt "tags" included.
            body = {"type": kind, "data": ip, "ttl": ttl}
            path = f"domains/{quote(domain, safe='')}/records/{keep.id}"
            return _record(self._send("PUT", path, body, retry_server_errors=True)["domain_record"])

    def delete_record(self, domain: str, record_id: int) -> None:
        """``DELETE /v2/domains/{domain}/records/{id}``."""
        with self._calling(f"deleting DNS record {record_id} of {domain}"):
            self._library(digitalocean.Record, domain_name=domain, id=int(record_id)).destroy()


def _ip_version(ip: str) -> int | None:
    """4 or 6 for an IP address, ``None`` for anything else."""
    try:
        return ipaddress.ip_address(ip).version
    except ValueError:
        return None


def _snapshot(item: Mapping[str, Any]) -> Snapshot:
    resource = item.get("resource_id")
    return Snapshot(
        id=str(item["id"]),
        name=str(item["name"]),
        created_at=_parse_time(item["created_at"]),
        size_gigabytes=float(item.get("size_gigabytes") or 0),
        min_disk_size=int(item.get("min_disk_size") or 0),
        regions=tuple(str(r) for r in item.get("regions") or ()),
        tags=tuple(str(t) for t in item.get("tags") or ()),
        resource_id=str(resource) if resource not in (None, "") else None,
    )


def _droplet(item: Mapping[str, Any]) -> Droplet:
    networks = item.get("networks") or {}
    public = next(
        (n.get("ip_address") for n in networks.get("v4") or () if n.get("type") == "public"),
        None,
    )
    public6 = next(
        (n.get("ip_address") for n in networks.get("v6") or () if n.get("type") == "public"),
        None,
    )
    image = item.get("image") or {}
    region = item.get("region") or {}
    created = item.get("created_at")
    return Droplet(
        id=int(item["id"]),
        name=str(item["name"]),
        status=str(item["status"]),
        region=str(region.get("slug") or "") if isinstance(region, dict) else str(region),
        size_slug=str(item.get("size_slug") or ""),
        image_id=int(image["id"]) if isinstance(image, dict) and image.get("id") is not None else None,
        public_ipv4=str(public) if public else None,
        tags=tuple(str(t) for t in item.get("tags") or ()),
        locked=bool(item.get("locked", False)),
        created_at=_parse_time(created) if created else None,
        public_ipv6=str(public6) if public6 else None,
    )


def _action(item: Mapping[str, Any]) -> Action:
    resource = item.get("resource_id")
    return Action(
        id=int(item["id"]),
        type=str(item.get("type") or ""),
        status=str(item["status"]),
        resource_id=int(resource) if resource is not None else None,
        resource_type=item.get("resource_type"),
    )


def _record(item: Mapping[str, Any]) -> Record:
    ttl = item.get("ttl")
    return Record(
        id=int(item["id"]),
        type=str(item["type"]),
        name=str(item["name"]),
        data=str(item.get("data") or ""),
        ttl=int(ttl) if ttl is not None else None,
    )
