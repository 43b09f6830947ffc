"""The typed model: reading, effective values, editing through the document, building."""

from __future__ import annotations

import difflib
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

import icecfg
from icecfg import Dialect
from tests.samples import samples

SAMPLE = samples()["icecast.xml.dist.gz"]


def _diff(before: bytes, after: bytes) -> list[str]:
    lines = difflib.unified_diff(before.decode().splitlines(), after.decode().splitlines(), lineterm="", n=0)
    return [line for line in lines if line[:1] in "+-" and line[:3] not in ("+++", "---")]


def test_type_checkers_see_the_typed_api_and_report_a_misspelt_name(tmp_path: Path) -> None:
    """``import icecfg`` binds its names lazily; mypy must still type them, not take any name as ``object``."""
    script = tmp_path / "user.py"
    script.write_text(
        "import icecfg\n"
        "from pathlib import Path\n"
        "cfg: icecfg.IcecastConfig = icecfg.loads(b'<icecast/>', path=Path('icecast.xml'))\n"
        "where: str | None = cfg.path\n"
        "names: list[str] = icecfg.__all__\n"
        "icecfg.lod('icecast.xml')\n"
        "from icecfg import Limitz\n"
    )
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--cache-dir", os.devnull, "--no-error-summary", str(script)],
        capture_output=True,
        text=True,
        check=False,  # the errors are the point
        cwd=Path(__file__).resolve().parents[1],
    )
    errors = [line.split(": error: ", 1)[1] for line in done.stdout.splitlines() if ": error: " in line]
    assert errors == [
        'Module has no attribute "lod"; maybe "load"?  [attr-defined]',
        'Module "icecfg" has no attribute "Limitz"; maybe "Limits"?  [attr-defined]',
    ], done.stdout


def test_help_documents_every_public_name_and_what_each_function_raises() -> None:
    """``help(icecfg.dump)`` must tell a user which exceptions to catch, and every name what it is."""
    undocumented = [name for name in icecfg.__all__ if not name.startswith("__") and not getattr(icecfg, name).__doc__]
    assert undocumented == []
    for function in (icecfg.load, icecfg.loads, icecfg.dump, icecfg.check, icecfg.explain, icecfg.upgrade):
        assert "raises" in (function.__doc__ or "").lower(), function.__name__


def test_repr_masks_passwords_that_to_dict_gives() -> None:
    cfg = icecfg.loads(
        b"<icecast><authentication><admin-user>admin</admin-user><admin-password>s3cret-a</admin-password>"
        b"</authentication><mount><password>s3cret-m</password><authentication type='url'>"
        b"<option name='password' value='s3cret-o'/><option name='username' value='bot'/>"
        b"</authentication></mount></icecast>"
    )
    shown = repr(cfg) + repr(cfg.authentication) + repr(cfg.mounts)
    assert "s3cret" not in shown
    assert "admin_user='admin'" in shown and "admin_password='***'" in shown and "'value': 'bot'" in shown
    assert cfg.authentication.to_dict()["admin_password"] == "s3cret-a"


def test_loads_takes_the_path_as_load_and_dump_do(tmp_path: Path) -> None:
    with pytest.raises(icecfg.ParseError, match=r"^conf/icecast\.xml:1:10: "):
        icecfg.loads(b"<icecast>", path=Path("conf/icecast.xml"))
    path = tmp_path / "icecast.xml"
    path.write_bytes(b"<icecast/>")
    cfg = icecfg.loads(path.read_bytes(), path=path)
    assert cfg.path == str(path)
    icecfg.dump(cfg, path)


def test_reads_typed_values_of_the_debian_sample() -> None:
    cfg = icecfg.loads(SAMPLE)
    assert cfg.limits.clients == 100
    assert cfg.limits.burst_on_connect is True
    assert cfg.authentication.admin_user == "admin"
    assert cfg.hostname == "localhost"
    assert [s.port for s in cfg.listen_sockets] == [8000]
    assert cfg.listen_sockets[0].bind_address is None
    assert cfg.fileserve is True
    assert cfg.paths.webroot == "/usr/share/icecast2/web"
    assert [(a.source, a.destination) for a in cfg.paths.aliases] == [("/", "/status.xsl")]
    assert cfg.logging.loglevel == 3
    assert cfg.security.chroot is False
    assert not cfg.security.changeowner.exists
    assert [(h.name, h.value) for h in cfg.http_headers.headers] == [("Access-Control-Allow-Origin", "*")]
    assert cfg.mounts == []
    assert cfg.relays == []


