"""Tests of backproplib.diagnose, by mutation.

Learners' backward passes are written here, independently of backproplib, in three styles
(vectorised with matrix products, vectorised with einsum, a loop over the samples with column
vectors). Each classic mistake is injected into each style: the report must name it and locate
it. The right versions, in every style and form, must never be accused; a mistake outside the
catalogue must be located without a name; errors, wrong types and shapes, changed inputs and NaN
must be reported, never raised.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import autograd.numpy as anp
import nbformat
import numpy as np
import pytest
from autograd import grad
from hypothesis import given, settings
from hypothesis import strategies as st

from backproplib import diagnose as diagnosis
from backproplib.diagnose import MISTAKES, SECTIONS, Variant, diagnose, ladder

BOOK = Path(__file__).resolve().parent.parent / "book"


def flat(text: str) -> str:
    """A report's text with its line breaks undone (long lines are wrapped)."""
    return " ".join(text.split())


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


G = {"sigmoid": (sigmoid, lambda a: a * (1 - a), lambda z: sigmoid(z) * (1 - sigmoid(z))),
     "tanh": (np.tanh, lambda a: 1 - a**2, lambda z: 1 - np.tanh(z) ** 2)}


def _slope(mistake, where, g, z, a):
    """The slope the learner multiplies by in the output layer or the recursion."""
    function, slope_from_a, _ = G[g]
    if mistake in (f"no slope {where}", "no slope"):
        return np.ones_like(z)
    if mistake in (f"slope at a {where}", "slope at a"):
        return slope_from_a(function(a))
    if mistake in (f"slope averaged {where}", "slope averaged"):
        return np.mean(slope_from_a(a), axis=0, keepdims=True)
    return slope_from_a(a)


def rows_style(mistake=None, einsum=False, hidden="sigmoid", output="sigmoid", dtype=np.float64,
               container=list, slope_from_z=False):
    """A vectorised learner: samples as rows, ``mistake`` injected where it is made."""

    def backprop(weights, biases, X, Y):
        weights = [np.asarray(W, dtype=dtype) for W in weights]
        A, Z = [np.asarray(X, dtype=dtype)], []
        L = len(weights)
        for l, (W, b) in enumerate(zip(weights, biases), start=1):
            z = (np.einsum("ik,jk->ij", A[-1], W) if einsum else A[-1] @ W.T)
            if mistake != "forward without bias":
                z = z + np.asarray(b, dtype=dtype)
            Z.append(z)
            A.append(G[output if l == L else hidden][0](z))
        m, Y = X.shape[0], np.asarray(Y, dtype=dtype)
        factor = {"sign flipped": -2.0, "factor 2 dropped": 1.0}.get(mistake, 2.0)
        if slope_from_z and mistake is None:
            slope = G[output][2](Z[-1])
        else:
            slope = _slope(mistake, "at the output", output, Z[-1], A[-1])
        delta = factor * (A[-1] - Y) * slope
        scale = {"no 1/m": 1.0, "1/m twice": 1.0 / m**2}.get(mistake, 1.0 / m)
        dW, db = [None] * L, [None] * L
        for l in range(L, 0, -1):
            if einsum:
                dW[l - 1] = np.einsum("ij,ik->jk", delta, A[l - 1]) * scale
            else:
                dW[l - 1] = delta.T @ A[l - 1] * scale
            if mistake == "dW transposed":
                dW[l - 1] = dW[l - 1].T
            db[l - 1] = delta * scale if mistake == "bias not summed" else delta.sum(axis=0) * scale
            if l > 1:
                W = weights[l - 1]
                if mistake == "W instead of W^T":
                    upstream = delta @ W.T
                elif mistake == "one downstream node":
                    upstream = delta[:, :1] * W[:1]
                else:
                    upstream = np.einsum("ij,jk->ik", delta, W) if einsum else delta @ W
                if slope_from_z and mistake is None:
                    slope = G[hidden][2](Z[l - 2])
                else:
                    slope = _slope(mistake, "in the recursion", hidden, Z[l - 2], A[l - 1])
                delta = upstream * slope
        return container(map(container, (dW, db))) if container is tuple else (dW, db)

    return backprop


