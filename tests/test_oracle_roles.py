"""ICE519-521 and explain on Icecast 2.5 role stacks, shown on 2.5.0.

A mount checks alice's login with only a ``<role type="htpasswd">`` (or a
static one), then
with the anonymous role ``lint --fix`` ends the stack with.  Four listeners
ask each: one without a login, a user of the file, the same user with a
wrong password, and a user the file does not know.  Then an anonymous role
whose ACL attributes are written the wrong way round, and one that answers
the source too.
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import secrets
from pathlib import Path

import pytest

import icecfg
from icecfg.effective.auth import mount_listener_auth
from tests import audio, oracle
from tests.oracle_checks import box_of, findings, fixed, release_config, second_connection

SOURCE_PASSWORD = secrets.token_hex(8)
ADMIN_PASSWORD = secrets.token_hex(8)

#: label -> the Basic login a listener sends (None: none)
LISTENERS = {"no login": None, "user": "alice:secret", "wrong password": "alice:nope", "unknown user": "bob:secret"}


def listened(
    data: bytes,
    box: oracle.Sandbox,
    port: int,
    mounts: list[str],
    ogg: Path,
    name: str,
    output: list[str] | None = None,
) -> dict[str, dict[str, int]]:
    """mount -> listener label -> the status it is answered, each mount with a source (``output``: gets what it printed)."""
    got: dict[str, dict[str, int]] = {}
    with oracle.IcecastServer(data, box, wait_port=port, name=name) as server:
        if output is not None:
            output.append(server.stderr() + (server.error_log() or ""))
        for mount in mounts:
            with server.source(port, mount, ogg, password=SOURCE_PASSWORD) as source:
                assert source.accepted, mount  # the source still logs in with the global source password
                server.wait_mount(port, mount)
                got[mount] = {}
                for label, login in LISTENERS.items():
                    headers = {"Authorization": "Basic " + base64.b64encode(login.encode()).decode()} if login else {}
                    got[mount][label] = server.http_get(port, mount, max_body=4, headers=headers).status
    return got


def members(box: oracle.Sandbox, port: int, authentication: str) -> bytes:
    """The harness's file with /members.ogg, whose ``authentication`` names the users file as ``{users}``."""
    users = box.write("members.htpasswd", f"alice:{hashlib.md5(b'secret').hexdigest()}\n".encode())
    extra = f"<mount><mount-name>/members.ogg</mount-name>{authentication.format(users=users)}</mount>"
    return release_config(box, [port], source_password=SOURCE_PASSWORD, admin_password=ADMIN_PASSWORD, extra=extra)


def explained(data: bytes) -> str:
    """The note explain gives /members.ogg's listener authentication on 2.5."""
    return explained_on(data, "2.5")


def explained_on(data: bytes, release: str) -> str:
    """The note explain gives /members.ogg's listener authentication on ``release``."""
    mount = icecfg.explain(icecfg.loads(data), release).mounts.find("/members.ogg")
    assert mount is not None
    (auth,) = mount_listener_auth(mount)
    return auth.note


#: A role that checks alice's login: from the users file, or written in the role.
CHECKS = {
    "htpasswd": '<role type="htpasswd"><option name="filename" value="{users}"/></role>',
    "static": '<role type="static"><option name="username" value="alice"/><option name="password" value="secret"/></role>',
    # enforce-auth refuses a listener without any login; one with a user the file does not know goes on
    "htpasswd-enforce-auth": '<role type="htpasswd"><option name="filename" value="{users}"/></role>'
    '<role type="enforce-auth"/>',
}


@pytest.mark.parametrize("kind", sorted(CHECKS))
def test_a_role_that_checks_logins_alone_lets_in_whoever_sends_none(
    kind: str, box25: oracle.Sandbox, ogg: Path
) -> None:
    port = oracle.free_port()
    data = members(box25, port, f"<authentication>{CHECKS[kind]}</authentication>")

    enforced = kind.endswith("enforce-auth")
    (finding,) = findings(data, "2.5", "ICE519")
    assert "the server's built-in anonymous role, which lets them in" in finding.message
    assert ("without a login" in finding.message) is not enforced
    assert explained(data).startswith(
        "OPEN: a listener with a user" if enforced else "OPEN: a listener without a login"
    )

    after = fixed(data, "2.5", "ICE519")
    assert not findings(after, "2.5", "ICE519")
    assert explained(after) == ""

    before = listened(data, box25, port, ["/members.ogg"], ogg, f"roles-open-{kind}")["/members.ogg"]
    assert before == {"no login": 401 if enforced else 200, "user": 200, "wrong password": 401, "unknown user": 200}
    closed = listened(after, box25, port, ["/members.ogg"], ogg, f"roles-closed-{kind}")["/members.ogg"]
    assert closed == {"no login": 401, "user": 200, "wrong password": 401, "unknown user": 401}


