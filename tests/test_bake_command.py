"""``icecfg bake`` around Packer: lint first, skip unchanged configs, never prune after a failure.

A small executable called ``packer`` stands in for Packer here (first on
PATH), so that each outcome can be forced; ``tests/test_bake_e2e.py`` runs
the real Packer 1.6.6 end to end.
"""

from __future__ import annotations

import json
import os
import stat
import textwrap
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from icecfg.cli import main
from tests.fake_do import TOKEN, FakeDigitalOcean

CONFIG = b"""<icecast>
    <hostname>radio.example.org</hostname>
    <location>Berlin</location>
    <admin>ops@radio.example.org</admin>
    <authentication>
        <source-password>Qm4x-Tz8p-Lw2c-Hv6n</source-password>
        <admin-user>admin</admin-user>
        <admin-password>Yd3k-Rb7s-Nf5j-Gc9e</admin-password>
    </authentication>
    <listen-socket>
        <port>8000</port>
        <bind-address>127.0.0.1</bind-address>
    </listen-socket>
    <paths>
        <logdir>/var/log/icecast2</logdir>
        <webroot>/usr/share/icecast2/web</webroot>
        <adminroot>/usr/share/icecast2/admin</adminroot>
    </paths>
</icecast>
"""

FAKE_PACKER = textwrap.dedent(
    """\
    #!{python}
    import json, os, sys, time
    log = os.environ["FAKE_PACKER_LOG"]
    with open(log, "a") as out:
        cmdline = open("/proc/self/cmdline", "rb").read().replace(b"\\0", b" ").decode()
        out.write(json.dumps({{"argv": cmdline, "token_in_env": os.environ.get("PKR_VAR_api_token", "")}}) + "\\n")
    if sys.argv[1:2] == ["version"]:
        print("Packer v1.6.6")
        sys.exit(0)
    mode = os.environ.get("FAKE_PACKER_MODE", "ok")
    t = int(time.time())
    print(f"{{t}},,ui,say,==> digitalocean.icecast: Creating droplet...")
    print(f"{{t}},,ui,say,==> digitalocean.icecast: Provisioning with shell script: 10-install-icecast.sh")
    if mode == "fail":
        print(f"{{t}},,ui,error,Build 'digitalocean.icecast' errored after 2 minutes: Script exited with non-zero exit status: 100")
        print(f"{{t}},,error-count,1")
        sys.exit(1)
    image = os.environ["FAKE_PACKER_IMAGE"]
    out_dir = os.environ["PKR_VAR_output_dir"]
    with open(os.path.join(out_dir, "manifest.json"), "w") as manifest:
        json.dump({{"builds": [{{"name": "icecast", "artifact_id": "fra1:" + image}}]}}, manifest)
    print(f"{{t}},digitalocean.icecast,artifact,0,id,fra1:{{image}}")
    sys.exit(0)
    """
)


pytestmark = pytest.mark.usefixtures("loopback")


