"""``icecfg init``: a starting icecast.xml that lints clean and runs on the real Icecast 2.4.4.

The station helpers (``init_dir``, ``served_station`` ...) are in tests/station.py.
"""

from __future__ import annotations

import http.client
import io
import os
import re
import stat
import sys
from pathlib import Path

import pytest

import icecfg
from icecfg import cli
from icecfg.lint import lint
from icecfg.ondemand.init import CERTIFICATE, WEBROOT
from tests import audio, oracle
from tests.station import HOST, init_dir, make_certificate, run_icecfg, served_station

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - 3.10
    import tomli as tomllib

# --------------------------------------------------------------------------- the files


def test_init_writes_a_secure_config_and_its_settings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = init_dir(tmp_path)
    out, err = capsys.readouterr()
    cfg = icecfg.load(path)
    auth = cfg.authentication
    assert auth.source_password is not None and auth.admin_password is not None
    for password in (auth.source_password, auth.admin_password):
        assert re.fullmatch(r"[A-Za-z0-9_-]{32}", password)
        assert password not in out + err
    assert auth.source_password != auth.admin_password
    assert auth.admin_user == "admin"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert cfg.hostname == HOST
    plain, secure = cfg.listen_sockets
    assert (plain.port, plain.ssl, secure.port, secure.ssl) == (8000, None, 8443, True)
    assert cfg.paths.ssl_certificate == CERTIFICATE
    [mount] = cfg.mounts
    assert (mount.mount_name, mount.fallback_mount, mount.bitrate, mount.type) == (
        "/live.ogg",
        "/fallback.ogg",
        "128",
        "application/ogg",
    )
    assert mount.fallback_override is icecfg.FallbackOverride.ALL
    assert cfg.effective("fileserve", "2.4") is True
    assert cfg.logging.accesslog == "access.log"

    settings = tomllib.loads((tmp_path / "icecfg.toml").read_text())
    assert settings["target"] == "2.4"
    bake = settings["bake"]
    assert (bake["region"], bake["size"], bake["domain"], bake["keep-dns"]) == ("fra1", "s-1vcpu-1gb", HOST, False)
    assert bake["assets"] == {CERTIFICATE: "bundle.pem", f"{WEBROOT}/fallback.ogg": "fallback.ogg"}
    from icecfg.settings import load

    assert load(tmp_path / "icecfg.toml").bake["domain"] == HOST  # icecfg's own reader accepts it
    assert "wrote" in out and HOST in out
    assert "support for Icecast 2.4.4 ends with 2026: --target 2.5" in out  # the default is on its way out


