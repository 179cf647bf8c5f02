"""Grade submissions: restore the tests, run each notebook in the sandbox, score every question.

The student's kernel runs the setup and answer cells only; the instructor's test cells then run
in the grader's process, asking the kernel for what they test (``checks.py``), so nothing a
test compares against is within the answers' reach. A question earns its points only when its
test cell ran to the end without an exception; a warning on stderr costs nothing. A question
whose ``answer_rules`` forbid libraries is asked of a kernel those libraries are hidden from.
Whatever a submission does (invalid JSON, damaged cells, a link instead of a file, an endless
loop, a crash, too much memory, edited or deleted tests) costs only its own points and leaves a
note; the CSV is always written. Without bubblewrap, grading refuses to start unless asked to
run unsandboxed (``sandbox=False``, noted in every row).
"""
from __future__ import annotations

import copy
import csv
import os
import stat
import tempfile
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from coursekit.grading.checks import hidden_libraries, run_checks
from coursekit.grading.execute import INSTALL_HINT, Limits, open_session, sandbox_available
from coursekit.grading.feedback import feedback_folder, write_feedback
from coursekit.grading.labs import SOLUTIONS_DIR, grade_id, is_test_cell, questions
from coursekit.grading.release import make_exercise
from coursekit.grading.restore import restore_tests

UNSANDBOXED = "graded without the sandbox (--no-sandbox)"
_CELL_TYPES = ("code", "markdown", "raw")


class SandboxUnavailable(RuntimeError):
    """bubblewrap cannot start the grading sandbox, and grading without it was not asked for."""


@dataclass
class GradeResult:
    """Points per question (by grade id) for one student, why each question earned them, and
    notes on anything that went wrong."""

    student: str
    scores: dict[str, float]
    max_scores: dict[str, float]
    notes: list[str] = field(default_factory=list)
    sandboxed: bool = False
    details: dict[str, str] = field(default_factory=dict)

    @property
    def total(self) -> float:
        return sum(self.scores.values())


def _repair(nb: nbformat.NotebookNode) -> str | None:
    """Make a damaged notebook gradable in place; one note saying what was repaired, or None.

    Damaged nbgrader metadata makes a cell the student's own; a cell without text is left empty;
    something that is not a cell is dropped.
    """
    damage, cells = [], []
    for number, cell in enumerate(nb.cells, 1):
        if not isinstance(cell, dict) or cell.get("cell_type") not in _CELL_TYPES:
            damage.append(f"cell {number} is not a notebook cell (dropped)")
            continue
        if not isinstance(cell.get("metadata"), dict):
            damage.append(f"cell {number} has damaged metadata (removed)")
            cell["metadata"] = nbformat.NotebookNode()
        if not isinstance(cell.get("source"), str):
            damage.append(f"cell {number} has no text (left empty)")
            cell["source"] = ""
        meta = cell.metadata.get("nbgrader")
        if meta is not None and not (isinstance(meta, dict) and isinstance(meta.get("grade_id", ""), str)):
            damage.append(f"cell {number} has damaged nbgrader metadata (counted as a cell of your own)")
            del cell.metadata["nbgrader"]
        cells.append(cell)
    nb.cells = cells
    return f"damaged notebook, repaired for grading: {'; '.join(damage)}" if damage else None


def _read_submission(path: Path) -> tuple[nbformat.NotebookNode | None, list[str]]:
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception as error:  # noqa: BLE001 - any unreadable file is the same case for grading
        return None, [f"not a readable notebook ({type(error).__name__})"]
    if not isinstance(nb.get("cells"), list):
        return None, ["not a notebook (no cells)"]
    repaired = _repair(nb)
    return nb, [repaired] if repaired else []


