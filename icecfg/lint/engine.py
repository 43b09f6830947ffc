"""Run the rules over one configuration and return what they found."""

from __future__ import annotations

import gc
import os
from collections.abc import Iterable, Mapping

from icecfg.document import Element
from icecfg.errors import ParseError
from icecfg.lint.context import LintContext
from icecfg.lint.fileview import FileView
from icecfg.lint.finding import Finding, Severity
from icecfg.lint.rule import Rule, all_rules
from icecfg.lint.suppress import Suppression, collect
from icecfg.sections import IcecastConfig
from icecfg.spec import Dialect

#: The pseudo-rules of the engine itself.
PARSE_ERROR = ("ICE001", "invalid-xml")
UNUSED_SUPPRESSION = ("ICE002", "unused-suppression")


#: Length of a family's code prefix (``ICE8`` for ICE8xx).
FAMILY_PREFIX_LENGTH = 4


def selected(rules: Iterable[Rule], select: Iterable[str] = (), ignore: Iterable[str] = ()) -> list[Rule]:
    """Rules whose code starts with a selected prefix (all when none) and no ignored one.

    An opt-in rule (``default_enabled=False``) is only chosen when ``select``
    names it explicitly: by its name, its code, or a code prefix longer than
    its family's (``ICE89`` selects ICE890, ``ICE8`` and ``ICE`` do not).
    """
    chosen = [c.upper() for c in select]
    dropped = [c.upper() for c in ignore]
    out = []
    for candidate in rules:
        if chosen and not any(candidate.code.startswith(p) or candidate.name == p.lower() for p in chosen):
            continue
        if not candidate.default_enabled and not any(_names_explicitly(candidate, p) for p in chosen):
            continue
        if any(candidate.code.startswith(p) or candidate.name == p.lower() for p in dropped):
            continue
        out.append(candidate)
    return out


def _names_explicitly(candidate: Rule, selector: str) -> bool:
    """True when ``selector`` (upper-cased) picks out ``candidate`` more narrowly than its family."""
    if candidate.name == selector.lower():
        return True
    return len(selector) > FAMILY_PREFIX_LENGTH and candidate.code.startswith(selector)


_CHOSEN: dict[tuple[Dialect, bool, tuple[str, ...], tuple[str, ...]], list[Rule]] = {}


def unknown_selector(values: Iterable[str]) -> str | None:
    """What is wrong with the first value that selects no rule, naming the closest real code or name.

    A value selects a rule when it is a rule's name or a prefix of its code
    (``ICE``, ``ICE5``, ``ICE501``), in any case.  A misspelt selector must
    not pass silently: ``select=["ICE9O1"]`` would report a clean file.
    """
    rules = all_rules()
    codes = [*rules, PARSE_ERROR[0], UNUSED_SUPPRESSION[0]]
    names = [r.name for r in rules.values()] + [PARSE_ERROR[1], UNUSED_SUPPRESSION[1]]
    for value in values:
        upper, lower = value.upper(), value.lower()
        if lower in names or any(code.startswith(upper) for code in codes):
            continue
        import difflib  # only for the hint of an error

        by_code = difflib.get_close_matches(upper, codes, n=1)
        by_name = difflib.get_close_matches(lower, names, n=1)
        close = by_code + by_name if upper.startswith("ICE") else by_name + by_code  # a name is no code
        hint = f"did you mean {close[0]}?" if close else "see 'icecfg rules'"
        return f"no rule code, prefix or name {value!r} ({hint})"
    return None


def _rules_for(dialect: Dialect, files: bool, select: tuple[str, ...], ignore: tuple[str, ...]) -> list[Rule]:
    """The rules one lint runs, worked out once per combination of options (checked then)."""
    key = (dialect, files, select, ignore)
    if key not in _CHOSEN:
        for option, values in (("select", select), ("ignore", ignore)):
            problem = unknown_selector(values)
            if problem is not None:
                raise ValueError(f"{option}: {problem}")
        rules = [
            r
            for r in selected(all_rules().values(), select, ignore)
            if dialect in r.dialects and (files or not r.needs_files)
        ]
        problem = None if rules else no_rule_left(dialect, files, select, ignore)
        if problem is not None:
            raise ValueError(f"select and ignore run no rule on {dialect.label}: {problem}")
        _CHOSEN[key] = rules
    return _CHOSEN[key]


