"""The files derived from the element table and the rule registry are up to date."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_generated_files_match_their_sources() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "generate.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_rule_has_its_page_and_a_documented_shape() -> None:
    from icecfg.lint.rule import all_rules

    for code, rule in all_rules().items():
        page = ROOT / "docs" / "rules" / f"{code}.md"
        assert page.is_file(), code
        doc = rule.doc
        for heading in ("## Why", "## Bad", "## Good", "## Fix"):
            assert heading in doc, f"{code} docstring lacks {heading}"
        assert "```xml" in doc, f"{code} has no XML example"


def test_no_rule_page_without_a_rule() -> None:
    from icecfg.lint.docs import documented_rules

    pages = {p.stem for p in (ROOT / "docs" / "rules").glob("ICE*.md")}
    assert pages == set(documented_rules())
