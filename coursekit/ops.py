"""From-scratch NumPy versions of the operations the lessons build, in one place.

Lessons derive each operation, then use these functions; graders use them as the reference.
Later lessons add multi-channel cross-correlation and pooling here.

Example
-------
>>> X = np.arange(9.0).reshape(3, 3)
>>> K = np.array([[0.0, 1.0], [2.0, 3.0]])
>>> corr2d(X, K)
array([[19., 25.],
       [37., 43.]])
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Union

import numpy as np

from coursekit.shapes import IntOrPair, ShapeError, conv_output_size

PerSide = Union[int, Sequence[int]]


def _as_matrix(x, name: str) -> np.ndarray:
    """Return ``x`` as a 2-D float array, or raise a clear error saying what was expected."""
    array = np.asarray(x)
    if array.dtype == object or not (
        np.issubdtype(array.dtype, np.number) or array.dtype == bool
    ):
        raise TypeError(f"{name} must hold numbers, got dtype {array.dtype}.")
    if np.iscomplexobj(array):
        raise TypeError(f"{name} must be real-valued, got dtype {array.dtype}.")
    if array.ndim != 2:
        raise ShapeError(
            f"{name} must be a 2-D matrix (height, width), got shape {array.shape}. "
            "For images with channels, pass one channel at a time."
        )
    if 0 in array.shape:
        raise ShapeError(f"{name} is empty: shape {array.shape}.")
    return array.astype(np.result_type(array.dtype, np.float32), copy=False)


def _padding_per_side(padding: PerSide) -> tuple[int, int, int, int]:
    """Normalise padding to (top, bottom, left, right)."""
    if isinstance(padding, (int, np.integer)):
        values = (int(padding),) * 4
    else:
        values = tuple(int(p) for p in padding)
        if len(values) == 2:  # (rows on each side, columns on each side)
            values = (values[0], values[0], values[1], values[1])
        elif len(values) != 4:
            raise ShapeError(
                "padding must be an int, (rows, columns) per side, or (top, bottom, left, "
                f"right); got {padding!r}."
            )
    if min(values) < 0:
        raise ShapeError(f"padding must be >= 0, got {padding!r}.")
    return values  # type: ignore[return-value]


def pad2d(X, padding: PerSide, value: float = 0.0) -> np.ndarray:
    """Surround a matrix with ``value``: ``padding`` is per side (int, (rows, cols) or 4 values).

    >>> pad2d(np.ones((1, 2)), 1)
    array([[0., 0., 0., 0.],
           [0., 1., 1., 0.],
           [0., 0., 0., 0.]])
    """
    top, bottom, left, right = _padding_per_side(padding)
    return np.pad(_as_matrix(X, "X"), ((top, bottom), (left, right)), constant_values=value)


def corr2d(X, K, stride: IntOrPair = 1, padding: PerSide = 0) -> np.ndarray:
    """2-D cross-correlation ``Y[i, j] = sum_{a,b} X[i*s_h + a, j*s_w + b] * K[a, b]``.

    ``X`` is (height, width), ``K`` is (k_h, k_w); ``padding`` zeros are added per side first.
    The loop runs over the k_h * k_w kernel positions, each adding a shifted, strided view of
    the input times one kernel weight, which gives the same numbers as the textbook double loop
    over output positions but fast enough for photos.

    >>> corr2d(np.arange(9.0).reshape(3, 3), np.array([[0, 1], [2, 3]]), stride=(3, 2), padding=1)
    array([[0., 8.],
           [6., 8.]])
    """
    X = _as_matrix(X, "input X")
    K = _as_matrix(K, "kernel K")
    top, bottom, left, right = _padding_per_side(padding)
    # Validates stride and kernel size with the course's messages and gives the output size.
    if (top, left) == (bottom, right):
        out_h, out_w = conv_output_size(X.shape, K.shape, stride, (top, left))
    else:
        out_h, out_w = conv_output_size((X.shape[0] + top + bottom, X.shape[1] + left + right),
                                        K.shape, stride)
    s_h, s_w = (stride, stride) if isinstance(stride, (int, np.integer)) else stride
    X = np.pad(X, ((top, bottom), (left, right)))
    k_h, k_w = K.shape
    Y = np.zeros((out_h, out_w), dtype=np.result_type(X, K))
    for a in range(k_h):
        for b in range(k_w):
            window = X[a : a + s_h * (out_h - 1) + 1 : s_h, b : b + s_w * (out_w - 1) + 1 : s_w]
            Y += K[a, b] * window
    return Y


def conv2d(X, K, stride: IntOrPair = 1, padding: PerSide = 0) -> np.ndarray:
    """True (flipped-kernel) 2-D convolution: cross-correlation with ``K`` rotated by 180 degrees.

    >>> conv2d(np.arange(9.0).reshape(3, 3), np.array([[0, 1], [2, 3]]))
    array([[ 5., 11.],
           [23., 29.]])
    """
    return corr2d(X, np.flip(_as_matrix(K, "kernel K")), stride, padding)
