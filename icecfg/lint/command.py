"""``icecfg lint``: lint files, print findings in the chosen format, exit with a status for CI.

Exit status: 0 when no finding is at or above ``--fail-on``; 1 when some
are (a file that is not well-formed XML is such a finding, ICE001), or when
``--fix`` could not write a file (each refused file gets one line on stderr
and the other files are still fixed and reported); 2 for a
usage error (an unknown rule code, name or severity included), a settings
file that cannot be used, or a file that cannot be read.

A CI gate must not pass by accident: a typo in ``--select`` is an error, not
an empty selection; nothing says "passed" when a file was not linted; and
when stdout carries something else (the diff of ``--diff``, the fixed text of
``--fix -``) the findings go to stderr so the two never mix.
"""

from __future__ import annotations

import argparse
import difflib
import fnmatch
import os
import re
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from icecfg import settings as settings_module
from icecfg.commands import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    UsageError,
    add_target_argument,
    guarded,
    read_or_usage_error,
    root_directory,
    settings_named,
    settings_near,
)
from icecfg.document import Lines
from icecfg.errors import ParseError, WriteError
from icecfg.io import dump, dumps, loads
from icecfg.lint import report
from icecfg.lint.engine import (
    engine_rule,
    linted,
    no_rule_left,
    parse_error_finding,
    selected,
    unknown_selector,
)
from icecfg.lint.finding import Finding, Severity
from icecfg.lint.rule import all_rules
from icecfg.placement import Placed, walk
from icecfg.records import Record
from icecfg.secrets import placed_secrets
from icecfg.spec import Dialect
from icecfg.target import Target, choose, suggestion

if TYPE_CHECKING:
    from icecfg.diff import PatchNames
    from icecfg.lint.context import LintContext
    from icecfg.sections import IcecastConfig

#: Exit status 1: findings at or above ``--fail-on``.
EXIT_FINDINGS = EXIT_FAILED
FORMATS = settings_module.FORMATS
#: Folders of version control systems, never searched.
VCS_DIRS = frozenset({".git", ".hg", ".svn", ".bzr", "_darcs", "CVS", ".jj", ".pijul", ".fossil"})
#: Fix passes at most: a fix can make another fix applicable (ICE209 writes 4, ICE804 then writes 3).
MAX_FIX_PASSES = 10


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths",
        nargs="*",
        default=["."],
        metavar="PATH",
        help="icecast.xml files, directories (searched for *.xml whose root is <icecast>), or - for stdin "
        "(default: the current directory)",
    )
    add_target_argument(
        parser,
        "Icecast release to check against (default: the settings' target, else the icecast installed here, else 2.4)",
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
        metavar="SEVERITY",
        help="lowest severity that makes the exit status 1: error, warning (default) or info",
    )
    # one or the other, as for migrate (docs/lint.md): --no-fs would silently drop the tree
    files = parser.add_mutually_exclusive_group()
    files.add_argument(
        "--root",
        metavar="DIR",
        help="look up server paths (webroot, certificate, logdir, fallback files) under DIR instead of /",
    )
    files.add_argument(
        "--no-fs", action="store_true", default=None, help="skip the checks that read the server's files"
    )
    parser.add_argument(
        "--fix",
        action="store_true",
        help="apply the safe fixes to the files (only the lines concerned change); with - the fixed text "
        "goes to stdout and the findings to stderr",
    )
    parser.add_argument(
        "--diff",
        action="store_true",
        help="print the safe fixes as a unified diff on stdout (findings go to stderr), change nothing",
    )
    parser.add_argument("--exit-zero", action="store_true", help="exit 0 even when there are findings")
    parser.add_argument(
        "--exclude",
        action="append",
        default=None,
        metavar="GLOB",
        help="skip files and folders matching GLOB when searching directories (repeatable)",
    )
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
    parser.add_argument(
        "--settings", metavar="FILE", help="use this settings file (icecfg.toml) instead of searching for one"
    )
    # --config was the settings file until it became clear that bake, up, down,
    # status and cost use --config for icecast.xml; kept one release, with a warning.
    parser.add_argument("--config", dest="deprecated_config", metavar="FILE", help=argparse.SUPPRESS)
    parser.add_argument("--isolated", action="store_true", help="ignore every settings file")


