"""Verdicts, computed by the trusted grader from the plain data a sandbox handed out.

The worker inside a student's sandbox (:mod:`classroom.run_submission`) hands out one JSON
document. :func:`judge` reads it strictly - anything malformed counts against that submission
only - rebuilds each answer with :func:`classroom.answers.decode` (a function answer becomes a
:class:`classroom.answers.RecordedFunction`), and calls the chapter's own check functions of
``backproplib.exercises``, imported in this trusted process from the instructor's clone. Nothing
the student's kernel printed, and no file it wrote, is read.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from importlib import import_module
from typing import Any, Sequence

from backproplib.exercises import Feedback

from .answers import BadAnswerData, RecordedFunction, decode, loads, one_result
from .convention import Exercise

CORRECT = "correct"
MISSING = "missing"
ERROR = "error"
NOT_GRADED = "not graded"
GRADER_FAILED = "grader failed"
CHECK_STATUSES = ("correct", "not yet right", "not yet done")

#: Whose problem a row is (the grade sheet's ``outcome`` column): every exercise was checked;
#: none could be, because of the submission (it timed out, its kernel died, it is not a
#: notebook...); none could be, because of the grader (its sandbox or worker did not start, an
#: internal error) - then the row says nothing about the student, and must be graded again.
GRADED, SUBMISSION_PROBLEM, GRADER_PROBLEM = "graded", "submission problem", "grader problem"


@dataclass
class Grade:
    """The result for one student: a status per exercise, messages for the feedback, a note."""

    student: str
    statuses: dict[str, str]
    messages: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    #: The last lines of what the sandbox printed (bubblewrap, the worker, the kernel): for the
    #: instructor, never for the feedback.
    log: str = ""

    @property
    def correct(self) -> int:
        return sum(status == CORRECT for status in self.statuses.values())

    @property
    def outcome(self) -> str:
        """``GRADED``, ``SUBMISSION_PROBLEM`` or ``GRADER_PROBLEM`` (see their comment)."""
        statuses = set(self.statuses.values())
        if GRADER_FAILED in statuses:
            return GRADER_PROBLEM
        return SUBMISSION_PROBLEM if statuses == {NOT_GRADED} else GRADED

    @property
    def note(self) -> str:
        return "; ".join(self.notes)


def exercise_feedback(grade: Grade, exercise: Exercise) -> str:
    """What a student reads about one exercise: the check's verdict, message and hint, or the
    grader's status (``NOT GRADED``, ``MISSING``...) with its reason."""
    message = grade.messages.get(exercise.number, "")
    if message.startswith("Exercise "):
        return message
    status = grade.statuses[exercise.number]
    return f"Exercise {exercise.number}: {status.upper()}." + (f" {message}" if message else "")


def new_grade(student: str, exercises: Sequence[Exercise]) -> Grade:
    """A grade with every exercise ``not graded``."""
    return Grade(student, {exercise.number: NOT_GRADED for exercise in exercises})


def grader_failed(grade: Grade, reason: str) -> None:
    """Mark every exercise of ``grade`` ``grader failed``: the grader, not the student, failed."""
    grade.statuses = dict.fromkeys(grade.statuses, GRADER_FAILED)
    grade.messages.clear()
    grade.notes.append(f"grader failure: {reason}")


def _cells(numbers: list[int]) -> str:
    return ("cell " if len(numbers) == 1 else "cells ") + ", ".join(map(str, numbers))


def _cell_numbers(value: Any) -> list[int]:
    if type(value) is not list or len(value) > 100_000 or not all(
            type(number) is int and 0 < number < 1_000_000 for number in value):
        raise BadAnswerData("cell numbers must be a list of positive integers")
    return sorted(set(value))


def _argument(entry: Any, parameter: str, check: Any) -> Any:
    """One argument of a check call, rebuilt from its data."""
    if not isinstance(entry, dict) or len(entry) != 1:
        raise BadAnswerData("an argument must be {'value': ...} or {'calls': [...]}")
    if "value" in entry:
        return decode(entry["value"])
    declared = getattr(check, "function_inputs", {})
    if "calls" in entry and parameter in declared:
        return RecordedFunction(declared[parameter](), entry["calls"], parameter)
    raise BadAnswerData("function calls recorded for an argument that is not a function")


