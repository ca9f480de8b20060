"""The checks of chapter 8: each solution passes, each named mistake is caught with its message.

Expected values are worked out here independently: by hand from the exercise's numbers, by
autograd, or by explicit loops over the entries."""

import autograd.numpy as anp
import numpy as np
import pytest
from autograd import grad

from backproplib.exercises import chapter08

# ---------------------------------------------------------------- 8.1: v = u w, u = 1.5, w = -0.4
U, W, V_BAR = 1.5, -0.4, 2.0


def test_8_1_solution():
    feedback = chapter08.check_8_1(-0.8, 3.0)
    assert feedback.passed and "other factor" in feedback.message


def test_8_1_not_done():
    assert chapter08.check_8_1(..., 3.0).status == "not yet done"
    assert chapter08.check_8_1(-0.8, ...).status == "not yet done"


def test_8_1_swapped_factors():
    feedback = chapter08.check_8_1(V_BAR * U, V_BAR * W)
    assert not feedback.passed and "the two adjoints are swapped" in feedback.message


def test_8_1_adjoint_forgotten():
    feedback = chapter08.check_8_1(W, U)
    assert "without the adjoint v_bar" in feedback.message


def test_8_1_own_factor_without_adjoint():
    assert "those are u and w themselves" in chapter08.check_8_1(U, W).message


def test_8_1_times_the_node_value():
    assert "v_bar * v" in chapter08.check_8_1(V_BAR * U * W, V_BAR * U * W).message


def test_8_1_one_of_two_right():
    assert "u_bar is right, w_bar is not" in chapter08.check_8_1(-0.8, 1.0).message
    assert "w_bar is right, u_bar is not" in chapter08.check_8_1(1.0, 3.0).message
    assert "neither adjoint is right" in chapter08.check_8_1(1.0, 1.0).message
    assert "must be numbers" in chapter08.check_8_1("a", 1.0).message


def test_8_1_never_reveals_the_solution():
    for answer in [(1.0, 1.0), (-0.8, 1.0), (V_BAR * U, V_BAR * W)]:
        text = str(chapter08.check_8_1(*answer))
        assert "-0.8" not in text and "3.0" not in text


# ---------------------------------------------------------------- 8.2: Z = A W^T + b, rows
def loop_adjoints():
    """W_bar, A_bar, b_bar by explicit sums over samples i, nodes j and inputs k."""
    A, W, _, Z_bar = chapter08.exercise_8_2_data()
    m, n = Z_bar.shape
    W_bar, A_bar, b_bar = np.zeros_like(W), np.zeros_like(A), np.zeros(n)
    for i in range(m):
        for j in range(n):
            b_bar[j] += Z_bar[i, j]
            for k in range(A.shape[1]):
                W_bar[j, k] += Z_bar[i, j] * A[i, k]   # z_ij = sum_k a_ik w_jk + b_j
                A_bar[i, k] += Z_bar[i, j] * W[j, k]
    return A, W, Z_bar, W_bar, A_bar, b_bar


def test_8_2_data_is_a_square_layer():
    A, W, b, Z_bar = chapter08.exercise_8_2_data()
    assert A.shape == (3, 2) and W.shape == (2, 2) and b.shape == (2,) and Z_bar.shape == (3, 2)


def test_8_2_solution():
    _, _, _, W_bar, A_bar, b_bar = loop_adjoints()
    assert chapter08.check_8_2(W_bar, A_bar, b_bar).passed


def test_8_2_not_done():
    _, _, _, W_bar, A_bar, b_bar = loop_adjoints()
    assert chapter08.check_8_2(W_bar, ..., b_bar).status == "not yet done"


def test_8_2_weight_adjoint_transposed():
    A, _, Z_bar, _, A_bar, b_bar = loop_adjoints()
    feedback = chapter08.check_8_2(A.T @ Z_bar, A_bar, b_bar)
    assert feedback.message.startswith("W_bar: W_bar is transposed")


def test_8_2_weight_adjoint_divided_by_m():
    _, _, _, W_bar, A_bar, b_bar = loop_adjoints()
    assert "W_bar is divided by m" in chapter08.check_8_2(W_bar / 3, A_bar, b_bar).message


def test_8_2_weight_adjoint_of_one_sample():
    A, _, Z_bar, _, A_bar, b_bar = loop_adjoints()
    feedback = chapter08.check_8_2(np.outer(Z_bar[0], A[0]), A_bar, b_bar)
    assert "only the first sample's outer product" in feedback.message


def test_8_2_input_adjoint_with_w_transposed():
    _, W, Z_bar, W_bar, _, b_bar = loop_adjoints()
    feedback = chapter08.check_8_2(W_bar, Z_bar @ W.T, b_bar)
    assert feedback.message.startswith("A_bar: A_bar uses W^T where W belongs")


def test_8_2_bias_adjoint_not_summed():
    _, _, Z_bar, W_bar, A_bar, _ = loop_adjoints()
    feedback = chapter08.check_8_2(W_bar, A_bar, Z_bar.copy())
    assert "not summed over the broadcast axis" in feedback.message


