#!/usr/bin/env python3
"""Counts the results that ci-guest.sh wrote and prints "vm: N passed, M failed" last.

Usage: ci-report.py RESULTS_DIR

A gtest test counts once: passed, failed or skipped (skips are listed, not counted), except
that a test in REQUIRED_IN_GUEST counts as failed when skipped, because the guest exists to
run it. A check script counts its "ok" and "FAIL" lines. A step that exited non-zero
without a failure of its own to show (a crash, a timeout, a leak report at exit) counts as one
failure, and so does a step that did not run. Exits 1 when anything failed.

CI keeps only this output, so for each step with a failure it first prints what explains it:
the failure messages of the failed gtest tests, or else the last LOG_TAIL_LINES lines of the
step's log, which has ocirun's stderr.
"""
import fnmatch
import json
import os
import sys

GTEST_STEPS = ("cgroups", "integration")
CHECK_STEPS = ("containers", "apparmor", "rootless", "podman")
LOG_TAIL_LINES = 40
# Lines printed of each failed gtest test's failure messages, and how many failed tests of a
# step get their messages printed.
FAILURE_MESSAGE_LINES = 20
FAILED_TESTS_SHOWN = 5

# Tests that skip on hosts without pure cgroup v2, systemd or the v2 controllers, and so must
# run in the guest.
REQUIRED_IN_GUEST = (
    "HostSystemd.*",
    "HostV2.*",
    "HostResources.UnifiedLimits",
    "HostCgroup.*",
    "Update.CheckBeforeUpdateV2",
)


def read_text(path):
    try:
        with open(path, errors="replace") as source:
            return source.read()
    except FileNotFoundError:
        return None


class Tally:
    def __init__(self):
        self.passed = 0
        self.failed = 0
        self.failures = []
        self.skipped = []
        # Step name to the failure messages of its failed gtest tests, for every step with a
        # failure. An empty list means the step's log tail explains the failure.
        self.failed_steps = {}

    def fail(self, step, message, details=None):
        self.failed += 1
        self.failures.append(f"{step}: {message}")
        self.failed_steps.setdefault(step, [])
        if details:
            self.failed_steps[step].append(details)


def step_status(results, step, tally):
    """Returns the step's exit status as text, or None after counting a step that did not end."""
    status = read_text(os.path.join(results, f"{step}.status"))
    if status is not None:
        return status.strip()
    if read_text(os.path.join(results, f"{step}.log")) is None:
        tally.fail(step, "the step did not run")
    else:
        tally.fail(step, f"the step did not finish before the VM stopped; see {step}.log")
    return None


def count_gtest(results, step, tally):
    status = step_status(results, step, tally)
    if status is None:
        return
    report = read_text(os.path.join(results, f"{step}.json"))
    if report is None:
        tally.fail(step, f"no gtest report (exit status {status}); see {step}.log")
        return
    failed_before = tally.failed
    for suite in json.loads(report).get("testsuites", []):
        for test in suite.get("testsuite", []):
            name = f"{suite['name']}.{test['name']}"
            if test.get("failures"):
                messages = "\n".join(failure["failure"] for failure in test["failures"])
                tally.fail(step, f"{name} failed", f"{name}:\n{first_lines(messages)}")
            elif test.get("result") == "SKIPPED":
                if any(fnmatch.fnmatch(name, pattern) for pattern in REQUIRED_IN_GUEST):
                    tally.fail(step, f"{name} was skipped but must run in the guest")
                else:
                    tally.skipped.append(f"{step}: {name}")
            elif test.get("result") == "COMPLETED":
                tally.passed += 1
    if status != "0" and tally.failed == failed_before:
        tally.fail(step, f"exit status {status} with no failed test; see {step}.log")


def count_checks(results, step, tally):
    status = step_status(results, step, tally)
    if status is None:
        return
    log = read_text(os.path.join(results, f"{step}.log")) or ""
    failed_before = tally.failed
    for line in log.splitlines():
        if line.startswith("ok "):
            tally.passed += 1
        elif line.startswith("FAIL "):
            tally.fail(step, line[5:].strip())
    if status != "0" and tally.failed == failed_before:
        tally.fail(step, f"exit status {status} with no failed check; see {step}.log")


def first_lines(text, count=FAILURE_MESSAGE_LINES):
    lines = text.rstrip("\n").splitlines()
    if len(lines) <= count:
        return "\n".join(lines)
    return "\n".join(lines[:count] + [f"... ({len(lines) - count} more lines)"])


def print_failure_details(results, tally):
    """Prints, for each failed step, its failed tests' messages or the tail of its log."""
    for step, details in tally.failed_steps.items():
        if details:
            print(f"---- {step}: failure messages of the failed tests")
            for text in details[:FAILED_TESTS_SHOWN]:
                print(text)
            if len(details) > FAILED_TESTS_SHOWN:
                print(f"... and {len(details) - FAILED_TESTS_SHOWN} more failed tests;"
                      f" see {step}.json")
            continue
        log = read_text(os.path.join(results, f"{step}.log"))
        if log is None:
            continue
        lines = log.rstrip("\n").splitlines()[-LOG_TAIL_LINES:]
        print(f"---- {step}: last {len(lines)} lines of {step}.log")
        for line in lines:
            print(line)
    if tally.failed_steps:
        print("---- end of failure details")


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: ci-report.py RESULTS_DIR")
    results = sys.argv[1]
    tally = Tally()
    for step in GTEST_STEPS:
        count_gtest(results, step, tally)
    for step in CHECK_STEPS:
        count_checks(results, step, tally)
    print_failure_details(results, tally)
    for name in tally.skipped:
        print(f"skipped  {name}")
    for message in tally.failures:
        print(f"FAILED   {message}")
    print(f"vm: {tally.passed} passed, {tally.failed} failed")
    return 1 if tally.failed else 0


if __name__ == "__main__":
    sys.exit(main())
