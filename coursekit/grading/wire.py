"""Plain data across the grading boundary: what the checks send to a student's kernel and get back.

Used on both sides: by the grader, and by the student's kernel, which runs this file's source
(read by the sandbox runner; it imports nothing from coursekit). Only data crosses: JSON with
NumPy arrays as ``.npy`` bytes (loaded with ``allow_pickle=False``) and Keras models as their
JSON config and weights. Nothing is unpickled, and a model config is rebuilt only from Keras's
own layers (:data:`KERAS_CLASSES`), so whatever a submission returns is data for the checks to
compare, never code the grader runs.

>>> decode(encode({"y": np.arange(3), "shape": (2, 2)}))["shape"]
(2, 2)
"""
from __future__ import annotations

import base64
import io
import json
from typing import Any

import numpy as np

MAX_BYTES = 64 * 2**20  # one message; a bigger one is refused
# What a model sent to the grader may hold: rebuilding and running it costs the grader's time.
MAX_LAYERS, MAX_PARAMETERS, MAX_PROBE_VALUES = 300, 30_000_000, 2_000_000
# What a rebuilt model may contain: Keras's layers, initializers, regularizers, constraints.
KERAS_CLASSES = frozenset("""
Functional Sequential Model InputLayer Conv1D Conv2D Conv3D Conv2DTranspose DepthwiseConv2D
SeparableConv2D Dense Activation ReLU LeakyReLU ELU Softmax PReLU BatchNormalization
LayerNormalization GroupNormalization MaxPooling2D AveragePooling2D MaxPooling1D AveragePooling1D
GlobalAveragePooling2D GlobalMaxPooling2D GlobalAveragePooling1D GlobalMaxPooling1D Flatten Reshape
Permute Concatenate Add Subtract Multiply Average Maximum Dropout SpatialDropout2D GaussianNoise
GaussianDropout ZeroPadding2D Cropping2D UpSampling2D Rescaling Normalization Resizing RandomFlip
RandomTranslation RandomRotation RandomZoom RandomCrop Identity
GlorotUniform GlorotNormal HeUniform HeNormal LecunUniform LecunNormal Zeros Ones Constant
RandomNormal RandomUniform TruncatedNormal Orthogonal VarianceScaling L1 L2 L1L2 MaxNorm NonNeg
UnitNorm MinMaxNorm DTypePolicy FloatDTypePolicy __keras_tensor__
""".split())
KERAS_FUNCTIONS = ("keras.activations", "keras.src.activations")  # activations passed as functions


class WireError(ValueError):
    """A value that cannot cross the boundary (an unknown type, a refused model, too big)."""


def _array_to_text(array: np.ndarray) -> str:
    if array.dtype.kind not in "biufc":  # bfloat16 and other extension types travel as float32
        array = array.astype(np.float32) if array.dtype.kind == "V" else array
        if array.dtype.kind not in "biufc":
            raise WireError(f"an array of dtype {array.dtype} cannot be graded (numbers or booleans expected)")
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _text_to_array(text: str) -> np.ndarray:
    array = np.load(io.BytesIO(base64.b64decode(text)), allow_pickle=False)
    if array.dtype.kind not in "biufc":
        raise WireError(f"refused an array of dtype {array.dtype}")
    return array


def _is_keras_model(value: Any) -> bool:
    return any(c.__name__ in ("Functional", "Sequential", "Model") and c.__module__.startswith("keras")
               for c in type(value).__mro__)


def _model_to_data(model: Any) -> dict:
    """Config, weights, trainable flags, and the model's own output on a probe input (if it has
    one fixed input shape), so the rebuilt model can be checked against the original."""
    data = {"config": model.to_json(), "weights": [_array_to_text(np.asarray(w)) for w in model.get_weights()],
            "trainable": trainable_flags(model)}
    shapes = getattr(model, "inputs", None) or []
    if len(shapes) == 1 and all(d is not None for d in tuple(shapes[0].shape)[1:]):
        probe = np.random.default_rng(0).normal(size=(2, *tuple(shapes[0].shape)[1:])).astype("float32")
        data["probe"] = [_array_to_text(probe), _array_to_text(np.asarray(model(probe, training=False)))]
    return data


def _check_config(node: Any) -> None:
    """Refuse a model config that names anything but Keras's own classes (or a Lambda's code)."""
    if isinstance(node, dict):
        if "class_name" in node and "config" in node:
            module = str(node.get("module") or "keras")
            allowed = node["class_name"] in KERAS_CLASSES or (node["class_name"] == "function"
                                                               and module.startswith(KERAS_FUNCTIONS))
            if not allowed or not module.startswith("keras"):
                raise WireError(f"refused a model containing {node['class_name']!r} ({module})")
        for value in node.values():
            _check_config(value)
    elif isinstance(node, list):
        for value in node:
            _check_config(value)


