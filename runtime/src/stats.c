/*
 * stats.c: per-site and process-wide counters.
 *
 * Shared atomic counters would cost 10-20 ns a malloc/free pair
 * (reference/tracing-performance.md §5: an uncontended lock-prefixed add is
 * ~5.7 ns), more than everything else the tracer does.  So each thread
 * counts into a shard of its own: for every site, blocks allocated, blocks
 * freed and a share of live bytes, updated with plain loads and stores
 * (relaxed atomics, so that a report reading them from another thread is
 * race-free).  A report sums the shards.
 *
 * Peaks.  A peak is the highest a total of live bytes reached, and no
 * thread has the total.  Each thread's share of it is flushed into the
 * shared total with one atomic add whenever it passes +-PMC_FLUSH_BYTES;
 * between two flushes the thread keeps the highest its share reached, and
 * the total just after its last flush (`base`).  `base + high` is then the
 * highest the total reached since that flush, as far as this thread can
 * see: a flush folds it into the shared peak (a compare-and-swap), and a
 * report takes the greatest of the shared peak and every thread's
 * `base + high`.  An allocation pays a compare and, on a new high, a
 * store: no shared memory is read or written until the share is flushed.
 * With one thread the shared total moves only at its own flushes, so
 * `base` is the total and peaks are exact.  With n threads a thread's
 * view misses the others' unflushed shares and their flushes since its
 * own, by less than PMC_FLUSH_BYTES a thread either way: a peak is within
 * about n * PMC_FLUSH_BYTES of the true high-water mark.
 *
 * A shard belongs to one running thread; when the thread exits its shard
 * (counts and all) goes to the next new thread, so shards never outnumber
 * the most threads alive at once, and totals never lose a count.  A thread
 * that cannot get a shard (no memory) counts straight into the per-site
 * totals with atomic adds.
 */
#include "tracer.h"

#include <pthread.h>

/* The layout of shards and totals is in stats.h, with the fast paths. */

struct pmc_chunked pmc_site_totals;
_Atomic int64_t pmc_process_flushed;
_Atomic uint64_t pmc_process_peak;
_Atomic uint32_t pmc_process_uncounted;
static _Atomic uint64_t misuse_count;
static _Atomic uint64_t injected_count;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static _Atomic(struct pmc_shard *) shards;
static struct pmc_shard *free_shards;
static pthread_key_t shard_key;
static pthread_once_t shard_key_once = PTHREAD_ONCE_INIT;

/* ---- Shards ---- */

static void release_shard(void *arg)
{
    struct pmc_shard *shard = arg;
    pmc_self.shard = NULL;
    pthread_mutex_lock(&lock);
    shard->next_free = free_shards;
    free_shards = shard;
    pthread_mutex_unlock(&lock);
}

static void make_key(void)
{
    pthread_key_create(&shard_key, release_shard);
}

static struct pmc_shard *take_shard(void)
{
    pthread_mutex_lock(&lock);
    struct pmc_shard *shard = free_shards;
    if (shard != NULL) {
        free_shards = shard->next_free;
    } else if ((shard = pmc_mem_alloc(sizeof *shard)) != NULL) {
        shard->next = atomic_load_explicit(&shards, memory_order_relaxed);
        atomic_store_explicit(&shards, shard, memory_order_release);
    }
    pthread_mutex_unlock(&lock);
    return shard;
}

static PMC_T_NOINLINE struct pmc_shard *attach(void)
{
    struct pmc_shard *shard = take_shard();
    if (shard == NULL)
        return NULL;
    pthread_once(&shard_key_once, make_key);
    pthread_setspecific(shard_key, shard);
    pmc_self.shard = shard;
    return shard;
}

/* This thread's counters for site, or NULL (then count into the totals). */
static struct pmc_counters *my_counters(uint32_t site)
{
    struct pmc_shard *shard = pmc_self.shard;
    if (PMC_T_UNLIKELY(shard == NULL) && (shard = attach()) == NULL)
        return NULL;
    struct pmc_counters *c = pmc_chunked_get(&shard->counters, site, sizeof *c);
    if (PMC_T_UNLIKELY(c == NULL))
        c = pmc_chunked_ensure(&shard->counters, site, sizeof *c);
    return c;
}

