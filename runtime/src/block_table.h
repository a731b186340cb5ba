/*
 * block_table.h: the side table's layout and its two hot operations,
 * inline (included by tracer.h; block_table.c has the rest and the design).
 *
 * Inline because a traced malloc/free pair is otherwise a chain of calls
 * across files whose prologues and epilogues cost as much as the work, and
 * the budget for the whole record is a few nanoseconds
 * (bench/trace_overhead.c measures it).
 */
#ifndef PYMEMCHECK_BLOCK_TABLE_H
#define PYMEMCHECK_BLOCK_TABLE_H

/* Addresses are cut into 64 KiB regions; a region's leaf holds a small
 * open-addressing table of the blocks that start in it. */
#define PMC_REGION_BITS 16

/* An entry: the block's offset in its region (16 bits), its state (2),
 * family (2), site (18), and 26 bits of "aux": the size of a live block
 * (PMC_AUX_MAX: a big size, kept aside), or the site that freed a freed
 * one.  0 is an empty slot. */
#define PMC_OFFSET_MASK 0xFFFFull
#define PMC_STATE_SHIFT 16
#define PMC_FAMILY_SHIFT 18
#define PMC_SITE_SHIFT 20
#define PMC_AUX_SHIFT 38
#define PMC_AUX_MAX ((1ull << (64 - PMC_AUX_SHIFT)) - 1)

/* The pool geometry pymalloc has on 64-bit platforms, CPython's (3.10
 * and newer) and the standalone library's alike: 16 KiB pools aligned to
 * their size, a 48-byte header, then blocks of one size class, 16 bytes
 * apart, for requests of 1 to 512 bytes.  A region holds four pools. */
#define PMC_POOL_BITS 14
#define PMC_POOL_HEADER 48u
#define PMC_POOL_MAX_REQUEST 512u
#define PMC_POOLS_PER_REGION (1u << (PMC_REGION_BITS - PMC_POOL_BITS))

/* A leaf is used either by its owner, without the lock, or by anyone
 * with the lock (block_table.c, "Owned leaves").  owner and busy are the
 * owner's handshake with a thread that takes the leaf over. */
struct pmc_leaf {
    atomic_uchar lock;
    atomic_uchar busy;          /* the owner is inside an operation */
    uint8_t takeovers;          /* from an owner; past a few, no owner */
    uint8_t shift;              /* log2 of the slot count; 0: no slots yet */
    _Atomic uint32_t owner;     /* the owner's token; 0: none */
    uint32_t used;              /* non-empty slots, tombstones included */
    uint32_t live;              /* live entries of slots */
    uint64_t *slots;
    /* The tables of the region's pools (block_table.c, "Pool tables"):
     * their entries, NULL for none, and each one's state: its block size
     * in 16-byte units (6 bits) and its live entries (10 bits: a pool
     * holds at most 1021 blocks).  Here, so that a pooled insert or free
     * reads this line and the entry's, as the hashed table's do. */
    uint64_t *pool_entries[PMC_POOLS_PER_REGION];
    uint16_t pool_state[PMC_POOLS_PER_REGION];
};

static inline uint64_t pmc_entry(uint32_t offset, enum pmc_found state,
                                 enum pmc_family family, uint32_t site, uint64_t aux)
{
    return offset | (uint64_t)state << PMC_STATE_SHIFT |
           (uint64_t)family << PMC_FAMILY_SHIFT | (uint64_t)site << PMC_SITE_SHIFT |
           aux << PMC_AUX_SHIFT;
}

static inline enum pmc_found pmc_entry_state(uint64_t e)
{
    return (enum pmc_found)((e >> PMC_STATE_SHIFT) & 3);
}

static inline uint64_t pmc_entry_aux(uint64_t e)
{
    return e >> PMC_AUX_SHIFT;
}

/* A live entry made a tombstone that names the site that freed it. */
static inline uint64_t pmc_entry_freed(uint64_t e, uint32_t free_site)
{
    return (e & ((1ull << PMC_AUX_SHIFT) - 1) & ~(3ull << PMC_STATE_SHIFT)) |
           (uint64_t)PMC_FREED << PMC_STATE_SHIFT | (uint64_t)free_site << PMC_AUX_SHIFT;
}

