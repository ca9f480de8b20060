"""A released package, one version everywhere: build, metadata, install from the wheel, citation.

The version lives in ``backproplib/__init__.py``; pyproject.toml reads it from there, and the
preface, constraints.txt, CITATION.cff and the Colab cell of every chapter repeat it.
"""

from __future__ import annotations

import datetime
import importlib.util
import re
import sys
import tarfile
import tomllib
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest
import yaml

import backproplib

from .fresh_env import NO_PYTHONPATH, ROOT, build_distributions, fresh_venv, run

VERSION = backproplib.__version__
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
NAME = PROJECT["name"]  # the distribution's name on PyPI; the package it installs is backproplib
FILE_NAME = re.sub(r"[-_.]+", "_", NAME).lower()  # its spelling in file names (wheel, sdist)
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())
REPOSITORY = CONFIG["repository"]["url"]
MODULES = sorted(str(path.relative_to(ROOT)) for path in (ROOT / "backproplib").rglob("*.py"))


def tool(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def colab_tool():
    return tool("colab_cell")


@pytest.fixture(scope="module")
def distributions(tmp_path_factory) -> dict[str, Path]:
    files = build_distributions(tmp_path_factory.mktemp("build") / "dist")
    assert [path.name for path in files] == [f"{FILE_NAME}-{VERSION}-py3-none-any.whl",
                                              f"{FILE_NAME}-{VERSION}.tar.gz"]
    return {"wheel": files[0], "sdist": files[1]}


def wheel_metadata(wheel: Path):
    with zipfile.ZipFile(wheel) as archive:
        return Parser().parsestr(archive.read(f"{FILE_NAME}-{VERSION}.dist-info/METADATA").decode())


# --- one version everywhere ------------------------------------------------------------------


def test_the_version_is_a_release_number_set_in_one_place():
    assert re.fullmatch(r"\d+\.\d+\.\d+", VERSION)
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "version" not in pyproject["project"] and pyproject["project"]["dynamic"] == ["version"]
    assert pyproject["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "backproplib.__version__"}
    assert colab_tool().package_version() == VERSION


def test_preface_names_the_edition_and_the_package_version():
    preface = " ".join((ROOT / "book" / "00_preface.md").read_text().split())
    found = re.findall(r"This is edition (\d+) of the book, with the companion package "
                       r"`backproplib` (\d+\.\d+\.\d+)", preface)
    assert found == [(VERSION.split(".")[0], VERSION)], (
        f"the preface should say: This is edition {VERSION.split('.')[0]} of the book, with the "
        f"companion package `backproplib` {VERSION}")
    assert f"pip install {NAME}=={VERSION}" in preface
    assert "git+https" not in preface  # Colab needs nothing added by hand any more


def test_constraints_note_the_release():
    notes = " ".join(line.lstrip("# ") for line in (ROOT / "constraints.txt").read_text().splitlines()
                     if line.startswith("#"))
    assert re.findall(r"release (\d+\.\d+\.\d+)", notes) == [VERSION]


def test_colab_cell_pins_the_release_by_its_tag_in_the_books_repository():
    source = colab_tool().cell_source(VERSION)
    assert re.findall(r"%pip install --quiet git\+(\S+)@v(\S+)$", source) == [(REPOSITORY, VERSION)]


# --- a name PyPI accepts -----------------------------------------------------------------------


def test_pypi_refuses_backproplib_and_the_distribution_name_is_not_too_similar():
    """PyPI's "too similar" rule: equal once separators go and o/0, i/l/1 fold (issue 19)."""
    fold = tool("check_pypi_name").ultranormalize
    assert fold("backproplib") == fold("backprop-lib") == fold("Back_Prop.Lib") == "backpr0p11b"
    assert fold("backprop-book") == fold("backpr0p-b00k") == "backpr0pb00k"
    assert NAME == "backprop-book" and fold(NAME) != fold("backprop-lib")
    assert not re.search(r"\bpip install backproplib\b", (ROOT / "README.md").read_text())
    assert re.search(rf"^pip install {re.escape(NAME)}(\s|$)", (ROOT / "README.md").read_text(), re.M)


def test_citation_file_is_valid_cff_with_the_package_version():
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    assert citation["cff-version"] == "1.2.0"
    for key in ("message", "title", "abstract"):
        assert isinstance(citation[key], str) and citation[key].strip(), key
    assert citation["title"] == CONFIG["title"]
    assert citation["authors"] and all(
        isinstance(author, dict) and (author.get("name") or author.get("family-names"))
        for author in citation["authors"])
    assert citation["version"] == VERSION
    assert isinstance(citation["date-released"], datetime.date)
    assert citation["license"] == ["MIT", "CC-BY-4.0"]  # code, and text and figures (LICENSE)
    assert citation["repository-code"] == REPOSITORY
    assert set(citation) <= {"cff-version", "message", "type", "title", "abstract", "authors",
                             "version", "date-released", "license", "repository-code", "url",
                             "keywords", "doi", "identifiers", "preferred-citation", "references"}


def test_release_workflow_checks_the_tag_tests_and_publishes_package_and_book():
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "release.yml").read_text())
    assert workflow[True]["push"]["tags"] == ["v*"]  # YAML 1.1 reads the key `on` as True
    jobs = workflow["jobs"]
    steps = {name: " ".join(str(step) for step in job.get("steps", [])) for name, job in jobs.items()}
    everything = " ".join(steps.values())
    assert "GITHUB_REF_NAME" in everything and f"{FILE_NAME}-${{GITHUB_REF_NAME#v}}" in everything
    assert "python -m build" in everything and "twine check --strict" in everything
    assert "bash .ci/run" in everything  # the README's test command (test_project checks .ci/run)
    publish = [name for name, job in jobs.items() if "pypa/gh-action-pypi-publish" in steps[name]]
    assert len(publish) == 1 and jobs[publish[0]]["permissions"] == {"id-token": "write"}
    assert "password" not in steps[publish[0]]  # trusted publishing: no token
    book = [name for name, job in jobs.items() if job.get("uses", "").endswith("publish.yml")]
    assert len(book) == 1 and publish[0] in jobs[book[0]]["needs"]
    assert "workflow_call" in yaml.safe_load(
        (ROOT / ".github" / "workflows" / "publish.yml").read_text())[True]


