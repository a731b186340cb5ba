/*
 * pymalloc_bench: small-object PyObject_Malloc/PyObject_Free speed of
 * pymemcheck's pymalloc against CPython's own pymalloc and glibc malloc,
 * measured in one run, each called through a function pointer.
 *
 *   pymalloc_bench [libpymemcheck.so [libpython.so]]
 *
 * Both libraries are dlopen()ed RTLD_LOCAL, so each one's PyObject_Malloc
 * binds to its own internals.  CPython's PyObject_Malloc needs no
 * Py_Initialize(): its allocators and pymalloc state are initialised
 * statically (3.8+), and the program checks that a block comes back.
 *
 * Patterns (one byte written per block; "mixed" sizes are drawn uniformly
 * from 8..512, the same sequence for every allocator):
 *   pair N      malloc(N) then free at once, with one block of each size
 *               class live, as in any program that has objects
 *   pair mixed  the same with mixed sizes
 *   pair cold   mixed pairs with nothing else live: every free empties its
 *               pool and every malloc takes a pool back, pymalloc's worst case
 *   batch1000   1000 mixed blocks, freed in shuffled order
 *   steady100k  100k live mixed blocks: free a random one, allocate its
 *               replacement
 * Each is timed REPS times, allocators interleaved, and the median ns per
 * malloc+free pair is printed with the ratios ours/CPython and ours/glibc.
 */
#define _POSIX_C_SOURCE 200809L
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifndef PYMEMCHECK_SO
#define PYMEMCHECK_SO "libpymemcheck.so"
#endif
#ifndef PYTHON_SO
#define PYTHON_SO "libpython3.11.so.1.0"
#endif

enum { REPS = 15, NSIZES = 1 << 16, BATCH = 1000, LIVE = 100000, NPATTERNS = 8 };
enum { PAIR_OPS = 4000000, BATCH_ROUNDS = 4000, STEADY_OPS = 2000000 };

typedef void *(*malloc_fn)(size_t);
typedef void (*free_fn)(void *);

struct allocator {
    const char *name;
    malloc_fn malloc;
    free_fn free;
    double ns[NPATTERNS][REPS];
};

static uint32_t sizes[NSIZES];
static uint32_t batch_order[BATCH];
static uint32_t steady_slots[NSIZES];
static void *live[LIVE];

static uint64_t rng_state = 0x9E3779B97F4A7C15u;

static uint32_t rng(void)
{
    /* xorshift64*: reproducible across runs and allocators. */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (uint32_t)((rng_state * 0x2545F4914F6CDD1Du) >> 32);
}

static void make_inputs(void)
{
    for (int i = 0; i < NSIZES; i++) {
        sizes[i] = 8 + rng() % (512 - 8 + 1);
        steady_slots[i] = rng() % LIVE;
    }
    for (int i = 0; i < BATCH; i++)
        batch_order[i] = (uint32_t)i;
    for (int i = BATCH - 1; i > 0; i--) {
        uint32_t j = rng() % (uint32_t)(i + 1), t = batch_order[i];
        batch_order[i] = batch_order[j];
        batch_order[j] = t;
    }
}

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static void *must_alloc(const struct allocator *a, size_t n)
{
    unsigned char *p = a->malloc(n);
    if (p == NULL) {
        fprintf(stderr, "pymalloc_bench: %s malloc(%zu) failed\n", a->name, n);
        exit(1);
    }
    p[0] = 1;
    return p;
}

/* size 0: mixed sizes. */
static double run_pairs_cold(const struct allocator *a, size_t size)
{
    double t0 = now_ns();
    for (int i = 0; i < PAIR_OPS; i++)
        a->free(must_alloc(a, size != 0 ? size : sizes[i & (NSIZES - 1)]));
    return (now_ns() - t0) / PAIR_OPS;
}

static double run_pairs(const struct allocator *a, size_t size)
{
    void *resident[512 / 16];
    for (int i = 0; i < 512 / 16; i++)
        resident[i] = must_alloc(a, (size_t)(i + 1) * 16);
    double ns = run_pairs_cold(a, size);
    for (int i = 0; i < 512 / 16; i++)
        a->free(resident[i]);
    return ns;
}

