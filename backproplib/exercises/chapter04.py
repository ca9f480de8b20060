"""Checks for the exercises of chapter 4 (summing over downstream nodes).

Exercises 4.1 and 4.2 use the running example (:mod:`backproplib.running_example`) and its single
sample ``(x, y)``; exercise 4.3 asks for the recursion of backpropagation as a function. Expected
values and the classic wrong ones are computed here from the forward pass with the chapter's
formulas.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..activations import sigmoid, sigmoid_prime
from ..chain_rule import forward_one_sample
from ..running_example import running_example
from . import Feedback, Mistake, calls_function, check_function, check_value


def _running_example_values() -> dict[str, np.ndarray]:
    """Every quantity the checks need, for the running example's sample (0-based arrays)."""
    example = running_example()
    forward = forward_one_sample(example.network, example.x)
    a_out = forward.activations[2]
    return {
        "x": example.x,
        "z_hidden": forward.weighted_inputs[1],
        "a_hidden": forward.activations[1],
        "a_out": a_out,
        "W_out": example.network.weights[1],
        "dC0_da_out": 2.0 * (a_out - example.y),
        "slope_out": sigmoid_prime(forward.weighted_inputs[2]),
        "slope_out_at_a": sigmoid_prime(a_out),
        "slope_hidden": sigmoid_prime(forward.weighted_inputs[1]),
        "slope_hidden_at_a": sigmoid_prime(forward.activations[1]),
    }


def _downstream_variants(v: dict[str, np.ndarray], k: int) -> dict[str, float]:
    """dC0/da_k^[1] (``k`` counted from 0) and its classic wrong versions."""
    per_output = v["dC0_da_out"] * v["slope_out"]  # dC0/dz_j^[2] = delta_j^[2]
    terms = per_output * v["W_out"][:, k]
    n_out = v["W_out"].shape[0]
    # the mistake sum_j delta_j w_kj reads row k of W^[2]; it exists only for k < n_out
    row_k = v["W_out"][k, :n_out] if k < n_out else np.full(n_out, np.nan)
    return {
        "right": float(np.sum(terms)),
        "first term only": float(terms[0]),
        "second term only": float(terms[1]),
        "g'(a)": float(np.sum(v["dC0_da_out"] * v["slope_out_at_a"] * v["W_out"][:, k])),
        "W instead of W^T": float(np.sum(per_output * row_k)),
        "no g'": float(np.sum(v["dC0_da_out"] * v["W_out"][:, k])),
    }


def check_4_1(dC0_da2: Any) -> Feedback:
    """Exercise 4.1: :math:`\\partial C_0 / \\partial a_2^{[1]}`, a sum over both output nodes.

    .. math:: \\frac{\\partial C_0}{\\partial a_2^{[1]}}
              = \\sum_{j=1}^{2} 2 (a_j^{[2]} - y_j) \\, \\sigma'(z_j^{[2]}) \\, w_{j2}^{[2]}
    """
    v = _running_example_values()
    sums = _downstream_variants(v, k=1)
    right = sums["right"]
    mistakes = [
        Mistake(sums["first term only"],
                "that is only the term of output node 1; a_2^[1] also feeds output node 2.",
                "a hidden activation feeds every node of the next layer: add one term per node j."),
        Mistake(sums["second term only"],
                "that is only the term of output node 2; a_2^[1] also feeds output node 1.",
                "a hidden activation feeds every node of the next layer: add one term per node j."),
        Mistake(sums["g'(a)"],
                "the slopes are sigma'(a_j^[2]), the derivative evaluated at the activations.",
                "each term uses sigma'(z_j^[2]), the slope at the weighted input of output "
                "node j."),
        Mistake(sums["W instead of W^T"],
                "the weights come from row 2 of W^[2] (w_2j) instead of column 2 (w_j2): that "
                "is W where W^T belongs.",
                "the weights out of hidden node 2 are w_12^[2] and w_22^[2], column 2 of W^[2]."),
        Mistake(right / 2.0,
                "that is half the right value: the factor 2 of the squared error is missing, or "
                "the terms were averaged instead of added.",
                "each term starts with 2 (a_j - y_j), and the terms are summed, not averaged."),
        Mistake(sums["no g'"],
                "the slopes sigma'(z_j^[2]) of the output nodes are missing.",
                "each path passes through an output node's activation function."),
        Mistake(right * v["slope_hidden"][1],
                "that is delta_2^[1] = dC0/dz_2^[1]: the slope sigma'(z_2^[1]) of the hidden node "
                "itself is one factor too many.",
                "the derivative dC0/da_2^[1] stops at the activation; sigma'(z_2^[1]) comes next."),
        Mistake(-right,
                "the sign is flipped: 2 (y_j - a_j) instead of 2 (a_j - y_j).",
                "differentiate (a_j - y_j)^2 with respect to a_j."),
    ]
    return check_value(
        "4.1",
        dC0_da2,
        right,
        mistakes,
        correct_message="both paths from a_2^[1] to the loss are added up.",
        wrong_hint="add 2 (a_j - y_j) sigma'(z_j^[2]) w_j2^[2] over the two output nodes j.",
    )


