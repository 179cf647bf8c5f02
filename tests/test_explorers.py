"""The explorers (coursekit.explore_*): their numbers against coursekit.ops, Keras and TensorFlow's
gradients, their messages for configurations that do not fit, and the widget wiring (a slider
change recomputes the state and the picture; the display carries widget view, PNG and text)."""
import base64
import sys
import warnings

import numpy as np
import pytest

import coursekit  # noqa: F401  (quiets TensorFlow before Keras is imported)
from coursekit import widget_display
from coursekit.explore_conv import conv_state, example_input, example_kernel, transposed_state
from coursekit.explore_optimizers import PROBLEMS, optimizer_state
from coursekit.explore_pooling import pool_input, pool_state
from coursekit.explore_receptive_field import receptive_field_state
from coursekit.explore_steps import MAX_SIDE
from coursekit.layer_specs import LayerSpec, layers_from_model, model_input_size
from coursekit.ops import conv_transpose2d, dilate_kernel, pool2d
from coursekit.widget_display import WIDGET_VIEW, png_size, require_ipywidgets

keras = pytest.importorskip("keras")
tf = pytest.importorskip("tensorflow")


def keras_conv(X, K, stride, padding, dilation):
    """Keras Conv2D at stride 1, sampled every ``stride`` cells (Keras refuses stride > 1 with dilation > 1)."""
    layer = keras.layers.Conv2D(1, K.shape, dilation_rate=dilation, use_bias=False)
    layer.build((None, X.shape[0] + 2 * padding, X.shape[1] + 2 * padding, 1))
    layer.set_weights([K[:, :, None, None]])
    return np.asarray(layer(np.pad(X, padding)[None, :, :, None].astype("float32")))[0, ::stride, ::stride, 0]


@pytest.mark.parametrize("n, k, p, s, d", [(5, 3, 0, 1, 1), (5, 3, 1, 2, 1), (7, 3, 1, 2, 2), (6, 2, 0, 3, 1),
                                           (4, 3, 2, 1, 2)])
def test_conv_output_matches_keras_and_fills_step_by_step(n, k, p, s, d):
    state = conv_state(n=n, k=k, padding=p, stride=s, dilation=d)
    expected = keras_conv(example_input(n), example_kernel(k), s, p, d)
    np.testing.assert_allclose(state.output, expected, rtol=1e-6)
    m = expected.shape[0]
    assert state.n_steps == m * m
    last = conv_state(n=n, k=k, padding=p, stride=s, dilation=d, step=m * m - 1)
    np.testing.assert_array_equal(last.grids[-1].values, expected)  # filled completely at the last step
    assert np.isnan(state.grids[-1].values).sum() == m * m - 1      # only the first cell at step 0
    assert state.window.sum() == k * k and last.window.sum() == k * k
    assert f"= {m}" in state.formula and f"({n} + 2·{p} - {d}·({k}-1) - 1)/{s}" in state.formula


def test_dilated_window_reads_every_d_th_cell():
    state = conv_state(n=7, k=3, padding=0, stride=1, dilation=2, step=0)
    rows, cols = np.nonzero(state.window)
    assert sorted(set(rows)) == sorted(set(cols)) == [0, 2, 4]
    np.testing.assert_array_equal(dilate_kernel(np.ones((2, 2)), 3), [[1, 0, 0, 1], [0] * 4, [0] * 4, [1, 0, 0, 1]])


def test_kernel_larger_than_padded_input_says_what_and_how_to_fix():
    state = conv_state(n=3, k=5, padding=0)
    assert not state.fits and state.output.size == 0
    assert "spans 5" in state.message and "padded input is only 3" in state.message and "padding p ≥ 1" in state.message
    assert conv_state(n=3, k=5, padding=1).fits  # the suggested fix works
    with pytest.raises(ValueError, match="step must be at most 0"):   # the step is checked here too
        conv_state(n=2, k=5, step=3)
    with pytest.raises(TypeError, match="step must be an int"):
        conv_state(n=2, k=5, step="x")


def test_stride_that_leaves_rows_unused_is_explained_and_hatched():
    state = conv_state(n=6, k=3, stride=2)  # (6 - 3) / 2 is not whole: the last row is never read
    assert state.fits and state.output.shape == (2, 2)
    assert "The last 1 row(s) and column(s) are never read" in state.message and "3/2" in state.message
    unused = state.grids[0].unused
    assert unused[-1].all() and unused[:, -1].all() and not unused[0, 0]
    assert "input size 7" in state.message and conv_state(n=7, k=3, stride=2).message == ""


