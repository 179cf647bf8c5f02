"""Labs end to end, with real kernels: solutions pass, untouched exercises fail, a fixture class
with every kind of bad submission grades to the expected CSV."""
import csv
import http.server
import sys
import threading
from pathlib import Path

import nbformat
import pytest

from coursekit.grading import (
    EXERCISES_DIR, SOLUTIONS_DIR, grade_class, grade_notebook, lab_names, questions, validate_lab,
)
from coursekit.grading.execute import sandbox_available
from coursekit.grading.grade import UNSANDBOXED
from coursekit.grading.labs import grade_id

sys.path.insert(0, str(Path(__file__).parent))
from grading_fixtures.wrong_answers import lab_cases  # noqa: E402

LAB = "lab01_cross_correlation"
SANDBOX = sandbox_available()
# Without bubblewrap the solutions and exercises are still graded (they are trusted files); the
# fixture class, whose hostile students would really damage the others, needs the sandbox.
EXPECTED_NOTES = [] if SANDBOX else [UNSANDBOXED]
needs_sandbox = pytest.mark.skipif(not SANDBOX,
                                   reason="bubblewrap (apt-get install bubblewrap) is needed for isolation tests")


@pytest.mark.parametrize("lab", lab_names())
def test_solution_earns_every_point(lab):
    source = nbformat.read(SOLUTIONS_DIR / f"{lab}.ipynb", as_version=4)
    result = grade_notebook(source, SOLUTIONS_DIR / f"{lab}.ipynb", cell_timeout=120, sandbox=SANDBOX)
    assert result.scores == result.max_scores, result.notes
    assert result.notes == EXPECTED_NOTES


@pytest.mark.parametrize("lab", lab_names())
def test_untouched_exercise_passes_no_test(lab):
    source = nbformat.read(SOLUTIONS_DIR / f"{lab}.ipynb", as_version=4)
    result = grade_notebook(source, EXERCISES_DIR / f"{lab}.ipynb", cell_timeout=120, sandbox=SANDBOX)
    assert set(result.scores) == {q.grade_id for q in questions(source)}
    assert all(score == 0 for score in result.scores.values()), result.scores


# ---------------------------------------------------------------- the fixture class
def submission(answers: dict[str, str] | None = None, *, drop: tuple[str, ...] = (),
               edit: dict[str, str] | None = None, extra: str | None = None) -> nbformat.NotebookNode:
    """The solution notebook with some answer cells replaced, test cells edited or dropped."""
    nb = nbformat.read(SOLUTIONS_DIR / f"{LAB}.ipynb", as_version=4)
    for c in nb.cells:
        gid = grade_id(c)
        if answers and gid in answers:
            c.source = answers[gid]
        if edit and gid in edit:
            c.source = edit[gid]
    nb.cells = [c for c in nb.cells if grade_id(c) not in drop]
    if extra:
        nb.cells.insert(1, nbformat.v4.new_code_cell(extra))
    return nb


WRONG_CORR2D = "def corr2d(X, K):\n    return np.zeros((2, 2))"


@pytest.fixture(scope="module")
def fixture_class(tmp_path_factory):
    """The class, graded once: the tests reading it are methods of one class, which
    tests/conftest.py keeps on one pytest-xdist worker."""
    if not SANDBOX:
        pytest.skip("bubblewrap (apt-get install bubblewrap) is needed to grade a class with hostile students")
    return _grade_fixture_class(tmp_path_factory.mktemp("class"))


