"""The checks of chapter 6's exercises: the solution passes, each named mistake is recognised."""

from __future__ import annotations

import numpy as np
import pytest

from backproplib.exercises import chapter06
from backproplib.running_example import running_example

from .reference import REFERENCE_ACTIVATIONS


# ---------------------------------------------------------------------------------------------
# 6.1: shapes (a layer with 5 inputs and 3 nodes)

RIGHT_SHAPES = ((3, 5), (3, 3), (3, 3, 5), (3, 5))


def test_6_1_solution_passes_and_placeholders_are_not_done():
    assert chapter06.check_6_1(*RIGHT_SHAPES).passed
    assert chapter06.check_6_1(..., (3, 3), (3, 3, 5), (3, 5)).status == "not yet done"
    assert "as a tuple of whole numbers" in chapter06.check_6_1(3, (3, 3), (3, 3, 5), (3, 5)).message


@pytest.mark.parametrize(
    "position, answer, message",
    [
        (0, (5, 3), "dz/da_prev is transposed"),
        (0, (3, 3), "the shape of dz/da_prev is not right"),
        (1, (3,), "(3,) is the shape of the vector g'(z)"),
        (1, (5, 5), "the shape of da/dz is not right"),
        (2, (3, 5), "(3, 5) is the shape of W"),
        (2, (5, 3, 3), "dz/dW has the right numbers in the wrong order"),
        (2, (3, 15), "the shape of dz/dW is not right"),
        (3, (5, 3), "dC0/dW is transposed: that is the outer product in the wrong order"),
        (3, (3, 3, 5), "dC0/dW is not 3-D"),
        (3, (15,), "the shape of dC0/dW is not right"),
    ],
)
def test_6_1_mistakes_are_named(position, answer, message):
    answers = list(RIGHT_SHAPES)
    answers[position] = answer
    feedback = chapter06.check_6_1(*answers)
    assert feedback.status == "not yet right"
    assert message in feedback.message
    assert feedback.hint


# ---------------------------------------------------------------------------------------------
# 6.2: one backward step with samples as rows (tanh layer)


def solution_6_2(W_next, Delta_next, Z):
    """Row i: (W_next^T delta_next^(i)) * tanh'(z^(i)), one sample at a time."""
    tanh_prime = 1.0 / np.cosh(Z) ** 2
    return np.array([(W_next.T @ Delta_next[i]) * tanh_prime[i] for i in range(Z.shape[0])])


def tanh_prime(z):
    return 1.0 / np.cosh(z) ** 2


def test_6_2_solution_passes_and_placeholder_is_not_done():
    assert chapter06.check_6_2(solution_6_2).passed
    assert chapter06.check_6_2(...).status == "not yet done"


@pytest.mark.parametrize(
    "wrong, message",
    [
        (lambda W, D, Z: (D @ W.T) * tanh_prime(Z), "W is transposed"),
        (lambda W, D, Z: (D @ W) * tanh_prime(np.tanh(Z)),
         "the slope is evaluated at the activation a = tanh(z)"),
        (lambda W, D, Z: D @ W, "the slope g'(z) is missing"),
        (lambda W, D, Z: (D @ W) @ tanh_prime(Z),
         "a matrix product where the element-wise product belongs"),
        (lambda W, D, Z: (D @ W) * tanh_prime(Z) / len(D),
         "the errors are divided by m: the 1/m belongs to dJ/dW"),
        (lambda W, D, Z: (W.T @ D) * tanh_prime(Z), "the column formula W^T delta written literally"),
        (lambda W, D, Z: (D @ W) * (1 - Z ** 2), "the slope is 1 - Z**2"),
    ],
    ids=["transposed-W", "g-prime-of-a", "no-slope", "matrix-product", "one-over-m",
         "literal-column-formula", "one-minus-z-squared"],
)
def test_6_2_mistakes_are_named(wrong, message):
    feedback = chapter06.check_6_2(wrong)
    assert feedback.status == "not yet right" and message in feedback.message
    assert feedback.hint


