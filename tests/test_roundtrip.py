"""load -> dump gives back the same bytes, whatever the file looks like."""

from __future__ import annotations

import difflib

import pytest

import icecfg
from tests.samples import samples

SAMPLES = samples()


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_debian_samples_round_trip_byte_for_byte(name: str) -> None:
    data = SAMPLES[name]
    cfg = icecfg.loads(data)
    assert icecfg.dumps(cfg) == data
    # reading every field must not disturb anything either
    cfg.to_dict()
    assert icecfg.dumps(cfg) == data


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_debian_samples_one_edit_changes_one_line(name: str) -> None:
    data = SAMPLES[name]
    cfg = icecfg.loads(data)
    cfg.limits.clients = 4242
    after = icecfg.dumps(cfg).decode()
    removed, added = _changed_lines(data.decode(), after)
    assert added == ["        <clients>4242</clients>"]
    if b"<clients>" in data:
        assert len(removed) == 1
        assert "<clients>" in removed[0]
    else:  # a new line inside <limits>, nothing else touched
        assert removed == []
        assert "<limits>\n        <clients>4242</clients>\n" in after


def _changed_lines(before: str, after: str) -> tuple[list[str], list[str]]:
    diff = list(difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0))
    removed = [line[1:] for line in diff if line.startswith("-") and not line.startswith("---")]
    added = [line[1:] for line in diff if line.startswith("+") and not line.startswith("+++")]
    return removed, added


# One file per point of the round-trip promise: each must come back byte for
# byte, and an edit of one value must leave every other byte in place.
TRICKY: dict[str, bytes] = {
    "declaration-double-quotes": b'<?xml version="1.0" encoding="UTF-8"?>\n<icecast>\n  <hostname>a</hostname>\n</icecast>\n',
    "declaration-single-quotes-standalone": (
        b"<?xml version='1.0' encoding='utf-8' standalone='yes' ?>\n<icecast><hostname>a</hostname></icecast>\n"
    ),
    "utf8-non-ascii": "<icecast>\n <location>Zürich – 東京</location>\n <hostname>a</hostname>\n</icecast>\n".encode(),
    "latin1": '<?xml version="1.0" encoding="ISO-8859-1"?>\n<icecast><location>Köln</location><hostname>a</hostname></icecast>\n'.encode(
        "latin-1"
    ),
    "utf8-bom": b"\xef\xbb\xbf<icecast>\n  <hostname>a</hostname>\n</icecast>\n",
    "crlf": b"<icecast>\r\n    <limits>\r\n        <clients>1</clients>\r\n    </limits>\r\n    <hostname>a</hostname>\r\n</icecast>\r\n",
    "mixed-line-endings": b"<icecast>\r\n  <limits>\n    <clients>1</clients>\r    </limits>\n  <hostname>a</hostname>\r\n</icecast>",
    "comments-and-pis-everywhere": (
        b"<!-- before -->\n<?pi before?>\n<icecast><!-- in root -->\n"
        b"  <limits><!--a--><clients><!-- in value -->5</clients><?pi in limits?></limits>\n"
        b"  <hostname>a</hostname>\n</icecast>\n<!-- after -->\n<?pi after?>\n"
    ),
    "doctype": b'<?xml version="1.0"?>\n<!DOCTYPE icecast SYSTEM "icecast.dtd">\n<icecast><hostname>a</hostname></icecast>\n',
    "doctype-internal-subset": b"<!DOCTYPE icecast [\n  <!ELEMENT icecast ANY>\n  <!-- ] -->\n]>\n<icecast><hostname>a</hostname></icecast>\n",
    "cdata": b"<icecast>\n  <location><![CDATA[<Earth> & more]]></location>\n  <hostname>a</hostname>\n</icecast>\n",
    "character-and-entity-references": (
        b"<icecast>\n  <location>&lt;&#65;&#x42;&amp;&quot;&apos;&gt;</location>\n"
        b'  <paths><alias source="/&amp;" destination="/&#x41;&lt;"/></paths>\n  <hostname>a</hostname>\n</icecast>\n'
    ),
    "single-and-double-quoted-attributes": (
        b"<icecast>\n  <paths>\n    <alias source='/a' destination=\"/b\"/>\n"
        b"    <alias source=\"/c\" destination='/d'/>\n  </paths>\n  <hostname>a</hostname>\n</icecast>\n"
    ),
    "spaces-inside-tags": (
        b'<icecast >\n  <paths >\n    <alias   source = "/a"\n           destination="/b" />\n  </paths\n>\n'
        b"  <hostname >a</hostname >\n</icecast\t>\n"
    ),
    "empty-element-forms": (
        b"<icecast>\n  <limits/>\n  <logging />\n  <security></security>\n  <hostname>a</hostname>\n</icecast>\n"
    ),
    "no-final-newline": b"<icecast>\n  <hostname>a</hostname>\n</icecast>",
    "tabs": b"<icecast>\n\t<limits>\n\t\t<clients>1</clients>\n\t</limits>\n\t<hostname>a</hostname>\n</icecast>\n",
    "one-line": b"<icecast><limits><clients>1</clients></limits><hostname>a</hostname></icecast>",
    "namespace-on-root": b'<icecast xmlns="urn:x"><hostname>a</hostname></icecast>\n',
    "whitespace-in-values": b"<icecast>\n  <admin>\n    ops@example.org\n  </admin>\n  <hostname>a</hostname>\n</icecast>\n",
}


