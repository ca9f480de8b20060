"""backproplib.autodiff: every operation's rules against finite differences and autograd, the
engine against MLP.cost_and_gradients, forward mode against Jacobian-vector products, the
multiplication counts against their closed form, input errors, and the numbers chapter 8 prints."""

from __future__ import annotations


import autograd.numpy as anp
import numpy as np
import pytest
from autograd import grad, jacobian
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from backproplib import autodiff as ad
from backproplib.autodiff import Tensor
from backproplib.gradcheck import numerical_derivative, relative_error
from backproplib.network import MLP
from backproplib.running_example import running_example

from .finite_differences import assert_matches_finite_differences
from .notebook_outputs import stored_text
from .reference import REFERENCE_ACTIVATIONS, reference_cost, reference_softmax_cost



# ------------------------------------------------------------------------------------------
# reference versions of every operation, written with autograd.numpy from the definitions
# ------------------------------------------------------------------------------------------

def ref_softmax(z):
    exponentials = anp.exp(z - anp.max(z, axis=-1, keepdims=True))
    return exponentials / anp.sum(exponentials, axis=-1, keepdims=True)


def ref_log_softmax(z):
    return anp.log(ref_softmax(z))


UNARY = {
    # name: (engine, reference, what inputs it accepts)
    "transpose": (ad.transpose, anp.transpose, "any"),
    "sigmoid": (ad.sigmoid, lambda u: 1.0 / (1.0 + anp.exp(-u)), "any"),
    "tanh": (ad.tanh, anp.tanh, "any"),
    "relu": (ad.relu, lambda u: anp.maximum(u, 0.0), "away from 0"),
    "softplus": (ad.softplus, lambda u: anp.log(1.0 + anp.exp(u)), "any"),
    "softmax": (ad.softmax, ref_softmax, "at least 1-D"),
    "log_softmax": (ad.log_softmax, ref_log_softmax, "at least 1-D"),
    "square": (lambda u: ad.power(u, 2), lambda u: u**2, "any"),
    "cube": (lambda u: u**3, lambda u: u**3, "any"),
    "reciprocal": (lambda u: ad.power(u, -1.0), lambda u: 1.0 / u, "positive"),
    "square root": (lambda u: ad.power(u, 0.5), anp.sqrt, "positive"),
    "power 1.5": (lambda u: ad.power(u, 1.5), lambda u: u**1.5, "positive"),
    "negate": (lambda u: -u, lambda u: -u, "any"),
    "identity": (ad.identity, lambda u: u, "any"),
}

BINARY = {
    "add": (lambda u, w: u + w, lambda u, w: u + w),
    "subtract": (lambda u, w: u - w, lambda u, w: u - w),
    "multiply": (lambda u, w: u * w, lambda u, w: u * w),
    "divide": (lambda u, w: u / w, lambda u, w: u / w),
}


def unary_input(kind, shape, rng):
    u = rng.normal(size=shape)
    if kind == "positive":
        return np.exp(u)
    if kind == "away from 0":
        return np.where(np.abs(u) < 1e-3, 0.5, u)
    return u


def weighted_sum_engine(op, inputs, weights):
    """A scalar out of any operation: F = sum(op(inputs) * R), with fixed random R."""
    return ad.sum(op(*inputs) * weights)


def weighted_sum_reference(op, inputs, weights):
    return anp.sum(op(*inputs) * weights)


def check_rules_of(engine_op, reference_op, inputs, rng):
    """Reverse mode vs autograd and finite differences; forward mode vs autograd's Jacobian."""
    output = np.asarray(reference_op(*inputs))
    weights = rng.normal(size=output.shape)
    _, engine_grads = ad.value_and_gradients(
        lambda *nodes: weighted_sum_engine(engine_op, nodes, weights), list(inputs))
    for index, engine_grad in enumerate(engine_grads):
        def scalar(value, index=index):
            values = list(inputs)
            values[index] = value
            return weighted_sum_reference(reference_op, values, weights)

        expected = np.asarray(grad(scalar)(np.asarray(inputs[index], dtype=float)))
        assert engine_grad.shape == np.shape(inputs[index])
        np.testing.assert_allclose(engine_grad, expected, rtol=1e-9, atol=1e-12)
        numeric = numerical_derivative(lambda value: float(scalar(value)), inputs[index])
        assert_matches_finite_differences(engine_grad, numeric,
                                          function_scale=float(scalar(inputs[index])))
    # forward mode: J t summed over the inputs, J from autograd
    tangents = [rng.normal(size=np.shape(value)) for value in inputs]
    value, tangent = ad.jvp(engine_op, list(inputs), tangents)
    np.testing.assert_allclose(value, output, rtol=1e-12, atol=1e-14)
    expected_tangent = np.zeros(output.shape)
    for index, direction in enumerate(tangents):
        def function(value, index=index):
            values = list(inputs)
            values[index] = value
            return reference_op(*values)

        J = np.asarray(jacobian(function)(np.asarray(inputs[index], dtype=float)))
        expected_tangent = expected_tangent + np.tensordot(J, direction, axes=direction.ndim)
    np.testing.assert_allclose(tangent, expected_tangent, rtol=1e-9, atol=1e-12)


