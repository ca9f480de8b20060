"""Tests of backproplib.depth (chapter 9: initialisation and the flow of gradients through depth).

The expected values are computed here without the module under test: autograd (an independent
automatic differentiation) of the cost written from the book's definitions, centred finite
differences written here, and multiply-adds counted by running the matrix products themselves.
"""

from __future__ import annotations

import autograd.numpy as anp
import numpy as np
import pytest
from autograd import grad
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from backproplib import depth
from backproplib.network import MLP

from .reference import REFERENCE_ACTIVATIONS, reference_gradients


def mean_cost(weights, biases, names, X, Y, shift=None, shifted_layer=None):
    """J = (1/m) sum_i sum_j (a_j^[L](i) - y_j^(i))^2, optionally with z^[l] moved by ``shift``."""
    a = X
    for index, (weight, bias, name) in enumerate(zip(weights, biases, names)):
        z = anp.dot(a, weight.T) + bias
        if index == shifted_layer:
            z = z + shift
        a = REFERENCE_ACTIVATIONS[name](z)
    return anp.mean(anp.sum((a - Y) ** 2, axis=1))


def centred_difference(function, point, step=1e-6):
    point = np.array(point, dtype=float)
    derivative = np.zeros_like(point)
    for index in np.ndindex(point.shape):
        up, down = point.copy(), point.copy()
        up[index] += step
        down[index] -= step
        derivative[index] = (function(up) - function(down)) / (2 * step)
    return derivative


def small_case(activation, seed=0, n_layers=4, width=3, m=5):
    network = depth.deep_network(n_layers, width, activation, np.random.default_rng(seed), 1.5)
    rng = np.random.default_rng(seed + 100)
    # biases away from 0, so that no weighted input sits exactly on ReLU's kink
    biases = [rng.uniform(0.1, 0.5, size=b.shape) for b in network.biases]
    network = MLP(network.weights, biases, network.activation_names)
    X = rng.normal(size=(m, width))
    Y = rng.normal(size=(m, 1))
    return network, X, Y


def weight_gradient(network, X, Y, layer):
    names = network.activation_names

    def cost_of(weight):
        weights = list(network.weights)
        weights[layer] = weight
        return mean_cost(weights, network.biases, names, X, Y)

    return cost_of


def error_of_layer(network, X, Y, layer):
    """delta^[l](i) = dL^(i)/dz^[l](i) = m dJ/dz^[l](i), as a function of a shift of z^[l]."""
    m = X.shape[0]

    def cost_of(shift):
        return m * mean_cost(network.weights, network.biases, network.activation_names, X, Y,
                             shift, layer)

    return cost_of


# ---------------------------------------------------------------------------------------------
# deep_network
# ---------------------------------------------------------------------------------------------

def test_deep_network_has_the_asked_shape_scale_and_zero_biases():
    network = depth.deep_network(12, 200, "tanh", np.random.default_rng(3), gain=2.0)
    assert network.layer_sizes == (200,) * 12 + (1,)
    assert network.activation_names == ["tanh"] * 11 + ["identity"]
    stacked = np.concatenate([w.ravel() for w in network.weights[:-1]])
    assert abs(stacked.std() - 2.0 / np.sqrt(200)) < 0.01 * 2.0 / np.sqrt(200) * 5
    assert all(not b.any() for b in network.biases)


def test_deep_network_is_reproducible_from_the_seed():
    first = depth.deep_network(3, 4, "relu", np.random.default_rng(5))
    second = depth.deep_network(3, 4, "relu", np.random.default_rng(5))
    assert all(np.array_equal(a, b) for a, b in zip(first.weights, second.weights))


