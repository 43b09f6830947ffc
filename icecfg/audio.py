"""What a fallback file holds: codec, bitrate, sample rate and channels, read from its headers.

Icecast plays a file fallback as it is: it never checks that the file
matches the live stream it stands in for.  The fallback rules compare the
two, and this module tells them what the file is.  Only headers are read
(through the ``mutagen`` library); no audio is ever decoded.

``mutagen`` is imported when :func:`probe` first runs, so importing this
module (and starting ``icecfg lint``) stays cheap.
"""

from __future__ import annotations

import importlib
import io
import re
from typing import Any

from icecfg.records import FrozenRecord

#: MIME types Icecast's ``format_get_type`` (2.4.4 and 2.5) reads as Ogg; every
#: other type except the Matroska/WebM ones is the "generic" (MP3/AAC) handler.
OGG_MIME_TYPES = frozenset({"application/ogg", "application/x-ogg", "audio/ogg", "video/ogg"})
EBML_MIME_TYPES = frozenset({"audio/webm", "video/webm", "audio/x-matroska", "video/x-matroska", "video/x-matroska-3d"})

#: Audio file extensions, and those a release also knows by itself (``BUILT_IN_MIME``),
#: with the MIME type Debian's /etc/mime.types gives them: what
#: 2.4.4, 2.5.0 and Icecast-KH label a file (a file fallback included) with that file
#: read (``fserve_content_type``; measured on each).  Extensions are looked up as
#: written: ``.OGG`` is not ``.ogg``.  Debian's file names no ``.weba`` nor ``.mka``.
EXTENSION_MIME = {
    "ogg": "audio/ogg",
    "oga": "audio/ogg",
    "opus": "audio/ogg",
    "spx": "audio/ogg",
    "ogx": "application/ogg",
    "ogv": "video/ogg",
    "mp3": "audio/mpeg",
    "mp2": "audio/mpeg",
    "mpga": "audio/mpeg",
    "aac": "audio/aac",
    "adts": "audio/aac",
    "m4a": "audio/mp4",
    "flac": "audio/flac",
    "webm": "video/webm",
    "wav": "audio/x-wav",
    "m3u": "audio/mpegurl",
    "pls": "audio/x-scpls",
    "xspf": "application/xspf+xml",
    "xml": "application/xml",
    "html": "text/html",
    "css": "text/css",
    "txt": "text/plain",
    "jpg": "image/jpeg",
    "png": "image/png",
    "gif": "image/gif",
}

#: The types each release knows without a mime types file (measured on each with
#: the file missing); every other extension is then ``application/octet-stream``.
#: Icecast-KH also puts its own before the file's: with the file, its ``.ogg`` is
#: ``application/ogg`` still.
BUILT_IN_MIME: dict[str, dict[str, str]] = {
    "2.4": {
        "ogg": "application/ogg",
        "mp3": "audio/mpeg",
        "aac": "audio/aac",
        "m3u": "audio/x-mpegurl",
        "html": "text/html",
        "css": "text/css",
        "txt": "text/plain",
        "jpg": "image/jpeg",
        "png": "image/png",
    },
    "kh": {
        "ogg": "application/ogg",
        "mp3": "audio/mpeg",
        "aac": "audio/aac",
        "m3u": "audio/x-mpegurl",
        "pls": "audio/x-scpls",
        "xspf": "application/xspf+xml",
        "xml": "text/xml",
        "html": "text/html",
        "css": "text/css",
        "txt": "text/plain",
        "jpg": "image/jpg",
        "png": "image/png",
        "gif": "image/gif",
    },
}
BUILT_IN_MIME["2.5"] = BUILT_IN_MIME["2.4"]

#: The MIME type Icecast gives a file no table names.
UNKNOWN_MIME = "application/octet-stream"