class Options(Record):
    __slots__ = (
        "assets",
        "choice",
        "domain",
        "fail_on",
        "files",
        "ignore",
        "output",
        "root",
        "select",
        "target",
        "variables",
    )

    target: Dialect
    select: list[str]
    ignore: list[str]
    fail_on: Severity
    root: str | None
    files: bool
    output: str
    assets: dict[str, Path]
    #: Values for template placeholders; None when no rendering was asked for.
    variables: dict[str, str] | None
    #: Where the target came from (option, settings, installed Icecast, default), for the report.
    choice: Target | None
    #: ``[bake] domain``: the DNS name listeners of the baked station connect to (ICE410).
    domain: str | None

    def __init__(
        self,
        target: Dialect,
        select: list[str],
        ignore: list[str],
        fail_on: Severity,
        root: str | None,
        files: bool,
        output: str,
        assets: dict[str, Path] | None = None,
        variables: dict[str, str] | None = None,
        choice: Target | None = None,
        domain: str | None = None,
    ) -> None:
        self.target = target
        self.select = select
        self.ignore = ignore
        self.fail_on = fail_on
        self.root = root
        self.files = files
        self.output = output
        self.assets = {} if assets is None else assets
        self.variables = variables
        self.choice = choice
        self.domain = domain


class FileResult(Record):
    __slots__ = (
        "diffed",
        "fail_on",
        "findings",
        "fixed",
        "lines",
        "path",
        "secrets",
        "suggestion",
        "target",
        "unwritten",
    )

    path: str
    findings: list[Finding]
    #: The file's lines as findings number them, for the text report (:class:`icecfg.document.Lines`).
    lines: Sequence[str]
    secrets: frozenset[str]
    fail_on: Severity
    #: Findings whose fix was applied by --fix.
    fixed: list[Finding]
    target: Target | None
    #: Advice to give --target when the assumed release does not fit the file.
    suggestion: str | None
    #: Why --fix could not write the file (changed on disk, owner not keepable), else None.
    unwritten: str | None
    #: --diff printed a diff of the file's fixes.
    diffed: bool

    def __init__(
        self,
        path: str,
        findings: list[Finding] | None = None,
        lines: Sequence[str] | None = None,
        secrets: frozenset[str] = frozenset(),
        fail_on: Severity = Severity.WARNING,
        fixed: list[Finding] | None = None,
        target: Target | None = None,
        suggestion: str | None = None,
        unwritten: str | None = None,
    ) -> None:
        self.path = path
        self.diffed = False
        self.findings = [] if findings is None else findings
        self.lines = () if lines is None else lines
        self.secrets = secrets
        self.fail_on = fail_on
        self.fixed = [] if fixed is None else fixed
        self.target = target
        self.suggestion = suggestion
        self.unwritten = unwritten


def _codes(values: list[str] | None, flag: str) -> list[str] | None:
    """The comma-separated selectors of a repeatable flag; None when it was not given.

    A value with no selector at all (``--select ""``, mostly an unset shell
    variable in a CI script) is a usage error: it cannot say what was meant.
    """
    if values is None:
        return None
    for value in values:
        if not value.replace(",", "").strip():
            raise UsageError(f"{flag}: {value!r} names no rule (give codes, names or prefixes, comma-separated)")
    return [c.strip() for value in values for c in value.split(",") if c.strip()]


# -- rule selectors ----------------------------------------------------------------


def check_selectors(values: Iterable[str], where: str) -> None:
    """UsageError for the first value that selects no rule (:func:`unknown_selector`).

    ``where`` says where the value came from (``--select``, ``icecfg.toml:3: select``).
    """
    problem = unknown_selector(values)
    if problem is not None:
        raise UsageError(f"{where}: {problem}")


def severity_of(value: str, where: str) -> Severity:
    try:
        return Severity(value.lower())
    except ValueError:
        words = [s.value for s in Severity]
        close = difflib.get_close_matches(value.lower(), words, n=1)
        hint = f"did you mean {close[0]}?" if close else "error, warning or info"
        raise UsageError(f"{where}: no severity {value!r} ({hint})") from None


