"""backproplib.matrix_form (chapter 6) against autograd, finite differences and hand formulas."""

from __future__ import annotations

import re
from pathlib import Path

import autograd.numpy as anp
import numpy as np
import pytest
from autograd import grad, jacobian
from hypothesis import given, settings
from hypothesis import strategies as st

from backproplib import matrix_form
from backproplib.gradcheck import numerical_derivative, relative_error
from backproplib.network import MLP
from backproplib.running_example import running_example

from .finite_differences import assert_matches_finite_differences
from .notebook_outputs import numbers_after, stored_lines
from .reference import (
    REFERENCE_ACTIVATIONS,
    reference_cost,
    reference_softmax_cost,
)

ROOT = Path(__file__).resolve().parent.parent
ELEMENTWISE = ["sigmoid", "tanh", "relu", "identity"]


def reference_any_cost(weights, biases, names, X, Y, loss):
    """J written out with autograd.numpy, for element-wise or softmax output layers."""
    if names[-1] == "softmax":
        return reference_softmax_cost(weights, biases, names, X, Y, loss)
    return reference_cost(weights, biases, names, X, Y, loss)


def reference_all_gradients(network, X, Y, loss):
    """dJ/dW and dJ/db of every layer by autograd, as one list (weights first)."""
    names = network.activation_names
    count = network.num_layers

    def cost(parameters):
        return reference_any_cost(parameters[:count], parameters[count:], names, X, Y, loss)

    return [np.asarray(g) for g in grad(cost)(network.weights + network.biases)]


@st.composite
def networks_and_batches(draw):
    """A random network (1-3 layers, element-wise or softmax output), a batch and its targets."""
    depth = draw(st.integers(1, 3))
    sizes = [draw(st.integers(1, 5)) for _ in range(depth)] + [draw(st.integers(2, 4))]
    loss = draw(st.sampled_from(["squared_error", "binary_cross_entropy", "cross_entropy"]))
    names = [draw(st.sampled_from(["sigmoid", "tanh", "identity"])) for _ in range(depth - 1)]
    names.append({"binary_cross_entropy": "sigmoid", "cross_entropy": "softmax"}.get(
        loss, draw(st.sampled_from(["sigmoid", "tanh", "identity", "softmax"]))))
    m = draw(st.integers(1, 6))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    network = MLP.random(sizes, names, rng)
    X = rng.normal(size=(m, sizes[0]))
    if loss == "squared_error":
        Y = rng.normal(size=(m, sizes[-1]))
    elif loss == "binary_cross_entropy":
        Y = rng.integers(0, 2, size=(m, sizes[-1])).astype(float)
    else:
        Y = np.eye(sizes[-1])[rng.integers(0, sizes[-1], size=m)]
    return network, X, Y, loss


# ---------------------------------------------------------------------------------------------
# the element-wise product and the diagonal matrix


@settings(max_examples=50, deadline=None)
@given(n=st.integers(1, 8), seed=st.integers(0, 10_000))
def test_hadamard_product_equals_product_with_a_diagonal_matrix(n, seed):
    rng = np.random.default_rng(seed)
    u, v = rng.normal(size=n), rng.normal(size=n)
    by_entries = np.array([u[j] * v[j] for j in range(n)])
    assert np.array_equal(matrix_form.hadamard_product(u, v), by_entries)
    np.testing.assert_allclose(matrix_form.diagonal_matrix_product(v, u), by_entries,
                               rtol=1e-15, atol=0)


# ---------------------------------------------------------------------------------------------
# the Jacobians of one layer


@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 6), name=st.sampled_from(ELEMENTWISE + ["softmax"]),
       seed=st.integers(0, 10_000))
def test_activation_jacobian_matches_autograd_and_finite_differences(n, name, seed):
    rng = np.random.default_rng(seed)
    z = rng.normal(scale=2, size=n)
    z = np.where(np.abs(z) < 1e-3, 0.5, z)  # stay away from relu's kink
    if name == "softmax":
        def function(values):
            exponentials = anp.exp(values)
            return exponentials / anp.sum(exponentials)
    else:
        function = REFERENCE_ACTIVATIONS[name]
    ours = matrix_form.jacobian_a_wrt_z(z, name)
    assert ours.shape == (n, n)
    np.testing.assert_allclose(ours, jacobian(function)(z), rtol=1e-12, atol=1e-15)
    assert_matches_finite_differences(ours, matrix_form.numerical_jacobian(function, z),
                                      function_scale=float(np.max(np.abs(function(z)))))
    if name != "softmax":
        assert np.array_equal(ours, np.diag(np.diag(ours)))  # diagonal


