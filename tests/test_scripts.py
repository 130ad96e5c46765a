"""Prose in any script prints in the PDF (pdftotext gives it back), or the build stops naming the
character and the Debian package; never a silent "?". Also: line endings in prose are normalised at load."""
from __future__ import annotations

import dataclasses
from collections import Counter
import subprocess
import unicodedata
from pathlib import Path

import pytest
import yaml

from solver import scripts
from solver.build import render_problem
from solver.errors import ProblemError
from solver.latex_build import document_engine, first_error
from solver.render import escape_latex, render_handout
from solver.spec import load_problem, problem_from_mapping
from solver.api import solve

ROOT = Path(__file__).resolve().parent.parent
SEED001 = ROOT / "problems" / "seed001_named_2_2_1.yaml"

def _problem(title: str, notes: str, source: Path):
    data = yaml.safe_load(SEED001.read_text(encoding="utf-8"))
    data.update(title=title, notes=notes)
    source.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return load_problem(source)


def test_ascii_and_t1_latin_keep_pdflatex_and_their_macros():
    fonts = scripts.document_fonts({"title": "Backprop", "author": "Eng. Ahmed Métwalli – “q” 0.5 €"}, "p.yaml")
    assert fonts == scripts.DocumentFonts("pdflatex")
    assert escape_latex("Métwalli 50% “q”") == "M{\\'e}twalli 50\\% {\\textquotedblleft}q{\\textquotedblright}"


def test_letters_pdflatex_lacks_stay_unicode_instead_of_a_bold_question_mark():
    assert escape_latex("ș Ж ế 中 😀 ש") == "ș Ж ế 中 😀 ש"
    assert escape_latex("Ελ_") == "Ελ\\_"


def test_each_script_picks_its_font_package_and_babel_language():
    fonts = scripts.document_fonts({"title": "Привет 😀", "notes": "שלום 中文 かな"}, "p.yaml")
    assert fonts.engine == "lualatex"
    assert [script.name for script in fonts.scripts] == ["emoji", "Cyrillic", "Hebrew", "Japanese", "Chinese"]
    assert fonts.first_use == (("title", "😀"), ("title", "П"), ("notes", "ש"), ("notes", "か"), ("notes", "中"))
    assert fonts.fallback == ("Noto Color Emoji", "Noto Serif")
    assert fonts.bold_fallback == ("Noto Color Emoji", "Noto Serif/B")
    assert [script.babel for script in fonts.languages] == ["hebrew", "japanese"]
    assert fonts.rtl
    assert {script.package for script in fonts.scripts} == {"fonts-noto-color-emoji", "fonts-noto-core",
                                                           "fonts-noto-cjk"}


def test_vietnamese_needs_lualatex_but_no_extra_font():
    fonts = scripts.document_fonts({"title": "Tiếng Việt"}, "p.yaml")
    assert (fonts.engine, fonts.fallback, fonts.languages) == ("lualatex", (), ())


def test_a_character_no_font_prints_is_refused_naming_it():
    with pytest.raises(ProblemError) as caught:
        scripts.document_fonts({"title": "ok", "notes": "สวัสดี"}, "p.yaml")
    assert str(caught.value) == ("p.yaml: notes: 'ส' (U+0E2A THAI CHARACTER SO SUA) cannot be printed in the PDF: "
                                 "no font is known for it (printable: emoji, Latin, Greek, Cyrillic, Hebrew, "
                                 "Arabic, Japanese, Chinese, Korean)")


def test_unknown_script_in_a_title_stops_the_tex_render_and_writes_nothing(tmp_path):
    problem = _problem("สวัสดี", "x", tmp_path / "thai.yaml")
    with pytest.raises(ProblemError, match=r"title: 'ส' \(U\+0E2A THAI CHARACTER SO SUA\) cannot be printed"):
        render_problem(problem, tmp_path / "out", ("tex", "md"))
    assert not (tmp_path / "out").exists()


