/*
 * pymalloc.c: CPython's small-object allocator, with CPython 3.12's 64-bit
 * geometry and rules, made safe for threads without a GIL.
 *
 * Geometry, and why it is CPython's:
 *
 *  - Requests of 1..512 bytes come from 32 size classes, 16 bytes apart.
 *    16 because 16 is what malloc guarantees on 64-bit platforms
 *    (max_align_t: long double, SSE loads), and code moving between
 *    PyMem_RawMalloc and PyObject_Malloc must not see weaker alignment
 *    (bpo-27987); rounding costs at most 15 bytes a block.  Above 512 bytes
 *    malloc's own overhead is small beside the block, and pools of big
 *    blocks would lose more to quantization than pymalloc saves.  Zero bytes
 *    and anything above 512 go to the RAW domain (PyMem_Raw*, so RAW hooks
 *    see them), which turns zero into a distinct one-byte block.
 *
 *  - A pool is 16 KiB of blocks of one class behind a 48-byte header.
 *    16 KiB makes the header 0.3% and keeps the tail that no block fits in
 *    ((16384-48) % size, "quantization") under 3% for every class, while a
 *    pool stays small enough that a class with few live blocks wastes
 *    little.  Pools are aligned to their size, so a block finds its header
 *    by masking its address.  Blocks are carved lazily, so a pool only
 *    touches the pages it hands out.
 *
 *  - An arena is 1 MiB from the arena allocator (mmap by default): 64 pools,
 *    or 63 when the allocator's address is not 16 KiB-aligned, since the
 *    first pool is then aligned up and the pieces at both ends are lost
 *    ("arena alignment" in the statistics).  Arenas are big so that mmap is
 *    rare, and pools are taken from the fullest usable arena first, so the
 *    emptiest ones drain and go back to the system after a peak.
 *
 *  - A heap keeps one wholly free arena instead of returning it
 *    (bpo-37257): a program that allocates and frees around an arena
 *    boundary would otherwise mmap and munmap an arena every cycle, and the
 *    page faults cost far more than the allocations (30x slower than a
 *    caching allocator in our measurements).
 *
 *  - Whether an address is pymalloc's is answered by an address map, a
 *    3-level radix tree over addr >> 20 as in CPython 3.11+, and never by
 *    reading a header in front of the block: PyObject_Free is routinely
 *    handed malloc's blocks (the RAW fallback, foreign code), and reading
 *    memory we do not own is undefined behaviour that sanitizers and
 *    valgrind rightly report.  Each 1 MiB slot's leaf records where an arena
 *    starts in it (tail_hi) and where an arena from the slot below ends in
 *    it (tail_lo), so arenas at any address are covered.  Nodes come from
 *    libc, never from the PEP 445 domains (a RAW hook must not be re-entered
 *    from inside PyObject_Free), and are never freed, so lookups need no
 *    lock.
 *
 * Threads.  CPython serialises pymalloc with the GIL; a C program using this
 * library has none, and a lock per call would double the cost of a ~5 ns
 * malloc/free pair (an uncontended atomic read-modify-write alone costs
 * ~5.7 ns on our machines).  So each thread allocates from its own heap: a
 * heap owns whole arenas and runs CPython's used-pool, free-pool and
 * usable-arena bookkeeping on them with plain loads and stores.  A pool
 * header records its heap; a block freed by another thread is pushed on
 * the owner's remote-free list, a lock-free stack that only the owner
 * empties, in one atomic exchange (so there is no ABA problem), whenever
 * its current pools of a class run out.  When a thread exits its heap is
 * orphaned, its blocks still valid, and the next thread that needs a heap
 * adopts it, so thread churn does not pile up heaps.  One global lock
 * guards what is shared and rare: arena allocation (the arena allocator may
 * be a user's and need not be thread-safe), the address-map writes, the
 * arena table and the heap registry.
 *
 * Statistics (sys._debugmallocstats, sys.getallocatedblocks) walk every
 * arena under the global lock and read only fields kept as relaxed atomics,
 * so they never race; their figures are exact when the other threads are
 * quiescent (joined, or not allocating), and a near snapshot otherwise.
 *
 * Limits of the design: blocks freed into the heap of a live thread that
 * has stopped allocating wait on its remote list (still counted as free by
 * sys.getallocatedblocks) until it allocates again or exits; heaps are
 * never freed, so there are as many as the most threads that ever used
 * pymalloc at once; in a child after fork() only the forking thread's heap
 * is used again (the others' blocks stay valid, their free space idle).
 */
#include "internal.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(UINTPTR_MAX == UINT64_MAX,
               "pymalloc.c implements CPython's 64-bit geometry");

/* Slow paths stay out of line so that the fast paths need no stack frame;
 * the pool-change path is inlined whole, which saves calls on every pool
 * a pair of malloc and free empties and refills. */
#if defined(__GNUC__)
#define NOINLINE __attribute__((noinline))
#define ALWAYS_INLINE inline __attribute__((always_inline))
/* One load off the thread pointer, even in a dlopen()ed shared library. */
#define TLS_FAST __attribute__((tls_model("initial-exec")))
#else
#define NOINLINE
#define ALWAYS_INLINE inline
#define TLS_FAST
#endif

#define ALIGNMENT_SHIFT 4
#define ALIGNMENT (1u << ALIGNMENT_SHIFT)
#define SMALL_REQUEST_THRESHOLD 512u
#define NB_SIZE_CLASSES (SMALL_REQUEST_THRESHOLD / ALIGNMENT)
#define POOL_BITS 14
#define POOL_SIZE ((uintptr_t)1 << POOL_BITS)
#define ARENA_BITS 20
#define ARENA_SIZE ((uintptr_t)1 << ARENA_BITS)
#define MAX_POOLS_IN_ARENA (ARENA_SIZE / POOL_SIZE)
/* The szidx of a pool carved but never given a class. */
#define NO_SIZE_CLASS 0xffffu

