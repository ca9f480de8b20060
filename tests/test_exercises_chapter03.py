"""Checks of chapter 3's exercises: the solution passes, every named mistake is caught (one test
each), unfinished answers say "not yet done", and no message gives the solution away.

The right and wrong answers are computed here with plain numpy from the running example's
parameters, independently of backproplib's modules (the right ones are also checked against
autograd)."""

from __future__ import annotations

import numpy as np
import pytest

from backproplib.exercises import chapter03

from .reference import reference_gradients, running_example_by_hand, sigmoid, sigmoid_slope


EXAMPLE, W1, W2, B1, B2, X, Y, Z1, A1, Z2, A2 = running_example_by_hand()
GRADIENT_W2 = np.outer(2 * (A2 - Y) * sigmoid_slope(Z2), A1)


def test_independent_gradient_agrees_with_autograd():
    weight_grads, _ = reference_gradients(EXAMPLE.network.weights, EXAMPLE.network.biases,
                                          ["sigmoid", "sigmoid"], X.reshape(1, -1),
                                          Y.reshape(1, -1), "squared_error")
    np.testing.assert_allclose(GRADIENT_W2, weight_grads[1], rtol=1e-12)


# ---------------------------------------------------------------------------------------------
# exercise 3.1: dC0/dw_21^[2]

RIGHT_3_1 = 2 * (A2[1] - Y[1]) * sigmoid_slope(Z2[1]) * A1[0]


def check_3_1_says(answer, message):
    feedback = chapter03.check_3_1(answer)
    assert feedback.status == "not yet right"
    assert message in feedback.message
    assert feedback.hint
    assert f"{RIGHT_3_1:.4f}" not in str(feedback)


def test_3_1_solution_passes():
    assert RIGHT_3_1 == pytest.approx(GRADIENT_W2[1, 0], rel=1e-14)
    feedback = chapter03.check_3_1(RIGHT_3_1)
    assert feedback.passed and "multiply to dC0/dw_21^[2]" in feedback.message


def test_3_1_not_done():
    assert chapter03.check_3_1(...).status == "not yet done"


def test_3_1_g_prime_of_a():
    check_3_1_says(2 * (A2[1] - Y[1]) * sigmoid_slope(A2[1]) * A1[0],
                   "the middle factor is sigma'(a_2)")


def test_3_1_dropped_factor_2():
    check_3_1_says((A2[1] - Y[1]) * sigmoid_slope(Z2[1]) * A1[0], "the factor 2 of the squared "
                   "error is missing")


def test_3_1_sign_flipped():
    check_3_1_says(2 * (Y[1] - A2[1]) * sigmoid_slope(Z2[1]) * A1[0], "the sign is flipped")


def test_3_1_output_activation_instead_of_a_k():
    check_3_1_says(2 * (A2[1] - Y[1]) * sigmoid_slope(Z2[1]) * A2[1],
                   "the last factor is the output a_2^[2]")


def test_3_1_input_instead_of_a_k():
    check_3_1_says(2 * (A2[1] - Y[1]) * sigmoid_slope(Z2[1]) * X[0],
                   "the last factor is the input x_1")


def test_3_1_a_j_instead_of_a_k():
    check_3_1_says(2 * (A2[1] - Y[1]) * sigmoid_slope(Z2[1]) * A1[1],
                   "the last factor is a_2^[1]: the index of the receiving node j")


def test_3_1_swapped_indices():
    check_3_1_says(GRADIENT_W2[0, 1], "that is the derivative for w_12^[2]: j and k are swapped")


def test_3_1_missing_slope():
    check_3_1_says(2 * (A2[1] - Y[1]) * A1[0], "the middle factor g'(z_2) is missing")


def test_3_1_weighted_input_instead_of_activation():
    check_3_1_says(2 * (A2[1] - Y[1]) * sigmoid_slope(Z2[1]) * Z1[0],
                   "the last factor is the weighted input z_1^[1]")


def test_3_1_unrecognised_value_gets_the_general_hint():
    feedback = chapter03.check_3_1(0.5)
    assert feedback.message == "the value is not right."
    assert "multiply dC0/da_2 = 2 (a_2 - y_2)" in feedback.hint


def test_3_1_not_a_number():
    feedback = chapter03.check_3_1({"dC0_dw21": 0.148})
    assert feedback.status == "not yet right" and "expected a number" in feedback.message


