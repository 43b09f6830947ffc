"""Every rule is registered once, documented, and has a bad and a good fixture."""

from __future__ import annotations

from icecfg.lint.rule import all_rules
from tests.rules.cases import all_cases as _cases


def test_every_rule_has_a_positive_and_a_false_positive_fixture() -> None:
    covered = {case.code for case in _cases()}
    missing = sorted(set(all_rules()) - covered)
    assert not missing, f"rules without a Case in tests/rules: {missing}"


def test_codes_are_stable_and_names_kebab_case() -> None:
    import re

    for code, rule in all_rules().items():
        assert re.fullmatch(r"ICE\d{3}", code)
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rule.name), rule.name
        assert rule.summary and not rule.summary.endswith(":"), code
