"""json_names.py REPORT: check that a pymemcheck JSON report is UTF-8 text
and that each site's file name is what Python's surrogateescape makes of
its bytes; print each site as its line and those bytes, for FileCheck."""
import json
import os
import sys

with open(sys.argv[1], "rb") as f:
    text = f.read().decode("utf-8")     # strict: the report is UTF-8
for leak in json.loads(text)["leaks"]:
    raw = os.fsencode(leak["file"])
    assert raw.decode("utf-8", "surrogateescape") == leak["file"], ascii(leak["file"])
    print("line %d file %r" % (leak["line"], raw))
