#!/usr/bin/env python3
"""Prints "PASSED FAILED" for a suite's output on stdin.

It reads CTest's closing line ("97% tests passed, 3 tests failed out of 100") or a plain
closing line ("vm: 12 passed, 1 failed"); the last matching line wins, and no line gives "0 0".
"""
import re
import sys

passed = failed = 0
for line in sys.stdin:
    ctest = re.search(r"tests passed, (\d+) tests? failed out of (\d+)", line)
    plain = re.match(r"^(?:[\w-]+: )?(\d+) passed, (\d+) failed", line.strip())
    if ctest:
        failed = int(ctest.group(1))
        passed = int(ctest.group(2)) - failed
    elif plain:
        passed, failed = int(plain.group(1)), int(plain.group(2))
print(passed, failed)
