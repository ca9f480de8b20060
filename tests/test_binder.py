"""What Binder does, as far as it can be done offline: a fresh environment from exactly the files
in binder/, then every notebook executed from its own folder, in one BLAS thread, with the stored
outputs reproduced and no cell slower than a reader should wait."""

from __future__ import annotations

import json
import os
import subprocess
import textwrap
from pathlib import Path

from .fresh_env import NO_PYTHONPATH, fresh_venv, require_build_backend
from .notebook_outputs import differences
from .site import ROOT

# Executes a notebook as a reader does, from its own folder, and records the CPU time of each
# code cell (the kernel's process time, every thread): unlike the wall time, it does not grow
# when other work shares the machine. Two cells of its own, first and last, measure and report.
EXECUTE = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    import nbformat
    from nbclient import NotebookClient

    MEASURE = (
        "import time as __time\\n"
        "__cpu__ = []\\n"
        "get_ipython().events.register('pre_run_cell', lambda info: __cpu__.append(-__time.process_time()))\\n"
        "get_ipython().events.register('post_run_cell', lambda result: __cpu__.append(__cpu__.pop() + __time.process_time()))\\n"
        "__cpu__.append(-__time.process_time())"
    )
    source, target = Path(sys.argv[1]), Path(sys.argv[2])
    notebook = nbformat.read(source, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = []
    notebook.cells = ([nbformat.v4.new_code_cell(MEASURE)] + notebook.cells
                      + [nbformat.v4.new_code_cell("print(__import__('json').dumps(__cpu__[1:-1]))")])
    NotebookClient(notebook, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(source.parent)}}).execute()
    report = notebook.cells.pop()
    notebook.cells.pop(0)
    seconds = json.loads(report.outputs[0]["text"])
    code_cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert len(seconds) == len(code_cells), (len(seconds), len(code_cells))
    for cell, cpu in zip(code_cells, seconds):
        cell.metadata["cpu_seconds"] = cpu
    nbformat.write(notebook, target)
    """
)


MAX_CELL_CPU_SECONDS = 10.0  # a reader should never wait longer on one cell


def cell_seconds(notebook: dict) -> list[float]:
    """CPU time of each executed code cell, as EXECUTE recorded it."""
    times = [cell["metadata"]["cpu_seconds"] for cell in notebook["cells"] if cell["cell_type"] == "code"]
    assert times, "no code cell was timed"
    return times


def test_binder_files_are_the_only_environment_files():
    # repo2docker reads binder/ and then ignores the root files; keep it that way (one, not both)
    assert (ROOT / "binder" / "requirements.txt").exists()
    for name in ("environment.yml", "Pipfile", "setup.py", "apt.txt", "postBuild"):
        assert not (ROOT / name).exists(), f"{name} at the root would confuse repo2docker"
    lines = (ROOT / "binder" / "requirements.txt").read_text().splitlines()
    assert "-r ../requirements.txt" in lines and "-c ../constraints.txt" in lines
    assert (ROOT / "binder" / "runtime.txt").read_text().strip() == "python-3.11"


def test_fresh_binder_environment_reproduces_every_notebook(tmp_path):
    """binder/requirements.txt, resolved offline against this environment's packages (at the
    versions constraints.txt pins: pip fails naming any that differs), the package installed from
    this clone as Binder installs it; then every notebook from its own folder."""
    require_build_backend()  # pip builds this clone's package (-e .) with the installed setuptools
    python = str(fresh_venv(tmp_path / "binder-venv"))
    offline = {**NO_PYTHONPATH, "PIP_NO_INDEX": "1", "PIP_NO_BUILD_ISOLATION": "0"}
    install = subprocess.run([python, "-m", "pip", "install", "--quiet", "-r", "binder/requirements.txt"],
                             cwd=ROOT, capture_output=True, text=True, timeout=900, env={**os.environ, **offline})
    assert install.returncode == 0, (
        "binder/requirements.txt cannot be installed from this environment (offline): install the "
        "README's test command's packages (pip install -r requirements.txt -c constraints.txt "
        "-e \".[test,instructor]\")\n" + install.stderr[-3000:])
    where = subprocess.run([python, "-c", "import backproplib; print(backproplib.__file__)"], cwd=tmp_path,
                           capture_output=True, text=True, env={**os.environ, **NO_PYTHONPATH})
    assert Path(where.stdout.strip()).is_relative_to(ROOT), where  # this clone's package, editable
    script = tmp_path / "execute.py"
    script.write_text(EXECUTE)
    notebooks = sorted((ROOT / "book").glob("*.ipynb"))
    assert notebooks
    # in one BLAS thread (the suite's nbval pass runs the default count): the stored outputs must
    # not depend on the summation order of a multi-threaded BLAS either
    one_thread = {name: "1" for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")}
    for notebook in notebooks:
        fresh = tmp_path / notebook.name
        run = subprocess.run([python, str(script), str(notebook), str(fresh)], cwd=tmp_path,
                             capture_output=True, text=True, timeout=600,
                             env={**os.environ, **NO_PYTHONPATH, **one_thread})
        assert run.returncode == 0, f"{notebook.name}: {run.stderr[-3000:]}"
        executed = json.loads(fresh.read_text())
        problems = differences(json.loads(notebook.read_text()), executed)
        assert problems == [], f"{notebook.name}: " + "\n".join(problems)
        for index, seconds in enumerate(cell_seconds(executed)):
            assert seconds < MAX_CELL_CPU_SECONDS, f"{notebook.name}: code cell {index} took {seconds:.1f} s of CPU"