class AudioInfo(FrozenRecord):
    """Stream parameters of an audio file.

    ``codec`` is ``vorbis``, ``opus``, ``flac``, ``speex``, ``mp3``, ``mp2``
    or ``aac``; ``container`` is ``ogg``, ``mpeg`` (bare MPEG audio frames,
    possibly after an ID3 tag), ``adts`` or ``adif`` (AAC).  ``bitrate_kbps``
    is the nominal bitrate where the headers state one (Vorbis, CBR MP3) and
    the average over the data otherwise; None when it cannot be told.
    """

    __slots__ = ("bitrate_kbps", "channels", "codec", "container", "sample_rate")

    codec: str
    bitrate_kbps: int | None
    sample_rate: int | None
    channels: int | None
    container: str

    def __init__(
        self, codec: str, bitrate_kbps: int | None, sample_rate: int | None, channels: int | None, container: str
    ) -> None:
        _set = object.__setattr__
        _set(self, "codec", codec)
        _set(self, "bitrate_kbps", bitrate_kbps)
        _set(self, "sample_rate", sample_rate)
        _set(self, "channels", channels)
        _set(self, "container", container)

    @property
    def format_type(self) -> str:
        """Icecast's format type for this content: ``ogg`` or ``generic``."""
        return "ogg" if self.container == "ogg" else "generic"

    def describe(self) -> str:
        """A short human description, e.g. ``Ogg Vorbis 128 kbps 44100 Hz stereo``."""
        names = {"vorbis": "Vorbis", "opus": "Opus", "flac": "FLAC", "speex": "Speex", "aac": "AAC"}
        codec = names.get(self.codec, self.codec.upper())
        parts = [f"Ogg {codec}" if self.container == "ogg" else codec]
        if self.bitrate_kbps:
            parts.append(f"{self.bitrate_kbps} kbps")
        if self.sample_rate:
            parts.append(f"{self.sample_rate} Hz")
        if self.channels:
            parts.append({1: "mono", 2: "stereo"}.get(self.channels, f"{self.channels} channels"))
        return " ".join(parts)


def mime_of_name(name: str, release: str = "2.4", *, mime_file: bool = True) -> str | None:
    """The MIME type ``release`` gives a file called ``name`` (by extension), if it knows one.

    ``mime_file``: whether the release read its mime types file (Debian's);
    without it only the release's built-in types are known.  None for a name
    with no extension or one neither table names (Icecast then sends
    ``application/octet-stream``).
    """
    _, dot, extension = name.rpartition(".")
    if not dot or "/" in extension:
        return None  # no dot in the last path component
    built_in = BUILT_IN_MIME[release].get(extension)
    if built_in is not None and (release == "kh" or not mime_file):
        return built_in  # KH's own types come before the file's
    return (EXTENSION_MIME.get(extension) if mime_file else None) or built_in


#: Icecast-KH's format types (``format_get_type``): the part before a space or ``;``, compared
#: case by case; any other type (``application/octet-stream`` too) is ``undefined``.
_KH_FORMAT_TYPES = {
    **dict.fromkeys(("application/x-ogg", "application/ogg", "audio/ogg", "video/ogg"), "ogg"),
    **dict.fromkeys(EBML_MIME_TYPES, "ebml"),
    "audio/aac": "aac",
    "audio/aacp": "aac",
    "audio/mpeg": "mpeg",
    "video/MP2T": "mpeg",
}

#: The format type of a Content-Type Icecast-KH does not know: it checks nothing against it.
UNDEFINED_FORMAT = "undefined"


