import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from backproplib import display, plotting  # noqa: E402
from backproplib.activations import sigmoid  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.mark.parametrize(
    "error, bound, shown",
    [
        (0.0, 1e-15, "<= 1e-15"),
        (3.2e-17, 1e-15, "<= 1e-15"),
        (1e-7, 1e-7, "<= 1e-07"),
        (2e-7, 1e-7, "> 1e-07"),
        (np.float64(0.5), 1e-7, "> 1e-07"),
    ],
)
def test_at_most_reports_a_bound(error, bound, shown):
    assert display.at_most(error, bound) == shown


def test_at_most_is_the_same_for_every_tiny_error():
    # the point of the helper: round-off that varies by machine prints the same text
    assert len({display.at_most(e, 1e-15) for e in (0.0, 1e-17, 2.2e-16, 9.9e-16)}) == 1


@pytest.mark.parametrize("error", [-1e-9, float("nan"), float("inf")])
def test_at_most_refuses_an_error_that_is_not_a_size(error):
    with pytest.raises(ValueError, match="error must be a non-negative finite number"):
        display.at_most(error, 1e-7)


@pytest.mark.parametrize("bound", [0.0, -1e-7, float("nan")])
def test_at_most_refuses_a_bound_that_is_not_positive(bound):
    with pytest.raises(ValueError, match="bound must be a positive number"):
        display.at_most(1e-9, bound)


@pytest.mark.parametrize("error", ["1e-9", None, True, np.array([1e-9])])
def test_at_most_names_a_wrong_type(error):
    with pytest.raises(TypeError, match="error must be a number"):
        display.at_most(error, 1e-7)


def test_show_code_prints_the_body_without_the_docstring(capsys):
    display.show_code(sigmoid)
    printed = capsys.readouterr().out
    assert printed.startswith("def sigmoid(")
    assert sigmoid.__doc__.strip().splitlines()[0] not in printed
    assert "return" in printed


def function_without_docstring(x):
    return 2 * x


def test_code_without_docstring_keeps_a_function_that_has_none():
    code = display.code_without_docstring(function_without_docstring)
    assert code == "def function_without_docstring(x):\n    return 2 * x"


def test_show_code_refuses_what_is_not_a_function():
    with pytest.raises(TypeError, match="function must be a Python function"):
        display.show_code("sigmoid")


def test_draw_paths_draws_the_weights_thick_and_labelled():
    ax = display.draw_paths([3, 4, 2], [(1, 4, 3), (2, 1, 4)], label_sides=[-1, +1],
                            nodes=[(1, 4)])
    thick = [line for line in ax.lines if line.get_linewidth() == 3
             and line.get_color() == plotting.COLORS["highlight"]]
    assert len(thick) == 2
    labels = {text.get_text() for text in ax.texts}
    assert {"$w_{43}^{[1]}$", "$w_{14}^{[2]}$"} <= labels


@pytest.mark.parametrize(
    "edges, sides, message",
    [
        ([(3, 1, 1)], [1], "is not a weight of a network"),
        ([(1, 5, 1)], [1], "is not a weight of a network"),
        ([(1, 1, 0)], [1], "is not a weight of a network"),
        ([(1, 1, 1)], [1, -1], "one side per edge"),
        ([(1, 1, 1)], [0], "must be \\+1 or -1"),
    ],
)
def test_draw_paths_names_a_wrong_argument(edges, sides, message):
    with pytest.raises(ValueError, match=message):
        display.draw_paths([3, 4, 2], edges, sides)
