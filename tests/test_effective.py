"""The effective configuration: what each release does with a file, and where each value comes from."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

import icecfg
from icecfg.effective import End, Protocol, Source, explain
from icecfg.effective.text import render
from icecfg.files import FileView
from icecfg.lint import lint
from tests.bounds import cpu_seconds
from tests.rules.test_tls import CERT_PEM as CERT
from tests.rules.test_tls import KEY_PEM as KEY


def eff(xml: str, target: str = "2.4", root: Path | None = None) -> icecfg.effective.EffectiveConfig:
    return explain(icecfg.loads(xml.encode()), target, FileView(root) if root is not None else None)


def protocols(xml: str, target: str, root: Path | None = None) -> list[tuple[int | None, str]]:
    return [(s.port, s.protocol.value) for s in eff(xml, target, root).listeners]


SOCKETS = "<listen-socket><port>8000</port></listen-socket><listen-socket><port>8443</port><ssl>1</ssl></listen-socket>"


def test_24_ssl_port_without_usable_certificate_serves_plain(tmp_path: Path) -> None:
    bare = f"<icecast>{SOCKETS}</icecast>"
    assert protocols(bare, "2.4") == [(8000, "plain"), (8443, "plain-downgraded")]
    with_cert = f"<icecast>{SOCKETS}<paths><ssl-certificate>/etc/bundle.pem</ssl-certificate></paths></icecast>"
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc/bundle.pem").write_bytes(CERT)  # no key: unusable
    assert protocols(with_cert, "2.4", tmp_path)[1] == (8443, "plain-downgraded")
    (tmp_path / "etc/bundle.pem").write_bytes(CERT + KEY)
    assert protocols(with_cert, "2.4", tmp_path)[1] == (8443, "tls")
    # without the files the certificate is taken at its word, and says it was not checked
    unchecked = eff(with_cert, "2.4")
    assert unchecked.tls.usable is None
    assert unchecked.listeners[1].protocol is Protocol.TLS


def test_kh_detects_tls_on_every_socket_once_a_certificate_is_set() -> None:
    xml = (
        "<icecast><listen-socket><port>8000</port></listen-socket>"
        "<listen-socket><port>8443</port></listen-socket>"
        "<paths><ssl-certificate>/etc/bundle.pem</ssl-certificate></paths></icecast>"
    )
    assert protocols(xml, "kh") == [(8000, "plain-or-tls"), (8443, "plain-or-tls")]
    assert protocols(xml.replace("<paths><ssl-certificate>/etc/bundle.pem</ssl-certificate></paths>", ""), "kh") == [
        (8000, "plain"),
        (8443, "plain"),
    ]


def test_25_tls_modes() -> None:
    def socket(tls: str) -> str:
        return (
            f"<icecast><listen-socket><port>8443</port>{tls}</listen-socket>"
            "<security><tls-context><tls-certificate>/c.pem</tls-certificate></tls-context></security></icecast>"
        )

    assert protocols(socket(""), "2.5") == [(8443, "plain")]
    assert protocols(socket("<tls>0</tls>"), "2.5") == [(8443, "plain-or-tls")]  # 0 means auto
    assert protocols(socket("<tls>rfc2818</tls>"), "2.5") == [(8443, "tls")]
    assert protocols(socket("<tls>auto_no_plain</tls>"), "2.5") == [(8443, "tls-required")]
    assert protocols(socket("<tls>rfc2817</tls>"), "2.5") == [(8443, "tls-upgrade")]
    no_cert = "<icecast><listen-socket><port>8443</port><tls>rfc2818</tls></listen-socket></icecast>"
    assert protocols(no_cert, "2.5") == [(8443, "refused")]


def test_ports_wrap_and_shoutcast_pairs() -> None:
    xml = (
        "<icecast><listen-socket><port>99999</port></listen-socket>"
        "<listen-socket><port>8010</port><shoutcast-mount>/live</shoutcast-mount></listen-socket></icecast>"
    )
    e24 = eff(xml, "2.4")
    assert [s.port for s in e24.listeners] == [99999 % 65536, 8010]
    assert e24.listeners[0].port_origin.note == "'99999' read as 34463"
    assert e24.listeners[1].shoutcast_port == 8011
    assert e24.ports() == [8010, 8011, 34463]
    compat = xml.replace("<shoutcast-mount>", "<shoutcast-compat>1</shoutcast-compat><shoutcast-mount>")
    assert eff(compat, "2.5").listeners[1].shoutcast_port is None  # 2.5: only on a normal socket
    assert eff(compat, "2.4").listeners[1].shoutcast_port == 8011  # 2.4.4 opens it anyway


@pytest.mark.parametrize("release", ["2.4", "2.5"])
def test_the_socket_written_later_gets_a_shoutcast_source_port(release: str) -> None:
    def sockets(*parts: str) -> str:
        return "<icecast>" + "".join(f"<listen-socket><port>{p}</listen-socket>" for p in parts) + "</icecast>"

    sc = "8000</port><shoutcast-mount>/sc</shoutcast-mount>"
    plain_later = eff(sockets(sc, "8001</port>"), release)
    assert plain_later.listeners[0].shoutcast_lost and not plain_later.listeners[1].lost
    plain_earlier = eff(sockets("8001</port>", sc), release)
    assert plain_earlier.listeners[0].lost and not plain_earlier.listeners[1].shoutcast_lost
    assert "for Shoutcast sources" in plain_earlier.listeners[0].lost
    # a socket that loses its own port to a later one still opens its Shoutcast source port
    same_port = eff(sockets(sc, "8000</port>"), release)
    assert same_port.listeners[0].lost and not same_port.listeners[0].shoutcast_lost
    for config in (plain_later, plain_earlier, same_port):
        assert config.ports() == [8000, 8001]
    assert "NOT OPENED" in render(same_port) and "8001   on all interfaces   Shoutcast sources" in render(same_port)


def test_default_mount_fills_unset_settings_with_provenance() -> None:
    xml = """<icecast>
