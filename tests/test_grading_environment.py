"""Grading works wherever the Python environment lives, and a failure of the grader is never
reported as the student's (issue 18, items 1-3).

- The sandbox shows the kernel its Python environment wherever it is: under the temporary
  folder, inside the clone (``.venv``), under ``$HOME``, with ``TMPDIR`` elsewhere; a class is
  graded right from a virtual environment under ``/tmp``.
- A preflight grades a notebook made by the grader through the students' path first; a
  sandbox that fails (a ``bwrap`` on ``PATH`` that fails every real run) stops the grader before
  anyone is graded: exit status 2, the cause named, no grade sheet, no feedback.
- A sandbox that fails after the preflight makes each row a ``grader failed`` row whose outcome
  is ``grader problem``, with no feedback file, and the grader exits 1.
- Rows are written as soon as they are graded; the autograder says which path graded, and
  ``setup.sh`` installs the versions of ``constraints.txt``.

The virtual environments are made with ``--system-site-packages``: they reuse this test run's
installed packages, so nothing is downloaded.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import nbformat
import pytest
from packaging.requirements import Requirement

from classroom import grade, sandbox
from classroom.run_submission import STARTED
from classroom.verdicts import new_grade

from .test_gradescope import _unpack, autograder_zip  # noqa: F401 (a fixture)
from .test_grading_attacks import (ALL_RIGHT, CHAPTER, EXPECTED_HONEST, SOLUTIONS, instructor_notebook,
                                   submission)

ROOT = Path(__file__).resolve().parent.parent
REAL_BWRAP = shutil.which("bwrap")


# --- what the sandbox shows, worked out from its arguments ------------------------------------


def test_a_later_mount_covers_an_earlier_one_below_it():
    covered = ["bwrap", "--ro-bind", "/x/venv", "/x/venv", "--size", "9", "--tmpfs", "/x"]
    kept = ["bwrap", "--size", "9", "--tmpfs", "/x", "--ro-bind", "/x/venv", "/x/venv"]
    assert sandbox.shown_inside(covered, "/x/venv/bin/python") is None
    assert sandbox.shown_inside(kept, "/x/venv/bin/python") == Path("/x/venv/bin/python")
    assert sandbox.shown_inside(kept, "/x/other") is None
    moved = ["bwrap", "--ro-bind", "/a/lib", "/opt/lib", "--setenv", "X", "/opt", "python"]
    assert sandbox.shown_inside(moved, "/opt/lib/m.py") == Path("/a/lib/m.py")
    assert sandbox.shown_inside(moved, "python") is None  # the command is not a mount


def _venv(where: Path) -> Path:
    """A virtual environment at ``where`` reusing this run's packages; its python."""
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", "--without-pip",
                    str(where)], check=True, timeout=120)
    return where / "bin" / "python"


def _clone(where: Path) -> Path:
    """The grader's files of this clone copied to ``where`` (a clone elsewhere)."""
    for name in ("backproplib", "classroom"):
        shutil.copytree(ROOT / name, where / name, ignore=shutil.ignore_patterns("__pycache__"))
    return where


#: Run by the environment's own python: the kernel's imports (as the kernel starts: no -I,
#: the environment bubblewrap sets), inside the grader's sandbox.
IMPORTS_INSIDE = """\
import subprocess, sys
from pathlib import Path
from classroom import sandbox
with sandbox.Staging({"exercises": []}) as staging:
    notebook = staging.folder.parent / (staging.folder.name + ".ipynb")
    notebook.write_text("{}")
    try:
        arguments = sandbox.bwrap_arguments(staging, notebook, sandbox.Limits())
        # as the worker starts: confined first (a fresh /tmp with a file limit), then the imports;
        # the environment must stay visible (the kernel is started from sys.executable), and
        # read-only
        code = ("import sys; sys.path.insert(0, %r); " % f"{sandbox.INSIDE_GRADER}/lib"
                + sandbox.confinement_code(sandbox.Limits())
                + "import os, numpy, ipykernel, nbclient, backproplib; "
                + "print(sys.prefix, backproplib.__file__, os.path.isfile(sys.executable), "
                + "os.access(sys.prefix, os.W_OK), "
                + "os.access('/tmp', os.W_OK))")
        run = subprocess.run(arguments + [sys.executable, "-c", code], capture_output=True,
                             text=True, env=sandbox.BARE_ENVIRONMENT, timeout=120)
    finally:
        notebook.unlink()
print(run.stdout.strip(), run.stderr.strip()[-500:], sys.prefix, sep="|")
"""


