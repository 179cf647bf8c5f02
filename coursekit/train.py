"""One call to train a Keras model on whatever the machine has: ``fit``.

``fit`` builds the model inside the right ``tf.distribute`` strategy and precision policy,
feeds it through a cached, shuffled, prefetched ``tf.data`` pipeline, trains with
``model.fit`` and Keras callbacks, shows live curves in a notebook and returns the history and a
one-line summary. Defaults were chosen by measurement (``scripts/benchmark_train.py``): on a CPU
without native bfloat16, float32 without XLA and several steps per execution; on GPUs,
mixed float16 (with loss scaling) and XLA.

Example
-------
>>> result = fit(build_cnn, x_train, y_train, test_data=(x_test, y_test), epochs=5)  # doctest: +SKIP
>>> print(result)  # doctest: +SKIP
loss 0.31, train acc 0.89, test acc 0.88, 12,400 examples/s on CPU:0
"""
from __future__ import annotations

import math
import os
import statistics
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from coursekit.data import to_tf_dataset
from coursekit.devices import choose_strategy, device_report, strategy_devices
from coursekit.shapes import check_shape

PRECISIONS = ("float32", "mixed_bfloat16", "mixed_float16")
PRECISION_ENV = "COURSEKIT_PRECISION"


class UnscaledImagesWarning(UserWarning):
    """Float images that look like 0..255 pixel values were given to ``fit``."""


@dataclass
class TrainResult:
    """What ``fit`` returns: the trained model, its Keras history and measured figures."""

    model: keras.Model
    history: keras.callbacks.History
    examples_per_second: float
    seconds: float
    device: str
    precision: str
    test_loss: float | None = None
    test_accuracy: float | None = None

    def summary(self) -> str:
        logs = self.history.history
        parts = [f"loss {logs['loss'][-1]:.2f}"]
        if "accuracy" in logs:
            parts.append(f"train acc {logs['accuracy'][-1]:.2f}")
        if "val_accuracy" in logs:
            parts.append(f"val acc {logs['val_accuracy'][-1]:.2f}")
        if self.test_accuracy is not None:
            parts.append(f"test acc {self.test_accuracy:.2f}")
        parts.append(f"{self.examples_per_second:,.0f} examples/s on {self.device}")
        return ", ".join(parts)

    __str__ = summary


# ----------------------------------------------------------------------------- settings
def resolve_precision(precision: str = "auto") -> str:
    """The precision policy to train in.

    ``"auto"`` takes ``$COURSEKIT_PRECISION`` when it is set (so a whole run, CI's included, can
    force one path on any machine), else mixed float16 on tensor-core GPUs, mixed bfloat16 on
    CPUs with native bfloat16, float32 otherwise. Other values are checked and returned.

    >>> import os; os.environ[PRECISION_ENV] = "mixed_bfloat16"
    >>> resolve_precision("auto"), resolve_precision("float32")
    ('mixed_bfloat16', 'float32')
    >>> del os.environ[PRECISION_ENV]
    """
    if precision == "auto":
        forced = os.environ.get(PRECISION_ENV, "").strip().lower()
        if forced and forced != "auto":
            if forced not in PRECISIONS:
                raise ValueError(f"{PRECISION_ENV}={os.environ[PRECISION_ENV]!r} is not understood; "
                                 f"use auto or one of {PRECISIONS}.")
            return forced
        report = device_report()
        if report.float16_fast:
            return "mixed_float16"
        return "mixed_bfloat16" if report.bfloat16_native and not report.gpus else "float32"
    if precision not in PRECISIONS:
        raise ValueError(f"precision must be 'auto' or one of {PRECISIONS}, got {precision!r}.")
    return precision


def resolve_jit(jit_compile: bool | str) -> bool:
    """``"auto"`` -> XLA on CUDA GPUs and TPUs only: on this course's CPUs it measured slower, and
    Apple's Metal plug-in (a GPU without a CUDA compute capability) does not support it."""
    if jit_compile == "auto":
        report = device_report()
        cuda = bool(report.gpus) and all(cc > (0, 0) for cc in report.gpu_compute_capability)
        return report.tpu or cuda
    return bool(jit_compile)


