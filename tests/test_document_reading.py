"""The document reads an element's content when it is first asked for.

These tests pin down what that must never change: every element has exactly
the content an XML parser sees, however its end tag is hidden among comments,
CDATA sections, processing instructions, longer names and nested elements of
the same name; and an element's parts (start tag, content, end tag) add up to
its text, so an edit anywhere re-renders it faithfully.
"""

from __future__ import annotations

import gc
from typing import Any
from xml.parsers import expat

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import icecfg
from icecfg.document import CData, Comment, Element, ProcessingInstruction, decode_text, parse
from icecfg.errors import ParseError
from tests.bounds import MAX_GROWTH, doubling_growth

# names that are prefixes of each other, so that "</a" also starts "</ab>"
NAMES = st.sampled_from(["a", "ab", "b", "x:a"])
# what may hide an end tag: text that looks like tags inside comments, CDATA and PIs
DECOYS = st.sampled_from(["", "</a>", "<a>", "</ab >", "<a/>", "</a", "> -x", "x", "?", "]"])


@st.composite
def comments(draw: st.DrawFn) -> str:
    return f"<!--{draw(DECOYS)} {draw(DECOYS)}-->"


@st.composite
def cdata(draw: st.DrawFn) -> str:
    return f"<![CDATA[{draw(DECOYS)}] {draw(DECOYS)}]]>"


@st.composite
def pis(draw: st.DrawFn) -> str:
    return f"<?pi {draw(DECOYS)}? {draw(DECOYS)}?>"


TEXT = st.sampled_from(["", " ", "\n  ", "v", "a &amp; b", "&lt;/a&gt;", "&#60;/a>", "\r\n", "x/y"])


@st.composite
def elements(draw: st.DrawFn, depth: int = 0) -> str:
    name = draw(NAMES)
    attrs = "".join(
        draw(st.lists(st.sampled_from([' k="/>"', " k='/a>'", ' k="v"', '\n  k = "a/b"']), max_size=1, unique=True))
    )
    space = draw(st.sampled_from(["", " ", "\n"]))
    if draw(st.booleans()) and depth > 0:
        return f"<{name}{attrs}{space}/>"
    parts = st.one_of(TEXT, comments(), cdata(), pis())
    if depth < 4:
        parts = st.one_of(parts, elements(depth + 1))
    content = "".join(draw(st.lists(parts, max_size=5)))
    end_space = draw(st.sampled_from(["", " ", "\n"]))
    return f"<{name}{attrs}{space}>{content}</{name}{end_space}>"


@st.composite
def documents(draw: st.DrawFn) -> str:
    prolog = draw(st.sampled_from(["", '<?xml version="1.0"?>\n', "<!--</a>-->\n"]))
    epilog = draw(st.sampled_from(["", "\n", "\n<!-- </a> -->\n", "<?pi </a>?>", "<!--</a>--><!--x-->"]))
    return prolog + draw(elements()) + epilog


def _ours(element: Element) -> Any:
    """(name, attributes, content) with adjacent text and CDATA joined, as an XML parser reports them."""
    content: list[Any] = []
    for child in element.children:
        if isinstance(child, (str, CData)):
            value = decode_text(child) if isinstance(child, str) else child.value
            if content and content[-1][0] == "text":
                content[-1] = ("text", content[-1][1] + value)
            elif value:
                content.append(("text", value))
        elif isinstance(child, Comment):
            content.append(("comment", child.content))
        elif isinstance(child, ProcessingInstruction):
            content.append(("pi", child.raw[2:-2]))
        elif isinstance(child, Element):
            content.append(("element", _ours(child)))
    return (element.name, {a.name: a.value for a in element.attributes}, content)


def _reference(text: str) -> Any:
    """The same shape, built from expat's events (without namespace processing, like Icecast's libxml2)."""
    stack: list[Any] = [("", {}, [])]

    def add_text(value: str) -> None:
        content = stack[-1][2]
        if content and content[-1][0] == "text":
            content[-1] = ("text", content[-1][1] + value)
        elif value:
            content.append(("text", value))

    def start(name: str, attributes: dict[str, str]) -> None:
        element = (name, attributes, [])
        stack[-1][2].append(("element", element))
        stack.append(element)

    parser = expat.ParserCreate()
    parser.StartElementHandler = start
    parser.EndElementHandler = lambda _name: stack.pop()
    parser.CharacterDataHandler = add_text
    parser.CommentHandler = lambda data: stack[-1][2].append(("comment", data))
    parser.ProcessingInstructionHandler = lambda target, data: stack[-1][2].append(("pi", f"{target} {data}"))
    parser.Parse(text, True)
    return next(item for kind, item in stack[0][2] if kind == "element")


