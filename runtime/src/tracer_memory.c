/*
 * tracer_memory.c: the tracer's own memory.
 *
 * Everything the tracer keeps (table leaves, site records, counters,
 * snapshots) comes from here, and this file takes its memory from mmap
 * alone: never from a PEP 445 domain (the tracer would record itself, and
 * a hook re-entered from inside a hook deadlocks on its own leaf lock), and
 * never from a C library function of the call catalog (a runtime compiled
 * with the plugin's rewrite would route it back into the tracer).
 *
 * Requests are rounded up to a power of two.  Up to 128 KiB they are
 * carved from 2 MiB mappings and recycled through one free list per size
 * (the table's leaves grow and shrink through exactly these sizes), a
 * bigger free block being split when a size has none; above that each is a
 * mapping of its own, unmapped when freed.  The mapped total is
 * what pymemcheck_get_tracer_memory() reports, and what the
 * tracer_memory_limit option caps, so that the tracer's behaviour when it
 * cannot allocate can be tested (docs/tracer.md).
 */
#include "tracer.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <sys/mman.h>

enum {
    MIN_SHIFT = 6,              /* 64 bytes: a table leaf of 8 entries */
    MAX_SMALL_SHIFT = 17,       /* 128 KiB: a mid node of the table */
    NCLASSES = MAX_SMALL_SHIFT - MIN_SHIFT + 1,
    CARVE_BYTES = 2 << 20,      /* one transparent huge page */
};

struct free_block {
    struct free_block *next;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct free_block *free_lists[NCLASSES];
static char *carve_next, *carve_end;
static _Atomic size_t mapped;
static _Atomic size_t limit;

static unsigned shift_for(size_t size)
{
    unsigned shift = MIN_SHIFT;
    while (((size_t)1 << shift) < size)
        shift++;
    return shift;
}

/* Whether bytes more would pass the limit. */
static bool over_limit(size_t bytes)
{
    size_t cap = atomic_load_explicit(&limit, memory_order_relaxed);
    return cap != 0 && atomic_load_explicit(&mapped, memory_order_relaxed) + bytes > cap;
}

/* mmap, counted.  errno is the caller's, untouched: the tracer runs inside
 * calls whose errno the program may read. */
static void *map(size_t bytes)
{
    int saved = errno;
    void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                   -1, 0);
    errno = saved;
    if (p == MAP_FAILED)
        return NULL;
    atomic_fetch_add_explicit(&mapped, bytes, memory_order_relaxed);
    return p;
}

static void unmap(void *p, size_t bytes)
{
    int saved = errno;
    munmap(p, bytes);
    errno = saved;
    atomic_fetch_sub_explicit(&mapped, bytes, memory_order_relaxed);
}

/* A carving region: 2 MiB, aligned to 2 MiB and offered to the kernel as
 * a transparent huge page.  The table is read at random (a free looks up
 * a block allocated long ago), and on a virtual machine a TLB miss walks
 * two sets of page tables: one huge page instead of 512 small ones makes
 * most of those misses go away (bench/trace_workload.c measures it). */
static char *map_region(void)
{
    char *p = map(2 * CARVE_BYTES);
    if (p == NULL)
        return NULL;
    char *start = (char *)(((uintptr_t)p + CARVE_BYTES - 1) & ~(uintptr_t)(CARVE_BYTES - 1));
    if (start != p)
        unmap(p, (size_t)(start - p));
    if (start + CARVE_BYTES != p + 2 * CARVE_BYTES)
        unmap(start + CARVE_BYTES, (size_t)(p + 2 * CARVE_BYTES - (start + CARVE_BYTES)));
#ifdef MADV_HUGEPAGE
    int saved = errno;
    madvise(start, CARVE_BYTES, MADV_HUGEPAGE);
    errno = saved;
#endif
    return start;
}

/* Called with the lock held.  The tail of a spent carving region too small
 * for this request is simply abandoned: at most one block's worth per 2 MiB. */
static void *carve(size_t bytes, bool limited)
{
    if (carve_next == NULL || (size_t)(carve_end - carve_next) < bytes) {
        if (limited && over_limit(CARVE_BYTES))
            return NULL;
        char *region = map_region();
        if (region == NULL)
            return NULL;
        carve_next = region;
        carve_end = region + CARVE_BYTES;
    }
    void *p = carve_next;
    carve_next += bytes;
    return p;
}

/* A free block of 2^shift bytes, split from a bigger free one when there
 * is none of that size: a table leaf that shrank gives its memory back to
 * leaves of every size.  Called with the lock held. */
static void *take_free(unsigned shift)
{
    unsigned from = shift;
    while (from <= MAX_SMALL_SHIFT && free_lists[from - MIN_SHIFT] == NULL)
        from++;
    if (from > MAX_SMALL_SHIFT)
        return NULL;
    struct free_block *b = free_lists[from - MIN_SHIFT];
    free_lists[from - MIN_SHIFT] = b->next;
    for (; from > shift; from--) {
        struct free_block *half = (struct free_block *)((char *)b + ((size_t)1 << (from - 1)));
        half->next = free_lists[from - 1 - MIN_SHIFT];
        free_lists[from - 1 - MIN_SHIFT] = half;
    }
    return b;
}

static void *alloc(size_t size, bool limited)
{
    unsigned shift = shift_for(size);
    size_t bytes = (size_t)1 << shift;
    if (shift > MAX_SMALL_SHIFT)
        return limited && over_limit(bytes) ? NULL : map(bytes);
    pthread_mutex_lock(&lock);
    void *p = take_free(shift);
    if (p != NULL)
        memset(p, 0, bytes);
    else
        p = carve(bytes, limited);
    pthread_mutex_unlock(&lock);
    return p;
}

void *pmc_mem_alloc(size_t size)
{
    return alloc(size, true);
}

/* The limit is on what the tracer keeps per block and site; a report must
 * still be possible when the tables have reached it. */
void *pmc_mem_alloc_for_report(size_t size)
{
    return alloc(size, false);
}

void pmc_mem_free(void *p, size_t size)
{
    if (p == NULL)
        return;
    unsigned shift = shift_for(size);
    if (shift > MAX_SMALL_SHIFT) {
        unmap(p, (size_t)1 << shift);
        return;
    }
    struct free_block *b = p;
    pthread_mutex_lock(&lock);
    b->next = free_lists[shift - MIN_SHIFT];
    free_lists[shift - MIN_SHIFT] = b;
    pthread_mutex_unlock(&lock);
}

size_t pmc_mem_mapped(void)
{
    return atomic_load_explicit(&mapped, memory_order_relaxed);
}

void pmc_mem_set_limit(size_t bytes)
{
    atomic_store_explicit(&limit, bytes, memory_order_relaxed);
}

void pmc_mem_lock(void)
{
    pthread_mutex_lock(&lock);
}

void pmc_mem_unlock(void)
{
    pthread_mutex_unlock(&lock);
}

void *pmc_chunked_ensure(struct pmc_chunked *c, uint32_t i, size_t elem)
{
    void *e = pmc_chunked_get(c, i, elem);
    if (e != NULL)
        return e;
    size_t bytes = elem << PMC_CHUNK_BITS;
    void *fresh = pmc_mem_alloc(bytes);
    if (fresh == NULL)
        return NULL;
    void *expected = NULL;
    if (!atomic_compare_exchange_strong_explicit(&c->chunk[i >> PMC_CHUNK_BITS],
                                                 &expected, fresh,
                                                 memory_order_acq_rel,
                                                 memory_order_acquire))
        pmc_mem_free(fresh, bytes);   /* another thread was first */
    return pmc_chunked_get(c, i, elem);
}
