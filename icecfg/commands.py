"""What every icecfg command shares: exit status, usage errors, settings, the API token.

Each command's module (``lint/command.py``, ``bake/command.py``,
``ondemand/*``, ``migrate/command.py``) builds on this one, so the exit
status documented in docs/command-line.md means the same for all of them and
a problem with the settings file reads the same whichever command met it.
"""

from __future__ import annotations

import os
from pathlib import Path

from icecfg.errors import IcecfgError
from icecfg.settings import Settings, SettingsError, find

#: Exit status of every command: done; failed (or found what it was asked to
#: look for: lint findings, migrate losses); called or set up wrongly.
EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2

#: Environment variables the DigitalOcean API token is read from, in this order.
TOKEN_VARIABLES = ("DIGITALOCEAN_TOKEN", "DIGITALOCEAN_ACCESS_TOKEN")


class UsageError(IcecfgError):
    """A one-line problem with how icecfg was called or set up (exit 2)."""


def settings_near(path: str | os.PathLike[str] | None) -> Settings:
    """The nearest settings from ``path``'s directory up (from the current directory without it).

    A settings file that cannot be read or understood is a :class:`UsageError`.
    """
    try:
        return find(Path(path).resolve() if path else Path.cwd())
    except SettingsError as err:
        raise UsageError(str(err)) from None


def token_from_environment() -> str:
    """The DigitalOcean API token, or a UsageError naming the variables to set (never printed)."""
    for name in TOKEN_VARIABLES:
        value = os.environ.get(name, "").strip()
        if value:
            return value
    raise UsageError("no DigitalOcean API token: set DIGITALOCEAN_TOKEN (or DIGITALOCEAN_ACCESS_TOKEN)")
