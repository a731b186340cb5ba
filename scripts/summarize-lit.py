#!/usr/bin/env python3
"""Adds up lit's xunit reports into the one line CI reads.

Prints each failing test, the count of skipped tests, then "N passed, N
failed" as the last line; exits 1 when anything failed or a tree did not
build (a tree that did not build counts as one failure, so it cannot pass
unnoticed).
"""
import argparse
import sys
import xml.etree.ElementTree as ET


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--broken-builds", type=int, default=0)
    parser.add_argument("reports", nargs="*")
    args = parser.parse_args()

    passed = failed = skipped = 0
    for report in args.reports:
        try:
            root = ET.parse(report).getroot()
        except (OSError, ET.ParseError) as error:
            print(f"pymemcheck: unreadable lit report {report}: {error}")
            failed += 1
            continue
        for case in root.iter("testcase"):
            name = f"{case.get('classname')}::{case.get('name')}"
            if case.find("failure") is not None or case.find("error") is not None:
                print(f"FAILED {report}: {name}")
                failed += 1
            elif case.find("skipped") is not None:
                skipped += 1
            else:
                passed += 1
    failed += args.broken_builds
    # CI reads the last line, which must be exactly "N passed, N failed".
    print(f"{skipped} skipped (unsupported in that tree)")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed or passed == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
