"""Where the labs live and what their questions are (read from nbgrader cell metadata)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbgrader import utils as nbg

REPO_DIR = Path(__file__).resolve().parent.parent.parent
SOLUTIONS_DIR = REPO_DIR / "solutions"
EXERCISES_DIR = REPO_DIR / "exercises"


@dataclass(frozen=True)
class Question:
    """One autograded test cell: its id (the CSV column) and how many points it is worth."""

    grade_id: str
    points: float


def is_test_cell(cell) -> bool:
    """An autograded test cell: graded, not an answer (nbgrader's 'Autograder tests')."""
    return nbg.is_grade(cell) and not nbg.is_solution(cell) and cell.cell_type == "code"


def grade_id(cell) -> str | None:
    """The nbgrader id of a cell, or None for a cell without nbgrader metadata."""
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def questions(notebook: Path | nbformat.NotebookNode) -> list[Question]:
    """The autograded questions of a lab, in notebook order.

    >>> [q.points for q in questions(SOLUTIONS_DIR / "lab01_cross_correlation.ipynb")][:2]
    [2.0, 1.0]
    """
    nb = nbformat.read(notebook, as_version=4) if isinstance(notebook, Path) else notebook
    return [Question(grade_id(c), float(c.metadata["nbgrader"]["points"])) for c in nb.cells if is_test_cell(c)]


def lab_names() -> list[str]:
    """Names of the labs in ``solutions/`` (file stems), in course order."""
    return sorted(p.stem for p in SOLUTIONS_DIR.glob("lab[0-9][0-9]_*.ipynb"))