@settings(max_examples=50, deadline=None)
@given(n=st.integers(1, 5), n_prev=st.integers(1, 5), seed=st.integers(0, 10_000))
def test_jacobians_of_the_weighted_input_match_autograd(n, n_prev, seed):
    rng = np.random.default_rng(seed)
    W, b, a_prev = rng.normal(size=(n, n_prev)), rng.normal(size=n), rng.normal(size=n_prev)
    by_previous = jacobian(lambda a: anp.dot(W, a) + b)(a_prev)
    by_weights = jacobian(lambda weights: anp.dot(weights, a_prev) + b)(W)
    assert by_weights.shape == (n, n, n_prev)
    np.testing.assert_array_equal(matrix_form.jacobian_z_wrt_previous_activation(W), by_previous)
    np.testing.assert_allclose(matrix_form.jacobian_z_wrt_weights(a_prev, n), by_weights,
                               rtol=1e-15, atol=0)
    np.testing.assert_allclose(
        matrix_form.numerical_jacobian(lambda weights: weights @ a_prev + b, W),
        by_weights, rtol=1e-6, atol=1e-9)


@settings(max_examples=50, deadline=None)
@given(n=st.integers(1, 5), n_prev=st.integers(1, 5), seed=st.integers(0, 10_000))
def test_contracting_the_weight_jacobian_gives_the_outer_product(n, n_prev, seed):
    rng = np.random.default_rng(seed)
    delta, a_prev, W = rng.normal(size=n), rng.normal(size=n_prev), rng.normal(size=(n, n_prev))
    # C = delta . z(W) has dC/dz = delta, so dC/dW is what the contraction must give
    expected = grad(lambda weights: anp.dot(delta, anp.dot(weights, a_prev)))(W)
    np.testing.assert_allclose(matrix_form.weight_gradient_by_contraction(delta, a_prev),
                               expected, rtol=1e-14, atol=1e-15)


def test_numerical_jacobian_of_a_nonlinear_map():
    rng = np.random.default_rng(1)
    A, x = rng.normal(size=(3, 2, 4)), rng.normal(size=4)
    function = lambda values: anp.sin(anp.dot(A, values))  # noqa: E731  output shape (3, 2)
    x_before = x.copy()
    numeric = matrix_form.numerical_jacobian(function, x)
    assert numeric.shape == (3, 2, 4)
    np.testing.assert_allclose(numeric, jacobian(function)(x), rtol=1e-7, atol=1e-9)
    assert np.array_equal(x, x_before)


# ---------------------------------------------------------------------------------------------
# the chain of Jacobians


@settings(max_examples=60, deadline=None)
@given(case=networks_and_batches())
def test_product_of_jacobians_is_the_gradient_with_respect_to_the_input(case):
    network, X, Y, loss = case
    x, y = X[0], Y[0]
    factors = matrix_form.chain_of_jacobians(network, x, y, loss)
    L = network.num_layers
    assert len(factors) == 2 * L + 1
    shapes = [factor.shape for factor in factors]
    sizes = network.layer_sizes
    expected_shapes = [(1, sizes[-1])]
    for layer in range(L, 0, -1):
        expected_shapes += [(sizes[layer], sizes[layer]), (sizes[layer], sizes[layer - 1])]
    assert shapes == expected_shapes
    assert [factor.name for factor in factors[:3]] == [
        f"dC0/da^[{L}]", f"da^[{L}]/dz^[{L}]", f"dz^[{L}]/da^[{L - 1}]"]
    names = network.activation_names
    expected = grad(lambda inputs: reference_any_cost(network.weights, network.biases, names,
                                                      anp.reshape(inputs, (1, -1)),
                                                      y.reshape(1, -1), loss))(x)
    product = matrix_form.product_of_jacobians(factors)
    assert product.shape == (1, sizes[0])
    assert relative_error(product[0], expected) < 1e-9


