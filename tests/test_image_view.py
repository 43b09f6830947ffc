"""bake lints against the image it will build (icecfg.files.ImageView), without a temporary tree.

The view must answer exactly as the tree of directories and symlinks bake
used to make for the lint (the package's directories, each asset linked at
its server path), so the findings stay the same.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from icecfg.bake.command import PACKAGE_DIRECTORIES, PACKAGE_FILES
from icecfg.files import Assets, FileView, ImageView
from icecfg.io import loads
from icecfg.lint import lint

#: Paths asked of both views: assets, inside asset directories, package directories and their
#: parents, parents of assets, and paths that exist on this machine but not on the image.
PROBES = (
    "/etc/icecast2/bundle.pem",
    "/etc/icecast2/missing.pem",
    "/srv/audio/fallback.ogg",
    "/srv/audio",
    "/srv",
    "/media/jingles/one.ogg",
    "/media/jingles",
    "/media/jingles/nothing.ogg",
    "/var/log/icecast2",
    "/var/log",
    "/var/log/icecast2/error.log",
    "/usr/share/icecast2/web",
    "/usr/share/icecast2/web/status.xsl",
    "/usr/share",
    "/etc",
    "/",
    "/etc/passwd",
    "/tmp",
    "/dangling.pem",
    "relative/file.ogg",
    "/etc/icecast2/../icecast2/bundle.pem",
)


def _assets(tmp_path: Path) -> dict[str, str]:
    local = tmp_path / "local"
    (local / "jingles").mkdir(parents=True)
    (local / "jingles" / "one.ogg").write_bytes(b"OggS one")
    (local / "bundle.pem").write_bytes(b"-----BEGIN CERTIFICATE-----\n")
    (local / "fallback.ogg").write_bytes(b"OggS fallback")
    return {
        "/etc/icecast2/bundle.pem": str(local / "bundle.pem"),
        "/srv/audio/fallback.ogg": str(local / "fallback.ogg"),
        "/media/jingles": str(local / "jingles"),
        "/dangling.pem": str(local / "absent.pem"),
    }


def _symlink_tree(root: Path, assets: dict[str, str]) -> None:
    """The tree bake made before (package directories, assets linked at their server paths)."""
    for directory in PACKAGE_DIRECTORIES:
        (root / directory.lstrip("/")).mkdir(parents=True, exist_ok=True)
    for server_path, local in assets.items():
        target = root / server_path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.symlink_to(local)


def _answers(view: FileView, path: str) -> tuple[object, ...]:
    try:
        data: object = view.read_bytes(path)
    except OSError as err:
        data = type(err).__name__ if err.errno is None else err.errno
    return (view.exists(path), view.is_file(path), view.is_dir(path), view.readable(path), view.unusable(path), data)


def test_the_image_view_answers_as_the_symlink_tree_did(tmp_path: Path) -> None:
    assets = _assets(tmp_path)
    tree = tmp_path / "tree"
    _symlink_tree(tree, assets)
    old, new = FileView(tree), ImageView(assets, PACKAGE_DIRECTORIES)
    for path in PROBES:
        assert _answers(new, path) == _answers(old, path), path


CONFIG = b"""<icecast>
    <listen-socket><port>8000</port></listen-socket>
    <listen-socket><port>8443</port><ssl>1</ssl></listen-socket>
    <paths>
        <logdir>/var/log/icecast2</logdir>
        <webroot>/usr/share/icecast2/web</webroot>
        <ssl-certificate>/etc/icecast2/bundle.pem</ssl-certificate>
    </paths>
    <mount><mount-name>/live.ogg</mount-name><fallback-mount>/fallback.ogg</fallback-mount></mount>
    <mount><mount-name>/b.ogg</mount-name><fallback-mount>/missing.ogg</fallback-mount></mount>
</icecast>
"""


@pytest.mark.parametrize("target", ["2.4", "2.5"])
def test_bake_findings_are_those_of_the_symlink_tree(tmp_path: Path, target: str) -> None:
    assets = _assets(tmp_path)
    assets["/usr/share/icecast2/web/fallback.ogg"] = assets.pop("/srv/audio/fallback.ogg")
    tree = tmp_path / "tree"
    _symlink_tree(tree, assets)
    before = lint(loads(CONFIG, "icecast.xml"), target, root=str(tree))
    after = lint(loads(CONFIG, "icecast.xml"), target, view=ImageView(assets, PACKAGE_DIRECTORIES))
    assert [(f.code, f.line, f.message) for f in after] == [(f.code, f.line, f.message) for f in before]
    assert {f.code for f in after} & {"ICE402", "ICE602"}  # the file checks ran: the probe is not empty


def test_the_image_has_the_mime_types_file_its_packages_install() -> None:
    """The image installs media-types: its /etc/mime.types is there (no ICE702), its bytes are not known here."""
    view = ImageView({}, PACKAGE_DIRECTORIES, files=PACKAGE_FILES)
    assert (view.exists("/etc/mime.types"), view.is_file("/etc/mime.types"), view.unusable("/etc/mime.types")) == (
        True,
        True,
        "",
    )
    assert view.is_dir("/etc") and not view.exists("/etc/other.types")
    for target in ("2.4", "2.5"):
        codes = {f.code for f in lint(loads(CONFIG, "icecast.xml"), target, view=view)}
        without = {f.code for f in lint(loads(CONFIG, "icecast.xml"), target, view=ImageView({}, PACKAGE_DIRECTORIES))}
        assert "ICE702" not in codes and "ICE702" in without


def test_bake_makes_no_temporary_tree_to_lint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from icecfg.cli import main

    (tmp_path / "icecast.xml").write_bytes(CONFIG.replace(b"<port>8000</port>", b"<port>80oo</port>"))
    (tmp_path / "icecfg.toml").write_text('[bake.assets]\n"/etc/icecast2/bundle.pem" = "local/bundle.pem"\n')
    _assets(tmp_path)
    monkeypatch.chdir(tmp_path)

    def refused(*args: object, **kwargs: object) -> str:
        raise AssertionError("a temporary directory was made before the lint passed")

    monkeypatch.setattr(tempfile, "mkdtemp", refused)
    assert main(["bake", "--dry-run"]) == 1  # ICE201: stops at the lint


def test_a_missing_asset_is_worded_with_its_local_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every finding about a missing server file takes its words from FileView.problem: assets name the local file."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "web").mkdir()
    mapped = Assets({"/srv/web": tmp_path / "web"}, tmp_path / "icecfg.toml")
    for view in (FileView(tmp_path / "root", assets=mapped), ImageView(mapped)):
        assert view.problem("/srv/web/x.ogg") == "does not exist (icecfg.toml [bake.assets] maps it to ./web/x.ogg)"
        assert view.problem("/etc/other.pem", "cannot be read") == "cannot be read"  # not an asset: as before
    # a plain mapping (the library's assets=) has no settings file to name
    plain = FileView("/", assets={"/srv/a.pem": tmp_path / "a.pem"})
    assert plain.problem("/srv/a.pem") == "does not exist ([bake.assets] maps it to ./a.pem)"
    # a local file outside the current directory is named in full
    outside = FileView("/", assets={"/srv/a.pem": "/nonexistent/a.pem"})
    assert outside.problem("/srv/a.pem") == "does not exist ([bake.assets] maps it to /nonexistent/a.pem)"
