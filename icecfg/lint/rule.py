"""The rule registry: every rule is a function registered with its code, name and severity."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from icecfg.lint.finding import Finding, Severity
from icecfg.records import FrozenRecord
from icecfg.spec import Dialect

if TYPE_CHECKING:
    from icecfg.lint.context import LintContext

Check = Callable[["LintContext"], Iterable[Finding]]


class Rule(FrozenRecord):
    """A lint rule.

    ``doc`` is the function's docstring: its first line is the summary, the
    rest the Markdown body of ``docs/rules/<code>.md`` (sections *Why*, *Bad*,
    *Good* and *Fix*).  ``dialects`` are the targets the rule runs for.
    ``needs_files`` rules read the server's files (through ``--root``) and are
    skipped with ``--no-fs``.  Rules with ``default_enabled`` False are
    opt-in: they run only when ``--select`` names them (see
    :func:`icecfg.lint.engine.selected`).
    """

    __slots__ = ("check", "code", "default_enabled", "dialects", "family", "name", "needs_files", "severity")

    code: str
    name: str
    severity: Severity
    family: str
    check: Check
    dialects: frozenset[Dialect]
    needs_files: bool
    default_enabled: bool

    def __init__(
        self,
        code: str,
        name: str,
        severity: Severity,
        family: str,
        check: Check,
        dialects: frozenset[Dialect],
        needs_files: bool = False,
        default_enabled: bool = True,
    ) -> None:
        _set = object.__setattr__
        _set(self, "code", code)
        _set(self, "name", name)
        _set(self, "severity", severity)
        _set(self, "family", family)
        _set(self, "check", check)
        _set(self, "dialects", dialects)
        _set(self, "needs_files", needs_files)
        _set(self, "default_enabled", default_enabled)

    @property
    def doc(self) -> str:
        import inspect  # documentation is read by `rules`/`rule` and the generator, not by lint

        return inspect.cleandoc(self.check.__doc__ or "")

    @property
    def summary(self) -> str:
        return self.doc.splitlines()[0] if self.doc else self.name


RULES: dict[str, Rule] = {}


def rule(
    code: str,
    name: str,
    severity: Severity | str,
    *,
    dialects: Iterable[Dialect] = tuple(Dialect),
    needs_files: bool = False,
    default_enabled: bool = True,
) -> Callable[[Check], Check]:
    """Register ``check`` as rule ``code``; the module name is its family.

    ``default_enabled=False`` makes the rule opt-in (a policy such as
    privacy that not every deployment wants).
    """

    def register(check: Check) -> Check:
        family = _family(check.__module__)
        if code in RULES:
            raise ValueError(f"rule code {code} is registered twice")
        if any(r.name == name for r in RULES.values()):
            raise ValueError(f"rule name {name} is registered twice")
        RULES[code] = Rule(
            code, name, Severity(severity), family, check, frozenset(dialects), needs_files, default_enabled
        )
        return check

    return register


def _family(module: str) -> str:
    """A rule's family: its module under ``icecfg.lint.rules``, or the package a module of a family is in."""
    inside = module.removeprefix(f"{_RULES_PACKAGE}.")
    return inside.split(".", 1)[0] if inside != module else module.rsplit(".", 1)[-1]


_RULES_PACKAGE = "icecfg.lint.rules"


def all_rules() -> dict[str, Rule]:
    """Every rule, importing the rule modules on first use."""
    import icecfg.lint.rules  # noqa: F401 - registers the rules

    if len(_SORTED) != len(RULES):
        _SORTED.clear()
        _SORTED.update(sorted(RULES.items()))
    return dict(_SORTED)


_SORTED: dict[str, Rule] = {}
