"""Appendix B answers every reader question of the course and links each to a section that exists."""

from __future__ import annotations

import json
import re

from .site import ROOT

# {ref}`label` or {ref}`link text <label>`: the label
REF = r"\{ref\}`(?:[^`<]*<)?([\w-]+)>?`"

PAGE = ROOT / "book" / "B_reader_questions.ipynb"


def markdown_of(path) -> str:
    """The text of a page of the book: a .md file, or a notebook's markdown cells joined."""
    if path.suffix == ".md":
        return path.read_text()
    cells = json.loads(path.read_text())["cells"]
    return "\n".join("".join(cell["source"]) for cell in cells if cell["cell_type"] == "markdown")


def book_labels() -> set[str]:
    """Every MyST target label ``(name)=`` defined on a page of the book."""
    labels = set()
    for path in sorted((ROOT / "book").glob("*")):
        if path.suffix in (".md", ".ipynb"):
            labels.update(re.findall(r"^\(([\w-]+)\)=\s*$", markdown_of(path), re.M))
    return labels


def sections() -> dict[int, str]:
    text = markdown_of(PAGE)
    parts = re.split(r"^## Q(\d+)\. ", text, flags=re.M)
    return {int(number): body for number, body in zip(parts[1::2], parts[2::2])}


def test_every_question_of_the_course_is_answered_in_order():
    assert list(sections()) == list(range(1, 16))


def test_every_answer_links_to_a_section_that_exists():
    labels = book_labels()
    for number, body in sections().items():
        links = re.findall(REF, body)
        assert links, f"Q{number} has no link to a demonstrating section"
        for link in links:
            assert link in labels, f"Q{number} links to {link!r}, which no page defines"
        # a link to this appendix alone proves nothing
        assert any(not link.startswith("q") for link in links)


def test_every_answer_is_short_and_says_where_it_is_shown():
    for number, body in sections().items():
        prose = body.split("Shown in", 1)
        assert len(prose) == 2, f"Q{number} does not say where it is shown"
        assert 10 <= len(prose[0].split()) <= 140, f"Q{number}: answer of {len(prose[0].split())} words"


def test_the_questions_match_the_ones_the_chapters_name():
    # each chapter's "Reader questions answered here" names questions; each of those must link
    # back from this appendix to that chapter
    chapter_labels = {}
    for path in sorted((ROOT / "book").glob("*.ipynb")):
        text = markdown_of(path)
        chapter_labels[path.stem] = set(re.findall(r"^\(([\w-]+)\)=\s*$", text, re.M))
        box = re.search(r"Reader questions answered here(.*?)```", text, re.S)
        assert box, f"{path.name} has no reader-questions admonition"
        named = {int(n) for n in re.findall(r"\bQ(\d+)\b", box.group(1))}
        for number in named:
            links = set(re.findall(REF, sections()[number]))
            assert links & chapter_labels[path.stem], (
                f"{path.name} says it answers Q{number}, but appendix B does not link there")
