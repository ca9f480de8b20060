"""backproplib.downstream: downstream sums, hidden-layer weights and backpropagation with loops,
against autograd, finite differences and MLP.cost_and_gradients; and every gradient number
chapter 4 prints, recomputed independently."""

from __future__ import annotations

import itertools

import autograd.numpy as anp
import numpy as np
import pytest
from autograd import grad
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from backproplib import chain_rule, downstream
from backproplib.gradcheck import relative_error
from backproplib.network import MLP
from backproplib.running_example import running_example

from .finite_differences import assert_matches_finite_differences
from .reference import REFERENCE_ACTIVATIONS, elementwise_derivative, reference_gradients
from .test_chain_rule import (
    close,
    one_sample_cases,
    reference_forward,
    reference_loss_of_output,
)


def reference_activation_gradient(network, x, y, loss, layer):
    """dC0/da^[layer] by autograd: the forward pass restarted from a^[layer]."""
    _, activations = reference_forward(network.weights, network.biases,
                                       network.activation_names, x)

    def loss_from(activation):
        for W, b, name in zip(network.weights[layer:], network.biases[layer:],
                              network.activation_names[layer:]):
            activation = REFERENCE_ACTIVATIONS[name](anp.dot(W, activation) + b)
        return reference_loss_of_output(activation, y, loss)

    return np.asarray(grad(loss_from)(activations[layer]))


def reference_delta(network, x, y, loss, layer):
    """delta^[layer] = dC0/dz^[layer] by autograd: the forward pass restarted from z^[layer]."""
    zs, _ = reference_forward(network.weights, network.biases, network.activation_names, x)

    def loss_from(z):
        activation = REFERENCE_ACTIVATIONS[network.activation_names[layer - 1]](z)
        for W, b, name in zip(network.weights[layer:], network.biases[layer:],
                              network.activation_names[layer:]):
            activation = REFERENCE_ACTIVATIONS[name](anp.dot(W, activation) + b)
        return reference_loss_of_output(activation, y, loss)

    return np.asarray(grad(loss_from)(zs[layer]))


def reference_parameter_gradients(network, x, y, loss):
    return reference_gradients(network.weights, network.biases, network.activation_names,
                               x.reshape(1, -1), y.reshape(1, -1), loss)


# ---------------------------------------------------------------------------------------------
# backpropagation with loops


@settings(max_examples=150, deadline=None)
@given(case=one_sample_cases())
def test_loops_equal_cost_and_gradients_for_every_weight(case):
    """The issue's required test: the loop version equals MLP.cost_and_gradients on one row."""
    network, x, y, loss, _, _ = case
    loops = downstream.backpropagate_by_loops(network, x, y, loss)
    _, vectorized = network.cost_and_gradients(x.reshape(1, -1), y.reshape(1, -1), loss)
    assert len(loops.weights) == len(loops.biases) == len(loops.deltas) == network.num_layers
    for layer in range(network.num_layers):
        assert loops.weights[layer].shape == network.weights[layer].shape
        assert loops.biases[layer].shape == network.biases[layer].shape
        for (j, k), value in np.ndenumerate(loops.weights[layer]):
            assert close(value, vectorized.weights[layer][j, k], rtol=1e-10, atol=1e-14)
        assert close(loops.biases[layer], vectorized.biases[layer], rtol=1e-10, atol=1e-14)
        assert close(loops.deltas[layer], vectorized.deltas[layer][0], rtol=1e-10, atol=1e-14)


@settings(max_examples=80, deadline=None)
@given(case=one_sample_cases())
def test_loops_match_autograd(case):
    network, x, y, loss, _, _ = case
    loops = downstream.backpropagate_by_loops(network, x, y, loss)
    weight_grads, bias_grads = reference_parameter_gradients(network, x, y, loss)
    for ours, theirs in zip(loops.weights + loops.biases, weight_grads + bias_grads):
        assert close(ours, theirs, rtol=1e-8, atol=1e-12)
    for layer in range(1, network.num_layers + 1):
        assert close(loops.deltas[layer - 1], reference_delta(network, x, y, loss, layer),
                     rtol=1e-8, atol=1e-12)
    for layer in range(network.num_layers + 1):
        assert close(loops.activation_gradients[layer],
                     reference_activation_gradient(network, x, y, loss, layer),
                     rtol=1e-8, atol=1e-12)