static inline void pmc_entry_decode(uint64_t e, struct pmc_block *out)
{
    out->site = (uint32_t)((e >> PMC_SITE_SHIFT) & PMC_MAX_SITES);
    out->family = (enum pmc_family)((e >> PMC_FAMILY_SHIFT) & 3);
    out->size = pmc_entry_state(e) == PMC_LIVE ? (size_t)pmc_entry_aux(e) : 0;
    out->free_site = pmc_entry_state(e) == PMC_FREED ? (uint32_t)pmc_entry_aux(e) : 0;
}

/* The leaf of a's region: from the thread's cache of the regions it used
 * last (direct-mapped), else through the radix map.  NULL when the region
 * has no leaf (create false) or there is no memory. */
PMC_T_HIDDEN struct pmc_leaf *pmc_leaf_lookup(uintptr_t a, bool create);

/* The cache's slot for a region key.  Hashed, not the key's low bits: the
 * C library's heap and the allocators' mappings sit at addresses that
 * share them, and on the low bits their regions evicted each other.  With
 * bench/workload.c, 64 slots keyed by the low bits missed 7.2% of the
 * lookups of the small live set (41 regions); 64 hashed slots, 5.2%, and
 * 28% of the large one's; 512 hashed slots miss 0.01% and 6.9%. */
static PMC_T_INLINE struct pmc_leaf_cache *pmc_leaf_cache_slot(struct pmc_shard *shard,
                                                                uintptr_t key)
{
    return &shard->leaves[((uint32_t)key * 0x9E3779B1u) >> (32 - PMC_LEAF_CACHE_BITS)];
}

static PMC_T_INLINE struct pmc_leaf *pmc_leaf_of(uintptr_t a, bool create)
{
    uintptr_t key = (a >> PMC_REGION_BITS) + 1;
    struct pmc_shard *shard = pmc_self.shard;
    if (PMC_T_LIKELY(shard != NULL)) {
        const struct pmc_leaf_cache *c = pmc_leaf_cache_slot(shard, key);
        if (PMC_T_LIKELY(c->key == key))
            return c->leaf;
    }
    return pmc_leaf_lookup(a, create);
}

PMC_T_HIDDEN void pmc_leaf_wait(struct pmc_leaf *l);

static PMC_T_INLINE void pmc_leaf_lock(struct pmc_leaf *l)
{
    if (PMC_T_UNLIKELY(atomic_exchange_explicit(&l->lock, 1, memory_order_acquire)))
        pmc_leaf_wait(l);
}

static PMC_T_INLINE void pmc_leaf_unlock(struct pmc_leaf *l)
{
    atomic_store_explicit(&l->lock, 0, memory_order_release);
}

/* This thread's name as a leaf's owner (pmc_self.leaf_token): a small
 * number, unique among live threads, given out by the first takeover or
 * claim; PMC_NO_TOKEN until then, which no leaf's owner field holds. */
PMC_T_HIDDEN uint32_t pmc_leaf_token(void);

/* The way in for everyone but the owner: the lock, taking the leaf from
 * its owner first, or claiming it when it has none (block_table.c). */
PMC_T_HIDDEN void pmc_leaf_enter_locked(struct pmc_leaf *l);

/* ThreadSanitizer follows the lock and busy, but not the ordering that
 * membarrier() makes (the taker's fence, run on the owner's CPU), and
 * reports an owner's record and a taker's as racing although they never
 * overlap (checked with an overlap counter in every entry, over runs of
 * test/runtime/tracer/leaf-takeover.c, which also counts every record).
 * Under it, entering a leaf acquires and leaving releases the leaf's
 * address: the order the handshake makes, told to the tool. */
#if defined(__SANITIZE_THREAD__)
#define PMC_UNDER_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define PMC_UNDER_TSAN 1
#endif
#endif
#ifdef PMC_UNDER_TSAN
void __tsan_acquire(void *addr);
void __tsan_release(void *addr);
#define PMC_LEAF_ENTERED(l) __tsan_acquire(l)
#define PMC_LEAF_LEAVING(l) __tsan_release(l)
#else
#define PMC_LEAF_ENTERED(l) ((void)(l))
#define PMC_LEAF_LEAVING(l) ((void)(l))
#endif

/* Start one operation on l: true when this thread owns l and may go
 * ahead without the lock, false when it took the lock.  The owner's half
 * of the handshake is a plain store and a plain load with only the
 * compiler kept from reordering them; the thread that takes the leaf over
 * pays for both halves (block_table.c, "Owned leaves"). */
static PMC_T_INLINE bool pmc_leaf_enter(struct pmc_leaf *l)
{
    uint32_t me = pmc_self.leaf_token;
    if (PMC_T_LIKELY(atomic_load_explicit(&l->owner, memory_order_relaxed) == me)) {
        atomic_store_explicit(&l->busy, 1, memory_order_relaxed);
        atomic_signal_fence(memory_order_seq_cst);
        if (PMC_T_LIKELY(atomic_load_explicit(&l->owner, memory_order_relaxed) == me)) {
            PMC_LEAF_ENTERED(l);
            return true;
        }
        atomic_store_explicit(&l->busy, 0, memory_order_release);
    }
    pmc_leaf_enter_locked(l);
    PMC_LEAF_ENTERED(l);
    return false;
}

static PMC_T_INLINE void pmc_leaf_leave(struct pmc_leaf *l, bool owned)
{
    PMC_LEAF_LEAVING(l);
    if (owned)
        atomic_store_explicit(&l->busy, 0, memory_order_release);
    else
        pmc_leaf_unlock(l);
}

/* Fibonacci hashing of the offset into the leaf's slots.  Random, not
 * order-preserving: a leaf is at most a few thousand slots, so the region
 * already gives the locality, and order-preserving hashes pile strided
 * blocks (every 4 KiB, say) onto a few slots.  The offset's low 4 bits
 * go first: blocks are 16-byte aligned (pymalloc, the C library), and
 * multiplying offsets that are multiples of 16 by the golden ratio is
 * multiplying their sixteenths by 16 times it, which spreads arithmetic
 * runs of blocks much worse (measured on pymalloc's pools: runs of 140
 * occupied slots at 63% load, against 25 at most with the shift). */
static PMC_T_INLINE uint32_t pmc_leaf_home(uint32_t offset, uint32_t shift)
{
    return ((offset >> 4) * 0x9E3779B1u) >> (32 - shift);
}

/* The slot holding offset, or NULL; when NULL, *spare is where a new
 * entry for offset goes: the first tombstone on its probe path (the
 * oldest record of a freed block gives way, so that tables fill with
 * tombstones, and need rebuilding, only slowly), else the empty slot that
 * ended the probe.  With the leaf entered and slots present. */
static PMC_T_INLINE uint64_t *pmc_leaf_probe(const struct pmc_leaf *l, uint32_t offset,
                                             uint64_t **spare)
{
    uint32_t mask = (1u << l->shift) - 1;
    *spare = NULL;
    for (uint32_t i = pmc_leaf_home(offset, l->shift);; i = (i + 1) & mask) {
        uint64_t e = l->slots[i];
        if ((e & PMC_OFFSET_MASK) == offset && e != 0)
            return &l->slots[i];
        if (e == 0) {
            if (*spare == NULL)
                *spare = &l->slots[i];
            return NULL;
        }
        if (*spare == NULL && pmc_entry_state(e) == PMC_FREED)
            *spare = &l->slots[i];
    }
}

/* The slot holding offset, or NULL.  With the leaf entered.  The probe
 * without a spare slot to look for: the free path's. */
static PMC_T_INLINE uint64_t *pmc_leaf_find(const struct pmc_leaf *l, uint32_t offset)
{
    if (l->shift == 0)
        return NULL;
    uint32_t mask = (1u << l->shift) - 1;
    for (uint32_t i = pmc_leaf_home(offset, l->shift);; i = (i + 1) & mask) {
        uint64_t e = l->slots[i];
        if (e == 0)
            return NULL;
        if ((e & PMC_OFFSET_MASK) == offset)
            return &l->slots[i];
    }
}

/* A table sized for a peak long gone: its live entries fill under 1/32
 * of it.  Small tables are left alone, so that a region going back and
 * forth between no block and a few never rebuilds.  Not sooner: a region
 * emptying rebuilds its table each time this becomes true, scanning the
 * whole table each time; at 1/32 (rebuilt to 3/8 or less, so an eighth of
 * the size or less) the scans of a region emptied add up to about 1.1
 * times its biggest table, where 1/8 cost twice that (a program that
 * empties its data structures and fills them again, as
 * bench/workload.c does each run, paid a tenth of the tracer's cost in
 * these rebuilds). */
