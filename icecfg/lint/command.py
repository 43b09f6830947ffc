"""``icecfg lint``: lint files, print findings in the chosen format, exit with a status for CI.

Exit status: 0 when no finding is at or above ``--fail-on``; 1 when some
are (a file that is not well-formed XML is such a finding, ICE001); 2 for a
usage error, a settings file that cannot be used, or a file that cannot be
read.
"""

from __future__ import annotations

import argparse
import difflib
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

from icecfg import settings as settings_module
from icecfg.errors import ParseError
from icecfg.io import dump, dumps, loads
from icecfg.lint import report
from icecfg.lint.engine import engine_rule, lint, parse_error_finding, selected
from icecfg.lint.finding import Finding, Severity
from icecfg.lint.rule import all_rules
from icecfg.lint.target import Target, choose, suggestion
from icecfg.spec import Dialect

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
FORMATS = ("text", "json", "sarif", "github")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths",
        nargs="+",
        metavar="PATH",
        help="icecast.xml files, directories (searched for *.xml), or - for stdin",
    )
    parser.add_argument(
        "--target",
        choices=[d.value for d in Dialect],
        help="Icecast release to check against (default: the icecast installed here, else 2.4)",
    )
    parser.add_argument(
        "--format", choices=FORMATS, help="output format (default text; github when GITHUB_ACTIONS=true)"
    )
    parser.add_argument(
        "--select",
        action="append",
        default=None,
        metavar="CODES",
        help="only these rule codes, names or prefixes (comma-separated, repeatable)",
    )
    parser.add_argument(
        "--ignore",
        action="append",
        default=None,
        metavar="CODES",
        help="skip these rule codes, names or prefixes",
    )
    parser.add_argument(
        "--fail-on",
        choices=[s.value for s in Severity],
        help="lowest severity that makes the exit status 1 (default warning)",
    )
    parser.add_argument(
        "--root",
        metavar="DIR",
        help="look up server paths (webroot, certificate, logdir, fallback files) under DIR instead of /",
    )
    parser.add_argument(
        "--no-fs", action="store_true", default=None, help="skip the checks that read the server's files"
    )
    parser.add_argument(
        "--fix",
        action="store_true",
        help="apply the safe fixes to the files (only the lines concerned change)",
    )
    parser.add_argument("--diff", action="store_true", help="show the safe fixes as a unified diff, change nothing")
    parser.add_argument("--exit-zero", action="store_true", help="exit 0 even when there are findings")
    parser.add_argument(
        "--var",
        action="append",
        default=None,
        metavar="NAME=VALUE",
        help="render template placeholders such as ${NAME} with VALUE before linting (repeatable; "
        "visible in the process list, so pass secrets with --vars-file or --vars-from-env)",
    )
    parser.add_argument(
        "--vars-file", metavar="FILE", help="render template placeholders with the NAME=VALUE lines of FILE (.env)"
    )
    parser.add_argument(
        "--vars-from-env",
        action="store_true",
        help="render template placeholders with this process's environment variables",
    )
    parser.add_argument("--config", metavar="FILE", help="use this settings file instead of searching for one")
    parser.add_argument("--isolated", action="store_true", help="ignore every settings file")


@dataclass
class Options:
    target: Target
    select: list[str]
    ignore: list[str]
    fail_on: Severity
    root: str | None
    files: bool
    output: str
    #: Values for template placeholders; None when no rendering was asked for.
    variables: dict[str, str] | None = None


@dataclass
class FileResult:
    path: str
    findings: list[Finding] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    secrets: frozenset[str] = frozenset()
    fail_on: Severity = Severity.WARNING
    target: Target | None = None
    #: Advice to give --target when the assumed release does not fit the file.
    suggestion: str | None = None


def _codes(values: list[str] | None) -> list[str] | None:
    if values is None:
        return None
    return [c.strip() for value in values for c in value.split(",") if c.strip()]