@pytest.mark.parametrize("settings, gap", [
    (dict(n=5, k=2, stride=3), "Row and column 2 lie between two windows"),          # stride > kernel
    (dict(n=5, k=1, stride=2), "Rows and columns 1, 3 lie between two windows"),
    (dict(n=5, k=2, dilation=2, stride=2), "fall between the dilated kernel's taps"),  # dilation skips cells
    (dict(n=6, k=2, stride=3), "Row and column 2 lie between"),                        # gaps and a leftover row
])
def test_interior_gaps_are_hatched_explained_and_the_fix_works(settings, gap):
    state = conv_state(**settings)
    read = np.zeros_like(state.window)
    for step in range(state.n_steps):
        read |= conv_state(**settings, step=step).window
    np.testing.assert_array_equal(state.grids[0].unused, ~read)
    assert gap in state.message
    fixes = state.message.split("try ")[1].rstrip(".").replace(" or ", ", ").split(", ")
    names = {"padding": "padding", "input size": "n", "stride": "stride", "dilation": "dilation"}
    for fix in fixes:
        label, value = fix.rsplit(" ", 1)
        assert conv_state(**{**settings, names[label]: int(value)}).message == "", fix  # every suggestion works


def test_padding_suggestion_is_only_made_when_it_reads_every_row():
    state = conv_state(n=6, k=2, stride=3)
    assert "padding" not in state.message.split("try ")[1]       # padding 1 still skips rows 1 and 4 (padded 2, 5)
    assert "Rows and columns 2, 5" in conv_state(n=6, k=2, stride=3, padding=1).message


def test_suggested_fixes_stay_within_the_sliders():
    for settings in (dict(n=9, k=2, stride=4), dict(n=9, k=5, stride=4, padding=3)):
        message = conv_state(**settings).message
        assert "input size 10" not in message and "padding 4" not in message and "input size 11" not in message
    assert "input size 12" not in pool_state(n=9, window=4, stride=4).message


def test_only_padding_unused_says_every_pixel_is_read():
    for state in (conv_state(n=4, k=3, stride=2, padding=1), pool_state(n=4, window=3, stride=2, padding=1)):
        assert state.message.startswith("Only padding is never read") and 'padding="same"' in state.message
        unused = state.grids[0].unused
        assert unused.any() and not (unused & ~state.grids[0].muted).any()


@pytest.mark.parametrize("n, k, p, s", [(2, 2, 0, 1), (2, 2, 0, 2), (3, 3, 1, 2), (3, 2, 0, 3), (4, 3, 1, 1)])
def test_transposed_convolution_matches_keras_conv2d_transpose(n, k, p, s):
    X, K = example_input(n), example_kernel(k)
    layer = keras.layers.Conv2DTranspose(1, k, strides=s, padding="valid", use_bias=False)
    layer.build((None, n, n, 1))
    layer.set_weights([K[:, :, None, None]])
    keras_full = np.asarray(layer(X[None, :, :, None].astype("float32")))[0, :, :, 0]
    side = (n - 1) * s + k            # Keras's "valid" adds s - k zero rows/columns when the stride exceeds the kernel
    assert not keras_full[side:].any() and not keras_full[:, side:].any()
    full = keras_full[:side, :side]
    expected = full[p:side - p, p:side - p]   # padding p crops p cells per side
    state = transposed_state(n=n, k=k, padding=p, stride=s)
    np.testing.assert_allclose(state.output, expected, rtol=1e-6)
    np.testing.assert_allclose(conv_transpose2d(X, K, s, p), expected, rtol=1e-6)
    assert state.output.shape[0] == (n - 1) * s - 2 * p + (k - 1) + 1
    last = transposed_state(n=n, k=k, padding=p, stride=s, step=n * n - 1)
    np.testing.assert_allclose(last.grids[-1].values, expected, rtol=1e-6)  # the running sum ends at the output


def test_transposed_convolution_with_dilation_matches_keras():
    X, K = example_input(3), example_kernel(2)
    layer = keras.layers.Conv2DTranspose(1, 2, dilation_rate=2, use_bias=False)
    layer.build((None, 3, 3, 1))
    layer.set_weights([K[:, :, None, None]])
    expected = np.asarray(layer(X[None, :, :, None].astype("float32")))[0, :, :, 0]
    np.testing.assert_allclose(transposed_state(n=3, k=2, dilation=2).output, expected, rtol=1e-6)


