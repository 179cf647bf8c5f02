"""Shape arithmetic and shape checks for convolution, pooling and transposed convolution.

Padding is given *per side*, as in PyTorch and as Keras does internally: ``padding=1`` adds one
row on top, one at the bottom, one column left and one right. The output size along one
dimension is then the familiar

    out = floor((n + 2p - d (k - 1) - 1) / s) + 1       (d = dilation, 1 by default)

which for ``d = 1`` is ``floor((n - k + 2p) / s) + 1``. Keras' string paddings are accepted
too: ``"valid"`` (p = 0) and ``"same"`` (out = ceil(n / s)). Sizes are Python or NumPy ints;
a float, ``None`` or a bool raises a :class:`TypeError` that says what was expected.

Example
-------
>>> conv_output_size(7, 3, stride=2)
3
>>> conv_output_size((32, 32), 5, padding=2)
(32, 32)
>>> does_fit(7, 3, stride=3)
False
"""
from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Union

import numpy as np

IntOrPair = Union[int, Sequence[int]]
Padding = Union[int, str, Sequence[int]]


class ShapeError(ValueError):
    """A tensor or a layer configuration does not have the shape that was expected."""


def is_integer(value: object) -> bool:
    """True for Python and NumPy integers; False for floats and bools (``True`` is not a size).

    >>> is_integer(3), is_integer(np.int64(3)), is_integer(3.0), is_integer(True)
    (True, True, False, False)
    """
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def _type_error(name: str, value: object, expected: str) -> TypeError:
    return TypeError(f"{name} must be {expected}, got {value!r} ({type(value).__name__}).")


def _items(value: object, name: str, expected: str, ok: Callable[[object], bool] = is_integer) -> tuple:
    """The items of ``value`` if it is a sequence whose items are all ``ok``; else a clear TypeError."""
    try:
        items = tuple(value)
    except TypeError:
        raise _type_error(name, value, expected) from None
    if not all(ok(item) for item in items):
        raise _type_error(name, value, expected)
    return items


def _sizes(size: IntOrPair) -> tuple[bool, tuple[int, ...]]:
    """(one int given?, the input sizes): an int, or one int per spatial dimension (1 to 3)."""
    if is_integer(size):
        return True, (int(size),)
    sizes = _items(size, "size", "an int or a tuple of 1 to 3 ints (one per spatial dimension)")
    if not 1 <= len(sizes) <= 3:
        raise ShapeError(f"size must have 1 to 3 spatial dimensions, got {size!r}.")
    return False, tuple(int(n) for n in sizes)


def _as_tuple(value: IntOrPair, ndim: int, name: str, also: str = "") -> tuple[int, ...]:
    """An int repeated ``ndim`` times, or ``ndim`` ints, as a tuple (``also`` names other accepted values)."""
    if is_integer(value):
        return (int(value),) * ndim
    expected = f"an int or {ndim} ints{also}" if ndim > 1 else f"an int{also}"
    values = _items(value, name, expected)
    if len(values) != ndim:
        raise ShapeError(f"{name} must be {expected}, got {value!r}.")
    return tuple(int(v) for v in values)


def _one_dim(n: int, k: int, s: int, p: Union[int, str], d: int, axis: str) -> tuple[int, int]:
    """Return (output size, input rows/columns left over at the end) along one axis."""
    if n <= 0:
        raise ShapeError(f"input size along {axis} must be positive, got {n}.")
    if k <= 0:
        raise ShapeError(f"kernel size along {axis} must be positive, got {k}.")
    if s <= 0:
        raise ShapeError(f"stride along {axis} must be a positive integer, got {s}.")
    if d <= 0:
        raise ShapeError(f"dilation along {axis} must be a positive integer, got {d}.")
    if isinstance(p, str):
        if p == "same":
            return math.ceil(n / s), 0
        if p != "valid":
            raise ShapeError(f"padding must be an int, 'valid' or 'same', got {p!r}.")
        p = 0
    if p < 0:
        raise ShapeError(f"padding along {axis} must be >= 0, got {p}.")
    span = d * (k - 1) + 1  # the extent the (dilated) kernel covers
    padded = n + 2 * p
    if span > padded:
        raise ShapeError(
            f"kernel does not fit along {axis}: it spans {span} but the padded input is only "
            f"{padded} ({n} + 2*{p})."
        )
    steps, leftover = divmod(padded - span, s)
    return steps + 1, leftover


