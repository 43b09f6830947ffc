"""Templated real-world configs and the command line that renders them."""

from __future__ import annotations

import json
import re
from pathlib import Path

import icecfg
from icecfg.lint import lint
from icecfg.lint.rule import all_rules
from tests.corpus import corpus
from tests.test_lint_cli import lint as run_cli
from tests.test_lint_cli import write

#: Corpus files written as templates, found by reading them (envsubst, sed, PHP-style scripts,
#: a Docker entrypoint that replaces {NAME}).
TEMPLATED = {"006.xml", "012.xml", "022.xml", "040.xml", "100.xml", "106.xml", "120.xml", "124.xml"}
#: Rules whose findings judge a value (as opposed to where an element stands).
_PLACE_FAMILIES = {"structure", "dialect", "templates"}
#: A crude, independent count of placeholders in a file's text (not the module under test).
_CRUDE = re.compile(r"\$\{\w+\}|\{\$\w+\}|\$[A-Z_]{2,}\b|\$[a-z]+\$|%[A-Z]{3,}%|(?<![\w$]){[A-Z_]{2,}}")


def _findings(data: bytes, target: str = "2.4") -> list[icecfg.lint.Finding]:
    try:
        config = icecfg.loads(data, "icecast.xml")
    except icecfg.ParseError:
        return []  # the corpus's two files that are not well-formed
    return lint(config, target, files=False)


def test_the_templated_corpus_files_and_only_they_have_placeholders() -> None:
    found = {name for name, data in corpus().items() if any(f.code == "ICE003" for f in _findings(data))}
    assert found == TEMPLATED


def test_each_corpus_placeholder_is_reported_once_without_a_value_cascade() -> None:
    rules = all_rules()
    files = corpus()
    for name in sorted(TEMPLATED):
        data = files[name]
        body = re.sub(rb"<!--.*?-->", b"", data, flags=re.S).decode()
        for target in ("2.4", "2.5", "kh"):
            findings = _findings(data, target)
            placeholders = [f for f in findings if f.code == "ICE003"]
            assert len(placeholders) == len(_CRUDE.findall(body)), (name, target)
            lines = {f.line for f in placeholders}
            cascade = [
                (f.line, f.code)
                for f in findings
                if f.line in lines
                and rules[f.code].family not in _PLACE_FAMILIES
                and f.code not in ("ICE409", "ICE503")
            ]
            assert cascade == [], (name, target)


def test_a_corpus_template_rendered_with_vars_is_linted_as_rendered(tmp_path: Path) -> None:
    path = write(tmp_path / "icecast.xml.template", corpus()["012.xml"])
    plain = run_cli(str(path), "--isolated", "--no-fs", "--format", "json")
    assert {"ICE003"} <= {f["code"] for f in json.loads(plain.stdout)}
    assert "ICE201" not in {f["code"] for f in json.loads(plain.stdout)}
    result = run_cli(
        str(path), "--isolated", "--no-fs", "--format", "json", "--var", "ICECAST_CLIENTS=lots",
        "--var", "ICECAST_WEB_PORT=8000", "--vars-from-env",
        env={"ICECAST_SOURCE_PORT": "8000", "ICECAST_LOG_LEVEL": "debug"},
    )  # fmt: skip
    found = {(f["line"], f["code"]) for f in json.loads(result.stdout)}
    assert (7, "ICE201") in found  # clients "lots"
    assert (31, "ICE901") in found  # both sockets render to port 8000
    assert (48, "ICE209") in found  # "debug" from the environment
    assert not any(code == "ICE003" and line in (7, 27, 32, 48) for line, code in found)


def test_the_environment_is_read_only_when_asked(tmp_path: Path) -> None:
    path = write(tmp_path / "icecast.xml", b"<icecast><limits><clients>${CLIENTS}</clients></limits></icecast>")
    quiet = run_cli(str(path), "--isolated", "--no-fs", "--format", "json", env={"CLIENTS": "abc"})
    assert [f["code"] for f in json.loads(quiet.stdout)] == ["ICE003"]
    asked = run_cli(str(path), "--isolated", "--no-fs", "--format", "json", "--vars-from-env", env={"CLIENTS": "abc"})
    assert [f["code"] for f in json.loads(asked.stdout)] == ["ICE201"]


def test_secrets_from_a_vars_file_never_show(tmp_path: Path) -> None:
    path = write(
        tmp_path / "icecast.xml",
        b"<icecast>\n<authentication>\n<source-password>${SRC}</source-password>\n"
        b"<admin-user>admin</admin-user><admin-password>${ADMIN}</admin-password>\n</authentication>\n</icecast>\n",
    )
    env_file = write(tmp_path / ".env", b"# secrets\nexport SRC='Sup3r secret '\nADMIN=\"Sup3r secret \"\n")
    for output in ("text", "json", "sarif", "github"):
        result = run_cli(str(path), "--isolated", "--no-fs", "--vars-file", str(env_file), "--format", output)
        assert "Sup3r" not in result.stdout + result.stderr
        assert "ICE503" in result.stdout or output == "sarif"  # the same secret twice, rendered
        assert "ICE207" in result.stdout or output == "sarif"  # trailing space in the rendered password
        assert (
            "fixable with" not in result.stdout and '"fixable": true' not in result.stdout
        )  # no fix: it would write the secret


def test_bad_variables_are_usage_errors_without_the_value(tmp_path: Path) -> None:
    path = write(tmp_path / "icecast.xml", b"<icecast/>")
    env_file = write(tmp_path / ".env", b"OK=1\nnot an assignment s3cret\n")
    result = run_cli(str(path), "--isolated", "--vars-file", str(env_file))
    assert result.returncode == 2
    assert result.stderr == f"icecfg lint: {env_file}:2: expected NAME=VALUE\n"
    missing = run_cli(str(path), "--isolated", "--vars-file", str(tmp_path / "nope.env"))
    assert (missing.returncode, missing.stderr.count("\n")) == (2, 1)
    assert "cannot read variables file" in missing.stderr
    assert run_cli(str(path), "--isolated", "--var", "=1").returncode == 2
    fix = run_cli(str(path), "--isolated", "--var", "A=1", "--fix")
    assert fix.returncode == 2
    assert "cannot be combined with rendering" in fix.stderr


def test_a_variables_file_that_is_not_utf_8_names_its_line_and_no_byte_of_it(tmp_path: Path) -> None:
    """The decoder's message quoted a byte of the file (``can't decode byte 0xe9``): the file holds secrets."""
    path = write(tmp_path / "icecast.xml", b"<icecast/>")
    env_file = write(tmp_path / ".env", b"OK=1\nPASSWORD=caf\xe9\n")
    result = run_cli(str(path), "--isolated", "--vars-file", str(env_file))
    assert result.returncode == 2
    assert result.stderr == f"icecfg lint: cannot read variables file {env_file}:2: not UTF-8 text\n"