def format_type_of_mime(mime: str, release: str = "2.4") -> str:
    """Icecast's format type for a Content-Type, which decides where listeners may be moved.

    2.4 and 2.5: ``ogg``, ``ebml`` or ``generic`` (MP3, AAC and anything
    else alike); 2.5 also ``text`` for ``text/plain``.  KH keeps MPEG audio
    (``mpeg``) and AAC (``aac``) apart and calls any type it does not know
    ``undefined`` (:data:`UNDEFINED_FORMAT`).  Each release compares the
    type case by case (``Audio/Ogg`` is generic); 2.4.4 compares the whole
    of it (``audio/ogg; codecs=opus`` is generic), 2.5.0 the part before a
    ``;``, space or tab (when that part is under 32 characters), KH the part
    before a space or ``;`` (``format_get_type`` of each).
    """
    if release == "kh":
        return _KH_FORMAT_TYPES.get(mime.split(";", 1)[0].split(" ", 1)[0], UNDEFINED_FORMAT)
    if release == "2.5":
        cut = _V25_TYPE_END.search(mime)
        if cut is not None and cut.start() < _V25_TYPE_BUFFER:
            mime = mime[: cut.start()]
        if mime == "text/plain":
            return "text"
    if mime in OGG_MIME_TYPES:
        return "ogg"
    if mime in EBML_MIME_TYPES:
        return "ebml"
    return "generic"


#: Where 2.5.0's ``format_get_type`` ends a Content-Type (``strpbrk(type, "; \t")``), and the
#: size of the buffer it copies the part before into (a longer part is compared whole).
_V25_TYPE_END = re.compile("[; \t]")
_V25_TYPE_BUFFER = 32


def formats_meet(own: str, other: str) -> bool:
    """Whether a release moves the listeners of a mount of format type ``own`` to a fallback of ``other``.

    The types of :func:`format_type_of_mime`: the same one, or (KH) an
    ``undefined`` one on either side, which KH's fallback check lets through.
    """
    return own == other or UNDEFINED_FORMAT in (own, other)


def probe(data: bytes, name: str) -> AudioInfo | None:
    """Read the stream parameters of ``data`` (the start of the file ``name``).

    The container is recognised from the bytes themselves; ``name`` only
    breaks ties.  Returns None for data that is not Ogg (Vorbis, Opus, FLAC,
    Speex), MPEG audio or AAC (ADTS/ADIF), or whose headers are damaged.
    A prefix of a long file is enough: lengths and average bitrates are then
    estimated from that prefix.
    """
    kind = _sniff(data, name)
    if kind is None:
        return None
    try:
        return _read(kind, data)
    except ImportError:
        raise  # mutagen missing: an installation problem, not a property of the file
    except Exception:  # any damage in a header means "cannot tell"
        return None


#: What :func:`content_format` answers, and Icecast's format type for each (see ``format_type_of_mime``).
CONTENT_FORMAT_TYPES = {
    "Ogg": "ogg",
    "WebM/Matroska": "ebml",
    "MPEG audio (MP3)": "generic",
    "AAC": "generic",
    "FLAC": "generic",
    "WAV": "generic",
}


def content_format(data: bytes) -> str | None:
    """The format ``data`` (the start of a file) is in, told from its bytes alone; None when unknown.

    Icecast labels a file by its extension and sends its bytes as they are,
    so an MP3 file saved as ``fallback.ogg`` goes out as Ogg: this is what
    the file really holds, whatever its name says.  Only formats whose first
    bytes are certain are named: Ogg's capture pattern, EBML's magic number,
    native FLAC, RIFF/WAVE, and MPEG or AAC frame sync (after an ID3 tag).
    """
    if data.startswith(b"OggS"):
        return "Ogg"
    if data.startswith(b"\x1aE\xdf\xa3"):
        return "WebM/Matroska"
    if data.startswith(b"fLaC"):
        return "FLAC"
    if data.startswith(b"RIFF") and data[8:12] == b"WAVE":
        return "WAV"
    kind = _sniff(data, "")
    if kind == "mpeg":
        return "MPEG audio (MP3)"
    if kind == "aac":
        return "AAC"
    return None


#: Control characters a text file may hold (tab, line feed, form feed, carriage return).
_TEXT_CONTROLS = frozenset(b"\t\n\x0c\r")