def test_a_2_4_style_htpasswd_block_is_closed_and_not_reported(box25: oracle.Sandbox, ogg: Path) -> None:
    """2.5 closes a 2.4-style block itself (cfgfile.c): what ICE519's fix copies."""
    port = oracle.free_port()
    data = members(
        box25, port, '<authentication type="htpasswd"><option name="filename" value="{users}"/></authentication>'
    )
    assert not findings(data, "2.5", "ICE519")
    got = listened(data, box25, port, ["/members.ogg"], ogg, "roles-legacy")["/members.ogg"]
    assert got == {"no login": 401, "user": 200, "wrong password": 401, "unknown user": 401}


def test_a_roles_acl_is_applied_in_the_order_written(box25: oracle.Sandbox, ogg: Path) -> None:
    """ICE520: ``allow-method="get" deny-method="*"`` denies get too; the fix writes the ``*`` first."""
    port = oracle.free_port()
    data = members(
        box25,
        port,
        '<authentication><role type="anonymous" match-method="get" allow-method="get" deny-method="*"/></authentication>',
    )
    (finding,) = findings(data, "2.5", "ICE520")
    assert "so get is denied" in finding.message
    assert "denies get: its deny-method comes after allow-method" in explained(data)
    after = fixed(data, "2.5", "ICE520")
    assert b'deny-method="*" allow-method="get"' in after and not findings(after, "2.5", "ICE520")
    assert explained(after) == ""
    got = listened(data, box25, port, ["/members.ogg"], ogg, "roles-order")["/members.ogg"]
    assert got["no login"] == 401
    got = listened(after, box25, port, ["/members.ogg"], ogg, "roles-order-fixed")["/members.ogg"]
    assert got["no login"] == 200


def test_an_anonymous_role_without_a_method_filter_shuts_the_source_out(box25: oracle.Sandbox, ogg: Path) -> None:
    """ICE521: the role answers the source's PUT with an ACL that allows only get,options: 401."""
    port = oracle.free_port()
    data = members(box25, port, '<authentication><role type="anonymous" allow-method="get"/></authentication>')
    (finding,) = findings(data, "2.5", "ICE521")
    assert "refuses every source there" in finding.message
    assert explained(data).startswith("SOURCES REFUSED")
    with (
        oracle.IcecastServer(data, box25, wait_port=port, name="roles-source") as server,
        server.source(port, "/members.ogg", ogg, password=SOURCE_PASSWORD) as source,
    ):
        assert not source.accepted and source.status == 401
    after = fixed(data, "2.5", "ICE521")
    assert not findings(after, "2.5", "ICE521") and explained(after) == ""
    got = listened(after, box25, port, ["/members.ogg"], ogg, "roles-source-fixed")["/members.ogg"]
    assert got["no login"] == 200


#: mount -> (its role, the rule that reports it, what a listener without a login gets)
ACL_CHILDREN = {
    "/order.ogg": (
        '<role type="anonymous" match-method="get"><acl allow-method="get" deny-method="*"/></role>',
        "ICE520",
        401,
    ),
    "/beside.ogg": ('<role type="anonymous" match-method="get" deny-method="*"><acl/></role>', "ICE522", 200),
    "/second.ogg": (
        '<role type="anonymous" match-method="get"><acl deny-method="*" allow-method="get"/><acl deny-method="*"/></role>',
        "ICE522",
        200,
    ),
}


