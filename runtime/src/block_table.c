/*
 * block_table.c: the side table, address -> (site, size, family).
 *
 * This is the tracer's hot path, and a pointer-keyed global hash table is
 * the wrong shape for it: at a million live blocks each insert and erase
 * misses the cache (40-85 ns a pair, reference/tracing-performance.md §5),
 * and one table needs one lock or atomics on every slot.  Instead:
 *
 *  - A radix map on the address.  Addresses are cut into 64 KiB regions;
 *    each region has a leaf, which holds a small open-addressing table of
 *    the blocks that start in it.  Consecutive allocations come from the
 *    same pool or heap chunk, so they hit the same leaf, whose table is a
 *    few KiB and stays in cache; a leaf holds at most a few thousand
 *    entries (64 KiB / 16-byte blocks), so even a random probe inside it
 *    stays near.  4096 consecutive leaves form a "mid" node (256 MiB of
 *    address space); mids are found through a small hash of the address's
 *    top bits, so any 64-bit address works, not only x86-64's 47 bits.
 *
 *  - Leaves owned by a thread, else a spinlock per leaf ("Owned leaves"
 *    below).  Threads allocate in regions of their own (pymalloc's pools
 *    belong to a thread's heap; the C library gives each thread an arena),
 *    so the thread that works in a leaf is nearly always the same one, and
 *    it works there without any atomic read-modify-write.
 *
 *  - 8-byte entries: the block's offset in its region (16 bits), a state
 *    (live or freed: 2 bits), the family (2), the site id (18) and 26 bits
 *    of size.  Tables are kept between 3/8 and 3/4 full, so a live block
 *    costs 11 to 21 bytes of table.  Sizes of 64 MiB and more escape to a
 *    separate, locked list (such blocks are few, and their memset dwarfs
 *    the lookup).
 *
 *  - Blocks of a pool allocator whose geometry is known (pymalloc's) go
 *    into a table per pool instead, indexed by the block's number, with no
 *    hash and no probe ("Pool tables" below): 8 bytes per block the pool
 *    holds.
 *
 *  - A freed block's entry stays as a tombstone carrying the site that
 *    freed it, until its slot is needed: a second free of the same address
 *    finds it and is reported as a double free with both sites.  Tables
 *    are rebuilt without tombstones when they fill up, so this is best
 *    effort, like any quarantine.
 *
 * Leaves, mids and the big-size list are never taken from a traced
 * allocator (tracer_memory.c).  Mids are never freed, so lookups of a mid
 * need no lock.
 */
#include "tracer.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <string.h>

#if defined(__linux__)
#include <linux/membarrier.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

enum {
    LEAF_BITS = 12,
    SPAN_SHIFT = PMC_REGION_BITS + LEAF_BITS,
    SPAN_SLOTS = 4096,
    MIN_SHIFT = 3,              /* 8 slots: one cache line */
};

#define SIZE_ESCAPE PMC_AUX_MAX

static inline uint32_t offset_of(uintptr_t a)
{
    return (uint32_t)(a & PMC_OFFSET_MASK);
}

/* ---- Big sizes: blocks whose size does not fit in 26 bits ---- */

struct big {
    uintptr_t address;
    size_t size;
};

static pthread_mutex_t big_lock = PTHREAD_MUTEX_INITIALIZER;
static struct big *bigs;
static size_t bigs_used, bigs_room;

static struct big *big_find(uintptr_t a)
{
    for (size_t i = 0; i < bigs_used; i++)
        if (bigs[i].address == a)
            return &bigs[i];
    return NULL;
}

static bool big_set(uintptr_t a, size_t size)
{
    pthread_mutex_lock(&big_lock);
    struct big *b = big_find(a);
    if (b == NULL && bigs_used == bigs_room) {
        size_t room = bigs_room ? bigs_room * 2 : 64;
        struct big *more = pmc_mem_alloc(room * sizeof *more);
        if (more != NULL) {
            if (bigs_used)
                memcpy(more, bigs, bigs_used * sizeof *more);
            pmc_mem_free(bigs, bigs_room * sizeof *bigs);
            bigs = more;
            bigs_room = room;
        }
    }
    if (b == NULL && bigs_used < bigs_room)
        b = &bigs[bigs_used++];
    if (b != NULL) {
        b->address = a;
        b->size = size;
    }
    pthread_mutex_unlock(&big_lock);
    return b != NULL;
}

