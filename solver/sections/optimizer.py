"""The optimizer: its rule (PyTorch's definition), the substituted rule per parameter for the worked update,
and the state of every parameter before and after each update."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from math import isqrt

from ..equations import Equation, Grid, Part, chain
from ..formatting import partial
from ..optimizers import STATE_SYMBOLS
from ..parameters import ParameterRef
from .prose import examples_named, math, say, section_ref, text
from .records import Table

STATE_TABLE_PAIR_WIDTH = 58
"""State tables at most this many characters wide (``Table.width``) go two to a row of the page."""
MAX_STATE_TABLES = 4
"""Updates whose state table is printed (the first ones); later ones are in the JSON trace."""
NAMES = {"sgd": "plain SGD", "momentum": "SGD with momentum", "nesterov": "SGD with Nesterov momentum",
         "rmsprop": "RMSprop", "adam": "Adam"}
def training_name(spec) -> str:
    """What the training is called: plain SGD over a batch is batch gradient descent (every example at once)
    or mini-batch SGD; the other optimizers keep their names."""
    if spec.training.optimizer == "sgd" and spec.batch_size > 1:
        return "batch gradient descent" if spec.batch_size == len(spec.training_examples) else "mini-batch SGD"
    return NAMES[spec.training.optimizer]


TORCH = {"sgd": "SGD", "momentum": "SGD", "nesterov": "SGD", "rmsprop": "RMSprop", "adam": "Adam"}


@dataclass(frozen=True)
class StateTable:
    """One update's state table with the sentence above it."""

    title: list
    table: Table
    update: int
    """The update whose state the table gives (1 for the first)."""

    @property
    def needed_lines(self) -> int:
        """Lines to keep together: the sentence and the table."""
        return self.table.needed_lines + 2


@dataclass(frozen=True)
class StateRow:
    """The state tables printed in one row of the page: one, or two narrow ones side by side."""

    tables: list[StateTable]

    @property
    def needed_lines(self) -> int:
        return max(entry.needed_lines for entry in self.tables)

    @property
    def holds_second(self) -> bool:
        """Whether update 2's table is in this row (the second update worked in full follows it)."""
        return any(entry.update == 2 for entry in self.tables)


@dataclass(frozen=True)
class Optimizer:
    """The record of the optimizer section (fields: docs/templates.md)."""

    intro: list
    rule: Grid
    tables: list[StateTable]
    note: list
    later: list = ()
    """The sentence before ``later_rule``: the second update of one parameter worked in full."""
    later_rule: Grid | None = None
    later_note: list = ()
    """After ``later_rule``: how far the second update moves the parameter next to plain SGD's step."""

    @property
    def needed_lines(self) -> int:
        """Lines to keep with the heading: the intro and the first state table (or a few lines)."""
        return (self.tables[0].needed_lines if self.tables else 4) + 4

    @property
    def table_rows(self) -> list[StateRow]:
        """The state tables two to a row when every one is narrow enough for two to fit next to each other
        (momentum, Nesterov and RMSprop on small networks), else one to a row."""
        narrow = all(entry.table.width <= STATE_TABLE_PAIR_WIDTH and not entry.table.breaks for entry in self.tables)
        size = 2 if narrow else 1
        return [StateRow(self.tables[start:start + size]) for start in range(0, len(self.tables), size)]


def hyperparameters(ctx) -> dict[str, str]:
    """Symbol -> printed value of the optimizer's hyperparameters."""
    settings, given = ctx.solution.optimizer, ctx.fmt.given
    if settings.name in ("momentum", "nesterov"):
        return {"\\mu": given(settings.momentum)}
    if settings.name == "rmsprop":
        return {"\\alpha": given(settings.alpha), "\\epsilon": ctx.fmt.given_compact(settings.epsilon)}
    if settings.name == "adam":
        return {"\\beta_1": given(settings.betas[0]), "\\beta_2": given(settings.betas[1]),
                "\\epsilon": ctx.fmt.given_compact(settings.epsilon)}
    return {}


