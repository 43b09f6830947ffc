"""Fallback rules (ICE6xx): values, targets, loops, depth, formats and the fallback file's stream."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import icecfg
from icecfg.lint import lint
from tests.audio import encode, ogg_vorbis
from tests.rules.cases import Case, check_case, run

OGG_128 = ogg_vorbis(bitrate_kbps=128)
OGG_64 = ogg_vorbis(bitrate_kbps=64)
OGG_22K_MONO = ogg_vorbis(rate=22050, channels=1, bitrate_kbps=64)
MP3_128 = encode("mp3", bitrate_kbps=128)
#: The start of files the audio reader cannot parse: native FLAC and AAC in MP4 (neither is text).
FLAC_HEAD = b"fLaC\x80\x00\x00\x22" + bytes(range(34))
M4A_HEAD = b"\x00\x00\x00\x20ftypM4A \x00\x00\x02\x00M4A isommp42" + bytes(64)
OPUS_64 = encode("opus", bitrate_kbps=64)

WEB = "<paths><webroot>/web</webroot></paths>"
FILES = {
    "/web/fallback.ogg": OGG_128,
    "/web/low.ogg": OGG_64,
    "/web/fallback.mp3": MP3_128,
    "/web/fallback[128].ogg": OGG_128,
}


def cfg(*mounts: str, extra: str = WEB) -> bytes:
    return f"<icecast>{extra}{''.join(mounts)}</icecast>".encode()


def mount(name: str, fallback: str | None = None, body: str = "", kind: str | None = None) -> str:
    attr = f' type="{kind}"' if kind else ""
    fb = f"<fallback-mount>{fallback}</fallback-mount>" if fallback is not None else ""
    name_el = f"<mount-name>{name}</mount-name>" if name else ""
    return f"<mount{attr}>{name_el}{fb}{body}</mount>"


def chain(length: int) -> bytes:
    """/m0 -> /m1 -> ... -> /m{length-1} -> /fallback.ogg: ``length`` hops from /m0."""
    mounts = [mount(f"/m{i}", f"/m{i + 1}" if i < length - 1 else "/fallback.ogg") for i in range(length)]
    return cfg(*mounts)


CASES = [
    # ICE601 fallback-mount-not-absolute ------------------------------------------------
    Case(
        "ICE601",
        cfg(mount("/live.ogg", "fallback.ogg")),
        cfg(mount("/live.ogg", "/fallback.ogg")),
        message="<fallback-mount> 'fallback.ogg' does not start with /: Icecast 2.4.4 opens no file",
    ),
    Case(
        "ICE601",
        cfg(mount("/live.ogg", " fallback.ogg")),
        cfg(mount("/live.ogg", " /fallback.ogg")),  # only whitespace: ICE207's business
        message="write '/fallback.ogg'",
        id="leading-space",
    ),
    Case(
        "ICE601",
        cfg(mount("/live.ogg", "fallback.ogg")),
        cfg(mount("/live.ogg", "/fallback.ogg")),
        target="2.5",
        message="Icecast 2.5 opens no file",
    ),
    Case(
        "ICE601",
        cfg('<mount><mount-name>/live.ogg</mount-name><fallback mount="backup.ogg"/></mount>'),
        cfg('<mount><mount-name>/live.ogg</mount-name><fallback mount="/backup.ogg"/></mount>'),
        target="kh",
        message="Icecast-KH drops it",
    ),
    Case(
        "ICE601",
        cfg("<mount><mount-name>/live.ogg</mount-name><fallback>backup.ogg</fallback></mount>"),
        cfg("<mount><mount-name>/live.ogg</mount-name><fallback>/backup.ogg</fallback></mount>"),
        target="kh",
        message="<fallback> 'backup.ogg' does not start with /",
        id="kh-fallback-text",
    ),
    Case(
        "ICE601",
        # KH reads <fallback> and <fallback-mount> into one field: the one written last counts
        cfg(
            '<mount><mount-name>/live.ogg</mount-name><fallback mount="/backup.ogg"/>'
            "<fallback-mount>backup.ogg</fallback-mount></mount>"
        ),
        cfg(
            "<mount><mount-name>/live.ogg</mount-name><fallback-mount>backup.ogg</fallback-mount>"
            '<fallback mount="/backup.ogg"/></mount>'
        ),
        target="kh",
        message="<fallback-mount> 'backup.ogg'",
        id="kh-the-last-fallback-element-counts",
    ),
    # ICE602 fallback-target-missing ----------------------------------------------------
    Case(
        "ICE602",
        cfg(mount("/live.ogg", "/fallbak.ogg")),
        cfg(mount("/live.ogg", "/fallback.ogg")),
        files=FILES,
        message="fallback /fallbak.ogg of /live.ogg is no <mount>, no relay and no file (/web/fallbak.ogg does not exist)",
    ),
    Case(
        "ICE602",
        cfg(mount("/live.ogg", "/fallbak.ogg", body="<limit-rate>128k</limit-rate>")),
        cfg(mount("/live.ogg", "/fallback.ogg", body="<limit-rate>128k</limit-rate>")),
        files=FILES,
        target="kh",
        message="when /live.ogg has no source its listeners get 404",
    ),
    Case(
        "ICE602",
        cfg(mount("/live.ogg", "/backup.ogg")),
        cfg(mount("/live.ogg", "/backup.ogg"), mount("/backup.ogg")),
        files=FILES,
        id="defined-mount",
    ),
    Case(
        "ICE602",
        cfg(mount("/live.ogg", "/relayed.ogg")),
        cfg(
            mount("/live.ogg", "/relayed.ogg"),
            "<relay><server>up</server><mount>/x</mount><local-mount>/relayed.ogg</local-mount></relay>",
        ),
        files=FILES,
        id="relay",
    ),
    Case(
        "ICE602",
        cfg(mount("/live.ogg", "/backup1"), mount("/other*")),
        cfg(mount("/live.ogg", "/backup1"), mount("/backup*")),
        files=FILES,
        id="glob-2.4",
    ),
    Case(
        "ICE602",
        cfg(mount("/live.ogg", "/backup1"), mount("/backup*")),
        cfg(mount("/live.ogg", "/backup1"), mount("/backup1")),
        target="2.5",
        files=FILES,
        id="no-glob-2.5",
    ),
    Case(
        "ICE602",
        cfg(
            mount("/live.ogg", "/fallback.ogg"),
            extra="<paths><basedir>/jail</basedir><webroot>/web</webroot></paths><security><chroot>1</chroot></security>",
        ),
        cfg(
            mount("/live.ogg", "/fallback.ogg"),
            extra="<paths><basedir>/jail</basedir><webroot>/web</webroot></paths><security><chroot>0</chroot></security>",
        ),
        files=FILES,
        message="/jail/web/fallback.ogg does not exist",
        id="chroot",
    ),
    Case(
        "ICE602",
        cfg(
            mount("/live.ogg", "/fallback.ogg"),
            extra="<paths><webroot>/web/</webroot></paths><fileserve>0</fileserve>",
        ).replace(b"/web/", b"/www/"),
        cfg(
            mount("/live.ogg", "/fallback.ogg"),
            extra="<paths><webroot>/web/</webroot></paths><fileserve>0</fileserve>",
        ),
        files=FILES,
        id="trailing-slash-and-fileserve-0",
    ),
    # ICE603 fallback-cycle -------------------------------------------------------------
    Case(
        "ICE603",
        cfg(mount("/a", "/b"), mount("/b", "/c"), mount("/c", "/a")),
        cfg(mount("/a", "/b"), mount("/b", "/c"), mount("/c", "/fallback.ogg")),
        message="fallback chain /a -> /b -> /c -> /a loops",
    ),
    Case(
        "ICE603",
        cfg(mount("/a", "/a")),
        cfg(mount("/a", "/fallback.ogg")),
        target="kh",
        message="/a -> /a loops",
    ),
    Case(
        "ICE603",
        cfg(mount("/a", "/b"), mount("/b", "/a")),
        cfg(mount("/a", "/b"), mount("/b", "/fallback.ogg")),
        target="2.5",
        message="/a -> /b -> /a loops: when none of these mounts has a source, their listeners get 404",
    ),
    # ICE604 fallback-chain-too-long ----------------------------------------------------
    Case("ICE604", chain(10), chain(9), message="is 10 hops long"),
    Case("ICE604", chain(12), chain(9), target="2.5", message="never reach", id="2.5"),
    Case("ICE604", chain(10), chain(9), target="kh", message="get 403 instead"),
    # ICE605 fallback-options-without-fallback-mount ------------------------------------
    Case(
        "ICE605",
        cfg(mount("/live.ogg", body="<fallback-override>1</fallback-override>")),
        cfg(mount("/live.ogg", body="<fallback-override>0</fallback-override>")),
        message="<fallback-override>1</fallback-override> on /live.ogg without <fallback-mount> does nothing",
    ),
    Case(
        "ICE605",
        cfg(mount("/live.ogg", body="<fallback-when-full>1</fallback-when-full>")),
        cfg(mount("/live.ogg", "/fallback.ogg", body="<fallback-when-full>1</fallback-when-full>")),
        id="when-full",
    ),
    Case(
        "ICE605",
        cfg(mount("/live.ogg", body="<fallback-override>own</fallback-override>")),
        cfg(mount("/live.ogg", body="<fallback-override>none</fallback-override>")),
        target="2.5",
    ),
    Case(
        "ICE605",
        cfg(mount("/live.ogg", body="<fallback-override>1</fallback-override>")),
        cfg(
            mount("/live.ogg", body="<fallback-override>1</fallback-override>"),
            mount("", "/fallback.ogg", kind="default"),
        ),
        id="inherited-from-default-mount",
    ),
    # ICE606 fallback-format-mismatch ---------------------------------------------------
    Case(
        "ICE606",
        cfg(mount("/live.mp3", "/fallback.ogg")),
        cfg(mount("/live.mp3", "/fallback.mp3")),
        message="/live.mp3 is MP3/AAC (not Ogg) (going by its name) but its fallback /fallback.ogg is Ogg (a file Icecast labels audio/ogg)",
    ),
    Case(
        "ICE606",
        cfg(mount("/live", "/fallback.ogg", body="<type>audio/mpeg</type>")),
        cfg(mount("/live", "/fallback.ogg", body="<type>application/ogg</type>")),
        target="2.5",
        message="(<type>audio/mpeg</type>)",
    ),
    Case(
        "ICE606",
        cfg(mount("/live.mp3", "/fallback.ogg")),
        cfg(mount("/live.mp3", "/fallback.mp3")),
        target="kh",
        message="Icecast-KH does not move listeners between them ('format mismatched for /fallback.ogg')",
    ),
    Case(
        "ICE606",
        cfg(mount("/live", "/fallback.ogg", body="<type>audio/ogg; codecs=vorbis</type>")),
        cfg(mount("/live", "/fallback.ogg", body="<type>audio/ogg</type>")),
        message="is MP3/AAC (not Ogg) (<type>audio/ogg; codecs=vorbis</type>)",  # 2.4.4 compares it whole
        id="2.4-type-with-a-parameter",
    ),
    Case(
        "ICE606",
        cfg(mount("/live", "/fallback.mp3", body="<type>text/plain</type>")),
        cfg(mount("/live", "/fallback.mp3", body="<type>audio/mpeg; x=1</type>")),  # 2.5 cuts at ";"
        target="2.5",
        message="is text/plain (a format of its own to Icecast 2.5)",
        id="2.5-text-plain",
    ),
    Case(
        "ICE606",
        cfg(mount("/live.mp3", "/fallback.aac")),
        cfg(mount("/live.mp3", "/fallback.mp3")),
        target="kh",
        message="/live.mp3 is MPEG audio (MP3) (going by its name) but its fallback /fallback.aac is AAC",
        id="kh-mp3-to-aac",
    ),
    Case(
        "ICE606",
        cfg(mount("/live", "/fallback.mp3", body="<type>audio/aacp</type>")),
        cfg(mount("/live", "/fallback.mp3", body="<type>application/octet-stream</type>")),
        target="kh",
        message="'format mismatched for /fallback.mp3'",
        id="kh-aac-to-mp3",
    ),
    Case(
        "ICE606",
        cfg(mount("/live", "/fallback.aac", body="<type>application/octet-stream</type>")),
        cfg(mount("/live", "/fallback.bin", body="<type>application/octet-stream</type>")),
        target="kh",
        message="/live is MPEG audio (MP3) (<type>application/octet-stream</type>, a type KH does not know: "
        "it takes the stream for MPEG) but its fallback /fallback.aac is AAC",
        id="kh-unknown-type-is-mpeg",
    ),
    Case(
        "ICE606",
        cfg(mount("/live.mp3", "/backup.mp3"), mount("/backup.mp3", "/silence.ogg")),
        cfg(mount("/live.mp3", "/backup"), mount("/backup", "/silence.mp3")),
        message="its fallback /silence.ogg (reached through /backup.mp3)",
        id="through-a-mount",
    ),
    Case(
        "ICE606",
        cfg(mount("/live.opus", "/fallback.mp3")),
        cfg(mount("/live", "/fallback.mp3")),
        id="unknown-live-format",
    ),
    # ICE607 fallback-stream-mismatch ---------------------------------------------------
    Case(
        "ICE607",
        cfg(mount("/live.ogg", "/low.ogg", body="<bitrate>128</bitrate>")),
        cfg(mount("/live.ogg", "/fallback.ogg", body="<bitrate>128</bitrate>")),
        files=FILES,
        message="/live.ogg: its fallback file /low.ogg is Ogg Vorbis 64 kbps 44100 Hz stereo but /live.ogg declares <bitrate>128</bitrate>: Icecast forwards a fallback as it is",
    ),
    Case(
        "ICE607",
        cfg(mount("/live.ogg", "/fallback.opus", body="<subtype>vorbis</subtype>")),
        cfg(mount("/live.ogg", "/fallback.opus", body="<subtype>opus</subtype>")),
        files={"/web/fallback.opus": OPUS_64},
        message="declares <subtype>vorbis</subtype>",
        id="codec",
    ),
    Case(
        "ICE607",
        cfg(mount("/live", "/fallback.mp3", body="<type>audio/aac</type>")),
        cfg(mount("/live", "/fallback.mp3", body="<type>audio/mpeg</type>")),
        files=FILES,
        target="2.5",
        id="type",
    ),
    Case(
        "ICE607",
        cfg(
            mount("/live.ogg", "/backup"),
            mount("/backup", "/low.ogg"),
            mount("/other", body="<bitrate>128</bitrate>"),
        ).replace(b"<mount-name>/live.ogg</mount-name>", b"<mount-name>/live.ogg</mount-name><bitrate>128</bitrate>"),
        cfg(mount("/live.ogg", "/backup"), mount("/backup", "/fallback.ogg")).replace(
            b"<mount-name>/live.ogg</mount-name>", b"<mount-name>/live.ogg</mount-name><bitrate>128</bitrate>"
        ),
        files=FILES,
        message="its fallback file /low.ogg (reached through /backup) is Ogg Vorbis 64 kbps",
        target="kh",
        id="chain",
    ),
    Case(
        "ICE607",
        cfg(mount("/live.ogg", "/fallback.ogg", body="<intro>intro.ogg</intro>")),
        cfg(mount("/live.ogg", "/fallback.ogg", body="<intro>intro-ok.ogg</intro>")),
        files={**FILES, "/web/intro.ogg": OGG_22K_MONO, "/web/intro-ok.ogg": OGG_128},
        message="but its <intro> intro.ogg is Ogg Vorbis 64 kbps 22050 Hz mono (another sample rate, another channel count, another bitrate)",
        id="intro",
    ),
    Case(
        "ICE607",
        cfg(mount("/live", "/backup", body="<bitrate>128</bitrate>"), mount("/backup", body="<bitrate>48</bitrate>")),
        cfg(mount("/live", "/backup", body="<bitrate>128</bitrate>"), mount("/backup", body="<bitrate>128</bitrate>")),
        files=FILES,
        message="its fallback /backup declares <bitrate>48</bitrate> and /live <bitrate>128</bitrate>",
        id="mount-to-mount",
    ),
    # ICE609 fallback-file-unplayable --------------------------------------------------
    Case(
        "ICE609",
        cfg(mount("/live.ogg", "/placeholder.ogg")),
        cfg(mount("/live.ogg", "/fallback.ogg")),  # a real Ogg file
        files={**FILES, "/web/placeholder.ogg": b""},
        message="fallback file /placeholder.ogg of /live.ogg (/web/placeholder.ogg) is empty (0 bytes): "
        "Icecast 2.4.4 answers 200 and then sends no data",
    ),
    Case(
        "ICE609",
        cfg(mount("/live.mp3", "/notes.mp3")),
        cfg(mount("/live.flac", "/fallback.flac")),  # a format the reader cannot parse is not judged
        files={"/web/notes.mp3": b"TODO: put the jingle here\n", "/web/fallback.flac": FLAC_HEAD},
        target="2.5",
        message="is text, not audio: Icecast 2.5 answers 200 and sends the text over and over",
        id="text-2.5",
    ),
    Case(
        "ICE609",
        cfg(mount("/live.ogg", "/placeholder[128].ogg")),
        cfg(mount("/live.m4a", "/fallback.m4a", body="<limit-rate>128k</limit-rate>")),
        files={"/web/placeholder[128].ogg": b"", "/web/fallback.m4a": M4A_HEAD},
        target="kh",
        message="kh22 crashed when the source came back",
        id="kh",
    ),
    Case(
        "ICE609",
        cfg(mount("/live.ogg", "/backup"), mount("/backup", "/placeholder.ogg")),
        cfg(mount("/live.ogg", "/backup"), mount("/backup", "/fallback.ogg")),
        files={**FILES, "/web/placeholder.ogg": b""},
        message="fallback file /placeholder.ogg of /backup",
        id="at-the-mount-naming-the-file",
    ),
    Case(
        "ICE609",
        cfg(mount("/live.ogg", "/jingle.ogg")),
        cfg(mount("/live.ogg", "/fallback.ogg")),
        files={**FILES, "/web/jingle.ogg": MP3_128},
        message="fallback file /jingle.ogg of /live.ogg (/web/jingle.ogg) holds MPEG audio (MP3), which its "
        "extension .ogg does not name: Icecast 2.4.4 labels it by the extension as an Ogg stream",
        id="mp3-named-ogg",
    ),
    Case(
        "ICE609",
        cfg(mount("/live.mp3", "/jingle.mp3")),
        cfg(mount("/live.mp3", "/fallback.mp3")),
        files={**FILES, "/web/jingle.mp3": OGG_128},
        target="2.5",
        message="holds Ogg, which its extension .mp3 does not name: Icecast 2.5 labels it by the extension as "
        "a non-Ogg stream",
        id="ogg-named-mp3-2.5",
    ),
    # ICE608 kh-file-fallback-without-rate ----------------------------------------------
    Case(
        "ICE608",
        cfg(mount("/live.ogg", "/fallback.ogg")),
        cfg(
            "<mount><mount-name>/live.ogg</mount-name><fallback><mount>/fallback.ogg</mount><rate>128k</rate></fallback></mount>"
        ),
        target="kh",
        files=FILES,
        message="a listener who tunes in while /live.ogg has no source gets 404",
    ),
    Case(
        "ICE608",
        cfg(mount("/live.ogg", "/backup"), mount("/backup", "/fallback.ogg")),
        cfg(mount("/live.ogg", "/backup"), mount("/backup", "/fallback.ogg", body="<limit-rate>128k</limit-rate>")),
        target="kh",
        files=FILES,
        message="the fallback file /fallback.ogg (reached through /backup) of /live.ogg",
        id="limit-rate-along-the-chain",
    ),
    Case(
        "ICE608",
        cfg(mount("/live.ogg", "/fallback.ogg")),
        cfg(mount("/live.ogg", "/fallback[128].ogg")),  # the rate in the file's name
        target="kh",
        files=FILES,
        id="rate-in-the-name",
    ),
    Case(
        "ICE608",
        # KH parses <fallback> and <fallback-mount> alike and each sets the rate: the last one's stays
        cfg(
            "<mount><mount-name>/live.ogg</mount-name><fallback><mount>/fallback.ogg</mount><rate>128k</rate>"
            "</fallback><fallback-mount>/fallback.ogg</fallback-mount></mount>"
        ),
        cfg(
            "<mount><mount-name>/live.ogg</mount-name><fallback-mount>/fallback.ogg</fallback-mount>"
            "<fallback><mount>/fallback.ogg</mount><rate>128k</rate></fallback></mount>"
        ),
        target="kh",
        files=FILES,
        id="the-last-fallback-element-sets-the-rate",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.test_id)
def test_rule(case: Case, tmp_path: Path) -> None:
    check_case(case, tmp_path)


def test_ice601_fix_adds_the_slash() -> None:
    cfg_ = icecfg.loads(cfg(mount("/live.ogg", " fallback.ogg")), path="icecast.xml")
    (finding,) = [f for f in lint(cfg_, files=False) if f.code == "ICE601"]
    assert finding.fix is not None
    finding.fix()
    assert b"<fallback-mount>/fallback.ogg</fallback-mount>" in cfg_.document.dumps()
    assert not [f for f in lint(cfg_, files=False) if f.code == "ICE601"]


def test_ice609_fixtures_the_reader_cannot_parse_are_not_text() -> None:
    """The good fixtures of ICE609 are files the reader gives up on, so they show unknown is not unplayable."""
    from icecfg.audio import is_text, probe

    for name, data in (("fallback.flac", FLAC_HEAD), ("fallback.m4a", M4A_HEAD)):
        assert probe(data, name) is None and not is_text(data), name
    assert is_text("Ersatz für später\n".encode()[:-2]) and not is_text(b"")  # a cut character is still text


def test_ice609_audio_named_for_its_format_is_not_reported(tmp_path: Path) -> None:
    """False positives: only audio whose extension gives Icecast another format type is reported.

    Ogg Opus as .opus, FLAC as .flac, MP3 as upper-case .MP3, AAC as .mp3
    (another codec, the same format type: ICE607's business) and audio
    under a name Icecast has no type for are not ICE609's.
    """
    (tmp_path / "web").mkdir()
    files = {
        "silence.opus": OPUS_64,
        "fallback.flac": FLAC_HEAD,
        "JINGLE.MP3": MP3_128,
        "aac.mp3": encode("aac"),
        "fallback": MP3_128,
        "fallback.bin": OGG_128,
    }
    for name, data in files.items():
        (tmp_path / "web" / name).write_bytes(data)
    data = cfg(*(mount(f"/m{i}", f"/{name}") for i, name in enumerate(files)))
    for target in ("2.4", "2.5", "kh"):
        assert [f.message for f in run(data, target, tmp_path) if f.code == "ICE609"] == [], target
    (tmp_path / "web" / "fallback.bin").rename(tmp_path / "web" / "fallback.mp3")
    data = cfg(mount("/m", "/fallback.mp3"))
    assert [f.code for f in run(data, "2.4", tmp_path) if f.code == "ICE609"] == ["ICE609"]  # the same bytes


def test_a_missing_file_is_ice602_and_an_empty_one_ice609(tmp_path: Path) -> None:
    """One finding per file: ICE602 when it is not there (404), ICE609 when what is there plays nothing.

    A directory in the file's place is served like an empty file (200, no data), not like a missing one.
    """
    (tmp_path / "web" / "folder.ogg").mkdir(parents=True)
    (tmp_path / "web" / "empty.ogg").write_bytes(b"")
    data = cfg(mount("/a.ogg", "/gone.ogg"), mount("/b.ogg", "/empty.ogg"), mount("/c.ogg", "/folder.ogg"))
    found = sorted(
        (f.code, f.message.split(" of ")[0]) for f in run(data, "2.4", tmp_path) if f.code.startswith("ICE60")
    )
    assert found == [
        ("ICE602", "fallback /gone.ogg"),
        ("ICE609", "fallback file /empty.ogg"),
        ("ICE609", "fallback file /folder.ogg"),
    ]


def test_ice601_fix_does_not_point_at_an_empty_file(tmp_path: Path) -> None:
    """Fixing never adds a finding: the slash is not added when the file it would name is empty (ICE609)."""
    (tmp_path / "web").mkdir()
    (tmp_path / "web" / "fallback.ogg").write_bytes(b"")
    data = cfg(mount("/live.ogg", "fallback.ogg"))
    (finding,) = [f for f in run(data, "2.4", tmp_path) if f.code == "ICE601"]
    assert finding.fix is None
    (tmp_path / "web" / "fallback.ogg").write_bytes(OGG_128)
    (finding,) = [f for f in run(data, "2.4", tmp_path) if f.code == "ICE601"]
    assert finding.fix is not None


def test_ice608_sees_a_rate_added_through_the_model() -> None:
    """A rate written after loading counts: lint answers for the document as it is now, not as it was read."""
    cfg_ = icecfg.loads(cfg(mount("/live.ogg", "/backup"), mount("/backup", "/fallback.ogg")))
    assert [f.code for f in lint(cfg_, "kh", files=False) if f.code == "ICE608"] == ["ICE608", "ICE608"]
    cfg_.mounts[1].limit_rate = 128000  # bits per second
    assert not [f for f in lint(cfg_, "kh", files=False) if f.code == "ICE608"]


#: A rate for KH to send file fallbacks at (without one ICE608 holds the fix back).
KH_RATE = "<limit-rate>128k</limit-rate>"


def test_ice601_fix_writes_where_kh_read_the_value() -> None:
    """The fix changes the text, the mount= attribute or the <mount> child: whichever KH used."""
    forms = (
        ("<fallback>backup.ogg</fallback>", "<fallback>/backup.ogg</fallback>"),
        ('<fallback mount="backup.ogg">/x.ogg</fallback>', '<fallback mount="/backup.ogg">/x.ogg</fallback>'),
        ("<fallback><mount>backup.ogg</mount></fallback>", "<fallback><mount>/backup.ogg</mount></fallback>"),
    )
    for written, fixed in forms:
        cfg_ = icecfg.loads(cfg(f"<mount><mount-name>/live.ogg</mount-name>{KH_RATE}{written}</mount>"))
        (finding,) = [f for f in lint(cfg_, "kh", files=False) if f.code == "ICE601"]
        assert finding.fix is not None
        finding.fix()
        assert fixed.encode() in cfg_.document.dumps(), written


def test_ice601_points_at_the_value() -> None:
    data = b"<icecast>\n<mount>\n  <mount-name>/a</mount-name>\n  <fallback-mount>b.ogg</fallback-mount>\n</mount>\n</icecast>"
    (finding,) = [f for f in run(data, files=False) if f.code == "ICE601"]
    assert (finding.line, finding.column) == (4, 19)


def test_kh_file_fallback_without_rate_only_on_kh_and_not_for_a_missing_file(tmp_path: Path) -> None:
    """2.4 and 2.5 need no rate; a file that does not exist is ICE602's, not reported twice."""
    data = cfg(mount("/live.ogg", "/fallback.ogg"), mount("/gone.ogg", "/missing.ogg"))
    for target in ("2.4", "2.5"):
        assert not [f for f in run(data, target, tmp_path) if f.code == "ICE608"]
    (tmp_path / "web").mkdir()
    (tmp_path / "web/fallback.ogg").write_bytes(OGG_128)
    found = [f for f in run(data, "kh", tmp_path) if f.code in ("ICE602", "ICE608")]
    assert sorted((f.code, "/gone.ogg" in f.message) for f in found) == [("ICE602", True), ("ICE608", False)]


def test_file_rules_are_skipped_without_the_filesystem() -> None:
    data = cfg(mount("/live.ogg", "/missing.ogg", body="<bitrate>128</bitrate>"))
    codes = {f.code for f in run(data, files=False)}
    assert not codes & {"ICE602", "ICE607"}


def test_a_loop_is_reported_once_and_not_as_too_long(tmp_path: Path) -> None:
    data = cfg(mount("/x", "/a"), mount("/a", "/b"), mount("/b", "/a"))
    findings = run(data, root=tmp_path)
    assert [f.code for f in findings if f.code in ("ICE603", "ICE604")] == ["ICE603"]


def test_chain_too_long_is_reported_for_each_mount_out_of_reach() -> None:
    findings = [f for f in run(chain(11), files=False) if f.code == "ICE604"]
    assert [f.message.split(" is ")[0] for f in findings] == [
        "the fallback chain of /m0",
        "the fallback chain of /m1",
    ]


def test_default_mount_fallback_is_inherited_on_2_4(tmp_path: Path) -> None:
    """A normal mount without its own fallback takes the default mount's (merge_mounts)."""
    (tmp_path / "web").mkdir()
    data = cfg(mount("/live.mp3"), mount("", "/fallback.ogg", kind="default"))
    findings = run(data, "2.4", tmp_path)
    (mismatch,) = [f for f in findings if f.code == "ICE606"]
    assert mismatch.message.startswith("/live.mp3 is MP3/AAC")  # the inherited Ogg fallback
    assert len([f for f in findings if f.code == "ICE602"]) == 1  # reported once, at the default mount
    assert not [f for f in findings if f.code == "ICE603"]  # the file ends the chain: no loop


@pytest.mark.parametrize("target", ["2.4", "2.5"])
def test_mp3_and_aac_are_one_format_to_2_4_and_2_5(target: str) -> None:
    """2.4.4 and 2.5.0 move an MP3 mount's listeners to an AAC file (and back); only KH keeps them apart."""
    for data in (cfg(mount("/live.mp3", "/fallback.aac")), cfg(mount("/live.aac", "/fallback.mp3"))):
        assert not [f for f in run(data, target, files=False) if f.code == "ICE606"]


MOUNT_NAMES = st.sampled_from(["/a", "/b", "/a*", "/[ab]", "/?", "/live", "/live*", "/x/y", "/*"])


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(MOUNT_NAMES, st.sampled_from(["normal", "default"])), max_size=6),
    st.sampled_from(["2.4", "2.5", "kh"]),
    st.lists(MOUNT_NAMES, min_size=1, max_size=5),
)
def test_indexed_mount_lookup_equals_icecasts_linear_one(
    mounts: list[tuple[str, str]], target: str, queries: list[str]
) -> None:
    from icecfg.effective import explain

    body = "".join(f'<mount type="{kind}"><mount-name>{name}</mount-name></mount>' for name, kind in mounts)
    table = explain(icecfg.loads(f"<icecast>{body}</icecast>".encode()), target).mounts
    for name in queries:
        assert table.find(name) is table.find_linearly(name)
