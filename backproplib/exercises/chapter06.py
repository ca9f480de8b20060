"""Checks for the exercises of chapter 6 (matrix form: Jacobians, outer products, conventions)."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ..running_example import running_example
from . import (
    CORRECT,
    MISTAKE,
    NOT_DONE,
    Feedback,
    Mistake,
    calls_function,
    check_function,
    check_value,
    is_missing,
)

#: Exercise 6.1: a layer with 5 inputs and 3 nodes.
SHAPE_INPUTS = 5
SHAPE_NODES = 3

#: Exercise 6.4: the network and the batch size whose backward pass is counted.
COUNT_LAYER_SIZES = (784, 128, 10)
COUNT_BATCH_SIZE = 64


# --------------------------------------------------------------------------------------------
# Exercise 6.1: the shape of each Jacobian of one layer


def _as_shape(value: Any) -> tuple[int, ...] | None:
    try:
        return tuple(int(n) for n in value)
    except (TypeError, ValueError):
        return None


def check_6_1(
    dz_da_prev_shape: Any, da_dz_shape: Any, dz_dW_shape: Any, dC0_dW_shape: Any
) -> Feedback:
    """Exercise 6.1: shapes of the Jacobians of a layer with 5 inputs and 3 nodes (one sample)."""
    answers = (dz_da_prev_shape, da_dz_shape, dz_dW_shape, dC0_dW_shape)
    if any(is_missing(answer) for answer in answers):
        return Feedback("6.1", NOT_DONE,
                        "replace all four ... with shapes (tuples) and run the cell.")
    shapes = [_as_shape(answer) for answer in answers]
    if any(shape is None for shape in shapes):
        return Feedback("6.1", MISTAKE,
                        "give each shape as a tuple of whole numbers, such as (2, 7).")
    n, n_prev = SHAPE_NODES, SHAPE_INPUTS
    dz_da_prev, da_dz, dz_dW, dC0_dW = shapes
    if dz_da_prev == (n_prev, n):
        return Feedback("6.1", MISTAKE, "dz/da_prev is transposed.",
                        "a Jacobian has one row per output (z_j, 3 of them) and one column per "
                        "input (a_prev,k, 5 of them): it is W itself.")
    if dz_da_prev != (n, n_prev):
        return Feedback("6.1", MISTAKE, "the shape of dz/da_prev is not right.",
                        "dz_j/da_prev,k = w_jk: which matrix is that?")
    if da_dz == (n,):
        return Feedback("6.1", MISTAKE, "(3,) is the shape of the vector g'(z), not of the "
                        "Jacobian da/dz.",
                        "the Jacobian holds da_j/dz_k for every pair (j, k): the diagonal matrix "
                        "diag(g'(z)).")
    if da_dz != (n, n):
        return Feedback("6.1", MISTAKE, "the shape of da/dz is not right.",
                        "a has 3 entries and z has 3 entries.")
    if dz_dW == (n, n_prev):
        return Feedback("6.1", MISTAKE, "(3, 5) is the shape of W, but dz/dW must say how EACH "
                        "of the 3 entries of z changes with each of the 15 weights.",
                        "one index for z_j, then the two indices of w_pq.")
    if dz_dW is not None and sorted(dz_dW) == sorted((n, n, n_prev)) and dz_dW != (n, n, n_prev):
        return Feedback("6.1", MISTAKE, "dz/dW has the right numbers in the wrong order.",
                        "this book puts the index of what is differentiated (z_j) first, then the "
                        "indices of W (p, q) in W's own order.")
    if dz_dW != (n, n, n_prev):
        return Feedback("6.1", MISTAKE, "the shape of dz/dW is not right.",
                        "one index for z_j, then the two indices of w_pq.")
    if dC0_dW == (n_prev, n):
        return Feedback("6.1", MISTAKE, "dC0/dW is transposed: that is the outer product in the "
                        "wrong order, a_prev delta^T.",
                        "the gradient of a number with respect to W has the shape of W: "
                        "delta a_prev^T.")
    if dC0_dW == (n, n, n_prev):
        return Feedback("6.1", MISTAKE, "dC0/dW is not 3-D: C0 is a single number, so the chain "
                        "rule sums over the index j of z_j.",
                        "sum_j dC0/dz_j dz_j/dw_pq leaves the two indices p, q.")
    if dC0_dW != (n, n_prev):
        return Feedback("6.1", MISTAKE, "the shape of dC0/dW is not right.",
                        "the derivative of one number with respect to each entry of W.")
    return Feedback("6.1", CORRECT, "W (3, 5), diag(g'(z)) (3, 3), a 3-D (3, 3, 5) array, and a "
                    "gradient shaped like W (3, 5).")


# --------------------------------------------------------------------------------------------
# Exercise 6.2: one backward step with samples as rows


def _tanh_prime(z: np.ndarray) -> np.ndarray:
    return 1.0 - np.tanh(z) ** 2


def _right_step(W_next: np.ndarray, Delta_next: np.ndarray, Z: np.ndarray) -> np.ndarray:
    return (Delta_next @ W_next) * _tanh_prime(Z)


def _step_cases(
    shapes: list[tuple[int, int, int]], seed: int
) -> list[tuple[tuple[np.ndarray, ...], np.ndarray]]:
    rng = np.random.default_rng(seed)
    cases = []
    for m, n_next, n in shapes:
        W_next = rng.normal(size=(n_next, n))
        Delta_next = rng.normal(size=(m, n_next))
        Z = rng.normal(size=(m, n))
        cases.append(((W_next, Delta_next, Z), _right_step(W_next, Delta_next, Z)))
    return cases


#: Square cases (m = n_{l+1} = n_l), where the classic mistakes can be computed and named.
_SQUARE_STEP_SHAPES = [(3, 3, 3), (4, 4, 4)]
#: General cases, where only the right formula gives the right shape and values.
_GENERAL_STEP_SHAPES = [(5, 2, 4), (1, 3, 2), (6, 4, 3)]

_STEP_MISTAKES: list[tuple[Callable[..., np.ndarray], str, str]] = [
    (lambda W, D, Z: (D @ W.T) * _tanh_prime(Z),
     "W is transposed: with samples as rows the step is Delta_next @ W, without a transpose.",
     "the column formula W^T delta_next becomes, transposed for rows, delta_next^T W."),
    (lambda W, D, Z: (W.T @ D) * _tanh_prime(Z),
     "this is the column formula W^T delta written literally on the row matrices: W_next.T @ "
     "Delta_next only fits when every matrix is square, and mixes samples with nodes.",
     "with samples as rows, transpose the column formula: delta^T W, i.e. Delta_next @ W_next."),
    (lambda W, D, Z: (D @ W) * (1.0 - Z ** 2),
     "the slope is 1 - Z**2: tanh'(z) is 1 - tanh(z)**2, not 1 - z**2.",
     "use 1 - np.tanh(Z)**2 (or 1 - A**2 with the activations A = tanh(Z))."),
    (lambda W, D, Z: (D @ W) * _tanh_prime(np.tanh(Z)),
     "the slope is evaluated at the activation a = tanh(z) instead of at z.",
     "use g'(Z) = 1 - tanh(Z)**2 with the weighted input Z itself."),
    (lambda W, D, Z: D @ W,
     "the slope g'(z) is missing: Delta_next @ W is dC/da of this layer, not dC/dz.",
     "one more factor: da/dz = diag(g'(z)), i.e. an element-wise product with g'(Z)."),
    (lambda W, D, Z: (D @ W) @ _tanh_prime(Z),
     "a matrix product where the element-wise product belongs: (Delta_next @ W) @ g'(Z) mixes "
     "the samples.",
     "diag(g'(z)) times a vector is the element-wise product; for rows use * g'(Z)."),
    (lambda W, D, Z: (D @ W) * _tanh_prime(Z) / D.shape[0],
     "the errors are divided by m: the 1/m belongs to dJ/dW and dJ/db, not to the deltas.",
     "each row of Delta is one sample's own delta^(i); the mean comes later, once."),
]


def _step_inputs() -> list[tuple[np.ndarray, ...]]:
    """Every ``(W_next, Delta_next, Z)`` exercise 6.2's function is called on."""
    return [arguments for shapes, seed in ((_SQUARE_STEP_SHAPES, 602), (_GENERAL_STEP_SHAPES, 603))
            for arguments, _ in _step_cases(shapes, seed)]


