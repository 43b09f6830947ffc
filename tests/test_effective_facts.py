"""Facts the lint rules ask the effective configuration for: fallback options, declared formats,
passwords, the user switch and logging, each as the release reads it."""

from __future__ import annotations

import icecfg
from icecfg.conversion import FallbackOverride
from icecfg.document import Element
from icecfg.effective import explain
from icecfg.effective.config import EffectiveConfig
from icecfg.effective.declared import declared_bitrate, declared_codec, declared_format, declared_format_type
from icecfg.effective.fallbacks import options_on
from icecfg.effective.text import render
from icecfg.spec import Dialect


def eff(xml: str, target: str = "2.4") -> EffectiveConfig:
    return explain(icecfg.loads(xml.encode()), target)


def _options(xml: str, target: str) -> dict[str, object]:
    config = eff(xml, target)
    (mount,) = config.mounts.normal()
    return {name: value.value for name, value in options_on(mount)}


def test_fallback_options_read_per_release() -> None:
    """`<fallback-override>all` is atoi 0 (off) on 2.4, on for 2.5; `own` is a 2.5 mode; KH reads booleans."""
    xml = "<icecast><mount><mount-name>/a</mount-name><fallback-override>{}</fallback-override></mount></icecast>"
    assert _options(xml.format("all"), "2.4") == {}
    assert _options(xml.format("all"), "2.5") == {"fallback-override": FallbackOverride.ALL}
    assert _options(xml.format("own"), "2.5") == {"fallback-override": FallbackOverride.OWN}
    assert _options(xml.format("none"), "2.5") == {}
    assert _options(xml.format("1"), "2.4") == {"fallback-override": FallbackOverride.ALL}
    assert _options(xml.format("yes"), "kh") == {"fallback-override": FallbackOverride.ALL}
    assert _options(xml.format("0"), "kh") == {}
    full = "<icecast><mount><mount-name>/a</mount-name><fallback-when-full>{}</fallback-when-full></mount></icecast>"
    assert _options(full.format("1"), "2.4") == {"fallback-when-full": True}
    assert _options(full.format("true"), "2.4") == {}  # atoi("true") == 0
    assert _options(full.format("true"), "2.5") == {"fallback-when-full": True}
    assert _options("<icecast><mount><mount-name>/a</mount-name><fallback-when-full/></mount></icecast>", "2.4") == {}


def test_what_listeners_get_when_the_lookups_run_out() -> None:
    xml = "<icecast/>"
    assert eff(xml, "2.4").fallbacks.refusal == "404"
    assert eff(xml, "2.5").fallbacks.refusal == "404"
    assert eff(xml, "kh").fallbacks.refusal == "403"


def test_kh_file_rate_reads_rates_written_after_loading() -> None:
    """A file that spells no rate sends by the file's name; a rate added through the model counts.

    The rate lookup skips the mounts of a file whose text spells no ``rate``:
    the skip must follow edits, or explain and migrate would report 404 for a
    fallback the edited file sends.
    """
    xml = (
        "<icecast><mount><mount-name>/live.ogg</mount-name><fallback-mount>/fallback{}.ogg</fallback-mount>"
        "</mount></icecast>"
    )
    assert (
        explain(icecfg.loads(xml.format("").encode()), "kh").fallbacks.kh_file_rate(["/live.ogg", "/fallback.ogg"]) == 0
    )
    named = explain(icecfg.loads(xml.format("[64]").encode()), "kh").fallbacks
    assert named.kh_file_rate(["/live.ogg", "/fallback[64].ogg"]) == 64_000 // 8
    cfg = icecfg.loads(xml.format("").encode())
    mount = cfg.document.root.find("mount")
    assert mount is not None
    mount.insert_formatted(Element("limit-rate", children=["128k"]))
    edited = explain(cfg, "kh").fallbacks
    assert edited.kh_file_rate(["/live.ogg", "/fallback.ogg"]) == 128_000 // 8


