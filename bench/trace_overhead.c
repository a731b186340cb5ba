/*
 * trace_overhead: what tracing adds to an allocation, and what it keeps
 * per live block.
 *
 *   trace_overhead [quick]
 *
 * For each pattern, the same loop runs untraced (PyObject_Malloc and
 * PyObject_Free, tracing stopped: no hooks installed) and traced (the trace
 * entry points a rewritten call reaches, _PyObject_MallocTrace and
 * _PyObject_FreeTrace, tracing on), interleaved, REPS times; the medians
 * are printed in ns per malloc+free pair, with the difference and the
 * ratio.  Patterns, each with L = 1k, 100k and 1M live blocks of 16..256
 * bytes held (allocated the same way, so the side table holds L entries):
 *
 *   pair      malloc then free at once: the hot path, the table's leaf in cache
 *   steady    free a random live block and allocate its replacement: every
 *             pair touches a random place of the table
 *
 * and "pair" with L = 0: the L blocks are allocated by the main thread,
 * the loop runs on threads of its own, so with none held a thread's
 * regions hold only the block in flight while its C library cache hands
 * out one address after another there (a table of tombstones); and
 *
 *   cold      "pair" of 64-byte blocks with none held: for pymalloc each
 *             free empties the thread's only pool and each malloc takes
 *             one back, the allocator's slow path on every pair; on 2
 *             threads, what their heaps and tables share shows
 *
 * then both again on 2 threads at once (each with L/2 live blocks of its
 * own; ns per pair per thread), and the same for the C library's pair
 * (malloc/free against pymemcheck_malloc_trace/pymemcheck_free_trace).
 *
 *   trace_overhead count <PyObject|libc> <untraced|traced> <pairs>
 *
 * runs only the "pair" loop with 1k live blocks, <pairs> times, untimed:
 * for valgrind --tool=callgrind, whose instruction counts do not depend on
 * the machine's load.  The cost of one pair is the difference between two
 * counts, (count at 2N pairs - count at N pairs) / N, traced minus
 * untraced (docs/performance.md, "Tracer").
 *
 * Memory: with 1M live traced blocks, the tracer's own mapped bytes
 * (pymemcheck_get_tracer_memory) and the process's RSS, each against the
 * same program holding 1M untraced blocks, divided by 1M.
 */
#define _POSIX_C_SOURCE 200809L
#include "pymemcheck/pymem.h"
#include "pymemcheck/trace.h"
#include "pymemcheck/tracer.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { REPS = 9, MAX_LIVE = 1000000, NSIZES = 1 << 16 };

static uint32_t sizes[NSIZES];
static uint32_t picks[NSIZES];
static long ops_per_run = 2000000;

typedef void *(*alloc_fn)(size_t);
typedef void (*free_fn)(void *);

/* The traced calls, as the plugin would write them at a call site. */
static void *traced_obj_malloc(size_t n)
{
    return _PyObject_MallocTrace("workload.c", 10, n);
}
static void traced_obj_free(void *p)
{
    _PyObject_FreeTrace("workload.c", 20, p);
}
static void *traced_libc_malloc(size_t n)
{
    return pymemcheck_malloc_trace("workload.c", 30, n);
}
static void traced_libc_free(void *p)
{
    pymemcheck_free_trace("workload.c", 40, p);
}

struct family {
    const char *name;
    alloc_fn alloc[2];          /* [0] untraced, [1] traced */
    free_fn release[2];
};

/* Not const: a compiler that sees malloc and free through constant
 * pointers may delete the pair (it knows what they do). */
static struct family families[] = {
    {"PyObject", {PyObject_Malloc, traced_obj_malloc}, {PyObject_Free, traced_obj_free}},
    {"libc", {malloc, traced_libc_malloc}, {free, traced_libc_free}},
};

/* CPU time of the thread running the loop, not wall time: the machines these run
 * on are shared, and time spent waiting for a CPU another process holds
 * would otherwise count as the tracer's (or the program's) cost.  On a
 * quiet machine both clocks agree. */
static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static uint64_t rng = 0x9E3779B97F4A7C15u;
static uint32_t next_random(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)rng;
}

/* ---- One run ---- */

enum pattern { PAIR, STEADY, COLD };

struct run {
    const struct family *f;
    int traced;
    long live;
    enum pattern pattern;
    void **blocks;
    double ns_per_pair;
};

static void fill(struct run *r)
{
    for (long i = 0; i < r->live; i++)
        r->blocks[i] = r->f->alloc[r->traced](sizes[i % NSIZES]);
}

static void empty(struct run *r)
{
    for (long i = 0; i < r->live; i++)
        r->f->release[r->traced](r->blocks[i]);
}

static void *run_loop(void *arg)
{
    struct run *r = arg;
    alloc_fn volatile a = r->f->alloc[r->traced];
    free_fn volatile f = r->f->release[r->traced];
    double t0 = now();
    if (r->pattern == STEADY) {
        for (long i = 0; i < ops_per_run; i++) {
            long slot = (long)(((uint64_t)picks[i % NSIZES] * (uint64_t)(i + 1) * 2654435761u) %
                               (uint64_t)r->live);
            f(r->blocks[slot]);
            r->blocks[slot] = a(sizes[i % NSIZES]);
        }
    } else if (r->pattern == COLD) {
        for (long i = 0; i < ops_per_run; i++)
            f(a(64));
    } else {
        for (long i = 0; i < ops_per_run; i++)
            f(a(sizes[i % NSIZES]));
    }
    r->ns_per_pair = (now() - t0) * 1e9 / ops_per_run;
    return NULL;
}

/* Runs on `threads` threads, each with live/threads blocks of its own;
 * the mean of the threads' ns per pair. */
