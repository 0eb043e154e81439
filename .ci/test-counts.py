#!/usr/bin/env python3
"""Prints how many tests ran on each JDK, from the Surefire reports of the last ./mvnw verify:
the host tests (target/surefire-reports on the build JDK, target/surefire-reports-jdk25 on 25) and
the Windows tests that pipe-it ran under Wine, one test bed run per JDK. Fails if a JDK that must
have run shows no tests."""
import glob
import re
import sys
import xml.etree.ElementTree as ET
from collections import Counter


def suites(pattern):
    for path in glob.glob(pattern):
        yield ET.parse(path).getroot()


def java_version(suite):
    for prop in suite.iter("property"):
        if prop.get("name") == "java.version":
            return prop.get("value")
    return "?"


def outcome(case):
    if case.find("failure") is not None or case.find("error") is not None:
        return "failed"
    if case.find("skipped") is not None:
        return "skipped"
    return "passed"


host = {}
wine = {}
for folder in ("surefire-reports", "surefire-reports-jdk25"):
    reports = list(suites(f"*/target/{folder}/TEST-*.xml"))
    # A class that was skipped whole (a Windows-only one, on Linux) reports no properties: the
    # folder's JDK is the one its other reports name.
    versions = Counter(v for v in map(java_version, reports) if v != "?")
    jdk = versions.most_common(1)[0][0] if versions else "?"
    for suite in reports:
        for case in suite.iter("testcase"):
            # pipe-it reports each Windows test as "... <Class.method()> [Wine 10.0, JDK 21]".
            inner = re.search(r"\[Wine ([^,\]]+), JDK (\d+)\]$", case.get("name", ""))
            if inner:
                wine.setdefault(f"JDK {inner.group(2)} under Wine {inner.group(1)}", Counter())[outcome(case)] += 1
            else:
                host.setdefault(f"JDK {jdk} on the host", Counter())[outcome(case)] += 1

ok = True
for title, counts in [("host", host), ("Windows, under Wine", wine)]:
    print(f"{title}:")
    for where, c in sorted(counts.items()):
        print(f"  {where}: {c['passed']} passed, {c['failed']} failed, {c['skipped']} skipped")
    if counts is host:
        print("  (skipped on the host: the Windows-only tests, which ran under Wine below)")
    if not counts:
        print("  none")
        ok = False
host_lines = {re.match(r"JDK (\d+)", k).group(1) for k in host if re.match(r"JDK \d", k)}
if not {"17", "25"} <= host_lines:
    print(f"the host tests must run on JDK 17 and 25; they ran on {sorted(host_lines)}")
    ok = False
wine_lines = {re.match(r"JDK (\d+)", k).group(1) for k in wine}
if not {"17", "21", "25"} <= wine_lines:
    print(f"the Windows tests must run under Wine on JDK 17, 21 and 25; they ran on {sorted(wine_lines)}")
    ok = False
if any(c["failed"] for c in list(host.values()) + list(wine.values())):
    ok = False
total = sum((c for c in list(host.values()) + list(wine.values())), Counter())
print(f"all: {total['passed']} passed, {total['failed']} failed, {total['skipped']} skipped")
sys.exit(0 if ok else 1)
