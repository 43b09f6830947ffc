"""What every icecfg command shares: exit status, errors, settings, reading the config, the API token.

Each command's module (``lint/command.py``, ``bake/command.py``,
``ondemand/*``, ``migrate/command.py``, ``explain`` in ``cli.py``) builds on
this one, so the exit status documented in docs/command-line.md means the
same for all of them, and a problem with the settings file, an unreadable
configuration or a failed API request reads the same whichever command met
it: ``icecfg COMMAND: what is wrong`` on one line of stderr, no traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from icecfg.errors import IcecfgError
from icecfg.settings import Settings, SettingsError, find, load

if TYPE_CHECKING:
    from decimal import Decimal

    from icecfg.sections import IcecastConfig

#: Exit status of every command: done; failed (or found what it was asked to
#: look for: lint findings, migrate losses); called or set up wrongly.
EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
#: Exit status after Ctrl-C: 128 + SIGINT, what a shell reports for a command the signal ended.
EXIT_INTERRUPTED = 130

#: Environment variables the DigitalOcean API token is read from, in this order.
TOKEN_VARIABLES = ("DIGITALOCEAN_TOKEN", "DIGITALOCEAN_ACCESS_TOKEN")


class UsageError(IcecfgError):
    """A one-line problem with how icecfg was called or set up (exit 2)."""


class Failed(IcecfgError):
    """The operation was tried and failed (exit 1); the message is one line.

    A failed DigitalOcean request is one (``DigitalOceanError`` derives from
    it), so every cloud command reports it, and exits, the same way.
    """


def guarded(command: str, body: Callable[[], int]) -> int:
    """Run a command's ``body``; a :class:`UsageError` (exit 2) or :class:`Failed` (exit 1) becomes one line.

    The line is ``icecfg COMMAND: message`` on stderr; a settings file that
    cannot be used is a usage error too.  Anything else is a bug and keeps
    its traceback.
    """
    try:
        return body()
    except (UsageError, SettingsError) as err:
        print(f"icecfg {command}: {err}", file=sys.stderr)
        return EXIT_USAGE
    except Failed as err:
        print(f"icecfg {command}: {err}", file=sys.stderr)
        return EXIT_FAILED


def target_value(text: str) -> str:
    """The value of every command's ``--target`` (and migrate's ``--from``): 2.4, 2.5 or kh.

    Any spelling :class:`~icecfg.spec.Dialect` reads is taken (``KH``,
    ``2.4.4``, ``2.5.0`` are aliases); the canonical value is returned.
    """
    from icecfg.spec import Dialect  # the element table: loaded when a target is given

    try:
        return Dialect(text).value
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def given_text(text: str) -> str:
    """An option's text (a name, a slug, a path), which cannot be blank, for argparse.

    Each such option has a default (the settings', the current directory,
    ``latest``) that a command takes when the option is left out; an empty
    value fell back to it silently: ``up --domain ''`` pointed the
    settings' domain at the droplet, ``init --mount ''`` wrote ``/live.ogg``.
    What is typed is taken or refused, never replaced.
    """
    if not text.strip():
        raise argparse.ArgumentTypeError("is empty: leave it out for its default")
    return text


def finite_number(text: str) -> float:
    """An option's number (``--timeout``, ``--older-than``): ``nan`` and ``inf`` are refused here.

    ``float()`` takes them, and then ``up --timeout nan`` waited for ever on
    a droplet that costs money, and ``prune --older-than nan`` crashed.
    """
    import math

    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"not a finite number: {text!r}")
    return value


def number_in(low: int, high: int) -> Callable[[str], float]:
    """An option's finite number from ``low`` to ``high`` (``up --timeout``, ``prune --older-than``), for argparse.

    As for :func:`whole_number`, the range is documented and checked where
    the value is parsed: ``up --timeout 1e300`` kept a droplet that costs
    money waiting for ever, and a number of days beyond what a
    ``timedelta`` holds left ``prune`` unable to make its plan.
    """

    def value(text: str) -> float:
        number = finite_number(text)
        if not low <= number <= high:
            raise argparse.ArgumentTypeError(f"{text}: must be a number from {low} to {high}")
        return number

    return value


def whole_number(low: int, high: int) -> Callable[[str], int]:
    """An option's whole number from ``low`` to ``high`` (``--keep``, ``--bitrate``), for argparse.

    Each number a command takes has a documented range, checked where it is
    parsed: beyond it a value is a usage error naming the range, never a
    number the command cannot work with (``cost --bitrate`` of 29 digits
    ended in a traceback).
    """

    def value(text: str) -> int:
        try:
            number = int(text.strip())
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
        if not low <= number <= high:
            raise argparse.ArgumentTypeError(f"{text}: must be a whole number from {low} to {high}")
        return number

    return value


def decimal_number(low: Decimal, high: Decimal, places: int = 2) -> Callable[[str], Decimal]:
    """An option's number from ``low`` to ``high`` as a :class:`~decimal.Decimal` (dollars, GB, hours), for argparse.

    ``Decimal("ten")`` raises ``InvalidOperation``, an ``ArithmeticError``
    argparse does not catch, and NaN cannot even be compared: both are
    refused here, as is a number beyond the range, whose amounts would need
    more than the 28 digits a Decimal holds.  A number in range is taken to
    ``places`` decimal places (:func:`plain_decimal`): the output repeats it,
    and ``1e-999999`` was a line of a million digits, ``-0`` a month of -0 hours.
    """

    def value(text: str) -> Decimal:
        from decimal import Decimal as Number

        try:
            number = Number(text)
        except ArithmeticError:
            raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
        if not number.is_finite() or not low <= number <= high:
            raise argparse.ArgumentTypeError(f"{text}: must be a number from {low} to {high}")
        return plain_decimal(number, places)

    return value


def plain_decimal(number: Decimal, places: int) -> Decimal:
    """``number`` rounded to ``places`` decimal places, without trailing zeros, exponent or sign of zero.

    ``f"{value:f}"`` of the result is as short as the number: ``1E+3`` is
    1000, ``2.50`` is 2.5 and ``-0`` is 0.  ``number`` must be small enough
    for the rounding to fit a Decimal's 28 digits (the callers' ranges are).
    """
    from decimal import Decimal as Number

    rounded = number.quantize(Number(1).scaleb(-places))
    rounded = rounded.quantize(Number(1)) if rounded == rounded.to_integral_value() else rounded.normalize()
    return rounded if rounded else rounded.copy_abs()


def add_target_argument(
    parser: argparse.ArgumentParser,
    help: str,
    flag: str = "--target",
    dest: str | None = None,
    default: str | None = None,
) -> None:
    """Declare a release option the one way every command reads it (:func:`target_value`)."""
    parser.add_argument(
        flag,
        dest=dest or flag.lstrip("-").replace("-", "_"),
        type=target_value,
        default=default,
        metavar="{2.4,2.5,kh}",
        help=help,
    )


def settings_near(path: str | os.PathLike[str] | None) -> Settings:
    """The nearest settings from ``path``'s directory up (from the current directory without it, or for ``-``).

    Every command finds its settings here, so ``lint``, ``explain``,
    ``migrate``, ``bake`` and the cloud commands read the same file for the
    same configuration.  A path is taken as it was named: for a symlink, the
    settings beside the link count, not those beside the file it points at.
    A settings file that cannot be read or understood is a :class:`UsageError`.
    """
    start = Path.cwd() if path is None or str(path) in ("", "-") else Path(path)
    try:
        return find(start)
    except SettingsError as err:
        raise UsageError(str(err)) from None


def settings_named(path: str | os.PathLike[str]) -> Settings:
    """The settings of one file named on the command line (``--settings``); :class:`UsageError` if unusable."""
    try:
        return load(Path(path))
    except SettingsError as err:
        raise UsageError(str(err)) from None


def root_directory(root: str | None, where: str) -> str | None:
    """``root`` (a ``--root`` tree of the server's files) when it is a directory; else a :class:`UsageError`.

    A misspelt tree would otherwise make every server file look missing:
    lint would report them all, and migrate would conclude that 2.4.4 had no
    usable certificate and write the TLS port as plain HTTP.  ``where`` names
    the option or the settings line that gave it.
    """
    if root is None or Path(root).is_dir():
        return root
    why = "is not a directory" if Path(root).exists() else "does not exist"
    raise UsageError(f"{where} {root}: {why} (the tree of the server's files)")


def read_or_usage_error(path: str | os.PathLike[str], hint: str = "", *, stdin: bool = False) -> bytes:
    """The bytes of a configuration, or a :class:`UsageError` ``cannot read PATH: why``.

    With ``stdin``, ``-`` is standard input: the commands that only read a
    configuration (``lint``, ``explain``, ``migrate``, ``schema --validate``) take a file piped from
    another tool or an editor's buffer the same way.  The others leave it a
    file name: bake stages the file it names, and up, status and cost find
    settings beside it.  ``hint`` is added in brackets when the file does
    not exist (where the command looks for it, which option names another).
    No more than :data:`~icecfg.files.MAX_FILE_BYTES` are read: ``/dev/zero``
    or a stream that never ends took all memory.
    """
    from icecfg.files import MAX_FILE_BYTES, read_at_most, too_large

    try:
        if not (stdin and str(path) == "-"):
            return read_at_most(path)
        data: bytes = sys.stdin.buffer.read(MAX_FILE_BYTES + 1)
        if len(data) > MAX_FILE_BYTES:
            raise too_large()
        return data
    except OSError as err:
        more = f" ({hint})" if hint and isinstance(err, FileNotFoundError) else ""
        raise UsageError(f"cannot read {path}: {err.strerror or err}{more}") from None


def load_or_usage_error(path: str | os.PathLike[str], hint: str = "", *, stdin: bool = False) -> IcecastConfig:
    """The configuration at ``path``, read and parsed, or a :class:`UsageError` of one line.

    The line names the file, and the line and column of what is wrong when
    the file is not a configuration icecfg reads (``icast.xml:3:5: mismatched
    tag``); every command that reads a configuration then exits 2 with it.
    """
    from icecfg.io import loads  # the model: only for commands that read a configuration

    data = read_or_usage_error(path, hint, stdin=stdin)
    try:
        return loads(data, str(path))
    except IcecfgError as err:
        message = str(err)
        raise UsageError(message if message.startswith(str(path)) else f"{path}: {message}") from None


def token_from_environment() -> str:
    """The DigitalOcean API token, or a UsageError naming the variables to set (never printed)."""
    for name in TOKEN_VARIABLES:
        value = os.environ.get(name, "").strip()
        if value:
            check_token(value)
            return value
    raise UsageError("no DigitalOcean API token: set DIGITALOCEAN_TOKEN (or DIGITALOCEAN_ACCESS_TOKEN)")


def check_token(token: str) -> None:
    """A :class:`UsageError` for a token no API token can be: only printable ASCII goes into the header.

    A line break or a space (a token pasted with its label, two lines of a
    file) made the HTTP library refuse the header, and its error quoted the
    header, whose tail then reached the one-line message: part of the
    token on the screen, and no request could ever have worked.
    """
    if not all("!" <= char <= "~" for char in token):
        raise UsageError(
            "the DigitalOcean API token holds a space, a control or a non-ASCII character, which no API token "
            "has (DIGITALOCEAN_TOKEN or DIGITALOCEAN_ACCESS_TOKEN)"
        )
