"""Tests of the exercise checks of appendix B: the solution passes, each named mistake is caught.

The right answers are worked out here independently: the bytes by hand and from the arrays a real
forward pass returns, the clipped gradient from its definition (rescale only when too long).
"""

from __future__ import annotations

import numpy as np
import pytest

from backproplib.exercises import CORRECT, MISTAKE, NOT_DONE, appendix_b
from backproplib.network import MLP

# 784-128-10, float64, m = 64: per sample 784 + 128 + 10 activations and 128 + 10 weighted inputs
BYTES_KEPT = 8 * 64 * (784 + 128 + 10 + 128 + 10)


def test_b_1_counted_by_hand_and_by_a_forward_pass():
    assert BYTES_KEPT == 542_720
    network = MLP.random([784, 128, 10], ["sigmoid", "sigmoid"], np.random.default_rng(0))
    forward_pass = network.forward(np.zeros((64, 784)))
    kept = sum(A.nbytes for A in forward_pass.activations) + sum(
        Z.nbytes for Z in forward_pass.weighted_inputs)
    assert kept == BYTES_KEPT
    assert appendix_b.check_b_1(BYTES_KEPT).status == CORRECT
    assert appendix_b.check_b_1(...).status == NOT_DONE


@pytest.mark.parametrize("wrong, words", [
    (8 * (784 * 128 + 128 + 128 * 10 + 10), "weights and biases"),
    (8 * 64 * (784 + 128 + 10), "not the weighted inputs"),
    (8 * 64 * (128 + 10 + 128 + 10), "input X = A^[0] is missing"),
    (8 * (784 + 128 + 10 + 128 + 10), "one sample's share"),
    (64 * (784 + 128 + 10 + 128 + 10), "number of floats"),
    (4 * 64 * (784 + 128 + 10 + 128 + 10), "float32"),
    (123_456, "not right"),
    ("542720 bytes", "expected a number"),
])
def test_b_1_mistakes(wrong, words):
    feedback = appendix_b.check_b_1(wrong)
    assert feedback.status == MISTAKE and words in feedback.message, feedback


def clip_by_norm(g, c):
    norm = np.sqrt(np.sum(g ** 2))
    return g * (c / norm) if norm > c else g.copy()


def test_b_2_solution_and_what_it_means():
    assert appendix_b.check_b_2(clip_by_norm).status == CORRECT
    assert appendix_b.check_b_2(
        lambda g, c: g * min(1.0, c / np.linalg.norm(g))).status == CORRECT
    assert appendix_b.check_b_2(...).status == NOT_DONE
    # the cases the check uses hold both long gradients (clipped) and short ones (unchanged)
    inputs = appendix_b._clip_inputs()
    assert any(np.linalg.norm(g) > c for g, c in inputs)
    assert any(np.linalg.norm(g) < c for g, c in inputs)


@pytest.mark.parametrize("wrong, words", [
    (lambda g, c: np.clip(g, -c, c), "clips each entry"),
    (lambda g, c: g * c / np.linalg.norm(g), "rescales every gradient"),
    (lambda g, c: g / np.linalg.norm(g), "normalises the gradient to length 1"),
    (lambda g, c: min(np.linalg.norm(g), c), "shape"),
    (lambda g, c: 2 * g, "wrong values"),
    (lambda g, c: g.undefined, "raised AttributeError"),
])
def test_b_2_mistakes(wrong, words):
    feedback = appendix_b.check_b_2(wrong)
    assert feedback.status == MISTAKE and words in feedback.message, feedback


def test_b_2_does_not_pass_a_function_that_changes_its_arguments_undetected():
    def in_place(g, c):
        norm = np.linalg.norm(g)
        if norm > c:
            g *= c / norm
        return g

    # the check gives copies, so its own reference values are untouched
    assert appendix_b.check_b_2(in_place).status == CORRECT
    assert appendix_b.check_b_2(clip_by_norm).status == CORRECT
