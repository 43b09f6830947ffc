"""Record classes: named fields, equality, hashing and a readable repr, without dataclasses.

Why not ``@dataclass``: it writes each class's methods as Python source and
compiles that source when the module is imported, and ``import dataclasses``
loads ``inspect`` (with ``ast``, ``dis`` and ``tokenize``).  With the element
table, the effective layer and the lint engine each defining their records
that way, the compiling was about a third of a cold ``icecfg lint``.  A record
class here spells its ``__init__`` out (typed, as fast as the generated one)
and takes equality, hashing and repr from its annotated fields, which are
read once per class (in the order they are declared).
"""

from __future__ import annotations

from collections.abc import Callable
from operator import attrgetter
from typing import Any, ClassVar, NoReturn, TypeVar

_R = TypeVar("_R", bound="FrozenRecord")

#: Class -> its field names in order (those of its bases first).
_FIELDS: dict[type, tuple[str, ...]] = {}


def fields(cls: type) -> tuple[str, ...]:
    """The field names of record class ``cls``: the names annotated in its body and its bases'.

    A ``ClassVar`` annotation is no field (the module's annotations are
    strings, as every icecfg module imports ``annotations``).
    """
    found = _FIELDS.get(cls)
    if found is None:
        names: dict[str, None] = {}
        for klass in reversed(cls.__mro__):
            annotations = klass.__dict__.get("__annotations__", {})  # noqa: RUF063  # not inspect: see above
            names.update((n, None) for n, kind in annotations.items() if not str(kind).startswith("ClassVar"))
        found = _FIELDS[cls] = tuple(names)
    return found


def slot_setters(cls: type) -> dict[str, Callable[[Any, Any], None]]:
    """Field name -> the setter of its slot, for a frozen record made in bulk.

    ``object.__setattr__(self, "name", value)`` looks the slot up by name on
    every call; calling the slot's own setter costs about a third less.  Worth
    it only where a file makes a record per element (origins, mounts), and
    only inside the module that owns the class: to everyone else the record
    stays immutable.
    """
    setters: dict[str, Callable[[Any, Any], None]] = {}
    for name in fields(cls):
        owner = next(klass for klass in cls.__mro__ if name in vars(klass))  # the slot, as attribute lookup finds it
        setters[name] = vars(owner)[name].__set__
    return setters


#: Class -> what reads the fields equality and hashing look at, as a tuple.
_COMPARED: dict[type, Callable[[Any], tuple[Any, ...]]] = {}


def _compared(cls: type[Record]) -> Callable[[Any], tuple[Any, ...]]:
    """One ``attrgetter`` per class: comparing findings or origins stays a C loop."""
    found = _COMPARED.get(cls)
    if found is None:
        names = [n for n in fields(cls) if n not in cls._uncompared]
        if len(names) > 1:
            found = _COMPARED[cls] = attrgetter(*names)
        else:
            found = _COMPARED[cls] = _one(names[0]) if names else _none
    return found


def _one(name: str) -> Callable[[Any], tuple[Any, ...]]:
    get = attrgetter(name)
    return lambda record: (get(record),)


def _none(record: Any) -> tuple[Any, ...]:
    return ()


class Record:  # noqa: PLW1641  # unhashable on purpose (see below)
    """A mutable record: equal to another of its class with equal fields.

    Defining ``__eq__`` leaves it unhashable (``__hash__`` is None), as a
    mutable record should be: equal records could stop being equal.
    """

    __slots__ = ()
    #: Fields left out of equality and hashing (a node of the document, a back reference).
    _uncompared: ClassVar[frozenset[str]] = frozenset()
    #: Fields left out of the repr.
    _unshown: ClassVar[frozenset[str]] = frozenset()

    def _values(self) -> tuple[Any, ...]:
        return _compared(type(self))(self)

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in fields(type(self)) if name not in self._unshown)
        return f"{type(self).__qualname__}({shown})"

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, Record)
        return self._values() == other._values()


class FrozenRecord(Record):
    """An immutable record: its ``__init__`` sets fields with ``object.__setattr__``; hashable by fields."""

    __slots__ = ()

    def __setattr__(self, name: str, value: object) -> NoReturn:
        raise AttributeError(f"cannot assign to field {name!r} of an immutable {type(self).__qualname__}")

    def __delattr__(self, name: str) -> NoReturn:
        raise AttributeError(f"cannot delete field {name!r} of an immutable {type(self).__qualname__}")

    def __hash__(self) -> int:
        return hash(self._values())

    def replace(self: _R, **changes: Any) -> _R:
        """A copy with the fields named in ``changes`` set to new values."""
        values = {name: getattr(self, name) for name in fields(type(self))}
        values.update(changes)
        return type(self)(**values)