/* The big size recorded for a, removed from the list. */
static size_t big_take(uintptr_t a)
{
    pthread_mutex_lock(&big_lock);
    struct big *b = big_find(a);
    size_t size = b ? b->size : 0;
    if (b != NULL)
        *b = bigs[--bigs_used];
    pthread_mutex_unlock(&big_lock);
    return size;
}

/* A live entry for b at a; false when a big size cannot be kept. */
static bool live_entry(uintptr_t a, const struct pmc_block *b, uint64_t *e)
{
    uint64_t aux = b->size;
    if (b->size >= SIZE_ESCAPE) {
        if (!big_set(a, b->size))
            return false;
        aux = SIZE_ESCAPE;
    }
    *e = pmc_entry(offset_of(a), PMC_LIVE, b->family, b->site, aux);
    return true;
}

/* Decode an entry leaving the table's live set, taking its big size. */
static void decode_leaving(uintptr_t a, uint64_t e, struct pmc_block *out)
{
    pmc_entry_decode(e, out);
    if (pmc_entry_state(e) == PMC_LIVE && pmc_entry_aux(e) == SIZE_ESCAPE)
        out->size = big_take(a);
}

/* ---- The radix map ---- */

struct mid {
    struct pmc_leaf leaves[1 << LEAF_BITS];
};
/* A leaf is a cache line, aligned as one (a mid is a mapping of its own,
 * 256 KiB, past the blocks tracer_memory.c carves from its regions). */
_Static_assert(sizeof(struct pmc_leaf) == 64, "a leaf is a cache line");

struct span {
    _Atomic uint64_t key;       /* (address >> SPAN_SHIFT) + 1; 0: empty */
    _Atomic(struct mid *) mid;
};

static struct span spans[SPAN_SLOTS];
static pthread_mutex_t span_lock = PTHREAD_MUTEX_INITIALIZER;

static inline uint32_t span_hash(uint64_t key)
{
    return (uint32_t)((key * 0x9E3779B97F4A7C15ull) >> 52);
}

static struct mid *find_span(uint64_t key, bool create)
{
    for (uint32_t i = span_hash(key), n = 0; n < SPAN_SLOTS;
         i = (i + 1) & (SPAN_SLOTS - 1), n++) {
        uint64_t k = atomic_load_explicit(&spans[i].key, memory_order_acquire);
        if (k == key)
            return atomic_load_explicit(&spans[i].mid, memory_order_relaxed);
        if (k != 0)
            continue;
        if (!create)
            return NULL;
        struct mid *mid = pmc_mem_alloc(sizeof *mid);
        if (mid != NULL) {
            atomic_store_explicit(&spans[i].mid, mid, memory_order_relaxed);
            atomic_store_explicit(&spans[i].key, key, memory_order_release);
        }
        return mid;
    }
    return NULL;
}

/* Mids are never freed, so a leaf pointer stays valid for the life of the
 * process, and the threads' caches of leaves need no invalidation. */
struct pmc_leaf *pmc_leaf_lookup(uintptr_t a, bool create)
{
    uint64_t key = ((uint64_t)a >> SPAN_SHIFT) + 1;
    struct mid *mid = find_span(key, false);
    if (mid == NULL && create) {
        pthread_mutex_lock(&span_lock);
        mid = find_span(key, true);
        pthread_mutex_unlock(&span_lock);
    }
    if (mid == NULL)
        return NULL;
    struct pmc_leaf *l =
        &mid->leaves[((uint64_t)a >> PMC_REGION_BITS) & ((1u << LEAF_BITS) - 1)];
    uintptr_t region = (a >> PMC_REGION_BITS) + 1;
    if (pmc_self.shard != NULL)
        *pmc_leaf_cache_slot(pmc_self.shard, region) = (struct pmc_leaf_cache){region, l};
    return l;
}

/* ---- Leaves ---- */

static void spin(unsigned *n)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
    if (++*n % 64 == 0)
        sched_yield();
}

void pmc_leaf_wait(struct pmc_leaf *l)
{
    unsigned n = 0;
    do {
        while (atomic_load_explicit(&l->lock, memory_order_relaxed))
            spin(&n);
    } while (atomic_exchange_explicit(&l->lock, 1, memory_order_acquire));
}

