"""A chapter's main path stays short enough to read in one sitting; depth goes to optional parts.

The main path is the prose before the chapter's exercises. Optional depth goes after the
summary, under the heading "Going further (optional)", which says so in a note.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

BOOK = Path(__file__).resolve().parent.parent / "book"
CHAPTERS = sorted(BOOK.glob("0[1-9]_*.ipynb"))
MAIN_PATH_WORDS = 2200  # issue 21: chapters 5, 6 and 8 had grown to 2,300-2,660


def prose(path: Path) -> str:
    cells = json.loads(path.read_text())["cells"]
    return "\n".join("".join(cell["source"]) for cell in cells if cell["cell_type"] == "markdown")


def main_path(text: str) -> str:
    """The prose before the heading of the exercises."""
    return re.split(r"^## Exercises", text, maxsplit=1, flags=re.MULTILINE)[0]


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_main_path_of_a_chapter_is_at_most_2200_words(path):
    words = len(main_path(prose(path)).split())
    assert words <= MAIN_PATH_WORDS, (
        f"{path.name}: the main path has {words} words (at most {MAIN_PATH_WORDS}); move optional "
        "depth after the summary, under '## Going further (optional)'")


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_optional_parts_come_after_the_summary_and_say_so(path):
    text = prose(path)
    headings = re.findall(r"^## (.+)$", text, flags=re.MULTILINE)
    if "Going further (optional)" in headings:
        assert headings.index("Going further (optional)") > headings.index("Summary"), path.name
        after = text.split("## Going further (optional)", 1)[1]
        assert re.match(r"\s*```\{note\}\nNothing later in the book needs this part", after), path.name


def test_the_count_sees_a_long_main_path():
    long_chapter = "## One\n" + "word " * 2300 + "\n## Exercises\n" + "more " * 50
    assert len(main_path(long_chapter).split()) > MAIN_PATH_WORDS
