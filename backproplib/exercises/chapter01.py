"""Checks for the exercises of chapter 1 (neurons, notation and the computation graph)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..activations import sigmoid, sigmoid_prime
from ..running_example import running_example
from . import CORRECT, MISTAKE, Feedback, Mistake, check_value, is_missing

_SIZES = [784, 128, 64, 10]


def check_1_1(z_4: Any) -> Feedback:
    """Exercise 1.1: the weighted input of node 4 of layer 1 for the running example's ``x``.

    Node 4 has a bias other than 0, so an answer that leaves the bias out is told so.
    """
    example = running_example()
    weights, biases, x = example.network.weights[0], example.network.biases[0], example.x
    weighted_input = weights @ x + biases
    return check_value(
        "1.1",
        z_4,
        weighted_input[3],
        mistakes=[
            Mistake(sigmoid(weighted_input[3]),
                    "that is the activation a_4 = g(z_4), not the weighted input.",
                    "the weighted input is the sum before the activation function is applied."),
            Mistake(weights[3] @ x,
                    "the bias b_4 is missing: that is only the weighted sum of the inputs.",
                    "z_4 = w_41 x_1 + w_42 x_2 + w_43 x_3 + b_4: add b_4, printed with b^[1]."),
            Mistake(weighted_input[2],
                    "that is z_3, the weighted input of node 3: the nodes are counted from 1.",
                    "node 4 uses row 4 of W^[1] (index 3 in Python) and b_4."),
        ],
        correct_message="z_4 is the weighted sum of the inputs plus the bias.",
        wrong_hint="z_4 = w_41 x_1 + w_42 x_2 + w_43 x_3 + b_4, with w_4k from row 4 of W^[1].",
    )


def check_1_2(weight_shapes: Any, z2_shape: Any) -> Feedback:
    """Exercise 1.2: weight shapes of a 784-128-64-10 network and the shape of Z^[2] for m = 32."""
    if is_missing(weight_shapes) or is_missing(z2_shape):
        return Feedback("1.2", "not yet done", "replace both ... with your answers and run the cell.")
    right = [(n_next, n_prev) for n_prev, n_next in zip(_SIZES[:-1], _SIZES[1:])]
    try:
        given = [tuple(int(n) for n in shape) for shape in weight_shapes]
        z2_given = tuple(int(n) for n in z2_shape)
    except (TypeError, ValueError):
        return Feedback("1.2", MISTAKE, "give weight_shapes as a list of (rows, columns) tuples "
                        "and z2_shape as a tuple.")
    if given == [shape[::-1] for shape in right]:
        return Feedback("1.2", MISTAKE, "the weight shapes are transposed.",
                        "row j of W^[l] holds the weights INTO node j of layer l.")
    if given != right:
        return Feedback("1.2", MISTAKE, "the weight shapes are not right.",
                        "W^[l] has shape (n_l, n_(l-1)); there are three weight matrices.")
    if z2_given == (64, 32):
        return Feedback("1.2", MISTAKE, "the weight shapes are right, but Z^[2] is transposed.",
                        "in code samples are rows: one row per sample.")
    if z2_given != (32, 64):
        return Feedback("1.2", MISTAKE, "the weight shapes are right, but not the shape of Z^[2].",
                        "Z^[2] has one row per sample and one column per node of layer 2.")
    return Feedback("1.2", CORRECT, "W^[l] is (n_l, n_(l-1)) and Z^[2] is (m, n_2).")


def _as_number(answer: Any) -> float | None:
    """``answer`` as a float, or ``None`` if it is not one number (text, a list, ...)."""
    if isinstance(answer, (str, bytes, bool)):
        return None
    try:
        value = np.asarray(answer, dtype=float)
    except (TypeError, ValueError):
        return None
    return float(value) if value.size == 1 else None


# The chapter prints sigmoid'(0.8) with four decimals: an answer copied from the page is right.
_PRINTED = 0.5e-4


def check_1_3(slope_at_z: Any, slope_at_a: Any) -> Feedback:
    """Exercise 1.3: sigmoid'(z) and sigmoid'(a) at z = 0.8 are different numbers.

    An answer within half a unit of the fourth decimal (the precision chapter 1 prints) is right,
    and the learner is told that it is right to the printed precision.
    """
    if is_missing(slope_at_z) or is_missing(slope_at_a):
        return Feedback("1.3", "not yet done", "replace both ... with your answers and run the cell.")
    at_z = float(sigmoid_prime(np.array(0.8)))
    at_a = float(sigmoid_prime(sigmoid(np.array(0.8))))
    given_z, given_a = _as_number(slope_at_z), _as_number(slope_at_a)
    for name, given, raw in (("slope_at_z", given_z, slope_at_z), ("slope_at_a", given_a, slope_at_a)):
        if given is None:
            return Feedback("1.3", MISTAKE, f"{name} should be one number, got "
                            f"{type(raw).__name__} {raw!r}.",
                            "store the number itself (no quotes), e.g. activations.sigmoid_prime(0.8).")

    def close(value: float, right: float) -> bool:
        return abs(value - right) <= _PRINTED

    if close(given_z, at_a) and close(given_a, at_z):
        return Feedback("1.3", MISTAKE, "the two answers are swapped.",
                        "slope_at_z evaluates sigmoid' at 0.8 itself.")
    if not close(given_z, at_z):
        return Feedback("1.3", MISTAKE, "slope_at_z is not sigmoid'(0.8).",
                        "use activations.sigmoid_prime(0.8).")
    if not close(given_a, at_a):
        return Feedback("1.3", MISTAKE, "slope_at_a is not sigmoid' evaluated at a = sigmoid(0.8).",
                        "first compute a = sigmoid(0.8), then sigmoid_prime(a).")
    exact = np.isclose(given_z, at_z) and np.isclose(given_a, at_a)
    precision = "" if exact else " (right to the 4 decimals the chapter prints)"
    return Feedback("1.3", CORRECT, f"the slope at z and the slope at a are different "
                    f"numbers{precision}; chapter 3 shows which one the chain rule needs.")
