"""Executed inside the sandbox: run a notebook cell by cell and record how each cell ended.

    python _run_kernel.py   # JSON lines: the request on stdin, then questions; answers on stdout

The request (one JSON line): ``notebook`` (nbformat text), ``cell_timeout`` (seconds), ``files``
(path relative to the work dir -> text, written first), ``limits`` (None, or ``uid``,
``memory``, ``tasks``, ``nproc``: see :func:`_limit`). The last answer: the executed
``notebook`` and ``problem``, one line when the run stopped early (the kernel died, a limit was
exceeded, a cell ignored the interrupt), else None. Errors inside cells are not problems: they
are recorded.

A code cell whose metadata has ``coursekit_checkpoint`` (the place of a test cell) is not run:
the runner sends ``{"checkpoint": <its value>, "problem": ..., "cells": {<id>: <record>}}`` (the
cells run since the last checkpoint) and answers the grader's questions about the kernel as it
is at that point, one JSON line each way: ``{"ask": <wire text>}`` -> ``{"reply": <wire text>}``
or ``{"problem": ...}`` (timed out, kernel died), until ``{"op": "continue"}`` (or "close",
which skips the rest). The answering code is ``wire.py`` and :data:`_SERVE`, run in the kernel:
whatever the submission did to that kernel, only data comes back (see wire.py).

Each code cell gets ``metadata["coursekit"]``: ``status`` from the kernel's execute_reply ("ok",
"error" with ``ename`` and ``evalue``, "aborted"), or "timeout", "died" (the kernel died during
the cell), "not run", "checkpoint". Never from the outputs, which the submission can hide or fake.

Before each code cell a silent request undoes the IPython hooks an earlier cell may have set:
AST and input transformers, custom exception handlers, methods replaced on the shell instance,
event callbacks not registered by IPython itself. The reset is a user expression of an empty
request, which ipykernel evaluates directly (no transformer, no run_cell in between); if the
reply shows it never ran, the next cell's "ok" becomes an error ("ResetBlocked").
This runs in the submission's own process, so it is best effort: code that patches IPython or
ipykernel classes can still fake a reply. A cell
that does not let the next request through within the cell time limit (a loop that ignores the
interrupt) ends the run; the remaining cells are "not run".

The kernel's stdout and stderr are /dev/null; the result goes through a copy of stdout that only
this process holds, so a submission cannot write it.
"""
from __future__ import annotations

import ast
import asyncio
import ctypes
import json
import os
import queue
import resource
import secrets
import signal
import sys
import threading
import time
from contextlib import suppress
from pathlib import Path

# jsonschema (under nbformat) loads the optional IRI checker rfc3987_syntax when it is installed (it
# comes with JupyterLab), which builds a grammar for about 1.5 s: a third of an empty run's start.
# Nothing here checks IRIs, so the runner goes without it.
sys.modules.setdefault("rfc3987_syntax", None)

import nbformat  # noqa: E402
from nbclient import NotebookClient  # noqa: E402
from nbclient.exceptions import DeadKernelError  # noqa: E402

_WIRE = Path(__file__).with_name("wire.py")
_TIMEOUT_MARK = "coursekit_timeout"  # in the stand-in reply nbclient makes for a timed-out cell
_MAX_EVALUE = 500  # characters of an error message kept
_MAX_OUTPUTS = 1_000_000  # characters of one cell's outputs kept (beyond: its errors only)
_RESET = """\
import IPython
from IPython.core.inputtransformer2 import TransformerManager
shell = IPython.get_ipython()
for name in ("run_cell", "run_cell_async", "should_run_async", "run_ast_nodes", "run_code",
             "transform_cell", "transform_ast", "showtraceback", "_showtraceback", "CustomTB"):
    shell.__dict__.pop(name, None)
shell.ast_transformers = []
shell.input_transformers_post = []
shell.input_transformer_manager = TransformerManager()
shell.custom_exceptions = ()
for callbacks in shell.events.callbacks.values():
    callbacks[:] = [f for f in callbacks
                    if getattr(f, "__module__", "").split(".")[0] in ("IPython", "ipykernel", "matplotlib_inline")]
"""