typedef uint8_t block;
struct heap;
struct arena;

/* CPython's header holds an arena index and the last offset a block fits
 * at; this one holds the arena's address instead, which saves a table
 * lookup each time a pool empties, and derives the offset from the class,
 * which makes room for the owning heap in the same 48 bytes. */
struct pool {
    _Atomic uint32_t count; /* blocks handed out */
    _Atomic uint16_t szidx; /* size class, or NO_SIZE_CLASS */
    uint16_t nextoffset;    /* next block to carve; 0 once all are */
    block *freeblock;       /* free blocks, LIFO; NULL when full */
    struct pool *nextpool;  /* heap's list of this class, or arena's free pools */
    struct pool *prevpool;
    struct heap *heap; /* owner; fixed while any block is live */
    struct arena *arena;
};

#define POOL_OVERHEAD                                                                    \
    ((sizeof(struct pool) + ALIGNMENT - 1) & ~(uintptr_t)(ALIGNMENT - 1))
_Static_assert(POOL_OVERHEAD == 48, "CPython's pool header is 48 bytes on 64-bit");
/* A pool is born with two blocks carved and room for a third, and never
 * goes from full to empty in one free. */
_Static_assert((POOL_SIZE - POOL_OVERHEAD) / SMALL_REQUEST_THRESHOLD >= 3, "tiny pools");

/* One cache line each: the arenas of two heaps sit side by side in the
 * arena table, and their owners update freepools and nfreepools on every
 * pool that empties or refills; 48-byte entries shared lines, and two
 * threads each emptying and refilling one pool paid 27 to 32 ns a
 * PyObject_Malloc/PyObject_Free pair instead of 8. */
struct arena {
    _Alignas(64) uintptr_t address; /* 0 while the entry is unused */
    _Atomic uintptr_t pool_address; /* next pool to carve */
    struct pool *freepools;         /* emptied pools, through nextpool */
    unsigned nfreepools;            /* carvable plus emptied pools */
    unsigned ntotalpools;
    struct arena *nextarena; /* heap's usable list, or the unused list */
    struct arena *prevarena;
};

struct heap {
    /* Pools of each class with a free block; the first serves malloc. */
    struct pool *usedpools[NB_SIZE_CLASSES];
    /* Arenas with a free pool, fewest free pools first. */
    struct arena *usable;
    /* The last arena in usable with n free pools, so an arena that gains
     * a pool moves to its new place without a walk. */
    struct arena *last_with_free[MAX_POOLS_IN_ARENA + 1];
    unsigned free_arenas_kept; /* wholly free arenas in usable: 0 or 1 */
    /* Each counter has one writer, the heap's thread; readers sum them. */
    _Atomic Py_ssize_t raw_blocks;    /* RAW fallbacks allocated minus freed here */
    _Atomic Py_ssize_t remote_pushed; /* blocks this thread pushed to other heaps */
    _Atomic Py_ssize_t remote_taken;  /* blocks this heap took off its remote list */
    struct heap *next;                /* registry */
    struct heap *next_orphan;
    /* Other threads write here; keep it off the owner's lines. */
    _Alignas(64) _Atomic(block *) remote;
};

/* ---- Global state, under the lock unless said otherwise ---- */

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static _Thread_local struct heap *tls_heap TLS_FAST;
static pthread_once_t heap_key_once = PTHREAD_ONCE_INIT;
static pthread_key_t heap_key;
static bool heap_key_ok;
static struct heap *all_heaps;
static struct heap *orphans;
/* Net blocks from threads that could not get a heap (out of memory). */
static _Atomic Py_ssize_t stray_blocks;

/* The arena table, in chunks that never move, since pools point into it. */
#define ARENA_CHUNK_BITS 10
#define ARENA_CHUNK (1u << ARENA_CHUNK_BITS)
#define ARENA_CHUNKS 4096u /* 4 Mi arenas, 4 TiB */
static struct arena *arena_chunks[ARENA_CHUNKS];
static uint32_t arena_slots;
static struct arena *unused_arenas;
static size_t arenas_allocated_total;
static size_t arenas_current;
static size_t arenas_highwater;

/* The address map: 15 + 15 + 14 bits of addr >> 20. */
#define MAP_TOP_BITS 15
#define MAP_MID_BITS 15
#define MAP_BOT_BITS (64 - ARENA_BITS - MAP_TOP_BITS - MAP_MID_BITS)
#define MAP_TOP_INDEX(a) ((a) >> (ARENA_BITS + MAP_MID_BITS + MAP_BOT_BITS))
#define MAP_MID_INDEX(a)                                                                 \
    (((a) >> (ARENA_BITS + MAP_BOT_BITS)) & ((1u << MAP_MID_BITS) - 1))
#define MAP_BOT_INDEX(a) (((a) >> ARENA_BITS) & ((1u << MAP_BOT_BITS) - 1))

/* One 1 MiB slot, read in one load: the low half is tail_lo, the end of an
 * arena that began in the slot below (it covers [0, tail_lo)); the high
 * half is ARENA_SIZE - tail_hi, where tail_hi is the start of an arena
 * that covers [tail_hi, ARENA_SIZE).  Zero means no such arena in either
 * half, so fresh nodes need no initialisation, and an offset t is in an
 * arena when t < tail_lo or t + high half >= ARENA_SIZE. */
