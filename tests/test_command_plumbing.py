"""What every command shares (icecfg/commands.py): one way to fail, one line, one exit status.

A failed DigitalOcean request reads the same in every cloud command; a
usage error, a settings file that cannot be used and a failed operation are
told apart by the exit status (2, 2, 1) and never shown as a traceback.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from icecfg import commands
from icecfg.bake.digitalocean import DigitalOceanError
from icecfg.bake.packer import PackerError
from icecfg.bake.stage import StageError
from icecfg.cli import main
from icecfg.settings import SettingsError
from tests.fake_do import FakeDigitalOcean, in_environment

TOKEN = "dop_v1_plumbing_test_token_0123456789"


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeDigitalOcean]:
    with in_environment(monkeypatch, TOKEN) as server:
        yield server


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (commands.UsageError("--keep takes a number"), 2),
        (SettingsError('icecfg.toml:1: keep = "two": must be a whole number'), 2),
        (DigitalOceanError("GET /v2/snapshots: 403 forbidden", status=403), 1),
        (PackerError("packer not found on PATH"), 1),
        (StageError("asset /etc/icecast2/bundle.pem: no such file"), 1),
        (commands.Failed("Icecast did not answer on port 8000"), 1),
    ],
)
def test_every_known_failure_is_one_line_and_its_exit_status(
    error: Exception, status: int, capsys: pytest.CaptureFixture[str]
) -> None:
    def body() -> int:
        raise error

    assert commands.guarded("bake", body) == status
    assert capsys.readouterr() == ("", f"icecfg bake: {error}\n")


def test_a_bug_keeps_its_traceback() -> None:
    def body() -> int:
        raise KeyError("bug")

    with pytest.raises(KeyError):
        commands.guarded("bake", body)


@pytest.mark.parametrize(
    "argv",
    [["snapshots"], ["prune", "--keep", "1"], ["down", "--yes"], ["status"], ["up", "--no-dns"]],
    ids=lambda argv: argv[0],
)
def test_a_refused_api_request_reads_the_same_in_every_cloud_command(
    argv: list[str],
    fake: FakeDigitalOcean,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    (tmp_path / "icecast.xml").write_text("<icecast><listen-socket><port>8000</port></listen-socket></icecast>\n")
    monkeypatch.chdir(tmp_path)
    fake.inject("*", r"^/v2/", 403, times=None)
    assert main(argv) == 1
    out = capsys.readouterr()
    (line,) = out.err.splitlines()
    assert line.startswith(f"icecfg {argv[0]}: ") and "403" in line, line
    assert TOKEN not in out.err + out.out
