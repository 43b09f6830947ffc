"""YP listings: the URL each release sends a directory, against explain, ICE917 and migrate.

A directory on 127.0.0.1 records what each server adds.  Every release
waits 60 s after a mount starts before it lists it, so the servers of this
module run at once and the test waits for them together.  Each lays out its
sockets one way (all bound to 127.0.0.1): one socket; two; two and a root
``<port>`` nothing listens on; one with a ``<shoutcast-mount>``, whose
Shoutcast source port (port + 1) is a second socket.  2.4.4 and KH read ``<directory>``; 2.5.0
runs the file ``icecfg migrate`` makes of the 2.4 one (``<yp-directory>``).
"""

from __future__ import annotations

import contextlib
import http.server
import secrets
import threading
import time
import urllib.parse

import icecfg
from tests import audio, oracle
from tests.oracle_checks import findings

SOURCE_PASSWORD = secrets.token_hex(8)
ADMIN_PASSWORD = secrets.token_hex(8)
#: How long a release waits after a mount starts before it lists it (yp.c: 60 s on each), and some.
LISTING_WAIT = 90.0


class Directory:
    """A YP directory on 127.0.0.1: accepts every listing and records it by the path it was sent to."""

    def __init__(self) -> None:
        #: path -> the form fields of each request sent there
        self.requests: dict[str, list[dict[str, list[str]]]] = {}
        requests = self.requests

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length") or 0)).decode()
                requests.setdefault(self.path, []).append(urllib.parse.parse_qs(body))
                self.send_response(200)
                for name, value in (("YPResponse", "1"), ("YPMessage", "OK"), ("SID", "1"), ("TouchFreq", "300")):
                    self.send_header(name, value)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def listed(self, path: str) -> list[str]:
        """The ``listenurl`` of each listing sent to ``path``."""
        return [
            url
            for fields in self.requests.get(path, [])
            if "add" in fields.get("action", [])
            for url in fields["listenurl"]
        ]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


#: layout -> (listen sockets, whether a root <port> is written, whether the first has a <shoutcast-mount>)
LAYOUTS = {
    "one socket": (1, False, False),
    "two sockets": (2, False, False),
    "two sockets, root port": (2, True, False),
    "one socket, shoutcast mount": (1, False, True),  # its Shoutcast source port (port + 1) is a socket too
}


def slug(layout: str) -> str:
    return layout.replace(",", "").replace(" ", "-")


def config(box: oracle.Sandbox, directory: Directory, layout: str, ports: list[int]) -> bytes:
    """The layout's file for ``box``'s release, listing /live.ogg on ``directory`` (2.4's ``<directory>``)."""
    count, root_port, shoutcast = LAYOUTS[layout]
    mount = "<shoutcast-mount>/sc.mp3</shoutcast-mount>" if shoutcast else ""
    extra = "".join(
        f"<listen-socket><port>{port}</port><bind-address>127.0.0.1</bind-address>{mount if i == 0 else ''}"
        "</listen-socket>"
        for i, port in enumerate(ports[:count])
    )
    extra += f"<port>{ports[2]}</port>" if root_port else ""
    url = directory.url(f"/{box.release}/{slug(layout)}")
    extra += f"<directory><yp-url-timeout>5</yp-url-timeout><yp-url>{url}</yp-url></directory>"
    extra += "<mount><mount-name>/live.ogg</mount-name><public>1</public></mount>"
    return oracle.basic_config(box, [], source_password=SOURCE_PASSWORD, admin_password=ADMIN_PASSWORD, extra=extra)


def migrated(data: bytes, layout: str) -> bytes:
    """The 2.4 file as migrate writes it for 2.5, which reports the listing it moves (one socket only)."""
    cfg = icecfg.loads(data)
    migration = icecfg.upgrade(cfg, from_="2.4", files=False)
    moved = [c for c in migration.changes if "lists this server on YP directories as 127.0.0.1:" in c.reason]
    assert len(moved) == (layout == "one socket"), layout
    out = icecfg.dumps(cfg)
    assert b"<yp-directory" in out
    # ICE917 says the same of the migrated file (no other finding of it: the others list <hostname>)
    assert len(findings(out, "2.5", "ICE917")) == (layout == "one socket"), layout
    return out


def test_each_release_lists_the_address_explain_names(
    box24: oracle.Sandbox, box25: oracle.Sandbox, boxkh: oracle.Sandbox
) -> None:
    """2.4.4 and KH list <hostname> with the root <port> (else the first socket's); 2.5.0 the only socket's address."""
    directory = Directory()
    ogg = audio.make_ogg(seconds=5, bitrate_kbps=64)  # the source loops it
    expected: dict[str, str] = {}
    try:
        with contextlib.ExitStack() as running:
            for box in (box24, box25, boxkh):
                for layout in LAYOUTS:
                    ports = oracle.free_ports(2, pairs=1)  # the first one's next: a Shoutcast source port
                    data = config(box, directory, layout, ports)
                    if box is box25:
                        data = migrated(data, layout)
                    explained = icecfg.explain(icecfg.loads(data), box.release)
                    path = f"/{box.release}/{slug(layout)}"
                    expected[path] = (
                        f"http://{explained.advertised_host.value}:{explained.advertised_port.value}/live.ogg"
                    )
                    name = f"yp-{box.release}-{slug(layout)}"
                    server = running.enter_context(oracle.IcecastServer(data, box, wait_port=ports[0], name=name))
                    source = running.enter_context(server.source(ports[0], "/live.ogg", ogg, password=SOURCE_PASSWORD))
                    assert source.accepted, path
            deadline = time.monotonic() + LISTING_WAIT
            while time.monotonic() < deadline and not all(directory.listed(path) for path in expected):
                time.sleep(1)
        listed = {path: directory.listed(path)[:1] for path in expected}
    finally:
        directory.close()
    assert listed == {path: [url] for path, url in expected.items()}
    # and not only what explain says: where each release takes the address from
    for path, (url,) in listed.items():
        lone = path == "/2.5/one-socket"
        assert url.startswith(f"http://{'127.0.0.1' if lone else oracle.HOSTNAME}:"), path