/* ---- Owned leaves ----
 *
 * An uncontended atomic exchange costs about 6 ns here in a tight loop,
 * and every record took one: a traced pair is 5 to 7 ns cheaper without
 * (docs/performance.md, "Leaves without a lock").  So a leaf has an owner, the
 * first thread to take its lock, which from then on goes in and out with
 * a plain store and a plain load: busy = 1, then check that it still owns
 * the leaf (pmc_leaf_enter).  Every other thread takes the lock, and when
 * the leaf has an owner, takes it over: owner = 0, then wait for busy to
 * be 0.  The two halves are Dekker's: each side stores, then loads what
 * the other stored, which needs a full fence between them on both sides.
 * The owner's side has none (only the compiler's): the taker makes the
 * owner's fence for it with membarrier(), which runs one on every CPU
 * running a thread of the process before it returns.  After it, either
 * the owner's busy = 1 is visible to the taker, who waits for the owner
 * to finish, or the owner's check sees owner = 0 and it takes the lock.
 *
 * A takeover costs a system call (microseconds), so it must be rare: a
 * leaf taken over TAKEOVERS_MAX times (blocks passed between threads: a
 * producer and a consumer) gets no owner again, and every thread takes
 * its lock, as with no owners at all.  Without membarrier (not Linux, a
 * kernel older than 4.14, a seccomp filter that refuses it) no leaf ever
 * gets an owner.  Clearing the table and fork() take every leaf
 * from its owner, with one membarrier for all, and do not count. */
enum { TAKEOVERS_MAX = 2 };

enum fences { FENCES_UNKNOWN, FENCES_ON, FENCES_OFF };
static _Atomic int fences = FENCES_UNKNOWN;

/* Whether membarrier can make the owners' fences: asked once, since a
 * process must register before its first expedited call. */
static bool fences_on(void)
{
    int f = atomic_load_explicit(&fences, memory_order_relaxed);
    if (PMC_T_LIKELY(f != FENCES_UNKNOWN))
        return f == FENCES_ON;
    bool on = false;
#if defined(__linux__) && defined(SYS_membarrier)
    int saved = errno;
    on = syscall(SYS_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0) == 0;
    errno = saved;
#endif
    atomic_store_explicit(&fences, on ? FENCES_ON : FENCES_OFF, memory_order_relaxed);
    return on;
}

/* A full fence on every thread of the process.  Only called once fences_on
 * said yes: registered, the call cannot fail (its errors are an unknown
 * command and a missing registration), and a registration is not undone
 * (a forked child asks again: pmc_table_forked_child). */
static void fence_everywhere(void)
{
#if defined(__linux__) && defined(SYS_membarrier)
    int saved = errno;
    syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0);
    errno = saved;
#endif
}

/* Owner tokens.  A thread's token goes back to a pool when it exits, for
 * the next thread to take: programs replace threads (a pool's workers),
 * and the new thread then owns the leaves the old one left, without a
 * takeover, as it usually inherits its C library arena too.  The pool is
 * bounded; tokens that do not fit are not reused (there are 2^32). */
enum { POOLED_TOKENS = 1024 };

static pthread_mutex_t token_lock = PTHREAD_MUTEX_INITIALIZER;
static uint32_t pooled_tokens[POOLED_TOKENS];
static uint32_t pooled, next_token = 1;
static pthread_key_t token_key;
static pthread_once_t token_key_once = PTHREAD_ONCE_INIT;

static void give_back_token(void *unused)
{
    (void)unused;
    pthread_mutex_lock(&token_lock);
    if (pooled < POOLED_TOKENS)
        pooled_tokens[pooled++] = pmc_self.leaf_token;
    pthread_mutex_unlock(&token_lock);
    pmc_self.leaf_token = PMC_NO_TOKEN;
}

static void make_token_key(void)
{
    pthread_key_create(&token_key, give_back_token);
}

uint32_t pmc_leaf_token(void)
{
    if (PMC_T_LIKELY(pmc_self.leaf_token != PMC_NO_TOKEN))
        return pmc_self.leaf_token;
    pthread_once(&token_key_once, make_token_key);
    pthread_mutex_lock(&token_lock);
    uint32_t token = pooled ? pooled_tokens[--pooled] : next_token++;
    pthread_mutex_unlock(&token_lock);
    pmc_self.leaf_token = token;
    /* Any non-NULL value: the key's destructor runs only for those. */
    pthread_setspecific(token_key, &pmc_self);
    return token;
}

/* With l's lock held.  Returns whether l had an owner (now none); the
 * caller then makes the owner's fence and waits for it (wait_idle). */
