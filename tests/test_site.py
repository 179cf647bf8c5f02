"""The course website: every lesson gets a page in course order, math renders offline, figures
show, and the build is free of warnings (scripts/build_site.py)."""
import importlib.util
import re
from pathlib import Path

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