_SERVE = """\
def __coursekit_serve__(text, _wire=_wire):
    import IPython
    namespace = IPython.get_ipython().user_ns
    try:
        ask = _wire.decode(text)
        if ask["op"] == "run":
            scope = dict(namespace)
            scope.update(ask["data"])
            exec(compile(ask["code"], "<grading check>", "exec"), scope)
            reply = {"value": scope.get("result")}
        elif ask["name"] not in namespace:
            raise NameError(f"name {ask['name']!r} is not defined")
        elif ask["op"] == "get":
            value = namespace[ask["name"]]
            if callable(value) and not hasattr(value, "__array__") and not hasattr(value, "get_config"):
                reply = {"callable": True}
            else:
                reply = {"value": value}
        else:
            args = ask["args"]
            reply = {"value": namespace[ask["name"]](*args, **ask["kwargs"])}
            reply["args"] = [a if hasattr(a, "__array__") or hasattr(a, "get_config") else None for a in args]
        return _wire.encode(reply)
    except BaseException as error:  # noqa: BLE001 - the check decides what an exception means
        where = error.__traceback__
        while where.tb_next is not None:
            where = where.tb_next
        name = type(error).__name__
        if isinstance(error, NameError) and where.tb_frame.f_code.co_filename == "<grading check>":
            name = "NotAnswered"  # a name the check's own code uses is missing: not answered (yet)
        return _wire.encode({"error": [name, str(error)[:500]]})
"""


def _limit(limits: dict, stopped: list[str]) -> None:
    """Confine this process (PID 1 of the sandbox) and everything it starts.

    As root (``uid`` set) become that unprivileged user first: the kernel exempts root from
    RLIMIT_NPROC. Become non-dumpable, so the submission (same user) cannot open this process's
    files through /proc. RLIMIT_NPROC (``nproc``) caps processes and threads; a watchdog stops
    everything when the sandbox holds more than ``memory`` bytes of resident memory or ``tasks``
    processes and threads.
    """
    if os.getpid() != 1:  # kill(-1) below must reach the sandbox only
        raise RuntimeError("limits need the sandbox: the runner must be its PID 1")
    if limits["uid"] is not None:
        os.setgroups([])
        os.setgid(limits["uid"])
        os.setuid(limits["uid"])
    ctypes.CDLL(None).prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE = 0
    resource.setrlimit(resource.RLIMIT_NPROC, (limits["nproc"], limits["nproc"]))
    threading.Thread(target=_watch, args=(limits["memory"], limits["tasks"], stopped), daemon=True).start()


def _watch(memory: int, tasks: int, stopped: list[str]) -> None:
    """Every 0.1 s add up the sandbox's processes; over a limit, kill all but this one."""
    page = os.sysconf("SC_PAGE_SIZE")
    while not stopped:
        time.sleep(0.1)
        used = running = 0
        for pid in filter(str.isdigit, os.listdir("/proc")):
            with suppress(OSError), open(f"/proc/{pid}/stat", "rb") as stat:
                fields = stat.read().rsplit(b")", 1)[1].split()  # after the command name
                running, used = running + int(fields[17]), used + int(fields[21]) * page
        if used > memory:
            stopped.append(f"the notebook used more than {memory / 2**30:g} GB of memory and was stopped")
        elif running >= tasks:
            stopped.append(f"the notebook ran {tasks} processes and threads at once (the limit) and was stopped")
    for _ in range(20):  # processes forked while the first signals go out get the next ones
        with suppress(ProcessLookupError):
            os.kill(-1, signal.SIGKILL)  # from PID 1: every other process of the sandbox
        time.sleep(0.05)


