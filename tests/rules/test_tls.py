"""TLS rules: TLS sockets, certificate and key files, expiry, passwords in clear text."""

from __future__ import annotations

import datetime
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

import icecfg
from icecfg.lint import lint
from tests.certificates import DAY, NOW, certificate, issued_chain_pems, key_pem, pem
from tests.rules.cases import Case, check_case, run


def make_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def make_cert(
    key: ec.EllipticCurvePrivateKey,
    not_before: datetime.datetime = NOW - DAY,
    not_after: datetime.datetime = NOW + 365 * DAY,
    common_name: str = "radio.example.org",
    dns_names: tuple[str, ...] = (),
) -> x509.Certificate:
    return certificate(common_name, key, not_before=not_before, not_after=not_after, dns_names=dns_names)


KEY = make_key()
OTHER_KEY = make_key()
CERT = make_cert(KEY)
CERT_PEM = pem(CERT)
KEY_PEM = key_pem(KEY)
BUNDLE = CERT_PEM + KEY_PEM
MISMATCHED = CERT_PEM + key_pem(OTHER_KEY)
ENCRYPTED = CERT_PEM + key_pem(KEY, b"not-a-real-passphrase")
DER = CERT.public_bytes(serialization.Encoding.DER)
EXPIRED = pem(make_cert(KEY, NOW - 400 * DAY, NOW - 10 * DAY)) + KEY_PEM
NOT_YET = pem(make_cert(KEY, NOW + 10 * DAY, NOW + 400 * DAY)) + KEY_PEM
SOON = pem(make_cert(KEY, NOW - 80 * DAY, NOW + 5 * DAY)) + KEY_PEM
LATER = pem(make_cert(KEY, NOW - 80 * DAY, NOW + 60 * DAY)) + KEY_PEM

#: Certificates for other names: by common name only, and by subject alternative names (the CN then does not count).
WWW = pem(make_cert(KEY, common_name="www.example.org")) + KEY_PEM
SAN_OTHERS = pem(make_cert(KEY, dns_names=("example.org", "www.example.org"))) + KEY_PEM

#: A server certificate issued by an intermediate, without and with that intermediate in the file.
_ROOT_CA, LEAF_ONLY, FULL_CHAIN = issued_chain_pems("radio.example.org")
_OTHER_ROOT_CA, _LEAF, OTHER_KEY_CHAIN = issued_chain_pems("radio.example.org", another_key=True)

FILES = {
    "/etc/icecast2/bundle.pem": BUNDLE,
    "/etc/icecast2/leaf-only.pem": LEAF_ONLY,
    "/etc/icecast2/full-chain.pem": FULL_CHAIN,
    "/etc/icecast2/other-key-chain.pem": OTHER_KEY_CHAIN,
    "/etc/icecast2/www.pem": WWW,
    "/etc/icecast2/san-others.pem": SAN_OTHERS,
    "/etc/icecast2/cert.pem": CERT_PEM,
    "/etc/icecast2/key.pem": KEY_PEM,
    "/etc/icecast2/other-key.pem": key_pem(OTHER_KEY),
    "/etc/icecast2/mismatched.pem": MISMATCHED,
    "/etc/icecast2/encrypted.pem": ENCRYPTED,
    "/etc/icecast2/server.der": DER,
    "/etc/icecast2/expired.pem": EXPIRED,
    "/etc/icecast2/not-yet.pem": NOT_YET,
    "/etc/icecast2/soon.pem": SOON,
    "/etc/icecast2/later.pem": LATER,
}


def cfg24(cert: str | None, ssl: str = "<ssl>1</ssl>") -> bytes:
    paths = f"<paths><ssl-certificate>{cert}</ssl-certificate></paths>" if cert else ""
    return (
        "<icecast><listen-socket><port>8000</port></listen-socket>"
        f"<listen-socket><port>8443</port>{ssl}</listen-socket>{paths}</icecast>"
    ).encode()


def cfg25(cert: str | None, key: str | None = None, tls: str = "<tls>rfc2818</tls>") -> bytes:
    context = ""
    if cert:
        key_el = f"<tls-key>{key}</tls-key>" if key else ""
        context = f"<security><tls-context><tls-certificate>{cert}</tls-certificate>{key_el}</tls-context></security>"
    return (f"<icecast><listen-socket><port>8443</port>{tls}</listen-socket>{context}</icecast>").encode()


def cfgkh(cert: str | None, key: str | None = None) -> bytes:
    paths = ""
    if cert:
        key_el = f"<ssl-private-key>{key}</ssl-private-key>" if key else ""
        paths = f"<paths><ssl-certificate>{cert}</ssl-certificate>{key_el}</paths>"
    return f'<icecast><listen-socket port="8000"/>{paths}</icecast>'.encode()


