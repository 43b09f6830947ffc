"""The TLS context a release loads: which certificate and key files, and whether they can work.

Icecast reads its certificate once at start-up.  When it cannot use it,
2.4.4 logs a line and serves plain HTTP on its ``<ssl>1`` ports, 2.5 stops
offering TLS, KH offers none: the listeners' protocols depend on this
answer, so it is computed here once, from the files when they are at hand.

The files themselves (can they be opened, does the certificate decode, does
the key belong to it, when does it expire) are facts of this context too:
the TLS lint rules judge them and ``explain`` reports them; nothing else
reads a certificate.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from icecfg.document import Element
from icecfg.effective.provenance import Traced, written
from icecfg.files import FileView
from icecfg.records import FrozenRecord
from icecfg.spec import Dialect

if TYPE_CHECKING:
    from icecfg.effective.pem import PemFile

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


class TlsFile(FrozenRecord):
    """A certificate or key file the release loads, as found in the files given (``--root``)."""

    __slots__ = ("element", "path", "pem", "unreadable")

    path: str
    #: The element that names it.
    element: Element
    #: Why it cannot be opened: ``does not exist``, ``is a directory``, ``cannot be read`` ('' when it can),
    #: naming the local file of an asset (:meth:`~icecfg.files.FileView.problem`).
    unreadable: str
    #: What it holds; None when it cannot be read.
    pem: PemFile | None

    def __init__(self, path: str, element: Element, unreadable: str, pem: PemFile | None) -> None:
        _set = object.__setattr__
        _set(self, "path", path)
        _set(self, "element", element)
        _set(self, "unreadable", unreadable)
        _set(self, "pem", pem)

    @property
    def problem(self) -> str:
        """Why the release cannot read the file ('' when it can)."""
        if self.unreadable:
            return self.unreadable
        return "" if self.pem is not None else "cannot be read"


def tls_file(files: FileView, path: str, element: Element) -> TlsFile:
    """``path`` looked up in ``files``; its PEM blocks are parsed once per file (the view keeps them)."""
    from icecfg.effective.pem import LIMIT, PemFile

    why = files.unusable(path)
    unreadable = files.problem(path, why) if why else ""
    return TlsFile(path, element, unreadable, files.parsed(path, PemFile, LIMIT))


class TlsContext(FrozenRecord):
    """The certificate, key and ciphers the release loads, and whether they can work."""

    __slots__ = ("certificate", "certificate_file", "ciphers", "key", "key_file", "problem", "usable")

    certificate: Traced[str] | None
    #: The key file: a separate one, or the certificate file itself.
    key: Traced[str] | None
    ciphers: Traced[str] | None
    #: True: the release loads the certificate and its key; False: it cannot; None: not checked.
    usable: bool | None
    #: Why not, when ``usable`` is False.
    problem: str
    #: The certificate file (None: no certificate, or no files to look at).
    certificate_file: TlsFile | None
    #: The file the key is read from: a separate one, or :attr:`certificate_file` itself.
    key_file: TlsFile | None

    def __init__(
        self,
        certificate: Traced[str] | None,
        key: Traced[str] | None,
        ciphers: Traced[str] | None,
        usable: bool | None,
        problem: str = "",
        certificate_file: TlsFile | None = None,
        key_file: TlsFile | None = None,
    ) -> None:
        _set = object.__setattr__
        _set(self, "certificate", certificate)
        _set(self, "key", key)
        _set(self, "ciphers", ciphers)
        _set(self, "usable", usable)
        _set(self, "problem", problem)
        _set(self, "certificate_file", certificate_file)
        _set(self, "key_file", key_file)

    @property
    def configured(self) -> bool:
        return self.certificate is not None

    @property
    def separate_key(self) -> bool:
        """The key is named in its own element, as another file than the certificate."""
        return (
            self.key is not None
            and self.certificate is not None
            and self.key is not self.certificate
            and self.key.value != self.certificate.value
        )

    @property
    def files(self) -> tuple[TlsFile, ...]:
        """The files loaded, each once: the certificate, then a separate key file."""
        found = [f for f in (self.certificate_file, self.key_file) if f is not None]
        return tuple(f for i, f in enumerate(found) if all(f.path != g.path for g in found[:i]))

    @property
    def key_matches(self) -> bool | None:
        """Whether the key belongs to the certificate (None: not checked, or one of them does not decode)."""
        cert, key = self.certificate_file, self.key_file
        if cert is None or key is None or cert.pem is None or key.pem is None:
            return None
        return key.pem.key_matches(cert.pem)

    def files_json(self) -> dict[str, object] | None:
        """What the files hold (None when they were not looked at)."""
        cert, key = self.certificate_file, self.key_file
        if cert is None or key is None:
            return None
        pem = cert.pem
        validity = pem.validity if pem is not None else None
        return {
            "certificate_problem": cert.problem or None,
            "certificates": pem.certificate_blocks if pem is not None else 0,
            "certificate_decodes": pem.certificate_decodes if pem is not None else False,
            "not_before": validity[0].isoformat() if validity else None,
            "not_after": validity[1].isoformat() if validity else None,
            "names": list(pem.names) if pem is not None else [],
            "missing_issuer": pem.missing_issuer if pem is not None else None,
            "issuer_name_only": pem.issuer_name_only if pem is not None else None,
            "key_problem": key.problem or None,
            "key_found": key.pem.holds_key if key.pem is not None else False,
            "key_encrypted": key.pem.key_encrypted if key.pem is not None else False,
            "key_matches": self.key_matches,
        }

    def to_json(self) -> dict[str, object]:
        return {
            "certificate": self.certificate.to_json() if self.certificate else None,
            "key": self.key.to_json() if self.key else None,
            "ciphers": self.ciphers.to_json() if self.ciphers else None,
            "usable": self.usable,
            "problem": self.problem or None,
            "files": self.files_json(),
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
    assert key is not None and cert_el is not None
    cert_file = tls_file(files, certificate.value, cert_el)
    key_element = key.origin.element if key is not certificate else cert_el
    assert key_element is not None
    key_file = cert_file if key.value == certificate.value else tls_file(files, key.value, key_element)
    problem = _problem(cert_file, key_file)
    return TlsContext(certificate, key, ciphers, not problem, problem, cert_file, key_file)


def _problem(cert: TlsFile, key: TlsFile) -> str:
    """Why the release cannot load the certificate and key ('' when it can).

    What OpenSSL refuses at start-up (``Invalid cert file``, ``Invalid
    private key file``): a file it cannot open, no certificate or no key in
    it, a first certificate or key that does not decode, a key under a
    passphrase, a key of another certificate.  An expired certificate loads.
    """
    for file in (cert, key):
        if file.pem is None:
            return f"{file.path} {file.problem}"  # does not exist, is a directory, cannot be read
    assert cert.pem is not None and key.pem is not None
    if not cert.pem.holds_certificate:
        return f"{cert.path} holds no certificate"
    if not key.pem.holds_key:
        return f"{key.path} holds no private key"
    if not cert.pem.certificate_decodes:
        return f"the first certificate in {cert.path} cannot be decoded"
    if key.pem.key_encrypted:
        return f"the private key in {key.path} needs a passphrase"
    if not key.pem.key_decodes:
        return f"the private key in {key.path} cannot be decoded"
    if key.pem.key_matches(cert.pem) is False:
        return f"the private key in {key.path} does not belong to the certificate"
    return ""