def _grade_fixture_class(root: Path) -> dict:
    subs = root / "submissions"
    leak = root / "leak.txt"
    served = root / "served"
    served.mkdir()
    (served / "answer.txt").write_text("1 + sum(k - 1 for k in kernel_sizes)")
    handler = lambda *a, **k: http.server.SimpleHTTPRequestHandler(*a, directory=str(served), **k)  # noqa: E731
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/answer.txt"
    alice_path = subs / "alice" / f"{LAB}.ipynb"
    notebooks = {
        "alice": submission(),
        "bob_partial": submission({"a3_edge_kernel": "vertical_edge_kernel = np.ones((3, 3))",
                                   "a5_receptive_field": "def receptive_field(kernel_sizes):\n    return len(kernel_sizes) * 3"}),
        "carol_loop": submission({"a2_convolve2d": "while True:\n    pass"}),
        "dave_crash": submission({"a3_edge_kernel": "import os\nos._exit(1)"}),
        "erin_edits_test": submission({"a1_corr2d": WRONG_CORR2D}, edit={"q1_corr2d": "print('Correct')"}),
        "frank_deletes_test": submission(drop=("q5_receptive_field",)),
    }
    notebooks["gina_writes"] = submission(extra=f"open({str(alice_path)!r}, 'w').write('{{}}')\n"
                                                f"open({str(leak)!r}, 'w').write('x')")
    notebooks["hank_snoops"] = submission({"a1_corr2d": (
        "import json\n"
        f"_cells = json.load(open({str(alice_path)!r}))['cells']\n"
        "exec(next(''.join(c['source']) for c in _cells if 'def corr2d' in ''.join(c['source'])))")})
    notebooks["ivy_network"] = submission({"a5_receptive_field": (
        "import urllib.request\n"
        f"_code = urllib.request.urlopen({url!r}, timeout=5).read().decode()\n"
        "def receptive_field(kernel_sizes):\n    return eval(_code)")})
    for student, nb in notebooks.items():
        (subs / student).mkdir(parents=True)
        nbformat.write(nb, subs / student / (f"{LAB}.ipynb" if student != "bob_partial" else "Bob's lab.ipynb"))
    (subs / "jack_invalid").mkdir()
    (subs / "jack_invalid" / f"{LAB}.ipynb").write_text('{"cells": [ this is not JSON')
    (subs / "kim_two_files").mkdir()
    for name in ("a.ipynb", "b.ipynb"):
        nbformat.write(submission(), subs / "kim_two_files" / name)
    alice_before = alice_path.read_bytes()
    out = root / "grades.csv"
    # 15 s per cell: short for carol's endless loop, long enough for a correct cell on a machine
    # that grades the solutions in another pytest worker at the same time (5 s was not)
    results = grade_class(LAB, subs, out, cell_timeout=15, workers=2)
    server.shutdown()
    rows = {row["student"]: row for row in csv.DictReader(out.open())}
    sandboxed = {r.student: r.sandboxed for r in results}
    return dict(sandboxed=sandboxed, rows=rows, out=out, leak=leak, alice_path=alice_path,
                alice_before=alice_before, subs=subs)


def scores(row):
    return [float(row[q]) for q in ("q1_corr2d", "q2_convolve2d", "q3_edge_kernel", "q4_box_blur",
                                    "q5_receptive_field", "q6_conv_as_matrix")]


class TestFixtureClass:
    """A class of lab 01 submissions with every kind of bad one, graded to a CSV."""

    def test_csv_has_a_row_per_student_and_a_column_per_question(self, fixture_class):
        header = fixture_class["out"].read_text().splitlines()[0]
        assert header == "student,q1_corr2d,q2_convolve2d,q3_edge_kernel,q4_box_blur,q5_receptive_field,q6_conv_as_matrix,total,max,notes"
        expected = ["alice", "bob_partial", "carol_loop", "dave_crash", "erin_edits_test", "frank_deletes_test",
                    "jack_invalid", "kim_two_files"]
        expected += ["gina_writes", "hank_snoops", "ivy_network"]
        assert sorted(fixture_class["rows"]) == sorted(expected)
        assert all(row["max"] == "10" for row in fixture_class["rows"].values())

    def test_correct_and_partial(self, fixture_class):
        rows = fixture_class["rows"]
        assert scores(rows["alice"]) == [2, 1, 2, 1, 2, 2] and rows["alice"]["total"] == "10" and rows["alice"]["notes"] == ""
        assert scores(rows["bob_partial"]) == [2, 1, 0, 1, 0, 2] and rows["bob_partial"]["total"] == "6"

    def test_infinite_loop_costs_only_that_question(self, fixture_class):
        row = fixture_class["rows"]["carol_loop"]
        assert scores(row) == [2, 0, 2, 1, 2, 2]
        assert "a2_convolve2d was interrupted after 15 s" in row["notes"]

    def test_kernel_crash_keeps_earlier_points(self, fixture_class):
        row = fixture_class["rows"]["dave_crash"]
        assert scores(row) == [2, 1, 0, 0, 0, 0]
        assert "kernel died" in row["notes"]

    def test_edited_and_deleted_tests_are_restored(self, fixture_class):
        erin, frank = fixture_class["rows"]["erin_edits_test"], fixture_class["rows"]["frank_deletes_test"]
        assert scores(erin)[:2] == [0, 0] and "q1_corr2d was edited" in erin["notes"]
        assert scores(frank) == [2, 1, 2, 1, 2, 2] and "q5_receptive_field was deleted" in frank["notes"]

    def test_unreadable_and_ambiguous_submissions_are_reported(self, fixture_class):
        jack, kim = fixture_class["rows"]["jack_invalid"], fixture_class["rows"]["kim_two_files"]
        assert jack["total"] == "0" and "not a readable notebook" in jack["notes"]
        assert kim["total"] == "0" and "2 notebooks" in kim["notes"]

    @needs_sandbox
    def test_a_submission_cannot_write_outside_its_folder(self, fixture_class):
        assert fixture_class["alice_path"].read_bytes() == fixture_class["alice_before"]
        assert not fixture_class["leak"].exists()
        assert scores(fixture_class["rows"]["alice"]) == [2, 1, 2, 1, 2, 2]
        assert fixture_class["rows"]["gina_writes"]["total"] == "10"  # her own answers still count

    @needs_sandbox
    def test_a_submission_cannot_read_other_students(self, fixture_class):
        assert scores(fixture_class["rows"]["hank_snoops"])[:2] == [0, 0]  # alice's corr2d was out of reach

    @needs_sandbox
    def test_a_submission_has_no_network(self, fixture_class):
        assert scores(fixture_class["rows"]["ivy_network"])[4] == 0
        assert all(sandboxed for student, sandboxed in fixture_class["sandboxed"].items()
                   if student not in ("jack_invalid", "kim_two_files"))