<mount type="default"><max-listeners>7</max-listeners><fallback-mount>/silence.mp3</fallback-mount></mount>
<mount><mount-name>/live</mount-name><hidden>1</hidden></mount>
<mount><mount-name>/own</mount-name><max-listeners>3</max-listeners></mount>
</icecast>"""
    for target in ("2.4", "2.5"):
        table = eff(xml, target).mounts
        live, own = table.find("/live"), table.find("/own")
        assert live is not None and own is not None
        limit = live.settings["max-listeners"]
        assert (limit.value, limit.origin.source, limit.origin.line) == (7, Source.MERGED, 2)
        assert live.settings["hidden"].origin.source is Source.ELEMENT
        assert own.get("max-listeners") == 3
    kh = eff(xml, "kh").mounts.find("/live")
    assert kh is not None and kh.get("max-listeners") == -1  # KH has no default mounts


def test_24_matches_normal_mount_names_as_globs_25_does_not() -> None:
    xml = "<icecast><mount><mount-name>/glob*</mount-name><max-listeners>9</max-listeners></mount></icecast>"
    found = eff(xml, "2.4").mounts.find("/globby")
    assert found is not None and found.get("max-listeners") == 9
    assert eff(xml, "2.5").mounts.find("/globby") is None


def test_fallback_chains(tmp_path: Path) -> None:
    xml = """<icecast><paths><webroot>/web/</webroot></paths>