def check_4_2(dC0_dw21: Any) -> Feedback:
    """Exercise 4.2: the hidden-layer weight :math:`\\partial C_0 / \\partial w_{21}^{[1]}`.

    .. math:: \\frac{\\partial C_0}{\\partial w_{21}^{[1]}}
              = \\frac{\\partial C_0}{\\partial a_2^{[1]}} \\, \\sigma'(z_2^{[1]}) \\, x_1
    """
    v = _running_example_values()
    sums = _downstream_variants(v, k=1)
    tail = v["slope_hidden"][1] * v["x"][0]  # the last two factors, right ones
    right = sums["right"] * tail
    swapped = _downstream_variants(v, k=0)["right"] * v["slope_hidden"][0] * v["x"][1]
    mistakes = [
        Mistake(sums["first term only"] * tail,
                "your dC0/da_2^[1] holds only the term of output node 1.",
                "the activation a_2^[1] feeds both output nodes: dC0/da_2^[1] is a sum of two "
                "terms (exercise 4.1)."),
        Mistake(sums["second term only"] * tail,
                "your dC0/da_2^[1] holds only the term of output node 2.",
                "the activation a_2^[1] feeds both output nodes: dC0/da_2^[1] is a sum of two "
                "terms (exercise 4.1)."),
        Mistake(sums["right"] * v["slope_hidden_at_a"][1] * v["x"][0],
                "the hidden slope is sigma'(a_2^[1]), the derivative evaluated at the activation.",
                "use sigma'(z_2^[1]) with z_2^[1] the weighted input of hidden node 2."),
        Mistake(sums["g'(a)"] * tail,
                "the output slopes inside the sum are sigma'(a_j^[2]) instead of sigma'(z_j^[2]).",
                "every slope is taken at a weighted input z, in both layers."),
        Mistake(sums["right"] * v["slope_hidden"][1] * v["a_hidden"][0],
                "the last factor is a_1^[1], an activation of the same layer; w_21^[1] multiplies "
                "the input x_1.",
                "dz_2^[1]/dw_21^[1] = a_1^[0] = x_1, from the layer before."),
        Mistake(sums["right"] * v["slope_hidden"][1],
                "the last factor x_1 is missing: that is delta_2^[1] = dC0/dz_2^[1].",
                "one more step: dz_2^[1]/dw_21^[1] = x_1."),
        Mistake(sums["right"] * v["x"][0],
                "the slope sigma'(z_2^[1]) of the hidden node is missing.",
                "the three factors are dC0/da_2^[1], sigma'(z_2^[1]) and x_1."),
        Mistake(swapped,
                "that is the derivative for w_12^[1]: j and k are swapped (a transposed W).",
                "the weight w_21^[1] goes to hidden node 2 from input 1."),
        Mistake(sums["W instead of W^T"] * tail,
                "the downstream sum uses row 2 of W^[2] instead of column 2: W where W^T belongs.",
                "the weights out of hidden node 2 are w_12^[2] and w_22^[2]."),
        Mistake(right / 2.0,
                "that is half the right value: the factor 2 of the squared error is missing, or "
                "the downstream terms were averaged instead of added.",
                "each term starts with 2 (a_j - y_j), and the terms are summed."),
        Mistake(-right,
                "the sign is flipped: 2 (y_j - a_j) instead of 2 (a_j - y_j).",
                "differentiate (a_j - y_j)^2 with respect to a_j."),
    ]
    return check_value(
        "4.2",
        dC0_dw21,
        right,
        mistakes,
        correct_message="the same three factors as for an output weight, with a downstream sum "
        "as the first.",
        wrong_hint="multiply dC0/da_2^[1] (exercise 4.1), sigma'(z_2^[1]) and x_1.",
    )


