"""Grade a folder of submitted notebooks with the trusted checks of a chapter; write a CSV.

Usage, from the root of the clone (the reader's install is enough; nbgrader is not needed)::

    python -m classroom.grade SUBMISSIONS --chapter book/01_neurons_and_notation.ipynb \\
        --out grades.csv [--timeout 300] [--cell-timeout 60] [--check-timeout 10] [--jobs 2] \\
        [--feedback DIR] [--executed DIR]

``SUBMISSIONS`` holds one entry per student, in either form (both may be mixed):

- ``SUBMISSIONS/alice.ipynb`` - the student is the file name without ``.ipynb``;
- ``SUBMISSIONS/alice/`` - the student is the folder name; the folder holds the notebook (if it
  holds several, the one named like the chapter's file is graded).

Entries whose name starts with ``.`` or ``_`` (``.ipynb_checkpoints``, ``__MACOSX``) are skipped.

Each submission runs in its own process and its own kernel, in an empty temporary folder, with a
wall-clock limit of ``--timeout`` seconds for the whole notebook; the process, its kernel and
whatever they started are killed when the limit is reached. Inside that, a cell still running
after ``--cell-timeout`` seconds is interrupted and the next cell runs, and a cell that raises
does not stop the others. After the student's cells, the check calls of the *instructor's*
notebook (``--chapter``) run in the same kernel on the names the student defined: deleting or
editing a check cell, or printing a fake verdict, changes nothing (see
:mod:`classroom.run_submission`). ``--jobs`` submissions run at the same time.

The CSV has one row per student: ``student``, one column ``exercise N.M`` per exercise, ``correct``
(how many are correct) and ``note``. An exercise's status is one of

- ``correct``, ``not yet right``, ``not yet done`` - the check's own verdict;
- ``missing`` - a name the check needs is not defined (the answer cell was deleted or crashed);
- ``error`` - the check raised, or did not finish (an endless loop in a function the student
  wrote);
- ``not graded`` - no check could run: the notebook timed out, could not be read, or its kernel
  died; the note says which.

The note also lists the cells that raised an error or were interrupted. With ``--feedback DIR``
each student also gets ``DIR/<student>.txt`` holding the checks' messages and hints.

The grader protects the other submissions and the grade sheet from mistakes - endless loops,
crashes, deleted cells. It is not a sandbox: the students' code runs with your user's rights.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path
from typing import Sequence

import nbformat

from .convention import ConventionError, Exercise, find_exercises

ROOT = Path(__file__).resolve().parent.parent

CORRECT = "correct"
MISSING = "missing"
ERROR = "error"
NOT_GRADED = "not graded"


@dataclass(frozen=True)
class Submission:
    """One student's entry in the submissions folder (``notebook`` is ``None`` if there is none)."""

    student: str
    notebook: Path | None
    problem: str = ""


@dataclass
class Grade:
    """The result for one student: a status per exercise, messages for the feedback, a note."""

    student: str
    statuses: dict[str, str]
    messages: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def correct(self) -> int:
        return sum(status == CORRECT for status in self.statuses.values())

    @property
    def note(self) -> str:
        return "; ".join(self.notes)


def find_submissions(folder: Path, chapter_file: str) -> list[Submission]:
    """The submissions in ``folder`` (see the module docstring), sorted by student.

    Raises ``ValueError`` if two entries name the same student.
    """
    submissions: dict[str, Submission] = {}
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith((".", "_")):
            continue
        if entry.is_file() and entry.suffix == ".ipynb":
            submission = Submission(entry.stem, entry)
        elif entry.is_dir():
            notebooks = sorted(path for path in entry.rglob("*.ipynb")
                               if ".ipynb_checkpoints" not in path.parts)
            named = [path for path in notebooks if path.name == chapter_file]
            if len(notebooks) == 1:
                submission = Submission(entry.name, notebooks[0])
            elif len(named) == 1:
                submission = Submission(entry.name, named[0])
            elif notebooks:
                submission = Submission(entry.name, None, f"{len(notebooks)} notebooks in the folder, "
                                        f"none of them (or several) named {chapter_file}")
            else:
                submission = Submission(entry.name, None, "no notebook in the folder")
        else:
            continue
        if submission.student in submissions:
            raise ValueError(f"two submissions for student {submission.student!r} in {folder}")
        submissions[submission.student] = submission
    return list(submissions.values())


