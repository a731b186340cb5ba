/*
 * trace_workload: the tracer's whole-program cost.  workload.c, an
 * allocation-heavy program, is linked in twice: as is, and with its
 * allocation calls rewritten into trace entry points (by the plugin, or by
 * emulate_rewrite.h where the tree has none).  Both run in this process,
 * alternately, REPS times: the plain copy with tracing stopped (no hooks
 * installed: what a program that was never rewritten pays), the rewritten
 * copy with tracing on.  Prints the medians (of CPU time), the ratio, the
 * added cost per allocation, and the tracer's mapped memory after the
 * first traced measurement and after the last (each restarts tracing,
 * which empties the tables: the memory must not grow from one to the
 * next), for two sizes of the program's live set:
 *
 *   small  a cache of 2k records (~10k live blocks, under 1 MB): the
 *          tracer's table stays in cache
 *   large  a cache of 50k records (~250k live blocks, ~20 MB), freed at
 *          random: most frees miss the cache in the program and the table
 *
 *   trace_workload [reps]
 *   trace_workload count <untraced|traced> <runs> [cache]
 *
 * The second form runs one copy <runs> times (the small live set unless
 * a cache size is given), untimed: for valgrind --tool=callgrind, whose
 * instruction counts do not depend on the machine's load.  The cost of a
 * run is the difference between two counts, (count at 2N runs - count at
 * N runs) / N (docs/performance.md, "Tracer").
 */
#define _POSIX_C_SOURCE 200809L
#include "pymemcheck/tracer.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

uint64_t workload_run(unsigned seed, uint32_t cache);
uint64_t workload_run_traced(unsigned seed, uint32_t cache);

/* CPU time of the (only) thread, not wall time: the machines these run
 * on are shared, and time spent waiting for a CPU another process holds
 * would otherwise count as the tracer's (or the program's) cost.  On a
 * quiet machine both clocks agree. */
static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static uint64_t allocations_recorded(void)
{
    size_t n;
    pymemcheck_snapshot *s = pymemcheck_snapshot_take();
    const pymemcheck_site_stats *sites = pymemcheck_snapshot_sites(s, &n);
    uint64_t allocs = 0;
    for (size_t i = 0; i < n; i++)
        allocs += sites[i].allocs;
    pymemcheck_snapshot_free(s);
    return allocs;
}

/* One measurement: `runs` runs of one copy. */
static double timed(uint64_t (*run)(unsigned, uint32_t), uint32_t cache, int runs,
                    uint64_t *sum)
{
    double t0 = now();
    for (int i = 0; i < runs; i++)
        *sum += run((unsigned)i, cache);
    return now() - t0;
}

static int measure(const char *name, uint32_t cache, int runs, int reps)
{
    double plain[101], traced[101];
    uint64_t allocs = 0;
    size_t first_mapped = 0;
    for (int rep = 0; rep < reps; rep++) {
        uint64_t a = 0, b = 0;
        pymemcheck_trace_stop();
        plain[rep] = timed(workload_run, cache, runs, &a);
        if (pymemcheck_trace_start() != 0)
            return 1;
        traced[rep] = timed(workload_run_traced, cache, runs, &b);
        allocs = allocations_recorded();
        if (rep == 0)
            first_mapped = pymemcheck_get_tracer_memory();
        if (a != b) {
            fprintf(stderr, "trace_workload: the two copies disagree\n");
            return 1;
        }
    }
    qsort(plain, (size_t)reps, sizeof plain[0], compare_doubles);
    qsort(traced, (size_t)reps, sizeof traced[0], compare_doubles);
    double p = plain[reps / 2], t = traced[reps / 2];
    printf("| %s | %u | %llu | %.1f | %.1f | %.3f | %+.1f | %.1f / %.1f |\n", name, cache,
           (unsigned long long)allocs, p * 1e3, t * 1e3, t / p,
           (t - p) * 1e9 / (double)allocs, first_mapped / 1048576.0,
           pymemcheck_get_tracer_memory() / 1048576.0);
    fflush(stdout);
    return 0;
}

static int count(int argc, char **argv)
{
    int traced = argc > 2 && strcmp(argv[2], "traced") == 0;
    if (argc < 4 || (!traced && strcmp(argv[2], "untraced") != 0)) {
        fprintf(stderr, "usage: trace_workload count <untraced|traced> <runs> [cache]\n");
        return 2;
    }
    int runs = atoi(argv[3]);
    uint32_t cache = argc > 4 ? (uint32_t)atol(argv[4]) : 2000;
    uint64_t sum = 0;
    if (traced)
        pymemcheck_trace_start();
    for (int i = 0; i < runs; i++)
        sum += (traced ? workload_run_traced : workload_run)((unsigned)i, cache);
    printf("checksum %llu\n", (unsigned long long)sum);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "count") == 0) {
        pymemcheck_configure("report=none:start=manual");
        return count(argc, argv);
    }
    int reps = argc > 1 ? atoi(argv[1]) : 11;
    if (reps < 1 || reps > 101)
        reps = 11;
    pymemcheck_configure("report=none:start=manual");
    printf("median of %d runs each; allocations per measurement\n\n", reps);
    printf("| live set | cache records | allocations | untraced ms | traced ms | ratio "
           "| added ns per allocation | tracer MiB, first / last |\n"
           "|---|---|---|---|---|---|---|---|\n");
    return measure("small", 2000, 25, reps) || measure("large", 50000, 1, reps);
}
