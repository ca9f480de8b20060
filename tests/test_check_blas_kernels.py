"""tools/check_blas_kernels.py: one nbval pass per OpenBLAS kernel set, in subprocesses."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
SPEC = importlib.util.spec_from_file_location("check_blas_kernels", ROOT / "tools" / "check_blas_kernels.py")
check = importlib.util.module_from_spec(SPEC)
sys.modules[SPEC.name] = check  # a dataclass needs its module registered
SPEC.loader.exec_module(check)

AVX2_ONLY = {"SSE3": True, "AVX": True, "AVX2": True, "AVX512F": False}


def test_a_cpu_without_avx512_skips_skylakex_and_says_why():
    rows = {row.key: row for row in check.rows(AVX2_ONLY)}
    assert list(rows) == ["Prescott", "Sandybridge", "Haswell", "Zen", "SkylakeX", "own-1",
                          "own-default"]
    assert rows["SkylakeX"].skip_reason == (
        "skipped: this CPU has no AVX-512 (the kernels would stop with SIGILL)")
    assert not any(rows[name].skip_reason for name in ("Prescott", "Sandybridge", "Haswell", "Zen"))
    assert not check.rows({**AVX2_ONLY, "AVX512F": True})[4].skip_reason
    without_avx2 = {row.key: row.skip_reason for row in check.rows({"SSE3": True, "AVX": True})}
    assert without_avx2["Haswell"] and without_avx2["Zen"] and not without_avx2["Sandybridge"]


def test_rows_set_the_environment_of_the_subprocess_only(monkeypatch):
    monkeypatch.setenv("OPENBLAS_CORETYPE", "Haswell")
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "2")
    before = dict(os.environ)
    rows = {row.key: row for row in check.rows(AVX2_ONLY)}
    prescott = check.subprocess_environment(rows["Prescott"].environment)
    own_one = check.subprocess_environment(rows["own-1"].environment)
    own_default = check.subprocess_environment(rows["own-default"].environment)
    assert prescott["OPENBLAS_CORETYPE"] == "Prescott"
    assert "OPENBLAS_CORETYPE" not in own_one and own_one["OPENBLAS_NUM_THREADS"] == "1"
    assert "OPENBLAS_CORETYPE" not in own_default and "OPENBLAS_NUM_THREADS" not in own_default
    assert dict(os.environ) == before


def tiny_notebook(path: Path, stored: str) -> Path:
    cell = nbformat.v4.new_code_cell("print(6 * 7)", execution_count=1)
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=stored)]
    notebook = nbformat.v4.new_notebook(cells=[cell])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    nbformat.write(notebook, path)
    return path


@pytest.mark.parametrize("stored, status, verdict", [("42\n", 0, "pass: 1 passed"),
                                                     ("41\n", 1, "FAIL: 1 failed")])
def test_a_stored_output_that_differs_fails_the_row_and_the_command(tmp_path, capsys, stored,
                                                                     status, verdict):
    notebook = tiny_notebook(tmp_path / "tiny.ipynb", stored)
    record = tmp_path / "record.txt"
    assert check.main([str(notebook), "--only", "own-1", "--record", str(record)]) == status
    table = record.read_text()
    assert "own choice, 1 thread" in table and verdict in table
    assert "Prescott (forced)" not in table  # only the row asked for
    assert "numpy " in table and "OpenBLAS " in table


def test_an_unknown_row_is_named(capsys):
    with pytest.raises(SystemExit) as stopped:
        check.main(["--only", "Pentium"])
    assert stopped.value.code == 2
    assert "unknown row Pentium" in capsys.readouterr().err
