"""ICE305 removed-element, shown on the release each removal is claimed for.

Every element the table marks as removed in a release is written into a
configuration that release otherwise starts with no warning.  The server
starts and serves, says about the element what the rule's text quotes (or,
where the text says the element is no longer parsed, nothing at all), and
the file ``icecfg lint --fix`` writes for ICE305 starts without that line.
"""

from __future__ import annotations

import secrets

import pytest

from icecfg import spec
from tests import oracle
from tests.oracle_checks import box_of, findings, fixed, release_config

SOURCE_PASSWORD = secrets.token_hex(8)
ADMIN_PASSWORD = secrets.token_hex(8)

#: (release, path of the removed row, what to write where, lines the release logs for it or
#: None where it says nothing of the element)
REMOVED = [
    (
        "2.5",
        "icelogin",
        {"extra": "<icelogin>0</icelogin>"},
        ["<icelogin> support has been removed.", "Obsolete tag in config: /icecast/icelogin"],
    ),
    (
        "2.5",
        "limits/threadpool",
        {"limits": "<threadpool>4</threadpool>"},
        ["Unknown tag in config: /icecast/limits/threadpool"],
    ),
    (
        "2.5",
        "directory/server",
        {"extra": "<directory><server><host>yp.example.org</host></server></directory>"},
        None,
    ),
    (
        "kh",
        "listen-socket/ssl",
        {"socket": "<ssl>1</ssl>"},
        ['unknown node "ssl" parsing "listen-socket"'],
    ),
]


def removed_rows() -> set[tuple[str, str]]:
    """(release, path) of every row the table says a release removed."""
    found = set()
    for section in spec.SECTIONS.values():
        for row in section.children:
            for dialect in row.removed:
                where = "" if section is spec.ROOT else f"{section.tag}/"
                found.add((dialect.value, f"{where}{row.name}"))
    return found


def test_every_removed_row_is_shown_on_its_release() -> None:
    """A row marked removed without a case here would be a claim no server has shown."""
    shown = {(release, path) for release, path, _parts, _said in REMOVED}
    assert removed_rows() == shown


@pytest.mark.parametrize(
    ("release", "path", "parts", "said"), REMOVED, ids=[f"{release}-{path}" for release, path, _p, _s in REMOVED]
)
def test_a_removed_element_is_ignored_as_the_rule_says(
    release: str, path: str, parts: dict[str, str], said: list[str] | None, request: pytest.FixtureRequest
) -> None:
    box = box_of(release, request)
    port = oracle.free_port()
    good = release_config(box, [port], source_password=SOURCE_PASSWORD, admin_password=ADMIN_PASSWORD)
    socket = parts.get("socket")
    extra = {key: value for key, value in parts.items() if key != "socket"}
    data = release_config(box, [port], source_password=SOURCE_PASSWORD, admin_password=ADMIN_PASSWORD, **extra)
    if socket is not None:
        plain = b"<bind-address>127.0.0.1</bind-address></listen-socket>"
        assert plain in data
        data = data.replace(plain, plain.replace(b"</listen-socket>", f"{socket}</listen-socket>".encode()), 1)
    assert data != good
    tag = path.rsplit("/", 1)[-1]
    (finding,) = findings(data, release, "ICE305")
    assert finding.message.startswith(f"<{tag}> was removed")
    with oracle.IcecastServer(data, box, wait_port=port, name=f"removed-{release}") as server:
        assert server.http_get(port, "/").status in (200, 404)  # it runs, and answers plain HTTP
        log = (server.error_log() or "") + server.stderr()
        if said is None:
            assert f"/icecast/{path}" not in log
        else:
            for line in said:
                assert line in log
    after = fixed(data, release, "ICE305")
    assert not findings(after, release, "ICE305")
    box.clear_logs()
    with oracle.IcecastServer(after, box, wait_port=port, name=f"removed-fixed-{release}") as server:
        assert server.http_get(port, "/").status in (200, 404)
        log = (server.error_log() or "") + server.stderr()
        for line in said or ():
            assert line not in log