static bool drop_owner(struct pmc_leaf *l)
{
    if (atomic_load_explicit(&l->owner, memory_order_relaxed) == 0)
        return false;
    atomic_store_explicit(&l->owner, 0, memory_order_relaxed);
    return true;
}

/* Acquire: what the owner wrote before leaving is visible here. */
static void wait_idle(struct pmc_leaf *l)
{
    unsigned n = 0;
    while (atomic_load_explicit(&l->busy, memory_order_acquire))
        spin(&n);
    PMC_LEAF_ENTERED(l);
}

void pmc_leaf_enter_locked(struct pmc_leaf *l)
{
    pmc_leaf_lock(l);
    /* An owner is never this thread: only a thread in here claims, and for
     * itself. */
    if (drop_owner(l)) {
        fence_everywhere();
        wait_idle(l);
        l->takeovers += l->takeovers < TAKEOVERS_MAX;
    } else if (l->takeovers < TAKEOVERS_MAX && fences_on()) {
        atomic_store_explicit(&l->owner, pmc_leaf_token(), memory_order_relaxed);
    }
}

static void put(uint64_t *slots, uint32_t shift, uint64_t e)
{
    uint32_t mask = (1u << shift) - 1;
    uint32_t i = pmc_leaf_home((uint32_t)(e & PMC_OFFSET_MASK), shift);
    while (slots[i] != 0)
        i = (i + 1) & mask;
    slots[i] = e;
}

/* Put old's live entries into slots (2^shift of them, zeroed), then its
 * tombstones while slots are under half full.  Returns how many it put. */
static uint32_t refill(uint64_t *slots, uint32_t shift, const uint64_t *old, uint32_t old_cap,
                       bool tombstones)
{
    uint32_t used = 0;
    for (uint32_t i = 0; i < old_cap; i++) {
        if (pmc_entry_state(old[i]) == PMC_LIVE) {
            put(slots, shift, old[i]);
            used++;
        }
    }
    for (uint32_t i = 0; tombstones && i < old_cap && used * 2 < (1u << shift); i++) {
        if (pmc_entry_state(old[i]) == PMC_FREED) {
            put(slots, shift, old[i]);
            used++;
        }
    }
    return used;
}

/* Tables up to this many slots are rebuilt at the same size in place,
 * through a copy on the stack (2 KiB), without the tracer's memory lock. */
enum { IN_PLACE_MAX = 256 };

/* Rebuild the leaf's table with 2^shift slots, keeping its live entries
 * and tombstones while it is under half full.  False without memory. */
static bool rebuild(struct pmc_leaf *l, uint32_t shift)
{
    uint32_t cap = l->shift ? 1u << l->shift : 0;
    bool tombstones = l->used > l->live;
    if (shift == l->shift && cap <= IN_PLACE_MAX) {
        uint64_t old[IN_PLACE_MAX];
        memcpy(old, l->slots, sizeof(uint64_t) * cap);
        memset(l->slots, 0, sizeof(uint64_t) * cap);
        l->used = refill(l->slots, shift, old, cap, tombstones);
        return true;
    }
    uint64_t *slots = pmc_mem_alloc(sizeof(uint64_t) << shift);
    if (slots == NULL)
        return false;
    uint32_t used = refill(slots, shift, l->slots, cap, tombstones);
    if (cap != 0)
        pmc_mem_free(l->slots, sizeof(uint64_t) << l->shift);
    l->slots = slots;
    l->shift = shift;
    l->used = used;
    return true;
}

/* The size the live entries need: load 3/8 or less. */
static uint32_t live_shift(const struct pmc_leaf *l)
{
    uint32_t shift = MIN_SHIFT;
    while (((uint64_t)l->live + 1) * 8 > (3ull << shift))
        shift++;
    return shift;
}

/* The size a table full of entries gets: what its live entries need, but
 * never smaller than it is, and a small table full of tombstones doubles
 * up to TOMBSTONE_ROOM_SHIFT.  A region that holds a few live blocks while
 * its allocator hands out ever other addresses there (a thread's C
 * library cache cycling through its size classes) fills its table with
 * tombstones; sized for its live entries alone, the table was rebuilt
 * every other insert, each time taking the tracer's memory lock to swap
 * a 64-byte table for another, and two threads doing so paid 160 to 230
 * ns a malloc/free pair instead of 22.  Now it is rebuilt in place, at
 * most every quarter of its size in inserts. */
