/* Helpers for the tracer's tests (test/runtime/tracer/). */
#ifndef TRACER_TEST_H
#define TRACER_TEST_H

#include "pymemcheck/pymem.h"
#include "pymemcheck/trace.h"
#include "pymemcheck/tracer.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The tests leak on purpose, to see the tracer's leak report: not a job
 * for LeakSanitizer in the asan-ubsan tree (AddressSanitizer calls this;
 * elsewhere it is an unused function). */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
    return "detect_leaks=0";
}

#define EXPECT(cond)                                                           \
    do {                                                                       \
        if (!(cond)) {                                                         \
            printf("FAILED %s:%d: %s\n", __FILE__, __LINE__, #cond);           \
            fflush(stdout);                                                    \
            exit(1);                                                           \
        }                                                                      \
    } while (0)

/* Allocation by code that was not compiled with the rewrite.  Calls through
 * a pointer are never rewritten, so these stay untraced when the test
 * itself is compiled with the rewrite (test/plugin/robustness.test). */
static void *(*volatile untraced_mem_malloc)(size_t) = PyMem_Malloc;
static void *(*volatile untraced_mem_realloc)(void *, size_t) = PyMem_Realloc;
static void (*volatile untraced_mem_free)(void *) = PyMem_Free;
static void *(*volatile untraced_obj_malloc)(size_t) = PyObject_Malloc;
static void *(*volatile untraced_obj_calloc)(size_t, size_t) = PyObject_Calloc;
static void (*volatile untraced_obj_free)(void *) = PyObject_Free;
static void *(*volatile untraced_raw_malloc)(size_t) = PyMem_RawMalloc;
static void (*volatile untraced_raw_free)(void *) = PyMem_RawFree;
static void *(*volatile untraced_malloc)(size_t) = malloc;
static void (*volatile untraced_free)(void *) = free;

/* One line per site of a snapshot, in its order:
 *   file:line api live=N/B peak=P allocs=A frees=F failed=I */
static inline void print_sites(FILE *out)
{
    pymemcheck_snapshot *s = pymemcheck_snapshot_take();
    EXPECT(s != NULL);
    size_t n;
    const pymemcheck_site_stats *sites = pymemcheck_snapshot_sites(s, &n);
    for (size_t i = 0; i < n; i++) {
        const pymemcheck_site_stats *t = &sites[i];
        fprintf(out, "%s:%d %s live=%zu/%zu peak=%zu allocs=%llu frees=%llu failed=%llu\n",
                t->file ? t->file : "<unknown>", t->line, t->api, t->live_blocks,
                t->live_bytes, t->peak_bytes, (unsigned long long)t->allocs,
                (unsigned long long)t->frees, (unsigned long long)t->failures_injected);
    }
    pymemcheck_snapshot_free(s);
    fflush(out);
}

/* The snapshot's figures for one file:line and api; EXPECTs it exists. */
static inline pymemcheck_site_stats site_stats(const char *file, int line, const char *api)
{
    pymemcheck_snapshot *s = pymemcheck_snapshot_take();
    EXPECT(s != NULL);
    size_t n;
    const pymemcheck_site_stats *sites = pymemcheck_snapshot_sites(s, &n);
    pymemcheck_site_stats found = {0};
    for (size_t i = 0; i < n; i++) {
        const pymemcheck_site_stats *t = &sites[i];
        bool same_file = file ? t->file && strcmp(t->file, file) == 0 : t->file == NULL;
        if (same_file && t->line == line && strcmp(t->api, api) == 0)
            found = *t;
    }
    pymemcheck_snapshot_free(s);
    EXPECT(found.api != NULL);
    return found;
}

#endif
