"""Templates: values that are still placeholders of a template tool (``${PORT}``, ``{{ port }}``)."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator

from icecfg.document import Element
from icecfg.lint.context import LintContext
from icecfg.lint.finding import Finding, Severity
from icecfg.lint.rule import rule
from icecfg.lint.rules.common import character_data
from icecfg.lint.templating import blocks_of
from icecfg.placeholders import SYNTAXES, Placeholder, Syntax, find, may_contain


@rule("ICE003", "unrendered-placeholder", "info")
def unrendered_placeholder(ctx: LintContext) -> Iterator[Finding]:
    """Value that is a template placeholder (`${PORT}`, `{{ port }}`); checked once rendered.

    ## Why
    Many icecast.xml files are templates: a Docker entrypoint runs
    `envsubst`, Ansible renders Jinja, a script runs `sed`.  Icecast itself
    never substitutes anything: were the file used as it is, `<port>${PORT}</port>`
    would be read as 0 (a random port on 2.4.4).  icecfg recognises the
    placeholder syntaxes listed below, reports each placeholder once with
    this code, and leaves the value out of every value check, so a template
    gets no cascade of "not a number" findings while the rest of the file is
    checked as usual.

    The finding is *info*: a placeholder is what a template is made of, and
    linting a template in CI must not fail for it.  When the lint was asked
    to render the file (`--var`, `--vars-file`, `--vars-from-env`) a
    placeholder left without a value is a *warning*: the template tool
    would leave it (or an empty string) in the file Icecast reads.

    A placeholder standing among the child elements of a block
    (`<listen-socket>` ... `${TLS_OPTS}` ... `</listen-socket>`) is one the
    template tool replaces with markup: the elements it writes are not
    linted, and `--var` does not render it (it renders values only); lint
    the rendered file for those.

    Recognised syntaxes: `${NAME}` (also `${NAME:-default}`), `{$NAME}`,
    `$NAME` (capitals only), `$name$` (the whole value only), `{{ name }}`,
    `{NAME}` (capitals only, not joined to a letter, digit or underscore),
    `@NAME@`, `%NAME%` and `[[NAME]]`.  A value that merely contains `$`,
    `%` or braces, such as the password `pa$$word` or `pa{SS}word`, or a
    URL with `%2F`, is not a placeholder.

    ## Bad
    ```xml
    <listen-socket>
        <port>${ICECAST_PORT}</port>
    </listen-socket>
    ```

    ## Good
    ```xml
    <listen-socket>
        <port>8000</port>
    </listen-socket>
    ```

    ## Fix
    Nothing to fix in a template.  To check the values it will take, give
    them: `icecfg lint --var ICECAST_PORT=8000 icecast.xml.tpl`, or
    `--vars-file .env`, or `--vars-from-env` in the environment that renders
    it.  Secrets belong in the file or the environment, not on the command line.
    """
    document = ctx.config.document
    origin = document.root.origin
    # an unchanged file is its text as read: no copy of it rendered (two, with the join)
    source = origin.text if not document.changed and origin is not None else document.render()
    # every syntax has one of these: most files have none, and five plain substring scans
    # cost less than the search for every syntax (a tenth of it at 100,000 mounts)
    if not any(opener in source for opener in _OPENERS) or not _may_contain(source):
        return  # most files: one search over the text instead of a look at every value
    rendering = ctx.variables is not None
    blocks = blocks_of(ctx.placed)
    for element in ctx.config.document.root.iter():
        if id(element) in blocks or any(True for _ in element.elements()):
            for placeholder, offset in placeholders_among_elements(element):
                yield _markup_finding(ctx, element, placeholder, offset, rendering)
        else:
            text = element.text
            if text is not None:
                for placeholder in find(text):
                    yield _finding(ctx, element, None, text, placeholder, rendering)
        for attribute in element.attributes:
            for placeholder in find(attribute.value):
                yield _finding(ctx, element, attribute.name, attribute.value, placeholder, rendering)


#: Text each placeholder syntax has (see icecfg.placeholders.syntaxes): ``${``, ``{$``,
#: ``$x$`` and ``$X`` have a ``$``; ``{{ }}`` and ``{X}`` a ``{``; ``@x@``, ``%x%`` and
#: ``[[ ]]`` the others.
_OPENERS = ("$", "{", "@", "%", "[[")


#: How many places where a placeholder could start :func:`_may_contain` tries before it searches.
_TRIES = 64


def _may_contain(source: str) -> bool:
    """``may_contain(source)``, tried only where a placeholder can start.

    Every syntax starts with one of a few characters (``$ { @ % [``); a
    small file holds a handful of them (an ``@`` in an address, a ``[`` in a
    comment), and matching there costs a tenth of a search of the whole
    text for eight syntaxes at every character.  A file full of them (URL
    escapes) gets the one search after a few tries.
    """
    tries = 0
    find_char = source.find
    for char, patterns in _starting_with().items():
        at = find_char(char)
        while at >= 0:
            if any(pattern.match(source, at) is not None for pattern in patterns):
                return True
            tries += 1
            if tries > _TRIES:
                return may_contain(source)
            at = find_char(char, at + 1)
    return False


@functools.cache
def _starting_with() -> dict[str, list[re.Pattern[str]]]:
    """The first character of each syntax -> the syntaxes that start with it, compiled."""
    out: dict[str, list[re.Pattern[str]]] = {}
    for syntax in SYNTAXES:
        out.setdefault(first_character(syntax), []).append(re.compile(syntax.pattern))
    return out


def first_character(syntax: Syntax) -> str:
    """The character every placeholder of ``syntax`` starts with (its pattern opens with it, escaped).

    A pattern may first look behind (``{NAME}`` is no placeholder after a
    letter): the character is the one after that look.
    """
    pattern = re.sub(_LOOK_BEHIND, "", syntax.pattern, count=1)
    return pattern[1] if pattern.startswith("\\") else pattern[0]


#: A look-behind group at the start of a pattern (its character classes hold no parentheses).
_LOOK_BEHIND = r"\A\(\?<[!=](?:\[[^\]]*\]|\\.|[^()\\])*\)"


def _finding(
    ctx: LintContext, element: Element, attribute: str | None, value: str, placeholder: Placeholder, rendering: bool
) -> Finding:
    where = f"<{element.local_name} {attribute}>" if attribute is not None else f"<{element.local_name}>"
    if rendering:
        message = (
            f"{where} placeholder {placeholder.text} has no value: give --var {placeholder.name}=... "
            "(or --vars-file, --vars-from-env); as it is, Icecast would read the text as written"
        )
    else:
        message = (
            f"{where} is a template placeholder {placeholder.text} ({placeholder.syntax.name}): "
            f"its value is checked once rendered (--var {placeholder.name}=...)"
        )
    severity = Severity.WARNING if rendering else None
    finding = ctx.finding(element, message, attribute=attribute, at_text=attribute is None, severity=severity)
    column = _column(element, attribute, value, placeholder)
    if column is not None:  # at the placeholder itself
        finding.line, finding.column, finding.end_line = column[0], column[1], column[0]
        finding.end_column = column[1] + len(placeholder.text)
    return finding


def placeholders_among_elements(element: Element) -> Iterator[tuple[Placeholder, int]]:
    """Placeholders in the character data between ``element``'s children, with their offsets in the text."""
    for text, offset in character_data(element):
        for placeholder in find(text):
            yield placeholder, offset + placeholder.start


def _markup_finding(
    ctx: LintContext, element: Element, placeholder: Placeholder, offset: int, rendering: bool
) -> Finding:
    """A placeholder where elements stand: it renders to markup, which no rule sees and ``--var`` cannot render."""
    message = (
        f"template placeholder {placeholder.text} ({placeholder.syntax.name}) stands among the elements of "
        f"<{element.local_name}>: the elements it renders to are not linted (--var renders values only); "
        "lint the file the template tool writes"
    )
    finding = ctx.finding(element, message, severity=Severity.WARNING if rendering else None)
    line, column = element.position(offset)
    finding.line, finding.column, finding.end_line = line, column, line
    finding.end_column = column + len(placeholder.text)
    return finding


def _column(element: Element, attribute: str | None, value: str, placeholder: Placeholder) -> tuple[int, int] | None:
    """(line, column) of the placeholder as written, when the value is written without references."""
    if attribute is not None:
        attr = element.attribute(attribute)
        if attr is None or attr.start < 0 or attr.raw != value:
            return None
        offset = attr.start + len(attr.name) + len(attr.eq) + 1 + placeholder.start
    else:
        start = element.text_start
        children = element.children
        if start < 0 or len(children) != 1 or children[0] != value:
            return None
        offset = start + placeholder.start
    return element.position(offset)
