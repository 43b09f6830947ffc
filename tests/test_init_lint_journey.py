"""What ``icecfg init`` promises, ``icecfg lint`` keeps.

The journey of the README and docs/on-demand.md: ``init``, add the
certificate and the fallback audio where the generated icecfg.toml says
(``[bake.assets]``), then ``lint`` and ``bake --dry-run`` agree that the
configuration is clean, and both notice when an asset is missing.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from icecfg import cli
from tests import audio, oracle
from tests.station import HOST, make_certificate


@pytest.fixture
def station(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Path:
    monkeypatch.chdir(tmp_path)
    assert cli.main(["init", "radio", "--hostname", HOST]) == 0
    settings = (tmp_path / "radio" / "icecfg.toml").read_text()
    # the files the settings ask for, where they say
    assert '"/etc/icecast2/bundle.pem" = "bundle.pem"' in settings
    assert '"/usr/share/icecast2/web/fallback.ogg" = "fallback.ogg"' in settings
    make_certificate(tmp_path / "radio" / "bundle.pem", HOST)
    audio.make_ogg(tmp_path / "radio" / "fallback.ogg", bitrate_kbps=128)
    capsys.readouterr()
    return tmp_path / "radio" / "icecast.xml"


def test_lint_and_bake_agree_on_the_configuration_init_wrote(station: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["lint", "radio/icecast.xml"]) == 0
    assert capsys.readouterr().out == "All checks passed.\n"
    assert cli.main(["bake", "--dry-run", "--config", "radio/icecast.xml"]) == 0
    assert "lints clean" in capsys.readouterr().out
    # from inside the directory, and with a directory argument, too
    assert cli.main(["lint", str(station.parent)]) == 0
    capsys.readouterr()


def test_plain_lint_in_the_station_directory_checks_its_configuration(
    station: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without a PATH, lint searches the current directory, as the best linters do; nothing found is no pass."""
    monkeypatch.chdir(station.parent)
    assert cli.main(["lint"]) == 0
    assert capsys.readouterr().out == "All checks passed.\n"
    (station.parent / "bundle.pem").unlink()
    assert cli.main(["lint"]) == 1
    assert "ICE402" in capsys.readouterr().out
    empty = station.parent / "empty"
    empty.mkdir()
    monkeypatch.chdir(empty)
    assert cli.main(["lint"]) == 2
    assert "no *.xml files with an <icecast> root in ." in capsys.readouterr().err


