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


def restore_tests(source: nbformat.NotebookNode, submission: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Return the notebook to grade: ``source``'s cells and order, the student's answers.

    Cells the student added stay right after the known cell they followed. Outputs are
    cleared; nothing in either input is modified.
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

    cells = [copy.deepcopy(c) for c in extras_after[None]]
    for original in source.cells:
        gid = grade_id(original)
        if gid is not None and nbg.is_solution(original):
            cell = copy.deepcopy(answers[gid]) if gid in answers else copy.deepcopy(original)
            if gid not in answers:
                cell.source = _DELETED_ANSWER
            cell.metadata["nbgrader"] = copy.deepcopy(original.metadata["nbgrader"])
            cell.cell_type = original.cell_type
        else:
            cell = copy.deepcopy(original)
        cells.append(cell)
        cells.extend(copy.deepcopy(c) for c in extras_after.get(gid, []) if gid is not None)
    restored = nbformat.v4.new_notebook(cells=cells, metadata=copy.deepcopy(source.metadata))
    for index, cell in enumerate(restored.cells):
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        cell["id"] = f"cell-{index:03d}"  # unique ids even if the student duplicated cells
    return restored
