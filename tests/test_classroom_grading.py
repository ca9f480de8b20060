"""The data path of grading: answers leave a sandbox as plain data, the checks run outside on it.

- :mod:`classroom.answers`: encoding never runs a value's own methods; decoding accepts exactly
  what encoding makes and refuses anything else with ``BadAnswerData``;
- every check of a function declares the inputs it calls it on (``calls_function``), and a check
  given the *recorded* function says exactly what it says given the function itself;
- :mod:`classroom.verdicts`: malformed or hostile data counts against its own submission only.
"""

from __future__ import annotations

import copy
import gc
import json
import math
import re
import weakref
from importlib import import_module
from pathlib import Path

import nbformat
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from backproplib.exercises import Feedback
from classroom import answers, verdicts
from classroom.convention import Exercise, find_exercises, split_answer_cell
from classroom.make_student_versions import chapter_notebooks

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = chapter_notebooks(ROOT / "book")


# --- encoding and decoding ------------------------------------------------------------------


scalars = st.one_of(st.none(), st.just(Ellipsis), st.booleans(), st.integers(-2**62, 2**62),
                    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=30))
arrays = hnp.arrays(st.sampled_from([np.float64, np.float32, np.int64, np.int32, np.uint64, np.bool_]),
                    hnp.array_shapes(min_dims=0, max_dims=3, max_side=4))
values = st.recursive(st.one_of(scalars, arrays),
                      lambda inner: st.one_of(st.lists(inner, max_size=4),
                                              st.lists(inner, max_size=4).map(tuple)),
                      max_leaves=12)


def same(left, right) -> bool:
    if isinstance(right, np.ndarray):
        return (isinstance(left, np.ndarray) and left.shape == right.shape
                and np.array_equal(left.astype(float), right.astype(float), equal_nan=True))
    if isinstance(right, (list, tuple)):
        return type(left) is type(right) and len(left) == len(right) and all(map(same, left, right))
    if isinstance(right, float) and math.isnan(right):
        return isinstance(left, float) and math.isnan(left)
    return type(left) is type(right) and left == right


@settings(max_examples=150, deadline=None)
@given(values)
def test_numbers_strings_and_arrays_survive_the_trip_through_json(value):
    data = json.loads(json.dumps(answers.encode(value)))
    assert same(answers.decode(data), value)


@pytest.mark.parametrize("dtype", [np.int64, np.uint64])
def test_the_extreme_integers_of_an_array_survive(dtype):
    extremes = np.array([np.iinfo(dtype).min, np.iinfo(dtype).max], dtype=dtype)
    assert np.array_equal(answers.decode(json.loads(json.dumps(answers.encode(extremes)))), extremes)


def test_numpy_numbers_arrive_as_python_numbers():
    assert answers.decode(answers.encode(np.float64(0.25))) == 0.25
    assert answers.decode(answers.encode(np.int32(7))) == 7
    assert answers.decode(answers.encode(np.bool_(True))) is True


class Hostile:
    """Every conversion hook a value can have, each recording that it was called."""

    called: list[str] = []

    def __array__(self, *args, **kwargs):
        Hostile.called.append("__array__")
        return np.zeros(3)

    def __float__(self):
        Hostile.called.append("__float__")
        return 1.0

    def __eq__(self, other):
        Hostile.called.append("__eq__")
        return True

    def __len__(self):
        Hostile.called.append("__len__")
        return 3

    def __iter__(self):
        Hostile.called.append("__iter__")
        return iter([1, 2, 3])


class SneakyList(list):
    def __iter__(self):
        Hostile.called.append("SneakyList.__iter__")
        return iter([1.0])


class SneakyFloat(float):
    pass


def test_encoding_never_runs_a_values_own_methods():
    Hostile.called.clear()
    for value in (Hostile(), [Hostile()], SneakyList([1, 2]), SneakyFloat(2.0)):
        data = answers.encode(value)
        assert "other" in json.dumps(data)
    assert Hostile.called == []
    assert isinstance(answers.decode(answers.encode(Hostile())), answers.Opaque)
    assert type(answers.decode(answers.encode(Hostile()))).__name__ == "Hostile"


