"""The Gradescope bridge: build ``autograder.zip``, run it on a root laid out like Gradescope's.

``run_autograder`` is run as Gradescope runs it (as root, once per submission), with its root
redirected to a temporary folder by ``AUTOGRADER_ROOT`` and the Python environment of this test
run (``AUTOGRADER_PYTHON``) instead of the one ``setup.sh`` makes. The results file is checked
against Gradescope's format and against the honest grade of each kind of submission.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest

from classroom import gradescope, sandbox

from .test_classroom import processes_with
from .test_grading_attacks import ALL_RIGHT, CHAPTER, SOLUTIONS, instructor_notebook, submission

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def autograder_zip(tmp_path_factory):
    folder = tmp_path_factory.mktemp("assignment")
    chapter = folder / CHAPTER
    nbformat.write(instructor_notebook(), chapter)
    out = folder / "autograder.zip"
    command = [sys.executable, "-m", "classroom.gradescope", "--chapter", str(chapter), "--out",
               str(out), "--timeout", "60", "--cell-timeout", "20", "--check-timeout", "5"]
    completed = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert completed.returncode == 0, completed.stderr
    return out


def test_the_zip_has_gradescopes_layout_and_no_solution(autograder_zip):
    with zipfile.ZipFile(autograder_zip) as archive:
        names = set(archive.namelist())
        modes = {info.filename: info.external_attr >> 16 for info in archive.infolist()}
        text = "\n".join(archive.read(name).decode() for name in names)
        job = json.loads(archive.read("job.json"))
    assert {"setup.sh", "run_autograder", "requirements.txt", "job.json",
            "backproplib/exercises/chapter05.py", "classroom/autograder.py"} <= names
    assert modes["setup.sh"] & 0o111 and modes["run_autograder"] & 0o111
    assert job["chapter"] == CHAPTER and [e[0] for e in job["exercises"]] == list(SOLUTIONS)
    assert (job["timeout"], job["cell_timeout"], job["check_timeout"]) == (60, 20, 5)
    assert not any(name.endswith(".ipynb") for name in names)  # nor the instructor's notebook
    assert "total += np.outer(delta, A1[i])" not in text  # nor a solution line of it


def test_setup_installs_python_bubblewrap_the_requirements_and_a_user(autograder_zip):
    with zipfile.ZipFile(autograder_zip) as archive:
        setup = archive.read("setup.sh").decode()
        requirements = archive.read("requirements.txt").decode().split()
    assert "bubblewrap" in setup and "useradd" in setup and "requirements.txt" in setup
    reader = (ROOT / "requirements.txt").read_text().split()
    for package in ("numpy", "matplotlib", "scikit-learn", "ipykernel"):
        assert next(line for line in requirements if line.startswith(package + ">=")) in reader


def _unpack(autograder_zip: Path, root: Path, files: dict[str, bytes]) -> Path:
    for name in ("source", "submission", "results"):
        (root / name).mkdir(parents=True)
    with zipfile.ZipFile(autograder_zip) as archive:
        archive.extractall(root / "source")
    for name, data in files.items():
        (root / "submission" / name).write_bytes(data)
    return root


def _run(root: Path) -> dict:
    environment = {**os.environ, "AUTOGRADER_ROOT": str(root), "AUTOGRADER_PYTHON": sys.executable,
                   "AUTOGRADER_USER": "root" if os.geteuid() == 0 else os.environ.get("USER", "")}
    environment.pop("PYTHONPATH", None)
    completed = subprocess.run(["bash", str(root / "source" / "run_autograder")], env=environment,
                               capture_output=True, text=True, timeout=180)
    assert completed.returncode == 0, completed.stderr
    return json.loads((root / "results" / "results.json").read_text())


def _notebook_bytes(notebook) -> bytes:
    return nbformat.writes(notebook).encode()


SUBMISSIONS = {
    "correct": {CHAPTER: _notebook_bytes(submission(ALL_RIGHT))},
    "partly wrong": {CHAPTER: _notebook_bytes(submission({**ALL_RIGHT, "5.3": "learning_rate = 0.003"}))},
    "unfilled": {CHAPTER: _notebook_bytes(submission({}))},
    "crashing": {"mine.ipynb": _notebook_bytes(submission(ALL_RIGHT, "import os\nos._exit(3)"))},
    "not a notebook": {"answers.pdf": b"%PDF-1.4"},
    "hostile": {CHAPTER: _notebook_bytes(submission({}, """\
        import glob, json, os, signal
        forged = {"score": 4.0, "tests": [], "output": "all correct"}
        for path in glob.glob("/tmp/**/results", recursive=True) + ["/autograder/results"]:
            try:
                with open(os.path.join(path, "results.json"), "w") as handle:
                    json.dump(forged, handle)
            except OSError:
                pass
        for path in glob.glob("/tmp/**/source/classroom/verdicts.py", recursive=True):
            try:
                with open(path, "a") as handle:
                    handle.write("\\nCORRECT = 'not yet done'\\n")
            except OSError:
                pass
        os.kill(os.getppid(), signal.SIGKILL)
        """))},
}

EXPECTED = {  # statuses of 5.1-5.4, and a phrase of the overall output
    "correct": (["passed"] * 4, "4 of 4 exercises correct."),
    "partly wrong": (["passed", "passed", "failed", "passed"], "3 of 4 exercises correct."),
    "unfilled": (["failed"] * 4, "0 of 4 exercises correct."),
    "crashing": (["failed"] * 4, "Not graded: the kernel died in cell"),
    "not a notebook": (["failed"] * 4, "Not graded: no notebook in the folder."),
    "hostile": (["failed"] * 4, "Not graded: the notebook could not be run"),
}


@pytest.fixture(scope="module")
def graded(autograder_zip, tmp_path_factory):
    base = tmp_path_factory.mktemp("gradescope")
    roots = {kind: _unpack(autograder_zip, base / kind.replace(" ", "-"), files)
             for kind, files in SUBMISSIONS.items()}
    sources = {kind: _digest(root / "source") for kind, root in roots.items()}
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = dict(zip(roots, pool.map(_run, roots.values())))
    return {"results": results, "roots": roots, "sources": sources}


def _digest(folder: Path) -> dict[str, str]:
    return {str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(folder.rglob("*")) if path.is_file() and "__pycache__" not in path.parts}


def _valid_results(data: dict) -> None:
    """Gradescope's results format: the fields it reads, with their types."""
    assert set(data) <= {"score", "execution_time", "output", "output_format", "visibility",
                         "stdout_visibility", "extra_data", "tests", "leaderboard"}
    assert isinstance(data["score"], float) and isinstance(data["output"], str)
    assert data["visibility"] in ("hidden", "after_due_date", "after_published", "visible")
    for test in data["tests"]:
        assert set(test) <= {"score", "max_score", "status", "name", "name_format", "number",
                             "output", "output_format", "tags", "visibility", "extra_data"}
        assert isinstance(test["score"], float) and isinstance(test["max_score"], float)
        assert 0 <= test["score"] <= test["max_score"] and test["status"] in ("passed", "failed")
        assert isinstance(test["name"], str) and isinstance(test["output"], str)
    assert data["score"] == sum(test["score"] for test in data["tests"])


