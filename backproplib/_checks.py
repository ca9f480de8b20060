"""Input checks shared by every public function.

Each check raises an error whose message names the argument, what was expected and what was
received, in words a learner can act on. No check modifies what it is given.
"""

from __future__ import annotations

import functools
import math
from typing import Any, Callable, TypeVar

import numpy as np

T = TypeVar("T")


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
    if isinstance(value, int) and value >= 2**63:  # too large for numpy to hold
        raise ValueError(f"{name} must be {kind} below 2**63, got one with {len(str(value))} digits")
    if not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be {kind}, got {value!r}")


def as_sizes(value: Any, name: str, at_least: int, what: str) -> list[int]:
    """``value`` as a list of positive whole numbers (layer sizes), at least ``at_least`` of them;
    ``what`` says what they are, for the message."""
    if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple, np.ndarray)):
        raise TypeError(
            f"{name} must be a list of sizes such as [3, 4, 2], got {type(value).__name__} "
            f"{value!r:.60}"
        )
    sizes = list(value)
    if len(sizes) < at_least:
        raise ValueError(f"{name} must list {what}, got {value!r}")
    for size in sizes:
        check_positive_number(size, f"every entry of {name}", integer=True)
    return [int(size) for size in sizes]


def check_callable(function: Any, name: str, returns: str) -> None:
    """Raise ``TypeError`` unless ``function`` can be called; ``returns`` says what it must return."""
    if not callable(function):
        raise TypeError(
            f"{name} must be callable (a function that returns {returns}), "
            f"got {type(function).__name__}"
        )


def as_number(value: Any, name: str) -> float:
    """Return ``value`` as a float if it is one real number (a Python or numpy scalar, or a 0-D
    array); raise a ``TypeError`` that says what ``name`` gave instead."""
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value[()]
    if isinstance(value, (bool, np.bool_)) or not isinstance(
        value, (int, float, np.integer, np.floating)
    ):
        shape = f" of shape {value.shape}" if isinstance(value, np.ndarray) else ""
        raise TypeError(
            f"{name} must return one number (a float such as the cost), got "
            f"{type(value).__name__}{shape}: {value!r:.80}"
        )
    return float(value)


def check_rows_sum_to_one(Y: np.ndarray, name: str, loss: str) -> None:
    """Raise ``ValueError`` unless every row of ``Y`` sums to 1 (one-hot or probability rows)."""
    row_sums = np.sum(Y, axis=-1).reshape(-1)
    if row_sums.size and np.max(np.abs(row_sums - 1.0)) > 1e-6:
        row = int(np.argmax(np.abs(row_sums - 1.0)))
        raise ValueError(
            f"each row of {name} must sum to 1 for {loss} (one-hot targets), but row {row} sums "
            f"to {row_sums[row]}"
        )


# Overflow ------------------------------------------------------------------------------------

SCALE_HINT = "Scale the inputs down, for example standardise each column to mean 0 and spread 1"


class OverflowInComputation(FloatingPointError):
    """A number grew beyond float64 (about 1.8e308) inside a computation of the package.

    ``args`` are what went wrong and what to do about it; ``str()`` joins them.
    """

    def __str__(self) -> str:
        return ". ".join(str(part) for part in self.args) + "."


class TrainingDiverged(OverflowInComputation):
    """Training whose numbers overflowed: the message names the step and the learning rate."""


def _largest_entry(value: Any) -> float:
    """The largest absolute entry of an array, a list of arrays, or a network's parameters."""
    value = getattr(value, "value", value)  # an autodiff Tensor holds its array in .value
    arrays = getattr(value, "weights", None)
    if isinstance(arrays, list):
        value = arrays + list(getattr(value, "biases", []))
    if isinstance(value, (list, tuple)) and value and isinstance(value[0], np.ndarray):
        return max((_largest_entry(item) for item in value), default=0.0)
    if isinstance(value, np.ndarray) and value.dtype.kind in "fiu" and value.size:
        with np.errstate(all="ignore"):
            return float(np.nanmax(np.abs(value)))
    return 0.0


def _culprit(arguments: dict[str, Any]) -> str:
    """Names the argument with the largest entries: the likeliest cause of an overflow."""
    sizes = {name: _largest_entry(value) for name, value in arguments.items()}
    name = max(sizes, key=sizes.get, default="")
    if not name or sizes[name] == 0.0:
        return "numbers grew beyond float64's largest, about 1.8e308"
    what = "the network's weights and biases" if hasattr(arguments[name], "weights") else name
    return (f"numbers grew beyond float64's largest, about 1.8e308 ({what}: values up to "
            f"{sizes[name]:.3g})")


def _all_finite(result: Any) -> bool:
    """Are the floats of a result (alone, or inside tuples, lists and dataclasses) finite?

    Arrays are not scanned: inside :func:`overflow_is_an_error` numpy raises when an array
    operation overflows. Python's own float arithmetic does not: ``1e308 * 10`` is ``inf``.
    """
    if isinstance(result, (float, np.floating)):
        return math.isfinite(result)
    if isinstance(result, (list, tuple)):
        return all(_all_finite(item) for item in result)
    if hasattr(result, "__dataclass_fields__"):
        return all(_all_finite(getattr(result, field)) for field in result.__dataclass_fields__)
    return True


def overflow_is_an_error(function: Callable[..., T]) -> Callable[..., T]:
    """Decorator: an overflow inside ``function`` raises an ``OverflowInComputation``.

    numpy's overflow and invalid-operation warnings (``inf``, ``nan``) become errors, and so does a
    result number that is not finite; the message names the argument with the largest values and
    suggests scaling it. Without this, a sigmoid of an infinite ``z`` silently returns 1.
    """
    parameters = function.__code__.co_varnames[: function.__code__.co_argcount]

    @functools.wraps(function)
    def checked(*args: Any, **kwargs: Any) -> T:
        try:
            with np.errstate(over="raise", invalid="raise"):
                result = function(*args, **kwargs)
            if _all_finite(result):
                return result
            problem = "its result is not finite"
        except TrainingDiverged:
            raise
        except FloatingPointError as error:  # numpy's, or one of a function called inside
            problem = getattr(error, "problem", str(error))
        arguments = {**dict(zip(parameters, args)), **kwargs}
        error = OverflowInComputation(
            f"{function.__qualname__} overflowed ({problem}): {_culprit(arguments)}", SCALE_HINT
        )
        error.problem = problem  # so that a caller, also decorated, names its own arguments
        raise error from None

    return checked


def diverged(step: int, learning_rate: float, error: FloatingPointError) -> TrainingDiverged:
    """The error for training whose numbers overflowed at ``step`` (counted from 1)."""
    what = error.args[0] if isinstance(error, OverflowInComputation) else str(error)
    return TrainingDiverged(
        f"training diverged at step {step}: {what}",
        f"Use a smaller learning_rate (it is {learning_rate:g}), or standardise the inputs "
        "(each column to mean 0 and spread 1)",
    )
