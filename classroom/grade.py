"""Grade a folder of submitted notebooks with the trusted checks of a chapter; write a CSV.

Usage, from the root of the clone (the reader's install is enough; nbgrader is not needed)::

    python -m classroom.grade SUBMISSIONS --chapter book/01_neurons_and_notation.ipynb \\
        --out grades.csv [--timeout 300] [--cell-timeout 60] [--check-timeout 10] [--jobs 2] \\
        [--feedback DIR] [--executed DIR] [--memory 2048] [--processes 128] [--disk 256] \\
        [--trusted]

``SUBMISSIONS`` holds one entry per student, in either form (both may be mixed):

- ``SUBMISSIONS/alice.ipynb`` - the student is the file name without ``.ipynb``;
- ``SUBMISSIONS/alice/`` - the student is the folder name; the folder holds the notebook (if it
  holds several, the one named like the chapter's file is graded).

Every other entry gets a row too ("not graded: not a notebook (alice.pdf)"), except the
folders and files that operating systems and Jupyter add on their own (``.ipynb_checkpoints``,
``__MACOSX``, ``.DS_Store``, ``Thumbs.db``). Symbolic links are not followed.

Each submission runs in a bubblewrap sandbox of its own (:mod:`classroom.sandbox`): it sees the
Python environment, a read-only copy of ``backproplib`` and a copy of its own notebook, and
nothing else of this machine - not your clone, not the other submissions, not the grade sheet or
the feedback folder. Inside it, every code cell runs as the student left it (a cell that raises
does not stop the others; a cell still running after ``--cell-timeout`` seconds is interrupted),
then the answers that the *instructor's* check calls (``--chapter``) need are read from the
student's namespace and handed out as plain data - numbers, arrays, strings; for an exercise
whose answer is a function, what it returned on the check's inputs. The checks run here, outside
the sandbox, on that data (:mod:`classroom.verdicts`): no code, output or file of the student's
counts. A sandbox is ended as a whole after ``--timeout`` seconds. ``--jobs`` submissions run at
the same time. Without a working bubblewrap the grader refuses to run, unless ``--trusted`` is
given (no sandbox: only for notebooks you trust, such as your own test runs).

Before the first student, :func:`preflight` grades a notebook made here through the very same
path; if it does not come back right, nothing is graded and the grader exits with status 2,
saying what failed (the sandbox's own output) and the likely fix.

The CSV has one row per student, written as soon as it is graded: ``student``, one column
``exercise N.M`` per exercise, ``correct`` (how many are correct), ``note`` and ``outcome``, whose
problem the row is: ``graded``, ``submission problem`` (no check could run because of the
submission) or ``grader problem`` (because of the grader: every exercise ``grader failed``, no
feedback file, exit status 1). An exercise's status is one of

- ``correct``, ``not yet right``, ``not yet done`` - the check's own verdict;
- ``missing`` - a name the check needs is not defined (the answer cell was deleted or crashed);
- ``error`` - the answer could not be read or checked, or a function the student wrote did not
  finish within ``--check-timeout``;
- ``not graded`` - no check could run: the notebook timed out, could not be read, its kernel
  died, or the entry is not a notebook; the note says which;
- ``grader failed`` - no check could run because the sandbox or the worker did not start, or the
  grader failed: the student's work played no part (a run that fails before the worker's
  ``STARTED`` mark failed before any code of the student's ran).

The note also lists the cells that raised an error or were interrupted. With ``--feedback DIR``
each student also gets ``DIR/<student>.txt`` holding the checks' messages and hints; with
``--executed DIR``, ``DIR/<student>.log`` keeps the end of what the sandbox printed.
"""

from __future__ import annotations

import argparse
import ast
import csv
import dataclasses
import hashlib
import json
import os
import re
import shutil
import stat
import sys
import tempfile
import threading
import time
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path
from typing import Callable, Sequence

import nbformat

from . import sandbox
from .convention import ConventionError, Exercise, find_exercises
from .run_submission import STARTED
from .verdicts import (CHECK_STATUSES, CORRECT, ERROR, GRADED, GRADER_FAILED, GRADER_PROBLEM,
                       MISSING, NOT_GRADED, SUBMISSION_PROBLEM, Grade, exercise_feedback,
                       grader_failed, judge, new_grade)

