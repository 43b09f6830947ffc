"""State shared by the rewrites of one migration, and the helpers they all use."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING

from icecfg.document import Element
from icecfg.migrate.change import Change
from icecfg.sections import IcecastConfig
from icecfg.spec import Dialect, Kind

if TYPE_CHECKING:
    from icecfg.files import FileView


@dataclass
class Context:
    config: IcecastConfig
    source: Dialect
    target: Dialect
    intent: bool
    root: str | None
    files: bool
    #: Server path -> the local file bake installs there (``[bake.assets]``).
    assets: dict[str, str | os.PathLike[str]] = field(default_factory=dict)
    changes: list[Change] = field(default_factory=list)
    #: Whether the old release could use the TLS certificate; None: not looked at.
    tls_usable: bool | None = None
    #: Why it could not, in a few words, when ``tls_usable`` is False.
    tls_problem: str = ""
    #: The global source password as the old release read it (before any edit).
    source_password: str | None = None
    #: Elements written in place of something in the file (id -> that element): a change
    #: to one is reported at the line of what it replaced.
    written_for: dict[int, Element] = field(default_factory=dict)
    #: Elements whose reading a rewrite has already settled (ids): no later rewrite looks at them.
    settled: set[int] = field(default_factory=set)
    #: Elements of the file the old release did not read where they stand (ids, noted before the
    #: rewrites): no setting the old release used came from them.
    ignored: set[int] = field(default_factory=set)

    def file_view(self) -> FileView:
        """The server's files as the old release found them: under ``root``, bake's assets first."""
        from icecfg.files import FileView

        return FileView(self.root or "/", assets=self.assets)

    def original(self, element: Element) -> Element:
        """The element of the original file ``element`` stands for: itself, or what it was written in place of."""
        return element if element.start >= 0 else self.written_for.get(id(element), element)

    def read_by_source(self, element: Element) -> bool:
        """Whether the old release read what ``element`` stands for (a setting it used may come from it)."""
        return id(self.original(element)) not in self.ignored

    def record(self, element: Element, action: str, reason: str, **flags: bool) -> None:
        """Note a change at ``element`` (its line in the original file)."""
        anchor = self.original(element)
        line = anchor.line if anchor.start >= 0 else 0
        end_line = anchor.position(anchor.end - 1)[0] if anchor.end > 0 else line
        self.changes.append(Change(line, path_of(element), action, reason, end_line=end_line, **flags))

    def unread(self, element: Element, reason: str) -> None:
        """What the old release never read but the target would: removed, or with ``--intent`` kept."""
        if self.intent:
            self.record(element, "kept", reason + " (kept: --intent)", keeps_behaviour=False, edit=False)
        else:
            self.drop(element, reason, follows_intent=False)

    def drop(self, element: Element, reason: str, **flags: bool) -> None:
        """Remove ``element`` with its line, noting why."""
        self.record(element, "remove", reason, **flags)
        remove(element)


def path_of(element: Element) -> str:
    """``/icecast/limits/clients``: where an element stands, for messages."""
    names = []
    node: Element | None = element
    while node is not None:
        names.append(node.local_name)
        node = node.parent
    return "/" + "/".join(reversed(names))


def attached(element: Element, root: Element) -> bool:
    """False once an ancestor was removed by an earlier rewrite."""
    node: Element | None = element
    while node is not None and node is not root:
        node = node.parent
    return node is root


def canonical(value: object, kind: Kind) -> str | None:
    """The text every release reads as ``value``: ``1``/``0`` for booleans, digits, words."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "1" if value else "0"
    if kind is Kind.FALLBACK_OVERRIDE and isinstance(value, Enum):
        return {"all": "1", "none": "0"}.get(str(value.value), str(value.value))
    if isinstance(value, Enum):
        return str(value.value)
    return str(value)


def remove(element: Element) -> None:
    """Remove ``element`` with its own line."""
    assert element.parent is not None
    element.parent.remove(element)
