import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from backproplib import plotting  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_node_positions_layout():
    positions = plotting.node_positions([3, 4, 2])
    assert [p.shape for p in positions] == [(3, 2), (4, 2), (2, 2)]
    assert positions[1][0, 0] == pytest.approx(plotting.LAYER_SPACING)
    # each column is centred on the same height and node 0 is on top
    assert all(p[:, 1].mean() == pytest.approx(positions[1][:, 1].mean()) for p in positions)
    assert all(np.all(np.diff(p[:, 1]) < 0) for p in positions)


def test_draw_network_draws_every_edge_and_highlights():
    ax = plotting.draw_network([3, 4, 2], highlight_edges=[(2, 2, 4)], highlight_nodes=[(2, 2)])
    assert len(ax.lines) == 3 * 4 + 4 * 2
    lit = [line for line in ax.lines if line.get_color() == plotting.COLORS["highlight"]]
    assert len(lit) == 1
    # the highlighted edge runs from node 4 of layer 1 to node 2 of layer 2
    positions = plotting.node_positions([3, 4, 2])
    np.testing.assert_allclose(lit[0].get_xdata(), [positions[1][3, 0], positions[2][1, 0]])
    np.testing.assert_allclose(lit[0].get_ydata(), [positions[1][3, 1], positions[2][1, 1]])
    assert any(text.get_text() == "$w_{24}^{[2]}$" for text in ax.texts)
    assert len(ax.patches) == 9


def test_draw_network_edge_widths():
    widths = [np.full((2, 1), 0.5), np.array([[4.0, 1.0]])]
    ax = plotting.draw_network([1, 2, 1], edge_widths=widths)
    assert sorted(line.get_linewidth() for line in ax.lines) == [0.5, 0.5, 1.0, 4.0]


def test_draw_computation_graph_directions():
    graph = plotting.ComputationGraph(
        nodes={"x": plotting.GraphNode("$x$", (0, 0)), "z": plotting.GraphNode("$z$", (2, 0), True)},
        edges=[("x", "z")],
        edge_labels={("x", "z"): "$w$"},
    )
    forward = plotting.draw_computation_graph(graph)
    arrows = [p for p in forward.patches if isinstance(p, matplotlib.patches.FancyArrowPatch)]
    assert len(arrows) == 1
    assert any(text.get_text() == "$w$" for text in forward.texts)
    backward = plotting.draw_computation_graph(graph, direction="backward")
    arrow = [p for p in backward.patches if isinstance(p, matplotlib.patches.FancyArrowPatch)][0]
    start, end = arrow._posA_posB
    assert start[0] > end[0]  # points from z back to x


def test_plot_curves():
    ax = plotting.plot_curves({"train": [3, 2, 1], "test": [3, 2.5, 2]}, log_y=True)
    assert len(ax.lines) == 2 and ax.get_yscale() == "log"
    assert ax.get_legend() is not None


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: plotting.node_positions([]), ValueError, "layer_sizes must list at least one layer"),
        (lambda: plotting.node_positions([2, -1]), ValueError, "every entry of layer_sizes must be a positive integer, got -1"),
        (lambda: plotting.draw_computation_graph(plotting.ComputationGraph({}, []), direction="up"),
         ValueError, "direction must be 'forward' or 'backward', got 'up'"),
        (lambda: plotting.draw_computation_graph(plotting.ComputationGraph(
            {"x": plotting.GraphNode("x", (0, 0))}, [("x", "y")])), ValueError,
         "edge \\('x', 'y'\\) names 'y', which is not a node"),
        (lambda: plotting.plot_curves({}), ValueError, "curves must be a non-empty dict"),
        (lambda: plotting.plot_curves({"loss": []}), ValueError, r"curves\['loss'\] must be a non-empty 1-D"),
    ],
)
def test_bad_input_is_named(call, error, message):
    with pytest.raises(error, match=message):
        call()
