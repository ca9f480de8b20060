"""Tests of backproplib.logistic (chapter 2): gradients, training, scikit-learn, stability, input.

Expected values come from outside the module: autograd differentiating a naive re-implementation
of the cost, centred finite differences, hand-written formulas, and scikit-learn.
"""

from __future__ import annotations

import math
import warnings

import autograd.numpy as anp
import numpy as np
import pytest
from autograd import grad
from hypothesis import example, given, settings
from hypothesis import strategies as st
from sklearn.datasets import load_breast_cancer, make_classification
from sklearn.linear_model import LogisticRegression as SklearnLogisticRegression
from sklearn.model_selection import train_test_split

from backproplib.gradcheck import numerical_derivative, relative_error
from backproplib.logistic import (LogisticRegression, cost_and_gradients, per_example_gradients,
                                  sklearn_C)

from .finite_differences import assert_matches_finite_differences

# ----------------------------------------------------------------------------------------------
# independent references
# ----------------------------------------------------------------------------------------------


def reference_cost(parameters, X, y, l2):
    """J = mean of -[y ln a + (1 - y) ln(1 - a)] + (l2/2)||w||^2, parameters = (w_1..w_n, b)."""
    w, b = parameters[:-1], parameters[-1]
    a = 1.0 / (1.0 + anp.exp(-(anp.dot(X, w) + b)))
    losses = -(y * anp.log(a) + (1.0 - y) * anp.log(1.0 - a))
    return anp.mean(losses) + 0.5 * l2 * anp.dot(w, w)


def reference_gradients(w, b, X, y, l2=0.0):
    """(dJ/dw, dJ/db) by autograd."""
    gradient = grad(reference_cost)(np.append(w, b), X, y, l2)
    return gradient[:-1], gradient[-1]


def sigmoid_by_hand(z):
    """1 / (1 + e^-z), written so that math.exp never overflows."""
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    return math.exp(z) / (1.0 + math.exp(z))


def random_problem(seed, m, n, scale=1.0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(m, n))
    y = rng.integers(0, 2, size=m).astype(float)
    w = rng.normal(scale=scale, size=n)
    b = float(rng.normal())
    return w, b, X, y


# ----------------------------------------------------------------------------------------------
# the cost and its gradients
# ----------------------------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), m=st.integers(1, 8), n=st.integers(1, 5),
       l2=st.sampled_from([0.0, 0.01, 0.7]))
def test_cost_and_gradients_agree_with_autograd(seed, m, n, l2):
    w, b, X, y = random_problem(seed, m, n)
    cost, dJ_dw, dJ_db = cost_and_gradients(w, b, X, y, l2=l2)
    expected_w, expected_b = reference_gradients(w, b, X, y, l2)
    assert cost == pytest.approx(float(reference_cost(np.append(w, b), X, y, l2)), rel=1e-12)
    assert dJ_dw.shape == (n,)
    assert isinstance(dJ_db, float)
    np.testing.assert_allclose(dJ_dw, expected_w, rtol=1e-10, atol=1e-14)
    assert dJ_db == pytest.approx(float(expected_b), rel=1e-10, abs=1e-14)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), m=st.integers(1, 8), n=st.integers(1, 5),
       l2=st.sampled_from([0.0, 0.3]))
@example(seed=3327, m=1, n=1, l2=0.3)  # gradient 6e-5 of a cost near 1: relative error 2.4e-7
def test_cost_and_gradients_agree_with_finite_differences(seed, m, n, l2):
    w, b, X, y = random_problem(seed, m, n)
    cost, dJ_dw, dJ_db = cost_and_gradients(w, b, X, y, l2=l2)
    numeric_w = numerical_derivative(lambda v: cost_and_gradients(v, b, X, y, l2=l2)[0], w)
    numeric_b = numerical_derivative(lambda v: cost_and_gradients(w, v[0], X, y, l2=l2)[0],
                                     np.array([b]))
    # the round-off of a centred difference scales with the cost, not with the gradient
    assert_matches_finite_differences(dJ_dw, numeric_w, function_scale=cost)
    assert_matches_finite_differences([dJ_db], numeric_b, function_scale=cost)


