"""Builders for the course's architectures: LeNet-5, AlexNet, VGG, NiN, GoogLeNet and ResNet.

Every builder takes ``input_shape`` and ``num_classes`` and a ``width`` multiplier for the
channels, so the same code builds the paper-scale network (whose parameter and MAC counts
the lessons compare with the published ones) and a narrow version for 28x28 Fashion-MNIST
that trains in minutes on a laptop CPU. One builder departs from its paper: ``resnet(50)`` is
ResNet "v1.5" (torchvision's), with the stride of a size-halving bottleneck block in its 3x3
convolution rather than the first 1x1: the paper's parameters, but 4.09 G MACs instead of
the paper's 3.8 G. Layers carry readable names (``C1_conv``,
``block3_conv2``, ``fc6``) so ``model.summary()`` and :func:`coursekit.costs.layer_table` read
like the paper's table. Outputs are class probabilities (softmax, kept in float32 so mixed
precision training stays stable). Batch normalisation layers use momentum
:data:`BN_MOMENTUM` = 0.9 for their moving averages.

Every builder checks ``input_shape`` before it builds anything: an input too small to survive
the downsampling (a pooling window or "valid" convolution larger than its feature map, or a
"same" convolution or stride left with a 1x1 map, where it would see only padding) raises
:class:`~coursekit.shapes.ShapeError` naming the layer and the smallest input that works.

Example
-------
>>> from coursekit.costs import count_params
>>> count_params(lenet())            # LeNet-5 on 28x28 digits, as in the 1998 paper
61706
>>> count_params(vgg("D", input_shape=(32, 32, 3), num_classes=10, width=0.25, dense_units=64))
933850
"""
from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import keras

from coursekit.shapes import ShapeError, conv_output_size, is_integer

L = keras.layers

#: Momentum of the moving averages in every batch normalisation layer built here: 0.9, as in the
#: reference implementations (PyTorch's ``momentum=0.1`` in its convention), not Keras's 0.99.
#: The averages that inference uses then catch up in tens of steps instead of hundreds, so short
#: runs (fast mode, the first epoch of a lesson) evaluate with sensible statistics.
BN_MOMENTUM = 0.9


def _batch_norm(name: str) -> L.BatchNormalization:
    """A batch normalisation layer with the course's momentum (:data:`BN_MOMENTUM`)."""
    return L.BatchNormalization(momentum=BN_MOMENTUM, name=name)

#: VGG configurations A, B, C, D (VGG-16) and E (VGG-19) from Simonyan and Zisserman (2014),
#: Table 1: five blocks, each a list of "conv<kernel>-<channels>" layers followed by 2x2 max
#: pooling. (A-LRN is A with local response normalisation, which has no parameters.)
VGG_CONFIGS: dict[str, tuple[tuple[str, ...], ...]] = {
    "A": (("conv3-64",), ("conv3-128",), ("conv3-256",) * 2, ("conv3-512",) * 2, ("conv3-512",) * 2),
    "B": (("conv3-64",) * 2, ("conv3-128",) * 2, ("conv3-256",) * 2, ("conv3-512",) * 2, ("conv3-512",) * 2),
    "C": (("conv3-64",) * 2, ("conv3-128",) * 2, ("conv3-256", "conv3-256", "conv1-256"),
          ("conv3-512", "conv3-512", "conv1-512"), ("conv3-512", "conv3-512", "conv1-512")),
    "D": (("conv3-64",) * 2, ("conv3-128",) * 2, ("conv3-256",) * 3, ("conv3-512",) * 3, ("conv3-512",) * 3),
    "E": (("conv3-64",) * 2, ("conv3-128",) * 2, ("conv3-256",) * 4, ("conv3-512",) * 4, ("conv3-512",) * 4),
}

_LAYER_SPEC = re.compile(r"conv(\d+)-(\d+)")


# ----------------------------------------------------------------------------- checks
def _check_common(input_shape: Sequence[int], num_classes: int, width: float) -> tuple[int, int, int]:
    shape = tuple(input_shape)
    if len(shape) != 3 or not all(is_integer(d) and d > 0 for d in shape):
        raise ShapeError(f"input_shape must be (height, width, channels) of positive ints, got {input_shape!r}.")
    if not isinstance(num_classes, int) or num_classes < 2:
        raise ValueError(f"num_classes must be an int of at least 2, got {num_classes!r}.")
    if not width > 0:
        raise ValueError(f"width must be a positive multiplier of the channels, got {width!r}.")
    return tuple(int(d) for d in shape)


def _check_rate(dropout: float) -> None:
    if not 0 <= dropout < 1:
        raise ValueError(f"dropout must be a rate in [0, 1), got {dropout!r}.")


def _scaled(channels: int, width: float) -> int:
    return max(1, round(channels * width))