__all__ = ["CORRECT", "ERROR", "GRADER_FAILED", "MISSING", "NOT_GRADED", "Grade", "GraderFailure",
           "Settings", "Submission", "preflight",
           "find_submissions", "grade_folder", "grade_submission", "load_trusted_exercises",
           "main", "write_csv", "write_feedback"]

ROOT = Path(__file__).resolve().parent.parent

#: Entries that operating systems and Jupyter add to a folder on their own: no row for them.
NOT_SUBMISSIONS = {".ipynb_checkpoints", "__MACOSX", ".DS_Store", "Thumbs.db", "desktop.ini"}

#: A notebook larger than this is not run (the book's chapters are below 2 MB with outputs).
MAX_NOTEBOOK_BYTES = 50 * 1024 * 1024


@dataclass(frozen=True)
class Submission:
    """One student's entry in the submissions folder (``notebook`` is ``None`` if there is none).

    ``problem`` says why there is no notebook; ``note`` is added to the row's note in any case.
    """

    student: str
    notebook: Path | None
    problem: str = ""
    note: str = ""


#: Characters that change how text around them is shown, or show as nothing: control characters
#: (terminal escapes), bidirectional overrides and isolates, zero-width characters.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e"
                      "\u2060-\u2069\ufeff]")
MAX_NAME = 100
#: A student's name is also a file name (feedback, executed notebook): at most this many bytes.
MAX_NAME_BYTES = 200


def plain_text(text: str) -> str:
    """``text`` without control characters (terminal escapes), bidirectional or zero-width
    characters, or undecodable bytes; keeps ``\\n``."""
    text = text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return _CONTROL.sub("?", text)


def _visible(character: str) -> str:
    """One character of a name as a person can read it: itself, or an escape such as ``\\x01``."""
    code = ord(character)
    if 0xDC80 <= code <= 0xDCFF:  # a byte that is not UTF-8 (os.listdir's surrogate escape)
        return f"\\x{code - 0xDC00:02x}"
    if _CONTROL.match(character) or unicodedata.category(character) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl",
                                                                         "Zp"):
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
    return character


def student_name(name: str) -> str:
    """A student's name as the grade sheet and the feedback file show it: one plain line.

    Invisible, control and bidirectional characters and undecodable bytes show as escapes
    (``dup\\x01``, ``b\\xff``, ``\\u202ennA``); a name longer than ``MAX_NAME`` characters or
    ``MAX_NAME_BYTES`` bytes is cut, with ``~`` and a short hash of the whole name.
    """
    shown = "".join(map(_visible, name))
    if len(shown) <= MAX_NAME and len(shown.encode()) <= MAX_NAME_BYTES:
        return shown
    cut = shown[:MAX_NAME - 8]
    while len(cut.encode()) > MAX_NAME_BYTES - 8:
        cut = cut[:-1]
    return f"{cut}~{_short_hash(name)}"


def _short_hash(name: str) -> str:
    return hashlib.sha256(name.encode("utf-8", "surrogateescape")).hexdigest()[:6]


@dataclass(frozen=True)
class Settings:
    """How to run each submission (the command line's options)."""

    timeout: float = 300.0
    cell_timeout: float = 60.0
    check_timeout: float = 10.0
    limits: sandbox.Limits = sandbox.Limits()
    trusted: bool = False
    #: ``(uid, gid)`` of an unprivileged user that runs the submissions (a grader run as root in
    #: a container of its own, see classroom.autograder); ``None``: the grader's own user.
    run_as: tuple[int, int] | None = None


#: How far :func:`folder_submission` looks into a student's folder for notebooks.
MAX_FOLDER_DEPTH = 32
MAX_FOLDER_ENTRIES = 10_000
_FOLDER = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW


def _open_folder(top: int, parts: Sequence[str]) -> int:
    """Open the folder ``parts`` below the open folder ``top``, following no symbolic link."""
    descriptor = os.dup(top)
    for part in parts:
        try:
            inner = os.open(part, _FOLDER, dir_fd=descriptor)
        finally:
            os.close(descriptor)
        descriptor = inner
    return descriptor


