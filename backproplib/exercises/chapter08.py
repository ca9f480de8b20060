"""Checks for the exercises of chapter 8 (backpropagation is reverse-mode autodiff).

Each check computes the right answer from the adjoint rules of :mod:`backproplib.autodiff`'s
operations, written out here with numpy, and the classic wrong answers next to it: the factors of
a product swapped, a matrix adjoint transposed the wrong way, a bias adjoint not summed over the
samples, a node used twice whose adjoints are not added up, forward and reverse counts swapped.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import CORRECT, MISTAKE, NOT_DONE, Feedback, Mistake, check_value, is_missing

# Exercise 8.1: v = u * w with these numbers and this adjoint
_U, _W, _V_BAR = 1.5, -0.4, 2.0


def check_8_1(u_bar: Any, w_bar: Any) -> Feedback:
    """Exercise 8.1: the adjoints of the factors of :math:`v = u w`.

    .. math:: \\bar u = \\bar v\\, w, \\qquad \\bar w = \\bar v\\, u
    """
    if is_missing(u_bar) or is_missing(w_bar):
        return Feedback("8.1", NOT_DONE, "replace both ... with your answers and run the cell.")
    right = (_V_BAR * _W, _V_BAR * _U)
    mistakes = {
        (_V_BAR * _U, _V_BAR * _W): (
            "the two adjoints are swapped: u_bar holds u and w_bar holds w.",
            "dv/du = w, so u_bar = v_bar * w: each factor's adjoint holds the OTHER factor."),
        (_W, _U): (
            "those are the local derivatives dv/du and dv/dw, without the adjoint v_bar.",
            "the reverse rule is u_bar = v_bar * dv/du: multiply by v_bar."),
        (_U, _W): (
            "those are u and w themselves, swapped derivatives and without v_bar.",
            "u_bar = v_bar * dv/du, and dv/du = w."),
        (_V_BAR * _U * _W, _V_BAR * _U * _W): (
            "both adjoints are v_bar * v, the adjoint times the node's value.",
            "the local derivative of v = u w with respect to u is w, not u w."),
    }
    given = (u_bar, w_bar)
    try:
        answer = tuple(float(value) for value in given)
    except (TypeError, ValueError):
        return Feedback("8.1", MISTAKE, "u_bar and w_bar must be numbers.")
    if np.allclose(answer, right, rtol=1e-9, atol=1e-12):
        return Feedback("8.1", CORRECT, "each factor's adjoint is v_bar times the other factor.")
    for value, (message, hint) in mistakes.items():
        if np.allclose(answer, value, rtol=1e-9, atol=1e-12):
            return Feedback("8.1", MISTAKE, message, hint)
    if np.isclose(answer[0], right[0]):
        return Feedback("8.1", MISTAKE, "u_bar is right, w_bar is not.",
                        "w_bar = v_bar * dv/dw, and dv/dw = u.")
    if np.isclose(answer[1], right[1]):
        return Feedback("8.1", MISTAKE, "w_bar is right, u_bar is not.",
                        "u_bar = v_bar * dv/du, and dv/du = w.")
    return Feedback("8.1", MISTAKE, "neither adjoint is right.",
                    "use u_bar = v_bar * dv/du and w_bar = v_bar * dv/dw for v = u w.")


def exercise_8_2_data() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(A, W, b, Z_bar)`` of exercise 8.2: a batch of 3 samples, a square 2 x 2 layer."""
    A = np.array([[0.5, -1.0], [1.5, 0.2], [-0.3, 0.8]])
    W = np.array([[0.4, -0.7], [0.9, 0.1]])
    b = np.array([0.1, -0.2])
    Z_bar = np.array([[0.2, -0.1], [-0.3, 0.4], [0.05, 0.25]])
    return A, W, b, Z_bar


def check_8_2(W_bar: Any, A_bar: Any, b_bar: Any) -> Feedback:
    """Exercise 8.2: the adjoints of :math:`Z = A W^\\top + b` for a batch of rows.

    .. math:: \\bar W = \\bar Z^\\top A = \\sum_i \\bar z^{(i)} a^{(i)\\top}, \\qquad
              \\bar A = \\bar Z W, \\qquad \\bar b = \\sum_i \\bar z^{(i)}
    """
    if is_missing(W_bar) or is_missing(A_bar) or is_missing(b_bar):
        return Feedback("8.2", NOT_DONE, "replace the three ... with your answers and run the cell.")
    A, W, _, Z_bar = exercise_8_2_data()
    m = A.shape[0]
    parts = [
        ("W_bar", W_bar, Z_bar.T @ A, [
            Mistake(A.T @ Z_bar,
                    "W_bar is transposed: A^T Z_bar has entry (k, j) where W has entry (j, k).",
                    "entry (j, k) of W_bar is sum_i z_bar_j^(i) a_k^(i): that is Z_bar^T A."),
            Mistake(Z_bar.T @ A / m,
                    "W_bar is divided by m: the 1/m of the mean is already inside Z_bar.",
                    "W is used once per sample, so its adjoint ADDS the samples' outer products."),
            Mistake(np.outer(Z_bar[0], A[0]),
                    "W_bar holds only the first sample's outer product.",
                    "W is used by every sample: add the outer products of all rows."),
        ], "W_bar = Z_bar^T A, the sum over samples of the outer products z_bar^(i) a^(i)T."),
        ("A_bar", A_bar, Z_bar @ W, [
            Mistake(Z_bar @ W.T,
                    "A_bar uses W^T where W belongs (for rows, Z = A W^T, so A_bar = Z_bar W).",
                    "for one sample a_bar = W^T z_bar; as a row that is z_bar^T W."),
        ], "A_bar = Z_bar W: row i is the transpose of W^T z_bar^(i)."),
        ("b_bar", b_bar, Z_bar.sum(axis=0), [
            Mistake(Z_bar,
                    "b_bar has one row per sample: it is not summed over the broadcast axis.",
                    "b is added to every row, so its adjoint adds up the rows of Z_bar."),
            Mistake(Z_bar.mean(axis=0),
                    "b_bar is averaged over the samples; the 1/m is already inside Z_bar.",
                    "b is used once per sample: SUM the rows of Z_bar."),
            Mistake(Z_bar.sum(axis=1),
                    "b_bar is summed over the wrong axis (over the nodes instead of the samples).",
                    "b has one entry per node: sum Z_bar over axis 0, the samples."),
        ], "b_bar adds up the rows of Z_bar."),
    ]
    for name, answer, expected, mistakes, hint in parts:
        feedback = check_value("8.2", answer, expected, mistakes, wrong_hint=hint, rtol=1e-9)
        if not feedback.passed:
            return Feedback("8.2", feedback.status, f"{name}: {feedback.message}", feedback.hint)
    return Feedback("8.2", CORRECT, "W_bar is a sum of outer products, A_bar = Z_bar W, and the "
                    "bias adds up the rows.")


