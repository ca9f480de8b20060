"""Statements of chapters 1, 4 and 6 that their own printed numbers once contradicted (issue 21).

Each test recomputes the number here, without the module that printed it, checks the corrected
statement against it, and checks that the page no longer makes the old statement. Chapter 7's
and chapter 9's are with their other tests (test_training.py, test_depth.py).
"""

from __future__ import annotations

import re

import autograd.numpy as anp
import numpy as np
from autograd import grad

from backproplib.exercises import chapter06
from backproplib.network import MLP

from .notebook_outputs import markdown_text, stored_lines


def relu(z):
    return anp.maximum(z, 0.0)


def test_relu_weighted_input_is_exactly_0_for_a_zero_sample_with_zero_biases():
    """Chapter 1: a weighted input is exactly 0.0 when its inputs and bias are 0 (XOR's sample
    (0, 0) in a network whose biases are 0), and with g'(0) = 0 no error passes back through
    that node for that sample: its bias gets no gradient from it."""
    rng = np.random.default_rng(0)
    W1, W2 = rng.normal(size=(3, 2)), rng.normal(size=(1, 3))
    b1, b2 = np.zeros(3), np.zeros(1)
    x, y = np.array([0.0, 0.0]), np.array([1.0])
    z1 = W1 @ x + b1
    assert np.all(z1 == 0.0)

    def loss(bias):
        return anp.sum((anp.dot(W2, relu(anp.dot(W1, x) + bias)) + b2 - y) ** 2)

    # the book's convention g'(0) = 0, in backproplib's network: no error reaches b^[1]
    network = MLP([W1, W2], [b1, b2], ["relu", "identity"])
    _, grads = network.cost_and_gradients(x.reshape(1, -1), y.reshape(1, -1), "squared_error")
    assert np.all(grads.biases[0] == 0.0) and np.all(grads.deltas[0] == 0.0)
    # autograd's maximum splits the slope at the tie (1/2): another choice passes an error
    assert np.any(grad(loss)(b1) != 0.0)
    prose = markdown_text("01_neurons_and_notation")
    assert "It rarely matters: a weighted input is almost never exactly 0.0" not in prose
    assert "the XOR sample $(0, 0)$" in prose


def test_chapter_4_writes_the_compact_form_with_the_loss_derivative_as_a_row():
    """Chapter 6 defines the gradient nabla C0 as a column; chapter 4's compact form is a
    left-to-right product of Jacobians whose first factor is a (1, 2) row, so it must not be
    written with nabla."""
    prose = markdown_text("04_downstream_sums")
    assert "the compact form reads $\\nabla_{a^{[2]}} C_0 \\cdot" not in prose
    assert "the compact form reads $\\frac{\\partial C_0}{\\partial a^{[2]}}" in prose
    assert "$\\nabla_{a^{[2]}} C_0$ is the same numbers as a column" in prose


def multiply_adds(sizes: tuple[int, ...], m: int) -> tuple[int, int]:
    """(F, B) by running the products of a forward and a backward pass on arrays of ones and
    counting m n p per (m, n) @ (n, p) product."""
    products = list(zip(sizes[:-1], sizes[1:]))
    forward = sum(m * n_prev * n_next for n_prev, n_next in products)
    errors = sum(m * n_next * n_prev for n_prev, n_next in products[1:])    # Delta W, l >= 2
    weights = sum(n_next * m * n_prev for n_prev, n_next in products)      # Delta^T A
    return forward, errors + weights


def test_chapter_6_backward_pass_costs_between_one_and_two_forward_passes():
    """Not "about two forward passes": B / F is 1.14 to 1.40 for the chapter's networks and 1.01
    for exercise 6.4's 784-128-10 network; B <= 2F always."""
    lines = stored_lines("06_matrix_form")
    ratios = []
    for sizes, m in (((3, 4, 2), 4), ((64, 32, 10), 32), ((64, 64, 10), 32), ((64, 32, 10), 64)):
        forward, backward = multiply_adds(sizes, m)
        ratios.append(backward / forward)
        row = next(line for line in lines if line.startswith(f"{str(sizes):<14}{m:>3}"))
        assert row.split()[-1] == f"{backward / forward:.2f}", row
        assert f"{forward:,d}" in row and f"{backward:,d}" in row, row
    assert 1 < min(ratios) and max(ratios) < 1.5 and all(r <= 2 for r in ratios)
    prose = markdown_text("06_matrix_form")
    assert "the backward pass costs about two forward passes" not in prose
    assert "$B \\le 2F$" in prose


def test_exercise_6_4_message_gives_the_ratio_it_computes():
    forward, backward = multiply_adds((784, 128, 10), 64)
    message = chapter06.check_6_4(backward).message
    assert "about two forward passes" not in message
    assert f"{backward:,d} multiply-adds, {backward / forward:.2f} times the forward pass" in message
    assert re.search(r"\b1\.01 times\b", message)
