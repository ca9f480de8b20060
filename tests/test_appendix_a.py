"""Appendix A, the notation Rosetta stone: every source in every table, cited, and the book's own row
in agreement with the notation the preface defines ("Notation at a glance")."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "book" / "A_notation.md"
PREFACE = ROOT / "book" / "00_preface.md"

# Short name used in the first column of every table and in the reference list -> the words that
# must name the source in full somewhere on the page.
SOURCES = {
    "Wikipedia": ["Wikipedia", "Backpropagation"],
    "Nielsen": ["Michael Nielsen", "Neural Networks and Deep Learning"],
    "deeplizard": ["deeplizard"],
    "Ng": ["Andrew Ng", "deeplearning.ai", "Deep Learning Specialization"],
    "Jordan": ["Jeremy Jordan"],
    "Imperial": ["Imperial College London", "Mathematics for Machine Learning", "Deisenroth", "Faisal",
                 "Ong"],
    "Goodfellow": ["Goodfellow", "Bengio", "Courville", "6.5"],
    "This book": ["this book"],
}
EXTERNAL = [name for name in SOURCES if name != "This book"]

CONCEPTS = [
    "Weighted input",
    "Activation",
    "Activation function",
    "Error term",
    "Loss of one sample",
    "Cost of a batch",
    "Weight index order",
    "Weight matrix shape",
    "Samples in a batch: rows or columns",
    "Where $1/m$ appears",
    "Squared error: factor 2 or ½",
    "Layer index",
]


def section(text: str, heading: str, level: str = "##") -> str:
    """The text under a heading, up to the next heading of the same or a higher level."""
    match = re.search(rf"^{level} {re.escape(heading)}\s*$", text, flags=re.M)
    assert match, f"no heading {level} {heading!r}"
    rest = text[match.end():]
    stop = re.search(rf"^#{{1,{len(level)}}} ", rest, flags=re.M)
    return rest[: stop.start()] if stop else rest


def table_rows(block: str) -> list[list[str]]:
    """Rows (lists of stripped cells) of the first pipe table in a block, header excluded."""
    lines = [line.strip() for line in block.splitlines() if line.strip().startswith("|")]
    assert len(lines) >= 3, "no table with a header, a separator and rows"
    assert re.fullmatch(r"\|(\s*:?-+:?\s*\|)+", lines[1]), f"not a table separator: {lines[1]}"
    return [[cell.strip() for cell in line.strip("|").split("|")] for line in lines[2:]]


def concept_tables() -> dict[str, dict[str, list[str]]]:
    side_by_side = section(PAGE.read_text(), "Side by side")
    tables = {}
    for concept in CONCEPTS:
        rows = table_rows(section(side_by_side, concept, "###"))
        tables[concept] = {row[0]: row for row in rows}
        assert len(tables[concept]) == len(rows), f"{concept}: a source has two rows"
    return tables


def book_row(concept: str) -> str:
    return squash(" ".join(concept_tables()[concept]["This book"][1:]))


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def preface_rows() -> list[tuple[str, str]]:
    """(symbol cell, meaning cell) of the preface's 'Notation at a glance' table."""
    return [(row[0], row[1]) for row in table_rows(section(PREFACE.read_text(), "Notation at a glance"))]


def preface_row(meaning_pattern: str) -> tuple[str, str]:
    found = [row for row in preface_rows() if re.search(meaning_pattern, row[1])]
    assert len(found) == 1, f"the preface has {len(found)} notation rows matching {meaning_pattern!r}"
    return found[0]


def defined_symbols(symbol_cell: str) -> list[str]:
    """The symbols a preface row defines: each $...$ of the cell, left of any '='."""
    return [squash(math.split("=")[0]) for math in re.findall(r"\$([^$]+)\$", symbol_cell)]


def test_page_exists_with_a_label_and_a_title():
    text = PAGE.read_text()
    assert text.startswith("(appendix-notation)=\n# A. Notation Rosetta stone")


@pytest.mark.parametrize("name", SOURCES)
def test_every_source_is_named_in_full(name):
    text = PAGE.read_text().lower()
    for words in SOURCES[name]:
        assert words.lower() in text, f"{name}: {words!r} is not on the page"


def test_every_concept_table_has_exactly_one_row_per_source():
    for concept, rows in concept_tables().items():
        assert set(rows) == set(SOURCES), f"{concept}: rows {sorted(rows)}"
        for name, row in rows.items():
            assert len(row) == 3, f"{concept}/{name}: {len(row)} cells instead of 3"
            assert row[1], f"{concept}/{name}: empty symbol cell"


def test_book_row_never_says_not_verified():
    for concept, rows in concept_tables().items():
        assert "not verified" not in " ".join(rows["This book"]).lower(), concept


def test_every_source_has_a_reading_section_with_three_to_five_points():
    text = PAGE.read_text()
    for name in EXTERNAL:
        block = section(text, f"Reading {name} with this book", "###")
        points = re.findall(r"^- ", block, flags=re.M)
        assert 3 <= len(points) <= 5, f"Reading {name}: {len(points)} points"


