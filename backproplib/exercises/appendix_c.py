"""Checks for the exercises of appendix C (gradient checking and debugging).

Exercise C.1 asks for a centred difference as a function, C.2 for the centred difference of relu
across its kink, and C.3 for the diagnosis of a gradient check's numbers. The classic wrong
answers are recognised: one-sided differences, a missing 2 in the denominator, a misplaced
parenthesis, the true derivative where the finite difference was asked for, and the bugs whose
signatures C.3 confuses.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from . import (CORRECT, MISTAKE, NOT_DONE, Feedback, Mistake, calls_function, check_function,
               check_value, is_missing)


def _centred(f: Callable[[float], float], x: float, h: float) -> float:
    return (f(x + h) - f(x - h)) / (2 * h)


_CASES = [
    ((np.sin, 0.3, 0.1), _centred(np.sin, 0.3, 0.1)),
    ((np.exp, -1.0, 0.05), _centred(np.exp, -1.0, 0.05)),
    ((np.cbrt, 2.0, 0.2), _centred(np.cbrt, 2.0, 0.2)),
    ((np.tanh, 0.7, 0.3), _centred(np.tanh, 0.7, 0.3)),
]

_CENTRED_MISTAKES = [
    (lambda f, x, h: (f(x + h) - f(x)) / h,
     "your function is the one-sided (forward) difference (f(x + h) - f(x)) / h.",
     "a centred difference steps to both sides: f(x + h) - f(x - h); its error is O(h^2), "
     "the one-sided one's O(h)."),
    (lambda f, x, h: (f(x) - f(x - h)) / h,
     "your function is the one-sided (backward) difference (f(x) - f(x - h)) / h.",
     "a centred difference steps to both sides: f(x + h) - f(x - h)."),
    (lambda f, x, h: (f(x + h) - f(x - h)) / h,
     "your function divides by h, so it gives twice the derivative.",
     "x + h and x - h are 2h apart: divide by 2h."),
    (lambda f, x, h: (f(x + h) - f(x - h)) / 2 * h,
     "your function divides by 2 and then MULTIPLIES by h: / 2*h is (... / 2) * h in Python.",
     "put the denominator in parentheses: (f(x + h) - f(x - h)) / (2 * h)."),
    (lambda f, x, h: f(x + h) - f(x - h) / (2 * h),
     "only f(x - h) is divided by 2h: the parentheses around the difference are missing.",
     "write (f(x + h) - f(x - h)) / (2 * h)."),
]


def _centred_inputs() -> list[tuple]:
    """The ``(f, x, h)`` triples exercise C.1's function is called on."""
    return [arguments for arguments, _ in _CASES]


@calls_function("centred_difference", _centred_inputs)
def check_c_1(centred_difference: Any) -> Feedback:
    """Exercise C.1: ``centred_difference(f, x, h)`` returning :math:`(f(x+h) - f(x-h)) / 2h`."""
    return check_function(
        "C.1", centred_difference, _CASES, _CENTRED_MISTAKES,
        correct_message="your function computes the centred difference (f(x + h) - f(x - h)) / 2h.",
        wrong_hint="evaluate f one step h to each side of x and divide the difference by the "
        "distance between the two points.",
    )


_KINK_X, _KINK_STEP = 3e-7, 1e-6


def check_c_2(relu_difference: Any) -> Feedback:
    """Exercise C.2: the centred difference of relu at ``x = 3e-7`` with ``h = 1e-6``.

    .. math:: \\frac{\\mathrm{relu}(x + h) - \\mathrm{relu}(x - h)}{2h} = \\frac{x + h - 0}{2h}
    """
    x, h = _KINK_X, _KINK_STEP
    right = (x + h) / (2 * h)
    mistakes = [
        Mistake(1.0, "1 is relu'(x), the true derivative; the exercise asks what the finite "
                "difference gives.",
                "x - h is negative, so relu(x - h) = 0 while relu(x + h) = x + h."),
        Mistake(0.5, "0.5 is what the centred difference gives exactly at the kink, x = 0.",
                "here x = 3e-7 is slightly to the right of the kink: relu(x + h) = x + h."),
        Mistake((x + h) / h, "that divides by h instead of 2h.",
                "x + h and x - h are 2h apart."),
        Mistake(x / h, "that is the one-sided backward difference (relu(x) - relu(x - h)) / h.",
                "the centred difference uses relu(x + h) and relu(x - h)."),
    ]
    return check_value(
        "C.2", relu_difference, right, mistakes,
        correct_message="the step straddles the kink, so the finite difference is neither 0 nor "
        "1: a gradient check must not trust it there.",
        wrong_hint="compute relu(x + h) and relu(x - h) first; one of them is 0.", rtol=1e-9)


_BUGS = ("forgotten 1/m", "transposed W", "g'(a) instead of g'(z)", "dropped factor 2")


def check_c_3(bug: Any) -> Feedback:
    """Exercise C.3: name the bug from its signature.

    A check on ``m = 9`` samples gives the relative error 0.8 for every ``W`` and ``b`` and passes
    with ``m = 1``: a gradient ``m`` times too large has relative error :math:`(m-1)/(m+1)`.
    """
    if is_missing(bug):
        return Feedback("C.3", NOT_DONE, "replace the ... with the name of the bug and run the cell.")
    known = ", ".join(repr(name) for name in _BUGS)
    if not isinstance(bug, str) or bug.strip() not in _BUGS:
        return Feedback("C.3", MISTAKE, f"answer with one of the names {known}.")
    bug = bug.strip()
    if bug == "forgotten 1/m":
        return Feedback("C.3", CORRECT, "a gradient m times too large has relative error "
                        "(m - 1)/(m + 1), the same for every parameter, and none when m = 1.")
    messages = {
        "transposed W": ("a transposed W leaves the layers above it correct, and it does not "
                         "depend on m: the check with one sample would fail too.",
                         "which bug makes every error the same number, and vanishes when m = 1?"),
        "g'(a) instead of g'(z)": ("g'(a) gives different errors in different layers, and it does "
                                   "not depend on m: the check with one sample would fail too.",
                                   "which bug makes every error the same number, and vanishes when "
                                   "m = 1?"),
        "dropped factor 2": ("a dropped factor 2 halves every gradient: relative error 1/3 for "
                             "every m, including m = 1.",
                             "the error 0.8 depends on m; which bug scales the gradient by m?"),
    }
    message, hint = messages[bug]
    return Feedback("C.3", MISTAKE, message, hint)
