#!/usr/bin/env python3
"""Prints, last, which tests failed in the last ./mvnw verify, and the head of each failure.

Why: a failed build's log ends with Maven's summary, and a failure of the Windows suite under
Wine carries the launcher's whole output in its message, so whoever reads only the tail of a CI
log (as a report of a CI run does) never sees which test failed. This reads the Surefire
reports of the host runs and the Wine runs' own reports, and prints one short block per
failure; .ci/run calls it when the test step fails.
"""
import glob
import os
import sys
import xml.etree.ElementTree as ET

LINES = 6      # of each failure's message and trace
WIDTH = 240    # characters of each of those lines

PATTERNS = (
    "*/target/surefire-reports*/TEST-*.xml",
    "pipe-it/target/windows-suite/reports/*/TEST-*.xml",  # one per JDK the Wine suite ran on
)


def failures(root):
    """(where, test, kind, head) for each failed test case of one report, in report order."""
    for path in sorted(p for pattern in PATTERNS for p in glob.glob(os.path.join(root, pattern))):
        try:
            suite = ET.parse(path).getroot()
        except ET.ParseError as e:
            yield path, "(unreadable report)", "error", str(e)
            continue
        where = os.path.relpath(os.path.dirname(path), root)
        for case in suite.iter("testcase"):
            for kind in ("failure", "error"):
                for problem in case.findall(kind):
                    text = (problem.get("message") or "") + "\n" + (problem.text or "")
                    lines = [line[:WIDTH] for line in text.strip().splitlines() if line.strip()][:LINES]
                    test = (case.get("classname") or "?") + "." + (case.get("name") or "?")
                    yield where, test, kind, "\n".join(lines)


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else "."
    found = list(failures(root))
    print(f"\n==> failed tests: {len(found)}")
    for where, test, kind, head in found:
        print(f"\n--- {kind}: {test}  ({where})")
        print(head)
    return 0


if __name__ == "__main__":
    sys.exit(main())
