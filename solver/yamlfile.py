"""Read a YAML problem file safely under the YAML 1.2 core schema: numbers exactly as written, line numbers,
only plain values, lists and mappings (no other tags, no %TAG directives), no aliases, no duplicate keys."""
from __future__ import annotations

import hashlib
import re
import unicodedata
from decimal import Decimal
from pathlib import Path

import yaml

from .errors import ProblemError
from .reading import ReadFailure, read_utf8

MAX_NUMBER_DIGITS = 100
"""The most digits a number in a YAML file may have (problem values need at most 16)."""

_CORE = "tag:yaml.org,2002:"
_NULL = re.compile(r"~|null|Null|NULL|")
_BOOL = re.compile(r"true|True|TRUE|false|False|FALSE")
_INT = re.compile(r"[-+]?[0-9]+")
_RADIX_INT = re.compile(r"0o[0-7]+|0x[0-9a-fA-F]+")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
                    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)")
_IMPLICIT = ((_CORE + "null", _NULL), (_CORE + "bool", _BOOL), (_CORE + "int", _INT),
             (_CORE + "int", _RADIX_INT), (_CORE + "float", _FLOAT))
"""How a plain (unquoted, untagged) scalar is read, in this order (YAML 1.2 core schema): ``010`` is ten;
``yes``, ``on`` and ``1:30`` are text."""
_KINDS = {yaml.ScalarNode: "a single value", yaml.SequenceNode: "a list", yaml.MappingNode: "a mapping"}
_NOT_PRINTABLE = yaml.reader.Reader.NON_PRINTABLE


class _Refused(yaml.YAMLError):
    """A construct the problem format does not allow, with its line and, for a value, its node."""

    def __init__(self, line: int, message: str, node=None):
        super().__init__(message)
        self.line = line
        self.message = message
        self.node = node


def _refused_value(node, message: str) -> _Refused:
    return _Refused(_line(node), message, node)


def _line(node_or_token) -> int:
    return node_or_token.start_mark.line + 1


def _short_tag(tag: str) -> str:
    return "!!" + tag[len(_CORE):] if tag.startswith(_CORE) else tag


class _ExactLoader(yaml.SafeLoader):
    """A YAML 1.2 core-schema loader that keeps numbers exact and refuses everything else."""

    yaml_implicit_resolvers: dict = {}
    yaml_constructors: dict = {}

    def resolve(self, kind, value, implicit):
        """The tag of an untagged node: plain scalars by the core-schema patterns, everything else as text,
        list or mapping."""
        if kind is yaml.ScalarNode and implicit[0]:
            return next((tag for tag, pattern in _IMPLICIT if pattern.fullmatch(value)), self.DEFAULT_SCALAR_TAG)
        return super().resolve(kind, value, implicit)

    def process_directives(self):
        line = _line(self.peek_token()) if self.check_token(yaml.DirectiveToken) else None
        version, tags = super().process_directives()
        if tags:
            raise _Refused(line, "YAML %TAG directives are not allowed in problem files")
        if version not in (None, (1, 2)):
            raise _Refused(line, f"%YAML {version[0]}.{version[1]}: problem files are read as YAML 1.2; "
                                 "remove the directive")
        return version, tags

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise _Refused(_line(event), f"YAML aliases (*{event.anchor}) are not allowed in problem files")
        return super().compose_node(parent, index)

    def construct_mapping(self, node, deep=False):
        _require_kind(node, yaml.MappingNode)
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if not isinstance(key, str):
                kind = {bool: "a boolean", type(None): "null"}.get(type(key), "a number") \
                    if isinstance(key_node, yaml.ScalarNode) else f"a {type(key).__name__}"
                shown = f" '{key_node.value}'" if isinstance(key_node, yaml.ScalarNode) else ""
                raise _Refused(_line(key_node), f"keys must be text, but the key{shown} is read as {kind}; quote it")
            if key in seen:
                raise _Refused(_line(key_node), f"duplicate key '{key}'")
            seen.add(key)
        return super().construct_mapping(node, deep=deep)

    def construct_sequence(self, node, deep=False):
        _require_kind(node, yaml.SequenceNode)
        return super().construct_sequence(node, deep=deep)


def _require_kind(node, kind) -> None:
    if not isinstance(node, kind):
        raise _refused_value(node, f"{_short_tag(node.tag)} needs {_KINDS[kind]}, but it is given {_KINDS[type(node)]}")


def _scalar_text(node, pattern: re.Pattern) -> str:
    """The text of a scalar node, which must match ``pattern`` (explicit tags such as ``!!int abc``)."""
    _require_kind(node, yaml.ScalarNode)
    if not pattern.fullmatch(node.value):
        raise _refused_value(node, f"'{node.value}' is not a valid {_short_tag(node.tag)}")
    return node.value


