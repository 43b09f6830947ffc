"""Which Icecast release a command assumes, and why: given, set, installed or the default.

``lint``, ``explain`` and ``migrate`` (the release a file was written for)
choose the same way, here, so the three never disagree about one file.  A
release from the command line or a settings file always wins, so CI runs are
reproducible.  Otherwise the release installed on this machine is assumed
(:mod:`icecfg.installed`), else 2.4, what Debian and Ubuntu ship.  Each
report says which release was assumed and why, and when an assumed target
does not fit the file (it uses elements only another release reads) it
suggests ``--target``.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from functools import cache

from icecfg.placement import Placed
from icecfg.records import FrozenRecord
from icecfg.spec import Dialect

#: Where a target came from, as JSON and SARIF record it.
ORIGINS = ("option", "settings", "installed", "default")
#: At most this many elements are named in a suggestion.
EXAMPLES = 3


class Target(FrozenRecord):
    """The release a command assumes and why that one."""

    __slots__ = ("dialect", "origin", "reason")

    dialect: Dialect
    #: One of :data:`ORIGINS`.
    origin: str
    #: Why, in words, e.g. ``/usr/bin/icecast2 -v prints 'Icecast 2.4.4'``.
    reason: str

    def __init__(self, dialect: Dialect, origin: str, reason: str) -> None:
        _set = object.__setattr__
        _set(self, "dialect", dialect)
        _set(self, "origin", origin)
        _set(self, "reason", reason)

    @property
    def assumed(self) -> bool:
        """Whether icecfg picked the release (installed or default) rather than the user."""
        return self.origin in ("installed", "default")

    def describe(self) -> str:
        """One line for the text report."""
        return f"Target: {self.dialect.label} ({self.origin}: {self.reason})."

    def to_json(self, key: str = "target") -> dict[str, str]:
        """``target``, ``target_origin``, ``target_reason`` (``key`` names the first), as reports print them."""
        return {key: self.dialect.value, f"{key}_origin": self.origin, f"{key}_reason": self.reason}


def choose(option: str | None, setting: object, settings_path: object, flag: str = "--target") -> Target:
    """The release: ``flag`` (``option``), else the settings file's ``target``, else the installed one, else 2.4."""
    if option is not None:
        return Target(Dialect(option), "option", f"given with {flag}")
    if setting is not None:
        return Target(Dialect(str(setting)), "settings", f"set in {settings_path}")
    found = assumed()
    return found if flag == "--target" else found.replace(reason=found.reason.replace("--target", flag))


@cache
def assumed() -> Target:
    """The installed release, asked once per process; 2.4 when there is none icecfg knows."""
    from icecfg import installed  # runs a process at most once: only when no target is given

    found = installed.detect()
    if found is None:
        listed = os.environ.get(installed.ENV)
        if listed is None:
            nowhere = f"no {' or '.join(installed.NAMES)} found on PATH"
        else:  # the list replaces PATH (installed.candidates): name it, not PATH
            nowhere = f"{installed.ENV}={listed!r} names no Icecast that answers -v"
        return Target(Dialect.V24, "default", f"{nowhere}; give --target to choose")
    said = f"{found.path} -v prints {found.line!r}" if found.line else f"{found.path} -v prints no version"
    if found.dialect is None:
        return Target(Dialect.V24, "default", f"{said}, not a release icecfg knows; give --target to choose")
    return Target(found.dialect, "installed", said)


def suggestion(placed: Iterable[Placed], target: Target) -> str | None:
    """Advice to give ``--target`` when an assumed target does not fit the file's elements.

    Elements the table knows only in other releases are evidence of the
    release the file was written for; the advice names the releases that
    read all of them.  ``placed`` is the file's elements placed along the
    table (:func:`~icecfg.placement.walk`, or the walk a lint already made);
    it is only read when the target was assumed.  A target the user chose is never second-guessed
    (ICE301 reports each element then).
    """
    if not target.assumed:
        return None
    foreign = [p for p in placed if p.row is not None and target.dialect not in p.row.dialects]
    if not foreign:
        return None
    fits = set(Dialect) - {target.dialect}
    for item in foreign:
        fits &= item.row.dialects if item.row is not None else set()
    if not fits:
        return None
    ordered = [d for d in Dialect if d in fits]
    examples = ", ".join(f"<{p.element.local_name}> line {p.element.line}" for p in foreign[:EXAMPLES])
    more = f" and {len(foreign) - EXAMPLES} more" if len(foreign) > EXAMPLES else ""
    releases = " or ".join(d.label for d in ordered)
    options = " or ".join(f"--target {d.value}" for d in ordered)
    return f"the file uses elements only {releases} reads ({examples}{more}): if that is the server, give {options}."