def test_huge_or_deep_values_are_recorded_as_other():
    assert answers.encode(np.zeros(answers.MAX_ELEMENTS + 1))["kind"] == "other"
    assert answers.encode("x" * (answers.MAX_STRING + 1))["kind"] == "other"
    nested: list = []
    for _ in range(answers.MAX_DEPTH + 5):
        nested = [nested]
    assert "other" in json.dumps(answers.encode(nested))
    assert answers.encode(np.array(["a"]))["kind"] == "other"
    assert answers.encode(1j)["kind"] == "other"


# the kinds and dtypes of the format among the strings, so that well-formed values are drawn too
json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=10),
              st.sampled_from(["none", "ellipsis", "bool", "int", "float", "str", "list", "tuple",
                               "array", "other", "b", "i", "u", "f", "nan", "-inf", "Opaque"])),
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.sampled_from(["kind", "value", "items", "shape",
                                                             "dtype", "type", "x"]), inner,
                                            max_size=5)),
    max_leaves=20)


# ... and what encode() makes of the values a learner's answer holds: well-formed data
answer_data = st.one_of(json_values, values.map(answers.encode))


def is_number(item) -> bool:
    return type(item) in (int, float) or item in ("nan", "inf", "-inf")


def well_formed(data, depth: int = 0) -> bool:
    """The documented form of a value (classroom/answers.py), written out independently."""
    if depth > answers.MAX_DEPTH + 1 or not isinstance(data, dict) or type(data.get("kind")) is not str:
        return False
    kind, value, items = data["kind"], data.get("value"), data.get("items")
    if kind in ("none", "ellipsis"):
        return True
    if kind == "bool":
        return type(value) is bool
    if kind == "int":
        return type(value) is int and abs(value) < 10**300
    if kind == "float":
        return is_number(value)
    if kind == "str":
        return type(value) is str and len(value) <= answers.MAX_STRING
    if kind in ("list", "tuple"):
        return (type(items) is list and len(items) <= answers.MAX_ITEMS
                and all(well_formed(item, depth + 1) for item in items))
    if kind == "other":
        return type(data.get("type")) is str and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]{0,99}", data["type"]) is not None
    if kind != "array":
        return False
    shape, dtype = data.get("shape"), data.get("dtype")
    if type(shape) is not list or len(shape) > 32 or type(items) is not list:
        return False
    if not all(type(n) is int and 0 <= n <= answers.MAX_ELEMENTS for n in shape):
        return False
    if math.prod(shape) != len(items) or dtype not in ("b", "i", "u", "f"):
        return False
    low, high = (-2**63, 2**63) if dtype == "i" else (0, 2**64)
    return all(type(item) is bool if dtype == "b" else
               (type(item) is int and low <= item < high) if dtype in "iu" else is_number(item)
               for item in items)


@settings(max_examples=300, deadline=None)
@given(answer_data)
def test_decoding_refuses_anything_malformed_with_one_kind_of_error(data):
    """Malformed data raises BadAnswerData (and nothing else); well-formed data decodes to a value
    of the kind it names. A decoder that accepts everything, or refuses everything, fails."""
    if not well_formed(data):
        with pytest.raises(answers.BadAnswerData):
            answers.decode(data)
        return
    value = answers.decode(data)
    assert type(value).__name__ == {"none": "NoneType", "ellipsis": "ellipsis", "bool": "bool",
                                    "int": "int", "float": "float", "str": "str", "list": "list",
                                    "tuple": "tuple", "array": "ndarray"}.get(data["kind"], data.get("type"))


@pytest.mark.parametrize("data", [
    {"kind": "array", "dtype": "f", "shape": [3], "items": [1.0, 2.0]},
    {"kind": "array", "dtype": "f", "shape": [10**9, 10**9], "items": []},
    {"kind": "array", "dtype": "O", "shape": [1], "items": [1]},
    {"kind": "array", "dtype": "f", "shape": [1], "items": ["__import__('os')"]},
    {"kind": "float", "value": "1e5"},
    {"kind": "other", "type": "a b; import os"},
    {"kind": "int", "value": 10**400},
    {"kind": "code", "value": "print(1)"},
    {"kind": "list", "items": {"kind": "none"}},
])
def test_decoding_refuses_each_malformed_form(data):
    with pytest.raises(answers.BadAnswerData):
        answers.decode(data)


def test_json_that_is_too_deep_or_broken_is_bad_data():
    with pytest.raises(answers.BadAnswerData):
        answers.loads("[" * 100_000)
    with pytest.raises(answers.BadAnswerData):
        answers.loads(b"\xff\xfe")


