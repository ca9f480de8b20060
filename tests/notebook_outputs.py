"""Compare the text outputs of two runs of a notebook, as nbval does (figures by their text form)."""

from __future__ import annotations

import re

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