def test_a_roles_acl_child_is_its_whole_acl(box25: oracle.Sandbox, ogg: Path) -> None:
    """ICE520 on an ``<acl>`` child, ICE522: the role's own ACL attributes and a second ``<acl>`` are not read."""
    port = oracle.free_port()
    extra = "".join(
        f"<mount><mount-name>{mount}</mount-name><authentication>{role}</authentication></mount>"
        for mount, (role, _code, _status) in ACL_CHILDREN.items()
    )
    data = release_config(box25, [port], source_password=SOURCE_PASSWORD, admin_password=ADMIN_PASSWORD, extra=extra)
    lines = data.decode().splitlines()
    reported = {(f.code, lines[f.line - 1]) for f in findings(data, "2.5", "ICE520", "ICE522")}
    for mount, (_role, code, _status) in ACL_CHILDREN.items():
        assert any(c == code and f">{mount}<" in line for c, line in reported), (mount, reported)
    effective = icecfg.explain(icecfg.loads(data), "2.5")
    beside = effective.mounts.find("/beside.ogg")
    assert beside is not None
    assert "ignores its deny-method (it has an <acl>)" in next(mount_listener_auth(beside)).note
    output: list[str] = []
    got = listened(data, box25, port, list(ACL_CHILDREN), ogg, "roles-acl-children", output)
    assert {mount: answers["no login"] for mount, answers in got.items()} == {
        mount: status for mount, (_role, _code, status) in ACL_CHILDREN.items()
    }
    assert "More than one ACL defined in role! Not supported (yet)." in output[0]
    after = fixed(data, "2.5", "ICE520")
    got = listened(after, box25, port, ["/order.ogg"], ogg, "roles-acl-child-fixed")
    assert got["/order.ogg"]["no login"] == 200


def test_a_static_role_without_its_password_is_dropped(box25: oracle.Sandbox, ogg: Path) -> None:
    """ICE523 (and ICE521, which sees the stack without it): the role Icecast's own sample misspells."""
    port = oracle.free_port()
    dj = secrets.token_hex(6)
    static = (
        '<role type="static" allow-method="source,put,get,post,options" deny-web="*" allow-admin="*">'
        f'<option name="username" value="dj"/><option name="passwod" value="{dj}"/></role>'
    )
    data = members(box25, port, f'<authentication>{static}<role type="anonymous" deny-all="*"/></authentication>')
    assert {f.code for f in findings(data, "2.5", "ICE523", "ICE521")} == {"ICE523", "ICE521"}
    with oracle.IcecastServer(data, box25, wait_port=port, name="roles-static") as server:
        output = server.stderr() + (server.error_log() or "")
        assert "Unknown option: passwod" in output and "Password required, but not given." in output
        with server.source(port, "/members.ogg", ogg, password=dj, user="dj") as source:
            assert not source.accepted and source.status == 401
    after = fixed(data, "2.5", "ICE523")
    assert not findings(after, "2.5", "ICE523", "ICE521")
    with (
        oracle.IcecastServer(after, box25, wait_port=port, name="roles-static-fixed") as server,
        server.source(port, "/members.ogg", ogg, password=dj, user="dj") as source,
    ):
        assert source.accepted


#: Admin requests anyone may try, and whether they concern the whole server (else /members.ogg's).
ADMIN = {
    "/admin/stats.xml": True,
    "/admin/listclients?mount=/members.ogg": False,
    "/admin/metadata?mount=/members.ogg&mode=updinfo&song=x": False,
    "/admin/killsource?mount=/members.ogg": False,
}


def test_an_anonymous_role_that_allows_admin_lets_anyone_use_it(box25: oracle.Sandbox, ogg: Path) -> None:
    """ICE524: on the server's authentication every admin command answers without a login; on a mount's, its own."""
    opener = '<role type="anonymous" match-method="get" allow-admin="*"/>'
    for where in ("server", "mount"):
        port = oracle.free_port()
        data = members(box25, port, f"<authentication>{opener}</authentication>" if where == "mount" else "")
        if where == "server":
            data = data.replace(b"</authentication>", opener.encode() + b"</authentication>", 1)
        (finding,) = findings(data, "2.5", "ICE524")
        assert ("whole admin interface" in finding.message) is (where == "server")
        (opened,) = icecfg.explain(icecfg.loads(data), "2.5").auth.open_admin
        assert (opened.mount, opened.commands) == (None if where == "server" else "/members.ogg", ("*",))
        for admin_open, label in ((True, where), (False, f"{where}-without")):
            run = data if admin_open else data.replace(opener.encode(), b"")
            with (
                oracle.IcecastServer(run, box25, wait_port=port, name=f"roles-admin-{label}") as server,
                server.source(port, "/members.ogg", ogg, password=SOURCE_PASSWORD) as source,
            ):
                assert source.accepted
                server.wait_mount(port, "/members.ogg")
                for path, whole in ADMIN.items():
                    status = server.http_get(port, path, max_body=64).status
                    opened = admin_open and (whole is False or where == "server")
                    assert status == (200 if opened else 401), (where, admin_open, path, status)


# --------------------------------------------------------------------------- ICE525