def _notebooks_in(folder: Path) -> tuple[list[Path], bool]:
    """The regular files named ``*.ipynb`` below ``folder`` and whether the search was cut short.

    The walk keeps a list, not a recursion, opens every folder relative to its parent without
    following links (so neither depth nor the length of a path can break it), skips
    ``.ipynb_checkpoints``, and stops at ``MAX_FOLDER_DEPTH`` levels or ``MAX_FOLDER_ENTRIES``.
    """
    try:
        top = os.open(folder, _FOLDER)
    except OSError:
        return [], False
    found: list[Path] = []
    pending: list[tuple[str, ...]] = [()]
    seen, cut = 0, False
    try:
        while pending:
            parts = pending.pop()
            try:
                descriptor = _open_folder(top, parts)
            except OSError:
                continue  # replaced while we looked, or unreadable
            try:
                with os.scandir(descriptor) as listing:
                    for entry in listing:
                        seen += 1
                        if seen > MAX_FOLDER_ENTRIES:
                            cut = True
                            break
                        if entry.is_dir(follow_symlinks=False) and entry.name != ".ipynb_checkpoints":
                            if len(parts) + 1 < MAX_FOLDER_DEPTH:
                                pending.append((*parts, entry.name))
                            else:
                                cut = True
                        elif entry.is_file(follow_symlinks=False) and entry.name.endswith(".ipynb"):
                            found.append(folder.joinpath(*parts, entry.name))
            finally:
                os.close(descriptor)
            if seen > MAX_FOLDER_ENTRIES:
                break
    finally:
        os.close(top)
    return sorted(found), cut


def folder_submission(entry: Path, chapter_file: str) -> Submission:
    entry = entry.parent.resolve() / entry.name  # notebooks are later opened from / without links
    notebooks, cut = _notebooks_in(entry)
    named = [path for path in notebooks if path.name == chapter_file]
    if len(notebooks) == 1:
        return Submission(entry.name, notebooks[0])
    if len(named) == 1:
        return Submission(entry.name, named[0])
    if notebooks:
        return Submission(entry.name, None, f"{len(notebooks)} notebooks in the folder, none of "
                          f"them (or several) named {chapter_file}")
    return Submission(entry.name, None, "no notebook in the folder" + (
        f" (looked {MAX_FOLDER_DEPTH} levels deep, at {MAX_FOLDER_ENTRIES} entries at most)"
        if cut else ""))


def _is_folder(entry: Path) -> bool:
    return not entry.is_symlink() and entry.is_dir()


def _entry_submission(entry: Path, chapter_file: str, student: str) -> Submission:
    if entry.is_symlink():
        return Submission(student, None, f"not graded: a symbolic link, not a notebook "
                          f"({student_name(entry.name)})")
    if entry.is_file() and entry.suffix == ".ipynb":
        return Submission(student, entry)
    if entry.is_dir():
        return dataclasses.replace(folder_submission(entry, chapter_file), student=student)
    return Submission(student, None, f"not a notebook ({student_name(entry.name)})")


def _rename_clashes(names: dict[Path, str], rename: Callable[[Path, str], str]) -> set[Path]:
    """Rename each entry whose name another entry has too (letter case aside: ``Ann.txt`` and
    ``ann.txt`` are one feedback file on some systems); the entries renamed."""
    counts: dict[str, int] = {}
    for name in names.values():
        counts[name.casefold()] = counts.get(name.casefold(), 0) + 1
    clashing = {entry for entry, name in names.items() if counts[name.casefold()] > 1}
    for entry in clashing:
        names[entry] = rename(entry, names[entry])
    return clashing


