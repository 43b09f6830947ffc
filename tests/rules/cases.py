"""Shared shape of the rule tests: every rule has a bad fixture that triggers it
and a good fixture (a near miss) that must not.

Each family's test module defines ``CASES``, a list of :class:`Case`, and runs
:func:`check_case` over them; ``tests/test_rule_catalogue.py`` checks that
every registered rule has at least one case.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import icecfg
from icecfg.lint import Finding, lint


@dataclass(frozen=True)
class Case:
    """``bad`` must produce ``code``; ``good`` must not (both linted for ``target``)."""

    code: str
    bad: bytes
    good: bytes
    target: str = "2.4"
    #: Files to create under the lint root: server path -> bytes.
    files: dict[str, bytes] = field(default_factory=dict)
    #: A fragment the finding's message must contain.
    message: str = ""
    id: str = ""

    @property
    def test_id(self) -> str:
        return f"{self.code}-{self.id or self.target}"


def icecast(body: str) -> bytes:
    """``body`` inside ``<icecast>``: the fixtures' usual frame."""
    return f"<icecast>{body}</icecast>".encode()


def listen_socket(inner: str) -> bytes:
    """A config whose only content is one ``<listen-socket>`` holding ``inner``."""
    return icecast(f"<listen-socket>{inner}</listen-socket>")


def run(data: bytes, target: str = "2.4", root: Path | None = None, files: bool = True) -> list[Finding]:
    cfg = icecfg.loads(data, path="icecast.xml")
    return lint(cfg, target=target, root=str(root) if root is not None else None, files=files)


def check_case(case: Case, tmp_path: Path) -> None:
    for server_path, content in case.files.items():
        local = tmp_path / server_path.lstrip("/")
        local.parent.mkdir(parents=True, exist_ok=True)
        local.write_bytes(content)
    bad = [f for f in run(case.bad, case.target, tmp_path) if f.code == case.code]
    assert bad, f"{case.code} not reported for its bad fixture"
    if case.message:
        assert any(case.message in f.message for f in bad), [f.message for f in bad]
    good = [f for f in run(case.good, case.target, tmp_path) if f.code == case.code]
    assert not good, f"{case.code} reported for its good fixture: {[f.message for f in good]}"


def all_cases() -> list[Case]:
    """Every ``CASES`` entry of the family test modules in ``tests/rules``."""
    import importlib
    import pkgutil

    import tests.rules

    found: list[Case] = []
    for module in pkgutil.iter_modules(tests.rules.__path__):
        if module.name.startswith("test_"):
            found.extend(getattr(importlib.import_module(f"tests.rules.{module.name}"), "CASES", []))
    return found
