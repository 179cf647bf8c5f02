from types import SimpleNamespace

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import ml_dtypes  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from coursekit import plots  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_show_images_titles_with_class_names():
    images = np.zeros((5, 28, 28, 1), np.uint8)
    fig = plots.show_images(images, labels=[0, 1, 2, 3, 4], class_names=list("abcde"), ncols=3)
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert titles == list("abcde") and len(fig.axes) == 6  # 2 rows x 3 columns


def test_show_images_refuses_mismatched_labels_and_bad_shapes():
    with pytest.raises(ValueError, match="3 images but 2 labels"):
        plots.show_images(np.zeros((3, 4, 4)), labels=[0, 1])
    with pytest.raises(ValueError, match=r"image 0 has shape \(4,\)"):
        plots.show_images([np.zeros(4)])


def test_show_matrices_annotates_every_cell():
    fig = plots.show_matrices(("X", np.arange(9).reshape(3, 3)), ("K", np.ones((2, 2))), symbols="*")
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert texts == [str(i) for i in range(9)] + ["*"]  # cells, then the operator symbol
    assert [ax.get_title() for ax in fig.axes] == ["X", "K"]
    with pytest.raises(ValueError, match="must be a 2-D matrix"):
        plots.show_matrices(("bad", np.zeros((2, 2, 2))))


def test_show_kernels_from_keras_layout_and_list():
    assert len(plots.show_kernels(np.zeros((5, 5, 1, 6)), ncols=6).axes) == 6
    assert len(plots.show_kernels([np.eye(3), -np.eye(3)]).axes) == 2
    with pytest.raises(ValueError, match="expected Keras kernels"):
        plots.show_kernels([np.zeros(3)])


def test_show_feature_maps():
    assert len(plots.show_feature_maps(np.zeros((1, 8, 8, 4)), ncols=4).axes) == 4
    with pytest.raises(ValueError, match="feature map"):
        plots.show_feature_maps(np.zeros((8, 8)))
    fig = plots.show_feature_maps(np.zeros((8, 8, 2)), titles=["edges", "blur"])
    assert [ax.get_title() for ax in fig.axes] == ["edges", "blur"]
    with pytest.raises(ValueError, match="2 channels but 1 titles"):
        plots.show_feature_maps(np.zeros((8, 8, 2)), titles=["edges"])


def test_plot_history_pairs_train_and_validation():
    logs = {"loss": [1.0, 0.5], "val_loss": [1.1, 0.7], "accuracy": [0.5, 0.8]}
    fig = plots.plot_history(logs)
    assert [ax.get_title() for ax in fig.axes] == ["loss", "accuracy"]
    assert len(fig.axes[0].lines) == 2 and len(fig.axes[1].lines) == 1
    np.testing.assert_array_equal(fig.axes[0].lines[0].get_xdata(), [1, 2])
    with pytest.raises(ValueError, match="none of"):
        plots.plot_history({"mae": [1.0]})


def test_compare_histories_draws_one_line_per_run_and_names_missing_metrics():
    runs = {"plain": {"loss": [2.0, 1.5, 1.2], "val_accuracy": [0.3, 0.4, 0.5]},
            "residual": SimpleNamespace(history=SimpleNamespace(history={"loss": [1.8, 0.9, 0.5], "val_accuracy": [0.4, 0.6, 0.7]}))}
    fig = plots.compare_histories(runs)
    assert [ax.get_title() for ax in fig.axes] == ["loss", "validation accuracy"]
    assert [line.get_label() for line in fig.axes[0].lines] == ["plain", "residual"]
    np.testing.assert_array_equal(fig.axes[0].lines[1].get_ydata(), [1.8, 0.9, 0.5])
    with pytest.raises(ValueError, match="'plain' has no \\['accuracy'\\]"):
        plots.compare_histories(runs, metrics=["accuracy"])
    with pytest.raises(ValueError, match="no runs"):
        plots.compare_histories({})
    with pytest.raises(TypeError, match="expected a training result"):
        plots.compare_histories({"x": [1.0, 2.0]})


