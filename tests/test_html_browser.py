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
        assert browser.evaluate("[...document.querySelectorAll('summary, nav')].some(e => e.checkVisibility())") is False
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
