"""``icecfg migrate --to 2.5 [--from 2.4|kh] FILE``.

Prints the migrated file as a unified diff (``patch -p1`` applies it) and
the reason of each change on stderr; ``--write`` writes it in place with the
safe writer; ``--format json`` lists the changes instead.

Without ``--from`` the release the file was written for is chosen as
``lint`` chooses its target: the settings' ``target``, else the Icecast
installed here, else 2.4; an assumed release is named on stderr and in the
JSON (``from_origin``, ``from_reason``).

Exit status: 0 when the file was migrated (or needed nothing); 1 when some
behaviour cannot be carried over to the target release (a KH-only feature,
a value the target cannot be told) and ``--accept-loss`` was not given, in
which case ``--write`` writes nothing, or when ``--write`` was refused (the
file changed on disk since it was read, its owner could not be kept): a write
tried and failed, as for ``lint --fix``; 2 for a usage error, a file that
cannot be read or parsed, or a migrated file an assumed release would
migrate again.
"""

from __future__ import annotations

import argparse
import json
import sys

from icecfg.commands import (
    EXIT_FAILED,
    EXIT_OK,
    UsageError,
    add_target_argument,
    guarded,
    load_or_usage_error,
    root_directory,
    settings_near,
    target_value,
)
from icecfg.diff import patch_names, unified
from icecfg.errors import WriteError
from icecfg.io import dump
from icecfg.migrate import migrate
from icecfg.migrate.change import Change
from icecfg.migrate.signs import already_migrated
from icecfg.secrets import MASK, Spellings, hide, spellings
from icecfg.secrets import secrets as secrets_of
from icecfg.sections import IcecastConfig
from icecfg.settings import Settings
from icecfg.spec import Dialect
from icecfg.target import Target, choose

#: Exit status 1: what the migration would lose was not accepted (``--accept-loss``).
EXIT_LOSS = EXIT_FAILED


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", help="the icecast.xml to migrate, or - for standard input")
    parser.add_argument(
        "--to", type=target_value, choices=("2.5",), default="2.5", help="release to migrate to (2.5, e.g. 2.5.0)"
    )
    add_target_argument(
        parser,
        "release the file was written for (default: the settings' target, else the icecast installed here, "
        "else 2.4; 2.5 only replaces obsolete elements)",
        flag="--from",
        dest="source",
    )
    parser.add_argument(
        "--intent",
        action="store_true",
        help="write what the file says where the old release did something else (default: keep what it did)",
    )
    parser.add_argument("--write", action="store_true", help="write the migrated file in place")
    parser.add_argument("--format", choices=("diff", "json"), default="diff", help="output (default diff)")
    parser.add_argument(
        "--accept-loss",
        action="store_true",
        help="exit 0 (and --write) even when some behaviour has no equivalent in the target release",
    )
    # one or the other, as the synopsis in docs/migrate.md says: --no-fs would silently drop the tree
    files = parser.add_mutually_exclusive_group()
    files.add_argument(
        "--root",
        metavar="DIR",
        help="look the server's files up under DIR (was 2.4's TLS certificate usable?)",
    )
    files.add_argument(
        "--no-fs", action="store_true", help="do not read the server's files: assume the certificate was usable"
    )


def run(args: argparse.Namespace) -> int:
    return guarded("migrate", lambda: _run(args))


def _run(args: argparse.Namespace) -> int:
    name = args.file
    if args.write and name == "-":
        raise UsageError("--write needs a file: standard input (-) cannot be written in place; drop --write")
    settings = settings_near(name)
    config = load_or_usage_error(name, stdin=True)
    # the release that ran the file: chosen as lint and explain choose their target
    source = choose(args.source, settings.target, settings.path, flag="--from")
    args.source = source.dialect.value
    for note in _settings_notes(settings, source, args.to):
        print(f"icecfg migrate: {note}", file=sys.stderr)
    before = config.document.dumps()
    _refuse_a_migrated_file(name, config, source, args.to)
    secrets = secrets_of(config.document.root)
    # as lint looks at them: the server's files, except the assets bake installs ([bake.assets]);
    # a --root tree is taken as it is
    if not args.no_fs:
        root_directory(args.root, "--root")
    assets = settings.assets() if args.root is None else {}
    migration = migrate(
        config, args.to, args.source, intent=args.intent, root=args.root, files=not args.no_fs, assets=assets
    )
    after = migration.dumps()
    secrets |= secrets_of(config.document.root)  # a password the migration wrote anew (KH's attributes)
    where = patch_names([name])
    diff = unified(where.names[name], before, after, secrets, config.document.encoding)
    blocked = bool(migration.losses) and not args.accept_loss
    if args.format == "json":
        data: dict[str, object] = {
            "file": name,
            **source.to_json("from"),
            "to": args.to,
            "intent": args.intent,
            "changes": [c.to_dict() for c in migration.changes],
            "lines_removed": _count(diff.text, b"-"),
            "lines_added": _count(diff.text, b"+"),
            "lost": len(migration.losses),
            "written": False,
        }
        if args.write and not blocked and after != before:
            data["written"] = _write(config, name)
            if data["written"] is None:
                return EXIT_FAILED
        print(json.dumps(_hidden(data, spellings(secrets)), indent=2))
        return EXIT_LOSS if blocked else EXIT_OK
    if source.assumed:  # only an assumed release is news; a chosen one is in the command or the settings
        print(f"icecfg migrate: from {source.dialect.label} ({source.origin}: {source.reason})", file=sys.stderr)
    for change in migration.changes:
        print(_describe(name, change), file=sys.stderr)
    unmeant = sum(1 for c in migration.changes if _tag(c) == KEPT)
    if unmeant and not args.intent:
        some = "1 change keeps" if unmeant == 1 else f"{unmeant} changes keep"
        print(
            f"icecfg migrate: {some} what {source.dialect.label} did where the file says otherwise; "
            "--intent writes what the file says instead",
            file=sys.stderr,
        )
    if args.write:
        if blocked:
            print(f"icecfg migrate: {name} not written: see the changes marked 'lost'", file=sys.stderr)
        elif after != before and _write(config, name) is None:
            return EXIT_FAILED
    else:
        sys.stdout.flush()
        sys.stdout.buffer.write(diff.text)
        sys.stdout.flush()
        advice = where.advice("file") if diff.text else None
        if advice:
            print(f"icecfg migrate: {advice}", file=sys.stderr)
        if diff.masked:
            instead = "migrate the file itself with --write" if name == "-" else f"use --write for {name}"
            print(f"icecfg migrate: secrets are masked in the diff, so it does not apply; {instead}", file=sys.stderr)
    return EXIT_LOSS if blocked else EXIT_OK


