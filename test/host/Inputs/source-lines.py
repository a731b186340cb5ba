"""Fills in line numbers of source files, so that a test can name a line of
a file it does not contain, by the text on it:

    source-lines.py SOURCE... checks TEST > CHECKS
        copies TEST (its FileCheck patterns)
    source-lines.py SOURCE... run COMMAND ARG...
        runs COMMAND with its arguments, and exits with its status

replacing each @line:TEXT@ by the number of the line that contains TEXT.
TEXT must be on exactly one line of the SOURCE files: a pattern that has
become ambiguous or stale fails the test rather than checking the wrong
line.
"""
import os
import re
import sys

args = sys.argv[1:]
modes = [i for i, arg in enumerate(args) if arg in ("checks", "run")]
if not modes or modes[0] == 0:
    sys.exit("usage: source-lines.py SOURCE... (checks TEST | run COMMAND ARG...)")
sources, mode, rest = args[:modes[0]], args[modes[0]], args[modes[0] + 1:]
lines = []
for path in sources:
    with open(path, encoding="utf-8") as f:
        lines += [(path, n + 1, text) for n, text in enumerate(f.read().splitlines())]


def line_of(match):
    found = [n for _, n, text in lines if match.group(1) in text]
    if len(found) != 1:
        sys.exit("source-lines.py: %r is on %d lines of %s, not one"
                 % (match.group(1), len(found), " ".join(sources)))
    return str(found[0])


def fill(text):
    return re.sub(r"@line:(.*?)@", line_of, text)


if mode == "checks":
    with open(rest[0], encoding="utf-8") as f:
        sys.stdout.write(fill(f.read()))
else:
    command = [fill(arg) for arg in rest]
    os.execvp(command[0], command)
