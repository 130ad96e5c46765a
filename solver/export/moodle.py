"""moodle.xml: a Moodle XML quiz with one category per family and one cloze question per version.

Each question shows that version's given data (HTML, math as ``\\( ... \\)`` for Moodle's MathJax
filter) and one embedded NUMERICAL answer per graded number, with its absolute tolerance, a weight
proportional to its points and feedback, written in Moodle's documented cloze syntax (special
characters backslash-escaped). Built with lxml; the HTML goes into CDATA sections.
"""
from __future__ import annotations

import base64
import math
from decimal import Decimal
from fractions import Fraction

from lxml import etree

from ..inline_math import prose_segments
from ..rounding import plain


def _html_math(text: str) -> str:
    """Prose with ``$x$`` math as ``\\(x\\)`` (MathJax inline delimiters Moodle recognises) and ``\\$`` as
    a dollar sign."""
    return "".join(f"\\({part['text']}\\)" if part["math"] else part["text"] for part in prose_segments(text))


def _number(value: float) -> str:
    """A float in plain decimal notation, exactly its repr's value (Moodle reads no exponents in cloze)."""
    return plain(Decimal(repr(value)))


def _weights(versions) -> tuple[Fraction, ...]:
    """Points of every answer of every version, to be scaled to whole cloze weights."""
    return tuple(q.answer_points for v in versions for q in v.questions)


CLOZE_SPECIAL = "\\}#~/\""
"""Characters Moodle's cloze syntax reads as syntax inside a subquestion (its documented list); a
backslash before each makes it literal."""


def cloze_escape(text: str) -> str:
    """Text for an answer or feedback inside ``{...}``: every cloze special character backslash-escaped."""
    return "".join(f"\\{c}" if c in CLOZE_SPECIAL else c for c in text)


def category_path(names: list[str]) -> str:
    """A Moodle category path: names joined by ``/``, a ``/`` inside a name written ``//`` (and a name
    that starts or ends with one padded with a space), as Moodle's question import splits them."""
    escaped = []
    for name in names:
        name = name.strip().replace("/", "//")
        escaped.append((" " if name.startswith("/") else "") + name + (" " if name.endswith("/") else ""))
    return "/".join(escaped)


def _subquestion(weight: int, answer, feedback: str | None) -> str:
    """``{w:NUMERICAL:=value:tolerance#right~*#wrong}``: the answer with its tolerance, and feedback
    for a right and for any other answer (the key's answer, and the question's own feedback)."""
    extra = f" {_html_math(feedback)}" if feedback else ""
    right = cloze_escape(f"Correct: {answer.shown}.{extra}")
    wrong = cloze_escape(f"The key's answer is {answer.shown} (\u00b1 {answer.tolerance_shown}).{extra}")
    return (f"{{{weight}:NUMERICAL:={cloze_escape(_number(answer.value))}:{cloze_escape(_number(answer.tolerance))}"
            f"#{right}~*#{wrong}}}")


def _paragraph(parent, text: str):
    element = etree.SubElement(parent, "p")
    element.text = text
    return element


def _question_html(version, instructions: str, scale: int) -> str:
    root = etree.Element("div")
    given = version.given
    _paragraph(root, given.network)
    if version.network_svg:
        source = "data:image/svg+xml;base64," + base64.b64encode(version.network_svg.encode("utf-8")).decode("ascii")
        etree.SubElement(etree.SubElement(root, "p"), "img", src=source, alt=version.diagram_alt,
                         style="max-width:100%")
    _paragraph(root, "\\[\\begin{aligned}" + " \\\\ ".join(given.neurons) + "\\end{aligned}\\]")
    for formula in given.formulas:
        _paragraph(root, f"\\[{formula}\\]")
    table = etree.SubElement(root, "table", border="1", cellpadding="4")
    for row in given.rows:
        cells = etree.SubElement(table, "tr")
        etree.SubElement(cells, "th", style="text-align:left").text = row.title
        etree.SubElement(cells, "td").text = ", ".join(f"\\({symbol} = {value}\\)" for symbol, value in row.items)
    _paragraph(root, instructions)
    questions = etree.SubElement(root, "ol")
    for question in version.questions:
        item = etree.SubElement(questions, "li")
        unit = "point" if question.points == 1 else "points"
        _paragraph(item, f"{_html_math(question.prompt)} ({question.points_shown} {unit})")
        weight = int(question.answer_points * scale)
        for answer in question.answers:
            label = f"\\({answer.label}\\) = " if len(question.answers) > 1 else "Answer: "
            _paragraph(item, label + _subquestion(weight, answer, question.feedback))
    return etree.tostring(root, method="html", encoding="unicode")


def _text(parent, tag: str, text: str, cdata: bool = False, **attributes):
    element = etree.SubElement(parent, tag, **attributes)
    etree.SubElement(element, "text").text = etree.CDATA(text) if cdata else text
    return element


def moodle_xml(title: str, versions, instructions: str) -> str:
    """The quiz as Moodle XML text: a category named after the family, then one cloze question per version."""
    scale = math.lcm(*(weight.denominator for weight in _weights(versions)))
    quiz = etree.Element("quiz")
    category = etree.SubElement(quiz, "question", type="category")
    _text(category, "category", category_path(["$course$", "top", title]))
    _text(category, "info", "", format="html")
    for version in versions:
        question = etree.SubElement(quiz, "question", type="cloze")
        _text(question, "name", f"{title} - version {version.code}")
        _text(question, "questiontext", _question_html(version, instructions, scale), cdata=True, format="html")
        _text(question, "generalfeedback", "", format="html")
        etree.SubElement(question, "penalty").text = "0.3333333"
        etree.SubElement(question, "hidden").text = "0"
        etree.SubElement(question, "idnumber").text = version.code
    return etree.tostring(quiz, xml_declaration=True, encoding="UTF-8", pretty_print=True).decode("utf-8")
