"""Which global source password Icecast 2.4.4 uses when a file gives two: the last one read.

2.4.4 reads ``<source-password>`` both at the root (the old place) and in
``<authentication>``, each overwriting the other, so the one later in the
file wins.  ``icecfg migrate`` writes that password into a default mount with
its own authentication (2.5 would refuse it there otherwise): it must be the
one the old server really used.  And where it moves a root password into
``<authentication>``, 2.5.0 with the migrated file must let in the source
password the old release let in.  Shown here on the running servers.
"""

from __future__ import annotations

import pytest

import icecfg
from icecfg.migrate.forms import global_source_password
from icecfg.spec import Dialect
from tests import audio, oracle
from tests.test_oracle_migrate import Plan, sandboxed, with_release_files

AUTH, ROOT = "auth-source-pw", "root-source-pw"
EARLY, BETWEEN, LATE = "auth-early-pw", "root-between-pw", "auth-late-pw"
#: After the file's <authentication> block (source password EARLY): a root password, then a second
#: block with LATE, which the old release reads last (KH: written as the block's attribute).
LATER = {
    "2.4": f"<source-password>{BETWEEN}</source-password>"
    f"<authentication><source-password>{LATE}</source-password></authentication>",
    "kh": f'<source-password>{BETWEEN}</source-password><authentication source-password="{LATE}"/>',
}


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


def accepted_passwords(data: bytes, box: oracle.Sandbox, port: int, song: bytes, name: str) -> list[str]:
    """Which of the global source passwords of this module a source logs in with, on ``box``'s release."""
    used = []
    with oracle.IcecastServer(data, box, wait_port=port, name=name) as server:
        for password in (EARLY, BETWEEN, LATE):
            with server.source(port, f"/{password}.ogg", song, password=password) as client:
                if client.accepted:
                    used.append(password)
    return used


@pytest.mark.parametrize("release", ["2.4", "kh"])
def test_2_5_0_with_the_migrated_file_takes_the_source_password_the_old_release_took(
    release: str, box25: oracle.Sandbox, request: pytest.FixtureRequest
) -> None:
    """A root ``<source-password>`` between two ``<authentication>`` blocks: the later block's wins on both."""
    box: oracle.Sandbox = request.getfixturevalue("box24" if release == "2.4" else "boxkh")
    data = oracle.basic_config(box, [8000], source_password=EARLY, admin_password="admin-pw-1", extra=LATER[release])
    plan = Plan(closed=oracle.free_port())
    song = audio.make_ogg(seconds=5, bitrate_kbps=64).read_bytes()
    old = with_release_files(sandboxed(data, box, plan), box)
    port = plan.ports[8000]
    used = accepted_passwords(old, box, port, song, f"between-{release}")
    assert used == [LATE]
    cfg = sandboxed(data, box25, plan)
    icecfg.upgrade(cfg, from_=release, files=False)
    new = with_release_files(cfg, box25)
    assert accepted_passwords(new, box25, port, song, f"between-{release}-migrated") == used, new.decode()
