"""The question bank (``book/_data/question_bank.yml``): loading it and checking one entry.

Shared by tests/test_question_bank.py (the data, and every link against the book's sources) and
tests/test_html.py (every link against the built book).
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlparse

import yaml

ROOT = Path(__file__).resolve().parent.parent
BANK = ROOT / "book" / "_data" / "question_bank.yml"
KINDS = ("notation", "shapes", "batch", "activation", "loss", "initialisation", "numerics", "cost",
         "practice")
# "book/05_batch_averaging.html#sec-batch-one-over-m": a page of the built book and an anchor on it
LINK = re.compile(r"(book/[\w-]+)\.html#([\w-]+)")


def load_bank(path: Path = BANK) -> list[dict]:
    """The entries of the bank, in file order."""
    entries = yaml.safe_load(path.read_text())
    if not isinstance(entries, list):
        raise ValueError(f"{path} must hold a list of entries, got {type(entries).__name__}")
    return entries


def problems(entry: object) -> list[str]:
    """What is wrong with one entry of the bank (an empty list if nothing is)."""
    if not isinstance(entry, dict):
        return [f"an entry must be a mapping, got {type(entry).__name__}"]
    found = []
    unknown = set(entry) - {"question", "kind", "source", "answer"}
    if unknown:
        found.append(f"unknown fields {sorted(unknown)}")
    question = entry.get("question")
    if not isinstance(question, str) or len(question.split()) < 5 or not question.rstrip().endswith("?"):
        found.append(f"question must be a question of at least five words ending in '?', got {question!r}")
    if entry.get("kind") not in KINDS:
        found.append(f"kind must be one of {', '.join(KINDS)}, got {entry.get('kind')!r}")
    source = entry.get("source")
    if not isinstance(source, dict):
        found.append(f"source must have an address and a title, got {source!r}")
    else:
        address, title = source.get("address"), source.get("title")
        parsed = urlparse(address) if isinstance(address, str) else None
        if parsed is None or parsed.scheme not in ("http", "https") or not parsed.netloc:
            found.append(f"source address must be an http(s) address, got {address!r}")
        if not isinstance(title, str) or not title.strip():
            found.append(f"source title must be a non-empty text, got {title!r}")
        elif isinstance(question, str) and question.strip().lower() == title.strip().lower():
            found.append("the question must be in our own words, not the source's title")
    answer = entry.get("answer")
    if not isinstance(answer, str) or not LINK.fullmatch(answer):
        found.append(f"answer must link to a section as 'book/PAGE.html#anchor', got {answer!r}")
    return found


def page_and_anchor(entry: dict) -> tuple[str, str]:
    """``("book/05_batch_averaging", "sec-batch-one-over-m")`` from an entry's answer link."""
    match = LINK.fullmatch(entry["answer"])
    return match.group(1), match.group(2)


def normalised(question: str) -> str:
    """The question's words in lower case, without punctuation: to find duplicates."""
    return " ".join(re.findall(r"[a-z0-9]+", question.lower()))
