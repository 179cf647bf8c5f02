"""Figures for the lessons: image grids, small matrices side by side, kernels, feature maps,
training curves. Every function returns the matplotlib ``Figure`` and keeps it small, so it
renders inline in JupyterLab and as a PNG in the static course site.

Example
-------
>>> import numpy as np
>>> fig = show_matrices(("Input", np.arange(9).reshape(3, 3)), ("Kernel", np.eye(2)), symbols="*")
>>> len(fig.axes)
2
"""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import MaxNLocator
import seaborn as sns

from coursekit.arrays import to_numpy

FIG_DPI = 80  # the size figures show at; notebooks store them at twice the pixels (retina)


def use_style() -> None:
    """The course's plotting style: seaborn's clean theme, small figures, readable fonts, and in
    a notebook PNGs at twice the resolution they show at (sharp on high-density screens)."""
    sns.set_theme(context="notebook", style="white", font_scale=0.9)
    plt.rcParams.update({"figure.dpi": FIG_DPI, "savefig.dpi": FIG_DPI,
                         "figure.figsize": (6.0, 3.5), "image.cmap": "gray",
                         "axes.titlesize": "medium"})
    try:
        from IPython import get_ipython
        from matplotlib_inline.backend_inline import set_matplotlib_formats
    except ImportError:  # no notebook: nothing to set
        return
    if get_ipython() is not None:
        set_matplotlib_formats("retina")