_X = 0.5


def check_8_3(x_bar: Any) -> Feedback:
    """Exercise 8.3: :math:`\\bar x` for :math:`u = \\sigma(x)`, :math:`v = u x`, :math:`C = v + u`.

    .. math:: \\bar v = 1, \\quad \\bar u = 1 + \\bar v x, \\quad
              \\bar x = \\bar v u + \\bar u\\, \\sigma'(x)
    """
    u = 1.0 / (1.0 + np.exp(-_X))
    slope = u * (1.0 - u)
    slope_at_u = (1.0 / (1.0 + np.exp(-u))) * (1.0 - 1.0 / (1.0 + np.exp(-u)))
    right = u + (1.0 + _X) * slope
    not_added = "a node used twice receives one adjoint from each use, and they are ADDED."
    mistakes = [
        Mistake(u + slope,
                "u_bar holds only the contribution of C = v + u (1), not the one through v = u x.",
                not_added),
        Mistake(u + _X * slope,
                "u_bar holds only the contribution through v = u x, not the one of C = v + u.",
                not_added),
        Mistake((1.0 + _X) * slope,
                "x_bar holds only the path through u = sigma(x), not the one through v = u x.",
                not_added),
        Mistake(u,
                "x_bar holds only the path through v = u x, not the one through u = sigma(x).",
                not_added),
        Mistake(u + (1.0 + _X) * slope_at_u,
                "the slope is sigma'(u), the derivative evaluated at the output of the sigmoid.",
                "the local derivative of u = sigma(x) is sigma'(x), evaluated at its input x."),
    ]
    return check_value("8.3", x_bar, right, mistakes,
                       correct_message="both uses of u and both uses of x are added up.",
                       wrong_hint="go backwards from C_bar = 1: first v_bar, then u_bar (two "
                       "uses), then x_bar (two uses).", rtol=1e-9)


_SIZES = [1, 50, 200, 200, 10_000]


def _count(sizes: list[int], mode: str, per_product: str = "pqr") -> int:
    shapes = list(zip(sizes[:-1], sizes[1:]))
    total = 0
    if mode == "reverse":
        rows = shapes[0][0]
        for inner, columns in shapes[1:]:
            total += rows * inner * columns if per_product == "pqr" else rows * columns
    else:
        columns = shapes[-1][1]
        for rows, inner in shapes[:-1]:
            total += rows * inner * columns if per_product == "pqr" else rows * columns
    return total


def check_8_4(forward_count: Any, reverse_count: Any) -> Feedback:
    """Exercise 8.4: multiplications of the Jacobian chain ``1x50, 50x200, 200x200, 200x10000``.

    A ``(p, q)`` by ``(q, r)`` product costs ``pqr``; forward mode goes right to left, reverse
    mode left to right.
    """
    if is_missing(forward_count) or is_missing(reverse_count):
        return Feedback("8.4", NOT_DONE, "replace both ... with your answers and run the cell.")
    forward, reverse = _count(_SIZES, "forward"), _count(_SIZES, "reverse")
    try:
        given = (float(forward_count), float(reverse_count))
    except (TypeError, ValueError):
        return Feedback("8.4", MISTAKE, "forward_count and reverse_count must be numbers.")
    if given == (forward, reverse):
        return Feedback("8.4", CORRECT, f"reverse mode needs {forward / reverse:.0f} times fewer "
                        "multiplications here.")
    if given == (reverse, forward):
        return Feedback("8.4", MISTAKE, "the two counts are swapped.",
                        "forward mode starts from the input side (the 200 x 10000 Jacobian), "
                        "so every product it forms has 10000 columns.")
    if given == (_count(_SIZES, "forward", "pr"), _count(_SIZES, "reverse", "pr")):
        return Feedback("8.4", MISTAKE, "those are the sizes of the products (p r entries), not "
                        "the multiplications.",
                        "each of the p r entries of a (p, q) by (q, r) product is a sum of q "
                        "products: p q r in all.")
    hints = "a (p, q) by (q, r) product costs p q r; there are three products in either order."
    if given[0] != forward:
        return Feedback("8.4", MISTAKE, "forward_count is not right" +
                        (", reverse_count is." if given[1] == reverse else ", nor reverse_count."),
                        "right to left: first (200 x 200)(200 x 10000), then (50 x 200) times "
                        "that, then (1 x 50) times that. " + hints)
    return Feedback("8.4", MISTAKE, "forward_count is right, reverse_count is not.",
                    "left to right: first (1 x 50)(50 x 200), then that times (200 x 200), then "
                    "that times (200 x 10000). " + hints)