static double run_batches(const struct allocator *a, size_t size)
{
    (void)size;
    void *blocks[BATCH];
    unsigned k = 0;
    double t0 = now_ns();
    for (int r = 0; r < BATCH_ROUNDS; r++) {
        for (int i = 0; i < BATCH; i++)
            blocks[i] = must_alloc(a, sizes[k++ & (NSIZES - 1)]);
        for (int i = 0; i < BATCH; i++)
            a->free(blocks[batch_order[i]]);
    }
    return (now_ns() - t0) / ((double)BATCH_ROUNDS * BATCH);
}

static double run_steady(const struct allocator *a, size_t size)
{
    (void)size;
    for (int i = 0; i < LIVE; i++)
        live[i] = must_alloc(a, sizes[i & (NSIZES - 1)]);
    double t0 = now_ns();
    for (int i = 0; i < STEADY_OPS; i++) {
        uint32_t slot = steady_slots[i & (NSIZES - 1)];
        a->free(live[slot]);
        live[slot] = must_alloc(a, sizes[(i * 7) & (NSIZES - 1)]);
    }
    double ns = (now_ns() - t0) / STEADY_OPS;
    for (int i = 0; i < LIVE; i++)
        a->free(live[i]);
    return ns;
}

static void load(struct allocator *a, const char *path)
{
    void *lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (lib == NULL) {
        fprintf(stderr, "pymalloc_bench: cannot load %s: %s\n", path, dlerror());
        exit(1);
    }
    /* POSIX blesses this conversion for dlsym's result. */
    *(void **)&a->malloc = dlsym(lib, "PyObject_Malloc");
    *(void **)&a->free = dlsym(lib, "PyObject_Free");
    if (a->malloc == NULL || a->free == NULL) {
        fprintf(stderr, "pymalloc_bench: %s has no PyObject_Malloc/PyObject_Free\n",
                path);
        exit(1);
    }
    a->free(must_alloc(a, 64));
}

static int compare_doubles(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

static double median(double *v)
{
    qsort(v, REPS, sizeof *v, compare_doubles);
    return v[REPS / 2];
}

int main(int argc, char **argv)
{
    static struct allocator allocs[3] = {
        {.name = "pymemcheck"},
        {.name = "cpython"},
        {.name = "glibc", .malloc = malloc, .free = free}};
    static const struct {
        const char *name;
        double (*run)(const struct allocator *, size_t);
        size_t size;
    } patterns[NPATTERNS] = {
        {"pair 16", run_pairs, 16},    {"pair 64", run_pairs, 64},
        {"pair 256", run_pairs, 256},  {"pair 512", run_pairs, 512},
        {"pair mixed", run_pairs, 0},  {"pair cold", run_pairs_cold, 0},
        {"batch1000", run_batches, 0}, {"steady100k", run_steady, 0},
    };

    load(&allocs[0], argc > 1 ? argv[1] : PYMEMCHECK_SO);
    load(&allocs[1], argc > 2 ? argv[2] : PYTHON_SO);
    make_inputs();
    for (int rep = 0; rep < REPS; rep++)
        for (int p = 0; p < NPATTERNS; p++)
            for (int a = 0; a < 3; a++)
                allocs[a].ns[p][rep] = patterns[p].run(&allocs[a], patterns[p].size);

    printf("ns per PyObject_Malloc+PyObject_Free pair, median of %d runs\n", REPS);
    printf("%-11s %10s %10s %10s %14s %13s\n", "pattern", "pymemcheck", "cpython",
           "glibc", "ours/cpython", "ours/glibc");
    for (int p = 0; p < NPATTERNS; p++) {
        double ours = median(allocs[0].ns[p]), cpy = median(allocs[1].ns[p]),
               libc = median(allocs[2].ns[p]);
        printf("%-11s %10.2f %10.2f %10.2f %14.2f %13.2f\n", patterns[p].name, ours, cpy,
               libc, ours / cpy, ours / libc);
    }
    return 0;
}
