"""Put the Colab install cell first in every chapter notebook, or check that it is there.

Usage::

    python tools/colab_cell.py             # insert or update it in every notebook under book/
    python tools/colab_cell.py --check     # exit 1 if a notebook lacks the current cell
    python tools/colab_cell.py book/05_batch_averaging.ipynb   # only these notebooks

Colab opens a chapter from the repository but does not have the companion package. The cell
installs it there from the release's tag in the book's repository (``v`` + ``__version__`` of
``backproplib/__init__.py``, the one place the version lives, at ``repository.url`` of
``_config.yml``): exactly the code the book was made with, whether or not the release is on
PyPI yet (the tag is pushed before the package is published). It does nothing anywhere else:
it produces no output locally, on Binder or under nbval. The tag ``remove-cell`` keeps it out of
the HTML book (myst-nb drops the cell from the page); in the notebook it stays visible with a
comment that says why it is there.

Running the tool again changes nothing; after a version bump it updates the pinned version. The
cell has no output in a fresh run, so where the notebook's execution counts were those of a clean
top-to-bottom run, they are renumbered as that run would number them, and the stored outputs stay
valid without re-executing the notebook.
"""

from __future__ import annotations

import argparse
import ast
import copy
import sys
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"
VERSION_FILE = ROOT / "backproplib" / "__init__.py"
CONFIG = ROOT / "_config.yml"
CELL_ID = "colab-install"
TAG = "remove-cell"  # myst-nb (Jupyter Book 1) leaves a cell with this tag out of the page
SIGNATURE = "import google.colab"  # how an earlier version of the cell is recognised


def package_version(path: Path = VERSION_FILE) -> str:
    """``__version__`` as written in ``backproplib/__init__.py`` (read, not imported)."""
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == "__version__" for target in node.targets
        ):
            return ast.literal_eval(node.value)
    raise ValueError(f"{path} sets no __version__")


def repository_url(path: Path = CONFIG) -> str:
    """``repository.url`` of the book's ``_config.yml``: where the launch buttons point too."""
    return yaml.safe_load(path.read_text())["repository"]["url"].rstrip("/")


def install_target(version: str, repository: str | None = None) -> str:
    """What the cell gives ``pip install``: the release's tag in the book's repository."""
    return f"git+{repository or repository_url()}@v{version}"


def cell_source(version: str, repository: str | None = None) -> str:
    """The cell's code: on Colab, ``%pip install`` the release; elsewhere, nothing."""
    return (
        "# Colab lacks this book's package: install its release there (does nothing elsewhere).\n"
        "try:\n"
        f"    {SIGNATURE}  # noqa: F401\n"
        "except ImportError:\n"
        "    pass\n"
        "else:\n"
        f"    %pip install --quiet {install_target(version, repository)}"
    )


def colab_cell(version: str) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(cell_source(version), metadata={"tags": [TAG]})
    cell.id = CELL_ID
    return cell


def is_colab_cell(cell: dict) -> bool:
    """True for the Colab install cell, in this or any earlier version."""
    return cell.get("cell_type") == "code" and (
        cell.get("id") == CELL_ID or SIGNATURE in "".join(cell.get("source", ""))
    )


def _code_cells(cells: list) -> list:
    return [cell for cell in cells if cell["cell_type"] == "code"]


def _renumber(cells: list) -> None:
    """Execution counts 1, 2, ... as a clean run gives them, in cells and their results."""
    for count, cell in enumerate(_code_cells(cells), start=1):
        cell["execution_count"] = count
        for output in cell.get("outputs", []):
            if output.get("output_type") == "execute_result":
                output["execution_count"] = count


def with_colab_cell(notebook: nbformat.NotebookNode, version: str) -> nbformat.NotebookNode:
    """A copy of ``notebook`` whose first cell, and only Colab cell, is the current one."""
    result = copy.deepcopy(notebook)
    counts = [cell.get("execution_count") for cell in _code_cells(result.cells)]
    clean_run = counts == list(range(1, len(counts) + 1))
    result.cells = [colab_cell(version)] + [cell for cell in result.cells if not is_colab_cell(cell)]
    if clean_run:
        _renumber(result.cells)
    return result


def has_current_cell(notebook: nbformat.NotebookNode, version: str) -> bool:
    """The current cell comes first, unchanged, and no other Colab cell follows."""
    first, *rest = notebook.cells or [{}]
    expected = colab_cell(version)
    return (
        first.get("cell_type") == "code"
        and first.get("id") == CELL_ID
        and "".join(first.get("source", "")) == expected.source
        and first.get("metadata") == expected.metadata
        and not first.get("outputs")
        and not any(is_colab_cell(cell) for cell in rest)
    )


def chapter_notebooks(book: Path | None = None) -> list[Path]:
    """Every notebook of the book (``book/*.ipynb``), new ones included."""
    return sorted((book or BOOK).glob("*.ipynb"))


def main(arguments: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path,
                        help="notebooks to change or check (default: every book/*.ipynb)")
    parser.add_argument("--check", action="store_true",
                        help="change nothing; exit 1 if a notebook lacks the current cell")
    options = parser.parse_args(arguments)
    version = package_version()
    paths = options.notebooks or chapter_notebooks()
    if not paths:
        print("no notebooks found", file=sys.stderr)
        return 2
    missing = []
    for path in paths:
        notebook = nbformat.read(path, as_version=4)
        if has_current_cell(notebook, version):
            continue
        if options.check:
            missing.append(path)
            continue
        updated = with_colab_cell(notebook, version)
        nbformat.validate(updated)
        nbformat.write(updated, path)
        print(f"Colab cell ({install_target(version)}) put first in {path}")
    for path in missing:
        print(f"{path}: the first cell is not the Colab cell for {install_target(version)}; "
              "run python tools/colab_cell.py", file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
