"""Diagnose a learner's own backpropagation: where it first goes wrong, and which mistake it is.

The learner writes ``backprop(weights, biases, X, Y) -> (weight_gradients, bias_gradients)`` in
the book's layout: ``weights[l - 1]`` is :math:`W^{[l]}` of shape ``(n_l, n_{l-1})``,
``biases[l - 1]`` is :math:`b^{[l]}` of shape ``(n_l,)``, the samples are the rows of ``X``, and
the gradients are those of the batch cost :math:`J = \\frac1m \\sum_i L^{(i)}`, by default with
sigmoid layers and the squared error :math:`L = \\sum_j (a_j - y_j)^2`:

.. math::

    \\delta^{[L]} = 2(a^{[L]} - y) \\odot g'(z^{[L]}), \\qquad
    \\delta^{[l]} = \\big(W^{[l+1]\\top} \\delta^{[l+1]}\\big) \\odot g'(z^{[l]}),

    \\frac{\\partial J}{\\partial W^{[l]}} = \\frac1m \\sum_i \\delta^{[l](i)} a^{[l-1](i)\\top},
    \\qquad \\frac{\\partial J}{\\partial b^{[l]}} = \\frac1m \\sum_i \\delta^{[l](i)}.

:func:`diagnose` calls it on a fixed ladder of cases (:func:`ladder`: one sample and one layer
first, then a batch, a hidden layer, square layers, three layers of different sizes), compares
every returned array with :meth:`backproplib.network.MLP.cost_and_gradients`, and says where the
first difference is: the output layer's gradients come from the output error
:math:`\\delta^{[L]}`, every other layer's from one more step of the recursion. It also recomputes
each classic mistake (:data:`MISTAKES`, one small variant of the right computation each) on the
same cases: the mistake whose numbers the learner's function reproduces on every case is named,
with the section of the book that explains it.
"""

from __future__ import annotations

import os
import textwrap
import traceback
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np

from ._checks import check_callable
from .activations import get_activation
from .exercises import _sentence
from .losses import get_loss
from .network import MLP

#: Lines of a report are wrapped at this width.
WIDTH = 88

#: Relative tolerance, against the largest entry of a quantity: float32 arithmetic passes.
TOLERANCE = 1e-5

CORRECT = "correct"
NOT_DONE = "not yet done"
MISTAKE = "not yet right"


