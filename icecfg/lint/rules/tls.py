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

The PEM files are read through ``ctx.files``; the certificate itself is
decoded with the ``cryptography`` package, imported only when a rule needs it.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from icecfg.conversion import TlsMode
from icecfg.document import Element
from icecfg.effective.listeners import Listener, is_loopback
from icecfg.lint.context import LintContext
from icecfg.lint.finding import Finding
from icecfg.lint.rule import rule
from icecfg.lint.rules.network import listeners
from icecfg.spec import Dialect, Kind

V24_V25 = (Dialect.V24, Dialect.V25)

#: Days before expiry from which ICE407 warns.
EXPIRY_WARNING_DAYS = 14

_PEM_BLOCK = re.compile(
    rb"-----BEGIN ([A-Z0-9 ]+)-----\r?\n(.*?)-----END \1-----",
    re.DOTALL,
)


@dataclass(frozen=True)
class TlsFiles:
    """The certificate and key files the target dialect loads."""

    #: The element naming the certificate (None when there is none).
    cert: Element | None
    #: The element naming a separate key (None: the key is read from the certificate file).
    key: Element | None

    @property
    def cert_path(self) -> str | None:
        return self.cert.text if self.cert is not None else None

    @property
    def key_path(self) -> str | None:
        if self.key is not None and self.key.text is not None:
            return self.key.text
        return self.cert_path

    @property
    def separate_key(self) -> bool:
        return self.key is not None and self.key.text is not None and self.key.text != self.cert_path


def tls_files(ctx: LintContext) -> TlsFiles:
    """Where ``ctx.target`` reads its certificate and key (the effective TLS context's elements)."""
    tls = ctx.effective.tls
    cert = tls.certificate.origin.element if tls.certificate is not None else None
    key = tls.key.origin.element if tls.key is not None and tls.key is not tls.certificate else None
    return TlsFiles(cert, key)


def certificate_configured(ctx: LintContext) -> bool:
    return tls_files(ctx).cert_path is not None


def tls_listeners(ctx: LintContext) -> list[Listener]:
    """Sockets that use TLS when a certificate loads (KH: every socket)."""
    found = listeners(ctx)
    if ctx.target is Dialect.KH:
        return found
    return [s for s in found if s.tls]


def tls_in_use(ctx: LintContext) -> bool:
    """Whether the target would serve TLS on some socket if the certificate loaded."""
    if ctx.target is Dialect.KH:
        return certificate_configured(ctx)
    return bool(tls_listeners(ctx))


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


# --------------------------------------------------------------------------- PEM reading


@dataclass
class Pem:
    """What a PEM file holds, as far as Icecast cares."""

    #: The decoded first certificate (a ``cryptography`` object), when it decodes.
    certificate: Any = None
    certificate_blocks: int = 0
    certificate_error: str = ""
    #: The private key (a ``cryptography`` object), when one decodes without a passphrase.
    key: Any = None
    key_blocks: int = 0
    key_encrypted: bool = False
    key_error: str = ""
    blocks: list[str] = field(default_factory=list)


def read_pem(data: bytes) -> Pem:
    """Find the certificate and the private key in ``data`` like OpenSSL's PEM readers."""
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    pem = Pem()
    for match in _PEM_BLOCK.finditer(data):
        label = match[1].decode("ascii")
        pem.blocks.append(label)
        raw = match[0]
        if label in ("CERTIFICATE", "TRUSTED CERTIFICATE", "X509 CERTIFICATE"):
            pem.certificate_blocks += 1
            if pem.certificate_blocks == 1:
                try:
                    pem.certificate = x509.load_pem_x509_certificate(
                        raw.replace(b"TRUSTED CERTIFICATE", b"CERTIFICATE")
                    )
                except ValueError as err:
                    pem.certificate_error = str(err).splitlines()[0] if str(err) else "undecodable"
        elif label.endswith("PRIVATE KEY"):
            pem.key_blocks += 1
            if pem.key_blocks > 1:
                continue
            if label == "ENCRYPTED PRIVATE KEY" or b"Proc-Type: 4,ENCRYPTED" in match[2]:
                pem.key_encrypted = True
                continue
            try:
                pem.key = serialization.load_pem_private_key(raw, password=None)
            except (ValueError, TypeError) as err:
                if isinstance(err, TypeError):
                    pem.key_encrypted = True
                else:
                    pem.key_error = "undecodable"
            except Exception:  # unsupported key types raise their own errors
                pem.key_error = "unsupported"
    return pem


