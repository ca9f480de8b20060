"""Checks for the exercises of chapter 3 (the chain rule for a single weight).

All three exercises use the running example (:mod:`backproplib.running_example`) and its single
sample ``(x, y)``. The expected values are computed here from the forward pass with the formulas
of the chapter; the classic wrong formulas are computed the same way, so a check can name them.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..activations import sigmoid, sigmoid_prime
from ..chain_rule import forward_one_sample
from ..running_example import running_example
from . import (CORRECT, Feedback, Mistake, calls_function, check_function, check_value,
                is_missing)


def _running_example_values() -> dict[str, np.ndarray]:
    """Every quantity the checks need, for the running example's sample (0-based arrays)."""
    example = running_example()
    forward = forward_one_sample(example.network, example.x)
    z_out = forward.weighted_inputs[2]
    a_out = forward.activations[2]
    return {
        "x": example.x,
        "y": example.y,
        "z_hidden": forward.weighted_inputs[1],
        "a_hidden": forward.activations[1],
        "z_out": z_out,
        "a_out": a_out,
        "W_out": example.network.weights[1],
        "dC0_da": 2.0 * (a_out - example.y),
        "slope_at_z": sigmoid_prime(z_out),
        "slope_at_a": sigmoid_prime(a_out),
    }


def _right_to_printed_factors(answer: Any, right: float, factors: tuple[float, ...]) -> bool:
    """``True`` when ``answer`` is one number no further from ``right`` than the product of the
    factors rounded to the 6 decimals the chapter prints can be (but not within check_value's
    tolerance, which calls it simply right)."""
    if isinstance(answer, (str, bytes, bool)) or is_missing(answer):
        return False
    try:
        value = np.asarray(answer, dtype=float)
    except (TypeError, ValueError):
        return False
    if value.size != 1 or not np.isfinite(value).all():
        return False
    half_unit = 0.5e-6
    f1, f2, f3 = (abs(float(f)) + half_unit for f in factors)
    bound = half_unit * (f2 * f3 + f1 * f3 + f1 * f2) * 1.01
    distance = abs(float(value) - right)
    return bool(distance <= bound and not np.isclose(float(value), right, rtol=1e-6, atol=1e-9))


def check_3_1(dC0_dw21: Any) -> Feedback:
    """Exercise 3.1: :math:`\\partial C_0 / \\partial w_{21}^{[2]}` for the running example.

    The right answer is :math:`2 (a_2^{[2]} - y_2) \\, \\sigma'(z_2^{[2]}) \\, a_1^{[1]}`.
    """
    v = _running_example_values()
    j, k = 1, 0  # w_21: row j - 1 = 1, column k - 1 = 0
    right = v["dC0_da"][j] * v["slope_at_z"][j] * v["a_hidden"][k]
    mistakes = [
        Mistake(v["dC0_da"][j] * v["slope_at_a"][j] * v["a_hidden"][k],
                "the middle factor is sigma'(a_2), the derivative evaluated at the activation.",
                "the factor da_2/dz_2 is the slope of g at its own argument z_2: "
                "sigma'(z_2) = a_2 (1 - a_2)."),
        Mistake((v["a_out"][j] - v["y"][j]) * v["slope_at_z"][j] * v["a_hidden"][k],
                "the factor 2 of the squared error is missing.",
                "the derivative of (a_2 - y_2)^2 is 2 (a_2 - y_2): this book's squared error "
                "has no 1/2."),
        Mistake(-right,
                "the sign is flipped: that is 2 (y_2 - a_2) instead of 2 (a_2 - y_2).",
                "differentiate (a_2 - y_2)^2 with respect to a_2, not with respect to y_2."),
        Mistake(v["dC0_da"][j] * v["slope_at_z"][j] * v["a_out"][j],
                "the last factor is the output a_2^[2]; dz_2/dw_21 is the activation the weight "
                "multiplies, which comes from layer 1.",
                "write out z_2 = w_21 a_1^[1] + w_22 a_2^[1] + ... + b_2: what multiplies w_21?"),
        Mistake(v["dC0_da"][j] * v["slope_at_z"][j] * v["x"][k],
                "the last factor is the input x_1; w_21^[2] multiplies a hidden activation.",
                "layer 2 reads a^[1], the output of layer 1, not the input x."),
        Mistake(v["dC0_da"][j] * v["slope_at_z"][j] * v["a_hidden"][j],
                "the last factor is a_2^[1]: the index of the receiving node j was used where the "
                "sending node k belongs.",
                "the weight w_jk goes to node j from node k; dz_j/dw_jk = a_k^[1], here with "
                "k = 1."),
        Mistake(v["dC0_da"][k] * v["slope_at_z"][k] * v["a_hidden"][j],
                "that is the derivative for w_12^[2]: j and k are swapped (a transposed W).",
                "the weight w_21 goes to output node 2 from hidden node 1: use a_2, y_2, z_2 "
                "and a_1^[1]."),
        Mistake(v["dC0_da"][j] * v["a_hidden"][k],
                "the middle factor g'(z_2) is missing.",
                "the output is a_2 = sigma(z_2): the chain passes through the activation "
                "function."),
        Mistake(v["dC0_da"][j] * v["slope_at_z"][j] * v["z_hidden"][k],
                "the last factor is the weighted input z_1^[1] instead of the activation a_1^[1].",
                "layer 2 multiplies w_21 by what node 1 of layer 1 outputs, a_1^[1] = g(z_1^[1])."),
    ]
    factors = (v["dC0_da"][j], v["slope_at_z"][j], v["a_hidden"][k])
    if _right_to_printed_factors(dC0_dw21, right, factors):
        return Feedback("3.1", CORRECT, "right to the precision of the factors printed with 6 "
                        "decimals: 2 (a_2 - y_2), sigma'(z_2) and a_1^[1] multiply to "
                        "dC0/dw_21^[2] (computed from the unrounded factors it has more digits).")
    return check_value(
        "3.1",
        dC0_dw21,
        right,
        mistakes,
        correct_message="the three factors 2 (a_2 - y_2), sigma'(z_2) and a_1^[1] multiply to "
        "dC0/dw_21^[2].",
        wrong_hint="multiply dC0/da_2 = 2 (a_2 - y_2), da_2/dz_2 = sigma'(z_2) and dz_2/dw_21 = "
        "a_1^[1], using the forward pass of the running example.",
    )


