"""Run one submitted notebook and then the trusted checks in a fresh kernel (a worker of grade).

:mod:`classroom.grade` starts this module once per submission, in its own process group, and
kills it (and its kernel) when the wall-clock limit is reached::

    python -m classroom.run_submission JOB.json

``JOB.json`` names the notebook, the working folder (the kernel's current folder), the exercises
to check (number, module, function, argument text, all taken from the instructor's notebook), a
random ``nonce``, the time limits, and where to write the result JSON and the kernel's process id.

What runs, in order, in one kernel:

1. every code cell of the submission as the student left it, outputs discarded; a cell that
   raises does not stop the others (``allow_errors``); a cell still running after
   ``cell_timeout`` seconds is interrupted (``KeyboardInterrupt``) and, once it has stopped, the
   next one runs (a cell that ignores interrupts is interrupted again until the wall-clock limit
   of :mod:`classroom.grade` ends it all);
2. one more cell, written here: it forgets every ``backproplib`` module the student's code may
   have replaced, imports the check functions afresh, evaluates each check's arguments in the
   student's namespace (a name that is not defined is "missing"), calls the check with a time
   limit of ``check_timeout`` seconds, and shows the verdicts as one line of JSON starting with
   the nonce (through IPython's display publisher, so a student's ``sys.stdout`` does not
   matter).

Only that line of that cell is read, so a deleted or edited check cell, or a printed
"CORRECT", changes nothing; a second line with the nonce (an imitation) voids the result.
The result JSON holds ``checks`` (verdict per exercise, or ``null``), ``error_cells`` (cells that
raised, except those tagged ``raises-exception``, which the book shows raising on purpose),
``interrupted_cells`` (both 1-based cell numbers), ``unreadable``, ``kernel_died_in`` (the cell
number, 0 for the grading cell, or ``null``) and ``harness_problem``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any


def harness_source(exercises: list[list[str]], nonce: str, check_timeout: float) -> str:
    """The source of the grading cell appended to a submission (see the module docstring)."""
    function = f"_classroom_grade_{nonce}"
    return f'''\
def {function}():
    import importlib, json, signal, sys

    class CheckTimedOut(BaseException):
        pass

    def on_alarm(signum, frame):
        raise CheckTimedOut()

    for name in [name for name in list(sys.modules) if name.split(".")[0] == "backproplib"]:
        del sys.modules[name]
    student = globals()
    verdicts = {{}}
    for number, module, check, arguments in json.loads({json.dumps(json.dumps(exercises))}):
        try:
            args, kwargs = eval("(lambda *a, **k: (a, k))(" + arguments + ")", dict(student))
        except NameError as error:
            verdicts[number] = {{"status": "missing", "message": f"{{error}}: the answer cell was "
                                "deleted, renamed or not run, or it raised before setting it."}}
            continue
        except BaseException as error:
            verdicts[number] = {{"status": "error", "message": f"reading the answer raised "
                                f"{{type(error).__name__}}: {{error}}"}}
            continue
        previous = signal.signal(signal.SIGALRM, on_alarm)
        signal.setitimer(signal.ITIMER_REAL, {check_timeout!r})
        try:
            feedback = getattr(importlib.import_module(module), check)(*args, **kwargs)
        except CheckTimedOut:
            verdicts[number] = {{"status": "error", "message": "the check did not finish within "
                                "{check_timeout:g} s (an endless loop in a function you wrote?)"}}
            continue
        except BaseException as error:
            verdicts[number] = {{"status": "error", "message": f"the check raised "
                                f"{{type(error).__name__}}: {{error}}"}}
            continue
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
        if (type(feedback).__module__ != "backproplib.exercises"
                or feedback.status not in ("correct", "not yet done", "not yet right")):
            verdicts[number] = {{"status": "error", "message": "the check returned "
                                f"{{type(feedback).__name__}}, not a Feedback"}}
        else:
            verdicts[number] = {{"status": feedback.status, "message": str(feedback)}}
    from IPython.display import publish_display_data  # not print: the student may have moved sys.stdout
    publish_display_data({{"text/plain": {nonce!r} + json.dumps(verdicts)}})


{function}()
del {function}
'''


def read_verdicts(cell: Any, nonce: str) -> tuple[dict | None, str]:
    """The verdicts printed by the grading cell, and a problem description when there are none."""
    lines = []
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            return None, f"the checks could not run ({output.get('ename')}: {output.get('evalue')})"
        text = output.get("text", "") + "".join(output.get("data", {}).get("text/plain", ""))
        lines += [line for line in text.splitlines() if line.startswith(nonce)]
    if len(lines) > 1:
        return None, "the grader's output was imitated"
    if not lines:
        return None, "the checks showed no verdict"
    return json.loads(lines[0][len(nonce):]), ""


def run(job: dict) -> dict:
    """Execute the job (see the module docstring) and return the result to store."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import DeadKernelError

    result: dict[str, Any] = {"checks": None, "error_cells": [], "interrupted_cells": [],
                              "unreadable": "", "kernel_died_in": None, "harness_problem": ""}
    try:
        notebook = nbformat.reads(Path(job["notebook"]).read_text(encoding="utf-8"), as_version=4)
        nbformat.validate(notebook)
    except Exception as error:  # anything a broken file can raise: JSON, encoding, schema
        result["unreadable"] = f"{type(error).__name__}: {str(error).splitlines()[0][:200] if str(error) else ''}"
        return result
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    grading_cell = nbformat.v4.new_code_cell(
        harness_source(job["exercises"], job["nonce"], job["check_timeout"]))
    notebook.cells.append(grading_cell)
    grading_timeout = len(job["exercises"]) * job["check_timeout"] + 30

    state = {"current": None}
    client = NotebookClient(
        notebook,
        kernel_name="python3",
        resources={"metadata": {"path": job["workdir"]}},
        allow_errors=True,
        timeout_func=lambda cell: grading_timeout if cell is grading_cell else job["cell_timeout"],
        interrupt_on_timeout=True,  # then wait for the cell's reply: interrupted cells end in
        # KeyboardInterrupt, and a kernel that ignores interrupts is killed by grade's wall clock
        record_timing=False,
        shutdown_kernel="immediate",
        skip_cells_with_tag="",
    )

    def write_kernel_pid(**_: Any) -> None:
        Path(job["pid_file"]).write_text(str(client.km.provisioner.pid))

    def remember_cell(cell: Any, cell_index: int, **_: Any) -> None:
        state["current"] = cell_index

    client.on_notebook_start = write_kernel_pid
    client.on_cell_start = remember_cell
    ran = False
    try:
        client.execute()
        ran = True
    except DeadKernelError:  # 0: while the checks ran
        died_in = state["current"] or 0
        result["kernel_died_in"] = 0 if died_in == len(notebook.cells) - 1 else died_in + 1
    except Exception as error:  # the kernel did not start, a message could not be read, ...
        result["harness_problem"] = f"the notebook could not be run ({type(error).__name__}: {error})"
    for index, cell in enumerate(notebook.cells[:-1]):
        for output in cell.get("outputs", []):
            if output.get("output_type") != "error":
                continue
            if output.get("ename") == "KeyboardInterrupt":
                bucket = "interrupted_cells"
            elif "raises-exception" in cell.metadata.get("tags", []):
                continue  # the book shows this error on purpose
            else:
                bucket = "error_cells"
            if index + 1 not in result[bucket]:
                result[bucket].append(index + 1)
    if ran:
        result["checks"], result["harness_problem"] = read_verdicts(grading_cell, job["nonce"])
    if job.get("executed"):
        nbformat.write(notebook, job["executed"])
    return result


def main(arguments: list[str]) -> int:
    job = json.loads(Path(arguments[0]).read_text())
    result = run(job)
    partial = Path(job["result"] + ".partial")
    partial.write_text(json.dumps(result))
    partial.replace(job["result"])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
