#!/usr/bin/env python3
"""Prints how many tests ran on each JDK, from the Surefire reports of the last ./mvnw verify:
the host tests (target/surefire-reports on the build JDK, target/surefire-reports-jdk25 on 25) and
the Windows tests that pipe-it ran under Wine, one test bed run per JDK.

Fails when a JDK that must have run did not, when any test failed, and when the Windows suite did
not really run: every Windows-only test of the census (pipe-it/target/windows-suite/census.txt,
found on the host by the test bed's own selection, so never typed in) must have run under Wine on
JDK 17 and 25, every one of its part for JDK 21 (census-jdk21.txt: the library modules' tests, as
WineJdkCoverage says why) on 21, and a test may be skipped under Wine only if .ci/wine-skips.tsv names it with a reason.
On the host, a skipped test must be a Windows-only one of the census, or named in
.ci/host-skips.tsv with a reason."""
import glob
import os
import re
import sys
import xml.etree.ElementTree as ET
from collections import Counter


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


def key(class_name, test_name):
    """io.pipekit.x.SomeTest, someMethod(int)[2] -> SomeTest.someMethod (as WindowsSuiteCensus names tests)."""
    return class_name.rsplit(".", 1)[-1] + "." + test_name.split("(", 1)[0]


def listed(path):
    """SimpleClass.method<TAB>reason lines of a reviewed list; a line without a reason is an error."""
    entries = {}
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\n")
        if not line.strip() or line.startswith("#"):
            continue
        test, _, reason = line.partition("\t")
        if not reason.strip():
            sys.exit(f"{path}: every entry needs a reason after a tab: {line!r}")
        entries[test.strip()] = reason.strip()
    return entries


here = os.path.dirname(os.path.abspath(__file__))
wine_skips = listed(os.path.join(here, "wine-skips.tsv"))
host_skips = listed(os.path.join(here, "host-skips.tsv"))
census_file = "pipe-it/target/windows-suite/census.txt"
census = set(open(census_file).read().split()) if os.path.exists(census_file) else set()
WHOLE_SUITE_LINES = ("17", "25")   # the oldest and newest line run every Windows-only test
PART_LINES = ("21",)               # a line between runs its part: the library modules' Windows tests


def census_part(line):
    path = f"pipe-it/target/windows-suite/census-jdk{line}.txt"
    return set(open(path).read().split()) if os.path.exists(path) else set()

host = {}
host_by_module = {}   # (module, JDK title) -> Counter
wine = {}
wine_ran = {}        # JDK line -> the census keys that have a result under Wine
problems = []
for folder in ("surefire-reports", "surefire-reports-jdk25"):
    paths = glob.glob(f"*/target/{folder}/TEST-*.xml")
    reports = [ET.parse(path).getroot() for path in paths]
    # A class that was skipped whole (a Windows-only one, on Linux) reports no properties: the
    # folder's JDK is the one its other reports name.
    versions = Counter(v for v in map(java_version, reports) if v != "?")
    jdk = versions.most_common(1)[0][0] if versions else "?"
    for path, suite in zip(paths, reports):
        module = path.split("/", 1)[0]
        for case in suite.iter("testcase"):
            # pipe-it reports each Windows test as "... <Class.method()> [Wine 10.0, JDK 21]".
            name = case.get("name", "")
            inner = re.search(r"\[Wine ([^,\]]+), JDK (\d+)\]$", name)
            if inner:
                wine.setdefault(f"JDK {inner.group(2)} under Wine {inner.group(1)}", Counter())[outcome(case)] += 1
                # "... everyWindowsOnlyTestPassesUnderWineOnEveryJdk() SomeTest.someMethod() [Wine ...]"; the
                # suite's own checks per JDK name no test method.
                test = re.search(r"\(\) (\w+)\.(\w+)\(", name)
                if test:
                    k = test.group(1) + "." + test.group(2)
                    wine_ran.setdefault(inner.group(2), set()).add(k)
                    if outcome(case) == "skipped" and k not in wine_skips:
                        problems.append(f"{k} was skipped under Wine on JDK {inner.group(2)}, and .ci/wine-skips.tsv does not list it")
            else:
                host.setdefault(f"JDK {jdk} on the host", Counter())[outcome(case)] += 1
                host_by_module.setdefault((module, f"JDK {jdk}"), Counter())[outcome(case)] += 1
                k = key(case.get("classname", ""), name)
                if outcome(case) == "skipped" and k not in census and k not in host_skips:
                    problems.append(f"{k} was skipped on the host ({folder}), is not Windows-only, and .ci/host-skips.tsv does not list it")

