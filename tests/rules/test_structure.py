"""Structure rules: unknown, misplaced, miscased, repeated elements and attributes."""

from __future__ import annotations

from pathlib import Path

import pytest

import icecfg
from icecfg.lint import lint
from tests.rules.cases import Case, check_case, run
from tests.rules.cases import icecast as _x

CASES = [
    # ICE101 unknown-element
    Case(
        # 2.5 logs text between a section's elements as an unknown tag ".../text"; a template's
        # placeholder there stands for elements (ICE003)
        "ICE101",
        _x("<paths>\n  <logdir>/var/log/icecast</logdir>\n  TLS paths\n</paths>"),
        _x("<paths>\n  <logdir>/var/log/icecast</logdir>\n  {TLS_PATHS}\n</paths>"),
        target="2.5",
        id="2.5-text",
        message="text 'TLS paths' directly in <paths>: Icecast 2.5 logs it as an unknown tag",
    ),
    Case(
        "ICE101",
        b"<icecast><mount><mount-name>/a</mount-name><max-listener>5</max-listener></mount></icecast>",
        b"<icecast><mount><mount-name>/a</mount-name><max-listeners>5</max-listeners></mount></icecast>",
        message="did you mean <max-listeners>?",
    ),
    Case(
        "ICE101",
        _x("<limits><client>100</client></limits>"),
        _x("<limits><clients>100</clients></limits>"),
        target="2.5",
        message="<client> is not an element of <limits>; did you mean <clients>?",
    ),
    Case(
        # an element the table knows for 2.5 is a dialect finding on 2.4, not an unknown one
        "ICE101",
        _x("<listen-socket><port>8000</port><listen-backlg>5</listen-backlg></listen-socket>"),
        _x("<listen-socket><port>8000</port><listen-backlog>5</listen-backlog></listen-socket>"),
        id="dialect-is-not-unknown",
    ),
    Case(
        "ICE101",
        _x("<paths><x-forwarded-fro>10.*</x-forwarded-fro></paths>"),
        _x("<paths><x-forwarded-for>10.*</x-forwarded-for></paths>"),
        target="kh",
        message="did you mean <x-forwarded-for>?",
    ),
    # ICE102 misplaced-element
    Case(
        "ICE102",
        _x("<fallback-mount>/b.ogg</fallback-mount><mount><mount-name>/a</mount-name></mount>"),
        _x("<mount><mount-name>/a</mount-name><fallback-mount>/b.ogg</fallback-mount></mount>"),
        message="<fallback-mount> does not belong in <icecast>: Icecast ignores it there; it belongs in <mount>",
    ),
    Case(
        "ICE102",
        _x(
            '<mount><mount-name>/a</mount-name><authentication type="url"><admin-user>x</admin-user>'
            "</authentication></mount>"
        ),
        _x(
            '<mount><mount-name>/a</mount-name><authentication type="url">'
            '<option name="listener_add" value="http://auth/"/></authentication></mount>'
        ),
        target="2.5",
        message="belongs in <authentication> in <icecast>",
    ),
    Case(
        "ICE102",
        _x("<limits><x-forwarded-for>10.*</x-forwarded-for></limits>"),
        _x("<paths><x-forwarded-for>10.*</x-forwarded-for></paths>"),
        target="kh",
        message="it belongs in <paths>",
    ),
    Case(
        "ICE102",
        _x("<limits><x-forwarded-for>10.*</x-forwarded-for></limits>"),
        _x("<limits><clients>10</clients></limits>"),
        id="other-dialect-home",
        message="it belongs in <paths> (Icecast-KH only)",
    ),
    # ICE103 wrong-case-element
    Case(
        "ICE103",
        _x("<Hostname>radio.example.org</Hostname>"),
        _x("<hostname>radio.example.org</hostname>"),
        message="<Hostname> is not <hostname>",
    ),
    Case(
        "ICE103",
        _x("<limits><CLIENTS>10</CLIENTS></limits>"),
        _x("<limits><clients>10</clients></limits>"),
        target="kh",
        message="write <clients>",
    ),
    Case(
        "ICE103",
        _x("<Location>Berlin</Location>"),
        _x("<location>Berlin</location>"),
        target="2.5",
        message="<Location> is not <location>",
    ),
    # ICE104 repeated-element
    Case(
        "ICE104",
        _x("<limits><clients>500</clients><sources>4</sources><clients>100</clients></limits>"),
        _x("<limits><clients>500</clients><sources>4</sources></limits>"),
        message="<clients> is set 2 times in <limits>: Icecast uses the last one (line 1)",
    ),
    Case(
        # repeated <limits> blocks merge: the second <clients> overrides the first
        "ICE104",
        _x("<limits><clients>500</clients></limits><limits><clients>100</clients></limits>"),
        _x("<limits><clients>500</clients></limits><limits><sources>4</sources></limits>"),
        target="2.5",
        id="merged-blocks",
    ),
    Case(
        # KH reads <limit-rate> as a bitrate: a later "x" does not parse, the 64k before it stays
        "ICE104",
        _x("<mount><mount-name>/a</mount-name><limit-rate>64k</limit-rate>\n<limit-rate>x</limit-rate></mount>"),
        _x("<mount><mount-name>/a</mount-name><limit-rate>64k</limit-rate></mount>"),
        target="kh",
        message="Icecast-KH warns that it was set before and uses the one on line 1; line 2 is ignored",
        id="kh-unreadable-bitrate",
    ),
    Case(
        # listen sockets accumulate: one <port> each is not a repeat
        "ICE104",
        _x("<listen-socket><port>8000</port><port>8001</port></listen-socket>"),
        _x("<listen-socket><port>8000</port></listen-socket><listen-socket><port>8001</port></listen-socket>"),
        target="kh",
    ),
    Case(
        # 2.5.0 loads every <reportxmldb> into one report database: a second one is no repeat
        "ICE104",
        _x("<paths><logdir>/var/log/a</logdir><logdir>/var/log/b</logdir></paths>"),
        _x("<paths><reportxmldb>/etc/icecast/a.xml</reportxmldb><reportxmldb>/etc/icecast/b.xml</reportxmldb></paths>"),
        target="2.5",
        id="report-databases-each-loaded",
    ),
    # ICE105 duplicate-mount
    Case(
        "ICE105",
        _x(
            "<mount><mount-name>/live</mount-name><max-listeners>7</max-listeners></mount>"
            "<mount><mount-name>/live</mount-name><max-listeners>9</max-listeners></mount>"
        ),
        _x(
            "<mount><mount-name>/live</mount-name><max-listeners>7</max-listeners></mount>"
            "<mount><mount-name>/live2</mount-name><max-listeners>9</max-listeners></mount>"
        ),
        message="repeats the one on line 1: Icecast uses the first matching <mount> and ignores this one",
    ),
    Case(
        "ICE105",
        _x('<mount type="default"><hidden>1</hidden></mount><mount type="default"><public>0</public></mount>'),
        _x('<mount type="default"><hidden>1</hidden></mount><mount><mount-name>/a</mount-name></mount>'),
        target="2.5",
        message='this type="default" <mount> with no <mount-name>',
    ),
    Case(
        "ICE105",
        _x("<mount><mount-name>/*</mount-name></mount><mount><mount-name>/*</mount-name></mount>"),
        _x("<mount><mount-name>/*</mount-name></mount><mount><mount-name>/a*</mount-name></mount>"),
        target="kh",
    ),
    # ICE106 unknown-attribute
    Case(
        "ICE106",
        _x('<mount Type="default"><max-listeners>100</max-listeners></mount>'),
        _x('<mount type="default"><max-listeners>100</max-listeners></mount>'),
        message="Type= is not an attribute of <mount>: Icecast ignores it; attribute names are case-sensitive",
    ),
    Case(
        # KH reads scalar children as attributes: port= is fine there, prot= is not
        "ICE106",
        _x('<listen-socket prot="8000"/>'),
        _x('<listen-socket port="8000" bind-address="127.0.0.1"/>'),
        target="kh",
        message="did you mean port=?",
    ),
    Case(
        # on 2.4 port= is KH syntax (ICE302), not an unknown attribute
        "ICE106",
        _x('<listen-socket prot="8000"><port>8000</port></listen-socket>'),
        _x('<listen-socket port="8000"><port>8000</port></listen-socket>'),
        id="kh-attribute-on-2.4",
    ),
    Case(
        "ICE106",
        _x('<listen-socket ID="a"><port>8000</port></listen-socket>'),
        _x('<listen-socket id="a" xmlns:x="urn:x" x:note="n"><port>8000</port></listen-socket>'),
        target="2.5",
        message="write id=",
    ),
    # ICE107 missing-attribute
    Case(
        "ICE107",
        _x('<http-headers><header name="Access-Control-Allow-Origin"/><header name="X" value="1"/></http-headers>'),
        _x(
            '<http-headers><header name="Access-Control-Allow-Origin" value="*"/><header name="X" value="1"/>'
            "</http-headers>"
        ),
        message="<header> has no value= attribute: Icecast 2.4.4 drops this header and every later one",
    ),
    Case(
        # 2.5 computes CORS values: value= is optional there, name= is not
        "ICE107",
        _x('<http-headers><header type="cors" value="*"/></http-headers>'),
        _x('<http-headers><header type="cors" name="Access-Control-Allow-Origin"/></http-headers>'),
        target="2.5",
        message="<header> has no name= attribute",
    ),
    Case(
        "ICE107",
        _x('<paths><alias source="/"/></paths>'),
        _x('<paths><alias source="/" dest="/status.xsl"/></paths>'),
        target="kh",
        message="<alias> has no destination= attribute: Icecast drops the alias silently",
    ),
    Case(
        "ICE107",
        _x('<yp-directory><option name="timeout" value="15"/></yp-directory>'),
        _x('<yp-directory url="http://dir.xiph.org/cgi-bin/yp-cgi"><option name="timeout" value="15"/></yp-directory>'),
        target="2.5",
        id="yp-directory",
        message="has no url= attribute",
    ),
    # ICE108 invalid-attribute-value
    Case(
        "ICE108",
        _x('<mount type="Default"><max-listeners>3</max-listeners></mount>'),
        _x('<mount type="default"><max-listeners>3</max-listeners></mount>'),
        message="Icecast warns 'Unknown mountpoint type' and drops the whole mount",
    ),
    Case(
        "ICE108",
        _x('<http-headers><header type="cors" name="A" value="*"/><header name="X" value="1"/></http-headers>'),
        _x('<http-headers><header type="static" name="A" value="*"/><header name="X" value="1"/></http-headers>'),
        id="header-type",
        message="drops this header and every later one",
    ),
    Case(
        # listen-socket type is compared case-insensitively by 2.5
        "ICE108",
        _x('<listen-socket type="virt"><port>8000</port></listen-socket>'),
        _x('<listen-socket type="Virtual"><port>8000</port></listen-socket>'),
        target="2.5",
        message="uses normal",
    ),
    Case(
        "ICE108",
        _x('<paths><alias source="/a" destination="/b" port="eighty"/></paths>'),
        _x('<paths><alias source="/a" destination="/b" port="80"/></paths>'),
        target="kh",
        message="is not a whole number",
    ),
    # ICE109 mount-without-name
    Case(
        "ICE109",
        _x("<mount><max-listeners>3</max-listeners></mount>"),
        _x('<mount type="default"><max-listeners>3</max-listeners></mount>'),
        message="<mount> has no <mount-name>: Icecast 2.4.4 drops the whole block silently",
    ),
    Case(
        "ICE109",
        _x('<mount type="normal"><mount-name/><max-listeners>3</max-listeners></mount>'),
        _x('<mount type="normal"><mount-name>/live</mount-name><max-listeners>3</max-listeners></mount>'),
        target="2.5",
        message="an empty <mount-name>",
    ),
    Case(
        "ICE109",
        _x("<mount><max-listeners>3</max-listeners></mount>"),
        _x('<mount mount-name="/live"><max-listeners>3</max-listeners></mount>'),
        target="kh",
        message='wildcard <mount-name> such as "/*"',
    ),
    # ICE110 default-mount-with-name
    Case(
        "ICE110",
        _x('<mount type="default"><mount-name>/live</mount-name><max-listeners>3</max-listeners></mount>'),
        _x(
            '<mount type="default"><max-listeners>3</max-listeners></mount>'
            "<mount><mount-name>/live</mount-name></mount>"
        ),
        message="uses it as a pattern",
    ),
    Case(
        "ICE110",
        _x('<mount type="default"><mount-name>/live</mount-name><max-listeners>3</max-listeners></mount>'),
        _x(
            '<mount type="default"><max-listeners>3</max-listeners></mount>'
            "<mount><mount-name>/live</mount-name></mount>"
        ),
        target="2.5",
        message="Icecast 2.5 warns that this is not supported",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.test_id)
def test_rule(case: Case, tmp_path: Path) -> None:
    check_case(case, tmp_path)


def _fixed(data: bytes, code: str, target: str = "2.4") -> bytes:
    cfg = icecfg.loads(data, path="icecast.xml")
    findings = [f for f in lint(cfg, target=target, files=False) if f.code == code]
    assert findings, code
    for finding in findings:
        assert finding.fix is not None, finding.message
        finding.fix()
    return icecfg.dumps(cfg)


def test_wrong_case_fix_renames_in_place() -> None:
    data = b'<icecast>\n  <Hostname a="1">radio<!-- x -->.example.org</Hostname>\n  <location>x</location>\n</icecast>'
    out = _fixed(data, "ICE103")
    assert out == (
        b'<icecast>\n  <hostname a="1">radio<!-- x -->.example.org</hostname>\n  <location>x</location>\n</icecast>'
    )
    assert not [f for f in run(out) if f.code in ("ICE101", "ICE103")]


def test_unknown_and_dialect_findings_do_not_overlap() -> None:
    data = _x("<listen-socket><port>8000</port><listen-backlog>5</listen-backlog></listen-socket>")
    codes = [f.code for f in run(data, "2.4")]
    assert "ICE301" in codes
    assert not [c for c in codes if c.startswith("ICE1")]


def test_nothing_inside_a_foreign_element_is_reported_again() -> None:
    # on 2.4 the whole <tls-context> is ignored: one finding, not one per child
    data = _x("<security><tls-context><tls-certificate> /x.pem</tls-certificate><tls-key/></tls-context></security>")
    findings = run(data, "2.4")
    assert [f.code for f in findings if f.code.startswith(("ICE1", "ICE2", "ICE3"))] == ["ICE303"]


def test_repeated_element_points_at_every_overridden_occurrence() -> None:
    data = b"<icecast>\n<location>a</location>\n<location>b</location>\n<location>c</location>\n</icecast>"
    findings = [f for f in run(data, "kh") if f.code == "ICE104"]
    # KH warns at every occurrence after the first, and keeps the last one
    assert [f.line for f in findings] == [3, 4]
    assert "uses the one on line 4" in findings[0].message
    assert "uses this one;" in findings[1].message
    assert all("line 2, 3 are ignored" in f.message for f in findings)
    findings = [f for f in run(data, "2.4") if f.code == "ICE104"]
    assert [f.line for f in findings] == [2, 3]
    assert all("line 4" in f.message for f in findings)


@pytest.mark.parametrize(
    "unreadable",
    ["<clients><!-- later --></clients>", "<clients>many</clients>", "<clients/>", "<clients><![CDATA[9]]></clients>"],
)
def test_repeated_element_on_kh_names_the_occurrence_kh_keeps(unreadable: str) -> None:
    """KH keeps an earlier value when it reads none from the last element: that one is not dead."""
    data = f"<icecast>\n<limits>\n<clients>5</clients>\n{unreadable}\n</limits>\n</icecast>".encode()
    findings = [f for f in run(data, "kh") if f.code == "ICE104"]
    assert [f.line for f in findings] == [4]
    assert "uses the one on line 3; line 4 is ignored" in findings[0].message
    on_24 = [f for f in run(data, "2.4") if f.code == "ICE104"]
    assert [f.line for f in on_24] == [3] and "uses the last one (line 4)" in on_24[0].message


def test_kh_mount_rules_use_the_name_kh_reads() -> None:
    """KH keeps a name past a <mount-name> it reads none from (tests/test_oracle_explain.py, /name.ogg)."""
    data = _x(
        "<mount><mount-name>/a</mount-name><mount-name/></mount>"
        "<mount><mount-name>/b</mount-name><mount-name><!-- c -->/a</mount-name></mount>"
    )
    codes = [f.code for f in run(data, "kh") if f.code in ("ICE105", "ICE109")]
    assert codes == []  # two mounts, /a and /b
    assert [f.code for f in run(data, "2.4") if f.code in ("ICE105", "ICE109")] == ["ICE109"]


def test_missing_attribute_leaves_mount_authentication_to_the_security_family() -> None:
    data = _x(
        '<mount><mount-name>/a</mount-name><authentication><option name="filename" value="/p"/>'
        "</authentication></mount>"
    )
    codes = [f.code for f in run(data, "2.4")]
    assert "ICE504" in codes
    assert "ICE107" not in codes and "ICE108" not in codes


def test_unknown_inside_a_foreign_element_is_left_to_the_dialect_finding() -> None:
    data = _x('<yp-directory url="http://dir.example/cgi"><opton name="timeout" value="5"/></yp-directory>')
    assert [f.code for f in run(data, "2.4") if f.code.startswith(("ICE1", "ICE3"))] == ["ICE301"]
    assert [f.code for f in run(data, "2.5") if f.code.startswith(("ICE1", "ICE3"))] == ["ICE101"]


@pytest.mark.parametrize("target", ["2.4", "2.5", "kh"])
def test_text_in_a_section_is_an_unknown_tag_on_25_only(target: str) -> None:
    data = (
        b"<icecast>\n<limits>\n  <clients>5</clients>\n\tEXTRA LIMITS &amp; more\n</limits>\n  <!-- x -->  \n</icecast>"
    )
    findings = [f for f in run(data, target) if f.code == "ICE101"]
    if target != "2.5":
        assert findings == []  # skipped silently there
        return
    ((finding),) = findings
    assert (finding.line, finding.column) == (4, 2)
    assert "'EXTRA LIMITS & more' directly in <limits>" in finding.message


def test_every_block_with_a_bad_attribute_value_is_reported_among_many_good_ones() -> None:
    # ICE108 judges a block's start tag once when it passes; a tag that fails is judged each time,
    # and what it remembers is bounded (more distinct tags than it keeps, then the good ones again)
    good = "".join(f'<mount type="normal" id="m{i}"><mount-name>/m{i}</mount-name></mount>' for i in range(5000))
    again = '<mount type="normal"><mount-name>/x</mount-name></mount>' * 3
    bad = '<mount type="Default"><max-listeners>3</max-listeners></mount>'
    data = _x(bad + good + bad + again + bad)
    found = [f for f in run(data, "2.4") if f.code == "ICE108"]
    assert len(found) == 3
    assert len({f.line for f in found}) == 1 and len({f.column for f in found}) == 3
