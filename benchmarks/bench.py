"""Speed benchmark (``make bench``): one Markdown table, measured in one run.

Rows: cold ``handouts --help``; solve + render (tex + md) of every problem in ``problems/``; a
100-version exam of the [3,2,2,1] family through the CLI; sigmoid/MSE networks of growing size; the
slowest network the limits allow, rendered in every format through the CLI, for one SGD step and for as
many steps as the limits allow;
one LaTeX compile of a seed handout, to compare our time with TeX's; a 40-version exam with every PDF
against one TeX run of one of its worked keys (same document, same ``compile_pdf``). Each row shows its target
and OK or MISS. In-process timings are taken after start-up (imports done). Handout rows judge
the median of 3 runs and also show the first run, which pays once per network for SymPy's
derivation and compilation (the first row also for compiling the templates).
"""
from __future__ import annotations

import json
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
from solver.spec import MAX_PARAMETER_UPDATES, MAX_PARAMETERS

ROOT = Path(__file__).resolve().parents[1]
HANDOUTS = Path(sys.executable).with_name("handouts")
FORMATS = ("tex", "md")
FAMILY = Path("problems/families/layered_3_2_2_1.yaml")
EXAM_VERSIONS = 100
PDF_FAMILY = Path("problems/families/sample.yaml")
PDF_EXAM_VERSIONS = 40
PDF_EXAM_RATIO = 20.0
"""The PDF exam may take at most this many times one TeX run of one of its worked keys."""
TEX_PROBLEM = Path("problems/seed001_named_2_2_1.yaml")
NETWORKS = ([2, 2, 1], [4, 8, 8, 2], [8, 16, 16, 4], [16, 20, 20, 8])
LARGEST = [11] * 8
"""The slowest network within the limits that was found (924 parameters): solve and render in every format
measured against [10] * 9, [64, 15, 1], [31, 31], softmax [2, 29, 29] and [16, 20, 20, 8] (all near 1,000)."""
LARGEST_LIMIT_ALL_FORMATS = 60.0
NETWORK_SEED = 20260
HELP_LIMIT, HANDOUT_LIMIT, EXAM_LIMIT, LARGEST_LIMIT = 0.3, 1.0, 10.0, 15.0
MAX_EXPONENT = 1.2
"""'Roughly linear': between the two largest networks, time grows at most like params ** MAX_EXPONENT."""


def wall(fn) -> float:
    """Wall time of one call of ``fn``, in seconds."""
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def verdict(ok: bool) -> str:
    return "OK" if ok else "MISS"


def seconds(value: float | None) -> str:
    return "" if value is None else f"{value:.3f}"


def row(case: str, params="", solve_s=None, render_s=None, total_s=None, target="", result="") -> str:
    """One Markdown table row."""
    cells = (case, str(params), seconds(solve_s), seconds(render_s), seconds(total_s), target, result)
    return "| " + " | ".join(cells) + " |"


def problem_params(problem) -> int:
    """Trainable parameters (weights and biases) of a problem's network."""
    return build_network(problem.spec).parameter_count


def solve_and_render(problem, runs: int = 3) -> tuple[float, float, float]:
    """(solve, render) seconds of the run whose total is the median of ``runs``, and the first run's total
    (which also pays for SymPy's first derivation and compilation for this network)."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        solution = solve(problem)
        solved = time.perf_counter()
        render_outputs(solution, FORMATS)
        times.append((solved - start, time.perf_counter() - solved))
    return (*sorted(times, key=sum)[runs // 2], sum(times[0]))


def network_mapping(layers: list[int], rng: np.random.Generator) -> dict:
    """A sigmoid/MSE problem whose weights and biases are uniform in [-0.5, 0.5] (3 decimals).

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


def largest_allowed(steps: int) -> dict:
    """The LARGEST network's problem with ``steps`` SGD steps (copies of one example)."""
    mapping = network_mapping(LARGEST, np.random.default_rng(NETWORK_SEED))
    example = {"input": mapping.pop("input"), "target": mapping.pop("target")}
    return {**mapping, "examples": [example] * steps} if steps > 1 else {**mapping, **example}


