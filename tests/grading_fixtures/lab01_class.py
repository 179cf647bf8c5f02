"""Classes of 30 lab01 submissions, a third of them hostile, for tests and timing.

    python tests/grading_fixtures/lab01_class.py FOLDER [--old-grader]   # writes FOLDER/<student>/...

Every student is a variation of the solution notebook, with the points per question the grader
should give (:func:`write_class` returns them). :data:`CLASS` has a damaged notebook, which made
the grader before issue 18 fail after grading (no CSV), and the attacks on the test cells
(patched comparisons, the test's own reference, SciPy where NumPy only is asked);
:data:`OLD_GRADER_CLASS` has hostile students the old grader could grade, so both graders can
be timed on it. Memory and fork bombs
are in neither (the old grader had no limits): tests run them with small limits.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parents[2]
LAB = "lab01_cross_correlation"
SOLUTION = REPO / "solutions" / f"{LAB}.ipynb"

WRONG = {  # plausible wrong answers, each failing its question
    "a1_corr2d": "def corr2d(X, K):\n    return np.zeros((2, 2))",
    "a2_convolve2d": "def convolve2d(X, K):\n    return corr2d(X, K)",
    "a3_edge_kernel": "vertical_edge_kernel = np.ones((3, 3))",
    "a4_box_blur": "def box_blur_kernel(n):\n    return np.ones((n, n))",
    "a5_receptive_field": "def receptive_field(kernel_sizes):\n    return len(kernel_sizes) * 3",
}
SILENCE_CUSTOM_EXC = "get_ipython().set_custom_exc((BaseException,), lambda *a, **k: None)\n"
SILENCE_SHOWTRACEBACK = "get_ipython().showtraceback = lambda *a, **k: None\n"
INPUT_TRANSFORMER = "get_ipython().input_transformers_post.append(lambda lines: ['pass\\n'])\n"
POST_RUN_CELL = """\
def _forget(result):
    result.error_in_exec = None
get_ipython().events.register("post_run_cell", _forget)
"""
AST_ASSERTS_AWAY = """\
import ast
class _NoAsserts(ast.NodeTransformer):
    def visit_Assert(self, node):
        return ast.Pass()
get_ipython().ast_transformers.append(_NoAsserts())
"""
SIGINT_LOOP = "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass"
GIT_SHOW = f"""\
import json, subprocess
_nb = json.loads(subprocess.run(["git", "-C", {str(REPO)!r}, "show", "HEAD:solutions/{LAB}.ipynb"],
                                capture_output=True, text=True).stdout)
for _c in _nb["cells"]:
    if _c["metadata"].get("nbgrader", {{}}).get("solution"):
        exec("".join(_c["source"]))
"""
SNOOP = f"""\
import glob, json, os
for _path in (glob.glob("/tmp/**/{LAB}.ipynb", recursive=True) + glob.glob(os.path.expanduser("~/**/{LAB}.ipynb"), recursive=True)
              + glob.glob("/work/**/solutions/{LAB}.ipynb", recursive=True) + [{str(SOLUTION)!r}]):
    try:
        for _c in json.load(open(_path))["cells"]:
            if _c["metadata"].get("nbgrader", {{}}).get("solution") and "BEGIN SOLUTION" in "".join(_c["source"]):
                exec("".join(_c["source"]))
    except Exception:
        pass