<mount><mount-name>/a</mount-name><fallback-mount>/b</fallback-mount></mount>
<mount><mount-name>/b</mount-name><fallback-mount>/silence.mp3</fallback-mount></mount>
<mount><mount-name>/x</mount-name><fallback-mount>/y</fallback-mount></mount>
<mount><mount-name>/y</mount-name><fallback-mount>/x</fallback-mount></mount>
<mount><mount-name>/rel</mount-name><fallback-mount>silence.mp3</fallback-mount></mount>
</icecast>"""
    (tmp_path / "web").mkdir()
    (tmp_path / "web/silence.mp3").write_bytes(b"\xff\xfb")
    e = eff(xml, "2.4", tmp_path)

    def chain(name: str) -> icecfg.effective.FallbackChain:
        mount = e.mounts.find(name)
        assert mount is not None
        return e.chain(mount)

    a = chain("/a")
    assert [(h.name, h.kind) for h in a.hops] == [("/b", "mount"), ("/silence.mp3", "file")]
    assert a.hops[1].path == "/web/silence.mp3" and a.hops[1].exists is True
    assert a.end is End.FILE and a.gets == "/silence.mp3"
    assert chain("/x").end is End.CYCLE and chain("/x").gets is None
    assert chain("/rel").end is End.NOT_ABSOLUTE and chain("/rel").gets is None
    (tmp_path / "web/silence.mp3").unlink()
    assert eff(xml, "2.4", tmp_path).chain(e.mounts.find("/a")).gets is None  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("rates", "got"),
    [
        ("<limit-rate>64k</limit-rate><limit-rate>x</limit-rate>", "/f.ogg, sent at 8000 bytes/s"),
        ("<limit-rate>1.5m</limit-rate>", "404 (Icecast-KH has no rate to send the file at)"),
        ("<limit-rate>-1</limit-rate>", "404 (Icecast-KH has no rate to send the file at)"),
    ],
)
def test_explain_says_the_rate_kh_sends_a_fallback_file_at(rates: str, got: str) -> None:
    """The bitrate KH reads (``tests/test_oracle_explain.py`` measures it), in bytes per second."""
    from icecfg.effective.text import render

    xml = f"<icecast><mount><mount-name>/a.ogg</mount-name><fallback-mount>/f.ogg</fallback-mount>{rates}</mount></icecast>"
    assert f"without a source listeners get: {got}\n" in render(eff(xml, "kh"))


def test_fallback_depth_limit() -> None:
    mounts = "".join(
        f"<mount><mount-name>/m{i}</mount-name><fallback-mount>/m{i + 1}</fallback-mount></mount>" for i in range(12)
    )
    e = eff(f"<icecast>{mounts}</icecast>", "2.4")
    first = e.mounts.find("/m0")
    assert first is not None
    assert e.chain(first).end is End.DEPTH


def test_logs_headers_and_limits() -> None:
    xml = """<icecast>
