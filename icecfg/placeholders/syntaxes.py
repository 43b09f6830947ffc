"""The placeholder syntaxes template tools leave in an icecast.xml they render.

About one real-world icecast.xml in ten is a template: Docker entrypoints run
``envsubst``, Ansible renders Jinja, ``configure`` substitutes ``@VAR@``,
shell scripts ``sed`` in ``%VAR%``.  This table is the single list of those
syntaxes; :mod:`icecfg.placeholders.scan` finds and renders them, and the
``ICE003`` rule page is generated from the same rows.  Supporting another
syntax is one row here.

Each pattern has a ``name`` group (the variable a value is looked up by) and
may have ``op``/``default`` groups (shell's ``${NAME:-default}``).  The
patterns are deliberately narrow, because a value that merely contains ``$``
or braces (a password such as ``pa$$word``, a URL with ``%2F``) must not be
taken for a placeholder:

* bare ``$NAME`` only in capitals (the environment-variable convention) and
  at least two characters long; ``$$`` is an escaped dollar (Docker Compose)
  and never starts a placeholder;
* ``%NAME%`` never when ``NAME`` is two hex digits (URL escapes like ``%C3%``);
* ``$name$`` only when it is the whole value, since ``p$ss$`` could be a password;
* single-brace ``{NAME}`` only in capitals (digits, underscores), at least two
  characters long, and not joined to a letter, digit or underscore on either
  side: ``{ICECAST_PORT}`` and ``http://{HOST}:{PORT}/`` are placeholders, the
  passwords ``pa{SS}word`` and ``{Secret}`` and the text ``{1}`` are not.  A
  ``{`` after ``$`` is never one (``${NAME}`` is the shell's, ``$${NAME}`` an
  escaped dollar), nor one of ``{{`` (the double-brace row comes first).
"""

from __future__ import annotations

from icecfg.records import FrozenRecord


class Syntax(FrozenRecord):
    """One placeholder syntax: how it is written and who writes it."""

    __slots__ = ("example", "name", "pattern", "rendered_by", "whole_value")

    #: Short name used in messages and docs.
    name: str
    #: How a placeholder looks, for messages and docs.
    example: str
    #: Regular expression with a ``name`` group (and optionally ``op``, ``default``).
    pattern: str
    #: The tools that render it.
    rendered_by: str
    #: Only recognised when the placeholder is the whole value (surrounding whitespace allowed).
    whole_value: bool

    def __init__(self, name: str, example: str, pattern: str, rendered_by: str, whole_value: bool = False) -> None:
        _set = object.__setattr__
        _set(self, "name", name)
        _set(self, "example", example)
        _set(self, "pattern", pattern)
        _set(self, "rendered_by", rendered_by)
        _set(self, "whole_value", whole_value)


#: Text that looks like the start of a placeholder but is an escape (Docker Compose's ``$$``).
ESCAPES: tuple[str, ...] = ("$$",)

_IDENT = r"[A-Za-z_][A-Za-z0-9_]*"

SYNTAXES: tuple[Syntax, ...] = (
    Syntax(
        "shell-braces",
        "${NAME}",
        r"\$\{(?P<name>" + _IDENT + r")(?:(?P<op>:?[-=?+])(?P<default>[^}]*))?\}",
        "envsubst, Docker Compose, shell scripts (also ${NAME:-default})",
    ),
    Syntax("dollar-in-braces", "{$NAME}", r"\{\$(?P<name>" + _IDENT + r")\}", "PHP and Smarty-style scripts"),
    Syntax(
        "dollar-delimited",
        "$name$",
        r"\$(?P<name>" + _IDENT + r")\$",
        "Windows installers and string-template tools",
        whole_value=True,
    ),
    Syntax(
        "shell",
        "$NAME",
        r"\$(?P<name>[A-Z_][A-Z0-9_]+)(?![A-Za-z0-9_])",
        "envsubst and shell scripts (capitals only)",
    ),
    Syntax(
        "double-braces",
        "{{ name }}",
        r"\{\{-?\s*(?P<name>[^{}|\s]+)[^{}]*?-?\}\}",
        "Jinja2 (Ansible, Salt), Go templates (Helm), Mustache",
    ),
    Syntax(
        "single-braces",
        "{NAME}",
        r"(?<![\w$\{])\{(?P<name>[A-Z_][A-Z0-9_]+)\}(?![\w\}])",
        "envsubst-like entrypoints of container images (capitals only)",
    ),
    Syntax("at-signs", "@NAME@", r"@(?P<name>" + _IDENT + r")@", "autoconf, CMake configure_file, sed"),
    Syntax(
        "percent-signs",
        "%NAME%",
        r"%(?![0-9A-Fa-f]{2}%)(?P<name>" + _IDENT + r")%",
        "sed scripts, Windows batch files",
    ),
    Syntax(
        "double-brackets",
        "[[NAME]]",
        r"\[\[\s*(?P<name>[A-Za-z_][A-Za-z0-9_.]*)\s*\]\]",
        "templates with [[ ]] delimiters (Nomad, Levant, custom Jinja)",
    ),
)
