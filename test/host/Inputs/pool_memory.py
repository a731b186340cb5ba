"""pool_memory.py: the host library's memory per live pymalloc block, and
whether it grows when the interpreter's heap is emptied and filled again
(pool-tables.test).  Run with an extension linked to the host library on
PYTHONPATH: its import loads the library and starts tracing."""
import ctypes
import os
import sys

import handwritten  # noqa: F401  (loads the host library)

host = ctypes.PyDLL("libpymemcheck-host.so", mode=os.RTLD_NOLOAD)
host.pymemcheck_get_tracer_memory.restype = ctypes.c_size_t
tracer_memory = host.pymemcheck_get_tracer_memory

# Tuples of one int above the small-int cache: two pymalloc blocks each
# (48 and 32 bytes), a million in all.
RECORDS = 500000

before = tracer_memory()
after_fill = []
for cycle in range(3):
    records = [(i + 1000,) for i in range(RECORDS)]
    after_fill.append(tracer_memory())
    if cycle == 0:
        print("bytes per live block: %.1f" % ((after_fill[0] - before) / (2 * RECORDS)))
    del records
    # Other sizes in the same pools, in between.
    texts = [str(i) * 3 for i in range(RECORDS)]
    del texts
growth = after_fill[-1] - after_fill[1]
print("growth over two more fills:",
      "under 1%" if growth * 100 < after_fill[1] else "%d bytes" % growth)
sys.stdout.flush()
