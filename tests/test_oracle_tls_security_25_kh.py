"""The TLS and security rules' claims, checked on the running Icecast 2.5.0 and Icecast-KH.

Each test lints a configuration for the release it names, shows on that
release's binary the harm the finding announces (a status code, a refused
login, a log line, a crash) and then the corrected configuration without it.
The 2.4.4 side of the same rules is in ``test_oracle_tls_security.py``,
except where one test runs the same steps on all three releases (an expired,
a not yet valid or a renewed certificate, a start as root of a user namespace).
"""

from __future__ import annotations

import hashlib
import re
import secrets
import shutil
import signal
import tempfile
from pathlib import Path

import pytest

import icecfg
from tests import oracle
from tests.oracle_checks import (
    answers,
    box_of,
    chain_cases,
    expired_issued,
    expired_pem,
    findings,
    fixed,
    log_lines,
    not_yet_valid_issued,
    pidfile_written,
    release_config,
    served_certificate,
    verified_handshake,
)

SOURCE_PASSWORD = secrets.token_hex(8)
ADMIN_PASSWORD = secrets.token_hex(8)
LISTENER_PASSWORD = secrets.token_hex(8)
KH_BUILT_IN_PASSWORD = "changeme"
STATUS = "/status-json.xsl"  # 2.5 serves it; KH has no status page


def config(box: oracle.Sandbox, ports: list[int], **parts: object) -> bytes:
    return release_config(box, ports, source_password=SOURCE_PASSWORD, admin_password=ADMIN_PASSWORD, **parts)


def certificate_file(box: oracle.Sandbox, kind: str) -> Path:
    """A certificate file that is good, missing, DER-encoded, holds no key, has another certificate's key or an encrypted one."""
    if kind == "missing":
        return box.root / "no-such-bundle.pem"
    bundle = oracle.make_tls_pem(box, f"{kind}.pem")
    if kind == "good":
        return bundle
    data = bundle.read_bytes()
    cert = data[: data.index(b"-----END CERTIFICATE-----") + len(b"-----END CERTIFICATE-----\n")]
    if kind == "cert-only":
        return box.write("cert-only.pem", cert, mode=0o600)
    if kind == "der":
        from cryptography import x509
        from cryptography.hazmat.primitives.serialization import Encoding

        return box.write("server.der", x509.load_pem_x509_certificate(cert).public_bytes(Encoding.DER), mode=0o600)
    if kind == "encrypted":
        return box.write("encrypted.pem", oracle.encrypted_key_pem(data), mode=0o600)
    other = oracle.make_tls_pem(box, "other.pem").read_bytes()
    return box.write("mismatched.pem", cert + other[other.index(b"-----BEGIN PRIVATE KEY-----") :], mode=0o600)


#: certificate file -> (rule, what the release logs about it)
BROKEN = {
    "missing": ("ICE402", "Invalid cert file"),
    "der": ("ICE403", "Invalid cert file"),
    "cert-only": ("ICE404", "Invalid private key file"),
    "mismatch": ("ICE405", "Invalid private key file"),
    "encrypted": ("ICE404", "Invalid private key file"),
}
TLS_CODES = ("ICE401", "ICE402", "ICE403", "ICE404", "ICE405")


# --------------------------------------------------------------------------- TLS on 2.5.0


@pytest.mark.parametrize("kind", [*BROKEN, "good"])
def test_2_5_unusable_certificate_leaves_the_tls_port_serving_nobody(box25: oracle.Sandbox, kind: str) -> None:
    port, tls_port = oracle.free_ports(2)
    data = config(box25, [port], tls_ports=(tls_port,), tls_certificate=certificate_file(box25, kind))
    found = findings(data, "2.5", *TLS_CODES, files=True)
    if kind == "good":
        assert not found
    else:
        [finding] = found
        assert finding.code == BROKEN[kind][0]
        assert "426 Upgrade Required" in finding.message
    with oracle.IcecastServer(data, box25, wait_port=port, name=f"tls25-{kind}") as server:
        if kind == "good":
            assert answers(server, tls_port, tls=True, path=STATUS) == 200
            assert answers(server, tls_port, timeout=1.0) is None  # plain HTTP is reset there
        else:
            assert answers(server, tls_port) == 426
            assert answers(server, tls_port, tls=True, timeout=1.0) is None
            assert BROKEN[kind][1] in "\n".join(log_lines(server))
        assert answers(server, port, path=STATUS) == 200  # the plain socket is not affected