@settings(max_examples=400)
@given(documents())
def test_every_element_has_the_content_an_xml_parser_sees(text: str) -> None:
    document = parse(text, root_name=None)
    assert _ours(document.root) == _reference(text)
    assert document.render() == text


@settings(max_examples=300)
@given(documents(), st.booleans())
def test_reading_all_at_once_gives_the_tree_read_level_by_level(text: str, part: bool) -> None:
    lazily = parse(text, root_name=None)
    at_once = parse(text, root_name=None)
    start = at_once.root
    if part:  # the root read first, its subtrees at once
        start.children  # noqa: B018
        start = next(start.elements(), start)
    start.read_all()
    assert _ours(at_once.root) == _ours(lazily.root)
    pairs = zip(at_once.root.iter(), lazily.root.iter(), strict=True)
    assert all((a.start, a.end, a.start_tag, a.end_tag) == (b.start, b.end, b.start_tag, b.end_tag) for a, b in pairs)


def _reference_texts(element: Any) -> list[str | None]:
    """Each element's character data joined, in document order (None when it has none), from ``_reference``."""
    _name, _attributes, content = element
    texts = ["".join(value for kind, value in content if kind == "text") or None]
    for kind, item in content:
        if kind == "element":
            texts.extend(_reference_texts(item))
    return texts


@settings(max_examples=300)
@given(documents())
def test_an_elements_text_is_what_an_xml_parser_sees_before_and_after_its_content_is_read(text: str) -> None:
    # a leaf ``<a>value</a>`` answers .text from the value it keeps until its children are asked for
    unread = parse(text, root_name=None)
    unread.root.read_all()
    before = [(e.text, e.text_start) for e in unread.root.iter()]
    read = parse(text, root_name=None)
    elements = list(read.root.iter())
    for element in elements:
        element.children  # noqa: B018
    assert before == [(e.text, e.text_start) for e in elements]
    assert [text for text, _ in before] == _reference_texts(_reference(text))


def test_a_value_read_from_the_source_text_follows_edits_of_its_element() -> None:
    document = parse("<icecast><a>x &amp; y</a><b>2</b><c></c></icecast>")
    document.root.read_all()
    a, b, c = document.root.elements()
    a.set("k", "v")
    assert (a.text, a.children) == ("x & y", ["x &amp; y"])
    b.set_text("3")
    c.rename("d")
    assert (b.text, c.text, c.children) == ("3", None, [])
    assert document.render() == '<icecast><a k="v">x &amp; y</a><b>3</b><d></d></icecast>'


@settings(max_examples=200)
@given(documents())
def test_an_elements_parts_add_up_to_its_text(text: str) -> None:
    document = parse(text, root_name=None)
    for element in document.root.iter():
        inner = "".join(
            c if isinstance(c, str) else c.render() if isinstance(c, Element) else c.raw for c in element.children
        )
        assert element.start_tag + inner + element.end_tag == text[element.start : element.end]


@settings(max_examples=200)
@given(documents(), st.data())
def test_renaming_any_element_changes_only_its_tags(text: str, data: st.DataObject) -> None:
    document = parse(text, root_name=None)
    element = data.draw(st.sampled_from(list(document.root.iter())))
    before, after = text[: element.start], text[element.end :]
    inner = text[element.start + len(element.start_tag) : element.end - len(element.end_tag)]
    element.rename("renamed")
    rendered = document.render()
    assert rendered.startswith(before) and rendered.endswith(after)
    assert inner in rendered[len(before) : len(rendered) - len(after)]
    assert _reference(rendered) is not None  # still well-formed


def test_end_tags_hidden_in_comments_cdata_and_pis_are_not_taken_for_the_real_one() -> None:
    text = (
        "<icecast>\n"
        "  <mount><!-- </mount> --><mount-name>/a</mount-name><![CDATA[</mount>]]><?pi </mount>?>"
        "<mount><mount/></mount ></mount>\n"
        '  <paths a="/paths>"><webroot>/w</webroot></paths>\n'
        "</icecast>\n<!-- </icecast> -->\n"
    )
    cfg = icecfg.loads(text)
    mount = cfg.document.root.find("mount")
    assert mount is not None
    assert [c.name for c in mount.elements()] == ["mount-name", "mount"]
    assert mount.render().endswith("</mount ></mount>")
    assert cfg.paths.webroot == "/w"
    assert cfg.document.epilog[-2].raw == "<!-- </icecast> -->"
    assert icecfg.dumps(cfg) == text.encode()


