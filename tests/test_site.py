"""The course website: every lesson gets a page in course order, math renders offline, figures
show, and the build is free of warnings (scripts/build_site.py)."""
import importlib.util
import re
from pathlib import Path

import nbformat
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("build_site", ROOT / "scripts" / "build_site.py")
build_site = importlib.util.module_from_spec(spec)
spec.loader.exec_module(build_site)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("site")
    assert build_site.main(["--out", str(out)]) == 0, "the site build reported problems (see stderr)"
    return out / "_build" / "html"


def test_table_of_contents_lists_every_lesson_in_order():
    lesson_paths = build_site.lessons()
    toc = yaml.safe_load(build_site.table_of_contents(lesson_paths))
    chapters = [entry["file"] for entry in toc["parts"][0]["chapters"]]
    assert chapters == [p.stem for p in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))]
    assert [int(name[:2]) for name in chapters] == list(range(1, len(chapters) + 1))


def test_every_lesson_page_exists_with_figures_and_offline_math(site):
    for lesson in build_site.lessons():
        page = (site / f"{lesson.stem}.html").read_text()
        assert "<img" in page, f"{lesson.stem}: no figure on the page"
        assert '_static/mathjax/tex-chtml.js' in page, f"{lesson.stem}: MathJax is not served by the site"
    assert (site / "_static" / "mathjax" / "tex-chtml.js").is_file()
    assert 'class="math' in (site / "14_transfer_learning.html").read_text()


def test_explorer_pages_show_the_static_figure_not_a_widget(site):
    for lesson in build_site.lessons():
        page = (site / f"{lesson.stem}.html").read_text()
        assert "widget-view" not in page and "jupyter-widgets" not in page, f"{lesson.stem}: a widget view reached the page"


def test_navigation_follows_lesson_order(site):
    intro = (site / "intro.html").read_text()
    linked = re.findall(r'href="(\d\d_[a-z_]+)\.html"', intro)
    lessons_in_nav = list(dict.fromkeys(linked))
    assert lessons_in_nav == [p.stem for p in build_site.lessons()]
    assert (site / "lab_guide.html").is_file()


def test_problems_reports_warnings_and_missing_pages(tmp_path):
    (tmp_path / "_build" / "html").mkdir(parents=True)
    log = "reading sources...\n/x/07_vgg.ipynb:3: WARNING: 'myst' cross-reference target not found: 'nowhere'\n"
    found = build_site.problems(tmp_path, [Path("07_vgg.ipynb")], log)
    assert any("missing page" in f and "07_vgg.html" in f for f in found)
    assert any("cross-reference target not found" in f for f in found)


def test_a_folder_it_did_not_stage_is_never_emptied(tmp_path):
    (tmp_path / "thesis.tex").write_text("mine")
    with pytest.raises(FileExistsError, match="did not stage"):
        build_site.stage(tmp_path)
    assert (tmp_path / "thesis.tex").read_text() == "mine"


def _streams(cell):
    """(name, text) of each stream output of a cell, in order."""
    return [(o["name"], o["text"]) for o in cell.get("outputs", []) if o["output_type"] == "stream"]


def test_staged_lessons_show_each_cells_prints_as_one_block(tmp_path):
    """Staging only (no Jupyter Book build, about a second): in every staged lesson no cell has two
    consecutive stream outputs of the same name, no printed text is lost or reordered, and the
    committed notebooks are left as they were."""
    before = {p: p.read_bytes() for p in build_site.lessons()}
    lesson_paths = build_site.stage(tmp_path / "book")
    assert {p: p.read_bytes() for p in lesson_paths} == before, "staging changed a committed notebook"
    for path in lesson_paths:
        staged = nbformat.read(tmp_path / "book" / path.name, as_version=4)
        committed = nbformat.read(path, as_version=4)
        for index, (cell, original) in enumerate(zip(staged.cells, committed.cells, strict=True)):
            outputs = cell.get("outputs", [])
            for first, second in zip(outputs, outputs[1:]):
                assert not (first["output_type"] == second["output_type"] == "stream" and first["name"] == second["name"]), \
                    f"{path.name} cell {index}: two {first['name']} outputs in a row"
            for name in ("stdout", "stderr"):
                assert "".join(t for n, t in _streams(cell) if n == name) == \
                       "".join(t for n, t in _streams(original) if n == name), f"{path.name} cell {index}: {name} text changed"


def test_merge_streams_keeps_other_outputs_and_order():
    new = nbformat.v4
    out = lambda name, text: new.new_output("stream", name=name, text=text)
    picture = new.new_output("display_data", data={"text/plain": "<Figure>"})
    nb = new.new_notebook(cells=[new.new_markdown_cell("text"), new.new_code_cell(outputs=[
        out("stdout", "a\n"), out("stdout", "b\n"), out("stderr", "w\n"), out("stdout", "c\n"), picture,
        out("stdout", "d\n"), out("stdout", "e\n")])])
    assert build_site.merge_streams(nb) == 2
    assert [(o["output_type"], o.get("name"), o.get("text")) for o in nb.cells[1].outputs] == [
        ("stream", "stdout", "a\nb\n"), ("stream", "stderr", "w\n"), ("stream", "stdout", "c\n"),
        ("display_data", None, None), ("stream", "stdout", "d\ne\n")]


def test_drop_widget_views_keeps_the_figure_and_numbers():
    new = nbformat.v4
    explorer = new.new_output("display_data", data={build_site.WIDGET_VIEW: {"version_major": 2, "model_id": "a1"},
                                                    "image/png": "iVBORw0KGgo=", "text/plain": "n = 5, k = 3"})
    bare = new.new_output("execute_result", data={build_site.WIDGET_VIEW: {"model_id": "b2"}, "text/plain": "IntSlider(value=3)"},
                          execution_count=2)
    printed = new.new_output("stream", name="stdout", text="hello\n")
    nb = new.new_notebook(cells=[new.new_code_cell(outputs=[explorer, printed, bare])],
                          metadata={"widgets": {"application/vnd.jupyter.widget-state+json": {"state": {}}}})
    assert build_site.drop_widget_views(nb) == 2
    outputs = nb.cells[0].outputs
    assert [o["output_type"] for o in outputs] == ["display_data", "stream"]
    assert outputs[0]["data"] == {"image/png": "iVBORw0KGgo=", "text/plain": "n = 5, k = 3"}
    assert "widgets" not in nb.metadata


def test_staged_explorer_cells_keep_their_png_and_lose_the_widget_view(tmp_path):
    """Staging only: every explorer cell of the committed lessons has a PNG, and the staged copy keeps it
    while no output there has a widget view left."""
    lesson_paths = build_site.stage(tmp_path / "book")
    explorers = 0
    for path in lesson_paths:
        staged = nbformat.read(tmp_path / "book" / path.name, as_version=4)
        committed = nbformat.read(path, as_version=4)
        for cell, original in zip(staged.cells, committed.cells, strict=True):
            assert not any(build_site.WIDGET_VIEW in o.get("data", {}) for o in cell.get("outputs", []))
            if "explorer" in cell.metadata.get("tags", []):
                explorers += 1
                assert any("image/png" in o.get("data", {}) for o in original.outputs), f"{path.name}: explorer without a PNG"
                assert any("image/png" in o.get("data", {}) for o in cell.outputs), f"{path.name}: staged explorer lost its PNG"
    assert explorers >= 5, "lessons 02, 04 and 12 have explorer cells"