def test_2_5_reads_ssl_as_tls(box25: oracle.Sandbox) -> None:
    port, tls_port = oracle.free_ports(2)
    tls_socket = f"<listen-socket><port>{tls_port}</port><bind-address>127.0.0.1</bind-address><ssl>1</ssl>"
    bad = config(box25, [port], extra=tls_socket + "</listen-socket>")
    assert {f.code for f in findings(bad, "2.5", "ICE401", "ICE304")} == {"ICE401", "ICE304"}
    [finding] = findings(bad, "2.5", "ICE401")
    assert "426 Upgrade Required" in finding.message
    with oracle.IcecastServer(bad, box25, wait_port=port, name="ssl25-nocert") as server:
        assert answers(server, tls_port) == 426  # a TLS-only port, exactly as <tls>1</tls>
    good = config(box25, [port], extra=tls_socket + "</listen-socket>", tls_certificate=certificate_file(box25, "good"))
    assert not findings(good, "2.5", "ICE401")
    with oracle.IcecastServer(good, box25, wait_port=port, name="ssl25-cert") as server:
        assert answers(server, tls_port, tls=True, path=STATUS) == 200


def test_2_5_certificate_without_tls_socket_serves_only_plain_http(box25: oracle.Sandbox) -> None:
    port = oracle.free_port()
    pem = certificate_file(box25, "good")
    bad = config(box25, [port], tls_certificate=pem)
    [finding] = findings(bad, "2.5", "ICE408")
    assert "<tls>rfc2818</tls>" in finding.message
    with oracle.IcecastServer(bad, box25, wait_port=port, name="tls25-unused") as server:
        assert answers(server, port, tls=True, timeout=1.0) is None
        assert answers(server, port, path=STATUS) == 200
    good = bad.replace(b"</bind-address></listen-socket>", b"</bind-address><tls>auto</tls></listen-socket>")
    assert not findings(good, "2.5", "ICE408")
    with oracle.IcecastServer(good, box25, wait_port=port, name="tls25-auto") as server:
        assert answers(server, port, tls=True, path=STATUS) == 200
        assert answers(server, port, path=STATUS) == 200  # auto: both on one port


def test_2_5_tls_auto_without_certificate_serves_only_plain_http(box25: oracle.Sandbox) -> None:
    """ICE401 on 2.5.0: a <tls>auto</tls> socket without a certificate answers plain HTTP and completes no handshake."""
    port = oracle.free_port()
    bad = config(box25, [port]).replace(
        b"</bind-address></listen-socket>", b"</bind-address><tls>auto</tls></listen-socket>"
    )
    [finding] = findings(bad, "2.5", "ICE401")
    assert "<tls>auto" in finding.message or "plain HTTP" in finding.message, finding.message
    with oracle.IcecastServer(bad, box25, wait_port=port, name="tls25-auto-nocert") as server:
        assert answers(server, port, path=STATUS) == 200
        assert answers(server, port, tls=True, timeout=1.0) is None


# --------------------------------------------------------------------------- TLS on KH


@pytest.mark.parametrize("kind", [*BROKEN, "good"])
def test_kh_unusable_certificate_means_no_tls_on_any_port(boxkh: oracle.Sandbox, kind: str) -> None:
    port, other = oracle.free_ports(2)
    data = config(boxkh, [port, other], tls_certificate=certificate_file(boxkh, kind))
    found = findings(data, "kh", *TLS_CODES, files=True)
    if kind == "good":
        assert not found
    else:
        [finding] = found
        assert finding.code == BROKEN[kind][0]
        assert "no port then completes a TLS handshake" in finding.message
    with oracle.IcecastServer(data, boxkh, wait_port=port, name=f"tlskh-{kind}") as server:
        for each in (port, other):  # KH detects TLS per connection on every port, or on none
            assert answers(server, each) == 404  # plain HTTP always works (KH has no status page)
            assert answers(server, each, tls=True, timeout=1.0) == (404 if kind == "good" else None)
        log = "\n".join(log_lines(server))
        if kind != "good":
            assert BROKEN[kind][1] in log
            assert "No SSL capability on any configured ports" in log


@pytest.mark.parametrize("release", ["2.5", "kh"])
def test_expired_certificate_is_served_and_refused_by_clients(release: str, request: pytest.FixtureRequest) -> None:
    box = box_of(release, request)
    port, tls_port = oracle.free_ports(2)
    for pem in (expired_pem(box), certificate_file(box, "good")):
        data = config(box, [port], tls_ports=(tls_port,), tls_certificate=pem)
        expired = pem.name == "expired.pem"
        assert bool(findings(data, release, "ICE406", files=True)) == expired
        with oracle.IcecastServer(data, box, wait_port=port, name=f"expiry-{release}-{expired}") as server:
            assert "Invalid cert file" not in "\n".join(log_lines(server))  # loaded without a word
            assert verified_handshake(tls_port, pem) == ("certificate has expired" if expired else "ok")


#: A certificate outside its dates: how a test CA issues it, what ICE406 says, what a verifying client gets.
OUT_OF_DATE = {
    "expired": (
        expired_issued,
        "still serves it, and every client that verifies it (browsers, players) stops the TLS",
        "certificate has expired",
    ),
    "not-yet-valid": (
        not_yet_valid_issued,
        "serves it already, and until then every client that verifies it (browsers, players) stops the TLS",
        "certificate is not yet valid",
    ),
}