/* ---- Updates ---- */

#define LOAD PMC_LOAD
#define STORE PMC_STORE

static void raise_peak(_Atomic uint64_t *peak, int64_t value)
{
    uint64_t seen = atomic_load_explicit(peak, memory_order_relaxed);
    while (value > 0 && (uint64_t)value > seen &&
           !atomic_compare_exchange_weak_explicit(peak, &seen, (uint64_t)value,
                                                  memory_order_relaxed,
                                                  memory_order_relaxed))
        ;
}

/* Add delta to a thread's share; past the flush bound, fold its high into
 * the peak and flush it into the total (see "Peaks"). */
static void add_share(struct pmc_share *s, _Atomic int64_t *total, _Atomic uint64_t *peak,
                      int64_t delta)
{
    int64_t mine = LOAD(s->bytes) + delta;
    if (mine > LOAD(s->high))
        STORE(s->high, mine);
    if (PMC_T_LIKELY(mine < PMC_FLUSH_BYTES && mine > -PMC_FLUSH_BYTES)) {
        STORE(s->bytes, mine);
        return;
    }
    raise_peak(peak, LOAD(s->base) + LOAD(s->high));
    STORE(s->base, atomic_fetch_add_explicit(total, mine, memory_order_relaxed) + mine);
    STORE(s->bytes, 0);
    STORE(s->high, 0);
}

/* The highest the total reached since the thread's last flush, as it saw
 * it. */
static int64_t share_peak(const struct pmc_share *s)
{
    return LOAD(s->base) + LOAD(s->high);
}

/* After a peak reset: the thread's high is its share now. */
static void share_reset_high(struct pmc_share *s)
{
    STORE(s->high, LOAD(s->bytes));
}

static void share_clear(struct pmc_share *s)
{
    STORE(s->bytes, 0);
    STORE(s->high, 0);
    STORE(s->base, 0);
}

static struct pmc_totals *totals_of(uint32_t site)
{
    return pmc_chunked_get(&pmc_site_totals, site, sizeof(struct pmc_totals));
}

int pmc_stats_prepare_site(uint32_t site)
{
    return pmc_chunked_ensure(&pmc_site_totals, site, sizeof(struct pmc_totals)) ? 0 : -1;
}

void pmc_stats_update_slow(uint32_t site, size_t size, bool is_alloc)
{
    int64_t delta = is_alloc ? (int64_t)size : -(int64_t)size;
    struct pmc_totals *t = totals_of(site);
    struct pmc_counters *c = my_counters(site);
    int64_t share = pmc_process_share(site, delta);
    if (PMC_T_UNLIKELY(c == NULL)) {
        atomic_fetch_add_explicit(is_alloc ? &t->allocs : &t->frees, 1, memory_order_relaxed);
        int64_t site_live =
            atomic_fetch_add_explicit(&t->flushed, delta, memory_order_relaxed) + delta;
        int64_t process_live =
            atomic_fetch_add_explicit(&pmc_process_flushed, share, memory_order_relaxed) + share;
        if (is_alloc) {
            raise_peak(&t->peak, site_live);
            raise_peak(&pmc_process_peak, process_live);
        }
        return;
    }
    _Atomic uint64_t *count = is_alloc ? &c->allocs : &c->frees;
    STORE(*count, LOAD(*count) + 1);
    add_share(&c->share, &t->flushed, &t->peak, delta);
    add_share(&pmc_self.shard->process, &pmc_process_flushed, &pmc_process_peak, share);
}

void pmc_stats_set_uncounted(uint32_t last)
{
    atomic_store_explicit(&pmc_process_uncounted, last, memory_order_relaxed);
}

void pmc_stats_injected(uint32_t site)
{
    atomic_fetch_add_explicit(&totals_of(site)->injected, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&injected_count, 1, memory_order_relaxed);
}

void pmc_stats_misuse(void)
{
    atomic_fetch_add_explicit(&misuse_count, 1, memory_order_relaxed);
}

/* ---- Reading ---- */

static struct pmc_shard *first_shard(void)
{
    return atomic_load_explicit(&shards, memory_order_acquire);
}