def loop_style(mistake=None, hidden="sigmoid", output="sigmoid", container=list):
    """A learner that loops over the samples, one column vector at a time."""

    def backprop(weights, biases, X, Y):
        L, m = len(weights), X.shape[0]
        kinds = [hidden] * (L - 1) + [output]

        def forward(x):
            a, zs, activations = x, [], [x]
            for W, b, kind in zip(weights, biases, kinds):
                z = W @ a + (0.0 if mistake == "forward without bias" else b)
                a = G[kind][0](z)
                zs.append(z)
                activations.append(a)
            return zs, activations

        passes = [forward(X[i]) for i in range(m)]
        mean_slopes = [np.mean([G[kinds[l]][1](p[1][l + 1]) for p in passes], axis=0)
                       for l in range(L)]

        def slope(l, z, a, where):
            if mistake in (f"slope averaged {where}", "slope averaged"):
                return mean_slopes[l]
            return _slope(mistake, where, kinds[l], z[None, :], a[None, :])[0]

        dW = [np.zeros_like(W.T if mistake == "dW transposed" else W) for W in weights]
        db = [np.zeros_like(b) for b in biases]
        bias_rows = [[] for _ in weights]
        per_sample = {"no 1/m": 1.0, "1/m twice": 1.0 / m}.get(mistake, 1.0)
        for i, (zs, activations) in enumerate(passes):
            factor = {"sign flipped": -2.0, "factor 2 dropped": 1.0}.get(mistake, 2.0)
            delta = factor * (activations[-1] - Y[i]) * slope(L - 1, zs[-1], activations[-1],
                                                             "at the output")
            for l in range(L - 1, -1, -1):
                dW[l] += (np.outer(activations[l], delta) if mistake == "dW transposed"
                          else np.outer(delta, activations[l]))
                db[l] += delta
                bias_rows[l].append(delta * per_sample)
                if l > 0:
                    W = weights[l]
                    if mistake == "W instead of W^T":
                        upstream = W @ delta
                    elif mistake == "one downstream node":
                        upstream = W[0] * delta[0]
                    else:
                        upstream = W.T @ delta
                    delta = upstream * slope(l - 1, zs[l - 1], activations[l], "in the recursion")
        scale = per_sample / m if mistake != "no 1/m" else 1.0
        dW = [gradient * scale for gradient in dW]
        if mistake == "bias not summed":
            db = [np.array(rows) / m for rows in bias_rows]
        else:
            db = [gradient * scale for gradient in db]
        return (tuple(dW), tuple(db)) if container is tuple else (dW, db)

    return backprop


RIGHT = {
    "matrix products": rows_style(),
    "einsum": rows_style(einsum=True),
    "loop over samples": loop_style(),
    "tuples": rows_style(container=tuple),
    "loop, tuples": loop_style(container=tuple),
    "sigmoid(z)(1 - sigmoid(z))": rows_style(slope_from_z=True),
    "float32": rows_style(dtype=np.float32),
    "float32, einsum": rows_style(dtype=np.float32, einsum=True),
}

#: mistake injected -> (name of the mistake, case number, quantity, where)
INJECTED = {
    "no slope in the recursion": (0, 2, "dW^[1]", "recursion"),
    "no slope at the output": (1, 0, "dW^[1]", "output error"),
    "slope at a": (2, 0, "dW^[1]", "output error"),
    "slope at a at the output": (2, 0, "dW^[1]", "output error"),
    "slope at a in the recursion": (2, 2, "dW^[1]", "recursion"),
    "no 1/m": (3, 1, "dW^[1]", "batch"),
    "1/m twice": (4, 1, "dW^[1]", "batch"),
    "slope averaged": (5, 1, "dW^[1]", "batch"),
    "slope averaged at the output": (5, 1, "dW^[1]", "batch"),
    "slope averaged in the recursion": (5, 3, "dW^[1]", "batch"),
    "sign flipped": (6, 0, "dW^[1]", "output error"),
    "factor 2 dropped": (7, 0, "dW^[1]", "output error"),
    "bias not summed": (8, 0, "db^[1]", "shape"),
    "dW transposed": (9, 0, "dW^[1]", "shape"),
    "W instead of W^T": (10, 2, "dW^[2]", "raised"),
    "one downstream node": (11, 2, "dW^[1]", "recursion"),
    "forward without bias": (12, 0, "dW^[1]", "output error"),
}

STYLES = {"matrix products": lambda mistake: rows_style(mistake),
          "einsum": lambda mistake: rows_style(mistake, einsum=True),
          "loop over samples": lambda mistake: loop_style(mistake),
          "float32": lambda mistake: rows_style(mistake, dtype=np.float32)}


def test_the_catalogue_has_the_mistakes_of_the_issue():
    assert len(MISTAKES) == 13
    assert [MISTAKES[number].name for number, *_ in INJECTED.values()]  # every index exists
    assert {number for number, *_ in INJECTED.values()} == set(range(len(MISTAKES)))


@pytest.mark.parametrize("name", list(RIGHT))
def test_a_right_backprop_is_called_right_in_every_form(name):
    report = diagnose(RIGHT[name])
    assert report.correct, report.text
    assert report.status == "correct" and report.mistake is None
    assert report.text.startswith("Right on all 6 cases")