def _layout(kind: str, base: Path) -> tuple[Path, Path, dict[str, str]]:
    """(python, clone, environment) of a layout of the Python environment and the clone."""
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    clone = ROOT
    if kind == "venv under the temporary folder":
        python = _venv(base / "venv")
    elif kind == ".venv inside a clone under the temporary folder":
        clone = _clone(base / "clone")
        python = _venv(clone / ".venv")
        environment["PYTHONPATH"] = str(clone)
    elif kind == "venv under a home folder of mode 0700":
        home = base / "home"
        home.mkdir(mode=0o700)
        python = _venv(home / "venv")
        environment["HOME"] = str(home)
    elif kind == "venv under a folder whose name is not Latin-1, with a space":
        python = _venv(base / "ł 環境" / "venv")
    else:  # the grader's own temporary files (staged package, copies) away from the venv
        python = _venv(base / "venv")
        environment["TMPDIR"] = tempfile.mkdtemp(dir="/var/tmp", prefix="grading-test-")
    return python, clone, environment


LAYOUTS = ["venv under the temporary folder", ".venv inside a clone under the temporary folder",
           "venv under a home folder of mode 0700", "venv under /tmp, TMPDIR elsewhere",
           "venv under a folder whose name is not Latin-1, with a space"]


@pytest.mark.parametrize("kind", LAYOUTS)
def test_the_kernel_sees_its_python_environment_wherever_it_lives(kind, tmp_path):
    python, clone, environment = _layout(kind, tmp_path)
    try:
        completed = subprocess.run([str(python), "-c", IMPORTS_INSIDE], cwd=clone, env=environment,
                                   capture_output=True, text=True, timeout=180)
    finally:
        if "TMPDIR" in kind:
            shutil.rmtree(environment["TMPDIR"], ignore_errors=True)
    assert completed.returncode == 0, completed.stderr
    shown, error, prefix = completed.stdout.strip().split("|")
    assert prefix == str(python.parent.parent)  # the grader ran in that environment
    assert shown == f"{prefix} {sandbox.INSIDE_GRADER}/lib/backproplib/__init__.py True False True", error


def _chapter_and_class(base: Path, students: dict[str, dict[str, str]]) -> tuple[Path, Path]:
    """Chapter 5's small instructor notebook and a folder of submissions answering ``students``."""
    chapter = base / CHAPTER
    nbformat.write(instructor_notebook(), chapter)
    folder = base / "submissions"
    folder.mkdir()
    for name, answers in students.items():
        nbformat.write(submission(answers), folder / f"{name}.ipynb")
    return chapter, folder


HONEST = {"ann": ALL_RIGHT,  # the honest students of the attack suite, with their grades there
          "ben": {"5.1": SOLUTIONS["5.1"][1].replace("total / m", "total"),
                  "5.2": SOLUTIONS["5.2"][1], "5.3": "learning_rate = 0.003"},
          "cat": {}}


def test_a_class_is_graded_right_from_a_venv_under_the_temporary_folder(tmp_path):
    python, clone, environment = _layout("venv under the temporary folder", tmp_path)
    chapter, folder = _chapter_and_class(tmp_path, HONEST)
    out = tmp_path / "grades.csv"
    completed = subprocess.run(
        [str(python), "-m", "classroom.grade", str(folder), "--chapter", str(chapter), "--out",
         str(out), "--timeout", "120"], cwd=clone, env=environment, capture_output=True,
        text=True, timeout=600)
    assert completed.returncode == 0, completed.stderr
    with open(out, newline="", encoding="utf-8") as handle:
        rows = {row[0]: row[1:] for row in list(csv.reader(handle))[1:]}
    assert rows == {name: EXPECTED_HONEST[name] + ["graded"] for name in HONEST}
    assert "3 graded, 0 not graded (the submission's problem), 0 not graded" in completed.stdout