def test_transposed_messages_for_gaps_and_too_much_padding():
    gaps = transposed_state(n=2, k=2, stride=4)
    assert "receive no contribution" in gaps.message and "stride 4 is larger than the window's reach" in gaps.message
    assert "try stride 2" in gaps.message and transposed_state(n=2, k=2, stride=2).message == ""
    cropped = transposed_state(n=2, k=2, padding=2)
    assert not cropped.fits and "Use padding p ≤ 1" in cropped.message


@pytest.mark.parametrize("settings, fix", [(dict(n=1, k=2, dilation=2), "dilation 1"),
                                           (dict(n=2, k=2, dilation=3), "dilation 2"),
                                           (dict(n=2, k=2, dilation=2, stride=2), "stride 1")])
def test_transposed_gaps_caused_by_dilation_are_explained_as_such(settings, fix):
    state = transposed_state(**settings)
    assert "fall between the dilated kernel's taps" in state.message and "larger than" not in state.message
    assert f"try {fix}" in state.message
    label, value = fix.split()
    assert transposed_state(**{**settings, label: int(value)}).message == ""
    last = transposed_state(**settings, step=state.n_steps - 1)
    written = last.grids[2].values != 0
    assert not (written & last.grids[2].unused).any()  # hatched cells really stay 0


@pytest.mark.parametrize("mode, layer", [("max", "MaxPooling2D"), ("avg", "AveragePooling2D")])
def test_pooling_matches_keras_and_steps(mode, layer):
    X = pool_input(6)
    expected = np.asarray(getattr(keras.layers, layer)(3, strides=2)(X[None, :, :, None].astype("float32")))[0, :, :, 0]
    state = pool_state(n=6, window=3, stride=2, mode=mode, step=1)
    np.testing.assert_allclose(state.output, expected, rtol=1e-6)
    assert state.window[0:3, 2:5].all() and state.window.sum() == 9  # step 1: second window of the first row
    assert "The last 1 row(s) and column(s) are never read" in state.message


@pytest.mark.parametrize("mode, layer", [("max", "MaxPooling2D"), ("avg", "AveragePooling2D")])
def test_pooling_padding_vs_keras_same(mode, layer):
    """The explorer pads P on every side; Keras "same" pads only the bottom/right row the windows use."""
    X = pool_input(4)
    keras_same = np.asarray(getattr(keras.layers, layer)(3, strides=2, padding="same")(
        X[None, :, :, None].astype("float32")))[0, :, :, 0]
    np.testing.assert_allclose(pool2d(X, 3, 2, (0, 1, 0, 1), mode), keras_same, rtol=1e-6)
    state = pool_state(n=4, window=3, stride=2, padding=1, mode=mode)
    assert state.output.shape == keras_same.shape and "Only padding is never read" in state.message


def test_pooling_gaps_example_and_padding_drawn_empty():
    gaps = pool_state(n=5, window=2, stride=3)
    assert "Row and column 2 lie between two windows" in gaps.message and gaps.grids[0].unused[2].all()
    lesson = pool_state(n=5, window=3, stride=2, padding=1)
    assert len({tuple(row) for row in lesson.output}) == 3          # no two output rows alike
    assert np.isnan(lesson.grids[0].values[lesson.grids[0].muted]).all()   # padding takes no part: drawn empty
    assert "F = 3" in lesson.title and "(W + 2P - F)/S" in lesson.formula


def test_pooling_misfits_and_bad_input():
    too_much = pool_state(n=4, window=2, padding=2)
    assert "must be smaller than the window" in too_much.message and "try" not in too_much.message
    assert "Try padding P 1" in too_much.message
    assert "does not fit" in pool_state(n=2, window=3).message
    with pytest.raises(ValueError, match="mode must be one of"):
        pool_state(mode="median")
    with pytest.raises(ValueError, match="step must be at most 3"):
        pool_state(n=4, window=2, step=4)


