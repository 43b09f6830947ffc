"""``icecfg migrate``: rewrite a configuration for a later Icecast release.

The rewrites come from the element table (each row's ``replacement``), go
through the lossless model (untouched lines stay byte-identical), and keep
what the old server actually did unless asked to follow what the file says
(``intent=True``).  This module stays light: ``icecfg.upgrade`` is
:func:`migrate`, and the work is imported only when it runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import os
    from collections.abc import Mapping

    from icecfg.migrate.change import Change, Migration
    from icecfg.sections import IcecastConfig
    from icecfg.spec import Dialect


def migrate(
    config: IcecastConfig,
    to: Dialect | str = "2.5",
    from_: Dialect | str = "2.4",
    intent: bool = False,
    root: str | None = None,
    files: bool = True,
    assets: Mapping[str, str | os.PathLike[str]] | None = None,
) -> Migration:
    """Rewrite ``config`` (in place) from release ``from_`` to release ``to``.

    ``intent=False`` keeps what ``from_`` really did where it read the file
    differently from what it says (``<fileserve>true</fileserve>`` is off on
    2.4.4); ``intent=True`` writes what the author meant.  ``root`` is where
    the server's files are looked up (whether 2.4's TLS certificate was
    usable); ``files=False`` assumes they were.  ``assets`` maps server paths
    to the local files bake installs there (``[bake.assets]``), as for
    ``icecfg.check``: a configuration made for a snapshot is migrated with
    the certificate the snapshot will have, not with whatever this machine
    has at that path.

    Returns a :class:`~icecfg.migrate.change.Migration` listing each change,
    what it keeps and what is lost; write ``config`` with :func:`icecfg.dump`.
    Raises ValueError for a target that is no release, or a ``to`` other
    than 2.5.
    """
    from icecfg.migrate.engine import run

    return run(config, from_, to, intent=intent, root=root, files=files, assets=assets)


def __getattr__(name: str) -> object:
    if name in ("Change", "Migration"):
        from icecfg.migrate import change

        return getattr(change, name)
    raise AttributeError(f"module 'icecfg.migrate' has no attribute {name!r}")


__all__ = ["Change", "Migration", "migrate"]
