#!/usr/bin/env bash
# The course's whole test suite, in fast mode (COURSEKIT_FAST=1):
#   1. coursekit unit tests and docstring examples (pytest),
#   2. the graded labs with real kernels: solutions earn every point, untouched exercises none,
#      a fixture class with bad submissions grades to the expected CSV,
#   3. every lesson notebook top to bottom under nbval (stored outputs compared where marked),
#   (1-3 run in one pytest session, two workers; the closing lines give each part's worker time),
#   4. the other precision: precision="auto" trains in mixed bfloat16 on CPUs with native bfloat16
#      and in float32 elsewhere; the training tests and the lessons that plot activations or
#      predictions run once more with COURSEKIT_PRECISION forcing the path this machine did not
#      take, so both paths are tested on every machine.
# Prints the wall time of each phase and a closing "total: N passed, N failed" line.
set -uo pipefail
cd "$(dirname "$0")/.."

if [ -n "${VIRTUAL_ENV:-}${CONDA_PREFIX:-}" ]; then PY=python
elif [ -x .venv/bin/python ]; then PY=.venv/bin/python
else PY=python3; fi

export COURSEKIT_FAST=1
export TF_CPP_MIN_LOG_LEVEL=2
reports=$(mktemp -d)
status=0

phase() {  # phase NAME REPORT COMMAND...
  local name=$1 report=$2 start rc
  shift 2
  start=$(date +%s)
  "$@" --durations=15 --junitxml="$reports/$report.xml"
  rc=$?
  echo "== $name: $(( $(date +%s) - start )) s (pytest exit $rc)"
  [ "$rc" -eq 0 ] || status=1
}

# Phases 1-3 share one pytest session: one start of the workers and no idle worker between them
# (tests/conftest.py says how the work is shared).
phase "unit tests, labs and lessons" main "$PY" -m pytest -q -n 2 --dist loadscope -p no:cacheprovider \
  --doctest-modules --nbval-lax --nbval-current-env --nbval-cell-timeout=300 tests coursekit notebooks

other=$("$PY" -c "from coursekit.train import resolve_precision as r; print('float32' if r() != 'float32' else 'mixed_bfloat16')" 2>/dev/null)
COURSEKIT_PRECISION=${other:-mixed_bfloat16} phase "other precision (${other:-mixed_bfloat16})" precision \
  "$PY" -m pytest -q --nbval-lax --nbval-current-env --nbval-cell-timeout=300 -n 2 --dist loadscope \
  -p no:cacheprovider tests/test_train.py tests/test_transfer.py \
  notebooks/05_lenet.ipynb notebooks/13_evaluation.ipynb notebooks/14_transfer_learning.ipynb

"$PY" - "$reports" <<'PY'
import sys, pathlib, xml.etree.ElementTree as ET
from collections import Counter
totals, worker_seconds = Counter(), Counter()
for report in sorted(pathlib.Path(sys.argv[1]).glob("*.xml")):
    root = ET.parse(report).getroot()
    for suite in root.iter("testsuite"):
        totals.update({key: int(suite.get(key, 0)) for key in ("tests", "failures", "errors", "skipped")})
    for case in root.iter("testcase"):
        where = case.get("classname", "")
        part = ("other precision" if report.stem == "precision" else "labs" if where.startswith("tests.test_labs")
                else "lessons" if where.startswith("notebooks.") else "unit tests")
        worker_seconds[part] += float(case.get("time", 0))
print("worker time (both workers together):", ", ".join(f"{part} {seconds:.0f} s" for part, seconds in worker_seconds.items()))
failed = totals["failures"] + totals["errors"]
passed = totals["tests"] - failed - totals["skipped"]
print(f"total: {passed} passed, {failed} failed, {totals['skipped']} skipped")
PY
rm -rf "$reports"
exit $status
