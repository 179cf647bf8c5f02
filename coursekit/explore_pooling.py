"""Pooling explorer: max or average pooling stepping over the padded input, the output filling in
with :func:`coursekit.ops.pool2d`'s values (as :mod:`coursekit.explore_conv` does for convolution).

The notation is lesson 04's: input W, window F, stride S, padding P per side, so the output side is
floor((W + 2P - F)/S) + 1. P is symmetric, as in PyTorch; Keras's ``padding="same"`` pads only
the rows the windows use, an odd one at the bottom/right.

Example
-------
>>> state = pool_state(n=5, window=3, stride=2, padding=1)
>>> state.output
array([[8., 8., 9.],
       [8., 7., 7.],
       [9., 9., 9.]])
>>> print(state.formula)
floor((W + 2P - F)/S) + 1 = floor((5 + 2·1 - 3)/2) + 1 = floor(4/2) + 1 = 3
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from coursekit.explore_steps import (StepState, as_list, check_int, check_side, check_step, gap_message,
                                     nearest_fixes, or_list, rows_touched, untouched_cells, window_mask)
from coursekit.grid_figures import Grid
from coursekit.ops import pad2d, pool2d
from coursekit.shapes import ShapeError, pool_output_size

if TYPE_CHECKING:
    from coursekit.widget_display import Explorer

POOL_NAMES = {"max": "max pooling", "avg": "average pooling"}
# Slider ranges of pooling_explorer; fixes the messages suggest stay inside them.
RANGES = {"n": (1, 9), "window": (1, 4), "stride": (1, 4), "padding": (0, 2)}
LABELS = {"n": "input size W", "window": "window F", "stride": "stride S", "padding": "padding P"}
LEGEND = ("orange: the window · red: the output cell being computed · grey, empty: padding (never wins a max, "
          "left out of a mean) · hatched: never read")


def pool_input(n: int) -> np.ndarray:
    """The fixed n x n input of the pooling explorer: (3i² + 7j + 2ij + 1) mod 10 at row i, column j,
    no two rows alike for n ≤ 5, so the maxima move around.

    >>> pool_input(3)
    array([[1., 8., 5.],
           [4., 3., 2.],
           [3., 4., 5.]])
    """
    i, j = np.indices((n, n))
    return ((3 * i * i + 7 * j + 2 * i * j + 1) % 10).astype(float)


def _fits(n: int, window: int, stride: int, padding: int) -> bool:
    """True when :func:`coursekit.ops.pool2d` accepts the configuration."""
    try:
        pool2d(np.zeros((n, n)), window, stride, padding)
    except ShapeError:
        return False
    return True


def _reads_every_cell(n: int, window: int, stride: int, padding: int) -> bool:
    """True when the windows fit and read every cell of the padded input, at more than one position."""
    if not _fits(n, window, stride, padding):
        return False
    m = pool_output_size(n, window, stride, padding)
    return m > 1 and bool(rows_touched(n + 2 * padding, m, window, stride).all())


def pool_state(n: int = 4, window: int = 2, stride: int | None = None, padding: int = 0, mode: str = "max",
               step: int = 0) -> StepState:
    """Max (``mode="max"``) or average (``"avg"``) pooling of :func:`pool_input` at one step.

    The stride defaults to the window (as in Keras). Padded cells never win a maximum and are
    left out of an average, so they are drawn empty. Padding as wide as the window, or a window
    wider than the padded input, gives no output and a message saying what to change; rows no
    window reads are hatched and explained.

    >>> pool_state(n=4, window=2).output
    array([[8., 5.],
           [8., 7.]])
    >>> pool_state(n=5, window=2, stride=3).message.split(":")[0]
    'Row and column 2 lie between two windows and are never read (hatched)'
    """
    if mode not in POOL_NAMES:
        raise ValueError(f"mode must be one of {tuple(POOL_NAMES)}, got {mode!r}.")
    n, w, p = check_int("input size W", n, 1), check_int("window F", window, 1), check_int("padding P", padding, 0)
    s = w if stride is None else check_int("stride S", stride, 1)
    size = check_side(n + 2 * p, "the padded input (W + 2P)")
    X = pool_input(n)
    padded = pad2d(X, p, value=np.nan)   # drawn empty: padding takes no part in a max or a mean
    is_padding = ~np.pad(np.ones((n, n), bool), p)
    title = f"{POOL_NAMES[mode]}: W = {n}, F = {w}, P = {p}, S = {s}"
    substituted = f"floor(({n} + 2·{p} - {w})/{s}) + 1"
    settings = {"n": n, "window": w, "stride": s, "padding": p}
    try:
        output = pool2d(X, w, stride=s, padding=p, mode=mode)
    except ShapeError as error:
        check_step(step, 1)
        fixes = nearest_fixes(settings, {"padding": RANGES["padding"], "window": RANGES["window"]}, LABELS, _fits)
        message = f"Does not fit: {error}" + (f" Try {or_list(fixes)}." if fixes else "")
        return StepState(title, f"floor((W + 2P - F)/S) + 1 = {substituted}: no output",
                         (Grid("padded input", padded, muted=is_padding),), np.zeros_like(is_padding),
                         np.zeros((0, 0)), 0, 1, (), message, LEGEND)
    m_h, m_w = output.shape
    n_steps = m_h * m_w
    step = check_step(step, n_steps)
    i, j = divmod(step, m_w)
    window_cells = window_mask(padded.shape, i * s, j * s, w)
    read = rows_touched(size, m_h, w, s)
    message = gap_message(read, np.pad(np.ones(n, bool), p), s, w, 1, "read",
                          f"(W + 2P - F)/S = {size - w}/{s} is not a whole number, so the output is rounded down "
                          f"to {m_h}×{m_w}.")
    if message.startswith("Only padding"):
        message += (" Keras's padding=\"same\" pads only the rows the windows use (an odd one at the bottom/right), "
                    "so it would not add this one.")
    elif message:
        fixes = nearest_fixes(settings, RANGES, LABELS, _reads_every_cell)
        message += (f" To read every cell, try {or_list(fixes)}." if fixes
                    else " No single change within the sliders' ranges reads every cell.")
    filled = np.where(np.arange(n_steps).reshape(m_h, m_w) <= step, output, np.nan)
    target = np.zeros(output.shape, bool)
    target[i, j] = True
    seen = padded[window_cells & ~is_padding]
    verb = "max" if mode == "max" else "mean"
    ignored = int((window_cells & is_padding).sum())
    lines = (f"step {step + 1} of {n_steps}: output[{i}, {j}] = {verb} of {as_list(seen)}"
             + (f" ({ignored} padded cell(s) left out)" if ignored else "") + f" = {output[i, j]:.4g}",
             f"output ({m_h}×{m_w}, coursekit.ops.pool2d): {as_list(output)}")
    grids = (Grid(f"padded input ({size}×{size})" if p else f"input ({n}×{n})", padded, highlight=window_cells,
                  muted=is_padding, unused=untouched_cells(read)),
             Grid(f"output so far ({m_h}×{m_w})", filled, target=target))
    formula = f"floor((W + 2P - F)/S) + 1 = {substituted} = floor({size - w}/{s}) + 1 = {m_h}"
    return StepState(title, formula, grids, window_cells, output, step, n_steps, lines, message, LEGEND)


def pooling_explorer(n: int = 4, window: int = 2, stride: int = 2, padding: int = 0, mode: str = "max") -> Explorer:
    """Sliders for W, F, S, P, a max/average menu and play/step controls over :func:`pool_state`.

    >>> pooling_explorer(n=5, window=3, padding=1).state.output.shape
    (3, 3)
    """
    from coursekit.widget_display import Explorer, dropdown, slider, step_controls

    first = pool_state(n, window, stride, padding, mode)
    given = {"n": n, "window": window, "stride": stride, "padding": padding}
    controls = {"mode": dropdown("mode", list(POOL_NAMES), mode, "pooling")}
    controls.update({name: slider(name, value, RANGES[name][0], max(RANGES[name][1], value), LABELS[name])
                     for name, value in given.items()})
    return Explorer("pooling", pool_state, controls, steps=step_controls(first.n_steps))