typedef _Atomic uint64_t map_slot;
struct map_bot {
    map_slot slots[1u << MAP_BOT_BITS];
};
struct map_mid {
    _Atomic(struct map_bot *) bots[1u << MAP_MID_BITS];
};
static _Atomic(struct map_mid *) map_root[1u << MAP_TOP_BITS];
static size_t map_mid_count;
static size_t map_bot_count;

/* ---- Small helpers ---- */

static inline unsigned class_size(unsigned idx)
{
    return (idx + 1) << ALIGNMENT_SHIFT;
}

static inline unsigned blocks_per_pool(unsigned idx)
{
    return (unsigned)((POOL_SIZE - POOL_OVERHEAD) / class_size(idx));
}

static inline struct pool *pool_of(const void *p)
{
    return (struct pool *)((uintptr_t)p & ~(POOL_SIZE - 1));
}

static inline unsigned pool_class(const struct pool *pool)
{
    return atomic_load_explicit(&pool->szidx, memory_order_relaxed);
}

static inline uint32_t pool_count(const struct pool *pool)
{
    return atomic_load_explicit(&pool->count, memory_order_relaxed);
}

/* Single-writer updates: a plain load and store, atomic only so that the
 * statistics may read them from another thread. */
static inline void pool_count_set(struct pool *pool, uint32_t n)
{
    atomic_store_explicit(&pool->count, n, memory_order_relaxed);
}

static inline void counter_add(_Atomic Py_ssize_t *c, Py_ssize_t d)
{
    atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + d,
                          memory_order_relaxed);
}

static inline uintptr_t first_pool_address(uintptr_t arena_base)
{
    return (arena_base + POOL_SIZE - 1) & ~(POOL_SIZE - 1);
}

/* ---- Address map ---- */

static inline const map_slot *map_find(uintptr_t a)
{
    struct map_mid *mid =
        atomic_load_explicit(&map_root[MAP_TOP_INDEX(a)], memory_order_acquire);
    if (mid == NULL)
        return NULL;
    struct map_bot *bot =
        atomic_load_explicit(&mid->bots[MAP_MID_INDEX(a)], memory_order_acquire);
    return bot == NULL ? NULL : &bot->slots[MAP_BOT_INDEX(a)];
}

static inline bool address_in_range(const void *p)
{
    uintptr_t a = (uintptr_t)p;
    const map_slot *slot = map_find(a);
    if (slot == NULL)
        return false;
    uint64_t v = atomic_load_explicit(slot, memory_order_relaxed);
    uint64_t tail = a & (ARENA_SIZE - 1);
    return (tail < (uint32_t)v) | ((tail + (v >> 32)) >= ARENA_SIZE);
}

bool pymemcheck_pymalloc_owns(const void *p)
{
    return address_in_range(p);
}

/* Under the lock.  Returns the slot for a, creating its nodes. */
static map_slot *map_find_or_make(uintptr_t a)
{
    _Atomic(struct map_mid *) *mid_ref = &map_root[MAP_TOP_INDEX(a)];
    struct map_mid *mid = atomic_load_explicit(mid_ref, memory_order_relaxed);
    if (mid == NULL) {
        if ((mid = calloc(1, sizeof *mid)) == NULL)
            return NULL;
        atomic_store_explicit(mid_ref, mid, memory_order_release);
        map_mid_count++;
    }
    _Atomic(struct map_bot *) *bot_ref = &mid->bots[MAP_MID_INDEX(a)];
    struct map_bot *bot = atomic_load_explicit(bot_ref, memory_order_relaxed);
    if (bot == NULL) {
        if ((bot = calloc(1, sizeof *bot)) == NULL)
            return NULL;
        atomic_store_explicit(bot_ref, bot, memory_order_release);
        map_bot_count++;
    }
    return &bot->slots[MAP_BOT_INDEX(a)];
}

static void map_slot_set(map_slot *slot, uint64_t mask, uint64_t bits)
{
    uint64_t v = atomic_load_explicit(slot, memory_order_relaxed);
    atomic_store_explicit(slot, (v & ~mask) | bits, memory_order_relaxed);
}

/* Under the lock.  Marks [base, base + ARENA_SIZE) as pymalloc's or not;
 * fails, marking nothing, only when a node cannot be allocated. */
static bool map_mark(uintptr_t base, bool used)
{
    uint64_t tail = base & (ARENA_SIZE - 1);
    map_slot *hi = map_find_or_make(base);
    map_slot *lo = tail != 0 ? map_find_or_make(base + ARENA_SIZE) : NULL;
    if (hi == NULL || (tail != 0 && lo == NULL))
        return false;
    map_slot_set(hi, UINT64_C(0xffffffff) << 32, used ? (ARENA_SIZE - tail) << 32 : 0);
    if (lo != NULL)
        map_slot_set(lo, UINT64_C(0xffffffff), used ? tail : 0);
    return true;
}

/* ---- Arena table (under the lock) ---- */

static bool arena_table_grow(void)
{
    uint32_t chunk_index = arena_slots >> ARENA_CHUNK_BITS;
    if (chunk_index == ARENA_CHUNKS)
        return false;
    struct arena *chunk = aligned_alloc(_Alignof(struct arena), ARENA_CHUNK * sizeof *chunk);
    if (chunk == NULL)
        return false;
    memset(chunk, 0, ARENA_CHUNK * sizeof *chunk);
    arena_chunks[chunk_index] = chunk;
    for (uint32_t i = ARENA_CHUNK; i-- > 0;) {
        chunk[i].nextarena = unused_arenas;
        unused_arenas = &chunk[i];
    }
    arena_slots += ARENA_CHUNK;
    return true;
}

