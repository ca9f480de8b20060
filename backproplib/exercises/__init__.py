"""Checks for the exercises at the end of each chapter.

An exercise asks for a value (a number, an array, a function). Its check function compares the
learner's answer with the right one and also with the *classic mistakes* of the subject - ``g'(a)``
instead of ``g'(z)``, a missing or doubled ``1/m``, a transposed ``W``, a dropped factor 2, a
missing sum over downstream nodes, averaging before multiplying - and names the mistake it sees.
It says what is right or wrong and gives a hint; it never prints the solution.

In a notebook the answer cell starts as ``answer = ...``; a check of an answer that is still
``...`` (Ellipsis) reports "not yet done" instead of failing.

A check whose answer is a function declares, with ``calls_function``, the exact argument
tuples it calls that function on. The classroom grader uses the declaration to call a student's
function inside the student's sandbox and to run the check itself outside it, on the recorded
outputs (see ``classroom/answers.py``); in a notebook the declaration changes nothing.

The checks of chapter ``N`` live in ``backproplib.exercises.chapterNN``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Sequence

import numpy as np

CORRECT = "correct"
NOT_DONE = "not yet done"
MISTAKE = "not yet right"


def calls_function(parameter: str, inputs: Callable[[], list[tuple[Any, ...]]]) -> Callable:
    """Declare that a check calls the learner's function ``parameter`` on exactly ``inputs()``.

    ``inputs`` returns the argument tuples, in any order; the check may call the function on
    each of them (on copies or not) any number of times, and on nothing else. A test
    (``tests/test_classroom_grading.py``) holds every check to its declaration.
    """

    def declare(check: Callable) -> Callable:
        check.function_inputs = {**getattr(check, "function_inputs", {}), parameter: inputs}
        return check

    return declare


# Lower-case words that are names in this book and keep their case at the start of a message.
_NAMES = frozenset({"tanh", "relu", "sigmoid", "softmax", "exp", "log", "ln", "np", "numpy",
                    "dz", "dw", "db", "da", "dj", "max", "min", "mean", "sum"})


def _sentence(text: str) -> str:
    """Capitalise the first word of a message, never a symbol.

    In this book the case of a letter is part of its meaning (``x`` a sample, ``X`` a batch; ``a``
    an activation, ``A`` a batch of them), so a one-letter word, a word with digits, primes,
    underscores or capitals (``z_3``, ``g'(z)``, ``dW``), and a function name (``tanh``) are left
    as they are. Only an ordinary lower-case word of two or more letters is capitalised.
    """
    first_word = text.split(" ", 1)[0].rstrip(".,;:!?")
    if (len(first_word) >= 2 and first_word.isalpha() and first_word.islower()
            and first_word not in _NAMES):
        return text[:1].upper() + text[1:]
    return text


@dataclass(frozen=True)
class Feedback:
    """The verdict of one check.

    Attributes
    ----------
    exercise : str
        Which exercise, e.g. ``"1.1"``.
    status : str
        ``"correct"``, ``"not yet done"`` or ``"not yet right"``.
    message : str
        What is right, or what is wrong (naming the mistake when it is a known one).
    hint : str
        What to look at next; empty when correct.
    """

    exercise: str
    status: str
    message: str
    hint: str = ""

    @property
    def passed(self) -> bool:
        """``True`` when the answer is correct."""
        return self.status == CORRECT

    def __str__(self) -> str:
        text = f"Exercise {self.exercise}: {self.status.upper()}. {_sentence(self.message)}"
        if self.hint:
            text += f"\n  Hint: {_sentence(self.hint)}"
        return text

    __repr__ = __str__


@dataclass(frozen=True)
class Mistake:
    """A known wrong answer: the value it produces and what to tell the learner."""

    value: Any
    message: str
    hint: str


def is_missing(answer: Any) -> bool:
    """``True`` when the learner has not replaced the ``...`` placeholder (or left ``None``)."""
    return answer is Ellipsis or answer is None


def matches(answer: Any, expected: Any, rtol: float = 1e-6, atol: float = 1e-9) -> bool:
    """``True`` when ``answer`` has the shape of ``expected`` and the same values to tolerance."""
    try:
        answer_array = np.asarray(answer, dtype=float)
    except (TypeError, ValueError):
        return False
    expected_array = np.asarray(expected, dtype=float)
    if answer_array.shape != expected_array.shape:
        return False
    return bool(np.allclose(answer_array, expected_array, rtol=rtol, atol=atol))


def check_value(
    exercise: str,
    answer: Any,
    expected: Any,
    mistakes: Sequence[Mistake] = (),
    correct_message: str = "that is the right value.",
    wrong_hint: str = "",
    rtol: float = 1e-6,
) -> Feedback:
    """Compare an answer with the expected value and with each known mistake.

    Parameters
    ----------
    exercise : str
        The exercise's number, e.g. ``"3.2"``.
    answer : object
        What the learner computed.
    expected : array_like
        The right value.
    mistakes : sequence of Mistake
        Known wrong values, checked in order; the first that matches is named.
    correct_message : str
        Said when the answer is right.
    wrong_hint : str
        Hint when the answer is wrong in an unrecognised way.
    """
    if is_missing(answer):
        return Feedback(exercise, NOT_DONE, "replace the ... with your answer and run the cell.")
    expected_shape = np.shape(expected)
    try:
        answer_shape = np.shape(np.asarray(answer, dtype=float))
    except (TypeError, ValueError):
        return Feedback(exercise, MISTAKE, f"expected a number or an array of numbers, got "
                        f"{type(answer).__name__}.", wrong_hint)
    if matches(answer, expected, rtol=rtol):
        return Feedback(exercise, CORRECT, correct_message)
    for mistake in mistakes:
        if matches(answer, mistake.value, rtol=rtol):
            return Feedback(exercise, MISTAKE, mistake.message, mistake.hint)
    if answer_shape != expected_shape:
        return Feedback(exercise, MISTAKE, f"the answer has shape {answer_shape}, expected shape "
                        f"{expected_shape}.", wrong_hint)
    return Feedback(exercise, MISTAKE, "the value is not right.", wrong_hint)


def check_function(
    exercise: str,
    function: Any,
    cases: Sequence[tuple[tuple[Any, ...], Any]],
    mistakes: Sequence[tuple[Callable[..., Any], str, str]] = (),
    correct_message: str = "your function gives the right values.",
    wrong_hint: str = "",
) -> Feedback:
    """Check a learner's function on argument tuples ``cases`` = ``[(args, expected), ...]``.

    ``mistakes`` lists ``(wrong_function, message, hint)``: if the learner's function agrees with
    a wrong function on every case, that mistake is named.
    """
    if is_missing(function):
        return Feedback(exercise, NOT_DONE, "replace the ... with your function and run the cell.")
    if not callable(function):
        return Feedback(exercise, MISTAKE, f"expected a function, got {type(function).__name__}.",
                        wrong_hint)
    try:
        outputs = [function(*args) for args, _ in cases]
    except NotImplementedError:
        return Feedback(exercise, NOT_DONE, "the function is not written yet.")
    except Exception as error:  # the learner's code failed: say how, do not crash the notebook
        return Feedback(exercise, MISTAKE, f"calling your function raised "
                        f"{type(error).__name__}: {error}", wrong_hint)
    if all(matches(output, expected) for output, (_, expected) in zip(outputs, cases)):
        return Feedback(exercise, CORRECT, correct_message)
    for wrong_function, message, hint in mistakes:
        if all(matches(output, wrong_function(*args)) for output, (args, _) in zip(outputs, cases)):
            return Feedback(exercise, MISTAKE, message, hint)
    shape_problem = _shape_problem(outputs, [expected for _, expected in cases])
    if shape_problem:
        return Feedback(exercise, MISTAKE, shape_problem, wrong_hint)
    return Feedback(exercise, MISTAKE, "the function gives wrong values on the test inputs.",
                    wrong_hint)


def _shape_problem(outputs: Sequence[Any], expected: Sequence[Any]) -> str:
    """Describe the first output whose shape differs from the expected one ("" if none does)."""
    for output, right in zip(outputs, expected):
        try:
            output_array = np.asarray(output, dtype=float)
        except (TypeError, ValueError):
            return (f"your function returned {type(output).__name__}, expected an array of "
                    f"shape {np.shape(right)}.")
        right_array = np.asarray(right, dtype=float)
        if output_array.shape == right_array.shape:
            continue
        same_values = (output_array.size == right_array.size and np.allclose(
            output_array.reshape(right_array.shape), right_array, rtol=1e-6, atol=1e-9))
        values = "the right values, but" if same_values else "an array of"
        advice = (" Return the expected shape (for example with .reshape or .ravel())."
                  if same_values else "")
        return (f"your function returned {values} shape {output_array.shape}; expected shape "
                f"{right_array.shape}.{advice}")
    return ""
