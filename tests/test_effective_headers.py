"""The effective headers layer: which configured headers repeat each other or the server's own."""

from __future__ import annotations

import pytest

import icecfg
from icecfg.effective.headers import repeated, repeats_own
from icecfg.spec import Dialect


@pytest.mark.parametrize(
    ("dialect", "line"),
    [
        (Dialect.V24, "Cache-Control: no-cache, no-store"),
        (Dialect.V25, "Cache-Control: no-cache, no-store"),
        (Dialect.KH, None),  # KH replaces its own Cache-Control with a configured one
    ],
)
def test_cache_control_repeats_the_servers_own_line(dialect: Dialect, line: str | None) -> None:
    assert repeats_own(" cache-CONTROL ", dialect) == line
    assert repeats_own("X-Frame-Options", dialect) is None


def test_expires_and_pragma_are_sent_by_24_and_25() -> None:
    assert repeats_own("Pragma", Dialect.V24) == "Pragma: no-cache"
    assert repeats_own("Expires", Dialect.V25) == "Expires: Mon, 26 Jul 1997 05:00:00 GMT"


def _headers(xml: str) -> list[icecfg.document.Element]:
    cfg = icecfg.loads(f"<icecast><http-headers>{xml}</http-headers></icecast>".encode())
    block = cfg.document.root.find("http-headers")
    assert block is not None
    return list(block.elements("header"))


def test_repeated_pairs_each_header_with_the_first_earlier_one_on_the_same_responses() -> None:
    found = _headers(
        '<header name="X-A" value="1"/>'
        '<header name="x-a" value="2" status="200"/>'  # every status overlaps 200
        '<header name="X-B" value="1" status="200"/>'
        '<header name="X-B" value="2" status="404"/>'  # another status: no clash
        '<header name="X-B" value="3"/>'  # every status: clashes with the first X-B
    )
    pairs = [(a.get("value"), a.get("name"), b.get("value")) for a, b in repeated(found)]
    assert pairs == [("2", "x-a", "1"), ("3", "X-B", "1")]


_ORDER = (
    b'<icecast><mount><mount-name>/early</mount-name><http-headers><header name="X-Own" value="e"/></http-headers>'
    b'</mount><http-headers><header name="X-Server" value="1"/><header name="X-Shared" value="s"/></http-headers>'
    b'<mount><mount-name>/late</mount-name><http-headers><header name="X-Shared" value="l"/></http-headers>'
    b"</mount></icecast>"
)


@pytest.mark.parametrize(
    ("target", "early", "late"),
    [
        ("2.4", ["X-Server=1", "X-Shared=s", "X-Own=e"], ["X-Server=1", "X-Shared=s", "X-Shared=l"]),
        ("2.5", ["X-Server=1", "X-Shared=s", "X-Own=e"], ["X-Server=1", "X-Shared=s", "X-Shared=l"]),
        ("kh", ["X-Own=e"], ["X-Server=1", "X-Shared=l"]),
    ],
)
def test_a_mount_gets_the_server_wide_headers_the_release_copies(
    target: str, early: list[str], late: list[str]
) -> None:
    """2.4.4 and 2.5.0 send the server-wide headers on every mount; KH only on one read after them (oracle-tested)."""
    from icecfg.effective import explain

    eff = explain(icecfg.loads(_ORDER), target)
    got = {}
    for name in ("/early", "/late"):
        mount = eff.mounts.find(name)
        assert mount is not None
        got[name] = [f"{h.name}={h.value}" for h in eff.mount_headers(mount).sent]
    assert got == {"/early": early, "/late": late}
    mount = eff.mounts.find("/early")
    assert mount is not None
    reasons = [d.reason for d in eff.mount_headers(mount).dropped]
    assert len(reasons) == (2 if target == "kh" else 0) and all("after this <mount>" in r for r in reasons)
