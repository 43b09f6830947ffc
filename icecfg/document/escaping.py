"""Character and entity references: decoding text and attribute values, escaping new ones."""

from __future__ import annotations

import re

from icecfg.errors import ParseError

_PREDEFINED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}
_REF = re.compile(r"&(#[0-9]+|#x[0-9a-fA-F]+|[^;&\s]+);")


def _expand(match: re.Match[str]) -> str:
    ref = match[1]
    if ref.startswith("#x"):
        return chr(int(ref[2:], 16))
    if ref.startswith("#"):
        return chr(int(ref[1:]))
    try:
        return _PREDEFINED[ref]
    except KeyError:
        raise ParseError(f"undefined entity &{ref};") from None


def _normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def decode_text(raw: str) -> str:
    """Character data as an XML parser delivers it: newlines normalised, references expanded."""
    raw = _normalise_newlines(raw)
    return _REF.sub(_expand, raw) if "&" in raw else raw


def decode_attribute(raw: str) -> str:
    """An attribute value as an XML parser delivers it (whitespace characters become spaces)."""
    if "&" not in raw and "\n" not in raw and "\r" not in raw and "\t" not in raw:
        return raw  # the usual value: nothing to expand or normalise
    raw = _normalise_newlines(raw)
    raw = raw.replace("\n", " ").replace("\t", " ")
    return _REF.sub(_expand, raw) if "&" in raw else raw


def escape_text(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")


def escape_attribute(value: str, quote: str = '"') -> str:
    escaped = escape_text(value).replace("\n", "&#10;").replace("\t", "&#9;")
    return escaped.replace('"', "&quot;") if quote == '"' else escaped.replace("'", "&apos;")