static void arena_init(struct arena *a, uintptr_t base)
{
    uintptr_t first = first_pool_address(base);
    a->address = base;
    atomic_store_explicit(&a->pool_address, first, memory_order_relaxed);
    a->freepools = NULL;
    a->ntotalpools = (unsigned)((base + ARENA_SIZE - first) / POOL_SIZE);
    a->nfreepools = a->ntotalpools;
    a->nextarena = a->prevarena = NULL;
}

static struct arena *arena_acquire_locked(void)
{
    if (unused_arenas == NULL && !arena_table_grow())
        return NULL;
    void *base = pymemcheck_arena_alloc(ARENA_SIZE);
    if (base == NULL)
        return NULL;
    if (!map_mark((uintptr_t)base, true)) {
        pymemcheck_arena_free(base, ARENA_SIZE);
        return NULL;
    }
    struct arena *a = unused_arenas;
    unused_arenas = a->nextarena;
    arena_init(a, (uintptr_t)base);
    arenas_allocated_total++;
    if (++arenas_current > arenas_highwater)
        arenas_highwater = arenas_current;
    return a;
}

static struct arena *arena_acquire(void)
{
    pthread_mutex_lock(&lock);
    struct arena *a = arena_acquire_locked();
    pthread_mutex_unlock(&lock);
    return a;
}

static void arena_release(struct arena *a)
{
    pthread_mutex_lock(&lock);
    map_mark(a->address, false);
    pymemcheck_arena_free((void *)a->address, ARENA_SIZE);
    a->address = 0;
    a->nextarena = unused_arenas;
    unused_arenas = a;
    arenas_current--;
    pthread_mutex_unlock(&lock);
}

/* ---- A heap's usable arenas, sorted by free pools ---- */

/* a leaves the run of arenas with n free pools: if it was that run's last,
 * its predecessor is, when it belongs to the run. */
static void usable_leave_run(struct heap *h, struct arena *a, unsigned n)
{
    if (h->last_with_free[n] == a)
        h->last_with_free[n] =
            a->prevarena != NULL && a->prevarena->nfreepools == n ? a->prevarena : NULL;
}

static void usable_list_unlink(struct heap *h, struct arena *a)
{
    if (a->prevarena != NULL)
        a->prevarena->nextarena = a->nextarena;
    else
        h->usable = a->nextarena;
    if (a->nextarena != NULL)
        a->nextarena->prevarena = a->prevarena;
    a->nextarena = a->prevarena = NULL;
}

static void usable_remove(struct heap *h, struct arena *a)
{
    usable_leave_run(h, a, a->nfreepools);
    usable_list_unlink(h, a);
}

static void usable_insert_after(struct heap *h, struct arena *prev, struct arena *a)
{
    a->prevarena = prev;
    a->nextarena = prev != NULL ? prev->nextarena : h->usable;
    if (a->nextarena != NULL)
        a->nextarena->prevarena = a;
    if (prev != NULL)
        prev->nextarena = a;
    else
        h->usable = a;
}

/* a gained a free pool (a->nfreepools already counts it): move it behind
 * the arenas that have as many free pools or fewer. */
static void usable_promote(struct heap *h, struct arena *a)
{
    unsigned n = a->nfreepools;
    if (n == 1) {
        /* It was full, so in no list; it is now the emptiest-of-pools. */
        usable_insert_after(h, NULL, a);
        if (h->last_with_free[1] == NULL)
            h->last_with_free[1] = a;
        return;
    }
    struct arena *target = h->last_with_free[n];
    if (target == NULL)
        target = h->last_with_free[n - 1];
    usable_leave_run(h, a, n - 1);
    h->last_with_free[n] = a;
    if (target == a)
        return;
    usable_list_unlink(h, a);
    usable_insert_after(h, target, a);
}

static struct pool *arena_carve_pool(struct heap *h, struct arena *a)
{
    uintptr_t address = atomic_load_explicit(&a->pool_address, memory_order_relaxed);
    struct pool *pool = (struct pool *)address;
    pool_count_set(pool, 0);
    pool->arena = a;
    pool->heap = h;
    atomic_store_explicit(&pool->szidx, NO_SIZE_CLASS, memory_order_relaxed);
    /* Release: the statistics read the header of every pool below. */
    atomic_store_explicit(&a->pool_address, address + POOL_SIZE, memory_order_release);
    return pool;
}

bool pymemcheck_pymalloc_stats_at_new_arena;

/* Before the arena, as CPython: each dump shows the state that made the
 * program need one more (the first, none at all). */
static NOINLINE struct arena *heap_new_arena(struct heap *h)
{
    if (pymemcheck_pymalloc_stats_at_new_arena)
        _PyObject_DebugMallocStats(stderr);
    struct arena *a = arena_acquire();
    if (a == NULL)
        return NULL;
    usable_insert_after(h, NULL, a);
    h->last_with_free[a->nfreepools] = a;
    h->free_arenas_kept++;
    return a;
}

/* A pool from the usable arena with the fewest free pools; a new arena
 * when none has one.  The arena stays first in the list, or leaves it when
 * it has no free pool left. */
