"""Value rules: numbers, booleans, empty and untrimmed values as each dialect reads them."""

from __future__ import annotations

from pathlib import Path

import pytest

import icecfg
from icecfg.lint import lint
from tests.rules.cases import Case, check_case, run
from tests.rules.cases import icecast as _x
from tests.rules.cases import listen_socket as _socket

CASES = [
    Case(
        "ICE201",
        _x('<mount mount-name="/a.ogg" max-listeners="x"/>'),
        _x('<mount mount-name="/a.ogg" max-listeners=" 5"/>'),
        target="kh",
        message="max-listeners='x' on <mount> is not a whole number: Icecast-KH rejects it and keeps the default (-1)",
        id="kh-attribute",
    ),
    # ICE201 not-a-number
    Case(
        "ICE201",
        _socket("<port>8000abc</port>"),
        _socket("<port> 8000 </port>"),
        message="<port> value '8000abc' is not a whole number: Icecast 2.4.4 reads it as 8000",
    ),
    Case(
        "ICE201",
        _socket("<port>abc</port>"),
        _socket("<port>8001</port>"),
        id="random-port",
        message="reads it as 0, so the socket binds a random free port",
    ),
    Case(
        "ICE201",
        _x("<limits><clients> </clients></limits>"),
        _x("<limits><clients>100</clients></limits>"),
        id="blank-clients",
        message="<clients> is blank: Icecast 2.4.4 reads it as 0, and with a client limit of 0 every request",
    ),
    Case(
        # 2.5 reads unsigned values with strtol and refuses trailing junk
        "ICE201",
        _x("<mount><mount-name>/a</mount-name><max-listener-duration>60s</max-listener-duration></mount>"),
        _x("<mount><mount-name>/a</mount-name><max-listener-duration>60</max-listener-duration></mount>"),
        target="2.5",
        message="Icecast 2.5 rejects it and keeps the default (0)",
    ),
    Case(
        # KH reads sizes with k/m suffixes; sscanf("%d") still reads 8000 out of 8000abc
        "ICE201",
        _x("<limits><queue-size>big</queue-size><sources>4x</sources></limits>"),
        _x("<limits><queue-size>64k</queue-size><sources>4</sources></limits>"),
        target="kh",
        message="<queue-size> value 'big' is not a whole number: Icecast-KH rejects it and keeps the default",
    ),
    Case(
        # KH's sscanf("%u") takes the sign and wraps; the source then uses its own burst for so large a one
        "ICE201",
        _x("<limits><burst-size>-5</burst-size></limits>"),
        _x("<limits><burst-size>100000</burst-size></limits>"),
        target="kh",
        message="Icecast-KH reads it as 2147483647 (Icecast-KH uses 100000 bytes for a burst-size over 50000000)",
        id="kh-signed-size",
    ),
    Case(
        "ICE201",
        _x("<limits><queue-size>64k</queue-size></limits>"),
        _x("<limits><queue-size>65536</queue-size></limits>"),
        id="size-suffix-on-2.4",
        message="reads it as 64",
    ),
    Case(
        # KH's config_get_bitrate: k/K and m/M multiply, any other character ends the number
        "ICE201",
        _x("<mount><mount-name>/a</mount-name><limit-rate>1.5m</limit-rate></mount>"),
        _x("<mount><mount-name>/a</mount-name><limit-rate> 1500K </limit-rate></mount>"),
        target="kh",
        message="<limit-rate> value '1.5m' is not a bitrate (bits per second, k or m for 1000 or 1000000): "
        "Icecast-KH reads it as 1 bit/s",
        id="kh-bitrate-fraction",
    ),
    Case(
        "ICE201",
        _x("<limits><max-bandwidth>10Mbit</max-bandwidth></limits>"),
        _x("<limits><max-bandwidth>10M</max-bandwidth></limits>"),
        target="kh",
        message="Icecast-KH reads it as 10000000 bit/s",
        id="kh-bitrate-unit",
    ),
    Case(
        "ICE201",
        _x('<mount><mount-name>/a</mount-name><fallback rate="fast" mount="/f.ogg"/></mount>'),
        _x('<mount><mount-name>/a</mount-name><fallback rate="128k" mount="/f.ogg"/></mount>'),
        target="kh",
        message="rate='fast' on <fallback> is not a bitrate",
        id="kh-bitrate-attribute",
    ),
    # ICE202 port-out-of-range
    Case(
        "ICE202",
        _socket("<port>99999</port>"),
        _socket("<port>65535</port>"),
        message="<port> 99999 is not a TCP port (1..65535): Icecast 2.4.4 silently binds port 34463 instead",
    ),
    Case(
        "ICE202",
        _x("<port>0</port>"),
        _x("<port>1</port>"),
        id="zero",
        message="binds a random free port",
    ),
    Case(
        "ICE202",
        _x("<relay><server>a</server><port>70000</port></relay>"),
        _x("<relay><server>a</server><port>8000</port></relay>"),
        target="2.5",
        message="<port> 70000 is not a TCP port",
    ),
    Case(
        "ICE202",
        _socket("<port>-1</port>"),
        _socket("<port>8000</port>"),
        target="kh",
        message="Icecast-KH rejects it",
    ),
    # ICE203 value-out-of-range
    Case(
        "ICE203",
        _x("<limits><header-timeout>1</header-timeout></limits>"),
        _x("<limits><header-timeout>2</header-timeout></limits>"),
        target="2.5",
        message="<header-timeout> 1 is outside 2..600: Icecast 2.5 logs 'Value for tag is out of range'",
    ),
    Case(
        "ICE203",
        _x("<mount><mount-name>/a</mount-name><max-listeners>-1</max-listeners></mount>"),
        _x("<mount><mount-name>/a</mount-name></mount>"),
        target="2.5",
        id="unlimited-listeners",
        message="outside 1..16384",
    ),
    Case(
        "ICE203",
        _x("<limits><workers>500</workers></limits>"),
        _x("<limits><workers>400</workers></limits>"),
        target="kh",
        message="Icecast-KH does not accept it",
    ),
    # ICE204 misread-boolean
    Case(
        "ICE204",
        _x("<fileserve>true</fileserve>"),
        _x("<fileserve>1</fileserve>"),
        message="<fileserve>true</fileserve>: Icecast 2.4.4 reads 'true' as 0 (off); write 1",
    ),
    Case(
        "ICE204",
        _x("<mount><mount-name>/a</mount-name><public>yes</public></mount>"),
        _x("<mount><mount-name>/a</mount-name><public>1</public></mount>"),
        id="public",
        message="reads 'yes' as 0",
    ),
    Case(
        # 2.5.0 compares "client" as written: padded, it is util_str_to_bool's 0
        "ICE204",
        _x("<mount><mount-name>/a</mount-name><public> client </public></mount>"),
        _x("<mount><mount-name>/a</mount-name><public>client</public></mount>"),
        target="2.5",
        id="public-padded-client",
        message="<public>client</public>: Icecast 2.5 reads ' client ' as 0 (never listed on YP); write -1",
    ),
    Case(
        # any number but 0, and "-1" padded, is 2.5.0's 1
        "ICE204",
        _x("<mount><mount-name>/a</mount-name><public>2</public></mount>"),
        _x("<mount><mount-name>/a</mount-name><public>-1</public></mount>"),
        target="2.5",
        id="public-other-number",
        message="reads '2' as 1 (listed on YP); write -1, 0 or 1",
    ),
    Case(
        # 2.5 knows the words; an unknown word is 0
        "ICE204",
        _x("<fileserve>enabled</fileserve>"),
        _x("<fileserve>true</fileserve>"),
        target="2.5",
        message="value 'enabled' is not on/off: Icecast 2.5 reads it as 0 (off)",
    ),
    Case(
        "ICE204",
        _x("<mount><mount-name>/a</mount-name><fallback-override>all</fallback-override></mount>"),
        _x("<mount><mount-name>/a</mount-name><fallback-override>1</fallback-override></mount>"),
        id="fallback-override-word",
        message="reads 'all' as 0",
    ),
    Case(
        "ICE204",
        _x("<security><chroot>enabled</chroot></security>"),
        _x("<security><chroot>yes</chroot></security>"),
        target="kh",
        message="Icecast-KH reads it as nothing (it keeps the default)",
    ),
    # ICE205 empty-number-crash
    Case(
        "ICE205",
        _x("<limits><clients></clients></limits>"),
        _x("<limits><clients>100</clients></limits>"),
        message="<clients> is empty: Icecast 2.4.4 reads it with atoi(NULL) and segfaults at startup",
    ),
    Case(
        "ICE205",
        _x("<fileserve><!-- off --></fileserve>"),
        _x("<fileserve>0<!-- off --></fileserve>"),
        id="comment-only",
    ),
    Case(
        "ICE205",
        _x("<logging><loglevel></loglevel></logging>"),
        _x("<logging><loglevel>3</loglevel></logging>"),
        target="2.5",
        message="Icecast 2.5 reads it with strcasecmp(NULL) and segfaults at startup",
    ),
    Case(
        "ICE205",
        _x("<server-id/><mount><mount-name>/a</mount-name><public/></mount>"),
        _x("<server-id>radio</server-id><mount><mount-name>/a</mount-name><public>1</public></mount>"),
        target="2.5",
        message="<server-id> is empty: Icecast 2.5 reads it with strdup(NULL)",
        id="2.5-strings",
    ),
    Case(
        "ICE205",
        _x("<master-username></master-username>"),
        _x("<master-username>relay</master-username>"),
        message="Icecast 2.4.4 reads it with strdup(NULL)",
        id="master-username",
    ),
    # ICE214 exec-event-without-executable
    Case(
        "ICE214",
        _x('<event-bindings><event type="exec" trigger="source-connect"/></event-bindings>'),
        _x(
            '<event-bindings><event type="exec" trigger="source-connect"><option name="executable" value="/bin/true"/>'
            "</event></event-bindings>"
        ),
        target="2.5",
        message="names no executable: Icecast 2.5 segfaults",
    ),
    Case(
        # a url event names no executable, and needs none; in a mount the exec one crashes all the same
        "ICE214",
        _x(
            '<mount><mount-name>/a</mount-name><event-bindings><event type="exec" trigger="source-connect"/>'
            "</event-bindings></mount>"
        ),
        _x(
            '<event-bindings><event type="url" trigger="source-connect">'
            '<option name="url" value="http://127.0.0.1:9/"/></event></event-bindings>'
        ),
        target="2.5",
        id="mount",
    ),
    # ICE206 empty-number
    Case(
        "ICE206",
        _socket("<port/>"),
        _socket("<port>8000</port>"),
        message="<port> is empty: Icecast 2.4.4 reads no value from it (it keeps the default 8000)",
    ),
    Case(
        "ICE206",
        _x("<limits><clients/></limits>"),
        _x("<limits><clients>256</clients></limits>"),
        target="2.5",
        message="keeps the default 256",
    ),
    Case(
        "ICE206",
        _x("<logging><loglevel></loglevel></logging>"),
        _x("<logging><loglevel>info</loglevel></logging>"),
        target="kh",
    ),
    # ICE207 untrimmed-value
    Case(
        "ICE207",
        _x("<mount><mount-name> /live</mount-name></mount>"),
        _x("<mount><mount-name>/live</mount-name></mount>"),
        message="<mount-name> ' /live' has leading or trailing whitespace",
    ),
    Case(
        "ICE207",
        _x("<authentication><source-password>\n    Tr0ub4dor\n  </source-password></authentication>"),
        _x("<authentication><source-password>Tr0ub4 dor</source-password></authentication>"),
        target="2.5",
        message="the whitespace is part of the password",
    ),
    Case(
        "ICE207",
        _x("<hostname>radio.example.org\n</hostname>"),
        _x("<hostname>radio.example.org</hostname>"),
        target="kh",
        message="in generated URLs",
    ),
    Case(
        "ICE207",
        _x("<paths><webroot> </webroot></paths>"),
        _x("<paths><webroot>/srv/web</webroot></paths>"),
        id="blank",
        message="holds only whitespace",
    ),
    # ICE208 bind-address-not-numeric
    Case(
        "ICE208",
        _socket("<port>8000</port><bind-address>localhost</bind-address>"),
        _socket("<port>8000</port><bind-address>127.0.0.1</bind-address>"),
        message="<bind-address> 'localhost' is not a numeric IP address: Icecast cannot bind it",
    ),
    Case(
        "ICE208",
        _x("<bind-address>[::1]</bind-address>"),
        _x("<bind-address>::1</bind-address>"),
        target="2.5",
    ),
    Case(
        "ICE208",
        _socket("<port>8000</port><bind-address>radio.example.org</bind-address>"),
        _socket("<port>8000</port><bind-address>0.0.0.0</bind-address>"),
        target="kh",
    ),
    # ICE209 loglevel-word
    Case(
        "ICE209",
        _x("<logging><loglevel>debug</loglevel></logging>"),
        _x("<logging><loglevel>4</loglevel></logging>"),
        message="<loglevel> 'debug': Icecast 2.4.4 reads it as 0, and at that level nothing is logged at all; write 4",
    ),
    Case(
        "ICE209",
        _x("<logging><loglevel>information</loglevel></logging>"),
        _x("<logging><loglevel>info</loglevel></logging>"),  # a word KH knows
        target="kh",
        message="it logs 'unknown level setting information'",
    ),
    # ICE210 invalid-enum-value
    Case(
        "ICE210",
        _x("<logging><accesslog><name>a.log</name><type>clf-escaped</type></accesslog></logging>"),
        _x("<logging><accesslog><name>a.log</name><type>CLF-ESC</type></accesslog></logging>"),
        target="kh",
        message="'clf-escaped' is not one of CLF, CLF-ESC",
    ),
    # ICE211 tls-value-means-auto
    Case(
        "ICE211",
        _socket("<port>8000</port><tls>0</tls>"),
        _socket("<port>8000</port><tls>disabled</tls>"),
        target="2.5",
        message="<tls>0</tls> means auto in Icecast 2.5",
    ),
    Case(
        "ICE211",
        _socket("<port>8000</port><ssl>false</ssl>"),
        _socket("<port>8000</port><tls>auto</tls>"),
        target="2.5",
        id="ssl-false",
        message="<ssl>false</ssl> means auto",
    ),
    Case(
        "ICE211",
        _socket("<port>8000</port><tls/>"),
        _socket("<port>8000</port>"),
        target="2.5",
        id="empty",
        message="<tls/> means auto",
    ),
    Case(
        "ICE211",
        _socket("<port>8000</port><tls>plain</tls>"),
        _socket("<port>8000</port><tls>RFC2818</tls>"),
        target="2.5",
        id="unknown-word",
    ),
    # ICE213 kh-negative-limit-rate: -8 bit/s or less is a negative byte rate; -1 to -7 are 0 (no limit)
    Case(
        "ICE213",
        _x("<mount><mount-name>/a</mount-name><limit-rate>-8</limit-rate></mount>"),
        _x("<mount><mount-name>/a</mount-name><limit-rate>-7</limit-rate></mount>"),
        target="kh",
        message="<limit-rate>-8</limit-rate> is -1 bytes per second to Icecast-KH, below any rate a source sends at: "
        "KH stops reading the source of /a for good",
    ),
    Case(
        "ICE213",
        _x('<mount type="default"><limit-rate>-64k</limit-rate></mount><mount><mount-name>/a</mount-name></mount>'),
        _x('<mount type="default"><limit-rate>64k</limit-rate></mount><mount><mount-name>/a</mount-name></mount>'),
        target="kh",
        message="is -8000 bytes per second",
        id="kh-default-mount",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.test_id)
def test_rule(case: Case, tmp_path: Path) -> None:
    check_case(case, tmp_path)


def _fix(data: bytes, code: str, target: str = "2.4") -> bytes:
    cfg = icecfg.loads(data, path="icecast.xml")
    findings = [f for f in lint(cfg, target=target, files=False) if f.code == code]
    assert findings, code
    for finding in findings:
        assert finding.fix is not None, finding.message
        finding.fix()
    return icecfg.dumps(cfg)


@pytest.mark.parametrize(
    ("code", "target", "before", "after"),
    [
        ("ICE201", "2.4", b"<port>8000abc</port>", b"<port>8000</port>"),
        ("ICE204", "2.4", b"<fileserve>true</fileserve>", b"<fileserve>1</fileserve>"),
        ("ICE204", "2.4", b"<fileserve> on </fileserve>", b"<fileserve>1</fileserve>"),
        (
            "ICE205",
            "2.4",
            b"<limits>\n  <clients/>\n  <sources>2</sources>\n</limits>",
            b"<limits>\n  <sources>2</sources>\n</limits>",
        ),
        (
            "ICE207",
            "2.4",
            b"<hostname>\n  radio.example.org\n</hostname>",
            b"<hostname>radio.example.org</hostname>",
        ),
        (
            "ICE208",
            "kh",
            b"<bind-address>localhost</bind-address>",
            b"<bind-address>127.0.0.1</bind-address>",
        ),
        (
            "ICE209",
            "2.4",
            b"<logging><loglevel>warn</loglevel></logging>",
            b"<logging><loglevel>2</loglevel></logging>",
        ),
        (
            "ICE211",
            "2.5",
            b"<listen-socket><ssl>0</ssl></listen-socket>",
            b"<listen-socket><tls>disabled</tls></listen-socket>",
        ),
    ],
)
def test_fix(code: str, target: str, before: bytes, after: bytes) -> None:
    out = _fix(b"<icecast>" + before + b"</icecast>", code, target)
    assert out == b"<icecast>" + after + b"</icecast>"
    assert not [f for f in run(out, target) if f.code == code]


def test_no_fix_where_the_meaning_is_unknown() -> None:
    cfg = icecfg.loads(_socket("<port>abc</port>"))
    (finding,) = [f for f in lint(cfg, target="2.4", files=False) if f.code == "ICE201"]
    assert finding.fix is None


def test_password_never_appears_in_messages() -> None:
    secret = "Tr0ub4dor&amp;3"
    data = _x(
        f"<authentication><source-password> {secret} </source-password>"
        f"<admin-password>\t{secret}</admin-password></authentication>"
        f"<mount><mount-name>/a</mount-name><password>{secret}\n</password></mount>"
    )
    for target in ("2.4", "2.5", "kh"):
        findings = [f for f in run(data, target) if f.code == "ICE207"]
        assert len(findings) == 3
        for finding in findings:
            assert "Tr0ub4dor" not in finding.message


def test_values_inside_ignored_elements_are_not_checked() -> None:
    # 2.4 does not read <listen-backlog> at all: no value finding, one dialect finding
    data = _socket("<port>8000</port><listen-backlog>lots</listen-backlog>")
    codes = [f.code for f in run(data, "2.4") if f.code.startswith(("ICE1", "ICE2", "ICE3"))]
    assert codes == ["ICE301"]
    assert "ICE201" in [f.code for f in run(data, "2.5")]


def test_loglevel_words_are_fine_beyond_2_4() -> None:
    data = _x("<logging><loglevel>debug</loglevel></logging>")
    for target in ("2.5", "kh"):
        assert not [f for f in run(data, target) if f.code.startswith("ICE2")]


def test_tls_words_on_2_5_are_not_boolean_findings() -> None:
    data = _socket("<port>8000</port><ssl>enabled</ssl>")
    codes = [f.code for f in run(data, "2.5")]
    assert "ICE211" in codes
    assert "ICE204" not in codes
    assert "ICE304" not in codes


def test_root_port_and_bind_address_beside_listen_sockets_do_not_bind() -> None:
    sockets = "<listen-socket><port>8000</port></listen-socket>"
    findings = run(_x(f"<port>99999</port><bind-address>localhost</bind-address>{sockets}"), "2.4")
    (port,) = [f for f in findings if f.code == "ICE202"]
    assert "writes port 34463 into generated URLs" in port.message
    assert "ICE208" not in [f.code for f in findings]
    alone = run(_x("<port>abc</port><bind-address>localhost</bind-address>"), "2.4")
    assert any("binds a random free port" in f.message for f in alone if f.code == "ICE201")
    assert "ICE208" in [f.code for f in alone]
