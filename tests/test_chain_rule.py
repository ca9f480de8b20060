"""backproplib.chain_rule: the three factors of one weight, checked against autograd and finite
differences; and every gradient number chapter 3 prints, recomputed independently."""

from __future__ import annotations

import json
import re
from pathlib import Path

import autograd.numpy as anp
import numpy as np
import pytest
from autograd import grad, jacobian
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from backproplib import chain_rule
from backproplib.gradcheck import relative_error
from backproplib.network import MLP
from backproplib.running_example import running_example

from .finite_differences import assert_matches_finite_differences
from .reference import REFERENCE_ACTIVATIONS, elementwise_derivative, reference_gradients

ROOT = Path(__file__).resolve().parent.parent
ACTIVATION_NAMES = ["sigmoid", "tanh", "relu", "identity"]


# ---------------------------------------------------------------------------------------------
# independent references (autograd.numpy, written from the book's definitions)


def reference_loss_of_output(a, y, loss):
    """C_0 as a function of the output activation a^[L] of one sample."""
    if loss == "squared_error":
        return anp.sum((a - y) ** 2)
    return -anp.sum(y * anp.log(a) + (1 - y) * anp.log(1 - a))


def reference_forward(weights, biases, names, x):
    """Lists z[l] (l = 1..L, z[0] = None) and a[l] (l = 0..L) of one sample."""
    zs, activations = [None], [x]
    for W, b, name in zip(weights, biases, names):
        zs.append(anp.dot(W, activations[-1]) + b)
        activations.append(REFERENCE_ACTIVATIONS[name](zs[-1]))
    return zs, activations


def reference_sample_loss(weights, biases, names, x, y, loss):
    return reference_loss_of_output(reference_forward(weights, biases, names, x)[1][-1], y, loss)


def reference_weight_gradient(network, x, y, loss, layer):
    """dC0/dW^[layer] of one sample by autograd (reference_gradients on a batch of one row)."""
    weight_grads, _ = reference_gradients(network.weights, network.biases,
                                          network.activation_names, x.reshape(1, -1),
                                          y.reshape(1, -1), loss)
    return weight_grads[layer - 1]


def away_from_kinks(network, x, margin=1e-2):
    """The same network with relu biases moved so that every relu |z| >= margin for this x."""
    weights = [w.copy() for w in network.weights]
    biases = [b.copy() for b in network.biases]
    activation = x
    for index, name in enumerate(network.activation_names):
        z = weights[index] @ activation + biases[index]
        if name == "relu":
            close = np.abs(z) < margin
            biases[index] = biases[index] + np.where(close, np.where(z >= 0, 2, -2) * margin, 0.0)
            z = weights[index] @ activation + biases[index]
        activation = np.asarray(REFERENCE_ACTIVATIONS[name](z))
    return MLP(weights, biases, network.activation_names)


@st.composite
def one_sample_cases(draw, loss=None):
    """A random network (1-4 layers, widths 1-5, any activations), one sample and a weight (j, k)
    of the output layer, counted from 1."""
    depth = draw(st.integers(1, 4))
    sizes = [draw(st.integers(1, 5)) for _ in range(depth + 1)]
    loss = loss or draw(st.sampled_from(["squared_error", "binary_cross_entropy"]))
    names = [draw(st.sampled_from(ACTIVATION_NAMES)) for _ in range(depth - 1)]
    names.append("sigmoid" if loss == "binary_cross_entropy"
                 else draw(st.sampled_from(ACTIVATION_NAMES)))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    x = rng.normal(size=sizes[0])
    if loss == "binary_cross_entropy":
        y = rng.integers(0, 2, size=sizes[-1]).astype(float)
    else:
        y = rng.normal(size=sizes[-1])
    network = away_from_kinks(MLP.random(sizes, names, rng), x)
    j = draw(st.integers(1, sizes[-1]))
    k = draw(st.integers(1, sizes[-2]))
    return network, x, y, loss, j, k


def close(ours, theirs, rtol=1e-9, atol=1e-12):
    return bool(np.allclose(ours, theirs, rtol=rtol, atol=atol))


# ---------------------------------------------------------------------------------------------
# the factors and their product on random networks


