"""The release a lint checks against when none is given: the installed Icecast, else 2.4."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from subprocess import CompletedProcess

import pytest

from icecfg.installed import detect, parse_version
from icecfg.spec import Dialect
from tests.test_lint_cli import lint, write

TLS_25 = b"""<icecast>
    <security><tls-context><tls-certificate>/etc/ssl/radio.pem</tls-certificate></tls-context></security>
    <listen-socket><port>8443</port><tls>rfc2818</tls></listen-socket>
</icecast>
"""


def fake_icecast(directory: Path, said: str, name: str = "icecast") -> Path:
    """A stand-in binary that prints ``said`` for -v and logs every call's arguments."""
    path = directory / name
    log = directory / f"{name}.calls"
    path.write_text(f'#!/bin/sh\necho "$@" >> "{log}"\necho "{said}"\n')
    path.chmod(0o755)
    return path


def calls(binary: Path) -> list[str]:
    log = binary.with_name(binary.name + ".calls")
    return log.read_text().splitlines() if log.exists() else []


@pytest.mark.parametrize(
    ("line", "dialect"),
    [
        ("Icecast 2.5.0", Dialect.V25),
        ("Icecast 2.4.4", Dialect.V24),
        ("Icecast 2.4.0-kh22-0-gbb41738", Dialect.KH),
        ("Icecast 2.4.0-kh10", Dialect.KH),
        ("Icecast 2.4.99.3", Dialect.V25),  # the 2.5 betas
        ("Icecast 2.5.0-rc2", Dialect.V25),
        ("icecast 2.3.3", Dialect.V24),
        ("Usage: icecast [-b] -c <file>", None),
    ],
)
def test_version_lines(line: str, dialect: Dialect | None) -> None:
    assert parse_version(line) is dialect


def test_the_real_debian_binary_is_asked_without_starting_a_server(tmp_path: Path) -> None:
    binary = shutil.which("icecast2")
    assert binary is not None, "icecast2 is installed by scripts/install-system-deps.sh"
    found = detect([binary], cache=tmp_path / "cache.json")
    assert found is not None
    assert (found.line, found.dialect) == ("Icecast 2.4.4", Dialect.V24)


def test_fake_binaries_are_asked_with_minus_v_once_and_cached(tmp_path: Path) -> None:
    cache = tmp_path / "cache.json"
    kh = fake_icecast(tmp_path, "Icecast 2.4.0-kh22-0-gbb41738")
    assert detect([str(tmp_path / "missing"), str(kh)], cache=cache).dialect is Dialect.KH  # type: ignore[union-attr]
    assert detect([str(kh)], cache=cache).dialect is Dialect.KH  # type: ignore[union-attr]
    assert calls(kh) == ["-v"]  # the second lint paid a stat, not a process
    fake_icecast(tmp_path, "Icecast 2.5.0")  # upgraded in place
    assert detect([str(kh)], cache=cache).dialect is Dialect.V25  # type: ignore[union-attr]
    assert calls(kh) == ["-v", "-v"]


def test_a_binary_that_prints_no_version_is_skipped(tmp_path: Path) -> None:
    other = fake_icecast(tmp_path, "something else", name="icecast")
    debian = fake_icecast(tmp_path, "Icecast 2.4.4", name="icecast2")
    found = detect([str(other), str(debian)], cache=tmp_path / "cache.json")
    assert found is not None and found.path == str(debian)


def _env(tmp_path: Path, *binaries: Path) -> dict[str, str]:
    return {"ICECFG_ICECAST": os.pathsep.join(str(b) for b in binaries), "XDG_CACHE_HOME": str(tmp_path / "cache")}


def test_the_installed_release_is_the_default_target_and_the_report_says_so(tmp_path: Path) -> None:
    binary = fake_icecast(tmp_path, "Icecast 2.5.0")
    path = write(tmp_path / "icecast.xml", TLS_25)
    text = lint(str(path), "--isolated", "--no-fs", env=_env(tmp_path, binary))
    assert f"Target: Icecast 2.5 (installed: {binary} -v prints 'Icecast 2.5.0')." in text.stdout.splitlines()
    assert "ICE303" not in text.stdout  # 2.5 syntax is right on a 2.5 server
    assert "--target" not in text.stdout
    result = lint(str(path), "--isolated", "--no-fs", "--format", "json", env=_env(tmp_path, binary))
    assert {(f["target"], f["target_origin"]) for f in json.loads(result.stdout)} <= {("2.5", "installed")}
    sarif = lint(str(path), "--isolated", "--no-fs", "--format", "sarif", env=_env(tmp_path, binary))
    (used,) = json.loads(sarif.stdout)["runs"][0]["properties"]["targets"]
    assert (used["release"], used["origin"]) == ("2.5", "installed")
    assert calls(binary) == ["-v"]  # three lints, one process


