"""No stored output names the machine that ran a notebook: no absolute path, user or host name.

The published book shows every stored output. A traceback through an installed module prints
where it is installed (``/home/<user>/...``, ``~/.pyenv/...``, ``C:\\Users\\...``), and that is
the machine of whoever ran the notebook last. The names looked for are read from this machine
(user, host, home folder, interpreter prefix, temporary folder, the repository's own path), and
absolute paths are also matched by their form, whoever's machine wrote them.
"""

from __future__ import annotations

import getpass
import json
import re
import socket
import sys
import sysconfig
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "book").glob("*.ipynb"))

# An absolute path by its form: a POSIX path below a usual top folder, a home folder written
# with ~, a Windows drive, a file:// address.
PATH_FORMS = re.compile(
    r"(?<![\w.])/(?:home|root|Users|tmp|var|usr|opt|work|mnt|srv|private|Volumes|nix|snap|"
    r"Library|etc|run|media)/"
    r"|(?<![\w])~/|(?<![\w])[A-Za-z]:\\|file://"
)
ANSI_COLOUR = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")  # tracebacks are coloured


def machine_paths() -> set[str]:
    """Absolute paths of this machine that a stored output could leak."""
    paths = {str(Path.home()), sys.prefix, sys.base_prefix, sys.exec_prefix, str(ROOT),
             tempfile.gettempdir(), *sysconfig.get_paths().values()}
    return {path for path in paths if path and len(path) > 1}


def machine_patterns() -> list[tuple[str, re.Pattern[str]]]:
    """(what, pattern) for the user name, the host name and this machine's paths.

    A user name such as ``root`` is also an ordinary word ("root mean square"), so it counts
    where it names someone: in a path, before ``@``, after ``~``. A host name counts as a whole
    word.
    """
    patterns = []
    user = getpass.getuser()
    if user:
        name = re.escape(user)
        patterns.append((f"the user name {user!r}",
                         re.compile(rf"[/\\]{name}(?:[/\\]|$)|(?<![\w]){name}@|~{name}\b")))
    for host in {socket.gethostname(), socket.gethostname().split(".")[0]}:
        if host and host != "localhost":
            patterns.append((f"the host name {host!r}",
                             re.compile(rf"(?<![\w-]){re.escape(host)}(?![\w-])", re.IGNORECASE)))
    for path in sorted(machine_paths(), key=len, reverse=True):
        patterns.append((f"the path {path!r} of this machine", re.compile(re.escape(path))))
    return patterns


def stored_texts(notebook: dict) -> list[tuple[str, str]]:
    """(where, text) for everything a notebook stores besides its sources: every output
    (streams, every text-like MIME type, error names, messages and tracebacks), the cells'
    metadata (alt text, captions) and the notebook's metadata."""
    texts = [("notebook metadata", json.dumps(notebook.get("metadata", {})))]
    for index, cell in enumerate(notebook["cells"]):
        texts.append((f"cell {index} metadata", json.dumps(cell.get("metadata", {}))))
        for number, output in enumerate(cell.get("outputs", [])):
            where = f"cell {index} output {number} ({output['output_type']})"
            texts.append((where, "".join(output.get("text", ""))))
            for mime, data in output.get("data", {}).items():
                if not mime.startswith("image/") or mime == "image/svg+xml":
                    texts.append((f"{where} {mime}", data if isinstance(data, str) else json.dumps(data)))
            texts.append((f"{where} metadata", json.dumps(output.get("metadata", {}))))
            if output["output_type"] == "error":
                texts.append((where, "\n".join([output.get("ename", ""), output.get("evalue", ""),
                                                *output.get("traceback", [])])))
    return texts


def traces(notebook: dict) -> list[str]:
    """Every place where a stored text names a path, the user or the host."""
    found = []
    patterns = [("an absolute path", PATH_FORMS), *machine_patterns()]
    for where, coloured in stored_texts(notebook):
        text = ANSI_COLOUR.sub("", coloured)
        for what, pattern in patterns:
            match = pattern.search(text)
            if match:
                start = max(match.start() - 40, 0)
                found.append(f"{where}: {what}: ...{text[start:match.end() + 40]!r}...")
    return found


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_stored_output_names_the_machine_that_ran_the_notebook(path):
    found = traces(json.loads(path.read_text()))
    assert not found, (
        f"{path.name} stores traces of the machine that ran it (show an error as its type and "
        "message, e.g. print(f'{type(err).__name__}: {err}')):\n" + "\n".join(found))


def notebook_with(output: dict, metadata: dict | None = None) -> dict:
    return {"metadata": {}, "cells": [{"cell_type": "code", "source": "", "metadata": metadata or {},
                                       "outputs": [output]}]}


@pytest.mark.parametrize("output, metadata", [
    # chapter 1 before the fix: a traceback through the installed package
    ({"output_type": "error", "ename": "ValueError", "evalue": "bad shape",
      "traceback": ["File \x1b[32m/work/main/backproplib/network.py:226\x1b[39m, in MLP.__init__"]}, None),
    # chapter 9 before the fix: numpy's own frames under the interpreter in the home folder
    ({"output_type": "error", "ename": "LinAlgError", "evalue": "not square",
      "traceback": ["File ~/.pyenv/versions/3.11.7/lib/python3.11/site-packages/numpy/linalg.py"]}, None),
    ({"output_type": "stream", "name": "stderr", "text": "C:\\Users\\ada\\venv\\lib\\warnings.py:1"}, None),
    ({"output_type": "display_data", "data": {"text/html": "<img src='file:///srv/x.png'>"}}, None),
    ({"output_type": "stream", "name": "stdout", "text": f"saved in {Path.home() / 'x'}"}, None),
    ({"output_type": "stream", "name": "stdout", "text": f"ran on {socket.gethostname()}"}, None),
    ({"output_type": "stream", "name": "stdout", "text": f"by {getpass.getuser()}@somewhere"}, None),
    ({"output_type": "display_data", "data": {"text/plain": "<Figure>"}},
     {"mystnb": {"image": {"alt": f"a plot read from {sys.prefix}/data.csv"}}}),
])
def test_the_check_finds_each_kind_of_trace(output, metadata):
    assert traces(notebook_with(output, metadata))


def test_the_check_leaves_ordinary_outputs_alone():
    text = ("relative error <= 1e-08; dC0/da^[2] = [-0.7582 0.8724]; root mean square 0.25; "
            "the ratio 1/m; https://example.org/a/b; a/b/c")
    assert traces(notebook_with({"output_type": "stream", "name": "stdout", "text": text})) == []
