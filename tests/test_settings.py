"""Settings of the wrong type or value are one-line usage errors, in every command.

One validation (icecfg/settings.py) covers every key of ``icecfg.toml`` and
``[tool.icecfg]``; the message names the file and line, the key and what is
allowed.  No command may meet a bad value later and print a traceback.
"""

from __future__ import annotations

import json
import traceback
from pathlib import Path

import pytest

from icecfg import cli, settings
from tests.test_lint_cli import GOOD, write

#: (settings text, the key named, what the message says is allowed)
BAD_SETTINGS = [
    ('target = "2.6"\n', "target", 'must be one of "2.4", "2.5", "kh" (or "2.4.4", "2.5.0", "KH")'),
    ('[bake]\nkeep = "two"\n', "bake.keep", "must be a whole number from 0 to 1000"),
    ("[bake]\nsize = 5\n", "bake.size", "must be a non-empty string"),
    ('[bake]\nregion = ["fra1"]\n', "bake.region", "must be a non-empty string"),
    ("[bake]\nkeep = -1\n", "bake.keep", "must be a whole number from 0 to 1000"),
    # cost built a list of keep snapshots: this one was an OverflowError, 10000000 took 22 s
    ("[bake]\nkeep = 99999999999999999999999\n", "bake.keep", "must be a whole number from 0 to 1000"),
    ("[bake]\ndns-ttl = 604800\n", "bake.dns-ttl", "must be a whole number from 30 to 86400"),
    ('[bake]\nassets = "bundle.pem"\n', "bake.assets", "must be a table of absolute server paths"),
    ('[bake]\nregoin = "fra1"\n', "bake.regoin", "did you mean bake.region?"),
    ('no-fs = "yes"\n', "no-fs", "must be true or false"),
]

COMMANDS = [
    ["lint", "{config}"],
    ["schema", "--validate", "{config}"],
    ["bake", "--dry-run", "--config", "{config}"],
    ["prune"],
    ["up", "--config", "{config}"],
    ["down", "--config", "{config}"],
    ["status", "--config", "{config}"],
    ["cost", "--config", "{config}"],
]


@pytest.mark.parametrize(("text", "key", "allowed"), BAD_SETTINGS, ids=[b[1] for b in BAD_SETTINGS])
@pytest.mark.parametrize("argv", COMMANDS, ids=[c[0] for c in COMMANDS])
def test_bad_settings_are_one_line_errors_in_every_command(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    text: str,
    key: str,
    allowed: str,
) -> None:
    for name in ("DIGITALOCEAN_TOKEN", "DIGITALOCEAN_ACCESS_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DIGITALOCEAN_END_POINT", "http://127.0.0.1:9/v2/")  # nothing may be reached
    settings_path = write(tmp_path / "icecfg.toml", text.encode())
    config = write(tmp_path / "icecast.xml", GOOD)
    monkeypatch.chdir(tmp_path)
    try:
        status = cli.main([a.format(config=config) for a in argv])
    except Exception:  # pragma: no cover - the failure this test exists for
        pytest.fail(f"icecfg {argv[0]} raised:\n{traceback.format_exc()}")
    err = capsys.readouterr().err
    assert status == 2, err
    lines = text.splitlines()
    line = lines.index(next(t for t in lines if t.startswith(key.rpartition(".")[2]))) + 1
    assert err.startswith(f"icecfg {argv[0]}: {settings_path}:{line}: ")
    assert f" {key} " in err and allowed in err and len(err.splitlines()) == 1


