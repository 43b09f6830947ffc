"""ICE606 and explain on file fallbacks of another format, and on Content-Types each release reads its own way.

A live MP3 (``audio/mpeg``) or AAC (``audio/aac``) source with a file
fallback of the other kind stops while a listener is connected.  2.4.4 and
2.5.0 move the listener to the file; KH logs ``format mismatched for`` the
file and drops it.  A file KH labels ``application/octet-stream`` is a type
KH does not know, checked against nothing: the listener is moved.  A source
of a type KH does not know (its mount's ``<type>`` saying the same) is
MPEG to KH, so an AAC file is refused as for an MP3 source.  And each
release reads the Content-Type its own way: 2.4.4 compares all of it
(``audio/ogg; codecs=vorbis`` is no Ogg), none ignores case, and 2.5.0 has a
format of its own for ``text/plain``.  What ICE606 and explain's fallback
chain say is held to what each release did.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import icecfg
from icecfg.effective import explain
from tests import oracle
from tests.audio import encode, ogg_vorbis
from tests.release_oracle import SOURCE_PASSWORD, box_for, config, drain, findings, listen

#: KH sends a file fallback only at a known rate: the mount's ``<limit-rate>`` gives one.
KH_RATE = "<limit-rate>128k</limit-rate>"

#: Both move MP3 and AAC alike; KH keeps them apart.
BOTH = {"2.4", "2.5"}

#: (live Content-Type, the source's audio, fallback file, the releases that move the listener)
CASES = [
    ("audio/mpeg", "mp3", "/fallback.aac", BOTH),
    ("audio/aac", "aac", "/fallback.mp3", BOTH),
    ("audio/mpeg", "mp3", "/fallback.bin", BOTH | {"kh"}),  # application/octet-stream: undefined to KH
    # a source of a type KH does not know is MPEG to it, not undefined: the AAC file is refused
    ("application/octet-stream", "mp3", "/fallback.aac", BOTH),
    ("audio/x-unheard-of", "mp3", "/fallback.aac", BOTH),
    # each release reads the type its own way (format_get_type), case by case on every one:
    # 2.4.4 compares the whole type, so with a parameter it is no Ogg; 2.5.0 and KH cut it off
    ("audio/ogg; codecs=vorbis", "ogg", "/fallback.ogg", {"2.5", "kh"}),
    # the type alone decides, not the bytes: KH takes a type it does not know for MPEG (and would
    # wait for MPEG frames in Ogg bytes), so MP3 is sent
    ("Audio/Ogg", "mp3", "/fallback.ogg", set()),
    # 2.5.0 has a format of its own for text/plain; 2.4.4 calls it generic, KH MPEG
    ("text/plain", "mp3", "/fallback.mp3", {"2.4", "kh"}),
]


@pytest.fixture(scope="module", params=["2.4", "2.5", "kh"])
def box(request: pytest.FixtureRequest) -> Iterator[oracle.Sandbox]:
    """A sandbox per release with an MP3 file, an AAC file and MP3 audio under a name no type names."""
    for sandbox in box_for(request.param):
        sandbox.write("web/fallback.mp3", encode("mp3", bitrate_kbps=128))
        sandbox.write("web/fallback.aac", encode("aac", bitrate_kbps=128))
        sandbox.write("web/fallback.bin", encode("mp3", bitrate_kbps=128))
        sandbox.write("web/fallback.ogg", ogg_vorbis(seconds=8, bitrate_kbps=128))
        yield sandbox


@pytest.mark.parametrize(("content_type", "kind", "fallback", "moving"), CASES)
def test_listeners_move_to_a_fallback_of_the_format_the_release_reads(
    box: oracle.Sandbox, content_type: str, kind: str, fallback: str, moving: set[str]
) -> None:
    """Whether a listener is moved to the file fallback or dropped, as ICE606 and explain say, on each release."""
    release = box.release
    moved = release in moving
    port = oracle.free_port()
    rate = KH_RATE if release == "kh" else ""
    data = config(
        box,
        port,
        extra=f"<mount><mount-name>/live</mount-name><type>{content_type}</type>{rate}"
        f"<fallback-mount>{fallback}</fallback-mount></mount>",
    )
    reported = findings(data, release, "ICE606")
    assert bool(reported) is not moved
    effective = explain(icecfg.loads(data), release)
    (mount,) = effective.mounts.normal()
    dropped_at = effective.chain(mount).dropped_at
    assert (dropped_at is None) is moved
    source_audio = ogg_vorbis(seconds=4) if kind == "ogg" else encode(kind, seconds=4, bitrate_kbps=128)
    with oracle.IcecastServer(data, box, wait_port=port, name=f"format-{release}") as server:
        with server.source(port, "/live", source_audio, password=SOURCE_PASSWORD, content_type=content_type) as source:
            assert source.accepted
            server.wait_mount(port, "/live")
            listener = listen(port, "/live")
            drain(listener, 0.5)
        received, closed = drain(listener, 4.0)
        listener.close()
        if moved:
            assert not closed and received > 20_000  # the fallback file keeps coming
        else:
            assert closed
            refused = f"format mismatched for {fallback}" if release == "kh" else "different types, ignored"
            assert refused in server.wait_log(refused)
            (finding,) = reported
            assert f"('{refused}')" in finding.message
            assert dropped_at is not None and dropped_at[0] == fallback
