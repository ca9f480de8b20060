"""Checks of chapter 4's exercises: the solution passes, every named mistake is caught (one test
each), unfinished answers say "not yet done", and no message gives the solution away.

Right and wrong answers are computed here with plain numpy from the running example's
parameters, independently of backproplib's modules; the right ones are also checked against
autograd."""

from __future__ import annotations

import numpy as np
import pytest

from backproplib.exercises import chapter04

from .reference import reference_gradients, running_example_by_hand, sigmoid, sigmoid_slope


EXAMPLE, W1, W2, B1, B2, X, Y, Z1, A1, Z2, A2 = running_example_by_hand()
DELTA2 = 2 * (A2 - Y) * sigmoid_slope(Z2)

# dC0/da_2^[1] and its wrong versions (node k = 2 of layer 1, numpy index 1)
TERMS = [2 * (A2[j] - Y[j]) * sigmoid_slope(Z2[j]) * W2[j, 1] for j in range(2)]
RIGHT_4_1 = TERMS[0] + TERMS[1]
# dC0/dw_21^[1]: to hidden node 2 from input 1
TAIL = sigmoid_slope(Z1[1]) * X[0]
RIGHT_4_2 = RIGHT_4_1 * TAIL


def test_independent_values_agree_with_autograd():
    weight_grads, _ = reference_gradients(EXAMPLE.network.weights, EXAMPLE.network.biases,
                                          ["sigmoid", "sigmoid"], X.reshape(1, -1),
                                          Y.reshape(1, -1), "squared_error")
    assert RIGHT_4_2 == pytest.approx(weight_grads[0][1, 0], rel=1e-12)
    # dC0/da_2^[1] = dC0/db_2^[1] / sigma'(z_2^[1])
    assert RIGHT_4_1 == pytest.approx(weight_grads[0][1, 0] / TAIL, rel=1e-12)


def says(feedback, message, right):
    assert feedback.status == "not yet right"
    assert message in feedback.message
    assert feedback.hint
    assert f"{right:.4f}" not in str(feedback)


# ---------------------------------------------------------------------------------------------
# exercise 4.1: dC0/da_2^[1]


def test_4_1_solution_passes():
    feedback = chapter04.check_4_1(RIGHT_4_1)
    assert feedback.passed and "both paths" in feedback.message


def test_4_1_not_done():
    assert chapter04.check_4_1(...).status == "not yet done"


def test_4_1_first_term_only():
    says(chapter04.check_4_1(TERMS[0]), "only the term of output node 1", RIGHT_4_1)


def test_4_1_second_term_only():
    says(chapter04.check_4_1(TERMS[1]), "only the term of output node 2", RIGHT_4_1)


def test_4_1_g_prime_of_a():
    wrong = sum(2 * (A2[j] - Y[j]) * sigmoid_slope(A2[j]) * W2[j, 1] for j in range(2))
    says(chapter04.check_4_1(wrong), "the slopes are sigma'(a_j^[2])", RIGHT_4_1)


def test_4_1_W_instead_of_W_transposed():
    wrong = sum(DELTA2[j] * W2[1, j] for j in range(2))  # row 2 of W^[2] instead of column 2
    says(chapter04.check_4_1(wrong), "that is W where W^T belongs", RIGHT_4_1)


def test_4_1_dropped_factor_2():
    wrong = sum((A2[j] - Y[j]) * sigmoid_slope(Z2[j]) * W2[j, 1] for j in range(2))
    says(chapter04.check_4_1(wrong), "the factor 2 of the squared error is missing", RIGHT_4_1)


def test_4_1_averaged_instead_of_summed():
    says(chapter04.check_4_1(np.mean(TERMS)), "or the terms were averaged instead of added",
         RIGHT_4_1)


def test_4_1_missing_output_slopes():
    wrong = sum(2 * (A2[j] - Y[j]) * W2[j, 1] for j in range(2))
    says(chapter04.check_4_1(wrong), "the slopes sigma'(z_j^[2]) of the output nodes are missing",
         RIGHT_4_1)


def test_4_1_delta_instead_of_activation_derivative():
    says(chapter04.check_4_1(RIGHT_4_1 * sigmoid_slope(Z1[1])),
         "that is delta_2^[1] = dC0/dz_2^[1]", RIGHT_4_1)


def test_4_1_sign_flipped():
    says(chapter04.check_4_1(-RIGHT_4_1), "the sign is flipped", RIGHT_4_1)


def test_4_1_unrecognised_value():
    feedback = chapter04.check_4_1(0.3)
    assert feedback.message == "the value is not right."
    assert "over the two output nodes j" in feedback.hint


# ---------------------------------------------------------------------------------------------
# exercise 4.2: dC0/dw_21^[1]


def test_4_2_solution_passes():
    feedback = chapter04.check_4_2(RIGHT_4_2)
    assert feedback.passed and "downstream sum" in feedback.message


def test_4_2_not_done():
    assert chapter04.check_4_2(...).status == "not yet done"


def test_4_2_first_term_only():
    says(chapter04.check_4_2(TERMS[0] * TAIL), "holds only the term of output node 1", RIGHT_4_2)


def test_4_2_second_term_only():
    says(chapter04.check_4_2(TERMS[1] * TAIL), "holds only the term of output node 2", RIGHT_4_2)


