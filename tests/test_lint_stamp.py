"""The lint engine stamps code, name and severity on what a rule yields."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

import icecfg
from icecfg.lint.context import LintContext
from icecfg.lint.engine import _stamp
from icecfg.lint.finding import Finding, Severity
from icecfg.lint.rule import Rule
from icecfg.spec import Dialect


def _rule(check: Callable[[LintContext], Iterable[Finding]], family: str = "values") -> Rule:
    return Rule("ICE999", "made-up", Severity.WARNING, family, check, frozenset(Dialect))


def _stamped(ctx: LintContext, candidate: Rule) -> list[Finding]:
    found: list[Finding] = []
    _stamp(ctx, candidate, found)
    return found


def test_a_finding_gets_its_rules_code_name_and_severity_unless_it_says_otherwise() -> None:
    ctx = LintContext(icecfg.loads(b"<icecast><hostname>radio.example.org</hostname></icecast>"))
    hostname = ctx.config.document.root.children[0]

    def check(ctx: LintContext) -> Iterator[Finding]:
        yield ctx.finding(hostname, "plain")
        yield ctx.finding(hostname, "worth less", severity=Severity.INFO)

    plain, lesser = _stamped(ctx, _rule(check))
    assert (plain.code, plain.name, plain.severity) == ("ICE999", "made-up", Severity.WARNING)
    assert (lesser.code, lesser.severity) == ("ICE999", Severity.INFO)
    assert not ctx.made  # nothing kept once stamped


def test_a_finding_about_a_placeholder_value_is_dropped_unless_the_rule_judges_the_place() -> None:
    ctx = LintContext(icecfg.loads(b"<icecast><hostname>${HOST}</hostname></icecast>"))
    hostname = ctx.config.document.root.children[0]

    def check(ctx: LintContext) -> Iterator[Finding]:
        yield ctx.finding(hostname, "about the value")

    assert list(_stamped(ctx, _rule(check))) == []
    assert [f.message for f in _stamped(ctx, _rule(check, family="structure"))] == ["about the value"]


def test_a_fact_is_worked_out_once_per_context() -> None:
    ctx = LintContext(icecfg.loads(b"<icecast/>"))
    calls: list[int] = []

    def count(ctx: LintContext) -> list[int]:
        calls.append(1)
        return [len(calls)]

    assert ctx.once(count) == [1]
    assert ctx.once(count) == [1] and len(calls) == 1
    assert LintContext(ctx.config).once(count) == [2]  # a new lint, a new context