def test_typed_and_effective_values_differ_where_icecast_2_4_uses_atoi() -> None:
    cfg = icecfg.loads(
        b"<icecast><fileserve>true</fileserve><limits><clients> 80 </clients></limits>"
        b"<listen-socket><port>8000abc</port></listen-socket>"
        b"<logging><loglevel>debug</loglevel></logging></icecast>"
    )
    assert cfg.fileserve is True  # what the author meant
    assert cfg.effective("fileserve", "2.4") is False  # what 2.4.4 does: atoi("true") == 0
    assert cfg.effective("fileserve", "2.5") is True
    assert cfg.limits.clients == 80
    assert cfg.logging.loglevel == 4
    assert cfg.logging.effective("loglevel", Dialect.V24) == 0  # nothing is logged
    assert cfg.logging.effective("loglevel", Dialect.V25) == 4
    with pytest.raises(icecfg.InvalidValueError):
        _ = cfg.listen_sockets[0].port
    assert cfg.listen_sockets[0].effective("port", "2.4") == 8000


def test_effective_defaults_and_the_empty_element_crash() -> None:
    cfg = icecfg.loads(b"<icecast><limits><clients/></limits></icecast>")
    assert cfg.limits.clients is None
    with pytest.raises(icecfg.Crash, match="segfault"):
        cfg.limits.effective("clients", "2.4")
    assert cfg.limits.effective("sources", "2.4") == 16  # absent: the default
    assert cfg.limits.effective("header_timeout", "kh") == 5
    assert cfg.effective("hostname", "2.4") == "localhost"


def test_the_crash_of_an_empty_element_is_an_icecfg_error_naming_where() -> None:
    cfg = icecfg.loads(b"<icecast>\n  <limits><clients/></limits>\n</icecast>", path="icecast.xml")
    with pytest.raises(icecfg.IcecfgError) as caught:
        cfg.limits.effective("clients", "2.4")
    assert isinstance(caught.value, icecfg.Crash) and isinstance(caught.value, ValueError)
    assert str(caught.value) == "icecast.xml:2:11: Icecast 2.4.4 crashes (segfault) on an empty <clients>"
    assert (caught.value.path, caught.value.line, caught.value.column) == ("icecast.xml", 2, 11)  # for editors and CI


@pytest.mark.parametrize(
    "unread",
    ["<clients/>", "<clients>many</clients>", "<clients><!-- c -->9</clients>", "<clients><![CDATA[9]]></clients>"],
)
def test_effective_on_kh_keeps_the_value_a_later_element_does_not_give(unread: str) -> None:
    """KH reads nothing from such an element (tests/test_oracle_explain.py): the model agrees with explain."""
    from icecfg.effective import explain

    cfg = icecfg.loads(f"<icecast><limits><clients>5</clients>{unread}</limits></icecast>".encode())
    assert cfg.limits.effective("clients", "kh") == 5
    assert explain(cfg, "kh").limits.get("clients") == 5
    if unread != "<clients/>":  # 2.4.4 crashes on that one
        assert cfg.limits.effective("clients", "2.4") == explain(cfg, "2.4").limits.get("clients") != 5


def test_kh_reads_scalar_children_written_as_attributes_of_their_section() -> None:
    cfg = icecfg.loads(
        b'<icecast><listen-socket port="8000" bind-address="127.0.0.1"/>'
        b'<listen-socket port="8001"><port>9001</port></listen-socket>'
        b'<limits clients="50"/>'
        b'<mount type="normal" max-listeners="7" fallback-mount="/f.ogg"><mount-name>/a</mount-name></mount>'
        b"</icecast>"
    )
    first, second = cfg.listen_sockets
    assert first.port is None  # as written: no <port> element
    assert first.effective("port", "kh") == 8000
    assert first.effective("bind_address", "kh") == "127.0.0.1"
    assert second.effective("port", "kh") == 9001  # KH reads attributes first, the child overrides
    assert cfg.limits.effective("clients", "kh") == 50
    assert cfg.limits.effective("clients", "2.4") == 256  # 2.4 ignores attributes: its compiled-in default
    mount = cfg.mounts[0]
    assert mount.effective("max_listeners", "kh") == 7
    assert mount.effective("type", "kh") is None  # CFG_TAG_NOTATTR: the xiph type attribute is not <type>
    assert mount.effective("fallback_mount", "kh") is None  # the fallback block parser ignores it
    logs = icecfg.loads(b'<icecast><logging accesslog="a.log" loglevel="4"/></icecast>').logging
    assert logs.effective("loglevel", "kh") == 4
    assert logs.effective("accesslog", "kh") == logs.effective("accesslog", "2.4")  # a log block: attribute ignored


