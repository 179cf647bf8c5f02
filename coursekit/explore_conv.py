"""Convolution arithmetic explorer: input size, kernel size, padding, stride and dilation on
sliders; the kernel's window steps over the padded input while the output fills in with the
values :mod:`coursekit.ops` computes; the output-size formula with the numbers substituted; a
plain message when a configuration does not fit. A second mode does the same for transposed
convolution (each input cell adds its scaled kernel to the output).

The pure core, :func:`conv_state` and :func:`transposed_state`, needs no widgets; its state
draws itself (``.figure()``) and prints its numbers (``.text()``). :func:`conv_explorer` puts
it on sliders (see :mod:`coursekit.widget_display`).

Example
-------
>>> state = conv_state(n=3, k=2, padding=1, stride=2)
>>> state.output
array([[ 0.,  8.],
       [21., 43.]])
>>> print(state.formula)
floor((n + 2p - d(k-1) - 1)/s) + 1 = floor((3 + 2·1 - 1·(2-1) - 1)/2) + 1 = floor(3/2) + 1 = 2
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from coursekit.grid_figures import Grid, draw_grids
from coursekit.ops import conv_transpose2d, corr2d, dilate_kernel, pad2d
from coursekit.shapes import is_integer

MODES = ("convolution", "transposed convolution")


def example_input(n: int) -> np.ndarray:
    """The fixed n x n integer input the explorers use: 0, 1, ..., 9, 0, 1, ... row by row.

    >>> example_input(3)
    array([[0., 1., 2.],
           [3., 4., 5.],
           [6., 7., 8.]])
    """
    return (np.arange(n * n) % 10).reshape(n, n).astype(float)


def example_kernel(k: int) -> np.ndarray:
    """The fixed k x k integer kernel: 0, 1, 2, 3, 0, 1, ... row by row (k = 2 is lesson 01's).

    >>> example_kernel(2)
    array([[0., 1.],
           [2., 3.]])
    """
    return (np.arange(k * k) % 4).reshape(k, k).astype(float)


def check_int(name: str, value, low: int, high: int | None = None) -> int:
    """``value`` as an int in [low, high], or a clear error.

    >>> check_int("stride", 0, 1)
    Traceback (most recent call last):
    ...
    ValueError: stride must be at least 1, got 0.
    """
    if not is_integer(value):
        raise TypeError(f"{name} must be an int, got {value!r} ({type(value).__name__}).")
    if value < low:
        raise ValueError(f"{name} must be at least {low}, got {value}.")
    if high is not None and value > high:
        raise ValueError(f"{name} must be at most {high}, got {value}.")
    return int(value)


@dataclass(frozen=True)
class StepState:
    """One step of a sliding-window operation: the panels to draw and the numbers to print.

    ``window`` marks the cells of the (padded) input the current step reads; ``output`` is the
    complete result from :mod:`coursekit.ops` (empty when the configuration does not fit).
    """
    title: str
    formula: str
    grids: tuple[Grid, ...]
    window: np.ndarray
    output: np.ndarray
    step: int
    n_steps: int
    lines: tuple[str, ...] = ()
    message: str = ""

    @property
    def fits(self) -> bool:
        return self.output.size > 0

    def figure(self):
        return draw_grids(self.grids, f"{self.title}\n{self.formula}", self.message)

    def text(self) -> str:
        parts = [self.title, self.formula, *self.lines]
        return "\n".join(parts + ([self.message] if self.message else []))


def check_step(step, n_steps: int) -> int:
    return check_int("step", step, 0, n_steps - 1)


def products(values: np.ndarray, weights: np.ndarray) -> str:
    """'a·w + b·v + ... = total' for a window (at most 9 terms, else just the total).

    >>> products(np.array([1.0, 2.0]), np.array([3.0, 0.0]))
    '1·3 + 2·0 = 3'
    """
    total = float((values * weights).sum())
    if values.size > 9:
        return f"sum of {values.size} products = {total:g}"
    return " + ".join(f"{v:g}·{w:g}" for v, w in zip(values, weights)) + f" = {total:g}"


def as_list(array: np.ndarray) -> list:
    """Nested lists, whole numbers as ints: ``[[0, 8], [21, 43]]`` rather than ``[[0.0, 8.0], ...]``.

    >>> as_list(np.array([[0.0, 8.0], [2.5, 1.0]]))
    [[0, 8], [2.5, 1]]
    """
    return [as_list(row) for row in array] if np.ndim(array) > 1 else \
        [int(v) if float(v).is_integer() else round(float(v), 4) for v in array]


def _leftover_fixes(n: int, span: int, padding: int, stride: int) -> list[str]:
    """Settings that make (n + 2p - span) divisible by the stride, near the current ones."""
    size = n + 2 * padding
    fixes = [f"padding {p}" for p in range(padding + 1, padding + stride + 1) if (n + 2 * p - span) % stride == 0][:1]
    fixes.append(f"input size {n + stride - (size - span) % stride}")
    fixes += [f"stride {s}" for s in range(stride - 1, 0, -1) if (size - span) % s == 0][:1]
    return fixes


def window_mask(shape: tuple[int, int], row: int, col: int, k: int, dilation: int) -> np.ndarray:
    """Cells of a grid that a k x k kernel with ``dilation`` reads when its corner is at (row, col)."""
    mask = np.zeros(shape, bool)
    taps = dilation * np.arange(k)
    mask[np.ix_(row + taps, col + taps)] = True
    return mask


def conv_state(n: int = 5, k: int = 3, padding: int = 0, stride: int = 1, dilation: int = 1,
               step: int = 0) -> StepState:
    """Cross-correlation of :func:`example_input` (n x n) with :func:`example_kernel` (k x k) at one step.

    Step ``t`` computes output cell ``divmod(t, m)`` (row by row); cells after it are not filled
    yet. A kernel wider than the padded input gives no output and a message; a stride that leaves
    rows unused gives the (rounded-down) output, the unused cells hatched, and a message.

    >>> conv_state(n=4, k=3, stride=2).message.split(":")[0]
    'Stride 2 leaves the last 1 row(s) and column(s) of the padded input unused (hatched)'
    """
    n, k = check_int("input size n", n, 1), check_int("kernel size k", k, 1)
    p, s, d = check_int("padding p", padding, 0), check_int("stride s", stride, 1), check_int("dilation d", dilation, 1)
    X, K = example_input(n), example_kernel(k)
    padded, span, size = pad2d(X, p), d * (k - 1) + 1, n + 2 * p
    is_padding = ~np.pad(np.ones((n, n), bool), p)
    kernel = dilate_kernel(K, d)
    kernel_grid = Grid(f"kernel ({k}×{k}" + (f", dilation {d})" if d > 1 else ")"), kernel,
                       muted=~window_mask(kernel.shape, 0, 0, k, d))
    title = f"cross-correlation: n = {n}, k = {k}, p = {p}, s = {s}, d = {d}"
    substituted = f"floor(({n} + 2·{p} - {d}·({k}-1) - 1)/{s}) + 1"
    if span > size:
        message = (f"Does not fit: the kernel spans d(k-1) + 1 = {span} cells but the padded input has only "
                   f"n + 2p = {size}. Use padding p ≥ {math.ceil((span - n) / 2)}, or a smaller kernel or dilation.")
        return StepState(title, f"floor((n + 2p - d(k-1) - 1)/s) + 1 = {substituted}: no position fits",
                         (Grid("padded input", padded, muted=is_padding), kernel_grid),
                         np.zeros_like(is_padding), np.zeros((0, 0)), 0, 1, (), message)
    output = corr2d(X, K, stride=s, padding=p, dilation=d)
    m = output.shape[0]
    n_steps = m * m
    step = check_step(step, n_steps)
    i, j = divmod(step, m)
    window = window_mask(padded.shape, i * s, j * s, k, d)
    visited = np.zeros(padded.shape, bool)
    for a in range(m):
        for b in range(m):
            visited |= window_mask(padded.shape, a * s, b * s, k, d)
    filled = np.where(np.arange(n_steps).reshape(m, m) <= step, output, np.nan)
    target = np.zeros((m, m), bool)
    target[i, j] = True
    leftover = (size - span) % s
    message = ""
    if leftover:
        message = (f"Stride {s} leaves the last {leftover} row(s) and column(s) of the padded input unused (hatched): "
                   f"(n + 2p - d(k-1) - 1)/s = {size - span}/{s} is not a whole number, so the output is rounded "
                   f"down to {m}×{m}. To use every row, try " + " or ".join(_leftover_fixes(n, span, p, s)) + ".")
    formula = f"floor((n + 2p - d(k-1) - 1)/s) + 1 = {substituted} = floor({size - span}/{s}) + 1 = {m}"
    rows, cols = np.nonzero(window)
    lines = (f"step {step + 1} of {n_steps}: output[{i}, {j}] reads rows {rows.min()}..{rows.max()}, "
             f"columns {cols.min()}..{cols.max()} of the padded input",
             f"output[{i}, {j}] = " + products(padded[window], K.ravel()),
             f"output ({m}×{m}, coursekit.ops.corr2d): {as_list(output)}")
    grids = (Grid(f"padded input ({size}×{size})" if p else f"input ({n}×{n})", padded, highlight=window,
                  muted=is_padding, unused=~visited & (leftover > 0)),
             kernel_grid, Grid(f"output ({m}×{m})", filled, target=target))
    return StepState(title, formula, grids, window, output, step, n_steps, lines, message)


def _gapless_stride(n: int, k: int, stride: int, dilation: int) -> int:
    """The largest stride below ``stride`` whose transposed convolution writes every cell."""
    for s in range(stride - 1, 1, -1):
        written = {i * s + dilation * a for i in range(n) for a in range(k)}
        if len(written) == (n - 1) * s + dilation * (k - 1) + 1:
            return s
    return 1


def transposed_state(n: int = 2, k: int = 2, padding: int = 0, stride: int = 1, dilation: int = 1,
                     step: int = 0) -> StepState:
    """Transposed convolution of :func:`example_input` with :func:`example_kernel` at one step.

    Step ``t`` adds input cell ``divmod(t, n)`` times the (dilated) kernel into the full
    ``(n-1)s + d(k-1) + 1`` grid; ``padding`` cells are then cut from each side. ``window`` marks
    the block of the full grid the current cell writes.

    >>> transposed_state(n=2, k=2, stride=2).output.shape
    (4, 4)
    """
    n, k = check_int("input size n", n, 1), check_int("kernel size k", k, 1)
    p, s, d = check_int("padding p", padding, 0), check_int("stride s", stride, 1), check_int("dilation d", dilation, 1)
    X, K = example_input(n), example_kernel(k)
    kernel = dilate_kernel(K, d)
    span = kernel.shape[0]
    full_size = (n - 1) * s + span
    out_size = full_size - 2 * p
    title = f"transposed convolution: n = {n}, k = {k}, p = {p}, s = {s}, d = {d}"
    substituted = f"({n}-1)·{s} - 2·{p} + {d}·({k}-1) + 1"
    cropped = ~np.pad(np.ones((max(out_size, 0),) * 2, bool), p) if out_size > 0 else np.ones((full_size,) * 2, bool)
    kernel_grid = Grid(f"kernel ({k}×{k}" + (f", dilation {d})" if d > 1 else ")"), kernel,
                       muted=~window_mask(kernel.shape, 0, 0, k, d))
    if out_size <= 0:
        message = (f"Does not fit: padding crops p = {p} cells from each side, 2p = {2 * p} of the {full_size} "
                   f"cells of (n-1)s + d(k-1) + 1; nothing is left. Use padding p ≤ {(full_size - 1) // 2}.")
        return StepState(title, f"(n-1)s - 2p + d(k-1) + 1 = {substituted} = {out_size}: no output",
                         (Grid("input", X), kernel_grid, Grid("full grid", np.zeros((full_size,) * 2), muted=cropped)),
                         np.zeros((full_size,) * 2, bool), np.zeros((0, 0)), 0, 1, (), message)
    output = conv_transpose2d(X, K, stride=s, padding=p, dilation=d)
    n_steps = n * n
    step = check_step(step, n_steps)
    i, j = divmod(step, n)
    partial = np.zeros((full_size, full_size))
    written = np.zeros_like(partial, bool)
    for t, (a, b) in enumerate(np.ndindex(n, n)):
        taps = window_mask(partial.shape, a * s, b * s, k, d)
        written |= taps
        if t <= step:
            partial[a * s:a * s + span, b * s:b * s + span] += X[a, b] * kernel
    window = np.zeros_like(written)
    window[i * s:i * s + span, j * s:j * s + span] = True
    target = np.zeros((n, n), bool)
    target[i, j] = True
    kept = partial[p:p + out_size, p:p + out_size]
    message = ""
    if (~written & ~cropped).any():
        message = (f"Stride {s} is larger than the dilated kernel's reach: the hatched cells receive no "
                   f"contribution and stay 0. Stride {_gapless_stride(n, k, s, d)} or less covers every cell.")
    lines = (f"step {step + 1} of {n_steps}: input[{i}, {j}] = {X[i, j]:g} times the kernel is added to rows "
             f"{i * s}..{i * s + span - 1}, columns {j * s}..{j * s + span - 1} of the full grid",
             (f"then p = {p} row(s)/column(s) are cut from each side (grey)" if p else "no padding: nothing is cut"),
             f"output ({out_size}×{out_size}, coursekit.ops.conv_transpose2d): {as_list(output)}")
    grids = (Grid(f"input ({n}×{n})", X, target=target), kernel_grid,
             Grid(f"sum so far ({full_size}×{full_size})", partial, highlight=window, muted=cropped,
                  unused=~written & ~cropped),
             Grid(f"output ({out_size}×{out_size})", kept))
    formula = f"(n-1)s - 2p + d(k-1) + 1 = {substituted} = {out_size}"
    return StepState(title, formula, grids, window, output, step, n_steps, lines, message)


def conv_arithmetic_state(mode: str = "convolution", **settings) -> StepState:
    """:func:`conv_state` or :func:`transposed_state`, by ``mode`` (one of ``MODES``)."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}.")
    return (conv_state if mode == "convolution" else transposed_state)(**settings)


def conv_explorer(n: int = 5, k: int = 3, padding: int = 0, stride: int = 1, dilation: int = 1,
                  mode: str = "convolution"):
    """Sliders for n, k, p, s, d, a mode menu and play/step controls over :func:`conv_arithmetic_state`.

    Display it as a cell's last expression: a live widget in JupyterLab, the figure elsewhere.
    """
    from coursekit.widget_display import Explorer, dropdown, slider, step_controls

    first = conv_arithmetic_state(mode, n=n, k=k, padding=padding, stride=stride, dilation=dilation)
    controls = {"mode": dropdown("mode", MODES, mode, "mode"),
                "n": slider("n", n, 1, max(9, n), "input n"), "k": slider("k", k, 1, max(5, k), "kernel k"),
                "padding": slider("padding", padding, 0, max(3, padding), "padding p"),
                "stride": slider("stride", stride, 1, max(4, stride), "stride s"),
                "dilation": slider("dilation", dilation, 1, max(3, dilation), "dilation d")}
    return Explorer("conv", conv_arithmetic_state, controls, steps=step_controls(first.n_steps))
