"""Pictures for the book: networks, computation graphs and training curves (needs matplotlib).

Each function draws on a matplotlib ``Axes`` (a new figure if none is given) and returns it, so
a chapter can add titles or annotations. The pictures use the book's notation: node ``j`` of layer
``l`` is :math:`a_j^{[l]}` and the edge from node ``k`` of layer ``l-1`` to node ``j`` of layer
``l`` carries :math:`w_{jk}^{[l]}`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from ._checks import as_float_array, as_sizes, check_shape

#: Colours used throughout the book (colour-blind safe, from the Okabe-Ito palette).
COLORS = {
    "node": "#f2f2f2",
    "edge": "#b0b0b0",
    "highlight": "#d55e00",
    "forward": "#0072b2",
    "backward": "#d55e00",
    "text": "#222222",
}


#: Horizontal distance between two layers in :func:`draw_network`.
LAYER_SPACING = 1.6


def _new_axes(ax: Axes | None, size: tuple[float, float]) -> Axes:
    if ax is not None and not isinstance(ax, Axes):
        raise TypeError(f"ax must be a matplotlib Axes or None, got {type(ax).__name__}")
    if ax is None:
        _, ax = plt.subplots(figsize=size)
    return ax


def node_positions(layer_sizes: Sequence[int]) -> list[np.ndarray]:
    """Centre of each node: ``positions[l][j]`` is ``(x, y)`` of node ``j`` of layer ``l``.

    Layer ``l`` stands in the column ``x = LAYER_SPACING * l``; nodes are centred vertically, node 0 on top.
    """
    sizes = as_sizes(layer_sizes, "layer_sizes", 1, "at least one layer")
    return [
        np.column_stack(
            [np.full(size, LAYER_SPACING * layer), (size - 1) / 2 - np.arange(size) + 0.0]
        )
        for layer, size in enumerate(sizes)
    ]


def draw_network(
    layer_sizes: Sequence[int],
    ax: Axes | None = None,
    highlight_edges: Sequence[tuple[int, int, int]] = (),
    highlight_nodes: Sequence[tuple[int, int]] = (),
    node_labels: bool = True,
    edge_color: str | None = None,
    edge_widths: Sequence[np.ndarray] | None = None,
) -> Axes:
    """Draw a fully connected network as circles and lines.

    Parameters
    ----------
    layer_sizes : sequence of int
        ``(n_0, ..., n_L)``.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure if omitted.
    highlight_edges : sequence of (l, j, k)
        Edges :math:`w_{jk}^{[l]}` drawn thick in the highlight colour and labelled; numbered as in
        the book (``l``, ``j`` and ``k`` count from 1).
    highlight_nodes : sequence of (l, j)
        Nodes :math:`a_j^{[l]}` drawn in the highlight colour (``l`` from 0 for the inputs, ``j``
        from 1).
    node_labels : bool
        Write :math:`a_j^{[l]}` (and :math:`x_k` for the inputs) inside the nodes.
    edge_color : str, optional
        Colour of the ordinary edges.
    edge_widths : list of numpy.ndarray, optional
        ``edge_widths[l - 1][j - 1, k - 1]`` is the line width of edge :math:`w_{jk}^{[l]}`, shaped
        like :math:`W^{[l]}` (for example
        proportional to a gradient's size).
    """
    positions = node_positions(layer_sizes)
    sizes = [len(layer) for layer in positions]
    _check_numbered(highlight_edges, "highlight_edges", "(l, j, k)",
                    lambda l, j, k: 1 <= l < len(sizes) and 1 <= j <= sizes[l]
                    and 1 <= k <= sizes[l - 1])
    _check_numbered(highlight_nodes, "highlight_nodes", "(l, j)",
                    lambda l, j: 0 <= l < len(sizes) and 1 <= j <= sizes[l])
    if edge_widths is not None:
        if not isinstance(edge_widths, (list, tuple)) or len(edge_widths) != len(sizes) - 1:
            raise ValueError(
                f"edge_widths must be a list of {len(sizes) - 1} arrays, one per layer with weights"
            )
        for index, widths in enumerate(edge_widths):
            widths = as_float_array(widths, f"edge_widths[{index}]")
            check_shape(widths, (sizes[index + 1], sizes[index]), f"edge_widths[{index}]",
                        "It is shaped like W^[l]: (n_l, n_(l-1))")
    ax = _new_axes(ax, (2.2 * len(sizes) + 0.5, 0.9 * max(sizes) + 1))
    highlighted = {tuple(edge) for edge in highlight_edges}
    lit_nodes = {tuple(node) for node in highlight_nodes}
    for layer in range(1, len(sizes)):
        for j, end in enumerate(positions[layer]):
            for k, start in enumerate(positions[layer - 1]):
                lit = (layer, j + 1, k + 1) in highlighted
                width = 3.0 if lit else 1.0
                if edge_widths is not None:
                    width = float(edge_widths[layer - 1][j, k])
                ax.plot(
                    [start[0], end[0]],
                    [start[1], end[1]],
                    color=COLORS["highlight"] if lit else (edge_color or COLORS["edge"]),
                    linewidth=width,
                    zorder=2 if lit else 1,
                )
                if lit:
                    direction = (end - start) / np.linalg.norm(end - start)
                    beside = start + 0.45 * (end - start) + 0.3 * np.array(
                        [direction[1], -direction[0]]
                    )
                    ax.text(
                        beside[0],
                        beside[1],
                        f"$w_{{{j + 1}{k + 1}}}^{{[{layer}]}}$",
                        color=COLORS["highlight"],
                        ha="center",
                        va="center",
                        fontsize=12,
                        zorder=5,
                        bbox={"facecolor": "white", "edgecolor": "none", "pad": 1},
                    )
    for layer, layer_positions in enumerate(positions):
        for j, (x, y) in enumerate(layer_positions):
            lit = (layer, j + 1) in lit_nodes
            ax.add_patch(
                plt.Circle(
                    (x, y),
                    0.28,
                    facecolor=COLORS["highlight"] if lit else COLORS["node"],
                    edgecolor=COLORS["text"],
                    zorder=3,
                )
            )
            if node_labels:
                label = f"$x_{{{j + 1}}}$" if layer == 0 else f"$a_{{{j + 1}}}^{{[{layer}]}}$"
                ax.text(
                    x, y, label, ha="center", va="center", fontsize=10, zorder=4,
                    color="white" if lit else COLORS["text"],
                )
    for layer in range(len(sizes)):
        caption = "input\n$a^{[0]} = x$" if layer == 0 else f"layer {layer}"
        ax.text(LAYER_SPACING * layer, (max(sizes) - 1) / 2 + 0.7, caption,
                ha="center", va="bottom", fontsize=10, color=COLORS["text"])
    ax.set_xlim(-0.6, LAYER_SPACING * (len(sizes) - 1) + 0.6)
    ax.set_ylim(-(max(sizes) - 1) / 2 - 0.6, (max(sizes) - 1) / 2 + 1.3)
    ax.set_aspect("equal")
    ax.axis("off")
    return ax


def _check_numbered(items: object, name: str, form: str, exists: object) -> None:
    """Each item of ``items`` must be a tuple of whole numbers ``form`` that ``exists``."""
    if isinstance(items, (str, bytes)) or not isinstance(items, (list, tuple, set)):
        raise TypeError(f"{name} must be a list of {form} tuples, got {type(items).__name__}")
    for item in items:
        if (not isinstance(item, (list, tuple)) or len(item) != form.count(",") + 1
                or not all(isinstance(i, (int, np.integer)) and not isinstance(i, bool)
                           for i in item)
                or not exists(*item)):
            raise ValueError(
                f"{name} must list {form} tuples of the network's numbering (counting from 1), "
                f"got {item!r}"
            )


@dataclass
class GraphNode:
    """A node of a computation graph: a value (or an operation) drawn as a labelled box.

    Attributes
    ----------
    label : str
        Text in the box (matplotlib mathtext such as ``"$z$"`` is fine).
    position : tuple of float
        Centre ``(x, y)`` in data coordinates.
    highlight : bool
        Draw the box in the highlight colour.
    """

    label: str
    position: tuple[float, float]
    highlight: bool = False


@dataclass
class ComputationGraph:
    """Nodes and directed edges; ``edges`` are ``(from, to)`` pairs of node names.

    ``edge_labels`` maps an edge to a label written next to it, for example the local derivative.
    """

    nodes: dict[str, GraphNode]
    edges: list[tuple[str, str]]
    edge_labels: dict[tuple[str, str], str] = field(default_factory=dict)


def draw_computation_graph(
    graph: ComputationGraph,
    ax: Axes | None = None,
    direction: str = "forward",
    box_size: tuple[float, float] = (0.9, 0.5),
) -> Axes:
    """Draw a computation graph: boxes for values, arrows for "is an input of".

    Parameters
    ----------
    graph : ComputationGraph
        What to draw.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure if omitted.
    direction : {"forward", "backward"}
        ``"forward"`` draws arrows from inputs to outputs (blue); ``"backward"`` reverses them
        (orange), as derivatives flow in backpropagation.
    box_size : tuple of float
        Width and height of each box.
    """
    if not isinstance(graph, ComputationGraph):
        raise TypeError(f"graph must be a ComputationGraph, got {type(graph).__name__}")
    if direction not in ("forward", "backward"):
        raise ValueError(f"direction must be 'forward' or 'backward', got {direction!r}")
    if not graph.nodes:
        raise ValueError("graph must have at least one node, got none")
    for start, end in graph.edges:
        for name in (start, end):
            if name not in graph.nodes:
                raise ValueError(f"edge ({start!r}, {end!r}) names {name!r}, which is not a node")
    xs = [node.position[0] for node in graph.nodes.values()]
    ys = [node.position[1] for node in graph.nodes.values()]
    ax = _new_axes(ax, (1.3 * (max(xs) - min(xs) + 2), 1.3 * (max(ys) - min(ys) + 1.5)))
    width, height = box_size
    for name, node in graph.nodes.items():
        x, y = node.position
        ax.add_patch(
            FancyBboxPatch(
                (x - width / 2, y - height / 2), width, height,
                boxstyle="round,pad=0.05",
                facecolor=COLORS["highlight"] if node.highlight else COLORS["node"],
                edgecolor=COLORS["text"], zorder=3,
            )
        )
        ax.text(x, y, node.label, ha="center", va="center", fontsize=12, zorder=4,
                color="white" if node.highlight else COLORS["text"])
    color = COLORS["forward"] if direction == "forward" else COLORS["backward"]
    for start, end in graph.edges:
        tail = np.array(graph.nodes[start].position)
        head = np.array(graph.nodes[end].position)
        if direction == "backward":
            tail, head = head, tail
        offset = (head - tail) / max(np.linalg.norm(head - tail), 1e-9)
        shrink = np.array([width / 2 + 0.08, height / 2 + 0.08])
        scale = min(shrink[0] / max(abs(offset[0]), 1e-9), shrink[1] / max(abs(offset[1]), 1e-9))
        ax.add_patch(
            FancyArrowPatch(
                tuple(tail + offset * scale), tuple(head - offset * scale),
                arrowstyle="-|>", mutation_scale=14, color=color, linewidth=1.5, zorder=2,
            )
        )
        label = graph.edge_labels.get((start, end))
        if label:
            middle = (tail + head) / 2
            ax.text(middle[0], middle[1] + 0.12, label, ha="center", va="bottom", fontsize=10,
                    color=color, zorder=5,
                    bbox={"facecolor": "white", "edgecolor": "none", "pad": 1})
    ax.set_xlim(min(xs) - width, max(xs) + width)
    ax.set_ylim(min(ys) - height - 0.3, max(ys) + height + 0.3)
    ax.set_aspect("equal")
    ax.axis("off")
    return ax


def plot_curves(
    curves: dict[str, Sequence[float]],
    ax: Axes | None = None,
    xlabel: str = "step",
    ylabel: str = "cost $J$",
    log_y: bool = False,
) -> Axes:
    """Plot one or more curves (loss or accuracy per step) against the step number.

    Parameters
    ----------
    curves : dict of str to sequence of float
        Legend label to values.
    """
    if not isinstance(curves, dict) or not curves:
        raise ValueError("curves must be a non-empty dict mapping a label to a list of values")
    series = {}
    for label, values in curves.items():
        values = as_float_array(values, f"curves[{label!r}]")
        if values.ndim != 1 or values.size == 0:
            raise ValueError(f"curves[{label!r}] must be a non-empty 1-D sequence of numbers")
        if log_y and values.min() <= 0:
            raise ValueError(f"curves[{label!r}] must be positive for log_y=True")
        series[label] = values
    ax = _new_axes(ax, (6, 3.5))
    for label, values in series.items():
        ax.plot(np.arange(values.size), values, label=label)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if log_y:
        ax.set_yscale("log")
    ax.grid(alpha=0.3)
    if len(curves) > 1:
        ax.legend()
    return ax
