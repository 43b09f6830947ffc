"""The nesting-depth limit: measured without a Python call per element, refused exactly as expat sees it.

The check first runs expat with no element handlers and measures the depth
on the bytes (``safety._nests_deeper``); these tests hold that measurement
to the depth expat reports, on documents full of what could fool a search
of the bytes ("/>" and quotes in attribute values and text, tags inside
comments, CDATA sections and PIs, empty-element tags at the deepest level),
and hold the errors to those of a check that counts in expat's handlers.
"""

from __future__ import annotations

import codecs
from xml.parsers import expat

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import icecfg
from icecfg.document import MAX_DEPTH, safety

NAMES = st.sampled_from(["a", "ab", "x:a", "é"])
# what a search of the bytes could take for a tag's end, an end tag or a quote that matters
DECOYS = st.sampled_from(["", "</a>", "<a>", "<a/>", "/>", "</", "'", '"', "> -x", "?", "]", "é"])
ATTRIBUTES = st.sampled_from(
    ["", ' k="v"', ' k="/>"', " k='/>'", " k='\"/>'", ' k="\'/>"', " k=\"a/b>c\" j='/'", '\n k = ">"', ' k="é/>"']
)
TEXT = st.sampled_from(["", " ", "\n  ", "v", "/>", "'", '"', "a/b>c", "'/>\"", "&lt;/a&gt;", ">", "é"])


@st.composite
def hidden(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["<!--{} {}-->", "<![CDATA[{}] {}]]>", "<?pi {}? {}?>"]))
    return kind.format(draw(DECOYS), draw(DECOYS))


@st.composite
def elements(draw: st.DrawFn, depth: int = 0) -> str:
    name = draw(NAMES)
    attributes = draw(ATTRIBUTES)
    space = draw(st.sampled_from(["", " ", "\n"]))
    if draw(st.booleans()):
        return f"<{name}{attributes}{space}/>"
    parts = st.one_of(TEXT, hidden())
    if depth < 5:
        parts = st.one_of(parts, elements(depth + 1), elements(depth + 1))
    content = "".join(draw(st.lists(parts, max_size=5)))
    return f"<{name}{attributes}{space}>{content}</{name}{draw(st.sampled_from(['', ' ', chr(10)]))}>"


@st.composite
def documents(draw: st.DrawFn) -> bytes:
    declaration = draw(st.sampled_from(["", '<?xml version="1.0"?>\n', "<?xml version='1.0' encoding='utf-8'?>"]))
    prolog = "".join(draw(st.lists(st.one_of(st.sampled_from([" ", "\n"]), hidden().filter(_outside_root)))))
    epilog = "".join(draw(st.lists(st.one_of(st.sampled_from([" ", "\n"]), hidden().filter(_outside_root)))))
    bom = draw(st.sampled_from(["", "\ufeff"]))
    return (bom + declaration + prolog + draw(elements()) + epilog).encode()


def _outside_root(section: str) -> bool:
    return not section.startswith("<![CDATA[")  # only inside an element


def _starts(data: bytes) -> tuple[list[tuple[int, int, int]], expat.ExpatError | None]:
    """(depth, line, column) of each start tag, counted in expat's handlers; and the error that stopped expat."""
    starts: list[tuple[int, int, int]] = []
    depth = 0

    def start(_name: str, _attributes: object) -> None:
        nonlocal depth
        depth += 1
        starts.append((depth, parser.CurrentLineNumber, parser.CurrentColumnNumber + 1))

    def end(_name: str) -> None:
        nonlocal depth
        depth -= 1

    parser = expat.ParserCreate()
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    try:
        parser.Parse(data, True)
    except expat.ExpatError as err:
        return starts, err
    return starts, None


def _depth(data: bytes) -> int:
    return max(depth for depth, _line, _column in _starts(data)[0])


def _measured(data: bytes, limit: int) -> bool:
    marks: list[int] = []
    safety._expat(data, marks)
    return safety._nests_deeper(data, marks, limit)


