"""The worker's result is the only thing believed from a sandbox: the student's kernel, which runs
beside it as the same user, can neither write it (through the worker's descriptors or memory)
nor make the worker fail by what it shows, and so cannot pass its own failure off as the
grader's ("grader failed", no feedback, exit status 1)."""

from __future__ import annotations

import json
import textwrap

import nbformat
import pytest

from classroom import grade, sandbox
from classroom.run_submission import read_answers
from classroom.verdicts import GRADER_PROBLEM

from .test_grading_isolation import REPORT, run_notebook


#: The kernel opens the worker's pipes (its parent's descriptors) and memory; where it can write
#: a pipe, it writes a result that claims the kernel never started and kills the worker, so that
#: what it wrote is all the grader reads.
FORGE = textwrap.dedent("""\
    import json, os, signal
    worker, found = os.getppid(), {}
    forged = json.dumps({"answers": None, "error_cells": [], "interrupted_cells": [],
                         "unreadable": "", "kernel_died_in": None, "kernel_started": False,
                         "harness_problem": "forged"}).encode()
    try:
        descriptors = os.listdir(f"/proc/{worker}/fd")
    except OSError as error:
        descriptors, found["listing"] = [], error.strerror
    wrote = False
    for fd in descriptors:
        try:
            if not os.readlink(f"/proc/{worker}/fd/{fd}").startswith("pipe:") or int(fd) < 3:
                continue
            channel = os.open(f"/proc/{worker}/fd/{fd}", os.O_WRONLY | os.O_NONBLOCK)
            os.write(channel, forged)
            os.close(channel)
            wrote = True
        except OSError as error:
            found[fd] = error.strerror
    try:
        open(f"/proc/{worker}/mem", "rb").close()
        found["mem"] = "opened"
    except OSError as error:
        found["mem"] = error.strerror
    if wrote:
        os.kill(worker, signal.SIGKILL)
    report = json.dumps(found)
    """)


def test_the_kernel_cannot_write_the_workers_result_or_read_its_memory(tmp_path):
    found = run_notebook(FORGE, tmp_path)  # the worker's own result, not the forged one
    assert found.get("mem") != "opened"
    assert found.get("listing") or found.keys() - {"mem"}, found  # it tried, and was refused


def test_a_forged_result_is_never_the_graders_failure(tmp_path):
    notebook = tmp_path / "forger.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(FORGE)]), notebook)
    settings = grade.Settings(timeout=120, cell_timeout=100)
    with sandbox.Staging(grade.job_for([REPORT], settings, keep_executed=False)) as staging:
        result = grade.grade_submission(grade.Submission("forger", notebook), [REPORT], settings,
                                        staging, hidden=[tmp_path])
    assert result.outcome != GRADER_PROBLEM, result.note


@pytest.mark.parametrize("shown", ["{not json", "[1, 2]", "7", "[" * 100_000, '{"a": ' * 990 + "1" + "}" * 990])
def test_an_answers_line_that_is_not_an_object_is_malformed_not_a_crash(shown):
    line = {"output_type": "stream", "name": "stdout", "text": "N0NCE" + shown + "\n"}
    assert read_answers({"outputs": [line]}, "N0NCE") == (None, "malformed")


@pytest.mark.parametrize("name", ["mallory\nann: 4 of 4 correct", "ann\t", "tab\tin", "cr\rann"])
def test_a_name_with_a_line_break_or_tab_shows_as_one_printable_line(name, tmp_path):
    # a progress line such as "ann: 4/4 correct" must not be forgeable from a file name
    (tmp_path / f"{name}.ipynb").write_text("{}")
    (student,) = [submission.student for submission in grade.find_submissions(tmp_path, "x.ipynb")]
    assert student.isprintable() and student == grade.student_name(name), repr(student)


def test_an_answers_line_larger_than_the_grader_reads_is_not_parsed():
    big = '{"5.3": {"missing": "' + "x" * 2000 + '"}}'
    line = {"output_type": "stream", "name": "stdout", "text": "N0NCE" + big + "\n"}
    assert read_answers({"outputs": [line]}, "N0NCE", max_chars=1000) == (None, "too large")
    assert read_answers({"outputs": [line]}, "N0NCE", max_chars=5000)[1] == ""
