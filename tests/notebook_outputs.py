"""Read what the book's notebooks print, and compare two runs of a notebook as nbval does.

Tests that recompute a printed number independently read the stored output with these helpers.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np

BOOK = Path(__file__).resolve().parent.parent / "book"

IGNORE_TAGS = {"nbval-ignore-output", "nbval-skip"}


def ignored(cell: dict) -> bool:
    source = "".join(cell["source"])
    return bool(IGNORE_TAGS & set(cell["metadata"].get("tags", []))) or bool(
        re.search(r"#\s*NBVAL_(IGNORE_OUTPUT|SKIP)", source))


def text_outputs(cell: dict) -> list[str]:
    """The comparable text of a code cell's outputs: streams, plain text, and errors."""
    texts: list[str] = []
    previous_kind = ""
    for output in cell.get("outputs", []):
        kind = output["output_type"]
        if kind == "stream":
            text = f"{output['name']}: {''.join(output['text'])}"
            # a kernel may deliver one print in several stream messages: join neighbours
            if texts and texts[-1].startswith(f"{output['name']}: ") and previous_kind == "stream":
                texts[-1] += "".join(output["text"])
            else:
                texts.append(text)
        elif kind in ("execute_result", "display_data"):
            texts.append("".join(output.get("data", {}).get("text/plain", "")))
        elif kind == "error":
            texts.append(f"{output['ename']}: {output['evalue']}")
        previous_kind = kind
    return texts


def differences(stored: dict, fresh: dict) -> list[str]:
    """Describe every code cell whose fresh outputs differ from the stored ones."""
    problems = []
    stored_cells = [c for c in stored["cells"] if c["cell_type"] == "code"]
    fresh_cells = [c for c in fresh["cells"] if c["cell_type"] == "code"]
    if len(stored_cells) != len(fresh_cells):
        return [f"{len(stored_cells)} code cells stored, {len(fresh_cells)} run"]
    for index, (old, new) in enumerate(zip(stored_cells, fresh_cells)):
        if ignored(old):
            continue
        if text_outputs(old) != text_outputs(new):
            problems.append(f"code cell {index}: stored {text_outputs(old)!r:.300} != fresh {text_outputs(new)!r:.300}")
    return problems


def load(notebook_name: str) -> dict:
    """The notebook ``book/<notebook_name>.ipynb`` as JSON."""
    return json.loads((BOOK / f"{notebook_name}.ipynb").read_text())


def output_text(output: dict) -> str:
    """The printed text of one output: a stream, or the plain-text form of a result."""
    return "".join(output.get("text", "")) + "".join(output.get("data", {}).get("text/plain", ""))


def stored_text(notebook_name: str) -> str:
    """Everything the stored notebook printed, one output after another."""
    return "\n".join(output_text(output) for cell in load(notebook_name)["cells"]
                     for output in cell.get("outputs", []))


def stored_lines(notebook_name: str) -> list[str]:
    """The printed lines of the stored notebook, leaving out cells whose output nbval ignores."""
    lines: list[str] = []
    for cell in load(notebook_name)["cells"]:
        if not ignored(cell):
            for output in cell.get("outputs", []):
                lines += output_text(output).splitlines()
    return lines


def numbers_after(lines: list[str], prefix: str, count: int) -> np.ndarray:
    """The first ``count`` decimal numbers printed after the first line starting with ``prefix``."""
    starts = [index for index, line in enumerate(lines) if line.startswith(prefix)]
    assert starts, f"no stored output line starts with {prefix!r}"
    text = " ".join([lines[starts[0]][len(prefix):]] + lines[starts[0] + 1:])
    values = re.findall(r"-?\d+\.\d*(?:e[-+]?\d+)?", text)
    assert len(values) >= count, f"fewer than {count} numbers after {prefix!r}"
    return np.array([float(value) for value in values[:count]])


def markdown_text(notebook_name: str) -> str:
    """The prose of a notebook, with all runs of white space folded to one space."""
    return " ".join(" ".join("".join(cell["source"]).split())
                    for cell in load(notebook_name)["cells"] if cell["cell_type"] == "markdown")
