"""coursekit.models: paper-scale counts match the published numbers, CPU-scale models train,
bad arguments get clear errors."""
import keras
import numpy as np
import pytest

from coursekit import models
from coursekit.costs import count_macs, count_params, layer_table
from coursekit.shapes import ShapeError


def test_lenet_matches_the_1998_table():
    table = layer_table(models.lenet()).set_index("layer")
    assert table.loc["C1_conv", "params"] == 1 * 6 * 5 * 5 + 6
    assert table.loc["C3_conv", "params"] == 6 * 16 * 5 * 5 + 16
    assert table.loc["F5_dense", "params"] == 400 * 120 + 120
    assert table.loc["total", "params"] == 61_706
    assert table.loc["C1_conv", "output shape"] == (28, 28, 6)      # 28x28 padded by 2 = 32x32 valid
    assert table.loc["S4_pool", "output shape"] == (5, 5, 16)
    classic = models.lenet((32, 32, 1))                              # the paper's 32x32 input, no padding
    assert count_params(classic) == 61_706 and classic.get_layer("C1_conv").output.shape[1:3] == (28, 28)


def test_lenet_variants_and_width():
    modern = models.lenet(activation="relu", pooling="max")
    assert isinstance(modern.get_layer("S2_pool"), keras.layers.MaxPooling2D)
    assert modern.get_layer("C1_conv").activation.__name__ == "relu"
    assert count_params(models.lenet(width=2.0)) > 2 * 61_706
    assert models.lenet((28, 28, 3), 5).output.shape == (None, 5)


def test_alexnet_paper_counts():
    assert count_params(models.alexnet((227, 227, 3), groups=2)) == 60_965_224   # Krizhevsky et al. 2012
    single = models.alexnet((227, 227, 3))
    assert single.get_layer("conv1").output.shape[1:] == (55, 55, 96)        # (227 - 11) / 4 + 1
    assert single.get_layer("conv1").output.shape[1] * 55 * 96 == 290_400
    table = layer_table(models.alexnet((224, 224, 3))).set_index("layer")
    assert table.loc["conv1", "params"] == 34_944 and table.loc["conv1", "MACs"] == 101_616_768
    assert table.loc["conv2", "params"] == 614_656 and table.loc["conv2", "MACs"] == 415_334_400
    assert table.loc["fc6", "params"] == 6400 * 4096 + 4096


def test_alexnet_small_input_stem():
    small = models.alexnet((28, 28, 1), 10, width=0.25, dense_units=512)
    assert small.get_layer("conv1").kernel_size == (3, 3)
    assert small.get_layer("pool5").output.shape[1:] == (2, 2, 64)
    assert small.output.shape == (None, 10)


@pytest.mark.parametrize("config, millions", [("A", 133), ("B", 133), ("C", 134), ("D", 138), ("E", 144)])
def test_vgg_configurations_match_table_2(config, millions):
    model = models.vgg(config)
    assert round(count_params(model) / 1e6) == millions
    convs = [layer for layer in model.layers if isinstance(layer, keras.layers.Conv2D)]
    assert len(convs) + 3 == {"A": 11, "B": 13, "C": 16, "D": 16, "E": 19}[config]   # weight layers
    keras.backend.clear_session()


def test_vgg16_costs_and_one_by_one_layers():
    d = models.vgg("D")
    assert count_params(d) == 138_357_544
    assert round(count_macs(d) / 1e9, 1) == 15.5                                       # ~15.5 G MACs
    c = models.vgg("C")
    assert c.get_layer("block3_conv3").kernel_size == (1, 1)
    assert c.get_layer("block5_pool").output.shape[1:] == (7, 7, 512)
    keras.backend.clear_session()


def test_vgg_block_list_and_width():
    model = models.vgg(((1, 16), ("conv3-32", "conv1-32")), (28, 28, 1), 10, width=0.5, dense_units=64)
    assert model.get_layer("block2_conv2").filters == 16 and model.get_layer("block2_conv2").kernel_size == (1, 1)
    assert model.get_layer("block2_pool").output.shape[1:] == (7, 7, 16)
    assert model.get_layer("fc6").units == 64


