import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backproplib.gradcheck import numerical_gradients, relative_error
from backproplib.network import MLP, Gradients

from .finite_differences import assert_matches_finite_differences
from .reference import reference_cost, reference_gradients

HIDDEN = ["sigmoid", "tanh", "relu", "identity"]


@st.composite
def networks_and_data(draw, loss=None):
    """A random network (1-4 layers, widths 1-5, random activations), a batch and targets."""
    depth = draw(st.integers(1, 4))
    sizes = [draw(st.integers(1, 5)) for _ in range(depth + 1)]
    m = draw(st.integers(1, 6))
    loss = loss or draw(st.sampled_from(["squared_error", "binary_cross_entropy"]))
    names = [draw(st.sampled_from(HIDDEN)) for _ in range(depth - 1)]
    names.append("sigmoid" if loss == "binary_cross_entropy" else draw(st.sampled_from(HIDDEN)))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    network = MLP.random(sizes, names, rng)
    X = rng.normal(size=(m, sizes[0]))
    if loss == "binary_cross_entropy":
        Y = rng.integers(0, 2, size=(m, sizes[-1])).astype(float)
    else:
        Y = rng.normal(size=(m, sizes[-1]))
    return network, X, Y, loss


def no_relu_kinks(network, X):
    """True when no relu weighted input lies within 1e-4 of its kink (finite differences jump)."""
    forward = network.forward(X)
    return all(
        name != "relu" or np.min(np.abs(z)) > 1e-4
        for name, z in zip(network.activation_names, forward.weighted_inputs)
    )


@settings(max_examples=150, deadline=None)
@given(case=networks_and_data())
def test_gradients_match_autograd_to_1e_8(case):
    network, X, Y, loss = case
    cost, grads = network.cost_and_gradients(X, Y, loss)
    expected_cost = reference_cost(network.weights, network.biases, network.activation_names, X, Y,
                                   loss)
    assert cost == pytest.approx(float(expected_cost), rel=1e-12, abs=1e-14)
    weight_grads, bias_grads = reference_gradients(network.weights, network.biases,
                                                   network.activation_names, X, Y, loss)
    for ours, theirs in zip(grads.weights + grads.biases, weight_grads + bias_grads):
        assert ours.shape == theirs.shape
        assert relative_error(ours, theirs) < 1e-8


@settings(max_examples=60, deadline=None)
@given(case=networks_and_data())
def test_gradients_match_finite_differences(case):
    network, X, Y, loss = case
    if not no_relu_kinks(network, X):
        network = MLP(network.weights, network.biases,
                      [name if name != "relu" else "tanh" for name in network.activation_names])
    cost, grads = network.cost_and_gradients(X, Y, loss)
    numeric = numerical_gradients(network, X, Y, loss)
    for ours, theirs in zip(grads.weights + grads.biases, numeric.weights + numeric.biases):
        assert_matches_finite_differences(ours, theirs, function_scale=cost)


@pytest.mark.parametrize(
    "sizes, m",
    [([3, 1], 1), ([1, 1], 1), ([4, 1], 7), ([2, 3, 1], 1), ([5, 4, 3, 2, 1], 3)],
    ids=["one-layer-one-sample", "scalar-network", "single-output", "hidden-single-sample",
         "four-layers"],
)
def test_edge_shapes(sizes, m):
    rng = np.random.default_rng(sum(sizes) + m)
    names = ["tanh"] * (len(sizes) - 2) + ["sigmoid"]
    network = MLP.random(sizes, names, rng)
    X = rng.normal(size=(m, sizes[0]))
    Y = rng.integers(0, 2, size=(m, sizes[-1])).astype(float)
    for loss in ("squared_error", "binary_cross_entropy"):
        cost, grads = network.cost_and_gradients(X, Y, loss)
        assert isinstance(cost, float)
        assert [g.shape for g in grads.weights] == [w.shape for w in network.weights]
        assert [g.shape for g in grads.biases] == [b.shape for b in network.biases]
        assert [d.shape for d in grads.deltas] == [(m, n) for n in sizes[1:]]
        weight_grads, bias_grads = reference_gradients(network.weights, network.biases, names, X, Y,
                                                       loss)
        for ours, theirs in zip(grads.weights + grads.biases, weight_grads + bias_grads):
            assert relative_error(ours, theirs) < 1e-8


