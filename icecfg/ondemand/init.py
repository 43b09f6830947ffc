"""``icecfg init [DIR]``: a secure starting ``icecast.xml`` and an ``icecfg.toml`` next to it.

The configuration is built with the model (:class:`sections.IcecastConfig`) for
the chosen target and linted before anything is written:

- random passwords from :mod:`secrets` (source and admin differ; none is printed);
- the real public hostname (``--hostname``, asked on a terminal, else an error);
- a plain listen socket and a TLS one, with the certificate bundle path;
- one live mount that declares its ``<type>`` and ``<bitrate>`` and falls back
  to a file of the same format and bitrate in webroot (listeners move back
  when the live source returns);
- ``Cache-Control: no-cache`` only where the target does not send it already
  (the effective configuration's headers know: Icecast 2.4.4 and 2.5 do);
- with ``--privacy-logs`` the access log (listener IP addresses) goes to
  ``/dev/null`` through a relative name, the way 2.4.4 accepts, and the
  opt-in rule ICE890 is switched on so ``icecfg lint`` keeps it that way.

``icecfg.toml`` holds the lint target and the ``bake`` table (region, size,
image, snapshots to keep, the asset files the image needs, the DNS name
``up`` points at the droplet).  Existing files are never overwritten without
``--force``; both files are written atomically and through symlinks
(:mod:`icecfg.safewrite`); a new ``icecast.xml`` is mode 0600, one
overwritten with ``--force`` keeps its owner, group and mode less the bits
of others (it holds passwords).
"""

from __future__ import annotations

import argparse
import os
import stat
import sys
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from icecfg.commands import add_target_argument, given_text, whole_number
from icecfg.errors import InvalidAssignmentError
from icecfg.ondemand import EXIT_FAILED, EXIT_OK, EXIT_USAGE, UsageError
from icecfg.ondemand.dns import is_dns_name
from icecfg.safewrite import write_bytes_atomic
from icecfg.settings import DEFAULT_KEEP, SettingsError
from icecfg.settings import parse as parse_settings

if TYPE_CHECKING:
    from icecfg.document import Element
    from icecfg.spec import Dialect

__all__ = [
    "CERTIFICATE",
    "LOGDIR",
    "WEBROOT",
    "Choices",
    "add_arguments",
    "build_config",
    "check_hostname",
    "discard_log_name",
    "new_password",
    "run",
    "settings_text",
]

#: Where Debian's icecast2 package keeps things, and where the image installs the assets.
BASEDIR = "/usr/share/icecast2"
LOGDIR = "/var/log/icecast2"
WEBROOT = "/usr/share/icecast2/web"
ADMINROOT = "/usr/share/icecast2/admin"
CERTIFICATE = "/etc/icecast2/bundle.pem"

CONFIG_NAME = "icecast.xml"
SETTINGS_NAME = "icecfg.toml"
CERTIFICATE_FILE = "bundle.pem"

FORMATS = {
    # format: (content type, file extension, what to encode the fallback with)
    "ogg": ("application/ogg", "ogg", "oggenc -b {bitrate} -o {file} input.wav"),
    "mp3": ("audio/mpeg", "mp3", "lame --cbr -b {bitrate} input.wav {file}"),
}

#: The stream bitrates init writes, in kbit/s (``--bitrate``), and a TCP port's range (``--port``, ``--tls-port``).
BITRATE_RANGE = (8, 640)
PORT_RANGE = (1, 65535)

#: Password length in bytes of randomness (32 URL-safe characters).
PASSWORD_BYTES = 24

_LOCAL_SUFFIXES = frozenset({"localhost", "local", "localdomain", "internal", "lan", "home", "invalid", "test"})


