"""Test audio generated at test time.

Binary audio is never committed: every file is synthesised here (a sine tone
written with :mod:`wave`, then encoded by the system ``oggenc``), so the
repository stays text-only and the audio parameters are visible in the test
that needs them.  Encoded files are cached per parameter set in one temporary
directory per test session, because ``oggenc`` is the slow step and many
Icecast tests need the same two-second stream.

Other codecs (MP3, AAC, Opus) are encoded from the same tone by ``ffmpeg``
(:func:`encode`), for the tests where the format matters ("Ogg" versus
"not Ogg", what a fallback file's headers say).
"""

from __future__ import annotations

import array
import atexit
import functools
import math
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import threading
import wave
from dataclasses import dataclass
from pathlib import Path

OGGENC = "oggenc"

_cache_lock = threading.Lock()


def make_wav(
    path: Path,
    seconds: float = 2.0,
    rate: int = 44100,
    channels: int = 2,
    freq: float = 440.0,
    *,
    amplitude: float = 0.25,
) -> Path:
    """Write a 16-bit PCM WAV file holding a sine tone and return ``path``.

    A pure tone keeps the file tiny and deterministic; the same sample is
    written to every channel.  ``amplitude`` is relative to full scale and is
    kept well below 1.0 so encoders never clip.
    """
    if seconds <= 0 or rate <= 0 or channels <= 0:
        raise ValueError("seconds, rate and channels must be positive")
    frames = round(seconds * rate)
    peak = int(32767 * amplitude)
    step = 2.0 * math.pi * freq / rate
    samples = array.array("h", bytes(2 * frames * channels))
    for i in range(frames):
        value = int(peak * math.sin(step * i))
        base = i * channels
        for c in range(channels):
            samples[base + c] = value
    if sys.byteorder != "little":
        samples.byteswap()  # WAV is little-endian on every platform
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(samples.tobytes())
    return path


@functools.cache
def _session_cache() -> Path:
    """Return the per-session cache directory, creating it on first use.

    The directory is world-readable (0755, files 0644) because the cached
    audio is often copied into an Icecast sandbox or streamed by a server
    running as an unprivileged user; it is removed when the interpreter exits.
    """
    cache_dir = Path(tempfile.mkdtemp(prefix="icecfg-audio-"))
    cache_dir.chmod(0o755)
    atexit.register(shutil.rmtree, cache_dir, True)
    return cache_dir


def make_ogg(
    path: Path | None = None,
    seconds: float = 2.0,
    rate: int = 44100,
    channels: int = 2,
    bitrate_kbps: int = 128,
) -> Path:
    """Return an Ogg Vorbis file whose *nominal* bitrate is ``bitrate_kbps``.

    ``oggenc -b`` records the requested bitrate as the Vorbis nominal bitrate,
    which is what Icecast reports as ``audio_bitrate``/``ice-bitrate``; the
    real average of a pure tone is far lower, and that is fine for tests about
    configuration.  The result is checked so an unsupported combination (for
    example a very high bitrate at 8 kHz mono) fails loudly instead of
    producing a file with different parameters.

    With ``path`` the cached file is copied there (mode 0644) and ``path`` is
    returned; without it the cached file itself is returned and must not be
    modified.
    """
    key = f"tone-{seconds:g}s-{rate}hz-{channels}ch-{bitrate_kbps}k"
    with _cache_lock:
        cache = _session_cache()
        cached = cache / f"{key}.ogg"
        if not cached.exists():
            wav = make_wav(cache / f"{key}.wav", seconds, rate, channels)
            tmp = cache / f"{key}.ogg.part"
            proc = subprocess.run(
                # A fixed serial number keeps the output byte-identical between runs.
                [OGGENC, "-Q", "-b", str(bitrate_kbps), "-s", "1", "-o", str(tmp), str(wav)],
                capture_output=True,
                text=True,
                check=False,
            )
            wav.unlink()
            if proc.returncode != 0:
                raise RuntimeError(f"oggenc failed ({proc.returncode}): {proc.stderr.strip()}")
            info = ogg_vorbis_info(tmp.read_bytes())
            wanted = (rate, channels, bitrate_kbps * 1000)
            got = (info.rate, info.channels, info.bitrate_nominal)
            if got != wanted:
                tmp.unlink()
                raise RuntimeError(f"oggenc produced rate/channels/bitrate {got}, wanted {wanted}")
            tmp.chmod(0o644)
            os.replace(tmp, cached)
    if path is None:
        return cached
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(cached, path)
    path.chmod(0o644)
    return path


