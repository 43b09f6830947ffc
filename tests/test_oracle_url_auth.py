"""ICE514, ICE515 and explain on url authenticators, shown on 2.4.4, 2.5.0 and kh22.

A backend on loopback refuses every listener it is asked about (it answers
without the header that lets one in) and records what it is asked.  Each
mount has a url authenticator written one way: with the add URL the
release reads (the backend is asked, its refusal stands), or with that
option misspelt, under the other generation's name, missing (only
``mount_add``) or absent altogether.  Where lint says the authenticator asks
nobody and explain calls the mount public, a listener gets the stream and
the backend hears nothing of it; ``lint --fix`` renames the option, and the
fixed file asks the backend again.
"""

from __future__ import annotations

import contextlib
import http.server
import secrets
import threading
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest

import icecfg
from icecfg.effective.auth import mount_listener_auth
from icecfg.spec import Dialect
from tests import audio, oracle
from tests.oracle_checks import box_of, findings, fixed, log_lines, release_config, second_connection

SOURCE_PASSWORD = secrets.token_hex(8)
ADMIN_PASSWORD = secrets.token_hex(8)


class Backend:
    """A url-auth backend on 127.0.0.1 that records what it is asked; it refuses everyone unless given ``verdict``.

    ``verdict`` is sent as 2.5's result header (``X-Icecast-Auth-Result``);
    ``sources_in``/``listeners_in`` let sources/listeners in on every release.
    """

    def __init__(self, verdict: str | None = None, *, sources_in: bool = False, listeners_in: bool = False) -> None:
        #: (path, action) of each call, in the order they came
        self.calls: list[tuple[str, str]] = []
        calls = self.calls

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length") or 0)).decode()
                action = "".join(urllib.parse.parse_qs(body).get("action", []))
                calls.append((self.path, action))
                self.send_response(200)  # no icecast-auth-user / x-icecast-auth-result header: refused
                if verdict is not None:
                    self.send_header("X-Icecast-Auth-Result", verdict)
                elif (sources_in and action == "stream_auth") or (listeners_in and action != "stream_auth"):
                    self.send_header("icecast-auth-user", "1")  # yes, in each release's words
                    self.send_header("X-Icecast-Auth-Result", "ok")
                self.send_header("content-length", "0")
                self.end_headers()

            do_GET = do_POST

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def paths(self) -> list[str]:
        return [path for path, _action in self.calls]

    def wait_calls(self, count: int, timeout: float = 10.0) -> list[tuple[str, str]]:
        """The calls once there are ``count`` of them (or after ``timeout``): a server calls from its own threads."""
        deadline = time.monotonic() + timeout
        while len(self.calls) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.5)  # and none more
        return list(self.calls)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def backend() -> Iterator[Backend]:
    found = Backend()
    yield found
    found.close()


#: What a release does with a listener of a mount: the backend asked (its refusal stands, 401), the
#: listener let in without anyone asked (200, the mount is public), or refused unasked (401).
ASKED, PUBLIC, REFUSED = "asked", "public", "refused"


def blocks(release: str, backend: Backend) -> dict[str, tuple[str, str]]:
    """Mount -> (its authentication block, what ``release`` does with its listeners)."""

    def legacy(*options: tuple[str, str]) -> str:
        inner = "".join(f'<option name="{name}" value="{backend.url(path)}"/>' for name, path in options)
        return f'<authentication type="url">{inner}</authentication>'

    found = {
        "asked": (legacy(("listener_add", "/add/asked")), ASKED),
        "misspelt": (legacy(("listner_add", "/add/misspelt")), PUBLIC),
        "other-name": (legacy(("client_add", "/add/other-name")), PUBLIC),
        "notifies-only": (legacy(("mount_add", "/start/notifies-only")), PUBLIC),
        "empty": (legacy(), PUBLIC),
        # an option without a value is skipped; an empty value is taken, and asks nobody but refuses
        "no-value": ('<authentication type="url"><option name="listener_add"/></authentication>', PUBLIC),
        "empty-value": ('<authentication type="url"><option name="listener_add" value=""/></authentication>', REFUSED),
    }
    if release == "kh":  # KH's parser reads an option's name and value from child elements too
        option = f"<option><name>listener_add</name><value>{backend.url('/add/child-elements')}</value></option>"
        found["child-elements"] = (f'<authentication type="url">{option}</authentication>', ASKED)
    if release == "2.5":

        def role(name: str, path: str) -> str:
            option = f'<option name="{name}" value="{backend.url(path)}"/>'
            return f'<authentication><role type="url" match-method="get">{option}</role></authentication>'

        found["role-asked"] = (role("client_add", "/add/role-asked"), ASKED)
        found["role-other-name"] = (role("listener_add", "/add/role-other-name"), PUBLIC)
        found["role-removes-only"] = (role("client_remove", "/remove/role-removes-only"), PUBLIC)
    return found