enum { TOMBSTONE_ROOM_SHIFT = 6 };

static uint32_t room_shift(const struct pmc_leaf *l)
{
    uint32_t shift = live_shift(l);
    if (shift < l->shift)
        shift = l->shift;
    if (shift == l->shift && shift < TOMBSTONE_ROOM_SHIFT)
        shift++;
    return shift;
}

/* Memory follows the live set down as well as up: without this, a region
 * keeps the table of its busiest moment for the life of the process (and
 * a program whose allocator moves to new regions keeps them all). */
void pmc_leaf_shrink(struct pmc_leaf *l)
{
    rebuild(l, live_shift(l));
}

/* Room for one more entry.  Past 3/4 the table is rebuilt; when that fails
 * the tracer keeps going until only one empty slot is left (a probe must
 * always end on one). */
static bool make_room(struct pmc_leaf *l)
{
    uint32_t cap = l->shift ? 1u << l->shift : 0;
    if ((l->used + 1) * 4 <= cap * 3)
        return true;
    return rebuild(l, room_shift(l)) || l->used + 2 <= cap;
}

/* ---- Pool tables ----
 *
 * pymalloc's blocks are most of what a Python program or a C extension
 * allocates, and their addresses are arithmetic: a pool is 16 KiB
 * aligned to its size, its blocks all of one size after a 48-byte header
 * (block_table.h).  So a block's number in its pool is its offset divided
 * by the block size, and its entry can be found without a hash or a probe:
 * each of a leaf's four pools may have a table of its own, an entry per
 * block, indexed by that number.  The entries are the same as the leaf
 * table's, with the block's offset in them, so a pointer that is not a
 * block's start is told apart; the pool table is the tracer's, found from
 * the address like the rest of the side table, never a header in or beside
 * the block.  Against the leaf's hashed table, an insert and a free skip
 * the hash, the probe's loop and its mispredicted branches, and the
 * rebuilds, and touch as many cache lines (the leaf's, which holds each
 * pool table's size and count, and the entry's); an entry costs 8 bytes
 * per block the pool can hold, live or not, where the hashed table costs
 * 11 to 21 per live block.
 *
 * Tables are made only for blocks known to be a pool's: the block's
 * family has a domain whose allocator below the tracer is such a pool
 * allocator (pmc_seam_pool_allocator: pymalloc, the standalone library's
 * or CPython's), the request was of 1 to 512 bytes, and the allocator's
 * own address map says the block is in a pool where it can tell
 * (pmc_seam_pool_block: pymalloc falls back to the RAW domain when it
 * cannot get an arena).  Once a pool has a table, nothing else can be at
 * its addresses while it lives, so a block of 1 to 512 bytes there goes
 * into the table without asking its family; and a pool's arena is only
 * given back once its blocks are all freed, so what a table left behind
 * holds is tombstones, which a free that finds a live entry in the leaf's
 * table passes over.  Whatever lands in such a table later is still
 * found where it was put (entries name their offsets; two blocks that
 * would share an entry send the second to the leaf's table): a table is
 * a container keyed by address, and only its memory is at stake.
 *
 * A pool that empties can be carved again for another size.  Its table
 * takes the new size at the first insert of it, growing if it must (it
 * never shrinks); a table that still holds live entries then (frees the
 * tracer did not see) moves them into the leaf's table first, so that
 * nothing is lost.  Tables are kept while their leaf lives (until the
 * tracer restarts), like the pools they mirror. */

_Atomic uint32_t pmc_pooled_families;

#define POOL_CLASS(n)                                                          \
    {(uint32_t)(((1ull << 32) + 16 * (n) - 1) / (16 * (n))),                   \
     (uint16_t)(((1u << PMC_POOL_BITS) - PMC_POOL_HEADER) / (16 * (n)))}
#define POOL_CLASSES_8(n)                                                      \
    POOL_CLASS(n), POOL_CLASS(n + 1), POOL_CLASS(n + 2), POOL_CLASS(n + 3),    \
        POOL_CLASS(n + 4), POOL_CLASS(n + 5), POOL_CLASS(n + 6), POOL_CLASS(n + 7)
const struct pmc_pool_class pmc_pool_classes[PMC_POOL_MAX_REQUEST / 16] = {
    POOL_CLASSES_8(1), POOL_CLASSES_8(9), POOL_CLASSES_8(17), POOL_CLASSES_8(25),
};
#undef POOL_CLASSES_8
#undef POOL_CLASS

