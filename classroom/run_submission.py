"""Run one submitted notebook inside its sandbox and hand out its answers as data.

:mod:`classroom.grade` copies this module (with :mod:`classroom.answers` and ``backproplib``) into
a private folder and starts it inside a bubblewrap sandbox (:mod:`classroom.sandbox`), once per
submission. Everything here runs with the student's code and is trusted for nothing: what it
produces is *data* that the grader checks outside.

What it does, in order:

1. makes itself non-dumpable (:func:`keep_to_itself`: the kernel, same user, cannot reach its
   result pipe or memory) and sets the sandbox's resource limits on itself (they pass to the
   kernel it starts);
2. runs every code cell of the submission (its read-only copy) in a fresh kernel, outputs
   discarded; a cell that raises does not stop the others; a cell still running after
   ``cell_timeout`` seconds is interrupted and the next one runs (a cell counts as raised or
   interrupted by its reply, not by its error output, which a busy machine can lose);
3. runs one more cell, written here, that reads the answers the chapter's checks need (the check
   calls of the *instructor's* notebook, from ``job.json``) from the student's namespace and turns
   them into plain data (:func:`classroom.answers.encode`); an answer that is a function is called
   on the check's declared inputs (:func:`classroom.answers.record_calls`);
4. writes one JSON document to file descriptor ``result_fd``: ``answers`` (per exercise: the
   encoded arguments, or ``missing``), ``error_cells``, ``interrupted_cells`` (1-based cell
   numbers), ``unreadable``, ``kernel_died_in`` (a cell number, 0 for the answers cell, or
   ``null``), ``kernel_started`` (false: the kernel never ran a cell), ``harness_problem`` and,
   if asked for, ``executed`` (the executed notebook).

Before step 1 ends, and so before any code of the student's runs, it writes :data:`STARTED` to
``result_fd``: a run whose result lacks it never got as far as the student's notebook, so its
failure is the grader's (a sandbox or a Python environment that does not work), never the
student's.
"""

from __future__ import annotations

import json
import os
import resource
import secrets
import sys
from pathlib import Path
from typing import Any

_MIB = 1024 * 1024

#: The first bytes of every result: the worker started and set its limits.
STARTED = b"started\n"


def harness_source(exercises: list[list[str]], nonce: str, call_timeout: float) -> str:
    """The source of the answers cell appended to a submission (see the module docstring)."""
    function = f"_classroom_answers_{nonce}"
    return f'''\
def {function}():
    import importlib, inspect, json
    from grader_worker import answers
    from IPython.display import publish_display_data

    student = dict(globals())
    collected = {{}}
    for number, module, check, arguments in json.loads({json.dumps(json.dumps(exercises))}):
        try:
            args, kwargs = eval("(lambda *a, **k: (a, k))(" + arguments + ")", student)
        except NameError as error:
            collected[number] = {{"missing": str(error)[:200]}}
            continue
        except BaseException as error:
            collected[number] = {{"unreadable": type(error).__name__}}
            continue
        try:
            check_function = getattr(importlib.import_module(module), check)
            declared = getattr(check_function, "function_inputs", {{}})
            names = list(inspect.signature(check_function).parameters)
        except BaseException:
            declared, names = {{}}, []

        def data(name, value):
            if name in declared and callable(value):
                return {{"calls": answers.record_calls(value, declared[name](), {call_timeout!r})}}
            return {{"value": answers.encode(value)}}

        collected[number] = {{
            "arguments": [data(names[i] if i < len(names) else "", value)
                          for i, value in enumerate(args)],
            "keywords": {{name: data(name, value) for name, value in kwargs.items()}},
        }}
    publish_display_data({{"text/plain": {nonce!r} + json.dumps(collected)}})


{function}()
del {function}
'''


def read_answers(cell: Any, nonce: str, max_chars: int = 32 * _MIB) -> tuple[dict | None, str]:
    """The answers shown by the answers cell, and a problem description when there are none.

    Everything here was shown by the student's kernel: a line that is not a JSON object is
    ``"malformed"`` (the submission's problem), never an error of the worker's; a line longer
    than ``max_chars`` (more than the grader would read) is ``"too large"``, and not parsed."""
    lines = []
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            return None, "error"
        text = output.get("text", "") + "".join(output.get("data", {}).get("text/plain", ""))
        lines += [line for line in text.splitlines() if line.startswith(nonce)]
    if len(lines) > 1:
        return None, "imitated"
    if not lines:
        return None, "no answers"
    if len(lines[0]) > max_chars:
        return None, "too large"
    try:  # the kernel may show anything after the nonce: it is read as data or not at all
        answers = json.loads(lines[0][len(nonce):])
        json.dumps(answers)  # main() writes it out again, one level deeper
    except (ValueError, RecursionError, MemoryError):
        return None, "malformed"
    return (answers, "") if isinstance(answers, dict) else (None, "malformed")