def rule(ctx) -> list[Equation]:
    """The update rule with symbols, for one parameter theta with gradient g."""
    eta, name = ctx.N.eta, ctx.solution.optimizer.name
    theta = "\\theta"
    new = lambda rhs: chain(theta, Part((rhs,), "\\leftarrow"))  # noqa: E731
    if name == "sgd" and ctx.solution.optimizer.decays:
        data = partial(f"{ctx.N.loss}_{{\\text{{data}}}}", theta)
        return [chain(theta, Part((f"\\theta - {eta} \\, g",), "\\leftarrow"),
                      f"\\theta - {eta} \\left({data} + \\lambda \\, \\theta\\right)",
                      f"(1 - {eta} \\lambda) \\, \\theta - {eta} \\, {data}")]
    if name == "sgd":
        return [new(f"\\theta - {eta} \\, g")]
    if name in ("momentum", "nesterov"):
        step = "v" if name == "momentum" else "(g + \\mu \\, v)"
        return [chain("v", Part(("\\mu \\, v + g",), "\\leftarrow")), new(f"\\theta - {eta} \\, {step}")]
    if name == "rmsprop":
        return [chain("s", Part(("\\alpha \\, s + (1 - \\alpha) \\, g^2",), "\\leftarrow")),
                new(f"\\theta - {eta} \\, \\frac{{g}}{{\\sqrt{{s}} + \\epsilon}}")]
    return [chain("m", Part(("\\beta_1 \\, m + (1 - \\beta_1) \\, g",), "\\leftarrow")),
            chain("v", Part(("\\beta_2 \\, v + (1 - \\beta_2) \\, g^2",), "\\leftarrow")),
            chain("\\hat{m}", "\\frac{m}{1 - \\beta_1^{\\,t}}"), chain("\\hat{v}", "\\frac{v}{1 - \\beta_2^{\\,t}}"),
            new(f"\\theta - {eta} \\, \\frac{{\\hat{{m}}}}{{\\sqrt{{\\hat{{v}}}} + \\epsilon}}")]


def rule_sentence(ctx) -> list:
    """Which optimizer, as in PyTorch, with its hyperparameters and what g is."""
    settings = ctx.solution.optimizer
    values = ", ".join(f"{symbol} = {value}" for symbol, value in hyperparameters(ctx).items())
    decay = say("optimizer.decay", term=math("\\lambda \\, \\theta"),
                value=math(f"\\lambda = {ctx.fmt.given(settings.weight_decay)}"),
                which="" if settings.decay_biases else (
                    " for a weight, 0 for a bias (in PyTorch the biases need a parameter group of their own without "
                    "weight decay)"),
                coupled=say("optimizer.coupled") if settings.name != "sgd" else "") if settings.decays else []
    if settings.decays and settings.name == "sgd":
        decay += say("optimizer.shrink", factor=math(f"(1 - {ctx.N.eta} \\lambda)"))
    return say("optimizer.rule", name=NAMES[settings.name], torch=f"torch.optim.{TORCH[settings.name]}",
               values=[text(" with "), math(values)] if values else "",
               g=math(f"g = {partial(ctx.N.loss, chr(92) + 'theta')}"), decay=decay,
               loss="batch loss" if ctx.spec.batch_size > 1 else "example's loss",
               state=([] if not settings.buffers else say("optimizer.zero_state_counted", t=math("t"))
                      if settings.name == "adam" else say("optimizer.zero_state")),
               first=_first_update(ctx))