def is_text(data: bytes) -> bool:
    """Whether ``data`` (the start of a file) is plain text and so certainly no audio.

    Every audio format a stream can carry starts with binary bytes (Ogg's
    version byte 0, MPEG and ADTS sync bytes 0xFF, ID3 sizes, RIFF and FLAC
    block lengths), so UTF-8 text without control characters is a note, a
    playlist or an error page saved under an audio name, never something
    the reader merely cannot parse.  Empty data is not text.
    """
    if not data:
        return False
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        # a multi-byte character cut off by the read limit is still text
        if e.start < len(data) - 3 or e.reason != "unexpected end of data":
            return False
        text = data[: e.start].decode("utf-8")
    return all(ord(c) >= 0x20 or ord(c) in _TEXT_CONTROLS for c in text) and "\x7f" not in text


def _sniff(data: bytes, name: str) -> str | None:
    if data.startswith(b"OggS"):
        return "ogg"
    if data.startswith(b"ADIF"):
        return "aac"
    offset = _skip_id3(data)
    head = data[offset : offset + 4]
    if len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0:
        layer = (head[1] >> 1) & 0x3
        if head[1] & 0xF0 == 0xF0 and layer == 0:
            return "aac"  # ADTS: 12-bit sync and layer 00
        if layer != 0:
            return "mpeg"
    if offset and name.lower().endswith((".aac", ".adts")):
        return "aac"
    if offset:
        return "mpeg"  # an ID3 tag in front of data that mutagen will look for
    return None


def _skip_id3(data: bytes) -> int:
    """Offset just past a leading ID3v2 tag (0 when there is none)."""
    if len(data) < 10 or not data.startswith(b"ID3"):
        return 0
    size = 0
    for byte in data[6:10]:
        size = (size << 7) | (byte & 0x7F)
    footer = 10 if data[5] & 0x10 else 0
    return 10 + size + footer


def _read(kind: str, data: bytes) -> AudioInfo | None:
    if kind == "ogg":
        return _read_ogg(data)
    if kind == "aac":
        info = _load("mutagen.aac", "AAC", data).info
        container = "adif" if data.startswith(b"ADIF") else "adts"
        return AudioInfo("aac", _kbps(info.bitrate), info.sample_rate or None, info.channels or None, container)
    info = _load("mutagen.mp3", "MP3", data).info
    codec = {1: "mp1", 2: "mp2", 3: "mp3"}.get(info.layer, "mp3")
    return AudioInfo(codec, _kbps(info.bitrate), info.sample_rate or None, info.channels or None, "mpeg")


def _read_ogg(data: bytes) -> AudioInfo | None:
    # The first page holds the identification header of the first logical stream.
    body = data[27 + data[26] :] if len(data) > 27 else b""
    stream: Any
    if body.startswith(b"\x01vorbis"):
        stream = _load("mutagen.oggvorbis", "OggVorbis", data)
        codec = "vorbis"
    elif body.startswith(b"OpusHead"):
        stream = _load("mutagen.oggopus", "OggOpus", data)
        codec = "opus"
    elif body.startswith(b"\x7fFLAC"):
        stream = _load("mutagen.oggflac", "OggFLAC", data)
        codec = "flac"
    elif body.startswith(b"Speex   "):
        stream = _load("mutagen.oggspeex", "OggSpeex", data)
        codec = "speex"
    else:
        return None
    info = stream.info
    # Opus always decodes at 48 kHz, whatever rate the encoder was fed.
    rate = 48000 if codec == "opus" else getattr(info, "sample_rate", 0) or None
    return AudioInfo(codec, _kbps(getattr(info, "bitrate", 0)), rate, info.channels or None, "ogg")


def _load(module: str, name: str, data: bytes) -> Any:
    """Parse ``data`` with mutagen's class ``module.name`` (imported on first use)."""
    return getattr(importlib.import_module(module), name)(io.BytesIO(data))


def _kbps(bits_per_second: float | int | None) -> int | None:
    if not bits_per_second or bits_per_second <= 0:
        return None
    return round(bits_per_second / 1000)
