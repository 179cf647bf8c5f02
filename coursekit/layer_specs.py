"""A stack of 2-D convolution and pooling layers as the windows they move over their input:
:class:`LayerSpec` per layer, written by hand or read from a Keras model with
:func:`layers_from_model`. What receptive fields are computed from.

Example
-------
>>> [spec.output_size(28) for spec in (LayerSpec("conv", 5, padding="same"), LayerSpec("pool", 2, stride=2))]
[28, 14]
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from coursekit.explore_steps import check_int
from coursekit.shapes import conv_output_size, is_integer

if TYPE_CHECKING:
    import keras


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