def _options(args: argparse.Namespace, settings: settings_module.Settings) -> Options:
    def pick(name: str, key: str, default: object) -> object:
        value = getattr(args, name)
        return value if value is not None else settings.get(key, default)

    try:
        target = choose(args.target, settings.get("target"), settings.path)
    except ValueError:
        raise settings_module.SettingsError(f"{settings.path}: target must be one of 2.4, 2.5, kh") from None
    select = _codes(args.select)
    if select is None:
        select = list(settings.get("select", [])) + list(settings.get("extend-select", []))
        if not settings.get("select") and settings.get("extend-select"):
            select = [r.code for r in selected(all_rules().values())] + list(settings.get("extend-select", []))
    ignore = _codes(args.ignore)
    if ignore is None:
        ignore = list(settings.get("ignore", []))
    root = args.root if args.root is not None else settings.get("root")
    if root is not None and args.root is None:
        root = settings.resolve(str(root))
    output = (
        args.format or settings.get("format") or ("github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text")
    )
    if output not in FORMATS:
        raise settings_module.SettingsError(f"{settings.path}: format must be one of {', '.join(FORMATS)}")
    try:
        fail_on = Severity(str(pick("fail_on", "fail-on", "warning")))
    except ValueError:
        raise settings_module.SettingsError(f"{settings.path}: fail-on must be error, warning or info") from None
    files = not bool(pick("no_fs", "no-fs", False))
    return Options(target, select, ignore, fail_on, root, files, output)


def expand(paths: list[str]) -> list[str]:
    """Files to lint: given files, ``*.xml`` below given directories, ``-`` as is."""
    found: list[str] = []
    for name in paths:
        path = Path(name)
        if name != "-" and path.is_dir():
            found.extend(str(p) for p in sorted(path.rglob("*.xml")) if p.is_file())
        else:
            found.append(name)
    return found


def run(args: argparse.Namespace) -> int:
    """The ``lint`` command; returns the exit status."""
    if args.fix and args.diff:
        print("icecfg lint: --fix and --diff exclude each other", file=sys.stderr)
        return EXIT_USAGE
    try:
        variables = _variables(args)
    except ValueError as err:
        print(f"icecfg lint: {err}", file=sys.stderr)
        return EXIT_USAGE
    files = expand(args.paths)
    if not files:
        print(f"icecfg lint: no *.xml files in {' '.join(args.paths)}", file=sys.stderr)
        return EXIT_USAGE
    status = EXIT_OK
    results: list[FileResult] = []
    output = "text"
    for name in files:
        try:
            settings = _settings_for(args, name)
            options = _options(args, settings)
            options.variables = variables
        except settings_module.SettingsError as err:
            print(f"icecfg lint: {err}", file=sys.stderr)
            return EXIT_USAGE
        output = options.output
        try:
            data = sys.stdin.buffer.read() if name == "-" else Path(name).read_bytes()
        except OSError as err:
            print(f"icecfg lint: cannot read {name}: {err.strerror or err}", file=sys.stderr)
            status = EXIT_USAGE
            continue
        results.append(_lint_one(name, data, options, args))
    print_report(results, output)
    if status == EXIT_USAGE:
        return status
    if args.exit_zero:
        return EXIT_OK
    failing = any(f.severity.rank >= r.fail_on.rank for r in results for f in r.findings)
    return EXIT_FINDINGS if failing else EXIT_OK


def _variables(args: argparse.Namespace) -> dict[str, str] | None:
    """Values for template placeholders: the environment, then --vars-file, then --var (last wins).

    The environment is read only with --vars-from-env: a lint whose result
    depends on the shell it runs in would not be reproducible, and a silent
    read would turn any variable that happens to share a placeholder's name
    into a value.
    """
    if not (args.var or args.vars_file or args.vars_from_env):
        return None
    if args.fix or args.diff:
        raise ValueError("--fix and --diff edit the template itself; they cannot be combined with rendering")
    from icecfg.lint.templating import parse_assignment, read_vars_file

    variables: dict[str, str] = dict(os.environ) if args.vars_from_env else {}
    if args.vars_file:
        variables.update(read_vars_file(Path(args.vars_file)))
    for assignment in args.var or ():
        name, value = parse_assignment(assignment, "--var")
        variables[name] = value
    return variables