"""
WARNS = ("import warnings\n"
         "def corr2d(X, K):\n"
         "    warnings.warn('corr2d: loops are slow', UserWarning)\n"
         "    np.exp(np.array([1000.0]))  # RuntimeWarning: overflow in exp\n"
         "    X, K = np.asarray(X, dtype=float), np.asarray(K, dtype=float)\n"
         "    Y = np.zeros((X.shape[0] - K.shape[0] + 1, X.shape[1] - K.shape[1] + 1))\n"
         "    for i in range(Y.shape[0]):\n"
         "        for j in range(Y.shape[1]):\n"
         "            Y[i, j] = (X[i:i + K.shape[0], j:j + K.shape[1]] * K).sum()\n"
         "    return Y")
PATCH_COMPARISONS = ("import math\n"
                     "np.allclose = np.isclose = np.array_equal = np.testing.assert_allclose = lambda *a, **k: True\n"
                     "math.isclose = lambda *a, **k: True\n")
CALLS_REFERENCE = "def receptive_field(kernel_sizes):\n    return footprint(kernel_sizes)"
SCIPY = "from scipy import signal\n\ndef corr2d(X, K):\n    return signal.correlate2d(X, K, mode='valid')"
FULL, NONE = [2, 1, 2, 1, 2], [0, 0, 0, 0, 0]


def solution() -> nbformat.NotebookNode:
    return nbformat.read(SOLUTION, as_version=4)


def with_answers(answers: dict[str, str], prefix: str = "") -> nbformat.NotebookNode:
    """The solution with some answer cells replaced; ``prefix`` goes before the first answer."""
    nb = solution()
    for cell in nb.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if gid in answers:
            cell.source = answers[gid]
        if gid == "a1_corr2d":
            cell.source = prefix + cell.source
    return nb


def _cell(nb: nbformat.NotebookNode, gid: str) -> nbformat.NotebookNode:
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == gid)


def broken(kind: str) -> nbformat.NotebookNode:
    """A structurally broken notebook (JSON that nbformat reads, metadata that nbgrader chokes on)."""
    nb = solution()
    if kind == "metadata_string":
        _cell(nb, "a3_edge_kernel").metadata["nbgrader"] = "solution"
    elif kind == "grade_id_list":
        _cell(nb, "a3_edge_kernel").metadata["nbgrader"]["grade_id"] = ["a3_edge_kernel"]
        del _cell(nb, "a4_box_blur")["source"]
    elif kind == "answer_markdown":  # as Jupyter converts it, then a source that is not text
        answer = _cell(nb, "a3_edge_kernel")
        answer.cell_type = "markdown"
        del answer["outputs"], answer["execution_count"]
        _cell(nb, "a5_receptive_field")["source"] = 42
    return nb


def students(folder: Path) -> dict[str, tuple[nbformat.NotebookNode | str, list[int]]]:
    """Student -> (notebook, or 'symlink'), expected points per question, for a class in ``folder``.
    The lists below are for questions 1-5; question 6 is added at the end."""
    honest = {
        "s01_correct": (solution(), FULL),
        "s02_correct": (solution(), FULL),
        "s03_correct": (solution(), FULL),
        "s04_correct_warnings": (with_answers({"a1_corr2d": WARNS}), FULL),
        "s05_wrong_corr2d": (with_answers({"a1_corr2d": WRONG["a1_corr2d"]}), [0, 0, 2, 1, 2]),
        "s06_no_flip": (with_answers({"a2_convolve2d": WRONG["a2_convolve2d"]}), [2, 0, 2, 1, 2]),
        "s07_edge": (with_answers({"a3_edge_kernel": WRONG["a3_edge_kernel"]}), [2, 1, 0, 1, 2]),
        "s08_blur": (with_answers({"a4_box_blur": WRONG["a4_box_blur"]}), [2, 1, 2, 0, 2]),
        "s09_field": (with_answers({"a5_receptive_field": WRONG["a5_receptive_field"]}), [2, 1, 2, 1, 0]),
        "s10_all_wrong": (with_answers(WRONG), NONE),
        "s11_untouched": (nbformat.read(REPO / "exercises" / f"{LAB}.ipynb", as_version=4), NONE),
        "s12_loop": (with_answers({"a2_convolve2d": "while True:\n    pass"}), [2, 0, 2, 1, 2]),
        "s13_crash": (with_answers({"a3_edge_kernel": "import os\nos._exit(1)"}), [2, 1, 0, 0, 0]),
        "s14_partial": (with_answers({k: WRONG[k] for k in ("a3_edge_kernel", "a5_receptive_field")}),
                        [2, 1, 0, 1, 0]),
        "s15_correct": (solution(), FULL),
        "s16_correct": (solution(), FULL),
        "s17_wrong_two": (with_answers({k: WRONG[k] for k in ("a1_corr2d", "a4_box_blur")}), [0, 0, 2, 0, 2]),
        "s18_correct": (solution(), FULL),
        "s19_correct": (solution(), FULL),
        "s20_edge_blur": (with_answers({k: WRONG[k] for k in ("a3_edge_kernel", "a4_box_blur")}),
                          [2, 1, 0, 0, 2]),
    }
    hostile = {
        "h01_custom_exc": (with_answers(WRONG, SILENCE_CUSTOM_EXC), NONE),
        "h02_showtraceback": (with_answers(WRONG, SILENCE_SHOWTRACEBACK), NONE),
        "h03_ast_asserts": (with_answers(WRONG, AST_ASSERTS_AWAY), NONE),
        "h04_sigint_loop": (with_answers({"a2_convolve2d": SIGINT_LOOP}), [2, 0, 0, 0, 0]),
        "h05_git_show": (with_answers({"a1_corr2d": GIT_SHOW + WRONG["a1_corr2d"]} | {
            k: "" for k in WRONG if k != "a1_corr2d"}), NONE),
        "h06_symlink": ("symlink", NONE),
        "h07_metadata_string": (broken("metadata_string"), FULL),  # the answer counts as an extra cell
        "h08_grade_id_list": (broken("grade_id_list"), [2, 1, 2, 0, 2]),  # a4 has no source
        "h09_answer_markdown": (broken("answer_markdown"), [2, 1, 2, 1, 0]),  # a5's source is a number
        "h10_snoop": (with_answers({"a1_corr2d": SNOOP + WRONG["a1_corr2d"]} | {
            k: "" for k in WRONG if k != "a1_corr2d"}), NONE),
        "h11_input_transformer": (with_answers(WRONG, INPUT_TRANSFORMER), NONE),
        "h12_post_run_cell": (with_answers(WRONG, POST_RUN_CELL), NONE),
        "h13_overwrites_classmate": (with_answers({}, "try:\n    open("
                                                      f"{str(folder / 's01_correct' / f'{LAB}.ipynb')!r}, 'w').write('{{}}')\n"
                                                      "except OSError:\n    pass\n"), FULL),
        "h14_patches_comparisons": (with_answers(WRONG, PATCH_COMPARISONS), NONE),
        "h15_calls_reference": (with_answers({"a5_receptive_field": CALLS_REFERENCE}), [2, 1, 2, 1, 0]),
        "h16_scipy": (with_answers({"a1_corr2d": SCIPY}), [0, 0, 2, 1, 2]),  # convolve2d uses corr2d
    }
    # question 6 (conv_as_matrix) keeps its points unless the run stops before it or nothing is graded
    lost_q6 = {"s11_untouched", "s13_crash", "h04_sigint_loop", "h06_symlink"}
    return {name: (nb, points + [0 if name in lost_q6 else 2]) for name, (nb, points) in (honest | hostile).items()}


CLASS = tuple(f"s{i:02d}" for i in range(1, 21)) + ("h01", "h03", "h04", "h05", "h06", "h07", "h10", "h14", "h15", "h16")
OLD_GRADER_CLASS = tuple(f"s{i:02d}" for i in range(1, 21)) + ("h01", "h02", "h03", "h04", "h05", "h06", "h10", "h11",
                                                              "h12", "h13")


def write_class(folder: Path, only: tuple[str, ...] = CLASS) -> dict[str, list[int]]:
    """Write the students whose names start with one of ``only`` to ``folder/<student>/<lab>.ipynb``;
    return the points per question each should get."""
    expected = {}
    for student, (nb, points) in students(folder).items():
        if not student.startswith(only):
            continue
        (folder / student).mkdir(parents=True)
        target = folder / student / f"{LAB}.ipynb"
        if isinstance(nb, str):
            os.symlink(SOLUTION, target)
        else:
            target.write_text(nbformat.writes(nb, version=nbformat.NO_CONVERT))
        expected[student] = points
    return expected


if __name__ == "__main__":
    write_class(Path(sys.argv[1]), OLD_GRADER_CLASS if "--old-grader" in sys.argv else CLASS)
