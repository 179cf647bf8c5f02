"""A lab's test cells, run by the grader, reach the student's kernel only through these.

When a lab is graded, its test cells run in the grader's own process (see ``checks.py``), not
in the student's kernel: what they compare against is out of the answers' reach. Every name a
test cell takes from the student becomes a value fetched from the kernel, or a
:class:`StudentFunction` whose calls travel as data (``wire.py``): the function gets copies,
so it cannot change the test's arrays (:func:`changes_inputs` asks whether it tried; a Keras
model argument is the exception: what the function does to it comes back). In a student's
notebook (no grading session) the same test cells run as plain code.

:func:`run_student` is for what data cannot carry, like Keras tensors: the test cell gives
code to run beside the student's answers and gets ``result`` back as data. In a notebook it
simply runs there.

>>> run_student("result = x + 1", x=1)
2
"""
from __future__ import annotations

import builtins
import contextvars
import sys
from typing import Any

import numpy as np

from coursekit.grading import wire

_SESSION: contextvars.ContextVar = contextvars.ContextVar("coursekit_grading_session", default=None)


class StudentError(Exception):
    """Raised in a test cell when the student's code raised (also an instance of the builtin
    exception it raised, e.g. ValueError, so ``except ValueError`` works as in the notebook)."""


class NotAnswered(AssertionError):
    """The student's kernel has no such name: the question is not answered (yet)."""


class NotGradable(AssertionError):
    """The student's kernel could not answer (timed out, died) or answered with something that
    is not data; the question fails with this message."""


def _student_exception(name: str, message: str) -> BaseException:
    base = getattr(builtins, name, None)
    if not (isinstance(base, type) and issubclass(base, Exception)) or issubclass(base, AssertionError):
        base = RuntimeError
        message = f"{name}: {message}"
    kind = type(name, (base, StudentError), {})
    return kind(message)


class Remote:
    """The grader's side of one student's kernel (an ``execute.Session``)."""

    def __init__(self, session: Any):
        self._session = session

    def _ask(self, **question: Any) -> dict:
        from coursekit.grading.execute import SessionProblem

        try:
            reply = wire.decode(self._session.ask(wire.encode(question)))
        except SessionProblem as problem:
            raise NotGradable(f"your code {problem}") from None
        except wire.WireError as error:
            raise NotGradable(f"your answer cannot be graded: {error}") from None
        if "error" in reply:
            name, message = reply["error"]
            if name == "NotAnswered":
                raise NotAnswered(message)
            if name == "WireError":
                raise NotGradable(f"your answer cannot be graded: {message}")
            raise _student_exception(name, message)
        return reply

    def fetch(self, name: str) -> Any:
        """The student's ``name``: its value, or a :class:`StudentFunction` for a function."""
        try:
            reply = self._ask(op="get", name=name)
        except NameError as error:
            raise NotAnswered(str(error)) from None
        return StudentFunction(self, name) if reply.get("callable") else reply["value"]

    def call(self, name: str, args: tuple, kwargs: dict) -> tuple[Any, list[int]]:
        """The function's result, and which positional arguments (arrays) it changed in place.
        Those changes stay in the kernel: the test's own arrays are never written to."""
        reply = self._ask(op="call", name=name, args=list(args), kwargs=kwargs)
        changed = []
        for index, (sent, returned) in enumerate(zip(args, reply.get("args", []))):
            if isinstance(sent, np.ndarray) and isinstance(returned, np.ndarray):
                if sent.shape != returned.shape or not np.array_equal(sent, returned, equal_nan=sent.dtype.kind in "fc"):
                    changed.append(index)
            elif hasattr(sent, "get_weights") and hasattr(returned, "get_weights"):
                _apply_model(sent, returned)
        return reply["value"], changed

    def run(self, code: str, data: dict) -> Any:
        return self._ask(op="run", code=code, data=data)["value"]


def _apply_model(sent: Any, returned: Any) -> None:
    """Show the test what the student's function did to a Keras model it was given (froze
    layers, changed weights): a model is the one argument such a function may change."""
    sent.set_weights(returned.get_weights())
    wire.apply_trainable(sent, wire.trainable_flags(returned))


class StudentFunction:
    """A function defined in the student's kernel, called with data from a test cell."""

    def __init__(self, remote: Remote, name: str):
        self._remote, self.__name__ = remote, name

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._remote.call(self.__name__, args, kwargs)[0]

    def __repr__(self) -> str:
        return f"<student function {self.__name__}>"


def changes_inputs(function: Any, *args: Any, **kwargs: Any) -> bool:
    """Call ``function(*args, **kwargs)``; True if it changed one of its array arguments in place.

    When grading, the arrays a test passes are copies in the student's kernel, so a function
    that zeroes its inputs cannot change the test's own data; this is how a test asks whether
    it tried. In a notebook it compares copies taken before the call.
    """
    if isinstance(function, StudentFunction):
        return bool(function._remote.call(function.__name__, args, kwargs)[1])
    before = [np.array(a, copy=True) if isinstance(a, np.ndarray) else None for a in args]
    function(*args, **kwargs)
    return any(b is not None and (b.shape != a.shape or not np.array_equal(a, b, equal_nan=b.dtype.kind in "fc"))
               for a, b in zip(args, before))


def run_student(code: str, **data: Any) -> Any:
    """Run ``code`` beside the student's answers with ``data`` as variables; return its ``result``.

    While grading, it runs in the student's kernel and ``result`` comes back as data (a Keras
    model comes back rebuilt from its config and weights); in a notebook it runs right there.
    """
    remote = _SESSION.get()
    if remote is not None:
        return remote.run(code, data)
    scope = dict(sys._getframe(1).f_globals)
    scope.update(data)
    exec(compile(code, "<test>", "exec"), scope)  # noqa: S102 - the lab's own test code
    return scope.get("result")


def grading_with(remote: Remote) -> contextvars.Token:
    """Make :func:`run_student` ask ``remote`` (in this thread) until ``_SESSION.reset(token)``."""
    return _SESSION.set(remote)
