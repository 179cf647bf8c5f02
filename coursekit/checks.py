"""Self-checks for lessons and labs: compare against an independent reference, say what differs.

Each check prints one line starting with a check mark when it passes and raises
:class:`CheckFailed` (an ``AssertionError``) with the numbers when it does not, so a notebook
stops at the first wrong step and nbval reports it.

Example
-------
>>> check_close([1.0, 2.0], [1.0, 2.0 + 1e-9], what="tiny difference")
✓ tiny difference: max |difference| 1e-09 within tolerance (rtol 1e-05, atol 1e-06)
>>> check_equal(3, 3, what="kernel count")
✓ kernel count: 3
"""
from __future__ import annotations

import numpy as np

from coursekit.shapes import check_shape

__all__ = ["CheckFailed", "check_close", "check_equal", "check_shape"]


class CheckFailed(AssertionError):
    """A lesson or lab check did not pass; the message says what was expected."""


def check_close(actual, expected, *, rtol: float = 1e-5, atol: float = 1e-6, what: str = "result") -> None:
    """Check that two arrays (or tensors) have the same shape and agree within tolerance.

    Passes when ``|actual - expected| <= atol + rtol * |expected|`` everywhere (NumPy's
    ``allclose`` rule).
    """
    a = np.asarray(actual, dtype=np.float64)
    e = np.asarray(expected, dtype=np.float64)
    if a.shape != e.shape:
        raise CheckFailed(f"{what}: shape {a.shape}, expected {e.shape}.")
    if not np.all(np.isfinite(a)):
        raise CheckFailed(f"{what}: contains NaN or infinity ({_not_finite(a)}); a common cause is a"
                          f" division by a total that is 0.")
    if not np.all(np.isfinite(e)):
        raise CheckFailed(f"{what}: the expected value contains NaN or infinity ({_not_finite(e)}); there is"
                          f" nothing to compare with where the reference is undefined.")
    diff = np.abs(a - e)
    worst = float(diff.max()) if diff.size else 0.0
    if not np.allclose(a, e, rtol=rtol, atol=atol):
        index = np.unravel_index(int(np.argmax(diff - rtol * np.abs(e))), diff.shape) if diff.ndim else ()
        raise CheckFailed(
            f"{what}: max |difference| {worst:.3g} is above tolerance (rtol {rtol:g}, atol {atol:g});"
            f" at index {tuple(int(i) for i in index)} got {a[index]:.6g}, expected {e[index]:.6g}."
        )
    print(f"✓ {what}: max |difference| {worst:.3g} within tolerance (rtol {rtol:g}, atol {atol:g})")


def _not_finite(values: np.ndarray) -> str:
    """Say how many values are NaN or infinite and where the first one is."""
    bad = ~np.isfinite(values)
    if values.ndim == 0:
        return f"the value is {values.item()}"
    first = tuple(int(i) for i in np.argwhere(bad)[0])
    return f"{int(bad.sum())} of {values.size} values, the first at index {first}: {values[first]}"


def check_equal(actual, expected, *, what: str = "result") -> None:
    """Check exact equality of numbers, tuples or integer arrays; prints the value on success."""
    a, e = np.asarray(actual), np.asarray(expected)
    if a.shape != e.shape or not np.array_equal(a, e):
        raise CheckFailed(f"{what}: got {actual!r}, expected {expected!r}.")
    shown = actual.tolist() if isinstance(actual, np.ndarray) else actual
    print(f"✓ {what}: {shown}")
