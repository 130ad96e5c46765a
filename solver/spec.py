"""The problem-file format: validation models, consistency checks and loading."""
from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    ValidationError,
    WithJsonSchema,
    model_validator,
)

from .errors import ProblemError
from .functions import ACTIVATION_NAMES, ACTIVATIONS, LOSS_NAMES, LOSSES
from .inline_math import prose_problem
from .parameters import ParameterRef, parameter_count, parameter_problem
from .plain_text import LoneSurrogate, normalised_text
from .sections import SECTION_NAMES
from .symbols import check_symbol
from .yamlfile import YamlDocument, format_field_path, load_yaml

MAX_WIDTH = 64
MAX_LAYERS = 8
MAX_ABS_VALUE = Decimal(1000)
MAX_DECIMAL_PLACES = 12
MAX_EXAMPLES = 50
MAX_EPOCHS = 50
MAX_PARAMETERS = 1000
"""Weights and biases in all: the slowest such network solves and renders in every format in about 15 s of
CPU time (benchmarks/bench.py), and its handout already runs to 120-170 pages."""
MAX_PARAMETER_UPDATES = 25_000
"""SGD steps (epochs x examples) times parameters: 2,500 steps of a [2, 2, 1] network, 25 of the largest."""

MAX_COMPARED_RATES = 6

NOTATION_PRESETS = ("arrows", "named", "mitchell", "layered")
OPTIMIZER_NAMES = ("sgd", "momentum", "nesterov", "rmsprop", "adam")
OPTIMIZER_FIELDS = {"momentum": ("momentum", "nesterov"), "betas": ("adam",), "epsilon": ("adam", "rmsprop"),
                    "alpha": ("rmsprop",)}
"""Which optimizers each hyperparameter of the training block applies to."""