@settings(max_examples=80, deadline=None)
@given(case=one_sample_cases())
def test_each_factor_matches_autograd(case):
    network, x, y, loss, j, k = case
    factors = chain_rule.output_weight_factors(network, x, y, j, k, loss)
    zs, activations = reference_forward(network.weights, network.biases,
                                        network.activation_names, x)
    L = network.num_layers
    dC0_da = grad(lambda a: reference_loss_of_output(a, y, loss))(activations[L])
    slope = elementwise_derivative(REFERENCE_ACTIVATIONS[network.activation_names[-1]], zs[L])
    W, b, a_prev = network.weights[-1], network.biases[-1], activations[L - 1]
    dz_dW = grad(lambda weights: (anp.dot(weights, a_prev) + b)[j - 1])(W)
    assert close(factors.dC0_da, dC0_da[j - 1])
    assert close(factors.da_dz, slope[j - 1])
    assert close(factors.dz_dw, dz_dW[j - 1, k - 1])
    assert close(factors.weighted_input, zs[L][j - 1])
    assert close(factors.activation, activations[L][j - 1])
    assert (factors.layer, factors.j, factors.k, factors.output_layer) == (L, j, k, True)


@settings(max_examples=80, deadline=None)
@given(case=one_sample_cases())
def test_product_matches_autograd_and_finite_differences(case):
    network, x, y, loss, j, k = case
    product = chain_rule.output_weight_factors(network, x, y, j, k, loss).product
    expected = reference_weight_gradient(network, x, y, loss, network.num_layers)[j - 1, k - 1]
    assert close(product, expected, rtol=1e-8)
    numeric = chain_rule.weight_derivative_by_finite_difference(network, x, y,
                                                               network.num_layers, j, k, loss)
    assert_matches_finite_differences(product, numeric,
                                      function_scale=chain_rule.sample_loss(network, x, y, loss))


@settings(max_examples=60, deadline=None)
@given(case=one_sample_cases())
def test_matrix_by_entries_matches_autograd(case):
    network, x, y, loss, _, _ = case
    matrix = chain_rule.output_weight_gradient_by_entries(network, x, y, loss)
    expected = reference_weight_gradient(network, x, y, loss, network.num_layers)
    assert matrix.shape == network.weights[-1].shape
    assert close(matrix, expected, rtol=1e-8)


@settings(max_examples=60, deadline=None)
@given(case=one_sample_cases(), data=st.data())
def test_finite_difference_of_any_weight_matches_autograd(case, data):
    network, x, y, loss, _, _ = case
    layer = data.draw(st.integers(1, network.num_layers))
    j = data.draw(st.integers(1, network.layer_sizes[layer]))
    k = data.draw(st.integers(1, network.layer_sizes[layer - 1]))
    numeric = chain_rule.weight_derivative_by_finite_difference(network, x, y, layer, j, k, loss)
    expected = reference_weight_gradient(network, x, y, loss, layer)[j - 1, k - 1]
    assert_matches_finite_differences(expected, numeric,
                                      function_scale=chain_rule.sample_loss(network, x, y, loss))


@settings(max_examples=60, deadline=None)
@given(case=one_sample_cases())
def test_sample_loss_matches_autograd_reference(case):
    network, x, y, loss, _, _ = case
    expected = reference_sample_loss(network.weights, network.biases, network.activation_names,
                                     x, y, loss)
    assert chain_rule.sample_loss(network, x, y, loss) == pytest.approx(float(expected),
                                                                        rel=1e-10, abs=1e-12)


# ---------------------------------------------------------------------------------------------
# the wrong slope g'(a)


@settings(max_examples=60, deadline=None)
@given(case=one_sample_cases(loss="squared_error"),
       name=st.sampled_from(["sigmoid", "tanh"]))
