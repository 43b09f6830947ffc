"""The ``<option>`` children of an authenticator as a release reads them.

Every release takes an option only with both a name and a value; KH's
table-driven parser also reads them from ``<name>``/``<value>`` children,
and files repeated options newest first.  The authenticator rules, explain
and migrate all read options through here.
"""

from __future__ import annotations

from icecfg.document import Element
from icecfg.spec import Dialect


def option_value(option: Element, dialect: Dialect) -> str | None:
    """The value the release takes from ``option`` (KH: a ``<value>`` child wins over the attribute)."""
    value = option.get("value")
    return _child_text(option, "value", value) if dialect is Dialect.KH else value


def read_last(found: list[Element], dialect: Dialect) -> Element:
    """Of the options written for one setting, the one the release ends up with.

    2.4.4 and 2.5.0 read them in file order, each replacing the one before;
    KH's parser files them newest first, so the first one written is read last.
    """
    return found[0] if dialect is Dialect.KH else found[-1]


def options(block: Element, dialect: Dialect) -> list[tuple[Element, str]]:
    """The ``<option>`` elements the release takes, with their names: those with a name and a value.

    Every release skips an option without both (2.4.4 auth.c, 2.5.0
    cfgfile.c, KH ``_parse_mount_auth_option``); KH also reads them from
    ``<name>``/``<value>`` children, its table reading every setting both ways.
    """
    found = []
    for option in block.elements("option"):
        name = option.get("name")
        if dialect is Dialect.KH:
            name = _child_text(option, "name", name)
        if name is not None and option_value(option, dialect) is not None:
            found.append((option, name))
    return found


def _child_text(option: Element, tag: str, default: str | None) -> str | None:
    child = option.find_last(tag)
    return child.text if child is not None else default
