"""Graded labs on top of nbgrader: generate exercises, let students check, grade a class.

Only ``solutions/`` is written by hand. The command line (``python -m coursekit.grading``):

- ``release``: regenerate ``exercises/`` from ``solutions/`` (``--check`` only compares);
- ``validate NOTEBOOK``: a student's check of a whole lab, exit status 1 unless every test passes;
- ``grade LAB SUBMISSIONS --out grades.csv``: grade a class, one sandboxed run per student.

Example
-------
>>> from coursekit.grading import questions
>>> [q.grade_id for q in questions(SOLUTIONS_DIR / "lab01_cross_correlation.ipynb")][:2]
['q1_corr2d', 'q2_convolve2d']
"""
from coursekit.grading.labs import EXERCISES_DIR, SOLUTIONS_DIR, Question, lab_names, questions
from coursekit.grading.release import make_exercise, release_all
from coursekit.grading.grade import GradeResult, grade_class, grade_notebook
from coursekit.grading.validate import validate_lab

__all__ = [
    "EXERCISES_DIR", "SOLUTIONS_DIR", "Question", "lab_names", "questions",
    "make_exercise", "release_all", "GradeResult", "grade_class", "grade_notebook", "validate_lab",
]