def listened(
    data: bytes, box: oracle.Sandbox, port: int, mounts: list[str], ogg: Path, backend: Backend, name: str
) -> tuple[dict[str, tuple[int, bytes, bool]], str]:
    """For each mount with a source: (a listener's status, the first bytes, whether the backend was asked)."""
    got = {}
    with oracle.IcecastServer(data, box, wait_port=port, name=name) as server, contextlib.ExitStack() as on:
        for mount in mounts:
            assert on.enter_context(server.source(port, f"/{mount}.ogg", ogg, password=SOURCE_PASSWORD)).accepted
        for mount in mounts:
            server.wait_mount(port, f"/{mount}.ogg")
        for mount in mounts:
            response = server.http_get(port, f"/{mount}.ogg", max_body=4)
            got[mount] = (response.status, response.body, f"/add/{mount}" in backend.paths)
        log = "\n".join(log_lines(server)) + server.stderr()
    return got, log


@pytest.mark.parametrize("release", ["2.4", "2.5", "kh"])
def test_a_url_authenticator_without_its_add_url_lets_every_listener_in(
    release: str, request: pytest.FixtureRequest, ogg: Path, backend: Backend
) -> None:
    box = box_of(release, request)
    port = oracle.free_port()
    written = blocks(release, backend)
    extra = "".join(
        f"\n<mount><mount-name>/{mount}.ogg</mount-name>{block}</mount>" for mount, (block, _) in written.items()
    )
    data = release_config(box, [port], source_password=SOURCE_PASSWORD, admin_password=ADMIN_PASSWORD, extra=extra)
    does = {mount: outcome for mount, (_block, outcome) in written.items()}

    # what lint and explain say
    reported = {f"{f.code} {f.line}" for f in findings(data, release, "ICE515")}
    eff = icecfg.explain(icecfg.loads(data), release)
    for mount, outcome in does.items():
        config = eff.mounts.find(f"/{mount}.ogg")
        assert config is not None
        line = next(i for i, text in enumerate(data.decode().splitlines(), 1) if f"/{mount}.ogg<" in text)
        assert (f"ICE515 {line}" in reported) is (outcome == PUBLIC), mount
        if not mount.startswith("role"):  # a 2.5 role stack is listed as "roles"
            (auth,) = mount_listener_auth(config)
            assert (auth.kind == "none (public)") is (outcome == PUBLIC), mount
    unknown = {f.message.split('"')[1] for f in findings(data, release, "ICE514")}
    assert unknown == {"listner_add", "client_add"} | ({"listener_add"} if release == "2.5" else set())

    # what the release does
    got, log = listened(data, box, port, list(does), ogg, backend, f"url-auth-{release}")
    for mount, outcome in does.items():
        status, body, backend_asked = got[mount]
        assert backend_asked is (outcome == ASKED), mount
        if outcome == PUBLIC:
            assert (status, body) == (200, b"OggS"), mount  # let in, nobody asked
        else:
            assert status == 401, mount  # the backend's refusal stands, or nobody's asked and none given
    if release == "2.5":  # a <role> names what it does not read; a 2.4-style block's are dropped silently
        assert "Unknown option: listener_add" in log
        assert "listner_add" not in log and "Unknown option: client_add" not in log

    # the fix renames the misspelt and the other generation's options: the backend is asked again
    after = fixed(data, release, "ICE514")
    assert not findings(after, release, "ICE514")
    still_public = {"notifies-only", "empty", "no-value", "role-removes-only"}
    assert len(findings(after, release, "ICE515")) == len(still_public & set(does))
    backend.calls.clear()
    box.clear_logs()
    renamed = [mount for mount in does if "misspelt" in mount or "other-name" in mount]
    got, _log = listened(after, box, port, renamed, ogg, backend, f"url-auth-fixed-{release}")
    assert got == {mount: (401, got[mount][1], True) for mount in renamed}