@pytest.mark.parametrize("argv", [["snapshots"], ["init", "new", "--hostname", "radio.example.org"]])
def test_commands_that_read_no_settings_do_not_stumble_over_bad_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    for name in ("DIGITALOCEAN_TOKEN", "DIGITALOCEAN_ACCESS_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    write(tmp_path / "icecfg.toml", b'target = "2.6"\n[bake]\nkeep = "two"\n')
    monkeypatch.chdir(tmp_path)
    status = cli.main(argv)
    assert status in (0, 2)
    assert "Traceback" not in capsys.readouterr().err


def test_good_settings_are_read_with_target_spellings_and_paths(tmp_path: Path) -> None:
    path = write(
        tmp_path / "pyproject.toml",
        b'[tool.icecfg]\ntarget = "2.5.0"\n\n[tool.icecfg.bake]\nkeep = 0\ntarget = "2.5"\n'
        b'ssh-keys = ["aa:bb", 123]\n\n[tool.icecfg.bake.assets]\n"/etc/icecast2/bundle.pem" = "tls/bundle.pem"\n',
    )
    found = settings.find(tmp_path / "icecast.xml")
    assert found.path == path
    assert (found.get("target"), found.bake["target"], found.bake["keep"]) == ("2.5", "2.5", 0)
    assert found.target == "2.5"
    assert found.assets() == {"/etc/icecast2/bundle.pem": (tmp_path / "tls" / "bundle.pem").resolve()}


@pytest.mark.parametrize("argv", COMMANDS, ids=[c[0] for c in COMMANDS])
def test_two_targets_that_disagree_are_one_line_errors_in_every_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    """bake took ``[bake] target`` first and up the top-level one: a file with both baked one release and
    looked for snapshots of the other. The image runs the release the configuration is linted for."""
    for name in ("DIGITALOCEAN_TOKEN", "DIGITALOCEAN_ACCESS_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DIGITALOCEAN_END_POINT", "http://127.0.0.1:9/v2/")  # nothing may be reached
    path = write(tmp_path / "icecfg.toml", b'target = "2.5"\n\n[bake]\ntarget = "2.4.4"\n')
    config = write(tmp_path / "icecast.xml", GOOD)
    monkeypatch.chdir(tmp_path)
    assert cli.main([a.format(config=config) for a in argv]) == 2
    assert capsys.readouterr().err == (
        f'icecfg {argv[0]}: {path}:4: [bake] target = "2.4" but {path}:1 says target = "2.5": '
        "the image runs the release the configuration is linted for; keep one of them\n"
    )


@pytest.mark.parametrize("table", ["", "[bake]\n"])
def test_one_target_at_the_top_or_in_bake_is_every_commands_release(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], table: str
) -> None:
    """``[bake] target`` alone was ignored by lint, which then checked another release than the image runs."""
    write(tmp_path / "icecfg.toml", f'{table}target = "2.5"\n'.encode())
    found = settings.find(tmp_path / "icecast.xml")
    assert found.target == "2.5"
    write(tmp_path / "icecast.xml", b"<icecast><listen-socket><port>8443</port><ssl>1</ssl></listen-socket></icecast>")
    assert cli.main(["lint", "--no-fs", str(tmp_path / "icecast.xml"), "--format", "json"]) == 1
    findings = json.loads(capsys.readouterr().out)
    assert findings and {(f["target"], f["target_origin"]) for f in findings} == {("2.5", "settings")}


def test_a_bad_key_in_pyproject_names_its_line(tmp_path: Path) -> None:
    path = write(tmp_path / "pyproject.toml", b'[project]\nname = "x"\n\n[tool.icecfg.bake]\ndns-ttl = 5\n')
    with pytest.raises(settings.SettingsError) as err:
        settings.find(tmp_path)
    assert str(err.value) == f"{path}:5: bake.dns-ttl = 5: must be a whole number from 30 to 86400"


def _no_regular_file(kind: str, path: Path) -> str:
    """Make ``path`` a ``kind`` of name that is no settings file; return why icecfg cannot read it."""
    import os

    if kind == "dangling symlink":
        path.symlink_to(path.parent / "moved.toml")
        return "No such file or directory"
    if kind == "symlink loop":
        path.symlink_to(path)
        return "Too many levels of symbolic links"
    if kind == "directory":
        path.mkdir()
        return "is a directory, not a settings file"
    os.mkfifo(path)
    return "is not a regular file (a FIFO, socket or device)"


@pytest.mark.parametrize("name", ["icecfg.toml", "pyproject.toml"])
@pytest.mark.parametrize("kind", ["dangling symlink", "symlink loop", "directory", "fifo"])
def test_a_settings_name_that_is_no_file_is_an_error_not_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], kind: str, name: str
) -> None:
    """A broken ``icecfg.toml`` was passed over: the settings above it, or none, were used without a word."""
    write(tmp_path / "icecfg.toml", b'target = "2.5"\n')  # the settings a level up, which must not be taken
    (tmp_path / "station").mkdir()
    config = write(tmp_path / "station" / "icecast.xml", GOOD)
    path = tmp_path / "station" / name
    why = _no_regular_file(kind, path)
    monkeypatch.chdir(tmp_path / "station")
    assert cli.main(["lint", "--no-fs", str(config)]) == 2
    assert capsys.readouterr().err == f"icecfg lint: {path}: {why}\n"


@pytest.mark.parametrize(
    ("text", "line"),
    [
        (b'target = "2.4"\ntarget = "2.5"\n', "2:15: Cannot overwrite a value"),
        (b"\n\n[bake\n", "3:6: Expected ']' at the end of a table declaration"),
    ],
)
def test_a_toml_syntax_error_names_file_line_and_column_as_every_error_does(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: bytes, line: str
) -> None:
    path = write(tmp_path / "icecfg.toml", text)
    config = write(tmp_path / "icecast.xml", GOOD)
    assert cli.main(["lint", "--no-fs", str(config)]) == 2
    assert capsys.readouterr().err == f"icecfg lint: {path}:{line}\n"


def test_an_unknown_table_names_its_line(tmp_path: Path) -> None:
    path = write(tmp_path / "icecfg.toml", b'target = "2.4"\n\n[lint]\nselect = ["ICE1"]\n')
    with pytest.raises(settings.SettingsError) as err:
        settings.find(tmp_path)
    assert str(err.value).startswith(f"{path}:3: unknown setting lint (")
