"""HTML handouts in real headless Chromium: for every seed problem (the same ones the PDF tests compile)
the page loads from disk with no request to any URL and no console error, every math element is laid
out as MathML, no raw LaTeX is visible, the screenshot is not blank, the print stylesheet shows every
step worked out, nothing is wider than a 390 px phone, and text keeps WCAG AA contrast."""
from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from PIL import Image, ImageStat

from browser import Browser, chromium_path
from solver.api import load_problem, solve
from solver.html import render_html
from solver.spec import problem_from_mapping

ROOT = Path(__file__).resolve().parent.parent
PROBLEMS = sorted((ROOT / "problems").glob("*.yaml"))
SEED003 = ROOT / "problems" / "seed003_layered_3_2_2_1.yaml"

VISIBLE_MATH = """[...document.querySelectorAll('math')].map(m => {
  const box = m.getBoundingClientRect(), style = getComputedStyle(m);
  return [style.display, box.width > 0 && box.height > 0, m.checkVisibility()];
})"""
VISIBLE_TEXT = "document.body.innerText"
HIDDEN_WORKING = """[...document.querySelectorAll('details:not([open]) .working')].map(w => w.checkVisibility())"""
CONTRAST = """(() => {
  const rgb = c => (c.match(/[\\d.]+/g) || []).map(Number);
  const background = e => { for (; e; e = e.parentElement) { const c = rgb(getComputedStyle(e).backgroundColor);
    if (c.length === 3 || c[3] > 0) return c.slice(0, 3); } return [255, 255, 255]; };
  const seen = new Set(), pairs = [];
  for (const e of document.querySelectorAll('body *')) {
    if (![...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()) || !e.checkVisibility()) continue;
    const svg = e.closest('svg'), style = getComputedStyle(e);
    const colour = svg ? rgb(style.fill) : rgb(style.color);
    const key = colour.join() + '/' + background(e).join();
    if (!seen.has(key)) { seen.add(key); pairs.push([colour, background(e), e.tagName]); }
  }
  return pairs;
})()"""


def contrast(foreground, background) -> float:
    """WCAG 2 contrast ratio of two sRGB colours (0-255 channels)."""
    def luminance(colour):
        linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in (v / 255 for v in colour)]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    light, dark = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


@pytest.fixture(scope="module")
def browser():
    executable = chromium_path()
    assert executable or not os.environ.get("CI"), "chromium missing in CI"
    if not executable:
        pytest.skip("chromium is not installed on this developer machine")
    with Browser(executable) as opened:
        yield opened


def write_page(tmp_path: Path, solution) -> Path:
    page = tmp_path / "handout.html"
    page.write_text(render_html(solution), encoding="utf-8")
    return page


@pytest.mark.parametrize("problem", [p.stem for p in PROBLEMS])
def test_page_loads_offline_and_every_math_element_renders(browser, problem, tmp_path):
    page = write_page(tmp_path, solve(load_problem(ROOT / "problems" / f"{problem}.yaml")))
    browser.open(page, width=1280)
    assert browser.requests() == [page.resolve().as_uri()]
    assert browser.errors() == []
    maths = browser.evaluate(VISIBLE_MATH)
    assert len(maths) >= 50
    assert len(maths) == page.read_text().count("<math ")
    assert {display for display, _, _ in maths} <= {"block math", "math", "inline math"}  # MathML layout
    assert all(laid_out for _, laid_out, visible in maths if visible)
    browser.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    assert all(laid_out and visible for _, laid_out, visible in browser.evaluate(VISIBLE_MATH))
    text = browser.evaluate(VISIBLE_TEXT)
    for raw in ("\\frac", "\\partial", "\\begin", "\\color", "$", "\\"):
        assert raw not in text
    shot = Image.open(io.BytesIO(browser.screenshot(full_page=False))).convert("L")
    assert shot.size == (1280, 900)
    assert ImageStat.Stat(shot).stddev[0] > 20
    assert sum(shot.histogram()[:128]) > 0.01 * 1280 * 900


