"""Load a pymemcheck JSON leak report (docs/tracer.md), check every field's
type, and print it in a fixed line format for FileCheck."""
import json
import sys

INTS = ["version", "pid", "current_bytes", "peak_bytes", "min_bytes", "leaked_bytes",
        "leaked_blocks", "unlisted_bytes", "unlisted_blocks", "misuses",
        "failures_injected", "untracked_blocks", "tracer_bytes"]
SITE_INTS = ["line", "live_blocks", "live_bytes", "peak_bytes", "allocs", "frees",
             "failures_injected"]

with open(sys.argv[1]) as f:
    report = json.load(f)
assert set(report) == set(INTS) | {"format", "when", "leaks"}, sorted(report)
assert all(type(report[k]) is int for k in INTS)
for leak in report["leaks"]:
    assert set(leak) == set(SITE_INTS) | {"file", "api"}, sorted(leak)
    assert all(type(leak[k]) is int for k in SITE_INTS)
    assert leak["file"] is None or type(leak["file"]) is str
    assert type(leak["api"]) is str


def show(keys):
    return " ".join("%s=%s" % (k, report[k]) for k in keys)


print("format=%s version=%d when=%s pid=int" % (report["format"], report["version"],
                                                  report["when"]))
print(show(["current_bytes", "peak_bytes", "min_bytes"]))
print(show(["leaked_bytes", "leaked_blocks", "unlisted_bytes", "unlisted_blocks"]))
print(show(["misuses", "failures_injected", "untracked_blocks"]) + " tracer_bytes=int")
for leak in report["leaks"]:
    print("leak %s:%d %s " % (leak["file"], leak["line"], leak["api"]) +
          " ".join("%s=%d" % (k, leak[k]) for k in SITE_INTS[1:]))
print("end")
