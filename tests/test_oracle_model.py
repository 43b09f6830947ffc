"""Configurations written through the model, checked against the real icecast2 2.4.4.

The model is only useful if what it writes is a configuration Icecast runs
as intended.  These tests build a configuration from nothing with the model,
and edit every sample configuration Debian ships with the model (ports,
paths, hostname), then start the real server on the result and check that
it listens where the model said, writes its pid where the model said, takes
a source with the credentials the model holds and refuses wrong ones.  The
edits must also stay surgical: the dumped sample differs from the original
only on the lines of the edited elements.
"""

from __future__ import annotations

import difflib
import re
import secrets
from pathlib import Path

import pytest

import icecfg
from tests import oracle
from tests.samples import samples

SAMPLES = samples()

#: Mount the sample tests stream to; no sample configures it, so only the
#: global source credentials apply to it.
ORACLE_MOUNT = "/oracle-model.ogg"

#: Elements the sample edits may touch; every changed line must name one.
EDITED_ELEMENTS = (
    "hostname",
    "port",
    "bind-address",
    "logdir",
    "webroot",
    "adminroot",
    "basedir",
    "pidfile",
    "changeowner",
    "user",
    "group",
)


# --------------------------------------------------------------------------- helpers


def indentation(line: str) -> str:
    return line[: len(line) - len(line.lstrip())]


def changed_lines(before: bytes, after: bytes) -> tuple[list[str], list[str]]:
    """The removed and added lines between two documents (difflib, no context)."""
    removed: list[str] = []
    added: list[str] = []
    diff = difflib.unified_diff(before.decode().splitlines(), after.decode().splitlines(), lineterm="", n=0)
    for line in diff:
        if line.startswith(("---", "+++", "@@")):
            continue
        if line.startswith("-"):
            removed.append(line[1:])
        elif line.startswith("+"):
            added.append(line[1:])
    return removed, added


def names_an_edited_element(line: str) -> bool:
    tags = re.findall(r"</?([A-Za-z][\w.-]*)", line)
    return bool(tags) and all(tag in EDITED_ELEMENTS for tag in tags)


# --------------------------------------------------------------------------- built from scratch


def test_config_built_from_scratch_runs(ogg: Path) -> None:
    source_password = secrets.token_hex(8)
    admin_password = secrets.token_hex(8)
    mount_password = secrets.token_hex(8)
    first, second = oracle.free_ports(2)
    with oracle.temporary_sandbox() as box:
        cfg = icecfg.IcecastConfig(
            hostname="127.0.0.1",
            location="model test bench",
            admin="model@example.invalid",
            limits=icecfg.Limits(clients=20, sources=3, queue_size=524288, burst_size=65535),
            authentication=icecfg.Authentication(
                source_password=source_password, admin_user="boss", admin_password=admin_password
            ),
            listen_sockets=[
                icecfg.ListenSocket(port=first, bind_address="127.0.0.1"),
                icecfg.ListenSocket(port=second, bind_address="127.0.0.1"),
            ],
            paths=icecfg.Paths(
                logdir=str(box.logdir),
                webroot=str(box.webroot),
                adminroot=str(box.adminroot),
                pidfile=str(box.root / "icecast.pid"),
            ),
            logging=icecfg.Logging(accesslog="access.log", errorlog="error.log", loglevel=3),
            mounts=[icecfg.Mount(mount_name="/model.ogg", username="dj", password=mount_password, max_listeners=7)],
        )
        cfg.fileserve = True
        data = icecfg.dumps(cfg)
        # What the server will read, read back through the model.
        again = icecfg.loads(data)
        assert [(s.port, s.bind_address) for s in again.listen_sockets] == [
            (first, "127.0.0.1"),
            (second, "127.0.0.1"),
        ]
        assert again.mounts[0].password == mount_password
        assert again.mounts[0].max_listeners == 7

        with oracle.IcecastServer(data, box, wait_port=first, name="scratch") as server:
            for port in (first, second):
                resp = server.http_get(port, "/status-json.xsl")
                assert resp.status == 200, resp
                stats = server.status_json(port)["icestats"]
                assert stats["host"] == "127.0.0.1"
                assert stats["location"] == "model test bench"
                assert stats["admin"] == "model@example.invalid"
                assert stats["source"] == []
            # location, admin and a non-localhost hostname are set: no startup warnings
            assert server.stderr() == "", server.stderr()
            assert (box.root / "icecast.pid").read_text().strip() == str(server.pid)
            # <fileserve>1</fileserve> (a True the model wrote as 1, which is what 2.4.4 understands)
            assert server.http_get(first, "/style.css").status == 200

            # The admin credentials the model wrote are the ones the server wants.
            assert server.http_get(first, "/admin/stats").status == 401
            assert server.http_get(first, "/admin/stats", auth=("boss", "x" + admin_password)).status == 401
            assert server.http_get(first, "/admin/stats", auth=("boss", admin_password)).status == 200

            # The mount's own credentials replace the global ones for that mount.
            with oracle.SourceClient(first, "/model.ogg", ogg, user="dj", password="x" + mount_password) as bad:
                assert bad.status == 401, (bad.status, bad.response_body)
            with oracle.SourceClient(first, "/model.ogg", ogg, password=source_password) as glob:
                assert glob.status == 401, (glob.status, glob.response_body)
            assert "/model.ogg" not in oracle.listed_mounts(first)

            with oracle.SourceClient(first, "/model.ogg", ogg, user="dj", password=mount_password) as src:
                assert src.accepted, (src.status, src.response_body)
                entry = server.wait_mount(second, "/model.ogg", fields=("server_type",))
                assert entry["server_type"] == "application/ogg"
                assert server.admin_source(first, "/model.ogg", ("boss", admin_password))["max_listeners"] == "7"

                # Another mount still takes the global source password.
                with oracle.SourceClient(second, "/other.ogg", ogg, password=source_password) as other:
                    assert other.accepted, (other.status, other.response_body)
                    server.wait_mount(first, "/other.ogg", 5)
            assert server.running


