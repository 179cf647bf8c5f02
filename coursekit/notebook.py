"""Small conveniences for the lesson notebooks: one setup call, and showing library code.

Example
-------
>>> info = setup_lesson(seed=0, quiet=True)
>>> info["mode"] in ("fast", "full")
True
"""
from __future__ import annotations

import inspect
import platform
import random

import numpy as np

from coursekit.mode import mode_name
from coursekit.plots import use_style


def setup_lesson(seed: int = 0, quiet: bool = False) -> dict[str, str]:
    """Seed Python, NumPy (and TensorFlow if imported), apply the plot style, report versions.

    Returns the facts it printed, so a notebook can check them. ``train.fit`` seeds its own run
    (``seed=0`` unless given), so a lesson's training results do not depend on this seed: to see
    another draw, pass ``seed=`` to ``fit`` as well.
    """
    random.seed(seed)
    np.random.seed(seed)
    info = {"mode": mode_name(), "python": platform.python_version(), "numpy": np.__version__}
    try:
        import keras
        import tensorflow as tf

        keras.utils.set_random_seed(seed)
        info.update(tensorflow=tf.__version__, keras=keras.__version__)
    except ImportError:
        pass
    use_style()
    if not quiet:
        print(" | ".join(f"{key} {value}" for key, value in info.items()))
    return info


def show_source(obj):
    """Display the source code of a coursekit function or class, highlighted, in the notebook."""
    from IPython.display import Code

    return Code(inspect.getsource(obj), language="python")