def test_a_target_from_options_or_settings_always_wins(tmp_path: Path) -> None:
    binary = fake_icecast(tmp_path, "Icecast 2.5.0")
    path = write(tmp_path / "icecast.xml", TLS_25)
    given = lint(str(path), "--isolated", "--no-fs", "--target", "2.4", "--format", "json", env=_env(tmp_path, binary))
    found = json.loads(given.stdout)
    assert "ICE303" in {f["code"] for f in found}
    assert {(f["target"], f["target_origin"]) for f in found} == {("2.4", "option")}
    write(tmp_path / "icecfg.toml", b'target = "kh"\n')
    text = lint(str(path), "--no-fs", env=_env(tmp_path, binary))
    assert "Target:" not in text.stdout  # nothing was assumed: the settings say it
    sarif = lint(str(path), "--no-fs", "--format", "sarif", env=_env(tmp_path, binary))
    (used,) = json.loads(sarif.stdout)["runs"][0]["properties"]["targets"]
    assert used == {"release": "kh", "origin": "settings", "reason": f"set in {tmp_path / 'icecfg.toml'}"}
    assert calls(binary) == []  # never asked


def test_without_an_installed_icecast_2_4_is_assumed_and_another_release_suggested(tmp_path: Path) -> None:
    path = write(tmp_path / "icecast.xml", TLS_25)
    result = lint(str(path), "--isolated", "--no-fs", env=_env(tmp_path))
    lines = result.stdout.splitlines()
    assert (
        "Target: Icecast 2.4.4 (default: ICECFG_ICECAST='' names no Icecast that answers -v; give --target to choose)."
        in lines
    )
    assert (
        f"{path}: the file uses elements only Icecast 2.5 reads (<tls-context> line 2, <tls-certificate> line 2, "
        "<tls> line 3): if that is the server, give --target 2.5."
    ) in lines
    kh = write(tmp_path / "kh.xml", b"<icecast><limits><workers>4</workers></limits></icecast>")
    assert "give --target kh." in lint(str(kh), "--isolated", "--no-fs", env=_env(tmp_path)).stdout
    plain = write(tmp_path / "plain.xml", b"<icecast><limits><clients>100</clients></limits></icecast>")
    assert "the file uses" not in lint(str(plain), "--isolated", "--no-fs", env=_env(tmp_path)).stdout
    explicit = lint(str(path), "--isolated", "--no-fs", "--target", "2.4", env=_env(tmp_path))
    assert "give --target" not in explicit.stdout  # ICE303 reports each element instead


def test_a_bad_target_in_settings_is_a_usage_error(tmp_path: Path) -> None:
    path = write(tmp_path / "icecast.xml", TLS_25)
    write(tmp_path / "icecfg.toml", b'target = "3.0"\n')
    result = lint(str(path), "--no-fs")
    assert result.returncode == 2
    assert (
        result.stderr
        == f'icecfg lint: {tmp_path / "icecfg.toml"}:1: target = "3.0": must be one of "2.4", "2.5", "kh" (or "2.4.4", "2.5.0", "KH")\n'
    )


