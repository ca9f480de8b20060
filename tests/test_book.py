"""The book as a whole: table of contents, the notebooks' stored outputs, figures, exercises."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from .site import toc_files

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"
NOTEBOOKS = sorted(BOOK.glob("*.ipynb"))


def load(path: Path) -> dict:
    return json.loads(path.read_text())


def test_every_page_is_in_the_toc_and_every_toc_entry_exists():
    listed = toc_files()
    for entry in listed:
        assert any((ROOT / f"{entry}{suffix}").exists() for suffix in (".md", ".ipynb")), entry
    for page in list(BOOK.glob("*.ipynb")) + list(BOOK.glob("*.md")):
        assert str(page.relative_to(ROOT).with_suffix("")) in listed, f"{page.name} is not in _toc.yml"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_was_run_top_to_bottom_in_a_fresh_kernel(path):
    counts = [cell.get("execution_count") for cell in load(path)["cells"] if cell["cell_type"] == "code"]
    assert counts == list(range(1, len(counts) + 1)), (
        f"{path.name}: execution counts {counts}; run python tools/execute_notebooks.py {path.name}"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_stored_outputs_hold_no_addresses_paths_or_errors(path):
    for index, cell in enumerate(load(path)["cells"]):
        for output in cell.get("outputs", []):
            text = json.dumps(output.get("text", "")) + json.dumps(output.get("data", {}).get("text/plain", ""))
            assert not re.search(r"0x[0-9a-f]{6,}", text), f"{path.name} cell {index}: a memory address"
            assert "/work/" not in text and "/tmp/" not in text and "/home/" not in text, (
                f"{path.name} cell {index}: a file path in the output")
            if output.get("name") == "stderr":
                pytest.fail(f"{path.name} cell {index}: stderr output (a warning?): {output['text'][:200]}")
            if output["output_type"] == "error":
                assert "raises-exception" in cell["metadata"].get("tags", []), (
                    f"{path.name} cell {index}: an error in a cell not tagged raises-exception")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_figure_has_alt_text_and_a_caption(path):
    for index, cell in enumerate(load(path)["cells"]):
        images = [o for o in cell.get("outputs", []) if "image/png" in o.get("data", {})]
        if images:
            options = cell["metadata"].get("mystnb", {})
            assert len(options.get("image", {}).get("alt", "")) >= 20, f"{path.name} cell {index}: alt text"
            assert options.get("figure", {}).get("caption"), f"{path.name} cell {index}: caption"


@pytest.mark.parametrize("path", [p for p in NOTEBOOKS if re.match(r"(\d\d|[A-Z])_", p.name)], ids=lambda p: p.name)
def test_every_chapter_has_at_least_two_checked_exercises(path):
    cells = load(path)["cells"]
    solutions = [i for i, c in enumerate(cells) if "### BEGIN SOLUTION" in "".join(c["source"])]
    assert len(solutions) >= 2, f"{path.name} has {len(solutions)} exercises"
    for index in solutions:
        cell = cells[index]
        assert "hide-input" in cell["metadata"].get("tags", []), f"{path.name} cell {index}: solution not folded"
        source = "".join(cell["source"])
        assert re.match(r"(\w+(, \w+)* = \.\.\.\n)+### BEGIN SOLUTION", source), (
            f"{path.name} cell {index}: the answer cell must start with `name = ...` placeholders")
        checks = "".join(cells[index + 1]["source"])
        assert re.search(r"check_(\d+|[a-z])_\d+\(", checks), f"{path.name} cell {index + 1}: no check follows"


MAX_CODE_LINE = 90  # the HTML book shows about 85-90 characters of code before scrolling sideways


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_code_lines_fit_the_page(path):
    too_long = [
        f"{path.name} cell {index} line {number}: {len(line)} characters: {line!r}"
        for index, cell in enumerate(load(path)["cells"]) if cell["cell_type"] == "code"
        for number, line in enumerate("".join(cell["source"]).splitlines(), start=1)
        if len(line) > MAX_CODE_LINE
    ]
    assert not too_long, f"code lines longer than {MAX_CODE_LINE} characters:\n" + "\n".join(too_long)
