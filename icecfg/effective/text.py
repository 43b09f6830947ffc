"""``icecfg explain`` as text: what the server will do, at a glance, with where each value comes from."""

from __future__ import annotations

import enum
import textwrap

from icecfg.effective.auth import ListenerAuth, known_default, mask, mount_listener_auth
from icecfg.effective.chains import End, FallbackChain
from icecfg.effective.config import EffectiveConfig
from icecfg.effective.declared import FORMAT_WORDS
from icecfg.effective.listeners import Listener, Protocol
from icecfg.effective.mounts import MountConfig
from icecfg.effective.provenance import Origin, Source, Traced
from icecfg.effective.security import Security
from icecfg.files import DIRECTORY, UNREADABLE
from icecfg.spec import Dialect

_PROTOCOL = {
    Protocol.PLAIN: "plain HTTP",
    Protocol.TLS: "TLS (HTTPS)",
    Protocol.DETECT: "plain HTTP or TLS (detected per connection)",
    Protocol.TLS_REQUIRED: "TLS required (plain HTTP gets 426)",
    Protocol.TLS_UPGRADE: "plain HTTP that must upgrade to TLS (RFC 2817), else 426",
    Protocol.PLAIN_DOWNGRADED: "plain HTTP (TLS asked for, certificate unusable)",
    Protocol.REFUSED: "nothing usable (TLS asked for, no usable certificate)",
}
#: Mount settings shown in the overview (the JSON output has them all).
_MOUNT_KEYS = (
    "max-listeners",
    "max-listener-duration",
    "public",
    "hidden",
    "burst-size",
    "queue-size",
    "source-timeout",
    "bitrate",
    "type",
    "dump-file",
    "intro",
    "no-mount",
    "allow-direct-access",
)


def _from(origin: Origin) -> str:
    return origin.describe()


def _value(traced: Traced[object]) -> str:
    value = traced.value
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "-" if value is None else str(value)


def _listener(listener: Listener) -> list[str]:
    port = (
        "dropped"
        if listener.port is None
        else (f"{listener.port} (random)" if listener.port == 0 else str(listener.port))
    )
    bind = listener.bind or "all interfaces"
    what = _PROTOCOL[listener.protocol]
    if listener.shoutcast_compat:
        what += ", Shoutcast sources only"
    if not listener.binds:
        what = "NOT BOUND: the address is no numeric IP address"
    elif listener.lost:
        what = f"NOT OPENED: {listener.lost}"
    lines = [f"  port {port:<6} on {bind:<16} {what}"]
    lines.append(f"      port: {_from(listener.port_origin)}; protocol: {_from(listener.protocol_origin)}")
    if listener.shoutcast_port is not None and listener.binds:
        # a socket of its own: opened even when the socket above is not
        what = f"Shoutcast sources for {listener.shoutcast_mount_name} (port + 1 of <shoutcast-mount>)"
        if listener.shoutcast_lost:
            what = f"NOT OPENED: {listener.shoutcast_lost}"
        lines.append(f"  port {listener.shoutcast_port:<6} on {bind:<16} {what}")
    return lines


#: What the server does with a fallback file it cannot send, as a hop's label says it.
_FILE_PROBLEM = {UNREADABLE: "CANNOT BE READ: 404", DIRECTORY: "A DIRECTORY: plays nothing"}


def _chain(chain: FallbackChain) -> list[str]:
    if not chain.hops:
        return ["    fallback: none: listeners get 404 while the source is away"]
    steps = [chain.mount]
    for hop in chain.hops:
        label = hop.kind
        if hop.kind == "file" and hop.exists is not None:
            label += ", exists" if hop.exists and not hop.problem else f", {_FILE_PROBLEM.get(hop.problem, 'MISSING')}"
        steps.append(f"{hop.name} ({label})")
    ends = {
        End.CYCLE: " (loops)",
        End.DEPTH: " (longer than Icecast follows)",
        End.NOT_ABSOLUTE: " (no leading /: no file)",
    }
    gets = chain.gets
    override = _value(chain.override)
    got = gets if gets is not None else "404"
    if chain.file_rate == 0:
        got += " (Icecast-KH has no rate to send the file at)"
    elif gets is not None and chain.file_rate:
        got += f", sent at {chain.file_rate} bytes/s"  # KH alone sends a fallback file at a rate
    lines = [
        "    fallback: " + " -> ".join(steps) + ends.get(chain.end, ""),
        f"      from {_from(chain.hops[0].origin)}; override {override}; when full {_value(chain.when_full)}",
        f"      without a source listeners get: {got}",
    ]
    if chain.dropped_at is not None:
        name, other, own = chain.dropped_at
        lines.append(
            f"      when the source stops its listeners are dropped, not moved: {name} is "
            f"{FORMAT_WORDS[other]}, the mount {FORMAT_WORDS[own]} (ICE606)"
        )
    return lines