@pytest.mark.parametrize("release", ["2.4", "2.5", "kh"])
def test_a_url_block_that_only_logs_sources_in(release: str, request: pytest.FixtureRequest, ogg: Path) -> None:
    """A 2.4-style block with ``stream_auth`` and no ``listener_add``: public on 2.4.4 and KH, closed on 2.5.0.

    2.4.4 and KH ask the backend about the source and let every listener in
    (no add URL: the listener check passes unasked).  2.5.0 turns the block
    into a role stack for sources only (``cfgfile.c``: a url role and an
    anonymous one, both for ``source,put``), which no listener matches: 401.
    """
    box = box_of(release, request)
    port = oracle.free_port()
    backend = Backend(sources_in=True)
    try:
        block = (
            f'<authentication type="url"><option name="stream_auth" value="{backend.url("/stream")}"/></authentication>'
        )
        extra = f"<mount><mount-name>/sourced.ogg</mount-name>{block}</mount>"
        data = release_config(box, [port], source_password=SOURCE_PASSWORD, admin_password=ADMIN_PASSWORD, extra=extra)
        eff = icecfg.explain(icecfg.loads(data), release)
        mount = eff.mounts.find("/sourced.ogg")
        assert mount is not None
        (auth,) = mount_listener_auth(mount)
        public = [f.line for f in findings(data, release, "ICE515")]
        refused = [f.line for f in findings(data, release, "ICE518")]
        got, _log = listened(data, box, port, ["sourced"], ogg, backend, f"stream-auth-{release}")
        assert ("/stream", "stream_auth") in backend.calls  # the source logged in through the backend
        status, body, _asked = got["sourced"]
        if release == "2.5":
            assert status == 401
            assert (auth.kind, public, len(refused)) == ("deny-all", [], 1)
            written = fixed(data, "2.5", "ICE518")  # the role 2.5 makes of stream_auth, without its listener lock
        else:
            assert (status, body) == (200, b"OggS")
            assert (auth.kind, len(public), refused) == ("none (public)", 1, [])
            # migrated, the block becomes that role: not a loss
            cfg = icecfg.loads(f"<icecast>{extra}</icecast>".encode())
            migration = icecfg.upgrade(cfg, from_=Dialect(release), files=False)
            assert not migration.losses
            assert [c.action for c in migration.changes if "stream_auth" in c.reason] == ["convert"]
            written = release_config(
                box25 := box_of("2.5", request),
                [port],
                source_password=SOURCE_PASSWORD,
                admin_password=ADMIN_PASSWORD,
                extra=icecfg.dumps(cfg).decode().removeprefix("<icecast>").removesuffix("</icecast>"),
            )
            box = box25
        # on 2.5.0 the written form asks the backend about the source and lets listeners in ...
        assert not findings(written, "2.5", "ICE518") and not findings(written, "2.5", "ICE519")
        backend.calls.clear()
        got, _log = listened(written, box, port, ["sourced"], ogg, backend, f"stream-auth-role-{release}")
        assert ("/stream", "stream_auth") in backend.calls and got["sourced"][:2] == (200, b"OggS")
    finally:
        backend.close()
    # ... and a backend that says no still refuses the source
    refusing = Backend()
    try:
        no = written.replace(backend.url("/stream").encode(), refusing.url("/stream").encode())
        with (
            oracle.IcecastServer(no, box, wait_port=port, name=f"stream-auth-refused-{release}") as server,
            server.source(port, "/sourced.ogg", ogg, password=SOURCE_PASSWORD) as source,
        ):
            assert not source.accepted
        assert refusing.wait_calls(1) == [("/stream", "stream_auth")]
    finally:
        refusing.close()


#: Two mounts whose 2.4-style block reports sources: one with mount_add and mount_remove, one with mount_remove only.
def reporting_mounts(backend: Backend) -> str:
    def block(*options: tuple[str, str]) -> str:
        inner = "".join(f'<option name="{name}" value="{backend.url(path)}"/>' for name, path in options)
        return f'<authentication type="url">{inner}</authentication>'

    return (
        f"<mount><mount-name>/a.ogg</mount-name>{block(('mount_add', '/start/a'), ('mount_remove', '/stop/a'))}</mount>"
        f"<mount><mount-name>/b.ogg</mount-name>{block(('mount_remove', '/stop/b'))}</mount>"
    )


def sources_come_and_go(
    data: bytes, box: oracle.Sandbox, ogg: Path, backend: Backend, calls: int, name: str
) -> tuple[list[tuple[str, str]], str]:
    """The backend's calls while a source streams to /a.ogg and leaves, then to /b.ogg; and the server's log."""
    port = int(data.split(b"<port>", 1)[1].split(b"<", 1)[0])
    backend.calls.clear()
    box.clear_logs()
    with oracle.IcecastServer(data, box, wait_port=port, name=name) as server:
        for mount in ("/a.ogg", "/b.ogg"):
            with server.source(port, mount, ogg, password=SOURCE_PASSWORD) as source:
                assert source.accepted, mount
                server.wait_mount(port, mount)
        got = backend.wait_calls(calls)
        log = "\n".join(log_lines(server)) + server.stderr()
    return got, log


