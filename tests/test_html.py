"""HTML handouts without a browser: MathML conversion of every construct we emit (and a loud error for
one that does not convert), the reveal option, anchors, html5lib validity, no reference to another host,
the CLI, exam worked keys, template copies and colour contrast."""
from __future__ import annotations

import collections
import re
from pathlib import Path

import html5lib
import pytest
from click.testing import CliRunner

from solver.api import load_problem, solve
from solver.build import render_outputs
from solver.cli import main
from solver.html import column_alignments, render_html, shows_number, step_result
from solver.mathml import MathConversionError, mathml, styled_character
from solver.notation import PALETTE, markdown_colours
from solver.sections.records import Table
from solver.spec import problem_from_mapping

ROOT = Path(__file__).resolve().parent.parent
PROBLEMS = sorted((ROOT / "problems").glob("*.yaml"))
SEED001 = ROOT / "problems" / "seed001_named_2_2_1.yaml"
SEED003 = ROOT / "problems" / "seed003_layered_3_2_2_1.yaml"
FAMILY = ROOT / "problems" / "families" / "layered_3_2_2_1.yaml"


def seed001(**options):
    import yaml

    data = yaml.safe_load(SEED001.read_text())
    data.setdefault("options", {}).update(options)
    return solve(problem_from_mapping(data, str(SEED001)))


@pytest.fixture(scope="module")
def pages():
    """Every seed problem's HTML page."""
    return {p.stem: render_html(solve(load_problem(p))) for p in PROBLEMS}


# --- MathML ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("latex, expected", [
    (r"\frac{\partial E}{\partial w}", "<mfrac><mrow><mo>∂</mo><mi>E</mi></mrow><mrow><mo>∂</mo><mi>w</mi></mrow></mfrac>"),
    (r"\boxed{0.5}", '<menclose notation="box"><mrow><mn>0.5</mn></mrow></menclose>'),
    (r"\text{if } z", "<mtext>if\u00a0</mtext><mi>z</mi>"),
    (r"a \quad b", '<mi>a</mi><mspace width="1em"/><mi>b</mi>'),
    (r"\left( a \right)", '<mo stretchy="false" fence="true" form="prefix" lspace="0" rspace="0">(</mo><mi>a</mi>'
                          '<mo stretchy="false" fence="true" form="postfix" lspace="0" rspace="0">)</mo>'),
    (r"\left( \frac{a}{b} \right)", '<mo stretchy="true" fence="true" form="prefix" lspace="0" rspace="0">(</mo><mfrac>'),
    (r"\max(a, b)", "<mi>max</mi><mo stretchy=\"false\">(</mo>"),
    (r"\operatorname{ReLU}(z)", "<mi>ReLU</mi>"),
    (r"a / b", '<mi>a</mi><mo lspace="0" rspace="0" stretchy="false">/</mo><mi>b</mi>'),
    (r"\lvert a \rvert", '<mo stretchy="false" lspace="0" rspace="0">|</mo><mi>a</mi>'
                          '<mo stretchy="false" lspace="0" rspace="0">|</mo>'),
    (r"\underbrace{a}_{x}", "<munder><munder><mrow><mi>a</mi></mrow><mo>⏟</mo></munder><mrow><mi>x</mi></mrow></munder>"),
    (r"\begin{pmatrix} 1 & 2 \end{pmatrix}", "<mtable><mtr><mtd><mn>1</mn></mtd><mtd><mn>2</mn></mtd></mtr></mtable>"),
    (r"{\color{#0072B2}w}", '<mstyle mathcolor="#0072B2"><mi>w</mi></mstyle>'),
    (r"\mathbf{W} \boldsymbol{\delta} \mathcal{L} \mathbf{1}", "<mi>𝐖</mi><mrow><mi>𝜹</mi></mrow><mi>ℒ</mi><mrow><mn>𝟏</mn></mrow>"),
    (r"x = -1.0", '<mi>x</mi><mo>=</mo><mo form="prefix">−</mo><mn>1.0</mn>'),
    (r"a - b", "<mi>a</mi><mo>−</mo><mi>b</mi>"),
])
def test_every_construct_we_emit_converts_to_mathml(latex, expected):
    assert expected in mathml(latex)