@dataclass(frozen=True)
class _Step:
    """A layer on the way to the classifier that shrinks the feature map or needs a minimum size."""

    layer: str
    kernel: int
    stride: int = 1
    padding: str = "valid"

    @property
    def need(self) -> int:
        """The smallest map side it accepts: its whole window ("valid"), or 2x2 for a "same" window
        (on a 1x1 map it would see only padding around one pixel, and a stride would not halve)."""
        return self.kernel if self.padding == "valid" else min(self.kernel, 2)


def _misfit(shape: Sequence[int], steps: Sequence[_Step]) -> tuple[_Step, tuple[int, ...]] | None:
    """The first step whose input map (height, width) is too small for it, with that map; None if all fit."""
    sides = tuple(shape[:2])
    for step in steps:
        if min(sides) < step.need:
            return step, sides
        sides = tuple(conv_output_size(n, step.kernel, step.stride, step.padding) for n in sides)
    return None


def _check_input(shape: Sequence[int], plan: Callable[[int], list[_Step]], model: str) -> None:
    """ShapeError naming the input sizes that work, unless every step of ``plan`` fits ``shape``.

    ``plan(side)`` lists the network's steps for inputs whose smaller side is ``side`` (the stem
    of several networks depends on it).
    """
    misfit = _misfit(shape, plan(min(shape[:2])))
    if misfit is None:
        return
    step, (height, width) = misfit
    raise ShapeError(
        f"{model} {_sizes_that_work(shape, plan)}: {step.layer} would get a {height}x{width} feature map but "
        f"needs at least {step.need}x{step.need}. Use a larger input_shape or fewer downsampling stages.")


def _sizes_that_work(shape: Sequence[int], plan: Callable[[int], list[_Step]]) -> str:
    """The words naming the sizes that work: the smallest one, or the nearest ones on either side of ``shape``."""
    works = lambda n: _misfit((n, n), plan(n)) is None  # noqa: E731
    side, got = min(shape[:2]), f"{shape[0]}x{shape[1]}"
    larger = next((n for n in range(side + 1, 4097) if works(n)), None)
    smaller = next((n for n in range(side - 1, 0, -1) if works(n)), None)
    if smaller is None:
        least = f"at least {larger}x{larger}" if larger else "larger than 4096x4096"
        return f"needs inputs of {least} pixels, got {got}"
    return f"cannot take {got} inputs (the nearest sizes that work are {smaller}x{smaller} and {larger}x{larger})"


def _stem_steps(side: int, stem_pool: bool) -> list[_Step]:
    """The stem of ResNet and DenseNet: 7x7 stride 2 and 3x3 stride-2 pooling from 64x64 up, else 3x3."""
    if side >= 64:
        return [_Step("stem_conv", 7, 2, "same"), _Step("stem_pool", 3, 2, "same")]
    return [_Step("stem_conv", 3, 1, "same")] + ([_Step("stem_pool", 3, 2, "same")] if stem_pool else [])


def _depth_or_list(value, table: dict, model: str, part: str, what: str, valid) -> tuple[tuple, str]:
    """Resolve a named depth (a key of ``table``) or an explicit list of parts, and the model's name.

    >>> _depth_or_list(121, DENSENET_BLOCKS, "densenet", "blocks", "layer counts", bool)
    ((6, 12, 24, 16), 'densenet121')
    """
    if isinstance(value, int):
        if value not in table:
            raise ValueError(f"depth must be one of {sorted(table)} or a list of {what}, got {value}.")
        return tuple(table[value]), f"{model}{value}"
    parts = tuple(value)
    if not parts or not all(valid(p) for p in parts):
        raise ValueError(f"{part} must be a non-empty list of {what}, got {value!r}.")
    return parts, model


def _pool(x, size: int, stride: int, name: str):
    return L.MaxPooling2D(size, strides=stride, name=name)(x)


def _classifier(x, num_classes: int):
    return L.Dense(num_classes, activation="softmax", dtype="float32", name="output")(x)


# ----------------------------------------------------------------------------- LeNet
def _lenet_padding(side: int) -> str:
    """Inputs smaller than the paper's 32x32 are zero-padded by the first convolution."""
    return "same" if side < 32 else "valid"


def _lenet_steps(side: int) -> list[_Step]:
    return [_Step("C1_conv", 5, 1, _lenet_padding(side)), _Step("S2_pool", 2, 2), _Step("C3_conv", 5),
            _Step("S4_pool", 2, 2)]


