"""A lesson as slides in a real browser (Debian's Chromium, driven by Playwright):

- in JupyterLab, through RISE's "Render as Reveal Slideshow" (View menu): reveal.js lays out the
  lesson's slides, the right arrow moves to the next one, the formulas are typeset (RISE's own
  MathJax) and nothing is fetched from outside the machine;
- the static export (scripts/slides.py export) opened from file:// with every other request blocked:
  Reveal initializes, navigates, typesets the formulas, and each slide of several cells fits 1280 x 720.

Screenshots and the browser console of both are saved in build/browser/.
"""
import json
import shutil
import sys
from pathlib import Path

import nbformat
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from jupyterlab_session import (  # noqa: E402
    ARTIFACTS, CHROMIUM, CHROMIUM_FLAGS, NO_CHROMIUM, ROOT, jupyterlab, open_notebook,
)
from test_slides import slides  # noqa: E402  (scripts/slides.py, loaded once)

LESSON = ROOT / "notebooks" / "01_cross_correlation.ipynb"
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM)
# Every (sub)slide of a RISE page laid out at once, top to bottom: its cells' total height and count.
LAID_OUT = """() => {
    const leaves = [...document.querySelectorAll('.reveal .slides > section > section')];
    document.querySelectorAll('.reveal .slides section').forEach(s => Object.assign(s.style,
        {display: 'block', position: 'relative', height: 'auto', maxHeight: 'none', transform: 'none', top: '0'}));
    return leaves.map(s => { const cells = [...s.querySelectorAll('.jp-Cell')];
                             return [cells.reduce((total, c) => total + c.offsetHeight, 0), cells.length]; });
}"""
PRESENT = "[...document.querySelectorAll('.reveal .slides > section')].findIndex(s => s.classList.contains('present'))"


def _horizontal_slides(notebook) -> int:
    kinds = [cell.metadata.get("slideshow", {}).get("slide_type", "-") for cell in notebook.cells]
    return kinds.count("slide") + (kinds[0] != "slide")


