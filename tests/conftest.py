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

from hypothesis import settings

settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
settings.register_profile("explore", derandomize=False, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
