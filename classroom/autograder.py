"""Grade one Gradescope submission inside Gradescope's container; write ``results.json``.

Gradescope runs ``run_autograder`` (written by :mod:`classroom.gradescope`) once per submission,
as root, in a container holding ``/autograder/source`` (the unpacked autograder),
``/autograder/submission`` (what the student uploaded) and ``/autograder/results``. This module is
what ``run_autograder`` starts. It grades exactly as ``classroom.grade`` grades one row:

- the student's notebook runs as the unprivileged user ``student`` (made by ``setup.sh``), who
  cannot write the results folder or the autograder's source; inside a bubblewrap sandbox when the
  container allows one (it then sees only its notebook and the Python environment), or without one
  when it does not (many containers forbid the namespaces bubblewrap needs); in both cases every
  process of that user is ended when the notebook is done or its time is up;
- its answers leave as plain data, and the chapter's checks run here, in this trusted process,
  which alone writes ``results.json``: one test per exercise (1 point each) with the check's
  message and hint, the total score, and an overall message for a submission that could not be
  graded (no notebook, unreadable, timed out).

Before the student's notebook, a notebook made by the grader runs through exactly the same path
(:func:`classroom.grade.preflight`). If it, or the student's run, fails on the grader's side (the
sandbox or the worker did not start), ``results.json`` has no test and says that the autograder,
not the notebook, failed; the details go to the output, which only the instructor sees. That
output also says which path graded the notebook: a bubblewrap sandbox, or the user switch alone
(and why bubblewrap could not start).

Environment variables (for testing the autograder outside Gradescope): ``AUTOGRADER_ROOT``
(instead of ``/autograder``), ``AUTOGRADER_USER`` (instead of ``student``) and
``AUTOGRADER_SANDBOX=off`` (never try bubblewrap).
"""

from __future__ import annotations

import json
import os
import pwd
import sys
from pathlib import Path
from typing import Sequence

from . import sandbox
from .convention import Exercise
from .grade import (LOG_LINES, GraderFailure, Settings, Submission, folder_submission,
                    grade_submission, job_for, plain_text, preflight)
from .verdicts import CORRECT, GRADER_PROBLEM, SUBMISSION_PROBLEM, Grade, exercise_feedback, new_grade


def exercises_of(job: dict) -> list[Exercise]:
    """The exercises named in the autograder's ``job.json``."""
    return [Exercise(number, -1, -1, (), (), module, function, arguments)
            for number, module, function, arguments in job["exercises"]]


def results(grade: Grade, exercises: Sequence[Exercise], problem: str = "") -> dict:
    """Gradescope's ``results.json`` for one graded submission."""
    tests = []
    for exercise in exercises:
        passed = grade.statuses[exercise.number] == CORRECT
        tests.append({"name": f"Exercise {exercise.number}", "number": exercise.number,
                      "score": 1.0 if passed else 0.0, "max_score": 1.0,
                      "status": "passed" if passed else "failed",
                      "output": plain_text(exercise_feedback(grade, exercise)),
                      "visibility": "visible"})
    summary = problem or f"{grade.correct} of {len(exercises)} exercises correct."
    if grade.note and not problem:
        summary += f" Note: {grade.note}."
    return {"score": float(grade.correct), "output": summary, "tests": tests,
            "visibility": "visible", "stdout_visibility": "hidden"}


def _unprivileged_user() -> tuple[int, int] | None:
    if os.geteuid() != 0:
        return None  # already an ordinary user: the sandbox is the only wall
    entry = pwd.getpwnam(os.environ.get("AUTOGRADER_USER", "student"))
    return entry.pw_uid, entry.pw_gid


def not_graded_by_us(problem: str) -> dict:
    """``results.json`` when the autograder itself failed: no test, nothing about the student's
    work; ``problem`` is printed for the instructor (Gradescope shows them its output)."""
    print(f"The autograder failed, not the student's notebook: {problem}")
    return {"score": 0.0, "tests": [], "visibility": "visible", "stdout_visibility": "hidden",
            "output": "The autograder could not grade your notebook. This is not a problem of "
            "your notebook: tell your instructor, who can see what went wrong."}


def grade_upload(root: Path) -> dict:
    """Grade ``root/submission`` with ``root/source/job.json``; the results to write.

    Prints which path grades the notebook (for the instructor): a bubblewrap sandbox, or, where
    the container cannot start one, the user switch alone.
    """
    job = json.loads((root / "source" / "job.json").read_text())
    exercises = exercises_of(job)
    submission = folder_submission(root / "submission", job["chapter"])
    if submission.notebook is None:
        grade = new_grade("submission", exercises)
        return results(grade, exercises, f"Not graded: {submission.problem}. Upload your notebook "
                       f"({job['chapter']}), the .ipynb file itself.")
    run_as = _unprivileged_user()
    user = os.environ.get("AUTOGRADER_USER", "student") if run_as else pwd.getpwuid(os.getuid())[0]
    why = "AUTOGRADER_SANDBOX=off" if os.environ.get("AUTOGRADER_SANDBOX") == "off" else ""
    if not why:
        try:
            sandbox.check_available(run_as)
        except sandbox.SandboxUnavailable as error:
            why = str(error)
    if why and run_as is None:
        return not_graded_by_us("no sandbox (" + why + "), and not run as root to switch to an "
                                "unprivileged user: the notebook cannot be isolated.")
    print(f"Graded as the unprivileged user '{user}', " + (
        "in a bubblewrap sandbox." if not why else f"WITHOUT a sandbox: {why}"), flush=True)
    settings = Settings(job["timeout"], job["cell_timeout"], job["check_timeout"],
                        sandbox.Limits(cpu_seconds=int(job["timeout"]) + 10),
                        trusted=bool(why), run_as=run_as)
    hidden = [root / "source", root / "results"]
    with sandbox.Staging(job_for(exercises, settings, keep_executed=False)) as staging:
        try:
            preflight(exercises, settings, staging, hidden)
        except GraderFailure as error:
            return not_graded_by_us(str(error))
        grade = grade_submission(Submission("submission", submission.notebook), exercises,
                                 settings, staging, hidden=hidden)
    if grade.outcome == GRADER_PROBLEM:
        tail = "\n".join(plain_text(grade.log).strip().splitlines()[-LOG_LINES:])
        return not_graded_by_us(f"{grade.note}. Output of the sandbox and the worker (last "
                                f"lines):\n{tail}")
    problem = ""
    if grade.outcome == SUBMISSION_PROBLEM:
        problem = f"Not graded: {grade.note}."
    return results(grade, exercises, problem)


def write_private(path: Path, text: str) -> None:
    """Write ``text`` to a new ``path`` that only its owner (the grader, root) can read: not the
    user ``student``, whatever of it might still run."""
    path.unlink(missing_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    with open(descriptor, "w", encoding="utf-8") as handle:
        os.fchmod(descriptor, 0o600)  # whatever the umask
        handle.write(text)


def main() -> int:
    root = Path(os.environ.get("AUTOGRADER_ROOT", "/autograder"))
    try:
        data = grade_upload(root)
    except Exception as error:  # the autograder itself failed: say so, do not leave no result
        data = not_graded_by_us(f"{type(error).__name__}: {error}")
    out = root / "results" / "results.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_suffix(".partial")
    write_private(partial, json.dumps(data, indent=1))
    partial.replace(out)
    print(data["output"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
