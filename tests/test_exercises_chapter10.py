"""Checks of chapter 10's exercises: the chapter's solutions pass, each classic mistake made in
them is named in the feedback with the section to read, unfinished answers say "not yet done",
and a function that raises or changes its input is not right.

The learners' functions are the mutation-testing learners of ``tests/test_diagnose.py`` (written
with plain numpy, independently of backproplib) and the chapter's own solution cells."""

from __future__ import annotations

from pathlib import Path

import nbformat
import numpy as np
import pytest

from backproplib.diagnose import MISTAKES, SECTIONS
from backproplib.exercises import chapter10

from .test_diagnose import INJECTED, flat, loop_style, rows_style

CHAPTER = Path(__file__).resolve().parent.parent / "book" / "10_capstone.ipynb"


def _solution(name: str):
    """The function the chapter's solution cell defines (only numpy is needed)."""
    notebook = nbformat.read(CHAPTER, as_version=4)
    cell = next(cell for cell in notebook.cells
                if cell.cell_type == "code" and cell.source.startswith(f"{name} = ..."))
    namespace = {"np": np}
    exec(compile(cell.source, name, "exec"), namespace)
    return namespace[name]


def test_10_1_solution_passes():
    feedback = chapter10.check_10_1(_solution("backprop"))
    assert feedback.passed, feedback


def test_10_2_solution_passes():
    feedback = chapter10.check_10_2(_solution("backprop_tanh"))
    assert feedback.passed, feedback


def test_10_2_rejects_an_all_sigmoid_backprop():
    feedback = chapter10.check_10_2(_solution("backprop"))
    assert feedback.status == "not yet right"


def test_10_1_and_10_2_accept_other_right_forms():
    assert chapter10.check_10_1(loop_style(container=tuple)).passed
    assert chapter10.check_10_1(rows_style(einsum=True, dtype=np.float32)).passed
    assert chapter10.check_10_2(loop_style(hidden="tanh")).passed


@pytest.mark.parametrize("check", [chapter10.check_10_1, chapter10.check_10_2])
def test_not_done(check):
    assert check(...).status == "not yet done"

    def not_written(weights, biases, X, Y):
        raise NotImplementedError

    assert check(not_written).status == "not yet done"


def test_not_a_function():
    feedback = chapter10.check_10_1(3.0)
    assert feedback.status == "not yet right" and "expected a function" in feedback.message


@pytest.mark.parametrize("mistake", list(INJECTED))
def test_10_1_names_each_mistake_and_the_section_to_read(mistake):
    number = INJECTED[mistake][0]
    feedback = chapter10.check_10_1(rows_style(mistake))
    assert feedback.status == "not yet right"
    assert MISTAKES[number].name in flat(feedback.message)
    assert feedback.hint == f"read {SECTIONS[MISTAKES[number].section]}."
    assert "report.case" not in feedback.message  # no object of diagnose's in a check's feedback


def test_10_2_names_the_slope_at_a_in_a_tanh_recursion():
    feedback = chapter10.check_10_2(loop_style("slope at a in the recursion", hidden="tanh"))
    assert "the slope is evaluated at a instead of at z" in flat(feedback.message)
    assert "recursion from delta^[2] to delta^[1]" in flat(feedback.message)


def test_a_function_that_raises_or_changes_its_input_is_not_right():
    def raises(weights, biases, X, Y):
        return 1 / 0

    def changes_X(weights, biases, X, Y):
        gradients = rows_style()(weights, biases, X, Y)
        X[...] = 0.0
        return gradients

    raised = chapter10.check_10_1(raises)
    assert raised.status == "not yet right" and "ZeroDivisionError" in raised.message
    assert "line" not in raised.message  # the classroom's replay cannot know it: never shown
    changed = chapter10.check_10_1(changes_X)
    assert changed.status == "not yet right" and "changed its input X" in flat(changed.message)


def test_a_call_the_grader_has_no_record_of_is_the_graders_failure_not_the_students():
    from classroom.answers import RecordedFunction

    inputs = chapter10.ladder_inputs()
    recorded = RecordedFunction(inputs[:1], [{"output": {"kind": "none"}, "changed": [None] * 4}])
    with pytest.raises(LookupError, match="no record"):
        chapter10.check_10_1(recorded)