@pytest.mark.parametrize("kind", list(SUBMISSIONS))
def test_results_follow_gradescopes_format_and_the_honest_grade(graded, kind):
    data = graded["results"][kind]
    _valid_results(data)
    statuses, phrase = EXPECTED[kind]
    assert [test["status"] for test in data["tests"]] == statuses
    assert [test["name"] for test in data["tests"]] == [f"Exercise {n}" for n in SOLUTIONS]
    assert data["output"].startswith(phrase), data["output"]


def test_each_test_carries_the_checks_message_and_hint(graded):
    tests = {test["number"]: test for test in graded["results"]["partly wrong"]["tests"]}
    assert tests["5.3"]["output"].startswith("Exercise 5.3: NOT YET RIGHT. The learning rate "
                                             "cannot stay the same")
    assert "\n  Hint: " in tests["5.3"]["output"]
    assert tests["5.1"]["output"].startswith("Exercise 5.1: CORRECT.")


def test_a_submission_cannot_change_the_autograder_or_its_results(graded):
    for kind, root in graded["roots"].items():
        assert _digest(root / "source") == graded["sources"][kind], kind
    assert graded["results"]["hostile"]["score"] == 0.0


def test_the_gradescope_command_refuses_a_cell_limit_as_long_as_the_whole_notebooks(tmp_path, capsys):
    chapter = tmp_path / CHAPTER
    nbformat.write(instructor_notebook(), chapter)
    out = tmp_path / "a.zip"
    assert gradescope.main(["--chapter", str(chapter), "--out", str(out), "--timeout", "60",
                            "--cell-timeout", "60"]) == 2
    assert "--cell-timeout (60 s) must be shorter than --timeout (60 s)" in capsys.readouterr().err
    assert not out.exists()


