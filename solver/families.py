"""The family-file format: a problem whose values may be drawing rules, plus questions and constraints.

A family file is a problem file (see ``spec.py``) in which any value may be a rule instead:

* ``{range: [lo, hi], step: s, exclude: [...]}``: a value of the exact decimal grid lo, lo+s, ... <= hi;
* ``{choice: [...]}``: one of the listed values (numbers, names, lists such as layer sizes).

A rule where a vector or matrix is expected (``weights``, ``weights[l]``, ``biases``, ``input``,
``target``, ...) draws every entry of it independently, except a choice between lists, which picks
one whole list (``target: {choice: [[1, 0], [0, 1]]}``). On top come ``questions``, ``constraints``,
``max_attempts`` and ``follow_through`` (see ``grade.py``). Loading validates everything once: every rule, and the problem with each
option of each rule in turn, so a bad option is reported with its field path before any drawing.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Callable, Literal

from pydantic import BeforeValidator, Field, field_validator, model_validator

from .errors import ProblemError
from .parameters import ParameterRef, index_problem, parameter_problem, parse_parameter_key
from .rounding import RoundingPolicy
from .spec import Number, ProblemSpec, Prose, _Model, consistency_problems, format_field_path, validate_document
from .tolerance import load_time_problem, precision_problem
from .yamlfile import YamlDocument, load_yaml

MAX_GRID = 100_000
MAX_QUESTIONS = 50
FAMILY_KEYS = ("questions", "constraints", "max_attempts", "follow_through")
DRAWABLE_FIELDS = ("network", "weights", "biases", "input", "target", "examples", "epochs", "loss", "learning_rate")
"""Top-level fields whose values may be drawing rules. Everything else (title and prose, rounding,
notation, sections, options, convention, questions, constraints) is printed once for the whole exam or
decides how every version is marked, so it must be the same for every version."""
ASK_NAMES = ("output", "loss", "delta", "gradient", "new_weight", "loss_after", "section", "velocity", "moment",
             "batch_gradient")
MOMENT_NAMES = ("first", "second", "first_corrected", "second_corrected")
"""Adam's moments m, v and their bias-corrected m-hat, v-hat; RMSprop's square average is its second moment."""
MOMENT_BUFFERS = {("adam", "first"): "first_moment", ("adam", "second"): "second_moment",
                  ("adam", "first_corrected"): "first_moment_corrected",
                  ("adam", "second_corrected"): "second_moment_corrected", ("rmsprop", "second"): "square_average"}
"""(optimizer, moment) -> the optimizer state (or derived value) a ``moment`` question reads."""


def _tidy(value: Decimal) -> Decimal:
    """A decimal without trailing zeros or exponent (0.30 -> 0.3, 1E+1 -> 10)."""
    value = value.normalize()
    return value.quantize(Decimal(1)) if value.as_tuple().exponent > 0 else value


@lru_cache(maxsize=256)
def _grid(low: Decimal, high: Decimal, step: Decimal, exclude: tuple[Decimal, ...]) -> tuple[Decimal, ...]:
    count = int((high - low) / step) + 1
    return tuple(v for v in (_tidy(low + i * step) for i in range(count)) if v not in exclude)


class RangeRule(_Model):
    """Values on the exact decimal grid ``lo, lo + step, ... <= hi``, minus ``exclude``."""

    range: Annotated[list[Number], Field(min_length=2, max_length=2)]
    step: Number
    exclude: list[Number] = []

    @field_validator("range")
    @classmethod
    def _ordered(cls, bounds):
        if bounds[0] > bounds[1]:
            raise ValueError(f"the lower end {bounds[0]} is above the upper end {bounds[1]}")
        return bounds

    @field_validator("step")
    @classmethod
    def _positive_step(cls, step):
        if step <= 0:
            raise ValueError(f"must be positive, got {step}")
        return step

    @model_validator(mode="after")
    def _non_empty_grid(self):
        if (self.range[1] - self.range[0]) / self.step >= MAX_GRID:
            raise ValueError(f"the grid has more than {MAX_GRID:,} values; use a larger step")
        if not self.values():
            raise ValueError("every value of the grid is excluded")
        return self

    def values(self) -> tuple[Decimal, ...]:
        """Every value that can be drawn, in increasing order."""
        return _grid(self.range[0], self.range[1], self.step, tuple(self.exclude))


class ChoiceRule(_Model):
    """One of the listed values."""

    choice: list[Any] = Field(min_length=1)

    def values(self) -> tuple:
        return tuple(self.choice)


Rule = RangeRule | ChoiceRule


def _tolerance_shorthand(value: Any) -> Any:
    return {"policy": True} if value == "policy" else value


class ToleranceSpec(_Model):
    """How far an answer may be from the exact value: absolute, relative, or half a unit in the
    last place the rounding policy shows (``policy``)."""

    absolute: Number | None = None
    relative: Number | None = None
    policy: bool = False

    @model_validator(mode="after")
    def _exactly_one(self):
        given = [name for name in ("absolute", "relative") if getattr(self, name) is not None]
        if len(given) + self.policy != 1:
            raise ValueError("give exactly one of absolute, relative or policy")
        for name in given:
            if getattr(self, name) <= 0:
                raise ValueError(f"{name}: must be positive, got {getattr(self, name)}")
        return self


_ASK_FIELDS = {
    "output": ((), ("index",)),
    "loss": ((), ()),
    "delta": (("layer", "neuron"), ()),
    "gradient": (("parameter",), ()),
    "new_weight": (("parameter",), ()),
    "loss_after": ((), ()),
    "section": (("section",), ()),
    "velocity": (("parameter",), ()),
    "moment": (("parameter", "moment"), ()),
    "batch_gradient": (("parameter",), ()),
}
"""For each ``ask``: the fields it requires and the fields it may take."""


class QuestionSpec(_Model):
    """One exam question: what it asks for, its points, the precision it asks for (``decimals`` or
    ``significant``; default: the exam's rounding policy), its tolerance, and feedback shown in Moodle
    after an answer (prose with inline math)."""

    id: Annotated[str, Field(pattern=r"^[A-Za-z0-9_.-]{1,32}$")]
    points: Number = Decimal(1)
    ask: Literal[ASK_NAMES]
    index: Annotated[int, Field(ge=1)] | None = None
    layer: Annotated[int, Field(ge=1)] | None = None
    neuron: Annotated[int, Field(ge=1)] | None = None
    parameter: str | None = None
    section: Literal["forward"] | None = None
    moment: Literal[MOMENT_NAMES] | None = None
    step: Annotated[int, Field(ge=1)] = 1
    decimals: Annotated[int, Field(ge=0, le=10)] | None = None
    significant: Annotated[int, Field(ge=1, le=12)] | None = None
    tolerance: Annotated[ToleranceSpec, BeforeValidator(_tolerance_shorthand)] = ToleranceSpec(policy=True)
    feedback: Prose = None

    @field_validator("parameter")
    @classmethod
    def _parameter_name(cls, value):
        if value is not None:
            parse_parameter_key(value)
        return value

    @field_validator("points")
    @classmethod
    def _positive_halves(cls, value):
        if value <= 0 or (value * 2) % 1:
            raise ValueError(f"must be a positive whole or half number (the exam class counts in halves), got {value}")
        return value

    @model_validator(mode="after")
    def _one_precision(self):
        if self.decimals is not None and self.significant is not None:
            raise ValueError("give either decimals or significant, not both")
        return self

    @model_validator(mode="after")
    def _fields_of_ask(self):
        required, optional = _ASK_FIELDS[self.ask]
        for name in required:
            if getattr(self, name) is None:
                raise ValueError(f"ask: {self.ask} needs '{name}'")
        for name in ("index", "layer", "neuron", "parameter", "section", "moment"):
            if getattr(self, name) is not None and name not in required + optional:
                raise ValueError(f"'{name}' is not used with ask: {self.ask}")
        return self

    @property
    def parameter_ref(self) -> ParameterRef | None:
        """The asked parameter (gradient, new_weight), 1-based like ``ParameterRef.key``."""
        return None if self.parameter is None else parse_parameter_key(self.parameter)


CONSTRAINT_NAMES = ("distinct_versions", "no_symmetric_hidden", "min_derivative", "loss_decreases",
                    "nonzero_at_policy")
"""Constraint names in the order a draw is checked (cheap checks before solving)."""


class ConstraintsSpec(_Model):
    """Draws that are rejected and drawn again."""

    nonzero_at_policy: bool = False
    min_derivative: Number | None = None
    loss_decreases: bool = False
    distinct_versions: bool = False
    no_symmetric_hidden: bool = False

    @field_validator("min_derivative")
    @classmethod
    def _positive(cls, value):
        if value is not None and value <= 0:
            raise ValueError(f"must be positive, got {value}")
        return value

    @property
    def active(self) -> tuple[str, ...]:
        return tuple(name for name in CONSTRAINT_NAMES if getattr(self, name) not in (False, None))


class FamilySpec(ProblemSpec):
    """A problem (with every rule replaced by one of its values) plus questions and constraints."""

    title: str = "Backpropagation exam"
    questions: list[QuestionSpec] = Field(min_length=1, max_length=MAX_QUESTIONS)
    constraints: ConstraintsSpec = ConstraintsSpec()
    max_attempts: Annotated[int, Field(ge=1, le=10_000)] = 200
    follow_through: Number = Decimal(1)
    """Share of a question's points for an answer that is wrong only because an earlier answer was
    (``handouts grade``): 1 gives full points, 0 turns follow-through credit off."""

    @field_validator("follow_through")
    @classmethod
    def _share(cls, value):
        if not 0 <= value <= 1:
            raise ValueError(f"must lie between 0 and 1 (the share of the points), got {value}")
        return value

    @field_validator("title", "author", "course", "date")
    @classmethod
    def _no_control_characters(cls, text):
        found = next((c for c in text or "" if unicodedata.category(c) == "Cc"), None)
        if found is not None:
            raise ValueError(f"contains the control character U+{ord(found):04X}; use plain text on one line")
        return text

    @field_validator("questions")
    @classmethod
    def _unique_ids(cls, questions):
        seen = set()
        for question in questions:
            if question.id in seen:
                raise ValueError(f"question id '{question.id}' is used twice")
            seen.add(question.id)
        return questions


def marking_problems(questions: list[QuestionSpec], spec: ProblemSpec) -> list[tuple[tuple, str]]:
    """Questions whose precision cannot be marked in this rounding mode, or whose tolerance rejects
    correctly rounded answers whatever is drawn; each is (field path, message). The tolerance cases that
    depend on the drawn numbers are checked on every drawn version (``answers.answer_question``)."""
    policy = RoundingPolicy.from_spec(spec.rounding)
    found = []
    for number, question in enumerate(questions):
        precision = "decimals" if question.decimals is not None else "significant"
        found += [(("questions", number) + field, problem) for field, problem in (
            ((precision,), precision_problem(question, policy)),
            (("tolerance",), load_time_problem(question, policy))) if problem]
    return found


def question_problems(questions: list[QuestionSpec], spec: ProblemSpec) -> list[tuple[tuple, str]]:
    """Questions that name something this network does not have; each is (field path, message)."""
    layers, found = spec.network.layers, []
    depth = len(layers) - 1
    steps = spec.update_count
    for number, question in enumerate(questions):
        at = ("questions", number)
        if question.step > steps:
            found.append((at + ("step",), f"there are only {steps} SGD steps, got step {question.step}"))
        checks = []
        if question.index is not None:
            checks.append((("index",), index_problem(f"index (one of the {layers[-1]} outputs)",
                                                     question.index, layers[-1])))
        if question.layer is not None:
            layer_problem = index_problem("layer (a non-input layer)", question.layer, depth)
            checks.append((("layer",), layer_problem))
            if layer_problem is None:
                checks.append((("neuron",), index_problem(f"neuron (of layer {question.layer})",
                                                          question.neuron, layers[question.layer])))
        ref = question.parameter_ref
        if ref is not None:
            ref_problem = parameter_problem(ref, layers)
            if ref_problem is None and ref.kind == "bias" and not spec.network.bias:
                ref_problem = f"{ref.key} asks for a bias, but network.bias is false"
            checks.append((("parameter",), ref_problem))
            if ref_problem is None and question.ask in ("velocity", "moment") and ref.kind == "bias" and \
                    not spec.network.train_biases:
                checks.append((("parameter",), f"{ref.key} is a fixed bias (train_biases: false): it has no "
                                               "optimizer state"))
        checks.append((("ask",), _state_problem(question, spec.training.optimizer)))
        found += [(at + field, message) for field, message in checks if message]
    return found


def _state_problem(question: QuestionSpec, optimizer: str) -> str | None:
    """A message when the question asks for optimizer state this problem's optimizer does not keep."""
    if question.ask == "velocity" and optimizer not in ("momentum", "nesterov"):
        return f"velocity needs training.optimizer momentum or nesterov, not {optimizer}"
    if question.ask == "moment" and (optimizer, question.moment) not in MOMENT_BUFFERS:
        kept = [moment for (name, moment) in MOMENT_BUFFERS if name == optimizer]
        return (f"moment {question.moment} is not kept by optimizer {optimizer}"
                + (f" (it keeps: {', '.join(kept)})" if kept else " (use adam or rmsprop)"))
    return None


Picker = Callable[[tuple, tuple], Any]
"""``pick(rule path, entry path) -> value``: chooses the value of one entry drawn from a rule."""


def instantiate(problem: dict, rules: dict[tuple, Rule], pick: Picker) -> tuple[dict, dict[str, Any]]:
    """The problem mapping with every rule replaced by picked values, and the picked values by field
    path. The network is filled first (it fixes the shapes), then the rest in the file's order."""
    drawn: dict[str, Any] = {}

    def draw(path, entry):
        drawn[format_field_path(entry)] = value = pick(path, entry)
        return value

    def fill(node, path, layers):
        if path in rules:
            whole = isinstance(rules[path], ChoiceRule) and all(isinstance(o, list) for o in rules[path].choice)
            return _fill_shape(None if whole else _shape(path, layers), draw, path)
        if isinstance(node, dict):
            return {key: fill(value, path + (key,), layers) for key, value in node.items()}
        if isinstance(node, list):
            return [fill(value, path + (i,), layers) for i, value in enumerate(node)]
        return node

    network = fill(problem.get("network"), ("network",), None)
    layers = network.get("layers") if isinstance(network, dict) else None
    filled = {key: network if key == "network" else fill(value, (key,), layers) for key, value in problem.items()}
    return filled, drawn


def _shape(path: tuple, layers) -> Any:
    """What a rule at ``path`` fills: None (one value), a tuple of sizes, or a list of tuples (per layer)."""
    if not (isinstance(layers, list) and layers and all(isinstance(n, int) for n in layers)):
        return None
    pairs = list(zip(layers[1:], layers[:-1]))
    head, rest = path[0], path[1:]
    if head == "examples" and len(path) == 3:
        head, rest = path[2], ()
    if head == "weights":
        if not rest:
            return pairs
        if rest[0] < len(pairs) and len(rest) <= 2:
            return pairs[rest[0]] if len(rest) == 1 else (pairs[rest[0]][1],)
    if head == "biases":
        if not rest:
            return [(rows,) for rows, _ in pairs]
        if len(rest) == 1 and rest[0] < len(pairs):
            return (pairs[rest[0]][0],)
    if head in ("input", "target") and not rest:
        return (layers[0],) if head == "input" else (layers[-1],)
    return None


def _fill_shape(shape, draw: Callable[[tuple, tuple], Any], path: tuple, prefix: tuple = ()):
    """Nested lists of ``shape`` whose entries are ``draw(rule path, entry path)``, row-major."""
    if isinstance(shape, list):
        return [_fill_shape(part, draw, path, prefix + (i,)) for i, part in enumerate(shape)]
    if not shape:
        return draw(path, path + prefix)
    return [_fill_shape(shape[1:], draw, path, prefix + (i,)) for i in range(shape[0])]


def _is_rule(node) -> bool:
    return isinstance(node, dict) and ("range" in node or "choice" in node)


def _find_rules(node, path: tuple, document: YamlDocument) -> dict[tuple, Rule]:
    """Every rule in the problem part, validated, by field path."""
    if _is_rule(node):
        if not path or path[0] not in DRAWABLE_FIELDS:
            raise ProblemError(document.source, format_field_path(path),
                               "a drawing rule is not allowed here: this field is the same for every version "
                               f"(rules may be used in {', '.join(DRAWABLE_FIELDS)})", document.line_of(path))
        return {path: _validate_rule(node, path, document)}
    found = {}
    if isinstance(node, dict):
        for key, value in node.items():
            found.update(_find_rules(value, path + (key,), document))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found.update(_find_rules(value, path + (index,), document))
    return found


def _validate_rule(node: dict, path: tuple, document: YamlDocument) -> Rule:
    """Validate one rule with the document's line map re-rooted at ``path``; errors name the full path."""
    model = RangeRule if "range" in node else ChoiceRule
    lines = {key[len(path):]: line for key, line in document.lines.items() if key[:len(path)] == path}
    try:
        return validate_document(YamlDocument(document.source, node, lines), model)
    except ProblemError as exc:
        inner = exc.path if exc.path.startswith("[") or not exc.path else "." + exc.path
        raise ProblemError(document.source, format_field_path(path) + inner, exc.message,
                           exc.line or document.line_of(path)) from None


def _validation_pickers(rules: dict[tuple, Rule]):
    """Every rule at its first value, then each other value of each rule in turn (the last grid value
    of a range, every listed value of a choice) with the other rules at their first; each picker with the
    words that say which draw it is (for an error message)."""
    firsts = {path: rule.values()[0] for path, rule in rules.items()}
    yield "", lambda path, entry: firsts[path]
    for varied, rule in rules.items():
        options = rule.values()[1:] if isinstance(rule, ChoiceRule) else rule.values()[1:][-1:]
        for option in options:
            words = (f"{format_field_path(varied) or 'the value'} drawn as {_shown(option)} and every other rule at "
                     "its first value")
            yield words, lambda path, entry, varied=varied, option=option: option if path == varied else firsts[path]


def _shown(value) -> str:
    """A drawn value as a problem file writes it."""
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_shown(v) for v in value) + "]"
    return str(value)