def _check_length(text: str, node) -> None:
    digits = sum(ch.isdigit() for ch in text)
    if digits > MAX_NUMBER_DIGITS:
        raise _refused_value(node, f"the number {text[:12]}... has {digits:,} digits; numbers in problem files "
                                    f"have at most {MAX_NUMBER_DIGITS}")


def _construct_null(loader, node) -> None:
    _scalar_text(node, _NULL)


def _construct_bool(loader, node) -> bool:
    return _scalar_text(node, _BOOL).lower() == "true"


def _construct_int(loader, node) -> int:
    if isinstance(node, yaml.ScalarNode) and _RADIX_INT.fullmatch(node.value):
        base = "a hexadecimal" if node.value.startswith("0x") else "an octal"
        raise _refused_value(node, f"{node.value} is {base} number; write numbers in decimal "
                                    f"({int(node.value, 0)})")
    text = _scalar_text(node, _INT)
    _check_length(text, node)
    return int(text)


def _construct_decimal(loader, node) -> Decimal:
    text = _scalar_text(node, _FLOAT)
    _check_length(text, node)
    lowered = text.lower().lstrip("+")
    if lowered in (".inf", "-.inf"):
        return Decimal("-Infinity" if lowered.startswith("-") else "Infinity")
    if lowered == ".nan":
        return Decimal("NaN")
    return Decimal(text)


def _construct_str(loader, node) -> str:
    _require_kind(node, yaml.ScalarNode)
    return node.value


def _refuse_tag(loader, node):
    raise _refused_value(node, f"the YAML tag {_short_tag(node.tag)} is not allowed in problem files "
                                "(only plain values, lists and mappings)")


for _tag, _constructor in {
    "null": _construct_null,
    "bool": _construct_bool,
    "int": _construct_int,
    "float": _construct_decimal,
    "str": _construct_str,
    "seq": yaml.SafeLoader.construct_yaml_seq,
    "map": yaml.SafeLoader.construct_yaml_map,
}.items():
    _ExactLoader.add_constructor(_CORE + _tag, _constructor)
_ExactLoader.add_constructor(None, _refuse_tag)


def format_field_path(loc: tuple) -> str:
    """('weights', 1, 0) -> 'weights[1][0]'."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _field_of(root, target) -> str:
    """The field path of node ``target`` in the tree under ``root`` ('' when it is the root or not found)."""
    pending = [(root, ())]
    while pending:
        node, path = pending.pop()
        if node is target:
            return format_field_path(path)
        if isinstance(node, yaml.MappingNode):
            pending.extend((value, path + (key.value,)) for key, value in node.value)
        elif isinstance(node, yaml.SequenceNode):
            pending.extend((item, path + (index,)) for index, item in enumerate(node.value))
    return ""


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
    """A parsed YAML mapping with the line of every field, for error messages (and the file's SHA-256)."""

    def __init__(self, source: str, data, lines: dict[tuple, int], sha256: str = ""):
        self.source = source
        self.data = data
        self.lines = lines
        self.sha256 = sha256

    def line_of(self, path: tuple) -> int | None:
        """The line of the deepest known prefix of ``path`` (None when only the whole file is known)."""
        for end in range(len(path), 0, -1):
            if path[:end] in self.lines:
                return self.lines[path[:end]]
        return None


def _check_printable(text: str, source: str) -> None:
    """Refuse characters YAML does not allow in a file (NUL, other control bytes), with their line."""
    bad = _NOT_PRINTABLE.search(text)
    if bad:
        char = bad.group()
        kind = "control character" if unicodedata.category(char) == "Cc" else "character"
        raise ProblemError(source, "", f"the {kind} U+{ord(char):04X} is not allowed in a YAML file; remove it",
                           text.count("\n", 0, bad.start()) + 1)


def parse_yaml(text: str, source: str, sha256: str = "") -> YamlDocument:
    """Parse YAML text into plain data (numbers as exact ``Decimal``/``int``) with a line map."""
    _check_printable(text, source)
    loader = _ExactLoader(text)
    node = None
    try:
        node = loader.get_single_node()
        if node is None:
            raise ProblemError(source, "", "file is empty; expected a mapping of problem fields")
        data = loader.construct_document(node)
    except _Refused as exc:
        field = _field_of(node, exc.node) if node is not None and exc.node is not None else ""
        raise ProblemError(source, field, exc.message, exc.line) from None
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
    return YamlDocument(source, data, _line_map(node), sha256)


def load_yaml(path: Path) -> YamlDocument:
    """Read (at most the size limit) and parse a YAML problem or family file."""
    source = str(path)
    try:
        text, raw = read_utf8(Path(path))
    except ReadFailure as exc:
        raise ProblemError(source, "", exc.message, exc.line) from None
    return parse_yaml(text, source, hashlib.sha256(raw).hexdigest())
