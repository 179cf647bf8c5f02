"""The grader: exercise generation, test restoration, submissions, CSV and feedback (no kernels),
then the sandbox, the limits and the runner's per-cell record with real kernels (bubblewrap)."""
import copy
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import numpy as np
import pytest

from coursekit.grading import EXERCISES_DIR, SOLUTIONS_DIR, lab_names, make_exercise, questions
from coursekit.grading import execute as execute_module
from coursekit.grading import grade as grade_module
from coursekit.grading.__main__ import main
from coursekit.grading.execute import Limits, execute, open_session, sandbox_available
from coursekit.grading.remote import NotAnswered, NotGradable, Remote, changes_inputs
from coursekit.grading.feedback import feedback_html, write_feedback
from coursekit.grading.grade import (
    UNSANDBOXED, GradeResult, SandboxUnavailable, _read_submission, find_submissions, grade_class,
    grade_notebook, write_csv,
)
from coursekit.grading.validate import validate_lab
from coursekit.grading.labs import REPO_DIR, grade_id, is_test_cell
from coursekit.grading.restore import restore_tests

sys.path.insert(0, str(Path(__file__).parent))
from grading_fixtures import lab01_class, probes  # noqa: E402
from grading_fixtures.fake_session import fake_open_session  # noqa: E402

LAB = "lab01_cross_correlation"
needs_sandbox = pytest.mark.skipif(not sandbox_available(), reason="needs bubblewrap (apt-get install bubblewrap)")


@pytest.fixture
def solution():
    return nbformat.read(SOLUTIONS_DIR / f"{LAB}.ipynb", as_version=4)


def cell(nb, gid):
    return next(c for c in nb.cells if grade_id(c) == gid)


def test_every_lesson_so_far_has_a_lab_with_several_questions():
    assert lab_names()[:10] == ["lab01_cross_correlation", "lab02_padding_and_stride", "lab03_channels", "lab04_pooling",
                                "lab05_lenet", "lab06_alexnet", "lab07_vgg", "lab08_inception", "lab09_resnet",
                                "lab10_batch_norm"]
    for lab in lab_names():
        qs = questions(SOLUTIONS_DIR / f"{lab}.ipynb")
        assert len(qs) >= 4 and all(q.points > 0 for q in qs)
        assert len({q.grade_id for q in qs}) == len(qs)


def test_every_test_cell_has_hints_hidden_tests_and_a_success_message():
    for lab in lab_names():
        for c in nbformat.read(SOLUTIONS_DIR / f"{lab}.ipynb", as_version=4).cells:
            if is_test_cell(c):
                assert "Not yet:" in c.source and "### BEGIN HIDDEN TESTS" in c.source, grade_id(c)
                assert c.source.rstrip().splitlines()[-1].startswith('print("Correct'), grade_id(c)
                assert c.metadata["nbgrader"]["locked"]


def test_setup_cells_import_numpy_before_what_numpy_only_questions_hide():
    """In the kernel that answers NumPy-only questions, a setup cell stops at the first hidden
    import: NumPy must already be there."""
    from coursekit.grading.checks import hidden_libraries

    for lab in lab_names():
        nb = nbformat.read(SOLUTIONS_DIR / f"{lab}.ipynb", as_version=4)
        hidden = set().union(*hidden_libraries(nb))
        for c in nb.cells:
            if c.cell_type != "code" or "nbgrader" not in c.metadata or is_test_cell(c) or c.metadata.nbgrader.solution:
                continue
            imports = [line.split()[1].split(".")[0] for line in c.source.splitlines()
                       if line.startswith(("import ", "from "))]
            first_hidden = next((i for i, name in enumerate(imports) if name in hidden), len(imports))
            assert "numpy" not in imports[first_hidden:], (lab, imports)


def test_make_exercise_removes_answers_and_hidden_tests(solution):
    exercise = make_exercise(solution)
    answer = cell(exercise, "a1_corr2d")
    assert "raise NotImplementedError()" in answer.source and "for i in range" not in answer.source
    test = cell(exercise, "q1_corr2d")
    assert "HIDDEN" not in test.source and "default_rng(101)" not in test.source
    assert "checksum" in test.metadata["nbgrader"]
    assert "for i in range" in cell(solution, "a1_corr2d").source, "the solution itself is not modified"