# ---------------------------------------------------------------------------------------------
# downstream sums and hidden weights


@st.composite
def hidden_cases(draw):
    """A random network with at least two layers, one sample, and a node k of a layer l < L."""
    network, x, y, loss, _, _ = draw(one_sample_cases())
    assume(network.num_layers >= 2)
    layer = draw(st.integers(0, network.num_layers - 1))
    k = draw(st.integers(1, network.layer_sizes[layer]))
    return network, x, y, loss, layer, k


@settings(max_examples=100, deadline=None)
@given(case=hidden_cases())
def test_downstream_terms_and_total_match_autograd(case):
    network, x, y, loss, layer, k = case
    result = downstream.downstream_sum(network, x, y, layer, k, loss)
    zs, _ = reference_forward(network.weights, network.biases, network.activation_names, x)
    dC0_da_next = reference_activation_gradient(network, x, y, loss, layer + 1)
    slope_next = elementwise_derivative(REFERENCE_ACTIVATIONS[network.activation_names[layer]],
                                        zs[layer + 1])
    weights_out = network.weights[layer][:, k - 1]
    assert close(result.dC0_da_next, dC0_da_next, rtol=1e-8, atol=1e-12)
    assert close(result.slope_next, slope_next)
    assert close(result.weights_out, weights_out)
    assert close(result.terms, dC0_da_next * slope_next * weights_out, rtol=1e-8, atol=1e-12)
    total = reference_activation_gradient(network, x, y, loss, layer)[k - 1]
    assert close(result.total, total, rtol=1e-8, atol=1e-12)
    numeric = downstream.activation_derivative_by_finite_difference(network, x, y, layer, k, loss)
    assert_matches_finite_differences(total, numeric,
                                      function_scale=chain_rule.sample_loss(network, x, y, loss))


@settings(max_examples=100, deadline=None)
@given(case=one_sample_cases(), data=st.data())
def test_weight_factors_of_any_layer_match_autograd(case, data):
    network, x, y, loss, _, _ = case
    layer = data.draw(st.integers(1, network.num_layers))
    j = data.draw(st.integers(1, network.layer_sizes[layer]))
    k = data.draw(st.integers(1, network.layer_sizes[layer - 1]))
    factors = downstream.weight_factors(network, x, y, layer, j, k, loss)
    zs, activations = reference_forward(network.weights, network.biases,
                                        network.activation_names, x)
    slope = elementwise_derivative(REFERENCE_ACTIVATIONS[network.activation_names[layer - 1]],
                                   zs[layer])
    dC0_da = reference_activation_gradient(network, x, y, loss, layer)
    assert close(factors.dC0_da, dC0_da[j - 1], rtol=1e-8, atol=1e-12)
    assert close(factors.da_dz, slope[j - 1])
    assert close(factors.dz_dw, activations[layer - 1][k - 1])
    assert factors.output_layer == (layer == network.num_layers)
    weight_grads, _ = reference_parameter_gradients(network, x, y, loss)
    assert close(factors.product, weight_grads[layer - 1][j - 1, k - 1], rtol=1e-8, atol=1e-12)


@settings(max_examples=60, deadline=None)
@given(case=hidden_cases())
def test_one_term_alone_is_not_the_derivative(case):
    network, x, y, loss, layer, k = case
    result = downstream.downstream_sum(network, x, y, layer, k, loss)
    numeric = downstream.activation_derivative_by_finite_difference(network, x, y, layer, k, loss)
    scale = np.max(np.abs(result.terms))
    others = result.total - result.terms  # what each single term leaves out
    assume(scale > 1e-4 and np.min(np.abs(others)) > 0.01 * scale)
    for term in result.terms:
        assert relative_error(np.array(term), np.array(numeric)) > 1e-3
    assert close(result.total, numeric, rtol=1e-5, atol=1e-8)


