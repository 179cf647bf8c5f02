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

``sandbox=False`` runs the same way without any isolation or limit: only for trusted notebooks.
"""
from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
from contextlib import suppress
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


def _bwrap_args(bwrap: str, limits: Limits) -> list[str]:
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


def execute(notebook: nbformat.NotebookNode, *, cell_timeout: float = 60, sandbox: bool = True,
            limits: Limits = Limits()) -> Execution:
    """Execute ``notebook`` in a fresh sandbox (or, with ``sandbox=False``, a temporary folder).

    The whole run may take ``cell_timeout`` (plus 10 s) per code cell, and a minute, before it is
    stopped. Raises RuntimeError when ``sandbox`` is True and bubblewrap cannot run.
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
            command, home = _bwrap_args(bwrap, limits) + command, WORKDIR
        try:
            run = subprocess.run(command, input=json.dumps(request), capture_output=True, text=True, cwd=tmp,
                                 env=_environment(home), timeout=budget, start_new_session=True)
        except subprocess.TimeoutExpired:
            return Execution(None, f"stopped after {budget:.0f} s for the whole notebook", sandbox)
    try:
        result = json.loads(run.stdout)
    except ValueError:
        reason = (run.stderr.strip().splitlines() or [f"exit status {run.returncode}"])[-1]
        return Execution(None, f"the grading process failed: {reason}", sandbox)
    executed = result["notebook"] and nbformat.reads(result["notebook"], as_version=4)
    return Execution(executed, result["problem"], sandbox)
