"""The DigitalOcean adapter against the fake API: every method, retries, pagination, failures, confinement."""

from __future__ import annotations

import ipaddress
import logging
import os
import random
import re
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date, datetime, timezone
from decimal import Decimal
from email.utils import format_datetime
from typing import Any

import pytest
import requests

from icecfg.bake import pricing
from icecfg.bake.digitalocean import (
    DEFAULT_END_POINT,
    END_POINT_ENV,
    Account,
    DigitalOcean,
    DigitalOceanError,
    RetryPolicy,
    Snapshot,
    normalize_end_point,
)
from tests.fake_do import FakeDigitalOcean, loopback_only, record_timers

TOKEN = "dop_v1_secret_5f0c2d9e8a7b6c5d4e3f"
NOW = 1_800_000_000.0  # what the adapter's wall clock says in these tests


@pytest.fixture(autouse=True)
def connections() -> Iterator[list[tuple[str, int]]]:
    """Every TCP connection attempted during the test; anything but loopback is refused."""
    with loopback_only() as attempts:
        yield attempts


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (END_POINT_ENV, "DIGITALOCEAN_ACCESS_TOKEN", "PYTHON_DIGITALOCEAN_REQUEST_TIMEOUT_SEC"):
        monkeypatch.delenv(name, raising=False)


class Clock:
    """A monotonic clock that moves only when slept on, recording every sleep."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def fake(clock: Clock) -> Iterator[FakeDigitalOcean]:
    """The fake API; its droplets boot and its actions finish as the adapter's (test) clock moves."""
    with FakeDigitalOcean(token=TOKEN, clock=clock.monotonic) as server:
        yield server
        assert server.errors == []


Factory = Callable[..., DigitalOcean]


@pytest.fixture
def make(fake: FakeDigitalOcean, clock: Clock) -> Iterator[Factory]:
    made: list[DigitalOcean] = []

    def factory(**kwargs: Any) -> DigitalOcean:
        options: dict[str, Any] = {
            "end_point": fake.end_point,
            "sleep": clock.sleep,
            "clock": clock.monotonic,
            "wallclock": lambda: NOW,
            "rng": random.Random(1),
            "timeout": 5.0,
        }
        options.update(kwargs)
        adapter = DigitalOcean(options.pop("token", TOKEN), **options)
        made.append(adapter)
        return adapter

    yield factory
    for adapter in made:
        adapter.close()


@pytest.fixture
def do(make: Factory) -> DigitalOcean:
    return make()


def paths(fake: FakeDigitalOcean) -> list[str]:
    return [f"{r.method} {r.path.rstrip('/')}" for r in fake.requests]


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=timezone.utc)


# -- every method ---------------------------------------------------------------


def test_account(do: DigitalOcean, fake: FakeDigitalOcean) -> None:
    assert do.account() == Account(
        email="icecfg@example.com", uuid=fake.account_uuid, status="active", droplet_limit=25
    )


def test_sizes_feed_the_price_table(do: DigitalOcean) -> None:
    sizes = {s.slug: s for s in do.sizes()}
    small = sizes["s-1vcpu-512mb-10gb"]
    assert (small.price_monthly, small.price_hourly, small.transfer) == (4.0, 0.00595, 0.5)
    assert (small.vcpus, small.memory, small.disk, small.available) == (1, 512, 10, True)
    assert "fra1" in small.regions
    assert pricing.price_table(sizes.values()) == dict(pricing.DROPLET_PRICES)


def test_snapshots(do: DigitalOcean, fake: FakeDigitalOcean) -> None:
    mine = fake.add_snapshot(
        "icecfg-0123456789ab-20250102-030405",
        2.36,
        utc(2025, 1, 2, 3, 4, 5),
        tags=["icecfg", "radio"],
        regions=("fra1", "ams3"),
        droplet_id=4242,
        min_disk_size=10,
    )
    other = fake.add_snapshot("by-hand", 7.5, "2025-01-03T00:00:00Z")
    everything = do.snapshots()
    assert [s.id for s in everything] == [mine, other]
    assert everything[0] == Snapshot(
        id=mine,
        name="icecfg-0123456789ab-20250102-030405",
        created_at=utc(2025, 1, 2, 3, 4, 5),
        size_gigabytes=2.36,
        min_disk_size=10,
        regions=("fra1", "ams3"),
        tags=("icecfg", "radio"),
        resource_id="4242",
    )
    assert everything[0].created_at.tzinfo == timezone.utc
    assert [s.id for s in do.snapshots(tag="icecfg")] == [mine]
    assert do.snapshots(tag="nothing") == []
    assert fake.requests[-1].query == {"resource_type": "droplet", "per_page": "200"}


def test_images_in_use(do: DigitalOcean, fake: FakeDigitalOcean) -> None:
    used = fake.add_snapshot("icecfg-a", 1, "2025-01-01T00:00:00Z")
    gone = fake.add_snapshot("icecfg-b", 1, "2025-01-01T00:00:00Z")
    fake.add_snapshot("icecfg-c", 1, "2025-01-01T00:00:00Z")
    fake.add_droplet("radio", int(used))
    fake.add_droplet("web", 129211874)
    doomed = fake.add_droplet("old", int(gone))
    do.destroy_droplet(doomed)
    assert do.images_in_use() == {used, "129211874"}


def test_tag_snapshot_creates_the_tag_when_needed(do: DigitalOcean, fake: FakeDigitalOcean) -> None:
    ident = fake.add_snapshot("icecfg-a", 1, "2025-01-01T00:00:00Z")
    do.tag_snapshot(ident, "icecfg")
    assert fake.state.images[int(ident)].tags == ["icecfg"]
    assert paths(fake) == [
        "POST /v2/tags/icecfg/resources",  # 404: no such tag yet
        "POST /v2/tags",
        "POST /v2/tags/icecfg/resources",
    ]
    assert fake.requests[0].body == {"resources": [{"resource_id": ident, "resource_type": "image"}]}
    fake.requests.clear()
    do.tag_snapshot(ident, "icecfg")
    assert paths(fake) == ["POST /v2/tags/icecfg/resources"]
    assert [s.tags for s in do.snapshots()] == [("icecfg",)]


