"""coursekit.train and coursekit.devices on the CPU: training, precision, seeds, bad arguments,
and the multi-device path on two logical CPUs (in a fresh process)."""
import re
import subprocess
import sys
import textwrap

import keras
import numpy as np
import pytest

from coursekit import train
from coursekit.devices import DeviceReport, choose_strategy, device_report, strategy_devices
from coursekit.shapes import ShapeError

L = keras.layers


def tiny_model(classes: int = 3) -> keras.Model:
    return keras.Sequential([keras.Input((8, 8, 1)), L.Conv2D(4, 3, activation="relu"), L.Flatten(),
                             L.Dense(classes, activation="softmax")])


@pytest.fixture(scope="module")
def toy():
    """Three classes of 8x8 uint8 images told apart by which third is bright."""
    rng = np.random.default_rng(0)
    y = np.repeat(np.arange(3), 64).astype(np.int64)
    x = rng.integers(0, 60, (192, 8, 8)).astype(np.uint8)
    for i, label in enumerate(y):
        x[i, :, label * 2:label * 2 + 3] += 180
    return x, y


def test_fit_learns_and_reports(toy, capsys):
    x, y = toy
    result = train.fit(tiny_model, x, y, validation_data=(x[::4], y[::4]), test_data=(x, y),
                       epochs=4, batch_size=32, learning_rate=0.01)
    assert len(result.history.history["loss"]) == 4
    assert result.test_accuracy > 0.9 and result.precision in train.PRECISIONS and result.device == "CPU:0"
    assert re.fullmatch(r"loss \d\.\d\d, train acc \d\.\d\d, val acc \d\.\d\d, test acc \d\.\d\d, "
                        r"[\d,]+ examples/s on CPU:0", result.summary())
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("epoch 1/4") and "examples/s" in out[0] and out[-1] == result.summary()


def test_same_seed_same_numbers(toy):
    x, y = toy
    runs = [train.fit(tiny_model, x, y, epochs=2, batch_size=32, seed=7, verbose=False).history.history["loss"]
            for _ in range(2)]
    np.testing.assert_allclose(runs[0], runs[1], rtol=1e-6)
    other = train.fit(tiny_model, x, y, epochs=2, batch_size=32, seed=8, verbose=False).history.history["loss"]
    assert not np.allclose(runs[0], other)


def test_no_state_is_created_while_the_training_step_is_traced(toy):
    """Optimizer slots and metric totals exist before fit traces its step; state created inside the
    trace makes Keras trace the whole step a second time (about 5 s for a ResNet on 2 cores)."""
    import tensorflow as tf

    created_in_trace = []

    def record(next_creator, **kwargs):
        if tf.inside_function():
            created_in_trace.append(kwargs.get("name"))
        return next_creator(**kwargs)

    x, y = toy
    with tf.variable_creator_scope(record):
        train.fit(tiny_model, x, y, validation_data=(x[::4], y[::4]), epochs=1, batch_size=32, verbose=False)
    assert created_in_trace == []


@pytest.mark.parametrize("precision, compute", [("mixed_bfloat16", "bfloat16"), ("mixed_float16", "float16")])
def test_mixed_precision_runs_with_float32_outputs(toy, precision, compute):
    x, y = toy
    result = train.fit(tiny_model, x, y, epochs=1, batch_size=32, precision=precision, verbose=False)
    net = result.model
    assert net.layers[0].compute_dtype == compute and net.layers[0].variable_dtype == "float32"
    assert net.outputs[0].dtype == "float32"
    assert np.isfinite(result.history.history["loss"][0])
    if precision == "mixed_float16":
        assert isinstance(net.optimizer, keras.optimizers.LossScaleOptimizer)
    assert keras.mixed_precision.global_policy().name == "float32"  # left as it was


@pytest.mark.parametrize("report, expected", [
    (DeviceReport(cpus=2), "float32"),
    (DeviceReport(cpus=2, bfloat16_native=True), "mixed_bfloat16"),
    (DeviceReport(cpus=2, gpus=["GPU:0"], gpu_compute_capability=[(8, 0)], bfloat16_native=True), "mixed_float16"),
    (DeviceReport(cpus=2, gpus=["GPU:0"], gpu_compute_capability=[(6, 1)], bfloat16_native=True), "float32"),
])
def test_auto_precision_follows_the_device_report(monkeypatch, report, expected):
    """Hardware is faked: the choice must not depend on the machine the tests run on."""
    monkeypatch.delenv(train.PRECISION_ENV, raising=False)
    monkeypatch.setattr(train, "device_report", lambda: report)
    assert train.resolve_precision("auto") == expected


