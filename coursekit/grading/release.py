"""Generate the student version of a lab with nbgrader's own preprocessors.

The pipeline is nbgrader's ``generate_assignment`` without its database step: lock the
read-only cells, replace the code between ``### BEGIN SOLUTION`` and ``### END SOLUTION`` by
``raise NotImplementedError()``, clear outputs, record checksums (so edited test cells are
detected), and remove the ``### BEGIN HIDDEN TESTS`` regions.
"""
from __future__ import annotations

import copy
from pathlib import Path

import nbformat
from nbgrader.preprocessors import (
    CheckCellMetadata,
    ClearHiddenTests,
    ClearMarkScheme,
    ClearOutput,
    ClearSolutions,
    ComputeChecksums,
    LockCells,
)

from coursekit.grading.labs import EXERCISES_DIR, SOLUTIONS_DIR

_PIPELINE = (LockCells, ClearSolutions, ClearOutput, CheckCellMetadata, ComputeChecksums,
             ClearHiddenTests, ClearMarkScheme, ComputeChecksums, CheckCellMetadata)


def make_exercise(solution: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Return the student version of a solution notebook (the input is not modified)."""
    nb = copy.deepcopy(solution)
    resources = {"language": "python"}
    for step in _PIPELINE:
        nb, resources = step().preprocess(nb, resources)
    return nb


def release_all(solutions: Path = SOLUTIONS_DIR, exercises: Path = EXERCISES_DIR,
                check: bool = False) -> list[str]:
    """Write ``exercises/<lab>.ipynb`` for every ``solutions/<lab>.ipynb``.

    With ``check=True`` nothing is written; the names of exercises that are missing or differ
    from what would be generated are returned (empty list = in sync).
    """
    stale = []
    for source in sorted(solutions.glob("lab[0-9][0-9]_*.ipynb")):
        generated = make_exercise(nbformat.read(source, as_version=4))
        target = exercises / source.name
        text = nbformat.writes(generated) + "\n"
        if target.exists() and target.read_text() == text:
            continue
        stale.append(source.name)
        if not check:
            target.write_text(text)
    return stale
