"""Colab in one click: every chapter notebook starts with a cell that installs the book's release
of backproplib on Colab, from the release's tag in the book's repository, and does nothing
anywhere else (written by tools/colab_cell.py).

The cells run in a real Jupyter kernel, as on Colab and under nbval. Colab is recognised by
``google.colab`` being importable; a stand-in package on PYTHONPATH plays it here, and a local
git repository with the release's tag stands in for the book's repository (offline).
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import sys
from pathlib import Path

import nbformat
import pytest

import backproplib

from .fresh_env import ROOT, SOURCE_FILES, fresh_venv, require_build_backend, run

BOOK = ROOT / "book"
VERSION = backproplib.__version__
NOTEBOOKS = sorted(BOOK.glob("*.ipynb"))

_spec = importlib.util.spec_from_file_location("colab_cell", ROOT / "tools" / "colab_cell.py")
colab_cell = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(colab_cell)
REPOSITORY = colab_cell.repository_url()  # repository.url of _config.yml
INSTALL = f"install --quiet git+{REPOSITORY}@v{VERSION}"

# Executes a notebook in place with nbclient, in a kernel of the interpreter that runs this script.
RUNNER = """
import sys, nbformat
from nbclient import NotebookClient
notebook = nbformat.read(sys.argv[1], as_version=4)
NotebookClient(notebook, timeout=120, kernel_name="colab-test",
               resources={"metadata": {"path": sys.argv[2]}}).execute()
nbformat.write(notebook, sys.argv[1])
"""


def run_cells(python: Path, cells: list, folder: Path, pythonpath: list[Path], env: dict | None = None):
    """Run ``cells`` as a notebook in a fresh kernel of ``python``; the executed cells."""
    spec = folder / "jupyter" / "kernels" / "colab-test" / "kernel.json"
    spec.parent.mkdir(parents=True)
    spec.write_text(json.dumps({"argv": [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                                "display_name": "colab test", "language": "python"}))
    path = folder / "run.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=cells), path)
    run([str(python), "-c", RUNNER, str(path), str(folder)], cwd=folder, timeout=300, env={
        "JUPYTER_PATH": str(folder / "jupyter"), "IPYTHONDIR": str(folder / "ipython"),
        "PYTHONPATH": ":".join(map(str, pythonpath)), **(env or {})})
    return nbformat.read(path, as_version=4).cells


def stand_in_colab(folder: Path) -> Path:
    """A folder holding an empty ``google.colab`` package: put on PYTHONPATH, it is Colab."""
    (folder / "google" / "colab").mkdir(parents=True)
    (folder / "google" / "__init__.py").write_text("")
    (folder / "google" / "colab" / "__init__.py").write_text("")
    return folder


def recording_pip(folder: Path, calls: Path) -> Path:
    """A folder holding a ``pip`` that only records its arguments: put first on PYTHONPATH."""
    (folder / "pip").mkdir(parents=True)
    (folder / "pip" / "__init__.py").write_text("")
    (folder / "pip" / "__main__.py").write_text(
        f"import sys\nwith open({str(calls)!r}, 'a') as f:\n    f.write(' '.join(sys.argv[1:]) + '\\n')\n")
    return folder


def imports_cell(path: Path) -> str:
    """The chapter's first code cell after the Colab cell: its imports."""
    cells = nbformat.read(path, as_version=4).cells
    return next(cell.source for cell in cells if cell.cell_type == "code" and not colab_cell.is_colab_cell(cell))


def outputs(cell) -> list:
    """A cell's outputs without their execution counts."""
    return [{key: value for key, value in output.items() if key != "execution_count"}
            for output in cell.get("outputs", [])]


# --- the cell in every chapter ---------------------------------------------------------------


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_chapter_starts_with_the_colab_cell(path):
    cells = nbformat.read(path, as_version=4).cells
    first = cells[0]
    hint = f"{path.name}: run python tools/colab_cell.py"
    assert first.cell_type == "code" and first.source == colab_cell.cell_source(VERSION), hint
    assert first.metadata.get("tags") == ["remove-cell"], hint  # hidden in the HTML book
    assert not first.outputs, hint
    assert f"%pip install --quiet git+{REPOSITORY}@v{VERSION}" in first.source
    assert first.source.startswith("# Colab") and "\n" in first.source  # the comment says why
    assert sum("google.colab" in cell.source for cell in cells) == 1, f"{path.name}: two Colab cells"


def test_cell_is_short_and_fits_the_page():
    lines = colab_cell.cell_source(VERSION).splitlines()
    assert len(lines) <= 8 and max(map(len, lines)) <= 90


# --- the tool ----------------------------------------------------------------------------------