# --- the cases --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One network and batch that ``backprop`` is called on.

    Attributes
    ----------
    name : str
        What the case adds to the ones before it, e.g. ``"a batch, one layer"``.
    weights, biases : list of numpy.ndarray
        :math:`W^{[l]}` of shape ``(n_l, n_{l-1})`` and :math:`b^{[l]}` of shape ``(n_l,)``.
    X, Y : numpy.ndarray
        Inputs ``(m, n_0)`` and targets ``(m, n_L)``, one sample per row.
    """

    name: str
    weights: list[np.ndarray]
    biases: list[np.ndarray]
    X: np.ndarray
    Y: np.ndarray

    @property
    def sizes(self) -> tuple[int, ...]:
        """``(n_0, n_1, ..., n_L)``."""
        return (self.weights[0].shape[1], *(weight.shape[0] for weight in self.weights))

    @property
    def m(self) -> int:
        """The number of samples."""
        return self.X.shape[0]

    def arguments(self) -> tuple[list[np.ndarray], list[np.ndarray], np.ndarray, np.ndarray]:
        """Fresh copies of ``(weights, biases, X, Y)``: call ``backprop(*case.arguments())``."""
        return ([weight.copy() for weight in self.weights], [bias.copy() for bias in self.biases],
                self.X.copy(), self.Y.copy())

    def describe(self) -> str:
        """E.g. ``'a batch, one layer' (layer sizes 3-2, 4 samples)``."""
        samples = "1 sample" if self.m == 1 else f"{self.m} samples"
        return f"'{self.name}' (layer sizes {'-'.join(map(str, self.sizes))}, {samples})"


#: (name, layer sizes, m). Sizes tell transposes apart: no W is square until the square case,
#: a batch's m is never a layer size of its case, and m = 2 (where a doubled 1/m halves, like a
#: dropped factor 2) is avoided.
LADDER = [
    ("one sample, one layer", (3, 2), 1),
    ("a batch, one layer", (3, 2), 4),
    ("one sample, a hidden layer", (3, 4, 2), 1),
    ("a batch, a hidden layer", (3, 4, 2), 5),
    ("a batch, square layers", (2, 3, 3, 3), 4),
    ("a batch, three layers of different sizes", (4, 3, 5, 2), 6),
]
LADDER_SEED = 2010


def _nonzero_quarters(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """Multiples of 0.25 in [-1, 1] without 0: small, exact, and no entry that hides a mistake."""
    magnitudes = rng.integers(1, 5, size=shape) / 4.0
    return np.where(rng.random(shape) < 0.5, -magnitudes, magnitudes)


def ladder() -> list[Case]:
    """The cases :func:`diagnose` calls ``backprop`` on, smallest first (always the same)."""
    rng = np.random.default_rng(LADDER_SEED)
    cases = []
    for name, sizes, m in LADDER:
        weights = [_nonzero_quarters(rng, (n, n_prev)) for n_prev, n in zip(sizes[:-1], sizes[1:])]
        biases = [_nonzero_quarters(rng, (n,)) for n in sizes[1:]]
        X = _nonzero_quarters(rng, (m, sizes[0])) * 2.0
        Y = rng.integers(0, 2, size=(m, sizes[-1])).astype(float)
        cases.append(Case(name, weights, biases, X, Y))
    return cases


def ladder_inputs() -> list[tuple[Any, ...]]:
    """The argument tuples of every call :func:`diagnose` makes (for the classroom's replay)."""
    return [case.arguments() for case in ladder()]


# --- the mistakes -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Section:
    """A section of the book: its label (the anchor), chapter, title and page."""

    label: str
    chapter: str
    title: str
    page: str

    @property
    def plain_title(self) -> str:
        """The title without its math markers."""
        return self.title.replace("$", "")

    def __str__(self) -> str:
        return f"{self.chapter}, section '{self.plain_title}' ({self.page}.html#{self.label})"


SECTIONS = {section.label: section for section in [
    Section("sec-weighted-input", "chapter 1", "One neuron: weighted input, then activation",
            "01_neurons_and_notation"),
    Section("sec-ch3-factors", "chapter 3", "The three factors, one at a time",
            "03_chain_rule_single_weight"),
    Section("sec-ch3-slope-at-z", "chapter 3", "Why the slope is taken at $z$, not at $a$",
            "03_chain_rule_single_weight"),
    Section("sec-ch4-sum", "chapter 4", "The derivative is a sum over the downstream nodes",
            "04_downstream_sums"),
    Section("sec-ch4-recursion", "chapter 4", "The recursion: backpropagation for any depth",
            "04_downstream_sums"),
    Section("sec-batch-one-over-m", "chapter 5", "Where the $1/m$ comes from",
            "05_batch_averaging"),
    Section("sec-batch-average-first", "chapter 5",
            "$g'$ is evaluated per sample, never averaged first", "05_batch_averaging"),
    Section("sec-batch-vectorized", "chapter 5",
            "Where the $1/m$ lives in the vectorised formula", "05_batch_averaging"),
    Section("sec-matrix-outer", "chapter 6", "The weight gradient is an outer product",
            "06_matrix_form"),
]}


@dataclass(frozen=True)
class Variant:
    """How a computation of the gradients departs from the right one (the defaults are right).

    ``output_slope`` and ``hidden_slope`` say where the slope of the output and of the hidden
    layers is taken: ``"z"`` (right), ``"a"`` (:math:`g'(a)`), ``"none"`` (left out) or
    ``"mean"`` (:math:`g'(z)` averaged over the batch first). ``error_factor`` multiplies the
    derivative of the loss (``0.5``: the squared error's 2 dropped; ``-1``: the sign flipped);
    ``mean_power`` is the power of :math:`1/m`; ``bias_sum`` is ``"sum"``, ``"rows"`` (the rows
    :math:`\\delta^{(i)}` returned unsummed) or ``"rows without 1/m"``; ``recursion`` is ``"W^T"``
    (right), ``"W"`` or ``"first node"`` (only node 1 of the next layer);
    ``transposed_weights`` returns :math:`(\\partial J / \\partial W)^\\top`;
    ``forward_bias`` is ``False`` when the forward pass leaves out :math:`b`.
    """

    output_slope: str = "z"
    hidden_slope: str = "z"
    error_factor: float = 1.0
    mean_power: int = 1
    bias_sum: str = "sum"
    recursion: str = "W^T"
    transposed_weights: bool = False
    forward_bias: bool = True


@dataclass(frozen=True)
class Mistake:
    """A classic mistake: its name, what to do instead, where the book explains it, and the
    variants of the computation that make it (one, or one per place it can be made)."""

    name: str
    advice: str
    section: str
    variants: tuple[Variant, ...]
    squared_error_only: bool = False


def _slope_everywhere(kind: str) -> tuple[Variant, ...]:
    return (Variant(output_slope=kind, hidden_slope=kind), Variant(output_slope=kind),
            Variant(hidden_slope=kind))


#: The catalogue, in the order a match is looked for.
MISTAKES = [
    Mistake("the slope g'(z) is left out of the recursion",
            "delta^[l] = (W^[l+1]T delta^[l+1]) * g'(z^[l]): without the slope it is dC/da^[l], "
            "not dC/dz^[l].", "sec-ch4-recursion", (Variant(hidden_slope="none"),)),
    Mistake("the slope g'(z^[L]) is left out of the output error",
            "delta^[L] = dC/da^[L] * g'(z^[L]): the output error is a derivative with respect "
            "to z, not a.", "sec-ch3-factors", (Variant(output_slope="none"),)),
    Mistake("the slope is evaluated at a instead of at z",
            "use g'(z), the slope at the weighted input; for the sigmoid that is a(1 - a), "
            "which is not sigmoid'(a).", "sec-ch3-slope-at-z", _slope_everywhere("a")),
    Mistake("the 1/m is missing: this is the gradient of the sum of the losses",
            "J is the mean of the per-sample losses, so divide the sums over the samples by m "
            "once.", "sec-batch-one-over-m", (Variant(mean_power=0),)),
    Mistake("the 1/m is applied twice",
            "delta^(i) of one sample has no 1/m in it; only the mean over the samples divides "
            "by m, once.", "sec-batch-vectorized", (Variant(mean_power=2),)),
    Mistake("g'(z) is averaged over the batch before the product",
            "each sample's error multiplies that sample's own slope g'(z^(i)); average only the "
            "products.", "sec-batch-average-first", _slope_everywhere("mean")),
    Mistake("the sign of the output error is flipped: that is 2(y - a)",
            "dC_0/da_j = 2(a_j - y_j): the output minus the target.", "sec-ch3-factors",
            (Variant(error_factor=-1.0),)),
    Mistake("the factor 2 of the squared error's derivative is missing",
            "C_0 = sum_j (a_j - y_j)^2 has no 1/2, so dC_0/da_j = 2(a_j - y_j).",
            "sec-ch3-factors", (Variant(error_factor=0.5),), squared_error_only=True),
    Mistake("the bias gradient is not summed over the samples",
            "db^[l] = (1/m) sum_i delta^[l](i), shape (n_l,): sum the rows of Delta^[l] "
            "(axis 0), then divide by m.", "sec-batch-vectorized",
            (Variant(bias_sum="rows"), Variant(bias_sum="rows without 1/m"))),
    Mistake("dW is transposed",
            "dJ/dW^[l] has the shape of W^[l], (n_l, n_(l-1)): Delta^T A_prev / m, the mean of "
            "the outer products delta a_prev^T.", "sec-matrix-outer",
            (Variant(transposed_weights=True),)),
    Mistake("the recursion multiplies by W instead of W^T",
            "node k of layer l collects w_jk delta_j over the nodes j of layer l+1: column k "
            "of W^[l+1], i.e. W^[l+1]T delta^[l+1] (with samples as rows: Delta @ W).",
            "sec-ch4-sum", (Variant(recursion="W"),)),
    Mistake("only one downstream node is summed in the recursion",
            "dC/da_k^[l] = sum_j w_jk^[l+1] delta_j^[l+1], a sum over every node j of layer l+1.",
            "sec-ch4-sum", (Variant(recursion="first node"),)),
    Mistake("the bias is left out of the forward pass",
            "z^[l] = W^[l] a^[l-1] + b^[l]: the slopes g'(z) need the same z as the forward "
            "pass.", "sec-weighted-input", (Variant(forward_bias=False),)),
]


class _NotComputable(Exception):
    """A variant that cannot run on a case (``W`` instead of ``W^T`` on a non-square ``W``)."""


@dataclass(frozen=True)
class Setting:
    """The network's activations (hidden layers, output layer) and the loss, checked."""

    activation: str
    output_activation: str
    loss: str


def _slope(kind: str, derivative: Callable, z: np.ndarray, a: np.ndarray) -> np.ndarray:
    if kind == "z":
        return derivative(z)
    if kind == "a":
        return derivative(a)
    if kind == "mean":
        return np.mean(derivative(z), axis=0, keepdims=True)
    return np.ones_like(z)


def _variant_gradients(case: Case, setting: Setting, variant: Variant
                      ) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """The gradients a backward pass that makes ``variant``'s mistakes returns on ``case``."""
    layers = len(case.weights)
    names = [setting.activation] * (layers - 1) + [setting.output_activation]
    functions = [get_activation(name) for name in names]
    m = case.m
    Z, A = [], [case.X]
    for weight, bias, function in zip(case.weights, case.biases, functions):
        Z.append(A[-1] @ weight.T + (bias if variant.forward_bias else 0.0))
        A.append(function.kernel(Z[-1]))
    loss_derivative = get_loss(setting.loss).kernel_derivative(A[-1], case.Y)
    delta = variant.error_factor * loss_derivative * _slope(
        variant.output_slope, functions[-1].kernel_derivative, Z[-1], A[-1])
    weight_gradients: list[np.ndarray] = [np.empty(0)] * layers
    bias_gradients: list[np.ndarray] = [np.empty(0)] * layers
    scale = 1.0 / m ** variant.mean_power
    for index in range(layers - 1, -1, -1):
        weight_gradient = delta.T @ A[index] * scale
        if variant.transposed_weights:
            weight_gradient = weight_gradient.T
        weight_gradients[index] = weight_gradient
        bias_gradients[index] = {"sum": delta.sum(axis=0) * scale, "rows": delta * scale,
                                 "rows without 1/m": delta}[variant.bias_sum]
        if index == 0:
            break
        weight = case.weights[index]
        if variant.recursion == "W":
            if weight.shape[0] != weight.shape[1]:
                raise _NotComputable
            upstream = delta @ weight.T
        elif variant.recursion == "first node":
            upstream = delta[:, :1] * weight[:1]
        else:
            upstream = delta @ weight
        delta = upstream * _slope(variant.hidden_slope, functions[index - 1].kernel_derivative,
                                  Z[index - 1], A[index])
    return weight_gradients, bias_gradients


# --- what came back ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Outcome:
    """What one call of the learner's function gave: arrays, or the problem that stopped it."""

    weights: list[np.ndarray] = field(default_factory=list)
    biases: list[np.ndarray] = field(default_factory=list)
    problem: str = ""
    kind: str = ""  # "raised", "not done", "type" or "" (returned arrays)
    changed: tuple[str, ...] = ()


#: Folders whose frames are not the learner's code: numpy's, this package's, the grader's.
_PACKAGE = os.path.dirname(os.path.abspath(__file__))
_GRADER = os.path.join(os.path.dirname(_PACKAGE), "classroom") + os.sep
_NOT_THE_LEARNERS = (os.path.dirname(np.__file__) + os.sep, _PACKAGE + os.sep, _GRADER)


def _where_raised(error: BaseException) -> str:
    """``' (line 7, in backprop: delta = ...)'``: the last line of the learner's code that ran."""
    frames = [frame for frame in traceback.extract_tb(error.__traceback__)
              if not os.path.abspath(frame.filename).startswith(_NOT_THE_LEARNERS)]
    if not frames:
        return ""
    frame = frames[-1]
    line = f": {frame.line.strip()}" if frame.line else ""
    return f" (line {frame.lineno}, in {frame.name}{line})"


def _raised_by_the_grader(error: BaseException) -> bool:
    """Is ``error`` the classroom replay's own failure (a call it has no record of)? That is a
    failure of the grader, never the learner's: it must not become a diagnosis."""
    frames = traceback.extract_tb(error.__traceback__)
    return type(error) is LookupError and bool(frames) and os.path.abspath(
        frames[-1].filename).startswith(_GRADER)


def _array_list(value: Any, name: str, layers: int) -> tuple[list[np.ndarray], str]:
    if type(value) not in (list, tuple):
        return [], (f"{name} must be a list (or tuple) with one array per layer, got "
                    f"{type(value).__name__}")
    if len(value) != layers:
        return [], (f"{name} has {len(value)} entries, but the network has {layers} "
                    f"layer{'s' if layers > 1 else ''}: one array per layer, in the order of "
                    "weights")
    arrays = []
    for index, item in enumerate(value):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                array = np.asarray(item, dtype=float)
        except (TypeError, ValueError):
            return [], (f"{name}[{index}] must be an array of numbers, got "
                        f"{type(item).__name__}")
        arrays.append(array)
    return arrays, ""


def _changed_inputs(given: Sequence[Any], original: Sequence[Any]) -> tuple[str, ...]:
    names = []
    for name, after, before in zip(("weights", "biases"), given[:2], original[:2]):
        for index, array in enumerate(before):
            now = after[index] if type(after) is list and len(after) == len(before) else None
            if not (isinstance(now, np.ndarray) and now.shape == array.shape
                    and np.array_equal(now, array)):
                names.append(f"{name}[{index}]")
    for name, after, before in zip(("X", "Y"), given[2:], original[2:]):
        if not (isinstance(after, np.ndarray) and after.shape == before.shape
                and np.array_equal(after, before)):
            names.append(name)
    return tuple(names)


def _call(backprop: Callable, case: Case, show_line: bool) -> _Outcome:
    given = case.arguments()
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            returned = backprop(*given)
    except NotImplementedError:
        return _Outcome(problem="your function is not written yet (it raised "
                        "NotImplementedError).", kind="not done")
    except Exception as error:  # the learner's code failed: say how, never a traceback
        if _raised_by_the_grader(error):
            raise
        return _Outcome(problem=f"your function raised {type(error).__name__}: "
                        f"{str(error)[:300]}{_where_raised(error) if show_line else ''}",
                        kind="raised")
    changed = _changed_inputs(given, case.arguments())
    layers = len(case.weights)
    if type(returned) not in (list, tuple) or len(returned) != 2:
        what = type(returned).__name__ + (f" of length {len(returned)}"
                                          if type(returned) in (list, tuple) else "")
        return _Outcome(problem=f"your function must return a pair (weight_gradients, "
                        f"bias_gradients), got {what}.", kind="type", changed=changed)
    weight_arrays, problem = _array_list(returned[0], "weight_gradients", layers)
    bias_arrays, bias_problem = _array_list(returned[1], "bias_gradients", layers)
    if problem or bias_problem:
        return _Outcome(problem=f"{problem or bias_problem}.", kind="type", changed=changed)
    return _Outcome(weight_arrays, bias_arrays, changed=changed)


def _close(received: np.ndarray, expected: np.ndarray) -> bool:
    if received.shape != expected.shape or not np.all(np.isfinite(received)):
        return False
    scale = float(np.max(np.abs(expected), initial=0.0))
    return bool(np.max(np.abs(received - expected), initial=0.0) <= TOLERANCE * scale + 1e-12)


def _same(outcome: _Outcome, weights: Sequence[np.ndarray], biases: Sequence[np.ndarray]) -> bool:
    return (not outcome.problem and all(map(_close, outcome.weights, weights))
            and all(map(_close, outcome.biases, biases)))


# --- the report -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Report:
    """What :func:`diagnose` found.

    Attributes
    ----------
    correct : bool
        ``True`` only when every case gave the right gradients and no input was changed.
    status : str
        ``"correct"``, ``"not yet done"`` (the function raises ``NotImplementedError``) or
        ``"not yet right"``.
    text : str
        The whole report, for the learner (also ``str(report)``).
    diagnosis : str
        Its part about the function alone: what is wrong where, the numbers, the mistake's name
        and what to do instead (without the section to read and how to rerun the case).
    case : Case or None
        The smallest case where the function goes wrong (``backprop(*report.case.arguments())``
        reproduces it).
    quantity : str or None
        The first wrong quantity, e.g. ``"dW^[2]"`` or ``"db^[1]"``, counted from the output
        layer down (the order backpropagation computes them). When the function raised on
        ``case``, the first wrong quantity of the smallest case where it returned gradients.
    layer : int or None
        Its layer ``l`` (1 to L).
    where : str or None
        ``"output error"``, ``"recursion"`` (into ``layer`` from ``layer + 1``),
        ``"weight gradient"``, ``"bias gradient"``, ``"batch"`` (right with one sample, wrong
        with several), ``"raised"``, ``"type"``, ``"shape"``,
        ``"not finite"`` or ``"changed its input"``.
    expected, received : numpy.ndarray or None
        The right and the returned value of ``quantity`` on ``case``.
    mistake : Mistake or None
        The named mistake whose numbers the function reproduces on every case.
    """

    correct: bool
    status: str
    text: str
    diagnosis: str = ""
    case: Case | None = None
    quantity: str | None = None
    layer: int | None = None
    where: str | None = None
    expected: np.ndarray | None = None
    received: np.ndarray | None = None
    mistake: Mistake | None = None

    @property
    def section(self) -> Section | None:
        """The book's section that explains the named mistake."""
        return SECTIONS[self.mistake.section] if self.mistake else None

    def __str__(self) -> str:
        return self.text

    __repr__ = __str__


def _numbers(label: str, array: np.ndarray) -> str:
    """``label`` followed by the array, 4 decimals, its rows aligned under the first."""
    text = np.array2string(np.asarray(array, dtype=float), precision=4, suppress_small=True,
                           floatmode="fixed", separator=", ", sign=" ")
    return label + text.replace("\n", "\n" + " " * len(label))


def _wrapped(text: str) -> str:
    return textwrap.fill(text, width=WIDTH, subsequent_indent="  ", break_on_hyphens=False)


def _first_wrong(outcome: _Outcome, weights: list[np.ndarray], biases: list[np.ndarray]
                 ) -> tuple[int, str, str]:
    """``(layer, "W" or "b", where)`` of the first wrong quantity, from the output layer down."""
    layers = len(weights)
    for index in range(layers - 1, -1, -1):
        weight_right = _close(outcome.weights[index], weights[index])
        bias_right = _close(outcome.biases[index], biases[index])
        if weight_right and bias_right:
            continue
        if not weight_right and not bias_right:
            where = "output error" if index == layers - 1 else "recursion"
        else:
            where = "bias gradient" if weight_right else "weight gradient"
        return index + 1, "W" if not weight_right else "b", where
    raise AssertionError("no wrong quantity")  # only called on a wrong outcome


_WHERE = {
    "output error": "the output error delta^[{l}] is wrong (dW^[{l}] and db^[{l}] both come from "
                    "it)",
    "recursion": "the layers above are right, so the recursion from delta^[{next}] to "
                 "delta^[{l}] is wrong (dW^[{l}] and db^[{l}] both come from delta^[{l}])",
    "weight gradient": "db^[{l}] is right, so delta^[{l}] is right and the weight gradient's "
                       "formula is wrong",
    "bias gradient": "dW^[{l}] is right, so delta^[{l}] is right and the bias gradient's formula "
                     "is wrong",
}


def _shape_advice(received: np.ndarray, expected: np.ndarray, name: str) -> str:
    if received.shape == expected.shape[::-1] and received.ndim == 2:
        return f" (the shape of {name} transposed)"
    if received.size == expected.size:
        return f" (the right number of entries: return shape {expected.shape})"
    return ""


def _located(outcome: _Outcome, case: Case, weights: list[np.ndarray],
             biases: list[np.ndarray]) -> dict:
    """The fields of a report about the first wrong quantity of ``outcome`` on ``case``."""
    for index in range(len(weights) - 1, -1, -1):  # shapes first, from the output layer down
        for kind, got, right in (("W", outcome.weights, weights), ("b", outcome.biases, biases)):
            if got[index].shape != right[index].shape:
                name = f"d{kind}^[{index + 1}]"
                parameter = f"{kind}^[{index + 1}]"
                return dict(quantity=name, layer=index + 1, where="shape",
                            expected=right[index], received=got[index],
                            finding=f"{name} has shape {got[index].shape}, but it must have the "
                            f"shape of {parameter}, {right[index].shape}"
                            f"{_shape_advice(got[index], right[index], parameter)}.")
    layer, kind, where = _first_wrong(outcome, weights, biases)
    got = (outcome.weights if kind == "W" else outcome.biases)[layer - 1]
    right = (weights if kind == "W" else biases)[layer - 1]
    name = f"d{kind}^[{layer}]"
    if not np.all(np.isfinite(got)):
        return dict(quantity=name, layer=layer, where="not finite", expected=right, received=got,
                    finding=f"{name} holds NaN or infinite values.")
    explanation = _WHERE[where].format(l=layer, next=layer + 1)
    return dict(quantity=name, layer=layer, where=where, expected=right, received=got,
                finding=f"the first wrong quantity is {name}: {explanation}.")


def _mistake_matches(mistake: Mistake, cases: list[Case], outcomes: list[_Outcome],
                     rights: list[tuple[list[np.ndarray], list[np.ndarray]]],
                     setting: Setting) -> bool:
    """Does the function reproduce one of the mistake's variants on every case (raising, or
    returning other shapes, where the variant cannot be computed)?"""
    for variant in mistake.variants:
        differs, agrees = False, True
        for case, outcome, right in zip(cases, outcomes, rights):
            try:
                weights, biases = _variant_gradients(case, setting, variant)
            except _NotComputable:
                agrees = outcome.kind == "raised" or (not outcome.problem and any(
                    got.shape != want.shape for got, want in
                    zip(outcome.weights + outcome.biases, right[0] + right[1])))
                differs = True
            else:
                if outcome.problem:
                    agrees = False
                elif not (len(weights) == len(outcome.weights)
                          and _same(outcome, weights, biases)):
                    agrees = False
                differs = differs or not (all(map(_close, weights, right[0]))
                                          and all(map(_close, biases, right[1])))
            if not agrees:
                break
        if agrees and differs:
            return True
    return False


def _check_setting(activation: str, output_activation: str | None, loss: str) -> Setting:
    output_activation = activation if output_activation is None else output_activation
    for name, value in (("activation", activation), ("output_activation", output_activation)):
        if value == "softmax":
            raise ValueError(f"{name} must be an element-wise activation (\"sigmoid\", \"tanh\", "
                             f"\"relu\" or \"identity\"), got 'softmax'")
        try:
            get_activation(value)
        except (TypeError, ValueError) as error:
            raise type(error)(f"{name}: {error}") from None
    try:
        get_loss(loss)
    except (TypeError, ValueError) as error:
        raise type(error)(f"loss: {error}") from None
    if loss == "cross_entropy":
        raise ValueError("loss must be \"squared_error\" or \"binary_cross_entropy\" "
                         "(cross_entropy needs a softmax output layer, which diagnose does not "
                         "cover)")
    if loss == "binary_cross_entropy" and output_activation != "sigmoid":
        raise ValueError("loss 'binary_cross_entropy' needs output_activation 'sigmoid', got "
                         f"{output_activation!r}")
    return Setting(activation, output_activation, loss)


def diagnose(backprop: Callable, activation: str = "sigmoid", output_activation: str | None = None,
             loss: str = "squared_error") -> Report:
    """Call ``backprop`` on the :func:`ladder` of cases and say where it first goes wrong.

    Parameters
    ----------
    backprop : callable
        ``backprop(weights, biases, X, Y) -> (weight_gradients, bias_gradients)``, lists (or
        tuples) of arrays in the shapes of ``weights`` and ``biases``: the gradient of the batch
        cost :math:`J = \\frac1m \\sum_i L^{(i)}`.
    activation : str
        The activation :math:`g` of the hidden layers (``"sigmoid"``, ``"tanh"``, ``"relu"``,
        ``"identity"``).
    output_activation : str, optional
        The output layer's activation; by default the same as ``activation``.
    loss : str
        ``"squared_error"`` (:math:`\\sum_j (a_j - y_j)^2`) or ``"binary_cross_entropy"``
        (sigmoid output).

    Returns
    -------
    Report
        ``report.correct`` is ``True`` only when every case is right; otherwise ``report.text``
        names the first wrong quantity, the smallest case where it is wrong with the expected and
        received numbers, and the mistake when it is a known one.

    Raises
    ------
    TypeError, ValueError
        If ``backprop`` cannot be called, or an activation or the loss is unknown.
    """
    check_callable(backprop, "backprop", "(weight_gradients, bias_gradients)")
    return _diagnose(backprop, _check_setting(activation, output_activation, loss))


def _diagnose(backprop: Callable, setting: Setting, show_line: bool = True) -> Report:
    """:func:`diagnose` on checked arguments; ``show_line=False`` leaves out the line of the
    learner's code that raised (the classroom's replay of a recorded call does not know it)."""
    cases = ladder()
    rights = []
    for case in cases:
        layers = len(case.weights)
        network = MLP(case.weights, case.biases,
                      [setting.activation] * (layers - 1) + [setting.output_activation])
        _, gradients = network.cost_and_gradients(case.X, case.Y, setting.loss)
        rights.append((gradients.weights, gradients.biases))
    outcomes = [_call(backprop, case, show_line) for case in cases]
    if all(outcome.kind == "not done" for outcome in outcomes):
        return Report(False, NOT_DONE, outcomes[0].problem, outcomes[0].problem)
    for number, (case, outcome, (weights, biases)) in enumerate(zip(cases, outcomes, rights)):
        if outcome.problem:
            fields = dict(where=outcome.kind, finding=outcome.problem)
            fields.update(_located_where_it_returns(cases[number + 1:], outcomes[number + 1:],
                                                    rights[number + 1:]))
        elif not _same(outcome, weights, biases):
            fields = _located(outcome, case, weights, biases)
            one_sample = _one_sample_version(number, cases, outcomes, rights)
            if one_sample and fields["where"] in _WHERE:
                fields.update(where="batch", finding=(
                    f"the first wrong quantity is {fields['quantity']}, but with one sample, on "
                    f"{one_sample.describe()}, every quantity is right: the mistake is in how the "
                    "samples of the batch are combined (the 1/m, a sum over the samples, or "
                    "something averaged before the product)."))
        elif outcome.changed:
            fields = dict(where="changed its input", finding=(
                f"the gradients are right, but your function changed its input "
                f"{', '.join(outcome.changed)} in place. Compute new arrays instead (x = x - ..., "
                f"not x -= ...)."))
        else:
            continue
        mistake = next((mistake for mistake in MISTAKES
                        if not (mistake.squared_error_only and setting.loss != "squared_error")
                        and _mistake_matches(mistake, cases, outcomes, rights, setting)), None)
        return _report(case, fields, mistake, outcomes)
    text = (f"Right on all {len(cases)} cases of the ladder (1 to "
            f"{max(len(case.weights) for case in cases)} layers, 1 to "
            f"{max(case.m for case in cases)} samples).")
    return Report(True, CORRECT, text, text)


def _one_sample_version(number: int, cases: list[Case], outcomes: list[_Outcome],
                        rights: list[tuple[list[np.ndarray], list[np.ndarray]]]) -> Case | None:
    """The case just before ``cases[number]`` if it is the same network with one sample and the
    function got it right (then a mistake on the batch is in how the samples are combined)."""
    if number == 0 or cases[number].m == 1:
        return None
    before = cases[number - 1]
    if before.m == 1 and before.sizes == cases[number].sizes and _same(
            outcomes[number - 1], *rights[number - 1]):
        return before
    return None


def _located_where_it_returns(cases: list[Case], outcomes: list[_Outcome],
                              rights: list[tuple[list[np.ndarray], list[np.ndarray]]]) -> dict:
    """Where a function that failed on a smaller case first returns wrong gradients (of the
    right shapes) on a larger one: ``quantity``, ``layer`` and a sentence, or nothing."""
    for case, outcome, (weights, biases) in zip(cases, outcomes, rights):
        if outcome.problem or _same(outcome, weights, biases) or any(
                got.shape != want.shape for got, want in
                zip(outcome.weights + outcome.biases, weights + biases)):
            continue
        located = _located(outcome, case, weights, biases)
        return dict(quantity=located["quantity"], layer=located["layer"],
                    also=f"Where it returns gradients, on {case.describe()}, "
                         f"{located['finding']}")
    return {}


def _report(case: Case, fields: dict, mistake: Mistake | None, outcomes: list[_Outcome]) -> Report:
    finding = fields.pop("finding")
    also = fields.pop("also", "")
    lines = [_wrapped(_sentence(finding)),
             _wrapped(f"Smallest case where it goes wrong: {case.describe()}.")]
    if also:
        lines.append(_wrapped(also))
    if "expected" in fields:
        lines += [_numbers(f"  expected {fields['quantity']} = ", fields["expected"]),
                  _numbers(f"  received {fields['quantity']} = ", fields["received"])]
    if mistake is not None:
        lines += [_wrapped(f"The numbers are those of a known mistake: {mistake.name}."),
                  _wrapped(f"Instead: {mistake.advice}")]
    changed = sorted({name for outcome in outcomes for name in outcome.changed})
    if changed and fields["where"] != "changed its input":
        lines.append(_wrapped(f"Also, your function changed its input {', '.join(changed)} in "
                              "place."))
    diagnosis = "\n".join(lines)
    reading = [_wrapped(f"Read {SECTIONS[mistake.section]}.")] if mistake is not None else []
    text = "\n".join(["Not right yet.", diagnosis, *reading, "The case's inputs: "
                       "report.case.arguments() gives (weights, biases, X, Y)."])
    return Report(False, MISTAKE, text, diagnosis, case=case, mistake=mistake, **fields)