static ALWAYS_INLINE struct pool *heap_take_pool(struct heap *h)
{
    struct arena *a = h->usable;
    if (a == NULL && (a = heap_new_arena(h)) == NULL)
        return NULL;
    unsigned n = a->nfreepools;
    if (n == a->ntotalpools)
        h->free_arenas_kept--;
    if (h->last_with_free[n] == a) /* first in the list, so alone in its run */
        h->last_with_free[n] = NULL;
    if (--a->nfreepools == 0)
        usable_list_unlink(h, a);
    else
        h->last_with_free[n - 1] = a; /* everyone after it has n or more */
    struct pool *pool = a->freepools;
    if (pool == NULL)
        return arena_carve_pool(h, a);
    a->freepools = pool->nextpool;
    return pool;
}

/* An arena just became wholly free: keep it if the heap keeps none. */
static NOINLINE void heap_arena_emptied(struct heap *h, struct arena *a)
{
    if (h->free_arenas_kept == 0) {
        h->free_arenas_kept = 1;
        return;
    }
    usable_remove(h, a);
    arena_release(a);
}

static void heap_give_pool(struct heap *h, struct pool *pool)
{
    struct arena *a = pool->arena;
    pool->nextpool = a->freepools;
    a->freepools = pool;
    a->nfreepools++;
    usable_promote(h, a);
    if (a->nfreepools == a->ntotalpools)
        heap_arena_emptied(h, a);
}

/* ---- Pools of a heap ---- */

static void used_push(struct heap *h, struct pool *pool, unsigned idx)
{
    struct pool *head = h->usedpools[idx];
    pool->nextpool = head;
    pool->prevpool = NULL;
    if (head != NULL)
        head->prevpool = pool;
    h->usedpools[idx] = pool;
}

static void used_unlink(struct heap *h, struct pool *pool, unsigned idx)
{
    if (pool->prevpool != NULL)
        pool->prevpool->nextpool = pool->nextpool;
    else
        h->usedpools[idx] = pool->nextpool;
    if (pool->nextpool != NULL)
        pool->nextpool->prevpool = pool->prevpool;
}

/* Make the next never-used block the pool's free list. */
static void pool_carve(struct pool *pool)
{
    unsigned size = class_size(pool_class(pool));
    unsigned offset = pool->nextoffset;
    block *fresh = (block *)pool + offset;
    *(block **)fresh = NULL;
    pool->freeblock = fresh;
    offset += size;
    pool->nextoffset = (uint16_t)(offset <= POOL_SIZE - size ? offset : 0);
}

/* Take the last block on the pool's free list.  Carve another, or, when
 * the pool is used up, take it off the front of the list malloc looks at:
 * in a steady state most pools are full and this runs at every other
 * malloc, so it is kept short. */
static NOINLINE void *pool_take_last(struct heap *h, struct pool *pool)
{
    block *bp = pool->freeblock;
    pool_count_set(pool, pool_count(pool) + 1);
    if (pool->nextoffset != 0) {
        pool_carve(pool);
        return bp;
    }
    pool->freeblock = NULL;
    h->usedpools[pool_class(pool)] = pool->nextpool;
    if (pool->nextpool != NULL)
        pool->nextpool->prevpool = NULL;
    return bp;
}

static inline void *pool_take_block(struct heap *h, struct pool *pool)
{
    block *bp = pool->freeblock;
    block *next = *(block **)bp;
    if (PMC_UNLIKELY(next == NULL))
        return pool_take_last(h, pool);
    pool->freeblock = next;
    pool_count_set(pool, pool_count(pool) + 1);
    return bp;
}

/* A free made a full pool usable again (n > 0) or emptied it. */
static NOINLINE void pool_changed_state(struct heap *h, struct pool *pool, uint32_t n)
{
    unsigned idx = pool_class(pool);
    if (n != 0) {
        /* First in line, so the next malloc of the class reuses it. */
        used_push(h, pool, idx);
        return;
    }
    used_unlink(h, pool, idx);
    heap_give_pool(h, pool);
}

static inline void pool_give_block(struct heap *h, struct pool *pool, block *bp)
{
    block *last = pool->freeblock;
    uint32_t n = pool_count(pool) - 1;
    *(block **)bp = last;
    pool->freeblock = bp;
    pool_count_set(pool, n);
    if (PMC_UNLIKELY(last == NULL || n == 0))
        pool_changed_state(h, pool, n);
}

/* Put an empty pool in service for class idx, whose list is empty, and
 * return its first block.  A pool that last served the same class keeps
 * its free list (of two blocks at least: a pool is born with two carved)
 * and its carving point. */
static ALWAYS_INLINE void *pool_start(struct heap *h, struct pool *pool, unsigned idx)
{
    block *bp;
    pool->nextpool = pool->prevpool = NULL;
    h->usedpools[idx] = pool;
    pool_count_set(pool, 1);
    if (pool_class(pool) == idx) {
        bp = pool->freeblock;
        pool->freeblock = *(block **)bp;
        return bp;
    }
    unsigned size = class_size(idx);
    bp = (block *)pool + POOL_OVERHEAD;
    atomic_store_explicit(&pool->szidx, (uint16_t)idx, memory_order_relaxed);
    pool->freeblock = bp + size;
    *(block **)pool->freeblock = NULL;
    pool->nextoffset = (uint16_t)(POOL_OVERHEAD + 2 * size);
    return bp;
}

/* ---- Remote frees ---- */

static void remote_push(struct heap *owner, block *bp)
{
    block *head = atomic_load_explicit(&owner->remote, memory_order_relaxed);
    do
        *(block **)bp = head;
    while (!atomic_compare_exchange_weak_explicit(
        &owner->remote, &head, bp, memory_order_release, memory_order_relaxed));
}