@pytest.mark.parametrize("kwargs, error, words", [
    (dict(n_layers=1), ValueError, "n_layers must be at least 2"),
    (dict(n_layers=2.5), TypeError, "n_layers"),
    (dict(width=0), ValueError, "width"),
    (dict(activation="softmax"), ValueError, "activation must be one of"),
    (dict(activation=3), ValueError, "activation must be one of"),
    (dict(gain=-1.0), ValueError, "gain"),
    (dict(gain=float("nan")), ValueError, "gain"),
    (dict(rng=0), TypeError, "rng must be a numpy.random.Generator"),
])
def test_deep_network_rejects_bad_input_with_a_clear_message(kwargs, error, words):
    arguments = dict(n_layers=3, width=4, activation="tanh", rng=np.random.default_rng(0))
    arguments.update(kwargs)
    with pytest.raises(error, match=words):
        depth.deep_network(**arguments)


@settings(max_examples=25, deadline=None)
@given(n_layers=st.integers(2, 6), width=st.integers(1, 6),
       activation=st.sampled_from(depth.HIDDEN_ACTIVATIONS),
       gain=st.floats(0.01, 10.0), seed=st.integers(0, 2**32 - 1))
def test_deep_network_gives_finite_parameters_of_the_right_shapes(n_layers, width, activation,
                                                                   gain, seed):
    network = depth.deep_network(n_layers, width, activation, np.random.default_rng(seed), gain)
    assert network.num_layers == n_layers
    assert all(np.isfinite(w).all() for w in network.weights)
    assert [w.shape for w in network.weights] == [(width, width)] * (n_layers - 1) + [(1, width)]


# ---------------------------------------------------------------------------------------------
# layer_gradient_norms and layer_error_norms: autograd and finite differences
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("activation", depth.HIDDEN_ACTIVATIONS)
def test_layer_gradient_norms_match_autograd_and_finite_differences(activation):
    network, X, Y = small_case(activation)
    norms = depth.layer_gradient_norms(network, X, Y, "squared_error")
    assert norms.shape == (network.num_layers,)
    by_autograd, _ = reference_gradients(network.weights, network.biases,
                                         network.activation_names, X, Y, "squared_error")
    for layer in range(network.num_layers):
        cost_of = weight_gradient(network, X, Y, layer)
        by_differences = centred_difference(cost_of, network.weights[layer])
        assert norms[layer] == pytest.approx(np.linalg.norm(by_autograd[layer]), rel=1e-10, abs=1e-14)
        assert norms[layer] == pytest.approx(np.linalg.norm(by_differences), rel=1e-5, abs=1e-9)


@pytest.mark.parametrize("activation", depth.HIDDEN_ACTIVATIONS)
def test_layer_error_norms_match_autograd_and_finite_differences(activation):
    network, X, Y = small_case(activation, seed=1)
    norms = depth.layer_error_norms(network, X, Y, "squared_error")
    for layer in range(network.num_layers):
        cost_of = error_of_layer(network, X, Y, layer)
        zero = np.zeros((X.shape[0], network.layer_sizes[layer + 1]))
        for errors, rel in ((grad(cost_of)(zero), 1e-10), (centred_difference(cost_of, zero), 1e-5)):
            expected = np.sqrt(np.mean(np.sum(errors**2, axis=1)))
            assert norms[layer] == pytest.approx(expected, rel=rel, abs=1e-9)


def test_sigmoid_errors_shrink_towards_the_input_and_a_large_relu_gain_explodes():
    rng = np.random.default_rng(9)
    X, Y = rng.normal(size=(32, 20)), rng.normal(size=(32, 1))
    sigmoid = depth.layer_error_norms(
        depth.deep_network(12, 20, "sigmoid", np.random.default_rng(1)), X, Y, "squared_error")
    assert sigmoid[0] < 1e-4 * sigmoid[-2]
    relu = depth.layer_error_norms(
        depth.deep_network(12, 20, "relu", np.random.default_rng(1), gain=3.0), X, Y,
        "squared_error")
    assert relu[0] > 10 * relu[-2]


