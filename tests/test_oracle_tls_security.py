"""The TLS, security and network rules' claims, checked against the real icecast2 2.4.4.

Each test lints a configuration, shows on the running server the harm the
finding announces (an HTTP request, a log line), then applies the advice
(often the finding's own fix) and shows the harm gone.
"""

from __future__ import annotations

import hashlib
import http.client
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest

import icecfg
from icecfg.lint import Finding, lint
from tests import oracle
from tests.oracle_checks import (
    answers_soon,
    chain_cases,
    expired_pem,
    plain_ok,
    port_pair_and_one,
    tcp_refused,
    tls_ok,
    verified_handshake,
)

SOURCE_PASSWORD = secrets.token_hex(8)
ADMIN_PASSWORD = secrets.token_hex(8)
LISTENER_PASSWORD = secrets.token_hex(8)


@pytest.fixture
def box() -> Iterator[oracle.Sandbox]:
    with oracle.temporary_sandbox() as sandbox:
        yield sandbox


DEFAULT_AUTH = f"""
    <source-password>{SOURCE_PASSWORD}</source-password>
    <admin-user>admin</admin-user>
    <admin-password>{ADMIN_PASSWORD}</admin-password>
  """


def config(
    box: oracle.Sandbox,
    body: str,
    *,
    paths: str = "",
    hostname: str = "127.0.0.1",
    auth: str = DEFAULT_AUTH,
) -> bytes:
    """A 2.4 configuration with working logs and credentials around ``body``."""
    return f"""<icecast>
  <hostname>{hostname}</hostname>
  <location>oracle</location>
  <admin>oracle@example.invalid</admin>
  <authentication>{auth}</authentication>
{body}
  <paths>
    <logdir>{box.logdir}</logdir>
    <webroot>{box.webroot}</webroot>
    <adminroot>{box.adminroot}</adminroot>{paths}
  </paths>
  <logging><errorlog>error.log</errorlog><accesslog>access.log</accesslog><loglevel>3</loglevel></logging>
</icecast>
""".encode()


def socket_xml(port: int, extra: str = "") -> str:
    return f"  <listen-socket><port>{port}</port><bind-address>127.0.0.1</bind-address>{extra}</listen-socket>"


def codes(data: bytes, *wanted: str) -> list[Finding]:
    """The findings of ``wanted`` codes for ``data`` on 2.4, files read from the real filesystem."""
    return [f for f in lint(icecfg.loads(data), "2.4") if f.code in wanted]


def apply_fix(data: bytes, code: str) -> bytes:
    cfg = icecfg.loads(data)
    [finding] = [f for f in lint(cfg, "2.4", files=False) if f.code == code]
    assert finding.fix is not None, finding
    finding.fix()
    return icecfg.dumps(cfg)


def startup_log(server: oracle.IcecastServer) -> str:
    return server.stderr() + (server.error_log() or "")


# --------------------------------------------------------------------------- TLS


def test_ssl_socket_without_certificate_is_plain_http(box: oracle.Sandbox) -> None:
    plain, secure = oracle.free_ports(2)
    body = socket_xml(plain) + "\n" + socket_xml(secure, "<ssl>1</ssl>")
    bad = config(box, body)
    [finding] = codes(bad, "ICE401")
    assert "serves plain HTTP" in finding.message
    with oracle.IcecastServer(bad, box, wait_port=plain, name="tls-none") as server:
        assert plain_ok(server, secure)  # the "TLS" port speaks plain HTTP
        assert not tls_ok(server, secure, timeout=1.0)

    pem = oracle.make_tls_pem(box, "bundle.pem")
    good = config(box, body, paths=f"\n    <ssl-certificate>{pem}</ssl-certificate>")
    assert not codes(good, "ICE401", "ICE402", "ICE403", "ICE404", "ICE405", "ICE406")
    assert codes(good, "ICE407")  # the test certificate is valid for two days only
    with oracle.IcecastServer(good, box, wait_port=plain, name="tls-bundle") as server:
        assert tls_ok(server, secure)
        assert not plain_ok(server, secure, timeout=1.0)
        assert plain_ok(server, plain)
        assert "SSL certificate found" in (server.error_log() or "")


