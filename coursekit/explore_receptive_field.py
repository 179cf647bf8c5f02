"""Receptive-field explorer: a stack of convolution and pooling layers (by hand as
:class:`LayerSpec`, or read from a Keras model with :func:`layers_from_model`); one unit of the
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

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from matplotlib.figure import Figure

from coursekit.explore_steps import check_int
from coursekit.grid_figures import Grid, draw_grids
from coursekit.shapes import conv_output_size, is_integer, receptive_field

if TYPE_CHECKING:
    import keras

    from coursekit.widget_display import Explorer

LEGEND = "orange: the cells the picked unit depends on · red: the picked unit"


@dataclass(frozen=True)
class LayerSpec:
    """One layer of a stack as the receptive field sees it: a square window ``kernel`` moved by
    ``stride``, taps ``dilation`` apart, ``padding`` per side (an int, ``"valid"`` or ``"same"``).

    >>> LayerSpec("conv", 3, stride=2, padding="same").output_size(7)
    4
    """
    name: str
    kernel: int
    stride: int = 1
    padding: int | str = 0
    dilation: int = 1
    kind: str = "conv"

    def __post_init__(self) -> None:
        for field in ("kernel", "stride", "dilation"):
            check_int(f"{self.name}: {field}", getattr(self, field), 1)
        if isinstance(self.padding, str):
            if self.padding not in ("valid", "same"):
                raise ValueError(f"{self.name}: padding must be an int, 'valid' or 'same', got {self.padding!r}.")
        else:
            check_int(f"{self.name}: padding", self.padding, 0)

    @property
    def span(self) -> int:
        """Cells the window covers along one axis: d(k-1) + 1.

        >>> LayerSpec("c", 3, dilation=2).span
        5
        """
        return self.dilation * (self.kernel - 1) + 1

    def pad_before(self, n: int) -> int:
        """Padding on the top (left) side; ``"same"`` puts any odd extra cell at the bottom (right), as TensorFlow.

        >>> LayerSpec("c", 2, padding="same").pad_before(5)
        0
        """
        if self.padding == "valid":
            return 0
        if self.padding == "same":
            return max((math.ceil(n / self.stride) - 1) * self.stride + self.span - n, 0) // 2
        return int(self.padding)

    def output_size(self, n: int) -> int:
        """Output size along one axis for an input of size ``n`` (:func:`coursekit.shapes.conv_output_size`).

        >>> LayerSpec("pool", 2, stride=2).output_size(7)
        3
        """
        return conv_output_size(n, self.kernel, self.stride, self.padding, dilation=self.dilation)

    def reads(self, index: int, n: int) -> set[int]:
        """Input positions (along one axis, of an input of size ``n``) that output ``index`` reads.

        >>> sorted(LayerSpec("c", 3, padding=1).reads(0, 5))
        [0, 1]
        """
        first = index * self.stride - self.pad_before(n)
        return {first + self.dilation * a for a in range(self.kernel) if 0 <= first + self.dilation * a < n}


def _square(value: int | Sequence[int], name: str, layer: keras.layers.Layer) -> int:
    """The one value of a square window setting (Keras stores (h, w) pairs), or a clear error."""
    values = (value,) * 2 if isinstance(value, int) else tuple(value)
    if len(set(values)) != 1:
        raise ValueError(f"layer {layer.name}: {name} {values} is not square; the explorer draws square "
                         "windows only.")
    return int(values[0])


def layers_from_model(model: keras.Model) -> list[LayerSpec]:
    """The convolution, pooling and zero-padding layers of a Keras model, in order.

    Layers that act on each position alone (activations, batch norm, dropout) are skipped; a layer
    that mixes all positions (Flatten, Dense, global pooling) ends the part a receptive field is
    defined for, so it raises: build the model up to the layer before it.

    >>> import keras
    >>> model = keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Conv2D(2, 3), keras.layers.MaxPooling2D()])
    >>> [(spec.kind, spec.kernel, spec.stride) for spec in layers_from_model(model)]
    [('conv', 3, 1), ('max pool', 2, 2)]
    """
    import keras

    L = keras.layers
    positionwise = (L.Activation, L.ReLU, L.LeakyReLU, L.PReLU, L.ELU, L.Softmax, L.BatchNormalization,
                    L.LayerNormalization, L.Dropout, L.SpatialDropout2D, L.GaussianNoise, L.Identity, L.Rescaling,
                    L.InputLayer)
    specs = []
    for layer in model.layers:
        if getattr(layer, "data_format", "channels_last") == "channels_first":
            raise ValueError(f"layer {layer.name} uses data_format='channels_first'; the explorer reads "
                             "channels_last models (Keras's default) only.")
        if isinstance(layer, (L.Conv2DTranspose, L.Conv1D, L.Conv3D)):
            raise ValueError(f"layer {layer.name} ({type(layer).__name__}) is not a 2-D convolution or pooling layer.")
        if isinstance(layer, (L.Conv2D, L.DepthwiseConv2D, L.SeparableConv2D)):
            specs.append(LayerSpec(layer.name, _square(layer.kernel_size, "kernel", layer),
                                   _square(layer.strides, "stride", layer), layer.padding,
                                   _square(layer.dilation_rate, "dilation", layer), "conv"))
        elif isinstance(layer, (L.MaxPooling2D, L.AveragePooling2D)):
            kind = "max pool" if isinstance(layer, L.MaxPooling2D) else "avg pool"
            specs.append(LayerSpec(layer.name, _square(layer.pool_size, "pool size", layer),
                                   _square(layer.strides, "stride", layer), layer.padding, 1, kind))
        elif isinstance(layer, L.ZeroPadding2D):
            sides = {p for pair in layer.padding for p in pair}
            if len(sides) != 1:
                raise ValueError(f"layer {layer.name}: padding {layer.padding} differs between sides; "
                                 "the explorer needs the same padding on every side.")
            specs.append(LayerSpec(layer.name, 1, 1, sides.pop(), 1, "zero padding"))
        elif not isinstance(layer, positionwise):
            raise ValueError(f"layer {layer.name} ({type(layer).__name__}) mixes positions or is not supported; "
                             "give the explorer the convolution/pooling part of the model only.")
    if not specs:
        raise ValueError("the model has no convolution or pooling layer.")
    return specs


def model_input_size(model: keras.Model) -> tuple[int, int]:
    """(height, width) of a channels-last Keras model's input, or a clear error when it is unknown.

    >>> import keras
    >>> model_input_size(keras.Sequential([keras.Input((12, 20, 1)), keras.layers.Conv2D(1, 3)]))
    (12, 20)
    """
    shape = tuple(model.input_shape)
    if len(shape) != 4 or not all(is_integer(side) for side in shape[1:3]):
        raise ValueError(f"the model's input shape {shape} has no fixed height and width; pass "
                         "input_size=(height, width).")
    return int(shape[1]), int(shape[2])


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
