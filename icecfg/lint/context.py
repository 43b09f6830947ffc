"""What a rule sees: the configuration, the target dialect, the server's files."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from functools import cached_property
from typing import TYPE_CHECKING

from icecfg.document import Element
from icecfg.lint.fileview import FileView
from icecfg.lint.finding import Finding
from icecfg.placeholders import find as find_placeholders
from icecfg.placeholders import is_placeholder_only
from icecfg.spec import Dialect, Kind
from icecfg.structure import Placed, walk

if TYPE_CHECKING:
    from icecfg.effective import EffectiveConfig
    from icecfg.lint.rule import Rule
    from icecfg.sections import IcecastConfig


class LintContext:
    """Read-only facts for the rules, computed once per file.

    Rules read the typed model (``ctx.config``) or, for structure, the placed
    elements (``ctx.placed``); they report with :meth:`finding`, which fills
    in the running rule's code, name and severity and the element's position.
    """

    def __init__(
        self,
        config: IcecastConfig,
        target: Dialect = Dialect.V24,
        files: FileView | None = None,
        path: str | None = None,
    ) -> None:
        self.config = config
        self.target = target
        self.files = files
        self.path = path or config.path or "<string>"
        self.rule: Rule | None = None
        #: Facts several rules derive from the configuration (a mount graph, say),
        #: computed by the first rule that needs them.
        self.cache: dict[str, object] = {}
        #: The variables the lint rendered placeholders with (None: no rendering was asked for).
        self.variables: Mapping[str, str] | None = None
        #: Findings about a value that is still a template placeholder: the engine drops them.
        self.hidden: set[int] = set()
        self._templated: dict[int, bool] = {}

    @cached_property
    def effective(self) -> EffectiveConfig:
        """What the target release does with the file: the facts the rules judge (computed on demand)."""
        from icecfg.effective import EffectiveConfig

        return EffectiveConfig(self.config.document.root, self.target, self.files, self.path)

    @cached_property
    def placed(self) -> list[Placed]:
        """Every element in document order, with the table row that describes it (or None)."""
        return list(walk(self.config.document.root))

    def rows(self, row_name: str, section_id: str | None = None) -> Iterator[Placed]:
        """Placed elements of a known row, optionally only inside section ``section_id``."""
        for placed in self._by_row.get(row_name, ()):
            if section_id is None or placed.parent.id == section_id:
                yield placed

    @cached_property
    def _by_row(self) -> dict[str, list[Placed]]:
        """:attr:`placed` grouped by row name, so each :meth:`rows` call reads only its own."""
        out: dict[str, list[Placed]] = {}
        for placed in self.placed:
            if placed.row is not None:
                out.setdefault(placed.row.name, []).append(placed)
        return out

    @cached_property
    def secrets(self) -> frozenset[str]:
        """Every password-kind value in the file: never to be printed."""
        found: set[str] = set()
        for placed in self.placed:
            row = placed.row
            if row is not None and row.value is not None and row.value.kind is Kind.PASSWORD:
                text = placed.element.text
                if text and not is_placeholder_only(text):  # ${ADMIN_PASSWORD} names a secret, is none
                    found.add(text)
                    found.add(text.strip())
            for attribute in placed.element.attributes:
                if (
                    attribute.name in ("password", "value")
                    and _is_secret_option(placed.element)
                    and not is_placeholder_only(attribute.value)
                ):
                    found.add(attribute.value)
        found.discard("")
        return frozenset(found)

    def finding(
        self,
        element: Element | None,
        message: str,
        *,
        attribute: str | None = None,
        at_text: bool = False,
        fix: Callable[[], None] | None = None,
        fix_title: str = "",
    ) -> Finding:
        """A finding of the running rule about ``element`` (the root when None)."""
        assert self.rule is not None, "finding() is for rules run by the engine"
        target = element if element is not None else self.config.document.root
        line, column = target.position()
        anchor = line
        if attribute is not None:
            attr = target.attribute(attribute)
            if attr is not None and attr.start >= 0:
                line, column = target.position(attr.start)
        elif at_text and target.text_start >= 0:
            line, column = target.position(target.text_start)
        # the end of the element (exclusive, as SARIF wants), never before the start
        end_line, end_column = target.position(target.end) if target.end >= 0 else (line, 0)
        if (end_line, end_column) < (line, column):
            end_line, end_column = line, 0
        finding = Finding(
            code=self.rule.code,
            name=self.rule.name,
            severity=self.rule.severity,
            message=message,
            path=self.path,
            line=line,
            column=column,
            end_line=end_line,
            end_column=end_column,
            anchor_line=anchor,
            fix=fix,
            fix_title=fix_title,
        )
        if self._about_placeholder(target, attribute):
            self.hidden.add(id(finding))
        return finding

    def templated(self, element: Element, attribute: str | None = None) -> bool:
        """Whether the element's text (or attribute ``attribute``) still holds a template placeholder."""
        if attribute is not None:
            value = element.get(attribute)
            return value is not None and bool(find_placeholders(value))
        key = id(element)
        known = self._templated.get(key)
        if known is None:
            text = element.text
            known = bool(text is not None and find_placeholders(text))
            self._templated[key] = known
        return known

    def _about_placeholder(self, element: Element, attribute: str | None) -> bool:
        """A finding judging a value that is an unrendered placeholder would judge the template tool's text.

        Rules about an element's presence or place (structure, dialect) stand
        whatever its value; every other finding on a templated value is one
        of a cascade that the placeholder finding (ICE003) already explains.
        """
        assert self.rule is not None
        if self.rule.family == "templates" or self.rule.code in _WHATEVER_THE_VALUE:
            return False
        if attribute is not None:
            return self.templated(element, attribute)
        return self.rule.family not in _PLACE_FAMILIES and self.templated(element)


#: Rule families that judge where an element stands, not what its value is.
_PLACE_FAMILIES = frozenset({"structure", "dialect"})
#: Rules whose finding on a templated value stands however it is rendered:
#: passwords sent without TLS (ICE409), and one placeholder used for two
#: passwords, which renders to the same secret twice (ICE503).
_WHATEVER_THE_VALUE = frozenset({"ICE409", "ICE503"})


#: ``<option name=... value=.../>`` names whose value is a secret (url authenticators).
SECRET_OPTIONS = ("password", "auth_password")


def _is_secret_option(element: Element) -> bool:
    """``<option name="password" value="..."/>`` of a url authenticator holds a secret."""
    return element.local_name == "option" and (element.get("name") or "") in SECRET_OPTIONS