def test_gradient_is_the_vectorized_formula_written_by_hand():
    w, b, X, y = random_problem(11, 6, 3)
    a = 1.0 / (1.0 + np.exp(-(X @ w + b)))
    _, dJ_dw, dJ_db = cost_and_gradients(w, b, X, y, l2=0.25)
    np.testing.assert_allclose(dJ_dw, X.T @ (a - y) / 6 + 0.25 * w, rtol=1e-12)
    assert dJ_db == pytest.approx(np.mean(a - y), rel=1e-12)


def test_bias_is_not_penalised():
    w, b, X, y = random_problem(5, 7, 2)
    _, _, without = cost_and_gradients(w, b, X, y, l2=0.0)
    _, _, with_penalty = cost_and_gradients(w, b, X, y, l2=5.0)
    assert with_penalty == without
    # and the penalty adds exactly (l2/2)||w||^2 to the cost
    difference = cost_and_gradients(w, b, X, y, l2=5.0)[0] - cost_and_gradients(w, b, X, y)[0]
    assert difference == pytest.approx(2.5 * float(w @ w), rel=1e-12)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), m=st.integers(1, 8), n=st.integers(1, 5))
def test_per_example_gradients_are_the_gradients_of_each_loss(seed, m, n):
    w, b, X, y = random_problem(seed, m, n)
    weight_gradients, bias_gradients = per_example_gradients(w, b, X, y)
    assert weight_gradients.shape == (m, n) and bias_gradients.shape == (m,)
    for i in range(m):
        # the loss of example i alone is the cost of a batch of one
        expected_w, expected_b = reference_gradients(w, b, X[i:i + 1], y[i:i + 1])
        np.testing.assert_allclose(weight_gradients[i], expected_w, rtol=1e-10, atol=1e-14)
        assert bias_gradients[i] == pytest.approx(float(expected_b), rel=1e-10, abs=1e-14)
    # the batch graph is m copies sharing w: dJ/dw is their sum divided by m
    expected_w, expected_b = reference_gradients(w, b, X, y)
    np.testing.assert_allclose(weight_gradients.sum(axis=0) / m, expected_w, rtol=1e-10, atol=1e-14)
    assert bias_gradients.sum() / m == pytest.approx(float(expected_b), rel=1e-10, abs=1e-14)


# ----------------------------------------------------------------------------------------------
# the numbers chapter 2 prints about derivatives, recomputed independently
# ----------------------------------------------------------------------------------------------

CHAPTER_X = np.array([1.0, -2.0, 0.5])
CHAPTER_W = np.array([0.4, 0.3, -0.5])
CHAPTER_B = 0.2
CHAPTER_Y = 1.0
CHAPTER_BATCH = np.array([[1.0, -2.0, 0.5], [0.5, 1.0, -1.0], [-1.5, 0.0, 2.0], [2.0, 0.5, 1.0]])
CHAPTER_LABELS = np.array([1.0, 0.0, 0.0, 1.0])


def test_chapter_single_example_factors():
    z = 0.4 * 1.0 + 0.3 * (-2.0) + (-0.5) * 0.5 + 0.2  # -0.25, by hand
    a = sigmoid_by_hand(z)

    def loss_of_a(activation):
        return -(CHAPTER_Y * anp.log(activation) + (1 - CHAPTER_Y) * anp.log(1 - activation))

    def loss_of_z(weighted_input):
        return loss_of_a(1.0 / (1.0 + anp.exp(-weighted_input)))

    dL_da = grad(loss_of_a)(a)
    da_dz = grad(lambda t: 1.0 / (1.0 + anp.exp(-t)))(z)
    dL_dz = grad(loss_of_z)(z)
    assert dL_da == pytest.approx((a - CHAPTER_Y) / (a * (1 - a)), rel=1e-12)
    assert da_dz == pytest.approx(a * (1 - a), rel=1e-12)
    assert dL_dz == pytest.approx(a - CHAPTER_Y, rel=1e-12)
    assert dL_dz == pytest.approx(dL_da * da_dz, rel=1e-12)
    # Q7: sigma' evaluated at a is a different number (the chapter's "relative error 0.02")
    slope_at_a = sigmoid_by_hand(a) * (1 - sigmoid_by_hand(a))
    assert relative_error(np.array([slope_at_a]), np.array([da_dz])) == pytest.approx(0.016, abs=0.002)
    # Q9: multiplying a - y by a(1 - a) once more is wrong (relative error (1 - s)/(1 + s))
    doubled = (a - CHAPTER_Y) * a * (1 - a)
    share = a * (1 - a)
    assert relative_error(np.array([doubled]), np.array([dL_dz])) == pytest.approx(
        (1 - share) / (1 + share), rel=1e-9)
    # the module gives dL/dw = (a - y) x and dL/db = a - y for a batch of one
    cost, dJ_dw, dJ_db = cost_and_gradients(CHAPTER_W, CHAPTER_B, CHAPTER_X.reshape(1, -1),
                                            np.array([CHAPTER_Y]))
    expected_w, expected_b = reference_gradients(CHAPTER_W, CHAPTER_B, CHAPTER_X.reshape(1, -1),
                                                 np.array([CHAPTER_Y]))
    np.testing.assert_allclose(dJ_dw, expected_w, rtol=1e-12)
    np.testing.assert_allclose(dJ_dw, (a - CHAPTER_Y) * CHAPTER_X, rtol=1e-12)
    assert dJ_db == pytest.approx(a - CHAPTER_Y, rel=1e-12)
    assert cost == pytest.approx(-math.log(a), rel=1e-12)