# --------------------------------------------------------------------------- Debian samples


def move_ports(cfg: icecfg.IcecastConfig) -> list[tuple[int, bool]]:
    """Give every listener a fresh port on 127.0.0.1; return ``(port, shoutcast_compat)`` of each.

    Ports keep their relative layout: a socket whose old port was another
    socket's port + 1 (an explicit shoutcast-compat partner) gets that
    socket's new port + 1, and ``<shoutcast-mount>`` sockets get a port whose
    + 1 is free for the compat listener 2.4.4 adds.
    """
    sockets = list(cfg.listen_sockets)
    if not sockets:
        (base,) = oracle.free_ports(0, pairs=1)
        cfg.port = base
        cfg.bind_address = "127.0.0.1"
        return [(base, False)]
    old = [s.port if s.port is not None else 8000 for s in sockets]
    bases = iter(oracle.free_ports(0, pairs=len(sockets)))
    mapping: dict[int, int] = {}
    for port in sorted(set(old)):
        if port in mapping:
            continue
        mapping[port] = next(bases)
        if port + 1 in old and port + 1 not in mapping:
            mapping[port + 1] = mapping[port] + 1
    listeners: list[tuple[int, bool]] = []
    for s, port in zip(sockets, old, strict=True):
        s.port = mapping[port]
        s.bind_address = "127.0.0.1"
        compat = bool(s.shoutcast_compat)
        listeners.append((mapping[port], compat))
        if s.shoutcast_mount is not None and not compat:
            listeners.append((mapping[port] + 1, True))
    return listeners


def source_credentials(cfg: icecfg.IcecastConfig) -> tuple[str, str, str]:
    """``(mount, user, password)`` a source can use with this configuration.

    The global source password (user ``source``) on a mount no ``<mount>``
    configures; if there is none, a normal mount with its own password and
    no listener authentication.
    """
    password = cfg.authentication.source_password or cfg.source_password
    configured = {m.mount_name for m in cfg.mounts}
    assert ORACLE_MOUNT not in configured
    if password is not None:
        return ORACLE_MOUNT, "source", password
    for mount in cfg.mounts:
        if mount.mount_type in (None, "normal") and mount.password and not mount.authentication.exists:
            assert mount.mount_name is not None
            return mount.mount_name, mount.username or "source", mount.password
    raise AssertionError("the sample has no source credentials")


