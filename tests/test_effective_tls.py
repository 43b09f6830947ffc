"""The effective TLS context owns the certificate files: readable, decoded once, key match, validity, names."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest

import icecfg
from icecfg.effective import explain
from icecfg.files import FileView
from icecfg.lint import lint
from tests.rules.test_tls import BUNDLE, CERT, CERT_PEM, DER, ENCRYPTED, KEY_PEM, MISMATCHED, OTHER_KEY, key_pem


def tree(root: Path, files: dict[str, bytes]) -> FileView:
    for server_path, content in files.items():
        local = root / server_path.lstrip("/")
        local.parent.mkdir(parents=True, exist_ok=True)
        local.write_bytes(content)
    return FileView(root)


def context(xml: str, view: FileView | None, target: str = "2.4") -> icecfg.effective.EffectiveConfig:
    return explain(icecfg.loads(f"<icecast>{xml}</icecast>".encode()), target, view)


SSL = "<listen-socket><port>8443</port><ssl>1</ssl></listen-socket>"


def paths24(cert: str) -> str:
    return f"{SSL}<paths><ssl-certificate>{cert}</ssl-certificate></paths>"


def kh(cert: str, key: str) -> str:
    return f"<paths><ssl-certificate>{cert}</ssl-certificate><ssl-private-key>{key}</ssl-private-key></paths>"


def test_a_bundle_is_usable_and_its_facts_are_known(tmp_path: Path) -> None:
    tls = context(paths24("/etc/b.pem"), tree(tmp_path, {"/etc/b.pem": BUNDLE})).tls
    assert tls.usable is True
    assert tls.certificate_file is tls.key_file  # 2.4.4 reads both from one file
    assert [f.path for f in tls.files] == ["/etc/b.pem"]
    assert not tls.separate_key and tls.key_matches is True
    pem = tls.certificate_file.pem  # type: ignore[union-attr]
    assert pem is not None and pem.certificate_blocks == 1 and pem.holds_key
    assert pem.validity == (CERT.not_valid_before_utc, CERT.not_valid_after_utc)
    assert pem.names == ("radio.example.org",)


def test_a_key_of_another_certificate_does_not_match(tmp_path: Path) -> None:
    tls = context(paths24("/etc/b.pem"), tree(tmp_path, {"/etc/b.pem": MISMATCHED})).tls
    assert tls.key_matches is False
    # a separate key file (KH): checked against the certificate file
    view = tree(tmp_path, {"/etc/c.pem": CERT_PEM, "/etc/k.pem": KEY_PEM, "/etc/o.pem": key_pem(OTHER_KEY)})
    good = context(kh("/etc/c.pem", "/etc/k.pem"), view, "kh").tls
    assert good.separate_key and good.key_matches is True
    assert [f.path for f in good.files] == ["/etc/c.pem", "/etc/k.pem"]
    assert context(kh("/etc/c.pem", "/etc/o.pem"), view, "kh").tls.key_matches is False


def test_a_key_under_a_passphrase_and_a_der_certificate(tmp_path: Path) -> None:
    view = tree(tmp_path, {"/etc/e.pem": ENCRYPTED, "/etc/d.der": DER})
    encrypted = context(paths24("/etc/e.pem"), view).tls
    assert encrypted.key_file is not None and encrypted.key_file.pem is not None
    assert encrypted.key_file.pem.key_encrypted and not encrypted.key_file.pem.key_decodes
    assert encrypted.key_matches is None  # cannot be told without the passphrase
    der = context(paths24("/etc/d.der"), view).tls
    assert der.usable is False and der.problem == "/etc/d.der holds no certificate"
    assert der.certificate_file is not None and der.certificate_file.pem is not None
    assert der.certificate_file.pem.labels == () and der.certificate_file.pem.validity is None


def test_a_damaged_certificate_says_why_it_does_not_decode(tmp_path: Path) -> None:
    broken = b"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n" + KEY_PEM
    pem = context(paths24("/etc/x.pem"), tree(tmp_path, {"/etc/x.pem": broken})).tls.certificate_file.pem  # type: ignore[union-attr]
    assert pem is not None and pem.certificate_blocks == 1 and not pem.certificate_decodes
    assert pem.certificate_error and pem.names == ()


@pytest.mark.parametrize(
    ("make", "why"),
    [
        (lambda root: None, "does not exist"),
        (lambda root: (root / "etc/b.pem").mkdir(parents=True), "is a directory"),
    ],
)
def test_a_file_that_cannot_be_opened(tmp_path: Path, make: Any, why: str) -> None:
    make(tmp_path)
    tls = context(paths24("/etc/b.pem"), FileView(tmp_path)).tls
    assert tls.certificate_file is not None and tls.certificate_file.unreadable == why
    assert tls.certificate_file.pem is None and tls.usable is False


def test_without_files_nothing_is_read() -> None:
    tls = context(paths24("/etc/b.pem"), None).tls
    assert tls.certificate_file is None and tls.files == () and tls.key_matches is None
    assert tls.to_json()["files"] is None


def test_explain_json_reports_what_the_files_hold(tmp_path: Path) -> None:
    data = context(paths24("/etc/b.pem"), tree(tmp_path, {"/etc/b.pem": MISMATCHED})).to_json()
    files = data["tls"]["files"]  # type: ignore[index]
    assert files == {
        "certificate_problem": None,
        "certificates": 1,
        "certificate_decodes": True,
        "not_before": CERT.not_valid_before_utc.isoformat(),
        "not_after": CERT.not_valid_after_utc.isoformat(),
        "names": ["radio.example.org"],
        "missing_issuer": None,
        "issuer_name_only": False,
        "key_problem": None,
        "key_found": True,
        "key_encrypted": False,
        "key_matches": False,
    }
    assert datetime.datetime.fromisoformat(files["not_after"]) > datetime.datetime.now(datetime.timezone.utc)


def test_a_lint_run_decodes_the_certificate_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every TLS rule (not PEM, key missing, key mismatch, expired, expires soon) judges one decode."""
    from cryptography import x509

    calls: list[bytes] = []
    real = x509.load_pem_x509_certificate

    def counting(data: bytes, *args: Any) -> x509.Certificate:
        calls.append(data)
        return real(data, *args)

    monkeypatch.setattr(x509, "load_pem_x509_certificate", counting)
    tree(tmp_path, {"/etc/b.pem": BUNDLE})
    cfg = icecfg.loads(f"<icecast>{paths24('/etc/b.pem')}</icecast>".encode())
    assert not [f for f in lint(cfg, "2.4", root=str(tmp_path)) if f.code.startswith("ICE40")]
    assert len(calls) == 1