def test_fences_stretch_only_around_content_taller_than_a_line():
    flat = str(mathml(r"\sigma(z) \left(1 - \sigma(z)\right) \left| a_{1}^{(2)} \right| \left( \hat{y} - t \right)"
                      r"\left( \bar{y} \right)"))
    assert flat.count('stretchy="false" fence="true"') == 8 and 'stretchy="true" fence' not in flat
    row = str(mathml(r"\begin{pmatrix} 0.3 & 0.4 \end{pmatrix} \begin{pmatrix} 1 \\ 2 \end{pmatrix}"))
    assert row.count('<mo stretchy="false">') == 2 and row.count("<mo>(</mo>") == 1  # one row: ordinary size
    for tall in (r"\left( \frac{1}{2} \right)", r"\left( \begin{pmatrix} 1 \\ 2 \end{pmatrix} \right)",
                 r"\left( \underbrace{a}_{b} \right)", r"\left( \sqrt{x} \right)",
                 r"\left( \begin{pmatrix} \frac{1}{2} & 1 \end{pmatrix} \right)"):
        assert str(mathml(tall)).count('stretchy="true" fence="true"') == 2


def test_long_inline_math_is_cut_where_tex_would_break_and_glued_to_its_punctuation():
    from solver.html import after_math, inline_math
    from solver.math_breaks import break_pieces

    biases = r"b_{1} = 0.1, b_{2} = 0.2, b^{(3)} = 0.1"
    assert break_pieces(biases, 12) == ["b_{1} = 0.1,", " b_{2} = 0.2,", " b^{(3)} = 0.1"]
    assert break_pieces(biases, 40) == [biases]
    assert break_pieces(r"w_{1,1} \rightarrow z_{1} \rightarrow \mathcal{L}", 8) == [
        r"w_{1,1} \rightarrow", r" z_{1} \rightarrow", r" \mathcal{L}"]
    assert break_pieces(r"-a + \left( b - c \right) - (d, e) \leftarrow f", 4) == [
        "-a +", r" \left( b - c \right) -", r" (d, e) \leftarrow", " f"]
    assert break_pieces(r"\frac{a + b, c}{d = e}", 1) == [r"\frac{a + b, c}{d = e}"]
    assert break_pieces(r"\lvert a - b \rvert / \max(a, b)", 1) == [r"\lvert a - b \rvert ", r"/ \max(a, b)"]  # no line ends in "/"
    page = str(inline_math(biases + r", b^{(4)} = 0.3", ". Then"))
    assert page.count("<math ") == 4 and page.count("<wbr>") == 3
    assert page.endswith("</math>.</span>") and '<span class="unbroken"><math' in page
    assert after_math(". Then") == " Then" and after_math("), and") == " and" and after_math(" so") == " so"


def test_working_is_set_as_steps_a_narrow_screen_breaks_between():
    from solver.equations import Part, chain
    from solver.html import working_math

    page = str(working_math(chain("z", Part(("w_{1} x_{1}", "+ w_{2} x_{2}")), "0.1(0.5) + 0.2", "0.25", boxed=True,
                                  note="\\text{exactly}")))
    steps = re.findall(r'<span class="step">(.*?)</span>', page)
    assert len(steps) == 5 and page.count("<wbr>") == 1  # breaks between segments; inside only z = w1 x1 | + w2 x2
    segments = re.findall(r'<span class="segment">((?:<span class="step">.*?</span>(?:<wbr>)?)+)</span>', page)
    assert [segment.count('class="step"') for segment in segments] == [2, 1, 1, 1]
    assert steps[0].startswith('<math xmlns="http://www.w3.org/1998/Math/MathML" display="inline"><mrow><mi>z</mi>'
                               '<mo>=</mo><msub><mi>w</mi>')
    assert "<mrow/><mo>+</mo><msub><mi>w</mi><mrow><mn>2</mn>" in steps[1]  # binary, not a sign
    assert "<mrow/><mo>=</mo><mn>0.1</mn>" in steps[2]
    assert '<mrow/><mo>=</mo><menclose notation="box"><mrow><mn>0.25</mn>' in steps[3]
    assert "<mtext>exactly</mtext>" in steps[4]


def test_aligned_becomes_a_table_of_right_and_left_columns():
    converted = mathml("\\begin{aligned}\nz &= 0.5 \\\\\n&\\approx 0.25\n\\end{aligned}", True)
    assert converted.startswith('<math xmlns="http://www.w3.org/1998/Math/MathML" display="block">')
    assert converted.count("<mtr>") == 2
    assert '<mtd columnalign="right"><mi>z</mi></mtd>' in converted
    assert "&amp;" not in converted and "linebreak" not in converted


