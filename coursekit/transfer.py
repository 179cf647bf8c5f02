"""Transfer learning helpers: the pretrained source network, feature extraction, ImageNet bases.

The course ships a small CNN pretrained on five Fashion-MNIST classes (``data/weights/small_cnn_fashion``:
the Keras weights file and a manifest with its SHA-256, the recipe and the accuracy it reached;
``scripts/pretrain_source.py`` makes both again). :func:`load_source_cnn` verifies and loads
it. :func:`feature_extractor` turns any Keras model into one that returns globally pooled
activations of chosen layers, and :func:`extract_features` runs it over image arrays, so a
linear classifier from scikit-learn can be trained on them. :func:`imagenet_base` builds a
``keras.applications`` network with ImageNet weights behind the same 28x28 grayscale input;
where the weights cannot be fetched (no internet) it raises :class:`WeightsUnavailable`
within ``timeout`` seconds, naming the file to copy into the Keras cache instead.

Example
-------
>>> model = load_source_cnn()                                   # doctest: +SKIP
>>> extract_features(feature_extractor(model), x_digits).shape  # doctest: +SKIP
(500, 128)
"""
from __future__ import annotations

import contextlib
import json
import socket
from collections.abc import Sequence
from pathlib import Path

import keras
import numpy as np

from coursekit.data import DatasetNotFound, as_float_images, data_roots, download_timeout, keras_cache_dir, verify
from coursekit.models import small_cnn

SOURCE_NAME = "small_cnn_fashion"
#: The Fashion-MNIST classes the shipped source network learned (T-shirt/top ... Coat); lesson 14
#: transfers it to the other five and to MNIST digits.
SOURCE_CLASSES = (0, 1, 2, 3, 4)
WEIGHTS_SUBDIR = "weights"


class WeightsUnavailable(RuntimeError):
    """Pretrained weights are not on this machine and could not be downloaded."""


def weights_dirs() -> list[Path]:
    """Folders searched for pretrained weights: ``$COURSEKIT_DATA/weights``, then ``data/weights``."""
    return [root / WEIGHTS_SUBDIR for root in data_roots()]


def read_manifest(name: str = SOURCE_NAME) -> tuple[Path, dict]:
    """Find ``<name>.weights.h5`` with its ``<name>.json`` manifest, verify the SHA-256, return both.

    Raises :class:`DatasetNotFound` naming the folders searched and the script that makes the
    weights, or :class:`~coursekit.data.ChecksumError` for a damaged or different file.
    """
    for folder in weights_dirs():
        weights, manifest = folder / f"{name}.weights.h5", folder / f"{name}.json"
        if weights.is_file() and manifest.is_file():
            info = json.loads(manifest.read_text())
            verify(weights, info["sha256"])
            return weights, info
    raise DatasetNotFound(
        f"pretrained weights {name}.weights.h5 with {name}.json were not found in "
        f"{[str(d) for d in weights_dirs()]}; they ship with the course in data/weights/ "
        "(run `python scripts/pretrain_source.py` to train them again).")


def load_source_cnn(name: str = SOURCE_NAME) -> keras.Model:
    """The small CNN pretrained on Fashion-MNIST (:func:`coursekit.models.small_cnn`), weights verified.

    The manifest's recipe (``model.source_info``) says how it was trained and what it reached.
    """
    weights, info = read_manifest(name)
    model = small_cnn(**info["builder_kwargs"])
    model.load_weights(weights)
    model.source_info = info
    return model


def feature_extractor(model: keras.Model, layers: Sequence[str] | str = "features") -> keras.Model:
    """A model from ``model``'s input to the named layers' outputs, feature maps globally averaged.

    One name gives one output array of shape (N, channels); several names give a list. The
    returned model shares ``model``'s layers (and weights): nothing is copied.

    >>> from coursekit.models import small_cnn
    >>> extractor = feature_extractor(small_cnn(), ["block1_relu", "features"])
    >>> [tuple(t.shape) for t in extractor.outputs]
    [(None, 32), (None, 128)]
    """
    names = [layers] if isinstance(layers, str) else list(layers)
    known = [layer.name for layer in model.layers]
    missing = [name for name in names if name not in known]
    if missing:
        raise ValueError(f"{model.name} has no layer {missing}; its layers are {known}.")
    outputs = []
    for name in names:
        output = model.get_layer(name).output
        if len(output.shape) == 4:
            output = keras.layers.GlobalAveragePooling2D(name=f"{name}_gap")(output)
        elif len(output.shape) != 2:
            raise ValueError(f"layer {name} outputs shape {output.shape}; expected (N, C) or (N, H, W, C).")
        outputs.append(output)
    return keras.Model(model.input, outputs[0] if isinstance(layers, str) else outputs,
                       name=f"{model.name}_features")