def move_paths(cfg: icecfg.IcecastConfig, box: oracle.Sandbox) -> Path:
    """Point every path of the configuration into the sandbox; return the pid file's path."""
    cfg.hostname = "127.0.0.1"
    cfg.paths.logdir = str(box.logdir)
    cfg.paths.webroot = str(box.webroot)
    cfg.paths.adminroot = str(box.adminroot)
    if cfg.paths.basedir is not None:
        cfg.paths.basedir = str(box.root)
    pidfile = box.root / "icecast.pid"
    cfg.paths.pidfile = str(pidfile)
    return pidfile


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_debian_sample_runs_after_model_edits(name: str, ogg: Path) -> None:
    original = SAMPLES[name]
    cfg = icecfg.loads(original)
    mounts_before = [m.to_dict() for m in cfg.mounts]
    with oracle.temporary_sandbox() as box:
        listeners = move_ports(cfg)
        pidfile = move_paths(cfg, box)
        if cfg.security.changeowner.exists:
            cfg.security.changeowner = None
        data = icecfg.dumps(cfg)

        # Only the edited elements changed, each indented like its neighbours.
        removed, added = changed_lines(original, data)
        assert added, "the edits changed nothing"
        stray = [line for line in removed + added if not names_an_edited_element(line)]
        assert not stray, f"lines outside the edited elements changed: {stray}"
        new_lines = data.decode().splitlines()
        for line in added:
            where = new_lines.index(line)
            neighbours = [
                new_lines[i] for i in (where - 1, where + 1) if 0 <= i < len(new_lines) and new_lines[i].strip()
            ]
            assert indentation(line) in {indentation(n) for n in neighbours}, (line, neighbours)

        # Everything not edited reads back as the sample had it.
        edited = icecfg.loads(data)
        assert [m.to_dict() for m in edited.mounts] == mounts_before
        assert edited.authentication.to_dict() == icecfg.loads(original).authentication.to_dict()
        assert edited.paths.logdir == str(box.logdir)
        assert edited.paths.pidfile == str(pidfile)
        assert not edited.security.changeowner.exists

        http_ports = [port for port, compat in listeners if not compat]
        compat_ports = [port for port, compat in listeners if compat]
        shoutcast_sockets = [s for s in cfg.listen_sockets if s.shoutcast_mount and not s.shoutcast_compat]
        assert len(compat_ports) >= len(shoutcast_sockets)
        with oracle.IcecastServer(data, box, wait_port=http_ports[0], name="sample") as server:
            for port in http_ports:
                resp = server.http_get(port, "/status-json.xsl")
                assert resp.status == 200, (port, resp)
                assert server.status_json(port)["icestats"]["host"] == "127.0.0.1"
            for port in compat_ports:
                assert oracle.tcp_connects(port), f"shoutcast-compat port {port} refuses connections"
            assert pidfile.read_text().strip() == str(server.pid)
            stderr = server.stderr()
            # hostname is no longer localhost, and there is no user change to attempt
            assert "<hostname>" not in stderr, stderr
            assert "change user id" not in stderr, stderr

            mount, user, password = source_credentials(cfg)
            with oracle.SourceClient(http_ports[0], mount, ogg, user=user, password=password) as src:
                assert src.accepted, (src.status, src.response_body, server.error_log())
                entry = server.wait_mount(http_ports[-1], mount, fields=("server_type",))
                assert entry["server_type"] == "application/ogg"
            with oracle.SourceClient(http_ports[0], mount, ogg, user=user, password="x" + password) as bad:
                assert bad.status == 401, (bad.status, bad.response_body)

            # A Shoutcast source on port + 1 lands on the socket's <shoutcast-mount>.
            for sc in shoutcast_sockets:
                assert sc.port is not None and sc.shoutcast_mount is not None
                with oracle.shoutcast_source(sc.port + 1, password, ogg.read_bytes()) as answer:
                    assert answer.startswith(b"OK2"), answer
                    server.wait_mount(sc.port, sc.shoutcast_mount, 5)
            assert server.running


def test_changeowner_added_and_removed_through_the_model() -> None:
    """No sample enables <changeowner>, so add it to one with the model, observe it, remove it.

    Not running as root, 2.4.4 does not exit on <changeowner>: it warns that
    it cannot change the user id and keeps running as it is.  Removing the
    block again must give back the bytes from before it was added.
    """
    original = SAMPLES["icecast.xml.dist.gz"]
    cfg = icecfg.loads(original)
    with oracle.temporary_sandbox() as box:
        listeners = move_ports(cfg)
        move_paths(cfg, box)
        without = icecfg.dumps(cfg)
        assert not cfg.security.changeowner.exists
        cfg.security.changeowner = icecfg.Changeowner(user="nobody", group="nogroup")
        assert cfg.security.changeowner.exists
        with_block = icecfg.dumps(cfg)
        removed, added = changed_lines(without, with_block)
        assert removed == []
        assert [line.strip() for line in added] == [
            "<changeowner>",
            "<user>nobody</user>",
            "<group>nogroup</group>",
            "</changeowner>",
        ]
        assert icecfg.loads(with_block).security.chroot is False

        port = listeners[0][0]
        with oracle.IcecastServer(with_block, box, wait_port=port, name="changeowner") as server:
            assert server.http_get(port, "/status-json.xsl").status == 200
            assert "Can't change user id unless you are root." in server.stderr(), server.stderr()

        cfg.security.changeowner = None
        assert not cfg.security.changeowner.exists
        assert icecfg.dumps(cfg) == without
