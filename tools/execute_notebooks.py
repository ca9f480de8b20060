"""Re-run notebooks top to bottom in a fresh kernel and store their outputs (Restart & Run All).

Usage::

    python tools/execute_notebooks.py            # every notebook under book/
    python tools/execute_notebooks.py book/02_*.ipynb

Each notebook runs in its own folder, as Jupyter and nbval run it. Execution counts are renumbered
from 1 and no timing metadata is kept, so re-running an unchanged notebook leaves the file as it
was. Commit the notebooks this writes: the book renders, and nbval checks, exactly these outputs.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent


def execute(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
        record_timing=False,
    )
    client.execute()
    for cell in notebook.cells:
        cell.metadata.pop("execution", None)
    notebook.metadata.pop("widgets", None)
    notebook.metadata["kernelspec"] = {
        "display_name": "Python 3 (ipykernel)",
        "language": "python",
        "name": "python3",
    }
    language_info = notebook.metadata.get("language_info", {})
    notebook.metadata["language_info"] = {"name": "python", **{
        key: language_info[key] for key in ("codemirror_mode", "file_extension", "mimetype",
                                            "nbconvert_exporter", "pygments_lexer")
        if key in language_info
    }}
    nbformat.validate(notebook)
    nbformat.write(notebook, path)
    print(f"executed {path.relative_to(ROOT)}")


def main(arguments: list[str]) -> int:
    paths = [Path(argument).resolve() for argument in arguments] or sorted(
        (ROOT / "book").glob("*.ipynb")
    )
    for path in paths:
        execute(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
