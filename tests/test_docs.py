"""The examples in README.md and docs/ run, in order, as written."""

from __future__ import annotations

import contextlib
import doctest
import importlib
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.samples import ETC_CONFIG, samples

REPO = Path(__file__).resolve().parent.parent
BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)
#: Pages whose examples read and write a real file: they run on a copy of Debian's
#: /etc/icecast2/icecast.xml, as ``icecast.xml`` in a fresh working directory.
ON_A_FILE = ["README.md", "docs/lint.md", "docs/migrate.md"]


def _run(page: str, replace: dict[str, str]) -> str:
    text = (REPO / page).read_text(encoding="utf-8")
    blocks = BLOCK.findall(text)
    assert blocks, f"{page} has no examples"
    namespace: dict[str, object] = {}
    printed = io.StringIO()
    for number, written in enumerate(blocks, 1):
        block = written
        for old, new in replace.items():
            block = block.replace(old, new)
        try:
            with contextlib.redirect_stdout(printed):
                exec(compile(block, f"{page} example {number}", "exec"), namespace)
        except Exception as err:  # pragma: no cover - the message is the point
            raise AssertionError(f"{page} example {number} fails: {err!r}\n{block}") from err
    return printed.getvalue()


@pytest.mark.parametrize("page", ["docs/model.md"])
def test_examples_run(page: str) -> None:
    _run(page, {})


@pytest.mark.parametrize("page", ON_A_FILE)
def test_examples_on_a_copy_of_debians_config_run(page: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "icecast.xml"
    config.write_bytes(samples()[ETC_CONFIG.name])
    monkeypatch.chdir(tmp_path)
    printed = _run(page, {str(ETC_CONFIG): str(config)})
    after = config.read_bytes()
    if page == "README.md":  # the port and the mount it sets, and nothing else
        assert b"<port>8443</port>" in after and b"<mount-name>/live.ogg</mount-name>" in after
    if page == "docs/lint.md":  # Debian's sample password is found, one finding a line
        assert any(line.startswith("ICE501 ") for line in printed.splitlines())
    if page == "docs/migrate.md":  # the change printed is the change written
        assert printed and after != samples()[ETC_CONFIG.name]
    assert os.listdir(tmp_path) == ["icecast.xml"]


def test_examples_pass_mypy_strict(tmp_path: Path) -> None:
    """Users copy examples into typed code: each page's examples, joined, type-check as they are."""
    scripts = []
    for page in ["docs/model.md", *ON_A_FILE]:
        script = tmp_path / (page.replace("/", "_").replace(".md", "") + ".py")
        script.write_text("\n".join(BLOCK.findall((REPO / page).read_text(encoding="utf-8"))), encoding="utf-8")
        scripts.append(str(script))
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--cache-dir", os.devnull, *scripts],
        capture_output=True,
        text=True,
        check=False,  # the report is the point
        cwd=REPO,
    )
    assert done.returncode == 0, done.stdout


@pytest.mark.parametrize("module", ["icecfg", "icecfg.effective"])
def test_docstring_examples_run(module: str) -> None:
    """``help(icecfg)`` shows an example first: it must work as shown."""
    failed, tried = doctest.testmod(importlib.import_module(module))
    assert tried and not failed
