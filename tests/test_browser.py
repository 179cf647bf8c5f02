"""The course as a student uses it: JupyterLab from this environment, opened in headless Chromium
(Debian's package, driven by Playwright), runs lessons 01 and 15 (the trained CNN, its saliency
and Grad-CAM computed with tf.GradientTape in the browser's kernel) and lab 01 through the UI.

Copies of the notebooks run in a temporary folder (the committed ones are never touched), on
localhost with a random token. Screenshots are saved in build/browser/ as test artifacts.
"""
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from jupyterlab_session import (  # noqa: E402
    ARTIFACTS, CHROMIUM, CHROMIUM_FLAGS, NO_CHROMIUM, PANEL, ROOT, copy_without_outputs, jupyterlab, open_notebook,
    run_all_cells, wait_until_done,
)

# file name in the lab folder -> (source, draws figures, should show an error). The lab runs as its
# solution (every cell passes) and as the untouched exercise (its first answer cell raises
# NotImplementedError), so the error check is shown to catch errors.
NOTEBOOKS = {"01_cross_correlation.ipynb": (ROOT / "notebooks" / "01_cross_correlation.ipynb", True, False),
             "15_what_a_cnn_looks_at.ipynb": (ROOT / "notebooks" / "15_what_a_cnn_looks_at.ipynb", True, False),
             "lab01_cross_correlation.ipynb": (ROOT / "solutions" / "lab01_cross_correlation.ipynb", False, False),
             "lab01_untouched.ipynb": (ROOT / "exercises" / "lab01_cross_correlation.ipynb", False, True)}

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM)


@pytest.fixture(scope="module")
def jupyterlab_server(tmp_path_factory):
    root = tmp_path_factory.mktemp("course")
    for name, (source, _, _) in NOTEBOOKS.items():
        copy_without_outputs(source, root / name)
    with jupyterlab(root, tmp_path_factory.mktemp("settings"),
                    tmp_path_factory.mktemp("log") / "jupyterlab.log") as server:
        yield server


@pytest.mark.parametrize("notebook", list(NOTEBOOKS))
def test_every_cell_runs_in_jupyterlab_and_figures_render(jupyterlab_server, notebook):
    from playwright.sync_api import sync_playwright

    url, token = jupyterlab_server
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        open_notebook(page, url, token, notebook)
        assert not page.locator(f"{PANEL} .jp-RenderedImage img").count(), "the copy should start without outputs"
        run_all_cells(page)
        prompts = wait_until_done(page, Path(notebook).stem)
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