def no_rule_left(dialect: Dialect, files: bool, select: Iterable[str], ignore: Iterable[str]) -> str | None:
    """Why ``select`` and ``ignore`` leave no rule to run on ``dialect``; None when one runs.

    A lint that runs nothing reports a clean file: ``select=["ICE608"]``
    (an Icecast-KH rule) on a 2.4 file, or a selection that ``ignore``
    takes back, would switch a CI gate off as surely as a typo.  The
    engine's own codes count: selecting only ICE002 still judges the
    suppressions.
    """
    select, ignore = list(select), list(ignore)
    if selected(
        [engine_rule(*PARSE_ERROR, Severity.ERROR), engine_rule(*UNUSED_SUPPRESSION, Severity.WARNING)], select, ignore
    ):
        return None
    chosen = selected(all_rules().values(), select, ignore)
    reasons = []
    for candidate in chosen:
        if dialect not in candidate.dialects:
            releases = " and ".join(d.label for d in Dialect if d in candidate.dialects)
            reasons.append(f"{candidate.code} checks only {releases}")
        elif candidate.needs_files and not files:
            reasons.append(f"{candidate.code} reads the server's files, which are not looked at")
        else:
            return None
    if not reasons:
        return "every rule selected is ignored"
    more = f" (and {len(reasons) - 2} more)" if len(reasons) > 2 else ""
    return "; ".join(reasons[:2]) + more


def lint(
    config: IcecastConfig,
    target: Dialect | str = Dialect.V24,
    root: str | None = None,
    *,
    select: Iterable[str] = (),
    ignore: Iterable[str] = (),
    files: bool = True,
    path: str | None = None,
    assets: Mapping[str, str | os.PathLike[str]] | None = None,
    variables: Mapping[str, str] | None = None,
    view: FileView | None = None,
    domain: str | None = None,
) -> list[Finding]:
    """Lint ``config`` for Icecast ``target``; server paths are looked up under ``root``.

    ``files=False`` skips the rules that read the server's files (certificate,
    fallback audio, log directory).  Suppression comments in the file apply;
    unused ones are reported as ICE002.  ``assets`` maps server paths to the
    local files bake installs there (``[bake.assets]``): they are looked up
    there instead of under ``root``.  ``variables`` renders the template
    placeholders of values (``${PORT}``, ``{{ port }}`` ...) before the rules
    run, on a copy: ``config`` itself is left as it is.  ``view`` is a ready
    view of the server's files that replaces ``root`` and ``assets`` (bake's
    :class:`~icecfg.files.ImageView`).  ``path`` names the file in findings
    (default: the file ``config`` was loaded from).  ``domain`` is the DNS
    name listeners connect to when it may differ from ``<hostname>``
    (``[bake] domain``, which ``icecfg up`` points at the droplet): the
    certificate must name it too (ICE410).

    Returns the findings sorted by position; a finding's ``fix``, when it has
    one, edits ``config`` (write it with :func:`icecfg.dump`).  Raises
    ValueError for a target that is no release (see :class:`~icecfg.spec.Dialect`)
    and for a ``select`` or ``ignore`` value that names no rule, or a
    selection that leaves no rule to run on the target (:func:`no_rule_left`).
    """
    # The collector stays paused until the context is gone: what it holds (an entry per element
    # of the file) is then freed by reference counts, not left for a collection to scan first.
    collecting = gc.isenabled()
    gc.disable()
    try:
        findings, context = linted(
            config,
            target,
            root,
            select=select,
            ignore=ignore,
            files=files,
            path=path,
            assets=assets,
            variables=variables,
            view=view,
            domain=domain,
        )
        del context
        return findings
    finally:
        if collecting:
            gc.enable()


def linted(
    config: IcecastConfig,
    target: Dialect | str = Dialect.V24,
    root: str | None = None,
    *,
    select: Iterable[str] = (),
    ignore: Iterable[str] = (),
    files: bool = True,
    path: str | None = None,
    assets: Mapping[str, str | os.PathLike[str]] | None = None,
    variables: Mapping[str, str] | None = None,
    view: FileView | None = None,
    domain: str | None = None,
) -> tuple[list[Finding], LintContext]:
    """:func:`lint`'s findings and the context the rules read, for a command that reports them.

    The context holds what the lint worked out about the file (every element
    placed along the table, its secrets): a command that masks passwords or
    advises a target asks it instead of walking a large file again.  With
    ``variables``, it is the context of the rendered copy.
    """
    dialect = Dialect(target)
    if not files:
        view = None
    elif view is None:
        view = FileView(root or "/", assets=assets)
    if variables is not None:
        from icecfg.lint.templating import rendered

        config = rendered(config, variables)
    ctx = LintContext(config, dialect, view, path)
    ctx.variables = variables
    ctx.domain = domain
    select = list(select)
    ignore = list(ignore)
    findings: list[Finding] = []
    # Rules and suppressions make many short-lived objects over a tree of tens
    # of thousands of nodes; the cyclic collector would rescan that tree again
    # and again (at 100,000 mounts the suppressions alone took 8x longer with it).
    collecting = gc.isenabled()
    gc.disable()
    try:
        config.document.root.read_all()  # the rules visit every element: read them in one pass
        for candidate in _rules_for(dialect, view is not None, tuple(select), tuple(ignore)):
            _stamp(ctx, candidate, findings)
        findings = _apply_suppressions(config, ctx, findings, select, ignore)
        return sorted(findings, key=Finding.sort_key), ctx
    finally:
        if collecting:
            gc.enable()


