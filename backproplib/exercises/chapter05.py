"""Checks for the exercises of chapter 5 (batch averaging: where the 1/m goes)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..activations import sigmoid_prime
from ..batch import (
    gradient_averaging_activations_first,
    gradient_averaging_errors_first,
    gradient_averaging_g_prime_first,
)
from ..running_example import running_example
from . import (CORRECT, MISTAKE, NOT_DONE, Feedback, Mistake, calls_function, check_function,
               check_value, is_missing)

#: Exercise 5.3: the batch size and the learning rate used with a summed cost.
SUM_BATCH_SIZE = 32
SUM_LEARNING_RATE = 0.003

#: Exercise 5.4: the whole iris data set, cut into mini-batches of 32.
EPOCH_SAMPLES = 150
EPOCH_BATCH_SIZE = 32


def check_5_1(dJ_dW2: Any) -> Feedback:
    """Exercise 5.1: dJ/dW^[2] of the running example's batch, the mean of per-sample gradients."""
    example = running_example()
    network, X, Y, loss = example.network, example.X, example.Y, example.loss
    m = X.shape[0]
    _, grads = network.cost_and_gradients(X, Y, loss)
    expected = grads.weights[1]
    forward = network.forward(X)
    a1, a2 = forward.activations[1], forward.activations[2]
    slope_at_a = sigmoid_prime(a2)
    with_slope_at_a = ((2.0 * (a2 - Y) * slope_at_a).T @ a1) / m
    _, first_sample = network.cost_and_gradients(X[:1], Y[:1], loss)
    mistakes = [
        Mistake(m * expected,
                "this is the SUM of the per-sample gradients: the 1/m is missing.",
                "J is the mean of the losses, so its gradient is the mean of the gradients: "
                "divide the sum by m once."),
        Mistake(expected / m,
                "the 1/m is applied twice (each per-sample gradient divided by m, then the mean "
                "taken).",
                "a per-sample gradient dL^(i)/dW has no 1/m in it; the mean supplies the only "
                "1/m."),
        Mistake(gradient_averaging_g_prime_first(network, X, Y, loss).weights[1],
                "g'(z) was averaged over the batch before multiplying.",
                "evaluate g'(z^(i)) for each sample and multiply it by that sample's own error "
                "and activation; average only the products."),
        Mistake(gradient_averaging_activations_first(network, X, Y, loss).weights[1],
                "the hidden activations a^[1] were averaged over the batch before multiplying.",
                "each sample's delta^(i) multiplies that sample's own a^[1](i); average only the "
                "products."),
        Mistake(gradient_averaging_errors_first(network, X, Y, loss).weights[1],
                "the output errors 2(a - y) (or the outputs a) were averaged over the batch "
                "before multiplying.",
                "each sample has its own error 2(a^(i) - y^(i)); multiply it by that sample's "
                "g'(z^(i)) and a^[1](i), then average."),
        Mistake(expected.T,
                "the shape is transposed: you have dJ/dW^[2] with rows and columns swapped.",
                "dJ/dW^[2] has the shape of W^[2], (n_2, n_1) = (2, 4): the outer product "
                "delta^(i) a^[1](i)^T, not a^[1](i) delta^(i)^T."),
        Mistake(expected / 2.0,
                "the factor 2 of the squared error's derivative is missing.",
                "C_0 = sum_j (a_j - y_j)^2 has no 1/2, so dC_0/da_j = 2(a_j - y_j)."),
        Mistake(with_slope_at_a,
                "the derivative of the sigmoid was evaluated at a instead of at z.",
                "use sigmoid_prime(z^[2](i)), the slope at the weighted input."),
        Mistake(-expected,
                "the sign is flipped: that is the gradient of 2(y - a), pointing uphill.",
                "dC_0/da_j = 2(a_j - y_j): the output minus the target, not the other way round."),
        Mistake(first_sample.weights[1],
                "this is the gradient of the first sample only.",
                "loop over all m = 4 rows of X and average the four gradients."),
    ]
    return check_value(
        "5.1",
        dJ_dW2,
        expected,
        mistakes=mistakes,
        correct_message="the mean of the four per-sample gradients is the gradient of J.",
        wrong_hint="for each sample i: delta^(i) = 2(a^(i) - y^(i)) * g'(z^(i)), gradient "
        "np.outer(delta^(i), a^[1](i)); then the mean over i.",
    )


def _right_batch_gradient(Delta: np.ndarray, A_prev: np.ndarray) -> np.ndarray:
    return Delta.T @ A_prev / Delta.shape[0]


def _batch_gradient_cases() -> list[tuple[tuple[np.ndarray, np.ndarray], np.ndarray]]:
    rng = np.random.default_rng(505)
    cases = []
    for m, n, n_prev in [(3, 2, 4), (5, 3, 2), (6, 1, 3)]:
        Delta = rng.normal(size=(m, n))
        A_prev = rng.uniform(0.05, 0.95, size=(m, n_prev))
        cases.append(((Delta, A_prev), _right_batch_gradient(Delta, A_prev)))
    return cases


def _batch_gradient_inputs() -> list[tuple[np.ndarray, np.ndarray]]:
    """The ``(Delta, A_prev)`` pairs exercise 5.2's function is called on."""
    return [arguments for arguments, _ in _batch_gradient_cases()]