def _first_update(ctx) -> list:
    """Why the first step of Adam or RMSprop has about the same size for every parameter."""
    settings, eta = ctx.solution.optimizer, ctx.N.eta
    if settings.name == "adam":
        return say("optimizer.adam_first", mhat=math("\\hat{m} = g"), vhat=math("\\hat{v} = g^2"), eta=math(eta))
    if settings.name == "rmsprop":
        rest = Fraction(1 - Decimal(settings.alpha))
        roots = isqrt(rest.numerator), isqrt(rest.denominator)
        # 1 / sqrt(1 - alpha) is rational only when 1 - alpha is a square of a fraction (10 for alpha = 0.99); a
        # Decimal test would also call 1 / sqrt(0.1) exact, whose square rounds to 10 at 28 digits
        exact = roots[0] ** 2 == rest.numerator and roots[1] ** 2 == rest.denominator
        if exact:
            ratio = Fraction(roots[1], roots[0])
            step, ratio_text = ctx.fmt.value(Fraction(Decimal(settings.learning_rate)) * ratio), ctx.fmt.value(ratio)
        else:
            ratio = 1 / (1 - Decimal(settings.alpha)).sqrt()
            step, ratio_text = ctx.fmt.rounded(Decimal(settings.learning_rate) * ratio), ctx.fmt.rounded(ratio)
        return say("optimizer.rmsprop_first", s=math("s = (1 - \\alpha) \\, g^2"),
                   step=math(f"{eta} / \\sqrt{{1 - \\alpha}} {'=' if exact else chr(92) + 'approx'} {step}"),
                   ratio=ratio_text)
    return []


def state_after(values, name: str, ref):
    """One state (or derived value) of a parameter after the update."""
    buffers = values.derived if name.endswith("_corrected") else values.state_after.buffers
    part = buffers[name]
    return ref.entry(part.weights, part.biases)


def state_before(values, name: str, ref):
    """One state of a parameter before the update (what the update before it left)."""
    part = values.state_before.buffers[name]
    return ref.entry(part.weights, part.biases)


def parameter_rows(ctx, ref, values=None, old: str | None = None, marked: bool = True) -> list[list[Equation]]:
    """The substituted rule of one parameter in the worked update (or in ``values`` of a later one, starting
    from the printed value ``old``), in rows: state first, the new value last. ``marked``: label the lines with
    the exam questions they answer (only the worked update's)."""
    values = values or ctx.values
    fmt, settings, N = ctx.fmt, ctx.solution.optimizer, ctx.N
    label = ctx.mark if marked else (lambda *quantity: "")
    name = settings.name
    symbol = N.parameter(ref)
    hyper = hyperparameters(ctx)
    eta = fmt.given(settings.learning_rate)
    g = fmt.value(ctx.gradient(ref, values))
    g_wrapped = fmt.wrap(g, ctx.gradient(ref, values))
    old = old if old is not None else ctx.given(ref)
    new_value = ctx.new_value(ref, values)
    new = fmt.value(new_value)
    of = lambda letter: f"{letter}({symbol})"  # noqa: E731
    shown = lambda buffer: fmt.value(state_after(values, buffer, ref))  # noqa: E731
    before = lambda buffer: fmt.wrap(fmt.value(state_before(values, buffer, ref)), state_before(values, buffer, ref))  # noqa: E731
    lhs_new = f"{{{symbol}}}'"

    def squared(lhs: str, decay: str, previous: str, buffer: str) -> Equation:
        """``decay * previous + (1 - decay) * g^2`` with the shown result and its honest relation."""
        result = shown(buffer)
        return chain(lhs, f"{decay} \\cdot {previous} + (1 - {decay}) \\cdot {g_wrapped}^{{2}}",
                     Part((result,), fmt.relation(state_after(values, buffer, ref), result)),
                     mark=label("moment", buffer, ref.key))

    anchor = f"update-{ref.slug}" if marked else ""  # one anchor per parameter: the worked update's
    mark = label("new", ref.key)
    if name in ("momentum", "nesterov"):
        mu = hyper["\\mu"]
        velocity = chain(of("v"), f"{mu} \\cdot {before('velocity')} + {g_wrapped}", shown("velocity"),
                         mark=label("velocity", "velocity", ref.key))
        v_text = fmt.wrap(shown("velocity"), state_after(values, "velocity", ref))
        step = v_text if name == "momentum" else f"\\left({g_wrapped} + {mu} \\cdot {v_text}\\right)"
        return [[velocity, chain(lhs_new, f"{old} - {eta} \\cdot {step}", new, boxed=True, mark=mark, anchor=anchor)]]
    if name == "rmsprop":
        alpha, eps = hyper["\\alpha"], hyper["\\epsilon"]
        square = squared(of("s"), alpha, before("square_average"), "square_average")
        rhs = f"{old} - {eta} \\cdot \\frac{{{g}}}{{{_root(shown('square_average'))} + {eps}}}"
        return [[square, chain(lhs_new, rhs, Part((new,), fmt.relation(new_value, new)), boxed=True, mark=mark,
                               anchor=anchor)]]
    if name == "adam":
        beta1, beta2, eps = hyper["\\beta_1"], hyper["\\beta_2"], hyper["\\epsilon"]
        t = values.state_after.step
        first = chain(of("m"), f"{beta1} \\cdot {before('first_moment')} + (1 - {beta1}) \\cdot {g_wrapped}",
                      shown("first_moment"), mark=label("moment", "first_moment", ref.key))
        second = squared(of("v"), beta2, before("second_moment"), "second_moment")
        corrected = []
        for buffer, beta, letter in (("first_moment", beta1, "m"), ("second_moment", beta2, "v")):
            exact = state_after(values, f"{buffer}_corrected", ref)
            text = shown(f"{buffer}_corrected")
            corrected.append(chain(of(f"\\hat{{{letter}}}"), f"\\frac{{{shown(buffer)}}}{{1 - {beta}^{{{t}}}}}",
                                   Part((text,), fmt.relation(exact, text)),
                                   mark=label("moment", f"{buffer}_corrected", ref.key)))
        rhs = (f"{old} - {eta} \\cdot \\frac{{{shown('first_moment_corrected')}}}"
               f"{{{_root(shown('second_moment_corrected'))} + {eps}}}")
        return [[first, corrected[0]], [second, corrected[1]],
                [chain(lhs_new, rhs, Part((new,), fmt.relation(new_value, new)), boxed=True, mark=mark, anchor=anchor)]]
    return [[chain(lhs_new, f"{old} - {fmt.product(eta, g, roles=(None, 'error'))}", new, boxed=True, mark=mark,
                   anchor=anchor)]]