def test_g_prime_of_a_disagrees_with_finite_differences(case, name):
    network, x, y, loss, j, k = case
    network = MLP(network.weights, network.biases, network.activation_names[:-1] + [name])
    right = chain_rule.output_weight_factors(network, x, y, j, k, loss)
    wrong = chain_rule.output_weight_factors_g_prime_of_a(network, x, y, j, k, loss)
    numeric = chain_rule.weight_derivative_by_finite_difference(network, x, y,
                                                               network.num_layers, j, k, loss)
    # the two slopes coincide where |g(z)| = |z| (z = 0 for tanh, two points for the sigmoid), and
    # a zero factor makes both products zero: keep the cases where they really differ
    assume(abs(wrong.da_dz - right.da_dz) > 1e-3 * right.da_dz)
    assume(abs(right.dC0_da * right.dz_dw) > 1e-3 and right.da_dz > 1e-3)
    slope_at_a = elementwise_derivative(REFERENCE_ACTIVATIONS[name], np.array([right.activation]))
    assert close(wrong.da_dz, slope_at_a[0])
    assert wrong.slope_evaluated_at == "a"
    assert_matches_finite_differences(right.product, numeric,
                                      function_scale=chain_rule.sample_loss(network, x, y, loss))
    assert relative_error(np.array(wrong.product), np.array(numeric)) > 1e-4


@pytest.mark.parametrize("name", ["relu", "identity"])
def test_g_prime_of_a_is_harmless_for_relu_and_identity(name):
    """Chapter 3 says the mistake is invisible for relu and identity output layers."""
    rng = np.random.default_rng(12)
    for _ in range(10):
        x = rng.normal(size=3)
        network = away_from_kinks(MLP.random([3, 4, 2], ["tanh", name], rng), x)
        for j in (1, 2):
            right = chain_rule.output_weight_factors(network, x, np.zeros(2), j, 1)
            wrong = chain_rule.output_weight_factors_g_prime_of_a(network, x, np.zeros(2), j, 1)
            assert wrong.da_dz == right.da_dz
    # independently: relu(z) > 0 exactly when z > 0, and the identity's slope is 1 everywhere
    z = np.linspace(-6, 6, 121)
    assert np.array_equal(np.maximum(z, 0) > 0, z > 0)


# ---------------------------------------------------------------------------------------------
# the numbers chapter 3 prints, recomputed independently with autograd


EXAMPLE = running_example()
J, K = 2, 4  # w_24^[2]


def example_reference():
    network, x, y = EXAMPLE.network, EXAMPLE.x, EXAMPLE.y
    zs, activations = reference_forward(network.weights, network.biases, ["sigmoid"] * 2, x)
    sigmoid = REFERENCE_ACTIVATIONS["sigmoid"]
    return {
        "z2": zs[2], "a2": activations[2], "a1": activations[1],
        "dC0_da": grad(lambda a: anp.sum((a - y) ** 2))(activations[2]),
        "slope_at_z": elementwise_derivative(sigmoid, zs[2]),
        "slope_at_a": elementwise_derivative(sigmoid, activations[2]),
        "gradient_W2": reference_weight_gradient(network, x, y, "squared_error", 2),
    }


def test_chapter_3_forward_pass_and_loss():
    network, x, y = EXAMPLE.network, EXAMPLE.x, EXAMPLE.y
    forward = chain_rule.forward_one_sample(network, x)
    zs, activations = reference_forward(network.weights, network.biases, ["sigmoid"] * 2, x)
    for layer in (1, 2):
        assert close(forward.weighted_inputs[layer], zs[layer])
        assert close(forward.activations[layer], activations[layer])
    assert close(forward.activations[0], x)
    expected_loss = reference_sample_loss(network.weights, network.biases, ["sigmoid"] * 2, x, y,
                                          "squared_error")
    assert chain_rule.sample_loss(network, x, y) == pytest.approx(float(expected_loss), rel=1e-12)


def test_chapter_3_three_factors_of_w24():
    ref = example_reference()
    factors = chain_rule.output_weight_factors(EXAMPLE.network, EXAMPLE.x, EXAMPLE.y, J, K)
    assert close(factors.dC0_da, ref["dC0_da"][J - 1])
    assert close(factors.da_dz, ref["slope_at_z"][J - 1])
    assert close(factors.dz_dw, ref["a1"][K - 1])
    assert close(factors.product, ref["gradient_W2"][J - 1, K - 1])
    # the by-hand cell of the chapter: sigma'(z) written with a is the same number
    a = ref["a2"][J - 1]
    assert close(a * (1 - a), ref["slope_at_z"][J - 1])