def test_cpu_scale_vgg_learns_a_toy_task():
    rng = np.random.default_rng(0)
    y = np.arange(96) % 2
    x = rng.normal(0, 0.1, (96, 16, 16, 1)).astype("float32")
    x[y == 1, :8] += 1.0                                          # class 1: bright top half
    model = models.vgg(((1, 8), (1, 16)), (16, 16, 1), 2, dense_units=16, dropout=0.0)
    model.compile(keras.optimizers.Adam(0.01), "sparse_categorical_crossentropy", metrics=["accuracy"])
    keras.utils.set_random_seed(0)
    model.fit(x, y, epochs=15, batch_size=32, verbose=0)
    assert model.evaluate(x, y, verbose=0)[1] > 0.9
    assert model.output.dtype == "float32"


@pytest.mark.parametrize("build, error, message", [
    (lambda: models.lenet((28, 28)), ShapeError, r"input_shape must be \(height, width, channels\)"),
    (lambda: models.lenet(num_classes=1), ValueError, "num_classes must be an int of at least 2"),
    (lambda: models.lenet(activation="softmax"), ValueError, "activation must be 'sigmoid', 'tanh' or 'relu'"),
    (lambda: models.lenet(pooling="min"), ValueError, "pooling must be 'avg'"),
    (lambda: models.lenet((8, 8, 1)), ShapeError,
     r"lenet needs inputs of at least 12x12 pixels, got 8x8: C3_conv would get a 4x4 feature map but needs at least 5x5"),
    (lambda: models.alexnet(width=0), ValueError, "width must be a positive multiplier"),
    (lambda: models.alexnet(groups=3), ValueError, "groups must be 1"),
    (lambda: models.alexnet(dropout=1.0), ValueError, r"dropout must be a rate in \[0, 1\)"),
    (lambda: models.alexnet((8, 8, 1), 10), ShapeError, r"alexnet needs inputs of at least 15x15 pixels, got 8x8"),
    (lambda: models.alexnet((64, 64, 3), 10), ShapeError,
     r"alexnet cannot take 64x64 inputs \(the nearest sizes that work are 63x63 and 67x67\): pool5 would get a 2x2"),
    (lambda: models.vgg("F"), ValueError, "unknown VGG configuration 'F'"),
    (lambda: models.vgg(((1, 8), ("3x3-16",)), (28, 28, 1), 10), ValueError, r"block 2: layers are written like 'conv3-64'"),
    (lambda: models.vgg([]), ValueError, "at least one block"),
    (lambda: models.vgg("D", (28, 28, 1), 10), ShapeError,
     r"vgg_D needs inputs of at least 32x32 pixels, got 28x28: block5_pool would get a 1x1 feature map"),
    (lambda: models.lenet((28, 28, True)), ShapeError, r"input_shape must be \(height, width, channels\) of positive ints"),
])
def test_bad_arguments_get_clear_errors(build, error, message):
    with pytest.raises(error, match=message):
        build()


def trainable(model) -> int:
    return int(sum(np.prod(w.shape) for w in model.trainable_weights))


def test_resnet_paper_counts_and_plain_variant():
    assert trainable(models.resnet(18)) == 11_689_512        # He et al. 2015 / the reference implementations
    assert trainable(models.resnet(50)) == 25_557_032
    plain = models.resnet(18, residual=False)
    assert not any(isinstance(layer, keras.layers.Add) for layer in plain.layers)
    assert trainable(plain) < trainable(models.resnet(18))    # no projection shortcuts
    small = models.resnet(((16, 1), (32, 1)), (28, 28, 1), 10)
    assert small.get_layer("stage2_block1_out").output.shape == (None, 14, 14, 32)
    assert small.get_layer("stem_conv").kernel_size == (3, 3)
    pooled = models.resnet(((16, 1), (32, 1)), (28, 28, 1), 10, stem_pool=True)
    assert pooled.get_layer("stage2_block1_out").output.shape == (None, 7, 7, 32)   # 28 -> 14 -> 7
    keras.backend.clear_session()