def test_reading_stays_linear_when_end_tags_hide_among_many_decoys() -> None:
    # searching past every decoy again for each one is quadratic: doubling them would take 4x, not 2x

    def text(count: int) -> str:
        decoys = "<!--</mount>-->" * count + "<![CDATA[</mount>]]>" * count + "<?pi </mount>?>" * count
        decoys += "<?pi x?><![CDATA[x]]><mount/>" * count  # nothing to find before the real end tag
        return f"<icecast><mount>{decoys}<mount-name>/a</mount-name></mount></icecast>"

    small, large = text(15_000), text(30_000)
    assert icecfg.loads(large).mounts[0].mount_name == "/a"
    growth = doubling_growth(
        lambda: icecfg.loads(small).mounts[0].mount_name, lambda: icecfg.loads(large).mounts[0].mount_name
    )
    assert growth <= MAX_GROWTH, f"twice the decoys took {growth:.2f}x the time"


@given(documents())
def test_an_element_says_whether_it_has_attributes_before_reading_them(text: str) -> None:
    document = parse(text, root_name=None)
    document.root.read_all()
    elements = list(document.root.iter())
    answers = [element.has_attributes for element in elements]  # asked before the attributes are read
    assert answers == [bool(element.attributes) for element in elements]
    assert [element.has_attributes for element in elements] == answers  # and after


@given(documents())
def test_attribute_lookups_answer_the_same_before_and_after_the_attributes_are_read(text: str) -> None:
    document = parse(text, root_name=None)
    elements = list(document.root.iter())
    before = [(element.get("k"), element.attribute("k") is not None) for element in elements]
    expected = [
        (
            next((a.value for a in element.attributes if a.name == "k"), None),
            any(a.name == "k" for a in element.attributes),
        )
        for element in elements
    ]
    assert before == expected


def test_lookups_by_name_on_an_element_with_many_children_follow_every_edit() -> None:
    """A root with hundreds of children answers find/elements from an index; edits must show at once."""
    mounts = "".join(f"<mount><mount-name>/m{i}</mount-name></mount><relay/>" for i in range(300))
    root = parse(f"<icecast>{mounts}<hostname>a</hostname></icecast>").root

    def names() -> list[str | None]:
        return [m.find("mount-name").text for m in root.elements("mount")]  # type: ignore[union-attr]

    assert len(names()) == 300 and root.find("hostname") is root.find_last("hostname")
    assert [e.local_name for e in root.elements_named({"hostname", "mount"})][-2:] == ["mount", "hostname"]
    added = Element("mount", children=[Element("mount-name", children=["/new"])])
    root.append(added)
    assert names()[-1] == "/new" and root.find_last("mount") is added
    first = root.find("mount")
    assert first is not None
    root.remove(first)
    assert names()[0] == "/m1" and len(names()) == 300
    root.insert(0, Element("hostname", children=["b"]))
    assert root.find("hostname").text == "b"  # type: ignore[union-attr]
    assert root.elements_named({"hostname"})[0].text == "b"
    # a parse of the edited text agrees with the edited tree
    again = parse(root.render()).root
    assert [m.find("mount-name").text for m in again.elements("mount")] == names()  # type: ignore[union-attr]


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(0, 300_000), min_size=1, max_size=12), st.sampled_from(["\n", "\r\n", "\r"]))
@example([30_000] * 5, "\n")  # lines across the first pieces the text is split into
@example([0, 0, 7, 0], "\r\n")  # elements at the first character of their line
def test_positions_count_lines_as_written_in_a_file_of_any_size(lengths: list[int], newline: str) -> None:
    # a file past a megabyte is split into lines in pieces; every element must still be
    # placed on the line and column an editor shows, whatever the line ends, and in whatever
    # order positions are asked (the first few are counted, the rest come from a line table)
    lines = ["<icecast>"] + [" " * n + f"<e{i}/>" for i, n in enumerate(lengths)] + ["</icecast>"]
    text = newline.join(lines)
    # the start and the end of each element, as an editor shows them
    expected = [((i + 2, n + 1), (i + 2, n + len(f"<e{i}/>") + 1)) for i, n in enumerate(lengths)]

    def positions(root: Element, order: list[int]) -> list[tuple[tuple[int, int], tuple[int, int]]]:
        children = list(root.elements())
        found = {i: (children[i].position(), children[i].position(children[i].end)) for i in order}
        return [found[i] for i in range(len(children))]

    forward = list(range(len(lengths)))
    root = parse(text).root
    assert positions(root, forward) == expected
    assert positions(root, forward[::-1]) == expected
    assert positions(root, forward) == expected
    # a fresh parse asked from the back first: the line table is built early
    root = parse(text).root
    assert positions(root, forward[::-1] + forward) == expected


