"""Present a lesson as slides: ``mark`` cuts it into slides that fit a projector, ``export`` writes
static reveal.js slides that open from ``file://`` without the internet.

    python scripts/slides.py mark notebooks/01_cross_correlation.ipynb     # slide metadata only
    python scripts/slides.py mark --check notebooks/*.ipynb                # exit 1 if any is stale
    python scripts/slides.py export notebooks/*.ipynb                      # build/slides/NN_x.slides.html

**mark** sets each cell's ``metadata.slideshow.slide_type`` and the notebook's ``metadata.rise``
(RISE's options) and touches nothing else: sources, outputs and other metadata stay byte for byte,
and a notebook whose slides are already current is not rewritten. The cut is a pure function of the
cells, so running it twice changes nothing:

- a ``#`` or ``##`` heading starts a new slide, a ``###`` heading a subslide (below it, one key down);
- any other cell that would overflow the current (sub)slide starts a subslide;
- a single cell taller than a slide gets a subslide of its own, which RISE and the export scroll.

Heights are estimated in CSS pixels for a slide of 1280 x 720 (``SLIDE``), less 40 px of room at the
bottom. RISE lays a slide out over the whole browser window, so present in a window of 1280 x 720 CSS
pixels: full screen at 100 % zoom on a 1280 x 720 projector, at 150 % (Ctrl +) on 1920 x 1080. The
static export scales the same 1280 x 720 canvas to any screen by itself. From what a cell holds:

- markdown, block by block: a paragraph's text wrapped at the characters that fit the width, list
  items likewise at the taller line height RISE gives them, headings by level, a ``$$`` formula by
  its lines, a table by its rows (a matrix in a cell by its rows); each block adds its margin;
- code: one line per source line (the editor does not wrap, it scrolls sideways), plus padding;
- text outputs (streams, ``text/plain``, errors): lines wrapped at the output width, consecutive
  prints to one stream as one block (JupyterLab shows them so; the export coalesces them too);
- HTML outputs: a row per ``<tr>`` (pandas tables) or a line per line of ``<pre>`` text;
- images: the size the notebook stores (``metadata.image/png`` width and height, or the PNG's
  pixels halved, since figures are saved at 2x for retina screens), scaled down to the width;
- ``text/latex`` (a formula shown by ``display(Math(...))``): two lines;
- widgets: their static figure (an explorer's PNG) or else their text; RISE cannot show ipywidgets.

The pixel constants (``MARKDOWN``, ``CODE``, ...) were fitted to the heights Chromium renders for the
cells of lessons 01, 05, 09, 11 and 13 in RISE (1280 x 720 window) and in this export: the median
estimate is within 3 % of the rendered height, the worst cell within -28 % / +36 %, hence the room.
``tests/test_browser_slides.py`` checks rendered slides against the slide height.

>>> cells = [nbformat.v4.new_markdown_cell("## Two\\n\\nshort"), nbformat.v4.new_code_cell("x = 1")]
>>> slide_types(cells)
['slide', '-']
>>> slide_types([nbformat.v4.new_markdown_cell("### Sub"), *[nbformat.v4.new_code_cell("a\\n" * 12)] * 3])
['subslide', '-', '-', 'subslide']
"""
from __future__ import annotations

import argparse
import base64
import html
import re
import shutil
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import nbformat

from coursekit.widget_display import png_size

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "build" / "slides"


@dataclass(frozen=True)
class Canvas:
    """The slide the estimate plans for, in CSS pixels: RISE's window, or the canvas the export scales."""

    width: int = 1280
    height: int = 720
    margin: int = 40          # reveal's margin, the prompt column and padding around the cells
    room: int = 40            # kept free at the bottom: slide number, progress bar, estimate error

    @property
    def text_width(self) -> int:
        return self.width - 2 * self.margin

    @property
    def usable_height(self) -> int:
        return self.height - self.room


