"""Whatever a model returns, as a NumPy array that matplotlib, seaborn and scikit-learn accept.

A model trained in mixed precision computes in bfloat16 (CPUs) or float16 (GPUs): a probe of
its feature maps returns such arrays, and matplotlib and scikit-learn do not calculate with
bfloat16. :func:`to_numpy` turns tensors and low-precision floats into float32 (exact: every
bfloat16 and float16 value is a float32 value); integers, booleans, float32 and float64 pass
through unchanged.

Example
-------
>>> import ml_dtypes, numpy as np
>>> to_numpy(np.array([0.5, 2.0], dtype=ml_dtypes.bfloat16)).dtype
dtype('float32')
>>> to_numpy([1, 2]).dtype.kind
'i'
"""
from __future__ import annotations

import numpy as np

_PASS_THROUGH = (np.float32, np.float64)


def to_numpy(values, what: str = "values") -> np.ndarray:
    """A NumPy array of ``values`` (array, list or tensor); float types other than float32 and
    float64 (bfloat16, float16, float8) become float32.

    Raises ``TypeError`` naming ``what`` for values that are not numbers at all.
    """
    array = np.asarray(values)
    if array.dtype.kind in "biu" or array.dtype in _PASS_THROUGH:
        return array
    if array.dtype == np.float16:
        return array.astype(np.float32)
    if array.dtype.kind == "f":  # float128 and the like
        return array.astype(np.float64)
    if array.dtype.kind == "V":  # ml_dtypes' bfloat16 and float8 types (TensorFlow's, JAX's)
        try:
            return array.astype(np.float32)
        except (TypeError, ValueError):
            pass
    raise TypeError(f"{what}: expected numbers (an array or tensor of ints or floats), got dtype {array.dtype}.")
