#!/usr/bin/env bash
# What the browser tests (tests/test_browser.py) need besides the Python test extras:
# Debian's chromium (Playwright drives it; it never downloads a browser of its own) and a local
# copy of MathJax, so math is typeset with no internet. Run as root (or with sudo) on Debian/Ubuntu.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v chromium >/dev/null 2>&1; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
npm install --prefix tests/browser --no-audit --no-fund --no-package-lock --loglevel=error
