"""How values are written in icecast.xml and how each Icecast dialect reads them.

Two readings exist for every value:

* the *typed* value: what the author evidently meant, read strictly (``true``
  is True, ``abc`` is no number at all);
* the *effective* value: what a given Icecast release really uses.  Icecast
  2.4.4 reads numbers and booleans with C's ``atoi``, so ``true`` is 0 and
  ``18034abc`` is 18034; an empty numeric element crashes it.

The difference between the two is exactly what the linter reports.
"""

from __future__ import annotations

import enum
import re
from typing import NamedTuple, Protocol, TypeVar

from icecfg.errors import LocatedError
from icecfg.spec import Dialect, ElementRow, Kind


class TlsMode(str, enum.Enum):
    """Icecast 2.5's ``<tls>`` listen-socket modes."""

    DISABLED = "disabled"
    AUTO = "auto"
    AUTO_NO_PLAIN = "auto_no_plain"
    RFC2817 = "rfc2817"
    RFC2818 = "rfc2818"


class FallbackOverride(str, enum.Enum):
    """Which listeners a returning source takes back from its fallback (2.5 words)."""

    NONE = "none"  # 2.4: 0
    ALL = "all"  # 2.4: 1
    OWN = "own"  # 2.5 only


class MountType(str, enum.Enum):
    """The ``type`` attribute of ``<mount>``: a normal mount, or defaults for the mounts it matches (2.4, 2.5)."""

    NORMAL = "normal"
    DEFAULT = "default"


class Crash(LocatedError):
    """Icecast 2.4.4 reads this value with ``atoi(NULL)`` and segfaults.

    A :class:`~icecfg.errors.LocatedError`: from :meth:`Section.effective` it
    carries the empty element's file, line and column, and its message starts
    with them; raised for a value alone, it is just the message.
    """

    def __str__(self) -> str:
        return super().__str__() if self.line or self.path is not None else self.message


_INT = re.compile(r"\s*[+-]?\d+\s*\Z")
_ATOI = re.compile(r"[ \t\n\v\f\r]*([+-]?\d+)")
_TRUE = frozenset({"true", "yes", "on"})
_FALSE = frozenset({"false", "no", "off"})
_LOGLEVEL_WORDS = {
    "debug": 4,
    "dbug": 4,
    "information": 3,
    "info": 3,
    "warning": 2,
    "warn": 2,
    "error": 1,
    "eror": 1,
}
_SIZE = re.compile(r"\s*(\d+)\s*([kKmMsS]?)\s*\Z")
#: A bitrate as meant: a whole number of bits per second, ``k`` or ``m`` (either case) right after it.
_BITRATE = re.compile(r"\s*([+-]?\d+)([kKmM]?)\s*\Z")


def atoi(text: str) -> int:
    """C's ``atoi``: leading whitespace, a sign and digits; anything else stops it; overflow wraps."""
    match = _ATOI.match(text)
    if match is None:
        return 0
    value = int(match[1])
    # glibc atoi is (int) strtol: clamp to long, then truncate to 32 bits
    value = max(min(value, 2**63 - 1), -(2**63))
    value &= 0xFFFFFFFF
    return value - 2**32 if value >= 2**31 else value


#: KH's ``sscanf`` of a number and the one character after it (``"%u%c"`` for sizes, ``"%ld%c"`` for
#: bitrates): leading white space, a sign, digits, then any character at all (a space, a ``.``).
_KH_SUFFIXED = re.compile(r"[ \t\n\v\f\r]*([+-]?\d+)(.?)", re.DOTALL)
#: The suffixes both multiply by: decimal, not 1024.
_KH_FACTOR = {"k": 1000, "m": 1000 * 1000}
_INT64 = 2**63


class AudioSeconds(int):
    """A KH size written in seconds of audio (``10s``): bytes only once the stream's bitrate is known.

    An ``int`` like any other size (ranges and comparisons read the number),
    typed so that whoever needs bytes can tell it is none.
    """

    __slots__ = ()


