"""Fixtures shared by the oracle tests: one sandbox per release and test module.

A module's servers run one after another in the same sandbox (its
``temporary_sandbox`` holds the release's web and admin files), so the
sandbox is made once per module and release.  A missing release fails the
test with the command that builds it (``oracle.require_release``).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests import oracle
from tests.release_oracle import box_for


@pytest.fixture(scope="module")
def box24() -> Iterator[oracle.Sandbox]:
    yield from box_for("2.4")


@pytest.fixture(scope="module")
def box25() -> Iterator[oracle.Sandbox]:
    yield from box_for("2.5")


@pytest.fixture(scope="module")
def boxkh() -> Iterator[oracle.Sandbox]:
    yield from box_for("kh")
