"""LaTeX math as MathML, converted at build time (latex2mathml) for HTML handouts.

The page shows math without JavaScript or network. Browsers implement MathML Core, which has no
``mathvariant`` styles (bold, script) beyond ``normal``: those letters become the Unicode mathematical
alphanumeric characters, which screen readers also name ("bold W"). A fragment that does not convert
completely (a command latex2mathml does not know stays as raw text, an ``&`` outside an alignment, an
``merror``) raises :class:`MathConversionError` instead of reaching the page.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from latex2mathml.converter import convert
from lxml import etree
from markupsafe import Markup

from .errors import OutputError

MATHML = "http://www.w3.org/1998/Math/MathML"
_TOKENS = {f"{{{MATHML}}}{name}" for name in ("mi", "mn", "mo", "mtext", "ms")}
_VARIANTS = {"bold": "BOLD", "italic": "ITALIC", "bold-italic": "BOLD ITALIC", "script": "SCRIPT",
             "bold-script": "BOLD SCRIPT", "fraktur": "FRAKTUR", "bold-fraktur": "BOLD FRAKTUR",
             "double-struck": "DOUBLE-STRUCK", "sans-serif": "SANS-SERIF", "bold-sans-serif": "SANS-SERIF BOLD",
             "sans-serif-italic": "SANS-SERIF ITALIC", "monospace": "MONOSPACE"}
_LETTERLIKE = {"SCRIPT": "SCRIPT", "FRAKTUR": "BLACK-LETTER", "DOUBLE-STRUCK": "DOUBLE-STRUCK"}
"""Letters that Unicode encodes outside the mathematical block (script L is U+2112, not U+1D4DB)."""
_CHARACTER = re.compile(r"(?:LATIN|GREEK) (CAPITAL|SMALL) LETTER (\w+)|DIGIT (\w+)")
_SIGNS = {"-", "\u2212", "+"}
_CLOSING = {")", "]", "|", "\u2016", "}"}
_ENVIRONMENT = re.compile(r"\\(begin|end)\{aligned\}")


class MathConversionError(OutputError):
    """A math fragment that cannot be shown as MathML."""


def _one_line(latex: str) -> str:
    return " ".join(latex.split())


def styled_character(character: str, variant: str) -> str:
    """``character`` in a ``mathvariant`` style as its Unicode mathematical alphanumeric character
    (``W``, ``bold`` -> U+1D416); characters that are not letters or digits are kept."""
    match = _CHARACTER.fullmatch(unicodedata.name(character, ""))
    if match is None:
        return character
    style = _VARIANTS[variant]
    case, letter, digit = match.groups()
    names = ([f"MATHEMATICAL {style} DIGIT {digit}"] if digit else
             [f"MATHEMATICAL {style} {case} {letter}", f"{_LETTERLIKE.get(style, style)} {case} {letter}"])
    if style == "ITALIC" and (case, letter) == ("SMALL", "H"):
        names.append("PLANCK CONSTANT")
    for name in names:
        try:
            return unicodedata.lookup(name)
        except KeyError:
            continue
    raise KeyError(f"{character!r} has no {variant} form in Unicode")


def _restyle(element, latex: str) -> None:
    """Replace a token's ``mathvariant`` (other than normal) by Unicode styled characters."""
    variant = element.attrib.get("mathvariant")
    if variant is None or variant == "normal":
        return
    if variant not in _VARIANTS:
        raise MathConversionError(f"HTML math: '{_one_line(latex)}': MathML style {variant!r} is not supported")
    try:
        element.text = "".join(styled_character(ch, variant) for ch in element.text or "")
    except KeyError as exc:
        raise MathConversionError(f"HTML math: '{_one_line(latex)}': {exc.args[0]}") from None
    del element.attrib["mathvariant"]


def _space_operators(tree) -> None:
    """TeX spacing where browsers differ: a sign that starts a row or follows an operator (``= -1.0``) is a
    prefix, with no space after it; ``\\left( \\right)`` fences take no space of their own."""
    for element in tree.iter(f"{{{MATHML}}}mo"):
        if element.get("fence") == "true":
            element.set("lspace", "0")
            element.set("rspace", "0")
        if (element.text or "").strip() not in _SIGNS:
            continue
        before = element.getprevious()
        if before is None or (before.tag == f"{{{MATHML}}}mo" and (before.text or "").strip() not in _CLOSING):
            element.set("form", "prefix")


_PRIMES = {"\u2032", "\u2033", "\u2034"}
_TALL = {f"{{{MATHML}}}{name}" for name in ("mfrac", "msqrt", "mroot")}
_SCRIPTED = {f"{{{MATHML}}}{name}" for name in ("munder", "mover", "munderover")}
_BRACKETS = {"(", ")", "[", "]", "|", "\u2016"}
_ORDINARY = {"/", "|", "\u2016"}
"""Operators TeX sets with no space around them (``a/b``, ``\\lvert a \\rvert``), which browsers space like a
relation; a bar that is no ``\\left``/``\\right`` fence does not stretch either."""


