"""Tests of the checks of chapter 2's exercises: each solution passes, each classic mistake is
named, and unfinished or malformed answers get a useful verdict.

The solutions and the mistakes are written here again, independently of the check module, the way
a learner would write them.
"""

from __future__ import annotations

import numpy as np
import pytest

from backproplib.exercises import chapter02


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def not_written(*arguments):
    raise NotImplementedError


# ----------------------------------------------------------------------------------------------
# exercise 2.1: dL/dz
# ----------------------------------------------------------------------------------------------


def right_dL_dz(z, y):
    return sigmoid(z) - y


def test_2_1_solution_passes():
    feedback = chapter02.check_2_1(right_dL_dz)
    assert feedback.passed, feedback
    assert feedback.status == "correct"


@pytest.mark.parametrize("answer, message", [
    (lambda z, y: y - sigmoid(z), "the sign is flipped: that is y - a"),
    (lambda z, y: (sigmoid(z) - y) * sigmoid(z) * (1 - sigmoid(z)), "the factor a(1 - a) appears twice"),
    (lambda z, y: (sigmoid(z) - y) / (sigmoid(z) * (1 - sigmoid(z))), "that is dL/da"),
    (lambda z, y: z - y, "you used the weighted input z where the activation a = sigmoid(z) belongs"),
    (lambda z, y: 2 * (sigmoid(z) - y) * sigmoid(z) * (1 - sigmoid(z)),
     "that is dL/dz for the squared error"),
], ids=["sign", "a(1-a) twice", "dL/da", "z for a", "squared error"])
def test_2_1_mistake_is_named(answer, message):
    feedback = chapter02.check_2_1(answer)
    assert feedback.status == "not yet right"
    assert message in feedback.message
    assert feedback.hint


def test_2_1_unfinished_and_malformed_answers():
    assert chapter02.check_2_1(...).status == "not yet done"
    assert chapter02.check_2_1(not_written).status == "not yet done"
    assert "expected a function, got float" in chapter02.check_2_1(0.5).message
    averaged = chapter02.check_2_1(lambda z, y: np.mean(sigmoid(z) - y))
    assert "returned shape () where shape (5,) was expected" in averaged.message
    assert "returned None" in chapter02.check_2_1(lambda z, y: None).message
    crashing = chapter02.check_2_1(lambda z, y: z.nonexistent)
    assert "calling your function raised AttributeError" in crashing.message
    assert chapter02.check_2_1(lambda z, y: z * 0 + 0.3).message == (
        "the function gives wrong values on the test inputs.")


def test_2_1_works_on_copies():
    def spoils_its_input(z, y):
        z -= 100.0  # a learner's in-place update must not change the check's own data
        return sigmoid(z + 100.0) - y

    assert chapter02.check_2_1(spoils_its_input).passed
    assert chapter02.check_2_1(right_dL_dz).passed


# ----------------------------------------------------------------------------------------------
# exercise 2.2: the batch gradient
# ----------------------------------------------------------------------------------------------


def right_batch_gradient(w, b, X, y):
    m = len(y)
    error = sigmoid(X @ w + b) - y
    return sum(error[i] * X[i] for i in range(m)) / m, sum(error) / m


def error_of(w, b, X, y):
    return sigmoid(X @ w + b) - y


def slope_of(w, b, X):
    a = sigmoid(X @ w + b)
    return a * (1 - a)