def _stamp(ctx: LintContext, candidate: Rule, findings: list[Finding]) -> None:
    """Add what ``candidate`` yields to ``findings``, with its code, name and severity.

    Those about a placeholder are dropped.  A loop that appends, not a
    generator that ``list.extend`` drains: most rules find nothing in a
    small file, and each lint ran seventy such generators for it.
    """
    append = findings.append
    pop = ctx.made.pop
    code, name, severity = candidate.code, candidate.name, candidate.severity
    for finding in candidate.check(ctx):
        finding.code, finding.name = code, name
        made = pop(id(finding), None)
        if made is None or made[0] is not finding:
            # not made by ctx.finding (or another object that happens to have the id of one
            # made and dropped before): nothing to judge it by but its rule
            finding.severity = severity
            append(finding)
            continue
        _made, element, attribute, own_severity = made
        finding.severity = own_severity if own_severity is not None else severity
        if not _about_placeholder(ctx, candidate, element, attribute):
            append(finding)


def _about_placeholder(ctx: LintContext, candidate: Rule, element: Element, attribute: str | None) -> bool:
    """A finding judging a value that is an unrendered placeholder would judge the template tool's text.

    Rules about an element's presence or place (structure, dialect) stand
    whatever its value; every other finding on a templated value is one
    of a cascade that the placeholder finding (ICE003) already explains.
    """
    if candidate.family == "templates" or candidate.code in _WHATEVER_THE_VALUE:
        return False
    if attribute is not None:
        return ctx.templated(element, attribute)
    return candidate.family not in _PLACE_FAMILIES and ctx.templated(element)


#: Rule families that judge where an element stands, not what its value is.
_PLACE_FAMILIES = frozenset({"structure", "dialect"})
#: Rules whose finding on a templated value stands however it is rendered:
#: passwords sent without TLS (ICE409), and one placeholder used for two
#: passwords, which renders to the same secret twice (ICE503).
_WHATEVER_THE_VALUE = frozenset({"ICE409", "ICE503"})


def _apply_suppressions(
    config: IcecastConfig, ctx: LintContext, findings: list[Finding], select: list[str], ignore: list[str]
) -> list[Finding]:
    suppressions = collect(config.document)
    if not suppressions:
        return findings
    kept = []
    used: set[int] = set()  # positions in ``suppressions`` of those that silenced a finding
    by_line = _by_line(suppressions)
    whole_file = by_line.get(None, [])
    for finding in findings:
        line = finding.anchor_line or finding.line
        candidates = sorted([*by_line.get(line, ()), *whole_file]) if whole_file else by_line.get(line)
        if candidates:
            code = finding.code
            for index in candidates:  # a loop, not next() over a generator: asked for every finding
                if suppressions[index].covers(code, line):
                    used.add(index)
                    break
            else:
                kept.append(finding)
        else:
            kept.append(finding)
    unused_rule = engine_rule(*UNUSED_SUPPRESSION, Severity.WARNING)
    if selected([unused_rule], select, ignore):
        code, name, severity, path = unused_rule.code, unused_rule.name, unused_rule.severity, ctx.path
        for index, suppression in enumerate(suppressions):
            if index in used:
                continue
            codes = ", ".join(suppression.codes) or "all rules"
            message = f"suppression of {codes} matches no finding; remove it"
            line, column, end_line = suppression.line, suppression.column, suppression.end_line
            kept.append(Finding(code, name, severity, message, path, line, column, end_line, 0, -1))
    return kept


def _by_line(suppressions: list[Suppression]) -> dict[int | None, list[int]]:
    """Positions in ``suppressions`` of those that can cover each line (None: every line).

    Looking up a finding's line here instead of asking every directive keeps a
    file with a directive per mount from costing findings x directives.
    """
    out: dict[int | None, list[int]] = {}
    for index, suppression in enumerate(suppressions):
        if suppression.whole_file:
            lines: set[int | None] = {None}
        else:
            lines = {suppression.line, suppression.end_line}
            if suppression.own_line:
                lines.add(suppression.end_line + 1)
        for line in lines:
            out.setdefault(line, []).append(index)
    return out


def engine_rule(code: str, name: str, severity: Severity) -> Rule:
    """A registry-shaped stand-in for the engine's own codes, so --select/--ignore apply to them."""
    return Rule(code, name, severity, "engine", lambda _ctx: (), frozenset(Dialect))


def parse_error_finding(error: ParseError, path: str) -> Finding:
    """A file icecfg cannot read is a finding (ICE001), not a crash."""
    return Finding(
        code=PARSE_ERROR[0],
        name=PARSE_ERROR[1],
        severity=Severity.ERROR,
        message=error.message,
        path=path,
        line=error.line or 1,
        column=error.column or 1,
        end_line=error.line or 1,
    )