@dataclass(frozen=True)
class Font:
    """A font as rendered on the slide: its line height and mean character width in CSS pixels."""

    line: float
    char: float

    def lines(self, text: str, width: float, wrap: bool = True) -> int:
        """Rendered lines of ``text`` in a box ``width`` pixels wide (long lines wrap if ``wrap``).

        >>> Font(line=20, char=10).lines("a" * 25 + "\\nb", width=100)
        4
        """
        per_line = max(1, int(width / self.char))
        rows = text.rstrip("\n").split("\n") if text.strip() else []
        if not wrap:
            return len(rows)
        return sum(max(1, -(-len(row.expandtabs()) // per_line)) for row in rows)


SLIDE = Canvas()
MARKDOWN = Font(line=19.0, char=7.0)    # RISE shows markdown at JupyterLab's 14 px (line height 1.3)
CODE = Font(line=17.0, char=8.4)        # code and text outputs at 14 px, monospace
LIST_LINE = 22.4                        # RISE sets list items' line height to 160 %
LIST_INDENT = 40                        # a list item's text starts this far right
HEADING = {1: 68.0, 2: 40.0, 3: 36.0}   # h1-h3 with their margins (h4 and below as a text line)
MATH_LINE = 37.0                        # a line of a $$ display formula (fractions, sums)
TABLE_ROW = 20.0                        # a markdown table row of text
MATRIX_LINE = 21.0                      # a row of a matrix inside a table cell
HTML_TABLE_ROW = 22.0                   # a pandas table row
BLOCK_MARGIN = 22.0                     # below each paragraph, list, formula and table
CELL_PADDING = 15.0                     # around every cell
CODE_PADDING = 16.0                     # editor padding of a code cell, and around each output
IMAGE_PADDING = 64.0                    # around a figure
RISE_OPTIONS = {  # width and height stay RISE's "100%": RISE stretches the slides to the window anyway
    "scroll": True,               # a slide taller than the window (one tall cell) scrolls
    "theme": "white",             # light, and its fonts ship with reveal.js (simple loads Google Fonts)
    "transition": "none",         # slides change at once, also over a slow projector link
    "slideNumber": "c/t",         # current / total, so the audience can name a slide
    "center": False,              # top-aligned: the slide does not jump as outputs grow
    "start_slideshow_at": "selected",
}

_HEADING = re.compile(r"^(#{1,6})\s")
_LIST_ITEM = re.compile(r"^\s*([-*+]|\d+\.)\s")


def _markdown_blocks(source: str) -> list[list[str]]:
    """Split markdown into blocks: paragraphs, lists and tables (blank-line separated), headings and
    ``$$`` display formulas (each a block of its own).

    >>> _markdown_blocks("## A\\ntext\\nmore\\n\\n$$x\\n= 1$$\\n- item")
    [['## A'], ['text', 'more'], ['$$x', '= 1$$'], ['- item']]
    """
    blocks: list[list[str]] = []
    current: list[str] = []
    in_math = False

    def close() -> None:
        nonlocal current
        if current:
            blocks.append(current)
        current = []

    for line in source.split("\n"):
        stripped = line.strip()
        if in_math:
            current.append(stripped)
            if stripped.endswith("$$"):
                in_math = False
                close()
        elif stripped.startswith("$$"):
            close()
            current = [stripped]
            in_math = not (len(stripped) > 4 and stripped.endswith("$$"))
            if not in_math:
                close()
        elif not stripped:
            close()
        elif _HEADING.match(stripped):
            close()
            blocks.append([stripped])
        else:
            current.append(line)
    close()
    return blocks


def _plain(text: str) -> str:
    """Markdown as the characters it shows: inline math about a third of its TeX, links their text."""
    text = re.sub(r"\$[^$]*\$", lambda m: "x" * max(2, min(12, len(m.group(0)) // 3)), text)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    return re.sub(r"[*`]", "", text)


def _block_height(block: list[str]) -> float:
    """Estimated height of one markdown block (see ``_markdown_blocks``)."""
    first = block[0].strip()
    heading = _HEADING.match(first)
    if heading:
        return HEADING.get(len(heading.group(1)), MARKDOWN.line + BLOCK_MARGIN)
    if first.startswith("$$"):
        return MATH_LINE * (1 + " ".join(block).count("\\\\")) + BLOCK_MARGIN
    if first.startswith("|"):
        height = BLOCK_MARGIN
        for row in block:
            if re.fullmatch(r"\s*\|?[\s:|-]+\|?\s*", row):
                continue                                   # the |---| line draws no row
            lines = max(cell.count("\\\\") + 1 for cell in row.split("|"))  # matrices: one line per row
            height += TABLE_ROW if lines == 1 else MATRIX_LINE * lines
        return height
    if _LIST_ITEM.match(first):
        items: list[str] = []
        for line in block:
            if _LIST_ITEM.match(line):
                items.append(line.strip())
            else:
                items[-1] += " " + line.strip()
        return BLOCK_MARGIN + LIST_LINE * sum(
            MARKDOWN.lines(_plain(item), SLIDE.text_width - LIST_INDENT) for item in items)
    paragraph = " ".join(line.strip() for line in block)
    return BLOCK_MARGIN + MARKDOWN.line * MARKDOWN.lines(_plain(paragraph), SLIDE.text_width)


def _markdown_height(source: str) -> float:
    """Estimated height of a rendered markdown cell.

    >>> _markdown_height("## Title") == HEADING[2] + CELL_PADDING
    True
    """
    return CELL_PADDING + sum(_block_height(block) for block in _markdown_blocks(source))


def _png_size(output_data: dict, meta: dict) -> tuple[float, float]:
    """CSS size of a PNG output: the notebook's stored size, else its pixels halved (2x retina)."""
    size = meta.get("image/png", {})
    if "width" in size and "height" in size:
        return float(size["width"]), float(size["height"])
    width, height = png_size(base64.b64decode(output_data["image/png"][:44]))
    return width / 2, height / 2


def _html_height(markup: str) -> float:
    """Estimated height of an HTML output: table rows, else the lines of its text."""
    rows = len(re.findall(r"<tr[\s>]", markup))
    if rows:
        return rows * HTML_TABLE_ROW
    text = html.unescape(re.sub(r"<style.*?</style>|<[^>]+>", "", markup, flags=re.S))
    return CODE.line * CODE.lines(text, SLIDE.text_width)


def _coalesced(outputs: list[dict]) -> list[dict]:
    """Outputs as shown: consecutive prints to the same stream in one block, as JupyterLab does.

    >>> [o["text"] for o in _coalesced([nbformat.v4.new_output("stream", text=t) for t in "ab"])]
    ['ab']
    """
    shown: list[dict] = []
    for output in outputs:
        if (output["output_type"] == "stream" and shown and shown[-1]["output_type"] == "stream"
                and shown[-1]["name"] == output["name"]):
            shown[-1] = {**shown[-1], "text": shown[-1]["text"] + output["text"]}
        else:
            shown.append(output)
    return shown


def _output_height(output: dict) -> float:
    """Estimated height of one output of a code cell."""
    kind = output["output_type"]
    if kind == "stream":
        return CODE.line * CODE.lines(output["text"], SLIDE.text_width) + CODE_PADDING
    if kind == "error":
        return CODE.line * CODE.lines("\n".join(output["traceback"]), SLIDE.text_width) + CODE_PADDING
    data = output.get("data", {})
    other_images = [kind for kind in data if kind.startswith("image/") and kind != "image/png"]
    if other_images and "image/png" not in data:
        raise ValueError(f"a {other_images[0]} output: only PNG figures can be sized "
                         "(coursekit.plots.use_style saves figures as PNG)")
    if "image/png" in data:
        width, height = _png_size(data, output.get("metadata", {}))
        return height * min(1.0, SLIDE.text_width / width) + IMAGE_PADDING
    if "text/html" in data:
        return _html_height(data["text/html"]) + CODE_PADDING
    if "text/latex" in data:
        return 2 * MARKDOWN.line + CODE_PADDING
    if "text/plain" in data:
        return CODE.line * CODE.lines(data["text/plain"], SLIDE.text_width) + CODE_PADDING
    return 0.0


def cell_height(cell: dict) -> float:
    """Estimated rendered height of a cell on the slide, in CSS pixels (see the module's docstring).

    >>> cell_height(nbformat.v4.new_code_cell("a = 1\\nb = 2")) == 2 * CODE.line + CODE_PADDING + CELL_PADDING
    True
    """
    if cell["cell_type"] == "markdown":
        return _markdown_height(cell["source"])
    if cell["cell_type"] != "code":
        return CODE.line * CODE.lines(cell["source"], SLIDE.text_width) + CELL_PADDING
    code = CODE.line * CODE.lines(cell["source"], SLIDE.text_width, wrap=False) + CODE_PADDING
    return CELL_PADDING + code + sum(_output_height(output) for output in _coalesced(cell.get("outputs", [])))


def _heading_level(cell: dict) -> int:
    """The level of the heading a markdown cell starts with, 0 if it does not start with one."""
    if cell["cell_type"] != "markdown":
        return 0
    match = _HEADING.match(cell["source"].lstrip())
    return len(match.group(1)) if match else 0


def slide_types(cells: list[dict], budget: float = SLIDE.usable_height) -> list[str]:
    """The ``slide_type`` of each cell: '#'/'##' start a slide, '###' a subslide, overflow a subslide."""
    types, used = [], 0.0
    for cell in cells:
        height, level = cell_height(cell), _heading_level(cell)
        if level in (1, 2):
            kind, used = "slide", height
        elif level == 3 or (used and used + height > budget):
            kind, used = "subslide", height
        else:
            kind, used = ("slide" if not types else "-"), used + height
        types.append(kind)
    return types


def slides(cells: list[dict]) -> list[list[int]]:
    """The cells of each (sub)slide, as lists of cell indices, from the cells' stored slide types."""
    groups: list[list[int]] = []
    for index, cell in enumerate(cells):
        kind = cell.get("metadata", {}).get("slideshow", {}).get("slide_type", "-")
        if kind in ("slide", "subslide") or not groups:
            groups.append([])
        if kind not in ("skip", "notes"):
            groups[-1].append(index)
    return groups


def mark(notebook: nbformat.NotebookNode) -> bool:
    """Set the slide metadata of ``notebook`` in place; return whether anything changed."""
    changed = notebook.metadata.get("rise") != RISE_OPTIONS
    notebook.metadata["rise"] = dict(RISE_OPTIONS)
    for cell, kind in zip(notebook.cells, slide_types(notebook.cells)):
        if cell.metadata.get("slideshow") != {"slide_type": kind}:
            cell.metadata["slideshow"] = {"slide_type": kind}
            changed = True
    return changed


def mark_file(path: Path, check: bool = False) -> bool:
    """Mark one notebook on disk (rewritten only if its slides changed); return whether they did."""
    notebook = nbformat.read(path, as_version=4)
    changed = mark(notebook)
    if changed and not check:
        nbformat.write(notebook, path)
    return changed


# ---- export ---------------------------------------------------------------------------------------

def reveal_dir() -> Path:
    """reveal.js (5.x) as the PyPI package sphinx-revealjs ships it: dist/ and plugin/."""
    try:
        import sphinx_revealjs
    except ImportError as error:
        raise ImportError("reveal.js not found: pip install sphinx-revealjs (the course's 'site' extra)") from error
    return Path(sphinx_revealjs.__file__).parent / "_static" / "revealjs"


def mathjax_file() -> Path:
    """MathJax 3's TeX-to-SVG bundle (all TeX extensions, no font files) from sphinx-mathjax-offline."""
    files = metadata.files("sphinx-mathjax-offline") or []
    for file in files:
        if file.name == "tex-svg-full.js":
            return Path(file.locate())
    raise FileNotFoundError("MathJax not found: pip install sphinx-mathjax-offline (the course's 'site' extra)")


TEMPLATE = r"""{%- extends 'index.html.j2' -%}
{#- nbconvert's reveal template with every CDN replaced by the local copies in assets/ -#}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block html_head_js_mathjax -%}
<script>
window.MathJax = {
  tex: {inlineMath: [['$', '$'], ['\\(', '\\)']], displayMath: [['$$', '$$'], ['\\[', '\\]']],
        processEscapes: true, processEnvironments: true},
  svg: {fontCache: 'global'},
  options: {enableMenu: false}
};
</script>
<script src="assets/mathjax/tex-svg-full.js" defer></script>
{%- endblock html_head_js_mathjax -%}
{%- block html_head_css -%}
<style type="text/css">
/* The sizes RISE shows in JupyterLab, so one height estimate fits both (scripts/slides.py). */
:root {
  --jp-content-font-size1: 14px;
  --jp-ui-font-size1: 14px;
  --jp-code-font-size: 14px;
  --jp-cell-prompt-width: 64px;
}
.reveal .slides { text-align: left; }
.reveal .slides section > section { height: 100%; overflow-y: auto !important; }
.jp-OutputArea-output img { max-width: 100%; height: auto; }
</style>
{%- endblock html_head_css -%}
{% block footer_js %}
<script src="{{ resources.reveal.url_prefix }}/dist/reveal.js"></script>
<script src="{{ resources.reveal.url_prefix }}/plugin/notes/notes.js"></script>
<script>
Reveal.initialize({
  controls: true, progress: true, history: true, center: false,
  transition: "{{ resources.reveal.transition }}", slideNumber: "{{ resources.reveal.number }}",
  width: {{ resources.reveal.width }}, height: {{ resources.reveal.height }},
  plugins: [RevealNotes]
});
</script>
{% endblock footer_js %}
"""


def copy_assets(out: Path) -> Path:
    """Copy reveal.js and MathJax next to the slides (once; an up-to-date copy is kept)."""
    assets = out / "assets"
    reveal = reveal_dir()
    theme = f"{RISE_OPTIONS['theme']}.css"

    def unused(folder: str, names: list[str]) -> set[str]:  # other themes load fonts from the web
        return {name for name in names if name.endswith((".map", ".esm.js"))
                or (Path(folder).name == "theme" and name.endswith(".css") and name != theme)}

    for part in ("dist", "plugin/notes"):
        shutil.copytree(reveal / part, assets / "reveal.js" / part, dirs_exist_ok=True, ignore=unused)
    shutil.copy2(reveal / "LICENSE", assets / "reveal.js" / "LICENSE")
    (assets / "mathjax").mkdir(parents=True, exist_ok=True)
    shutil.copy2(mathjax_file(), assets / "mathjax" / "tex-svg-full.js")
    return assets


def export_one(path: Path, out: Path = OUT) -> Path:
    """Write ``out/<lesson>.slides.html`` for one notebook (assets must be in ``out/assets``)."""
    from jinja2 import DictLoader
    from nbconvert import SlidesExporter
    from nbconvert.preprocessors.coalescestreams import CoalesceStreamsPreprocessor

    notebook = nbformat.read(path, as_version=4)
    exporter = SlidesExporter(extra_loaders=[DictLoader({"offline_slides.html.j2": TEMPLATE})],
                              template_file="offline_slides.html.j2", reveal_url_prefix="assets/reveal.js",
                              reveal_theme=RISE_OPTIONS["theme"], reveal_transition=RISE_OPTIONS["transition"],
                              reveal_number=RISE_OPTIONS["slideNumber"], reveal_width=str(SLIDE.width),
                              reveal_height=str(SLIDE.height))
    exporter.register_preprocessor(CoalesceStreamsPreprocessor(enabled=True))  # prints in one block, as in RISE
    body, _ = exporter.from_notebook_node(notebook, resources={"metadata": {"name": path.stem}})
    target = out / f"{path.stem}.slides.html"
    target.write_text(body, encoding="utf-8")
    return target


def export(paths: list[Path], out: Path = OUT, workers: int = 2) -> list[Path]:
    """Export several notebooks, ``workers`` at a time, after copying the assets once."""
    out.mkdir(parents=True, exist_ok=True)
    copy_assets(out)
    if workers <= 1 or len(paths) == 1:
        return [export_one(path, out) for path in paths]
    with ProcessPoolExecutor(workers) as pool:
        return list(pool.map(export_one, paths, [out] * len(paths)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    marking = commands.add_parser("mark", help="set the slide metadata so every slide fits")
    marking.add_argument("notebooks", nargs="+", type=Path)
    marking.add_argument("--check", action="store_true", help="change nothing; exit 1 if any is stale")
    exporting = commands.add_parser("export", help="static reveal.js slides that work offline")
    exporting.add_argument("notebooks", nargs="+", type=Path)
    exporting.add_argument("--out", type=Path, default=OUT)
    exporting.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    if args.command == "mark":
        stale = [path for path in args.notebooks if mark_file(path, check=args.check)]
        for path in stale:
            print(f"{path}: {'slides out of date' if args.check else 'slides marked'}")
        return 1 if args.check and stale else 0
    start = time.perf_counter()
    for target in export(args.notebooks, args.out, args.workers):
        print(target)
    print(f"{len(args.notebooks)} lesson(s) exported in {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
