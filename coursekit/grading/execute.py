"""Run a notebook to the end in a separate process: isolated and limited by bubblewrap.

The sandbox (``bwrap``, Debian/Ubuntu package ``bubblewrap``) is built from an allow-list: the
run sees /usr and the system libraries, a few files of /etc, the Python installation and its
packages, the course's ``coursekit/`` and ``data/`` folders, all read-only; an empty private
``/tmp``; and an empty private work dir (:data:`WORKDIR`, also HOME and the current directory)
holding its notebook. Nothing else exists for it: not the solutions, the repository's ``.git``,
other submissions or other copies of the course, the host's ``/tmp`` or home. It has no network,
its own process ids, no capabilities, and as root it runs as a fresh unprivileged user.

:class:`Limits` apply to the whole run: memory and processes of all its processes together (over
either, everything is stopped and the reason reported) and the size of ``/tmp``, ``/dev/shm`` and
the work dir. Every cell has a time limit (an interrupted endless loop costs that cell only; one
that ignores the interrupt ends the run). See ``_run_kernel.py`` for what is recorded per cell.

``hide`` takes installed packages out of the sandbox (in their place, a package that raises
ImportError saying why), so an answer that is to use NumPy only cannot import SciPy, Keras or
coursekit however it tries.

:func:`open_session` keeps the kernel up after the notebook ran, for the grader's questions
(:class:`Session`, see ``_run_kernel.py``); :func:`execute` only runs the notebook.

``sandbox=False`` runs the same way without any isolation or limit: only for trusted notebooks.
"""
from __future__ import annotations

import importlib.util
import json
import os
import random
import shutil
import queue
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import nbformat

from coursekit.grading.labs import REPO_DIR

# Run as a script, not with -m, so the sandboxed process does not import all of coursekit.
_RUNNER = Path(__file__).with_name("_run_kernel.py")
WORKDIR = "/submission"
_SYSTEM = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc/alternatives",
           "/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime", "/etc/passwd",
           "/etc/group", "/etc/nsswitch.conf")
INSTALL_HINT = "install bubblewrap (sudo apt-get install bubblewrap)"


@dataclass(frozen=True)
class Limits:
    """What one sandboxed run may use: resident memory of all its processes together (bytes),
    processes and threads at once (TensorFlow starts about three threads per core), and the size of
    each of /tmp, /dev/shm and the work dir (bytes)."""

    memory: int = 4 * 2**30
    tasks: int = max(512, 8 * (os.cpu_count() or 1))
    disk: int = 512 * 2**20


@dataclass
class Execution:
    """The executed notebook (None if nothing ran) and what went wrong, if anything."""

    notebook: nbformat.NotebookNode | None
    problem: str | None
    sandboxed: bool


def _visible() -> list[str]:
    """The read-only part of the sandbox: system, Python and its packages, coursekit/, data/."""
    package = Path(__file__).resolve().parent.parent
    return [*_SYSTEM, sys.base_prefix, sys.prefix, str(package), str(REPO_DIR / "data")]


def package_folders(names: frozenset[str]) -> list[str]:
    """Where the installed packages ``names`` live (those that are installed)."""
    folders = []
    for name in sorted(names):
        with suppress(ImportError, ValueError):
            spec = importlib.util.find_spec(name)
            if spec is not None and spec.submodule_search_locations:
                folders += list(spec.submodule_search_locations)
    return folders


def _hiding(hide: frozenset[str]) -> list[str]:
    """bwrap arguments that empty the hidden packages' folders and put a module that raises a
    clear ImportError in place of their ``__init__.py`` (the runner's own files stay, when
    coursekit is hidden)."""
    args, stand_in = [], str(_RUNNER.with_name("_hidden_package.py"))
    for folder in package_folders(hide):
        args += ["--perms", "0755", "--tmpfs", folder, "--ro-bind", stand_in, f"{folder}/__init__.py"]
    if "coursekit" in hide:
        grading = _RUNNER.parent
        args += ["--perms", "0755", "--dir", str(grading)]
        for path in (_RUNNER, grading / "wire.py"):
            args += ["--ro-bind", str(path), str(path)]
    return args


