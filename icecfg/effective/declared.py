"""What a mount declares it carries: its format, bitrate and codec.

Icecast forwards these declarations (``<type>``, ``<subtype>``, ``<bitrate>``)
to listeners and directories as written; it checks only the format type
(2.4 and 2.5: Ogg, WebM/Matroska, or anything else; 2.5 also text/plain;
KH also keeps MPEG audio and AAC apart) when it moves listeners to a
fallback.  A file fallback's format comes from its extension, as the
server's MIME table labels it with its mime types file read (a missing one
is ICE702's).  Each declaration is the value the release
reads (:attr:`MountConfig.own`): KH keeps an earlier one past a later
element it reads nothing from, and reads ``bitrate`` from an attribute too.
"""

from __future__ import annotations

from typing import NamedTuple

from icecfg.audio import UNDEFINED_FORMAT, format_type_of_mime, mime_of_name
from icecfg.conversion import atoi, release_text
from icecfg.effective.mounts import MountConfig, MountTable
from icecfg.spec import Dialect

#: Each format type of :func:`~icecfg.audio.format_type_of_mime`, in words (KH's ``undefined``
#: meets every other type, so no message names it).
FORMAT_WORDS = {
    "ogg": "Ogg",
    "ebml": "WebM/Matroska",
    "generic": "MP3/AAC (not Ogg)",
    "text": "text/plain (a format of its own to Icecast 2.5)",
    "mpeg": "MPEG audio (MP3)",
    "aac": "AAC",
}


class Declared(NamedTuple):
    """The format type of a mount or file, and what says so (a named tuple: cheap at start-up)."""

    name: str  # the mount or file
    format_type: str  # what format_type_of_mime answers for the release
    evidence: str


def declared_format(table: MountTable, name: str) -> Declared | None:
    """The format of whatever plays on ``name``: a normal mount's ``<type>``, else the name's extension."""
    found = _declared_mime(table, name)
    if found is None:
        return None
    mime, written, configured = found
    release = table.dialect.value
    known = format_type_of_mime(mime, release)
    if written:
        format_type = _as_sourced(known)
        taken = ", a type KH does not know: it takes the stream for MPEG" if format_type != known else ""
        return Declared(name, format_type, f"<type>{mime}</type>{taken}")
    if configured or name in table.relay_mounts:
        return Declared(name, known, "going by its name")
    return Declared(name, known, f"a file Icecast labels {mime}")


def declared_format_type(table: MountTable, name: str) -> str | None:
    """The format type :func:`declared_format` tells, without its evidence.

    Asked for every mount of a file (the fallback rule compares each with its
    chain); the evidence is spelt out only for the few it reports.
    """
    found = _declared_mime(table, name)
    if found is None:
        return None
    known = format_type_of_mime(found[0], table.dialect.value)
    return _as_sourced(known) if found[1] else known


def _as_sourced(format_type: str) -> str:
    """The format type of a source sending what its mount's ``<type>`` declares.

    KH checks nothing against a file of a type it does not know, but a
    source never has one: KH ignores a ``<type>`` it does not know (``type
    specified for /live is unrecognised``) and takes a source whose
    Content-Type it does not know, ``application/octet-stream`` too, for
    MPEG (``_source_format_init``; shown on kh22).  The source is taken to
    send what its mount declares, as everywhere here.  A mount known only by
    its name may as well be a file's (a fallback file given options), so its
    extension's type stands.
    """
    return "mpeg" if format_type == UNDEFINED_FORMAT else format_type


def _declared_mime(table: MountTable, name: str) -> tuple[str, bool, bool] | None:
    """(MIME type of ``name``, whether a normal mount's ``<type>`` says so, whether a normal mount has the name)."""
    mount = table.find(name)
    configured = mount is not None and mount.kind == "normal"
    if configured:
        assert mount is not None
        mime = _declared(mount, "type")
        if mime:
            return mime, True, True
    by_name = mime_of_name(name, table.dialect.value)
    return (by_name, False, configured) if by_name is not None else None


def declared_bitrate(mount: MountConfig) -> int | None:
    """The kbit/s ``<bitrate>`` announces (Icecast reads it with ``atoi``); None when unset or not positive."""
    text = _declared(mount, "bitrate")
    if not text[:1].isdigit():
        return None
    value = atoi(text)
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
    subtype = _declared(mount, "subtype")
    if subtype:
        word = subtype.lower()
        for codec in ("vorbis", "opus", "flac", "speex", "mp3", "aac"):
            if codec in word:
                return codec, f"<subtype>{subtype}</subtype>"
    written = _declared(mount, "type")
    mime = written.split(";", 1)[0].strip().lower()
    if mime in _MIME_CODECS:
        return _MIME_CODECS[mime], f"<type>{written}</type>"
    return None


def _declared(mount: MountConfig, name: str) -> str:
    """The text of the mount's own setting ``name`` as the release reads it, stripped ("" when none).

    2.4 and 2.5 read the last element; only KH needs the mount's settings
    read as a whole (an attribute form, an earlier value kept past one it
    reads nothing from).  Asked for every mount of a file, the last element
    costs a lookup where the whole reading would cost a record per setting.
    """
    if mount.dialect is Dialect.KH:
        found = mount.own.get(name)
        value = found.value if found is not None else None
    else:
        element = mount.element.find_last(name)
        value = release_text(element, mount.dialect) if element is not None else None
    return value.strip() if isinstance(value, str) else ""
