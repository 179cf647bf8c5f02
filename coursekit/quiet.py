"""Clean notebook output: no TensorFlow start-up chatter, coursekit's warnings on one line.

Importing TensorFlow makes its C++ core write lines such as ``WARNING: All log messages before
absl::InitializeLog() is called are written to STDERR`` and ``oneDNN custom operations are on``
straight to the process's standard error, before ``TF_CPP_MIN_LOG_LEVEL`` is read, so the
variable alone cannot stop them; in JupyterLab they show up as a red block under the first
cell. ``import coursekit`` (before TensorFlow or Keras) installs an import hook: when TensorFlow
is first imported, standard error is caught at the file-descriptor level for the duration of
the import, the known start-up lines are dropped and anything else is written back, so no
real warning or error is lost. ``TF_CPP_MIN_LOG_LEVEL`` defaults to 1 (TensorFlow's INFO lines
off, its warnings and errors still shown); a value the user set is kept.

Warnings that coursekit raises (say, a dataset falling back to its offline subset) are shown as
``DataFallbackWarning: <message>``, without the temporary file name of the notebook cell that
Python would otherwise print in front of them; every other warning is shown as Python shows it.

Example
-------
>>> import os, warnings
>>> with quiet_startup():
...     _ = os.write(2, b"WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\\n")
>>> class DataFallbackWarning(UserWarning): ...
>>> DataFallbackWarning.__module__ = "coursekit.data"
>>> install(); warnings.formatwarning("using the subset", DataFallbackWarning, "/tmp/ipykernel_1/2.py", 1)
'DataFallbackWarning: using the subset\\n'
>>> is_startup_chatter("I0000 00:00:17.1  7279 cpu_feature_guard.cc:227] This TensorFlow binary is optimized")
True
"""
from __future__ import annotations

import contextlib
import importlib.abc
import importlib.machinery
import os
import re
import sys
import tempfile
import warnings
from collections.abc import Iterator

LOG_LEVEL_ENV = "TF_CPP_MIN_LOG_LEVEL"

_CHATTER = re.compile(
    r"absl::InitializeLog\(\)|cpu_feature_guard\.cc|oneDNN custom operations are on"
    r"|^To enable the following instructions:|rebuild TensorFlow with the appropriate compiler flags"
    r"|Unable to register cu(DNN|FFT|BLAS) factory|computation placer already registered"
    r"|TF-TRT Warning: Could not find TensorRT|cuda_executor\.cc.*NUMA node"
)


def is_startup_chatter(line: str) -> bool:
    """True for a line TensorFlow's C++ core prints at start-up on every machine (not a problem)."""
    return bool(_CHATTER.search(line))


@contextlib.contextmanager
def quiet_startup() -> Iterator[None]:
    """Catch file descriptor 2 while the block runs; write back every line that is not chatter."""
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as caught:
        os.dup2(caught.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            caught.seek(0)
            text = caught.read().decode(errors="replace")
    kept = [line for line in text.splitlines() if line.strip() and not is_startup_chatter(line)]
    if kept:
        print("\n".join(kept), file=sys.stderr)


class _QuietLoader:
    """Wraps TensorFlow's own loader; only ``exec_module`` (the import itself) runs quietly."""

    def __init__(self, loader):
        self._loader = loader

    def __getattr__(self, name):
        return getattr(self._loader, name)

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module) -> None:
        with quiet_startup():
            self._loader.exec_module(module)


MISSING_TENSORFLOW = ("No module named 'tensorflow'. TensorFlow comes with one of coursekit's extras: "
                      "pip install -e '.[dev]' (CPU) or pip install -e '.[gpu,lab]' (NVIDIA GPU, Linux x86-64).")


class _QuietTensorFlowFinder(importlib.abc.MetaPathFinder):
    """Finds ``tensorflow`` with the normal machinery and hands back a quiet loader, once; when
    TensorFlow is not installed, says which install command brings it."""

    def find_spec(self, name, path, target=None):
        if name != "tensorflow":
            return None
        uninstall()
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is None:
            raise ModuleNotFoundError(MISSING_TENSORFLOW, name=name)
        if spec.loader is not None:
            spec.loader = _QuietLoader(spec.loader)
        return spec


def _format_course_warnings(python_format):
    def formatwarning(message, category, filename, lineno, line=None):
        if category.__module__.startswith("coursekit"):
            return f"{category.__name__}: {message}\n"
        return python_format(message, category, filename, lineno, line)

    formatwarning.course_format = True
    return formatwarning


def install() -> None:
    """Quiet TensorFlow's start-up from now on (no effect if it is already imported) and show
    coursekit's own warnings on one line."""
    os.environ.setdefault(LOG_LEVEL_ENV, "1")
    if not getattr(warnings.formatwarning, "course_format", False):
        warnings.formatwarning = _format_course_warnings(warnings.formatwarning)
    if "tensorflow" not in sys.modules and not any(isinstance(f, _QuietTensorFlowFinder) for f in sys.meta_path):
        sys.meta_path.insert(0, _QuietTensorFlowFinder())


def uninstall() -> None:
    """Remove the import hook (``install`` puts it back)."""
    sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, _QuietTensorFlowFinder)]
