"""A student's check of a whole lab: run it and report every test cell, with an exit status.

``nbgrader validate`` prints failures but exits 0; this wraps ``nbgrader.validator.Validator``
and turns its result into a status scripts and CI can use.
"""
from __future__ import annotations

import re
from pathlib import Path

import nbformat
from nbgrader.validator import Validator
from traitlets.config import Config

from coursekit.grading.labs import grade_id

_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def validate_lab(notebook: Path, *, timeout: int = 300) -> tuple[bool, str]:
    """Run ``notebook`` top to bottom; return (every test passed and no test was edited, report)."""
    if not notebook.exists():
        raise FileNotFoundError(f"{notebook} does not exist.")
    validator = Validator(config=Config({"Execute": {"timeout": timeout}}))
    results = validator.validate(str(notebook))
    if results.get("type_changed"):
        return False, f"{len(results['type_changed'])} cell(s) changed type; undo that and validate again."
    if results.get("changed"):
        return False, (f"{len(results['changed'])} test cell(s) were edited. Tests are restored when "
                       "the lab is graded; put your code in the answer cells.")
    failed = results.get("failed", [])
    if failed:
        names = {c.source.strip(): grade_id(c) for c in nbformat.read(notebook, as_version=4).cells}
        lines = [f"{len(failed)} test cell(s) do not pass yet:"]
        for cell in failed:
            error = _ANSI.sub("", cell.get("raw_error") or "").strip().splitlines()[-1:] or ["(no message)"]
            lines.append(f"- {names.get(cell['source'].strip(), 'a test cell')}: {error[0]}")
        return False, "\n".join(lines)
    return True, "Every visible test passes. More tests run when the lab is graded."