def _mount(eff: EffectiveConfig, mount: MountConfig) -> list[str]:
    where = f"line {mount.element.line}" if mount.element.line else "created"
    lines = [f"  {mount.label}  ({where})"]
    if mount.merged_from is not None:
        lines.append(f"    inherits unset settings from the default mount at line {mount.merged_from.element.line}")
    shown = []
    for key in _MOUNT_KEYS:
        found = mount.settings.get(key)
        if found is None or (found.origin.source is Source.DEFAULT and key not in ("max-listeners",)):
            continue
        text = "unlimited" if key == "max-listeners" and found.value == -1 else _value(found)
        shown.append(f"{key} {text} [{_from(found.origin)}]")
    for item in shown:
        lines.append(f"    {item}")
    for asked in mount_listener_auth(mount):
        note = f" ({asked.note})" if asked.note else ""
        lines.append(f"    listeners log in: {_auth_kind(asked)}{note} [{_from(asked.origin)}]")
    lines.extend(_mount_headers(eff, mount))
    if mount.kind == "normal" and mount.name is not None:
        lines.extend(_chain(eff.chain(mount)))
    return lines


def _auth_kind(asked: ListenerAuth) -> str:
    """The authenticator's type, or a 2.5 role stack's roles in the order they are asked."""
    return f"roles {asked.role_words}" if asked.roles else asked.kind


def _mount_headers(eff: EffectiveConfig, mount: MountConfig) -> list[str]:
    """The headers a listener of the mount gets besides those on every response, and the ones it does not get.

    The server-wide headers are listed once, under "Headers on every
    response"; a mount's line names only what differs for it (its own
    headers; on KH a server-wide header written after the ``<mount>`` or one
    its own replaces), so a file with many of each stays readable.
    """
    changes = eff.mount_header_changes(mount)
    late = changes.not_copied
    if not changes.sent and not changes.dropped and late is None:
        return []
    also = " (and those on every response)" if eff.headers.sent else ""
    lines = ["    headers: " + (", ".join(changes.names()) or "none of its own") + also]
    for dropped in changes.dropped:
        lines.append(f"      NOT SENT {dropped.name}: {dropped.reason} [{_from(dropped.origin)}]")
    if late is not None and late.count == 1:
        lines.append(f"      NOT SENT {late.first.name}: {late.reason} [{_from(late.first.origin)}]")
    elif late is not None:
        lines.append(
            f"      NOT SENT {late.count} server-wide headers, {late.first.name} [{_from(late.first.origin)}] to "
            f"{late.last.name} [{_from(late.last.origin)}]: written after this <mount>; Icecast-KH copies the "
            "server-wide headers into a mount as it reads the <mount>, so these do not reach it"
        )
    return lines


def _owner(guard: Security) -> str:
    """Whom a server started as root runs as: ``<changeowner>`` switches only what the release sets."""
    if not guard.changeowner:
        return ", no <changeowner>"
    user, group = (_value(name) if name is not None and name.value else "?" for name in (guard.user, guard.group))
    if guard.switches_group:
        return f", runs as {user}:{group}"
    if guard.switches_user:
        return f", runs as user {user}, group not switched (started as root: root's group)"
    return f", <changeowner> {user}:{group} switches no user: started as root, Icecast {guard.started_as_root}"


def _certificate_facts(eff: EffectiveConfig) -> list[str]:
    """What the certificate file holds, when the files were looked at."""
    tls = eff.tls
    pem = tls.certificate_file.pem if tls.certificate_file is not None else None
    if pem is None:
        return []
    out = []
    if pem.validity is not None:
        before, after = pem.validity
        names = ", ".join(pem.names) or "no host name"
        out.append(f"    valid {before:%Y-%m-%d} to {after:%Y-%m-%d} UTC, for {names}")
        if pem.missing_issuer is not None and pem.issuer_name_only:
            out.append(
                f"    sent without its chain: the file holds a certificate named {pem.missing_issuer}, "
                "but its key did not sign the server certificate"
            )
        elif pem.missing_issuer is not None:
            out.append(f"    sent without its chain: the file holds no certificate of its issuer {pem.missing_issuer}")
        if eff.certificate_names_hostname is False:
            out.append(
                f"    not for <hostname> {eff.dns_hostname}: clients connecting to https://{eff.dns_hostname} "
                "refuse the handshake"
            )
        if eff.certificate_names_domain is False:
            out.append(
                f"    not for the domain {eff.dns_domain} ([bake] domain): clients connecting to "
                f"https://{eff.dns_domain} refuse the handshake"
            )
    elif pem.certificate_blocks:
        out.append(f"    the first certificate does not decode: {pem.certificate_error}")
    key = tls.key_file.pem if tls.key_file is not None else None
    if key is not None and key.key_encrypted:
        out.append("    the private key is encrypted with a passphrase")
    elif tls.key_matches is False:
        out.append("    the private key does not belong to the certificate")
    return out


