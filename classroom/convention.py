"""The book's exercise convention, read from a notebook (CONTRIBUTING.md, "Exercises").

An exercise is two consecutive code cells. The *answer cell* (tagged ``hide-input`` in the book)
starts with one ``name = ...`` placeholder line per answer, followed by the solution between two
marker lines; the *check cell* right after it calls one check function of
``backproplib.exercises``::

    z_4 = ...                                   # answer cell
    ### BEGIN SOLUTION
    z_4 = 0.6 * 0.5 + (-0.1) * (-1.0) + 0.2 * 2.0 + 0.2
    ### END SOLUTION

    from backproplib.exercises import chapter01  # check cell
    chapter01.check_1_1(z_4)

:func:`find_exercises` returns one :class:`Exercise` per answer cell, with the check call taken
apart (module, function, argument text), so that the grader can call the *trusted* check of the
instructor's notebook on the names a student's notebook defines. :func:`verify_student_version`
compares a student version with its instructor notebook and lists every way a solution could
have survived.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

BEGIN_SOLUTION = "### BEGIN SOLUTION"
END_SOLUTION = "### END SOLUTION"

_PLACEHOLDER = re.compile(r"^(\w+(?:\s*,\s*\w+)*)\s*=\s*\.\.\.\s*$")
_CHECK_FUNCTION = re.compile(r"^check_([0-9A-Za-z]+)_(\d+)$")


class ConventionError(ValueError):
    """A notebook's exercise cells do not follow the convention (message says which cell)."""


@dataclass(frozen=True)
class Exercise:
    """One exercise of a notebook.

    Attributes
    ----------
    number : str
        ``"1.1"`` for ``check_1_1``.
    answer_cell, check_cell : int
        Indices (0-based) of the answer cell and of the check cell in the notebook.
    placeholders : tuple of str
        The names the answer cell sets to ``...`` before the solution.
    solution : tuple of str
        The lines between the markers (the part a student version must not contain).
    module, function : str
        Where the check function lives: ``backproplib.exercises.chapter01``, ``check_1_1``.
    arguments : str
        The check call's arguments as source text, e.g. ``"weight_shapes, z2_shape"``.
    """

    number: str
    answer_cell: int
    check_cell: int
    placeholders: tuple[str, ...]
    solution: tuple[str, ...]
    module: str
    function: str
    arguments: str

    @property
    def call(self) -> str:
        """The check call as it reads in a notebook, e.g. ``check_1_1(z_4)``."""
        return f"{self.function}({self.arguments})"


def cell_source(cell: Mapping[str, Any]) -> str:
    """A cell's source as one string (notebook files may store it as a list of lines)."""
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def is_answer_cell(cell: Mapping[str, Any]) -> bool:
    """``True`` for a code cell holding a solution region."""
    return cell.get("cell_type") == "code" and BEGIN_SOLUTION in cell_source(cell)


def split_answer_cell(source: str, where: str = "answer cell") -> tuple[list[str], list[str], list[str]]:
    """Split an answer cell into (lines before the solution, solution lines, lines after it).

    The marker lines themselves belong to none of the three. Raises :class:`ConventionError`
    unless there is exactly one ``### BEGIN SOLUTION`` followed by one ``### END SOLUTION``.
    """
    lines = source.split("\n")
    begins = [i for i, line in enumerate(lines) if line.strip() == BEGIN_SOLUTION]
    ends = [i for i, line in enumerate(lines) if line.strip() == END_SOLUTION]
    if len(begins) != 1 or len(ends) != 1 or ends[0] < begins[0]:
        raise ConventionError(
            f"{where}: expected one line '{BEGIN_SOLUTION}' followed by one line '{END_SOLUTION}', "
            f"found {len(begins)} and {len(ends)}")
    return lines[:begins[0]], lines[begins[0] + 1:ends[0]], lines[ends[0] + 1:]


def _imported_modules(notebook: Mapping[str, Any], before: int) -> dict[str, str]:
    """Names bound by ``import`` statements in the code cells before index ``before``.

    ``from backproplib.exercises import chapter01`` binds ``chapter01`` to
    ``backproplib.exercises.chapter01``; ``from backproplib.exercises.chapter01 import check_1_1``
    binds ``check_1_1`` to ``backproplib.exercises.chapter01`` (the module that holds it).
    """
    bound: dict[str, str] = {}
    for cell in notebook["cells"][:before]:
        if cell.get("cell_type") != "code":
            continue
        try:
            tree = ast.parse(cell_source(cell))
        except SyntaxError:
            continue  # magics and the like: a check cell never needs them
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname:
                        bound[alias.asname] = alias.name
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                for alias in node.names:
                    name = alias.asname or alias.name
                    if _CHECK_FUNCTION.match(alias.name):
                        bound[name] = node.module
                    else:
                        bound[name] = f"{node.module}.{alias.name}"
    return bound


def _check_call(source: str, where: str) -> ast.Call:
    """The one call of a ``check_N_M`` function in a check cell's source."""
    try:
        tree = ast.parse(source)
    except SyntaxError as error:
        raise ConventionError(f"{where}: the check cell is not valid Python ({error.msg})") from None
    calls = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if _CHECK_FUNCTION.match(name):
                calls.append(node)
    if len(calls) != 1:
        raise ConventionError(f"{where}: expected one call of a check_N_M function in the cell after "
                              f"the answer cell, found {len(calls)}")
    return calls[0]


