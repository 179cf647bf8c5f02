"""The committed lesson notebooks: outputs from a real full-mode run, nbval markers that bite."""
import base64
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
LESSONS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def code_cells(path):
    return [c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code" and c.source.strip()]


def test_lessons_exist_in_order():
    numbers = [int(p.name[:2]) for p in LESSONS]
    assert numbers[:2] == [1, 2] and numbers == list(range(1, len(numbers) + 1))


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_committed_outputs_come_from_a_full_mode_run(path):
    cells = code_cells(path)
    assert all(c.execution_count is not None for c in cells), "every code cell has been run"
    counts = [c.execution_count for c in cells]
    assert counts == list(range(1, len(cells) + 1)), "run top to bottom in one kernel"
    outputs = [o for c in cells for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    setup_text = "".join(o.get("text", "") for o in cells[0].outputs if o.output_type == "stream")
    setup_text += "".join(o.get("text", "") for o in cells[1].outputs if o.output_type == "stream")
    assert "mode full" in setup_text, "outputs must come from full mode, not COURSEKIT_FAST=1"
    views = [o for o in outputs if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    assert not views and "widgets" not in nbformat.read(path, as_version=4).metadata, (
        "explorers are stored as their static figure (scripts/run_notebooks.py --write drops the live view)")


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_lesson_structure_and_modest_figures(path):
    nb = nbformat.read(path, as_version=4)
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert nb.cells[0].source.startswith("# Lesson ")
    for heading in ("Learning objectives", "## Summary", "## Exercises"):
        assert heading in text, heading
    checked = [c for c in code_cells(path) if "nbval-check-output" in c.metadata.get("tags", [])]
    assert len(checked) >= 3, "deterministic results are compared by nbval (cell tag nbval-check-output)"
    assert not [c for c in code_cells(path) if "NBVAL" in c.source], "test plumbing goes in cell tags, not in the code"
    assert sum("ck.check_" in c.source for c in code_cells(path)) >= 3, "steps are checked"
    for cell in code_cells(path):
        for output in cell.outputs:
            png = output.get("data", {}).get("image/png")
            if png:
                assert len(base64.b64decode(png)) < 500_000, "keep figures at a modest size (retina PNG)"
    assert path.stat().st_size < 3_000_000


def _run_nbval(tmp_path, stored: str) -> int:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print(1 + 1)", metadata={"tags": ["nbval-check-output"]})])
    nb.cells[0].outputs = [nbformat.v4.new_output("stream", name="stdout", text=stored)]
    nb.cells[0].execution_count = 1
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = tmp_path / f"probe_{stored.strip()}.ipynb"
    nbformat.write(nb, path)
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "--nbval-lax", "--nbval-current-env",
                           "-p", "no:cacheprovider", str(path)], cwd=tmp_path, capture_output=True).returncode


def test_nbval_really_compares_marked_cells(tmp_path):
    assert _run_nbval(tmp_path, "2\n") == 0
    assert _run_nbval(tmp_path, "3\n") != 0  # a wrong stored output must fail the suite
