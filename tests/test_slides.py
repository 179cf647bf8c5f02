"""Lessons as slides (scripts/slides.py): every lesson's slide metadata is what ``mark`` computes, every
slide fits the projector, ``mark`` changes nothing but slide metadata, and the static export of every
lesson works offline (no http(s) script, style or font; the reveal.js it points to exists)."""
import base64
import importlib.util
import io
import json
import re
import sys
import time
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
LESSONS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
spec = importlib.util.spec_from_file_location("slides", ROOT / "scripts" / "slides.py")
slides = importlib.util.module_from_spec(spec)
sys.modules["slides"] = slides  # dataclasses and the export's worker processes look it up by name
spec.loader.exec_module(slides)

md, code = nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell


def _without_slides(notebook: dict) -> dict:
    """The notebook's JSON with the slide metadata (cells' ``slideshow``, notebook's ``rise``) removed."""
    notebook = json.loads(json.dumps(notebook))
    notebook["metadata"].pop("rise", None)
    for cell in notebook["cells"]:
        cell["metadata"].pop("slideshow", None)
    return notebook


def _png(width: int, height: int) -> str:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height)).save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode()


# ---- the committed lessons ------------------------------------------------------------------------

@pytest.mark.parametrize("lesson", LESSONS, ids=[p.stem for p in LESSONS])
def test_slide_metadata_is_what_mark_computes(lesson):
    notebook = nbformat.read(lesson, as_version=4)
    assert not slides.mark(notebook), (
        f"{lesson.name}: slide metadata is out of date (outputs or text changed); "
        f"run: python scripts/slides.py mark notebooks/{lesson.name}")


@pytest.mark.parametrize("lesson", LESSONS, ids=[p.stem for p in LESSONS])
def test_every_slide_fits_or_is_one_scrolling_cell(lesson):
    notebook = nbformat.read(lesson, as_version=4)
    assert notebook.metadata.get("rise", {}).get("scroll") is True, f"{lesson.name}: RISE scrolling is off"
    budget = slides.SLIDE.usable_height
    for group in slides.slides(notebook.cells):
        height = sum(slides.cell_height(notebook.cells[i]) for i in group)
        assert height <= budget or len(group) == 1, (
            f"{lesson.name}: cells {group} are {height:.0f} px tall together, the slide has {budget}")


# ---- how mark cuts ---------------------------------------------------------------------------------

def test_headings_start_slides_and_subslides():
    cells = [md("# Lesson 99 · Test"), md("intro"), md("## 1. Part"), code("x = 1"), md("### A detail"),
             code("y = 2"), md("#### not a cut")]
    assert slides.slide_types(cells) == ["slide", "-", "slide", "-", "subslide", "-", "-"]