def test_certificate_without_key_is_plain_http(box: oracle.Sandbox) -> None:
    plain, secure = oracle.free_ports(2)
    bundle = oracle.make_tls_pem(box, "for-cert-only.pem").read_bytes()
    cert_only = bundle[: bundle.index(b"-----END CERTIFICATE-----") + len(b"-----END CERTIFICATE-----\n")]
    assert b"PRIVATE KEY" not in cert_only
    pem = box.write("cert-only.pem", cert_only, mode=0o600)
    body = socket_xml(plain) + "\n" + socket_xml(secure, "<ssl>1</ssl>")
    bad = config(box, body, paths=f"\n    <ssl-certificate>{pem}</ssl-certificate>")
    [finding] = codes(bad, "ICE404")
    assert "holds no private key" in finding.message
    assert not codes(bad, "ICE401", "ICE402", "ICE403")
    with oracle.IcecastServer(bad, box, wait_port=plain, name="tls-nokey") as server:
        assert plain_ok(server, secure)
        assert not tls_ok(server, secure, timeout=1.0)
        assert "Invalid private key file" in startup_log(server)

    fixed = box.write("cert-and-key.pem", bundle, mode=0o600)
    good = config(box, body, paths=f"\n    <ssl-certificate>{fixed}</ssl-certificate>")
    assert not codes(good, "ICE404")
    with oracle.IcecastServer(good, box, wait_port=plain, name="tls-withkey") as server:
        assert tls_ok(server, secure)


def test_certificate_for_another_name_is_served_and_refused_by_clients(box: oracle.Sandbox) -> None:
    """ICE410: 2.4.4 loads a certificate that does not name <hostname> and serves it; a client checking refuses."""
    plain, secure = oracle.free_ports(2)
    body = socket_xml(plain) + "\n" + socket_xml(secure, "<ssl>1</ssl>")
    for name in ("www.example.org", "radio.example.org"):
        pem = oracle.make_tls_pem(box, f"{name}.pem", common_name=name)
        data = config(box, body, paths=f"\n    <ssl-certificate>{pem}</ssl-certificate>", hostname="radio.example.org")
        messages = [f.message for f in codes(data, "ICE410")]
        assert bool(messages) == (name == "www.example.org")
        with oracle.IcecastServer(data, box, wait_port=plain, name="tls-name") as server:
            assert "SSL certificate found" in (server.error_log() or "")  # loaded without a word on its names
            said = verified_handshake(secure, pem, host="radio.example.org")
        if messages:
            assert "is for www.example.org, not for <hostname> radio.example.org" in messages[0]
            assert said == "Hostname mismatch, certificate is not valid for 'radio.example.org'."
        else:
            assert said == "ok"


def test_expired_certificate_is_served_and_refused_by_clients(box: oracle.Sandbox) -> None:
    """ICE406 on 2.4.4: an expired certificate loads without a word; a client that verifies it refuses."""
    plain, secure = oracle.free_ports(2)
    body = socket_xml(plain) + "\n" + socket_xml(secure, "<ssl>1</ssl>")
    for pem in (expired_pem(box), oracle.make_tls_pem(box, "current.pem")):
        data = config(box, body, paths=f"\n    <ssl-certificate>{pem}</ssl-certificate>")
        expired = pem.name == "expired.pem"
        assert bool(codes(data, "ICE406")) == expired
        with oracle.IcecastServer(data, box, wait_port=plain, name="tls-expiry") as server:
            assert "SSL certificate found" in (server.error_log() or "")
            assert verified_handshake(secure, pem) == ("certificate has expired" if expired else "ok")


def test_certificate_without_ssl_socket_serves_only_plain_http(box: oracle.Sandbox) -> None:
    """ICE408 on 2.4.4: a certificate and <ssl>true</ssl> (read as 0): no port completes a TLS handshake."""
    plain, secure = oracle.free_ports(2)
    pem = oracle.make_tls_pem(box, "unused.pem")
    paths = f"\n    <ssl-certificate>{pem}</ssl-certificate>"
    bad = config(box, socket_xml(plain) + "\n" + socket_xml(secure, "<ssl>true</ssl>"), paths=paths)
    [finding] = codes(bad, "ICE408")
    assert "no <listen-socket> uses TLS" in finding.message
    with oracle.IcecastServer(bad, box, wait_port=plain, name="tls-unused") as server:
        assert plain_ok(server, secure)
        assert not tls_ok(server, secure, timeout=1.0)
    good = bad.replace(b"<ssl>true</ssl>", b"<ssl>1</ssl>")
    assert not codes(good, "ICE408")
    with oracle.IcecastServer(good, box, wait_port=plain, name="tls-used") as server:
        assert tls_ok(server, secure)


