"""Structure rules: unknown, misplaced, miscased, repeated elements and attributes."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.rules.cases import Case, check_case

CASES = [
    Case(
        "ICE101",
        b"<icecast><mount><mount-name>/a</mount-name><max-listener>5</max-listener></mount></icecast>",
        b"<icecast><mount><mount-name>/a</mount-name><max-listeners>5</max-listeners></mount></icecast>",
        message="did you mean <max-listeners>?",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.test_id)
def test_rule(case: Case, tmp_path: Path) -> None:
    check_case(case, tmp_path)
