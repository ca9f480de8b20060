"""Helpers for the packaging and Colab tests: build the distributions, make a fresh environment.

A fresh environment here is a new virtual environment in which this repository's ``backproplib``
is not importable: it sees the test environment's third-party packages (numpy, matplotlib,
ipykernel, ...) through a ``.pth`` file, so nothing is downloaded, but not the editable install of
``backproplib`` (its ``.pth`` hook is not processed there) nor the repository itself.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# what the sdist is made of (MANIFEST.in leaves the tests out)
SOURCE_FILES = ("pyproject.toml", "README.md", "LICENSE", "MANIFEST.in", "backproplib")
# for commands in a fresh environment: no repository that a developer's PYTHONPATH points at
NO_PYTHONPATH = {"PYTHONPATH": ""}


def run(command: list[str], cwd: Path, env: dict | None = None, timeout: int = 300) -> subprocess.CompletedProcess:
    """Run a command; its output is in the assertion message when it fails."""
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=timeout,
                            env={**os.environ, **(env or {})})
    assert result.returncode == 0, (
        f"{' '.join(map(str, command))} exited {result.returncode}\n{result.stdout}\n{result.stderr}")
    return result


def build_distributions(out: Path, *, wheel_only: bool = False) -> list[Path]:
    """``python -m build --no-isolation`` on a copy of the package's source files; the files it wrote.

    A copy, so that the build's ``*.egg-info`` never lands in the repository while other tests
    read it. No build isolation: the build backend is this environment's setuptools (the ``test``
    extra installs it), so nothing is downloaded while the tests run.
    """
    require_build_backend()
    source = out.parent / f"{out.name}-source"
    source.mkdir(parents=True)
    for name in SOURCE_FILES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(ROOT / name, source / name)
    command = [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(source)]
    run(command + (["--wheel"] if wheel_only else []), cwd=out.parent)
    return sorted(out.iterdir())


def require_build_backend() -> None:
    """Fail, saying what is missing and which README step installs it, without setuptools>=77."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        found = version("setuptools")
    except PackageNotFoundError:
        found = "none"
    major = int(found.split(".")[0]) if found[0].isdigit() else 0
    assert major >= 77, (
        f"this environment has setuptools {found}; building the package offline needs setuptools>=77 "
        "(pyproject.toml's build backend). Install it with the README's test command: "
        "pip install -r requirements.txt -c constraints.txt -e \".[test,instructor]\"")


def fresh_venv(where: Path) -> Path:
    """A new virtual environment (no pip of its own) without ``backproplib``; its python."""
    venv.EnvBuilder(with_pip=False, symlinks=True).create(where)
    python = where / "bin" / "python"
    purelib = Path(run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                       cwd=where).stdout.strip())
    # in this interpreter's order: a venv's own packages before the base ones it falls back to
    ours = [Path(p) for p in sys.path if p.endswith(("site-packages", "dist-packages"))]
    ours += [Path(sysconfig.get_path("purelib")), Path(sysconfig.get_path("platlib"))]
    # every site-packages folder, wherever the environment lives (a .venv inside the clone too);
    # the repository itself is never one, so its backproplib stays out of sight
    visible = list(dict.fromkeys(str(p) for p in ours if p.is_dir() and p.resolve() != ROOT.resolve()))
    (purelib / "_test_environment.pth").write_text("\n".join(visible) + "\n")
    return python