def test_tag_snapshot_errors(do: DigitalOcean, fake: FakeDigitalOcean) -> None:
    with pytest.raises(DigitalOceanError, match="invalid tag name 'no spaces'"):
        do.tag_snapshot("1", "no spaces")
    assert fake.requests == []
    with pytest.raises(DigitalOceanError, match=r"tagging snapshot 999 with 'icecfg': .*HTTP 404 not_found") as info:
        do.tag_snapshot("999", "icecfg")
    assert info.value.status == 404


def test_delete_snapshot(do: DigitalOcean, fake: FakeDigitalOcean) -> None:
    a = fake.add_snapshot("icecfg-a", 1, "2025-01-01T00:00:00Z")
    b = fake.add_snapshot("icecfg-b", 1, "2025-01-01T00:00:00Z")
    do.delete_snapshot(a)
    assert [s.id for s in do.snapshots()] == [b]
    assert paths(fake)[0] == f"DELETE /v2/snapshots/{a}"
    with pytest.raises(DigitalOceanError, match=f"deleting snapshot {a}: DELETE /v2/snapshots/{a}/: HTTP 404") as info:
        do.delete_snapshot(a)
    assert (info.value.status, info.value.error_id) == (404, "not_found")


def test_droplets(do: DigitalOcean, fake: FakeDigitalOcean) -> None:
    radio = fake.add_droplet("radio", 129211874, tags=["icecfg"])
    fake.add_droplet("web", 129211874, tags=["web"], status="off")
    (droplet,) = do.droplets("icecfg")
    assert (droplet.id, droplet.name, droplet.status, droplet.region, droplet.size_slug) == (
        radio,
        "radio",
        "active",
        "fra1",
        "s-1vcpu-1gb",
    )
    assert (droplet.image_id, droplet.public_ipv4, droplet.tags, droplet.locked) == (
        129211874,
        "127.0.0.1",
        ("icecfg",),
        False,
    )
    assert droplet.created_at is not None
    assert droplet.created_at.tzinfo == timezone.utc
    assert fake.requests[-1].query["tag_name"] == "icecfg"
    assert sorted(d.name for d in do.droplets()) == ["radio", "web"]
    assert do.droplet(radio) == droplet


def test_create_wait_and_destroy_droplet(do: DigitalOcean, fake: FakeDigitalOcean, clock: Clock) -> None:
    fake.boot_delay = 10
    image = fake.add_snapshot("icecfg-a", 1, "2025-01-01T00:00:00Z")
    created = do.create_droplet(
        "radio-1",
        "fra1",
        "s-1vcpu-1gb",
        image,
        ssh_keys=[],
        tags=["icecfg"],
        user_data="#cloud-config\n",
        monitoring=True,
    )
    assert (created.status, created.image_id, created.public_ipv4) == ("new", int(image), None)
    body = fake.requests[0].body
    assert body["image"] == int(image)  # a snapshot id goes out as a number
    assert (body["monitoring"], body["ipv6"], body["user_data"]) == (True, False, "#cloud-config\n")
    active = do.wait_droplet(created.id, "active", timeout=60, interval=3)
    assert (active.status, active.public_ipv4) == ("active", "127.0.0.1")
    assert clock.sleeps == [3, 3, 3, 3]  # polled at 0, 3, 6, 9 (new) and 12 s (active)
    do.destroy_droplet(created.id)
    assert fake.state.droplets == {}
    assert paths(fake)[-1] == f"DELETE /v2/droplets/{created.id}"


def test_create_droplet_from_a_slug(do: DigitalOcean, fake: FakeDigitalOcean) -> None:
    droplet = do.create_droplet("radio", "fra1", "s-1vcpu-1gb", "debian-12-x64")
    assert fake.requests[0].body["image"] == "debian-12-x64"
    assert droplet.image_id == 129211877


def test_wait_droplet_times_out(do: DigitalOcean, fake: FakeDigitalOcean, clock: Clock) -> None:
    fake.boot_delay = 3600
    droplet = do.create_droplet("radio", "fra1", "s-1vcpu-1gb", "debian-12-x64")
    with pytest.raises(DigitalOceanError, match=r"droplet \d+ is still new after 10 s, expected active"):
        do.wait_droplet(droplet.id, timeout=10, interval=3)
    assert clock.sleeps == [3, 3, 3, 1]


def test_droplet_actions_and_wait_action(do: DigitalOcean, fake: FakeDigitalOcean, clock: Clock) -> None:
    fake.action_delay = 10
    droplet_id = fake.add_droplet("radio", 129211874)
    action = do.droplet_action(droplet_id, "snapshot", name="icecfg-0123456789ab-20250101-000000")
    assert (action.type, action.status, action.resource_id) == ("snapshot", "in-progress", droplet_id)
    done = do.wait_action(action.id, timeout=60, interval=5)
    assert done.status == "completed"
    polls = [p for p in paths(fake) if p == f"GET /v2/actions/{action.id}"]
    assert len(polls) == 3, "polled at 0, 5 and 10 s"
    assert clock.sleeps == [5, 5]
    (snapshot,) = do.snapshots()
    assert snapshot.name == "icecfg-0123456789ab-20250101-000000"
    assert snapshot.resource_id == str(droplet_id)


def test_wait_action_gives_up_at_its_deadline(do: DigitalOcean, fake: FakeDigitalOcean, clock: Clock) -> None:
    fake.action_delay = 3600
    droplet_id = fake.add_droplet("radio", 129211874)
    action = do.droplet_action(droplet_id, "shutdown")
    with pytest.raises(DigitalOceanError, match=rf"action {action.id} \(shutdown\) still in-progress after 12 s"):
        do.wait_action(action.id, timeout=12, interval=5)
    assert clock.sleeps == [5, 5, 2]


def test_wait_action_reports_an_errored_action(do: DigitalOcean, fake: FakeDigitalOcean) -> None:
    fake.action_delay = 1
    droplet_id = fake.add_droplet("radio", 129211874)
    action = do.droplet_action(droplet_id, "power_off")
    do.destroy_droplet(droplet_id)
    with pytest.raises(DigitalOceanError, match=rf"action {action.id} \(power_off\) failed"):
        do.wait_action(action.id, timeout=5, interval=1)


def test_droplet_action_refused(do: DigitalOcean, fake: FakeDigitalOcean) -> None:
    fake.action_delay = 3600
    droplet_id = fake.add_droplet("radio", 129211874)
    do.droplet_action(droplet_id, "shutdown")
    with pytest.raises(DigitalOceanError, match="HTTP 422 unprocessable_entity: Droplet already has a pending event"):
        do.droplet_action(droplet_id, "power_off")


