"""Wrong and hostile answers per lab, each graded in tests/test_labs.py.

One module per lab, ``labNN.py``, with ``LAB`` (the lab's name) and ``CASES``: case name ->
(answers: answer cell id -> the student's code, losing: the questions that must score 0). A
case's notebook is the solution with those answer cells replaced; every question not listed
must keep its full points, so each case also shows that a wrong answer costs only its own
question.
"""
from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path


def lab_cases() -> dict[str, dict[str, tuple[dict[str, str], list[str]]]]:
    """Lab name -> its CASES, for every module in this package."""
    found = {}
    for module in pkgutil.iter_modules([str(Path(__file__).parent)]):
        cases = importlib.import_module(f"{__name__}.{module.name}")
        found[cases.LAB] = cases.CASES
    return dict(sorted(found.items()))
