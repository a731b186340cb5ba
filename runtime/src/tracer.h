/*
 * tracer.h: what the tracer's files promise each other, and the seams the
 * host library (a tracer inside a real CPython process) builds on.
 *
 * The tracer is a PEP 445 hook on all three domains plus direct handling
 * of the C library's allocation functions.  A trace entry point
 * (trace_calls.c) only attaches its call site to the next allocation its
 * thread makes; the hook records the block.  Its files, one concern each:
 *
 *   tracer.c          state (start, stop, lazy start), the record of an
 *                     allocation, a free and a realloc (table + statistics
 *                     + misuse checks), shared by hooks and libc entry points
 *   tracer_hooks.c    the PEP 445 wrappers on the three domains and the
 *                     outermost-only rule
 *   tracer_hooks.h    the hooks' work once the site is known, inline, for
 *                     the hooks and for the entry points' direct path
 *   trace_calls.c     the trace entry points of the call catalog
 *   sites.c           interning of (file, line, api) into a small site id
 *   stats.c, stats.h  per-site and process-wide counters, per-thread shards
 *                     (the header: the layout and the inline hot updates)
 *   block_table.c, block_table.h  the side table: address -> (site, size,
 *                     family) (the header: the layout and the inline insert
 *                     and free)
 *   tracer_memory.c   the tracer's own memory, from mmap only
 *   snapshot.c        snapshots and their difference
 *   report.c          the leak report, text and JSON
 *   misuse.c          the misuse reports (wrong family, double free, ...)
 *   tracer_config.c   the PYMEMCHECK variable and pymemcheck_configure
 *   faults.c          fault injection by call site
 *   tracer_standalone.c  the ONLY file that knows the standalone allocator
 *                     (internal.h): the debug dump's describe_block hook and
 *                     the load-time start.  The host library replaces it.
 *
 * Rules every tracer file keeps, so that the same sources build the host
 * library:
 *  - Only the public PEP 445 API (PyMem_GetAllocator, PyMem_SetAllocator,
 *    PyMem_* and PyObject_*) is used; never internal.h, except in
 *    tracer_standalone.c.
 *  - The tracer's own memory comes from tracer_memory.c (mmap), never from
 *    the traced allocators nor from any function of the call catalog: a
 *    runtime compiled with the plugin's rewrite would otherwise trace
 *    itself.  libc functions outside the catalog (qsort, fopen, snprintf)
 *    are fine.
 *  - The records (pmc_record_alloc, pmc_record_free, pmc_realloc_begin
 *    and _end, and everything they call) leave errno alone: the C
 *    library's entry points call them around the function they replace
 *    without saving it (a save and restore is a call to __errno_location
 *    each, on every call).  Only messages (fprintf) and mmap can change it
 *    here, and misuse.c, untrack() and tracer_memory.c restore it.
 *  - Nothing on the hot path takes a lock or makes an atomic
 *    read-modify-write, but for a table leaf's spinlock when the leaf is
 *    not the thread's own (block_table.c, "Owned leaves"), and the atomic
 *    add and compare-and-swap of a share's flush, once per 64 KiB of it
 *    (stats.c).
 *
 * Seams for the host library (see each declaration):
 *  - pmc_seam_tracing_changed(), pmc_seam_hooks_installing(),
 *    pmc_seam_may_start(), pmc_seam_hooks_missed(), pmc_seam_unseen_allocations(),
 *    pmc_seam_pool_block(), pmc_seam_domain_top() and
 *    pmc_seam_pool_allocator() (tracer_hooks.h)
 *                                 provided by the flavour's seam file
 *  - pmc_hooks_set_check()        the GIL / thread-state check for MEM/OBJ
 *  - pmc_hooks_set_block_check()  a look at each block before it is freed
 *  - pmc_start(), pmc_stop(), pmc_config_parse(), pmc_config_from_environment()
 *  - pmc_describe_block()         the "Memory block allocated at" lines
 *  - PMC_TLS                      the thread-local storage model
 */
#ifndef PYMEMCHECK_TRACER_INTERNAL_H
#define PYMEMCHECK_TRACER_INTERNAL_H

#include "pymemcheck/tracer.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#if defined(__GNUC__)
#define PMC_T_HIDDEN __attribute__((visibility("hidden")))
#define PMC_T_LIKELY(x) __builtin_expect(!!(x), 1)
#define PMC_T_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define PMC_T_NOINLINE __attribute__((noinline))
#define PMC_T_INLINE inline __attribute__((always_inline))
/* initial-exec: one %fs-relative load, no __tls_get_addr call.  A
 * library dlopen()ed late (the host library, with the first traced
 * extension) takes such TLS from glibc's small static surplus, which is
 * why the tracer keeps only a few words there (struct pmc_thread; the
 * rest is in the thread's shard): test/host/static-tls.test. */