def extract_features(extractor: keras.Model, x: np.ndarray, batch_size: int = 256):
    """Run ``extractor`` (inference mode) over uint8 images (N, H, W[, C]); NumPy feature arrays.

    The model is called batch by batch rather than through ``predict``, which would trace a
    new graph for every new extractor (lessons build many) and warn about it.
    """
    images = as_float_images(x)
    expected = tuple(extractor.inputs[0].shape[1:])
    if images.shape[1:] != expected:
        raise ValueError(f"{extractor.name} expects images shaped {expected}, got {images.shape[1:]}.")
    batches = [extractor(images[i:i + batch_size], training=False) for i in range(0, len(images), batch_size)]
    if isinstance(batches[0], (list, tuple)):
        return [np.concatenate([np.asarray(b[k]) for b in batches]) for k in range(len(batches[0]))]
    return np.concatenate([np.asarray(b) for b in batches])


@contextlib.contextmanager
def _socket_timeout(seconds: float):
    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(seconds)
    try:
        yield
    finally:
        socket.setdefaulttimeout(previous)


IMAGENET_BASES = {
    # name: (keras.applications constructor, its preprocess_input module, smallest input side)
    "MobileNetV2": ("MobileNetV2", "mobilenet_v2", 32),
    "EfficientNetB0": ("EfficientNetB0", "efficientnet", 32),
}


def imagenet_base(name: str = "MobileNetV2", *, input_shape: Sequence[int] = (28, 28, 1),
                  size: int = 96, timeout: float | None = None) -> keras.Model:
    """A ``keras.applications`` network with ImageNet weights behind the course's image input.

    The returned model takes images in [0, 1] shaped ``input_shape`` (grayscale is repeated to
    three channels), resizes them to ``size`` x ``size``, applies the network's own
    preprocessing and ends in global average pooling (layer ``"features"``), so the same
    :func:`extract_features` and head-training code works as with :func:`load_source_cnn`.
    Weights come from the Keras cache (``~/.keras/models``) or are downloaded there; when that
    fails, :class:`WeightsUnavailable` is raised within ``timeout`` seconds (default
    ``$COURSEKIT_DOWNLOAD_TIMEOUT`` or 20).
    """
    if name not in IMAGENET_BASES:
        raise ValueError(f"unknown ImageNet base {name!r}; choose one of {sorted(IMAGENET_BASES)}.")
    constructor, module, smallest = IMAGENET_BASES[name]
    if size < smallest:
        raise ValueError(f"{name} needs inputs of at least {smallest}x{smallest} pixels, got size={size}.")
    timeout = download_timeout(timeout)
    applications = keras.applications
    try:
        with _socket_timeout(timeout):
            base = getattr(applications, constructor)(include_top=False, weights="imagenet",
                                                      input_shape=(size, size, 3))
    except Exception as error:  # Keras wraps every download failure in a bare Exception
        raise WeightsUnavailable(
            f"{name} ImageNet weights could not be loaded ({error}). To use them offline, download "
            f"the file named above on a machine with internet and copy it into {keras_cache_dir().parent / 'models'}. "
            "The course's own pretrained CNN (load_source_cnn) needs no download."
        ) from error
    base.trainable = False
    preprocess = getattr(applications, module).preprocess_input
    inputs = keras.Input(tuple(input_shape), name="image")
    x = keras.layers.Resizing(size, size, name="resize")(inputs)
    if x.shape[-1] == 1:
        x = keras.layers.Concatenate(name="to_rgb")([x, x, x])
    x = keras.layers.Lambda(lambda images: preprocess(images * 255.0), name="preprocess")(x)
    x = base(x, training=False)
    features = keras.layers.GlobalAveragePooling2D(name="features")(x)
    return keras.Model(inputs, features, name=f"{name.lower()}_imagenet")