def test_print_shows_every_step_worked_out_and_hides_the_controls(browser, tmp_path):
    page = write_page(tmp_path, solve(load_problem(SEED003)))
    browser.open(page, width=1280)
    hidden = browser.evaluate(HIDDEN_WORKING)
    assert len(hidden) == page.read_text().count("<details>") > 40
    assert not any(hidden)
    browser.print_media(True)
    try:
        assert all(browser.evaluate(HIDDEN_WORKING))
        answers = browser.evaluate("[...document.querySelectorAll('details.answer:not([open]) > p')].map(p => p.checkVisibility())")
        assert answers == [True] * 4  # the self-test answers print too
        assert browser.evaluate("[...document.querySelectorAll('details:not(.answer) > summary, nav')]"
                                ".some(e => e.checkVisibility())") is False
        labels = browser.evaluate("[...document.querySelectorAll('details.answer > summary')].map(s => s.checkVisibility() && s.innerText)")
        assert labels == ["Answer"] * 4  # each printed answer is labelled
    finally:
        browser.print_media(False)


def test_phone_width_scrolls_only_inside_equations_and_tables(browser, tmp_path):
    page = write_page(tmp_path, solve(load_problem(SEED003)))
    browser.open(page, width=390, height=844)
    assert browser.evaluate("document.documentElement.scrollWidth") == 390
    shot = Image.open(io.BytesIO(browser.screenshot()))
    assert shot.size[0] == 390 and shot.size[1] > 5000
    assert ImageStat.Stat(shot.convert("L")).stddev[0] > 20


def test_colour_coded_text_keeps_wcag_aa_contrast(browser, tmp_path):
    import yaml

    data = yaml.safe_load(SEED003.read_text())
    data["notation"] = {"preset": data["notation"], "colour": True}
    page = write_page(tmp_path, solve(problem_from_mapping(data, str(SEED003))))
    browser.open(page, width=1280)
    browser.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    pairs = browser.evaluate(CONTRAST)
    colours = {tuple(foreground) for foreground, _, _ in pairs}
    assert {(0xA1, 0x60, 0x84), (0x00, 0x72, 0xB2), (0x00, 0x85, 0x61), (0xC0, 0x55, 0x00)} <= colours
    low = [(fg, bg, tag, round(contrast(fg, bg), 2)) for fg, bg, tag in pairs if contrast(fg, bg) < 4.5]
    assert low == []


def test_the_checks_see_requests_console_errors_and_raw_latex(browser, tmp_path):
    page = tmp_path / "bad.html"
    page.write_text('<!DOCTYPE html><html lang="en"><title>t</title><p>$\\frac{1}{2}$</p>'
                    '<img alt="" src="http://127.0.0.1:9/x.png"><script>console.error("broken")</script></html>')
    browser.open(page)
    assert "http://127.0.0.1:9/x.png" in browser.requests()
    assert "broken" in browser.errors()
    assert "\\frac" in browser.evaluate(VISIBLE_TEXT)


def seed_page(tmp_path: Path, path: Path = SEED003, **options) -> Path:
    import yaml

    data = yaml.safe_load(path.read_text())
    data.setdefault("options", {}).update(options)
    page = tmp_path / f"{path.stem}-{'-'.join(map(str, options.values())) or 'default'}.html"
    page.write_text(render_html(solve(problem_from_mapping(data, str(path)))), encoding="utf-8")
    return page


OUTSIDE_ITS_SCROLL_BOX = """(() => {
  const clipped = e => { for (let p = e.parentElement; p && p !== document.body; p = p.parentElement)
    if (getComputedStyle(p).overflowX !== 'visible' && p.getBoundingClientRect().right <= innerWidth + 0.5) return true;
    return false; };
  return [...document.querySelectorAll('body *')].filter(e => {
    const box = e.getBoundingClientRect();
    return box.width > 0 && box.right > innerWidth + 0.5 && !clipped(e);
  }).map(e => e.tagName + ' in #' + (e.closest('section') || {}).id);
})()"""
PROSE_OVERFLOWING = """[...document.querySelectorAll('main p, main li, figcaption, summary')]
  .filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.textContent.slice(0, 60))"""
