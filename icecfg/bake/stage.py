"""Stage a linted configuration and its files for the Packer build, and hash it all.

:func:`stage` copies ``icecast.xml`` and the files it refers to (fallback audio
under the webroot, the TLS certificate bundle, ...) into one directory that the
template uploads to the droplet, together with two small manifests the
provisioning scripts read:

``settings.env``
    shell assignments with quoted values: ``ICECFG_RELEASE`` (the Icecast
    release the image installs: ``2.4`` or ``2.5``), ``ICECFG_CONFIG_SHA256``,
    ``ICECFG_PRIVACY_LOGS`` (``0``/``1``), ``ICECFG_PORTS`` (space-separated TCP
    ports the firewall opens), ``ICECFG_LOGDIR`` and ``ICECFG_DISCARD_LOGS`` (log
    file names in the log directory that are linked to ``/dev/null``).
``files.tsv``
    one line per asset: staged name, server path, owner, group, mode (octal),
    sha256, separated by tabs.

With ``prebuilt``, the Icecast package an earlier bake built (see
:mod:`icecfg.bake.package_cache`) is staged as ``prebuilt/icecast2.deb``; it is
not part of the content hash, because it is what the hashed recipe builds.

Every value that reaches a script is checked here first (absolute, normalised
server paths without control characters; plain log file names; ports in
1..65535), so the scripts never see anything a shell could misread.

The content hash (:func:`content_hash`) covers the configuration's bytes, every
asset (server path, owner, mode and bytes, in server-path order), the settings
(the release among them), and the template and provisioning scripts, so changing any of them gives a new
hash and therefore a new snapshot name.
"""

from __future__ import annotations

import hashlib
import os
import posixpath
import re
import shlex
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from icecfg.bake.package_cache import PACKAGE_NAME
from icecfg.bake.packer import default_template_dir
from icecfg.bake.snapshots import RELEASES
from icecfg.commands import Failed
from icecfg.files import shown
from icecfg.io import loads
from icecfg.sections import IcecastConfig

__all__ = [
    "FILES_NAME",
    "SETTINGS_NAME",
    "StageError",
    "Staged",
    "StagedFile",
    "content_hash",
    "secret_paths",
    "stage",
    "template_files",
]

SETTINGS_NAME = "settings.env"
FILES_NAME = "files.tsv"
CONFIG_NAME = "icecast.xml"
ASSETS_DIR = "assets"
PREBUILT_DIR = "prebuilt"

#: Icecast's compiled-in defaults (2.4.4 ``cfgfile.c``), used when the config omits them.
DEFAULT_LOGDIR = "/usr/local/icecast/logs"
DEFAULT_ACCESSLOG = "access.log"

#: The Debian package's runtime user and group (``/etc/init.d/icecast2``).
RUNTIME_USER = "icecast2"
RUNTIME_GROUP = "icecast"

_SAFE_PATH = re.compile(r"\A/[A-Za-z0-9._+@%,:=~/-]*\Z")
_SAFE_NAME = re.compile(r"\A[A-Za-z0-9._+@%,:=~-]+\Z")
_HASH_VERSION = b"icecfg-bake-stage-v1"


class StageError(Failed, ValueError):
    """The configuration or its assets cannot be staged safely: the bake failed (exit 1)."""


@dataclass(frozen=True)
class StagedFile:
    """One asset as the scripts install it."""

    staged: str
    server_path: str
    owner: str
    group: str
    mode: int
    sha256: str


@dataclass(frozen=True)
class Staged:
    """The staging directory and the content hash of everything that shapes the image."""

    dir: Path
    config_hash: str
    files: tuple[StagedFile, ...] = ()
    ports: tuple[int, ...] = ()
    privacy_logs: bool = False
    logdir: str = DEFAULT_LOGDIR
    discarded_logs: tuple[str, ...] = ()
    release: str = "2.4"
    prebuilt: bool = False


def _server_path(value: str, what: str) -> str:
    """Check an absolute server path and return it."""
    if not _SAFE_PATH.match(value):
        raise StageError(f"{what} must be an absolute path of letters, digits and ._+@%,:=~/- : {value!r}")
    parts = PurePosixPath(value).parts
    if any(p in {".", ".."} for p in parts[1:]) or "//" in value or (value != "/" and value.endswith("/")):
        raise StageError(f"{what} must be a normalised absolute path: {value!r}")
    if value == "/":
        raise StageError(f"{what} must name a file, not /")
    return value