def _grid(n: int, ncols: int, cell: float = 1.3, title_space: float = 0.3):
    ncols = max(1, min(ncols, n))
    nrows = math.ceil(n / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(cell * ncols, (cell + title_space) * nrows),
                             squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    return fig, axes.flat


def show_images(images, labels: Sequence | None = None, class_names: Sequence[str] | None = None,
                *, titles: Sequence[str] | None = None, ncols: int = 8, cmap: str = "gray",
                cell: float = 1.3, suptitle: str | None = None):
    """A grid of images (N, H, W) or (N, H, W, C), titled by label, class name or ``titles``.

    Grayscale images with a trailing channel of 1 are shown as 2-D. uint8 images are shown on
    0..255, float images on [0, 1] when they lie in it (so a flat image looks flat and tiny
    rounding noise stays black), otherwise on their own range.
    """
    images = [to_numpy(im, f"image {i}") for i, im in enumerate(images)]
    if labels is not None and len(labels) != len(images):
        raise ValueError(f"{len(images)} images but {len(labels)} labels.")
    if titles is not None and len(titles) != len(images):
        raise ValueError(f"{len(images)} images but {len(titles)} titles.")
    fig, axes = _grid(len(images), ncols, cell)
    for i, (ax, image) in enumerate(zip(axes, images)):
        if image.ndim == 3 and image.shape[-1] == 1:
            image = image[..., 0]
        if image.ndim not in (2, 3):
            raise ValueError(f"image {i} has shape {image.shape}; expected (H, W) or (H, W, C).")
        limits = {}
        if image.ndim == 2 and image.dtype == np.uint8:
            limits = {"vmin": 0, "vmax": 255}
        elif image.ndim == 2 and 0.0 <= float(image.min()) and float(image.max()) <= 1.0:
            limits = {"vmin": 0.0, "vmax": 1.0}  # a flat or faint image stays flat or faint
        ax.imshow(image, cmap=cmap if image.ndim == 2 else None, **limits)
        if titles is not None:
            ax.set_title(titles[i])
        elif labels is not None:
            label = labels[i]
            ax.set_title(class_names[int(label)] if class_names is not None else str(label))
    if suptitle:
        fig.suptitle(suptitle)
    fig.tight_layout()
    return fig


def show_predictions(images, y_true, y_pred, class_names: Sequence[str] | None = None, *,
                     probabilities=None, ncols: int = 8, cell: float = 1.3, suptitle: str | None = None):
    """Images titled with the predicted class (and its probability, if given), the true class
    underneath when the prediction is wrong; wrong titles are red.

    ``probabilities`` is the (N, classes) output of a softmax model; ``y_pred`` its argmax.
    """
    y_true, y_pred = to_numpy(y_true, "y_true"), to_numpy(y_pred, "y_pred")
    if probabilities is not None:
        probabilities = to_numpy(probabilities, "probabilities")
    if not len(images) == len(y_true) == len(y_pred):
        raise ValueError(f"{len(images)} images, {len(y_true)} true labels and {len(y_pred)} predictions; "
                         "they must match.")
    name = (lambda c: class_names[int(c)]) if class_names is not None else (lambda c: str(int(c)))
    titles = []
    for i, (true, pred) in enumerate(zip(y_true, y_pred)):
        title = name(pred) + (f" {float(probabilities[i][int(pred)]):.0%}" if probabilities is not None else "")
        titles.append(title if true == pred else f"{title}\n(is {name(true)})")
    fig = show_images(images, titles=titles, ncols=ncols, cell=cell, suptitle=suptitle)
    for ax, true, pred in zip(fig.axes, y_true, y_pred):
        ax.title.set_color("black" if true == pred else "tab:red")
    return fig


def show_matrices(*named: tuple[str, np.ndarray], symbols: str | Sequence[str] = "",
                  fmt: str = "g", cell: float = 0.45):
    """Small matrices side by side as annotated heatmaps, e.g. input, kernel and output.

    ``symbols`` are drawn between consecutive matrices (e.g. ``("⋆", "=")``).
    """
    if not named:
        raise ValueError("give at least one (name, matrix) pair.")
    mats = [np.atleast_2d(to_numpy(m, name)) for name, m in named]
    for (name, _), m in zip(named, mats):
        if m.ndim != 2:
            raise ValueError(f"{name} must be a 2-D matrix, got shape {m.shape}.")
    widths = [m.shape[1] for m in mats]
    height = max(m.shape[0] for m in mats)
    fig, axes = plt.subplots(1, len(mats), figsize=(cell * (sum(widths) + 1.2 * len(mats)),
                                                      cell * height + 0.7),
                             gridspec_kw={"width_ratios": widths, "wspace": 0.5}, squeeze=False)
    symbols = list(symbols) + [""] * len(mats)
    for i, (ax, (name, _), m) in enumerate(zip(axes.flat, named, mats)):
        sns.heatmap(m, annot=True, fmt=fmt, cbar=False, square=True, linewidths=0.5,
                    linecolor="white", cmap="Blues", ax=ax, annot_kws={"size": 9})
        ax.set_title(name)
        ax.set_xticks([])
        ax.set_yticks([])
        if i < len(mats) - 1 and symbols[i]:
            ax.annotate(symbols[i], xy=(1.0, 0.5), xycoords="axes fraction", xytext=(6, 0),
                        textcoords="offset points", fontsize=16, va="center")
    return fig


def show_kernels(kernels, *, ncols: int = 8, titles: Sequence[str] | None = None, cell: float = 1.0):
    """Kernels in Keras layout (k_h, k_w, c_in, c_out) or a list of 2-D kernels, one panel each.

    A diverging colour map centred on zero shows positive weights in red and negative in blue;
    for Keras weights the first input channel of every output channel is drawn.
    """
    array = to_numpy(kernels, "kernels") if not isinstance(kernels, (list, tuple)) else None
    if array is not None and array.ndim == 4:
        panels = [array[:, :, 0, j] for j in range(array.shape[-1])]
    else:
        panels = [to_numpy(k, f"kernel {i}") for i, k in enumerate(kernels)]
    if any(p.ndim != 2 for p in panels):
        raise ValueError("expected Keras kernels (k_h, k_w, c_in, c_out) or a list of 2-D kernels.")
    fig, axes = _grid(len(panels), ncols, cell)
    for i, (ax, k) in enumerate(zip(axes, panels)):
        bound = float(np.abs(k).max()) or 1.0
        ax.imshow(k, cmap="RdBu_r", vmin=-bound, vmax=bound)
        ax.set_title(titles[i] if titles is not None else f"#{i}")
    fig.tight_layout()
    return fig


def show_feature_maps(maps, *, ncols: int = 8, cell: float = 1.2, cmap: str = "viridis",
                      titles: Sequence[str] | None = None):
    """The channels of one feature map (H, W, C) (or (1, H, W, C)) as a grid of images,
    titled ``channel c`` or by ``titles``."""
    maps = to_numpy(maps, "feature maps")
    if maps.ndim == 4 and maps.shape[0] == 1:
        maps = maps[0]
    if maps.ndim != 3:
        raise ValueError(f"expected a feature map (H, W, C) or (1, H, W, C), got {maps.shape}.")
    if titles is not None and len(titles) != maps.shape[-1]:
        raise ValueError(f"{maps.shape[-1]} channels but {len(titles)} titles.")
    fig, axes = _grid(maps.shape[-1], ncols, cell)
    for c, ax in zip(range(maps.shape[-1]), axes):
        ax.imshow(maps[..., c], cmap=cmap)
        ax.set_title(titles[c] if titles is not None else f"channel {c}")
    fig.tight_layout()
    return fig


def _logs(history) -> Mapping[str, Sequence[float]]:
    """The per-epoch metrics dict of a ``train.fit`` result, a Keras ``History`` or the dict itself."""
    while not isinstance(history, Mapping) and hasattr(history, "history"):
        history = history.history
    if not isinstance(history, Mapping):
        raise TypeError(f"expected a training result, a keras History or a dict of metric lists, got {type(history).__name__}")
    return history


def plot_history(history, *, metrics: Sequence[str] = ("loss", "accuracy"), title: str | None = None):
    """Training curves from a Keras ``History`` (or its ``.history`` dict): one panel per metric,
    training and validation (``val_`` keys) on the same axes, epochs counted from 1."""
    logs = _logs(history)
    present = [m for m in metrics if m in logs]
    if not present:
        raise ValueError(f"none of {list(metrics)} in the history; it has {sorted(logs)}.")
    fig, axes = plt.subplots(1, len(present), figsize=(3.6 * len(present), 2.8), squeeze=False)
    for ax, metric in zip(axes.flat, present):
        epochs = np.arange(1, len(logs[metric]) + 1)
        ax.plot(epochs, logs[metric], marker="o", label="train")
        if f"val_{metric}" in logs:
            ax.plot(epochs, logs[f"val_{metric}"], marker="o", label="validation")
        ax.set_xlabel("epoch")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_title(metric)
        ax.legend()
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def compare_histories(runs: Mapping[str, object], *, metrics: Sequence[str] = ("loss", "val_accuracy"),
                      title: str | None = None):
    """Several training runs side by side: one panel per metric, one line per run.

    ``runs`` maps a label to a ``train.fit`` result, a Keras ``History`` or a dict of metric
    lists. Every run must have every metric, so that no curve silently goes missing.

    >>> fig = compare_histories({"plain": {"loss": [2.0, 1.5]}, "residual": {"loss": [1.8, 0.9]}}, metrics=["loss"])
    >>> [line.get_label() for line in fig.axes[0].lines]
    ['plain', 'residual']
    """
    logs = {label: _logs(run) for label, run in runs.items()}
    if not logs:
        raise ValueError("no runs to compare; pass a dict like {'plain': result_a, 'residual': result_b}.")
    for label, log in logs.items():
        missing = [m for m in metrics if m not in log]
        if missing:
            raise ValueError(f"run {label!r} has no {missing}; it has {sorted(log)}.")
    fig, axes = plt.subplots(1, len(metrics), figsize=(3.6 * len(metrics), 2.8), squeeze=False)
    for ax, metric in zip(axes.flat, metrics):
        for label, log in logs.items():
            epochs = np.arange(1, len(log[metric]) + 1)
            ax.plot(epochs, log[metric], marker="o", label=label)
        ax.set(xlabel="epoch", title=metric.replace("val_", "validation ").replace("_", " "))
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.flat[0].legend()
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig
