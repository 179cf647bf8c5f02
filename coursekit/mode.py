"""Fast mode: one environment variable that shrinks data and epochs, nothing else.

Set ``COURSEKIT_FAST=1`` (CI does) and the data loaders return small stratified subsets and
lessons pick their small epoch counts through :func:`pick`. Unset (or ``0``) is full mode,
the mode students run and the mode the committed notebook outputs come from.

Example
-------
>>> import os
>>> os.environ["COURSEKIT_FAST"] = "1"
>>> pick(full=10, fast=1)
1
>>> os.environ["COURSEKIT_FAST"] = "0"
>>> pick(full=10, fast=1)
10
"""
from __future__ import annotations

import os
from typing import TypeVar

FAST_ENV = "COURSEKIT_FAST"
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"", "0", "false", "no", "off"}

T = TypeVar("T")


def is_fast() -> bool:
    """Return True when ``COURSEKIT_FAST`` asks for fast mode.

    Raises ``ValueError`` for a value that is neither true-like nor false-like, so a typo such
    as ``COURSEKIT_FAST=ture`` never silently runs the long full mode in CI.
    """
    value = os.environ.get(FAST_ENV, "").strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(
        f"{FAST_ENV}={os.environ[FAST_ENV]!r} is not understood; "
        f"use one of {sorted(_TRUE)} for fast mode or {sorted(_FALSE - {''})} for full mode."
    )


def pick(full: T, fast: T) -> T:
    """Return ``fast`` in fast mode and ``full`` otherwise (e.g. a number of epochs)."""
    return fast if is_fast() else full


def mode_name() -> str:
    """Return ``"fast"`` or ``"full"``, for printing in a lesson's setup cell."""
    return "fast" if is_fast() else "full"
