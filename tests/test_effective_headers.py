"""The effective headers layer: which configured headers repeat each other or the server's own."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import icecfg
from icecfg.effective.headers import headers as headers_of
from icecfg.effective.headers import late_on_kh, repeated, repeats_own
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


_HEADER = st.tuples(
    st.sampled_from(["X-A", "x-a", "X-B", "X-C"]),
    st.sampled_from(["", "1", "v"]),
    st.sampled_from([None, "200", "404"]),
)
_BLOCK = st.lists(_HEADER, max_size=3)
#: The root's children: a server-wide block, or a mount with its own headers (and a type).
_CHILD = st.one_of(
    st.tuples(st.just("server"), _BLOCK, st.none()),
    st.tuples(st.just("mount"), _BLOCK, st.sampled_from(["normal", "default"])),
)


def _written(headers: list[tuple[str, str, str | None]]) -> str:
    return "".join(
        f'<header name="{name}"'
        + (f' value="{value}"' if value else "")
        + (f' status="{status}"' if status else "")
        + "/>"
        for name, value, status in headers
    )


@settings(max_examples=300, deadline=None)
@given(st.lists(_CHILD, min_size=1, max_size=7), st.sampled_from(["2.4", "2.5", "kh"]))
def test_a_mounts_changes_and_the_server_wide_headers_make_what_its_listeners_get(
    children: list[tuple[str, list[tuple[str, str, str | None]], str | None]], target: str
) -> None:
    """explain lists a mount's differences from every response: together they are exactly the full list."""
    from icecfg.effective import explain

    body = []
    for number, (kind, headers, mount_type) in enumerate(children):
        block = f"<http-headers>{_written(headers)}</http-headers>"
        if kind == "server":
            body.append(block)
        else:
            name = "/*" if mount_type == "default" else f"/m{number}"
            body.append(f'<mount type="{mount_type}"><mount-name>{name}</mount-name>{block}</mount>')
    eff = explain(icecfg.loads(f"<icecast>{''.join(body)}</icecast>".encode()), target)
    everywhere = {id(h.origin.element) for h in eff.headers.sent}
    for mount in eff.mounts.mounts:
        full = {id(h.origin.element) for h in eff.mount_headers(mount).sent}
        changes = eff.mount_header_changes(mount)
        not_here = {id(d.origin.element) for d in changes.dropped}
        late = changes.not_copied
        if late is not None:  # a run at the end of the server-wide list, from first to last
            run = eff.headers.sent[len(eff.headers.sent) - late.count :]
            assert (run[0], run[-1]) == (late.first, late.last), mount.label
            not_here |= {id(h.origin.element) for h in run}
        assert full == (everywhere - not_here) | {id(h.origin.element) for h in changes.sent}, mount.label


#: What a KH file alternating server-wide blocks and mounts may hold: headers of a few names in
#: either case, a header without a name (KH stops reading its block there), a mount's own headers.
_HEADER = st.one_of(
    st.sampled_from(["X-A", "x-a", "X-B", "Y"]).map(lambda n: f'<header name="{n}" value="1"/>'),
    st.just("<header value='2'/>"),
)
_ITEMS = st.lists(
    st.one_of(
        st.lists(_HEADER, max_size=3).map(lambda hs: ("block", "".join(hs))),
        st.lists(_HEADER, max_size=2).map(lambda hs: ("mount", "".join(hs))),
    ),
    max_size=10,
)


@settings(max_examples=300, deadline=None)
@given(_ITEMS)
def test_kh_late_headers_are_what_each_mount_is_not_sent(items: list[tuple[str, str]]) -> None:
    """ICE916's search by name (:func:`~icecfg.effective.headers.kh_late`) answers as each mount's whole list does.

    For every server-wide header, the mounts read before it that do not
    send one of its name are those whose :meth:`mount_headers` drop it as
    written after the mount and send no header so named: the count and
    the first three.
    """
    body = "".join(
        f"<http-headers>{xml}</http-headers>"
        if kind == "block"
        else f"<mount><mount-name>/m{i}</mount-name><http-headers>{xml}</http-headers></mount>"
        for i, (kind, xml) in enumerate(items)
    )
    eff = icecfg.explain(icecfg.loads(f"<icecast>{body}</icecast>".encode()), "kh")
    expected: dict[int, list[str]] = {}
    for mount in eff.mounts.mounts:
        got = eff.mount_headers(mount)
        sent = {name.lower() for name in got.names()}
        for dropped in got.dropped:
            if late_on_kh(dropped) and (dropped.name or "").lower() not in sent:
                expected.setdefault(id(dropped.origin.element), []).append(mount.label)
    found = {id(late.node): (late.count, [m.label for m in late.first]) for late in eff.kh_late_headers}
    assert found == {key: (len(labels), labels[:3]) for key, labels in expected.items()}


def test_kh_copies_answer_a_number_of_blocks_not_given_when_built() -> None:
    """What a mount read after k blocks copied does not depend on which numbers the table was built for."""
    from icecfg.effective.khcopy import KhCopies

    body = "".join(
        f'<http-headers><header name="{name}" value="{number}"/></http-headers>'
        for number, name in enumerate(["A", "B", "A", "C", "B"])
    )
    eff = icecfg.explain(icecfg.loads(f"<icecast>{body}</icecast>".encode()), "kh")
    blocks = eff._server_header_blocks
    none = headers_of([], Dialect.KH)
    built = KhCopies(blocks, eff.headers, range(len(blocks) + 1))
    asked = KhCopies(blocks, eff.headers, [])
    for read in range(len(blocks) + 1):
        assert asked.changes(read, none) == built.changes(read, none), read
    # after two blocks: A=0 and B=1 (replaced by A=2 and B=4 on every response) are still sent to it;
    # A=2, C and B=4 are not
    after_two = built.changes(2, none)
    assert [(h.name, h.value) for h in after_two.sent] == [("A", "0"), ("B", "1")]
    late = after_two.not_copied
    assert late is not None and (late.count, late.first.value, late.last.value) == (3, "2", "4")
