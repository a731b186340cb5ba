/*
 * tracer.c: the tracer's state, and what recording a block means.
 *
 * The hooks (tracer_hooks.c) and the C library's entry points
 * (trace_calls.c) call the three records here; each is a table update
 * (block_table.c) and a counter update (stats.c), plus the misuse checks
 * that need both.
 *
 * When tracing starts (docs/tracer.md, "When tracing starts"): at the first
 * call of a trace entry point (start=first_call, the default: a program
 * that never runs rewritten code pays nothing), when the library is loaded
 * (start=load), or at pymemcheck_trace_start() (start=manual).  Blocks
 * allocated before the start are unknown to the table; freeing them later
 * is normal, not misuse.
 *
 * When the tracer cannot get memory for a record, the block is left
 * untracked and the call succeeds: the tracer observes, it must not change
 * what the program sees (tracemalloc instead fails the allocation, and
 * aborts when a realloc that already moved the block cannot be recorded).
 * A one-time warning says so, every later report says its figures are lower
 * bounds, and "never allocated" misuse is no longer reported (the table is
 * no longer complete).
 */
#include "tracer.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

PMC_TLS struct pmc_thread pmc_self = {.leaf_token = PMC_NO_TOKEN};
_Atomic int pmc_state = PMC_NEVER_STARTED;
/* Not tracing, and no hook on any of the three domains. */
_Atomic uint32_t pmc_gate = PMC_GATE_NOT_TRACING | PMC_GATE_NOT_ON_TOP << 0 |
                            PMC_GATE_NOT_ON_TOP << 1 | PMC_GATE_NOT_ON_TOP << 2;

static pthread_mutex_t state_lock = PTHREAD_MUTEX_INITIALIZER;
static _Atomic size_t untracked;
static atomic_bool started_at_load;

/* ---- Fork ---- */

static void before_fork(void)
{
    pmc_table_lock_all();
    pmc_sites_lock();
    pmc_stats_lock();
    pmc_mem_lock();
}

static void after_fork(void)
{
    pmc_mem_unlock();
    pmc_stats_unlock();
    pmc_sites_unlock();
    pmc_table_unlock_all();
}

static void after_fork_in_child(void)
{
    pmc_table_forked_child();
    after_fork();
}

/* ---- Start and stop ---- */

/* At load, by each flavour (and again, harmlessly, at the first start):
 * glibc does not run a fork handler registered while another thread is
 * already in fork(), so one registered at the first start, lazily, on any
 * thread, could miss a fork racing with it and leave the child a leaf
 * locked or owned by a thread it does not have. */
static pthread_once_t fork_handlers_once = PTHREAD_ONCE_INIT;

static void register_fork_handlers(void)
{
    pthread_atfork(before_fork, after_fork, after_fork_in_child);
}

void pmc_at_load(void)
{
    pthread_once(&fork_handlers_once, register_fork_handlers);
}

/* Set when a traced call finds the hooks out of a domain's chain (until
 * the next start clears the table): addresses may have been freed and
 * handed out again since, unseen, so the table's tombstones no longer
 * prove a double free, nor is a missing address a misuse. */
static atomic_bool hooks_were_out;

static int start(bool at_load)
{
    pthread_mutex_lock(&state_lock);
    int state = atomic_load_explicit(&pmc_state, memory_order_relaxed);
    if (state == PMC_TRACING) {
        pthread_mutex_unlock(&state_lock);
        return 0;
    }
    if (pmc_sites_init() < 0) {
        pthread_mutex_unlock(&state_lock);
        return -1;
    }
    pmc_at_load();
    pmc_table_clear();
    pmc_stats_clear();
    /* The summary's peak and current bytes add up the blocks its list
     * may show: with untraced=ignore (the host's default, where untraced
     * code is the interpreter), not those of untraced code. */
    pmc_stats_set_uncounted(pmc_config.report_unknown ? 0 : pmc_site_unknown_last());
    atomic_store_explicit(&untracked, 0, memory_order_relaxed);
    atomic_store_explicit(&hooks_were_out, false, memory_order_relaxed);
    atomic_store_explicit(&started_at_load, at_load, memory_order_relaxed);
    pmc_seam_hooks_installing();
    (void)pmc_hooks_install();
    atomic_store_explicit(&pmc_state, PMC_TRACING, memory_order_release);
    pmc_gate_set(PMC_GATE_NOT_TRACING, false);
    pthread_mutex_unlock(&state_lock);
    pmc_seam_tracing_changed(true);
    return 0;
}