def test_declared_formats_bitrates_and_codecs() -> None:
    xml = (
        "<icecast>"
        "<mount><mount-name>/live.mp3</mount-name><type>application/ogg</type><bitrate>128k</bitrate>"
        "<subtype>Vorbis</subtype></mount>"
        "<mount><mount-name>/b.mp3</mount-name><type>audio/aacp; x=1</type><bitrate>abc</bitrate></mount>"
        "<relay><server>up</server><mount>/r.ogg</mount></relay>"
        "</icecast>"
    )
    graph = eff(xml).fallbacks
    live = graph.declared_format("/live.mp3")
    assert live is not None and (live.format_type, live.evidence) == ("ogg", "<type>application/ogg</type>")
    b = graph.declared_format("/b.mp3")
    assert b is not None and b.format_type == "generic"
    relay = graph.declared_format("/r.ogg")
    assert relay is not None and (relay.format_type, relay.evidence) == ("ogg", "going by its name")
    file = graph.declared_format("/silence.webm")
    assert file is not None and file.format_type == "ebml" and file.evidence.startswith("a file Icecast labels")
    assert graph.declared_format("/noextension") is None
    # the type alone (asked for every mount of a file) is the one the full answer gives
    for name in ("/live.mp3", "/b.mp3", "/r.ogg", "/silence.webm", "/noextension", "/x.d/live", "/UPPER.OGG"):
        full = declared_format(graph.table, name)
        assert declared_format_type(graph.table, name) == (full.format_type if full is not None else None)
    first, second = graph.table.normal()
    assert declared_bitrate(first) == 128  # atoi stops at the k
    assert declared_bitrate(second) is None
    assert declared_codec(first) == ("vorbis", "<subtype>Vorbis</subtype>")
    assert declared_codec(second) == ("aac", "<type>audio/aacp; x=1</type>")


def _level(text: str, target: str) -> object:
    return eff(f"<icecast><logging><loglevel>{text}</loglevel></logging></icecast>", target).logging.level.value


def test_loglevel_read_per_release() -> None:
    assert _level("debug", "2.4") == 0  # atoi: nothing is logged
    assert _level("DEBUG", "2.5") == 4
    assert _level("Warn", "2.5") == 2
    assert _level(" debug ", "2.5") == 0  # strcasecmp on the text as written, then atoi
    assert _level(" 4 ", "2.5") == 4
    assert _level("verbose", "2.5") == 0
    assert _level("info", "kh") == 3
    assert eff("<icecast/>", "2.5").logging.level.value == 3


def test_logsize_and_the_element_that_set_it() -> None:
    from icecfg.effective.logging import written_setting

    logging = eff("<icecast><logging><logsize>10485760</logsize></logging></icecast>", "2.4").logging
    assert logging.size.value == 10485760
    element = written_setting(logging.size, "logsize")
    assert element is not None and element.text == "10485760"
    assert eff("<icecast><logging><logsize>-5</logsize></logging></icecast>", "2.5").logging.size.value == 0
    default = eff("<icecast/>", "kh").logging
    assert default.size.value == 20000 and written_setting(default.size, "logsize") is None
    attribute = eff('<icecast><logging loglevel="4"/></icecast>', "kh").logging
    assert attribute.level.value == 4 and written_setting(attribute.level, "loglevel") is None
    assert eff("<icecast/>", "2.4").logging.to_json()["size"] == {"value": 0, "from": {"source": "default"}}


def _secrets(xml: str, target: str = "2.4") -> list[tuple[str, str, str | None, str | None]]:
    from icecfg.effective.auth import credentials
    from icecfg.placement import walk

    dialect = Dialect(target)
    return [
        (c.name, c.section, c.value, c.empty_effect(dialect))
        for c in credentials(walk(icecfg.loads(xml.encode()).document.root), dialect)
    ]


