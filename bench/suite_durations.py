"""The test suite's time per module, from pytest's JUnit XML: one run, or two side by side (before, after).

A module's time is the sum of its tests' times as pytest records them (setup, call and teardown, so a
module-scoped backend counts in its first test). Produce the files with `--junitxml`, e.g. on a quiet
machine, from a checkout of each commit:

    .venv/bin/python -m pytest -q -p no:cacheprovider --junitxml=/tmp/before.xml tests   # in the old tree
    .venv/bin/python -m pytest -q -p no:cacheprovider --junitxml=/tmp/after.xml tests    # in the new tree
    .venv/bin/python bench/suite_durations.py /tmp/before.xml /tmp/after.xml

Printed: seconds per module (the slowest first) and the total; with two files, the change per module.
"""

import argparse
import collections
import sys
import xml.etree.ElementTree as ET
from pathlib import Path


def module_seconds(junit_xml: Path) -> dict[str, float]:
    """Seconds per test module (its dotted name, e.g. tests.worker.test_cli) in one JUnit XML report."""
    totals: collections.Counter[str] = collections.Counter()
    for case in ET.parse(junit_xml).iter("testcase"):
        totals[case.get("classname") or "?"] += float(case.get("time") or 0.0)
    return dict(totals)


def table(runs: list[dict[str, float]]) -> list[str]:
    """Lines of a plain-text table: one row per module, one column per run, and the change from the first."""
    modules = sorted(set().union(*runs), key=lambda name: -max(run.get(name, 0.0) for run in runs))
    rows = []
    for name in [*modules, "total"]:
        values = [sum(run.values()) if name == "total" else run.get(name) for run in runs]
        cells = ["-" if value is None else f"{value:8.1f}" for value in values]
        if len(runs) == 2:
            before, after = (value or 0.0 for value in values)
            cells.append(f"{after - before:+8.1f}")
        rows.append(f"{name:60s} " + " ".join(f"{cell:>8s}" for cell in cells))
    return rows


def main(argv: list[str]) -> int:
    """Print the table for one or two JUnit XML files."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("reports", nargs="+", type=Path, help="one JUnit XML file, or two: before and after")
    args = parser.parse_args(argv)
    if len(args.reports) > 2:
        parser.error("give one report, or two (before and after)")
    header = ["before", "after", "change"] if len(args.reports) == 2 else ["seconds"]
    print(f"{'module':60s} " + " ".join(f"{title:>8s}" for title in header))
    print("\n".join(table([module_seconds(path) for path in args.reports])))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