int pmc_start(void)
{
    return start(false);
}

int pmc_start_at_load(void)
{
    return start(true);
}

void pmc_stop(void)
{
    pthread_mutex_lock(&state_lock);
    bool was = atomic_load_explicit(&pmc_state, memory_order_relaxed) == PMC_TRACING;
    if (was) {
        atomic_store_explicit(&pmc_state, PMC_STOPPED, memory_order_release);
        pmc_gate_set(PMC_GATE_NOT_TRACING, true);
        pmc_hooks_uninstall();
    }
    pthread_mutex_unlock(&state_lock);
    if (was)
        pmc_seam_tracing_changed(false);
}

bool pmc_hooks_out(enum pmc_api api, uint32_t site)
{
    if (!pmc_is_tracing())
        return false;
    atomic_store_explicit(&hooks_were_out, true, memory_order_relaxed);
    if (pmc_seam_may_start())
        return true;
    pmc_seam_hooks_missed(api, site, false);
    return false;
}

int pmc_hooks_reinstall(void)
{
    pthread_mutex_lock(&state_lock);
    int put_back = pmc_is_tracing() ? pmc_hooks_install() : 0;
    pthread_mutex_unlock(&state_lock);
    return put_back;
}

void pmc_hooks_restore(enum pmc_api api, uint32_t site)
{
    if (pmc_hooks_reinstall() > 0)
        pmc_seam_hooks_missed(api, site, true);
}

/* Later calls then see "stopped" and do not try again. */
static void stay_off(void)
{
    int expected = PMC_NEVER_STARTED;
    atomic_compare_exchange_strong(&pmc_state, &expected, PMC_STOPPED);
}

void pmc_start_or_stay_off(void)
{
    if (pmc_start() == 0)
        return;
    fprintf(stderr, "pymemcheck: the tracer cannot get memory for its tables "
                    "(%zu bytes mapped); tracing is off\n", pmc_mem_mapped());
    stay_off();
}

void pmc_first_call(void)
{
    pmc_config_from_environment();
    if (pmc_config.start != PMC_START_FIRST_CALL)
        stay_off();
    else if (pmc_seam_may_start())
        pmc_start_or_stay_off();
}

bool pmc_ever_started(void)
{
    return atomic_load_explicit(&pmc_state, memory_order_relaxed) != PMC_NEVER_STARTED;
}

/* ---- Untracked blocks ---- */

/* Leaves errno alone, as everything on the records' paths (tracer.h): the
 * C library's entry points do not save it. */
static void untrack(void)
{
    if (atomic_fetch_add_explicit(&untracked, 1, memory_order_relaxed) != 0)
        return;
    int saved = errno;
    fprintf(stderr,
            "pymemcheck: warning: the tracer cannot get memory for its tables "
            "(%zu bytes mapped); blocks it cannot record are left untracked and "
            "the program goes on unchanged, but reports only count what was "
            "recorded. Free memory, or raise tracer_memory_limit in PYMEMCHECK\n",
            pmc_mem_mapped());
    errno = saved;
}

size_t pmc_untracked_blocks(void)
{
    return atomic_load_explicit(&untracked, memory_order_relaxed);
}

bool pmc_table_is_complete(void)
{
    return atomic_load_explicit(&started_at_load, memory_order_relaxed) &&
           pmc_untracked_blocks() == 0 &&
           !atomic_load_explicit(&hooks_were_out, memory_order_relaxed);
}

/* ---- Records ---- */

void pmc_record_alloc_slow(void *p, size_t size, uint32_t site, enum pmc_family family,
                           bool kept)
{
    struct pmc_block b = {.size = size, .site = site, .family = family};
    struct pmc_block displaced;
    int r = kept ? pmc_table_insert_kept(p, &b, &displaced)
                 : pmc_table_insert_slow(p, &b, &displaced);
    if (r < 0) {
        untrack();
        return;
    }
    if (r > 0)
        pmc_stats_free(displaced.site, displaced.size);
    pmc_stats_alloc(site, size);
}