def test_8_2_bias_adjoint_averaged():
    _, _, Z_bar, W_bar, A_bar, b_bar = loop_adjoints()
    assert "b_bar is averaged" in chapter08.check_8_2(W_bar, A_bar, b_bar / 3).message


def test_8_2_bias_adjoint_summed_over_the_nodes():
    _, _, Z_bar, W_bar, A_bar, _ = loop_adjoints()
    feedback = chapter08.check_8_2(W_bar, A_bar, Z_bar.sum(axis=1))
    assert "summed over the wrong axis" in feedback.message


def test_8_2_unknown_mistake_and_wrong_shape():
    _, _, _, W_bar, A_bar, b_bar = loop_adjoints()
    assert chapter08.check_8_2(W_bar + 1.0, A_bar, b_bar).message == "W_bar: the value is not right."
    assert "shape (4,), expected shape (2,)" in chapter08.check_8_2(W_bar, A_bar, np.ones(4)).message


# ---------------------------------------------------------------- 8.3: u = s(x), v = u x, C = v + u
X = 0.5


def sigma(x):
    return 1.0 / (1.0 + anp.exp(-x))


def test_8_3_solution_matches_autograd():
    right = float(grad(lambda x: sigma(x) * x + sigma(x))(X))
    assert chapter08.check_8_3(right).passed


def test_8_3_not_done():
    assert chapter08.check_8_3(...).status == "not yet done"


def by_hand(u_bar_terms, x_paths, slope_at=X):
    """x_bar with the given contributions kept: u_bar from 'C' and/or 'v'; x paths 'u' / 'v'."""
    u = float(sigma(X))
    slope = float(sigma(slope_at) * (1 - sigma(slope_at)))
    u_bar = ("C" in u_bar_terms) * 1.0 + ("v" in u_bar_terms) * X
    return ("v" in x_paths) * u + ("u" in x_paths) * u_bar * slope


def test_8_3_u_adjoint_only_from_C():
    feedback = chapter08.check_8_3(by_hand("C", "uv"))
    assert "u_bar holds only the contribution of C = v + u" in feedback.message


def test_8_3_u_adjoint_only_from_v():
    feedback = chapter08.check_8_3(by_hand("v", "uv"))
    assert "u_bar holds only the contribution through v = u x" in feedback.message


def test_8_3_x_adjoint_only_through_u():
    feedback = chapter08.check_8_3(by_hand("Cv", "u"))
    assert "x_bar holds only the path through u = sigma(x)" in feedback.message


def test_8_3_x_adjoint_only_through_v():
    feedback = chapter08.check_8_3(by_hand("Cv", "v"))
    assert "x_bar holds only the path through v = u x" in feedback.message


def test_8_3_slope_at_the_output():
    feedback = chapter08.check_8_3(by_hand("Cv", "uv", slope_at=float(sigma(X))))
    assert "sigma'(u)" in feedback.message


def test_8_3_other_value():
    feedback = chapter08.check_8_3(0.123)
    assert feedback.message == "the value is not right." and "C_bar = 1" in feedback.hint


# ---------------------------------------------------------------- 8.4: counts
SHAPES = [(1, 50), (50, 200), (200, 200), (200, 10_000)]


def counts():
    """(forward, reverse): p q r per product of (p, q) by (q, r), in each order, by hand."""
    forward = 200 * 200 * 10_000 + 50 * 200 * 10_000 + 1 * 50 * 10_000
    reverse = 1 * 50 * 200 + 1 * 200 * 200 + 1 * 200 * 10_000
    return forward, reverse


def test_8_4_solution():
    feedback = chapter08.check_8_4(*counts())
    assert feedback.passed and "244 times fewer" in feedback.message


def test_8_4_not_done():
    assert chapter08.check_8_4(..., 3).status == "not yet done"


def test_8_4_swapped():
    forward, reverse = counts()
    assert "the two counts are swapped" in chapter08.check_8_4(reverse, forward).message


def test_8_4_entries_instead_of_multiplications():
    forward = 200 * 10_000 + 50 * 10_000 + 1 * 10_000
    reverse = 1 * 200 + 1 * 200 + 1 * 10_000
    assert "sizes of the products" in chapter08.check_8_4(forward, reverse).message


def test_8_4_one_count_wrong():
    forward, reverse = counts()
    assert "forward_count is not right, reverse_count is." in \
        chapter08.check_8_4(forward + 1, reverse).message
    assert "forward_count is not right, nor reverse_count." in \
        chapter08.check_8_4(forward + 1, reverse + 1).message
    assert "forward_count is right, reverse_count is not." in \
        chapter08.check_8_4(forward, reverse + 1).message
    assert "must be numbers" in chapter08.check_8_4("many", reverse).message


@pytest.mark.parametrize("answer", [(1, 2), (3e8, 2e6)])
def test_8_4_never_reveals_the_counts(answer):
    text = str(chapter08.check_8_4(*answer))
    forward, reverse = counts()
    assert str(forward) not in text and str(reverse) not in text and "500" not in text