def _mark(cell: nbformat.NotebookNode, status: str, ename: str | None = None, evalue: str | None = None) -> None:
    cell.metadata["coursekit"] = {"status": str(status)}
    if ename is not None:
        cell.metadata["coursekit"].update(ename=str(ename)[:_MAX_EVALUE], evalue=str(evalue)[:_MAX_EVALUE])


def _record(cell: nbformat.NotebookNode, cell_index: int, execute_reply: dict) -> None:
    """nbclient's hook after each cell: the reply's status, or "timeout" for nbclient's stand-in."""
    reply = execute_reply["content"]
    if reply.get(_TIMEOUT_MARK):
        _mark(cell, "timeout")
    else:
        _mark(cell, reply.get("status"), reply.get("ename"), reply.get("evalue"))


async def _expression(client: NotebookClient, expression: str, timeout: float) -> str | None:
    """Evaluate ``expression`` in the kernel as a user expression (no transformer or run_cell in
    the way); its text/plain result, "" if it raised, None if the kernel did not answer in time."""
    msg_id = client.kc.execute("", silent=True, store_history=False, stop_on_error=False,
                               user_expressions={"value": expression})
    deadline = time.monotonic() + timeout
    while (left := deadline - time.monotonic()) > 0:
        try:
            reply = await client.kc.get_shell_msg(timeout=left)
        except queue.Empty:
            return None
        if reply["parent_header"].get("msg_id") == msg_id:
            return reply["content"].get("user_expressions", {}).get("value", {}).get("data", {}).get("text/plain", "")
    return None


async def _reset(client: NotebookClient, timeout: float) -> bool | None:
    """Undo the submission's IPython hooks. True when done; False when the reply shows the reset
    code never ran (run_cell replaced); None when the kernel did not answer within ``timeout``."""
    token = secrets.token_hex(8)
    seen = await _expression(client, f"exec({_RESET!r}, {{}}) or {token!r}", timeout)
    return None if seen is None else seen == repr(token)


def _send(out, message: dict) -> None:
    out.write(json.dumps(message) + "\n")
    out.flush()


async def _serve(client: NotebookClient, timeout: float, out, stopped: list[str], problem: str | None) -> bool:
    """Answer the grader's questions (one JSON line each) until it says "continue" (True) or
    "close", or closes stdin (False)."""
    install_code = ("import types as _t\n_wire = _t.ModuleType('coursekit_wire')\n"
                    f"exec({_WIRE.read_text()!r}, _wire.__dict__)\n{_SERVE}del _wire, _t\n")
    # defined in a namespace of its own for each question: nothing of the grader's stays in the student's
    install = f"(lambda ns: exec({install_code!r}, ns) or ns['__coursekit_serve__'])({{}})"
    while line := await asyncio.to_thread(sys.stdin.readline):
        ask = json.loads(line)
        if ask.get("op") in ("continue", "close"):
            return ask["op"] == "continue"
        if stopped or problem:
            _send(out, {"problem": stopped[0] if stopped else problem})
            continue
        if not await _reset(client, timeout):
            _send(out, {"problem": f"the kernel did not answer within {timeout:g} s"})
            continue
        value = await _expression(client, f"{install}({ask['ask']!r})", timeout)
        if value is None:
            with suppress(Exception):
                await client.km.interrupt_kernel()
            _send(out, {"problem": stopped[0] if stopped else f"timed out after {timeout:g} s"})
            await _expression(client, "None", timeout)  # let the interrupted request finish
            continue
        try:
            _send(out, {"reply": ast.literal_eval(value)})
        except (ValueError, SyntaxError):
            _send(out, {"problem": "the kernel's answer was damaged"})
    return False