@pytest.mark.parametrize("text", ["<icecast><a>1</a></icecast>", "<icecast><a></icecast>"])
def test_reading_leaves_nothing_for_a_paused_collector_to_free(text: str) -> None:
    # a linter reads with the cyclic collector paused: a parser left in a cycle would stay until it resumes
    gc.collect()
    gc.disable()
    try:
        try:
            parse(text)
        except ParseError:
            pass
        assert not [o for o in gc.get_objects() if isinstance(o, expat.XMLParserType)]
    finally:
        gc.enable()


_ATTRIBUTE_VALUES = st.sampled_from(["", "v", "a b", "it's", 'say "hi"', "a &amp; b", "/>", "x=y", "&#34;"])


@st.composite
def _start_tags(draw: st.DrawFn) -> tuple[str, list[tuple[str, str]]]:
    """A start tag with several attributes in either quote and any spacing, and (name, raw value) of each."""
    names = draw(st.lists(st.sampled_from(["k", "type", "a-b", "x:y", "n1"]), max_size=4, unique=True))
    written = []
    parts = []
    for name in names:
        raw = draw(_ATTRIBUTE_VALUES)
        quote = "'" if '"' in raw else ('"' if "'" in raw else draw(st.sampled_from(["'", '"'])))
        ws = draw(st.sampled_from([" ", "  ", "\n\t", "\r\n "]))
        eq = draw(st.sampled_from(["=", " = ", "\n=\t"]))
        parts.append(f"{ws}{name}{eq}{quote}{raw}{quote}")
        written.append((name, raw))
    end = draw(st.sampled_from(["", " ", "\n"]))
    return f"<e{''.join(parts)}{end}>", written


def _tag_in_a_document(start_tag: str, before: str) -> tuple[str, Element, dict[str, str]]:
    """The text of a document holding ``start_tag``, its element <e> as read, and expat's attribute values."""
    text = before + start_tag + "</e>" + ("</r>" if before else "")
    document = parse(text, root_name=None)
    element = document.root if not before else document.root.children[-1]
    assert isinstance(element, Element)
    parser = expat.ParserCreate()
    parser.ordered_attributes = True
    seen: list[list[str]] = []
    parser.StartElementHandler = lambda name, attributes: seen.append(attributes) if name == "e" else None
    parser.Parse(text.encode(), True)
    return text, element, dict(zip(seen[0][::2], seen[0][1::2], strict=True))


@given(_start_tags(), st.sampled_from(["", "<r>\n  ", "<?xml version='1.0'?>\n<r>"]))
def test_every_attribute_is_read_with_its_value_and_place_as_written(
    tag: tuple[str, list[tuple[str, str]]], before: str
) -> None:
    """By name first (``get``, ``attribute_items``: no Attr made, as a lint of a big file asks), then as Attrs."""
    start_tag, written = tag
    text, element, values = _tag_in_a_document(start_tag, before)
    assert element.attribute_items() == written
    assert element.attribute_names() == tuple(name for name, _raw in written)
    for name in ("k", "type", "a-b", "x:y", "n1", "y", "e"):
        assert element.get(name) == values.get(name)
    assert not isinstance(element._attrs, list)  # names and values only: no Attr was made
    # once read as Attrs, with their places, the same answers come from them
    assert [(a.name, a.raw) for a in element.attributes] == written
    assert [a.value for a in element.attributes] == list(values.values())
    for attribute in element.attributes:
        shown = attribute.render()
        assert text[attribute.start - len(attribute.ws) :].startswith(shown)
        assert text.startswith(attribute.name, attribute.start)
    assert element.attribute_items() == written
    assert element.attribute_names() == tuple(name for name, _raw in written)
    assert all(element.get(name) == value for name, value in values.items())


@pytest.mark.parametrize(
    "text",
    [
        "<icecast>\r\n  <hostname>a</hostname>\r\n</icecast>\r\n",
        "\ufeff<icecast><hostname>a</hostname></icecast>",
        '<?xml version="1.0" encoding="iso-8859-1"?>\n<icecast><hostname>\u00e9\u20ac</hostname></icecast>',
    ],
)
def test_a_document_read_from_text_is_unchanged_until_edited(text: str) -> None:
    """Text is read as it stands, like bytes: not changed until an edit, and dumped as that text encoded.

    It counted as changed from the start, so that the linter took the paths
    of an edited document (a walk in place of the offsets' order).
    """
    config = icecfg.loads(text)
    assert not config.document.changed
    declared = "iso-8859-1" if "iso-8859-1" in text else "utf-8"
    bom = b"\xef\xbb\xbf" if text.startswith("\ufeff") else b""
    assert icecfg.dumps(config) == bom + text.lstrip("\ufeff").encode(declared, errors="xmlcharrefreplace")
    config.hostname = "b"
    assert config.document.changed