def test_cost_is_the_mean_of_per_sample_losses():
    rng = np.random.default_rng(0)
    network = MLP.random([3, 4, 2], ["tanh", "identity"], rng)
    X, Y = rng.normal(size=(5, 3)), rng.normal(size=(5, 2))
    per_sample = [network.cost(X[i:i + 1], Y[i:i + 1], "squared_error") for i in range(5)]
    assert network.cost(X, Y, "squared_error") == pytest.approx(np.mean(per_sample), rel=1e-14)
    direct = np.mean(np.sum((network.predict(X) - Y) ** 2, axis=1))
    assert network.cost(X, Y, "squared_error") == pytest.approx(direct, rel=1e-14)


def test_weight_gradient_is_the_mean_of_outer_products_of_deltas():
    rng = np.random.default_rng(1)
    network = MLP.random([3, 4, 2], ["sigmoid", "sigmoid"], rng)
    X, Y = rng.normal(size=(6, 3)), rng.uniform(size=(6, 2))
    _, grads = network.cost_and_gradients(X, Y, "squared_error")
    hidden = network.forward(X).activations[1]
    outer_mean = np.mean([np.outer(grads.deltas[1][i], hidden[i]) for i in range(6)], axis=0)
    np.testing.assert_allclose(grads.weights[1], outer_mean, rtol=1e-13)
    # deltas are per sample: a single-row batch gives the same row, with no 1/m
    _, single = network.cost_and_gradients(X[2:3], Y[2:3], "squared_error")
    np.testing.assert_allclose(single.deltas[1][0], grads.deltas[1][2], rtol=1e-13)


def test_forward_pass_keeps_every_layer():
    rng = np.random.default_rng(2)
    network = MLP.random([2, 3, 1], ["relu", "identity"], rng)
    X = rng.normal(size=(4, 2))
    forward = network.forward(X)
    np.testing.assert_array_equal(forward.activations[0], X)
    z1 = X @ network.weights[0].T + network.biases[0]
    np.testing.assert_allclose(forward.weighted_inputs[0], z1)
    np.testing.assert_allclose(forward.activations[1], np.maximum(z1, 0))
    np.testing.assert_allclose(forward.output, forward.activations[1] @ network.weights[1].T
                               + network.biases[1])


def test_one_dimensional_targets_for_a_single_output():
    rng = np.random.default_rng(3)
    network = MLP.random([3, 1], ["sigmoid"], rng)
    X = rng.normal(size=(5, 3))
    y = np.array([0.0, 1.0, 1.0, 0.0, 1.0])
    cost_1d, grads_1d = network.cost_and_gradients(X, y, "binary_cross_entropy")
    cost_2d, grads_2d = network.cost_and_gradients(X, y.reshape(-1, 1), "binary_cross_entropy")
    assert cost_1d == cost_2d
    np.testing.assert_array_equal(grads_1d.weights[0], grads_2d.weights[0])


@pytest.mark.parametrize("z_size", [50.0, 1e3])
def test_binary_cross_entropy_stable_for_saturated_outputs(z_size):
    network = MLP([np.array([[z_size]])], [np.array([0.0])], ["sigmoid"])
    X = np.array([[1.0], [-1.0]])
    Y = np.array([[0.0], [1.0]])  # both confidently wrong
    cost, grads = network.cost_and_gradients(X, Y, "binary_cross_entropy")
    assert cost == pytest.approx(z_size, rel=1e-12)
    assert np.isfinite(grads.weights[0]).all()
    assert grads.weights[0][0, 0] == pytest.approx(1.0, rel=1e-12)  # mean of (a - y) x = (1 + 1)/2


def test_float32_stays_float32():
    rng = np.random.default_rng(4)
    weights = [rng.normal(size=(4, 3)).astype(np.float32), rng.normal(size=(2, 4)).astype(np.float32)]
    biases = [np.zeros(4, np.float32), np.zeros(2, np.float32)]
    network = MLP(weights, biases, ["tanh", "sigmoid"])
    X = rng.normal(size=(5, 3)).astype(np.float32)
    Y = rng.uniform(size=(5, 2)).astype(np.float32)
    _, grads = network.cost_and_gradients(X, Y, "squared_error")
    assert all(g.dtype == np.float32 for g in grads.weights + grads.biases)