def test_chapter_vanishing_gradient_at_z_minus_8():
    a = sigmoid_by_hand(-8.0)
    cross_entropy = grad(lambda t: -anp.log(1.0 / (1.0 + anp.exp(-t))))(-8.0)
    squared_error = grad(lambda t: (1.0 / (1.0 + anp.exp(-t)) - 1.0) ** 2)(-8.0)
    assert cross_entropy == pytest.approx(a - 1.0, rel=1e-12)
    assert squared_error == pytest.approx(2 * (a - 1.0) * a * (1 - a), rel=1e-12)
    assert round(cross_entropy / squared_error) == round(1 / (2 * a * (1 - a)))


def test_chapter_squared_error_slope_is_largest_near_z_minus_0_7():
    """The figure's alt text: for y = 1, 2(a - 1) a (1 - a) is largest in size, about -0.3, near
    z = -0.7 (where a = 1/3, z = ln(1/2), value -8/27), found here on a grid with autograd."""
    z_grid = np.linspace(-8, 8, 16001)
    slope = grad(lambda t: (1.0 / (1.0 + anp.exp(-t)) - 1.0) ** 2)
    values = np.array([slope(t) for t in z_grid[::10]])
    where = z_grid[::10][np.argmin(values)]
    assert where == pytest.approx(math.log(0.5), abs=0.01)
    assert values.min() == pytest.approx(-8 / 27, rel=1e-4)
    assert f"{where:.1f}" == "-0.7" and f"{values.min():.1f}" == "-0.3"


def test_chapter_batch_sum_over_copies():
    m = CHAPTER_BATCH.shape[0]
    weight_gradients, bias_gradients = per_example_gradients(CHAPTER_W, CHAPTER_B, CHAPTER_BATCH,
                                                             CHAPTER_LABELS)
    expected_w, expected_b = reference_gradients(CHAPTER_W, CHAPTER_B, CHAPTER_BATCH, CHAPTER_LABELS)
    np.testing.assert_allclose(weight_gradients.sum(axis=0) / m, expected_w, rtol=1e-12)
    np.testing.assert_allclose(cost_and_gradients(CHAPTER_W, CHAPTER_B, CHAPTER_BATCH,
                                                  CHAPTER_LABELS)[1], expected_w, rtol=1e-12)
    assert bias_gradients.mean() == pytest.approx(float(expected_b), rel=1e-12)
    # the chapter's tempting shortcuts: m times too large gives relative error (m-1)/(m+1) = 0.6
    assert relative_error(weight_gradients.sum(axis=0), expected_w) == pytest.approx(
        (m - 1) / (m + 1), rel=1e-9)
    # one copy only is not the gradient of J (the chapter prints relative error 0.40)
    first_copy, _ = reference_gradients(CHAPTER_W, CHAPTER_B, CHAPTER_BATCH[:1], CHAPTER_LABELS[:1])
    np.testing.assert_allclose(weight_gradients[0], first_copy, rtol=1e-12)
    assert relative_error(first_copy, expected_w) == pytest.approx(0.40, abs=0.005)