FFMPEG = "ffmpeg"

_CODEC_ARGS = {
    "mp3": ["-c:a", "libmp3lame", "-f", "mp3"],
    "mp3-bare": ["-c:a", "libmp3lame", "-write_xing", "0", "-id3v2_version", "0", "-f", "mp3"],
    "aac": ["-c:a", "aac", "-f", "adts"],
    "opus": ["-c:a", "libopus", "-f", "ogg"],
}


def ogg_vorbis(seconds: float = 2.0, rate: int = 44100, channels: int = 2, bitrate_kbps: int = 128) -> bytes:
    """The bytes of :func:`make_ogg`'s file."""
    return make_ogg(seconds=seconds, rate=rate, channels=channels, bitrate_kbps=bitrate_kbps).read_bytes()


@functools.cache
def encode(kind: str, seconds: float = 2.0, rate: int = 44100, channels: int = 2, bitrate_kbps: int = 128) -> bytes:
    """Audio of ``kind`` (mp3, mp3-bare, aac, opus) encoded by ffmpeg from a sine tone.

    ``mp3-bare`` has neither an ID3 tag nor a Xing header: bare MPEG frames.
    """
    with _cache_lock:
        cache = _session_cache()
    wav = make_wav(cache / f"{kind}-{seconds}-{rate}-{channels}.wav", seconds, rate, channels)
    out = cache / f"{kind}-{seconds}-{rate}-{channels}-{bitrate_kbps}.bin"
    subprocess.run(
        [FFMPEG, "-v", "error", "-y", "-i", str(wav), *_CODEC_ARGS[kind], "-b:a", f"{bitrate_kbps}k", str(out)],
        check=True,
        capture_output=True,
    )
    return out.read_bytes()


@dataclass(frozen=True)
class OggVorbisInfo:
    """Stream parameters read from an Ogg Vorbis file's headers.

    ``bitrate_*`` are in bit/s as stored in the identification header
    (0 means "not set").  ``duration`` is the last page's granule position
    divided by the sample rate, i.e. the playing time in seconds.
    """

    rate: int
    channels: int
    bitrate_max: int
    bitrate_nominal: int
    bitrate_min: int
    duration: float


def ogg_vorbis_info(data: bytes) -> OggVorbisInfo:
    """Parse the Vorbis identification header and total duration of ``data``.

    Only what tests need is parsed: the first page must start a Vorbis
    stream, and the duration comes from the highest granule position seen,
    so a single logical stream is assumed.  This is enough to check what
    ``oggenc`` produced and to pace a source client in real time.
    """
    pos = 0
    ident: bytes | None = None
    granule = 0
    while pos + 27 <= len(data):
        if data[pos : pos + 4] != b"OggS":
            raise ValueError(f"not an Ogg page at offset {pos}")
        page_granule = struct.unpack_from("<q", data, pos + 6)[0]
        nsegs = data[pos + 26]
        lacing = data[pos + 27 : pos + 27 + nsegs]
        body_start = pos + 27 + nsegs
        body_len = sum(lacing)
        if ident is None:
            ident = data[body_start : body_start + body_len]
        granule = max(granule, page_granule)
        pos = body_start + body_len
    if ident is None or len(ident) < 30 or ident[:7] != b"\x01vorbis":
        raise ValueError("no Vorbis identification header on the first page")
    channels = ident[11]
    rate, bmax, bnom, bmin = struct.unpack_from("<Iiii", ident, 12)
    return OggVorbisInfo(
        rate=rate,
        channels=channels,
        bitrate_max=max(bmax, 0),
        bitrate_nominal=max(bnom, 0),
        bitrate_min=max(bmin, 0),
        duration=granule / rate if rate else 0.0,
    )
