"""A cold ``icecfg lint`` loads only what linting the file needs (docs/architecture.md, Start-up).

Start-up time is what a user waits for on every run of the linter (an
editor hook, a pre-commit check); it was measured against a plain lxml
parse of the same file.  Timing a test would be flaky, so these tests check
what a run loads instead: each module named here once was, or could easily
be, imported at start-up for nothing, and costs a measurable part of it.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from icecfg.records import FrozenRecord, Record, fields
from tests.samples import samples

REPO = Path(__file__).resolve().parents[1]

#: Modules a lint of a configuration without TLS never needs, and why each is heavy.
NOT_LOADED = {
    "dataclasses": "compiles generated source for every class; loads inspect",
    "inspect": "loads ast, dis and tokenize",
    "hashlib": "loads OpenSSL; the file's fingerprint is hashed only to write it back",
    "ssl": "OpenSSL",
    "datetime": "only to judge a certificate's dates",
    "lxml": "the schema library: icecfg schema only",
    "xmlschema": "icecfg schema --validate only",
    "cryptography": "only to decode a certificate",
    "tomllib": "only with a settings file",
    "icecfg.effective.pem": "only with a certificate",
    "icecfg.bake": "another command",
    "icecfg.ondemand": "another command",
    "icecfg.migrate": "another command",
    "icecfg.xsd": "another command",
}


def _lint_loads(path: Path, options: list[str]) -> tuple[int, str, set[str]]:
    """Exit status, output and loaded modules of ``icecfg lint OPTIONS path`` in a fresh interpreter."""
    argv = ["lint", "--isolated", *options, str(path)]
    code = (
        "import io, sys\n"
        "out = io.StringIO(); real = sys.stdout; sys.stdout = out\n"
        "from icecfg.cli import main\n"
        f"status = main({argv!r})\n"
        "sys.stdout = real\n"
        "print(status); print(' '.join(sys.modules)); print(out.getvalue())\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO)
    status, modules, output = done.stdout.split("\n", 2)
    return int(status), output, set(modules.split())


#: With a target given, and without one: then the installed Icecast is asked for its release.
@pytest.fixture(scope="module", params=[["--target", "2.4"], []], ids=["target-given", "installed-asked"])
def debian_run(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[int, str, set[str]]:
    path = tmp_path_factory.mktemp("startup") / "icecast.xml"
    path.write_bytes(samples()["icecast.xml.dist.gz"])
    options: list[str] = request.param
    return _lint_loads(path, options)


def test_a_cold_lint_of_debians_sample_runs_every_rule_without_the_heavy_modules(
    debian_run: tuple[int, str, set[str]],
) -> None:
    status, output, loaded = debian_run
    assert status == 1 and "ICE" in output  # it did lint: Debian's sample has the changeme passwords
    assert "icecfg.lint.rules.tls" in loaded and "icecfg.effective.tls" in loaded
    heavy = {
        name: why for name, why in NOT_LOADED.items() if any(m == name or m.startswith(name + ".") for m in loaded)
    }
    assert heavy == {}


def test_the_check_sees_a_heavy_module_loaded() -> None:
    """The same check fails when a module on the path imports one of them eagerly."""
    code = "import sys, hashlib, dataclasses\nprint(' '.join(sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO)
    loaded = set(done.stdout.split())
    assert {"hashlib", "dataclasses", "inspect"} <= {n for n in NOT_LOADED if n in loaded}


# ---------------------------------------------------------------------------- records


class Point(FrozenRecord):
    __slots__ = ("label", "x", "y")
    _uncompared = frozenset({"label"})
    _unshown = frozenset({"label"})

    x: int
    y: int
    label: str

    def __init__(self, x: int, y: int, label: str = "") -> None:
        object.__setattr__(self, "x", x)
        object.__setattr__(self, "y", y)
        object.__setattr__(self, "label", label)


class Counter(Record):
    __slots__ = ("count", "name")

    name: str
    count: int

    def __init__(self, name: str, count: int = 0) -> None:
        self.name = name
        self.count = count


def test_a_record_compares_hashes_and_prints_its_fields_as_a_dataclass_did() -> None:
    assert fields(Point) == ("x", "y", "label")  # declaration order, not the sorted slots
    assert Point(1, 2, "a") == Point(1, 2, "b")  # an uncompared field
    assert Point(1, 2) != Point(2, 1)
    assert hash(Point(1, 2, "a")) == hash(Point(1, 2, "b"))
    assert repr(Point(1, 2, "a")) == "Point(x=1, y=2)"
    assert Counter("a", 1) == Counter("a", 1) and Counter("a", 1) != Counter("a", 2)
    assert Point(1, 2) != (1, 2) and Counter("a") != Point(1, 2)
    assert repr(Counter("a", 3)) == "Counter(name='a', count=3)"
    with pytest.raises(TypeError):
        hash(Counter("a"))


def test_a_frozen_record_cannot_change_but_can_be_copied_with_changes() -> None:
    point = Point(1, 2, "a")
    with pytest.raises(AttributeError):
        point.x = 3
    with pytest.raises(AttributeError):
        del point.y
    moved = point.replace(y=5)
    assert (moved.x, moved.y, moved.label) == (1, 5, "a") and (point.x, point.y) == (1, 2)
    counter = Counter("a")
    counter.count += 1
    assert counter.count == 1