def kh_size(text: str) -> int | None:
    """What KH's ``config_qsizing_conv_a2n`` makes of a size: ``None`` when it reads no number.

    ``sscanf("%u%c")`` then a case-sensitive suffix: ``k`` is 1,000 and ``m``
    1,000,000 (not 1024), ``K``/``M`` or a space before the suffix multiply by
    nothing, and the result (unsigned 32-bit arithmetic) is capped at 2**31 - 1.
    ``%u`` takes a sign as ``strtoul`` does: ``-5`` is 2**32 - 5, so capped
    (shown on kh22: ``<burst-size>-5`` is a large burst, not the default).
    ``s`` (seconds of audio, turned into bytes once the bitrate is known) is
    kept as the number itself, at most 3600: its size in bytes is not in the file.
    """
    match = _KH_SUFFIXED.match(text)
    if match is None:
        return None
    written = int(match[1])
    number = min(abs(written), 2**64 - 1)  # strtoul saturates, for a minus sign too
    if written < 0 and number < 2**64 - 1:
        number = 2**64 - number  # strtoul negates in unsigned long
    number &= 0xFFFFFFFF  # %u keeps 32 bits
    if match[2] == "s":
        return AudioSeconds(min(number, 3600))  # capped to an hour before anything else
    value = (number * _KH_FACTOR.get(match[2], 1)) & 0xFFFFFFFF  # unsigned multiply wraps
    return 2**31 - 1 if value > 2**31 else value


def kh_bitrate(text: str) -> int | None:
    """What KH's ``config_get_bitrate`` makes of a bitrate, in bits per second: ``None`` when it reads no number.

    ``sscanf("%" SCNd64 "%c")``: leading white space, a sign and digits, then
    one character: ``k``/``K`` multiply by 1,000 and ``m``/``M`` by 1,000,000
    (decimal, either case, unlike a size's suffix); any other character ends
    the number as it is, so ``1.5m`` is 1, ``64 k`` is 64 and ``64kbit`` is
    64,000.  ``-1`` is -1.  A 64-bit number: ``strtoll`` saturates, the
    multiplication wraps.  No other release reads these elements.
    """
    match = _KH_SUFFIXED.match(text)
    if match is None:
        return None
    number = max(min(int(match[1]), _INT64 - 1), -_INT64)
    value = number * _KH_FACTOR.get(match[2].lower(), 1)
    return (value + _INT64) % (2 * _INT64) - _INT64


def c_div(number: int, divisor: int) -> int:
    """C's integer division: it truncates toward zero (``-1 / 8`` is 0, Python's ``-1 // 8`` is -1)."""
    quotient = abs(number) // abs(divisor)
    return quotient if (number < 0) == (divisor < 0) else -quotient


def is_int(text: str) -> bool:
    """True when ``text`` is a plain decimal integer (surrounding whitespace allowed)."""
    return _INT.match(text) is not None


class TypedValueError(ValueError):
    """The text is not a value of the element's type (message without location)."""


_E = TypeVar("_E", bound=enum.Enum)


def _word_or_switch(text: str, words: type[_E], on: _E, off: _E, expected: str) -> _E:
    """One of the enum's words, or a boolean (``1``/``true`` is ``on``, ``0``/``false`` is ``off``).

    2.5 took the words over from 2.4's booleans (``<tls>``, ``<fallback-override>``)
    and still reads the old spelling as the nearest word.
    """
    word = text.strip().lower()
    try:
        return words(word)
    except ValueError:
        if word in _TRUE or (is_int(word) and int(word) != 0):
            return on
        if word in _FALSE or word == "0":
            return off
        raise TypedValueError(f"{text!r} is not {expected}") from None