def test_caller_arrays_are_never_modified():
    rng = np.random.default_rng(5)
    weights = [rng.normal(size=(3, 2)), rng.normal(size=(1, 3))]
    biases = [rng.normal(size=3), rng.normal(size=1)]
    saved = [array.copy() for array in weights + biases]
    network = MLP(weights, biases, ["sigmoid", "sigmoid"])
    X, Y = rng.normal(size=(4, 2)), rng.uniform(size=(4, 1))
    X_before, Y_before = X.copy(), Y.copy()
    _, grads = network.cost_and_gradients(X, Y, "squared_error")
    network.apply_gradients(grads, 0.5)
    numerical_gradients(network, X, Y, "squared_error")
    for array, before in zip(weights + biases, saved):
        np.testing.assert_array_equal(array, before)
    np.testing.assert_array_equal(X, X_before)
    np.testing.assert_array_equal(Y, Y_before)
    # and the network's own copies did move
    assert not np.array_equal(network.weights[0], weights[0])


def test_apply_gradients_is_one_step_of_gradient_descent_and_lowers_the_cost():
    rng = np.random.default_rng(6)
    network = MLP.random([2, 5, 1], ["tanh", "sigmoid"], rng)
    X = rng.normal(size=(20, 2))
    Y = (X[:, :1] * X[:, 1:] > 0).astype(float)
    before = network.copy()
    cost, grads = network.cost_and_gradients(X, Y, "binary_cross_entropy")
    network.apply_gradients(grads, 0.1)
    np.testing.assert_allclose(network.weights[0], before.weights[0] - 0.1 * grads.weights[0])
    np.testing.assert_allclose(network.biases[1], before.biases[1] - 0.1 * grads.biases[1])
    assert network.cost(X, Y, "binary_cross_entropy") < cost


def test_repr_and_sizes():
    network = MLP.random([3, 4, 2], ["relu", "sigmoid"], np.random.default_rng(0))
    assert repr(network) == "MLP(layer_sizes=(3, 4, 2), activations=['relu', 'sigmoid'])"
    assert network.num_layers == 2


W1 = np.ones((4, 3))
W2 = np.ones((2, 4))
B1 = np.zeros(4)
B2 = np.zeros(2)


@pytest.mark.parametrize(
    "arguments, error, message",
    [
        (([W1, W2.T], [B1, B2], ["sigmoid", "sigmoid"]), ValueError,
         r"weights\[1\] has shape \(4, 2\), but biases\[1\] has 2 entries, so layer 2 has 2 nodes "
         r".* weights\[1\] looks transposed"),
        (([W1, W2], [B1, B2.reshape(2, 1)], ["sigmoid", "sigmoid"]), ValueError,
         r"biases\[1\] must have shape \(2,\) .* got shape \(2, 1\)\. Use a 1-D bias vector"),
        (([W1, W2], [B1], ["sigmoid", "sigmoid"]), ValueError,
         "one entry per layer, got 2 weights, 1 biases and 2 activations"),
        (([W1, W2], [B1, B2], ["sigmoid", "softplus"]), ValueError,
         "unknown activation 'softplus'; expected one of"),
        (([W1, W2], [B1, B2], "sigmoid"), TypeError,
         "activations must be a list with one name per layer, got str"),
        ((W1, [B1], ["sigmoid"]), TypeError, "weights must be a list with one array per layer, got ndarray"),
        (([np.ones(3)], [np.zeros(1)], ["sigmoid"]), ValueError,
         r"weights\[0\] must be 2-D, got a 1-D array of shape \(3,\)"),
        (([W1, np.full((2, 4), np.nan)], [B1, B2], ["sigmoid", "sigmoid"]), ValueError,
         r"weights\[1\] must contain only finite numbers, but it holds nan at index \(0, 0\)"),
        (([], [], []), ValueError, "weights must hold at least one layer"),
    ],
)
def test_constructor_errors_name_the_argument(arguments, error, message):
    with pytest.raises(error, match=message):
        MLP(*arguments)


NETWORK = MLP([W1, W2], [B1, B2], ["sigmoid", "sigmoid"])
X_GOOD = np.ones((5, 3))
Y_GOOD = np.ones((5, 2))


