"""``icecfg up`` and ``icecfg down`` against the fake DigitalOcean API and a real icecast2.

The fake reports 127.0.0.1 as every droplet's address, and a real Icecast
2.4.4 listens there on the ports of the configuration ``icecfg init`` wrote
(moved to free ports through the model), so ``up``'s health check, its URLs
and its DNS record are all checked against something real.
"""

from __future__ import annotations

import contextlib
import http.client
import io
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

import icecfg
from icecfg import cli
from icecfg.ondemand import up
from tests import audio, oracle
from tests.fake_do import TOKEN, FakeDigitalOcean
from tests.station import Station, relocate, run_icecfg, served_station

NOW = datetime.now(timezone.utc)
SNAPSHOT = "icecfg-0123456789ab-20261120-120000"


@pytest.fixture(scope="module")
def station(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Station]:
    """The configuration up reads (--config) and the icecast2 that serves it on 127.0.0.1."""
    with served_station(tmp_path_factory.mktemp("station"), name="up-down") as station:
        yield station


@pytest.fixture
def silent_station(tmp_path: Path, station: Station) -> Path:
    """The same configuration on ports where nothing listens (Icecast never answers)."""
    cfg = icecfg.load(station.config)
    port, tls_port = oracle.free_ports(2)
    cfg.listen_sockets[0].port, cfg.listen_sockets[1].port = port, tls_port
    shutil.copy(station.config.parent / "icecfg.toml", tmp_path / "icecfg.toml")
    icecfg.dump(cfg, tmp_path / "icecast.xml")
    return tmp_path / "icecast.xml"


@pytest.fixture
def fake(fake: FakeDigitalOcean, monkeypatch: pytest.MonkeyPatch) -> FakeDigitalOcean:
    """The shared fake with the station's domain; ``up`` polls it quickly."""
    monkeypatch.setattr(up, "POLL_INTERVAL", 0.05)
    monkeypatch.setattr(up, "HEALTH_INTERVAL", 0.05)
    fake.add_domain("example.org")
    return fake


def _snapshots(fake: FakeDigitalOcean) -> tuple[str, str]:
    old = fake.add_snapshot("icecfg-aaaaaaaaaaaa-20261001-120000", 1.4, NOW - timedelta(days=30), tags=("icecfg",))
    new = fake.add_snapshot(SNAPSHOT, 1.42, NOW - timedelta(days=2), tags=("icecfg",))
    fake.add_snapshot("icecfg-ffffffffffff-20261122-120000", 1.5, NOW - timedelta(days=1), tags=())  # not ours
    return old, new


def _a_records(fake: FakeDigitalOcean, name: str = "radio") -> list[str]:
    return [r.data for r in fake.state.domains["example.org"].records.values() if r.type == "A" and r.name == name]


def _droplets(fake: FakeDigitalOcean) -> list[tuple[str, list[str]]]:
    return [(d.name, list(d.tags)) for d in fake.state.droplets.values()]


def _invariants(fake: FakeDigitalOcean) -> None:
    """What a failed up must leave: no untagged droplet of ours, no record for a droplet that is gone."""
    assert all("icecfg" in tags for _name, tags in _droplets(fake))
    if not fake.state.droplets:
        assert _a_records(fake) == []


# --------------------------------------------------------------------------- up


def test_up_creates_a_tagged_droplet_points_dns_and_prints_the_urls(
    fake: FakeDigitalOcean, station: Station, capsys: pytest.CaptureFixture[str]
) -> None:
    _old, new = _snapshots(fake)
    assert run_icecfg("up", "--config", str(station.config)) == 0
    out, err = capsys.readouterr()
    [droplet] = fake.state.droplets.values()
    assert droplet.tags == ["icecfg"]
    assert droplet.image["id"] == int(new)
    assert (droplet.region, droplet.size) == ("fra1", "s-1vcpu-1gb")
    [create] = [r for r in fake.requests if r.method == "POST" and r.path.rstrip("/") == "/v2/droplets"]
    assert create.body["tags"] == ["icecfg"]  # tagged in the create request itself
    assert _a_records(fake) == ["127.0.0.1"]
    # The health check reached the real server on both configured sockets.
    assert f"Icecast answers http://127.0.0.1:{station.port}/" in out
    assert f"Icecast answers https://127.0.0.1:{station.tls_port}/" in out
    assert f"https://radio.example.org:{station.tls_port}/live.ogg" in out
    assert f"http://radio.example.org:{station.port}/live.ogg" in out
    assert f"https://source:<password from your config>@radio.example.org:{station.tls_port}/live.ogg" in out
    assert "$0.00893 an hour" in out
    assert station.password not in out + err
    assert TOKEN not in out + err
    assert err == ""