#ifndef PMC_TLS
#define PMC_TLS _Thread_local __attribute__((tls_model("initial-exec")))
#endif
#else
#define PMC_T_HIDDEN
#define PMC_T_LIKELY(x) (x)
#define PMC_T_UNLIKELY(x) (x)
#define PMC_T_NOINLINE
#define PMC_T_INLINE inline
#ifndef PMC_TLS
#define PMC_TLS _Thread_local
#endif
#endif

/* ---- The call catalog, as the tracer sees it ---- */

/* A block's family: who allocated it, and so who must free it.  Two bits
 * in a table entry. */
enum pmc_family { PMC_LIBC, PMC_RAW, PMC_MEM, PMC_OBJ };

enum pmc_op {
    PMC_OP_MALLOC, PMC_OP_CALLOC, PMC_OP_REALLOC, PMC_OP_FREE,
    PMC_OP_STRDUP, PMC_OP_STRNDUP, PMC_OP_ALIGNED_ALLOC,
    PMC_OP_POSIX_MEMALIGN, PMC_OP_REALLOCARRAY,
};

/* One per row of calls.def: PMC_API_malloc, PMC_API_PyMem_Malloc, ... */
enum pmc_api {
#define PYMEMCHECK_CALL(Name, Family, Operation, NeedsThreadState, TraceName)  \
    PMC_API_##Name,
#include "pymemcheck/calls.def"
    PMC_API_COUNT
};

struct pmc_api_info {
    const char *name;           /* "PyMem_Malloc", "strdup", ... */
    enum pmc_family family;
    enum pmc_op op;
};
PMC_T_HIDDEN extern const struct pmc_api_info pmc_apis[PMC_API_COUNT];

/* pmc_apis[api].family, which the compiler folds where api is a constant
 * (every entry point): the table is in another file. */
static inline enum pmc_family pmc_api_family(enum pmc_api api)
{
    switch (api) {
#define PYMEMCHECK_CALL(Name, Family, Operation, NeedsThreadState, TraceName)  \
    case PMC_API_##Name:                                                       \
        return PMC_##Family;
#include "pymemcheck/calls.def"
    case PMC_API_COUNT:
        break;
    }
    return PMC_LIBC;
}

/* ---- Per-thread state (tracer.c) ---- */

struct pmc_shard;

/* A thread's cache of the side table's leaves it used last (block_table.h):
 * a program's consecutive calls touch a few dozen regions (a pool per size
 * class, the C library's heap), and its frees the regions of blocks
 * allocated long ago, as many as its live set spans: 512 slots cover 32
 * MiB of regions in 8 KiB.  In the thread's shard (stats.h), not in
 * thread-local storage, whose static part a library loaded with dlopen()
 * must share with every other such library (glibc leaves about 1.6 KiB). */
#define PMC_LEAF_CACHE_BITS 9
#define PMC_LEAF_CACHE (1 << PMC_LEAF_CACHE_BITS)
struct pmc_leaf_cache {
    uintptr_t key;              /* region + 1; 0: empty */
    struct pmc_leaf *leaf;
};

struct pmc_thread {
    /* The site of the traced call in progress on this thread, set by its
     * entry point for the hook below to take; 0 when none. */
    uint32_t site;
    /* Non-zero while this thread is inside a tracer hook or a libc entry
     * point: inner calls (pymalloc falling back to PyMem_RawMalloc, a
     * runtime compiled with the rewrite) pass straight through, so a block
     * is recorded once, by its outermost traced call. */
    uint32_t depth;
    /* This thread's name as the owner of leaves of the side table
     * (block_table.c, "Owned leaves"). */
    uint32_t leaf_token;
    /* This thread's counters, memo of sites and cache of leaves (stats.h);
     * NULL until its first record. */
    struct pmc_shard *shard;
};
PMC_T_HIDDEN extern PMC_TLS struct pmc_thread pmc_self;
/* pmc_self.leaf_token before the thread has one; no leaf is owned by it. */
#define PMC_NO_TOKEN UINT32_MAX

/* ---- State and records (tracer.c) ---- */

enum pmc_state { PMC_NEVER_STARTED, PMC_TRACING, PMC_STOPPED };
PMC_T_HIDDEN extern _Atomic int pmc_state;