SEGMENT_SHARING_A_LINE = """[...document.querySelectorAll('.working')].flatMap(w => {
  const tops = s => [...s.querySelectorAll('.step')].map(p => Math.round(p.getBoundingClientRect().top));
  const segments = [...w.querySelectorAll('.segment')].map(tops);
  return segments.flatMap((lines, i) => new Set(lines).size < 2 ? [] : segments.filter((other, j) => j !== i
    && other.some(top => lines.includes(top))).map(() => w.textContent.slice(0, 80)));
})"""
ANCHOR_ALONE = """[...document.querySelectorAll('h2 > a.anchor')].filter(a => {
  const range = document.createRange(), text = a.previousSibling;
  range.setStart(text, Math.max(0, text.textContent.trimEnd().length - 1)); range.setEnd(text, text.textContent.trimEnd().length);
  return Math.abs(range.getBoundingClientRect().bottom - a.getBoundingClientRect().bottom) > 4;
}).map(a => a.parentElement.textContent)"""


@pytest.mark.parametrize("path, options", [(SEED003, {}), (SEED003, {"reveal": "all"}),
                                           (ROOT / "tests" / "problems" / "seed001_colour_2_2_1.yaml", {"reveal": "none"})])
def test_at_phone_width_only_scroll_boxes_are_wider_and_prose_wraps(browser, tmp_path, path, options):
    page = seed_page(tmp_path, path, **options)
    browser.open(page, width=390, height=844)
    for opened in (False, True):
        assert browser.evaluate("document.documentElement.scrollWidth") == 390
        assert browser.evaluate(OUTSIDE_ITS_SCROLL_BOX) == []
        assert browser.evaluate(PROSE_OVERFLOWING) == []
        assert browser.evaluate(ANCHOR_ALONE) == []
        browser.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    working = browser.evaluate("""[...document.querySelectorAll('.working')].map(w => [
      Math.max(...[...w.querySelectorAll('.step')].map(s => s.getBoundingClientRect().width))
        + parseFloat(getComputedStyle(w).paddingLeft) <= w.clientWidth,
      w.scrollWidth <= w.clientWidth + 1, Math.round(w.getBoundingClientRect().height)])""")
    assert all(fits for steps_fit, fits, _ in working if steps_fit)  # only a step wider than the phone scrolls
    if options.get("reveal") == "all" and path == SEED003:
        assert sum(height > 90 for _, _, height in working) >= 10  # long chains wrap onto several lines
    assert browser.evaluate(SEGMENT_SHARING_A_LINE) == []  # a broken relation segment has its lines to itself
    paths = browser.evaluate("[...document.querySelectorAll('#chain li')].map(li => li.getClientRects().length && "
                             "Math.round(li.getBoundingClientRect().height / parseFloat(getComputedStyle(li).lineHeight)))")
    assert paths == ([] if path != SEED003 else [2, 2])  # each path of seed003 wraps onto a second line


@pytest.mark.parametrize("reveal", ["all", "steps"])
def test_equations_of_one_grid_column_start_at_the_same_x(browser, tmp_path, reveal):
    browser.open(seed_page(tmp_path, reveal=reveal), width=1280)
    columns = browser.evaluate("""[...document.querySelectorAll('.grid')].filter(g => [...g.children].some(r => r.children.length > 1))
      .map(g => { const lefts = {}; g.querySelectorAll('.row').forEach(r => [...r.children].forEach((e, i) =>
        (lefts[i] = lefts[i] || []).push(Math.round(e.getBoundingClientRect().left)))); return Object.values(lefts); })""")
    assert len(columns) >= 6  # given data, neuron equations, three forward layers, rules ...
    assert sum(len(column) for grid in columns for column in grid if len(column) > 1) >= 30
    assert all(len(set(column)) == 1 for grid in columns for column in grid)