def test_bake_names_the_warnings_it_goes_on_with(station: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Bake stops only on errors; over warnings it must not say "lints clean"."""
    text = station.read_text()
    station.write_text(text.replace("</icecast>", "    <!-- icecfg: ignore[ICE605] -->\n</icecast>"))
    assert cli.main(["lint", "radio/icecast.xml"]) == 1
    assert "ICE002" in capsys.readouterr().out  # a suppression that matches nothing: a warning
    assert cli.main(["bake", "--dry-run", "--config", "radio/icecast.xml"]) == 0
    out = capsys.readouterr().out
    assert "lints clean" not in out
    assert "has no lint errors (1 warning: see icecfg lint radio/icecast.xml) for Icecast 2.4" in out


def test_a_domain_the_certificate_does_not_name_is_reported_by_both(
    station: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``up`` points [bake] domain at the droplet: moved to another name, the certificate no longer fits (ICE410)."""
    settings = station.parent / "icecfg.toml"
    settings.write_text(settings.read_text().replace(f'domain = "{HOST}"', 'domain = "stream.example.org"'))
    assert cli.main(["lint", "radio/icecast.xml"]) == 1
    out = capsys.readouterr().out
    assert "ICE410" in out and f"is for {HOST}, not for stream.example.org, the DNS name `icecfg up` points" in out
    assert cli.main(["bake", "--dry-run", "--config", "radio/icecast.xml"]) == 0  # a warning: bake goes on
    out = capsys.readouterr().out
    assert "lints clean" not in out and "1 warning" in out
    assert cli.main(["explain", "radio/icecast.xml"]) == 0
    assert "not for the domain stream.example.org ([bake] domain)" in capsys.readouterr().out


def test_a_missing_asset_is_reported_by_both(station: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (station.parent / "bundle.pem").unlink()
    assert cli.main(["lint", "radio/icecast.xml", "--format", "json"]) == 1
    out = capsys.readouterr().out
    assert '"code": "ICE402"' in out and "/etc/icecast2/bundle.pem does not exist" in out
    assert cli.main(["bake", "--dry-run", "--config", "radio/icecast.xml"]) == 1
    assert "ICE402" in capsys.readouterr().out


def test_a_missing_asset_is_named_with_its_local_file(station: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The server path alone does not say which file to make: the finding names the local one and the settings."""
    (station.parent / "bundle.pem").unlink()
    (station.parent / "fallback.ogg").unlink()
    assert cli.main(["lint", "radio/icecast.xml"]) == 1
    out = capsys.readouterr().out
    mapped = "(radio/icecfg.toml [bake.assets] maps it to ./radio/{})"
    assert f"<ssl-certificate> /etc/icecast2/bundle.pem does not exist {mapped.format('bundle.pem')}:" in out
    assert f"/usr/share/icecast2/web/fallback.ogg does not exist {mapped.format('fallback.ogg')})" in out
    assert cli.main(["bake", "--dry-run", "--config", "radio/icecast.xml"]) == 1
    assert f"/etc/icecast2/bundle.pem does not exist {mapped.format('bundle.pem')}:" in capsys.readouterr().out


#: What lint says of the fallback file, and bake's refusal of it, with the local file each names.
FALLBACK_FOUND = "/usr/share/icecast2/web/fallback.ogg{} {} ({}icecfg.toml [bake.assets] maps it to ./{}fallback.ogg)"
FALLBACK_REFUSED = "{}fallback.ogg {} ({}icecfg.toml [bake.assets] maps /usr/share/icecast2/web/fallback.ogg to it)"


@pytest.mark.parametrize(
    ("kind", "code", "said"), [("missing", "ICE602", "does not exist"), ("directory", "ICE609", "is a directory")]
)
def test_a_fallback_asset_bake_cannot_read_is_reported_by_both(
    station: Path, capsys: pytest.CaptureFixture[str], kind: str, code: str, said: str
) -> None:
    """The README's first hour, before the fallback audio is made: the same finding from both, then a refusal.

    bake copies the asset onto the image: it says what lint says of it, then
    refuses in one line that names the local file, before anything is staged.
    """
    fallback = station.parent / "fallback.ogg"
    fallback.unlink()
    if kind == "directory":
        fallback.mkdir()
    found = FALLBACK_FOUND.format(")" if code == "ICE609" else "", said, "radio/", "radio/")
    assert cli.main(["lint", "radio/icecast.xml"]) == 1
    out = capsys.readouterr().out
    assert code in out and found in out
    assert cli.main(["bake", "--dry-run", "--config", "radio/icecast.xml"]) == 1
    out, err = capsys.readouterr()
    assert code in out and found in out
    refused = FALLBACK_REFUSED.format("./radio/", said, "radio/")
    if code == "ICE609":  # an error: bake stops at the lint, in the line that names the asset
        assert out.splitlines()[-1] == (
            f"icecfg bake: radio/icecast.xml has 1 lint error(s) for Icecast 2.4; {refused}; nothing was built"
        )
        assert err == ""
    else:
        assert err == f"icecfg bake: {refused}; nothing was built\n"
    assert "content hash" not in out


def test_a_fallback_asset_its_user_cannot_read_is_reported_by_both() -> None:
    """``chmod 000 fallback.ogg``: lint and explain as that user say so (ICE602), and bake refuses it in one line."""
    shared = Path(tempfile.mkdtemp(prefix="icecfg-journey-"))  # tmp_path is not traversable by nobody
    try:
        shared.chmod(0o755)
        station = shared / "radio"
        assert cli.main(["init", str(station), "--hostname", HOST]) == 0
        make_certificate(station / "bundle.pem", HOST)
        audio.make_ogg(station / "fallback.ogg", bitrate_kbps=128)
        ids = oracle.runtime_ids()
        for path in (station, *station.iterdir()):
            if ids is not None:
                os.chown(path, *ids)  # the station is that user's; only fallback.ogg it may not read
        (station / "fallback.ogg").chmod(0o000)
        found = FALLBACK_FOUND.format("", "cannot be read", "", "")
        lint = oracle.icecfg_as_runtime_user("lint", cwd=station)
        assert (lint.returncode, lint.stderr) == (1, ""), lint
        assert "ICE602" in lint.stdout and found in lint.stdout and "All checks passed." not in lint.stdout
        # explain says what the server does with it: 404, as for a missing file (tested on the three releases)
        explain = oracle.icecfg_as_runtime_user("explain", "icecast.xml", cwd=station)
        assert "-> /fallback.ogg (file, CANNOT BE READ: 404)" in explain.stdout, explain
        assert "without a source listeners get: 404" in explain.stdout
        bake = oracle.icecfg_as_runtime_user("bake", "--dry-run", cwd=station)
        assert bake.returncode == 1, bake
        assert "ICE602" in bake.stdout and found in bake.stdout
        assert bake.stderr == f"icecfg bake: {FALLBACK_REFUSED.format('./', 'cannot be read', '')}; nothing was built\n"
    finally:
        shutil.rmtree(shared)


def test_lint_compares_the_fallback_asset_with_the_mount(station: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """docs/on-demand.md: plain ``icecfg lint`` reads fallback.ogg through [bake.assets] (ICE607)."""
    audio.make_ogg(station.parent / "fallback.ogg", bitrate_kbps=64)
    assert cli.main(["lint", "radio/icecast.xml"]) == 1
    out = capsys.readouterr().out
    assert "ICE607" in out and "declares <bitrate>128</bitrate>" in out


@pytest.mark.parametrize(
    ("kind", "said"),
    [("empty", "is empty (0 bytes)"), ("mp3", "holds MPEG audio (MP3), which its extension .ogg does not name")],
)
def test_an_unplayable_fallback_asset_is_reported_by_both(
    station: Path, capsys: pytest.CaptureFixture[str], kind: str, said: str
) -> None:
    """``touch fallback.ogg``, or an MP3 jingle copied over it, plays nothing: lint and bake --dry-run say so (ICE609)."""
    (station.parent / "fallback.ogg").write_bytes(audio.encode("mp3", bitrate_kbps=128) if kind == "mp3" else b"")
    assert cli.main(["lint", "radio/icecast.xml"]) == 1
    out = capsys.readouterr().out
    assert "ICE609" in out and f"/usr/share/icecast2/web/fallback.ogg) {said}" in out
    assert "All checks passed." not in out
    assert cli.main(["bake", "--dry-run", "--config", "radio/icecast.xml"]) == 1
    out = capsys.readouterr().out
    assert "ICE609" in out and "lints clean" not in out


def test_explain_looks_at_the_files_the_assets_name(station: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """explain sees what lint sees: the certificate and the fallback audio of [bake.assets], not "not checked"."""
    assert cli.main(["explain", "radio/icecast.xml"]) == 0
    out = capsys.readouterr().out
    assert "[line 38 <ssl-certificate>]: usable" in out
    assert "-> /fallback.ogg (file, exists)" in out
    assert "not checked" not in out and "the files were not looked at" not in out
    (station.parent / "bundle.pem").unlink()
    assert cli.main(["explain", "radio/icecast.xml"]) == 0
    mapped = "(radio/icecfg.toml [bake.assets] maps it to ./radio/bundle.pem)"
    assert f"UNUSABLE: /etc/icecast2/bundle.pem does not exist {mapped}" in capsys.readouterr().out
    # a --root tree is taken as it is, without the assets, as lint takes it
    (station.parent / "image").mkdir()
    assert cli.main(["explain", "--root", str(station.parent / "image"), "radio/icecast.xml"]) == 0
    out = capsys.readouterr().out
    assert "-> /fallback.ogg (file, MISSING)" in out and "bundle.pem does not exist\n" in out
    # without settings the files of a config that may describe another machine stay unchecked
    (station.parent / "icecfg.toml").unlink()
    assert cli.main(["explain", "--target", "2.4", "radio/icecast.xml"]) == 0
    assert "not checked (no --root or [bake.assets])" in capsys.readouterr().out


def test_migrate_reads_the_certificate_the_assets_name(
    station: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The TLS port stays TLS on 2.5: the certificate is the one bake installs, not this machine's path."""
    assert cli.main(["migrate", "radio/icecast.xml"]) == 0
    out = capsys.readouterr().out
    assert "+        <tls>rfc2818</tls>" in out and "disabled" not in out
    # a --root tree is taken as it is, without the assets, as lint takes it: no certificate there
    (tmp_path / "image").mkdir()
    assert cli.main(["migrate", "--root", str(tmp_path / "image"), "radio/icecast.xml"]) == 0
    assert "+        <tls>disabled</tls>" in capsys.readouterr().out
    # an asset that is missing is a certificate 2.4.4 could not load: that port served plain HTTP
    (station.parent / "bundle.pem").unlink()
    assert cli.main(["migrate", "radio/icecast.xml"]) == 0
    assert "+        <tls>disabled</tls>" in capsys.readouterr().out


def test_migrate_says_the_settings_target_must_follow(station: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """docs/migrate.md: migrate, then set target; migrate names the line to change and leaves it alone."""
    settings = station.parent / "icecfg.toml"
    before = settings.read_bytes()
    assert cli.main(["migrate", "--write", "radio/icecast.xml"]) == 0
    notes = [line for line in capsys.readouterr().err.splitlines() if "icecfg.toml" in line]
    assert notes == [
        f'icecfg migrate: {settings}:2 says target = "2.4": once the file is migrated, write target = "2.5" '
        "there, or lint and bake go on checking it as Icecast 2.4.4"
    ]
    assert settings.read_bytes() == before
    assert cli.main(["lint", "radio/icecast.xml", "--fail-on", "error"]) == 1  # 2.4's rules on a 2.5 file
    assert "ICE303" in capsys.readouterr().out
    settings.write_bytes(before.replace(b'target = "2.4"', b'target = "2.5"'))
    # then only 2.5's advice on what 2.4 had no element for (<admin>, <prng-seed>): no error
    assert cli.main(["lint", "radio/icecast.xml", "--fail-on", "error"]) == 0
    assert "[error]" not in capsys.readouterr().out


def test_migrate_after_setting_the_target_says_what_it_assumed(
    station: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Target set to 2.5 first: the file is taken as 2.5's (no 2.4 corrections), and migrate says so."""
    settings = station.parent / "icecfg.toml"
    settings.write_bytes(settings.read_bytes().replace(b'target = "2.4"', b'target = "2.5"'))
    assert cli.main(["migrate", "radio/icecast.xml"]) == 0
    first = capsys.readouterr().err.splitlines()[0]
    assert first == (
        f'icecfg migrate: from Icecast 2.5 ({settings}:2: target = "2.5"): the file is taken as written for '
        "Icecast 2.5 and only obsolete elements are replaced; if it was written for Icecast 2.4.4 or Icecast-KH, "
        "pass --from 2.4 or --from kh"
    )
    assert cli.main(["migrate", "--from", "2.4", "radio/icecast.xml"]) == 0
    assert "icecfg.toml" not in capsys.readouterr().err  # a release given is not second-guessed


def test_schema_validate_takes_the_target_from_the_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # <paths><ssl-private-key> exists only in Icecast-KH's schema
    (tmp_path / "icecast.xml").write_text("<icecast><paths><ssl-private-key>/k</ssl-private-key></paths></icecast>\n")
    monkeypatch.chdir(tmp_path)
    assert cli.main(["schema", "--validate", "icecast.xml"]) == 1
    (tmp_path / "icecfg.toml").write_text('target = "kh"\n')
    assert cli.main(["schema", "--validate", "icecast.xml"]) == 0
    assert cli.main(["schema", "--validate", "icecast.xml", "--target", "2.4"]) == 1  # the flag wins
    capsys.readouterr()