@pytest.mark.parametrize("l2", [0.0, 0.01])
def test_gradient_on_the_chapters_data_at_the_chapters_random_point(l2):
    X_train, _, y_train, _ = chapter_data()
    w = np.random.default_rng(2).normal(scale=0.5, size=X_train.shape[1])  # the chapter's draw
    _, dJ_dw, dJ_db = cost_and_gradients(w, 0.3, X_train, y_train, l2=l2)
    expected_w, expected_b = reference_gradients(w, 0.3, X_train, y_train, l2)
    np.testing.assert_allclose(dJ_dw, expected_w, rtol=1e-10, atol=1e-14)
    assert dJ_db == pytest.approx(float(expected_b), rel=1e-10)
    numeric_w = numerical_derivative(lambda v: cost_and_gradients(v, 0.3, X_train, y_train, l2)[0], w)
    assert relative_error(dJ_dw, numeric_w) < 1e-7


# ----------------------------------------------------------------------------------------------
# training
# ----------------------------------------------------------------------------------------------


def chapter_data():
    """The breast-cancer split of chapter 2, standardized with the training statistics."""
    X, y = load_breast_cancer(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0,
                                                        stratify=y)
    mean, std = X_train.mean(axis=0), X_train.std(axis=0)
    return (X_train - mean) / std, (X_test - mean) / std, y_train, y_test


def overlapping_data():
    """200 examples of two overlapping 2-D classes (not separable), the chapter's 2-D data."""
    return make_classification(n_samples=200, n_features=2, n_informative=2, n_redundant=0,
                               n_clusters_per_class=1, class_sep=1.0, random_state=1)


def safe_learning_rate(X, l2=0.0):
    """1 / (curvature bound of J): a(1 - a) <= 1/4, so the Hessian is at most [X 1]^T [X 1] / 4m."""
    augmented = np.column_stack([X, np.ones(X.shape[0])])
    curvature = np.linalg.eigvalsh(augmented.T @ augmented / X.shape[0]).max() / 4 + l2
    return 1.0 / curvature


def test_initial_cost_is_ln_2_and_history_has_one_entry_per_step():
    X, y = overlapping_data()
    model = LogisticRegression(learning_rate=0.1, n_steps=25).fit(X, y)
    assert model.loss_history.shape == (26,)
    assert model.loss_history[0] == pytest.approx(math.log(2), rel=1e-12)  # a = 1/2 everywhere
    assert model.loss_history[-1] == pytest.approx(cost_and_gradients(model.w, model.b, X, y)[0],
                                                   rel=1e-12)


def test_fit_is_plain_gradient_descent():
    w, b, X, y = random_problem(3, 10, 3)
    model = LogisticRegression(learning_rate=0.3, n_steps=3, l2=0.1).fit(X, y)
    w_step, b_step = np.zeros(3), 0.0
    for _ in range(3):
        dJ_dw, dJ_db = reference_gradients(w_step, b_step, X, y, 0.1)
        w_step, b_step = w_step - 0.3 * dJ_dw, b_step - 0.3 * dJ_db
    np.testing.assert_allclose(model.w, w_step, rtol=1e-10)
    assert model.b == pytest.approx(float(b_step), rel=1e-10)


def test_fit_on_overlapping_data_reaches_the_minimum_and_matches_sklearn():
    X, y = overlapping_data()
    model = LogisticRegression(learning_rate=safe_learning_rate(X), n_steps=3000).fit(X, y)
    assert np.all(np.diff(model.loss_history) <= 1e-15)  # a safe step never increases J
    _, dJ_dw, dJ_db = cost_and_gradients(model.w, model.b, X, y)
    assert np.hypot(np.linalg.norm(dJ_dw), dJ_db) < 1e-8
    reference = SklearnLogisticRegression(C=np.inf, tol=1e-10, max_iter=10_000).fit(X, y)
    assert np.max(np.abs(model.predict_proba(X) - reference.predict_proba(X)[:, 1])) < 1e-6
    assert 0.8 < np.mean(model.predict(X) == y) < 1.0  # overlapping: not every example is right


