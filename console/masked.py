"""A secret value that never shows itself by accident."""

from __future__ import annotations

MASK = "••••••••••••"  # fixed width: the mask never leaks the value's length


class MaskedValue:
    """Holds a secret value; ``str``/``repr``/format show only :data:`MASK`.

    Call :meth:`reveal` to get the plaintext, on purpose, at the one place that needs it.
    """

    __slots__ = ("_value",)
    _value: str

    def __init__(self, value: str) -> None:
        object.__setattr__(self, "_value", value)

    def reveal(self) -> str:
        return self._value

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("MaskedValue is immutable")

    def __repr__(self) -> str:
        return f"MaskedValue({MASK!r})"

    def __str__(self) -> str:
        return MASK

    def __format__(self, spec: str) -> str:
        return MASK

    def __eq__(self, other: object) -> bool:
        if isinstance(other, MaskedValue):
            return self._value == other._value
        return NotImplemented

    def __hash__(self) -> int:
        return hash(("MaskedValue", self._value))

    def __bool__(self) -> bool:
        return bool(self._value)

    def __reduce__(self) -> tuple[object, ...]:  # no pickling, no deepcopy into logs or state files
        raise TypeError("MaskedValue cannot be pickled")