def _tampering(source: nbformat.NotebookNode, submission: nbformat.NotebookNode) -> dict[str, str]:
    """Notes on test cells the student deleted or edited (they are restored either way), by id."""
    submitted = {grade_id(c): c.source.strip() for c in submission.cells if grade_id(c)}
    released = {grade_id(c): c.source.strip() for c in make_exercise(source).cells}
    notes = {}
    for cell in source.cells:
        if not is_test_cell(cell):
            continue
        gid = grade_id(cell)
        if gid not in submitted:
            notes[gid] = f"test cell {gid} was deleted (restored for grading)"
        elif submitted[gid] not in (released[gid], cell.source.strip()):
            notes[gid] = f"test cell {gid} was edited (restored for grading)"
    return notes


def grade_notebook(source: nbformat.NotebookNode, submission: Path, *, student: str | None = None,
                   cell_timeout: float = 60, sandbox: bool = True, limits: Limits = Limits()) -> GradeResult:
    """Grade one submitted notebook against the lab's solution notebook ``source``."""
    maxima = {q.grade_id: q.points for q in questions(source)}
    result = GradeResult(student or submission.stem, dict.fromkeys(maxima, 0.0), maxima, sandboxed=sandbox,
                         details=dict.fromkeys(maxima, "not graded"))
    if not sandbox:
        result.notes.append(UNSANDBOXED)
    try:
        nb, notes = _read_submission(submission)
        result.notes += notes
        if nb is None:
            return result
        tampered = _tampering(source, nb)
        restored = restore_tests(source, nb)
    except Exception as error:  # noqa: BLE001 - damage _repair does not know still costs only this student
        result.notes.append(f"could not be graded: {type(error).__name__}: {error}".splitlines()[0])
        return result
    result.notes += tampered.values()
    kernel_notebook = copy.deepcopy(restored)
    kernel_notebook.cells = [nbformat.v4.new_code_cell("", metadata={"coursekit_checkpoint": grade_id(c)})
                             if is_test_cell(c) else c for c in restored.cells]
    try:
        with ExitStack() as stack:
            sessions = {hidden: stack.enter_context(open_session(kernel_notebook, cell_timeout=cell_timeout,
                                                                 sandbox=sandbox, limits=limits,
                                                                 hide=hidden if sandbox else frozenset()))
                        for hidden in hidden_libraries(source)}
            outcomes = run_checks(source, restored, sessions)
            run = next(iter(sessions.values())).finish()  # the kernel with the fewest libraries hidden
    except Exception as error:  # noqa: BLE001 - whatever went wrong costs this student's points only
        result.notes.append(f"could not be graded: {type(error).__name__}: {error}".splitlines()[0][:300])
        return result
    for cell in run.notebook.cells if run.notebook else []:
        if cell.cell_type == "code" and cell.metadata.get("coursekit", {}).get("status") == "timeout":
            result.notes.append(f"cell {grade_id(cell) or '(one of yours)'} was interrupted after {cell_timeout:g} s "
                                "(timed out)")
    for gid, (passed, why) in outcomes.items():
        result.scores[gid] = maxima[gid] if passed else 0.0
        result.details[gid] = why + (" (your edited or deleted test was restored)" if gid in tampered else "")
    if run.problem:
        result.notes.append(run.problem)
    return result


def _refusal(path: Path, root: Path) -> str | None:
    """Why a submitted file is not graded: a link would make the grader read someone else's file."""
    if path.is_symlink():
        return f"{path.name} is a symbolic link (refused, not followed)"
    info = path.lstat()
    if not stat.S_ISREG(info.st_mode):
        return f"{path.name} is not a regular file (refused)"
    if info.st_nlink > 1:
        return f"{path.name} is a hard link shared with another file (refused)"
    if not path.resolve().is_relative_to(root.resolve()):
        return f"{path.name} lies outside the submissions folder (refused)"
    return None


