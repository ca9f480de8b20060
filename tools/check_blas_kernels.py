"""Check the notebooks' stored outputs under every OpenBLAS kernel set this CPU can run.

Usage::

    python tools/check_blas_kernels.py                      # every notebook under book/
    python tools/check_blas_kernels.py book/07_*.ipynb      # some notebooks
    python tools/check_blas_kernels.py --record tools/blas_kernels.txt

numpy's OpenBLAS picks its kernels by CPU (SkylakeX on a CPU with AVX-512, Haswell or Zen on
most others), and each set may sum in another order. A printed digit that depends on that order
shows one number in the book and another on a reader's machine. This script runs one strict
nbval pass per kernel set, each in a subprocess whose environment alone sets
``OPENBLAS_CORETYPE`` (and the thread count): the environment of the caller is not changed.

The rows: each kernel set forced (Prescott, Sandybridge, Haswell, Zen, SkylakeX), each only on
a CPU with the instructions it needs (SkylakeX: AVX-512) and otherwise reported as skipped,
since it would stop with an illegal instruction; then the machine's own choice in one thread
and in the default thread count. ``--only`` picks rows. The process exits with status 1 if any
row fails, 0 if all pass. Each row is a full nbval run of the notebooks (about ten minutes for
the whole book on two cores): run it before committing re-executed notebooks.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

KERNEL_SETS = ("Prescott", "Sandybridge", "Haswell", "Zen", "SkylakeX")
# the CPU feature (numpy's name, and how to say it) each set needs: forced on a CPU without it,
# OpenBLAS stops with an illegal instruction (SIGILL)
NEEDS = {"Prescott": ("SSE3", "SSE3"), "Sandybridge": ("AVX", "AVX"), "Haswell": ("AVX2", "AVX2"),
         "Zen": ("AVX2", "AVX2"), "SkylakeX": ("AVX512F", "AVX-512")}
THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


@dataclass
class Row:
    """One nbval pass: what it forced, and what came of it."""

    key: str  # what --only selects: the kernel set's name, "own-1" or "own-default"
    label: str
    environment: dict[str, str | None]  # None: remove the variable in the subprocess
    skip_reason: str = ""
    kernels_in_use: str = ""
    result: str = ""
    failed: bool = False


def cpu_features() -> dict[str, bool]:
    """The CPU's features as numpy's own CPU dispatch detects them."""
    try:
        from numpy._core._multiarray_umath import __cpu_features__
    except ImportError:  # numpy < 2
        from numpy.core._multiarray_umath import __cpu_features__
    return __cpu_features__


def cpu_has_avx512() -> bool:
    """Whether this CPU runs AVX-512 code (which the SkylakeX kernels need)."""
    return bool(cpu_features().get("AVX512F"))


def machine_summary() -> str:
    """numpy's and OpenBLAS's versions and the CPU's vector extensions (no names, no paths)."""
    import numpy
    import threadpoolctl

    blas = [info for info in threadpoolctl.threadpool_info() if info["internal_api"] == "openblas"]
    version = blas[0]["version"] if blas else "not found"
    if cpu_has_avx512():
        vectors = "AVX-512"
    else:
        vectors = "AVX2, no AVX-512" if cpu_features().get("AVX2") else "no AVX2"
    return (f"numpy {numpy.__version__}, OpenBLAS {version}; CPU: {vectors}; "
            f"OPENBLAS_CORETYPE of the caller: {os.environ.get('OPENBLAS_CORETYPE', 'unset')}")


def subprocess_environment(changes: dict[str, str | None]) -> dict[str, str]:
    environment = dict(os.environ)
    for name, value in changes.items():
        if value is None:
            environment.pop(name, None)
        else:
            environment[name] = value
    return environment


def kernels_in_use(changes: dict[str, str | None]) -> str:
    """Ask threadpoolctl, in a subprocess with the row's environment, which kernels run."""
    probe = (
        "import numpy, threadpoolctl\n"
        "info = [i for i in threadpoolctl.threadpool_info() if i['internal_api'] == 'openblas']\n"
        "print(', '.join(f\"{i['architecture']} x {i['num_threads']}\" for i in info) or 'no OpenBLAS')"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          env=subprocess_environment(changes), timeout=120)
    if done.returncode != 0:
        return f"probe failed (exit {done.returncode})"
    return done.stdout.strip()


