"""The ``icecfg`` command line.

Each command's module is imported only when that command runs, so that
``icecfg lint`` starts without loading what it does not use (the schema
library, the DigitalOcean client, the certificate and audio readers).
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import io
import os
import sys
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, NoReturn

from icecfg.commands import (
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    add_target_argument,
    guarded,
    load_or_usage_error,
    read_or_usage_error,
    root_directory,
    settings_near,
    target_value,
)
from icecfg.errors import WriteError
from icecfg.version import __version__

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer


def _lint(args: argparse.Namespace) -> int:
    from icecfg.lint import command

    return command.run(args)


def _rules(args: argparse.Namespace) -> int:
    import json

    from icecfg.lint.rule import all_rules

    rules = all_rules()
    if args.format == "json":
        data = [
            {
                "code": r.code,
                "name": r.name,
                "severity": r.severity.value,
                "family": r.family,
                "targets": sorted(d.value for d in r.dialects),
                "summary": r.summary,
                "default": r.default_enabled,
            }
            for r in rules.values()
        ]
        print(json.dumps(data, indent=2))
        return 0
    for r in rules.values():
        targets = ",".join(sorted(d.value for d in r.dialects))
        opt_in = "" if r.default_enabled else " (opt-in)"
        print(f"{r.code}  {r.name:38} {r.severity.value:7} {r.family:10} {targets:12} {r.summary}{opt_in}")
    return 0


def _rule(args: argparse.Namespace) -> int:
    from icecfg.lint.docs import find_rule, rule_page

    found = find_rule(args.code)
    if found is None:
        print(f"icecfg rule: no rule {args.code!r} (see 'icecfg rules')", file=sys.stderr)
        return EXIT_USAGE
    sys.stdout.write(rule_page(found))
    return 0


def _schema(args: argparse.Namespace) -> int:
    return guarded("schema", lambda: _schema_of(args))


def _schema_of(args: argparse.Namespace) -> int:

    from icecfg import xsd
    from icecfg.spec import Dialect

    # like lint: the flag, else the settings found from the file (the current directory), else 2.4
    found = settings_near(args.validate)
    dialect = Dialect(found.target_or(args.target))
    if args.validate:
        data = read_or_usage_error(args.validate, stdin=True)
        errors = xsd.validate(data, dialect)
        for error in errors:
            print(f"{args.validate}: {error}")
        return 1 if errors else 0
    if args.print:
        sys.stdout.write(xsd.schema(dialect))
        return 0
    print(xsd.schema_path(dialect))
    return 0


def _bake(args: argparse.Namespace) -> int:
    from icecfg.bake import command

    return command.run_bake(args)


def _snapshots(args: argparse.Namespace) -> int:
    from icecfg.bake import command

    return command.run_snapshots(args)


def _prune(args: argparse.Namespace) -> int:
    from icecfg.bake import command

    return command.run_prune(args)


def _init(args: argparse.Namespace) -> int:
    from icecfg.ondemand import init

    return init.run(args)


def _up(args: argparse.Namespace) -> int:
    from icecfg.ondemand import up

    return up.run(args)


def _down(args: argparse.Namespace) -> int:
    from icecfg.ondemand import down

    return down.run(args)


def _status(args: argparse.Namespace) -> int:
    from icecfg.ondemand import status

    return status.run(args)


def _cost(args: argparse.Namespace) -> int:
    from icecfg.ondemand import cost

    return cost.run(args)


def _migrate(args: argparse.Namespace) -> int:
    from icecfg.migrate import command

    return command.run(args)


def _explain(args: argparse.Namespace) -> int:
    """``icecfg explain``: 0 when the report was printed, 2 when the file or the settings cannot be used."""
    return guarded("explain", lambda: _explain_file(args))


def _explain_file(args: argparse.Namespace) -> int:
    import json

    from icecfg.effective import explain
    from icecfg.effective.text import render
    from icecfg.files import FileView
    from icecfg.placement import walk
    from icecfg.target import choose, suggestion

    settings = settings_near(args.file)
    config = load_or_usage_error(args.file, stdin=True)
    # the release lint would check the file against, for the same reasons
    target = choose(args.target, settings.target, settings.path)
    root = root_directory(args.root, "--root")
    # the files are looked at as lint and migrate look at them when the settings name the
    # ones bake installs ([bake.assets]): an init directory's certificate and fallback audio;
    # without --root or assets, a config may describe another machine: its files stay unchecked
    assets = settings.assets() if root is None else {}
    view = FileView(root or "/", assets=assets) if root or assets else None
    eff = explain(config, target.dialect, view, domain=settings.bake.get("domain"))
    if args.format == "json":
        # written as encoded, not joined first: with an indent the encoder yields a piece per token,
        # and a large file's pieces joined took gigabytes
        json.dump({**eff.to_json(reveal_secrets=args.show_secrets), **target.to_json()}, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return EXIT_OK
    header, _, rest = render(eff, reveal_secrets=args.show_secrets).partition("\n")
    # only an assumed target is news; a chosen one is in the command or the settings
    advice = suggestion(walk(config.document.root), target)
    notes = [target.describe()] if target.assumed else []
    notes += [f"{args.file}: {advice}"] if advice else []
    sys.stdout.write("\n".join([header, *notes, rest]) if notes else f"{header}\n{rest}")
    return EXIT_OK


def _explain_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", help="the icecast.xml to explain, or - for standard input")
    add_target_argument(
        parser, "Icecast release (default: the settings' target, else the icecast installed here, else 2.4)"
    )
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output format (default text)")
    parser.add_argument(
        "--root",
        metavar="DIR",
        help="look up server paths (certificate, fallback files) under DIR; without it they are checked as lint "
        "checks them when the settings map [bake.assets], else not at all",
    )
    parser.add_argument("--show-secrets", action="store_true", help="print passwords in clear (masked otherwise)")


def _lint_arguments(parser: argparse.ArgumentParser) -> None:
    from icecfg.lint import command

    command.add_arguments(parser)


def _rules_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=("text", "json"), default="text")


def _rule_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("code", help="rule code (ICE101) or name (unknown-element)")


def _schema_arguments(parser: argparse.ArgumentParser) -> None:
    add_target_argument(parser, "Icecast release (default: the settings' target, else 2.4)")
    how = parser.add_mutually_exclusive_group()
    how.add_argument("--print", action="store_true", help="print the XSD instead of its path")
    how.add_argument("--validate", metavar="FILE", help="validate FILE against the XSD (- for standard input)")


def _module_arguments(module: str, function: str = "add_arguments") -> Callable[[argparse.ArgumentParser], None]:
    def add(parser: argparse.ArgumentParser) -> None:
        import importlib

        getattr(importlib.import_module(module), function)(parser)

    return add


Arguments = Callable[[argparse.ArgumentParser], None]

#: name -> (run, add its arguments, help).  A command's module is imported only
#: when that command runs (or for --help), so ``icecfg lint`` loads no cloud code.
COMMANDS: dict[str, tuple[Callable[[argparse.Namespace], int], Arguments, str]] = {
    "lint": (_lint, _lint_arguments, "check icecast.xml files for what Icecast gets wrong"),
    "explain": (
        _explain,
        _explain_arguments,
        "show what an Icecast release will do with icecast.xml (ports, mounts, fallbacks, logs, logins)",
    ),
    "rules": (_rules, _rules_arguments, "list every lint rule"),
    "rule": (_rule, _rule_arguments, "print the documentation of one rule"),
    "schema": (_schema, _schema_arguments, "the XSD of icecast.xml for a target, for editors"),
    "migrate": (
        _migrate,
        _module_arguments("icecfg.migrate.command"),
        "rewrite icecast.xml for Icecast 2.5, keeping what the old release did",
    ),
    "init": (_init, _module_arguments("icecfg.ondemand.init"), "write a secure starting icecast.xml and icecfg.toml"),
    "bake": (
        _bake,
        _module_arguments("icecfg.bake.command", "add_bake_arguments"),
        "build a DigitalOcean snapshot with Icecast and the linted config",
    ),
    "snapshots": (
        _snapshots,
        _module_arguments("icecfg.bake.command", "add_snapshots_arguments"),
        "list icecfg's DigitalOcean snapshots",
    ),
    "prune": (
        _prune,
        _module_arguments("icecfg.bake.command", "add_prune_arguments"),
        "delete old icecfg snapshots (prints the plan without --yes)",
    ),
    "up": (
        _up,
        _module_arguments("icecfg.ondemand.up"),
        "start a droplet from the newest icecfg snapshot, point DNS at it",
    ),
    "down": (_down, _module_arguments("icecfg.ondemand.down"), "destroy the icecfg droplets (asks, or --yes)"),
    "status": (
        _status,
        _module_arguments("icecfg.ondemand.status"),
        "running icecfg droplets, cost so far, listeners",
    ),
    "cost": (_cost, _module_arguments("icecfg.ondemand.cost"), "what a month of this on-demand set-up costs"),
}


#: The parser of every command's ``--target`` (kept here under its first name).
target = target_value


class _Parser(argparse.ArgumentParser):
    """argparse, with a wrong invocation reported as every other usage error: one line, exit 2.

    argparse's own report is the whole usage block and then ``PROG: error:
    ...``; docs/command-line.md promises ``icecfg COMMAND: what is wrong``
    on one line, so that a script's log shows the mistake and not a page of
    options.  The line points at ``--help`` for the rest.
    """

    def error(self, message: str) -> NoReturn:
        usage_error(self.prog, message)


def usage_error(prog: str, message: str) -> NoReturn:
    """Print ``PROG: message (see 'PROG --help')`` on stderr and exit 2."""
    print(f"{prog}: {message} (see '{prog} --help')", file=sys.stderr)
    raise SystemExit(EXIT_USAGE)


def build_parser(only: str | None = None, *, alone: bool = False) -> argparse.ArgumentParser:
    """The parser; with ``only``, the other commands are listed but their options not loaded.

    With ``alone`` as well, the other commands are left out: a command line
    that starts with the command never reaches their parsers (its help and
    its errors are the command's own), and making a parser for each of a
    dozen commands was a tenth of a cold ``icecfg lint``.
    """
    parser = _Parser(
        prog="icecfg",
        description="Lint, edit and bake Icecast configurations (icecast.xml).",
        epilog="Run 'icecfg COMMAND --help' for a command's options. Without a command: this help, exit status 2.",
    )
    parser.add_argument("--version", action="version", version=f"icecfg {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True
    for name, (func, arguments, help_text) in COMMANDS.items():
        if alone and name != only:
            continue
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.set_defaults(func=func)
        if only is None or only == name:
            arguments(sub)
    return parser


class _OutputFailed(Exception):
    """Standard output could not be written (a full disk, a device error); ``str()`` says why."""


class _Output(io.RawIOBase):
    """The descriptor standard output or error is written to: a reader that went away, or a write that failed.

    Once the reader of a pipe is gone (``icecfg lint | head -1``), what would
    have been read is dropped instead of raising ``BrokenPipeError`` from
    whichever ``print`` met it: a command's own error handling took that for
    a failure of its work (``init`` said "Broken pipe" and exited 1 with both
    files written; ``up`` would have destroyed the droplet it had just made).
    So every command finishes its work and exits with its own status.

    Any other failure of standard output (``> report.txt`` on a full disk)
    is :class:`_OutputFailed`, once: :func:`main` reports it in one line.
    Standard error has nowhere to report its own, and drops the text.
    """

    def __init__(self, fd: int, *, report: bool) -> None:
        super().__init__()
        self._fd = fd
        self._report = report
        self._failed = False

    def writable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self._fd

    def isatty(self) -> bool:
        return os.isatty(self._fd)

    def write(self, data: ReadableBuffer, /) -> int:
        size = memoryview(data).nbytes
        if self._failed:
            return size
        try:
            return os.write(self._fd, data)
        except BrokenPipeError:
            return size  # nobody reads it any more
        except OSError as err:
            self._failed = True  # the rest, and the flush at the end, are dropped
            if self._report:
                raise _OutputFailed(err.strerror or str(err)) from None
            return size


@contextlib.contextmanager
def _for_a_reader_that_may_leave() -> Iterator[None]:
    """Standard output and error written through :class:`_Output`.

    A stream that is no file descriptor at all (a test's capture) is left as it is.
    """
    replaced: dict[str, object] = {}
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        try:
            fd = stream.fileno()
            os.fstat(fd)
        except (AttributeError, OSError, ValueError):
            continue
        stream.flush()
        replaced[name] = stream
        # closing the wrapper closes only the _Output: the descriptor stays the process's
        wrapper = io.TextIOWrapper(
            io.BufferedWriter(_Output(fd, report=name == "stdout")),
            encoding=getattr(stream, "encoding", None),
            errors=getattr(stream, "errors", None),
            line_buffering=getattr(stream, "line_buffering", False),
        )
        setattr(sys, name, wrapper)
    try:
        yield
    finally:
        for name, stream in replaced.items():
            getattr(sys, name).flush()
            setattr(sys, name, stream)


def _as_on_disk(error: UnicodeError) -> tuple[str | bytes, int]:
    """The bytes a file name's undecodable bytes were read as (``surrogateescape``), else ``backslashreplace``."""
    import codecs

    if not isinstance(error, UnicodeEncodeError):
        raise error
    chunk = error.object[error.start : error.end]
    if all(0xDC80 <= ord(char) <= 0xDCFF for char in chunk):
        return bytes(ord(char) - 0xDC00 for char in chunk), error.end
    return codecs.backslashreplace_errors(error)


@contextlib.contextmanager
def _names_as_on_disk() -> Iterator[None]:
    """Standard error writes a file name's bytes that are no UTF-8 as they are, as standard output does.

    Python reads such a name as surrogates (``\\udcff`` for the byte 0xff)
    and its standard error, unlike its output, writes those escaped: the
    one-line error named ``na\\udcffme.xml``, a file no shell can find.
    A character the encoding lacks is still escaped, never an error.
    """
    import codecs

    stream = sys.stderr
    before = getattr(stream, "errors", None)
    if before != "backslashreplace" or not isinstance(stream, io.TextIOWrapper):
        yield
        return
    codecs.register_error("icecfg-as-on-disk", _as_on_disk)
    stream.reconfigure(errors="icecfg-as-on-disk")
    try:
        yield
    finally:
        stream.reconfigure(errors=before)


def main(argv: list[str] | None = None) -> int:
    """``icecfg ARGV``: the exit status; output to a reader that has gone is dropped (:class:`_Output`).

    Ctrl-C is one line and exit status 130 (128 + SIGINT, as a shell reports
    a command it killed) wherever it lands: while the options are read as
    much as while the command runs.
    """
    if sys.stdout is None:  # started with descriptor 1 closed (``>&-``)
        print("icecfg: standard output is closed: nowhere to write", file=sys.stderr)
        return EXIT_USAGE
    with _names_as_on_disk(), _for_a_reader_that_may_leave():
        try:
            status = _main(argv)
            sys.stdout.flush()  # a failure to write is reported here, not at the interpreter's exit
            return status
        except KeyboardInterrupt:
            print("icecfg: interrupted", file=sys.stderr)
            return EXIT_INTERRUPTED
        except _OutputFailed as err:
            print(f"icecfg: cannot write the output: {err}", file=sys.stderr)
            return EXIT_FAILED


def run() -> int:
    """The ``icecfg`` program (and ``python -m icecfg``): :func:`main`, in a process that ends when it returns.

    Without the cyclic garbage collector.  What a command builds (a file's
    tree, what the lint worked out, the findings) lives until its output is
    printed, and then the process ends: a collection frees nothing worth
    its cost, yet each one rescans every object the command has made.
    ``icecfg lint`` of a 100,000-mount file spent 1.3 s of its 7.2 s so; the
    interpreter's collection at exit, which the freeze skips, another 0.4 s.
    The cycles a command leaves behind are few (a ``--fix`` pass's facts:
    7% of the peak on that file), and the longest wait (``up``, at most an
    hour) makes little garbage.  :func:`main` called inside a longer-lived
    program (a test suite, a script) leaves the collector as it is.
    """
    gc.disable()
    try:
        return main()
    finally:
        gc.freeze()  # into the permanent generation, which the exit's collection leaves alone


def _main(argv: list[str] | None) -> int:
    words = sys.argv[1:] if argv is None else argv
    first = next((w for w in words if not w.startswith("-")), None)
    only = first if first in COMMANDS else None
    parser = build_parser(only, alone=only is not None and words[0] == only)
    if not words:
        # plain ``icecfg``: the help, on stdout so it pages; no command is a usage error
        parser.print_help()
        return EXIT_USAGE
    args, unknown = parser.parse_known_args(words)
    if unknown:  # named against the command they were given to, not against plain icecfg
        usage_error(f"icecfg {args.command}", f"unrecognized arguments: {' '.join(unknown)}")
    try:
        result: int = args.func(args)
    except WriteError as err:  # a refused write (file changed since it was read, owner not keepable)
        print(f"icecfg {args.command}: {err}", file=sys.stderr)
        return EXIT_FAILED
    return result


if __name__ == "__main__":
    sys.exit(run())
