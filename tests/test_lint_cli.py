"""The ``icecfg lint`` command as CI uses it: paths, formats, settings, suppressions, fixes, exit status."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from icecfg.cli import main

BAD = b"<icecast>\n  <limits>\n    <client>5</client>\n  </limits>\n  <hostname>radio.example.org</hostname>\n</icecast>\n"
GOOD = b"<icecast>\n  <limits>\n    <clients>5</clients>\n  </limits>\n</icecast>\n"


def lint(
    *args: str, cwd: Path | None = None, stdin: bytes | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the installed command line in a fresh process, as CI would."""
    full_env = {k: v for k, v in os.environ.items() if k != "GITHUB_ACTIONS"}
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "icecfg.cli", "lint", *args],
        cwd=cwd,
        input=stdin.decode() if stdin is not None else None,
        capture_output=True,
        text=True,
        env=full_env,
        check=False,
    )


def write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def codes(output: str) -> list[str]:
    return [item["code"] for item in json.loads(output)]


def test_findings_exit_1_with_path_line_column_and_the_line(tmp_path: Path) -> None:
    path = write(tmp_path / "icecast.xml", BAD)
    result = lint(str(path), "--select", "ICE101", "--isolated")
    assert result.returncode == 1
    first = result.stdout.splitlines()[0]
    assert first.startswith(f"{path}:3:5: ICE101 [error] <client> is not an element of <limits>")
    assert "<client>5</client>" in result.stdout
    assert result.stderr == ""


def test_clean_file_exits_0(tmp_path: Path) -> None:
    path = write(tmp_path / "icecast.xml", GOOD)
    result = lint(str(path), "--select", "ICE101", "--isolated")
    assert (result.returncode, result.stderr) == (0, "")


def test_not_well_formed_file_is_a_finding_not_a_traceback(tmp_path: Path) -> None:
    path = write(tmp_path / "icecast.xml", b"<icecast>\n<limits>\n</icecast>\n")
    result = lint(str(path), "--format", "json", "--isolated")
    assert result.returncode == 1
    [finding] = json.loads(result.stdout)
    assert (finding["code"], finding["line"], finding["column"]) == ("ICE001", 3, 3)
    assert "Traceback" not in result.stderr


def test_hostile_dtd_is_a_finding(tmp_path: Path) -> None:
    path = write(tmp_path / "x.xml", b'<!DOCTYPE icecast [<!ENTITY a "b">]><icecast>&a;</icecast>')
    result = lint(str(path), "--format", "json", "--isolated")
    assert result.returncode == 1
    assert codes(result.stdout) == ["ICE001"]


def test_unreadable_file_and_missing_file_exit_2(tmp_path: Path) -> None:
    result = lint(str(tmp_path / "missing.xml"), "--isolated")
    assert result.returncode == 2
    assert result.stderr.strip() == f"icecfg lint: cannot read {tmp_path / 'missing.xml'}: No such file or directory"


def test_usage_error_exits_2() -> None:
    result = lint("--target", "3.0", "x.xml")
    assert result.returncode == 2
    assert "unknown target '3.0'" in result.stderr


def test_directories_are_searched_and_stdin_is_read(tmp_path: Path) -> None:
    write(tmp_path / "conf" / "a.xml", BAD)
    write(tmp_path / "conf" / "sub" / "b.xml", BAD)
    write(tmp_path / "conf" / "notes.txt", b"not xml")
    result = lint(str(tmp_path / "conf"), "--select", "ICE101", "--format", "json", "--isolated")
    assert sorted(Path(item["path"]).name for item in json.loads(result.stdout)) == ["a.xml", "b.xml"]
    piped = lint("-", "--select", "ICE101", "--format", "json", "--isolated", stdin=BAD)
    assert [(i["path"], i["code"]) for i in json.loads(piped.stdout)] == [("-", "ICE101")]


def test_select_ignore_and_fail_on(tmp_path: Path) -> None:
    path = write(tmp_path / "icecast.xml", BAD)
    # ignore wins over select; what is left (ICE002) still runs: a selection that runs no rule is an error
    assert lint(str(path), "--ignore", "ICE1", "--select", "ICE101,ICE002", "--isolated").returncode == 0
    assert lint(str(path), "--select", "unknown-element", "--isolated").returncode == 1
    # an error-level finding still fails with --fail-on error; --exit-zero never fails
    assert lint(str(path), "--select", "ICE101", "--fail-on", "error", "--isolated").returncode == 1
    assert lint(str(path), "--select", "ICE101", "--exit-zero", "--isolated").returncode == 0


