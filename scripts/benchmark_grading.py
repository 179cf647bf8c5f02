"""How long grading takes to start: sandboxed runs of one-cell notebooks, and whole labs.

A graded submission runs in a fresh sandbox with its own kernel, so these start-up costs are paid
once per submission (and per kernel: a lab whose questions forbid different libraries runs one
kernel per set). Prints the median and the spread over ``--repeats`` runs.

    python scripts/benchmark_grading.py --repeats 5
    python scripts/benchmark_grading.py --repeats 3 --labs lab01_cross_correlation lab05_lenet

On 2 cores, 2026-12-02, ``COURSEKIT_FAST=1 ... --repeats 3 --labs lab05_lenet``, before and
after the runner stopped loading jsonschema's IRI checker (commits 18cf712 and d3c2363)::

    empty notebook             median  2.86 s  (2.84 .. 3.01)   ->  1.38 s  (1.24 .. 1.43)
    import numpy               median  3.17 s  (2.81 .. 3.21)   ->  1.47 s  (1.45 .. 1.49)
    import keras               median  8.98 s  (8.85 .. 12.18)  ->  6.31 s  (6.09 .. 6.34)
    grade lab05_lenet          median 10.41 s  (9.68 .. 13.05)  ->  7.67 s  (7.49 .. 9.18)
"""
from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import nbformat

from coursekit.grading import SOLUTIONS_DIR, grade_notebook
from coursekit.grading.execute import execute, sandbox_available

CELLS = {"empty notebook": "1", "import numpy": "import numpy", "import keras": "import keras"}


def timed(run: Callable[[], object], repeats: int) -> list[float]:
    """Wall-clock seconds of ``repeats`` calls of ``run``."""
    seconds = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        seconds.append(time.perf_counter() - start)
    return seconds


def report(name: str, seconds: list[float]) -> None:
    print(f"{name:26} median {statistics.median(seconds):5.2f} s  ({min(seconds):.2f} .. {max(seconds):.2f})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--labs", nargs="*", default=["lab01_cross_correlation", "lab05_lenet"],
                        help="labs whose solution is graded (COURSEKIT_FAST decides fast or full mode)")
    args = parser.parse_args()
    sandbox = sandbox_available()
    print(f"sandbox: {'bubblewrap' if sandbox else 'none (bubblewrap not available)'}")
    for name, source in CELLS.items():
        notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])
        report(name, timed(lambda: execute(notebook, cell_timeout=120, sandbox=sandbox), args.repeats))
    for lab in args.labs:
        path = SOLUTIONS_DIR / f"{lab}.ipynb"
        source = nbformat.read(path, as_version=4)
        report(f"grade {lab}", timed(lambda: grade_notebook(source, path, cell_timeout=120, sandbox=sandbox),
                                     args.repeats))


if __name__ == "__main__":
    main()
