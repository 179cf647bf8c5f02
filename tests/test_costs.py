import pytest

keras = pytest.importorskip("keras")
L = keras.layers

from coursekit.costs import count_macs, count_params, layer_macs, layer_table  # noqa: E402


def test_seed_example_32x32x3_ten_5x5_filters():
    model = keras.Sequential([keras.Input((32, 32, 3)), L.Conv2D(10, 5, padding="same")])
    assert count_params(model) == 760  # (5*5*3 + 1) * 10
    assert count_macs(model) == 32 * 32 * 10 * 5 * 5 * 3


def test_bottleneck_example_from_the_inception_lecture():
    direct = keras.Sequential([keras.Input((28, 28, 192)), L.Conv2D(32, 5, padding="same", use_bias=False)])
    bottleneck = keras.Sequential([keras.Input((28, 28, 192)), L.Conv2D(16, 1, use_bias=False),
                                   L.Conv2D(32, 5, padding="same", use_bias=False)])
    assert (count_params(direct), count_macs(direct)) == (153_600, 120_422_400)
    assert count_macs(bottleneck) == 12_443_648


def test_layer_kinds():
    x = keras.Input((8, 8, 4))
    cases = {
        "depthwise": (L.DepthwiseConv2D(3, depth_multiplier=2), 6 * 6 * 4 * 2 * 9),
        "separable": (L.SeparableConv2D(5, 3), 6 * 6 * 4 * 9 + 6 * 6 * 4 * 5),
        "transposed": (L.Conv2DTranspose(3, 2, strides=2), 8 * 8 * 4 * 4 * 3),
        "grouped": (L.Conv2D(6, 3, groups=2), 6 * 6 * 6 * 9 * 4 // 2),
        "maxpool": (L.MaxPooling2D(2), 4 * 4 * 4 * 4),
        "avgpool": (L.AveragePooling2D(2, strides=1), 7 * 7 * 4 * 4),
        "gap": (L.GlobalAveragePooling2D(), 8 * 8 * 4),
        "dense_on_maps": (L.Dense(3), 8 * 8 * 4 * 3),
        "relu": (L.ReLU(), 0),
    }
    for name, (layer, expected) in cases.items():
        layer(x)
        assert layer_macs(layer) == expected, name


def test_conv1d_and_conv3d():
    c1 = L.Conv1D(4, 3)
    c1(keras.Input((10, 2)))
    assert layer_macs(c1) == 8 * 4 * 3 * 2
    c3 = L.Conv3D(2, 3)
    c3(keras.Input((5, 5, 5, 1)))
    assert layer_macs(c3) == 27 * 2 * 27


def test_layer_table_lists_layers_and_total():
    model = keras.Sequential([keras.Input((28, 28, 1)), L.Conv2D(6, 5, padding="same", name="c1"),
                              L.MaxPooling2D(2, name="p1"), L.Flatten(name="flat"), L.Dense(10, name="out")])
    table = layer_table(model)
    assert list(table["layer"]) == ["c1", "p1", "flat", "out", "total"]
    assert table.iloc[0]["output shape"] == (28, 28, 6)
    assert table.iloc[-1]["params"] == model.count_params()
    assert table.iloc[-1]["MACs"] == count_macs(model) == 28 * 28 * 6 * 25 + 14 * 14 * 6 * 4 + 1176 * 10


def test_nested_models_are_expanded():
    block = keras.Sequential([L.Conv2D(4, 3, padding="same")], name="block")
    inputs = keras.Input((8, 8, 2))
    model = keras.Model(inputs, L.Dense(1)(block(inputs)))
    names = list(layer_table(model, total=False)["layer"])
    assert names[0].startswith("block/")
    assert count_macs(model) == 8 * 8 * 4 * 9 * 2 + 8 * 8 * 4


def test_unbuilt_model_is_refused():
    with pytest.raises(ValueError, match="not built"):
        layer_table(keras.Sequential([L.Dense(3)]))