def test_student_validation_exit_status_and_hints(tmp_path):
    from coursekit.grading.__main__ import main

    assert main(["validate", str(SOLUTIONS_DIR / f"{LAB}.ipynb")]) == 0
    partial = submission({"a1_corr2d": WRONG_CORR2D})
    nbformat.write(partial, tmp_path / "partial.ipynb")
    ok, report = validate_lab(tmp_path / "partial.ipynb")
    assert not ok
    assert "q1_corr2d: AssertionError: Not yet: the lecture example should give [[19, 25], [37, 43]]" in report
    assert main(["validate", str(EXERCISES_DIR / f"{LAB}.ipynb")]) == 1


# ------------------------------------------------- wrong and hostile answers, lab by lab
WRONG_ANSWERS = lab_cases()
Case = tuple[dict[str, str], list[str]]


def answers_what_it_loses(case: Case) -> bool:
    """Whether every answer cell the case changes belongs to a question it loses (``aN_x`` answers ``qN_x``).

    A case that also changes an answer it does not lose (a correct variant) may make a later answer
    depend on a cell another case breaks, so it is graded alone.
    """
    answers, losing = case
    return all("q" + cell[1:] in losing for cell in answers)


def share_notebooks(cases: dict[str, Case], most: int = 4) -> list[list[str]]:
    """Group cases so that a group is graded as one notebook holding all its answers (one kernel start
    instead of one per case) and must lose exactly the union of its cases' questions.

    Cases share a notebook only when they change different answer cells, lose different questions
    and change only answers they lose: then a question one case keeps reads only solution cells and
    cells that are its own, exactly as when the case is graded alone.
    """
    groups: list[list[str]] = []
    for name, case in cases.items():
        for group in groups:
            cells = {cell for other in group for cell in cases[other][0]}
            lost = {q for other in group for q in cases[other][1]}
            if (len(group) < most and answers_what_it_loses(case) and answers_what_it_loses(cases[group[0]])
                    and not cells & set(case[0]) and not lost & set(case[1])):
                group.append(name)
                break
        else:
            groups.append([name])
    return groups


def test_cases_share_a_notebook_only_when_they_change_and_lose_different_things():
    cases = {"a": ({"a1": ""}, ["q1"]), "b": ({"a1": ""}, ["q1"]), "c": ({"a2": ""}, ["q2"]),
             "d": ({"a3": ""}, ["q2", "q3"]), "e": ({"a4": ""}, []), "f": ({"a5": "", "a6": ""}, ["q5"])}
    # e and f change an answer they do not lose (a correct variant a later answer may build on): alone
    assert share_notebooks(cases) == [["a", "c"], ["b", "d"], ["e"], ["f"]]
    assert share_notebooks(cases, most=1) == [[name] for name in cases]
    every = [name for group in share_notebooks({**cases, **WRONG_ANSWERS["lab04_pooling"]}) for name in group]
    assert sorted(every) == sorted({**cases, **WRONG_ANSWERS["lab04_pooling"]}), "every case is graded once"


# One test per shared notebook, so pytest-xdist keeps both workers busy (a lab's cases as one test
# left one worker grading lab 15's cases alone at the end of the phase).
GROUPS = [(lab, group) for lab in sorted(WRONG_ANSWERS) for group in share_notebooks(WRONG_ANSWERS[lab])]


@needs_sandbox
@pytest.mark.parametrize(("lab", "group"), GROUPS, ids=[f"{lab[:5]}-{'+'.join(group)}" for lab, group in GROUPS])
def test_wrong_and_hostile_answers_lose_exactly_their_questions(lab, group, tmp_path):
    cases = WRONG_ANSWERS[lab]
    nb = nbformat.read(SOLUTIONS_DIR / f"{lab}.ipynb", as_version=4)
    answers = {cell: code for case in group for cell, code in cases[case][0].items()}
    for c in nb.cells:
        c.source = answers.get(grade_id(c), c.source)
    path = tmp_path / f"{lab}.ipynb"
    nbformat.write(nb, path)
    result = grade_notebook(nbformat.read(SOLUTIONS_DIR / f"{lab}.ipynb", as_version=4), path, cell_timeout=60)
    expected = {case: cases[case][1] for case in group}
    losing = sorted(q for lost in expected.values() for q in lost)
    assert sorted(q for q, s in result.scores.items() if s == 0) == losing, (expected, result.details, result.notes)
    assert all(result.scores[q] == result.max_scores[q] for q in result.scores if q not in losing)
