"""Command line for the graded labs (see ``python -m coursekit.grading --help``)."""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from coursekit.grading.execute import Limits
from coursekit.grading.feedback import feedback_folder
from coursekit.grading.grade import SandboxUnavailable, grade_class
from coursekit.grading.labs import EXERCISES_DIR, SOLUTIONS_DIR
from coursekit.grading.release import release_all
from coursekit.grading.validate import validate_lab


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m coursekit.grading", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    release = commands.add_parser("release", help="regenerate exercises/ from solutions/")
    release.add_argument("--check", action="store_true", help="only report exercises that are out of date")

    validate = commands.add_parser("validate", help="run a lab and check every test (exit 1 on failure)")
    validate.add_argument("notebook", type=Path)
    validate.add_argument("--timeout", type=int, default=300, help="seconds per cell")

    grade = commands.add_parser("grade", help="grade a folder of submissions into a CSV and feedback pages")
    grade.add_argument("lab", help="lab name, e.g. lab01_cross_correlation")
    grade.add_argument("submissions", type=Path, help="folder with <student>/<notebook>.ipynb")
    grade.add_argument("--out", type=Path, required=True,
                       help="CSV file to write; feedback pages go to <stem>_feedback/ beside it")
    grade.add_argument("--overwrite", action="store_true", help="replace an existing CSV and feedback pages")
    grade.add_argument("--timeout", type=float, default=60, help="seconds per cell")
    grade.add_argument("--workers", type=int, default=2, help="submissions graded at once")
    grade.add_argument("--memory", type=float, default=Limits.memory / 2**30,
                       help="GB of memory for all processes of one submission (default: %(default)g)")
    grade.add_argument("--no-sandbox", action="store_true",
                       help="grade without bubblewrap: no isolation, no limits (only for trusted notebooks)")
    args = parser.parse_args(argv)

    if args.command == "release":
        stale = release_all(SOLUTIONS_DIR, EXERCISES_DIR, check=args.check)
        verb = "out of date" if args.check else "written"
        print("\n".join(f"{name}: {verb}" for name in stale) or "exercises/ is up to date")
        return 1 if args.check and stale else 0
    if args.command == "validate":
        ok, report = validate_lab(args.notebook, timeout=args.timeout)
        print(report)
        return 0 if ok else 1
    start = time.perf_counter()
    try:
        results = grade_class(args.lab, args.submissions, args.out, cell_timeout=args.timeout, workers=args.workers,
                              sandbox=not args.no_sandbox, overwrite=args.overwrite,
                              limits=Limits(memory=int(args.memory * 2**30)))
    except (FileNotFoundError, FileExistsError, PermissionError, SandboxUnavailable) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    for r in results:
        print(f"{r.student}: {r.total:g}/{sum(r.max_scores.values()):g}" + (f"  ({'; '.join(r.notes)})" if r.notes else ""))
    where = "in the bubblewrap sandbox" if not args.no_sandbox else "WITHOUT the sandbox (--no-sandbox)"
    print(f"graded {len(results)} submission(s) {where} in {time.perf_counter() - start:.1f} s -> {args.out}, "
          f"feedback in {feedback_folder(args.out)}/")
    return 0

if __name__ == "__main__":
    sys.exit(main())