/* An address the table has as freed, met again by a free or realloc of
 * `family`.  Code the tracer does not see may have been handed the address
 * since: the C library's own malloc (never traced unless rewritten) reuses
 * freed memory at once, so a tombstone of, or a call from, a family that
 * untraced code allocates from (pmc_seam_unseen_allocations) proves
 * nothing; nor does any once the hooks were out (hooks_were_out). */
static bool freed_twice(enum pmc_family family, const struct pmc_block *b)
{
    return !pmc_seam_unseen_allocations(family) && !pmc_seam_unseen_allocations(b->family) &&
           !atomic_load_explicit(&hooks_were_out, memory_order_relaxed);
}

static bool never_allocated(enum pmc_family family)
{
    return family != PMC_LIBC && pmc_table_is_complete();
}

bool pmc_record_free_rare(void *p, enum pmc_api api, uint32_t site, uint64_t e)
{
    enum pmc_family family = pmc_apis[api].family;
    struct pmc_block block;
    const struct pmc_block *b = &block;
    enum pmc_found found = PMC_ABSENT;
    if (e == PMC_ENTRY_SLOW) {
        found = pmc_table_free_slow(p, site, &block);
    } else if (e != 0) {
        found = pmc_entry_state(e);
        pmc_entry_decode(e, &block);
    }
    switch (found) {
    case PMC_LIVE:              /* of another family */
        pmc_stats_free(b->site, b->size);
        pmc_misuse(PMC_MISUSE_WRONG_FAMILY, p, api, site, b);
        return true;
    case PMC_FREED:
        if (!freed_twice(family, b))
            return true;
        pmc_misuse(PMC_MISUSE_DOUBLE_FREE, p, api, site, b);
        return false;
    default:
        if (never_allocated(family))
            pmc_misuse(PMC_MISUSE_NEVER_ALLOCATED, p, api, site, NULL);
        return true;
    }
}

/* After pmc_realloc_begin's table lookup found anything but a live block
 * of the realloc's family. */
bool pmc_realloc_begin_rare(struct pmc_move *m)
{
    enum pmc_family family = pmc_apis[m->api].family;
    switch (m->found) {
    case PMC_LIVE:              /* of another family */
        pmc_misuse(PMC_MISUSE_WRONG_FAMILY, m->old, m->api, m->site, &m->block);
        return true;
    case PMC_FREED:
        m->found = PMC_ABSENT;
        if (!freed_twice(family, &m->block))
            return true;
        pmc_misuse(PMC_MISUSE_REALLOC_FREED, m->old, m->api, m->site, &m->block);
        return false;
    default:
        if (never_allocated(family))
            pmc_misuse(PMC_MISUSE_NEVER_ALLOCATED, m->old, m->api, m->site, NULL);
        return true;
    }
}

/* The cases pmc_realloc_end leaves here: the old block was not live in
 * the table, or the realloc failed (the old block is live again, kept
 * where it was: pmc_table_insert_kept). */
void pmc_realloc_end_rare(struct pmc_move *m, void *result, size_t size)
{
    enum pmc_family family = pmc_apis[m->api].family;
    uint32_t site = m->site;
    if (site == 0)
        site = m->found == PMC_LIVE ? m->block.site : pmc_site_unknown(m->api);
    if (m->found != PMC_LIVE) {
        if (result != NULL)
            pmc_record_alloc(result, size, site, family);
        return;
    }
    if (result == NULL) {
        struct pmc_block ignored;
        if (pmc_table_insert_kept(m->old, &m->block, &ignored) < 0)
            untrack();
        return;
    }
    pmc_stats_free(m->block.site, m->block.size);
    pmc_record_block(result, size, site, family, result == m->old);
}

void pmc_realloc_freed(struct pmc_move *m)
{
    if (m->found == PMC_LIVE)
        pmc_stats_free(m->block.site, m->block.size);
}

/* ---- Public API (pymemcheck/tracer.h) ---- */

int pymemcheck_trace_start(void)
{
    return pmc_start();
}

void pymemcheck_trace_stop(void)
{
    pmc_stop();
}

int pymemcheck_trace_is_tracing(void)
{
    return pmc_is_tracing();
}

void pymemcheck_get_traced_memory(size_t *current, size_t *peak)
{
    pmc_stats_process(current, peak);
}

void pymemcheck_reset_peak(void)
{
    pmc_stats_reset_peak();
}

size_t pymemcheck_get_tracer_memory(void)
{
    return pmc_mem_mapped();
}
