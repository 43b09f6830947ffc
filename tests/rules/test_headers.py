"""Header rules (ICE71x): truncated <http-headers>, duplicates, and cache headers 2.4.4 already sends."""

from __future__ import annotations

from pathlib import Path

import pytest

import icecfg
from icecfg.lint import lint
from tests.rules.cases import Case, check_case, run


def headers(*items: str, where: str = "root") -> bytes:
    block = f"<http-headers>{''.join(items)}</http-headers>"
    if where == "mount":
        block = f"<mount><mount-name>/live</mount-name>{block}</mount>"
    return f"<icecast>{block}</icecast>".encode()


A = '<header name="X-A" value="1"/>'
B = '<header name="X-B" value="2"/>'
C = '<header name="X-C" value="3"/>'

CASES = [
    # ICE711 http-headers-truncated -----------------------------------------------------
    Case(
        "ICE711",
        headers(A, "<!-- note -->", B, C),
        headers(A, B, C, "<!-- a trailing comment loses nothing -->"),
        message="Icecast 2.4.4 stops reading <http-headers> at the comment on line 1: the later headers X-B, X-C are never sent",
    ),
    Case(
        "ICE711",
        headers(A, '<header name="X-N"/>', B),
        headers(A, '<header name="X-N" value=""/>', B),
        message='<header name="X-N"> without a value attribute: it and the later headers X-B are never sent',
        id="no-value",
    ),
    Case(
        "ICE711",
        headers(A, '<header type="cors" name="X-Q" value="*"/>', B),
        headers(A, '<header type="static" name="X-Q" value="*"/>', B),
        message='<header name="X-Q" type="cors">',
        id="cors",
    ),
    Case(
        "ICE711",
        headers(A, "<foo/>", B, where="mount"),
        headers(A, B, "<foo/>", where="mount"),
        id="element-in-mount",
    ),
    Case("ICE711", headers(A, "junk", B), headers(A, "  \n ", B), id="text"),
    Case(
        "ICE711",
        headers(A, '<header value="x"/>', B),
        headers(A, "<!-- 2.5 skips comments -->", '<header type="cors" name="Access-Control-Allow-Origin"/>', B),
        target="2.5",
        message="Icecast 2.5 stops reading <http-headers> at a <header> without a name attribute: it and the later headers X-B",
    ),
    Case(
        "ICE711",
        headers(A, '<header type="cros" name="X-Q" value="*"/>'),
        headers(A, '<header type="corpse" name="X-Q" value="*"/>'),
        target="2.5",
        message="it is never sent",
        id="2.5-bad-type-last",
    ),
    # ICE712 duplicate-http-header ------------------------------------------------------
    Case(
        "ICE712",
        headers(A, '<header name="x-a" value="2"/>'),
        headers(A, '<header name="X-A" value="2" status="404"/>').replace(
            b'name="X-A" value="1"', b'name="X-A" value="1" status="200"'
        ),
        message="Icecast 2.4.4 sends both x-a lines",
    ),
    Case(
        "ICE712",
        headers(A, '<header name="x-a" value="2"/>'),
        headers(A, B),
        target="2.5",
        message="Icecast 2.5 sends both x-a lines",
    ),
    Case(
        "ICE712",
        b"<icecast><http-headers>"
        + A.encode()
        + b"</http-headers><http-headers>"
        + A.encode()
        + b"</http-headers></icecast>",
        b"<icecast><http-headers>"
        + A.replace("/>", ' status="404"/>').encode()
        + b"</http-headers><mount><mount-name>/m</mount-name><http-headers>"
        + A.encode()
        + b"</http-headers></mount></icecast>",
        id="two-root-blocks",
    ),
    Case(
        "ICE712",
        b"<icecast><http-headers>" + A.encode() + b"</http-headers><mount><mount-name>/m</mount-name><http-headers>"
        b'<header name="X-A" value="2"/></http-headers></mount></icecast>',
        b"<icecast><http-headers>"
        + A.encode()
        + b"</http-headers><mount><mount-name>/m</mount-name><http-headers>"
        + B.encode()
        + b"</http-headers></mount></icecast>",
        message="also configured server-wide (line 1): Icecast 2.4.4 sends both X-A lines on this mount's",
        id="mount-and-server",
    ),
    Case(
        # the default mount's headers are added to the mount's own: both X-A lines on /m's stream
        "ICE712",
        b'<icecast><mount type="default"><http-headers>' + A.encode() + b"</http-headers></mount>\n"
        b'<mount><mount-name>/m</mount-name><http-headers><header name="X-A" value="2"/></http-headers></mount>'
        b"</icecast>",
        b'<icecast><mount type="default"><http-headers>' + A.encode() + b"</http-headers></mount>\n"
        b"<mount><mount-name>/m</mount-name><http-headers>" + B.encode() + b"</http-headers></mount></icecast>",
        target="2.5",
        message="also configured by the default mount (line 1), whose headers Icecast 2.5 adds to this mount's: "
        "it sends both X-A lines",
        id="mount-and-default-mount",
    ),
    Case(
        # KH has no default mount: the type="default" block is a mount of its own
        "ICE712",
        headers(A, '<header name="x-a" value="2"/>'),
        b'<icecast><mount type="default"><http-headers>' + A.encode() + b"</http-headers></mount>\n"
        b'<mount><mount-name>/m</mount-name><http-headers><header name="X-A" value="2"/></http-headers></mount>'
        b"</icecast>",
        target="kh",
        id="kh-no-default-mount",
    ),
    Case(
        "ICE712",
        b"<icecast><http-headers>" + A.encode() + b"</http-headers><mount><mount-name>/m</mount-name></mount>"
        b'<http-headers><header name="X-A" value="2"/></http-headers></icecast>',
        # KH's mount replaces the server-wide header it copied: no repeat
        b"<icecast><http-headers>" + A.encode() + b"</http-headers><mount><mount-name>/m</mount-name><http-headers>"
        b'<header name="X-A" value="2"/></http-headers></mount></icecast>',
        target="kh",
        message="the <mount>s read between the two (/m) copied and keep line 1's",
        id="kh-mount-between",
    ),
    Case(
        "ICE712",
        headers(A, '<header name="X-A" value="2"/>'),
        headers(A, B),
        target="kh",
        message="Icecast-KH keeps only this one",
    ),
    # ICE713 cache-header-duplicates-icecast --------------------------------------------
    Case(
        "ICE713",
        headers('<header name="Cache-Control" value="no-cache"/>'),
        headers('<header name="X-Cache-Control" value="no-cache"/>'),
        message="already sends 'Cache-Control: no-cache, no-store' on every response; it only adds a second line",
    ),
    Case(
        "ICE713",
        b"<icecast><mount><mount-name>/live</mount-name><fallback-mount>/f.ogg</fallback-mount>"
        b'<fallback-override>1</fallback-override><http-headers><header name="cache-control" value="max-age=60"/>'
        b"</http-headers></mount></icecast>",
        b"<icecast><mount><mount-name>/live</mount-name><fallback-mount>/f.ogg</fallback-mount>"
        b"<fallback-override>1</fallback-override></mount></icecast>",
        message="(listeners moved by <fallback-override> included); it contradicts",
        id="caching-with-override",
    ),
    Case("ICE713", headers('<header name="Pragma" value="no-cache"/>'), headers(A), id="pragma"),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.test_id)