def test_fit_on_separable_data_keeps_lowering_the_cost_and_growing_the_weights():
    X = np.array([[-2.0], [-1.0], [-0.5], [0.5], [1.0], [2.0]])
    y = np.array([0, 0, 0, 1, 1, 1])
    norms = []
    for n_steps in (100, 1000, 10_000):
        model = LogisticRegression(learning_rate=1.0, n_steps=n_steps).fit(X, y)
        assert np.all(np.diff(model.loss_history) < 0)  # strictly falling at every step
        assert model.loss_history[-1] > 0  # but never reaching 0: there is no minimum
        assert np.all(model.predict(X) == y)
        norms.append(abs(model.w[0]))
    assert norms[0] < norms[1] < norms[2]
    # with a penalty the minimiser exists: more steps no longer move the weights
    settled = [LogisticRegression(learning_rate=1.0, n_steps=n, l2=0.1).fit(X, y).w[0]
               for n in (2000, 4000)]
    assert settled[0] == pytest.approx(settled[1], rel=1e-10)
    assert abs(settled[0]) < norms[1]


def test_chapter_l2_model_agrees_with_sklearn_within_a_derived_tolerance():
    """Tolerance derived, not guessed: for a function whose Hessian is at least mu near the
    minimiser, ||theta - theta*|| <= ||grad J(theta)|| / mu. Both solutions' gradients of *our* J
    are measured, mu is the smallest eigenvalue of the Hessian at our solution (halved for safety,
    since it is evaluated at one point), and sigma is 1/4-Lipschitz, so
    |P_ours - P_sklearn| <= 1/4 max_i ||(x_i, 1)|| (||g_ours|| + ||g_sklearn||) / (mu / 2)."""
    X_train, X_test, y_train, _ = chapter_data()
    l2, m = 0.01, X_train.shape[0]
    model = LogisticRegression(learning_rate=0.5, n_steps=3000, l2=l2).fit(X_train, y_train)
    reference = SklearnLogisticRegression(C=sklearn_C(l2, m), tol=1e-10, max_iter=10_000)
    reference.fit(X_train, y_train)

    def gradient_size(w, b):
        _, dJ_dw, dJ_db = cost_and_gradients(w, b, X_train, y_train, l2=l2)
        return float(np.hypot(np.linalg.norm(dJ_dw), dJ_db))

    augmented = np.column_stack([X_train, np.ones(m)])
    a = 1 / (1 + np.exp(-(X_train @ model.w + model.b)))
    hessian = augmented.T @ (augmented * (a * (1 - a))[:, None]) / m
    hessian += np.diag(np.append(np.full(X_train.shape[1], l2), 0.0))
    mu = np.linalg.eigvalsh(hessian).min()
    test_norm = np.linalg.norm(np.column_stack([X_test, np.ones(len(X_test))]), axis=1).max()
    tolerance = 0.25 * test_norm * (gradient_size(model.w, model.b)
                                    + gradient_size(reference.coef_[0], reference.intercept_[0])) / (mu / 2)
    assert tolerance < 1e-4  # the comparison is meaningful: "agree closely"
    difference = np.abs(model.predict_proba(X_test) - reference.predict_proba(X_test)[:, 1])
    assert difference.max() <= tolerance
    assert np.array_equal(model.predict(X_test), reference.predict(X_test))


def test_sklearn_C_maps_our_objective_onto_sklearns():
    X_train, _, y_train, _ = chapter_data()
    l2, m = 0.01, X_train.shape[0]
    assert sklearn_C(l2, m) == pytest.approx(1 / (l2 * m), rel=1e-15)
    assert sklearn_C(0.0, m) == math.inf
    right = SklearnLogisticRegression(C=sklearn_C(l2, m), tol=1e-10, max_iter=10_000).fit(X_train, y_train)
    wrong = SklearnLogisticRegression(C=1 / l2, tol=1e-10, max_iter=10_000).fit(X_train, y_train)
    # scikit-learn's solution is a stationary point of OUR J only with the right C
    _, dJ_dw, _ = cost_and_gradients(right.coef_[0], right.intercept_[0], X_train, y_train, l2=l2)
    assert np.linalg.norm(dJ_dw) < 1e-6
    _, dJ_dw, _ = cost_and_gradients(wrong.coef_[0], wrong.intercept_[0], X_train, y_train, l2=l2)
    assert np.linalg.norm(dJ_dw) > 1e-2