# --- a sandbox that fails ------------------------------------------------------------------------


def _broken_bwrap(folder: Path, after_preflight: bool) -> dict[str, str]:
    """A ``bwrap`` first on PATH: it starts the start-up probe (``... true``) with the real
    bubblewrap, and fails every real run (or every one after the first, the preflight's)."""
    folder.mkdir()
    script = folder / "bwrap"
    let_first_through = (f'[ -e "$0.used" ] || {{ touch "$0.used"; exec {REAL_BWRAP} "$@"; }}\n'
                         if after_preflight else "")
    script.write_text(
        "#!/bin/sh\nfor last; do :; done\n"
        f'[ "$last" = true ] && exec {REAL_BWRAP} "$@"\n' + let_first_through
        + 'echo "bwrap: simulated failure of this machine" >&2\nexit 1\n')
    script.chmod(0o755)
    return {**os.environ, "PATH": f"{folder}:{os.environ['PATH']}", "PYTHONPATH": str(ROOT)}


def _grade_with(environment: dict[str, str], base: Path) -> tuple[subprocess.CompletedProcess, Path, Path]:
    chapter, folder = _chapter_and_class(base, HONEST)
    out, feedback = base / "grades.csv", base / "feedback"
    completed = subprocess.run(
        [sys.executable, "-m", "classroom.grade", str(folder), "--chapter", str(chapter), "--out",
         str(out), "--feedback", str(feedback), "--timeout", "120"], cwd=ROOT, env=environment,
        capture_output=True, text=True, timeout=600)
    return completed, out, feedback


def test_a_sandbox_broken_after_the_probe_stops_the_grader_before_any_student(tmp_path):
    environment = _broken_bwrap(tmp_path / "bin", after_preflight=False)
    completed, out, feedback = _grade_with(environment, tmp_path)
    assert completed.returncode == 2
    assert "could not grade its own test notebook, so it graded no one" in completed.stderr
    assert "bwrap: simulated failure of this machine" in completed.stderr  # bubblewrap's words
    assert "Likely fix: bubblewrap failed" in completed.stderr
    assert not out.exists() and not feedback.exists()
    assert "correct" not in completed.stdout  # no row, not even a "0/4 correct"


def test_a_sandbox_that_fails_after_the_preflight_blames_the_grader_not_the_students(tmp_path):
    environment = _broken_bwrap(tmp_path / "bin", after_preflight=True)
    completed, out, feedback = _grade_with(environment, tmp_path)
    assert completed.returncode == 1
    assert "the grader failed on 3 submission(s)" in completed.stderr
    assert "bwrap: simulated failure of this machine" in completed.stderr
    with open(out, newline="", encoding="utf-8") as handle:
        header, *rows = list(csv.reader(handle))
    assert header[-1] == "outcome" and [row[0] for row in rows] == sorted(HONEST)
    for row in rows:
        assert row[1:5] == ["grader failed"] * 4 and row[5] == "0"
        assert row[6].startswith("grader failure: the sandbox or the grader's worker did not start")
        assert row[7] == "grader problem"
    assert not list(feedback.glob("*.txt"))  # nothing that speaks to a student
    assert "0 graded, 0 not graded (the submission's problem), 3 not graded" in completed.stdout


# --- whose problem: how a run ended decides it --------------------------------------------------