def check_3_2(gradient: Any) -> Feedback:
    """Exercise 3.2: the matrix :math:`\\partial C_0 / \\partial W^{[2]}`, shape ``(2, 4)``.

    Entry ``[j - 1, k - 1]`` is :math:`2 (a_j - y_j) \\sigma'(z_j) a_k^{[1]}`.
    """
    v = _running_example_values()
    row_factor = v["dC0_da"] * v["slope_at_z"]  # one number per output node j
    right = np.outer(row_factor, v["a_hidden"])
    mistakes = [
        Mistake(right.T,
                "the matrix is transposed: it has one row per hidden node.",
                "the gradient dC0/dW^[2] has the shape of W^[2], (2, 4): row j for output "
                "node j, column k for hidden node k."),
        Mistake(np.outer(v["dC0_da"] * v["slope_at_a"], v["a_hidden"]),
                "the slopes are sigma'(a_j), the derivative evaluated at the activations.",
                "use sigma'(z_j) = a_j (1 - a_j), the slope at the weighted input."),
        Mistake(right / 2.0,
                "the factor 2 of the squared error is missing.",
                "the first factor is dC0/da_j = 2 (a_j - y_j)."),
        Mistake(-right,
                "the sign is flipped everywhere: 2 (y_j - a_j) instead of 2 (a_j - y_j).",
                "the loss grows when a_j moves away from y_j."),
        Mistake(np.outer(v["dC0_da"], v["a_hidden"]),
                "the slopes sigma'(z_j) are missing.",
                "every entry has three factors; the middle one is sigma'(z_j)."),
        Mistake(row_factor[:, None] * v["W_out"],
                "each entry is multiplied by the weight w_jk instead of the activation a_k^[1].",
                "dz_j/dw_jk = a_k^[1] (what the weight multiplies); w_jk is dz_j/da_k, the "
                "derivative in the other direction (chapter 4)."),
    ]
    return check_value(
        "3.2",
        gradient,
        right,
        mistakes,
        correct_message="every entry is 2(a_j - y_j) sigma'(z_j) a_k^[1], arranged in W^[2]'s "
        "shape.",
        wrong_hint="fill a (2, 4) array: entry [j - 1, k - 1] is dC0/dw_jk^[2], the product of "
        "the three factors of that weight.",
    )


def _right_slope(a: np.ndarray) -> np.ndarray:
    return a * (1.0 - a)


def _slope_inputs() -> list[tuple[np.ndarray]]:
    """The activations exercise 3.3's function is called on."""
    return [(np.array(values),) for values in ([0.5], [0.1, 0.62, 0.9], [0.01, 0.3, 0.75, 0.999])]


@calls_function("sigmoid_slope_from_activation", _slope_inputs)
def check_3_3(sigmoid_slope_from_activation: Any) -> Feedback:
    """Exercise 3.3: a function returning :math:`\\sigma'(z)` given only :math:`a = \\sigma(z)`.

    The right answer is :math:`a (1 - a)`; the classic mistake is :math:`\\sigma'(a)`.
    """
    cases = [((a,), _right_slope(a)) for (a,) in _slope_inputs()]
    mistakes = [
        (lambda a: sigmoid_prime(a),
         "your function returns sigma'(a): the derivative evaluated at the activation.",
         "start from sigma'(z) = sigma(z) (1 - sigma(z)); sigma(z) is a: write it with a alone."),
        (lambda a: sigmoid(a) * (1.0 - a),
         "your function applies sigma to a once more before using it.",
         "a is already sigma(z); do not apply sigma again."),
        (lambda a: 1.0 - a * a,
         "your function returns 1 - a^2, the slope of tanh written with its activation.",
         "for the sigmoid, sigma'(z) = sigma(z) (1 - sigma(z))."),
        (lambda a: 1.0 - a,
         "a factor a is missing.",
         "the slope is sigma'(z) = sigma(z) (1 - sigma(z)): two factors."),
        (lambda a: a.copy(),
         "your function returns a itself.",
         "the slope of the sigmoid is sigma(z) (1 - sigma(z))."),
    ]
    return check_function(
        "3.3",
        sigmoid_slope_from_activation,
        cases,
        mistakes,
        correct_message="the slope at z is a (1 - a), written with the activation a: this is "
        "what texts mean when they write f'(a).",
        wrong_hint="start from sigma'(z) = sigma(z) (1 - sigma(z)) and replace sigma(z) by a.",
    )