@pytest.mark.parametrize("source", ["2.4", "kh"])
def test_mount_remove_is_called_where_the_old_release_called_it_once_migrated(
    source: str, request: pytest.FixtureRequest, ogg: Path, backend: Backend
) -> None:
    """ICE516 and migrate: 2.5.0 calls mount_add's URL for a 2.4-style mount_remove; the migrated event does not."""
    old_box, box25 = box_of(source, request), box_of("2.5", request)
    port = oracle.free_port()
    mounts = reporting_mounts(backend)

    def config(box: oracle.Sandbox, extra: str) -> bytes:
        return release_config(box, [port], source_password=SOURCE_PASSWORD, admin_password=ADMIN_PASSWORD, extra=extra)

    called = [("/start/a", "mount_add"), ("/stop/a", "mount_remove"), ("/stop/b", "mount_remove")]
    got, _log = sources_come_and_go(config(old_box, mounts), old_box, ogg, backend, 3, f"mount-remove-{source}")
    assert sorted(got) == called

    original = config(box25, mounts)
    assert len(findings(original, "2.5", "ICE516")) == 2
    got, log = sources_come_and_go(original, box25, ogg, backend, 3, "mount-remove-2.5")
    assert sorted(got) == [("/start/a", "mount_add"), ("/start/a", "mount_remove")]  # /stop/a and /stop/b: never
    assert "Can not set up event backend url for trigger source-disconnect" in log

    cfg = icecfg.loads(f"<icecast>{mounts}</icecast>".encode())
    migration = icecfg.upgrade(cfg, from_=Dialect(source), files=False)
    assert [c.action for c in migration.changes if "mount_remove" in c.reason] == ["convert", "convert"]
    migrated_mounts = icecfg.dumps(cfg).decode().removeprefix("<icecast>").removesuffix("</icecast>")
    migrated = config(box25, migrated_mounts)
    assert not findings(migrated, "2.5", "ICE516")
    got, log = sources_come_and_go(migrated, box25, ogg, backend, 3, "mount-remove-migrated")
    assert sorted(got) == called
    assert "Can not set up event backend url" not in log


@pytest.mark.parametrize(("verdict", "status"), [("ok", 200), ("allow", 401)])
def test_2_5_lets_a_listener_in_on_the_result_ok_only(
    verdict: str, status: int, request: pytest.FixtureRequest, ogg: Path
) -> None:
    """ICE512 tells the backend what to answer for 2.5's ``header_auth``: ``ok``, one of 2.5's result words."""
    box = box_of("2.5", request)
    port = oracle.free_port()
    answering = Backend(verdict)
    try:
        options = (
            f'<option name="client_add" value="{answering.url("/add/live")}"/>'
            '<option name="header_auth" value="x-icecast-auth-result"/>'
        )
        extra = (
            "<mount><mount-name>/live.ogg</mount-name><authentication>"
            f'<role type="url" match-method="get">{options}</role></authentication></mount>'
        )
        data = release_config(box, [port], source_password=SOURCE_PASSWORD, admin_password=ADMIN_PASSWORD, extra=extra)
        got, _log = listened(data, box, port, ["live"], ogg, answering, "url-auth-verdict")
    finally:
        answering.close()
    assert got["live"][0] == status and got["live"][2]


@pytest.mark.parametrize("option", ["listner_add", None])
def test_kh_crashes_on_a_command_authenticator_without_listener_add(
    option: str | None, request: pytest.FixtureRequest
) -> None:
    """ICE517: KH logs 'No command specified for authentication' and dies of SIGSEGV; the fixed file starts."""
    box = box_of("kh", request)
    port = oracle.free_port()
    inner = f'<option name="{option}" value="/bin/false"/>' if option else ""
    extra = f'<mount><mount-name>/c.ogg</mount-name><authentication type="command">{inner}</authentication></mount>'
    data = release_config(box, [port], source_password=SOURCE_PASSWORD, admin_password=ADMIN_PASSWORD, extra=extra)
    (finding,) = findings(data, "kh", "ICE517")
    assert "crashes at start-up (SIGSEGV)" in finding.message
    result = oracle.start_expecting_exit(data, box, name="command-auth", expect_crash=True)
    assert result.signal == 11, result.describe()
    assert "No command specified for authentication" in result.stderr, result.describe()
    if option is None:
        return
    after = fixed(data, "kh", "ICE517")
    assert not findings(after, "kh", "ICE517")
    box.clear_logs()
    with oracle.IcecastServer(after, box, wait_port=port, name="command-auth-fixed") as server:
        assert server.http_get(port, "/c.ogg").status in (401, 404)  # it runs