def cli_render_time(mapping: dict) -> tuple[float | None, str]:
    """Seconds for ``handouts render`` of ``mapping`` in every format (pdf when latexmk is installed), or None
    and the last line of its error."""
    formats = "tex,md,html,pdf" if latexmk_available() else "tex,md,html"
    with tempfile.TemporaryDirectory() as folder:
        problem = Path(folder) / "largest.yaml"
        problem.write_text(json.dumps(mapping), encoding="utf-8")  # JSON is YAML 1.2 without aliases
        start = time.perf_counter()
        result = subprocess.run([HANDOUTS, "render", str(problem), "--format", formats, "--out", str(Path(folder) / "out")],
                                capture_output=True, text=True)
        elapsed = time.perf_counter() - start
    if result.returncode != 0:
        return None, f"failed: {(result.stderr or result.stdout).strip().splitlines()[-1]}"
    return elapsed, formats


def cold_help() -> float:
    """Best of 5 wall times of a fresh ``handouts --help`` process."""
    return min(wall(lambda: subprocess.run([HANDOUTS, "--help"], check=True, capture_output=True))
               for _ in range(5))


def exam_time() -> tuple[float | None, str]:
    """Seconds for the exam (exam, keys, csv, Moodle XML; no PDF) through the CLI, or None and why not."""
    if not FAMILY.is_file():
        return None, f"not available: {FAMILY} does not exist"
    if subprocess.run([HANDOUTS, "exam", "--help"], capture_output=True).returncode != 0:
        return None, "not available: there is no `handouts exam` command"
    with tempfile.TemporaryDirectory() as out:
        elapsed, failure = run_exam(FAMILY, EXAM_VERSIONS, "tex,md", out)
    return elapsed, failure


def run_exam(family: Path, versions: int, formats: str, out: str) -> tuple[float | None, str]:
    """Seconds for ``handouts exam`` of ``family`` into ``out``, or None and the last line of its error."""
    command = [HANDOUTS, "exam", str(family), "--versions", str(versions), "--seed", "1", "--out", out,
               "--format", formats]
    start = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        lines = (result.stderr or result.stdout).strip().splitlines() or [f"exit code {result.returncode}"]
        return None, f"failed: {lines[-1]}"
    return elapsed, ""


def pdf_exam_times() -> tuple[float | None, float | None, str]:
    """Seconds for the PDF exam (every format, every PDF) through the CLI, and for one ``compile_pdf`` of
    its first worked key in a fresh folder; or None and why not."""
    if not latexmk_available():
        return None, None, "not available: latexmk is not installed"
    with tempfile.TemporaryDirectory() as out:
        elapsed, failure = run_exam(PDF_FAMILY, PDF_EXAM_VERSIONS, "tex,md,pdf", out)
        if elapsed is None:
            return None, None, failure
        worked = sorted(Path(out, "worked").glob("*/handout.tex"))[0]
        with tempfile.TemporaryDirectory() as folder:
            tex = Path(folder) / worked.name
            tex.write_bytes(worked.read_bytes())
            return elapsed, wall(lambda: compile_pdf(tex)), ""


def tex_time() -> tuple[float | None, str]:
    """Seconds for one ``compile_pdf`` of the rendered seed001 handout, or None and why not."""
    if not latexmk_available():
        return None, "not available: latexmk is not installed"
    solution = solve(load_problem(TEX_PROBLEM))
    with tempfile.TemporaryDirectory() as folder:
        tex = Path(folder) / "handout.tex"
        tex.write_text(render_outputs(solution, ("tex",))["handout.tex"], encoding="utf-8")
        return wall(lambda: compile_pdf(tex)), ""


RUNAWAY_LIMIT = 60.0
IDENTITY_CHAIN = {
    "network": {"layers": [1, 1, 1], "activation": "identity"},
    "weights": [[[0.123456789012]], [[0.987654321098]]], "biases": [[0.111111111111], [0.222222222222]],
    "examples": [{"input": [0.5], "target": [0.7]}, {"input": [0.3], "target": [0.1]}],
    "epochs": 12, "loss": "mse", "learning_rate": 0.123456789,
}
"""Exact fractions multiply their digits every step here (minutes before they were bounded)."""


