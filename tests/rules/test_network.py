"""Network and limits rules: listen sockets, advertised URLs, relays, YP timing, limits."""

from __future__ import annotations

from pathlib import Path

import pytest

import icecfg
from icecfg.lint import lint
from tests.rules.cases import Case, check_case


def doc(*parts: str) -> bytes:
    return ("<icecast>" + "".join(parts) + "</icecast>").encode()


def sock(port: int | str, extra: str = "") -> str:
    return f"<listen-socket><port>{port}</port>{extra}</listen-socket>"


def limits(inner: str) -> str:
    return f"<limits>{inner}</limits>"


LOCAL = "<bind-address>127.0.0.1</bind-address>"
YP = "<directory><yp-url>http://dir.xiph.org/cgi-bin/yp-cgi</yp-url></directory>"
#: A 2.5 directory that names the socket it lists, its option's value attribute given.
YP25 = '<yp-directory url="http://dir.xiph.org/cgi-bin/yp-cgi"><option name="listen-socket" {}/></yp-directory>'

CASES = [
    # ICE901 duplicate-listen-socket
    Case("ICE901", doc(sock(8000), sock(8000)), doc(sock(8000), sock(8001)), message="same address"),
    Case(
        "ICE901",
        doc(sock(8000), sock(8000, LOCAL)),
        doc(sock(8000, LOCAL), sock(8000, "<bind-address>127.0.0.2</bind-address>")),
        message="every interface",
        id="2.4-overlap",
    ),
    Case(
        "ICE901",
        doc(sock(8000), sock(" 8000 ")),  # atoi skips the spaces: the same port
        doc(sock(8000), sock("abc")),  # atoi("abc") is 0: a random port, no clash
        target="2.5",
    ),
    Case(
        "ICE901",
        doc('<listen-socket port="8000"/>', sock(8000)),
        doc('<listen-socket port="8000"/>', '<listen-socket port="8001"/>'),
        target="kh",
    ),
    # ICE902 root-port-not-listening
    Case("ICE902", doc("<port>8000</port>", sock(8010)), doc("<port>8010</port>", sock(8010)), message="8000"),
    Case("ICE902", doc(sock(8010), "<port>80</port>"), doc("<port>80</port>"), target="2.5"),
    Case(
        "ICE902",
        doc("<port>8000</port>", sock(8010)),
        doc("<port>8010</port>", sock(8010)),
        target="kh",
        message="Icecast-KH writes it into playlist",
    ),
    # ICE903 root-bind-address-ignored
    Case(
        "ICE903",
        doc(f"{LOCAL}", sock(8000)),
        doc(f"{LOCAL}<port>8000</port>"),
        message="1 socket(s) listen on every interface",
    ),
    Case("ICE903", doc(sock(8000), LOCAL), doc(sock(8000, LOCAL)), target="2.5"),
    Case("ICE903", doc(LOCAL, sock(8000)), doc(sock(8000, LOCAL)), target="kh", message="listen on every interface"),
    # ICE904 hostname-not-public
    Case(
        "ICE904",
        doc("<hostname>localhost</hostname>", YP),
        doc("<hostname>radio.example.org</hostname>", YP),
        message="YP directory",
    ),
    Case(
        "ICE904",
        doc(YP),
        doc("<hostname>localhost</hostname>"),  # no YP, no public mount
        message="unset (localhost)",
        id="2.4-unset",
    ),
    Case(
        "ICE904",
        doc("<hostname>127.0.0.1</hostname><mount><mount-name>/a</mount-name><public>true</public></mount>"),
        doc("<hostname>127.0.0.1</hostname><mount><mount-name>/a</mount-name><public>0</public></mount>"),
        target="2.5",
        message="public mount",
    ),
    Case(
        "ICE904",
        doc("<hostname>localhost</hostname><mount><mount-name>/a</mount-name><public>1</public></mount>"),
        doc("<hostname>localhost</hostname><mount><mount-name>/a</mount-name><public>true</public></mount>"),
        id="2.4-public-true",  # 2.4.4 reads true as 0: not public
    ),
    Case("ICE904", doc(YP), doc("<hostname>stream.example.org</hostname>", YP), target="kh"),
    # ICE917 yp-lists-socket-address
    Case(
        "ICE917",
        doc("<hostname>radio.example.org</hostname>", sock(8000, LOCAL), YP),
        doc("<hostname>radio.example.org</hostname><port>80</port>", sock(8000, LOCAL), sock(8001, LOCAL), YP),
        target="2.5",
        message="lists this server in YP directories as http://127.0.0.1:8000/",
    ),
    Case(
        # a private address is no better; a public one, or a wildcard, is reachable
        "ICE917",
        doc("<hostname>radio.example.org</hostname>", sock(8000, "<bind-address>10.0.0.5</bind-address>"), YP),
        doc("<hostname>radio.example.org</hostname>", sock(8000, "<bind-address>0.0.0.0</bind-address>"), YP),
        target="2.5",
        message="http://10.0.0.5:8000/",
        id="private",
    ),
    # ICE918 yp-socket-without-hash
    Case(
        "ICE918",
        doc('<listen-socket id="pub"><port>8000</port></listen-socket>', YP25.format('value="pub"')),
        doc('<listen-socket id="pub"><port>8000</port></listen-socket>', YP25.format('value="#pub"')),
        target="2.5",
        message='write value="#pub"',
    ),
    Case(
        # an empty value names no socket, and 2.5 passes it
        "ICE918",
        doc(YP25.format('value="x"')),
        doc(YP25.format('value=""')),
        target="2.5",
        id="empty",
    ),
    # ICE905 first-listen-socket-not-public
    Case(
        "ICE905",
        doc(sock(8001, LOCAL), sock(8000)),
        doc(sock(8000), sock(8001, LOCAL)),
        message="bound to 127.0.0.1",
    ),
    Case(
        "ICE905",
        doc(sock(8001, LOCAL), sock(8000)),
        doc(sock(8001, "<shoutcast-compat>1</shoutcast-compat>"), sock(8000)),  # KH serves listeners there too
        target="kh",
        message="the one Icecast-KH writes into playlist and YP URLs",
    ),
    Case(
        "ICE905",
        doc(sock(8443, "<ssl>1</ssl>"), sock(8000)),
        doc(sock(8443, "<ssl>1</ssl>"), sock(8000), "<port>8000</port>"),  # the root port is advertised
        message="http://",
        id="2.4-tls",
    ),
    Case(
        "ICE905",
        doc(sock(8001, "<shoutcast-compat>1</shoutcast-compat>"), sock(8000)),
        doc(sock(8443, "<tls>rfc2818</tls>"), sock(8000)),  # 2.5 advertises https for it
        target="2.5",
        message="shoutcast-compat",
    ),
    # ICE906 shoutcast-port-collision
    Case(
        "ICE906",
        doc(sock(8000, "<shoutcast-mount>/live</shoutcast-mount>"), sock(8001)),
        doc(sock(8000, "<shoutcast-mount>/live</shoutcast-mount>"), sock(8002)),
        message="binds that socket first, and Shoutcast sources have no port",  # the later one wins
    ),
    Case(
        "ICE906",
        doc(sock(8001), sock(8000, "<shoutcast-mount>/live</shoutcast-mount>")),
        doc(sock(8002), sock(8000, "<shoutcast-mount>/live</shoutcast-mount>")),
        message="binds the Shoutcast source port first and does not open that socket",
        id="plain-socket-earlier",
    ),
    Case(
        "ICE906",
        doc(
            sock(8000, "<shoutcast-compat>1</shoutcast-compat><shoutcast-mount>/l</shoutcast-mount>"),
            sock(8001),
        ),
        doc(
            sock(8000, f"{LOCAL}<shoutcast-mount>/l</shoutcast-mount>"),  # port+1 is bound to 127.0.0.1 too
            sock(8001, "<bind-address>127.0.0.2</bind-address>"),
        ),
        id="2.4-compat",
    ),
    Case(
        "ICE906",
        doc(sock(8000, "<shoutcast-mount>/l</shoutcast-mount>"), sock(8001)),
        doc(
            sock(8000, "<shoutcast-compat>1</shoutcast-compat><shoutcast-mount>/l</shoutcast-mount>"),
            sock(8001),
        ),  # 2.5 opens no extra port for a shoutcast-compat socket
        target="2.5",
    ),
    Case(
        "ICE906",
        doc('<listen-socket port="8000" shoutcast-mount="/l"/>', '<listen-socket port="8001"/>'),
        doc('<listen-socket port="8000" shoutcast-mount="/l"/>', '<listen-socket port="8002"/>'),
        target="kh",
    ),
    # ICE907 clients-not-above-sources
    Case(
        "ICE907",
        doc(limits("<clients>20</clients><sources>10</sources>")),
        doc(limits("<clients>21</clients><sources>10</sources>")),
        message="above 20",
    ),
    Case(
        "ICE907",
        doc(limits("<clients>32</clients>")),  # default sources: 16
        doc(limits("<clients>33</clients>")),
        target="2.5",
        message="Icecast 2.5 logs an error",
    ),
    Case(
        "ICE907",
        doc(limits("<sources>200</sources>")),  # default clients: 256
        doc(limits("<sources>100</sources>")),
        target="kh",
    ),
    # ICE908 burst-size-not-below-queue-size
    Case(
        "ICE908",
        doc(limits("<queue-size>65536</queue-size>")),  # default burst: 65536
        doc(limits("<queue-size>65537</queue-size>")),
        message="<queue-size> 65536",
    ),
    Case(
        "ICE908",
        doc(limits("<queue-size>1000</queue-size><burst-size>5000</burst-size>")),
        doc(limits("<queue-size>1000</queue-size><burst-size>5000</burst-size><burst-on-connect>0</burst-on-connect>")),
        id="2.4-burst-on-connect",
    ),
    Case(
        "ICE908",
        doc("<mount><mount-name>/a</mount-name><queue-size>40000</queue-size></mount>"),
        doc("<mount><mount-name>/a</mount-name><queue-size>400000</queue-size></mount>"),
        target="2.5",
        message="mount /a",
    ),
    Case(
        "ICE908",
        doc(limits("<queue-size>64k</queue-size>")),
        doc(limits("<queue-size>128k</queue-size>")),
        target="kh",
    ),
    Case(
        "ICE908",
        # KH copies <limits> into a mount as it reads it: this mount keeps the default queue (512000)
        doc(
            "<mount><mount-name>/a</mount-name><burst-size>600000</burst-size></mount>",
            limits("<queue-size>1m</queue-size>"),
        ),
        doc(
            limits("<queue-size>1m</queue-size>"),
            "<mount><mount-name>/a</mount-name><burst-size>600000</burst-size></mount>",
        ),
        target="kh",
        message="<queue-size> 512000",
        id="kh-limits-after-mount",
    ),
    Case(
        "ICE908",
        doc(
            limits("<burst-size>600000</burst-size>"),
            "<mount><mount-name>/a</mount-name></mount>",
            limits("<queue-size>1m</queue-size>"),
        ),
        doc(
            limits("<burst-size>600000</burst-size><queue-size>1m</queue-size>"),
            "<mount><mount-name>/a</mount-name></mount>",
        ),
        target="kh",
        message="mount /a",
        id="kh-mount-between-limits",
    ),
    # ICE909 relay-without-port
    Case(
        "ICE909",
        doc("<relay><server>up.example.org</server><mount>/a</mount></relay>"),
        doc("<relay><server>up.example.org</server><port>8000</port><mount>/a</mount></relay>"),
        message="port 0",
    ),
    Case(
        "ICE909",
        doc("<relay><server>up.example.org</server><port>http</port></relay>"),
        doc("<relay><server>up.example.org</server><port>80</port></relay>"),
        id="2.4-word",
    ),
    # ICE910 master-relay-incomplete
    Case(
        "ICE910",
        doc("<master-server>m.example.org</master-server><master-password>x-1</master-password>"),
        doc(
            "<master-server>m.example.org</master-server><master-server-port>8000</master-server-port>"
            "<master-password>x-1</master-password>"
        ),
        message="master-server-port",
    ),
    Case(
        "ICE910",
        doc("<master-server-port>8000</master-server-port>"),
        doc("<master-username>relay</master-username>"),
        target="2.5",
    ),
    Case(
        "ICE910",
        doc("<master-server>m</master-server><master-server-port>8000</master-server-port>"),
        doc("<master-server>m</master-server><master><port>8000</port></master>"),
        target="kh",
        message="<master-password>",
    ),
    # ICE911 relays-on-demand-after-relay
    Case(
        "ICE911",
        doc("<relay><server>a</server><port>1</port></relay><relays-on-demand>1</relays-on-demand>"),
        doc("<relays-on-demand>1</relays-on-demand><relay><server>a</server><port>1</port></relay>"),
        message="1 <relay> block(s)",
    ),
    Case(
        "ICE911",
        doc("<relay><server>a</server></relay><relays-on-demand>yes</relays-on-demand>"),
        doc("<relay><server>a</server><on-demand>1</on-demand></relay><relays-on-demand>yes</relays-on-demand>"),
        target="2.5",
    ),
    Case(
        "ICE911",
        doc("<relay><server>a</server><port>1</port></relay><relays-on-demand>1</relays-on-demand>"),
        doc("<relays-on-demand>1</relays-on-demand><relay><server>a</server><port>1</port></relay>"),
        target="kh",
        message="1 <relay> block(s)",
    ),
    # ICE916 kh-server-settings-after-mount
    Case(
        "ICE916",
        doc("<mount><mount-name>/a</mount-name></mount>", limits("<burst-size>16000</burst-size>")),
        doc(
            "<mount><mount-name>/a</mount-name><burst-size>16000</burst-size></mount>",
            limits("<burst-size>16000</burst-size><clients>50</clients>"),
        ),
        target="kh",
        message="/a keeps 65536",
        id="kh-limits",
    ),
    Case(
        "ICE916",
        doc(
            "<mount><mount-name>/a</mount-name></mount>",
            '<http-headers><header name="X-Server" value="1"/></http-headers>',
        ),
        doc(
            '<mount><mount-name>/a</mount-name><http-headers><header name="X-Server" value="2"/></http-headers>'
            "</mount>",
            '<http-headers><header name="X-Server" value="1"/></http-headers>',
        ),
        target="kh",
        message="header X-Server comes after 1 <mount>(s) (/a)",
        id="kh-headers",
    ),
    # ICE912 yp-url-timeout-out-of-range
    Case(
        "ICE912",
        doc("<directory><yp-url-timeout>15</yp-url-timeout><yp-url>http://d/</yp-url></directory>"),
        doc("<directory><yp-url-timeout>10</yp-url-timeout><yp-url>http://d/</yp-url></directory>"),
        message="uses 6 seconds",
    ),
    # ICE913 touch-interval-below-30
    Case(
        "ICE913",
        doc("<directory><yp-url>http://d/</yp-url><touch-interval>29</touch-interval></directory>"),
        doc("<directory><yp-url>http://d/</yp-url><touch-interval>30</touch-interval></directory>"),
        message="uses 30 seconds",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.test_id)
def test_rule(case: Case, tmp_path: Path) -> None:
    check_case(case, tmp_path)


def _fix(data: bytes, code: str, target: str = "2.4") -> bytes:
    cfg = icecfg.loads(data)
    [finding] = [f for f in lint(cfg, target, files=False) if f.code == code]
    assert finding.fix is not None, finding
    finding.fix()
    fixed = icecfg.dumps(cfg)
    assert not [f for f in lint(icecfg.loads(fixed), target, files=False) if f.code == code]
    return fixed


def test_duplicate_socket_fix_removes_only_an_identical_copy() -> None:
    data = b"<icecast>\n  <listen-socket><port>8000</port></listen-socket>\n  <listen-socket><port>8000</port></listen-socket>\n</icecast>\n"
    assert _fix(data, "ICE901") == b"<icecast>\n  <listen-socket><port>8000</port></listen-socket>\n</icecast>\n"
    different = doc(sock(8000), sock(8000, "<ssl>1</ssl>"))
    [finding] = [f for f in lint(icecfg.loads(different), "2.4", files=False) if f.code == "ICE901"]
    assert finding.fix is None  # the two sockets differ: which one is meant is the user's call


def test_root_port_fix_removes_it() -> None:
    data = b"<icecast>\n  <port>8000</port>\n  <listen-socket><port>8010</port></listen-socket>\n</icecast>\n"
    assert _fix(data, "ICE902") == b"<icecast>\n  <listen-socket><port>8010</port></listen-socket>\n</icecast>\n"


def test_relays_on_demand_fix_moves_it_first() -> None:
    data = (
        b"<icecast>\n  <relay><server>a</server><port>1</port></relay>\n"
        b"  <relays-on-demand>1</relays-on-demand>\n</icecast>\n"
    )
    assert _fix(data, "ICE911") == (
        b"<icecast>\n  <relays-on-demand>1</relays-on-demand>\n"
        b"  <relay><server>a</server><port>1</port></relay>\n</icecast>\n"
    )


def test_yp_timing_fixes() -> None:
    url = "<yp-url>http://d/</yp-url>"
    data = doc(f"<directory>{url}<yp-url-timeout>15</yp-url-timeout><touch-interval>5</touch-interval></directory>")
    assert b"<yp-url-timeout>10</yp-url-timeout>" in _fix(data, "ICE912")
    assert b"<touch-interval>30</touch-interval>" in _fix(data, "ICE913")
    zero = doc(f"<directory>{url}<yp-url-timeout>0</yp-url-timeout></directory>")
    [finding] = [f for f in lint(icecfg.loads(zero), "2.4", files=False) if f.code == "ICE912"]
    assert finding.fix is None


def test_yp_timing_of_a_discarded_directory_is_not_judged() -> None:
    """A <directory> without <yp-url> is discarded: its timings are never used (2.4.4 yp.c skips it)."""
    data = doc("<directory><yp-url-timeout>15</yp-url-timeout><touch-interval>5</touch-interval></directory>")
    assert not [f for f in lint(icecfg.loads(data), "2.4", files=False) if f.code in ("ICE912", "ICE913")]
    eff = icecfg.explain(icecfg.loads(data), "2.4")
    assert eff.directories == ()


def test_duplicate_points_at_the_second_socket() -> None:
    data = b"<icecast>\n<listen-socket><port>8000</port></listen-socket>\n<listen-socket><port>8000</port></listen-socket>\n</icecast>"
    [finding] = [f for f in lint(icecfg.loads(data), "2.4", files=False) if f.code == "ICE901"]
    assert finding.line == 3
    assert "line 2" in finding.message


def test_loopback_first_socket_is_fine_on_a_loopback_only_server() -> None:
    data = doc(sock(8001, LOCAL), sock(8000, "<bind-address>127.0.0.2</bind-address>"))
    assert not [f for f in lint(icecfg.loads(data), "2.4", files=False) if f.code == "ICE905"]


@pytest.mark.parametrize("target", ["2.5", "kh"])
def test_clients_judged_as_the_release_reads_a_number_with_trailing_text(target: str) -> None:
    """``300abc`` is 300 to 2.5 (atoi) and KH (sscanf): judged as 300, not called a kept default."""
    data = doc(limits("<clients>300abc</clients><sources>200</sources>"))
    [finding] = [f for f in lint(icecfg.loads(data), target, files=False) if f.code == "ICE907"]
    assert finding.message.startswith("<clients> 300 is not above 2 x <sources> 200:")