def test_restore_puts_back_edited_and_deleted_tests(solution):
    submission = make_exercise(solution)
    cell(submission, "a1_corr2d").source = "def corr2d(X, K):\n    return 0"
    cell(submission, "q1_corr2d").source = "print('Correct')"  # the student 'fixed' the test
    submission.cells.remove(cell(submission, "q2_convolve2d"))  # ... and deleted another
    restored = restore_tests(solution, submission)
    assert cell(restored, "q1_corr2d").source == cell(solution, "q1_corr2d").source  # hidden tests too
    assert cell(restored, "q2_convolve2d").source == cell(solution, "q2_convolve2d").source
    assert cell(restored, "a1_corr2d").source.endswith("return 0")
    assert [grade_id(c) for c in restored.cells] == [grade_id(c) for c in solution.cells]


def test_restore_keeps_extra_cells_in_place_and_handles_deleted_answers(solution):
    submission = make_exercise(solution)
    helper = nbformat.v4.new_code_cell("def helper():\n    return 1")
    position = submission.cells.index(cell(submission, "a2_convolve2d"))
    submission.cells.insert(position, helper)
    submission.cells.remove(cell(submission, "a5_receptive_field"))
    restored = restore_tests(solution, submission)
    ids = [grade_id(c) for c in restored.cells]
    assert restored.cells[ids.index("a2_convolve2d") - 1].source == helper.source
    assert "deleted" in cell(restored, "a5_receptive_field").source
    assert len({c.id for c in restored.cells}) == len(restored.cells)
    nbformat.validate(restored)


def test_restore_does_not_modify_its_inputs(solution):
    submission = make_exercise(solution)
    before = (copy.deepcopy(solution), copy.deepcopy(submission))
    restore_tests(solution, submission)
    assert (solution, submission) == before


def test_find_submissions_accepts_any_names(tmp_path):
    (tmp_path / "ann").mkdir()
    (tmp_path / "ann" / "my work.ipynb").write_text("{}")
    (tmp_path / "ben").mkdir()
    (tmp_path / "ben" / "draft.ipynb").write_text("{}")
    (tmp_path / "ben" / f"{LAB}.ipynb").write_text("{}")
    (tmp_path / "cat").mkdir()
    (tmp_path / "cat" / "a.ipynb").write_text("{}")
    (tmp_path / "cat" / "b.ipynb").write_text("{}")
    (tmp_path / "dan.ipynb").write_text("{}")
    found = find_submissions(tmp_path, LAB)
    assert found["ann"].name == "my work.ipynb" and found["ben"].name == f"{LAB}.ipynb"
    assert found["cat"] == f"2 notebooks and none named {LAB}.ipynb"
    assert found["dan"].name == "dan.ipynb"


def test_links_are_refused_not_followed(tmp_path):
    subs, elsewhere = tmp_path / "subs", tmp_path / "elsewhere"
    subs.mkdir()
    elsewhere.mkdir()
    (elsewhere / "secret.ipynb").write_text("{}")
    (subs / "eve").mkdir()
    (subs / "eve" / f"{LAB}.ipynb").symlink_to(SOLUTIONS_DIR / f"{LAB}.ipynb")
    (subs / "fay.ipynb").symlink_to(SOLUTIONS_DIR / f"{LAB}.ipynb")
    (subs / "gus").symlink_to(SOLUTIONS_DIR)  # a whole folder
    (subs / "hal").mkdir()
    os.link(elsewhere / "secret.ipynb", subs / "hal" / f"{LAB}.ipynb")
    found = find_submissions(subs, LAB)
    assert found["eve"] == f"{LAB}.ipynb is a symbolic link (refused, not followed)"
    assert found["fay"] == "fay.ipynb is a symbolic link (refused, not followed)"
    assert found["gus"] == "gus is a symbolic link (refused, not followed)"
    assert found["hal"] == f"{LAB}.ipynb is a hard link shared with another file (refused)"


@pytest.mark.parametrize("kind, note", [
    ("metadata_string", "cell 10 has damaged nbgrader metadata"),
    ("grade_id_list", "cell 10 has damaged nbgrader metadata (counted as a cell of your own); cell 13 has no text"),
    ("answer_markdown", "cell 16 has no text (left empty)"),
])
def test_a_damaged_notebook_is_repaired_with_one_note(tmp_path, solution, kind, note):
    path = tmp_path / "damaged.ipynb"
    path.write_text(nbformat.writes(lab01_class.broken(kind), version=nbformat.NO_CONVERT))
    nb, notes = _read_submission(path)
    assert len(notes) == 1 and notes[0].startswith("damaged notebook, repaired for grading: ") and note in notes[0]
    restored = restore_tests(solution, nb)
    nbformat.validate(restored)
    assert cell(restored, "a3_edge_kernel").cell_type == "code"