@pytest.mark.parametrize("latex, complaint", [
    (r"\foo{x}", r"'\foo{x}': '\foo' does not convert to MathML (it would show as raw text)"),
    (r"a & b", "does not convert to MathML"),
    (r"a \\ b", "a line break outside an alignment"),
    (r"\left( x", "does not convert to MathML"),
    (r"\nicefrac{1}{2}", r"'\nicefrac' does not convert"),
])
def test_math_that_does_not_convert_is_an_error(latex, complaint):
    with pytest.raises(MathConversionError) as raised:
        mathml(latex)
    assert complaint in str(raised.value) and "\n" not in str(raised.value)


def test_every_macro_allowed_in_problem_prose_converts():
    from solver.inline_math import ALLOWED_MACROS

    arguments = {"frac": "{a}{b}", "tfrac": "{a}{b}", "dfrac": "{a}{b}", "left": "(x\\right)", "right": "",
                 "big": "(", "Big": "("}
    for name in sorted(ALLOWED_MACROS - {"right"}):
        assert "<math" in mathml(f"\\{name}{arguments.get(name, '{x}')}")


def test_styled_characters_use_the_letterlike_block_where_unicode_has_holes():
    assert styled_character("L", "script") == "\u2112"
    assert styled_character("W", "bold") == "\U0001d416"
    assert styled_character("h", "italic") == "\u210e"
    assert styled_character("(", "bold") == "("


# --- what the filters decide -------------------------------------------------------------------------
def test_a_numeric_step_shows_its_result_and_a_rule_shows_nothing_to_hide():
    from solver.equations import chain

    assert step_result(chain("z", "w x + b", "0.1(0.5) + 0.2", "0.25")) == "z = 0.25"
    assert step_result(chain("y", "a - t", "0.3", boxed=True)) == "y = 0.3"
    assert step_result(chain("\\delta", "\\frac{\\partial E}{\\partial z}", "(a - t) a (1 - a)")) == ""
    assert step_result(chain("x", "0.5")) == ""
    assert shows_number("{\\color{bperror}-2.26 \\times 10^{-4}}")
    assert shows_number("\\begin{pmatrix} 0.1 \\\\ -0.2 \\end{pmatrix}")
    assert not shows_number("w_{1} x_{1}")
    assert column_alignments(Table(["a", "b", "c"], [], "lrc")) == ["left", "right", "center"]


# --- the page ------------------------------------------------------------------------------------------
def test_reveal_steps_hides_the_working_and_shows_each_result():
    page = render_html(seed001())
    forward = page[page.index('<section id="forward"'):page.index('<section id="loss"')]
    assert forward.count("<details>") == 6
    assert forward.count("show working</span>") == 6
    first = forward[forward.index("<summary>"):forward.index("</summary>")]
    assert "<mo>≈</mo><mn>0.378</mn>" in first and "0.15" not in first
    assert "<mn>0.15</mn>" in forward[forward.index("</summary>"):forward.index("</details>")]
    assert "<summary><math" in forward and "show working and result" not in forward


def test_reveal_none_hides_results_and_reveal_all_shows_everything():
    hidden = render_html(seed001(reveal="none"))
    shown = render_html(seed001(reveal="all"))
    assert hidden.count("show working and result</span>") == render_html(seed001()).count("show working</span>")
    assert "<details>" not in shown and "show working" not in shown
    assert shown.count('<details class="answer" open>') == 4
    summaries = re.findall(r"<summary>(.*?)</summary>", hidden)
    assert len(summaries) == 1 + hidden.count("show working and result</span>") - 1 + 4
    assert not any("<mn>0.378</mn>" in summary for summary in summaries)


def test_an_unknown_reveal_value_is_one_line_error(tmp_path):
    problem = tmp_path / "p.yaml"
    problem.write_text(SEED001.read_text() + "options: {reveal: half}\n")
    result = CliRunner().invoke(main, ["render", str(problem), "--format", "html", "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {problem}:")
    assert "options.reveal" in lines[0] and "'all', 'steps' or 'none'" in lines[0]
    assert not (tmp_path / "out").exists()


def test_sections_and_parameters_have_anchors_and_a_table_of_contents(pages):
    page = pages["seed001_named_2_2_1"]
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids))
    for section in ("setup", "diagram", "forward", "loss", "backward", "gradients", "update", "after", "self_test"):
        assert f'<section id="{section}" aria-labelledby="{section}-title">' in page
        assert f'<li><a href="#{section}">' in page
    for key in ("W1-1-1", "W1-2-2", "b1-1", "W2-1-2", "b2-1"):
        assert f'id="gradient-{key}"' in page and f'id="update-{key}"' in page
    assert page.count("<h1>") == 1 and page.count("<h2 ") == page.count("<section ") + 1  # + "Contents"
    levels = [int(level) for level in re.findall(r"<h([1-6])[ >]", page)]
    assert levels[0] == 1 and all(b - a <= 1 for a, b in zip(levels, levels[1:]))