def test_explain_text_says_until_when_and_for_which_name_the_certificate_is_valid(tmp_path: Path) -> None:
    from icecfg.effective.text import render

    text = render(context(paths24("/etc/b.pem"), tree(tmp_path, {"/etc/b.pem": MISMATCHED})))
    assert f"to {CERT.not_valid_after_utc:%Y-%m-%d} UTC, for radio.example.org" in text
    assert "the private key does not belong to the certificate" in text


def test_explain_says_when_the_certificate_does_not_name_the_hostname(tmp_path: Path) -> None:
    """ICE410's fact: text and JSON say whether the served certificate names <hostname>, and when it is not judged."""
    from icecfg.effective.text import render
    from tests.rules.test_tls import WWW

    view = tree(tmp_path, {"/etc/www.pem": WWW, "/etc/b.pem": BUNDLE})
    host = "<hostname>radio.example.org</hostname>"
    other = context(host + paths24("/etc/www.pem"), view)
    assert other.certificate_names_hostname is False
    said = "not for <hostname> radio.example.org: clients connecting to https://radio.example.org refuse the handshake"
    assert said in render(other)
    assert other.to_json()["tls"]["certificate_names_hostname"] is False  # type: ignore[index]
    same = context(host + paths24("/etc/b.pem"), view)
    assert same.certificate_names_hostname is True and "not for <hostname>" not in render(same)
    assert context(paths24("/etc/www.pem"), view).certificate_names_hostname is None  # no <hostname>: localhost
    assert context(host + paths24("/etc/www.pem"), None).certificate_names_hostname is None  # files not read
    unused = host + paths24("/etc/www.pem").replace("<ssl>1</ssl>", "")
    assert context(unused, view).certificate_names_hostname is None  # no TLS socket serves it