def _settings_for(args: argparse.Namespace, name: str) -> settings_module.Settings:
    if args.isolated:
        return settings_module.Settings()
    if args.config:
        return settings_module.load(Path(args.config))
    return settings_module.find(Path.cwd() if name == "-" else Path(name))


def _lint_one(name: str, data: bytes, options: Options, args: argparse.Namespace) -> FileResult:
    shown = "-" if name == "-" else name
    result = FileResult(shown, fail_on=options.fail_on, target=options.target)
    try:
        config = loads(data, shown)
    except ParseError as err:
        result.lines = data.decode("utf-8", errors="replace").splitlines()
        finding = parse_error_finding(err, shown)
        if selected([engine_rule(finding.code, finding.name, finding.severity)], options.select, options.ignore):
            result.findings.append(finding)
        return result
    result.lines = config.document.render().splitlines()
    result.suggestion = suggestion(config.document.root, options.target)
    findings = lint(
        config,
        options.target.dialect,
        options.root,
        select=options.select,
        ignore=options.ignore,
        files=options.files,
        path=shown,
        variables=options.variables,
    )
    from icecfg.lint.context import LintContext

    result.secrets = LintContext(config, options.target.dialect, None, shown).secrets
    if options.variables is not None:
        from icecfg.lint.templating import rendered

        rendered_config = rendered(config, options.variables)
        result.secrets |= LintContext(rendered_config, options.target.dialect, None, shown).secrets
        for finding in findings:  # a fix of the rendered copy would write rendered values (secrets) back
            finding.fix = None
    if (args.fix or args.diff) and any(f.fix is not None for f in findings):
        before = dumps(config)
        for finding in findings:
            if finding.fix is not None:
                finding.fix()
        after = dumps(config)
        if args.diff:
            # show the fixes; the findings reported are those of the file as it is
            sys.stdout.write(_diff(shown, before, after, result.secrets))
        else:
            if name != "-":
                dump(config, name)
            # report what is left after fixing
            config = loads(after, shown)
            findings = lint(
                config,
                options.target.dialect,
                options.root,
                select=options.select,
                ignore=options.ignore,
                files=options.files,
                path=shown,
            )
            result.lines = config.document.render().splitlines()
    result.findings = findings
    return result


def _diff(name: str, before: bytes, after: bytes, secrets: frozenset[str]) -> str:
    text = "".join(
        difflib.unified_diff(
            before.decode("utf-8", errors="replace").splitlines(True),
            after.decode("utf-8", errors="replace").splitlines(True),
            fromfile=f"a/{name}",
            tofile=f"b/{name}",
        )
    )
    return report.masked(text, secrets)


def print_report(results: list[FileResult], output: str) -> None:
    findings = sorted((f for r in results for f in r.findings), key=Finding.sort_key)
    secrets: frozenset[str] = frozenset().union(*(r.secrets for r in results))
    targets = {r.path: r.target for r in results if r.target is not None}
    if output == "json":
        extra = {
            p: {"target": t.dialect.value, "target_origin": t.origin, "target_reason": t.reason}
            for p, t in targets.items()
        }
        text = report.json(findings, secrets=secrets, extra=extra)
    elif output == "sarif":
        used = [{"release": t.dialect.value, "origin": t.origin, "reason": t.reason} for t in targets.values()]
        distinct = [dict(item) for item in dict.fromkeys(tuple(u.items()) for u in used)]
        text = report.sarif(findings, all_rules(), secrets=secrets, properties={"targets": distinct})
    elif output == "github":
        text = report.github(findings, secrets=secrets)
    else:
        color = sys.stdout.isatty() and "NO_COLOR" not in os.environ
        notes = list(dict.fromkeys(t.describe() for t in targets.values()))
        notes += [f"{r.path}: {r.suggestion}" for r in results if r.suggestion]
        sources = {r.path: r.lines for r in results}
        text = report.text(findings, sources, {r.path: r.secrets for r in results}, color, notes)
    if text:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