def test_inception_block_against_single_convolutions():
    """The lecture's table: the first Inception block (3a) on 28x28x192 vs one 3x3 or 5x5 conv to 256 channels."""
    inputs = keras.Input((28, 28, 192))
    block = keras.Model(inputs, models.inception_block(inputs, *models.GOOGLENET_BLOCKS["3a"], name="3a"))
    assert block.outputs[0].shape == (None, 28, 28, 256)
    table = layer_table(block, total=False)
    convs = table[table["type"] == "Conv2D"]
    weights = 192 * 64 + 192 * 96 + 9 * 96 * 128 + 192 * 16 + 25 * 16 * 32 + 192 * 32
    assert convs["params"].sum() == weights + 256 + 96 + 16       # plus one bias per output channel
    assert convs["MACs"].sum() == 28 * 28 * weights               # ~128 M, against 347 M (3x3) and 963 M (5x5)
    single = {k: keras.Sequential([keras.Input((28, 28, 192)), keras.layers.Conv2D(256, k, padding="same", use_bias=False)])
              for k in (3, 5)}
    assert [count_macs(m) for m in single.values()] == [346_816_512, 963_379_200]


def test_googlenet_and_nin_shapes():
    net = models.googlenet()
    assert net.get_layer("5b_concat").output.shape == (None, 7, 7, 1024)
    assert 6.5e6 < count_params(net) < 7.1e6                       # ~6.8 M in the paper's Table 1
    small = models.googlenet((28, 28, 1), 10, width=0.25)
    assert small.get_layer("3a_concat").output.shape[1:3] == (7, 7)        # the small stem pools twice: 28 -> 14 -> 7
    assert small.get_layer("pool_after_4e").output.shape[1:3] == (2, 2)    # 7 -> 4 -> 2 ("same" pooling)
    bn = models.googlenet((28, 28, 1), 10, width=0.25, batch_norm=True)
    convs = [layer for layer in bn.layers if isinstance(layer, keras.layers.Conv2D)]
    norms = [layer for layer in bn.layers if isinstance(layer, keras.layers.BatchNormalization)]
    assert len(norms) == len(convs) == 2 + 9 * 6 and not any(c.use_bias for c in convs)
    n = models.nin((28, 28, 1), 10, width=0.5)
    assert not any(isinstance(layer, keras.layers.Dense) for layer in n.layers)
    assert n.get_layer("nin4_mlp2").output.shape == (None, 2, 2, 10) and n.output.shape == (None, 10)
    keras.backend.clear_session()


def test_densenet_paper_count_and_growth():
    assert trainable(models.densenet(121)) == 7_978_856                   # Huang et al. 2017 / torchvision
    assert count_params(models.densenet(121)) == count_params(keras.applications.DenseNet121(weights=None))
    small = models.densenet((2, 3), (28, 28, 1), 10, growth=8, bottleneck=False)
    assert small.get_layer("block1_layer2_concat").output.shape == (None, 28, 28, 16 + 2 * 8)
    assert small.get_layer("transition1_pool").output.shape == (None, 14, 14, 16)   # half of 32 channels, half the size
    assert small.get_layer("block2_layer3_concat").output.shape == (None, 14, 14, 16 + 3 * 8)
    pooled = models.densenet((2, 3), (28, 28, 1), 10, growth=8, bottleneck=False, stem_pool=True)
    assert pooled.get_layer("block2_layer3_concat").output.shape == (None, 7, 7, 16 + 3 * 8)
    keras.backend.clear_session()


