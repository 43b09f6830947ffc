"""docs/command-line.md: plain ``icecfg``, ``python -m icecfg``, target aliases, shell completion."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import icecfg
from icecfg import cli, settings
from icecfg.document import MAX_BYTES
from icecfg.spec import Dialect

DOC = Path(__file__).resolve().parents[1] / "docs" / "command-line.md"


def test_plain_icecfg_prints_the_help_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main([]) == 2
    out = capsys.readouterr().out
    assert out.startswith("usage: icecfg ") and all(f"    {name}" in out for name in cli.COMMANDS)


def test_python_dash_m_icecfg() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "icecfg", "rule", "ICE101"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0 and result.stdout.startswith("# ICE101 "), result.stderr


@pytest.mark.parametrize(
    ("spelling", "dialect"),
    [
        ("KH", Dialect.KH),
        ("icecast-kh", Dialect.KH),
        ("2.4.4", Dialect.V24),
        ("2.5.0", Dialect.V25),
        ("2.5.0-rc2", Dialect.V25),
        ("2.4", Dialect.V24),
    ],
)
def test_target_aliases_everywhere(spelling: str, dialect: Dialect, tmp_path: Path) -> None:
    assert Dialect(spelling) is dialect
    assert cli.target(spelling) == dialect.value
    path = tmp_path / "icecast.xml"
    path.write_bytes(b"<icecast>\n    <hostname>radio.example.org</hostname>\n</icecast>\n")
    for argv in (["lint", "--isolated", "--no-fs", "--target", spelling, str(path)], ["schema", "--target", spelling]):
        parsed = cli.build_parser(argv[0]).parse_args(argv)
        assert parsed.target == dialect.value, argv
    # the API and the settings files read targets through Dialect() as well
    assert icecfg.check(icecfg.load(path), target=spelling, root=None, files=False) is not None
    (tmp_path / "icecfg.toml").write_text(f'target = "{spelling}"\n')
    assert settings.load(tmp_path / "icecfg.toml").get("target") == dialect.value
    for command in ("up", "status", "cost", "init", "bake"):
        parsed = cli.build_parser(command).parse_args([command, "--target", spelling])
        assert parsed.target == dialect.value, command


def test_unknown_target_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        cli.main(["schema", "--target", "2.6"])
    assert caught.value.code == 2
    assert "unknown target '2.6' (2.4, 2.5 or kh; 2.4.4, 2.5.0, KH)" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "line"),
    [
        (
            ["migrate", "--diff", "x.xml"],
            "icecfg migrate: unrecognized arguments: --diff (see 'icecfg migrate --help')",
        ),
        (["explain"], "icecfg explain: the following arguments are required: FILE (see 'icecfg explain --help')"),
        (["lint", "--target", "2.6", "x.xml"], "icecfg lint: argument --target: unknown target '2.6'"),
        (["frob"], "icecfg: argument COMMAND: invalid choice: 'frob' "),
    ],
)
def test_a_wrong_invocation_is_one_line_naming_the_command(
    argv: list[str], line: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """docs/command-line.md: a wrong option is one line, ``icecfg COMMAND: what is wrong``, exit 2."""
    with pytest.raises(SystemExit) as caught:
        cli.main(argv)
    assert caught.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.count("\n") == 1, captured.err
    assert captured.err.startswith(line), captured.err


@pytest.mark.parametrize(("command", "flag"), [("lint", "--target"), ("explain", "--target"), ("migrate", "--from")])
def test_the_help_names_the_release_chosen_without_the_option(
    command: str, flag: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """docs/command-line.md: the settings' target, else the installed Icecast, else 2.4, for all three."""
    with pytest.raises(SystemExit):
        cli.main([command, "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    described = help_text.split(f"{flag} {{2.4,2.5,kh}} ", 1)[1]
    assert (
        described.startswith("Icecast release" if flag == "--target" else "release the file was written for")
        and "(default: the settings' target, else the icecast installed here, else 2.4" in described.split(" --")[0]
    )


def _complete(words: list[str], tmp_path: Path) -> list[str]:
    """What the documented bash completion offers after ``words`` (the last one being typed)."""
    [function] = re.findall(r"```bash\n(.*?)```", DOC.read_text(), re.S)
    script = tmp_path / "completion.bash"
    script.write_text(function)
    shown = " ".join(f"'{w}'" for w in words)
    run = subprocess.run(
        [
            "bash",
            "-c",
            f'source {script}; COMP_WORDS=({shown}); COMP_CWORD={len(words) - 1}; _icecfg; printf "%s\\n" "${{COMPREPLY[@]}}"',
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
        env={**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"},
    )
    return sorted(line for line in run.stdout.splitlines() if line)


def test_documented_shell_completion(tmp_path: Path) -> None:
    assert _complete(["icecfg", "s"], tmp_path) == ["schema", "snapshots", "status"]
    assert _complete(["icecfg", ""], tmp_path) == sorted(cli.COMMANDS)
    assert _complete(["icecfg", "lint", "--fi"], tmp_path) == ["--fix"]
    assert "--target" in _complete(["icecfg", "bake", "--"], tmp_path)
    (tmp_path / "icecast.xml").write_text("<icecast/>")
    assert _complete(["icecfg", "lint", "ice"], tmp_path) == ["icecast.xml"]


def _piped(*argv: str, stdin: bytes, cwd: Path) -> subprocess.CompletedProcess[bytes]:
    """``icecfg ARGV`` in a fresh process, ``stdin`` on its standard input, from ``cwd``."""
    return subprocess.run(
        [sys.executable, "-m", "icecfg", *argv], input=stdin, cwd=cwd, capture_output=True, check=False
    )


def test_dash_is_standard_input_for_explain_and_migrate(tmp_path: Path) -> None:
    """docs/command-line.md: ``-`` reads standard input, with the settings of the current directory, as lint."""
    import json

    piped = b"<icecast>\n    <listen-socket>\n        <port>8000</port>\n    </listen-socket>\n" + (
        b"    <mount>\n        <mount-name>/live.ogg</mount-name>\n"
        b"        <fallback-override>1</fallback-override>\n    </mount>\n</icecast>\n"
    )
    (tmp_path / "icecfg.toml").write_text('target = "kh"\n')
    text = _piped("explain", "-", stdin=piped, cwd=tmp_path)
    assert text.returncode == 0, text.stderr
    assert text.stdout.startswith(b"- as Icecast-KH runs it\n") and b"port 8000" in text.stdout
    data = json.loads(_piped("explain", "--format", "json", "-", stdin=piped, cwd=tmp_path).stdout)
    assert (data["file"], data["target"], data["target_origin"]) == ("-", "kh", "settings")
    diff = _piped("migrate", "--no-fs", "-", stdin=piped, cwd=tmp_path)
    assert diff.returncode == 0, diff.stderr
    assert b"-        <fallback-override>1</fallback-override>\n" in diff.stdout
    assert b"+        <fallback-override>all</fallback-override>\n" in diff.stdout
    assert b"-:7: /icecast/mount/fallback-override: value:" in diff.stderr
    migrated = json.loads(_piped("migrate", "--no-fs", "--format", "json", "-", stdin=piped, cwd=tmp_path).stdout)
    assert (migrated["file"], migrated["from"], migrated["from_origin"]) == ("-", "kh", "settings")
    assert migrated["written"] is False and migrated["changes"]
    # there is no file to write in place: one line, exit 2, nothing read or printed
    refused = _piped("migrate", "--write", "-", stdin=piped, cwd=tmp_path)
    assert refused.returncode == 2 and refused.stdout == b""
    assert refused.stderr == (
        b"icecfg migrate: --write needs a file: standard input (-) cannot be written in place; drop --write\n"
    )


def test_dash_names_a_file_for_the_commands_that_use_the_file_itself(tmp_path: Path) -> None:
    """Only lint, explain and migrate read ``-`` from stdin: bake stages the file it names, so there it is a name."""
    run = subprocess.run(
        [sys.executable, "-m", "icecfg", "cost", "--config", "-"],
        input=b"<icecast/>",
        cwd=tmp_path,
        capture_output=True,
        check=False,
    )
    assert run.returncode == 2
    assert run.stderr.decode() == (
        "icecfg cost: cannot read -: No such file or directory (pass the configuration with --config)\n"
    )


#: Command lines run with their reader gone; {config} is a configuration with one finding.
READER_GONE = [
    ["init", "{dir}/radio", "--hostname", "radio.example.org"],
    ["lint", "--isolated", "--no-fs", "{config}"],
    ["explain", "--target", "2.4", "{config}"],
    ["cost", "--config", "{config}"],
    ["migrate", "--from", "2.4", "--no-fs", "{config}"],
    ["rules"],
    ["rule", "ICE101"],
    ["schema", "--print"],
    ["lint", "--help"],
    [],
]


@pytest.mark.parametrize("argv", READER_GONE, ids=" ".join)
@pytest.mark.parametrize("stderr_too", [False, True], ids=["stdout", "stdout-and-stderr"])
def test_a_reader_that_is_gone_changes_nothing_but_the_output(
    tmp_path: Path, argv: list[str], stderr_too: bool
) -> None:
    """``icecfg init ... | head -1`` said 'icecfg init: Broken pipe' and exited 1 after writing both files.

    The reading end of the pipe is closed before the command starts, so every
    write to it fails: the command does its work all the same, exits with the
    status it has when its output is read, and says nothing about the pipe.
    """
    config = tmp_path / "icecast.xml"
    config.write_bytes(b"<icecast>\n  <fileserve>true</fileserve>\n</icecast>\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIGITALOCEAN_")}

    def run(stdout: int, stderr: int, directory: str) -> int:
        words = [a.format(dir=tmp_path / directory, config=config) for a in argv]
        command = [sys.executable, "-m", "icecfg", *words]
        done = subprocess.run(
            command, stdout=stdout, stderr=stderr, stdin=subprocess.DEVNULL, cwd=tmp_path, env=env, check=False
        )
        return done.returncode

    with (tmp_path / "read.err").open("wb") as err:
        expected = run(subprocess.DEVNULL, err.fileno(), "read")
    read, write = os.pipe()
    os.close(read)
    try:
        with (tmp_path / "gone.err").open("wb") as err:
            status = run(write, write if stderr_too else err.fileno(), "gone")
    finally:
        os.close(write)
    assert status == expected
    if not stderr_too:
        assert (tmp_path / "gone.err").read_text() == (tmp_path / "read.err").read_text()
    if argv and argv[0] == "init":
        assert {p.name for p in (tmp_path / "gone" / "radio").iterdir()} >= {"icecast.xml", "icecfg.toml"}


def test_ctrl_c_while_the_command_line_is_read_is_one_line_and_130(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """An interrupt before the command ran (building the parser, reading the options) was a traceback."""

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "build_parser", interrupted)
    assert cli.main(["lint", "."]) == 130
    assert capsys.readouterr().err == "icecfg: interrupted\n"


@pytest.mark.parametrize("to_a_pipe", [True, False], ids=["pipe", "file"])
@pytest.mark.parametrize("command", ["explain", "migrate"])
def test_a_file_name_that_is_not_utf_8_is_named_on_stderr_as_it_is_on_disk(
    tmp_path: Path, command: str, to_a_pipe: bool
) -> None:
    """Standard error showed ``na\\udcffme.xml`` for the file ``na<0xff>me.xml``: a name no shell matches."""
    name = os.fsencode(tmp_path) + b"/na\xffme.xml"
    with open(name, "wb") as handle:
        handle.write(b"<icecast>\n<hostname>\xff</hostname>\n</icecast>\n")
    env = dict(os.environ, PYTHONPATH=str(Path(icecfg.__file__).resolve().parents[1]))
    argv = [os.fsencode(sys.executable), b"-m", b"icecfg", command.encode(), name]
    with open(tmp_path / "err", "wb") as file:
        run = subprocess.run(
            argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE if to_a_pipe else file, env=env, check=False
        )
    err = run.stderr if to_a_pipe else (tmp_path / "err").read_bytes()
    assert run.returncode == 2 and err == b"icecfg " + command.encode() + b": " + name + (
        b":2:11: bytes that are not valid utf-8 at byte offset 20\n"
    ), err


def test_dash_is_standard_input_for_schema_validate(tmp_path: Path) -> None:
    """``schema --validate`` only reads the file, as explain does: ``-`` was a file name that did not exist."""
    (tmp_path / "icecfg.toml").write_text('target = "2.5"\n')
    good = _piped("schema", "--validate", "-", stdin=b"<icecast><hostname>a</hostname></icecast>\n", cwd=tmp_path)
    assert (good.returncode, good.stdout, good.stderr) == (0, b"", b"")
    bad = _piped("schema", "--validate", "-", stdin=b"<icecast><hostnam>a</hostnam></icecast>\n", cwd=tmp_path)
    assert bad.returncode == 1 and bad.stdout.startswith(b"-: line 1: ") and bad.stderr == b"", bad


@pytest.mark.parametrize("command", ["lint", "explain", "migrate", "schema --validate"])
def test_an_endless_or_huge_input_is_a_one_line_error_not_all_memory(tmp_path: Path, command: str) -> None:
    """``explain /dev/zero`` read until memory ran out (MemoryError); the reader's limit is more than any icecast.xml.

    The settings (``--settings``) and variables (``--vars-file``) lint reads are held to the same limit.
    """
    import resource

    def one_gib() -> None:  # before the fix the read took all memory: let it fail soon instead
        resource.setrlimit(resource.RLIMIT_AS, (2**30, 2**30))

    env = dict(os.environ, PYTHONPATH=str(Path(icecfg.__file__).resolve().parents[1]))
    argv = [sys.executable, "-m", "icecfg", *command.split()]
    endless = subprocess.run(
        [*argv, "/dev/zero"], capture_output=True, env=env, timeout=60, check=False, preexec_fn=one_gib
    )
    name = command.partition(" ")[0]
    assert (endless.returncode, endless.stderr) == (
        2,
        f"icecfg {name}: cannot read /dev/zero: {_TOO_LARGE}\n".encode(),
    )
    piped = subprocess.run(
        [*argv, "-"],
        input=b"<icecast>" + b" " * MAX_BYTES,
        capture_output=True,
        env=env,
        timeout=60,
        check=False,
        preexec_fn=one_gib,
    )
    if name == "lint":
        for option, why in (("--settings", "/dev/zero: "), ("--vars-file", "cannot read variables file /dev/zero: ")):
            other = subprocess.run(
                [*argv, option, "/dev/zero", "-"],
                capture_output=True,
                env=env,
                timeout=60,
                check=False,
                preexec_fn=one_gib,
            )
            assert (other.returncode, other.stderr) == (
                2,
                f"icecfg lint: {why}{_TOO_LARGE}\n".encode(),
            )
    assert piped.returncode == 2 and piped.stderr.endswith(f"cannot read -: {_TOO_LARGE}\n".encode())


#: What a file beyond the reader's limit is called.
_TOO_LARGE = f"more than {MAX_BYTES >> 20} MiB, larger than any file icecfg reads"


def test_a_generated_configuration_larger_than_16_mib_is_still_linted(tmp_path: Path) -> None:
    """A file of thousands of mounts is what a scaling check lints: only past the reader's limit is it refused."""
    mount = b"<mount><mount-name>/m.ogg</mount-name></mount>\n"
    big = tmp_path / "big.xml"
    big.write_bytes(b"<icecast>\n<!-- " + b"x" * (17 * 2**20) + b" -->\n" + mount + b"</icecast>\n")
    run = _piped("lint", "--no-fs", "--target", "2.4", "--select", "ICE105", str(big), stdin=b"", cwd=tmp_path)
    assert (run.returncode, run.stderr) == (0, b""), run.stderr


@pytest.mark.parametrize("argv", [["rules"], ["explain", "-"], ["lint", "--no-fs", "-"], ["cost"]], ids=lambda a: a[0])
def test_output_that_cannot_be_written_is_one_line_and_exit_1(tmp_path: Path, argv: list[str]) -> None:
    """``icecfg lint > report.txt`` on a full disk was a traceback (OSError: No space left on device)."""
    env = dict(os.environ, PYTHONPATH=str(Path(icecfg.__file__).resolve().parents[1]))
    env.pop("DIGITALOCEAN_TOKEN", None)
    env.pop("DIGITALOCEAN_ACCESS_TOKEN", None)
    config = b"<icecast><limits><clients>100</clients></limits></icecast>\n"
    with open("/dev/full", "wb") as full:
        run = subprocess.run(
            [sys.executable, "-m", "icecfg", *argv],
            input=config,
            stdout=full,
            stderr=subprocess.PIPE,
            cwd=tmp_path,
            env=env,
            check=False,
        )
    assert (run.returncode, run.stderr) == (1, b"icecfg: cannot write the output: No space left on device\n")


def test_a_closed_standard_output_is_one_line_and_exit_2(tmp_path: Path) -> None:
    """``icecfg explain FILE >&-`` was a traceback (sys.stdout is None)."""
    env = dict(os.environ, PYTHONPATH=str(Path(icecfg.__file__).resolve().parents[1]))
    run = subprocess.run(
        [sys.executable, "-m", "icecfg", "rules"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
        pass_fds=(),
        close_fds=True,
        check=False,
        preexec_fn=lambda: os.close(1),
    )
    assert (run.returncode, run.stderr) == (2, b"icecfg: standard output is closed: nowhere to write\n")
