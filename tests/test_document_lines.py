"""A text's lines as findings number them: LF, CRLF and CR end a line, nothing else does."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from icecfg.document import Lines, parse


@given(st.text(alphabet="a\r\n\u2028\x85\x0c ", max_size=30))
def test_lines_are_the_text_cut_at_xml_line_ends(text: str) -> None:
    """What a split at every LF, CRLF and CR gives, less the empty line after a final line end."""
    expected = re.split(r"\r\n|\r|\n", text)
    if expected[-1] == "":
        expected.pop()  # a final line end ends a line, it starts none (and "" has no line)
    lines = Lines(text)
    assert list(lines) == expected and len(lines) == len(expected)
    assert lines[-1:] == expected[-1:] and lines[1::2] == expected[1::2]


@given(st.lists(st.sampled_from(["<a/>", "\n", "\r\n", "\r", "\u2028", "\x85", " "]), max_size=12))
def test_the_line_a_position_names_holds_the_element_there(parts: list[str]) -> None:
    """The document's line numbers and these lines agree, whatever the line ends and look-alikes before it."""
    text = "<icecast>" + "".join(parts) + "<b/></icecast>"
    document = parse(text)
    element = document.root.find("b")
    assert element is not None
    line, column = element.line, element.column
    assert Lines(text)[line - 1][column - 1 :].startswith("<b/>")
