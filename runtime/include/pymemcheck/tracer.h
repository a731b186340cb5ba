/*
 * pymemcheck/tracer.h: the tracer's C API.
 *
 * The tracer records every block allocated through the three PEP 445
 * domains (and the C library's functions, when the call was rewritten by
 * the plugin) with the file:line of its call site, and reports leaks,
 * peaks, misuse and the difference between two snapshots.  Most programs
 * need none of this header: tracing starts by itself at the first traced
 * call, and the leak report is printed at exit.  Configuration, through
 * the PYMEMCHECK environment variable or pymemcheck_configure(), is
 * documented in docs/tracer.md.
 *
 * Every function here is thread-safe.  It stands alone (no pymem.h), so it
 * can be used next to <Python.h>.
 */
#ifndef PYMEMCHECK_TRACER_H
#define PYMEMCHECK_TRACER_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#define PYMEMCHECK_TRACER_API __declspec(dllimport)
#elif defined(__GNUC__)
#define PYMEMCHECK_TRACER_API __attribute__((visibility("default")))
#else
#define PYMEMCHECK_TRACER_API
#endif

/* ---- Starting and stopping ---- */

/* Start tracing now (a no-op when tracing).  Records from an earlier run
 * are cleared.  Returns 0, or -1 when the tracer cannot get memory. */
PYMEMCHECK_TRACER_API int pymemcheck_trace_start(void);

/* Stop recording; what was recorded stays available to reports and
 * snapshots until the next start. */
PYMEMCHECK_TRACER_API void pymemcheck_trace_stop(void);

PYMEMCHECK_TRACER_API int pymemcheck_trace_is_tracing(void);

/* Apply options in the PYMEMCHECK grammar ("report=json:min_bytes=64").
 * Each bad entry is reported on stderr and skipped, the rest apply.
 * Returns the number of bad entries (0 when all applied). */
PYMEMCHECK_TRACER_API int pymemcheck_configure(const char *options);

/* ---- Figures ---- */

/* Bytes in traced live blocks now, and the highest that figure reached
 * since tracing started or the last pymemcheck_reset_peak() (see
 * docs/tracer.md, "Peaks", for what it means with several threads). */
PYMEMCHECK_TRACER_API void pymemcheck_get_traced_memory(size_t *current, size_t *peak);

/* Set every peak (process-wide and per site) to its current value. */
PYMEMCHECK_TRACER_API void pymemcheck_reset_peak(void);

/* Bytes the tracer has mapped for its own tables. */
PYMEMCHECK_TRACER_API size_t pymemcheck_get_tracer_memory(void);

/* ---- Snapshots ---- */

/* One call site's figures.  file is NULL (and line 0) for blocks allocated
 * by code that was not compiled with the rewrite; api is the function the
 * site called ("PyMem_Malloc", "strdup", ...). */
typedef struct {
    const char *file;
    int line;
    const char *api;
    size_t live_blocks;
    size_t live_bytes;
    size_t peak_bytes;
    uint64_t allocs;             /* blocks allocated here (reallocs count) */
    uint64_t frees;              /* of those, freed (anywhere, by anyone) */
    uint64_t failures_injected;  /* calls here that fault injection failed */
} pymemcheck_site_stats;

typedef struct pymemcheck_snapshot pymemcheck_snapshot;

/* The figures of every site that allocated since tracing started, sorted
 * by live bytes, then live blocks, descending.  NULL without memory.
 * Strings in it stay valid for the life of the process. */
PYMEMCHECK_TRACER_API pymemcheck_snapshot *pymemcheck_snapshot_take(void);
PYMEMCHECK_TRACER_API void pymemcheck_snapshot_free(pymemcheck_snapshot *snapshot);
PYMEMCHECK_TRACER_API const pymemcheck_site_stats *
pymemcheck_snapshot_sites(const pymemcheck_snapshot *snapshot, size_t *count);
/* The process-wide figures at the time of the snapshot. */
PYMEMCHECK_TRACER_API void pymemcheck_snapshot_traced_memory(
    const pymemcheck_snapshot *snapshot, size_t *current, size_t *peak);

/* The difference between two snapshots, grouped by file:line (all the
 * functions called at one line together), like tracemalloc's
 * Snapshot.compare_to(old, 'lineno'): size and count are the newer
 * snapshot's live bytes and blocks, the diffs are newer minus older.
 * Sorted by |size_diff|, size, |count_diff|, count (descending), then file
 * and line. */
typedef struct {
    const char *file;           /* NULL: untraced code */
    int line;
    size_t size;
    ptrdiff_t size_diff;
    size_t count;
    ptrdiff_t count_diff;
} pymemcheck_stat_diff;

typedef struct pymemcheck_snapshot_diff pymemcheck_snapshot_diff;

PYMEMCHECK_TRACER_API pymemcheck_snapshot_diff *
pymemcheck_snapshot_compare(const pymemcheck_snapshot *newer,
                            const pymemcheck_snapshot *older);
PYMEMCHECK_TRACER_API const pymemcheck_stat_diff *
pymemcheck_snapshot_diff_entries(const pymemcheck_snapshot_diff *diff, size_t *count);
/* One line per entry whose size or count changed, at most limit lines
 * (0: all):  "pymemcheck: ext.c:42: size=4096 B (+4096 B), count=2 (+2),
 * average=2048 B". */
PYMEMCHECK_TRACER_API void pymemcheck_snapshot_diff_print(
    const pymemcheck_snapshot_diff *diff, FILE *out, size_t limit);
PYMEMCHECK_TRACER_API void pymemcheck_snapshot_diff_free(pymemcheck_snapshot_diff *diff);

/* ---- Reports ---- */

typedef enum {
    PYMEMCHECK_REPORT_TEXT,
    PYMEMCHECK_REPORT_JSON
} pymemcheck_report_format;

/* The leak report, now: live blocks grouped by site, largest first
 * ("pymemcheck: 4096 bytes in 2 blocks allocated at ext.c:42 by
 * PyMem_Malloc"), with the configured min_bytes, max_sites and unknown.
 * The JSON schema is in docs/tracer.md.  Returns 0, or -1 without memory. */
PYMEMCHECK_TRACER_API int pymemcheck_report_write(FILE *out, pymemcheck_report_format format);

/* The same report, to the configured output in the configured format (what
 * is printed at exit).  Returns 0, or -1 without memory. */
PYMEMCHECK_TRACER_API int pymemcheck_report(void);

#ifdef __cplusplus
}
#endif

#endif /* PYMEMCHECK_TRACER_H */