def _options(args: argparse.Namespace, settings: settings_module.Settings) -> Options:
    def origin(key: str) -> str:
        return f"{settings.where(key)}: {key}"

    choice = choose(args.target, settings.target, settings.path)
    # the settings' selectors are checked even when flags override them: a typo there
    # would switch the gate off for whoever runs without the flags
    for key in ("select", "extend-select", "ignore"):
        check_selectors(settings.get(key, []), origin(key))
    select = _codes(args.select, "--select")
    if select is None:
        select = list(settings.get("select", [])) + list(settings.get("extend-select", []))
        if not settings.get("select") and settings.get("extend-select"):
            select = [r.code for r in selected(all_rules().values())] + list(settings.get("extend-select", []))
    else:
        check_selectors(select, "--select")
    ignore = _codes(args.ignore, "--ignore")
    if ignore is None:
        ignore = list(settings.get("ignore", []))
    else:
        check_selectors(ignore, "--ignore")
    root = args.root if args.root is not None else settings.get("root")
    if root is not None and args.root is None:
        root = settings.resolve(str(root))
    output = (
        args.format or settings.get("format") or ("github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text")
    )
    if args.fail_on is not None:
        fail_on = severity_of(args.fail_on, "--fail-on")
    else:
        fail_on = Severity(settings.get("fail-on", "warning"))
    # a flag wins over the settings: --root names a tree to read, --no-fs reads none
    flagged = args.no_fs is not None or args.root is not None
    files = not (args.no_fs if flagged else settings.get("no-fs", False))
    if files:
        root = root_directory(root, "--root" if args.root is not None else origin("root") + " =")
    left = no_rule_left(choice.dialect, files, select, ignore)
    if left is not None:
        # a lint that runs nothing would report the file clean: the gate off, as with a typo
        given = [flag for flag, value in (("--select", args.select), ("--ignore", args.ignore)) if value is not None]
        unflagged = (["select", "extend-select"] if args.select is None else []) + (
            ["ignore"] if args.ignore is None else []
        )
        given += [origin(key) for key in unflagged if key in settings.lint]
        verb = "leaves" if len(given) == 1 else "leave"
        raise UsageError(f"{' and '.join(given)} {verb} no rule to run on {choice.dialect.label} ({left})")
    # --root names a whole image tree, taken as it is; without it the server's paths are
    # those of this machine, except the assets bake will install ([bake.assets])
    assets = settings.assets() if root is None else {}
    domain = settings.bake.get("domain")
    return Options(choice.dialect, select, ignore, fail_on, root, files, output, assets, choice=choice, domain=domain)


# -- which files -------------------------------------------------------------------------


_ROOT_TAG = re.compile(r"<(?:[A-Za-z_][\w.\-]*:)?([A-Za-z_][\w.\-]*)")


def has_icecast_root(path: Path) -> bool:
    """Whether ``path``'s root element is ``<icecast>`` (read from its first 64 KiB)."""
    try:
        with path.open("rb") as handle:
            head = handle.read(65536)
    except OSError:
        return True  # let the lint say why it cannot be read
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = head.decode("utf-16", errors="ignore")
    else:
        text = head.decode("utf-8", errors="ignore").lstrip("\ufeff")
    at = 0
    while True:
        while at < len(text) and text[at].isspace():
            at += 1
        if text.startswith("<?", at):
            end = _after(text, "?>", at)
        elif text.startswith("<!--", at):
            end = _after(text, "-->", at)
        elif text.startswith("<!", at):  # a DOCTYPE, perhaps with an internal subset
            close = text.find(">", at)
            bracket = text.find("[", at)
            if 0 <= bracket < close:
                close = text.find(">", max(text.find("]", bracket), bracket))
            end = close + 1 if close >= 0 else -1
        else:
            match = _ROOT_TAG.match(text, at)
            return match is not None and match[1] == "icecast"
        if end < 0:
            return False
        at = end


