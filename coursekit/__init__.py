"""coursekit: the helper package of the CNN course.

Modules, one job each:

- :mod:`coursekit.quiet` - clean output: no TensorFlow start-up chatter (import coursekit first)
- :mod:`coursekit.mode` - fast mode (``COURSEKIT_FAST=1``) and :func:`pick`
- :mod:`coursekit.data` - offline-first dataset and photo loaders
- :mod:`coursekit.shapes` - output-size arithmetic and :func:`check_shape`
- :mod:`coursekit.costs` - parameter and MAC counts of Keras models
- :mod:`coursekit.ops` - from-scratch NumPy operations (cross-correlation, ...)
- :mod:`coursekit.checks` - self-checks against independent references
- :mod:`coursekit.plots` - figures
- :mod:`coursekit.evaluation` - confusion matrix, ROC curves, most-confused pairs (scikit-learn)
- :mod:`coursekit.notebook` - lesson setup and showing library code
- :mod:`coursekit.devices` - devices, ``tf.distribute`` strategy (imported on demand: TensorFlow)
- :mod:`coursekit.train` - ``fit``: GPU-ready Keras training in one call (imported on demand)
- :mod:`coursekit.models` - LeNet-5 ... DenseNet builders, paper or CPU scale (imported on demand)
- :mod:`coursekit.transfer` - the pretrained source CNN, feature extraction, ImageNet bases (on demand)
- :mod:`coursekit.explore_conv` - the convolution-arithmetic explorer (ipywidgets, on demand)
- :mod:`coursekit.explore_pooling` - the pooling explorer (on demand)
- :mod:`coursekit.explore_receptive_field` - the receptive-field explorer (on demand)
- :mod:`coursekit.layer_specs` - convolution/pooling stacks as windows, read from Keras models
- :mod:`coursekit.explore_optimizers` - the optimizer explorer, ``keras.optimizers`` (on demand)
- :mod:`coursekit.explore_steps` - what the stepping explorers share: windows, unread cells, fixes
- :mod:`coursekit.widget_display` - a live widget with its static figure and text beside it
- :mod:`coursekit.grid_figures` - the grids the explorers draw
- :mod:`coursekit.inspect_cnn` - heat maps over images for lesson 15 (on demand)
- :mod:`coursekit.grading` - graded labs on nbgrader (imported on demand)

Example
-------
>>> import coursekit as ck
>>> ck.conv_output_size(32, 5, padding=2)
32
"""
from coursekit import quiet

quiet.install()  # before anything imports TensorFlow

from coursekit import checks, costs, data, evaluation, mode, notebook, ops, plots, shapes
from coursekit.checks import CheckFailed, check_close, check_equal
from coursekit.costs import count_macs, count_params, layer_table
from coursekit.mode import is_fast, pick
from coursekit.notebook import setup_lesson, show_source
from coursekit.shapes import (
    ShapeError,
    check_shape,
    conv_output_size,
    does_fit,
    pool_output_size,
    receptive_field,
    transposed_conv_output_size,
)

__version__ = "0.1.0"

__all__ = [
    "checks", "costs", "data", "evaluation", "mode", "notebook", "ops", "plots", "quiet", "shapes",
    "CheckFailed", "check_close", "check_equal", "count_macs", "count_params", "layer_table",
    "is_fast", "pick", "setup_lesson", "show_source", "ShapeError", "check_shape",
    "conv_output_size", "does_fit", "pool_output_size", "receptive_field",
    "transposed_conv_output_size",
]
