"""What every explorer shares: controls (ipywidgets) that recompute a state, its picture and its
numbers, and a display that also works where no widget frontend runs.

An explorer's pure core is a function ``compute(**values) -> state`` whose state has
``figure()`` (a matplotlib Figure) and ``text()`` (the numbers). :class:`Explorer` wires it to
sliders; shown in a notebook it returns one output holding three representations:

- ``application/vnd.jupyter.widget-view+json``: the live widget (JupyterLab, Notebook 7);
- ``image/png``: the figure of the current state (nbval, the website, GitHub: no widget manager);
- ``text/plain``: the numbers of the current state.

The widgets carry stable CSS classes (``ck-explorer``, ``ck-explorer-slider-<name>``,
``ck-explorer-play``, ``ck-explorer-figure``, ``ck-explorer-numbers``) for browser tests.
ipywidgets is imported only when an explorer is built (it is in the ``lab`` extra).

Example
-------
>>> from coursekit.explore_conv import conv_state
>>> png = figure_png(conv_state(n=3, k=2).figure())
>>> png[:4] == b"\\x89PNG"
True
"""
from __future__ import annotations

import base64
import html
import io
from collections.abc import Callable, Iterable
from types import ModuleType
from typing import Any, Protocol

from matplotlib.figure import Figure

from coursekit.plots import FIG_DPI

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
PNG_SCALE = 2  # retina: stored at twice the pixels it shows at, like the lessons' figures


class State(Protocol):
    """What an explorer's ``compute`` returns: something that draws itself and prints its numbers."""

    def figure(self) -> Figure: ...
    def text(self) -> str: ...


def require_ipywidgets() -> ModuleType:
    """Import ipywidgets, or say how to get it (the pure ``*_state`` functions work without it)."""
    try:
        import ipywidgets
    except ImportError as error:
        raise ImportError("The interactive explorers need ipywidgets >= 8.1: pip install 'coursekit[lab]' "
                          "(or pip install ipywidgets). Without it, use the explorer's *_state(...) "
                          "function and its .figure() and .text().") from error
    return ipywidgets