async def _run(nb: nbformat.NotebookNode, cell_timeout: float, stopped: list[str], out=None) -> str | None:
    """Execute every code cell of ``nb`` in place; return why the run stopped early, if it did.
    With ``out``, stop at each checkpoint cell to answer questions there (see :func:`_serve`)."""
    client = NotebookClient(
        nb, timeout=cell_timeout, allow_errors=True, interrupt_on_timeout=True, kernel_name="python3",
        record_timing=False, shutdown_kernel="immediate", on_cell_executed=_record,
        error_on_timeout={_TIMEOUT_MARK: True, "ename": "CellTimeout", "evalue": "", "traceback": []},
    )
    problem, since = None, {}
    try:
        async with client.async_setup_kernel():
            for index, cell in enumerate(nb.cells):
                if cell.cell_type != "code":
                    continue
                if "coursekit_checkpoint" in cell.metadata:
                    _mark(cell, "checkpoint")
                    if out is None:
                        continue
                    _send(out, {"checkpoint": cell.metadata.coursekit_checkpoint, "problem": stopped[0] if stopped
                                else problem, "cells": since})
                    since = {}
                    if not await _serve(client, cell_timeout, out, stopped, problem):
                        problem = problem or "grading stopped"
                        break
                    continue
                reset = None if problem else await _reset(client, cell_timeout)
                if reset is None and problem is None:
                    problem = (stopped[0] if stopped else f"the kernel did not answer within {cell_timeout:g} s "
                               "(a cell ignored the interrupt), so the rest of the notebook was not run")
                if problem is None:
                    try:
                        await client.async_execute_cell(cell, index, execution_count=client.code_cells_executed + 1)
                    except DeadKernelError:
                        problem = stopped[0] if stopped else "the kernel died (crash or exit) before the notebook finished"
                        _mark(cell, "died")
                if reset is False and cell.metadata.get("coursekit", {}).get("status") == "ok":
                    _mark(cell, "error", "ResetBlocked", "an earlier cell replaced how IPython runs cells")
                if "coursekit" not in cell.metadata:
                    _mark(cell, "not run")
                since[cell.metadata.get("nbgrader", {}).get("grade_id") or f"cell {index}"] = cell.metadata.coursekit
    except Exception as error:  # noqa: BLE001 - whatever a submission does, report it in one line
        problem = problem or f"could not run the notebook: {type(error).__name__}: {error}".splitlines()[0]
    for cell in nb.cells:
        if cell.cell_type == "code" and "coursekit" not in cell.metadata:
            _mark(cell, "not run")
    return problem


def _shorten(cell: nbformat.NotebookNode) -> None:
    """Keep only the errors of a cell whose outputs are huge (the result travels as one JSON)."""
    if cell.cell_type == "code" and len(json.dumps(cell.outputs)) > _MAX_OUTPUTS:
        errors = [o for o in cell.outputs if o.output_type == "error"]
        note = nbformat.v4.new_output("stream", name="stdout", text="(outputs too large for grading, removed)\n")
        cell.outputs = [note, *errors]


def _result(nb: nbformat.NotebookNode, problem: str | None) -> dict:
    for cell in nb.cells:
        _shorten(cell)
    return {"notebook": nbformat.writes(nb), "problem": problem}


def main() -> int:
    out = os.fdopen(os.dup(1), "w")  # not inherited by the kernel
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    try:
        request = json.loads(sys.stdin.readline())
        stopped: list[str] = []
        if request["limits"] is not None:
            _limit(request["limits"], stopped)
        for name, text in request["files"].items():
            Path(name).parent.mkdir(parents=True, exist_ok=True)
            Path(name).write_text(text)
        Path("submission.ipynb").write_text(request["notebook"])
        nb = nbformat.reads(request["notebook"], as_version=4)
        problem = asyncio.run(_run(nb, request["cell_timeout"], stopped, out))
        _send(out, _result(nb, problem))
    except Exception as error:  # noqa: BLE001 - reported to the grader instead of a lost traceback
        _send(out, {"notebook": None,
                    "problem": f"the grading process failed: {type(error).__name__}: {error}".splitlines()[0]})
    out.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