def test_grade_notebook_scores_the_checks_and_keeps_the_runs_notes(monkeypatch, solution):
    monkeypatch.setattr(grade_module, "open_session", fake_open_session(problem="the kernel did not answer"))
    wrong = copy.deepcopy(solution)
    cell(wrong, "a2_convolve2d").source = "def convolve2d(X, K):\n    return corr2d(X, K)"
    cell(wrong, "q5_receptive_field").source = "print('Correct')"
    path = Path(tempfile.mkdtemp()) / "wrong.ipynb"
    nbformat.write(wrong, path)
    result = grade_notebook(solution, path, cell_timeout=7)
    assert result.scores == {"q1_corr2d": 2, "q2_convolve2d": 0, "q3_edge_kernel": 2, "q4_box_blur": 1,
                             "q5_receptive_field": 2, "q6_conv_as_matrix": 2}
    assert result.details["q2_convolve2d"].startswith("failed: Not yet: the result should equal scipy.signal.convolve2d")
    assert result.details["q5_receptive_field"] == "passed (your edited or deleted test was restored)"
    assert result.notes == ["test cell q5_receptive_field was edited (restored for grading)", "the kernel did not answer"]


def test_anything_that_goes_wrong_in_grading_costs_one_student_only(monkeypatch, solution, tmp_path):
    def explode(*args, **kwargs):
        raise RecursionError("maximum recursion depth exceeded during ast construction")

    monkeypatch.setattr(grade_module, "open_session", fake_open_session())
    monkeypatch.setattr(grade_module, "run_checks", explode)
    result = grade_notebook(solution, SOLUTIONS_DIR / f"{LAB}.ipynb")
    assert result.total == 0 and result.notes == ["could not be graded: RecursionError: maximum recursion depth "
                                                  "exceeded during ast construction"]
    subs = tmp_path / "subs"
    subs.mkdir()
    shutil.copy(SOLUTIONS_DIR / f"{LAB}.ipynb", subs / "ann.ipynb")
    monkeypatch.setattr(grade_module, "grade_notebook", explode)
    monkeypatch.setattr(grade_module, "sandbox_available", lambda: True)
    assert grade_class(LAB, subs, tmp_path / "grades.csv")[0].notes[0].startswith("could not be graded: RecursionError")
    assert (tmp_path / "grades.csv").exists()