static inline bool pmc_is_tracing(void)
{
    return atomic_load_explicit(&pmc_state, memory_order_relaxed) == PMC_TRACING;
}

/* What keeps a trace entry point off its shortest path now, a bit per
 * reason, so that the entry point tests them all with one load and one
 * mask (trace_calls.c).  Each is kept by the code that changes its
 * reason, with an atomic or/and; none is changed often. */
enum pmc_gate_bit {
    PMC_GATE_NOT_TRACING = 1u << 0,
    PMC_GATE_FAULTS = 1u << 1,          /* a fault rule is armed */
    PMC_GATE_CHECKED = 1u << 2,         /* the host's thread-state check */
    /* << domain: the tracer's hook is not that domain's installed
     * allocator, or the flavour cannot see (tracer_hooks.h) */
    PMC_GATE_NOT_ON_TOP = 1u << 3,
};
PMC_T_HIDDEN extern _Atomic uint32_t pmc_gate;

static inline void pmc_gate_set(uint32_t bits, bool on)
{
    if (on)
        atomic_fetch_or_explicit(&pmc_gate, bits, memory_order_release);
    else
        atomic_fetch_and_explicit(&pmc_gate, ~bits, memory_order_release);
}

/* Start tracing: install the hooks on the three domains (wrapping whatever
 * is installed), clear previous records.  0 on success (or when already
 * tracing), -1 when the tracer cannot get memory for its tables. */
PMC_T_HIDDEN int pmc_start(void);
/* The same, from the library's load-time initialisation (start=load):
 * nothing was allocated through the domains before, so a free of an
 * address the table never saw is a misuse, and is reported. */
PMC_T_HIDDEN int pmc_start_at_load(void);
/* A traced call at site reached the allocator without passing the hook
 * (trace_calls.c): from now on the table may miss frees and allocations.
 * Returns whether the hooks may go back in now (pmc_seam_may_start); if
 * not, says so (pmc_seam_hooks_missed). */
PMC_T_HIDDEN bool pmc_hooks_out(enum pmc_api api, uint32_t site);
/* While tracing, put back whatever hooks are gone from their domain's
 * chain (pmc_hooks_install, under the state lock); returns how many.  For
 * the domains reset under a running tracer (the standalone library
 * applying PYTHONMALLOC after a static initializer started tracing). */
PMC_T_HIDDEN int pmc_hooks_reinstall(void);
/* Then, once the call is recorded: put back whatever hooks are gone,
 * while tracing, and say so (pmc_seam_hooks_missed). */
PMC_T_HIDDEN void pmc_hooks_restore(enum pmc_api api, uint32_t site);
/* Whether tracing ever started (the at-exit report is printed only then). */
PMC_T_HIDDEN bool pmc_ever_started(void);
/* Stop recording and take the hooks out where they are still on top (a
 * hook installed above ours keeps ours, which then passes calls through).
 * Records are kept for reports until the next start. */
PMC_T_HIDDEN void pmc_stop(void);

/* What the tracer must do before any thread can call it: register its
 * fork handlers.  Called by each flavour's load-time constructor. */
PMC_T_HIDDEN void pmc_at_load(void);

/* Start; when the tracer cannot get memory for its tables, say so once
 * and stay off until pymemcheck_trace_start(). */
PMC_T_HIDDEN void pmc_start_or_stay_off(void);

/* The lazy start: called by a trace entry point that finds the tracer
 * never started; starts it unless the configuration says start=manual. */
PMC_T_HIDDEN void pmc_first_call(void);

/* Record a block the allocator just returned (p != NULL).  When the tracer
 * cannot get memory for the record the block stays untracked (see
 * docs/tracer.md, "When the tracer runs out of memory").  Inline below. */
static PMC_T_INLINE void pmc_record_alloc(void *p, size_t size, uint32_t site,
                                    enum pmc_family family);

/* Before p (non-NULL) is freed by `api` at `site` (0: untraced code):
 * update the table and counters and report misuse.  Returns false when the
 * free must not reach the allocator (a double free the tracer caught).
 * Inline below. */
static PMC_T_INLINE bool pmc_record_free(void *p, enum pmc_api api, uint32_t site);

/* What the side table has at an address (block_table.c). */
enum pmc_found {
    PMC_ABSENT,      /* never recorded (or dropped since) */
    PMC_LIVE,
    PMC_FREED,       /* recorded, then freed: the entry is kept as a
                        tombstone until its slot is needed */
};

/* A record of the side table. */
struct pmc_block {
    size_t size;
    uint32_t site;
    uint32_t free_site;          /* PMC_FREED: where it was freed (0: untraced) */
    enum pmc_family family;
};