def load_trusted_exercises(chapter: Path) -> list[Exercise]:
    """The exercises of the instructor's notebook, each check function imported once to be sure.

    Raises ``ValueError`` (including :class:`ConventionError`) when the notebook has no exercise
    or a check function cannot be imported.
    """
    exercises = find_exercises(nbformat.read(chapter, as_version=4), chapter.name)
    if not exercises:
        raise ValueError(f"{chapter} has no exercise: expected answer cells with '### BEGIN SOLUTION'")
    for exercise in exercises:
        try:
            getattr(import_module(exercise.module), exercise.function)
        except (ImportError, AttributeError) as error:
            raise ValueError(f"exercise {exercise.number}: cannot import {exercise.function} from "
                             f"{exercise.module}: {error}") from None
    return exercises


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def grade_submission(submission: Submission, exercises: Sequence[Exercise], timeout: float,
                     cell_timeout: float, check_timeout: float, one_blas_thread: bool,
                     executed: Path | None = None) -> Grade:
    """Run one submission in its own process and kernel and return its grade (never raises)."""
    numbers = [exercise.number for exercise in exercises]
    grade = Grade(submission.student, dict.fromkeys(numbers, NOT_GRADED))
    if submission.notebook is None:
        grade.notes.append(submission.problem)
        return grade
    try:
        result = _run_worker(submission, exercises, timeout, cell_timeout, check_timeout,
                             one_blas_thread, executed)
    except Exception as error:  # a full disk, an unreadable file: this row only, not the others
        result = {"grader_failed": f"{type(error).__name__}: {error}"}
    if "grader_failed" in result:
        grade.notes.append(f"the grader failed on this notebook: {result['grader_failed']}")
    elif "timed_out" in result:
        grade.notes.append(f"timed out after {timeout:g} s, not graded "
                           "(an endless loop that ignores interrupts?)")
    else:
        _apply_result(grade, result, numbers, cell_timeout)
    return grade


def _run_worker(submission: Submission, exercises: Sequence[Exercise], timeout: float,
                cell_timeout: float, check_timeout: float, one_blas_thread: bool,
                executed: Path | None) -> dict:
    """Start :mod:`classroom.run_submission` on one notebook; return its result, or a failure."""
    scratch = Path(tempfile.mkdtemp(prefix="grade_"))
    try:
        workdir = scratch / "work"
        for folder in (workdir, scratch / "tmp", scratch / "runtime", scratch / "ipython"):
            folder.mkdir()
        notebook = workdir / submission.notebook.name
        shutil.copyfile(submission.notebook, notebook)
        nonce = "GRADE" + secrets.token_hex(16)
        job = {
            "notebook": str(notebook), "workdir": str(workdir), "nonce": nonce,
            "exercises": [[e.number, e.module, e.function, e.arguments] for e in exercises],
            "cell_timeout": cell_timeout, "check_timeout": check_timeout,
            "result": str(scratch / "result.json"), "pid_file": str(scratch / "kernel.pid"),
            "executed": str(executed) if executed else None,
        }
        (scratch / "job.json").write_text(json.dumps(job))
        environment = {**os.environ, "TMPDIR": str(scratch / "tmp"),
                       "JUPYTER_RUNTIME_DIR": str(scratch / "runtime"),
                       "IPYTHONDIR": str(scratch / "ipython"), "PYTHONDONTWRITEBYTECODE": "1"}
        if one_blas_thread:
            environment.update(OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
        with open(scratch / "worker.log", "wb") as log:
            worker = subprocess.Popen(
                [sys.executable, "-m", "classroom.run_submission", str(scratch / "job.json")],
                cwd=ROOT, env=environment, stdin=subprocess.DEVNULL, stdout=log,
                stderr=subprocess.STDOUT, start_new_session=True)
            try:
                worker.wait(timeout=timeout)
                timed_out = False
            except subprocess.TimeoutExpired:
                timed_out = True
            _kill_group(worker.pid)  # the worker and anything left in its group
            worker.wait()
            pid_file = scratch / "kernel.pid"
            if pid_file.exists() and pid_file.read_text().strip().isdigit():
                _kill_group(int(pid_file.read_text()))  # the kernel runs in a session of its own
        if timed_out:
            return {"timed_out": True}
        result_file = scratch / "result.json"
        if not result_file.exists():
            tail = (scratch / "worker.log").read_text(errors="replace").strip().splitlines()[-1:]
            return {"grader_failed": " ".join(tail)[:200]}
        return json.loads(result_file.read_text())
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _cells(numbers: list[int]) -> str:
    return ("cell " if len(numbers) == 1 else "cells ") + ", ".join(map(str, numbers))


def _apply_result(grade: Grade, result: dict, numbers: list[str], cell_timeout: float) -> None:
    if result["unreadable"]:
        grade.notes.append(f"notebook unreadable ({result['unreadable']}), not graded")
        return
    if result["kernel_died_in"] is not None:
        where = f"in cell {result['kernel_died_in']}" if result["kernel_died_in"] else "while the checks ran"
        grade.notes.append(f"the kernel died {where}, not graded")
    elif result["checks"] is None:
        grade.notes.append(f"{result['harness_problem'] or 'the checks did not run'}, not graded")
    else:
        for number in numbers:
            verdict = result["checks"].get(number, {"status": ERROR, "message": "no verdict"})
            grade.statuses[number] = verdict["status"]
            grade.messages[number] = verdict["message"]
    if result["interrupted_cells"]:
        grade.notes.append(f"{_cells(result['interrupted_cells'])} interrupted after {cell_timeout:g} s")
    if result["error_cells"]:
        grade.notes.append(f"errors in {_cells(result['error_cells'])}")


def grade_folder(submissions: Sequence[Submission], exercises: Sequence[Exercise], timeout: float,
                 cell_timeout: float, check_timeout: float = 10.0, jobs: int = 2,
                 executed_dir: Path | None = None, progress: bool = False) -> list[Grade]:
    """Grade every submission, ``jobs`` at a time; the grades come back in the same order."""
    if executed_dir is not None:
        executed_dir.mkdir(parents=True, exist_ok=True)

    def one(submission: Submission) -> Grade:
        executed = executed_dir / f"{submission.student}.ipynb" if executed_dir else None
        grade = grade_submission(submission, exercises, timeout, cell_timeout, check_timeout,
                                 one_blas_thread=jobs > 1, executed=executed)
        if progress:
            print(f"{grade.student}: {grade.correct}/{len(exercises)} correct"
                  + (f" ({grade.note})" if grade.note else ""), flush=True)
        return grade

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        return list(pool.map(one, submissions))


def write_csv(grades: Sequence[Grade], exercises: Sequence[Exercise], path: Path) -> None:
    """One row per student: student, one status column per exercise, correct, note."""
    numbers = [exercise.number for exercise in exercises]
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student", *[f"exercise {number}" for number in numbers], "correct", "note"])
        for grade in grades:
            writer.writerow([grade.student, *[grade.statuses[n] for n in numbers], grade.correct,
                             grade.note])


def write_feedback(grades: Sequence[Grade], exercises: Sequence[Exercise], chapter: Path,
                   folder: Path) -> None:
    """``folder/<student>.txt``: each exercise's verdict with the check's message and hint."""
    folder.mkdir(parents=True, exist_ok=True)
    for grade in grades:
        lines = [f"{chapter.name}: {grade.correct} of {len(exercises)} exercises correct.", ""]
        for exercise in exercises:
            message = grade.messages.get(exercise.number)
            status = grade.statuses[exercise.number]
            if message and message.startswith("Exercise "):
                lines.append(message)
            else:
                lines.append(f"Exercise {exercise.number}: {status.upper()}." + (f" {message}" if message else ""))
        if grade.note:
            lines += ["", f"Note: {grade.note}."]
        (folder / f"{grade.student}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m classroom.grade",
        description="Grade a folder of submitted notebooks with the checks of a chapter; write a CSV.")
    parser.add_argument("submissions", type=Path,
                        help="folder with one STUDENT.ipynb file or one STUDENT/ folder per student")
    parser.add_argument("--chapter", type=Path, required=True,
                        help="the instructor's chapter notebook, e.g. book/01_neurons_and_notation.ipynb")
    parser.add_argument("--out", type=Path, default=Path("grades.csv"), help="CSV to write (default: grades.csv)")
    parser.add_argument("--timeout", type=float, default=300.0,
                        help="wall-clock limit for one whole notebook, seconds (default: 300)")
    parser.add_argument("--cell-timeout", type=float, default=60.0,
                        help="a cell running longer is interrupted, seconds (default: 60)")
    parser.add_argument("--check-timeout", type=float, default=10.0,
                        help="limit for one check call, seconds (default: 10)")
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1),
                        help="submissions run at the same time (default: 2, or 1 on one core)")
    parser.add_argument("--feedback", type=Path, default=None,
                        help="also write FEEDBACK/<student>.txt with the checks' messages")
    parser.add_argument("--executed", type=Path, default=None,
                        help="also keep each executed notebook as EXECUTED/<student>.ipynb")
    return parser


def main(arguments: Sequence[str] | None = None) -> int:
    options = build_parser().parse_args(arguments)
    if not options.submissions.is_dir():
        print(f"error: {options.submissions} is not a folder", file=sys.stderr)
        return 2
    if min(options.timeout, options.cell_timeout, options.check_timeout) <= 0 or options.jobs < 1:
        print("error: the time limits must be positive and --jobs at least 1", file=sys.stderr)
        return 2
    try:
        exercises = load_trusted_exercises(options.chapter)
        submissions = find_submissions(options.submissions, options.chapter.name)
    except (OSError, ValueError, ConventionError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if not submissions:
        print(f"error: no submission in {options.submissions} (expected STUDENT.ipynb files or "
              "STUDENT/ folders)", file=sys.stderr)
        return 2
    start = time.monotonic()
    grades = grade_folder(submissions, exercises, options.timeout, options.cell_timeout,
                          options.check_timeout, options.jobs, options.executed, progress=True)
    write_csv(grades, exercises, options.out)
    if options.feedback:
        write_feedback(grades, exercises, options.chapter, options.feedback)
    print(f"{len(grades)} submission(s) graded in {time.monotonic() - start:.0f} s: {options.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
