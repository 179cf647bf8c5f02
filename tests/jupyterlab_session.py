"""A real JupyterLab for browser tests: started from this environment on localhost with a random
token, in a temporary folder of notebook copies, driven by Playwright in Debian's Chromium.

Shared by the browser tests (``test_browser*.py``); nothing here touches the committed notebooks.

>>> KERNEL_IDLE.search("Python 3 (ipykernel) | Idle") is not None
True
"""
from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "build" / "browser"
CHROMIUM = Path(shutil.which("chromium") or "/usr/bin/chromium")
# As the machine notes advise for a closed network: no background connections, no first-run work.
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
NO_CHROMIUM = ("Debian's chromium is not installed (apt-get install chromium chromium-driver; "
               ".ci/run installs it where apt-get works)")
PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"  # the notebook in the visible tab
KERNEL_IDLE = re.compile(r"\| Idle$")  # the status bar's "Python 3 (ipykernel) | Idle"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def copy_without_outputs(source: Path, target: Path) -> None:
    """Copy a notebook with every output and execution count removed, so all that shows comes from this run."""
    notebook = nbformat.read(source, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    nbformat.write(notebook, target)


@contextmanager
def jupyterlab(root: Path, settings: Path, log_path: Path) -> Iterator[tuple[str, str]]:
    """Run JupyterLab on ``root``; yield its URL and token; stop it afterwards."""
    tracker = settings / "@jupyterlab" / "notebook-extension"
    tracker.mkdir(parents=True, exist_ok=True)
    # Render every cell (JupyterLab 4 otherwise only renders the cells in view).
    (tracker / "tracker.jupyterlab-settings").write_text(json.dumps({"windowingMode": "none"}))
    # No "get notified about Jupyter news?" pop-up over the outputs, and no attempt to fetch the news.
    news = settings / "@jupyterlab" / "apputils-extension"
    news.mkdir(parents=True, exist_ok=True)
    (news / "notification.jupyterlab-settings").write_text(json.dumps({"fetchNews": "false"}))
    port, token = _free_port(), secrets.token_hex(16)
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1",
             f"--ServerApp.port={port}", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
             f"--LabApp.user_settings_dir={settings}",
             *(["--allow-root"] if os.geteuid() == 0 else [])],  # CI containers run as root
            stdout=log, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 90
        try:
            while True:
                try:
                    with urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=5) as response:
                        if response.status == 200:
                            break
                except OSError:
                    pass
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"JupyterLab did not start; see {log_path}")
                time.sleep(1)
            yield url, token
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()


def open_notebook(page, url: str, token: str, notebook: str) -> None:
    """Open ``notebook`` in a fresh workspace and wait until its kernel is connected and idle.

    The kernel must be connected before anything runs: JupyterLab skips cells run while it is still
    starting. The toolbar's execution indicator reads 'idle' before any kernel exists, so the status
    bar is the signal: it shows 'Idle' only once the session's kernel is connected.
    """
    page.goto(f"{url}/lab/workspaces/{Path(notebook).stem}/tree/{notebook}?reset&token={token}")
    page.wait_for_selector(f"{PANEL} .jp-CodeCell", timeout=90_000)
    page.locator(".jp-StatusBar-TextItem", has_text=KERNEL_IDLE).first.wait_for(timeout=120_000)


def run_all_cells(page) -> None:
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()


def prompts(page) -> list[str]:
    """The input prompts of the visible notebook's code cells: '[ ]:', '[*]:' or '[3]:'."""
    return page.eval_on_selector_all(f"{PANEL} .jp-CodeCell .jp-InputPrompt",
                                     "nodes => nodes.map(n => n.textContent.trim())")


def wait_until_done(page, name: str, timeout: float = 300) -> list[str]:
    """After Run All: wait until something ran, nothing runs and the kernel is idle; return the prompts.

    Fails (with a screenshot in build/browser/) if nothing started within 60 s or it still runs at ``timeout``.
    """
    import pytest

    started = time.monotonic() + 60
    while all(p == "[ ]:" for p in prompts(page)):  # Run All must start something
        if time.monotonic() > started:
            page.screenshot(path=str(ARTIFACTS / f"{name}-not-started.png"))
            pytest.fail(f"{name}: Run All Cells started no cell within 60 s")
        time.sleep(0.5)
    deadline = time.monotonic() + timeout
    while True:
        current = prompts(page)
        idle = page.locator(f"{PANEL} .jp-Notebook-ExecutionIndicator[data-status='idle']").count()
        if idle and "[*]:" not in current and any(p.strip("[]:").isdigit() for p in current):
            return current
        if time.monotonic() > deadline:
            page.screenshot(path=str(ARTIFACTS / f"{name}-timeout.png"))
            pytest.fail(f"{name}: still running after {timeout:.0f} s; prompts {current}")
        time.sleep(1)