/* A realloc of a non-NULL block, in two halves around the allocator's
 * realloc.  The old block is recorded as freed (by the realloc's call)
 * before the allocator's realloc runs, since once it returns another
 * thread may be handed the old address; a failed realloc revives it.
 * begin returns false when the realloc must not reach the allocator (the
 * block was already freed: the caller returns NULL). */
struct pmc_move {
    void *old;
    enum pmc_api api;
    uint32_t site;
    enum pmc_found found;       /* what the table had at old */
    struct pmc_block block;     /* the old block's record, when found live */
};
static PMC_T_INLINE bool pmc_realloc_begin(struct pmc_move *m, void *p, enum pmc_api api,
                                           uint32_t site);
/* result is what the allocator's realloc returned (NULL: failed, old kept).
 * Both inline below: a realloc costs a table free and a table insert, and
 * the out-of-line calls around them cost as much again. */
static PMC_T_INLINE void pmc_realloc_end(struct pmc_move *m, void *result, size_t size);
/* The allocator's realloc freed the old block and returned NULL (glibc's
 * realloc(p, 0)). */
PMC_T_HIDDEN void pmc_realloc_freed(struct pmc_move *m);

/* Blocks the tracer could not record since the last start (out of memory
 * for its own tables); while non-zero, reports say their figures are lower
 * bounds and "never allocated" misuse is not reported. */
PMC_T_HIDDEN size_t pmc_untracked_blocks(void);
/* True when tracing began before anything was allocated through the
 * domains (start=load) and no block went untracked since: only then is a
 * free of an address missing from the table known to be a misuse. */
PMC_T_HIDDEN bool pmc_table_is_complete(void);

/* ---- Hooks (tracer_hooks.c) ---- */

/* Install the hooks on the three domains through PyMem_GetAllocator and
 * PyMem_SetAllocator; a domain whose chain still holds ours is left alone.
 * Returns how many domains had lost the hook they were given before (a
 * call through each domain tells).  Uninstall restores the saved
 * allocator where ours is on top. */
PMC_T_HIDDEN int pmc_hooks_install(void);
PMC_T_HIDDEN void pmc_hooks_uninstall(void);
/* Whether the tracer's hooks are each domain's installed allocator, for
 * the gate (PMC_GATE_NOT_ON_TOP): called after the hooks are installed or
 * taken out, and by the flavour whenever a domain's allocator changes. */
PMC_T_HIDDEN void pmc_hooks_allocators_changed(void);

/* The host library's seam for CPython's "called without holding the GIL"
 * check, in two parts so that a call that passes costs one indirect call:
 * held() runs first in every MEM and OBJ hook call (the host passes the
 * interpreter's own PyGILState_Check); when it returns 0, missing() gets
 * the call's api and site (0 when untraced).  A NULL held (the default)
 * checks nothing. */
typedef int (*pmc_held_fn)(void);
typedef void (*pmc_missing_fn)(enum pmc_api api, uint32_t site);
PMC_T_HIDDEN void pmc_hooks_set_check(pmc_held_fn held, pmc_missing_fn missing);

/* The host library's seam for CPython's debug hooks, which abort on a
 * damaged block without naming a C location: fn runs in every free and
 * realloc hook call of a non-NULL block the tracer lets through, after the
 * record and just before the block is handed to the allocator below.
 * NULL (the default) checks nothing. */
typedef void (*pmc_block_check_fn)(const void *p, enum pmc_family family,
                                   enum pmc_api api, uint32_t site);
PMC_T_HIDDEN void pmc_hooks_set_block_check(pmc_block_check_fn fn);

/* ---- Seams a flavour provides (tracer_standalone.c, or the host's) ---- */

/* Called by pmc_start (on = true) and pmc_stop (on = false), outside any
 * tracer lock. */
PMC_T_HIDDEN void pmc_seam_tracing_changed(bool on);
/* Called by pmc_start, under its lock, just before it installs the hooks:
 * what the flavour must learn of the allocators it is about to wrap. */
PMC_T_HIDDEN void pmc_seam_hooks_installing(void);
/* Whether the lazy start (pmc_first_call) may install the hooks now, on
 * this thread: always in the standalone library; in the host, only with
 * the GIL held, as PyMem_SetAllocator needs in a running interpreter (the
 * call is retried at the next traced call). */
PMC_T_HIDDEN bool pmc_seam_may_start(void);
/* A traced call (trace_calls.c) reached the allocator, while tracing,
 * without passing the tracer's hook: someone restored allocators saved
 * before tracing started, and the hook is out of the domain's chain.
 * restored: the hooks went back in at this call (pmc_hooks_restore);
 * else they could not (pmc_seam_may_start) and will at a later call.
 * Warns, once. */
