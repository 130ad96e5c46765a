"""Speed benchmark (``make bench``): one Markdown table measured in one run.

Rows: cold ``handouts --help``; solve + render (tex + md) of every seed problem; a
100-version exam of the [3,2,2,1] family through the CLI; sigmoid/MSE networks of growing
size; one LaTeX compile of a seed handout, to compare our time with TeX's. Each row shows
its target and OK or MISS. In-process timings are taken after start-up (imports done).
"""
from __future__ import annotations

import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from solver.api import build_network, load_problem, problem_from_mapping, solve
from solver.build import render_outputs
from solver.latex_build import compile_pdf, latexmk_available

ROOT = Path(__file__).resolve().parents[1]
HANDOUTS = Path(sys.executable).with_name("handouts")
FORMATS = ("tex", "md")
FAMILY = Path("problems/families/layered_3_2_2_1.yaml")
NETWORKS = ([2, 2, 1], [4, 8, 8, 2], [8, 16, 16, 4], [16, 32, 32, 8])
SEED = 20260
MAX_SLOPE = 1.3
"""'Roughly linear': total time grows at most like parameters ** MAX_SLOPE between the two largest networks."""


def wall(fn) -> float:
    """Wall time of one call of ``fn``, in seconds."""
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def solve_and_render(problem, runs: int = 3) -> tuple[float, float]:
    """(solve, render) seconds of the run whose total is the median of ``runs``."""
    times = []
    for _ in range(runs):
        box = {}
        solve_time = wall(lambda: box.setdefault("solution", solve(problem)))
        render_time = wall(lambda: render_outputs(box["solution"], FORMATS))
        times.append((solve_time, render_time))
    return sorted(times, key=sum)[runs // 2]


def network_mapping(layers: list[int], rng: np.random.Generator) -> dict:
    """A sigmoid/MSE problem with weights, biases and inputs drawn uniformly (3 decimals).

    The chain-rule section follows a weight of the output layer (one path), as the default
    first-layer weight has more paths than a handout shows.
    """
    def draw(low, high, shape):
        return np.round(rng.uniform(low, high, shape), 3).tolist()

    pairs = list(zip(layers, layers[1:]))
    return {
        "title": f"Benchmark network {layers}",
        "network": {"layers": layers, "activation": "sigmoid", "bias": True},
        "weights": [draw(-0.5, 0.5, (rows, cols)) for cols, rows in pairs],
        "biases": [draw(-0.5, 0.5, rows) for _, rows in pairs],
        "input": draw(-1, 1, layers[0]),
        "target": draw(0, 1, layers[-1]),
        "loss": "mse",
        "learning_rate": 0.5,
        "options": {"chain": [len(layers) - 1, 1, 1]},
    }


def problem_params(problem) -> int:
    """Trainable parameters (weights and biases) of a problem's network."""
    return build_network(problem.spec).parameter_count


def verdict(seconds: float, limit: float) -> str:
    return "OK" if seconds < limit else "MISS"


def cold_help() -> float:
    """Best of 5 wall times of a fresh ``handouts --help`` process."""
    return min(wall(lambda: subprocess.run([HANDOUTS, "--help"], check=True, capture_output=True))
               for _ in range(5))


def exam_time() -> tuple[float | None, str]:
    """Seconds for the 100-version exam through the CLI, or None and why it could not run."""
    if not FAMILY.is_file():
        return None, f"not available: {FAMILY} does not exist"
    probe = subprocess.run([HANDOUTS, "exam", "--help"], capture_output=True, text=True)
    if probe.returncode != 0:
        return None, "not available: there is no `handouts exam` command"
    with tempfile.TemporaryDirectory() as out:
        command = [HANDOUTS, "exam", str(FAMILY), "--versions", "100", "--seed", "1", "--out", out,
                   "--format", "tex,md"]
        start = time.perf_counter()
        result = subprocess.run(command, capture_output=True, text=True)
        seconds = time.perf_counter() - start
    if result.returncode != 0:
        lines = (result.stderr or result.stdout).strip().splitlines() or [f"exit code {result.returncode}"]
        return None, f"failed: {lines[-1]}"
    return seconds, ""


def tex_time() -> tuple[float | None, str]:
    """Seconds for one ``compile_pdf`` of the rendered seed001 handout, or None and why not."""
    if not latexmk_available():
        return None, "not available: latexmk is not installed"
    solution = solve(load_problem("problems/seed001_named_2_2_1.yaml"))
    with tempfile.TemporaryDirectory() as folder:
        tex = Path(folder) / "handout.tex"
        tex.write_text(render_outputs(solution, ("tex",))["handout.tex"])
        return wall(lambda: compile_pdf(tex)), ""


def main() -> None:
    rows = [("cold `handouts --help` (best of 5)", "", "", "", cold_help(), 0.3)]
    seeds = {}
    for path in sorted(Path("problems").glob("*.yaml")):
        problem = load_problem(path)
        solve_time, render_time = solve_and_render(problem)
        seeds[path.stem] = solve_time + render_time
        rows.append((f"seed `{path.stem}` (median of 3)", problem_params(problem), solve_time, render_time,
                     solve_time + render_time, 1.0))
    exam, exam_note = exam_time()
    rng = np.random.default_rng(SEED)
    sizes = []
    for layers in NETWORKS:
        problem = problem_from_mapping(network_mapping(layers, rng), f"network {layers}")
        solve_time, render_time = solve_and_render(problem)
        sizes.append((problem_params(problem), solve_time + render_time))
        rows.append((f"network {layers} (median of 3)", sizes[-1][0], solve_time, render_time, sizes[-1][1],
                     15.0 if layers == NETWORKS[-1] else None))
    tex, tex_note = tex_time()

    print("| Case | Params | Solve s | Render s | Total s | Target | Result |")
    print("|---|---:|---:|---:|---:|---|---|")
    for name, params, solve_time, render_time, total, limit in rows:
        cells = [f"{v:.3f}" if isinstance(v, float) else str(v) for v in (solve_time, render_time, total)]
        target = f"< {limit:g} s" if limit else ""
        print(f"| {name} | {params} | {' | '.join(cells)} | {target} | {verdict(total, limit) if limit else ''} |")
    (p1, t1), (p2, t2) = sizes[-2:]
    slope = math.log(t2 / t1) / math.log(p2 / p1)
    print(f"| growth {p1} -> {p2} params: time ~ params^{slope:.2f} | | | | | exponent <= {MAX_SLOPE} | "
          f"{'OK' if slope <= MAX_SLOPE else 'MISS'} |")
    if exam is None:
        print(f"| exam: 100 versions of [3,2,2,1] (CLI, tex+md) | | | | | < 10 s | {exam_note} |")
    else:
        print(f"| exam: 100 versions of [3,2,2,1] (CLI, tex+md) | | | | {exam:.3f} | < 10 s | "
              f"{verdict(exam, 10.0)} ({exam / 100:.3f} s per version) |")
    if tex is None:
        print(f"| LaTeX compile of seed001 handout (latexmk -pdf) | | | | | | {tex_note} |")
    else:
        ratios = [f"seed001 handout / TeX = {seeds['seed001_named_2_2_1'] / tex:.3f}"]
        if exam is not None:
            ratios.append(f"exam version / TeX = {exam / 100 / tex:.3f}")
        print(f"| LaTeX compile of seed001 handout (latexmk -pdf) | | | | {tex:.3f} | | {'; '.join(ratios)} |")


if __name__ == "__main__":
    os.chdir(ROOT)
    main()
