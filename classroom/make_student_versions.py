"""Make the student version of chapter notebooks: solutions removed by nbgrader, checks kept.

Usage, from the root of the clone, after ``pip install -e ".[instructor]"``::

    python -m classroom.make_student_versions                      # every chapter with exercises
    python -m classroom.make_student_versions book/01_neurons_and_notation.ipynb --out handout/

For each notebook this copies it into a temporary nbgrader course (``source/<chapter>/``), marks
its answer cells as nbgrader *solution* cells and its check cells as *read-only* cells, and runs
nbgrader's ``generate_assignment`` converter. nbgrader replaces each region between
``### BEGIN SOLUTION`` and ``### END SOLUTION`` with a one-line comment (not nbgrader's default
``raise NotImplementedError()``: the ``name = ...`` placeholder lines stay, so a student notebook
runs top to bottom and each check reports "not yet done"), clears every output, and locks the
answer and check cells against deletion (the check cells also against editing).

The result, ``<out>/<same file name>.ipynb``, is then compared with the instructor notebook cell
by cell (:func:`classroom.convention.verify_student_version`); if any solution line, marker or
output survived, nothing is written and the command exits with status 1.

A student notebook needs only the reader's install (``requirements.txt``): nbgrader is needed to
*make* it, not to run it.
"""

from __future__ import annotations

import argparse
import copy
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Sequence

import nbformat

from .convention import (ConventionError, check_stub, find_exercises, is_answer_cell,
                         verify_student_version)

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "_build" / "student"
STUB = "# Your answer: replace each ... above, run this cell, then run the check below."


class StudentVersionError(RuntimeError):
    """A student version could not be made, or a solution survived in it."""


def chapter_notebooks(book: Path = ROOT / "book") -> list[Path]:
    """Every notebook of the book that has at least one exercise, in file-name order."""
    return [path for path in sorted(book.glob("*.ipynb"))
            if any(is_answer_cell(cell) for cell in nbformat.read(path, as_version=4).cells)]


def mark_for_nbgrader(notebook: nbformat.NotebookNode, name: str) -> nbformat.NotebookNode:
    """A copy of ``notebook`` whose answer cells are nbgrader solution cells, check cells read-only.

    nbgrader refuses to clear a solution region in a cell it does not know as a solution cell;
    this metadata (nbgrader's schema 3) is what its "Create Assignment" toolbar would set.
    """
    marked = copy.deepcopy(notebook)
    for exercise in find_exercises(notebook, name):
        label = exercise.number.replace(".", "-")
        marked.cells[exercise.answer_cell].metadata["nbgrader"] = {
            "grade": False, "grade_id": f"answer-{label}", "locked": False, "schema_version": 3,
            "solution": True, "task": False}
        marked.cells[exercise.check_cell].metadata["nbgrader"] = {
            "grade": False, "grade_id": f"check-{label}", "locked": True, "schema_version": 3,
            "solution": False, "task": False}
    return marked


def _nbgrader():
    try:
        from nbgrader import preprocessors
        from nbgrader.converters import GenerateAssignment
        from nbgrader.coursedir import CourseDirectory
    except ImportError:
        raise StudentVersionError(
            "nbgrader is not installed. Install the instructor extra from the root of the clone:\n"
            "    pip install -e \".[instructor]\"") from None
    return preprocessors, GenerateAssignment, CourseDirectory


def generate(notebooks: Sequence[Path], out: Path, stub: str = STUB) -> list[Path]:
    """Write the student version of each notebook to ``out``; return the written paths.

    Raises
    ------
    StudentVersionError
        If nbgrader is missing or fails, or a student version differs from what it must be
        (a solution line, marker or output survived); nothing is written in that case.
    ConventionError
        If a notebook's exercise cells do not follow the convention.
    """
    check_stub(stub)
    preprocessors, GenerateAssignment, CourseDirectory = _nbgrader()
    from traitlets.config import Config

    with tempfile.TemporaryDirectory(prefix="student_versions_") as course:
        course_root = Path(course)
        instructor = {}
        for path in notebooks:
            notebook = nbformat.read(path, as_version=4)
            if not any(is_answer_cell(cell) for cell in notebook.cells):
                raise StudentVersionError(f"{path.name} has no exercise (no '### BEGIN SOLUTION' cell)")
            instructor[path] = notebook
            source = course_root / "source" / path.stem
            source.mkdir(parents=True)
            nbformat.write(mark_for_nbgrader(notebook, path.name), source / path.name)

        config = Config()
        config.CourseDirectory.root = str(course_root)
        config.GenerateAssignment.no_database = True
        config.ClearSolutions.code_stub = {"python": stub}
        config.ClearSolutions.enforce_metadata = True
        config.IncludeHeaderFooter.header = ""
        config.IncludeHeaderFooter.footer = ""
        for path in notebooks:
            config.CourseDirectory.assignment_id = path.stem
            converter = GenerateAssignment(coursedir=CourseDirectory(config=config), config=config)
            # SaveCells records the cells in nbgrader's gradebook database, which this workflow
            # does not use (grading is classroom.grade); every other step of nbgrader's pipeline runs.
            converter.preprocessors = [step for step in converter.preprocessors
                                       if step is not preprocessors.SaveCells]
            try:
                converter.start()
            except Exception as error:  # nbgrader reports its own errors through this
                raise StudentVersionError(f"nbgrader could not convert {path.name}: {error}") from error

        problems = []
        for path, notebook in instructor.items():
            released = course_root / "release" / path.stem / path.name
            student = nbformat.read(released, as_version=4)
            problems += [f"{path.name}: {problem}"
                         for problem in verify_student_version(notebook, student, stub)]
        if problems:
            raise StudentVersionError("the student versions are not safe to hand out:\n  "
                                      + "\n  ".join(problems))
        out.mkdir(parents=True, exist_ok=True)
        written = []
        for path in notebooks:
            target = out / path.name
            shutil.copyfile(course_root / "release" / path.stem / path.name, target)
            written.append(target)
    return written


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m classroom.make_student_versions",
        description="Write the student version of chapter notebooks (solutions removed, checks kept).")
    parser.add_argument("notebooks", nargs="*", type=Path,
                        help="chapter notebooks (default: every notebook under book/ with exercises)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help="folder for the student notebooks (default: _build/student)")
    return parser


def main(arguments: Sequence[str] | None = None) -> int:
    options = build_parser().parse_args(arguments)
    notebooks = [path.resolve() for path in options.notebooks] or chapter_notebooks()
    missing = [str(path) for path in notebooks if not path.is_file()]
    if missing:
        print(f"error: no such notebook: {', '.join(missing)}", file=sys.stderr)
        return 2
    try:
        written = generate(notebooks, options.out)
    except (StudentVersionError, ConventionError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    for path, target in zip(notebooks, written):
        count = len(find_exercises(nbformat.read(path, as_version=4), path.name))
        print(f"{target}: {count} exercise(s), solutions removed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