# --- the distributions -----------------------------------------------------------------------


def test_twine_check_passes(distributions, tmp_path):
    result = run([sys.executable, "-m", "twine", "check", "--strict",
                  str(distributions["sdist"]), str(distributions["wheel"])], cwd=tmp_path)
    assert result.stdout.count("PASSED") == 2, result.stdout


def test_wheel_metadata_is_what_pypi_shows(distributions):
    metadata = wheel_metadata(distributions["wheel"])
    assert metadata["Name"] == NAME and metadata["Version"] == VERSION
    assert metadata["License-Expression"] == "MIT"
    assert metadata["Description-Content-Type"] == "text/markdown"
    assert "# Backpropagation, one derivative at a time" in metadata.get_payload()
    assert metadata["Requires-Python"] == ">=3.10"
    runtime = sorted(re.split(r"[<>=!;]", requirement)[0].strip()
                     for requirement in metadata.get_all("Requires-Dist") if "extra ==" not in requirement)
    assert runtime == ["matplotlib", "numpy"]
    urls = dict(url.split(", ", 1) for url in metadata.get_all("Project-URL"))
    assert urls["Source"] == REPOSITORY and urls["Issues"] == f"{REPOSITORY}/issues"
    classifiers = metadata.get_all("Classifier")
    assert "Intended Audience :: Education" in classifiers
    assert not [c for c in classifiers if c.startswith("License ::")]  # the SPDX expression says it


def test_distributions_hold_every_module_and_the_licence(distributions):
    with zipfile.ZipFile(distributions["wheel"]) as archive:
        in_wheel = set(archive.namelist())
    assert set(MODULES) <= in_wheel, set(MODULES) - in_wheel
    assert f"{FILE_NAME}-{VERSION}.dist-info/licenses/LICENSE" in in_wheel
    with tarfile.open(distributions["sdist"]) as archive:
        in_sdist = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    assert set(MODULES) | {"LICENSE", "README.md", "pyproject.toml"} <= in_sdist
    assert not [name for name in in_sdist if name.startswith("tests/")]


def test_wheel_installs_offline_into_a_fresh_environment(distributions, tmp_path):
    python = fresh_venv(tmp_path / "venv")
    missing = run([str(python), "-c", "import importlib.util as u; print(u.find_spec('backproplib'))"],
                  cwd=tmp_path, env=NO_PYTHONPATH)
    assert missing.stdout.strip() == "None"  # the fresh environment does not see the repository
    # --ignore-installed: pip sees this environment's editable backproplib through the .pth file
    run([str(python), "-m", "pip", "install", "--no-index", "--no-deps", "--ignore-installed",
         "--quiet", str(distributions["wheel"])], cwd=tmp_path, env=NO_PYTHONPATH)
    modules = [name.removesuffix(".py").replace("/", ".").removesuffix(".__init__") for name in MODULES]
    script = ("import importlib, backproplib\n"
              f"for name in {modules!r}: importlib.import_module(name)\n"
              "print(backproplib.__version__, backproplib.__file__)")
    version, location = run([str(python), "-c", script], cwd=tmp_path, env=NO_PYTHONPATH).stdout.split()
    assert version == VERSION
    assert Path(location).is_relative_to(tmp_path / "venv"), location
