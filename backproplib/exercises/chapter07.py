"""Checks for the exercises of chapter 7 (training a network end to end: softmax, one-hot, cost)."""

from __future__ import annotations

from typing import Any

import numpy as np

from . import Feedback, Mistake, calls_function, check_function, check_value

#: Exercise 7.1: the weighted input of a 4-class softmax output and the true class.
SOFTMAX_Z = np.array([1.0, 2.0, 0.5, -1.0])
SOFTMAX_CLASS = 1

#: Exercise 7.3: the weighted inputs (one row per sample) of a 3-class output, and the classes.
COST_Z = np.array([
    [2.0, 0.5, -1.0],
    [0.1, 0.3, 1.2],
    [-0.5, 2.5, 0.0],
    [1.0, 1.0, 1.0],
    [0.0, -2.0, 3.0],
])
COST_LABELS = np.array([0, 2, 1, 0, 1])


def _softmax_rows(z: np.ndarray) -> np.ndarray:
    shifted = z - z.max(axis=-1, keepdims=True)
    exponentials = np.exp(shifted)
    return exponentials / exponentials.sum(axis=-1, keepdims=True)


# --------------------------------------------------------------------------------------------
# Exercise 7.1: dL/dz of softmax with cross-entropy


def check_7_1(dL_dz: Any) -> Feedback:
    """Exercise 7.1: :math:`\\partial L / \\partial z` for softmax and cross-entropy at ``z``."""
    a = _softmax_rows(SOFTMAX_Z)
    y = np.zeros_like(a)
    y[SOFTMAX_CLASS] = 1.0
    expected = a - y
    y_from_one = np.zeros_like(a)
    y_from_one[SOFTMAX_CLASS - 1] = 1.0  # class c put at entry c - 1: counted from 1
    y_next = np.zeros_like(a)
    y_next[(SOFTMAX_CLASS + 1) % len(a)] = 1.0
    dL_da = -y / a
    mistakes = [
        Mistake(y - a, "the sign is flipped: y - a is -dL/dz.",
                "L = -ln a_c decreases when z_c grows, so dL/dz_c must be negative."),
        Mistake(dL_da, "this is dL/da = -y/a: the softmax step is missing.",
                "multiply by the softmax Jacobian da/dz = diag(a) - a a^T (or use the shortcut)."),
        Mistake(dL_da * a * (1.0 - a),
                "this treats softmax as an element-wise function: only the diagonal a_j(1 - a_j) "
                "of its Jacobian was used.",
                "every a_j depends on every z_k: da_j/dz_k = a_j([j = k] - a_k); the "
                "off-diagonal terms -a_j a_k matter."),
        Mistake(a, "the one-hot target is missing: this is a, not a - y.",
                "y is 1 at the true class and 0 elsewhere."),
        Mistake(a - y_from_one,
                "the one-hot target marks the first entry: the classes were counted from 1. "
                "Classes count from 0, so class 1 is the SECOND entry.",
                "y = [0, 1, 0, 0] for class 1."),
        Mistake(a - y_next,
                "the one-hot target marks the entry after the true class.",
                "classes count from 0: y = [0, 1, 0, 0] for class 1."),
        Mistake((a - y) / len(a),
                "a - y divided by the number of classes: there is no average here.",
                "L is the loss of ONE sample, a sum over the classes; a 1/m belongs to the cost "
                "J of a batch, not to dL/dz."),
    ]
    return check_value(
        "7.1", dL_dz, expected, mistakes=mistakes,
        correct_message="the softmax Jacobian and -y/a cancel down to dL/dz = a - y.",
        wrong_hint="compute a = softmax(z) (subtract max(z) first if you like), the one-hot y, "
        "then a - y.",
    )


# --------------------------------------------------------------------------------------------
# Exercise 7.2: one-hot encoding


def _right_one_hot(labels: np.ndarray, n_classes: int) -> np.ndarray:
    targets = np.zeros((len(labels), n_classes))
    for row, label in enumerate(labels):
        targets[row, label] = 1.0
    return targets


