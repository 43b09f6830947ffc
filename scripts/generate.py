"""Write the files derived from the element table (icecfg/spec.py).

    python scripts/generate.py          # rewrite the generated files
    python scripts/generate.py --check  # exit 1 if a committed file is stale

Generated: ``icecfg/sections.py`` (the typed model's field declarations),
``schemas/icecast-<dialect>.xsd`` and ``docs/reference.md``.  The tests run
``--check`` so the committed files always match the table.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from icecfg import codegen  # noqa: E402


def _formatted(relative: str, source: str) -> str:
    """Generated Python in the project's style, so that ``ruff format --check`` agrees."""
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--stdin-filename", relative, "-"],
        input=source,
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    return result.stdout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only compare, write nothing")
    args = parser.parse_args()
    stale = []
    for relative, content in codegen.generated_files().items():
        text = _formatted(relative, content) if relative.endswith(".py") else content
        target = ROOT / relative
        current = target.read_text(encoding="utf-8") if target.exists() else None
        if current == text:
            continue
        stale.append(relative)
        if not args.check:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
    if args.check and stale:
        print("stale generated files (run: python scripts/generate.py): " + ", ".join(stale))
        return 1
    for relative in stale:
        print(f"wrote {relative}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