# ---------------------------------------------------------------------------------------------
# the numbers chapter 4 prints, recomputed independently


EXAMPLE = running_example()
NETWORK, X, Y = EXAMPLE.network, EXAMPLE.x, EXAMPLE.y
LOSS = "squared_error"


def test_chapter_4_nudging_a4_moves_both_outputs():
    _, activations = reference_forward(NETWORK.weights, NETWORK.biases, ["sigmoid"] * 2, X)
    moved = activations[1].copy()
    moved[3] += 0.01
    after = REFERENCE_ACTIVATIONS["sigmoid"](NETWORK.weights[1] @ moved + NETWORK.biases[1])
    change = after - activations[2]
    assert change[0] > 5e-4 and change[1] < -4e-4  # printed as [ 0.0009 -0.0005]


def test_chapter_4_downstream_sum_of_a4():
    result = downstream.downstream_sum(NETWORK, X, Y, layer=1, k=4)
    zs, activations = reference_forward(NETWORK.weights, NETWORK.biases, ["sigmoid"] * 2, X)
    dC0_da2 = grad(lambda a: anp.sum((a - Y) ** 2))(activations[2])
    slopes = elementwise_derivative(REFERENCE_ACTIVATIONS["sigmoid"], zs[2])
    terms = dC0_da2 * slopes * NETWORK.weights[1][:, 3]
    assert close(result.terms, terms, rtol=1e-12)
    assert (terms < 0).all()  # "both terms are negative here"
    total = reference_activation_gradient(NETWORK, X, Y, LOSS, 1)[3]
    assert close(result.total, total, rtol=1e-12)
    numeric = downstream.activation_derivative_by_finite_difference(NETWORK, X, Y, 1, 4)
    assert relative_error(np.array(numeric), np.array(total)) < 1e-8
    # the chapter prints the relative errors of the single terms as 0.23 and 0.45
    assert [f"{relative_error(np.array(t), np.array(total)):.2f}" for t in terms] == ["0.23",
                                                                                      "0.45"]
    # Q4: the sum without the output slopes g'(z_j^[2]) is wrong (printed as 0.61)
    no_slopes = np.sum(dC0_da2 * NETWORK.weights[1][:, 3])
    assert f"{relative_error(np.array(no_slopes), np.array(total)):.2f}" == "0.61"
    assert close(np.sum(result.dC0_da_next * result.weights_out), no_slopes, rtol=1e-12)


def test_chapter_4_hidden_weight_w43():
    factors = downstream.weight_factors(NETWORK, X, Y, layer=1, j=4, k=3)
    zs, _ = reference_forward(NETWORK.weights, NETWORK.biases, ["sigmoid"] * 2, X)
    weight_grads, _ = reference_parameter_gradients(NETWORK, X, Y, LOSS)
    assert close(factors.dC0_da, reference_activation_gradient(NETWORK, X, Y, LOSS, 1)[3])
    assert close(factors.da_dz, elementwise_derivative(REFERENCE_ACTIVATIONS["sigmoid"],
                                                       zs[1])[3])
    assert factors.dz_dw == X[2] == 2.0
    assert close(factors.product, weight_grads[0][3, 2], rtol=1e-12)
    # one path only: the term through output 2 times the last two factors
    _, activations = reference_forward(NETWORK.weights, NETWORK.biases, ["sigmoid"] * 2, X)
    sigmoid_slope = elementwise_derivative(REFERENCE_ACTIVATIONS["sigmoid"], np.concatenate(
        [zs[1], zs[2]]))
    one_path = (2 * (activations[2][1] - Y[1]) * sigmoid_slope[4 + 1] * NETWORK.weights[1][1, 3]
                * sigmoid_slope[3] * X[2])
    result = downstream.downstream_sum(NETWORK, X, Y, layer=1, k=4)
    assert close(result.terms[1] * factors.da_dz * factors.dz_dw, one_path, rtol=1e-12)
    assert f"{relative_error(np.array(one_path), np.array(weight_grads[0][3, 2])):.2f}" == "0.45"


