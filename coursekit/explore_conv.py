"""Convolution arithmetic explorer: input size, kernel size, padding, stride and dilation on
sliders; the kernel's window steps over the padded input while the output fills in with the
values :mod:`coursekit.ops` computes; the output-size formula with the numbers substituted; a
plain message when a configuration does not fit or leaves cells unread. A second mode does the
same for transposed convolution (each input cell adds its scaled kernel to the output).

Padding ``p`` is per side and symmetric, as in PyTorch; Keras's ``padding="same"`` may pad one row
less at the top/left (lesson 02). In transposed mode ``p`` crops p cells from each side of the
full grid, which is PyTorch's ``ConvTranspose2d(padding=p)``; Keras's ``Conv2DTranspose`` has
``padding="valid"`` (p = 0) and ``"same"`` (output n·s).

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
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from coursekit.explore_steps import (StepState, as_list, check_int, check_side, check_step, gap_message,
                                     nearest_fixes, or_list, products, rows_touched, untouched_cells, window_mask)
from coursekit.grid_figures import Grid
from coursekit.ops import conv_transpose2d, corr2d, dilate_kernel, pad2d
from coursekit.shapes import ShapeError, conv_output_size

if TYPE_CHECKING:
    from coursekit.widget_display import Explorer

MODES = ("convolution", "transposed convolution")
# Slider ranges of conv_explorer; fixes the messages suggest stay inside them.
RANGES = {"n": (1, 9), "k": (1, 5), "padding": (0, 3), "stride": (1, 4), "dilation": (1, 3)}
LABELS = {"n": "input size", "k": "kernel size", "padding": "padding", "stride": "stride", "dilation": "dilation"}
CONV_LEGEND = ("orange: cells the window reads · red: the output cell being computed · grey: padding · "
               "hatched: never read")
TRANSPOSED_LEGEND = ("red: the input cell being spread · orange: the cells its copy of the kernel adds to · "
                     "grey: cropped by p · hatched: never written")


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


def kernel_grid(k: int, dilation: int) -> Grid:
    """The (dilated) example kernel as a panel, the holes between its taps grey.

    >>> kernel_grid(2, 2).values.shape
    (3, 3)
    """
    kernel = dilate_kernel(example_kernel(k), dilation)
    return Grid(f"kernel ({k}×{k}" + (f", dilation {dilation})" if dilation > 1 else ")"), kernel,
                muted=~window_mask(kernel.shape, 0, 0, k, dilation))


def conv_rows_read(n: int, k: int, padding: int, stride: int, dilation: int) -> np.ndarray | None:
    """Which rows (= columns) of the padded input some window reads; None when no window fits.

    >>> conv_rows_read(5, 2, 0, 3, 1).astype(int).tolist()     # row 2 lies between the windows
    [1, 1, 0, 1, 1]
    """
    try:
        m = conv_output_size(n, k, stride, padding, dilation=dilation)
    except ShapeError:
        return None
    return rows_touched(n + 2 * padding, m, k, stride, dilation)


def reads_every_cell(n: int, k: int, padding: int, stride: int, dilation: int) -> bool:
    """True when the windows fit and read every cell of the padded input (padding included).

    >>> reads_every_cell(7, 3, 0, 3, 1), reads_every_cell(7, 3, 1, 3, 1)
    (False, True)
    """
    rows = conv_rows_read(n, k, padding, stride, dilation)
    return rows is not None and bool(rows.all())


def _reads_every_cell_twice_or_more(n: int, k: int, padding: int, stride: int, dilation: int) -> bool:
    """:func:`reads_every_cell` with more than one window position (one window covering all is no fix)."""
    return (reads_every_cell(n, k, padding, stride, dilation)
            and conv_output_size(n, k, stride, padding, dilation=dilation) > 1)


def _fix_sentence(settings: dict[str, int], names: tuple[str, ...], works: Callable[..., bool], verb: str) -> str:
    """' To read every cell, try ...' with the nearest single changes that work (a one-cell input is no fix)."""
    ranges = {name: (2, RANGES[name][1]) if name == "n" else RANGES[name] for name in names}
    fixes = nearest_fixes(settings, ranges, LABELS, works)
    return (f" To {verb} every cell, try {or_list(fixes)}." if fixes
            else f" No single change within the sliders' ranges {verb}s every cell.")


def conv_state(n: int = 5, k: int = 3, padding: int = 0, stride: int = 1, dilation: int = 1,
               step: int = 0) -> StepState:
    """Cross-correlation of :func:`example_input` (n x n) with :func:`example_kernel` (k x k) at one step.

    Step ``t`` computes output cell ``divmod(t, m)`` (row by row); cells after it are not filled
    yet. A kernel wider than the padded input gives no output and a message. Rows and columns no
    window reads (after the last window, or between windows when the stride outruns the kernel or
    the dilation skips cells) are hatched, and the message says why and which single change of a
    setting reads every cell.

    >>> conv_state(n=5, k=2, stride=3).message.split(":")[0]
    'Row and column 2 lie between two windows and are never read (hatched)'
    """
    n, k = check_int("input size n", n, 1), check_int("kernel size k", k, 1)
    p, s, d = check_int("padding p", padding, 0), check_int("stride s", stride, 1), check_int("dilation d", dilation, 1)
    size = check_side(n + 2 * p, "the padded input (n + 2p)")
    X, K = example_input(n), example_kernel(k)
    padded, span = pad2d(X, p), d * (k - 1) + 1
    is_padding = ~np.pad(np.ones((n, n), bool), p)
    title = f"cross-correlation: n = {n}, k = {k}, p = {p}, s = {s}, d = {d}"
    substituted = f"floor(({n} + 2·{p} - {d}·({k}-1) - 1)/{s}) + 1"
    try:
        output = corr2d(X, K, stride=s, padding=p, dilation=d)
    except ShapeError as error:
        check_step(step, 1)
        message = (f"Does not fit: {error} Use padding p ≥ {math.ceil((span - n) / 2)}, or a smaller kernel "
                   "or dilation.")
        return StepState(title, f"floor((n + 2p - d(k-1) - 1)/s) + 1 = {substituted}: no position fits",
                         (Grid("padded input", padded, muted=is_padding), kernel_grid(k, d)),
                         np.zeros_like(is_padding), np.zeros((0, 0)), 0, 1, (), message, CONV_LEGEND)
    m = output.shape[0]
    n_steps = m * m
    step = check_step(step, n_steps)
    i, j = divmod(step, m)
    window = window_mask(padded.shape, i * s, j * s, k, d)
    read = rows_touched(size, m, k, s, d)
    message = gap_message(read, np.pad(np.ones(n, bool), p), s, span, d, "read",
                          f"(n + 2p - d(k-1) - 1)/s = {size - span}/{s} is not a whole number, so the output is "
                          f"rounded down to {m}×{m}.")
    settings = {"n": n, "k": k, "padding": p, "stride": s, "dilation": d}
    if message.startswith("Only padding"):
        message += (" Keras's padding=\"same\" pads only the rows the windows use (an odd one at the bottom/right), "
                    "so it would not add this one.")
    elif message:
        message += _fix_sentence(settings, ("padding", "n", "stride", "dilation") if d > 1 else
                                 ("padding", "n", "stride"), _reads_every_cell_twice_or_more, "read")
    filled = np.where(np.arange(n_steps).reshape(m, m) <= step, output, np.nan)
    target = np.zeros((m, m), bool)
    target[i, j] = True
    rows, cols = np.nonzero(window)
    formula = (f"floor((n + 2p - d(k-1) - 1)/s) + 1 = {substituted} = floor({size - span}/{s}) + 1 = {m}")
    lines = (f"step {step + 1} of {n_steps}: output[{i}, {j}] reads rows {rows.min()}..{rows.max()}, "
             f"columns {cols.min()}..{cols.max()} of the padded input",
             f"output[{i}, {j}] = " + products(padded[window], K.ravel()),
             f"output ({m}×{m}, coursekit.ops.corr2d): {as_list(output)}")
    grids = (Grid(f"padded input ({size}×{size})" if p else f"input ({n}×{n})", padded, highlight=window,
                  muted=is_padding, unused=untouched_cells(read)),
             kernel_grid(k, d), Grid(f"output so far ({m}×{m})", filled, target=target))
    return StepState(title, formula, grids, window, output, step, n_steps, lines, message, CONV_LEGEND)


def transposed_writes_every_cell(n: int, k: int, padding: int, stride: int, dilation: int) -> bool:
    """True when the kernel copies write every cell the padding keeps (and something is kept).

    >>> transposed_writes_every_cell(2, 2, 0, 3, 1), transposed_writes_every_cell(2, 2, 0, 2, 1)
    (False, True)
    """
    full = (n - 1) * stride + dilation * (k - 1) + 1
    if full - 2 * padding <= 0:
        return False
    return bool(rows_touched(full, n, k, stride, dilation)[padding:full - padding].all())


def transposed_state(n: int = 2, k: int = 2, padding: int = 0, stride: int = 1, dilation: int = 1,
                     step: int = 0) -> StepState:
    """Transposed convolution of :func:`example_input` with :func:`example_kernel` at one step.

    Step ``t`` adds input cell ``divmod(t, n)`` times the (dilated) kernel into the full
    ``(n-1)s + d(k-1) + 1`` grid; ``padding`` cells are then cut from each side (PyTorch's
    ``ConvTranspose2d(padding=p)``; Keras's ``Conv2DTranspose(padding="valid")`` is p = 0).
    ``window`` marks the block of the full grid the current cell writes.

    >>> transposed_state(n=2, k=2, stride=2).output.shape
    (4, 4)
    >>> transposed_state(n=1, k=2, dilation=2).message.split(":")[0]
    'Row and column 1 are never written (hatched)'
    """
    n, k = check_int("input size n", n, 1), check_int("kernel size k", k, 1)
    p, s, d = check_int("padding p", padding, 0), check_int("stride s", stride, 1), check_int("dilation d", dilation, 1)
    X, K = example_input(n), example_kernel(k)
    kernel = dilate_kernel(K, d)
    span = kernel.shape[0]
    full_size = check_side((n - 1) * s + span, "the full grid ((n-1)s + d(k-1) + 1)")
    out_size = full_size - 2 * p
    title = f"transposed convolution: n = {n}, k = {k}, p = {p}, s = {s}, d = {d}"
    substituted = f"({n}-1)·{s} - 2·{p} + {d}·({k}-1) + 1"
    kept_rows = np.zeros(full_size, bool)
    kept_rows[p:p + max(out_size, 0)] = True
    cropped = ~(kept_rows[:, None] & kept_rows[None, :])
    if out_size <= 0:
        check_step(step, 1)
        message = (f"Does not fit: padding crops p = {p} cells from each side, 2p = {2 * p} of the {full_size} "
                   f"cells of (n-1)s + d(k-1) + 1; nothing is left. Use padding p ≤ {(full_size - 1) // 2}.")
        return StepState(title, f"(n-1)s - 2p + d(k-1) + 1 = {substituted} = {out_size}: no output",
                         (Grid("input", X), kernel_grid(k, d),
                          Grid("full grid", np.zeros((full_size,) * 2), muted=cropped)),
                         np.zeros((full_size,) * 2, bool), np.zeros((0, 0)), 0, 1, (), message, TRANSPOSED_LEGEND)
    output = conv_transpose2d(X, K, stride=s, padding=p, dilation=d)
    n_steps = n * n
    step = check_step(step, n_steps)
    i, j = divmod(step, n)
    partial = np.zeros((full_size, full_size))
    for a, b in list(np.ndindex(n, n))[:step + 1]:
        partial[a * s:a * s + span, b * s:b * s + span] += X[a, b] * kernel
    window = np.zeros((full_size, full_size), bool)
    window[i * s:i * s + span, j * s:j * s + span] = True
    target = np.zeros((n, n), bool)
    target[i, j] = True
    written = rows_touched(full_size, n, k, s, d) | ~kept_rows   # cropped cells do not count as gaps
    message = gap_message(written, kept_rows, s, span, d, "written")
    if message:
        settings = {"n": n, "k": k, "padding": p, "stride": s, "dilation": d}
        message += " They receive no contribution and stay 0." + _fix_sentence(
            settings, ("stride", "dilation", "n"), transposed_writes_every_cell, "write")
    lines = (f"step {step + 1} of {n_steps}: input[{i}, {j}] = {X[i, j]:g} times the kernel is added to rows "
             f"{i * s}..{i * s + span - 1}, columns {j * s}..{j * s + span - 1} of the full grid",
             (f"then p = {p} row(s)/column(s) are cut from each side (grey)" if p else "no padding: nothing is cut"),
             f"output ({out_size}×{out_size}, coursekit.ops.conv_transpose2d): {as_list(output)}")
    grids = (Grid(f"input ({n}×{n})", X, target=target), kernel_grid(k, d),
             Grid(f"sum so far ({full_size}×{full_size})", partial, highlight=window, muted=cropped,
                  unused=untouched_cells(written)),
             Grid(f"output so far ({out_size}×{out_size})", partial[p:p + out_size, p:p + out_size]))
    formula = f"(n-1)s - 2p + d(k-1) + 1 = {substituted} = {out_size}"
    return StepState(title, formula, grids, window, output, step, n_steps, lines, message, TRANSPOSED_LEGEND)


def conv_arithmetic_state(mode: str = "convolution", n: int = 5, k: int = 3, padding: int = 0, stride: int = 1,
                          dilation: int = 1, step: int = 0) -> StepState:
    """:func:`conv_state` or :func:`transposed_state`, by ``mode`` (one of ``MODES``).

    >>> conv_arithmetic_state("transposed convolution", n=2, k=2, stride=2).output.shape
    (4, 4)
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}.")
    compute = conv_state if mode == "convolution" else transposed_state
    return compute(n=n, k=k, padding=padding, stride=stride, dilation=dilation, step=step)


