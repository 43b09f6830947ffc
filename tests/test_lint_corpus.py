"""Lint properties over every real configuration we have: the shipped examples and the shared corpus.

- Fixing never creates a finding that was not there before, and leaves
  nothing fixable (for each target, with and without the file checks).
- No reported region ends before it starts, in any format.
- Every documentation link in JSON and SARIF names a page in docs/rules.
"""

from __future__ import annotations

import json
import tempfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from icecfg.errors import ParseError
from icecfg.io import loads
from icecfg.lint import report
from icecfg.lint.command import Options, _lint, fix_all
from icecfg.lint.docs import documented_rules
from icecfg.lint.finding import DOCS_URL, Finding, Severity
from icecfg.sections import IcecastConfig
from icecfg.spec import Dialect
from tests.corpus import corpus_paths

ROOT = Path(__file__).resolve().parents[1]
REPOSITORY_URL = DOCS_URL.split("docs/rules/")[0]


def configurations() -> Iterator[tuple[str, IcecastConfig]]:
    """Every example and corpus file that parses (ICE001 files have nothing to fix)."""
    for path in [*sorted((ROOT / "examples").rglob("*.xml")), *corpus_paths()]:
        try:
            yield str(path), loads(path.read_bytes(), str(path))
        except ParseError:
            continue


@pytest.mark.parametrize("target", list(Dialect), ids=lambda d: d.value)
@pytest.mark.parametrize("files", [False, True], ids=["no-fs", "fs"])
def test_fixing_never_adds_a_finding_and_leaves_nothing_fixable(target: Dialect, files: bool) -> None:
    with tempfile.TemporaryDirectory() as root:  # an empty server: every file check has something to say
        options = Options(target, [], [], Severity.WARNING, root, files, "text")
        checked = 0
        for path, config in configurations():
            before = _lint(config, options, path)
            fixed_config, fixed = fix_all(config, before, options, path)
            after = _lint(fixed_config, options, path)
            new = Counter(f.code for f in after) - Counter(f.code for f in before)
            assert not new, f"{path} ({target.value}): fixing added {dict(new)}"
            assert not [f.code for f in after if f.fix is not None], f"{path}: still fixable after --fix"
            checked += bool(fixed)
        assert checked >= 5  # the property is exercised, not vacuous


def test_regions_never_end_before_they_start_and_links_name_real_pages() -> None:
    findings: list[Finding] = []
    options = Options(Dialect.V24, [], [], Severity.WARNING, None, False, "json")
    for path, config in configurations():
        findings += _lint(config, options, path)
    broken = b"<icecast>\n<limits>\n</icecast>\n"
    with pytest.raises(ParseError) as err:
        loads(broken, "broken.xml")
    from icecfg.lint.engine import parse_error_finding

    findings.append(parse_error_finding(err.value, "broken.xml"))
    unused = loads(b"<icecast>\n<!-- icecfg: ignore[ICE101] -->\n<hostname>a</hostname>\n</icecast>\n", "unused.xml")
    findings += _lint(unused, options, "unused.xml")
    codes = {f.code for f in findings}
    assert {"ICE001", "ICE002"} <= codes and len(codes) > 30
    for item in json.loads(report.json(findings)):
        assert (item["end_line"], item["end_column"]) >= (item["line"], item["column"]), item
        assert _page(item["url"]).is_file(), item["url"]
    log = json.loads(report.sarif(findings, documented_rules()))
    run = log["runs"][0]
    for descriptor in run["tool"]["driver"]["rules"]:
        assert _page(descriptor["helpUri"]).is_file(), descriptor["helpUri"]
    for result in run["results"]:
        region = result["locations"][0]["physicalLocation"]["region"]
        assert (region["endLine"], region["endColumn"]) >= (region["startLine"], region["startColumn"])


def _page(url: str) -> Path:
    assert url.startswith(REPOSITORY_URL), url
    return ROOT / url[len(REPOSITORY_URL) :]


@given(
    line=st.integers(min_value=0, max_value=50),
    column=st.integers(min_value=0, max_value=200),
    end_line=st.integers(min_value=0, max_value=60),
    end_column=st.integers(min_value=0, max_value=200),
)
def test_end_column_is_never_before_column_whatever_a_rule_reports(
    line: int, column: int, end_line: int, end_column: int
) -> None:
    finding = Finding("ICE101", "unknown-element", Severity.ERROR, "m", "x.xml", line, column, end_line, end_column)
    [item] = json.loads(report.json([finding]))
    assert (item["end_line"], item["end_column"]) >= (max(line, 1), max(column, 1))
    assert item["end_line"] > max(line, 1) or item["end_column"] > max(column, 1)
    region = json.loads(report.sarif([finding], {}))["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert (region["region"]["endLine"], region["region"]["endColumn"]) >= (item["line"], item["column"])
