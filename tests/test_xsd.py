"""The XSDs in schemas/: generated from the element table, true to what each Icecast reads."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import xmlschema
from lxml import etree

from icecfg import codegen, spec, xsd
from icecfg.spec import Dialect
from tests.samples import samples

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = samples()
COMMENT = re.compile(rb"<!--(.*?)-->", re.S)


def valid(data: bytes, dialect: str) -> bool:
    return xsd.validate(data, dialect) == []


def config(body: str) -> bytes:
    return f"<icecast>\n{body}\n</icecast>\n".encode()


# Generated and committed --------------------------------------------------------


@pytest.mark.parametrize("dialect", list(Dialect), ids=lambda d: d.value)
def test_committed_schema_is_the_generated_one(dialect: Dialect) -> None:
    relative = f"schemas/icecast-{dialect.value}.xsd"
    assert codegen.generated_files()[relative] == xsd.schema(dialect)
    committed = (ROOT / relative).read_text(encoding="utf-8")
    assert committed == xsd.schema(dialect), f"{relative} is stale: run python scripts/generate.py"


@pytest.mark.parametrize("dialect", list(Dialect), ids=lambda d: d.value)
def test_schema_is_xsd_1_0_with_only_icecast_as_root(dialect: Dialect) -> None:
    compiled = xmlschema.XMLSchema10(xsd.schema(dialect))
    assert list(compiled.elements) == ["icecast"]
    assert compiled.target_namespace == ""


def test_schema_path_holds_the_schema() -> None:
    for dialect in Dialect:
        path = xsd.schema_path(dialect)
        assert path.name == f"icecast-{dialect.value}.xsd"
        assert path.read_text(encoding="utf-8") == xsd.schema(dialect)


def _children(compiled: xmlschema.XMLSchema10, type_name: str) -> set[str]:
    content = compiled.types[type_name].content
    return {e.local_name for e in content.iter_elements()} if hasattr(content, "iter_elements") else set()


@pytest.mark.parametrize("dialect", list(Dialect), ids=lambda d: d.value)
def test_every_section_allows_exactly_the_rows_the_dialect_knows(dialect: Dialect) -> None:
    compiled = xmlschema.XMLSchema10(xsd.schema(dialect))
    checked = 0
    for section in spec.SECTIONS.values():
        if section.id not in compiled.types:
            continue
        rows = {n for r in section.children if dialect in r.dialects for n in (r.name, *r.aliases)}
        assert _children(compiled, section.id) == rows, section.id
        checked += 1
    assert checked >= 15
    # the root type is there and knows <limits>, <mount> and <listen-socket>
    assert {"limits", "mount", "listen-socket"} <= _children(compiled, "icecast")


def test_documentation_comes_from_the_table() -> None:
    text = xsd.schema("2.4")
    clients = spec.SECTIONS["limits"].child("clients")
    assert clients is not None
    assert clients.doc.replace("<", "&lt;").replace(">", "&gt;") in text
    assert "Icecast 2.4.4 crashes (segfault) on an empty element" in text  # crash_if_empty rows say so


# Debian's samples -----------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_debian_sample_validates_against_2_4(name: str) -> None:
    assert xsd.validate(SAMPLES[name], "2.4") == []


def _uncomment_examples(data: bytes) -> tuple[bytes, int]:
    """Turn the commented-out example elements of a sample into real elements."""
    count = 0

    def replace(match: re.Match[bytes]) -> bytes:
        nonlocal count
        try:
            fragment = etree.fromstring(b"<x>" + match[1] + b"</x>")
        except etree.XMLSyntaxError:
            return match[0]  # prose
        prose = (fragment.text or "").strip() or any((c.tail or "").strip() for c in fragment)
        if len(fragment) == 0 or prose:
            return match[0]
        count += 1
        return match[1]

    return COMMENT.sub(replace, data), count


def test_the_samples_commented_out_examples_validate_against_2_4() -> None:
    data, count = _uncomment_examples(SAMPLES["icecast.xml.dist.gz"])
    assert count >= 10
    for example in (b"<ssl>1</ssl>", b'<mount type="default">', b"<relay>", b"<directory>"):
        assert example in data
    assert xsd.validate(data, "2.4") == []


# What fails, and how it is named ----------------------------------------------------


def test_unknown_element_fails_with_its_name() -> None:
    errors = xsd.validate(config("<limits>\n<client>5</client>\n</limits>"), "2.4")
    assert len(errors) == 1
    assert "<client> is not an element of <limits>" in errors[0]
    assert errors[0].startswith("line 3: /icecast/limits/client")


def test_misplaced_element_fails_with_its_name() -> None:
    data = config("<mount>\n<mount-name>/live</mount-name>\n<clients>5</clients>\n</mount>")
    errors = xsd.validate(data, "2.4")
    assert len(errors) == 1
    assert "<clients> is not an element of <mount>" in errors[0]
    assert errors[0].startswith("line 4:")


def test_wrong_case_is_unknown() -> None:
    assert not valid(config("<Hostname>radio.example.org</Hostname>"), "2.4")
    assert valid(config("<hostname>radio.example.org</hostname>"), "2.4")


@pytest.mark.parametrize(
    "body",
    [
        "<limits><bodysize>8192</bodysize></limits>",
        '<yp-directory url="http://dir.xiph.org/cgi-bin/yp-cgi"/>',
        "<listen-socket><port>8443</port><tls>auto_no_plain</tls></listen-socket>",
        "<security><tls-context><tls-certificate>/etc/icecast2/bundle.pem</tls-certificate></tls-context></security>",
    ],
)
def test_2_5_only_element_fails_2_4_and_passes_2_5(body: str) -> None:
    data = config(body)
    errors = xsd.validate(data, "2.4")
    assert errors and "is not an element of" in errors[0]
    assert xsd.validate(data, "2.5") == []


V25_CONFIG = b"""\
<icecast>
    <location>Berlin</location>
    <admin>ops@radio.example.org</admin>
    <hostname>radio.example.org</hostname>
    <limits>
        <clients>100</clients>
        <sources>2</sources>
        <queue-size>524288</queue-size>
        <burst-size>65535</burst-size>
        <body-timeout>10</body-timeout>
    </limits>
    <authentication>
        <role type="static" name="admin" allow-web="*" allow-admin="*" allow-method="get,post">
            <option name="username" value="admin"/>
            <option name="password" value="x7-long-random"/>
        </role>
        <role type="anonymous" deny-all="yes"/>
    </authentication>
    <yp-directory url="https://dir.xiph.org/cgi-bin/yp-cgi">
        <option name="timeout" value="15"/>
        <option name="listen-socket" value="#public"/>
    </yp-directory>
    <listen-socket id="public" type="normal">
        <port>8000</port>
    </listen-socket>
    <listen-socket>
        <port>8443</port>
        <tls>rfc2818</tls>
        <listen-backlog>64</listen-backlog>
    </listen-socket>
    <http-headers>
        <header type="cors" name="Access-Control-Allow-Origin" />
    </http-headers>
    <mount type="normal">
        <mount-name>/live.ogg</mount-name>
        <fallback-mount>/fallback.ogg</fallback-mount>
        <fallback-override>own</fallback-override>
        <public>client</public>
        <max-history>10</max-history>
        <allow-direct-access>true</allow-direct-access>
        <icy-metadata-interval>8192</icy-metadata-interval>
        <event-bindings>
            <event type="exec" trigger="source-connect">
                <option name="executable" value="/usr/local/bin/on-connect"/>
            </event>
        </event-bindings>
        <relay>
            <upstream type="normal">
                <server>upstream.example.org</server>
                <port>8000</port>
                <mount>/live.ogg</mount>
            </upstream>
        </relay>
    </mount>
    <paths>
        <basedir>./</basedir>
        <logdir>./log</logdir>
        <webroot>./web</webroot>
        <adminroot>./admin</adminroot>
        <resource source="/" destination="/status.xsl"/>
        <mime-types>/etc/mime.types</mime-types>
    </paths>
    <logging>
        <accesslog>access.log</accesslog>
        <errorlog>error.log</errorlog>
        <loglevel>information</loglevel>
        <memorybacklog logfile="error">32</memorybacklog>
    </logging>
    <security>
        <chroot>false</chroot>
        <tls-context>
            <tls-certificate>/etc/icecast2/bundle.pem</tls-certificate>
        </tls-context>
        <prng-seed type="device" size="32">/dev/urandom</prng-seed>
    </security>
