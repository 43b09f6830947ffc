"""Test-run wide hooks."""

from __future__ import annotations

import pytest

from tests import oracle


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say how many Icecast start-up crashes the oracle harness retried.

    They are 2.4.4's known start-up race, retried so that it cannot fail a
    test that is about something else; the count keeps the race visible.
    """
    if oracle.retried_startup_crashes:
        terminalreporter.write_sep("-", f"oracle: {len(oracle.retried_startup_crashes)} start-up crash(es) retried")
        for line in oracle.retried_startup_crashes:
            terminalreporter.write_line(line)