def lenet(input_shape: Sequence[int] = (28, 28, 1), num_classes: int = 10, *, activation: str = "sigmoid",
          pooling: str = "avg", width: float = 1.0) -> keras.Model:
    """LeNet-5 (LeCun et al., 1998): two 5x5 convolutions with pooling, three dense layers.

    The 1998 network read 32x32 images; a smaller input (28x28 digits) is zero-padded by the
    first convolution (``"same"``, for 28x28 exactly the 2-pixel border the paper describes).
    ``activation="sigmoid"`` and ``pooling="avg"`` are the historic choice, ``"relu"`` and
    ``"max"`` the modern one. With ``width=1`` and 10 classes it has 61,706 parameters.

    >>> [layer.name for layer in lenet().layers[1:4]]
    ['C1_conv', 'S2_pool', 'C3_conv']
    """
    shape = _check_common(input_shape, num_classes, width)
    if activation not in ("sigmoid", "tanh", "relu"):
        raise ValueError(f"activation must be 'sigmoid', 'tanh' or 'relu', got {activation!r}.")
    if pooling not in ("avg", "max"):
        raise ValueError(f"pooling must be 'avg' (the 1998 choice) or 'max', got {pooling!r}.")
    _check_input(shape, _lenet_steps, "lenet")
    pool = L.AveragePooling2D if pooling == "avg" else L.MaxPooling2D
    inputs = keras.Input(shape, name="image")
    x = L.Conv2D(_scaled(6, width), 5, padding=_lenet_padding(min(shape[:2])), activation=activation,
                 name="C1_conv")(inputs)
    x = pool(2, name="S2_pool")(x)
    x = L.Conv2D(_scaled(16, width), 5, activation=activation, name="C3_conv")(x)
    x = pool(2, name="S4_pool")(x)
    x = L.Flatten(name="flatten")(x)
    x = L.Dense(_scaled(120, width), activation=activation, name="F5_dense")(x)
    x = L.Dense(_scaled(84, width), activation=activation, name="F6_dense")(x)
    return keras.Model(inputs, _classifier(x, num_classes), name=f"lenet5_{activation}_{pooling}pool")


# ----------------------------------------------------------------------------- AlexNet
def _alexnet_steps(side: int) -> list[_Step]:
    stem = _Step("conv1", 11, 4) if side >= 64 else _Step("conv1", 3, 1, "same")
    return [stem, _Step("pool1", 3, 2), _Step("pool2", 3, 2), _Step("pool5", 3, 2)]


def alexnet(input_shape: Sequence[int] = (224, 224, 3), num_classes: int = 1000, *, width: float = 1.0,
            dense_units: int = 4096, dropout: float = 0.5, groups: int = 1) -> keras.Model:
    """AlexNet (Krizhevsky et al., 2012): five convolutions (ReLU, max pooling), two dropout-
    regularised dense layers.

    Inputs of at least 64x64 get the paper's stem, an 11x11 stride-4 convolution; smaller ones
    (28x28) a 3x3 stride-1 convolution, since 11x11 at stride 4 would leave almost nothing.
    ``width`` scales the convolution channels (96, 256, 384, 384, 256) and ``dense_units`` the
    two hidden dense layers. ``groups=2`` reproduces the paper's split over two GPUs
    (convolutions 2, 4 and 5 see half the channels): at 227x227x3 and 1000 classes that is
    the published 60,965,224 parameters. (Grouped convolutions build everywhere but TensorFlow
    runs them only on a GPU; train with ``groups=1``.)

    >>> alexnet(input_shape=(227, 227, 3)).get_layer("conv1").output.shape
    (None, 55, 55, 96)
    """
    shape = _check_common(input_shape, num_classes, width)
    if groups not in (1, 2):
        raise ValueError(f"groups must be 1 (one device) or 2 (the paper's two GPUs), got {groups!r}.")
    _check_rate(dropout)
    channels = [_scaled(c, width) for c in (96, 256, 384, 384, 256)]
    if groups == 2 and any(c % 2 for c in channels):
        raise ValueError(f"groups=2 needs even channel counts, width={width} gives {channels}.")
    _check_input(shape, _alexnet_steps, "alexnet")
    inputs = keras.Input(shape, name="image")
    if min(shape[:2]) >= 64:
        x = L.Conv2D(channels[0], 11, strides=4, activation="relu", name="conv1")(inputs)  # 227 -> 55
    else:
        x = L.Conv2D(channels[0], 3, padding="same", activation="relu", name="conv1")(inputs)
    x = _pool(x, 3, 2, "pool1")
    x = L.Conv2D(channels[1], 5, padding="same", groups=groups, activation="relu", name="conv2")(x)
    x = _pool(x, 3, 2, "pool2")
    x = L.Conv2D(channels[2], 3, padding="same", activation="relu", name="conv3")(x)
    x = L.Conv2D(channels[3], 3, padding="same", groups=groups, activation="relu", name="conv4")(x)
    x = L.Conv2D(channels[4], 3, padding="same", groups=groups, activation="relu", name="conv5")(x)
    x = L.Flatten(name="flatten")(_pool(x, 3, 2, "pool5"))
    for name in ("fc6", "fc7"):
        x = L.Dense(dense_units, activation="relu", name=name)(x)
        x = L.Dropout(dropout, name=f"{name}_dropout")(x)
    return keras.Model(inputs, _classifier(x, num_classes), name="alexnet")


