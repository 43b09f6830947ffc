"""Integrity and coverage checks for the element table in ``icecfg.spec``."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest

from icecfg.spec import (
    ALL,
    KH,
    ROOT,
    SECTIONS,
    V24,
    V25,
    AttributeRow,
    Dialect,
    ElementRow,
    Kind,
    Repeat,
    SectionRow,
    iter_rows,
    section_of,
)

D = {"4": Dialect.V24, "5": Dialect.V25, "K": Dialect.KH}


def _dialects(code: str) -> frozenset[Dialect]:
    return frozenset(D[c] for c in code)


def _py_name(row: ElementRow) -> str:
    return row.py_name or row.name.replace("-", "_")


def _all_attributes() -> Iterator[tuple[str, frozenset[Dialect], AttributeRow]]:
    """(owner, owner dialects, attribute) for section and element attributes."""
    for section in SECTIONS.values():
        for attr in section.attributes:
            yield section.id, section.dialects, attr
    for section, row in iter_rows():
        for attr in row.attributes:
            yield f"{section.id}/{row.name}", row.dialects, attr


# What the reference names, read section by section (§2.1-2.12, §3).  Codes:
# 4 = 2.4.4, 5 = 2.5, K = KH; an element must be known exactly in those.
EXPECTED_CHILDREN: dict[str, dict[str, str]] = {
    "icecast": {
        "location": "45K",
        "admin": "45K",
        "hostname": "45K",
        "server-id": "45K",
        "server_id": "K",
        "authentication": "45K",
        "source-password": "45K",
        "icelogin": "4",
        "fileserve": "45K",
        "relays-on-demand": "45K",
        "mime-types": "45",
        "listen-socket": "45K",
        "port": "45K",
        "bind-address": "45K",
        "shoutcast-mount": "45K",
        "master-server": "45K",
        "master-server-port": "45K",
        "master-username": "45K",
        "master-password": "45K",
        "master-update-interval": "45K",
        "limits": "45K",
        "http-headers": "45K",
        "relay": "45K",
        "mount": "45K",
        "directory": "45K",
        "yp-directory": "5",
        "paths": "45K",
        "logging": "45K",
        "security": "45K",
        "event-bindings": "5",
        "kartoffelsalat": "5",
        "master-bind": "K",
        "master-relay-auth": "K",
        "master-ssl-port": "K",
        "master-redirect": "K",
        "max-redirect-slaves": "K",
        "redirect": "K",
        "master": "K",
        "include": "K",
    },
    "limits": {
        "clients": "45K",
        "sources": "45K",
        "queue-size": "45K",
        "threadpool": "4",
        "client-timeout": "45K",
        "header-timeout": "45K",
        "source-timeout": "45K",
        "burst-on-connect": "45",
        "burst-size": "45K",
        "bodysize": "5",
        "body-timeout": "5",
        "server-idle-timeout": "5",
        "max-bandwidth": "K",
        "max-listeners": "K",
        "min-queue-size": "K",
        "workers": "K",
        "inactivity-timeout": "K",
    },
    "authentication": {
        "source-password": "45K",
        "admin-user": "45K",
        "admin-password": "45K",
        "relay-user": "45K",
        "relay-password": "45K",
        "shoutcast-user": "5",
        "role": "5",
    },
    "role": {
        "option": "5",
        "http-headers": "5",
        "acl": "5",
        "on-failed-action": "5",
        "on-failed-argument": "5",
        "on-deny-action": "5",
        "on-deny-argument": "5",
    },
    "acl": {"http-headers": "5"},
    "directory": {"yp-url": "45K", "yp-url-timeout": "45K", "touch-interval": "45K", "server": "4"},
    "directory-server": {"host": "4", "touch-interval": "4"},
    "yp-directory": {"option": "5"},
    "listen-socket": {
        "port": "45K",
        "bind-address": "45K",
        "shoutcast-mount": "45K",
        "shoutcast-compat": "45K",
        "ssl": "45",
        "tls": "5",
        "so-sndbuf": "45K",
        "listen-backlog": "5",
        "authentication": "5",
        "http-headers": "5",
        "queue-len": "K",
        "so-mss": "K",
    },
    "listen-socket-authentication": {"role": "5"},
    "http-headers": {"header": "45K"},
    "relay": {
        "server": "45K",
        "port": "45K",
        "mount": "45K",
        "local-mount": "45K",
        "relay-shoutcast-metadata": "45K",
        "username": "45K",
        "password": "45K",
        "on-demand": "45K",
        "bind": "45K",
        "ip": "K",  # KH _parse_relay also takes the <host> spellings flat
        "timeout": "K",
        "upstream": "5",
        "uri": "5",  # flat only to be reported obsolete by 2.5.0 (_parse_relay); read inside <upstream>
        "master": "K",
        "host": "K",
        "run-on": "K",
        "retry-delay": "K",
        "relay-icy-metadata": "K",
        "enable": "K",
        "http-headers": "K",
    },
    "upstream": {
        "server": "5",
        "port": "5",
        "mount": "5",
        "relay-shoutcast-metadata": "5",
        "username": "5",
        "password": "5",
        "bind": "5",
        "uri": "5",
    },
    "relay-host": {
        "ip": "K",
        "server": "K",
        "port": "K",
        "mount": "K",
        "ssl": "K",
        "tls": "K",
        "bind": "K",
        "timeout": "K",
        "http-headers": "K",
        "priority": "K",
    },
    "mount": {
        "mount-name": "45K",
        "username": "45K",
        "password": "45K",
        "dump-file": "45K",
        "intro": "45K",
        "fallback-mount": "45K",
        "fallback-override": "45K",
        "fallback-when-full": "45K",
        "max-listeners": "45K",
        "max-listener-duration": "45K",
        "charset": "45K",
        "mp3-metadata-interval": "45K",
        "metadata-interval": "K",
        "no-yp": "45",
        "no-mount": "45K",  # table says 4 K, but §2.8.1/§3.1 call it obsolete (so accepted) in 2.5
        "public": "45K",
        "hidden": "45K",
        "authentication": "45K",
        "on-connect": "45K",
        "on-disconnect": "45K",
        "queue-size": "45K",
        "source-timeout": "45K",
        "burst-size": "45K",
        "cluster-password": "45K",
        "stream-name": "45K",
        "stream-description": "45K",
        "stream-url": "45K",
        "genre": "45K",
        "bitrate": "45K",
        "type": "45K",
        "subtype": "45K",
        "http-headers": "45K",
        "max-history": "5",
        "allow-direct-access": "5",
        "icy-metadata-interval": "5",
        "event-bindings": "5",
        "relay": "5",
        "dump-file-size-limit": "5",
        "dump-file-time-limit": "5",
        "fallback": "K",
        "priority": "K",
        "min-queue-size": "K",
        "file-seekable": "K",
        "hijack": "K",
        "allow-chunked": "K",
        "max-bandwidth": "K",
        "wait-time": "K",
        "filter-theora": "K",
        "limit-rate": "K",
        "skip-accesslog": "K",
        "max-send-size": "K",
        "linger-for": "K",
        "redirect": "K",
        "redirect-to": "K",
        "ogg-passthrough": "K",
        "admin_comments_only": "K",
        "allow-url-ogg-metadata": "K",
        "ban-client": "K",
        "intro-skip-replay": "K",
        "so-sndbuf": "K",
        "max-stream-duration": "K",
        "preroll-log": "K",
        "accesslog": "K",
        "listenurl": "K",
    },
    "kh-fallback": {"mount": "K", "rate": "K"},
    "event-bindings": {"event": "5"},
    "event": {"option": "5"},
    "paths": {
        "basedir": "45K",
        "logdir": "45K",
        "pidfile": "45K",
        "webroot": "45K",
        "adminroot": "45K",
        "allow-ip": "45K",
        "deny-ip": "45K",
        "banfile": "K",
        "ban-file": "K",
        "ssl-certificate": "45K",
        "ssl_certificate": "K",
        "tls-certificate": "5",
        "ssl-allowed-ciphers": "45K",
        "tls-allowed-ciphers": "5",
        "alias": "45K",
        "mime-types": "5K",
        "nulldevice": "5",
        "reportxmldb": "5",
        "geoipdb": "5",
        "resource": "5",
        "x-forwarded-for": "K",
        "deny-agents": "K",
        "ssl-private-key": "K",
        "ssl-cafile": "K",
    },
    "logging": {
        "accesslog": "45K",
        "errorlog": "45K",
        "playlistlog": "45K",
        "preroll-log": "K",
        "loglevel": "45K",
        "logsize": "45K",
        "logarchive": "45K",
        "memorybacklog": "5",
        "accesslog_ip": "K",
        "accesslog_exclude_ext": "K",
        "accesslog_lines": "K",
        "errorlog_lines": "K",
        "playlistlog_lines": "K",
    },
    "kh-log": {
        "name": "K",
        "archive": "K",
        "display": "K",
        "history": "K",
        "size": "K",
        "duration": "K",
        "ip": "K",
        "type": "K",
        "exclude_ext": "K",
        "querystr": "K",
        "level": "K",
    },
    "security": {"chroot": "45K", "changeowner": "45K", "tls-context": "5", "prng-seed": "5"},
    "changeowner": {"user": "45K", "group": "45K"},
    "tls-context": {"tls-certificate": "5", "tls-key": "5", "tls-allowed-ciphers": "5"},
    "kh-master": {
        "server": "K",
        "port": "K",
        "ssl-port": "K",
        "username": "K",
        "password": "K",
        "bind": "K",
        "interval": "K",
        "relay-auth": "K",
        "retry-delay": "K",
        "redirect": "K",
        "run-on": "K",
        "on-demand": "K",
    },
    "kh-redirect": {"host": "K", "port": "K"},
}
# 2.5.0 reads a 2.4-style htpasswd block as a role: its children too (tests/test_oracle_roles.py)
EXPECTED_CHILDREN["mount-authentication"] = {"option": "45K", "role": "5"} | {
    name: "5" for name in EXPECTED_CHILDREN["role"] if name != "option"
}

# Attributes named by the reference: section id (or "section/child") -> name -> dialects.
EXPECTED_ATTRIBUTES: dict[str, dict[str, str]] = {
    "mount": {"type": "45"},
    "mount/dump-file": {"interpolation": "5"},
    "header": {"name": "45K", "value": "45K", "type": "45", "status": "45K"},
    "alias": {  # 2.5: <alias> is the same as <resource>
        "source": "45K",
        "destination": "45K",
        "dest": "45K",
        "port": "45K",
        "bind-address": "45K",
        "listen-socket": "5",
        "vhost": "5",
        "module": "5",
        "handler": "5",
        "omode": "5",
        "prefixmatch": "5",
    },
    "resource": {
        "source": "5",
        "destination": "5",
        "dest": "5",
        "port": "5",
        "bind-address": "5",
        "listen-socket": "5",
        "vhost": "5",
        "module": "5",
        "handler": "5",
        "omode": "5",
        "prefixmatch": "5",
    },
    "option": {"name": "45K", "value": "45K"},
    "yp-directory": {"url": "5"},
    "listen-socket": {"id": "5", "type": "5", "on-behalf-of": "5"},
    "upstream": {"type": "5"},
    "event": {"type": "5", "trigger": "5"},
    "role": {
        "type": "5",
        "name": "5",
        "management-url": "5",
        "method": "5",
        "match-method": "5",
        "nomatch-method": "5",
        "match-web": "5",
        "nomatch-web": "5",
        "match-admin": "5",
        "nomatch-admin": "5",
        "match-origin": "5",
        "nomatch-origin": "5",
        "may-alter": "5",
        "may-not-alter": "5",
        "allow-method": "5",
        "deny-method": "5",
        "allow-admin": "5",
        "deny-admin": "5",
        "allow-web": "5",
        "deny-web": "5",
        "allow-all": "5",
        "deny-all": "5",
        "connections-per-user": "5",
        "connection-duration": "5",
    },
}
# 2.5.0 reads a 2.4-style htpasswd block as a role: every attribute of one (tests/test_oracle_roles.py)
EXPECTED_ATTRIBUTES["mount-authentication"] = {"type": "45K"} | {
    name: "5" for name in EXPECTED_ATTRIBUTES["role"] if name != "type"
}
EXPECTED_ATTRIBUTES |= {
    "acl": {
        "allow-method": "5",
        "deny-method": "5",
        "allow-admin": "5",
        "deny-admin": "5",
        "allow-web": "5",
        "deny-web": "5",
        "allow-all": "5",
        "deny-all": "5",
        "connections-per-user": "5",
        "connection-duration": "5",
    },
    "security/prng-seed": {"type": "5", "size": "5"},
    "logging/memorybacklog": {"logfile": "5"},
    "paths/ssl-certificate": {"implementation": "5", "impl": "5"},
    "paths/tls-certificate": {"implementation": "5", "impl": "5"},
    "tls-context/tls-certificate": {"implementation": "5", "impl": "5"},
}

#: 2.4.4 numeric elements whose parser checks for NULL before atoi (§1.2).
GUARDED_24 = {("icecast", "port"), ("listen-socket", "port"), ("relay", "port"), ("mount", "source-timeout")}
#: 2.4.4 (and 2.5.0) text it copies with strdup, NULL when empty (shown: tests/test_oracle_startup.py).
STRDUP_24 = {("icecast", "server-id"), ("icecast", "master-username")}


# Structure -------------------------------------------------------------------


def test_section_ids_match_keys() -> None:
    for key, section in SECTIONS.items():
        assert key == section.id
    assert ROOT.id == "icecast"
    assert ROOT.tag == "icecast"


def test_every_section_reference_exists() -> None:
    for section, row in iter_rows():
        if row.section is not None:
            assert row.section in SECTIONS, f"{section.id}/{row.name} -> {row.section}"
            assert section_of(row) is SECTIONS[row.section]
        else:
            assert section_of(row) is None


def test_every_section_but_root_is_referenced() -> None:
    referenced = {row.section for _, row in iter_rows() if row.section is not None}
    assert set(SECTIONS) - referenced == {"icecast"}


def test_every_section_reachable_from_root() -> None:
    seen = {"icecast"}
    todo = ["icecast"]
    while todo:
        for row in SECTIONS[todo.pop()].children:
            if row.section is not None and row.section not in seen:
                seen.add(row.section)
                todo.append(row.section)
    assert seen == set(SECTIONS)


@pytest.mark.parametrize("section", list(SECTIONS.values()), ids=lambda s: s.id)
def test_no_tag_clash_within_overlapping_dialects(section: SectionRow) -> None:
    for a, b in itertools.combinations(section.children, 2):
        if a.dialects & b.dialects:
            clash = ({a.name, *a.aliases}) & ({b.name, *b.aliases})
            assert not clash, f"{section.id}: {a.name} / {b.name} share {clash}"


@pytest.mark.parametrize("section", list(SECTIONS.values()), ids=lambda s: s.id)
def test_no_alias_repeats_own_name(section: SectionRow) -> None:
    for row in section.children:
        assert row.name not in row.aliases
        assert len(set(row.aliases)) == len(row.aliases)


def test_no_attribute_clash_within_overlapping_dialects() -> None:
    owners: dict[str, list[AttributeRow]] = {}
    for owner, _, attr in _all_attributes():
        owners.setdefault(owner, []).append(attr)
    for owner, attrs in owners.items():
        for a, b in itertools.combinations(attrs, 2):
            if a.dialects & b.dialects:
                clash = ({a.name, *a.aliases}) & ({b.name, *b.aliases})
                assert not clash, f"{owner}: {a.name} / {b.name} share {clash}"


@pytest.mark.parametrize("section", list(SECTIONS.values()), ids=lambda s: s.id)
def test_python_names_unique(section: SectionRow) -> None:
    names = [_py_name(row) for row in section.children]
    dupes = {n for n in names if names.count(n) > 1}
    assert not dupes, f"{section.id}: {dupes}"
    for row in section.children:
        assert _py_name(row).isidentifier(), row.name


def test_mount_type_attribute_and_child_do_not_clash() -> None:
    mount = SECTIONS["mount"]
    child = mount.child("type")
    attr = mount.attribute("type")
    assert child is not None
    assert child.py_name is None
    assert attr is not None
    assert "mount_type" in attr.doc


@pytest.mark.parametrize("section", list(SECTIONS.values()), ids=lambda s: s.id)
def test_row_dialects_within_section(section: SectionRow) -> None:
    assert section.dialects
    for row in section.children:
        assert row.dialects, f"{section.id}/{row.name} has no dialects"
        assert row.dialects <= section.dialects, f"{section.id}/{row.name}"


def test_block_rows_within_target_section() -> None:
    for section, row in iter_rows():
        target = section_of(row)
        if target is not None and row.value is None:
            assert row.dialects <= target.dialects, f"{section.id}/{row.name} -> {target.id}"


def test_leaves_have_value_blocks_have_section() -> None:
    for section, row in iter_rows():
        assert row.value is not None or row.section is not None, f"{section.id}/{row.name}"
        assert row.is_section == (row.section is not None)


def test_dual_rows_are_kh_log_blocks() -> None:
    """Rows that are both a leaf and a block are KH's log blocks."""
    for section, row in iter_rows():
        if row.value is not None and row.section is not None:
            assert row.section == "kh-log", f"{section.id}/{row.name}"
            assert Dialect.KH in row.dialects
            assert row.value.kind is Kind.FILENAME