def test_rule(case: Case, tmp_path: Path) -> None:
    check_case(case, tmp_path)


def test_truncation_is_reported_at_the_first_lost_header() -> None:
    data = b'<icecast>\n<http-headers>\n  <header name="X-A" value="1"/>\n  <!-- c -->\n  <header name="X-B" value="2"/>\n</http-headers>\n</icecast>'
    (finding,) = [f for f in run(data, files=False) if f.code == "ICE711"]
    assert (finding.line, finding.column) == (5, 3)
    assert "the comment on line 4" in finding.message


def test_kh_does_not_truncate() -> None:
    assert not [f for f in run(headers(A, "<!-- c -->", B), "kh", files=False) if f.code == "ICE711"]


def test_ice713_fix_removes_a_pure_duplicate_only() -> None:
    config = icecfg.loads(headers('<header name="Cache-Control" value="no-cache, no-store"/>', A))
    (finding,) = [f for f in lint(config, files=False) if f.code == "ICE713"]
    assert finding.fix is not None
    finding.fix()
    assert b"Cache-Control" not in config.document.dumps() and b"X-A" in config.document.dumps()
    config = icecfg.loads(headers('<header name="Cache-Control" value="public, max-age=600"/>'))
    (finding,) = [f for f in lint(config, files=False) if f.code == "ICE713"]
    assert finding.fix is None


def test_blocks_the_target_does_not_read_are_left_to_the_dialect_rules() -> None:
    socket = (
        b"<icecast><listen-socket><port>8000</port><http-headers>"
        + A.encode()
        + b"<!-- c -->"
        + B.encode()
        + b"</http-headers></listen-socket></icecast>"
    )
    assert not [f for f in run(socket, "2.4", files=False) if f.code == "ICE711"]
    assert not [f for f in run(socket, "2.5", files=False) if f.code == "ICE711"]  # 2.5 skips comments
    broken = socket.replace(b"<!-- c -->", b'<header value="x"/>')
    assert [f.code for f in run(broken, "2.5", files=False) if f.code == "ICE711"] == ["ICE711"]


@pytest.mark.parametrize(
    ("target", "override", "moves"),
    [
        ("2.5", "none", False),  # 2.5's none moves nobody
        ("2.5", "all", True),
        ("2.4", "true", False),  # 2.4.4 reads it with atoi: 0
        ("2.4", "1", True),
    ],
)
def test_ice713_names_moved_listeners_only_when_the_release_moves_them(target: str, override: str, moves: bool) -> None:
    data = (
        "<icecast><mount><mount-name>/live</mount-name><fallback-mount>/f.ogg</fallback-mount>"
        f"<fallback-override>{override}</fallback-override><http-headers>"
        '<header name="Cache-Control" value="max-age=60"/></http-headers></mount></icecast>'
    ).encode()
    [finding] = [f for f in run(data, target, files=False) if f.code == "ICE713"]
    assert ("listeners moved by <fallback-override>" in finding.message) is moves, finding.message
