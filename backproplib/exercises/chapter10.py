"""Checks for the exercises of chapter 10 (the capstone: backpropagation from scratch).

Both checks are :func:`backproplib.diagnose.diagnose`: the learner's ``backprop`` is called on the
ladder of cases (the declared inputs, always the same), and the report - the first wrong quantity,
the smallest case with its numbers, the named mistake and the section to read - is the feedback.
"""

from __future__ import annotations

from typing import Any

from ..diagnose import NOT_DONE, Report, _check_setting, _diagnose, ladder_inputs
from . import MISTAKE, Feedback, calls_function, is_missing


def _feedback(exercise: str, backprop: Any, report_of: Any) -> Feedback:
    if is_missing(backprop):
        return Feedback(exercise, NOT_DONE, "replace the ... with your function and run the cell.")
    if not callable(backprop):
        return Feedback(exercise, MISTAKE, f"expected a function backprop(weights, biases, X, Y), "
                        f"got {type(backprop).__name__}.")
    report: Report = report_of(backprop)
    if report.status != MISTAKE:
        return Feedback(exercise, report.status, report.diagnosis)
    hint = (f"read {report.section}." if report.section else
            "compare your function with the equations at the start of the chapter on the case "
            "named above: print each layer's delta and gradients next to the expected ones.")
    return Feedback(exercise, MISTAKE, report.diagnosis, hint)


@calls_function("backprop", ladder_inputs)
def check_10_1(backprop: Any) -> Feedback:
    """Exercise 10.1: ``backprop(weights, biases, X, Y)`` for sigmoid layers and the squared error.

    .. math:: \\delta^{[L]} = 2(a^{[L]} - y) \\odot \\sigma'(z^{[L]}), \\quad
              \\delta^{[l]} = (W^{[l+1]\\top} \\delta^{[l+1]}) \\odot \\sigma'(z^{[l]}), \\quad
              \\frac{\\partial J}{\\partial W^{[l]}} = \\tfrac1m \\Delta^{[l]\\top} A^{[l-1]}
    """
    setting = _check_setting("sigmoid", None, "squared_error")
    return _feedback("10.1", backprop,
                     lambda function: _diagnose(function, setting, show_line=False))


@calls_function("backprop_tanh", ladder_inputs)
def check_10_2(backprop_tanh: Any) -> Feedback:
    """Exercise 10.2: the same with tanh hidden layers and a sigmoid output layer.

    .. math::

        \\delta^{[l]} = (W^{[l+1]\\top} \\delta^{[l+1]}) \\odot (1 - (a^{[l]})^2), \\quad l < L
    """
    setting = _check_setting("tanh", "sigmoid", "squared_error")
    return _feedback("10.2", backprop_tanh,
                     lambda function: _diagnose(function, setting, show_line=False))