def find_submissions(folder: Path, chapter_file: str) -> list[Submission]:
    """One submission per entry of ``folder`` (see the module docstring), sorted by student.

    The student is the entry's name without ``.ipynb`` (a file that is not a notebook keeps its
    whole name where that would clash with a notebook's), as :func:`student_name` shows it.
    Entries that would name the same student (``ann.ipynb`` and ``ann/``) are each graded under
    their entry's own name (``ann.ipynb``, ``ann (folder)``), with a note; names still alike get
    a short hash of the entry's name: every entry has a row and a feedback file of its own.
    """
    folder = folder.resolve()
    names = {entry.name for entry in folder.iterdir()}
    entries = [entry for entry in sorted(folder.iterdir()) if entry.name not in NOT_SUBMISSIONS
               and not (entry.name.startswith("._") and entry.name[2:] in names)]  # macOS
    notebooks = {entry.stem if entry.suffix == ".ipynb" else entry.name for entry in entries
                 if _is_folder(entry) or entry.suffix == ".ipynb"}
    wanted: dict[Path, str] = {}
    for entry in entries:
        if _is_folder(entry) or entry.suffix == ".ipynb" or entry.stem in notebooks:
            wanted[entry] = entry.stem if entry.suffix == ".ipynb" else entry.name
        else:
            wanted[entry] = entry.stem
    first = {entry: student_name(name) for entry, name in wanted.items()}
    students = dict(first)
    renamed = _rename_clashes(students, lambda entry, _: student_name(entry.name) + (
        " (folder)" if _is_folder(entry) else ""))
    renamed |= _rename_clashes(students, lambda entry, name: f"{name}~{_short_hash(entry.name)}")
    submissions = []
    for entry in wanted:
        note = (f"another entry is also named {first[entry]}: each is graded under its own name"
                if entry in renamed else "")
        submissions.append(dataclasses.replace(
            _entry_submission(entry, chapter_file, students[entry]), note=note))
    return sorted(submissions, key=lambda submission: submission.student)


def copy_notebook(notebook: Path, destination: Path) -> str:
    """Copy ``notebook`` (an absolute path without links) to a new file ``destination``.

    Every folder on the way and the notebook are opened without following a symbolic link; the
    open notebook is checked to be a regular file of at most ``MAX_NOTEBOOK_BYTES`` and copied
    from that descriptor, so an entry swapped for a link while grading runs reaches nothing else.
    The copy is created read-only; nothing outside ``destination`` is changed. Returns ``""``,
    or why the notebook could not be copied.
    """
    root = os.open("/", os.O_RDONLY | os.O_DIRECTORY)
    try:
        folder = _open_folder(root, notebook.parts[1:-1])
        try:
            source = os.open(notebook.name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK
                             | os.O_NOCTTY, dir_fd=folder)
        finally:
            os.close(folder)
    except OSError as error:
        return (f"the notebook could not be opened ({error.strerror}; replaced by a symbolic "
                "link while grading ran?)")
    finally:
        os.close(root)
    with open(source, "rb") as reading:
        information = os.fstat(source)
        if not stat.S_ISREG(information.st_mode):
            return "the notebook is not a regular file (replaced while grading ran?)"
        if information.st_size > MAX_NOTEBOOK_BYTES:
            return f"the notebook is larger than {MAX_NOTEBOOK_BYTES // 2**20} MB"
        target = os.open(destination, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o444)
        with open(target, "wb") as writing:
            if writing.write(reading.read(MAX_NOTEBOOK_BYTES + 1)) > MAX_NOTEBOOK_BYTES:  # it grew
                return f"the notebook is larger than {MAX_NOTEBOOK_BYTES // 2**20} MB"
    return ""


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


def job_for(exercises: Sequence[Exercise], settings: Settings, keep_executed: bool) -> dict:
    """What the worker in every sandbox is told: the check calls and the time limits."""
    return {"exercises": [[e.number, e.module, e.function, e.arguments] for e in exercises],
            "cell_timeout": settings.cell_timeout, "check_timeout": settings.check_timeout,
            "keep_executed": keep_executed, "result_bytes": settings.limits.result_bytes}


