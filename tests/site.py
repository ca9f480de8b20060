"""Build the book once per test module and serve it on 127.0.0.1 (shared by the HTML tests)."""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import re
import subprocess
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def toc_files() -> list[str]:
    """Every page listed in _toc.yml, as paths without suffix (``book/01_...``)."""
    files = []
    for line in (ROOT / "_toc.yml").read_text().splitlines():
        match = re.match(r"\s*(?:-\s*)?(?:file|root):\s*(\S+)", line)
        if match:
            files.append(match.group(1))
    return files


def build_book(output: Path) -> tuple[subprocess.CompletedProcess, Path]:
    """``jupyter-book build . -W -n --keep-going`` into ``output``; returns the run and the HTML folder."""
    result = subprocess.run(
        ["jupyter-book", "build", str(ROOT), "--path-output", str(output), "-W", "-n", "--keep-going"],
        cwd=ROOT, capture_output=True, text=True, timeout=600, env=dict(os.environ),
    )
    return result, output / "_build" / "html"


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        pass


@contextlib.contextmanager
def serve(directory: Path):
    """Serve ``directory`` on a free port of 127.0.0.1; yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