def test_norms_do_not_modify_the_network_or_the_data():
    network, X, Y = small_case("tanh")
    before = [w.copy() for w in network.weights], X.copy(), Y.copy()
    depth.layer_gradient_norms(network, X, Y, "squared_error")
    depth.layer_error_norms(network, X, Y, "squared_error")
    assert all(np.array_equal(a, b) for a, b in zip(before[0], network.weights))
    assert np.array_equal(before[1], X) and np.array_equal(before[2], Y)


@pytest.mark.parametrize("function", [depth.layer_gradient_norms, depth.layer_error_norms])
def test_norms_reject_bad_input_with_the_networks_messages(function):
    network, X, Y = small_case("relu")
    with pytest.raises(TypeError, match="network must be a backproplib.network.MLP"):
        function("not a network", X, Y, "squared_error")
    with pytest.raises(ValueError, match="X"):
        function(network, X[:, :2], Y, "squared_error")
    with pytest.raises(ValueError, match="loss"):
        function(network, X, Y, "hinge")
    bad = X.copy()
    bad[0, 0] = np.nan
    with pytest.raises(ValueError, match="finite"):
        function(network, bad, Y, "squared_error")


@settings(max_examples=25, deadline=None)
@given(data=st.data(), activation=st.sampled_from(depth.HIDDEN_ACTIVATIONS),
       m=st.integers(1, 5), width=st.integers(1, 4))
def test_norms_are_finite_and_non_negative_for_any_finite_batch(data, activation, m, width):
    values = st.floats(-1e3, 1e3)
    X = data.draw(hnp.arrays(np.float64, (m, width), elements=values))
    Y = data.draw(hnp.arrays(np.float64, (m, 1), elements=values))
    network = depth.deep_network(3, width, activation, np.random.default_rng(0))
    for function in (depth.layer_gradient_norms, depth.layer_error_norms):
        norms = function(network, X, Y, "squared_error")
        assert norms.shape == (3,)
        assert np.isfinite(norms).all() and (norms >= 0).all()


# ---------------------------------------------------------------------------------------------
# backward_step
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("activation", depth.HIDDEN_ACTIVATIONS)
def test_backward_step_matches_autograd_and_finite_differences(activation):
    rng = np.random.default_rng(4)
    weight = rng.normal(size=(3, 4))
    z_below = rng.normal(size=(2, 4))
    delta = rng.normal(size=(2, 3))
    g = REFERENCE_ACTIVATIONS[activation]

    def linear_cost(z):  # C = sum_i delta^[l](i) . z^[l](i), so dC/dz^[l] = delta^[l]
        return anp.sum(delta * anp.dot(g(z), weight.T))

    result = depth.backward_step(delta, weight, z_below, activation)
    assert np.allclose(result, grad(linear_cost)(z_below.copy()), rtol=1e-12, atol=1e-14)
    assert np.allclose(result, centred_difference(linear_cost, z_below), rtol=1e-6, atol=1e-8)


def test_backward_step_agrees_with_the_networks_own_errors():
    network, X, Y = small_case("sigmoid", seed=2)
    _, grads = network.cost_and_gradients(X, Y, "squared_error")
    z = network.forward(X).weighted_inputs
    for layer in range(network.num_layers - 1, 0, -1):
        step = depth.backward_step(grads.deltas[layer], network.weights[layer], z[layer - 1],
                                   "sigmoid")
        assert np.allclose(step, grads.deltas[layer - 1], rtol=1e-12, atol=1e-15)


def test_backward_step_does_not_modify_its_arguments():
    rng = np.random.default_rng(0)
    arrays = rng.normal(size=(2, 3)), rng.normal(size=(3, 4)), rng.normal(size=(2, 4))
    copies = [a.copy() for a in arrays]
    depth.backward_step(*arrays, "relu")
    assert all(np.array_equal(a, b) for a, b in zip(arrays, copies))