def test_chapter_4_long_product_is_the_input_gradient():
    """The Jacobian product of the chapter, built here with autograd, equals dC0/dx."""
    by_sums = np.array([downstream.downstream_sum(NETWORK, X, Y, layer=0, k=k).total
                        for k in (1, 2, 3)])
    expected = reference_activation_gradient(NETWORK, X, Y, LOSS, 0)
    assert close(by_sums, expected, rtol=1e-12)
    numeric = np.array([downstream.activation_derivative_by_finite_difference(NETWORK, X, Y, 0, k)
                        for k in (1, 2, 3)])
    assert relative_error(numeric, expected) < 1e-8


def test_chapter_4_input_lives_in_the_slopes_of_the_compact_product():
    """The long product at another input x': the factors of x reused are wrong (the chapter prints
    0.11), the factors recomputed from x' give autograd's dC0/dx'."""
    x_other = np.array([1.0, 0.0, -1.0])

    def compact_product(sample):
        zs, activations = reference_forward(NETWORK.weights, NETWORK.biases, ["sigmoid"] * 2,
                                            sample)
        result = grad(lambda a: anp.sum((a - Y) ** 2))(activations[2])
        for layer in (2, 1):
            slope = elementwise_derivative(REFERENCE_ACTIVATIONS["sigmoid"], zs[layer])
            result = (result * slope) @ NETWORK.weights[layer - 1]
        return result

    expected = reference_activation_gradient(NETWORK, x_other, Y, LOSS, 0)
    assert close(compact_product(x_other), expected, rtol=1e-12)
    assert close(compact_product(X), reference_activation_gradient(NETWORK, X, Y, LOSS, 0),
                 rtol=1e-12)
    assert f"{relative_error(compact_product(X), expected):.2f}" == "0.11"
    numeric = np.array([downstream.activation_derivative_by_finite_difference(
        NETWORK, x_other, Y, 0, k) for k in (1, 2, 3)])
    assert relative_error(numeric, expected) < 1e-8


def test_chapter_4_paths_of_a_deeper_network():
    """Rebuild the chapter's seeded network; its loops, the path sum and autograd agree."""
    rng = np.random.default_rng(7)
    deep = MLP.random([3, 4, 4, 2], ["tanh", "sigmoid", "sigmoid"], rng)
    x, y = rng.normal(size=3), np.array([1.0, 0.0])
    zs, activations = reference_forward(deep.weights, deep.biases, deep.activation_names, x)
    slopes = [None] + [elementwise_derivative(REFERENCE_ACTIVATIONS[name], zs[layer])
                       for layer, name in enumerate(deep.activation_names, start=1)]
    dC0_da3 = 2 * (activations[3] - y)
    path_sum = sum(x[0] * slopes[1][0] * deep.weights[1][j2, 0] * slopes[2][j2]
                   * deep.weights[2][j3, j2] * slopes[3][j3] * dC0_da3[j3]
                   for j2, j3 in itertools.product(range(4), range(2)))
    weight_grads, _ = reference_parameter_gradients(deep, x, y, LOSS)
    assert close(path_sum, weight_grads[0][0, 0], rtol=1e-10)
    loops = downstream.backpropagate_by_loops(deep, x, y)
    assert close(loops.weights[0][0, 0], weight_grads[0][0, 0], rtol=1e-10)
    assert abs(weight_grads[0][0, 0]) > 0.01  # printed with 6 decimals: enough digits