def test_up_twice_does_not_create_a_second_droplet(
    fake: FakeDigitalOcean, station: Station, capsys: pytest.CaptureFixture[str]
) -> None:
    _snapshots(fake)
    assert run_icecfg("up", "--config", str(station.config)) == 0
    first = set(fake.state.droplets)
    capsys.readouterr()
    assert run_icecfg("up", "--config", str(station.config)) == 0
    assert set(fake.state.droplets) == first
    assert "already up" in capsys.readouterr().out
    assert len([r for r in fake.requests if r.method == "POST" and r.path.rstrip("/") == "/v2/droplets"]) == 1
    assert _a_records(fake) == ["127.0.0.1"]


def test_up_takes_an_explicit_snapshot_size_and_region(fake: FakeDigitalOcean, station: Station) -> None:
    old, _new = _snapshots(fake)
    assert run_icecfg("up", "--config", str(station.config), "--snapshot", old, "--size", "s-1vcpu-2gb") == 0
    [droplet] = fake.state.droplets.values()
    assert (droplet.image["id"], droplet.size) == (int(old), "s-1vcpu-2gb")


def test_up_starts_the_newest_snapshot_of_the_configured_release(fake: FakeDigitalOcean, station: Station) -> None:
    """A newer 2.5 image is not started for a 2.4 configuration (names before releases are 2.4)."""
    _old, new = _snapshots(fake)
    fake.add_snapshot("icecfg-2.5-0123456789ab-20261124-120000", 1.6, NOW, tags=("icecfg", "icecfg-icecast-2-5"))
    assert run_icecfg("up", "--config", str(station.config), "--target", "2.4") == 0
    [droplet] = fake.state.droplets.values()
    assert droplet.image["id"] == int(new)


@pytest.mark.parametrize(
    "case",
    [
        (
            (),
            1,
            "icecfg up: no icecfg snapshot of Icecast 2.4: run icecfg bake --target 2.4 (there are snapshots of 2.5)",
        ),
        (
            ("--snapshot", "{newer}"),
            2,
            "icecfg up: snapshot {newer} runs Icecast 2.5, the configuration is for 2.4 (--target)",
        ),
    ],
)
def test_up_never_starts_another_release(
    fake: FakeDigitalOcean, station: Station, capsys: pytest.CaptureFixture[str], case: tuple[tuple[str, ...], int, str]
) -> None:
    argv, status, message = case
    newer = fake.add_snapshot("icecfg-2.5-0123456789ab-20261124-120000", 1.6, NOW, tags=("icecfg",))
    argv = tuple(a.format(newer=newer) for a in argv)
    assert run_icecfg("up", "--config", str(station.config), "--target", "2.4", *argv) == status
    assert capsys.readouterr().err == message.format(newer=newer) + "\n"
    _nothing_spent(fake)


def test_up_without_a_domain_sets_no_record(
    fake: FakeDigitalOcean, station: Station, capsys: pytest.CaptureFixture[str]
) -> None:
    _snapshots(fake)
    assert run_icecfg("up", "--config", str(station.config), "--no-dns") == 0
    assert _a_records(fake) == []
    assert f"http://127.0.0.1:{station.port}/live.ogg" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "status", "message"),
    [
        ((), 1, "no icecfg snapshot"),  # nothing baked yet
        (("--domain", "radio.unknown.net"), 1, "no DigitalOcean DNS domain"),
        (("--region", "nyc1"), 2, "not nyc1"),
        (("--size", "s-1vcpu-512mb-10gb"), 2, "needs a disk of 25 GB"),
        (("--size", "m-64vcpu"), 2, "unknown droplet size"),
        (("--snapshot", "nope"), 2, "snapshot id"),
        # no DNS name: DigitalOcean refuses the record only after the droplet is made
        (("--domain", "my radio.example.org"), 2, "not a DNS name"),
        (("--domain", "*.example.org"), 2, "not a DNS name"),
        (("--domain", "a" * 64 + ".example.org"), 2, "not a DNS name"),
    ],
)
def test_up_checks_everything_before_spending(
    fake: FakeDigitalOcean,
    station: Station,
    capsys: pytest.CaptureFixture[str],
    argv: tuple[str, ...],
    status: int,
    message: str,
) -> None:
    if argv:
        _snapshots(fake)
    assert run_icecfg("up", "--config", str(station.config), *argv) == status
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
    _nothing_spent(fake)


def _nothing_spent(fake: FakeDigitalOcean) -> None:
    """Nothing was created: no POST reached the API, no droplet exists."""
    assert not [r for r in fake.requests if r.method == "POST"]
    assert fake.state.droplets == {}


