"""Appendix C: the exercise checks (solution passes, each mistake caught with its message) and every
number the appendix prints, recomputed here independently: exact derivatives by autograd, finite
differences and the buggy backward passes written again from their definitions."""

from __future__ import annotations


import autograd.numpy as anp
import numpy as np
import pytest
from autograd import grad

from backproplib.exercises import appendix_c
from backproplib.network import MLP
from backproplib.running_example import running_example

from .notebook_outputs import stored_text
from .reference import reference_cost


# ------------------------------------------------------------------------------ C.1


def test_c_1_solution():
    assert appendix_c.check_c_1(lambda f, x, h: (f(x + h) - f(x - h)) / (2 * h)).passed


def test_c_1_not_done():
    assert appendix_c.check_c_1(...).status == "not yet done"

    def not_written(f, x, h):
        raise NotImplementedError

    assert appendix_c.check_c_1(not_written).status == "not yet done"


def test_c_1_forward_one_sided():
    feedback = appendix_c.check_c_1(lambda f, x, h: (f(x + h) - f(x)) / h)
    assert "one-sided (forward) difference" in feedback.message


def test_c_1_backward_one_sided():
    feedback = appendix_c.check_c_1(lambda f, x, h: (f(x) - f(x - h)) / h)
    assert "one-sided (backward) difference" in feedback.message


def test_c_1_divided_by_h():
    feedback = appendix_c.check_c_1(lambda f, x, h: (f(x + h) - f(x - h)) / h)
    assert "divides by h, so it gives twice the derivative" in feedback.message


def test_c_1_missing_parentheses():
    feedback = appendix_c.check_c_1(lambda f, x, h: f(x + h) - f(x - h) / (2 * h))
    assert "parentheses around the difference are missing" in feedback.message


def test_c_1_divides_by_2_then_multiplies_by_h():
    feedback = appendix_c.check_c_1(lambda f, x, h: (f(x + h) - f(x - h)) / 2 * h)
    assert "/ 2*h is (... / 2) * h" in feedback.message


def test_c_1_other_wrong_function_and_crash():
    assert "wrong values" in appendix_c.check_c_1(lambda f, x, h: f(x)).message
    assert "raised ZeroDivisionError" in appendix_c.check_c_1(lambda f, x, h: 1 / 0).message


# ------------------------------------------------------------------------------ C.2
X_KINK, H = 3e-7, 1e-6


def relu(x):
    return max(x, 0.0)


def test_c_2_solution():
    assert appendix_c.check_c_2((relu(X_KINK + H) - relu(X_KINK - H)) / (2 * H)).passed


def test_c_2_not_done():
    assert appendix_c.check_c_2(...).status == "not yet done"


def test_c_2_true_derivative():
    assert "true derivative" in appendix_c.check_c_2(1.0).message


def test_c_2_at_the_kink():
    assert "exactly at the kink" in appendix_c.check_c_2(0.5).message


def test_c_2_divided_by_h():
    assert "divides by h instead of 2h" in appendix_c.check_c_2((X_KINK + H) / H).message


def test_c_2_one_sided_backward():
    assert "one-sided backward difference" in appendix_c.check_c_2(X_KINK / H).message


def test_c_2_never_reveals_the_solution():
    assert "0.65" not in str(appendix_c.check_c_2(0.1))


# ------------------------------------------------------------------------------ C.3


def test_c_3_solution():
    m = 9
    assert (m - 1) / (m + 1) == pytest.approx(0.8)  # the signature the exercise describes
    assert appendix_c.check_c_3("forgotten 1/m").passed
    assert appendix_c.check_c_3("  forgotten 1/m ").passed


def test_c_3_not_done():
    assert appendix_c.check_c_3(...).status == "not yet done"


def test_c_3_transposed_w():
    assert "layers above it correct" in appendix_c.check_c_3("transposed W").message


def test_c_3_g_prime_of_a():
    assert "different errors in different layers" in \
        appendix_c.check_c_3("g'(a) instead of g'(z)").message


def test_c_3_dropped_factor_2():
    assert "relative error 1/3 for every m" in appendix_c.check_c_3("dropped factor 2").message


def test_c_3_unknown_answer():
    assert "answer with one of the names" in appendix_c.check_c_3("overfitting").message
    assert "answer with one of the names" in appendix_c.check_c_3(3).message


# ------------------------------------------------------------------------------ printed numbers


@pytest.fixture(scope="module")
def printed() -> str:
    return stored_text("C_gradient_checking")


def describe(error):
    return "ok" if error < 1e-7 else f"{error:.0e}"


def relative(first, second):
    first, second = np.ravel(first), np.ravel(second)
    return float(np.sqrt(np.sum((first - second) ** 2))
                 / (np.sqrt(np.sum(first**2)) + np.sqrt(np.sum(second**2))))


def centred_gradient(cost, parameters, h=1e-6):
    """Centred differences of cost(parameters) for every entry of every array, written here."""
    gradients = []
    for which, parameter in enumerate(parameters):
        gradient = np.zeros_like(parameter)
        for index in np.ndindex(parameter.shape):
            plus = [p.copy() for p in parameters]
            minus = [p.copy() for p in parameters]
            plus[which][index] += h
            minus[which][index] -= h
            gradient[index] = (cost(plus) - cost(minus)) / (2 * h)
        gradients.append(gradient)
    return gradients