@pytest.mark.parametrize("result, log, returncode, outcome, note", [
    (b"", "bwrap: execvp /tmp/v/bin/python: No such file or directory", 1, "grader problem",
     "grader failure: the sandbox or the grader's worker did not start"),
    (STARTED, "Traceback (most recent call last): ... KeyError", 1, "grader problem",
     "grader failure: the grader's worker stopped (exit status 1)"),
    (STARTED, "", 137, "submission problem", "the notebook could not be run"),
    (STARTED, "", -9, "submission problem", "the notebook could not be run"),
    (STARTED + json.dumps({"harness_problem": "the notebook could not be run (RuntimeError)",
                           "kernel_started": False}).encode(), "", 0, "grader problem",
     "grader failure: the notebook's kernel could not start"),
    (STARTED + json.dumps({"unreadable": "JSONDecodeError"}).encode(), "", 0,
     "submission problem", "notebook unreadable"),
])
def test_each_way_a_run_ends_is_someones_problem(monkeypatch, tmp_path, result, log, returncode,
                                                 outcome, note):
    run = sandbox.SandboxRun(result, log, False, returncode)
    monkeypatch.setattr(sandbox, "run_sandboxed", lambda *arguments, **options: run)
    notebook = tmp_path / "ann.ipynb"
    nbformat.write(submission({}), notebook)
    exercises = grade.load_trusted_exercises(_chapter_and_class(tmp_path, {})[0])
    with sandbox.Staging({"exercises": []}) as staging:
        graded = grade.grade_submission(grade.Submission("ann", notebook), exercises,
                                        grade.Settings(), staging)
    assert graded.outcome == outcome
    assert graded.note.startswith(note), graded.note
    assert graded.log == log  # kept for the instructor


def test_a_preflight_cut_short_by_the_cell_limit_says_to_raise_it(monkeypatch, tmp_path):
    # its only cell imports the package: interrupted, it means the machine is slower than the limit
    result = STARTED + json.dumps({"answers": {}, "error_cells": [], "interrupted_cells": [1],
                                   "kernel_died_in": None, "kernel_started": True}).encode()
    monkeypatch.setattr(sandbox, "run_sandboxed",
                        lambda *arguments, **options: sandbox.SandboxRun(result, "", False, 0))
    exercises = grade.load_trusted_exercises(_chapter_and_class(tmp_path, {})[0])
    with sandbox.Staging({"exercises": []}) as staging, pytest.raises(grade.GraderFailure) as failure:
        grade.preflight(exercises, grade.Settings(cell_timeout=4), staging)
    assert "cell 1 interrupted after 4 s" in str(failure.value)
    assert "Likely fix: the machine is too busy or slow for --cell-timeout 4" in str(failure.value)


def test_a_grader_problem_row_gets_no_feedback_file(tmp_path, capsys):
    exercises = grade.load_trusted_exercises(_chapter_and_class(tmp_path, {})[0])
    failed, unfilled = new_grade("ann", exercises), new_grade("ben", exercises)
    grade.grader_failed(failed, "the sandbox or the grader's worker did not start")
    grade.write_feedback([failed, unfilled], exercises, tmp_path / CHAPTER, tmp_path / "feedback")
    assert [path.name for path in (tmp_path / "feedback").iterdir()] == ["ben.txt"]
    assert "no feedback file for ann: the grader failed on it" in capsys.readouterr().err


def test_each_row_is_on_disk_as_soon_as_it_is_graded(monkeypatch, tmp_path):
    chapter, folder = _chapter_and_class(tmp_path, {"ann": {}, "ben": {}})
    out = tmp_path / "grades.csv"

    def grade_then_crash(submission, exercises, *arguments, **options):
        if submission.student == "ben":
            assert "ann," in out.read_text()  # ann's row is on disk before ben is graded
            raise KeyboardInterrupt  # the grader dies while grading ben
        done = new_grade(submission.student, exercises)
        done.statuses = dict.fromkeys(done.statuses, "not yet done")
        return done

    monkeypatch.setattr(grade, "preflight", lambda *arguments, **options: None)
    monkeypatch.setattr(grade, "grade_submission", grade_then_crash)
    with pytest.raises(KeyboardInterrupt):
        grade.main([str(folder), "--chapter", str(chapter), "--out", str(out), "--jobs", "1"])
    assert out.read_text().splitlines()[1] == "ann,not yet done,not yet done,not yet done,not yet done,0,,graded"


# --- Gradescope ---------------------------------------------------------------------------------


