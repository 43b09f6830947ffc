"""What a PEM file holds, read the way Icecast's OpenSSL calls read it.

Icecast loads its certificate chain and private key with OpenSSL's PEM
readers: the first ``CERTIFICATE`` block is the server's own certificate,
the first ``PRIVATE KEY`` block its key, and a key under a passphrase cannot
be unlocked by a daemon.  A file is split into its blocks once (cheap, no
cryptography); the certificate and the key are decoded with the
``cryptography`` package only when a fact that needs them is asked for, and
then kept, so each file is decoded at most once per run (the
:class:`~icecfg.files.FileView` keeps the parsed file).
"""

from __future__ import annotations

import datetime
import re
from typing import TYPE_CHECKING

from icecfg.effective.cached import computed_once

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
    from cryptography.x509 import Certificate

#: The most of a file that is read: a certificate chain and a key are a few kB.
LIMIT = 1024 * 1024
_BLOCK = re.compile(rb"-----BEGIN ([A-Z0-9 ]+)-----\r?\n(.*?)-----END \1-----", re.DOTALL)
_CERTIFICATE_LABELS = ("CERTIFICATE", "TRUSTED CERTIFICATE", "X509 CERTIFICATE")


class PemFile:
    """The blocks of one PEM file, and (decoded on first use) its first certificate and key."""

    def __init__(self, data: bytes) -> None:
        labels: list[str] = []
        certificates: list[bytes] = []
        keys: list[tuple[str, bytes, bytes]] = []
        for match in _BLOCK.finditer(data):
            label = match[1].decode("ascii")
            labels.append(label)
            if label in _CERTIFICATE_LABELS:
                certificates.append(match[0])
            elif label.endswith("PRIVATE KEY"):
                keys.append((label, match[0], match[2]))
        #: The label of every complete block, in file order (``CERTIFICATE``, ``PRIVATE KEY``, ...).
        self.labels = tuple(labels)
        #: Certificate blocks: the server's own certificate first, then its chain.
        self.certificate_blocks = len(certificates)
        #: Private key blocks; OpenSSL uses the first.
        self.key_blocks = len(keys)
        self._certificate_block = certificates[0] if certificates else None
        self._chain_blocks = tuple(certificates[1:])
        self._key_block = keys[0] if keys else None

    # -- what the file holds, without decoding ---------------------------------
    @property
    def holds_certificate(self) -> bool:
        """A block OpenSSL's certificate reader takes (``CERTIFICATE``, ``TRUSTED``/``X509 CERTIFICATE``)."""
        return self.certificate_blocks > 0

    @property
    def holds_key(self) -> bool:
        return self.key_blocks > 0

    # -- the first certificate -------------------------------------------------
    @computed_once
    def _certificate(self) -> tuple[Certificate | None, str]:
        if self._certificate_block is None:
            return None, "no certificate"
        try:
            return _decode_certificate(self._certificate_block), ""
        except ValueError as err:
            return None, str(err).splitlines()[0] if str(err) else "undecodable"

    @property
    def certificate_decodes(self) -> bool:
        """The first certificate block decodes as an X.509 certificate."""
        return self._certificate[0] is not None

    @property
    def certificate_error(self) -> str:
        """Why the first certificate does not decode ('' when it does)."""
        return self._certificate[1] if self._certificate_block is not None else ""

    @property
    def validity(self) -> tuple[datetime.datetime, datetime.datetime] | None:
        """When the first certificate becomes and stops being valid (UTC), None when it does not decode."""
        certificate = self._certificate[0]
        if certificate is None:
            return None
        before = getattr(certificate, "not_valid_before_utc", None)
        after = getattr(certificate, "not_valid_after_utc", None)
        if not isinstance(before, datetime.datetime) or not isinstance(after, datetime.datetime):  # cryptography < 42
            before = certificate.not_valid_before.replace(tzinfo=datetime.timezone.utc)
            after = certificate.not_valid_after.replace(tzinfo=datetime.timezone.utc)
        return before, after

    @property
    def names(self) -> tuple[str, ...]:
        """The host names the first certificate is valid for: its DNS subject alternative names, else its CN."""
        certificate = self._certificate[0]
        if certificate is None:
            return ()
        from cryptography import x509
        from cryptography.x509.oid import NameOID

        try:
            extension = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName)
            dns = tuple(extension.value.get_values_for_type(x509.DNSName))
            if dns:
                return dns
        except (x509.ExtensionNotFound, ValueError):
            pass
        return tuple(str(a.value) for a in certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME))

    @computed_once
    def _issuer(self) -> tuple[str | None, bool]:
        """The first certificate's issuer when no other certificate of the file signed it, and whether one is named so.

        Icecast sends clients the certificates of the file and nothing else
        (2.4.4, 2.5.0 and kh22 alike), so a server certificate saved without
        its intermediate (Let's Encrypt's ``cert.pem`` instead of
        ``fullchain.pem``) reaches clients with no way to a root they trust.
        A certificate with the issuer's name is not enough: clients check the
        signature, and one of another key (an older intermediate of the same
        name) fails as ``certificate signature failure``.
        """
        certificate = self._certificate[0]
        if certificate is None or certificate.issuer == certificate.subject:
            return None, False
        named = False
        for block in self._chain_blocks:
            try:
                other = _decode_certificate(block)
            except ValueError:
                continue
            if other.subject == certificate.issuer:
                named = True
                if _signed_by(certificate, other):
                    return None, False
        return certificate.issuer.rfc4514_string(), named

    @property
    def missing_issuer(self) -> str | None:
        """The issuer of the first certificate when no other certificate of the file signed it.

        None when one did, the certificate is self-issued (its own issuer), or
        it does not decode.
        """
        return self._issuer[0]

    @property
    def issuer_name_only(self) -> bool:
        """The file holds a certificate named as the issuer, but its key did not sign the first certificate."""
        return self._issuer[1]

    def covers(self, host: str) -> bool:
        """Whether the first certificate is valid for ``host`` by its names (see :func:`name_covers`)."""
        return any(name_covers(name, host) for name in self.names)

    # -- the first private key -------------------------------------------------
    @computed_once
    def _key(self) -> tuple[PrivateKeyTypes | None, bool, str]:
        """The decoded key, whether it needs a passphrase, and why it does not decode."""
        if self._key_block is None:
            return None, False, "no private key"
        label, raw, body = self._key_block
        if label == "ENCRYPTED PRIVATE KEY" or b"Proc-Type: 4,ENCRYPTED" in body:
            return None, True, "encrypted"
        from cryptography.hazmat.primitives import serialization

        try:
            return serialization.load_pem_private_key(raw, password=None), False, ""
        except TypeError:
            return None, True, "encrypted"  # the key needs a passphrase
        except ValueError:
            return None, False, "undecodable"
        except Exception:  # unsupported key types raise their own errors
            return None, False, "unsupported"

    @property
    def key_decodes(self) -> bool:
        return self._key[0] is not None

    @property
    def key_encrypted(self) -> bool:
        """The first key needs a passphrase, which a daemon cannot give."""
        return self._key[1]

    def key_matches(self, certificate: PemFile) -> bool | None:
        """Whether this file's key belongs to ``certificate``'s first certificate (None: one does not decode)."""
        key = self._key[0]
        cert = certificate._certificate[0]
        if key is None or cert is None:
            return None
        from cryptography.hazmat.primitives import serialization

        der, spki = serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        return bool(cert.public_key().public_bytes(der, spki) == key.public_key().public_bytes(der, spki))