def test_step_size_table(printed):
    example = running_example()
    net = example.network

    only_w11 = np.zeros_like(net.weights[1])
    only_w11[0, 0] = 1.0

    def cost_of_w(w):
        weights = [net.weights[0], net.weights[1] * (1 - only_w11) + w * only_w11]
        return reference_cost(weights, net.biases, net.activation_names, example.X, example.Y,
                              "squared_error")

    w = net.weights[1][0, 0]
    exact = float(grad(cost_of_w)(w))
    assert f"exact dJ/dw_11^[2] = {exact:.10f}" in printed
    for h in (1e-1, 1e-2, 1e-3, 1e-4):
        one_sided = (cost_of_w(w + h) - cost_of_w(w)) / h
        centred = (cost_of_w(w + h) - cost_of_w(w - h)) / (2 * h)
        line = (f"{h:7.0e}   {abs(one_sided - exact) / abs(exact):24.0e}   "
                f"{abs(centred - exact) / abs(exact):22.0e}")
        assert line in printed
    # float32 against float64, with a float32 forward pass written here
    steps = np.logspace(-1, -13, 61)

    def cost32(w):
        W1, W2 = net.weights[0].astype(np.float32), net.weights[1].astype(np.float32)
        W2[0, 0] = w
        b1, b2 = (b.astype(np.float32) for b in net.biases)
        A1 = np.float32(1) / (np.float32(1) + np.exp(-(example.X.astype(np.float32) @ W1.T + b1)))
        A2 = np.float32(1) / (np.float32(1) + np.exp(-(A1 @ W2.T + b2)))
        return np.mean(np.sum((A2 - example.Y.astype(np.float32)) ** 2, axis=1))

    w32 = np.float32(w)
    errors32 = [abs(float((cost32(w32 + np.float32(h)) - cost32(w32 - np.float32(h)))
                          / (np.float32(2) * np.float32(h))) - exact) / abs(exact) for h in steps]
    errors64 = [abs((cost_of_w(w + h) - cost_of_w(w - h)) / (2 * h) - exact) / abs(exact)
                for h in steps]
    assert min(errors64) < 1e-9 and min(errors32) > 1e-6
    assert errors32[int(np.argmin(np.abs(steps - 1e-6)))] > 0.1
    assert "best centred float64 error over these steps below 1e-9: True" in printed
    assert "best centred float32 error over these steps above 1e-6: True" in printed
    assert "float32 with h = 1e-6 (the float64 step) is off by more than 10%: True" in printed


def test_relative_error_table(printed):
    for scale in (1e-6, 1.0, 1e6):
        absolute = 0.002 * scale
        rel = 0.002 / (5.0 + np.sqrt(9.0 + 4.002**2))
        assert f"{scale:5.0e}   {absolute:14.0e}   {rel:15.0e}" in printed


def test_relu_kink_numbers(printed):
    x, h = 2e-7, 1e-6
    assert "relu'(x) = 1.0000" in printed  # x > 0
    assert f"centred difference = {(x + h - 0.0) / (2 * h):.4f}" in printed  # relu(x - h) = 0


def notebook_networks():
    """The random networks and data of the appendix, drawn in the notebook's order."""
    rng = np.random.default_rng(2024)
    relu_network = MLP.random([3, 4, 2], ["relu", "sigmoid"], rng)
    X_relu, Y_relu = rng.normal(size=(5, 3)), rng.uniform(size=(5, 2))
    bug_network = MLP.random([3, 4, 4, 2], ["sigmoid", "tanh", "sigmoid"], rng)
    X_bugs, Y_bugs = rng.normal(size=(5, 3)), rng.uniform(size=(5, 2))
    return relu_network, X_relu, Y_relu, bug_network, X_bugs, Y_bugs


def reference_gradient_and_differences(weights, biases, names, X, Y):
    def cost(parameters):
        count = len(weights)
        return reference_cost(parameters[:count], parameters[count:], names, X, Y,
                              "squared_error")

    parameters = [np.array(p, dtype=float) for p in list(weights) + list(biases)]
    exact = [np.asarray(g) for g in grad(cost)(parameters)]
    return exact, centred_gradient(lambda p: float(cost(p)), parameters)


def test_kink_network_lines(printed):
    relu_network, X, Y = notebook_networks()[:3]
    W, b = relu_network.weights, relu_network.biases
    for offset in (2e-7, 1e-2):
        biases = [v.copy() for v in b]
        biases[0][0] += offset - (X[0] @ W[0][0] + b[0][0])
        Z1 = X @ W[0].T + biases[0]
        exact, numeric = reference_gradient_and_differences(W, biases, ["relu", "sigmoid"], X, Y)
        errors = [describe(relative(e, n)) for e, n in zip(exact, numeric)]  # W1, W2, b1, b2
        line = (f"closest z to the kink: {np.min(np.abs(Z1)):.0e} (h = 1e-06) -> layer 1: W "
                f"{errors[0]}, b {errors[2]}; layer 2: W {errors[1]}, b {errors[3]}")
        assert line in printed
    assert "layer 1: W ok" not in printed.split("closest z to the kink: 2e-07")[1].split("\n")[0]


