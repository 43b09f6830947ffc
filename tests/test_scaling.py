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

import contextlib
import gc
import io
import json
from pathlib import Path
from typing import cast

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import icecfg
from benchmarks.run import scaling_config
from icecfg import cli
from icecfg.effective.text import render
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


@pytest.mark.parametrize("target", ["2.4", "2.5", "kh"])
def test_what_the_lint_worked_out_is_freed_when_it_returns(target: str) -> None:
    """No reference cycle keeps the lint's records (one per element) for the cyclic collector.

    At 100,000 mounts a cycle through the placement walk kept 600,000 records
    and their groups alive after lint returned, until a collection scanned
    and freed them (0.2 s more, and the memory held meanwhile).  The document
    is the caller's and stays; nothing else may be left to collect.
    """
    config = icecfg.loads(scaling_config(200))
    lint(config, target, files=False)  # rule modules imported, caches filled
    gc.collect()
    collecting = gc.isenabled()
    gc.disable()
    try:
        findings = lint(config, target, files=False)
        assert findings
        assert gc.collect() == 0
    finally:
        if collecting:
            gc.enable()


@pytest.mark.parametrize("target", ["2.4", "kh"])
def test_doubling_the_mounts_at_most_triples_explain(target: str) -> None:
    """explain, text and JSON, on the scaling config: a server-wide header per five mounts.

    Listing every server-wide header on every mount made it quadratic in
    time and in output (1,500 mounts: 5.7 MB of text).
    """
    small, large = scaling_config(SMALL), scaling_config(2 * SMALL)

    def explained(data: bytes) -> tuple[str, str]:
        eff = icecfg.explain(icecfg.loads(data), target)
        return render(eff), json.dumps(eff.to_json())

    growth = doubling_growth(lambda: explained(small), lambda: explained(large))
    assert growth <= MAX_GROWTH, f"twice the mounts took {growth:.2f}x the time explaining for {target}"
    (text, js), (text2, js2) = explained(small), explained(large)
    assert len(text2) < MAX_GROWTH * len(text) and len(js2) < MAX_GROWTH * len(js)


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


def _passwords_config(mounts: int) -> bytes:
    """``mounts`` mounts, each with a password of its own, a finding (ICE605) and a 2.5 migration change."""
    blocks = "".join(
        f"    <mount>\n        <mount-name>/m{i}.ogg</mount-name>\n        <password>pw{i}-Secret</password>\n"
        "        <fallback-override>1</fallback-override>\n    </mount>\n"
        for i in range(mounts)
    )
    return f"<icecast>\n    <hostname>radio.example.org</hostname>\n{blocks}</icecast>\n".encode()


def _run_quietly(argv: list[str]) -> str:
    """Run the command line in this process (its CPU time is this process's); what it printed."""
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", write_through=True)
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        cli.main(argv)
    return cast("io.BytesIO", out.buffer).getvalue().decode()


_LINT = ["lint", "--isolated", "--no-fs", "--target", "2.4"]


@pytest.mark.parametrize(
    ("command", "reported"),
    [
        (_LINT, "/m7.ogg"),
        ([*_LINT, "--format", "json"], "/m7.ogg"),
        ([*_LINT, "--format", "sarif"], "/m7.ogg"),
        ([*_LINT, "--format", "github"], "/m7.ogg"),
        (["migrate", "--no-fs", "--from", "2.4"], "+        <fallback-override>all</fallback-override>"),
    ],
    ids=["text", "json", "sarif", "github", "migrate-diff"],
)
def test_reports_that_mask_a_password_per_mount_grow_linearly(
    command: list[str], reported: str, tmp_path: Path
) -> None:
    """Masking each file's secrets in what a command prints costs the printed lines, not lines x secrets.

    Every finding's message and source line, every line of a diff, is
    searched for every spelling of every password: with a password per
    mount, looking for each one in each line made a 10,000-mount file take
    a minute to report (the lint itself: half a second).  migrate's diff
    also matched each recurring line (``</mount>``) with every other one.
    """
    small, large = tmp_path / "small.xml", tmp_path / "large.xml"
    small.write_bytes(_passwords_config(SMALL))
    large.write_bytes(_passwords_config(2 * SMALL))
    printed = _run_quietly([*command, str(small)])
    assert "pw7-Secret" not in printed and reported in printed  # it reported, and printed no password
    growth = doubling_growth(lambda: _run_quietly([*command, str(small)]), lambda: _run_quietly([*command, str(large)]))
    assert growth <= MAX_GROWTH, f"twice the mounts took {growth:.2f}x the time to report with {command[:1]}"


