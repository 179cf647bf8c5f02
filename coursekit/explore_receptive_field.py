"""Pooling and receptive-field explorers.

- :func:`pool_state`: max or average pooling stepping over the padded input, the output filling
  in with :func:`coursekit.ops.pool2d`'s values (as :mod:`coursekit.explore_conv` does for
  convolution).
- :func:`receptive_field_state`: a stack of convolution and pooling layers (by hand as
  :class:`LayerSpec`, or read from a Keras model with :func:`layers_from_model`); one unit of
  the last layer and the cells of every earlier layer it depends on, down to the input.

The explorers (:func:`pooling_explorer`, :func:`receptive_field_explorer`) put these on sliders.

Example
-------
>>> stack = [LayerSpec("conv", 3), LayerSpec("pool", 2, stride=2, kind="max pool"), LayerSpec("conv2", 3)]
>>> state = receptive_field_state(stack, 12, row=2, col=2)
>>> state.field_size, state.sizes
((8, 8), (12, 10, 5, 3))
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from coursekit.explore_conv import StepState, as_list, check_int, check_step, window_mask
from coursekit.grid_figures import Grid, draw_grids
from coursekit.ops import pad2d, pool2d

POOL_MODES = {"max": "max pooling", "avg": "average pooling"}


def pool_input(n: int) -> np.ndarray:
    """The fixed n x n input of the pooling explorer: 7·index mod 10, so maxima move around.

    >>> pool_input(2)
    array([[0., 7.],
           [4., 1.]])
    """
    return (7 * np.arange(n * n) % 10).reshape(n, n).astype(float)


def pool_state(n: int = 4, window: int = 2, stride: int | None = None, padding: int = 0, mode: str = "max",
               step: int = 0) -> StepState:
    """Max (``mode="max"``) or average (``"avg"``) pooling of :func:`pool_input` at one step.

    The stride defaults to the window (as in Keras). Padded cells never win a maximum and are
    left out of an average. Padding as wide as the window, or a window wider than the padded
    input, gives no output and a message saying what to change.

    >>> pool_state(n=4, window=2).output
    array([[8., 9.],
           [6., 8.]])
    """
    if mode not in POOL_MODES:
        raise ValueError(f"mode must be one of {tuple(POOL_MODES)}, got {mode!r}.")
    n, w, p = check_int("input size n", n, 1), check_int("window", window, 1), check_int("padding p", padding, 0)
    s = w if stride is None else check_int("stride s", stride, 1)
    X = pool_input(n)
    padded, size = pad2d(X, p), n + 2 * p
    is_padding = ~np.pad(np.ones((n, n), bool), p)
    title = f"{POOL_MODES[mode]}: n = {n}, window {w}×{w}, p = {p}, s = {s}"
    substituted = f"floor(({n} + 2·{p} - {w})/{s}) + 1"
    problem = ""
    if p >= w:
        problem = (f"Does not fit: padding p = {p} is not smaller than the window {w}, so a window at the corner would "
                   f"see padding only. Use padding p ≤ {w - 1} or a larger window.")
    elif w > size:
        problem = (f"Does not fit: the {w}×{w} window is larger than the padded input (n + 2p = {size}). "
                   f"Use a window ≤ {size} or padding p ≥ {math.ceil((w - n) / 2)}.")
    if problem:
        return StepState(title, f"floor((n + 2p - k)/s) + 1 = {substituted}: no output",
                         (Grid("padded input", padded, muted=is_padding),), np.zeros_like(is_padding),
                         np.zeros((0, 0)), 0, 1, (), problem)
    output = pool2d(X, w, stride=s, padding=p, mode=mode)
    m_h, m_w = output.shape
    n_steps = m_h * m_w
    step = check_step(step, n_steps)
    i, j = divmod(step, m_w)
    window_cells = window_mask(padded.shape, i * s, j * s, w, 1)
    visited = np.zeros(padded.shape, bool)
    for a, b in np.ndindex(m_h, m_w):
        visited |= window_mask(padded.shape, a * s, b * s, w, 1)
    leftover = (size - w) % s
    message = ""
    if leftover:
        message = (f"Stride {s} leaves the last {leftover} row(s) and column(s) unused (hatched): "
                   f"(n + 2p - k)/s = {size - w}/{s} is not a whole number, so the output is rounded down to "
                   f"{m_h}×{m_w}. Try input size {n + s - leftover}, or a stride that divides {size - w}.")
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
                  muted=is_padding, unused=~visited & (leftover > 0)),
             Grid(f"output ({m_h}×{m_w})", filled, target=target))
    formula = f"floor((n + 2p - k)/s) + 1 = {substituted} = floor({size - w}/{s}) + 1 = {m_h}"
    return StepState(title, formula, grids, window_cells, output, step, n_steps, lines, message)


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

    def __post_init__(self):
        for field in ("kernel", "stride", "dilation"):
            check_int(f"{self.name}: {field}", getattr(self, field), 1)
        if isinstance(self.padding, str):
            if self.padding not in ("valid", "same"):
                raise ValueError(f"{self.name}: padding must be an int, 'valid' or 'same', got {self.padding!r}.")
        else:
            check_int(f"{self.name}: padding", self.padding, 0)

    @property
    def span(self) -> int:
        return self.dilation * (self.kernel - 1) + 1

    def pad_before(self, n: int) -> int:
        """Padding on the top (left) side; ``"same"`` puts any odd extra cell at the bottom (right), as TensorFlow."""
        if self.padding == "valid":
            return 0
        if self.padding == "same":
            return max((math.ceil(n / self.stride) - 1) * self.stride + self.span - n, 0) // 2
        return int(self.padding)

    def output_size(self, n: int) -> int:
        if self.padding == "same":
            return math.ceil(n / self.stride)
        size = n + 2 * self.pad_before(n) - self.span
        if size < 0:
            raise ValueError(f"layer {self.name}: its window spans {self.span} cells but its padded input has "
                             f"only {n + 2 * self.pad_before(n)}.")
        return size // self.stride + 1

    def reads(self, index: int, n: int) -> set[int]:
        """Input positions (along one axis, of an input of size ``n``) that output ``index`` reads."""
        first = index * self.stride - self.pad_before(n)
        return {first + self.dilation * a for a in range(self.kernel) if 0 <= first + self.dilation * a < n}


def _square(value, name: str, layer) -> int:
    values = (value,) * 2 if isinstance(value, int) else tuple(value)
    if len(set(values)) != 1:
        raise ValueError(f"layer {layer.name}: {name} {values} is not square; the explorer draws square "
                         "windows only.")
    return int(values[0])


def layers_from_model(model) -> list[LayerSpec]:
    """The convolution, pooling and zero-padding layers of a Keras model, in order.

    Layers that act on each position alone (activations, batch norm, dropout) are skipped; a layer
    that mixes all positions (Flatten, Dense, global pooling) ends the part a receptive field is
    defined for, so it raises: build the model up to the layer before it.
    """
    import keras

    L = keras.layers
    positionwise = (L.Activation, L.ReLU, L.LeakyReLU, L.PReLU, L.ELU, L.Softmax, L.BatchNormalization,
                    L.LayerNormalization, L.Dropout, L.SpatialDropout2D, L.GaussianNoise, L.Identity, L.Rescaling,
                    L.InputLayer)
    specs = []
    for layer in model.layers:
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


@dataclass(frozen=True)
class FieldState:
    """One unit of the last layer and the cells of every layer it depends on (index 0 = input)."""
    layers: tuple[LayerSpec, ...]
    sizes: tuple[int, ...]
    unit: tuple[int, int]
    masks: tuple[np.ndarray, ...]

    @property
    def field_size(self) -> tuple[int, int]:
        """Height and width of the input region (first to last highlighted row/column)."""
        rows, cols = np.nonzero(self.masks[0])
        return int(rows.max() - rows.min() + 1), int(cols.max() - cols.min() + 1)

    @property
    def theoretical_size(self) -> int:
        """1 + sum of d(k-1) times the strides before: the field away from the borders."""
        field, jump = 1, 1
        for layer in self.layers:
            field += (layer.span - 1) * jump
            jump *= layer.stride
        return field

    def figure(self):
        grids = [Grid(f"input {self.sizes[0]}×{self.sizes[0]}", np.zeros((self.sizes[0],) * 2),
                      highlight=self.masks[0], annotate=False)]
        for index, (layer, size) in enumerate(zip(self.layers, self.sizes[1:]), start=1):
            target = np.zeros((size, size), bool)
            if index == len(self.layers):
                target[self.unit] = True
            grids.append(Grid(f"{layer.name} {size}×{size}", np.zeros((size, size)), highlight=self.masks[index],
                              target=target, annotate=False))
        h, w = self.field_size
        return draw_grids(grids, f"receptive field of unit {self.unit} of {self.layers[-1].name}: {h}×{w} input "
                                 f"pixels (away from the borders {self.theoretical_size}×{self.theoretical_size})")

    def text(self) -> str:
        lines = [f"unit {self.unit} of the last layer ({self.layers[-1].name})"]
        for index, size in enumerate(self.sizes):
            name = "input" if index == 0 else self.layers[index - 1].name
            rows, cols = np.nonzero(self.masks[index])
            detail = "" if index == 0 else (f" ({self.layers[index - 1].kind} {self.layers[index - 1].kernel}×"
                                            f"{self.layers[index - 1].kernel}, stride {self.layers[index - 1].stride}"
                                            + (f", dilation {self.layers[index - 1].dilation}"
                                               if self.layers[index - 1].dilation > 1 else "")
                                            + f", padding {self.layers[index - 1].padding})")
            lines.append(f"{name}{detail}: {size}×{size}, depends on rows {rows.min()}..{rows.max()}, "
                         f"columns {cols.min()}..{cols.max()} ({int(self.masks[index].sum())} cells)")
        h, w = self.field_size
        lines.append(f"receptive field on the input: {h}×{w}; away from the borders "
                     f"1 + Σ d(k-1)·(product of earlier strides) = {self.theoretical_size}")
        return "\n".join(lines)


def receptive_field_state(layers: Sequence[LayerSpec], input_size: int, row: int | None = None,
                          col: int | None = None) -> FieldState:
    """The cells of every layer that unit (``row``, ``col``) of the last layer depends on.

    Works axis by axis: an output position reads ``index·s - pad + d·a`` for ``a < k`` (inside
    the input), and a 2-D unit depends on every (row, column) pair of those sets. ``row`` and
    ``col`` default to the centre of the last layer.
    """
    layers = tuple(layers)
    if not layers or not all(isinstance(layer, LayerSpec) for layer in layers):
        raise TypeError("layers must be a non-empty sequence of LayerSpec (see layers_from_model).")
    sizes = [check_int("input_size", input_size, 1)]
    for layer in layers:
        sizes.append(layer.output_size(sizes[-1]))
    last = sizes[-1]
    row = last // 2 if row is None else check_int("row", row, 0, last - 1)
    col = last // 2 if col is None else check_int("col", col, 0, last - 1)
    row_sets, col_sets = [{row}], [{col}]
    for layer, n in zip(reversed(layers), reversed(sizes[:-1])):
        row_sets.append(set().union(*(layer.reads(i, n) for i in row_sets[-1])))
        col_sets.append(set().union(*(layer.reads(j, n) for j in col_sets[-1])))
    masks = []
    for rows, cols, n in zip(reversed(row_sets), reversed(col_sets), sizes):
        mask = np.zeros((n, n), bool)
        mask[np.ix_(sorted(rows), sorted(cols))] = True
        masks.append(mask)
    return FieldState(layers, tuple(sizes), (row, col), tuple(masks))


def pooling_explorer(n: int = 4, window: int = 2, stride: int = 2, padding: int = 0, mode: str = "max"):
    """Sliders for n, window, stride, padding, a max/average menu and play/step controls over :func:`pool_state`."""
    from coursekit.widget_display import Explorer, dropdown, slider, step_controls

    first = pool_state(n, window, stride, padding, mode)
    controls = {"mode": dropdown("mode", list(POOL_MODES), mode, "pooling"),
                "n": slider("n", n, 1, max(9, n), "input n"), "window": slider("window", window, 1, max(4, window), "window"),
                "stride": slider("stride", stride, 1, max(4, stride), "stride s"),
                "padding": slider("padding", padding, 0, max(2, padding), "padding p")}
    return Explorer("pooling", pool_state, controls, steps=step_controls(first.n_steps))


def receptive_field_explorer(model_or_layers, input_size: int | None = None):
    """Row and column sliders picking a unit of the last layer; highlights its field on every layer.

    ``model_or_layers`` is a Keras model (its input size is used unless ``input_size`` is given)
    or a list of :class:`LayerSpec` with ``input_size``.
    """
    from coursekit.widget_display import Explorer, slider

    if isinstance(model_or_layers, (list, tuple)):
        layers = list(model_or_layers)
    else:
        layers = layers_from_model(model_or_layers)
        input_size = input_size or model_or_layers.input_shape[1]
    if input_size is None:
        raise ValueError("give input_size with a list of layers.")
    first = receptive_field_state(layers, input_size)
    last = first.sizes[-1]

    def compute(row: int, col: int) -> FieldState:
        return receptive_field_state(layers, input_size, row, col)

    controls = {"row": slider("row", first.unit[0], 0, last - 1, "unit row"),
                "col": slider("col", first.unit[1], 0, last - 1, "unit column")}
    return Explorer("receptive-field", compute, controls)