def resolve_steps_per_execution(steps: int | str, replicas: int) -> int:
    """``"auto"`` -> 16 training steps per call into TensorFlow on one device (less Python
    overhead per step), 1 with several replicas: Keras 3.15 / TF 2.21 fail with "You must feed a
    value for placeholder tensor" when MirroredStrategy runs more than one step per execution."""
    if steps == "auto":
        return 16 if replicas == 1 else 1
    if not isinstance(steps, int) or steps < 1:
        raise ValueError(f"steps_per_execution must be a positive int or 'auto', got {steps!r}.")
    if steps > 1 and replicas > 1:
        raise ValueError(f"steps_per_execution={steps} does not work with {replicas} replicas in Keras 3.15 / "
                         "TF 2.21 (MirroredStrategy and MultiWorkerMirroredStrategy); use 1 or 'auto'.")
    return steps


def _build(model: keras.Model | Callable[[], keras.Model], strategy, precision: str) -> keras.Model:
    """Build the model in the strategy's scope under the precision policy; float32 outputs."""
    if isinstance(model, keras.Model):
        own = model.dtype_policy.name
        if strategy.num_replicas_in_sync > 1 or precision != own:
            raise ValueError(f"this model was built in {own}; to train on several devices or in {precision}, "
                             "pass a function that builds the model (e.g. lambda: build_lenet()), so fit can "
                             "build it in place.")
        return model
    previous = keras.mixed_precision.global_policy()
    keras.mixed_precision.set_global_policy(precision)
    try:
        with strategy.scope():
            built = model()
            if not isinstance(built, keras.Model):
                raise TypeError(f"the model function returned {type(built).__name__}, not a keras.Model.")
            if built.outputs and built.outputs[0].dtype != "float32":  # keep the loss in float32
                outputs = keras.layers.Activation("linear", dtype="float32", name="float32_output")(built.outputs[0])
                built = keras.Model(built.inputs, outputs, name=built.name)
    finally:
        keras.mixed_precision.set_global_policy(previous)
    return built


def _check_data(model: keras.Model, x: np.ndarray, y: np.ndarray, what: str, resized: bool = False) -> None:
    if len(x) == 0:
        raise ValueError(f"{what}: there are no examples (x has shape {np.shape(x)}).")
    if len(x) != len(y):
        raise ValueError(f"{what}: x has {len(x)} examples but y has {len(y)} labels.")
    y = np.asarray(y)
    classes = int(model.outputs[0].shape[-1])
    if y.ndim != 1:
        raise ValueError(f"{what}: labels should be class numbers of shape (N,), got shape {y.shape}"
                         + (" (one-hot? use y.argmax(axis=1))" if y.ndim == 2 and y.shape[1] == classes else "") + ".")
    if not np.issubdtype(y.dtype, np.integer):
        raise TypeError(f"{what}: labels should be integers, got dtype {y.dtype}.")
    if y.min() < 0 or y.max() >= classes:
        raise ValueError(f"{what}: labels must lie in 0..{classes - 1} for a {classes}-class model, "
                         f"found {y.min()}..{y.max()}.")
    expected = tuple(model.inputs[0].shape)
    sample = x[:1] if np.ndim(x) == len(expected) else np.asarray(x[:1])[..., None]
    spatial = (None,) * (len(expected) - 2) if resized else expected[1:-1]
    check_shape(sample, (None, *spatial, expected[-1]), what=f"{what} x (images)")


def _warn_if_unscaled(model: keras.Model, x, what: str) -> None:
    """Warn when float images hold whole numbers above 1 (pixel values 0..255 never divided by 255),
    unless the model rescales its own input."""
    if any(isinstance(layer, keras.layers.Rescaling) for layer in model.layers):
        return
    sample = np.asarray(x[:256])
    if not np.issubdtype(sample.dtype, np.floating) or sample.size == 0:
        return
    low, high = float(sample.min()), float(sample.max())
    if low >= 0 and 1.5 < high <= 255 and np.array_equal(sample, np.round(sample)):
        warnings.warn(f"{what}: float images with pixel values 0..{high:g}; fit scales only uint8 images to "
                      "[0, 1]. Divide by 255 (x / 255.0) or pass the uint8 array, or put a Rescaling layer "
                      "first if the model should see 0..255.", UnscaledImagesWarning, stacklevel=3)


def _loss_for(model: keras.Model) -> keras.losses.Loss:
    last = model.layers[-1]
    while isinstance(last, keras.layers.Activation) and getattr(last.activation, "__name__", "") == "linear":
        last = model.layers[model.layers.index(last) - 1]
    softmax = getattr(getattr(last, "activation", None), "__name__", "") == "softmax"
    return keras.losses.SparseCategoricalCrossentropy(from_logits=not softmax)


