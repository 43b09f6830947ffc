"""Fileserve rules (ICE70x): what <fileserve>0 costs, and `true` reading as 0 on 2.4."""

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
    Case("ICE701", cfg("0"), cfg("true"), target="2.5", message="Icecast 2.5 serves no static file"),
    Case(
        "ICE701",
        cfg("no"),
        cfg("yes"),
        target="kh",
        message="Icecast-KH serves no static file",
        id="kh-words",
    ),
    Case(
        "ICE702",
        cfg("true"),
        cfg("1"),
        message="<fileserve>true</fileserve> reads as 0 in Icecast 2.4.4 (atoi): file serving is OFF",
    ),
    Case("ICE702", cfg("yes"), cfg("0"), id="near-miss-0"),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.test_id)
def test_rule(case: Case, tmp_path: Path) -> None:
    check_case(case, tmp_path)


def test_message_says_what_still_works_on_2_4() -> None:
    (finding,) = [f for f in lint(icecfg.loads(cfg("0")), files=False) if f.code == "ICE701"]
    for still in ("status.xsl", "status-json.xsl", "/admin/", ".m3u", "file fallbacks still work"):
        assert still in finding.message


def test_true_is_not_also_reported_as_a_deliberate_0() -> None:
    codes = [f.code for f in lint(icecfg.loads(cfg("true")), files=False)]
    assert "ICE702" in codes and "ICE701" not in codes


def test_ice702_fix_writes_1() -> None:
    config = icecfg.loads(b"<icecast>\n  <fileserve>true</fileserve>\n</icecast>\n")
    (finding,) = [f for f in lint(config, files=False) if f.code == "ICE702"]
    assert finding.fix is not None
    finding.fix()
    assert config.document.dumps() == b"<icecast>\n  <fileserve>1</fileserve>\n</icecast>\n"


def test_absent_or_empty_fileserve_is_not_these_rules_business() -> None:
    for data in (b"<icecast/>", b"<icecast><fileserve/></icecast>"):
        codes = {f.code for f in lint(icecfg.loads(data), files=False)}
        assert not codes & {"ICE701", "ICE702"}