@pytest.mark.parametrize("unit", [(0, 0), (1, 2), (3, 3)])
def test_receptive_field_is_the_support_of_the_units_gradient(unit):
    """With positive weights, no bias and average pooling, d unit / d input is nonzero exactly on the field."""
    L = keras.layers
    ones = dict(use_bias=False, kernel_initializer="ones")
    model = keras.Sequential([keras.Input((20, 20, 1)), L.Conv2D(1, 3, padding="same", **ones), L.ReLU(),
                              L.AveragePooling2D(2), L.Conv2D(1, 3, dilation_rate=2, **ones),
                              L.Conv2D(1, 2, strides=2, padding="same", **ones), L.ZeroPadding2D(1),
                              L.AveragePooling2D(2, strides=1)])
    layers = layers_from_model(model)
    assert [layer.kind for layer in layers] == ["conv", "avg pool", "conv", "conv", "zero padding", "avg pool"]
    state = receptive_field_state(layers, 20, *unit)
    assert state.sizes[-1] == tuple(model.output_shape[1:3])
    x = tf.Variable(np.ones((1, 20, 20, 1), "float32"))
    with tf.GradientTape() as tape:
        y = model(x)[0, unit[0], unit[1], 0]
    support = tape.gradient(y, x).numpy()[0, :, :, 0] != 0
    np.testing.assert_array_equal(support, state.masks[0])


def test_receptive_field_size_away_from_borders_and_model_errors():
    stack = [LayerSpec("c1", 3, padding=1), LayerSpec("c2", 3, padding=1), LayerSpec("c3", 3, padding=1)]
    assert receptive_field_state(stack, 15).field_size == (7, 7)          # three 3x3 layers see 7x7
    assert receptive_field_state(stack, 15, 0, 0).field_size == (4, 4)    # padding: clipped at the corner
    assert receptive_field_state(stack, 15).theoretical_size == 7
    with pytest.raises(ValueError, match="mixes positions"):
        layers_from_model(keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Conv2D(1, 3), keras.layers.Flatten()]))
    with pytest.raises(ValueError, match="at most"):
        receptive_field_state(stack, 15, row=15)
    with pytest.raises(ValueError, match="padding must be an int"):
        LayerSpec("bad", 3, padding="full")
    with pytest.raises(ValueError, match="pass input_size"):
        model_input_size(keras.Sequential([keras.Input((None, None, 1)), keras.layers.Conv2D(1, 3)]))


def test_unit_that_sees_only_padding_is_reported_not_a_crash():
    state = receptive_field_state([LayerSpec("zp", 1, padding=2)], 5, 0, 0)
    assert not state.masks[0].any() and state.field_size == (0, 0)
    assert "sees only padding" in state.text() and state.figure() is not None
    L = keras.layers
    model = keras.Sequential([keras.Input((5, 5, 1)), L.ZeroPadding2D(2), L.Conv2D(1, 1)])
    assert "sees only padding" in receptive_field_state(layers_from_model(model), 5, 0, 0).text()


def test_non_square_models_get_their_own_height_and_width():
    L = keras.layers
    ones = dict(use_bias=False, kernel_initializer="ones")
    model = keras.Sequential([keras.Input((12, 20, 1)), L.Conv2D(1, 3, **ones), L.AveragePooling2D(2),
                              L.Conv2D(1, 3, strides=2, padding="same", **ones)])
    pytest.importorskip("ipywidgets")
    from coursekit.explore_receptive_field import receptive_field_explorer

    explorer = receptive_field_explorer(model)
    assert explorer.state.sizes[0] == (12, 20) and explorer.state.sizes[-1] == tuple(model.output_shape[1:3])
    assert explorer.controls["col"].max == model.output_shape[2] - 1
    unit = (2, 4)
    x = tf.Variable(np.ones((1, 12, 20, 1), "float32"))
    with tf.GradientTape() as tape:
        y = model(x)[0, unit[0], unit[1], 0]
    support = tape.gradient(y, x).numpy()[0, :, :, 0] != 0
    np.testing.assert_array_equal(support, receptive_field_state(layers_from_model(model), (12, 20), *unit).masks[0])
    first = keras.Sequential([keras.Input((3, 8, 8)), L.Conv2D(1, 3, data_format="channels_first")])
    with pytest.raises(ValueError, match="channels_first"):
        layers_from_model(first)


def test_sizes_are_capped_with_a_clear_message():
    with pytest.raises(ValueError, match=f"at most {MAX_SIDE}×{MAX_SIDE}"):
        conv_state(n=60)
    with pytest.raises(ValueError, match="full grid"):
        transposed_state(n=40, k=3, stride=3)
    with pytest.raises(ValueError, match="padded input"):
        pool_state(n=60)
    assert conv_state(n=9, k=5, padding=3, stride=4, dilation=3).fits is not None  # the sliders' maxima work
    assert transposed_state(n=9, k=5, padding=3, stride=4, dilation=3).fits


