"""Small grids of cells drawn side by side: inputs, kernels and outputs of the explorers, with the
cells a step reads or writes highlighted, padding shaded and unused cells hatched.

A grid is one image (``imshow``, a colour per cell) plus one collection of cell borders and one of
hatched cells, so a 224 x 224 input draws as fast as a 5 x 5 one; numbers are written only in grids
up to ``MAX_ANNOTATED`` cells wide.

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
from matplotlib.collections import LineCollection, PatchCollection
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

HIGHLIGHT = "#f4a259"  # cells the current step reads or writes
TARGET = "#d1495b"     # the one cell being computed (or picked)
PADDING = "#d9d9d9"    # padding (or cropped) cells
BORDER = "#555555"
CELL_INCHES = 0.32
CHAR_INCHES = 0.075    # width of a character of the 9-point title
MAX_ANNOTATED = 15     # grids wider than this are drawn without numbers
MAX_BORDERED = 64      # grids wider than this are drawn without cell borders
MIN_PANEL_CELLS = 3    # narrower grids get a panel this wide


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


def cell_colours(masks: dict[str, np.ndarray], shape: tuple[int, int]) -> np.ndarray:
    """RGB per cell: red over orange over grey over white (the ``target``, ``highlight``, ``muted`` masks).

    >>> masks = {"target": np.array([[True, False]]), "highlight": np.ones((1, 2), bool), "muted": np.zeros((1, 2), bool)}
    >>> cell_colours(masks, (1, 2))[0, 1].round(2).tolist()
    [0.96, 0.64, 0.35]
    """
    rgb = np.ones((*shape, 3))
    for name, colour in (("muted", PADDING), ("highlight", HIGHLIGHT), ("target", TARGET)):
        rgb[masks[name]] = to_rgb(colour)
    return rgb


def draw_grid(ax, grid: Grid) -> None:
    """Draw one :class:`Grid` on ``ax``: cells as squares, row 0 at the top.

    >>> fig = Figure()
    >>> draw_grid(fig.subplots(), Grid("x", np.zeros((2, 3)), unused=np.eye(2, 3, dtype=bool)))
    >>> fig.axes[0].get_title()
    'x'
    """
    values = np.asarray(grid.values, float)
    if values.ndim != 2:
        raise ValueError(f"grid '{grid.title}' needs 2-D values, got shape {values.shape}.")
    masks = {name: _mask(getattr(grid, name), values.shape, name)
             for name in ("highlight", "target", "muted", "unused")}
    rows, cols = values.shape
    if values.size:
        ax.imshow(cell_colours(masks, values.shape), extent=(0, cols, rows, 0), interpolation="nearest")
    if max(rows, cols) <= MAX_BORDERED:
        lines = [[(0, i), (cols, i)] for i in range(rows + 1)] + [[(j, 0), (j, rows)] for j in range(cols + 1)]
        ax.add_collection(LineCollection(lines, colors=BORDER, linewidths=0.6, clip_on=False))
    else:
        ax.add_patch(Rectangle((0, 0), cols, rows, facecolor="none", edgecolor=BORDER, lw=0.6))
    unused = np.argwhere(masks["unused"])
    if unused.size:
        ax.add_collection(PatchCollection([Rectangle((j, i), 1, 1) for i, j in unused], facecolor="none",
                                          edgecolor=BORDER, linewidth=0, hatch="///"))
    if grid.annotate and max(rows, cols) <= MAX_ANNOTATED:
        for (i, j), value in np.ndenumerate(values):
            if np.isfinite(value):
                ax.text(j + 0.5, i + 0.5, _format(value), ha="center", va="center", fontsize=8,
                        color="#777777" if masks["muted"][i, j] else "black")
    margin = max(MIN_PANEL_CELLS - cols, 0) / 2  # a narrow grid keeps its cell size, centred
    ax.set(xlim=(-margin, cols + margin), ylim=(max(rows, 1), 0), aspect="equal")
    ax.set_title(grid.title, fontsize=9)
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)


def draw_grids(grids: Sequence[Grid], title: str = "", message: str = "", legend: str = "") -> Figure:
    """Panels side by side, widths proportional to their columns; ``message`` in red underneath,
    then ``legend`` (what the colours mean) in grey."""
    if not grids:
        raise ValueError("draw_grids needs at least one Grid.")
    widths = [max(np.shape(g.values)[1], MIN_PANEL_CELLS) for g in grids]  # room for a title
    tallest = max(max(np.shape(g.values)[0], 1) for g in grids)
    cells = sum(widths) + len(widths)
    scale = min(1.0, 11.0 / (CELL_INCHES * cells))  # at most 11 inches wide
    longest = max((len(line) for line in title.splitlines()), default=0)
    width = min(11.0, max(4.0, scale * CELL_INCHES * cells + 0.4, CHAR_INCHES * longest))
    lines = textwrap.wrap(message, int(width / CHAR_INCHES))
    legend_lines = textwrap.wrap(legend, int(width / CHAR_INCHES))
    top, bottom = 0.2 + 0.17 * (len(title.splitlines()) + 1), 0.15 + 0.16 * (len(lines) + len(legend_lines))
    height = scale * CELL_INCHES * tallest + top + bottom
    fig = Figure(figsize=(width, height))
    axes = fig.subplots(1, len(grids), gridspec_kw={"width_ratios": widths}, squeeze=False)[0]
    for ax, grid in zip(axes, grids):
        draw_grid(ax, grid)
    if title:
        fig.suptitle(title, fontsize=9, y=1 - 0.08 / height, va="top")
    if legend_lines:
        fig.text(0.5, 0.08 / height, "\n".join(legend_lines), ha="center", va="bottom", fontsize=8, color="#555555")
    if lines:
        fig.text(0.5, (0.08 + 0.16 * len(legend_lines)) / height, "\n".join(lines), ha="center", va="bottom",
                 fontsize=8, color=TARGET)
    fig.subplots_adjust(left=0.02, right=0.98, top=1 - top / height, bottom=bottom / height, wspace=0.15)
    return fig