def _autograde(autograder_zip: Path, root: Path, environment: dict[str, str]) -> tuple[dict, str]:
    _unpack(autograder_zip, root, {CHAPTER: nbformat.writes(submission(ALL_RIGHT)).encode()})
    environment = {**environment, "AUTOGRADER_ROOT": str(root), "AUTOGRADER_PYTHON": sys.executable,
                   "AUTOGRADER_USER": "root" if os.geteuid() == 0 else os.environ.get("USER", "")}
    environment.pop("PYTHONPATH", None)
    completed = subprocess.run(["bash", str(root / "source" / "run_autograder")], env=environment,
                               capture_output=True, text=True, timeout=300)
    assert completed.returncode == 0, completed.stderr
    return json.loads((root / "results" / "results.json").read_text()), completed.stdout


def test_the_autograder_says_it_failed_instead_of_grading_zeros(autograder_zip, tmp_path):
    environment = _broken_bwrap(tmp_path / "bin", after_preflight=False)
    data, output = _autograde(autograder_zip, tmp_path / "root", environment)
    assert data["tests"] == [] and data["score"] == 0.0
    assert data["output"].startswith("The autograder could not grade your notebook. This is not "
                                     "a problem of your notebook")
    assert "bwrap: simulated failure of this machine" in output  # for the instructor
    assert "in a bubblewrap sandbox" in output


def test_the_autograder_says_when_it_grades_without_a_sandbox(autograder_zip, tmp_path):
    folder = tmp_path / "bin"
    folder.mkdir()
    (folder / "bwrap").write_text("#!/bin/sh\necho 'bwrap: No permissions to create new "
                                  "namespace' >&2\nexit 1\n")
    (folder / "bwrap").chmod(0o755)
    environment = {**os.environ, "PATH": f"{folder}:{os.environ['PATH']}"}
    data, output = _autograde(autograder_zip, tmp_path / "root", environment)
    if os.geteuid() != 0:  # no user to switch to: the autograder cannot isolate the notebook
        assert data["tests"] == [] and "not run as root" in output
        return
    assert data["output"] == "4 of 4 exercises correct."
    assert "WITHOUT a sandbox" in output and "No permissions to create new namespace" in output
    assert "run the grader as root" not in output  # it did not help in Gradescope's container


def test_setup_installs_the_versions_the_book_was_made_with(autograder_zip):
    with zipfile.ZipFile(autograder_zip) as archive:
        setup = archive.read("setup.sh").decode()
        requirements = archive.read("requirements.txt").decode().splitlines()
        constraints = archive.read("constraints.txt").decode()
    assert constraints == (ROOT / "constraints.txt").read_text()
    assert "-r /autograder/source/requirements.txt \\\n    -c /autograder/source/constraints.txt" in setup
    pins = {Requirement(line).name.lower(): Requirement(line).specifier for line in
            constraints.splitlines() if line and not line.startswith("#")}
    for line in requirements:
        requirement = Requirement(line)
        (version,) = [spec.version for spec in pins[requirement.name.lower()]]
        assert requirement.specifier.contains(version), line  # the pin lies in the range


@pytest.mark.parametrize("log, note, fix", [
    ("bwrap: execvp /tmp/v/bin/python: No such file or directory", "", "cannot see a file"),
    ("bwrap: No permissions to create new namespace", "", "needs user namespaces"),
    ("bwrap: setting up uid map: Permission denied", "", "needs user namespaces"),
    ("bwrap: Can't mount proc on /newroot/proc: Device or resource busy", "", "bubblewrap failed"),
    ("/venv/bin/python: No module named ipykernel_launcher", "", "lacks a package"),
    # a newcomer's --memory 40: the advice was to install the requirements again
    ("    import numpy\nMemoryError", "", "(--memory 2048 MiB) is too small"),
    ("", "cell 1 interrupted after 60 s", "too busy or slow for --cell-timeout 60"),
    ("", "timed out after 300 s, not graded", "too busy or slow for --timeout 300"),
    ("", "", "run one of your own notebooks with --trusted"),
])
def test_a_failed_preflight_names_the_likely_fix(log, note, fix):
    assert fix in grade._likely_fix(log, grade.Settings(), note)
