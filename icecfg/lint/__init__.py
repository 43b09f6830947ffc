"""icecfg lint: rules about what Icecast really does with an icecast.xml.

Library use::

    import icecfg
    from icecfg.lint import lint
    findings = lint(icecfg.load("icecast.xml"), target="2.4")
"""

from __future__ import annotations

from icecfg.lint.engine import lint
from icecfg.lint.finding import Finding, Severity
from icecfg.lint.rule import RULES, Rule, all_rules, rule

__all__ = ["RULES", "Finding", "Rule", "Severity", "all_rules", "lint", "rule"]