def test_style_keeps_figures_small():
    plots.use_style()
    assert plt.rcParams["figure.dpi"] == plots.FIG_DPI


def test_show_images_keeps_faint_and_flat_images_faint():
    noise = np.full((4, 4), 1e-8)
    noise[:, 2] = 3e-8                                    # rounding noise must not become a white line
    fig = plots.show_images([noise, np.full((4, 4), 0.2), np.arange(16.0).reshape(4, 4),
                             np.zeros((4, 4), np.uint8)])
    limits = [ax.images[0].get_clim() for ax in fig.axes]
    assert limits == [(0.0, 1.0), (0.0, 1.0), (0.0, 15.0), (0, 255)]


def test_show_predictions_marks_mistakes_in_red():
    images = np.zeros((3, 8, 8), np.uint8)
    probs = np.array([[0.9, 0.1], [0.2, 0.8], [0.7, 0.3]])
    fig = plots.show_predictions(images, [0, 0, 0], probs.argmax(1), ["cat", "dog"], probabilities=probs)
    titles = [ax.get_title() for ax in fig.axes]
    assert titles == ["cat 90%", "dog 80%\n(is cat)", "cat 70%"]
    colours = [ax.title.get_color() for ax in fig.axes]
    assert colours == ["black", "tab:red", "black"]
    with pytest.raises(ValueError, match="3 images, 2 true labels and 3 predictions"):
        plots.show_predictions(images, [0, 0], [0, 0, 0])


LOW_PRECISION = [pytest.param(ml_dtypes.bfloat16, id="bfloat16"), pytest.param(np.float16, id="float16")]


@pytest.mark.parametrize("dtype", LOW_PRECISION)
def test_every_plot_takes_what_a_mixed_precision_model_returns(dtype):
    """bfloat16 (mixed precision on CPUs) and float16 (GPUs) arrays are drawn as float32."""
    rng = np.random.default_rng(0)
    maps = rng.random((1, 6, 6, 3)).astype(dtype)
    images = rng.random((4, 6, 6, 1)).astype(dtype)
    probabilities = rng.dirichlet(np.ones(3), 4).astype(dtype)
    figures = [
        plots.show_feature_maps(maps),
        plots.show_images(images, labels=[0, 1, 2, 0]),
        plots.show_predictions(images, [0, 1, 2, 0], probabilities.argmax(1), probabilities=probabilities),
        plots.show_kernels(rng.normal(size=(3, 3, 1, 2)).astype(dtype)),
        plots.show_kernels([rng.normal(size=(3, 3)).astype(dtype)]),
        plots.show_matrices(("maps", maps[0, :, :, 0]), ("kernel", np.ones((2, 2), dtype))),
        plots.plot_history({"loss": np.array([2.0, 1.0], dtype).tolist()}),
    ]
    for fig in figures:
        fig.canvas.draw()  # matplotlib computes its colour limits here
        for image in (im for ax in fig.axes for im in ax.images):
            assert image.get_array().dtype == np.float32
        assert np.isfinite(fig.axes[0].get_xlim()).all()


def test_plots_refuse_non_numbers_with_a_clear_message():
    with pytest.raises(TypeError, match="feature maps: expected numbers"):
        plots.show_feature_maps(np.array([["a"]], dtype=object)[None, ..., None])


def test_epoch_axes_have_whole_number_ticks():
    logs = {"loss": [2.0, 1.5, 1.2], "val_loss": [2.1, 1.7, 1.6]}
    for fig in (plots.plot_history(logs), plots.compare_histories({"a": logs, "b": logs}, metrics=["loss"])):
        fig.canvas.draw()
        ticks = fig.axes[0].get_xticks()
        assert len(ticks) >= 2 and np.array_equal(ticks, np.round(ticks))