@pytest.mark.parametrize("args, error, words", [
    ((np.ones(3), np.ones((3, 4)), np.ones((1, 4))), ValueError, "delta must be 2-D"),
    ((np.ones((2, 3)), np.ones(3), np.ones((2, 4))), ValueError, "weight must be 2-D"),
    ((np.ones((2, 4)), np.ones((3, 4)), np.ones((2, 4))), ValueError,
     r"delta must have shape \(2, 3\), got shape \(2, 4\)"),
    ((np.ones((2, 3)), np.ones((3, 4)), np.ones((2, 3))), ValueError,
     r"weighted_input must have shape \(2, 4\)"),
    ((np.ones((2, 3)), np.ones((3, 4)), np.full((2, 4), np.inf)), ValueError,
     "weighted_input must contain only finite numbers"),
    ((np.ones((2, 3)), "W", np.ones((2, 4))), TypeError, "weight must be an array of numbers"),
])
def test_backward_step_rejects_bad_input_with_a_clear_message(args, error, words):
    with pytest.raises(error, match=words):
        depth.backward_step(*args, "tanh")


def test_backward_step_rejects_an_unknown_activation():
    with pytest.raises(ValueError, match="activation must be one of"):
        depth.backward_step(np.ones((1, 2)), np.ones((2, 2)), np.ones((1, 2)), "softmax")


@settings(max_examples=40, deadline=None)
@given(data=st.data(), m=st.integers(1, 4), n_l=st.integers(1, 4), n_prev=st.integers(1, 4),
       activation=st.sampled_from(depth.HIDDEN_ACTIVATIONS))
def test_backward_step_is_finite_and_shaped_like_the_layer_below(data, m, n_l, n_prev,
                                                                   activation):
    values = st.floats(-1e3, 1e3)
    delta = data.draw(hnp.arrays(np.float64, (m, n_l), elements=values))
    weight = data.draw(hnp.arrays(np.float64, (n_l, n_prev), elements=values))
    z = data.draw(hnp.arrays(np.float64, (m, n_prev), elements=values))
    result = depth.backward_step(delta, weight, z, activation)
    assert result.shape == (m, n_prev)
    assert np.isfinite(result).all()


# ---------------------------------------------------------------------------------------------
# gradient_cost: counted by running the products
# ---------------------------------------------------------------------------------------------

class Counter:
    """Counts the multiply-adds of every matrix product ``a @ b``: rows(a) x cols(a) x cols(b)."""

    def __init__(self):
        self.count = 0

    def matmul(self, first, second):
        self.count += first.shape[0] * first.shape[1] * second.shape[1]
        return first @ second


def counted_passes(layer_sizes, m):
    network = MLP.random(layer_sizes, ["tanh"] * (len(layer_sizes) - 1),
                         np.random.default_rng(0))
    X = np.ones((m, layer_sizes[0]))
    forward, backward = Counter(), Counter()
    activations, zs = [X], []
    for weight, bias in zip(network.weights, network.biases):
        zs.append(forward.matmul(activations[-1], weight.T) + bias)
        activations.append(np.tanh(zs[-1]))
    delta = np.ones((m, layer_sizes[-1]))
    for layer in range(network.num_layers - 1, -1, -1):
        backward.matmul(delta.T, activations[layer])
        if layer > 0:
            delta = backward.matmul(delta, network.weights[layer]) * (1 - activations[layer] ** 2)
    parameters = sum(w.size + b.size for w, b in zip(network.weights, network.biases))
    return parameters, forward.count, backward.count


@pytest.mark.parametrize("layer_sizes, m", [((64, 32, 10), 1), ((2, 3, 1), 4), ((5, 1), 3),
                                            ((4, 6, 6, 6, 2), 2)])
def test_gradient_cost_equals_the_multiply_adds_of_the_products_run(layer_sizes, m):
    parameters, forward, backward = counted_passes(layer_sizes, m)
    cost = depth.gradient_cost(layer_sizes, m)
    assert (cost.parameters, cost.forward, cost.backward) == (parameters, forward, backward)
    assert cost.backpropagation == forward + backward
    assert cost.finite_differences == 2 * parameters * forward
    assert cost.ratio == pytest.approx(2 * parameters * forward / (forward + backward))