#define PMC_SHRINK_MIN_SHIFT 7
static PMC_T_INLINE bool pmc_leaf_too_big(const struct pmc_leaf *l)
{
    return l->shift > PMC_SHRINK_MIN_SHIFT && l->live * 32 < (1u << l->shift);
}

/* Rebuild l at the size its live entries need (with the leaf entered). */
PMC_T_HIDDEN void pmc_leaf_shrink(struct pmc_leaf *l);

/* The general cases of the two operations below: big sizes, a full leaf,
 * a live entry displaced. */
PMC_T_HIDDEN int pmc_table_insert_slow(const void *p, const struct pmc_block *b,
                                       struct pmc_block *displaced);
PMC_T_HIDDEN enum pmc_found pmc_table_free_slow(const void *p, uint32_t free_site,
                                                struct pmc_block *out);

/* The fast case of an insert into the leaf's own table: p's tombstone
 * (the allocator handing out an address it took back, the usual case) or
 * a spare slot, with room.  With the leaf entered. */
static PMC_T_INLINE bool pmc_leaf_put(struct pmc_leaf *l, uint32_t offset, uint64_t e)
{
    uint64_t *spare = NULL;
    uint64_t *slot = l->shift ? pmc_leaf_probe(l, offset, &spare) : NULL;
    if (slot != NULL && pmc_entry_state(*slot) == PMC_FREED) {
        *slot = e;
        l->live++;
        return true;
    }
    if (slot == NULL && spare != NULL &&
        (*spare != 0 || (l->used + 1) * 4 <= (3u << l->shift))) {
        l->used += *spare == 0;
        *spare = e;
        l->live++;
        return true;
    }
    return false;
}

/* Families whose domain's allocator, below the tracer's hook, carves
 * pools of the geometry above (a bit per family; pmc_hooks_allocators_changed
 * keeps it). */
PMC_T_HIDDEN extern _Atomic uint32_t pmc_pooled_families;

/* Whether a block of this family and size comes from a pool of such an
 * allocator, and so goes into its pool's table. */
static PMC_T_INLINE bool pmc_pooled(enum pmc_family family, size_t size)
{
    return family != PMC_LIBC &&
           (atomic_load_explicit(&pmc_pooled_families, memory_order_relaxed) >> family & 1) &&
           size - 1 < PMC_POOL_MAX_REQUEST;
}

/* A pool's block size, in 16-byte units, for a request of size bytes. */
static PMC_T_INLINE uint32_t pmc_pool_units_for(size_t size)
{
    return ((uint32_t)size + 15) >> 4;
}

#define PMC_POOL_UNIT_BITS 6
#define PMC_POOL_ONE_LIVE (1u << PMC_POOL_UNIT_BITS)

static PMC_T_INLINE uint32_t pmc_pool_units(uint16_t state)
{
    return state & (PMC_POOL_ONE_LIVE - 1);
}

static PMC_T_INLINE uint32_t pmc_pool_live(uint16_t state)
{
    return state >> PMC_POOL_UNIT_BITS;
}

/* Each block size's pool geometry, by units - 1. */
struct pmc_pool_class {
    uint32_t reciprocal;        /* ceil(2^32 / size): offset / size by a multiply */
    uint16_t count;             /* blocks in a pool */
};
PMC_T_HIDDEN extern const struct pmc_pool_class pmc_pool_classes[PMC_POOL_MAX_REQUEST / 16];

/* A table's entries are preceded by how many it has room for (a table
 * is made bigger when its pool is carved for smaller blocks, never
 * smaller: block_table.c). */
static PMC_T_INLINE uint32_t pmc_pool_capacity(const uint64_t *entries)
{
    return (uint32_t)entries[-1];
}

/* The entry of the block at offset in a table for blocks of units, or
 * NULL when offset is in the pool's header or its tail, past the last
 * block.  A pointer inside a block gives that block's entry, whose offset
 * then differs from the pointer's. */
static PMC_T_INLINE uint64_t *pmc_pool_index(uint64_t *entries, uint32_t units,
                                             uint32_t offset)
{
    uint32_t at = offset & ((1u << PMC_POOL_BITS) - 1);
    if (at < PMC_POOL_HEADER)
        return NULL;
    const struct pmc_pool_class *c = &pmc_pool_classes[units - 1];
    uint32_t i = (uint32_t)(((uint64_t)(at - PMC_POOL_HEADER) * c->reciprocal) >> 32);
    return i < c->count ? &entries[i] : NULL;
}

