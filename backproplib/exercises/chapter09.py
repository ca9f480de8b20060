"""Checks for the exercises of chapter 9 (initialisation and the flow of gradients through depth)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..depth import gradient_cost
from . import Feedback, Mistake, calls_function, check_function, check_value

#: Exercise 9.4: the network of chapter 7, one sample.
COST_LAYER_SIZES = (64, 32, 10)


def check_9_1(distinct_rows: Any) -> Feedback:
    """Exercise 9.1: how many different rows ``W^[1]`` has after training from equal weights."""
    mistakes = [
        Mistake(3, "3 is the number of hidden nodes, but their rows of W^[1] are still equal.",
                "the nodes started equal and got equal gradients at every step; count the rows "
                "that differ, e.g. with np.unique(np.round(W1, 12), axis=0)."),
        Mistake(0, "there is always at least one row.",
                "count the different rows of W^[1], not the rows that changed."),
    ]
    return check_value(
        "9.1", distinct_rows, 1, mistakes=mistakes,
        correct_message="one distinct row: the three hidden nodes are still copies of each "
        "other, and the layer works like a single node.",
        wrong_hint="print W^[1] after training and compare its rows.",
    )


def check_9_2(gain: Any) -> Feedback:
    """Exercise 9.2: the gain that keeps the size of a deep ReLU network's errors steady."""
    mistakes = [
        Mistake(1.0, "gain 1 keeps the variance steady for a layer without a kink, but ReLU "
                "sets about half of its slopes to 0, so the errors shrink layer by layer.",
                "each backward step multiplies the variance by gain^2 times the fraction of "
                "slopes that are 1."),
        Mistake(2.0, "2 is the factor for the variance; the gain multiplies the standard "
                "deviation of the weights.",
                "the variance of a weight is gain^2 / n; which gain makes gain^2 / 2 = 1?"),
        Mistake(0.5, "gain 0.5 makes the errors vanish quickly.",
                "half the slopes are 0; the weights must be larger to make up for it."),
    ]
    return check_value(
        "9.2", gain, np.sqrt(2.0), mistakes=mistakes,
        correct_message="gain sqrt(2): the weights' variance 2/n makes up for the half of the "
        "slopes ReLU sets to 0 (He initialisation).",
        wrong_hint="try the gains of the chapter's figure; which one keeps the curve flat?",
        rtol=1e-3,
    )


def _send_back_cases() -> list[tuple[tuple[np.ndarray, np.ndarray], np.ndarray]]:
    rng = np.random.default_rng(91)
    cases = []
    for shape in ((3, 5), (4, 2), (3, 3)):
        weight = rng.normal(size=shape)
        error = rng.normal(size=shape[0])
        cases.append(((weight, error), weight.T @ error))
    return cases


def _send_back_inputs() -> list[tuple[np.ndarray, np.ndarray]]:
    """The ``(W, v)`` pairs exercise 9.3's function is called on."""
    return [arguments for arguments, _ in _send_back_cases()]


@calls_function("send_back", _send_back_inputs)
def check_9_3(send_back: Any) -> Feedback:
    """Exercise 9.3: a function ``(W, v) -> W^T v`` for a column ``v`` of layer ``l``."""
    cases = _send_back_cases()
    safe_cases = [((weight.copy(), error.copy()), expected)
                  for (weight, error), expected in cases]
    mistakes = [
        (lambda weight, error: np.linalg.pinv(weight) @ error,
         "your function undoes the layer (a (pseudo-)inverse of W); backpropagation runs the "
         "connections backwards instead.",
         "each node k of layer l-1 collects sum_j w_jk v_j over the nodes j it feeds: that is "
         "W^T v, not W^{-1} v."),
    ]
    return check_function(
        "9.3", send_back, safe_cases, mistakes=mistakes,
        correct_message="W^T v: every connection w_jk carries v_j back from node j to node k.",
        wrong_hint="the result has one entry per column of W (per node of layer l-1).",
    )


def check_9_4(ratio: Any) -> Feedback:
    """Exercise 9.4: multiply-adds of centred differences over those of backpropagation."""
    cost = gradient_cost(COST_LAYER_SIZES)
    weights_only = cost.parameters - sum(COST_LAYER_SIZES[1:])
    mistakes = [
        Mistake(cost.finite_differences / 2 / cost.backpropagation,
                "that counts one forward pass per parameter (one-sided differences).",
                "centred differences move each parameter by +h and by -h: two passes each."),
        Mistake(2 * weights_only * cost.forward / cost.backpropagation,
                "the biases are missing from the number of parameters.",
                "each bias needs its own two forward passes as well."),
        Mistake(cost.finite_differences / cost.forward,
                "the backward pass is missing from backpropagation's cost.",
                "backpropagation is one forward pass plus one backward pass."),
        Mistake(cost.finite_differences / (2 * cost.forward),
                "the backward pass was counted as one forward pass.",
                "the backward pass has the products Delta^T A of every layer and Delta W of every "
                "layer but the first."),
    ]
    return check_value(
        "9.4", ratio, cost.ratio, mistakes=mistakes,
        correct_message="finite differences need about two thousand times the multiply-adds "
        "of backpropagation for this network.",
        wrong_hint="F = sum n_l n_(l-1); backward = F + the products of layers 2..L; "
        "finite differences = 2 P F.",
        rtol=1e-4,
    )