@pytest.mark.parametrize("dates", sorted(OUT_OF_DATE))
@pytest.mark.parametrize("release", ["2.4", "2.5", "kh"])
def test_out_of_its_dates_a_certificate_is_served_and_only_verifying_clients_stop(
    release: str, dates: str, request: pytest.FixtureRequest
) -> None:
    """ICE406 (and not ICE407): what a release does with a certificate that expired yesterday or starts tomorrow.

    A certificate a test CA issued outside its validity: the release starts,
    logs only that it found it, sends that certificate, a client that trusts
    the CA stops the handshake and a client that checks nothing is served.
    ICE406 says so; ICE407 (an expiry still to come) says nothing.
    """
    issue, said, refusal = OUT_OF_DATE[dates]
    box = box_of(release, request)
    port, tls_port = oracle.free_ports(2)
    root, bundle, der = issue(box)
    data = config(box, [port], tls_ports=(tls_port,), tls_certificate=bundle)
    (finding,) = findings(data, release, "ICE406", "ICE407", files=True)
    assert finding.code == "ICE406", finding
    assert said in finding.message
    with oracle.IcecastServer(data, box, wait_port=port, name=f"{dates}-{release}") as server:
        log = list(log_lines(server))
        assert any("ertificate found at" in line for line in log), log  # loaded, and no other word on it
        assert not [line for line in log if "cert" in line.lower() and "EROR" in line]
        assert served_certificate(tls_port) == der
        assert verified_handshake(tls_port, root) == refusal
        assert answers(server, tls_port, tls=True, path="/status.xsl") == 200
        assert server.running