static NOINLINE void heap_take_remote(struct heap *h)
{
    block *bp = atomic_exchange_explicit(&h->remote, NULL, memory_order_acquire);
    Py_ssize_t n = 0;
    while (bp != NULL) {
        block *next = *(block **)bp;
        pool_give_block(h, pool_of(bp), bp);
        bp = next;
        n++;
    }
    counter_add(&h->remote_taken, n);
}

/* Take back the blocks other threads freed; only h's owner calls this. */
static inline void heap_collect(struct heap *h)
{
    if (atomic_load_explicit(&h->remote, memory_order_relaxed) != NULL)
        heap_take_remote(h);
}

/* ---- Heaps and threads ---- */

static struct heap *heap_create(void)
{
    struct heap *h = aligned_alloc(_Alignof(struct heap), sizeof *h);
    if (h == NULL)
        return NULL;
    memset(h, 0, sizeof *h);
    pthread_mutex_lock(&lock);
    h->next = all_heaps;
    all_heaps = h;
    pthread_mutex_unlock(&lock);
    return h;
}

static struct heap *heap_adopt(void)
{
    pthread_mutex_lock(&lock);
    struct heap *h = orphans;
    if (h != NULL)
        orphans = h->next_orphan;
    pthread_mutex_unlock(&lock);
    return h;
}

static void heap_orphan(struct heap *h)
{
    pthread_mutex_lock(&lock);
    h->next_orphan = orphans;
    orphans = h;
    pthread_mutex_unlock(&lock);
}

/* The wholly free arena a heap keeps against thrashing serves its thread;
 * a heap whose thread is gone gives it back, or every thread that ever ran
 * would leave a MiB mapped (CPython keeps one for the whole process).  Its
 * pools hold no block, so no other thread can be freeing into it. */
static void heap_release_kept_arena(struct heap *h)
{
    if (h->free_arenas_kept == 0)
        return;
    for (struct arena *a = h->usable; a != NULL; a = a->nextarena) {
        if (a->nfreepools == a->ntotalpools) {
            usable_remove(h, a);
            arena_release(a);
            h->free_arenas_kept = 0;
            return;
        }
    }
}

/* The thread-exit destructor.  Frees that run after it (other libraries'
 * destructors) attach a heap again, and the destructor runs again. */
static void heap_detach(void *arg)
{
    struct heap *h = arg;
    heap_collect(h);
    heap_release_kept_arena(h);
    tls_heap = NULL;
    heap_orphan(h);
}

/* A fork can happen while another thread holds the lock; the child must
 * not inherit it held.  The other threads' heaps stay theirs in the child:
 * one may be half-way through an update, so adopting it would be unsafe.
 * The handlers are registered at load (pymemcheck_pymalloc_at_load), not
 * at a thread's first allocation: glibc lets a thread register while
 * another runs fork()'s prepare handlers, and does not run the newcomer's
 * for that fork, so a thread that registered and took the lock then left
 * the child a lock nobody would release (test/runtime/tracer/fork.c hung
 * so, about once in 40 runs, when the tracer's own prepare handler grew
 * slower). */
static void fork_prepare(void)
{
    pthread_mutex_lock(&lock);
}

static void fork_done(void)
{
    pthread_mutex_unlock(&lock);
}

static void heap_key_init(void)
{
    heap_key_ok = pthread_key_create(&heap_key, heap_detach) == 0;
    pthread_atfork(fork_prepare, fork_done, fork_done);
}

void pymemcheck_pymalloc_at_load(void)
{
    pthread_once(&heap_key_once, heap_key_init);
}

static NOINLINE struct heap *heap_attach(void)
{
    pthread_once(&heap_key_once, heap_key_init);
    struct heap *h = heap_adopt();
    if (h == NULL && (h = heap_create()) == NULL)
        return NULL;
    tls_heap = h;
    if (heap_key_ok)
        pthread_setspecific(heap_key, h);
    return h;
}

static inline struct heap *heap_get(void)
{
    struct heap *h = tls_heap;
    return h != NULL ? h : heap_attach();
}

/* ---- Allocation ---- */

/* Counts d blocks that went to (or came back from) the RAW domain. */
static void note_raw_blocks(Py_ssize_t d)
{
    struct heap *h = heap_get();
    if (h != NULL)
        counter_add(&h->raw_blocks, d);
    else
        atomic_fetch_add_explicit(&stray_blocks, d, memory_order_relaxed);
}

static inline bool is_small(size_t n)
{
    return n - 1 < SMALL_REQUEST_THRESHOLD; /* 0 wraps around */
}

static inline size_t size_class(size_t n)
{
    return (n - 1) >> ALIGNMENT_SHIFT;
}

/* A block of class idx when the heap has no pool with one free; NULL when
 * no arena can be had. */
static ALWAYS_INLINE void *heap_malloc_slow(struct heap *h, size_t idx)
{
    heap_collect(h);
    struct pool *pool = h->usedpools[idx];
    if (pool != NULL)
        return pool_take_block(h, pool);
    pool = heap_take_pool(h);
    return pool != NULL ? pool_start(h, pool, (unsigned)idx) : NULL;
}

static NOINLINE void *small_alloc_slow(size_t n)
{
    struct heap *h = heap_get();
    return h != NULL ? heap_malloc_slow(h, size_class(n)) : NULL;
}

/* n in 1..SMALL_REQUEST_THRESHOLD; NULL when no arena can be had. */
static inline void *small_alloc(size_t n)
{
    struct heap *h = tls_heap;
    struct pool *pool = h != NULL ? h->usedpools[size_class(n)] : NULL;
    if (PMC_LIKELY(pool != NULL))
        return pool_take_block(h, pool);
    return small_alloc_slow(n);
}