def test_a_url_block_that_refuses_a_second_connection_loses_it_on_2_5(
    box24: oracle.Sandbox, box25: oracle.Sandbox, boxkh: oracle.Sandbox
) -> None:
    """2.4.4 and KH hold a url block's login to one connection too (401, 403); 2.5.0 reads no such option there.

    migrate reports the loss; the role 2.5 offers instead (a ``<role type="url">``
    with a name and ``connections-per-user``) refuses the second connection (429).
    """
    backend = Backend(listeners_in=True)
    try:
        add = f'<option name="listener_add" value="{backend.url("/add")}"/>'
        block = f'<authentication type="url">{add}<option name="allow_duplicate_users" value="0"/></authentication>'
        extra = f"<mount><mount-name>/members.ogg</mount-name>{block}</mount>"
        port = oracle.free_port()
        ogg = audio.make_ogg(seconds=10, bitrate_kbps=128)  # outlasts both connections

        def config(box: oracle.Sandbox, mounts: str) -> bytes:
            return release_config(
                box, [port], source_password=SOURCE_PASSWORD, admin_password=ADMIN_PASSWORD, extra=mounts
            )

        assert (
            second_connection(config(box24, extra), box24, port, "/members.ogg", ogg, "dup-url-24", SOURCE_PASSWORD)
            == 401
        )
        assert (
            second_connection(config(box25, extra), box25, port, "/members.ogg", ogg, "dup-url-25", SOURCE_PASSWORD)
            == 200
        )
        # KH by default, without the option (allow_duplicate_users 1 lets the second in)
        plain = extra.replace('<option name="allow_duplicate_users" value="0"/>', "")
        assert (
            second_connection(config(boxkh, plain), boxkh, port, "/members.ogg", ogg, "dup-url-kh", SOURCE_PASSWORD)
            == 403
        )
        allowing = plain.replace(
            "</authentication>", '<option name="allow_duplicate_users" value="1"/></authentication>'
        )
        assert (
            second_connection(
                config(boxkh, allowing), boxkh, port, "/members.ogg", ogg, "dup-url-kh-1", SOURCE_PASSWORD
            )
            == 200
        )
        explained = icecfg.explain(icecfg.loads(config(boxkh, plain)), "kh").auth.listener_auth
        assert [a.note for a in explained if a.mount == "/members.ogg"] == [
            "one connection per login at a time (allow_duplicate_users 1 allows more)"
        ]
        kh_migration = icecfg.upgrade(icecfg.loads(f"<icecast>{plain}</icecast>".encode()), from_="kh", files=False)
        assert [c for c in kh_migration.losses if "by default" in c.reason]
        migration = icecfg.upgrade(icecfg.loads(f"<icecast>{extra}</icecast>".encode()), from_="2.4", files=False)
        [loss] = [c for c in migration.losses if "allow_duplicate_users" in c.reason]
        assert "connections-per-user" in loss.reason
        role = (
            '<authentication><role type="url" name="url" connections-per-user="1" match-method="get">'
            f'<option name="client_add" value="{backend.url("/add")}"/></role></authentication>'
        )
        as_role = config(box25, f"<mount><mount-name>/members.ogg</mount-name>{role}</mount>")
        assert not findings(as_role, "2.5", "ICE525")
        assert second_connection(as_role, box25, port, "/members.ogg", ogg, "dup-url-role", SOURCE_PASSWORD) == 429
        # the role's attributes written on the url block itself are not read (ICE526)
        on_block = config(box25, plain.replace('type="url"', 'type="url" name="url" connections-per-user="1"'))
        (finding,) = findings(on_block, "2.5", "ICE525", "ICE526", "ICE106")
        assert finding.code == "ICE526" and finding.message.startswith("connections-per-user= on a 2.4-style url")
        explained = icecfg.explain(icecfg.loads(on_block), "2.5").auth.listener_auth
        assert [a.note for a in explained if a.mount == "/members.ogg"] == [
            "any number of connections per login: Icecast 2.5 reads no connections-per-user from a url block"
        ]
        assert second_connection(on_block, box25, port, "/members.ogg", ogg, "dup-url-block", SOURCE_PASSWORD) == 200
    finally:
        backend.close()