def test_encrypted_key_is_plain_http(box: oracle.Sandbox) -> None:
    """ICE404 on 2.4.4: a key under a passphrase is not unlocked; the <ssl>1 port serves plain HTTP."""
    plain, secure = oracle.free_ports(2)
    bundle = oracle.make_tls_pem(box, "to-encrypt.pem").read_bytes()
    pem = box.write("encrypted.pem", oracle.encrypted_key_pem(bundle), mode=0o600)
    body = socket_xml(plain) + "\n" + socket_xml(secure, "<ssl>1</ssl>")
    bad = config(box, body, paths=f"\n    <ssl-certificate>{pem}</ssl-certificate>")
    [finding] = codes(bad, "ICE404")
    assert "is encrypted with a passphrase" in finding.message and "serves plain HTTP" in finding.message
    with oracle.IcecastServer(bad, box, wait_port=plain, name="tls-encrypted") as server:
        assert plain_ok(server, secure)
        assert not tls_ok(server, secure, timeout=1.0)
        assert "Invalid private key file" in startup_log(server)


def test_certificate_without_its_intermediate_is_refused_by_clients(box: oracle.Sandbox) -> None:
    """ICE411 on 2.4.4: the server sends only the file's certificates; without the intermediate, clients refuse."""
    plain, secure = oracle.free_ports(2)
    body = socket_xml(plain) + "\n" + socket_xml(secure, "<ssl>1</ssl>")
    for pem, trusted, expected, message in chain_cases(box):
        data = config(box, body, paths=f"\n    <ssl-certificate>{pem}</ssl-certificate>")
        found = [f.message for f in codes(data, "ICE411")]
        assert (found == []) if message is None else (len(found) == 1 and message in found[0]), (pem.name, found)
        with oracle.IcecastServer(data, box, wait_port=plain, name="tls-chain") as server:
            assert "SSL certificate found" in (server.error_log() or "")
            said = verified_handshake(secure, trusted)
        assert said == expected, pem.name


def _broken_tls_file(box: oracle.Sandbox, kind: str) -> Path:
    """A certificate file that is missing, DER-encoded, or whose key belongs to another certificate."""
    if kind == "missing":
        return box.root / "no-such-bundle.pem"
    first = oracle.make_tls_pem(box, f"{kind}-a.pem").read_bytes()
    end = first.index(b"-----END CERTIFICATE-----") + len(b"-----END CERTIFICATE-----\n")
    if kind == "der":
        from cryptography import x509
        from cryptography.hazmat.primitives.serialization import Encoding

        der = x509.load_pem_x509_certificate(first[:end]).public_bytes(Encoding.DER)
        return box.write("server.der", der, mode=0o600)
    second = oracle.make_tls_pem(box, f"{kind}-b.pem").read_bytes()
    other_key = second[second.index(b"-----BEGIN PRIVATE KEY-----") :]
    return box.write("mismatched.pem", first[:end] + other_key, mode=0o600)


@pytest.mark.parametrize(
    ("kind", "code", "logged"),
    [
        ("missing", "ICE402", "Invalid cert file"),
        ("der", "ICE403", "Invalid cert file"),
        ("mismatch", "ICE405", "Invalid private key file"),
    ],
)
def test_unusable_certificate_file_is_plain_http(box: oracle.Sandbox, kind: str, code: str, logged: str) -> None:
    (secure,) = oracle.free_ports(1)
    pem = _broken_tls_file(box, kind)
    bad = config(box, socket_xml(secure, "<ssl>1</ssl>"), paths=f"\n    <ssl-certificate>{pem}</ssl-certificate>")
    assert [f.code for f in codes(bad, "ICE401", "ICE402", "ICE403", "ICE404", "ICE405")] == [code]
    with oracle.IcecastServer(bad, box, wait_port=secure, name=f"tls-{kind}") as server:
        assert plain_ok(server, secure)
        assert not tls_ok(server, secure, timeout=1.0)
        assert logged in startup_log(server)


# --------------------------------------------------------------------------- mount authentication


def htpasswd_line(user: str, password: str) -> bytes:
    """An Icecast 2.4 htpasswd entry: the user and the hex MD5 of the password."""
    return f"{user}:{hashlib.md5(password.encode()).hexdigest()}\n".encode()