static void *raw_malloc(size_t n)
{
    void *p = PyMem_RawMalloc(n);
    if (p != NULL)
        note_raw_blocks(1);
    return p;
}

static NOINLINE void *malloc_slow(size_t n)
{
    void *p = is_small(n) ? small_alloc_slow(n) : NULL;
    return p != NULL ? p : raw_malloc(n);
}

static NOINLINE void *malloc_new_pool(struct heap *h, size_t n)
{
    void *p = heap_malloc_slow(h, size_class(n));
    return p != NULL ? p : raw_malloc(n);
}

void *pymemcheck_pymalloc_malloc(void *ctx, size_t size)
{
    (void)ctx;
    /* Written out rather than through small_alloc, so that every way off
     * the fast path is a tail call and the fast path needs no frame. */
    struct heap *h = tls_heap;
    if (PMC_UNLIKELY(!is_small(size)))
        return malloc_slow(size);
    if (PMC_UNLIKELY(h == NULL))
        return malloc_slow(size);
    struct pool *pool = h->usedpools[size_class(size)];
    if (PMC_LIKELY(pool != NULL))
        return pool_take_block(h, pool);
    return malloc_new_pool(h, size);
}

void *pymemcheck_pymalloc_calloc(void *ctx, size_t nelem, size_t elsize)
{
    (void)ctx;
    size_t n = nelem * elsize;
    /* Callers holding the allocator struct skip the entry point's overflow
     * check; an overflowing product goes to RAW, which refuses it. */
    if ((nelem | elsize) >> (sizeof(size_t) * 4) != 0 && elsize != 0 &&
        n / elsize != nelem)
        n = SIZE_MAX;
    if (is_small(n)) {
        void *p = small_alloc(n);
        if (p != NULL)
            return memset(p, 0, n);
    }
    void *p = PyMem_RawCalloc(nelem, elsize);
    if (p != NULL)
        note_raw_blocks(1);
    return p;
}

/* ---- Free ---- */

/* p is in a pool another heap owns, or this thread has no heap yet. */
static NOINLINE void free_elsewhere(struct pool *pool, block *bp)
{
    struct heap *h = heap_get();
    if (pool->heap == h) {
        pool_give_block(h, pool, bp);
        return;
    }
    remote_push(pool->heap, bp);
    if (h != NULL)
        counter_add(&h->remote_pushed, 1);
    else
        atomic_fetch_sub_explicit(&stray_blocks, 1, memory_order_relaxed);
}

static NOINLINE void free_not_ours(void *p)
{
    if (p == NULL)
        return;
    PyMem_RawFree(p);
    note_raw_blocks(-1);
}

void pymemcheck_pymalloc_free(void *ctx, void *p)
{
    (void)ctx;
    /* NULL is never in an arena, so it needs no test of its own here. */
    if (PMC_UNLIKELY(!address_in_range(p))) {
        free_not_ours(p);
        return;
    }
    struct pool *pool = pool_of(p);
    struct heap *h = tls_heap;
    if (PMC_LIKELY(pool->heap == h))
        pool_give_block(h, pool, p);
    else
        free_elsewhere(pool, p);
}

void *pymemcheck_pymalloc_realloc(void *ctx, void *p, size_t size)
{
    if (p == NULL)
        return pymemcheck_pymalloc_malloc(ctx, size);
    /* pymalloc never takes over a block it did not make. */
    if (!address_in_range(p))
        return PyMem_RawRealloc(p, size);
    size_t old = class_size(pool_class(pool_of(p)));
    if (size <= old) {
        /* Shrinking only moves the block when that saves a quarter. */
        if (4 * size > 3 * old)
            return p;
        old = size;
    }
    void *q = pymemcheck_pymalloc_malloc(ctx, size);
    if (q != NULL) {
        memcpy(q, p, old);
        pymemcheck_pymalloc_free(ctx, p);
    }
    return q;
}

/* ---- Statistics ---- */

struct survey {
    size_t arenas;
    size_t free_pools;
    size_t alignment_loss;
    size_t pools[NB_SIZE_CLASSES];
    size_t blocks[NB_SIZE_CLASSES];
    size_t free_blocks[NB_SIZE_CLASSES];
};

static void survey_arena(struct survey *s, const struct arena *a)
{
    uintptr_t first = first_pool_address(a->address);
    uintptr_t end = atomic_load_explicit(&a->pool_address, memory_order_acquire);
    size_t pools_in_use = 0;
    s->arenas++;
    if (first != a->address)
        s->alignment_loss += POOL_SIZE;
    for (uintptr_t address = first; address < end; address += POOL_SIZE) {
        const struct pool *pool = (const struct pool *)address;
        uint32_t count = pool_count(pool);
        unsigned idx = pool_class(pool);
        /* An empty pool is on its arena's free list; a class out of range
         * is a pool its owner is re-initialising right now. */
        if (count == 0 || idx >= NB_SIZE_CLASSES)
            continue;
        unsigned capacity = blocks_per_pool(idx);
        pools_in_use++;
        s->pools[idx]++;
        s->blocks[idx] += count;
        s->free_blocks[idx] += count < capacity ? capacity - count : 0;
    }
    s->free_pools += a->ntotalpools - pools_in_use;
}

/* Under the lock, which keeps arenas from coming and going. */
static void survey_arenas(struct survey *s)
{
    memset(s, 0, sizeof *s);
    for (uint32_t i = 0; i < arena_slots; i++) {
        const struct arena *a =
            &arena_chunks[i >> ARENA_CHUNK_BITS][i & (ARENA_CHUNK - 1)];
        if (a->address != 0)
            survey_arena(s, a);
    }
}