def figure_png(fig: Figure) -> bytes:
    """The figure as PNG bytes at retina resolution (``PNG_SCALE`` x the course's display dpi)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=PNG_SCALE * FIG_DPI)
    return buffer.getvalue()


def png_size(png: bytes) -> tuple[int, int]:
    """(width, height) in pixels, read from the PNG header.

    >>> png_size(figure_png(Figure(figsize=(2, 1))))
    (320, 160)
    """
    if png[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG (the data lacks the PNG signature)")
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


def slider(name: str, value: int, low: int, high: int, description: str) -> Any:
    """An integer slider with the class ``ck-explorer-slider-<name>`` (updates when released)."""
    widgets = require_ipywidgets()
    control = widgets.IntSlider(value=value, min=low, max=high, description=description,
                                continuous_update=False, style={"description_width": "initial"})
    control.add_class(f"ck-explorer-slider-{name}")
    return control


def float_slider(name: str, value: float, low: float, high: float, description: str, *, log: bool = False,
                 step: float = 0.01, readout_format: str = ".3g") -> Any:
    """A float slider (``log=True``: exponent from ``low`` to ``high``, base 10) with a stable class."""
    widgets = require_ipywidgets()
    if log:
        control = widgets.FloatLogSlider(value=value, min=low, max=high, step=0.05, base=10,
                                         readout_format=readout_format)
    else:
        control = widgets.FloatSlider(value=value, min=low, max=high, step=step, readout_format=readout_format)
    control.description, control.continuous_update = description, False
    control.style = {"description_width": "initial"}
    control.add_class(f"ck-explorer-slider-{name}")
    return control


def dropdown(name: str, options: Iterable[Any], value: Any, description: str) -> Any:
    """A dropdown with the class ``ck-explorer-dropdown-<name>``."""
    widgets = require_ipywidgets()
    control = widgets.Dropdown(options=list(options), value=value, description=description)
    control.add_class(f"ck-explorer-dropdown-{name}")
    return control


def step_controls(steps: int, interval_ms: int = 700) -> tuple[Any, Any]:
    """(play button, step slider) linked in the browser: Play moves the slider one step per interval."""
    widgets = require_ipywidgets()
    play = widgets.Play(value=0, min=0, max=max(steps - 1, 0), interval=interval_ms, description="play")
    step = slider("step", 0, 0, max(steps - 1, 0), "step")
    step.continuous_update = True
    widgets.jslink((play, "value"), (step, "value"))
    play.add_class("ck-explorer-play")
    return play, step


class Explorer:
    """Controls that recompute ``compute(**values)`` and show its figure and numbers.

    ``controls`` maps ``compute``'s keyword names to widgets (their ``.value`` is passed).
    ``steps`` (optional) is a (play, step slider) pair from :func:`step_controls`; its maximum
    follows ``state.n_steps``. ``on_change`` may adjust controls before a recompute (e.g. a
    suggested learning rate when the optimizer changes).

    >>> from coursekit.explore_pooling import pool_state
    >>> explorer = Explorer("pool", pool_state, {"padding": slider("padding", 0, 0, 1, "P")},
    ...                     steps=step_controls(4))
    >>> explorer.set(padding=1, step=8).step, explorer.step.max
    (8, 8)
    """

    def __init__(self, name: str, compute: Callable[..., State], controls: dict[str, Any],
                 steps: tuple[Any, Any] | None = None,
                 on_change: Callable[[str, dict[str, Any]], None] | None = None):
        widgets = require_ipywidgets()
        self.name, self.compute, self.controls, self.on_change = name, compute, dict(controls), on_change
        self.play, self.step = steps if steps else (None, None)
        if self.step is not None:
            self.controls["step"] = self.step
        self.figure_view = widgets.Image(format="png")
        self.figure_view.add_class("ck-explorer-figure")
        self.numbers_view = widgets.HTML()
        self.numbers_view.add_class("ck-explorer-numbers")
        rows = [widgets.HBox([c for key, c in self.controls.items() if key != "step"],
                             layout=widgets.Layout(flex_flow="row wrap"))]
        if self.step is not None:
            rows.append(widgets.HBox([self.play, self.step]))
        self.widget = widgets.VBox([*rows, self.figure_view, self.numbers_view])
        self.widget.add_class("ck-explorer")
        self.widget.add_class(f"ck-explorer-{name}")
        self._busy = False
        for key, control in self.controls.items():
            control.observe(lambda change, key=key: self._changed(key), names="value")
        self.state = self._recompute()

    def values(self) -> dict[str, Any]:
        """The controls' current values, by keyword."""
        return {key: control.value for key, control in self.controls.items()}

    def _changed(self, key: str) -> None:
        if self._busy:
            return
        self._busy = True
        try:
            if self.on_change is not None:
                self.on_change(key, self.controls)
            if key != "step" and self.step is not None:  # a new configuration starts at step 0
                self.step.value = 0
            self.state = self._recompute()
        finally:
            self._busy = False

    def _recompute(self) -> State:
        """Compute the state for the controls' values, fit the step range to it and show it (one render)."""
        state = self.compute(**self.values())
        if self.step is not None:
            last = max(int(getattr(state, "n_steps", 1)) - 1, 0)
            self.step.max = self.play.max = last
        self.png = figure_png(state.figure())
        self.figure_view.value = self.png
        self.numbers_view.value = f"<pre style='line-height:1.3'>{html.escape(state.text())}</pre>"
        return state

    def set(self, **values: Any) -> State:
        """Move controls from code (as a student would), recompute once, return the new state.

        Values apply in the order given, each followed by ``on_change``; a new configuration
        starts at step 0 unless ``step`` is given too.
        """
        unknown = set(values) - set(self.controls)
        if unknown:
            raise ValueError(f"unknown control(s) {sorted(unknown)}; this explorer has {sorted(self.controls)}.")
        self._busy = True
        try:
            for key, value in values.items():
                if key != "step":
                    self.controls[key].value = value
                    if self.on_change is not None:
                        self.on_change(key, self.controls)
            if self.step is not None and set(values) - {"step"}:
                self.step.value = 0
            if "step" in values:
                n_steps = int(getattr(self.compute(**self.values()), "n_steps", 1))  # cheap: no figure
                if not 0 <= values["step"] < n_steps:
                    raise ValueError(f"step must be between 0 and {n_steps - 1} for this configuration, "
                                     f"got {values['step']}.")
                self.step.max = self.play.max = n_steps - 1
                self.step.value = values["step"]
            self.state = self._recompute()
        finally:
            self._busy = False
        return self.state

    def _repr_mimebundle_(self, include=None, exclude=None):
        width, height = png_size(self.png)
        data = {"text/plain": self.state.text(), "image/png": base64.b64encode(self.png).decode("ascii")}
        data[WIDGET_VIEW] = self.widget._repr_mimebundle_()[WIDGET_VIEW]
        return data, {"image/png": {"width": width // PNG_SCALE, "height": height // PNG_SCALE}}