ok = True
for title, counts in [("host", host), ("Windows, under Wine", wine)]:
    print(f"{title}:")
    for where, c in sorted(counts.items()):
        print(f"  {where}: {c['passed']} passed, {c['failed']} failed, {c['skipped']} skipped")
    if counts is host:
        print(f"  (skipped on the host: the Windows-only tests, which ran under Wine below, and {len(host_skips)} listed in .ci/host-skips.tsv)")
    else:
        print(f"  (the census: {len(census)} Windows-only tests, every one required on JDK 17 and 25, and the {len(census_part('21'))}"
              f" of the library modules on 21; {len(wine_skips)} may skip, as .ci/wine-skips.tsv says)")
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
if not census:
    problems.append(f"no census of the Windows-only tests ({census_file}): WindowsSuitesUnderWineTest did not run")
for line in WHOLE_SUITE_LINES + PART_LINES:
    required = census if line in WHOLE_SUITE_LINES else census_part(line)
    if line in PART_LINES and not (required and required <= census):
        problems.append(f"JDK {line}'s part of the census (census-jdk{line}.txt) is missing, empty or names tests outside it")
    missing = required - wine_ran.get(line, set())
    if missing:
        problems.append(f"{len(missing)} of the {len(required)} Windows-only tests never ran under Wine on JDK {line}: {sorted(missing)[:10]}")
for test in sorted(set(wine_skips) - census):
    problems.append(f".ci/wine-skips.tsv lists {test}, which is not a Windows-only test of the census")
for problem in problems[:20]:
    print(problem)
if len(problems) > 20:
    print(f"... and {len(problems) - 20} more")
if problems:
    ok = False
if any(c["failed"] for c in list(host.values()) + list(wine.values())):
    ok = False
total = sum((c for c in list(host.values()) + list(wine.values())), Counter())


def doc_block():
    """The counts as the Markdown table docs/testbed.md carries between its test-counts markers."""
    rows = ["| where | passed | failed | skipped |", "|---|---:|---:|---:|"]
    for (module, jdk), c in sorted(host_by_module.items()):
        rows.append(f"| {module}, host, {jdk} | {c['passed']} | {c['failed']} | {c['skipped']} |")
    for where, c in sorted(wine.items()):
        rows.append(f"| {where} | {c['passed']} | {c['failed']} | {c['skipped']} |")
    rows.append(f"| all | {total['passed']} | {total['failed']} | {total['skipped']} |")
    return ("Windows-only tests in the census: " + str(len(census)) + f" (on JDK 21 under Wine, the library modules' part:"
            f" {len(census_part('21'))}); may skip under Wine: {len(wine_skips)}; "
            f"may skip on the host besides them: {len(host_skips)}. Under Wine each JDK also counts its two suite "
            "checks (the launcher's exit, the census), and a parameterized or factory test once per case.\n\n"
            + "\n".join(rows))


if len(sys.argv) == 3 and sys.argv[1] == "--write-doc":
    # Rewrites the block between the markers from this run's reports: run after a full ./mvnw verify.
    doc = open(sys.argv[2], encoding="utf-8").read()
    begin, end = "<!-- test-counts:begin -->", "<!-- test-counts:end -->"
    head, rest = doc.split(begin, 1)
    _, tail = rest.split(end, 1)
    open(sys.argv[2], "w", encoding="utf-8").write(f"{head}{begin}\n{doc_block()}\n{end}{tail}")
print(f"all: {total['passed']} passed, {total['failed']} failed, {total['skipped']} skipped")
sys.exit(0 if ok else 1)