TAGS = """[...document.querySelectorAll('.equation > .tag')].map(t => {
  const e = t.parentElement.getBoundingClientRect(), box = t.getBoundingClientRect();
  const w = t.parentElement.firstElementChild.getBoundingClientRect();
  const overlaps = !(box.left >= w.right || box.right <= w.left || box.top >= w.bottom || box.bottom <= w.top);
  return [Math.round(e.right - box.right), overlaps];
})"""


@pytest.mark.parametrize("width, print_media", [(1280, False), (390, False), (718, True)])
def test_equation_tags_sit_at_the_right_margin_clear_of_the_math(browser, tmp_path, width, print_media):
    browser.open(seed_page(tmp_path), width=width)
    browser.print_media(print_media)
    try:
        tags = browser.evaluate(TAGS)
    finally:
        browser.print_media(False)
    assert len(tags) == 9  # BP1, BP2 twice, BP3 and BP4 three times each
    assert tags == [[0, False]] * 9


def test_list_markers_are_drawn(browser, tmp_path):
    browser.open(seed_page(tmp_path), width=390, height=844)
    import base64

    for selector in ("#chain li", "#reference li", "#self_test li"):
        box = browser.evaluate(f"(() => {{ const e = document.querySelector('{selector}'); e.scrollIntoView();"
                               f" const r = e.getBoundingClientRect(); return [r.left, r.top + scrollY]; }})()")
        png = browser.call("Page.captureScreenshot", format="png", captureBeyondViewport=True,
                           clip=dict(x=box[0] - 24, y=box[1], width=22, height=22, scale=1))["data"]
        marker = Image.open(io.BytesIO(base64.b64decode(png))).convert("L")
        assert min(marker.tobytes()) < 100, selector


def test_math_in_prose_is_no_smaller_than_a_first_level_script(browser, tmp_path):
    browser.open(seed_page(tmp_path, reveal="all"), width=390, height=844)
    ratios = browser.evaluate("""[...document.querySelectorAll('main p math, main li math')].flatMap(m => {
      const prose = parseFloat(getComputedStyle(m.parentElement.closest('p, li')).fontSize);
      return [...m.querySelectorAll('mi, mn, mo')].filter(t => t.textContent.trim())
        .map(t => parseFloat(getComputedStyle(t).fontSize) / prose); })""")
    assert len(ratios) > 100
    assert min(ratios) >= 0.7  # a subscript of a fraction's denominator is not set at scriptscript size


@pytest.mark.parametrize("path", [SEED003, ROOT / "tests" / "problems" / "seed001_colour_2_2_1.yaml"])
def test_fences_around_one_line_of_math_are_drawn_like_plain_parentheses(browser, tmp_path, path):
    browser.open(seed_page(tmp_path, path, reveal="all"), width=1280)
    widths = browser.evaluate("""(() => {
      const width = m => m.getBoundingClientRect().width, opening = m => m.textContent === '(';
      const plain = [...document.querySelectorAll('mo[stretchy="false"]:not([fence])')].filter(opening).map(width);
      const tall = 'mfrac, msqrt, mtable:has(mtr + mtr), :is(munder, mover) > :not(mo):nth-child(2)';
      const fences = [...document.querySelectorAll('mo[fence]')].filter(m => opening(m) && !m.parentElement.querySelector(tall))
        .concat([...document.querySelectorAll('mo + mtable:not(:has(mtr + mtr))')].map(t => t.previousElementSibling)
          .filter(m => opening(m) && !m.nextElementSibling.querySelector(tall))).map(width);
      return [Math.max(...plain), fences.length, Math.max(...fences)]; })()""")
    plain, fences, widest = widths
    assert fences >= 8 and widest <= plain + 0.5  # a stretched glyph is about twice as wide, with gaps