# ----------------------------------------------------------------------------- VGG
def _parse_block(block, index: int) -> list[tuple[int, int]]:
    """A block as ``(num_convs, channels)`` (all 3x3) or a tuple of ``"conv<k>-<c>"`` strings."""
    if (isinstance(block, tuple) and len(block) == 2 and all(isinstance(v, int) for v in block)):
        num_convs, channels = block
        if num_convs < 1 or channels < 1:
            raise ValueError(f"block {index}: (num_convs, channels) must be positive, got {block}.")
        return [(3, channels)] * num_convs
    layers = []
    for spec in block:
        match = _LAYER_SPEC.fullmatch(str(spec))
        if not match:
            raise ValueError(f"block {index}: layers are written like 'conv3-64' (kernel 3, 64 channels), "
                             f"got {spec!r}; or give the block as (num_convs, channels).")
        layers.append((int(match[1]), int(match[2])))
    if not layers:
        raise ValueError(f"block {index} is empty.")
    return layers


def _vgg_steps(side: int, blocks: int) -> list[_Step]:
    """The 2x2 max pooling that closes every block (any input side)."""
    return [_Step(f"block{b}_pool", 2, 2) for b in range(1, blocks + 1)]


def vgg(config: str | Sequence = "D", input_shape: Sequence[int] = (224, 224, 3), num_classes: int = 1000, *,
        width: float = 1.0, dense_units: int = 4096, dropout: float = 0.5) -> keras.Model:
    """VGG (Simonyan and Zisserman, 2014): blocks of same-padded convolutions, each closed by
    2x2 max pooling, then three dense layers.

    ``config`` is a letter of :data:`VGG_CONFIGS` (``"D"`` is VGG-16, ``"E"`` VGG-19) or a block
    list, each block ``(num_convs, channels)`` or a tuple like ``("conv3-256", "conv1-256")``.
    ``width`` scales every convolution's channels, ``dense_units`` the two hidden dense layers.
    Each block halves the image, so a 28x28 input allows at most 4 blocks.

    >>> [layer.name for layer in vgg(((1, 8), (2, 16)), (28, 28, 1), 10, dense_units=32).layers[1:6]]
    ['block1_conv1', 'block1_pool', 'block2_conv1', 'block2_conv2', 'block2_pool']
    """
    shape = _check_common(input_shape, num_classes, width)
    if isinstance(config, str):
        if config not in VGG_CONFIGS:
            raise ValueError(f"unknown VGG configuration {config!r}; use one of {sorted(VGG_CONFIGS)} or a block list.")
        name, blocks = f"vgg_{config}", VGG_CONFIGS[config]
    else:
        name, blocks = "vgg", tuple(config)
    if not blocks:
        raise ValueError("a VGG needs at least one block.")
    parsed = [_parse_block(block, i) for i, block in enumerate(blocks, start=1)]
    _check_rate(dropout)
    _check_input(shape, functools.partial(_vgg_steps, blocks=len(parsed)), name)
    inputs = keras.Input(shape, name="image")
    x = inputs
    for b, layers in enumerate(parsed, start=1):
        for i, (kernel, channels) in enumerate(layers, start=1):
            x = L.Conv2D(_scaled(channels, width), kernel, padding="same", activation="relu",
                         name=f"block{b}_conv{i}")(x)
        x = _pool(x, 2, 2, f"block{b}_pool")
    x = L.Flatten(name="flatten")(x)
    for layer in ("fc6", "fc7"):
        x = L.Dense(dense_units, activation="relu", name=layer)(x)
        x = L.Dropout(dropout, name=f"{layer}_dropout")(x)
    return keras.Model(inputs, _classifier(x, num_classes), name=name)


# ----------------------------------------------------------------------------- NiN
def nin_block(x, channels: int, kernel: int, strides: int, padding: str, name: str):
    """A Network-in-Network block: one k x k convolution, then two 1x1 convolutions (a small
    MLP applied at every pixel), all with ReLU."""
    x = L.Conv2D(channels, kernel, strides=strides, padding=padding, activation="relu", name=f"{name}_conv")(x)
    x = L.Conv2D(channels, 1, activation="relu", name=f"{name}_mlp1")(x)
    return L.Conv2D(channels, 1, activation="relu", name=f"{name}_mlp2")(x)


def _nin_steps(side: int) -> list[_Step]:
    stem = _Step("nin1_conv", 11, 4) if side >= 64 else _Step("nin1_conv", 3, 1, "same")
    return [stem, _Step("pool1", 3, 2), _Step("pool2", 3, 2), _Step("pool3", 3, 2), _Step("nin4_conv", 3, 1, "same")]