# -- DNS ---------------------------------------------------------------------------


def a_records(fake: FakeDigitalOcean, domain: str = "example.com") -> list[tuple[str, str, int]]:
    return sorted((r.name, r.data, r.ttl) for r in fake.state.domains[domain].records.values() if r.type == "A")


def writes(fake: FakeDigitalOcean) -> list[str]:
    return [p for p in paths(fake) if not p.startswith("GET ")]


def test_upsert_a_record_creates_updates_and_leaves_alone(do: DigitalOcean, fake: FakeDigitalOcean) -> None:
    fake.add_domain("example.com")
    created = do.upsert_a_record("example.com", "radio", "192.0.2.1", ttl=60)
    assert (created.type, created.name, created.data, created.ttl) == ("A", "radio", "192.0.2.1", 60)
    assert fake.requests[0].query == {"type": "A", "name": "radio.example.com", "per_page": "200"}
    assert writes(fake) == ["POST /v2/domains/example.com/records"]

    fake.requests.clear()
    assert do.upsert_a_record("example.com", "radio", "192.0.2.1", ttl=60) == created
    assert writes(fake) == []

    updated = do.upsert_a_record("example.com", "radio", "192.0.2.2", ttl=60)
    assert (updated.id, updated.data) == (created.id, "192.0.2.2")
    assert writes(fake) == [f"PUT /v2/domains/example.com/records/{created.id}"]
    assert a_records(fake) == [("radio", "192.0.2.2", 60)]


def test_upsert_a_record_removes_stale_duplicates(do: DigitalOcean, fake: FakeDigitalOcean) -> None:
    fake.add_domain("example.com")
    stale = fake.add_record("example.com", "A", "radio", "192.0.2.7", ttl=60)
    current = fake.add_record("example.com", "A", "radio", "192.0.2.8", ttl=60)
    fake.add_record("example.com", "A", "www", "192.0.2.7")
    fake.add_record("example.com", "TXT", "radio", "v=spf1 -all")
    record = do.upsert_a_record("example.com", "radio", "192.0.2.8", ttl=60)
    assert record.id == current
    assert writes(fake) == [f"DELETE /v2/domains/example.com/records/{stale}"]
    assert a_records(fake) == [("radio", "192.0.2.8", 60), ("www", "192.0.2.7", 1800)]


def test_upsert_apex_and_fully_qualified_names(do: DigitalOcean, fake: FakeDigitalOcean) -> None:
    fake.add_domain("example.com")
    do.upsert_a_record("example.com", "@", "192.0.2.1", ttl=300)
    assert fake.requests[0].query["name"] == "example.com"
    do.upsert_a_record("example.com", "stream.example.com", "192.0.2.2", ttl=300)
    assert a_records(fake) == [("@", "192.0.2.1", 300), ("stream", "192.0.2.2", 300)]


def test_upsert_refuses_a_bad_address(do: DigitalOcean, fake: FakeDigitalOcean) -> None:
    for bad in ("radio.example.com", "2001:db8::1", "300.1.1.1", ""):
        with pytest.raises(DigitalOceanError, match="not an IPv4 address"):
            do.upsert_a_record("example.com", "radio", bad, ttl=60)
    assert fake.requests == []


def test_upsert_address_record_sets_aaaa_beside_a(do: DigitalOcean, fake: FakeDigitalOcean) -> None:
    fake.add_domain("example.com")
    a = fake.add_record("example.com", "A", "radio", "192.0.2.1", ttl=60)
    stale = fake.add_record("example.com", "AAAA", "radio", "2001:db8::7", ttl=60)
    current = fake.add_record("example.com", "AAAA", "radio", "2001:db8::8", ttl=60)
    other = fake.add_record("example.com", "AAAA", "www", "2001:db8::7", ttl=60)
    record = do.upsert_address_record("example.com", "radio", "2001:DB8:0::8", ttl=60)
    assert (record.id, record.type, record.data) == (current, "AAAA", "2001:db8::8")
    assert fake.requests[0].query == {"type": "AAAA", "name": "radio.example.com", "per_page": "200"}
    assert writes(fake) == [f"DELETE /v2/domains/example.com/records/{stale}"]

    fake.requests.clear()
    moved = do.upsert_address_record("example.com", "radio", "2001:db8::9", ttl=120)
    assert (moved.id, moved.data, moved.ttl) == (current, "2001:db8::9", 120)
    assert writes(fake) == [f"PUT /v2/domains/example.com/records/{current}"]
    records = {r.id: (r.type, r.name, r.data) for r in fake.state.domains["example.com"].records.values()}
    assert records[a] == ("A", "radio", "192.0.2.1")  # the A record is another type: untouched
    assert records[other] == ("AAAA", "www", "2001:db8::7")

    fake.requests.clear()
    created = do.upsert_address_record("example.com", "@", "2001:db8::1")
    assert (created.type, created.name, created.data, created.ttl) == ("AAAA", "@", "2001:db8::1", 60)
    assert writes(fake) == ["POST /v2/domains/example.com/records"]
    # IPv4 still goes to an A record, and garbage is refused before any request.
    assert do.upsert_address_record("example.com", "radio", "192.0.2.1").type == "A"
    fake.requests.clear()
    with pytest.raises(DigitalOceanError, match="not an IP address"):
        do.upsert_address_record("example.com", "radio", "radio.example.com")
    assert fake.requests == []


def test_droplet_reports_its_public_ipv6(do: DigitalOcean, fake: FakeDigitalOcean) -> None:
    image = fake.add_snapshot("base", 1.0, "2025-01-01T00:00:00Z")
    without = do.create_droplet("plain", "fra1", "s-1vcpu-1gb", image)
    with_v6 = do.create_droplet("dual", "fra1", "s-1vcpu-1gb", image, ipv6=True)
    assert do.wait_droplet(without.id, interval=0.01).public_ipv6 is None
    active = do.wait_droplet(with_v6.id, interval=0.01)
    assert active.public_ipv6 is not None and ipaddress.ip_address(active.public_ipv6).version == 6
    assert active.public_ipv4 is not None


