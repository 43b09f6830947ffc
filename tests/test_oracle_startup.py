"""What ``explain`` says stops a release at start-up stops it, and the file without that one part starts.

Each case is a setting the release dies of, most of them silently (a
SIGSEGV before the first log line).  For each, on the release it names:
explain puts the reason first (``DOES NOT START``, naming the line), lint's
rule reports the same element, the server does not start, and the same file
with only that part corrected is explained without a problem and serves.
"""

from __future__ import annotations

import signal
import time
from dataclasses import dataclass

import pytest

import icecfg
from icecfg.effective import explain
from icecfg.lint import lint
from tests import oracle
from tests.release_oracle import config, replaced


@dataclass(frozen=True)
class Case:
    release: str
    #: What explain's start-up problem says (a part of it).
    says: str
    #: The rule that reports the same element.
    code: str
    #: (text of the harness's file, what the bad file has there, what the good one has).
    edit: tuple[str, str, str]
    #: Whether the release dies of SIGSEGV (else it gives up and exits).
    crashes: bool = True


PORT = "{port}"
SECOND = "{second}"
HTPASSWD = "{htpasswd}"

CASES = {
    "2.4-empty-clients": Case(
        "2.4",
        "<clients> is empty: Icecast 2.4.4 segfaults",
        "ICE205",
        ("<limits>", "<clients/>", "<clients>50</clients>"),
    ),
    "2.5-empty-loglevel": Case(
        "2.5",
        "<loglevel> is empty: Icecast 2.5 segfaults",
        "ICE205",
        ("<loglevel>information</loglevel>", "<loglevel/>", "<loglevel>information</loglevel>"),
    ),
    "2.5-yp-socket-without-hash": Case(
        "2.5",
        'value="pub"> in <yp-directory> is no #id: Icecast 2.5 segfaults',
        "ICE918",
        ("</logging>", '<option name="listen-socket" value="pub"/>', '<option name="listen-socket" value="#pub"/>'),
    ),
    "2.4-empty-server-id": Case(
        "2.4", "<server-id> is empty: Icecast 2.4.4 segfaults", "ICE205", ("</logging>", "<server-id/>", "")
    ),
    "2.5-empty-server-id": Case(
        "2.5", "<server-id> is empty: Icecast 2.5 segfaults", "ICE205", ("</logging>", "<server-id/>", "")
    ),
    "2.4-empty-master-username": Case(
        "2.4",
        "<master-username> is empty: Icecast 2.4.4 segfaults",
        "ICE205",
        ("</logging>", "<master-username/>", "<master-username>relay</master-username>"),
    ),
    "2.5-empty-master-username": Case(
        "2.5",
        "<master-username> is empty: Icecast 2.5 segfaults",
        "ICE205",
        ("</logging>", "<master-username/>", "<master-username>relay</master-username>"),
    ),
    "2.5-empty-public": Case(
        "2.5",
        "<public> is empty: Icecast 2.5 segfaults",
        "ICE205",
        (
            "</logging>",
            "<mount><mount-name>/a</mount-name><public/></mount>",
            "<mount><mount-name>/a</mount-name><public>1</public></mount>",
        ),
    ),
    "2.5-exec-event-without-executable": Case(
        "2.5",
        '<event type="exec"> names no executable: Icecast 2.5 segfaults',
        "ICE214",
        ("</logging>", '<option name="executable"/>', '<option name="executable" value="/bin/true"/>'),
    ),
    "kh-htpasswd-without-filename": Case(
        "kh",
        '<authentication type="htpasswd"> has no <option name="filename">',
        "ICE505",
        (
            "</logging>",
            '<option name="allow_duplicate_users" value="0"/>',
            f'<option name="filename" value="{HTPASSWD}"/>',
        ),
    ),
    "kh-command-without-listener-add": Case(
        "kh",
        '<authentication type="command"> has no <option name="listener_add">',
        "ICE517",
        (
            "</logging>",
            '<option name="listner_add" value="/bin/true"/>',
            '<option name="listener_add" value="/bin/true"/>',
        ),
    ),
    "kh-duplicate-listen-socket": Case(
        "kh",
        f"asks for port {PORT}, which the socket at line",
        "ICE901",
        ("</logging>", f"<port>{PORT}</port>", f"<port>{SECOND}</port>"),
        crashes=False,
    ),
    "kh-shoutcast-port-collision": Case(
        "kh",
        f"also opens port {SECOND}, which the socket at line",
        "ICE906",
        ("</logging>", f"<port>{SECOND}</port>", f"<port>{SECOND}</port><bind-address>127.0.0.2</bind-address>"),
        crashes=False,
    ),
}