def nin(input_shape: Sequence[int] = (224, 224, 3), num_classes: int = 1000, *, width: float = 1.0,
        dropout: float = 0.5) -> keras.Model:
    """Network in Network (Lin et al., 2013) as in d2l: four NiN blocks, the last with one
    channel per class, then global average pooling instead of dense layers.

    Inputs of at least 64x64 get an 11x11 stride-4 first block; smaller ones a 3x3 stride-1 one.

    >>> any(isinstance(layer, keras.layers.Dense) for layer in nin().layers)   # no dense layers at all
    False
    """
    shape = _check_common(input_shape, num_classes, width)
    _check_rate(dropout)
    _check_input(shape, _nin_steps, "nin")
    c1, c2, c3 = (_scaled(c, width) for c in (96, 256, 384))
    inputs = keras.Input(shape, name="image")
    if min(shape[:2]) >= 64:
        x = nin_block(inputs, c1, 11, 4, "valid", "nin1")
    else:
        x = nin_block(inputs, c1, 3, 1, "same", "nin1")
    x = nin_block(_pool(x, 3, 2, "pool1"), c2, 5, 1, "same", "nin2")
    x = nin_block(_pool(x, 3, 2, "pool2"), c3, 3, 1, "same", "nin3")
    x = L.Dropout(dropout, name="dropout")(_pool(x, 3, 2, "pool3"))
    x = nin_block(x, num_classes, 3, 1, "same", "nin4")
    x = L.GlobalAveragePooling2D(name="global_avg_pool")(x)
    outputs = L.Activation("softmax", dtype="float32", name="output")(x)
    return keras.Model(inputs, outputs, name="nin")


# ----------------------------------------------------------------------------- GoogLeNet
#: Inception blocks of GoogLeNet (Szegedy et al., 2014, Table 1): (#1x1, (#3x3 reduce, #3x3),
#: (#5x5 reduce, #5x5), pool proj); a max pooling (3x3, stride 2) follows 3b and 4e.
GOOGLENET_BLOCKS = {
    "3a": (64, (96, 128), (16, 32), 32), "3b": (128, (128, 192), (32, 96), 64),
    "4a": (192, (96, 208), (16, 48), 64), "4b": (160, (112, 224), (24, 64), 64),
    "4c": (128, (128, 256), (24, 64), 64), "4d": (112, (144, 288), (32, 64), 64),
    "4e": (256, (160, 320), (32, 128), 128),
    "5a": (256, (160, 320), (32, 128), 128), "5b": (384, (192, 384), (48, 128), 128),
}


def _conv(x, channels: int, kernel: int, name: str, batch_norm: bool, **kwargs):
    """Convolution and ReLU, with batch normalisation in between (and no bias) if asked."""
    if not batch_norm:
        return L.Conv2D(channels, kernel, activation="relu", name=name, **kwargs)(x)
    x = L.Conv2D(channels, kernel, use_bias=False, name=name, **kwargs)(x)
    return L.ReLU(name=f"{name}_relu")(_batch_norm(f"{name}_bn")(x))


def inception_block(x, c1: int, c2: tuple[int, int], c3: tuple[int, int], c4: int, name: str = "inception", *,
                    batch_norm: bool = False):
    """Four paths concatenated on the channel axis: 1x1; 1x1 then 3x3; 1x1 then 5x5; 3x3 max
    pooling then 1x1. Output channels: ``c1 + c2[1] + c3[1] + c4``; height and width kept.
    ``batch_norm=True`` puts batch normalisation after every convolution (Inception-v2's change).

    >>> x = keras.Input((28, 28, 192))
    >>> inception_block(x, 64, (96, 128), (16, 32), 32, name="3a").shape
    (None, 28, 28, 256)
    """
    conv = functools.partial(_conv, batch_norm=batch_norm)
    p1 = conv(x, c1, 1, f"{name}_1x1")
    p2 = conv(conv(x, c2[0], 1, f"{name}_3x3_reduce"), c2[1], 3, f"{name}_3x3", padding="same")
    p3 = conv(conv(x, c3[0], 1, f"{name}_5x5_reduce"), c3[1], 5, f"{name}_5x5", padding="same")
    p4 = conv(L.MaxPooling2D(3, strides=1, padding="same", name=f"{name}_pool")(x), c4, 1, f"{name}_pool_proj")
    return L.Concatenate(name=f"{name}_concat")([p1, p2, p3, p4])


def _googlenet_steps(side: int) -> list[_Step]:
    if side >= 64:
        stem = [_Step("stem_conv7x7", 7, 2, "same"), _Step("stem_pool1", 3, 2, "same")]
    else:
        stem = [_Step("stem_conv3x3a", 3, 1, "same"), _Step("stem_pool1", 3, 2, "same")]
    pools = [_Step(name, 3, 2, "same") for name in ("stem_pool2", "pool_after_3b", "pool_after_4e")]
    return stem + pools + [_Step("5b", 5, 1, "same")]