@dataclass(frozen=True)
class Choices:
    """Everything the starting configuration depends on besides the passwords."""

    hostname: str
    target: str = "2.4"
    privacy_logs: bool = False
    format: str = "ogg"
    bitrate: int = 128
    port: int = 8000
    tls_port: int = 8443
    mount: str | None = None
    admin: str | None = None
    location: str | None = None

    @property
    def extension(self) -> str:
        return FORMATS[self.format][1]

    @property
    def live_mount(self) -> str:
        return self.mount or f"/live.{self.extension}"

    @property
    def fallback(self) -> str:
        return f"/fallback.{self.extension}"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "directory", type=given_text, nargs="?", default=".", metavar="DIR", help="where to write (default: .)"
    )
    add_target_argument(parser, "Icecast release (default 2.4)", default="2.4")
    parser.add_argument("--hostname", help="the public DNS name listeners use, e.g. radio.example.org")
    parser.add_argument(
        "--privacy-logs",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="discard the access log, which records every listener's IP address (asked on a terminal)",
    )
    parser.add_argument("--format", choices=sorted(FORMATS), default="ogg", help="stream format (default ogg)")
    parser.add_argument(
        "--bitrate",
        type=whole_number(*BITRATE_RANGE),
        default=128,
        metavar="KBPS",
        help=f"stream bitrate, {BITRATE_RANGE[0]} to {BITRATE_RANGE[1]} (default 128)",
    )
    parser.add_argument("--mount", type=given_text, help="live mount name (default /live.ogg or /live.mp3)")
    ports = f"{PORT_RANGE[0]} to {PORT_RANGE[1]}"
    parser.add_argument(
        "--port", type=whole_number(*PORT_RANGE), default=8000, help=f"plain HTTP port, {ports} (default 8000)"
    )
    parser.add_argument(
        "--tls-port", type=whole_number(*PORT_RANGE), default=8443, help=f"TLS port, {ports} (default 8443)"
    )
    parser.add_argument(
        "--admin",
        type=given_text,
        metavar="EMAIL",
        help="contact shown on the status page (2.5 default: icemaster@HOSTNAME)",
    )
    parser.add_argument(
        "--location", type=given_text, help="location shown on the status page (2.5 default: the hostname)"
    )
    parser.add_argument(
        "--region", type=given_text, default="fra1", help="DigitalOcean region for bake and up (default fra1)"
    )
    parser.add_argument(
        "--size", type=given_text, default="s-1vcpu-1gb", help="droplet size for bake and up (default s-1vcpu-1gb)"
    )
    parser.add_argument("--force", action="store_true", help="overwrite existing icecast.xml / icecfg.toml")


def new_password() -> str:
    """A random password: 32 characters from ``[A-Za-z0-9_-]`` (192 bits)."""
    import secrets

    return secrets.token_urlsafe(PASSWORD_BYTES)


def check_hostname(value: str) -> str:
    """The hostname, lower-cased, if it is a public DNS name; ``UsageError`` otherwise."""
    import ipaddress

    name = value.strip().rstrip(".").lower()
    if not name:
        raise UsageError("the hostname is empty")
    try:
        ipaddress.ip_address(name.strip("[]"))
    except ValueError:
        pass
    else:
        raise UsageError(f"{value!r} is an IP address: give the DNS name the TLS certificate is issued for")
    labels = name.split(".")
    if not is_dns_name(name):
        raise UsageError(f"{value!r} is not a valid DNS name")
    if len(labels) < 2 or labels[-1] in _LOCAL_SUFFIXES or labels[-1].isdigit():
        raise UsageError(f"{value!r} is not a public DNS name (listeners outside this machine cannot reach it)")
    return name


def discard_log_name(logdir: str) -> str:
    """A log file name relative to ``logdir`` that reaches ``/dev/null`` (2.4.4 refuses absolute ones)."""
    parts = [p for p in PurePosixPath(logdir).parts if p != "/"]
    return "../" * len(parts) + "dev/null"