static double measure(const struct family *f, int traced, long live, enum pattern pattern,
                      int threads)
{
    static void *storage[MAX_LIVE];
    struct run runs[2];
    pthread_t tid[2];
    if (traced)
        pymemcheck_trace_start();
    else
        pymemcheck_trace_stop();
    for (int t = 0; t < threads; t++) {
        runs[t] = (struct run){f, traced, live / threads, pattern,
                               storage + t * (live / threads), 0};
        fill(&runs[t]);
    }
    for (int t = 0; t < threads; t++)
        pthread_create(&tid[t], NULL, run_loop, &runs[t]);
    double sum = 0;
    for (int t = 0; t < threads; t++) {
        pthread_join(tid[t], NULL);
        sum += runs[t].ns_per_pair;
    }
    for (int t = 0; t < threads; t++)
        empty(&runs[t]);
    return sum / threads;
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, n, sizeof *v, compare_doubles);
    return v[n / 2];
}

static void row(const struct family *f, const char *name, long live, enum pattern pattern,
                int threads)
{
    double t[2][REPS];
    for (int rep = 0; rep < REPS; rep++)
        for (int traced = 0; traced < 2; traced++)
            t[traced][rep] = measure(f, traced, live, pattern, threads);
    double plain = median(t[0], REPS), traced = median(t[1], REPS);
    printf("| %s | %s | %d | %ld | %.1f | %.1f | %+.1f | %.2f |\n", f->name, name,
           threads, live, plain, traced, traced - plain, traced / plain);
    fflush(stdout);
}

/* ---- Memory per live block ---- */

static long rss_kib(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    long pages = 0, resident = 0;
    if (f != NULL) {
        if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
            resident = 0;
        fclose(f);
    }
    return resident * 4;
}

/* Run first, while the tracer has mapped nothing for its tables. */
static void memory_per_block(void)
{
    static void *blocks[MAX_LIVE];
    const struct family *f = &families[0];
    long rss0 = rss_kib();
    for (long i = 0; i < MAX_LIVE; i++)
        blocks[i] = f->alloc[0](sizes[i % NSIZES]);
    long rss_untraced = rss_kib() - rss0;
    for (long i = 0; i < MAX_LIVE; i++)
        f->release[0](blocks[i]);

    pymemcheck_trace_start();
    size_t mapped0 = pymemcheck_get_tracer_memory();
    rss0 = rss_kib();
    for (long i = 0; i < MAX_LIVE; i++)
        blocks[i] = f->alloc[1](sizes[i % NSIZES]);
    long rss_traced = rss_kib() - rss0;
    size_t mapped = pymemcheck_get_tracer_memory() - mapped0;
    printf("memory per live traced block, 1M blocks of 16..256 bytes:\n"
           "  tracer's own mapped bytes: %.1f bytes/block\n"
           "  RSS, traced minus untraced: %.1f bytes/block\n",
           (double)mapped / MAX_LIVE, (rss_traced - rss_untraced) * 1024.0 / MAX_LIVE);
    for (long i = 0; i < MAX_LIVE; i++)
        f->release[1](blocks[i]);
}

/* trace_overhead count FAMILY untraced|traced PAIRS */
static int count(int argc, char **argv)
{
    const struct family *f = NULL;
    for (size_t fi = 0; fi < sizeof families / sizeof families[0]; fi++)
        if (argc > 2 && strcmp(argv[2], families[fi].name) == 0)
            f = &families[fi];
    if (f == NULL || argc < 5 || (strcmp(argv[3], "traced") != 0 &&
                                  strcmp(argv[3], "untraced") != 0)) {
        fprintf(stderr, "usage: trace_overhead count <PyObject|libc> "
                        "<untraced|traced> <pairs>\n");
        return 2;
    }
    static void *storage[1000];
    struct run r = {f, strcmp(argv[3], "traced") == 0, 1000, PAIR, storage, 0};
    ops_per_run = atol(argv[4]);
    if (r.traced)
        pymemcheck_trace_start();
    fill(&r);
    run_loop(&r);
    empty(&r);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "count") == 0) {
        for (int i = 0; i < NSIZES; i++) {
            sizes[i] = 16 + next_random() % 241;
            picks[i] = next_random() | 1;
        }
        pymemcheck_configure("report=none:start=manual");
        return count(argc, argv);
    }
    int quick = argc > 1 && strcmp(argv[1], "quick") == 0;
    if (quick)
        ops_per_run /= 10;
    for (int i = 0; i < NSIZES; i++) {
        sizes[i] = 16 + next_random() % 241;
        picks[i] = next_random() | 1;
    }
    pymemcheck_configure("report=none:start=manual");
    memory_per_block();
    printf("\nns per malloc+free pair, median of %d; untraced vs traced\n\n", REPS);
    printf("| family | pattern | threads | live | untraced | traced | added | ratio |\n");
    printf("|---|---|---|---|---|---|---|---|\n");
    static const long lives[] = {1000, 100000, 1000000};
    for (size_t fi = 0; fi < sizeof families / sizeof families[0]; fi++) {
        row(&families[fi], "pair", 0, PAIR, 1);
        row(&families[fi], "pair", 0, PAIR, 2);
        row(&families[fi], "cold", 0, COLD, 1);
        row(&families[fi], "cold", 0, COLD, 2);
        for (int li = 0; li < 3; li++)
            row(&families[fi], "pair", lives[li], PAIR, 1);
        for (int li = 0; li < 3; li++)
            row(&families[fi], "steady", lives[li], STEADY, 1);
        for (int li = 0; li < 3; li++)
            row(&families[fi], "pair", lives[li], PAIR, 2);
        for (int li = 0; li < 3; li++)
            row(&families[fi], "steady", lives[li], STEADY, 2);
    }
    return 0;
}
