"""Test helper: check that math in generated Markdown renders in KaTeX and MathJax.

`render_errors` hands fragments to ``tests/mathcheck/check.js`` (Node.js, with
the packages from ``tests/mathcheck/package-lock.json`` installed by ``make
test``); `extract_math` pulls the fragments out of Markdown text.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

CHECKER_DIR = Path(__file__).resolve().parent / "mathcheck"
CHECK_JS = CHECKER_DIR / "check.js"

_FENCE_OPEN = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)", re.DOTALL)


def render_errors(fragments: list[tuple[str, bool]], timeout: float = 120) -> list[str]:
    """Return one readable message per fragment and renderer that fails.

    Each fragment is ``(tex, display)``. All fragments are checked in a single
    Node.js run; an empty list means every fragment renders in both KaTeX and
    MathJax.
    """
    if not fragments:
        return []
    if shutil.which("node") is None or not (CHECKER_DIR / "node_modules").is_dir():
        raise RuntimeError(
            "the math checker needs Node.js and its packages: run `make test` "
            "(or `npm ci` in tests/mathcheck)"
        )
    payload = json.dumps([{"tex": tex, "display": display} for tex, display in fragments])
    proc = subprocess.run(
        ["node", str(CHECK_JS)],
        input=payload,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"check.js failed ({proc.returncode}): {proc.stderr.strip()}")
    messages = []
    for item in json.loads(proc.stdout):
        tex, display = fragments[item["index"]]
        delimiter = "$$" if display else "$"
        messages.append(
            f"{item['renderer']}: fragment {item['index']} "
            f"{delimiter}{tex}{delimiter}: {item['error']}"
        )
    return messages


def _blank_code(markdown_text: str) -> str:
    """Return the text with fenced code blocks and inline code spans blanked out."""
    kept = []
    fence = None
    for line in markdown_text.splitlines(keepends=True):
        match = _FENCE_OPEN.match(line)
        if fence is None and match:
            fence = match.group(1)
            kept.append("\n")
        elif fence is not None:
            closing = line.strip()
            if closing and set(closing) == {fence[0]} and len(closing) >= len(fence):
                fence = None
            kept.append("\n")
        else:
            kept.append(line)
    return _CODE_SPAN.sub(lambda m: " " * len(m.group(0)), "".join(kept))


def extract_math(markdown_text: str) -> list[tuple[str, bool]]:
    """Return the math fragments of Markdown text as ``(tex, display)`` pairs.

    ``$$...$$`` is display math and ``$...$`` inline math. Fenced code blocks
    and inline code are ignored, and a backslash escapes the next character,
    so ``\\$`` is a literal dollar sign outside math and stays part of the TeX
    inside it. Inline math does not cross a blank line, and a delimiter
    that is never closed is taken as literal text.
    """
    text = _blank_code(markdown_text)
    fragments = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == "\\":
            i += 2
            continue
        if char != "$":
            i += 1
            continue
        display = text.startswith("$$", i)
        start = i + (2 if display else 1)
        end = _closing_dollar(text, start, display)
        if end is None:
            i = start
            continue
        fragments.append((text[start:end].strip(), display))
        i = end + (2 if display else 1)
    return fragments


def _closing_dollar(text: str, start: int, display: bool) -> int | None:
    """Return the index of the delimiter closing math that starts at `start`.

    Inline math follows Pandoc's rule: the opening ``$`` must not be followed
    by a space, and the closing ``$`` must not follow a space nor precede a
    digit, so ``$5 and $10`` holds no math.
    """
    if not display and (start >= len(text) or text[start].isspace()):
        return None
    j = start
    while j < len(text):
        char = text[j]
        if char == "\\":
            j += 2
            continue
        if not display and text.startswith("\n\n", j):
            return None
        if char == "$":
            if display and text.startswith("$$", j):
                return j
            if not display and not text[j - 1].isspace() and not text[j + 1 : j + 2].isdigit():
                return j
        j += 1
    return None