def test_domain_records_and_delete_record(do: DigitalOcean, fake: FakeDigitalOcean) -> None:
    fake.add_domain("example.com")
    record_id = fake.add_record("example.com", "A", "radio", "192.0.2.1", ttl=120)
    records = do.domain_records("example.com")
    assert [r.type for r in records] == ["NS", "NS", "NS", "SOA", "A"]
    (a,) = do.domain_records("example.com", type="A")
    assert (a.id, a.name, a.data, a.ttl) == (record_id, "radio", "192.0.2.1", 120)
    do.delete_record("example.com", record_id)
    assert do.domain_records("example.com", type="A") == []
    with pytest.raises(DigitalOceanError, match="HTTP 404"):
        do.domain_records("missing.example")


# -- retries -------------------------------------------------------------------------


def test_429_with_retry_after_is_retried_after_that_many_seconds(
    do: DigitalOcean, fake: FakeDigitalOcean, clock: Clock
) -> None:
    fake.inject("GET", "/v2/account", 429, headers={"Retry-After": "3"})
    assert do.account().status == "active"
    assert clock.sleeps == [3.0]
    assert paths(fake) == ["GET /v2/account", "GET /v2/account"]


def test_retry_after_as_an_http_date(do: DigitalOcean, fake: FakeDigitalOcean, clock: Clock) -> None:
    when = format_datetime(datetime.fromtimestamp(NOW + 7, timezone.utc), usegmt=True)
    fake.inject("GET", "/v2/account", 503, headers={"Retry-After": when})
    do.account()
    assert clock.sleeps == [7.0]


def test_429_waits_for_the_rate_limit_reset(do: DigitalOcean, fake: FakeDigitalOcean, clock: Clock) -> None:
    headers = {"RateLimit-Remaining": "0", "RateLimit-Reset": str(int(NOW) + 42)}
    fake.inject("GET", "/v2/snapshots", 429, headers=headers)
    do.snapshots()
    assert clock.sleeps == [42.0]


def test_429_without_hints_backs_off(do: DigitalOcean, fake: FakeDigitalOcean, clock: Clock) -> None:
    fake.inject("GET", "/v2/snapshots", 429, times=3)
    do.snapshots()
    assert len(clock.sleeps) == 3
    for attempt, delay in enumerate(clock.sleeps):
        backoff = 0.5 * 2**attempt
        assert backoff / 2 <= delay <= backoff


def test_500_twice_then_success(do: DigitalOcean, fake: FakeDigitalOcean, clock: Clock) -> None:
    fake.add_snapshot("icecfg-a", 1, "2025-01-01T00:00:00Z")
    fake.inject("GET", "/v2/snapshots", 500, times=2)
    assert len(do.snapshots()) == 1
    assert paths(fake) == ["GET /v2/snapshots"] * 3
    assert len(clock.sleeps) == 2
    assert 0.25 <= clock.sleeps[0] <= 0.5
    assert 0.5 <= clock.sleeps[1] <= 1.0


def test_jitter_spreads_the_delays(make: Factory, fake: FakeDigitalOcean, clock: Clock) -> None:
    fake.inject("GET", "/v2/account", 502, times=None)
    for seed in range(5):
        with pytest.raises(DigitalOceanError):
            make(rng=random.Random(seed)).account()
    first_delays = clock.sleeps[::4]
    assert len(first_delays) == 5
    assert len(set(first_delays)) == 5


def test_persistent_500_gives_up_after_the_bounded_attempts(
    do: DigitalOcean, fake: FakeDigitalOcean, clock: Clock
) -> None:
    fake.inject("GET", "/v2/snapshots", 500, times=None)
    with pytest.raises(DigitalOceanError) as info:
        do.snapshots()
    message = str(info.value)
    assert message == (
        "listing snapshots: GET /v2/snapshots/: HTTP 500 server_error: Unexpected server-side error "
        "(gave up after 5 attempts)"
    )
    assert (info.value.status, info.value.error_id) == (500, "server_error")
    assert len(fake.requests) == 5
    assert len(clock.sleeps) == 4


def test_the_attempts_are_configurable(make: Factory, fake: FakeDigitalOcean) -> None:
    fake.inject("GET", "/v2/account", 503, times=None)
    with pytest.raises(DigitalOceanError, match="gave up after 2 attempts"):
        make(retry=RetryPolicy(attempts=2)).account()
    assert len(fake.requests) == 2


def test_a_wait_beyond_the_time_budget_is_not_started(do: DigitalOcean, fake: FakeDigitalOcean, clock: Clock) -> None:
    fake.inject("GET", "/v2/account", 429, headers={"Retry-After": "3600"})
    with pytest.raises(
        DigitalOceanError, match="a retry in 3600 s would exceed the 60 s budget, which ICECFG_DO_TIMEOUT sets"
    ) as info:
        do.account()
    assert info.value.status == 429
    assert clock.sleeps == []
    assert len(fake.requests) == 1


def test_the_time_budget_bounds_many_retries(make: Factory, fake: FakeDigitalOcean, clock: Clock) -> None:
    fake.inject("GET", "/v2/account", 429, times=None, headers={"Retry-After": "30"})
    with pytest.raises(DigitalOceanError, match="exceed the 100 s budget"):
        make(retry=RetryPolicy(attempts=50, total=100)).account()
    assert clock.sleeps == [30.0, 30.0, 30.0]


def test_client_errors_are_not_retried(do: DigitalOcean, fake: FakeDigitalOcean, clock: Clock) -> None:
    fake.inject("GET", "/v2/account", 403)
    with pytest.raises(DigitalOceanError, match="HTTP 403 forbidden") as info:
        do.account()
    assert info.value.status == 403
    assert clock.sleeps == []


def test_a_wrong_token_is_not_retried(make: Factory, fake: FakeDigitalOcean, clock: Clock) -> None:
    with pytest.raises(DigitalOceanError, match="reading the account: GET /v2/account/: HTTP 401 unauthorized"):
        make(token="dop_v1_wrong").account()
    assert len(fake.requests) == 1
    assert clock.sleeps == []


def test_posts_that_create_are_not_retried_on_5xx(do: DigitalOcean, fake: FakeDigitalOcean, clock: Clock) -> None:
    fake.inject("POST", "/v2/droplets$", 500)
    with pytest.raises(DigitalOceanError, match="creating droplet 'radio': POST /v2/droplets: HTTP 500"):
        do.create_droplet("radio", "fra1", "s-1vcpu-1gb", "debian-12-x64")
    assert len(fake.requests) == 1
    fake.inject("POST", "/v2/droplets$", 429, headers={"Retry-After": "1"})
    do.create_droplet("radio", "fra1", "s-1vcpu-1gb", "debian-12-x64")
    assert clock.sleeps == [1.0]
    assert len(fake.state.droplets) == 1