def test_kh_children_as_attributes_only_for_kh_sections() -> None:
    for section in SECTIONS.values():
        if Dialect.KH not in section.dialects:
            assert not section.kh_children_as_attributes, section.id


def _values() -> Iterator[tuple[str, frozenset[Dialect], Kind, dict[Dialect, tuple[int, int]], tuple[str, ...]]]:
    for section, row in iter_rows():
        if row.value is not None:
            v = row.value
            yield f"{section.id}/{row.name}", row.dialects, v.kind, dict(v.ranges), v.choices
    for owner, _, attr in _all_attributes():
        v = attr.value
        yield f"{owner}@{attr.name}", attr.dialects, v.kind, dict(v.ranges), v.choices


def test_ranges_only_for_numeric_kinds() -> None:
    numeric = {Kind.INT, Kind.UINT, Kind.SIZE}
    for where, dialects, kind, ranges, _ in _values():
        if ranges:
            assert kind in numeric, where
        for dialect, (lo, hi) in ranges.items():
            assert lo <= hi, where
            assert dialect in dialects or kind is Kind.INT, where


def test_row_ranges_are_for_known_dialects() -> None:
    for section, row in iter_rows():
        # A shared value (PORT) may name a dialect the row lacks; the others must not.
        if row.value is not None and row.value.ranges.keys() - row.dialects:
            assert row.value.kind is Kind.INT, f"{section.id}/{row.name}"


