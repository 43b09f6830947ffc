"""Rule documentation pages, made from the rules' docstrings.

``docs/rules/<CODE>.md`` and ``docs/rules/index.md`` are generated from the
registry (``python scripts/generate.py``), and ``icecfg rule CODE`` prints the
same page, so the documentation a user reads is the one the code carries.
"""

from __future__ import annotations

from collections.abc import Iterable

from icecfg.lint.finding import Finding, Severity
from icecfg.lint.rule import Rule, all_rules
from icecfg.spec import Dialect

_TARGETS = {Dialect.V24: "2.4", Dialect.V25: "2.5", Dialect.KH: "KH"}


def _invalid_xml(_ctx: object) -> Iterable[Finding]:
    """The file is not well-formed XML, declares DTD entities, or its root is not `<icecast>`.

    ## Why
    Icecast reads its configuration with libxml2 and refuses to start on a
    file it cannot parse (`FATAL: error parsing config file`), so every
    other check is moot until the file parses.  A root element other than
    `<icecast>` is refused too, by Icecast and by icecfg.  icecfg also
    refuses DTD entity declarations (entity expansion can blow up memory),
    which Icecast itself accepts.  The finding points at the line and
    column where reading stopped.

    ## On each release
    - 2.4.4 prints `FATAL: error parsing config file` with libxml2's error
      or `root element is not <icecast>`, and exits 1 (verified,
      `tests/test_oracle_releases.py`).
    - 2.5.0 and Icecast-KH print the same lines and then die of SIGSEGV
      instead of exiting (verified).
    - All three start on a file that declares a DTD entity (verified).

    ## Bad
    ```xml
    <icecast>
        <limits>
            <clients>100</clients>
    </icecast>
    ```

    ## Good
    ```xml
    <icecast>
        <limits>
            <clients>100</clients>
        </limits>
    </icecast>
    ```

    ## Fix
    Correct the XML at the position given (a missing end tag, an `&` not
    written as `&amp;`, a stray `<`); `xmllint --noout icecast.xml` shows
    the same error.  This finding comes from the engine itself: it is
    selected and ignored like any rule.
    """
    return ()


def _unused_suppression(_ctx: object) -> Iterable[Finding]:
    """An `icecfg: ignore[...]` comment that silences no finding.

    ## Why
    A suppression that matches nothing is either stale (the problem was
    fixed) or wrong (a typo in the code, or on the wrong line), and then the
    finding it was meant for is still reported, or a later finding there is
    silenced without anyone noticing.  Reporting it keeps suppressions
    honest.

    ## Bad
    ```xml
    <!-- icecfg: ignore[ICE999] -->
    <hostname>radio.example.org</hostname>
    ```

    ## Good
    ```xml
    <hostname>radio.example.org</hostname>
    ```

    ## Fix
    Remove the comment, or correct its codes and put it on the line before
    the element it is about.  This finding comes from the engine itself: it
    is selected and ignored like any rule.
    """
    return ()


#: The engine's own codes, documented like rules (``icecfg rule ICE001``, docs/rules/ICE001.md).
ENGINE_RULES: dict[str, Rule] = {
    "ICE001": Rule("ICE001", "invalid-xml", Severity.ERROR, "engine", _invalid_xml, frozenset(Dialect)),
    "ICE002": Rule("ICE002", "unused-suppression", Severity.WARNING, "engine", _unused_suppression, frozenset(Dialect)),
}


def documented_rules() -> dict[str, Rule]:
    """Every code a finding can carry, each with its page: the engine's codes and the rules, by code."""
    return dict(sorted({**ENGINE_RULES, **all_rules()}.items()))


def find_rule(code_or_name: str) -> Rule | None:
    """The rule (engine codes included) with this code or name, in any case."""
    rules = documented_rules()
    return rules.get(code_or_name.upper()) or next((r for r in rules.values() if r.name == code_or_name.lower()), None)


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
        "[ICE001](ICE001.md) (`invalid-xml`: the file is not well-formed XML, has DTD entity declarations, or the "
        "wrong root element) and [ICE002](ICE002.md) (`unused-suppression`) come from the engine itself.",
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