def test_misspelt_auth_type_leaves_the_mount_public(box: oracle.Sandbox, ogg: Path) -> None:
    (port,) = oracle.free_ports(1)
    users = box.write("listeners.htpasswd", htpasswd_line("fan", LISTENER_PASSWORD))
    mount = (
        "  <mount><mount-name>/auth.ogg</mount-name>\n"
        f'    <authentication type="htpassword"><option name="filename" value="{users}"/></authentication>\n'
        "  </mount>\n"
        "  <mount><mount-name>/nofile.ogg</mount-name>\n"
        '    <authentication type="htpasswd"><option name="file" value="FILE"/></authentication>\n'
        "  </mount>"
    )
    bad = config(box, socket_xml(port) + "\n" + mount)
    [finding] = codes(bad, "ICE504")
    assert "PUBLIC" in finding.message
    [finding] = codes(bad, "ICE505")
    assert "every listener is refused" in finding.message
    with (
        oracle.IcecastServer(bad, box, wait_port=port, name="auth-typo") as server,
        oracle.SourceClient(port, "/auth.ogg", ogg, password=SOURCE_PASSWORD) as source,
        oracle.SourceClient(port, "/nofile.ogg", ogg, password=SOURCE_PASSWORD) as other,
    ):
        assert source.accepted and other.accepted
        server.wait_mount(port, "/auth.ogg")
        anonymous = server.http_get(port, "/auth.ogg", max_body=4096)
        assert anonymous.status == 200  # no credentials, yet the stream plays
        assert anonymous.body.startswith(b"OggS")
        # without a filename the authenticator knows nobody: even a valid login is refused
        server.wait_mount(port, "/nofile.ogg")
        member = server.http_get(port, "/nofile.ogg", max_body=4096, auth=("fan", LISTENER_PASSWORD))
        assert member.status == 401
        log = startup_log(server)
        assert 'Unrecognised authenticator type: "htpassword"' in log
        assert "No filename given in options for authenticator" in log

    good = apply_fix(bad, "ICE504").replace(b'name="file" value="FILE"', f'name="filename" value="{users}"'.encode())
    assert b'type="htpassword"' not in good
    assert not codes(good, "ICE504", "ICE505")
    with (
        oracle.IcecastServer(good, box, wait_port=port, name="auth-fixed") as server,
        oracle.SourceClient(port, "/auth.ogg", ogg, password=SOURCE_PASSWORD) as source,
        oracle.SourceClient(port, "/nofile.ogg", ogg, password=SOURCE_PASSWORD) as other,
    ):
        assert source.accepted and other.accepted
        for mount_name in ("/auth.ogg", "/nofile.ogg"):
            server.wait_mount(port, mount_name)
            assert server.http_get(port, mount_name, max_body=4096).status == 401, mount_name
            login = ("fan", LISTENER_PASSWORD)
            member = server.http_get(port, mount_name, max_body=4096, auth=login)
            assert member.status == 200, mount_name
            assert member.body.startswith(b"OggS")


# --------------------------------------------------------------------------- sockets and URLs


def test_duplicate_listen_socket_is_dropped(box: oracle.Sandbox) -> None:
    first, other = oracle.free_ports(2)
    bad = config(box, "\n".join([socket_xml(first), socket_xml(first), socket_xml(other)]))
    [finding] = codes(bad, "ICE901")
    assert finding.fix is not None
    with oracle.IcecastServer(bad, box, wait_port=other, name="dup") as server:
        assert f"Could not create listener socket on port {first}" in startup_log(server)
        assert plain_ok(server, first)  # the later socket of the pair (2.4.4 binds it first)
        assert plain_ok(server, other)  # the rest of the server runs on

    good = apply_fix(bad, "ICE901")
    assert good.count(f"<port>{first}</port>".encode()) == 1
    box.clear_logs()
    with oracle.IcecastServer(good, box, wait_port=other, name="dup-fixed") as server:
        assert "Could not create listener socket" not in startup_log(server)
        assert plain_ok(server, first)


def playlist(server: oracle.IcecastServer, port: int, mount: str) -> str:
    # A Host header without a port makes Icecast build the URL from <hostname> and its port.
    resp = server.http_get(port, mount + ".m3u", headers={"Host": "stream.example.org"})
    assert resp.status == 200, resp
    return resp.body.decode()