def test_enums_have_choices() -> None:
    for where, _, kind, _, choices in _values():
        if kind is Kind.ENUM:
            assert choices, where
            assert len(set(choices)) == len(choices), where


def test_defaults_only_for_own_dialects() -> None:
    for section, row in iter_rows():
        for dialect, default in row.defaults.items():
            if dialect not in row.dialects:
                assert default is None, f"{section.id}/{row.name} default for {dialect}"
        if row.section is not None and row.value is None:
            assert not any(row.defaults.values()), f"block {section.id}/{row.name} has a default"


def test_enum_defaults_are_choices() -> None:
    for section, row in iter_rows():
        if row.value is not None and row.value.kind in {Kind.ENUM, Kind.TLS_MODE}:
            for default in row.defaults.values():
                assert default is None or default in row.value.choices, f"{section.id}/{row.name}"
    for owner, _, attr in _all_attributes():
        if attr.value.kind is Kind.ENUM and attr.default is not None:
            assert attr.default in attr.value.choices, f"{owner}@{attr.name}"


def test_attribute_dialects() -> None:
    for owner, owner_dialects, attr in _all_attributes():
        assert attr.dialects, f"{owner}@{attr.name}"
        assert attr.dialects <= owner_dialects, f"{owner}@{attr.name}"
        assert attr.required <= attr.dialects, f"{owner}@{attr.name}"


