"""Text values of a loaded file, made uniform before validation: one line ending, no lone surrogates."""
from __future__ import annotations

import re

_SURROGATE = re.compile("[\ud800-\udfff]")
_LINE_END = re.compile("\r\n?")


class LoneSurrogate(ValueError):
    """A string holds a lone surrogate; `path` is the field (a tuple of keys and indexes)."""

    def __init__(self, path: tuple, message: str):
        super().__init__(message)
        self.path = path
        self.message = message


def normalised_text(data, path: tuple = ()):
    """`data` (parsed YAML) with every ``\\r\\n`` and ``\\r`` in its strings and keys turned into ``\\n``.

    A string or key with a lone surrogate (``"\\ud800"`` is no character: it cannot be written as
    UTF-8) raises LoneSurrogate naming the field.
    """
    if isinstance(data, str):
        surrogate = _SURROGATE.search(data)
        if surrogate:
            raise LoneSurrogate(path, f"contains a lone surrogate U+{ord(surrogate.group()):04X} at position "
                                      f"{surrogate.start() + 1}, which is not a character")
        return _LINE_END.sub("\n", data)
    if isinstance(data, dict):
        return {normalised_text(key, path): normalised_text(value, (*path, key)) for key, value in data.items()}
    if isinstance(data, list):
        return [normalised_text(item, (*path, index)) for index, item in enumerate(data)]
    return data
