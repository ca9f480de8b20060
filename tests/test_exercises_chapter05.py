"""Tests of the exercise checks of chapter 5: the solution passes, each named mistake is caught.

The right answers and the mistakes are computed here independently of backproplib: autograd for
the gradients, explicit per-sample formulas for the mistakes.
"""

from __future__ import annotations

import autograd.numpy as anp
import numpy as np
import pytest
from autograd import grad

from backproplib.exercises import chapter05
from backproplib.running_example import running_example


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def _example():
    example = running_example()
    return example.network, example.X, example.Y


def per_sample_losses(W2, X, Y):
    """L^(i) of the running example as a function of W^[2], in autograd.numpy."""
    network, _, _ = _example()
    (W1, _), (b1, b2) = network.weights, network.biases
    A1 = 0.5 * (anp.tanh(0.5 * (anp.dot(X, W1.T) + b1)) + 1.0)
    A2 = 0.5 * (anp.tanh(0.5 * (anp.dot(A1, W2.T) + b2)) + 1.0)
    return anp.sum((A2 - Y) ** 2, axis=1)


def right_dJ_dW2() -> np.ndarray:
    network, X, Y = _example()
    return grad(lambda W2: anp.mean(per_sample_losses(W2, X, Y)))(network.weights[1].copy())


def factors():
    """Per-sample error 2(a - y), slope g'(z^[2]) and hidden activation a^[1], with numpy."""
    network, X, Y = _example()
    A1 = sigmoid(X @ network.weights[0].T + network.biases[0])
    Z2 = A1 @ network.weights[1].T + network.biases[1]
    A2 = sigmoid(Z2)
    return 2 * (A2 - Y), A2 * (1 - A2), A1, A2


def mean_of_products(error, slope, hidden):
    """(1/m) sum_i (error_i * slope_i) outer hidden_i, by an explicit loop."""
    m = error.shape[0]
    return sum(np.outer(error[i] * slope[i], hidden[i]) for i in range(m)) / m


# ---------------------------------------------------------------------------------------------
# Exercise 5.1
# ---------------------------------------------------------------------------------------------


def test_5_1_solution_passes():
    feedback = chapter05.check_5_1(right_dJ_dW2())
    assert feedback.passed, feedback


def test_5_1_solution_of_the_notebook_passes():
    error, slope, A1, _ = factors()
    total = np.zeros((2, 4))
    for i in range(4):
        total += np.outer(error[i] * slope[i], A1[i])
    assert chapter05.check_5_1(total / 4).passed


def test_5_1_not_done():
    feedback = chapter05.check_5_1(...)
    assert feedback.status == "not yet done"


def test_5_1_catches_a_flipped_sign():
    feedback = chapter05.check_5_1(-right_dJ_dW2())
    assert not feedback.passed and "the sign is flipped" in feedback.message


def test_5_1_catches_missing_one_over_m():
    feedback = chapter05.check_5_1(4 * right_dJ_dW2())
    assert not feedback.passed
    assert "the 1/m is missing" in feedback.message


def test_5_1_catches_doubled_one_over_m():
    network, X, Y = _example()
    per_sample = [grad(lambda W2, i=i: per_sample_losses(W2, X[i:i + 1], Y[i:i + 1])[0])(
        network.weights[1].copy()) for i in range(4)]
    doubled = np.mean([gradient / 4 for gradient in per_sample], axis=0)
    feedback = chapter05.check_5_1(doubled)
    assert "the 1/m is applied twice" in feedback.message


def test_5_1_catches_averaging_g_prime_first():
    error, slope, A1, _ = factors()
    wrong = mean_of_products(error, np.tile(slope.mean(axis=0), (4, 1)), A1)
    feedback = chapter05.check_5_1(wrong)
    assert "g'(z) was averaged over the batch" in feedback.message


def test_5_1_catches_averaging_activations_first():
    error, slope, A1, _ = factors()
    wrong = mean_of_products(error, slope, np.tile(A1.mean(axis=0), (4, 1)))
    feedback = chapter05.check_5_1(wrong)
    assert "hidden activations a^[1] were averaged" in feedback.message


def test_5_1_catches_averaging_errors_first():
    error, slope, A1, _ = factors()
    wrong = mean_of_products(np.tile(error.mean(axis=0), (4, 1)), slope, A1)
    feedback = chapter05.check_5_1(wrong)
    assert "output errors 2(a - y) (or the outputs a) were averaged" in feedback.message


def test_5_1_catches_transposed():
    feedback = chapter05.check_5_1(right_dJ_dW2().T)
    assert "transposed" in feedback.message


def test_5_1_catches_dropped_factor_2():
    feedback = chapter05.check_5_1(right_dJ_dW2() / 2)
    assert "factor 2" in feedback.message


def test_5_1_catches_g_prime_of_a():
    error, _, A1, A2 = factors()
    slope_at_a = sigmoid(A2) * (1 - sigmoid(A2))
    feedback = chapter05.check_5_1(mean_of_products(error, slope_at_a, A1))
    assert "evaluated at a instead of at z" in feedback.message


def test_5_1_catches_first_sample_only():
    network, X, Y = _example()
    first = grad(lambda W2: per_sample_losses(W2, X[:1], Y[:1])[0])(network.weights[1].copy())
    feedback = chapter05.check_5_1(first)
    assert "first sample only" in feedback.message


