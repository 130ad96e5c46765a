"""The after section's sentences for a batch, pinned as literal text."""
from __future__ import annotations

import pytest

from seed001_problem import SEED001
from solver.api import problem_from_mapping, solve
from solver.sections import build_handout

PROBLEM = {key: value for key, value in SEED001.items() if key not in ("input", "target")}
EXAMPLES = [{"input": [0.05, 0.10], "target": [0.50]}, {"input": [0.10, 0.05], "target": [0.25]},
            {"input": [0.20, 0.30], "target": [0.75]}, {"input": [0.3, 0.1], "target": [0.4]}]


@pytest.mark.parametrize("count, batch, subject", [
    (2, 2, "example 2 goes through"), (3, 3, "examples 2 and 3 go through"), (4, 4, "examples 2 to 4 go through"),
    (4, 3, "examples 2 and 3 go through")])
def test_the_loss_after_a_batch_names_the_other_examples(count, batch, subject):
    """The after section's lead-in for the batch of the worked update (always the first batch: examples 1 on)."""
    examples = EXAMPLES[:count]
    after = build_handout(solve(problem_from_mapping({**PROBLEM, "examples": examples, "training": {"batch": batch}}))) \
        .records["after"]
    assert "".join(segment["text"] for segment in after.batch_intro) == (
        f"The batch loss after the update needs every example's loss with the new parameters; {subject} the same "
        "forward pass as example 1:")