def test_chapter_training_numbers():
    X_train, X_test, y_train, y_test = chapter_data()
    model = LogisticRegression(learning_rate=0.5, n_steps=3000, l2=0.01).fit(X_train, y_train)
    _, dJ_dw, dJ_db = cost_and_gradients(model.w, model.b, X_train, y_train, l2=0.01)
    assert np.hypot(np.linalg.norm(dJ_dw), dJ_db) < 1e-8  # converged
    assert np.mean(model.predict(X_test) == y_test) > 0.93
    # the chapter's safe-step computation: 0.5 is below 2 / curvature bound
    assert 0.5 < 2 * safe_learning_rate(X_train, 0.01)
    # unpenalised: the training set is separable (scikit-learn finds a separating hyperplane) ...
    separating = SklearnLogisticRegression(C=np.inf, max_iter=1000).fit(X_train, y_train)
    margins = (2 * y_train - 1) * (X_train @ separating.coef_[0] + separating.intercept_[0])
    assert np.all(margins > 0)
    # ... so scaling it up keeps lowering J
    unit = np.linalg.norm(separating.coef_[0])
    scaled = [cost_and_gradients(c * separating.coef_[0] / unit, c * separating.intercept_[0] / unit,
                                 X_train, y_train)[0] for c in (1, 10, 100, 1000)]
    assert all(later < earlier for earlier, later in zip(scaled, scaled[1:]))


# ----------------------------------------------------------------------------------------------
# prediction
# ----------------------------------------------------------------------------------------------


def test_predictions_follow_the_rule_a_at_least_one_half():
    X, y = overlapping_data()
    model = LogisticRegression(learning_rate=0.5, n_steps=200).fit(X, y)
    z = X @ model.w + model.b
    probabilities = model.predict_proba(X)
    assert probabilities.shape == (200,)
    np.testing.assert_allclose(probabilities, 1 / (1 + np.exp(-z)), rtol=1e-12)
    np.testing.assert_allclose(model.decision_function(X), z, rtol=1e-12)
    predictions = model.predict(X)
    assert predictions.shape == (200,) and predictions.dtype.kind == "i"
    np.testing.assert_array_equal(predictions, (probabilities >= 0.5).astype(int))


# ----------------------------------------------------------------------------------------------
# numerical stability
# ----------------------------------------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(size=st.floats(1.0, 1e3))
def test_large_weighted_inputs_give_finite_cost_and_gradients(size):
    X = np.array([[1.0], [-1.0], [1.0], [-1.0]])
    y = np.array([1.0, 0.0, 0.0, 1.0])  # two confidently right, two confidently wrong
    w = np.array([size])
    b = 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", divide="raise", invalid="raise"):
            cost, dJ_dw, dJ_db = cost_and_gradients(w, b, X, y)
            weight_gradients, bias_gradients = per_example_gradients(w, b, X, y)
    # by hand: a wrong example with |z| = s costs ln(1 + e^s) = s + ln(1 + e^-s); a right one ln(1 + e^-s)
    expected = (2 * (size + math.log1p(math.exp(-size))) + 2 * math.log1p(math.exp(-size))) / 4
    assert cost == pytest.approx(expected, rel=1e-12)
    a = np.array([sigmoid_by_hand(size), sigmoid_by_hand(-size)] * 2)
    np.testing.assert_allclose(dJ_dw, [np.mean((a - y) * X[:, 0])], rtol=1e-12, atol=1e-300)
    assert np.all(np.isfinite(weight_gradients)) and np.all(np.isfinite(bias_gradients))
    assert np.isfinite(dJ_db)


@pytest.mark.parametrize("size", [30.0, 1e2, 1e3])
def test_predictions_and_training_at_large_z_raise_no_warning(size):
    X = np.array([[size], [-size], [size / 2]])
    y = np.array([1, 0, 1])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", divide="raise", invalid="raise"):
            model = LogisticRegression(learning_rate=1.0, n_steps=20).fit(X, y)
            probabilities = model.predict_proba(X * 10)
    assert np.all(np.isfinite(model.loss_history)) and np.all(np.isfinite(model.w))
    assert np.all((probabilities >= 0) & (probabilities <= 1))
    np.testing.assert_array_equal(model.predict(X * 10), [1, 0, 1])


# ----------------------------------------------------------------------------------------------
# input checks
# ----------------------------------------------------------------------------------------------

W, B, X, Y = np.array([0.1, -0.2]), 0.3, np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]), np.array([0, 1, 1])


