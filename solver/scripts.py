"""Which TeX engine and fonts print a document's prose, chosen from the characters it uses.

pdflatex prints ASCII and the accented Latin letters and symbols that pylatexenc turns into
T1-encoded macros; that keeps the fast engine (and byte-identical output) for most documents.
Any other character needs LuaLaTeX with a Unicode font: `SCRIPTS` is the static table of
script -> code points, font, font file and Debian package. A character in no script of the table
cannot be printed and is refused, naming the character; a font file that is not installed is
refused when a PDF is built, naming the character and the package to install.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path

from pylatexenc.latexencode import get_builtin_uni2latex_dict

from .errors import ProblemError

PROSE_FIELDS = ("title", "author", "course", "date", "notes")
"""The fields of a problem or family that are printed as prose."""

_PDFLATEX_RANGES = ((0x0080, 0x024F), (0x2000, 0x2BFF))
"""Latin-1, Latin Extended-A/B, punctuation and symbols: printed by pdflatex where pylatexenc
knows a text macro. Greek and Cyrillic are left out on purpose: pylatexenc writes Greek as math
letters and Cyrillic as T2A macros that the T1 fonts do not have."""

_UNI2LATEX = get_builtin_uni2latex_dict()


@dataclass(frozen=True)
class Script:
    """One row of the font table: a script, the code points it claims and the font that prints it."""

    name: str
    ranges: tuple[tuple[int, int], ...]
    font: str
    font_file: str
    package: str
    babel: str | None = None
    """The babel language that switches to this script's font, direction and line breaking (None:
    the font is a fallback of the main font)."""
    rtl: bool = False
    bold: bool = True
    """Whether the font has a bold face (``Font/B``)."""

    def claims(self, code: int) -> bool:
        """Whether the code point belongs to this script."""
        return any(low <= code <= high for low, high in self.ranges)


LATIN = Script("Latin", ((0x0000, 0x036F), (0x1E00, 0x1EFF), (0x2000, 0x22FF)), "Latin Modern Roman",
               "/usr/share/texmf/fonts/opentype/public/lm/lmroman10-regular.otf", "fonts-lmodern")
"""The main font of LuaLaTeX documents (the OpenType Latin Modern of pdflatex's lmodern)."""

_NOTO = "/usr/share/fonts/truetype/noto/"
_NOTO_CJK = "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc"

SCRIPTS = (
    Script("emoji", ((0x1F000, 0x1FAFF), (0x2600, 0x27BF), (0x200D, 0x200D), (0x20E3, 0x20E3),
                     (0xFE00, 0xFE0F), (0xE0020, 0xE007F)),
           "Noto Color Emoji", _NOTO + "NotoColorEmoji.ttf", "fonts-noto-color-emoji", bold=False),
    LATIN,
    Script("Greek", ((0x0370, 0x03FF), (0x1F00, 0x1FFF)), "Noto Serif", _NOTO + "NotoSerif-Regular.ttf",
           "fonts-noto-core"),
    Script("Cyrillic", ((0x0400, 0x052F), (0x1C80, 0x1C8F), (0x2DE0, 0x2DFF), (0xA640, 0xA69F)),
           "Noto Serif", _NOTO + "NotoSerif-Regular.ttf", "fonts-noto-core"),
    Script("Hebrew", ((0x0590, 0x05FF), (0xFB1D, 0xFB4F)), "Noto Serif Hebrew",
           _NOTO + "NotoSerifHebrew-Regular.ttf", "fonts-noto-core", babel="hebrew", rtl=True),
    Script("Arabic", ((0x0600, 0x06FF), (0x0750, 0x077F), (0x08A0, 0x08FF), (0xFB50, 0xFDFF),
                      (0xFE70, 0xFEFF)),
           "Noto Naskh Arabic", _NOTO + "NotoNaskhArabic-Regular.ttf", "fonts-noto-core", babel="arabic",
           rtl=True),
    Script("Japanese", ((0x3040, 0x30FF), (0x31F0, 0x31FF), (0xFF65, 0xFF9F)), "Noto Serif CJK JP",
           _NOTO_CJK, "fonts-noto-cjk", babel="japanese"),
    Script("Chinese", ((0x2E80, 0x2FDF), (0x3000, 0x303F), (0x3400, 0x4DBF), (0x4E00, 0x9FFF),
                       (0xF900, 0xFAFF), (0xFF00, 0xFF64), (0x20000, 0x2FFFF)),
           "Noto Serif CJK SC", _NOTO_CJK, "fonts-noto-cjk", babel="chinese"),
    Script("Korean", ((0x1100, 0x11FF), (0x3130, 0x318F), (0xAC00, 0xD7AF)), "Noto Serif CJK KR",
           _NOTO_CJK, "fonts-noto-cjk", babel="korean"),
)
"""The scripts LuaLaTeX prints, in lookup order (emoji first: it claims joiners and variation
selectors inside the Latin punctuation ranges)."""

_SHARED_HAN = {"Chinese": "Japanese"}
"""Han characters are shared: in a text with kana, Japanese (font and line breaking) prints them."""


def pdflatex_prints(char: str) -> bool:
    """Whether pdflatex with T1 fonts prints `char` (ASCII, or a Latin letter or symbol with a macro)."""
    code = ord(char)
    return code < 0x80 or (code in _UNI2LATEX and any(low <= code <= high for low, high in _PDFLATEX_RANGES))


def script_of(char: str) -> Script | None:
    """The first script of `SCRIPTS` that claims `char`, or None."""
    return next((script for script in SCRIPTS if script.claims(ord(char))), None)


def describe(char: str) -> str:
    """A character for a message: ``'Ж' (U+0416 CYRILLIC CAPITAL LETTER ZHE)``."""
    name = unicodedata.name(char, "")
    shown = repr(char) if char.isprintable() else "a character"
    return f"{shown} (U+{ord(char):04X}{' ' + name if name else ''})"


@dataclass(frozen=True)
class DocumentFonts:
    """The engine and fonts of one LaTeX document, and which character of which field needs each font."""

    engine: str
    scripts: tuple[Script, ...] = ()
    first_use: tuple[tuple[str, str], ...] = ()
    """(field, character) of the first character that needs each script, in the order of `scripts`."""

    @property
    def fallback(self) -> tuple[str, ...]:
        """Fonts that print what the main font (Latin Modern) lacks, for scripts babel does not switch."""
        return tuple(dict.fromkeys(script.font for script in self._fallback_scripts))

    @property
    def bold_fallback(self) -> tuple[str, ...]:
        """The bold faces of `fallback` (the font itself where it has no bold face)."""
        return tuple(dict.fromkeys(script.font + ("/B" if script.bold else "") for script in self._fallback_scripts))

    @property
    def _fallback_scripts(self) -> tuple[Script, ...]:
        return tuple(script for script in self.scripts if script is not LATIN and script.babel is None)

    @property
    def languages(self) -> tuple[Script, ...]:
        """Scripts switched by babel (direction, line breaking, font), one per babel language."""
        names = {script.name for script in self.scripts}
        return tuple(script for script in self.scripts
                     if script.babel and _SHARED_HAN.get(script.name) not in names)

    @property
    def rtl(self) -> bool:
        """Whether any script is written right to left (babel's bidi support is needed)."""
        return any(script.rtl for script in self.scripts)

    def require_installed(self, source: str) -> None:
        """Raise ProblemError for the first script whose font file is not installed, naming the field,
        the character that needs it and the Debian package that has it."""
        for script, (field, char) in zip(self.scripts, self.first_use):
            if not Path(script.font_file).is_file():
                raise ProblemError(source, field, f"{describe(char)} needs the font {script.font} "
                                                  f"({script.font_file}), which is not installed; "
                                                  f"install the Debian package {script.package}")


def document_fonts(fields: dict[str, str], source: str) -> DocumentFonts:
    """The engine and fonts that print every character of `fields` (field name -> prose).

    Raises ProblemError naming the field and the first character that no script of the table prints.
    """
    used: dict[str, tuple[str, str]] = {}
    for field, text in fields.items():
        for char in dict.fromkeys(text):
            if pdflatex_prints(char):
                continue
            script = script_of(char)
            if script is None:
                raise ProblemError(source, field, f"{describe(char)} cannot be printed in the PDF: no font "
                                                  f"is known for it (printable: {printable_scripts()})")
            used.setdefault(script.name, (field, char))
    if not used:
        return DocumentFonts("pdflatex")
    scripts = tuple(script for script in SCRIPTS if script.name in used)
    return DocumentFonts("lualatex", scripts, tuple(used[script.name] for script in scripts))


def printable_scripts() -> str:
    """The scripts of the table, for messages and the README."""
    return ", ".join(script.name for script in SCRIPTS)


def prose_fields(spec) -> dict[str, str]:
    """The prose of a problem or family spec: field name -> text (fields that are set)."""
    return {name: getattr(spec, name) for name in PROSE_FIELDS if getattr(spec, name, None)}
