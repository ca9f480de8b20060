"""What a reader installs and may reuse: bounds on requirements, recorded versions, licence."""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

import backproplib

ROOT = Path(__file__).resolve().parent.parent


def requirement_lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith(("#", "-"))]


def name_of(requirement: str) -> str:
    return re.split(r"[<>=!~\[ ;]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def test_reader_requirements_have_lower_and_upper_bounds():
    text = (ROOT / "requirements.txt").read_text()
    assert "-e ." in text.splitlines(), "requirements.txt must install the package itself"
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    everything = (requirement_lines(text) + pyproject["project"]["dependencies"]
                  + [r for extra in pyproject["project"]["optional-dependencies"].values() for r in extra])
    for requirement in everything:
        assert ">=" in requirement and "<" in requirement.replace("<=", ""), requirement


def test_constraints_record_an_exact_version_of_every_requirement():
    pinned = {}
    for line in requirement_lines((ROOT / "constraints.txt").read_text()):
        name, _, version = line.partition("==")
        pinned[name.lower().replace("_", "-")] = version
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    extras = pyproject["project"]["optional-dependencies"]
    wanted = requirement_lines((ROOT / "requirements.txt").read_text()) + extras["test"] + extras["instructor"]
    for requirement in wanted:
        assert pinned.get(name_of(requirement)), f"{name_of(requirement)} has no exact version in constraints.txt"
    assert "backproplib" not in pinned


def test_jupyter_book_is_version_1():
    assert "jupyter-book>=1.0.4.post1,<2" in (ROOT / "requirements.txt").read_text()


def test_licence_covers_code_and_text():
    text = (ROOT / "LICENSE").read_text()
    assert "MIT License" in text and "CC BY 4.0" in text


def test_version_is_exposed():
    assert re.fullmatch(r"\d+\.\d+\.\d+", backproplib.__version__)


def test_package_needs_only_numpy_and_matplotlib():
    allowed = {"numpy", "matplotlib", "__future__", "dataclasses", "typing", "collections", "math",
               "itertools", "functools", "abc", "enum", "warnings", "numbers",
               # standard library, for backproplib.display.show_code
               "ast", "inspect", "textwrap",
               # standard library, for backproplib.diagnose (where the learner's code raised)
               "os", "traceback",
               # standard library, for the lazy backproplib.<module> attributes (__init__.py)
               "importlib", "pkgutil", "types"}
    for module in (ROOT / "backproplib").rglob("*.py"):
        tree = ast.parse(module.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                assert top in allowed, f"{module.name} imports {name}"
                if top == "matplotlib":
                    assert module.name == "plotting.py", f"{module.name} imports matplotlib"


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Run the tests", 1)[1]
    command = re.search(r"```bash\n(.+?)\n```", section, re.S).group(1).strip()
    steps = [step.strip() for step in command.split("&&")]
    ci_lines = [line.strip().replace("python -m pip", "pip").replace(" --quiet", "")
                for line in (ROOT / ".ci" / "run").read_text().splitlines()
                if line.strip() and not line.startswith(("#", "set ", "cd "))]
    assert ci_lines == steps
