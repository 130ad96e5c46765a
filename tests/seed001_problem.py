"""The seed 001 problem (problems/seed001_named_2_2_1.yaml) as a mapping, shared by the section tests
(as tests/seed_oracle.py is shared): a 2-2-1 sigmoid network with biases, MSE, eta 0.5, named notation,
three decimals. Tests extend it with ``{**SEED001, ...}`` and never change it in place."""
from __future__ import annotations

SEED001 = {
    "title": "Seed 001",
    "network": {"layers": [2, 2, 1], "activation": "sigmoid", "bias": True},
    "weights": [[[0.15, 0.20], [0.25, 0.30]], [[0.40, 0.45]]],
    "biases": [[0.35, 0.35], [0.60]],
    "input": [0.05, 0.10], "target": [0.50], "loss": "mse", "learning_rate": 0.5,
    "notation": "named", "rounding": {"decimals": 3},
}
"""The seed 001 network (problems/seed001_named_2_2_1.yaml)."""