@pytest.mark.parametrize(
    "X, Y, loss, error, message",
    [
        (np.ones(3), Y_GOOD, "squared_error", ValueError,
         r"X must be 2-D with one row per sample, shape \(m, 3\), got a 1-D array of shape \(3,\)\. "
         r"For a single sample pass X.reshape\(1, -1\)"),
        (np.ones((3, 5)), Y_GOOD, "squared_error", ValueError,
         r"X must have 3 columns \(one per input of the network\), got shape \(3, 5\)\. It looks transposed"),
        (np.ones((5, 4)), Y_GOOD, "squared_error", ValueError, r"X must have 3 columns .* got shape \(5, 4\)\.$"),
        (np.ones((0, 3)), np.ones((0, 2)), "squared_error", ValueError, "X must hold at least one sample"),
        (X_GOOD, np.ones((4, 2)), "squared_error", ValueError,
         r"Y must have shape \(5, 2\): one row per row of X and one column per output node, got shape \(4, 2\)"),
        (X_GOOD, np.ones((2, 5)), "squared_error", ValueError, "It looks transposed: samples must be rows; pass Y.T"),
        (X_GOOD, np.ones(5), "squared_error", ValueError, r"Y must have shape \(5, 2\)"),
        (np.full((5, 3), np.inf), Y_GOOD, "squared_error", ValueError, "X must contain only finite numbers"),
        (X_GOOD, np.full((5, 2), np.nan), "squared_error", ValueError, "Y must contain only finite numbers"),
        (X_GOOD, Y_GOOD, "mse", ValueError, "unknown loss 'mse'"),
        (X_GOOD, Y_GOOD * 2, "binary_cross_entropy", ValueError, r"Y must lie in \[0, 1\] for binary cross-entropy"),
    ],
)
def test_call_errors_name_the_argument(X, Y, loss, error, message):
    with pytest.raises(error, match=message):
        NETWORK.cost_and_gradients(X, Y, loss)


def test_cross_entropy_needs_a_sigmoid_output():
    network = MLP([W1, W2], [B1, B2], ["sigmoid", "identity"])
    with pytest.raises(ValueError, match="needs a sigmoid output layer .* the last activation is 'identity'"):
        network.cost_and_gradients(X_GOOD, Y_GOOD, "binary_cross_entropy")


def test_random_and_apply_gradients_errors():
    rng = np.random.default_rng(0)
    with pytest.raises(TypeError, match="rng must be a numpy.random.Generator"):
        MLP.random([2, 1], ["sigmoid"], 0)
    with pytest.raises(ValueError, match="layer_sizes must list the inputs and at least one layer"):
        MLP.random([2], [], rng)
    with pytest.raises(ValueError, match="every entry of layer_sizes must be a positive integer, got 0"):
        MLP.random([2, 0], ["sigmoid"], rng)
    with pytest.raises(TypeError, match="every entry of layer_sizes must be a positive integer, got float 2.5"):
        MLP.random([2.5, 1], ["sigmoid"], rng)
    _, grads = NETWORK.cost_and_gradients(X_GOOD, Y_GOOD, "squared_error")
    with pytest.raises(ValueError, match="learning_rate must be a positive number, got -0.1"):
        NETWORK.copy().apply_gradients(grads, -0.1)
    with pytest.raises(TypeError, match="grads must be a Gradients object, got dict"):
        NETWORK.copy().apply_gradients({}, 0.1)
    wrong = Gradients([g.T for g in grads.weights], grads.biases, [])
    with pytest.raises(ValueError, match=r"grads.weights\[0\] must have the shape of the network's weights\[0\], \(4, 3\), got shape \(3, 4\)"):
        NETWORK.copy().apply_gradients(wrong, 0.1)
    with pytest.raises(ValueError, match=r"grads must have one entry per layer \(2\)"):
        NETWORK.copy().apply_gradients(Gradients(grads.weights[:1], grads.biases[:1], []), 0.1)


def test_cost_and_gradients_goes_through_an_overridden_backward():
    """Appendix C checks buggy subclasses whose backward is wrong: cost_and_gradients uses it."""

    class Doubled(MLP):
        def backward(self, forward_pass, Y, loss):
            grads = super().backward(forward_pass, Y, loss)
            return Gradients([2 * g for g in grads.weights], [2 * g for g in grads.biases], [])

    _, right = NETWORK.cost_and_gradients(X_GOOD, Y_GOOD, "squared_error")
    doubled = Doubled(NETWORK.weights, NETWORK.biases, NETWORK.activation_names)
    _, wrong = doubled.cost_and_gradients(X_GOOD, Y_GOOD, "squared_error")
    for ours, theirs in zip(wrong.weights + wrong.biases, right.weights + right.biases):
        np.testing.assert_array_equal(ours, 2 * theirs)