def run(job: dict, notebook_path: Path, workdir: Path) -> dict:
    """Execute the submission and the answers cell; return the result to hand out."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import DeadKernelError

    result: dict[str, Any] = {"answers": None, "error_cells": [], "interrupted_cells": [],
                              "unreadable": "", "kernel_died_in": None, "kernel_started": False,
                              "harness_problem": "", "executed": None}
    try:
        notebook = nbformat.reads(notebook_path.read_text(encoding="utf-8"), as_version=4)
        nbformat.validate(notebook)
    except Exception as error:  # anything a broken file can raise: JSON, encoding, schema
        result["unreadable"] = type(error).__name__
        return result
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    nonce = "ANSWERS" + secrets.token_hex(16)
    answers_cell = nbformat.v4.new_code_cell(
        harness_source(job["exercises"], nonce, job["check_timeout"]))
    notebook.cells.append(answers_cell)
    answers_timeout = len(job["exercises"]) * job["check_timeout"] * 8 + 30
    state: dict[str, Any] = {"current": None, "failed": {}}
    client = NotebookClient(
        notebook,
        kernel_name="python3",
        resources={"metadata": {"path": str(workdir)}},
        allow_errors=True,
        timeout_func=lambda cell: answers_timeout if cell is answers_cell else job["cell_timeout"],
        interrupt_on_timeout=True,  # then wait for the cell's reply: interrupted cells end in
        # KeyboardInterrupt; a kernel that ignores interrupts is ended by grade's wall clock
        record_timing=False,
        # after a cell's reply, how long its outputs may take to arrive: on a loaded machine the
        # kernel's output thread can lag its replies by seconds (nbclient's default, 4 s, would
        # drop what lags more, the answers included); grade's wall clock bounds the whole run
        iopub_timeout=int(max(answers_timeout, job["cell_timeout"])),
        shutdown_kernel="immediate",
        skip_cells_with_tag="",
    )

    def remember_cell(cell: Any, cell_index: int, **_: Any) -> None:
        state["current"] = cell_index

    def remember_failure(cell: Any, cell_index: int, execute_reply: Any = None, **_: Any) -> None:
        # the cell's reply says whether it raised, even where its error output never arrives (a
        # busy machine loses it); the kernel wrote it: whatever its shape, it marks only its cells
        content = execute_reply.get("content") if isinstance(execute_reply, dict) else None
        if isinstance(content, dict) and content.get("status") == "error":
            state["failed"][cell_index] = str(content.get("ename", ""))[:200]

    client.on_cell_start = remember_cell
    client.on_cell_executed = remember_failure
    ran = False
    try:
        client.execute()
        ran = True
    except DeadKernelError:
        died_in = state["current"] or 0
        result["kernel_died_in"] = 0 if died_in == len(notebook.cells) - 1 else died_in + 1
    except Exception as error:  # the kernel did not start, a message could not be read, ...
        result["harness_problem"] = f"the notebook could not be run ({type(error).__name__})"
    result["kernel_started"] = state["current"] is not None
    answers_index = len(notebook.cells) - 1  # read below
    for index, name in sorted(state["failed"].items()):  # each cell's reply, not its outputs
        if index == answers_index:
            continue
        if name == "KeyboardInterrupt":
            result["interrupted_cells"].append(index + 1)
        elif "raises-exception" not in notebook.cells[index].metadata.get("tags", []):
            result["error_cells"].append(index + 1)  # (that tag: the book shows it on purpose)
    if ran and answers_index in state["failed"]:
        result["harness_problem"] = "error"  # the answers cell raised (its output may be late)
    elif ran:
        result["answers"], result["harness_problem"] = read_answers(
            answers_cell, nonce, job.get("result_bytes", 32 * _MIB) // 2)
    if job.get("keep_executed"):
        notebook.cells.pop()
        result["executed"] = notebook
    return result


def set_limits(memory_mb: int, processes: int, cpu_seconds: int, file_mb: int) -> None:
    """Resource limits for this process and everything it starts (see classroom.sandbox)."""
    limits = {
        resource.RLIMIT_AS: memory_mb * _MIB,
        resource.RLIMIT_NPROC: processes,
        resource.RLIMIT_CPU: cpu_seconds,
        resource.RLIMIT_FSIZE: file_mb * _MIB,
        resource.RLIMIT_CORE: 0,
    }
    for kind, value in limits.items():
        resource.setrlimit(kind, (value, value))


def keep_to_itself() -> None:
    """Make this process non-dumpable (``PR_SET_DUMPABLE`` 0), so that the student's kernel - same
    user, no capabilities - can neither open its descriptors (the result pipe, through
    ``/proc/<pid>/fd``) nor read or write its memory (``/proc/<pid>/mem``, ``ptrace``). The kernel
    it starts is dumpable again (``exec`` resets the flag); its own files stay its own."""
    if sys.platform.startswith("linux"):
        import ctypes
        if ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_DUMPABLE, 0, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_DUMPABLE, 0) failed")


_PR_SET_DUMPABLE = 4


def main(result_fd: int, memory_mb: int, processes: int, cpu_seconds: int, file_mb: int) -> int:
    """Set the limits, run the job of this folder's ``job.json``, write the result to ``result_fd``."""
    keep_to_itself()
    set_limits(memory_mb, processes, cpu_seconds, file_mb)
    os.set_inheritable(result_fd, False)  # the kernel does not get the result pipe
    os.write(result_fd, STARTED)
    job = json.loads((Path(__file__).parent / "job.json").read_text())
    home = Path(os.environ["HOME"])
    workdir = home / "work"
    workdir.mkdir(exist_ok=True)
    os.chdir(workdir)
    notebook = Path(os.environ.get("GRADER_SUBMISSION", "/opt/grader/submission.ipynb"))
    result = run(job, notebook, workdir)
    text = json.dumps(result)
    if result["executed"] is not None and len(text) > job.get("result_bytes", 2**25) // 2:
        result["executed"] = None  # too large to keep: the answers matter, not the outputs
        text = json.dumps(result)
    with os.fdopen(result_fd, "w", encoding="utf-8") as channel:
        channel.write(text)
    return 0