@pytest.mark.parametrize("style", list(STYLES))
@pytest.mark.parametrize("mistake", list(INJECTED))
def test_each_injected_mistake_is_named_and_located(style, mistake):
    function = STYLES[style](mistake)
    number, case, quantity, where = INJECTED[mistake]
    report = diagnose(function)
    assert not report.correct
    assert report.mistake is MISTAKES[number], report.text
    assert report.case.name == ladder()[case].name, report.text
    assert (report.quantity, report.where) == (quantity, where), report.text
    assert MISTAKES[number].name in flat(report.text)
    assert str(SECTIONS[MISTAKES[number].section]) in flat(report.text)


def test_the_report_shows_the_expected_and_received_numbers_of_the_smallest_case():
    report = diagnose(rows_style("factor 2 dropped"))
    case = ladder()[0]
    right = rows_style()(*case.arguments())[0][0]
    np.testing.assert_allclose(report.expected, right, rtol=1e-12)
    np.testing.assert_allclose(report.received, right / 2, rtol=1e-12)
    assert f"{right[0, 0]:.4f}" in report.text and f"{right[0, 0] / 2:.4f}" in report.text
    assert "'one sample, one layer' (layer sizes 3-2, 1 sample)" in flat(report.text)


def _all_variants():
    return [(mistake.name, variant) for mistake in MISTAKES for variant in mistake.variants]


def test_the_ladder_tells_every_mistake_from_every_other_and_from_the_right_one():
    setting = diagnosis._check_setting("sigmoid", None, "squared_error")
    outputs = {}
    for name, variant in [("right", Variant())] + _all_variants():
        results = []
        for case in ladder():
            try:
                results.append(diagnosis._variant_gradients(case, setting, variant))
            except diagnosis._NotComputable:
                results.append(None)
        outputs[(name, variant)] = results

    def same(first, second):
        for one, other in zip(first, second):
            if (one is None) != (other is None):
                return False
            if one is not None and not all(
                    a.shape == b.shape and np.allclose(a, b, rtol=1e-3, atol=1e-6)
                    for a, b in zip(one[0] + one[1], other[0] + other[1])):
                return False
        return True

    keys = list(outputs)
    for index, first in enumerate(keys):
        for second in keys[index + 1:]:
            if first[0] != second[0]:  # variants of one mistake may agree on some cases
                assert not same(outputs[first], outputs[second]), (first, second)


@pytest.mark.parametrize("scaled", ["dW", "delta"])
def test_a_mistake_outside_the_catalogue_is_located_without_a_name(scaled):
    """Layer 2's weight gradient (or its delta) multiplied by 0.9."""
    right = rows_style()

    def scaled_in_layer_2(weights, biases, X, Y):
        dW, db = right(weights, biases, X, Y)
        if len(weights) >= 2:
            dW[1] = 0.9 * dW[1]
            if scaled == "delta":
                db[1] = 0.9 * db[1]
        return dW, db

    report = diagnose(scaled_in_layer_2)
    assert not report.correct and report.mistake is None, report.text
    assert report.case.name == "one sample, a hidden layer"
    assert report.quantity == "dW^[2]" and report.layer == 2
    assert report.where == ("weight gradient" if scaled == "dW" else "output error")
    assert "known mistake" not in report.text


def _raises(weights, biases, X, Y):
    return weights[5]


@pytest.mark.parametrize("function, where, words", [
    (_raises, "raised", ["IndexError: list index out of range", "in _raises: return weights[5]"]),
    (lambda *arguments: None, "type", ["must return a pair", "got NoneType"]),
    (lambda w, b, X, Y: np.zeros(3), "type", ["must return a pair", "got ndarray"]),
    (lambda w, b, X, Y: {"dW": w}, "type", ["must return a pair", "got dict"]),
    (lambda w, b, X, Y: (w, b, X), "type", ["got tuple of length 3"]),
    (lambda w, b, X, Y: (w[:1] * 2, b), "type", ["weight_gradients has 2 entries"]),
    (lambda w, b, X, Y: (["a"] * len(w), b), "type", ["weight_gradients[0] must be an array"]),
])
def test_what_a_function_returns_or_raises_is_diagnosed_never_raised(function, where, words):
    report = diagnose(function)
    assert not report.correct and report.where == where, report.text
    for word in words:
        assert word in flat(report.text)
    assert "Traceback" not in report.text


def test_a_column_bias_gradient_is_a_shape_with_the_right_number_of_entries():
    right = rows_style()

    def column_bias(weights, biases, X, Y):
        dW, db = right(weights, biases, X, Y)
        return dW, [gradient.reshape(-1, 1) for gradient in db]

    report = diagnose(column_bias)
    assert report.where == "shape" and report.quantity == "db^[1]"
    assert "db^[1] has shape (2, 1), but it must have the shape of b^[1], (2,)" in flat(report.text)
    assert "return shape (2,)" in flat(report.text)


def test_a_function_not_written_yet_is_not_done():
    def not_written(weights, biases, X, Y):
        raise NotImplementedError

    report = diagnose(not_written)
    assert report.status == "not yet done" and not report.correct