<limits><burst-size>1000</burst-size><burst-on-connect>0</burst-on-connect><clients>10</clients></limits>
<paths><logdir>/var/log/ice</logdir></paths>
<logging><errorlog>/abs/error.log</errorlog><accesslog>-</accesslog><playlistlog>-</playlistlog></logging>
<http-headers><header name="A" value="1"/><!-- note --><header name="B" value="2"/></http-headers>
</icecast>"""
    e = eff(xml, "2.4")
    assert e.logging.log("error").destination == "fatal"
    assert e.startup_problems
    assert e.logging.log("access").destination == "stderr"
    assert e.logging.log("playlist").path == "/var/log/ice/-"
    assert e.headers.names() == ["A"]
    assert [d.name for d in e.headers.dropped] == ["B"]
    assert eff(xml, "2.5").headers.names() == ["A", "B"]  # 2.5 reads past the comment
    burst = e.limits.values["burst-size"]
    assert burst.value == 0 and burst.origin.source is Source.CLAMPED
    assert e.limits.get("clients") == 10
    assert e.limits.values["sources"].origin.source is Source.DEFAULT


def test_secrets_are_masked_unless_asked() -> None:
    xml = (
        "<icecast><authentication><source-password>s3cret-source</source-password>"
        "<admin-user>boss</admin-user><admin-password>s3cret-admin</admin-password></authentication>"
        "<mount><mount-name>/live</mount-name><username>dj</username><password>s3cret-mount</password></mount>"
        "</icecast>"
    )
    e = eff(xml, "2.4")
    text = json.dumps(e.to_json())
    assert "s3c" not in text  # not even a prefix
    logins = {(x.role, x.mount): x for x in e.auth.logins}
    assert logins[("source", "/live")].user.value == "dj"
    assert logins[("admin", None)].user.value == "boss"
    assert "s3cret-mount" in json.dumps(e.to_json(reveal_secrets=True))


def test_a_known_default_password_is_named_not_shown() -> None:
    xml = "<icecast><authentication><source-password>hackme</source-password></authentication></icecast>"
    e = eff(xml, "2.4")
    [login] = [x for x in e.to_json()["auth"]["logins"] if x["role"] == "source"]  # type: ignore[index]
    assert login["password"]["value"] == "***"
    assert login["password"]["known_default"] == "Icecast's sample-config default"
    from icecfg.effective.text import render

    text = render(e)
    assert "password *** (Icecast's sample-config default)" in text and "hac" not in text


def test_every_password_in_the_json_names_a_known_default() -> None:
    # a mount's own <password> and the master password are as guessable as a login's
    xml = (
        "<icecast><master-server>up.example.org</master-server><master-server-port>8000</master-server-port>"
        "<master-password>hackme</master-password>"
        "<mount><mount-name>/live</mount-name><password>changeme</password></mount>"
        "<mount><mount-name>/talk</mount-name><password>tW7-unguessable</password></mount></icecast>"
    )
    data = eff(xml, "2.4").to_json()
    mounts = {m["name"]: m["settings"] for m in data["mounts"]}  # type: ignore[attr-defined]
    assert mounts["/live"]["password"]["value"] == "***"
    assert mounts["/live"]["password"]["known_default"] == "Icecast-KH's built-in default"
    assert mounts["/talk"]["password"]["known_default"] is None
    master = data["master"]["password"]  # type: ignore[index]
    assert master["value"] == "***" and master["known_default"] == "Icecast's sample-config default"
    assert "tW7" not in json.dumps(data) and "hackme" not in json.dumps(data)
    shown = eff(xml, "2.4").to_json(reveal_secrets=True)
    assert shown["master"]["password"]["value"] == "hackme"  # type: ignore[index]


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    code = "import sys; from icecfg.cli import main; sys.exit(main(sys.argv[1:]))"
    return subprocess.run([sys.executable, "-c", code, *args], check=False, capture_output=True, text=True, timeout=60)


def test_explain_command_text_json_and_errors(tmp_path: Path) -> None:
    path = tmp_path / "icecast.xml"
    path.write_text(
        "<icecast><authentication><source-password>s3cret-source</source-password></authentication>"
        f"{SOCKETS}<mount><mount-name>/live</mount-name><fallback-mount>/b.mp3</fallback-mount></mount></icecast>"
    )
    text = run_cli("explain", str(path))
    assert text.returncode == 0, text.stderr
    assert "port 8443" in text.stdout and "TLS asked for, certificate unusable" in text.stdout
    assert "/live -> /b.mp3 (file)" in text.stdout
    assert "s3cret-source" not in text.stdout
    data = json.loads(run_cli("explain", "--format", "json", "--target", "kh", str(path)).stdout)
    assert data["schema"] == 2 and data["target"] == "kh"
    assert [s["port"] for s in data["listeners"]] == [8000, 8443]
    missing = run_cli("explain", str(tmp_path / "nope.xml"))
    assert missing.returncode == 2 and missing.stderr.count("\n") == 1 and "nope.xml" in missing.stderr
    broken = tmp_path / "broken.xml"
    broken.write_text("<icecast><limits></icecast>")
    result = run_cli("explain", str(broken))
    assert result.returncode == 2 and "broken.xml:1" in result.stderr and "Traceback" not in result.stderr


def test_explain_is_linear_in_the_mounts() -> None:
    """Thousands of mounts with default mounts and fallbacks: every lookup is indexed."""

    def build(n: int) -> str:
        defaults = "".join(
            f'<mount type="default"><mount-name>/d{i}*</mount-name><max-listeners>5</max-listeners></mount>'
            for i in range(50)
        )
        body = "".join(
            f"<mount><mount-name>/m{i}</mount-name><fallback-mount>/m{i + 1}</fallback-mount></mount>" for i in range(n)
        )
        return f"<icecast>{defaults}{body}</icecast>"

    def seconds(n: int) -> float:
        e = eff(build(n), "2.4")
        return cpu_seconds(lambda: json.dumps(e.to_json()))  # CPU time: other processes' load stays out

    small, large = min(seconds(200) for _ in range(2)), min(seconds(1600) for _ in range(2))
    assert large < 8 * small * 2.5, (small, large)  # 8x the mounts; quadratic would be 64x


def test_up_and_status_read_the_same_sockets_as_explain_for_kh_with_a_certificate(tmp_path: Path) -> None:
    """KH with a certificate on 8000 and 8443: both sockets detect TLS per connection.

    ``up``/``status`` used to take the first socket as plain and the others as
    TLS while the lint rules saw no TLS at all; all now read one answer.
    """
    from icecfg.lint.context import LintContext
    from icecfg.ondemand import Socket, read_served

    path = tmp_path / "icecast.xml"
    path.write_text(
        "<icecast><listen-socket><port>8000</port></listen-socket><listen-socket><port>8443</port></listen-socket>"
        "<paths><ssl-certificate>/etc/icecast/bundle.pem</ssl-certificate></paths></icecast>"
    )
    served = read_served(path, "kh")
    assert set(served.sockets) == {Socket(8000, False), Socket(8000, True), Socket(8443, False), Socket(8443, True)}
    assert served.plain == Socket(8000, False) and served.tls == Socket(8443, True)
    linted = LintContext(icecfg.load(path), icecfg.Dialect.KH).effective.listeners
    explained = eff(path.read_text(), "kh").listeners
    assert [(s.port, s.protocol) for s in linted] == [(s.port, s.protocol) for s in explained]
    assert {s.protocol for s in explained} == {Protocol.DETECT}


def test_import_icecfg_and_the_lint_rules_load_only_the_parts_they_use() -> None:
    """``icecfg.explain`` is bound on first use; the rules load the listener and mount readers, not the report."""
    code = (
        "import sys, icecfg; assert 'icecfg.effective' not in sys.modules; "
        "import icecfg.lint.rules; "
        "print(sorted(m for m in sys.modules if m.startswith('icecfg.effective')))"
    )
    result = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True, timeout=60)
    loaded = ast.literal_eval(result.stdout)
    for heavy in (
        "icecfg.effective.text",
        "icecfg.effective.command",
        "icecfg.effective.auth",
        "icecfg.effective.chains",
    ):
        assert heavy not in loaded, loaded
    assert "icecfg.effective.listeners" in loaded


def test_relays_directories_paths_and_chroot() -> None:
    xml = """<icecast>
<relay><server>a.example.org</server><port>8000</port><mount>/a</mount></relay>
<relays-on-demand>1</relays-on-demand>
<relay><server>b.example.org</server><mount>/b</mount><local-mount>/local-b</local-mount></relay>
<directory><yp-url-timeout>15</yp-url-timeout><yp-url>http://dir.example.org/cgi-bin/yp-cgi</yp-url></directory>
<paths><basedir>/srv/ice</basedir><webroot>/web/</webroot><logdir>logs</logdir></paths>
<security><chroot>1</chroot><changeowner><user>ice</user><group>ice</group></changeowner></security>
<mount><mount-name>/live</mount-name><fallback-mount>/f.mp3</fallback-mount></mount>
</icecast>"""
    e = eff(xml, "2.4")
    first, second = e.relays
    assert first.on_demand.value is False and second.on_demand.value is True  # read before the setting
    assert second.local_mount == "/local-b" and second.port.value == 0  # 2.4.4: no default port
    assert eff(xml, "2.5").relays[1].port.value == 80
    # KH reads it in order too: the first relay runs all the time (shown in test_oracle_network_25_kh.py)
    assert eff(xml, "kh").relays[0].on_demand.value is False
    (directory,) = e.directories
    assert directory.timeout is not None and directory.timeout.value == 6
    assert directory.timeout.origin.source is Source.CLAMPED
    assert e.security.chrooted and e.security.user is not None and e.security.user.value == "ice"
    assert e.paths.values["logdir"].relative_to == "the chroot (basedir)"
    assert e.paths.values["webroot"].outside == "/srv/ice/web/"
    live = e.mounts.find("/live")
    assert live is not None
    assert e.chain(live).hops[0].path == "/srv/ice/web/f.mp3"  # webroot inside the chroot, one / stripped


def test_kh_replaces_a_header_of_the_same_name_and_25_upstreams_override_flat_relay_children() -> None:
    headers = '<icecast><http-headers><header name="A" value="1"/><header name="a" value="2"/></http-headers></icecast>'
    kh = eff(headers, "kh").headers
    assert kh.names() == ["a"] and [d.name for d in kh.dropped] == ["A"]
    assert eff(headers, "2.4").headers.names() == ["A", "a"]
    relay = '<icecast><relay><server>x.example.org</server><upstream type="normal"><server>y.example.org</server></upstream></relay></icecast>'
    assert eff(relay, "2.5").relays[0].server.value == "y.example.org"
    assert eff("<icecast><relay><ip>10.0.0.1</ip></relay></icecast>", "kh").relays[0].server.value == "10.0.0.1"


def test_kh_mount_read_before_limits_keeps_what_limits_held_then() -> None:
    """KH copies the <limits> burst, queue and source timeout into a <mount> as it reads it (oracle-tested)."""
    xml = (
        "<icecast><limits><source-timeout>5</source-timeout></limits>"
        "<mount><mount-name>/early</mount-name></mount><mount><mount-name>/own</mount-name><source-timeout/></mount>"
        "<limits><source-timeout>3</source-timeout><burst-size>6000</burst-size></limits>"
        "<mount><mount-name>/late</mount-name></mount></icecast>"
    )
    kh = eff(xml, "kh")
    for name in ("/early", "/own"):  # an empty <source-timeout> gives nothing: the copy stays
        mount = kh.mounts.find(name)
        assert mount is not None
        timeout, burst = mount.settings["source-timeout"], mount.settings["burst-size"]
        assert (timeout.value, timeout.origin.source, timeout.origin.line) == (5, Source.DERIVED, 1)
        assert (burst.value, burst.origin.source) == (65536, Source.DERIVED)
        assert "comes too late" in burst.origin.describe()
    late = kh.mounts.find("/late")
    assert late is not None and "source-timeout" not in late.settings  # the server's <limits> applies
    assert kh.limits.get("source-timeout") == 3
    assert [s.burst_bytes for s in kh.mount_sizes] == [65536, 65536]
    early = eff(xml, "2.4").mounts.find("/early")
    assert early is not None and "source-timeout" not in early.settings


def test_the_mime_types_path_is_the_file_each_release_reads() -> None:
    """2.4.4 reads only the root <mime-types>, KH only <paths>', 2.5.0 both as it meets them (the later wins)."""
    root_last = (
        "<icecast><paths><mime-types>/etc/p.types</mime-types></paths><mime-types>/etc/r.types</mime-types></icecast>"
    )
    root_first = (
        "<icecast><mime-types>/etc/r.types</mime-types><paths><mime-types>/etc/p.types</mime-types></paths></icecast>"
    )
    used = {
        (xml, target): eff(xml, target).paths.values["mime-types"].value.value
        for xml in (root_last, root_first)
        for target in ("2.4", "2.5", "kh")
    }
    assert used == {
        (root_last, "2.4"): "/etc/r.types",
        (root_last, "2.5"): "/etc/r.types",
        (root_last, "kh"): "/etc/p.types",
        (root_first, "2.4"): "/etc/r.types",
        (root_first, "2.5"): "/etc/p.types",
        (root_first, "kh"): "/etc/p.types",
    }
    chrooted = eff("<icecast><paths><basedir>/srv/j</basedir></paths><security><chroot>1</chroot></security></icecast>")
    assert chrooted.paths.values["mime-types"].outside == "/srv/j/etc/mime.types"  # the default, read after the chroot