def _alternating_config(mounts: int) -> bytes:
    """A server-wide ``<http-headers>`` and a ``<limits>`` before every mount, each mount with a header of its own.

    Icecast-KH copies both into a mount as it reads the ``<mount>``
    (ICE916), so here every mount misses every later block: a rule, or a
    migration note, that lists each mount's missed headers grows as mounts
    x blocks.  One header name recurs in every block and on every mount.
    """
    parts = [
        "<icecast>\n  <hostname>radio.example.org</hostname>\n  <listen-socket><port>8000</port></listen-socket>\n"
    ]
    for i in range(mounts):
        parts.append(
            f'  <http-headers><header name="X-A" value="{i}"/><header name="X-{i}" value="1"/></http-headers>\n'
        )
        parts.append(f"  <limits><clients>{100 + i}</clients></limits>\n")
        parts.append(
            f"  <mount>\n    <mount-name>/m{i}.ogg</mount-name>\n"
            '    <http-headers><header name="X-A" value="m"/></http-headers>\n  </mount>\n'
        )
    parts.append("</icecast>\n")
    return "".join(parts).encode()


@pytest.mark.parametrize("target", ["2.4", "2.5", "kh"])
def test_doubling_alternating_blocks_and_mounts_at_most_triples_the_lint_time(target: str) -> None:
    """ICE916 asked each early mount for its whole list of headers, ICE712 scanned every mount per clash.

    On KH 1,000 such mounts took 7 s and 4,000 took 137 s.
    """
    small, large = _alternating_config(SMALL), _alternating_config(2 * SMALL)
    found = lint(icecfg.loads(small), target, files=False)
    if target == "kh":
        assert sum(1 for f in found if f.code == "ICE916") == SMALL - 1  # X-i reaches no earlier mount
    growth = doubling_growth(
        lambda: lint(icecfg.loads(small), target, files=False), lambda: lint(icecfg.loads(large), target, files=False)
    )
    assert growth <= MAX_GROWTH, f"twice the mounts took {growth:.2f}x the time linting for {target}"


def test_doubling_alternating_blocks_and_mounts_at_most_triples_explain_for_kh() -> None:
    """explain for KH named each server-wide header a mount misses on that mount's lines.

    On this file every mount misses every later block: 1,000 mounts gave
    97 MB of text in 10 s.  A mount's lines name the run it misses once.
    """
    small, large = _alternating_config(SMALL), _alternating_config(2 * SMALL)

    def explained(data: bytes) -> tuple[str, str]:
        eff = icecfg.explain(icecfg.loads(data), "kh")
        return render(eff), json.dumps(eff.to_json())

    text, js = explained(small)
    # the first mount read the first block only: it misses each later block's X-i and the last X-A
    assert f"NOT SENT {SMALL} server-wide headers, X-1 [" in text
    assert json.loads(js)["mounts"][0]["headers"]["not_copied"]["count"] == SMALL
    growth = doubling_growth(lambda: explained(small), lambda: explained(large))
    assert growth <= MAX_GROWTH, f"twice the mounts took {growth:.2f}x the time explaining for KH"
    text2, js2 = explained(large)
    assert len(text2) < MAX_GROWTH * len(text) and len(js2) < MAX_GROWTH * len(js)


def test_doubling_alternating_blocks_and_mounts_at_most_triples_migrate_from_kh(tmp_path: Path) -> None:
    """migrate noted each missed header on each mount, and each inserted element counted the file's line breaks.

    1,000 such mounts took 18 s.  Its report names a header's first mounts, once per header.
    """
    small, large = tmp_path / "small.xml", tmp_path / "large.xml"
    small.write_bytes(_alternating_config(SMALL))
    large.write_bytes(_alternating_config(2 * SMALL))
    command = ["migrate", "--no-fs", "--from", "kh"]
    printed = _run_quietly([*command, str(small)])
    # the diff: KH's header timeout kept once, in the last <limits> (2.5 merges them, the last value wins)
    assert f"+  <limits><clients>{99 + SMALL}</clients><header-timeout>5</header-timeout></limits>" in printed
    assert printed.count("<header-timeout>") == 1
    growth = doubling_growth(lambda: _run_quietly([*command, str(small)]), lambda: _run_quietly([*command, str(large)]))
    assert growth <= MAX_GROWTH, f"twice the mounts took {growth:.2f}x the time to migrate from KH"