def _after(text: str, marker: str, start: int) -> int:
    """The index just past ``marker`` found from ``start``; -1 when it is not there."""
    found = text.find(marker, start)
    return found + len(marker) if found >= 0 else -1


def _excluded(relative: str, patterns: Iterable[str]) -> bool:
    name = relative.rsplit("/", 1)[-1]
    return any(fnmatch.fnmatchcase(relative, p) or fnmatch.fnmatchcase(name, p) for p in patterns)


def expand(paths: list[str], exclude: Iterable[str] = ()) -> list[str]:
    """Files to lint: given files and ``-`` as they are; below given directories, ``*.xml`` files
    whose root is ``<icecast>``, skipping hidden and version-control folders and ``exclude`` globs.

    A glob matches a path relative to the directory searched, or a single file
    or folder name (``--exclude backup`` skips every folder called backup).
    """
    patterns = list(exclude)
    found: list[str] = []
    for name in paths:
        top = Path(name)
        if name == "-" or not top.is_dir():
            found.append(name)
            continue
        for directory, subdirs, filenames in os.walk(top):
            relative_dir = Path(directory).relative_to(top).as_posix()

            def relative(entry: str, base: str = relative_dir) -> str:
                return entry if base == "." else f"{base}/{entry}"

            subdirs[:] = sorted(
                d
                for d in subdirs
                if not d.startswith(".") and d not in VCS_DIRS and not _excluded(relative(d), patterns)
            )
            for filename in sorted(filenames):
                if filename.startswith(".") or not filename.endswith(".xml"):
                    continue
                if _excluded(relative(filename), patterns):
                    continue
                path = Path(directory) / filename
                if path.is_file() and has_icecast_root(path):
                    found.append(str(path))
    return found


# -- the command -----------------------------------------------------------------------------


def run(args: argparse.Namespace) -> int:
    """The ``lint`` command; returns the exit status."""
    return guarded("lint", lambda: _run(args))


def _run(args: argparse.Namespace) -> int:
    if args.fix and args.diff:
        raise UsageError("--fix and --diff exclude each other")
    if args.deprecated_config is not None:
        print(
            "icecfg lint: --config is deprecated for the settings file; use --settings "
            "(--config names icecast.xml in bake, up, down, status and cost)",
            file=sys.stderr,
        )
        args.settings = args.settings or args.deprecated_config
    if args.paths.count("-") > 1:  # the second read would find nothing, reported as a file that is not XML
        raise UsageError("standard input (-) is named twice: it can be read once")
    variables = _variables(args)
    explicit = _settings_file(args)
    exclude = list(args.exclude or [])
    files: list[str] = []
    for name in args.paths:
        if name != "-" and Path(name).is_dir():
            settings = explicit or settings_near(name)
            files += expand([name], [*exclude, *settings.get("exclude", [])])
        else:
            files.append(name)
    if not files:
        raise UsageError(f"no *.xml files with an <icecast> root in {' '.join(args.paths)}")
    # stdout carries the diff, or the fixed text of stdin: the findings go to stderr
    to_stderr = args.diff or (args.fix and "-" in files)
    out = sys.stderr if to_stderr else sys.stdout
    where = _patch_names(files) if args.diff else None
    results: list[FileResult] = []
    unread: list[str] = []
    output = "text"
    for name in files:
        options = _options(args, explicit or settings_near(name))
        options.variables = variables
        output = options.output
        try:
            data = read_or_usage_error(name, stdin=True)
        except UsageError as err:  # one unreadable file does not stop the others
            print(f"icecfg lint: {err}", file=sys.stderr)
            unread.append(name)
            continue
        result = _lint_one(name, data, options, args, where)
        if result.unwritten is not None:  # one refused write does not stop the other files
            print(f"icecfg lint: {result.unwritten}", file=sys.stderr)
        results.append(result)
    advice = where.advice() if where is not None and any(r.diffed for r in results) else None
    if advice:
        print(f"icecfg lint: {advice}", file=sys.stderr)
    print_report(results, output, out, unread)
    if unread:
        return EXIT_USAGE
    if any(r.unwritten is not None for r in results):
        return EXIT_FAILED
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
        raise UsageError("--fix and --diff edit the template itself; they cannot be combined with rendering")
    from icecfg.lint.templating import VariablesError, parse_assignment, read_vars_file

    try:
        variables: dict[str, str] = dict(os.environ) if args.vars_from_env else {}
        if args.vars_file:
            variables.update(read_vars_file(Path(args.vars_file)))
        for assignment in args.var or ():
            name, value = parse_assignment(assignment, "--var")
            variables[name] = value
    except VariablesError as err:
        raise UsageError(str(err)) from None
    return variables