def parse_typed(kind: Kind, text: str, choices: tuple[str, ...] = ()) -> object:
    """The typed value of ``text``: what the author meant, read strictly."""
    if kind in (Kind.INT, Kind.UINT):
        if not is_int(text):
            raise TypedValueError(f"{text!r} is not a whole number")
        return int(text)
    if kind is Kind.SIZE:
        match = _SIZE.match(text)
        if match is None:
            raise TypedValueError(f"{text!r} is not a size in bytes")
        # the suffixes as Icecast-KH, the one release that reads them, multiplies: by 1000, not 1024
        factor = {"": 1, "k": 1000, "m": 1000 * 1000, "s": 1}[match[2].lower()]
        return int(match[1]) * factor
    if kind is Kind.BITRATE:
        match = _BITRATE.match(text)
        if match is None:
            raise TypedValueError(f"{text!r} is not a bitrate (bits per second, k or m for 1000 or 1000000)")
        return int(match[1]) * _KH_FACTOR.get(match[2].lower(), 1)
    if kind is Kind.BOOL:
        word = text.strip().lower()
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
        if is_int(word):
            return int(word) != 0
        raise TypedValueError(f"{text!r} is not a boolean (use 1 or 0)")
    if kind is Kind.LOGLEVEL:
        word = text.strip().lower()
        if word in _LOGLEVEL_WORDS:
            return _LOGLEVEL_WORDS[word]
        if is_int(word):
            return int(word)
        raise TypedValueError(f"{text!r} is not a log level (1 error .. 4 debug)")
    if kind is Kind.PUBLIC:
        word = text.strip().lower()
        if word in _TRUE:
            return 1
        if word in _FALSE:
            return 0
        if word == "client":
            return -1
        if is_int(word):
            return int(word)
        raise TypedValueError(f"{text!r} is not -1, 0 or 1")
    if kind is Kind.TLS_MODE:
        return _word_or_switch(text, TlsMode, TlsMode.RFC2818, TlsMode.DISABLED, "a TLS mode")
    if kind is Kind.FALLBACK_OVERRIDE:
        return _word_or_switch(
            text, FallbackOverride, FallbackOverride.ALL, FallbackOverride.NONE, "none, all, own, 0 or 1"
        )
    if kind is Kind.ENUM and choices:
        if text not in choices:
            raise TypedValueError(f"{text!r} is not one of {', '.join(choices)}")
        return text
    return text


def format_typed(kind: Kind, value: object) -> str:
    """The text icecfg writes for a typed value: one every dialect reads the same way."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, enum.Enum):
        if kind is Kind.FALLBACK_OVERRIDE and value in (FallbackOverride.NONE, FallbackOverride.ALL):
            return "1" if value is FallbackOverride.ALL else "0"  # understood by 2.4 and 2.5
        return str(value.value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return value
    raise TypeError(f"{value!r} is not a {kind.value} value")


def spelled_for(row: ElementRow, text: str, dialect: Dialect) -> str:
    """``text`` (as :func:`format_typed` writes it) in the spelling ``dialect`` wants.

    :func:`format_typed` writes what every release reads alike; where a release
    calls that spelling obsolete, its row's :class:`~icecfg.spec.Replacement`
    names the new text (2.5 reads ``<fallback-override>1`` as ``all`` but
    warns about it at every start).  The table is the one place that knows.
    """
    replacement = row.replacement.get(dialect)
    new = replacement.values.get(text) if replacement is not None else None
    return new if new is not None else text


def effective(row: ElementRow, text: str | None, dialect: Dialect) -> object:
    """What ``dialect`` uses for element ``row`` whose text is ``text`` (None: absent or empty).

    Raises :class:`Crash` where Icecast 2.4.4 would segfault reading it.
    """
    value = row.value
    if value is None:
        raise ValueError(f"<{row.name}> is a section, not a value")
    if text is None:
        # absent: the default (an empty element is effective_of_empty's business)
        default = row.default(dialect)
        return _convert(value.kind, default, dialect) if default is not None else None
    assert text is not None
    return _convert(value.kind, text, dialect)


def crashes_if_empty(row: ElementRow, dialect: Dialect) -> bool:
    """Whether ``dialect`` segfaults reading ``<x/>`` of ``row``: 2.4.4's atoi(NULL), 2.5.0's <loglevel>."""
    return (dialect is Dialect.V24 and row.crash_if_empty) or dialect in row.crash_if_empty_also


def effective_of_empty(row: ElementRow, dialect: Dialect) -> object:
    """What ``dialect`` does with ``<x/>`` (present but empty); raises Crash for 2.4's atoi(NULL)."""
    if crashes_if_empty(row, dialect):
        raise Crash(f"{dialect.label} crashes (segfault) on an empty <{row.name}>")
    if row.value is not None and row.value.kind is Kind.TLS_MODE and dialect is Dialect.V25:
        return TlsMode.AUTO  # str_to_tlsmode: empty means auto, absent means disabled
    if row.value is not None and row.value.kind is Kind.BOOL and dialect is not Dialect.V24:
        return False  # 2.5 util_str_to_bool and KH config_get_bool read an empty value as 0 (tested)
    default = row.default(dialect)
    if row.value is None or default is None:
        return None
    return _convert(row.value.kind, default, dialect)