def test_deletes_and_tagging_are_retried_on_5xx(do: DigitalOcean, fake: FakeDigitalOcean, clock: Clock) -> None:
    ident = fake.add_snapshot("icecfg-a", 1, "2025-01-01T00:00:00Z")
    fake.inject("POST", "/resources$", 502)
    fake.inject("DELETE", "/v2/snapshots", 503)
    do.tag_snapshot(ident, "icecfg")
    do.delete_snapshot(ident)
    assert len(clock.sleeps) == 2
    assert fake.state.images.get(int(ident)) is None


def test_a_non_json_error_page(do: DigitalOcean, fake: FakeDigitalOcean) -> None:
    fake.inject("GET", "/v2/account", 502, times=None, body=b"<html><body>Bad Gateway</body></html>")
    with pytest.raises(DigitalOceanError, match=r"GET /v2/account/: HTTP 502: Bad Gateway \(gave up after 5"):
        do.account()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"<html>ok?</html>", "reading the account: Read failed from DigitalOcean"),
        ({}, "reading the account: unexpected answer from the API (KeyError: 'account')"),
        ({"account": "nope"}, "reading the account: unexpected answer from the API (AttributeError"),
    ],
)
def test_malformed_answers_become_digitalocean_errors(
    do: DigitalOcean, fake: FakeDigitalOcean, body: Any, message: str
) -> None:
    fake.inject("GET", "/v2/account", 200, body=body)
    with pytest.raises(DigitalOceanError) as info:
        do.account()
    assert str(info.value).startswith(message)
    assert "\n" not in str(info.value)


# -- pagination -------------------------------------------------------------------------


def test_pagination_across_three_pages(make: Factory, fake: FakeDigitalOcean) -> None:
    ids = [fake.add_snapshot(f"icecfg-{i}", 1, "2025-01-01T00:00:00Z") for i in range(5)]
    do = make(per_page=2)
    assert [s.id for s in do.snapshots()] == ids
    assert [(r.path.rstrip("/"), r.query.get("page", "1"), r.query["per_page"]) for r in fake.requests] == [
        ("/v2/snapshots", "1", "2"),
        ("/v2/snapshots", "2", "2"),
        ("/v2/snapshots", "3", "2"),
    ]
    assert all(r.query["resource_type"] == "droplet" for r in fake.requests)


def test_pagination_of_droplets_and_records(make: Factory, fake: FakeDigitalOcean) -> None:
    for i in range(5):
        fake.add_droplet(f"d{i}", 129211874, tags=["icecfg"])
    fake.add_domain("example.com")
    do = make(per_page=2)
    assert len(do.droplets("icecfg")) == 5
    assert len(do.domain_records("example.com")) == 4
    assert len(do.sizes()) == 5


def test_a_failing_later_page_is_retried(make: Factory, fake: FakeDigitalOcean, clock: Clock) -> None:
    for i in range(5):
        fake.add_snapshot(f"icecfg-{i}", 1, "2025-01-01T00:00:00Z")
    fake.inject("GET", "/v2/snapshots", 500, query={"page": "2"})
    assert len(make(per_page=2).snapshots()) == 5
    assert len(clock.sleeps) == 1


def test_a_failing_later_page_is_an_error_not_a_short_list(make: Factory, fake: FakeDigitalOcean) -> None:
    # python-digitalocean merges follow-up pages without looking at their status.
    for i in range(5):
        fake.add_snapshot(f"icecfg-{i}", 1, "2025-01-01T00:00:00Z")
    fake.inject("GET", "/v2/snapshots", 404, query={"page": "3"})
    with pytest.raises(DigitalOceanError, match="listing snapshots: GET /v2/snapshots/: HTTP 404 not_found"):
        make(per_page=2).snapshots()


# -- unreachable endpoints -------------------------------------------------------------------


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_closed_port_fails_fast_with_one_line(
    make: Factory, connections: list[tuple[str, int]], clock: Clock
) -> None:
    port = closed_port()
    do = make(end_point=f"http://127.0.0.1:{port}/v2/")
    with pytest.raises(DigitalOceanError) as info:
        do.account()
    assert len(clock.sleeps) == 4, "refused connections are retried with backoff, like 5xx"
    assert str(info.value) == (
        f"reading the account: GET /v2/account/: cannot connect to http://127.0.0.1:{port}/v2/ "
        "(Connection refused) (gave up after 5 attempts)"
    )
    assert set(connections) == {("127.0.0.1", port)}


def test_a_silent_server_times_out_quickly(make: Factory) -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)  # accepts connections in the kernel, never answers
        port = listener.getsockname()[1]
        do = make(end_point=f"http://127.0.0.1:{port}", timeout=0.3, retry=RetryPolicy(attempts=2))
        with pytest.raises(DigitalOceanError) as info:
            do.snapshots()
    # The per-try timeout, not a hang: each try gave up after 0.3 s, twice.
    assert str(info.value) == (
        "listing snapshots: GET /v2/snapshots/: no answer within 0.3 s (gave up after 2 attempts)"
    )


def test_creating_on_a_silent_server_is_not_repeated(make: Factory) -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        port = listener.getsockname()[1]
        do = make(end_point=f"http://127.0.0.1:{port}", timeout=0.2)
        # One try only (no "gave up after N attempts"): a POST that may have landed is not sent again.
        with pytest.raises(DigitalOceanError, match=r"POST /v2/droplets: no answer within 0.2 s$"):
            do.create_droplet("radio", "fra1", "s-1vcpu-1gb", "debian-12-x64")


# -- secrets ------------------------------------------------------------------------------------