@pytest.mark.parametrize("native", [False, True])
def test_precision_variable_forces_one_path_on_any_cpu(monkeypatch, native):
    monkeypatch.setattr(train, "device_report", lambda: DeviceReport(cpus=2, bfloat16_native=native))
    for forced in train.PRECISIONS:
        monkeypatch.setenv(train.PRECISION_ENV, forced)
        assert train.resolve_precision("auto") == forced
        assert train.resolve_precision("float32") == "float32"  # an explicit argument wins
    monkeypatch.setenv(train.PRECISION_ENV, "bf16")
    with pytest.raises(ValueError, match="COURSEKIT_PRECISION='bf16' is not understood; use auto or one of"):
        train.resolve_precision("auto")


@pytest.mark.parametrize("report, expected", [
    (DeviceReport(cpus=2, bfloat16_native=True), False),
    (DeviceReport(cpus=2, gpus=["GPU:0"], gpu_compute_capability=[(8, 6)]), True),
    (DeviceReport(cpus=2, gpus=["GPU:0"], gpu_compute_capability=[(0, 0)]), False),  # Metal: no CUDA capability
    (DeviceReport(cpus=2, tpu=True), True),
])
def test_auto_xla_only_where_it_pays(monkeypatch, report, expected):
    monkeypatch.setattr(train, "device_report", lambda: report)
    assert train.resolve_jit("auto") is expected and train.resolve_jit(False) is False


def test_a_built_model_keeps_its_own_precision(toy, monkeypatch):
    """A model passed already built cannot be rebuilt in another policy: auto trains it as built."""
    monkeypatch.setenv(train.PRECISION_ENV, "mixed_bfloat16")
    x, y = toy
    result = train.fit(tiny_model(), x, y, epochs=1, batch_size=32, verbose=False)
    assert result.precision == "float32"


@pytest.mark.parametrize("precision", train.PRECISIONS)
def test_every_precision_feeds_the_plots(toy, precision):
    """Feature maps of a mixed-precision model come out in bfloat16/float16; the plots take them."""
    from coursekit import plots

    x, y = toy
    net = train.fit(tiny_model, x, y, epochs=1, batch_size=32, precision=precision, verbose=False).model
    conv = next(layer for layer in net._flatten_layers() if isinstance(layer, L.Conv2D))
    maps = conv(x[:1, ..., None] / 255.0)  # the first convolution's feature maps
    compute = {"float32": "float32", "mixed_bfloat16": "bfloat16", "mixed_float16": "float16"}[precision]
    assert keras.backend.standardize_dtype(maps.dtype) == compute
    fig = plots.show_feature_maps(maps)
    assert len(fig.axes) == 4 and fig.axes[0].images[0].get_array().dtype == np.float32
    plots.show_kernels(conv.kernel)


def test_float_images_in_0_255_get_a_warning(toy):
    x, y = toy
    with pytest.warns(train.UnscaledImagesWarning, match=r"pixel values 0..\d+; fit scales only uint8 images"):
        train.fit(tiny_model, x.astype(np.float32), y, epochs=1, batch_size=32, verbose=False)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error", train.UnscaledImagesWarning)
        train.fit(tiny_model, x / 255.0, y, epochs=1, batch_size=32, verbose=False)
        train.fit(tiny_model, x, y, epochs=1, batch_size=32, verbose=False)


def test_status_line_never_shows_a_step_past_the_total(monkeypatch):
    """With 16 steps per execution Keras reports step 16 of a 15-step epoch; the line says 15/15."""
    import IPython.display

    texts = []

    class Handle:
        def update(self, obj, **kwargs):
            texts.append(obj["text/plain"])

    def display(obj, **kwargs):
        texts.append(obj["text/plain"])
        return Handle()

    monkeypatch.setattr(train, "_in_notebook", lambda: True)
    monkeypatch.setattr(IPython.display, "display", display)
    progress = train.Progress(epochs=1, examples=15 * 32, live=True, interval=0.0)
    progress.set_params({"steps": 15, "epochs": 1})
    progress.on_epoch_begin(0)
    for batch in (7, 15):
        progress.on_train_batch_end(batch, {"loss": 1.0})
    assert texts == ["epoch 1/1 · step 8/15 · loss 1.0000", "epoch 1/1 · step 15/15 · loss 1.0000"]


def test_early_stopping_and_checkpoint(toy, tmp_path):
    x, y = toy
    path = tmp_path / "best.keras"
    result = train.fit(tiny_model, x, y, validation_data=(x, y), epochs=6, batch_size=32, learning_rate=0.0,
                       early_stopping=1, checkpoint=path, verbose=False)
    assert len(result.history.epoch) == 2  # no improvement after the first epoch: stop after one more
    assert path.exists()
    with pytest.raises(FileExistsError, match="best.keras exists"):
        train.fit(tiny_model, x, y, validation_data=(x, y), epochs=1, checkpoint=path, verbose=False)


