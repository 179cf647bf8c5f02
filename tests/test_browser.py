"""The course as a student uses it: JupyterLab from this environment, opened in headless Chromium
(Debian's package, driven by Playwright), runs lesson 01 and lab 01 through the UI.

Copies of the notebooks run in a temporary folder (the committed ones are never touched), on
localhost with a random token. Screenshots are saved in build/browser/ as test artifacts.
"""
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
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "build" / "browser"
CHROMIUM = Path(shutil.which("chromium") or "/usr/bin/chromium")
# file name in the lab folder -> (source, draws figures, should show an error). The lab runs as its
# solution (every cell passes) and as the untouched exercise (its first answer cell raises
# NotImplementedError), so the error check is shown to catch errors.
NOTEBOOKS = {"01_cross_correlation.ipynb": (ROOT / "notebooks" / "01_cross_correlation.ipynb", True, False),
             "lab01_cross_correlation.ipynb": (ROOT / "solutions" / "lab01_cross_correlation.ipynb", False, False),
             "lab01_untouched.ipynb": (ROOT / "exercises" / "lab01_cross_correlation.ipynb", False, True)}
# As the machine notes advise for a closed network: no background connections, no first-run work.
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="Debian's chromium is not installed (apt-get install chromium chromium-driver; "
                                  ".ci/run installs it where apt-get works)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def jupyterlab(tmp_path_factory):
    root = tmp_path_factory.mktemp("course")
    for name, (source, _, _) in NOTEBOOKS.items():
        notebook = nbformat.read(source, as_version=4)
        for cell in notebook.cells:  # start blank: every output and number must come from this run
            if cell.cell_type == "code":
                cell.outputs, cell.execution_count = [], None
        nbformat.write(notebook, root / name)
    settings = tmp_path_factory.mktemp("settings")
    tracker = settings / "@jupyterlab" / "notebook-extension"
    tracker.mkdir(parents=True)
    # Render every cell (JupyterLab 4 otherwise only renders the cells in view).
    (tracker / "tracker.jupyterlab-settings").write_text(json.dumps({"windowingMode": "none"}))
    port, token = _free_port(), secrets.token_hex(16)
    log = (tmp_path_factory.mktemp("log") / "jupyterlab.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
         f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}", f"--LabApp.user_settings_dir={settings}",
         *(["--allow-root"] if os.geteuid() == 0 else [])],  # CI containers run as root
        stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        try:
            with urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=5) as response:
                if response.status == 200:
                    break
        except OSError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            server.kill()
            pytest.fail(f"JupyterLab did not start; see {log.name}")
        time.sleep(1)
    yield url, token
    server.terminate()
    server.wait(timeout=30)
    log.close()


def _run_all_cells(page) -> None:
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()


PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"  # the notebook in the visible tab
KERNEL_IDLE = re.compile(r"\| Idle$")  # the status bar's "Python 3 (ipykernel) | Idle"


def _prompts(page) -> list[str]:
    return page.eval_on_selector_all(f"{PANEL} .jp-CodeCell .jp-InputPrompt", "nodes => nodes.map(n => n.textContent.trim())")


@pytest.mark.parametrize("notebook", list(NOTEBOOKS))
def test_every_cell_runs_in_jupyterlab_and_figures_render(jupyterlab, notebook):
    from playwright.sync_api import sync_playwright

    url, token = jupyterlab
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        # A fresh workspace per notebook, so JupyterLab does not reopen the other one beside it.
        page.goto(f"{url}/lab/workspaces/{Path(notebook).stem}/tree/{notebook}?reset&token={token}")
        page.wait_for_selector(f"{PANEL} .jp-CodeCell", timeout=90_000)
        # The kernel must be connected before Run All: JupyterLab skips cells run while it is still starting.
        # The toolbar's execution indicator reads 'idle' before any kernel exists, so the status bar is the
        # signal: it shows the session's kernel status, which is 'Idle' only once the kernel is connected.
        page.locator(".jp-StatusBar-TextItem", has_text=KERNEL_IDLE).first.wait_for(timeout=120_000)
        assert not page.locator(f"{PANEL} .jp-RenderedImage img").count(), "the copy should start without outputs"
        _run_all_cells(page)
        started = time.monotonic() + 60
        while all(p == "[ ]:" for p in _prompts(page)):  # Run All must start something
            if time.monotonic() > started:
                page.screenshot(path=str(ARTIFACTS / f"{Path(notebook).stem}-not-started.png"))
                pytest.fail(f"{notebook}: Run All Cells started no cell within 60 s")
            time.sleep(0.5)
        deadline = time.monotonic() + 300
        while True:  # done when something ran, nothing is running and the kernel is idle
            prompts = _prompts(page)
            idle = page.locator(f"{PANEL} .jp-Notebook-ExecutionIndicator[data-status='idle']").count()
            if idle and "[*]:" not in prompts and any(p.strip("[]:").isdigit() for p in prompts):
                break
            if time.monotonic() > deadline:
                page.screenshot(path=str(ARTIFACTS / f"{Path(notebook).stem}-timeout.png"))
                pytest.fail(f"{notebook}: still running after 300 s; prompts {prompts}")
            time.sleep(1)
        numbers = [int(p.strip("[]:")) for p in prompts if p.strip("[]:").isdigit()]
        errors = page.locator(f"{PANEL} .jp-OutputArea-output", has_text="Traceback (most recent call last)").all_inner_texts()
        images = page.locator(f"{PANEL} .jp-RenderedImage img")
        if images.count():
            images.first.scroll_into_view_if_needed()
        if errors:
            page.locator(f"{PANEL} .jp-OutputArea-output", has_text="Traceback").first.scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / f"{Path(notebook).stem}.png"))
        widths = images.evaluate_all("imgs => imgs.map(i => i.naturalWidth)")
        browser.close()
    _, draws_figures, should_fail = NOTEBOOKS[notebook]
    if should_fail:
        assert errors and "NotImplementedError" in errors[0], f"{notebook}: the untouched exercise showed no error"
        assert len(numbers) < len(prompts), "Run All should stop at the first error"
        return
    assert numbers == list(range(1, len(prompts) + 1)), f"{notebook}: not every cell ran, in order: {prompts}"
    assert errors == [], f"{notebook}: a cell shows an error: {errors[0][:500]}"
    if draws_figures:
        assert widths and all(w > 0 for w in widths), f"{notebook}: no figure rendered ({widths})"