def _stride_error(n: int, k: int, s: int, p: int, leftover: int, axis: str) -> ShapeError:
    return ShapeError(
        f"stride {s} does not fit along {axis}: (n - k + 2p) / s = ({n} - {k} + 2*{p}) / {s}"
        f" = {(n - k + 2 * p) / s:.3g} is not an integer; the last {leftover} row(s)/column(s)"
        f" would never be visited. Change the padding, the stride or the input size."
    )


def _spatial(
    size: IntOrPair, kernel: IntOrPair, stride: IntOrPair, padding: Padding, dilation: IntOrPair,
) -> tuple[bool, tuple[int, ...], list[tuple]]:
    """Return (scalar input?, output sizes, [(n, span, s, p, leftover, axis)] per axis)."""
    scalar, sizes = _sizes(size)
    ndim = len(sizes)
    kernels = _as_tuple(kernel, ndim, "kernel")
    strides = _as_tuple(stride, ndim, "stride")
    dilations = _as_tuple(dilation, ndim, "dilation")
    pads = ((padding,) * ndim if isinstance(padding, str)
            else _as_tuple(padding, ndim, "padding", also=", 'valid' or 'same'"))
    axes = ("width",) if ndim == 1 else ("height", "width", "depth")[:ndim]
    out, details = [], []
    for n, k, s, p, d, axis in zip(sizes, kernels, strides, pads, dilations, axes):
        size_out, leftover = _one_dim(n, k, s, p, d, axis)
        out.append(size_out)
        details.append((n, d * (k - 1) + 1, s, 0 if isinstance(p, str) else p, leftover, axis))
    return scalar, tuple(out), details


def _finish(
    scalar: bool, out: tuple[int, ...], details: list[tuple], strict: bool,
) -> Union[int, tuple[int, ...]]:
    if strict:
        for n, span, s, p, leftover, axis in details:
            if leftover:
                raise _stride_error(n, span, s, p, leftover, axis)
    return out[0] if scalar else out


def conv_output_size(
    size: IntOrPair,
    kernel: IntOrPair,
    stride: IntOrPair = 1,
    padding: Padding = 0,
    *,
    dilation: IntOrPair = 1,
    strict: bool = False,
) -> Union[int, tuple[int, ...]]:
    """Spatial output size of a convolution (or cross-correlation).

    ``size``, ``kernel``, ``stride``, ``padding`` and ``dilation`` are ints or one int per
    spatial dimension; ``padding`` may also be ``"valid"`` or ``"same"``. Like Keras and
    PyTorch the result is floored when the stride does not divide ``n - k + 2p``;
    ``strict=True`` raises :class:`ShapeError` instead, explaining what does not fit.

    >>> conv_output_size((227, 227), 11, stride=4)
    (55, 55)
    """
    return _finish(*_spatial(size, kernel, stride, padding, dilation), strict)


def pool_output_size(
    size: IntOrPair, pool: IntOrPair, stride: IntOrPair | None = None, padding: Padding = 0,
    *, strict: bool = False,
) -> Union[int, tuple[int, ...]]:
    """Spatial output size of max/average pooling; the stride defaults to the window, as in Keras.

    >>> pool_output_size((4, 4), 2)
    (2, 2)
    """
    stride = pool if stride is None else stride
    return _finish(*_spatial(size, pool, stride, padding, 1), strict)


def does_fit(
    size: IntOrPair, kernel: IntOrPair, stride: IntOrPair = 1, padding: Padding = 0,
    *, dilation: IntOrPair = 1,
) -> bool:
    """True when the kernel tiles the padded input exactly, with no row or column left over.

    >>> does_fit(7, 3, stride=2), does_fit(7, 3, stride=3)
    (True, False)
    """
    _, _, details = _spatial(size, kernel, stride, padding, dilation)
    return all(leftover == 0 for *_, leftover, _axis in details)


def transposed_conv_output_size(
    size: IntOrPair, kernel: IntOrPair, stride: IntOrPair = 1, padding: IntOrPair = 0,
    output_padding: IntOrPair = 0,
) -> Union[int, tuple[int, ...]]:
    """Output size of a transposed convolution: ``(n - 1) s + k - 2p + output_padding``.

    >>> transposed_conv_output_size(2, 2, stride=2)
    4
    """
    scalar, sizes = _sizes(size)
    args = [_as_tuple(v, len(sizes), name) for v, name in (
        (kernel, "kernel"), (stride, "stride"), (padding, "padding"), (output_padding, "output_padding"))]
    out = []
    for n, k, s, p, op in zip(sizes, *args):
        if n <= 0 or k <= 0 or s <= 0:
            raise ShapeError(f"size, kernel and stride must be positive, got {n}, {k}, {s}.")
        if p < 0 or not 0 <= op < s:
            raise ShapeError(
                f"need padding >= 0 and 0 <= output_padding < stride, got padding={p}, "
                f"output_padding={op}, stride={s}.")
        result = (n - 1) * s + k - 2 * p + op
        if result <= 0:
            raise ShapeError(f"padding {p} removes the whole output ({(n - 1) * s + k} - 2*{p}).")
        out.append(result)
    return out[0] if scalar else tuple(out)