def rows(features: dict[str, bool]) -> list[Row]:
    """The rows of the check, given the CPU's features (``cpu_features()``)."""
    forced = []
    for name in KERNEL_SETS:
        feature, spoken = NEEDS[name]
        skip_reason = "" if features.get(feature) else (
            f"skipped: this CPU has no {spoken} (the kernels would stop with SIGILL)")
        forced.append(Row(key=name, label=f"{name} (forced)",
                          environment={"OPENBLAS_CORETYPE": name}, skip_reason=skip_reason))
    own = {"OPENBLAS_CORETYPE": None}
    return forced + [
        Row(key="own-1", label="own choice, 1 thread",
            environment={**own, **{v: "1" for v in THREAD_VARIABLES}}),
        Row(key="own-default", label="own choice, default threads",
            environment={**own, **{v: None for v in THREAD_VARIABLES}}),
    ]


def run_nbval(row: Row, notebooks: list[str], workers: str) -> None:
    command = [sys.executable, "-m", "pytest", "--nbval", "--nbval-current-env", "--ignore=_build",
               "-p", "no:cacheprovider", "-p", "no:benchmark", "-p", "no:randomly",
               "-o", "addopts=", "--color=no", "-n", workers, "-q", *notebooks]
    if workers != "0":
        command[command.index("-q"):command.index("-q")] = ["--dist", "loadscope"]
    started = time.monotonic()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True,
                          env=subprocess_environment(row.environment))
    seconds = time.monotonic() - started
    lines = done.stdout.strip().splitlines()
    summary = lines[-1].strip("= ") if lines else f"no output (exit {done.returncode})"
    row.failed = done.returncode != 0
    row.result = f"{'FAIL' if row.failed else 'pass'}: {summary} [{seconds:.0f} s]"
    if row.failed:
        failing = [line for line in lines if line.startswith("FAILED")]
        row.result += "".join(f"\n      {line}" for line in failing)


def table(all_rows: list[Row]) -> str:
    width = max(len(row.label) for row in all_rows)
    kernels = max(len(row.kernels_in_use) for row in all_rows)
    lines = [f"{'kernel set':<{width}}  {'in use (threadpoolctl)':<{max(kernels, 22)}}  result"]
    for row in all_rows:
        outcome = row.skip_reason or row.result
        lines.append(f"{row.label:<{width}}  {row.kernels_in_use:<{max(kernels, 22)}}  {outcome}")
    lines.append("(in use: the kernels OpenBLAS reports running; it names the Prescott set Katmai, "
                 "and a build\n without separate Zen kernels runs Haswell's when Zen is forced)")
    return "\n".join(lines)


def main(arguments: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", help="notebooks to check (default: book/*.ipynb)")
    parser.add_argument("-n", "--workers", default="0",
                        help="pytest-xdist workers per nbval pass (default 0: one process)")
    parser.add_argument("--record", type=Path, help="also write the table to this file")
    parser.add_argument("--only", help="comma-separated rows to run, e.g. Haswell,own-1 "
                        f"(default: all of {', '.join(KERNEL_SETS)}, own-1, own-default)")
    options = parser.parse_args(arguments)
    notebooks = [str(Path(name).resolve()) for name in options.notebooks] or sorted(
        str(path.relative_to(ROOT)) for path in (ROOT / "book").glob("*.ipynb"))
    missing = [name for name in notebooks if not (ROOT / name).exists()]
    if missing:
        parser.error(f"no such notebook: {', '.join(missing)}")

    all_rows = rows(cpu_features())
    if options.only:
        wanted = options.only.split(",")
        unknown = sorted(set(wanted) - {row.key for row in all_rows})
        if unknown:
            parser.error(f"--only: unknown row {', '.join(unknown)}; choose from "
                         f"{', '.join(row.key for row in all_rows)}")
        all_rows = [row for row in all_rows if row.key in wanted]
    for row in all_rows:
        if row.skip_reason:
            print(f"{row.label}: {row.skip_reason}", flush=True)
            continue
        row.kernels_in_use = kernels_in_use(row.environment)
        print(f"{row.label}: running nbval on {len(notebooks)} notebook(s) with "
              f"{row.kernels_in_use} ...", flush=True)
        run_nbval(row, notebooks, options.workers)
        print(f"  {row.result}", flush=True)

    report = table(all_rows)
    print("\n" + machine_summary() + "\n\n" + report)
    if options.record:
        header = (f"python tools/check_blas_kernels.py {' '.join(arguments)}\n"
                  f"notebooks: {', '.join(Path(n).name for n in notebooks)}\n"
                  f"{machine_summary()}\n\n")
        options.record.write_text(header + report + "\n")
    failed = [row.label for row in all_rows if row.failed]
    if failed:
        print(f"\nstored outputs differ under: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