def grade_submission(submission: Submission, exercises: Sequence[Exercise], settings: Settings,
                     staging: sandbox.Staging, hidden: Sequence[Path] = (),
                     executed: Path | None = None) -> Grade:
    """Run one submission in its own sandbox, judge its data; return its grade (never raises)."""
    grade = new_grade(submission.student, exercises)
    if submission.note:
        grade.notes.append(submission.note)
    if submission.notebook is None:
        problem = submission.problem
        grade.notes.append(problem if problem.startswith("not graded") else f"not graded: {problem}")
        return grade
    scratch = Path(tempfile.mkdtemp(prefix="grade_"))
    if settings.run_as is not None:
        os.chown(scratch, *settings.run_as)
    try:
        copy = scratch / "submission.ipynb"
        problem = copy_notebook(submission.notebook, copy)
        if problem:
            grade.notes.append(f"not graded: {problem}")
            return grade
        run = (sandbox.run_unsandboxed(staging, copy, settings.timeout, settings.limits,
                                       settings.run_as)
               if settings.trusted else
               sandbox.run_sandboxed(staging, copy, settings.timeout, settings.limits, hidden,
                                     settings.run_as))
        grade.log = run.log
        if not run.result.startswith(STARTED):  # before any code of the student's
            grader_failed(grade, "the sandbox or the grader's worker did not start"
                          + (f" within {settings.timeout:g} s" if run.timed_out else ""))
            return grade
        if run.timed_out:
            grade.notes.append(f"timed out after {settings.timeout:g} s, not graded (still "
                               "running at the notebook's time limit: many slow cells, or a loop "
                               "that ignores interrupts?)")
            return grade
        if run.result == STARTED:  # its log is the student's to write: not shown
            if run.returncode is not None and (run.returncode < 0 or run.returncode > 128):
                grade.notes.append("the notebook could not be run, not graded (its process was "
                                   "killed before handing out its answers: out of memory or CPU "
                                   "time, or the notebook ended it)")
            else:
                grader_failed(grade, f"the grader's worker stopped (exit status {run.returncode})")
            return grade
        notebook = judge(grade, run.result[len(STARTED):], exercises, settings.cell_timeout)
        if executed is not None and notebook is not None:
            _write_executed(notebook, executed)
    except Exception as error:  # a full disk, an unreadable file: this row only, not the others
        grader_failed(grade, f"{type(error).__name__}: {error}")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return grade


def _write_executed(data: object, path: Path) -> None:
    """Keep an executed notebook (``--executed``) if it is a valid notebook; it is data only."""
    try:
        notebook = nbformat.from_dict(data)
        nbformat.validate(notebook)
    except Exception:
        return
    nbformat.write(notebook, path)


class GraderFailure(RuntimeError):
    """The grader cannot grade on this machine; the message says what failed and the likely fix."""


def preflight_notebook(exercises: Sequence[Exercise]) -> nbformat.NotebookNode:
    """A notebook made by the grader: it imports the staged ``backproplib`` (and checks it is that
    copy) and sets every name the check calls read to ``...``, as a student version does."""
    names = sorted({node.id for exercise in exercises
                    for node in ast.walk(ast.parse(f"f({exercise.arguments})", mode="eval"))
                    if isinstance(node, ast.Name) and node.id != "f"})
    return nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell(
            "import os\nimport backproplib\n"
            "assert backproplib.__file__.startswith(os.environ['PYTHONPATH']), backproplib.__file__"),
        nbformat.v4.new_code_cell("".join(f"{name} = ...\n" for name in names)),
    ])


def _likely_fix(log: str, settings: Settings, note: str = "") -> str:
    """What to do about a failed preflight, guessed from the sandbox's output and the row's note
    (ours: no student's code ran in it)."""
    if "execvp" in log:
        return ("the sandbox cannot see a file the worker needs. Please report it with this "
                f"output and where your Python environment lives ({sys.prefix}).")
    if "namespace" in log or "uid map" in log or "Operation not permitted" in log:
        return sandbox.NAMESPACE_ADVICE
    if "bwrap:" in log:
        return (f"bubblewrap failed (its message is above). Check which bwrap runs "
                f"({shutil.which('bwrap')}) and that it works: `bwrap --ro-bind / / true`.")
    if "MemoryError" in log or "Cannot allocate memory" in log:
        return (f"the memory limit of a sandbox's process (--memory {settings.limits.memory_mb:g} "
                "MiB) is too small to start Python and a kernel: raise it (the default is 2048).")
    if "No module named" in log:
        return ("the Python environment that runs the grader lacks a package the notebooks need: "
                "in it, run `pip install -r requirements.txt -c constraints.txt`.")
    if "interrupted after" in note:
        return (f"the machine is too busy or slow for --cell-timeout {settings.cell_timeout:g} "
                "(the test notebook only imports the package): raise it.")
    if note.startswith("timed out"):
        return f"the machine is too busy or slow for --timeout {settings.timeout:g}: raise it."
    return ("run one of your own notebooks with --trusted to see whether a kernel starts at all "
            "in this Python environment; if it does, please report this output.")


