"""Input checks shared by every public function.

Each check raises an error whose message names the argument, what was expected and what was
received, in words a learner can act on. No check modifies what it is given.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def as_float_array(value: Any, name: str) -> np.ndarray:
    """Return ``value`` as a floating-point array without modifying it.

    Floating arrays are returned as they are (``float32`` stays ``float32``); integer and boolean
    input is converted to ``float64``. Raises if the value is not numeric or holds NaN or infinity.
    """
    if type(value) is np.ndarray and value.dtype.kind == "f":  # the common case, checked fast
        check_finite(value, name)
        return value
    if isinstance(value, (str, bytes)) or value is None:
        raise TypeError(f"{name} must be an array of numbers, got {type(value).__name__} {value!r}")
    try:
        array = np.asarray(value)
    except ValueError as error:  # ragged nested lists
        raise ValueError(f"{name} must be a rectangular array of numbers: {error}") from None
    if array.dtype == object or not (
        np.issubdtype(array.dtype, np.number) or array.dtype == bool
    ):
        raise TypeError(f"{name} must be an array of numbers, got an array of dtype {array.dtype}")
    if np.iscomplexobj(array):
        raise TypeError(f"{name} must hold real numbers, got complex dtype {array.dtype}")
    if not np.issubdtype(array.dtype, np.floating):
        array = array.astype(np.float64)
    check_finite(array, name)
    return array


def check_finite(array: np.ndarray, name: str) -> None:
    """Raise ``ValueError`` if ``array`` holds NaN or infinite values, saying where the first is."""
    with np.errstate(over="ignore", invalid="ignore"):
        if np.isfinite(np.sum(array)):  # one pass; a NaN or an infinity would spoil the sum
            return
    finite = np.isfinite(array)
    if not finite.all():  # the sum overflowed, or something is not finite
        position = tuple(int(i) for i in np.argwhere(~finite)[0])
        bad = array[position]
        where = f" at index {position}" if array.ndim else ""
        raise ValueError(
            f"{name} must contain only finite numbers, but it holds {bad}{where} "
            f"({int((~finite).sum())} non-finite value(s) in all)"
        )


def check_ndim(array: np.ndarray, ndim: int, name: str, hint: str = "") -> None:
    """Raise ``ValueError`` unless ``array`` has ``ndim`` dimensions."""
    if array.ndim != ndim:
        raise ValueError(
            f"{name} must be {ndim}-D, got a {array.ndim}-D array of shape {array.shape}"
            + (f". {hint}" if hint else "")
        )


def check_shape(array: np.ndarray, expected: tuple[int, ...], name: str, hint: str = "") -> None:
    """Raise ``ValueError`` unless ``array.shape == expected``."""
    if array.shape != tuple(expected):
        raise ValueError(
            f"{name} must have shape {tuple(expected)}, got shape {array.shape}"
            + (f". {hint}" if hint else "")
        )


def check_same_shape(first: np.ndarray, second: np.ndarray, names: tuple[str, str]) -> None:
    """Raise ``ValueError`` unless two arrays have the same shape."""
    if first.shape != second.shape:
        raise ValueError(
            f"{names[0]} and {names[1]} must have the same shape, got {names[0]} of shape "
            f"{first.shape} and {names[1]} of shape {second.shape}"
        )


def check_positive_number(value: Any, name: str, integer: bool = False) -> None:
    """Raise unless ``value`` is a positive finite number (a positive int if ``integer``)."""
    kind = "a positive integer" if integer else "a positive number"
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be {kind}, got {type(value).__name__} {value!r}")
    if integer and not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be {kind}, got {type(value).__name__} {value!r}")
    if not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be {kind}, got {value!r}")
