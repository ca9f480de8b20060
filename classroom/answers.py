"""Answers as plain data: what leaves a student's sandbox, and how the grader reads it back.

Inside the sandbox (:mod:`classroom.run_submission`), each value a check needs is turned into
plain data by :func:`encode`, which looks only at the exact type of a value and never calls the
value's own methods (``__array__``, ``__float__``, ``__eq__``...): ``None``, ``...``, booleans,
integers, floats, strings, lists and tuples of those, numpy numbers and numpy arrays of numbers.
Anything else is recorded as ``{"kind": "other", "type": <its type's name>}``. For an exercise
whose answer is a function, :func:`record_calls` calls it on the check's own inputs (copies)
and records what it returned, or which error it raised, and how it changed its arguments.

Outside, :func:`decode` rebuilds the values (strictly: anything malformed raises
:class:`BadAnswerData`), and a :class:`RecordedFunction` stands in for the learner's function:
called by the trusted check with one of those inputs, it gives back the recorded output (and
applies the recorded changes to its arguments). So the checks of :mod:`backproplib.exercises`
run unchanged, outside the sandbox, on nothing but data.
"""

from __future__ import annotations

import copy
import json
import math
import re
import signal
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Sequence

import numpy as np

MAX_ELEMENTS = 1_000_000
MAX_STRING = 10_000
MAX_DEPTH = 20
MAX_ITEMS = 10_000
#: What decoding one sandbox's result may cost the trusted grader, all values together: JSON
#: tokens parsed, values (and array items) rebuilt, distinct type names of "other" values.
MAX_TOKENS = 4_000_000
MAX_NODES = 4_000_000
MAX_TYPE_NAMES = 256

_NUMERIC_KINDS = "biuf"
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]{0,99}$")


class BadAnswerData(ValueError):
    """The data that came out of a sandbox does not have the documented form."""


def _float_data(value: float) -> Any:
    return value if math.isfinite(value) else repr(value)  # "nan", "inf", "-inf"


def _other(value: Any) -> dict:
    name = type(value).__name__
    return {"kind": "other", "type": name if _IDENTIFIER.match(name) else "object"}


def encode(value: Any, depth: int = 0) -> dict:
    """Plain, JSON-ready data for ``value`` (see the module docstring); never runs its methods."""
    kind = type(value)
    if value is None:
        return {"kind": "none"}
    if value is Ellipsis:
        return {"kind": "ellipsis"}
    if kind is bool or kind is np.bool_:
        return {"kind": "bool", "value": bool(value)}
    if kind is int or (isinstance(value, np.integer) and kind.__module__ == "numpy"):
        number = int(value)
        return {"kind": "int", "value": number} if abs(number) < 10**300 else _other(value)
    if kind is float or (isinstance(value, np.floating) and kind.__module__ == "numpy"):
        return {"kind": "float", "value": _float_data(float(value))}
    if kind is str:
        return {"kind": "str", "value": value[:MAX_STRING]} if len(value) <= MAX_STRING else _other(value)
    if kind in (list, tuple):
        if depth >= MAX_DEPTH or len(value) > MAX_ITEMS:
            return _other(value)
        # the exact types list and tuple: iterating runs no method of the learner's
        return {"kind": kind.__name__, "items": [encode(item, depth + 1) for item in value]}
    if kind is np.ndarray and value.dtype.kind in _NUMERIC_KINDS and value.dtype.names is None:
        if value.size > MAX_ELEMENTS:
            return _other(value)
        flat = np.ndarray.ravel(np.ndarray.astype(value, float if value.dtype.kind == "f" else value.dtype))
        items = [_float_data(float(item)) for item in flat] if flat.dtype.kind == "f" else (
            [bool(item) for item in flat] if flat.dtype.kind == "b" else [int(item) for item in flat])
        return {"kind": "array", "dtype": value.dtype.kind, "shape": list(value.shape), "items": items}
    return _other(value)


class _CallTimedOut(BaseException):
    pass


def _on_alarm(signum: int, frame: Any) -> None:
    raise _CallTimedOut()


def _unchanged(before: Any, after: Any) -> bool:
    """Whether a call left its argument as it was given: an array, or a list or tuple of arrays
    (the weights of a network), compared element by element."""
    if isinstance(before, np.ndarray):
        return (type(after) is np.ndarray and after.shape == before.shape
                and np.array_equal(after, before, equal_nan=True))
    if type(before) in (list, tuple):
        return (type(after) is type(before) and len(after) == len(before)
                and all(map(_unchanged, before, after)))
    return True