def test_chapter_3_finite_difference_and_nudge():
    ref = example_reference()
    network, x, y = EXAMPLE.network, EXAMPLE.x, EXAMPLE.y
    numeric = chain_rule.weight_derivative_by_finite_difference(network, x, y, 2, J, K)
    assert relative_error(np.array(numeric), np.array(ref["gradient_W2"][J - 1, K - 1])) < 1e-8
    # raising w_24 by 0.01 changes the loss by about 0.01 times the derivative
    weights = [w.copy() for w in network.weights]
    weights[1][J - 1, K - 1] += 0.01
    before = reference_sample_loss(network.weights, network.biases, ["sigmoid"] * 2, x, y,
                                   "squared_error")
    after = reference_sample_loss(weights, network.biases, ["sigmoid"] * 2, x, y, "squared_error")
    nudged = network.copy()
    nudged.weights[1][J - 1, K - 1] += 0.01
    assert chain_rule.sample_loss(nudged, x, y) == pytest.approx(float(after), rel=1e-12)
    predicted = 0.01 * ref["gradient_W2"][J - 1, K - 1]
    assert float(after - before) == pytest.approx(predicted, rel=0.01)


def test_chapter_3_wrong_slope_numbers():
    ref = example_reference()
    wrong = chain_rule.output_weight_factors_g_prime_of_a(EXAMPLE.network, EXAMPLE.x, EXAMPLE.y,
                                                          J, K)
    assert close(wrong.da_dz, ref["slope_at_a"][J - 1])
    expected_wrong = ref["dC0_da"][J - 1] * ref["slope_at_a"][J - 1] * ref["a1"][K - 1]
    assert close(wrong.product, expected_wrong)
    right = ref["gradient_W2"][J - 1, K - 1]
    # the chapter: "relative error 1.5e-02", "off by 3 %"
    assert f"{relative_error(np.array(expected_wrong), np.array(right)):.1e}" == "1.5e-02"
    assert 0.025 < (right - expected_wrong) / right < 0.035


def test_chapter_3_slope_figure_claims():
    """Near z = 0 the slopes are close; by |z| = 3 the wrong one is over four times too large."""
    for name in ("sigmoid", "tanh"):
        g = REFERENCE_ACTIVATIONS[name]
        for z in (-3.0, 3.0):
            right = elementwise_derivative(g, np.array([z]))[0]
            wrong = elementwise_derivative(g, g(np.array([z])))[0]
            assert wrong > 4 * right
    sigmoid = REFERENCE_ACTIVATIONS["sigmoid"]
    z = np.linspace(-6, 6, 401)
    wrong = elementwise_derivative(sigmoid, sigmoid(z))
    assert 0.19 < wrong.min() and wrong.max() <= 0.25


def test_chapter_3_dot_product():
    ref = example_reference()
    network, x = EXAMPLE.network, EXAMPLE.x
    W2 = network.weights[1]

    def outputs(w24):
        mask = np.zeros_like(W2)
        mask[J - 1, K - 1] = 1.0
        weights = [network.weights[0], W2 * (1 - mask) + w24 * mask]
        return reference_forward(weights, network.biases, ["sigmoid"] * 2, x)[1][2]

    da_dw24 = jacobian(outputs)(W2[J - 1, K - 1])
    assert da_dw24[0] == 0.0
    assert close(da_dw24[1], ref["slope_at_z"][J - 1] * ref["a1"][K - 1])
    assert close(ref["dC0_da"] @ da_dw24, ref["gradient_W2"][J - 1, K - 1])


def test_chapter_3_matrix_of_per_entry_derivatives():
    ref = example_reference()
    matrix = chain_rule.output_weight_gradient_by_entries(EXAMPLE.network, EXAMPLE.x, EXAMPLE.y)
    assert close(matrix, ref["gradient_W2"], rtol=1e-12)
    # the figure caption: row 1 all negative (output 1 too small), row 2 all positive
    assert (ref["gradient_W2"][0] < 0).all() and (ref["gradient_W2"][1] > 0).all()


