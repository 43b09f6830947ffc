"""The whole file: prolog, root element and epilog, dumped back to bytes."""

from __future__ import annotations

from icecfg.document.leaves import Leaf
from icecfg.document.nodes import Element
from icecfg.document.render import _render


class Document:
    """A whole file: what stands before the root, the root, and what follows."""

    def __init__(
        self,
        root: Element,
        prolog: list[Leaf] | None = None,
        epilog: list[Leaf] | None = None,
        *,
        encoding: str = "utf-8",
        bom: bytes = b"",
        original: bytes | None = None,
    ) -> None:
        self.root = root
        self.prolog: list[Leaf] = prolog or []
        self.epilog: list[Leaf] = epilog or []
        self.encoding = encoding
        self.bom = bom
        self.original = original
        self._prolog_raw = [n.raw for n in self.prolog] + [n.raw for n in self.epilog]

    @property
    def path(self) -> str | None:
        return self.root.origin.path if self.root.origin is not None else None

    @property
    def changed(self) -> bool:
        unchanged_edges = [n.raw for n in self.prolog] + [n.raw for n in self.epilog] == self._prolog_raw
        return not (self.root._clean and unchanged_edges and self.original is not None)

    def render(self) -> str:
        out = [n.raw for n in self.prolog]
        _render(self.root, out)
        out.extend(n.raw for n in self.epilog)
        return "".join(out)

    def dumps(self) -> bytes:
        """The document's bytes: the original ones when nothing changed."""
        if not self.changed and self.original is not None:
            return self.original
        return self.bom + self.render().encode(self.encoding, errors="xmlcharrefreplace")