def icecfg_cli(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> CompletedProcess[str]:
    """Any icecfg command in a fresh process, with ``env`` added to this one's environment."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "icecfg", *args], cwd=cwd, capture_output=True, text=True, env=full_env, check=False
    )


def test_explain_assumes_the_release_lint_assumes_and_says_why(tmp_path: Path) -> None:
    binary = fake_icecast(tmp_path, "Icecast 2.5.0")
    path = write(tmp_path / "radio" / "icecast.xml", TLS_25)
    data = json.loads(icecfg_cli("explain", "--format", "json", str(path), env=_env(tmp_path, binary)).stdout)
    linted = json.loads(lint(str(path), "--no-fs", "--format", "json", env=_env(tmp_path, binary)).stdout)
    assert (data["target"], data["target_origin"]) == ("2.5", "installed")
    assert {(f["target"], f["target_origin"], f["target_reason"]) for f in linted} == {
        (data["target"], data["target_origin"], data["target_reason"])
    }
    text = icecfg_cli("explain", str(path), env=_env(tmp_path, binary)).stdout.splitlines()
    assert text[1] == f"Target: Icecast 2.5 (installed: {binary} -v prints 'Icecast 2.5.0')."
    alone = icecfg_cli("explain", str(path), env=_env(tmp_path)).stdout.splitlines()
    assert (
        alone[1]
        == "Target: Icecast 2.4.4 (default: ICECFG_ICECAST='' names no Icecast that answers -v; give --target to choose)."
    )
    assert alone[2].startswith(f"{path}: the file uses elements only Icecast 2.5 reads")
    write(tmp_path / "radio" / "icecfg.toml", b'target = "kh"\n')
    chosen = icecfg_cli("explain", "--format", "json", str(path), env=_env(tmp_path, binary)).stdout
    assert {k: v for k, v in json.loads(chosen).items() if k.startswith("target")} == {
        "target": "kh",
        "target_origin": "settings",
        "target_reason": f"set in {tmp_path / 'radio' / 'icecfg.toml'}",
    }
    assert "Target:" not in icecfg_cli("explain", str(path), env=_env(tmp_path, binary)).stdout
    assert calls(binary) == ["-v"]  # asked once, then cached


def test_explain_and_migrate_refuse_a_broken_settings_file_like_lint(tmp_path: Path) -> None:
    path = write(tmp_path / "icecast.xml", TLS_25)
    write(tmp_path / "icecfg.toml", b'target = "3.0"\n')
    said = (
        f'{tmp_path / "icecfg.toml"}:1: target = "3.0": must be one of "2.4", "2.5", "kh" (or "2.4.4", "2.5.0", "KH")\n'
    )
    for command in ("explain", "migrate", "lint"):
        result = icecfg_cli(command, str(path))
        assert (result.returncode, result.stderr) == (2, f"icecfg {command}: {said}")


def test_migrate_from_defaults_to_the_settings_then_the_installed_release(tmp_path: Path) -> None:
    kh_file = b"<icecast>\n  <paths>\n    <deny-agents>/etc/agents</deny-agents>\n  </paths>\n</icecast>\n"
    path = write(tmp_path / "radio" / "icecast.xml", kh_file)
    kh = fake_icecast(tmp_path, "Icecast 2.4.0-kh22")
    installed = icecfg_cli("migrate", "--format", "json", str(path), env=_env(tmp_path, kh))
    data = json.loads(installed.stdout)
    assert (data["from"], data["from_origin"]) == ("kh", "installed")
    assert data["from_reason"] == f"{kh} -v prints 'Icecast 2.4.0-kh22'"
    assert data["lost"] == 1 and installed.returncode == 1  # <deny-agents> is KH's, lost on 2.5
    diff = icecfg_cli("migrate", str(path), env=_env(tmp_path))
    assert diff.stderr.splitlines()[0] == (
        "icecfg migrate: from Icecast 2.4.4 (default: ICECFG_ICECAST='' names no Icecast that answers -v; give --from to choose)"
    )
    write(tmp_path / "radio" / "icecfg.toml", b'target = "2.4"\n')
    chosen = json.loads(icecfg_cli("migrate", "--format", "json", str(path), env=_env(tmp_path, kh)).stdout)
    assert (chosen["from"], chosen["from_origin"]) == ("2.4", "settings")
    given = json.loads(icecfg_cli("migrate", "--from", "KH", "--format", "json", str(path)).stdout)
    assert (given["from"], given["from_origin"], given["from_reason"]) == ("kh", "option", "given with --from")


@pytest.mark.parametrize("call", ["check", "explain", "upgrade"])
def test_the_library_names_the_targets_it_knows_when_given_another(call: str) -> None:
    """``icecfg.check(cfg, target="3.0")`` said only "'3.0' is not a valid Dialect"."""
    import icecfg

    cfg = icecfg.loads(b"<icecast/>")
    function = getattr(icecfg, call)
    with pytest.raises(ValueError, match=r"\Aunknown target '3\.0' \(2\.4, 2\.5 or kh; 2\.4\.4, 2\.5\.0, KH\)\Z"):
        function(cfg, "3.0") if call != "check" else function(cfg, target="3.0")


def test_without_icecfg_icecast_the_default_says_path_was_searched(tmp_path: Path) -> None:
    """The reason names what was searched: PATH, or the ICECFG_ICECAST list that replaces it."""
    path = write(tmp_path / "icecast.xml", b"<icecast/>")
    (tmp_path / "bin").mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("ICECFG_ICECAST", "GITHUB_ACTIONS")}
    env |= {"PATH": str(tmp_path / "bin"), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    result = subprocess.run(
        [sys.executable, "-m", "icecfg.cli", "lint", "--isolated", "--no-fs", str(path)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    expected = "Target: Icecast 2.4.4 (default: no icecast or icecast2 found on PATH; give --target to choose)."
    assert expected in result.stdout.splitlines(), result
