"""What every command shares (icecfg/commands.py): one way to fail, one line, one exit status.

A failed DigitalOcean request reads the same in every cloud command; a
usage error, a settings file that cannot be used and a failed operation are
told apart by the exit status (2, 2, 1) and never shown as a traceback.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from icecfg import commands
from icecfg.bake.digitalocean import DigitalOceanError
from icecfg.bake.packer import PackerError
from icecfg.bake.stage import StageError
from icecfg.cli import main
from icecfg.settings import SettingsError
from tests.fake_do import TOKEN, FakeDigitalOcean


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


def test_every_command_reads_the_settings_beside_the_name_it_was_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A config kept elsewhere and linked in: the settings beside the link count, for every command."""
    import json

    checkout, served = tmp_path / "checkout", tmp_path / "served"
    checkout.mkdir()
    served.mkdir()
    real = checkout / "icecast.xml"
    real.write_text("<icecast><listen-socket><port>8000</port></listen-socket></icecast>\n")
    (checkout / "icecfg.toml").write_text('target = "2.5"\n')
    (served / "icecfg.toml").write_text('target = "kh"\n')
    link = served / "icecast.xml"
    link.symlink_to(real)
    reason = f"set in {served / 'icecfg.toml'}"
    main(["lint", "--no-fs", "--format", "json", str(link)])
    linted = json.loads(capsys.readouterr().out)
    assert linted and {(f["target"], f["target_reason"]) for f in linted} == {("kh", reason)}
    assert main(["explain", "--format", "json", str(link)]) == 0
    explained = json.loads(capsys.readouterr().out)
    assert (explained["target"], explained["target_reason"]) == ("kh", reason)
    assert main(["migrate", "--format", "json", str(link)]) == 0
    assert json.loads(capsys.readouterr().out)["from_reason"] == reason
    monkeypatch.delenv("DIGITALOCEAN_TOKEN", raising=False)
    assert main(["bake", "--dry-run", "--config", str(link)]) == 2
    assert capsys.readouterr().err.startswith("icecfg bake: cannot bake Icecast-KH")


