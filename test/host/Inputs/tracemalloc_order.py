"""tracemalloc and pymemcheck in one process, in the order argv[1] names:

    after    import the traced wordcount (pymemcheck starts), then
             tracemalloc.start(): tracemalloc wraps pymemcheck's hooks
    before   tracemalloc.start(), then import: pymemcheck wraps tracemalloc's
    preset   tracemalloc started by -X tracemalloc, then import

Each leaks one block while both trace (tracemalloc must see it at this
file's line, pymemcheck at wordcount.c's), stops tracemalloc, and leaks
another: pymemcheck still sees it only when its hooks survived the stop.
"""
import sys
import tracemalloc

order = sys.argv[1]
if order == "before":
    tracemalloc.start()
import wordcount  # noqa: E402
if order == "after":
    tracemalloc.start()

before = tracemalloc.take_snapshot()
leak_line = sys._getframe().f_lineno + 1
wordcount.leak_summary("x" * 1000)
diff = tracemalloc.take_snapshot().compare_to(before, "lineno")
new = sum(d.size_diff for d in diff if d.traceback[0].filename == __file__
          and d.traceback[0].lineno == leak_line)
print("tracemalloc saw", new, "new bytes at the leak_summary call", flush=True)
print("count ->", sorted(wordcount.count("b a b").items()), flush=True)
tracemalloc.stop()
print("tracemalloc stopped", flush=True)
print("count ->", sorted(wordcount.count("b a b").items()), flush=True)
wordcount.leak_summary("y" * 2000)
