"""Block diagrams drawn from a Keras model itself: every layer a box, every connection an arrow.

:func:`layer_graph` reads the graph from the model's config (which layer feeds which), so the
picture is the network that was built, not one drawn by hand; :func:`draw_model` lays it out
top to bottom with parallel paths side by side (Inception's four paths, ResNet's shortcut) and
labels each box with what the layer does and its output shape. Nested models (a block built as
its own model) are one box. Needs only matplotlib, so it renders offline and on the website.

>>> import keras
>>> inputs = keras.Input((8, 8, 3), name="image")
>>> a = keras.layers.Conv2D(4, 1, activation="relu", name="a")(inputs)
>>> b = keras.layers.MaxPooling2D(3, strides=1, padding="same", name="b")(inputs)
>>> model = keras.Model(inputs, keras.layers.Concatenate(name="cat")([a, b]))
>>> [(box.name, box.parents) for box in layer_graph(model)][1:]
[('a', ('image',)), ('b', ('image',)), ('cat', ('a', 'b'))]
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib.pyplot as plt
from matplotlib.patches import FancyBboxPatch

_COLOURS = {"conv": "#cfe2f3", "pool": "#d9ead3", "dense": "#fce5cd", "norm": "#ead1dc", "merge": "#fff2cc",
            "act": "#f3f3f3", "input": "#ffffff", "block": "#d0e0e3", "other": "#eeeeee"}


@dataclass(frozen=True)
class Box:
    """One layer of the diagram: its name, what it does (``label``), its output shape, the layers
    it reads from and a kind that picks its colour."""

    name: str
    label: str
    shape: str
    parents: tuple[str, ...]
    kind: str


def _history(node) -> list[str]:
    """The layer names a serialized call argument refers to (its ``keras_history``)."""
    if isinstance(node, dict):
        if node.get("class_name") == "__keras_tensor__":
            return [node["config"]["keras_history"][0]]
        return [name for value in node.values() for name in _history(value)]
    if isinstance(node, (list, tuple)):
        return [name for value in node for name in _history(value)]
    return []


def _pair(value) -> str:
    value = tuple(value) if isinstance(value, (list, tuple)) else (value, value)
    return f"{value[0]}x{value[1]}" if len(value) == 2 else "x".join(map(str, value))


def _describe(layer) -> tuple[str, str]:
    """A short label for ``layer`` and its kind (for the colour)."""
    kind = type(layer).__name__
    config = layer.get_config()
    activation = config.get("activation")
    act = f", {activation}" if isinstance(activation, str) and activation != "linear" else ""
    strides = config.get("strides")
    stride = f", /{strides[0] if isinstance(strides, (list, tuple)) else strides}" \
        if strides not in (None, 1, (1, 1), [1, 1]) else ""
    if kind in ("Conv2D", "Conv1D", "SeparableConv2D", "Conv2DTranspose"):
        name = {"Conv2D": "Conv", "Conv1D": "Conv1D", "SeparableConv2D": "SepConv",
                "Conv2DTranspose": "ConvT"}[kind]
        return f"{name} {_pair(config['kernel_size'])}, {config['filters']}{stride}{act}", "conv"
    if kind == "DepthwiseConv2D":
        return f"Depthwise {_pair(config['kernel_size'])}{stride}{act}", "conv"
    if kind == "Dense":
        return f"Dense {config['units']}{act}", "dense"
    if "Pooling" in kind and "Global" in kind:
        return f"Global{'Avg' if 'Average' in kind else 'Max'}Pool", "pool"
    if "Pooling" in kind:
        return f"{'Avg' if 'Average' in kind else 'Max'}Pool {_pair(config['pool_size'])}{stride}", "pool"
    if kind in ("BatchNormalization", "LayerNormalization"):
        return {"BatchNormalization": "BatchNorm", "LayerNormalization": "LayerNorm"}[kind], "norm"
    if kind in ("ReLU", "Activation", "Softmax", "LeakyReLU"):
        return (config.get("activation") if kind == "Activation" else kind), "act"
    if kind in ("Add", "Concatenate", "Multiply"):
        return {"Add": "Add (+)", "Concatenate": "Concat", "Multiply": "Multiply (x)"}[kind], "merge"
    if kind == "InputLayer":
        return "Input", "input"
    if hasattr(layer, "layers"):  # a nested model: one box
        return f"{layer.name} ({len(layer.layers)} layers)", "block"
    return kind, "other"


def _shape(layer) -> str:
    try:
        shape = tuple(layer.output.shape[1:])
    except (AttributeError, ValueError):
        return ""
    return "x".join("?" if d is None else str(d) for d in shape)


def layer_graph(model) -> list[Box]:
    """The model's layers in order, each with the names of the layers it reads from."""
    config = model.get_config()
    entries = {entry["config"]["name"] if "name" not in entry else entry["name"]: entry
               for entry in config.get("layers", [])}
    boxes, previous = [], None
    for layer in model.layers:
        entry = entries.get(layer.name, {})
        parents = tuple(dict.fromkeys(_history(entry.get("inbound_nodes", []))))
        if not parents and previous is not None and type(model).__name__ == "Sequential":
            parents = (previous,)  # a Sequential model's config lists no connections
        label, kind = _describe(layer)
        boxes.append(Box(layer.name, label, _shape(layer), parents, kind))
        previous = layer.name
    if type(model).__name__ == "Sequential" and boxes and boxes[0].kind != "input":
        first = model.inputs[0] if getattr(model, "inputs", None) else None
        shape = "x".join(str(d) for d in tuple(first.shape[1:])) if first is not None else ""
        boxes.insert(0, Box("input", "Input", shape, (), "input"))
        boxes[1] = Box(boxes[1].name, boxes[1].label, boxes[1].shape, ("input",), boxes[1].kind)
    return boxes


