"""Relay droplets for ``icecfg up --relays N``: more servers that pull every mount from the origin.

A relay is a droplet made from the same snapshot as the origin.  On its first
boot cloud-init runs the ``user_data`` script made here, which replaces the
baked ``icecast.xml`` with a relay configuration and restarts Icecast.  That
configuration is the origin's with:

- a ``<relay>`` per mount of the origin (``server`` the origin's address,
  ``port`` its plain port, ``on-demand`` 0 so the stream is there before the
  first listener): the relay connects to the origin like a listener, so no
  origin password is needed and none is copied;
- new random source and admin passwords (the relay takes no source; its admin
  pages get their own password), no ``relay-user``/``relay-password``, no mount
  source passwords, no master-server settings;
- its own ``<hostname>`` (``relay1.radio.example.org``...), which is also how
  ``up`` recognises the relay configuration once it runs;
- everything else kept: the listen sockets and the TLS certificate of the
  image, and the mounts' fallback to the file in webroot, so listeners of a
  relay hear the fallback if the origin link drops.

The configuration is linted before it is used.  It travels in the droplet's
user data, which DigitalOcean keeps in the droplet's metadata (readable from
the droplet and through the API): it holds the relay's own new passwords and
nothing of the origin's.
"""

from __future__ import annotations

import base64
import re
from typing import Any

__all__ = [
    "RELAY_TAG",
    "config_of_user_data",
    "relay_config",
    "relay_hostname",
    "relay_index",
    "relay_name",
    "user_data",
]

RELAY_TAG = "icecfg-relay"
_NAME = re.compile(r"\Aicecfg-relay(?P<index>[1-9][0-9]*)-")
#: Relays a single ``up`` may add (DigitalOcean creates at most 10 droplets at once).
MAX_RELAYS = 9


def relay_name(index: int, stamp: str) -> str:
    """The droplet name of relay ``index``: ``icecfg-relay<index>-<stamp>``."""
    return f"icecfg-relay{index}-{stamp}"


def relay_index(droplet: Any) -> int | None:
    """The index of a relay droplet (tagged ``icecfg-relay``, named by :func:`relay_name`), else None."""
    if RELAY_TAG not in droplet.tags:
        return None
    match = _NAME.match(droplet.name)
    return int(match["index"]) if match else None


def relay_hostname(base: str, index: int) -> str:
    """``relay<index>.<base>``: the public name of relay ``index`` of the origin ``base``."""
    return f"relay{index}.{base}"


def relay_config(
    origin: Any,
    origin_address: str,
    origin_port: int,
    hostname: str,
    mounts: list[str],
    target: str = "2.4",
    passwords: dict[str, str] | None = None,
) -> Any:
    """The configuration of a relay of ``origin`` (an :class:`icecfg.IcecastConfig`; not modified).

    ``origin_address``/``origin_port`` is where the relay pulls from (the
    origin's plain HTTP socket); ``mounts`` are the mounts to relay.  Raises
    ``ValueError`` if the result does not lint clean for ``target``.
    """
    from icecfg import io, sections
    from icecfg.lint import lint
    from icecfg.ondemand.init import new_password

    if not mounts:
        raise ValueError("the origin declares no mount to relay")
    pw = dict(passwords or {})
    cfg = io.loads(io.dumps(origin))
    cfg.hostname = hostname
    auth = cfg.authentication
    auth.source_password = pw.get("source") or new_password()
    auth.admin_password = pw.get("admin") or new_password()
    if auth.admin_user is None:
        auth.admin_user = "admin"
    del auth.relay_user
    del auth.relay_password
    for name in (
        "source_password",
        "master_server",
        "master_server_port",
        "master_update_interval",
        "master_username",
        "master_password",
        "master_bind",
        "master_relay_auth",
        "master_ssl_port",
        "master_redirect",
        "relays_on_demand",
    ):
        delattr(cfg, name)
    del cfg.relays[:]
    for mount in cfg.mounts:
        del mount.password
        del mount.username
        del mount.relays[:]
    for name in mounts:
        cfg.relays.append(
            sections.Relay(server=origin_address, port=origin_port, mount=name, local_mount=name, on_demand=False)
        )
    # Each relayed stream is a source of the relay: leave room for them, and twice as many listeners.
    # The limits Icecast uses (defaults included) come from the effective configuration.
    from icecfg.effective import explain

    used = explain(cfg, target).limits
    current_sources, current_clients = used.get("sources"), used.get("clients")
    limits = cfg.limits
    sources = max(current_sources if isinstance(current_sources, int) else 0, len(mounts) + 1)
    limits.sources = sources
    if not isinstance(current_clients, int) or current_clients <= 2 * sources:
        limits.clients = 2 * sources + 100
    findings = [f for f in lint(cfg, target=target, files=False) if f.severity.value in ("error", "warning")]
    if findings:
        first = findings[0]
        raise ValueError(f"the relay configuration fails {first.code}: {first.message}")
    return cfg


def user_data(config: bytes) -> str:
    """A cloud-init script that installs ``config`` as /etc/icecast2/icecast.xml and restarts Icecast."""
    encoded = base64.encodebytes(config).decode("ascii")
    return (
        "#!/bin/sh\n"
        "# Written by icecfg up: makes this droplet from the icecfg snapshot a relay.\n"
        "set -eu\n"
        "umask 027\n"
        "new=/etc/icecast2/icecast.xml.icecfg-relay\n"
        "base64 -d >\"$new\" <<'ICECFG_RELAY'\n"
        f"{encoded}"
        "ICECFG_RELAY\n"
        'chown root:icecast "$new"\n'
        'chmod 0640 "$new"\n'
        'mv -f "$new" /etc/icecast2/icecast.xml\n'
        "systemctl restart icecast2.service\n"
    )


def config_of_user_data(text: str) -> bytes:
    """The configuration inside a :func:`user_data` script."""
    body = text.split("<<'ICECFG_RELAY'\n", 1)[1].split("ICECFG_RELAY\n", 1)[0]
    return base64.b64decode(body)
