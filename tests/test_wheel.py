"""``pip install`` of the wheel gives a working tool, not only a working checkout.

The module fixture builds the sdist, then the wheel from that sdist (as
``python -m build`` does, so a file missing from the sdist is missed here
too), installs the wheel into a fresh virtualenv (its dependencies come
from the package index, through pip's cache) and runs the installed
``icecfg`` from a directory outside the checkout, so nothing of the
checkout can stand in for what the wheel lacks.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from icecfg import cli
from tests import audio, e2e_host
from tests import test_bake_e2e as e2e
from tests.fake_do import FakeDigitalOcean
from tests.station import make_certificate

REPO = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Installed:
    sdist: Path
    wheel: Path
    venv: Path
    work: Path

    @property
    def icecfg(self) -> Path:
        return self.venv / "bin" / "icecfg"

    @property
    def python(self) -> Path:
        return self.venv / "bin" / "python"

    def run(self, *argv: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
        """``argv`` run outside the checkout, with nothing of it on the import path."""
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        return subprocess.run(
            [str(a) for a in argv],
            cwd=cwd or self.work,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )


def _checkout_files() -> list[str]:
    """What a clean clone holds (plus files not committed yet): git's view, not the build dirs."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        check=True,
    )
    return [name for name in listed.stdout.decode().split("\0") if name and (REPO / name).is_file()]


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"
    for name in _checkout_files():
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / name, source / name)
    dist = work / "dist"
    build = subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(dist), str(source)], capture_output=True, text=True, check=False
    )
    assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-3000:]
    [sdist] = dist.glob("*.tar.gz")
    [wheel] = dist.glob("*.whl")
    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    done = Installed(sdist, wheel, venv, work)
    pip = done.run(done.python, "-m", "pip", "install", "-q", "--disable-pip-version-check", wheel)
    assert pip.returncode == 0, pip.stderr[-3000:]
    return done


def test_the_wheel_is_what_runs(installed: Installed) -> None:
    where = installed.run(installed.python, "-c", "import icecfg; print(icecfg.__file__)")
    assert Path(where.stdout.strip()).is_relative_to(installed.venv), where


def test_wheel_and_sdist_carry_the_packer_template(installed: Installed) -> None:
    packer = sorted(p.relative_to(REPO).as_posix() for p in (REPO / "packer").rglob("*") if p.is_file())
    assert "packer/icecast.pkr.hcl" in packer
    with zipfile.ZipFile(installed.wheel) as wheel:
        names = set(wheel.namelist())
    assert {f"icecfg/{name}" for name in packer} <= names
    with tarfile.open(installed.sdist) as sdist:
        top = sdist.getnames()[0].split("/")[0]
        assert {f"{top}/{name}" for name in packer} <= set(sdist.getnames())


def test_every_command_has_help(installed: Installed) -> None:
    for name in cli.COMMANDS:
        result = installed.run(installed.icecfg, name, "--help")
        assert result.returncode == 0, (name, result.stderr)
        assert result.stdout.startswith(f"usage: icecfg {name} "), result.stdout
    module = installed.run(installed.python, "-m", "icecfg", "--help")
    assert module.returncode == 0 and module.stdout.startswith("usage: icecfg "), module


def test_plain_icecfg_prints_help_and_exits_2(installed: Installed) -> None:
    for argv in ([installed.icecfg], [installed.python, "-m", "icecfg"]):
        result = installed.run(*argv)
        assert result.returncode == 2
        assert result.stdout.startswith("usage: icecfg ") and "lint " in result.stdout and "bake " in result.stdout


def test_rule_and_schema(installed: Installed) -> None:
    rule = installed.run(installed.icecfg, "rule", "ICE101")
    assert rule.returncode == 0 and rule.stdout.startswith("# ICE101 "), rule
    schema = installed.run(installed.icecfg, "schema", "--target", "2.5.0")
    assert schema.returncode == 0, schema
    path = Path(schema.stdout.strip())
    printed = installed.run(installed.icecfg, "schema", "--target", "2.5", "--print")
    assert path.read_text() == printed.stdout and "<xs:schema" in printed.stdout
    assert not path.is_relative_to(REPO)


def test_init_then_bake_dry_run(installed: Installed) -> None:
    radio = installed.work / "radio"
    init = installed.run(installed.icecfg, "init", radio, "--hostname", "radio.example.org", "--target", "KH")
    assert init.returncode == 0, init
    init = installed.run(installed.icecfg, "init", radio, "--hostname", "radio.example.org", "--force")
    assert init.returncode == 0, init
    make_certificate(radio / "bundle.pem", "radio.example.org")
    audio.make_ogg(radio / "fallback.ogg", bitrate_kbps=128)
    bake = installed.run(installed.icecfg, "bake", "--dry-run", cwd=radio)
    assert bake.returncode == 0, bake
    assert "lints clean" in bake.stdout and "would build snapshot icecfg-" in bake.stdout


def test_bake_end_to_end_with_the_installed_wheel(
    installed: Installed, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PYTHONPATH", raising=False)
    e2e_host.ensure_base_root()
    root = e2e_host.make_root("wheel")
    try:
        with FakeDigitalOcean(token=e2e.TOKEN) as fake:
            bake = e2e._bake(root, tmp_path, {}, "2.4", fake, icecfg=(str(installed.icecfg),))
            e2e.test_build_succeeded_and_reported_progress(bake)
            e2e.test_snapshot_is_in_the_fake_tagged_and_older_ones_pruned(bake)
            e2e.test_icecast2_installed_is_the_release(bake)
            e2e.test_config_installed_byte_identical_root_icecast_0640(bake)
            e2e.test_installed_icecast_serves_the_fallback_from_the_root(bake)
    finally:
        e2e_host.remove_run(root)