def test_chapter_4_loops_on_the_running_example():
    loops = downstream.backpropagate_by_loops(NETWORK, X, Y)
    weight_grads, bias_grads = reference_parameter_gradients(NETWORK, X, Y, LOSS)
    for ours, theirs in zip(loops.weights + loops.biases, weight_grads + bias_grads):
        assert close(ours, theirs, rtol=1e-12)
    deltas = [reference_delta(NETWORK, X, Y, LOSS, layer) for layer in (1, 2)]
    for ours, theirs in zip(loops.deltas, deltas):
        assert close(ours, theirs, rtol=1e-12)
    # the figure: the largest layer-1 error (0.039) is less than a quarter of the smallest layer-2
    # error (0.178), and in layer 1 the lines from x_3 are thicker than those from x_2, which are
    # thicker than those from x_1
    assert np.max(np.abs(deltas[0])) < np.min(np.abs(deltas[1])) / 4
    assert [f"{np.max(np.abs(deltas[0])):.3f}", f"{np.min(np.abs(deltas[1])):.3f}"] == ["0.039",
                                                                                       "0.178"]
    magnitude = np.abs(weight_grads[0])
    assert (magnitude[:, 2] > magnitude[:, 1]).all() and (magnitude[:, 1] > magnitude[:, 0]).all()


def test_chapter_4_random_networks_of_the_comparison_cell():
    """The chapter's comparison cell, rebuilt from its seed, checked against autograd."""
    rng = np.random.default_rng(7)
    MLP.random([3, 4, 4, 2], ["tanh", "sigmoid", "sigmoid"], rng)
    rng.normal(size=3)  # the deep example used these draws first
    for sizes, names in [((2, 5, 1), ["tanh", "identity"]),
                         ((4, 3, 3, 2), ["relu", "tanh", "sigmoid"]),
                         ((3, 5, 4, 5, 2), ["sigmoid", "relu", "tanh", "identity"])]:
        network = MLP.random(sizes, names, rng)
        x, y = rng.normal(size=sizes[0]), rng.normal(size=sizes[-1])
        loops = downstream.backpropagate_by_loops(network, x, y)
        weight_grads, bias_grads = reference_parameter_gradients(network, x, y, LOSS)
        for ours, theirs in zip(loops.weights + loops.biases, weight_grads + bias_grads):
            assert close(ours, theirs, rtol=1e-9, atol=1e-14)


# ---------------------------------------------------------------------------------------------
# the printed table


def test_downstream_table_lists_every_term_and_the_sum():
    text = str(downstream.downstream_sum(NETWORK, X, Y, layer=1, k=4))
    lines = text.splitlines()
    assert lines[0] == "dC0/da_4^[1] = sum over the 2 node(s) j of layer 2"
    assert "dC0/da_j^[2]" in lines[1] and "g'(z_j^[2])" in lines[1] and "w_j4^[2]" in lines[1]
    assert lines[3].split()[0] == "1" and lines[4].split()[0] == "2"
    assert lines[-1].startswith("sum")
    inputs = str(downstream.downstream_sum(NETWORK, X, Y, layer=0, k=3))
    assert inputs.splitlines()[0] == "dC0/dx_3 = sum over the 4 node(s) j of layer 1"
    hidden = str(downstream.weight_factors(NETWORK, X, Y, layer=1, j=4, k=3))
    assert "sum over the nodes of layer 2 that a_4^[1] feeds" in hidden


# ---------------------------------------------------------------------------------------------
# input checks and caller arrays


