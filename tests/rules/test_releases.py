"""What 2.5.0 and Icecast-KH really do, as the rules say it (each claim is shown on the
servers in tests/test_oracle_releases.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.rules.cases import Case, check_case, run
from tests.rules.cases import icecast as _x
from tests.rules.cases import listen_socket as _socket


def _yp(timeout: str) -> bytes:
    return _x(f"<directory><yp-url-timeout>{timeout}</yp-url-timeout><yp-url>http://127.0.0.1/yp</yp-url></directory>")


_CACHE = '<http-headers><header name="Cache-Control" value="no-cache"/></http-headers>'
_CORS = '<http-headers><header name="Access-Control-Allow-Origin" value="*"/></http-headers>'

CASES = [
    Case("ICE912", _yp("15"), _yp("10"), target="2.5", message="Icecast 2.5 uses 6 seconds instead"),
    Case("ICE713", _x(_CACHE), _x(_CORS), target="2.5", message="Icecast 2.5 already sends"),
    Case(
        "ICE209",
        _x("<logging><loglevel>verbose</loglevel></logging>"),
        _x("<logging><loglevel>DEBUG</loglevel></logging>"),
        target="2.5",
        message="<loglevel> 'verbose': Icecast 2.5 reads it as 0, and at that level nothing is logged",
    ),
    Case(
        "ICE209",
        _x("<logging><loglevel> info </loglevel></logging>"),
        _x("<logging><loglevel>info</loglevel></logging>"),
        target="2.5",
        id="2.5-untrimmed",
        message="write 3",
    ),
    Case(
        "ICE401",
        _socket("<port>8443</port><tls>1</tls>"),
        _socket("<port>8443</port><tls>disabled</tls>"),
        target="2.5",
        message="answers every plain HTTP request there with 426 Upgrade Required",
    ),
    Case(
        "ICE201",
        _x("<limits><clients>abc</clients></limits>"),
        _x("<limits><clients>100</clients></limits>"),
        target="2.5",
        id="2.5-out-of-range-keeps-default",
        message="reads it as 0, which is outside 1..32768: it logs 'out of range' and keeps the default (256)",
    ),
    Case(
        "ICE203",
        _x("<limits><clients>0</clients></limits>"),
        _x("<limits><clients>1</clients></limits>"),
        target="2.5",
        id="2.5-keeps-default",
        message="logs 'Value for tag is out of range' and keeps the default (256)",
    ),
    Case(
        "ICE201",
        _socket("<port>abc</port>"),
        _socket("<port>8000</port>"),
        target="kh",
        id="kh-socket-dropped",
        message="drops this listen socket; with no other socket it stops at start-up ('No listen-socket defintions'",
    ),
    Case(
        # every KH mount is a normal one: type="normal" changes nothing, type="default" does
        "ICE302",
        _x('<mount type="default"><mount-name>/*</mount-name></mount>'),
        _x('<mount type="normal"><mount-name>/live</mount-name></mount>'),
        target="kh",
        id="kh-mount-type",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.test_id)
def test_rule(case: Case, tmp_path: Path) -> None:
    check_case(case, tmp_path)


def test_2_5_yp_timeouts_out_of_its_own_range_are_ice203_not_ice912() -> None:
    codes = [f.code for f in run(_yp("1"), "2.5") if f.code in ("ICE203", "ICE912")]
    assert codes == ["ICE203"]
    assert not [f for f in run(_yp("15"), "kh") if f.code == "ICE912"]  # KH uses 15 as it is


@pytest.mark.parametrize(
    ("limits", "severity"),
    [
        ("<threadpool>4</threadpool>", "info"),
        ("<burst-on-connect>1</burst-on-connect>", "info"),
        ("<burst-on-connect>true</burst-on-connect>", "info"),
        ("<burst-on-connect>0</burst-on-connect>", "error"),  # KH bursts all the same
    ],
)
def test_kh_elements_it_ignores_harmlessly_are_info(limits: str, severity: str) -> None:
    (finding,) = [f for f in run(_x(f"<limits>{limits}</limits>"), "kh") if f.code == "ICE301"]
    assert finding.severity.value == severity
    assert ("changes nothing" in finding.message) == (severity == "info")


def test_empty_loglevel_crashes_2_5_too() -> None:
    data = _x("<logging><loglevel/></logging>")
    (crash,) = [f for f in run(data, "2.5") if f.code in ("ICE205", "ICE206")]
    assert crash.code == "ICE205"
    assert "Icecast 2.5 reads it with strcasecmp(NULL) and segfaults" in crash.message
    assert [f.code for f in run(_x("<limits><clients/></limits>"), "2.5") if f.code in ("ICE205", "ICE206")] == [
        "ICE206"  # 2.5 checks empty numbers: "Invalid empty tag", the default stays
    ]