def _save_console(name: str, messages: list[str]) -> None:
    (ARTIFACTS / f"{name}-console.txt").write_text("\n".join(messages) + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def jupyterlab_server(tmp_path_factory):
    root = tmp_path_factory.mktemp("course")
    shutil.copy(LESSON, root / LESSON.name)  # with its outputs: slides show the committed figures
    with jupyterlab(root, tmp_path_factory.mktemp("settings"),
                    tmp_path_factory.mktemp("log") / "jupyterlab.log") as server:
        yield server


def test_rise_renders_the_lesson_as_slides_in_jupyterlab(jupyterlab_server):
    from playwright.sync_api import sync_playwright

    url, token = jupyterlab_server
    notebook = nbformat.read(LESSON, as_version=4)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    console, outside = [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.on("console", lambda m: console.append(f"{m.type}: {m.text[:400]}  [{m.location.get('url', '')}]"))
        page.on("request", lambda r: outside.append(r.url) if not r.url.startswith((url, "data:", "blob:")) else None)
        open_notebook(page, url, token, LESSON.name)
        lab_math = page.locator("mjx-container").count()
        page.locator(".lm-MenuBar-itemLabel", has_text="View").first.click()
        with page.expect_event("framenavigated", lambda frame: "/rise/" in frame.url, timeout=90_000) as opened:
            page.locator(".lm-Menu-itemLabel", has_text="Render as Reveal Slideshow").first.click()
        rise = opened.value  # the slideshow panel, split right of the notebook
        rise.wait_for_selector(".reveal .slides > section.present", timeout=90_000)
        rise.wait_for_function("document.querySelectorAll('mjx-container').length > 0", timeout=60_000)
        sections = rise.evaluate("document.querySelectorAll('.reveal .slides > section').length")
        first = rise.evaluate(PRESENT)
        page.screenshot(path=str(ARTIFACTS / "rise-01-first.png"))
        page.keyboard.press("ArrowRight")
        rise.wait_for_function(f"{PRESENT} === {first + 1}", timeout=10_000)
        page.screenshot(path=str(ARTIFACTS / "rise-01-next.png"))
        slide_math = rise.locator("mjx-container").count()
        # What "Open as Reveal Slideshow" opens, in a 1280 x 720 window (the size scripts/slides.py plans for)
        full = browser.new_page(viewport={"width": slides.SLIDE.width, "height": slides.SLIDE.height})
        full.goto(f"{url}/rise/{LESSON.name}?token={token}")
        full.wait_for_selector(".reveal .slides > section.present", timeout=90_000)
        full.wait_for_function("document.querySelectorAll('mjx-container').length > 0", timeout=60_000)
        full.screenshot(path=str(ARTIFACTS / "rise-01-window.png"))
        sizes = full.evaluate(LAID_OUT)
        browser.close()
    _save_console("rise-01", console)
    assert sections == _horizontal_slides(notebook), "RISE's slides differ from the lesson's slide metadata"
    assert first == 0
    assert lab_math > 0 and slide_math > 0, f"formulas not typeset: {lab_math} in the notebook, {slide_math} in RISE"
    assert outside == [], f"the slideshow fetched from outside the machine: {outside}"
    assert not [m for m in console if m.startswith("error") and "mathjax" in m.lower()], "MathJax reported errors"
    (ARTIFACTS / "rise-01-sizes.json").write_text(json.dumps(sizes))
    assert len(sizes) == len(slides.slides(notebook.cells)), "RISE's (sub)slides differ from the slide metadata"
    too_tall = [(i, height, cells) for i, (height, cells) in enumerate(sizes)
                if cells > 1 and height > slides.SLIDE.height]
    assert too_tall == [], f"RISE (sub)slides of several cells taller than {slides.SLIDE.height} px: {too_tall}"


def test_static_export_opens_offline_from_file_and_navigates(tmp_path):
    from playwright.sync_api import sync_playwright

    page_path = slides.export([LESSON], tmp_path, workers=1)[0]
    notebook = nbformat.read(LESSON, as_version=4)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    console, blocked = [], []

    def only_files(route):
        if route.request.url.startswith("file://"):
            return route.continue_()
        blocked.append(route.request.url)
        return route.abort()

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        page.on("console", lambda m: console.append(f"{m.type}: {m.text[:400]}"))
        page.route("**/*", only_files)
        page.goto(page_path.as_uri())
        page.wait_for_function("window.Reveal && Reveal.isReady()", timeout=30_000)
        page.wait_for_function("document.querySelectorAll('mjx-container').length > 0", timeout=30_000)
        total = page.evaluate("Reveal.getTotalSlides()")
        page.screenshot(path=str(ARTIFACTS / "slides-export-01-first.png"))
        page.keyboard.press("ArrowRight")
        page.wait_for_function("Reveal.getIndices().h === 1", timeout=10_000)
        page.screenshot(path=str(ARTIFACTS / "slides-export-01-next.png"))
        # Every (sub)slide laid out in turn: how tall is it, and how many cells does it hold?
        sizes = page.evaluate("""() => Reveal.getSlides().map(s => {
            Reveal.slide(...Object.values(Reveal.getIndices(s)));
            return [s.scrollHeight, s.querySelectorAll('.jp-Cell').length]; })""")
        browser.close()
    _save_console("slides-export-01", console)
    (ARTIFACTS / "slides-export-01-sizes.json").write_text(json.dumps(sizes))
    assert blocked == [], f"the exported slides asked the network for {blocked}"
    assert total == len(slides.slides(notebook.cells)), "the export's slides differ from the slide metadata"
    too_tall = [(i, height, cells) for i, (height, cells) in enumerate(sizes)
                if cells > 1 and height > slides.SLIDE.height]
    assert too_tall == [], f"(sub)slides of several cells taller than {slides.SLIDE.height} px: {too_tall}"