def test_the_classes_made_for_type_names_do_not_outlive_their_result():
    value = answers.decode({"kind": "other", "type": "OnlyInThisResult"})
    made = weakref.ref(type(value))
    assert type(value).__name__ == "OnlyInThisResult"
    del value
    gc.collect()
    assert made() is None  # nothing kept for the next student


def test_one_result_may_not_name_a_thousand_types():
    names = [{"kind": "other", "type": f"T{number}"} for number in range(1000)]
    grade = _judged({"answers": {"5.3": {"arguments": [{"value": {"kind": "list", "items": names}}],
                                         "keywords": {}}}})
    assert grade.statuses["5.3"] == "error" and "type names" in grade.messages["5.3"]


def test_a_result_of_millions_of_values_is_refused_before_it_is_parsed():
    with pytest.raises(answers.BadAnswerData, match="values"):
        answers.loads(b"[" + b"{}," * 5_000_000 + b"{}]")


def test_what_one_result_decodes_is_bounded_in_total():
    array = answers.encode(np.zeros(1_000_000))
    many = {"kind": "list", "items": [array] * 5}  # 5 million numbers in one value
    with pytest.raises(answers.BadAnswerData, match="values"):
        answers.decode(many)


# --- function answers: declared inputs and recorded calls -----------------------------------


def _exercises() -> list[tuple[Path, Exercise]]:
    return [(path, exercise) for path in CHAPTERS
            for exercise in find_exercises(nbformat.read(path, as_version=4), path.name)]


def _check(exercise: Exercise):
    return getattr(import_module(exercise.module), exercise.function)


FUNCTION_EXERCISES = [(path, exercise) for path, exercise in _exercises()
                      if getattr(_check(exercise), "function_inputs", None)]


def test_the_function_exercises_are_the_ones_that_ask_for_a_function():
    numbers = sorted(exercise.number for _, exercise in FUNCTION_EXERCISES)
    assert {"2.1", "2.2", "2.3", "3.3", "4.3", "5.2", "6.2", "7.2", "C.1"} <= set(numbers)


def _solution_function(path: Path, exercise: Exercise):
    """The instructor's function, run from the chapter's first code cell and its solution."""
    notebook = nbformat.read(path, as_version=4)
    namespace: dict = {}
    first = next(cell for cell in notebook.cells if cell.cell_type == "code"
                 and "remove-cell" not in cell.metadata.get("tags", []))  # not Colab's cell
    exec(compile(first.source, "first cell", "exec"), namespace)
    for cell in notebook.cells[:exercise.answer_cell + 1]:  # a solution may use an earlier one
        if "### BEGIN SOLUTION" in cell.source:
            _, solution, _ = split_answer_cell(cell.source)
            try:
                exec(compile("\n".join(solution), "solution", "exec"), namespace)
            except NameError:  # a value exercise needing the chapter's earlier cells
                pass
    return namespace[exercise.placeholders[0]]


def _wrong_functions(right):
    def raises(*arguments):
        raise ZeroDivisionError("division by zero")

    def not_written(*arguments):
        raise NotImplementedError

    def changes_its_input(*arguments):
        output = right(*arguments)
        for argument in arguments:
            if isinstance(argument, np.ndarray) and argument.size:
                argument[...] = 0.0
        return output

    def changes_an_array_of_a_list(*arguments):  # a network's weights, say
        output = right(*arguments)
        for argument in arguments:
            if isinstance(argument, (list, tuple)) and argument and isinstance(argument[0], np.ndarray):
                argument[0][...] = 0.0
        return output

    def doubled(*arguments):
        output = right(*arguments)
        return tuple(2 * part for part in output) if isinstance(output, tuple) else 2 * np.asarray(output)

    return {"right": right, "raises": raises, "not written": not_written,
            "changes its input": changes_its_input, "doubled": doubled,
            "changes an array of a list": changes_an_array_of_a_list,
            "returns None": lambda *arguments: None, "returns text": lambda *arguments: "nine",
            "column shape": lambda *arguments: np.reshape(right(*arguments), (-1, 1))
            if not isinstance(right(*arguments), tuple) else right(*arguments)}


@pytest.mark.parametrize("path, exercise", FUNCTION_EXERCISES,
                         ids=[exercise.number for _, exercise in FUNCTION_EXERCISES])