# ---------------------------------------------------------------------------------------------
# exercise 3.2: the matrix dC0/dW^[2]


def check_3_2_says(answer, message):
    feedback = chapter03.check_3_2(answer)
    assert feedback.status == "not yet right"
    assert message in feedback.message
    assert feedback.hint
    assert f"{GRADIENT_W2[1, 3]:.4f}" not in str(feedback)


def test_3_2_solution_passes():
    by_loops = np.zeros((2, 4))
    for j in range(2):
        for k in range(4):
            by_loops[j, k] = 2 * (A2[j] - Y[j]) * sigmoid_slope(Z2[j]) * A1[k]
    assert chapter03.check_3_2(by_loops).passed
    assert chapter03.check_3_2(GRADIENT_W2.tolist()).passed  # a nested list is fine too


def test_3_2_not_done():
    assert chapter03.check_3_2(...).status == "not yet done"


def test_3_2_transposed():
    check_3_2_says(GRADIENT_W2.T, "the matrix is transposed")


def test_3_2_g_prime_of_a():
    check_3_2_says(np.outer(2 * (A2 - Y) * sigmoid_slope(A2), A1), "the slopes are sigma'(a_j)")


def test_3_2_dropped_factor_2():
    check_3_2_says(np.outer((A2 - Y) * sigmoid_slope(Z2), A1), "the factor 2 of the squared "
                   "error is missing")


def test_3_2_sign_flipped():
    check_3_2_says(np.outer(2 * (Y - A2) * sigmoid_slope(Z2), A1), "the sign is flipped")


def test_3_2_missing_slope():
    check_3_2_says(np.outer(2 * (A2 - Y), A1), "the slopes sigma'(z_j) are missing")


def test_3_2_weight_instead_of_activation():
    check_3_2_says((2 * (A2 - Y) * sigmoid_slope(Z2))[:, None] * W2,
                   "multiplied by the weight w_jk instead of the activation a_k^[1]")


def test_3_2_wrong_shape_is_named():
    feedback = chapter03.check_3_2(np.outer(2 * (A2 - Y) * sigmoid_slope(Z2), A2))
    assert feedback.message == "the answer has shape (2, 2), expected shape (2, 4)."


# ---------------------------------------------------------------------------------------------
# exercise 3.3: sigma'(z) from a = sigma(z)


def check_3_3_says(function, message):
    feedback = chapter03.check_3_3(function)
    assert feedback.status == "not yet right"
    assert message in feedback.message
    assert feedback.hint


def test_3_3_solution_passes():
    feedback = chapter03.check_3_3(lambda a: a * (1 - a))
    assert feedback.passed and "f'(a)" in feedback.message
    # the right formula really is sigma'(z) at the z that produced a
    z = np.linspace(-4, 4, 9)
    np.testing.assert_allclose(sigmoid(z) * (1 - sigmoid(z)), sigmoid_slope(z), rtol=1e-12)


def test_3_3_not_done():
    assert chapter03.check_3_3(...).status == "not yet done"


def test_3_3_g_prime_of_a():
    check_3_3_says(lambda a: sigmoid_slope(a), "your function returns sigma'(a)")


def test_3_3_sigmoid_applied_again():
    check_3_3_says(lambda a: sigmoid(a) * (1 - a), "applies sigma to a once more")


def test_3_3_tanh_identity():
    check_3_3_says(lambda a: 1 - a**2, "1 - a^2, the slope of tanh")


def test_3_3_missing_factor_a():
    check_3_3_says(lambda a: 1 - a, "a factor a is missing")


def test_3_3_returns_a():
    check_3_3_says(lambda a: a, "your function returns a itself")


def test_3_3_function_that_raises_or_is_not_a_function():
    def broken(a):
        raise KeyError("oops")

    assert "raised KeyError" in chapter03.check_3_3(broken).message
    assert "expected a function, got float" in chapter03.check_3_3(0.25).message


def test_3_1_accepts_the_product_of_the_printed_factors():
    from backproplib.exercises.chapter03 import _running_example_values

    v = _running_example_values()
    factors = [round(float(f), 6) for f in (v["dC0_da"][1], v["slope_at_z"][1], v["a_hidden"][0])]
    feedback = chapter03.check_3_1(factors[0] * factors[1] * factors[2])
    assert feedback.passed and "printed with 6" in feedback.message
    assert not chapter03.check_3_1(factors[0] * factors[1] * factors[2] * 1.01).passed