def test_credentials_and_what_an_empty_one_does() -> None:
    xml = (
        "<icecast><authentication><source-password/><admin-password>x</admin-password></authentication>"
        "<mount><mount-name>/a</mount-name><password/>"
        '<authentication type="url"><option name="auth_password" value="hackme"/></authentication></mount>'
        "<relay><server>up</server><password/></relay></icecast>"
    )
    found = _secrets(xml)
    assert found == [
        ("source-password", "authentication", None, "sources are refused unless their mount has its own <password>"),
        ("admin-password", "authentication", "x", None),
        ("password", "mount", None, "the mount falls back to the global <source-password>"),
        ("password", "relay", None, None),  # empty upstream credentials: none are sent
        ("auth_password", "mount-authentication", "hackme", None),  # options come last
    ]


def test_kh_reads_password_attributes_and_an_empty_one_is_the_empty_password() -> None:
    xml = (
        '<icecast><authentication source-password="" admin-password="hackme"><relay-password/></authentication>'
        '<listen-socket port="8000"/></icecast>'
    )
    assert _secrets(xml, "kh") == [
        ("source-password", "authentication", "", "any source that sends an empty password is accepted"),
        ("admin-password", "authentication", "hackme", None),
        ("relay-password", "authentication", None, None),  # an empty element is unset on KH
    ]
    assert [name for name, *_ in _secrets(xml, "2.4")] == ["relay-password"]  # 2.4 reads no attribute
    server = eff(xml, "kh").server_auth
    assert server.builtin_source is None  # the empty attribute is a password, not KH's default


def test_known_defaults() -> None:
    from icecfg.effective.auth import known_default

    assert known_default(" HackMe ") == "Icecast's sample-config default"
    assert known_default("changeme") == "Icecast-KH's built-in default"
    assert known_default("hackme2") is None and known_default(None) is None


def test_kh_takes_changeme_when_no_source_password_is_written() -> None:
    absent = eff("<icecast/>", "kh").server_auth.builtin_source
    assert absent is not None and absent.password is not None and absent.password.value == "changeme"
    assert absent.password.origin.element is None
    empty = eff("<icecast><authentication><source-password/></authentication></icecast>", "kh").server_auth
    assert empty.builtin_source is not None and empty.builtin_source.password is not None
    assert empty.builtin_source.password.origin.element is not None
    written = "<icecast><authentication><source-password>s3cret-pass</source-password></authentication></icecast>"
    assert eff(written, "kh").server_auth.builtin_source is None
    attribute = '<icecast><authentication source-password="s3cret-pass"/></icecast>'  # KH's attribute form
    assert eff(attribute, "kh").server_auth.builtin_source is None
    assert eff("<icecast/>", "2.4").server_auth.builtin_source is None


def test_source_password_for_a_mount() -> None:
    """Own <password>, else (2.5) the default mount's, else the global one attached to the first default mount."""
    xml = (
        "<icecast><authentication><source-password>global-pass</source-password></authentication>"
        '<mount type="default"><mount-name>/radio*</mount-name><password>radio-pass</password></mount>'
        "<mount><mount-name>/own</mount-name><password>own-pass</password></mount></icecast>"
    )
    for target, radio, other in (("2.4", "global-pass", "global-pass"), ("2.5", "radio-pass", None)):
        config = eff(xml, target)
        values = []
        for name in ("/own", "/radio1", "/other"):
            found = config.auth.source_password(name, config.mounts)
            values.append(found.value if found is not None else None)
        assert values == ["own-pass", radio, other], target


def test_admin_credentials_as_written() -> None:
    auth = eff(
        "<icecast><authentication><admin-password>a-pass</admin-password></authentication></icecast>"
    ).server_auth
    assert auth.admin_user is None and auth.admin_password is not None and auth.admin_password.value == "a-pass"
    assert eff("<icecast/>").server_auth.admin_password is None