# ---------------------------------------------------------------------------------------------
# the weight gradient of a batch


@settings(max_examples=50, deadline=None)
@given(m=st.integers(1, 7), n=st.integers(1, 5), n_prev=st.integers(1, 5),
       seed=st.integers(0, 10_000))
def test_sum_of_outer_products_equals_delta_transpose_times_activations(m, n, n_prev, seed):
    rng = np.random.default_rng(seed)
    Delta, A_prev, W = rng.normal(size=(m, n)), rng.normal(size=(m, n_prev)), rng.normal(size=(n, n_prev))
    # J = (1/m) sum_i delta^(i) . (W a^(i)) has dJ/dz^(i) = delta^(i) / m
    expected = grad(lambda weights: anp.sum(Delta * anp.dot(A_prev, weights.T)) / m)(W)
    by_loop = matrix_form.weight_gradient_by_outer_products(Delta, A_prev)
    by_product = matrix_form.weight_gradient_by_matrix_product(Delta, A_prev)
    assert by_loop.shape == by_product.shape == (n, n_prev)
    np.testing.assert_allclose(by_loop, expected, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(by_product, expected, rtol=1e-12, atol=1e-14)


# ---------------------------------------------------------------------------------------------
# rows, columns and loops against autograd and finite differences


@settings(max_examples=80, deadline=None)
@given(case=networks_and_batches())
def test_rows_columns_and_loops_match_autograd(case):
    network, X, Y, loss = case
    expected = reference_all_gradients(network, X, Y, loss)
    by_rows = matrix_form.backpropagate_samples_as_rows(network, X, Y, loss)
    by_columns = matrix_form.backpropagate_samples_as_columns(network, X.T, Y.T, loss)
    by_loops = matrix_form.gradients_by_loops(network, X, Y, loss)
    for result in (by_rows, by_columns, by_loops):
        for ours, theirs in zip(result.weights + result.biases, expected):
            assert ours.shape == theirs.shape
            assert relative_error(ours, theirs) < 1e-9
    _, library = network.cost_and_gradients(X, Y, loss)
    for rows, columns, loops, reference in zip(by_rows.deltas, by_columns.deltas, by_loops.deltas,
                                               library.deltas):
        np.testing.assert_allclose(rows, reference, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(columns.T, reference, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(loops, reference, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("function", ["rows", "columns", "loops"])
def test_backward_passes_match_finite_differences(function):
    rng = np.random.default_rng(11)
    network = MLP.random([3, 5, 4, 3], ["tanh", "sigmoid", "softmax"], rng)
    X = rng.normal(size=(6, 3))
    Y = np.eye(3)[rng.integers(0, 3, size=6)]
    call = {
        "rows": lambda: matrix_form.backpropagate_samples_as_rows(network, X, Y, "cross_entropy"),
        "columns": lambda: matrix_form.backpropagate_samples_as_columns(network, X.T, Y.T,
                                                                         "cross_entropy"),
        "loops": lambda: matrix_form.gradients_by_loops(network, X, Y, "cross_entropy"),
    }[function]
    result = call()
    for layer in range(3):
        def cost_with(W, layer=layer):
            weights = list(network.weights)
            weights[layer] = W
            return MLP(weights, network.biases, network.activation_names).cost(X, Y, "cross_entropy")
        numeric = numerical_derivative(cost_with, network.weights[layer])
        np.testing.assert_allclose(result.weights[layer], numeric, rtol=1e-6, atol=1e-9)


def test_single_output_targets_as_a_vector_are_accepted():
    rng = np.random.default_rng(2)
    network = MLP.random([2, 3, 1], ["tanh", "sigmoid"], rng)
    X, y = rng.normal(size=(4, 2)), rng.integers(0, 2, size=4).astype(float)
    _, library = network.cost_and_gradients(X, y, "binary_cross_entropy")
    for result in (matrix_form.backpropagate_samples_as_rows(network, X, y, "binary_cross_entropy"),
                   matrix_form.gradients_by_loops(network, X, y, "binary_cross_entropy")):
        for ours, theirs in zip(result.weights, library.weights):
            np.testing.assert_allclose(ours, theirs, rtol=1e-12)


# ---------------------------------------------------------------------------------------------
# counting multiply-adds


def test_multiply_add_count_by_hand():
    # 3-4-2 network, m = 5: products 4*3 = 12 and 2*4 = 8
    count = matrix_form.count_multiply_adds([3, 4, 2], 5)
    assert (count.forward, count.backward_errors, count.weight_gradients) == (100, 40, 100)
    assert count.backward == 140 and count.total == 240
    # one layer: no errors are carried back
    single = matrix_form.count_multiply_adds((7, 2), 3)
    assert (single.forward, single.backward_errors, single.weight_gradients) == (42, 0, 42)


@settings(max_examples=40, deadline=None)
@given(depth=st.integers(1, 4), n=st.integers(1, 50), m=st.integers(1, 50))
def test_multiply_adds_are_linear_in_m_and_quadratic_in_the_width(depth, n, m):
    count = matrix_form.count_multiply_adds([n] * (depth + 1), m)
    assert count.total == m * n * n * (3 * depth - 1)
    assert matrix_form.count_multiply_adds([n] * (depth + 1), 2 * m).total == 2 * count.total
    assert matrix_form.count_multiply_adds([2 * n] * (depth + 1), m).total == 4 * count.total


def test_multiply_add_count_matches_the_shapes_of_the_products():
    """Count m n p for every matrix product backpropagate_samples_as_rows performs."""
    rng = np.random.default_rng(5)
    sizes, m = (4, 6, 3, 2), 7
    network = MLP.random(sizes, ["tanh", "tanh", "identity"], rng)
    X, Y = rng.normal(size=(m, 4)), rng.normal(size=(m, 2))
    result = matrix_form.backpropagate_samples_as_rows(network, X, Y, "squared_error")
    forward = sum(m * W.shape[0] * W.shape[1] for W in network.weights)            # A W^T
    errors = sum(D.shape[0] * D.shape[1] * W.shape[1]                             # Delta W
                 for D, W in zip(result.deltas[1:], network.weights[1:]))
    weights = sum(D.shape[1] * D.shape[0] * W.shape[1]                            # Delta^T A
                  for D, W in zip(result.deltas, network.weights))
    count = matrix_form.count_multiply_adds(sizes, m)
    assert (count.forward, count.backward_errors, count.weight_gradients) == (forward, errors, weights)


# ---------------------------------------------------------------------------------------------
# input errors and caller arrays


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: matrix_form.hadamard_product([1.0, 2.0], [1.0, 2.0, 3.0]), ValueError,
         r"v must have shape \(2,\), got shape \(3,\)"),
        (lambda: matrix_form.hadamard_product(np.ones((2, 2)), np.ones(2)), ValueError,
         "u must be 1-D, got a 2-D array of shape"),
        (lambda: matrix_form.diagonal_matrix_product([1.0, 2.0], [1.0]), ValueError,
         r"vector must have shape \(2,\), got shape \(1,\)"),
        (lambda: matrix_form.diagonal_matrix_product([1.0, np.nan], [1.0, 2.0]), ValueError,
         "diagonal must contain only finite numbers"),
        (lambda: matrix_form.jacobian_z_wrt_previous_activation(np.ones(3)), ValueError,
         "weight must be 2-D"),
        (lambda: matrix_form.jacobian_a_wrt_z(np.ones(2), "swish"), ValueError,
         "unknown activation 'swish'"),
        (lambda: matrix_form.jacobian_a_wrt_z(np.ones(2), 3), TypeError,
         "activation must be a name"),
        (lambda: matrix_form.jacobian_a_wrt_z(np.ones((2, 2)), "tanh"), ValueError,
         "z must be 1-D"),
        (lambda: matrix_form.jacobian_z_wrt_weights(np.ones(3), 0), ValueError,
         "n_nodes must be a positive integer"),
        (lambda: matrix_form.weight_gradient_by_contraction("abc", np.ones(2)), TypeError,
         "delta must be an array of numbers"),
        (lambda: matrix_form.numerical_jacobian(3, np.ones(2)), TypeError,
         "function must be callable"),
        (lambda: matrix_form.numerical_jacobian(np.sin, np.ones(2), step=-1.0), ValueError,
         "step must be a positive number"),
        (lambda: matrix_form.weight_gradient_by_outer_products(np.ones((3, 2)), np.ones((4, 5))),
         ValueError, r"the same number of rows\), got Delta of shape \(3, 2\) and A_prev of "
                     r"shape \(4, 5\)"),
        (lambda: matrix_form.weight_gradient_by_matrix_product(np.ones(3), np.ones((3, 2))),
         ValueError, "Delta must be 2-D"),
        (lambda: matrix_form.weight_gradient_by_matrix_product(np.ones((0, 2)), np.ones((0, 2))),
         ValueError, "Delta must hold at least one sample"),
        (lambda: matrix_form.count_multiply_adds([3], 4), ValueError,
         "layer_sizes must list the inputs and at least one layer"),
        (lambda: matrix_form.count_multiply_adds("34", 4), TypeError,
         r"layer_sizes must be a list of sizes such as \[3, 4, 2\]"),
        (lambda: matrix_form.count_multiply_adds([3, 0, 2], 4), ValueError,
         "every entry of layer_sizes must be a positive integer"),
        (lambda: matrix_form.count_multiply_adds([3, 2], 2.5), TypeError,
         "batch_size must be a positive integer"),
        (lambda: matrix_form.product_of_jacobians([]), ValueError, "at least one JacobianFactor"),
        (lambda: matrix_form.product_of_jacobians([np.eye(2)]), TypeError,
         r"factors\[0\] must be a JacobianFactor"),
        (lambda: matrix_form.product_of_jacobians(
            [matrix_form.JacobianFactor("p", "", np.ones((1, 2))),
             matrix_form.JacobianFactor("q", "", np.ones((3, 1)))]), ValueError,
         r"the product so far has shape \(1, 2\) but q has shape \(3, 1\)"),
    ],
)
def test_input_errors_name_the_argument(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_network_level_input_errors():
    example = running_example()
    network, X, Y = example.network, example.X, example.Y
    with pytest.raises(TypeError, match="network must be a backproplib.network.MLP, got list"):
        matrix_form.backpropagate_samples_as_rows([1], X, Y, "squared_error")
    with pytest.raises(ValueError, match=r"X must have 3 columns .* It looks transposed"):
        matrix_form.gradients_by_loops(network, X.T, Y, "squared_error")
    with pytest.raises(ValueError, match=r"X_columns must have 3 rows .* samples as rows; pass X.T"):
        matrix_form.backpropagate_samples_as_columns(network, X, Y.T, "squared_error")
    with pytest.raises(ValueError, match=r"Y_columns must have shape \(2, 4\)"):
        matrix_form.backpropagate_samples_as_columns(network, X.T, Y, "squared_error")
    with pytest.raises(ValueError, match="unknown loss 'hinge'"):
        matrix_form.backpropagate_samples_as_columns(network, X.T, Y.T, "hinge")
    with pytest.raises(ValueError, match=r"x must have shape \(3,\), got shape \(2,\)"):
        matrix_form.chain_of_jacobians(network, X[0, :2], Y[0], "squared_error")
    with pytest.raises(ValueError, match="needs a softmax output layer"):
        matrix_form.chain_of_jacobians(network, X[0], Y[0], "cross_entropy")


def test_no_function_changes_its_arguments():
    example = running_example()
    network, X, Y = example.network, example.X, example.Y
    rng = np.random.default_rng(4)
    arrays = {"X": X, "Y": Y, "u": rng.normal(size=3), "v": rng.normal(size=3),
              "Delta": rng.normal(size=(4, 2)), "A": rng.normal(size=(4, 3)),
              "W0": network.weights[0], "W1": network.weights[1]}
    before = {name: value.copy() for name, value in arrays.items()}
    matrix_form.hadamard_product(arrays["u"], arrays["v"])
    matrix_form.diagonal_matrix_product(arrays["u"], arrays["v"])
    matrix_form.jacobian_z_wrt_previous_activation(arrays["W1"])[0, 0] = 99.0  # a copy
    matrix_form.jacobian_z_wrt_weights(arrays["u"], 2)
    matrix_form.weight_gradient_by_contraction(arrays["v"], arrays["u"])
    matrix_form.numerical_jacobian(np.tanh, arrays["u"])
    matrix_form.weight_gradient_by_outer_products(arrays["Delta"], arrays["A"])
    matrix_form.weight_gradient_by_matrix_product(arrays["Delta"], arrays["A"])
    matrix_form.chain_of_jacobians(network, arrays["X"][0], arrays["Y"][0])[2].matrix[0, 0] = 99.0
    matrix_form.backpropagate_samples_as_rows(network, arrays["X"], arrays["Y"], "squared_error")
    matrix_form.backpropagate_samples_as_columns(network, arrays["X"].T, arrays["Y"].T,
                                                 "squared_error")
    matrix_form.gradients_by_loops(network, arrays["X"], arrays["Y"], "squared_error")
    for name, value in arrays.items():
        assert np.array_equal(value, before[name]), name
    assert np.array_equal(network.weights[1], before["W1"])


# ---------------------------------------------------------------------------------------------
# every gradient number chapter 6 prints, recomputed with autograd


def sample_loss_reference(W1, b1, W2, b2, x, y):
    """C_0 = sum_j (sigmoid(W2 sigmoid(W1 x + b1) + b2) - y)^2, from the definition."""
    sigmoid = REFERENCE_ACTIVATIONS["sigmoid"]
    a1 = sigmoid(anp.dot(W1, x) + b1)
    return anp.sum((sigmoid(anp.dot(W2, a1) + b2) - y) ** 2)




def printed_equals(printed: np.ndarray, expected: np.ndarray) -> bool:
    """True when the stored output shows ``expected`` rounded to 4 decimals."""
    return np.allclose(printed, np.round(np.ravel(expected), 4), rtol=0, atol=5.1e-5)


def test_chapter_6_printed_gradients_match_autograd():
    example = running_example()
    W1, W2 = example.network.weights
    b1, b2 = example.network.biases
    x, y, X, Y = example.x, example.y, example.X, example.Y
    sigmoid = REFERENCE_ACTIVATIONS["sigmoid"]
    z1 = W1 @ x + b1
    a1 = sigmoid(z1)
    z2 = W2 @ a1 + b2

    def loss_from_z2(z):
        return anp.sum((sigmoid(z) - y) ** 2)

    def loss_from_z1(z):
        return loss_from_z2(anp.dot(W2, sigmoid(z)) + b2)

    delta2 = grad(loss_from_z2)(z2)
    delta1 = grad(loss_from_z1)(z1)
    dC0_dx = grad(lambda inputs: sample_loss_reference(W1, b1, W2, b2, inputs, y))(x)
    dC0_dW2 = grad(lambda W: sample_loss_reference(W1, b1, W, b2, x, y))(W2)
    per_sample_W2 = [grad(lambda W, i=i: sample_loss_reference(W1, b1, W, b2, X[i], Y[i]))(W2)
                     for i in range(4)]
    dJ_dW1 = np.mean([grad(lambda W, i=i: sample_loss_reference(W, b1, W2, b2, X[i], Y[i]))(W1)
                      for i in range(4)], axis=0)

    lines = stored_lines("06_matrix_form")
    assert printed_equals(numbers_after(lines, "dC0/da^[2]       =", 2), 2 * (sigmoid(z2) - y))
    assert printed_equals(numbers_after(lines, "g'(z^[2])        =", 2),
                          grad(lambda z: anp.sum(sigmoid(z)))(z2))
    for prefix in ("element-wise  dC0/da * g'(z)      =", "matrix        diag(g'(z)) dC0/da  =",
                   "MLP.cost_and_gradients delta^[2]  =", "finite differences dC0/dz^[2]     =",
                   "product up to da^[2]/dz^[2]:"):
        assert printed_equals(numbers_after(lines, prefix, 2), delta2), prefix
    # the tempting dot product adds the two entries of delta^[2] into one number
    dot = float(np.dot(2 * (sigmoid(z2) - y), grad(lambda z: anp.sum(sigmoid(z)))(z2)))
    assert f"dot product dC0/da . g'(z) (WRONG): {dot:.4f}, one number for two nodes" in lines
    assert f"{dot:.4f}" == f"{float(np.sum(delta2)):.4f}"
    assert printed_equals(numbers_after(lines, "product up to da^[1]/dz^[1]:", 4), delta1)
    for prefix in ("dC0/dx by the product of Jacobians:", "dC0/dx by finite differences:",
                   "gradient as a column (shape (3, 1) ):"):
        assert printed_equals(numbers_after(lines, prefix, 3), dC0_dx), prefix
    for prefix in ("sum_j delta_j dz_j/dW^[2] (contracting the 3-D Jacobian):",
                   "outer product delta^[2] a^[1]T:", "chapter 3, entry by entry:"):
        assert printed_equals(numbers_after(lines, prefix, 8), dC0_dW2), prefix
    for i in range(4):
        printed = numbers_after(lines, f"sample {i + 1}: delta^(i) a^[1](i)T =", 8)
        assert printed_equals(printed, per_sample_W2[i]), i
    mean_W2 = np.mean(per_sample_W2, axis=0)
    assert printed_equals(numbers_after(lines, "(1/m) sum of the outer products:", 8), mean_W2)
    assert printed_equals(numbers_after(lines, "(1/m) Delta^[2]T A^[1]:", 8), mean_W2)
    assert printed_equals(numbers_after(lines, "dJ/dW^[1] with samples as columns:", 12), dJ_dW1)
    # the slice dz_1/dW of the 3-D Jacobian shows a^[1] in row 1
    assert printed_equals(
        numbers_after(lines, "dz_1^[2]/dW^[2] (a (2, 4) slice: row 1 is a^[1], the rest zeros):", 8),
        np.vstack([a1, np.zeros(4)]))
    # exercise 6.3 prints Delta^[2] and A^[1] in the column layout
    Delta2 = np.array([grad(lambda z, i=i: anp.sum((sigmoid(z) - Y[i]) ** 2))(
        W2 @ sigmoid(W1 @ X[i] + b1) + b2) for i in range(4)])
    assert printed_equals(numbers_after(lines, "Delta2_columns =", 8), Delta2.T)
    assert printed_equals(numbers_after(lines, "A1_columns =", 16), sigmoid(X @ W1.T + b1).T)


def test_chapter_6_random_networks_agree_with_autograd():
    """The three random networks of the loops section (same generator calls as the notebook)."""
    rng = np.random.default_rng(2606)
    cases = [
        ((5, 6, 4, 3), ["tanh", "relu", "sigmoid"], "squared_error"),
        ((4, 8, 8, 2), ["sigmoid", "tanh", "sigmoid"], "binary_cross_entropy"),
        ((6, 7, 5, 4), ["relu", "tanh", "softmax"], "cross_entropy"),
    ]
    for sizes, names, loss in cases:
        network = MLP.random(sizes, names, rng)
        X = rng.normal(size=(16, sizes[0]))
        if loss == "cross_entropy":
            Y = np.eye(sizes[-1])[rng.integers(0, sizes[-1], size=16)]
        elif loss == "binary_cross_entropy":
            Y = rng.integers(0, 2, size=(16, sizes[-1])).astype(float)
        else:
            Y = rng.normal(size=(16, sizes[-1]))
        expected = reference_all_gradients(network, X, Y, loss)
        scale = max(float(np.max(np.abs(g))) for g in expected)
        for result in (matrix_form.gradients_by_loops(network, X, Y, loss),
                       matrix_form.backpropagate_samples_as_columns(network, X.T, Y.T, loss)):
            largest = max(float(np.max(np.abs(a - b)))
                          for a, b in zip(result.weights + result.biases, expected))
            assert largest / scale <= 1e-13


def test_chapter_6_printed_multiply_add_counts():
    lines = stored_lines("06_matrix_form")
    # hand counts: products n_l n_(l-1), times m; columns F, B = errors + weights, total, B / F
    for sizes, m, text in [
        ((64, 32, 10), 32, "(64, 32, 10)   32     75,776      86,016 =  10,240 +   75,776  161,792   1.14"),
        ((64, 64, 10), 32, "(64, 64, 10)   32    151,552     172,032 =  20,480 +  151,552  323,584   1.14"),
    ]:
        products = [a * b for a, b in zip(sizes[:-1], sizes[1:])]
        forward, errors = m * sum(products), m * sum(products[1:])
        numbers = [int(n.replace(",", "")) for n in re.findall(r"(?<![\d.])\d[\d,]*(?![\d.])", text)][-5:]
        assert numbers == [forward, errors + forward, errors, forward, 2 * forward + errors], text
        assert text.split()[-1] == f"{(errors + forward) / forward:.2f}"
        assert text in lines
