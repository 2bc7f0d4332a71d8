"""The attributes that group a client's operations: ``client.online_booking``, ``client.v2``.

Each is made from the view on first access and kept on it, as a ``cached_property``
would be; unlike one, it is a read-only property, so ``help(AltegioClient)`` lists
every resource with its docstring instead of a bare ``cached_property object``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, Self, TypeVar, overload

T = TypeVar("T")


class resource(property, Generic[T]):
    """A read-only property whose value is made once per instance, on first access."""

    def __init__(self, make: Callable[[Any], T]) -> None:
        super().__init__(make)  # the docstring is make's
        self._make = make
        self._name = make.__name__

    def __set_name__(self, owner: type, name: str) -> None:
        self._name = name

    @overload
    def __get__(self, instance: None, owner: type | None = None, /) -> Self: ...
    @overload
    def __get__(self, instance: object, owner: type | None = None, /) -> T: ...
    def __get__(self, instance: object, owner: type | None = None, /) -> T | Self:
        if instance is None:
            return self
        cache = instance.__dict__
        try:
            value: T = cache[self._name]
        except KeyError:
            # Two threads may both make one (the sync client's): equal, stateless views.
            value = cache[self._name] = self._make(instance)
        return value
