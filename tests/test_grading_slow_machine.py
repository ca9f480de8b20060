"""A verdict does not depend on how fast the machine runs the student's kernel.

On a busy CI machine, a submission's first cell (its imports) ran past a short cell limit. The
client interrupted it, then interrupted it again while IPython was still formatting the first
traceback; IPython then prints "KeyboardInterrupt" to stderr and shows no error output. The
worker counted a cell as failed only by its error output, so the row said only "errors in cells
3, 4" (the NameErrors of the names the first cell should have imported). The worker now also
believes each cell's reply, which says whether it raised. Here the kernel is made slow on purpose,
from inside the notebook, and the row must be the one a fast machine gives."""

from __future__ import annotations

import textwrap

import nbformat

from classroom import grade, sandbox

from .test_grading_isolation import REPORT

#: Every error output the kernel shows is sent 3 s late, from a thread (in the context of the cell
#: that raised): after the cell's reply and after the kernel has said it is idle.
LATE_ERRORS = textwrap.dedent("""\
    import contextvars, threading
    shell = get_ipython()
    show_now = shell._showtraceback
    def show_late(*parts):
        threading.Timer(3, contextvars.copy_context().run, (show_now, *parts)).start()
    shell._showtraceback = show_late
    """)


#: Formatting a traceback takes 60 s (stack_data and pygments over a deep import, on a loaded
#: machine, take seconds): the client's second interrupt arrives while the kernel formats the
#: first, and IPython then prints "KeyboardInterrupt" to stderr instead of an error output.
SLOW_TRACEBACKS = textwrap.dedent("""\
    import time
    shell = get_ipython()
    format_now = shell.InteractiveTB.structured_traceback
    def format_slowly(*parts, **options):
        time.sleep(60)
        return format_now(*parts, **options)
    shell.InteractiveTB.structured_traceback = format_slowly
    """)


def grade_cells(cells: list[str], tmp_path, cell_timeout: float) -> grade.Grade:
    notebook = tmp_path / "slow.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells]), notebook)
    settings = grade.Settings(timeout=120, cell_timeout=cell_timeout, check_timeout=5)
    with sandbox.Staging(grade.job_for([REPORT], settings, keep_executed=False)) as staging:
        return grade.grade_submission(grade.Submission("slow", notebook), [REPORT], settings,
                                      staging, hidden=[tmp_path])


def test_a_cell_whose_error_output_never_comes_in_time_still_counts_as_raised_or_interrupted(tmp_path):
    result = grade_cells([LATE_ERRORS, "1 / 0", "import time\ntime.sleep(60)",
                          "report = 'still graded'"], tmp_path, cell_timeout=6)
    assert result.note == "cell 3 interrupted after 6 s; errors in cell 2", result.note
    assert result.statuses["5.3"] != "not graded", result.note


def test_a_cell_interrupted_again_while_its_traceback_is_formatted_counts_as_interrupted(tmp_path):
    # what a busy CI machine did to a first cell of imports (6 s limit): the row then said only
    # "errors in cells 3, 4" (NameErrors of the names that cell should have imported)
    result = grade_cells([SLOW_TRACEBACKS, "import time\ntime.sleep(60)", "report = 'graded'"],
                         tmp_path, cell_timeout=5)
    assert result.note == "cell 2 interrupted after 5 s", result.note
    assert result.statuses["5.3"] != "not graded", result.note