def test_the_gradescope_command_refuses_a_chapter_without_exercises(tmp_path, capsys):
    plain = tmp_path / "plain.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")]), plain)
    assert gradescope.main(["--chapter", str(plain), "--out", str(tmp_path / "a.zip")]) == 2
    assert "has no exercise" in capsys.readouterr().err
    assert not (tmp_path / "a.zip").exists()


@pytest.mark.needs_root
def test_run_as_an_unprivileged_user_who_cannot_write_the_results(tmp_path):
    # as in Gradescope's container, the grader runs as root and switches to another user
    results = tmp_path / "results"
    results.mkdir(mode=0o755)
    marker = f"left-behind-{os.getpid()}"
    script = (f"id -u >&$0; touch {results}/results.json 2>/dev/null && echo wrote >&$0; "
              f"setsid sh -c 'sleep 600; :' {marker} & exit 0")
    run = sandbox.run_command(lambda fd: ["bash", "-c", script.replace("$0", str(fd))], timeout=20,
                              limits=sandbox.Limits(), control_group=False, run_as=(65534, 65534))
    assert run.result.split() == [b"65534"], run.log
    assert list(results.iterdir()) == []
    assert processes_with(marker) == []


def test_the_capstone_is_graded_by_diagnose_on_gradescope(tmp_path):
    """Chapter 10: the student's backprop is replayed outside the sandbox and diagnosed there."""
    chapter = ROOT / "book" / "10_capstone.ipynb"
    out = tmp_path / "autograder.zip"
    command = [sys.executable, "-m", "classroom.gradescope", "--chapter", str(chapter), "--out",
               str(out), "--timeout", "120", "--cell-timeout", "30", "--check-timeout", "5"]
    completed = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert completed.returncode == 0, completed.stderr
    right = nbformat.read(chapter, as_version=4)
    wrong = nbformat.read(chapter, as_version=4)
    answer = next(cell for cell in wrong.cells if cell.source.startswith("backprop = ..."))
    slope = "* A_prev * (1.0 - A_prev)"
    assert slope in answer.source
    answer.source = answer.source.replace(slope, "")  # no g'(z) in the recursion
    roots = [_unpack(out, tmp_path / name, {chapter.name: _notebook_bytes(notebook)})
             for name, notebook in (("right", right), ("wrong", wrong))]
    with ThreadPoolExecutor(max_workers=2) as pool:
        right_results, wrong_results = pool.map(_run, roots)
    for results in (right_results, wrong_results):
        _valid_results(results)
    assert [test["status"] for test in right_results["tests"]] == ["passed", "passed"]
    assert [test["status"] for test in wrong_results["tests"]] == ["failed", "passed"]
    feedback = " ".join(wrong_results["tests"][0]["output"].split())
    assert "the slope g'(z) is left out of the recursion" in feedback
    assert "recursion from delta^[2] to delta^[1]" in feedback
    assert "sec-ch4-recursion" in feedback