def _arguments_text(call: ast.Call) -> str:
    parts = [ast.unparse(argument) for argument in call.args]
    for keyword in call.keywords:
        value = ast.unparse(keyword.value)
        parts.append(f"{keyword.arg}={value}" if keyword.arg else f"**{value}")
    return ", ".join(parts)


def find_exercises(notebook: Mapping[str, Any], name: str = "notebook") -> list[Exercise]:
    """Every exercise of a notebook, in order.

    Parameters
    ----------
    notebook : mapping
        A notebook as read by ``nbformat.read`` or ``json.load``.
    name : str
        Used in error messages (the file name).

    Raises
    ------
    ConventionError
        If an answer cell lacks its placeholders or markers, is not followed by a check cell, or
        two answer cells are checked by the same function.
    """
    cells = notebook["cells"]
    exercises: list[Exercise] = []
    for index, cell in enumerate(cells):
        if not is_answer_cell(cell):
            continue
        where = f"{name}, cell {index + 1}"
        before, solution, _ = split_answer_cell(cell_source(cell), where)
        placeholders: list[str] = []
        for line in before:
            match = _PLACEHOLDER.match(line)
            if match is None:
                raise ConventionError(f"{where}: every line before '{BEGIN_SOLUTION}' must be a "
                                      f"`name = ...` placeholder, found {line!r}")
            placeholders.extend(part.strip() for part in match.group(1).split(","))
        if not placeholders:
            raise ConventionError(f"{where}: the answer cell must start with `name = ...` lines")
        if index + 1 >= len(cells) or cells[index + 1].get("cell_type") != "code":
            raise ConventionError(f"{where}: the answer cell must be followed by a code cell "
                                  f"that calls its check function")
        call = _check_call(cell_source(cells[index + 1]), f"{name}, cell {index + 2}")
        function_name = call.func.attr if isinstance(call.func, ast.Attribute) else call.func.id
        chapter, part = _CHECK_FUNCTION.match(function_name).groups()
        bound = _imported_modules(notebook, index + 2)
        if isinstance(call.func, ast.Attribute):
            base = ast.unparse(call.func.value)
            module = bound.get(base, base if "." in base else f"backproplib.exercises.{base}")
        else:
            module = bound.get(function_name, "")
            if not module:
                raise ConventionError(f"{name}, cell {index + 2}: {function_name} is not imported "
                                      f"from a module in an earlier cell")
        number = f"{chapter.lstrip('0') or '0'}.{part}".upper()
        if any(exercise.number == number for exercise in exercises):
            raise ConventionError(f"{where}: exercise {number} is checked twice")
        exercises.append(Exercise(number, index, index + 1, tuple(placeholders), tuple(solution),
                                  module, function_name, _arguments_text(call)))
    return exercises


def student_answer_source(instructor_source: str, stub: str) -> str:
    """What an answer cell must read in the student version: the region replaced by ``stub``."""
    before, _, after = split_answer_cell(instructor_source)
    return "\n".join(before + stub.split("\n") + after)


def verify_student_version(instructor: Mapping[str, Any], student: Mapping[str, Any],
                           stub: str) -> list[str]:
    """Every difference between a student version and what it must be; empty when it is right.

    The student version must have the instructor notebook's cells, in order, unchanged except the
    answer cells, whose solution region is replaced by ``stub``; no outputs and no execution
    counts; no marker line anywhere; and no solution line left in an answer cell.
    """
    problems: list[str] = []
    cells, student_cells = instructor["cells"], student["cells"]
    if len(cells) != len(student_cells):
        return [f"the student version has {len(student_cells)} cells, the notebook {len(cells)}"]
    for index, (cell, student_cell) in enumerate(zip(cells, student_cells)):
        where = f"cell {index + 1}"
        if cell.get("cell_type") != student_cell.get("cell_type"):
            problems.append(f"{where}: {student_cell.get('cell_type')} cell instead of "
                            f"{cell.get('cell_type')}")
            continue
        text = cell_source(student_cell)
        if BEGIN_SOLUTION in text or END_SOLUTION in text:
            problems.append(f"{where}: a solution marker survived")
        if is_answer_cell(cell):
            expected = student_answer_source(cell_source(cell), stub)
            if text != expected:
                problems.append(f"{where}: the answer cell reads {text!r}, expected {expected!r}")
            _, solution, _ = split_answer_cell(cell_source(cell))
            left = [line for line in solution if line.strip() and line.strip() in
                    {kept.strip() for kept in text.split("\n")}]
            if left:
                problems.append(f"{where}: solution line(s) left in the answer cell: {left}")
        elif text != cell_source(cell):
            problems.append(f"{where}: the cell's source changed")
        if student_cell.get("cell_type") == "code":
            if student_cell.get("outputs"):
                problems.append(f"{where}: outputs were kept (they may show solution values)")
            if student_cell.get("execution_count") is not None:
                problems.append(f"{where}: an execution count was kept")
    return problems


def check_stub(stub: str) -> None:
    """Raise ``ValueError`` if ``stub`` would stop a student notebook running top to bottom."""
    try:
        ast.parse(stub)
    except SyntaxError as error:
        raise ValueError(f"stub must be valid Python (a comment), got {stub!r}: {error.msg}") from None
    if "raise" in stub.split() or "NotImplementedError" in stub:
        raise ValueError(f"stub must not raise: the placeholder lines already make the checks report "
                         f"'not yet done', got {stub!r}")


def exercise_numbers(exercises: Sequence[Exercise]) -> list[str]:
    """The exercises' numbers in order, e.g. ``["1.1", "1.2", "1.3"]``."""
    return [exercise.number for exercise in exercises]