def _data_to_model(data: dict) -> Any:
    import keras

    config = json.loads(data["config"])
    _check_config(config)
    layers = json.dumps(config).count('"class_name"')
    weights = [_text_to_array(w) for w in data["weights"]]
    if layers > MAX_LAYERS or sum(w.size for w in weights) > MAX_PARAMETERS:
        raise WireError(f"refused a model with {layers} config entries and {sum(w.size for w in weights):,} "
                        f"parameters (at most {MAX_LAYERS} and {MAX_PARAMETERS:,})")
    probe = [_text_to_array(t) for t in data["probe"]] if "probe" in data else None
    if probe is not None and (len(probe[0]) != 2 or probe[0].size > MAX_PROBE_VALUES):
        raise WireError("refused a model whose probe input is not 2 examples of a modest size")
    model = keras.models.model_from_json(data["config"])
    model.set_weights(weights)
    apply_trainable(model, data["trainable"])
    if probe is not None:
        expected = probe[1]
        rebuilt = np.asarray(model(probe[0], training=False), dtype=np.float64)
        if rebuilt.shape != expected.shape or not np.allclose(rebuilt, expected, rtol=1e-3, atol=1e-4):
            raise WireError("the model does not compute what its own description says (was Keras changed?)")
    return model


def trainable_flags(layer: Any) -> list:
    """``[layer.trainable, [flags of each sub-layer]]``, down through nested models."""
    return [bool(layer.trainable), [trainable_flags(sub) for sub in getattr(layer, "layers", [])]]


def apply_trainable(layer: Any, flags: list) -> None:
    """Set the flags :func:`trainable_flags` recorded, outside in (Keras passes a change of a
    model's flag down to all its layers, so each level is set before the levels inside it)."""
    whole, inner = flags
    if layer.trainable != whole:
        layer.trainable = whole
    for sub, sub_flags in zip(getattr(layer, "layers", []), inner):
        apply_trainable(sub, sub_flags)


def to_data(value: Any, depth: int = 0) -> Any:
    """``value`` as JSON-able data; arrays, tensors and Keras models in tagged form."""
    if depth > 50:
        raise WireError("the value is nested too deeply")
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)):
        items = [to_data(v, depth + 1) for v in value]
        return items if isinstance(value, list) else {"__tuple__": items}
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            raise WireError("only dictionaries with string keys can be graded")
        return {"__dict__": {k: to_data(v, depth + 1) for k, v in value.items()}}
    if isinstance(value, (np.ndarray, np.generic)):
        return {"__array__": _array_to_text(np.asarray(value)), "scalar": isinstance(value, np.generic)}
    if _is_keras_model(value):
        return {"__model__": _model_to_data(value)}
    if hasattr(value, "numpy") or hasattr(value, "__array__"):  # TensorFlow tensors, Keras variables
        try:
            return {"__array__": _array_to_text(np.asarray(value)), "scalar": False}
        except (TypeError, ValueError) as error:
            raise WireError(f"a {type(value).__name__} cannot be graded: {error}") from None
    raise WireError(f"a {type(value).__name__} cannot be graded (numbers, arrays, lists, tuples, "
                    "dictionaries, strings or Keras models expected)")


def from_data(data: Any) -> Any:
    """The inverse of :func:`to_data`."""
    if isinstance(data, list):
        return [from_data(v) for v in data]
    if not isinstance(data, dict):
        return data
    if "__tuple__" in data:
        return tuple(from_data(v) for v in data["__tuple__"])
    if "__dict__" in data:
        return {str(k): from_data(v) for k, v in data["__dict__"].items()}
    if "__array__" in data:
        array = _text_to_array(data["__array__"])
        return array[()] if data.get("scalar") else array
    if "__model__" in data:
        return _data_to_model(data["__model__"])
    raise WireError("unknown data")


def encode(value: Any) -> str:
    """``value`` as one line of JSON text."""
    text = json.dumps(to_data(value), allow_nan=True)
    if len(text) > MAX_BYTES:
        raise WireError(f"the value is larger than {MAX_BYTES // 2**20} MB")
    return text


def decode(text: str) -> Any:
    """The value :func:`encode` wrote."""
    if len(text) > MAX_BYTES:
        raise WireError(f"refused a message larger than {MAX_BYTES // 2**20} MB")
    return from_data(json.loads(text))