def test_obsolete_and_removed() -> None:
    for section, row in iter_rows():
        where = f"{section.id}/{row.name}"
        assert set(row.obsolete) <= row.dialects, where
        assert not set(row.removed) & row.dialects, where
        assert all(row.obsolete.values()), where
        assert all(row.removed.values()), where


def test_crash_if_empty_matches_24_atoi() -> None:
    atoi = {Kind.INT, Kind.UINT, Kind.BOOL, Kind.FALLBACK_OVERRIDE, Kind.PUBLIC, Kind.SIZE, Kind.LOGLEVEL}
    for section, row in iter_rows():
        where = f"{section.id}/{row.name}"
        reads_atoi = (
            Dialect.V24 in row.dialects
            and row.value is not None
            and row.value.kind in atoi
            and (section.id, row.name) not in GUARDED_24
        )
        assert row.crash_if_empty == (reads_atoi or (section.id, row.name) in STRDUP_24), where


def test_passwords_are_secret() -> None:
    for section, row in iter_rows():
        if "password" in row.name:
            assert row.value is not None
            assert row.value.kind is Kind.PASSWORD, f"{section.id}/{row.name}"
            assert row.value.secret


def test_repeat_of_lists() -> None:
    acc = {
        "listen-socket",
        "relay",
        "alias",
        "resource",
        "header",
        "http-headers",
        "directory",
        "yp-directory",
        "event",
        "option",
        "role",
        "event-bindings",
        "upstream",
    }
    each = {"limits", "authentication", "paths", "logging", "security"}
    for section, row in iter_rows():
        where = f"{section.id}/{row.name}"
        if row.section in acc:
            assert row.repeat is Repeat.ACC, where
        if section.id == "icecast" and row.section in each:
            assert row.repeat is Repeat.EACH, where
        if row.section == "mount":
            assert row.repeat is Repeat.FIRST, where
        if row.section is None and row.name not in {
            "include",
            "x-forwarded-for",
            "memorybacklog",
            "prng-seed",
            "reportxmldb",  # 2.5.0 loads each one (tests/test_oracle_paths.py)
        }:
            assert row.repeat is Repeat.LAST, where