@calls_function("backward_step_rows", _step_inputs)
def check_6_2(backward_step_rows: Any) -> Feedback:
    """Exercise 6.2: a function ``(W_next, Delta_next, Z) -> Delta`` (tanh layer, rows)."""
    hint = ("Delta_next has shape (m, n_(l+1)), W_next (n_(l+1), n_l), Z (m, n_l); the result has "
            "the shape of Z.")
    square = check_function("6.2", backward_step_rows, _step_cases(_SQUARE_STEP_SHAPES, 602),
                            mistakes=_STEP_MISTAKES, wrong_hint=hint)
    if not square.passed:
        return square
    general = check_function("6.2", backward_step_rows, _step_cases(_GENERAL_STEP_SHAPES, 603),
                             wrong_hint=hint)
    if not general.passed:
        return Feedback("6.2", MISTAKE, "your function is right when every matrix is square, but "
                        "not for other shapes.", hint)
    return Feedback("6.2", CORRECT, "Delta = (Delta_next @ W_next) * g'(Z): the column formula "
                    "(W^T delta) * g'(z), transposed row by row.")


# --------------------------------------------------------------------------------------------
# Exercise 6.3: the weight gradient with samples as columns


def exercise_6_3_data() -> tuple[np.ndarray, np.ndarray]:
    """The running example's batch in the column layout: ``(Delta2_columns, A1_columns)``.

    ``Delta2_columns`` (shape ``(2, 4)``) holds :math:`\\delta^{[2](i)}` in column ``i`` (before
    any :math:`1/m`); ``A1_columns`` (shape ``(4, 4)``) holds :math:`a^{[1](i)}` in column ``i``.
    """
    example = running_example()
    _, grads = example.network.cost_and_gradients(example.X, example.Y, example.loss)
    forward = example.network.forward(example.X)
    return grads.deltas[1].T.copy(), forward.activations[1].T.copy()