@pytest.mark.parametrize("name", sorted(TRICKY))
def test_tricky_files_round_trip(name: str) -> None:
    data = TRICKY[name]
    assert icecfg.dumps(icecfg.loads(data)) == data


@pytest.mark.parametrize("name", sorted(TRICKY))
def test_tricky_files_keep_every_other_byte_when_one_value_changes(name: str) -> None:
    data = TRICKY[name]
    cfg = icecfg.loads(data)
    cfg.hostname = "b"
    out = icecfg.dumps(cfg)
    # the one value changes, everything else (BOM, declaration, line endings, ...) is kept
    original = cfg.document.encoding
    assert out == data.replace(b"<hostname>a</hostname>", b"<hostname>b</hostname>").replace(
        b"<hostname >a</hostname >", b"<hostname >b</hostname >"
    ), (name, original)
    assert icecfg.loads(out).hostname == "b"


def test_str_input_round_trips_to_utf8_bytes() -> None:
    text = "<icecast>\n  <location>Zürich</location>\n</icecast>\n"
    assert icecfg.dumps(icecfg.loads(text)) == text.encode()


def test_values_are_read_as_libxml2_reads_them() -> None:
    cfg = icecfg.loads(TRICKY["character-and-entity-references"])
    assert cfg.location == "<AB&\"'>"
    assert cfg.paths.aliases[0].source == "/&"
    assert cfg.paths.aliases[0].destination == "/A<"
    assert icecfg.loads(TRICKY["cdata"]).location == "<Earth> & more"
    assert icecfg.loads(TRICKY["comments-and-pis-everywhere"]).limits.clients == 5
    # never trimmed, like Icecast
    assert icecfg.loads(TRICKY["whitespace-in-values"]).admin == "\n    ops@example.org\n  "
    assert icecfg.loads(TRICKY["latin1"]).location == "Köln"
    assert icecfg.loads(TRICKY["utf8-non-ascii"]).location == "Zürich – 東京"


def test_edit_in_latin1_file_writes_latin1_and_references_what_latin1_cannot_hold() -> None:
    cfg = icecfg.loads(TRICKY["latin1"])
    cfg.location = "Düsseldorf ☃"
    out = icecfg.dumps(cfg)
    assert "<location>Düsseldorf &#9731;</location>".encode("latin-1") in out
    assert icecfg.loads(out).location == "Düsseldorf ☃"


def test_crlf_file_gets_crlf_in_new_lines() -> None:
    cfg = icecfg.loads(TRICKY["crlf"])
    cfg.limits.sources = 3
    out = icecfg.dumps(cfg)
    assert b"        <clients>1</clients>\r\n        <sources>3</sources>\r\n    </limits>" in out
    assert b"\n" not in out.replace(b"\r\n", b"")


def test_one_line_file_stays_one_line() -> None:
    cfg = icecfg.loads(TRICKY["one-line"])
    cfg.limits.sources = 3
    assert icecfg.dumps(cfg) == (
        b"<icecast><limits><clients>1</clients><sources>3</sources></limits><hostname>a</hostname></icecast>"
    )


def test_tabs_are_copied_for_new_elements() -> None:
    cfg = icecfg.loads(TRICKY["tabs"])
    cfg.limits.sources = 3
    assert b"\t\t<clients>1</clients>\n\t\t<sources>3</sources>\n\t</limits>" in icecfg.dumps(cfg)


def test_empty_element_forms_open_up_when_they_get_content() -> None:
    cfg = icecfg.loads(TRICKY["empty-element-forms"])
    cfg.limits.clients = 10
    cfg.logging.loglevel = 2
    cfg.security.chroot = False
    out = icecfg.dumps(cfg).decode()
    assert "<limits>\n    <clients>10</clients>\n  </limits>" in out
    assert "<logging>\n    <loglevel>2</loglevel>\n  </logging>" in out
    assert "<security>\n    <chroot>0</chroot>\n  </security>" in out
    assert icecfg.loads(out).limits.clients == 10


def test_attribute_edit_keeps_quotes_and_spacing() -> None:
    cfg = icecfg.loads(TRICKY["spaces-inside-tags"])
    cfg.paths.aliases[0].destination = "/x'y\""
    out = icecfg.dumps(cfg).decode()
    assert '<alias   source = "/a"\n           destination="/x\'y&quot;" />' in out
    cfg = icecfg.loads(TRICKY["single-and-double-quoted-attributes"])
    cfg.paths.aliases[0].destination = "/it's"
    assert "<alias source='/a' destination=\"/it's\"/>" in icecfg.dumps(cfg).decode()
    cfg.paths.aliases[0].source = "/it's"
    assert "source='/it&apos;s'" in icecfg.dumps(cfg).decode()
    assert icecfg.loads(icecfg.dumps(cfg)).paths.aliases[0].source == "/it's"