def test_changeowner_reads_every_user_and_group_the_last_one_wins() -> None:
    owner = "<changeowner><user>icecast</user><group>icecast</group></changeowner>"
    both = eff(f"<icecast><security>{owner}</security></icecast>").security
    assert both.switches_user and both.owner is not None
    emptied = eff(f"<icecast><security>{owner}<changeowner><user/></changeowner></security></icecast>").security
    assert emptied.user is not None and emptied.user.value is None and not emptied.switches_user
    assert emptied.owner is not None and emptied.owner.find_last("user") is not None
    assert not eff("<icecast/>").security.switches_user and eff("<icecast/>").security.owner is None


def test_a_changeowner_with_only_a_user_switches_the_user_on_kh_alone() -> None:
    """KH calls setuid for a ``<user>`` without ``<group>`` and keeps root's group; 2.4.4 and 2.5.0 switch nothing."""
    xml = "<icecast><security><changeowner><user>nobody</user></changeowner></security></icecast>"
    for target, switches, line in (
        ("kh", True, "runs as user nobody, group not switched (started as root: root's group)"),
        ("2.4", False, "<changeowner> nobody:? switches no user"),
        ("2.5", False, "<changeowner> nobody:? switches no user"),
    ):
        config = eff(xml, target)
        assert (config.security.switches_user, config.security.switches_group) == (switches, False), target
        assert line in render(config), target
        shown = config.to_json()["security"]
        assert isinstance(shown, dict) and shown["switches_user"] is switches


def test_paths_opened_after_the_chroot() -> None:
    from icecfg.effective.security import chrooted_paths
    from icecfg.placement import walk

    xml = (
        "<icecast><pidfile>/run/x.pid</pidfile><paths><basedir>/srv</basedir><pidfile>/run/i.pid</pidfile>"
        "<logdir>/srv/logs</logdir><webroot>web</webroot></paths>"
        "<mount><mount-name>/a</mount-name><intro>/intro.ogg</intro>"
        '<authentication type="htpasswd"><option name="filename" value="/etc/users"/></authentication></mount>'
        "</icecast>"
    )
    found = [
        (path, what) for _e, path, what in chrooted_paths(walk(icecfg.loads(xml.encode()).document.root), Dialect.V24)
    ]
    assert found == [("/srv/logs", "<logdir>"), ("/etc/users", 'the htpasswd <option name="filename">')]
    # Icecast-KH writes <pidfile> after the chroot (tests/test_oracle_tls_security_25_kh.py)
    on_kh = [path for _e, path, _w in chrooted_paths(walk(icecfg.loads(xml.encode()).document.root), Dialect.KH)]
    assert on_kh == ["/run/i.pid", "/srv/logs", "/etc/users"]
    assert eff(xml).security.chroot_base == "/srv"
    assert eff("<icecast/>").security.chroot_base == "/usr/local/icecast"


def test_the_source_password_of_a_mount_from_the_effective_config() -> None:
    xml = (
        "<icecast><authentication><source-password>global-pass</source-password></authentication>"
        "<mount><mount-name>/own</mount-name><password>own-pass</password></mount></icecast>"
    )
    config = eff(xml, "2.4")
    own, other = config.source_password("/own"), config.source_password("/other")
    assert own is not None and own.value == "own-pass"
    assert other is not None and other.value == "global-pass"
    kh = eff("<icecast/>", "kh").source_password("/any")
    assert kh is not None and kh.value == "changeme"


def test_the_global_source_password_is_the_one_read_last() -> None:
    """2.4.4 reads <source-password> at the root and in <authentication> into one field: the later one wins."""
    auth = "<authentication><source-password>auth-pass</source-password></authentication>"
    root = "<source-password>root-pass</source-password>"
    for xml, used in (
        (f"<icecast>{auth}{root}</icecast>", "root-pass"),
        (f"<icecast>{root}{auth}</icecast>", "auth-pass"),
    ):
        found = eff(xml, "2.4").source_password("/live")
        assert found is not None and found.value == used, xml