def test_the_token_never_appears_in_errors_or_logs(
    make: Factory, fake: FakeDigitalOcean, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    do = make()
    fake.add_snapshot("icecfg-a", 1, "2025-01-01T00:00:00Z")
    fake.add_domain("example.com")
    do.snapshots()
    do.upsert_a_record("example.com", "radio", "192.0.2.1")
    fake.inject("GET", "/v2/account", 429, headers={"Retry-After": "1"})
    do.account()
    errors: list[DigitalOceanError] = []
    # A server that echoes the token back must not get it into a message.
    fake.inject("GET", "/v2/account", 400, body={"id": "bad_request", "message": f"token {TOKEN} rejected"})
    fake.inject("POST", "/v2/droplets", 422, body={"id": "unprocessable_entity", "message": TOKEN})
    fake.inject("GET", "/v2/droplets", 500, times=None)
    for call in (
        do.account,
        lambda: do.create_droplet("radio", "fra1", "s-1vcpu-1gb", "x"),
        do.droplets,
        lambda: do.delete_snapshot("1"),
        lambda: make(token="dop_v1_other").account(),
        lambda: make(end_point=f"http://127.0.0.1:{closed_port()}").sizes(),
    ):
        with pytest.raises(DigitalOceanError) as info:
            call()
        errors.append(info.value)
    assert str(errors[0]) == "reading the account: GET /v2/account/: HTTP 400 bad_request: token [token] rejected"
    for error in errors:
        text = str(error)
        assert TOKEN not in text
        assert "\n" not in text
        assert TOKEN not in repr(error.args)
    assert caplog.records, "the library and urllib3 log at DEBUG"
    assert TOKEN not in caplog.text
    assert "dop_v1_other" not in caplog.text
    assert TOKEN not in repr(do)
    assert TOKEN not in repr(vars(do))
    assert TOKEN not in repr(vars(do._transport))


def test_no_token_is_refused_before_any_request(fake: FakeDigitalOcean) -> None:
    for token in ("", "   "):
        with pytest.raises(DigitalOceanError, match="DIGITALOCEAN_TOKEN or DIGITALOCEAN_ACCESS_TOKEN"):
            DigitalOcean(token, fake.end_point)
    assert fake.requests == []


def test_the_given_token_wins_over_the_librarys_environment(
    do: DigitalOcean, fake: FakeDigitalOcean, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DIGITALOCEAN_ACCESS_TOKEN", "dop_v1_from_env")
    do.delete_snapshot(fake.add_snapshot("icecfg-a", 1, "2025-01-01T00:00:00Z"))
    assert do.account().status == "active"


# -- confinement to the endpoint -------------------------------------------------------------


def exercise(do: DigitalOcean, fake: FakeDigitalOcean) -> None:
    """Call every public method once."""
    ident = fake.add_snapshot("icecfg-a", 1, "2025-01-01T00:00:00Z")
    fake.add_domain("example.com")
    do.account()
    do.sizes()
    do.snapshots("icecfg")
    do.tag_snapshot(ident, "icecfg")
    droplet = do.create_droplet("radio", "fra1", "s-1vcpu-1gb", ident, tags=["icecfg"])
    do.droplets("icecfg")
    do.droplet(droplet.id)
    do.wait_droplet(droplet.id, timeout=5, interval=0.01)
    do.images_in_use()
    action = do.droplet_action(droplet.id, "shutdown")
    do.wait_action(action.id, timeout=5, interval=0.01)
    do.action(action.id)
    record = do.upsert_a_record("example.com", "radio", "192.0.2.1")
    do.domain_records("example.com")
    do.delete_record("example.com", record.id)
    do.destroy_droplet(droplet.id)
    do.delete_snapshot(ident)


def test_everything_goes_to_the_configured_endpoint_only(
    make: Factory,
    fake: FakeDigitalOcean,
    monkeypatch: pytest.MonkeyPatch,
    connections: list[tuple[str, int]],
) -> None:
    with FakeDigitalOcean(token=TOKEN) as decoy:
        # The library would send its objects' calls here (or to the real API) on its own.
        monkeypatch.setenv(END_POINT_ENV, decoy.end_point)
        exercise(make(), fake)
        assert decoy.requests == []
        assert os.environ[END_POINT_ENV] == decoy.end_point, "the environment is restored"
    assert {port for _, port in connections} == {fake.port}
    assert len(fake.requests) >= 18
    assert {r.path.split("/")[1] for r in fake.requests} == {"v2"}


def test_the_environment_is_left_as_it_was(do: DigitalOcean, fake: FakeDigitalOcean) -> None:
    do.account()
    assert END_POINT_ENV not in os.environ
    fake.inject("GET", "/v2/account", 404)
    with pytest.raises(DigitalOceanError):
        do.account()
    assert END_POINT_ENV not in os.environ


def test_a_closed_port_gets_everything_and_nothing_escapes(
    make: Factory, fake: FakeDigitalOcean, connections: list[tuple[str, int]]
) -> None:
    port = closed_port()
    do = make(end_point=f"http://127.0.0.1:{port}/v2/", retry=RetryPolicy(attempts=1))
    calls: list[Callable[[], object]] = [
        do.account,
        do.sizes,
        do.snapshots,
        do.images_in_use,
        lambda: do.tag_snapshot("1", "icecfg"),
        lambda: do.delete_snapshot("1"),
        lambda: do.droplets("icecfg"),
        lambda: do.droplet(1),
        lambda: do.create_droplet("radio", "fra1", "s-1vcpu-1gb", "debian-12-x64"),
        lambda: do.destroy_droplet(1),
        lambda: do.droplet_action(1, "shutdown"),
        lambda: do.action(1),
        lambda: do.wait_action(1),
        lambda: do.wait_droplet(1),
        lambda: do.domain_records("example.com"),
        lambda: do.upsert_a_record("example.com", "radio", "192.0.2.1"),
        lambda: do.delete_record("example.com", 1),
    ]
    for call in calls:
        with pytest.raises(DigitalOceanError, match="Connection refused"):
            call()
    assert fake.requests == []
    assert set(connections) == {("127.0.0.1", port)}
    assert len(connections) == len(calls)


@pytest.mark.parametrize(
    "elsewhere",
    [
        "http://127.0.0.2:{port}/v2/snapshots?page=2&per_page=1",  # another host
        "http://127.0.0.1:1/v2/snapshots?page=2&per_page=1",  # another port
        "https://api.digitalocean.com/v2/snapshots?page=2&per_page=1",  # the real API
        "http://127.0.0.1:{port}/elsewhere/snapshots?page=2",  # outside the /v2/ prefix
    ],
)
def test_pagination_links_leaving_the_endpoint_are_refused(
    do: DigitalOcean, fake: FakeDigitalOcean, connections: list[tuple[str, int]], elsewhere: str
) -> None:
    next_url = elsewhere.format(port=fake.port)
    body = {"snapshots": [], "links": {"pages": {"next": next_url}}, "meta": {"total": 2}}
    fake.inject("GET", "/v2/snapshots", 200, body=body)
    with pytest.raises(DigitalOceanError, match=r"refusing GET .* outside the configured endpoint") as info:
        do.snapshots()
    assert "\n" not in str(info.value)
    assert len(fake.requests) == 1
    assert {port for _, port in connections} == {fake.port}


def test_environment_proxies_are_not_used_for_loopback(
    do: DigitalOcean, fake: FakeDigitalOcean, monkeypatch: pytest.MonkeyPatch
) -> None:
    dead = f"http://127.0.0.1:{closed_port()}"
    for name in ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.setenv(name, dead)
    assert do.account().status == "active"


# -- endpoint configuration ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080/v2/"),
        ("http://127.0.0.1:8080/", "http://127.0.0.1:8080/v2/"),
        ("http://127.0.0.1:8080/v2", "http://127.0.0.1:8080/v2/"),
        ("http://127.0.0.1:8080/v2/", "http://127.0.0.1:8080/v2/"),
        ("http://127.0.0.1:8080/v2//", "http://127.0.0.1:8080/v2/"),
        ("  https://api.digitalocean.com/v2/ ", "https://api.digitalocean.com/v2/"),
        ("http://LOCALHOST:80/proxy/v2", "http://localhost:80/proxy/v2/"),
        ("http://[::1]:9/v2", "http://[::1]:9/v2/"),
    ],
)
def test_normalize_end_point(given: str, expected: str) -> None:
    assert normalize_end_point(given) == expected


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("http://127.0.0.1:8080/v1/", "must end in /v2/"),
        ("http://127.0.0.1:8080/v2/droplets", "must end in /v2/"),
        ("ftp://127.0.0.1/v2/", "not an http(s) URL"),
        ("127.0.0.1:8080/v2/", "not an http(s) URL"),
        ("http:///v2/", "not an http(s) URL"),
        ("http://127.0.0.1:99999/v2/", "not an http(s) URL"),
        ("http://127.0.0.1/v2/?x=1", "must not have a query"),
        ("http://user:hunter2@127.0.0.1/v2/", "must not hold credentials"),
    ],
)
def test_bad_end_points_are_rejected(given: str, message: str) -> None:
    with pytest.raises(DigitalOceanError, match=re.escape(message)) as info:
        normalize_end_point(given)
    assert "hunter2" not in str(info.value)


