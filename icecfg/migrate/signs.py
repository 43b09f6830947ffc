"""Whether a file is already written for the target release: what only that release reads, in migrate's shape.

Migrated again as the old release read it, migrate's own output loses what
it wrote: ``<tls>`` is an element 2.4.4 ignores (removed), the
``<fallback-override>all`` it writes is ``atoi``'s 0 (``none``).  So before
migrating from a release nobody named (the one installed here), the command
looks for those signs in the file as parsed, in one walk: an element only the
target reads, a value migrate writes for the target that the old release
reads otherwise, a ``<header type="cors">`` 2.4.4 stops reading at.  A file
that also holds an element no release knows (a misspelt ``<max-listener>``)
or one the target calls obsolete (``<ssl>``, a root ``<source-password>``) is
no output of migrate, which never leaves one: it is an old file with a stray
newer element, and the assumed release stands.
"""

from __future__ import annotations

from functools import cache

from icecfg import spec
from icecfg.conversion import Crash
from icecfg.document import Element
from icecfg.migrate.headers import typed_for_25
from icecfg.migrate.readings import reading
from icecfg.placement import Placed, walk
from icecfg.sections import IcecastConfig
from icecfg.spec import Dialect


def already_migrated(config: IcecastConfig, source: Dialect, target: Dialect) -> list[tuple[Element, str]]:
    """The signs that ``config`` is written for ``target``, each as (element, ``<tls> line 31``); [] when it is not.

    Empty as soon as the file holds an element no release knows, or one the
    target calls obsolete or no longer reads: no migration leaves one behind.
    """
    signs: list[tuple[Element, str]] = []
    for placed in walk(config.document.root):
        row = placed.row
        if row is None or _obsolete(row, target):
            return []
        sign = _sign(placed, row, source, target)
        if sign is not None:
            signs.append((placed.element, f"{sign} line {placed.element.line}"))
    return signs


def _obsolete(row: spec.ElementRow, target: Dialect) -> bool:
    """Whether migrating to ``target`` always renames, moves, rebuilds or removes an element of ``row``.

    Whatever ``target`` calls obsolete is rewritten: 2.4's root ``<directory>``
    becomes a ``<yp-directory url>`` (a ``form``, not a rename, and was missed).
    """
    if target not in row.dialects or target in row.removed or target in row.obsolete:
        return True
    replacement = row.replacement.get(target)
    return replacement is not None and bool(
        replacement.name or replacement.path or replacement.wrap or replacement.drop
    )


def _sign(placed: Placed, row: spec.ElementRow, source: Dialect, target: Dialect) -> str | None:
    """``<tls>`` for an element only ``target`` reads, ``<fallback-override>all`` for such a value; else None."""
    element = placed.element
    if source not in row.dialects:
        return f"<{element.local_name}>"
    if source is Dialect.V24 and placed.parent.id == "http-headers" and typed_for_25(element):
        return f'<{element.local_name} type="{element.get("type")}">'
    text = element.text
    if row.value is None or text is None or text not in _written_values(placed.parent.id, element.local_name, target):
        return None
    try:
        if reading(row, text, source) == reading(row, text, target):
            return None
    except Crash:
        return None
    return f"<{element.local_name}>{text}"


@cache
def _written_values(section: str, name: str, target: Dialect) -> frozenset[str]:
    """The texts migrate writes for ``target`` into an element ``name`` of ``section`` (a value map's results)."""
    found: set[str] = set()
    for child in spec.SECTIONS[section].children:
        replacement = child.replacement.get(target)
        if replacement is not None and (replacement.name or child.name) == name:
            found.update(value for value in replacement.values.values() if value is not None)
    return frozenset(found)


__all__ = ["already_migrated"]
