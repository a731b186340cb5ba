"""Calls the wordcount example's functions, one per argument, in order, and
prints one flushed line per call, so that its lines and the tracer's (on
stderr) come out in the order they happened:

    leak        leak_summary("hello")
    nogil       scratch_nogil()
    overflow    overflow_by_one()
    count       count("the cat and the hat"), or "MemoryError"
    lengths     lengths(["a", "bb", "ccc"]), or "MemoryError"
    threads     count() and lengths() from 4 threads at once, 500 times
                each (count() releases the GIL in the middle), checked
    start       pymemcheck_trace_start() of the host library, through ctypes
    report      pymemcheck_report() of the host library, through ctypes

The host library is found among the libraries already loaded (the traced
wordcount links it), with ctypes.PyDLL, which keeps the GIL during the
call, as pymemcheck_trace_start() needs.
"""
import ctypes
import os
import sys
import threading

import wordcount


def host():
    return ctypes.PyDLL("libpymemcheck-host.so", mode=os.RTLD_NOLOAD)


def hammer(results, index):
    text = " ".join("w%d" % (i % 37) for i in range(index * 100, index * 100 + 300))
    expected = {}
    for word in text.split():
        expected[word] = expected.get(word, 0) + 1
    ok = True
    for _ in range(500):
        ok &= wordcount.count(text) == expected
        ok &= wordcount.lengths(text.split()) == [len(w) for w in text.split()]
    results[index] = ok


def threads():
    results = [False] * 4
    workers = [threading.Thread(target=hammer, args=(results, i)) for i in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return "all correct" if all(results) else "WRONG RESULTS"


def call(step):
    try:
        if step == "leak":
            return wordcount.leak_summary("hello")
        if step == "nogil":
            return wordcount.scratch_nogil()
        if step == "overflow":
            return wordcount.overflow_by_one()
        if step == "count":
            return sorted(wordcount.count("the cat and the hat").items())
        if step == "lengths":
            return wordcount.lengths(["a", "bb", "ccc"])
        if step == "threads":
            return threads()
        if step == "start":
            return host().pymemcheck_trace_start()
        if step == "report":
            return host().pymemcheck_report()
    except MemoryError:
        return "MemoryError"
    sys.exit("drive.py: unknown step %r" % step)


for step in sys.argv[1:]:
    print("%s -> %s" % (step, call(step)), flush=True)