def test_6_2_right_only_for_square_matrices():
    def square_only(W, D, Z):
        if W.shape[0] == W.shape[1] == D.shape[0]:
            return (D @ W) * tanh_prime(Z)
        return np.zeros_like(Z)

    feedback = chapter06.check_6_2(square_only)
    assert "right when every matrix is square, but not for other shapes" in feedback.message


def test_6_2_unrecognised_and_crashing_functions():
    assert "wrong values" in chapter06.check_6_2(lambda W, D, Z: Z).message
    crashing = chapter06.check_6_2(lambda W, D, Z: W @ np.ones(7))
    assert crashing.status == "not yet right" and "raised ValueError" in crashing.message


# ---------------------------------------------------------------------------------------------
# 6.3: the weight gradient with samples as columns


def solution_6_3():
    """(1/m) sum_i delta^(i) a^(i)T from the running example, computed with autograd-free math."""
    example = running_example()
    W1, W2 = example.network.weights
    b1, b2 = example.network.biases
    sigmoid = REFERENCE_ACTIVATIONS["sigmoid"]
    total = np.zeros((2, 4))
    for x, y in zip(example.X, example.Y):
        a1 = sigmoid(W1 @ x + b1)
        a2 = sigmoid(W2 @ a1 + b2)
        delta = 2 * (a2 - y) * a2 * (1 - a2)
        total += np.outer(delta, a1)
    return total / 4


def test_6_3_data_and_solution():
    Delta, A1 = chapter06.exercise_6_3_data()
    assert Delta.shape == (2, 4) and A1.shape == (4, 4)
    assert chapter06.check_6_3(solution_6_3()).passed
    assert chapter06.check_6_3(Delta @ A1.T / 4).passed
    assert chapter06.check_6_3(...).status == "not yet done"


@pytest.mark.parametrize(
    "make_wrong, message",
    [
        (lambda D, A: A @ D.T / 4, "the outer product in the wrong order, a_prev delta^T"),
        (lambda D, A: D @ A.T, "the 1/m is missing"),
        (lambda D, A: A @ D.T, "the transpose of the gradient, and the 1/m is missing too"),
        (lambda D, A: np.outer(D[:, 0], A[:, 0]), "the gradient of the first sample only"),
        (lambda D, A: np.outer(D.mean(axis=1), A.mean(axis=1)),
         "averaged over the samples before multiplying"),
        (lambda D, A: D @ A / 4, "the transpose of A1 is missing: A1 is square here"),
        (lambda D, A: D @ A.T / 5, "the value is not right"),
    ],
    ids=["wrong-order", "no-1/m", "wrong-order-no-1/m", "first-sample", "averaged-first",
         "forgotten-transpose-square-A1", "unrecognised"],
)
def test_6_3_mistakes_are_named(make_wrong, message):
    Delta, A1 = chapter06.exercise_6_3_data()
    feedback = chapter06.check_6_3(make_wrong(Delta, A1))
    assert feedback.status == "not yet right" and message in feedback.message


# ---------------------------------------------------------------------------------------------
# 6.4: multiply-adds of the backward pass of 784-128-10 for m = 64

# by hand: errors carried back 64 * 10 * 128 = 81,920; weight gradients 64 * (128 * 784 + 10 * 128)
# = 64 * 101,632 = 6,504,448; together 6,586,368
BACKWARD = 6_586_368


def test_6_4_solution():
    assert chapter06.check_6_4(BACKWARD).passed
    assert chapter06.check_6_4(...).status == "not yet done"


@pytest.mark.parametrize(
    "answer, message",
    [
        (BACKWARD + 64 * 128 * 784, "carried the errors back to the input layer"),
        (BACKWARD // 64, "the count for one sample"),
        (64 * (128 * 784 + 10 * 128), "only the weight gradients"),
        (81_920, "only the step that carries the errors back"),
        (64 * (100_352 + 1_280) + BACKWARD, "the forward and the backward pass together"),
        (1234, "the value is not right"),
    ],
)
def test_6_4_mistakes_are_named(answer, message):
    feedback = chapter06.check_6_4(answer)
    assert feedback.status == "not yet right" and message in feedback.message
