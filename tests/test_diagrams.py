"""Block diagrams drawn from the models: the graph read from the config, the layout, the labels."""
import keras
import matplotlib
import pytest

from coursekit.diagrams import _layout, draw_model, layer_graph

matplotlib.use("Agg")
L = keras.layers


def residual(projection: bool) -> keras.Model:
    x = keras.Input((8, 8, 16), name="x")
    y = L.Conv2D(32 if projection else 16, 3, strides=2 if projection else 1, padding="same", name="c1")(x)
    y = L.ReLU(name="r1")(L.BatchNormalization(name="b1")(y))
    y = L.BatchNormalization(name="b2")(L.Conv2D(32 if projection else 16, 3, padding="same", name="c2")(y))
    shortcut = L.Conv2D(32, 1, strides=2, name="proj")(x) if projection else x
    return keras.Model(x, L.ReLU(name="out")(L.Add(name="add")([shortcut, y])))


def test_a_shortcut_is_an_edge_of_the_graph():
    graph = {box.name: box.parents for box in layer_graph(residual(False))}
    assert graph["add"] == ("x", "b2") and graph["c1"] == ("x",)
    projected = {box.name: box for box in layer_graph(residual(True))}
    assert projected["add"].parents == ("proj", "b2")
    assert projected["proj"].label == "Conv 1x1, 32, /2" and projected["proj"].shape == "4x4x32"


def test_sequential_models_are_chained_from_their_input():
    model = keras.Sequential([keras.Input((28, 28, 1)), L.Conv2D(6, 5, activation="sigmoid"), L.AveragePooling2D(2),
                              L.Flatten(), L.Dense(10, activation="softmax")])
    boxes = layer_graph(model)
    assert [b.label for b in boxes] == ["Input", "Conv 5x5, 6, sigmoid", "AvgPool 2x2, /2", "Flatten",
                                        "Dense 10, softmax"]
    assert all(b.parents == (a.name,) for a, b in zip(boxes, boxes[1:]))


def test_parallel_paths_sit_side_by_side_and_shortcuts_beside_the_path_they_join():
    where = _layout(layer_graph(residual(True)))
    assert where["proj"][1] == where["b2"][1] and where["proj"][0] > where["b2"][0]  # just before the Add
    assert where["add"][1] == where["b2"][1] + 1 and where["x"] == (0.0, 0)


@pytest.mark.parametrize("projection", [False, True])
def test_every_layer_is_a_labelled_box(projection):
    model = residual(projection)
    fig = draw_model(model, title="block")
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert len(fig.axes[0].patches) == len(model.layers)
    assert "Add (+)" in texts and "BatchNorm" in texts and fig.axes[0].get_title() == "block"


def test_a_nested_model_is_one_box():
    block = keras.Sequential([L.Conv2D(4, 3, padding="same"), L.MaxPooling2D(2)], name="vgg_block")
    model = keras.Sequential([keras.Input((8, 8, 3)), block, L.Flatten(), L.Dense(2)])
    assert [b.label for b in layer_graph(model)][1] == "vgg_block (2 layers)"