def test_a_cell_that_would_overflow_starts_a_subslide_and_a_tall_cell_stands_alone():
    lines = int(slides.SLIDE.usable_height / slides.CODE.line)
    half, tall = code("a = 1\n" * (lines // 2)), code("b = 2\n" * (2 * lines))
    assert slides.slide_types([md("## Part"), half, half, tall, md("after")]) == [
        "slide", "-", "subslide", "subslide", "subslide"]


def test_mark_is_idempotent_and_touches_nothing_but_slide_metadata(tmp_path):
    lesson = LESSONS[0]
    notebook = nbformat.read(lesson, as_version=4)
    notebook.metadata.pop("rise", None)
    notebook.metadata["something_else"] = {"kept": True}
    for cell in notebook.cells:
        cell.metadata.pop("slideshow", None)
    notebook.cells[1].metadata["slideshow"] = {"slide_type": "fragment"}  # a hand-made type is replaced
    path = tmp_path / lesson.name
    nbformat.write(notebook, path)
    before = json.loads(path.read_text())

    assert slides.mark_file(path) is True
    after_text = path.read_text()
    after = json.loads(after_text)
    assert _without_slides(after) == _without_slides(before), "mark changed more than slide metadata"
    assert after["metadata"]["rise"] == slides.RISE_OPTIONS
    assert all("slide_type" in cell["metadata"]["slideshow"] for cell in after["cells"])
    assert after_text == nbformat.writes(nbformat.reads(after_text, as_version=4)) + "\n", "not nbformat's layout"

    mtime = path.stat().st_mtime_ns
    assert slides.mark_file(path) is False, "a second run changed something"
    assert path.read_text() == after_text and path.stat().st_mtime_ns == mtime, "a current notebook was rewritten"


def test_check_mode_reports_stale_slides_without_writing(tmp_path):
    path = tmp_path / "lesson.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[md("## A"), code("x = 1")]), path)
    text = path.read_text()
    assert slides.main(["mark", "--check", str(path)]) == 1 and path.read_text() == text
    assert slides.main(["mark", str(path)]) == 0
    assert slides.main(["mark", "--check", str(path)]) == 0


# ---- the height estimate ---------------------------------------------------------------------------

def _image_cell(png: str, metadata: dict | None = None):
    cell = code("plot()")
    cell.outputs = [nbformat.v4.new_output("display_data", data={"image/png": png, "text/plain": "<Figure>"},
                                           metadata=metadata or {})]
    return cell


def test_figures_count_at_half_their_pixels_and_shrink_to_the_slide_width():
    no_output = slides.cell_height(code("plot()"))
    retina = slides.cell_height(_image_cell(_png(800, 600))) - no_output    # a 400x300 CSS-pixel figure
    assert retina == pytest.approx(300 + slides.IMAGE_PADDING)
    stored = slides.cell_height(_image_cell(_png(800, 600), {"image/png": {"width": 200, "height": 150}})) - no_output
    assert stored == pytest.approx(150 + slides.IMAGE_PADDING), "the size stored in the notebook comes first"
    wide = slides.cell_height(_image_cell(_png(4 * slides.SLIDE.text_width, 800))) - no_output
    assert wide == pytest.approx(200 + slides.IMAGE_PADDING), "a figure wider than the slide is scaled down"


def test_an_image_output_that_is_not_a_png_is_refused():
    with pytest.raises(ValueError, match="not a PNG"):
        slides.cell_height(_image_cell(base64.b64encode(b"GIF89a" + bytes(40)).decode()))


def test_text_wraps_and_prints_to_one_stream_count_as_one_block():
    short, long = md("word " * 10), md("word " * 1000)
    assert slides.cell_height(long) > 10 * slides.cell_height(short) / 2
    printed = code("for i in range(3): print(i)")
    printed.outputs = [nbformat.v4.new_output("stream", name="stdout", text=f"{i}\n") for i in range(3)]
    assert slides.cell_height(printed) == pytest.approx(
        slides.cell_height(code("for i in range(3): print(i)")) + 3 * slides.CODE.line + slides.CODE_PADDING)


def test_display_formulas_and_tables_add_height():
    text = slides.cell_height(md("Some text."))
    formula = slides.cell_height(md("Some text.\n\n$$\na = b \\\\\nc = d\n$$"))
    assert formula - text == pytest.approx(2 * slides.MATH_LINE + slides.BLOCK_MARGIN)
    table = slides.cell_height(md("| a | b |\n|---|---|\n| 1 | 2 |\n| 3 | 4 |"))
    assert table == pytest.approx(slides.CELL_PADDING + slides.BLOCK_MARGIN + 3 * slides.TABLE_ROW)


# ---- the static export -----------------------------------------------------------------------------

class _References(HTMLParser):
    """Scripts, stylesheets and inline CSS of a page."""

    def __init__(self):
        super().__init__()
        self.scripts, self.styles, self.css, self._in_style = [], [], [], False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and attrs.get("src"):
            self.scripts.append(attrs["src"])
        if tag == "link" and "stylesheet" in (attrs.get("rel") or ""):
            self.styles.append(attrs["href"])
        self._in_style = tag == "style"

    def handle_endtag(self, tag):
        self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.css.append(data)


REMOTE = re.compile(r"^(https?:)?//", re.I)
CSS_URL = re.compile(r"""(?:@import\s+(?:url\()?|url\()\s*['"]?([^'")\s;]+)""", re.I)


def _css_urls(css: str) -> list[str]:
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)  # comments may cite a web page
    return [url for url in CSS_URL.findall(css) if not url.startswith(("data:", "#"))]


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    out = tmp_path_factory.mktemp("slides")
    start = time.perf_counter()
    pages = slides.export(LESSONS, out, workers=2)
    seconds = time.perf_counter() - start
    print(f"\nexported {len(pages)} lessons in {seconds:.1f} s")
    return out, pages


def test_export_writes_every_lesson_with_one_section_per_slide(exported):
    out, pages = exported
    assert [page.name for page in pages] == [f"{p.stem}.slides.html" for p in LESSONS]
    for lesson, page in zip(LESSONS, pages):
        html = page.read_text(encoding="utf-8")
        notebook = nbformat.read(lesson, as_version=4)
        kinds = [cell.metadata.get("slideshow", {}).get("slide_type", "-") for cell in notebook.cells]
        # nbconvert nests each slide's subslides in it: one <section> per slide plus one per (sub)slide
        horizontal = kinds.count("slide") + (kinds[0] != "slide")
        assert html.count("<section") == horizontal + len(slides.slides(notebook.cells)), page.name


def test_export_references_nothing_on_the_network_and_its_files_exist(exported):
    out, pages = exported
    for page in pages:
        parser = _References()
        parser.feed(page.read_text(encoding="utf-8"))
        references = parser.scripts + parser.styles + [u for css in parser.css for u in _css_urls(css)]
        remote = [url for url in references if REMOTE.match(url)]
        assert remote == [], f"{page.name} loads from the network: {remote}"
        assert any(src.endswith("reveal.js/dist/reveal.js") for src in parser.scripts), f"{page.name}: no reveal.js"
        assert any(src.endswith("tex-svg-full.js") for src in parser.scripts), f"{page.name}: no MathJax"
        for local in parser.scripts + parser.styles:
            assert (out / local).is_file(), f"{page.name} points to {local}, which is not there"
    stylesheets = [p for p in (out / "assets").rglob("*.css")]
    assert stylesheets, "no reveal.js stylesheets were copied"
    for sheet in stylesheets:  # reveal's theme imports its fonts: they must be local and present
        for url in _css_urls(sheet.read_text(encoding="utf-8")):
            assert not REMOTE.match(url), f"{sheet.relative_to(out)} loads {url} from the network"
            assert (sheet.parent / url.split("?")[0].split("#")[0]).exists(), f"{sheet.relative_to(out)}: {url} missing"


def test_a_figure_in_another_format_is_refused_rather_than_guessed():
    cell = code("show()")
    cell.outputs = [nbformat.v4.new_output("display_data", data={"image/svg+xml": "<svg/>", "text/plain": "<Figure>"})]
    with pytest.raises(ValueError, match="only PNG"):
        slides.cell_height(cell)


def test_the_scripts_docstring_examples_hold():
    import doctest

    assert doctest.testmod(slides).failed == 0