def named(data: bytes, host: str = "radio.example.org") -> bytes:
    """``data`` with ``<hostname>host</hostname>`` as the root's first element."""
    return data.replace(b"<icecast>", f"<icecast><hostname>{host}</hostname>".encode(), 1)


CASES = [
    # ICE401 tls-socket-without-certificate
    Case("ICE401", cfg24(None), cfg24("/etc/icecast2/bundle.pem"), message="serves plain HTTP"),
    Case("ICE401", cfg25(None), cfg25("/etc/icecast2/bundle.pem"), target="2.5"),
    Case(
        "ICE401",
        cfg25(None, tls="<tls>auto</tls>"),
        cfg25(None, tls="<ssl>0</ssl>"),  # 2.5 reads 0 as an implicit auto: nothing was asked for
        target="2.5",
        id="2.5-implicit-auto",
    ),
    # ICE402 tls-file-unreadable
    Case(
        "ICE402",
        cfg24("/etc/icecast2/missing.pem"),
        cfg24("/etc/icecast2/bundle.pem"),
        files=FILES,
        message="does not exist",
    ),
    Case(
        "ICE402",
        cfg24("/etc/icecast2"),
        cfg24("/etc/icecast2/missing.pem", ssl=""),  # no TLS socket: ICE408's business
        files=FILES,
        message="is a directory",
        id="2.4-directory",
    ),
    Case(
        "ICE402",
        cfg25("/etc/icecast2/cert.pem", "/etc/icecast2/missing-key.pem"),
        cfg25("/etc/icecast2/cert.pem", "/etc/icecast2/key.pem"),
        target="2.5",
        files=FILES,
        message="<tls-key>",
    ),
    Case("ICE402", cfgkh("/etc/icecast2/missing.pem"), cfgkh("/etc/icecast2/bundle.pem"), "kh", FILES),
    # ICE403 tls-certificate-not-pem
    Case(
        "ICE403",
        cfg24("/etc/icecast2/server.der"),
        cfg24("/etc/icecast2/bundle.pem"),
        files=FILES,
        message="no PEM certificate",
    ),
    Case(
        "ICE403",
        cfg24("/etc/icecast2/key.pem"),
        cfg24("/etc/icecast2/bundle.pem"),
        files=FILES,
        message="PRIVATE KEY",
        id="2.4-key-only",
    ),
    Case("ICE403", cfg25("/etc/icecast2/server.der"), cfg25("/etc/icecast2/cert.pem"), "2.5", FILES),
    Case("ICE403", cfgkh("/etc/icecast2/server.der"), cfgkh("/etc/icecast2/bundle.pem"), "kh", FILES),
    # ICE404 tls-private-key-missing
    Case(
        "ICE404",
        cfg24("/etc/icecast2/cert.pem"),
        cfg24("/etc/icecast2/bundle.pem"),
        files=FILES,
        message="append the private key",
    ),
    Case(
        "ICE404",
        cfg24("/etc/icecast2/encrypted.pem"),
        cfg24("/etc/icecast2/bundle.pem"),
        files=FILES,
        message="passphrase",
        id="2.4-encrypted",
    ),
    Case(
        "ICE404",
        cfg25("/etc/icecast2/cert.pem"),
        cfg25("/etc/icecast2/cert.pem", "/etc/icecast2/key.pem"),  # 2.5 may keep the key apart
        target="2.5",
        files=FILES,
        message="<tls-key>",
    ),
    Case(
        "ICE404",
        cfgkh("/etc/icecast2/cert.pem"),
        cfgkh("/etc/icecast2/cert.pem", "/etc/icecast2/key.pem"),
        target="kh",
        files=FILES,
        message="<ssl-private-key>",
    ),
    # ICE405 tls-key-mismatch
    Case(
        "ICE405",
        cfg24("/etc/icecast2/mismatched.pem"),
        cfg24("/etc/icecast2/bundle.pem"),
        files=FILES,
        message="does not match",
    ),
    Case(
        "ICE405",
        cfg25("/etc/icecast2/cert.pem", "/etc/icecast2/other-key.pem"),
        cfg25("/etc/icecast2/cert.pem", "/etc/icecast2/key.pem"),
        target="2.5",
        files=FILES,
    ),
    Case(
        "ICE405",
        cfgkh("/etc/icecast2/cert.pem", "/etc/icecast2/other-key.pem"),
        cfgkh("/etc/icecast2/cert.pem", "/etc/icecast2/key.pem"),
        target="kh",
        files=FILES,
    ),
    # ICE406 tls-certificate-expired
    Case(
        "ICE406",
        cfg24("/etc/icecast2/expired.pem"),
        cfg24("/etc/icecast2/bundle.pem"),
        files=FILES,
        message="Icecast 2.4.4 still serves it, and every client that verifies it (browsers, players) stops the TLS",
    ),
    Case(
        "ICE406",
        cfg24("/etc/icecast2/not-yet.pem"),
        cfg24("/etc/icecast2/soon.pem"),
        files=FILES,
        message="Icecast 2.4.4 serves it already, and until then every client that verifies it (browsers, players)",
        id="2.4-not-yet-valid",
    ),
    Case("ICE406", cfg25("/etc/icecast2/expired.pem"), cfg25("/etc/icecast2/bundle.pem"), "2.5", FILES),
    Case("ICE406", cfgkh("/etc/icecast2/expired.pem"), cfgkh("/etc/icecast2/bundle.pem"), "kh", FILES),
    # ICE407 tls-certificate-expires-soon
    Case(
        "ICE407",
        cfg24("/etc/icecast2/soon.pem"),
        cfg24("/etc/icecast2/later.pem"),
        files=FILES,
        message="day(s)); renew it and restart Icecast: 2.4.4 reads it only at start",
    ),
    Case(
        "ICE407",
        cfgkh("/etc/icecast2/soon.pem"),
        cfgkh("/etc/icecast2/later.pem"),
        "kh",
        FILES,
        message="renew it and send Icecast-KH a SIGHUP, which reloads it",
    ),
    Case(
        "ICE407",
        cfg25("/etc/icecast2/soon.pem"),
        cfg25("/etc/icecast2/later.pem"),
        "2.5",
        FILES,
        message="renew it and send Icecast 2.5 a SIGHUP, which reloads it",
    ),
    # ICE410 tls-certificate-name-mismatch
    Case(
        "ICE410",
        named(cfg24("/etc/icecast2/www.pem")),
        named(cfg24("/etc/icecast2/bundle.pem")),
        files=FILES,
        message="the certificate in /etc/icecast2/www.pem is for www.example.org, not for <hostname> "
        "radio.example.org: Icecast 2.4.4 serves it without a word",
    ),
    Case(
        "ICE410",
        named(cfg25("/etc/icecast2/san-others.pem")),  # its CN names the host, but a SAN list replaces the CN
        named(cfg25("/etc/icecast2/bundle.pem")),
        target="2.5",
        files=FILES,
        message="is for example.org, www.example.org, not for <hostname> radio.example.org",
        id="2.5-san",
    ),
    Case("ICE410", named(cfgkh("/etc/icecast2/www.pem")), named(cfgkh("/etc/icecast2/bundle.pem")), "kh", FILES),
    # ICE411 tls-chain-incomplete
    Case(
        "ICE411",
        cfg24("/etc/icecast2/leaf-only.pem"),
        cfg24("/etc/icecast2/full-chain.pem"),
        files=FILES,
        message="the certificate in /etc/icecast2/leaf-only.pem is issued by CN=Oracle Intermediate CA; Icecast "
        "2.4.4 sends clients only the certificates in the file, and the file holds no certificate of that issuer",
    ),
    Case(
        "ICE411",
        cfg24("/etc/icecast2/other-key-chain.pem"),
        cfg24("/etc/icecast2/full-chain.pem"),
        files=FILES,
        message="and the certificate named CN=Oracle Intermediate CA in the file did not sign it (its key differs",
    ),
    Case("ICE411", cfg25("/etc/icecast2/leaf-only.pem"), cfg25("/etc/icecast2/full-chain.pem"), "2.5", FILES),
    Case("ICE411", cfgkh("/etc/icecast2/leaf-only.pem"), cfgkh("/etc/icecast2/full-chain.pem"), "kh", FILES),
    # ICE408 tls-certificate-unused
    Case(
        "ICE408",
        cfg24("/etc/icecast2/bundle.pem", ssl="<ssl>true</ssl>"),  # 2.4.4 reads true as 0
        cfg24("/etc/icecast2/bundle.pem"),
        message="no <listen-socket> uses TLS",
    ),
    Case(
        "ICE408",
        cfg25("/etc/icecast2/bundle.pem", tls="<tls>disabled</tls>"),
        cfg25("/etc/icecast2/bundle.pem", tls="<ssl>0</ssl>"),  # 0 is auto in 2.5: the cert is used
        target="2.5",
    ),
    # ICE409 passwords-over-plain-http
    Case(
        "ICE409",
        b"<icecast><authentication><admin-user>a</admin-user><admin-password>s3cret-a</admin-password>"
        b"</authentication><listen-socket><port>8000</port></listen-socket></icecast>",
        b"<icecast><authentication><admin-user>a</admin-user><admin-password>s3cret-a</admin-password>"
        b"</authentication><listen-socket><port>8000</port><bind-address>127.0.0.1</bind-address>"
        b"</listen-socket></icecast>",
        message="<admin-password>",
    ),
    Case(
        "ICE409",
        b"<icecast><authentication><source-password>s3cret-s</source-password></authentication>"
        b"<listen-socket><port>8443</port><tls>disabled</tls></listen-socket></icecast>",
        b"<icecast><authentication><source-password>s3cret-s</source-password></authentication>"
        b"<listen-socket><port>8443</port><tls>rfc2818</tls></listen-socket></icecast>",
        target="2.5",
    ),
    Case(
        "ICE409",
        b'<icecast><authentication><source-password>s3cret-s</source-password></authentication><listen-socket port="8000"/></icecast>',
        b'<icecast><authentication><source-password>s3cret-s</source-password></authentication><listen-socket port="8000"/>'
        b"<paths><ssl-certificate>/etc/icecast2/bundle.pem</ssl-certificate></paths></icecast>",
        target="kh",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.test_id)
def test_rule(case: Case, tmp_path: Path) -> None:
    check_case(case, tmp_path)


def test_valid_bundle_is_clean_on_every_dialect(tmp_path: Path) -> None:
    (tmp_path / "etc/icecast2").mkdir(parents=True)
    (tmp_path / "etc/icecast2/bundle.pem").write_bytes(BUNDLE)
    for target, data in (
        ("2.4", cfg24("/etc/icecast2/bundle.pem")),
        ("2.5", cfg25("/etc/icecast2/bundle.pem")),
        ("kh", cfgkh("/etc/icecast2/bundle.pem")),
    ):
        codes = [f.code for f in run(data, target, tmp_path) if f.code.startswith("ICE4")]
        assert codes == [], (target, codes)


@pytest.mark.parametrize(
    ("name", "host", "covers"),
    [
        ("radio.example.org", "radio.example.org", True),
        ("Radio.Example.org.", "radio.example.ORG", True),  # case and a final dot do not count
        ("*.example.org", "radio.example.org", True),
        ("*.example.org", "example.org", False),  # a wildcard is one whole label
        ("*.example.org", "a.radio.example.org", False),
        ("*.example.org", ".example.org", False),
        ("radio*.example.org", "radio1.example.org", False),  # partial wildcards: not taken
        ("*.*.org", "a.example.org", False),
        ("www.example.org", "radio.example.org", False),
    ],
)
def test_certificate_names_cover_hosts_as_clients_check_them(name: str, host: str, covers: bool) -> None:
    from icecfg.effective.pem import name_covers

    assert name_covers(name, host) is covers


def test_certificate_name_false_positives(tmp_path: Path) -> None:
    """ICE410 says nothing without a DNS <hostname>, or when a name of the certificate covers it."""
    (tmp_path / "etc/icecast2").mkdir(parents=True)
    wildcard = pem(make_cert(KEY, common_name="x", dns_names=("*.example.org",))) + KEY_PEM
    listed = pem(make_cert(KEY, common_name="x", dns_names=("example.org", "radio.example.org"))) + KEY_PEM
    for name, data in (("www.pem", WWW), ("wildcard.pem", wildcard), ("listed.pem", listed)):
        (tmp_path / "etc/icecast2" / name).write_bytes(data)
    quiet = [
        cfg24("/etc/icecast2/www.pem"),  # no <hostname>: localhost, ICE904's business
        named(cfg24("/etc/icecast2/www.pem"), "localhost"),
        named(cfg24("/etc/icecast2/www.pem"), "203.0.113.7"),
        named(cfg24("/etc/icecast2/www.pem"), "[2001:db8::7]"),
        named(cfg24("/etc/icecast2/wildcard.pem")),
        named(cfg24("/etc/icecast2/listed.pem"), "RADIO.example.org."),
        named(cfg24("/etc/icecast2/www.pem", ssl="")),  # no TLS socket: the certificate is not served
    ]
    for data in quiet:
        assert [f.message for f in run(data, "2.4", tmp_path) if f.code == "ICE410"] == [], data
    assert [f.code for f in run(named(cfg24("/etc/icecast2/www.pem")), "2.4", tmp_path) if f.code == "ICE410"]


def test_certificate_must_name_the_domain_up_points_at_the_server(tmp_path: Path) -> None:
    """ICE410 with ``domain`` ([bake] domain): listeners connect to that name, so the certificate must name it."""
    (tmp_path / "etc/icecast2").mkdir(parents=True)
    wildcard = pem(make_cert(KEY, common_name="x", dns_names=("*.example.org",))) + KEY_PEM
    for name, data in (("bundle.pem", BUNDLE), ("wildcard.pem", wildcard), ("www.pem", WWW)):
        (tmp_path / "etc/icecast2" / name).write_bytes(data)

    def ice410(data: bytes, domain: str | None) -> list[str]:
        cfg = icecfg.loads(data, path="icecast.xml")
        return [f.message for f in lint(cfg, "2.4", root=str(tmp_path), domain=domain) if f.code == "ICE410"]

    ours = named(cfg24("/etc/icecast2/bundle.pem"))  # a certificate for <hostname> radio.example.org
    [message] = ice410(ours, "stream.example.org")
    assert "is for radio.example.org, not for stream.example.org, the DNS name `icecfg up` points" in message
    assert ice410(named(cfg24("/etc/icecast2/bundle.pem"), "localhost"), "stream.example.org") == [message]
    assert ice410(cfg24("/etc/icecast2/bundle.pem"), "stream.example.org") == [message]  # no <hostname>
    # the domain and <hostname> both uncovered: one finding for each name
    assert len(ice410(named(cfg24("/etc/icecast2/www.pem")), "stream.example.org")) == 2
    for domain in (None, "radio.example.org", "RADIO.example.org.", "localhost", "203.0.113.7"):
        assert ice410(ours, domain) == [], domain
    assert ice410(named(cfg24("/etc/icecast2/wildcard.pem")), "stream.example.org") == []  # *.example.org names it
    assert ice410(named(cfg24("/etc/icecast2/bundle.pem", ssl="")), "stream.example.org") == []  # no TLS socket
    # the <hostname> finding stays one when the domain is the same name
    assert len(ice410(named(cfg24("/etc/icecast2/www.pem")), "radio.example.org")) == 1


def test_file_rules_are_skipped_without_files(tmp_path: Path) -> None:
    findings = run(cfg24("/etc/icecast2/missing.pem"), "2.4", tmp_path, files=False)
    assert not [f for f in findings if f.code in ("ICE402", "ICE403", "ICE404", "ICE405", "ICE406")]


def test_obsolete_25_paths_certificate_counts(tmp_path: Path) -> None:
    data = (
        b"<icecast><listen-socket><port>8443</port><tls>rfc2818</tls></listen-socket>"
        b"<paths><tls-certificate>/etc/icecast2/cert.pem</tls-certificate></paths></icecast>"
    )
    (tmp_path / "etc/icecast2").mkdir(parents=True)
    (tmp_path / "etc/icecast2/cert.pem").write_bytes(CERT_PEM)
    codes = {f.code for f in run(data, "2.5", tmp_path)}
    assert "ICE401" not in codes
    assert "ICE404" in codes  # the obsolete form is read, and its file has no key


def test_finding_points_at_the_certificate_path(tmp_path: Path) -> None:
    data = b"<icecast>\n<listen-socket><port>1</port><ssl>1</ssl></listen-socket>\n<paths>\n  <ssl-certificate>/nope.pem</ssl-certificate>\n</paths>\n</icecast>"
    [finding] = [f for f in run(data, "2.4", tmp_path) if f.code == "ICE402"]
    assert (finding.line, finding.column) == (4, 20)


def test_cryptography_is_imported_only_by_the_certificate_rules() -> None:
    code = (
        "import sys, icecfg\n"
        "from icecfg.lint import lint, all_rules\n"
        "all_rules()\n"
        "cfg = icecfg.loads(b'<icecast><listen-socket><port>1</port><ssl>1</ssl></listen-socket></icecast>')\n"
        "lint(cfg, '2.4', files=False)\n"
        "print('cryptography' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_25_tls_modes() -> None:
    def requested(tls: str) -> bool:
        cfg = icecfg.loads(f"<icecast><listen-socket><port>1</port>{tls}</listen-socket></icecast>".encode())
        return any(f.code == "ICE401" for f in lint(cfg, "2.5", files=False))

    assert requested("<tls>rfc2818</tls>")
    assert requested("<tls>auto_no_plain</tls>")
    assert requested("<tls>rfc2817</tls>")
    assert requested("<tls>1</tls>")
    assert requested("<ssl>yes</ssl>")
    assert requested("<tls/>")  # empty means auto
    assert not requested("<tls>disabled</tls>")
    assert not requested("<tls>false</tls>")
    assert not requested("")
