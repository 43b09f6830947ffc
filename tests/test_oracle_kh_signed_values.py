"""Negative sizes and rates on Icecast-KH: what kh22 does with them, and what icecfg says.

``<burst-size>-5``: KH reads a size with ``sscanf("%u")``, which takes the
sign and wraps; the 2**31 - 1 it caps that at is beyond KH's own limit for a
burst, so a new listener gets KH's 100000 bytes at once (explain and ICE201
say so), not the default.  ``<limit-rate>``: bits per second divided by 8
as C divides: ``-1`` is 0 bytes per second, no limit; ``-8`` is -1, below any
incoming rate, and KH stops reading the source (ICE213).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import icecfg
from icecfg.effective import explain
from tests import audio, oracle
from tests.oracle_checks import listener_bytes
from tests.release_oracle import SOURCE_PASSWORD, box_for, config, findings

#: The source's rate: bytes per second.
RATE = 20000


@pytest.fixture(scope="module")
def box() -> Iterator[oracle.Sandbox]:
    yield from box_for("kh")


@pytest.fixture(scope="module")
def song() -> bytes:
    """Twenty seconds of 64 kbit/s Ogg Vorbis: the source loops it."""
    return audio.make_ogg(seconds=20, bitrate_kbps=64).read_bytes()


@pytest.mark.parametrize("written", ["limits", "mount"])
def test_a_negative_burst_size_is_kh_s_largest_burst(box: oracle.Sandbox, song: bytes, written: str) -> None:
    """``<burst-size>-5``: about 100000 bytes at once, as explain and ICE201 say; not the default 65536.

    In ``<limits>`` or on the mount alike: KH caps the source's burst
    wherever it came from (explain showed a mount's own as 2147483647).
    """
    port = oracle.free_port()
    if written == "limits":
        data = config(box, port, limits="<burst-size>-5</burst-size>")
    else:
        data = config(box, port, extra="<mount><mount-name>/live.ogg</mount-name><burst-size>-5</burst-size></mount>")
    eff = explain(icecfg.loads(data), "kh")
    if written == "limits":
        burst = eff.sizes.burst_bytes
    else:
        (sizes,) = eff.mount_sizes
        burst = sizes.burst_bytes
        mount = eff.mounts.find("/live.ogg")
        assert mount is not None
        shown = mount.settings["burst-size"]  # the mount's line in explain
        assert (shown.value, shown.origin.source.value) == (100_000, "clamped")
    assert burst == 100_000
    (finding,) = findings(data, "kh", "ICE201")
    assert "reads it as 2147483647 (Icecast-KH uses 100000 bytes for a burst-size over 50000000)" in finding.message
    with oracle.serve(data, box, port, "kh-negative-burst") as server:
        source = server.source(port, "/live.ogg", song, password=SOURCE_PASSWORD, bytes_per_second=RATE)
        with source:
            assert source.accepted
            server.wait_mount(port, "/live.ogg")
            # queue more than twice the burst (and let KH size it from the incoming rate)
            assert oracle.wait_until(lambda: source.bytes_sent > 2 * burst + RATE * 4, timeout=30)
            received = [listener_bytes(port, "/live.ogg", 0.25, after_headers=True) for _ in range(3)]
    # the burst, its Ogg headers and a page or two either side (tests/test_oracle_limits.py);
    # the default burst (65536) would stay below 94208
    assert all(burst <= got <= burst + 28672 for got in received), (burst, received)


@pytest.mark.parametrize(("limit", "held"), [("-8", True), ("-1", False)])
def test_a_negative_limit_rate_holds_the_source_from_minus_8(
    box: oracle.Sandbox, song: bytes, limit: str, held: bool
) -> None:
    """``-8``: the source is accepted and keeps sending, its listener gets nothing; ``-1`` streams (ICE213)."""
    port = oracle.free_port()
    data = config(box, port, extra=f"<mount><mount-name>/live.ogg</mount-name><limit-rate>{limit}</limit-rate></mount>")
    reported = findings(data, "kh", "ICE213")
    assert bool(reported) is held
    with oracle.serve(data, box, port, "kh-negative-limit-rate") as server:
        source = server.source(port, "/live.ogg", song, password=SOURCE_PASSWORD, bytes_per_second=RATE)
        with source:
            assert source.accepted
            server.wait_mount(port, "/live.ogg")
            before = source.bytes_sent
            received = listener_bytes(port, "/live.ogg", 6.0)
            assert source.bytes_sent > before + 4 * RATE  # the source client goes on sending, unaware
            assert source.status is not None and source.status < 400
    if held:
        assert received == 0  # not even the response headers
        (finding,) = reported
        assert "KH stops reading the source of /live.ogg for good" in finding.message
    else:
        assert received > 3 * RATE  # about the source's rate: no limit