def _root(number: str) -> str:
    """The square root of a printed number, its bar raised by a strut so that it ends visibly above the
    exponent of a following ``+ 10^{-8}`` (two reviewers read that epsilon as under the root)."""
    return f"\\sqrt{{\\mathstrut {number}}}"


def state_table(ctx, step) -> Table:
    """Every trained parameter of one update: gradient, each state before and after, the new value (each column
    in one notation)."""
    fmt, settings, values = ctx.fmt, ctx.solution.optimizer, step.shown
    buffers = settings.buffers
    derived = tuple(values.derived)
    header = ["\\text{parameter}", "g"] + [f"{STATE_SYMBOLS[b]}_{{\\text{{before}}}}" for b in buffers] + \
        [f"{STATE_SYMBOLS[b]}_{{\\text{{after}}}}" for b in buffers] + [STATE_SYMBOLS[d] for d in derived] + \
        ["\\theta'"]
    refs = [ref for ref in ctx.network.parameters() if ref.kind == "weight" or ctx.network.train_biases]
    columns = [[ctx.gradient(ref, values) for ref in refs]]
    columns += [[state_before(values, b, ref) for ref in refs] for b in buffers]
    columns += [[state_after(values, b, ref) for ref in refs] for b in buffers + derived]
    columns.append([ctx.new_value(ref, values) for ref in refs])
    texts = [fmt.column(column) for column in columns]
    rows = [[ctx.N.parameter(ref), *cells] for ref, cells in zip(refs, zip(*texts))]
    return Table(header, rows)


def _shown_tables(steps) -> list:
    """The updates whose state table is printed: all up to MAX_STATE_TABLES, else the first ones and the last."""
    if len(steps) <= MAX_STATE_TABLES:
        return list(steps)
    return list(steps[:MAX_STATE_TABLES - 1]) + [steps[-1]]