@pytest.mark.parametrize("build, error, message", [
    (lambda: models.densenet(100), ValueError, r"depth must be one of \[121, 169, 201\]"),
    (lambda: models.densenet([4, 0]), ValueError, "blocks must be a non-empty list"),
    (lambda: models.densenet(compression=0), ValueError, r"compression must be in \(0, 1\]"),
    (lambda: models.densenet((2, 2, 2, 2, 2, 2), (8, 8, 1), 10), ShapeError,
     "densenet needs inputs of at least 253x253 pixels, got 8x8: transition4_pool would get a 1x1 feature map"),
    (lambda: models.densenet(121, (8, 8, 1), 10), ShapeError,
     "densenet121 needs inputs of at least 16x16 pixels, got 8x8: block4 would get a 1x1 feature map but needs at least 2x2"),
    (lambda: models.resnet(18, input_shape=(8, 8, 3)), ShapeError,
     "resnet18 needs inputs of at least 9x9 pixels, got 8x8: stage4 would get a 1x1 feature map but needs at least 2x2"),
    (lambda: models.resnet(18, input_shape=(16, 16, 3), stem_pool=True), ShapeError, "at least 17x17 pixels, got 16x16"),
    (lambda: models.googlenet((16, 16, 1), 10), ShapeError,
     "googlenet needs inputs of at least 17x17 pixels, got 16x16: 5b would get a 1x1 feature map"),
    (lambda: models.small_cnn((8, 8, 1), channels=(4, 4, 4, 4)), ShapeError,
     "small_cnn needs inputs of at least 16x16 pixels, got 8x8: block4_conv would get a 1x1 feature map"),
    (lambda: models.resnet(20), ValueError, r"depth must be one of \[18, 34, 50\]"),
    (lambda: models.resnet([]), ValueError, "stages must be a non-empty list"),
    (lambda: models.googlenet(dropout=-0.1), ValueError, "dropout must be a rate"),
    (lambda: models.nin((8, 8, 1), 10), ShapeError, r"nin needs inputs of at least 23x23 pixels, got 8x8: pool3 would get a 1x1"),
])
def test_bad_arguments_for_later_architectures(build, error, message):
    with pytest.raises(error, match=message):
        build()


def test_every_batch_norm_uses_the_course_momentum():
    nets = (models.resnet(((64, 1), (128, 1)), (28, 28, 1), 10, width=0.25),
            models.densenet((2, 2), (28, 28, 1), 10, growth=4, stem_pool=True),
            models.googlenet((28, 28, 1), 10, width=0.125, batch_norm=True))
    for net in nets:
        momenta = {layer.momentum for layer in net.layers if isinstance(layer, keras.layers.BatchNormalization)}
        assert momenta == {models.BN_MOMENTUM} == {0.9}, net.name
    keras.backend.clear_session()


@pytest.mark.parametrize("build, smallest", [
    (lambda n: models.lenet((n, n, 1)), 12),
    (lambda n: models.alexnet((n, n, 1), 10, width=1 / 16, dense_units=8), 15),
    (lambda n: models.vgg("A", (n, n, 1), 10, width=1 / 16, dense_units=8), 32),
    (lambda n: models.nin((n, n, 1), 10, width=1 / 16), 23),
    (lambda n: models.googlenet((n, n, 1), 10, width=1 / 16), 17),
    (lambda n: models.resnet(18, (n, n, 1), 10, width=1 / 16), 9),
    (lambda n: models.densenet((1, 1, 1), (n, n, 1), 10, growth=4, stem_pool=True), 15),
    (lambda n: models.small_cnn((n, n, 1), channels=(4, 4, 4)), 8),
])
def test_the_smallest_input_named_builds_and_one_less_does_not(build, smallest):
    """The shape check and the layers agree: the minimum the error names builds, one pixel less does not."""
    assert build(smallest).output.shape == (None, 10)
    with pytest.raises(ShapeError, match=f"at least {smallest}x{smallest} pixels, got {smallest - 1}x{smallest - 1}"):
        build(smallest - 1)
    keras.backend.clear_session()


def test_an_input_shape_of_numpy_integers_is_accepted():
    assert models.lenet((np.int64(28), np.int64(28), np.int64(1))).input.shape == (None, 28, 28, 1)