def find_submissions(folder: Path, lab: str) -> dict[str, Path | str]:
    """Map each student to their notebook, or to a reason why none is graded.

    Accepts ``folder/<student>/<any name>.ipynb`` (the lab's name preferred when a student
    hands in several) and ``folder/<student>.ipynb``. Links (symbolic, hard) are refused.
    """
    found: dict[str, Path | str] = {}
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith("."):
            continue
        student = entry.stem if entry.suffix == ".ipynb" else entry.name
        if entry.is_symlink():
            found[student] = f"{entry.name} is a symbolic link (refused, not followed)"
        elif entry.is_file() and entry.suffix == ".ipynb":
            found[student] = entry
        elif entry.is_dir():
            notebooks = sorted(p for p in entry.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
            named = [p for p in notebooks if p.stem == lab]
            if named or len(notebooks) == 1:
                found[student] = (named or notebooks)[0]
            else:
                found[student] = f"{len(notebooks)} notebooks and none named {lab}.ipynb"
        if isinstance(found.get(student), Path):
            found[student] = _refusal(found[student], folder) or found[student]
    return found


def check_outputs(out: Path, overwrite: bool = False) -> None:
    """Fail before grading if the CSV (or the feedback folder next to it) cannot be written."""
    folder = out.parent
    if out.is_dir():
        raise FileExistsError(f"{out} is a folder; --out names the CSV file to write.")
    if not folder.is_dir():
        raise FileNotFoundError(f"the folder for --out, {folder}, does not exist; create it first.")
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as error:
        raise PermissionError(f"cannot write to {folder} ({error.strerror}); choose another --out.") from None
    for path in (out, feedback_folder(out)):
        if path.exists() and not overwrite:
            raise FileExistsError(f"{path} exists; choose another --out or pass --overwrite.")


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
                workers: int = 2, sandbox: bool = True, overwrite: bool = False,
                limits: Limits = Limits(), solutions: Path = SOLUTIONS_DIR) -> list[GradeResult]:
    """Grade every student's submission of ``lab`` in ``submissions``, ``workers`` at a time.

    With ``out``, write the CSV there and one feedback page per student into
    ``<out stem>_feedback/`` (both checked before grading starts). Raises SandboxUnavailable
    when ``sandbox`` is True and bubblewrap cannot run.
    """
    source_path = solutions / f"{lab}.ipynb"
    if not source_path.exists():
        raise FileNotFoundError(f"no lab {lab!r}: {source_path} does not exist.")
    if not submissions.is_dir():
        raise FileNotFoundError(f"no folder of submissions at {submissions}.")
    if out is not None:
        check_outputs(out, overwrite)
    if sandbox and not sandbox_available():
        raise SandboxUnavailable(f"bubblewrap (bwrap) cannot start the grading sandbox on this machine: "
                                 f"{INSTALL_HINT}, or grade without any isolation with --no-sandbox "
                                 "(only for notebooks you trust).")
    source = nbformat.read(source_path, as_version=4)
    maxima = {q.grade_id: q.points for q in questions(source)}

    def grade_one(item: tuple[str, Path | str]) -> GradeResult:
        student, where = item
        nothing = GradeResult(student, dict.fromkeys(maxima, 0.0), maxima, [] if sandbox else [UNSANDBOXED],
                              sandbox, dict.fromkeys(maxima, "not graded"))
        if isinstance(where, str):
            nothing.notes.insert(0, where)
            return nothing
        try:
            return grade_notebook(source, where, student=student, cell_timeout=cell_timeout, sandbox=sandbox,
                                  limits=limits)
        except Exception as error:  # noqa: BLE001 - one student's failure never costs the class its CSV
            nothing.notes.insert(0, f"could not be graded: {type(error).__name__}: {error}".splitlines()[0][:300])
            return nothing

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        results = list(pool.map(grade_one, find_submissions(submissions, lab).items()))
    if out is not None:
        write_csv(results, out, overwrite=overwrite)
        write_feedback(results, feedback_folder(out), lab, overwrite=overwrite)
    return results
