// The per-site counts are exact under threads: eight threads start at
// once (the first traced call, on whichever thread, starts the tracer),
// call the same entry points at the same sites, and at sites of their
// own, and no allocation or free is lost.
//
// RUN: %cc %s -o %t %libpymemcheck
// RUN: env PYMEMCHECK=report=text:output=stdout %t | FileCheck %s --match-full-lines

#include "pymemcheck/pymem.h"
#include "pymemcheck/trace.h"
#include "pymemcheck/tracer.h"

#include <pthread.h>
#include <stdio.h>

/* The leaks are on purpose, for the tracer's report, not LeakSanitizer's
 * (asan-ubsan tree). */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
    return "detect_leaks=0";
}

#define THREADS 8
#define ROUNDS 20000

static const char *const own_file[THREADS] = {
    "t0.c", "t1.c", "t2.c", "t3.c", "t4.c", "t5.c", "t6.c", "t7.c",
};

static void *worker(void *arg)
{
    int id = (int)(size_t)arg;
    for (int i = 0; i < ROUNDS; i++) {
        void *p = _PyMem_RawMallocTrace("shared.c", 10, 16);
        _PyMem_RawFreeTrace("shared.c", 11, p);
        void *q = pymemcheck_malloc_trace(own_file[id], 1 + i % 3, 8);
        pymemcheck_free_trace(own_file[id], 4, q);
    }
    /* One leak per thread, at its own site. */
    pymemcheck_malloc_trace(own_file[id], 5, (size_t)id + 1);
    return NULL;
}

int main(void)
{
    pthread_t threads[THREADS];
    for (int i = 0; i < THREADS; i++)
        pthread_create(&threads[i], NULL, worker, (void *)(size_t)i);
    for (int i = 0; i < THREADS; i++)
        pthread_join(threads[i], NULL);
    pymemcheck_snapshot *s = pymemcheck_snapshot_take();
    size_t n;
    const pymemcheck_site_stats *sites = pymemcheck_snapshot_sites(s, &n);
    printf("sites: %zu\n", n);
    for (size_t i = 0; i < n; i++)
        if (sites[i].live_blocks == 0)
            printf("%s:%d %s allocs=%llu frees=%llu\n", sites[i].file, sites[i].line,
                   sites[i].api, (unsigned long long)sites[i].allocs,
                   (unsigned long long)sites[i].frees);
    pymemcheck_snapshot_free(s);
    fflush(stdout);
    return 0;
}

// CHECK:      sites: 33
// CHECK-NEXT: shared.c:10 PyMem_RawMalloc allocs=160000 frees=160000
// CHECK-NEXT: t0.c:1 malloc allocs=6667 frees=6667
// CHECK-NEXT: t0.c:2 malloc allocs=6667 frees=6667
// CHECK-NEXT: t0.c:3 malloc allocs=6666 frees=6666
// CHECK-NEXT: t1.c:1 malloc allocs=6667 frees=6667
// CHECK:      t7.c:3 malloc allocs=6666 frees=6666
// CHECK-NEXT: pymemcheck: 8 bytes in 1 block allocated at t7.c:5 by malloc
// CHECK-NEXT: pymemcheck: 7 bytes in 1 block allocated at t6.c:5 by malloc
// CHECK:      pymemcheck: 1 byte in 1 block allocated at t0.c:5 by malloc
// CHECK-NEXT: pymemcheck: SUMMARY: 36 bytes leaked in 8 blocks from 8 sites; peak {{[0-9]+}} bytes
// CHECK-NOT: {{.}}
