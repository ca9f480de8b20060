#!/usr/bin/env bash
# What the browser tests (tests/test_html.py, tests/browser/) need besides the Python test extras:
# Debian's chromium (Playwright drives it; it never downloads a browser of its own) and a local
# copy of MathJax, so math is typeset with no internet. Run as root (or with sudo) on Debian/Ubuntu.
set -euo pipefail
cd "$(dirname "$0")/.."
# It also installs Debian's bubblewrap (bwrap), the sandbox classroom.grade runs each student's
# notebook in (tests/test_grading_attacks.py).
missing=""
command -v chromium >/dev/null 2>&1 || missing="$missing chromium"
command -v bwrap >/dev/null 2>&1 || missing="$missing bubblewrap"
if [ -n "$missing" ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
fi
npm install --prefix tests/browser --no-audit --no-fund --no-package-lock --loglevel=error
