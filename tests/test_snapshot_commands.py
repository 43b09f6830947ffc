"""``icecfg snapshots`` and ``icecfg prune`` against the fake DigitalOcean API."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from icecfg.bake.digitalocean import NOTICE_AFTER
from icecfg.cli import main
from tests.fake_do import TOKEN, FakeDigitalOcean, record_timers

NOW = datetime.now(timezone.utc)


pytestmark = pytest.mark.usefixtures("loopback")


def _snapshot_ids(fake: FakeDigitalOcean) -> set[str]:
    return {str(i) for i, image in fake.state.images.items() if image.type == "snapshot"}


def _snapshot(fake: FakeDigitalOcean, name: str, days_old: float, tags: tuple[str, ...] = ("icecfg",)) -> str:
    return fake.add_snapshot(name, 2.5, NOW - timedelta(days=days_old), tags=tags)


def test_missing_token_is_a_one_line_usage_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("DIGITALOCEAN_TOKEN", raising=False)
    monkeypatch.delenv("DIGITALOCEAN_ACCESS_TOKEN", raising=False)
    assert main(["snapshots"]) == 2
    err = capsys.readouterr().err
    assert err == "icecfg snapshots: no DigitalOcean API token: set DIGITALOCEAN_TOKEN (or DIGITALOCEAN_ACCESS_TOKEN)\n"


def test_snapshots_lists_only_icecfgs_with_cost_and_use(
    fake: FakeDigitalOcean, capsys: pytest.CaptureFixture[str]
) -> None:
    used = _snapshot(fake, "icecfg-aaaaaaaaaaaa-20261101-120000", 20)
    _snapshot(fake, "icecfg-bbbbbbbbbbbb-20261120-120000", 3)
    _snapshot(fake, "my-own-backup", 1, tags=())
    _snapshot(fake, "icecfg-tagged-elsewhere", 1, tags=("other",))
    fake.add_droplet("radio", used, tags=("icecfg",))
    assert main(["snapshots", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["name"], r["in_use"]) for r in rows] == [
        ("icecfg-bbbbbbbbbbbb-20261120-120000", False),
        ("icecfg-aaaaaaaaaaaa-20261101-120000", True),
    ]
    assert rows[0]["monthly_cost"] == pytest.approx(0.15)  # 2.5 GB x $0.06
    assert main(["snapshots"]) == 0
    table = capsys.readouterr().out
    assert "icecfg-aaaaaaaaaaaa-20261101-120000" in table
    assert "2 snapshot(s), $0.30 a month" in table
    assert TOKEN not in table


def test_prune_without_yes_only_prints_the_plan(fake: FakeDigitalOcean, capsys: pytest.CaptureFixture[str]) -> None:
    ids = [_snapshot(fake, f"icecfg-{i:012x}-2026110{i}-120000", 10 - i) for i in range(4)]
    assert main(["prune", "--keep", "1"]) == 0
    out = capsys.readouterr().out
    assert out.count("would delete") == 3
    assert "run again with --yes" in out
    # one column of ids, whatever the word before it ("keep" or "would delete")
    plan = [line for line in out.splitlines() if line.startswith(("keep ", "would delete "))]
    columns = {next(line.index(f" {i} ") + len(i) for i in ids if f" {i} " in line) for line in plan}
    assert len(plan) == 4 and len(columns) == 1, out
    assert _snapshot_ids(fake) == set(ids)
    assert not [r for r in fake.requests if r.method == "DELETE"]


def test_prune_deletes_by_id_keeping_newest_in_use_and_foreign(
    fake: FakeDigitalOcean, capsys: pytest.CaptureFixture[str]
) -> None:
    oldest = _snapshot(fake, "icecfg-000000000000-20261001-120000", 50)
    in_use = _snapshot(fake, "icecfg-111111111111-20261010-120000", 40)
    twin_a = _snapshot(fake, "icecfg-222222222222-20261020-120000", 30)
    twin_b = _snapshot(fake, "icecfg-222222222222-20261020-120000", 29)  # the same name: ids decide
    newest = _snapshot(fake, "icecfg-333333333333-20261120-120000", 1)
    foreign = _snapshot(fake, "backup-before-upgrade", 90, tags=())
    fake.add_droplet("radio", in_use, tags=("icecfg",))
    assert main(["prune", "--keep", "0", "--yes"]) == 0
    remaining = _snapshot_ids(fake)
    assert remaining == {in_use, newest, foreign}
    deleted = sorted(r.path.rstrip("/") for r in fake.requests if r.method == "DELETE")
    assert deleted == sorted(f"/v2/snapshots/{i}" for i in (oldest, twin_a, twin_b))
    assert "delete" in capsys.readouterr().out


def test_prune_older_than(fake: FakeDigitalOcean) -> None:
    old = _snapshot(fake, "icecfg-000000000000-20261001-120000", 40)
    recent = _snapshot(fake, "icecfg-111111111111-20261110-120000", 10)
    newest = _snapshot(fake, "icecfg-222222222222-20261120-120000", 1)
    assert main(["prune", "--keep", "0", "--older-than", "30", "--yes"]) == 0
    assert _snapshot_ids(fake) == {recent, newest}
    assert old not in _snapshot_ids(fake)


@pytest.mark.parametrize("days", ["1e20", "-1"])
def test_prune_older_than_takes_a_number_of_days(
    fake: FakeDigitalOcean, days: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A value timedelta cannot hold is a usage error, not a traceback, and nothing is deleted.

    (NaN and infinity are refused as no finite number: test_command_plumbing.)
    """
    old = _snapshot(fake, "icecfg-000000000000-20261001-120000", 40)
    newest = _snapshot(fake, "icecfg-222222222222-20261120-120000", 1)
    with pytest.raises(SystemExit) as stopped:
        main(["prune", "--keep", "0", "--older-than", days, "--yes"])
    assert stopped.value.code == 2
    assert capsys.readouterr().err == (
        f"icecfg prune: argument --older-than: {days}: must be a number from 0 to 999999999 "
        "(see 'icecfg prune --help')\n"
    )
    assert _snapshot_ids(fake) == {old, newest}


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        (
            "ICECFG_DO_TIMEOUT",
            "soon",
            "ICECFG_DO_TIMEOUT must be a number of seconds above 0, at most 3600, not 'soon'",
        ),
        (
            "ICECFG_DO_CONNECT_TIMEOUT",
            "0",
            "ICECFG_DO_CONNECT_TIMEOUT must be a number of seconds above 0, at most 3600, not '0'",
        ),
        # no upper bound: a request that hangs was waited on for ever, and the notice printed 20 digits
        (
            "ICECFG_DO_TIMEOUT",
            "99999999999999999999",
            "ICECFG_DO_TIMEOUT must be a number of seconds above 0, at most 3600, not '99999999999999999999'",
        ),
        ("DIGITALOCEAN_END_POINT", "ftp://127.0.0.1/v2/", "DigitalOcean API endpoint is not an http(s) URL"),
    ],
)
def test_a_wrong_api_setting_is_a_usage_error(
    fake: FakeDigitalOcean,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    variable: str,
    value: str,
    message: str,
) -> None:
    """How icecfg is set up, like a missing token (exit 2), not a request that failed (exit 1)."""
    monkeypatch.setenv(variable, value)
    assert main(["snapshots"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"icecfg snapshots: {message}") and err.count("\n") == 1
    assert fake.requests == []


def test_api_failure_is_one_line_and_exit_1(fake: FakeDigitalOcean, capsys: pytest.CaptureFixture[str]) -> None:
    _snapshot(fake, "icecfg-000000000000-20261001-120000", 40)
    fake.inject("GET", r"/v2/snapshots", 403, times=1)
    assert main(["prune", "--keep", "1"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("icecfg prune: ")
    assert err.count("\n") == 1
    assert TOKEN not in err


def test_transient_errors_are_retried(fake: FakeDigitalOcean, capsys: pytest.CaptureFixture[str]) -> None:
    _snapshot(fake, "icecfg-000000000000-20261001-120000", 40)
    fake.inject("GET", r"/v2/snapshots", 429, times=1, headers={"Retry-After": "0"})
    fake.inject("GET", r"/v2/droplets", 500, times=1)
    assert main(["snapshots", "--format", "json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 1


def test_snapshots_against_a_silent_api_says_what_it_waits_for_and_gives_up(
    monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    """An API that accepts connections and never answers: a notice, then exit 1 once the budget is spent."""
    import socket

    import requests

    timers = record_timers(monkeypatch)
    tries: list[tuple[float, float]] = []
    send = requests.Session.request

    def spy(self: requests.Session, method: str, url: str, **kwargs: Any) -> requests.Response:
        tries.append(kwargs["timeout"])
        timers[-1].join(30)  # the notice is said before the answer is given up on, however slow this machine
        return send(self, method, url, **kwargs)

    monkeypatch.setattr(requests.Session, "request", spy)
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)  # the kernel accepts; nothing ever answers
        port = listener.getsockname()[1]
        monkeypatch.setenv("DIGITALOCEAN_TOKEN", TOKEN)
        monkeypatch.setenv("DIGITALOCEAN_END_POINT", f"http://127.0.0.1:{port}/v2/")
        monkeypatch.setenv("ICECFG_DO_TIMEOUT", "4")
        assert main(["snapshots"]) == 1
    out, err = capfd.readouterr()
    assert [t.interval for t in timers] == [NOTICE_AFTER]
    # one try, waiting what the 4 s budget leaves (not the 20 s per try nor the 5 s to connect), then no retry
    ((connect, read),) = tries
    assert connect == read and 3.9 < read <= 4.0, tries
    assert out == ""
    notice, failure = err.splitlines()
    assert notice == (
        f"icecfg: waiting for the DigitalOcean API (GET /v2/snapshots/ at http://127.0.0.1:{port}/v2/); "
        "giving up after 4 s (ICECFG_DO_TIMEOUT sets this)"
    )
    assert failure.startswith("icecfg snapshots: listing snapshots: GET /v2/snapshots/: no answer within 4 s")
    assert TOKEN not in err


@pytest.mark.parametrize("command", ["prune", "bake"])
@pytest.mark.parametrize("keep", ["1001", "99999999999999999999999", "-1"])
def test_keep_beyond_its_range_is_a_one_line_usage_error(
    command: str, keep: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """The range of --keep is the keep setting's (icecfg/settings.py), for bake and prune alike."""
    with pytest.raises(SystemExit) as stopped:
        main([command, "--keep", keep])
    assert stopped.value.code == 2
    assert capsys.readouterr().err == (
        f"icecfg {command}: argument --keep: {keep}: must be a whole number from 0 to 1000 "
        f"(see 'icecfg {command} --help')\n"
    )
