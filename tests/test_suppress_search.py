"""Suppression comments are found wherever they stand, in the order a walk of every element finds them.

The search skips elements whose text holds no ``icecfg:`` (so a file with a
directive per mount does not cost a visit of every element); these tests
compare it with the plain walk over random documents, as read and after edits.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

import icecfg
from icecfg.document import Comment, Element
from icecfg.lint import lint
from icecfg.lint.suppress import _comments_to_search, collect

_DIRECTIVE = "<!-- icecfg: ignore[ICE101] -->"
_PIECES = (
    _DIRECTIVE,
    "<!-- a plain comment -->",
    "<![CDATA[ icecfg: not a comment ]]>",
    "<bogus>1</bogus>",
    "text icecfg: in text",
)


@st.composite
def _documents(draw: st.DrawFn) -> str:
    def block(depth: int) -> str:
        parts = []
        for _ in range(draw(st.integers(0, 3))):
            if depth < 3 and draw(st.booleans()):
                parts.append(f"<mount>{block(depth + 1)}</mount>")
            else:
                parts.append(draw(st.sampled_from(_PIECES)))
        return "\n".join(parts)

    return f"<icecast>\n{block(0)}\n</icecast>\n"


def _with_directives(elements: list[Element]) -> list[tuple[int, int]]:
    return [
        (id(element), id(child))
        for element in elements
        for child in element.children
        if isinstance(child, Comment) and "icecfg:" in child.content
    ]


@settings(max_examples=150, deadline=None)
@given(_documents(), st.booleans())
def test_the_search_finds_what_a_walk_of_every_element_finds(text: str, edit: bool) -> None:
    cfg = icecfg.loads(text)
    root = cfg.document.root
    if edit:
        root.set("edited", "1")  # an edited document is walked whole
    searched = [element for element, _marked in _comments_to_search(root)]
    assert _with_directives(searched) == _with_directives(list(root.iter()))


@settings(max_examples=150, deadline=None)
@given(_documents(), st.booleans())
def test_the_comments_searched_are_those_of_a_walk_of_every_element(text: str, edit: bool) -> None:
    cfg = icecfg.loads(text)
    root = cfg.document.root
    if edit:
        root.set("edited", "1")
    searched = [(id(element), id(c)) for element, marked in _comments_to_search(root) for c in marked]
    walked = [
        (id(element), id(c))
        for element in root.iter()
        for c in element.children
        if isinstance(c, Comment) and "icecfg:" in c.raw
    ]
    assert searched == walked


def test_a_directive_deep_inside_a_mount_of_a_big_file_still_applies() -> None:
    mounts = "".join(f"<mount><mount-name>/m{i}</mount-name></mount>\n" for i in range(200))
    nested = f"<mount><mount-name>/x</mount-name>\n{_DIRECTIVE}\n<bogus>1</bogus></mount>\n"
    cfg = icecfg.loads(f"<icecast>\n{mounts}{nested}{mounts}</icecast>\n")
    assert len(collect(cfg.document)) == 1
    assert [f.code for f in lint(cfg, files=False) if f.code in ("ICE101", "ICE002")] == []


def test_a_directive_added_before_the_root_after_reading_applies() -> None:
    cfg = icecfg.loads("<icecast>\n<bogus>1</bogus>\n</icecast>\n")
    assert "ICE101" in [f.code for f in lint(cfg, files=False)]
    cfg.document.prolog.append(Comment("<!-- icecfg: ignore-file[ICE101] -->"))
    assert "ICE101" not in [f.code for f in lint(cfg, files=False)]