def test_root_port_is_advertised_but_not_bound(box: oracle.Sandbox, ogg: Path) -> None:
    port, root_port = oracle.free_ports(2)
    body = f"  <port>{root_port}</port>\n{socket_xml(port)}"
    bad = config(box, body, hostname="stream.example.org")
    [finding] = codes(bad, "ICE902")
    assert str(root_port) in finding.message
    with (
        oracle.IcecastServer(bad, box, wait_port=port, name="rootport") as server,
        oracle.SourceClient(port, "/live.ogg", ogg, password=SOURCE_PASSWORD) as source,
    ):
        assert source.accepted
        server.wait_mount(port, "/live.ogg")
        assert f"http://stream.example.org:{root_port}/live.ogg" in playlist(server, port, "/live.ogg")
        assert tcp_refused(root_port)  # nothing listens where the playlist points

    good = apply_fix(bad, "ICE902")
    with (
        oracle.IcecastServer(good, box, wait_port=port, name="rootport-fixed") as server,
        oracle.SourceClient(port, "/live.ogg", ogg, password=SOURCE_PASSWORD) as source,
    ):
        assert source.accepted
        server.wait_mount(port, "/live.ogg")
        assert f"http://stream.example.org:{port}/live.ogg" in playlist(server, port, "/live.ogg")


def test_empty_source_password_and_admin_without_user(box: oracle.Sandbox, ogg: Path) -> None:
    (port,) = oracle.free_ports(1)
    bad = config(box, socket_xml(port), auth=f"<source-password/><admin-password>{ADMIN_PASSWORD}</admin-password>")
    assert [f.code for f in codes(bad, "ICE502", "ICE510")] == ["ICE502", "ICE510"]
    with oracle.IcecastServer(bad, box, wait_port=port, name="emptypw") as server:
        for password in (SOURCE_PASSWORD, "", "hackme", "changeme"):  # no built-in password, unlike KH's
            with oracle.SourceClient(port, "/live.ogg", ogg, password=password) as source:
                assert not source.accepted, password
        assert server.http_get(port, "/admin/stats", auth=("admin", ADMIN_PASSWORD)).status == 401

    good = config(box, socket_xml(port))
    assert not codes(good, "ICE502", "ICE510")
    with oracle.IcecastServer(good, box, wait_port=port, name="emptypw-fixed") as server:
        with oracle.SourceClient(port, "/live.ogg", ogg, password=SOURCE_PASSWORD) as source:
            assert source.accepted
        assert server.http_get(port, "/admin/stats", auth=("admin", ADMIN_PASSWORD)).status == 200


def test_chroot_without_changeowner_is_skipped(box: oracle.Sandbox) -> None:
    (port,) = oracle.free_ports(1)
    chroot = f"  <security><chroot>1</chroot></security>\n{socket_xml(port)}"
    bad = config(box, chroot, paths=f"\n    <basedir>{box.root}</basedir>")
    assert [f.code for f in codes(bad, "ICE507")] == ["ICE507"]
    with oracle.IcecastServer(bad, box, wait_port=port, name="chroot") as server:
        output = server.stdout() + startup_log(server)
        assert "Cannot change server root unless running as root" in output
        # the host paths still work: the server did not chroot into the basedir
        assert server.http_get(port, "/status-json.xsl").status == 200
        assert server.running
    owner = "<changeowner><user>nobody</user><group>nogroup</group></changeowner>"
    assert not codes(bad.replace(b"<chroot>1</chroot>", f"<chroot>1</chroot>{owner}".encode()), "ICE507")


def test_root_bind_address_is_ignored(box: oracle.Sandbox) -> None:
    (port,) = oracle.free_ports(1)
    body = (
        "  <bind-address>127.0.0.1</bind-address>\n"
        f"  <listen-socket><port>{port}</port><bind-address>127.0.0.2</bind-address></listen-socket>"
    )
    bad = config(box, body)
    assert [f.code for f in codes(bad, "ICE903")] == ["ICE903"]
    with oracle.IcecastServer(bad, box, name="rootbind") as server:
        assert answers_soon(server, "127.0.0.2", port)  # the socket's own address is used ...
        assert tcp_refused(port)  # ... and nothing listens on the root <bind-address>
    good = config(box, body.replace("  <bind-address>127.0.0.1</bind-address>\n", ""))
    assert not codes(good, "ICE903")


