"""Security rules: passwords, mount authentication, changeowner and chroot."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest

import icecfg
from icecfg.lint import lint
from tests.rules.cases import Case, check_case, run


def auth(inner: str) -> bytes:
    return f"<icecast><authentication>{inner}</authentication></icecast>".encode()


def mount_auth(attrs: str, options: str = '<option name="filename" value="/etc/icecast2/users"/>') -> bytes:
    return (
        f"<icecast><mount><mount-name>/live</mount-name><authentication{attrs}>{options}"
        "</authentication></mount></icecast>"
    ).encode()


HTPASSWD_ROLE = '<role type="htpasswd"><option name="filename" value="/etc/icecast2/users"/></role>'
HEADERS = '<http-headers><header name="X-Members" value="yes"/></http-headers>'
CLOSING_ROLE = '<role type="anonymous" match-method="get,options,post,head" deny-method="*" deny-web="*"/>'


def role_auth(*names: str) -> bytes:
    """A mount with a 2.5 ``<role type="url">`` whose options ``names`` all hold :data:`ADD_URL`."""
    return (
        '<icecast><mount><mount-name>/live</mount-name><authentication><role type="url" match-method="get">'
        f"{_url_options(names)}</role></authentication></mount></icecast>"
    ).encode()


#: A backend URL on loopback (never asked: these are lint fixtures).
ADD_URL = "http://127.0.0.1:8080/add"


def url_auth(*names: str, extra: str = "") -> bytes:
    """A mount with a 2.4-style url authenticator whose options ``names`` hold :data:`ADD_URL`, then ``extra``."""
    return mount_auth(' type="url"', _url_options(names) + extra)


def _url_options(names: tuple[str, ...]) -> str:
    return "".join(f'<option name="{name}" value="{ADD_URL}"/>' for name in names)


def security(inner: str, paths: str = "") -> bytes:
    return f"<icecast><paths>{paths}</paths><security>{inner}</security></icecast>".encode()


#: A report database as 2.5.0 installs it (it defines no report).
REPORT_DB = (
    b'<?xml version="1.0"?>\n<report version="0.0.1" xmlns="http://icecast.org/specs/reportxml-0.0.1">\n</report>\n'
)
OWNER = "<changeowner><user>icecast2</user><group>icecast</group></changeowner>"

CASES = [
    # ICE501 default-password
    Case(
        "ICE501",
        auth("<source-password>hackme</source-password>"),
        auth("<source-password>hackme2-but-random-9f3a</source-password>"),
        message="sample-config default",
    ),
    Case(
        "ICE501",
        b"<icecast><mount><mount-name>/a</mount-name><password>hackmemore</password></mount></icecast>",
        b"<icecast><mount><mount-name>/a</mount-name><password>f00d-cafe</password></mount></icecast>",
        message="mount /a",
        id="2.4-mount",
    ),
    Case(
        "ICE501",
        mount_auth(' type="url"', '<option name="password" value="changeme"/>'),
        mount_auth(' type="url"', '<option name="username" value="changeme"/>'),  # not a password
        message='<option name="password">',
        id="2.4-url-option",
    ),
    Case(
        "ICE501",
        b"<icecast><authentication><admin-password>x-41</admin-password></authentication></icecast>",
        auth("<source-password>a-long-random-one</source-password>"),
        target="kh",
        message="built-in default",
    ),
    Case(
        "ICE501",
        auth("<source-password/>"),
        auth("<source-password>a-long-random-one</source-password>"),
        target="kh",
        message="<source-password> is empty, so Icecast-KH accepts its built-in default",
        id="kh-empty",
    ),
    Case(
        "ICE501",
        auth("<source-password/>"),
        b'<icecast><authentication source-password="a-long-random-one"/></icecast>',  # KH's attribute form
        target="kh",
        message="built-in default",
        id="kh-attribute-form",
    ),
    Case(
        "ICE501",
        b'<icecast><authentication source-password="s-1" admin-user="admin" admin-password="hackme"/></icecast>',
        b'<icecast><authentication source-password="s-1" admin-user="hackme" admin-password="a-2"/></icecast>',
        target="kh",
        message="admin-password of <authentication> is Icecast's sample-config default",
        id="kh-attribute-default",
    ),
    Case(
        "ICE501",
        auth("<relay-password>HackMe</relay-password>"),
        auth("<relay-password>hack-me-not-7d</relay-password>"),
        target="2.5",
        message="<relay-password>",
    ),
    # ICE502 empty-password
    Case(
        "ICE502",
        auth("<source-password/>"),
        auth("<source-password>s</source-password>"),
        message="sources are refused",
    ),
    Case(
        "ICE502",
        auth("<admin-user>admin</admin-user><admin-password></admin-password>"),
        auth("<admin-user>admin</admin-user><admin-password>p</admin-password>"),
        target="2.5",
        message="/admin",
    ),
    Case(
        "ICE502",
        b"<icecast><mount><mount-name>/a</mount-name><password/></mount></icecast>",
        b"<icecast><relay><server>up</server><port>8000</port><password/></relay></icecast>",
        message="falls back",
        id="2.4-mount",
    ),
    Case(
        "ICE502",
        b'<icecast><authentication source-password=""/></icecast>',
        b'<icecast><authentication source-password="s"><admin-password>a</admin-password></authentication></icecast>',
        target="kh",
        message='source-password="" on <authentication> is read by Icecast-KH as the empty password',
        id="kh-empty-attribute",
    ),
    Case(
        "ICE502",
        b'<icecast><authentication admin-user="admin" admin-password=""/></icecast>',
        auth("<source-password>s</source-password><admin-password/>"),  # KH: an empty element is unset
        target="kh",
        message="anyone can log in to /admin",
        id="kh-empty-admin-attribute",
    ),
    # ICE503 password-reused
    Case(
        "ICE503",
        auth("<source-password>same-9</source-password><admin-password>same-9</admin-password>"),
        auth("<source-password>same-9</source-password><admin-password>same-9 </admin-password>"),
        message="<source-password>",
    ),
    Case(
        "ICE503",
        b"<icecast><authentication><admin-password>m-1</admin-password></authentication>"
        b"<mount><mount-name>/a</mount-name><password>m-1</password></mount></icecast>",
        b"<icecast><authentication><admin-password>m-1</admin-password></authentication>"
        b"<mount><mount-name>/a</mount-name><password>m-2</password></mount></icecast>",
        target="kh",
        message="mount /a",
    ),
    Case(
        "ICE503",
        auth("<relay-password>r-5</relay-password><admin-password>r-5</admin-password>"),
        auth("<relay-password>r-5</relay-password><admin-password>r-6</admin-password>"),
        target="2.5",
        message="<relay-password>",
    ),
    Case(
        "ICE503",
        b'<icecast><authentication source-password="same-9" admin-user="a" admin-password="same-9"/></icecast>',
        b'<icecast><authentication source-password="same-9" admin-user="a" admin-password="other-9"/></icecast>',
        target="kh",
        message="source-password of <authentication> is the same as <admin-password>",
        id="kh-attribute-form",
    ),
    # ICE504 mount-auth-type-invalid
    Case("ICE504", mount_auth(' type="htpassword"'), mount_auth(' type="htpasswd"'), message="PUBLIC"),
    Case(
        "ICE504",
        mount_auth(""),
        mount_auth(' type="url"', '<option name="listener_add" value="http://a/b"/>'),
        message="has no type",
        id="2.4-missing",
    ),
    Case(
        "ICE504",
        mount_auth(' type="Htpasswd"'),
        b'<icecast><mount><mount-name>/live</mount-name><authentication><role type="anonymous"/>'
        b"</authentication></mount></icecast>",  # 2.5 without type: a role stack
        target="2.5",
        message="refuses every listener of mount /live and every source",
    ),
    Case(
        "ICE504",
        mount_auth(' type="cmd"'),
        mount_auth(' type="command"', '<option name="listener_add" value="/usr/local/bin/auth"/>'),
        target="kh",
        message="creates mount /live without authentication: it is PUBLIC",
    ),
    # ICE505 htpasswd-without-filename
    Case(
        "ICE505",
        mount_auth(' type="htpasswd"', '<option name="allow_duplicate_users" value="0"/>'),
        mount_auth(' type="htpasswd"'),
        message="every listener is refused",
    ),
    Case(
        "ICE505",
        b'<icecast><mount><mount-name>/live</mount-name><authentication><role type="htpasswd">'
        b'<option name="file" value="/etc/icecast2/users"/></role></authentication></mount></icecast>',
        b'<icecast><mount><mount-name>/live</mount-name><authentication><role type="htpasswd">'
        b'<option name="filename" value="/etc/icecast2/users"/></role></authentication></mount></icecast>',
        target="2.5",
    ),
    Case(
        "ICE505",
        mount_auth(' type="htpasswd"', '<option name="filename"/>'),
        mount_auth(' type="htpasswd"', "<option><name>filename</name><value>/etc/icecast2/users</value></option>"),
        target="kh",
        message="Icecast-KH crashes at start-up",
    ),
    # ICE514 auth-url-unknown-option
    Case(
        "ICE514",
        url_auth("listner_add"),
        url_auth("listener_add"),
        message='<option name="listner_add"> is not an option of Icecast 2.4.4\'s url authenticator '
        '(did you mean "listener_add"?): Icecast 2.4.4 ignores it without a word',
    ),
    Case(
        "ICE514",
        url_auth("client_add"),
        url_auth("listener_add"),
        target="kh",
        message='"client_add" is the name a 2.5 <role type="url"> takes; a 2.4-style block takes "listener_add"',
        id="kh-2.5-name",
    ),
    Case(
        "ICE514",
        url_auth("listener_add", extra='<option name="timout" value="3"/>'),
        url_auth("listener_add", extra='<option name="timeout" value="3"/>'),
        target="kh",
        message='(did you mean "timeout"?)',
        id="kh-own-option",
    ),
    Case(
        "ICE514",
        role_auth("listener_add"),
        role_auth("client_add"),
        target="2.5",
        message="Icecast 2.5 logs 'Unknown option: listener_add' and ignores it",
        id="2.5-role",
    ),
    Case(
        # 2.5's header options in a 2.4-style block are ICE512's, not unknown here
        "ICE514",
        url_auth("client_add"),
        url_auth("listener_add", extra='<option name="header_auth" value="x"/>'),
        target="2.5",
        id="2.5-block",
    ),
    # ICE515 auth-url-asks-nobody
    Case(
        "ICE515",
        url_auth("mount_add"),
        url_auth("mount_add", "listener_add"),
        message='<authentication type="url"> of mount /live has no <option name="listener_add"> Icecast 2.4.4 reads: '
        "it asks no backend and lets every listener in",
    ),
    Case(
        # an option without a value is skipped
        "ICE515",
        mount_auth(' type="url"', '<option name="listener_add"/>'),
        url_auth("stream_auth", "listener_add"),
        id="no-value",
    ),
    Case(
        # 2.4.4 and KH let listeners in whatever the source login (stream_auth) says
        "ICE515",
        url_auth("stream_auth"),
        url_auth("stream_auth", "listener_add"),
        target="kh",
        id="sources-only",
    ),
    Case(
        # 2.5.0 refuses the listeners of that block instead: ICE518's
        "ICE515",
        url_auth("mount_add"),
        url_auth("stream_auth"),
        target="2.5",
        id="2.5-sources-only",
    ),
    # ICE518 auth-url-sources-only
    Case(
        "ICE518",
        url_auth("stream_auth"),
        url_auth("stream_auth", "listener_add"),
        target="2.5",
        message='<authentication type="url"> of mount /live has "stream_auth" and no "listener_add": Icecast 2.5 '
        "makes it a login for sources only and refuses every listener (401)",
    ),
    Case(
        # a 2.5 role says itself what it is for
        "ICE518",
        url_auth("stream_auth", "mount_add"),
        role_auth("client_add"),
        target="2.5",
        id="role",
    ),
    Case(
        # KH reads an option's name and value from child elements too
        "ICE515",
        mount_auth(' type="url"', ""),
        mount_auth(' type="url"', f"<option><name>listener_add</name><value>{ADD_URL}</value></option>"),
        target="kh",
        message="Icecast-KH reads",
        id="kh-children",
    ),
    Case(
        "ICE515",
        role_auth("client_remove"),
        role_auth("client_add"),
        target="2.5",
        message='<role type="url"> of mount /live has no <option name="client_add">',
        id="2.5-role",
    ),
    # ICE519 auth-roles-let-strangers-in
    Case(
        "ICE519",
        mount_auth("", HTPASSWD_ROLE),
        mount_auth("", HTPASSWD_ROLE + CLOSING_ROLE),
        target="2.5",
        message="the roles of mount /live pass a listener without a login, or with a user "
        '<role type="htpasswd"> does not know, on to the server\'s built-in anonymous role, which lets them in',
    ),
    Case(
        # 2.5 closes a 2.4-style block itself
        "ICE519",
        mount_auth(
            "", '<role type="static"><option name="username" value="u"/><option name="password" value="p"/></role>'
        ),
        mount_auth(' type="htpasswd"'),
        target="2.5",
        id="legacy-block",
    ),
    Case(
        # an anonymous role of the server's that denies the GET ends the way first
        "ICE519",
        mount_auth("", HTPASSWD_ROLE),
        mount_auth("", HTPASSWD_ROLE).replace(
            b"<mount>", b'<authentication><role type="anonymous" deny-method="*"/></authentication><mount>', 1
        ),
        target="2.5",
        id="server-role",
    ),
    Case(
        # an anonymous role of the mount's own that lets listeners in says so itself
        "ICE519",
        mount_auth("", HTPASSWD_ROLE.replace("<role ", '<role match-method="get" ') + CLOSING_ROLE.replace("get,", "")),
        mount_auth("", HTPASSWD_ROLE + '<role type="anonymous" match-method="get" allow-method="get"/>'),
        target="2.5",
        message="on to the server's built-in anonymous role",
        id="own-anonymous",
    ),
    Case(
        # enforce-auth refuses a listener without any login, but one with a user nobody knows goes on
        "ICE519",
        mount_auth("", HTPASSWD_ROLE + '<role type="enforce-auth"/>'),
        mount_auth("", HTPASSWD_ROLE + '<role type="enforce-auth"/>' + CLOSING_ROLE),
        target="2.5",
        message='pass a listener with a user <role type="htpasswd"> does not know, on to',
        id="enforce-auth",
    ),
    # ICE520 role-acl-order
    Case(
        "ICE520",
        mount_auth("", '<role type="anonymous" match-method="get" allow-method="get" deny-method="*"/>'),
        mount_auth("", '<role type="anonymous" match-method="get" deny-method="*" allow-method="get"/>'),
        target="2.5",
        message='allow-method="get" is undone by the deny-method="*" written after it: Icecast 2.5 applies',
    ),
    Case(
        # a 2.4-style htpasswd block is a role to 2.5, ACL attributes and all
        "ICE520",
        mount_auth(' type="htpasswd" allow-method="get" deny-method="*"'),
        mount_auth(' type="htpasswd" deny-method="*" allow-method="get"'),
        target="2.5",
        message='allow-method="get" is undone by the deny-method="*" written after it',
        id="htpasswd-block",
    ),
    Case(
        # methods apart from each other do not undo anything
        "ICE520",
        mount_auth("", '<role type="anonymous" match-method="get" deny-method="get,head" allow-method="*"/>'),
        mount_auth("", '<role type="anonymous" match-method="get" allow-method="get" deny-method="put,source"/>'),
        target="2.5",
        message="so get, head are allowed",
        id="disjoint",
    ),
    Case(
        # with an <acl> child the ACL is that element's alone
        "ICE520",
        mount_auth("", '<role type="anonymous" match-method="get"><acl allow-method="get" deny-method="*"/></role>'),
        mount_auth("", '<role type="anonymous" match-method="get" allow-method="get" deny-method="*"><acl/></role>'),
        target="2.5",
        id="acl-child",
    ),
    # ICE522 role-acl-ignored
    Case(
        "ICE522",
        mount_auth("", '<role type="anonymous" match-method="get" deny-method="*"><acl allow-method="get"/></role>'),
        mount_auth("", '<role type="anonymous" match-method="get"><acl deny-method="*" allow-method="get"/></role>'),
        target="2.5",
        message="deny-method on this role is ignored: Icecast 2.5 takes the role's ACL from its <acl> child alone",
    ),
    Case(
        # a role's filters and type stay the role's; only ACL attributes move
        "ICE522",
        mount_auth("", '<role type="anonymous" match-method="get"><acl/><acl deny-method="*"/></role>'),
        mount_auth("", '<role type="anonymous" match-method="get" name="listeners"><acl deny-method="*"/></role>'),
        target="2.5",
        message="a second <acl> in a role is ignored",
        id="second-acl",
    ),
    # ICE523 role-not-set-up
    Case(
        "ICE523",
        mount_auth(
            "", '<role type="static"><option name="username" value="dj"/><option name="passwod" value="x"/></role>'
        ),
        mount_auth(
            "", '<role type="static"><option name="username" value="dj"/><option name="password" value="x"/></role>'
        ),
        target="2.5",
        message='this <role> has no <option name="password"> (<option name="passwod"> is not it: did you mean "password"?)',
    ),
    Case(
        "ICE523",
        mount_auth("", '<role type="htpaswd"><option name="filename" value="/etc/icecast2/users"/></role>'),
        mount_auth("", '<role type="legacy-password"><option name="password" value="x"/></role>'),
        target="2.5",
        message="""has an unknown type 'htpaswd' (did you mean "htpasswd"?)""",
        id="type",
    ),
    Case(
        # "get ,head": the item is "get " with its space; the fix writes the list as 2.5 reads it
        "ICE523",
        mount_auth("", HTPASSWD_ROLE.replace('"htpasswd"', '"htpasswd" method="get ,head"') + CLOSING_ROLE),
        mount_auth("", HTPASSWD_ROLE.replace('"htpasswd"', '"htpasswd" method="get,head"') + CLOSING_ROLE),
        target="2.5",
        message="""has method="get ,head" with 'get ', no method Icecast 2.5 knows: Icecast 2.5 drops the role""",
        id="method",
    ),
    # ICE524 role-opens-admin
    Case(
        "ICE524",
        b'<icecast><authentication><role type="anonymous" allow-admin="*"/></authentication></icecast>',
        b'<icecast><authentication><role type="static" allow-admin="*"><option name="username" value="ops"/>'
        b'<option name="password" value="x"/></role></authentication></icecast>',
        target="2.5",
        message="this anonymous role allows every admin command without a login: Icecast 2.5 lets anyone use the "
        "whole admin interface",
    ),
    Case(
        # the public commands are every anonymous role's anyway; a later deny-admin takes the rest back
        "ICE524",
        mount_auth("", '<role type="anonymous" match-method="get" allow-admin="killsource"/>'),
        mount_auth("", '<role type="anonymous" match-method="get" allow-admin="*" deny-admin="*"/>'),
        target="2.5",
        message="allows killsource without a login: Icecast 2.5 lets anyone use the admin commands of mount /live",
        id="mount",
    ),
    # ICE525 connection-limit-ignored
    Case(
        "ICE525",
        mount_auth(
            ' type="htpasswd"',
            '<option name="filename" value="/etc/icecast2/users"/><option name="allow_duplicate_users" value="0"/>',
        ),
        mount_auth(' type="htpasswd" name="htpasswd" connections-per-user="1"', '<option name="filename" value="/u"/>'),
        target="2.5",
        message='is read by Icecast 2.5 as connections-per-user="0", no limit',
    ),
    Case(
        "ICE525",
        mount_auth("", '<role type="htpasswd" connections-per-user="2"><option name="filename" value="/u"/></role>'),
        mount_auth("", '<role type="htpasswd" connections-per-user="*"><option name="filename" value="/u"/></role>'),
        target="2.5",
        message='connections-per-user="2" on a <role> without a name is never applied',
        id="unnamed-role",
    ),
    Case(
        "ICE525",
        mount_auth("", '<role type="anonymous" name="public" connections-per-user="1" match-method="get"/>'),
        mount_auth("", '<role type="anonymous" name="public" match-method="get"/>'),
        target="2.5",
        message='connections-per-user="1" on an anonymous role limits nothing',
        id="anonymous-role",
    ),
    # ICE526 role-setting-ignored
    Case(
        "ICE526",
        mount_auth(' deny-method="get"', HTPASSWD_ROLE + CLOSING_ROLE),
        mount_auth("", HTPASSWD_ROLE.replace('"htpasswd"', '"htpasswd" deny-method="get"') + CLOSING_ROLE),
        target="2.5",
        message="deny-method= on an <authentication> of roles is ignored: Icecast 2.5 reads only its <role>",
        id="stack",
    ),
    Case(
        # a 2.4-style htpasswd block is a role to 2.5: the same settings are read there
        "ICE526",
        mount_auth(' type="url" name="url" connections-per-user="1"', _url_options(("listener_add",))),
        mount_auth(' type="htpasswd" name="htpasswd" connections-per-user="1"'),
        target="2.5",
        message="connections-per-user= on a 2.4-style url block is ignored",
        id="url",
    ),
    Case(
        "ICE526",
        mount_auth("", HTPASSWD_ROLE + CLOSING_ROLE + HEADERS),
        mount_auth(' type="htpasswd"', '<option name="filename" value="/u"/>' + HEADERS),
        target="2.5",
        message="<http-headers> in an <authentication> of roles is ignored",
        id="child",
    ),
    # ICE521 role-refuses-sources
    Case(
        "ICE521",
        mount_auth("", '<role type="anonymous" allow-method="get"/>'),
        mount_auth("", '<role type="anonymous" match-method="get,options,post,head" allow-method="get"/>'),
        target="2.5",
        message="this anonymous role answers the sources of mount /live too",
    ),
    Case(
        # a role that lets sources in on purpose, or a url role before it that asks a backend
        "ICE521",
        mount_auth("", HTPASSWD_ROLE + '<role type="anonymous"/>'),
        mount_auth(
            "", f'<role type="url"><option name="client_add" value="{ADD_URL}"/></role><role type="anonymous"/>'
        ),
        target="2.5",
        id="url-first",
    ),
    Case(
        "ICE521",
        mount_auth("", '<role type="anonymous" deny-method="*"/>'),
        mount_auth("", '<role type="anonymous" allow-method="get,put,source"/>'),
        target="2.5",
        id="sources-allowed",
    ),
    # ICE516 auth-url-mount-remove
    Case(
        "ICE516",
        url_auth("listener_add", "mount_add", "mount_remove"),
        url_auth("listener_add", "mount_add"),
        target="2.5",
        message='<option name="mount_remove"> of mount /live: Icecast 2.5.0 calls the URL of "mount_add" instead',
    ),
    Case(
        "ICE516",
        url_auth("listener_add", "mount_remove"),
        role_auth("client_add", "client_remove"),  # a role's client_remove is its own, not the source's
        target="2.5",
        message="logs 'Can not set up event backend url for trigger source-disconnect' and calls nothing",
        id="without-mount-add",
    ),
    # ICE517 auth-command-without-listener-add
    Case(
        "ICE517",
        mount_auth(' type="command"', '<option name="listner_add" value="/usr/local/bin/auth"/>'),
        mount_auth(' type="command"', '<option name="listener_add" value="/usr/local/bin/auth"/>'),
        target="kh",
        message='(<option name="listner_add"> is not it: did you mean "listener_add"?): Icecast-KH logs',
    ),
    Case(
        "ICE517",
        mount_auth(' type="command"', '<option name="listener_remove" value="/usr/local/bin/bye"/>'),
        mount_auth(' type="command"', "<option><name>listener_add</name><value>/usr/local/bin/auth</value></option>"),
        target="kh",
        message="crashes at start-up (SIGSEGV)",
        id="only-remove",
    ),
    # ICE506 changeowner-incomplete
    Case(
        "ICE506",
        security("<changeowner><user>icecast2</user></changeowner>"),
        security(OWNER),
        message="lacks <group>: Icecast 2.4.4 switches user only when both resolve, so started as root it "
        "stays root (and then refuses to run)",
    ),
    Case(
        "ICE506",
        security("<changeowner><user>icecast2</user><group/></changeowner>"),
        security(OWNER),
        target="2.5",
        message="started as root it stays root (and then refuses to run, except as PID 1, "
        "a container's entrypoint, where it runs on as root)",
    ),
    Case(
        "ICE506",
        security("<changeowner/>"),
        security("<chroot>0</chroot>"),
        target="kh",
        message="stays root (and then refuses to run)",
    ),
    Case(
        "ICE506",
        security("<changeowner><user>icecast2</user></changeowner>"),
        security(OWNER),
        target="kh",
        message="lacks <group>: Icecast-KH switches the user alone, so started as root it keeps root's group",
        id="kh-user-alone",
    ),
    Case(
        "ICE506",
        security("<changeowner><group>icecast</group></changeowner>"),
        security(OWNER),
        target="kh",
        message="lacks <user>: Icecast-KH started as root crashes at start-up (SIGSEGV)",
        id="kh-group-alone",
    ),
    # ICE507 chroot-without-changeowner
    Case(
        "ICE507",
        security("<chroot>1</chroot>"),
        security("<chroot>true</chroot>"),  # 2.4.4 reads true as 0: no chroot at all
        message="started as root Icecast 2.4.4 refuses to run, started as another user it skips the chroot",
    ),
    Case(
        "ICE507",
        security("<chroot>yes</chroot>"),
        security(f"<chroot>yes</chroot>{OWNER}"),
        "2.5",
        message="started as root Icecast 2.5 refuses to run, except as PID 1 (a container's entrypoint), "
        "where it runs on as root in the chroot",
    ),
    Case(
        "ICE507",
        security("<chroot>1</chroot>"),
        security(f"<chroot>1</chroot>{OWNER}"),
        "kh",
        message="started as root Icecast-KH refuses to run",
    ),
    # ICE508 chroot-path-includes-basedir
    Case(
        "ICE508",
        security(
            f"<chroot>1</chroot>{OWNER}",
            "<basedir>/srv/icecast</basedir><logdir>/srv/icecast/logs</logdir>",
        ),
        security(
            f"<chroot>1</chroot>{OWNER}",
            "<basedir>/srv/icecast</basedir><logdir>/srv/icecast-logs</logdir>",  # a prefix, not inside
        ),
        message="after the chroot Icecast opens /srv/icecast/srv/icecast/logs; write /logs",
    ),
    Case(
        "ICE508",
        b'<icecast><paths><basedir>/srv/ice</basedir></paths><security><chroot>1</chroot></security><mount><mount-name>/a</mount-name><authentication type="htpasswd"><option name="filename" value="/srv/ice/users"/></authentication></mount></icecast>',
        b'<icecast><paths><basedir>/srv/ice</basedir></paths><security><chroot>0</chroot></security><mount><mount-name>/a</mount-name><authentication type="htpasswd"><option name="filename" value="/srv/ice/users"/></authentication></mount></icecast>',
        target="2.5",
        message="htpasswd",
    ),
    Case(  # 2.4.4 and 2.5.0 write <pidfile> before the chroot: a host path
        "ICE508",
        security(f"<chroot>1</chroot>{OWNER}", "<webroot>/usr/local/icecast/web</webroot>"),
        security(f"<chroot>1</chroot>{OWNER}", "<pidfile>/usr/local/icecast/icecast.pid</pidfile>"),
        target="2.5",
        message="<basedir> /usr/local/icecast",  # the default basedir
        id="host-pidfile",
    ),
    Case(  # Icecast-KH writes <pidfile> after the chroot
        "ICE508",
        security(f"<chroot>1</chroot>{OWNER}", "<pidfile>/usr/local/icecast/icecast.pid</pidfile>"),
        security(f"<chroot>1</chroot>{OWNER}", "<pidfile>/icecast.pid</pidfile>"),
        target="kh",
        message="<pidfile> /usr/local/icecast/icecast.pid includes <basedir> /usr/local/icecast",
    ),
    # ICE509 chroot-path-missing
    Case(
        "ICE509",
        security(f"<chroot>1</chroot>{OWNER}", "<basedir>/srv/ice</basedir><webroot>/usr/share/icecast2/web</webroot>"),
        security(f"<chroot>1</chroot>{OWNER}", "<basedir>/srv/ice</basedir><webroot>/web</webroot>"),
        files={"/srv/ice/web/status.xsl": b"", "/usr/share/icecast2/web/status.xsl": b""},
        message="exists only outside the chroot",
    ),
    Case(
        "ICE509",
        b"<icecast><paths><basedir>/srv/ice</basedir></paths><security><chroot>1</chroot></security>"
        b"<mount><mount-name>/a</mount-name><dump-file>/dumps/a.ogg</dump-file></mount></icecast>",
        b"<icecast><paths><basedir>/srv/ice</basedir></paths><security><chroot>1</chroot></security>"
        b"<mount><mount-name>/a</mount-name><dump-file>/logs/a.ogg</dump-file></mount></icecast>",
        target="2.5",
        files={"/srv/ice/logs/.keep": b""},  # a dump file's directory must exist, not the file
    ),
    Case(
        "ICE509",
        security(f"<chroot>1</chroot>{OWNER}", "<basedir>/srv/ice</basedir><webroot>/web</webroot>"),
        security(f"<chroot>1</chroot>{OWNER}", "<basedir>/srv/ice</basedir><webroot>/web</webroot>").replace(
            b"/srv/ice</basedir>", b"/srv/ice2</basedir>"
        ),
        target="kh",
        files={"/srv/ice2/web/index.html": b""},
        message="/srv/ice/web",
    ),
    Case(  # 2.4.4 reads its root <mime-types> after the chroot too
        "ICE509",
        b"<icecast><mime-types>/etc/mime.types</mime-types><paths><basedir>/srv/ice</basedir></paths>"
        b"<security><chroot>1</chroot></security></icecast>",
        b"<icecast><mime-types>/mime.types</mime-types><paths><basedir>/srv/ice</basedir></paths>"
        b"<security><chroot>1</chroot></security></icecast>",
        files={"/etc/mime.types": b"", "/srv/ice/mime.types": b""},
        message="<mime-types> /etc/mime.types: after the chroot into /srv/ice Icecast opens /srv/ice/etc/mime.types",
        id="root-mime-types",
    ),
    # ICE513 report-database-unreadable
    Case(
        "ICE513",
        security("", "<reportxmldb>/usr/share/icecast/report-db.xml</reportxmldb>"),
        security("", "<reportxmldb>/usr/local/share/icecast/report-db.xml</reportxmldb>"),
        target="2.5",
        files={"/usr/local/share/icecast/report-db.xml": REPORT_DB},
        message="/usr/share/icecast/report-db.xml does not exist: Icecast 2.5 logs 'Can not parse report xml database'",
    ),
    Case(
        "ICE513",
        security("", "<reportxmldb>/etc/icecast/notes.xml</reportxmldb>"),
        security("", "<reportxmldb>/etc/icecast/report-db.xml</reportxmldb>"),
        target="2.5",
        files={"/etc/icecast/notes.xml": b"<notes/>", "/etc/icecast/report-db.xml": REPORT_DB},
        message="holds <notes>, not a <report> database",
        id="other-document",
    ),
    Case(
        "ICE513",
        security("", "<reportxmldb>/etc/icecast/broken.xml</reportxmldb>"),
        security("", "<reportxmldb>/etc/icecast/report-db.xml</reportxmldb>"),
        target="2.5",
        files={"/etc/icecast/broken.xml": b"<report>", "/etc/icecast/report-db.xml": REPORT_DB},
        message="is not well-formed XML",
        id="not-xml",
    ),
    Case(  # read before the chroot: the host path counts, not the one inside <basedir>
        "ICE513",
        security(f"<chroot>1</chroot>{OWNER}", "<basedir>/srv/ice</basedir><reportxmldb>/db.xml</reportxmldb>"),
        security(f"<chroot>1</chroot>{OWNER}", "<basedir>/srv/ice</basedir><reportxmldb>/srv/ice/db.xml</reportxmldb>"),
        target="2.5",
        files={"/srv/ice/db.xml": REPORT_DB},
        message="<reportxmldb> /db.xml does not exist",
        id="host-path",
    ),
    # ICE510 admin-credentials-incomplete
    Case(
        "ICE510",
        auth("<admin-password>a-9</admin-password>"),
        auth("<admin-user>admin</admin-user><admin-password>a-9</admin-password>"),
        message="add <admin-user>",
    ),
    Case("ICE510", auth("<admin-user>admin</admin-user>"), auth("<relay-user>r</relay-user>"), "2.5"),
    Case("ICE510", auth("<admin-user>admin</admin-user>"), auth(""), "kh"),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.test_id)
def test_rule(case: Case, tmp_path: Path) -> None:
    check_case(case, tmp_path)


def test_auth_type_fix_corrects_the_typo(tmp_path: Path) -> None:
    cfg = icecfg.loads(mount_auth(' type="htpassword"'))
    [finding] = [f for f in lint(cfg, "2.4", files=False) if f.code == "ICE504"]
    assert finding.fix is not None
    assert finding.fix_title == 'set type="htpasswd"'
    finding.fix()
    assert b'<authentication type="htpasswd">' in icecfg.dumps(cfg)
    assert not [f for f in lint(cfg, "2.4", files=False) if f.code == "ICE504"]


def test_chroot_path_fix_strips_the_basedir() -> None:
    data = security(f"<chroot>1</chroot>{OWNER}", "<basedir>/srv/ice/</basedir><adminroot>/srv/ice/admin</adminroot>")
    cfg = icecfg.loads(data)
    [finding] = [f for f in lint(cfg, "2.4", files=False) if f.code == "ICE508"]
    assert finding.fix is not None
    finding.fix()
    assert b"<adminroot>/admin</adminroot>" in icecfg.dumps(cfg)


def _password() -> str:
    return "pw" + secrets.token_hex(6)


def test_no_message_ever_contains_a_password(tmp_path: Path) -> None:
    """Lint configurations full of distinct passwords with every rule on every dialect."""
    passwords: list[str] = []

    def pw() -> str:
        value = _password()
        passwords.append(value)
        return value

    same = pw()
    docs = [
        f"""<icecast>
  <hostname>localhost</hostname>
  <source-password>{pw()}</source-password>
  <authentication>
    <source-password>{same}</source-password>
    <relay-password>{same}</relay-password>
    <admin-password>{same}</admin-password>
  </authentication>
  <master-server>master.example.org</master-server>
  <master-password>{pw()}</master-password>
  <listen-socket><port>8000</port></listen-socket>
  <listen-socket><port>8000</port><ssl>1</ssl></listen-socket>
  <relay><server>up</server><password>{pw()}</password></relay>
  <mount><mount-name>/a</mount-name><password>{same}</password><cluster-password>{pw()}</cluster-password>
    <authentication type="ur1"><option name="password" value="{pw()}"/>
      <option name="auth_password" value="{pw()}"/></authentication></mount>
  <mount><mount-name>/b</mount-name><authentication type="htpasswd">
    <option name="filename" value="/srv/users"/></authentication></mount>
  <mount><mount-name>/c</mount-name><public>1</public><password>{pw()}</password></mount>
  <paths><basedir>/srv</basedir><logdir>/var/log/icecast2</logdir>
    <ssl-certificate>/etc/icecast2/missing.pem</ssl-certificate></paths>
  <security><chroot>1</chroot></security>