# ----------------------------------------------------------------------------- callbacks
def _in_notebook() -> bool:
    try:
        from IPython import get_ipython

        return get_ipython() is not None and "IPKernelApp" in get_ipython().config
    except ImportError:
        return False


class Progress(keras.callbacks.Callback):
    """One line per epoch (loss, metrics, time, throughput); in a notebook also live curves and
    a status line updated in place during the epoch (at most every ``interval`` seconds)."""

    def __init__(self, epochs: int, examples: int, live: bool, interval: float = 2.0):
        super().__init__()
        self.epochs, self.examples, self.live = epochs, examples, live and _in_notebook()
        self.interval = interval
        self.rates: list[float] = []
        self.logs: dict[str, list[float]] = {}
        self._start = self._shown = 0.0
        self._epoch = 0
        self._handle = self._status = None

    def on_epoch_begin(self, epoch, logs=None):
        self._start = self._shown = time.perf_counter()
        self._epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        now = time.perf_counter()
        if not self.live or now - self._shown < self.interval:
            return
        from IPython.display import display

        self._shown = now
        steps = self.params.get("steps")
        step = min(batch + 1, steps) if steps else batch + 1  # Keras reports the last step of an execution
        text = (f"epoch {self._epoch + 1}/{self.epochs} · step {step}/{steps or '?'}"
                f" · loss {float((logs or {}).get('loss', float('nan'))):.4f}")
        if self._status is None:
            self._status = display({"text/plain": text}, raw=True, display_id=True)
        else:
            self._status.update({"text/plain": text}, raw=True)

    def on_epoch_end(self, epoch, logs=None):
        seconds = time.perf_counter() - self._start
        self.rates.append(self.examples / seconds)
        logs = logs or {}
        for key, value in logs.items():
            self.logs.setdefault(key, []).append(float(value))
        shown = "  ".join(f"{k} {float(v):.4f}" for k, v in logs.items() if k != "learning_rate")
        print(f"epoch {epoch + 1}/{self.epochs}  {shown}  {seconds:.1f} s  {self.rates[-1]:,.0f} examples/s",
              flush=True)
        if self.live:
            self._draw()

    def _draw(self):
        import matplotlib.pyplot as plt
        from IPython.display import display

        from coursekit.plots import plot_history

        fig = plot_history(self.logs)
        if self._handle is None:
            self._handle = display(fig, display_id=True)
        else:
            self._handle.update(fig)
        plt.close(fig)

    def steady_rate(self) -> float:
        """Examples per second, leaving out the first epoch (tracing and compilation) if possible."""
        rates = self.rates[1:] or self.rates
        return statistics.median(rates) if rates else 0.0


# ----------------------------------------------------------------------------- fit
def cosine_decay(learning_rate: float, epochs: int) -> keras.callbacks.LearningRateScheduler:
    """A callback that lowers the learning rate from ``learning_rate`` towards zero along half a
    cosine, once per epoch: large steps early, small ones to settle at the end.

    >>> [round(cosine_decay(1.0, 4).schedule(epoch, None), 3) for epoch in range(4)]
    [1.0, 0.854, 0.5, 0.146]
    """
    if learning_rate <= 0 or epochs < 1:
        raise ValueError(f"cosine_decay needs a positive learning rate and at least 1 epoch, "
                         f"got {learning_rate} and {epochs}.")
    return keras.callbacks.LearningRateScheduler(
        lambda epoch, _: float(learning_rate * 0.5 * (1 + math.cos(math.pi * epoch / epochs))))