def test_a_missing_font_file_stops_the_pdf_build_naming_the_package(tmp_path, monkeypatch):
    table = tuple(dataclasses.replace(script, font_file=str(tmp_path / "gone.ttf")) if script.name == "Cyrillic"
                  else script for script in scripts.SCRIPTS)
    monkeypatch.setattr(scripts, "SCRIPTS", table)
    problem = _problem("Обратное", "x", tmp_path / "ru.yaml")
    with pytest.raises(ProblemError) as caught:
        render_problem(problem, tmp_path / "out", ("tex", "md", "pdf"))
    assert str(caught.value) == (f"{problem.source}: title: 'О' (U+041E CYRILLIC CAPITAL LETTER O) needs the font "
                                 f"Noto Serif ({tmp_path / 'gone.ttf'}), which is not installed; install the "
                                 "Debian package fonts-noto-core")
    assert not (tmp_path / "out").exists()
    render_problem(problem, tmp_path / "tex_only", ("tex",))
    assert (tmp_path / "tex_only" / "ru" / "handout.tex").is_file()


def test_pdflatex_documents_name_no_engine_and_lualatex_documents_do(tmp_path):
    plain = tmp_path / "plain.tex"
    plain.write_text(render_handout(solve(load_problem(SEED001)), "tex"), encoding="utf-8")
    assert plain.read_text(encoding="utf-8").startswith("\\documentclass[10pt]{article}\n")
    assert document_engine(plain) == "pdflatex"
    unicode = tmp_path / "unicode.tex"
    unicode.write_text(render_handout(solve(_problem("Привет", "x", tmp_path / "ru.yaml")), "tex"), encoding="utf-8")
    assert unicode.read_text(encoding="utf-8").startswith("% !TEX program = lualatex\n\\documentclass")
    assert document_engine(unicode) == "lualatex"


def test_a_lost_character_in_the_log_is_named():
    log = ("[1\n\nMissing character: There is no \u0e2a (U+0E2A) in font LatinModernRoman:mode=node;"
           "script=latn;language=dflt;+tlig;!\n.\nl.16 \\end{document}\n")
    assert first_error(log) == "no glyph for \u0e2a (U+0E2A) in the font LatinModernRoman"


def test_carriage_returns_in_prose_become_line_breaks_at_load(tmp_path):
    data = yaml.safe_load(SEED001.read_text(encoding="utf-8"))
    data.update(notes="line one\r\nline two\rthree", author="A\rB")
    problem = problem_from_mapping(data, "cr.yaml")
    assert (problem.spec.notes, problem.spec.author) == ("line one\nline two\nthree", "A\nB")
    markdown = render_handout(solve(problem), "md")
    assert "\r" not in markdown
    assert "**Note.** line one line two three\n" in markdown


MIXED_TITLE = "Обратное Οπισθοδιάδοση Rețea ngược 誤差逆伝播法 역전파 🧠"
MIXED_NOTES = "התפשטות לאחור. الانتشار الخلفي. One step 🚀."


def test_prose_in_every_script_prints_in_one_pdf(tmp_path):
    """A real LuaLaTeX build of Cyrillic, Greek, Romanian, Vietnamese, Japanese, Korean and an emoji in the title
    and Hebrew, Arabic and an emoji in the notes. pdftotext reads every left-to-right word back (letters after
    NFKC) and every right-to-left letter (it splits Arabic ligatures and may reorder words); each script's font
    is embedded and each emoji is a colour bitmap on the page. One document keeps the suite fast."""
    problem = _problem(MIXED_TITLE, MIXED_NOTES, tmp_path / "mixed.yaml")
    render_problem(problem, tmp_path / "out", ("pdf",))
    pdf = str(tmp_path / "out" / "mixed" / "handout.pdf")
    run = lambda *command: subprocess.run(command, capture_output=True, text=True, check=True).stdout  # noqa: E731
    letters = lambda text: "".join(c for c in unicodedata.normalize("NFKC", text) if c.isalnum())  # noqa: E731
    extracted = letters(run("pdftotext", "-enc", "UTF-8", "-l", "1", pdf, "-"))
    for word in MIXED_TITLE.split() + ["One", "step"]:
        assert letters(word) in extracted, word
    right_to_left = "".join(c for c in MIXED_NOTES if unicodedata.bidirectional(c) in ("R", "AL"))
    assert len(right_to_left) == 26 and not Counter(right_to_left) - Counter(extracted)
    fonts = run("pdffonts", pdf)
    for font in ("NotoSerif-Bold", "NotoSerifCJK", "NotoSerifHebrew-Regular", "NotoNaskhArabic-Regular", "LMRoman"):
        assert font in fonts, font
    images = [line for line in run("pdfimages", "-list", "-f", "1", "-l", "1", pdf).splitlines()[2:]
              if line.split()[2] == "image"]
    assert len(images) == 2  # one bitmap per emoji