def test_repeated_scalars_read_the_last_like_icecast() -> None:
    cfg = icecfg.loads(b"<icecast><hostname>a</hostname><hostname>b</hostname></icecast>")
    assert cfg.hostname == "b"
    cfg.hostname = "c"  # the one Icecast uses is the one edited
    assert icecfg.dumps(cfg) == b"<icecast><hostname>a</hostname><hostname>c</hostname></icecast>"


def test_repeated_blocks_merge_like_icecast() -> None:
    cfg = icecfg.loads(b"<icecast><limits><clients>1</clients></limits><limits><sources>2</sources></limits></icecast>")
    assert (cfg.limits.clients, cfg.limits.sources) == (1, 2)
    assert len(cfg.limits.elements) == 2


def test_editing_one_port_changes_one_line() -> None:
    cfg = icecfg.loads(SAMPLE)
    cfg.listen_sockets[0].port = 8443
    assert _diff(SAMPLE, icecfg.dumps(cfg)) == ["-        <port>8000</port>", "+        <port>8443</port>"]


def test_appending_a_mount_adds_only_its_lines_indented_like_siblings() -> None:
    cfg = icecfg.loads(SAMPLE)
    cfg.mounts.append(icecfg.Mount(mount_name="/live.ogg", fallback_mount="/fallback.ogg"))
    assert _diff(SAMPLE, icecfg.dumps(cfg)) == [
        "+    <mount>",
        "+        <mount-name>/live.ogg</mount-name>",
        "+        <fallback-mount>/fallback.ogg</fallback-mount>",
        "+    </mount>",
    ]
    assert icecfg.loads(icecfg.dumps(cfg)).mounts[0].fallback_mount == "/fallback.ogg"


def test_deleting_a_mount_removes_exactly_its_lines() -> None:
    data = (
        b"<icecast>\n    <mount>\n        <mount-name>/a</mount-name>\n    </mount>\n"
        b"    <!-- keep me -->\n    <mount>\n        <mount-name>/b</mount-name>\n    </mount>\n</icecast>\n"
    )
    cfg = icecfg.loads(data)
    del cfg.mounts[1]
    assert icecfg.dumps(cfg) == (
        b"<icecast>\n    <mount>\n        <mount-name>/a</mount-name>\n    </mount>\n    <!-- keep me -->\n</icecast>\n"
    )
    assert [m.mount_name for m in cfg.mounts] == ["/a"]


def test_list_operations_write_through() -> None:
    cfg = icecfg.loads(b"<icecast>\n  <mount><mount-name>/a</mount-name></mount>\n</icecast>\n")
    cfg.mounts.insert(0, icecfg.Mount(mount_name="/first"))
    cfg.mounts[1] = icecfg.Mount(mount_name="/second")
    popped = cfg.mounts.pop()
    assert popped.mount_name == "/second"
    cfg.mounts.extend([icecfg.Mount(mount_name="/x"), icecfg.Mount(mount_name="/y")])
    again = icecfg.loads(icecfg.dumps(cfg))
    assert [m.mount_name for m in again.mounts] == ["/first", "/x", "/y"]
    with pytest.raises(TypeError):
        cfg.mounts.append(icecfg.Relay(server="x"))  # type: ignore[arg-type]


LISTS = b"""<icecast>
    <include>a.xml</include>
    <!-- b is optional -->
    <include>b.xml</include>
    <mount>
        <mount-name>/b</mount-name>
    </mount>
    <!-- the main stream -->
    <mount>
        <mount-name>/a</mount-name>
    </mount>
</icecast>
"""


def test_assigning_a_list_that_keeps_items_changes_only_what_comes_or_goes() -> None:
    """``cfg.mounts += [...]`` assigns the list back: the mounts kept must stay beside their comments."""
    cfg = icecfg.loads(LISTS)
    cfg.mounts += [icecfg.Mount(mount_name="/z")]
    cfg.includes += ["c.xml"]
    assert _diff(LISTS, icecfg.dumps(cfg)) == [
        "+    <include>c.xml</include>",
        "+    <mount>",
        "+        <mount-name>/z</mount-name>",
        "+    </mount>",
    ]
    cfg = icecfg.loads(LISTS)
    cfg.mounts = [m for m in cfg.mounts if m.mount_name == "/a"]
    assert _diff(LISTS, icecfg.dumps(cfg)) == ["-    <mount>", "-        <mount-name>/b</mount-name>", "-    </mount>"]
    assert [m.mount_name for m in cfg.mounts] == ["/a"]