/* A table's memory: its capacity, then its entries. */
static size_t pool_table_bytes(uint32_t capacity)
{
    return sizeof(uint64_t) * (1 + (size_t)capacity);
}

static void pool_table_free(uint64_t *entries)
{
    pmc_mem_free(entries - 1, pool_table_bytes(pmc_pool_capacity(entries)));
}

/* Move the live entries of pool q's table into the leaf's table.  False
 * when it cannot get room there: the pool's table then keeps the rest. */
static bool pool_evict(struct pmc_leaf *l, uint32_t q)
{
    uint64_t *entries = l->pool_entries[q];
    uint32_t count = pmc_pool_classes[pmc_pool_units(l->pool_state[q]) - 1].count;
    for (uint32_t i = 0; i < count && pmc_pool_live(l->pool_state[q]) != 0; i++) {
        if (pmc_entry_state(entries[i]) != PMC_LIVE)
            continue;
        if (!make_room(l))
            return false;
        put(l->slots, l->shift, entries[i]);
        l->used++;
        l->live++;
        entries[i] = 0;
        l->pool_state[q] -= PMC_POOL_ONE_LIVE;
    }
    return true;
}

/* Give pool q, which has no table or one for another size, a table for
 * blocks of units (16 bytes each): made, or set to the new size for a
 * pool carved again (pmc_pool_put does that itself for an empty table big
 * enough).  False without memory.
 *
 * A table is only made bigger, never smaller or anew: a thread that
 * allocates one block at a time of many sizes (bench/trace_overhead.c's
 * "pair" on a thread with nothing else live) has its pool carved again on
 * every allocation, and remaking its table each time took 40 ns a pair
 * more on one thread and nearly 500 on two (the tracer's memory lock, and
 * the mappings given back). */
static bool pool_table_for(struct pmc_leaf *l, uint32_t q, uint32_t units)
{
    uint64_t *entries = l->pool_entries[q];
    if (entries != NULL && !pool_evict(l, q))
        return false;
    uint16_t count = pmc_pool_classes[units - 1].count;
    if (entries == NULL || pmc_pool_capacity(entries) < count) {
        uint64_t *made = pmc_mem_alloc(pool_table_bytes(count));
        if (made == NULL)
            return false;
        made[0] = count;
        if (entries != NULL)
            pool_table_free(entries);
        l->pool_entries[q] = made + 1;
    }
    l->pool_state[q] = (uint16_t)units;
    return true;
}

/* The general case of a pooled insert (pmc_pool_put's): the pool has no
 * table yet or one for another size, or the block's entry is live (its
 * free was not seen).  False when the block must go into the leaf's own
 * table instead: not in a pool after all, or no memory for the table. */
static bool pool_insert(struct pmc_leaf *l, uintptr_t a, uint64_t e, size_t size,
                        struct pmc_block *displaced, int *result)
{
    uint32_t offset = offset_of(a), q = offset >> PMC_POOL_BITS;
    uint32_t units = pmc_pool_units_for(size);
    if (l->pool_entries[q] == NULL || pmc_pool_units(l->pool_state[q]) != units) {
        if (!pmc_seam_pool_block((const void *)a) || !pool_table_for(l, q, units))
            return false;
    }
    uint64_t *slot = pmc_pool_index(l->pool_entries[q], units, offset);
    if (slot == NULL)
        return false;
    if (pmc_entry_state(*slot) == PMC_LIVE) {
        /* Another address's block there: p is not at a block's start in
         * this pool (the address was the pool's once, and is the C
         * library's now).  Its own: its free was not seen. */
        if ((*slot & PMC_OFFSET_MASK) != offset)
            return false;
        decode_leaving(a, *slot, displaced);
        *result = 1;
    } else {
        l->pool_state[q] += PMC_POOL_ONE_LIVE;
    }
    *slot = e;
    return true;
}

/* ---- Operations: the general cases ---- */

/* An insert into the leaf's own table (with the leaf entered); returns as
 * pmc_table_insert. */
