"""What the stepping explorers (convolution, transposed convolution, pooling) share: the state of
one step, input checks, which rows a sliding window ever touches, and the message about the rows
and columns it never touches, with fixes that are checked to work.

A window of ``k`` taps ``d`` apart, placed ``positions`` times ``s`` cells apart, touches the same
rows as columns (the explorers are square), so coverage is worked out along one axis.

Example
-------
>>> touched = rows_touched(size=5, positions=2, k=2, stride=3)   # windows at rows 0-1 and 3-4
>>> touched.tolist()
[True, True, False, True, True]
>>> print(gap_message(touched, np.ones(5, bool), stride=3, span=2, dilation=1, verb="read"))
Row and column 2 lie between two windows and are never read (hatched): stride 3 is larger than the window's reach d(k-1) + 1 = 2.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from matplotlib.figure import Figure

from coursekit.grid_figures import Grid, draw_grids
from coursekit.shapes import is_integer

MAX_SIDE = 48  # largest grid side an explorer draws cell by cell (the sliders stay well below it)


def check_int(name: str, value: object, low: int, high: int | None = None) -> int:
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


def check_step(step: object, n_steps: int) -> int:
    """``step`` as an int in [0, n_steps - 1] (a configuration that does not fit has one step, 0).

    >>> check_step(3, 4)
    3
    """
    return check_int("step", step, 0, n_steps - 1)


def check_side(side: int, what: str) -> int:
    """``side`` unless a grid that wide is too big to draw cell by cell (each cell carries its number).

    >>> check_side(60, "the padded input")
    Traceback (most recent call last):
    ...
    ValueError: the padded input would be 60×60 cells; the explorer draws at most 48×48 (every cell with its number). For large inputs use ck.conv_output_size / ck.transposed_conv_output_size and coursekit.ops.
    """
    if side > MAX_SIDE:
        raise ValueError(f"{what} would be {side}×{side} cells; the explorer draws at most {MAX_SIDE}×{MAX_SIDE} "
                         "(every cell with its number). For large inputs use ck.conv_output_size / "
                         "ck.transposed_conv_output_size and coursekit.ops.")
    return side


@dataclass(frozen=True)
class StepState:
    """One step of a sliding-window operation: the panels to draw and the numbers to print.

    ``window`` marks the cells of the (padded) input the current step reads; ``output`` is the
    complete result from :mod:`coursekit.ops` (empty when the configuration does not fit).

    >>> state = StepState("t", "f", (), np.zeros((1, 1), bool), np.zeros((0, 0)), 0, 1, message="no")
    >>> state.fits, state.text()
    (False, 't\\nf\\nno')
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
    legend: str = ""

    @property
    def fits(self) -> bool:
        """True when the configuration gives an output."""
        return self.output.size > 0

    def figure(self) -> Figure:
        """The panels side by side, the title and formula above, the message and the legend below."""
        return draw_grids(self.grids, f"{self.title}\n{self.formula}", self.message, self.legend)

    def text(self) -> str:
        """Title, formula, the numbers of this step and the message, one per line."""
        parts = [self.title, self.formula, *self.lines]
        return "\n".join(parts + ([self.message] if self.message else []))


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


def window_mask(shape: tuple[int, int], row: int, col: int, k: int, dilation: int = 1) -> np.ndarray:
    """Cells of a grid that a k x k kernel with ``dilation`` reads when its corner is at (row, col).

    >>> window_mask((3, 3), 0, 1, 2).astype(int).tolist()
    [[0, 1, 1], [0, 1, 1], [0, 0, 0]]
    """
    mask = np.zeros(shape, bool)
    taps = dilation * np.arange(k)
    mask[np.ix_(row + taps, col + taps)] = True
    return mask