@pytest.mark.parametrize("what", ["X", "weights[0]", "biases[1]"])
def test_a_function_that_changes_its_input_is_not_right(what):
    right = rows_style()

    def changes(weights, biases, X, Y):
        gradients = right(weights, biases, X, Y)
        if what == "X":
            X *= 0.0
        elif what == "weights[0]":
            weights[0] -= 0.1
        elif len(biases) > 1:
            biases[1][...] = 0.0
        return gradients

    report = diagnose(changes)
    assert not report.correct and report.where == "changed its input", report.text
    assert f"changed its input {what}" in flat(report.text)


def test_nan_in_the_output_is_named():
    right = rows_style()

    def nan_in_layer_1(weights, biases, X, Y):
        dW, db = right(weights, biases, X, Y)
        dW[0] = dW[0] * np.nan
        return dW, db

    report = diagnose(nan_in_layer_1)
    assert report.where == "not finite" and report.quantity == "dW^[1]"
    assert "NaN or infinite" in report.text


@pytest.mark.parametrize("arguments, error, words", [
    (dict(backprop=3), TypeError, "backprop must be callable"),
    (dict(activation="sigmod"), ValueError, "activation"),
    (dict(output_activation="softmax"), ValueError, "output_activation must be an element-wise"),
    (dict(loss="hinge"), ValueError, "loss"),
    (dict(loss="binary_cross_entropy", output_activation="tanh"), ValueError,
     "needs output_activation"),
    (dict(activation=7), TypeError, "activation"),
])
def test_bad_arguments_to_diagnose_get_clear_errors(arguments, error, words):
    backprop = arguments.pop("backprop", rows_style())
    with pytest.raises(error, match=re.escape(words)):
        diagnose(backprop, **arguments)


@settings(max_examples=20, deadline=None)
@given(style=st.sampled_from(["rows", "einsum", "loop"]),
       hidden=st.sampled_from(["sigmoid", "tanh"]), output=st.sampled_from(["sigmoid", "tanh"]),
       container=st.sampled_from([list, tuple]))
def test_right_functions_are_never_accused_for_any_activation(style, hidden, output, container):
    if style == "loop":
        function = loop_style(hidden=hidden, output=output, container=container)
    else:
        function = rows_style(einsum=style == "einsum", hidden=hidden, output=output,
                              container=container)
    report = diagnose(function, activation=hidden, output_activation=output)
    assert report.correct, report.text


def test_a_mistake_is_named_with_another_activation():
    report = diagnose(rows_style("slope at a in the recursion", hidden="tanh"),
                      activation="tanh", output_activation="sigmoid")
    assert report.mistake is MISTAKES[2] and report.where == "recursion", report.text


def test_the_reference_gradients_agree_with_autograd():
    """What diagnose calls right, on every case, is autograd's gradient of J."""
    for case in ladder():
        def cost(parameters):
            L = len(case.weights)
            A = case.X
            for W, b in zip(parameters[:L], parameters[L:]):
                A = 1.0 / (1.0 + anp.exp(-(anp.dot(A, W.T) + b)))
            return anp.mean(anp.sum((A - case.Y) ** 2, axis=1))

        expected = grad(cost)(case.weights + case.biases)
        dW, db = rows_style()(*case.arguments())
        for got, want in zip(dW + db, expected):
            np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-14)
    assert diagnose(rows_style()).correct


def test_a_report_takes_well_under_a_second():
    for function in (rows_style(), loop_style("slope at a"), rows_style("W instead of W^T")):
        start = time.perf_counter()
        diagnose(function)
        assert time.perf_counter() - start < 1.0


def test_the_ladder_is_always_the_same_and_its_sizes_tell_transposes_apart():
    first, second = ladder(), ladder()
    for one, other in zip(first, second):
        for a, b in zip(one.arguments(), other.arguments()):
            for x, y in zip(a if isinstance(a, list) else [a], b if isinstance(b, list) else [b]):
                np.testing.assert_array_equal(x, y)
    assert [case.sizes for case in first][:2] == [(3, 2), (3, 2)]
    assert [case.m for case in first][:2] == [1, 4]
    for case in first:
        assert case.m != 2 and (case.m == 1 or case.m not in case.sizes)
        assert all(value != 0 for W in case.weights for value in W.ravel())


def test_every_section_a_mistake_names_exists_in_the_book_with_its_title():
    for section in SECTIONS.values():
        notebook = nbformat.read(BOOK / f"{section.page}.ipynb", as_version=4)
        text = "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "markdown")
        assert re.search(rf"^\({re.escape(section.label)}\)=\n#+ {re.escape(section.title)}$",
                         text, re.M), section
    assert {mistake.section for mistake in MISTAKES} <= set(SECTIONS)