PMC_T_HIDDEN void pmc_seam_hooks_missed(enum pmc_api api, uint32_t site, bool restored);
/* Whether code may get blocks of this family without the tracer seeing
 * it, so that an address the table has as freed may be live again: the
 * C library's functions called without the rewrite, in both flavours; in
 * the host, the RAW domain too (tracemalloc, and CPython at startup and
 * shutdown, call a raw allocator they saved before the tracer started). */
PMC_T_HIDDEN bool pmc_seam_unseen_allocations(enum pmc_family family);
/* Whether p lies in a pool of the allocator that pmc_seam_pool_allocator
 * (tracer_hooks.h) names, by that allocator's own account (block_table.c,
 * "Pool tables"); asked once per pool table made. */
PMC_T_HIDDEN bool pmc_seam_pool_block(const void *p);

/* ---- Sites (sites.c) ---- */

/* A slot of a thread's memo of the sites its traced calls named last
 * (pmc_site_of_call), kept in its shard of counters (stats.h), which
 * passes to the next thread with the rest of the shard: ids never
 * change meaning. */
#define PMC_SITE_MEMO 64        /* a power of two */
struct pmc_site_memo {
    const char *file;
    uint64_t key;               /* pmc_site_memo_key(line, api); 0: empty */
    uint32_t id;
};

/* Never 0, so that an empty slot matches no call. */
static inline uint64_t pmc_site_memo_key(int line, enum pmc_api api)
{
    return (uint32_t)line | (uint64_t)api << 32 | 1ull << 63;
}

/* Site ids are small dense integers: 0 is "none", every other id names a
 * (file, line, api) for as long as the process lives.  18 bits in a table
 * entry. */
#define PMC_SITE_BITS 18
#define PMC_MAX_SITES ((1u << PMC_SITE_BITS) - 1)

struct pmc_site {
    const char *file;           /* the tracer's own copy; NULL: untraced code */
    int line;
    enum pmc_api api;
    _Atomic uint8_t fault_rule; /* faults.c: 0 none, else the rule's index + 1 */
};

/* The untraced-code site of each api, interned before tracing first
 * starts and never changed after.  Inline: in the host library nearly
 * every hook call is the interpreter's own, and needs one. */
PMC_T_HIDDEN extern uint32_t pmc_site_unknown_ids[PMC_API_COUNT];
static inline uint32_t pmc_site_unknown(enum pmc_api api)
{
    return pmc_site_unknown_ids[api];
}
/* The untraced-code sites are ids 1 to this one (interned first). */
PMC_T_HIDDEN uint32_t pmc_site_unknown_last(void);
PMC_T_HIDDEN const struct pmc_site *pmc_site_get(uint32_t id);
/* One past the highest id handed out. */
PMC_T_HIDDEN uint32_t pmc_site_end(void);
/* Interns the untraced sites; 0, or -1 without memory. */
PMC_T_HIDDEN int pmc_sites_init(void);
/* Re-evaluate every site's fault rule (after the rules changed). */
PMC_T_HIDDEN void pmc_sites_refresh_faults(void);
PMC_T_HIDDEN void pmc_sites_lock(void);   /* fork handlers */
PMC_T_HIDDEN void pmc_sites_unlock(void);

/* ---- Counters (stats.c) ---- */

/* Each thread counts into a shard of its own, with plain loads and stores
 * (relaxed atomics so that readers are race-free); live bytes are also
 * flushed into per-site totals whenever a thread's unflushed share passes
 * PMC_FLUSH_BYTES.  A thread keeps the highest its share reached since its
 * last flush, and peaks are made of those highs over the total as each
 * thread last saw it, so they are exact with one thread and within about
 * threads * PMC_FLUSH_BYTES of the true high-water mark with more
 * (stats.c, "Peaks"; docs/tracer.md, "Peaks"). */
#define PMC_FLUSH_BYTES ((int64_t)64 * 1024)

/* Make the per-site totals of a new site (before its id is handed out);
 * 0, or -1 without memory. */
PMC_T_HIDDEN int pmc_stats_prepare_site(uint32_t site);
/* pmc_stats_alloc(site, size) and pmc_stats_free(site, size) are inline:
 * stats.h, included at the end. */
/* The process-wide current and peak bytes leave out the blocks of sites
 * 1 to `last` (the untraced-code sites, with untraced=ignore: the
 * report's summary then adds up the same blocks as its list; 0 counts
 * every block).  Set when tracing starts, before any record. */
