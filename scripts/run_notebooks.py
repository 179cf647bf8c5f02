"""Execute lesson notebooks top to bottom and report how long each took.

Maintainers use it to refresh the committed outputs from a real full-mode run:

    python scripts/run_notebooks.py --mode full --write notebooks/01_cross_correlation.ipynb

Without ``--write`` nothing on disk changes (a timing run). ``--mode fast`` sets
``COURSEKIT_FAST=1`` for the kernel, exactly as CI does. What ``--write`` saves is what a
reader without a running kernel can show: explorers keep their static figure and numbers but
not the live widget view and state (which would read "model not found" until re-run), and the
slide cuts are recomputed for the new outputs (``scripts/slides.py mark``).
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_site import drop_widget_views  # noqa: E402
from slides import mark  # noqa: E402


def run(path: Path, mode: str, write: bool, timeout: int) -> float:
    """Execute one notebook in its own folder; return the wall time in seconds."""
    notebook = nbformat.read(path, as_version=4)
    os.environ["COURSEKIT_FAST"] = "1" if mode == "fast" else "0"
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # as tests/run_all.sh: no C++ start-up chatter
    client = NotebookClient(notebook, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    if write:
        drop_widget_views(notebook)
        mark(notebook)
        nbformat.write(notebook, path)
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--mode", choices=("fast", "full"), default="full")
    parser.add_argument("--write", action="store_true", help="save the outputs into the notebook")
    parser.add_argument("--timeout", type=int, default=900, help="seconds allowed per cell")
    args = parser.parse_args(argv)
    for path in args.notebooks:
        seconds = run(path, args.mode, args.write, args.timeout)
        print(f"{path}: {args.mode} mode {seconds:.1f} s{' (outputs written)' if args.write else ''}",
              flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