Py_ssize_t pymemcheck_pymalloc_allocated_blocks(void)
{
    struct survey s;
    Py_ssize_t n = atomic_load_explicit(&stray_blocks, memory_order_relaxed);
    pthread_mutex_lock(&lock);
    survey_arenas(&s);
    /* Blocks pushed on a remote list are still counted by their pool. */
    for (const struct heap *h = all_heaps; h != NULL; h = h->next)
        n += atomic_load_explicit(&h->raw_blocks, memory_order_relaxed) -
             atomic_load_explicit(&h->remote_pushed, memory_order_relaxed) +
             atomic_load_explicit(&h->remote_taken, memory_order_relaxed);
    pthread_mutex_unlock(&lock);
    for (unsigned i = 0; i < NB_SIZE_CLASSES; i++)
        n += (Py_ssize_t)s.blocks[i];
    return n;
}

/* Blocks freed into heaps whose threads are gone would show as in use until
 * a thread adopted the heap: take them back now, and this thread's own. */
static void collect_idle_heaps(void)
{
    if (tls_heap != NULL)
        heap_collect(tls_heap);
    pthread_mutex_lock(&lock);
    struct heap *list = orphans;
    orphans = NULL;
    pthread_mutex_unlock(&lock);
    while (list != NULL) {
        struct heap *h = list;
        list = h->next_orphan;
        heap_collect(h);
        heap_orphan(h);
    }
}

/* "label = value" with the value's thousands separated, as CPython. */
static size_t print_one(FILE *out, const char *label, size_t value)
{
    char digits[32];
    char *d = digits + sizeof digits;
    size_t v = value;
    int in_group = 0;
    *--d = '\0';
    do {
        if (in_group++ == 3) {
            *--d = ',';
            in_group = 1;
        }
        *--d = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    fprintf(out, "%-35s=%21s\n", label, d);
    return value;
}

/* Where the bytes of the pools in use go. */
struct pool_bytes {
    size_t allocated, available, headers, quantization;
};

static void print_classes(FILE *out, const struct survey *s, struct pool_bytes *b)
{
    fprintf(out, "Small block threshold = %u, in %u size classes.\n\n",
            SMALL_REQUEST_THRESHOLD, NB_SIZE_CLASSES);
    fputs("class   size   num pools   blocks in use  avail blocks\n"
          "-----   ----   ---------   -------------  ------------\n",
          out);
    for (unsigned i = 0; i < NB_SIZE_CLASSES; i++) {
        size_t size = class_size(i);
        if (s->pools[i] == 0)
            continue;
        fprintf(out, "%5u %6zu %11zu %15zu %13zu\n", i, size, s->pools[i], s->blocks[i],
                s->free_blocks[i]);
        b->allocated += s->blocks[i] * size;
        b->available += s->free_blocks[i] * size;
        b->headers += s->pools[i] * POOL_OVERHEAD;
        b->quantization += s->pools[i] * ((POOL_SIZE - POOL_OVERHEAD) % size);
    }
    fputc('\n', out);
}

static void print_arenas(FILE *out, const struct survey *s, size_t allocated_total,
                         size_t highwater, const struct pool_bytes *b)
{
    char label[64];
    print_one(out, "# arenas allocated total", allocated_total);
    print_one(out, "# arenas reclaimed", allocated_total - s->arenas);
    print_one(out, "# arenas highwater mark", highwater);
    print_one(out, "# arenas allocated current", s->arenas);
    snprintf(label, sizeof label, "%zu arenas * %zu bytes/arena", s->arenas,
             (size_t)ARENA_SIZE);
    print_one(out, label, s->arenas * ARENA_SIZE);
    fputc('\n', out);
    size_t total = print_one(out, "# bytes in allocated blocks", b->allocated);
    total += print_one(out, "# bytes in available blocks", b->available);
    snprintf(label, sizeof label, "%zu unused pools * %zu bytes", s->free_pools,
             (size_t)POOL_SIZE);
    total += print_one(out, label, s->free_pools * POOL_SIZE);
    total += print_one(out, "# bytes lost to pool headers", b->headers);
    total += print_one(out, "# bytes lost to quantization", b->quantization);
    total += print_one(out, "# bytes lost to arena alignment", s->alignment_loss);
    print_one(out, "Total", total);
}

static void print_map(FILE *out, size_t mids, size_t bots)
{
    fputs("\narena map counts\n", out);
    print_one(out, "# arena map mid nodes", mids);
    print_one(out, "# arena map bot nodes", bots);
    fputc('\n', out);
    size_t total = print_one(out, "# bytes lost to arena map root", sizeof map_root);
    total +=
        print_one(out, "# bytes lost to arena map mid", mids * sizeof(struct map_mid));
    total +=
        print_one(out, "# bytes lost to arena map bot", bots * sizeof(struct map_bot));
    print_one(out, "Total", total);
}

void pymemcheck_pymalloc_print_stats(FILE *out)
{
    struct survey s;
    struct pool_bytes bytes = {0, 0, 0, 0};
    collect_idle_heaps();
    pthread_mutex_lock(&lock);
    survey_arenas(&s);
    size_t allocated_total = arenas_allocated_total;
    size_t highwater = arenas_highwater;
    size_t mids = map_mid_count;
    size_t bots = map_bot_count;
    pthread_mutex_unlock(&lock);
    print_classes(out, &s, &bytes);
    print_arenas(out, &s, allocated_total, highwater, &bytes);
    print_map(out, mids, bots);
}
