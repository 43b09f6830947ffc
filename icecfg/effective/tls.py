"""The TLS context a release loads: which certificate and key files, and whether they can work.

Icecast reads its certificate once at start-up.  When it cannot use it,
2.4.4 logs a line and serves plain HTTP on its ``<ssl>1`` ports, 2.5 stops
offering TLS, KH offers none: the listeners' protocols depend on this
answer, so it is computed here once, from the files when they are at hand.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from icecfg.document import Element
from icecfg.effective.provenance import Traced, written
from icecfg.files import FileView
from icecfg.spec import Dialect

#: (section tag, element) pairs naming the certificate, per dialect; the last written wins.
CERT_ROWS: dict[Dialect, tuple[tuple[str, str], ...]] = {
    Dialect.V24: (("paths", "ssl-certificate"),),
    Dialect.V25: (
        ("paths", "ssl-certificate"),
        ("paths", "tls-certificate"),
        ("tls-context", "tls-certificate"),
    ),
    Dialect.KH: (("paths", "ssl-certificate"), ("paths", "ssl_certificate")),
}
#: Where a separate private key is named (2.4.4 reads the key from the certificate file).
KEY_ROWS: dict[Dialect, tuple[tuple[str, str], ...]] = {
    Dialect.V24: (),
    Dialect.V25: (("tls-context", "tls-key"),),
    Dialect.KH: (("paths", "ssl-private-key"),),
}
_CIPHER_ROWS: dict[Dialect, tuple[tuple[str, str], ...]] = {
    Dialect.V24: (("paths", "ssl-allowed-ciphers"),),
    Dialect.V25: (
        ("paths", "ssl-allowed-ciphers"),
        ("paths", "tls-allowed-ciphers"),
        ("tls-context", "tls-allowed-ciphers"),
    ),
    Dialect.KH: (("paths", "ssl-allowed-ciphers"),),
}
_BLOCK = re.compile(rb"-----BEGIN ([A-Z0-9 ]+)-----")


@dataclass(frozen=True)
class TlsContext:
    """The certificate, key and ciphers the release loads, and whether they can work."""

    certificate: Traced[str] | None
    #: The key file: a separate one, or the certificate file itself.
    key: Traced[str] | None
    ciphers: Traced[str] | None
    #: True: the files hold a certificate and a key; False: they cannot work; None: not checked.
    usable: bool | None
    #: Why not, when ``usable`` is False.
    problem: str = ""

    @property
    def configured(self) -> bool:
        return self.certificate is not None

    def to_json(self) -> dict[str, object]:
        return {
            "certificate": self.certificate.to_json() if self.certificate else None,
            "key": self.key.to_json() if self.key else None,
            "ciphers": self.ciphers.to_json() if self.ciphers else None,
            "usable": self.usable,
            "problem": self.problem or None,
        }


def _last(places: dict[tuple[str, str], list[Element]], rows: tuple[tuple[str, str], ...]) -> Element | None:
    """The last element in document order among ``rows``."""
    found: Element | None = None
    for key in rows:
        for element in places.get(key, ()):
            if found is None or element.start > found.start:
                found = element
    return found


def _places(root: Element) -> dict[tuple[str, str], list[Element]]:
    """Elements of ``<paths>`` and ``<security><tls-context>`` by (parent tag, tag)."""
    places: dict[tuple[str, str], list[Element]] = {}
    blocks = list(root.elements("paths"))
    for security in root.elements("security"):
        blocks.extend(security.elements("tls-context"))
    for block in blocks:
        for child in block.elements():
            places.setdefault((block.local_name, child.local_name), []).append(child)
    return places


def tls_context(root: Element, dialect: Dialect, files: FileView | None) -> TlsContext:
    """What ``dialect`` loads as its TLS context, checked against ``files`` when given."""
    places = _places(root)
    cert_el = _last(places, CERT_ROWS[dialect])
    key_el = _last(places, KEY_ROWS[dialect])
    ciphers_el = _last(places, _CIPHER_ROWS[dialect])
    certificate = Traced(cert_el.text, written(cert_el)) if cert_el is not None and cert_el.text else None
    if key_el is not None and key_el.text:
        key: Traced[str] | None = Traced(key_el.text, written(key_el))
    else:
        key = certificate
    ciphers = Traced(ciphers_el.text, written(ciphers_el)) if ciphers_el is not None and ciphers_el.text else None
    if certificate is None:
        return TlsContext(None, None, ciphers, False, "no certificate is configured")
    if files is None:
        return TlsContext(certificate, key, ciphers, None)
    assert key is not None
    problem = _problem(files, certificate.value, key.value)
    return TlsContext(certificate, key, ciphers, not problem, problem)


def _problem(files: FileView, cert_path: str, key_path: str) -> str:
    """Why the certificate and key files cannot work ('' when they hold both)."""
    blocks: dict[str, list[str]] = {}
    for path in dict.fromkeys((cert_path, key_path)):
        if not files.is_file(path) or not files.readable(path):
            return f"{path} cannot be read"
        try:
            data = files.read_bytes(path, limit=1024 * 1024)
        except OSError:
            return f"{path} cannot be read"
        blocks[path] = [m[1].decode("ascii") for m in _BLOCK.finditer(data)]
    if not any(label.endswith("CERTIFICATE") for label in blocks[cert_path]):
        return f"{cert_path} holds no certificate"
    if not any(label.endswith("PRIVATE KEY") for label in blocks[key_path]):
        return f"{key_path} holds no private key"
    return ""
