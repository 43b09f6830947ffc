"""Fileserve rules: what <fileserve>0 (or 2.4's `true`) costs (ICE701), a missing mime types file (ICE702)."""

from __future__ import annotations

from pathlib import Path

import pytest

import icecfg
from icecfg.lint import lint
from tests.rules.cases import Case, check_case


def cfg(value: str) -> bytes:
    return f"<icecast><fileserve>{value}</fileserve></icecast>".encode()


def mime24(path: str) -> bytes:
    """2.4's mime types file: the root's ``<mime-types>``."""
    return f"<icecast><mime-types>{path}</mime-types></icecast>".encode()


def mime_in_paths(path: str, mounts: str = "") -> bytes:
    """2.5's and KH's mime types file, in ``<paths>``, and ``mounts``."""
    return f"<icecast><paths><mime-types>{path}</mime-types></paths>{mounts}</icecast>".encode()


#: A file fallback only the mime types file labels as Ogg.
FALLBACK = "<mount><mount-name>/live.ogg</mount-name><fallback-mount>/fallback.opus</fallback-mount></mount>"
MIME_FILES = {"/etc/mime.types": b"audio/ogg oga ogg opus spx\n", "/etc/icecast2/present.types": b"audio/ogg opus\n"}

CASES = [
    Case(
        "ICE701",
        cfg("0"),
        cfg("1"),
        message="Icecast 2.4.4 answers 404 for every static file in webroot",
    ),
    Case(
        "ICE701",
        cfg("true"),
        cfg("1"),
        message="turns file serving off ('true' reads as 0 in Icecast 2.4.4, see ICE204)",
        id="2.4-true",
    ),
    Case("ICE701", cfg("0"), cfg("true"), target="2.5", message="Icecast 2.5 serves no static file"),
    Case("ICE701", cfg("no"), cfg("yes"), target="kh", message="Icecast-KH serves no static file", id="kh-words"),
    # ICE702 mime-types-file-missing
    Case(
        "ICE702",
        mime24("/etc/icecast2/mime.types"),
        mime24("/etc/mime.types"),
        files=MIME_FILES,
        message="the mime types file /etc/icecast2/mime.types does not exist: Icecast 2.4.4 then knows only its",
    ),
    Case(
        "ICE702",
        mime_in_paths("/etc/icecast2/mime.types", FALLBACK),
        mime_in_paths("/etc/mime.types", FALLBACK),
        "2.5",
        MIME_FILES,
        message="the file fallback /fallback.opus of /live.ogg goes out as application/octet-stream, not audio/ogg, "
        "and when the source of an Ogg stream stops its listeners are dropped instead of moved to it",
    ),
    Case(
        "ICE702",
        mime_in_paths("/etc/icecast2/mime.types", FALLBACK),
        mime_in_paths("/etc/mime.types", FALLBACK),
        "kh",
        MIME_FILES,
        message="/fallback.opus of /live.ogg goes out as application/octet-stream, not audio/ogg; install it",
    ),
    Case(
        "ICE702",
        b"<icecast/>",
        mime_in_paths("/etc/icecast2/present.types"),
        "2.5",
        {"/etc/icecast2/present.types": MIME_FILES["/etc/icecast2/present.types"]},
        message="the mime types file /etc/mime.types does not exist",
        id="2.5-default",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.test_id)
def test_rule(case: Case, tmp_path: Path) -> None:
    check_case(case, tmp_path)


def test_message_says_what_still_works_on_2_4() -> None:
    (finding,) = [f for f in lint(icecfg.loads(cfg("0")), files=False) if f.code == "ICE701"]
    assert "ICE204" not in finding.message
    for still in ("status.xsl", "status-json.xsl", "/admin/", ".m3u", "file fallbacks still work"):
        assert still in finding.message


def test_deliberate_choice_has_no_automatic_fix() -> None:
    (finding,) = [f for f in lint(icecfg.loads(cfg("0")), files=False) if f.code == "ICE701"]
    assert finding.fix is None


def test_absent_or_empty_fileserve_is_not_this_rules_business() -> None:
    for data in (b"<icecast/>", b"<icecast><fileserve/></icecast>"):
        assert not [f for f in lint(icecfg.loads(data), files=False) if f.code == "ICE701"]


def test_a_mime_types_file_missing_inside_the_chroot_is_ice509_s_alone(tmp_path: Path) -> None:
    """With <chroot>, a written mime types file missing inside the basedir is reported once, by ICE509."""
    data = (
        b"<icecast><paths><basedir>/srv/icecast</basedir><mime-types>/etc/mime.types</mime-types></paths>"
        b"<security><chroot>1</chroot><changeowner><user>icecast</user><group>icecast</group></changeowner>"
        b"</security></icecast>"
    )
    (tmp_path / "srv/icecast").mkdir(parents=True)
    codes = [f.code for f in lint(icecfg.loads(data), "2.5", root=str(tmp_path)) if f.code in ("ICE509", "ICE702")]
    assert codes == ["ICE509"]