</icecast>
"""


def test_a_2_5_config_validates_against_2_5_only() -> None:
    assert xsd.validate(V25_CONFIG, "2.5") == []
    errors = xsd.validate(V25_CONFIG, "2.4")
    lines = [int(e.split(":", 1)[0].removeprefix("line ")) for e in errors]
    assert lines == sorted(lines)  # in document order
    for fragment in (
        "<tls> is not an element of <listen-socket>",
        "<yp-directory> is not an element of <icecast>",
        "<role> is not an element of <authentication>",
        "<fallback-override>: 'own' is invalid",
        "<chroot>: 'false' is invalid",
        "attribute type of <header>: 'cors' is invalid",
    ):
        assert any(fragment in e for e in errors), fragment


def test_2_4_only_element_fails_2_5() -> None:
    data = config("<limits><threadpool>4</threadpool></limits>")
    assert valid(data, "2.4")
    assert "<threadpool> is not an element of <limits>" in xsd.validate(data, "2.5")[0]


def test_kh_reads_scalar_children_as_attributes() -> None:
    data = config('<listen-socket port="8000" bind-address="127.0.0.1"/>')
    assert valid(data, "kh")
    assert "reads no attribute port on <listen-socket>" in xsd.validate(data, "2.4")[0]


def test_kh_log_names_may_be_blocks() -> None:
    data = config("<logging><accesslog><name>access.log</name><ip>0</ip></accesslog></logging>")
    assert valid(data, "kh")
    assert not valid(data, "2.4")
    assert valid(config("<logging><accesslog>access.log</accesslog></logging>"), "kh")


# Values ----------------------------------------------------------------------------


def test_comments_do_not_matter() -> None:
    data = config(
        "<!-- top --><limits><!-- between --><clients>1<!-- inside a value -->00</clients></limits>"
        '<http-headers><!-- c --><header name="X-A" value="1"><!-- c --></header></http-headers>'
    )
    for dialect in Dialect:
        assert xsd.validate(data, dialect) == [], dialect


def test_numbers_may_have_surrounding_whitespace_but_no_junk() -> None:
    assert valid(config("<limits><clients>\n  100\n</clients></limits>"), "2.4")
    assert valid(config("<limits><clients> 100 </clients></limits>"), "2.4")
    errors = xsd.validate(config("<limits><clients>100abc</clients></limits>"), "2.4")
    assert errors and "<clients>: '100abc' is invalid" in errors[0]
    errors = xsd.validate(config("<limits><clients></clients></limits>"), "2.4")
    assert errors and "<clients>: an empty value is invalid" in errors[0]


def test_2_4_booleans_are_digits_and_2_5_takes_words() -> None:
    for text in ("1", "0", " 1 "):
        assert valid(config(f"<fileserve>{text}</fileserve>"), "2.4"), text
    for text in ("true", "yes", "on", "2"):
        errors = xsd.validate(config(f"<fileserve>{text}</fileserve>"), "2.4")
        assert errors and "<fileserve>" in errors[0] and "0 or 1" in errors[0], text
    for text in ("true", "False", "yes", "no", "on", "OFF", "1", "0"):
        assert valid(config(f"<fileserve>{text}</fileserve>"), "2.5"), text
    assert not valid(config("<fileserve>maybe</fileserve>"), "2.5")
    assert valid(config("<fileserve>yes</fileserve>"), "kh")
    assert not valid(config("<fileserve>on</fileserve>"), "kh")


def test_2_5_ranges_are_bounds() -> None:
    assert valid(config("<limits><clients>0</clients></limits>"), "2.4")
    errors = xsd.validate(config("<limits><clients>0</clients></limits>"), "2.5")
    assert errors and "greater or equal than 1" in errors[0]
    assert valid(config("<limits><clients>32768</clients></limits>"), "2.5")
    assert not valid(config("<limits><clients>32769</clients></limits>"), "2.5")


def test_enumerations_and_required_attributes() -> None:
    errors = xsd.validate(config('<mount type="Default"><mount-name>/a</mount-name></mount>'), "2.4")
    assert errors and "attribute type of <mount>: 'Default' is invalid" in errors[0]
    assert valid(config('<mount type="default"><public>0</public></mount>'), "2.4")
    headerless = config('<http-headers><header name="X-A"/></http-headers>')
    assert "missing required attribute 'value'" in xsd.validate(headerless, "2.4")[0]
    assert valid(headerless, "2.5")  # 2.5 computes CORS values; value is optional there
    cors = config('<http-headers><header type="cors" name="Access-Control-Allow-Origin"/></http-headers>')
    assert not valid(cors, "2.4")
    assert valid(cors, "2.5")


def test_2_5_tls_rejects_the_words_that_mean_auto() -> None:
    for text in ("disabled", "auto", "AUTO_NO_PLAIN", "rfc2818", "1", "true"):
        assert valid(config(f"<listen-socket><tls>{text}</tls></listen-socket>"), "2.5"), text
    errors = xsd.validate(config("<listen-socket><tls>0</tls></listen-socket>"), "2.5")
    assert errors and "write `disabled`" in errors[0]


def test_bind_addresses_must_be_numeric() -> None:
    for address in ("127.0.0.1", "0.0.0.0", "::1", "fe80::1%eth0"):
        assert valid(config(f"<listen-socket><bind-address>{address}</bind-address></listen-socket>"), "2.4")
    errors = xsd.validate(config("<listen-socket><bind-address>localhost</bind-address></listen-socket>"), "2.4")
    assert errors and "numeric" in errors[0]


def test_attribute_only_elements_take_whitespace_but_no_children() -> None:
    assert valid(config('<paths><alias source="/a" destination="/b">\n  </alias></paths>'), "2.4")
    errors = xsd.validate(config('<paths><alias source="/a" destination="/b"><x/></alias></paths>'), "2.4")
    assert errors and "<alias> takes no child elements" in errors[0]


def test_stray_text_in_a_section_fails() -> None:
    assert not valid(config("<limits>clients 5</limits>"), "2.4")


# Input handling -------------------------------------------------------------------


def test_entity_declarations_are_refused() -> None:
    data = (
        b'<?xml version="1.0"?>\n<!DOCTYPE icecast [<!ENTITY p "hackme">]>\n<icecast><location>&p;</location></icecast>'
    )
    errors = xsd.validate(data, "2.4")
    assert len(errors) == 1 and "entity declarations are refused" in errors[0]


@pytest.mark.parametrize(
    "data",
    [
        b'<?xml version="1.0"?>\n\n\n\n<!DOCTYPE icecast [<!ENTITY x "y">]>\n<icecast><location>&x;</location></icecast>\n',
        b"<icecast>\n<limits>\n" + b"<a>" * 70 + b"</a>" * 70 + b"\n</limits>\n</icecast>\n",
        b'<!DOCTYPE icecast SYSTEM "x.dtd">\n<icecast>\n<listen-socket port="&p;"/>\n</icecast>\n',
    ],
    ids=["entity-declaration", "too-deep", "undefined-entity"],
)
def test_a_file_icecfg_refuses_to_read_is_one_error_at_the_line_lint_names(tmp_path: Path, data: bytes) -> None:
    """schema --validate said 'line 1' for an entity declaration on line 5, where lint said 5:31."""
    import icecfg
    from icecfg.errors import ParseError

    with pytest.raises(ParseError) as refused:
        icecfg.loads(data)
    assert xsd.validate(data, "2.4") == [f"line {refused.value.line}: {refused.value.message}"]
    path = tmp_path / "d.xml"
    path.write_bytes(data)
    result = subprocess.run(
        [sys.executable, "-m", "icecfg", "schema", "--validate", str(path)],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    linted = subprocess.run(
        [sys.executable, "-m", "icecfg", "lint", "--isolated", "--format", "json", str(path)],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    (finding,) = [f for f in json.loads(linted.stdout) if f["code"] == "ICE001"]
    assert result.returncode == 1
    assert result.stdout == f"{path}: line {finding['line']}: {refused.value.message}\n"


def test_not_well_formed_is_one_error_with_its_line() -> None:
    errors = xsd.validate(b"<icecast>\n<limits>\n</icecast>\n", "2.4")
    assert len(errors) == 1
    assert errors[0].startswith("line 3: not well-formed XML")


def test_xmlschema_is_not_imported_by_linting_or_by_building_a_schema() -> None:
    code = (
        "import sys, icecfg, icecfg.xsd, icecfg.lint.report, icecfg.lint.command\n"
        "from icecfg.lint import lint\n"
        "lint(icecfg.loads(b'<icecast><limits><client>1</client></limits></icecast>'), '2.4', files=False)\n"
        "icecfg.xsd.schema('2.5')\n"
        "heavy = sorted(m for m in ('xmlschema', 'jsonschema', 'lxml') if m in sys.modules)\n"
        "assert not heavy, heavy\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False, cwd=ROOT)
    assert result.returncode == 0, result.stderr


def test_libxml2_accepts_the_schemas_and_agrees() -> None:
    """xmllint (and so vim's ALE) validates with libxml2; it must read the schemas the same way."""
    documents = [
        *SAMPLES.values(),
        config("<fileserve>true</fileserve>"),
        config("<limits><clients> 5 </clients><bodysize>5000</bodysize></limits>"),
        config("<listen-socket><bind-address>::1</bind-address><tls>Auto</tls></listen-socket>"),
        config('<listen-socket port="8000"/><mount type="default"><public>client</public></mount>'),
    ]
    for dialect in Dialect:
        libxml2 = etree.XMLSchema(etree.fromstring(xsd.schema(dialect).encode()))
        for data in documents:
            expected = xsd.validate(data, dialect) == []
            assert libxml2.validate(etree.fromstring(data)) is expected, (dialect, data[:80])


def test_schema_path_falls_back_to_a_cache_outside_a_checkout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(xsd, "schema", lambda dialect: f"<!-- another {dialect} schema -->\n")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    path = xsd.schema_path("kh")
    assert path.is_relative_to(tmp_path) and path.name == "icecast-kh.xsd"
    assert path.read_text(encoding="utf-8") == "<!-- another kh schema -->\n"
    assert xsd.schema_path("kh") == path  # reused, not rewritten


def test_schema_command_prints_the_path_or_the_content() -> None:
    def run(*args: str) -> str:
        result = subprocess.run(
            [sys.executable, "-m", "icecfg.cli", "schema", *args], capture_output=True, text=True, check=True
        )
        return result.stdout

    path = Path(run("--target", "2.5").strip())
    assert path.read_text(encoding="utf-8") == xsd.schema("2.5")
    assert run("--target", "kh", "--print") == xsd.schema("kh")


def test_xsi_schema_location_on_the_root_is_accepted(tmp_path: Path) -> None:
    """docs/editors.md tells JetBrains users to add it: the schema and icecfg lint must accept it."""
    import icecfg
    from icecfg.lint import lint

    data = (
        b'<icecast xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
        b' xsi:noNamespaceSchemaLocation="icecast-2.4.xsd">\n'
        b"  <hostname>radio.example.org</hostname>\n</icecast>\n"
    )
    assert xsd.validate(data, "2.4") == []
    findings = lint(icecfg.loads(data), "2.4", files=False, select=["ICE1"])
    assert findings == []