def test_tool_inserts_updates_and_checks_the_cell_on_a_copy_of_the_book(tmp_path, capsys):
    book = tmp_path / "book"
    shutil.copytree(BOOK, book, ignore=shutil.ignore_patterns("_static", "*.md"))
    paths = sorted(book.glob("*.ipynb"))
    originals = {}
    for index, path in enumerate(paths):
        notebook = nbformat.read(path, as_version=4)
        notebook.cells = [cell for cell in notebook.cells if not colab_cell.is_colab_cell(cell)]
        if index == 0:  # an outdated cell, not first, to be replaced
            notebook.cells.insert(1, colab_cell.colab_cell("0.0.1"))
        colab_cell._renumber(notebook.cells)  # as a clean run numbers them
        nbformat.write(notebook, path)
        originals[path] = nbformat.read(path, as_version=4)
    new = book / "Z_new_chapter.ipynb"  # a chapter added later gets the cell too
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# New")]), new)
    paths.append(new)
    originals[new] = nbformat.read(new, as_version=4)

    arguments = [str(path) for path in paths]
    assert colab_cell.main(["--check", *arguments]) == 1
    complaints = capsys.readouterr().err
    assert all(str(path) in complaints for path in paths)
    assert colab_cell.main(arguments) == 0
    assert colab_cell.main(["--check", *arguments]) == 0
    written = {path: path.read_bytes() for path in paths}
    assert colab_cell.main(arguments) == 0
    assert {path: path.read_bytes() for path in paths} == written  # idempotent

    for path in paths:
        before, after = originals[path].cells, nbformat.read(path, as_version=4).cells
        assert after[0].source == colab_cell.cell_source(VERSION)
        assert sum(colab_cell.is_colab_cell(cell) for cell in after) == 1
        kept = [cell for cell in before if not colab_cell.is_colab_cell(cell)]
        assert [cell.source for cell in after[1:]] == [cell.source for cell in kept]
        assert [outputs(cell) for cell in after[1:]] == [outputs(cell) for cell in kept]
        counts = [cell.execution_count for cell in after if cell.cell_type == "code"]
        if path != new:  # a clean run stays a clean run: the new cell counts 1, the others follow
            assert counts == list(range(1, len(counts) + 1)), path.name


def test_without_arguments_every_notebook_in_book_gets_the_cell(tmp_path, monkeypatch):
    monkeypatch.setattr(colab_cell, "BOOK", tmp_path)
    for name in ("01_a.ipynb", "X_new.ipynb"):
        nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# A")]), tmp_path / name)
    assert colab_cell.main(["--check"]) == 1
    assert colab_cell.main([]) == 0
    assert colab_cell.main(["--check"]) == 0
    assert all(nbformat.read(path, as_version=4).cells[0].id == colab_cell.CELL_ID
               for path in tmp_path.glob("*.ipynb"))


# --- what the cell does ------------------------------------------------------------------------


def test_cell_does_nothing_outside_colab_and_installs_the_release_on_colab(tmp_path):
    calls = tmp_path / "pip-calls.txt"
    pip = recording_pip(tmp_path / "fake-pip", calls)
    cells = [colab_cell.colab_cell(VERSION), nbformat.v4.new_code_cell("print('next cell')")]

    elsewhere = run_cells(Path(sys.executable), cells, tmp_path / "local", [pip])
    assert elsewhere[0].outputs == [], elsewhere[0].outputs  # nothing printed: nbval stays green
    assert not calls.exists(), "the cell ran pip outside Colab"
    assert elsewhere[1].outputs[0]["text"] == "next cell\n"

    colab = stand_in_colab(tmp_path / "colab")
    run_cells(Path(sys.executable), cells, tmp_path / "on-colab", [colab, pip])
    assert calls.read_text().splitlines() == [INSTALL]


def tagged_repository(folder: Path) -> Path:
    """A git repository of the package's source files with the release's tag, as it is pushed."""
    folder.mkdir()
    for name in SOURCE_FILES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, folder / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, folder / name)
    git = {"GIT_AUTHOR_NAME": "test", "GIT_AUTHOR_EMAIL": "test@localhost",
           "GIT_COMMITTER_NAME": "test", "GIT_COMMITTER_EMAIL": "test@localhost"}
    for command in (["init", "-q"], ["add", "."], ["commit", "-qm", "release"], ["tag", f"v{VERSION}"]):
        run(["git", *command], cwd=folder, env=git)
    return folder


def test_on_colab_the_cell_installs_the_tagged_release_and_the_chapter_imports_work(tmp_path):
    require_build_backend()  # pip builds the package from the tag, offline, with this setuptools
    repository = tagged_repository(tmp_path / "repository")
    python = fresh_venv(tmp_path / "venv")
    before = run([str(python), "-c", "import importlib.util as u; print(u.find_spec('backproplib'))"],
                 cwd=tmp_path, env={"PYTHONPATH": ""})
    assert before.stdout.strip() == "None"  # nothing to import until the cell has run
    chapter = BOOK / "03_chain_rule_single_weight.ipynb"
    cells = [colab_cell.colab_cell(VERSION),
             nbformat.v4.new_code_cell(imports_cell(chapter)),
             nbformat.v4.new_code_cell("import backproplib\nprint(backproplib.__version__, backproplib.__file__)")]
    # git fetches the book's repository from the local one (git's url.<base>.insteadOf); pip
    # builds it with this environment's setuptools, offline, and counts nothing as installed (it
    # would otherwise see this environment's editable backproplib through the .pth file)
    gitconfig = tmp_path / "gitconfig"
    gitconfig.write_text(f'[url "{repository.as_uri()}"]\n\tinsteadOf = {REPOSITORY}\n'
                         '[protocol "file"]\n\tallow = always\n')
    offline = {"GIT_CONFIG_GLOBAL": str(gitconfig), "GIT_CONFIG_NOSYSTEM": "1", "PIP_NO_INDEX": "1",
               "PIP_NO_BUILD_ISOLATION": "0", "PIP_NO_DEPS": "1", "PIP_IGNORE_INSTALLED": "1"}
    executed = run_cells(python, cells, tmp_path / "on-colab", [stand_in_colab(tmp_path / "colab")],
                         env=offline)
    printed = "".join(output.get("text", "") for output in executed[0].outputs)
    assert "ERROR" not in printed, printed
    version, location = executed[2].outputs[0]["text"].split()
    assert version == VERSION
    assert Path(location).is_relative_to(tmp_path / "venv"), location
