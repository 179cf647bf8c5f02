"""Optimizer explorer: lesson 12's two test functions (an ill-conditioned quadratic and
Rosenbrock's valley), one of SGD, momentum, AdaGrad, RMSProp or Adam from ``keras.optimizers``,
and its path recomputed whenever a slider moves: contour plot with the path, loss per step.

A Keras update on a 2-D point takes a few milliseconds eagerly (about 3-5 ms on a laptop CPU),
so 2,000 Rosenbrock steps would take seconds; :func:`trajectory` therefore runs the whole loop
inside one ``tf.function`` (traced anew for each optimizer, a fraction of a second in all).
``OptimizerState.seconds`` reports the time of each recompute.

Example
-------
>>> state = optimizer_state("ill-conditioned quadratic", "SGD", learning_rate=0.4, steps=3)
>>> state.path.round(4).tolist()
[[-5.0, -2.0], [-4.6, 1.2], [-4.232, -0.72], [-3.8934, 0.432]]
"""
from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from matplotlib.figure import Figure

from coursekit.explore_steps import check_int

if TYPE_CHECKING:
    import keras

    from coursekit.widget_display import Explorer

OPTIMIZERS = ("SGD", "momentum", "AdaGrad", "RMSProp", "Adam")
STYLE = {"SGD": "tab:blue", "momentum": "tab:orange", "AdaGrad": "tab:green", "RMSProp": "tab:red", "Adam": "tab:purple"}


def quadratic(w: Any) -> Any:
    """f(w) = 0.1 w1² + 2 w2²: 20 times steeper along w2 than along w1 (NumPy arrays or tensors).

    >>> float(quadratic(np.array([1.0, 1.0])))
    2.1
    """
    return 0.1 * w[..., 0] ** 2 + 2 * w[..., 1] ** 2


def rosenbrock(w: Any) -> Any:
    """f(w) = (1 - w1)² + 100 (w2 - w1²)²: minimum 0 at (1, 1) at the end of a curved, flat valley.

    >>> float(rosenbrock(np.array([1.0, 1.0])))
    0.0
    """
    return (1 - w[..., 0]) ** 2 + 100 * (w[..., 1] - w[..., 0] ** 2) ** 2


@dataclass(frozen=True)
class Problem:
    """A test function with lesson 12's start, number of steps and learning rates per optimizer;
    ``title`` names it in a sentence ("on ``title``")."""
    title: str
    f: Callable
    start: tuple[float, float]
    steps: int
    minimum: tuple[float, float]
    box: tuple[tuple[float, float], tuple[float, float]]
    levels: np.ndarray
    learning_rates: dict[str, float] = field(default_factory=dict)
    momentum: float = 0.9


PROBLEMS = {
    "ill-conditioned quadratic": Problem("the ill-conditioned quadratic", quadratic, (-5.0, -2.0), 30, (0.0, 0.0), ((-5.5, 2.0), (-3.0, 3.0)),
                                         np.linspace(0.2, 14, 12),
                                         {"SGD": 0.4, "momentum": 0.4, "AdaGrad": 1.0, "RMSProp": 0.3, "Adam": 0.2},
                                         momentum=0.5),
    "Rosenbrock": Problem("Rosenbrock's function", rosenbrock, (-1.5, 2.0), 2000, (1.0, 1.0), ((-2.0, 2.0), (-1.0, 3.0)),
                          np.logspace(-1, 3, 14),
                          {"SGD": 1e-3, "momentum": 1e-3, "AdaGrad": 0.3, "RMSProp": 0.01, "Adam": 0.05},
                          momentum=0.9),
}


def _problem(name: str) -> Problem:
    """``PROBLEMS[name]``, or a clear error listing the names.

    >>> _problem("Rosenbrock").minimum
    (1.0, 1.0)
    """
    if name not in PROBLEMS:
        raise ValueError(f"problem must be one of {tuple(PROBLEMS)}, got {name!r}.")
    return PROBLEMS[name]