_ONE_HOT_CASES = [
    (np.array([2, 0, 1, 1]), 3),
    (np.array([0, 3, 3, 1, 2, 0]), 4),
    (np.array([4]), 5),
    (np.array([1, 0]), 3),
]


def _one_hot_inputs() -> list[tuple[np.ndarray, int]]:
    """The ``(labels, n_classes)`` pairs exercise 7.2's function is called on."""
    return [(labels.copy(), n) for labels, n in _ONE_HOT_CASES]


@calls_function("one_hot_targets", _one_hot_inputs)
def check_7_2(one_hot_targets: Any) -> Feedback:
    """Exercise 7.2: a function ``(labels, n_classes) -> one-hot rows`` of shape ``(m, n)``."""
    cases = [((labels.copy(), n), _right_one_hot(labels, n)) for labels, n in _ONE_HOT_CASES]
    mistakes = [
        (lambda labels, n: _right_one_hot(labels, n).T,
         "the result is transposed: one row per class instead of one row per sample.",
         "samples are rows everywhere in this book: shape (m, n_classes)."),
        (lambda labels, n: _right_one_hot((np.asarray(labels) - 1) % n, n),
         "the 1 is one column too far left: the classes were counted from 1.",
         "class c goes in column c, counting from 0: class 0 in the first column."),
        (lambda labels, n: _right_one_hot((np.asarray(labels) + 1) % n, n),
         "the 1 is one column too far right.",
         "class c goes in column c, counting from 0."),
        (lambda labels, n: _right_one_hot(labels, int(np.max(labels)) + 1),
         "the number of columns comes from the largest label instead of n_classes.",
         "a batch may miss the last class (here the test case [1, 0] with 3 classes): use "
         "n_classes columns."),
    ]
    return check_function(
        "7.2", one_hot_targets, cases, mistakes=mistakes,
        correct_message="one row per sample, a single 1 in the column of its class.",
        wrong_hint="start from np.zeros((m, n_classes)) and put a 1 in column labels[i] of row i.",
    )


# --------------------------------------------------------------------------------------------
# Exercise 7.3: the cross-entropy cost of a batch


def check_7_3(J: Any) -> Feedback:
    """Exercise 7.3: the mean cross-entropy of the batch ``COST_Z`` with classes ``COST_LABELS``."""
    m, n = COST_Z.shape
    A = _softmax_rows(COST_Z)
    picked = A[np.arange(m), COST_LABELS]
    losses = -np.log(picked)
    expected = float(losses.mean())
    mistakes = [
        Mistake(float(losses.sum()), "this is the sum of the losses: the 1/m is missing.",
                "J is the mean over the m = 5 samples."),
        Mistake(float(losses.mean() / n),
                "this averages over the classes too (a mean over the whole (m, n) array of "
                "-y ln a), dividing by m n instead of m.",
                "sum -y_j ln a_j over the classes first (one loss per sample), then average "
                "over samples."),
        Mistake(-expected, "the sign is flipped: ln a is negative, so the loss is -ln a.",
                "a cross-entropy is never negative."),
        Mistake(float(-np.log10(picked).mean()),
                "this uses log10; the cross-entropy (and its derivative a - y) uses the natural "
                "logarithm.", "use np.log."),
        Mistake(float(-COST_Z[np.arange(m), COST_LABELS].mean()),
                "this is -z_c: the softmax normalisation ln sum_k e^(z_k) is missing.",
                "ln a_c = z_c - ln sum_k e^(z_k)."),
        Mistake(float(-np.log(A[np.arange(m), (COST_LABELS - 1) % n]).mean()),
                "this picks the probability one column too far left: the classes were counted "
                "from 1.",
                "class c is column c, counting from 0."),
        Mistake(float(-np.log(A[np.arange(m), (COST_LABELS + 1) % n]).mean()),
                "this picks the probability one column too far right, of the wrong class.",
                "class c is column c, counting from 0."),
    ]
    return check_value(
        "7.3", J, expected, mistakes=mistakes,
        correct_message="J = (1/m) sum_i -ln a_(c_i)^(i).",
        wrong_hint="softmax each row of COST_Z, pick the probability of the true class in each "
        "row, take -ln and average.",
    )