@settings(max_examples=500)
@given(documents())
@example(b"<a><b/></a>")
@example(b"<a><b k='/>'>x</b></a>")
@example(b"<a>\"/>'<b/></a>")
def test_the_depth_measured_on_the_bytes_is_the_depth_expat_sees(data: bytes) -> None:
    depth = _depth(data)
    assert [_measured(data, limit) for limit in (depth - 1, depth, depth + 1)] == [True, False, False]


def _nested(depth: int, inner: str, siblings: str) -> bytes:
    """``depth`` levels when ``inner`` is one element: <icecast>, then <a> in <a> ..., with ``inner`` in the last."""
    opening = f"<a k='/>'>{siblings}" * (depth - 2)
    return ("<icecast>" + opening + inner + "</a>\n" * (depth - 2) + "</icecast>").encode()


def _reference_error(data: bytes) -> tuple[str, int, int] | None:
    """What a check counting the depth in expat's handlers reports: (kind, line, column), or None."""
    starts, err = _starts(data)
    deep = next(((line, column) for depth, line, column in starts if depth > MAX_DEPTH), None)
    if deep is not None:  # expat stops there, before any error after it
        return ("deeper", *deep)
    if err is not None:
        return ("not well-formed", err.lineno, err.offset + 1)
    return None


def _error(data: bytes) -> tuple[str, int, int] | None:
    try:
        icecfg.loads(data)
    except icecfg.ParseError as err:
        return ("deeper" if "deeper" in err.message else "not well-formed", err.line or 0, err.column or 0)
    return None


@settings(max_examples=200)
@given(
    st.integers(MAX_DEPTH - 3, MAX_DEPTH + 2),
    st.sampled_from(["", "<b/>", "<b k='x'/>", "<b>v</b>", "<!--<b>-->", "<b><c/></b>"]),
    st.sampled_from(["", "\n", "<s/>", '<s k="/>">\'</s>', "<!-- </a> -->", "<![CDATA[</a></a>]]>", "<?pi </a>?>"]),
    st.sampled_from(["", "<x>", "</y>", "&nope;", "<a/><a/>"]),
)
def test_deep_documents_fail_where_counting_in_handlers_fails(
    depth: int, inner: str, siblings: str, damage: str
) -> None:
    data = _nested(depth, inner, siblings)
    if damage:  # an error of well-formedness just before, or just after, the first element too deep
        cut = data.index(b"<a", len(data) // 3)
        data = data[:cut] + damage.encode() + data[cut:]
    assert _error(data) == _reference_error(data)


def test_ordinary_files_are_read_by_one_run_of_expat(monkeypatch: pytest.MonkeyPatch) -> None:
    runs: list[bool] = []
    run = safety._expat

    def counted(data: bytes, hidden: list[int] | None) -> tuple[bool, bool]:
        runs.append(hidden is None)
        return run(data, hidden)

    monkeypatch.setattr(safety, "_expat", counted)
    text = (
        '<?xml version="1.0" encoding="{}"?>\n<!-- </icecast> -->\n<icecast>\n'
        "  <!-- <a> --><hostname>é</hostname><?pi </a>?><location><![CDATA[</a>]]></location>\n"
        '  <mount type=\'normal\'><mount-name>/a</mount-name><http-headers><header name="x" value="/>"/>'
        "</http-headers></mount>\n</icecast>\n"
    )
    for encoding in ("utf-8", "iso-8859-1", "windows-1252"):
        data = text.format(encoding).encode(encoding)
        for variant in (data, codecs.BOM_UTF8 + data if encoding == "utf-8" else data, data.decode(encoding)):
            runs.clear()
            icecfg.loads(variant)
            assert runs == [False]
    runs.clear()
    icecfg.loads(_nested(MAX_DEPTH, "<b/>", "<s/>"))
    assert runs == [False]
    # one level deeper: the handlers run to find where
    runs.clear()
    with pytest.raises(icecfg.ParseError):
        icecfg.loads(_nested(MAX_DEPTH + 1, "<b/>", ""))
    assert runs == [False, True]