PMC_T_HIDDEN void pmc_stats_set_uncounted(uint32_t last);
PMC_T_HIDDEN void pmc_stats_injected(uint32_t site);
PMC_T_HIDDEN void pmc_stats_misuse(void);

struct pmc_site_totals {
    uint64_t allocs, frees, injected;
    int64_t live_bytes;
    uint64_t peak_bytes;
};
PMC_T_HIDDEN void pmc_stats_site(uint32_t site, struct pmc_site_totals *out);
PMC_T_HIDDEN void pmc_stats_process(size_t *current, size_t *peak);
PMC_T_HIDDEN uint64_t pmc_stats_misuses(void);
PMC_T_HIDDEN uint64_t pmc_stats_injected_total(void);
PMC_T_HIDDEN void pmc_stats_reset_peak(void);
PMC_T_HIDDEN void pmc_stats_clear(void);
PMC_T_HIDDEN void pmc_stats_lock(void);   /* fork handlers */
PMC_T_HIDDEN void pmc_stats_unlock(void);

/* ---- The side table (block_table.c) ---- */



/* pmc_table_insert(p, b, displaced) and pmc_table_free(p, free_site, out),
 * the hot operations, are inline: block_table.h, included at the end. */
/* pmc_table_insert for a block that a realloc kept where it was (in
 * place, or a failed realloc's): the size of its pool's blocks, if any,
 * is not learnt from it. */
PMC_T_HIDDEN int pmc_table_insert_kept(const void *p, const struct pmc_block *b,
                                       struct pmc_block *displaced);
/* For the fatal dump: what the table knows of p, without waiting for a
 * lock another thread may hold forever.  Never allocates. */
PMC_T_HIDDEN enum pmc_found pmc_table_peek(const void *p, struct pmc_block *out);
PMC_T_HIDDEN void pmc_table_clear(void);
PMC_T_HIDDEN void pmc_table_lock_all(void);   /* fork handlers */
PMC_T_HIDDEN void pmc_table_unlock_all(void);
PMC_T_HIDDEN void pmc_table_forked_child(void);   /* before unlock_all */

/* ---- The tracer's memory (tracer_memory.c) ---- */

/* Zeroed, 16-byte aligned memory straight from mmap, never from an
 * allocator the tracer traces.  NULL when the system refuses or the
 * tracer_memory_limit would be passed.  errno is preserved. */
PMC_T_HIDDEN void *pmc_mem_alloc(size_t size);
/* The same, past tracer_memory_limit: for snapshots and reports. */
PMC_T_HIDDEN void *pmc_mem_alloc_for_report(size_t size);
PMC_T_HIDDEN void pmc_mem_free(void *p, size_t size);
/* Bytes mapped for the tracer's own use. */
PMC_T_HIDDEN size_t pmc_mem_mapped(void);
PMC_T_HIDDEN void pmc_mem_set_limit(size_t bytes);   /* 0: none */
PMC_T_HIDDEN void pmc_mem_lock(void);   /* fork handlers */
PMC_T_HIDDEN void pmc_mem_unlock(void);

/* Dense arrays indexed by site id, grown a chunk at a time (sites, counters,
 * shards), so that memory follows the number of sites actually seen. */
#define PMC_CHUNK_BITS 10
#define PMC_CHUNKS ((PMC_MAX_SITES >> PMC_CHUNK_BITS) + 1)
struct pmc_chunked {
    _Atomic(void *) chunk[PMC_CHUNKS];
};
static inline void *pmc_chunked_get(struct pmc_chunked *c, uint32_t i, size_t elem)
{
    char *chunk = atomic_load_explicit(&c->chunk[i >> PMC_CHUNK_BITS],
                                       memory_order_acquire);
    if (PMC_T_UNLIKELY(chunk == NULL))
        return NULL;
    return chunk + (size_t)(i & ((1u << PMC_CHUNK_BITS) - 1)) * elem;
}
/* The element, allocating its chunk when needed; NULL without memory. */
PMC_T_HIDDEN void *pmc_chunked_ensure(struct pmc_chunked *c, uint32_t i, size_t elem);

/* ---- Misuse (misuse.c) ---- */

enum pmc_misuse {
    PMC_MISUSE_WRONG_FAMILY,     /* PyObject_Free on a PyMem_Malloc block */
    PMC_MISUSE_DOUBLE_FREE,
    PMC_MISUSE_REALLOC_FREED,
    PMC_MISUSE_NEVER_ALLOCATED,
};
/* Print the report (both call sites when known) and abort when on_misuse
 * is abort.  b is the table's record (NULL for NEVER_ALLOCATED). */