def _settings_file(args: argparse.Namespace) -> settings_module.Settings | None:
    """The settings named with ``--settings`` (empty ones with ``--isolated``), else None: search."""
    if args.isolated:
        return settings_module.Settings()
    if args.settings:
        return settings_named(args.settings)
    return None


def _lint(config: IcecastConfig, options: Options, shown: str) -> list[Finding]:
    return _linted(config, options, shown)[0]


def _linted(config: IcecastConfig, options: Options, shown: str) -> tuple[list[Finding], LintContext]:
    return linted(
        config,
        options.target,
        options.root,
        select=options.select,
        ignore=options.ignore,
        files=options.files,
        path=shown,
        assets=options.assets,
        variables=options.variables,
        domain=options.domain,
    )


def _patch_names(files: list[str]) -> PatchNames:
    """The names the diff gives the files; standard input among others is a usage error, before any is read."""
    from icecfg.diff import StdinAmongFiles, patch_names  # only for --diff

    try:
        return patch_names(files)
    except StdinAmongFiles as err:
        raise UsageError(f"--diff: {err}") from None


def _lint_one(
    name: str, data: bytes, options: Options, args: argparse.Namespace, where: PatchNames | None = None
) -> FileResult:
    shown = "-" if name == "-" else name
    result = FileResult(shown, fail_on=options.fail_on, target=options.choice)
    try:
        config = loads(data, shown)
    except ParseError as err:
        result.lines = Lines(data.decode("utf-8", errors="replace"))
        finding = parse_error_finding(err, shown)
        if selected([engine_rule(finding.code, finding.name, finding.severity)], options.select, options.ignore):
            result.findings.append(finding)
        if args.fix and name == "-":
            sys.stdout.buffer.write(data)  # nothing to fix in what cannot be read: pass it through
        return result
    result.lines = Lines(config.document.render())
    findings, context = _linted(config, options, shown)
    if options.variables is None:
        # the lint's own walk of the file: a large file is not walked again for these
        placed: Iterable[Placed] = context.placed
        result.secrets = context.secrets
    else:  # the lint read the rendered copy: its secrets, and those of the file as written
        placed = list(walk(config.document.root))  # one walk for the secrets and the advice
        result.secrets = context.secrets | placed_secrets(placed)
        for finding in findings:  # a fix of the rendered copy would write rendered values (secrets) back
            finding.fix = None
    if options.choice is not None:
        result.suggestion = suggestion(placed, options.choice)
    result.findings = findings
    if not (args.fix or args.diff):
        return result
    before = dumps(config)
    fixed_config, fixed = fix_all(config, findings, options, shown)
    after = dumps(fixed_config)
    if where is not None:  # --diff: show the fixes; the findings reported are those of the file as it is
        result.diffed = _print_diff(name, before, after, result.secrets, fixed_config, where)
        return result
    if name == "-":
        sys.stdout.buffer.write(after)
        sys.stdout.buffer.flush()
    elif fixed:
        try:
            dump(fixed_config, name, expected=config.loaded)  # refused if the file changed since it was read
        except WriteError as err:
            result.unwritten = str(err)
        except OSError as err:
            result.unwritten = f"{name}: cannot write: {err.strerror or err}; nothing written"
        if result.unwritten is not None:
            return result  # the findings of the file as it is on disk: nothing was fixed
    if fixed:
        # report what is left after fixing
        result.fixed = fixed
        result.findings = _lint(fixed_config, options, shown)
        result.lines = Lines(fixed_config.document.render())
    return result


