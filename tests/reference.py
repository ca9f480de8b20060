"""Independent reference implementations written with autograd (not with backproplib).

These re-implement the network's cost from its definition in the book, directly and naively, so
that autograd's reverse-mode differentiation gives gradients that share no code with backproplib.
"""

from __future__ import annotations

import autograd.numpy as anp
import numpy as np
from autograd import grad

REFERENCE_ACTIVATIONS = {
    "sigmoid": lambda z: 1.0 / (1.0 + anp.exp(-z)),
    "tanh": anp.tanh,
    "relu": lambda z: anp.maximum(z, 0.0),
    "identity": lambda z: z,
}


def reference_cost(weights, biases, activations, X, Y, loss):
    """J = (1/m) sum_i L^(i), computed one layer at a time with autograd.numpy."""
    A = X
    for W, b, name in zip(weights, biases, activations):
        A = REFERENCE_ACTIVATIONS[name](anp.dot(A, W.T) + b)
    if loss == "squared_error":
        per_sample = anp.sum((A - Y) ** 2, axis=1)
    elif loss == "binary_cross_entropy":
        per_sample = -anp.sum(Y * anp.log(A) + (1 - Y) * anp.log(1 - A), axis=1)
    else:
        raise ValueError(loss)
    return anp.mean(per_sample)


def reference_gradients(weights, biases, activations, X, Y, loss):
    """(dJ/dW list, dJ/db list) by autograd."""

    def cost(parameters):
        count = len(weights)
        return reference_cost(parameters[:count], parameters[count:], activations, X, Y, loss)

    gradients = grad(cost)(list(weights) + list(biases))
    count = len(weights)
    return [np.asarray(g) for g in gradients[:count]], [np.asarray(g) for g in gradients[count:]]


def elementwise_derivative(function, z):
    """d g(z_i) / d z_i for an element-wise function, by autograd."""
    return np.asarray(grad(lambda values: anp.sum(function(values)))(np.asarray(z, dtype=float)))


def reference_softmax_cost(weights, biases, activations, X, Y, loss):
    """Like reference_cost, with a softmax output layer written out from its definition."""
    A = X
    for W, b, name in zip(weights[:-1], biases[:-1], activations[:-1]):
        A = REFERENCE_ACTIVATIONS[name](anp.dot(A, W.T) + b)
    Z = anp.dot(A, weights[-1].T) + biases[-1]
    exponentials = anp.exp(Z)
    probabilities = exponentials / anp.sum(exponentials, axis=1, keepdims=True)
    if loss == "cross_entropy":
        per_sample = -anp.sum(Y * anp.log(probabilities), axis=1)
    else:
        per_sample = anp.sum((probabilities - Y) ** 2, axis=1)
    return anp.mean(per_sample)


def sigmoid(z):
    """The logistic function written out, for hand computations in the tests."""
    return 1.0 / (1.0 + np.exp(-z))


def sigmoid_slope(z):
    """Its derivative at z, written out from the quotient rule (not as a(1 - a))."""
    return np.exp(-z) / (1.0 + np.exp(-z)) ** 2


def running_example_by_hand():
    """The running example's sample pushed through by hand: (example, W1, W2, B1, B2, x, y,
    Z1, A1, Z2, A2), with one sample as a column vector and no backproplib code in the pass."""
    from backproplib.running_example import running_example

    example = running_example()
    W1, W2 = example.network.weights
    B1, B2 = example.network.biases
    x, y = example.x, example.y
    Z1 = W1 @ x + B1
    A1 = sigmoid(Z1)
    Z2 = W2 @ A1 + B2
    A2 = sigmoid(Z2)
    return example, W1, W2, B1, B2, x, y, Z1, A1, Z2, A2
