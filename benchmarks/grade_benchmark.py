"""Time the grader on a generated class of chapter 5 submissions, with and without the sandbox.

Run from the repository root (the reader's install and bubblewrap are enough; it takes about
ten minutes on two cores)::

    python benchmarks/grade_benchmark.py [--students 200] [--sample 10] [--jobs 2]

It writes a class of ``--students`` notebooks made from ``book/05_batch_averaging.ipynb`` into a
temporary folder, one kind per student in turn (student ``i`` is of kind ``i % 3``):

- ``correct``: the instructor notebook as it is; every exercise must come back ``correct``;
- ``unfilled``: every solution region removed as in the student version (the ``name = ...``
  lines stay); every exercise must come back ``not yet done``;
- ``wrong``: one answer changed (``learning_rate = 0.003``, the rate not scaled with the batch);
  exercise 5.3 must come back ``not yet right``, the others ``correct``.

Then it measures, each time with ``python -m classroom.grade`` in a process of its own:

1. the wall time of grading the whole class with ``--jobs``, hence the time per submission and
   the throughput;
2. the sandbox's overhead: the first ``--sample`` submissions graded one at a time (``--jobs 1``)
   in a sandbox and with ``--trusted`` (no sandbox), alternately, three times each; the best time
   of each, divided by the sample's size, and their difference (also round by round, to show the
   noise).

Every grade sheet is checked (one row per student, the statuses its kind must get); the script
stops with an error if one is wrong. It prints a Markdown table and writes it, with the machine's
description and the date, into ``benchmarks/RESULTS.md`` between the markers below, leaving the
rest of that file as it is.
"""

from __future__ import annotations

import argparse
import copy
import csv
import datetime
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from benchmark import machine  # noqa: E402
from classroom.convention import (find_exercises, is_answer_cell, split_answer_cell,  # noqa: E402
                                  student_answer_source)
from classroom.make_student_versions import STUB  # noqa: E402

CHAPTER = Path("book/05_batch_averaging.ipynb")
RESULTS = Path(__file__).with_name("RESULTS.md")
START, END = "<!-- grading-benchmark:start -->", "<!-- grading-benchmark:end -->"
WRONG_ANSWER = ("learning_rate = 0.003 * 32", "learning_rate = 0.003")
KINDS = ("correct", "unfilled", "wrong")
ROUNDS = 3