def _log_name(value: str, what: str) -> str:
    if value.startswith("/"):
        raise StageError(f"{what} {value!r} is absolute: Icecast 2.4 appends it to <logdir> and fails to start")
    if not _SAFE_NAME.match(value) or value in {".", ".."}:
        raise StageError(f"{what} must be a plain file name inside <logdir> to be discarded: {value!r}")
    return value


def _reaches_dev_null(logdir: str, name: str) -> bool:
    """True when ``logdir + "/" + name`` is /dev/null, as Icecast builds the path."""
    return posixpath.normpath(f"{logdir}/{name}") == "/dev/null"


def _ports(ports: Iterable[int]) -> tuple[int, ...]:
    out: set[int] = set()
    for port in ports:
        if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
            raise StageError(f"port must be an integer in 1..65535: {port!r}")
        out.add(port)
    return tuple(sorted(out))


def secret_paths(config: IcecastConfig) -> set[str]:
    """Server paths of the TLS certificate bundles and keys the configuration names."""
    paths = config.paths
    tls = config.security.tls_context
    candidates = [
        paths.ssl_certificate,
        paths.tls_certificate,
        paths.kh_ssl_certificate,
        paths.ssl_private_key,
        tls.tls_certificate if tls is not None else None,
        tls.tls_key if tls is not None else None,
    ]
    return {c for c in candidates if c}


def _log_layout(config: IcecastConfig, privacy_logs: bool) -> tuple[str, tuple[str, ...]]:
    """The log directory and, with ``privacy_logs``, the log files to link to /dev/null."""
    logdir = _server_path(config.paths.logdir or DEFAULT_LOGDIR, "<logdir>")
    if not privacy_logs:
        return logdir, ()
    names: list[str] = []
    logging = config.logging
    access = logging.accesslog if logging.accesslog is not None else DEFAULT_ACCESSLOG
    # "-" sends the access log to stderr, which the service discards; there is no file.
    # A name that already leads from <logdir> to /dev/null (icecfg init writes one) is
    # discarded as it stands.
    if access != "-" and not _reaches_dev_null(logdir, access):
        names.append(_log_name(access, "<accesslog>"))
    # The playlist log has no "-" (it creates a file named "-"): always discard it.
    if logging.playlistlog is not None:
        names.append(_log_name(logging.playlistlog, "<playlistlog>"))
    return logdir, tuple(dict.fromkeys(names))


def template_files(template_dir: Path | None = None) -> list[Path]:
    """The files of the Packer template directory that shape the image, sorted."""
    base = template_dir if template_dir is not None else default_template_dir()
    found = [
        *base.glob("*.pkr.hcl"),
        *base.glob("plugins/*.pkr.hcl"),
        *base.glob("scripts/*.sh"),
    ]
    if not found:
        raise StageError(f"no Packer template in {base}")
    return sorted(found, key=lambda p: p.relative_to(base).as_posix())


def _frame(h: hashlib._Hash, label: str, data: bytes) -> None:
    """Feed one length-prefixed field, so no two different inputs share a byte stream."""
    name = label.encode()
    h.update(len(name).to_bytes(8, "big") + name + len(data).to_bytes(8, "big"))
    h.update(data)


def content_hash(
    config: bytes,
    assets: Mapping[str, bytes],
    *,
    settings: bytes = b"",
    file_modes: Mapping[str, str] | None = None,
    template_dir: Path | None = None,
) -> str:
    """SHA-256 (hex) over the config, the assets, the settings, the template and the scripts.

    ``assets`` maps server paths to bytes; they are hashed in server-path order
    together with their owner/mode line from ``file_modes`` (when given), so
    only the content decides the hash, never the order or the local file names.
    """
    h = hashlib.sha256()
    h.update(_HASH_VERSION)
    _frame(h, "config", config)
    for server_path in sorted(assets):
        _frame(h, "asset-path", server_path.encode())
        _frame(h, "asset-mode", (file_modes or {}).get(server_path, "").encode())
        _frame(h, "asset", assets[server_path])
    _frame(h, "settings", settings)
    base = template_dir if template_dir is not None else default_template_dir()
    for path in template_files(base):
        _frame(h, "template:" + path.relative_to(base).as_posix(), path.read_bytes())
    return h.hexdigest()


def _settings(
    release: str, config_sha: str, privacy_logs: bool, ports: tuple[int, ...], logdir: str, discard: tuple[str, ...]
) -> bytes:
    values = {
        "ICECFG_RELEASE": release,
        "ICECFG_CONFIG_SHA256": config_sha,
        "ICECFG_PRIVACY_LOGS": "1" if privacy_logs else "0",
        "ICECFG_PORTS": " ".join(str(p) for p in ports),
        "ICECFG_LOGDIR": logdir,
        "ICECFG_DISCARD_LOGS": " ".join(discard),
    }
    lines = ["# Written by icecfg.bake.stage; read by packer/scripts/*.sh."]
    lines += [f"{key}={shlex.quote(value)}" for key, value in values.items()]
    return ("\n".join(lines) + "\n").encode()