def googlenet(input_shape: Sequence[int] = (224, 224, 3), num_classes: int = 1000, *, width: float = 1.0,
              dropout: float = 0.4, batch_norm: bool = False) -> keras.Model:
    """GoogLeNet (Inception v1) without the auxiliary classifiers and local response
    normalisation: a stem, nine Inception blocks in three stages, global average pooling,
    dropout and one dense layer. ``width`` scales every channel count; ``batch_norm=True``
    normalises after every convolution, as Inception-v2 (BN-Inception) did.

    Inputs of at least 64x64 get the paper's stem (7x7 stride-2 convolution and two max
    poolings, 224 -> 28); smaller ones a 3x3 convolution, a max pooling, a 3x3 convolution and
    a max pooling (28 -> 7), so the Inception stages work at 7x7, 4x4 and 2x2.

    >>> googlenet().get_layer("3a_concat").output.shape
    (None, 28, 28, 256)
    """
    shape = _check_common(input_shape, num_classes, width)
    _check_rate(dropout)
    _check_input(shape, _googlenet_steps, "googlenet")
    s = lambda c: _scaled(c, width)  # noqa: E731
    conv = functools.partial(_conv, batch_norm=batch_norm)
    inputs = keras.Input(shape, name="image")
    if min(shape[:2]) >= 64:
        x = conv(inputs, s(64), 7, "stem_conv7x7", strides=2, padding="same")
        x = L.MaxPooling2D(3, strides=2, padding="same", name="stem_pool1")(x)
        x = conv(x, s(64), 1, "stem_conv1x1")
        x = conv(x, s(192), 3, "stem_conv3x3", padding="same")
    else:
        x = conv(inputs, s(64), 3, "stem_conv3x3a", padding="same")
        x = L.MaxPooling2D(3, strides=2, padding="same", name="stem_pool1")(x)
        x = conv(x, s(192), 3, "stem_conv3x3b", padding="same")
    x = L.MaxPooling2D(3, strides=2, padding="same", name="stem_pool2")(x)
    for name, (c1, c2, c3, c4) in GOOGLENET_BLOCKS.items():
        x = inception_block(x, s(c1), (s(c2[0]), s(c2[1])), (s(c3[0]), s(c3[1])), s(c4), name, batch_norm=batch_norm)
        if name in ("3b", "4e"):
            x = L.MaxPooling2D(3, strides=2, padding="same", name=f"pool_after_{name}")(x)
    x = L.Dropout(dropout, name="dropout")(L.GlobalAveragePooling2D(name="global_avg_pool")(x))
    return keras.Model(inputs, _classifier(x, num_classes), name="googlenet_bn" if batch_norm else "googlenet")


# ----------------------------------------------------------------------------- ResNet
def residual_block(x, channels: int, strides: int = 1, *, bottleneck: bool = False, residual: bool = True,
                   name: str = "block"):
    """A ResNet block: (3x3 conv, BN, ReLU, 3x3 conv, BN), or with ``bottleneck=True``
    (1x1 to ``channels``, 3x3, 1x1 to ``4 * channels``), added to its input, then ReLU.
    A bottleneck block puts ``strides`` on its 3x3 convolution ("ResNet v1.5", as torchvision;
    the 2015 paper strides the first 1x1), which costs more multiply-adds for the same weights.

    The shortcut is the input itself when shapes match, else a 1x1 convolution with stride
    (the "projection", with batch normalisation). ``residual=False`` drops the shortcut: the
    same layers as a plain network, for comparing the two.
    """
    out_channels = 4 * channels if bottleneck else channels
    bn = lambda part: _batch_norm(f"{name}_{part}_bn")  # noqa: E731
    if bottleneck:
        y = L.ReLU(name=f"{name}_1_relu")(bn(1)(L.Conv2D(channels, 1, use_bias=False, name=f"{name}_1_conv")(x)))
        y = L.Conv2D(channels, 3, strides=strides, padding="same", use_bias=False, name=f"{name}_2_conv")(y)
        y = L.ReLU(name=f"{name}_2_relu")(bn(2)(y))
        y = bn(3)(L.Conv2D(out_channels, 1, use_bias=False, name=f"{name}_3_conv")(y))
    else:
        y = L.Conv2D(channels, 3, strides=strides, padding="same", use_bias=False, name=f"{name}_1_conv")(x)
        y = L.ReLU(name=f"{name}_1_relu")(bn(1)(y))
        y = bn(2)(L.Conv2D(channels, 3, padding="same", use_bias=False, name=f"{name}_2_conv")(y))
    if residual:
        shortcut = x
        if strides != 1 or x.shape[-1] != out_channels:
            shortcut = L.Conv2D(out_channels, 1, strides=strides, use_bias=False, name=f"{name}_proj_conv")(x)
            shortcut = bn("proj")(shortcut)
        y = L.Add(name=f"{name}_add")([shortcut, y])
    return L.ReLU(name=f"{name}_out")(y)


#: Residual stages (channels, blocks) of ResNet-18/34 (basic blocks) and ResNet-50 (bottlenecks).
RESNET_STAGES = {18: ((64, 2), (128, 2), (256, 2), (512, 2)), 34: ((64, 3), (128, 4), (256, 6), (512, 3)),
                 50: ((64, 3), (128, 4), (256, 6), (512, 3))}


def _resnet_steps(side: int, stages: int, stem_pool: bool) -> list[_Step]:
    """The stem, the stride-2 first block of every stage after the first, the last stage's 3x3 convolutions."""
    halvings = [_Step(f"stage{s}_block1", 3, 2, "same") for s in range(2, stages + 1)]
    return _stem_steps(side, stem_pool) + halvings + [_Step(f"stage{stages}", 3, 1, "same")]