def test_up_without_a_token_is_a_usage_error(
    station: Station, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("DIGITALOCEAN_TOKEN", raising=False)
    monkeypatch.delenv("DIGITALOCEAN_ACCESS_TOKEN", raising=False)
    assert run_icecfg("up", "--config", str(station.config)) == 2
    assert "no DigitalOcean API token" in capsys.readouterr().err


# --------------------------------------------------------------------------- failures mid-up


def _fail_create_after_making_it(fake: FakeDigitalOcean) -> None:
    def hook(droplet: dict[str, object], keys: list[str]) -> None:
        raise RuntimeError("lost answer")

    fake.on_droplet_created = hook  # the droplet exists, the client gets a 500


@pytest.mark.parametrize(
    "break_it",
    [
        pytest.param(lambda f: f.inject("POST", r"^/v2/droplets/?$", 500, times=1), id="create-refused"),
        pytest.param(_fail_create_after_making_it, id="create-500-after-creating"),
        pytest.param(lambda f: f.inject("GET", r"^/v2/droplets/\d+/?$", 403, times=None), id="poll-fails"),
        pytest.param(lambda f: f.inject("POST", r"/records/?$", 422, times=None), id="dns-create-fails"),
    ],
)
def test_api_failures_mid_up_leave_nothing_behind(
    fake: FakeDigitalOcean, station: Station, capsys: pytest.CaptureFixture[str], break_it: object
) -> None:
    _snapshots(fake)
    break_it(fake)  # type: ignore[operator]
    assert run_icecfg("up", "--config", str(station.config)) == 1
    err = capsys.readouterr().err
    assert TOKEN not in err
    assert fake.state.droplets == {}
    _invariants(fake)


def test_a_silent_icecast_removes_the_record_before_the_droplet(
    fake: FakeDigitalOcean, silent_station: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _snapshots(fake)
    assert run_icecfg("up", "--config", str(silent_station), "--timeout", "1") == 1
    out, err = capsys.readouterr()
    assert "Icecast did not answer in time" in err
    assert fake.state.droplets == {}
    assert _a_records(fake) == []
    deletes = [r.path for r in fake.requests if r.method == "DELETE"]
    assert [p.split("/")[2] for p in deletes] == ["domains", "droplets"]  # reverse order: DNS, then droplet
    assert "removed DNS record radio.example.org" in out


@pytest.mark.parametrize("signal_number", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
def test_a_terminated_up_removes_what_it_created(
    fake: FakeDigitalOcean, silent_station: Path, signal_number: int
) -> None:
    """``timeout``, a service manager or a closed SSH session end ``up`` as Ctrl-C does: nothing left billed."""
    _snapshots(fake)
    command = [sys.executable, "-m", "icecfg", "up", "--config", str(silent_station), "--timeout", "120"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as process:
        deadline = time.monotonic() + 60
        while not _a_records(fake) and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)  # until the droplet exists and its name points at it: up waits for Icecast
        assert _a_records(fake) == ["127.0.0.1"] and len(fake.state.droplets) == 1
        process.send_signal(signal_number)
        out, err = process.communicate(timeout=60)
    assert process.returncode == 130 and err == "icecfg: interrupted\n", (out, err)
    assert "removed DNS record radio.example.org" in out and "destroyed droplet" in out
    assert fake.state.droplets == {} and _a_records(fake) == []


def test_a_droplet_that_cannot_be_destroyed_stays_tagged_and_unnamed(
    fake: FakeDigitalOcean, silent_station: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _snapshots(fake)
    fake.inject("DELETE", r"^/v2/droplets/\d+/?$", 500, times=None)
    assert run_icecfg("up", "--config", str(silent_station), "--timeout", "1") == 1
    err = capsys.readouterr().err
    assert "icecfg down removes it" in err
    [(_name, tags)] = _droplets(fake)
    assert tags == ["icecfg"]
    assert _a_records(fake) == []  # no name points at the droplet that is being given up


def test_keep_on_failure_keeps_droplet_and_record(
    fake: FakeDigitalOcean, silent_station: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _snapshots(fake)
    assert run_icecfg("up", "--config", str(silent_station), "--timeout", "1", "--keep-on-failure") == 1
    assert len(fake.state.droplets) == 1
    assert _a_records(fake) == ["127.0.0.1"]
    assert "icecfg down removes it" in capsys.readouterr().out


# --------------------------------------------------------------------------- down


def _age(fake: FakeDigitalOcean, droplet_id: int, hours: float) -> None:
    stamp = (datetime.now(timezone.utc) - timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M:%SZ")
    fake.state.droplets[droplet_id].created_at = stamp


def test_down_destroys_only_icecfg_droplets_and_their_record(
    fake: FakeDigitalOcean, station: Station, capsys: pytest.CaptureFixture[str]
) -> None:
    _old, new = _snapshots(fake)
    ours = fake.add_droplet("icecfg-20261123-100000", new, tags=("icecfg",))
    _age(fake, ours, 2)
    mine = fake.add_droplet("my-website", new, tags=())
    lookalike = fake.add_droplet("icecfg-but-not-tagged", new, tags=("icecfg-old", "web"))
    fake.add_record("example.org", "A", "radio", "127.0.0.1")
    fake.add_record("example.org", "A", "www", "127.0.0.1")  # the same address, another name
    assert run_icecfg("down", "--yes", "--config", str(station.config)) == 0
    out = capsys.readouterr().out
    assert set(fake.state.droplets) == {mine, lookalike}
    assert _a_records(fake) == []
    assert _a_records(fake, "www") == ["127.0.0.1"]
    # 2 hours of s-1vcpu-1gb at $0.00893 = $0.01786
    assert f"destroyed droplet {ours} icecfg-20261123-100000: ran 2h 00m, cost $0.02" in out
    assert "DNS: removed radio.example.org A 127.0.0.1" in out
    deleted = [r.path.rstrip("/") for r in fake.requests if r.method == "DELETE" and "droplets" in r.path]
    assert deleted == [f"/v2/droplets/{ours}"]


def test_down_keeps_the_record_when_configured(
    fake: FakeDigitalOcean, station: Station, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _old, new = _snapshots(fake)
    fake.add_droplet("icecfg-1", new, tags=("icecfg",))
    fake.add_record("example.org", "A", "radio", "127.0.0.1")
    settings = (station.config.parent / "icecfg.toml").read_text().replace("keep-dns = false", "keep-dns = true")
    (tmp_path / "icecfg.toml").write_text(settings)
    shutil.copy(station.config, tmp_path / "icecast.xml")
    assert run_icecfg("down", "--yes", "--config", str(tmp_path / "icecast.xml")) == 0
    assert fake.state.droplets == {}
    assert _a_records(fake) == ["127.0.0.1"]
    assert "kept radio.example.org" in capsys.readouterr().out
    # --no-keep-dns on the command line wins over the setting.
    fake.add_droplet("icecfg-2", new, tags=("icecfg",))
    assert run_icecfg("down", "--yes", "--no-keep-dns", "--config", str(tmp_path / "icecast.xml")) == 0
    assert _a_records(fake) == []


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_down_asks_first(
    fake: FakeDigitalOcean, station: Station, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _old, new = _snapshots(fake)
    fake.add_droplet("icecfg-1", new, tags=("icecfg",))
    monkeypatch.setattr("sys.stdin", io.StringIO("y\n"))  # not a terminal: --yes is required
    assert run_icecfg("down", "--config", str(station.config)) == 2
    assert "without --yes" in capsys.readouterr().err
    assert len(fake.state.droplets) == 1
    monkeypatch.setattr("sys.stdin", _Terminal("n\n"))
    assert run_icecfg("down", "--config", str(station.config)) == 0
    assert "nothing destroyed" in capsys.readouterr().out
    assert len(fake.state.droplets) == 1
    monkeypatch.setattr("sys.stdin", _Terminal("y\n"))
    assert run_icecfg("down", "--config", str(station.config)) == 0
    assert fake.state.droplets == {}


def test_down_with_nothing_running(
    fake: FakeDigitalOcean, station: Station, capsys: pytest.CaptureFixture[str]
) -> None:
    _old, new = _snapshots(fake)
    fake.add_droplet("someone-else", new, tags=())
    assert run_icecfg("down", "--yes", "--config", str(station.config)) == 0
    assert "nothing to destroy" in capsys.readouterr().out
    assert len(fake.state.droplets) == 1


def test_down_still_destroys_when_dns_fails(
    fake: FakeDigitalOcean, station: Station, capsys: pytest.CaptureFixture[str]
) -> None:
    _old, new = _snapshots(fake)
    fake.add_droplet("icecfg-1", new, tags=("icecfg",))
    fake.add_record("example.org", "A", "radio", "127.0.0.1")
    fake.inject("DELETE", r"/records/\d+", 403, times=None)
    assert run_icecfg("down", "--yes", "--config", str(station.config)) == 1
    assert fake.state.droplets == {}  # the money stops even so
    assert "could not remove the DNS record" in capsys.readouterr().err


def test_up_then_down(fake: FakeDigitalOcean, station: Station, capsys: pytest.CaptureFixture[str]) -> None:
    _snapshots(fake)
    fake.add_droplet("my-website", fake.add_snapshot("mine", 3.0, NOW), tags=())
    assert run_icecfg("up", "--config", str(station.config)) == 0
    assert _a_records(fake) == ["127.0.0.1"]
    assert run_icecfg("down", "--yes", "--config", str(station.config)) == 0
    assert _droplets(fake) == [("my-website", [])]
    assert _a_records(fake) == []
    out = capsys.readouterr().out
    assert re.search(r"ran \d+s, cost \$0\.01", out)  # per-second billing, $0.01 at least


# --------------------------------------------------------------------------- IPv6


def _aaaa_records(fake: FakeDigitalOcean, name: str = "radio") -> list[str]:
    return [r.data for r in fake.state.domains["example.org"].records.values() if r.type == "AAAA" and r.name == name]


def _ipv6_of(fake: FakeDigitalOcean, droplet_id: int) -> str:
    """The IPv6 address the fake reports for a droplet made with ``ipv6: true``."""
    return f"2a03:b0c0:3:d0::{droplet_id % 65536:x}"


def test_up_with_ipv6_sets_a_and_aaaa_and_down_removes_both(
    fake: FakeDigitalOcean, station: Station, capsys: pytest.CaptureFixture[str]
) -> None:
    _snapshots(fake)
    fake.add_record("example.org", "AAAA", "www", "2001:db8::1")  # another name
    fake.add_record("example.org", "AAAA", "radio", "2001:db8::2")  # a stale address of the name: replaced
    fake.add_record("example.org", "TXT", "radio", "hello")  # another type
    assert run_icecfg("up", "--config", str(station.config), "--ipv6") == 0
    out, err = capsys.readouterr()
    assert err == ""
    [droplet] = fake.state.droplets.values()
    assert droplet.ipv6 and droplet.tags == ["icecfg"]
    [create] = [r for r in fake.requests if r.method == "POST" and r.path.rstrip("/") == "/v2/droplets"]
    assert create.body["ipv6"] is True
    address6 = _ipv6_of(fake, droplet.id)
    assert _a_records(fake) == ["127.0.0.1"]
    assert _aaaa_records(fake) == [address6]
    assert out.index("DNS: radio.example.org A 127.0.0.1") < out.index(f"DNS: radio.example.org AAAA {address6}")

    # up again reuses the droplet and leaves the records as they are.
    assert run_icecfg("up", "--config", str(station.config), "--ipv6") == 0
    assert "already up" in capsys.readouterr().out
    assert (_a_records(fake), _aaaa_records(fake)) == (["127.0.0.1"], [address6])

    fake.add_record("example.org", "AAAA", "www", address6)  # the droplet's address under another name
    assert run_icecfg("down", "--yes", "--config", str(station.config)) == 0
    out = capsys.readouterr().out
    assert fake.state.droplets == {}
    assert _a_records(fake) == [] and _aaaa_records(fake) == []
    assert sorted(_aaaa_records(fake, "www")) == sorted(["2001:db8::1", address6])
    assert [r.data for r in fake.state.domains["example.org"].records.values() if r.type == "TXT"] == ["hello"]
    assert f"DNS: removed radio.example.org AAAA {address6}" in out
    assert "DNS: removed radio.example.org A 127.0.0.1" in out


def test_up_without_ipv6_asks_for_none_and_sets_no_aaaa(fake: FakeDigitalOcean, station: Station) -> None:
    _snapshots(fake)
    assert run_icecfg("up", "--config", str(station.config)) == 0
    [create] = [r for r in fake.requests if r.method == "POST" and r.path.rstrip("/") == "/v2/droplets"]
    assert create.body["ipv6"] is False
    assert _a_records(fake) == ["127.0.0.1"] and _aaaa_records(fake) == []


def test_ipv6_from_the_settings(fake: FakeDigitalOcean, station: Station, tmp_path: Path) -> None:
    _snapshots(fake)
    settings = (station.config.parent / "icecfg.toml").read_text().replace("[bake]\n", "[bake]\nipv6 = true\n", 1)
    assert "ipv6 = true" in settings
    (tmp_path / "icecfg.toml").write_text(settings)
    shutil.copy(station.config, tmp_path / "icecast.xml")
    assert run_icecfg("up", "--config", str(tmp_path / "icecast.xml")) == 0
    [droplet] = fake.state.droplets.values()
    assert _aaaa_records(fake) == [_ipv6_of(fake, droplet.id)]
    # --no-ipv6 wins over the setting (the running droplet keeps its records: up changes nothing there).
    assert run_icecfg("down", "--yes", "--config", str(tmp_path / "icecast.xml")) == 0
    assert run_icecfg("up", "--config", str(tmp_path / "icecast.xml"), "--no-ipv6") == 0
    [droplet] = fake.state.droplets.values()
    assert not droplet.ipv6 and _aaaa_records(fake) == []


def test_down_removes_only_the_aaaa_of_the_droplet_address(
    fake: FakeDigitalOcean, station: Station, capsys: pytest.CaptureFixture[str]
) -> None:
    _old, new = _snapshots(fake)
    ours = fake.add_droplet("icecfg-1", new, tags=("icecfg",))
    fake.state.droplets[ours].ipv6 = True
    mine = fake.add_droplet("my-website", new, tags=())
    fake.state.droplets[mine].ipv6 = True
    address6 = _ipv6_of(fake, ours)
    fake.add_record("example.org", "A", "radio", "127.0.0.1")
    fake.add_record("example.org", "AAAA", "radio", address6)
    fake.add_record("example.org", "AAAA", "radio", _ipv6_of(fake, mine))  # not our droplet's address
    fake.add_record("example.org", "AAAA", "www", address6)
    assert run_icecfg("down", "--yes", "--config", str(station.config)) == 0
    assert set(fake.state.droplets) == {mine}
    assert _a_records(fake) == []
    assert _aaaa_records(fake) == [_ipv6_of(fake, mine)]
    assert _aaaa_records(fake, "www") == [address6]


def test_down_keeps_the_aaaa_when_configured(fake: FakeDigitalOcean, station: Station) -> None:
    _old, new = _snapshots(fake)
    ours = fake.add_droplet("icecfg-1", new, tags=("icecfg",))
    fake.state.droplets[ours].ipv6 = True
    fake.add_record("example.org", "A", "radio", "127.0.0.1")
    fake.add_record("example.org", "AAAA", "radio", _ipv6_of(fake, ours))
    assert run_icecfg("down", "--yes", "--keep-dns", "--config", str(station.config)) == 0
    assert fake.state.droplets == {}
    assert _a_records(fake) == ["127.0.0.1"] and _aaaa_records(fake) == [_ipv6_of(fake, ours)]


def test_a_silent_icecast_removes_aaaa_and_a_before_the_droplet(
    fake: FakeDigitalOcean, silent_station: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _snapshots(fake)
    assert run_icecfg("up", "--config", str(silent_station), "--timeout", "1", "--ipv6") == 1
    out, err = capsys.readouterr()
    assert "Icecast did not answer in time" in err
    assert "DNS: radio.example.org AAAA 2a03:b0c0:3:d0::" in out  # it was set before the failure
    assert fake.state.droplets == {}
    assert _a_records(fake) == [] and _aaaa_records(fake) == []
    deletes = [r.path.split("/")[2] for r in fake.requests if r.method == "DELETE"]
    assert deletes == ["domains", "domains", "droplets"]
    assert out.index("removed DNS record radio.example.org AAAA") < out.index("removed DNS record radio.example.org A ")


def test_a_failing_aaaa_undoes_the_a_record_and_the_droplet(
    fake: FakeDigitalOcean, station: Station, capsys: pytest.CaptureFixture[str]
) -> None:
    _snapshots(fake)
    fake.add_record("example.org", "AAAA", "radio", "2001:db8::2")  # the AAAA is then updated, not created
    fake.inject("PUT", r"/records/\d+/?$", 422, times=None)  # and that fails, after the A record was set
    assert run_icecfg("up", "--config", str(station.config), "--ipv6") == 1
    assert "HTTP 422" in capsys.readouterr().err
    assert fake.state.droplets == {}
    assert _a_records(fake) == []
    assert _aaaa_records(fake) == ["2001:db8::2"]  # not this droplet's address: left alone


# --------------------------------------------------------------------------- relays

#: What the fake reports as a relay droplet's address: TEST-NET-1, never routed. The test maps it,
#: in name resolution, to the relay's icecast2 on 127.0.0.1, so no packet goes anywhere else.
RELAY_ADDRESS = "192.0.2.10"


def test_the_relay_config_lints_clean_and_carries_no_origin_secret(station: Station) -> None:
    from icecfg.lint import lint
    from icecfg.ondemand.relays import config_of_user_data, relay_config, user_data

    origin = icecfg.load(station.config)
    origin.authentication.relay_user = "relay"
    origin.authentication.relay_password = "origin-relay-secret-123456789"
    origin.mounts[0].password = "mount-source-secret-123456789"
    secrets = [origin.authentication.admin_password, "origin-relay-secret-123456789", "mount-source-secret-123456789"]
    cfg = relay_config(origin, "203.0.113.7", 8000, "relay1.radio.example.org", ["/live.ogg"])
    data = icecfg.dumps(cfg)
    assert lint(cfg, target="2.4", files=False) == []  # not even an info
    assert station.password.encode() not in data
    assert not [s for s in secrets if s is not None and s.encode() in data]
    [relay] = cfg.relays
    assert (relay.server, relay.port, relay.mount, relay.local_mount, relay.on_demand) == (
        "203.0.113.7",
        8000,
        "/live.ogg",
        "/live.ogg",
        False,
    )
    assert cfg.hostname == "relay1.radio.example.org"
    assert cfg.mounts[0].fallback_mount == "/fallback.ogg"  # the relay's listeners keep the fallback
    script = user_data(data)
    assert script.startswith("#!/bin/sh\n") and "systemctl restart icecast2.service" in script
    assert config_of_user_data(script) == data
    assert origin.authentication.relay_password == "origin-relay-secret-123456789"  # the origin is untouched


@dataclass
class RelayNet:
    """Where the relay droplet's ports really are: RELAY_ADDRESS:port resolves to 127.0.0.1:ports[port]."""

    ports: dict[int, int]


@pytest.fixture
def relay_net(fake: FakeDigitalOcean, monkeypatch: pytest.MonkeyPatch) -> Iterator[RelayNet]:
    from icecfg.ondemand.relays import RELAY_TAG

    original = fake._droplet_view

    def view(droplet: object) -> dict[str, object]:
        data = original(droplet)  # type: ignore[arg-type]
        networks = data["networks"]["v4"]  # type: ignore[index]
        if RELAY_TAG in droplet.tags and networks:  # type: ignore[attr-defined]
            networks[0]["ip_address"] = RELAY_ADDRESS
        return data

    monkeypatch.setattr(fake, "_droplet_view", view)
    net = RelayNet({})
    closed = oracle.free_port()  # where an address nothing listens on yet leads
    guarded = socket.getaddrinfo  # loopback_only's: the mapped address must still pass it

    def getaddrinfo(host: object, port: object, *args: object, **kwargs: object) -> object:
        if host == RELAY_ADDRESS and isinstance(port, int):
            port = net.ports.get(port, closed)
            host = "127.0.0.1"
        return guarded(host, port, *args, **kwargs)  # type: ignore[arg-type]

    socket.getaddrinfo = getaddrinfo  # type: ignore[assignment]
    try:
        yield net
    finally:
        socket.getaddrinfo = guarded


@pytest.fixture
def relay_cloud(fake: FakeDigitalOcean, relay_net: RelayNet) -> Iterator[list[oracle.IcecastServer]]:
    """A relay droplet's user data really starts an icecast2 (what cloud-init does), on ports of its own."""
    from icecfg.ondemand.relays import RELAY_TAG, config_of_user_data

    servers: list[oracle.IcecastServer] = []
    with contextlib.ExitStack() as stack:

        def boot(droplet: dict[str, object], keys: list[str]) -> None:
            state = fake.state.droplets[int(droplet["id"])]  # type: ignore[call-overload]
            if RELAY_TAG not in state.tags or state.user_data is None:
                return
            cfg = icecfg.loads(config_of_user_data(state.user_data))
            box = stack.enter_context(oracle.temporary_sandbox())
            box.write("web/fallback.ogg", audio.make_ogg(bitrate_kbps=128).read_bytes())
            wanted = [s.port for s in cfg.listen_sockets]
            own = oracle.free_ports(2)
            relocate(cfg, box, *own)  # the droplet's ports, moved beside the origin's on 127.0.0.1
            relay_net.ports.update(zip(wanted, own, strict=True))  # type: ignore[arg-type]
            servers.append(stack.enter_context(oracle.serve(icecfg.dumps(cfg), box, own[0], name="relay")))

        fake.on_droplet_created = boot
        yield servers


def test_up_with_a_relay_then_down(
    fake: FakeDigitalOcean,
    station: Station,
    relay_net: RelayNet,
    relay_cloud: list[oracle.IcecastServer],
    capsys: pytest.CaptureFixture[str],
) -> None:
    from icecfg.ondemand.relays import RELAY_TAG

    _snapshots(fake)
    assert run_icecfg("up", "--config", str(station.config), "--relays", "1", "--timeout", "30") == 0
    out, err = capsys.readouterr()
    assert err == "", err
    origin, relay = sorted(fake.state.droplets.values(), key=lambda d: d.id)
    assert origin.tags == ["icecfg"] and relay.tags == ["icecfg", RELAY_TAG]
    assert relay.image == origin.image and relay.size == origin.size
    assert _a_records(fake) == ["127.0.0.1"]
    assert _a_records(fake, "relay1.radio") == [RELAY_ADDRESS]
    assert f"Icecast answers https://{RELAY_ADDRESS}:{station.tls_port}/" in out
    assert "relay relay1.radio.example.org relays /live.ogg" in out
    assert f"https://relay1.radio.example.org:{station.tls_port}/live.ogg" in out
    assert station.password not in out and station.password not in (relay.user_data or "")
    [relay_server] = relay_cloud
    relay_port = relay_net.ports[station.port]

    # A DJ streams to the origin; a listener of the relay hears it.
    song = audio.make_ogg(bitrate_kbps=128)
    with oracle.SourceClient(station.port, "/live.ogg", song, password=station.password) as source:
        assert source.accepted
        listened: list[oracle.HttpResponse] = []

        def relay_plays() -> bool:
            """The relay may still be connecting to the origin: not answering yet is not an answer."""
            with contextlib.suppress(OSError, http.client.HTTPException):
                listened.append(oracle.http_get(relay_port, "/live.ogg", max_body=16384))
                return listened[-1].status == 200 and b"OggS" in listened[-1].body
            return False

        oracle.wait_until(relay_plays)
        assert listened, "the relay never answered"
        assert listened[-1].status == 200 and listened[-1].body.startswith(b"OggS")
        relayed = oracle.status_json(relay_port)["icestats"]
        assert relayed["host"] == "relay1.radio.example.org"
        assert [oracle.source_mount(s) for s in relayed["source"]] == ["/live.ogg"]
    assert relay_server.running

    # up again: neither the origin nor the relay is made twice.
    assert run_icecfg("up", "--config", str(station.config), "--relays", "1", "--timeout", "30") == 0
    assert len(fake.state.droplets) == 2
    assert "relay 1: droplet" in capsys.readouterr().out

    assert run_icecfg("down", "--yes", "--config", str(station.config)) == 0
    assert fake.state.droplets == {}
    assert _a_records(fake) == [] and _a_records(fake, "relay1.radio") == []
    assert f"DNS: removed relay1.radio.example.org A {RELAY_ADDRESS}" in capsys.readouterr().out


def test_a_relay_that_never_relays_undoes_the_whole_up(
    fake: FakeDigitalOcean, station: Station, relay_net: RelayNet, capsys: pytest.CaptureFixture[str]
) -> None:
    _snapshots(fake)  # no user data is run: nothing ever answers at the relay's address
    assert run_icecfg("up", "--config", str(station.config), "--relays", "1", "--timeout", "2") == 1
    assert "did not answer in time" in capsys.readouterr().err
    assert fake.state.droplets == {}
    assert _a_records(fake) == [] and _a_records(fake, "relay1.radio") == []
    deletes = [r.path.split("/")[2] for r in fake.requests if r.method == "DELETE"]
    assert deletes == ["domains", "droplets", "domains", "droplets"]  # relay record, relay, origin record, origin


def test_relays_need_a_sane_count(fake: FakeDigitalOcean, station: Station, capsys: pytest.CaptureFixture[str]) -> None:
    _snapshots(fake)
    with pytest.raises(SystemExit) as stopped:
        cli.main(["up", "--config", str(station.config), "--relays", "10"])
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert err == "icecfg up: argument --relays: 10: must be a whole number from 0 to 9 (see 'icecfg up --help')\n", err
    assert fake.state.droplets == {}


EMPTY_HINT = "is empty: leave it out for its default"


@pytest.mark.parametrize("option", ["--domain", "--region", "--size", "--snapshot", "--config"])
def test_an_empty_option_of_up_is_a_usage_error_before_anything_is_created(
    fake: FakeDigitalOcean, station: Station, capsys: pytest.CaptureFixture[str], option: str
) -> None:
    """``up --domain ''`` pointed the settings' domain at the droplet: what was typed is never replaced."""
    _snapshots(fake)
    argv = ["up", *(["--config", str(station.config)] if option != "--config" else []), option, ""]
    with pytest.raises(SystemExit) as stopped:
        cli.main(argv)
    assert stopped.value.code == 2
    assert capsys.readouterr().err == f"icecfg up: argument {option}: {EMPTY_HINT} (see 'icecfg up --help')\n"
    _nothing_spent(fake)


@pytest.mark.parametrize("option", ["--domain", "--config"])
def test_an_empty_option_of_down_is_a_usage_error_before_anything_is_destroyed(
    fake: FakeDigitalOcean, station: Station, capsys: pytest.CaptureFixture[str], option: str
) -> None:
    _old, new = _snapshots(fake)
    ours = fake.add_droplet("icecfg-20261123-100000", new, tags=("icecfg",))
    fake.add_record("example.org", "A", "radio", "127.0.0.1")
    argv = ["down", "--yes", *(["--config", str(station.config)] if option != "--config" else []), option, ""]
    with pytest.raises(SystemExit) as stopped:
        cli.main(argv)
    assert stopped.value.code == 2
    assert capsys.readouterr().err == f"icecfg down: argument {option}: {EMPTY_HINT} (see 'icecfg down --help')\n"
    assert set(fake.state.droplets) == {ours} and _a_records(fake) == ["127.0.0.1"]


@pytest.mark.parametrize(
    ("command", "option"),
    [
        ("status", "--config"),
        ("cost", "--config"),
        ("cost", "--size"),
        ("bake", "--config"),
        ("bake", "--region"),
        ("bake", "--size"),
        ("bake", "--image"),
    ],
)
def test_an_empty_option_of_a_cloud_command_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], command: str, option: str
) -> None:
    with pytest.raises(SystemExit) as stopped:
        cli.main([command, option, ""])
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert err == f"icecfg {command}: argument {option}: {EMPTY_HINT} (see 'icecfg {command} --help')\n"