def test_the_diagram_is_inline_svg_with_alt_text(pages):
    page = pages["seed003_layered_3_2_2_1"]
    figure = page[page.index('<section id="diagram"'):page.index('<section id="activation"')]
    assert '<div class="svg" role="img" aria-label="Network diagram:' in figure
    assert figure.count("<svg ") == 1 and '<text x=' in figure and "0.7109" in figure
    assert "<img" not in page


@pytest.mark.parametrize("problem", [p.stem for p in PROBLEMS])
def test_pages_parse_without_errors_and_reference_no_other_file_or_host(pages, problem):
    page = pages[problem]
    parser = html5lib.HTMLParser(strict=True)
    parser.parse(page)
    assert parser.errors == []
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids))
    assert re.findall(r'\b(?:src|href|action|poster|data)\s*=\s*"(?!#)([^"]*)"', page) == []
    assert re.findall(r"url\((?!#)[^)]*\)", page) == [] and "@import" not in page
    addresses = set(re.findall(r"https?://[^\s\"']*", page))
    assert addresses == {"http://www.w3.org/1998/Math/MathML", "http://www.w3.org/2000/svg"}  # namespaces, not fetched
    assert "\\frac" not in re.sub(r"<script>.*?</script>|<style>.*?</style>", "", page, flags=re.S)


def test_the_same_rounding_statement_and_sentences_as_the_markdown(pages):
    solution = solve(load_problem(SEED003))
    markdown = render_outputs(solution, ("md",))["handout.md"]
    statement = re.search(r"\*\*Rounding policy\.\*\* (.*)", markdown).group(1).replace("\\", "")
    assert f"<strong>Rounding policy.</strong> {statement}</p>" in pages["seed003_layered_3_2_2_1"].replace("&#39;", "'")


def test_colour_coding_uses_shades_with_at_least_aa_contrast_and_a_legend():
    def luminance(hex_colour):
        channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (0, 2, 4)]
        linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    assert [round(1.05 / (luminance(c.text_hex) + 0.05), 2) for c in PALETTE] == [4.64, 5.19, 4.64, 4.62]
    assert markdown_colours("{\\color{bpinput}x}") == "{\\color{#CC79A7}x}"
    assert markdown_colours("{\\color{bpinput}x}", accessible=True) == "{\\color{#A16084}x}"
    import yaml

    data = yaml.safe_load(SEED001.read_text())
    data["notation"] = {"preset": data["notation"], "colour": True}
    page = render_html(solve(problem_from_mapping(data, "seed001")))
    assert '<p class="legend">Colour code: ' in page
    assert 'mathcolor="#A16084"' in page and 'mathcolor="#C05500"' in page
    assert "#CC79A7" not in page and "#D55E00" not in page


# --- commands -----------------------------------------------------------------------------------------
def test_render_html_writes_only_the_page(tmp_path):
    result = CliRunner().invoke(main, ["render", str(SEED001), "--format", "html", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    folder = tmp_path / "seed001_named_2_2_1"
    assert sorted(p.name for p in folder.iterdir()) == [".handouts-output", "handout.html"]
    assert (folder / "handout.html").read_text().startswith("<!DOCTYPE html>")


def test_build_and_exam_worked_keys_write_html(tmp_path):
    result = CliRunner().invoke(main, ["build", str(SEED001), "--format", "md,html", "--out", str(tmp_path / "b")])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "b" / "seed001_named_2_2_1").iterdir()) == [
        ".handouts-output", "handout.html", "handout.md", "network.svg"]
    result = CliRunner().invoke(main, ["exam", str(FAMILY), "--versions", "2", "--seed", "7", "--format", "html",
                                       "--out", str(tmp_path / "e")])
    assert result.exit_code == 0, result.output
    worked = sorted(p.relative_to(tmp_path / "e").as_posix() for p in (tmp_path / "e" / "worked").rglob("*"))
    assert [p for p in worked if p.endswith(".html")] and all(
        p.endswith("handout.html") for p in worked if "." in p.rsplit("/", 1)[-1])