</icecast>""",
        f"""<icecast>
  <authentication><admin-password>{pw()}</admin-password><source-password/></authentication>
  <listen-socket port="8000"/><master-password>{pw()}</master-password>
  <mount><mount-name>/x</mount-name><authentication type="url">
    <option name="password" value="{pw()}"/></authentication></mount>
</icecast>""",
    ]
    assert len(set(passwords)) == len(passwords)
    seen = set()
    for doc in docs:
        cfg = icecfg.loads(doc.encode())
        for target in ("2.4", "2.5", "kh"):
            for finding in lint(cfg, target, root=str(tmp_path)):
                seen.add(finding.code)
                text = f"{finding.message} {finding.fix_title}"
                for password in passwords:
                    assert password not in text, (finding.code, finding.message)
    # the configurations did reach the rules that talk about passwords and their elements
    assert {"ICE409", "ICE502", "ICE503", "ICE504", "ICE507", "ICE508", "ICE901", "ICE910"} <= seen


def test_password_checks_are_not_fooled_by_whitespace() -> None:
    codes = {f.code for f in run(auth("<source-password>\n   hackme\n</source-password>"), "2.4")}
    assert "ICE501" in codes


def test_default_password_messages_do_not_repeat_the_password() -> None:
    data = (
        b"<icecast><authentication><source-password>hackme</source-password>"
        b"<admin-password>changeme</admin-password></authentication><mount><mount-name>/m</mount-name>"
        b'<password>hackmemore</password><authentication type="url"><option name="password" value="hackme"/>'
        b"</authentication></mount></icecast>"
    )
    findings = [f for f in run(data, "2.4") if f.code == "ICE501"]
    assert len(findings) == 4
    for finding in findings:
        assert "hackme" not in finding.message.lower()
        assert "changeme" not in finding.message.lower()


def test_a_finding_on_an_attribute_spans_that_attribute_only() -> None:
    """SARIF and GitHub annotations mark the attribute, not the rest of the element after it."""
    data = b'<icecast><authentication source-password="" admin-user="admin" admin-password="x-9"/></icecast>'
    [finding] = [f for f in run(data, "kh", files=False) if f.code == "ICE502"]
    start = data.index(b"source-password")
    assert (finding.line, finding.column) == (1, start + 1)
    assert (finding.end_line, finding.end_column) == (1, start + 1 + len('source-password=""'))


def test_a_secret_option_added_after_reading_is_judged() -> None:
    # the file as read has no <option> at all; the edit adds a default password as one
    config = icecfg.loads(mount_auth(' type="url"', ""))
    assert not [f for f in lint(config, "2.4", files=False) if f.code == "ICE501"]
    block = config.document.root.find("mount")
    auth_block = block.find("authentication") if block is not None else None
    assert auth_block is not None
    auth_block.append(icecfg.document.Element("option", {"name": "password", "value": "changeme"}))
    [finding] = [f for f in lint(config, "2.4", files=False) if f.code == "ICE501"]
    assert '<option name="password">' in finding.message
