"""Run a notebook to the end in a separate process, sandboxed when bubblewrap is available.

Each run gets a fresh directory holding only the notebook. With ``bwrap`` (Debian package
``bubblewrap``) the process sees the file system read-only, a private empty ``/tmp`` with only
that directory writable, no network, and the folders it must not read (other submissions, the
solutions) replaced by empty ones. Every cell has a time limit (an infinite loop is interrupted
and the next cell runs); a kernel that dies ends the run with the cells so far.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import nbformat

# Run as a script, not with -m, so the sandboxed process does not import all of coursekit.
_RUNNER = Path(__file__).with_name("_run_kernel.py")


@dataclass
class Execution:
    """The executed notebook (None if nothing ran) and what went wrong, if anything."""

    notebook: nbformat.NotebookNode | None
    problem: str | None
    sandboxed: bool


def _copy_font_cache(target: Path) -> None:
    """Give the run matplotlib's font list, so it does not rebuild it (seconds) per submission."""
    try:
        import matplotlib

        cache = Path(matplotlib.get_cachedir())
    except Exception:  # noqa: BLE001 - without matplotlib there is nothing to copy
        return
    target.mkdir(parents=True, exist_ok=True)
    for font_list in cache.glob("fontlist-*.json"):
        shutil.copy2(font_list, target / font_list.name)


def sandbox_available() -> bool:
    """True when bubblewrap can start a sandbox on this machine."""
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        return False
    probe = subprocess.run([bwrap, "--ro-bind", "/", "/", "--unshare-net", "true"], capture_output=True)
    return probe.returncode == 0


def _bwrap_prefix(workdir: Path, hidden: list[Path]) -> list[str]:
    args = [shutil.which("bwrap"), "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc"]
    for path in hidden:  # an empty folder in its place: other students, solutions, ...
        if path.exists():
            args += ["--tmpfs", str(path.resolve())]
    args += ["--bind", str(workdir), str(workdir), "--chdir", str(workdir),
             "--unshare-net", "--unshare-pid", "--unshare-ipc", "--die-with-parent", "--new-session"]
    return args


def execute(notebook: nbformat.NotebookNode, *, cell_timeout: float = 60, hidden: list[Path] = (),
            sandbox: bool | None = None, parent: Path | None = None) -> Execution:
    """Execute ``notebook`` in a fresh temporary directory and return the result.

    The directory is created in ``parent`` (default: the system's temporary folder); inside the
    sandbox ``parent`` and the ``hidden`` folders look empty, so runs cannot see each other.
    ``sandbox=None`` uses bubblewrap when available; ``True`` requires it. The whole run may take
    ``cell_timeout`` per cell plus a minute before it is stopped.
    """
    use_sandbox = sandbox_available() if sandbox is None else sandbox
    if use_sandbox and not sandbox_available():
        raise RuntimeError("sandbox=True but bubblewrap (bwrap) is not available; apt-get install bubblewrap")
    budget = cell_timeout * (len(notebook.cells) + 1) + 60
    with tempfile.TemporaryDirectory(prefix="coursekit-grade-", dir=parent) as tmp:
        workdir = Path(tmp)
        hidden = [*hidden, workdir.parent] if parent is not None else list(hidden)
        nbformat.write(notebook, workdir / "submission.ipynb")
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(workdir), "LANG": "C.UTF-8",
            "JUPYTER_RUNTIME_DIR": str(workdir / ".runtime"), "JUPYTER_DATA_DIR": str(workdir / ".data"),
            "MPLCONFIGDIR": str(workdir / ".mpl"), "TMPDIR": str(workdir), "TF_CPP_MIN_LOG_LEVEL": "3",
            "PYTHONHASHSEED": "0",
            "COURSEKIT_FAST": os.environ.get("COURSEKIT_FAST", "0"),
        }
        _copy_font_cache(workdir / ".mpl")
        command = [sys.executable, str(_RUNNER), "submission.ipynb", "executed.ipynb", str(cell_timeout)]
        if use_sandbox:
            command = _bwrap_prefix(workdir, hidden) + command
        try:
            run = subprocess.run(command, cwd=workdir, env=env, capture_output=True, text=True,
                                 timeout=budget, start_new_session=True)
            problem = run.stdout.strip().splitlines()[-1] if run.returncode else None
            if run.returncode and not run.stdout.strip():
                problem = f"grader process failed: {run.stderr.strip().splitlines()[-1:]}"
        except subprocess.TimeoutExpired:
            problem = f"stopped after {budget:.0f} s for the whole notebook"
        executed = workdir / "executed.ipynb"
        result = nbformat.read(executed, as_version=4) if executed.exists() else None
    return Execution(result, problem, use_sandbox)