def build_config(choices: Choices, passwords: dict[str, str] | None = None) -> Any:
    """The starting configuration as an :class:`icecfg.IcecastConfig`.

    ``passwords`` (``source``, ``admin``) default to new random ones.
    """
    from icecfg import sections
    from icecfg.conversion import FallbackOverride, TlsMode
    from icecfg.effective.headers import repeats_own
    from icecfg.spec import Dialect

    if choices.format not in FORMATS:
        raise UsageError(f"unknown format {choices.format!r} ({', '.join(sorted(FORMATS))})")
    # the command line checks these where it parses them (whole_number); Choices built in code, here
    for what, number, (low, high) in (
        ("bitrate", choices.bitrate, BITRATE_RANGE),
        ("port", choices.port, PORT_RANGE),
        ("tls_port", choices.tls_port, PORT_RANGE),
    ):
        if not low <= number <= high:
            raise UsageError(f"{what} {number}: must be a whole number from {low} to {high}")
    if choices.port == choices.tls_port:
        raise UsageError("the plain and the TLS port must differ")
    if not choices.live_mount.startswith("/") or choices.live_mount == choices.fallback:
        raise UsageError(f"the mount must start with / and differ from {choices.fallback}: {choices.live_mount!r}")
    pw = dict(passwords or {})
    source_password = pw.get("source") or new_password()
    admin_password = pw.get("admin") or new_password()
    if source_password == admin_password:
        raise UsageError("the source and admin passwords must differ")

    content_type = FORMATS[choices.format][0]
    if choices.target == "2.4":
        tls_socket = sections.ListenSocket(port=choices.tls_port, ssl=True)
    elif choices.target == "2.5":
        tls_socket = sections.ListenSocket(port=choices.tls_port, tls=TlsMode.RFC2818)
    else:  # Icecast-KH detects TLS on every socket once a certificate is configured
        tls_socket = sections.ListenSocket(port=choices.tls_port)
    paths = sections.Paths(basedir=BASEDIR, logdir=LOGDIR, webroot=WEBROOT, adminroot=ADMINROOT)
    paths.aliases.append(sections.Alias(source="/", destination="/status.xsl"))
    security = sections.Security(chroot=False)
    if choices.target == "2.5":
        security.tls_context.tls_certificate = CERTIFICATE
        security.tls_context.tls_key = CERTIFICATE
    else:
        paths.ssl_certificate = CERTIFICATE
    logging = sections.Logging(
        accesslog=discard_log_name(LOGDIR) if choices.privacy_logs else "access.log",
        errorlog="error.log",
        loglevel=3,
        logsize=10000,
    )
    cfg = sections.IcecastConfig(
        # 2.5 warns at every start about its defaults (ICE915): name the server's own domain instead
        location=choices.location or (choices.hostname if choices.target == "2.5" else None),
        admin=choices.admin or (f"icemaster@{choices.hostname}" if choices.target == "2.5" else None),
        hostname=choices.hostname,
        limits=sections.Limits(
            clients=100,
            sources=2,
            queue_size=524288,
            client_timeout=30,
            header_timeout=15,
            source_timeout=10,
            burst_size=65535,
        ),
        authentication=sections.Authentication(
            source_password=source_password,
            admin_user="admin",
            admin_password=admin_password,
        ),
        listen_sockets=[sections.ListenSocket(port=choices.port), tls_socket],
        http_headers=sections.HttpHeaders(headers=[sections.Header(name="Cache-Control", value="no-cache, no-store")]),
        mounts=[
            sections.Mount(
                mount_name=choices.live_mount,
                fallback_mount=choices.fallback,
                fallback_override=FallbackOverride.ALL,
                type=content_type,
                bitrate=str(choices.bitrate),
            )
        ],
        fileserve=True,
        paths=paths,
        logging=logging,
        security=security,
    )
    # No-cache headers only where the target does not send them itself.
    if repeats_own("Cache-Control", Dialect(choices.target)) is not None:
        del cfg.http_headers
    if choices.target == "2.5":  # without a seed 2.5 warns at every start (ICE511)
        from icecfg.document import Element

        seed = Element("prng-seed", {"type": "device", "size": "32"})
        seed.set_text("/dev/urandom")
        block = cfg.security.element
        assert block is not None
        block.insert_formatted(seed)
    if choices.target == "kh":
        _kh_fallback_with_rate(cfg, choices)
    _target_spelling(cfg.mounts[0].element, Dialect(choices.target))
    return cfg


