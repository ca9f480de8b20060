"""Checks for the exercises of appendix B (reader questions).

Exercise B.1 asks how many bytes the forward pass keeps for the backward pass, B.2 for gradient
clipping by norm as a function. The classic wrong answers are recognised: counting the parameters
instead of the activations, leaving out the weighted inputs or the input itself, one sample instead
of the batch, floats instead of bytes, 4-byte floats; clipping each entry, rescaling every gradient
to the threshold, normalising to length 1.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import Feedback, Mistake, calls_function, check_function, check_value

#: Exercise B.1: a 784-128-10 network (the size of an MNIST classifier) and a mini-batch of 64.
MEMORY_LAYER_SIZES = (784, 128, 10)
MEMORY_BATCH_SIZE = 64
FLOAT64_BYTES = 8


def check_b_1(bytes_kept: Any) -> Feedback:
    """Exercise B.1: the bytes the forward pass keeps for the backward pass.

    .. math:: 8\\, m \\Big(\\sum_{l=0}^{L} n_l + \\sum_{l=1}^{L} n_l\\Big)

    for the activations :math:`A^{[0]} = X, \\dots, A^{[L]}` and the weighted inputs
    :math:`Z^{[1]}, \\dots, Z^{[L]}`, in float64.
    """
    sizes, m, size = MEMORY_LAYER_SIZES, MEMORY_BATCH_SIZE, FLOAT64_BYTES
    activations, weighted_inputs = sum(sizes), sum(sizes[1:])
    parameters = sum(n_out * n_in + n_out for n_in, n_out in zip(sizes, sizes[1:]))
    mistakes = [
        Mistake(size * parameters, "that is the memory of the weights and biases, the same for "
                "any batch; the question is what the forward pass keeps.",
                "the forward pass keeps one A^[l] and one Z^[l] per layer, one row per sample."),
        Mistake(size * m * activations, "that counts the activations but not the weighted "
                "inputs Z^[1] to Z^[L], which the forward pass keeps too.",
                "the backward pass needs g'(Z^[l]), so Z^[l] is kept beside A^[l]."),
        Mistake(size * m * (activations - sizes[0] + weighted_inputs), "the input X = A^[0] is "
                "missing.",
                "the gradient of W^[1] is (1/m) Delta^[1]^T A^[0]: it needs the input."),
        Mistake(size * (activations + weighted_inputs), "that is one sample's share.",
                "every sample of the mini-batch has its own row in each A^[l] and Z^[l]."),
        Mistake(m * (activations + weighted_inputs), "that is the number of floats, not of "
                "bytes.",
                "a float64 takes 8 bytes."),
        Mistake(4 * m * (activations + weighted_inputs), "that counts 4 bytes per number "
                "(float32); backproplib computes in float64.",
                "a float64 takes 8 bytes."),
    ]
    return check_value(
        "B.1", bytes_kept, size * m * (activations + weighted_inputs), mistakes=mistakes,
        correct_message="542,720 bytes: 8 bytes times 64 samples times the 922 activations and "
        "138 weighted inputs of one sample. Double the batch and it doubles.",
        wrong_hint="count, for one sample, the entries of A^[0], A^[1], A^[2], Z^[1] and Z^[2]; "
        "then multiply by the batch size and by 8 bytes.",
        rtol=1e-9,
    )


def _clipped(gradient: np.ndarray, threshold: float) -> np.ndarray:
    return gradient * min(1.0, threshold / np.linalg.norm(gradient))


def _clip_cases() -> list[tuple[tuple[np.ndarray, float], np.ndarray]]:
    rng = np.random.default_rng(21)
    cases = []
    # long gradients (clipped) and short ones (left alone), of several lengths
    for size, scale, threshold in ((5, 10.0, 1.0), (8, 3.0, 2.5), (4, 0.1, 1.0), (6, 1.0, 50.0)):
        gradient = scale * rng.normal(size=size)
        cases.append(((gradient, threshold), _clipped(gradient, threshold)))
    return cases


def _clip_inputs() -> list[tuple[np.ndarray, float]]:
    """The ``(g, c)`` pairs exercise B.2's function is called on."""
    return [arguments for arguments, _ in _clip_cases()]


@calls_function("clip_by_norm", _clip_inputs)
def check_b_2(clip_by_norm: Any) -> Feedback:
    """Exercise B.2: ``clip_by_norm(g, c)`` returning :math:`g \\cdot \\min(1, c / \\lVert g \\rVert)`."""
    cases = [((gradient.copy(), threshold), expected)
             for (gradient, threshold), expected in _clip_cases()]
    mistakes = [
        (lambda gradient, threshold: np.clip(gradient, -threshold, threshold),
         "your function clips each entry to [-c, c]; that changes the direction of the gradient.",
         "scale the whole vector by one number, so that its norm becomes at most c."),
        (lambda gradient, threshold: gradient * threshold / np.linalg.norm(gradient),
         "your function rescales every gradient to norm c, also the ones that were shorter; "
         "that lengthens small steps.",
         "a gradient whose norm is already at most c must come back unchanged."),
        (lambda gradient, threshold: gradient / np.linalg.norm(gradient),
         "your function normalises the gradient to length 1, whatever c is.",
         "the norm of the result must be min(||g||, c)."),
    ]
    return check_function(
        "B.2", clip_by_norm, cases, mistakes=mistakes,
        correct_message="g times min(1, c/||g||): the direction is kept, the length is capped at "
        "c, and short gradients pass unchanged.",
        wrong_hint="compute the norm with np.linalg.norm(g); multiply g by min(1, c / norm).",
    )