def fit(
    model: keras.Model | Callable[[], keras.Model],
    x: np.ndarray,
    y: np.ndarray,
    *,
    validation_data: tuple[np.ndarray, np.ndarray] | None = None,
    test_data: tuple[np.ndarray, np.ndarray] | None = None,
    epochs: int = 10,
    batch_size: int = 128,
    optimizer: str | keras.optimizers.Optimizer = "adam",
    learning_rate: float | None = None,
    loss: str | keras.losses.Loss | None = None,
    precision: str = "auto",
    jit_compile: bool | str = "auto",
    steps_per_execution: int | str = "auto",
    strategy: str | tf.distribute.Strategy | None = None,
    seed: int | None = 0,
    deterministic: bool = False,
    augment: Callable | None = None,
    resize: tuple[int, int] | None = None,
    early_stopping: int | None = None,
    checkpoint: str | Path | None = None,
    callbacks: list[keras.callbacks.Callback] = (),
    live: bool = True,
    verbose: bool = True,
) -> TrainResult:
    """Train a classifier on image arrays and report what it reached and how fast.

    ``model`` is a function that builds a fresh, uncompiled Keras model (preferred: it can then
    be placed on every device and in mixed precision) or a model. ``x`` holds images (uint8
    0..255 are scaled to [0, 1] on the fly; a missing channel axis is added), ``y`` class
    numbers. ``batch_size`` is the global batch, split evenly over the devices. ``resize`` and
    ``augment`` run in the input pipeline (see :func:`coursekit.data.to_tf_dataset`).
    ``early_stopping=k`` stops after ``k`` epochs without a better validation loss and restores
    the best weights; ``checkpoint`` saves the best model there (never over an existing file).
    """
    if epochs < 1:
        raise ValueError(f"epochs must be at least 1, got {epochs}.")
    if batch_size < 1:
        raise ValueError(f"batch_size must be positive, got {batch_size}.")
    if checkpoint is not None and Path(checkpoint).exists():
        raise FileExistsError(f"{checkpoint} exists; choose another checkpoint path (nothing is overwritten).")
    if early_stopping is not None and validation_data is None:
        raise ValueError("early_stopping needs validation_data to watch.")
    if seed is not None:
        keras.utils.set_random_seed(seed)
    if deterministic:
        tf.config.experimental.enable_op_determinism()

    strategy = choose_strategy(strategy)
    replicas = strategy.num_replicas_in_sync
    if batch_size % replicas:
        raise ValueError(f"batch_size {batch_size} cannot be split evenly over {replicas} replicas; "
                         f"use a multiple of {replicas}.")
    steps_per_execution = resolve_steps_per_execution(steps_per_execution, replicas)
    if isinstance(model, keras.Model) and precision == "auto":
        precision = model.dtype_policy.name  # a model built already keeps the precision it was built in
    precision = resolve_precision(precision)
    net = _build(model, strategy, precision)
    for name, data in (("training data", (x, y)), ("validation data", validation_data), ("test data", test_data)):
        if data is not None:
            _check_data(net, *data, name, resize is not None)
            _warn_if_unscaled(net, data[0], name)

    with strategy.scope():
        if isinstance(optimizer, str):
            optimizer = keras.optimizers.get(optimizer)
        if learning_rate is not None:
            optimizer.learning_rate = learning_rate
        # A metric object and a built optimizer hold their state before the first step is traced;
        # otherwise Keras creates that state inside the trace and traces the training step twice.
        net.compile(optimizer=optimizer, loss=loss or _loss_for(net),
                    metrics=[keras.metrics.SparseCategoricalAccuracy(name="accuracy")],
                    jit_compile=resolve_jit(jit_compile), steps_per_execution=steps_per_execution)
        if not net.optimizer.built:
            net.optimizer.build(net.trainable_variables)

    train = to_tf_dataset(x, y, batch_size, shuffle=True, seed=seed or 0, augment=augment, resize=resize)
    val = (to_tf_dataset(*validation_data, batch_size, shuffle=False, resize=resize)
           if validation_data is not None else None)
    progress = Progress(epochs, len(x), live)
    extra = [progress] if verbose else []
    if early_stopping is not None:
        extra.append(keras.callbacks.EarlyStopping(patience=early_stopping, restore_best_weights=True))
    if checkpoint is not None:
        extra.append(keras.callbacks.ModelCheckpoint(str(checkpoint), save_best_only=val is not None))
    start = time.perf_counter()
    history = net.fit(train, validation_data=val, epochs=epochs, verbose=0, shuffle=False,  # shuffled already
                      callbacks=[*extra, *callbacks])
    seconds = time.perf_counter() - start
    rate = progress.steady_rate() if verbose else len(x) * len(history.epoch) / seconds

    result = TrainResult(net, history, rate, seconds, strategy_devices(strategy), precision)
    if test_data is not None:
        result.test_loss, result.test_accuracy = (float(v) for v in net.evaluate(
            to_tf_dataset(*test_data, batch_size, shuffle=False, resize=resize), verbose=0))
    if verbose:
        print(result.summary())
    return result