def sigma(x):
    return 1.0 / (1.0 + np.exp(-x))


SLOPES = {"sigmoid": lambda v: sigma(v) * (1 - sigma(v)), "tanh": lambda v: 1 - np.tanh(v) ** 2}
FUNCTIONS = {"sigmoid": sigma, "tanh": np.tanh}


def per_sample_backprop(weights, biases, names, X, Y, slope_at_activation=False):
    """Mean over samples of each sample's backpropagation, one sample and one node at a time."""
    m, L = X.shape[0], len(weights)
    weight_grads = [np.zeros_like(W) for W in weights]
    bias_grads = [np.zeros_like(b) for b in biases]
    for i in range(m):
        a, zs, activations_ = X[i], [], [X[i]]
        for W, b, name in zip(weights, biases, names):
            z = W @ a + b
            a = FUNCTIONS[name](z)
            zs.append(z)
            activations_.append(a)
        slope_input = activations_[1:] if slope_at_activation else zs
        delta = 2 * (activations_[-1] - Y[i]) * SLOPES[names[-1]](slope_input[-1])
        for l in reversed(range(L)):
            for j in range(weights[l].shape[0]):
                bias_grads[l][j] += delta[j] / m
                for k in range(weights[l].shape[1]):
                    weight_grads[l][j, k] += delta[j] * activations_[l][k] / m
            if l > 0:
                delta = np.array([sum(weights[l][j, k] * delta[j] for j in range(len(delta)))
                                  for k in range(weights[l].shape[1])]) \
                    * SLOPES[names[l - 1]](slope_input[l - 1])
    return weight_grads, bias_grads


def transposed_w_gradients(weights, biases, names, X, Y):
    """Layers 2 and 3 right (autograd); layer 1 from delta^[1] = (delta^[2] W^[2]T) g'(z^[1])."""
    m = X.shape[0]
    Z1 = X @ weights[0].T + biases[0]

    def cost_of_Z2(Z2):
        A2 = anp.tanh(Z2)
        A3 = 1 / (1 + anp.exp(-(anp.dot(A2, weights[2].T) + biases[2])))
        return anp.mean(anp.sum((A3 - Y) ** 2, axis=1))

    Z2 = sigma(Z1) @ weights[1].T + biases[1]
    delta2 = m * grad(cost_of_Z2)(Z2)
    delta1 = (delta2 @ weights[1].T) * SLOPES["sigmoid"](Z1)
    exact = reference_gradient_and_differences(weights, biases, names, X, Y)[0]
    return [delta1.T @ X / m, exact[1], exact[2]], [delta1.sum(axis=0) / m, exact[4], exact[5]]


def test_bug_table(printed):
    network, X, Y = notebook_networks()[3:]
    W, b, names = network.weights, network.biases, network.activation_names
    m = X.shape[0]
    exact, numeric = reference_gradient_and_differences(W, b, names, X, Y)
    exact_w, exact_b = exact[:3], exact[3:]
    numeric_w, numeric_b = numeric[:3], numeric[3:]
    candidates = {
        "none": (exact_w, exact_b),
        "forgotten 1/m": ([m * g for g in exact_w], [m * g for g in exact_b]),
        "transposed W": transposed_w_gradients(W, b, names, X, Y),
        "g'(a) instead of g'(z)": per_sample_backprop(W, b, names, X, Y, slope_at_activation=True),
        "dropped factor 2": ([g / 2 for g in exact_w], [g / 2 for g in exact_b]),
    }
    # the per-sample loops, without the bug, agree with autograd (so the bug is the only change)
    loops_w, loops_b = per_sample_backprop(W, b, names, X, Y)
    assert all(relative(a, e) < 1e-12 for a, e in zip(loops_w + loops_b, exact_w + exact_b))
    for bug, (weight_grads, bias_grads) in candidates.items():
        errors = []
        for layer in range(3):
            errors += [relative(weight_grads[layer], numeric_w[layer]),
                       relative(bias_grads[layer], numeric_b[layer])]
        verdict = "passed" if max(errors) <= 1e-6 else "FAILED"
        line = f"{bug:24s}" + "".join(f"{describe(error):>8s}" for error in errors) + f"   {verdict}"
        assert line in printed, line
        if bug in ("forgotten 1/m", "dropped factor 2"):  # the signature, to four digits
            predicted = (m - 1) / (m + 1) if bug == "forgotten 1/m" else 1 / 3
            assert max(errors) - min(errors) < 1e-8
            assert min(errors) == pytest.approx(predicted, abs=1e-8)
            assert (f"{bug:17s} relative errors from {min(errors):.4f} to {max(errors):.4f}; "
                    f"predicted {predicted:.4f}") in printed
    assert f"{(m - 1) / (m + 1):.0e}" == "7e-01" and f"{1 / 3:.0e}" == "3e-01"
