"""Lint a template as rendered: the values its placeholders would take.

``icecfg lint --var PORT=8000`` (or ``--vars-file``, ``--vars-from-env``)
renders the placeholders of element text and attribute values on a copy of
the configuration, so the rules judge what Icecast would read once the
template tool has run.  Placeholders without a value stay as written and are
reported by ICE003.  Elements keep their positions: findings point at the
template's lines.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from icecfg.files import read_at_most
from icecfg.io import dumps, loads
from icecfg.placeholders import render
from icecfg.placement import Placed, walk
from icecfg.sections import IcecastConfig


class VariablesError(ValueError):
    """A variables file or ``--var`` that cannot be used (message names the file and line)."""


def rendered(config: IcecastConfig, variables: Mapping[str, str]) -> IcecastConfig:
    """A copy of ``config`` with the placeholders of values that have a value rendered.

    A placeholder among the elements of a block stands for markup: written
    as the text of the block it would be escaped, not parsed, so it is left
    for ICE003 to report.
    """
    copy = loads(dumps(config), config.path)
    blocks = blocks_of(walk(copy.document.root))
    for element in copy.document.root.iter():
        text = element.text
        if text is not None and id(element) not in blocks and not any(True for _ in element.elements()):
            new, _left = render(text, variables)
            if new != text:
                element.set_text(new)
        for attribute in list(element.attributes):
            new, _left = render(attribute.value, variables)
            if new != attribute.value:
                element.set(attribute.name, new)
    return copy


def blocks_of(placed: Iterable[Placed]) -> set[int]:
    """Ids of the elements that are blocks of the table (``<limits>``, a ``<mount>`` block, ...), empty or not."""
    return {id(one.element) for one in placed if one.row is not None and one.section is not None}


def parse_assignment(text: str, where: str) -> tuple[str, str]:
    """``NAME=VALUE`` (``where`` names its origin in the error)."""
    name, equals, value = text.partition("=")
    name = name.strip()
    if not equals or not name or not (name[0].isalpha() or name[0] == "_"):
        # the text is not echoed: in a variables file it may well be a secret
        raise VariablesError(f"{where}: expected NAME=VALUE")
    return name, value


def read_vars_file(path: Path) -> dict[str, str]:
    """Variables of a ``.env`` file as Docker Compose reads it: ``NAME=VALUE`` lines.

    Blank lines and ``#`` comments are skipped, ``export`` is allowed, and a
    value in matching single or double quotes loses them.
    """
    try:
        data = read_at_most(path)
    except OSError as err:
        raise VariablesError(f"cannot read variables file {path}: {err.strerror or err}") from None
    try:
        lines = data.decode("utf-8").splitlines()
    except UnicodeDecodeError as err:  # the decoder's own message quotes the byte: the file holds secrets
        where = data.count(b"\n", 0, err.start) + 1
        raise VariablesError(f"cannot read variables file {path}:{where}: not UTF-8 text") from None
    found: dict[str, str] = {}
    for number, line in enumerate(lines, 1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.startswith("export "):
            stripped = stripped[len("export ") :].lstrip()
        name, value = parse_assignment(stripped, f"{path}:{number}")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        found[name] = value
    return found