def test_gradient_cost_of_chapter_7s_network():
    cost = depth.gradient_cost((64, 32, 10))
    assert (cost.parameters, cost.forward, cost.backward) == (2410, 2368, 2688)


@pytest.mark.parametrize("args, error, words", [
    (("64, 32",), TypeError, "layer_sizes must be a list or tuple"),
    (((64,),), ValueError, "at least one layer"),
    (((64, 0),), ValueError, "every entry of layer_sizes"),
    (((64, 2.0),), TypeError, "every entry of layer_sizes"),
    (((64, 2), 0), ValueError, "m must be a positive integer"),
])
def test_gradient_cost_rejects_bad_input_with_a_clear_message(args, error, words):
    with pytest.raises(error, match=words):
        depth.gradient_cost(*args)


@settings(max_examples=50, deadline=None)
@given(layer_sizes=st.lists(st.integers(1, 50), min_size=2, max_size=6), m=st.integers(1, 20))
def test_backpropagation_costs_less_than_three_forward_passes(layer_sizes, m):
    cost = depth.gradient_cost(layer_sizes, m)
    assert cost.forward < cost.backpropagation < 3 * cost.forward
    assert cost.finite_differences >= 2 * cost.forward


# ---------------------------------------------------------------------------------------------
# The chapter's questions in appendix B
# ---------------------------------------------------------------------------------------------

def test_appendix_b_links_each_question_of_chapter_9_to_a_section_of_it():
    import json
    import re
    from pathlib import Path

    book = Path(__file__).resolve().parent.parent / "book"
    cells = json.loads((book / "09_initialisation_and_depth.ipynb").read_text())["cells"]
    text = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    labels = set(re.findall(r"^\(([\w-]+)\)=\s*$", text, re.M))
    appendix = "\n".join("".join(c["source"]) for c in json.loads(
        (book / "B_reader_questions.ipynb").read_text())["cells"] if c["cell_type"] == "markdown")
    further = appendix.split("## Questions learners ask next", 1)[1].split("\n## ", 1)[0]
    entries = re.split(r"^### ", further, flags=re.M)[1:]
    relu = [entry for entry in entries if entry.startswith("What is the slope of ReLU at 0?")]
    assert len(relu) == 1 and "{ref}`sec-activation-vs-function`" in relu[0]  # chapter 1
    entries = [entry for entry in entries if entry not in relu]
    assert len(entries) == 4
    linked = set()
    for entry in entries:
        assert "Shown in" in entry, entry[:60]
        links = set(re.findall(r"\{ref\}`([\w-]+)`", entry))
        assert links and links <= labels, f"{entry[:60]!r} links to {links - labels}"
        linked |= links
    section_labels = {label for label in labels if label.startswith("sec-depth-")}
    assert linked == section_labels


# ---------------------------------------------------------------------------------------------
# The numbers chapter 9 prints, recomputed here
# ---------------------------------------------------------------------------------------------

def test_chapter_9_prints_the_counts_and_the_vanishing_that_the_module_computes():
    from .notebook_outputs import stored_lines

    lines = stored_lines("09_initialisation_and_depth")
    cost = depth.gradient_cost((64, 32, 10))
    expected = {
        "parameters P:": cost.parameters,
        "one forward pass F:": cost.forward,
        "one backward pass B:": cost.backward,
        "backpropagation F + B:": cost.backpropagation,
        "centred finite differences 2 P F:": cost.finite_differences,
    }
    for prefix, value in expected.items():
        line = next(line for line in lines if line.startswith(prefix))
        assert int(line[len(prefix):].split()[0]) == value, line
    assert any(line.startswith("ratio:") and line.split()[-1] == f"{cost.ratio:.1f}"
               for line in lines)
    # the sigmoid error shrinks by about 1e-8 over 13 layers, recomputed from the module
    rng = np.random.default_rng(9)
    X, Y = rng.normal(size=(64, 30)), rng.normal(size=(64, 1))
    network = depth.deep_network(15, 30, "sigmoid", np.random.default_rng(1))
    sizes = depth.layer_error_norms(network, X, Y, "squared_error")
    printed = next(line for line in lines if line.strip().startswith("sigmoid: size"))
    assert printed.split()[-1] == f"{sizes[0] / sizes[-2]:.1e}"
    assert sizes[0] / sizes[-2] < 4.0 ** -8


