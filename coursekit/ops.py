"""From-scratch NumPy versions of the operations the lessons build, in one place.

Lessons derive each operation, then use these functions; graders use them as the reference.
Images with channels are channels-first here, ``(channels, height, width)``, as in the
formulas; Keras is channels-last, ``(height, width, channels)``.

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

from coursekit.shapes import IntOrPair, ShapeError, conv_output_size, transposed_conv_output_size

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


def dilate_kernel(K, dilation: int) -> np.ndarray:
    """Spread a kernel's weights ``dilation`` cells apart, zeros in between: k wide becomes d(k-1)+1.

    >>> dilate_kernel(np.array([[1, 2], [3, 4]]), 2)
    array([[1., 0., 2.],
           [0., 0., 0.],
           [3., 0., 4.]])
    """
    K = _as_matrix(K, "kernel K")
    if not isinstance(dilation, (int, np.integer)) or isinstance(dilation, bool) or dilation < 1:
        raise ShapeError(f"dilation must be a positive int, got {dilation!r}.")
    k_h, k_w = K.shape
    dilated = np.zeros((dilation * (k_h - 1) + 1, dilation * (k_w - 1) + 1), dtype=K.dtype)
    dilated[::dilation, ::dilation] = K
    return dilated


def corr2d(X, K, stride: IntOrPair = 1, padding: PerSide = 0, dilation: int = 1) -> np.ndarray:
    """2-D cross-correlation ``Y[i, j] = sum_{a,b} X[i*s_h + a, j*s_w + b] * K[a, b]``.

    ``X`` is (height, width), ``K`` is (k_h, k_w); ``padding`` zeros are added per side first.
    With ``dilation`` d the kernel's weights sit d apart (``X[i*s_h + d*a, j*s_w + d*b]``), which is
    the same as correlating with :func:`dilate_kernel` ``(K, d)``.
    The loop runs over the k_h * k_w kernel positions, each adding a shifted, strided view of
    the input times one kernel weight, which gives the same numbers as the textbook double loop
    over output positions but fast enough for photos.

    >>> corr2d(np.arange(9.0).reshape(3, 3), np.array([[0, 1], [2, 3]]), stride=(3, 2), padding=1)
    array([[0., 8.],
           [6., 8.]])
    """
    X = _as_matrix(X, "input X")
    K = dilate_kernel(K, dilation)
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


def conv_transpose2d(X, K, stride: IntOrPair = 1, padding: IntOrPair = 0, dilation: int = 1,
                     output_padding: IntOrPair = 0) -> np.ndarray:
    """Transposed convolution: every input cell adds its value times the kernel to the output.

    Cell ``(i, j)`` adds ``X[i, j] * K`` at rows ``i*s_h ...``, columns ``j*s_w ...`` of a
    ``((n_h-1) s_h + d(k_h-1) + 1) x ...`` grid; then ``padding`` rows/columns are cut from each
    side and ``output_padding`` (0 to ``s - 1``) given back at the bottom/right, so the output side
    is ``(n - 1) s - 2p + d(k - 1) + 1 + output_padding``: PyTorch's ``ConvTranspose2d`` with
    these arguments, and ``keras.layers.Conv2DTranspose`` with ``padding="valid"`` and this
    ``output_padding``, then cropped by ``padding``. The loop runs over kernel weights, each adding
    a strided copy of the input scaled by one weight.

    >>> conv_transpose2d(np.array([[0, 1], [2, 3]]), np.array([[0, 1], [2, 3]]))
    array([[ 0.,  0.,  1.],
           [ 0.,  4.,  6.],
           [ 4., 12.,  9.]])
    >>> conv_transpose2d(np.ones((2, 2)), np.ones((3, 3)), stride=2, padding=1, output_padding=1).shape
    (4, 4)
    """
    X = _as_matrix(X, "input X")
    K = dilate_kernel(K, dilation)
    (n_h, n_w), (k_h, k_w) = X.shape, K.shape
    s_h, s_w = (stride, stride) if isinstance(stride, (int, np.integer)) else tuple(stride)
    p_h, p_w = (padding, padding) if isinstance(padding, (int, np.integer)) else tuple(padding)
    out_h, out_w = transposed_conv_output_size((n_h, n_w), (k_h, k_w), (s_h, s_w), (p_h, p_w), output_padding)
    # the whole grid, and any output_padding that reaches beyond it (zeros there)
    full = np.zeros((max((n_h - 1) * s_h + k_h, p_h + out_h), max((n_w - 1) * s_w + k_w, p_w + out_w)),
                    dtype=np.result_type(X, K))
    for a in range(k_h):
        for b in range(k_w):
            full[a : a + s_h * (n_h - 1) + 1 : s_h, b : b + s_w * (n_w - 1) + 1 : s_w] += K[a, b] * X
    return full[p_h : p_h + out_h, p_w : p_w + out_w]


def _as_array(x, ndim: int, name: str, layout: str) -> np.ndarray:
    """Return ``x`` as a float array with ``ndim`` axes, or raise a clear error."""
    array = np.asarray(x)
    if array.dtype == object or not (np.issubdtype(array.dtype, np.number) or array.dtype == bool) \
            or np.iscomplexobj(array):
        raise TypeError(f"{name} must hold real numbers, got dtype {array.dtype}.")
    if array.ndim != ndim:
        raise ShapeError(f"{name} must have {ndim} axes {layout}, got shape {array.shape}.")
    return array.astype(np.result_type(array.dtype, np.float32), copy=False)


def corr2d_multi_in(X, K, stride: IntOrPair = 1, padding: PerSide = 0) -> np.ndarray:
    """Cross-correlation of a multi-channel input with one 3-D kernel, summed over channels.

    ``X`` is (c_i, height, width), ``K`` is (c_i, k_h, k_w); the result is one
    (m_h, m_w) channel: ``Y = sum_c corr2d(X[c], K[c])``.

    >>> X = np.stack([np.arange(9.0).reshape(3, 3), np.arange(1.0, 10.0).reshape(3, 3)])
    >>> K = np.stack([np.array([[0.0, 1.0], [2.0, 3.0]]), np.array([[1.0, 2.0], [3.0, 4.0]])])
    >>> corr2d_multi_in(X, K)
    array([[ 56.,  72.],
           [104., 120.]])
    """
    X = _as_array(X, 3, "input X", "(channels, height, width)")
    K = _as_array(K, 3, "kernel K", "(channels, k_h, k_w)")
    if X.shape[0] != K.shape[0]:
        raise ShapeError(f"input X has {X.shape[0]} channels but kernel K has {K.shape[0]}; "
                         "a kernel needs one 2-D slice per input channel.")
    return sum(corr2d(x, k, stride, padding) for x, k in zip(X, K))


def corr2d_multi_in_out(X, K, stride: IntOrPair = 1, padding: PerSide = 0) -> np.ndarray:
    """Multi-input, multi-output cross-correlation: one 3-D kernel per output channel.

    ``X`` is (c_i, height, width), ``K`` is (c_o, c_i, k_h, k_w); the result is
    (c_o, m_h, m_w). Keras stores the same kernel as (k_h, k_w, c_i, c_o):
    ``K_keras = K.transpose(2, 3, 1, 0)``.

    >>> corr2d_multi_in_out(np.ones((2, 3, 3)), np.ones((4, 2, 2, 2))).shape
    (4, 2, 2)
    """
    K = _as_array(K, 4, "kernel K", "(out_channels, in_channels, k_h, k_w)")
    return np.stack([corr2d_multi_in(X, k, stride, padding) for k in K])


POOL_MODES = ("max", "avg")


def pool2d(X, pool_size: IntOrPair, stride: IntOrPair | None = None, padding: PerSide = 0,
           mode: str = "max") -> np.ndarray:
    """Max or average pooling of a matrix (height, width) or of every channel of (c, height, width).

    The window is ``pool_size``; the stride defaults to the window (as in Keras). Padded
    positions never win a max and are left out of an average (as in TensorFlow), so padding
    does not pull values towards zero. Pooling has no parameters and keeps the channel count.

    >>> pool2d(np.arange(9.0).reshape(3, 3), 2, stride=1)
    array([[4., 5.],
           [7., 8.]])
    >>> pool2d(np.arange(9.0).reshape(3, 3), 2, stride=1, mode="avg")
    array([[2., 3.],
           [5., 6.]])
    """
    if mode not in POOL_MODES:
        raise ValueError(f"mode must be one of {POOL_MODES}, got {mode!r}.")
    array = np.asarray(X)
    if array.ndim == 3:
        return np.stack([pool2d(channel, pool_size, stride, padding, mode) for channel in array])
    X = _as_matrix(X, "input X")
    p_h, p_w = (pool_size, pool_size) if isinstance(pool_size, (int, np.integer)) else tuple(pool_size)
    stride = (p_h, p_w) if stride is None else stride
    s_h, s_w = (stride, stride) if isinstance(stride, (int, np.integer)) else tuple(stride)
    top, bottom, left, right = _padding_per_side(padding)
    if max(top, bottom) >= p_h or max(left, right) >= p_w:
        raise ShapeError(f"padding {padding!r} must be smaller than the window {(p_h, p_w)}, "
                         "or some windows would see padding only.")
    padded_size = (X.shape[0] + top + bottom, X.shape[1] + left + right)
    out_h, out_w = conv_output_size(padded_size, (p_h, p_w), (s_h, s_w))
    fill = -np.inf if mode == "max" else np.nan
    X = np.pad(X, ((top, bottom), (left, right)), constant_values=fill)
    windows = np.lib.stride_tricks.sliding_window_view(X, (p_h, p_w))[::s_h, ::s_w][:out_h, :out_w]
    return windows.max(axis=(2, 3)) if mode == "max" else np.nanmean(windows, axis=(2, 3))