def preflight(exercises: Sequence[Exercise], settings: Settings, staging: sandbox.Staging,
              hidden: Sequence[Path] = ()) -> None:
    """Grade :func:`preflight_notebook` exactly as a submission is graded (same sandbox, Python,
    limits and staged copy); raise :class:`GraderFailure` unless every check gave its verdict."""
    folder = Path(tempfile.mkdtemp(prefix="preflight_"))
    try:
        path = folder / "preflight.ipynb"
        nbformat.write(preflight_notebook(exercises), path)
        result = grade_submission(Submission("preflight", path), exercises, settings, staging,
                                  hidden)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    if all(status in CHECK_STATUSES for status in result.statuses.values()) and not result.note:
        return
    problem = result.note or "no check gave a verdict: " + ", ".join(
        f"{number} {status}" for number, status in result.statuses.items())
    tail = "\n".join("    " + line for line in plain_text(result.log).strip().splitlines()[-LOG_LINES:])
    raise GraderFailure(
        "the grader could not grade its own test notebook, so it graded no one "
        f"({'without a sandbox' if settings.trusted else 'in a bubblewrap sandbox'}, "
        f"Python {sys.executable}).\nWhat failed: {problem}.\n"
        f"Output of the sandbox and the worker (last lines):\n{tail or '    (none)'}\n"
        f"Likely fix: {_likely_fix(result.log, settings, result.note)}")


#: Lines of a sandbox's output shown for a failure of the grader.
LOG_LINES = 20


class GradeSheet:
    """The CSV grade sheet, one row written (and flushed) as soon as each grade is known, so a
    crash of the grader loses no finished grade; :meth:`finish` rewrites it in student order."""

    def __init__(self, path: Path, exercises: Sequence[Exercise]) -> None:
        self.path, self.numbers = path, [exercise.number for exercise in exercises]
        self.lock = threading.Lock()
        self.handle = open(path, "w", newline="", encoding="utf-8", errors="backslashreplace")
        self.writer = csv.writer(self.handle)
        self.writer.writerow(_header(self.numbers))
        self.handle.flush()

    def add(self, grade: Grade) -> None:
        with self.lock:
            self.writer.writerow(_row(grade, self.numbers))
            self.handle.flush()

    def close(self) -> None:
        self.handle.close()

    def finish(self, grades: Sequence[Grade], exercises: Sequence[Exercise]) -> None:
        self.close()
        partial = self.path.with_name(self.path.name + ".partial")
        write_csv(grades, exercises, partial)
        partial.replace(self.path)


def grade_folder(submissions: Sequence[Submission], exercises: Sequence[Exercise],
                 settings: Settings = Settings(), jobs: int = 2, executed_dir: Path | None = None,
                 hidden: Sequence[Path] = (), progress: bool = False,
                 sheet: Path | None = None) -> list[Grade]:
    """Grade every submission, ``jobs`` at a time; the grades come back in the same order.

    First :func:`preflight` (raises :class:`GraderFailure`: then nothing is graded or written).
    ``sheet``: the CSV, written row by row as grades arrive, then in the students' order.
    ``executed_dir`` also gets ``<student>.log``, the end of each sandbox's output.
    """
    if executed_dir is not None:
        executed_dir.mkdir(parents=True, exist_ok=True)
    folders = {submission.notebook.parent for submission in submissions if submission.notebook}
    hidden = [*hidden, *folders, *(folder.parent for folder in folders)]
    if executed_dir is not None:
        hidden.append(executed_dir)

    with sandbox.Staging(job_for(exercises, settings, executed_dir is not None)) as staging:
        preflight(exercises, settings, staging, hidden)
        grade_sheet = GradeSheet(sheet, exercises) if sheet is not None else None

        def one(submission: Submission) -> Grade:
            executed = executed_dir / f"{submission.student}.ipynb" if executed_dir else None
            grade = grade_submission(submission, exercises, settings, staging, hidden, executed)
            if grade_sheet is not None:
                grade_sheet.add(grade)
            if executed is not None and grade.log:
                try:
                    executed.with_suffix(".log").write_text(plain_text(grade.log), encoding="utf-8")
                except OSError as error:  # one student's file, not everyone's
                    print(f"warning: no log for {grade.student}: {error}", file=sys.stderr)
            if progress:
                print(f"{grade.student}: {grade.correct}/{len(exercises)} correct"
                      + (f" ({grade.note})" if grade.note else ""), flush=True)
            if grade.outcome == GRADER_PROBLEM:
                tail = plain_text(grade.log).strip().splitlines()[-LOG_LINES:]
                print(f"{grade.student}: the grader failed; the sandbox's output ended with:\n"
                      + "\n".join("    " + line for line in tail), file=sys.stderr, flush=True)
            return grade

        try:
            with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
                grades = list(pool.map(one, submissions))
        finally:  # the rows written so far stay, whatever stopped the grading
            if grade_sheet is not None:
                grade_sheet.close()
    if grade_sheet is not None:
        grade_sheet.finish(grades, exercises)
    return grades