# ---------------------------------------------------------------------------------------------
# Statements of chapter 9 that its own numbers once contradicted (issue 21), recomputed here
# ---------------------------------------------------------------------------------------------

XOR_X = np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0]])
XOR_Y = np.array([[1.0], [1.0], [0.0], [0.0]])


def xor_gradients(weights, biases, names, Y=XOR_Y):
    """dJ/dW and dJ/db of the cost on the four XOR inputs (targets ``Y``, XOR's by default), by
    autograd of the cost written from its definition."""
    def cost(parameters):
        half = len(parameters) // 2
        return mean_cost(parameters[:half], parameters[half:], names, XOR_X, Y)
    gradients = grad(cost)(list(weights) + list(biases))
    return gradients[:len(weights)], gradients[len(weights):]


def descend_from_zero(names, Y, steps=50, learning_rate=2.0):
    """Gradient descent on the XOR inputs with targets ``Y``, from all weights and biases zero."""
    weights, biases = [np.zeros((3, 2)), np.zeros((1, 3))], [np.zeros(3), np.zeros(1)]
    for _ in range(steps):
        weight_gradients, bias_gradients = xor_gradients(weights, biases, names, Y)
        weights = [w - learning_rate * g for w, g in zip(weights, weight_gradients)]
        biases = [b - learning_rate * g for b, g in zip(biases, bias_gradients)]
    return weights, biases


def test_chapter_9_a_zero_start_on_xor_never_moves_and_the_prose_says_so():
    """Not "W^[1] does not move in the first step": with sigmoid every derivative is exactly 0
    (a stationary point); with tanh or relu hidden nodes no weight ever moves, only the output
    bias."""
    from .notebook_outputs import markdown_text, stored_lines

    weight_gradients, bias_gradients = xor_gradients(
        [np.zeros((3, 2)), np.zeros((1, 3))], [np.zeros(3), np.zeros(1)], ["sigmoid", "sigmoid"])
    assert all(np.all(g == 0.0) for g in list(weight_gradients) + list(bias_gradients))
    assert "largest |derivative| of any weight or bias, zero start: 0.0" in stored_lines(
        "09_initialisation_and_depth")
    # tanh or relu hidden nodes: a^[1] = g(0) = 0, so no weight moves on any data; targets
    # that do not balance (OR instead of XOR) move the output bias
    for hidden in ("tanh", "relu"):
        for Y in (XOR_Y, np.array([[1.0], [1.0], [1.0], [0.0]])):
            weights, biases = descend_from_zero([hidden, "sigmoid"], Y)
            assert all(np.all(w == 0.0) for w in weights), hidden
            assert np.all(biases[0] == 0.0), hidden
        assert biases[1][0] != 0.0, hidden
    prose = markdown_text("09_initialisation_and_depth")
    assert "does not move at all in the first step" not in prose
    assert "gradient descent never moves from it" in prose
    assert "only the output bias ever moves; no weight does" in prose


def chapter_9_error_sizes(activation: str, gain: float) -> np.ndarray:
    rng = np.random.default_rng(9)
    X, Y = rng.normal(size=(64, 30)), rng.normal(size=(64, 1))
    network = depth.deep_network(15, 30, activation, np.random.default_rng(1), gain)
    return depth.layer_error_norms(network, X, Y, "squared_error")


