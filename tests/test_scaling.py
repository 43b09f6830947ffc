"""Lint cost grows with the size of the configuration, not with its square.

A config of many mounts (fallback chains, glob mounts, default mounts with
and without a name pattern, listen-sockets, relays, aliases, headers and
suppression comments: benchmarks/run.py ``scaling_config``) is linted at two
sizes, one twice the other.  Linear code takes about twice as long on the
doubled input; code that compares every element with every other takes four
times as long.  The test fails above three times, so it measures growth and
never a wall-clock time: it holds on a slow or loaded machine.  CPU time of
this process (``time.process_time``, tests/bounds.py), the best of several runs of the small
input and several tries of the large one keep other processes' load out of
the figure.  (Reintroducing a scan of every mount per mount, such as the
former default-mount lookup, makes the doubled input take far over 4x.)
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import icecfg
from benchmarks.run import scaling_config
from icecfg.lint import lint
from tests.bounds import MAX_GROWTH, doubling_growth

#: Mounts in the smaller input: large enough that per-mount work, not start-up, dominates.
SMALL = 1500


@pytest.mark.parametrize("target", ["2.4", "2.5", "kh"])
def test_doubling_the_mounts_at_most_triples_the_lint_time(target: str) -> None:
    small, large = scaling_config(SMALL), scaling_config(2 * SMALL)
    growth = doubling_growth(
        lambda: lint(icecfg.loads(small), target, files=False), lambda: lint(icecfg.loads(large), target, files=False)
    )
    assert growth <= MAX_GROWTH, f"twice the mounts took {growth:.2f}x the time linting for {target}"


def test_the_scaling_config_has_what_it_claims() -> None:
    """The growth test only proves something if the input has the costly kinds of mounts."""
    cfg = icecfg.loads(scaling_config(SMALL))
    mounts = list(cfg.mounts)
    assert len(mounts) == SMALL + 1
    kinds = [m.element.get("type") if m.element is not None else None for m in mounts]
    names = [m.get_text("mount-name") for m in mounts]
    assert kinds.count("default") > SMALL // 10  # 2.5-style glob default mounts ...
    assert kinds[-1] == "default" and names[-1] is None  # ... and a default mount without a name
    assert sum(1 for n in names if n and "*" in n) > SMALL // 5  # glob mounts
    assert sum(1 for m in mounts if m.get_text("fallback-mount")) > SMALL // 3
    assert len(list(cfg.listen_sockets)) > SMALL // 10
    assert len(list(cfg.relays)) > SMALL // 10


MOUNT_NAMES = st.sampled_from(
    ["/a", "/b", "/a*", "/a?", "/[ab]", "/?", "/live", "/live*", "/li*e", "/live2*", "/live2", "/x/y", "/*"]
)
MOUNTS = st.lists(
    st.tuples(st.one_of(st.none(), MOUNT_NAMES), st.sampled_from(["normal", "default"])),
    max_size=8,
)


@settings(max_examples=200, deadline=None)
@given(MOUNTS, st.sampled_from(["2.4", "2.5", "kh"]), st.lists(MOUNT_NAMES, min_size=1, max_size=5))
def test_indexed_default_mount_lookup_equals_the_scan(
    mounts: list[tuple[str | None, str]], target: str, queries: list[str]
) -> None:
    """The default-mount index (glob names, nameless defaults, file order) answers like a scan."""
    body = "".join(
        f'<mount type="{kind}">' + (f"<mount-name>{name}</mount-name>" if name else "") + "</mount>"
        for name, kind in mounts
    )
    table = icecfg.explain(icecfg.loads(f"<icecast>{body}</icecast>".encode()), target).mounts
    for name in [*queries, None]:
        assert table.default_for(name) is table.default_for_linearly(name)
        if name is not None:
            assert table.find(name) is table.find_linearly(name)