# ------------------------------------------------------------------------------------------
# each operation
# ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", list(UNARY))
@settings(max_examples=25, deadline=None)
@given(shape=hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4),
       seed=st.integers(0, 2**32 - 1))
def test_unary_operation_rules(name, shape, seed):
    engine_op, reference_op, kind = UNARY[name]
    if kind == "at least 1-D" and len(shape) == 0:
        shape = (3,)
    rng = np.random.default_rng(seed)
    check_rules_of(engine_op, reference_op, [unary_input(kind, shape, rng)], rng)


@pytest.mark.parametrize("name", list(BINARY))
@settings(max_examples=40, deadline=None)
@given(shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=3),
       seed=st.integers(0, 2**32 - 1))
def test_binary_operation_rules_with_broadcasting(name, shapes, seed):
    engine_op, reference_op = BINARY[name]
    rng = np.random.default_rng(seed)
    u, w = (rng.normal(size=shape) for shape in shapes.input_shapes)
    if name == "divide":
        w = np.exp(w)
    check_rules_of(engine_op, reference_op, [u, w], rng)


@settings(max_examples=40, deadline=None)
@given(p=st.integers(1, 4), q=st.integers(1, 4), r=st.integers(1, 4),
       u_vector=st.booleans(), w_vector=st.booleans(), seed=st.integers(0, 2**32 - 1))
def test_matmul_rules_for_matrices_and_vectors(p, q, r, u_vector, w_vector, seed):
    rng = np.random.default_rng(seed)
    u = rng.normal(size=(q,) if u_vector else (p, q))
    w = rng.normal(size=(q,) if w_vector else (q, r))
    check_rules_of(ad.matmul, anp.dot, [u, w], rng)


@pytest.mark.parametrize("name", ["sum", "mean"])
@settings(max_examples=30, deadline=None)
@given(shape=hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4),
       axis_choice=st.integers(-4, 3), seed=st.integers(0, 2**32 - 1))
def test_sum_and_mean_rules_over_any_axis(name, shape, axis_choice, seed):
    axis = None if not shape or axis_choice >= len(shape) or axis_choice < -len(shape) \
        else axis_choice
    engine_function = {"sum": ad.sum, "mean": ad.mean}[name]
    reference_function = {"sum": anp.sum, "mean": anp.mean}[name]
    rng = np.random.default_rng(seed)
    check_rules_of(lambda u: engine_function(u, axis), lambda u: reference_function(u, axis=axis),
                   [rng.normal(size=shape)], rng)


def ref_squared_error(a, y):
    return anp.mean(anp.sum((a - y) ** 2, axis=-1))


def ref_binary_cross_entropy(z, y):
    a = 1.0 / (1.0 + anp.exp(-z))
    return anp.mean(-anp.sum(y * anp.log(a) + (1 - y) * anp.log(1 - a), axis=-1))


def ref_cross_entropy(z, y):
    return anp.mean(-anp.sum(y * anp.log(ref_softmax(z)), axis=-1))


@pytest.mark.parametrize("loss", ["squared_error", "binary_cross_entropy", "cross_entropy"])
@settings(max_examples=30, deadline=None)
@given(m=st.integers(1, 4), n=st.integers(1, 4), one_sample=st.booleans(),
       seed=st.integers(0, 2**32 - 1))
def test_loss_rules(loss, m, n, one_sample, seed):
    rng = np.random.default_rng(seed)
    shape = (n,) if one_sample else (m, n)
    prediction = rng.normal(size=shape)
    engine, reference = {
        "squared_error": (ad.squared_error, ref_squared_error),
        "binary_cross_entropy": (ad.binary_cross_entropy_from_z, ref_binary_cross_entropy),
        "cross_entropy": (ad.cross_entropy_from_z, ref_cross_entropy),
    }[loss]
    if loss == "squared_error":
        y = rng.normal(size=shape)
    elif loss == "binary_cross_entropy":
        y = rng.uniform(size=shape)
    else:
        y = rng.dirichlet(np.ones(n), size=None if one_sample else m)
    # differentiate with respect to the prediction only (y is data)
    check_rules_of(lambda p: engine(p, y), lambda p: reference(p, y), [prediction], rng)


