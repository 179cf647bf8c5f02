"""Figures for lesson 15 (what a trained CNN looks at): heat maps over images, patch grids.

The lesson computes saliency, Grad-CAM, occlusion and the receptive fields itself; this module
only draws them. A heat map of any resolution (a 7x7 Grad-CAM, a 12x12 occlusion grid, a 28x28
saliency map) is stretched over its image with bilinear interpolation, so maps of different
sizes can be compared side by side without resampling them first.

Example
-------
>>> import numpy as np
>>> fig = show_overlays(np.zeros((2, 28, 28)), [np.eye(7), np.ones((12, 12))], titles=["a", "b"])
>>> len(fig.axes)
2
"""
from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np

from coursekit.arrays import to_numpy
from coursekit.plots import _grid


def _as_image(image, what: str) -> np.ndarray:
    """A 2-D grayscale image from (H, W) or (H, W, 1)."""
    array = to_numpy(image, what)
    if array.ndim == 3 and array.shape[-1] == 1:
        array = array[..., 0]
    if array.ndim != 2:
        raise ValueError(f"{what} should be a grayscale image (H, W) or (H, W, 1), got shape {array.shape}.")
    return array


def overlay(ax, image, heat, *, alpha: float = 0.55, cmap: str = "jet", title: str | None = None,
            symmetric: bool = False, limits: tuple[float, float] | None = None) -> None:
    """Draw ``image`` in gray on ``ax`` with ``heat`` (any H', W') stretched over it.

    The colour scale spans the heat map's own range, or ``limits`` (so that several maps can
    share one scale). ``symmetric=True`` centres it on zero (for maps with signs, like an
    occlusion map where occluding can also raise the probability) with a diverging colour map.
    """
    picture, heat = _as_image(image, "image"), _as_image(heat, "heat map")
    height, width = picture.shape
    ax.imshow(picture, cmap="gray", vmin=0, vmax=max(1.0, float(picture.max())))
    extent = (-0.5, width - 0.5, height - 0.5, -0.5)
    if symmetric:
        bound = float(np.abs(heat).max()) or 1.0
        ax.imshow(heat, cmap="RdBu_r", vmin=-bound, vmax=bound, alpha=alpha, extent=extent,
                  interpolation="bilinear")
    else:
        low, high = limits if limits is not None else (None, None)
        ax.imshow(heat, cmap=cmap, alpha=alpha, extent=extent, interpolation="bilinear", vmin=low, vmax=high)
    ax.set_axis_off()
    if title is not None:
        ax.set_title(title)


def show_overlays(images, heats, *, titles: Sequence[str] | None = None, ncols: int = 6,
                  cell: float = 1.6, symmetric: bool = False, suptitle: str | None = None):
    """One panel per image with its heat map on top (:func:`overlay`); returns the Figure.

    >>> show_overlays(np.zeros((1, 4, 4)), [np.ones((2, 2)), np.ones((2, 2))])
    Traceback (most recent call last):
    ...
    ValueError: 1 images but 2 heat maps; give one heat map per image.
    """
    images, heats = list(images), list(heats)
    if len(images) != len(heats):
        raise ValueError(f"{len(images)} images but {len(heats)} heat maps; give one heat map per image.")
    if titles is not None and len(titles) != len(images):
        raise ValueError(f"{len(images)} images but {len(titles)} titles.")
    fig, axes = _grid(len(images), ncols, cell)
    for index, (ax, image, heat) in enumerate(zip(axes, images, heats)):
        overlay(ax, image, heat, symmetric=symmetric, title=None if titles is None else titles[index])
    if suptitle:
        fig.suptitle(suptitle)
    fig.tight_layout()
    return fig


def show_rows(rows: Sequence[Sequence], *, row_titles: Sequence[str] | None = None,
              col_titles: Sequence[str] | None = None, cell: float = 1.0, cmap: str = "gray",
              heats: Sequence[Sequence] | None = None,
              heat_limits: Sequence[tuple[float, float] | None] | None = None):
    """A table of small images: ``rows[r][c]`` in row ``r``, column ``c`` (e.g. the top patches
    of one unit per row). Row titles go on the left, column titles on top; ``heats`` (same
    layout, or None entries) are overlaid where given, each on its own colour scale or on
    ``heat_limits[c]`` (one ``(low, high)`` or None per column). Each image keeps its own gray scale.

    >>> fig = show_rows([[np.zeros((3, 3))] * 4] * 2, row_titles=["unit 0", "unit 1"])
    >>> len(fig.axes)
    8
    >>> show_rows([[np.zeros((3, 3))], []])
    Traceback (most recent call last):
    ...
    ValueError: every row needs the same number of images, got [1, 0].
    """
    lengths = [len(row) for row in rows]
    if not rows or len(set(lengths)) != 1 or lengths[0] == 0:
        raise ValueError(f"every row needs the same number of images, got {lengths}.")
    if row_titles is not None and len(row_titles) != len(rows):
        raise ValueError(f"{len(rows)} rows but {len(row_titles)} row titles.")
    nrows, ncols = len(rows), lengths[0]
    fig, axes = plt.subplots(nrows, ncols, figsize=(cell * ncols + 0.8 * (row_titles is not None), cell * nrows + 0.2),
                             squeeze=False)
    for r in range(nrows):
        for c in range(ncols):
            ax = axes[r, c]
            heat = None if heats is None else heats[r][c]
            if heat is None:
                ax.imshow(_as_image(rows[r][c], "image"), cmap=cmap)
                ax.set_xticks([]), ax.set_yticks([])
            else:
                overlay(ax, rows[r][c], heat, limits=None if heat_limits is None else heat_limits[c])
            if c == 0 and row_titles is not None:
                ax.set_axis_on(), ax.set_xticks([]), ax.set_yticks([])
                ax.set_ylabel(row_titles[r], rotation=0, ha="right", va="center")
            if r == 0 and col_titles is not None:
                ax.set_title(col_titles[c])
            for spine in ax.spines.values():
                spine.set_visible(False)
    fig.tight_layout()
    return fig