def test_assigning_a_section_to_itself_changes_nothing() -> None:
    data = b"<icecast>\n<limits><!-- c --><clients>5</clients></limits>\n<limits><sources>3</sources></limits>\n</icecast>\n"
    cfg = icecfg.loads(data)
    cfg.limits = cfg.limits
    cfg.security.changeowner = cfg.security.changeowner
    assert icecfg.dumps(cfg) == data and cfg.limits.sources == 3


def test_a_section_from_another_config_is_copied_not_moved() -> None:
    source = icecfg.loads(b"<icecast>\n  <mount>\n    <mount-name>/a</mount-name><!-- c -->\n  </mount>\n</icecast>")
    target = icecfg.loads(b"<icecast>\n  <hostname>h</hostname>\n</icecast>")
    target.mounts.append(source.mounts[0])
    assert b"<mount-name>/a</mount-name><!-- c -->" in icecfg.dumps(target)
    assert icecfg.dumps(source).count(b"<mount>") == 1


def test_setting_none_removes_the_element_and_its_line() -> None:
    cfg = icecfg.loads(SAMPLE)
    cfg.limits.burst_size = None
    assert _diff(SAMPLE, icecfg.dumps(cfg)) == ["-        <burst-size>65535</burst-size>"]


def test_values_are_escaped() -> None:
    cfg = icecfg.loads(b"<icecast><hostname>a</hostname></icecast>")
    cfg.authentication.source_password = "a<b&c]]>"
    cfg.http_headers.headers.append(icecfg.Header(name="X-Q", value='say "hi"'))
    out = icecfg.dumps(cfg)
    assert b"<source-password>a&lt;b&amp;c]]&gt;</source-password>" in out
    assert b'value="say &quot;hi&quot;"' in out
    again = icecfg.loads(out)
    assert again.authentication.source_password == "a<b&c]]>"
    assert again.http_headers.headers[0].value == 'say "hi"'


def test_new_elements_go_where_icecast_documents_them() -> None:
    cfg = icecfg.loads(b"<icecast>\n    <limits>\n        <sources>2</sources>\n    </limits>\n</icecast>\n")
    cfg.limits.clients = 10  # clients comes before sources in the table
    cfg.limits.burst_size = 100  # and burst-size after
    assert icecfg.dumps(cfg) == (
        b"<icecast>\n    <limits>\n        <clients>10</clients>\n        <sources>2</sources>\n"
        b"        <burst-size>100</burst-size>\n    </limits>\n</icecast>\n"
    )


def test_type_errors_on_writing() -> None:
    cfg = icecfg.IcecastConfig()
    with pytest.raises(TypeError):
        cfg.limits.clients = "many"
    with pytest.raises(TypeError):
        cfg.fileserve = 1  # a bool field wants True/False
    with pytest.raises(TypeError):
        icecfg.Limits(clientz=4)  # type: ignore[call-arg]


def test_config_built_from_scratch_is_a_clean_file() -> None:
    cfg = icecfg.IcecastConfig(
        hostname="radio.example.org",
        limits=icecfg.Limits(clients=100, sources=2),
        authentication=icecfg.Authentication(source_password="s", admin_user="admin", admin_password="a"),
        listen_sockets=[icecfg.ListenSocket(port=8000), icecfg.ListenSocket(port=8443, ssl=True)],
        mounts=[
            icecfg.Mount(
                mount_name="/live.ogg",
                fallback_mount="/fallback.ogg",
                http_headers=icecfg.HttpHeaders(headers=[icecfg.Header(name="Cache-Control", value="no-cache")]),
            )
        ],
    )
    assert icecfg.dumps(cfg) == (
        b"<icecast>\n"
        b"    <hostname>radio.example.org</hostname>\n"
        b"    <limits>\n        <clients>100</clients>\n        <sources>2</sources>\n    </limits>\n"
        b"    <authentication>\n        <source-password>s</source-password>\n"
        b"        <admin-user>admin</admin-user>\n        <admin-password>a</admin-password>\n"
        b"    </authentication>\n"
        b"    <listen-socket>\n        <port>8000</port>\n    </listen-socket>\n"
        b"    <listen-socket>\n        <port>8443</port>\n        <ssl>1</ssl>\n    </listen-socket>\n"
        b"    <mount>\n        <mount-name>/live.ogg</mount-name>\n"
        b"        <fallback-mount>/fallback.ogg</fallback-mount>\n"
        b"        <http-headers>\n"
        b'            <header name="Cache-Control" value="no-cache"/>\n'
        b"        </http-headers>\n    </mount>\n"
        b"</icecast>\n"
    )
    # and edits after building keep the layout
    cfg.paths.logdir = "/var/log/icecast2"
    assert b"    <paths>\n        <logdir>/var/log/icecast2</logdir>\n    </paths>\n</icecast>\n" in icecfg.dumps(cfg)


def test_positions_of_elements_attributes_and_text() -> None:
    data = b'<icecast>\n  <paths>\n    <alias source="/a" destination="/b"/>\n  </paths>\n  <hostname>x</hostname>\n</icecast>'
    cfg = icecfg.loads(data)
    alias = cfg.paths.aliases[0].element
    assert alias is not None
    assert (alias.line, alias.column) == (3, 5)
    destination = alias.attribute("destination")
    assert destination is not None
    assert alias.position(destination.start) == (3, 24)
    hostname = cfg.document.root.find("hostname")
    assert hostname is not None
    assert hostname.position(hostname.text_start) == (5, 13)


def test_unknown_elements_are_kept_and_listed_with_lines() -> None:
    data = (
        b"<icecast>\n  <limits>\n    <client>5</client>\n  </limits>\n  <Hostname>x</Hostname>\n"
        b"  <mount><mount-name>/a</mount-name><max-listener>3</max-listener></mount>\n</icecast>\n"
    )
    cfg = icecfg.loads(data)
    assert [(e.name, e.line) for e in cfg.unknown_elements()] == [
        ("client", 3),
        ("Hostname", 5),
        ("max-listener", 6),
    ]
    cfg.limits.clients = 5
    assert b"<client>5</client>" in icecfg.dumps(cfg)