def name_covers(name: str, host: str) -> bool:
    """Whether a certificate name covers ``host`` as a TLS client checks it (RFC 6125, section 6.4).

    Names compare without case and without a final dot; a wildcard stands
    for exactly one whole left-most label (``*.example.org`` covers
    ``radio.example.org``, not ``example.org`` nor ``a.radio.example.org``).
    """
    name = name.rstrip(".").lower()
    host = host.rstrip(".").lower()
    if name == host:
        return True
    if not name.startswith("*.") or "*" in name[1:]:
        return False
    label, dot, rest = host.partition(".")
    return bool(label and dot) and rest == name[2:]


def _signed_by(certificate: Certificate, issuer: Certificate) -> bool:
    """Whether ``issuer``'s key signed ``certificate`` (True when the key type cannot be checked: the name matched)."""
    from cryptography.exceptions import InvalidSignature

    try:
        certificate.verify_directly_issued_by(issuer)
    except InvalidSignature:
        return False
    except (ValueError, TypeError):  # names differ (not asked here) or a key type cryptography cannot verify
        return True
    return True


def _decode_certificate(block: bytes) -> Certificate:
    """One certificate block, decoded as OpenSSL's reader takes it (``TRUSTED CERTIFICATE`` too); ValueError if not."""
    from cryptography import x509

    return x509.load_pem_x509_certificate(block.replace(b"TRUSTED CERTIFICATE", b"CERTIFICATE"))