def _load(ctx: LintContext, path: str) -> Pem | None:
    """The PEM contents of server path ``path``, or None when it cannot be read."""
    assert ctx.files is not None
    if not ctx.files.is_file(path) or not ctx.files.readable(path):
        return None
    try:
        data = ctx.files.read_bytes(path, limit=1024 * 1024)
    except OSError:
        return None
    return read_pem(data)


def _public_key_bytes(holder: Any) -> bytes:
    """The DER SubjectPublicKeyInfo of a certificate's or a private key's public key."""
    from cryptography.hazmat.primitives import serialization

    data = holder.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    assert isinstance(data, bytes)
    return data


def _kind(element: Element) -> str:
    return f"<{element.local_name}>"


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
      certificate serves plain HTTP only (from `connection_handle.c`, not run).
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
    if certificate_configured(ctx):
        return
    where = "<paths><ssl-certificate>" if ctx.target is Dialect.V24 else "<security><tls-context><tls-certificate>"
    for listener in listeners(ctx):
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


def _unreadable(ctx: LintContext, path: str) -> str | None:
    assert ctx.files is not None
    if not ctx.files.exists(path):
        return "does not exist"
    if ctx.files.is_dir(path):
        return "is a directory"
    if not ctx.files.readable(path):
        return "cannot be read"
    return None


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
    if not tls_in_use(ctx):
        return
    files = tls_files(ctx)
    checked: set[str] = set()
    for element, path in ((files.cert, files.cert_path), (files.key, files.key_path)):
        if element is None or path is None or path in checked:
            continue
        checked.add(path)
        problem = _unreadable(ctx, path)
        if problem is not None:
            yield ctx.finding(
                element,
                f"{_kind(element)} {path} {problem}: {ctx.target.label} cannot load it and "
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
    if not tls_in_use(ctx):
        return
    files = tls_files(ctx)
    if files.cert is None or files.cert_path is None:
        return
    pem = _load(ctx, files.cert_path)
    if pem is None:
        return  # ICE402
    if pem.certificate_blocks == 0:
        found = f" (it holds: {', '.join(sorted(set(pem.blocks)))})" if pem.blocks else ""
        yield ctx.finding(
            files.cert,
            f"{_kind(files.cert)} {files.cert_path} contains no PEM certificate{found}: "
            f"{ctx.target.label} cannot load it and {_downgrade(ctx)}; use the PEM certificate chain",
            at_text=True,
        )
    elif pem.certificate is None:
        yield ctx.finding(
            files.cert,
            f"{_kind(files.cert)} {files.cert_path}: the first certificate cannot be decoded "
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
    - An encrypted key was not run on any release; it fails the same load.

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
    if not tls_in_use(ctx):
        return
    files = tls_files(ctx)
    path = files.key_path
    element = files.key if files.separate_key else files.cert
    if element is None or path is None:
        return
    pem = _load(ctx, path)
    if pem is None:
        return  # ICE402
    if pem.key_encrypted and pem.key is None:
        yield ctx.finding(
            element,
            f"the private key in {path} is encrypted with a passphrase: {ctx.target.label} cannot "
            f"unlock it and {_downgrade(ctx)}; store the key unencrypted (readable only by Icecast)",
            at_text=True,
        )
        return
    if pem.key_blocks:
        return
    if not files.separate_key and pem.certificate_blocks == 0:
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
    if not tls_in_use(ctx):
        return
    files = tls_files(ctx)
    if files.cert is None or files.cert_path is None or files.key_path is None:
        return
    cert_pem = _load(ctx, files.cert_path)
    key_pem = cert_pem if files.key_path == files.cert_path else _load(ctx, files.key_path)
    if cert_pem is None or key_pem is None or cert_pem.certificate is None or key_pem.key is None:
        return
    if _public_key_bytes(cert_pem.certificate) == _public_key_bytes(key_pem.key):
        return
    element = files.key if files.separate_key and files.key is not None else files.cert
    yield ctx.finding(
        element,
        f"the private key in {files.key_path} does not match the first certificate in "
        f"{files.cert_path}: {ctx.target.label} refuses the pair and {_downgrade(ctx)}; "
        "use the key the certificate was issued for",
        at_text=True,
    )


def _validity(certificate: Any) -> tuple[datetime.datetime, datetime.datetime]:
    before = getattr(certificate, "not_valid_before_utc", None)
    after = getattr(certificate, "not_valid_after_utc", None)
    if before is None or after is None:  # cryptography < 42
        before = certificate.not_valid_before.replace(tzinfo=datetime.timezone.utc)
        after = certificate.not_valid_after.replace(tzinfo=datetime.timezone.utc)
    assert isinstance(before, datetime.datetime) and isinstance(after, datetime.datetime)
    return before, after


def _certificate(ctx: LintContext) -> tuple[Element, str, Any] | None:
    if not tls_in_use(ctx):
        return None
    files = tls_files(ctx)
    if files.cert is None or files.cert_path is None:
        return None
    pem = _load(ctx, files.cert_path)
    if pem is None or pem.certificate is None:
        return None
    return files.cert, files.cert_path, pem.certificate


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)


@rule("ICE406", "tls-certificate-expired", "error", needs_files=True)
def tls_certificate_expired(ctx: LintContext) -> Iterator[Finding]:
    """The server certificate has expired or is not valid yet.

    ## Why
    Icecast loads an expired certificate without complaint, but every
    browser and player rejects the TLS handshake, so HTTPS listeners and TLS
    sources are locked out.

    ## On each release
    - 2.5.0 and Icecast-KH load an expired certificate without a word and
      serve it; a client that verifies it stops the handshake with
      `certificate has expired` (verified,
      `tests/test_oracle_tls_security_25_kh.py`).
    - 2.4.4: the same loader (not run).

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
    element, path, certificate = found
    before, after = _validity(certificate)
    now = _now()
    if after < now:
        yield ctx.finding(
            element,
            f"the certificate in {path} expired on {after:%Y-%m-%d}: clients refuse the TLS handshake; renew it",
            at_text=True,
        )
    elif before > now:
        yield ctx.finding(
            element,
            f"the certificate in {path} is not valid before {before:%Y-%m-%d %H:%M} UTC: clients refuse "
            "the TLS handshake until then; check the issuing machine's clock or use the current certificate",
            at_text=True,
        )


@rule("ICE407", "tls-certificate-expires-soon", "warning", needs_files=True)
def tls_certificate_expires_soon(ctx: LintContext) -> Iterator[Finding]:
    """The server certificate expires within two weeks.

    ## Why
    Icecast does not renew or reload certificates by itself (2.4.4 not even
    on HUP); once the date passes, every TLS client is refused.

    ## On each release
    - All three releases serve the certificate until it expires and never
      reload it by themselves; the harm starts at a future date, which a
      running server cannot show (not shown).

    ## Bad
    ```xml
    <paths><ssl-certificate>/etc/icecast2/expires-in-3-days.pem</ssl-certificate></paths>
    ```

    ## Good
    ```xml
    <paths><ssl-certificate>/etc/icecast2/renewed.pem</ssl-certificate></paths>
    ```

    ## Fix
    Renew the certificate, rebuild the bundle and restart Icecast.
    """
    found = _certificate(ctx)
    if found is None:
        return
    element, path, certificate = found
    _before, after = _validity(certificate)
    now = _now()
    if now <= after < now + datetime.timedelta(days=EXPIRY_WARNING_DAYS):
        days = (after - now).days
        yield ctx.finding(
            element,
            f"the certificate in {path} expires on {after:%Y-%m-%d} (in {days} day(s)); renew it and restart Icecast",
            at_text=True,
        )


@rule("ICE408", "tls-certificate-unused", "warning", dialects=V24_V25)
def tls_certificate_unused(ctx: LintContext) -> Iterator[Finding]:
    """A certificate is configured but no listen socket uses TLS.

    ## Why
    The certificate only matters for sockets with `<ssl>1` (2.4) or a
    `<tls>` mode (2.5).  With none, every port is plain HTTP although the
    configuration looks as if HTTPS were offered; often the `<ssl>` line was
    forgotten or written as `<ssl>true</ssl>`, which 2.4.4 reads as 0.

    ## On each release
    - 2.4.4: without an `<ssl>1` socket every port is plain HTTP (from
      `connection.c`; not run).
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
    files = tls_files(ctx)
    if files.cert is None or files.cert_path is None or tls_listeners(ctx):
        return
    how = "<ssl>1</ssl>" if ctx.target is Dialect.V24 else "<tls>rfc2818</tls> (or auto)"
    yield ctx.finding(
        files.cert,
        f"{_kind(files.cert)} is set but no <listen-socket> uses TLS: every port serves plain HTTP; "
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
    if tls_in_use(ctx):
        return
    if all(is_loopback(s.bind) for s in listeners(ctx)):
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