#: How a mount limits alice to one connection: 2.4's way, and 2.5's without the name it needs.
LIMITS = {
    "allow_duplicate_users": '<authentication type="htpasswd"><option name="filename" value="{users}"/>'
    '<option name="allow_duplicate_users" value="0"/></authentication>',
    "unnamed role": '<authentication><role type="htpasswd" connections-per-user="1"><option name="filename"'
    ' value="{users}"/></role><role type="anonymous" match-method="get,options,post,head" deny-method="*"'
    ' deny-web="*"/></authentication>',
}


@pytest.mark.parametrize("kind", sorted(LIMITS))
def test_a_limit_of_one_connection_per_login_holds_on_2_5_only_with_a_named_role(
    kind: str, box24: oracle.Sandbox, box25: oracle.Sandbox
) -> None:
    """2.4.4 refuses alice's second connection; 2.5.0 only once the fix names the role (429)."""
    ogg = audio.make_ogg(seconds=10, bitrate_kbps=128)  # outlasts both connections
    port = oracle.free_port()
    data = members(box25, port, LIMITS[kind])
    (finding,) = findings(data, "2.5", "ICE525")
    assert ("no limit" if kind == "allow_duplicate_users" else "without a name") in finding.message
    assert second_connection(data, box25, port, "/members.ogg", ogg, f"limit-{kind}-25", SOURCE_PASSWORD) == 200
    after = fixed(data, "2.5", "ICE525")
    assert not findings(after, "2.5", "ICE525", "ICE106")
    assert explained_on(data, "2.5").endswith("no limit" if kind == "allow_duplicate_users" else "no limit applies")
    assert explained_on(after, "2.5").endswith("at most 1 connection per login")
    assert second_connection(after, box25, port, "/members.ogg", ogg, f"limit-{kind}-25-fixed", SOURCE_PASSWORD) == 429
    if kind == "allow_duplicate_users":
        old = members(box24, port, LIMITS[kind])
        assert not findings(old, "2.4", "ICE525")  # no rule of 2.4's: it does what it says there
        assert second_connection(old, box24, port, "/members.ogg", ogg, "limit-24", SOURCE_PASSWORD) == 401
        cfg = icecfg.loads(old)
        migration = icecfg.upgrade(cfg, from_="2.4", files=False)
        assert any("allow_duplicate_users" in change.reason for change in migration.changes)
        migrated = icecfg.dumps(cfg)
        assert not findings(migrated, "2.5", "ICE525")
        assert (
            second_connection(migrated, box25, port, "/members.ogg", ogg, "limit-migrated-25", SOURCE_PASSWORD) == 429
        )


def test_an_anonymous_roles_limit_holds_only_listeners_that_send_the_same_login(box25: oracle.Sandbox) -> None:
    """2.5.0 counts connections by login and role: listeners of an anonymous role without a login are never counted."""
    ogg = audio.make_ogg(seconds=10, bitrate_kbps=128)  # outlasts both connections
    port = oracle.free_port()
    role = '<role type="anonymous" name="public" connections-per-user="1" match-method="get"/>'
    data = members(box25, port, f"<authentication>{role}</authentication>")
    (finding,) = findings(data, "2.5", "ICE525")
    assert "on an anonymous role limits nothing" in finding.message and finding.fix is None
    assert "counts only listeners sending a login: no limit applies" in explained(data)
    strangers = second_connection(data, box25, port, "/members.ogg", ogg, "anon-none", SOURCE_PASSWORD, None)
    assert strangers == 200
    assert second_connection(data, box25, port, "/members.ogg", ogg, "anon-login", SOURCE_PASSWORD) == 429


#: What a second connection of a login already listening gets from each old release by default.
SECOND_REFUSED = {"2.4": 401, "kh": 403}