def test_bad_layers_and_nodes_are_named():
    with pytest.raises(ValueError, match=r"layer must be a layer number from 0 to 1 \(a layer "
                                         r"with nodes after it"):
        downstream.downstream_sum(NETWORK, X, Y, layer=2, k=1)
    with pytest.raises(ValueError, match=r"k must be a node number from 1 to 4 \(layer 1 has 4 "
                                         r"node\(s\)\), got 5"):
        downstream.downstream_sum(NETWORK, X, Y, layer=1, k=5)
    with pytest.raises(ValueError, match=r"layer must be a layer number from 1 to 2 \(the layers "
                                         r"with weights\), got 3"):
        downstream.weight_factors(NETWORK, X, Y, layer=3, j=1, k=1)
    with pytest.raises(ValueError, match=r"j must be a node number from 1 to 4 .* got 0. Node "
                                         r"numbers count from 1"):
        downstream.weight_factors(NETWORK, X, Y, layer=1, j=0, k=1)
    with pytest.raises(ValueError, match=r"layer must be a layer number from 0 to 2 \(0 for the "
                                         r"input, up to L for the output\), got -1"):
        downstream.activation_derivative_by_finite_difference(NETWORK, X, Y, layer=-1, k=1)
    with pytest.raises(ValueError, match="step must be a positive number, got 0"):
        downstream.activation_derivative_by_finite_difference(NETWORK, X, Y, 1, 1, step=0)
    with pytest.raises(TypeError, match="layer must be an integer layer number from 0 to 1, got "
                                        "float 1.0"):
        downstream.downstream_sum(NETWORK, X, Y, layer=1.0, k=1)


def test_bad_samples_are_named():
    with pytest.raises(ValueError, match=r"x must be 1-D, got a 2-D array of shape \(4, 3\). "
                                         r"Expected shape \(3,\)"):
        downstream.backpropagate_by_loops(NETWORK, EXAMPLE.X, Y)
    with pytest.raises(ValueError, match=r"y must have shape \(2,\), got shape \(1,\)"):
        downstream.backpropagate_by_loops(NETWORK, X, np.array([1.0]))
    with pytest.raises(TypeError, match="network must be a backproplib.network.MLP, got dict"):
        downstream.backpropagate_by_loops({}, X, Y)
    with pytest.raises(ValueError, match="unknown loss 'l1'"):
        downstream.downstream_sum(NETWORK, X, Y, 1, 1, loss="l1")
    with pytest.raises(ValueError, match=r"y must contain only finite numbers, but it holds inf"):
        downstream.weight_factors(NETWORK, X, np.array([np.inf, 0.0]), 1, 1, 1)


def test_output_activation_derivative_and_cross_entropy():
    """Layer L of the finite difference is the loss's own derivative; BCE is supported."""
    numeric = downstream.activation_derivative_by_finite_difference(NETWORK, X, Y, layer=2, k=2)
    _, activations = reference_forward(NETWORK.weights, NETWORK.biases, ["sigmoid"] * 2, X)
    assert close(numeric, 2 * (activations[2][1] - Y[1]), rtol=1e-7)
    loops = downstream.backpropagate_by_loops(NETWORK, X, Y, "binary_cross_entropy")
    weight_grads, _ = reference_parameter_gradients(NETWORK, X, Y, "binary_cross_entropy")
    assert close(loops.weights[0], weight_grads[0], rtol=1e-10)


def test_caller_arrays_and_network_are_unchanged():
    network = running_example().network
    x, y = X.copy(), Y.copy()
    weights = [w.copy() for w in network.weights]
    biases = [b.copy() for b in network.biases]
    result = downstream.downstream_sum(network, x, y, 1, 4)
    result.weights_out[0] = 99.0  # the result holds its own copy of the column of W
    gradients = downstream.backpropagate_by_loops(network, x, y)
    gradients.deltas[0][0] = 99.0
    downstream.weight_factors(network, x, y, 1, 4, 3)
    downstream.activation_derivative_by_finite_difference(network, x, y, 0, 2)
    np.testing.assert_array_equal(x, X)
    np.testing.assert_array_equal(y, Y)
    for now, before in zip(network.weights + network.biases, weights + biases):
        np.testing.assert_array_equal(now, before)
    assert downstream.backpropagate_by_loops(network, x, y).deltas[0][0] != 99.0
