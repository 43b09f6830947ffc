"""The Packer template, the provisioning scripts, staging and the ``packer`` driver.

- The template: ``packer validate`` with the installed (Debian 1.6.6) Packer, and
  static checks that keep it acceptable to current Packer and the DigitalOcean
  plugin as well (only options both know; ``required_plugins`` only in the
  separate plugins file); the scripts pass ``bash -n`` and shellcheck.
- :mod:`icecfg.bake.stage`: the staged files, what the scripts read, and that the
  content hash moves with every input.
- :mod:`icecfg.bake.packer`: version detection, the machine-readable parser, and
  :func:`~icecfg.bake.packer.build` against a fake ``packer`` executable (a small
  Python script put first on ``PATH``) that prints canned machine-readable output
  (captured from Debian's packer 1.6.6), records how it was started, and plays
  dead slowly on SIGINT. The token must reach it through the environment only:
  the test reads ``/proc/<pid>/cmdline`` and ``/proc/<pid>/environ`` of the
  running fake.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from icecfg.bake import package_cache, packer
from icecfg.bake.packer import Event, PackerError, Version, parse_line
from icecfg.bake.stage import StageError, content_hash, stage

REPO = Path(__file__).resolve().parents[1]
PACKER_DIR = REPO / "packer"
TEMPLATE = PACKER_DIR / "icecast.pkr.hcl"
PLUGINS = PACKER_DIR / "plugins" / "plugins.pkr.hcl"
SCRIPTS = sorted((PACKER_DIR / "scripts").glob("*.sh"))
TOKEN = "dop_v1_" + "5e" * 32

#: Options Packer 1.6.6 rejects as unknown keys (reference §0), and snapshot_regions,
#: whose transfer wait is broken in 1.6.6.
NOT_IN_166 = (
    "snapshot_tags",
    "http_retry_max",
    "ssh_key_id",
    "droplet_agent",
    "wait_snapshot_transfer",
    "transfer_timeout",
    "snapshot_regions",
)


# --------------------------------------------------------------------------- template


def _strip_comments(text: str) -> str:
    return "\n".join(line.split("#", 1)[0] for line in text.splitlines())


def _validate(target: Path, tmp_path: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    staged = tmp_path / "staged"
    staged.mkdir(exist_ok=True)
    env = {
        **os.environ,
        "CHECKPOINT_DISABLE": "1",
        "PKR_VAR_api_token": TOKEN,
        "PKR_VAR_snapshot_name": "icecfg-0123456789ab-20260101-000000",
        "PKR_VAR_staged_dir": str(staged),
        "PKR_VAR_output_dir": str(tmp_path / "out"),
    }
    return subprocess.run(
        ["packer", "validate", *extra, str(target)], env=env, capture_output=True, text=True, check=False
    )


def test_installed_packer_is_debians_166() -> None:
    assert shutil.which("packer"), "packer is missing: run scripts/install-packer-test-deps.sh"
    assert packer.packer_version() == Version(1, 6, 6)


def test_template_validates_with_installed_packer(tmp_path: Path) -> None:
    proc = _validate(TEMPLATE, tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert TOKEN not in proc.stdout + proc.stderr


def test_template_needs_the_token_variable(tmp_path: Path) -> None:
    staged = tmp_path / "staged"
    staged.mkdir()
    proc = subprocess.run(
        ["packer", "validate", str(TEMPLATE)],
        env={
            "PATH": os.environ["PATH"],
            "HOME": str(tmp_path),
            "CHECKPOINT_DISABLE": "1",
            "PKR_VAR_snapshot_name": "x",
            "PKR_VAR_staged_dir": str(staged),
            "PKR_VAR_output_dir": str(tmp_path),
        },
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode != 0
    assert 'Unset variable "api_token"' in proc.stdout + proc.stderr


def test_plugins_block_lives_apart_because_166_rejects_it(tmp_path: Path) -> None:
    """With both files in one directory, 1.6.6 fails; icecfg joins them only for >= 1.7."""
    combined = tmp_path / "combined"
    combined.mkdir()
    (combined / "icecast.pkr.hcl").symlink_to(TEMPLATE)
    (combined / "plugins.pkr.hcl").symlink_to(PLUGINS)
    (combined / "scripts").symlink_to(PACKER_DIR / "scripts")
    proc = _validate(combined, tmp_path, "-syntax-only")
    assert proc.returncode != 0
    assert 'Blocks of type "required_plugins" are not expected here' in proc.stdout + proc.stderr
    # Nothing in the directory Packer 1.6.6 loads may declare it.
    assert [p.name for p in PACKER_DIR.glob("*.pkr.hcl")] == ["icecast.pkr.hcl"]
    assert "required_plugins" not in _strip_comments(TEMPLATE.read_text())


@pytest.mark.parametrize("path", [TEMPLATE, PLUGINS], ids=lambda p: p.name)
def test_hcl_is_packer_fmt_canonical(path: Path) -> None:
    proc = subprocess.run(
        ["packer", "fmt", "-check", "-diff", str(path)],
        env={**os.environ, "CHECKPOINT_DISABLE": "1"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_plugins_file_pins_the_digitalocean_plugin() -> None:
    text = _strip_comments(PLUGINS.read_text())
    assert re.search(r'source\s*=\s*"github.com/digitalocean/digitalocean"', text)
    assert re.search(r'required_version\s*=\s*">= 1.7.0"', text)


def test_template_uses_only_options_both_packer_generations_know() -> None:
    text = _strip_comments(TEMPLATE.read_text())
    for option in NOT_IN_166:
        assert not re.search(rf"\b{option}\b", text), option
    assert re.search(r'ssh_file_transfer_method\s*=\s*"sftp"', text)
    # The token has no default and is never written into the template.
    block = re.search(r'variable "api_token" \{(.*?)\n\}', text, re.S)
    assert block is not None
    assert "sensitive   = true" in block[1] and "default" not in block[1]
    variables = set(re.findall(r'^variable "(\w+)"', text, re.M))
    assert variables == {
        "api_token",
        "api_url",
        "region",
        "size",
        "image",
        "snapshot_name",
        "staged_dir",
        "output_dir",
        "ssh_port",
        "ssh_username",
        "ssh_timeout",
    }
    assert re.search(r'default\s*=\s*"debian-12-x64"', text)
    assert re.search(r'default\s*=\s*"https://api.digitalocean.com"', text)
    assert 'output     = "${var.output_dir}/manifest.json"' in text


def test_template_runs_every_script_in_order() -> None:
    text = TEMPLATE.read_text()
    listed = re.findall(r'"\$\{path.root\}/scripts/([\w.-]+\.sh)"', text)
    assert listed == [p.name for p in SCRIPTS]
    assert listed[-1] == "99-cleanup.sh"


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_script_is_executable_strict_bash(script: Path) -> None:
    assert script.stat().st_mode & stat.S_IXUSR
    lines = script.read_text().splitlines()
    assert lines[0] == "#!/bin/bash"
    assert "set -euo pipefail" in lines
    proc = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr


@pytest.mark.parametrize(("release", "passes"), [("2.4", True), ("2.5", False)])
def test_release_check_fails_the_bake_on_another_release(tmp_path: Path, release: str, passes: bool) -> None:
    """19-check-release.sh against this machine's Debian icecast2 (2.4.4), as the recipe runs it."""
    assert shutil.which("icecast2"), "icecast2 is missing: run scripts/install-system-deps.sh"
    (tmp_path / "settings.env").write_text(f"ICECFG_RELEASE={release}\n")
    proc = subprocess.run(
        ["bash", str(PACKER_DIR / "scripts" / "19-check-release.sh")],
        env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "ICECFG_STAGE": str(tmp_path)},
        capture_output=True,
        text=True,
        check=False,
    )
    if passes:
        assert (proc.returncode, proc.stdout) == (0, "icecfg: Icecast 2.4.4 installed (release 2.4)\n"), proc.stderr
    else:
        assert proc.returncode == 1
        assert proc.stderr == (
            "icecfg: /usr/bin/icecast2 -v says 'Icecast 2.4.4'; the configuration was linted for Icecast 2.5\n"
        )