def test_dump_is_atomic_and_keeps_the_mode(tmp_path: Path) -> None:
    path = tmp_path / "icecast.xml"
    path.write_bytes(SAMPLE)
    os.chmod(path, 0o640)
    cfg = icecfg.load(path)
    cfg.hostname = "radio.example.org"
    icecfg.dump(cfg, path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert icecfg.load(path).hostname == "radio.example.org"
    assert [p.name for p in tmp_path.iterdir()] == ["icecast.xml"]  # no temporary file left


def test_dump_leaves_the_old_file_when_writing_fails(tmp_path: Path) -> None:
    path = tmp_path / "icecast.xml"
    path.write_bytes(SAMPLE)
    cfg = icecfg.load(path)
    cfg.hostname = "x"
    os.chmod(tmp_path, 0o500)
    try:
        if os.geteuid() == 0:
            # root may write anywhere; make the target a directory to force a failure instead
            os.chmod(tmp_path, 0o700)
            target = tmp_path / "sub"
            target.mkdir()
            with pytest.raises(OSError):
                icecfg.dump(cfg, target)
            assert target.is_dir()
        else:
            with pytest.raises(OSError):
                icecfg.dump(cfg, path)
    finally:
        os.chmod(tmp_path, 0o700)
    assert path.read_bytes() == SAMPLE
    assert sorted(p.name for p in tmp_path.iterdir()) in (["icecast.xml"], ["icecast.xml", "sub"])


def test_every_field_of_the_model_has_a_row_in_the_table() -> None:
    from icecfg import codegen, spec

    for section in spec.SECTIONS.values():
        cls = getattr(icecfg, codegen.class_name(section.id))
        rows = {codegen.field_name(section, row) for row in section.children}
        attributes = {codegen.attribute_name(section, a) for a in section.attributes}
        assert set(cls._fields) == rows | attributes, section.id


def test_values_that_could_not_be_read_back_are_refused() -> None:
    cfg = icecfg.IcecastConfig()
    with pytest.raises(ValueError, match="queue_size"):
        cfg.limits.queue_size = -1
    assert not cfg.limits.exists


def test_renaming_an_element_keeps_attributes_content_and_spacing() -> None:
    data = (
        b'<icecast>\n  <paths>\n    <alias  source="/a"\n  dest="/b" />\n  </paths>\n  <x-tls >1</x-tls >\n</icecast>\n'
    )
    cfg = icecfg.loads(data)
    root = cfg.document.root
    alias = root.find("paths").find("alias")  # type: ignore[union-attr]
    alias.rename("resource")  # type: ignore[union-attr]
    root.find("x-tls").rename("ssl")  # type: ignore[union-attr]
    assert icecfg.dumps(cfg) == data.replace(b"<alias ", b"<resource ").replace(b"x-tls", b"ssl")
    assert icecfg.loads(icecfg.dumps(cfg)).listen_sockets == []


def test_effective_of_one_value_is_the_reading_explain_uses() -> None:
    """2.5 keeps its default for a value out of range, KH for text it cannot read; explain says the same."""
    for text, target, used in (("-5", "2.5", 0), ("big", "kh", 20000), ("-5", "2.4", -5)):
        cfg = icecfg.loads(f"<icecast><logging><logsize>{text}</logsize></logging></icecast>".encode())
        assert cfg.logging.effective("logsize", target) == used, (text, target)
        assert icecfg.explain(cfg, target).logging.size.value == used


def test_a_repeated_section_copied_elsewhere_keeps_every_block() -> None:
    """``b.limits = a.limits`` with two ``<limits>`` in ``a``: the copy reads what ``a`` reads."""
    source = icecfg.loads(
        b"<icecast>\n  <limits>\n    <clients>1</clients>\n    <sources>5</sources>\n  </limits>\n"
        b"  <limits>\n    <sources>2</sources>\n  </limits>\n</icecast>\n"
    )
    target = icecfg.loads(b"<icecast>\n  <hostname>a</hostname>\n</icecast>\n")
    target.limits = source.limits
    assert (target.limits.clients, target.limits.sources) == (1, 2)
    assert icecfg.dumps(target) == (
        b"<icecast>\n  <hostname>a</hostname>\n  <limits>\n    <clients>1</clients>\n    <sources>5</sources>\n"
        b"    <sources>2</sources>\n  </limits>\n</icecast>\n"
    )
    assert (source.limits.clients, source.limits.sources) == (1, 2)  # the original is left as it was
    # KH also reads a section's settings from its attributes, the later block's last
    source = icecfg.loads(b'<icecast><limits clients="7" sources="3"></limits><limits sources="4"/></icecast>')
    target = icecfg.loads(b"<icecast></icecast>")
    target.limits = source.limits
    assert (target.limits.effective("clients", "kh"), target.limits.effective("sources", "kh")) == (7, 4)
    assert icecfg.dumps(target) == b'<icecast><limits clients="7" sources="4"></limits></icecast>'


def test_an_item_inserted_before_a_commented_mount_goes_above_the_comment() -> None:
    """A comment on the line above a mount speaks of that mount: the new one must not slip in between."""
    cfg = icecfg.loads(
        b"<icecast>\n    <!-- the studio stream -->\n    <mount>\n        <mount-name>/live.ogg</mount-name>\n"
        b"    </mount> <!-- kept with /live.ogg -->\n    <mount>\n        <mount-name>/b.ogg</mount-name>\n"
        b"    </mount>\n</icecast>\n"
    )
    cfg.mounts.insert(0, icecfg.Mount(mount_name="/new.ogg"))
    cfg.mounts.insert(2, icecfg.Mount(mount_name="/new2.ogg"))
    assert icecfg.dumps(cfg) == (
        b"<icecast>\n    <mount>\n        <mount-name>/new.ogg</mount-name>\n    </mount>\n"
        b"    <!-- the studio stream -->\n    <mount>\n        <mount-name>/live.ogg</mount-name>\n"
        b"    </mount> <!-- kept with /live.ogg -->\n    <mount>\n        <mount-name>/new2.ogg</mount-name>\n"
        b"    </mount>\n    <mount>\n        <mount-name>/b.ogg</mount-name>\n    </mount>\n</icecast>\n"
    )


@pytest.mark.parametrize("written", ["64k", "2m", "65536", " 8k "])
def test_a_suffixed_size_means_what_kh_the_release_that_reads_suffixes_makes_of_it(written: str) -> None:
    """KH multiplies ``k`` by 1000 and ``m`` by 1000000 (cfgfile.c ``config_qsizing_conv_a2n``), not 1024."""
    cfg = icecfg.loads(f"<icecast><limits><burst-size>{written}</burst-size></limits></icecast>".encode())
    assert cfg.limits.burst_size == cfg.limits.effective("burst_size", "kh")
