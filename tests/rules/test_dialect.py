"""Dialect rules: syntax of another Icecast release than the target."""

from __future__ import annotations

from pathlib import Path

import pytest

import icecfg
from icecfg.lint import lint
from tests.rules.cases import Case, check_case, run
from tests.rules.cases import icecast as _x
from tests.rules.cases import listen_socket as _socket

CASES = [
    # ICE301 element-not-in-target
    Case(
        "ICE301",
        _socket("<port>8000</port><listen-backlog>64</listen-backlog>"),
        _socket("<port>8000</port>"),
        message="<listen-backlog> in <listen-socket> is Icecast 2.5 syntax: Icecast 2.4.4 does not read it",
    ),
    Case(
        "ICE301",
        _x("<logging><accesslog><name>access.log</name><ip>0</ip></accesslog></logging>"),
        _x("<logging><accesslog>access.log</accesslog></logging>"),
        id="block-form",
        message="<accesslog> written as a block is Icecast-KH syntax: Icecast 2.4.4 reads <accesslog> as plain text",
    ),
    Case(
        "ICE301",
        _x("<paths><x-forwarded-for>10.0.0.*</x-forwarded-for></paths>"),
        _x('<paths><resource source="/a" destination="/b"/></paths>'),
        target="2.5",
        message="is Icecast-KH syntax",
    ),
    Case(
        "ICE301",
        _x("<mime-types>/etc/mime.types</mime-types>"),
        _x("<paths><mime-types>/etc/mime.types</mime-types></paths>"),
        target="kh",
        message="Icecast-KH reads <mime-types> in <paths>",
    ),
    Case(
        # <tls>disabled</tls> is ignored by 2.4 as well, harmlessly: a plain dialect finding
        "ICE301",
        _socket("<port>8000</port><tls>disabled</tls>"),
        _socket("<port>8000</port><ssl>0</ssl>"),
        id="tls-disabled",
    ),
    # ICE302 attribute-not-in-target
    Case(
        "ICE302",
        _x('<listen-socket port="8443" bind-address="127.0.0.1"/>'),
        _x("<listen-socket><port>8443</port><bind-address>127.0.0.1</bind-address></listen-socket>"),
        message="<listen-socket port=...>: only Icecast-KH reads child settings as attributes; "
        "Icecast 2.4.4 ignores it; write <port> as a child element (value '8443')",
    ),
    Case(
        "ICE302",
        _x('<mount password="s3cret-pw"><mount-name>/a</mount-name></mount>'),
        _x("<mount><mount-name>/a</mount-name><password>s3cret-pw</password></mount>"),
        target="2.5",
        message="(value hidden)",
    ),
    Case(
        "ICE302",
        _x('<mount type="default"><max-listeners>5</max-listeners></mount>'),
        _x("<mount><mount-name>/*</mount-name><max-listeners>5</max-listeners></mount>"),
        target="kh",
        message="type= on <mount> is Icecast 2.4.4 and Icecast 2.5 syntax: Icecast-KH ignores it",
    ),
    Case(
        # every KH mount is a normal one: type="normal" is ignored without any change
        "ICE302",
        _x('<mount type="default"><mount-name>/a</mount-name></mount>'),
        _x('<mount type="normal"><mount-name>/a</mount-name></mount>'),
        target="kh",
        id="kh-normal-mount",
    ),
    Case(
        "ICE302",
        _x('<listen-socket id="public"><port>8000</port></listen-socket>'),
        _x("<listen-socket><port>8000</port></listen-socket>"),
        id="2.5-attribute",
        message="id= on <listen-socket> is Icecast 2.5 syntax",
    ),
    # ICE303 new-tls-syntax
    Case(
        "ICE303",
        _socket("<port>8443</port><tls>1</tls>"),
        _socket("<port>8443</port><ssl>1</ssl>"),
        message="<tls> is Icecast 2.5 syntax: Icecast 2.4.4 ignores it and this port serves plain HTTP; "
        "write <ssl>1</ssl>",
    ),
    Case(
        "ICE303",
        _x("<paths><tls-certificate>/etc/icecast2/bundle.pem</tls-certificate></paths>"),
        _x("<paths><ssl-certificate>/etc/icecast2/bundle.pem</ssl-certificate></paths>"),
        id="tls-certificate",
        message="loads no certificate and every <ssl>1 port serves plain HTTP",
    ),
    Case(
        "ICE303",
        _x("<security><tls-context><tls-certificate>/e/b.pem</tls-certificate></tls-context></security>"),
        _x("<security><chroot>0</chroot></security><paths><ssl-certificate>/e/b.pem</ssl-certificate></paths>"),
        id="tls-context",
        message="in <paths><ssl-certificate>",
    ),
    # ICE304 old-ssl-syntax
    Case(
        "ICE304",
        _socket("<port>8443</port><ssl>1</ssl>"),
        _socket("<port>8443</port><tls>rfc2818</tls>"),
        target="2.5",
        message="<ssl>1</ssl> is the Icecast 2.4 spelling: Icecast 2.5 reads it as <tls>rfc2818</tls>",
    ),
    Case(
        # <ssl>0</ssl> means auto on 2.5: ICE211 reports it, not this rule
        "ICE304",
        _socket("<port>8443</port><ssl>auto</ssl>"),
        _socket("<port>8443</port><ssl>0</ssl>"),
        target="2.5",
        id="zero-is-ice211",
        message="reads it as <tls>auto</tls>",
    ),
    # ICE305 removed-element
    Case(
        "ICE305",
        _x("<icelogin>0</icelogin>"),
        _x("<fileserve>0</fileserve>"),
        target="2.5",
        message="<icelogin> was removed in Icecast 2.5 (support has been removed)",
    ),
    Case(
        "ICE305",
        _socket("<port>8443</port><ssl>1</ssl>"),
        _socket("<port>8443</port>"),
        target="kh",
        message="TLS is auto-detected on every socket",
    ),
    # ICE306 obsolete-element
    Case(
        "ICE306",
        _x("<mount><mount-name>/a</mount-name><mp3-metadata-interval>8192</mp3-metadata-interval></mount>"),
        _x("<mount><mount-name>/a</mount-name><icy-metadata-interval>8192</icy-metadata-interval></mount>"),
        target="2.5",
        message="<mp3-metadata-interval> is obsolete in Icecast 2.5: use <icy-metadata-interval>",
    ),
    Case(
        "ICE306",
        _x("<source-password>pw</source-password>"),
        _x("<authentication><source-password>pw</source-password></authentication>"),
        message="is obsolete in Icecast 2.4.4: move it into <authentication>",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.test_id)
def test_rule(case: Case, tmp_path: Path) -> None:
    check_case(case, tmp_path)


def _fix(data: bytes, code: str, target: str) -> bytes:
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
        (
            "ICE302",
            "2.4",
            b'<icecast>\n  <listen-socket port="8443">\n    <ssl>1</ssl>\n  </listen-socket>\n</icecast>',
            b"<icecast>\n  <listen-socket>\n    <ssl>1</ssl>\n    <port>8443</port>\n  </listen-socket>\n</icecast>",
        ),
        (
            "ICE303",
            "2.4",
            b"<icecast><listen-socket><port>1</port><tls>rfc2818</tls></listen-socket>"
            b"<paths><ssl-certificate>/b.pem</ssl-certificate></paths></icecast>",
            b"<icecast><listen-socket><port>1</port><ssl>1</ssl></listen-socket>"
            b"<paths><ssl-certificate>/b.pem</ssl-certificate></paths></icecast>",
        ),
        (
            "ICE303",
            "2.4",
            b"<icecast><paths>\n  <tls-certificate>/b.pem</tls-certificate>\n</paths></icecast>",
            b"<icecast><paths>\n  <ssl-certificate>/b.pem</ssl-certificate>\n</paths></icecast>",
        ),
        (
            "ICE304",
            "2.5",
            b"<icecast><listen-socket><ssl>true</ssl></listen-socket></icecast>",
            b"<icecast><listen-socket><tls>rfc2818</tls></listen-socket></icecast>",
        ),
        (
            "ICE305",
            "2.5",
            b"<icecast>\n  <icelogin>1</icelogin>\n  <fileserve>1</fileserve>\n</icecast>",
            b"<icecast>\n  <fileserve>1</fileserve>\n</icecast>",
        ),
        (
            "ICE306",
            "2.5",
            b"<icecast><mount><mp3-metadata-interval>8192</mp3-metadata-interval></mount></icecast>",
            b"<icecast><mount><icy-metadata-interval>8192</icy-metadata-interval></mount></icecast>",
        ),
    ],
)
def test_fix(code: str, target: str, before: bytes, after: bytes) -> None:
    out = _fix(before, code, target)
    assert out == after
    assert not [f for f in run(out, target) if f.code == code]