def test_chapter_3_summary_table_matches_autograd():
    """The summary table of chapter 3 is typed in markdown: recompute its four numbers."""
    notebook = json.loads((ROOT / "book" / "03_chain_rule_single_weight.ipynb").read_text())
    summary = next("".join(cell["source"]) for cell in notebook["cells"]
                   if cell["cell_type"] == "markdown" and "## Summary" in "".join(cell["source"]))
    printed = [float(value) for value in re.findall(r"\| \$(-?\d\.\d{6})\$ \|", summary)]
    ref = example_reference()
    dC0_da, slope, a_k = ref["dC0_da"][J - 1], ref["slope_at_z"][J - 1], ref["a1"][K - 1]
    expected = [dC0_da, slope, a_k, ref["gradient_W2"][J - 1, K - 1]]
    assert printed == [round(float(value), 6) for value in expected]


# ---------------------------------------------------------------------------------------------
# the printed table


def test_table_names_each_factor_and_its_meaning():
    factors = chain_rule.output_weight_factors(EXAMPLE.network, EXAMPLE.x, EXAMPLE.y, J, K)
    text = str(factors)
    for label in ("dC0/da_2^[2]", "da_2^[2]/dz_2^[2]", "dz_2^[2]/dw_24^[2]", "product",
                  "2(a_2 - y_2)", "g'(z_2) = sigmoid'(", "a_4^[1]: the activation that w_24"):
        assert label in text
    assert f"{factors.product:11.6f}" in text
    wrong = str(chain_rule.output_weight_factors_g_prime_of_a(EXAMPLE.network, EXAMPLE.x,
                                                              EXAMPLE.y, J, K))
    assert "WRONG, g' taken at a_2" in wrong and "NOT dC0/dw_24^[2]" in wrong


def test_table_for_a_first_layer_weight_and_cross_entropy():
    rng = np.random.default_rng(3)
    network = MLP.random([2, 3], ["sigmoid"], rng)
    factors = chain_rule.output_weight_factors(network, np.array([0.5, -1.0]),
                                               np.array([1.0, 0.0, 1.0]), 3, 2,
                                               "binary_cross_entropy")
    assert "x_2: the input that w_32 multiplies" in str(factors)
    assert "slope of the cross-entropy in a_3" in str(factors)


# ---------------------------------------------------------------------------------------------
# input checks


NETWORK, X, Y = EXAMPLE.network, EXAMPLE.x, EXAMPLE.y


@pytest.mark.parametrize(
    "arguments, error, message",
    [
        (("not a network", X, Y, 1, 1), TypeError,
         "network must be a backproplib.network.MLP, got str"),
        ((NETWORK, X.reshape(1, -1), Y, 1, 1), ValueError,
         "x must be 1-D, got a 2-D array of shape (1, 3). Expected shape (3,): one sample is a "
         "1-D vector; for row i of a batch X pass X[i]"),
        ((NETWORK, X[:2], Y, 1, 1), ValueError,
         "x must have shape (3,), got shape (2,). The network has 3 inputs"),
        ((NETWORK, X, np.ones(3), 1, 1), ValueError,
         "y must have shape (2,), got shape (3,). The network has 2 output nodes"),
        ((NETWORK, np.array([0.5, np.nan, 2.0]), Y, 1, 1), ValueError,
         "x must contain only finite numbers, but it holds nan at index (1,) (1 non-finite "
         "value(s) in all)"),
        ((NETWORK, "x", Y, 1, 1), TypeError, "x must be an array of numbers, got str 'x'"),
        ((NETWORK, X, Y, 0, 1), ValueError,
         "j must be a node number from 1 to 2 (layer 2 has 2 node(s)), got 0. Node numbers "
         "count from 1, as in the math: w_11 is stored at W[0, 0]."),
        ((NETWORK, X, Y, 3, 1), ValueError,
         "j must be a node number from 1 to 2 (layer 2 has 2 node(s)), got 3."),
        ((NETWORK, X, Y, 1, 5), ValueError,
         "k must be a node number from 1 to 4 (layer 1 has 4 node(s)), got 5."),
        ((NETWORK, X, Y, 1.0, 1), TypeError,
         "j must be an integer node number from 1 to 2, got float 1.0"),
        ((NETWORK, X, Y, 1, True), TypeError,
         "k must be an integer node number from 1 to 4, got bool True"),
    ],
    ids=["network", "x-2d", "x-length", "y-shape", "x-nan", "x-string", "j-zero", "j-too-big",
         "k-too-big", "j-float", "k-bool"],
)
def test_bad_input_is_named(arguments, error, message):
    with pytest.raises(error) as raised:
        chain_rule.output_weight_factors(*arguments)
    assert str(raised.value) == message


