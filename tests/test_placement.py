"""The walk along the element table: each element's section and row, as the rules read them."""

from __future__ import annotations

from pathlib import Path

from icecfg import spec
from icecfg.document import Element, parse
from icecfg.errors import ParseError
from icecfg.placement import Placed, placed_list, unknown_elements, walk
from tests.corpus import corpus_paths

ROOT = Path(__file__).resolve().parents[1]

#: Known blocks and leaves, a misspelt leaf, a leaf of another section, an unknown block with children.
MIXED = """<icecast>
  <limits><clients>10</clients><sources>2</sources><bogus>1</bogus></limits>
  <mount type="normal"><mount-name>/a</mount-name><port>8000</port><fallback-mount>/b</fallback-mount></mount>
  <unknown-block><mount-name>/x</mount-name></unknown-block>
  <paths><logdir>/var/log</logdir></paths>
  <hostname>example.org</hostname>
</icecast>"""


def _expected(root: Element) -> list[tuple[Element, spec.SectionRow, spec.ElementRow | None]]:
    """Each element with its section and row, worked out from the table on its own."""
    found = []

    def visit(element: Element, section: spec.SectionRow) -> None:
        for child in element.elements():
            row = section.child(child.local_name)
            found.append((child, section, row))
            if row is not None and row.section is not None:
                visit(child, spec.SECTIONS[row.section])

    visit(root, spec.ROOT)
    return found


def _seen(placed: list[Placed]) -> list[tuple[Element, spec.SectionRow, spec.ElementRow | None]]:
    return [(p.element, p.parent, p.row) for p in placed]


def _roots() -> list[Element]:
    """The mixed file, every example and every corpus file that parses (ICE001 files have nothing to place)."""
    roots = [parse(MIXED).root]
    for path in [*sorted((ROOT / "examples").rglob("*.xml")), *corpus_paths()]:
        try:
            roots.append(parse(path.read_bytes()).root)
        except ParseError:
            continue
    return roots


def test_every_element_is_placed_in_its_section_with_its_row() -> None:
    roots = _roots()
    assert len(roots) > 60
    for root in roots:
        expected = _expected(root)
        placed, groups = placed_list(root)
        assert _seen(placed) == expected
        assert _seen(list(walk(root))) == expected
        # the groups hold the same objects, by row, in document order
        for row, group in groups.values():
            assert group == [p for p in placed if p.row is row]
        assert sum(len(group) for _row, group in groups.values()) == sum(1 for p in placed if p.row is not None)
        assert [p.element for p in unknown_elements(root)] == [e for e, _s, row in expected if row is None]


def test_a_walk_from_a_section_outside_the_table_places_its_elements_there() -> None:
    mount = parse(MIXED).root.find("mount")
    assert mount is not None
    copy = spec.SECTIONS["mount"].replace(id="copy")  # the same rows, in a section of its own
    for placed in [placed_list(mount, copy)[0], list(walk(mount, copy))]:
        assert [(p.element.local_name, p.parent.id, p.row is not None) for p in placed] == [
            ("mount-name", "copy", True),
            ("port", "copy", False),
            ("fallback-mount", "copy", True),
        ]


def test_the_mixed_file_has_unknown_elements_in_their_sections() -> None:
    root = parse(MIXED).root
    unknown = {p.element.local_name: p.parent.id for p in unknown_elements(root)}
    assert unknown == {"bogus": "limits", "port": "mount", "unknown-block": "icecast"}
    placed = {p.path: p for p in walk(root)}
    assert placed["/icecast/mount/fallback-mount"].parent.id == "mount"
    assert placed["/icecast/limits/clients"].parent.id == "limits"
    assert placed["/icecast/mount"].section is not None
    assert "/icecast/unknown-block/mount-name" not in placed  # an unknown element is reported whole
