"""A computed attribute kept after its first use, without a lock.

``functools.cached_property`` of Python 3.10 and 3.11 takes a lock shared by
every instance at each first access: a lint asks twenty facts of a fresh
:class:`~icecfg.effective.EffectiveConfig` and :class:`~icecfg.lint.context.LintContext`,
and the lock cost about as much as reading some of them.  The objects here
are made and read by one thread; two threads racing would each compute the
same immutable answer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar, overload

_T = TypeVar("_T")


class computed_once(Generic[_T]):
    """``functools.cached_property`` less the lock: the value lands in the instance's ``__dict__``."""

    def __init__(self, compute: Callable[[Any], _T]) -> None:
        self.compute = compute
        self.name = compute.__name__
        self.__doc__ = compute.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, instance: None, owner: type | None = None) -> computed_once[_T]: ...

    @overload
    def __get__(self, instance: object, owner: type | None = None) -> _T: ...

    def __get__(self, instance: object | None, owner: type | None = None) -> computed_once[_T] | _T:
        if instance is None:
            return self
        value = self.compute(instance)
        instance.__dict__[self.name] = value  # later reads find it there: this descriptor has no __set__
        return value