def test_scripts_pass_shellcheck() -> None:
    assert shutil.which("shellcheck"), "shellcheck is missing: run scripts/install-packer-test-deps.sh"
    proc = subprocess.run(
        ["shellcheck", "--shell=bash", *map(str, SCRIPTS)], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stdout


# --------------------------------------------------------------------------- staging


CONFIG = b"""<icecast>
    <listen-socket><port>8000</port></listen-socket>
    <paths>
        <logdir>/var/log/icecast2</logdir>
        <webroot>/usr/share/icecast2/web</webroot>
        <ssl-certificate>/etc/icecast2/bundle.pem</ssl-certificate>
    </paths>
    <logging><accesslog>access.log</accesslog><playlistlog>playlist.log</playlistlog></logging>
</icecast>
"""


@pytest.fixture
def inputs(tmp_path: Path) -> dict[str, Path]:
    config = tmp_path / "in" / "icecast.xml"
    config.parent.mkdir()
    config.write_bytes(CONFIG)
    ogg = tmp_path / "in" / "fallback.ogg"
    ogg.write_bytes(b"OggS fallback")
    pem = tmp_path / "in" / "bundle.pem"
    pem.write_bytes(b"-----BEGIN CERTIFICATE-----\n...\n-----BEGIN PRIVATE KEY-----\n")
    return {"config": config, "ogg": ogg, "pem": pem}


def _assets(inputs: dict[str, Path]) -> dict[str, Path]:
    return {"/usr/share/icecast2/web/fallback.ogg": inputs["ogg"], "/etc/icecast2/bundle.pem": inputs["pem"]}


def _source(settings: Path, name: str) -> str:
    proc = subprocess.run(
        ["bash", "-c", f'. "$1"; printf %s "${name}"', "-", str(settings)],
        capture_output=True,
        text=True,
        check=True,
    )
    return proc.stdout


def test_stage_writes_config_assets_and_manifests(tmp_path: Path, inputs: dict[str, Path]) -> None:
    staged = stage(inputs["config"], _assets(inputs), True, [8443, 8000, 8000], tmp_path / "stage")
    out = staged.dir
    assert stat.S_IMODE(out.stat().st_mode) == 0o700
    assert (out / "icecast.xml").read_bytes() == CONFIG
    for path in out.rglob("*"):
        if path.is_file():
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    rows = [line.split("\t") for line in (out / "files.tsv").read_text().splitlines()]
    by_path = {row[1]: row for row in rows}
    pem = by_path["/etc/icecast2/bundle.pem"]
    assert pem[2:5] == ["icecast2", "icecast", "0600"]
    assert (out / pem[0]).read_bytes() == inputs["pem"].read_bytes()
    assert pem[5] == hashlib.sha256(inputs["pem"].read_bytes()).hexdigest()
    ogg = by_path["/usr/share/icecast2/web/fallback.ogg"]
    assert ogg[2:5] == ["root", "root", "0644"]
    settings = out / "settings.env"
    assert _source(settings, "ICECFG_PORTS") == "8000 8443"
    assert _source(settings, "ICECFG_PRIVACY_LOGS") == "1"
    assert _source(settings, "ICECFG_LOGDIR") == "/var/log/icecast2"
    assert _source(settings, "ICECFG_DISCARD_LOGS") == "access.log playlist.log"
    assert _source(settings, "ICECFG_CONFIG_SHA256") == hashlib.sha256(CONFIG).hexdigest()
    assert re.fullmatch(r"[0-9a-f]{64}", staged.config_hash)
    assert staged.ports == (8000, 8443)


@pytest.mark.parametrize("release", ["2.4", "2.5"])
def test_stage_tells_the_scripts_the_release(tmp_path: Path, inputs: dict[str, Path], release: str) -> None:
    staged = stage(inputs["config"], {}, False, [8000], tmp_path / "stage", release=release)
    assert _source(staged.dir / "settings.env", "ICECFG_RELEASE") == release
    assert staged.release == release


def test_stage_refuses_a_release_without_a_recipe(tmp_path: Path, inputs: dict[str, Path]) -> None:
    with pytest.raises(StageError, match="no image recipe for Icecast 'kh'"):
        stage(inputs["config"], {}, False, [8000], tmp_path / "stage", release="kh")
    assert not (tmp_path / "stage").exists()


def test_stage_puts_a_kept_package_beside_the_hashed_files(tmp_path: Path, inputs: dict[str, Path]) -> None:
    package = tmp_path / "icecast2.deb"
    package.write_bytes(b"!<arch>\ndebian-binary")
    plain = stage(inputs["config"], {}, False, [8000], tmp_path / "plain", release="2.5")
    staged = stage(inputs["config"], {}, False, [8000], tmp_path / "stage", release="2.5", prebuilt=package)
    staged_package = staged.dir / "prebuilt" / "icecast2.deb"
    assert staged_package.read_bytes() == package.read_bytes()
    assert stat.S_IMODE(staged_package.stat().st_mode) == 0o600
    assert staged.prebuilt and not plain.prebuilt
    # The package is what the hashed recipe builds: it does not change the snapshot's hash.
    assert staged.config_hash == plain.config_hash


def test_package_cache_key_follows_release_image_and_recipe(tmp_path: Path) -> None:
    template = _template_copy(tmp_path)
    key = package_cache.cache_key("2.5", "debian-12-x64", template)
    assert key is not None
    assert package_cache.cache_key("2.4", "debian-12-x64", template) is None  # Debian's package, nothing built
    assert package_cache.cache_key("2.5", "debian-13-x64", template) != key
    recipe = template / "scripts" / "15-build-icecast-2.5.sh"
    recipe.write_text(recipe.read_text() + "\n# changed\n")
    assert package_cache.cache_key("2.5", "debian-12-x64", template) != key


def test_package_cache_keeps_only_a_built_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    empty = tmp_path / "built-package.deb"
    empty.write_bytes(b"")
    assert package_cache.keep("k1", empty) is None  # a 2.4 bake or a bake that reused a package
    assert package_cache.cached("k1") is None
    built = tmp_path / "built.deb"
    built.write_bytes(b"!<arch>\n")
    kept = package_cache.keep("k1", built)
    assert kept == tmp_path / "cache" / "icecfg" / "packages" / "k1" / "icecast2.deb"
    assert package_cache.cached("k1") == kept and kept.read_bytes() == b"!<arch>\n"
    assert stat.S_IMODE(kept.parent.stat().st_mode) == 0o700
    assert [p.name for p in kept.parent.iterdir()] == ["icecast2.deb"]
    assert package_cache.cached(None) is None


def test_stage_without_privacy_discards_nothing(tmp_path: Path, inputs: dict[str, Path]) -> None:
    staged = stage(inputs["config"], {}, False, [8000], tmp_path / "stage")
    assert _source(staged.dir / "settings.env", "ICECFG_PRIVACY_LOGS") == "0"
    assert _source(staged.dir / "settings.env", "ICECFG_DISCARD_LOGS") == ""
    assert (staged.dir / "files.tsv").read_text() == ""


def test_stage_access_log_to_stderr_needs_no_link(tmp_path: Path) -> None:
    config = tmp_path / "icecast.xml"
    config.write_bytes(b"<icecast><logging><accesslog>-</accesslog></logging></icecast>")
    staged = stage(config, {}, True, [], tmp_path / "stage")
    assert staged.discarded_logs == ()
    assert staged.logdir == "/usr/local/icecast/logs"


@pytest.mark.parametrize(
    ("config", "assets", "ports", "message"),
    [
        (b"<icecast><logging><accesslog>/var/log/a.log</accesslog></logging></icecast>", {}, [], "absolute"),
        (b"<icecast><logging><accesslog>sub/a.log</accesslog></logging></icecast>", {}, [], "plain file"),
        (b"<icecast/>", {"/usr/share/../etc/shadow": "ogg"}, [], "normalised"),
        (b"<icecast/>", {"relative/file": "ogg"}, [], "absolute path"),
        (b"<icecast/>", {"/a\tb": "ogg"}, [], "absolute path"),
        (b"<icecast/>", {"/etc/icecast2/icecast.xml": "ogg"}, [], "staged separately"),
        (b"<icecast/>", {}, [0], "1..65535"),
        (b"<icecast/>", {}, [65536], "1..65535"),
    ],
)
def test_stage_refuses_what_scripts_could_misread(
    tmp_path: Path,
    inputs: dict[str, Path],
    config: bytes,
    assets: dict[str, str],
    ports: list[int],
    message: str,
) -> None:
    path = tmp_path / "c.xml"
    path.write_bytes(config)
    local = {k: inputs[v] for k, v in assets.items()}
    with pytest.raises(StageError, match=re.escape(message)):
        stage(path, local, True, ports, tmp_path / "stage")


@pytest.mark.parametrize(("kind", "said"), [("missing", "No such file or directory"), ("directory", "Is a directory")])
def test_stage_refuses_an_asset_it_cannot_read_in_one_line(
    tmp_path: Path, inputs: dict[str, Path], kind: str, said: str
) -> None:
    ogg = inputs["ogg"]
    ogg.unlink()
    if kind == "directory":
        ogg.mkdir()
    with pytest.raises(StageError) as caught:
        stage(inputs["config"], _assets(inputs), True, [8000], tmp_path / "stage")
    assert str(caught.value) == f"cannot read {ogg}, the asset for /usr/share/icecast2/web/fallback.ogg: {said}"


def test_stage_refuses_a_non_empty_directory(tmp_path: Path, inputs: dict[str, Path]) -> None:
    out = tmp_path / "stage"
    out.mkdir()
    (out / "stale").write_text("x")
    with pytest.raises(StageError, match="not empty"):
        stage(inputs["config"], {}, False, [], out)


def test_hash_is_stable_for_the_same_content(tmp_path: Path, inputs: dict[str, Path]) -> None:
    assets = _assets(inputs)
    first = stage(inputs["config"], assets, True, [8000], tmp_path / "a").config_hash
    reordered = dict(reversed(list(assets.items())))
    copy = tmp_path / "copy.xml"
    shutil.copyfile(inputs["config"], copy)
    second = stage(copy, reordered, True, [8000], tmp_path / "b").config_hash
    assert first == second


def _template_copy(tmp_path: Path) -> Path:
    target = tmp_path / "packer"
    shutil.copytree(PACKER_DIR, target)
    return target


@pytest.mark.parametrize(
    "change",
    [
        "config",
        "asset bytes",
        "asset path",
        "privacy",
        "ports",
        "template",
        "script",
        "plugins file",
        "release",
    ],
)
def test_hash_changes_with_every_input(tmp_path: Path, inputs: dict[str, Path], change: str) -> None:
    template = _template_copy(tmp_path)
    assets = _assets(inputs)
    base = stage(inputs["config"], assets, True, [8000], tmp_path / "base", template_dir=template)
    privacy, ports, config, release = True, [8000], inputs["config"], "2.4"
    if change == "release":
        release = "2.5"
    elif change == "config":
        config = tmp_path / "changed.xml"
        config.write_bytes(CONFIG.replace(b"8000", b"8001"))
    elif change == "asset bytes":
        inputs["ogg"].write_bytes(b"OggS other audio")
    elif change == "asset path":
        assets = {"/usr/share/icecast2/web/other.ogg": inputs["ogg"], "/etc/icecast2/bundle.pem": inputs["pem"]}
    elif change == "privacy":
        privacy = False
    elif change == "ports":
        ports = [8000, 8443]
    elif change == "template":
        path = template / "icecast.pkr.hcl"
        path.write_text(path.read_text().replace('default = "fra1"', 'default = "ams3"'))
    elif change == "script":
        path = template / "scripts" / "30-firewall.sh"
        path.write_text(path.read_text() + "\n# changed\n")
    elif change == "plugins file":
        path = template / "plugins" / "plugins.pkr.hcl"
        path.write_text(path.read_text().replace(">= 1.4.0", ">= 1.4.1"))
    changed = stage(config, assets, privacy, ports, tmp_path / "changed", release=release, template_dir=template)
    assert changed.config_hash != base.config_hash


def test_content_hash_frames_its_fields() -> None:
    # Moving bytes from one field to the next must not give the same hash.
    a = content_hash(b"<icecast/>", {"/a": b"xy"})
    b = content_hash(b"<icecast/>", {"/a": b"x", "/b": b"y"})
    c = content_hash(b"<icecast/>x", {"/a": b"y"})
    assert len({a, b, c}) == 3


# --------------------------------------------------------------------------- parsing


def test_parse_line_decodes_escapes_in_order() -> None:
    line = "1795346224,digitalocean.icecast,artifact,0,id,ams3%!(PACKER_COMMA)fra1:7938391\n"
    assert parse_line(line) == Event(1795346224, "digitalocean.icecast", "artifact", ("0", "id", "ams3,fra1:7938391"))
    event = parse_line(r"1795346224,,ui,say,\n==> Builds finished%!(PACKER_COMMA) really\r")
    assert event is not None
    assert event.ui_kind == "say"
    assert event.text == "\n==> Builds finished, really\r"


@pytest.mark.parametrize(
    "line", ["", "Packer v1.6.6", "not,a,line", ",,ui,say,x", "1795346224,,", "2024-01-01,,ui,say,x"]
)
def test_parse_line_ignores_what_is_not_machine_readable(line: str) -> None:
    assert parse_line(line) is None


def test_image_id_is_after_the_last_colon() -> None:
    assert packer.image_id_of("fra1:7938391") == "7938391"
    assert packer.image_id_of("ams3,fra1:7938391") == "7938391"
    with pytest.raises(ValueError):
        packer.image_id_of("fra1:")


def test_manifest_last_build_wins(tmp_path: Path) -> None:
    manifest = tmp_path / "manifest.json"
    manifest.write_text(
        json.dumps(
            {
                "builds": [
                    {"name": "icecast", "artifact_id": "fra1:111", "packer_run_uuid": "a"},
                    {"name": "icecast", "artifact_id": "ams3,fra1:222", "packer_run_uuid": "b"},
                ],
                "last_run_uuid": "b",
            }
        )
    )
    assert packer.read_manifest(manifest) == ("ams3,fra1:222", "222")
    manifest.write_text("{}")
    assert packer.read_manifest(manifest) is None
    assert packer.read_manifest(tmp_path / "missing.json") is None


@pytest.mark.parametrize(
    ("output", "expected"),
    [
        ("Packer v1.6.6\n", Version(1, 6, 6)),
        (
            "Packer v1.11.2\n\nYour version of Packer is out of date! The latest version\nis 1.12.0.\n",
            Version(1, 11, 2),
        ),
        (
            "1700000000,,version,1.9.4\n1700000000,,version-prelease,\n1700000000,,ui,say,Packer v1.9.4\n",
            Version(1, 9, 4),
        ),
        ("Packer v1.7.0-dev (abc123)\n", Version(1, 7, 0, "dev")),
    ],
)
def test_version_parsing(output: str, expected: Version) -> None:
    assert packer.parse_version(output) == expected


def test_version_parsing_fails_loudly() -> None:
    with pytest.raises(PackerError, match="cannot read a version"):
        packer.parse_version("usage: packer [--version] [--help] <command>")


@pytest.mark.parametrize(
    ("version", "plugins"),
    [((1, 6, 6), False), ((1, 6, 99), False), ((1, 7, 0), True), ((1, 8, 7), True), ((1, 11, 2), True)],
)
def test_plugins_file_only_from_17(version: tuple[int, int, int], plugins: bool) -> None:
    assert packer.uses_plugins_file(Version(*version)) is plugins


def test_env_carries_variables_and_the_token_for_each_generation(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PKR_VAR_region", "nyc1")
    monkeypatch.setenv("DIGITALOCEAN_API_URL", "https://elsewhere.example/")
    monkeypatch.setenv("PACKER_LOG", "1")
    old = packer.packer_env(Version(1, 6, 6), TOKEN, {"snapshot_name": "s", "ssh_port": 2222})
    assert old["PKR_VAR_api_token"] == TOKEN
    assert old["DIGITALOCEAN_API_TOKEN"] == TOKEN
    assert "DIGITALOCEAN_TOKEN" not in old
    assert old["PKR_VAR_snapshot_name"] == "s" and old["PKR_VAR_ssh_port"] == "2222"
    assert "PKR_VAR_region" not in old and "DIGITALOCEAN_API_URL" not in old
    assert old["PACKER_LOG"] == "1"
    assert old["CHECKPOINT_DISABLE"] == "1"
    new = packer.packer_env(Version(1, 11, 2), TOKEN, {})
    assert new["DIGITALOCEAN_TOKEN"] == TOKEN and "DIGITALOCEAN_API_TOKEN" not in new
    with pytest.raises(ValueError):
        packer.packer_env(Version(1, 6, 6), TOKEN, {"api_token": TOKEN})
    with pytest.raises(ValueError):
        packer.packer_env(Version(1, 6, 6), TOKEN, {"bad name": "x"})


# --------------------------------------------------------------------------- the fake packer

SUCCESS = """\
{t},,ui,say,==> digitalocean.icecast: Creating temporary ssh key for droplet...
{t},,ui,say,==> digitalocean.icecast: Creating droplet...
{t},,ui,say,==> digitalocean.icecast: Waiting for droplet to become active...
{t},,ui,say,==> digitalocean.icecast: Using ssh communicator to connect: 127.0.0.1
{t},,ui,say,==> digitalocean.icecast: Provisioning with shell script: /work/packer/scripts/10-install-icecast.sh
{t},,ui,message,    digitalocean.icecast: icecfg: installed icecast2 2.4.4-4+b1
{t},,ui,say,==> digitalocean.icecast: Gracefully shutting down droplet...
{t},,ui,say,==> digitalocean.icecast: Creating snapshot: icecfg-0123456789ab-20260101-000000
{t},,ui,say,==> digitalocean.icecast: Waiting for snapshot to complete...
{t},,ui,say,==> digitalocean.icecast: Destroying droplet...
{t},,ui,say,==> digitalocean.icecast: Deleting temporary ssh key...
{t},,ui,say,==> digitalocean.icecast: Running post-processor:  (type manifest)
{t},,ui,say,Build 'digitalocean.icecast' finished after 68 milliseconds 463 microseconds.
{t},,ui,say,\\n==> Builds finished. The artifacts of successful builds are:
{t},digitalocean.icecast,artifact-count,2
{t},digitalocean.icecast,artifact,0,builder-id,pearkes.digitalocean
{t},digitalocean.icecast,artifact,0,id,fra1:7938001
{t},digitalocean.icecast,artifact,0,string,A snapshot was created: 'icecfg-0123456789ab-20260101-000000' (ID: 7938001) in regions 'fra1'
{t},digitalocean.icecast,artifact,0,files-count,0
{t},digitalocean.icecast,artifact,0,end
{t},,ui,say,--> digitalocean.icecast: A snapshot was created: 'icecfg-0123456789ab-20260101-000000' (ID: 7938001) in regions 'fra1'
{t},digitalocean.icecast,artifact,1,builder-id,pearkes.digitalocean
{t},digitalocean.icecast,artifact,1,id,fra1:7938001
{t},digitalocean.icecast,artifact,1,end
"""

FAILURE = """\
{t},,ui,say,==> digitalocean.icecast: Creating temporary ssh key for droplet...
{t},,ui,say,==> digitalocean.icecast: Creating droplet...
{t},,ui,error,==> digitalocean.icecast: Error creating droplet: POST http://127.0.0.1:35965/v2/droplets: 422 (request "1ce01e83") The request could not be processed.
{t},,ui,say,==> digitalocean.icecast: Deleting temporary ssh key...
{t},,ui,error,Build 'digitalocean.icecast' errored after 138 milliseconds 675 microseconds: Error creating droplet: POST http://127.0.0.1:35965/v2/droplets: 422 (request "1ce01e83") The request could not be processed.
{t},,ui,say,\\n==> Wait completed after 138 milliseconds 788 microseconds
{t},,error-count,1
{t},,ui,error,\\n==> Some builds didn't complete successfully and had errors:
{t},digitalocean.icecast,error,Error creating droplet: POST http://127.0.0.1:35965/v2/droplets: 422 (request "1ce01e83") The request could not be processed.
{t},,ui,error,--> digitalocean.icecast: Error creating droplet: POST http://127.0.0.1:35965/v2/droplets: 422 (request "1ce01e83") The request could not be processed.
{t},,ui,say,\\n==> Builds finished but no artifacts were created.
"""

FAKE_PACKER = """\
#!{python}
# A stand-in for packer: prints canned -machine-readable output (see the test module).
import json, os, signal, sys, time

scenario = json.load(open(os.environ["FAKE_PACKER_SCENARIO"]))
record_path = scenario["record"]


def record(**fields):
    records = json.load(open(record_path)) if os.path.exists(record_path) else []
    records.append(fields)
    json.dump(records, open(record_path, "w"))


def emit(text):
    for line in text.splitlines():
        print(line.replace("{{t}}", str(int(time.time()))), flush=True)


command = sys.argv[1] if len(sys.argv) > 1 else ""
record(argv=sys.argv, cwd=os.getcwd(), pid=os.getpid(),
       env={{k: v for k, v in os.environ.items() if k.startswith(("PKR_VAR_", "DIGITALOCEAN_", "CHECKPOINT"))}})
if command == "version":
    print(scenario.get("version_output", "Packer v1.6.6"))
    sys.exit(0)
if command == "init":
    sys.exit(scenario.get("init_rc", 0))
if command != "build":
    sys.exit(127)


def on_int(signum, frame):
    record(signal="INT")
    emit("{{t}},,ui,say,==> digitalocean.icecast: Destroying droplet...")
    time.sleep(0.5)  # the clean-up takes a while; the driver must wait for it
    emit("{{t}},,ui,say,==> digitalocean.icecast: Deleting temporary ssh key...")
    emit("{{t}},,ui,error,Build 'digitalocean.icecast' errored: build was cancelled")
    sys.exit(1)


signal.signal(signal.SIGINT, on_int)
emit(scenario.get("before", ""))
if scenario.get("wait_for"):
    emit("{{t}},,ui,say,==> fake: waiting")
    deadline = time.time() + 20
    while not os.path.exists(scenario["wait_for"]) and time.time() < deadline:
        time.sleep(0.02)
emit(scenario.get("after", ""))
if scenario.get("manifest"):
    out = os.environ["PKR_VAR_output_dir"]
    json.dump(scenario["manifest"], open(os.path.join(out, "manifest.json"), "w"))
if scenario.get("stderr"):
    sys.stderr.write(scenario["stderr"])
sys.exit(scenario.get("rc", 0))
"""


class FakePacker:
    def __init__(self, tmp_path: Path) -> None:
        self.dir = tmp_path / "fakebin"
        self.dir.mkdir()
        self.exe = self.dir / "packer"
        self.exe.write_text(FAKE_PACKER.format(python=sys.executable))
        self.exe.chmod(0o755)
        self.scenario_path = tmp_path / "scenario.json"
        self.record_path = tmp_path / "record.json"
        self.out = tmp_path / "out"

    def scenario(self, **fields: Any) -> dict[str, str]:
        fields["record"] = str(self.record_path)
        self.scenario_path.write_text(json.dumps(fields))
        return {"FAKE_PACKER_SCENARIO": str(self.scenario_path)}

    def records(self) -> list[dict[str, Any]]:
        return list(json.loads(self.record_path.read_text()))

    def build(self, env: dict[str, str], **kwargs: Any) -> packer.BuildResult:
        variables = kwargs.pop("variables", {"snapshot_name": "icecfg-0123456789ab-20260101-000000"})
        return packer.build(
            token=TOKEN,
            variables=variables,
            output_dir=self.out,
            packer=str(self.exe),
            env=env,
            **kwargs,
        )


@pytest.fixture
def fake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakePacker:
    fake = FakePacker(tmp_path)
    monkeypatch.setenv("PATH", f"{fake.dir}{os.pathsep}{os.environ['PATH']}")
    return fake


MANIFEST = {
    "builds": [
        {"name": "icecast", "builder_type": "digitalocean", "artifact_id": "fra1:1"},
        {"name": "icecast", "builder_type": "digitalocean", "artifact_id": "fra1:7938001"},
    ],
    "last_run_uuid": "x",
}


def test_find_packer_uses_path(fake: FakePacker) -> None:
    assert packer.find_packer() == str(fake.exe)
    with pytest.raises(PackerError, match="not found"):
        packer.find_packer(path=str(fake.dir / "nowhere"))


def test_build_success_reads_manifest_and_reports_steps(fake: FakePacker) -> None:
    env = fake.scenario(after=SUCCESS, manifest=MANIFEST)
    progress: list[packer.Progress] = []
    events: list[Event] = []
    result = fake.build(env, on_progress=progress.append, on_event=events.append)
    assert result.ok and result.returncode == 0 and not result.interrupted
    assert (result.artifact_id, result.image_id) == ("fra1:7938001", "7938001")
    assert result.version == Version(1, 6, 6)
    assert result.manifest == (fake.out / "manifest.json").resolve()
    steps = [p.step for p in progress]
    assert steps[:2] == ["Creating temporary ssh key for droplet...", "Creating droplet..."]
    assert "Creating snapshot: icecfg-0123456789ab-20260101-000000" in steps
    assert all(p.elapsed >= 0 for p in progress)
    assert events == result.events
    assert any(e.ui_kind == "message" for e in events)
    build_call = fake.records()[-1]
    assert build_call["argv"][1:4] == ["build", "-machine-readable", "-color=false"]
    assert build_call["argv"][4].endswith("icecast.pkr.hcl")  # 1.6.6: no plugins file, no init
    assert [r["argv"][1] for r in fake.records()] == ["version", "build"]


def test_build_without_manifest_falls_back_to_the_artifact_line(fake: FakePacker) -> None:
    result = fake.build(fake.scenario(after=SUCCESS))
    assert result.ok and result.image_id == "7938001" and result.manifest is None


def test_build_failure_gives_a_short_error(fake: FakePacker) -> None:
    result = fake.build(fake.scenario(after=FAILURE, rc=1))
    assert not result.ok and result.returncode == 1 and result.image_id is None
    assert result.error is not None
    assert result.error.splitlines() == [
        'Error creating droplet: POST http://127.0.0.1:35965/v2/droplets: 422 (request "1ce01e83") '
        "The request could not be processed."
    ]


def test_build_failure_without_error_lines_uses_stderr_then_status(fake: FakePacker) -> None:
    result = fake.build(fake.scenario(rc=1, stderr="panic: something odd\n"))
    assert result.error == "panic: something odd"
    result = fake.build(fake.scenario(rc=3))
    assert (result.returncode, result.error) == (3, "packer exited with status 3")


def test_success_without_image_id_is_a_failure(fake: FakePacker) -> None:
    result = fake.build(fake.scenario(after="{t},,ui,say,Build finished.\n"))
    assert not result.ok and result.returncode != 0
    assert result.error is not None and "no image id" in result.error


def test_token_only_in_the_environment_never_in_argv_or_output(fake: FakePacker, tmp_path: Path) -> None:
    go = tmp_path / "go"
    leak = f"{{t}},,ui,error,==> digitalocean.icecast: 401 Unauthorized for token {TOKEN}\n"
    env = fake.scenario(before=leak, wait_for=str(go), after=FAILURE, rc=1)
    seen: dict[str, bytes] = {}
    runs: list[packer.PackerRun] = []

    def on_event(event: Event) -> None:
        if event.text == "==> fake: waiting":
            pid = runs[0].pid
            seen["cmdline"] = Path(f"/proc/{pid}/cmdline").read_bytes()
            seen["environ"] = Path(f"/proc/{pid}/environ").read_bytes()
            go.touch()

    result = fake.build(env, on_event=on_event, on_start=runs.append)
    assert seen, "the fake never waited"
    assert TOKEN.encode() not in seen["cmdline"]
    assert b"build" in seen["cmdline"] and b"-machine-readable" in seen["cmdline"]
    environ = seen["environ"].split(b"\0")
    assert f"PKR_VAR_api_token={TOKEN}".encode() in environ
    assert f"DIGITALOCEAN_API_TOKEN={TOKEN}".encode() in environ
    for call in fake.records():
        assert TOKEN not in " ".join(call["argv"])
    # What Packer printed is scrubbed before anyone sees it.
    assert all(TOKEN not in e.text for e in result.events)
    assert any("<sensitive>" in e.text for e in result.events)
    assert result.error is not None and TOKEN not in result.error


def _interrupt_when(text: str, signum: int = signal.SIGINT) -> Callable[[Event], None]:
    def on_event(event: Event) -> None:
        if event.text == text:
            os.kill(os.getpid(), signum)

    return on_event


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP], ids=lambda s: s.name)
def test_a_stop_signal_is_forwarded_and_cleanup_awaited(fake: FakePacker, tmp_path: Path, signum: int) -> None:
    """Ctrl-C, ``timeout`` (SIGTERM) and a closed SSH session (SIGHUP) all cancel the build.

    Packer runs in a session of its own: without the forwarding, SIGTERM or
    SIGHUP ended icecfg and left Packer building, its droplet billing.
    """
    never = tmp_path / "never"
    env = fake.scenario(wait_for=str(never), after=SUCCESS, manifest=MANIFEST)
    previous = {number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    result = fake.build(env, on_event=_interrupt_when("==> fake: waiting", signum))
    assert {number: signal.getsignal(number) for number in previous} == previous
    assert result.interrupted and not result.ok and result.returncode != 0
    assert result.image_id is None
    assert result.error is not None and "interrupted" in result.error
    assert [r.get("signal") for r in fake.records()].count("INT") == 1
    # The driver kept reading until Packer had finished its clean-up.
    texts = [e.text for e in result.events]
    assert texts[-1].startswith("Build 'digitalocean.icecast' errored")
    assert "==> digitalocean.icecast: Deleting temporary ssh key..." in texts
    # Packer was stopped while it waited: nothing it prints after its wait ever came.
    assert "==> digitalocean.icecast: Creating snapshot: icecfg-0123456789ab-20260101-000000" not in texts
    assert texts[texts.index("==> fake: waiting") + 1] == "==> digitalocean.icecast: Destroying droplet..."


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_sigint_before_packer_starts_is_delivered_once_it_does() -> None:
    forwarder = packer._SigintForwarder()
    forwarder.handler(signal.SIGINT, None)
    # Packer (Go) handles SIGINT even when it starts with SIGINT ignored, as it does
    # under a shell's background job; the stand-in gets SIGINT's default back for that.
    proc = subprocess.Popen(["sleep", "30"], text=True, preexec_fn=_default_sigint)  # noqa: PLW1509 - no threads here
    try:
        forwarder.attach(packer.PackerRun(proc, time.monotonic()))
        assert proc.wait(timeout=10) == -signal.SIGINT
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert forwarder.pending == 0


def test_failing_callback_cancels_the_build_and_waits(fake: FakePacker, tmp_path: Path) -> None:
    env = fake.scenario(wait_for=str(tmp_path / "never"), after=SUCCESS)
    runs: list[packer.PackerRun] = []

    def on_event(event: Event) -> None:
        if event.text == "==> fake: waiting":
            raise RuntimeError("callback failed")

    with pytest.raises(RuntimeError, match="callback failed"):
        fake.build(env, on_event=on_event, on_start=runs.append)
    assert runs[0].proc.returncode == 1  # exited through its own clean-up
    assert [r.get("signal") for r in fake.records()].count("INT") == 1


def test_stale_manifest_builds_do_not_count(fake: FakePacker) -> None:
    fake.out.mkdir()
    (fake.out / "manifest.json").write_text(json.dumps(MANIFEST))
    result = fake.build(fake.scenario(after="{t},,ui,say,Build finished.\n"))
    assert not result.ok and result.image_id is None


def test_interrupt_from_another_thread(fake: FakePacker, tmp_path: Path) -> None:
    never = tmp_path / "never"
    env = fake.scenario(wait_for=str(never), after=SUCCESS)
    runs: list[packer.PackerRun] = []

    def on_event(event: Event) -> None:
        if event.text == "==> fake: waiting":
            runs[0].interrupt()

    result = fake.build(env, on_event=on_event, on_start=runs.append, forward_sigint=False)
    assert result.interrupted and not result.ok
    assert runs[0].interrupts == 1


def test_modern_packer_gets_init_and_the_plugins_file(fake: FakePacker) -> None:
    env = fake.scenario(version_output="Packer v1.11.2\n", after=SUCCESS, manifest=MANIFEST)
    result = fake.build(env)
    assert result.ok and result.version == Version(1, 11, 2)
    calls = fake.records()
    assert [c["argv"][1] for c in calls] == ["version", "init", "build"]
    init_dir = Path(calls[1]["argv"][2])
    assert calls[2]["argv"][4] == str(init_dir)
    assert calls[2]["env"]["DIGITALOCEAN_TOKEN"] == TOKEN
    assert "DIGITALOCEAN_API_TOKEN" not in calls[2]["env"]
    # The directory (with the plugins file next to the template) is gone after the build.
    assert not init_dir.exists()


def test_modern_packer_init_failure_raises(fake: FakePacker) -> None:
    env = fake.scenario(version_output="Packer v1.9.4\n", init_rc=1)
    with pytest.raises(PackerError, match="packer init failed"):
        fake.build(env)


def test_plugins_dir_layout(tmp_path: Path) -> None:
    target = packer._prepare_target(PACKER_DIR, Version(1, 10, 0), tmp_path)
    assert sorted(p.name for p in target.iterdir()) == ["icecast.pkr.hcl", "plugins.pkr.hcl", "scripts"]
    assert (target / "plugins.pkr.hcl").resolve() == PLUGINS.resolve()
    assert (target / "scripts" / "99-cleanup.sh").is_file()
    assert packer._prepare_target(PACKER_DIR, Version(1, 6, 6), tmp_path) == TEMPLATE


def test_privacy_accepts_an_access_log_that_already_leads_to_dev_null(tmp_path: Path) -> None:
    from icecfg.bake.stage import stage

    config = tmp_path / "icecast.xml"
    config.write_bytes(
        b"<icecast><paths><logdir>/var/log/icecast2</logdir></paths>"
        b"<logging><accesslog>../../../dev/null</accesslog></logging></icecast>"
    )
    staged = stage(config, {}, True, [8000], tmp_path / "stage")
    assert staged.discarded_logs == ()
    assert staged.privacy_logs
