"""``icecfg cost``: the arithmetic against hand-computed cases, and the command's sources of prices."""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

import pytest

import icecfg
from icecfg.bake import pricing
from icecfg.ondemand.cost import (
    NETWORK_LIMIT_MBPS,
    Snapshots,
    Stream,
    break_even_hours,
    egress_gib,
    estimate,
    size_rows,
    stream_mbps,
)
from tests.fake_do import SIZES, TOKEN, FakeDigitalOcean, loopback_only
from tests.station import init_dir, run_icecfg

GIB = 2**30


# --------------------------------------------------------------------------- arithmetic


def test_forty_listeners_at_250_kbps_are_10_mbps() -> None:
    # The seed's example: 40 friends x 250 kbit/s = 10,000 kbit/s = 10 Mbit/s.
    assert stream_mbps([250], [40]) == Decimal(10)
    # 10 Mbit/s for an hour: 10e6 / 8 bytes x 3600 s = 4.5e9 bytes = 4.19 GiB.
    assert egress_gib([250], [40], 1) == Decimal(4_500_000_000) / GIB
    assert float(egress_gib([250], [40], 1)) == pytest.approx(4.190951586)
    # Two mounts: the sum over mounts of bitrate x listeners.
    assert stream_mbps([128, 64], [30, 10]) == Decimal("4.48")
    assert egress_gib([128, 64], [30, 10], 2) == Decimal(4_480_000) / 8 * 7200 / GIB


