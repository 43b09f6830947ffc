"""KH's mount tree: which of several ``<mount>``s with one name KH really uses.

KH files every mount whose name has no template character in an AVL tree
(xiph's ``avl.c``, compared with ``strcmp``) and looks names up there.  An
equal key is inserted to the left, and a lookup stops at the first equal node
on its way down, so which of two same-name mounts answers depends on how the
tree was rebalanced, that is on every other mount name in the file: with one
other mount the later one can win (tested on kh22).  The tree is rebuilt here
only for a file with such duplicates.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Generic, TypeVar

from icecfg.records import Record

T = TypeVar("T")


class _Node(Record, Generic[T]):
    __slots__ = ("height", "key", "left", "right", "value")

    key: str
    value: T
    left: _Node[T] | None
    right: _Node[T] | None
    height: int

    def __init__(
        self, key: str, value: T, left: _Node[T] | None = None, right: _Node[T] | None = None, height: int = 1
    ) -> None:
        self.key = key
        self.value = value
        self.left = left
        self.right = right
        self.height = height


def _height(node: _Node[T] | None) -> int:
    return node.height if node is not None else 0


def _fix(node: _Node[T]) -> None:
    node.height = 1 + max(_height(node.left), _height(node.right))


def _rotate_right(node: _Node[T]) -> _Node[T]:
    top = node.left
    assert top is not None
    node.left, top.right = top.right, node
    _fix(node)
    _fix(top)
    return top


def _rotate_left(node: _Node[T]) -> _Node[T]:
    top = node.right
    assert top is not None
    node.right, top.left = top.left, node
    _fix(node)
    _fix(top)
    return top


def _insert(node: _Node[T] | None, key: str, value: T) -> _Node[T]:
    """AVL insertion with ``avl_insert``'s rule: an equal key goes left."""
    if node is None:
        return _Node(key, value)
    if key <= node.key:
        node.left = _insert(node.left, key, value)
    else:
        node.right = _insert(node.right, key, value)
    _fix(node)
    balance = _height(node.left) - _height(node.right)
    if balance > 1:
        assert node.left is not None
        if not key <= node.left.key:
            node.left = _rotate_left(node.left)
        return _rotate_right(node)
    if balance < -1:
        assert node.right is not None
        if key <= node.right.key:
            node.right = _rotate_right(node.right)
        return _rotate_left(node)
    return node


def tree_winners(entries: Iterable[tuple[str, T]]) -> dict[str, T]:
    """For each name given more than once, the value ``avl_get_by_key`` finds (entries in file order)."""
    items = list(entries)
    counts: dict[str, int] = {}
    for name, _ in items:
        counts[name] = counts.get(name, 0) + 1
    duplicated = {name for name, count in counts.items() if count > 1}
    if not duplicated:
        return {}
    root: _Node[T] | None = None
    for name, value in items:
        root = _insert(root, name, value)  # code point order is strcmp's order of UTF-8
    winners: dict[str, T] = {}
    for name in duplicated:
        node = root
        while node is not None:
            if name < node.key:
                node = node.left
            elif name > node.key:
                node = node.right
            else:
                winners[name] = node.value
                break
    return winners