def test_4_2_hidden_g_prime_of_a():
    says(chapter04.check_4_2(RIGHT_4_1 * sigmoid_slope(A1[1]) * X[0]),
         "the hidden slope is sigma'(a_2^[1])", RIGHT_4_2)


def test_4_2_output_g_prime_of_a():
    wrong_sum = sum(2 * (A2[j] - Y[j]) * sigmoid_slope(A2[j]) * W2[j, 1] for j in range(2))
    says(chapter04.check_4_2(wrong_sum * TAIL),
         "the output slopes inside the sum are sigma'(a_j^[2])", RIGHT_4_2)


def test_4_2_activation_of_the_same_layer_instead_of_input():
    says(chapter04.check_4_2(RIGHT_4_1 * sigmoid_slope(Z1[1]) * A1[0]),
         "the last factor is a_1^[1], an activation of the same layer", RIGHT_4_2)


def test_4_2_missing_last_factor():
    says(chapter04.check_4_2(RIGHT_4_1 * sigmoid_slope(Z1[1])), "the last factor x_1 is missing",
         RIGHT_4_2)


def test_4_2_missing_hidden_slope():
    says(chapter04.check_4_2(RIGHT_4_1 * X[0]), "the slope sigma'(z_2^[1]) of the hidden node is "
         "missing", RIGHT_4_2)


def test_4_2_swapped_indices():
    dC0_da1 = sum(DELTA2[j] * W2[j, 0] for j in range(2))  # dC0/da_1^[1]
    says(chapter04.check_4_2(dC0_da1 * sigmoid_slope(Z1[0]) * X[1]),
         "that is the derivative for w_12^[1]: j and k are swapped", RIGHT_4_2)


def test_4_2_W_instead_of_W_transposed():
    wrong_sum = sum(DELTA2[j] * W2[1, j] for j in range(2))
    says(chapter04.check_4_2(wrong_sum * TAIL), "W where W^T belongs", RIGHT_4_2)


def test_4_2_dropped_factor_2():
    says(chapter04.check_4_2(RIGHT_4_2 / 2), "the factor 2 of the squared error is missing",
         RIGHT_4_2)


def test_4_2_sign_flipped():
    says(chapter04.check_4_2(-RIGHT_4_2), "the sign is flipped", RIGHT_4_2)


# ---------------------------------------------------------------------------------------------
# exercise 4.3: hidden_delta(W_next, delta_next, z)


def right_delta_loops(W_next, delta_next, z):
    """The recursion with loops, as the chapter writes it."""
    n_next, n_this = W_next.shape
    delta = np.zeros(n_this)
    for k in range(n_this):
        total = 0.0
        for j in range(n_next):
            total += W_next[j, k] * delta_next[j]
        delta[k] = total * sigmoid_slope(z[k])
    return delta


def says_function(function, message):
    feedback = chapter04.check_4_3(function)
    assert feedback.status == "not yet right"
    assert message in feedback.message
    assert feedback.hint


def test_4_3_solution_passes_with_loops_and_with_matrices():
    assert chapter04.check_4_3(right_delta_loops).passed
    feedback = chapter04.check_4_3(lambda W, d, z: (W.T @ d) * sigmoid_slope(z))
    assert feedback.passed and "for every shape" in feedback.message


def test_4_3_the_recursion_on_the_running_example_matches_autograd():
    weight_grads, bias_grads = reference_gradients(EXAMPLE.network.weights, EXAMPLE.network.biases,
                                                   ["sigmoid", "sigmoid"], X.reshape(1, -1),
                                                   Y.reshape(1, -1), "squared_error")
    np.testing.assert_allclose(right_delta_loops(W2, DELTA2, Z1), bias_grads[0], rtol=1e-12)


def test_4_3_not_done():
    assert chapter04.check_4_3(...).status == "not yet done"


def test_4_3_W_instead_of_W_transposed():
    says_function(lambda W, d, z: (W @ d) * sigmoid_slope(z), "multiplies by W^[l+1] where "
                  "W^[l+1]T belongs")


def test_4_3_g_prime_of_a():
    says_function(lambda W, d, z: (W.T @ d) * sigmoid_slope(sigmoid(z)), "uses sigma'(a)")


def test_4_3_missing_slope():
    says_function(lambda W, d, z: W.T @ d, "the slope sigma'(z^[l]) is missing")


def test_4_3_activation_instead_of_slope():
    says_function(lambda W, d, z: (W.T @ d) * sigmoid(z), "multiplies by sigma(z), the "
                  "activation")


def test_4_3_one_downstream_term_only():
    says_function(lambda W, d, z: W[0] * d[0] * sigmoid_slope(z), "keeps only the first "
                  "downstream node's term")


def test_4_3_weights_missing():
    says_function(lambda W, d, z: np.sum(d) * sigmoid_slope(z), "the weights are missing")


def test_4_3_right_only_for_square_matrices():
    def square_only(W, d, z):
        if W.shape[0] == W.shape[1]:
            return (W.T @ d) * sigmoid_slope(z)
        return np.zeros(W.shape[1])

    feedback = chapter04.check_4_3(square_only)
    assert feedback.status == "not yet right"
    assert "it works for square W but not for rectangular ones" in feedback.hint


def test_4_3_a_function_that_raises():
    def broken(W, d, z):
        raise ValueError("shapes do not match")

    assert "raised ValueError: shapes do not match" in chapter04.check_4_3(broken).message
