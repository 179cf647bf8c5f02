"""Put a lab's tests back into a submission before grading.

Students can edit or delete any cell. Grading uses the instructor's test cells (with their
hidden tests) and read-only cells from ``solutions/``, in the original order, and only the
students' answer cells and the extra cells they added. A deleted answer cell becomes an answer
that raises, so its questions score zero.
"""
from __future__ import annotations

import copy

import nbformat
from nbgrader import utils as nbg

from coursekit.grading.labs import grade_id

_DELETED_ANSWER = "raise NotImplementedError('this answer cell was deleted from the submission')"
_NEW_CELL = {"code": nbformat.v4.new_code_cell, "markdown": nbformat.v4.new_markdown_cell,
             "raw": nbformat.v4.new_raw_cell}


def _fresh(cell: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A student's own cell as a new cell: its type and text only."""
    return _NEW_CELL[cell.cell_type](cell.source)


def restore_tests(source: nbformat.NotebookNode, submission: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Return the notebook to grade: ``source``'s cells and order, the student's answers.

    Answer cells are the solution's cells with the student's text, whatever type or metadata the
    student gave them. Cells the student added stay right after the known cell they followed
    (their type and text only). Outputs are cleared; nothing in either input is modified.
    """
    answers, extras_after, last_known = {}, {None: []}, None
    source_ids = {grade_id(c) for c in source.cells if grade_id(c)}
    for cell in submission.cells:
        gid = grade_id(cell)
        if gid in source_ids:
            last_known = gid
            extras_after.setdefault(gid, [])
            if nbg.is_solution(cell):
                answers[gid] = cell
        else:
            extras_after.setdefault(last_known, []).append(cell)

    cells = [_fresh(c) for c in extras_after[None]]
    for original in source.cells:
        gid = grade_id(original)
        cell = copy.deepcopy(original)
        if gid is not None and nbg.is_solution(original):
            cell.source = answers[gid].source if gid in answers else _DELETED_ANSWER
        cells.append(cell)
        cells.extend(_fresh(c) for c in extras_after.get(gid, []) if gid is not None)
    for index, cell in enumerate(cells):
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        cell["id"] = f"cell-{index:03d}"  # unique ids even if the student duplicated cells
    return nbformat.v4.new_notebook(cells=cells, metadata=copy.deepcopy(source.metadata))