static int leaf_insert(struct pmc_leaf *l, uintptr_t a, const struct pmc_block *b,
                       struct pmc_block *displaced)
{
    int result = 0;
    uint64_t e;
    uint64_t *slot = pmc_leaf_find(l, offset_of(a));
    if (slot != NULL && pmc_entry_state(*slot) == PMC_LIVE) {
        /* Freed by code the tracer does not see (a libc block freed by an
         * untraced free()), and handed out again. */
        decode_leaving(a, *slot, displaced);
        result = 1;
    }
    if (!live_entry(a, b, &e)) {
        result = -1;
    } else if (slot != NULL) {
        if (pmc_entry_state(*slot) == PMC_FREED)
            l->live++;
        *slot = e;
    } else if (make_room(l)) {
        put(l->slots, l->shift, e);
        l->used++;
        l->live++;
    } else {
        if (pmc_entry_aux(e) == SIZE_ESCAPE)
            big_take(a);
        result = -1;
    }
    return result;
}

/* A pool's block size is learnt from the requests it serves, and a table
 * takes a new one when a request of another size comes to a pool with no
 * live block: the pool was emptied and carved again.  A realloc that keeps
 * its block breaks that rule.  pymalloc keeps a block that shrinks by less
 * than a quarter, or grows within its size class: 90 bytes (a 96-byte
 * block) reallocated to 77 (an 80-byte request) stays where it is, and
 * the realloc has recorded the block freed just before, so that the pool
 * may look empty.  Taken for a pool carved again, the table was made one
 * for 80-byte blocks, its live entries moved out, and later records found
 * at the wrong entries: a correct program got false double frees, and
 * frees held back.  So a kept block goes into its pool's table only when
 * the table is one for the request's size; else into the leaf's own
 * table, and the pool's table keeps its size (one whose pool has no table
 * too, which would be made for the request's size). */
static bool kept_in_pool_table(const struct pmc_leaf *l, uintptr_t a, size_t size)
{
    uint32_t q = offset_of(a) >> PMC_POOL_BITS;
    return l->pool_entries[q] != NULL && size - 1 < PMC_POOL_MAX_REQUEST &&
           pmc_pool_units(l->pool_state[q]) == pmc_pool_units_for(size);
}

/* The general insert: into a pool's table when the block belongs there,
 * else (or when that fails) into the leaf's own. */
static int insert(const void *p, const struct pmc_block *b, struct pmc_block *displaced,
                  bool kept)
{
    uintptr_t a = (uintptr_t)p;
    struct pmc_leaf *l = pmc_leaf_lookup(a, true);
    if (l == NULL)
        return -1;
    int result = 0;
    bool owned = pmc_leaf_enter(l);
    bool to_pool = kept ? kept_in_pool_table(l, a, b->size) : pmc_pooled(b->family, b->size);
    if (!to_pool ||
        !pool_insert(l, a, pmc_entry(offset_of(a), PMC_LIVE, b->family, b->site, b->size),
                     b->size, displaced, &result))
        result = leaf_insert(l, a, b, displaced);
    pmc_leaf_leave(l, owned);
    return result;
}

int pmc_table_insert_slow(const void *p, const struct pmc_block *b,
                          struct pmc_block *displaced)
{
    return insert(p, b, displaced, false);
}

int pmc_table_insert_kept(const void *p, const struct pmc_block *b,
                          struct pmc_block *displaced)
{
    return insert(p, b, displaced, true);
}

enum pmc_found pmc_table_free_slow(const void *p, uint32_t free_site, struct pmc_block *out)
{
    uintptr_t a = (uintptr_t)p;
    struct pmc_leaf *l = pmc_leaf_lookup(a, false);
    if (l == NULL)
        return PMC_ABSENT;
    bool owned = pmc_leaf_enter(l);
    uint64_t *slot = pmc_leaf_find(l, offset_of(a));
    enum pmc_found was = slot ? pmc_entry_state(*slot) : PMC_ABSENT;
    if (was == PMC_LIVE || was == PMC_FREED)
        decode_leaving(a, *slot, out);
    if (was == PMC_LIVE) {
        *slot = pmc_entry_freed(*slot, free_site);
        l->live--;
        if (pmc_leaf_too_big(l))
            pmc_leaf_shrink(l);
    }
    pmc_leaf_leave(l, owned);
    return was;
}

/* The dump runs on the way to abort(), maybe while another thread holds
 * this leaf's lock or is inside it as its owner (or this thread was
 * interrupted there): wait a little, then read without it.  Slots are
 * never unmapped while a table is in use (tracer_memory.c recycles them),
 * so a racing read can be stale but cannot fault.  The lookup avoids the
 * thread's leaf cache, which a signal handler must not write. */