def test_every_source_has_a_reference_entry_with_a_url():
    references = section(PAGE.read_text(), "References")
    entries = re.split(r"^- ", references, flags=re.M)[1:]
    by_name = {}
    for entry in entries:
        match = re.match(r"\*\*\[([^\]]+)\]\*\*", entry)
        assert match, f"reference entry without a **[name]** key: {entry[:60]!r}"
        by_name[match.group(1)] = entry
    assert set(by_name) == set(SOURCES)
    for name, entry in by_name.items():
        assert re.search(r"<https?://[^\s>]+>", entry), f"{name}: no URL"


def test_every_short_name_used_in_the_tables_has_a_reference():
    references = section(PAGE.read_text(), "References")
    for concept, rows in concept_tables().items():
        for name in rows:
            assert f"**[{name}]**" in references, f"{concept}: {name} has no reference"


# The book's own row must use the symbols the preface's "Notation at a glance" defines. Each test
# reads the symbol from the preface, so changing the notation in one place and not the other fails.

@pytest.mark.parametrize(("concept", "meaning"), [
    ("Weighted input", r"\*\*weighted input\*\*"),
    ("Activation", r"\*\*activation\*\* \(a value\)"),
    ("Activation function", r"\*\*activation function\*\*"),
    ("Error term", r"error of layer"),
    ("Loss of one sample", r"loss of one sample"),
])
def test_book_row_uses_the_preface_symbol(concept, meaning):
    symbol_cell, _ = preface_row(meaning)
    symbols = defined_symbols(symbol_cell)
    assert symbols, f"no symbol in the preface row {symbol_cell!r}"
    for symbol in symbols:
        assert symbol in book_row(concept), f"{concept}: {symbol} missing from the book's row"


def test_book_row_gives_the_preface_definition_of_the_error_and_the_weighted_input():
    for concept, meaning in [("Error term", r"error of layer"), ("Weighted input", r"\*\*weighted input\*\*")]:
        symbol_cell, _ = preface_row(meaning)
        formula = squash(re.search(r"\$([^$]+)\$", symbol_cell).group(1))
        assert formula in book_row(concept), f"{concept}: {formula} missing from the book's row"


def test_book_row_gives_the_preface_cost_of_a_batch():
    symbol_cell, meaning = preface_row(r"cost of a batch")
    assert "**mean**" in meaning
    formula = squash(re.search(r"\$([^$]+)\$", symbol_cell).group(1))
    assert formula.startswith("J=") and "\\frac1m" in formula
    assert formula in book_row("Cost of a batch")
    assert "mean" in book_row("Cost of a batch")


def test_book_row_gives_the_preface_index_order_and_shape():
    symbol_cell, meaning = preface_row(r"weight \*\*to\*\* node")
    assert "**to** node $j$" in meaning and "**from** node $k$" in meaning
    row = concept_tables()["Weight index order"]["This book"]
    assert squash(defined_symbols(symbol_cell)[0]) in squash(row[1])
    assert "**to** node $j$" in row[2] and "**from** node $k$" in row[2]

    _, meaning = preface_row(r"weight matrix, shape")
    shape = squash(re.search(r"shape \$([^$]+)\$", meaning).group(1))
    assert shape in book_row("Weight matrix shape")


def test_book_row_gives_the_preface_layer_and_sample_brackets():
    _, layer_meaning = preface_row(r"layer index")
    _, sample_meaning = preface_row(r"sample index")
    assert "square brackets" in layer_meaning and "round brackets" in sample_meaning
    row = " ".join(concept_tables()["Layer index"]["This book"])
    assert "square brackets" in row and "round brackets" in row
    for meaning in (layer_meaning, sample_meaning):
        for example in re.findall(r"\$([^$]+)\$", meaning):
            if "[l]" in example:
                assert squash(example) in squash(row), f"{example} missing from the book's layer row"


def test_book_row_has_the_preface_squared_error_without_a_half():
    _, meaning = preface_row(r"loss of one sample")
    assert "no $\\tfrac12$" in meaning
    loss = squash(re.search(r"e\.g\. \$([^$]+)\$", meaning).group(1))
    row = book_row("Squared error: factor 2 or ½")
    assert loss in row
    assert "no½" in row and "2(a_j^{[L]}-y_j)" in row


def test_book_row_has_the_preface_batch_layout():
    preface = squash(PREFACE.read_text())
    row = book_row("Samples in a batch: rows or columns")
    for code in ["`X`hasshape`(m,n_0)`", "`Z=A_prev@W.T+b`"]:
        assert code in preface, f"the preface no longer says {code}"
        assert code in row, f"{code} missing from the book's layout row"


def test_cross_references_point_to_labels_that_exist():
    text = PAGE.read_text()
    labels = set(re.findall(r"^\(([\w-]+)\)=$", text, flags=re.M))
    labels |= set(re.findall(r"^\(([\w-]+)\)=$", PREFACE.read_text(), flags=re.M))
    for target in re.findall(r"\{ref\}`(?:[^`<]*<)?([\w-]+)>?`", text):
        assert target in labels, f"{{ref}} to a missing label {target!r}"
    for target in re.findall(r"\{doc\}`(?:[^`<]*<)?([\w/.-]+)>?`", text):
        assert (PAGE.parent / f"{target}.ipynb").exists() or (PAGE.parent / f"{target}.md").exists(), target