def test_a_2_5_station_is_not_told_to_move(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    init_dir(tmp_path, "--target", "2.5")
    out = capsys.readouterr().out
    assert "target Icecast 2.5," in out and "2.4.4" not in out


def test_every_init_draws_new_passwords(tmp_path: Path) -> None:
    seen = set()
    for name in ("a", "b", "c"):
        auth = icecfg.load(init_dir(tmp_path / name)).authentication
        seen |= {auth.source_password, auth.admin_password}
    assert len(seen) == 6


def test_existing_files_are_never_overwritten_without_force(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = init_dir(tmp_path)
    before = path.read_bytes(), (tmp_path / "icecfg.toml").read_bytes()
    capsys.readouterr()
    assert run_icecfg("init", str(tmp_path), "--hostname", "other.example.org") == 1
    assert "already exist" in capsys.readouterr().err
    assert (path.read_bytes(), (tmp_path / "icecfg.toml").read_bytes()) == before
    (tmp_path / "icecfg.toml").unlink()
    assert run_icecfg("init", str(tmp_path), "--hostname", "other.example.org") == 1  # icecast.xml alone stops it
    assert path.read_bytes() == before[0]

    path.chmod(0o644)
    assert run_icecfg("init", str(tmp_path), "--hostname", "other.example.org", "--force") == 0
    assert icecfg.load(path).hostname == "other.example.org"
    assert icecfg.load(path).authentication.source_password != icecfg.loads(before[0]).authentication.source_password
    assert stat.S_IMODE(path.stat().st_mode) == 0o640  # kept, less the bits of others: it holds passwords
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_hostname_is_asked_on_a_terminal_and_required_otherwise(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert run_icecfg("init", str(tmp_path / "a")) == 2
    assert "--hostname" in capsys.readouterr().err
    assert not (tmp_path / "a" / "icecast.xml").exists()

    monkeypatch.setattr("sys.stdin", _Terminal("Stream.Example.NET\ny\n"))
    assert run_icecfg("init", str(tmp_path / "b")) == 0
    out = capsys.readouterr().out
    assert "hostname" in out.lower()
    cfg = icecfg.load(tmp_path / "b" / "icecast.xml")
    assert cfg.hostname == "stream.example.net"
    assert cfg.logging.accesslog == "../../../dev/null"  # the privacy question was answered yes


@pytest.mark.parametrize(
    "hostname", ["localhost", "127.0.0.1", "::1", "radio", "radio.local", "-bad.example.org", "a..example.org", " "]
)
def test_hostnames_that_listeners_cannot_reach_are_refused(
    tmp_path: Path, hostname: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_icecfg("init", str(tmp_path), f"--hostname={hostname}") == 2
    err = capsys.readouterr().err
    assert err.startswith("icecfg init: ") and err.count("\n") == 1
    assert not (tmp_path / "icecast.xml").exists()


# --------------------------------------------------------------------------- lint


@pytest.mark.parametrize("target", ["2.4", "2.5", "kh"])
@pytest.mark.parametrize("privacy", [False, True])
def test_the_config_lints_clean_without_files(
    tmp_path: Path, target: str, privacy: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    flags = ["--target", target, "--privacy-logs" if privacy else "--no-privacy-logs"]
    path = init_dir(tmp_path, *flags)
    capsys.readouterr()
    # icecfg lint reads the icecfg.toml beside the file: the target, and ICE890 with privacy logs.
    assert cli.main(["lint", "--no-fs", "--fail-on", "info", str(path)]) == 0, capsys.readouterr().out
    selection = ("ICE", "ICE890")  # the privacy rule too, whatever was chosen
    findings = lint(icecfg.load(path), target=target, files=False, select=selection)
    codes = [f.code for f in findings]
    assert codes == ([] if privacy else ["ICE890"])


@pytest.mark.parametrize(("target", "has_header"), [("2.4", False), ("2.5", False), ("kh", True)])
def test_no_cache_headers_only_where_the_lint_allows_them(tmp_path: Path, target: str, has_header: bool) -> None:
    cfg = icecfg.load(init_dir(tmp_path, "--target", target))
    headers = [(h.name, h.value) for h in cfg.http_headers.headers]
    assert headers == ([("Cache-Control", "no-cache, no-store")] if has_header else [])
    # Why 2.4 and 2.5 have none: Icecast 2.4.4 and 2.5.0 send the header themselves, and ICE713 says so.
    cfg.http_headers.headers.append(icecfg.Header(name="Cache-Control", value="no-cache, no-store"))
    # the headers family, as a lint of the file runs it: ICE713 alone would run nothing on KH
    reported = [f.code for f in lint(cfg, target=target, files=False, select=("ICE7",)) if f.code == "ICE713"]
    assert reported == ([] if has_header else ["ICE713"])


def _image_tree(root: Path, fallback_kbps: int = 128) -> Path:
    """What the image holds at the paths the configuration names (cert bundle, fallback, log dir, mime types)."""
    (root / "etc/icecast2").mkdir(parents=True)
    (root / "etc/mime.types").write_bytes(b"audio/ogg\t\t\t\t\toga ogg opus spx\n")  # the image installs media-types
    make_certificate(root / "etc/icecast2/bundle.pem").chmod(0o600)
    audio.make_ogg(root / "usr/share/icecast2/web/fallback.ogg", bitrate_kbps=fallback_kbps)
    (root / "usr/share/icecast2/admin").mkdir(parents=True)
    (root / "var/log/icecast2").mkdir(parents=True)
    return root


@pytest.mark.parametrize("target", ["2.4", "2.5"])
def test_the_config_lints_clean_against_its_image_tree(
    tmp_path: Path, target: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = init_dir(tmp_path / "conf", "--target", target, "--privacy-logs")
    root = _image_tree(tmp_path / "root")
    capsys.readouterr()
    assert cli.main(["lint", "--root", str(root), "--fail-on", "info", str(path)]) == 0, capsys.readouterr().out

    # The files are really looked at: a fallback at another bitrate, a missing certificate are reported.
    (root / "usr/share/icecast2/web/fallback.ogg").unlink()
    audio.make_ogg(root / "usr/share/icecast2/web/fallback.ogg", bitrate_kbps=64)
    (root / "etc/icecast2/bundle.pem").unlink()
    (root / "etc/mime.types").unlink()
    findings = lint(icecfg.load(path), target=target, root=str(root))
    assert {"ICE607", "ICE402", "ICE702"} <= {f.code for f in findings}


# --------------------------------------------------------------------------- the real server


@pytest.mark.parametrize("privacy", [False, True])
def test_the_config_runs_on_icecast_2_4_4(tmp_path: Path, privacy: bool) -> None:
    with served_station(tmp_path, "--privacy-logs" if privacy else "--no-privacy-logs") as station:
        data = station.config.read_bytes()
        assert b"<bitrate>128</bitrate>" in data and b"<ssl>1</ssl>" in data
        server, port, tls_port, password = station.server, station.port, station.tls_port, station.password
        assert server.http_get(port, "/").status == 200
        assert server.http_get(tls_port, "/", tls=True).status == 200
        with pytest.raises((OSError, http.client.HTTPException)):
            oracle.http_get(tls_port, "/", timeout=2)  # the TLS port does not speak plain HTTP
        # No source yet: the live mount plays the fallback file, same format.
        played = server.http_get(port, "/live.ogg", max_body=8192)
        assert played.status == 200
        assert played.body.startswith(b"OggS")
        # The DJ's source with the generated password takes the mount, over TLS.
        song = audio.make_ogg(bitrate_kbps=128)
        with oracle.SourceClient(tls_port, "/live.ogg", song, password=password, tls=True) as source:
            assert source.accepted, source.response_body
            server.wait_mount(port, "/live.ogg")
            live = server.http_get(tls_port, "/live.ogg", tls=True, max_body=8192)
            assert live.status == 200 and live.body.startswith(b"OggS")
        refused = oracle.SourceClient(port, "/live.ogg", song, password="wrong-" + password).start()
        refused.stop()
        assert refused.status == 401
        server.stop()
        logs = sorted(os.listdir(station.box.logdir))
        assert ("access.log" in logs) is (not privacy)
        assert "error.log" in logs


@pytest.mark.parametrize("privacy", [False, True])
def test_icecfg_bake_takes_what_init_wrote(tmp_path: Path, privacy: bool, capsys: pytest.CaptureFixture[str]) -> None:
    path = init_dir(tmp_path, "--privacy-logs" if privacy else "--no-privacy-logs")
    make_certificate(tmp_path / "bundle.pem")
    audio.make_ogg(tmp_path / "fallback.ogg", bitrate_kbps=128)
    capsys.readouterr()
    # The settings name the config and the assets; bake lints against the image and stages it all.
    assert cli.main(["bake", "--dry-run", "--config", str(path)]) == 0, capsys.readouterr()
    out = capsys.readouterr().out
    assert "lints clean" in out and "would build snapshot icecfg-" in out


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--region", "fra1\udcff", "is not a Unicode scalar value"),  # a byte of argv that is no UTF-8: no TOML escape
        ("--location", "a\x01b", "IcecastConfig.location: 'a\\x01b' is not text XML 1.0 can hold (it has U+0001)"),
        ("--admin", "me\x00", "IcecastConfig.admin: 'me\\x00' is not text XML 1.0 can hold (it has U+0000)"),
    ],
)
def test_an_option_init_cannot_write_as_icecfg_reads_it_is_a_usage_error_and_nothing_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], option: str, value: str, message: str
) -> None:
    """``--region ''`` wrote settings every later command refused; ``--location`` with a control byte crashed."""
    target = tmp_path / "station"
    assert run_icecfg("init", str(target), "--hostname", HOST, option, value) == 2
    err = capsys.readouterr().err
    assert err.startswith("icecfg init: ") and message in err and err.endswith("; nothing written\n"), err
    assert err.count("\n") == 1 and not target.exists()


@pytest.mark.parametrize("kind", ["file", "dangling symlink", "symlink loop"])
def test_a_dir_that_is_no_directory_is_named_as_such(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    """``init icecast.xml`` (the file for the directory) said ``icecast.xml: File exists``, exit 1."""
    target = tmp_path / "radio"
    if kind == "file":
        target.write_bytes(b"<icecast/>\n")
    else:
        target.symlink_to(target if kind == "symlink loop" else tmp_path / "gone")
    assert run_icecfg("init", str(target), "--hostname", HOST) == 2
    assert capsys.readouterr().err == (
        f"icecfg init: {target}: not a directory (DIR is where icecast.xml and icecfg.toml are written)\n"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["radio"]


@pytest.mark.parametrize(
    ("option", "value", "range_"),
    [
        ("--bitrate", "7", "8 to 640"),
        ("--bitrate", "641", "8 to 640"),
        ("--bitrate", "99999999999999999999999", "8 to 640"),
        ("--port", "0", "1 to 65535"),
        ("--port", "65536", "1 to 65535"),
        ("--tls-port", "-1", "1 to 65535"),
    ],
)
def test_a_number_beyond_its_range_is_worded_as_every_command_words_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], option: str, value: str, range_: str
) -> None:
    """init's numbers are checked where they are parsed, as ``--keep`` or ``cost --bitrate`` are."""
    target = tmp_path / "station"
    with pytest.raises(SystemExit) as stopped:
        cli.main(["init", str(target), "--hostname", HOST, option, value])
    assert stopped.value.code == 2
    assert capsys.readouterr().err == (
        f"icecfg init: argument {option}: {value}: must be a whole number from {range_} (see 'icecfg init --help')\n"
    )
    assert not target.exists()


def test_the_help_of_init_names_the_range_of_each_number(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.main(["init", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "stream bitrate, 8 to 640 (default 128)" in text
    assert "plain HTTP port, 1 to 65535 (default 8000)" in text
    assert "TLS port, 1 to 65535 (default 8443)" in text


@pytest.mark.parametrize("option", ["--mount", "--admin", "--location", "--region", "--size", "directory"])
def test_an_empty_option_of_init_is_a_usage_error_and_nothing_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], option: str
) -> None:
    """``--mount ''`` wrote /live.ogg, ``init ''`` the current directory: what was typed is never replaced."""
    monkeypatch.chdir(tmp_path)
    argv = ["init", "--hostname", HOST, option, ""] if option != "directory" else ["init", "--hostname", HOST, ""]
    with pytest.raises(SystemExit) as stopped:
        cli.main(argv)
    assert stopped.value.code == 2
    shown = "DIR" if option == "directory" else option
    assert capsys.readouterr().err == (
        f"icecfg init: argument {shown}: is empty: leave it out for its default (see 'icecfg init --help')\n"
    )
    assert list(tmp_path.iterdir()) == []
