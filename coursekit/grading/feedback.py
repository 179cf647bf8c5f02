"""Feedback for students: one HTML page each with every question's points and why.

``grade --out lab01.csv`` writes ``lab01_feedback/<student>.html`` next to the CSV: the total,
a row per question (points, and "passed", the test's hint, "timed out", "not answered yet", the
error name, "your edited test was restored" ...) and the notes. Everything that comes from a
submission is escaped. Existing pages are replaced only with ``overwrite=True``.
"""
from __future__ import annotations

from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from coursekit.grading.grade import GradeResult

_STYLE = ("body{font-family:system-ui,sans-serif;max-width:52em;margin:2em auto;padding:0 1em;line-height:1.4}"
          "table{border-collapse:collapse;width:100%}th,td{border:1px solid #ccc;padding:.4em .6em;"
          "text-align:left;vertical-align:top}.full{background:#e8f5e9}.zero{background:#ffebee}")


def feedback_folder(csv_path: Path) -> Path:
    """Where the feedback pages for the CSV ``csv_path`` go: ``<stem>_feedback/`` beside it."""
    return csv_path.with_name(f"{csv_path.stem}_feedback")


def feedback_html(result: GradeResult, lab: str) -> str:
    """One student's feedback page."""
    rows = "".join(
        f'<tr class="{"full" if result.scores[q] == top else "zero"}"><td>{escape(q)}</td>'
        f"<td>{result.scores[q]:g} / {top:g}</td><td>{escape(result.details.get(q, ''))}</td></tr>"
        for q, top in result.max_scores.items())
    notes = "".join(f"<li>{escape(note)}</li>" for note in result.notes) or "<li>none</li>"
    title = escape(f"{lab}: {result.student}")
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
            f"<style>{_STYLE}</style></head><body>\n<h1>{title}</h1>\n"
            f"<p><strong>Total: {result.total:g} / {sum(result.max_scores.values()):g}</strong></p>\n"
            f"<table><tr><th>Question</th><th>Points</th><th>Why</th></tr>{rows}</table>\n"
            f"<h2>Notes</h2><ul>{notes}</ul>\n</body></html>\n")


def write_feedback(results: list[GradeResult], folder: Path, lab: str, overwrite: bool = False) -> None:
    """Write ``folder/<student>.html`` for every result (``folder`` must not exist unless ``overwrite``)."""
    folder.mkdir(exist_ok=overwrite)
    for result in results:
        (folder / f"{result.student}.html").write_text(feedback_html(result, lab), encoding="utf-8")