def test_rows_have_doc_and_source() -> None:
    for section, row in iter_rows():
        assert row.doc, f"{section.id}/{row.name}"
        assert row.source, f"{section.id}/{row.name}"
    for section in SECTIONS.values():
        assert section.doc, section.id


# Coverage against the reference ---------------------------------------------


def test_expected_sections_exist() -> None:
    assert set(EXPECTED_CHILDREN) == {sid for sid, s in SECTIONS.items() if s.children}
    attribute_only = {sid for sid, s in SECTIONS.items() if not s.children}
    assert attribute_only == {"option", "header", "alias", "resource"}
    assert attribute_only <= set(EXPECTED_ATTRIBUTES)


@pytest.mark.parametrize(
    ("section_id", "name", "code"),
    [(sid, name, code) for sid, names in EXPECTED_CHILDREN.items() for name, code in names.items()],
)
def test_reference_element_covered(section_id: str, name: str, code: str) -> None:
    section = SECTIONS[section_id]
    expected = _dialects(code)
    for dialect in Dialect:
        row = section.child(name, dialect)
        if dialect in expected:
            assert row is not None, f"{section_id}/{name} missing for {dialect.value}"
        else:
            assert row is None, f"{section_id}/{name} should not be known to {dialect.value}"


def test_no_unexpected_elements() -> None:
    for section, row in iter_rows():
        assert row.name in EXPECTED_CHILDREN[section.id], f"{section.id}/{row.name} not in the reference list"


