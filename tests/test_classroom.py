"""The classroom workflow: student versions (nbgrader), the checks, grading a folder of submissions.

Every notebook of the book with exercises is covered automatically. Expected statuses are worked
out from how each submission below is built, not read from the grader.
"""

from __future__ import annotations

import copy
import csv
import importlib
import json
import re
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace

import nbformat
import numpy as np
import pytest

from classroom import convention, grade, gradescope, make_student_versions, sandbox
from classroom.convention import ConventionError

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"
CHAPTER_1 = BOOK / "01_neurons_and_notation.ipynb"
CHAPTERS = make_student_versions.chapter_notebooks(BOOK)
STUB = make_student_versions.STUB

# time limits of the grading runs in this file (seconds); the whole-notebook limit is generous, so that
# a heavily loaded 2-core machine still runs every honest notebook within it (only eve reaches it)
# The first cell of every submission imports numpy and matplotlib in a fresh sandbox: 1 s on an idle
# machine, more than 6 s on a busy 2-core CI machine grading three at once (the row then rightly
# says it was interrupted, and the exercise rows differ from what this test expects).
TIMEOUT, CELL_TIMEOUT, CHECK_TIMEOUT = 60.0, 15.0, 3.0


def read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def source(cell) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def solution_regions(text: str) -> list[str]:
    """The solution lines of a cell, found with a regular expression (independent of classroom)."""
    return [line for block in re.findall(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", text, re.S)
            for line in block.splitlines()]


def without_solutions(text: str) -> str:
    return re.sub(r"### BEGIN SOLUTION\n.*?### END SOLUTION", "", text, flags=re.S)


def imports_of(notebook) -> set[str]:
    return {line.strip() for cell in notebook.cells if cell.cell_type == "code"
            for line in source(cell).splitlines() if re.match(r"\s*(import|from) \w", line)}


# --- the convention, read from the notebooks -------------------------------------------------


def test_chapter_one_exercises_are_read_from_its_cells():
    exercises = convention.find_exercises(read(CHAPTER_1), CHAPTER_1.name)
    assert [(e.number, e.placeholders, e.module, e.function, e.arguments) for e in exercises] == [
        ("1.1", ("z_4",), "backproplib.exercises.chapter01", "check_1_1", "z_4"),
        ("1.2", ("weight_shapes", "z2_shape"), "backproplib.exercises.chapter01", "check_1_2",
         "weight_shapes, z2_shape"),
        ("1.3", ("slope_at_z", "slope_at_a"), "backproplib.exercises.chapter01", "check_1_3",
         "slope_at_z, slope_at_a"),
    ]
    assert exercises[0].solution == ("z_4 = 0.6 * 0.5 + (-0.1) * (-1.0) + 0.2 * 2.0 + 0.2",)
    cells = read(CHAPTER_1).cells
    assert all("check_" in source(cells[e.check_cell]) for e in exercises)


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_every_chapter_follows_the_exercise_convention(path):
    exercises = convention.find_exercises(read(path), path.name)
    assert len(exercises) >= 2
    prefix = path.name.split("_")[0].lstrip("0")
    for exercise in exercises:
        assert exercise.number.split(".")[0] == prefix, f"{exercise.call} in {path.name}"
        assert callable(getattr(importlib.import_module(exercise.module), exercise.function))
        used = set(re.findall(r"\w+", exercise.arguments))
        assert set(exercise.placeholders) <= used, (
            f"{path.name}, exercise {exercise.number}: an answer is set but not checked")


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_every_solution_passes_its_check_in_the_stored_outputs(path):
    # nbval re-runs every notebook and compares these outputs, so they hold for a fresh run too
    notebook = read(path)
    for exercise in convention.find_exercises(notebook, path.name):
        outputs = notebook.cells[exercise.check_cell].get("outputs", [])
        text = "".join(o.get("text", "") + "".join(o.get("data", {}).get("text/plain", "")) for o in outputs)
        assert f"Exercise {exercise.number}: CORRECT." in text, f"{path.name}: {text[:300]}"


def _notebook(*sources: str) -> nbformat.NotebookNode:
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    for text in sources:
        if text.startswith("#md "):
            notebook.cells.append(nbformat.v4.new_markdown_cell(text[4:]))
        else:
            notebook.cells.append(nbformat.v4.new_code_cell(text))
    return notebook


ANSWER_1_1 = "z_3 = ...\n### BEGIN SOLUTION\nz_3 = 0.55\n### END SOLUTION"


@pytest.mark.parametrize("cells, message", [
    (["z_3 = 1\n### BEGIN SOLUTION\nz_3 = 0.55\n### END SOLUTION", "check_1_1(z_3)"],
     "must be a `name = ...` placeholder"),
    (["### BEGIN SOLUTION\nz_3 = 0.55\n### END SOLUTION", "check_1_1(z_3)"], "must start with `name = ...`"),
    (["z_3 = ...\n### BEGIN SOLUTION\nz_3 = 0.55", "check_1_1(z_3)"], "followed by one line '### END SOLUTION'"),
    ([ANSWER_1_1], "must be followed by a code cell"),
    ([ANSWER_1_1, "#md The check."], "must be followed by a code cell"),
    ([ANSWER_1_1, "print(z_3)"], "found 0"),
    ([ANSWER_1_1, "from backproplib.exercises import chapter01\nchapter01.check_1_1(z_3)\nchapter01.check_1_2(z_3, z_3)"],
     "found 2"),
    ([ANSWER_1_1, "check_1_1(z_3)"], "check_1_1 is not imported"),
    ([ANSWER_1_1, "from backproplib.exercises import chapter01\nchapter01.check_1_1(z_3)", ANSWER_1_1,
      "chapter01.check_1_1(z_3)"], "exercise 1.1 is checked twice"),
])
def test_a_broken_exercise_is_reported_with_its_cell(cells, message):
    with pytest.raises(ConventionError, match=re.escape(message)) as error:
        convention.find_exercises(_notebook(*cells), "broken.ipynb")
    assert "broken.ipynb, cell " in str(error.value)


def test_check_functions_are_found_whatever_the_import_form():
    notebook = _notebook(
        "import backproplib.exercises.chapter01 as first",
        ANSWER_1_1, "first.check_1_1(z_3)",
        "slope_at_z = ...\nslope_at_a = ...\n### BEGIN SOLUTION\nslope_at_z = 1\n### END SOLUTION",
        "from backproplib.exercises.chapter01 import check_1_3\nprint(check_1_3(slope_at_z, slope_at_a=slope_at_a))",
    )
    exercises = convention.find_exercises(notebook)
    assert [(e.module, e.function, e.arguments) for e in exercises] == [
        ("backproplib.exercises.chapter01", "check_1_1", "z_3"),
        ("backproplib.exercises.chapter01", "check_1_3", "slope_at_z, slope_at_a=slope_at_a"),
    ]


def _strip_by_hand(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A correct student version made without nbgrader, to test the verification itself."""
    student = copy.deepcopy(notebook)
    for cell in student.cells:
        if cell.cell_type == "code":
            cell.source = re.sub(r"### BEGIN SOLUTION\n.*?### END SOLUTION", STUB, source(cell), flags=re.S)
            cell.outputs, cell.execution_count = [], None
    return student


def test_the_verification_accepts_a_correct_student_version():
    instructor = read(CHAPTER_1)
    assert convention.verify_student_version(instructor, _strip_by_hand(instructor), STUB) == []


@pytest.mark.parametrize("spoil, problem", [
    (lambda cells, first: setattr(cells[first], "source", source(cells[first]) + "\nz_4 = 0.6 * 0.5 + (-0.1) * (-1.0) + 0.2 * 2.0 + 0.2"),
     "solution line(s) left in the answer cell"),
    (lambda cells, first: cells[first + 1].outputs.append(nbformat.v4.new_output("stream", text="CORRECT")),
     "outputs were kept"),
    (lambda cells, first: setattr(cells[first + 1], "execution_count", 3), "an execution count was kept"),
    (lambda cells, first: setattr(cells[first - 1], "source", "### BEGIN SOLUTION"), "a solution marker survived"),
    (lambda cells, first: setattr(cells[first + 1], "source", "print('CORRECT')"), "the cell's source changed"),
    (lambda cells, first: cells.pop(first), "the student version has"),
])
def test_the_verification_catches_every_leak(spoil, problem):
    instructor = read(CHAPTER_1)
    student = _strip_by_hand(instructor)
    first = convention.find_exercises(instructor)[0].answer_cell
    spoil(student.cells, first)
    problems = convention.verify_student_version(instructor, student, STUB)
    assert any(problem in line for line in problems), problems


@pytest.mark.parametrize("stub", ["# YOUR CODE HERE\nraise NotImplementedError()", "raise ValueError",
                                  "answer = (1 +"])
def test_a_stub_that_would_stop_the_notebook_is_refused(stub):
    with pytest.raises(ValueError, match="stub must"):
        convention.check_stub(stub)


# --- student versions, made by nbgrader --------------------------------------------------------


def test_nbgrader_is_installed_for_the_student_versions():
    import nbgrader  # the instructor extra; CI installs it, these tests never skip without it

    assert nbgrader.__version__.startswith("0.9.")


@pytest.fixture(scope="module")
def student_versions(tmp_path_factory):
    """Student versions of every chapter (``.student``) made from a snapshot of them (``.instructor``)."""
    snapshot = tmp_path_factory.mktemp("instructor")
    for path in CHAPTERS:
        shutil.copyfile(path, snapshot / path.name)
    out = tmp_path_factory.mktemp("student")
    written = make_student_versions.generate([snapshot / path.name for path in CHAPTERS], out)
    assert [path.name for path in written] == [path.name for path in CHAPTERS]
    return SimpleNamespace(student=out, instructor=snapshot)


def instructor(student_versions, path: Path) -> nbformat.NotebookNode:
    return read(student_versions.instructor / path.name)


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_student_version_holds_no_solution_and_no_output(student_versions, path):
    original, student = instructor(student_versions, path), read(student_versions.student / path.name)
    public = {line.strip() for cell in original.cells for line in without_solutions(source(cell)).splitlines()}
    secret = {line.strip() for cell in original.cells for line in solution_regions(source(cell))
              if line.strip() and not line.strip().startswith("#")} - public
    assert secret, "no solution line to look for"
    student_lines = {line.strip() for cell in student.cells for line in source(cell).splitlines()}
    assert not secret & student_lines
    assert "SOLUTION" not in json.dumps([source(cell) for cell in student.cells])
    assert all(not cell.get("outputs") and cell.get("execution_count") is None
               for cell in student.cells if cell.cell_type == "code")
    assert [cell.cell_type for cell in student.cells] == [cell.cell_type for cell in original.cells]
    for cell, kept in zip(original.cells, student.cells):
        if "### BEGIN SOLUTION" in source(cell):
            placeholders = source(cell).split("### BEGIN SOLUTION")[0]
            assert source(kept) == placeholders + STUB
            assert kept.metadata["deletable"] is False
        else:
            assert source(kept) == source(cell)


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_student_version_needs_nothing_beyond_the_readers_install(student_versions, path):
    student, original = read(student_versions.student / path.name), instructor(student_versions, path)
    assert imports_of(student) == imports_of(original)  # what nbval runs with the reader's install
    assert "nbgrader" not in json.dumps([source(cell) for cell in student.cells])
    for exercise in convention.find_exercises(original):
        check = student.cells[exercise.check_cell]
        assert check.metadata["editable"] is False and check.metadata["deletable"] is False


def _put_solutions_back(student: nbformat.NotebookNode, instructor: nbformat.NotebookNode):
    restored = copy.deepcopy(student)
    for cell, original in zip(restored.cells, instructor.cells):
        if STUB in source(cell):
            region = re.search(r"### BEGIN SOLUTION\n.*?### END SOLUTION", source(original), re.S).group(0)
            cell.source = source(cell).replace(STUB, region)
    return restored


@pytest.fixture(scope="module")
def handout_runs(student_versions, tmp_path_factory):
    """Every chapter's student version as handed out, and chapter 1's with the solutions put back,
    run through the grader two at a time (generous limits: these must not time out)."""
    executed = tmp_path_factory.mktemp("executed")
    restored = executed / f"restored_{CHAPTER_1.name}"
    nbformat.write(_put_solutions_back(read(student_versions.student / CHAPTER_1.name),
                                       instructor(student_versions, CHAPTER_1)), restored)
    tasks = [(path.name, student_versions.student / path.name) for path in CHAPTERS]
    tasks.append(("restored", restored))

    def run(task):
        label, notebook = task
        chapter = CHAPTER_1.name if label == "restored" else label
        exercises = grade.load_trusted_exercises(student_versions.instructor / chapter)
        kept = executed / f"executed_{notebook.name}"
        settings = grade.Settings(timeout=180, cell_timeout=90, check_timeout=10)
        with sandbox.Staging(grade.job_for(exercises, settings, keep_executed=True)) as staging:
            result = grade.grade_submission(grade.Submission(label, notebook), exercises, settings,
                                            staging, executed=kept)
        return label, (result, kept)

    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(pool.map(run, tasks))


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_student_version_runs_top_to_bottom_and_checks_say_not_yet_done(handout_runs, student_versions, path):
    result, executed = handout_runs[path.name]
    assert result.note == ""  # no cell raised, none was interrupted
    assert set(result.statuses.values()) == {"not yet done"}
    notebook = read(executed)
    for exercise in convention.find_exercises(instructor(student_versions, path)):
        printed = json.dumps(notebook.cells[exercise.check_cell].outputs)
        assert f"Exercise {exercise.number}: NOT YET DONE." in printed


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_student_version_with_the_solutions_put_back_is_the_chapter(student_versions, path):
    """Putting the solutions back gives the chapter's cells exactly.

    The chapter's own checks pass on them: nbval re-runs every chapter in this suite and compares
    the stored "CORRECT" verdicts (test_every_solution_passes_its_check_in_the_stored_outputs);
    chapter 1's student version with the solutions put back is also graded (next test).
    """
    original = instructor(student_versions, path)
    restored = _put_solutions_back(read(student_versions.student / path.name), original)
    assert [source(cell) for cell in restored.cells] == [source(cell) for cell in original.cells]


def test_chapter_one_with_the_solutions_put_back_passes_every_check(handout_runs):
    result, _ = handout_runs["restored"]
    assert result.statuses == {"1.1": "correct", "1.2": "correct", "1.3": "correct"}
    assert result.note == ""


def test_any_notebook_following_the_convention_gets_a_student_version(tmp_path):
    notebook = _notebook(
        "#md A synthetic chapter.",
        "import numpy as np",
        "#md **Exercise.** The weighted input.",
        ANSWER_1_1.replace("0.55", "0.25 + 0.3"),
        "from backproplib.exercises.chapter01 import check_1_1\ncheck_1_1(z_3)",
        "weight_shapes = ...\nz2_shape = ...\n### BEGIN SOLUTION\nweight_shapes = [(128, 784), (64, 128), (10, 64)]\n"
        "z2_shape = (32, 64)\n### END SOLUTION",
        "import backproplib.exercises.chapter01 as ex1\nex1.check_1_2(weight_shapes, z2_shape)",
    )
    path = tmp_path / "99_synthetic.ipynb"
    nbformat.write(notebook, path)
    out = tmp_path / "out"
    assert make_student_versions.main([str(path), "--out", str(out)]) == 0
    student = read(out / path.name)
    assert source(student.cells[3]) == "z_3 = ...\n" + STUB
    assert source(student.cells[5]) == "weight_shapes = ...\nz2_shape = ...\n" + STUB
    assert "0.25 + 0.3" not in json.dumps(student) and "(128, 784)" not in json.dumps(student)
    assert make_student_versions.main([str(tmp_path / "nothing.ipynb"), "--out", str(out)]) == 2


def test_a_notebook_without_exercises_is_refused(tmp_path):
    path = tmp_path / "plain.ipynb"
    nbformat.write(_notebook("x = 1"), path)
    with pytest.raises(make_student_versions.StudentVersionError, match="has no exercise"):
        make_student_versions.generate([path], tmp_path / "out")


# --- grading a folder of submissions, chapter 1 ---------------------------------------------


def _trimmed_student_version(student_versions) -> nbformat.NotebookNode:
    """Chapter 1's student version cut to its first code cell and its exercises (a fast notebook)."""
    student = read(student_versions.student / CHAPTER_1.name)
    first_code = next(i for i, cell in enumerate(student.cells) if cell.cell_type == "code"
                      and "remove-cell" not in cell.metadata.get("tags", []))  # not Colab's cell
    exercises_start = next(i for i, cell in enumerate(student.cells) if source(cell).startswith("## Exercises"))
    trimmed = copy.deepcopy(student)
    trimmed.cells = [student.cells[first_code]] + student.cells[exercises_start:]
    return trimmed


def _answer(notebook, number: str):
    """The answer cell of exercise ``number`` (found by its check call in the next cell)."""
    for index, cell in enumerate(notebook.cells[:-1]):
        if f"check_{number.replace('.', '_')}(" in source(notebook.cells[index + 1]):
            return cell
    raise LookupError(number)


def _set(notebook, number: str, *lines: str):
    cell = _answer(notebook, number)
    cell.source = source(cell).replace(STUB, "\n".join(lines))


def _insert_after(notebook, cell, text: str) -> int:
    index = notebook.cells.index(cell) + 1
    notebook.cells.insert(index, nbformat.v4.new_code_cell(text))
    return index + 1  # 1-based number of the new cell


RIGHT = {
    "1.1": ["z_4 = 0.6 * 0.5 + (-0.1) * (-1.0) + 0.2 * 2.0 + 0.2"],
    "1.2": ["weight_shapes = [(128, 784), (64, 128), (10, 64)]", "z2_shape = (32, 64)"],
    "1.3": ["slope_at_z = activations.sigmoid_prime(0.8)",
            "slope_at_a = activations.sigmoid_prime(activations.sigmoid(0.8))"],
}


def _cell_number(notebook, cell) -> int:
    return notebook.cells.index(cell) + 1


@pytest.fixture(scope="module")
def graded_folder(student_versions, tmp_path_factory):
    """A class of ten submissions, graded once; returns the CSV rows, expectations and timings."""
    folder = tmp_path_factory.mktemp("submissions")
    marker = f"eve-sleeper-{time.time_ns()}"
    base = _trimmed_student_version(student_versions)
    expected = {}

    # ada: every answer right
    ada = copy.deepcopy(base)
    for number, lines in RIGHT.items():
        _set(ada, number, *lines)
    nbformat.write(ada, folder / "ada.ipynb")
    expected["ada"] = (["correct", "correct", "correct"], "")

    # ben: partly wrong - the activation instead of the weighted input, 1.2 right, 1.3 not done
    ben = copy.deepcopy(base)
    _set(ben, "1.1", "z_4 = activations.sigmoid(0.6 * 0.5 + (-0.1) * (-1.0) + 0.2 * 2.0 + 0.2)")
    _set(ben, "1.2", *RIGHT["1.2"])
    nbformat.write(ben, folder / "ben.ipynb")
    expected["ben"] = (["not yet right", "correct", "not yet done"], "")

    # cy: crashing cells - a division by zero, an answer whose conversion to float never ends
    # (the grader never converts it: it is recorded as an object of type Endless),
    # the answer cell of 1.2 deleted (its check cell then raises NameError), 1.3 raises half-way
    cy = copy.deepcopy(base)
    division = _insert_after(cy, cy.cells[0], "1 / 0")
    _set(cy, "1.1", "class Endless:", "    def __float__(self):", "        while True:", "            pass",
         "z_4 = Endless()")
    own_check_1_1 = _cell_number(cy, _answer(cy, "1.1")) + 1  # the student's own check never ends
    answer_1_2 = _answer(cy, "1.2")
    check_1_2 = _cell_number(cy, answer_1_2)  # the check cell moves up into the deleted cell's place
    cy.cells.remove(answer_1_2)
    _set(cy, "1.3", RIGHT["1.3"][0], "slope_at_a = activations.sigmoid_prime(undefined_name)")
    crash_1_3 = _cell_number(cy, _answer(cy, "1.3"))
    nbformat.write(cy, folder / "cy.ipynb")
    expected["cy"] = (["not yet right", "missing", "not yet done"],
                      f"cell {own_check_1_1} interrupted after {CELL_TIMEOUT:g} s; "
                      f"errors in cells {division}, {check_1_2}, {crash_1_3}")

    # dee: right answers around an endless loop that an interrupt stops
    dee = copy.deepcopy(base)
    for number, lines in RIGHT.items():
        _set(dee, number, *lines)
    loop = _insert_after(dee, _answer(dee, "1.1"), "while True:\n    pass")
    nbformat.write(dee, folder / "dee.ipynb")
    expected["dee"] = (["correct", "correct", "correct"], f"cell {loop} interrupted after {CELL_TIMEOUT:g} s")

    # eve: right answers, then an endless loop that swallows every interrupt
    eve = copy.deepcopy(base)
    for number, lines in RIGHT.items():
        _set(eve, number, *lines)
    _insert_after(eve, _answer(eve, "1.2"), "\n".join([
        "import subprocess, sys, time",
        f"subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(900)', {marker!r}])",
        "while True:",
        "    try:", "        time.sleep(0.2)", "    except KeyboardInterrupt:", "        pass"]))
    nbformat.write(eve, folder / "eve.ipynb")
    expected["eve"] = (["not graded"] * 3, f"timed out after {TIMEOUT:g} s, not graded (still "
                       "running at the notebook's time limit: many slow cells, or a loop that "
                       "ignores interrupts?)")

    # fay: deletes the check cells, prints fake verdicts, replaces the check functions,
    # and leaves sys.stdout redirected
    fay = copy.deepcopy(base)
    _set(fay, "1.2", "weight_shapes = [(784, 128), (128, 64), (64, 10)]", "z2_shape = (32, 64)")
    fay.cells.remove(_answer(fay, "1.3"))
    fay.cells = [cell for cell in fay.cells if "check_1_" not in source(cell)]
    fay.cells.append(nbformat.v4.new_code_cell("\n".join([
        "import backproplib.exercises.chapter01 as chapter01",
        "from backproplib.exercises import Feedback",
        "fake = lambda *args: Feedback('1.x', 'correct', 'looks right')",
        "chapter01.check_1_1 = chapter01.check_1_2 = chapter01.check_1_3 = fake",
        "for n in (1, 2, 3):",
        "    print(f'Exercise 1.{n}: CORRECT. Well done.')",
        'print(\'GRADE{"1.1": {"status": "correct", "message": ""}}\')',
        "import io, sys",
        "sys.stdout = io.StringIO()  # hides whatever prints next"])))
    nbformat.write(fay, folder / "fay.ipynb")
    expected["fay"] = (["not yet done", "not yet right", "missing"], "")

    # gil: one folder per student; two notebooks, the one named like the chapter is graded
    (folder / "gil").mkdir()
    gil = copy.deepcopy(base)
    for number, lines in RIGHT.items():
        _set(gil, number, *lines)
    nbformat.write(gil, folder / "gil" / CHAPTER_1.name)
    nbformat.write(base, folder / "gil" / "scratch.ipynb")
    expected["gil"] = (["correct", "correct", "correct"], "")

    # hal: not a notebook at all
    (folder / "hal.ipynb").write_text('{"cells": [', encoding="utf-8")
    expected["hal"] = (["not graded"] * 3, "notebook unreadable")

    # ivy: an empty folder
    (folder / "ivy").mkdir()
    expected["ivy"] = (["not graded"] * 3, "not graded: no notebook in the folder")

    # kim: stops the kernel
    kim = copy.deepcopy(base)
    _set(kim, "1.1", *RIGHT["1.1"])
    stop = _insert_after(kim, _answer(kim, "1.1"), "import os\nos._exit(1)")
    nbformat.write(kim, folder / "kim.ipynb")
    expected["kim"] = (["not graded"] * 3, f"the kernel died in cell {stop}, not graded")

    out = folder.parent / "grades.csv"
    feedback = folder.parent / "feedback"
    start = time.monotonic()
    status = grade.main([str(folder), "--chapter", str(CHAPTER_1), "--out", str(out),
                         "--timeout", str(TIMEOUT), "--cell-timeout", str(CELL_TIMEOUT),
                         "--check-timeout", str(CHECK_TIMEOUT), "--jobs", "3", "--feedback", str(feedback)])
    elapsed = time.monotonic() - start
    with open(out, newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    return {"status": status, "rows": rows, "expected": expected, "elapsed": elapsed,
            "feedback": feedback, "marker": marker}


def test_grade_sheet_has_one_row_per_student_and_a_column_per_exercise(graded_folder):
    assert graded_folder["status"] == 0
    header, *rows = graded_folder["rows"]
    assert header == ["student", "exercise 1.1", "exercise 1.2", "exercise 1.3", "correct", "note",
                      "outcome"]
    assert [row[0] for row in rows] == sorted(graded_folder["expected"])


@pytest.mark.parametrize("student", ["ada", "ben", "cy", "dee", "eve", "fay", "gil", "hal", "ivy", "kim"])
def test_grade_of_each_kind_of_submission(graded_folder, student):
    statuses, note = graded_folder["expected"][student]
    row = next(row for row in graded_folder["rows"][1:] if row[0] == student)
    assert row[1:4] == statuses
    assert row[4] == str(statuses.count("correct"))
    assert row[5].startswith(note) and (note or row[5] == "")
    # nothing in this class is the grader's doing: a row is graded, or its notebook's problem
    assert row[6] == ("submission problem" if set(statuses) == {"not graded"} else "graded")


def test_grading_stays_within_its_time_bound(graded_folder):
    # What the grader guarantees on any machine, however loaded: each submission is stopped at
    # --timeout, each of its three checks at --check-timeout, and three run at a time. eve sleeps
    # 600 s, so a limit that is not enforced overshoots this bound whatever the machine's speed
    # (a bound on the typical time, "40 s more than eve's limit", failed on a loaded machine).
    # one more round: the preflight grades the grader's own notebook first
    rounds = 1 + -(-len(graded_folder["expected"]) // 3)
    bound = rounds * (TIMEOUT + 3 * CHECK_TIMEOUT + 15)  # 15 s: starting and clearing a sandbox
    assert bound < 600
    assert graded_folder["elapsed"] < bound


def processes_with(marker: str) -> list[int]:
    """Live (not zombie) processes of this machine whose command line holds ``marker``."""
    found = []
    for folder in Path("/proc").iterdir():
        if not folder.name.isdigit():
            continue
        try:
            command = (folder / "cmdline").read_bytes()
            state = (folder / "stat").read_text().rsplit(") ", 1)[1][0]
        except OSError:
            continue
        if marker.encode() in command and state != "Z":
            found.append(int(folder.name))
    return found


def test_a_never_ending_kernel_is_killed_with_what_it_started(graded_folder):
    deadline = time.monotonic() + 5
    while processes_with(graded_folder["marker"]) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert processes_with(graded_folder["marker"]) == []


def test_feedback_names_the_mistake_without_the_solution(graded_folder):
    text = (graded_folder["feedback"] / "ben.txt").read_text()
    assert text.startswith(f"{CHAPTER_1.name}: 1 of 3 exercises correct.")
    assert "that is the activation a_4 = g(z_4), not the weighted input" in text.lower()
    assert "hint: the weighted input is the sum before the activation function" in text.lower()
    assert "0.55" not in text
    cy = (graded_folder["feedback"] / "cy.txt").read_text()
    assert "got Endless" in cy and "name 'weight_shapes' is not defined" in cy
    assert "Note: timed out" in (graded_folder["feedback"] / "eve.txt").read_text()


def test_grade_command_line_runs_from_the_root_of_the_clone(student_versions, tmp_path):
    folder = tmp_path / "class"
    folder.mkdir()
    nbformat.write(_trimmed_student_version(student_versions), folder / "lee.ipynb")
    out = tmp_path / "grades.csv"
    command = [sys.executable, "-m", "classroom.grade", str(folder), "--chapter", str(CHAPTER_1),
               "--out", str(out), "--timeout", "60"]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "lee: 0/3 correct" in result.stdout
    assert out.read_text().splitlines()[1] == "lee,not yet done,not yet done,not yet done,0,,graded"


def test_grade_refuses_a_bad_command_line(tmp_path, capsys):
    no_exercise = tmp_path / "plain.ipynb"
    nbformat.write(_notebook("x = 1"), no_exercise)
    (tmp_path / "empty").mkdir()
    for arguments, message in [([str(tmp_path / "none"), "--chapter", str(CHAPTER_1)], "is not a folder"),
                               ([str(tmp_path), "--chapter", str(no_exercise)], "has no exercise"),
                               ([str(tmp_path / "empty"), "--chapter", str(CHAPTER_1)], "no submission"),
                               ([str(tmp_path), "--chapter", str(CHAPTER_1), "--timeout", "0"], "positive"),
                               # a cell limit the whole notebook's limit would always cut short
                               ([str(tmp_path), "--chapter", str(CHAPTER_1), "--timeout", "15",
                                 "--cell-timeout", "20"],
                                "--cell-timeout (20 s) must be shorter than --timeout (15 s)")]:
        assert grade.main(arguments) == 2
        assert message in capsys.readouterr().err


@pytest.mark.parametrize("timeout, cell_timeout", [([], 60.0), (["--timeout", "15"], 7.5)])
def test_the_cell_limit_defaults_to_one_the_whole_notebooks_limit_leaves_room_for(tmp_path, timeout,
                                                                               cell_timeout):
    # a newcomer's --timeout 15 under a 60 s cell limit: an endless loop that an interrupt would
    # have stopped ran into the whole notebook's limit, and the row blamed a loop that ignores
    # interrupts
    options = grade.build_parser().parse_args([str(tmp_path), "--chapter", str(CHAPTER_1), *timeout])
    assert grade.time_limits_problem(options) == ""
    assert options.cell_timeout == cell_timeout


def test_two_entries_for_one_student_are_each_graded_under_their_own_name(tmp_path):
    (tmp_path / "ann").mkdir()
    nbformat.write(_notebook("x = 1"), tmp_path / "ann" / "a.ipynb")
    nbformat.write(_notebook("x = 1"), tmp_path / "ann.ipynb")
    found = grade.find_submissions(tmp_path, CHAPTER_1.name)
    assert [submission.student for submission in found] == ["ann (folder)", "ann.ipynb"]
    assert all("another entry is also named ann" in submission.note for submission in found)


def test_names_reach_the_sheet_as_one_plain_line(tmp_path):
    names = {"bad\udcff\udcfename.ipynb": "bad\\xff\\xfename",
             "\x1b]0;PWNED\x07red.ipynb": "\\x1b]0;PWNED\\x07red"}
    for name in [*names, "x" * 240 + ".ipynb"]:
        nbformat.write(_notebook("x = 1"), tmp_path / name)
    found = {submission.student for submission in grade.find_submissions(tmp_path, CHAPTER_1.name)}
    (long,) = found - set(names.values())
    assert found & set(names.values()) == set(names.values())
    assert re.fullmatch("x{80,99}~[0-9a-f]{6}", long) and len(long) <= grade.MAX_NAME


@pytest.mark.parametrize("name, shown", [("=1+1", "'=1+1"), ("x;=2+2", "'x;=2+2"), ("-@a", "'-@a"),
                                         ("a,+b", "'a,+b"), ("plain-name", "plain-name")])
def test_a_name_never_becomes_a_spreadsheet_formula(name, shown):
    assert grade._cell(name) == shown


def test_only_one_answers_line_with_the_nonce_counts():
    from classroom.run_submission import read_answers

    line = 'N0NCE{"1.1": {"missing": "z_3"}}'
    shown = {"output_type": "display_data", "data": {"text/plain": line}, "metadata": {}}
    printed = {"output_type": "stream", "name": "stdout", "text": "Exercise 1.1: CORRECT.\n" + line + "\n"}
    error = {"output_type": "error", "ename": "RuntimeError", "evalue": "no", "traceback": []}
    assert read_answers({"outputs": [shown]}, "N0NCE") == ({"1.1": {"missing": "z_3"}}, "")
    assert read_answers({"outputs": [printed, shown]}, "N0NCE") == (None, "imitated")
    assert read_answers({"outputs": [error]}, "N0NCE") == (None, "error")
    assert read_answers({"outputs": []}, "N0NCE") == (None, "no answers")


# --- appendix D --------------------------------------------------------------------------------


def test_every_command_of_appendix_d_is_accepted_by_its_tool():
    text = (BOOK / "D_for_instructors.md").read_text()
    commands = re.findall(r"^python -m classroom\.(\w+)((?: .*\\\n)*.*)$", text, re.M)
    assert {name for name, _ in commands} == {"make_student_versions", "grade", "gradescope"}
    parsers = {"make_student_versions": make_student_versions.build_parser(), "grade": grade.build_parser(),
               "gradescope": gradescope.build_parser()}
    for name, arguments in commands:
        parsers[name].parse_args(arguments.replace("\\\n", " ").split())
    for path in re.findall(r"book/\w+\.ipynb", text):
        assert (ROOT / path).exists(), path


def test_the_verdicts_quoted_in_appendix_d_are_what_the_check_prints():
    from backproplib.exercises import chapter01

    text = (BOOK / "D_for_instructors.md").read_text()
    quoted = re.findall(r"```text\n(Exercise 1\.1: .*?)\n```", text, re.S)
    weighted_input = 0.6 * 0.5 + -0.1 * -1.0 + 0.2 * 2.0 + 0.2  # worked out by hand in chapter 1
    activation = 1 / (1 + np.exp(-weighted_input))
    assert quoted == [str(chapter01.check_1_1(answer)) for answer in (..., activation, weighted_input)]


def test_appendix_d_clones_the_repository_the_book_names():
    config = (ROOT / "_config.yml").read_text()
    url = re.search(r"^repository:\n\s+url: (\S+)", config, re.M).group(1)
    assert f"git clone {url}\n" in (BOOK / "D_for_instructors.md").read_text()


def test_every_entry_gets_a_row_even_when_names_share_a_stem(tmp_path):
    for name in ("alice.aaa", "bob.pdf", "bob.py", ".hidden.ipynb", ".DS_Store", "._alice.ipynb",
                 "._carol.ipynb"):
        (tmp_path / name).write_text("x")
    nbformat.write(_notebook("x = 1"), tmp_path / "alice.ipynb")
    (tmp_path / ".ipynb_checkpoints").mkdir()
    found = {submission.student: submission.problem for submission in
             grade.find_submissions(tmp_path, CHAPTER_1.name)}
    assert found == {"alice": "", "alice.aaa": "not a notebook (alice.aaa)",
                     "bob.pdf": "not a notebook (bob.pdf)", "bob.py": "not a notebook (bob.py)",
                     ".hidden": "", "._carol": ""}  # ._alice.ipynb is macOS's shadow of alice
