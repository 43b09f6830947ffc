"""Security: the chroot and the user Icecast switches to, and paths as seen from outside a chroot."""

from __future__ import annotations

import posixpath
from typing import NamedTuple

from icecfg.document import Element
from icecfg.effective.provenance import Traced, default, written
from icecfg.effective.reading import section_values
from icecfg.spec import Dialect


class Security(NamedTuple):
    """``<security>`` and ``<paths><basedir>`` as they shape where Icecast runs.

    An immutable named tuple (like the logging records): every lint run
    reads it, and a dataclass costs a millisecond to define at start-up.
    """

    chroot: Traced[object]
    #: The chroot target (``<basedir>``).
    basedir: Traced[object]
    #: ``<changeowner>`` present: Icecast switches user (when started as root and both names resolve).
    changeowner: bool
    user: Traced[str] | None
    group: Traced[str] | None

    @property
    def chrooted(self) -> bool:
        return bool(self.chroot.value)

    def outside(self, path: str) -> str:
        """``path`` as seen from outside when ``<chroot>`` confines Icecast to ``<basedir>``."""
        if not self.chrooted:
            return path
        base = str(self.basedir.value or "/")
        return posixpath.join(base, path.lstrip("/"))

    def to_json(self) -> dict[str, object]:
        return {
            "chroot": self.chroot.to_json(),
            "basedir": self.basedir.to_json(),
            "changeowner": self.changeowner,
            "user": self.user.to_json() if self.user else None,
            "group": self.group.to_json() if self.group else None,
        }


def security(root: Element, dialect: Dialect) -> Security:
    blocks = list(root.elements("security"))
    values = section_values(blocks, "security", dialect)
    paths = section_values(list(root.elements("paths")), "paths", dialect)
    owners = [owner for block in blocks for owner in block.elements("changeowner")]
    user = group = None
    for owner in owners:
        for child in owner.elements():
            if child.local_name == "user" and child.text is not None:
                user = Traced(child.text, written(child))
            elif child.local_name == "group" and child.text is not None:
                group = Traced(child.text, written(child))
    return Security(
        chroot=values.get("chroot") or Traced(False, default()),
        basedir=paths.get("basedir") or Traced(None, default()),
        changeowner=bool(owners),
        user=user,
        group=group,
    )