@pytest.mark.parametrize("release", sorted(SECOND_REFUSED))
def test_a_login_listens_once_on_the_old_releases_and_migrate_keeps_it(
    release: str, request: pytest.FixtureRequest, box25: oracle.Sandbox
) -> None:
    """2.4.4 and KH refuse a login's second connection unless ``allow_duplicate_users`` is 1; 2.5.0 does not."""
    box = box_of(release, request)
    ogg = audio.make_ogg(seconds=10, bitrate_kbps=128)  # outlasts both connections
    port = oracle.free_port()
    plain = '<authentication type="htpasswd"><option name="filename" value="{users}"/></authentication>'
    allowing = plain.replace("</authentication>", '<option name="allow_duplicate_users" value="1"/></authentication>')
    old = members(box, port, plain)
    assert explained_on(old, release).startswith("one connection per login at a time")
    refused = second_connection(old, box, port, "/members.ogg", ogg, f"once-{release}", SOURCE_PASSWORD)
    assert refused == SECOND_REFUSED[release]
    allowed = members(box, port, allowing)
    assert second_connection(allowed, box, port, "/members.ogg", ogg, f"twice-{release}", SOURCE_PASSWORD) == 200
    as_is = members(box25, port, plain)
    assert explained_on(as_is, "2.5") == "any number of connections per login"
    assert second_connection(as_is, box25, port, "/members.ogg", ogg, f"unlimited-{release}", SOURCE_PASSWORD) == 200
    cfg = icecfg.loads(members(box25, port, plain))
    migration = icecfg.upgrade(cfg, from_=release, files=False)
    [change] = [c for c in migration.changes if "second connection" in c.reason]
    assert change.action == "convert" and "by default" in change.reason
    migrated = icecfg.dumps(cfg)
    assert explained_on(migrated, "2.5") == "at most 1 connection per login"
    assert second_connection(migrated, box25, port, "/members.ogg", ogg, f"once-{release}-25", SOURCE_PASSWORD) == 429
    untouched = icecfg.loads(members(box25, port, allowing))
    assert not [c for c in icecfg.upgrade(untouched, from_=release, files=False).changes if "second" in c.reason]


def test_kh_drops_the_earlier_connection_with_drop_existing_listener(
    boxkh: oracle.Sandbox, box25: oracle.Sandbox
) -> None:
    """KH lets the second connection in and ends the first; migrate keeps one per login and says what differs."""
    ogg = audio.make_ogg(seconds=10, bitrate_kbps=128)  # outlasts both connections
    port = oracle.free_port()
    block = (
        '<authentication type="htpasswd"><option name="filename" value="{users}"/>'
        '<option name="drop_existing_listener" value="1"/></authentication>'
    )
    data = members(boxkh, port, block)
    assert explained_on(data, "kh").endswith("a new one drops the earlier (drop_existing_listener)")
    login = {"Authorization": "Basic " + base64.b64encode(b"alice:secret").decode()}
    with (
        oracle.IcecastServer(data, boxkh, wait_port=port, name="kh-drop-earlier") as server,
        server.source(port, "/members.ogg", ogg, password=SOURCE_PASSWORD) as source,
    ):
        assert source.accepted
        server.wait_mount(port, "/members.ogg")
        first = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        try:
            first.request("GET", "/members.ogg", headers=login)
            response = first.getresponse()
            assert response.status == 200 and response.read(64)
            second = server.http_get(port, "/members.ogg", max_body=4, headers=login)
            assert second.status == 200 and second.body == b"OggS"
            # the first connection ends: what KH had sent is read, then the end (no 10 s of audio)
            received = 0
            while chunk := response.read(4096):
                received += len(chunk)
            assert received < 64_000
        finally:
            first.close()
    cfg = icecfg.loads(members(box25, port, block))
    [change] = [c for c in icecfg.upgrade(cfg, from_="kh", files=False).changes if "second connection" in c.reason]
    assert not change.keeps_behaviour and "refuses the new one (429) instead" in change.reason
    migrated = icecfg.dumps(cfg)
    assert second_connection(migrated, box25, port, "/members.ogg", ogg, "kh-drop-25", SOURCE_PASSWORD) == 429


# --------------------------------------------------------------------------- ICE526, ICE520 on a 2.4-style block

USERS = '<option name="filename" value="{users}"/>'
CLOSING = '<role type="anonymous" match-method="get,options,post,head" deny-method="*" deny-web="*"/>'
#: A role's setting written on the <authentication> itself: (attributes, children) and how alice is answered
#: when it is read (status, her X-Members header).
SETTINGS = {
    "deny-method": ('deny-method="get"', "", (401, None)),
    "http-headers": ("", '<http-headers><header name="X-Members" value="yes"/></http-headers>', (200, "yes")),
    "acl order": ('allow-method="get" deny-method="*"', "", (401, None)),
}