@pytest.mark.parametrize("command", ["lint", "explain", "migrate"])
def test_a_root_that_is_no_directory_is_a_usage_error(
    command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A misspelt --root made every server file look missing (migrate then wrote the TLS port as plain HTTP)."""
    config = tmp_path / "icecast.xml"
    config.write_text(
        "<icecast>\n  <listen-socket><port>8443</port><ssl>1</ssl></listen-socket>\n"
        "  <paths><ssl-certificate>/etc/icecast2/bundle.pem</ssl-certificate></paths>\n</icecast>\n"
    )
    monkeypatch.chdir(tmp_path)
    missing = tmp_path / "imgae"
    release = ["--from" if command == "migrate" else "--target", "2.4"]
    assert main([command, *release, "--root", str(missing), str(config)]) == 2
    assert (
        capsys.readouterr().err
        == f"icecfg {command}: --root {missing}: does not exist (the tree of the server's files)\n"
    )
    assert main([command, *release, "--root", str(config), str(config)]) == 2
    assert (
        capsys.readouterr().err
        == f"icecfg {command}: --root {config}: is not a directory (the tree of the server's files)\n"
    )
    if command == "lint":  # the settings' root too, named at its line
        (tmp_path / "icecfg.toml").write_text('target = "2.4"\nroot = "imgae"\n')
        assert main([command, str(config)]) == 2
        assert capsys.readouterr().err == (
            f"icecfg lint: {tmp_path / 'icecfg.toml'}:2: root = {missing}: does not exist (the tree of the server's files)\n"
        )


@pytest.mark.parametrize(
    ("argv", "line"),
    [
        (["up", "--no-dns", "--timeout", "nan"], "icecfg up: argument --timeout: not a finite number: 'nan'"),
        (["up", "--no-dns", "--timeout", "inf"], "icecfg up: argument --timeout: not a finite number: 'inf'"),
        (["prune", "--older-than", "nan"], "icecfg prune: argument --older-than: not a finite number: 'nan'"),
        (["prune", "--older-than", "soon"], "icecfg prune: argument --older-than: not a number: 'soon'"),
        (
            ["prune", "--older-than", "1e12", "--yes"],
            "icecfg prune: argument --older-than: 1e12: must be a number from 0 to 999999999",
        ),
        (
            ["up", "--no-dns", "--timeout", "1e300"],
            "icecfg up: argument --timeout: 1e300: must be a number from 1 to 3600",
        ),
        (["up", "--no-dns", "--timeout", "0"], "icecfg up: argument --timeout: 0: must be a number from 1 to 3600"),
    ],
)
def test_a_number_option_that_is_no_finite_number_stops_before_the_api(
    argv: list[str],
    line: str,
    fake: FakeDigitalOcean,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``up --timeout nan`` waited for ever on a droplet it had made; ``prune --older-than nan`` crashed."""
    from tests.station import init_dir

    init_dir(tmp_path)
    monkeypatch.chdir(tmp_path)
    status: object
    try:
        status = main(argv)
    except SystemExit as stop:  # argparse refuses the value
        status = stop.code
    assert status == 2
    err = capsys.readouterr().err
    assert err.startswith(line) and err.count("\n") == 1, err
    assert not [r for r in fake.requests if r.method in ("POST", "DELETE")] and fake.state.droplets == {}


@pytest.mark.parametrize("token", ["dop_v1_s3cr3t: t4il\r\nX-Injected: 1", "dop_v1_s3cr3t t4il", "dop_v1_s3cr3t\u20ac"])
@pytest.mark.parametrize(
    "argv", [["snapshots"], ["status"], ["prune", "--keep", "1"], ["down", "--yes"], ["up", "--no-dns"]], ids=str
)
def test_a_token_no_api_token_can_be_is_refused_before_any_request_and_never_shown(
    argv: list[str],
    token: str,
    fake: FakeDigitalOcean,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A token with a line break was sent as a header; requests refused it and the error showed its tail."""
    from tests.station import init_dir

    init_dir(tmp_path)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DIGITALOCEAN_TOKEN", token)
    assert main(argv) == 2
    out = capsys.readouterr()
    assert out.err == (
        f"icecfg {argv[0]}: the DigitalOcean API token holds a space, a control or a non-ASCII character, "
        "which no API token has (DIGITALOCEAN_TOKEN or DIGITALOCEAN_ACCESS_TOKEN)\n"
    )
    assert "s3cr3t" not in out.out and "t4il" not in out.out and fake.requests == []


def test_cost_says_the_token_cannot_be_one_and_prices_from_the_table(
    fake: FakeDigitalOcean, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DIGITALOCEAN_TOKEN", "dop_v1_s3cr3t: t4il\nX")
    assert main(["cost"]) == 0
    out = capsys.readouterr()
    assert out.err == (
        "icecfg cost: the DigitalOcean API token holds a space, a control or a non-ASCII character, which no API "
        "token has (DIGITALOCEAN_TOKEN or DIGITALOCEAN_ACCESS_TOKEN); using the price table instead\n"
    )
    assert "t4il" not in out.out and "price table" in out.out and fake.requests == []


_COUNT_COLLECTIONS = """
import gc, sys
passes = []
gc.callbacks.append(lambda phase, info: passes.append(info["generation"]) if phase == "start" else None)
from icecfg.cli import main, run
entry = run if sys.argv[1] == "run" else main
sys.argv[1:] = ["lint", "--no-fs", sys.argv[2]]
passes.clear()  # those while Python and icecfg were imported do not count
status = entry()
print(len(passes), gc.isenabled(), file=sys.stderr)
"""


def test_the_program_runs_a_command_without_collections_and_main_keeps_the_collector(tmp_path: Path) -> None:
    """``icecfg`` (``run``) lints a large file with no pass of the cyclic collector; ``main`` leaves it running.

    What a command builds lives until it has printed, and the process ends:
    each pass rescanned all of it (1.3 s of 7.2 s at 100,000 mounts).  A
    program that calls ``main`` keeps its own collector as it set it.
    """
    import subprocess
    import sys
    from importlib.metadata import entry_points

    from benchmarks.run import scaling_config

    path = tmp_path / "icecast.xml"
    path.write_bytes(scaling_config(2000))

    def counted(entry: str) -> tuple[int, bool]:
        done = subprocess.run(
            [sys.executable, "-c", _COUNT_COLLECTIONS, entry, str(path)],
            capture_output=True,
            text=True,
            check=False,
            cwd=Path(__file__).resolve().parents[1],
        )
        passes, enabled = done.stderr.split()[-2:]
        return int(passes), enabled == "True"

    passes, enabled = counted("main")
    assert passes > 0 and enabled  # the file is large enough to set the collector to work
    assert counted("run")[0] == 0
    (script,) = entry_points(group="console_scripts", name="icecfg")
    assert script.value == "icecfg.cli:run"
