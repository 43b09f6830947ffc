"""Rule documentation pages, made from the rules' docstrings.

``docs/rules/<CODE>.md`` and ``docs/rules/index.md`` are generated from the
registry (``python scripts/generate.py``), and ``icecfg rule CODE`` prints the
same page, so the documentation a user reads is the one the code carries.
"""

from __future__ import annotations

from icecfg.lint.rule import Rule
from icecfg.spec import Dialect

_TARGETS = {Dialect.V24: "2.4", Dialect.V25: "2.5", Dialect.KH: "KH"}


def rule_page(rule: Rule) -> str:
    """The Markdown page of one rule."""
    doc = rule.doc
    summary, _, body = doc.partition("\n")
    targets = ", ".join(_TARGETS[d] for d in Dialect if d in rule.dialects)
    lines = [
        f"# {rule.code} {rule.name}",
        "",
        f"{summary.strip()}",
        "",
        f"- Severity: **{rule.severity.value}**",
        f"- Family: {rule.family}",
        f"- Targets: {targets}",
    ]
    if rule.needs_files:
        lines.append("- Reads the server's files (skipped with `--no-fs`; paths are looked up under `--root`)")
    if not rule.default_enabled:
        lines.append(f'- Opt-in: enable it with `--select {rule.code}` or `select = ["{rule.code}"]` in the settings')
    lines += ["", body.strip(), ""]
    return "\n".join(lines)


def index_page(rules: dict[str, Rule]) -> str:
    """docs/rules/index.md: every rule by family."""
    lines = [
        "# Rules",
        "",
        "Every rule of `icecfg lint`, by family.  Generated from the rule registry; "
        "`icecfg rules` prints the same list and `icecfg rule CODE` one page.",
        "",
        "ICE001 (`invalid-xml`: the file is not well-formed XML, has DTD entity declarations, or the wrong root "
        "element) and ICE002 (`unused-suppression`) come from the engine itself.",
        "",
    ]
    families: dict[str, list[Rule]] = {}
    for rule in rules.values():
        families.setdefault(rule.family, []).append(rule)
    for family, members in families.items():
        lines += [
            f"## {family}",
            "",
            "| Code | Name | Severity | Targets | Summary |",
            "|---|---|---|---|---|",
        ]
        for rule in members:
            targets = ", ".join(_TARGETS[d] for d in Dialect if d in rule.dialects)
            opt_in = " (opt-in)" if not rule.default_enabled else ""
            lines.append(
                f"| [{rule.code}]({rule.code}.md) | `{rule.name}` | {rule.severity.value} | {targets} | "
                f"{rule.summary}{opt_in} |"
            )
        lines.append("")
    return "\n".join(lines)
