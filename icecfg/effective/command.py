"""``icecfg explain``: print what a release will do with a configuration.

Exit status: 0 when the report was printed; 2 for a usage error or a file
that cannot be read or parsed (one line on stderr naming the file).
"""

from __future__ import annotations

import argparse
import json
import sys

from icecfg.errors import IcecfgError
from icecfg.spec import Dialect

EXIT_OK, EXIT_USAGE = 0, 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", help="the icecast.xml to explain")
    parser.add_argument(
        "--target",
        choices=[d.value for d in Dialect],
        help="Icecast release (default: the settings' target, else 2.4)",
    )
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output format (default text)")
    parser.add_argument(
        "--root",
        metavar="DIR",
        help="look up server paths (certificate, fallback files) under DIR; without it they are not checked",
    )
    parser.add_argument(
        "--show-secrets",
        action="store_true",
        help="print passwords in clear (they are masked otherwise)",
    )


def _target(args: argparse.Namespace) -> Dialect:
    if args.target:
        return Dialect(args.target)
    from pathlib import Path

    from icecfg.settings import SettingsError, find

    try:
        value = find(Path(args.file).resolve()).get("target")
    except SettingsError:
        value = None
    try:
        return Dialect(str(value)) if value else Dialect.V24
    except ValueError:
        return Dialect.V24


def run(args: argparse.Namespace) -> int:
    import icecfg
    from icecfg.effective import explain
    from icecfg.effective.text import render
    from icecfg.files import FileView

    try:
        config = icecfg.load(args.file)
    except FileNotFoundError:
        print(f"icecfg explain: {args.file}: no such file", file=sys.stderr)
        return EXIT_USAGE
    except OSError as err:
        print(f"icecfg explain: {args.file}: {err.strerror or err}", file=sys.stderr)
        return EXIT_USAGE
    except IcecfgError as err:
        print(f"icecfg explain: {err}", file=sys.stderr)
        return EXIT_USAGE
    files = FileView(args.root) if args.root else None
    eff = explain(config, _target(args), files)
    if args.format == "json":
        print(json.dumps(eff.to_json(reveal_secrets=args.show_secrets), indent=2))
    else:
        sys.stdout.write(render(eff, reveal_secrets=args.show_secrets))
    return EXIT_OK
