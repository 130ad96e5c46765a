"""Where an inline formula may break across lines. Browsers do not break inside one MathML element, so
the HTML page sets a long formula as several ``<math>`` elements, cut where TeX would rather break: at
the formula's outer level (never inside braces, parentheses, ``\\left ... \\right`` or an environment),
after a comma of a list first, then after a relation or arrow, then after a binary operator (before a
slash: a line that ends in "/" reads as a finished quotient).
"""
from __future__ import annotations

import re

from .equations import visible_width

_FENCE = r"\\(?:left|right)(?![a-zA-Z])\s*(?:\\[a-zA-Z]+|\\.|[^\s\\])"
_TOKEN = re.compile(_FENCE + r"|\\[a-zA-Z]+|\\.|[{}]|[^\\{}\s]|\s+")
_LEFT, _RIGHT = re.compile(r"\\left(?![a-zA-Z])"), re.compile(r"\\right(?![a-zA-Z])")
_COMMAS = {",", ";"}
_RELATIONS = {"=", "<", ">", r"\approx", r"\leftarrow", r"\rightarrow", r"\to", r"\le", r"\ge", r"\leq", r"\geq",
              r"\ne", r"\neq", r"\mapsto"}
_BINARY = {"+", "-", "/", r"\cdot", r"\times", r"\odot"}
_LEVELS = (_COMMAS, _RELATIONS, _BINARY)
"""Break points from the most to the least preferred."""
_OPENING = {"{", "(", "[", r"\begin", r"\lvert", r"\lVert"}
_CLOSING = {"}", ")", "]", r"\end", r"\rvert", r"\rVert"}
_NO_OPERAND = _COMMAS | _RELATIONS | _BINARY | {"^", "_", r"\quad", r"\qquad"}


def break_pieces(latex: str, width: int) -> list[str]:
    """``latex`` cut into pieces of at most ``width`` visible characters where it can be (a piece that has
    no break point stays whole); joined, the pieces are ``latex``."""
    return _pieces(latex, width, 0)


def _pieces(latex: str, width: int, level: int) -> list[str]:
    if visible_width(latex) <= width or level == len(_LEVELS):
        return [latex]
    cut = _cut(latex, _LEVELS[level])
    return [piece for part in cut for piece in _pieces(part, width, level + 1)]


def _cut(latex: str, points: set[str]) -> list[str]:
    """``latex`` cut after each outer-level token of ``points`` (a sign that starts the formula or follows
    an operator is not a binary operator)."""
    tokens = _TOKEN.findall(latex)
    pieces, current, depth, previous = [], "", 0, None
    for index, token in enumerate(tokens):
        if token == "/" and depth == 0 and points is _BINARY and current.strip() and previous not in _NO_OPERAND:
            pieces.append(current)
            current = ""
        current += token
        if token.isspace():
            continue
        if token in _OPENING or _LEFT.match(token):
            depth += 1
        elif token in _CLOSING or _RIGHT.match(token):
            depth -= 1
        elif depth == 0 and token in points - {"/"} and (points is not _BINARY or previous not in _NO_OPERAND | {None}):
            if tokens[index + 1:] and "".join(tokens[index + 1:]).strip():
                pieces.append(current)
                current = ""
        previous = token
    return pieces + [current] if current else pieces
