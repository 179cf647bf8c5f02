"""Receptive-field explorer: a stack of convolution and pooling layers (by hand as
:class:`~coursekit.layer_specs.LayerSpec`, or read from a Keras model with
:func:`~coursekit.layer_specs.layers_from_model`); one unit of the
last layer and the cells of every earlier layer it depends on, down to the input.

Height and width are worked out separately, so non-square inputs work. The figure is one image
per layer, so a 224 x 224 network draws in well under a second.

Example
-------
>>> stack = [LayerSpec("conv", 3), LayerSpec("pool", 2, stride=2, kind="max pool"), LayerSpec("conv2", 3)]
>>> state = receptive_field_state(stack, 12, row=2, col=2)
>>> state.field_size, state.sizes
((8, 8), ((12, 12), (10, 10), (5, 5), (3, 3)))
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from matplotlib.figure import Figure

from coursekit.explore_steps import check_int
from coursekit.grid_figures import Grid, draw_grids
from coursekit.layer_specs import LayerSpec, layers_from_model, model_input_size
from coursekit.shapes import is_integer, receptive_field

if TYPE_CHECKING:
    import keras

    from coursekit.widget_display import Explorer

LEGEND = "orange: the cells the picked unit depends on · red: the picked unit"


def _extent(mask: np.ndarray, axis: int) -> str:
    """'rows 2..5' style range of the True cells along ``axis`` (0 = rows)."""
    where = np.flatnonzero(mask.any(axis=1 - axis))
    return f"{'rows' if axis == 0 else 'columns'} {where.min()}..{where.max()}"


@dataclass(frozen=True)
class FieldState:
    """One unit of the last layer and the cells of every layer it depends on (index 0 = input).

    ``sizes`` are (height, width) per layer, the input first.
    """
    layers: tuple[LayerSpec, ...]
    sizes: tuple[tuple[int, int], ...]
    unit: tuple[int, int]
    masks: tuple[np.ndarray, ...]

    @property
    def field_size(self) -> tuple[int, int]:
        """Height and width the field spans on the input (first to last highlighted row/column);
        (0, 0) for a unit that sees only padding.

        >>> receptive_field_state([LayerSpec("pad", 1, padding=2)], 5, 0, 0).field_size
        (0, 0)
        """
        if not self.masks[0].any():
            return 0, 0
        rows, cols = np.nonzero(self.masks[0])
        return int(rows.max() - rows.min() + 1), int(cols.max() - cols.min() + 1)

    @property
    def theoretical_size(self) -> int:
        """The field away from the borders, :func:`coursekit.shapes.receptive_field`:
        1 + sum of d(k-1) times the strides before.

        >>> receptive_field_state([LayerSpec("c1", 3), LayerSpec("c2", 3, dilation=2)], 9).theoretical_size
        7
        """
        return receptive_field([layer.kernel for layer in self.layers], [layer.stride for layer in self.layers],
                               [layer.dilation for layer in self.layers])

    def _summary(self) -> str:
        h, w = self.field_size
        if not h:
            return "depends on no input pixel: this unit sees only padding"
        return f"spans {h}×{w} input pixels ({int(self.masks[0].sum())} of them)"

    def figure(self) -> Figure:
        """The input and every layer, the unit red and the cells it depends on orange."""
        (in_h, in_w), *later = self.sizes
        grids = [Grid(f"input {in_h}×{in_w}", np.zeros((in_h, in_w)), highlight=self.masks[0], annotate=False)]
        for index, (layer, (h, w)) in enumerate(zip(self.layers, later), start=1):
            target = np.zeros((h, w), bool)
            if index == len(self.layers):
                target[self.unit] = True
            grids.append(Grid(f"{layer.name} {h}×{w}", np.zeros((h, w)), highlight=self.masks[index],
                              target=target, annotate=False))
        return draw_grids(grids, f"receptive field of unit {self.unit} of {self.layers[-1].name}: {self._summary()} "
                                 f"(away from the borders {self.theoretical_size}×{self.theoretical_size})",
                          legend=LEGEND)

    def text(self) -> str:
        """Per layer: its settings, its size and the rows and columns the unit depends on."""
        lines = [f"unit {self.unit} of the last layer ({self.layers[-1].name})"]
        for index, ((h, w), mask) in enumerate(zip(self.sizes, self.masks)):
            if index == 0:
                name, detail = "input", ""
            else:
                layer = self.layers[index - 1]
                name = layer.name
                detail = (f" ({layer.kind} {layer.kernel}×{layer.kernel}, stride {layer.stride}"
                          + (f", dilation {layer.dilation}" if layer.dilation > 1 else "") + f", padding {layer.padding})")
            cells = int(mask.sum())
            where = (f"depends on {_extent(mask, 0)}, {_extent(mask, 1)} ({cells} cell{'s' if cells != 1 else ''})"
                     if cells else "depends on none of its cells (only padding)")
            lines.append(f"{name}{detail}: {h}×{w}, {where}")
        lines.append(f"receptive field on the input: {self._summary()}; away from the borders "
                     f"1 + Σ d(k-1)·(product of earlier strides) = {self.theoretical_size}")
        return "\n".join(lines)


def _input_size(input_size: int | Sequence[int]) -> tuple[int, int]:
    """(height, width) from an int (square) or a pair."""
    if is_integer(input_size):
        side = check_int("input_size", input_size, 1)
        return side, side
    if isinstance(input_size, Sequence) and len(input_size) == 2:
        return check_int("input height", input_size[0], 1), check_int("input width", input_size[1], 1)
    raise TypeError(f"input_size must be an int or (height, width), got {input_size!r}.")


def receptive_field_state(layers: Sequence[LayerSpec], input_size: int | Sequence[int], row: int | None = None,
                          col: int | None = None) -> FieldState:
    """The cells of every layer that unit (``row``, ``col``) of the last layer depends on.

    Works axis by axis: an output position reads ``index·s - pad + d·a`` for ``a < k`` (inside
    the input), and a 2-D unit depends on every (row, column) pair of those sets. ``input_size``
    is an int (square) or (height, width); ``row`` and ``col`` default to the centre of the last layer.

    >>> state = receptive_field_state([LayerSpec("c", 3), LayerSpec("p", 2, stride=2)], (6, 10))
    >>> state.sizes[-1], state.unit, state.field_size
    ((2, 4), (1, 2), (4, 4))
    """
    layers = tuple(layers)
    if not layers or not all(isinstance(layer, LayerSpec) for layer in layers):
        raise TypeError("layers must be a non-empty sequence of LayerSpec (see layers_from_model).")
    sizes = [_input_size(input_size)]
    for layer in layers:
        sizes.append(tuple(layer.output_size(side) for side in sizes[-1]))
    last_h, last_w = sizes[-1]
    row = last_h // 2 if row is None else check_int("row", row, 0, last_h - 1)
    col = last_w // 2 if col is None else check_int("col", col, 0, last_w - 1)
    row_sets, col_sets = [{row}], [{col}]
    for layer, (h, w) in zip(reversed(layers), reversed(sizes[:-1])):
        row_sets.append(set().union(*(layer.reads(i, h) for i in row_sets[-1])))
        col_sets.append(set().union(*(layer.reads(j, w) for j in col_sets[-1])))
    masks = []
    for rows, cols, shape in zip(reversed(row_sets), reversed(col_sets), sizes):
        mask = np.zeros(shape, bool)
        mask[np.ix_(sorted(rows), sorted(cols))] = True
        masks.append(mask)
    return FieldState(layers, tuple(sizes), (row, col), tuple(masks))


def receptive_field_explorer(model_or_layers: keras.Model | Sequence[LayerSpec],
                             input_size: int | Sequence[int] | None = None) -> Explorer:
    """Row and column sliders picking a unit of the last layer; highlights its field on every layer.

    ``model_or_layers`` is a Keras model (its input height and width are used unless
    ``input_size`` is given) or a list of :class:`LayerSpec` with ``input_size`` (an int or
    (height, width)).

    >>> receptive_field_explorer([LayerSpec("c", 3)], (5, 7)).state.sizes
    ((5, 7), (3, 5))
    """
    from coursekit.widget_display import Explorer, slider

    if isinstance(model_or_layers, (list, tuple)):
        layers = list(model_or_layers)
        if input_size is None:
            raise ValueError("a list of LayerSpec needs input_size (an int or (height, width)).")
    else:
        layers = layers_from_model(model_or_layers)
        input_size = input_size or model_input_size(model_or_layers)
    first = receptive_field_state(layers, input_size)
    last_h, last_w = first.sizes[-1]

    def compute(row: int, col: int) -> FieldState:
        return receptive_field_state(layers, input_size, row, col)

    controls = {"row": slider("row", first.unit[0], 0, last_h - 1, "unit row"),
                "col": slider("col", first.unit[1], 0, last_w - 1, "unit column")}
    return Explorer("receptive-field", compute, controls)