def render(eff: EffectiveConfig, reveal_secrets: bool = False) -> str:
    """The text report of ``eff``."""
    out = [f"{eff.path or '<config>'} as {eff.target.label} runs it", ""]
    for problem in eff.startup_problems:
        out.append(f"DOES NOT START: {problem}")
    for note in eff.notes:
        out.extend(textwrap.wrap(f"NOTE: {note}", width=100, subsequent_indent="  ", break_on_hyphens=False))
    if eff.startup_problems or eff.notes:
        out.append("")
    out.append("Listeners")
    for listener in eff.listeners:
        out.extend(_listener(listener))
    host, port = eff.advertised_host, eff.advertised_port
    # 2.5 writes a request's own socket into its playlist: what it advertises is the YP listing
    label = "YP listings name" if eff.target is Dialect.V25 else "URLs name"
    what = "hostname" if host is eff.hostname else "the only socket's address"
    out.append(f"  {label} {_value(host)}:{_value(port)} ({what}: {_from(host.origin)}; port: {_from(port.origin)})")
    tls = eff.tls
    if tls.certificate is not None:
        unchecked = "not checked (no --root or [bake.assets])"
        state = {True: "usable", False: f"UNUSABLE: {tls.problem}", None: unchecked}[tls.usable]
        out.append(f"  certificate {tls.certificate.value} [{_from(tls.certificate.origin)}]: {state}")
        out.extend(_certificate_facts(eff))
    out.append("")
    out.append("Mounts")
    if not eff.mounts.mounts:
        out.append("  none configured: every source may create any mount")
    for mount in eff.mounts.mounts:
        out.extend(_mount(eff, mount))
    out.append("")
    out.append("Limits")
    for name, value in eff.limits.values.items():
        out.append(f"  {name:<20} {_value(value):<10} [{_from(value.origin)}]")
    out.append("")
    out.append("Who can log in")
    for login in eff.auth.logins:
        scope = login.scope
        if login.password is None:
            out.append(f"  {login.role:<9} {scope:<16} nobody ({_from(login.user.origin)})")
            continue
        secret = str(login.password.value or "")
        shown = (secret if reveal_secrets else mask(secret)) or '"" (empty)'
        if (origin := known_default(secret)) is not None:
            shown += f" ({origin})"
        out.append(
            f"  {login.role:<9} {scope:<16} user {_value(login.user)}, password {shown} "
            f"[{_from(login.password.origin)}]"
        )
    for opened in eff.auth.open_admin:
        what = "every admin command" if opened.commands == ("*",) else ", ".join(opened.commands)
        out.append(
            f"  {'admin':<9} {opened.mount or 'server':<16} ANYONE, without a login: {what} "
            f"(the anonymous role at line {opened.role.line})"
        )
    for listener_auth in eff.auth.listener_auth:
        note = f" ({listener_auth.note})" if listener_auth.note else ""
        out.append(
            f"  listeners of {listener_auth.mount}: {_auth_kind(listener_auth)}{note} [{_from(listener_auth.origin)}]"
        )
    out.append("")
    logging = eff.logging
    out.append(
        f"Logs (logdir {_value(logging.logdir)} [{_from(logging.logdir.origin)}], "
        f"level {_value(logging.level)}: {logging.level_meaning})"
    )
    for log in logging.logs:
        where = {"file": log.outside or "", "stderr": "stderr", "off": "off", "discarded": "discarded (/dev/null)"}
        text = where.get(log.destination, f"FATAL: {log.note}")
        if log.destination == "file" and log.note:
            text += f" ({log.note})"
        out.append(f"  {log.kind:<9} {text}")
    out.append("")
    if eff.headers.sent or eff.headers.dropped:
        kh_late = eff.target is Dialect.KH and bool(eff.kh_header_blocks_before)
        out.append(
            "Headers on every response" + (" (on a mount's only if written before its <mount>)" if kh_late else "")
        )
        for header in eff.headers.sent:
            status = f" (status {header.status})" if header.status else ""
            out.append(f"  {header.name}: {header.value or ''}{status} [{_from(header.origin)}]")
        for dropped in eff.headers.dropped:
            out.append(f"  NOT SENT {dropped.name}: {dropped.reason} [{_from(dropped.origin)}]")
        out.append("")
    guard = eff.security
    out.append(
        f"Security: chroot {_value(guard.chroot)}"
        + (f" to {_value(guard.basedir)}" if guard.chrooted else "")
        + _owner(guard)
    )
    for relay in eff.relays:
        out.append(
            f"Relay {_value(relay.server)}:{_value(relay.port)}{_value(relay.mount)} -> {relay.local_mount}"
            f" (on demand: {_value(relay.on_demand)})"
        )
    master = eff.master
    if master is not None:
        state = "relays every mount" if master.relaying else f"OFF: no {', '.join(master.missing)}"
        out.append(f"Master {_value(master.server)}:{_value(master.port)}: {state}")
    for directory in eff.directories:
        timeout = f", timeout {_value(directory.timeout)}s" if directory.timeout else ""
        out.append(f"YP directory {_value(directory.url)}{timeout}")
    return "\n".join(out) + "\n"
