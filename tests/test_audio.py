"""Reading fallback audio headers (icecfg.audio) on files encoded at test time.

Ogg Vorbis comes from ``oggenc``, MP3, AAC (ADTS) and Ogg Opus from
``ffmpeg``, all from the same synthetic tone (tests/audio.py).  Nothing
binary is committed.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from icecfg.audio import (
    CONTENT_FORMAT_TYPES,
    AudioInfo,
    content_format,
    format_type_of_mime,
    formats_meet,
    mime_of_name,
    probe,
)
from tests.audio import encode, make_wav, ogg_vorbis


def test_ogg_vorbis() -> None:
    info = probe(ogg_vorbis(rate=22050, channels=1, bitrate_kbps=64), "fallback.ogg")
    assert info == AudioInfo("vorbis", 64, 22050, 1, "ogg")
    assert info.format_type == "ogg"
    assert info.describe() == "Ogg Vorbis 64 kbps 22050 Hz mono"


def test_mp3_with_id3_and_xing() -> None:
    data = encode("mp3", bitrate_kbps=128)
    assert data.startswith(b"ID3")
    info = probe(data, "fallback.mp3")
    assert info == AudioInfo("mp3", 128, 44100, 2, "mpeg")
    assert info.format_type == "generic"


def test_bare_mp3_frames_are_recognised_whatever_the_name() -> None:
    data = encode("mp3-bare", rate=22050, channels=1, bitrate_kbps=32)
    assert data[:2] != b"ID" and data[0] == 0xFF
    assert probe(data, "silence.bin") == AudioInfo("mp3", 32, 22050, 1, "mpeg")


def test_aac_adts() -> None:
    info = probe(encode("aac", bitrate_kbps=96), "fallback.aac")
    assert info is not None
    assert (info.codec, info.container, info.sample_rate, info.channels) == ("aac", "adts", 44100, 2)
    assert info.bitrate_kbps is not None and 70 <= info.bitrate_kbps <= 120


def test_ogg_opus_reports_48khz() -> None:
    info = probe(encode("opus", rate=44100, channels=1, bitrate_kbps=48), "fallback.opus")
    assert info is not None
    assert (info.codec, info.container, info.sample_rate, info.channels) == ("opus", "ogg", 48000, 1)
    assert info.bitrate_kbps is not None and info.bitrate_kbps > 0


def test_a_prefix_of_a_long_file_is_enough() -> None:
    data = encode("mp3", seconds=20.0, bitrate_kbps=128)
    assert len(data) > 200_000
    assert probe(data[:65536], "long.mp3") == AudioInfo("mp3", 128, 44100, 2, "mpeg")


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"hello world, not audio at all",
        b"OggS" + bytes(40),
        b"ID3\x04\x00\x00\x00\x00\x00\x10" + bytes(8),
    ],
    ids=["empty", "text", "ogg-without-codec", "id3-without-audio"],
)
def test_unrecognised_or_damaged_data_gives_none(data: bytes) -> None:
    assert probe(data, "fallback.ogg") is None


def test_truncated_vorbis_header_gives_none() -> None:
    assert probe(ogg_vorbis()[:40], "fallback.ogg") is None


def test_mime_and_format_types_follow_icecast() -> None:
    assert mime_of_name("/fallback.ogg") == "audio/ogg"
    assert mime_of_name("/x/Silence.OPUS") is None  # looked up as written: application/octet-stream
    assert mime_of_name("/fallback.mp3") == "audio/mpeg"
    assert mime_of_name("/live") is None
    assert mime_of_name("/live.") is None
    assert mime_of_name("/x.d/live") is None  # the dot is not in the last path component
    assert mime_of_name("/x.d/live.Mp3") is None
    assert mime_of_name("/x.d/live.mp3") == "audio/mpeg"
    assert mime_of_name("/live.mka") is None  # Debian's mime types file names no .mka nor .weba
    assert format_type_of_mime("application/ogg") == "ogg"
    # 2.4.4 compares the whole type, case by case; 2.5.0 the part before ";", " " or a tab
    assert format_type_of_mime("audio/ogg; codecs=opus") == "generic"
    assert format_type_of_mime("audio/ogg; codecs=opus", "2.5") == "ogg"
    assert format_type_of_mime("audio/ogg\tx", "2.5") == "ogg"
    assert format_type_of_mime("Audio/Ogg") == format_type_of_mime("Audio/Ogg", "2.5") == "generic"
    assert format_type_of_mime("application/x-ogg-but-longer-than-the-buffer;x", "2.5") == "generic"
    assert format_type_of_mime("text/plain") == "generic"
    assert format_type_of_mime("text/plain; charset=utf-8", "2.5") == "text"
    assert format_type_of_mime("audio/mpeg") == "generic"
    assert format_type_of_mime("audio/aac") == "generic"
    assert format_type_of_mime("audio/webm") == "ebml"
    assert format_type_of_mime("application/octet-stream") == "generic"
    # KH's format_get_type: MPEG audio and AAC apart, the part before " " or ";" as written, else undefined
    assert format_type_of_mime("audio/mpeg", "kh") == "mpeg"
    assert format_type_of_mime("audio/aacp; x=1", "kh") == "aac"
    assert format_type_of_mime("audio/ogg codecs=opus", "kh") == "ogg"
    assert format_type_of_mime("Audio/MPEG", "kh") == "undefined"
    assert format_type_of_mime("application/octet-stream", "kh") == "undefined"
    assert formats_meet("mpeg", "undefined") and not formats_meet("mpeg", "aac")


def test_without_the_mime_types_file_only_the_built_in_types_are_known() -> None:
    """2.4.4 and 2.5.0 read the file first, KH its built-in types first; without the file only those."""
    assert mime_of_name("/fallback.ogg", "2.5") == "audio/ogg"
    assert mime_of_name("/fallback.ogg", "kh") == "application/ogg"
    assert mime_of_name("/fallback.ogg", "2.4", mime_file=False) == "application/ogg"
    assert mime_of_name("/fallback.opus", "2.4", mime_file=False) is None
    assert mime_of_name("/fallback.opus", "kh") == "audio/ogg"
    assert mime_of_name("/fallback.opus", "kh", mime_file=False) is None
    assert mime_of_name("/list.m3u", "2.5") == "audio/mpegurl"
    assert mime_of_name("/list.m3u", "kh") == "audio/x-mpegurl"
    assert mime_of_name("/list.xspf", "2.4", mime_file=False) is None
    assert mime_of_name("/list.xspf", "kh", mime_file=False) == "application/xspf+xml"


def test_content_format_reads_the_bytes_not_the_name(tmp_path: Path) -> None:
    """What a file holds, from its first bytes: an MP3 saved as .ogg is MPEG audio."""
    encoded = {
        "Ogg": [ogg_vorbis(), encode("opus", bitrate_kbps=64)],
        "MPEG audio (MP3)": [encode("mp3"), encode("mp3-bare")],  # with and without an ID3 tag
        "AAC": [encode("aac")],
        "WAV": [make_wav(tmp_path / "tone.wav").read_bytes()],
        "FLAC": [b"fLaC\x80\x00\x00\x22" + bytes(34)],
        "WebM/Matroska": [b"\x1aE\xdf\xa3\x9fB\x86\x81\x01" + bytes(32)],
    }
    for name, samples in encoded.items():
        for data in samples:
            assert content_format(data[:4096]) == name, data[:16]
        assert CONTENT_FORMAT_TYPES[name] == format_type_of_mime(
            {"Ogg": "audio/ogg", "WebM/Matroska": "audio/webm"}.get(name, "audio/mpeg")
        )
    m4a = b"\x00\x00\x00\x20ftypM4A \x00\x00\x02\x00M4A isommp42" + bytes(64)
    for unknown in (b"", b"placeholder\n", m4a, bytes(64), b"RIFF\x24\x00\x00\x00AVI LIST"):
        assert content_format(unknown) is None, unknown[:16]


def test_importing_the_linter_does_not_import_mutagen() -> None:
    code = (
        "import sys, icecfg, icecfg.audio, icecfg.lint.rules\n"
        "from icecfg.lint import lint\n"
        "cfg = icecfg.loads(b'<icecast><mount><mount-name>/a</mount-name></mount></icecast>')\n"
        "lint(cfg, files=False)\n"
        "print('mutagen' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
