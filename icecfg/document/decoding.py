"""Bytes to text: byte order marks and the declared encoding."""

from __future__ import annotations

import codecs
import re

from icecfg.errors import ParseError

_DECLARED_ENCODING = re.compile(rb"""^<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def _decode(data: bytes, path: str | None) -> tuple[str, str, bytes]:
    """(text, codec name, BOM) of the raw bytes, or ParseError."""
    bom = b""
    encoding = "utf-8"
    for mark, name in _BOMS:
        if data.startswith(mark):
            bom, encoding = mark, name
            break
    body = data[len(bom) :]
    if not bom:
        declared = _DECLARED_ENCODING.match(body)
        if declared is not None:
            name = declared[1].decode("ascii")
            try:
                encoding = codecs.lookup(name).name
            except LookupError:
                raise ParseError(f"unknown encoding {name!r} in the XML declaration", path=path) from None
            if encoding.startswith("utf-16"):
                raise ParseError("UTF-16 without a byte order mark is not supported", path=path)
    try:
        return body.decode(encoding), encoding, bom
    except UnicodeDecodeError as err:
        prefix = body[: err.start].decode(encoding, errors="replace")
        line = prefix.count("\n") + 1
        column = len(prefix) - (prefix.rfind("\n") + 1) + 1
        raise ParseError(
            f"bytes that are not valid {encoding} at byte offset {err.start + len(bom)}",
            line=line,
            column=column,
            path=path,
        ) from None
