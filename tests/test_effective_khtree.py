"""KH's mount tree, rebuilt: which of several same-name mounts KH's lookup finds.

The oracle test (tests/test_oracle_explain.py) shows the answer on the running
KH; these pin the tree's rules: an equal name goes left, a lookup stops at
the first equal node, and rebalancing decides which one that is.
"""

from __future__ import annotations

import icecfg
from icecfg.effective import explain
from icecfg.effective.khtree import tree_winners


def test_two_same_name_mounts_alone_the_first_is_found() -> None:
    assert tree_winners([("/a", 1), ("/a", 2)]) == {"/a": 1}


def test_a_smaller_name_after_them_rebalances_and_the_second_is_found() -> None:
    # /a(1) is the root, /a(2) its left child; /0 goes left of that and the tree rotates right
    assert tree_winners([("/a", 1), ("/a", 2), ("/0", 3)]) == {"/a": 2}


def test_a_larger_name_leaves_the_first() -> None:
    assert tree_winners([("/a", 1), ("/a", 2), ("/b", 3)]) == {"/a": 1}


def test_no_duplicates_no_tree() -> None:
    assert tree_winners([("/a", 1), ("/b", 2)]) == {}


def test_explain_on_kh_reports_the_mount_the_tree_finds() -> None:
    xml = """<icecast>
  <mount><mount-name>/capped.ogg</mount-name><max-listeners>1</max-listeners></mount>
  <mount><mount-name>/capped.ogg</mount-name><max-listeners>3</max-listeners></mount>
  <mount mount-name="/attr-capped.ogg" max-listeners="2"/>
</icecast>"""
    cfg = icecfg.loads(xml)
    kh = explain(cfg, "kh").mounts
    assert kh.find("/capped.ogg") is kh.find_linearly("/capped.ogg")
    found = kh.find("/capped.ogg")
    assert found is not None and found.get("max-listeners") == 3
    v24 = explain(cfg, "2.4").mounts.find("/capped.ogg")
    assert v24 is not None and v24.get("max-listeners") == 1  # 2.4 walks its list: the first
