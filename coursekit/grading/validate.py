"""A student's check of a whole lab: run it as grading does and report every test cell.

The notebook runs top to bottom with the grader's runner (no sandbox: it is the student's own),
and each test cell counts as grading counts it: passed when its execution completed without an
error, whatever it printed (a warning on stderr is fine). ``nbgrader validate`` prints failures
but exits 0, and fails a test that only wrote a warning; this gives a status scripts and CI can
use and says which questions pass, how many of the visible points, and for the others the test's
hint, "not answered yet", the error, or the rule the answer breaks (a library the question does
not allow, a loop where it asks for none), as grading would.
"""
from __future__ import annotations

from pathlib import Path

import nbformat
from nbgrader import utils as nbg

from coursekit.grading.checks import rule_problems
from coursekit.grading.execute import execute
from coursekit.grading.labs import grade_id, is_test_cell


def _edited(cell: nbformat.NotebookNode) -> bool:
    """A read-only cell whose text no longer matches the checksum the release recorded."""
    meta = cell.metadata.get("nbgrader", {})
    return nbg.is_locked(cell) and "checksum" in meta and nbg.compute_checksum(cell) != meta["checksum"]


def _line(cell: nbformat.NotebookNode) -> str:
    record = cell.metadata.get("coursekit", {})
    status, ename, evalue = record.get("status"), record.get("ename"), record.get("evalue")
    if status == "error" and ename == "NotImplementedError":
        return "not answered yet"
    if status == "error" and ename == "NameError":
        return f"NameError: {evalue} (not answered yet, or the answer cell above failed)"
    if status == "error":
        return f"{ename}: {evalue}" if evalue else ename
    return {"timeout": "ran over the time limit", "died": "the kernel died here",
            "not run": "not run (the notebook stopped earlier)"}.get(status, f"kernel reply {status!r}")


def validate_lab(notebook: Path, *, timeout: int = 300) -> tuple[bool, str]:
    """Run ``notebook`` top to bottom; return (every test passed and no test was edited, report)."""
    if not notebook.exists():
        raise FileNotFoundError(f"{notebook} does not exist.")
    nb = nbformat.read(notebook, as_version=4)
    nbgrader_cells = [c for c in nb.cells if "nbgrader" in c.metadata]
    retyped = [c for c in nbgrader_cells if c.metadata.nbgrader.get("cell_type", c.cell_type) != c.cell_type]
    if retyped:
        return False, f"{len(retyped)} cell(s) changed type; undo that and validate again."
    edited = [c for c in nbgrader_cells if _edited(c)]
    if edited:
        return False, (f"{len(edited)} test cell(s) were edited. Tests are restored when "
                       "the lab is graded; put your code in the answer cells.")
    run = execute(nb, cell_timeout=timeout, sandbox=False)
    if run.notebook is None:
        return False, f"the notebook could not run: {run.problem}"
    broken = rule_problems(nb, nb)
    tests = [c for c in run.notebook.cells if is_test_cell(c)]
    failed = [c for c in tests if c.metadata.get("coursekit", {}).get("status") != "ok" or grade_id(c) in broken]
    points = sum(float(c.metadata.nbgrader.points) for c in tests if c not in failed)
    summary = (f"{len(tests) - len(failed)} of {len(tests)} questions pass the visible tests "
               f"({points:g} of {sum(float(c.metadata.nbgrader.points) for c in tests):g} points).")
    if not failed:
        return True, f"{summary} More tests run when the lab is graded."
    lines = [summary, f"{len(failed)} test cell(s) do not pass yet:"]
    lines += [f"- {grade_id(c)}: {broken.get(grade_id(c)) or _line(c)}" for c in failed]
    if run.problem:
        lines.append(f"The run stopped early: {run.problem}")
    return False, "\n".join(lines)
