/*
 * sites.c: call sites, interned into small integer ids.
 *
 * A site is (file, line, api): the file and line a rewritten call passes
 * its trace entry point, and the catalog row it replaced.  Every traced
 * allocation asks for its site's id, so the common case (a site seen
 * before) must be a few loads: first the thread's memo (tracer.h,
 * pmc_site_of_call), then a lock-free open-addressing table keyed by the
 * caller's file *pointer*, line and api.  The compiler makes one
 * string literal per translation unit, so the same file reached from two
 * objects (a header's inline function) has two pointers: a miss in the
 * fast table goes, under a mutex, to a second table keyed by the file's
 * *contents*, so both pointers get the same id.  The file name is copied
 * into the tracer's memory, so a site outlives the library whose literal
 * named it.
 *
 * The fast table only grows: a bigger one is filled and published, and the
 * old one stays mapped for readers still probing it (the old ones together
 * are smaller than the new one).
 */
#include "tracer.h"

#include <pthread.h>
#include <string.h>

const struct pmc_api_info pmc_apis[PMC_API_COUNT] = {
#define PYMEMCHECK_CALL(Name, Family, Operation, NeedsThreadState, TraceName)  \
    [PMC_API_##Name] = {#Name, PMC_##Family, PMC_OP_##Operation},
#include "pymemcheck/calls.def"
};

/* ---- Site records ---- */

static struct pmc_chunked records;
static _Atomic uint32_t next_id = 1;
uint32_t pmc_site_unknown_ids[PMC_API_COUNT];

const struct pmc_site *pmc_site_get(uint32_t id)
{
    return pmc_chunked_get(&records, id, sizeof(struct pmc_site));
}

uint32_t pmc_site_end(void)
{
    return atomic_load_explicit(&next_id, memory_order_acquire);
}

/* pmc_sites_init interns them first, so they are ids 1 to this one. */
uint32_t pmc_site_unknown_last(void)
{
    uint32_t last = 0;
    for (int api = 0; api < PMC_API_COUNT; api++)
        last = pmc_site_unknown_ids[api] > last ? pmc_site_unknown_ids[api] : last;
    return last;
}

/* ---- The fast table: (file pointer, line, api) -> id, lock-free reads ---- */

/* Published whole: a reader sees a table and its slots as they were. */
struct pmc_fast_slot {
    const char *file;
    int line;
    uint32_t api;
    _Atomic uint32_t id;        /* published last; 0: empty */
};
struct pmc_fast_table {
    uint32_t mask;
    uint32_t used;
    struct pmc_fast_slot slots[];
};
static _Atomic(struct pmc_fast_table *) fast_table;

/* Every bit of the key sits low enough to reach the bits the table
 * indexes by (32 and up of the product: a multiplication carries bits
 * upward only).  With api at bit 56, as it once was, the untraced sites
 * (file NULL, line 0) all hashed to slot 0, and the traced sites whose
 * slots fell in that run of two dozen probed through it on every call. */
static uint32_t fast_hash(const char *file, int line, enum pmc_api api)
{
    uint64_t key = ((uint64_t)(uintptr_t)file >> 3) ^ ((uint64_t)(uint32_t)line << 24) ^
                   ((uint64_t)api << 8);
    return (uint32_t)((key * 0x9E3779B97F4A7C15ull) >> 32);
}

static uint32_t mix(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    return (uint32_t)h;
}

static uint32_t fast_find(const struct pmc_fast_table *t, const char *file, int line,
                          enum pmc_api api)
{
    for (uint32_t i = fast_hash(file, line, api) & t->mask;; i = (i + 1) & t->mask) {
        const struct pmc_fast_slot *s = &t->slots[i];
        uint32_t id = atomic_load_explicit(&s->id, memory_order_acquire);
        if (id == 0)
            return 0;
        if (s->file == file && s->line == line && s->api == (uint32_t)api)
            return id;
    }
}

/* Called with the lock held and room in t. */
static void fast_put(struct pmc_fast_table *t, const char *file, int line,
                     enum pmc_api api, uint32_t id)
{
    uint32_t i = fast_hash(file, line, api) & t->mask;
    while (atomic_load_explicit(&t->slots[i].id, memory_order_relaxed) != 0)
        i = (i + 1) & t->mask;
    struct pmc_fast_slot *s = &t->slots[i];
    s->file = file;
    s->line = line;
    s->api = (uint32_t)api;
    atomic_store_explicit(&s->id, id, memory_order_release);
    t->used++;
}

static size_t fast_bytes(uint32_t slots)
{
    return sizeof(struct pmc_fast_table) + (size_t)slots * sizeof(struct pmc_fast_slot);
}

/* Keep the load at most 1/2.  Returns false without memory. */
static bool fast_make_room(void)
{
    struct pmc_fast_table *t = atomic_load_explicit(&fast_table, memory_order_relaxed);
    if (t != NULL && (t->used + 1) * 2 <= t->mask + 1)
        return true;
    uint32_t slots = t == NULL ? 1024 : (t->mask + 1) * 2;
    struct pmc_fast_table *bigger = pmc_mem_alloc(fast_bytes(slots));
    if (bigger == NULL)
        return false;
    bigger->mask = slots - 1;
    for (uint32_t i = 0; t != NULL && i <= t->mask; i++) {
        struct pmc_fast_slot *s = &t->slots[i];
        uint32_t id = atomic_load_explicit(&s->id, memory_order_relaxed);
        if (id != 0)
            fast_put(bigger, s->file, s->line, s->api, id);
    }
    atomic_store_explicit(&fast_table, bigger, memory_order_release);
    return true;
}

/* ---- Tables under the lock: open addressing, load at most 1/2 ---- */

/* The content and file-name tables differ only in their slots, so one
 * table serves both.  A slot begins with its key's hash, all that moving it
 * to a bigger table needs; occupied() tells a filled slot from the zeroes
 * pmc_mem_alloc gives. */
struct table {
    void *slots;
    uint32_t mask, used;
    uint32_t first_slots;       /* how many the first allocation has */
    size_t slot_size;
    bool (*occupied)(const void *slot);
};

static void *slot_at(const struct table *t, uint32_t i)
{
    return (char *)t->slots + (size_t)i * t->slot_size;
}

static uint32_t slot_hash(const void *slot)
{
    uint32_t h;
    memcpy(&h, slot, sizeof h);
    return h;
}

/* The slot with hash h that equal() says holds key, or NULL. */
static void *table_find(const struct table *t, uint32_t h,
                        bool (*equal)(const void *slot, const void *key), const void *key)
{
    for (uint32_t i = h & t->mask; t->slots != NULL; i = (i + 1) & t->mask) {
        void *s = slot_at(t, i);
        if (!t->occupied(s))
            return NULL;
        if (slot_hash(s) == h && equal(s, key))
            return s;
    }
    return NULL;
}

/* Copies slot, whose key t does not hold, into t.  Needs room in t. */
static void table_put(struct table *t, const void *slot)
{
    uint32_t i = slot_hash(slot) & t->mask;
    while (t->occupied(slot_at(t, i)))
        i = (i + 1) & t->mask;
    memcpy(slot_at(t, i), slot, t->slot_size);
    t->used++;
}

/* Room for one more slot: the load stays at most 1/2, so probes are short
 * and always end at an empty slot.  Returns false without memory. */
static bool table_make_room(struct table *t)
{
    if (t->slots != NULL && (t->used + 1) * 2 <= t->mask + 1)
        return true;
    uint32_t slots = t->slots == NULL ? t->first_slots : (t->mask + 1) * 2;
    struct table bigger = *t;
    bigger.slots = pmc_mem_alloc(slots * t->slot_size);
    if (bigger.slots == NULL)
        return false;
    bigger.mask = slots - 1;
    bigger.used = 0;
    for (uint32_t i = 0; t->slots != NULL && i <= t->mask; i++)
        if (t->occupied(slot_at(t, i)))
            table_put(&bigger, slot_at(t, i));
    pmc_mem_free(t->slots, (t->mask + 1) * t->slot_size);
    *t = bigger;
    return true;
}

/* ---- The content table: (file contents, line, api) -> id, under lock ---- */

struct content_slot {
    uint32_t hash;
    uint32_t id;                /* 0: empty */
};

struct content_key {
    const char *file;
    int line;
    enum pmc_api api;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static bool content_occupied(const void *slot)
{
    return ((const struct content_slot *)slot)->id != 0;
}

static struct table content = {.first_slots = 1024,
                               .slot_size = sizeof(struct content_slot),
                               .occupied = content_occupied};

static uint32_t content_hash(const char *file, int line, enum pmc_api api)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (const char *c = file ? file : ""; *c; c++)
        h = (h ^ (unsigned char)*c) * 1099511628211ull;
    return mix(h + (uint64_t)(uint32_t)line * 0x9E3779B1u + (uint64_t)api * 977u +
               (file == NULL));
}

static bool same_file(const char *a, const char *b)
{
    return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static bool content_equal(const void *slot, const void *key)
{
    const struct content_key *k = key;
    const struct pmc_site *s = pmc_site_get(((const struct content_slot *)slot)->id);
    return s->line == k->line && s->api == k->api && same_file(s->file, k->file);
}

static uint32_t content_find(const char *file, int line, enum pmc_api api, uint32_t h)
{
    const struct content_slot *s =
        table_find(&content, h, content_equal, &(struct content_key){file, line, api});
    return s != NULL ? s->id : 0;
}

/* ---- File names: contents -> the tracer's copy, under lock ---- */

struct file_slot {
    uint32_t hash;
    const char *copy;           /* NULL: empty */
};

static uint32_t file_hash(const char *file)
{
    return content_hash(file, 0, (enum pmc_api)0);
}

static bool file_occupied(const void *slot)
{
    return ((const struct file_slot *)slot)->copy != NULL;
}

static bool file_equal(const void *slot, const void *key)
{
    return strcmp(((const struct file_slot *)slot)->copy, key) == 0;
}

static struct table files = {.first_slots = 256,
                             .slot_size = sizeof(struct file_slot),
                             .occupied = file_occupied};

/* The tracer's copy of a file name, shared by every site of the file, so
 * that a site outlives the string literal that named it.  NULL without
 * memory. */
static const char *copy_file(const char *file)
{
    uint32_t h = file_hash(file);
    const struct file_slot *found = table_find(&files, h, file_equal, file);
    if (found != NULL)
        return found->copy;
    if (!table_make_room(&files))
        return NULL;
    size_t n = strlen(file) + 1;
    char *copy = pmc_mem_alloc(n);
    if (copy == NULL)
        return NULL;
    memcpy(copy, file, n);
    table_put(&files, &(struct file_slot){h, copy});
    return copy;
}

/* Called with the lock held: a brand-new site.  0 without memory or ids. */
static uint32_t create(const char *file, int line, enum pmc_api api, uint32_t h)
{
    uint32_t id = atomic_load_explicit(&next_id, memory_order_relaxed);
    if (id > PMC_MAX_SITES || !table_make_room(&content))
        return 0;
    struct pmc_site *s = pmc_chunked_ensure(&records, id, sizeof *s);
    const char *copy = file != NULL ? copy_file(file) : NULL;
    if (s == NULL || (file != NULL && copy == NULL) || pmc_stats_prepare_site(id) < 0)
        return 0;
    s->file = copy;
    s->line = line;
    s->api = api;
    atomic_store_explicit(&s->fault_rule, pmc_faults_match(copy, line),
                          memory_order_relaxed);
    table_put(&content, &(struct content_slot){h, id});
    atomic_store_explicit(&next_id, id + 1, memory_order_release);
    return id;
}

static PMC_T_NOINLINE uint32_t intern_slow(const char *file, int line, enum pmc_api api)
{
    pthread_mutex_lock(&lock);
    struct pmc_fast_table *t = atomic_load_explicit(&fast_table, memory_order_relaxed);
    uint32_t id = t ? fast_find(t, file, line, api) : 0;
    if (id == 0) {
        uint32_t h = content_hash(file, line, api);
        id = content_find(file, line, api, h);
        if (id == 0)
            id = create(file, line, api, h);
        if (id != 0 && fast_make_room())
            fast_put(atomic_load_explicit(&fast_table, memory_order_relaxed), file, line,
                     api, id);
    }
    pthread_mutex_unlock(&lock);
    return id;
}

/* Lock-free when the triple was seen before, which is every call but the
 * first at a site. */
static uint32_t intern(const char *file, int line, enum pmc_api api)
{
    struct pmc_fast_table *t = atomic_load_explicit(&fast_table, memory_order_acquire);
    uint32_t id = t ? fast_find(t, file, line, api) : 0;
    if (id == 0)
        id = intern_slow(file, line, api);
    return id != 0 ? id : pmc_site_unknown_ids[api];
}

uint32_t pmc_site_remember(const char *file, int line, enum pmc_api api)
{
    uint32_t id = intern(file, line, api);
    struct pmc_shard *shard = pmc_self.shard;
    if (shard != NULL && id > pmc_site_unknown_last()) {
        struct pmc_site_memo *m = pmc_site_memo_slot(shard, line, api);
        m->file = file;
        m->key = pmc_site_memo_key(line, api);
        m->id = id;
    }
    return id;
}

int pmc_sites_init(void)
{
    for (int api = 0; api < PMC_API_COUNT; api++) {
        if (pmc_site_unknown_ids[api] != 0)
            continue;
        uint32_t id = intern_slow(NULL, 0, (enum pmc_api)api);
        if (id == 0)
            return -1;
        pmc_site_unknown_ids[api] = id;
    }
    return 0;
}

void pmc_sites_refresh_faults(void)
{
    pthread_mutex_lock(&lock);
    uint32_t end = atomic_load_explicit(&next_id, memory_order_relaxed);
    for (uint32_t id = 1; id < end; id++) {
        struct pmc_site *s = pmc_chunked_get(&records, id, sizeof *s);
        atomic_store_explicit(&s->fault_rule, pmc_faults_match(s->file, s->line),
                              memory_order_relaxed);
    }
    pthread_mutex_unlock(&lock);
}

void pmc_sites_lock(void)
{
    pthread_mutex_lock(&lock);
}

void pmc_sites_unlock(void)
{
    pthread_mutex_unlock(&lock);
}