def _read_asset(server_path: str, local: str | os.PathLike[str]) -> bytes:
    """The bytes of the local file of the asset at ``server_path``; a file that cannot be read is a StageError.

    ``icecfg bake`` refuses such an asset before staging (with what lint said
    of it); this keeps any other caller, or a file removed in between, from a
    traceback.
    """
    try:
        return Path(local).read_bytes()
    except OSError as err:
        raise StageError(f"cannot read {shown(local)}, the asset for {server_path}: {err.strerror or err}") from None


def _write(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)


def stage(
    config_path: str | os.PathLike[str],
    assets: Mapping[str, str | os.PathLike[str]],
    privacy_logs: bool,
    ports: Iterable[int],
    out_dir: str | os.PathLike[str],
    *,
    release: str = "2.4",
    prebuilt: str | os.PathLike[str] | None = None,
    template_dir: Path | None = None,
) -> Staged:
    """Copy the config and ``assets`` (server path -> local file) into ``out_dir``.

    ``out_dir`` is created (mode 0700) and must be empty if it exists. TLS
    certificate bundles and keys named by the configuration are installed
    ``icecast2:icecast 0600``, everything else ``root:root 0644``. ``ports`` are
    exactly the TCP ports the image's firewall opens (include 22 to keep SSH).
    ``release`` is the Icecast release the provisioning installs (2.4 or 2.5).
    """
    if release not in RELEASES:
        raise StageError(f"no image recipe for Icecast {release!r} (only {', '.join(RELEASES)})")
    config_bytes = Path(config_path).read_bytes()
    config = loads(config_bytes)
    secrets = secret_paths(config)
    port_list = _ports(ports)
    logdir, discard = _log_layout(config, privacy_logs)

    out = Path(out_dir)
    out.mkdir(mode=0o700, parents=True, exist_ok=True)
    out.chmod(0o700)
    if any(out.iterdir()):
        raise StageError(f"staging directory {out} is not empty")

    asset_bytes: dict[str, bytes] = {}
    for server_path, local in assets.items():
        _server_path(server_path, "asset path")
        if server_path == "/etc/icecast2/icecast.xml":
            raise StageError("the configuration is staged separately; do not pass it as an asset")
        asset_bytes[server_path] = _read_asset(server_path, local)

    files: list[StagedFile] = []
    modes: dict[str, str] = {}
    for index, server_path in enumerate(sorted(asset_bytes), start=1):
        data = asset_bytes[server_path]
        secret = server_path in secrets
        entry = StagedFile(
            staged=f"{ASSETS_DIR}/{index:04d}",
            server_path=server_path,
            owner=RUNTIME_USER if secret else "root",
            group=RUNTIME_GROUP if secret else "root",
            mode=0o600 if secret else 0o644,
            sha256=hashlib.sha256(data).hexdigest(),
        )
        files.append(entry)
        modes[server_path] = f"{entry.owner}:{entry.group}:{entry.mode:04o}"

    settings = _settings(release, hashlib.sha256(config_bytes).hexdigest(), privacy_logs, port_list, logdir, discard)
    digest = content_hash(config_bytes, asset_bytes, settings=settings, file_modes=modes, template_dir=template_dir)

    _write(out / CONFIG_NAME, config_bytes)
    (out / ASSETS_DIR).mkdir(mode=0o700)
    for entry in files:
        _write(out / entry.staged, asset_bytes[entry.server_path])
    if prebuilt is not None:
        (out / PREBUILT_DIR).mkdir(mode=0o700)
        _write(out / PREBUILT_DIR / PACKAGE_NAME, Path(prebuilt).read_bytes())
    _write(out / SETTINGS_NAME, settings)
    table = "".join(f"{f.staged}\t{f.server_path}\t{f.owner}\t{f.group}\t{f.mode:04o}\t{f.sha256}\n" for f in files)
    _write(out / FILES_NAME, table.encode())
    return Staged(
        dir=out,
        config_hash=digest,
        files=tuple(files),
        ports=port_list,
        privacy_logs=privacy_logs,
        logdir=logdir,
        discarded_logs=discard,
        release=release,
        prebuilt=prebuilt is not None,
    )