def record_calls(function: Callable[..., Any], inputs: Sequence[Sequence[Any]],
                 timeout: float) -> list[dict]:
    """Call ``function`` on a copy of each argument tuple of ``inputs``; one record per call.

    A record is ``{"output": data, "changed": [data or None per argument]}``, or
    ``{"raised": type name, "message": text}``, or ``{"timed_out": true}``.
    """
    records = []
    for arguments in inputs:
        given = [copy.deepcopy(argument) for argument in arguments]
        previous = signal.signal(signal.SIGALRM, _on_alarm)
        signal.setitimer(signal.ITIMER_REAL, timeout)
        try:
            output = function(*given)
        except _CallTimedOut:
            records.append({"timed_out": True})
            continue
        except BaseException as error:  # what the learner's function raised
            name = type(error).__name__
            records.append({"raised": name if _IDENTIFIER.match(name) else "Exception",
                            "message": str(error)[:500]})
            continue
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
        changed = [None if _unchanged(before, after) else encode(after)
                   for before, after in zip(arguments, given)]
        records.append({"output": encode(output), "changed": changed})
    return records


# --------------------------------------------------------------------------------------------
# outside the sandbox: decoding


def _number(text_or_value: Any) -> float:
    if isinstance(text_or_value, str):
        if text_or_value not in ("nan", "inf", "-inf"):
            raise BadAnswerData(f"not a number: {text_or_value[:20]!r}")
        return float(text_or_value)
    if type(text_or_value) not in (int, float):
        raise BadAnswerData("not a number")
    return float(text_or_value)


class Opaque:
    """A value that was neither a number, a string nor an array: only its type's name is known."""

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"


@dataclass
class DecodingBudget:
    """What is left to spend on decoding one sandbox's result (see :func:`one_result`).

    The classes made for the type names of "other" values live here, and go with the budget:
    nothing one result makes outlives its grading.
    """

    nodes: int = MAX_NODES
    types: dict[str, type] = field(default_factory=dict)

    def spend(self, nodes: int) -> None:
        self.nodes -= nodes
        if self.nodes < 0:
            raise BadAnswerData(f"more than {MAX_NODES} values in one result")

    def opaque(self, name: Any) -> Opaque:
        if not isinstance(name, str) or not _IDENTIFIER.match(name):
            raise BadAnswerData("bad type name")
        if name not in self.types:
            if len(self.types) >= MAX_TYPE_NAMES:
                raise BadAnswerData(f"more than {MAX_TYPE_NAMES} type names in one result")
            self.types[name] = type(name, (Opaque,), {})
        return self.types[name]()


_BUDGET: ContextVar[DecodingBudget | None] = ContextVar("decoding_budget", default=None)


@contextmanager
def one_result() -> Iterator[DecodingBudget]:
    """Decode everything of one sandbox's result, in this thread, from one shared budget."""
    token = _BUDGET.set(DecodingBudget())
    try:
        yield _BUDGET.get()
    finally:
        _BUDGET.reset(token)


def decode(data: Any, depth: int = 0) -> Any:
    """The value that :func:`encode` recorded; :class:`BadAnswerData` if ``data`` is malformed.

    Inside :func:`one_result`, every call spends from that result's budget; else from its own.
    """
    return _decode(data, depth, _BUDGET.get() or DecodingBudget())


def _decode(data: Any, depth: int, budget: DecodingBudget) -> Any:
    budget.spend(1)
    if depth > MAX_DEPTH + 1 or not isinstance(data, dict) or not isinstance(data.get("kind"), str):
        raise BadAnswerData("a value must be an object with a 'kind'")
    kind = data["kind"]
    if kind == "none":
        return None
    if kind == "ellipsis":
        return Ellipsis
    if kind == "bool" and type(data.get("value")) is bool:
        return data["value"]
    if kind == "int" and type(data.get("value")) is int and abs(data["value"]) < 10**300:
        return data["value"]
    if kind == "float":
        return _number(data.get("value"))
    if kind == "str" and type(data.get("value")) is str and len(data["value"]) <= MAX_STRING:
        return data["value"]
    if kind in ("list", "tuple") and type(data.get("items")) is list and len(data["items"]) <= MAX_ITEMS:
        items = [_decode(item, depth + 1, budget) for item in data["items"]]
        return items if kind == "list" else tuple(items)
    if kind == "array":
        budget.spend(len(data["items"]) if type(data.get("items")) is list else 0)
        return _decode_array(data)
    if kind == "other":
        return budget.opaque(data.get("type"))
    raise BadAnswerData(f"unknown or malformed value of kind {kind[:20]!r}")


def _decode_array(data: dict) -> np.ndarray:
    shape, items, dtype = data.get("shape"), data.get("items"), data.get("dtype")
    if (type(shape) is not list or len(shape) > 32 or not all(type(n) is int and 0 <= n <= MAX_ELEMENTS
                                                               for n in shape)
            or type(items) is not list or len(items) > MAX_ELEMENTS or dtype not in ("b", "i", "u", "f")):
        raise BadAnswerData("malformed array")
    if math.prod(shape) != len(items):
        raise BadAnswerData("an array's items do not fill its shape")
    if dtype == "b":
        if not all(type(item) is bool for item in items):
            raise BadAnswerData("malformed boolean array")
        return np.array(items, dtype=bool).reshape(shape)
    if dtype in "iu":
        low, high, kind = (-2**63, 2**63, np.int64) if dtype == "i" else (0, 2**64, np.uint64)
        if not all(type(item) is int and low <= item < high for item in items):
            raise BadAnswerData("malformed integer array")
        return np.array(items, dtype=kind).reshape(shape)
    return np.array([_number(item) for item in items], dtype=float).reshape(shape)


