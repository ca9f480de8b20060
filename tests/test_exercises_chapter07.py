"""The checks of chapter 7's exercises: the solution passes, each named mistake is recognised."""

from __future__ import annotations

import autograd.numpy as anp
import numpy as np
import pytest
from autograd import grad
from sklearn.metrics import log_loss

from backproplib.exercises import chapter07

Z = np.array([1.0, 2.0, 0.5, -1.0])


def softmax(z):
    return np.exp(z) / np.sum(np.exp(z), axis=-1, keepdims=True)


# ---------------------------------------------------------------------------------------------
# 7.1: dL/dz of softmax + cross-entropy at z = (1, 2, 0.5, -1), class 1


def solution_7_1():
    """dL/dz by autograd, from L = -ln softmax(z)_1."""
    return grad(lambda z: -(z[1] - anp.log(anp.sum(anp.exp(z)))))(Z)


def test_7_1_solution_passes():
    assert np.allclose(chapter07.SOFTMAX_Z, Z) and chapter07.SOFTMAX_CLASS == 1
    assert chapter07.check_7_1(solution_7_1()).passed
    assert chapter07.check_7_1(...).status == "not yet done"


@pytest.mark.parametrize(
    "make_wrong, message",
    [
        (lambda a, y: y - a, "the sign is flipped"),
        (lambda a, y: -y / a, "this is dL/da = -y/a: the softmax step is missing"),
        (lambda a, y: -y / a * a * (1 - a), "treats softmax as an element-wise function"),
        (lambda a, y: a, "the one-hot target is missing"),
        (lambda a, y: a - np.roll(y, -1), "the classes were counted from 1"),
        (lambda a, y: a - np.roll(y, 1), "marks the entry after the true class"),
        (lambda a, y: (a - y) / 4, "divided by the number of classes"),
        (lambda a, y: (a - y) / 2, "the value is not right"),
    ],
    ids=["sign", "dL-da", "elementwise", "no-target", "counted-from-1", "one-too-far",
         "divided-by-m", "unrecognised"],
)
def test_7_1_mistakes_are_named(make_wrong, message):
    a, y = softmax(Z), np.array([0.0, 1.0, 0.0, 0.0])
    feedback = chapter07.check_7_1(make_wrong(a, y))
    assert feedback.status == "not yet right" and message in feedback.message
    assert feedback.hint


# ---------------------------------------------------------------------------------------------
# 7.2: one-hot encoding


def solution_7_2(labels, n_classes):
    return (np.asarray(labels)[:, None] == np.arange(n_classes)).astype(float)


def test_7_2_solution_passes_and_arguments_may_be_lists():
    assert chapter07.check_7_2(solution_7_2).passed
    assert chapter07.check_7_2(...).status == "not yet done"


@pytest.mark.parametrize(
    "wrong, message",
    [
        (lambda labels, n: solution_7_2(labels, n).T, "the result is transposed"),
        (lambda labels, n: solution_7_2((np.asarray(labels) - 1) % n, n),
         "the classes were counted from 1"),
        (lambda labels, n: solution_7_2((np.asarray(labels) + 1) % n, n),
         "the 1 is one column too far right"),
        (lambda labels, n: solution_7_2(labels, int(np.max(labels)) + 1),
         "the number of columns comes from the largest label"),
        (lambda labels, n: np.ones((len(labels), n)), "wrong values on the test inputs"),
        (lambda labels, n: labels[10], "raised IndexError"),
    ],
    ids=["transposed", "from-1", "shifted-right", "max-label", "unrecognised", "crash"],
)
def test_7_2_mistakes_are_named(wrong, message):
    feedback = chapter07.check_7_2(wrong)
    assert feedback.status == "not yet right" and message in feedback.message


# ---------------------------------------------------------------------------------------------
# 7.3: the mean cross-entropy of a batch


def test_7_3_solution_from_scikit_learn_passes():
    probabilities = softmax(chapter07.COST_Z)
    expected = log_loss(chapter07.COST_LABELS, probabilities, labels=[0, 1, 2])
    assert chapter07.check_7_3(expected).passed
    assert chapter07.check_7_3(...).status == "not yet done"


@pytest.mark.parametrize(
    "make_wrong, message",
    [
        (lambda p, rows, z: -np.log(p[rows, chapter07.COST_LABELS]).sum(), "the 1/m is missing"),
        (lambda p, rows, z: -np.log(p[rows, chapter07.COST_LABELS]).mean() / 3,
         "averages over the classes too"),
        (lambda p, rows, z: np.log(p[rows, chapter07.COST_LABELS]).mean(), "the sign is flipped"),
        (lambda p, rows, z: -np.log10(p[rows, chapter07.COST_LABELS]).mean(), "this uses log10"),
        (lambda p, rows, z: -z[rows, chapter07.COST_LABELS].mean(),
         "the softmax normalisation ln sum_k e^(z_k) is missing"),
        (lambda p, rows, z: -np.log(p[rows, (chapter07.COST_LABELS - 1) % 3]).mean(),
         "the classes were counted from 1"),
        (lambda p, rows, z: -np.log(p[rows, (chapter07.COST_LABELS + 1) % 3]).mean(),
         "one column too far right"),
        (lambda p, rows, z: 0.5, "the value is not right"),
    ],
    ids=["sum", "over-classes", "sign", "log10", "no-normalisation", "counted-from-1",
         "one-too-far", "unrecognised"],
)
def test_7_3_mistakes_are_named(make_wrong, message):
    z = chapter07.COST_Z
    feedback = chapter07.check_7_3(make_wrong(softmax(z), np.arange(len(z)), z))
    assert feedback.status == "not yet right" and message in feedback.message