_FORMULA = re.compile(r"(^|[,;\t|])\s*[=+\-@]")


def _cell(text: str) -> str:
    """A CSV cell a spreadsheet shows as text: no formula from a name such as '=1+1' or 'a;=1'."""
    return "'" + text if _FORMULA.search(text) else text


def _header(numbers: Sequence[str]) -> list[str]:
    return ["student", *[f"exercise {number}" for number in numbers], "correct", "note", "outcome"]


def _row(grade: Grade, numbers: Sequence[str]) -> list:
    return [_cell(grade.student), *[grade.statuses[n] for n in numbers], grade.correct,
            _cell(grade.note), grade.outcome]


def write_csv(grades: Sequence[Grade], exercises: Sequence[Exercise], path: Path) -> None:
    """One row per student: student, one status column per exercise, correct, note, outcome."""
    numbers = [exercise.number for exercise in exercises]
    with open(path, "w", newline="", encoding="utf-8", errors="backslashreplace") as handle:
        writer = csv.writer(handle)
        writer.writerow(_header(numbers))
        for grade in grades:
            writer.writerow(_row(grade, numbers))


def write_feedback(grades: Sequence[Grade], exercises: Sequence[Exercise], chapter: Path,
                   folder: Path) -> None:
    """``folder/<student>.txt``: each exercise's verdict with the check's message and hint.

    None for a row the grader failed on: it says nothing about the student's work.
    """
    folder.mkdir(parents=True, exist_ok=True)
    for grade in grades:
        if grade.outcome == GRADER_PROBLEM:
            print(f"warning: no feedback file for {grade.student}: the grader failed on it "
                  "(grade it again)", file=sys.stderr)
            continue
        lines = [f"{chapter.name}: {grade.correct} of {len(exercises)} exercises correct.", ""]
        lines += [exercise_feedback(grade, exercise) for exercise in exercises]
        if grade.note:
            lines += ["", f"Note: {grade.note}."]
        try:
            (folder / f"{grade.student}.txt").write_text(plain_text("\n".join(lines)) + "\n",
                                                          encoding="utf-8")
        except OSError as error:  # one student's file, not everyone's
            print(f"warning: no feedback file for {grade.student}: {error}", file=sys.stderr)


def add_time_limits(parser: argparse.ArgumentParser) -> None:
    """``--timeout``, ``--cell-timeout`` and ``--check-timeout`` (shared with classroom.gradescope)."""
    parser.add_argument("--timeout", type=float, default=300.0,
                        help="wall-clock limit for one whole notebook, seconds (default: 300)")
    parser.add_argument("--cell-timeout", type=float, default=None,
                        help="a cell running longer is interrupted, seconds (default: 60, or half "
                        "of --timeout if that is shorter)")
    parser.add_argument("--check-timeout", type=float, default=10.0,
                        help="limit for one call of a function a student wrote, seconds "
                        "(default: 10)")


