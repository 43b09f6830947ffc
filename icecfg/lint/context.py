"""What a rule sees: the configuration, the target dialect, the server's files."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, TypeVar, cast

from icecfg import spec
from icecfg.document import Element
from icecfg.effective.cached import computed_once
from icecfg.lint.fileview import FileView
from icecfg.lint.finding import Finding, Severity
from icecfg.placeholders import find as find_placeholders
from icecfg.placement import Placed, RowGroups, placed_list
from icecfg.secrets import SECRET_OPTIONS, placed_secrets
from icecfg.spec import Dialect, Kind

if TYPE_CHECKING:
    from icecfg.effective import EffectiveConfig
    from icecfg.sections import IcecastConfig

#: ``SECRET_OPTIONS`` is read from here by the security rules.
__all__ = ["SECRET_OPTIONS", "LintContext", "Made"]


_Fact = TypeVar("_Fact")


#: A finding as :meth:`LintContext.finding` made it: the finding, the element it is about, the
#: attribute if any, and its own severity if any (None: its rule's).
Made = tuple[Finding, Element, str | None, Severity | None]


class LintContext:
    """Read-only facts for the rules, computed once per file.

    Rules read the typed model (``ctx.config``) or, for structure, the placed
    elements (``ctx.placed``); they report with :meth:`finding`, which fills
    in the element's position.  The context knows nothing of rules: the
    engine stamps what they yield, so the two modules do not import each other.
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
        #: Facts several rules derive from the configuration (a mount graph, say),
        #: computed by the first rule that needs them.
        self.cache: dict[str, object] = {}
        #: The variables the lint rendered placeholders with (None: no rendering was asked for).
        self.variables: Mapping[str, str] | None = None
        #: The DNS name listeners connect to when it may differ from ``<hostname>`` (``[bake] domain``).
        self.domain: str | None = None
        #: id of each finding :meth:`finding` made -> what the engine needs to stamp and judge it.
        self.made: dict[int, Made] = {}
        self._templated: dict[int, bool] = {}
        self._named: dict[tuple[str, object], list[Placed]] = {}
        self._once: dict[Callable[[LintContext], object], object] = {}

    def once(self, compute: Callable[[LintContext], _Fact]) -> _Fact:
        """``compute(self)``, worked out by the first rule that asks and kept for the others.

        The function is the key, so the fact comes back with the type it was
        made with (``cache`` takes string keys and its readers a ``cast``).
        """
        if compute not in self._once:
            self._once[compute] = compute(self)
        return cast("_Fact", self._once[compute])

    @computed_once
    def effective(self) -> EffectiveConfig:
        """What the target release does with the file: the facts the rules judge (computed on demand)."""
        from icecfg.effective import EffectiveConfig

        return EffectiveConfig(self.config.document.root, self.target, self.files, self.path, self.domain)

    @property
    def placed(self) -> list[Placed]:
        """Every element in document order, with the table row that describes it (or None)."""
        return self._placement[0]

    @property
    def by_row(self) -> RowGroups:
        """:attr:`placed` of each known row: id of the row -> (the row, its elements in document order)."""
        return self._placement[1]

    @computed_once
    def _placement(self) -> tuple[list[Placed], RowGroups]:
        return placed_list(self.config.document.root)

    def rows(self, row_name: str, section_id: str | None = None) -> Iterator[Placed]:
        """Placed elements of a known row, optionally only inside section ``section_id``."""
        for placed in self._in_rows(("name", row_name)):
            if section_id is None or placed.parent.id == section_id:
                yield placed

    def of_kind(self, kind: Kind) -> list[Placed]:
        """Placed elements whose row has a value of ``kind`` (every password, every path), in document order."""
        return self._in_rows(("kind", kind))

    def _in_rows(self, key: tuple[str, object]) -> list[Placed]:
        """The elements of the rows filed under ``key``, in document order (worked out once per ``key``).

        Rules ask for a handful of names and kinds: they are gathered from the
        row groups when asked, not grouped for every name of the table ahead.
        """
        found = self._named.get(key)
        if found is None:
            by_row = self.by_row
            rows = {k: by_row[k][1] for k in _table_rows(key) if k in by_row}
            if len(rows) <= 1:
                found = next(iter(rows.values()), [])
            elif not self.config.document.changed:
                # parsed and unchanged: document order is the order of the start offsets
                found = sorted([p for group in rows.values() for p in group], key=_start_of)
            else:
                found = [p for p in self.placed if p.row is not None and id(p.row) in rows]
            self._named[key] = found
        return found

    @computed_once
    def secrets(self) -> frozenset[str]:
        """Every password-kind value in the file: never to be printed."""
        return placed_secrets(self.placed)

    def finding(
        self,
        element: Element | None,
        message: str,
        *,
        attribute: str | None = None,
        at_text: bool = False,
        fix: Callable[[], None] | None = None,
        fix_title: str = "",
        severity: Severity | None = None,
    ) -> Finding:
        """A finding about ``element`` (the root when None), at its position.

        The engine stamps the code, name and severity of the rule that yields
        it (yamllint's linter does the same): a rule says what is wrong and
        where.  ``severity`` is for the rare finding worth more or less than
        its rule's; a rule changes a finding in place, never through a
        copy, so that the engine still knows it.
        """
        target = element if element is not None else self.config.document.root
        origin = target.origin
        start = target.start
        if origin is None or origin.detached or start < 0:
            # an element made or copied since the file was read: it has no place in the file
            line = column = anchor = end_line = end_column = 0
        else:
            # the origin's lookup, not Element.position's wrapper round it: asked two or three
            # times for each of the tens of thousands of findings of a big file
            position = origin.position
            here = start  # the offset (line, column) stands at
            line, column = position(here)
            anchor = line
            end = target.end
            if attribute is not None:
                attr = target.attribute(attribute)
                if attr is not None and attr.start >= 0:
                    here = attr.start
                    line, column = position(here)
                    end = here + len(attr.name) + len(attr.eq) + 2 * len(attr.quote) + len(attr.raw)
            elif at_text:
                text_start = target.text_start  # worked out from the start tag and content: asked once
                if text_start >= 0:
                    here = text_start
                    line, column = position(here)
            # the end of the attribute or element (exclusive, as SARIF wants), never before the start
            if end < 0:
                end_line, end_column = line, 0
            else:
                text = origin.text
                if here <= end and text.find("\n", here, end) < 0 and text.find("\r", here, end) < 0:
                    # on the line it starts on (most findings): no second lookup of the line table
                    end_line, end_column = line, column + end - here
                else:
                    end_line, end_column = position(end)
                if (end_line, end_column) < (line, column):
                    end_line, end_column = line, 0
        # the engine stamps code, name and severity; the fields by position (made for every finding):
        # code, name, severity, message, path, line, column, end_line, end_column, anchor_line, fix, fix_title
        finding = Finding(
            "",
            "",
            severity or Severity.INFO,
            message,
            self.path,
            line,
            column,
            end_line,
            end_column,
            anchor,
            fix,
            fix_title,
        )
        # a plain tuple, not a NamedTuple's Python-level __new__: one per finding
        self.made[id(finding)] = (finding, target, attribute, severity)
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


#: ("name", row name) and ("kind", value kind) -> ids of the table's rows filed so.
_TABLE_ROWS: dict[tuple[str, object], list[int]] = {}


def _table_rows(key: tuple[str, object]) -> list[int]:
    """Ids of the table's rows called ``key[1]`` or of value kind ``key[1]`` (worked out once per process).

    The walk groups a file's elements by the table's rows (:attr:`LintContext.by_row`),
    and the table does not change: a rule's question is a few lookups, not a
    scan of every row the file holds at each lint.
    """
    if not _TABLE_ROWS:
        for _section, row in spec.iter_rows():
            _TABLE_ROWS.setdefault(("name", row.name), []).append(id(row))
            if row.value is not None:
                _TABLE_ROWS.setdefault(("kind", row.value.kind), []).append(id(row))
    return _TABLE_ROWS.get(key, [])


def _start_of(placed: Placed) -> int:
    return placed.element.start
