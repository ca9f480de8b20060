"""Write the question bank's listing into appendix B, or check that it is up to date.

Usage::

    python tools/question_bank.py            # rewrite the listing cell of book/B_reader_questions.ipynb
    python tools/question_bank.py --check    # exit 1 if the listing differs from the bank

The bank is ``book/_data/question_bank.yml``: each question in our own words, its kind, its source
and the ``page.html#anchor`` of the section that answers it. Appendix B lists every question,
grouped by kind, with a link to its answer and to its source. The listing is one markdown
cell, recognised by its first line ``(qb-bank)=``; running the tool again changes nothing. A
markdown cell has no output, so the notebook's stored outputs stay valid.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parent.parent
BANK = ROOT / "book" / "_data" / "question_bank.yml"
APPENDIX = ROOT / "book" / "B_reader_questions.ipynb"
FIRST_LINE = "(qb-bank)="
KINDS = {  # the order of the listing, and each kind's heading
    "notation": "Notation",
    "shapes": "Shapes",
    "batch": "Batches and the 1/m",
    "activation": "Activation functions",
    "loss": "Loss functions",
    "initialisation": "Initialisation",
    "numerics": "Numerics",
    "cost": "Cost: time and memory",
    "practice": "Practice",
}
LINK = re.compile(r"book/([\w-]+)\.html#([\w-]+)")


def page_name(stem: str) -> str:
    """``"chapter 5"`` for ``05_batch_averaging``, ``"appendix B"`` for ``B_reader_questions``."""
    number = stem.split("_", 1)[0]
    return f"chapter {int(number)}" if number.isdigit() else f"appendix {number}"


def render(bank: list[dict]) -> str:
    """The listing: one section per kind, one line per question."""
    lines = [
        FIRST_LINE,
        "## The question bank, by kind",
        "",
        f"All {len(bank)} questions of the bank, in our own words, each with the section that "
        "answers it and its source: where a learner asked it, or the text that sets it as a problem.",
    ]
    unknown = {entry["kind"] for entry in bank} - set(KINDS)
    if unknown:
        raise ValueError(f"the bank has entries of unknown kinds {sorted(unknown)}; "
                         f"known: {', '.join(KINDS)}")
    for kind, heading in KINDS.items():
        entries = [entry for entry in bank if entry["kind"] == kind]
        if not entries:
            continue
        lines += ["", f"### {heading}", ""]
        for entry in entries:
            match = LINK.fullmatch(entry["answer"])
            if not match:
                raise ValueError(f"the answer of {entry['question']!r} is not 'book/PAGE.html#anchor': "
                                 f"{entry['answer']!r}")
            page, anchor = match.groups()
            source = entry["source"]
            lines.append(f"- {entry['question']} Answered in {{ref}}`{page_name(page)} <{anchor}>`; "
                         f"source: [{source['title']}]({source['address']}).")
    return "\n".join(lines)


def listing_cell(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The notebook's listing cell (the markdown cell that starts with ``(qb-bank)=``)."""
    cells = [cell for cell in notebook.cells
             if cell.cell_type == "markdown" and cell.source.startswith(FIRST_LINE)]
    if len(cells) != 1:
        raise ValueError(f"{APPENDIX.name} must have one markdown cell starting with {FIRST_LINE}, "
                         f"found {len(cells)}")
    return cells[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--check", action="store_true", help="only check; exit 1 if out of date")
    arguments = parser.parse_args(argv)
    listing = render(yaml.safe_load(BANK.read_text()))
    notebook = nbformat.read(APPENDIX, as_version=4)
    cell = listing_cell(notebook)
    if cell.source == listing:
        print(f"{APPENDIX.name}: the listing is up to date")
        return 0
    if arguments.check:
        print(f"{APPENDIX.name}: the listing differs from {BANK.name}; run python tools/question_bank.py")
        return 1
    cell.source = listing
    nbformat.write(notebook, APPENDIX)
    print(f"{APPENDIX.name}: listing rewritten from {BANK.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