def test_bad_losses_are_named():
    with pytest.raises(ValueError, match="unknown loss 'hinge'; expected one of 'squared_error'"):
        chain_rule.output_weight_factors(NETWORK, X, Y, 1, 1, "hinge")
    with pytest.raises(TypeError, match="loss must be a string, got int 3"):
        chain_rule.output_weight_gradient_by_entries(NETWORK, X, Y, 3)
    linear = MLP(NETWORK.weights, NETWORK.biases, ["sigmoid", "identity"])
    with pytest.raises(ValueError, match="needs a sigmoid output layer .* is 'identity'"):
        chain_rule.output_weight_factors(linear, X, Y, 1, 1, "binary_cross_entropy")
    with pytest.raises(ValueError, match=r"y must lie in \[0, 1\] for binary cross-entropy, got "
                                         r"values from -1.0 to 0.0"):
        chain_rule.sample_loss(NETWORK, X, np.array([-1.0, 0.0]), "binary_cross_entropy")


def test_bad_layer_and_step_of_the_finite_difference():
    with pytest.raises(ValueError, match=r"layer must be a layer number from 1 to 2 \(the layers "
                                         r"with weights\), got 0"):
        chain_rule.weight_derivative_by_finite_difference(NETWORK, X, Y, 0, 1, 1)
    with pytest.raises(TypeError, match="layer must be an integer layer number from 1 to 2, got "
                                        "str '2'"):
        chain_rule.weight_derivative_by_finite_difference(NETWORK, X, Y, "2", 1, 1)
    with pytest.raises(ValueError, match=r"k must be a node number from 1 to 3 \(layer 0 has 3"):
        chain_rule.weight_derivative_by_finite_difference(NETWORK, X, Y, 1, 1, 4)
    with pytest.raises(ValueError, match="step must be a positive number, got -1e-06"):
        chain_rule.weight_derivative_by_finite_difference(NETWORK, X, Y, 1, 1, 1, step=-1e-6)


def test_forward_one_sample_checks_its_input():
    with pytest.raises(TypeError, match="network must be a backproplib.network.MLP, got list"):
        chain_rule.forward_one_sample([], X)
    with pytest.raises(ValueError, match=r"x must be 1-D, got a 2-D array of shape \(4, 3\)"):
        chain_rule.forward_one_sample(NETWORK, EXAMPLE.X)
    with pytest.raises(ValueError, match=r"x must have shape \(3,\), got shape \(4,\)"):
        chain_rule.forward_one_sample(NETWORK, np.ones(4))


def test_numpy_integers_are_accepted_as_indices():
    factors = chain_rule.output_weight_factors(NETWORK, X, Y, np.int64(2), np.int32(4))
    assert (factors.j, factors.k) == (2, 4) and isinstance(factors.j, int)


def test_caller_arrays_and_network_are_unchanged():
    network = running_example().network
    x, y = X.copy(), Y.copy()
    weights = [w.copy() for w in network.weights]
    biases = [b.copy() for b in network.biases]
    chain_rule.output_weight_factors(network, x, y, 2, 4)
    chain_rule.output_weight_factors_g_prime_of_a(network, x, y, 2, 4)
    chain_rule.output_weight_gradient_by_entries(network, x, y)
    chain_rule.weight_derivative_by_finite_difference(network, x, y, 1, 2, 3)
    chain_rule.sample_loss(network, x, y)
    forward = chain_rule.forward_one_sample(network, x)
    forward.activations[0][0] = 99.0  # the forward pass holds its own copy of x
    np.testing.assert_array_equal(x, X)
    np.testing.assert_array_equal(y, Y)
    for now, before in zip(network.weights + network.biases, weights + biases):
        np.testing.assert_array_equal(now, before)