@pytest.mark.parametrize("change, error, message", [
    (lambda x, y: (x, np.eye(3)[y]), ValueError, r"shape \(N,\), got shape \(192, 3\) \(one-hot\? use y.argmax"),
    (lambda x, y: (x, y.astype(float)), TypeError, "labels should be integers"),
    (lambda x, y: (x, y + 1), ValueError, r"labels must lie in 0..2 for a 3-class model, found 1..3"),
    (lambda x, y: (x[:0], y[:0]), ValueError, "there are no examples"),
    (lambda x, y: (x, y[:10]), ValueError, "x has 192 examples but y has 10 labels"),
    (lambda x, y: (x[:, :7, :7], y), ShapeError, r"expected \(any, 8, 8, 1\)"),
])
def test_bad_data_gets_clear_errors(toy, change, error, message):
    x, y = change(*toy)
    with pytest.raises(error, match=message):
        train.fit(tiny_model, x, y, epochs=1, verbose=False)


def test_bad_arguments(toy):
    x, y = toy
    with pytest.raises(ValueError, match="early_stopping needs validation_data"):
        train.fit(tiny_model, x, y, early_stopping=2, verbose=False)
    with pytest.raises(ValueError, match="epochs must be at least 1"):
        train.fit(tiny_model, x, y, epochs=0)
    with pytest.raises(ValueError, match="precision must be 'auto' or one of"):
        train.fit(tiny_model, x, y, precision="float8")
    with pytest.raises(ValueError, match="pass a function that builds the model"):
        train.fit(tiny_model(), x, y, precision="mixed_bfloat16")
    with pytest.raises(TypeError, match="returned str, not a keras.Model"):
        train.fit(lambda: "model", x, y)


def test_device_report_and_strategy():
    report = device_report()
    assert report.cpus >= 1 and "CPU:0" in str(report) and "XLA" in str(report)
    assert strategy_devices(choose_strategy()) in ("CPU:0", "GPU:0")
    with pytest.raises(ValueError, match="unknown strategy 'bogus'"):
        choose_strategy("bogus")


MIRRORED = textwrap.dedent("""
    import numpy as np, keras
    from coursekit.devices import split_cpu, choose_strategy
    print(split_cpu(2))
    from coursekit import train
    L = keras.layers
    build = lambda: keras.Sequential([keras.Input((8, 8, 1)), L.Conv2D(4, 3), L.Flatten(), L.Dense(3, activation="softmax")])
    rng = np.random.default_rng(0)
    x, y = rng.integers(0, 255, (96, 8, 8)).astype(np.uint8), np.arange(96) % 3
    result = train.fit(build, x, y, epochs=2, batch_size=32, strategy="mirrored", verbose=False)
    print("replicas", choose_strategy("mirrored").num_replicas_in_sync, "device", result.device,
          "finite", bool(np.isfinite(result.history.history["loss"]).all()))
    try:
        train.fit(build, x, y, epochs=1, batch_size=33, strategy="mirrored", verbose=False)
    except ValueError as error:
        print("error:", error)
""")


def test_mirrored_strategy_on_two_logical_cpus():
    run = subprocess.run([sys.executable, "-c", MIRRORED], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    lines = run.stdout.splitlines()
    assert lines[0] == "['/device:CPU:0', '/device:CPU:1']"
    assert "replicas 2 device 2 x CPU finite True" in lines
    assert "error: batch_size 33 cannot be split evenly over 2 replicas; use a multiple of 2." in lines


def test_live_curves_update_one_figure_in_place(toy, monkeypatch):
    """In a notebook, Progress shows one figure and updates it every epoch instead of adding more."""
    import IPython.display

    from matplotlib.figure import Figure

    shown = []

    class Handle:
        def __init__(self, obj):
            self.obj, self.updates = obj, 0
            shown.append(self)

        def update(self, obj, **kwargs):
            self.updates += 1

    monkeypatch.setattr(train, "_in_notebook", lambda: True)
    monkeypatch.setattr(IPython.display, "display", lambda obj, **kwargs: Handle(obj))
    x, y = toy
    train.fit(tiny_model, x, y, validation_data=(x, y), epochs=3, batch_size=32)
    # a slow machine may also show the in-epoch status line (a text display); count the figures
    figures = [handle for handle in shown if isinstance(handle.obj, Figure)]
    assert len(figures) == 1 and figures[0].updates == 2  # shown after epoch 1, updated after epochs 2 and 3


def test_cosine_decay_falls_from_the_rate_towards_zero():
    rates = [train.cosine_decay(2e-3, 5).schedule(epoch, None) for epoch in range(5)]
    assert rates[0] == pytest.approx(2e-3) and rates[-1] == pytest.approx(2e-3 * 0.5 * (1 + np.cos(0.8 * np.pi)))
    assert all(a > b > 0 for a, b in zip(rates, rates[1:]))
    with pytest.raises(ValueError, match="positive learning rate and at least 1 epoch"):
        train.cosine_decay(0.0, 5)