def time_limits_problem(options: argparse.Namespace) -> str:
    """Fill in the default cell limit; what is wrong with the time limits ("" if nothing)."""
    if options.cell_timeout is None:
        options.cell_timeout = min(60.0, options.timeout / 2)
    if min(options.timeout, options.cell_timeout, options.check_timeout) <= 0:
        return "the time limits must be positive"
    if options.cell_timeout >= options.timeout:
        return (f"--cell-timeout ({options.cell_timeout:g} s) must be shorter than --timeout "
                f"({options.timeout:g} s): a cell that runs too long is interrupted and the next "
                "one runs, but a notebook still running at --timeout is stopped and not graded")
    return ""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m classroom.grade",
        description="Grade a folder of submitted notebooks with the checks of a chapter; write a CSV.")
    parser.add_argument("submissions", type=Path,
                        help="folder with one STUDENT.ipynb file or one STUDENT/ folder per student")
    parser.add_argument("--chapter", type=Path, required=True,
                        help="the instructor's chapter notebook, e.g. book/01_neurons_and_notation.ipynb")
    parser.add_argument("--out", type=Path, default=Path("grades.csv"), help="CSV to write (default: grades.csv)")
    add_time_limits(parser)
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1),
                        help="submissions run at the same time (default: 2, or 1 on one core)")
    parser.add_argument("--feedback", type=Path, default=None,
                        help="also write FEEDBACK/<student>.txt with the checks' messages")
    parser.add_argument("--executed", type=Path, default=None,
                        help="also keep each executed notebook as EXECUTED/<student>.ipynb")
    defaults = sandbox.Limits()
    parser.add_argument("--memory", type=int, default=defaults.memory_mb, metavar="MB",
                        help=f"memory of each process in a sandbox, MiB (default: {defaults.memory_mb})")
    parser.add_argument("--processes", type=int, default=defaults.processes,
                        help=f"processes and threads in a sandbox (default: {defaults.processes})")
    parser.add_argument("--disk", type=int, default=defaults.disk_mb, metavar="MB",
                        help=f"size of a sandbox's home folder and of its /tmp, MiB (default: "
                        f"{defaults.disk_mb})")
    parser.add_argument("--trusted", action="store_true",
                        help="run without a sandbox: ONLY for notebooks you trust (your own test "
                        "runs); any submission could then read and change your files")
    return parser


def main(arguments: Sequence[str] | None = None) -> int:
    options = build_parser().parse_args(arguments)
    if not options.submissions.is_dir():
        print(f"error: {options.submissions} is not a folder", file=sys.stderr)
        return 2
    problem = time_limits_problem(options) or ("" if options.jobs >= 1 else "--jobs must be at least 1")
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    if min(options.memory, options.processes, options.disk) < 1:
        print("error: --memory, --processes and --disk must be at least 1", file=sys.stderr)
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
    if not options.trusted:
        try:
            sandbox.check_available()
        except sandbox.SandboxUnavailable as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
    limits = sandbox.Limits(memory_mb=options.memory, processes=options.processes,
                            disk_mb=options.disk,
                            cpu_seconds=int(options.timeout) + 10)
    settings = Settings(options.timeout, options.cell_timeout,
                                           options.check_timeout, limits, options.trusted)
    hidden = [options.submissions, options.chapter.parent, options.out.resolve().parent,
              *([options.feedback] if options.feedback else [])]
    start = time.monotonic()
    try:
        grades = grade_folder(submissions, exercises, settings, options.jobs, options.executed,
                              hidden, progress=True, sheet=options.out)
    except (GraderFailure, sandbox.SandboxUnavailable) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if options.feedback:
        write_feedback(grades, exercises, options.chapter, options.feedback)
    outcomes = [grade.outcome for grade in grades]
    failed = outcomes.count(GRADER_PROBLEM)
    print(f"{len(grades)} submission(s) in {time.monotonic() - start:.0f} s"
          + (" WITHOUT a sandbox (--trusted)" if settings.trusted else "")
          + f": {outcomes.count(GRADED)} graded, {outcomes.count(SUBMISSION_PROBLEM)} not graded "
          f"(the submission's problem), {failed} not graded (the grader failed: grade them "
          f"again): {options.out}")
    if failed:
        print(f"error: the grader failed on {failed} submission(s), marked '{GRADER_FAILED}' in "
              f"{options.out}; nothing in their rows is the student's doing", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
