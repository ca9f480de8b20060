"""A newcomer's first ten minutes (issue 19): the README's quick start and every example in the
package's docstrings (appendix E) run as written, the package's modules are reachable from
``import backproplib`` without slowing it down, a printed gradient check says whether it passed,
and the instructor's commands cannot commit student data by accident.
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import backproplib
from backproplib.gradcheck import gradient_check
from backproplib.network import MLP

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
APPENDIX_D = (ROOT / "book" / "D_for_instructors.md").read_text()


def fenced_blocks(markdown: str) -> list[tuple[str, str]]:
    """Every fenced code block of ``markdown`` as ``(language, code)``, in order."""
    return [(match.group(1).strip(), match.group(2))
            for match in re.finditer(r"^```([^\n]*)\n(.*?)^```$", markdown, re.MULTILINE | re.DOTALL)]


def run_python(code: str, folder: Path) -> subprocess.CompletedProcess:
    """``code`` in a fresh interpreter of this environment, started in an empty folder."""
    return subprocess.run([sys.executable, "-c", code], cwd=folder, capture_output=True, text=True,
                          timeout=120)


# --- the README ---------------------------------------------------------------------------------


def test_readme_quick_start_runs_as_written_and_prints_what_it_shows(tmp_path):
    blocks = fenced_blocks(README)
    examples = [index for index, (language, _) in enumerate(blocks) if language == "python"]
    assert examples, "the README has no Python example"
    for index in examples:
        result = run_python(blocks[index][1], tmp_path)
        assert result.returncode == 0, result.stderr
        assert result.stderr == "", result.stderr  # no warning either
        following = blocks[index + 1] if index + 1 < len(blocks) else ("", "")
        if following[0] == "text":  # the output the README shows under the example
            assert result.stdout == following[1], result.stdout


def test_readme_quick_start_installs_the_published_distribution():
    import tomllib

    name = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["name"]
    installs = [code for language, code in fenced_blocks(README) if language == "bash"
                and "pip install" in code and "requirements.txt" not in code and "torch" not in code]
    version = backproplib.__version__
    repository = re.search(r"url:\s*(https://github.com/\S+)", (ROOT / "_config.yml").read_text()).group(1)
    assert installs, "the README shows no install command"
    commands = [line.split("#")[0].strip() for line in installs[0].splitlines()]
    # the tagged release (what the Colab cell installs), then the same release from PyPI
    assert commands == [f'pip install "git+{repository}@v{version}"', f"pip install {name}"], commands


# --- examples in docstrings (appendix E) --------------------------------------------------------


def package_modules() -> list[str]:
    return sorted(info.name for info in pkgutil.walk_packages(backproplib.__path__, "backproplib.")
                  if not info.name.rsplit(".", 1)[-1].startswith("_"))


def test_every_docstring_example_runs_as_written():
    """Each example starts from nothing (no name imported for it), as a reader copies it."""
    attempted = 0
    for name in package_modules():
        module = importlib.import_module(name)
        failed, count = doctest.testmod(module, globs={}, report=False, verbose=False)
        assert failed == 0, f"{name}: {failed} of its docstring examples fail when run as written"
        attempted += count
    assert attempted >= 8  # one_hot, at_most, MLP ... are there and were run


# --- the package's modules as attributes --------------------------------------------------------


def test_import_backproplib_imports_no_submodule_and_no_matplotlib(tmp_path):
    result = run_python("import sys, backproplib\n"
                        "print(sorted(name for name in sys.modules if name.startswith('backproplib.')"
                        " or name.split('.')[0] in ('matplotlib', 'numpy')))", tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_every_module_the_package_docstring_names_is_an_attribute(tmp_path):
    named = sorted(set(re.findall(r":mod:`backproplib\.(\w+)`", backproplib.__doc__)))
    assert {"activations", "network", "gradcheck", "plotting"} <= set(named)
    modules = {name.split(".")[1] for name in package_modules()}
    assert set(named) <= modules
    script = ("import backproplib\n"
              f"for name in {named!r}:\n"
              "    module = getattr(backproplib, name)\n"
              "    assert module.__name__ == 'backproplib.' + name, module\n"
              f"assert set({sorted(modules)!r}) <= set(dir(backproplib))\n"
              "print(backproplib.training.one_hot([1, 0], 2).tolist())")
    result = run_python(script, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "[[0.0, 1.0], [1.0, 0.0]]\n"


def test_an_unknown_attribute_is_an_attribute_error_naming_it():
    with pytest.raises(AttributeError, match="module 'backproplib' has no attribute 'activation'"):
        backproplib.activation  # noqa: B018 - a typo of activations
    assert not hasattr(backproplib, "_checks_")


# --- a gradient check, shown ---------------------------------------------------------------------


class ForgetsOneOverM(MLP):
    """A network whose backward pass forgets the 1/m of the mean (chapter 5's bug)."""

    def backward(self, forward_pass, Y, loss):
        grads = super().backward(forward_pass, Y, loss)
        m = forward_pass.activations[0].shape[0]
        return type(grads)([m * w for w in grads.weights], [m * b for b in grads.biases], grads.deltas)


def small_problem():
    rng = np.random.default_rng(3)
    weights = MLP.random([3, 4, 2], ["tanh", "sigmoid"], rng)
    return weights, rng.normal(size=(5, 3)), rng.uniform(size=(5, 2))


def test_a_printed_or_shown_gradient_check_says_whether_it_passed():
    network, X, Y = small_problem()
    right = gradient_check(network, X, Y, "squared_error")
    wrong = gradient_check(ForgetsOneOverM(network.weights, network.biases, network.activation_names),
                           X, Y, "squared_error")
    assert right.passed and not wrong.passed
    assert repr(right).startswith("GradientCheck(passed: max_error=")
    assert repr(wrong).startswith("GradientCheck(FAILED: max_error=")
    assert str(right).endswith("passed (tolerance 1e-07)")
    assert str(wrong).endswith("FAILED (tolerance 1e-07)")


# --- the tools and the instructor's appendix -----------------------------------------------------


def test_install_test_browser_names_only_tests_that_exist():
    script = (ROOT / "tools" / "install_test_browser.sh").read_text()
    named = re.findall(r"tests/[\w/.-]+\.py", script)
    assert named, "the script should say which tests need what it installs"
    assert [name for name in named if not (ROOT / name).exists()] == []


def test_appendix_d_gives_one_install_command():
    commands = set(re.findall(r"pip install -r requirements\.txt[^`\n]*", APPENDIX_D))
    assert commands == {'pip install -r requirements.txt -c constraints.txt -e ".[instructor]"'}, commands


def written_by_appendix_d() -> set[str]:
    """What the appendix's commands write in the clone: the paths they name and the defaults of
    the options they leave out (read from the commands' own argument parsers)."""
    commands = "\n".join(code for language, code in fenced_blocks(APPENDIX_D) if language == "bash")
    paths = set(re.findall(r"--(?:out|feedback|executed) (\S+)", commands))
    paths |= set(re.findall(r"^(\w+/)\n", APPENDIX_D, re.MULTILINE))  # the submissions/ folder
    for module in ("grade", "gradescope", "make_student_versions"):
        source = (ROOT / "classroom" / f"{module}.py").read_text()
        paths |= set(re.findall(r'default=Path\("([^"]+)"\)', source))
    return paths | {"executed/", "dist/"}  # --executed DIR, and python -m build (the release)


def test_gitignore_keeps_student_data_and_build_outputs_out_of_commits(tmp_path):
    paths = written_by_appendix_d()
    assert {"submissions/", "grades.csv", "feedback/", "autograder.zip", "dist/", "handout/"} <= paths
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    shutil.copy(ROOT / ".gitignore", tmp_path / ".gitignore")
    files = [path + "alice.ipynb" if path.endswith("/") else path for path in sorted(paths)]
    result = subprocess.run(["git", "check-ignore", "--no-index", "--verbose", "--non-matching", *files],
                            cwd=tmp_path, capture_output=True, text=True)
    not_ignored = [line.split("\t")[1] for line in result.stdout.splitlines() if line.startswith("::")]
    assert not_ignored == [], f"not in .gitignore: {not_ignored}"
