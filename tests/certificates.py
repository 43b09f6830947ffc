"""X.509 certificates made at test time, for the TLS rules and the oracle tests.

One builder for every certificate the tests need (self-signed, expired, a
CA chain, with or without subject alternative names), so that each test
says only what is particular to it.
"""

from __future__ import annotations

import datetime

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.types import CertificateIssuerPrivateKeyTypes
from cryptography.x509.oid import NameOID

NOW = datetime.datetime.now(datetime.timezone.utc)
DAY = datetime.timedelta(days=1)


def certificate(
    subject: str,
    key: CertificateIssuerPrivateKeyTypes,
    *,
    issuer: str | None = None,
    signer: CertificateIssuerPrivateKeyTypes | None = None,
    not_before: datetime.datetime = NOW - DAY,
    not_after: datetime.datetime = NOW + 365 * DAY,
    ca: bool | None = None,
    dns_names: tuple[str, ...] = (),
) -> x509.Certificate:
    """A certificate for ``key`` with common name ``subject``, signed by ``signer`` (default: self-signed).

    ``ca`` adds a critical BasicConstraints extension (None: none at all);
    ``dns_names`` a subject alternative name extension.
    """
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
        .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer or subject)]))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
    )
    if ca is not None:
        builder = builder.add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    if dns_names:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.DNSName(n) for n in dns_names]), critical=False
        )
    return builder.sign(signer or key, hashes.SHA256())


def pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def key_pem(key: CertificateIssuerPrivateKeyTypes, password: bytes | None = None) -> bytes:
    """The key as PKCS#8 PEM, encrypted under ``password`` when one is given."""
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(password) if password else serialization.NoEncryption()
    )
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)


def issued_chain_pems(host: str, *, another_key: bool = False) -> tuple[bytes, bytes, bytes]:
    """A root CA, an intermediate it signs, and a server certificate for ``host`` the intermediate signs.

    Returns the root (what a client trusts), the server certificate with its
    key and no chain (``cat cert.pem privkey.pem``), and the same with the
    intermediate after the server certificate (``fullchain.pem`` and the key).
    With ``another_key``, the intermediate in that last file has the
    intermediate's name and the root's signature but another key: it did not
    sign the server certificate (an older intermediate of the same name).
    """
    root_key, middle_key, leaf_key, other_key = (ec.generate_private_key(ec.SECP256R1()) for _ in range(4))
    soon = NOW + 30 * DAY
    root = certificate("Oracle Root CA", root_key, not_after=soon, ca=True)
    middle = certificate(
        "Oracle Intermediate CA",
        other_key if another_key else middle_key,
        issuer="Oracle Root CA",
        signer=root_key,
        not_after=soon,
        ca=True,
    )
    leaf = certificate(
        host,
        leaf_key,
        issuer="Oracle Intermediate CA",
        signer=middle_key,
        not_after=soon,
        ca=False,
        dns_names=(host,),
    )
    return pem(root), pem(leaf) + key_pem(leaf_key), pem(leaf) + pem(middle) + key_pem(leaf_key)
