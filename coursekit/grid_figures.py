"""Small grids of cells drawn side by side: inputs, kernels and outputs of the explorers, with the
cells a step reads or writes highlighted, padding shaded and unused cells hatched.

Figures are plain ``matplotlib.figure.Figure`` objects (not pyplot's), so making one in a notebook
never shows it by accident and nothing needs closing.

Example
-------
>>> fig = draw_grids([Grid("input", np.arange(4.0).reshape(2, 2), highlight=np.eye(2, dtype=bool))])
>>> len(fig.axes)
1
"""
from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

HIGHLIGHT = "#f4a259"  # cells the current step reads or writes
TARGET = "#d1495b"     # the one cell being computed (or picked)
PADDING = "#d9d9d9"    # padding (or cropped) cells
CELL_INCHES = 0.32
CHAR_INCHES = 0.075    # width of a character of the 9-point title
MAX_ANNOTATED = 15
MIN_PANEL_CELLS = 3    # narrower grids get a panel this wide     # grids wider than this are drawn without numbers


@dataclass(frozen=True)
class Grid:
    """One panel: ``values`` (NaN = not computed yet, drawn empty) and boolean masks of the same shape.

    ``highlight`` cells are filled orange, ``target`` cells red, ``muted`` cells grey (padding,
    cropped), ``unused`` cells hatched (never read by any window).
    """
    title: str
    values: np.ndarray
    highlight: np.ndarray | None = None
    target: np.ndarray | None = None
    muted: np.ndarray | None = None
    unused: np.ndarray | None = None
    annotate: bool = True


def _mask(mask: np.ndarray | None, shape: tuple[int, int], name: str) -> np.ndarray:
    if mask is None:
        return np.zeros(shape, bool)
    mask = np.asarray(mask, bool)
    if mask.shape != shape:
        raise ValueError(f"{name} mask has shape {mask.shape}, the grid's values {shape}.")
    return mask


def _format(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.2g}" if abs(value) >= 10 else f"{value:.1f}"


def draw_grid(ax, grid: Grid) -> None:
    """Draw one :class:`Grid` on ``ax``: cells as squares, row 0 at the top."""
    values = np.asarray(grid.values, float)
    if values.ndim != 2:
        raise ValueError(f"grid '{grid.title}' needs 2-D values, got shape {values.shape}.")
    masks = {name: _mask(getattr(grid, name), values.shape, name)
             for name in ("highlight", "target", "muted", "unused")}
    rows, cols = values.shape
    annotate = grid.annotate and max(rows, cols) <= MAX_ANNOTATED
    for (i, j), value in np.ndenumerate(values):
        color = (TARGET if masks["target"][i, j] else HIGHLIGHT if masks["highlight"][i, j]
                 else PADDING if masks["muted"][i, j] else "white")
        ax.add_patch(Rectangle((j, i), 1, 1, facecolor=color, edgecolor="#555555", lw=0.6,
                               hatch="///" if masks["unused"][i, j] else None))
        if annotate and np.isfinite(value):
            ax.text(j + 0.5, i + 0.5, _format(value), ha="center", va="center", fontsize=8,
                    color="#777777" if masks["muted"][i, j] else "black")
    margin = max(MIN_PANEL_CELLS - cols, 0) / 2  # a narrow grid keeps its cell size, centred
    ax.set(xlim=(-margin, cols + margin), ylim=(max(rows, 1), 0), aspect="equal")
    ax.set_title(grid.title, fontsize=9)
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)


def draw_grids(grids: Sequence[Grid], title: str = "", message: str = "") -> Figure:
    """Panels side by side, widths proportional to their columns; ``message`` in red underneath."""
    if not grids:
        raise ValueError("draw_grids needs at least one Grid.")
    widths = [max(np.shape(g.values)[1], MIN_PANEL_CELLS) for g in grids]  # room for a title
    tallest = max(max(np.shape(g.values)[0], 1) for g in grids)
    cells = sum(widths) + len(widths)
    scale = min(1.0, 11.0 / (CELL_INCHES * cells))  # at most 11 inches wide
    longest = max((len(line) for line in title.splitlines()), default=0)
    width = min(11.0, max(4.0, scale * CELL_INCHES * cells + 0.4, CHAR_INCHES * longest))
    lines = textwrap.wrap(message, int(width / CHAR_INCHES))
    top, bottom = 0.2 + 0.17 * (len(title.splitlines()) + 1), 0.15 + 0.16 * len(lines)
    height = scale * CELL_INCHES * tallest + top + bottom
    fig = Figure(figsize=(width, height))
    axes = fig.subplots(1, len(grids), gridspec_kw={"width_ratios": widths}, squeeze=False)[0]
    for ax, grid in zip(axes, grids):
        draw_grid(ax, grid)
    if title:
        fig.suptitle(title, fontsize=9, y=1 - 0.08 / height, va="top")
    if lines:
        fig.text(0.5, 0.08 / height, "\n".join(lines), ha="center", va="bottom", fontsize=8, color=TARGET)
    fig.subplots_adjust(left=0.02, right=0.98, top=1 - top / height, bottom=bottom / height, wspace=0.15)
    return fig