def _owner_attributes(owner: str) -> tuple[AttributeRow, ...]:
    if "/" in owner:
        sid, child = owner.split("/")
        row = SECTIONS[sid].child(child)
        assert row is not None, owner
        return row.attributes
    return SECTIONS[owner].attributes


def _find_attribute(attrs: tuple[AttributeRow, ...], name: str, dialect: Dialect) -> AttributeRow | None:
    for attr in attrs:
        if (name == attr.name or name in attr.aliases) and dialect in attr.dialects:
            return attr
    return None


@pytest.mark.parametrize(
    ("owner", "name", "code"),
    [(owner, name, code) for owner, names in EXPECTED_ATTRIBUTES.items() for name, code in names.items()],
)
def test_reference_attribute_covered(owner: str, name: str, code: str) -> None:
    attrs = _owner_attributes(owner)
    expected = _dialects(code)
    for dialect in Dialect:
        found = _find_attribute(attrs, name, dialect)
        if dialect in expected:
            assert found is not None, f"{owner}@{name} missing for {dialect.value}"
        else:
            assert found is None, f"{owner}@{name} should not be known to {dialect.value}"


def test_no_unexpected_attributes() -> None:
    for owner, _, attr in _all_attributes():
        if owner == "authentication/source-password":
            continue  # the rejected mount="..." attribute, modelled so lint can flag it
        assert attr.name in EXPECTED_ATTRIBUTES.get(owner, {}), f"{owner}@{attr.name}"