def test_end_point_from_argument_environment_or_default(monkeypatch: pytest.MonkeyPatch) -> None:
    assert DigitalOcean(TOKEN).end_point == DEFAULT_END_POINT
    monkeypatch.setenv(END_POINT_ENV, "http://127.0.0.1:9")
    assert DigitalOcean(TOKEN).end_point == "http://127.0.0.1:9/v2/"
    assert DigitalOcean(TOKEN, "http://127.0.0.1:7/v2").end_point == "http://127.0.0.1:7/v2/"
    monkeypatch.setenv(END_POINT_ENV, "http://127.0.0.1:9/api/")
    with pytest.raises(DigitalOceanError, match="must end in /v2/"):
        DigitalOcean(TOKEN)


def test_bad_settings(fake: FakeDigitalOcean) -> None:
    with pytest.raises(ValueError, match="timeout"):
        DigitalOcean(TOKEN, fake.end_point, timeout=0)
    with pytest.raises(ValueError, match="per_page"):
        DigitalOcean(TOKEN, fake.end_point, per_page=500)


# -- prices: the table the estimator uses, and the API's sizes overriding it --------------


def test_snapshot_monthly_cost() -> None:
    assert pricing.snapshot_monthly_cost(2.36) == Decimal("0.1416")
    assert pricing.snapshot_monthly_cost(10) == Decimal("0.60")
    assert pricing.snapshot_monthly_cost(0.1) == Decimal("0.01")  # the minimum charge
    assert pricing.snapshot_monthly_cost(0) == Decimal("0.01")
    for bad in (-1.0, float("nan")):
        with pytest.raises(ValueError, match="snapshot size"):
            pricing.snapshot_monthly_cost(bad)


def test_droplet_cost_per_second() -> None:
    assert pricing.droplet_cost("s-1vcpu-1gb", 3) == Decimal("0.02679")
    assert pricing.droplet_cost("s-1vcpu-512mb-10gb", 672) == Decimal("3.99840")
    assert pricing.droplet_cost("s-1vcpu-1gb", 10 / 3600) == Decimal("0.01")  # 60 s or $0.01 minimum
    assert pricing.droplet_cost("s-2vcpu-4gb", 0.5) == Decimal("0.017855")
    assert pricing.droplet_cost("s-1vcpu-1gb", 0) == 0


def test_droplet_cost_per_started_hour() -> None:
    assert pricing.droplet_cost("s-1vcpu-1gb", 2.5, billing="hour") == Decimal("0.02679")
    assert pricing.droplet_cost("s-1vcpu-1gb", 0.01, billing="hour") == Decimal("0.00893")
    assert pricing.droplet_cost("s-1vcpu-1gb", 1000, billing="hour") == Decimal("6.00")  # monthly cap
    with pytest.raises(ValueError, match="billing"):
        pricing.droplet_cost("s-1vcpu-1gb", 1, billing="minute")  # type: ignore[arg-type]


def test_droplet_cost_errors() -> None:
    with pytest.raises(ValueError, match=r"no price known for droplet size 'g-64vcpu' \(known: s-1vcpu-1gb"):
        pricing.droplet_cost("g-64vcpu", 1)
    with pytest.raises(ValueError, match="hours must be 0 or more"):
        pricing.droplet_cost("s-1vcpu-1gb", -1)


def test_api_sizes_override_the_table(do: DigitalOcean) -> None:
    live = do.sizes()
    repriced = [replace(s, price_hourly=0.01, price_monthly=6.72, transfer=2.0) for s in live]
    extra = replace(live[0], slug="c-2", price_hourly=0.0625, price_monthly=42.0, transfer=4.0)
    assert pricing.droplet_cost("s-1vcpu-1gb", 3, sizes=repriced) == Decimal("0.03")
    assert pricing.droplet_cost("c-2", 2, sizes=[extra]) == Decimal("0.1250")
    assert pricing.droplet_price("s-1vcpu-1gb", repriced).transfer_gib == 2000
    assert pricing.droplet_price("s-1vcpu-1gb").monthly == Decimal("6.00")  # the table itself is unchanged