@pytest.mark.parametrize("function", [
    lambda w, b, X, y: cost_and_gradients(w, b, X, y),
    lambda w, b, X, y: per_example_gradients(w, b, X, y),
], ids=["cost_and_gradients", "per_example_gradients"])
@pytest.mark.parametrize("change, error, message", [
    ({"X": np.ones(2)}, ValueError,
     r"X must be 2-D, got a 1-D array of shape \(2,\)\. It needs one row per example .* "
     r"x\.reshape\(1, -1\)"),
    ({"X": np.ones((3, 2, 1))}, ValueError, r"X must be 2-D, got a 3-D array of shape \(3, 2, 1\)"),
    ({"X": np.ones((0, 2)), "y": np.ones(0)}, ValueError,
     r"X must hold at least one example \(row\), got shape \(0, 2\)"),
    ({"X": np.ones((3, 0)), "w": np.ones(0)}, ValueError,
     r"X must hold at least one feature \(column\), got shape \(3, 0\)"),
    ({"X": np.array([[1.0, np.nan], [0.0, 0.0], [0.0, 0.0]])}, ValueError,
     r"X must contain only finite numbers, but it holds nan at index \(0, 1\)"),
    ({"X": np.array([[1.0, 0.0], [np.inf, 0.0], [0.0, 0.0]])}, ValueError,
     r"X must contain only finite numbers, but it holds inf at index \(1, 0\)"),
    ({"X": [["a", "b"]] * 3}, TypeError, "X must be an array of numbers, got an array of dtype <U1"),
    ({"X": None}, TypeError, "X must be an array of numbers, got NoneType"),
    ({"y": np.array([0, 1])}, ValueError,
     "y must hold one label per row of X: expected 3 labels, got 2"),
    ({"y": np.array([[0], [1], [1]])}, ValueError, r"y must be 1-D, got a 2-D array of shape \(3, 1\)"),
    ({"y": np.array([0, 2, 1])}, ValueError,
     r"y must hold only the labels 0 and 1, but y\[1\] = 2; map your two classes to 0 and 1 first"),
    ({"y": np.array([0, 1, 0.5])}, ValueError, r"y must hold only the labels 0 and 1, but y\[2\] = 0\.5;"),
    ({"y": np.array([-1, 1, 1])}, ValueError, r"y must hold only the labels 0 and 1, but y\[0\] = -1;"),
    ({"y": np.array([0, np.nan, 1])}, ValueError, "y must contain only finite numbers, but it holds nan"),
    ({"w": np.ones(3)}, ValueError,
     r"w must have shape \(2,\), got shape \(3,\)\. It needs one weight per column of X"),
    ({"w": np.ones((2, 1))}, ValueError, r"w must be 1-D, got a 2-D array of shape \(2, 1\)"),
    ({"w": np.array([np.inf, 0.0])}, ValueError, "w must contain only finite numbers"),
    ({"b": np.ones(2)}, ValueError, r"b must be a single number, got an array of shape \(2,\)"),
    ({"b": np.nan}, ValueError, "b must contain only finite numbers, but it holds nan"),
    ({"b": "0.5"}, TypeError, "b must be an array of numbers, got str '0.5'"),
])
def test_bad_arrays_are_named(function, change, error, message):
    arguments = {"w": W, "b": B, "X": X, "y": Y, **change}
    with pytest.raises(error, match=message):
        function(**arguments)


@pytest.mark.parametrize("l2, error, message", [
    (-0.1, ValueError, r"l2 must be a non-negative finite number \(0 for no penalty\), got -0\.1"),
    (math.inf, ValueError, "l2 must be a non-negative finite number .* got inf"),
    (math.nan, ValueError, "l2 must be a non-negative finite number .* got nan"),
    ("0.1", TypeError, "l2 must be a non-negative number, got str '0.1'"),
    (True, TypeError, "l2 must be a non-negative number, got bool True"),
    (None, TypeError, "l2 must be a non-negative number, got NoneType None"),
])
def test_bad_l2_is_named(l2, error, message):
    with pytest.raises(error, match=message):
        cost_and_gradients(W, B, X, Y, l2=l2)
    with pytest.raises(error, match=message):
        LogisticRegression(l2=l2)
    with pytest.raises(error, match=message):
        sklearn_C(l2, 10)