def test_explain_lists_each_report_database_2_5_loads() -> None:
    """2.5.0 reads every <reportxmldb> (shown in tests/test_oracle_paths.py): a list, host paths in a chroot too."""
    xml = (
        "<icecast><paths><basedir>/srv/j</basedir><reportxmldb>a.xml</reportxmldb><reportxmldb/>"
        "<reportxmldb>/usr/share/icecast/report-db.xml</reportxmldb></paths>"
        "<security><chroot>1</chroot></security></icecast>"
    )
    paths = eff(xml, "2.5").paths
    assert "reportxmldb" not in paths.values
    assert [(p.value.value, p.relative_to, p.outside, p.value.origin.line) for p in paths.each["reportxmldb"]] == [
        ("a.xml", "the working directory", "a.xml", 1),
        ("/usr/share/icecast/report-db.xml", "absolute", "/usr/share/icecast/report-db.xml", 1),
    ]  # the empty one is skipped with a warning by 2.5.0
    assert [p["value"] for p in paths.to_json()["reportxmldb"]] == ["a.xml", "/usr/share/icecast/report-db.xml"]


#: A mount whose later <type>, <subtype>, <bitrate> and <mount-name> KH reads nothing from (a comment first).
_KH_KEPT = (
    b"<icecast><mount><mount-name>/live.mp3</mount-name><mount-name><!-- x -->/other.mp3</mount-name>"
    b"<type>audio/mpeg</type><type><!-- x -->application/ogg</type><subtype>mp3</subtype><subtype/>"
    b"<bitrate>128</bitrate><bitrate><!-- x -->64</bitrate><password>hackme</password></mount></icecast>"
)


