"""The library's functions: what ``import icecfg`` offers, in one place.

``icecfg/__init__.py`` binds these names on first use, so that importing one
module of icecfg (``icecfg.bake.snapshots``, ``icecfg.errors``) loads that
module and what it needs, never the linter or the model.  The jobs' own
packages (``icecfg.lint``, ``icecfg.migrate``, ``icecfg.effective``) keep
their names: the functions here are called for what they return, so that
``icecfg.lint`` is always the package and ``import icecfg.lint.rule`` works
after ``import icecfg``.  Each function imports its job when it is called.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from icecfg.errors import (
    FileChangedError,
    IcecfgError,
    InvalidValueError,
    LocatedError,
    ParseError,
    UnsafeWriteError,
    WriteError,
)
from icecfg.io import dump, dumps, load, loads
from icecfg.sections import *  # noqa: F403 - the model's section classes
from icecfg.sections import IcecastConfig
from icecfg.sections import __all__ as _sections
from icecfg.spec import Dialect
from icecfg.values import Crash, FallbackOverride, MountType, TlsMode
from icecfg.version import __version__

if TYPE_CHECKING:
    from icecfg.effective.config import EffectiveConfig
    from icecfg.files import FileView
    from icecfg.lint.finding import Finding
    from icecfg.migrate.change import Change, Migration


def check(
    config: IcecastConfig,
    target: Dialect | str = Dialect.V24,
    root: str | None = None,
    *,
    select: Iterable[str] = (),
    ignore: Iterable[str] = (),
    files: bool = True,
    path: str | None = None,
    assets: Mapping[str, str | os.PathLike[str]] | None = None,
    variables: Mapping[str, str] | None = None,
) -> list[Finding]:
    """The findings of ``icecfg lint`` on ``config`` for Icecast ``target``, sorted by line.

    Server paths (certificate, fallback files, log directory) are looked up
    under ``root``; ``files=False`` skips the rules that read them.  See
    :func:`icecfg.lint.engine.lint` for ``select``, ``ignore``, ``assets`` and
    ``variables``.
    """
    from icecfg.lint.engine import lint

    return lint(
        config,
        target,
        root,
        select=select,
        ignore=ignore,
        files=files,
        path=path,
        assets=assets,
        variables=variables,
    )


def upgrade(
    config: IcecastConfig,
    to: Dialect | str = "2.5",
    from_: Dialect | str = "2.4",
    intent: bool = False,
    root: str | None = None,
    files: bool = True,
) -> Migration:
    """Rewrite ``config`` in place for release ``to``, as ``icecfg migrate`` does.

    ``intent=False`` keeps what ``from_`` really did where it read the file
    differently from what it says; ``intent=True`` writes what the author
    meant.  The :class:`Migration` returned lists every change.
    """
    from icecfg.migrate import migrate

    return migrate(config, to, from_, intent=intent, root=root, files=files)


def explain(
    config: IcecastConfig, target: Dialect | str = Dialect.V24, files: FileView | None = None
) -> EffectiveConfig:
    """What release ``target`` really does with ``config``, as ``icecfg explain`` shows it."""
    from icecfg.effective.config import explain as effective

    return effective(config, target, files)


def __getattr__(name: str) -> object:
    if name in ("Change", "Migration"):  # the results of ``upgrade``, loaded with it
        from icecfg.migrate import change

        return getattr(change, name)
    raise AttributeError(f"module 'icecfg' has no attribute {name!r}")


__all__ = [  # noqa: PLE0604 - the sections' names are generated
    "Change",
    "Crash",
    "Dialect",
    "FallbackOverride",
    "FileChangedError",
    "IcecfgError",
    "InvalidValueError",
    "LocatedError",
    "Migration",
    "MountType",
    "ParseError",
    "TlsMode",
    "UnsafeWriteError",
    "WriteError",
    "__version__",
    "check",
    "dump",
    "dumps",
    "explain",
    "load",
    "loads",
    "upgrade",
    *_sections,
]