def test_big_grids_are_drawn_as_one_image_not_a_patch_per_cell():
    vgg = [LayerSpec(f"c{i}", 3, padding="same") if i % 3 else LayerSpec(f"p{i}", 2, stride=2, kind="max pool")
           for i in range(1, 10)]
    figure = receptive_field_state(vgg, 224).figure()
    assert all(len(ax.images) == 1 and len(ax.patches) <= 1 for ax in figure.axes)


def update_rule_path(name: str, start, steps: int, lr: float, mu: float = 0.5, b1: float = 0.9, b2: float = 0.999,
                     eps: float = 1e-7) -> np.ndarray:
    """The update rules of lesson 12 (Keras's forms, its epsilons and its float32 hyperparameters)."""
    lr, mu, b1, b2 = (float(np.float32(v)) for v in (lr, mu, b1, b2))
    w, v, s, r = np.array(start, float), np.zeros(2), np.zeros(2), np.full(2, 0.1)  # Adagrad starts its sum at 0.1
    path = [w.copy()]
    for t in range(1, steps + 1):
        g = np.array([0.2 * w[0], 4 * w[1]])
        if name == "SGD":
            w = w - lr * g
        elif name == "momentum":
            v = mu * v - lr * g
            w = w + v
        elif name == "AdaGrad":
            r = r + g * g
            w = w - lr * g / (np.sqrt(r) + eps)
        elif name == "RMSProp":
            s = 0.9 * s + 0.1 * g * g
            w = w - lr * g / (np.sqrt(s) + eps)
        else:
            v, s = b1 * v + (1 - b1) * g, b2 * s + (1 - b2) * g * g
            w = w - lr * np.sqrt(1 - b2 ** t) / (1 - b1 ** t) * v / (np.sqrt(s) + eps)
        path.append(w.copy())
    return np.array(path)


@pytest.mark.parametrize("name", ["SGD", "momentum", "AdaGrad", "RMSProp", "Adam"])
def test_optimizer_paths_follow_the_update_rules(name):
    spec = PROBLEMS["ill-conditioned quadratic"]
    state = optimizer_state("ill-conditioned quadratic", name, learning_rate=0.1, momentum=0.5, steps=20)
    np.testing.assert_allclose(state.path, update_rule_path(name, spec.start, 20, 0.1), atol=1e-4)
    assert state.losses[-1] < state.losses[0] and "20 steps" in state.text()


def test_adam_solves_rosenbrock_in_lesson_12s_steps():
    adam = optimizer_state("Rosenbrock", "Adam")              # lesson 12's 2,000 steps at learning rate 0.05
    assert adam.path.shape == (2001, 2) and adam.losses[-1] < 1e-6


def test_optimizer_bad_input():
    with pytest.raises(ValueError, match="optimizer must be one of"):
        optimizer_state(optimizer="LBFGS")
    with pytest.raises(ValueError, match="problem must be one of"):
        optimizer_state(problem="Himmelblau")
    with pytest.raises(ValueError, match="learning_rate must be positive"):
        optimizer_state(optimizer="SGD", learning_rate=-1.0)
    with pytest.raises(ValueError, match="beta_2 must be in"):
        optimizer_state(optimizer="Adam", beta_2=1.0)
    with pytest.raises(ValueError, match="learning_rate must be a finite number"):
        optimizer_state(optimizer="SGD", learning_rate=float("inf"))
    with pytest.raises(TypeError, match="learning_rate must be a number"):
        optimizer_state(optimizer="SGD", learning_rate="0.1")


def test_diverged_path_prints_no_numpy_warnings():
    state = optimizer_state("Rosenbrock", "SGD", learning_rate=0.01, steps=50)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert "diverged" in state.text() and state.figure() is not None
    assert "on Rosenbrock's function" in state.text()


def test_bad_sizes_get_clear_errors():
    with pytest.raises(TypeError, match="input size n must be an int"):
        conv_state(n=2.5)
    with pytest.raises(ValueError, match="stride s must be at least 1"):
        conv_state(stride=0)
    with pytest.raises(ValueError, match="step must be at most 8"):
        conv_state(n=5, k=3, step=9)