def test_chapter_9_counts_13_steps_from_layer_14_to_layer_1():
    """The printed ratio delta[1] / delta[14] spans 13 steps: the bound is 4^13, not 4^14."""
    from .notebook_outputs import markdown_text

    sizes = chapter_9_error_sizes("sigmoid", 1.0)
    assert sizes[0] / sizes[-2] < 4.0 ** -13
    prose = markdown_text("09_initialisation_and_depth")
    assert "fourteen layers by more than" not in prose
    assert f"$4^{{13}} \\approx {4 ** 13 / 1e7:.1f} \\times 10^7$" in prose


def test_chapter_9_tanh_at_gain_1_keeps_r_near_but_below_1_as_printed():
    """tanh at gain 1 does not keep r ~ 1 exactly: the chapter's own measure is 0.90 per step,
    and ReLU at gain sqrt(2) 1.08; the printed table and the prose give these numbers."""
    from .notebook_outputs import markdown_text, stored_lines

    lines = stored_lines("09_initialisation_and_depth")
    prose = markdown_text("09_initialisation_and_depth")
    for name, gain, label in (("tanh", 1.0, "1.00"), ("relu", np.sqrt(2), "1.41")):
        sizes = chapter_9_error_sizes(name, gain)
        ratio = sizes[0] / sizes[-2]
        r = ratio ** (1 / 13)
        assert (f"{name:>4}, gain {label}: delta[1] / delta[14] = {ratio:.1e}, "
                f"per step r = {r:.2f}") in lines
        assert f"$r = {r:.2f}$" in prose
    tanh_sizes = chapter_9_error_sizes("tanh", 1.0)
    assert (tanh_sizes[0] / tanh_sizes[-2]) ** (1 / 13) < 0.95  # near 1, but clearly below it


def test_chapter_9_a_square_tanh_layer_can_be_undone_and_the_prose_no_longer_denies_it():
    """The inputs of a square invertible tanh layer are recovered to round-off from its outputs
    (layer 2 of the chapter's 30-node network), so "cannot be recovered" was false."""
    from .notebook_outputs import markdown_text

    rng = np.random.default_rng(9)
    X = rng.normal(size=(64, 30))
    network = depth.deep_network(15, 30, "tanh", np.random.default_rng(1))
    inputs = np.tanh(X @ network.weights[0].T + network.biases[0])          # a^[1]
    outputs = np.tanh(inputs @ network.weights[1].T + network.biases[1])    # a^[2]
    recovered = np.linalg.solve(network.weights[1], (np.arctanh(outputs) - network.biases[1]).T).T
    assert np.max(np.abs(recovered - inputs)) < 1e-10
    prose = markdown_text("09_initialisation_and_depth")
    assert "cannot be recovered from its outputs" not in prose
    assert "Some layers could be undone" in prose


def test_chapter_9_says_which_timing_comparison_it_keeps():
    from .notebook_outputs import markdown_text

    assert "the book does not compare them" not in markdown_text("09_initialisation_and_depth")


def test_deep_network_gain_1_keeps_var_z_at_the_mean_square_of_the_inputs():
    """Var(z) = n sigma_w^2 E[a^2] = gain^2 E[a^2]: the mean square of the inputs, not their
    variance (they differ for inputs with a non-zero mean, such as sigmoid outputs)."""
    rng = np.random.default_rng(0)
    inputs = rng.uniform(0.4, 0.6, size=(2000, 400))          # mean 0.5, variance 1/300
    network = depth.deep_network(2, 400, "sigmoid", np.random.default_rng(1))
    z = inputs @ network.weights[0].T
    mean_square, variance = np.mean(inputs ** 2), np.var(inputs)
    assert abs(np.var(z) / mean_square - 1) < 0.15
    assert np.var(z) > 10 * variance
    docstring = " ".join(depth.deep_network.__doc__.split())
    assert "mean square of the layer's inputs" in docstring
    assert "about equal to the variance of the layer's inputs" not in docstring