def test_every_link_and_parameter_anchor_resolves(browser, tmp_path):
    page = seed_page(tmp_path)
    browser.open(page, width=1280)
    links = browser.evaluate("[...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href'))")
    assert links and all(link.startswith("#") for link in links)
    missing = browser.evaluate(f"{links!r}.filter(l => !document.getElementById(l.slice(1)))")
    assert missing == []
    sizes = [3, 2, 2, 1]
    parameters = [f"W{l}-{j}-{k}" for l in (1, 2, 3) for j in range(1, sizes[l] + 1) for k in range(1, sizes[l - 1] + 1)]
    parameters += [f"b{l}-{j}" for l in (1, 2, 3) for j in range(1, sizes[l] + 1)]
    assert len(parameters) == 17
    for kind in ("gradient", "update"):
        found = browser.evaluate(f"{parameters!r}.map(p => document.getElementById('{kind}-' + p))"
                                 ".map(e => e && e.checkVisibility() && e.closest('section').id)")
        assert found == [kind if kind == "update" else "gradients"] * 17


def test_a_diagram_wider_than_the_phone_shows_that_it_scrolls(browser, tmp_path):
    import base64

    browser.open(seed_page(tmp_path), width=390, height=844)
    box = browser.evaluate("(() => { const e = document.querySelector('#diagram .svg'); e.scrollIntoView();"
                           " const r = e.getBoundingClientRect(); return [r.left, r.right, r.top + scrollY, e.scrollWidth > e.clientWidth]; })()")
    left, right, top, scrolls = box
    assert scrolls

    def edge(x):
        png = browser.call("Page.captureScreenshot", format="png", captureBeyondViewport=True,
                           clip=dict(x=x, y=top + 1, width=6, height=6, scale=1))["data"]
        return ImageStat.Stat(Image.open(io.BytesIO(base64.b64decode(png))).convert("L")).mean[0]

    assert edge(left) > 254 and edge(right - 6) < 250  # a shadow on the side where more of the drawing is


@pytest.mark.parametrize("problem", [p.stem for p in PROBLEMS])
def test_every_seed_page_fits_a_phone_with_every_step_open(browser, problem, tmp_path):
    page = write_page(tmp_path, solve(load_problem(ROOT / "problems" / f"{problem}.yaml")))
    browser.open(page, width=390, height=844)
    browser.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    assert browser.evaluate("document.documentElement.scrollWidth") == 390
    assert browser.evaluate(OUTSIDE_ITS_SCROLL_BOX) == []
    assert browser.evaluate(PROSE_OVERFLOWING) == []


def test_on_a_phone_the_loss_plot_is_shown_whole_and_the_network_diagram_scrolls(browser, tmp_path):
    page = write_page(tmp_path, solve(load_problem(ROOT / "problems" / "extra_xor_epochs_2_2_1.yaml")))
    browser.open(page, width=390, height=844)
    scrolls = browser.evaluate("['#history', '#diagram'].map(s => { const e = document.querySelector(s + ' .svg');"
                               " return [e.scrollWidth > e.clientWidth, e.getBoundingClientRect().right <= innerWidth]; })")
    assert scrolls == [[False, True], [True, True]]


HYPHENATED_RUNS = """(() => {
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT), runs = [];
  const text = n => n.textContent;
  let all = '', nodes = [];
  for (let n; (n = walker.nextNode());) { if (n.parentElement.closest('math, svg, style')) continue; nodes.push([n, all.length]); all += text(n); }
  for (const m of all.matchAll(/\\d+(?:-\\d+)+/g)) {
    const range = document.createRange(), at = i => { const [n, start] = nodes.findLast(([, s]) => s <= i); return [n, i - start]; };
    range.setStart(...at(m.index)); range.setEnd(...at(m.index + m[0].length - 1)); range.setEnd(range.endContainer, range.endOffset + 1);
    runs.push([m[0], new Set([...range.getClientRects()].map(r => Math.round(r.top))).size]);
  }
  return runs;
})()"""