def variant(case: Case, data: bytes, part: str, ports: dict[str, str]) -> bytes:
    """The harness's file with ``part`` written where the case puts it."""
    anchor, _bad, _good = case.edit

    def fill(text: str) -> str:
        for key, value in ports.items():
            text = text.replace("{" + key + "}", value)
        return text

    part = fill(part)
    if case.code == "ICE205":
        return replaced(data, anchor, part) if anchor.startswith("<loglevel") else replaced(data, anchor, anchor + part)
    if case.code in ("ICE505", "ICE517"):
        kind = "htpasswd" if case.code == "ICE505" else "command"
        block = f'<mount><mount-name>/locked</mount-name><authentication type="{kind}">{part}</authentication></mount>'
        return replaced(data, anchor, anchor + block)
    if case.code == "ICE214":  # the event fires when a source connects, which no source does here
        event = f'<event-bindings><event type="exec" trigger="source-connect">{part}</event></event-bindings>'
        return replaced(data, anchor, anchor + event)
    if case.code == "ICE918":  # a directory on a closed loopback port, never asked while the test runs
        return replaced(data, anchor, anchor + f'<yp-directory url="http://127.0.0.1:9/yp">{part}</yp-directory>')
    if case.code == "ICE901":
        return replaced(
            data, anchor, anchor + f"<listen-socket>{part}<bind-address>127.0.0.1</bind-address></listen-socket>"
        )
    # ICE906: a Shoutcast socket on the harness's port opens the next one, which ``part`` may take
    return replaced(
        data,
        anchor,
        anchor
        + f"<listen-socket><port>{fill(PORT)}</port><bind-address>127.0.0.1</bind-address>"
        + "<shoutcast-mount>/sc</shoutcast-mount></listen-socket>"
        + f"<listen-socket>{part if '<bind-address>' in part else part + '<bind-address>127.0.0.1</bind-address>'}"
        + "</listen-socket>",
    )


def problems(data: bytes, release: str) -> tuple[str, ...]:
    return explain(icecfg.loads(data), release).startup_problems


@pytest.mark.parametrize("name", list(CASES))
def test_explain_says_what_stops_the_release(name: str, request: pytest.FixtureRequest) -> None:
    case = CASES[name]
    box: oracle.Sandbox = request.getfixturevalue({"2.4": "box24", "2.5": "box25", "kh": "boxkh"}[case.release])
    # ``port`` and ``port + 1`` free (a Shoutcast socket on ``port`` opens the next one), two more
    port, listen, other = oracle.free_ports(2, pairs=1)
    if case.code != "ICE906":
        listen = port  # the harness's own socket is the one a duplicate repeats
    data = config(box, listen)
    htpasswd = box.write("listeners.htpasswd", b"")
    second = port + 1 if case.code == "ICE906" else other
    ports = {"port": str(port), "second": str(second), "htpasswd": str(htpasswd)}
    _anchor, bad_part, good_part = case.edit
    bad = variant(case, data, bad_part, ports)
    good = variant(case, data, good_part, ports)
    says = case.says.replace(PORT, str(port)).replace(SECOND, str(second))

    found = problems(bad, case.release)
    assert len(found) == 1 and says in found[0], found
    (finding,) = [f for f in lint(icecfg.loads(bad), case.release, files=False) if f.code == case.code]
    assert f"line {finding.line} " in found[0], (finding, found)
    assert problems(good, case.release) == ()
    assert not [f for f in lint(icecfg.loads(good), case.release, files=False) if f.code == case.code]

    result = oracle.start_expecting_exit(bad, box, name=f"{name}-bad", expect_crash=case.crashes)
    if case.crashes:
        assert result.signal == signal.SIGSEGV, result.describe()
    else:
        # kh22 exits with status 0 after "Server startup failed": a service manager sees a clean stop
        assert result.returncode == 0 and result.signal is None, result.describe()
        assert "Server startup failed" in result.stdout + result.stderr + (result.error_log or ""), result.describe()
    with oracle.IcecastServer(good, box, wait_port=listen, name=f"{name}-good") as server:
        assert server.http_get(listen, "/status.xsl", timeout=3.0, max_body=4096).status == 200


def test_kh_starts_with_the_empty_elements_the_others_die_of(boxkh: oracle.Sandbox, box25: oracle.Sandbox) -> None:
    """KH skips an empty value (its config_get_* readers) and keeps its default: nothing to report.

    migrate writes KH's value, or removes the element, and 2.5.0 starts with the result.
    """
    port = oracle.free_port()
    empties = "<server-id/><master-username/><mount><mount-name>/a</mount-name><public/></mount>"
    data = replaced(config(boxkh, port), "</logging>", "</logging>" + empties)
    assert problems(data, "kh") == ()
    assert not [f for f in lint(icecfg.loads(data), "kh", files=False) if f.code == "ICE205"]
    with oracle.IcecastServer(data, boxkh, wait_port=port, name="kh-empty-elements") as server:
        time.sleep(2.0)  # past the relay thread's first round, where 2.4.4 and 2.5.0 die of <master-username/>
        assert server.running
        assert server.http_get(port, "/status.xsl", timeout=3.0, max_body=4096).status == 200
    cfg = icecfg.loads(replaced(config(box25, port), "</logging>", "</logging>" + empties))
    migration = icecfg.upgrade(cfg, from_="kh", files=False)
    assert len([c for c in migration.changes if "segfaults on it" in c.reason]) == 3
    migrated = icecfg.dumps(cfg)
    assert problems(migrated, "2.5") == ()
    with oracle.IcecastServer(migrated, box25, wait_port=port, name="kh-empty-elements-migrated") as server:
        time.sleep(2.0)
        assert server.running
        assert server.http_get(port, "/status.xsl", timeout=3.0, max_body=4096).status == 200