def _bwrap_args(bwrap: str, limits: Limits, hide: frozenset[str] = frozenset()) -> list[str]:
    args = [bwrap, "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
            "--die-with-parent", "--new-session", "--as-pid-1", "--cap-drop", "ALL"]
    if os.geteuid() == 0:  # the runner needs these to become an unprivileged user, then has none
        args += ["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
    visible = list(dict.fromkeys(_visible()))
    for parent in sorted({str(p) for path in visible for p in Path(path).parents} - {"/"}):
        args += ["--perms", "0755", "--dir", parent]  # bwrap would make them private (0700)
    for path in visible:
        if os.path.islink(path):
            args += ["--symlink", os.readlink(path), path]
        elif os.path.exists(path):
            args += ["--ro-bind", path, path]
    args += _hiding(hide)
    args += ["--dev", "/dev", "--proc", "/proc"]
    for path in ("/tmp", "/dev/shm", WORKDIR):
        args += ["--perms", "1777", "--size", str(limits.disk), "--tmpfs", path]
    return [*args, "--chdir", WORKDIR]


def sandbox_available() -> bool:
    """True when bubblewrap can start the grading sandbox on this machine."""
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        return False
    probe = subprocess.run([*_bwrap_args(bwrap, Limits()), "true"], capture_output=True)
    return probe.returncode == 0


def _tasks_of_this_user() -> int:
    """This user's processes and threads on the host: kernels before 5.14 count them all
    against a sandbox's RLIMIT_NPROC (later ones count each user namespace apart)."""
    count = 0
    for proc in Path("/proc").glob("[0-9]*"):
        with suppress(OSError):
            if proc.stat().st_uid == os.getuid():
                count += len(os.listdir(proc / "task"))
    return count


def _font_cache() -> dict[str, str]:
    """matplotlib's font list, so a run does not rebuild it (seconds) in its empty home."""
    try:
        import matplotlib

        cache = Path(matplotlib.get_cachedir())
    except Exception:  # noqa: BLE001 - without matplotlib there is nothing to copy
        return {}
    return {f".mpl/{path.name}": path.read_text() for path in cache.glob("fontlist-*.json")}


def _environment(home: str) -> dict[str, str]:
    return {
        "PATH": f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin", "HOME": home, "LANG": "C.UTF-8",
        "USER": "student", "TMPDIR": "/tmp" if home == WORKDIR else home,
        "JUPYTER_RUNTIME_DIR": f"{home}/.runtime", "JUPYTER_DATA_DIR": f"{home}/.data",
        "MPLCONFIGDIR": f"{home}/.mpl", "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONHASHSEED": "0",
        "PYTHONDONTWRITEBYTECODE": "1", "COURSEKIT_FAST": os.environ.get("COURSEKIT_FAST", "0"),
    }


class SessionProblem(RuntimeError):
    """The kernel could not answer: it timed out, died, or the run had stopped."""


class Session:
    """A submission's notebook running in its sandbox, stopping at checkpoints (the places of
    the test cells) for questions about its kernel: see ``_run_kernel.py``.

    A kernel that died, timed out or never started answers every question with
    :class:`SessionProblem`.
    """

    def __init__(self, process: subprocess.Popen, cell_timeout: float, budget: float, sandboxed: bool):
        self._process, self._timeout, self._budget, self._sandboxed = process, cell_timeout, budget, sandboxed
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._final: dict | None = None
        self.problem: str | None = None
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self._process.stdout:
            self._lines.put(line)
        self._lines.put(None)

    def _next(self, timeout: float) -> dict | None:
        try:
            line = self._lines.get(timeout=timeout)
        except queue.Empty:
            self.problem = self.problem or f"stopped after {timeout:.0f} s for the whole notebook"
            return None
        try:
            return json.loads(line) if line else None
        except ValueError:
            return None

    def _write(self, message: dict) -> None:
        try:
            self._process.stdin.write(json.dumps(message) + "\n")
            self._process.stdin.flush()
        except (OSError, ValueError):
            self.problem = self.problem or "the grading process ended"

    def reach(self, checkpoint: str) -> dict[str, dict]:
        """Run on to ``checkpoint``; return the records of the cells run since the last one."""
        while self._final is None and self.problem is None:
            message = self._next(self._budget)
            if message is None:
                self.problem = self.problem or "the grading process failed"
            elif "checkpoint" in message:
                self.problem = message["problem"]
                if message["checkpoint"] == checkpoint:
                    return message["cells"]
                self._write({"op": "continue"})
            else:
                self._final = message
                self.problem = message.get("problem") or f"the notebook ended before {checkpoint}"
        return {}

    def ask(self, question: str) -> str:
        """Send one wire-encoded question; return the wire-encoded reply."""
        if self.problem is not None:
            raise SessionProblem(self.problem)
        self._write({"ask": question})
        message = self._next(2 * self._timeout + 20) if self.problem is None else None
        if message is None or "problem" in message and not message["problem"].startswith("timed out"):
            self.problem = self.problem or (message or {}).get("problem") or "the grading process stopped answering"
            raise SessionProblem(self.problem)
        if "problem" in message:
            raise SessionProblem(message["problem"])
        return message["reply"]

    def resume(self) -> None:
        """Go on from the checkpoint last reached."""
        if self._final is None:
            self._write({"op": "continue"})

    def finish(self) -> Execution:
        """Run to the end; the executed notebook (None if nothing came back) and the problem."""
        while self._final is None:
            message = self._next(self._budget)
            if message is None:
                self._final = {"notebook": None, "problem": self.problem or "the grading process failed"}
            elif "checkpoint" in message:
                self._write({"op": "continue"})
            else:
                self._final = message
        notebook = self._final["notebook"] and nbformat.reads(self._final["notebook"], as_version=4)
        return Execution(notebook or None, self._final["problem"], self._sandboxed)

    def close(self) -> None:
        with suppress(OSError, ValueError):
            self._process.stdin.write(json.dumps({"op": "close"}) + "\n")
            self._process.stdin.close()
        try:
            self._process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            with suppress(ProcessLookupError):
                os.killpg(self._process.pid, 9)
            self._process.wait()


@contextmanager
def open_session(notebook: nbformat.NotebookNode, *, cell_timeout: float = 60, sandbox: bool = True,
                 limits: Limits = Limits(), hide: frozenset[str] = frozenset()) -> Iterator[Session]:
    """Start ``notebook`` in a fresh sandbox (or, with ``sandbox=False``, a temporary folder);
    the run stops at its checkpoint cells for questions (:class:`Session`) until the block ends.

    The notebook may take ``cell_timeout`` (plus 10 s) per code cell, and a minute, before it
    is stopped. Raises RuntimeError when ``sandbox`` is True and bubblewrap cannot run.
    """
    request = {"notebook": nbformat.writes(notebook), "cell_timeout": cell_timeout, "files": _font_cache(),
               "limits": None}
    budget = (cell_timeout + 10) * (sum(c.cell_type == "code" for c in notebook.cells) + 2) + 60
    command = [sys.executable, str(_RUNNER)]
    with tempfile.TemporaryDirectory(prefix="coursekit-grade-") as tmp:
        home = tmp
        if sandbox:
            bwrap = shutil.which("bwrap")
            if bwrap is None:
                raise RuntimeError(f"grading in the sandbox needs bubblewrap: {INSTALL_HINT}")
            root = os.geteuid() == 0
            request["limits"] = {"uid": random.randrange(2**20, 2**30) if root else None, "memory": limits.memory,
                                 "tasks": limits.tasks,
                                 "nproc": limits.tasks + (0 if root else _tasks_of_this_user())}
            command, home = _bwrap_args(bwrap, limits, hide) + command, WORKDIR
        process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                   text=True, cwd=tmp, env=_environment(home), start_new_session=True)
        session = Session(process, cell_timeout, budget, sandbox)
        try:
            session._write(request)
            yield session
        finally:
            session.close()


def execute(notebook: nbformat.NotebookNode, *, cell_timeout: float = 60, sandbox: bool = True,
            limits: Limits = Limits(), hide: frozenset[str] = frozenset()) -> Execution:
    """Execute ``notebook`` (checkpoints skipped) and return it executed, with the problem if any."""
    with open_session(notebook, cell_timeout=cell_timeout, sandbox=sandbox, limits=limits, hide=hide) as session:
        return session.finish()
