"""The explorers as students drag them: real JupyterLab in headless Chromium (Playwright), one server
for the module. For lessons 02, 04 and 12 a small notebook is made of the lesson's setup cell and its
cells tagged ``explorer`` (exactly the code the lesson runs, without the rest of the lesson), run
through the UI; then, in every explorer of the lesson, a slider is moved with the keyboard and the
picture (the <img> src) and the numbers must change, and Play must move the highlighted window.
Screenshots go to build/browser/.
"""
import sys
import time
from pathlib import Path

import nbformat
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from jupyterlab_session import (  # noqa: E402
    ARTIFACTS, CHROMIUM, CHROMIUM_FLAGS, NO_CHROMIUM, PANEL, ROOT, jupyterlab, open_notebook, run_all_cells,
    wait_until_done,
)

# lesson -> per explorer, in order: (the slider moved, whether that explorer steps with Play)
LESSONS = {"02_padding_and_stride": [("padding", True), ("stride", True)],   # convolution, transposed mode
           "04_pooling": [("padding", True), ("row", False)],                 # pooling, receptive field
           "12_optimizers": [("learning-rate", False)]}

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM)


def explorer_notebook(lesson: Path):
    """The lesson's setup cell (the one importing coursekit) and its explorer cells, without outputs."""
    notebook = nbformat.read(lesson, as_version=4)
    code = [c for c in notebook.cells if c.cell_type == "code"]
    setup = next(c for c in code if "import coursekit as ck" in c.source)
    cells = [setup] + [c for c in code if "explorer" in c.metadata.get("tags", [])]
    for cell in cells:
        cell.outputs, cell.execution_count = [], None
    notebook.cells = cells
    return notebook, len(cells) - 1


@pytest.fixture(scope="module")
def jupyterlab_server(tmp_path_factory):
    root = tmp_path_factory.mktemp("explorers")
    for name in LESSONS:
        notebook, _ = explorer_notebook(ROOT / "notebooks" / f"{name}.ipynb")
        nbformat.write(notebook, root / f"{name}.ipynb")
    with jupyterlab(root, tmp_path_factory.mktemp("settings"),
                    tmp_path_factory.mktemp("log") / "jupyterlab.log") as server:
        yield server


def _wait_for_change(read, before, what: str, page, name: str, timeout: float = 60):
    deadline = time.monotonic() + timeout
    while (now := read()) == before:
        if time.monotonic() > deadline:
            page.screenshot(path=str(ARTIFACTS / f"explorer-{name}-{what.replace(' ', '-')}-unchanged.png"))
            pytest.fail(f"{name}: the {what} did not change within {timeout:.0f} s")
        time.sleep(0.3)
    return now


def drive(page, explorer, name: str, slider_name: str, steps: bool) -> None:
    """Move ``slider_name`` one notch with the keyboard: picture and numbers must change; then Play."""
    figure, numbers = explorer.locator(".ck-explorer-figure"), explorer.locator(".ck-explorer-numbers")
    src = lambda: figure.get_attribute("src")  # noqa: E731  (a new blob URL for every new PNG)
    text = lambda: numbers.inner_text()  # noqa: E731
    figure.wait_for()
    explorer.scroll_into_view_if_needed()
    before_src, before_text = src(), text()
    page.screenshot(path=str(ARTIFACTS / f"explorer-{name}-before.png"))

    explorer.locator(f".ck-explorer-slider-{slider_name} .noUi-handle").focus()
    page.keyboard.press("ArrowRight")
    after_src = _wait_for_change(src, before_src, "picture", page, name)
    after_text = _wait_for_change(text, before_text, "numbers", page, name)
    page.screenshot(path=str(ARTIFACTS / f"explorer-{name}-slider.png"))
    assert after_text != before_text

    if steps:
        assert "step 1 of" in after_text
        explorer.locator(".ck-explorer-play button").first.click()   # play: the window moves on
        stepped_text = _wait_for_change(text, after_text, "numbers after play", page, name)
        explorer.locator(".ck-explorer-play button").first.click()   # the same button pauses
        assert "step 1 of" not in stepped_text
        _wait_for_change(src, after_src, "picture after play", page, name)
        page.screenshot(path=str(ARTIFACTS / f"explorer-{name}-played.png"))


@pytest.mark.parametrize("lesson", list(LESSONS))
def test_explorers_respond_to_slider_and_play(jupyterlab_server, lesson):
    from playwright.sync_api import sync_playwright

    url, token = jupyterlab_server
    _, explorers = explorer_notebook(ROOT / "notebooks" / f"{lesson}.ipynb")
    assert explorers == len(LESSONS[lesson]), f"{lesson}: {explorers} explorer cells, LESSONS lists {len(LESSONS[lesson])}"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        open_notebook(page, url, token, f"{lesson}.ipynb")
        run_all_cells(page)
        wait_until_done(page, f"explorer-{lesson}", timeout=240)
        errors = page.locator(f"{PANEL} .jp-OutputArea-output", has_text="Traceback").all_inner_texts()
        assert errors == [], f"{lesson}: an explorer cell failed: {errors[0][:500]}"
        widgets = page.locator(f"{PANEL} .ck-explorer")
        widgets.first.wait_for(timeout=60_000)
        assert widgets.count() == explorers, f"{lesson}: {widgets.count()} live explorers for {explorers} explorer cells"
        for index, (slider_name, steps) in enumerate(LESSONS[lesson]):
            drive(page, widgets.nth(index), f"{lesson}-{index + 1}", slider_name, steps)
        browser.close()
