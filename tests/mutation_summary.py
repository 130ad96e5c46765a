"""Kill rate per module from ``mutmut results --all true`` (read on standard input), for ``make mutation``.

Prints one Markdown table row per module and the surviving mutants, and exits 1 when a module's kill
rate is below the goal. A mutant that no selected test reaches ("no tests") counts as not killed; a
timeout or a segfault counts as killed (the test run noticed the change)."""
from __future__ import annotations

import re
import sys
from collections import Counter, defaultdict

GOAL = 0.90
KILLED = {"killed", "timeout", "segfault"}
NOT_KILLED = {"survived", "no tests"}
LINE = re.compile(r"^\s*(?P<module>[\w.]+?)\.x[^.]*__mutmut_\d+: (?P<status>[\w ]+)$")


def summarise(lines) -> tuple[dict[str, Counter], list[str]]:
    """Status counts per module and the names of surviving mutants."""
    counts: dict[str, Counter] = defaultdict(Counter)
    survivors = []
    for line in lines:
        match = LINE.match(line.rstrip())
        if not match:
            continue
        counts[match["module"]][match["status"]] += 1
        if match["status"] in NOT_KILLED:
            survivors.append(line.strip().rsplit(":", 1)[0])
    return counts, survivors


def main() -> int:
    counts, survivors = summarise(sys.stdin)
    print("| module | mutants | killed | survived | no tests | kill rate |")
    print("| :--- | ---: | ---: | ---: | ---: | ---: |")
    below = []
    not_run = []
    for module, count in sorted(counts.items()):
        killed = sum(count[status] for status in KILLED)
        decided = killed + sum(count[status] for status in NOT_KILLED)
        if not decided:
            not_run.append(module)
            continue
        rate = killed / decided
        print(f"| {module} | {sum(count.values())} | {killed} | {count['survived']} | {count['no tests']} "
              f"| {rate:.1%} |")
        if rate < GOAL:
            below.append(module)
    print("\nMutants not killed (`mutmut show NAME`):")
    for name in survivors:
        print(f"- {name}")
    if not_run:
        print(f"\nnot run (no mutant tested, e.g. outside a name glob): {', '.join(not_run)}")
    if below:
        print(f"\nbelow the {GOAL:.0%} goal: {', '.join(below)}")
    return 1 if below else 0


if __name__ == "__main__":
    sys.exit(main())