def resnet(depth_or_stages: int | Sequence[tuple[int, int]] = 18, input_shape: Sequence[int] = (224, 224, 3),
           num_classes: int = 1000, *, width: float = 1.0, bottleneck: bool | None = None,
           residual: bool = True, stem_pool: bool = False) -> keras.Model:
    """ResNet (He et al., 2015): a stem, stages of residual blocks (the first block of every
    stage after the first halves height and width), global average pooling, one dense layer.

    ``depth_or_stages`` is 18, 34 or 50 (:data:`RESNET_STAGES`; 50 uses bottleneck blocks, in
    the "v1.5" form: 25.6 M parameters as published, 4.09 G MACs where the paper's v1 has 3.8 G) or
    a list of ``(channels, blocks)``. Inputs of at least 64x64 get the paper's stem (7x7
    stride-2 convolution and 3x3 stride-2 max pooling); smaller ones a 3x3 stride-1 convolution.
    ``residual=False`` builds the same network without shortcuts ("plain").

    >>> resnet(18).get_layer("stage4_block2_out").output.shape
    (None, 7, 7, 512)
    """
    shape = _check_common(input_shape, num_classes, width)
    stages, name = _depth_or_list(depth_or_stages, RESNET_STAGES, "resnet", "stages", "positive (channels, blocks)",
                                  lambda s: len(s) == 2 and s[0] > 0 and s[1] > 0)
    if isinstance(depth_or_stages, int) and bottleneck is None:
        bottleneck = depth_or_stages >= 50
    name = name if residual else f"plain_{name}"
    _check_input(shape, functools.partial(_resnet_steps, stages=len(stages), stem_pool=stem_pool), name)
    inputs = keras.Input(shape, name="image")
    if min(shape[:2]) >= 64:
        x = L.Conv2D(_scaled(64, width), 7, strides=2, padding="same", use_bias=False, name="stem_conv")(inputs)
        x = L.ReLU(name="stem_relu")(_batch_norm("stem_bn")(x))
        x = L.MaxPooling2D(3, strides=2, padding="same", name="stem_pool")(x)
    else:
        x = L.Conv2D(_scaled(64, width), 3, padding="same", use_bias=False, name="stem_conv")(inputs)
        x = L.ReLU(name="stem_relu")(_batch_norm("stem_bn")(x))
        if stem_pool:
            x = L.MaxPooling2D(3, strides=2, padding="same", name="stem_pool")(x)
    for s, (channels, blocks) in enumerate(stages, start=1):
        for b in range(1, blocks + 1):
            strides = 2 if s > 1 and b == 1 else 1
            x = residual_block(x, _scaled(channels, width), strides,
                               bottleneck=bool(bottleneck), residual=residual, name=f"stage{s}_block{b}")
    x = L.GlobalAveragePooling2D(name="global_avg_pool")(x)
    return keras.Model(inputs, _classifier(x, num_classes), name=name)


# ----------------------------------------------------------------------------- DenseNet
def dense_layer(x, growth: int, *, bottleneck: bool = True, name: str = "dense"):
    """One DenseNet layer: BN, ReLU, 3x3 convolution to ``growth`` channels (with
    ``bottleneck=True`` first BN, ReLU, 1x1 convolution to ``4 * growth``), concatenated to the
    input, so the channels grow by ``growth``."""
    y = x
    if bottleneck:
        y = L.ReLU(name=f"{name}_1_relu")(_batch_norm(f"{name}_1_bn")(y))
        y = L.Conv2D(4 * growth, 1, use_bias=False, name=f"{name}_1_conv")(y)
    y = L.ReLU(name=f"{name}_2_relu")(_batch_norm(f"{name}_2_bn")(y))
    y = L.Conv2D(growth, 3, padding="same", use_bias=False, name=f"{name}_2_conv")(y)
    return L.Concatenate(name=f"{name}_concat")([x, y])


def transition_block(x, channels: int, name: str = "transition"):
    """Between dense blocks: BN, ReLU, 1x1 convolution to ``channels``, 2x2 average pooling."""
    x = L.ReLU(name=f"{name}_relu")(_batch_norm(f"{name}_bn")(x))
    x = L.Conv2D(channels, 1, use_bias=False, name=f"{name}_conv")(x)
    return L.AveragePooling2D(2, strides=2, name=f"{name}_pool")(x)


#: Dense layers per block of DenseNet-121/169/201 (Huang et al., 2017, Table 1).
DENSENET_BLOCKS = {121: (6, 12, 24, 16), 169: (6, 12, 32, 32), 201: (6, 12, 48, 32)}


def _densenet_steps(side: int, blocks: int, stem_pool: bool) -> list[_Step]:
    """The stem, the 2x2 pooling of every transition, the last dense block's 3x3 convolutions."""
    transitions = [_Step(f"transition{b}_pool", 2, 2) for b in range(1, blocks)]
    return _stem_steps(side, stem_pool) + transitions + [_Step(f"block{blocks}", 3, 1, "same")]