def test_json_has_the_documented_keys(tmp_path: Path) -> None:
    path = write(tmp_path / "icecast.xml", BAD)
    [item] = json.loads(lint(str(path), "--select", "ICE101", "--format", "json", "--isolated").stdout)
    assert {"code", "name", "severity", "message", "path", "line", "column", "end_line", "url"} <= set(item)
    assert item["url"].endswith("docs/rules/ICE101.md")


def test_github_format_is_chosen_on_github_actions(tmp_path: Path) -> None:
    path = write(tmp_path / "icecast.xml", BAD)
    result = lint(str(path), "--select", "ICE101", "--isolated", env={"GITHUB_ACTIONS": "true"})
    assert result.stdout.startswith(f"::error file={path},line=3,col=5")


def test_settings_file_is_found_walking_up_and_flags_win(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", b'[tool.icecfg]\nselect = ["ICE101", "ICE002"]\nformat = "json"\n')
    path = write(tmp_path / "deploy" / "icecast.xml", BAD)
    result = lint(str(path))
    assert codes(result.stdout) == ["ICE101"]
    assert lint(str(path), "--ignore", "ICE101").returncode == 0
    write(tmp_path / "deploy" / "icecfg.toml", b'select = ["ICE101", "ICE002"]\nignore = ["ICE101"]\n')
    assert lint(str(path)).returncode == 0  # the nearer file wins


def test_bad_settings_file_is_a_usage_error(tmp_path: Path) -> None:
    write(tmp_path / "icecfg.toml", b"selectt = 1\n")
    path = write(tmp_path / "icecast.xml", GOOD)
    result = lint(str(path))
    assert result.returncode == 2
    assert (
        result.stderr == f"icecfg lint: {tmp_path / 'icecfg.toml'}:1: unknown setting selectt (did you mean select?)\n"
    )


def test_inline_suppressions_and_unused_ones(tmp_path: Path) -> None:
    data = (
        b"<icecast>\n  <limits>\n    <!-- icecfg: ignore[ICE101] kept for an old script -->\n"
        b"    <client>5</client>\n    <sourcez>1</sourcez> <!-- icecfg: ignore[ICE101] -->\n"
        b"    <queue>1</queue>\n  </limits>\n  <!-- icecfg: ignore[ICE999] -->\n</icecast>\n"
    )
    path = write(tmp_path / "icecast.xml", data)
    found = json.loads(lint(str(path), "--select", "ICE101,ICE002", "--format", "json", "--isolated").stdout)
    assert [(f["code"], f["line"]) for f in found] == [("ICE101", 6), ("ICE002", 8)]


def test_file_level_suppression(tmp_path: Path) -> None:
    path = write(tmp_path / "icecast.xml", b"<!-- icecfg: ignore-file[ICE1] -->\n" + BAD)
    assert lint(str(path), "--select", "ICE101", "--isolated").returncode == 0


def test_main_returns_status_without_exiting(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path / "icecast.xml", BAD)
    assert main(["lint", str(path), "--select", "ICE101", "--isolated"]) == 1
    assert "ICE101" in capsys.readouterr().out


def test_rules_and_rule_commands(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules"]) == 0
    listing = capsys.readouterr().out
    assert "ICE101  unknown-element" in listing
    assert main(["rule", "ICE101"]) == 0
    page = capsys.readouterr().out
    assert page.startswith("# ICE101 unknown-element")
    assert "## Why" in page
    assert main(["rule", "ICE000"]) == 2


def test_library_entry_point() -> None:
    import icecfg

    cfg = icecfg.loads(BAD, path="icecast.xml")
    findings = icecfg.check(cfg, target="2.4", root=None, select=["ICE101"])
    assert [(f.code, f.line, f.column) for f in findings] == [("ICE101", 3, 5)]
    assert icecfg.check(cfg, "kh", select=["ICE101"])[0].severity.value == "error"


def test_library_refuses_a_selector_that_names_no_rule() -> None:
    """A misspelt code must not make ``check`` report a clean file, as ``--select`` refuses it too."""
    import icecfg

    cfg = icecfg.loads(BAD, path="icecast.xml")
    with pytest.raises(
        ValueError, match=r"^select: no rule code, prefix or name 'ICE1O1' \(did you mean ICE\d{3}\?\)$"
    ):
        icecfg.check(cfg, target="2.4", select=["ICE1O1"])
    with pytest.raises(
        ValueError, match=r"^ignore: no rule code, prefix or name 'unknown-elemnt' \(did you mean unknown-element\?\)$"
    ):
        icecfg.check(cfg, target="2.4", ignore=["unknown-elemnt"])
    assert icecfg.check(cfg, target="2.4", select=["unknown-element", "ice1"], files=False)


FIXABLE = (
    b"<icecast>\n  <!-- keep this comment -->\n  <fileserve>true</fileserve>\n"
    b"  <logging>\n    <loglevel>debug</loglevel>\n  </logging>\n  <limits>\n    <client>5</client>\n  </limits>\n</icecast>\n"
)


def test_diff_shows_the_safe_fixes_and_changes_nothing(tmp_path: Path) -> None:
    path = write(tmp_path / "icecast.xml", FIXABLE)
    result = lint(str(path), "--diff", "--select", "ICE204,ICE209,ICE101", "--isolated")
    assert result.returncode == 1
    # named for patch -p1 in the directory the stderr names (the file is outside the current one)
    assert result.stdout.startswith("--- a/icecast.xml\n+++ b/icecast.xml\n")
    assert f"apply it there (patch -p1 -d {tmp_path})" in result.stderr
    assert "-  <fileserve>true</fileserve>\n+  <fileserve>1</fileserve>" in result.stdout
    assert "-    <loglevel>debug</loglevel>\n+    <loglevel>4</loglevel>" in result.stdout
    assert path.read_bytes() == FIXABLE


def test_fix_rewrites_only_the_fixed_lines_and_reports_the_rest(tmp_path: Path) -> None:
    path = write(tmp_path / "icecast.xml", FIXABLE)
    os.chmod(path, 0o640)
    result = lint(str(path), "--fix", "--select", "ICE204,ICE209,ICE101", "--format", "json", "--isolated")
    assert path.read_bytes() == FIXABLE.replace(b">true<", b">1<").replace(b">debug<", b">4<")
    assert oct(path.stat().st_mode & 0o777) == "0o640"
    assert codes(result.stdout) == ["ICE101"]  # not fixable: it stays, and fails the run
    assert result.returncode == 1


@pytest.mark.parametrize("order", [["--no-fs", "--root"], ["--root", "--no-fs"]], ids=["no-fs-first", "root-first"])
def test_root_and_no_fs_exclude_each_other_as_in_migrate(tmp_path: Path, order: list[str]) -> None:
    """``--no-fs --root /nonexistent`` linted as if no tree had been named (docs/lint.md: a usage error)."""
    path = write(tmp_path / "icecast.xml", GOOD)
    words = [w for flag in order for w in ([flag, str(tmp_path / "nonexistent")] if flag == "--root" else [flag])]
    result = lint(*words, str(path), "--isolated")
    second, first = order[1], order[0]
    assert (result.returncode, result.stdout) == (2, "")
    assert (
        result.stderr
        == f"icecfg lint: argument {second}: not allowed with argument {first} (see 'icecfg lint --help')\n"
    )


def test_root_and_no_fs_in_one_settings_file_exclude_each_other(tmp_path: Path) -> None:
    write(tmp_path / "icecfg.toml", b'root = "image"\nno-fs = true\n')
    path = write(tmp_path / "icecast.xml", GOOD)
    result = lint(str(path))
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (
        f"icecfg lint: {tmp_path / 'icecfg.toml'}:2: no-fs = true and root (line 1) exclude each other: "
        "no-fs would ignore the tree root names; keep one of them\n"
    )


def test_a_flag_wins_over_the_settings_for_the_files_too(tmp_path: Path) -> None:
    """--root names a tree to read even where the settings say no-fs; --no-fs leaves the settings' root unread."""
    write(tmp_path / "icecfg.toml", b"no-fs = true\n")
    path = write(tmp_path / "icecast.xml", GOOD)
    result = lint("--root", str(tmp_path / "nonexistent"), str(path))
    assert (result.returncode, result.stderr) == (
        2,
        f"icecfg lint: --root {tmp_path / 'nonexistent'}: does not exist (the tree of the server's files)\n",
    )
    write(tmp_path / "icecfg.toml", b'root = "nonexistent"\n')
    result = lint("--no-fs", "--select", "ICE101", str(path))
    assert (result.returncode, result.stderr) == (0, "")


def test_standard_input_named_twice_is_a_usage_error(tmp_path: Path) -> None:
    """The second ``-`` read nothing, and was reported as a file that is not well-formed XML (ICE001)."""
    result = lint("--no-fs", "-", "-", stdin=GOOD)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == "icecfg lint: standard input (-) is named twice: it can be read once\n"


def test_the_line_shown_under_a_finding_is_its_line_past_unicode_line_separators(tmp_path: Path) -> None:
    """U+2028 and NEL in a comment end no line for XML: the source line shown is the one the finding names."""
    path = tmp_path / "icecast.xml"
    path.write_text(
        "<icecast>\n  <!-- one\u2028two\x85three -->\n  <limits><clients>5</clients></limits>\n</icecast>\n",
        encoding="utf-8",
    )
    done = lint("--no-fs", "--select", "ICE907", str(path))
    assert f"{path}:3:20: ICE907" in done.stdout
    assert "3 |   <limits><clients>5</clients></limits>" in done.stdout, done.stdout