def unfilled(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The notebook with every solution region replaced by the student version's one-line stub."""
    student = copy.deepcopy(notebook)
    for exercise in find_exercises(notebook, CHAPTER.name):
        cell = student.cells[exercise.answer_cell]
        cell.source = student_answer_source(cell.source, STUB)
    return student


def wrong(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The notebook with one answer of exercise 5.3 changed (the rate not scaled with the batch)."""
    student = copy.deepcopy(notebook)
    old, new = WRONG_ANSWER
    cells = [cell for cell in student.cells
             if is_answer_cell(cell) and old in split_answer_cell(cell.source)[1]]
    if len(cells) != 1:
        raise SystemExit(f"error: expected one answer cell with {old!r} in {CHAPTER}, found {len(cells)}")
    cells[0].source = cells[0].source.replace(old, new)
    return student


def expected_statuses(kind: str, numbers: list[str]) -> dict[str, str]:
    """The status of each exercise a submission of ``kind`` must get."""
    if kind == "unfilled":
        return {number: "not yet done" for number in numbers}
    return {number: "not yet right" if kind == "wrong" and number == "5.3" else "correct"
            for number in numbers}


def student_name(index: int) -> str:
    return f"student{index:03d}_{KINDS[index % len(KINDS)]}"


def write_class(folder: Path, students: int) -> list[str]:
    """``students`` notebooks ``folder/<student>.ipynb``; the exercises' numbers."""
    notebook = nbformat.read(ROOT / CHAPTER, as_version=4)
    versions = dict(zip(KINDS, (notebook, unfilled(notebook), wrong(notebook))))
    folder.mkdir(parents=True, exist_ok=True)
    for index in range(students):
        nbformat.write(versions[KINDS[index % len(KINDS)]], folder / f"{student_name(index)}.ipynb")
    return [exercise.number for exercise in find_exercises(notebook, CHAPTER.name)]


def check_sheet(sheet: Path, students: list[str], numbers: list[str]) -> None:
    """Stop with an error unless ``sheet`` has one row per student with its kind's statuses."""
    with open(sheet, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    if sorted(row["student"] for row in rows) != sorted(students):
        raise SystemExit(f"error: {sheet} has {len(rows)} rows, expected one for each of "
                         f"{len(students)} students")
    for row in rows:
        kind = row["student"].rsplit("_", 1)[1]
        got = {number: row[f"exercise {number}"] for number in numbers}
        if got != expected_statuses(kind, numbers):
            raise SystemExit(f"error: {row['student']} ({kind}) graded {got}, expected "
                             f"{expected_statuses(kind, numbers)}; note: {row['note']!r}")


def grade(submissions: Path, sheet: Path, jobs: int, trusted: bool = False) -> float:
    """Wall time, in seconds, of ``python -m classroom.grade`` on ``submissions``."""
    command = [sys.executable, "-m", "classroom.grade", str(submissions), "--chapter", str(CHAPTER),
               "--out", str(sheet), "--jobs", str(jobs), *(["--trusted"] if trusted else [])]
    start = time.perf_counter()
    completed = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if completed.returncode != 0:
        raise SystemExit(f"error: {' '.join(command)} exited with {completed.returncode}:\n"
                         f"{completed.stderr[-2000:]}")
    return seconds


def rounds_of(rounds: int, *runs: Callable[[], float]) -> list[list[float]]:
    """Each run's times over ``rounds`` rounds, the runs alternating within a round."""
    times = [[run() for run in runs] for _ in range(rounds)]
    return [list(column) for column in zip(*times)]


def bwrap_version() -> str:
    try:
        return subprocess.run(["bwrap", "--version"], capture_output=True, text=True).stdout.strip()
    except OSError:
        return "bwrap not found"


def write_section(text: str, path: Path = RESULTS) -> None:
    """Put ``text`` between the markers in ``path``: replace the old section or append one."""
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    section = f"{START}\n{text.strip()}\n{END}"
    if START in old and END in old:
        before, rest = old.split(START, 1)
        new = before + section + rest.split(END, 1)[1]
    else:
        new = old.rstrip("\n") + "\n\n" + section + "\n"
    path.write_text(new, encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=200, help="submissions in the class")
    parser.add_argument("--sample", type=int, default=10,
                        help="submissions graded one at a time to measure the sandbox's overhead")
    parser.add_argument("--jobs", type=int, default=2, help="--jobs of the whole class's grading")
    arguments = parser.parse_args()
    if arguments.students < 1 or not 1 <= arguments.sample <= arguments.students or arguments.jobs < 1:
        parser.error("need --students >= 1, 1 <= --sample <= --students and --jobs >= 1")
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="grade_benchmark_") as scratch:
        work = Path(scratch)
        numbers = write_class(work / "class", arguments.students)
        students = [student_name(index) for index in range(arguments.students)]
        sample = students[:arguments.sample]
        write_class(work / "sample", arguments.sample)
        print(f"{arguments.sample} submissions, one at a time, sandboxed and --trusted "
              f"({ROUNDS} rounds) ...", flush=True)
        sandboxed_times, trusted_times = rounds_of(
            ROUNDS,
            lambda: grade(work / "sample", work / "sandboxed.csv", 1),
            lambda: grade(work / "sample", work / "trusted.csv", 1, trusted=True))
        for sheet in ("sandboxed.csv", "trusted.csv"):
            check_sheet(work / sheet, sample, numbers)
        print(f"{arguments.students} submissions, --jobs {arguments.jobs} ...", flush=True)
        total = grade(work / "class", work / "grades.csv", arguments.jobs)
        check_sheet(work / "grades.csv", students, numbers)

    load_after = os.getloadavg()[0]
    n, m = arguments.students, arguments.sample
    sandboxed, trusted = min(sandboxed_times), min(trusted_times)
    overhead = (sandboxed - trusted) / m
    per_round = ", ".join(f"{(s - t) / m:+.2f}" for s, t in zip(sandboxed_times, trusted_times))
    rows = ["| measurement | value |", "|---|---:|",
            f"| whole class, {n} submissions, `--jobs {arguments.jobs}`: wall time | {total:.1f} s |",
            f"| wall time per submission (total / {n}) | {total / n:.2f} s |",
            f"| throughput | {n / total * 60:.1f} submissions/min |",
            f"| one at a time, sandboxed (best of {ROUNDS}, {m} submissions) | {sandboxed / m:.2f} s each |",
            f"| one at a time, `--trusted`, no sandbox (best of {ROUNDS}, {m} submissions) "
            f"| {trusted / m:.2f} s each |",
            f"| sandbox overhead per submission (best sandboxed - best trusted) "
            f"| {overhead:+.2f} s ({overhead / (trusted / m):+.0%}) |",
            f"| the same, round by round | {per_round} s |"]
    table = "\n".join(rows)
    print("\n" + table)
    text = "\n".join([
        f"## Grading: {n} submissions of chapter 5", "",
        f"Machine: {machine()}; {bwrap_version()}. Run on {datetime.date.today().isoformat()}, "
        f"load average (1 min) {load_before:.1f} at the start and {load_after:.1f} at the end "
        "(other programs running on the machine slow every figure down).", "",
        f"`python -m classroom.grade` on a generated class of {n} notebooks made from "
        f"`{CHAPTER}`, one kind per student in turn: correct (the instructor notebook), unfilled "
        "(solution regions removed as in the student version) and wrong (`learning_rate = 0.003`, "
        "exercise 5.3 not yet right). Each figure is the wall time of the whole command, Python's "
        "start and the import of the checks included; every grade sheet was checked row by row "
        "against the statuses its kind must get.", "",
        table, "",
        "The requirement is at most about 1 s of sandbox overhead per submission. The overhead is "
        "the grader's sandboxed mode against its `--trusted` mode as a whole (the bubblewrap "
        "start, the masks, the in-memory folders, and the small differences between the two "
        "modes' environments, see `classroom/sandbox.py`); where it is smaller than "
        "its spread from round to round it is noise.", "",
        "Rerun: `python benchmarks/grade_benchmark.py`", "",
    ])
    write_section(text)
    print(f"\nwritten to {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