class Reading(NamedTuple):
    """The value a release uses for one written element, and why it differs from the text when it does."""

    value: object
    #: "read" (the text, converted), "not-read" (KH kept its default: the text does not
    #: convert) or "clamped" (2.5 reported a value outside its range and kept the default).
    how: str = "read"
    note: str = ""


def release_reading(row: ElementRow, text: str | None, dialect: Dialect, *, present: bool = True) -> Reading:
    """What ``dialect`` uses for element ``row`` written with ``text`` (None: empty); ``present=False``: absent.

    The one reading of a single value that the model's ``Section.effective``
    and the effective configuration share.  Raises :class:`Crash` where
    Icecast 2.4.4 (or 2.5.0, for ``<loglevel>``) segfaults on the empty element.
    """
    if not present:
        return Reading(effective(row, None, dialect))
    value = effective_of_empty(row, dialect) if text is None else effective(row, text, dialect)
    if value is None and text is not None and dialect is Dialect.KH:
        return Reading(effective(row, None, dialect), "not-read", f"{text!r} not read")
    limits = row.value.ranges.get(dialect) if row.value is not None else None
    if dialect is Dialect.V25 and limits is not None and isinstance(value, int) and not isinstance(value, bool):
        low, high = limits
        if not low <= value <= high:
            replacement = effective(row, None, dialect)
            note = f"{value} is outside {low}..{high}: the default {replacement} is used"
            return Reading(replacement, "clamped", note)
    return Reading(value)


class Content(Protocol):
    """What :func:`release_text` needs of an element: its text, and whether that starts it.

    A protocol, not the document's ``Element``: the base layer knows no
    documents, and the model and the effective configuration both pass theirs.
    """

    @property
    def text(self) -> str | None: ...

    @property
    def leads_with_text(self) -> bool: ...


def release_text(element: Content, dialect: Dialect) -> str | None:
    """The text ``dialect`` reads from ``element`` (None: nothing, as for an empty element).

    2.4.4 and 2.5.0 join all its text and CDATA, comments skipped; KH reads
    nothing unless the element starts with text that is not blank (a comment
    or CDATA first, or only whitespace, leaves the setting as it was).
    """
    if dialect is Dialect.KH and not element.leads_with_text:
        return None
    return element.text


def keeps_earlier(row: ElementRow, text: str | None, dialect: Dialect) -> bool:
    """Whether an element of ``row`` read as ``text`` leaves the setting as an earlier one gave it.

    KH alone: its ``config_get_*`` change nothing when they get no text (see
    :func:`release_text`) or cannot convert it, except ``config_get_bool``,
    which reads no text as 0.  2.4.4 and 2.5.0 take the last element as it is.
    """
    value = row.value
    if dialect is not Dialect.KH or value is None:
        return False
    if text is None:
        return value.kind is not Kind.BOOL
    if value.kind in AS_WRITTEN:
        return False
    return converted(row, text, dialect).how == "not-read"


#: (id of a row, text, dialect) -> (the row, what release_reading makes of the text); bounded.
_READINGS: dict[tuple[int, str, Dialect], tuple[ElementRow, Reading]] = {}
#: Entries kept in ``_READINGS``: the texts are the files', not the table's.
_READINGS_LIMIT = 4096


def converted(row: ElementRow, text: str, dialect: Dialect) -> Reading:
    """``release_reading`` of a non-empty text, remembered per process.

    A pure function of the row, the text and the release, and its result is
    immutable; numbers and switches repeat from mount to mount ("100", "1"),
    so each is converted once.  The row is kept with the reading, so that an
    id reused by another row is never taken for it.
    """
    key = (id(row), text, dialect)
    entry = _READINGS.get(key)
    if entry is not None and entry[0] is row:
        return entry[1]
    reading = release_reading(row, text, dialect)
    if len(_READINGS) < _READINGS_LIMIT:
        _READINGS[key] = (row, reading)
    return reading