def _target_spelling(mount: Element | None, dialect: Dialect) -> None:
    """The target's own spelling of ``<fallback-override>``, from the element table.

    2.5 reads ``1`` as ``all`` but warns about the old style at every start.
    """
    from icecfg.conversion import spelled_for
    from icecfg.spec import SECTIONS

    row = SECTIONS["mount"].child("fallback-override", dialect)
    element = mount.find_last("fallback-override") if mount is not None else None
    if row is not None and element is not None and element.text is not None:
        element.set_text(spelled_for(row, element.text, dialect))


def _kh_fallback_with_rate(cfg: Any, choices: Choices) -> None:
    """Icecast-KH sends a fallback file only at a known rate (ICE608): give it the stream's.

    ``<fallback><mount>/fallback.ogg</mount><rate>128k</rate></fallback>``
    replaces ``<fallback-mount>``; the file is encoded at the live bit rate.
    """
    from icecfg.document import Element

    mount = cfg.mounts[0]
    block = mount.element
    assert block is not None
    old = block.find_last("fallback-mount")
    fallback = Element("fallback")
    name = Element("mount")
    name.set_text(choices.fallback)
    rate = Element("rate")
    rate.set_text(f"{choices.bitrate}k")
    fallback.append(name)
    fallback.append(rate)
    block.insert_formatted(fallback, after=old)
    del mount.fallback_mount


def lint_selection(choices: Choices) -> tuple[str, ...]:
    """The rules a starting configuration must pass: every default one, and ICE890 with privacy logs."""
    return ("ICE", "ICE890") if choices.privacy_logs else ()


def settings_text(choices: Choices, region: str, size: str) -> str:
    """The ``icecfg.toml`` written next to ``icecast.xml``."""
    import json

    def q(value: str) -> str:
        return json.dumps(value)  # a JSON string of printable ASCII is a valid TOML basic string

    fallback = choices.fallback.lstrip("/")
    encode = FORMATS[choices.format][2].format(bitrate=choices.bitrate, file=fallback)
    lines = [
        "# icecfg settings for this directory: icecfg lint, bake, up, down, status and cost read them.",
        f"target = {q(choices.target)}",
    ]
    if choices.privacy_logs:
        lines += [
            "# Privacy: report an access log that keeps listeners' IP addresses on disk.",
            "# (icecast.xml discards it: its <accesslog> name reaches /dev/null.)",
            'extend-select = ["ICE890"]',
        ]
    lines += [
        "",
        "[bake]",
        f"config = {q(CONFIG_NAME)}",
        f"region = {q(region)}",
        f"size = {q(size)}",
        'image = "debian-12-x64"',
        *(
            [
                "# icecast.xml already sends the access log to /dev/null; the image keeps it that way.",
                "privacy-logs = true",
            ]
            if choices.privacy_logs
            else []
        ),
        "# Snapshots to keep when pruning (each costs $0.06 per GB and month).",
        f"keep = {DEFAULT_KEEP}",
        "# icecfg up points this DNS name at the droplet (a domain managed by DigitalOcean DNS);",
        "# icecfg down removes the record again unless keep-dns is true.",
        f"domain = {q(choices.hostname)}",
        "keep-dns = false",
        "dns-ttl = 60",
        "",
        "# Files the image needs besides icecast.xml: server path = local file (relative to this file).",
        f"# {CERTIFICATE_FILE}: the certificate chain and private key for {choices.hostname} in one PEM file.",
        f"# {fallback}: played while the live source is off; encode it like the live stream",
        f"# ({choices.format}, {choices.bitrate} kbit/s), e.g. {encode}",
        "[bake.assets]",
        f"{q(CERTIFICATE)} = {q(CERTIFICATE_FILE)}",
        f"{q(WEBROOT + choices.fallback)} = {q(fallback)}",
    ]
    return "\n".join(lines) + "\n"


def _ask(prompt: str) -> str:
    print(prompt, end="", flush=True)
    line = sys.stdin.readline()
    if not line:
        raise UsageError("no answer (end of input)")
    return line.strip()


def _interactive() -> bool:
    try:
        return sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False