# Spot checks -------------------------------------------------------------------


def _row(section_id: str, name: str) -> ElementRow:
    row = SECTIONS[section_id].child(name)
    assert row is not None, f"{section_id}/{name}"
    return row


def test_fileserve() -> None:
    row = _row("icecast", "fileserve")
    assert row.crash_if_empty
    assert row.value is not None
    assert row.value.kind is Kind.BOOL
    for dialect in Dialect:
        assert row.default(dialect) == "1"


def test_tls_only_25() -> None:
    row = _row("listen-socket", "tls")
    assert row.dialects == V25
    assert row.value is not None
    assert row.value.kind is Kind.TLS_MODE
    assert row.default(Dialect.V25) == "disabled"
    assert set(row.value.choices) == {"disabled", "auto", "auto_no_plain", "rfc2817", "rfc2818"}


def test_ssl_in_24_and_25_not_kh() -> None:
    sock = SECTIONS["listen-socket"]
    assert sock.child("ssl", Dialect.V24) is not None
    assert sock.child("ssl", Dialect.V25) is not None
    assert sock.child("ssl", Dialect.KH) is None


def test_icelogin_removed_in_25() -> None:
    row = _row("icecast", "icelogin")
    assert Dialect.V25 not in row.dialects
    assert Dialect.V24 in row.dialects
    assert "removed" in row.removed[Dialect.V25]
    assert row.crash_if_empty
    assert ROOT.child("icelogin", Dialect.V25) is None


def test_mount_type_attribute() -> None:
    attr = SECTIONS["mount"].attribute("type")
    assert attr is not None
    assert attr.value.kind is Kind.ENUM
    assert attr.value.choices == ("normal", "default")
    assert attr.default == "normal"
    assert Dialect.KH not in attr.dialects
    assert not attr.value.case_insensitive


def test_header_value_required_only_in_24() -> None:
    header = SECTIONS["header"]
    value = header.attribute("value")
    assert value is not None
    assert value.required == V24
    name = header.attribute("name")
    assert name is not None
    assert name.required == ALL


def test_header_type_per_dialect() -> None:
    header = SECTIONS["header"]
    t24 = header.attribute("type", Dialect.V24)
    t25 = header.attribute("type", Dialect.V25)
    assert t24 is not None
    assert t24.value.choices == ("static",)
    assert t25 is not None
    assert set(t25.value.choices) == {"static", "cors", "corpse"}
    assert header.attribute("type", Dialect.KH) is None


