"""Every sentence a handout prints, written once for all formats.

A sentence is a catalogue entry with ``{name}`` placeholders; :func:`say` fills them and returns
segments (``{"math": bool, "text": str}``) that each format's ``sentence`` macro prints (prose escaped,
math as is). A translation replaces :data:`TEXT`; the placeholders stay.
"""
from __future__ import annotations

from string import Formatter

TEXT = {
    "title.intro": (
        "This handout works through {steps} for a feedforward network with {sizes} neurons per layer (inputs "
        "first): forward pass, loss, backward pass by the chain rule, every gradient, the update with learning "
        "rate {eta}, and a second forward pass that shows {outcome}. Every gradient is checked three ways "
        "(backpropagation, the derivative of the whole loss, central finite differences)."),
    "title.outcome.down": "the loss going down",
    "title.outcome.up": "that this update raises the loss",
    "title.outcome.same": "that this update leaves the loss unchanged",
    "title.legend": "Colour code: {items}.",
    "title.version": "Worked key of exam version {code}",
    "title.one_step": "one complete step of backpropagation",
    "title.first_of": "the first of {count} SGD updates in full",
    "title.first_of_updates": "the first of {count} updates by {name} in full",
    "setup.no_bias": "This network has no biases.",
    "setup.examples": "The training examples, used in this order ({updates} per epoch{epochs}):",
    "setup.examples_batches": "The training examples, in this order, {size} per update ({updates} per epoch{epochs}):",
    "setup.frozen_bias": "The biases are fixed: they are not updated.",
    "setup.matrices": "Row {j} of a weight matrix belongs to receiving neuron {j}, column {k} to sending neuron {k}.",
    "activation.output_form": (
        "The last form is the one used in backpropagation: it needs only the neuron's activation {a}, already known "
        "from the forward pass, and no exponential."),
    "activation.output_only": (
        "Backpropagation uses this form: it needs only the neuron's activation {a}, already known from the forward "
        "pass."),
    "activation.relu": "ReLU passes positive inputs unchanged and blocks the rest; its derivative is a step: {rule}.",
    "activation.softmax": (
        "Softmax couples the outputs: every output depends on every pre-activation of its layer, so the output "
        "delta sums over the Jacobian: {rule}."),
    "forward.intro": (
        "For each neuron: the weighted sum of its inputs (the pre-activation) with the numbers substituted, "
        "then the activation function applied to it."),
    "backward.descent": "The error signal of a neuron is the derivative of the loss by its pre-activation, {rule}.",
    "backward.mitchell": (
        "In this convention the error term of a unit is {rule}, minus the derivative of the loss by its net "
        "input, and the update adds {update}."),
    "backward.hadamard": (
        "BP1 to BP4 are the four equations of backpropagation: the output error, its propagation backwards, and "
        "the weight and bias gradients. Here {odot} is the elementwise (Hadamard) product."),
    "backward.softmax_ce": (
        "With softmax outputs and cross-entropy the Jacobian sum collapses: {sum}, because the targets sum to 1."),
    "gradients.intro": "Each gradient is the delta of the receiving neuron times the local input of the parameter.",
    "gradients.intro_negated": (
        "Each gradient is minus the delta of the receiving neuron times the local input of the parameter (in this "
        "convention the delta is minus the derivative of the loss)."),
    "gradients.intro_bias": (
        "Each gradient is the delta of the receiving neuron times the local input of the parameter (1 for a bias)."),
    "update.others": (
        "Worked in full below: {which} of each layer; the {count} {verb} the same rule, and "
        "the state table of update 1 ({optimizer}) gives the gradient, state and new value of every "
        "parameter."),
    "update.frozen": "The biases are fixed in this problem: they keep their values.",
    "chain.paths": "The parameter reaches the loss along {count} through the network:",
    "chain.one_path": "The parameter reaches the loss along one path: {path}.",
    "chain.path": "Path {number}: {path}",
    "chain.too_many": "There are {count} paths from this weight to the loss, too many to list; summed over all of them:",
    "chain.carried": (
        " Multiplying the rounded factors gives a slightly different last digit than the backward pass, which "
        "rounds each delta as it goes and shows this gradient as {value}."),
    "chain.full_precision": (
        " Multiplying the rounded factors gives a slightly different last digit than the full-precision "
        "gradient, {value}."),
    "chain.tiny": "The gradient is real but smaller than the rounding precision, so it is shown as zero at this precision.",
    "after.down": "The loss went down, at full precision from {before} to {after} ({percent} lower).",
    "after.up": (
        "The loss went up, at full precision from {before} to {after} ({percent} higher): the learning rate is "
        "too large for this point, and the step overshoots."),
    "after.batch": (
        "The batch loss after the update needs every example's loss with the new parameters; {others} the same "
        "forward pass as example {first}:"),
    "after.penalty": "The loss after the update includes the penalty on the new parameters:",
    "after.same": "The loss did not change at the shown precision (full precision: {before} to {after}).",
    "summary.example": "The neuron table is example {example}'s, the one worked in full.",
    "summary.mitchell": "Deltas in this table follow the convention of this handout, {rule}.",
    "check.intro": (
        "Each gradient above was also found without the chain rule, as the central difference {formula} with "
        "{step} (scaled by the parameter's size when it exceeds 1), and compared by the relative error {error}."),
    "check.in_summary": "The summary table lists the central difference and the relative error of every parameter.",
    "check.in_summary_sampled": (
        "The summary table lists the central difference and the relative error of every sampled parameter and "
        "leaves them blank for the others."),
    "check.sample": (
        "This network has {total} parameters, so a random sample of {count} of them (drawn with seed {seed}, the "
        "same in every run) is checked this way; the others are computed by the same backpropagation code."),
    "check.subset": "The {shown} largest of {total} relative errors are shown.",
    "check.result": "The largest relative error is {error}, below the tolerance {tolerance}.",
    "check.sympy": (
        "Differentiating the whole loss expression directly, without the chain rule (by computer algebra), "
        "gives the same gradients to within {error}."),
    "check.kinks": (
        "{count} at a ReLU kink ({z}), where the derivative is not defined; there the backpropagated value "
        "(using {rule}) lies between the one-sided differences."),
    "reference.recipe": "Output delta, hidden deltas backwards, then gradient = delta × local input, then the update:",
    "reference.recipe_negated": (
        "Output delta, hidden deltas backwards, then gradient = −delta × local input, then the update:"),
    "self_test.intro": "Questions on this handout's own network; try each before you read its answer below.",
    "history.intro": "One SGD update per example, in order{epochs}. The first step is worked in full above; {shows}",
    "history.intro_batches": (
        "One update by {optimizer} {per}, in order{epochs}. The first update is worked in full above; {shows}"),
    "history.shows": (
        "the table gives each update's own loss ({whose}) before and after it; the plot, the training loss over "
        "every example after each epoch."),
    "history.training_loss": "{reduction} loss over the {count} examples{penalty}",
    "history.one_example": "the example's loss{penalty}",
    "history.change": "The training loss ({what}) {trend} from {start} to {end} over {epochs}.",
    "history.same": "The training loss ({what}) stays at {start} over {epochs}.",
    "history.fits": "Each example's output and own loss with the given parameters and after the last update:",
    "history.classified": (
        "Read as classes (class 1 where {output} is at least 0.5), {before} of the {count} examples are right at "
        "the start and {after} after the last update."),
    "history.final": "Parameters after the last update:",
    "history.final_in_table": (
        "The parameters after the last update are the {theta} column of update {index}'s state table in "
        "{optimizer}."),
    "batch.intro": (
        "This update uses {examples} together. Its loss is the {reduction} of their losses (the error over the "
        "training examples, here over the batch B), and its gradient the {reduction} of their gradients. Example "
        "{first} is worked in full above; {others} through the same forward and backward pass with {own} input "
        "and target."),
    "batch.single": "This update uses example {example} alone.",
    "batch.penalty": (
        " Weight decay adds the penalty {term} to the loss and {grad} to the gradient of each weight{biases}."),
    "batch.gradients": "The gradient of the batch loss, parameter by parameter:",
    "batch.table_only": " With {count} examples the per-example gradients are left out (handouts solve --json lists them).",
    "rates.intro": (
        "The first update repeated with each learning rate, from the same parameters{state}: the change {change} "
        "and new value of {parameter}, and the batch loss after the update (before it: {before})."),
    "rates.state": " and optimizer state",
    "rates.overshoot": (
        "With {rates} the loss rises instead of falling: the step is too large for this point and overshoots the "
        "minimum along the gradient."),
    "rates.all_down": "Every rate lowers the loss; the largest lowers it most here, but larger rates risk overshooting.",
    "rates.all_down_smaller": (
        "Every rate lowers the loss, but not the largest the most: with {best} it falls furthest, and the larger "
        "steps overshoot that point."),
    "rates.level": "With {rates} the loss stays where it was{rest}.",
    "rates.adam": (
        "Adam's first step moves every parameter by about the learning rate, whatever the size of its gradient, so "
        "the size of {change} is close to the rate itself in each row."),
    "rates.rmsprop": (
        "RMSprop's first step divides the gradient by its own size, so {change} grows with the rate, not with the "
        "gradient."),
    "optimizer.rule": (
        "The update follows {name} as defined by PyTorch's {torch}{values}. Here {g} is the gradient of the {loss}"
        "{decay}.{state}{first}"),
    "optimizer.decay": (
        " with its penalty: the data loss's gradient plus the weight-decay term {term} ({value}){which}, as PyTorch's "
        "weight decay adds it to the gradient{coupled}"),
    "optimizer.coupled": " (coupled L2; AdamW would instead shrink the parameter outside the rule)",
    "optimizer.shrink": (
        "; for plain SGD this is the same as shrinking each decayed parameter by the factor {factor} before the "
        "gradient step, hence the name weight decay"),
    "optimizer.adam_first": (
        " At the first update the bias corrections give {mhat} and {vhat}, so every parameter moves by "
        "almost exactly {eta} against the sign of its gradient, whatever the gradient's size; from the second "
        "update on, the moments average the gradients seen so far."),
    "optimizer.zero_state": " Every state starts at 0.",
    "optimizer.zero_state_counted": " Every state starts at 0, and {t} counts the updates.",
    "optimizer.rmsprop_first": (
        " At the first update {s}, so every parameter moves by about {step} against the sign of its gradient, "
        "whatever the gradient's size: {ratio} times the learning rate. From the second update on, the running "
        "average holds the squared gradients seen so far, so each step depends on the gradient's size compared with "
        "its recent size."),
    "optimizer.intro": "The state of every parameter before and after each update, by the rule in {update}.",
    "optimizer.table": "Update {index} ({t}):",
    "optimizer.more": "Updates 1 to {shown} and the last ({last}) are shown; handouts solve --json lists every one.",
    "optimizer.second": (
        "The second update ({t}) of {parameter} worked in full: it starts from {start} and the state the first "
        "update left, with the gradient of {loss} at those parameters ({g} in the table of update 2)."),
    "optimizer.compared": "Plain SGD would change {parameter} by {plain}; {name} changes it by {change}, {times}.",
    "diagram.labelled": "Each arrow is labelled with its weight{values}.",
    "diagram.values": "; the number under a neuron is its activation in the forward pass{example}",
    "diagram.unlabelled": "The layers are too wide to label every arrow legibly; the weights are listed in the problem setup.",
    "diagram.biases": "Biases: {list}.",
}

