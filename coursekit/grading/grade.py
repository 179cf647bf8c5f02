"""Grade submissions: restore the tests, run each notebook in isolation, score like nbgrader.

A test cell earns its points when it ran without an error (nbgrader's ``determine_grade``).
Whatever a submission does (invalid JSON, an endless loop, a crashing kernel, edited or
deleted tests, touching files outside its folder) costs only its own points and is reported.
"""
from __future__ import annotations

import csv
import os
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbgrader import utils as nbg

from coursekit.grading.execute import execute
from coursekit.grading.labs import SOLUTIONS_DIR, grade_id, is_test_cell, questions
from coursekit.grading.release import make_exercise
from coursekit.grading.restore import restore_tests


@dataclass
class GradeResult:
    """Points per question (by grade id) for one student, and notes on anything that went wrong."""

    student: str
    scores: dict[str, float]
    max_scores: dict[str, float]
    notes: list[str] = field(default_factory=list)
    sandboxed: bool = False

    @property
    def total(self) -> float:
        return sum(self.scores.values())


def _read_submission(path: Path) -> tuple[nbformat.NotebookNode | None, str | None]:
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception as error:  # noqa: BLE001 - any unreadable file is the same case for grading
        return None, f"not a readable notebook ({type(error).__name__})"
    if not isinstance(nb.get("cells"), list):
        return None, "not a notebook (no cells)"
    return nb, None


def _tampering(source: nbformat.NotebookNode, submission: nbformat.NotebookNode) -> list[str]:
    """Notes on test cells the student deleted or edited (they are restored either way)."""
    submitted = {grade_id(c): c.source.strip() for c in submission.cells if grade_id(c)}
    released = {grade_id(c): c.source.strip() for c in make_exercise(source).cells}
    notes = []
    for cell in source.cells:
        if not is_test_cell(cell):
            continue
        gid = grade_id(cell)
        if gid not in submitted:
            notes.append(f"test cell {gid} was deleted (restored for grading)")
        elif submitted[gid] not in (released[gid], cell.source.strip()):
            notes.append(f"test cell {gid} was edited (restored for grading)")
    return notes


def grade_notebook(source: nbformat.NotebookNode, submission: Path, *, student: str | None = None,
                   cell_timeout: float = 60, hidden: list[Path] = (), sandbox: bool | None = None,
                   parent: Path | None = None) -> GradeResult:
    """Grade one submitted notebook against the lab's solution notebook ``source``."""
    maxima = {q.grade_id: q.points for q in questions(source)}
    result = GradeResult(student or submission.stem, dict.fromkeys(maxima, 0.0), maxima)
    nb, problem = _read_submission(submission)
    if nb is None:
        result.notes.append(problem)
        return result
    result.notes += _tampering(source, nb)
    run = execute(restore_tests(source, nb), cell_timeout=cell_timeout, hidden=hidden,
                  sandbox=sandbox, parent=parent)
    result.sandboxed = run.sandboxed
    if run.problem:
        result.notes.append(run.problem)
    if run.notebook is None:
        return result
    for cell in run.notebook.cells:
        gid = grade_id(cell)
        if gid in maxima and is_test_cell(cell) and cell.execution_count is not None:
            score, _ = nbg.determine_grade(cell)
            result.scores[gid] = float(score)
        if cell.cell_type == "code":
            for output in cell.outputs:
                if output.get("ename") in ("CellTimeout", "KeyboardInterrupt"):
                    result.notes.append(f"cell {gid or '(unnamed)'} was interrupted after {cell_timeout:g} s")
    return result


def find_submissions(folder: Path, lab: str) -> dict[str, Path | str]:
    """Map each student to their notebook, or to a reason why none was found.

    Accepts ``folder/<student>/<any name>.ipynb`` (the lab's name preferred when a student
    hands in several) and ``folder/<student>.ipynb``.
    """
    found: dict[str, Path | str] = {}
    for entry in sorted(folder.iterdir()):
        if entry.is_file() and entry.suffix == ".ipynb":
            found[entry.stem] = entry
        elif entry.is_dir() and not entry.name.startswith("."):
            notebooks = sorted(p for p in entry.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
            named = [p for p in notebooks if p.stem == lab]
            if named or len(notebooks) == 1:
                found[entry.name] = (named or notebooks)[0]
            else:
                found[entry.name] = f"{len(notebooks)} notebooks and none named {lab}.ipynb"
    return found


def write_csv(results: list[GradeResult], path: Path, overwrite: bool = False) -> None:
    """One row per student, one column per question, then total, maximum and notes."""
    if path.exists() and not overwrite:
        raise FileExistsError(f"{path} exists; choose another --out or pass --overwrite.")
    ids = list(results[0].max_scores) if results else []
    with tempfile.NamedTemporaryFile("w", newline="", dir=path.parent, delete=False, suffix=".csv") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student", *ids, "total", "max", "notes"])
        for r in results:
            writer.writerow([r.student, *(f"{r.scores[i]:g}" for i in ids), f"{r.total:g}",
                             f"{sum(r.max_scores.values()):g}", "; ".join(r.notes)])
    os.replace(handle.name, path)


def grade_class(lab: str, submissions: Path, out: Path | None = None, *, cell_timeout: float = 60,
                workers: int = 2, sandbox: bool | None = None, overwrite: bool = False,
                solutions: Path = SOLUTIONS_DIR) -> list[GradeResult]:
    """Grade every student's submission of ``lab`` in ``submissions``; optionally write a CSV.

    Submissions run ``workers`` at a time, each in its own sandboxed directory that cannot
    see the other submissions or the solutions.
    """
    source_path = solutions / f"{lab}.ipynb"
    if not source_path.exists():
        raise FileNotFoundError(f"no lab {lab!r}: {source_path} does not exist.")
    if out is not None and out.exists() and not overwrite:
        raise FileExistsError(f"{out} exists; choose another --out or pass --overwrite.")
    source = nbformat.read(source_path, as_version=4)
    maxima = {q.grade_id: q.points for q in questions(source)}
    entries = find_submissions(submissions, lab)
    with tempfile.TemporaryDirectory(prefix="coursekit-class-") as parent:
        def grade_one(item):
            student, where = item
            if isinstance(where, str):
                return GradeResult(student, dict.fromkeys(maxima, 0.0), maxima, [where])
            return grade_notebook(source, where, student=student, cell_timeout=cell_timeout,
                                  hidden=[submissions, solutions], sandbox=sandbox, parent=Path(parent))

        with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            results = list(pool.map(grade_one, entries.items()))
    if out is not None:
        write_csv(results, out, overwrite=overwrite)
    return results
