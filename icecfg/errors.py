"""Exceptions icecfg raises, each able to say where in which file it happened."""

from __future__ import annotations


class IcecfgError(Exception):
    """Base class of every error icecfg raises on purpose."""


class LocatedError(IcecfgError, ValueError):
    """An error at a line and column of a (possibly unnamed) file.

    ``str(err)`` is one line, ``path:line:column: message``, the format editors
    and CI annotations understand.
    """

    def __init__(self, message: str, *, line: int = 0, column: int = 0, path: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
        self.path = path

    def __str__(self) -> str:
        where = self.path if self.path is not None else "<string>"
        if self.line:
            return f"{where}:{self.line}:{self.column}: {self.message}"
        return f"{where}: {self.message}"


class ParseError(LocatedError):
    """The input is not a well-formed icecast.xml icecfg will read.

    Raised for XML that is not well-formed, a root element other than
    ``<icecast>``, DTD entity declarations (refused: they enable XXE and
    "billion laughs"), undecodable bytes, and input beyond the size and depth
    limits.
    """


class InvalidValueError(LocatedError):
    """An element's text cannot be read as the type the element table gives it."""


class WriteError(IcecfgError, OSError):
    """A file was not written, for a reason icecfg checks itself; the old file is unchanged.

    It is an OSError too, so callers that already handle failed writes handle these.
    ``str(err)`` is one line naming the file.
    """

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class FileChangedError(WriteError):
    """The file changed on disk since it was read: writing would lose that change."""


class UnsafeWriteError(WriteError):
    """Writing would lose what makes the file usable (its owner or group), or it is no regular file."""


class InvalidAssignmentError(InvalidValueError):
    """A value assigned to a field of the model that Icecast cannot use; nothing was changed.

    ``str(err)`` is one line, ``Section.field: value is not what-it-must-be``;
    secrets are never shown.
    """

    def __str__(self) -> str:
        return self.message


class InvalidTypeError(InvalidAssignmentError, TypeError):
    """An assigned value of the wrong Python type (``hostname = 123``); a TypeError too."""
