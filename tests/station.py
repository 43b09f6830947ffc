"""A station as ``icecfg init`` makes it, served by the real icecast2 2.4.4, and the CLI to drive it.

Shared by the init, status, up/down, cost, wheel and bake tests: the
generated configuration's ports, paths and certificate are moved into an
oracle sandbox through the model (``relocate``), icecast2 is started on it
(``served_station``), and a player can stay connected to a mount
(``Listener``).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import icecfg
from icecfg import cli
from icecfg.ondemand.init import discard_log_name
from tests import audio, oracle

HOST = "radio.example.org"


def _wired(command: str) -> bool:
    parser = cli.build_parser()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return command in action.choices
    return False


def run_icecfg(*argv: str) -> int:
    """``icecfg ARGV``: through the CLI once it has the command, else through the command's module."""
    if _wired(argv[0]):
        return cli.main(list(argv))
    module = importlib.import_module(f"icecfg.ondemand.{argv[0]}")
    parser = argparse.ArgumentParser(prog=f"icecfg {argv[0]}")
    module.add_arguments(parser)
    result: int = module.run(parser.parse_args(list(argv[1:])))
    return result


def init_dir(directory: Path, *extra: str) -> Path:
    """Run ``icecfg init`` into ``directory`` and return the path of icecast.xml."""
    assert run_icecfg("init", str(directory), "--hostname", HOST, *extra) == 0
    return directory / "icecast.xml"


def relocate(cfg: icecfg.IcecastConfig, box: oracle.Sandbox, port: int, tls_port: int) -> icecfg.IcecastConfig:
    """The same configuration on free loopback ports, with its paths and certificate inside ``box``."""
    plain, secure = cfg.listen_sockets
    plain.port, secure.port = port, tls_port
    plain.bind_address = secure.bind_address = "127.0.0.1"
    cfg.paths.basedir = str(box.root)
    cfg.paths.logdir = str(box.logdir)
    cfg.paths.webroot = str(box.webroot)
    cfg.paths.adminroot = str(box.adminroot)
    cfg.paths.ssl_certificate = str(oracle.make_tls_pem(box))
    if cfg.logging.accesslog != "access.log":
        cfg.logging.accesslog = discard_log_name(str(box.logdir))
    return cfg


@dataclass
class Station:
    """What ``icecfg init`` wrote (``config``, moved to free loopback ports) and the icecast2 serving it."""

    config: Path
    port: int
    tls_port: int
    password: str
    box: oracle.Sandbox
    server: oracle.IcecastServer


@contextlib.contextmanager
def served_station(directory: Path, *extra: str, name: str = "icecast") -> Iterator[Station]:
    """``icecfg init`` into ``directory``, the file relocated into a sandbox, and icecast2 on it for the block.

    The file at ``Station.config`` is the relocated one, so a command given
    ``--config`` talks to the running server.
    """
    path = init_dir(directory, *extra)
    cfg = icecfg.load(path)
    password = cfg.authentication.source_password
    assert password is not None
    with oracle.temporary_sandbox() as box:
        port, tls_port = oracle.free_ports(2)
        box.write("web/fallback.ogg", audio.make_ogg(bitrate_kbps=128).read_bytes())
        relocate(cfg, box, port, tls_port)
        icecfg.dump(cfg, path)
        with oracle.serve(icecfg.dumps(cfg), box, port, name=name) as server:
            yield Station(path, port, tls_port, password, box, server)


def make_certificate(path: Path, common_name: str = HOST, days: int = 90) -> Path:
    """A self-signed certificate and its key in one PEM file at ``path``, as Icecast 2.4 wants it."""
    path.write_bytes(oracle.self_signed_pem(common_name, days))
    return path


class Listener:
    """A player connected to a mount: it keeps the connection open and reads until stopped."""

    def __init__(self, port: int, mount: str) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.sock.sendall(f"GET {mount} HTTP/1.0\r\nHost: 127.0.0.1\r\nUser-Agent: test-player\r\n\r\n".encode())
        self.received = 0
        self.error: BaseException | None = None
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        self.sock.settimeout(0.2)
        while not self.stopped.is_set():
            try:
                chunk = self.sock.recv(65536)
            except TimeoutError:
                continue
            except OSError as err:
                self.error = err
                return
            if not chunk:
                self.error = EOFError("closed by the server")
                return
            self.received += len(chunk)

    def close(self) -> None:
        self.stopped.set()
        self.thread.join(2)
        self.sock.close()
