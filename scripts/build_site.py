"""Build the course website (static HTML, Jupyter Book) from docs/ and the lesson notebooks.

    python scripts/build_site.py            # -> build/site/_build/html/index.html

The book is staged in ``build/site`` (docs/ plus a copy of every ``notebooks/NN_*.ipynb``, with a
table of contents written in lesson order), built without executing anything (the pages show the
committed full-mode outputs; in the copies, consecutive prints of a cell are joined into one
output block, as Jupyter shows them, instead of one box per print, and the explorers' live-widget
views are dropped, so their stored static figure is what the page shows), and checked: every lesson
has its page, and the build printed no warning (a missing file, a broken link inside the book,
a figure that could not be written). Exit status 1 lists what is wrong. Nothing outside
``build/site`` (or ``--out``) is written, and a folder the script did not stage is never emptied.
"""
from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
LESSON = re.compile(r"^\d\d_.+\.ipynb$")


def lessons(notebooks: Path = ROOT / "notebooks") -> list[Path]:
    """The lesson notebooks in course order (their names start with the lesson number)."""
    return sorted(p for p in notebooks.iterdir() if LESSON.match(p.name))


def table_of_contents(lesson_paths: list[Path]) -> str:
    """``_toc.yml`` for Jupyter Book: the intro page, the lessons in order, the lab guide."""
    entries = "\n".join(f"      - file: {p.stem}" for p in lesson_paths)
    return ("format: jb-book\nroot: intro\nparts:\n  - caption: Lessons\n    chapters:\n"
            f"{entries}\n  - caption: Teaching with the course\n    chapters:\n      - file: lab_guide\n")


def merge_streams(notebook) -> int:
    """Join consecutive stream outputs of the same name (stdout or stderr) in every code cell.

    A kernel sends each flushed print as its own output, so a training loop that prints one line
    per epoch leaves one output per line; Jupyter shows them as one block, Jupyter Book as one
    grey box each. Returns how many outputs were folded into the one before them.

    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(outputs=[
    ...     nbformat.v4.new_output("stream", name="stdout", text="epoch 1\\n"),
    ...     nbformat.v4.new_output("stream", name="stdout", text="epoch 2\\n"),
    ...     nbformat.v4.new_output("stream", name="stderr", text="warning\\n")])])
    >>> merge_streams(nb), [(o.name, o.text) for o in nb.cells[0].outputs]
    (1, [('stdout', 'epoch 1\\nepoch 2\\n'), ('stderr', 'warning\\n')])
    """
    merged = 0
    for cell in notebook.cells:
        if cell.get("cell_type") != "code":
            continue
        outputs = []
        for output in cell.get("outputs", []):
            previous = outputs[-1] if outputs else None
            if (previous is not None and output.get("output_type") == "stream"
                    and previous.get("output_type") == "stream" and previous.get("name") == output.get("name")):
                previous["text"] = _text(previous["text"]) + _text(output["text"])
                merged += 1
            else:
                outputs.append(output)
        cell["outputs"] = outputs
    return merged


WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "widgets"  # notebook metadata where a run may store the widgets' state


def drop_widget_views(notebook) -> int:
    """Remove the live-widget view from every output that has one, and the stored widget state.

    An explorer's output holds the widget view, a PNG of its state and its numbers as text. A
    static page has no widget manager: left in, the view would be rendered as an empty widget
    (or an error) instead of the figure. Outputs that held only a view are removed. Returns how
    many outputs were changed.

    >>> out = nbformat.v4.new_output("display_data", data={WIDGET_VIEW: {"model_id": "x"},
    ...                              "image/png": "iVBO", "text/plain": "n = 5"})
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(outputs=[out])])
    >>> drop_widget_views(nb), sorted(nb.cells[0].outputs[0].data)
    (1, ['image/png', 'text/plain'])
    """
    changed = 0
    notebook.metadata.pop(WIDGET_STATE, None)
    for cell in notebook.cells:
        if cell.get("cell_type") != "code":
            continue
        outputs = []
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if WIDGET_VIEW in data:
                changed += 1
                del data[WIDGET_VIEW]
                if not set(data) - {"text/plain"}:
                    continue  # a bare widget view: its text is only the widget's repr
            outputs.append(output)
        cell["outputs"] = outputs
    return changed


def _text(text) -> str:
    return text if isinstance(text, str) else "".join(text)   # a stream's text may be stored as a list of lines


MARKER = ".staged-by-build_site"  # only a folder holding this file is emptied by a rebuild


def stage(target: Path) -> list[Path]:
    """Copy docs/ and the lessons (prints merged, see ``merge_streams``; widget views dropped, see
    ``drop_widget_views``) into ``target`` and write the table of contents.

    ``target`` must be missing, empty or an earlier staging folder (it holds ``MARKER``); anything
    else is refused, so ``--out`` pointed at a folder of your own never deletes its files.
    """
    if target.exists() and any(target.iterdir()):
        if not (target / MARKER).is_file():
            raise FileExistsError(f"{target} holds files this script did not stage (nothing was deleted); "
                                  f"choose a new or empty --out folder, or remove {target} yourself.")
        shutil.rmtree(target)
    shutil.copytree(ROOT / "docs", target, dirs_exist_ok=True)
    (target / MARKER).touch()
    lesson_paths = lessons()
    for path in lesson_paths:                       # the committed notebooks are read, never changed
        notebook = nbformat.read(path, as_version=4)
        merge_streams(notebook)
        drop_widget_views(notebook)
        nbformat.write(notebook, target / path.name)
    (target / "_toc.yml").write_text(table_of_contents(lesson_paths))
    return lesson_paths


def build(source: Path) -> tuple[int, str]:
    """Run Jupyter Book on ``source``; return its exit status and everything it printed."""
    command = [sys.executable, "-c", "from jupyter_book.cli.main import main; main()",
               "build", str(source), "--all", "--keep-going"]
    done = subprocess.run(command, capture_output=True, text=True)
    return done.returncode, done.stdout + done.stderr


def problems(source: Path, lesson_paths: list[Path], log: str) -> list[str]:
    """What is wrong with a finished build: missing lesson pages and every warning Sphinx printed."""
    html = source / "_build" / "html"
    found = [f"missing page {html / (p.stem + '.html')}" for p in lesson_paths + [Path("intro"), Path("lab_guide")]
             if not (html / (p.stem + ".html")).is_file()]
    found += [line.strip() for line in log.splitlines() if re.search(r"\bWARNING\b|\bERROR\b", line)]
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "site", help="staging folder (new, empty or staged before)")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    try:
        lesson_paths = stage(args.out)
    except FileExistsError as error:
        print(error, file=sys.stderr)
        return 1
    status, log = build(args.out)
    found = problems(args.out, lesson_paths, log)
    seconds = time.perf_counter() - start
    if status or found:
        print(log[-3000:] if status else "", *found, sep="\n", file=sys.stderr)
        print(f"site build FAILED after {seconds:.0f} s: {len(found)} problem(s), jupyter-book exit {status}",
              file=sys.stderr)
        return 1
    print(f"site built in {seconds:.0f} s: {len(lesson_paths)} lessons, "
          f"open {args.out / '_build' / 'html' / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
