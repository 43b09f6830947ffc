"""Template placeholders: recognised once each, left out of value checks, rendered on request."""

from __future__ import annotations

from pathlib import Path

import pytest

import icecfg
from icecfg.lint import lint
from icecfg.lint.templating import rendered
from icecfg.placeholders import SYNTAXES, find, render
from icecfg.placeholders.syntaxes import Syntax
from tests.rules.cases import Case, check_case, run
from tests.rules.cases import icecast as _x
from tests.rules.cases import listen_socket as _socket

CASES = [
    Case(
        "ICE003",
        _socket("<port>${ICECAST_PORT}</port>"),
        _socket("<port>8000</port>"),
        message="<port> is a template placeholder ${ICECAST_PORT} (shell-braces)",
    ),
    *(
        Case(
            "ICE003",
            _socket("<port>{{ icecast_port }}</port>"),
            _socket("<port>8000</port>"),
            target=target,
            message="<port> is a template placeholder {{ icecast_port }}",
        )
        for target in ("2.5", "kh")
    ),
    Case(
        "ICE003",
        _socket("<port>{ICECAST_PORT}</port>"),
        _socket("<port>8000</port>"),
        message="<port> is a template placeholder {ICECAST_PORT} (single-braces)",
        id="single-braces",
    ),
    Case(
        # a password with dollars and braces is a password, not a template
        "ICE003",
        _x("<authentication><source-password>{{ source_password }}</source-password></authentication>"),
        _x("<authentication><source-password>pa$$word{1}%2F$x$</source-password></authentication>"),
        id="password-with-dollars",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.test_id)
def test_rule(case: Case, tmp_path: Path) -> None:
    check_case(case, tmp_path)


@pytest.mark.parametrize(
    ("value", "name"),
    [
        ("${PORT}", "PORT"),
        ("${PORT:-8000}", "PORT"),
        ("$LISTEN_IP", "LISTEN_IP"),
        ("{{ port }}", "port"),
        ("{{ icecast_port | default(8000) }}", "icecast_port"),
        ("@PORT@", "PORT"),
        ("[[VAR]]", "VAR"),
        ("{$LOCATION}", "LOCATION"),
        ("%BASEDIR%", "BASEDIR"),
        ("$sourcepassword$", "sourcepassword"),
        ("{ICECAST_PORT}", "ICECAST_PORT"),
        (" {ICECAST_PORT}\n", "ICECAST_PORT"),
    ],
)
def test_every_syntax_is_recognised(value: str, name: str) -> None:
    (placeholder,) = find(value)
    assert (placeholder.name, placeholder.text) == (name, value.strip())


@pytest.mark.parametrize("crowd", [0, 3, 200], ids=lambda n: f"{n}-lookalikes-before")
@pytest.mark.parametrize("syntax", SYNTAXES, ids=lambda s: s.name)
def test_a_file_whose_only_placeholder_is_of_any_syntax_is_reported(syntax: Syntax, crowd: int) -> None:
    # the rule skips files without a placeholder by a quick look at the whole text first:
    # that look must let through a file holding one placeholder of any syntax, however
    # many characters that start no placeholder (e-mail addresses, URL escapes) come first
    example = syntax.example
    lookalikes = "a@b %2F [x] {1} $5 " * crowd
    cfg = icecfg.loads(f"<icecast><!-- {lookalikes} --><hostname>{example}</hostname></icecast>")
    found = [f for f in lint(cfg, files=False) if f.code == "ICE003"]
    assert [f.line for f in found] == [1], example


@pytest.mark.parametrize(
    "value",
    [
        "pa$$word",
        "Pa$sword1",
        "$5 a month",
        "a%C3%A9b",
        "admin@example.org",
        "p$ss$word",
        "{json: 1}",
        "[x]",
        "",
        # single braces: a password's braces joined to its other characters, lower case, one letter, an escape
        "pa{SS}word",
        "{SECRET}9",
        "x_{AB}",
        "{Secret}",
        "{A}",
        "{1}",
        "$${NAME}",
        "{{AB}",
    ],
)
def test_values_that_only_look_like_templates_are_not_placeholders(value: str) -> None:
    assert find(value) == []


def test_the_syntax_table_documents_each_row() -> None:
    for syntax in SYNTAXES:
        assert find(syntax.example), syntax.name
        assert syntax.rendered_by


def test_rendering_follows_the_shell_for_defaults() -> None:
    assert render("${PORT:-8000}", {}) == ("8000", [])
    assert render("${PORT:-8000}", {"PORT": ""}) == ("8000", [])
    assert render("${PORT-8000}", {"PORT": ""}) == ("", [])
    assert render("http://$HOST:${PORT}/", {"HOST": "radio.example.org", "PORT": "80"}) == (
        "http://radio.example.org:80/",
        [],
    )
    text, left = render("$HOST:${PORT}", {"HOST": "h"})
    assert text == "h:${PORT}"
    assert [p.name for p in left] == ["PORT"]


TEMPLATE = b"""<icecast>
    <limits>
        <clients>${CLIENTS}</clients>
        <sources>2</sources>
    </limits>
    <authentication>
        <source-password>${SOURCE_PASSWORD}</source-password>
    </authentication>
    <hostname>{{ hostname }}</hostname>
    <listen-socket>
        <port>@PORT@</port>
        <bind-address>%BIND%</bind-address>
    </listen-socket>
    <mount type="normal">
        <mount-name>/live</mount-name>
        <fallback-mount>[[FALLBACK]]</fallback-mount>
        <fallback-override>$OVERRIDE</fallback-override>
    </mount>
    <logging><loglevel>${LOGLEVEL}</loglevel></logging>
</icecast>
"""


def test_each_placeholder_is_reported_once_where_it_is_and_nothing_else_on_its_value() -> None:
    findings = run(TEMPLATE, "2.4", files=False)
    placeholders = [f for f in findings if f.code == "ICE003"]
    assert [(f.line, f.column) for f in placeholders] == [
        (3, 18),
        (7, 26),
        (9, 15),
        (11, 15),
        (12, 23),
        (16, 25),
        (17, 28),
        (19, 24),
    ]
    assert all(f.severity.value == "info" for f in placeholders)
    lines = {f.line for f in placeholders}
    # ICE409 (passwords without TLS) stands whatever the password renders to
    assert [f.code for f in findings if f.line in lines and f.code != "ICE003"] == ["ICE409"]


def test_rendered_values_are_linted_and_the_template_is_left_unchanged() -> None:
    config = icecfg.loads(TEMPLATE, "icecast.xml")
    variables = {
        "CLIENTS": "abc",
        "SOURCE_PASSWORD": "s3cret-source",
        "hostname": "radio.example.org",
        "PORT": "8000",
        "BIND": "localhost",
        "FALLBACK": "/fallback",
        "OVERRIDE": "true",
        "LOGLEVEL": "debug",
    }
    findings = lint(config, "2.4", files=False, variables=variables)
    by_line = {(f.line, f.code) for f in findings}
    assert {(3, "ICE201"), (12, "ICE208"), (17, "ICE204"), (19, "ICE209")} <= by_line
    assert "ICE003" not in {f.code for f in findings}
    assert b"${CLIENTS}" in icecfg.dumps(config)


def test_rendering_equals_linting_the_file_rendered_by_hand() -> None:
    variables = {"CLIENTS": "5", "SOURCE_PASSWORD": "hackme", "hostname": "localhost", "PORT": "99999"}
    variables |= {"BIND": "0.0.0.0", "FALLBACK": "live", "OVERRIDE": "1", "LOGLEVEL": "4"}
    by_hand = TEMPLATE.decode()
    for placeholder in {p.text: p for line in by_hand.splitlines() for p in find(line)}.values():
        by_hand = by_hand.replace(placeholder.text, variables[placeholder.name])
    rendered = lint(icecfg.loads(TEMPLATE, "icecast.xml"), "2.4", files=False, variables=variables)
    expected = lint(icecfg.loads(by_hand, "icecast.xml"), "2.4", files=False)
    assert [(f.line, f.code) for f in rendered] == [(f.line, f.code) for f in expected]
    assert {"ICE202", "ICE501", "ICE601"} <= {f.code for f in rendered}


def test_a_placeholder_left_without_a_value_when_rendering_is_a_warning() -> None:
    findings = lint(icecfg.loads(TEMPLATE), "2.4", files=False, variables={"CLIENTS": "100"})
    left = [f for f in findings if f.code == "ICE003"]
    assert len(left) == 7
    assert all(f.severity.value == "warning" and "has no value" in f.message for f in left)
    assert not [f for f in findings if f.line == 3]


def test_cross_element_checks_skip_a_templated_partner() -> None:
    # <clients> is a placeholder: ICE907 cannot say it is too small for the sources
    data = _x("<limits><clients>${CLIENTS}</clients><sources>40</sources></limits>")
    assert [f.code for f in run(data, "2.4", files=False)] == ["ICE003"]


def test_a_templated_socket_port_may_be_the_root_port() -> None:
    data = _x("<port>8000</port><listen-socket><port>${PORT}</port></listen-socket>")
    assert [f.code for f in run(data, "2.4", files=False)] == ["ICE003"]


def test_single_brace_placeholders_are_found_in_part_of_a_value_where_they_stand_alone() -> None:
    """``{NAME}`` as a deployment template writes it, in a URL or path: set off by punctuation."""
    found = find("http://{HOST}:{PORT}/{STATION}.ogg")
    assert [(p.syntax.name, p.name) for p in found] == [("single-braces", n) for n in ("HOST", "PORT", "STATION")]
    rendered, left = render("http://{HOST}:{PORT}/", {"HOST": "radio.example.org"})
    assert rendered == "http://radio.example.org:{PORT}/" and [p.name for p in left] == ["PORT"]


MARKUP_TEMPLATE = b"""<icecast>
    <listen-socket>
        <port>8443</port>
        ${TLS_SOCKET_OPTS}
    </listen-socket>
    <limits>{LIMITS}</limits>
    <paths><logdir>/var/log/icecast2</logdir><!-- ${NOT_ONE} -->&amp;{PATHS}</paths>
</icecast>
"""


def test_a_placeholder_among_elements_is_reported_where_it_stands_as_markup_no_rule_sees() -> None:
    """A template tool replaces such a placeholder with elements: icecfg can neither lint nor render them."""
    findings = [f for f in run(MARKUP_TEMPLATE, "2.4", files=False) if f.code == "ICE003"]
    assert [(f.line, f.column, f.end_column) for f in findings] == [(4, 9, 27), (6, 13, 21), (7, 70, 77)]
    assert all(f.severity.value == "info" for f in findings)
    for finding, block in zip(findings, ["listen-socket", "limits", "paths"], strict=True):
        assert f"stands among the elements of <{block}>:" in finding.message


def test_rendering_leaves_a_placeholder_among_elements_for_the_template_tool() -> None:
    """``--var`` renders values: written as a block's text, markup would be escaped, not parsed."""
    config = icecfg.loads(MARKUP_TEMPLATE, "icecast.xml")
    variables = {"TLS_SOCKET_OPTS": "<tls>1</tls>", "LIMITS": "<clients>5</clients>", "PATHS": "x"}
    findings = lint(config, "2.4", files=False, variables=variables)
    left = [f for f in findings if f.code == "ICE003"]
    assert [(f.line, f.severity.value) for f in left] == [(4, "warning"), (6, "warning"), (7, "warning")]
    assert b"&lt;" not in icecfg.dumps(rendered(config, variables))
