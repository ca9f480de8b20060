"""Write a Gradescope autograder for a chapter: ``autograder.zip``.

Usage, from the root of the clone::

    python -m classroom.gradescope --chapter book/05_batch_averaging.ipynb --out autograder.zip \\
        [--timeout 300] [--cell-timeout 60] [--check-timeout 10]

The zip has Gradescope's documented layout: ``setup.sh`` (run once, as root, when Gradescope
builds the image: Python, bubblewrap, the book's requirements, an unprivileged user
``student``), ``run_autograder`` (run for every submission) and the source they need: a copy of
``backproplib`` - the very version whose checks you want - and of the grader (``classroom``),
``requirements.txt`` with ``constraints.txt`` (``setup.sh`` installs exactly the versions the book
was made with), and ``job.json`` with the chapter's check calls and time limits. Your
notebook with its solutions is *not* in the zip: the exercises' check calls are all the
autograder needs. :mod:`classroom.autograder` is what runs in the container.
"""

from __future__ import annotations

import argparse
import json
import sys
import zipfile
from pathlib import Path
from typing import Sequence

from .grade import ROOT, add_time_limits, load_trusted_exercises, time_limits_problem

#: The grader's modules the container needs (the student-version tool and nbgrader are not).
GRADER_MODULES = ("__init__.py", "answers.py", "autograder.py", "confine.py", "convention.py",
                  "grade.py", "run_submission.py", "sandbox.py", "verdicts.py")

#: What the kernel and the grader need in the container, within the ranges the book supports.
REQUIREMENTS = """\
numpy>=1.26,<3
matplotlib>=3.8,<4
scikit-learn>=1.4,<2
ipykernel>=6.29,<8
nbclient>=0.10,<1
nbformat>=5.9,<6
"""

SETUP = """\
#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image.
set -euo pipefail
apt-get update
DEBIAN_FRONTEND=noninteractive apt-get install -y python3 python3-venv python3-pip bubblewrap
python3 -m venv /autograder/venv
# The exact versions the book was made with (constraints.txt), not the newest in the ranges.
/autograder/venv/bin/pip install --no-cache-dir -r /autograder/source/requirements.txt \\
    -c /autograder/source/constraints.txt
# The student's notebook runs as this user: it cannot write the results or this source.
id student >/dev/null 2>&1 || useradd --system --shell /usr/sbin/nologin student
chmod -R a+rX,go-w /autograder/source
"""

RUN = """\
#!/usr/bin/env bash
# Gradescope runs this for every submission, as root: it grades /autograder/submission and
# writes /autograder/results/results.json (see classroom/autograder.py in the source).
root="${AUTOGRADER_ROOT:-/autograder}"
cd "$root/source" && exec "${AUTOGRADER_PYTHON:-$root/venv/bin/python}" -m classroom.autograder
"""


def job(chapter: Path, timeout: float, cell_timeout: float, check_timeout: float) -> dict:
    """``job.json``: the chapter's file name, its check calls and the time limits."""
    exercises = load_trusted_exercises(chapter)
    return {"chapter": chapter.name,
            "exercises": [[e.number, e.module, e.function, e.arguments] for e in exercises],
            "timeout": timeout, "cell_timeout": cell_timeout, "check_timeout": check_timeout}


def _add(archive: zipfile.ZipFile, name: str, text: str, executable: bool = False) -> None:
    info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
    info.external_attr = (0o755 if executable else 0o644) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, text)


def write_autograder(chapter: Path, out: Path, timeout: float = 300.0, cell_timeout: float = 60.0,
                     check_timeout: float = 10.0) -> None:
    """Write the autograder zip for ``chapter`` (the same bytes for the same sources)."""
    data = job(chapter, timeout, cell_timeout, check_timeout)
    with zipfile.ZipFile(out, "w") as archive:
        _add(archive, "setup.sh", SETUP, executable=True)
        _add(archive, "run_autograder", RUN, executable=True)
        _add(archive, "requirements.txt", REQUIREMENTS)
        _add(archive, "constraints.txt", (ROOT / "constraints.txt").read_text(encoding="utf-8"))
        _add(archive, "job.json", json.dumps(data, indent=1) + "\n")
        for path in sorted((ROOT / "backproplib").rglob("*.py")):
            _add(archive, str(path.relative_to(ROOT)), path.read_text(encoding="utf-8"))
        for name in GRADER_MODULES:
            _add(archive, f"classroom/{name}", (ROOT / "classroom" / name).read_text(encoding="utf-8"))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m classroom.gradescope",
        description="Write a Gradescope autograder (autograder.zip) for a chapter's exercises.")
    parser.add_argument("--chapter", type=Path, required=True,
                        help="the instructor's chapter notebook, e.g. book/05_batch_averaging.ipynb")
    parser.add_argument("--out", type=Path, default=Path("autograder.zip"),
                        help="the zip to write (default: autograder.zip)")
    add_time_limits(parser)
    return parser


def main(arguments: Sequence[str] | None = None) -> int:
    options = build_parser().parse_args(arguments)
    problem = time_limits_problem(options)
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    try:
        write_autograder(options.chapter, options.out, options.timeout, options.cell_timeout,
                         options.check_timeout)
    except (OSError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"wrote {options.out}: upload it as the autograder of the assignment "
          f"({options.chapter.name})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
