"""What a migration did: one :class:`Change` per rewrite, with its reason."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from icecfg.sections import IcecastConfig
    from icecfg.spec import Dialect


@dataclass(frozen=True)
class Change:
    """One rewrite (or one difference a rewrite cannot hide) at one place.

    ``keeps_behaviour`` says whether the new release does what the old one
    did there; ``follows_intent`` whether the result says what the file
    said.  Both are true for a plain rename.  ``lost`` marks behaviour the
    new release cannot reproduce at all (a KH-only feature): the command
    exits 1 for it unless told to accept the loss.  ``edit`` is False for a
    difference reported without touching the file (``--intent`` leaving an
    element that the old release ignored and the new one will use).
    """

    line: int
    element: str
    action: str
    reason: str
    keeps_behaviour: bool = True
    follows_intent: bool = True
    lost: bool = False
    edit: bool = True
    #: Last line of the element in the original file (the change may touch any line from ``line``).
    end_line: int = 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Migration:
    """The migrated configuration (the one given, edited in place) and its changes."""

    config: IcecastConfig
    source: Dialect
    target: Dialect
    intent: bool
    changes: list[Change] = field(default_factory=list)

    @property
    def losses(self) -> list[Change]:
        """Changes whose old behaviour the target release cannot reproduce."""
        return [c for c in self.changes if c.lost]

    @property
    def behaviour_changes(self) -> list[Change]:
        """Changes after which the target release behaves differently from the old one."""
        return [c for c in self.changes if not c.keeps_behaviour]

    def dumps(self) -> bytes:
        return self.config.document.dumps()
