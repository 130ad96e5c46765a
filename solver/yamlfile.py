"""Read a YAML problem file safely: exact decimals, line numbers, no aliases, no duplicate keys."""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml

from .errors import ProblemError

MAX_FILE_BYTES = 1_000_000

_FLOAT_PATTERN = re.compile(
    r"""^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?
    |[-+]?\.(?:inf|Inf|INF)
    |\.(?:nan|NaN|NAN))$""",
    re.X,
)


class _Refused(yaml.YAMLError):
    """A construct the problem format does not allow, with its line."""

    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line
        self.message = message


class _ExactLoader(yaml.SafeLoader):
    """SafeLoader that keeps numbers exactly as written and refuses aliases and duplicate keys."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise _Refused(event.start_mark.line + 1, f"YAML aliases (*{event.anchor}) are not allowed in problem files")
        return super().compose_node(parent, index)

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if not isinstance(key, str):
                kind = {bool: "a boolean", type(None): "null"}.get(type(key), "a number") \
                    if isinstance(key_node, yaml.ScalarNode) else f"a {type(key).__name__}"
                shown = f" '{key_node.value}'" if isinstance(key_node, yaml.ScalarNode) else ""
                raise _Refused(key_node.start_mark.line + 1,
                               f"keys must be text, but the key{shown} is read as {kind}; quote it")
            if key in seen:
                raise _Refused(key_node.start_mark.line + 1, f"duplicate key '{key}'")
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _construct_decimal(loader, node):
    text = loader.construct_scalar(node)
    lowered = text.lower().lstrip("+")
    if lowered in (".inf", "-.inf"):
        return Decimal("-Infinity" if lowered.startswith("-") else "Infinity")
    if lowered == ".nan":
        return Decimal("NaN")
    try:
        return Decimal(text.replace("_", ""))
    except InvalidOperation as exc:
        raise _Refused(node.start_mark.line + 1, f"cannot read number '{text}'") from exc


_ExactLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers
            if tag not in ("tag:yaml.org,2002:float", "tag:yaml.org,2002:timestamp")]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_ExactLoader.add_implicit_resolver("tag:yaml.org,2002:float", _FLOAT_PATTERN, list("-+0123456789."))
_ExactLoader.add_constructor("tag:yaml.org,2002:float", _construct_decimal)


def _line_map(node, path=(), lines=None) -> dict[tuple, int]:
    """Map every field path (tuple of keys and indices) to the 1-based line it starts on."""
    lines = {} if lines is None else lines
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value
            lines[path + (key,)] = key_node.start_mark.line + 1
            _line_map(value_node, path + (key,), lines)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _line_map(item, path + (index,), lines)
    return lines


class YamlDocument:
    """A parsed YAML mapping with the line of every field, for error messages."""

    def __init__(self, source: str, data, lines: dict[tuple, int]):
        self.source = source
        self.data = data
        self.lines = lines

    def line_of(self, path: tuple) -> int | None:
        """The line of the deepest known prefix of ``path`` (None when only the whole file is known)."""
        for end in range(len(path), 0, -1):
            if path[:end] in self.lines:
                return self.lines[path[:end]]
        return None


def read_text(path: Path) -> str:
    """Read a problem file as UTF-8, refusing huge files and undecodable bytes with a clear error."""
    source = str(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ProblemError(source, "", f"cannot read file: {exc.strerror}") from None
    if size > MAX_FILE_BYTES:
        raise ProblemError(source, "", f"file is {size:,} bytes; problem files are limited to {MAX_FILE_BYTES:,} bytes")
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ProblemError(
            source, "", f"file is not valid UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start})", line
        ) from None


def parse_yaml(text: str, source: str) -> YamlDocument:
    """Parse YAML text into plain data (numbers as exact ``Decimal``/``int``) with a line map."""
    loader = _ExactLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise ProblemError(source, "", "file is empty; expected a mapping of problem fields")
        data = loader.construct_document(node)
    except _Refused as exc:
        raise ProblemError(source, "", exc.message, exc.line) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        context = exc.context or ""
        if exc.context_mark is not None and exc.problem_mark is not None and \
                exc.context_mark.line != exc.problem_mark.line:
            context += f" (line {exc.context_mark.line + 1})"
        message = "invalid YAML: " + ", ".join(part for part in (context, exc.problem) if part)
        if "\\t" in str(exc.problem) or "'\\t'" in str(exc):
            message += " (tabs cannot be used for indentation; use spaces)"
        raise ProblemError(source, "", message, line) from None
    except yaml.YAMLError as exc:
        raise ProblemError(source, "", f"invalid YAML: {exc}") from None
    except RecursionError:
        raise ProblemError(source, "", "invalid YAML: nesting is too deep") from None
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        raise ProblemError(source, "", f"expected a mapping of problem fields at the top level, got {type(data).__name__}")
    return YamlDocument(source, data, _line_map(node))


def load_yaml(path: Path) -> YamlDocument:
    """Read and parse a YAML problem or family file."""
    return parse_yaml(read_text(Path(path)), str(path))