def _same_input(given: Any, recorded: Any) -> bool:
    if isinstance(recorded, np.ndarray):
        return (isinstance(given, np.ndarray) and given.shape == recorded.shape
                and given.dtype == recorded.dtype and np.array_equal(given, recorded, equal_nan=True))
    if callable(recorded) and not isinstance(recorded, type):
        return given is recorded
    if isinstance(recorded, (list, tuple)):
        return (type(given) is type(recorded) and len(given) == len(recorded)
                and all(_same_input(a, b) for a, b in zip(given, recorded)))
    return type(given) is type(recorded) and bool(given == recorded)


class RecordedFunction:
    """Stands in for a learner's function, from the records of :func:`record_calls`.

    Parameters
    ----------
    inputs : sequence of tuples
        The argument tuples the function was called on (the check's declared inputs).
    records : list of dict
        One record per input, as made by :func:`record_calls` (checked here).
    name : str
        The learner's name for the function, for messages.
    """

    def __init__(self, inputs: Sequence[Sequence[Any]], records: Any, name: str = "function") -> None:
        if type(records) is not list or len(records) != len(inputs):
            raise BadAnswerData("a function needs one record per input")
        self.inputs = [tuple(arguments) for arguments in inputs]
        self.records = [self._checked(record, len(arguments))
                        for record, arguments in zip(records, self.inputs)]
        self.__name__ = name

    @staticmethod
    def _checked(record: Any, arity: int) -> dict:
        if not isinstance(record, dict):
            raise BadAnswerData("a call record must be an object")
        if record.get("timed_out") is True:
            return {"timed_out": True}
        if "raised" in record:
            name, message = record.get("raised"), record.get("message", "")
            if not isinstance(name, str) or not _IDENTIFIER.match(name) or not isinstance(message, str):
                raise BadAnswerData("malformed error record")
            return {"raised": name, "message": message[:500]}
        changed = record.get("changed")
        if "output" not in record or type(changed) is not list or len(changed) != arity:
            raise BadAnswerData("malformed call record")
        decode(record["output"])  # validate now, decode afresh on every call
        return {"output": record["output"],
                "changed": [None if item is None else decode(item) for item in changed]}

    def __call__(self, *arguments: Any) -> Any:
        for inputs, record in zip(self.inputs, self.records):
            if len(inputs) == len(arguments) and all(map(_same_input, arguments, inputs)):
                return self._replay(record, arguments)
        raise LookupError("the grader has no record of a call with these arguments (the check's "
                          "declared inputs are incomplete: report this to the course's maintainers)")

    @staticmethod
    def _replay(record: dict, arguments: Sequence[Any]) -> Any:
        if record.get("timed_out"):
            raise TimeoutError("your function did not finish in time (an endless loop?)")
        if "raised" in record:
            name = record["raised"]
            error_type = {"NotImplementedError": NotImplementedError}.get(name) or type(
                name.rsplit(".", 1)[-1], (Exception,), {})
            raise error_type(record["message"])
        for given, after in zip(arguments, record["changed"]):
            if after is not None:
                RecordedFunction._change(given, after)
        return decode(record["output"])

    @staticmethod
    def _change(given: Any, after: Any) -> None:
        """Make in ``given`` the change the student's function made: an array's values, the
        arrays of a list or tuple, a list's items (what cannot be reproduced becomes NaN)."""
        if isinstance(given, np.ndarray):
            try:
                given[...] = after
            except (ValueError, TypeError):
                given[...] = np.nan
        elif type(given) in (list, tuple):
            same_length = type(after) in (list, tuple) and len(after) == len(given)
            for index, item in enumerate(given):
                new = after[index] if same_length else None
                if isinstance(item, np.ndarray) and isinstance(new, np.ndarray) \
                        and new.shape == item.shape:
                    RecordedFunction._change(item, new)
                elif type(given) is list and same_length:
                    given[index] = new
                elif isinstance(item, np.ndarray):
                    item[...] = np.nan
            if type(given) is list and not same_length:
                given[:] = list(after) if type(after) in (list, tuple) else []


def loads(text: bytes | str) -> Any:
    """Parse JSON from a sandbox; :class:`BadAnswerData` if it is not valid JSON, or if it has
    more than ``MAX_TOKENS`` structural tokens (an upper bound on the values it would make)."""
    raw = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text
    if sum(raw.count(token) for token in (b"{", b"[", b",", b":")) > MAX_TOKENS:
        raise BadAnswerData(f"the result has more than {MAX_TOKENS} values")
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as error:
        raise BadAnswerData(f"the result is not valid JSON ({type(error).__name__})") from None