@calls_function("batch_weight_gradient", _batch_gradient_inputs)
def check_5_2(batch_weight_gradient: Any) -> Feedback:
    """Exercise 5.2: a function ``(Delta, A_prev) -> dJ/dW = (1/m) Delta^T A_prev``."""
    cases = _batch_gradient_cases()
    safe_cases = [((Delta.copy(), A_prev.copy()), expected) for (Delta, A_prev), expected in cases]
    mistakes = [
        (lambda Delta, A_prev: Delta.T @ A_prev,
         "your function returns the sum over samples: the 1/m is missing.",
         "Delta^T A_prev = sum_i delta^(i) a^(i)^T; J is a mean, so divide by m (the number of "
         "rows) once."),
        (lambda Delta, A_prev: Delta.T @ A_prev / Delta.shape[0] ** 2,
         "your function divides by m twice (the 1/m is doubled).",
         "Delta^T A_prev is already the sum of per-sample gradients; one 1/m turns it into the "
         "mean."),
        (lambda Delta, A_prev: A_prev.T @ Delta / Delta.shape[0],
         "your function returns the transpose of dJ/dW.",
         "dJ/dW^[l] has the shape of W^[l], (n_l, n_(l-1)): put Delta^T first."),
        (lambda Delta, A_prev: np.outer(Delta.mean(axis=0), A_prev.mean(axis=0)),
         "your function averages Delta and A_prev first and then multiplies the means.",
         "the mean of products is not the product of means: multiply sample by sample "
         "(Delta^T A_prev does that), then divide by m."),
    ]
    feedback = check_function(
        "5.2",
        batch_weight_gradient,
        safe_cases,
        mistakes=mistakes,
        correct_message="(1/m) Delta^T A_prev is the mean of the per-sample outer products.",
        wrong_hint="Delta has one row delta^(i) per sample and A_prev one row a^(i); the "
        "gradient has the shape of W.",
    )
    if feedback.passed:
        changed = any(
            not (np.array_equal(given[0], original[0]) and np.array_equal(given[1], original[1]))
            for (given, _), (original, _) in zip(safe_cases, cases)
        )
        if changed:
            return Feedback("5.2", MISTAKE, "the values are right, but your function changed the "
                            "arrays it was given.",
                            "compute a new array instead of modifying Delta or A_prev in place.")
    return feedback


def check_5_3(learning_rate: Any) -> Feedback:
    """Exercise 5.3: the mean-cost learning rate equivalent to ``0.003`` with a summed cost."""
    expected = SUM_LEARNING_RATE * SUM_BATCH_SIZE
    return check_value(
        "5.3",
        learning_rate,
        expected,
        mistakes=[
            Mistake(SUM_LEARNING_RATE / SUM_BATCH_SIZE,
                    "this divides by the batch size; the mean needs the opposite.",
                    "the mean's gradient is m times SMALLER than the sum's, so the same step "
                    "needs an m times LARGER learning rate."),
            Mistake(SUM_LEARNING_RATE,
                    "the learning rate cannot stay the same: the two gradients differ by a "
                    "factor m.",
                    "compare the steps eta_sum * dS/dW and eta * dJ/dW with S = m J."),
        ],
        correct_message="the same steps: eta * dJ/dW = eta_sum * dS/dW because S = m J.",
        wrong_hint="write S = m J for the summed cost and set the two steps equal.",
    )


def check_5_4(steps_per_epoch: Any, last_batch_size: Any) -> Feedback:
    """Exercise 5.4: mini-batches of 32 from 150 samples: steps per epoch and the last batch."""
    if is_missing(steps_per_epoch) or is_missing(last_batch_size):
        return Feedback("5.4", NOT_DONE, "replace both ... with your answers and run the cell.")
    full, remainder = divmod(EPOCH_SAMPLES, EPOCH_BATCH_SIZE)
    right_steps, right_last = full + (1 if remainder else 0), remainder or EPOCH_BATCH_SIZE
    try:
        steps = float(steps_per_epoch)
        last = float(last_batch_size)
    except (TypeError, ValueError):
        return Feedback("5.4", MISTAKE, "give both answers as numbers.")
    if steps == right_steps and last == right_last:
        return Feedback("5.4", CORRECT, "every sample is used exactly once per epoch; the last "
                        "batch is smaller, and with a mean cost its gradient has the usual size.")
    if np.isclose(steps, EPOCH_SAMPLES / EPOCH_BATCH_SIZE):
        return Feedback("5.4", MISTAKE, "the number of steps must be a whole number.",
                        "count the batches: full ones, plus one for the samples left over.")
    if steps == full:
        return Feedback("5.4", MISTAKE, "that counts only the full batches: the samples left "
                        "over form one more, smaller batch (minibatches keeps it unless "
                        "drop_last=True).",
                        "150 is not a multiple of 32.")
    if steps != right_steps:
        return Feedback("5.4", MISTAKE, "the number of steps per epoch is not right.",
                        "each step uses one batch; each sample is in exactly one batch.")
    if last == EPOCH_BATCH_SIZE:
        return Feedback("5.4", MISTAKE, "the number of steps is right, but the last batch cannot "
                        "be full: 150 is not a multiple of 32.",
                        "how many samples are left after the full batches?")
    return Feedback("5.4", MISTAKE, "the number of steps is right, but not the size of the last "
                    "batch.", "subtract the samples of the full batches from 150.")