/* The entry for offset in its pool's table, or NULL (no table). */
static PMC_T_INLINE uint64_t *pmc_pool_slot(struct pmc_leaf *l, uint32_t offset)
{
    uint32_t q = offset >> PMC_POOL_BITS;
    uint64_t *entries = l->pool_entries[q];
    return entries ? pmc_pool_index(entries, pmc_pool_units(l->pool_state[q]), offset) : NULL;
}

/* What the pool table has for the block at offset: its entry, or 0 when
 * the pool has no table or the entry there names another offset; *slot
 * gets where it is (or NULL). */
static PMC_T_INLINE uint64_t pmc_pool_entry(struct pmc_leaf *l, uint32_t offset,
                                            uint64_t **slot)
{
    *slot = pmc_pool_slot(l, offset);
    return *slot != NULL && (**slot & PMC_OFFSET_MASK) == offset ? **slot : 0;
}

/* The fast case of an insert at an address whose pool has a table
 * (whatever the block's family: only a pool allocator's block can be
 * there while the pool lives, and a table left from a pool given back
 * stays consistent, block_table.c "Pool tables"): the table is of this
 * block size or, empty, big enough to take it (its entries of the old
 * size, all tombstones, stay: each names its block's offset, so none is
 * taken for a block of the new size but the first, at offset 48 in every
 * size, which this insert overwrites), and the block's entry is not live.
 * pymalloc carves an emptied pool for whichever size asks next: a thread
 * that allocates one block at a time of varied sizes has its pool carved
 * again at every allocation.  A block that a realloc kept (kept) never
 * tells a new size (pmc_table_insert_kept).  With the leaf entered. */
static PMC_T_INLINE bool pmc_pool_put(struct pmc_leaf *l, uint32_t offset, size_t size,
                                      uint64_t e, bool kept)
{
    uint32_t q = offset >> PMC_POOL_BITS;
    uint64_t *entries = l->pool_entries[q];
    uint32_t units = pmc_pool_units_for(size);
    uint16_t state = l->pool_state[q];
    if (PMC_T_UNLIKELY(pmc_pool_units(state) != units)) {
        if (kept || pmc_pool_live(state) != 0 ||
            pmc_pool_capacity(entries) < pmc_pool_classes[units - 1].count)
            return false;
        state = (uint16_t)units;
    }
    uint64_t *slot = pmc_pool_index(entries, units, offset);
    if (PMC_T_UNLIKELY(slot == NULL || pmc_entry_state(*slot) == PMC_LIVE))
        return false;
    *slot = e;
    l->pool_state[q] = (uint16_t)(state + PMC_POOL_ONE_LIVE);
    return true;
}

/* Record p when it is the fast case: a region that has a leaf with room,
 * and p's own tombstone (the allocator handing out an address it took
 * back, the usual case) or a spare slot.  False when nothing was done and
 * the general case must run.  The record's fields are passed one by one:
 * a struct whose address went to the general case would be built on the
 * stack before the fast case could tell it was not needed.  kept: the
 * block is one a realloc kept where it was (pmc_pool_put). */
static PMC_T_INLINE bool pmc_table_insert_fast(const void *p, size_t size, uint32_t site,
                                               enum pmc_family family, bool kept)
{
    uintptr_t a = (uintptr_t)p;
    struct pmc_leaf *l = pmc_leaf_of(a, false);
    if (PMC_T_UNLIKELY(l == NULL || size >= PMC_AUX_MAX))
        return false;
    uint32_t offset = (uint32_t)(a & PMC_OFFSET_MASK);
    uint64_t e = pmc_entry(offset, PMC_LIVE, family, site, size);
    bool owned = pmc_leaf_enter(l);
    bool done;
    if (size - 1 < PMC_POOL_MAX_REQUEST && l->pool_entries[offset >> PMC_POOL_BITS] != NULL)
        done = pmc_pool_put(l, offset, size, e, kept);
    else
        done = !pmc_pooled(family, size) && pmc_leaf_put(l, offset, e);
    pmc_leaf_leave(l, owned);
    return done;
}

/* Record p.  Returns 0, 1 when a live entry at p was replaced (its block
 * was freed by code the tracer does not see: its record is in *displaced),
 * or -1 when there is no memory for the record. */
static PMC_T_INLINE int pmc_table_insert(const void *p, const struct pmc_block *b,
                                         struct pmc_block *displaced)
{
    if (pmc_table_insert_fast(p, b->size, b->site, b->family, false))
        return 0;
    return pmc_table_insert_slow(p, b, displaced);
}

/* Not an entry (its state bits are 0): what pmc_table_free_entry returns
 * when the general case must run, pmc_table_free_slow. */
#define PMC_ENTRY_SLOW 1ull

/* Mark p freed at free_site, when it is live.  Returns the entry that was
 * there: 0 for none, a live entry (now marked freed), a freed one (left
 * as it was), or PMC_ENTRY_SLOW (nothing done: a big size).  The record
 * of a free reads the entry straight from the register. */
static PMC_T_INLINE uint64_t pmc_table_free_entry(const void *p, uint32_t free_site)
{
    uintptr_t a = (uintptr_t)p;
    struct pmc_leaf *l = pmc_leaf_of(a, false);
    if (PMC_T_UNLIKELY(l == NULL))
        return 0;
    bool owned = pmc_leaf_enter(l);
    uint32_t offset = (uint32_t)(a & PMC_OFFSET_MASK);
    uint64_t *in_pool;
    uint64_t pe = pmc_pool_entry(l, offset, &in_pool);
    if (PMC_T_LIKELY(pmc_entry_state(pe) == PMC_LIVE)) {
        *in_pool = pmc_entry_freed(pe, free_site);
        l->pool_state[offset >> PMC_POOL_BITS] -= PMC_POOL_ONE_LIVE;
        pmc_leaf_leave(l, owned);
        return pe;
    }
    /* Not live in a pool table: the leaf's own table, whose live entry
     * wins over a pool table's tombstone (the address was a pool's once,
     * and is the C library's now), and so does its tombstone (of the two
     * frees, either may be the later; only a double free's "already freed
     * at" can tell them apart). */
    uint64_t *slot = pmc_leaf_find(l, offset);
    uint64_t e = slot ? *slot : pe;
    if (PMC_T_LIKELY(pmc_entry_state(e) == PMC_LIVE)) {
        if (PMC_T_UNLIKELY(pmc_entry_aux(e) == PMC_AUX_MAX)) {
            pmc_leaf_leave(l, owned);
            return PMC_ENTRY_SLOW;
        }
        *slot = pmc_entry_freed(e, free_site);
        l->live--;
        if (PMC_T_UNLIKELY(pmc_leaf_too_big(l)))
            pmc_leaf_shrink(l);
    }
    pmc_leaf_leave(l, owned);
    return e;
}

static PMC_T_INLINE enum pmc_family pmc_entry_family(uint64_t e)
{
    return (enum pmc_family)((e >> PMC_FAMILY_SHIFT) & 3);
}

/* Whether e is a live block of family: state and family are side by side,
 * so one compare tells. */
static PMC_T_INLINE bool pmc_entry_is_live_of(uint64_t e, enum pmc_family family)
{
    return ((e >> PMC_STATE_SHIFT) & 0xF) ==
           ((uint64_t)PMC_LIVE | (uint64_t)family << (PMC_FAMILY_SHIFT - PMC_STATE_SHIFT));
}

static PMC_T_INLINE uint32_t pmc_entry_site(uint64_t e)
{
    return (uint32_t)((e >> PMC_SITE_SHIFT) & PMC_MAX_SITES);
}

/* Mark p freed at free_site.  Returns what was there; *out gets the record
 * (for PMC_LIVE and PMC_FREED).  Only a PMC_LIVE entry changes. */
static PMC_T_INLINE enum pmc_found pmc_table_free(const void *p, uint32_t free_site,
                                                  struct pmc_block *out)
{
    uint64_t e = pmc_table_free_entry(p, free_site);
    if (PMC_T_UNLIKELY(e == PMC_ENTRY_SLOW))
        return pmc_table_free_slow(p, free_site, out);
    if (e == 0)
        return PMC_ABSENT;
    pmc_entry_decode(e, out);
    return pmc_entry_state(e);
}

#endif /* PYMEMCHECK_BLOCK_TABLE_H */
