"""Test-run wide fixtures: the oracle tests' sandboxes and audio, the fake DigitalOcean.

A module's servers run one after another in the same sandbox (its
``temporary_sandbox`` holds the release's web and admin files), so the
sandbox is made once per module and release.  A missing release fails the
test with the command that builds it (``oracle.require_release``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import audio, fake_do, oracle
from tests.release_oracle import box_for


@pytest.fixture(scope="module")
def box() -> Iterator[oracle.Sandbox]:
    """A sandbox of Debian's 2.4.4 for a module's servers (a module may define its own ``box``)."""
    with oracle.temporary_sandbox() as sandbox:
        yield sandbox


@pytest.fixture(scope="module")
def ogg() -> Path:
    """Two seconds of 128 kbps stereo Ogg Vorbis, what the oracle tests stream as a source."""
    return audio.make_ogg(seconds=2, rate=44100, channels=2, bitrate_kbps=128)


@pytest.fixture(scope="module")
def box24() -> Iterator[oracle.Sandbox]:
    yield from box_for("2.4")


@pytest.fixture(scope="module")
def box25() -> Iterator[oracle.Sandbox]:
    yield from box_for("2.5")


@pytest.fixture(scope="module")
def boxkh() -> Iterator[oracle.Sandbox]:
    yield from box_for("kh")


@pytest.fixture
def loopback() -> Iterator[list[tuple[str, int]]]:
    """Only loopback reachable for the test (:func:`fake_do.loopback_only`); yields the connection attempts.

    A module whose every test must stay on the machine says
    ``pytestmark = pytest.mark.usefixtures("loopback")``.
    """
    with fake_do.loopback_only() as attempts:
        yield attempts


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[fake_do.FakeDigitalOcean]:
    """The fake DigitalOcean API, named by the environment with :data:`fake_do.TOKEN`, only loopback reachable.

    What a command under test sees is what a user's shell gives it
    (:func:`fake_do.in_environment`).  A module that needs more (a domain,
    another variable) overrides ``fake`` with a fixture that takes this one.
    """
    with fake_do.in_environment(monkeypatch, fake_do.TOKEN) as server:
        yield server


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say how many Icecast start-up crashes the oracle harness retried.

    They are the servers' known start-up races (2.4.4 above all), retried so
    that they cannot fail a test that is about something else; the count
    keeps the races visible.
    """
    if oracle.retried_startup_crashes:
        terminalreporter.write_sep("-", f"oracle: {len(oracle.retried_startup_crashes)} start-up crash(es) retried")
        for line in oracle.retried_startup_crashes:
            terminalreporter.write_line(line)