enum pmc_found pmc_table_peek(const void *p, struct pmc_block *out)
{
    uintptr_t a = (uintptr_t)p;
    struct mid *mid = find_span(((uint64_t)a >> SPAN_SHIFT) + 1, false);
    if (mid == NULL)
        return PMC_ABSENT;
    struct pmc_leaf *l = &mid->leaves[(a >> PMC_REGION_BITS) & ((1u << LEAF_BITS) - 1)];
    bool locked = false;
    for (int i = 0; i < 1000 && !locked; i++)
        locked = !atomic_exchange_explicit(&l->lock, 1, memory_order_acquire);
    if (locked && drop_owner(l)) {
        fence_everywhere();
        for (int i = 0; i < 1000 && atomic_load_explicit(&l->busy, memory_order_acquire); i++)
            continue;
    }
    /* As pmc_table_free_entry looks. */
    uint32_t offset = offset_of(a);
    uint64_t *in_pool;
    uint64_t pe = pmc_pool_entry(l, offset, &in_pool);
    uint64_t *slot = pmc_entry_state(pe) == PMC_LIVE ? in_pool : pmc_leaf_find(l, offset);
    uint64_t e = slot ? *slot : pe;
    enum pmc_found was = pmc_entry_state(e);
    if (was != PMC_ABSENT)
        pmc_entry_decode(e, out);
    if (locked)
        pmc_leaf_unlock(l);
    return was;
}

/* ---- Every leaf ---- */

static void for_each_leaf(void (*fn)(struct pmc_leaf *))
{
    for (int i = 0; i < SPAN_SLOTS; i++) {
        if (atomic_load_explicit(&spans[i].key, memory_order_acquire) == 0)
            continue;
        struct mid *mid = atomic_load_explicit(&spans[i].mid, memory_order_relaxed);
        for (int j = 0; j < (1 << LEAF_BITS); j++)
            fn(&mid->leaves[j]);
    }
}

static void lock_and_drop_owner(struct pmc_leaf *l)
{
    pmc_leaf_lock(l);
    drop_owner(l);
}

/* Every leaf locked and taken from its owner, with one fence for all. */
static void lock_every_leaf(void)
{
    for_each_leaf(lock_and_drop_owner);
    if (atomic_load_explicit(&fences, memory_order_relaxed) == FENCES_ON)
        fence_everywhere();
    for_each_leaf(wait_idle);
}

static void unlock_leaf(struct pmc_leaf *l)
{
    PMC_LEAF_LEAVING(l);
    pmc_leaf_unlock(l);
}

static void clear_leaf(struct pmc_leaf *l)
{
    if (l->shift != 0)
        pmc_mem_free(l->slots, sizeof(uint64_t) << l->shift);
    for (uint32_t q = 0; q < PMC_POOLS_PER_REGION; q++) {
        if (l->pool_entries[q] != NULL)
            pool_table_free(l->pool_entries[q]);
        l->pool_entries[q] = NULL;
        l->pool_state[q] = 0;
    }
    l->slots = NULL;
    l->shift = 0;
    l->used = 0;
    l->live = 0;
    l->takeovers = 0;
    unlock_leaf(l);
}

void pmc_table_clear(void)
{
    lock_every_leaf();
    for_each_leaf(clear_leaf);
    pthread_mutex_lock(&big_lock);
    bigs_used = 0;
    pthread_mutex_unlock(&big_lock);
}

/* fork() while another thread holds a leaf, or is inside one it owns,
 * would leave the child with a lock nobody releases and a table half
 * updated: the fork handlers hold every lock across the fork, in the order
 * the tracer takes them (a leaf, then the big list or tracer_memory's
 * lock), with every leaf taken from its owner. */
void pmc_table_lock_all(void)
{
    pthread_mutex_lock(&span_lock);
    lock_every_leaf();
    pthread_mutex_lock(&big_lock);
    pthread_mutex_lock(&token_lock);
}

void pmc_table_unlock_all(void)
{
    pthread_mutex_unlock(&token_lock);
    pthread_mutex_unlock(&big_lock);
    for_each_leaf(unlock_leaf);
    pthread_mutex_unlock(&span_lock);
}

/* The child is a new process: its membarrier registration, if the kernel
 * carries one over, is not the parent's to rely on; ask again. */
void pmc_table_forked_child(void)
{
    atomic_store_explicit(&fences, FENCES_UNKNOWN, memory_order_relaxed);
}