#: Value kinds every release uses as written: :func:`release_reading` reads a non-empty
#: text of these as the text itself (``tests/test_effective_facts.py`` holds it to that).
AS_WRITTEN = frozenset(Kind) - {
    Kind.INT,
    Kind.UINT,
    Kind.SIZE,
    Kind.BITRATE,
    Kind.PUBLIC,
    Kind.BOOL,
    Kind.LOGLEVEL,
    Kind.FALLBACK_OVERRIDE,
    Kind.TLS_MODE,
}


def _v25_public(text: str) -> int:
    """2.5.0's ``<public>`` (``__parse_public``, cfgfile.c): -1, or a boolean's 1 or 0.

    ``client`` (any case) and ``-1`` are compared as written: padded, they
    are no match and go to ``util_str_to_bool`` with every other text, which
    makes any number but 0 a 1.  So ``" client "`` is 0, never listed even
    when the source asks, and ``" -1"`` or ``2`` are 1, listed whatever the
    source says (tested on 2.5.0: the ``public`` its stats show).
    """
    if text.lower() == "client" or text == "-1":
        return -1
    return 1 if _convert(Kind.BOOL, text, Dialect.V25) else 0


def _kh_public(text: str) -> int | None:
    """KH's ``<public>``: ``config_get_bool``, which keeps the number ``%d`` reads (None: not read).

    ``true``/``yes`` are 1 and ``no``/``false`` 0, compared as written (tested:
    ``" yes"`` is not read); anything else is the number it starts with.
    """
    word = text.lower()
    if word in ("true", "yes"):
        return 1
    if word in ("no", "false"):
        return 0
    match = _ATOI.match(text)
    return atoi(text) if match is not None else None


def _convert(kind: Kind, text: str, dialect: Dialect) -> object:
    if kind in (Kind.INT, Kind.UINT, Kind.SIZE, Kind.PUBLIC):
        if dialect is Dialect.V24:
            return atoi(text)
        if dialect is Dialect.V25:
            if kind is Kind.PUBLIC:
                return _v25_public(text)
            return atoi(text)
        if kind is Kind.PUBLIC:
            return _kh_public(text)
        # config_get_int: sscanf("%d") reads a leading number; without one the old value stays
        if kind is Kind.SIZE:
            return kh_size(text)
        match = _ATOI.match(text)
        if match is None:
            return None
        # %d stores the number in an int: beyond 32 bits it wraps as atoi's does (tested on kh22:
        # <sources>4294967297</sources> allows one source); the unsigned rows keep the plain number
        return atoi(text) if kind is not Kind.UINT else int(match[1])
    if kind is Kind.BITRATE:
        return kh_bitrate(text)  # KH's config_get_bitrate: no other release has these elements
    if kind is Kind.BOOL:
        if dialect is Dialect.V24:
            return atoi(text) != 0
        word = text.lower()  # both compare the words as written: " yes" is no "yes" (tested)
        if dialect is Dialect.KH:
            # config_get_bool: true/yes, no/false, or the number %d reads; anything else keeps the old value
            if word in ("true", "yes"):
                return True
            if word in ("false", "no"):
                return False
            return atoi(text) != 0 if _ATOI.match(text) is not None else None
        if word in _TRUE:
            return True
        return atoi(text) != 0
    if kind is Kind.LOGLEVEL:
        if dialect is Dialect.V24:
            return atoi(text)
        if dialect is Dialect.V25:
            # util_str_to_loglevel: strcasecmp on the text as written, else atoi, so a
            # padded word such as " debug " is level 0 and nothing is logged (tested on 2.5.0)
            return _LOGLEVEL_WORDS.get(text.lower(), atoi(text))
        word = text.strip().lower()
        return _LOGLEVEL_WORDS.get(word, atoi(text))
    if kind is Kind.FALLBACK_OVERRIDE:
        if dialect is Dialect.V25:
            word = text.strip().lower()
            if word in ("none", "all", "own"):
                return FallbackOverride(word)
        flag = _convert(Kind.BOOL, text, dialect)
        if flag is None:
            return None  # KH keeps its previous value (its default is 1)
        return FallbackOverride.ALL if flag else FallbackOverride.NONE
    if kind is Kind.TLS_MODE:
        # str_to_tlsmode: anything unknown, 0 and false included, means auto
        word = text.strip().lower()
        try:
            return TlsMode(word)
        except ValueError:
            if word in _TRUE or atoi(word) != 0:
                return TlsMode.RFC2818
            return TlsMode.AUTO
    return text
