"""coursekit.inspect_cnn: heat maps stretched over their images, tables of patches."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from coursekit.inspect_cnn import overlay, show_overlays, show_rows  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_heat_map_of_any_size_covers_the_whole_image():
    fig, ax = plt.subplots()
    overlay(ax, np.zeros((28, 28, 1)), np.arange(49.0).reshape(7, 7))
    picture, heat = ax.get_images()
    assert picture.get_array().shape == (28, 28)
    assert heat.get_extent() == pytest.approx((-0.5, 27.5, 27.5, -0.5))
    assert heat.get_clim() == (0.0, 48.0)


def test_limits_give_maps_one_colour_scale_and_symmetric_is_centred():
    fig, (a, b) = plt.subplots(1, 2)
    overlay(a, np.zeros((4, 4)), np.full((2, 2), 0.2), limits=(0, 1))
    overlay(b, np.zeros((4, 4)), np.array([[-0.5, 0.1], [0.2, 0.3]]), symmetric=True)
    assert a.get_images()[1].get_clim() == (0, 1)
    assert b.get_images()[1].get_clim() == (-0.5, 0.5)


def test_overlays_and_rows_lay_out_one_panel_per_image():
    fig = show_overlays(np.zeros((5, 8, 8)), [np.ones((4, 4))] * 5, titles=list("abcde"), ncols=3)
    assert [ax.get_title() for ax in fig.axes[:5]] == list("abcde") and len(fig.axes) == 6
    fig = show_rows([[np.zeros((3, 3))] * 3] * 2, heats=[[None, np.ones((2, 2)), None]] * 2,
                    heat_limits=[None, (0, 2), None], col_titles=["x", "y", "z"])
    assert len(fig.axes) == 6
    assert [len(ax.get_images()) for ax in fig.axes] == [1, 2, 1] * 2
    assert fig.axes[1].get_images()[1].get_clim() == (0, 2)


@pytest.mark.parametrize("call, message", [
    (lambda: overlay(plt.subplots()[1], np.zeros((4, 4, 3)), np.ones((2, 2))), "grayscale image"),
    (lambda: show_overlays(np.zeros((2, 4, 4)), [np.ones((2, 2))]), "2 images but 1 heat maps"),
    (lambda: show_overlays(np.zeros((1, 4, 4)), [np.ones((2, 2))], titles=["a", "b"]), "1 images but 2 titles"),
    (lambda: show_rows([[np.zeros((3, 3))], [np.zeros((3, 3))] * 2]), "same number of images"),
    (lambda: show_rows([[np.zeros((3, 3))]], row_titles=["a", "b"]), "1 rows but 2 row titles"),
])
def test_bad_input_is_named(call, message):
    with pytest.raises(ValueError, match=message):
        call()