def _as_decimal(value: Any) -> Any:
    """Accept ints and Python floats (notebook use) as exact decimals; leave everything else to Strict."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    return value


def _check_number(value: Decimal) -> Decimal:
    if not value.is_finite():
        raise ValueError(f"expected a finite number, got {value}")
    if abs(value) > MAX_ABS_VALUE:
        raise ValueError(f"{value} is out of range; values must lie between -{MAX_ABS_VALUE} and {MAX_ABS_VALUE}")
    if -value.as_tuple().exponent > MAX_DECIMAL_PLACES:  # zeros too: 0e-999999999999999999 prints a zero per place
        raise ValueError(f"{value} has more than {MAX_DECIMAL_PLACES} decimal places")
    return value


Number = Annotated[
    Decimal,
    BeforeValidator(_as_decimal),
    Strict(),
    AfterValidator(_check_number),
    WithJsonSchema({"type": "number", "minimum": -1000, "maximum": 1000}),
]
Vector = list[Annotated[Number, Field()]]
Matrix = list[Vector]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class NetworkSpec(_Model):
    """Architecture: neurons per layer (inputs first), activations and bias switches."""

    layers: list[Annotated[int, Field(ge=1, le=MAX_WIDTH)]] = Field(
        min_length=2, max_length=MAX_LAYERS + 1,
        description=f"Neurons per layer, inputs first; at most {MAX_PARAMETERS:,} weights and biases in all.")
    activation: Literal[ACTIVATION_NAMES] | list[Literal[ACTIVATION_NAMES]] = "sigmoid"
    bias: bool = True
    train_biases: bool = True


class ExampleSpec(_Model):
    """One training example."""

    input: Vector
    target: Vector


class RoundingSpec(_Model):
    """How shown numbers are rounded (``decimals`` or ``significant``) and whether rounding carries."""

    decimals: Annotated[int, Field(ge=0, le=10)] | None = None
    significant: Annotated[int, Field(ge=1, le=12)] | None = None
    mode: Literal["display", "carry"] = "display"

    @model_validator(mode="after")
    def _one_precision(self):
        if self.decimals is not None and self.significant is not None:
            raise ValueError("give either decimals or significant, not both")
        return self


SYMBOL_ROLES = (
    "input", "hidden", "output", "preactivation", "weight", "bias", "delta", "target", "loss",
    "learning_rate", "activation_function",
)


class NotationSpec(_Model):
    """A notation preset, symbol overrides (role -> LaTeX) and colour coding."""

    preset: Literal[NOTATION_PRESETS] = "layered"
    symbols: dict[Literal[SYMBOL_ROLES], Annotated[str, Field(min_length=1, max_length=40)]] = Field(
        default_factory=dict
    )
    colour: bool = False


def _notation_shorthand(value: Any) -> Any:
    return {"preset": value} if isinstance(value, str) else value


class HandoutOptions(_Model):
    """Optional handout choices."""

    chain: Annotated[list[Annotated[int, Field(ge=1)]], Field(min_length=3, max_length=3)] = [1, 1, 1]
    matrix_form: bool | None = None
    diagram_values: bool | None = None
    self_test: bool = True
    reveal: Literal["all", "steps", "none"] = "steps"
    """HTML page: ``all`` shows every step worked out; ``steps`` shows each numeric step's result with its
    working behind "show working"; ``none`` hides results too, for students to work first."""


class TrainingSpec(_Model):
    """How the parameters are trained: batch size, loss reduction, optimizer and weight decay.

    The update rules are PyTorch's ``torch.optim.SGD`` (momentum with dampening 0, nesterov), ``RMSprop``
    and ``Adam``; weight decay adds ``weight_decay * w`` to each gradient."""

    batch: Annotated[int, Field(ge=1)] | Literal["all"] = 1
    reduction: Literal["mean", "sum"] = "mean"
    epochs: Annotated[int, Field(ge=1, le=MAX_EPOCHS)] | None = None
    optimizer: Literal[OPTIMIZER_NAMES] = "sgd"
    momentum: Number | None = None
    betas: Annotated[list[Number], Field(min_length=2, max_length=2)] | None = None
    epsilon: Number | None = None
    alpha: Number | None = None
    weight_decay: Number = Decimal(0)
    decay_biases: bool = False


def _check_prose(text: str | None) -> str | None:
    if text is not None:
        problem = prose_problem(text)
        if problem:
            raise ValueError(problem)
    return text


Prose = Annotated[str | None, AfterValidator(_check_prose)]
"""A prose field that may contain inline math ``$...$`` (checked against an allow-list of macros)."""


class ProblemSpec(_Model):
    """A backpropagation problem as an instructor writes it."""

    title: str = "Backpropagation worked example"
    author: str | None = None
    course: str | None = None
    date: str | None = None
    notes: Prose = None
    network: NetworkSpec
    weights: list[Matrix]
    biases: list[Vector] | None = None
    input: Vector | None = None
    target: Vector | None = None
    examples: list[ExampleSpec] | None = Field(default=None, min_length=1, max_length=MAX_EXAMPLES)
    epochs: Annotated[int, Field(ge=1, le=MAX_EPOCHS)] | None = Field(
        default=None, description=f"Passes over the examples (or training.epochs, not both); epochs x examples x "
                                  f"parameters is at most {MAX_PARAMETER_UPDATES:,}.")
    loss: Literal[LOSS_NAMES] = "mse"
    learning_rate: Number
    training: TrainingSpec = TrainingSpec()
    compare_learning_rates: Annotated[list[Number], Field(min_length=1, max_length=MAX_COMPARED_RATES)] | None = None
    convention: Literal["descent", "mitchell"] = "descent"
    notation: Annotated[NotationSpec, BeforeValidator(
        _notation_shorthand, json_schema_input_type=Literal[NOTATION_PRESETS] | NotationSpec)] = NotationSpec()
    rounding: RoundingSpec = RoundingSpec()
    sections: list[Literal[SECTION_NAMES]] | None = None
    options: HandoutOptions = HandoutOptions()

    @property
    def activations(self) -> list[str]:
        """One activation name per non-input layer."""
        act = self.network.activation
        return list(act) if isinstance(act, list) else [act] * (len(self.network.layers) - 1)

    @property
    def epoch_count(self) -> int:
        """Epochs, from the top level or from the training block (1 when neither gives them)."""
        return self.epochs or self.training.epochs or 1

    @property
    def training_examples(self) -> list[ExampleSpec]:
        if self.examples is not None:
            return list(self.examples)
        return [ExampleSpec(input=self.input, target=self.target)]

    @property
    def batch_size(self) -> int:
        """Examples per update (``all`` is the number of examples)."""
        batch = self.training.batch
        return len(self.training_examples) if batch == "all" else batch

    def batches(self) -> list[range]:
        """The 0-based example indices of each update in one epoch: consecutive, in order, the last one
        shorter when the batch size does not divide the examples (PyTorch's DataLoader without drop_last)."""
        count, size = len(self.training_examples), self.batch_size
        return [range(start, min(start + size, count)) for start in range(0, count, size)]

    @property
    def update_count(self) -> int:
        """Updates over the whole training."""
        return len(self.batches()) * self.epoch_count


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def consistency_problems(spec: ProblemSpec) -> list[tuple[tuple, str]]:
    """Cross-field checks pydantic cannot express; each is (field path, message)."""
    found: list[tuple[tuple, str]] = []
    layers = spec.network.layers
    parameters = parameter_count(layers, spec.network.bias)
    if parameters > MAX_PARAMETERS:
        found.append((("network", "layers"), f"{layers} has {parameters:,} weights and biases; at most "
                                             f"{MAX_PARAMETERS:,} are allowed (its handout would run to hundreds "
                                             "of pages)"))
        return found
    activations = spec.activations
    if len(activations) != len(layers) - 1:
        found.append((("network", "activation"),
                      f"expected {len(layers) - 1} activation names (one per non-input layer), got {len(activations)}"))
        return found
    for index, name in enumerate(activations[:-1]):
        if ACTIVATIONS[name].output_only:
            found.append((("network", "activation", index), f"{name} is only allowed in the output layer"))
    output = ACTIVATIONS[activations[-1]]
    if layers[-1] < output.min_outputs:
        found.append((("network", "activation"), f"{output.name} needs at least {output.min_outputs} output neurons"))
    if len(spec.weights) != len(layers) - 1:
        found.append((("weights",), f"expected {len(layers) - 1} matrices (one per non-input layer), got {len(spec.weights)}"))
        return found
    for index, matrix in enumerate(spec.weights):
        rows, cols = layers[index + 1], layers[index]
        shape_ok = len(matrix) == rows and all(len(row) == cols for row in matrix)
        if not shape_ok:
            if len(matrix) != rows:
                got = _plural(len(matrix), "row")
            else:
                got = "rows of " + ", ".join(str(len(r)) for r in matrix) + " values"
            found.append((("weights", index), f"expected {_plural(rows, 'row')} of {_plural(cols, 'value')}, got {got}"))
    if spec.network.bias:
        if spec.biases is None:
            found.append((("biases",), "required when network.bias is true (one list per non-input layer)"))
        elif len(spec.biases) != len(layers) - 1:
            found.append((("biases",), f"expected {len(layers) - 1} lists (one per non-input layer), got {len(spec.biases)}"))
        else:
            for index, vector in enumerate(spec.biases):
                if len(vector) != layers[index + 1]:
                    found.append((("biases", index),
                                  f"expected {_plural(layers[index + 1], 'value')}, got {len(vector)}"))
    elif spec.biases is not None:
        found.append((("biases",), "given, but network.bias is false; remove biases or set bias: true"))
    if spec.examples is None:
        for key in ("input", "target"):
            if getattr(spec, key) is None:
                found.append(((key,), "required (or give a list of examples)"))
        if spec.input is None or spec.target is None:
            return found
        example_paths = [(spec.training_examples[0], ())]
    else:
        if spec.input is not None or spec.target is not None:
            found.append((("examples",), "give either input/target or examples, not both"))
        example_paths = [(ex, ("examples", i)) for i, ex in enumerate(spec.examples)]
    loss = LOSSES[spec.loss]
    for example, prefix in example_paths:
        if len(example.input) != layers[0]:
            found.append((prefix + ("input",), f"expected {_plural(layers[0], 'value')} (layers[0]), got {len(example.input)}"))
        if len(example.target) != layers[-1]:
            found.append((prefix + ("target",), f"expected {_plural(layers[-1], 'value')} (the output layer), got {len(example.target)}"))
        if loss.needs_unit_interval:
            for k, value in enumerate(example.target):
                if not 0 <= value <= 1:
                    found.append((prefix + ("target", k), f"{spec.loss} targets must lie in [0, 1], got {value}"))
            if output.distribution and sum(example.target) != 1:
                found.append((prefix + ("target",), f"with {output.name} and {spec.loss} the targets must sum to 1, "
                                                    f"got {sum(example.target)}"))
    if loss.needs_unit_interval and not output.unit_interval:
        fitting = " or ".join(name for name, act in ACTIVATIONS.items() if act.unit_interval)
        found.append((("loss",), f"{spec.loss} needs outputs in (0, 1): use {fitting} in the output layer, "
                                 f"not {output.name}"))
    if output.name in loss.refuses:
        found.append((("loss",), f"{spec.loss} with {output.name} outputs is not supported; use {loss.instead}"))
    epochs = spec.epoch_count
    steps = epochs * len(spec.training_examples)
    if steps * parameters > MAX_PARAMETER_UPDATES:
        epochs_field = ("epochs",) if spec.epochs is not None else ("training", "epochs")
        found.append((epochs_field if epochs > 1 else ("examples",),
                      f"{_plural(epochs, 'epoch')} of {_plural(len(spec.training_examples), 'example')} are "
                      f"{steps:,} SGD steps of {parameters:,} parameters; steps x parameters may be at most "
                      f"{MAX_PARAMETER_UPDATES:,}, so at most {MAX_PARAMETER_UPDATES // parameters:,} steps for "
                      "this network"))
    found += _unsafe_symbols(spec.notation)
    if spec.learning_rate <= 0:
        found.append((("learning_rate",), f"must be positive, got {spec.learning_rate}"))
    found += _training_problems(spec)
    chain_problem = parameter_problem(ParameterRef("weight", *spec.options.chain), layers)
    if chain_problem:
        found.append((("options", "chain"), f"[layer, row, column]: {chain_problem}"))
    return found


def _training_problems(spec: ProblemSpec) -> list[tuple[tuple, str]]:
    """The training block and the compared learning rates: values in range, fields that fit the optimizer."""
    found: list[tuple[tuple, str]] = []
    training = spec.training
    optimizer = training.optimizer
    if spec.epochs is not None and training.epochs is not None:
        found.append((("training", "epochs"), "given both here and at the top level; keep one"))
    count = len(spec.training_examples)
    if isinstance(training.batch, int) and training.batch > count:
        found.append((("training", "batch"), f"{training.batch} is larger than the {_plural(count, 'example')}; "
                                             "use at most that many, or all"))
    for name, optimizers in OPTIMIZER_FIELDS.items():
        if getattr(training, name) is not None and optimizer not in optimizers:
            found.append((("training", name), f"does not apply to optimizer {optimizer} (only to "
                                              f"{' and '.join(optimizers)})"))
    if optimizer in OPTIMIZER_FIELDS["momentum"]:
        if training.momentum is None:
            found.append((("training", "momentum"), f"required with optimizer {optimizer} (e.g. 0.9)"))
        elif not 0 < training.momentum < 1:
            found.append((("training", "momentum"), f"must lie in (0, 1), got {training.momentum}"))
    for index, beta in enumerate(training.betas or ()):
        if not 0 <= beta < 1:
            found.append((("training", "betas", index), f"must lie in [0, 1), got {beta}"))
    if training.alpha is not None and not 0 <= training.alpha < 1:
        found.append((("training", "alpha"), f"must lie in [0, 1), got {training.alpha}"))
    if training.epsilon is not None and not 0 < training.epsilon <= 1:
        found.append((("training", "epsilon"), f"must lie in (0, 1], got {training.epsilon}"))
    if training.weight_decay < 0:
        found.append((("training", "weight_decay"), f"must be at least 0, got {training.weight_decay}"))
    if training.decay_biases:
        if not spec.network.bias or not spec.network.train_biases:
            found.append((("training", "decay_biases"), "needs trained biases (network.bias and "
                                                        "network.train_biases true)"))
        elif training.weight_decay == 0:
            found.append((("training", "decay_biases"), "has no effect without a weight_decay"))
    rates = spec.compare_learning_rates or []
    for index, rate in enumerate(rates):
        if rate <= 0:
            found.append((("compare_learning_rates", index), f"must be positive, got {rate}"))
        elif rate in rates[:index]:
            found.append((("compare_learning_rates", index), f"{rate} is listed twice"))
    return found


def _unsafe_symbols(notation: NotationSpec) -> list[tuple[tuple, str]]:
    """Symbol overrides outside the safe LaTeX subset (they would reach pdflatex verbatim)."""
    found = []
    for role, text in notation.symbols.items():
        try:
            check_symbol(text, "", role)
        except ProblemError as exc:
            found.append((("notation", "symbols", role), exc.message))
    return found


def _suggest(word: str, choices) -> str:
    close = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _model_fields_at(model: type[BaseModel], loc: tuple) -> list[str]:
    """The field names allowed at ``loc`` (for 'did you mean' on unknown keys)."""
    current: Any = model
    for part in loc:
        if isinstance(part, int) or current is None:
            continue
        field = getattr(current, "model_fields", {}).get(part)
        if field is None:
            return []
        current = _model_in(field.annotation)
    return list(getattr(current, "model_fields", {}))


def _home_of(key: str, model: type[BaseModel]) -> str:
    """' (it belongs under network)' for a known key written at the wrong level."""
    if key in model.model_fields:
        return " (it belongs at the top level)"
    for name, field in model.model_fields.items():
        nested = _model_in(field.annotation)
        if nested is not None and key in nested.model_fields:
            return f" (it belongs under {name})"
    return ""


def _model_in(annotation) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _model_in(arg)
        if found is not None:
            return found
    metadata = getattr(annotation, "__origin__", None)
    return _model_in(metadata) if metadata not in (None, list, dict) else None


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, str):
        shown = value if len(value) <= 30 else value[:27] + "..."
        return f"the string '{shown}'"
    if isinstance(value, (int, float, Decimal)):
        return f"the number {value}"
    if value is None:
        return "nothing (null)"
    return f"a {type(value).__name__}" if not isinstance(value, (list, dict)) else (
        "a list" if isinstance(value, list) else "a mapping")


