"""Hypothesis profiles for the property-based tests.

- ``ci`` (the default, and what ``.ci/run`` and the README's command select): ``derandomize=True``,
  so every run draws the same examples (a hash of each test), and no example database: a test
  passes or fails the same way on every machine and every run.
- ``explore``: fresh random examples on every run, remembered in the local example database when
  one fails. Run ``python -m pytest -p no:nbval tests --hypothesis-profile=explore`` now and then
  (CONTRIBUTING.md, "Tests") and turn what it finds into a fixed test.
"""

from __future__ import annotations

import os
import shutil

import pytest
from hypothesis import settings

settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
settings.register_profile("explore", derandomize=False, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

#: What a marked test needs from the machine, and the README step that provides it. A test whose
#: need is not met fails with this message (never a silent skip): the README's test command runs
#: as root, after tools/install_test_browser.sh, and needs no network.
NEEDS = {
    "needs_root": (lambda: os.geteuid() == 0,
                   "this test needs root (it switches to another user, as Gradescope's container "
                   "does): run the README's test command as root, as CI does"),
    "needs_browser": (lambda: shutil.which("chromium") or shutil.which("chromium-browser"),
                      "this test needs Debian's chromium on PATH: run bash tools/install_test_browser.sh "
                      "(the README's test command does)"),
}


def pytest_configure(config: pytest.Config) -> None:
    for marker, (_, message) in NEEDS.items():
        config.addinivalue_line("markers", f"{marker}: {message.split(':')[0]}")


def pytest_runtest_setup(item: pytest.Item) -> None:
    for marker, (available, message) in NEEDS.items():
        if item.get_closest_marker(marker) and not available():
            pytest.fail(message, pytrace=False)
