/*
 * stats.h: the counters' layout and their two hot updates, inline
 * (included by tracer.h; stats.c has the rest and the design).
 */
#ifndef PYMEMCHECK_STATS_H
#define PYMEMCHECK_STATS_H

#define PMC_LOAD(x) atomic_load_explicit(&(x), memory_order_relaxed)
#define PMC_STORE(x, v) atomic_store_explicit(&(x), (v), memory_order_relaxed)

/* A thread's share of a live-bytes total (a site's, or the process's),
 * written by that thread only: what it added since it last flushed the
 * share into the total, the most that reached since, and the total just
 * after that flush (stats.c, "Peaks"). */
struct pmc_share {
    _Atomic int64_t bytes;
    _Atomic int64_t high;
    _Atomic int64_t base;
};

/* One thread's counts of one site. */
struct pmc_counters {
    _Atomic uint64_t allocs;
    _Atomic uint64_t frees;
    struct pmc_share share;
};

/* One site, all threads. */
struct pmc_totals {
    _Atomic int64_t flushed;    /* live bytes flushed from the shards */
    _Atomic uint64_t peak;
    _Atomic uint64_t allocs;    /* counted by threads without a shard */
    _Atomic uint64_t frees;
    _Atomic uint64_t injected;
};

/* A thread's own part of the tracer, which passes to the next new thread
 * when it exits: nothing in it stops being true with the thread. */
struct pmc_shard {
    struct pmc_site_memo sites[PMC_SITE_MEMO];  /* pmc_site_of_call */
    struct pmc_leaf_cache leaves[PMC_LEAF_CACHE];  /* pmc_leaf_of */
    struct pmc_chunked counters;
    struct pmc_share process;
    struct pmc_shard *next;     /* every shard ever made */
    struct pmc_shard *next_free;
};

PMC_T_HIDDEN extern struct pmc_chunked pmc_site_totals;
PMC_T_HIDDEN extern _Atomic int64_t pmc_process_flushed;
PMC_T_HIDDEN extern _Atomic uint64_t pmc_process_peak;
PMC_T_HIDDEN extern _Atomic uint32_t pmc_process_uncounted;

/* What a change of delta bytes at site does to the process-wide figures. */
static PMC_T_INLINE int64_t pmc_process_share(uint32_t site, int64_t delta)
{
    return site > PMC_LOAD(pmc_process_uncounted) ? delta : 0;
}

/* The general cases: no shard or counters chunk yet, a share to flush. */
PMC_T_HIDDEN void pmc_stats_update_slow(uint32_t site, size_t size, bool is_alloc);

/* This thread's counters for site, or NULL when it has none yet. */
static PMC_T_INLINE struct pmc_counters *pmc_my_counters(uint32_t site)
{
    struct pmc_shard *shard = pmc_self.shard;
    if (PMC_T_UNLIKELY(shard == NULL))
        return NULL;
    return pmc_chunked_get(&shard->counters, site, sizeof(struct pmc_counters));
}

/* Whether a share may take this value, or must be flushed (slow path). */
static PMC_T_INLINE bool pmc_share_fits(int64_t share, bool is_alloc)
{
    return is_alloc ? share < PMC_FLUSH_BYTES : share > -PMC_FLUSH_BYTES;
}

/* A share that grows notes its new high; peaks are made of those
 * (stats.c, "Peaks").  Without a branch: whether an allocation sets a new
 * high follows the program's live bytes up and down, and as a branch it
 * was the tracer's most mispredicted one; the store goes to the line the
 * share's bytes were just written to (docs/performance.md, "Branches the
 * tracer mispredicts"). */
static PMC_T_INLINE void pmc_share_note(struct pmc_share *s, int64_t bytes)
{
    int64_t high = PMC_LOAD(s->high);
    PMC_STORE(s->high, bytes > high ? bytes : high);
}

/* The owner's shares are updated with plain loads and stores.  is_alloc
 * is a constant at both callers, so always-inline folds it away.  The slow
 * path takes the size, not the signed change: gcc 12 hoists the negation
 * for that call above the branch, two instructions on every free. */
static PMC_T_INLINE void pmc_stats_update(uint32_t site, size_t size, bool is_alloc)
{
    int64_t delta = is_alloc ? (int64_t)size : -(int64_t)size;
    struct pmc_counters *c = pmc_my_counters(site);
    if (PMC_T_UNLIKELY(c == NULL)) {
        pmc_stats_update_slow(site, size, is_alloc);
        return;
    }
    struct pmc_shard *shard = pmc_self.shard;
    int64_t mine = PMC_LOAD(c->share.bytes) + delta;
    int64_t all = PMC_LOAD(shard->process.bytes) + pmc_process_share(site, delta);
    if (PMC_T_UNLIKELY(!pmc_share_fits(mine, is_alloc) || !pmc_share_fits(all, is_alloc))) {
        pmc_stats_update_slow(site, size, is_alloc);
        return;
    }
    PMC_STORE(c->share.bytes, mine);
    PMC_STORE(shard->process.bytes, all);
    _Atomic uint64_t *count = is_alloc ? &c->allocs : &c->frees;
    PMC_STORE(*count, PMC_LOAD(*count) + 1);
    if (is_alloc) {
        pmc_share_note(&c->share, mine);
        pmc_share_note(&shard->process, all);
    }
}

static PMC_T_INLINE void pmc_stats_alloc(uint32_t site, size_t size)
{
    pmc_stats_update(site, size, true);
}

static PMC_T_INLINE void pmc_stats_free(uint32_t site, size_t size)
{
    pmc_stats_update(site, size, false);
}

#endif /* PYMEMCHECK_STATS_H */