_FORMATTER = Formatter()


def math(latex: str) -> dict:
    """A math segment."""
    return {"math": True, "text": latex}


def text(words: str) -> dict:
    """A prose segment."""
    return {"math": False, "text": words}


HEADINGS = {"update": "The update", "optimizer": "Optimizer state"}
"""The headings of the sections that other sections refer to (the templates print the same words)."""


def section_ref(name: str) -> dict:
    """A reference to section ``name``: LaTeX prints "section" and its number, Markdown and HTML link its
    heading (``anchor`` is GitHub's anchor for the Markdown heading)."""
    heading = HEADINGS[name]
    return {"math": False, "text": heading, "ref": name, "anchor": heading.lower().replace(" ", "-")}


def examples_named(numbers) -> str:
    """'example 2', 'examples 1 and 2' or 'examples 1 to 3' (consecutive example numbers)."""
    numbers = list(numbers)
    if len(numbers) == 1:
        return f"example {numbers[0]}"
    return f"examples {numbers[0]} {'and' if len(numbers) == 2 else 'to'} {numbers[-1]}"


def say(key: str, **values) -> list[dict]:
    """The catalogue sentence ``key`` with its placeholders filled: a value is a math segment (``math``),
    a list of segments (an inner sentence), or plain prose (a ``str``)."""
    segments = []
    for literal, name, _, _ in _FORMATTER.parse(TEXT[key]):
        if literal:
            segments.append(text(literal))
        if name is None:
            continue
        value = values[name]
        if isinstance(value, dict):
            segments.append(value)
        elif isinstance(value, list):
            segments.extend(value)
        else:
            segments.append(text(str(value)))
    return segments


def sentence(*parts) -> list[dict]:
    """Segments from parts given as prose strings or math segments (for sentences built from data)."""
    return [part if isinstance(part, dict) else text(part) for part in parts]

