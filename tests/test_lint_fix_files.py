"""``icecfg lint --fix`` over several files: a write refused for one file does not stop the others."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import icecfg
from icecfg import cli
from icecfg.lint import command as lint_command

FIXABLE = b"<icecast>\n    <logging>\n        <loglevel>debug</loglevel>\n    </logging>\n</icecast>\n"
FIXED = FIXABLE.replace(b"debug", b"3")


def test_a_refused_write_is_one_line_and_the_other_files_are_still_fixed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    first, second, third = (tmp_path / f"{n}.xml" for n in ("a", "b", "c"))
    for path in (first, second, third):
        path.write_bytes(FIXABLE)
    theirs = FIXABLE.replace(b"<icecast>", b"<icecast><!-- edited meanwhile -->")
    real_loads = lint_command.loads

    def loads_then_someone_edits(data: bytes | str, name: str | None = None) -> icecfg.IcecastConfig:
        config = real_loads(data, name)
        if name == str(second) and second.read_bytes() == FIXABLE:
            second.write_bytes(theirs)  # between reading and writing: the fix must not overwrite it
        return config

    monkeypatch.setattr(lint_command, "loads", loads_then_someone_edits)
    argv = ["lint", "--isolated", "--no-fs", "--target", "2.4", "--fix", "--format", "json"]
    assert cli.main([*argv, str(first), str(second), str(third)]) == 1
    out = capsys.readouterr()
    assert out.err.splitlines() == [
        # the refused file when it is met; what was fixed at the end, with the report
        f"icecfg lint: {second}: changed on disk since it was read; nothing written (read it again, or overwrite)",
        f"{first}:3:19: ICE209 fixed: write <loglevel>4</loglevel>",
        f"{first}:3:19: ICE804 fixed: write <loglevel>3</loglevel>",
        f"{third}:3:19: ICE209 fixed: write <loglevel>4</loglevel>",
        f"{third}:3:19: ICE804 fixed: write <loglevel>3</loglevel>",
    ]
    assert (first.read_bytes(), second.read_bytes(), third.read_bytes()) == (FIXED, theirs, FIXED)
    reported = json.loads(out.out)
    assert {(f["path"], f["code"]) for f in reported} == {(str(second), "ICE209")}  # what is left on disk


def test_a_refused_write_exits_1_even_with_exit_zero(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "icecast.xml"
    path.write_bytes(FIXABLE)
    real_loads = lint_command.loads

    def loads_then_someone_edits(data: bytes | str, name: str | None = None) -> icecfg.IcecastConfig:
        config = real_loads(data, name)
        path.write_bytes(FIXABLE + b"<!-- theirs -->\n")
        monkeypatch.setattr(lint_command, "loads", real_loads)
        return config

    monkeypatch.setattr(lint_command, "loads", loads_then_someone_edits)
    assert cli.main(["lint", "--isolated", "--no-fs", "--target", "2.4", "--fix", "--exit-zero", str(path)]) == 1
    assert "Traceback" not in capsys.readouterr().err