_LOC_TAGS = ("str", "int", "bool", "float", "Decimal", "NotationSpec", "union", "[key]")
_LOC_TAG_PREFIXES = ("literal[", "list[", "dict[", "function-", "constrained-", "lax-", "strict-", "json-", "union[")


def _clean_loc(loc: tuple) -> tuple:
    """Drop pydantic's union/validator tags from an error location (field names are kept whole)."""
    return tuple(p for p in loc if isinstance(p, int) or not (p in _LOC_TAGS or p.startswith(_LOC_TAG_PREFIXES)))


def _message(error: dict, model: type[BaseModel]) -> str:
    kind, value, loc = error["type"], error.get("input"), _clean_loc(error["loc"])
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        return f"unknown key '{loc[-1]}'" + (_suggest(loc[-1], _model_fields_at(model, loc[:-1]))
                                             or _home_of(loc[-1], model))
    if kind == "invalid_key":
        return f"keys must be text, got {_describe(loc[-1])} as a key"
    if kind == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        return f"unknown value {_describe(value)}; expected one of {expected}" + _suggest(
            value, [e.strip(" '") for e in expected.replace(" or ", ",").split(",")])
    if kind == "finite_number":
        return f"expected a finite number, got {value}"
    if kind in ("is_instance_of", "decimal_type", "decimal_parsing", "float_type"):
        return f"expected a number, got {_describe(value)}"
    if kind in ("int_type", "int_parsing"):
        return f"expected a whole number, got {_describe(value)}"
    if kind in ("bool_type", "bool_parsing"):
        return f"expected true or false, got {_describe(value)}"
    if kind in ("string_type",):
        return f"expected text, got {_describe(value)}"
    if kind in ("list_type",):
        return f"expected a list, got {_describe(value)}"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return f"expected a mapping of fields, got {_describe(value)}"
    if kind == "too_short":
        return f"expected at least {_plural(error['ctx']['min_length'], 'item')}, got {error['ctx']['actual_length']}"
    if kind == "too_long":
        return f"expected at most {_plural(error['ctx']['max_length'], 'item')}, got {error['ctx']['actual_length']}"
    if kind == "greater_than_equal":
        return f"must be at least {error['ctx']['ge']}, got {value}"
    if kind == "less_than_equal":
        return f"must be at most {error['ctx']['le']}, got {value}"
    if kind == "value_error":
        return str(error.get("ctx", {}).get("error", error["msg"]))
    return error["msg"]