def test_binary_cross_entropy_from_z_is_stable_for_large_z():
    z = np.array([[800.0, -800.0]])
    y = np.array([[0.0, 1.0]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        cost, (gradient,) = ad.value_and_gradients(lambda z: ad.binary_cross_entropy_from_z(z, y),
                                                   [z])
    assert cost == pytest.approx(1600.0, rel=1e-12)
    np.testing.assert_allclose(gradient, [[1.0, -1.0]])  # sigma(z) - y


def test_bias_adjoint_is_summed_over_the_broadcast_axis():
    Z_bar = np.arange(6.0).reshape(3, 2)
    b = Tensor(np.zeros(2))
    (Tensor(np.zeros((3, 2))) + b).backward(adjoint=Z_bar)
    np.testing.assert_array_equal(b.grad, [6.0, 9.0])


def test_matmul_weight_adjoint_is_the_sum_of_outer_products():
    rng = np.random.default_rng(1)
    A, W, Z_bar = rng.normal(size=(5, 3)), rng.normal(size=(4, 3)), rng.normal(size=(5, 4))
    W_node = Tensor(W)
    (A @ W_node.T).backward(adjoint=Z_bar)
    expected = np.zeros((4, 3))
    for i in range(5):
        for j in range(4):
            for k in range(3):
                expected[j, k] += Z_bar[i, j] * A[i, k]
    np.testing.assert_allclose(W_node.grad, expected, rtol=1e-12)


# ------------------------------------------------------------------------------------------
# the graph: reuse, order, repeated calls
# ------------------------------------------------------------------------------------------

def test_a_node_used_twice_accumulates_its_adjoints():
    x = Tensor(3.0)
    (x * x).backward()
    assert float(x.grad) == 6.0  # 2x: one contribution from each factor
    x = Tensor(3.0)
    (x + x + x).backward()
    assert float(x.grad) == 3.0


@settings(max_examples=40, deadline=None)
@given(value=st.floats(-2, 2), seed=st.integers(0, 1000))
def test_shared_nodes_in_a_diamond_graph_match_autograd(value, seed):
    c = np.random.default_rng(seed).normal(size=3)

    def engine(x):
        u = ad.sigmoid(x * c[0])
        v = u * x + ad.tanh(u)
        return v * u + ad.softplus(x * c[1]) * v + c[2] * u

    def reference(x):
        u = 1 / (1 + anp.exp(-x * c[0]))
        v = u * x + anp.tanh(u)
        return v * u + anp.log(1.0 + anp.exp(x * c[1])) * v + c[2] * u

    _, (gradient,) = ad.value_and_gradients(engine, [value])
    assert float(gradient) == pytest.approx(float(grad(reference)(value)), rel=1e-10, abs=1e-12)


def test_a_long_chain_needs_no_recursion():
    x = Tensor(1.0)
    y = x
    for _ in range(5000):
        y = y * 1.0001
    y.backward()
    assert float(x.grad) == pytest.approx(1.0001**5000, rel=1e-10)


def test_topological_order_puts_parents_first():
    x = Tensor(1.0)
    u = x * 2.0
    v = u + x
    w = v * u
    order = ad.topological_order(w)
    assert order[-1] is w
    position = {id(node): index for index, node in enumerate(order)}
    for node in order:
        for parent in node.parents:
            assert position[id(parent)] < position[id(node)]


def test_backward_twice_gives_the_same_gradient():
    x = Tensor(np.array([0.5, -1.0]))
    y = ad.sum(ad.tanh(x) * x)
    y.backward()
    first = x.grad.copy()
    y.backward()
    np.testing.assert_array_equal(x.grad, first)


def test_backward_with_an_adjoint_is_a_vector_jacobian_product():
    rng = np.random.default_rng(3)
    W, x, adjoint = rng.normal(size=(3, 4)), rng.normal(size=4), rng.normal(size=3)
    x_node = Tensor(x)
    ad.tanh(W @ x_node).backward(adjoint=adjoint)
    J = jacobian(lambda v: anp.tanh(anp.dot(W, v)))(x)
    np.testing.assert_allclose(x_node.grad, adjoint @ J, rtol=1e-12)


def test_repr_shows_shape_and_operation():
    assert repr(Tensor([1.0, 2.0]) * 2.0) == "Tensor(shape=(2,), op='multiply')"
    assert repr(Tensor(1.0)) == "Tensor(shape=(), op='input')"


# ------------------------------------------------------------------------------------------
# the engine on whole networks
# ------------------------------------------------------------------------------------------

HIDDEN = ["sigmoid", "tanh", "relu", "identity"]


@st.composite
def networks_and_data(draw):
    """A random network (1-4 layers), every activation and loss, a batch and targets."""
    depth = draw(st.integers(1, 4))
    loss = draw(st.sampled_from(["squared_error", "binary_cross_entropy", "cross_entropy",
                                 "softmax squared_error"]))
    sizes = [draw(st.integers(1, 5)) for _ in range(depth + 1)]
    if "softmax" in loss or loss == "cross_entropy":
        sizes[-1] = draw(st.integers(2, 5))
    m = draw(st.integers(1, 6))
    names = [draw(st.sampled_from(HIDDEN)) for _ in range(depth - 1)]
    names.append({"binary_cross_entropy": "sigmoid", "cross_entropy": "softmax",
                  "softmax squared_error": "softmax"}.get(loss) or draw(st.sampled_from(HIDDEN)))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    network = MLP.random(sizes, names, rng)
    X = rng.normal(size=(m, sizes[0]))
    if loss == "binary_cross_entropy":
        Y = rng.integers(0, 2, size=(m, sizes[-1])).astype(float)
    elif loss == "cross_entropy":
        Y = np.eye(sizes[-1])[rng.integers(0, sizes[-1], size=m)]
    else:
        Y = rng.normal(size=(m, sizes[-1]))
    return network, X, Y, loss.split()[-1]


def reference_for(network, X, Y, loss):
    """Cost and gradients by autograd from the definitions in tests/reference.py."""
    names = network.activation_names
    count = network.num_layers
    cost_function = reference_softmax_cost if names[-1] == "softmax" else reference_cost

    def cost(parameters):
        return cost_function(parameters[:count], parameters[count:], names, X, Y, loss)

    parameters = list(network.weights) + list(network.biases)
    gradients = grad(cost)(parameters)
    return float(cost(parameters)), gradients[:count], gradients[count:]


@settings(max_examples=150, deadline=None)
@given(case=networks_and_data())
def test_engine_equals_backpropagation_and_autograd_on_random_networks(case):
    network, X, Y, loss = case
    cost, engine = ad.mlp_cost_and_gradients(network, X, Y, loss)
    expected_cost, backprop = network.cost_and_gradients(X, Y, loss)
    assert cost == pytest.approx(expected_cost, rel=1e-12, abs=1e-14)
    pairs = list(zip(engine.weights + engine.biases + engine.deltas,
                     backprop.weights + backprop.biases + backprop.deltas))
    assert len(pairs) == 3 * network.num_layers
    for ours, theirs in pairs:
        assert ours.shape == theirs.shape
        assert relative_error(ours, theirs) <= 1e-10
    reference_cost_value, weight_grads, bias_grads = reference_for(network, X, Y, loss)
    assert cost == pytest.approx(reference_cost_value, rel=1e-10)
    for ours, theirs in zip(engine.weights + engine.biases, list(weight_grads) + list(bias_grads)):
        assert relative_error(ours, np.asarray(theirs)) <= 1e-8


def test_engine_accepts_one_column_targets_as_a_vector():
    rng = np.random.default_rng(0)
    network = MLP.random([3, 2, 1], ["tanh", "sigmoid"], rng)
    X, y = rng.normal(size=(4, 3)), np.array([0.0, 1.0, 1.0, 0.0])
    cost, grads = ad.mlp_cost_and_gradients(network, X, y, "binary_cross_entropy")
    expected_cost, expected = network.cost_and_gradients(X, y, "binary_cross_entropy")
    assert cost == pytest.approx(expected_cost, rel=1e-12)
    assert relative_error(grads.weights[0], expected.weights[0]) <= 1e-12


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n_in=st.integers(1, 4), n_out=st.integers(1, 4),
       activation=st.sampled_from(["sigmoid", "tanh", "identity"]))
def test_forward_mode_through_a_layer_equals_autograd_jacobian_vector_products(
        seed, n_in, n_out, activation):
    rng = np.random.default_rng(seed)
    W, b, x = rng.normal(size=(n_out, n_in)), rng.normal(size=n_out), rng.normal(size=(2, n_in))
    tangents = [rng.normal(size=W.shape), rng.normal(size=b.shape), rng.normal(size=x.shape)]
    engine_g = {"sigmoid": ad.sigmoid, "tanh": ad.tanh, "identity": ad.identity}[activation]
    value, tangent = ad.jvp(lambda W, b, x: engine_g(x @ W.T + b), [W, b, x], tangents)
    g = REFERENCE_ACTIVATIONS[activation]
    layer = lambda W, b, x: g(anp.dot(x, W.T) + b)  # noqa: E731
    expected = sum(np.tensordot(jacobian(layer, argnum)(W, b, x), tangents[argnum],
                                axes=tangents[argnum].ndim) for argnum in range(3))
    np.testing.assert_allclose(value, layer(W, b, x), rtol=1e-12)
    np.testing.assert_allclose(tangent, expected, rtol=1e-9, atol=1e-12)


def test_forward_mode_with_unit_tangents_gives_the_gradient():
    example = running_example()
    network = example.network
    parameters = [network.weights[0], network.biases[0], network.weights[1], network.biases[1]]

    def cost(W1, b1, W2, b2):
        return ad.squared_error(ad.sigmoid(ad.sigmoid(example.X @ W1.T + b1) @ W2.T + b2),
                                example.Y)

    weight_grads, bias_grads = reference_for(network, example.X, example.Y, "squared_error")[1:]
    expected = [weight_grads[0], bias_grads[0], weight_grads[1], bias_grads[1]]
    for which, parameter in enumerate(parameters):
        for index in np.ndindex(parameter.shape):
            tangents = [np.zeros_like(p) for p in parameters]
            tangents[which][index] = 1.0
            _, directional = ad.jvp(cost, parameters, tangents)
            assert float(directional) == pytest.approx(float(expected[which][index]), rel=1e-10,
                                                       abs=1e-14)


def test_jvp_of_a_function_that_ignores_its_input_is_zero():
    value, tangent = ad.jvp(lambda u, w: ad.tanh(w), [np.ones(2), np.zeros(3)],
                            [np.ones(2), np.zeros(3)])
    np.testing.assert_array_equal(value, np.zeros(3))
    np.testing.assert_array_equal(tangent, np.zeros(3))


# ------------------------------------------------------------------------------------------
# counting multiplications
# ------------------------------------------------------------------------------------------

def closed_form(sizes, mode):
    """Reverse: sum_{i=2..k} d_0 d_{i-1} d_i; forward: sum_{i=1..k-1} d_{i-1} d_i d_k."""
    k = len(sizes) - 1
    if mode == "reverse":
        return sum(sizes[0] * sizes[i - 1] * sizes[i] for i in range(2, k + 1))
    return sum(sizes[i - 1] * sizes[i] * sizes[k] for i in range(1, k))


@settings(max_examples=200, deadline=None)
@given(sizes=st.lists(st.integers(1, 1000), min_size=2, max_size=7))
def test_multiplication_counts_equal_the_closed_form(sizes):
    for mode in ("forward", "reverse"):
        assert ad.chain_multiplications(sizes, mode) == closed_form(sizes, mode)


class CountingMatrix:
    """A matrix product that counts its scalar multiplications."""

    count = 0

    def __init__(self, values):
        self.values = np.asarray(values)

    def __matmul__(self, other):
        p, q = self.values.shape
        r = other.values.shape[1]
        result = np.zeros((p, r))
        for i in range(p):
            for j in range(r):
                for k in range(q):
                    result[i, j] += self.values[i, k] * other.values[k, j]
                    CountingMatrix.count += 1
        return CountingMatrix(result)


@settings(max_examples=30, deadline=None)
@given(sizes=st.lists(st.integers(1, 5), min_size=2, max_size=5), seed=st.integers(0, 1000))
def test_multiplication_counts_equal_an_instrumented_product(sizes, seed):
    rng = np.random.default_rng(seed)
    jacobians = [CountingMatrix(rng.normal(size=(sizes[i], sizes[i + 1])))
                 for i in range(len(sizes) - 1)]
    CountingMatrix.count = 0
    product = jacobians[0]
    for factor in jacobians[1:]:
        product = product @ factor
    reverse = CountingMatrix.count
    CountingMatrix.count = 0
    other = jacobians[-1]
    for factor in reversed(jacobians[:-1]):
        other = factor @ other
    forward = CountingMatrix.count
    np.testing.assert_allclose(product.values, other.values, rtol=1e-10, atol=1e-12)
    assert ad.chain_multiplications(sizes, "reverse") == reverse
    assert ad.chain_multiplications(sizes, "forward") == forward


def test_reverse_mode_wins_for_a_scalar_cost_and_many_parameters():
    for n in (10, 1000, 10**6):
        sizes = [1, 100, 100, 100, n]
        assert ad.chain_multiplications(sizes, "forward") == 20_100 * n
        assert ad.chain_multiplications(sizes, "reverse") == 20_000 + 100 * n


# ------------------------------------------------------------------------------------------
# input errors and the caller's arrays
# ------------------------------------------------------------------------------------------

def tiny_network():
    return MLP.random([2, 3, 2], ["tanh", "sigmoid"], np.random.default_rng(0))


@pytest.mark.parametrize("call, error, message", [
    (lambda: Tensor("abc"), TypeError, "value must be an array of numbers, got str"),
    (lambda: Tensor([1.0, np.nan]), ValueError, "value must contain only finite numbers"),
    (lambda: Tensor([[1.0], [2.0, 3.0]]), ValueError, "rectangular"),
    (lambda: Tensor(np.ones(2)) + np.ones(3), ValueError,
     "add: u of shape (2,) and w of shape (3,) cannot be broadcast together"),
    (lambda: ad.multiply(np.ones((2, 3)), np.ones((3, 2))), ValueError,
     "multiply: u of shape (2, 3) and w of shape (3, 2) cannot be broadcast"),
    (lambda: Tensor(np.ones((2, 3))) @ np.ones((2, 3)), ValueError,
     "matmul: u of shape (2, 3) has 3 columns but w of shape (2, 3) has 2 rows"),
    (lambda: ad.matmul(np.ones((2, 2, 2)), np.ones(2)), ValueError,
     "matmul needs 1-D or 2-D operands, got u of shape (2, 2, 2) and w of shape (2,)"),
    (lambda: Tensor(np.ones(2)).backward(), ValueError,
     "backward() without an adjoint needs a scalar output (one number, like the cost J), "
     "got shape (2,)"),
    (lambda: Tensor(np.ones(2)).backward(adjoint=np.ones(3)), ValueError,
     "adjoint must have the output's shape (2,), got shape (3,)"),
    (lambda: ad.power(Tensor(1.0), "2"), TypeError, "exponent must be a number, got str"),
    (lambda: ad.power(Tensor([0.0, 1.0]), -1.0), ValueError, "u must be non-zero"),
    (lambda: ad.power(Tensor([-1.0, 1.0]), 0.5), ValueError, "u must be positive for the fract"),
    (lambda: ad.sum(Tensor(np.ones((2, 3))), axis=2), ValueError,
     "axis must be None or an axis of the shape (2, 3), got 2"),
    (lambda: ad.mean(Tensor(np.ones(2)), axis=1.0), ValueError, "axis must be None"),
    (lambda: ad.softmax(Tensor(1.0)), ValueError, "softmax needs a vector"),
    (lambda: ad.log_softmax(Tensor(1.0)), ValueError, "log_softmax needs a vector"),
    (lambda: ad.squared_error(np.ones((2, 3)), np.ones((3, 2))), ValueError,
     "a and y must have the same shape, (n_L,) or (m, n_L), got a of shape (2, 3) and y of "
     "shape (3, 2)"),
    (lambda: ad.binary_cross_entropy_from_z(np.ones(2), np.array([0.0, 2.0])), ValueError,
     "y must lie in [0, 1] for binary cross-entropy, got values from 0.0 to 2.0"),
    (lambda: ad.cross_entropy_from_z(np.ones(2), np.array([-1.0, 2.0])), ValueError,
     "y must lie in [0, 1] for cross-entropy"),
    (lambda: ad.jvp(3, [1.0], [1.0]), TypeError, "function must be callable, got int"),
    (lambda: ad.jvp(ad.tanh, 1.0, [1.0]), TypeError, "inputs must be a non-empty list of arrays"),
    (lambda: ad.jvp(ad.tanh, [1.0], [1.0, 2.0]), ValueError,
     "tangents must be a list with one array per input (1), got 2 of them"),
    (lambda: ad.jvp(ad.tanh, [np.ones(2)], [np.ones(3)]), ValueError,
     "tangents[0] must have the shape of inputs[0], (2,), got shape (3,)"),
    (lambda: ad.jvp(lambda u: np.ones(2), [1.0], [1.0]), TypeError,
     "function must return a Tensor built with backproplib.autodiff operations, got ndarray"),
    (lambda: ad.value_and_gradients(ad.tanh, [np.ones(2)]), ValueError,
     "backward() without an adjoint needs a scalar output"),
    (lambda: ad.mlp_cost_and_gradients("net", np.ones((1, 2)), np.ones((1, 2)), "squared_error"),
     TypeError, "network must be a backproplib.network.MLP, got str"),
    (lambda: ad.mlp_cost_and_gradients(tiny_network(), np.ones((1, 3)), np.ones((1, 2)),
                                       "squared_error"), ValueError, "X must have 2 columns"),
    (lambda: ad.mlp_cost_and_gradients(tiny_network(), np.ones((1, 2)), np.ones((1, 2)),
                                       "hinge"), ValueError, "unknown loss 'hinge'"),
    (lambda: ad.chain_multiplications([1, 2], "sideways"), ValueError,
     "mode must be 'forward' or 'reverse', got 'sideways'"),
    (lambda: ad.chain_multiplications([5], "forward"), ValueError,
     "sizes must list at least two sizes (one Jacobian), got [5]"),
    (lambda: ad.chain_multiplications([1, 0, 3], "forward"), ValueError,
     "every entry of sizes must be a positive integer, got 0"),
])
def test_bad_input_gives_a_clear_error(call, error, message):
    with pytest.raises(error) as raised:
        call()
    assert message in str(raised.value)


def test_the_callers_arrays_are_never_changed():
    rng = np.random.default_rng(5)
    W, x = rng.normal(size=(2, 3)), rng.normal(size=3)
    W_copy, x_copy = W.copy(), x.copy()
    node = Tensor(W)
    node.value[0, 0] = 100.0  # the node holds its own copy
    assert W[0, 0] == W_copy[0, 0]
    cost, (W_grad, x_grad) = ad.value_and_gradients(lambda W, x: ad.sum(ad.tanh(W @ x)), [W, x])
    W_grad[:] = 0.0  # the returned gradients are copies too
    _, (W_grad_again, _) = ad.value_and_gradients(lambda W, x: ad.sum(ad.tanh(W @ x)), [W, x])
    assert np.any(W_grad_again != 0.0)
    tangent = [np.ones(2 * 3).reshape(2, 3), np.ones(3)]
    ad.jvp(lambda W, x: ad.tanh(W @ x), [W, x], tangent)
    np.testing.assert_array_equal(tangent[0], np.ones((2, 3)))
    np.testing.assert_array_equal(W, W_copy)
    np.testing.assert_array_equal(x, x_copy)
    network = tiny_network()
    weights = [w.copy() for w in network.weights]
    X, Y = rng.normal(size=(4, 2)), rng.uniform(size=(4, 2))
    X_copy, Y_copy = X.copy(), Y.copy()
    ad.mlp_cost_and_gradients(network, X, Y, "squared_error")
    for before, after in zip(weights, network.weights):
        np.testing.assert_array_equal(before, after)
    np.testing.assert_array_equal(X, X_copy)
    np.testing.assert_array_equal(Y, Y_copy)


# ------------------------------------------------------------------------------------------
# every gradient number chapter 8 prints, computed here independently (autograd, hand formulas)
# ------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def printed() -> str:
    return stored_text("08_reverse_mode_autodiff")


def as_printed(array) -> str:
    with np.printoptions(precision=4, suppress=True):
        return str(np.asarray(array))


def test_chapter_8_neuron_tangents_and_adjoints(printed):
    x, w, b, y = 1.5, 0.8, -0.2, 1.0

    def cost(w, b, x):
        return (1 / (1 + anp.exp(-(w * x + b))) - y) ** 2

    z = w * x + b
    a = 1 / (1 + np.exp(-z))
    dC_dw, dC_db, dC_dx = (float(grad(cost, argnum)(w, b, x)) for argnum in range(3))
    dC_da = float(grad(lambda a: (a - y) ** 2)(a))
    dC_dz = float(grad(lambda z: (1 / (1 + anp.exp(-z)) - y) ** 2)(z))
    da_dw = float(grad(lambda w: 1 / (1 + anp.exp(-(w * x + b))))(w))
    assert f"w     {w:7.4f}   {1.0:18.4f}   {dC_dw:18.4f}" in printed
    assert f"z     {z:7.4f}   {x:18.4f}   {dC_dz:18.4f}" in printed
    assert f"a     {a:7.4f}   {da_dw:18.4f}   {dC_da:18.4f}" in printed
    assert f"C     {cost(w, b, x):7.4f}   {dC_dw:18.4f}   {1.0:18.4f}" in printed
    assert f"dC/dw from the tangent of C: {dC_dw:.6f};  from the adjoint of w: {dC_dw:.6f}" in printed
    assert f"dC/db = {dC_db:.6f} and dC/dx = {dC_dx:.6f}" in printed
    assert f"forward mode, two sweeps: dC/dw = {dC_dw:.6f}, dC/db = {dC_db:.6f}" in printed
    assert f"reverse mode, one sweep : dC/dw = {dC_dw:.6f}, dC/db = {dC_db:.6f}" in printed
    assert f"finite differences      : dC/dw = {dC_dw:.6f}" in printed


def running_reference():
    example = running_example()
    network = example.network
    parameters = [network.weights[0], network.biases[0], network.weights[1], network.biases[1]]
    return example, parameters


def test_chapter_8_running_example_adjoints(printed):
    example, (W1, b1, W2, b2) = running_reference()
    X, Y = example.X, example.Y

    def cost_of_Z1(Z1):
        A2 = 1 / (1 + anp.exp(-(anp.dot(1 / (1 + anp.exp(-Z1)), W2.T) + b2)))
        return anp.mean(anp.sum((A2 - Y) ** 2, axis=1))

    Z1 = X @ W1.T + b1
    Z1_bar = grad(cost_of_Z1)(Z1)
    weight_grads, bias_grads = reference_for(example.network, X, Y, "squared_error")[1:]
    assert f"J = {float(cost_of_Z1(Z1)):.6f}\n" in printed
    J = float(cost_of_Z1(Z1))
    assert f"J = {J:.6f} (MLP: {J:.6f})" in printed
    assert "adjoint of Z^[1], one row per sample:\n" + as_printed(Z1_bar) in printed
    assert "W1_bar from the engine:\n" + as_printed(weight_grads[0]) in printed
    assert "b1_bar from the engine: " + as_printed(bias_grads[0]) in printed
    assert "sum of the rows of Z1_bar:   " + as_printed(Z1_bar.sum(axis=0)) in printed
    assert "sum of the four outer products z_bar^(i) a^(i)T: True" in printed
    assert "dJ/dW^[2] from the engine:\n" + as_printed(weight_grads[1]) in printed
    assert "forward mode: 26 sweeps;  reverse mode: 1 sweep\nsame gradient: True" in printed


def test_chapter_8_multiplication_counts(printed):
    for n in (1, 10, 100, 1_000, 10_000, 1_000_000):
        forward, reverse = 20_100 * n, 20_000 + 100 * n
        assert f"{n:12,d}   {forward:23,d}   {reverse:23,d}   {forward / reverse:17.1f}" in printed
    assert "multiplications: forward 6,030,000, reverse 50,000" in printed  # n = 300
    forward = 200 * 200 * 10_000 + 50 * 200 * 10_000 + 50 * 10_000
    reverse = 50 * 200 + 200 * 200 + 200 * 10_000
    assert f"needs {forward / reverse:.0f} times fewer" in printed


def test_chapter_8_node_used_twice(printed):
    example, (_, _, W2, b2) = running_reference()
    w_out, y_out = W2[:, 1], example.y

    def cost(a):
        return anp.sum((1 / (1 + anp.exp(-(w_out * a + b2))) - y_out) ** 2)

    terms = [float(grad(lambda a, j=j: (1 / (1 + anp.exp(-(w_out[j] * a + b2[j]))) - y_out[j])
                        ** 2)(0.6)) for j in range(2)]
    total = float(grad(cost)(0.6))
    assert f"term of output node 1: {terms[0]:.6f},  term of output node 2: {terms[1]:.6f}" \
        in printed
    assert f"engine (adds up)   : dC/da = {total:.6f}   = sum of both terms: True" in printed
    assert any(f"overwriting bug    : dC/da = {term:.6f}   = one term only: True" in printed
               for term in terms)
    assert f"finite difference  : dC/da = {total:.6f}" in printed


def test_chapter_8_logistic_regression_and_softmax_network(printed):
    rng = np.random.default_rng(8)
    rng.normal(size=(1, 100))  # the notebook draws four Jacobians of these sizes first
    rng.normal(size=(100, 100))
    rng.normal(size=(100, 100))
    rng.normal(size=(100, 300))
    X = rng.normal(size=(6, 2))
    y = np.array([1.0, 0.0, 1.0, 1.0, 0.0, 0.0])
    w, b = np.array([0.5, -0.3]), 0.1

    def cost(w, b):
        a = 1 / (1 + anp.exp(-(anp.dot(X, w) + b)))
        return -anp.mean(y * anp.log(a) + (1 - y) * anp.log(1 - a))

    assert f"J = {float(cost(w, b)):.6f} (MLP: {float(cost(w, b)):.6f})" in printed
    assert (f"dJ/dw = {as_printed(grad(cost, 0)(w, b))},  dJ/db = {float(grad(cost, 1)(w, b)):.4f}"
            in printed)
    network = MLP.random([4, 5, 3], ["tanh", "softmax"], rng)
    X_classes = rng.normal(size=(6, 4))
    Y_classes = np.eye(3)[[0, 2, 1, 1, 0, 2]]
    expected = reference_softmax_cost(network.weights, network.biases, network.activation_names,
                                      X_classes, Y_classes, "cross_entropy")
    assert f"J = {float(expected):.6f} (MLP: {float(expected):.6f})" in printed
    assert "engine's delta^[2] = A - Y: True" in printed
    assert printed.count("deltas = m * adjoint of Z, equal to backpropagation's: True") == 2
    assert printed.count("<= 1e-12") == 9 and printed.count("<= 1e-08") == 9