def conv_explorer(n: int = 5, k: int = 3, padding: int = 0, stride: int = 1, dilation: int = 1,
                  mode: str = "convolution", step: int = 0) -> Explorer:
    """Sliders for n, k, p, s, d, a mode menu and play/step controls over :func:`conv_arithmetic_state`.

    Display it as a cell's last expression: a live widget in JupyterLab, the figure of the
    starting state (``step``; the last step is ``n_steps - 1``) elsewhere.

    >>> conv_explorer(n=2, k=2, stride=2, mode="transposed convolution", step=3).state.step
    3
    """
    from coursekit.widget_display import Explorer, dropdown, slider, step_controls

    first = conv_arithmetic_state(mode, n=n, k=k, padding=padding, stride=stride, dilation=dilation)
    given = {"n": n, "k": k, "padding": padding, "stride": stride, "dilation": dilation}
    descriptions = {"n": "input n", "k": "kernel k", "padding": "padding p", "stride": "stride s",
                    "dilation": "dilation d"}
    controls = {"mode": dropdown("mode", MODES, mode, "mode")}
    controls.update({name: slider(name, value, RANGES[name][0], max(RANGES[name][1], value), descriptions[name])
                     for name, value in given.items()})
    explorer = Explorer("conv", conv_arithmetic_state, controls, steps=step_controls(first.n_steps))
    if step:
        explorer.set(step=step)
    return explorer