def _error_rank(error: dict, document: YamlDocument) -> tuple:
    """Report what was written wrong before what is missing (a typo also makes a field missing), then the
    first mistake in the file, then the most specific location (a list's item before the whole union)."""
    loc = _clean_loc(error["loc"])
    return (error["type"] == "missing", document.line_of(loc) or 0, -len(loc))


def validate_document(document: YamlDocument, model: type[BaseModel] = ProblemSpec):
    """Validate parsed YAML against ``model``; raise one ProblemError for the first mistake.

    Line endings in text are normalised to ``\\n`` first, and lone surrogates refused.
    """
    try:
        data = normalised_text(document.data)
    except LoneSurrogate as exc:
        raise ProblemError(document.source, format_field_path(exc.path), exc.message,
                           document.line_of(exc.path)) from None
    try:
        spec = model.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors()
        places = {_clean_loc(e["loc"]) for e in errors}
        first = min(errors, key=lambda e: _error_rank(e, document))
        loc = _clean_loc(first["loc"])
        extra = f" (and {len(places) - 1} more)" if len(places) > 1 else ""
        raise ProblemError(document.source, format_field_path(loc), _message(first, model) + extra,
                           document.line_of(loc)) from None
    return spec


def load_spec(path: str | Path) -> ProblemSpec:
    """Read, validate and cross-check a problem file."""
    document = load_yaml(Path(path))
    spec = validate_document(document)
    problems = consistency_problems(spec)
    if problems:
        loc, message = problems[0]
        raise ProblemError(document.source, format_field_path(loc), message, document.line_of(loc))
    return spec