def main() -> None:
    """Measure everything, then print the table."""
    help_s = cold_help()
    lines = [row("cold `handouts --help` (best of 5)", total_s=help_s, target=f"< {HELP_LIMIT:g} s",
                 result=verdict(help_s < HELP_LIMIT))]
    handout_s = {}
    for path in sorted(Path("problems").glob("*.yaml")):
        problem = load_problem(path)
        solve_s, render_s, first_s = solve_and_render(problem)
        handout_s[path] = solve_s + render_s
        lines.append(row(f"`{path.stem}` (median of 3)", problem_params(problem), solve_s, render_s,
                         handout_s[path], f"< {HANDOUT_LIMIT:g} s",
                         f"{verdict(handout_s[path] < HANDOUT_LIMIT)} (first run {first_s:.3f} s)"))

    exam_s, exam_note = exam_time()
    if exam_s is not None:
        exam_note = f"{verdict(exam_s < EXAM_LIMIT)} ({exam_s / EXAM_VERSIONS:.3f} s per version)"
    lines.append(row(f"exam: {EXAM_VERSIONS} versions of `{FAMILY.stem}` (CLI, tex+md, no PDF)",
                     total_s=exam_s, target=f"< {EXAM_LIMIT:g} s", result=exam_note))

    rng = np.random.default_rng(NETWORK_SEED)
    sizes = []
    for layers in NETWORKS:
        problem = problem_from_mapping(network_mapping(layers, rng), f"network {layers}")
        solve_s, render_s, _ = solve_and_render(problem)
        params, total = problem_params(problem), solve_s + render_s
        sizes.append((params, total))
        largest = layers is NETWORKS[-1]
        lines.append(row(f"network {layers} (median of 3)", params, solve_s, render_s, total,
                         f"< {LARGEST_LIMIT:g} s" if largest else "",
                         (f"{verdict(total < LARGEST_LIMIT)}; " if largest else "")
                         + f"{1000 * total / params:.2f} ms per parameter"))
    (p1, t1), (p2, t2) = sizes[-2:]
    exponent = math.log(t2 / t1) / math.log(p2 / p1)
    lines.append(row(f"growth {p1} -> {p2} parameters: time ~ params^{exponent:.2f}",
                     target=f"exponent <= {MAX_EXPONENT}", result=verdict(exponent <= MAX_EXPONENT)))

    largest_params = problem_params(problem_from_mapping(largest_allowed(1), "largest"))
    assert largest_params <= MAX_PARAMETERS
    for steps in (1, MAX_PARAMETER_UPDATES // largest_params):
        elapsed, note = cli_render_time(largest_allowed(steps))
        if elapsed is not None:
            note = f"{verdict(elapsed < LARGEST_LIMIT_ALL_FORMATS)} ({note})"
        lines.append(row(f"largest allowed: {LARGEST[:1]} * {len(LARGEST)}, {steps} SGD step{'s' if steps > 1 else ''} "
                         "(CLI render, every format)", largest_params, total_s=elapsed,
                         target=f"< {LARGEST_LIMIT_ALL_FORMATS:g} s", result=note))

    runaway = problem_from_mapping(IDENTITY_CHAIN, "identity chain")
    solve_s = wall(lambda: solve(runaway))
    lines.append(row("runaway input: [1, 1, 1] identity, 2 examples x 12 epochs (solve, one run)",
                     problem_params(runaway), solve_s, target=f"< {RUNAWAY_LIMIT:g} s",
                     result=verdict(solve_s < RUNAWAY_LIMIT)))

    tex_s, tex_note = tex_time()
    ratios = [] if tex_s is None else [f"`{TEX_PROBLEM.stem}` handout / TeX = {handout_s[TEX_PROBLEM] / tex_s:.2f}"]
    if tex_s is not None and exam_s is not None:
        ratios.append(f"one exam version / TeX = {exam_s / EXAM_VERSIONS / tex_s:.2f}")
    lines.append(row(f"TeX: one `compile_pdf` (latexmk, pdflatex) of the `{TEX_PROBLEM.stem}` handout",
                     total_s=tex_s, result=tex_note or "; ".join(ratios)))

    pdf_s, key_s, pdf_note = pdf_exam_times()
    if pdf_s is not None:
        ratio = pdf_s / key_s
        pdf_note = (f"{verdict(ratio <= PDF_EXAM_RATIO)}: ratio {ratio:.1f} "
                    f"(one worked-key TeX run {key_s:.3f} s)")
    lines.append(row(f"exam: {PDF_EXAM_VERSIONS} versions of `{PDF_FAMILY.stem}` with every PDF (CLI) / one "
                     "worked-key TeX run", total_s=pdf_s, target=f"ratio <= {PDF_EXAM_RATIO:g}", result=pdf_note))

    print("| Case | Params | Solve s | Render s | Total s | Target | Result |")
    print("|---|---:|---:|---:|---:|---|---|")
    print("\n".join(lines))
    print(f"\n{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the end, Python "
          f"{sys.version.split()[0]}.")


if __name__ == "__main__":
    os.chdir(ROOT)
    main()