def test_the_references_example_128_kbps_50_listeners_3_hours() -> None:
    # 128 kbit/s x 50 listeners x 3 h = 8.64e9 bytes = 8.05 GiB, about $0.08 with no allowance.
    gib = egress_gib([128], [50], 3)
    assert gib == Decimal(128_000 * 50 // 8 * 3 * 3600) / GIB
    assert float(gib) == pytest.approx(8.0466, abs=1e-4)
    assert pricing.egress_cost(float(gib)).quantize(Decimal("0.01")) == Decimal("0.08")


def test_a_month_of_40_listeners_at_250_kbps_for_10_hours() -> None:
    result = estimate([Stream("/live.ogg", 250, 40)], "s-1vcpu-1gb", 10, [Decimal("2.5")], compare_monthly=Decimal(16))
    assert result.droplet == Decimal("0.0893")  # 10 h x $0.00893
    assert result.snapshots == Decimal("0.150")  # 2.5 GB x $0.06
    sent = Decimal(4_500_000_000) * 10 / GIB  # 41.91 GiB
    allowance = Decimal(1000) * 10 / 672  # 14.88 GiB: 1000 GiB a month accrue /672 an hour
    assert result.egress_gib == sent
    assert result.allowance_gib == allowance
    assert result.billable_gib == sent - allowance
    assert result.egress == (sent - allowance) * Decimal("0.01")
    assert float(result.egress) == pytest.approx(0.270286, abs=1e-6)
    assert float(result.total) == pytest.approx(0.0893 + 0.15 + 0.270286, abs=1e-6)
    # Every hour adds the droplet and the transfer beyond what the hour accrues:
    per_hour = Decimal("0.00893") + (Decimal(4_500_000_000) / GIB - Decimal(1000) / 672) * Decimal("0.01")
    assert result.per_hour == per_hour
    assert result.break_even == (Decimal(16) - Decimal("0.15")) / per_hour
    assert float(result.break_even) == pytest.approx(440.785, abs=1e-3)


def test_within_the_allowance_transfer_costs_nothing() -> None:
    # 20 listeners at 128 kbit/s = 2.56 Mbit/s, below the 3.55 Mbit/s s-1vcpu-1gb accrues.
    result = estimate([Stream("/a.ogg", 128, 20)], "s-1vcpu-1gb", 4, [Decimal(2)])
    assert result.egress == 0
    assert result.billable_gib == 0
    assert result.total == Decimal("0.00893") * 4 + Decimal("0.12")


def test_billing_per_started_hour_and_minimums() -> None:
    streams = [Stream("/a.ogg", 128, 0)]
    assert estimate(streams, "s-1vcpu-1gb", Decimal("2.5"), [], billing="hour").droplet == Decimal("0.00893") * 3
    assert estimate(streams, "s-1vcpu-1gb", Decimal("2.5"), []).droplet == Decimal("0.00893") * Decimal("2.5")
    assert estimate(streams, "s-1vcpu-1gb", Decimal("0.1"), []).droplet == Decimal("0.01")  # $0.01 at least
    assert estimate(streams, "s-1vcpu-1gb", 0, []).droplet == 0
    assert estimate(streams, "s-1vcpu-1gb", 1, [Decimal("0.1")]).snapshots == Decimal("0.01")  # per snapshot
    with pytest.raises(ValueError, match="no price known"):
        estimate(streams, "m-64vcpu", 1, [])


def test_break_even() -> None:
    assert break_even_hours(Decimal(1), Decimal("0.5"), Decimal(16)) == Decimal(30)
    assert break_even_hours(Decimal(16), Decimal("0.5"), Decimal(16)) is None  # storage alone is the plan
    assert break_even_hours(Decimal(0), Decimal(0), Decimal(16)) == Decimal(730)


def test_what_each_size_allows() -> None:
    rows = {r.slug: r for r in size_rows(pricing.price_table(), 128)}
    one = rows["s-1vcpu-1gb"]
    assert one.accrual_gib_per_hour == Decimal(1000) / 672
    # 1000 GiB / 672 h = 1.488 GiB an hour = 3.55 Mbit/s, which carries 27 listeners at 128 kbit/s.
    assert float(one.accrual_mbps) == pytest.approx(1000 * GIB * 8 / 672 / 3600 / 1e6)
    assert one.covered_listeners == 27
    assert rows["s-1vcpu-512mb-10gb"].covered_listeners == 13
    assert rows["s-2vcpu-4gb"].covered_listeners == 110
    # The network: 2000 Mbit/s / 128 kbit/s = 15625 listeners on any of these sizes.
    assert NETWORK_LIMIT_MBPS == 2000
    assert {r.network_listeners for r in rows.values()} == {15625}
    assert next(r.slug for r in size_rows(pricing.price_table(), 250)) == "s-1vcpu-512mb-10gb"  # cheapest first


# --------------------------------------------------------------------------- the command


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = init_dir(tmp_path, "--bitrate", "250")
    cfg = icecfg.load(path)
    assert cfg.mounts[0].bitrate == "250"
    return path


@pytest.fixture
def no_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DIGITALOCEAN_TOKEN", raising=False)
    monkeypatch.delenv("DIGITALOCEAN_ACCESS_TOKEN", raising=False)


@pytest.mark.usefixtures("no_token")
def test_cost_without_a_token_uses_the_dated_table(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["cost", "--config", str(config), "--listeners", "40", "--hours-per-month", "10", "--snapshot-gb", "2.5"]
    assert run_icecfg(*argv, "--compare-monthly", "16") == 0
    out = capsys.readouterr().out
    assert "price table as of 2026-05-28" in out
    assert "/live.ogg: 250 kbit/s x 40 listeners = 10.0 Mbit/s, 4.19 GiB an hour" in out
    assert "41.91 GiB - 14.88 GiB allowance = 27.03 GiB" in out
    assert "$0.51" in out  # 0.0893 + 0.15 + 0.2703
    assert "break-even at 440.8 hours a month" in out
    assert "saves $15.49" in out
    assert run_icecfg(*argv, "--format", "json") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["prices_from"] == "table" and data["prices_as_of"] == "2026-05-28"
    assert data["mbps"] == 10.0
    assert data["total"] == pytest.approx(0.509586, abs=1e-6)
    assert data["break_even_hours"] == pytest.approx(440.785, abs=1e-3)
    sizes = {s["slug"]: s for s in data["sizes"]}
    assert sizes["s-1vcpu-1gb"]["covered_listeners"] == 14  # 3.55 Mbit/s / 250 kbit/s
    assert sizes["s-1vcpu-1gb"]["network_listeners"] == 8000  # 2000 Mbit/s / 250 kbit/s


@pytest.mark.usefixtures("no_token")
def test_cost_defaults_and_per_mount_listeners(
    tmp_path: Path, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_icecfg("cost", "--config", str(config), "--format", "json") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["hours_per_month"] == 10.0
    assert data["streams"] == [{"mount": "/live.ogg", "bitrate_kbps": 250, "listeners": 40, "mbps": 10.0}]
    assert data["snapshot_gb"] == [2.0, 2.0]  # keep = 2 in the icecfg.toml init wrote, about 2 GB each
    assert any("assumed" in note for note in data["notes"])

    cfg = icecfg.load(config)
    cfg.mounts.append(icecfg.Mount(mount_name="/low.mp3", bitrate="64", type="audio/mpeg"))
    cfg.mounts.append(icecfg.Mount(mount_name="/nobitrate.ogg"))
    icecfg.dump(cfg, config)
    argv = ["cost", "--config", str(config), "--format", "json", "--listeners", "10", "--listeners", "/low.mp3=5"]
    assert run_icecfg(*argv) == 0
    streams = json.loads(capsys.readouterr().out)["streams"]
    assert [(s["mount"], s["bitrate_kbps"], s["listeners"]) for s in streams] == [
        ("/live.ogg", 250, 10),
        ("/low.mp3", 64, 5),
        ("/nobitrate.ogg", 128, 10),  # --bitrate's default for a mount that declares none
    ]
    assert run_icecfg("cost", "--config", str(config), "--listeners", "/nope.ogg=3") == 2
    assert "no mount /nope.ogg" in capsys.readouterr().err


def test_cost_with_a_token_uses_the_apis_prices_and_snapshots(
    fake: FakeDigitalOcean, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    now = datetime.now(timezone.utc)
    fake.add_snapshot("icecfg-aaaaaaaaaaaa-20261101-120000", 1.5, now, tags=("icecfg",))
    fake.add_snapshot("icecfg-bbbbbbbbbbbb-20261120-120000", 2.5, now, tags=("icecfg",))
    fake.add_snapshot("someone-elses", 9.0, now, tags=())
    # Prices changed: the API's answer wins over the built-in table.
    repriced = [dict(s, price_hourly=0.01, price_monthly=6.72) if s["slug"] == "s-1vcpu-1gb" else s for s in SIZES]
    fake.inject("GET", r"^/v2/sizes", 200, times=None, body={"sizes": repriced, "links": {}, "meta": {"total": 5}})
    argv = ["cost", "--config", str(config), "--listeners", "40", "--format", "json"]
    assert run_icecfg(*argv) == 0
    out, err = capsys.readouterr()
    data = json.loads(out)
    assert data["prices_from"] == "api" and data["prices_as_of"] is None
    assert data["price_hourly"] == 0.01
    assert data["droplet"] == pytest.approx(0.10)
    assert data["snapshot_gb"] == [1.5, 2.5]
    assert data["snapshots"] == pytest.approx(0.24)
    assert TOKEN not in out + err
    assert run_icecfg("cost", "--config", str(config)) == 0
    assert "prices from the DigitalOcean API" in capsys.readouterr().out


def test_cost_falls_back_to_the_table_when_the_api_fails(
    fake: FakeDigitalOcean, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.inject("GET", r"^/v2/sizes", 403, times=None)
    assert run_icecfg("cost", "--config", str(config)) == 0
    out, err = capsys.readouterr()
    assert "price table as of 2026-05-28" in out
    assert err.startswith("icecfg cost: ") and "using the price table instead" in err
    assert TOKEN not in err


@pytest.mark.usefixtures("no_token")
@pytest.mark.parametrize("value", ["ten", "1,5"])
@pytest.mark.parametrize("option", ["--hours-per-month", "--compare-monthly", "--snapshot-gb"])
def test_a_word_where_a_number_belongs_is_a_usage_error(
    config: Path, option: str, value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Decimal raises InvalidOperation, which argparse does not catch: it was a traceback."""
    with pytest.raises(SystemExit) as stopped:
        run_icecfg("cost", "--config", str(config), option, value)
    assert stopped.value.code == 2
    assert (
        capsys.readouterr().err
        == f"icecfg cost: argument {option}: not a number: {value!r} (see 'icecfg cost --help')\n"
    )


@pytest.mark.usefixtures("no_token")
def test_cost_usage_errors(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_icecfg("cost", "--config", str(config), "--size", "m-64vcpu") == 2
    assert "no price known for droplet size 'm-64vcpu'" in capsys.readouterr().err
    assert run_icecfg("cost", "--config", str(config), "--listeners", "many") == 2
    capsys.readouterr()
    assert run_icecfg("cost", "--config", str(config.parent / "missing.xml")) == 2
    err = capsys.readouterr().err
    assert (
        err
        == f"icecfg cost: cannot read {config.parent / 'missing.xml'}: No such file or directory (pass the configuration with --config)\n"
    )


@pytest.mark.usefixtures("no_token")
def test_cost_finds_the_configuration_like_bake(
    config: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (config.parent / "sub").mkdir()
    monkeypatch.chdir(config.parent / "sub")  # icecfg.toml is found upwards, its bake.config names the file
    assert run_icecfg("cost", "--format", "json") == 0
    assert json.loads(capsys.readouterr().out)["streams"][0]["bitrate_kbps"] == 250
    monkeypatch.chdir(config.parent.parent)  # no settings, no icecast.xml: one assumed mount
    assert run_icecfg("cost", "--format", "json") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["streams"] == [{"mount": "/stream", "bitrate_kbps": 128, "listeners": 40, "mbps": 5.12}]


# --------------------------------------------------------------------------- a month is a month


def test_a_droplet_never_costs_more_than_its_monthly_price() -> None:
    # DigitalOcean bills a droplet by the hour (now by the second) up to its monthly price.
    for billing in ("second", "hour"):
        assert pricing.droplet_cost("s-1vcpu-1gb", 672, billing=billing) == Decimal("6.00")
        assert pricing.droplet_cost("s-1vcpu-1gb", 744, billing=billing) == Decimal("6.00")
        assert pricing.droplet_cost("s-1vcpu-1gb", 10, billing=billing) < Decimal("0.10")
    month = estimate([Stream("/live.ogg", 128, 1)], "s-1vcpu-1gb", 730, [], compare_monthly=Decimal(16))
    assert month.droplet == Decimal("6.00")
    assert month.total < Decimal(16)
    assert month.break_even is not None and month.break_even >= 730  # cheaper all month: $6 < $16


def test_break_even_past_the_monthly_cap_counts_only_the_transfer() -> None:
    # $1 of snapshots and $0.03 an hour reach a $7 plan at 200 h, before the droplet's cap at 672 h.
    assert break_even_hours(Decimal(1), Decimal("0.03"), Decimal(7), capped_after=Decimal(672)) == Decimal(200)
    # A droplet-only cost: $0.01 an hour up to 672 h, nothing after; a $7 plan is never reached.
    assert break_even_hours(
        Decimal(0), Decimal("0.01"), Decimal(7), capped_after=Decimal(672), capped_per_hour=Decimal(0)
    ) == Decimal(730)
    # Past the cap only the transfer adds up: 6.72 at 672 h, then $0.01 an hour more reaches $7 at 700 h.
    assert break_even_hours(
        Decimal(0), Decimal("0.01"), Decimal(7), capped_after=Decimal(672), capped_per_hour=Decimal("0.01")
    ) == Decimal(700)


@pytest.mark.usefixtures("no_token")
def test_more_hours_than_a_month_has_are_refused(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        run_icecfg("cost", "--config", str(config), "--hours-per-month", "1000")
    assert stopped.value.code == 2
    assert capsys.readouterr().err == (
        "icecfg cost: argument --hours-per-month: 1000: must be a number from 0 to 744 (see 'icecfg cost --help')\n"
    )
    assert run_icecfg("cost", "--config", str(config), "--hours-per-month", "744", "--format", "json") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["droplet"] == 6.0  # the monthly price of s-1vcpu-1gb, not 744 x $0.00893 = $6.64


@pytest.mark.usefixtures("no_token")
def test_a_free_hosted_plan_is_named_as_the_cheaper_one(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_icecfg("cost", "--config", str(config), "--compare-monthly", "0") == 0
    out = capsys.readouterr().out
    assert (
        "the hosted plan is cheaper at any number of hours: the snapshots alone cost $0.24 a month, the plan $0.00"
        in out
    )
    assert run_icecfg("cost", "--config", str(config), "--compare-monthly", "200", "--hours-per-month", "5") == 0
    assert "on demand is cheaper than the hosted plan ($200.00) even streaming all month" in capsys.readouterr().out
    argv = ["cost", "--config", str(config), "--compare-monthly", "1", "--hours-per-month", "100"]
    assert run_icecfg(*argv) == 0
    assert "at 100 hours the hosted plan is cheaper, on demand costs $" in capsys.readouterr().out


def test_the_header_does_not_ask_for_a_token_that_is_set(
    config: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import socket

    with loopback_only(), socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]  # bound, not listening: connections are refused
        monkeypatch.setenv("DIGITALOCEAN_TOKEN", TOKEN)
        monkeypatch.setenv("DIGITALOCEAN_END_POINT", f"http://127.0.0.1:{port}/v2/")
        monkeypatch.setenv("ICECFG_DO_TIMEOUT", "1")
        assert run_icecfg("cost", "--config", str(config)) == 0
    out, err = capsys.readouterr()
    header = out.splitlines()[0]
    assert (
        header == "prices from icecfg's price table as of 2026-05-28 (the DigitalOcean API did not answer; see above)"
    )
    assert "cannot connect" in err and "using the price table instead" in err
    assert "DIGITALOCEAN_TOKEN" not in out + err and TOKEN not in out + err


@pytest.mark.usefixtures("no_token")
def test_a_config_without_mounts_is_one_stream(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Debian's own icecast.xml configures no <mount>; sources still stream to one."""
    from tests.samples import ETC_CONFIG

    debian = tmp_path / "icecast.xml"
    debian.write_bytes(ETC_CONFIG.read_bytes())
    assert not icecfg.load(debian).mounts
    assert run_icecfg("cost", "--config", str(debian), "--format", "json") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["streams"] == [{"mount": "/stream", "bitrate_kbps": 128, "listeners": 40, "mbps": 5.12}]
    assert f"{debian} has no <mount>: one stream assumed" in data["notes"]


@pytest.mark.usefixtures("no_token")
def test_without_settings_the_snapshots_assumed_are_inits_keep(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import tomllib

    made = init_dir(tmp_path / "made")
    capsys.readouterr()
    keep = tomllib.loads((made.parent / "icecfg.toml").read_text())["bake"]["keep"]
    bare = tmp_path / "bare"
    bare.mkdir()
    monkeypatch.chdir(bare)  # no icecfg.toml here or above (tmp_path has none)
    assert run_icecfg("cost", "--format", "json") == 0
    data = json.loads(capsys.readouterr().out)
    assert len(data["snapshot_gb"]) == keep


# --------------------------------------------------------------------------- numbers out of range


@pytest.mark.usefixtures("no_token")
@pytest.mark.parametrize(
    ("option", "value", "allowed"),
    [
        ("--compare-monthly", "1e26", "a number from 0 to 1000000"),
        ("--compare-monthly", "-1", "a number from 0 to 1000000"),
        ("--snapshot-gb", "1e308", "a number from 0 to 10000"),
        ("--bitrate", "99999999999999999999999999999", "a whole number from 1 to 100000"),
        ("--bitrate", "0", "a whole number from 1 to 100000"),
    ],
)
def test_numbers_beyond_their_range_are_one_line_usage_errors(
    config: Path, option: str, value: str, allowed: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Decimal's 28 digits: a dollar amount of 1e26 could not be rounded to cents (InvalidOperation)."""
    with pytest.raises(SystemExit) as stopped:
        run_icecfg("cost", "--config", str(config), option, value)
    assert stopped.value.code == 2
    assert capsys.readouterr().err == (
        f"icecfg cost: argument {option}: {value}: must be {allowed} (see 'icecfg cost --help')\n"
    )


@pytest.mark.usefixtures("no_token")
@pytest.mark.parametrize("value", ["9999999999999999999999999999", "/live.ogg=1000001", "-1"])
def test_listeners_beyond_a_million_are_a_usage_error(
    config: Path, value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_icecfg("cost", "--config", str(config), "--listeners", value) == 2
    assert capsys.readouterr().err == (
        f"icecfg cost: --listeners {value}: listeners must be a whole number from 0 to 1000000\n"
    )
    assert run_icecfg("cost", "--config", str(config), "--listeners", "1000000", "--format", "json") == 0
    assert json.loads(capsys.readouterr().out)["streams"][0]["listeners"] == 1_000_000


@pytest.mark.usefixtures("no_token")
@pytest.mark.parametrize("written", ["99999999999999999999999999999", "100001", "\u00b2"])
def test_a_bitrate_in_the_config_cost_cannot_price_is_named_with_its_line(
    tmp_path: Path, written: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Icecast passes <bitrate> on as text; cost took it as a number and crashed on these."""
    path = tmp_path / "icecast.xml"
    path.write_text(
        f"<icecast>\n<mount>\n<mount-name>/a.ogg</mount-name>\n<bitrate>{written}</bitrate>\n</mount>\n</icecast>\n",
        encoding="utf-8",
    )
    assert run_icecfg("cost", "--config", str(path), "--format", "json", "--bitrate", "96") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["streams"] == [{"mount": "/a.ogg", "bitrate_kbps": 96, "listeners": 40, "mbps": 3.84}]
    assert (
        f"{path}:4: <bitrate>{written}</bitrate> of /a.ogg is not a bitrate cost can price "
        "(a whole number from 1 to 100000 kbit/s): taken as 96 kbit/s (--bitrate)"
    ) in data["notes"]


@pytest.mark.usefixtures("no_token")
def test_the_largest_numbers_allowed_are_priced(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["cost", "--config", str(config), "--listeners", "1000000", "--bitrate", "100000", "--format", "json"]
    argv += ["--hours-per-month", "744", "--compare-monthly", "1000000", "--snapshot-gb", "10000"]
    assert run_icecfg(*argv) == 0
    data = json.loads(capsys.readouterr().out)
    # 250 kbit/s x 1,000,000 listeners for 744 hours, beyond 1000 GiB of allowance, at $0.01 a GiB
    sent = Decimal(250_000 * 1_000_000) / 8 * 3600 * 744 / GIB
    assert data["egress"] == pytest.approx(float((sent - 1000) * Decimal("0.01")))
    assert data["snapshots"] == 600.0


@pytest.mark.usefixtures("no_token")
def test_keep_snapshots_are_counted_not_listed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The estimate of the keep setting's snapshots was a list of keep sizes: 1e9 was a MemoryError."""
    import tracemalloc

    (tmp_path / "icecfg.toml").write_text("[bake]\nkeep = 1000\n")
    monkeypatch.chdir(tmp_path)
    assert run_icecfg("cost") == 0
    out = capsys.readouterr().out
    assert "2000 GB in 1000 snapshots x $0.06/GB" in out and "$120.00" in out
    tracemalloc.start()
    try:
        month = estimate([Stream("/a.ogg", 128, 1)], "s-1vcpu-1gb", 10, Snapshots.alike(Decimal(2), 10**12))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert month.snapshots == Decimal("0.12") * 10**12
    assert peak < 1_000_000


@pytest.mark.usefixtures("no_token")
@pytest.mark.parametrize("value", ["1e-999999", "-0", "0.0000000000000000000000001"])
@pytest.mark.parametrize("option", ["--hours-per-month", "--compare-monthly", "--snapshot-gb"])
def test_a_number_smaller_than_the_output_shows_is_printed_as_zero(
    config: Path, option: str, value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--snapshot-gb 1e-999999`` printed a million digits; ``--hours-per-month -0`` a month of -0 hours."""
    assert run_icecfg("cost", "--config", str(config), option, value) == 0
    out = capsys.readouterr().out
    assert max(len(line) for line in out.splitlines()) < 120, out[:500]
    assert not re.search(r"-0\b|\d[eE][+-]?\d", out), out
    if option == "--snapshot-gb":
        assert "  snapshots  0 GB in 1 snapshot x $0.06/GB" in out
    if option == "--hours-per-month":
        assert "a month of 0 hours on one s-1vcpu-1gb droplet:" in out


@pytest.mark.usefixtures("no_token")
def test_numbers_are_taken_to_two_decimal_places(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["cost", "--config", str(config), "--hours-per-month", "743.99999999999999999999999"]
    assert run_icecfg(*argv, "--snapshot-gb", "1E+3", "--snapshot-gb", "2.504") == 0
    out = capsys.readouterr().out
    assert "a month of 744 hours on one" in out
    assert "  snapshots  1002.5 GB in 2 snapshots x $0.06/GB" in out
