"""What a mount declares it carries: its format, bitrate and codec.

Icecast forwards these declarations (``<type>``, ``<subtype>``, ``<bitrate>``)
to listeners and directories as written; it checks only the format type
(Ogg, WebM/Matroska, or anything else) when it moves listeners to a
fallback.  A file fallback's format comes from its extension, as the
server's MIME table labels it.
"""

from __future__ import annotations

from typing import NamedTuple

from icecfg.audio import format_type_of_mime, mime_of_name
from icecfg.conversion import atoi
from icecfg.effective.mounts import MountConfig, MountTable


class Declared(NamedTuple):
    """The format type of a mount or file, and what says so (a named tuple: cheap at start-up)."""

    name: str  # the mount or file
    format_type: str  # "ogg", "ebml" or "generic"
    evidence: str


def declared_format(table: MountTable, name: str) -> Declared | None:
    """The format of whatever plays on ``name``: a normal mount's ``<type>``, else the name's extension."""
    mount = table.find(name)
    configured = mount is not None and mount.kind == "normal"
    if configured:
        assert mount is not None
        written = mount.element.find_last("type")
        mime = written.text.strip() if written is not None and written.text else ""
        if mime:
            return Declared(name, format_type_of_mime(mime), f"<type>{mime}</type>")
    by_name = mime_of_name(name)
    if by_name is None:
        return None
    if configured or name in table.relay_mounts:
        return Declared(name, format_type_of_mime(by_name), "going by its name")
    return Declared(name, format_type_of_mime(by_name), f"a file Icecast labels {by_name}")


def declared_bitrate(mount: MountConfig) -> int | None:
    """The kbit/s ``<bitrate>`` announces (Icecast reads it with ``atoi``); None when unset or not positive."""
    element = mount.element.find_last("bitrate")
    if element is None or element.text is None or not element.text.strip()[:1].isdigit():
        return None
    value = atoi(element.text)
    return value if value > 0 else None


_MIME_CODECS = {
    "audio/mpeg": "mp3",
    "audio/mp3": "mp3",
    "audio/aac": "aac",
    "audio/aacp": "aac",
    "audio/x-aac": "aac",
}


def declared_codec(mount: MountConfig) -> tuple[str, str] | None:
    """(codec, evidence) the mount declares through ``<subtype>`` or ``<type>``."""
    subtype = mount.element.find_last("subtype")
    if subtype is not None and subtype.text and subtype.text.strip():
        word = subtype.text.strip().lower()
        for codec in ("vorbis", "opus", "flac", "speex", "mp3", "aac"):
            if codec in word:
                return codec, f"<subtype>{subtype.text.strip()}</subtype>"
    written = mount.element.find_last("type")
    if written is not None and written.text:
        mime = written.text.split(";", 1)[0].strip().lower()
        if mime in _MIME_CODECS:
            return _MIME_CODECS[mime], f"<type>{written.text.strip()}</type>"
    return None