def test_grading_refuses_to_run_without_bubblewrap(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(execute_module.shutil, "which", lambda name: None)
    subs = tmp_path / "subs"
    subs.mkdir()
    shutil.copy(SOLUTIONS_DIR / f"{LAB}.ipynb", subs / "ann.ipynb")
    with pytest.raises(SandboxUnavailable, match=r"apt-get install bubblewrap.*--no-sandbox"):
        grade_class(LAB, subs)
    assert main(["grade", LAB, str(subs), "--out", str(tmp_path / "grades.csv")]) == 2
    assert "apt-get install bubblewrap" in capsys.readouterr().err
    assert not (tmp_path / "grades.csv").exists()
    fake = fake_open_session()
    monkeypatch.setattr(grade_module, "open_session", fake)  # --no-sandbox: graded, and it says so
    assert main(["grade", LAB, str(subs), "--out", str(tmp_path / "grades.csv"), "--no-sandbox", "--memory", "2"]) == 0
    rows = list(csv.DictReader((tmp_path / "grades.csv").open()))
    assert rows[0]["total"] == "10" and rows[0]["notes"] == UNSANDBOXED
    assert fake.kwargs["sandbox"] is False and fake.kwargs["limits"].memory == 2 * 2**30


def test_output_paths_are_checked_before_grading(monkeypatch, tmp_path):
    monkeypatch.setattr(grade_module, "grade_notebook", lambda *a, **k: pytest.fail("graded before checking --out"))
    subs = tmp_path / "subs"
    subs.mkdir()
    shutil.copy(SOLUTIONS_DIR / f"{LAB}.ipynb", subs / "ann.ipynb")
    with pytest.raises(FileNotFoundError, match="no folder of submissions"):
        grade_class(LAB, tmp_path / "nobody", tmp_path / "grades.csv")
    with pytest.raises(FileExistsError, match="is a folder"):
        grade_class(LAB, subs, subs)
    with pytest.raises(FileNotFoundError, match="does not exist; create it first"):
        grade_class(LAB, subs, tmp_path / "missing" / "grades.csv")
    with pytest.raises(PermissionError, match="cannot write to /proc"):
        grade_class(LAB, subs, Path("/proc/grades.csv"))
    (tmp_path / "grades_feedback").mkdir()
    with pytest.raises(FileExistsError, match="grades_feedback exists"):
        grade_class(LAB, subs, tmp_path / "grades.csv")
    (tmp_path / "grades.csv").write_text("")
    with pytest.raises(FileExistsError, match="--overwrite"):
        grade_class(LAB, subs, tmp_path / "grades.csv")


def test_write_csv_never_overwrites_without_permission(tmp_path):
    result = GradeResult("ann", {"q1": 2.0, "q2": 0.0}, {"q1": 2.0, "q2": 1.0}, ["note"])
    out = tmp_path / "grades.csv"
    write_csv([result], out)
    assert out.read_text().splitlines() == ["student,q1,q2,total,max,notes", "ann,2,0,2,3,note"]
    with pytest.raises(FileExistsError, match="--overwrite"):
        write_csv([result], out)
    write_csv([result], out, overwrite=True)


def test_feedback_page_says_why_and_escapes_the_submission(tmp_path):
    result = GradeResult("ann", {"q1": 2.0, "q2": 0.0}, {"q1": 2.0, "q2": 1.0},
                         ["test cell q2 was edited (restored for grading)"],
                         details={"q1": "passed", "q2": "failed: Not yet: <script>alert(1)</script>"})
    page = feedback_html(result, LAB)
    assert "Total: 2 / 3" in page and "<td>2 / 2</td><td>passed</td>" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>" not in page
    assert "test cell q2 was edited (restored for grading)" in page
    write_feedback([result], tmp_path / "fb", LAB)
    assert (tmp_path / "fb" / "ann.html").read_text() == page
    with pytest.raises(FileExistsError):
        write_feedback([result], tmp_path / "fb", LAB)
    write_feedback([result], tmp_path / "fb", LAB, overwrite=True)


def test_committed_exercises_are_generated_from_solutions():
    from coursekit.grading import release_all

    assert release_all(SOLUTIONS_DIR, EXERCISES_DIR, check=True) == [], \
        "run: python -m coursekit.grading release"


# ------------------------------------------------------------ real kernels
def test_validate_counts_like_grading_and_says_what_is_missing(tmp_path):
    nb = lab01_class.with_answers({"a1_corr2d": lab01_class.WARNS, "a3_edge_kernel": "raise NotImplementedError()",
                                   "a5_receptive_field": "def receptive_field(sizes):\n    raise NotImplementedError()"})
    nbformat.write(nb, tmp_path / "lab.ipynb")
    ok, report = validate_lab(tmp_path / "lab.ipynb", timeout=30)
    assert not ok
    assert report.splitlines()[:2] == ["4 of 6 questions pass the visible tests (6 of 10 points).",
                                       "2 test cell(s) do not pass yet:"]
    assert ("- q3_edge_kernel: NameError: name 'vertical_edge_kernel' is not defined (not answered yet, "
            "or the answer cell above failed)") in report
    assert "- q5_receptive_field: not answered yet" in report  # the warnings of a1 cost nothing


def test_validate_names_a_library_the_question_does_not_allow(tmp_path):
    nbformat.write(lab01_class.with_answers({"a1_corr2d": lab01_class.SCIPY}), tmp_path / "lab.ipynb")
    ok, report = validate_lab(tmp_path / "lab.ipynb", timeout=30)
    assert not ok and report.splitlines()[0] == "5 of 6 questions pass the visible tests (8 of 10 points)."
    assert "- q1_corr2d: uses SciPy, which this question does not allow (NumPy only)" in report


# ------------------------------------------------------------ real kernels, in the sandbox
def statuses(executed):
    return [c.metadata["coursekit"]["status"] for c in executed.cells]


@needs_sandbox
def test_a_submission_sees_only_what_it_needs(tmp_path):
    other = tmp_path / "subs" / "bob" / f"{LAB}.ipynb"
    other.parent.mkdir(parents=True)
    other.write_text("bob's answers")
    with tempfile.NamedTemporaryFile(dir="/tmp", prefix="host-marker-") as marker:
        run = execute(probes.view_probes(str(REPO_DIR), str(other), Path(marker.name).name), cell_timeout=30)
    seen = probes.probe_results(run.notebook)
    assert seen["git_show"] != "0" and seen["solutions"] == "FileNotFoundError"
    assert seen["repo_listing"] == "['.venv', 'coursekit', 'data']"
    assert seen["host_marker_in_tmp"] == "False" and seen["tmp_listing"] == "[]"
    assert seen["root_home"] in ("FileNotFoundError", "['.pyenv']") and seen["home"] == "True"
    assert seen["other_submission"] == "FileNotFoundError"
    assert seen["data"] == "True" and seen["import_coursekit"] == "coursekit"
    assert seen["write_coursekit"] in ("OSError", "PermissionError") and seen["write_workdir"] == "2"
    assert seen["runner_fds"] == "PermissionError"
    assert run.problem is None and run.sandboxed


@needs_sandbox
def test_the_kernel_answers_at_its_checkpoint_with_data_only():
    nb = probes.notebook("import numpy as np\ndef f(x):\n    x[0] = 9\n    return x * 2\n\ndef slow():\n"
                         "    while True:\n        pass", "", "f = None")
    nb.cells[1].metadata["coursekit_checkpoint"] = "q1"
    with open_session(nb, cell_timeout=3) as session:
        assert session.reach("q1") == {"cell 0": {"status": "ok"}}
        remote = Remote(session)
        x = np.arange(3.0)
        assert np.array_equal(remote.fetch("f")(x), [18, 2, 4]) and x[0] == 0  # it changed its copy only
        assert changes_inputs(remote.fetch("f"), x) and "__coursekit_serve__" not in remote.run("result = list(globals())", {})
        with pytest.raises(NotAnswered, match="'g' is not defined"):
            remote.run("result = g(1)", {})
        with pytest.raises(NotGradable, match="timed out after 3 s"):
            remote.fetch("slow")()
        assert remote.run("result = f(np.ones(2))", {}).tolist() == [18.0, 2.0]  # still answers after a time-out
        session.resume()
        run = session.finish()
    assert run.problem is None and statuses(run.notebook) == ["ok", "checkpoint", "ok"]


@needs_sandbox
def test_hidden_libraries_do_not_exist_in_the_sandbox():
    hidden = frozenset({"scipy", "keras", "tensorflow", "coursekit"})
    run = execute(probes.notebook("import numpy", "import scipy.signal", "import coursekit.ops",
                                  "import importlib.util as u, sys; u.spec_from_file_location('k', "
                                  "sys.prefix + '/lib/python%d.%d/site-packages/keras/__init__.py' % sys.version_info[:2])"
                                  ".loader.load_module()", "import keras; keras.layers"),
                  cell_timeout=20, hide=hidden)
    assert statuses(run.notebook) == ["ok", "error", "error", "error", "error"]
    assert [c.metadata["coursekit"].get("ename") for c in run.notebook.cells[1:]] == \
        ["ImportError", "ImportError", "ImportError", "ImportError"]
    assert run.notebook.cells[4].metadata["coursekit"]["evalue"].startswith("keras is not available here: grading hides")


@needs_sandbox
@pytest.mark.parametrize("silencer", sorted(probes.SILENCERS))
def test_silencing_errors_does_not_pass_a_failing_test(silencer):
    run = execute(probes.notebook(probes.SILENCERS[silencer], probes.FAILING_TEST, "print('still running')"),
                  cell_timeout=20)
    assert statuses(run.notebook) == ["ok", "error", "ok"], run.notebook.cells[1].metadata


@needs_sandbox
def test_a_warning_on_stderr_is_not_an_error():
    run = execute(probes.notebook(probes.WARNING_TEST), cell_timeout=20)
    assert statuses(run.notebook) == ["ok"]
    assert any(o.get("name") == "stderr" for o in run.notebook.cells[0].outputs)


@needs_sandbox
def test_a_loop_ignoring_the_interrupt_times_out_and_ends_the_run():
    start = time.monotonic()
    run = execute(probes.notebook("x = 1", probes.SIGINT_LOOP, "x += 1", "print(x)"), cell_timeout=3)
    assert statuses(run.notebook) == ["ok", "timeout", "not run", "not run"]
    assert "did not answer within 3 s" in run.problem
    assert time.monotonic() - start < 40  # two time limits, not one per remaining cell


@needs_sandbox
@pytest.mark.parametrize("bomb, limits, reason", [
    (probes.MEMORY_HOG, Limits(memory=3 * 2**29), "used more than 1.5 GB of memory"),
    (probes.FORK_BOMB, Limits(tasks=40), "ran 40 processes and threads at once"),
    (probes.THREAD_BOMB, Limits(tasks=40), "ran 40 processes and threads at once"),
], ids=["memory", "fork", "threads"])
def test_limits_stop_the_whole_run_with_a_note(bomb, limits, reason, tmp_path):
    """Graded from a fresh process, so that the largest resident size of its children is this
    run's alone (a pytest worker has run other tests' processes before)."""
    script = (f"import json, resource, sys; sys.path.insert(0, {str(Path(__file__).parent)!r})\n"
              "from coursekit.grading.execute import Limits, execute\n"
              "from grading_fixtures import probes\n"
              f"run = execute(probes.notebook('x = 1', {bomb!r}, 'print(x)'), cell_timeout=60, limits={limits!r})\n"
              "print(json.dumps([run.problem, [c.metadata.get('coursekit', {}).get('status') for c in run.notebook.cells],"
              " resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024]))")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    problem, cell_statuses, largest = json.loads(done.stdout.splitlines()[-1])
    assert reason in problem
    assert cell_statuses == ["ok", "died", "not run"]
    assert largest < limits.memory + 2**30


@needs_sandbox
def test_tensorflow_trains_within_the_default_limits():
    run = execute(probes.notebook(probes.TENSORFLOW), cell_timeout=120)
    assert statuses(run.notebook) == ["ok"] and run.problem is None, run.notebook.cells[0].outputs


@needs_sandbox
def test_a_hostile_class_costs_each_student_only_their_own_points(tmp_path):
    picked = ("s01_correct", "s04_correct_warnings", "s05_wrong_corr2d", "h01_custom_exc", "h02_showtraceback",
              "h03_ast_asserts", "h04_sigint_loop", "h05_git_show", "h06_symlink", "h07_metadata_string",
              "h10_snoop", "h11_input_transformer", "h12_post_run_cell", "h13_overwrites_classmate",
              "h14_patches_comparisons", "h15_calls_reference", "h16_scipy")
    subs = tmp_path / "subs"
    expected = lab01_class.write_class(subs, picked)
    out = tmp_path / "grades.csv"
    results = {r.student: r for r in grade_class(LAB, subs, out, cell_timeout=5, workers=2)}
    rows = {row["student"]: row for row in csv.DictReader(out.open())}
    for student, points in expected.items():
        assert [results[student].scores[q] for q in results[student].max_scores] == points, (student, rows[student])
    assert rows["h04_sigint_loop"]["notes"].startswith("cell a2_convolve2d was interrupted after 5 s (timed out)")
    assert "did not answer within 5 s" in rows["h04_sigint_loop"]["notes"]
    assert rows["h06_symlink"]["notes"] == f"{LAB}.ipynb is a symbolic link (refused, not followed)"
    assert rows["h07_metadata_string"]["notes"].startswith("damaged notebook, repaired for grading")
    assert rows["s04_correct_warnings"]["notes"] == "" and rows["s01_correct"]["notes"] == ""
    assert results["h15_calls_reference"].details["q5_receptive_field"] == \
        "error in your code: NameError: name 'footprint' is not defined"
    assert results["h16_scipy"].details["q1_corr2d"] == "uses SciPy, which this question does not allow (NumPy only)"
    page = (tmp_path / "grades_feedback" / "s05_wrong_corr2d.html").read_text()
    assert "failed: Not yet: a 3x3 input and a 2x2 kernel give a 2x2 output; got shape (2, 2)." not in page
    assert "Not yet: the lecture example should give [[19, 25], [37, 43]]" in page
    assert sorted(p.stem for p in (tmp_path / "grades_feedback").iterdir()) == sorted(expected)