def spec_from_mapping(data: dict, source: str = "<problem>") -> ProblemSpec:
    """Validate a problem given as a Python mapping (floats are read through their repr)."""
    document = YamlDocument(source, data, {})
    spec = validate_document(document)
    problems = consistency_problems(spec)
    if problems:
        loc, message = problems[0]
        raise ProblemError(source, format_field_path(loc), message)
    return spec


def problem_json_schema() -> dict:
    """The JSON Schema of the problem-file format, for editors."""
    schema = ProblemSpec.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "backprop-handouts problem file"
    return schema


def problem_json_schema_text() -> str:
    """The schema as the JSON text shipped in ``solver/schema/problem.schema.json``."""
    return json.dumps(problem_json_schema(), indent=2) + "\n"


@dataclass(frozen=True)
class Problem:
    """A validated problem and the file it came from."""

    spec: ProblemSpec
    source: str

    @property
    def name(self) -> str:
        """The file's stem, used for output folders."""
        return Path(self.source).stem


def load_problem(path: str | Path) -> Problem:
    """Read and validate a problem file (raises ProblemError with file, field and line)."""
    return Problem(load_spec(path), str(path))


def problem_from_mapping(data: dict, source: str = "<problem>") -> Problem:
    """Build a problem from a Python mapping (e.g. in a notebook)."""
    return Problem(spec_from_mapping(data, source), source)
