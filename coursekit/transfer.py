"""Transfer learning helpers: the pretrained source network, feature extraction, ImageNet bases.

The course ships a small CNN pretrained on five Fashion-MNIST classes (``data/weights/small_cnn_fashion``:
the Keras weights file and a manifest with its SHA-256, the recipe and the accuracy it reached;
``scripts/pretrain_source.py`` makes both again). :func:`load_source_cnn` verifies and loads
it. :func:`feature_extractor` turns any Keras model into one that returns globally pooled
activations of chosen layers, and :func:`extract_features` runs it over image arrays, so a
linear classifier from scikit-learn can be trained on them. :func:`imagenet_base` builds a
``keras.applications`` network with ImageNet weights behind the same 28x28 grayscale input;
where the weights cannot be fetched (no internet, a server too slow) it raises
:class:`WeightsUnavailable` within ``timeout`` seconds in all, naming the file to copy into the
Keras cache instead.

Example
-------
>>> model = load_source_cnn()                                   # doctest: +SKIP
>>> extract_features(feature_extractor(model), x_digits).shape  # doctest: +SKIP
(500, 128)
"""
from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

import keras
import numpy as np

from coursekit.data import (
    DatasetNotFound,
    Deadline,
    as_float_images,
    data_roots,
    download_file,
    download_timeout,
    keras_cache_dir,
    verify,
)
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


class ImageNetBase(NamedTuple):
    """A ``keras.applications`` network usable by :func:`imagenet_base`."""

    constructor: str  # the name in keras.applications
    module: str  # the keras.applications module with its preprocess_input
    smallest: int  # smallest input side
    weights_url: str  # where Keras fetches its ImageNet weights without the classifier ({rows}: input side)


IMAGENET_BASES = {
    "MobileNetV2": ImageNetBase("MobileNetV2", "mobilenet_v2", 32,
                                "https://storage.googleapis.com/tensorflow/keras-applications/mobilenet_v2/"
                                "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_{rows}_no_top.h5"),
    "EfficientNetB0": ImageNetBase("EfficientNetB0", "efficientnet", 32,
                                   "https://storage.googleapis.com/keras-applications/efficientnetb0_notop.h5"),
}
#: Input sides with their own MobileNetV2 weights; Keras uses the 224 ones for any other side.
MOBILENET_ROWS = (96, 128, 160, 192, 224)


def imagenet_weights(name: str, size: int, timeout: float | None = None) -> Path:
    """The weights file of ``name`` for ``size`` x ``size`` inputs in the Keras cache (``~/.keras/models``).

    A missing file is downloaded there within ``timeout`` seconds in all (default
    ``$COURSEKIT_DOWNLOAD_TIMEOUT`` or 20), complete or not at all; otherwise
    :class:`WeightsUnavailable` says why and which file to copy there instead.
    """
    url = IMAGENET_BASES[name].weights_url.format(rows=size if size in MOBILENET_ROWS else 224)
    path = keras_cache_dir().parent / "models" / url.rsplit("/", 1)[-1]
    if path.exists():
        return path
    try:
        return download_file(url, path, Deadline.after(download_timeout(timeout)))
    except DatasetNotFound as error:
        raise WeightsUnavailable(
            f"{name} ImageNet weights {error}. To use them offline, download {url} on a machine with "
            f"internet and copy it into {path.parent}. The course's own pretrained CNN (load_source_cnn) "
            "needs no download.") from error


def imagenet_base(name: str = "MobileNetV2", *, input_shape: Sequence[int] = (28, 28, 1),
                  size: int = 96, timeout: float | None = None) -> keras.Model:
    """A ``keras.applications`` network with ImageNet weights behind the course's image input.

    The returned model takes images in [0, 1] shaped ``input_shape`` (grayscale is repeated to
    three channels), resizes them to ``size`` x ``size``, applies the network's own
    preprocessing and ends in global average pooling (layer ``"features"``), so the same
    :func:`extract_features` and head-training code works as with :func:`load_source_cnn`.
    Weights come from the Keras cache (``~/.keras/models``) or are downloaded there by
    :func:`imagenet_weights`; when that fails, :class:`WeightsUnavailable` is raised within
    ``timeout`` seconds (default ``$COURSEKIT_DOWNLOAD_TIMEOUT`` or 20).
    """
    if name not in IMAGENET_BASES:
        raise ValueError(f"unknown ImageNet base {name!r}; choose one of {sorted(IMAGENET_BASES)}.")
    constructor, module, smallest, _ = IMAGENET_BASES[name]
    if size < smallest:
        raise ValueError(f"{name} needs inputs of at least {smallest}x{smallest} pixels, got size={size}.")
    weights = imagenet_weights(name, size, timeout)
    applications = keras.applications
    try:
        base = getattr(applications, constructor)(include_top=False, weights=str(weights),
                                                  input_shape=(size, size, 3))
    except (OSError, ValueError) as error:  # h5py cannot read the file, or its layers do not match
        raise WeightsUnavailable(f"{weights} could not be loaded ({error}); delete or replace this file.") from error
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
