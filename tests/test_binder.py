"""What Binder does, as far as it can be done offline: a fresh environment from exactly the files
in binder/, then every notebook executed from its own folder, with the stored outputs reproduced
and no cell slower than a reader should wait."""

from __future__ import annotations

import json
import subprocess
from datetime import datetime
import sys
import textwrap

from .notebook_outputs import differences
from .site import ROOT

EXECUTE = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    import nbformat
    from nbclient import NotebookClient

    source, target = Path(sys.argv[1]), Path(sys.argv[2])
    notebook = nbformat.read(source, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = []
    NotebookClient(notebook, timeout=300, kernel_name="python3", record_timing=True,
                   resources={"metadata": {"path": str(source.parent)}}).execute()
    nbformat.write(notebook, target)
    """
)


MAX_CELL_SECONDS = 10.0  # a reader should never wait longer on one cell


def cell_seconds(notebook: dict) -> list[float]:
    """Wall time of each executed code cell, from the timestamps nbclient records."""
    times = []
    for cell in notebook["cells"]:
        shell = cell.get("metadata", {}).get("execution", {})
        if cell["cell_type"] == "code" and "iopub.execute_input" in shell:
            start = datetime.fromisoformat(shell["iopub.execute_input"].replace("Z", "+00:00"))
            end = datetime.fromisoformat(shell["shell.execute_reply"].replace("Z", "+00:00"))
            times.append((end - start).total_seconds())
    assert times, "nbclient recorded no timings"
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
    venv = tmp_path / "binder-venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    python = str(venv / "bin" / "python")
    install = subprocess.run([python, "-m", "pip", "install", "--quiet", "-r", "binder/requirements.txt"],
                             cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert install.returncode == 0, install.stderr[-3000:]
    script = tmp_path / "execute.py"
    script.write_text(EXECUTE)
    notebooks = sorted((ROOT / "book").glob("*.ipynb"))
    assert notebooks
    for notebook in notebooks:
        fresh = tmp_path / notebook.name
        run = subprocess.run([python, str(script), str(notebook), str(fresh)], cwd=tmp_path,
                             capture_output=True, text=True, timeout=600)
        assert run.returncode == 0, f"{notebook.name}: {run.stderr[-3000:]}"
        executed = json.loads(fresh.read_text())
        problems = differences(json.loads(notebook.read_text()), executed)
        assert problems == [], f"{notebook.name}: " + "\n".join(problems)
        for index, seconds in enumerate(cell_seconds(executed)):
            assert seconds < MAX_CELL_SECONDS, f"{notebook.name}: code cell {index} took {seconds:.1f} s"