def test_explorers_recompute_state_and_picture_on_slider_change():
    pytest.importorskip("ipywidgets")
    from coursekit.explore_conv import conv_explorer
    from coursekit.explore_pooling import pooling_explorer
    from coursekit.explore_receptive_field import receptive_field_explorer

    conv = conv_explorer(n=5, k=3)
    before_png, before_text = conv.png, conv.state.text()
    conv.controls["padding"].value = 1           # as a slider drag would
    assert conv.state.output.shape == (5, 5) and conv.png != before_png and conv.state.text() != before_text
    assert conv.step.max == conv.play.max == 24
    conv.step.value = 7                          # as the play button would
    assert conv.state.step == 7 and conv.state.window[1, 2:5].all()
    conv.controls["mode"].value = "transposed convolution"
    assert conv.state.title.startswith("transposed") and conv.state.step == 0
    pool = pooling_explorer()
    pool.set(mode="avg", padding=1, window=3)
    assert "average pooling" in pool.state.text()
    field = receptive_field_explorer([LayerSpec("c1", 3), LayerSpec("p1", 2, stride=2, kind="max pool")], 10)
    first = field.png
    field.controls["row"].value = 0
    assert field.state.unit[0] == 0 and field.png != first
    with pytest.raises(ValueError, match="unknown control"):
        conv.set(size=3)


def test_a_setting_changed_from_code_renders_once(monkeypatch):
    pytest.importorskip("ipywidgets")
    from coursekit.explore_conv import conv_explorer

    conv = conv_explorer(n=5, k=3)
    renders = []
    original = widget_display.figure_png
    monkeypatch.setattr(widget_display, "figure_png", lambda fig: renders.append(1) or original(fig))
    conv.set(padding=1)
    assert len(renders) == 1
    conv.set(stride=2, step=3)
    assert len(renders) == 2 and conv.state.step == 3
    with pytest.raises(ValueError, match="step must be between 0 and 8"):
        conv.set(step=9)
    last = conv_explorer(n=2, k=2, stride=2, mode="transposed convolution", step=3)
    assert last.state.step == 3 and last.state.grids[-1].values.any()   # the static figure shows the output


def test_random_configurations_match_keras():
    """A seeded sample of the review's sweep: outputs, formula and hatching against Keras and the windows."""
    rng = np.random.default_rng(0)
    checked = 0
    while checked < 25:
        n, k, p, s, d = (int(v) for v in (rng.integers(1, 8), rng.integers(1, 5), rng.integers(0, 3),
                                          rng.integers(1, 4), rng.integers(1, 3)))
        state = conv_state(n=n, k=k, padding=p, stride=s, dilation=d)
        if not state.fits:
            assert state.message.startswith("Does not fit")
            continue
        np.testing.assert_allclose(state.output, keras_conv(example_input(n), example_kernel(k), s, p, d), rtol=1e-6)
        read = np.zeros_like(state.window)
        for step in range(state.n_steps):
            read |= conv_state(n=n, k=k, padding=p, stride=s, dilation=d, step=step).window
        np.testing.assert_array_equal(state.grids[0].unused, ~read)
        assert (state.message == "") == bool(read.all())
        checked += 1


def test_display_has_widget_view_png_and_numbers():
    pytest.importorskip("ipywidgets")
    from coursekit.explore_optimizers import optimizer_explorer

    explorer = optimizer_explorer()
    data, metadata = explorer._repr_mimebundle_()
    assert data[WIDGET_VIEW]["model_id"] == explorer.widget.model_id
    png = base64.b64decode(data["image/png"])
    assert png == explorer.png and png_size(png)[0] == 2 * metadata["image/png"]["width"]
    assert "momentum" in data["text/plain"] and "final w" in data["text/plain"]
    explorer.set(optimizer="Adam")
    assert explorer.controls["learning_rate"].value == PROBLEMS["ill-conditioned quadratic"].learning_rates["Adam"]
    assert explorer.controls["momentum"].disabled and not explorer.controls["beta_2"].disabled
    assert explorer._repr_mimebundle_()[0]["image/png"] != data["image/png"]
    classes = {c for w in explorer.widget.children[0].children for c in w._dom_classes}
    assert {"ck-explorer-slider-learning-rate", "ck-explorer-dropdown-optimizer"} <= classes


def test_missing_ipywidgets_gets_a_clear_message(monkeypatch):
    monkeypatch.setitem(sys.modules, "ipywidgets", None)
    with pytest.raises(ImportError, match=r"pip install 'coursekit\[lab\]'"):
        require_ipywidgets()
    assert conv_state(n=3, k=2).figure() is not None   # the pure core needs no widgets