def alice_answered(data: bytes, box: oracle.Sandbox, port: int, ogg: Path, name: str) -> tuple[int, str | None]:
    """The status alice's login gets at /members.ogg while a source plays, and the X-Members header sent her."""
    login = {"Authorization": "Basic " + base64.b64encode(b"alice:secret").decode()}
    with (
        oracle.IcecastServer(data, box, wait_port=port, name=name) as server,
        server.source(port, "/members.ogg", ogg, password=SOURCE_PASSWORD) as source,
    ):
        assert source.accepted
        server.wait_mount(port, "/members.ogg")
        answer = server.http_get(port, "/members.ogg", max_body=4, headers=login)
        return answer.status, answer.headers.get("X-Members")


@pytest.mark.parametrize("setting", sorted(SETTINGS))
def test_a_htpasswd_block_takes_a_roles_settings_and_a_block_of_roles_does_not(
    setting: str, box24: oracle.Sandbox, box25: oracle.Sandbox, ogg: Path
) -> None:
    """2.5.0 makes a 2.4-style htpasswd block a role, and reads from it what a ``<role>`` takes (ICE106 and
    ICE105 said ignored); on an ``<authentication>`` of roles the same settings change nothing (ICE526).
    2.4.4 reads none of them, and migrate removes them, so the migrated file lets alice in as 2.4.4 did."""
    attributes, children, when_read = SETTINGS[setting]
    port = oracle.free_port()
    written = f'<authentication type="htpasswd" {attributes}>{USERS}{children}</authentication>'
    old = members(box24, port, written)
    assert alice_answered(old, box24, port, ogg, f"block-{setting}-24") == (200, None)
    cfg = icecfg.loads(members(box25, port, written))
    migration = icecfg.upgrade(cfg, from_="2.4", files=False)
    assert [c for c in migration.changes if c.action == "remove" and "Icecast 2.5 would use it" in c.reason]
    assert alice_answered(icecfg.dumps(cfg), box25, port, ogg, f"block-{setting}-migrated") == (200, None)
    block = members(box25, port, written)
    stack = members(
        box25, port, f"<authentication {attributes}>{CHECKS['htpasswd']}{CLOSING}{children}</authentication>"
    )
    assert not findings(block, "2.5", "ICE105", "ICE106", "ICE526")
    assert alice_answered(block, box25, port, ogg, f"block-{setting}") == when_read
    assert explained(block).startswith("USERS REFUSED") is (when_read[0] == 401)
    assert {f.code for f in findings(stack, "2.5", "ICE526")} == {"ICE526"}
    assert alice_answered(stack, box25, port, ogg, f"stack-{setting}") == (200, None)
    if setting == "acl order":  # ICE520 on the block, as on a role: its fix lets her in
        (finding,) = findings(block, "2.5", "ICE520")
        assert "so get is denied" in finding.message
        assert "the block denies get: its deny-method comes after allow-method" in explained(block)
        after = fixed(block, "2.5", "ICE520")
        assert explained(after) == "any number of connections per login"
        assert alice_answered(after, box25, port, ogg, "block-acl-order-fixed") == (200, None)


def test_a_role_with_a_method_2_5_does_not_know_is_dropped_without_a_word(box25: oracle.Sandbox, ogg: Path) -> None:
    """ICE523: ``method="get,"`` (an empty last item) drops the htpasswd role before anything is logged.

    With the closing anonymous role after it, its user is refused too; without one, the mount is open.
    """
    port = oracle.free_port()
    role = f'<role type="htpasswd" method="get,">{USERS}</role>'
    closed = members(box25, port, f"<authentication>{role}{CLOSING}</authentication>")
    (finding,) = findings(closed, "2.5", "ICE523")
    assert 'method="get," with an empty item' in finding.message and "without a word" in finding.message
    output: list[str] = []
    got = listened(closed, box25, port, ["/members.ogg"], ogg, "method-dropped", output)["/members.ogg"]
    assert got == {"no login": 401, "user": 401, "wrong password": 401, "unknown user": 401}
    assert "method" not in output[0].lower()  # nothing says why
    after = fixed(closed, "2.5", "ICE523")
    assert b'method="get"' in after and not findings(after, "2.5", "ICE523")
    got = listened(after, box25, port, ["/members.ogg"], ogg, "method-fixed")["/members.ogg"]
    assert got == {"no login": 401, "user": 200, "wrong password": 401, "unknown user": 401}
    alone = members(box25, port, f"<authentication>{role}</authentication>")
    assert "OPEN" in explained(alone) and findings(alone, "2.5", "ICE519")
    got = listened(alone, box25, port, ["/members.ogg"], ogg, "method-dropped-open")["/members.ogg"]
    assert got == {"no login": 200, "user": 200, "wrong password": 200, "unknown user": 200}
