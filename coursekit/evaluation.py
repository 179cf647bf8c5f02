"""How good is a classifier, in one line each: confusion matrix, ROC curves, most-confused pairs.

Every number comes from scikit-learn (``confusion_matrix``, ``roc_curve``, ``roc_auc_score``);
these helpers only check the inputs, name the classes and draw the figures, so any lesson can
show its model's mistakes without repeating plotting code.

Example
-------
>>> import numpy as np
>>> y_true, y_pred = np.array([0, 0, 1, 1, 2]), np.array([0, 1, 1, 1, 0])
>>> most_confused(y_true, y_pred, class_names=["a", "b", "c"])
  true predicted  count
0    a         b      1
1    c         a      1
"""
from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from sklearn.metrics import auc, confusion_matrix, roc_curve
from sklearn.preprocessing import label_binarize

from coursekit.arrays import to_numpy

__all__ = ["plot_confusion_matrix", "plot_roc", "most_confused"]

NORMALIZE = (None, "true", "pred", "all")


def _labels(y, what: str) -> np.ndarray:
    y = to_numpy(y, what)
    if y.ndim != 1:
        raise ValueError(f"{what} must be one class number per example, shape (n,); got shape {y.shape}.")
    if not np.issubdtype(y.dtype, np.integer):
        raise TypeError(f"{what} must hold integer class numbers, got dtype {y.dtype}; "
                        "for probabilities take .argmax(axis=1) first.")
    return y


def _label_pair(y_true, y_pred) -> tuple[np.ndarray, np.ndarray]:
    y_true, y_pred = _labels(y_true, "y_true"), _labels(y_pred, "y_pred")
    if len(y_true) != len(y_pred):
        raise ValueError(f"{len(y_true)} true labels but {len(y_pred)} predictions.")
    return y_true, y_pred


def _classes(y_true, y_pred, class_names: Sequence[str] | None) -> list[str]:
    n = int(max(y_true.max(initial=0), y_pred.max(initial=0))) + 1
    if class_names is None:
        return [str(c) for c in range(n)]
    if len(class_names) < n:
        raise ValueError(f"{len(class_names)} class names for class numbers up to {n - 1}.")
    return list(class_names)


def plot_confusion_matrix(y_true, y_pred, class_names: Sequence[str] | None = None, *, normalize: str | None = None,
                          ax=None, title: str | None = None, cmap: str = "Blues"):
    """A seaborn heatmap of the confusion matrix: rows are true classes, columns predictions.

    ``normalize=None`` shows counts; ``"true"`` divides each row by its total (the diagonal is
    then each class's recall), ``"pred"`` each column (precision), ``"all"`` the whole matrix.
    Returns the matrix as a labelled DataFrame.

    >>> import numpy as np
    >>> plot_confusion_matrix(np.array([0, 1, 1]), np.array([0, 1, 0])).values.tolist()
    [[1, 0], [1, 1]]
    """
    if normalize not in NORMALIZE:
        raise ValueError(f"normalize must be one of {NORMALIZE}, got {normalize!r}.")
    y_true, y_pred = _label_pair(y_true, y_pred)
    names = _classes(y_true, y_pred, class_names)
    matrix = confusion_matrix(y_true, y_pred, labels=range(len(names)), normalize=normalize)
    frame = pd.DataFrame(matrix, index=names, columns=names)
    if ax is None:
        size = 1.2 + 0.45 * len(names)
        _, ax = plt.subplots(figsize=(size + 1, size))
    sns.heatmap(frame, annot=True, fmt=".2f" if normalize else "d", cmap=cmap, cbar=False, square=True, ax=ax,
                annot_kws={"fontsize": 7 if len(names) > 5 else 10})
    ax.set(xlabel="predicted", ylabel="true", title=title or ("confusion matrix" + (f" (normalised over {normalize})"
                                                                                    if normalize else "")))
    return frame


def plot_roc(y_true, probabilities, class_names: Sequence[str] | None = None, *, ax=None, title: str | None = None):
    """ROC curves, one-vs-rest for every class (or one curve for a binary problem with one score
    column), each labelled with its AUC. Returns ``{class name: AUC}``.

    >>> import numpy as np
    >>> plot_roc(np.array([0, 0, 1, 1]), np.array([0.1, 0.4, 0.35, 0.8]))
    {'1': 0.75}
    """
    y_true = _labels(y_true, "y_true")
    scores = to_numpy(probabilities, "probabilities").astype(float)
    if scores.ndim == 1 or (scores.ndim == 2 and scores.shape[1] == 1):
        scores, binary = scores.reshape(-1, 1), True
    elif scores.ndim == 2:
        binary = False
    else:
        raise ValueError(f"probabilities must have shape (n,) or (n, classes); got {scores.shape}.")
    if len(scores) != len(y_true):
        raise ValueError(f"{len(y_true)} labels but {len(scores)} rows of scores.")
    if binary:
        names = [class_names[1] if class_names else "1"]
        truth = (y_true == 1).astype(int).reshape(-1, 1)
    else:
        names = list(class_names) if class_names is not None else [str(c) for c in range(scores.shape[1])]
        if len(names) != scores.shape[1]:
            raise ValueError(f"{len(names)} class names for {scores.shape[1]} score columns.")
        truth = label_binarize(y_true, classes=range(scores.shape[1]))
    if ax is None:
        _, ax = plt.subplots(figsize=(4.8, 4.2))
    areas = {}
    for k, name in enumerate(names):
        if truth[:, k].min() == truth[:, k].max():
            raise ValueError(f"class {name!r} has {'no' if truth[:, k].max() == 0 else 'only'} positive examples; "
                             "a ROC curve needs both.")
        fpr, tpr, _ = roc_curve(truth[:, k], scores[:, k])
        areas[name] = float(auc(fpr, tpr))
        ax.plot(fpr, tpr, lw=1.2, label=f"{name} (AUC {areas[name]:.3f})")
    ax.plot([0, 1], [0, 1], ls=":", color="gray", lw=1)
    ax.set(xlabel="false positive rate (1 - specificity)", ylabel="true positive rate (recall)",
           title=title or "ROC", xlim=(0, 1), ylim=(0, 1.01))
    ax.legend(fontsize=7, loc="lower right")
    return areas


def most_confused(y_true, y_pred, class_names: Sequence[str] | None = None, k: int = 5) -> pd.DataFrame:
    """The ``k`` most frequent mistakes as (true class, predicted class, count), largest first."""
    y_true, y_pred = _label_pair(y_true, y_pred)
    names = _classes(y_true, y_pred, class_names)
    matrix = confusion_matrix(y_true, y_pred, labels=range(len(names)))
    np.fill_diagonal(matrix, 0)
    pairs = [(names[t], names[p], int(matrix[t, p])) for t, p in zip(*np.nonzero(matrix))]
    pairs.sort(key=lambda pair: -pair[2])
    return pd.DataFrame(pairs[:k], columns=["true", "predicted", "count"])
