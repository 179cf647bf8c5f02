"""Submissions for grading tests: a lab01 class with honest and hostile students, probe notebooks."""