def run(args: argparse.Namespace) -> int:
    try:
        return _run(args)
    except UsageError as err:
        print(f"icecfg init: {err}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as err:
        where = f"{err.filename}: " if err.filename else ""
        print(f"icecfg init: {where}{err.strerror or err}", file=sys.stderr)
        return EXIT_FAILED


def _run(args: argparse.Namespace) -> int:
    from icecfg import io
    from icecfg.lint import lint

    directory = Path(args.directory)
    if os.path.lexists(directory) and not directory.is_dir():  # a file, or a symlink to none or to a file
        raise UsageError(f"{directory}: not a directory (DIR is where icecast.xml and icecfg.toml are written)")
    config_path = directory / CONFIG_NAME
    settings_path = directory / SETTINGS_NAME
    existing = [p for p in (config_path, settings_path) if p.exists()]
    if existing and not args.force:
        names = " and ".join(str(p) for p in existing)
        print(
            f"icecfg init: {names} already exist{'s' if len(existing) == 1 else ''}; --force overwrites",
            file=sys.stderr,
        )
        return EXIT_FAILED

    hostname = args.hostname
    if hostname is None:
        if not _interactive():
            raise UsageError("no --hostname given (the public DNS name listeners use, e.g. radio.example.org)")
        hostname = _ask("Public hostname of the stream (e.g. radio.example.org): ")
    hostname = check_hostname(hostname)
    privacy = args.privacy_logs
    if privacy is None:
        privacy = _interactive() and _ask("Discard the access log with listeners' IP addresses? [y/N] ").lower() in (
            "y",
            "yes",
        )
    choices = Choices(
        hostname=hostname,
        target=args.target,
        privacy_logs=bool(privacy),
        format=args.format,
        bitrate=args.bitrate,
        port=args.port,
        tls_port=args.tls_port,
        mount=args.mount,
        admin=args.admin,
        location=args.location,
    )
    try:
        cfg = build_config(choices)
        settings = settings_text(choices, args.region, args.size)
        parse_settings(settings, settings_path)
    except (InvalidAssignmentError, SettingsError) as err:  # an option icecfg could not read back as given
        raise UsageError(f"{err}; nothing written") from None
    findings = lint(cfg, target=choices.target, files=False, select=lint_selection(choices))
    if findings:  # a bug in build_config: never write a configuration that does not lint clean
        first = findings[0]
        print(f"icecfg init: the generated configuration fails {first.code}: {first.message}", file=sys.stderr)
        return EXIT_FAILED

    directory.mkdir(parents=True, exist_ok=True)
    # through symlinks, keeping owner and group (Debian's root:icecast): only others lose access
    write_bytes_atomic(config_path, io.dumps(cfg), private=True)
    write_bytes_atomic(settings_path, settings.encode("utf-8"))

    fallback = choices.fallback.lstrip("/")
    mode = stat.S_IMODE(config_path.stat().st_mode)
    print(f"wrote {config_path} (mode {mode:04o}: it holds the source and admin passwords)")
    print(f"wrote {settings_path}")
    from icecfg.spec import Dialect

    print(f"  target {Dialect(choices.target).label}, hostname {hostname}")
    if choices.target == Dialect.V24.value:
        # what a new station most needs to know about the default: it is the release on its way out
        print("  Xiph's support for Icecast 2.4.4 ends with 2026: --target 2.5 builds Icecast 2.5.0 into the image")
    print(f"  http://{hostname}:{choices.port}/ and https://{hostname}:{choices.tls_port}/")
    print(f"  live mount {choices.live_mount} ({choices.format}, {choices.bitrate} kbit/s), falls back to {fallback}")
    print(f"  access log: {'discarded' if choices.privacy_logs else 'kept'}")
    print("next:")
    print(f"  1. put the certificate chain and key for {hostname} into {directory / CERTIFICATE_FILE}")
    encode = FORMATS[choices.format][2].format(bitrate=choices.bitrate, file=directory / fallback)
    print(f"  2. make the fallback file: {encode}")
    print(f"  3. icecfg lint {config_path}; icecfg bake --config {config_path}")
    print(f"  4. icecfg up --config {config_path}; stream; icecfg down")
    return EXIT_OK