def test_localhost_hostname_is_advertised(box: oracle.Sandbox) -> None:
    (port,) = oracle.free_ports(1)
    mount = "  <mount><mount-name>/live.ogg</mount-name><public>1</public></mount>"
    bad = config(box, f"{socket_xml(port)}\n{mount}", hostname="localhost")
    assert [f.code for f in codes(bad, "ICE904")] == ["ICE904"]
    with oracle.IcecastServer(bad, box, wait_port=port, name="localhost") as server:
        assert f"http://localhost:{port}/live.ogg" in playlist(server, port, "/live.ogg")
    # with a public name the playlist points at it (shown in the root <port> test above)
    assert not codes(config(box, f"{socket_xml(port)}\n{mount}", hostname="stream.example.org"), "ICE904")


def test_shoutcast_first_socket_is_advertised(box: oracle.Sandbox) -> None:
    compat, normal = oracle.free_ports(2)
    compat_xml = socket_xml(compat, "<shoutcast-compat>1</shoutcast-compat>")
    bad = config(box, f"{compat_xml}\n{socket_xml(normal)}", hostname="stream.example.org")
    assert [f.code for f in codes(bad, "ICE905")] == ["ICE905"]
    with oracle.IcecastServer(bad, box, wait_port=normal, name="first-compat") as server:
        assert f"http://stream.example.org:{compat}/live.ogg" in playlist(server, normal, "/live.ogg")
        assert not plain_ok(server, compat, timeout=1.0)  # listeners cannot use that port
    good = config(box, f"{socket_xml(normal)}\n{compat_xml}", hostname="stream.example.org")
    assert not codes(good, "ICE905")
    with oracle.IcecastServer(good, box, wait_port=normal, name="first-normal") as server:
        assert f"http://stream.example.org:{normal}/live.ogg" in playlist(server, normal, "/live.ogg")


def test_shoutcast_mount_takes_the_next_port(box: oracle.Sandbox) -> None:
    base, elsewhere = port_pair_and_one()
    mount_xml = socket_xml(base, "<shoutcast-mount>/live.mp3</shoutcast-mount>")
    bad = config(box, f"{mount_xml}\n{socket_xml(base + 1)}")
    assert [f.code for f in codes(bad, "ICE906")] == ["ICE906"]
    with oracle.IcecastServer(bad, box, wait_port=base, name="sc-collide") as server:
        assert f"Could not create listener socket on port {base + 1}" in startup_log(server)
    good = config(box, f"{mount_xml}\n{socket_xml(elsewhere)}")
    assert not codes(good, "ICE906")
    box.clear_logs()
    with oracle.IcecastServer(good, box, wait_port=elsewhere, name="sc-free") as server:
        assert "Could not create listener socket" not in startup_log(server)


def test_sources_take_client_slots(box: oracle.Sandbox, ogg: Path) -> None:
    (port,) = oracle.free_ports(1)
    for clients, expected in ((2, 403), (3, 200)):
        data = config(box, f"{socket_xml(port)}\n  <limits><clients>{clients}</clients><sources>1</sources></limits>")
        assert bool(codes(data, "ICE907")) == (clients == 2)
        with (
            oracle.IcecastServer(data, box, wait_port=port, name=f"clients{clients}") as server,
            oracle.SourceClient(port, "/live.ogg", ogg, password=SOURCE_PASSWORD) as source,
        ):
            assert source.accepted
            listener = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            try:
                listener.request("GET", "/live.ogg")
                assert listener.getresponse().status == 200  # held open: the second client slot
                assert server.http_get(port, "/status-json.xsl").status == expected
            finally:
                listener.close()


def test_relay_without_port_connects_to_port_zero(box: oracle.Sandbox) -> None:
    (port,) = oracle.free_ports(1)
    relay = "<relay><server>127.0.0.1</server><mount>/up.ogg</mount><local-mount>/relayed.ogg</local-mount></relay>"
    bad = config(box, f"{socket_xml(port)}\n  {relay}")
    assert [f.code for f in codes(bad, "ICE909")] == ["ICE909"]
    good = bad.replace(b"<mount>/up.ogg", f"<port>{port}</port><mount>/up.ogg".encode())
    assert not codes(good, "ICE909")
    cases = (
        (bad, "relay0", "Failed to connect to 127.0.0.1:0"),
        # the connection works; the upstream (this server) simply has no /up.ogg
        (good, "relay-fixed", "Error from relay request"),
    )
    for data, name, marker in cases:
        box.clear_logs()
        with oracle.IcecastServer(data, box, wait_port=port, name=name) as server:
            log = server.wait_log(marker)
            assert marker in log, log[-2000:]
            assert ("connecting to 127.0.0.1:0" in log) == (name == "relay0")
