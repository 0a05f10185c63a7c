#!/usr/bin/env python3
"""Print the markdown report of bench/run.sh from its results directory.

Usage: report.py RESULTS_DIR "RUNTIMES"

RESULTS_DIR contains hyperfine's JSON exports (NAME-RUNTIME.json), peak RSS samples in KiB
(rss-COMMAND-RUNTIME.txt, one per line) and versions.txt (key=value lines).
"""

import json
import statistics
import sys
from pathlib import Path

# (name in the results, row label)
TIMINGS = [
    ("run", "run, 1 container"),
    ("sequential", "run, 100 containers one after another"),
    ("parallel", "run, 10 containers at once"),
    ("create", "create"),
    ("start", "start"),
    ("state", "state"),
    ("kill", "kill (created container, SIGKILL)"),
    ("delete", "delete (stopped container)"),
]

# Targets for ocirun, checked against the medians of this run.
SPEED_TARGETS = [("runc", 4.0), ("crun", 1.5)]
FLOOR_TARGET = 1.5


def load_timing(results, name, runtime):
    """Returns (median, min, max) in seconds, or None when the measurement failed."""
    path = results / f"{name}-{runtime}.json"
    if not path.exists():
        return None
    result = json.loads(path.read_text())["results"][0]
    return result["median"], result["min"], result["max"]


def load_rss(results, command, runtime):
    """Returns (median, min, max) in KiB over the samples, or None when there are none."""
    path = results / f"rss-{command}-{runtime}.txt"
    if not path.exists():
        return None
    samples = [int(line) for line in path.read_text().split()]
    if not samples:
        return None
    return statistics.median(samples), min(samples), max(samples)


def ratio(value, reference):
    if value is None or reference is None:
        return "–"
    return f"{value[0] / reference[0]:.2f}"


def print_timings(results, runtimes):
    print("| measurement | runtime | median ms | min ms | max ms | ÷ ocirun | ÷ floor |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for name, label in TIMINGS:
        ocirun = load_timing(results, name, "ocirun")
        floor = load_timing(results, name, "floor")
        rows = runtimes + (["floor"] if floor else [])
        for runtime in rows:
            timing = load_timing(results, name, runtime)
            if timing is None:
                print(f"| {label} | {runtime} | failed | | | | |")
                continue
            median, low, high = (value * 1000 for value in timing)
            print(
                f"| {label} | {runtime} | {median:.1f} | {low:.1f} | {high:.1f} "
                f"| {ratio(timing, ocirun)} | {ratio(timing, floor)} |"
            )


def print_rss(results, runtimes):
    print("| command | runtime | median MiB | min MiB | max MiB |")
    print("|---|---|---:|---:|---:|")
    rows = [("create", runtime) for runtime in runtimes]
    rows += [("run", runtime) for runtime in runtimes + ["floor", "tool"]]
    for command, runtime in rows:
        rss = load_rss(results, command, runtime)
        label = "ocirun_peak_rss /bin/true" if runtime == "tool" else runtime
        if rss is None:
            print(f"| {command} | {label} | failed | | |")
            continue
        median, low, high = (value / 1024 for value in rss)
        print(f"| {command} | {label} | {median:.1f} | {low:.1f} | {high:.1f} |")


def verdict(met):
    return "met" if met else "not met"


def print_targets(results):
    ocirun = load_timing(results, "sequential", "ocirun")
    lines = []
    for runtime, target in SPEED_TARGETS:
        other = load_timing(results, "sequential", runtime)
        if ocirun and other:
            value = other[0] / ocirun[0]
            lines.append(f"{runtime}/ocirun = {value:.2f} (target >= {target}): "
                         f"{verdict(value >= target)}")
    floor = load_timing(results, "sequential", "floor")
    if ocirun and floor:
        value = ocirun[0] / floor[0]
        lines.append(f"ocirun/floor = {value:.2f} (target <= {FLOOR_TARGET}): "
                     f"{verdict(value <= FLOOR_TARGET)}")
    for command in ("create", "run"):
        ocirun_rss = load_rss(results, command, "ocirun")
        crun_rss = load_rss(results, command, "crun")
        if ocirun_rss and crun_rss:
            lines.append(
                f"peak RSS of {command}: ocirun {ocirun_rss[0] / 1024:.1f} MiB, crun "
                f"{crun_rss[0] / 1024:.1f} MiB (target: ocirun below crun): "
                f"{verdict(ocirun_rss[0] < crun_rss[0])}"
            )
    if not lines:
        lines.append("no target could be checked: the measurements of ocirun are missing or failed")
    for line in lines:
        print(f"- {line}")


def main():
    results = Path(sys.argv[1])
    runtimes = sys.argv[2].split()
    versions = dict(
        line.split("=", 1) for line in (results / "versions.txt").read_text().splitlines()
    )
    print(f"## Results of bench/run.sh, {versions.get('date', '?')}")
    print()
    print(f"Kernel {versions.get('kernel', '?')}, {versions.get('cpus', '?')} CPUs, "
          f"{versions.get('hyperfine', '?')}, {versions.get('seconds', '?')} s in total.")
    print(f"Load average (1, 5, 15 min) {versions.get('load_start', '?')} at the start, "
          f"{versions.get('load_end', '?')} at the end.")
    for runtime in runtimes:
        print(f"- {runtime}: {versions.get(runtime, '?')}")
    print()
    print("### Time (wall clock)")
    print()
    print_timings(results, runtimes)
    print()
    print("### Targets (100 containers one after another, medians)")
    print()
    print_targets(results)
    print()
    print("### Peak resident memory of any runtime process")
    print()
    print_rss(results, runtimes)


if __name__ == "__main__":
    main()
