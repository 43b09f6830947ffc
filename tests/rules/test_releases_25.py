"""Rules for what Icecast 2.5.0 warns about at every start (shown on the server in
tests/test_oracle_releases.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

import icecfg
from icecfg.lint import lint
from tests.rules.cases import Case, check_case, run
from tests.rules.cases import icecast as _x

_IDENTITY = "<location>Berlin</location><admin>ops@example.org</admin>"
_FQDN = "<hostname>radio.example.org</hostname>"


def _mount(override: str) -> bytes:
    return _x(
        "<mount><mount-name>/live</mount-name><fallback-mount>/fb.ogg</fallback-mount>"
        f"<fallback-override>{override}</fallback-override></mount>"
    )


def _url_auth(*options: str, role: bool = False) -> bytes:
    body = "".join(f'<option name="{n}" value="{v}"/>' for n, v in (o.split("=", 1) for o in options))
    if role:
        block = f'<authentication><role type="url" match-method="get">{body}</role></authentication>'
    else:
        block = f'<authentication type="url">{body}</authentication>'
    return _x(f"<mount><mount-name>/live</mount-name>{block}</mount>")


_NEW_STYLE = ("header_auth=x-icecast-auth-result", "header_timelimit=x-icecast-auth-timelimit")


CASES = [
    Case("ICE212", _mount("1"), _mount("all"), target="2.5", message="write all"),
    Case("ICE212", _mount("None"), _mount("none"), target="2.5", id="2.5-none-is-case-sensitive", message="write none"),
    Case("ICE212", _mount("false"), _mount("own"), target="2.5", id="2.5-false", message="reads it as none"),
    Case(
        "ICE914",
        _x("<hostname>localhost</hostname>"),
        _x("<hostname>radio.example.org</hostname>"),
        target="2.5",
        message="says YP listing support will be disabled",
    ),
    Case("ICE914", _x(""), _x("<hostname>a.b</hostname>"), target="2.5", id="2.5-unset", message="is not set"),
    Case("ICE914", _x("<hostname>192.0.2.1</hostname>"), _x(_FQDN), target="2.5", id="2.5-ipv4", message="IPv4"),
    Case("ICE914", _x("<hostname>::1</hostname>"), _x(_FQDN), target="2.5", id="2.5-ipv6", message="IPv6"),
    Case(
        "ICE914", _x("<hostname>radio</hostname>"), _x(_FQDN), target="2.5", id="2.5-short", message="fully qualified"
    ),
    Case(
        "ICE914", _x("<hostname>radio_1.org</hostname>"), _x(_FQDN), target="2.5", id="2.5-char", message="characters"
    ),
    Case(
        "ICE915",
        _x("<location>Earth</location><admin>ops@example.org</admin>"),
        _x(_IDENTITY),
        target="2.5",
        message="<location> is the default 'Earth'",
    ),
    Case(
        "ICE915",
        _x("<location>Berlin</location>"),
        _x(_IDENTITY),
        target="2.5",
        id="2.5-admin-unset",
        message="<admin> is not set: Icecast 2.5 logs a warning at every start; it breaks YP directory listings",
    ),
    Case(
        "ICE511",
        _x("<security><chroot>0</chroot></security>"),
        _x('<security><prng-seed type="device" size="32">/dev/urandom</prng-seed></security>'),
        target="2.5",
        message="no <prng-seed> is configured",
    ),
    Case(
        "ICE512",
        _url_auth("auth_header=icecast-auth-user: 1", role=True),
        _url_auth(*_NEW_STYLE, role=True),
        target="2.5",
        message='use "header_auth" instead',
    ),
    Case(
        "ICE512",
        _url_auth("client_add=http://127.0.0.1/add", "header_timelimit=x-icecast-auth-timelimit", role=True),
        _url_auth("client_add=http://127.0.0.1/add", *_NEW_STYLE, role=True),
        target="2.5",
        id="2.5-role-without-header-auth",
        message='url authenticator without "header_auth"',
    ),
    Case(
        # a 2.4-style block hands 2.5 only the 2.4 option names: header_auth is lost there
        "ICE512",
        _url_auth("listener_add=http://127.0.0.1/add", *_NEW_STYLE),
        _url_auth("client_add=http://127.0.0.1/add", *_NEW_STYLE, role=True),
        target="2.5",
        id="2.5-legacy-block",
        message='without "header_auth" (2.5 ignores it in a 2.4-style block)',
    ),
    Case(
        "ICE907",
        _x("<limits><clients>0</clients><sources>200</sources></limits>"),
        _x("<limits><clients>500</clients><sources>200</sources></limits>"),
        target="2.5",
        id="2.5-out-of-range-default",
        message="<clients> 256 (the default Icecast 2.5 keeps for '0', out of range) is not above 2 x <sources> 200",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.test_id)
def test_rule(case: Case, tmp_path: Path) -> None:
    check_case(case, tmp_path)


def test_2_5_rules_stay_quiet_for_other_targets() -> None:
    data = _x(
        "<hostname>localhost</hostname><mount><mount-name>/live</mount-name>"
        '<fallback-override>1</fallback-override><authentication type="url">'
        '<option name="auth_header" value="icecast-auth-user: 1"/></authentication></mount>'
    )
    for target in ("2.4", "kh"):
        codes = {f.code for f in run(data, target)}
        assert not codes & {"ICE212", "ICE914", "ICE915", "ICE511", "ICE512"}, target


def test_ice904_says_it_where_yp_listings_are_configured() -> None:
    data = _x(
        "<hostname>localhost</hostname><directory><yp-url-timeout>10</yp-url-timeout>"
        "<yp-url>http://127.0.0.1/yp</yp-url></directory>"
    )
    codes = [f.code for f in run(data, "2.5")]
    assert "ICE904" in codes
    assert "ICE914" not in codes


def test_the_prng_seed_fix_adds_the_seed_unless_the_server_is_chrooted() -> None:
    """ICE511's fix reads /dev/urandom, which a chroot does not hold: it is offered only outside one."""
    for security, offered in (
        ("<security><chroot>0</chroot></security>", True),
        ("", True),  # no <security> at all: one is added
        ("<security><chroot>1</chroot></security>", False),
    ):
        cfg = icecfg.loads(_x(security))
        [finding] = [f for f in lint(cfg, "2.5", files=False) if f.code == "ICE511"]
        assert (finding.fix is not None) == offered, security
        if finding.fix is not None:
            finding.fix()
            fixed = icecfg.loads(icecfg.dumps(cfg))
            assert not [f for f in lint(fixed, "2.5", files=False) if f.code == "ICE511"]
            [seed] = [s for b in fixed.document.root.elements("security") for s in b.elements("prng-seed")]
            assert (seed.get("type"), seed.get("size"), seed.text) == ("device", "32", "/dev/urandom")