def _layout(boxes: Sequence[Box]) -> dict[str, tuple[float, int]]:
    """(lane, level) per box. A box sits as low as it can, one level above the first box that
    reads it (so a shortcut's layers sit beside the path they join); boxes on one level side by
    side, each near its parents."""
    children: dict[str, list[str]] = {box.name: [] for box in boxes}
    for box in boxes:
        for parent in box.parents:
            children.setdefault(parent, []).append(box.name)
    below: dict[str, int] = {}
    for box in reversed(boxes):  # longest path from each box to an output
        below[box.name] = 1 + max((below[c] for c in children[box.name] if c in below), default=-1)
    top = max(below.values(), default=0)
    level = {name: top - steps for name, steps in below.items()}
    lanes: dict[str, float] = {}
    for depth in sorted(set(level.values())):
        row = [b for b in boxes if level[b.name] == depth]
        row.sort(key=lambda b: (any(depth - level[p] > 1 for p in b.parents if p in level),  # shortcuts right
                                sum(lanes.get(p, 0) for p in b.parents) / max(1, len(b.parents))))
        for i, box in enumerate(row):
            lanes[box.name] = i - (len(row) - 1) / 2
    return {name: (lanes[name], level[name]) for name in level}


def draw_model(model, *, title: str | None = None, scale: float = 1.5, ax=None):
    """Draw ``model``'s layers as boxes joined by arrows, top to bottom; return the Figure.

    ``scale`` is inches per box width; the figure grows with the number of levels and of
    parallel paths.
    """
    boxes = layer_graph(model)
    where = _layout(boxes)
    step, gap, box_h = 1.15, 0.62, 0.4  # lane spacing, level spacing, box height (box width 1)
    levels = 1 + max(level for _, level in where.values())
    skips = any(level - where[p][1] > 1 for box in boxes for p in box.parents if p in where
                for level in [where[box.name][1]])
    half = max(abs(lane) for lane, _ in where.values()) * step + 0.55 + 0.35 * skips
    if ax is None:
        _, ax = plt.subplots(figsize=(max(2.4, 2 * half * scale), (levels - 1) * gap * scale + box_h * scale + 0.35))
    for box in boxes:
        lane, level = where[box.name]
        x, y = lane * step, -level * gap
        for parent in box.parents:
            if parent in where:
                plane, plevel = where[parent]
                start, end = [plane * step, -plevel * gap - box_h / 2], [x, y + box_h / 2]
                bend = 0.0
                if level - plevel > 1:  # a long edge (a shortcut) leaves from the side and bows out
                    start[0], end[0] = start[0] + 0.3, end[0] + 0.3
                    bend = -1.4 / ((level - plevel) * gap)
                ax.annotate("", xy=end, xytext=start,
                            arrowprops=dict(arrowstyle="-|>", color="#555555", lw=0.8, shrinkA=0, shrinkB=0,
                                            connectionstyle=f"arc3,rad={bend:.3f}"))
        ax.add_patch(FancyBboxPatch((x - 0.5, y - box_h / 2), 1.0, box_h, boxstyle="round,pad=0,rounding_size=0.06",
                                    facecolor=_COLOURS[box.kind], edgecolor="#444444", lw=0.8))
        ax.text(x, y + 0.06, box.label, ha="center", va="center", fontsize=7.5)
        ax.text(x, y - 0.12, box.shape, ha="center", va="center", fontsize=6, color="#555555")
    ax.set_xlim(-half, half)
    ax.set_ylim(-(levels - 1) * gap - box_h / 2 - 0.05, box_h / 2 + 0.05)
    ax.set_aspect("equal")
    ax.axis("off")
    if title:
        ax.set_title(title)
    return ax.figure