def test_an_html_worked_key_labels_the_lines_that_answer_each_question_like_the_markdown_key(tmp_path):
    result = CliRunner().invoke(main, ["exam", str(FAMILY), "--versions", "1", "--seed", "7", "--format", "md,html",
                                       "--out", str(tmp_path / "e")])
    assert result.exit_code == 0, result.output
    (folder,) = (tmp_path / "e" / "worked").iterdir()
    markdown = (folder / "handout.md").read_text()
    page = (folder / "handout.html").read_text()
    expected = re.findall(r"\\textbf\{\[(q[0-9, q]+)\]\}", markdown)
    assert len(expected) >= 10 and "q1" in expected
    assert re.findall(r'<strong class="question">\[(q[0-9, q]+)\]</strong>', page) == expected


def test_templates_copy_includes_the_html_templates(tmp_path):
    result = CliRunner().invoke(main, ["templates", "copy", str(tmp_path / "t")])
    assert result.exit_code == 0
    copied = {p.relative_to(tmp_path / "t").as_posix() for p in (tmp_path / "t").rglob("*.j2")}
    assert {"html/handout.html.j2", "html/macros.html.j2", "html/style.css.j2", "html/parts/forward.html.j2"} <= copied
    parts = {p.stem.split(".")[0] for p in (ROOT / "templates" / "markdown" / "parts").glob("*.j2")}
    assert {f"html/parts/{name}.html.j2" for name in parts} <= copied


def test_a_user_template_with_math_that_does_not_convert_is_one_line_error(tmp_path):
    part = tmp_path / "t" / "html" / "parts" / "loss.html.j2"
    part.parent.mkdir(parents=True)
    part.write_text('{{ "\\\\nicefrac{1}{2}" | math }}\n')
    result = CliRunner().invoke(main, ["render", str(SEED001), "--format", "html", "--templates", str(tmp_path / "t"),
                                       "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert result.output.strip() == ("error: HTML math: '\\nicefrac{1}{2}': '\\nicefrac' does not convert to MathML "
                                     "(it would show as raw text)")
    assert not (tmp_path / "out").exists()


def test_prose_from_the_problem_file_is_escaped():
    import yaml

    data = yaml.safe_load(SEED001.read_text())
    data.update(title='<script>alert(1)</script> a&b "q"', author="<b>me</b>", notes="<img src=x> with $\\eta$")
    page = render_html(solve(problem_from_mapping(data, "hostile.yaml")))
    assert "<title>&lt;script&gt;alert(1)&lt;/script&gt; a&amp;b &#34;q&#34;</title>" in page
    assert "<h1>&lt;script&gt;alert(1)&lt;/script&gt; a&amp;b &#34;q&#34;</h1>" in page
    assert '<p class="byline">&lt;b&gt;me&lt;/b&gt;</p>' in page
    assert "<strong>Note.</strong> &lt;img src=x&gt; with <math" in page
    assert "<script>alert" not in page and "<img" not in page and "<b>" not in page


def decimals_shown(text: str) -> collections.Counter:
    """How often each decimal number (0.378, 1.0) occurs in a text."""
    return collections.Counter(re.findall(r"\d+\.\d+", text))


@pytest.mark.parametrize("problem", [p.stem for p in PROBLEMS])
def test_every_number_of_the_markdown_handout_is_on_the_page_as_often(pages, problem):
    markdown = render_outputs(solve(load_problem(ROOT / "problems" / f"{problem}.yaml")), ("md",))["handout.md"]
    body = re.sub(r"<style>.*?</style>|<script>.*?</script>|<svg.*?</svg>|<summary>.*?</summary>", "",
                  pages[problem], flags=re.S)
    text = " ".join(re.findall(r">([^<]*)<", body))
    assert sum(decimals_shown(markdown).values()) > 100
    assert decimals_shown(text) == decimals_shown(markdown)


def test_primes_sit_after_their_base_not_in_a_superscript():
    page = str(mathml(r"\sigma'(z) + {w_{5}}'"))
    assert "<msup>" not in page
    assert page.count('<mo lspace="0" rspace="0">\u2032</mo>') == 2
    assert "<msup>" in str(mathml("w^{2}"))  # an ordinary superscript stays one


def test_both_summary_tables_have_a_caption():
    document = html5lib.parse(render_html(solve(load_problem(SEED003))), namespaceHTMLElements=False)
    summary = document.find(".//section[@id='summary']")
    captions = ["".join(table.find("caption").itertext()) if table.find("caption") is not None else None
                for table in summary.iter("table")]
    assert captions == ["Parameters: gradient, check and update", "Neurons: forward and backward values"]