def test_5_1_unknown_wrong_value_and_wrong_shape():
    feedback = chapter05.check_5_1(right_dJ_dW2() + 0.01)
    assert feedback.status == "not yet right"
    assert feedback.message == "the value is not right."
    assert "delta^(i)" in feedback.hint
    feedback = chapter05.check_5_1(np.zeros(8))
    assert "shape (8,), expected shape (2, 4)" in feedback.message


def test_5_1_feedback_never_prints_the_solution():
    expected = right_dJ_dW2()
    for answer in (4 * expected, expected + 1.0):
        text = str(chapter05.check_5_1(answer))
        assert f"{expected[0, 0]:.4f}" not in text and f"{expected[0, 0]:.3f}" not in text


# ---------------------------------------------------------------------------------------------
# Exercise 5.2
# ---------------------------------------------------------------------------------------------


def solution_5_2(Delta, A_prev):
    m = Delta.shape[0]
    return sum(np.outer(Delta[i], A_prev[i]) for i in range(m)) / m


def test_5_2_solution_passes():
    feedback = chapter05.check_5_2(solution_5_2)
    assert feedback.passed, feedback


def test_5_2_not_done_and_not_a_function():
    assert chapter05.check_5_2(...).status == "not yet done"
    feedback = chapter05.check_5_2(np.zeros((2, 2)))
    assert "expected a function, got ndarray" in feedback.message


def test_5_2_catches_missing_one_over_m():
    feedback = chapter05.check_5_2(lambda Delta, A_prev: sum(
        np.outer(Delta[i], A_prev[i]) for i in range(Delta.shape[0])))
    assert "the 1/m is missing" in feedback.message


def test_5_2_catches_doubled_one_over_m():
    feedback = chapter05.check_5_2(lambda Delta, A_prev: np.mean(
        [np.outer(Delta[i], A_prev[i]) / Delta.shape[0] for i in range(Delta.shape[0])], axis=0))
    assert "divides by m twice" in feedback.message


def test_5_2_catches_transposed():
    feedback = chapter05.check_5_2(lambda Delta, A_prev: solution_5_2(Delta, A_prev).T)
    assert "transpose of dJ/dW" in feedback.message


def test_5_2_catches_averaging_first():
    feedback = chapter05.check_5_2(lambda Delta, A_prev: np.outer(
        [np.mean(column) for column in Delta.T], [np.mean(column) for column in A_prev.T]))
    assert "averages Delta and A_prev first" in feedback.message


def test_5_2_catches_changing_the_arguments():
    def in_place(Delta, A_prev):
        Delta /= Delta.shape[0]
        return Delta.T @ A_prev

    feedback = chapter05.check_5_2(in_place)
    assert not feedback.passed
    assert "changed the arrays it was given" in feedback.message


def test_5_2_reports_an_exception():
    def broken(Delta, A_prev):
        raise KeyError("oops")

    feedback = chapter05.check_5_2(broken)
    assert "raised KeyError" in feedback.message


def test_5_2_unknown_wrong_function():
    feedback = chapter05.check_5_2(lambda Delta, A_prev: solution_5_2(Delta, A_prev) + 1.0)
    assert feedback.message == "the function gives wrong values on the test inputs."


# ---------------------------------------------------------------------------------------------
# Exercise 5.3
# ---------------------------------------------------------------------------------------------


def test_5_3_solution_passes():
    assert chapter05.check_5_3(0.096).passed


def test_5_3_not_done():
    assert chapter05.check_5_3(...).status == "not yet done"


def test_5_3_catches_dividing_by_the_batch_size():
    feedback = chapter05.check_5_3(0.003 / 32)
    assert "divides by the batch size" in feedback.message


def test_5_3_catches_unchanged_learning_rate():
    feedback = chapter05.check_5_3(0.003)
    assert "cannot stay the same" in feedback.message


def test_5_3_unknown_wrong_value():
    feedback = chapter05.check_5_3(0.05)
    assert feedback.message == "the value is not right."


# ---------------------------------------------------------------------------------------------
# Exercise 5.4
# ---------------------------------------------------------------------------------------------


def test_5_4_solution_passes():
    assert chapter05.check_5_4(5, 22).passed


def test_5_4_not_done():
    assert chapter05.check_5_4(..., 22).status == "not yet done"
    assert chapter05.check_5_4(5, ...).status == "not yet done"


def test_5_4_catches_counting_only_full_batches():
    feedback = chapter05.check_5_4(4, 32)
    assert "counts only the full batches" in feedback.message


def test_5_4_catches_fractional_steps():
    feedback = chapter05.check_5_4(150 / 32, 22)
    assert "must be a whole number" in feedback.message


def test_5_4_catches_full_last_batch():
    feedback = chapter05.check_5_4(5, 32)
    assert "the last batch cannot be full" in feedback.message


def test_5_4_catches_wrong_last_size_and_wrong_steps():
    feedback = chapter05.check_5_4(5, 6)
    assert "not the size of the last batch" in feedback.message
    feedback = chapter05.check_5_4(6, 22)
    assert "number of steps per epoch is not right" in feedback.message


def test_5_4_non_numbers():
    feedback = chapter05.check_5_4("five", 22)
    assert "give both answers as numbers" in feedback.message


@pytest.mark.parametrize("steps, last", [(5, 22), (5.0, 22.0), (np.int64(5), np.int64(22))])
def test_5_4_accepts_number_types(steps, last):
    assert chapter05.check_5_4(steps, last).passed
