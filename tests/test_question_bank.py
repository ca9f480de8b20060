"""The question bank: at least 60 distinct sourced questions, each linked to the section that answers it.

Here the links are checked against the book's sources (a MyST label on the linked page); the test
``test_every_question_of_the_bank_links_to_an_anchor_of_the_built_book`` in tests/test_html.py
checks them against the built HTML.
"""

from __future__ import annotations

import collections
import functools
import json
import re

import pytest

from .question_bank import KINDS, load_bank, normalised, page_and_anchor, problems
from .site import ROOT, toc_files

BANK = load_bank()

GOOD = {
    "question": "Why is the bias gradient the mean of the errors over the batch?",
    "kind": "batch",
    "source": {"title": "Gradients for bias terms in backpropagation",
               "address": "https://datascience.stackexchange.com/questions/20139"},
    "answer": "book/06_matrix_form.html#sec-matrix-conventions",
}


@functools.lru_cache(maxsize=None)
def page_labels(page: str) -> frozenset[str]:
    """The MyST labels ``(name)=`` that a page of the book defines."""
    path = ROOT / f"{page}.md"
    if path.exists():
        text = path.read_text()
    else:
        cells = json.loads((ROOT / f"{page}.ipynb").read_text())["cells"]
        text = "\n".join("".join(cell["source"]) for cell in cells if cell["cell_type"] == "markdown")
    return frozenset(re.findall(r"^\(([\w-]+)\)=\s*$", text, re.M))


def test_the_bank_holds_at_least_60_questions():
    assert len(BANK) >= 60, f"the bank holds {len(BANK)} questions"


@pytest.mark.parametrize("index", range(len(BANK)), ids=lambda index: f"entry{index + 1}")
def test_every_entry_has_a_question_kind_source_and_link(index):
    assert problems(BANK[index]) == [], BANK[index].get("question")


@pytest.mark.parametrize("broken, complaint", [
    ({key: value for key, value in GOOD.items() if key != "answer"}, "answer must link"),
    ({**GOOD, "answer": ""}, "answer must link"),
    ({**GOOD, "answer": "book/06_matrix_form.html"}, "answer must link"),
    ({**GOOD, "answer": "https://example.org/page.html#x"}, "answer must link"),
    ({**GOOD, "kind": "calculus"}, "kind must be one of"),
    ({key: value for key, value in GOOD.items() if key != "source"}, "source must have"),
    ({**GOOD, "source": {"title": "A thread"}}, "source address"),
    ({**GOOD, "source": {"address": "https://example.org/q/1"}}, "source title"),
    ({**GOOD, "source": {**GOOD["source"], "title": GOOD["question"]}}, "our own words"),
    ({**GOOD, "question": "Bias?"}, "question must be"),
])
def test_an_entry_without_a_link_or_source_is_refused(broken, complaint):
    assert problems(GOOD) == []
    found = problems(broken)
    assert any(complaint in problem for problem in found), found


def test_no_question_is_asked_twice():
    counts = collections.Counter(normalised(entry["question"]) for entry in BANK)
    assert [question for question, count in counts.items() if count > 1] == []


def test_every_kind_has_questions():
    counts = collections.Counter(entry["kind"] for entry in BANK)
    assert {kind: counts[kind] for kind in KINDS if counts[kind] < 3} == {}


@pytest.mark.parametrize("index", range(len(BANK)), ids=lambda index: f"entry{index + 1}")
def test_every_link_names_a_page_of_the_book_and_a_label_on_it(index):
    page, anchor = page_and_anchor(BANK[index])
    assert page in toc_files(), f"{page} is not a page of the book"
    assert anchor in page_labels(page), f"{page} defines no label {anchor!r}"


@pytest.mark.parametrize("anchor, kind", [
    ("qb-memory", "cost"),             # memory of the stored activations as the batch grows
    ("qb-input-gradient", "practice"),  # what the gradient with respect to x is good for
    ("qb-step-units", "activation"),    # hidden step units make every error zero
    ("qb-clipping", "practice"),        # what gradient clipping does to an update
])
def test_the_gaps_issue_21_names_are_in_the_bank_and_answered(anchor, kind):
    linked = [entry for entry in BANK if page_and_anchor(entry) == ("book/B_reader_questions", anchor)]
    assert len(linked) >= 2, f"fewer than two questions of the bank are answered by {anchor}"
    assert {entry["kind"] for entry in linked} == {kind}
    assert anchor in page_labels("book/B_reader_questions")


def load_tool():
    import importlib.util

    spec = importlib.util.spec_from_file_location("question_bank_tool", ROOT / "tools" / "question_bank.py")
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    return tool


def test_appendix_b_lists_every_question_of_the_bank_by_kind():
    tool = load_tool()
    assert tool.main(["--check"]) == 0, "run python tools/question_bank.py"
    listing = tool.render(BANK)
    for entry in BANK:
        _, anchor = page_and_anchor(entry)
        assert f"- {entry['question']} Answered in {{ref}}`" in listing
        assert f"<{anchor}>`; source: [{entry['source']['title']}]({entry['source']['address']})" in listing


def test_the_listing_tool_finds_a_listing_that_is_out_of_date(tmp_path, monkeypatch):
    tool = load_tool()
    appendix = tmp_path / "B.ipynb"
    appendix.write_bytes(tool.APPENDIX.read_bytes())
    bank = tmp_path / "bank.yml"
    bank.write_text(tool.BANK.read_text().replace("- question: ", "- question: Really, ", 1))
    monkeypatch.setattr(tool, "APPENDIX", appendix)
    monkeypatch.setattr(tool, "BANK", bank)
    assert tool.main(["--check"]) == 1
    assert tool.main([]) == 0  # rewrites the listing
    assert tool.main(["--check"]) == 0
    assert "- Really, " in appendix.read_text()