def fix_all(
    config: IcecastConfig, findings: list[Finding], options: Options, shown: str
) -> tuple[IcecastConfig, list[Finding]]:
    """Apply every safe fix, linting again until none is left; the fixed configuration and what was fixed.

    One fix can make another applicable (ICE209 turns ``debug`` into 4, which
    ICE804 then lowers to 3), so fixing runs in passes, at most
    :data:`MAX_FIX_PASSES`, each on the re-read text so that every rule sees
    the configuration exactly as it will be written.
    """
    fixed: list[Finding] = []
    for _ in range(MAX_FIX_PASSES):
        fixable = [f for f in findings if f.fix is not None]
        if not fixable:
            break
        for finding in fixable:
            assert finding.fix is not None
            finding.fix()
            fixed.append(finding)
        config = loads(dumps(config), shown)
        findings = _lint(config, options, shown)
    return config, fixed


def _print_diff(
    name: str, before: bytes, after: bytes, secrets: frozenset[str], fixed: IcecastConfig, where: PatchNames
) -> bool:
    """Print the fixes as a unified diff ``patch -p1`` applies, masking the secrets of both versions.

    The diff is migrate's (:mod:`icecfg.diff`), the file named as ``where``
    says: context lines stop short of a secret; a changed line that holds
    one is masked, and that diff cannot apply, which a note on stderr says,
    with what does the same.  Returns whether there was a diff.
    """
    from icecfg.diff import unified
    from icecfg.secrets import secrets as secrets_of

    secrets |= secrets_of(fixed.document.root)
    diff = unified(where.names[name], before, after, secrets, fixed.document.encoding)
    sys.stdout.flush()
    sys.stdout.buffer.write(diff.text)
    sys.stdout.buffer.flush()
    if diff.masked:
        instead = "fix the text itself with --fix -" if name == "-" else f"use --fix for {name}"
        print(f"icecfg lint: secrets are masked in the diff, so it does not apply; {instead}", file=sys.stderr)
    return bool(diff.text)


def print_report(results: list[FileResult], output: str, out: TextIO | None = None, unread: Sequence[str] = ()) -> None:
    """Print the findings of every file in ``output`` format to ``out`` (stdout by default)."""
    out = out or sys.stdout
    findings = sorted((f for r in results for f in r.findings), key=Finding.sort_key)
    fixed = sorted((f for r in results for f in r.fixed), key=Finding.sort_key)
    secrets: frozenset[str] = frozenset().union(*(r.secrets for r in results))
    targets = {r.path: r.target for r in results if r.target is not None}
    if output == "json":
        extra = {
            p: {"target": t.dialect.value, "target_origin": t.origin, "target_reason": t.reason}
            for p, t in targets.items()
        }
        text = report.json(findings, secrets=secrets, extra=extra)
    elif output == "sarif":
        from icecfg.lint.docs import documented_rules  # ICE001 and ICE002 with their documentation

        used = [{"release": t.dialect.value, "origin": t.origin, "reason": t.reason} for t in targets.values()]
        distinct = [dict(item) for item in dict.fromkeys(tuple(u.items()) for u in used)]
        text = report.sarif(findings, documented_rules(), secrets=secrets, properties={"targets": distinct})
    elif output == "github":
        text = report.github(findings, secrets=secrets)
    else:
        color = out.isatty() and "NO_COLOR" not in os.environ
        text = report.text(
            findings,
            {r.path: r.lines for r in results},
            {r.path: r.secrets for r in results},
            color,
            fixed=fixed,
            unread=len(unread),
            notes=[
                # only an assumed target is news; a chosen one is in the command or the settings
                *dict.fromkeys(t.describe() for t in targets.values() if t.origin in ("installed", "default")),
                *(f"{r.path}: {r.suggestion}" for r in results if r.suggestion),
            ],
        )
    if output != "text" and fixed:
        # machine formats keep their shape; what --fix changed is said on stderr
        sys.stderr.write(report.fixed_lines(fixed, secrets))
    if text:
        out.write(text if text.endswith("\n") else text + "\n")
    out.flush()