def check_family_problem(mapping: dict, document: YamlDocument) -> FamilySpec:
    """Validate one instantiation of a family (questions included); raise ProblemError for the first mistake."""
    located = YamlDocument(document.source, mapping, document.lines)
    spec = validate_document(located, FamilySpec)
    problems = (consistency_problems(spec) or question_problems(spec.questions, spec)
                or marking_problems(spec.questions, spec))
    if problems:
        loc, message = problems[0]
        raise ProblemError(document.source, format_field_path(loc), message, located.line_of(loc))
    return spec


@dataclass(frozen=True)
class Family:
    """A validated family file: its problem part with rules, the rules by field path, and the spec
    (validated with every rule at its first value: questions, constraints and max_attempts)."""

    source: str
    problem: dict
    rules: dict[tuple, Rule]
    spec: FamilySpec
    sha256: str

    @property
    def name(self) -> str:
        return Path(self.source).stem

    @property
    def questions(self) -> list[QuestionSpec]:
        return self.spec.questions

    @property
    def constraints(self) -> ConstraintsSpec:
        return self.spec.constraints

    def instantiate(self, pick: Picker) -> tuple[dict, dict[str, Any]]:
        """See :func:`instantiate`."""
        return instantiate(self.problem, self.rules, pick)


def load_family(path: str | Path) -> Family:
    """Read and validate a family file: every rule, then the problem with every value of every rule."""
    path = Path(path)
    document = load_yaml(path)
    problem = {key: value for key, value in document.data.items() if key not in FAMILY_KEYS}
    extra = {key: value for key, value in document.data.items() if key in FAMILY_KEYS}
    rules = _find_rules(problem, (), document)
    _find_rules(extra, (), document)
    specs = []
    for words, pick in _validation_pickers(rules):
        try:
            specs.append(check_family_problem({**instantiate(problem, rules, pick)[0], **extra}, document))
        except ProblemError as exc:
            if not specs:
                raise
            # load time proves each rule's values one at a time; rules that only work together (targets that
            # must sum to 1) are refused here, so say which draw failed
            raise ProblemError(exc.source, exc.path, f"{exc.message} (in the draw with {words}; every value of "
                               "each rule must give a valid problem with the others at their first, so draw values "
                               "that only work together as one choice of whole lists)", exc.line) from None
    return Family(document.source, problem, rules, specs[0], document.sha256)