def _check_number(name: str, value: object) -> float:
    """``value`` as a finite float, or a clear error (strings, bools, NaN and infinity are refused).

    >>> _check_number("learning_rate", float("inf"))
    Traceback (most recent call last):
    ...
    ValueError: learning_rate must be a finite number, got inf.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a number, got {value!r} ({type(value).__name__}).")
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}.")
    return float(value)


def make_optimizer(name: str, learning_rate: float, momentum: float = 0.9, beta_1: float = 0.9,
                   beta_2: float = 0.999) -> keras.optimizers.Optimizer:
    """The Keras optimizer called ``name`` (one of ``OPTIMIZERS``); Keras's defaults for the rest.

    >>> type(make_optimizer("momentum", 0.01)).__name__
    'SGD'
    """
    import keras

    if name not in OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {OPTIMIZERS}, got {name!r}.")
    if not _check_number("learning_rate", learning_rate) > 0:
        raise ValueError(f"learning_rate must be positive, got {learning_rate!r}.")
    for label, value in (("momentum", momentum), ("beta_1", beta_1), ("beta_2", beta_2)):
        if not 0 <= _check_number(label, value) < 1:
            raise ValueError(f"{label} must be in [0, 1), got {value!r}.")
    O = keras.optimizers
    return {"SGD": lambda: O.SGD(learning_rate), "momentum": lambda: O.SGD(learning_rate, momentum=momentum),
            "AdaGrad": lambda: O.Adagrad(learning_rate), "RMSProp": lambda: O.RMSprop(learning_rate),
            "Adam": lambda: O.Adam(learning_rate, beta_1=beta_1, beta_2=beta_2)}[name]()


def trajectory(f: Callable, optimizer: keras.optimizers.Optimizer, start: Sequence[float],
               steps: int) -> np.ndarray:
    """The points a Keras optimizer visits minimising ``f`` from ``start``: shape (steps + 1, 2).

    The loop runs in one ``tf.function`` (float64), so hundreds of steps take a fraction of a second.

    >>> trajectory(quadratic, make_optimizer("SGD", 0.5), (1.0, 1.0), 2).round(3).tolist()
    [[1.0, 1.0], [0.9, -1.0], [0.81, 1.0]]
    """
    import keras
    import tensorflow as tf

    w = keras.Variable(np.asarray(start, dtype="float64"), dtype="float64")

    @tf.function
    def run():
        points = tf.TensorArray(tf.float64, size=steps)
        for i in tf.range(steps):
            with tf.GradientTape() as tape:
                tape.watch(w.value)
                loss = f(w.value)
            optimizer.apply_gradients([(tape.gradient(loss, w.value), w)])
            points = points.write(i, w.value)
        return points.stack()

    # Each call traces a new function on purpose (new optimizer, new settings); TensorFlow's warning
    # about frequent retracing is meant for accidental retracing, so it is silenced for this call.
    logger = tf.get_logger()
    level = logger.level
    logger.setLevel("ERROR")
    try:
        later = run().numpy() if steps else np.zeros((0, 2))
    finally:
        logger.setLevel(level)
    return np.vstack([np.asarray(start, dtype=float)[None], later])


@dataclass(frozen=True)
class OptimizerState:
    """A path of one optimizer on one problem, its loss per step, and how long it took."""
    problem: str
    optimizer: str
    settings: dict
    path: np.ndarray
    seconds: float

    @property
    def losses(self) -> np.ndarray:
        """f at every point of the path (inf or NaN once a path has diverged, without warnings)."""
        with np.errstate(over="ignore", invalid="ignore"):
            return np.asarray(PROBLEMS[self.problem].f(self.path))

    def figure(self) -> Figure:
        """Contour plot with the path (left), loss per step on a log scale (right)."""
        spec = PROBLEMS[self.problem]
        fig = Figure(figsize=(9.0, 3.4))
        contour_ax, loss_ax = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.2, 1]})
        (x_lo, x_hi), (y_lo, y_hi) = spec.box
        W1, W2 = np.meshgrid(np.linspace(x_lo, x_hi, 160), np.linspace(y_lo, y_hi, 160))
        contour_ax.contour(W1, W2, spec.f(np.stack([W1, W2], axis=-1)), levels=spec.levels, colors="lightgray",
                           linewidths=0.8)
        color = STYLE[self.optimizer]
        every = max(1, len(self.path) // 30)
        shown = np.clip(self.path, [x_lo - 1, y_lo - 1], [x_hi + 1, y_hi + 1])  # a diverging path stays drawable
        contour_ax.plot(shown[:, 0], shown[:, 1], color=color, lw=1.4, marker="o", ms=3, markevery=every)
        contour_ax.plot(*spec.start, marker="o", ms=8, color="white", mec="black", ls="none")
        contour_ax.plot(*spec.minimum, marker="*", ms=13, color="black", ls="none")
        contour_ax.set(xlim=(x_lo, x_hi), ylim=(y_lo, y_hi), xlabel="$w_1$", ylabel="$w_2$",
                       title=f"{self.optimizer} on {spec.title}")
        losses = self.losses
        finite = np.isfinite(losses)
        loss_ax.semilogy(np.arange(len(losses))[finite], np.maximum(losses[finite], 1e-300), color=color, lw=1.4)
        loss_ax.set(xlabel="step", ylabel="f(w) (log scale)", title=self._settings_text())
        fig.tight_layout()
        return fig

    def _settings_text(self) -> str:
        shown = {"SGD": ("learning_rate",), "momentum": ("learning_rate", "momentum"), "AdaGrad": ("learning_rate",),
                 "RMSProp": ("learning_rate",), "Adam": ("learning_rate", "beta_1", "beta_2")}[self.optimizer]
        return ", ".join(f"{key} {self.settings[key]:.4g}" for key in shown)

    def text(self) -> str:
        """Settings, final point and loss, and how long the Keras loop took."""
        steps = len(self.path) - 1
        final = self.losses[-1]
        return "\n".join([
            f"{self.optimizer} ({self._settings_text()}) on {PROBLEMS[self.problem].title}, {steps} steps from {self.path[0].tolist()}",
            f"final w = [{self.path[-1][0]:.6g}, {self.path[-1][1]:.6g}], f(w) = {final:.4g}"
            + ("" if np.isfinite(final) and final < 1e6 else "  (diverged: lower the learning rate)"),
            f"computed with keras.optimizers in {self.seconds:.2f} s (one tf.function for all {steps} steps)"])


def optimizer_state(problem: str = "ill-conditioned quadratic", optimizer: str = "momentum",
                    learning_rate: float | None = None, momentum: float | None = None, beta_1: float = 0.9,
                    beta_2: float = 0.999, steps: int | None = None) -> OptimizerState:
    """Run one Keras optimizer on one of ``PROBLEMS``; unset settings are lesson 12's for that problem.

    >>> optimizer_state("Rosenbrock", "Adam", steps=5).path.shape
    (6, 2)
    """
    spec = _problem(problem)
    learning_rate = spec.learning_rates[optimizer] if learning_rate is None and optimizer in OPTIMIZERS else learning_rate
    momentum = spec.momentum if momentum is None else momentum
    steps = spec.steps if steps is None else check_int("steps", steps, 0, 100_000)
    keras_optimizer = make_optimizer(optimizer, learning_rate, momentum, beta_1, beta_2)
    start = time.perf_counter()
    with np.errstate(over="ignore", invalid="ignore"):
        path = trajectory(spec.f, keras_optimizer, spec.start, steps)
    seconds = time.perf_counter() - start
    settings = {"learning_rate": float(learning_rate), "momentum": float(momentum), "beta_1": float(beta_1),
                "beta_2": float(beta_2)}
    return OptimizerState(problem, optimizer, settings, path, seconds)


def optimizer_explorer(problem: str = "ill-conditioned quadratic", optimizer: str = "momentum") -> Explorer:
    """Menus for the problem and optimizer, sliders for its settings and the number of steps.

    Picking another problem or optimizer moves the learning rate (and momentum, steps) to lesson
    12's values for it; sliders an optimizer does not use are greyed out.
    """
    from coursekit.widget_display import Explorer, dropdown, float_slider, slider

    spec = _problem(problem)
    controls = {"problem": dropdown("problem", PROBLEMS, problem, "function"),
                "optimizer": dropdown("optimizer", OPTIMIZERS, optimizer, "optimizer"),
                "learning_rate": float_slider("learning-rate", spec.learning_rates[optimizer], -4, 0.5, "learning rate",
                                              log=True),
                "momentum": float_slider("momentum", spec.momentum, 0.0, 0.99, "momentum μ"),
                "beta_1": float_slider("beta-1", 0.9, 0.0, 0.99, "β1"),
                "beta_2": float_slider("beta-2", 0.999, 0.9, 0.9999, "β2", step=0.0001, readout_format=".4f"),
                "steps": slider("steps", spec.steps, 1, 3000, "steps")}

    def suggest(key: str, controls: dict[str, Any]) -> None:
        chosen = PROBLEMS[controls["problem"].value]
        if key in ("problem", "optimizer"):
            controls["learning_rate"].value = chosen.learning_rates[controls["optimizer"].value]
            controls["momentum"].value = chosen.momentum
        if key == "problem":
            controls["steps"].value = chosen.steps
        name = controls["optimizer"].value
        controls["momentum"].disabled = name != "momentum"
        controls["beta_1"].disabled = controls["beta_2"].disabled = name != "Adam"

    suggest("optimizer", controls)
    return Explorer("optimizers", optimizer_state, controls, on_change=suggest)