def check_6_3(dJ_dW2: Any) -> Feedback:
    """Exercise 6.3: dJ/dW^[2] from ``Delta2_columns`` and ``A1_columns`` (samples as columns)."""
    Delta, A_prev = exercise_6_3_data()
    m = Delta.shape[1]
    expected = Delta @ A_prev.T / m
    mistakes = [
        Mistake(A_prev @ Delta.T / m,
                "this is the outer product in the wrong order, a_prev delta^T: the transpose of "
                "the gradient.",
                "dJ/dW^[2] has the shape of W^[2], (2, 4): delta on the left, a^T on the right."),
        Mistake(Delta @ A_prev / m,
                "the transpose of A1 is missing: A1 is square here, so Delta2 @ A1 has the right "
                "shape (2, 4), but it multiplies the errors with the wrong numbers.",
                "the gradient is the sum over samples of delta^(i) a^(i)T: Delta2 @ A1.T / m. "
                "A right shape does not prove a right formula (the trap of chapter 6)."),
        Mistake(Delta @ A_prev.T,
                "this is the sum of the per-sample gradients: the 1/m is missing.",
                "J is the mean loss; divide by m = 4 once."),
        Mistake(A_prev @ Delta.T,
                "this is the transpose of the gradient, and the 1/m is missing too.",
                "delta a^T (shape (2, 4)), then divide by m."),
        Mistake(Delta[:, :1] @ A_prev[:, :1].T,
                "this is the gradient of the first sample only (its outer product).",
                "Delta @ A1.T sums the outer products of all four columns; then divide by m."),
        Mistake(Delta.mean(axis=1, keepdims=True) @ A_prev.mean(axis=1, keepdims=True).T,
                "Delta and A1 were averaged over the samples before multiplying.",
                "the mean of products is not the product of means: multiply sample by sample, "
                "then divide by m."),
    ]
    return check_value(
        "6.3", dJ_dW2, expected, mistakes=mistakes,
        correct_message="with samples as columns, dJ/dW = (1/m) Delta A_prev^T: the sum over the "
        "columns of delta^(i) a^(i)T, divided by m.",
        wrong_hint="column i of Delta2_columns is delta^(i) and column i of A1_columns is a^(i); "
        "sum the outer products delta^(i) a^(i)T over i with one matrix product.",
    )


# --------------------------------------------------------------------------------------------
# Exercise 6.4: counting the multiply-adds of the backward pass


def check_6_4(backward_multiply_adds: Any) -> Feedback:
    """Exercise 6.4: multiply-adds of the backward pass of a 784-128-10 network, batch of 64."""
    sizes, m = COUNT_LAYER_SIZES, COUNT_BATCH_SIZE
    products = [n_prev * n_next for n_prev, n_next in zip(sizes[:-1], sizes[1:])]
    errors = m * sum(products[1:])
    weight_gradients = m * sum(products)
    expected = errors + weight_gradients
    forward = m * sum(products)
    mistakes = [
        Mistake(expected + m * products[0],
                "you also carried the errors back to the input layer (Delta^[1] W^[1]).",
                "backpropagation stops at layer 1: nothing needs dC/dx to update the weights."),
        Mistake(expected // m,
                "this is the count for one sample: the batch size is missing.",
                "every product is done once per sample, m = 64 times."),
        Mistake(weight_gradients,
                "this counts only the weight gradients Delta^T A_prev (as many multiply-adds as "
                "the forward pass A W^T).",
                "the errors must also be carried back, Delta^[2] W^[2], before Delta^[1] exists."),
        Mistake(errors,
                "this counts only the step that carries the errors back.",
                "add the weight gradients Delta^[l]T A^[l-1] of both layers."),
        Mistake(forward + expected,
                "this is the forward and the backward pass together.",
                "the question asks for the backward pass alone."),
    ]
    return check_value(
        "6.4", backward_multiply_adds, expected, mistakes=mistakes,
        correct_message=f"{expected:,d} multiply-adds, {expected / forward:.2f} times the forward "
        f"pass's {forward:,d}: Delta^[2] W^[2] ({errors:,d}) plus Delta^[l]T A^[l-1] for l = 1, 2 "
        f"({weight_gradients:,d}). The largest product, Delta^[1] W^[1] back to the "
        f"{sizes[0]} inputs, is never needed, so here the backward pass costs barely more than "
        "the forward pass (B <= 2F always).",
        wrong_hint="a product of an (m, n) and an (n, p) matrix takes m n p multiply-adds.",
    )
