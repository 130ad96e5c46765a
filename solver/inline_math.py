"""Inline math in prose fields (``notes``): ``$...$`` spans checked against an allow-list of macros.

Problem files reach pdflatex, so a math span may only hold letters, digits, operators, braces, sub- and
superscripts and the macros below; anything else (``\\input``, ``\\def``, ``#``, ``%``...) is refused at
load time. ``\\$`` writes a literal dollar sign.
"""
from __future__ import annotations

import re

from .symbols import GREEK

ALLOWED_MACROS = frozenset(GREEK + tuple((
    "hat bar tilde vec dot mathcal mathrm mathbf boldsymbol mathit operatorname text frac tfrac dfrac sqrt "
    "cdot times div pm mp le leq ge geq ne neq approx equiv sim propto to rightarrow leftarrow Rightarrow "
    "mapsto in notin subset cup cap sum prod int partial nabla infty ldots cdots dots odot otimes circ "
    "sigma tanh ln log exp max min sin cos left right big Big langle rangle lvert rvert vert quad qquad top"
).split()))
_MACRO = re.compile(r"\\([A-Za-z]+)")
_SPAN = re.compile(r"(?<!\\)\$(.*?)(?<!\\)\$", re.DOTALL)
_SAFE_CHARACTERS = re.compile(r"[A-Za-z0-9\s+\-*/=<>()\[\]{}^_.,;:!|'\\]*")


def math_problem(latex: str) -> str | None:
    """Why a math span is refused, or None when it only uses allowed characters and macros."""
    if not _SAFE_CHARACTERS.fullmatch(latex):
        bad = next(ch for ch in latex if not _SAFE_CHARACTERS.fullmatch(ch))
        return f"'{bad}' is not allowed inside $...$"
    for name in _MACRO.findall(latex):
        if name not in ALLOWED_MACROS:
            return f"\\{name} is not allowed inside $...$ (use letters, digits, operators and common macros)"
    if re.search(r"\\[^A-Za-z,;! ]", latex):
        return "a backslash must start a macro name inside $...$"
    depth = 0
    for ch in latex:
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if depth < 0:
            break
    if depth != 0:
        return "unbalanced braces inside $...$"
    return None


def prose_problem(text: str) -> str | None:
    """Why a prose field with inline math is refused, or None."""
    unescaped = re.sub(r"\\\$", "", text)
    if unescaped.count("$") % 2:
        return "has an unmatched $ (write \\$ for a dollar sign)"
    for span in _SPAN.findall(text):
        problem = math_problem(span)
        if problem:
            return problem
    return None


def prose_segments(text: str) -> list[dict]:
    """A checked prose field as text and math segments (``\\$`` becomes a literal dollar in the text)."""
    segments, position = [], 0
    for match in _SPAN.finditer(text):
        if match.start() > position:
            segments.append({"math": False, "text": text[position:match.start()].replace("\\$", "$")})
        segments.append({"math": True, "text": match.group(1)})
        position = match.end()
    if position < len(text):
        segments.append({"math": False, "text": text[position:].replace("\\$", "$")})
    return segments