@pytest.mark.parametrize("release", ["2.4", "2.5", "kh"])
def test_renewed_certificate_is_served_after_sighup_but_not_by_2_4(
    release: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    """ICE407's advice: 2.4.4 keeps the certificate it read at start; 2.5.0 and KH reload it on SIGHUP."""
    box = box_of(release, request)
    port, tls_port = oracle.free_ports(2)
    pem = oracle.make_tls_pem(box, "renewed.pem")
    old = tmp_path / "old.pem"
    old.write_bytes(pem.read_bytes())
    data = config(box, [port], tls_ports=(tls_port,), tls_certificate=pem)
    (finding,) = findings(data, release, "ICE407", files=True)  # the test certificate is valid for two days
    reloads = release != "2.4"
    assert ("SIGHUP" in finding.message) is reloads, finding.message
    with oracle.IcecastServer(data, box, wait_port=port, name=f"renew-{release}") as server:
        assert verified_handshake(tls_port, old) == "ok"
        new = tmp_path / "new.pem"
        new.write_bytes(oracle.make_tls_pem(box, "renewed.pem").read_bytes())  # renewed in place
        assert verified_handshake(tls_port, old) == "ok"  # not without a signal
        server.reload()
        if reloads:
            assert oracle.wait_until(lambda: verified_handshake(tls_port, new) == "ok"), release
            assert verified_handshake(tls_port, old) == "self-signed certificate"
        else:
            reread = "Caught config reload request, re-reading config"
            assert reread in server.wait_log(reread)
            # the re-read logs nothing when it ends: for a while after it starts, the renewed one is never served
            assert not oracle.wait_until(lambda: verified_handshake(tls_port, new) == "ok", timeout=2.0)
            assert verified_handshake(tls_port, old) == "ok"
        assert server.running


def served_quietly_and_handshake(
    box: oracle.Sandbox, data: bytes, port: int, tls_port: int, *, trust: Path, host: str | None = None
) -> str:
    """Start ``data``, check it logged no certificate error, and return how a client trusting ``trust`` ends its handshake.

    ``host`` is the name the client checks the certificate for (None: no name check).
    """
    with oracle.IcecastServer(data, box, wait_port=port, name=f"handshake-{box.release}") as server:
        assert not [line for line in log_lines(server) if "cert" in line.lower() and "EROR" in line]
        return verified_handshake(tls_port, trust, host=host)


@pytest.mark.parametrize("release", ["2.5", "kh"])
def test_certificate_for_another_name_is_served_and_refused_by_clients(
    release: str, request: pytest.FixtureRequest
) -> None:
    """ICE410: a certificate that does not name <hostname> loads without a word; a client checking the name refuses."""
    box = box_of(release, request)
    port, tls_port = oracle.free_ports(2)
    for name in ("www.example.org", oracle.HOSTNAME):
        pem = oracle.make_tls_pem(box, f"{name}.pem", common_name=name)
        data = config(box, [port], tls_ports=(tls_port,), tls_certificate=pem)
        messages = [f.message for f in findings(data, release, "ICE410", files=True)]
        assert bool(messages) == (name != oracle.HOSTNAME)
        said = served_quietly_and_handshake(box, data, port, tls_port, trust=pem, host=oracle.HOSTNAME)
        if messages:
            assert f"is for www.example.org, not for <hostname> {oracle.HOSTNAME}" in messages[0]
            assert said == f"Hostname mismatch, certificate is not valid for '{oracle.HOSTNAME}'."
        else:
            assert said == "ok"


@pytest.mark.parametrize("release", ["2.5", "kh"])
def test_certificate_without_its_intermediate_is_refused_by_clients(
    release: str, request: pytest.FixtureRequest
) -> None:
    """ICE411: the server sends only the file's certificates; without the intermediate, clients refuse."""
    box = box_of(release, request)
    port, tls_port = oracle.free_ports(2)
    for pem, trusted, expected, message in chain_cases(box):
        data = config(box, [port], tls_ports=(tls_port,), tls_certificate=pem)
        found = [f.message for f in findings(data, release, "ICE411", files=True)]
        assert (found == []) if message is None else (len(found) == 1 and message in found[0]), (pem.name, found)
        said = served_quietly_and_handshake(box, data, port, tls_port, trust=trusted)
        assert said == expected, pem.name


# --------------------------------------------------------------------------- passwords and logins


def test_kh_without_source_password_accepts_its_built_in_one(boxkh: oracle.Sandbox, ogg: Path) -> None:
    port = oracle.free_port()
    good = config(boxkh, [port])
    written = f"<authentication>\n    <source-password>{SOURCE_PASSWORD}</source-password>"
    assert written.encode() in good
    for shape, replacement in (("empty", "<authentication><source-password/>"), ("absent", "<authentication>")):
        bad = good.replace(written.encode(), replacement.encode())
        [finding] = findings(bad, "kh", "ICE501")
        assert "built-in default password" in finding.message, shape
        with (
            oracle.IcecastServer(bad, boxkh, wait_port=port, name=f"kh-pw-{shape}") as server,
            server.source(port, "/live.ogg", ogg, password=KH_BUILT_IN_PASSWORD) as source,
        ):
            assert source.accepted, shape
    # KH also reads the password as an attribute of <authentication>: a password like the element
    as_attribute = good.replace(written.encode(), f'<authentication source-password="{SOURCE_PASSWORD}">'.encode())
    for shape, data in (("set", good), ("set-attribute", as_attribute)):
        assert not findings(data, "kh", "ICE501", "ICE502"), shape
        with oracle.IcecastServer(data, boxkh, wait_port=port, name=f"kh-pw-{shape}") as server:
            with server.source(port, "/live.ogg", ogg, password=KH_BUILT_IN_PASSWORD) as source:
                assert not source.accepted, shape
            with server.source(port, "/live.ogg", ogg, password=SOURCE_PASSWORD) as source:
                assert source.accepted, shape


def test_kh_empty_password_attribute_lets_in_whoever_sends_none(boxkh: oracle.Sandbox, ogg: Path) -> None:
    """``<authentication source-password="" admin-password="">``: KH checks the empty password, not its default."""
    port = oracle.free_port()
    good = config(boxkh, [port])
    written = (
        f"<authentication>\n    <source-password>{SOURCE_PASSWORD}</source-password>\n"
        f"    <admin-user>admin</admin-user>\n    <admin-password>{ADMIN_PASSWORD}</admin-password>"
    )
    assert written.encode() in good
    bad = good.replace(written.encode(), b'<authentication source-password="" admin-user="admin" admin-password="">')
    messages = sorted(f.message for f in findings(bad, "kh", "ICE501", "ICE502"))
    assert [m.split(" on ")[0] for m in messages] == ['admin-password=""', 'source-password=""']
    assert "/admin" in messages[0] and "any source" in messages[1]
    with oracle.IcecastServer(bad, boxkh, wait_port=port, name="kh-pw-empty-attribute") as server:
        with server.source(port, "/live.ogg", ogg, password="") as source:
            assert source.accepted
        with server.source(port, "/other.ogg", ogg, password=KH_BUILT_IN_PASSWORD) as source:
            assert not source.accepted
        assert server.http_get(port, "/admin/stats", auth=("admin", "")).status == 200
    as_attribute = good.replace(
        written.encode(),
        f'<authentication source-password="hackme" admin-user="admin" admin-password="{ADMIN_PASSWORD}">'.encode(),
    )
    [finding] = findings(as_attribute, "kh", "ICE501", "ICE502")
    assert finding.message.startswith("source-password of <authentication> is Icecast's sample-config default")
    with (
        oracle.IcecastServer(as_attribute, boxkh, wait_port=port, name="kh-pw-hackme-attribute") as server,
        server.source(port, "/live.ogg", ogg, password="hackme") as source,
    ):
        assert source.accepted
        assert server.http_get(port, "/admin/stats", auth=("admin", "")).status == 401


def test_2_5_empty_source_password_and_admin_without_user(box25: oracle.Sandbox, ogg: Path) -> None:
    port = oracle.free_port()
    good = config(box25, [port])
    bad = good.replace(f"<source-password>{SOURCE_PASSWORD}</source-password>".encode(), b"<source-password/>")
    bad = bad.replace(b"<admin-user>admin</admin-user>", b"")
    assert [f.code for f in findings(bad, "2.5", "ICE502", "ICE510")] == ["ICE502", "ICE510"]
    with oracle.IcecastServer(bad, box25, wait_port=port, name="pw25-empty") as server:
        for password in (SOURCE_PASSWORD, "", "hackme", "changeme"):
            with server.source(port, "/live.ogg", ogg, password=password) as source:
                assert not source.accepted, password
        assert answers(server, port, path="/admin/stats") == 401
        assert server.http_get(port, "/admin/stats", auth=("admin", ADMIN_PASSWORD)).status == 401
    assert not findings(good, "2.5", "ICE502", "ICE510")
    with oracle.IcecastServer(good, box25, wait_port=port, name="pw25-set") as server:
        with server.source(port, "/live.ogg", ogg, password=SOURCE_PASSWORD) as source:
            assert source.accepted
        assert server.http_get(port, "/admin/stats", auth=("admin", ADMIN_PASSWORD)).status == 200


def test_kh_admin_password_without_user_locks_admin(boxkh: oracle.Sandbox) -> None:
    port = oracle.free_port()
    good = config(boxkh, [port])
    bad = good.replace(b"<admin-user>admin</admin-user>", b"")
    [finding] = findings(bad, "kh", "ICE510")
    assert "nobody can log in" in finding.message
    with oracle.IcecastServer(bad, boxkh, wait_port=port, name="kh-admin-nouser") as server:
        assert server.http_get(port, "/admin/stats", auth=("admin", ADMIN_PASSWORD)).status == 401
    assert not findings(good, "kh", "ICE510")
    with oracle.IcecastServer(good, boxkh, wait_port=port, name="kh-admin-user") as server:
        assert server.http_get(port, "/admin/stats", auth=("admin", ADMIN_PASSWORD)).status == 200


# --------------------------------------------------------------------------- mount authentication


def htpasswd_line(user: str, password: str) -> bytes:
    """An htpasswd entry both releases read: the user and the hex MD5 of the password."""
    return f"{user}:{hashlib.md5(password.encode()).hexdigest()}\n".encode()


def auth_mount(name: str, auth_type: str, option: str, value: str) -> str:
    return (
        f"<mount><mount-name>{name}</mount-name>"
        f'<authentication type="{auth_type}"><option name="{option}" value="{value}"/></authentication></mount>'
    )


def test_2_5_misspelt_auth_type_and_missing_filename(box25: oracle.Sandbox, ogg: Path) -> None:
    port = oracle.free_port()
    users = box25.write("listeners.htpasswd", htpasswd_line("fan", LISTENER_PASSWORD))
    mounts = (
        auth_mount("/typo.ogg", "htpassword", "filename", str(users))
        + auth_mount("/nofile.ogg", "htpasswd", "file", str(users))
        + auth_mount("/good.ogg", "htpasswd", "filename", str(users))
    )
    data = config(box25, [port], extra=mounts)
    [typo] = findings(data, "2.5", "ICE504")
    assert "refuses every listener of mount /typo.ogg and every source" in typo.message
    [nofile] = findings(data, "2.5", "ICE505")
    assert "every listener is refused" in nofile.message
    login = ("fan", LISTENER_PASSWORD)
    with (
        oracle.IcecastServer(data, box25, wait_port=port, name="auth25") as server,
        server.source(port, "/typo.ogg", ogg, password=SOURCE_PASSWORD) as typo_source,
        server.source(port, "/nofile.ogg", ogg, password=SOURCE_PASSWORD) as nofile_source,
        server.source(port, "/good.ogg", ogg, password=SOURCE_PASSWORD) as good_source,
    ):
        assert not typo_source.accepted  # the global source login is off for that mount too
        assert nofile_source.accepted and good_source.accepted
        server.wait_mount(port, "/nofile.ogg")
        server.wait_mount(port, "/good.ogg")
        assert server.http_get(port, "/nofile.ogg", auth=login, max_body=1).status == 401
        assert server.http_get(port, "/good.ogg", auth=login, max_body=1).status == 200  # the fixed block
        assert server.http_get(port, "/good.ogg", max_body=1).status == 401
        log = "\n".join(log_lines(server))
        assert "Unknown authentication type in legacy mode" in log
        assert "No filename given in options for authenticator" in log


def test_kh_misspelt_auth_type_leaves_the_mount_public(boxkh: oracle.Sandbox, ogg: Path) -> None:
    port = oracle.free_port()
    users = boxkh.write("listeners.htpasswd", htpasswd_line("fan", LISTENER_PASSWORD))
    data = config(boxkh, [port], extra=auth_mount("/typo.ogg", "htpassword", "filename", str(users)))
    [finding] = findings(data, "kh", "ICE504")
    assert "PUBLIC" in finding.message
    with (
        oracle.IcecastServer(data, boxkh, wait_port=port, name="authkh-typo") as server,
        server.source(port, "/typo.ogg", ogg, password=SOURCE_PASSWORD) as source,
    ):
        assert source.accepted
        server.wait_mount(port, "/typo.ogg")
        assert server.http_get(port, "/typo.ogg", max_body=4).body == b"OggS"  # no login asked
        assert 'Unrecognised authenticator type: "htpassword"' in server.stderr()
    good = data.replace(b'type="htpassword"', b'type="htpasswd"')
    assert not findings(good, "kh", "ICE504", "ICE505")
    with (
        oracle.IcecastServer(good, boxkh, wait_port=port, name="authkh-good") as server,
        server.source(port, "/typo.ogg", ogg, password=SOURCE_PASSWORD) as source,
    ):
        assert source.accepted
        assert server.http_get(port, "/typo.ogg", max_body=1).status == 401


def test_kh_htpasswd_without_filename_crashes_at_start(boxkh: oracle.Sandbox) -> None:
    port = oracle.free_port()
    users = boxkh.write("listeners.htpasswd", htpasswd_line("fan", LISTENER_PASSWORD))
    bad = config(boxkh, [port], extra=auth_mount("/nofile.ogg", "htpasswd", "file", str(users)))
    [finding] = findings(bad, "kh", "ICE505")
    assert "crashes at start-up" in finding.message
    result = oracle.start_expecting_exit(bad, boxkh, name="authkh-nofile", expect_crash=True)
    assert result.signal == 11, result.describe()
    assert "No filename given in options for authenticator" in result.stderr, result.describe()


# --------------------------------------------------------------------------- chroot


@pytest.mark.parametrize("release", ["2.5", "kh"])
def test_chroot_without_changeowner_is_skipped(release: str, request: pytest.FixtureRequest) -> None:
    box = box_of(release, request)
    port = oracle.free_port()
    bad = config(
        box, [port], extra="<security><chroot>1</chroot></security>", extra_paths=f"<basedir>{box.root}</basedir>"
    )
    [finding] = findings(bad, release, "ICE507")
    with oracle.IcecastServer(bad, box, wait_port=port, name=f"chroot-{release}") as server:
        output = server.stdout() + server.stderr()
        assert "Cannot change server root unless running as root" in output
        assert server.http_get(port, "/").status == 404  # runs on, without the chroot
    owner = "<changeowner><user>nobody</user><group>nogroup</group></changeowner>"
    assert not findings(bad.replace(b"<chroot>1</chroot>", f"<chroot>1</chroot>{owner}".encode()), release, "ICE507")
    assert finding.line > 0


#: <changeowner> -> what each release started as root (of a user namespace) does with it: whether it
#: tries to set the group, the user, and whether it crashes (without a crash it refuses to run as root)
HALF_OWNERS = {
    "": {"2.4": (False, False, False), "2.5": (False, False, False), "kh": (False, False, False)},
    "<user>nobody</user>": {"2.4": (False, False, False), "2.5": (False, False, False), "kh": (False, True, False)},
    "<group>nogroup</group>": {"2.4": (False, False, False), "2.5": (False, False, False), "kh": (False, False, True)},
    "<user>nobody</user><group>nogroup</group>": dict.fromkeys(("2.4", "2.5", "kh"), (True, True, False)),
}


@pytest.mark.parametrize("owner", sorted(HALF_OWNERS))
@pytest.mark.parametrize("release", ["2.4", "2.5", "kh"])
def test_changeowner_without_user_or_group_started_as_root(
    release: str, owner: str, request: pytest.FixtureRequest
) -> None:
    """ICE506: 2.4.4 and 2.5.0 switch only with both names; KH switches the user alone and crashes on a group alone.

    In a user namespace only root is mapped, so every switch that is tried
    fails (``Error changing ...``) and the server refuses to run as root:
    what shows is which switch each release tries.
    """
    box = box_of(release, request)
    port = oracle.free_port()
    data = config(box, [port], extra=f"<security><changeowner>{owner}</changeowner></security>")
    sets_group, sets_user, crashes = HALF_OWNERS[owner][release]
    guard = icecfg.explain(icecfg.loads(data), release).security
    assert (guard.switches_group, guard.switches_user) == (sets_group, sets_user), "explain's user switch"
    if sets_group:
        assert guard.started_as_root == ""
    elif crashes:
        assert guard.started_as_root == "crashes at start-up (SIGSEGV)"
    elif sets_user:
        assert guard.started_as_root == "switches the user alone and keeps root's group"
    else:
        assert guard.started_as_root.startswith("stays root and refuses to run")
    messages = [f.message for f in findings(data, release, "ICE506")]
    if sets_group:
        assert messages == []
    elif release == "kh" and owner:
        (message,) = messages
        assert ("switches the user alone" in message) is sets_user and ("crashes" in message) is crashes, message
    else:
        (message,) = messages
        assert "stays root (and then refuses to run" in message
    result = oracle.start_expecting_exit(data, box, name=f"owner-{release}", expect_crash=True, namespace_root=True)
    output = result.stdout + result.stderr
    assert ("Error changing groupid" in output) is sets_group, result.describe()
    assert ("Error changing userid" in output) is sets_user, result.describe()
    assert (result.returncode == -signal.SIGSEGV and "should not run" not in output) is crashes, result.describe()
    if not crashes:
        assert "ERROR: You should not run icecast2 as root" in output, result.describe()


@pytest.mark.parametrize("release", ["2.4", "2.5", "kh"])
def test_chroot_without_changeowner_started_as_root(release: str, request: pytest.FixtureRequest) -> None:
    """ICE507 started as root (of a user namespace): each release chroots, then refuses to run as root,
    except 2.5.0 as PID 1 (a container's entrypoint), which runs on as root in the chroot.

    2.5.0 opens its logs after the chroot: a host path that includes the basedir stops it,
    the path ICE508's fix writes runs."""
    box = box_of(release, request)
    port = oracle.free_port()
    chroot = "<security><chroot>1</chroot></security>"
    bad = config(box, [port], extra=chroot, extra_paths=f"<basedir>{box.root}</basedir>")
    (finding,) = findings(bad, release, "ICE507")
    assert ("except as PID 1" in finding.message) is (release == "2.5"), finding.message
    refused = oracle.start_expecting_exit(bad, box, name=f"root-{release}", expect_crash=True, namespace_root=True)
    output = refused.stdout + refused.stderr
    assert f'Changed root successfully to "{box.root}"' in output, refused.describe()
    if release == "2.5":  # 2.5.0 opens its logs in the chroot, where the host's log directory is not
        assert f"FATAL: could not open error logging ({box.logdir}/error.log)" in output, refused.describe()
    else:
        assert "ERROR: You should not run icecast2 as root" in output, refused.describe()
    if release == "2.5":  # ICE508: the paths are looked up inside the chroot; its fix runs
        twice = f"{box.root}{box.logdir}"
        assert [f for f in findings(bad, release, "ICE508") if twice in f.message]
        inside = fixed(bad, release, "ICE508")
        assert f"<logdir>/{box.logdir.relative_to(box.root)}</logdir>".encode() in inside
        assert not findings(inside, release, "ICE508")
        with oracle.IcecastServer(
            inside, box, wait_port=port, namespace_root=True, pid_1=True, name="root-pid-1"
        ) as server:
            assert f'Changed root successfully to "{box.root}"' in server.stdout()
            assert "should not run icecast2 as root" not in server.stdout() + server.stderr()
            assert server.http_get(port, "/").status == 404  # serving, from inside the chroot
        # ICE803: a log directory that exists on the host only, not inside the chroot, stops it too
        log = f"<logdir>/{box.logdir.relative_to(box.root)}</logdir>"
        host_only = inside.replace(log.encode(), f"<logdir>{box.root.parent}</logdir>".encode())
        assert host_only != inside
        (stops,) = findings(host_only, release, "ICE508", "ICE509", "ICE803", files=True)
        assert stops.code == "ICE803" and "(it exists only outside the chroot)" in stops.message, stops
        assert "exits at startup ('FATAL: could not open ... logging')" in stops.message, stops.message
        assert not findings(inside, release, "ICE508", "ICE509", "ICE803", files=True)
        stopped = oracle.start_expecting_exit(
            host_only, box, name="root-host-only", expect_crash=True, namespace_root=True
        )
        assert f"FATAL: could not open error logging ({box.root.parent}/error.log)" in stopped.stdout + stopped.stderr


def test_kh_opens_its_error_log_after_the_chroot(request: pytest.FixtureRequest, tmp_path: Path) -> None:
    """ICE508/ICE803 on Icecast-KH started as root (of a user namespace) with <chroot>.

    KH opens its error log after the chroot: ``/log`` is the sandbox's log directory
    then.  A directory that exists only on the host, or one written with the basedir
    prefix, is missing in the chroot: KH writes no file, sends its error log to stderr
    and does not stop for it (it exits only because it refuses to run as root).
    """
    box = box_of("kh", request)
    port = oracle.free_port()
    chroot = "<security><chroot>1</chroot></security>"
    inside = f"/{box.logdir.relative_to(box.root)}"
    data = config(box, [port], extra=chroot, extra_paths=f"<basedir>{box.root}</basedir>")
    written = f"<logdir>{box.logdir}</logdir>".encode()
    assert written in data
    for logdir, code in ((str(tmp_path), "ICE803"), (str(box.logdir), "ICE508"), (inside, None)):
        box.clear_logs()
        variant = data.replace(written, f"<logdir>{logdir}</logdir>".encode())
        about = [f for f in findings(variant, "kh", "ICE508", "ICE509", "ICE803", files=True) if logdir in f.message]
        assert [f.code for f in about] == ([code] if code else []), [f.message for f in about]
        if code == "ICE803":  # one finding for the one missing directory, the rule that knows KH's logs
            assert "it writes the error log to stderr and keeps no other log" in about[0].message, about[0]
            assert "exits" not in about[0].message, about[0].message
        result = oracle.start_expecting_exit(variant, box, name="kh-chroot-log", expect_crash=True, namespace_root=True)
        output = result.stdout + result.stderr
        assert f'Changed root successfully to "{box.root}"' in output, result.describe()
        assert "ERROR: You should not run icecast2 as root" in output and "FATAL" not in output, result.describe()
        log = box.logdir / "error.log"
        if code is None:  # opened as /log inside the chroot
            assert "server reading configuration" in log.read_text(), result.describe()
            assert "server reading configuration" not in result.stderr, result.describe()
        else:  # missing in the chroot: no file anywhere, the error log on stderr
            assert not (tmp_path / "error.log").exists() and not log.exists(), result.describe()
            assert "server reading configuration" in result.stderr, result.describe()


def test_report_database_is_read_before_the_chroot_on_25(request: pytest.FixtureRequest) -> None:
    """2.5.0 reads <reportxmldb> while it parses the configuration, before the chroot: a host path.

    A database that exists only inside the chroot fails to load ("Can not parse report xml
    database"); one that exists only on the host loads.  ICE508/ICE509 say nothing of it,
    ICE513 reports the one 2.5.0 cannot load.
    """
    box = box_of("2.5", request)
    port = oracle.free_port()
    chroot = "<security><chroot>1</chroot></security>"
    data = config(box, [port], extra=chroot, extra_paths=f"<basedir>{box.root}</basedir>")
    data = data.replace(f"<logdir>{box.logdir}</logdir>".encode(), f"<logdir>/{box.logdir.name}</logdir>".encode())
    installed = re.search(rb"<reportxmldb>([^<]+)</reportxmldb>", data)
    assert installed is not None
    database = Path(installed[1].decode()).read_bytes()
    host = Path(tempfile.mkdtemp(prefix="icecfg-report-db-"))  # readable by the server's user, outside the chroot
    try:
        host.chmod(0o755)
        (host / "db.xml").write_bytes(database)
        (box.root / "db.xml").write_bytes(database)
        for path, loads in ((str(host / "db.xml"), True), ("/db.xml", False)):
            variant = data.replace(installed[0], f"<reportxmldb>{path}</reportxmldb>".encode())
            assert not [f for f in findings(variant, "2.5", "ICE508", "ICE509", files=True) if path in f.message]
            # ICE513 looks the file up on the host, as 2.5.0 reads it
            assert bool(findings(variant, "2.5", "ICE513", files=True)) is not loads
            result = oracle.start_expecting_exit(variant, box, name="report-db", expect_crash=True, namespace_root=True)
            output = result.stdout + result.stderr
            assert f'Changed root successfully to "{box.root}"' in output, result.describe()
            failed = f'Can not parse report xml database "{path}"' in output
            assert failed is not loads, result.describe()
    finally:
        shutil.rmtree(host)
        (box.root / "db.xml").unlink(missing_ok=True)


#: Where each release writes <pidfile> when it chroots: on the host path as written (before the chroot)
#: or inside the chroot (after it, under <basedir>).
PIDFILE_AFTER_CHROOT = {"2.4": False, "2.5": False, "kh": True}


@pytest.mark.parametrize("release", ["2.4", "2.5", "kh"])
def test_where_each_release_writes_its_pidfile_with_a_chroot(release: str, request: pytest.FixtureRequest) -> None:
    """2.4.4 and 2.5.0 write <pidfile> before they chroot (a host path), Icecast-KH after (inside <basedir>).

    Started as root of a user namespace, each release chroots and then refuses to run as
    root.  The path is written with the basedir prefix: explain's ``outside`` is the file
    the release writes, ICE508 reports it for KH only, and on KH the path its fix writes
    is the file KH writes then, which ICE509 leaves alone (its directory exists).
    """
    box = box_of(release, request)
    port = oracle.free_port()
    host = box.mkdir("run")
    inside = box.mkdir(f"{box.root.relative_to('/')}/run")
    pidfile = host / "icecast.pid"
    chroot = "<security><chroot>1</chroot></security>"
    paths = f"<basedir>{box.root}</basedir><pidfile>{pidfile}</pidfile>"
    data = config(box, [port], extra=chroot, extra_paths=paths)
    data = data.replace(f"<logdir>{box.logdir}</logdir>".encode(), f"<logdir>/{box.logdir.name}</logdir>".encode())
    try:
        written = pidfile_written(data, box, [pidfile, inside / pidfile.name])
        after = PIDFILE_AFTER_CHROOT[release]
        assert written == (inside / pidfile.name if after else pidfile)
        assert icecfg.explain(icecfg.loads(data), release).paths.values["pidfile"].outside == str(written)
        assert bool([f for f in findings(data, release, "ICE508") if "<pidfile>" in f.message]) is after
        if release == "kh":
            fix = fixed(data, release, "ICE508")
            assert b"<pidfile>/run/icecast.pid</pidfile>" in fix
            assert not [f for f in findings(fix, release, "ICE508", "ICE509", files=True) if "<pidfile>" in f.message]
            assert pidfile_written(fix, box, [pidfile, inside / pidfile.name]) == pidfile
    finally:
        shutil.rmtree(host)
        shutil.rmtree(box.root / box.root.relative_to("/").parts[0])
