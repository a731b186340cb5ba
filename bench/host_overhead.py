"""Host mode's cost on Python workloads dominated by allocations, against
no tracing and against tracemalloc, measured in one run:

    /usr/bin/python3 bench/host_overhead.py [BUILD_TREE] [--rounds N]

BUILD_TREE (default build/llvm-19) must hold the wordcount example built
plain and traced (a tree with the plugin: scripts/build.sh llvm-19).  Each
workload runs in a fresh interpreter per configuration, interleaved round
by round so that a machine's drift hits all alike:

    untraced      the plain wordcount imported
    pymemcheck    the traced wordcount imported: its import loads the host
                  library, which starts tracing (hooks on all three
                  domains, GIL check on MEM and OBJ calls)
    tracemalloc   the plain wordcount, python -X tracemalloc (one frame)

Workloads (each timed after one warm-up run):

    objects     builds 200k small records (dict, str, list, tuple) and
                drops them, 3 times: about a million live blocks at the peak
    churn       3M short-lived str/int objects, never more than a few live
    wordcount   wordcount.count() on 200k short sentences: per call, the
                traced extension's own allocations (a PyMem_RawMalloc'd
                copy, a PyMem_Calloc'd table, a PyObject_Malloc'd node per
                word) and the dict it returns

Prints the median seconds and peak RSS per configuration, and the ratios
to untraced; docs/performance.md records a run.
"""
import json
import os
import statistics
import subprocess
import sys
import time

WORKLOADS = ("objects", "churn", "wordcount")
CONFIGS = ("untraced", "pymemcheck", "tracemalloc")


def objects():
    for _ in range(3):
        rows = [{"id": i, "name": str(i), "tags": [i, i + 1], "pair": (i, -i)}
                for i in range(200_000)]
        del rows


def churn():
    keep = None
    for i in range(3_000_000):
        keep = (str(i), i * 1_000_003)
    return keep


SENTENCES = [" ".join("w%d" % ((i * 7 + j) % 1000) for j in range(6)) for i in range(1000)]


def wordcount_run():
    import wordcount
    for _ in range(200):
        for sentence in SENTENCES:
            wordcount.count(sentence)


def child(workload):
    import wordcount  # noqa: F401  (the traced build starts tracing)
    run = {"objects": objects, "churn": churn, "wordcount": wordcount_run}[workload]
    run()
    start = time.perf_counter()
    run()
    print(json.dumps({"seconds": time.perf_counter() - start}))


def measure(tree, config, workload):
    flavour = "traced" if config == "pymemcheck" else "plain"
    env = dict(os.environ,
               PYTHONPATH=os.path.join(tree, "examples", "wordcount", flavour))
    for var in ("PYMEMCHECK", "PYTHONMALLOC", "PYTHONTRACEMALLOC", "PYTHONDEVMODE"):
        env.pop(var, None)
    env["PYMEMCHECK"] = "report=none"
    argv = [sys.executable]
    if config == "tracemalloc":
        argv += ["-X", "tracemalloc"]
    argv += [os.path.abspath(__file__), "--child", workload]
    p = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE)
    out = p.stdout.read()
    _, status, usage = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        sys.exit("host_overhead.py: %s/%s failed (%d)" % (config, workload, p.returncode))
    return json.loads(out)["seconds"], usage.ru_maxrss / 1024.0


def main():
    args = sys.argv[1:]
    if args[:1] == ["--child"]:
        child(args[1])
        return
    rounds = 7
    if "--rounds" in args:
        i = args.index("--rounds")
        rounds = int(args[i + 1])
        del args[i:i + 2]
    tree = args[0] if args else "build/llvm-19"
    if not os.path.isdir(os.path.join(tree, "examples", "wordcount", "traced")):
        sys.exit("host_overhead.py: no traced wordcount in %s; build a tree with the "
                 "plugin (scripts/build.sh llvm-19)" % tree)
    results = {(c, w): [] for c in CONFIGS for w in WORKLOADS}
    for r in range(rounds):
        for w in WORKLOADS:
            for c in CONFIGS:
                results[(c, w)].append(measure(tree, c, w))
        print("round %d/%d done" % (r + 1, rounds), file=sys.stderr, flush=True)
    print("python %s, %d rounds, medians" % (sys.version.split()[0], rounds))
    print()
    print("| workload | untraced s | pymemcheck s | tracemalloc s | pymemcheck/untraced "
          "| tracemalloc/untraced | added time, pymemcheck/tracemalloc "
          "| peak RSS MiB (u / p / t) |")
    print("|---|---|---|---|---|---|---|---|")
    for w in WORKLOADS:
        secs = {c: statistics.median(s for s, _ in results[(c, w)]) for c in CONFIGS}
        rss = {c: statistics.median(m for _, m in results[(c, w)]) for c in CONFIGS}
        u, p, t = secs["untraced"], secs["pymemcheck"], secs["tracemalloc"]
        print("| %s | %.3f | %.3f | %.3f | %.2f | %.2f | %.2f | %.0f / %.0f / %.0f |"
              % (w, u, p, t, p / u, t / u, (p - u) / (t - u),
                 rss["untraced"], rss["pymemcheck"], rss["tracemalloc"]))


if __name__ == "__main__":
    main()