def test_explain_says_whether_the_certificate_names_the_domain_up_points_at_the_server(tmp_path: Path) -> None:
    """ICE410's second fact: [bake] domain, when it is another DNS name than <hostname>, judged like it."""
    from icecfg.effective.text import render

    view = tree(tmp_path, {"/etc/b.pem": BUNDLE})  # a certificate for radio.example.org
    xml = "<hostname>radio.example.org</hostname>" + paths24("/etc/b.pem")

    def judged(domain: str | None, files: FileView | None = view) -> icecfg.effective.EffectiveConfig:
        return explain(icecfg.loads(f"<icecast>{xml}</icecast>".encode()), "2.4", files, domain=domain)

    other = judged("stream.example.org")
    assert (other.dns_domain, other.certificate_names_domain) == ("stream.example.org", False)
    tls = other.to_json()["tls"]
    assert (tls["domain"], tls["certificate_names_domain"]) == ("stream.example.org", False)  # type: ignore[index]
    said = "not for the domain stream.example.org ([bake] domain): clients connecting to https://stream.example.org"
    assert said in render(other)
    for domain in (None, "radio.example.org.", "RADIO.example.org", "localhost", "203.0.113.7"):
        eff = judged(domain)
        assert (eff.dns_domain, eff.certificate_names_domain) == (None, None), domain
        assert "[bake] domain" not in render(eff)
    assert judged("stream.example.org", None).certificate_names_domain is None  # files not read


def test_explain_says_when_the_chain_is_missing(tmp_path: Path) -> None:
    """ICE411's fact: the issuer of a server certificate saved without its intermediate, in text and JSON."""
    from icecfg.effective.text import render
    from tests.oracle import issued_chain_pems

    _root, leaf_only, full = issued_chain_pems("radio.example.org")
    view = tree(tmp_path, {"/etc/leaf.pem": leaf_only, "/etc/full.pem": full, "/etc/self.pem": BUNDLE})
    alone = context(paths24("/etc/leaf.pem"), view)
    said = "sent without its chain: the file holds no certificate of its issuer CN=Oracle Intermediate CA"
    assert said in render(alone)
    assert alone.to_json()["tls"]["files"]["missing_issuer"] == "CN=Oracle Intermediate CA"  # type: ignore[index]
    for complete in ("/etc/full.pem", "/etc/self.pem"):  # the intermediate follows; self-signed
        eff = context(paths24(complete), view)
        assert eff.tls.certificate_file.pem.missing_issuer is None, complete  # type: ignore[union-attr]
        assert "sent without its chain" not in render(eff)


def test_explain_says_when_the_intermediate_of_the_issuers_name_did_not_sign_the_certificate(tmp_path: Path) -> None:
    """An intermediate with the issuer's name but another key does not complete the chain: clients check the signature."""
    from icecfg.effective.text import render
    from tests.oracle import issued_chain_pems

    _root, _leaf, other_key = issued_chain_pems("radio.example.org", another_key=True)
    eff = context(paths24("/etc/other.pem"), tree(tmp_path, {"/etc/other.pem": other_key}))
    files = eff.to_json()["tls"]["files"]  # type: ignore[index]
    assert (files["missing_issuer"], files["issuer_name_only"]) == ("CN=Oracle Intermediate CA", True)  # type: ignore[index]
    assert "holds a certificate named CN=Oracle Intermediate CA, but its key did not sign" in render(eff)


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("mismatched", "the private key in /etc/b.pem does not belong to the certificate"),
        ("encrypted", "the private key in /etc/b.pem needs a passphrase"),
        ("broken", "the first certificate in /etc/b.pem cannot be decoded"),
    ],
)
def test_a_certificate_openssl_refuses_turns_tls_off_on_every_release(tmp_path: Path, name: str, why: str) -> None:
    """What ICE403-ICE405 report, verified on the three releases, is what the listeners serve."""
    broken = b"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n" + KEY_PEM
    data = {"mismatched": MISMATCHED, "encrypted": ENCRYPTED, "broken": broken}[name]
    view = tree(tmp_path, {"/etc/b.pem": data})
    e24 = context(paths24("/etc/b.pem"), view)
    assert e24.tls.usable is False and e24.tls.problem == why
    assert [s.protocol.value for s in e24.listeners] == ["plain-downgraded"]
    e25 = context(
        "<listen-socket><port>8443</port><tls>rfc2818</tls></listen-socket>"
        "<security><tls-context><tls-certificate>/etc/b.pem</tls-certificate></tls-context></security>",
        view,
        "2.5",
    )
    assert [s.protocol.value for s in e25.listeners] == ["refused"]
    ekh = context("<listen-socket><port>8000</port></listen-socket>" + kh("/etc/b.pem", "/etc/b.pem"), view, "kh")
    assert [s.protocol.value for s in ekh.listeners] == ["plain"]
    # an expired certificate still loads: clients refuse it, the server serves it
    from tests.rules.test_tls import EXPIRED

    expired = context(paths24("/etc/e.pem"), tree(tmp_path, {"/etc/e.pem": EXPIRED}))
    assert [s.protocol.value for s in expired.listeners] == ["tls"]