def test_obsolete_without_a_plain_rename_has_no_fix() -> None:
    # burst-on-connect is a boolean, burst-size a byte count: not a rename
    cfg = icecfg.loads(_x("<limits><burst-on-connect>0</burst-on-connect></limits>"))
    (finding,) = [f for f in lint(cfg, target="2.5", files=False) if f.code == "ICE306"]
    assert "use <burst-size>" in finding.message
    assert finding.fix is None


def test_tls_is_not_turned_into_ssl_without_a_certificate() -> None:
    # <ssl>1 without a certificate serves plain HTTP like the ignored <tls>, and ICE401 flags it
    cfg = icecfg.loads(_x("<listen-socket><port>8443</port><tls>1</tls></listen-socket>"))
    (finding,) = [f for f in lint(cfg, target="2.4", files=False) if f.code == "ICE303"]
    assert finding.fix is None


def test_attribute_and_child_both_set_is_reported_without_a_fix() -> None:
    cfg = icecfg.loads(_x('<listen-socket port="8000"><port>8001</port></listen-socket>'))
    (finding,) = [f for f in lint(cfg, target="2.4", files=False) if f.code == "ICE302"]
    assert "uses the <port> element" in finding.message
    assert finding.fix is None


def test_tls_syntax_on_24_is_one_finding_per_element() -> None:
    data = _socket("<port>8443</port><tls>1</tls>")
    codes = [f.code for f in run(data, "2.4") if f.code.startswith(("ICE1", "ICE2", "ICE3"))]
    assert codes == ["ICE303"]