def _right_delta(W_next: np.ndarray, delta_next: np.ndarray, z: np.ndarray) -> np.ndarray:
    return (W_next.T @ delta_next) * sigmoid_prime(z)


def _cases(shapes: list[tuple[int, int]], seed: int) -> list[tuple[tuple[Any, ...], Any]]:
    rng = np.random.default_rng(seed)
    cases = []
    for n_next, n_this in shapes:
        W_next = rng.normal(size=(n_next, n_this))
        delta_next = rng.normal(size=n_next)
        z = rng.normal(size=n_this)
        cases.append(((W_next.copy(), delta_next.copy(), z.copy()),
                      _right_delta(W_next, delta_next, z)))
    return cases


_DELTA_MISTAKES = [
    (lambda W, d, z: (W @ d) * sigmoid_prime(z),
     "your function multiplies by W^[l+1] where W^[l+1]T belongs.",
     "node k of layer l collects w_jk delta_j over the nodes j of layer l+1: that is column k "
     "of W, i.e. (W^T delta)_k."),
    (lambda W, d, z: (W.T @ d) * sigmoid_prime(sigmoid(z)),
     "your function uses sigma'(a) = sigma'(sigma(z)), the derivative evaluated at the "
     "activation.",
     "use sigma'(z), the slope at the weighted input."),
    (lambda W, d, z: W.T @ d,
     "the slope sigma'(z^[l]) is missing: that is dC0/da^[l], not delta^[l].",
     "the error delta^[l] = dC0/dz^[l] is dC0/da^[l] times sigma'(z^[l]), entry by entry."),
    (lambda W, d, z: (W.T @ d) * sigmoid(z),
     "your function multiplies by sigma(z), the activation, instead of its slope sigma'(z).",
     "the factor is the derivative of the activation function, sigma'(z)."),
    (lambda W, d, z: W[0] * d[0] * sigmoid_prime(z),
     "your function keeps only the first downstream node's term.",
     "sum w_jk delta_j over all nodes j of layer l+1."),
    (lambda W, d, z: np.sum(d) * sigmoid_prime(z),
     "the weights are missing: every downstream delta_j is added with weight 1.",
     "the path from a_k^[l] into node j of layer l+1 has local derivative w_jk^[l+1]."),
]


_SQUARE_SHAPES, _SQUARE_SEED = [(3, 3), (2, 2), (4, 4)], 43
_GENERAL_SHAPES, _GENERAL_SEED = [(2, 4), (4, 3), (1, 5), (3, 1)], 44


def _hidden_delta_inputs() -> list[tuple[Any, ...]]:
    """Every ``(W_next, delta_next, z)`` exercise 4.3's function is called on."""
    return [arguments for shapes, seed in ((_SQUARE_SHAPES, _SQUARE_SEED),
                                           (_GENERAL_SHAPES, _GENERAL_SEED))
            for arguments, _ in _cases(shapes, seed)]


@calls_function("hidden_delta", _hidden_delta_inputs)
def check_4_3(hidden_delta: Any) -> Feedback:
    """Exercise 4.3: ``hidden_delta(W_next, delta_next, z)`` returning :math:`\\delta^{[l]}`.

    .. math:: \\delta^{[l]} = \\big(W^{[l+1]\\top} \\delta^{[l+1]}\\big) \\odot \\sigma'(z^{[l]})

    for a sigmoid layer ``l``. It is tried on square weight matrices first (where ``W`` and
    ``W^T`` both fit, so the mistake can be named), then on rectangular ones.
    """
    square = check_function(
        "4.3",
        hidden_delta,
        _cases(_SQUARE_SHAPES, _SQUARE_SEED),
        _DELTA_MISTAKES,
        correct_message="",
        wrong_hint="compute delta^[l] = (W^[l+1]T delta^[l+1]) * sigma'(z^[l]), entry by entry.",
    )
    if not square.passed:
        return square
    return check_function(
        "4.3",
        hidden_delta,
        _cases(_GENERAL_SHAPES, _GENERAL_SEED),
        _DELTA_MISTAKES[1:],
        correct_message="your function computes delta^[l] = (W^[l+1]T delta^[l+1]) * sigma'(z^[l]) "
        "for every shape.",
        wrong_hint="it works for square W but not for rectangular ones: W^[l+1] has shape "
        "(n_(l+1), n_l), delta^[l+1] has n_(l+1) entries and z^[l] has n_l.",
    )
