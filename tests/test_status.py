"""``icecfg status`` against the fake DigitalOcean API and a real icecast2 with a source and a listener."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

import icecfg
from tests import audio, oracle
from tests.fake_do import FakeDigitalOcean, loopback_only
from tests.station import Listener, Station, run_icecfg, served_station

NOW = datetime.now(timezone.utc)


@pytest.fixture(scope="module")
def station(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Station]:
    with served_station(tmp_path_factory.mktemp("status"), name="status") as station:
        yield station


def _droplet(fake: FakeDigitalOcean, hours: float, tags: tuple[str, ...] = ("icecfg",), name: str = "icecfg-1") -> int:
    image = fake.add_snapshot("icecfg-0123456789ab-20261120-120000", 1.42, NOW - timedelta(days=1), tags=("icecfg",))
    droplet = fake.add_droplet(name, image, tags=tags)
    created = datetime.now(timezone.utc) - timedelta(hours=hours)
    fake.state.droplets[droplet].created_at = created.strftime("%Y-%m-%dT%H:%M:%SZ")
    return droplet


def test_status_shows_uptime_cost_and_live_listeners(
    fake: FakeDigitalOcean, station: Station, capsys: pytest.CaptureFixture[str]
) -> None:
    droplet = _droplet(fake, hours=1.5)
    fake.add_droplet("not-ours", fake.add_snapshot("mine", 2.0, NOW), tags=())
    song = audio.make_ogg(bitrate_kbps=128)
    with oracle.SourceClient(station.port, "/live.ogg", song, password=station.password) as source:
        assert source.accepted
        station.server.wait_mount(station.port, "/live.ogg")
        player = Listener(station.port, "/live.ogg")
        try:
            station.server.wait_listeners(station.port, "/live.ogg", 1)
            assert run_icecfg("status", "--config", str(station.config)) == 0
            out = capsys.readouterr().out
            assert run_icecfg("status", "--config", str(station.config), "--format", "json") == 0
            [row] = json.loads(capsys.readouterr().out)
            oracle.wait_until(lambda: player.received > 0 or player.error is not None)
        finally:
            player.close()
    assert player.received > 0, player.error
    assert f"droplet {droplet} icecfg-1: active, s-1vcpu-1gb in fra1, 127.0.0.1, up 1h 30m" in out
    assert "$0.01 so far ($0.00893/h)" in out  # 1.5 h x $0.00893 = $0.0134
    assert f"(http://127.0.0.1:{station.port}/status-json.xsl, Icecast 2.4.4):" in out
    assert "/live.ogg  1 listener(s)" in out
    assert "not-ours" not in out
    assert station.password not in out
    assert row["id"] == droplet
    assert row["mounts"] == {"/live.ogg": 1}
    assert row["listeners"] == 1
    assert row["server"] == "Icecast 2.4.4"  # the server's own server_id: the release that runs
    assert row["cost_so_far"] == pytest.approx(0.0134, abs=0.00005)  # 1.5 h x $0.00893
    assert 5390 <= row["uptime_seconds"] <= 5500


def test_status_without_a_source(fake: FakeDigitalOcean, station: Station, capsys: pytest.CaptureFixture[str]) -> None:
    _droplet(fake, hours=0.2)
    station.server.wait_mount_gone(station.port, "/live.ogg")
    assert run_icecfg("status", "--config", str(station.config)) == 0
    out = capsys.readouterr().out
    assert "/live.ogg  no source (listeners get the fallback)" in out
    assert "up 0h 12m" in out


def test_status_of_a_server_that_does_not_answer(
    fake: FakeDigitalOcean, station: Station, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _droplet(fake, hours=3)
    cfg = icecfg.load(station.config)
    cfg.listen_sockets[0].port, cfg.listen_sockets[1].port = oracle.free_ports(2)
    icecfg.dump(cfg, tmp_path / "icecast.xml")
    assert run_icecfg("status", "--config", str(tmp_path / "icecast.xml")) == 0
    out = capsys.readouterr().out
    assert "listeners: unknown (" in out
    assert "up 3h 00m, $0.03 so far" in out  # 3 h x $0.00893 = $0.0268


def test_status_with_nothing_running(
    fake: FakeDigitalOcean, station: Station, capsys: pytest.CaptureFixture[str]
) -> None:
    _droplet(fake, hours=1, tags=("web",), name="web-1")
    assert run_icecfg("status", "--config", str(station.config)) == 0
    assert "no droplets tagged icecfg are running" in capsys.readouterr().out
    assert run_icecfg("status", "--config", str(station.config), "--format", "json") == 0
    assert json.loads(capsys.readouterr().out) == []


def test_status_without_a_token(
    station: Station, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("DIGITALOCEAN_TOKEN", raising=False)
    monkeypatch.delenv("DIGITALOCEAN_ACCESS_TOKEN", raising=False)
    assert run_icecfg("status", "--config", str(station.config)) == 2
    err = capsys.readouterr().err
    assert err == "icecfg status: no DigitalOcean API token: set DIGITALOCEAN_TOKEN (or DIGITALOCEAN_ACCESS_TOKEN)\n"


# Captured from a real Icecast 2.5.0 (the image's build) on 127.0.0.1.
_STATUS_2_5_0_HEAD = (
    b'{"icestats":{"modules":null,"authentication":[null,null,null],"admin":"ops@example.org",'
    b'"host":"127.0.0.1","instance_uuid":"9a24c8e3-c88e-48c1-aaa6-4364a527a13e","location":"e2e test",'
    b'"server_id":"Icecast 2.5.0","server_start":"Sat, 05 Dec 2026 10:24:56 +0000",'
    b'"server_start_iso8601":"2026-12-05T10:24:56+0000"'
)


def _source_2_5_0(mount: str, listeners: int, authentication: bytes) -> bytes:
    return (
        b'{"allow-direct-access":true,"audio_bitrate":128000,"audio_channels":2,"audio_samplerate":44100,'
        b'"genre":"various","ice-bitrate":128,"instance_uuid":"72ff6a15-993a-4279-92eb-7a7f2dc6a5a6",'
        b'"listener_peak":%d,"listeners":%d,"listenurl":"http://127.0.0.1:18731%s",'
        b'"server_description":"Unspecified description","server_name":"Unspecified name",'
        b'"server_type":"application/ogg","stream_start":"Sat, 05 Dec 2026 10:25:34 +0000",'
        b'"stream_start_iso8601":"2026-12-05T10:25:34+0000","subtype":"Vorbis","playlist":{"trackList":[null,null]},'
        b'"metadata":null,"content-type":"application/ogg","authentication":%s}'
    ) % (listeners, listeners, mount.encode(), authentication)


STATUS_2_5_0_TWO = (
    _STATUS_2_5_0_HEAD
    + b',"source":['
    + _source_2_5_0("/b.ogg", 0, b'{"role":null}')
    + b","
    + _source_2_5_0("/live.ogg", 2, b"null")
    + b"]}}"
)
STATUS_2_5_0_ONE = _STATUS_2_5_0_HEAD + b',"source":' + _source_2_5_0("/live.ogg", 0, b"null") + b"}}"
STATUS_2_5_0_NONE = _STATUS_2_5_0_HEAD + b',"dummy":null}}'


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # 2.4.4 right after start: the icestats object lacks its brace until the global stats exist.
        (
            b'{"icestats":"server_start":"x","source":{"listenurl":"http://h:8000/live.ogg","listeners":3}}}',
            {"/live.ogg": 3},
        ),
        # one mount: an object; several: a list; none: no key at all.
        (b'{"icestats":{"source":{"listenurl":"http://h:8000/a.ogg","listeners":2}}}', {"/a.ogg": 2}),
        (
            b'{"icestats":{"source":[{"listenurl":"http://h:8000/a.ogg","listeners":1},'
            b'{"listenurl":"http://h:8000/b.mp3","listeners":0}]}}',
            {"/a.ogg": 1, "/b.mp3": 0},
        ),
        (b'{"icestats":{"admin":"x"}}', {}),
        # Icecast 2.5.0 (Debian's 2.5.0-2 source built on Debian 12, as icecfg bake
        # --target 2.5 installs it), with two sources, then one, then none.
        (STATUS_2_5_0_TWO, {"/b.ogg": 0, "/live.ogg": 2}),
        (STATUS_2_5_0_ONE, {"/live.ogg": 0}),
        (STATUS_2_5_0_NONE, {}),
    ],
)
def test_status_json_of_2_4_4_and_2_5_0(body: bytes, expected: dict[str, int]) -> None:
    import http.server

    from icecfg.ondemand import Socket, fetch_status, listeners_by_mount

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    with loopback_only(), http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            stats = fetch_status("127.0.0.1", Socket(server.server_address[1], False))
        finally:
            server.shutdown()
    assert listeners_by_mount(stats) == expected
