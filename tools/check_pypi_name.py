"""Can this distribution name be registered on PyPI? Check it as PyPI's own check does.

Usage::

    python tools/check_pypi_name.py                  # the name in pyproject.toml
    python tools/check_pypi_name.py backprop-book    # another candidate
    python tools/check_pypi_name.py --names FILE     # also against a list of project names

PyPI refuses a new project whose name equals an existing one after *ultranormalisation*: lower
case, the separators ``-``, ``_`` and ``.`` removed, and the confusable letters folded (``o`` to
``0``, ``i`` and ``l`` to ``1``); "backproplib" is refused because "backprop-lib" exists. The
index answers by PEP 503 name only (separators and case), so this asks it, with pip (``pip index
versions``), for the name, its spelling without separators and its ultranormal form; and, given
``--names`` (a file with a project name at the start of each line), compares the ultranormal form
with every name there, which finds a "backprop-lib" that no single query does. Exits 0 when
nothing folds to the name, 1 when something does, 2 when the index cannot be reached (then the
name is unchecked, not free). Needs the network; the test suite checks only the folding.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def ultranormalize(name: str) -> str:
    """PyPI's "too similar" form: lower case, no separators, ``o``->``0``, ``i`` and ``l``->``1``."""
    folded = re.sub(r"[-_.]+", "", name.lower())
    return folded.replace("o", "0").replace("i", "1").replace("l", "1")


def spellings(name: str) -> list[str]:
    """The spellings of ``name`` to ask the index for (each stands for its PEP 503 class)."""
    return list(dict.fromkeys([name.lower(), re.sub(r"[-_.]+", "", name.lower()), ultranormalize(name)]))


def on_index(name: str) -> bool | None:
    """``True`` if the index has a project of this (PEP 503) name, ``None`` if it cannot tell."""
    result = subprocess.run([sys.executable, "-m", "pip", "index", "versions", name],
                            capture_output=True, text=True, timeout=120)
    if result.returncode == 0:
        return True
    return False if "No matching distribution found" in result.stderr else None


def same_names(name: str, names_file: Path) -> list[str]:
    """The names in ``names_file`` (first field of each line) that fold to ``name``'s form."""
    target = ultranormalize(name)
    with names_file.open(encoding="utf-8", errors="replace") as lines:
        fields = (line.split()[0] for line in lines if line.strip())
        return [field for field in fields if ultranormalize(field) == target]


def main(arguments: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("name", nargs="?", help="default: [project] name of pyproject.toml")
    parser.add_argument("--names", type=Path, help="a list of project names to compare with")
    options = parser.parse_args(arguments)
    name = options.name or tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["name"]
    print(f"{name}: ultranormal form {ultranormalize(name)}")
    taken = []
    if options.names:
        taken += same_names(name, options.names)
        print(f"  in {options.names.name}: {', '.join(taken) or 'no name folds to it'}")
    for spelling in spellings(name):
        found = on_index(spelling)
        if found is None:
            print(f"the index could not be reached: {name} is unchecked (pip index versions {spelling})",
                  file=sys.stderr)
            return 2
        print(f"  {spelling:30s} {'EXISTS' if found else 'not on the index'}")
        taken += [spelling] if found else []
    if taken:
        print(f"{name} cannot be registered: {', '.join(dict.fromkeys(taken))} folds to the same name",
              file=sys.stderr)
        return 1
    print(f"{name}: nothing folds to the same name")
    return 0


if __name__ == "__main__":
    sys.exit(main())