def check_answer(exercise: Exercise, data: Any) -> tuple[str, str]:
    """``(status, message)`` of one exercise from its data (the check runs here, trusted)."""
    if not isinstance(data, dict):
        return ERROR, "the grader received no answer data for this exercise."
    if "missing" in data:
        name = data["missing"] if isinstance(data["missing"], str) else ""
        return MISSING, (f"{name[:200]}: the answer cell was deleted, renamed or not run, or it "
                         "raised before setting it.")
    if "unreadable" in data:
        return ERROR, "reading the answer raised an error."
    check = getattr(import_module(exercise.module), exercise.function)
    parameters = list(inspect.signature(check).parameters)
    try:
        arguments, keywords = data["arguments"], data["keywords"]
        if type(arguments) is not list or type(keywords) is not dict or len(arguments) > len(parameters):
            raise BadAnswerData("malformed arguments")
        args = [_argument(entry, parameters[index], check) for index, entry in enumerate(arguments)]
        kwargs = {name: _argument(entry, name, check) for name, entry in keywords.items()
                  if isinstance(name, str) and name in parameters}
        if len(kwargs) != len(keywords):
            raise BadAnswerData("unknown keyword")
    except (BadAnswerData, KeyError, TypeError) as problem:
        return ERROR, f"the answer data could not be read ({problem})."
    try:
        feedback = check(*args, **kwargs)
    except Exception as error:  # a check of ours failed on odd data: this exercise only
        return ERROR, f"the check raised {type(error).__name__}: {error}"
    if not isinstance(feedback, Feedback) or feedback.status not in CHECK_STATUSES:
        return ERROR, "the check returned no verdict."
    return feedback.status, str(feedback)


def judge(grade: Grade, result: bytes, exercises: Sequence[Exercise], cell_timeout: float) -> Any:
    """Fill ``grade`` from a sandbox's result; return the executed notebook data, if any.

    Everything decoded from ``result`` spends one budget (:func:`classroom.answers.one_result`).
    """
    with one_result():
        return _judge(grade, result, exercises, cell_timeout)


def _judge(grade: Grade, result: bytes, exercises: Sequence[Exercise], cell_timeout: float) -> Any:
    try:
        data = loads(result)
        if not isinstance(data, dict):
            raise BadAnswerData("the result is not an object")
        error_cells = _cell_numbers(data.get("error_cells", []))
        interrupted = _cell_numbers(data.get("interrupted_cells", []))
        died_in = data.get("kernel_died_in")
        if died_in is not None and (type(died_in) is not int or not 0 <= died_in < 1_000_000):
            raise BadAnswerData("malformed kernel_died_in")
    except BadAnswerData as problem:
        grade.notes.append(f"the submission's result could not be read ({problem}), not graded")
        return None
    answers = data.get("answers")
    if data.get("harness_problem") and data.get("kernel_started") is False:
        grader_failed(grade, "the notebook's kernel could not start")
        return None
    if data.get("unreadable"):
        grade.notes.append("notebook unreadable (not a valid .ipynb file), not graded")
        return None
    if died_in is not None:
        where = f"in cell {died_in}" if died_in else "while its answers were read"
        grade.notes.append(f"the kernel died {where}, not graded (out of memory, or os._exit?)")
    elif not isinstance(answers, dict):
        grade.notes.append("its answers could not be read (the grader's cell failed or was "
                           "tampered with), not graded")
    else:
        for exercise in exercises:
            status, message = check_answer(exercise, answers.get(exercise.number))
            grade.statuses[exercise.number] = status
            grade.messages[exercise.number] = message
    if interrupted:
        grade.notes.append(f"{_cells(interrupted)} interrupted after {cell_timeout:g} s")
    if error_cells:
        grade.notes.append(f"errors in {_cells(error_cells)}")
    return data.get("executed")