def test_mount_authentication_types() -> None:
    auth = SECTIONS["mount-authentication"]
    t24 = auth.attribute("type", Dialect.V24)
    tkh = auth.attribute("type", Dialect.KH)
    assert t24 is not None
    assert set(t24.value.choices) == {"htpasswd", "url"}
    assert Dialect.V24 in t24.required
    assert tkh is not None
    assert "command" in tkh.value.choices


def test_selected_kinds() -> None:
    kinds = {
        ("icecast", "hostname"): Kind.HOST,
        ("icecast", "bind-address"): Kind.IP,
        ("icecast", "master-password"): Kind.PASSWORD,
        ("authentication", "source-password"): Kind.PASSWORD,
        ("authentication", "admin-password"): Kind.PASSWORD,
        ("authentication", "relay-password"): Kind.PASSWORD,
        ("mount", "password"): Kind.PASSWORD,
        ("mount", "cluster-password"): Kind.PASSWORD,
        ("mount", "mount-name"): Kind.MOUNT,
        ("mount", "fallback-mount"): Kind.MOUNT,
        ("mount", "fallback-override"): Kind.FALLBACK_OVERRIDE,
        ("mount", "public"): Kind.PUBLIC,
        ("mount", "type"): Kind.MIME,
        ("mount", "queue-size"): Kind.SIZE,
        ("limits", "queue-size"): Kind.SIZE,
        ("limits", "burst-size"): Kind.SIZE,
        ("logging", "accesslog"): Kind.FILENAME,
        ("logging", "loglevel"): Kind.LOGLEVEL,
        ("paths", "logdir"): Kind.PATH,
        ("paths", "ssl-allowed-ciphers"): Kind.CIPHERS,
        ("listen-socket", "port"): Kind.INT,
        ("relay", "password"): Kind.PASSWORD,
        ("upstream", "password"): Kind.PASSWORD,
        ("kh-master", "password"): Kind.PASSWORD,
    }
    for (sid, name), kind in kinds.items():
        value = _row(sid, name).value
        assert value is not None
        assert value.kind is kind, f"{sid}/{name}"


def test_selected_defaults() -> None:
    assert _row("logging", "loglevel").default(Dialect.V24) == "3"
    header_timeout = _row("limits", "header-timeout")
    assert [header_timeout.default(d) for d in Dialect] == ["15", "15", "5"]
    port = _row("relay", "port")
    assert [port.default(d) for d in Dialect] == ["0", "80", None]
    assert _row("mount", "fallback-override").default(Dialect.KH) == "1"
    assert _row("authentication", "source-password").default(Dialect.KH) == "changeme"
    assert _row("authentication", "source-password").default(Dialect.V24) is None


def test_selected_ranges() -> None:
    clients = _row("limits", "clients").value
    assert clients is not None
    assert clients.ranges == {Dialect.V25: (1, 32768)}
    assert Dialect.V25 not in (_row("listen-socket", "port").value or clients).ranges


def test_obsolete_rows() -> None:
    assert Dialect.V25 in _row("icecast", "directory").obsolete
    assert Dialect.V25 in _row("icecast", "mime-types").obsolete
    assert Dialect.V25 in _row("mount", "mp3-metadata-interval").obsolete
    assert Dialect.V25 in _row("paths", "ssl-certificate").obsolete
    assert Dialect.V25 in _row("relay", "server").obsolete
    assert Dialect.V25 not in _row("relay", "local-mount").obsolete


def test_aliases() -> None:
    assert ROOT.child("kartoffelsalat") is _row("icecast", "event-bindings")
    assert SECTIONS["paths"].child("ban-file", Dialect.KH) is _row("paths", "banfile")
    assert SECTIONS["alias"].attribute("dest") is SECTIONS["alias"].attribute("destination")
    impl = _row("paths", "ssl-certificate").attributes[0]
    assert impl.name == "implementation"
    assert "impl" in impl.aliases
    assert _row("icecast", "server_id").dialects == KH
