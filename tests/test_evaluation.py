"""coursekit.evaluation: figures and tables around scikit-learn's metrics, inputs checked."""
import matplotlib

matplotlib.use("Agg")
import ml_dtypes
import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from coursekit.evaluation import most_confused, plot_confusion_matrix, plot_roc

RNG = np.random.default_rng(0)
Y_TRUE = RNG.integers(0, 4, 300)
Y_PRED = np.where(RNG.random(300) < 0.7, Y_TRUE, RNG.integers(0, 4, 300))


def test_confusion_matrix_counts_every_pair():
    frame = plot_confusion_matrix(Y_TRUE, Y_PRED, ["a", "b", "c", "d"])
    expected = np.zeros((4, 4), int)
    np.add.at(expected, (Y_TRUE, Y_PRED), 1)
    assert frame.values.tolist() == expected.tolist()
    assert list(frame.index) == list(frame.columns) == ["a", "b", "c", "d"]


def test_normalised_rows_are_recalls():
    frame = plot_confusion_matrix(Y_TRUE, Y_PRED, normalize="true")
    assert np.allclose(frame.values.sum(axis=1), 1)
    recall_of_0 = np.mean(Y_PRED[Y_TRUE == 0] == 0)
    assert frame.values[0, 0] == pytest.approx(recall_of_0)


@pytest.mark.parametrize("bad, error, words", [
    (dict(y_pred=Y_PRED.astype(float)), TypeError, "integer class numbers"),
    (dict(y_pred=Y_PRED[:-1]), ValueError, "299 predictions"),
    (dict(normalize="rows"), ValueError, "normalize must be one of"),
    (dict(class_names=["a", "b"]), ValueError, "2 class names"),
])
def test_confusion_matrix_rejects_bad_input(bad, error, words):
    args = dict(y_true=Y_TRUE, y_pred=Y_PRED) | bad
    with pytest.raises(error, match=words):
        plot_confusion_matrix(**args)


def test_roc_areas_match_scikit_learn_one_vs_rest():
    scores = RNG.dirichlet(np.ones(4), 300) + np.eye(4)[Y_TRUE] * 0.3
    areas = plot_roc(Y_TRUE, scores, ["a", "b", "c", "d"])
    for k, name in enumerate("abcd"):
        assert areas[name] == pytest.approx(roc_auc_score(Y_TRUE == k, scores[:, k]))


def test_binary_roc_and_a_class_without_positives():
    y = np.array([0, 1, 0, 1, 1])
    s = np.array([0.2, 0.9, 0.6, 0.4, 0.8])
    assert plot_roc(y, s) == {"1": pytest.approx(roc_auc_score(y, s))}
    with pytest.raises(ValueError, match="no positive examples"):
        plot_roc(np.zeros(4, int), np.ones((4, 2)) / 2)


def test_most_confused_orders_mistakes_by_count():
    y_true = np.array([0, 0, 0, 1, 1, 2])
    y_pred = np.array([1, 1, 0, 0, 1, 1])
    table = most_confused(y_true, y_pred, ["x", "y", "z"], k=2)
    assert table.values.tolist() == [["x", "y", 2], ["y", "x", 1]]


@pytest.mark.parametrize("dtype", [pytest.param(ml_dtypes.bfloat16, id="bfloat16"), pytest.param(np.float16, id="float16")])
def test_evaluation_takes_mixed_precision_outputs(dtype):
    """Probabilities from a mixed-precision model give the same AUCs as their float64 values."""
    rng = np.random.default_rng(1)
    y_true = np.arange(60) % 3
    probabilities = rng.dirichlet(np.ones(3), 60).astype(dtype)
    scores = probabilities.astype(np.float64)
    expected = [roc_auc_score(y_true == k, scores[:, k]) for k in range(3)]
    areas = plot_roc(y_true, probabilities, ["a", "b", "c"])
    np.testing.assert_allclose(list(areas.values()), expected)
    y_pred = probabilities.argmax(axis=1)
    assert plot_confusion_matrix(y_true, y_pred).values.sum() == 60
    assert most_confused(y_true, y_pred, k=9)["count"].sum() == int((y_true != y_pred).sum())
    with pytest.raises(TypeError, match="y_pred must hold integer class numbers"):
        plot_confusion_matrix(y_true, probabilities[:, 0])
