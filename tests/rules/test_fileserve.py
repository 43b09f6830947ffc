"""Fileserve rule (ICE701): what <fileserve>0 (or 2.4's `true`) costs."""

from __future__ import annotations

from pathlib import Path

import pytest

import icecfg
from icecfg.lint import lint
from tests.rules.cases import Case, check_case


def cfg(value: str) -> bytes:
    return f"<icecast><fileserve>{value}</fileserve></icecast>".encode()


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