def test_transfer_allowance_and_egress() -> None:
    assert pricing.transfer_allowance_gib("s-1vcpu-1gb", 672) == 1000
    assert pricing.transfer_allowance_gib("s-1vcpu-1gb", 10_000) == 1000
    assert pricing.transfer_allowance_gib("s-1vcpu-512mb-10gb", 3).quantize(Decimal("0.01")) == Decimal("2.23")
    # The reference's example: 128 kbit/s to 50 listeners for 3 hours is about 8 GiB, about $0.08.
    gib = 128_000 / 8 * 50 * 3 * 3600 / 2**30
    assert pricing.egress_cost(gib).quantize(Decimal("0.01")) == Decimal("0.08")
    # A droplet that lives 3 hours accrues only 3/672 of its allowance: 4.46 of 1000 GiB.
    allowance = pricing.transfer_allowance_gib("s-1vcpu-1gb", 3)
    assert pricing.egress_cost(gib, allowance).quantize(Decimal("0.001")) == Decimal("0.036")
    assert pricing.egress_cost(gib, 100) == 0
    assert pricing.egress_cost(10, Decimal(4)) == Decimal("0.06")
    with pytest.raises(ValueError, match="transfer"):
        pricing.egress_cost(-1)


def test_the_table_is_dated_and_consistent() -> None:
    assert isinstance(pricing.PRICES_AS_OF, date)
    rates = (pricing.SNAPSHOT_PER_GB_MONTH, pricing.SNAPSHOT_MINIMUM, pricing.EGRESS_PER_GIB)
    assert rates == (Decimal("0.06"), Decimal("0.01"), Decimal("0.01"))
    for slug, price in pricing.DROPLET_PRICES.items():
        assert price.slug == slug
        assert abs(price.hourly - price.monthly / pricing.HOURS_PER_MONTH) < Decimal("0.00001")
    with pytest.raises(TypeError):
        pricing.DROPLET_PRICES["s-1vcpu-1gb"] = pricing.DROPLET_PRICES["s-2vcpu-4gb"]  # type: ignore[index]


# -- how long a request may take -----------------------------------------------------------------


def test_the_budget_and_connect_timeout_come_from_the_environment(
    make: Factory, fake: FakeDigitalOcean, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ICECFG_DO_TIMEOUT", "45")
    fake.inject("GET", "/v2/account", 429, times=None, headers={"Retry-After": "20"})
    with pytest.raises(DigitalOceanError, match="exceed the 45 s budget, which ICECFG_DO_TIMEOUT sets"):
        make().account()
    assert clock.sleeps == [20.0, 20.0]
    for name in ("ICECFG_DO_TIMEOUT", "ICECFG_DO_CONNECT_TIMEOUT"):
        for bad in ("soon", "0", "-1", "nan", "inf", "3600.5", "1e20"):
            monkeypatch.setenv(name, bad)
            with pytest.raises(DigitalOceanError) as info:
                make()
            assert str(info.value) == f"{name} must be a number of seconds above 0, at most 3600, not {bad!r}"
        monkeypatch.delenv(name)


def test_no_try_waits_past_the_budget(make: Factory, clock: Clock, monkeypatch: pytest.MonkeyPatch) -> None:
    """A silent server: each try's timeout is cut to what is left of the budget, never the 30 s per try."""
    tries: list[tuple[float, Any]] = []
    send = requests.Session.request

    def spy(self: requests.Session, method: str, url: str, **kwargs: Any) -> requests.Response:
        tries.append((clock.now, kwargs["timeout"]))
        return send(self, method, url, **kwargs)

    monkeypatch.setattr(requests.Session, "request", spy)
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)  # accepts connections in the kernel, never answers
        port = listener.getsockname()[1]
        do = make(end_point=f"http://127.0.0.1:{port}", timeout=30, retry=RetryPolicy(total=0.5))
        deadline = clock.now + 0.5
        with pytest.raises(DigitalOceanError, match=r"GET /v2/account/: no answer within 0\.\d+ s \(gave up") as info:
            do.account()
    assert len(tries) >= 2 and len(clock.sleeps) == len(tries) - 1  # retried while the budget allowed
    assert tries[0] == (deadline - 0.5, (0.5, 0.5))
    for now, timeout in tries:
        assert timeout == (min(5.0, deadline - now), deadline - now)  # what is left, not 30 s
    assert f"no answer within {round(tries[-1][1][1], 1):g} s" in info.value.message


def test_a_request_without_an_answer_says_what_it_waits_for(make: Factory, monkeypatch: pytest.MonkeyPatch) -> None:
    """The notice comes from a timer set to ``notice_after``, said while the request waits, cancelled on an answer."""
    timers = record_timers(monkeypatch)
    heard: list[str] = []
    said = threading.Event()

    def notify(message: str) -> None:
        heard.append(message)
        said.set()

    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        port = listener.getsockname()[1]

        def answer_once_the_notice_is_said() -> None:
            connection, _ = listener.accept()
            with connection:
                said.wait(30)  # the request is still waiting when the notice is said
                connection.recv(65536)
                body = b'{"snapshots": [], "links": {}, "meta": {"total": 0}}'
                head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n"
                connection.sendall(head + b"Content-Length: %d\r\n\r\n" % len(body) + body)

        server = threading.Thread(target=answer_once_the_notice_is_said, daemon=True)
        server.start()
        do = make(end_point=f"http://127.0.0.1:{port}", timeout=30, notice_after=0.5, notify=notify)
        assert do.snapshots() == []
        server.join(30)
    assert [t.interval for t in timers] == [0.5]
    assert heard == [
        f"waiting for the DigitalOcean API (GET /v2/snapshots/ at http://127.0.0.1:{port}/v2/); "
        "giving up after 60 s (ICECFG_DO_TIMEOUT sets this)"
    ]
    quick = make(notice_after=60, notify=heard.append)
    quick.account()
    assert [t.interval for t in timers] == [0.5, 60]
    timers[-1].join(10)  # a timer that was not cancelled would still wait out its 60 s
    assert not timers[-1].is_alive()
    assert len(heard) == 1  # an answer in time: nothing said