def _tall(element) -> bool:
    """Whether ``element`` is taller than a line: a fraction, a root, a matrix of several rows, a limit or
    label set under or over its base (an accent such as ``\\hat`` or ``\\bar``, a lone operator, is not),
    or anything that holds one."""
    if element.tag in _TALL or (element.tag == f"{{{MATHML}}}mtable" and len(element) > 1):
        return True
    if element.tag in _SCRIPTED and any(script.tag != f"{{{MATHML}}}mo" for script in element[1:]):
        return True
    return any(_tall(child) for child in element)


def _stretchy_bracket(element) -> bool:
    return (element.tag == f"{{{MATHML}}}mo" and (element.text or "").strip() in _BRACKETS
            and element.get("stretchy") != "false")


def _fences_fit_their_content(tree) -> None:
    """Brackets around content no taller than a line (``\\left( 1 - a \\right)``, a one-row matrix) keep
    their ordinary size, as TeX's delimiter rules give: stretched, browsers draw them larger, lower and
    with gaps inside. Brackets around tall content still stretch."""
    pairs = [(row[0], row[1:-1], row[-1]) for row in tree.iter(f"{{{MATHML}}}mrow") if len(row) >= 2]
    pairs += [(table.getprevious(), [table], table.getnext()) for table in tree.iter(f"{{{MATHML}}}mtable")
              if table.getprevious() is not None and table.getnext() is not None]  # a matrix's own brackets
    for opening, content, closing in pairs:
        if _stretchy_bracket(opening) and _stretchy_bracket(closing) and not any(map(_tall, content)):
            opening.set("stretchy", "false")
            closing.set("stretchy", "false")


def _operator_names_as_identifiers(tree) -> None:
    """``\\max`` and ``\\operatorname{ReLU}`` come out as ``<mo>max</mo>``, spaced like a relation
    (``max (a, b)``); as ``<mi>`` they read like ``ln`` and ``tanh``, set upright with no space before the
    parenthesis. A slash and a bar are ordinary in TeX: no space around them."""
    for element in tree.iter(f"{{{MATHML}}}mo"):
        text = (element.text or "").strip()
        if len(text) > 1 and text.isalpha():
            element.tag = f"{{{MATHML}}}mi"
        elif text in _ORDINARY and element.get("fence") != "true":
            element.set("lspace", "0")
            element.set("rspace", "0")
            element.set("stretchy", "false")


def _primes_on_baseline(tree) -> None:
    """``x'`` comes out of latex2mathml as ``<msup>x<mi>′</mi></msup>``: a prime glyph, already drawn
    raised, raised again and shrunk, so browsers show a tiny mark like an acute accent. Set it on the
    baseline after its base instead (``<mrow>x<mo>′</mo></mrow>``), as MathML Core advises."""
    for element in list(tree.iter(f"{{{MATHML}}}msup")):
        if len(element) != 2 or (element[1].text or "").strip() not in _PRIMES or len(element[1]):
            continue
        element.tag = f"{{{MATHML}}}mrow"
        prime = element[1]
        prime.tag = f"{{{MATHML}}}mo"
        prime.attrib.clear()
        prime.set("lspace", "0")
        prime.set("rspace", "0")


def _check(tree, latex: str) -> None:
    """Raise MathConversionError when part of the fragment did not convert."""
    for element in tree.iter():
        if element.tag == f"{{{MATHML}}}merror":
            raise MathConversionError(f"HTML math: '{_one_line(latex)}' does not convert to MathML")
        if element.tag == f"{{{MATHML}}}mspace" and element.get("linebreak"):
            raise MathConversionError(f"HTML math: '{_one_line(latex)}': a line break outside an alignment "
                                      "does not convert to MathML")
        text = element.text or ""
        raw = re.search(r"\\[A-Za-z]+|\\.|[&$]", text) if element.tag in _TOKENS else None
        if raw:
            raise MathConversionError(f"HTML math: '{_one_line(latex)}': '{raw.group(0)}' does not convert to "
                                      "MathML (it would show as raw text)")


@lru_cache(maxsize=16384)
def mathml(latex: str, display: bool = False) -> Markup:
    """``latex`` (one formula; ``\\begin{aligned}`` is read as ``align*``) as a ``<math>`` element."""
    source = _ENVIRONMENT.sub(r"\\\1{align*}", latex)
    try:
        converted = convert(source, display="block" if display else "inline")
        tree = etree.fromstring(converted.encode("utf-8"))
    except Exception as exc:  # latex2mathml raises many types for input it cannot read
        raise MathConversionError(f"HTML math: '{_one_line(latex)}' does not convert to MathML: "
                                  f"{_one_line(str(exc)) or type(exc).__name__}") from None
    for element in tree.iter():
        if element.tag in _TOKENS:
            _restyle(element, latex)
    _space_operators(tree)
    _fences_fit_their_content(tree)
    _operator_names_as_identifiers(tree)
    _primes_on_baseline(tree)
    _check(tree, latex)
    return Markup(etree.tostring(tree, encoding="unicode"))
