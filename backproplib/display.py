"""What the book displays: small helpers shared by the chapters.

Chapters print numbers that tests compare digit for digit (nbval), so a number whose last
digits depend on the machine is shown as a bound (:func:`at_most`). Chapter 8 prints the
library's own code next to the text (:func:`show_code`), and chapter 4 draws the paths
through the running example that one weight's derivative follows (:func:`draw_paths`).

Only :func:`draw_paths` needs matplotlib; it imports it when called.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
from typing import Any, Callable, Sequence

import numpy as np

from ._checks import check_positive_number

__all__ = ["at_most", "show_code", "draw_paths"]


def at_most(error: float, bound: float) -> str:
    """Report a tiny error as a bound, ``"<= 1e-07"`` or ``"> 1e-07"``.

    A relative error of about 1e-16 between two ways of computing the same number depends on
    the order of the floating-point operations, so its digits differ from one machine (or one
    number of BLAS threads) to the next. Printed as a bound it is the same everywhere.

    Parameters
    ----------
    error : float
        The error to report, a non-negative finite number (0 is fine).
    bound : float
        The bound it is compared with, a positive number; printed with one significant digit.

    Returns
    -------
    str
        ``"<= bound"`` if ``error <= bound``, else ``"> bound"``.

    Examples
    --------
    >>> from backproplib.display import at_most
    >>> at_most(3.2e-17, 1e-15)
    '<= 1e-15'
    >>> at_most(0.01, 1e-7)
    '> 1e-07'
    """
    if isinstance(error, bool) or not isinstance(error, (int, float, np.integer, np.floating)):
        raise TypeError(f"error must be a number, got {type(error).__name__} {error!r}")
    if not np.isfinite(error) or error < 0:
        raise ValueError(f"error must be a non-negative finite number, got {error!r}")
    check_positive_number(bound, "bound")
    return f"{'<=' if error <= bound else '>'} {bound:.0e}"


def code_without_docstring(function: Callable[..., Any]) -> str:
    """The source of ``function`` with its docstring removed, dedented.

    Parameters
    ----------
    function : callable
        A Python function (or method) whose source file is available.

    Returns
    -------
    str
        The source lines of the definition, without the docstring lines.
    """
    if not (inspect.isfunction(function) or inspect.ismethod(function)):
        raise TypeError(
            f"function must be a Python function, got {type(function).__name__} {function!r}"
        )
    source = textwrap.dedent(inspect.getsource(function))
    body = ast.parse(source).body[0].body  # type: ignore[attr-defined]
    lines = source.splitlines()
    first = body[0]
    if (
        isinstance(first, ast.Expr)
        and isinstance(first.value, ast.Constant)
        and isinstance(first.value.value, str)
    ):
        del lines[first.lineno - 1 : first.end_lineno]
    return "\n".join(lines)


def show_code(function: Callable[..., Any]) -> None:
    """Print the source of a function of the library without its docstring.

    The chapter's text explains what the function does; the printed code shows how, line by
    line, as it is in the installed package (so the book cannot drift from the code).

    Parameters
    ----------
    function : callable
        A Python function (or method) whose source file is available.
    """
    print(code_without_docstring(function))


def draw_paths(
    layer_sizes: Sequence[int],
    edges: Sequence[tuple[int, int, int]],
    label_sides: Sequence[int],
    nodes: Sequence[tuple[int, int]] = (),
    ax: Any = None,
) -> Any:
    """Draw a network with some weights thick and labelled: the paths a derivative follows.

    Parameters
    ----------
    layer_sizes : sequence of int
        ``[n_0, n_1, ..., n_L]``, as :attr:`backproplib.network.MLP.layer_sizes`.
    edges : sequence of (l, j, k)
        The weights :math:`w_{jk}^{[l]}` to draw thick, counted from 1 as in the book's
        notation (node ``k`` of layer ``l-1`` to node ``j`` of layer ``l``).
    label_sides : sequence of int
        For each edge, +1 to write its label above the line, -1 below, so that labels of
        lines leaving the same node do not overlap.
    nodes : sequence of (l, j), optional
        Nodes :math:`a_j^{[l]}` to highlight, as in :func:`backproplib.plotting.draw_network`
        (``l`` from 0 for the inputs, ``j`` from 1).
    ax : matplotlib Axes, optional
        Where to draw (a new figure if omitted).

    Returns
    -------
    matplotlib Axes
        The axes, so the chapter can add a title.
    """
    from . import plotting  # matplotlib is needed only here

    sizes = list(layer_sizes)
    edges = list(edges)
    label_sides = list(label_sides)
    if len(label_sides) != len(edges):
        raise ValueError(
            f"label_sides must give one side per edge: {len(edges)} edges, "
            f"got {len(label_sides)} sides"
        )
    for l, j, k in edges:
        if not (1 <= l < len(sizes) and 1 <= j <= sizes[l] and 1 <= k <= sizes[l - 1]):
            raise ValueError(
                f"edges: (l, j, k) = {(l, j, k)} is not a weight of a network with layer "
                f"sizes {sizes} (l from 1 to {len(sizes) - 1}, j and k counted from 1)"
            )
    for side in label_sides:
        if side not in (1, -1):
            raise ValueError(f"each entry of label_sides must be +1 or -1, got {side!r}")

    ax = plotting.draw_network(sizes, highlight_nodes=list(nodes), ax=ax)
    positions = plotting.node_positions(sizes)
    color = plotting.COLORS["highlight"]
    for (l, j, k), side in zip(edges, label_sides):
        start, end = positions[l - 1][k - 1], positions[l][j - 1]
        ax.plot(*zip(start, end), color=color, linewidth=3, zorder=2)
        along = (end - start) / np.linalg.norm(end - start)
        place = start + 0.55 * (end - start) + side * 0.3 * np.array([-along[1], along[0]])
        ax.text(
            *place,
            f"$w_{{{j}{k}}}^{{[{l}]}}$",
            color=color,
            fontsize=12,
            ha="center",
            va="center",
            zorder=5,
            bbox={"facecolor": "white", "edgecolor": "none", "pad": 1},
        )
    return ax
