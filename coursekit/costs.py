"""Parameter and multiply-accumulate (MAC) counts of Keras models, layer by layer.

A MAC is one multiplication added to a running sum, the unit papers use for "FLOPs" of a
convolution (1 MAC is about 2 FLOPs). Counts are per example and leave out biases,
activations and normalisation, which cost far less than the products. Pooling layers are
counted as one operation per input value their windows read, so their (small) cost shows.

Example
-------
>>> import keras
>>> model = keras.Sequential([keras.Input((32, 32, 3)), keras.layers.Conv2D(10, 5, padding="same")])
>>> count_macs(model)  # 32 * 32 outputs * 10 filters * (5 * 5 * 3) weights each
768000
"""
from __future__ import annotations

import math

import pandas as pd

_CONV = ("Conv1D", "Conv2D", "Conv3D")
_DEPTHWISE = ("DepthwiseConv1D", "DepthwiseConv2D")
_SEPARABLE = ("SeparableConv1D", "SeparableConv2D")
_TRANSPOSED = ("Conv1DTranspose", "Conv2DTranspose", "Conv3DTranspose")
_POOL = ("MaxPooling1D", "MaxPooling2D", "MaxPooling3D",
         "AveragePooling1D", "AveragePooling2D", "AveragePooling3D")
_GLOBAL_POOL = ("GlobalAveragePooling1D", "GlobalAveragePooling2D", "GlobalAveragePooling3D",
                "GlobalMaxPooling1D", "GlobalMaxPooling2D", "GlobalMaxPooling3D")


def _shape(tensor) -> tuple[int, ...]:
    return tuple(int(d) for d in tensor.shape[1:])  # drop the batch dimension


def _channels_last(layer) -> bool:
    fmt = getattr(layer, "data_format", "channels_last")
    if fmt != "channels_last":
        raise NotImplementedError(f"{layer.name}: only channels_last layers are counted, got {fmt}.")
    return True


def layer_macs(layer) -> int:
    """MACs per example of one built Keras layer (0 for layers without products)."""
    kind = type(layer).__name__
    if kind == "Dense":
        in_shape = _shape(layer.input)
        return math.prod(in_shape[:-1]) * in_shape[-1] * layer.units
    if kind in _CONV + _DEPTHWISE + _SEPARABLE + _TRANSPOSED + _POOL + _GLOBAL_POOL:
        _channels_last(layer)
        in_shape, out_shape = _shape(layer.input), _shape(layer.output)
        c_in, out_positions = in_shape[-1], math.prod(out_shape[:-1])
        if kind in _GLOBAL_POOL:
            return math.prod(in_shape)
        if kind in _POOL:
            return math.prod(out_shape) * math.prod(layer.pool_size)
        window = math.prod(layer.kernel_size)
        if kind in _CONV:
            return out_positions * layer.filters * window * c_in // layer.groups
        if kind in _TRANSPOSED:  # every input value is scattered through the whole kernel
            return math.prod(in_shape[:-1]) * c_in * window * layer.filters
        depthwise = out_positions * c_in * layer.depth_multiplier * window
        if kind in _DEPTHWISE:
            return depthwise
        return depthwise + out_positions * c_in * layer.depth_multiplier * layer.filters
    return 0


def _leaf_layers(model, prefix: str = ""):
    for layer in model.layers:
        if hasattr(layer, "layers") and layer.layers:  # a nested model or block
            yield from _leaf_layers(layer, prefix + layer.name + "/")
        else:
            yield prefix + layer.name, layer


def layer_table(model, total: bool = True) -> pd.DataFrame:
    """One row per layer: name, type, output shape (per example), parameters and MACs.

    The model must be built (give it an ``Input`` or call it once). With ``total=True`` a last
    row sums the parameters and MACs.
    """
    if not model.built:
        raise ValueError("the model is not built: start it with keras.Input(shape) or call it once.")
    rows = []
    for name, layer in _leaf_layers(model):
        if type(layer).__name__ == "InputLayer":
            continue
        rows.append({
            "layer": name,
            "type": type(layer).__name__,
            "output shape": _shape(layer.output),
            "params": int(layer.count_params()),
            "MACs": int(layer_macs(layer)),
        })
    table = pd.DataFrame(rows, columns=["layer", "type", "output shape", "params", "MACs"])
    if total:
        table.loc[len(table)] = ["total", "", "", int(table["params"].sum()), int(table["MACs"].sum())]
    return table


def count_macs(model) -> int:
    """Total MACs per example of a built Keras model (sum of :func:`layer_macs`)."""
    return int(layer_table(model, total=False)["MACs"].sum())


def count_params(model) -> int:
    """Total number of parameters (trainable and not) of a built Keras model."""
    return int(model.count_params())