BATCH_MISTAKES = [
    (lambda w, b, X, y: (X.T @ error_of(w, b, X, y), error_of(w, b, X, y).sum()),
     "the 1/m is missing"),
    (lambda w, b, X, y: (X.T @ error_of(w, b, X, y) / len(y) ** 2, error_of(w, b, X, y).mean() / len(y)),
     "the 1/m is applied twice"),
    (lambda w, b, X, y: (X.T @ error_of(w, b, X, y) / X.shape[1], error_of(w, b, X, y).sum() / X.shape[1]),
     "you divided by the number of features n instead of the number of examples m"),
    (lambda w, b, X, y: (X.T @ (y - sigmoid(X @ w + b)) / len(y), np.mean(y - sigmoid(X @ w + b))),
     "the sign is flipped: you used y - a instead of a - y"),
    (lambda w, b, X, y: (X.T @ (error_of(w, b, X, y) * slope_of(w, b, X)) / len(y),
                         np.mean(error_of(w, b, X, y) * slope_of(w, b, X))),
     "the factor a(1 - a) appears twice"),
    (lambda w, b, X, y: (X.T @ (error_of(w, b, X, y) / slope_of(w, b, X)) / len(y),
                         np.mean(error_of(w, b, X, y) / slope_of(w, b, X))),
     "you used dL/da = (a - y)/(a(1 - a)) where dL/dz belongs"),
    (lambda w, b, X, y: (X.T @ (X @ w + b - y) / len(y), np.mean(X @ w + b - y)),
     "you used z - y"),
    (lambda w, b, X, y: (X @ error_of(w, b, X, y) / len(y), np.mean(error_of(w, b, X, y))),
     "you multiplied by X where X^T belongs"),
    (lambda w, b, X, y: (np.mean(error_of(w, b, X, y)) * X.mean(axis=0), np.mean(error_of(w, b, X, y))),
     "you averaged a - y and x separately and multiplied the averages"),
]
BATCH_IDS = ["sum not mean", "1/m twice", "divided by n", "sign", "a(1-a) twice", "dL/da",
             "z for a", "X not transposed", "averaged before multiplying"]


def test_2_2_solution_passes():
    feedback = chapter02.check_2_2(right_batch_gradient)
    assert feedback.passed, feedback


def test_2_2_solution_written_with_matrices_passes_too():
    def vectorized(w, b, X, y):
        a = sigmoid(X @ w + b)
        return (a - y) @ X / X.shape[0], float(np.mean(a - y))

    assert chapter02.check_2_2(vectorized).passed


@pytest.mark.parametrize("answer, message", BATCH_MISTAKES, ids=BATCH_IDS)
def test_2_2_mistake_is_named(answer, message):
    feedback = chapter02.check_2_2(answer)
    assert feedback.status == "not yet right"
    assert message in feedback.message, feedback
    assert feedback.hint


def test_2_2_half_right_answers():
    def bias_summed(w, b, X, y):
        dJ_dw, dJ_db = right_batch_gradient(w, b, X, y)
        return dJ_dw, dJ_db * len(y)

    def weights_summed(w, b, X, y):
        dJ_dw, dJ_db = right_batch_gradient(w, b, X, y)
        return dJ_dw * len(y), dJ_db

    assert "the weight gradient dJ_dw is right, but the bias gradient dJ_db is not" in (
        chapter02.check_2_2(bias_summed).message)
    assert "the bias gradient dJ_db is right, but the weight gradient dJ_dw is not" in (
        chapter02.check_2_2(weights_summed).message)


def test_2_2_unfinished_and_malformed_answers():
    assert chapter02.check_2_2(...).status == "not yet done"
    assert chapter02.check_2_2(not_written).status == "not yet done"
    assert "should return two things, dJ_dw and dJ_db" in chapter02.check_2_2(
        lambda w, b, X, y: right_batch_gradient(w, b, X, y)[0]).message
    column = chapter02.check_2_2(
        lambda w, b, X, y: (right_batch_gradient(w, b, X, y)[0].reshape(-1, 1), 0.0))
    assert "your dJ_dw has shape (3, 1), but it needs the shape of w, (3,)" in column.message
    per_example_bias = chapter02.check_2_2(
        lambda w, b, X, y: (right_batch_gradient(w, b, X, y)[0], error_of(w, b, X, y)))
    assert "your dJ_db must be a single number (like b), got shape (5,)" in per_example_bias.message
    assert "returned None" in chapter02.check_2_2(lambda w, b, X, y: None).message
    crashing = chapter02.check_2_2(lambda w, b, X, y: (1 / 0, 0.0))
    assert "calling your function raised ZeroDivisionError" in crashing.message


# ----------------------------------------------------------------------------------------------
# exercise 2.3: the penalised gradient
# ----------------------------------------------------------------------------------------------


def right_penalised_gradient(w, b, X, y, l2):
    dJ_dw, dJ_db = right_batch_gradient(w, b, X, y)
    return dJ_dw + l2 * w, dJ_db


def with_data_part(weight_change, bias_change=lambda w, b, l2: 0.0):
    def answer(w, b, X, y, l2):
        dJ_dw, dJ_db = right_batch_gradient(w, b, X, y)
        return dJ_dw + weight_change(w, l2, len(y)), dJ_db + bias_change(w, b, l2)
    return answer


PENALTY_MISTAKES = [
    (with_data_part(lambda w, l2, m: 0 * w), "the penalty is missing"),
    (with_data_part(lambda w, l2, m: l2 * w, lambda w, b, l2: l2 * b), "the bias is penalised too"),
    (with_data_part(lambda w, l2, m: l2 / 2 * w), "the penalty's gradient is half what it should be"),
    (with_data_part(lambda w, l2, m: 2 * l2 * w), "the penalty's gradient is twice what it should be"),
    (with_data_part(lambda w, l2, m: l2 * w / m), "the penalty's gradient is divided by m"),
    (with_data_part(lambda w, l2, m: -l2 * w), "the penalty's gradient has the wrong sign"),
]
PENALTY_IDS = ["no penalty", "bias penalised", "half", "twice", "divided by m", "sign"]


def test_2_3_solution_passes():
    assert chapter02.check_2_3(right_penalised_gradient).passed


@pytest.mark.parametrize("answer, message", PENALTY_MISTAKES, ids=PENALTY_IDS)
def test_2_3_penalty_mistake_is_named(answer, message):
    feedback = chapter02.check_2_3(answer)
    assert feedback.status == "not yet right"
    assert message in feedback.message, feedback
    assert feedback.hint


@pytest.mark.parametrize("data_part, message", BATCH_MISTAKES, ids=BATCH_IDS)
def test_2_3_mistake_in_the_data_part_is_named(data_part, message):
    def answer(w, b, X, y, l2):
        dJ_dw, dJ_db = data_part(w, b, X, y)
        return dJ_dw + l2 * w, dJ_db

    feedback = chapter02.check_2_3(answer)
    assert feedback.status == "not yet right"
    assert feedback.message.startswith("in the data part: ")
    assert message in feedback.message, feedback


def test_2_3_unfinished_and_half_right_answers():
    assert chapter02.check_2_3(...).status == "not yet done"
    assert chapter02.check_2_3(not_written).status == "not yet done"
    bias_off = chapter02.check_2_3(with_data_part(lambda w, l2, m: l2 * w, lambda w, b, l2: 1.0))
    assert "the weight gradient dJ_dw is right, but the bias gradient dJ_db is not" in bias_off.message


# ----------------------------------------------------------------------------------------------
# the checks never print a solution
# ----------------------------------------------------------------------------------------------


def all_wrong_feedback():
    for answer, _ in [(lambda z, y: 0 * z, None)] + [(lambda z, y: y - sigmoid(z), None),
                                                      (lambda z, y: z - y, None)]:
        yield chapter02.check_2_1(answer)
    for answer, _ in BATCH_MISTAKES + [(lambda w, b, X, y: (0 * w, 0.0), None)]:
        yield chapter02.check_2_2(answer)
    for answer, _ in PENALTY_MISTAKES + [(lambda w, b, X, y, l2: (0 * w, 0.0), None)]:
        yield chapter02.check_2_3(answer)


def test_wrong_answers_never_see_code_for_the_solution():
    texts = [str(feedback) for feedback in all_wrong_feedback()]
    assert len(texts) == 3 + len(BATCH_MISTAKES) + 1 + len(PENALTY_MISTAKES) + 1
    for text in texts:
        assert "NOT YET RIGHT" in text
        for giveaway in ("X.T @", "@ (a - y)", "sigmoid(z) - y", "mean(a - y)", "+ l2 * w"):
            assert giveaway not in text, text