@pytest.mark.parametrize(
    ("target", "name", "declared"),
    [
        ("kh", "/live.mp3", ("mpeg", 128, ("mp3", "<subtype>mp3</subtype>"))),
        ("2.4", "/other.mp3", ("ogg", 64, None)),
    ],
)
def test_a_mount_declares_what_the_release_reads(target: str, name: str, declared: object) -> None:
    """KH keeps a type, codec, bitrate and name past a later element it reads nothing from; 2.4 takes the last."""
    from icecfg.effective.declared import declared_bitrate, declared_codec, declared_format

    eff = explain(icecfg.loads(_KH_KEPT), target)
    mount = eff.mounts.find(name)
    assert mount is not None and mount.name == name
    found = declared_format(eff.mounts, name)
    assert found is not None
    assert (found.format_type, declared_bitrate(mount), declared_codec(mount)) == declared
    messages = [f.message for f in lint(icecfg.loads(_KH_KEPT), target) if f.code == "ICE501"]
    assert any(f"of mount {name} " in m for m in messages), messages


def test_kh_reads_a_bitrate_attribute() -> None:
    from icecfg.effective.declared import declared_bitrate

    data = b'<icecast><mount mount-name="/a.mp3" bitrate="96"><type>audio/mpeg</type></mount></icecast>'
    mount = explain(icecfg.loads(data), "kh").mounts.find("/a.mp3")
    assert mount is not None and declared_bitrate(mount) == 96