static uint64_t at_least(uint64_t peak, int64_t value)
{
    return value > 0 && (uint64_t)value > peak ? (uint64_t)value : peak;
}

void pmc_stats_site(uint32_t site, struct pmc_site_totals *out)
{
    struct pmc_totals *t = totals_of(site);
    out->allocs = LOAD(t->allocs);
    out->frees = LOAD(t->frees);
    out->injected = LOAD(t->injected);
    out->live_bytes = LOAD(t->flushed);
    out->peak_bytes = LOAD(t->peak);
    for (struct pmc_shard *s = first_shard(); s != NULL; s = s->next) {
        struct pmc_counters *c = pmc_chunked_get(&s->counters, site, sizeof *c);
        if (c == NULL)
            continue;
        out->allocs += LOAD(c->allocs);
        out->frees += LOAD(c->frees);
        out->live_bytes += LOAD(c->share.bytes);
        out->peak_bytes = at_least(out->peak_bytes, share_peak(&c->share));
    }
    /* With threads, the live figure may pass a peak no thread could see. */
    out->peak_bytes = at_least(out->peak_bytes, out->live_bytes);
}

static int64_t process_current(void)
{
    int64_t current = LOAD(pmc_process_flushed);
    for (struct pmc_shard *s = first_shard(); s != NULL; s = s->next)
        current += LOAD(s->process.bytes);
    return current;
}

void pmc_stats_process(size_t *current, size_t *peak)
{
    int64_t now = process_current();
    uint64_t high = LOAD(pmc_process_peak);
    for (struct pmc_shard *s = first_shard(); s != NULL; s = s->next)
        high = at_least(high, share_peak(&s->process));
    if (now < 0)
        now = 0;
    *current = (size_t)now;
    *peak = (size_t)at_least(high, now);
}

uint64_t pmc_stats_misuses(void)
{
    return LOAD(misuse_count);
}

uint64_t pmc_stats_injected_total(void)
{
    return LOAD(injected_count);
}

/* A thread allocating meanwhile may store a high over the one reset here,
 * by less than PMC_FLUSH_BYTES: within the bound threads have. */
void pmc_stats_reset_peak(void)
{
    uint32_t end = pmc_site_end();
    for (struct pmc_shard *s = first_shard(); s != NULL; s = s->next) {
        share_reset_high(&s->process);
        for (uint32_t site = 1; site < end; site++) {
            struct pmc_counters *c = pmc_chunked_get(&s->counters, site, sizeof *c);
            if (c != NULL)
                share_reset_high(&c->share);
        }
    }
    for (uint32_t site = 1; site < end; site++) {
        struct pmc_site_totals now;
        STORE(totals_of(site)->peak, 0);
        pmc_stats_site(site, &now);
        STORE(totals_of(site)->peak, now.live_bytes > 0 ? (uint64_t)now.live_bytes : 0);
    }
    int64_t now = process_current();
    STORE(pmc_process_peak, now > 0 ? (uint64_t)now : 0);
}

/* At a restart, with the hooks passing calls through: a count racing with
 * it may survive, which a restart makes no promise about. */
void pmc_stats_clear(void)
{
    uint32_t end = pmc_site_end();
    for (struct pmc_shard *s = first_shard(); s != NULL; s = s->next) {
        share_clear(&s->process);
        for (uint32_t site = 1; site < end; site++) {
            struct pmc_counters *c = pmc_chunked_get(&s->counters, site, sizeof *c);
            if (c == NULL)
                continue;
            STORE(c->allocs, 0);
            STORE(c->frees, 0);
            share_clear(&c->share);
        }
    }
    for (uint32_t site = 1; site < end; site++) {
        struct pmc_totals *t = totals_of(site);
        STORE(t->flushed, 0);
        STORE(t->peak, 0);
        STORE(t->allocs, 0);
        STORE(t->frees, 0);
        STORE(t->injected, 0);
    }
    STORE(pmc_process_flushed, 0);
    STORE(pmc_process_peak, 0);
    STORE(misuse_count, 0);
    STORE(injected_count, 0);
}

void pmc_stats_lock(void)
{
    pthread_mutex_lock(&lock);
}

void pmc_stats_unlock(void)
{
    pthread_mutex_unlock(&lock);
}