@pytest.fixture
def fake(fake: FakeDigitalOcean, monkeypatch: pytest.MonkeyPatch) -> FakeDigitalOcean:
    """The shared fake, also named by ``DIGITALOCEAN_API_URL``: the stand-in packer's API."""
    monkeypatch.setenv("DIGITALOCEAN_API_URL", fake.url)
    return fake


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A directory with icecast.xml, icecfg.toml and a stand-in packer first on PATH."""
    (tmp_path / "icecast.xml").write_bytes(CONFIG)
    (tmp_path / "icecfg.toml").write_text('[bake]\nregion = "fra1"\nkeep = 1\n')
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    packer = bin_dir / "packer"
    packer.write_text(FAKE_PACKER.format(python=os.environ.get("PYTHON", "/usr/bin/python3")))
    packer.chmod(packer.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_PACKER_LOG", str(tmp_path / "packer.log"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _packer_calls(project: Path) -> list[dict[str, str]]:
    log = project / "packer.log"
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


def _old_snapshots(fake: FakeDigitalOcean, count: int) -> list[str]:
    now = datetime.now(timezone.utc)
    return [
        fake.add_snapshot(f"icecfg-{i:012x}-2026100{i}-120000", 2.0, now - timedelta(days=30 - i), tags=("icecfg",))
        for i in range(count)
    ]


def _snapshot_ids(fake: FakeDigitalOcean) -> set[str]:
    return {str(i) for i, image in fake.state.images.items() if image.type == "snapshot"}


def test_success_tags_reports_and_prunes(
    project: Path, fake: FakeDigitalOcean, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    old = _old_snapshots(fake, 2)
    # Named as the bake names it (Packer takes the name from icecfg): a 2.4 image, so the
    # older 2.4 images are not the newest of their release.
    made = fake.add_snapshot("icecfg-2.4-0123456789ab-20261201-120000", 1.5, datetime.now(timezone.utc))
    monkeypatch.setenv("FAKE_PACKER_IMAGE", made)
    assert main(["bake"]) == 0
    out = capsys.readouterr().out
    assert f"snapshot {made} icecfg-" in out
    assert "1.50 GB, $0.09 a month" in out
    assert "icecfg" in fake.state.images[int(made)].tags
    assert _snapshot_ids(fake) == {made}  # keep = 1: both older icecfg snapshots pruned
    assert not set(old) & _snapshot_ids(fake)
    # the token reached Packer through the environment only
    calls = _packer_calls(project)
    assert any("build -machine-readable" in c["argv"] for c in calls)
    for call in calls:
        assert TOKEN not in call["argv"]
    assert [c["token_in_env"] for c in calls if "build" in c["argv"]] == [TOKEN]
    assert TOKEN not in out


def test_packer_failure_prunes_nothing(
    project: Path, fake: FakeDigitalOcean, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    old = _old_snapshots(fake, 3)
    monkeypatch.setenv("FAKE_PACKER_MODE", "fail")
    assert main(["bake"]) == 1
    err = capsys.readouterr().err
    assert "Packer failed: " in err
    assert "Script exited with non-zero exit status: 100" in err
    assert "nothing was pruned" in err
    assert _snapshot_ids(fake) == set(old)
    assert not [r for r in fake.requests if r.method == "DELETE"]


def test_unchanged_configuration_runs_no_packer(
    project: Path, fake: FakeDigitalOcean, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["bake", "--dry-run"]) == 0
    line = capsys.readouterr().out
    digest = line.split("content hash ")[1][:12]
    existing = fake.add_snapshot(f"icecfg-{digest}-20261101-120000", 1.0, datetime.now(timezone.utc), tags=("icecfg",))
    (project / "packer.log").unlink(missing_ok=True)
    assert main(["bake"]) == 0
    out = capsys.readouterr().out
    assert f"snapshot {existing} (icecfg-{digest}-20261101-120000) already holds this configuration" in out
    assert _packer_calls(project) == []
    # a change to the config gives another hash, so a real bake would start
    (project / "icecast.xml").write_bytes(CONFIG.replace(b"Berlin", b"Hamburg"))
    monkeypatch.setenv("FAKE_PACKER_IMAGE", fake.add_snapshot("icecfg-out", 1.0, datetime.now(timezone.utc)))
    assert main(["bake"]) == 0
    assert any("build" in c["argv"] for c in _packer_calls(project))


def test_lint_errors_stop_before_anything_is_spent(
    project: Path, fake: FakeDigitalOcean, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "icecast.xml").write_bytes(CONFIG.replace(b"<port>8000</port>", b"<port>80oo</port>"))
    assert main(["bake"]) == 1
    out = capsys.readouterr().out
    assert "ICE201" in out
    assert "nothing was built" in out
    assert fake.requests == []
    assert _packer_calls(project) == []


@pytest.mark.parametrize("kind", ["missing", "directory", "fifo", "symlink loop"])
def test_an_asset_that_cannot_be_read_stops_before_packer(
    project: Path, fake: FakeDigitalOcean, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    """Not only with --dry-run: the real bake refuses the asset in one line before it asks for anything.

    A FIFO made bake wait for ever for a writer, and a symlink loop was a traceback (RuntimeError).
    """
    settings = project / "icecfg.toml"
    settings.write_text(settings.read_text() + '[bake.assets]\n"/usr/share/icecast2/web/jingle.ogg" = "jingle.ogg"\n')
    if kind == "directory":
        (project / "jingle.ogg").mkdir()
    elif kind == "fifo":
        os.mkfifo(project / "jingle.ogg")
    elif kind == "symlink loop":
        (project / "jingle.ogg").symlink_to(project / "jingle.ogg")
    said = {"directory": "is a directory", "fifo": "is not a regular file"}.get(kind, "does not exist")
    assert main(["bake"]) == 1
    assert capsys.readouterr().err == (
        f"icecfg bake: ./jingle.ogg {said} (icecfg.toml [bake.assets] maps /usr/share/icecast2/web/jingle.ogg "
        "to it); nothing was built\n"
    )
    assert fake.requests == []
    assert _packer_calls(project) == []


def test_a_missing_configuration_says_how_to_name_it(
    project: Path, fake: FakeDigitalOcean, capsys: pytest.CaptureFixture[str]
) -> None:
    """As up, status and cost say it: bake run where there is no icecast.xml."""
    (project / "icecast.xml").unlink()
    assert main(["bake", "--dry-run"]) == 2
    assert capsys.readouterr().err == (
        f"icecfg bake: cannot read {project / 'icecast.xml'}: No such file or directory "
        "(pass the configuration with --config)\n"
    )
    assert fake.requests == []


def test_missing_token_is_exit_2(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("DIGITALOCEAN_TOKEN", raising=False)
    monkeypatch.delenv("DIGITALOCEAN_ACCESS_TOKEN", raising=False)
    assert main(["bake"]) == 2
    assert capsys.readouterr().err.strip().endswith("set DIGITALOCEAN_TOKEN (or DIGITALOCEAN_ACCESS_TOKEN)")


def test_retried_api_errors_do_not_stop_a_bake(
    project: Path, fake: FakeDigitalOcean, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = fake.add_snapshot("icecfg-build-output", 1.5, datetime.now(timezone.utc))
    monkeypatch.setenv("FAKE_PACKER_IMAGE", made)
    fake.inject("GET", r"/v2/snapshots", 429, times=1, headers={"Retry-After": "0"})
    fake.inject("POST", r"/v2/tags/icecfg/resources", 500, times=1)
    assert main(["bake"]) == 0
    assert "icecfg" in fake.state.images[int(made)].tags