@pytest.mark.parametrize("settings_, error, message", [
    ({"learning_rate": 0.0}, ValueError, "learning_rate must be a positive number, got 0.0"),
    ({"learning_rate": -0.5}, ValueError, "learning_rate must be a positive number, got -0.5"),
    ({"learning_rate": math.nan}, ValueError, "learning_rate must be a positive number, got nan"),
    ({"learning_rate": "fast"}, TypeError, "learning_rate must be a positive number, got str 'fast'"),
    ({"n_steps": 0}, ValueError, "n_steps must be a positive integer, got 0"),
    ({"n_steps": -3}, ValueError, "n_steps must be a positive integer, got -3"),
    ({"n_steps": 10.5}, TypeError, "n_steps must be a positive integer, got float 10.5"),
    ({"n_steps": 100.0}, TypeError, "n_steps must be a positive integer, got float 100.0"),
])
def test_bad_settings_are_named(settings_, error, message):
    with pytest.raises(error, match=message):
        LogisticRegression(**settings_)
    # settings changed after construction are checked again by fit
    model = LogisticRegression()
    for name, value in settings_.items():
        setattr(model, name, value)
    with pytest.raises(error, match=message):
        model.fit(X, Y)


def test_sklearn_C_checks_m():
    with pytest.raises(ValueError, match="m must be a positive integer, got 0"):
        sklearn_C(0.1, 0)
    with pytest.raises(TypeError, match="m must be a positive integer, got float 2.5"):
        sklearn_C(0.1, 2.5)


def test_fit_checks_its_data():
    with pytest.raises(ValueError, match="y must hold one label per row of X: expected 3 labels, got 4"):
        LogisticRegression().fit(X, np.array([0, 1, 1, 0]))
    with pytest.raises(ValueError, match=r"y must hold only the labels 0 and 1, but y\[0\] = 3;"):
        LogisticRegression().fit(X, np.array([3, 1, 1]))
    with pytest.raises(ValueError, match="X must be 2-D"):
        LogisticRegression().fit(np.array([1.0, 2.0, 3.0]), Y)


def test_prediction_before_fit_and_with_the_wrong_number_of_features():
    model = LogisticRegression()
    for method in (model.predict, model.predict_proba, model.decision_function):
        with pytest.raises(RuntimeError, match=r"not fitted yet: call fit\(X, y\) first"):
            method(X)
    model.fit(X, Y)
    for method in (model.predict, model.predict_proba, model.decision_function):
        with pytest.raises(ValueError, match=r"X must have shape \(3, 2\), got shape \(3, 3\)\. "
                                             r"The model was fitted on 2 features"):
            method(np.ones((3, 3)))
        with pytest.raises(ValueError, match="X must be 2-D"):
            method(np.ones(2))


# ----------------------------------------------------------------------------------------------
# the caller's arrays are never modified
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int64])
def test_caller_arrays_are_unchanged(dtype):
    rng = np.random.default_rng(4)
    X_caller = (rng.normal(size=(8, 3)) * 3).astype(dtype)
    y_caller = np.array([0, 1, 1, 0, 1, 0, 0, 1])
    w_caller = np.array([0.5, -1.0, 2.0]).astype(dtype)
    originals = [array.copy() for array in (X_caller, y_caller, w_caller)]
    for array in (X_caller, y_caller, w_caller):
        array.setflags(write=False)  # any write in place would raise
    cost_and_gradients(w_caller, 0.5, X_caller, y_caller, l2=0.1)
    per_example_gradients(w_caller, 0.5, X_caller, y_caller)
    model = LogisticRegression(learning_rate=0.1, n_steps=5, l2=0.1).fit(X_caller, y_caller)
    model.predict_proba(X_caller)
    model.predict(X_caller)
    for array, original in zip((X_caller, y_caller, w_caller), originals):
        np.testing.assert_array_equal(array, original)
        assert array.dtype == original.dtype
    # the fitted weights are the model's own array, not a view of anything the caller holds
    assert not np.shares_memory(model.w, X_caller) and not np.shares_memory(model.w, w_caller)


def test_repr_names_the_settings():
    assert repr(LogisticRegression(learning_rate=0.5, n_steps=30, l2=0.01)) == (
        "LogisticRegression(learning_rate=0.5, n_steps=30, l2=0.01)")
