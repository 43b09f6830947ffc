"""Which global source password Icecast 2.4.4 uses when a file gives two: the last one read.

2.4.4 reads ``<source-password>`` both at the root (the old place) and in
``<authentication>``, each overwriting the other, so the one later in the
file wins.  ``icecfg migrate`` writes that password into a default mount with
its own authentication (2.5 would refuse it there otherwise): it must be the
one the old server really used.  Shown here on the running server.
"""

from __future__ import annotations

import pytest

import icecfg
from icecfg.migrate.forms import global_source_password
from icecfg.spec import Dialect
from tests import audio, oracle

AUTH, ROOT = "auth-source-pw", "root-source-pw"


@pytest.mark.parametrize("root_last", [True, False], ids=["root-after-authentication", "root-before"])
def test_migrate_takes_the_source_password_2_4_uses(box24: oracle.Sandbox, root_last: bool) -> None:
    port = oracle.free_port()
    data = oracle.basic_config(
        box24,
        [port],
        source_password=AUTH,
        admin_password="admin-pw-1",
        extra=f"<source-password>{ROOT}</source-password>",
    )
    if not root_last:  # move the root-level password before <authentication>
        data = data.replace(f"<source-password>{ROOT}</source-password>".encode(), b"").replace(
            b"<authentication>", f"<source-password>{ROOT}</source-password><authentication>".encode()
        )
    song = audio.make_ogg(seconds=5, bitrate_kbps=64).read_bytes()
    accepted = {}
    with oracle.IcecastServer(data, box24, wait_port=port, name=f"pw-{root_last}") as server:
        for password in (AUTH, ROOT):
            with server.source(port, f"/{password}.ogg", song, password=password) as client:
                accepted[password] = client.accepted
    used = [password for password, ok in accepted.items() if ok]
    assert used == [ROOT if root_last else AUTH], accepted
    assert global_source_password(icecfg.loads(data).document.root, Dialect.V24) == used[0]
