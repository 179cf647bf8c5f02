"""Grading glue without running kernels: exercise generation, test restoration, submissions, CSV."""
import copy

import nbformat
import pytest

from coursekit.grading import EXERCISES_DIR, SOLUTIONS_DIR, lab_names, make_exercise, questions
from coursekit.grading.grade import GradeResult, find_submissions, write_csv
from coursekit.grading.labs import grade_id, is_test_cell
from coursekit.grading.restore import restore_tests

LAB = "lab01_cross_correlation"


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


def test_write_csv_never_overwrites_without_permission(tmp_path):
    result = GradeResult("ann", {"q1": 2.0, "q2": 0.0}, {"q1": 2.0, "q2": 1.0}, ["note"])
    out = tmp_path / "grades.csv"
    write_csv([result], out)
    assert out.read_text().splitlines() == ["student,q1,q2,total,max,notes", "ann,2,0,2,3,note"]
    with pytest.raises(FileExistsError, match="--overwrite"):
        write_csv([result], out)
    write_csv([result], out, overwrite=True)


def test_committed_exercises_are_generated_from_solutions():
    from coursekit.grading import release_all

    assert release_all(SOLUTIONS_DIR, EXERCISES_DIR, check=True) == [], \
        "run: python -m coursekit.grading release"
