"""Every record class declares each field in all three places it needs it.

A record spells its fields out three times: in ``__slots__`` (storage), as an
annotation (what equality, hashing and repr read) and in its ``__init__``.  A
field missing from the slots fails at construction, but one missing from the
annotations silently drops out of ``==``, ``hash`` and ``repr``, and one the
``__init__`` never sets raises only when it is first read.  These checks catch
both on every record class in the package.
"""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import icecfg
from icecfg.records import FrozenRecord, Record, fields, slot_setters


def _record_classes() -> list[type[Record]]:
    for module in pkgutil.walk_packages(icecfg.__path__, "icecfg."):
        if not module.name.endswith("__main__"):  # runs the command line when imported
            importlib.import_module(module.name)
    found: list[type[Record]] = []
    pending: list[type[Record]] = [Record]
    while pending:
        cls = pending.pop()
        for sub in cls.__subclasses__():
            if sub.__module__.startswith("icecfg.") and sub not in found:
                found.append(sub)
            pending.append(sub)
    return sorted({c for c in found if c not in (FrozenRecord,)}, key=lambda c: (c.__module__, c.__qualname__))


RECORDS = _record_classes()


def _slots(cls: type) -> set[str]:
    names: set[str] = set()
    for klass in cls.__mro__:
        declared = klass.__dict__.get("__slots__", ())
        names.update([declared] if isinstance(declared, str) else declared)
    return names - {"__dict__", "__weakref__"}


def _assigned_in_init(cls: type) -> set[str]:
    """Names an ``__init__`` in the class's line assigns: ``self.x = ...`` or ``object.__setattr__(self, "x", ...)``."""
    names: set[str] = set()
    for klass in cls.__mro__:
        init = klass.__dict__.get("__init__")
        code = getattr(init, "__code__", None)
        if code is not None:
            names.update(code.co_names)
            names.update(c for c in code.co_consts if isinstance(c, str))
    return names


def test_there_are_records_to_check() -> None:
    # the finding every lint reports and the element table's rows are records
    names = {c.__qualname__ for c in RECORDS}
    assert {"Finding", "Rule"} <= names
    assert len(RECORDS) >= 30


@pytest.mark.parametrize("cls", RECORDS, ids=lambda c: f"{c.__module__}.{c.__qualname__}")
def test_annotations_are_the_slots(cls: type[Record]) -> None:
    declared = set(fields(cls))
    slots = _slots(cls)
    assert slots - declared == set(), "slots without an annotation: left out of ==, hash and repr"
    assert declared - slots == set(), "annotated fields without a slot"


@pytest.mark.parametrize("cls", RECORDS, ids=lambda c: f"{c.__module__}.{c.__qualname__}")
def test_init_sets_every_field(cls: type[Record]) -> None:
    missing = set(fields(cls)) - _assigned_in_init(cls)
    assert missing == set(), f"fields no __init__ sets: {sorted(missing)}"


@pytest.mark.parametrize("cls", [c for c in RECORDS if issubclass(c, FrozenRecord)], ids=lambda c: c.__qualname__)
def test_slot_setters_set_each_field_of_a_frozen_record(cls: type[FrozenRecord]) -> None:
    record = object.__new__(cls)
    for name, set_field in slot_setters(cls).items():
        marker = object()
        set_field(record, marker)
        assert getattr(record, name) is marker
    assert set(slot_setters(cls)) == set(fields(cls))