def rows_touched(size: int, positions: int, k: int, stride: int, dilation: int = 1) -> np.ndarray:
    """Which of ``size`` rows a window of ``k`` taps ``dilation`` apart touches at ``positions`` places
    ``stride`` apart (the first at row 0). The same holds for columns.

    >>> rows_touched(size=7, positions=2, k=2, stride=2, dilation=3).astype(int).tolist()
    [1, 0, 1, 1, 0, 1, 0]
    """
    touched = np.zeros(size, bool)
    for tap in range(k):
        touched[tap * dilation:tap * dilation + stride * (positions - 1) + 1:stride] = True
    return touched


def untouched_cells(touched: np.ndarray) -> np.ndarray:
    """The 2-D cells whose row or column no window touches, from :func:`rows_touched`.

    >>> untouched_cells(np.array([True, False])).astype(int).tolist()
    [[0, 1], [1, 1]]
    """
    return ~(touched[:, None] & touched[None, :])


def _rows_and_columns(indices: np.ndarray) -> str:
    """'Row and column 2' or 'Rows and columns 1, 3' (at most 8 listed)."""
    shown = ", ".join(str(i) for i in indices[:8]) + (", ..." if len(indices) > 8 else "")
    return f"Row and column {shown}" if len(indices) == 1 else f"Rows and columns {shown}"


def gap_message(touched: np.ndarray, is_input: np.ndarray, stride: int, span: int, dilation: int, verb: str,
                leftover: str = "") -> str:
    """Why some rows/columns are never ``verb`` (read, written), from :func:`rows_touched`; '' if none.

    ``is_input`` marks the rows that belong to the input (not padding); ``leftover`` explains the
    rows after the last window (the rounded-down output size). Rows before that are skipped either
    because the stride outruns the window's reach ``span`` = d(k-1) + 1, or because they fall in
    the holes of a dilated kernel that no other position's taps fill.

    >>> touched = rows_touched(size=5, positions=2, k=2, stride=2)   # rows 0-3; row 4 is padding
    >>> gap_message(touched, np.array([False, True, True, True, False]), 2, span=2, dilation=1, verb="read")
    'Only padding is never read (hatched): every input pixel is used.'
    """
    never = np.flatnonzero(~touched)
    if never.size == 0:
        return ""
    if not is_input[never].any():
        return f"Only padding is never {verb} (hatched): every input pixel is used."
    last = np.flatnonzero(touched).max()
    between, after = never[never < last], never[never > last]
    parts = []
    if between.size and stride > span:
        parts.append(f"{_rows_and_columns(between)} lie between two windows and are never {verb} (hatched): "
                     f"stride {stride} is larger than the window's reach d(k-1) + 1 = {span}.")
    elif between.size:
        parts.append(f"{_rows_and_columns(between)} are never {verb} (hatched): they fall between the "
                     f"dilated kernel's taps ({dilation} apart), and with stride {stride} no other position's taps "
                     "land on them.")
    if after.size:
        parts.append(f"The last {after.size} row(s) and column(s) are never {verb} (hatched): {leftover}".rstrip(": "))
    return " ".join(parts)


def nearest_fixes(settings: dict[str, int], ranges: dict[str, tuple[int, int]], labels: dict[str, str],
                  works: Callable[..., bool]) -> list[str]:
    """For each setting in ``ranges``, the nearest other value (within the range; the larger one on a tie) for which
    ``works(**settings with that one value changed)`` holds, as 'label value'.

    >>> nearest_fixes({"stride": 4, "padding": 0}, {"stride": (1, 4)}, {"stride": "stride"},
    ...               lambda stride, padding: stride <= 2)
    ['stride 2']
    """
    fixes = []
    for name, (low, high) in ranges.items():
        current = settings[name]
        candidates = sorted(range(low, max(high, current) + 1), key=lambda v: (abs(v - current), -v))
        for value in candidates:
            if value != current and works(**{**settings, name: value}):
                fixes.append(f"{labels[name]} {value}")
                break
    return fixes


def or_list(options: Sequence[str]) -> str:
    """'a, b or c'.

    >>> or_list(["padding 1", "stride 2"])
    'padding 1 or stride 2'
    """
    return ", ".join(options[:-1]) + (" or " if len(options) > 1 else "") + options[-1]