def test_a_check_says_the_same_of_a_function_and_of_its_recorded_calls(path, exercise):
    check = _check(exercise)
    (parameter, inputs), = check.function_inputs.items()
    right = _solution_function(path, exercise)
    assert check(right).passed
    for name, function in _wrong_functions(right).items():
        calls = []

        def spy(*arguments, function=function):
            calls.append(copy.deepcopy(arguments))
            return function(*arguments)

        direct = str(check(spy))
        records = json.loads(json.dumps(answers.record_calls(function, inputs(), timeout=5)))
        recorded = answers.RecordedFunction(inputs(), records, parameter)
        assert str(check(recorded)) == direct, name
        declared = inputs()
        for arguments in calls:  # the check called the function on declared inputs only
            assert any(len(arguments) == len(entry) and all(
                answers._same_input(given, expected) for given, expected in zip(arguments, entry))
                for entry in declared), (name, arguments)


def test_a_recorded_function_refuses_a_call_it_has_no_record_of():
    recorded = answers.RecordedFunction([(np.ones(2),)], [{"output": answers.encode(1.0),
                                                           "changed": [None]}])
    assert recorded(np.ones(2)) == 1.0
    with pytest.raises(LookupError, match="no record"):
        recorded(np.zeros(2))


def test_a_function_that_never_returns_is_recorded_as_timed_out():
    def endless(*arguments):
        while True:
            pass

    records = answers.record_calls(endless, [(1.0,)], timeout=0.2)
    assert records == [{"timed_out": True}]
    with pytest.raises(TimeoutError, match="did not finish"):
        answers.RecordedFunction([(1.0,)], records)(1.0)


# --- verdicts from data -----------------------------------------------------------------------


def _chapter_5() -> list[Exercise]:
    path = ROOT / "book" / "05_batch_averaging.ipynb"
    return find_exercises(nbformat.read(path, as_version=4), path.name)


def _judged(result) -> verdicts.Grade:
    exercises = _chapter_5()
    grade = verdicts.new_grade("ann", exercises)
    verdicts.judge(grade, json.dumps(result).encode(), exercises, cell_timeout=60)
    return grade


def test_right_data_gives_correct_verdicts():
    value = {"value": answers.encode(0.003 * 32)}
    grade = _judged({"answers": {"5.3": {"arguments": [value], "keywords": {}}}})
    assert grade.statuses["5.3"] == "correct"
    assert grade.statuses["5.1"] == "error"  # no data for it


@pytest.mark.parametrize("forged", [
    {"5.3": {"status": "correct", "message": ""}},                             # an old verdict
    {"5.3": {"arguments": [{"calls": []}], "keywords": {}}},                  # a value as calls
    {"5.3": {"arguments": [{"value": answers.encode(0.096)}] * 5, "keywords": {}}},
    {"5.3": {"arguments": [], "keywords": {"expected": {"value": answers.encode(0.096)}}}},
    {"5.3": {"arguments": [{"value": {"kind": "other", "type": "Feedback"}}], "keywords": {}}},
    {"5.3": "correct"},
])
def test_forged_data_never_makes_an_exercise_correct(forged):
    grade = _judged({"answers": forged})
    assert grade.statuses["5.3"] in ("error", "not yet right")
    assert grade.correct == 0


@pytest.mark.parametrize("result", [b"", b"not json", b"[1, 2]", b'{"error_cells": "all"}',
                                    b'{"kernel_died_in": "x"}', b'{"answers": 3}'])
def test_a_broken_result_leaves_its_row_not_graded(result):
    exercises = _chapter_5()
    grade = verdicts.new_grade("ann", exercises)
    verdicts.judge(grade, result, exercises, cell_timeout=60)
    assert set(grade.statuses.values()) == {"not graded"} and grade.note


def test_a_check_that_fails_on_odd_data_is_an_error_for_that_exercise_only(monkeypatch):
    from backproplib.exercises import chapter05

    def broken(*arguments):
        raise RuntimeError("boom")

    monkeypatch.setattr(chapter05, "check_5_3", broken)
    good = {"arguments": [{"value": answers.encode(5)}, {"value": answers.encode(22)}], "keywords": {}}
    grade = _judged({"answers": {"5.3": {"arguments": [{"value": answers.encode(1.0)}],
                                         "keywords": {}}, "5.4": good}})
    assert grade.statuses["5.3"] == "error" and grade.statuses["5.4"] == "correct"
    assert isinstance(chapter05.check_5_4(5, 22), Feedback)