PMC_T_HIDDEN void pmc_misuse(enum pmc_misuse kind, const void *p, enum pmc_api api,
                             uint32_t site, const struct pmc_block *b);

/* ---- Sites in words, and the debug hooks' fatal dump (report.c) ---- */

/* "at ext.c:42 by PyMem_Malloc", "at <unknown> by PyMem_Malloc" (untraced
 * code), or for site 0 "by untraced code", into buf (snprintf's result).
 * Never allocates. */
PMC_T_HIDDEN int pmc_site_phrase(char *buf, size_t n, uint32_t site);

/* "Memory block allocated at ext.c:42 by PyMem_Malloc" and an empty line,
 * or nothing when the tracer knows nothing of p.  Returns whether it
 * printed.  Never allocates, never waits for a lock. */
PMC_T_HIDDEN bool pmc_describe_block(FILE *out, const void *p);

/* ---- Fault injection (faults.c) ---- */

PMC_T_HIDDEN extern atomic_bool pmc_faults_armed;
/* The rule (index + 1) that matches a site's file and line, or 0. */
PMC_T_HIDDEN uint8_t pmc_faults_match(const char *file, int line);
/* Whether this call at site must fail; counts it when so. */
PMC_T_HIDDEN bool pmc_fault_fires(uint32_t site);
/* Parse one fail= value and add its rule; 0, or -1 with *why set. */
PMC_T_HIDDEN int pmc_faults_add(const char *spec, const char **why);
/* The same, but the rule replaces all there were, once spec is known to
 * be one: a bad rule leaves the rules in force. */
PMC_T_HIDDEN int pmc_faults_replace(const char *spec, const char **why);
PMC_T_HIDDEN void pmc_faults_clear(void);

/* ---- Configuration (tracer_config.c) ---- */

enum pmc_report_kind { PMC_REPORT_TEXT, PMC_REPORT_JSON, PMC_REPORT_NONE };
enum pmc_start_kind { PMC_START_FIRST_CALL, PMC_START_LOAD, PMC_START_MANUAL };

struct pmc_config {
    enum pmc_report_kind report;
    char output[4096];          /* "stderr", "stdout" or a path (%p: pid) */
    size_t min_bytes;
    size_t max_sites;           /* 0: all */
    bool abort_on_misuse;
    bool report_unknown;        /* list sites of untraced code */
    enum pmc_start_kind start;
    int leak_exitcode;          /* 0: leave the exit status alone */
};
PMC_T_HIDDEN extern struct pmc_config pmc_config;

/* Apply "key=value:key=value" (docs/tracer.md); origin names the source in
 * messages ("PYMEMCHECK").  Each bad entry is reported and skipped; returns
 * how many there were. */
PMC_T_HIDDEN int pmc_config_parse(const char *text, const char *origin);
/* The decimal digits at the start of s: their number in *out and where
 * they end in *end; false when there is no digit or the number is above
 * max.  Digits only, no sign, no space (strtoull would take " -1" for
 * ULLONG_MAX): the caller checks what follows. */
PMC_T_HIDDEN bool pmc_parse_digits(const char *s, unsigned long long max, const char **end,
                                   unsigned long long *out);
/* Read PYMEMCHECK; only the first call does anything. */
PMC_T_HIDDEN void pmc_config_from_environment(void);

/* ---- Reports (report.c) ---- */

/* The at-exit report, registered by the first start. */
PMC_T_HIDDEN void pmc_report_at_exit(void);

/* Open the configured output ("stderr", "stdout", a path with %p); sets
 * *close_it when the caller must fclose it.  Falls back to stderr, with a
 * message, when the file cannot be opened. */
PMC_T_HIDDEN FILE *pmc_output_open(bool *close_it);

/* ---- Snapshots (snapshot.c), the per-site view reports are made of ---- */

struct pymemcheck_snapshot {
    size_t count;
    pymemcheck_site_stats *sites;   /* sorted: live bytes, live blocks desc */
    size_t current_bytes, peak_bytes;
    size_t bytes;                   /* what to give back to pmc_mem_free */
};

#include "stats.h"
#include "block_table.h"

/* The id of a traced call's (file, line, api): file NULL gives the
 * "untraced code" site of the api; past PMC_MAX_SITES, or when the tracer
 * has no memory left, the untraced site of api is returned.  Through the
 * thread's memo of the sites it named last: a traced call's key is two
 * constants (its file's literal and its line), so the memo's slot is found
 * without hashing and checked with two compares, where the shared table
 * costs a hash, a probe and three compares.  Untraced-code ids (the tracer
 * out of memory) are not kept, so that the site gets its own id once
 * memory is back; nor is anything before the thread has a shard. */