def test_a_broken_listener_authentication_per_release_on_normal_and_default_mounts() -> None:
    """A misspelt `type` leaves the mount public on 2.4.4 and KH and refuses its listeners on 2.5.0."""
    xml = (
        '<icecast><mount type="default"><authentication type="htpassword"/></mount>'
        '<mount><mount-name>/live</mount-name><authentication type="htpassword"/></mount>'
        '<mount><mount-name>/ok</mount-name><authentication type="url">'
        '<option name="listener_add" value="http://127.0.0.1:8080/add"/></authentication></mount></icecast>'
    )
    for target, kind, effect in (
        ("2.4", "none (public)", "Icecast 2.4.4 creates {} without authentication: it is PUBLIC"),
        ("kh", "none (public)", "Icecast-KH drops the block and creates {} without authentication: it is PUBLIC"),
        ("2.5", "deny-all", "Icecast 2.5 refuses every listener of {} and every source"),
    ):
        auth = eff(xml, target).auth
        live, ok = [asked for asked in auth.listener_auth if asked.where != "the default mount"]
        if target == "kh":  # KH has no default mounts: that <mount> is a nameless normal one
            assert auth.default_listener_auth == ()
        else:
            [default_mount] = auth.default_listener_auth
            assert (default_mount.mount, default_mount.kind) == ('<mount type="default">', kind)
            assert default_mount.effect.startswith(effect.format("the default mount"))
        assert (live.mount, live.kind) == ("/live", kind)
        assert live.effect.startswith(effect.format("mount /live"))
        assert (ok.kind, ok.broken) == ("url", False)


def test_a_default_mount_authentication_is_asked_of_mounts_with_their_own_block_only_on_2_5() -> None:
    """2.5.0 asks the default mount's block after the mount's own; 2.4.4 and KH ask only the mount's own."""
    xml = (
        '<icecast><mount type="default"><mount-name>/pat-*</mount-name><authentication type="htpasswd"/></mount>'
        "<mount><mount-name>/pat-a</mount-name></mount>"
        '<mount><mount-name>/pat-c</mount-name><authentication type="url">'
        '<option name="listener_add" value="http://127.0.0.1:8080/add"/></authentication></mount>'
        "<mount><mount-name>/other</mount-name></mount></icecast>"
    )
    expected = {
        "2.5": [
            ("/pat-a", "htpasswd", "from the default mount; any number of connections per login"),
            ("/pat-c", "url", "any number of connections per login"),
            ("/pat-c", "htpasswd", "from the default mount; any number of connections per login"),
        ],
        "2.4": [("/pat-c", "url", "one connection per login at a time (allow_duplicate_users 1 allows more)")],
        "kh": [
            ("/pat-*", "htpasswd", "one connection per login at a time (allow_duplicate_users 1 allows more)"),
            ("/pat-c", "url", "one connection per login at a time (allow_duplicate_users 1 allows more)"),
        ],
    }
    for target, asked in expected.items():
        config = eff(xml, target)
        assert [(a.mount, a.kind, a.note) for a in config.auth.listener_auth] == asked, target
        text = render(config)
        mounts = text[text.index("Mounts") : text.index("Limits")]
        pat_a = mounts[mounts.index("/pat-a ") :].split("\n  /")[0]
        shown = "listeners log in: htpasswd (from the default mount; any number of connections per login)"
        assert (shown in pat_a) is (target == "2.5"), (target, pat_a)


def test_a_role_stack_is_shown_role_by_role_in_the_order_2_5_asks_them() -> None:
    xml = (
        '<icecast><mount><mount-name>/m</mount-name><authentication><role type="htpasswd" name="members">'
        '<option name="filename" value="/u"/></role>\n<role type="anonymous" match-method="get,head" deny-method="*"/>'
        "</authentication></mount></icecast>"
    )
    config = eff(xml, "2.5")
    [asked] = config.auth.listener_auth
    assert asked.to_json()["roles"] == [
        {"type": "htpasswd", "name": "members", "line": 1},
        {"type": "anonymous", "name": None, "line": 2},
    ]
    shown = 'roles htpasswd "members", then anonymous for get,head'
    text = render(config)
    assert f"listeners log in: {shown} [" in text and f"listeners of /m: {shown} [" in text


