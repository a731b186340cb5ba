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
 * Requests are rounded up to a power of two.  Up to 128 KiB they come
 * from 2 MiB regions run as buddy systems: a block of 2^k bytes sits at a
 * multiple of 2^k in its region, a bigger free block is split when a size
 * has none, and a freed block merges with its buddy (the other half of the
 * block they were split from) whenever that is free too, up to 128 KiB.
 * So memory a table gave back serves tables of every size later: without
 * merging, a program that fills its data structures, empties them and
 * fills them again made the tracer map more at each round (the shrunk
 * tables' small blocks could not serve the big ones).  Regions are never
 * unmapped: the fatal dump reads a table without its lock
 * (pmc_table_peek), and must not fault on one just freed.  Above 128 KiB
 * each block is a mapping of its own, unmapped when freed.  The mapped
 * total is
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
    MAX_SMALL_SHIFT = 17,       /* 128 KiB (a mid node of the table, 256
                                 * KiB, is a mapping of its own) */
    NCLASSES = MAX_SMALL_SHIFT - MIN_SHIFT + 1,
    REGION_SHIFT = 21,
    REGION_BYTES = 1 << REGION_SHIFT,   /* one transparent huge page */
    GRANULES = REGION_BYTES >> MIN_SHIFT,
    HEAD_SHIFT = 12,            /* the region's head: its first 4 KiB */
};

/* At the start of every region: one bit per 64-byte granule, set where a
 * free block starts (the head's own bits stay clear). */
struct region_head {
    uint64_t map[GRANULES / 64];
};
_Static_assert(sizeof(struct region_head) == (1u << HEAD_SHIFT), "the head is 4 KiB");

/* A free block's first bytes.  clean: the rest of the block is zero (it
 * was never handed out since the region was mapped), so handing it out
 * only needs these bytes cleared. */
struct free_block {
    struct free_block *next, *prev;
    uint32_t shift;
    uint32_t clean;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct free_block *free_lists[NCLASSES];
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

/* ---- Buddy regions (everything below with the lock held) ---- */

static struct region_head *region_of(const void *p)
{
    return (struct region_head *)((uintptr_t)p & ~(uintptr_t)(REGION_BYTES - 1));
}

static size_t granule_of(const struct region_head *h, const void *p)
{
    return (size_t)((const char *)p - (const char *)h) >> MIN_SHIFT;
}

static void push(struct free_block *b, unsigned shift, bool clean)
{
    struct region_head *h = region_of(b);
    size_t g = granule_of(h, b);
    struct free_block **head = &free_lists[shift - MIN_SHIFT];
    b->shift = shift;
    b->clean = clean;
    b->prev = NULL;
    b->next = *head;
    if (*head != NULL)
        (*head)->prev = b;
    *head = b;
    h->map[g / 64] |= 1ull << (g % 64);
}

static void unlink_block(struct free_block *b)
{
    struct region_head *h = region_of(b);
    size_t g = granule_of(h, b);
    if (b->prev != NULL)
        b->prev->next = b->next;
    else
        free_lists[b->shift - MIN_SHIFT] = b->next;
    if (b->next != NULL)
        b->next->prev = b->prev;
    h->map[g / 64] &= ~(1ull << (g % 64));
}

/* A new region, aligned to its size and offered to the kernel as a
 * transparent huge page: the table is read at random (a free looks up a
 * block allocated long ago), and on a virtual machine a TLB miss walks two
 * sets of page tables; one huge page instead of 512 small ones makes most
 * of those misses go away (bench/trace_workload.c measures it).  All of it
 * but the head goes on the free lists. */
static bool map_region(bool limited)
{
    if (limited && over_limit(REGION_BYTES))
        return false;
    char *p = map(2 * (size_t)REGION_BYTES);
    if (p == NULL)
        return false;
    char *start = (char *)(((uintptr_t)p + REGION_BYTES - 1) & ~(uintptr_t)(REGION_BYTES - 1));
    if (start != p)
        unmap(p, (size_t)(start - p));
    if (start + REGION_BYTES != p + 2 * (size_t)REGION_BYTES)
        unmap(start + REGION_BYTES,
              (size_t)(p + 2 * (size_t)REGION_BYTES - (start + REGION_BYTES)));
#ifdef MADV_HUGEPAGE
    int saved = errno;
    madvise(start, REGION_BYTES, MADV_HUGEPAGE);
    errno = saved;
#endif
    /* The head, then blocks of 4, 8, ... 64 KiB fill the first 128 KiB;
     * the rest is 128 KiB blocks. */
    for (unsigned shift = HEAD_SHIFT; shift < MAX_SMALL_SHIFT; shift++)
        push((struct free_block *)(start + ((size_t)1 << shift)), shift, true);
    for (size_t at = (size_t)1 << MAX_SMALL_SHIFT; at < REGION_BYTES;
         at += (size_t)1 << MAX_SMALL_SHIFT)
        push((struct free_block *)(start + at), MAX_SMALL_SHIFT, true);
    return true;
}

/* A free block of 2^shift bytes, zeroed, split from a bigger free one when
 * there is none of that size; NULL when none is free. */
static void *take_free(unsigned shift)
{
    unsigned from = shift;
    while (from <= MAX_SMALL_SHIFT && free_lists[from - MIN_SHIFT] == NULL)
        from++;
    if (from > MAX_SMALL_SHIFT)
        return NULL;
    struct free_block *b = free_lists[from - MIN_SHIFT];
    bool clean = b->clean;
    unlink_block(b);
    for (; from > shift; from--)
        push((struct free_block *)((char *)b + ((size_t)1 << (from - 1))), from - 1, clean);
    memset(b, 0, clean ? sizeof *b : (size_t)1 << shift);
    return b;
}

/* Give a block back, merged with its buddy as long as that is free whole.
 * Memory handed out is never clean again. */
static void give_back(void *p, unsigned shift)
{
    struct region_head *h = region_of(p);
    char *b = p;
    while (shift < MAX_SMALL_SHIFT) {
        char *buddy = (char *)((uintptr_t)b ^ ((uintptr_t)1 << shift));
        size_t g = granule_of(h, buddy);
        if (!(h->map[g / 64] & (1ull << (g % 64))))
            break;
        struct free_block *f = (struct free_block *)buddy;
        if (f->shift != shift)
            break;
        unlink_block(f);
        if (buddy < b)
            b = buddy;
        shift++;
    }
    push((struct free_block *)b, shift, false);
}

static void *alloc(size_t size, bool limited)
{
    unsigned shift = shift_for(size);
    size_t bytes = (size_t)1 << shift;
    if (shift > MAX_SMALL_SHIFT)
        return limited && over_limit(bytes) ? NULL : map(bytes);
    pthread_mutex_lock(&lock);
    void *p = take_free(shift);
    if (p == NULL && map_region(limited))
        p = take_free(shift);
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
    pthread_mutex_lock(&lock);
    give_back(p, shift);
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