def test_a_layer_shape_like_3_2_2_1_never_breaks_at_its_hyphens(browser, tmp_path):
    runs, page = [], seed_page(tmp_path)
    for width in range(300, 420, 6):  # the intro's line ends fall at the shape for some phone widths
        browser.open(page, width=width, height=844)
        runs += browser.evaluate(HYPHENATED_RUNS)
    assert ["3-2-2-1", 1] in runs
    assert [run for run in runs if run[1] != 1] == []


RESULT_ANCHORS = """[...document.querySelectorAll('.equation > a.anchor')].map(a => {
  const box = a.getBoundingClientRect(), equation = a.parentElement.getBoundingClientRect();
  const math = a.parentElement.querySelector('math').getBoundingClientRect();
  return [Math.round(equation.right - box.right), box.top >= equation.top && (box.top + box.bottom) / 2 <= math.bottom,
          a.getAttribute('aria-label')];
})"""


@pytest.mark.parametrize("reveal", ["all", "steps"])
def test_each_result_link_sits_at_the_top_right_of_its_equation(browser, tmp_path, reveal):
    page = seed_page(tmp_path, reveal=reveal)
    for width in (390, 1280):
        browser.open(page, width=width, height=844)
        for opened in (False, True):
            anchors = browser.evaluate(RESULT_ANCHORS)
            assert len(anchors) == 2 * 17  # every parameter's gradient and update of seed003
            assert set(map(tuple, anchors)) == {(0, True, "Link to this result")}
            browser.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")


def test_an_a4_print_has_page_numbers_and_no_heading_or_chain_path_at_a_page_foot(browser, tmp_path):
    import base64
    import shutil
    import subprocess

    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    browser.open(write_page(tmp_path, solve(load_problem(SEED003))), width=1280)
    pdf = tmp_path / "print.pdf"
    pdf.write_bytes(base64.b64decode(browser.call("Page.printToPDF", paperWidth=8.27, paperHeight=11.69)["data"]))
    pages = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                           check=True).stdout.split("\f")[:-1]
    assert len(pages) > 5
    for number, text in enumerate(pages, 1):
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        assert lines[-1] == f"{number} / {len(pages)}"  # the page number at the foot
        assert lines[-2] not in {"Summary tables", "Self-test", "Parameter gradients", "Network diagram"}
    paths = [index for index, text in enumerate(pages) if "Path 1" in text or "Path 2" in text]
    assert len(paths) == 1  # both chain paths on one page


def test_under_brace_labels_of_the_expanded_chain_are_readable(browser, tmp_path):
    browser.open(seed_page(tmp_path, reveal="all"), width=1280)
    for media in (False, True):
        browser.print_media(media)
        sizes = browser.evaluate("""[...document.querySelectorAll('#chain munder > munder + *')].flatMap(label => {
          const body = parseFloat(getComputedStyle(document.body).fontSize);
          return [...label.querySelectorAll('mi, mn, mo')].filter(t => t.textContent.trim())
            .map(t => parseFloat(getComputedStyle(t).fontSize) / body); })""")
        assert len(sizes) > 20
        assert min(sizes) >= 0.6, media  # TeX's scriptscript size (0.5) is too small on a screen and in print
    browser.print_media(False)


def test_the_given_data_takes_few_lines_on_a_phone(browser, tmp_path):
    browser.open(seed_page(tmp_path), width=390, height=844)
    tops = browser.evaluate("""[...document.querySelector('#setup .grid').querySelectorAll('.equation')]
      .map(e => Math.round(e.getBoundingClientRect().top))""")
    assert len(tops) == 5  # x1, x2, x3, y, eta of seed003
    assert len(set(tops)) <= 2