@dataclass(frozen=True)
class SecondUpdate:
    """The chain weight's second update, worked in full here and asked in the self-test."""

    ref: ParameterRef
    old: str
    """The weight's printed value after the first update, where the second starts."""
    first: object
    second: object
    """The shown values of the first and second updates."""
    rows: list[list[Equation]]
    """Its substituted rule from the state the first update left (``parameter_rows``)."""


def second_update(ctx) -> SecondUpdate | None:
    """The second update of the chain weight under an optimizer with state, or None (no state, one update)."""
    steps = ctx.solution.steps
    if not ctx.solution.optimizer.buffers or len(steps) < 2:
        return None
    ref = ParameterRef("weight", *ctx.spec.options.chain)
    first, second = steps[0].shown, steps[1].shown
    old = ctx.fmt.value(ctx.new_value(ref, first))
    return SecondUpdate(ref, old, first, second, parameter_rows(ctx, ref, second, old=old, marked=False))


def _second_update(ctx) -> tuple[list, Grid | None, list]:
    """The second update of the chain parameter worked in full (the state it starts from is the first's), and
    its step next to plain SGD's."""
    worked = second_update(ctx)
    if worked is None:
        return [], None, []
    ref, old = worked.ref, worked.old
    examples = ctx.solution.steps[1].examples
    loss = f"{examples_named(examples)}'s loss" if len(examples) == 1 else f"the batch loss of {examples_named(examples)}"
    intro = say("optimizer.second", parameter=math(ctx.N.parameter(ref)), t=math("t = 2"),
                start=math(f"{ctx.N.parameter(ref)} = {old}"), loss=loss, g=math("g"))
    return intro, Grid.of(worked.rows), _compared_with_sgd(ctx, ref, worked.first, worked.second, old)


def _three_figures(value: Fraction) -> str:
    """A ratio for prose: three significant figures, thousands grouped (1.21, 952, 12,400)."""
    text = f"{float(value):.3g}"
    return f"{float(text):,.0f}" if "e" in text else text


def _compared_with_sgd(ctx, ref: ParameterRef, before, values, old: str) -> list:
    """'Plain SGD would change w by -eta g = ...; Adam changes it by ..., k times as much.' for one update
    (``before``: the values of the update before it, whose new value ``old`` is printed)."""
    fmt, settings = ctx.fmt, ctx.solution.optimizer
    plain = -Fraction(str(settings.learning_rate)) * Fraction(ctx.gradient(ref, values))
    if plain == 0:
        return []
    change = Fraction(ctx.new_value(ref, values)) - Fraction(ctx.new_value(ref, before))
    plain_text = fmt.rounded(plain)
    change_text = fmt.difference(fmt.value(ctx.new_value(ref, values)), old, change)
    ratio = change / plain
    times = f"{_three_figures(abs(ratio))} times as much" + (", the other way" if ratio < 0 else "")
    return say("optimizer.compared", parameter=math(ctx.N.parameter(ref)),
               plain=math(f"-{ctx.N.eta} \\, g {fmt.relation(plain, plain_text)} {plain_text}"),
               name=NAMES[settings.name], change=math(change_text), times=times)


def build(ctx) -> Optimizer:
    settings = ctx.solution.optimizer
    steps = ctx.solution.steps
    tables = []
    if settings.buffers:
        for step in _shown_tables(steps):
            title = say("optimizer.table", index=str(step.index), t=math(f"t = {step.shown.state_after.step}"))
            tables.append(StateTable(title, state_table(ctx, step), step.index))
    note = say("optimizer.more", shown=str(MAX_STATE_TABLES - 1), last=str(len(steps))) \
        if settings.buffers and len(steps) > MAX_STATE_TABLES else []
    later, later_rule, later_note = _second_update(ctx)
    if "update" in ctx.section_names:
        intro, rule_grid = say("optimizer.intro", update=section_ref("update")), Grid.packed([])
    else:
        intro, rule_grid = rule_sentence(ctx), Grid.packed(rule(ctx), max_columns=2)
    return Optimizer(intro, rule_grid, tables, note, later, later_rule, later_note)