def _refuse_a_migrated_file(name: str, config: IcecastConfig, source: Target, to: str) -> None:
    """Stop before migrating again, from an assumed old release, a file migrate has already written.

    Read as the old release read it, migrate's own output loses what it
    wrote (:mod:`icecfg.migrate.signs`): the file as parsed, before any
    change, is looked at for what only the target reads; the release it was
    written for is then not assumed but asked for.  A ``--from`` or a
    settings ``target`` is a choice, never second-guessed.
    """
    target = Dialect(to)
    if not source.assumed or source.dialect is target:
        return
    signs = already_migrated(config, source.dialect, target)
    if not signs:
        return
    shown = ", ".join(sign for _element, sign in signs[:3])
    raise UsageError(
        f"{name} is already written for {target.label} ({shown}) and would be migrated as {source.dialect.label}"
        f" read it ({source.origin}: {source.reason}), undoing the migration: pass --from {to} if it is migrated,"
        f" --from {source.dialect.value} to migrate it anyway"
    )


def _settings_notes(settings: Settings, source: Target, to: str) -> list[str]:
    """What the settings' ``target`` means for this migration, one line each (none when nothing to say).

    The settings' ``target`` is both the release migrate assumes the file
    was written for and the release ``lint`` and ``bake`` check it against,
    so it must change when the file does, and not before: set to the new
    release first, migrate takes the file as already written for it and
    skips the corrections of the old release.  Neither is a mistake migrate
    can see in the file, so it says so, and never edits the settings itself.
    """
    target = Dialect(to)
    if source.origin == "settings" and source.dialect is target:
        return [
            f'from {target.label} ({settings.where_target()}: target = "{to}"): the file is taken as written '
            f"for {target.label} and only obsolete elements are replaced; if it was written for Icecast 2.4.4 "
            "or Icecast-KH, pass --from 2.4 or --from kh"
        ]
    stale = [
        (settings.where("target", table), found["target"])
        for table, found in ((None, settings.lint), ("bake", settings.bake))
        if found.get("target") not in (None, to)
    ]
    return [
        f'{where} says target = "{old}": once the file is migrated, write target = "{to}" there, '
        f"or lint and bake go on checking it as {Dialect(old).label}"
        for where, old in stale
    ]


def _write(config: IcecastConfig, name: str) -> bool | None:
    try:
        dump(config, name)
    except WriteError as err:  # its message names the file and says that nothing was written
        print(f"icecfg migrate: {err}", file=sys.stderr)
        return None
    except OSError as err:  # as lint --fix says it
        print(f"icecfg migrate: {name}: cannot write: {err.strerror or err}; nothing written", file=sys.stderr)
        return None
    return True


def _count(diff: bytes, sign: bytes) -> int:
    return sum(1 for line in diff.splitlines() if line.startswith(sign) and not line.startswith(sign * 3))


def _hidden(value: object, pieces: Spellings[str]) -> object:
    """JSON data with every secret in its strings masked, before encoding would escape a quote in one.

    Masked after encoding, a password holding ``"`` or ``\\`` would be looked
    for as written and missed as encoded (``\\"``).
    """
    if isinstance(value, str):
        return hide(value, pieces.spans(value), MASK)
    if isinstance(value, dict):
        return {key: _hidden(item, pieces) for key, item in value.items()}
    if isinstance(value, list):
        return [_hidden(item, pieces) for item in value]
    return value


#: The tag of a change that kept what the old release did where the file says otherwise.
KEPT = "kept what the old release did"


def _tag(change: Change) -> str:
    """What the report says a change is: lost, a change of behaviour, kept against the file, or its action."""
    if change.lost:
        return "lost"
    if not change.keeps_behaviour:
        return "behaviour changes"
    if not change.follows_intent:
        return KEPT
    return change.action


def _describe(name: str, change: Change) -> str:
    return f"{name}:{change.line}: {change.element}: {_tag(change)}: {change.reason}"