def _format_dims(dims: Sequence, names: Sequence[str] | None) -> str:
    shown = ["any" if d is None else str(d) for d in dims]
    if names:
        shown = [f"{n}={d}" for n, d in zip(names, shown)]
    return "(" + ", ".join(shown) + ")"


def check_shape(
    x, expected: Sequence[int | None], names: Sequence[str] | None = None, what: str = "array",
) -> None:
    """Raise :class:`ShapeError` unless ``x.shape`` matches ``expected`` (``None`` = any size).

    ``names`` labels the dimensions in the message, e.g. ``("batch", "height", "width",
    "channels")``. Works for NumPy arrays, tensors and anything with ``.shape``.

    >>> check_shape(np.zeros((8, 28, 28, 1)), (None, 28, 28, 1))
    >>> check_shape(np.zeros((28, 28)), (28, 28, 1), what="image")
    Traceback (most recent call last):
    ...
    coursekit.shapes.ShapeError: image has 2 dimensions (28, 28); expected 3: (28, 28, 1).
    """
    if not hasattr(x, "shape"):
        raise TypeError(f"{what} has no .shape: got {type(x).__name__}.")
    actual = tuple(None if d is None else int(d) for d in x.shape)
    expected = _items(expected, "expected", "a sequence of ints or None (any size), one per dimension",
                      lambda d: d is None or is_integer(d))
    if names is not None and len(names) != len(expected):
        raise ValueError(f"names has {len(names)} entries but expected has {len(expected)}.")
    if len(actual) != len(expected):
        raise ShapeError(
            f"{what} has {len(actual)} dimensions {_format_dims(actual, None)}; expected "
            f"{len(expected)}: {_format_dims(expected, names)}."
        )
    wrong = [
        (names[i] if names else f"dim {i}", a, e)
        for i, (a, e) in enumerate(zip(actual, expected))
        if e is not None and a != e
    ]
    if wrong:
        details = "; ".join(f"{n} is {a}, expected {e}" for n, a, e in wrong)
        raise ShapeError(
            f"{what} has shape {_format_dims(actual, names)}, expected "
            f"{_format_dims(expected, names)}: {details}."
        )


def receptive_field(kernels: Sequence[int], strides: Sequence[int] | None = None,
                    dilations: Sequence[int] | None = None) -> int:
    """Side of the input patch that one output element of a stack of layers depends on.

    Layer ``l`` with kernel ``k_l`` (dilation ``d_l``, 1 by default) widens the field by
    ``d_l (k_l - 1)`` times the product of the strides before it:
    ``r = 1 + sum_l d_l (k_l - 1) * prod_{i<l} s_i``.

    >>> receptive_field([3, 3, 3])  # three stacked 3x3 convolutions see a 7x7 patch
    7
    >>> receptive_field([11, 3], strides=[4, 2])  # AlexNet's conv1 then its 3x3 max pool
    19
    >>> receptive_field([3, 3], dilations=[1, 2])  # a dilated 3x3 spans 5
    7
    """
    per_layer = "a sequence of ints, one per layer"
    kernels = _items(kernels, "kernels", per_layer)
    strides = (1,) * len(kernels) if strides is None else _items(strides, "strides", per_layer)
    dilations = (1,) * len(kernels) if dilations is None else _items(dilations, "dilations", per_layer)
    if not len(strides) == len(dilations) == len(kernels):
        raise ValueError(f"{len(kernels)} kernels but {len(strides)} strides and {len(dilations)} dilations.")
    if any(v <= 0 for v in kernels + strides + dilations):
        raise ShapeError(f"kernels, strides and dilations must be positive, got {kernels}, {strides} and {dilations}.")
    field, jump = 1, 1
    for k, s, d in zip(kernels, strides, dilations):
        field += d * (k - 1) * jump
        jump *= s
    return field
