"""Tests of the exercise checks of chapter 9: the solution passes, each named mistake is caught.

The right answers are worked out here without backproplib.depth: the symmetric network is trained
with autograd, and the multiply-adds of chapter 7's network are counted by hand.
"""

from __future__ import annotations

import autograd.numpy as anp
import numpy as np
import pytest
from autograd import grad

from backproplib.exercises import CORRECT, MISTAKE, NOT_DONE, chapter09


def train_symmetric(steps=50, learning_rate=0.5):
    """A 2-3-1 sigmoid network, every weight 0.5, trained by autograd's gradient."""
    X = np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0]])
    Y = np.array([[1.0], [1.0], [0.0], [0.0]])

    def cost(params):
        W1, b1, W2, b2 = params
        hidden = 1 / (1 + anp.exp(-(anp.dot(X, W1.T) + b1)))
        out = 1 / (1 + anp.exp(-(anp.dot(hidden, W2.T) + b2)))
        return anp.mean(anp.sum((out - Y) ** 2, axis=1))

    params = [np.full((3, 2), 0.5), np.zeros(3), np.full((1, 3), 0.5), np.zeros(1)]
    for _ in range(steps):
        params = [p - learning_rate * g for p, g in zip(params, grad(cost)(params))]
    return params[0]


def test_9_1_right_answer_and_mistakes():
    W1 = train_symmetric()
    distinct = len(np.unique(np.round(W1, 12), axis=0))
    assert distinct == 1
    assert chapter09.check_9_1(distinct).status == CORRECT
    assert chapter09.check_9_1(...).status == NOT_DONE
    for wrong, words in ((3, "number of hidden nodes"), (0, "at least one row"), (2, "")):
        feedback = chapter09.check_9_1(wrong)
        assert feedback.status == MISTAKE and words in feedback.message


def test_9_2_right_answer_and_mistakes():
    assert chapter09.check_9_2(2 ** 0.5).status == CORRECT
    assert chapter09.check_9_2(1.4142).status == CORRECT
    for wrong, words in ((1.0, "half"), (2.0, "variance"), (0.5, "vanish")):
        feedback = chapter09.check_9_2(wrong)
        assert feedback.status == MISTAKE and words in feedback.message, feedback


def test_9_3_right_answer_and_mistakes():
    assert chapter09.check_9_3(lambda W, v: W.T @ v).status == CORRECT
    assert chapter09.check_9_3(lambda W, v: v @ W).status == CORRECT
    assert chapter09.check_9_3(...).status == NOT_DONE
    inverse = chapter09.check_9_3(lambda W, v: np.linalg.pinv(W) @ v)
    assert inverse.status == MISTAKE and "inverse" in inverse.message
    failing = chapter09.check_9_3(lambda W, v: W @ v)
    assert failing.status == MISTAKE and "raised" in failing.message


def test_9_3_does_not_pass_a_function_that_changes_its_arguments_undetected():
    def in_place(W, v):
        result = W.T @ v
        W *= 0
        return result

    # the check gives copies, so its own reference values are untouched
    assert chapter09.check_9_3(in_place).status == CORRECT
    assert chapter09.check_9_3(lambda W, v: W.T @ v).status == CORRECT


def test_9_4_counted_by_hand():
    # 64-32-10: weights 64*32 + 32*10 = 2368, biases 42
    forward = 64 * 32 + 32 * 10
    backward = forward + 32 * 10
    parameters = forward + 32 + 10
    ratio = 2 * parameters * forward / (forward + backward)
    assert ratio == pytest.approx(2257.468, rel=1e-6)
    assert chapter09.check_9_4(ratio).status == CORRECT
    mistakes = {
        parameters * forward / (forward + backward): "one-sided",
        2 * forward * forward / (forward + backward): "biases",
        2 * parameters * forward / forward: "backward pass is missing",
        2 * parameters * forward / (2 * forward): "counted as one forward pass",
    }
    for wrong, words in mistakes.items():
        feedback = chapter09.check_9_4(wrong)
        assert feedback.status == MISTAKE and words in feedback.message, feedback