def test_an_untyped_listener_authentication_is_a_role_stack_only_on_2_5() -> None:
    xml = '<icecast><mount type="default"><authentication><role type="anonymous"/></authentication></mount></icecast>'
    [on_25] = eff(xml, "2.5").auth.default_listener_auth
    assert (on_25.kind, on_25.broken) == ("roles", False)
    [on_24] = eff(xml, "2.4").auth.default_listener_auth
    assert (on_24.kind, on_24.note, on_24.broken) == ("none (public)", "no type", True)


def test_values_read_as_written_are_what_the_release_reading_makes_of_them() -> None:
    # the effective layer reads these kinds without the conversion: both must agree on every row
    from icecfg import spec
    from icecfg.conversion import Reading, release_reading
    from icecfg.effective.reading import AS_WRITTEN, traced

    checked = 0
    for section in spec.SECTIONS.values():
        for row in section.children:
            if row.value is None or row.value.kind not in AS_WRITTEN:
                continue
            element = icecfg.loads(f"<icecast><{row.name}> 12 x </{row.name}></icecast>").document.root.find(row.name)
            assert element is not None
            for dialect in Dialect:
                for text in (" 12 x ", "0", "none", "yes"):
                    assert release_reading(row, text, dialect) == Reading(text), (row.name, dialect, text)
                    value = traced(row, element, text, dialect)[0]
                    assert (value.value, value.origin.source.value, value.origin.tag) == (text, "element", row.name)
                    checked += 1
    assert checked > 100


def test_a_sections_settings_come_in_table_order_written_or_defaulted() -> None:
    from icecfg.effective.reading import section_values

    def paths(inner: str) -> list[tuple[str, object]]:
        root = icecfg.loads(f"<icecast><paths>{inner}</paths></icecast>".encode()).document.root
        return [
            (name, traced.value)
            for name, traced in section_values(list(root.elements("paths")), "paths", Dialect.V24).items()
        ]

    defaults = paths("")
    assert [name for name, _value in defaults][:2] == ["basedir", "logdir"]
    # written settings take their default's place; one without a default takes its row's place in the table
    assert paths("<logdir>/l</logdir><basedir>/b</basedir>") == [("basedir", "/b"), ("logdir", "/l"), *defaults[2:]]
    written = paths("<pidfile>/p</pidfile><logdir>/l</logdir>")
    assert written == [defaults[0], ("logdir", "/l"), *defaults[2:4], ("pidfile", "/p"), *defaults[4:]]


def test_explain_tells_where_kh_drops_listeners_between_mp3_and_aac() -> None:
    """KH does not move an MP3 mount's listeners to an AAC fallback (nor back); 2.4 and 2.5 do."""
    xml = (
        "<icecast><mount><mount-name>/live.mp3</mount-name><limit-rate>128k</limit-rate>"
        "<fallback-mount>/fallback.aac</fallback-mount></mount>"
        "<mount><mount-name>/any.mp3</mount-name><fallback-mount>/fallback.bin</fallback-mount></mount></icecast>"
    )
    for target in ("2.4", "2.5"):
        config = eff(xml, target)
        assert [config.chain(m).dropped_at for m in config.mounts.normal()] == [None, None]
        assert "dropped" not in render(config)
    config = eff(xml, "kh")
    live, unknown = (config.chain(m) for m in config.mounts.normal())
    assert live.dropped_at == ("/fallback.aac", "aac", "mpeg")
    assert live.to_json()["dropped_at"] == {"name": "/fallback.aac", "format": "aac", "mount_format": "mpeg"}
    assert unknown.dropped_at is None  # a file KH labels application/octet-stream: no check
    assert "dropped, not moved: /fallback.aac is AAC, the mount MPEG audio (MP3)" in render(config)
