"""Icecast 2.4.4 and 2.5.0 can crash in their first moments when a mount falls back to a file.

Both releases create their global counters only when the statistics thread
first runs (``_stats_thread`` in ``stats.c``); a counter incremented before
that makes it ``strdup(NULL)`` and the server dies of SIGSEGV.  The
fallback-file thread, which the server starts at once for every mount whose
``<fallback-mount>`` names a file in webroot, increments
``source_client_connections`` as it starts, with no client at all; the first
client connection increments ``connections``.  Which thread runs first is up
to the scheduler: on two loaded cores 2.4.4 crashed in 7 starts of 100 with
a file fallback, in none of 100 without one.  ``tests/test_oracle_startup_race.py`` shows
every case on both running servers with the statistics thread held back.
Icecast-KH creates its counters in the main thread.

No change to the file avoids the crash a client can cause, so this is a note
of ``icecfg explain`` (run it under a supervisor), not a lint finding.
"""

from __future__ import annotations

from icecfg.effective.fallbacks import Fallbacks
from icecfg.spec import V24_V25, Dialect

#: What restarts a crashed server in the image ``icecfg bake`` builds (packer/scripts/40-enable-services.sh).
BAKED_SUPERVISOR = "icecast2.service, Restart=on-failure, RestartSec=2s"


def file_fallback(fallbacks: Fallbacks) -> tuple[str, str] | None:
    """The first mount, in file order, whose fallback names a file listeners can reach, and that file.

    That mount's own fallback is the file (a chain through other mounts ends
    at the mount whose ``<fallback-mount>`` names it), so it is the mount
    whose fallback-file thread starts with the server.  None when no chain
    reaches a file, or every such file is known to be missing.
    """
    for mount, _fallback in fallbacks.chained():
        assert mount.name is not None  # chained() yields named mounts only
        names = fallbacks.end_file(mount.name)
        if names is not None:
            return names[-2], names[-1]
    return None


def startup_race_note(target: Dialect, fallbacks: Fallbacks) -> str | None:
    """The note ``icecfg explain`` gives when ``target`` can lose this race at start, else None.

    It names both releases, the same words for either target: migrating
    from 2.4 to 2.5 does not make the race go away.
    """
    if target not in V24_V25:
        return None
    found = file_fallback(fallbacks)
    if found is None:
        return None
    mount, file = found
    unchecked = " (if it exists in webroot: the files were not looked at)" if fallbacks.files is None else ""
    return (
        f"Icecast 2.4.4 and 2.5.0 can crash (SIGSEGV) in their first moments: the thread that plays {file}"
        f"{unchecked}, the fallback of {mount}, starts with the server and can count a connection before the "
        "statistics thread has made its counters (an Icecast race, likelier under CPU load; an early client "
        "can do the same). Run it under a supervisor that restarts it, as the image `icecfg bake` builds does "
        f"({BAKED_SUPERVISOR})."
    )