def densenet(depth_or_blocks: int | Sequence[int] = 121, input_shape: Sequence[int] = (224, 224, 3),
             num_classes: int = 1000, *, growth: int = 32, width: float = 1.0, bottleneck: bool = True,
             compression: float = 0.5, stem_pool: bool = False) -> keras.Model:
    """DenseNet-BC (Huang et al., 2017): a stem, dense blocks joined by transition layers that
    keep ``compression`` of the channels and halve height and width, then BN, ReLU, global
    average pooling and one dense layer. ``width`` scales the growth rate and the stem.

    ``depth_or_blocks`` is 121, 169 or 201 (:data:`DENSENET_BLOCKS`) or a list of layers per
    block. Inputs of at least 64x64 get the paper's stem (7x7 stride-2 convolution and 3x3
    stride-2 max pooling); smaller ones a 3x3 stride-1 convolution, followed by the same max
    pooling if ``stem_pool=True``.

    >>> densenet(121).get_layer("block4_layer16_concat").output.shape
    (None, 7, 7, 1024)
    """
    shape = _check_common(input_shape, num_classes, width)
    blocks, name = _depth_or_list(depth_or_blocks, DENSENET_BLOCKS, "densenet", "blocks", "positive layer counts",
                                  lambda n: isinstance(n, int) and n > 0)
    if not 0 < compression <= 1:
        raise ValueError(f"compression must be in (0, 1], got {compression}.")
    if growth < 1:
        raise ValueError(f"growth must be a positive number of channels, got {growth}.")
    _check_input(shape, functools.partial(_densenet_steps, blocks=len(blocks), stem_pool=stem_pool), name)
    k = _scaled(growth, width)
    inputs = keras.Input(shape, name="image")
    if min(shape[:2]) >= 64:
        x = L.Conv2D(2 * k, 7, strides=2, padding="same", use_bias=False, name="stem_conv")(inputs)
        x = L.ReLU(name="stem_relu")(_batch_norm("stem_bn")(x))
        x = L.MaxPooling2D(3, strides=2, padding="same", name="stem_pool")(x)
    else:
        x = L.Conv2D(2 * k, 3, padding="same", use_bias=False, name="stem_conv")(inputs)
        if stem_pool:
            x = L.MaxPooling2D(3, strides=2, padding="same", name="stem_pool")(x)
    for b, layers in enumerate(blocks, start=1):
        for i in range(1, layers + 1):
            x = dense_layer(x, k, bottleneck=bottleneck, name=f"block{b}_layer{i}")
        if b < len(blocks):
            x = transition_block(x, int(x.shape[-1] * compression),
                                 name=f"transition{b}")
    x = L.ReLU(name="final_relu")(_batch_norm("final_bn")(x))
    x = L.GlobalAveragePooling2D(name="global_avg_pool")(x)
    return keras.Model(inputs, _classifier(x, num_classes), name=name)


# ----------------------------------------------------------------------------- transfer source
def _small_cnn_steps(side: int, blocks: int) -> list[_Step]:
    """The 2x2 pooling between blocks and the last block's 3x3 convolution (any input side)."""
    return [_Step(f"block{b}_pool", 2, 2) for b in range(1, blocks)] + [_Step(f"block{blocks}_conv", 3, 1, "same")]


def small_cnn(input_shape: Sequence[int] = (28, 28, 1), num_classes: int = 10, *,
              channels: Sequence[int] = (32, 64, 128)) -> keras.Model:
    """The course's transfer-learning source: conv-BN-ReLU blocks, 2x2 max pooling between
    them, global average pooling (the ``"features"`` layer) and a softmax ``"output"`` layer.

    Block ``b`` has layers ``block{b}_conv`` (3x3, no bias: BN adds one), ``block{b}_bn`` and
    ``block{b}_relu``, so "freeze everything below block 3" is a statement about names. The
    weights pretrained on Fashion-MNIST ship in ``data/weights`` (see
    :func:`coursekit.transfer.load_source_cnn`).

    >>> model = small_cnn()
    >>> model.get_layer("features").output.shape, model.count_params()
    ((None, 128), 94634)
    """
    shape = _check_common(input_shape, num_classes, 1.0)
    channels = tuple(channels)
    if not channels or any(not is_integer(c) or c < 1 for c in channels):
        raise ValueError(f"channels must be positive integers, one per block, got {channels!r}.")
    _check_input(shape, functools.partial(_small_cnn_steps, blocks=len(channels)), "small_cnn")
    inputs = keras.Input(shape, name="image")
    x = inputs
    for block, width in enumerate(channels, start=1):
        if block > 1:
            x = _pool(x, 2, 2, f"block{block - 1}_pool")
        x = L.Conv2D(width, 3, padding="same", use_bias=False, name=f"block{block}_conv")(x)
        x = _batch_norm(f"block{block}_bn")(x)
        x = L.ReLU(name=f"block{block}_relu")(x)
    x = L.GlobalAveragePooling2D(name="features")(x)
    return keras.Model(inputs, _classifier(x, num_classes), name="small_cnn")
