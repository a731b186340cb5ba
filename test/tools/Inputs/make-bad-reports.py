"""Writes the reports test/tools/html-errors.test feeds pymemcheck-html into
the directory named by its argument: good.json (on demand, two sites, one
untraced, the other's source absent) and one bad report per kind of error."""
import copy
import json
import os
import sys

out = sys.argv[1]
good = {
    "format": "pymemcheck-leaks", "version": 1, "pid": 7, "when": "on-demand",
    "current_bytes": 30, "peak_bytes": 40, "min_bytes": 0,
    "leaked_bytes": 30, "leaked_blocks": 3, "unlisted_bytes": 0,
    "unlisted_blocks": 0, "misuses": 0, "failures_injected": 0,
    "untracked_blocks": 0, "tracer_bytes": 2097152,
    "leaks": [
        {"file": "gone.c", "line": 3, "api": "PyMem_Malloc", "live_blocks": 2,
         "live_bytes": 20, "peak_bytes": 20, "allocs": 2, "frees": 0,
         "failures_injected": 0},
        {"file": None, "line": 0, "api": "PyObject_Malloc", "live_blocks": 1,
         "live_bytes": 10, "peak_bytes": 10, "allocs": 1, "frees": 0,
         "failures_injected": 0},
    ],
}


def write(name, text):
    with open(os.path.join(out, name), "w") as f:
        f.write(text)


def variant(name, change):
    report = copy.deepcopy(good)
    change(report)
    write(name, json.dumps(report))


write("good.json", json.dumps(good))
write("not-json.json", "pymemcheck: SUMMARY: 30 bytes leaked in 3 blocks\n")
write("empty.json", "")
write("array.json", "[1, 2]")
variant("version2.json", lambda r: r.update(version=2))
variant("format.json", lambda r: r.update(format="something-else"))
variant("missing-field.json", lambda r: r.pop("peak_bytes"))
variant("bad-site.json", lambda r: r["leaks"][1].update(live_bytes="many"))
variant("bool.json", lambda r: r.update(misuses=True))