PMC_T_HIDDEN uint32_t pmc_site_remember(const char *file, int line, enum pmc_api api);

static PMC_T_INLINE struct pmc_site_memo *pmc_site_memo_slot(struct pmc_shard *shard,
                                                              int line, enum pmc_api api)
{
    return &shard->sites[((uint32_t)line + api) & (PMC_SITE_MEMO - 1)];
}

static PMC_T_INLINE uint32_t pmc_site_of_call(const char *file, int line, enum pmc_api api)
{
    struct pmc_shard *shard = pmc_self.shard;
    if (PMC_T_LIKELY(shard != NULL)) {
        const struct pmc_site_memo *m = pmc_site_memo_slot(shard, line, api);
        if (PMC_T_LIKELY(m->file == file && m->key == pmc_site_memo_key(line, api)))
            return m->id;
    }
    return pmc_site_remember(file, line, api);
}

/* ---- The records' fast paths ----
 *
 * Inline, like the site lookup: a traced malloc/free pair is a chain of a
 * dozen calls across files, and each call's prologue and epilogue cost as
 * much as the work (the hot path is measured in bench/trace_overhead.c). */

/* pmc_record_alloc past the table's fast case; kept as in
 * pmc_record_block. */
PMC_T_HIDDEN void pmc_record_alloc_slow(void *p, size_t size, uint32_t site,
                                        enum pmc_family family, bool kept);
/* The rest of pmc_record_free: anything but a live block of the family;
 * e is what pmc_table_free_entry returned. */
PMC_T_HIDDEN bool pmc_record_free_rare(void *p, enum pmc_api api, uint32_t site,
                                       uint64_t e);

/* kept: the block is one that a realloc kept where it was, whose size
 * says nothing of its pool's (pmc_table_insert_kept). */
static PMC_T_INLINE void pmc_record_block(void *p, size_t size, uint32_t site,
                                          enum pmc_family family, bool kept)
{
    if (PMC_T_LIKELY(pmc_table_insert_fast(p, size, site, family, kept)))
        pmc_stats_alloc(site, size);
    else
        pmc_record_alloc_slow(p, size, site, family, kept);
}

static PMC_T_INLINE void pmc_record_alloc(void *p, size_t size, uint32_t site,
                                          enum pmc_family family)
{
    pmc_record_block(p, size, site, family, false);
}

static PMC_T_INLINE bool pmc_record_free(void *p, enum pmc_api api, uint32_t site)
{
    uint64_t e = pmc_table_free_entry(p, site);
    if (PMC_T_LIKELY(pmc_entry_is_live_of(e, pmc_api_family(api)))) {
        pmc_stats_free(pmc_entry_site(e), (size_t)pmc_entry_aux(e));
        return true;
    }
    return pmc_record_free_rare(p, api, site, e);
}

/* The rest of pmc_realloc_begin and pmc_realloc_end: anything but a live
 * block of the family and a successful realloc. */
PMC_T_HIDDEN bool pmc_realloc_begin_rare(struct pmc_move *m);
PMC_T_HIDDEN void pmc_realloc_end_rare(struct pmc_move *m, void *result, size_t size);

static PMC_T_INLINE bool pmc_realloc_begin(struct pmc_move *m, void *p, enum pmc_api api,
                                           uint32_t site)
{
    m->old = p;
    m->api = api;
    m->site = site;
    m->found = pmc_table_free(p, site, &m->block);
    if (PMC_T_LIKELY(m->found == PMC_LIVE && m->block.family == pmc_api_family(api)))
        return true;
    return pmc_realloc_begin_rare(m);
}

/* The block a realloc returns belongs to the realloc's call site; a
 * realloc by untraced code (CPython resizing an extension's buffer) keeps
 * the site the block had.  Counted as a free of the old block and an
 * allocation of the new one. */
static PMC_T_INLINE void pmc_realloc_end(struct pmc_move *m, void *result, size_t size)
{
    if (PMC_T_LIKELY(m->found == PMC_LIVE && result != NULL)) {
        pmc_stats_free(m->block.site, m->block.size);
        pmc_record_block(result, size, m->site ? m->site : m->block.site,
                         pmc_api_family(m->api), result == m->old);
        return;
    }
    pmc_realloc_end_rare(m, result, size);
}

#endif /* PYMEMCHECK_TRACER_INTERNAL_H */
