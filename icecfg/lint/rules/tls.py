"""TLS: listen sockets that should speak TLS, and the certificate and key they need.

Where each dialect finds its certificate:

* Icecast 2.4.4: `<paths><ssl-certificate>`, one PEM file holding the
  certificate chain *and* the private key (`connection.c` l.195-246).
* Icecast 2.5: `<security><tls-context><tls-certificate>` and an optional
  `<tls-key>` that defaults to the certificate file; the obsolete
  `<paths><tls-certificate>`/`<ssl-certificate>` still work
  (`cfgfile.c` l.381-399, `tls.c` l.67-).
* Icecast-KH: `<paths><ssl-certificate>` (or `<ssl_certificate>`) and an
  optional `<ssl-private-key>`; TLS is then auto-detected on every socket.

What the certificate and key files hold (readable, decodable, matching,
valid when) is a fact of the effective TLS context (``ctx.effective.tls``,
read through ``ctx.files`` and decoded once); these rules judge it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from icecfg.conversion import TlsMode
from icecfg.document import Element
from icecfg.effective.listeners import is_loopback
from icecfg.lint.context import LintContext
from icecfg.lint.finding import Finding
from icecfg.lint.rule import rule
from icecfg.spec import Dialect, Kind

if TYPE_CHECKING:
    import datetime

    from icecfg.effective.pem import PemFile
    from icecfg.effective.tls import TlsFile

V24_V25 = (Dialect.V24, Dialect.V25)

#: Days before expiry from which ICE407 warns.
EXPIRY_WARNING_DAYS = 14


def _downgrade(ctx: LintContext) -> str:
    """What the target does with its TLS sockets when the certificate cannot be used."""
    if ctx.target is Dialect.V24:
        return "every <ssl>1 port then silently serves plain HTTP"
    if ctx.target is Dialect.V25:
        return (
            "its <tls> sockets then complete no TLS handshake and answer plain HTTP with "
            "426 Upgrade Required (<tls>auto</tls> ones serve plain HTTP only)"
        )
    return "no port then completes a TLS handshake (plain HTTP goes on)"


def _kind(element: Element) -> str:
    return f"<{element.local_name}>"


def _in_use(ctx: LintContext) -> tuple[TlsFile, TlsFile] | None:
    """The certificate and key files, when some socket would serve TLS with them and they were looked at."""
    tls = ctx.effective.tls
    if not ctx.effective.tls_in_use or tls.certificate_file is None or tls.key_file is None:
        return None
    return tls.certificate_file, tls.key_file


# --------------------------------------------------------------------------- rules


@rule("ICE401", "tls-socket-without-certificate", "error", dialects=V24_V25)
def tls_socket_without_certificate(ctx: LintContext) -> Iterator[Finding]:
    """A TLS listen socket without a certificate serves plain HTTP (2.4.4) or nobody (2.5).

    ## Why
    Icecast 2.4.4 needs `<paths><ssl-certificate>` for `<ssl>1` sockets.
    Without it, it logs `No SSL capability on any configured ports` at INFO
    level, starts anyway, and the "TLS" port answers plain HTTP while TLS
    handshakes fail (verified on 2.4.4).  Icecast 2.5 does not upgrade a
    `<tls>` socket that has no TLS context either (the
    `listener->tls == RFC2818 && tls_ok` check, `connection.c` l.841), and
    on a socket whose mode is not `auto` it answers every plain request
    with **426 Upgrade Required** (`connection_handle.c` l.790): verified on
    2.5.0, `<tls>1</tls>` without a certificate serves neither HTTP nor
    HTTPS.  With `<tls>auto</tls>` the port serves plain HTTP only.

    ## On each release
    - 2.4.4: the `<ssl>1` port answers plain HTTP and every TLS handshake
      fails (verified, `tests/test_oracle_tls_security.py`).
    - 2.5.0: a `<tls>1`/`rfc2818` port (or `<ssl>1`, read as `<tls>`) answers
      every plain request with 426 Upgrade Required and completes no TLS
      handshake (verified, `tests/test_oracle_releases.py`; `<ssl>1` in
      `tests/test_oracle_tls_security_25_kh.py`); `<tls>auto` without a
      certificate serves plain HTTP only and completes no handshake (verified,
      `tests/test_oracle_tls_security_25_kh.py`).
    - Icecast-KH: not applicable; KH has no per-socket TLS flag (`<ssl>` in a
      `<listen-socket>` is an unknown element there, ICE301).

    ## Bad
    ```xml
    <listen-socket><port>8443</port><ssl>1</ssl></listen-socket>
    ```

    ## Good
    ```xml
    <listen-socket><port>8443</port><ssl>1</ssl></listen-socket>
    <paths><ssl-certificate>/etc/icecast2/bundle.pem</ssl-certificate></paths>
    ```

    ## Fix
    Set the certificate: `<paths><ssl-certificate>` (one PEM with chain and
    key) on 2.4, `<security><tls-context><tls-certificate>` on 2.5.
    """
    if ctx.effective.tls.configured:
        return
    where = "<paths><ssl-certificate>" if ctx.target is Dialect.V24 else "<security><tls-context><tls-certificate>"
    for listener in ctx.effective.listeners:
        if not listener.tls_requested or listener.element is None:
            continue
        tag = listener.element.find_last("tls") or listener.element.find_last("ssl") or listener.element
        if ctx.target is Dialect.V25 and listener.tls_mode not in (None, TlsMode.AUTO):
            # connection_handle.c: a plain request on a TLS-only socket gets 426, and without a
            # certificate no TLS handshake succeeds either
            harm = (
                "Icecast 2.5 answers every plain HTTP request there with 426 Upgrade Required and "
                "cannot complete a TLS handshake either, so the port serves nobody"
            )
        else:
            harm = f"{ctx.target.label} serves plain HTTP there"
        yield ctx.finding(
            tag,
            f"<listen-socket> {listener.label} asks for TLS but no certificate is configured: {harm}; set {where}",
        )


@rule("ICE402", "tls-file-unreadable", "error", needs_files=True)
def tls_file_unreadable(ctx: LintContext) -> Iterator[Finding]:
    """The TLS certificate or key file does not exist or cannot be read.

    ## Why
    Icecast loads the certificate once at startup.  When the file is
    missing or unreadable, 2.4.4 logs `Invalid cert file` and every `<ssl>1`
    port silently serves plain HTTP (verified); 2.5 answers plain requests
    on its `<tls>` ports with 426 and Icecast-KH offers TLS on no port.

    ## On each release
    - 2.4.4: logs `Invalid cert file`; `<ssl>1` ports serve plain HTTP
      (verified, `tests/test_oracle_tls_security.py`).
    - 2.5.0: logs `Invalid cert file` and `Can not setup TLS.`; `<tls>` ports
      answer 426 and complete no TLS handshake (verified, `tests/test_oracle_tls_security_25_kh.py`).
    - Icecast-KH: logs `Invalid cert file ... (system lib)` and `No SSL
      capability on any configured ports`; every port serves plain HTTP and
      none completes a TLS handshake (verified, `tests/test_oracle_tls_security_25_kh.py`).

    ## Bad
    ```xml
    <paths><ssl-certificate>/etc/icecast2/missing.pem</ssl-certificate></paths>
    ```

    ## Good
    ```xml
    <paths><ssl-certificate>/etc/icecast2/bundle.pem</ssl-certificate></paths>
    ```

    ## Fix
    Point the element at the PEM file (paths are checked under `--root`) and
    make it readable by the user Icecast runs as.
    """
    if _in_use(ctx) is None:
        return
    for file in ctx.effective.tls.files:
        if file.unreadable:
            yield ctx.finding(
                file.element,
                f"{_kind(file.element)} {file.path} {file.unreadable}: {ctx.target.label} cannot load it and "
                f"{_downgrade(ctx)}; point it at a readable PEM file",
                at_text=True,
            )


@rule("ICE403", "tls-certificate-not-pem", "error", needs_files=True)
def tls_certificate_not_pem(ctx: LintContext) -> Iterator[Finding]:
    """The certificate file holds no usable PEM certificate.

    ## Why
    Icecast reads the certificate chain with OpenSSL's PEM reader.  A DER
    file, a key-only file or a damaged certificate is rejected at startup
    (`Invalid cert file`), and TLS sockets fall back to plain HTTP (2.4.4),
    answer 426 (2.5) or no port gets TLS (KH).

    ## On each release
    - 2.4.4: a DER file gives `Invalid cert file`; `<ssl>1` ports serve plain
      HTTP (verified, `tests/test_oracle_tls_security.py`).
    - 2.5.0: the same log line; `<tls>` ports answer 426 and complete no TLS
      handshake (verified with a DER file, `tests/test_oracle_tls_security_25_kh.py`).
    - Icecast-KH: the same log line and `No SSL capability on any configured
      ports`; no port completes a TLS handshake (verified with a DER file).

    ## Bad
    ```xml
    <paths><ssl-certificate>/etc/icecast2/server.der</ssl-certificate></paths>
    ```

    ## Good
    ```xml
    <paths><ssl-certificate>/etc/icecast2/bundle.pem</ssl-certificate></paths>
    ```

    ## Fix
    Convert the certificate to PEM (`openssl x509 -inform der -in server.der`)
    and, for 2.4.4, append the private key to the same file.
    """
    found = _in_use(ctx)
    if found is None:
        return
    cert = found[0]
    pem = cert.pem
    if pem is None:
        return  # ICE402
    if pem.certificate_blocks == 0:
        held = f" (it holds: {', '.join(sorted(set(pem.labels)))})" if pem.labels else ""
        yield ctx.finding(
            cert.element,
            f"{_kind(cert.element)} {cert.path} contains no PEM certificate{held}: "
            f"{ctx.target.label} cannot load it and {_downgrade(ctx)}; use the PEM certificate chain",
            at_text=True,
        )
    elif not pem.certificate_decodes:
        yield ctx.finding(
            cert.element,
            f"{_kind(cert.element)} {cert.path}: the first certificate cannot be decoded "
            f"({pem.certificate_error}): {ctx.target.label} cannot load it and {_downgrade(ctx)}",
            at_text=True,
        )


@rule("ICE404", "tls-private-key-missing", "error", needs_files=True)
def tls_private_key_missing(ctx: LintContext) -> Iterator[Finding]:
    """The private key is not where Icecast reads it, or it needs a passphrase.

    ## Why
    Icecast 2.4.4 reads the private key from the certificate file itself:
    a PEM with only the certificate gives `Invalid private key file` and
    every `<ssl>1` port serves plain HTTP (verified).  2.5 reads `<tls-key>`,
    KH `<ssl-private-key>`, each defaulting to the certificate file.  An
    encrypted key cannot be unlocked by a daemon either.

    ## On each release
    - 2.4.4: a certificate-only PEM gives `Invalid private key file`;
      `<ssl>1` ports serve plain HTTP (verified, `tests/test_oracle_tls_security.py`).
    - 2.5.0: without `<tls-key>` the key is read from the certificate file: a
      certificate-only PEM gives `Invalid private key file`, and `<tls>` ports
      answer 426 with no TLS handshake (verified, `tests/test_oracle_tls_security_25_kh.py`).
    - Icecast-KH: without `<ssl-private-key>` the same: `Invalid private key
      file (PEM lib)`, no port completes a TLS handshake (verified).
    - A key under a passphrase fails the same load on all three (`Invalid
      private key file`): a daemon has no one to ask for the passphrase
      (verified, both test files).

    ## Bad
    ```xml
    <paths><ssl-certificate>/etc/ssl/certs/radio.crt</ssl-certificate></paths>
    ```

    ## Good
    ```xml
    <paths><ssl-certificate>/etc/icecast2/bundle.pem</ssl-certificate></paths>
    ```

    ## Fix
    On 2.4 concatenate the chain and the key: `cat radio.crt radio.key >
    bundle.pem`.  On 2.5 set `<tls-key>`, on KH `<ssl-private-key>`.  Remove
    a passphrase with `openssl pkey -in enc.key -out radio.key`.
    """
    found = _in_use(ctx)
    if found is None:
        return
    key = found[1]
    separate = ctx.effective.tls.separate_key
    element, path, pem = key.element, key.path, key.pem
    if pem is None:
        return  # ICE402
    if pem.key_encrypted:
        yield ctx.finding(
            element,
            f"the private key in {path} is encrypted with a passphrase: {ctx.target.label} cannot "
            f"unlock it and {_downgrade(ctx)}; store the key unencrypted (readable only by Icecast)",
            at_text=True,
        )
        return
    if pem.key_blocks:
        return
    if not separate and pem.certificate_blocks == 0:
        return  # not a PEM certificate file at all: ICE403
    if ctx.target is Dialect.V24:
        advice = "append the private key to this PEM file (2.4.4 reads both from it)"
    elif ctx.target is Dialect.V25:
        advice = "set <tls-key> in <security><tls-context> or append the key to the file"
    else:
        advice = "set <paths><ssl-private-key> or append the key to the file"
    yield ctx.finding(
        element,
        f"{_kind(element)} {path} holds no private key: {ctx.target.label} cannot use the "
        f"certificate and {_downgrade(ctx)}; {advice}",
        at_text=True,
    )


@rule("ICE405", "tls-key-mismatch", "error", needs_files=True)
def tls_key_mismatch(ctx: LintContext) -> Iterator[Finding]:
    """The private key does not belong to the certificate.

    ## Why
    Icecast checks the pair at startup: a key for another certificate
    (say, the old one after a renewal) is refused (`Invalid private key
    file` with OpenSSL 3, `Private key does not match cert public key` with
    older builds) and TLS is off, so 2.4.4 `<ssl>1` ports serve plain HTTP
    (verified).

    ## On each release
    - 2.4.4: `Invalid private key file` (OpenSSL 3); `<ssl>1` ports serve
      plain HTTP (verified, `tests/test_oracle_tls_security.py`).
    - 2.5.0: `Invalid private key file`; `<tls>` ports answer 426 with no TLS
      handshake (verified, `tests/test_oracle_tls_security_25_kh.py`).
    - Icecast-KH: `Invalid private key file`; no port completes a TLS
      handshake (verified).

    ## Bad
    ```xml
    <paths><ssl-certificate>/etc/icecast2/new-cert-old-key.pem</ssl-certificate></paths>
    ```

    ## Good
    ```xml
    <paths><ssl-certificate>/etc/icecast2/bundle.pem</ssl-certificate></paths>
    ```

    ## Fix
    Use the key the certificate was issued for; the first certificate in
    the file must be the server's own, followed by its chain.
    """
    found = _in_use(ctx)
    if found is None or ctx.effective.tls.key_matches is not False:
        return
    cert, key = found
    yield ctx.finding(
        key.element,
        f"the private key in {key.path} does not match the first certificate in "
        f"{cert.path}: {ctx.target.label} refuses the pair and {_downgrade(ctx)}; "
        "use the key the certificate was issued for",
        at_text=True,
    )


def _certificate(ctx: LintContext) -> tuple[TlsFile, PemFile] | None:
    """The certificate file, when TLS is in use and its first certificate decodes."""
    found = _in_use(ctx)
    if found is None or found[0].pem is None or found[0].pem.validity is None:
        return None
    return found[0], found[0].pem


def _now() -> datetime.datetime:
    import datetime  # only with a certificate to judge: a lint without TLS never loads it

    return datetime.datetime.now(datetime.timezone.utc)


def _days(count: int) -> datetime.timedelta:
    import datetime

    return datetime.timedelta(days=count)


@rule("ICE406", "tls-certificate-expired", "error", needs_files=True)
def tls_certificate_expired(ctx: LintContext) -> Iterator[Finding]:
    """The server certificate has expired or is not valid yet.

    ## Why
    Icecast loads an expired certificate, or one whose validity has not
    begun yet, without complaint and serves it: the server refuses no one,
    but every client that verifies the certificate (a browser, most
    players) stops the handshake, so those listeners are locked out.  Only
    a client that checks nothing is still served.

    ## On each release
    - All three releases start with an expired certificate, load it
      without a word (2.4.4 and KH log `SSL certificate found`, 2.5.0
      `Certificate found`) and serve it on their TLS port; a client that
      trusts the issuing CA stops the handshake with `certificate has
      expired`, and a client that does not verify gets its page with 200
      (verified with a certificate that expired the day before,
      `tests/test_oracle_tls_security_25_kh.py`; the self-signed case in
      `tests/test_oracle_tls_security.py` for 2.4.4).
    - The same with a certificate valid only from the next day: each
      release starts, logs only that it found the certificate, serves it;
      a client that trusts the issuing CA stops the handshake with
      `certificate is not yet valid`, and a client that does not verify
      gets its page with 200 (verified,
      `tests/test_oracle_tls_security_25_kh.py`).

    ## Bad
    ```xml
    <paths><ssl-certificate>/etc/icecast2/expired.pem</ssl-certificate></paths>
    ```

    ## Good
    ```xml
    <paths><ssl-certificate>/etc/icecast2/renewed.pem</ssl-certificate></paths>
    ```

    ## Fix
    Renew the certificate (and for 2.4.4 rebuild the PEM bundle with its
    key), then restart Icecast: 2.4.4 does not reload certificates on HUP.
    """
    found = _certificate(ctx)
    if found is None:
        return
    cert, pem = found
    element, path = cert.element, cert.path
    assert pem.validity is not None
    before, after = pem.validity
    now = _now()
    if after < now:
        yield ctx.finding(
            element,
            f"the certificate in {path} expired on {after:%Y-%m-%d}: {ctx.target.label} still serves it, and every "
            "client that verifies it (browsers, players) stops the TLS handshake; renew it",
            at_text=True,
        )
    elif before > now:
        yield ctx.finding(
            element,
            f"the certificate in {path} is not valid before {before:%Y-%m-%d %H:%M} UTC: {ctx.target.label} "
            "serves it already, and until then every client that verifies it (browsers, players) stops the TLS "
            "handshake; check the issuing machine's clock or use the current certificate",
            at_text=True,
        )


@rule("ICE407", "tls-certificate-expires-soon", "warning", needs_files=True)
def tls_certificate_expires_soon(ctx: LintContext) -> Iterator[Finding]:
    """The server certificate expires within two weeks.

    ## Why
    Icecast does not renew or reload certificates by itself (2.4.4 not even
    on HUP); once the date passes it goes on serving the expired
    certificate, and every client that verifies it (a browser, most
    players) stops the handshake.  Only a client that checks nothing is
    still served.  From then on ICE406 reports it.

    ## On each release
    - All three releases never reload the certificate by themselves.  Past
      its date they serve it as before: with a certificate that expired
      the day before, each one starts without a word, serves that
      certificate on its TLS port, a client that trusts the issuing CA
      stops the handshake with `certificate has expired` and a client that
      does not verify gets its page with 200 (verified,
      `tests/test_oracle_tls_security_25_kh.py`).
    - 2.4.4 serves the certificate it read at start, also after the file
      is replaced and the server gets a SIGHUP; 2.5.0 and Icecast-KH serve
      the new certificate after a SIGHUP (verified,
      `tests/test_oracle_tls_security_25_kh.py`).

    ## Bad
    ```xml
    <paths><ssl-certificate>/etc/icecast2/expires-in-3-days.pem</ssl-certificate></paths>
    ```

    ## Good
    ```xml
    <paths><ssl-certificate>/etc/icecast2/renewed.pem</ssl-certificate></paths>
    ```

    ## Fix
    Renew the certificate and rebuild the bundle; then restart Icecast
    2.4.4, or send 2.5 or KH a SIGHUP, which reloads it without a restart.
    """
    found = _certificate(ctx)
    if found is None:
        return
    cert, pem = found
    element, path = cert.element, cert.path
    assert pem.validity is not None
    _before, after = pem.validity
    now = _now()
    if now <= after < now + _days(EXPIRY_WARNING_DAYS):
        days = (after - now).days
        yield ctx.finding(
            element,
            f"the certificate in {path} expires on {after:%Y-%m-%d} (in {days} day(s)); {_renewal(ctx.target)}",
            at_text=True,
        )


def _renewal(target: Dialect) -> str:
    """How ``target`` takes a renewed certificate: 2.4.4 only at start, 2.5.0 and KH on SIGHUP (shown on each)."""
    if target is Dialect.V24:
        return "renew it and restart Icecast: 2.4.4 reads it only at start"
    return f"renew it and send {target.label} a SIGHUP, which reloads it"


@rule("ICE408", "tls-certificate-unused", "warning", dialects=V24_V25)
def tls_certificate_unused(ctx: LintContext) -> Iterator[Finding]:
    """A certificate is configured but no listen socket uses TLS.

    ## Why
    The certificate only matters for sockets with `<ssl>1` (2.4) or a
    `<tls>` mode (2.5).  With none, every port is plain HTTP although the
    configuration looks as if HTTPS were offered; often the `<ssl>` line was
    forgotten or written as `<ssl>true</ssl>`, which 2.4.4 reads as 0.

    ## On each release
    - 2.4.4: without an `<ssl>1` socket every port is plain HTTP and no TLS
      handshake succeeds (verified with `<ssl>true</ssl>`, read as 0,
      `tests/test_oracle_tls_security.py`).
    - 2.5.0: with `<tls-context>` set and no `<tls>` socket, every port is
      plain HTTP and no TLS handshake succeeds; `<tls>auto</tls>` then serves
      HTTPS and HTTP on the same port (verified, `tests/test_oracle_tls_security_25_kh.py`).
    - Icecast-KH: not applicable; KH offers TLS on every port once the
      certificate loads.

    ## Bad
    ```xml
    <listen-socket><port>8443</port></listen-socket>
    <paths><ssl-certificate>/etc/icecast2/bundle.pem</ssl-certificate></paths>
    ```

    ## Good
    ```xml
    <listen-socket><port>8443</port><ssl>1</ssl></listen-socket>
    <paths><ssl-certificate>/etc/icecast2/bundle.pem</ssl-certificate></paths>
    ```

    ## Fix
    Add `<ssl>1</ssl>` (2.4) or `<tls>rfc2818</tls>` (2.5) to the socket that
    should speak TLS, or remove the certificate setting.
    """
    certificate = ctx.effective.tls.certificate
    if certificate is None or certificate.origin.element is None or ctx.effective.tls_listeners:
        return
    element = certificate.origin.element
    how = "<ssl>1</ssl>" if ctx.target is Dialect.V24 else "<tls>rfc2818</tls> (or auto)"
    yield ctx.finding(
        element,
        f"{_kind(element)} is set but no <listen-socket> uses TLS: every port serves plain HTTP; "
        f"add {how} to the socket meant for HTTPS",
    )


#: Passwords that sources, admins and slaves send to this server: (section id, element).
_RECEIVED_PASSWORDS = frozenset(
    {
        ("icecast", "source-password"),
        ("authentication", "source-password"),
        ("authentication", "admin-password"),
        ("authentication", "relay-password"),
        ("mount", "password"),
    }
)


def _password_elements(ctx: LintContext) -> list[Element]:
    found = []
    for placed in ctx.of_kind(Kind.PASSWORD):
        row = placed.row
        if row is None or row.value is None or row.value.kind is not Kind.PASSWORD:
            continue
        if (placed.parent.id, row.name) in _RECEIVED_PASSWORDS and placed.element.text:
            found.append(placed.element)
    return found


@rule("ICE409", "passwords-over-plain-http", "info")
def passwords_over_plain_http(ctx: LintContext) -> Iterator[Finding]:
    """Passwords are configured but no socket offers TLS: they travel in clear text.

    ## Why
    Sources and administrators send their passwords with HTTP Basic
    authentication, which is only encoded, not encrypted.  Without a TLS
    socket anyone on the path between them and a publicly bound server can
    read the source or admin password.

    ## On each release
    - All three releases: a port without a loaded certificate completes no TLS
      handshake (verified with the ICE401/ICE402 configurations); that Basic
      credentials are readable on the wire is plain HTTP, not a server
      behaviour (not shown).

    ## Bad
    ```xml
    <authentication><source-password>...</source-password></authentication>
    <listen-socket><port>8000</port></listen-socket>
    ```

    ## Good
    ```xml
    <authentication><source-password>...</source-password></authentication>
    <listen-socket><port>8000</port></listen-socket>
    <listen-socket><port>8443</port><ssl>1</ssl></listen-socket>
    <paths><ssl-certificate>/etc/icecast2/bundle.pem</ssl-certificate></paths>
    ```

    ## Fix
    Add a TLS socket with a certificate and have sources and admins use it,
    or bind the server to 127.0.0.1 behind a TLS-terminating proxy.
    """
    if ctx.effective.tls_in_use:
        return
    if all(is_loopback(s.bind) for s in ctx.effective.listeners):
        return
    secrets = _password_elements(ctx)
    if not secrets:
        return
    names = sorted({f"<{e.local_name}>" for e in secrets})
    yield ctx.finding(
        secrets[0],
        f"{', '.join(names)} are sent by clients in clear text: no listen socket offers TLS and the "
        "server listens beyond 127.0.0.1; add a TLS socket for sources and admins",
    )


@rule("ICE410", "tls-certificate-name-mismatch", "warning", needs_files=True)
def tls_certificate_name_mismatch(ctx: LintContext) -> Iterator[Finding]:
    """The server certificate is not valid for `<hostname>`, the name listeners connect to.

    ## Why
    Icecast serves whatever certificate it is given: it never compares the
    certificate's names with `<hostname>`, the server's public name (the
    one its YP listings and, on 2.4.4 and KH, its playlists give
    listeners).  A player or browser that connects to
    `https://radio.example.org:8443/` checks that name against the
    certificate and refuses the handshake when it is not among them (a
    certificate copied from another site, made for `www.` only, or for an
    old host name).

    Judged only for a `<hostname>` that is a DNS name (not `localhost`, not
    an IP address: ICE904 is about those), against the certificate's DNS
    subject alternative names (its common name when it has none); a
    wildcard `*.example.org` covers one label, as clients check it.  The
    `domain` of the settings' `[bake]` table, the name `icecfg up` points at
    the droplet, is what listeners of an on-demand station connect to: when
    it is another name than `<hostname>`, the certificate must name it too.

    ## On each release
    - 2.4.4, 2.5.0 and Icecast-KH load a certificate for another name
      without a word and serve it; a client that checks the name against
      `<hostname>` refuses the handshake (`Hostname mismatch, certificate is
      not valid for ...`), and accepts the same server with a certificate
      for that name (verified, `tests/test_oracle_tls_security.py` and
      `tests/test_oracle_tls_security_25_kh.py`).

    ## Bad
    ```xml
    <hostname>radio.example.org</hostname>
    <paths><ssl-certificate>/etc/icecast2/www.example.org.pem</ssl-certificate></paths>
    ```

    ## Good
    ```xml
    <hostname>radio.example.org</hostname>
    <paths><ssl-certificate>/etc/icecast2/radio.example.org.pem</ssl-certificate></paths>
    ```

    ## Fix
    Get a certificate that names the host (`certbot certonly -d
    radio.example.org`, then bundle it with its key for 2.4.4), or correct
    `<hostname>` if it is the name that is wrong.
    """
    eff = ctx.effective
    if eff.certificate_names_hostname is not False and eff.certificate_names_domain is not False:
        return
    found = _certificate(ctx)
    if found is None:  # pragma: no cover - certificate_names_* judged its names, so it decodes
        return
    cert, pem = found
    names = ", ".join(pem.names[:4]) + (", ..." if len(pem.names) > 4 else "")
    # (the judgement, the name judged, how the message names it, what to do), for <hostname> and [bake] domain
    judged = (
        (
            eff.certificate_names_hostname,
            eff.dns_hostname,
            "<hostname> {}",
            "use a certificate for {}, or correct <hostname>",
        ),
        (
            eff.certificate_names_domain,
            eff.dns_domain,
            "{}, the DNS name `icecfg up` points at the server ([bake] domain)",
            "use a certificate that names {} too, or correct the domain",
        ),
    )
    for covers, host, named, advice in judged:
        if covers is False:
            yield ctx.finding(
                cert.element,
                f"the certificate in {cert.path} is for {names}, not for {named.format(host)}: "
                f"{ctx.target.label} serves it without a word, and players and browsers that connect to "
                f"https://{host} refuse the TLS handshake; {advice.format(host)}",
                at_text=True,
            )


@rule("ICE411", "tls-chain-incomplete", "warning", needs_files=True)
def tls_chain_incomplete(ctx: LintContext) -> Iterator[Finding]:
    """The certificate file holds the server certificate without the intermediate that issued it.

    ## Why
    Icecast sends clients exactly the certificates in the file.  A
    certificate from a public CA is issued by an intermediate, and clients
    trust only the roots above it: without the intermediate in the file they
    cannot build the chain and refuse the handshake (`unable to get local
    issuer certificate`).  Some browsers fetch or keep intermediates of their
    own, so the stream can work in a browser and still fail in players and
    tools built on OpenSSL (as `curl` is), which do not.  The usual cause is
    Let's Encrypt's `cert.pem` where `fullchain.pem` was meant.

    Reported when the first certificate is not its own issuer and no other
    certificate in the file signed it; a self-signed certificate is not
    (clients must trust it as it is).  A certificate with the issuer's name
    but another key (an intermediate of the same name from an older chain)
    does not count: clients check the signature and refuse with
    `certificate signature failure`.

    ## On each release
    - 2.4.4, 2.5.0 and Icecast-KH: with the server certificate and key only,
      a client that trusts the root CA refuses the handshake with `unable to
      get local issuer certificate`; with an intermediate of the issuer's
      name and another key it refuses it with `certificate signature
      failure`; with the intermediate after the server certificate it
      completes it (verified, `tests/test_oracle_tls_security.py` and
      `tests/test_oracle_tls_security_25_kh.py`).

    ## Bad
    ```xml
    <paths><ssl-certificate>/etc/icecast2/bundle.pem</ssl-certificate></paths>
    <!-- bundle.pem made with: cat cert.pem privkey.pem (no intermediate) -->
    ```

    ## Good
    ```xml
    <paths><ssl-certificate>/etc/icecast2/bundle.pem</ssl-certificate></paths>
    <!-- bundle.pem made with: cat fullchain.pem privkey.pem -->
    ```

    ## Fix
    Put the intermediate certificates after the server certificate in the
    file (Let's Encrypt: `fullchain.pem`); for 2.4.4 the key follows them.
    """
    found = _certificate(ctx)
    if found is None:
        return
    cert, pem = found
    issuer = pem.missing_issuer
    if issuer is None:
        return
    if pem.issuer_name_only:
        held = (
            f"the certificate named {issuer} in the file did not sign it (its key differs: an older or "
            "another intermediate of that name), so players and tools built on OpenSSL refuse the TLS handshake "
            "(certificate signature failure); put the intermediate "
            "that issued the certificate after it (Let's Encrypt: the fullchain.pem saved with this cert.pem)"
        )
    else:
        held = (
            "the file holds no certificate of that issuer: those that do not fetch the intermediate themselves "
            "(players and tools built on OpenSSL) refuse the TLS handshake; put the intermediate chain after "
            "the certificate (Let's Encrypt: fullchain.pem, not cert.pem)"
        )
    yield ctx.finding(
        cert.element,
        f"the certificate in {cert.path} is issued by {issuer}; {ctx.target.label} sends clients only the "
        f"certificates in the file, and {held}",
        at_text=True,
    )
