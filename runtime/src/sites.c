/*
 * sites.c: call sites, interned into small integer ids.
 *
 * A site is (file, line, api): the file and line a rewritten call passes
 * its trace entry point, and the catalog row it replaced.  Every traced
 * allocation asks for its site's id, so the common case (a site seen
 * before) must be a few loads: a lock-free open-addressing table keyed by
 * the caller's file *pointer*, line and api.  The compiler makes one
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
static uint32_t unknown_ids[PMC_API_COUNT];

const struct pmc_site *pmc_site_get(uint32_t id)
{
    return pmc_chunked_get(&records, id, sizeof(struct pmc_site));
}

uint32_t pmc_site_end(void)
{
    return atomic_load_explicit(&next_id, memory_order_acquire);
}

uint32_t pmc_site_unknown(enum pmc_api api)
{
    return unknown_ids[api];
}

/* pmc_sites_init interns them first, so they are ids 1 to this one. */
uint32_t pmc_site_unknown_last(void)
{
    uint32_t last = 0;
    for (int api = 0; api < PMC_API_COUNT; api++)
        last = unknown_ids[api] > last ? unknown_ids[api] : last;
    return last;
}

/* ---- The fast table: (file pointer, line, api) -> id, lock-free reads ---- */

_Atomic(struct pmc_fast_table *) pmc_sites_fast;

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
    for (uint32_t i = pmc_fast_hash(file, line, api) & t->mask;; i = (i + 1) & t->mask) {
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
    uint32_t i = pmc_fast_hash(file, line, api) & t->mask;
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
    struct pmc_fast_table *t = atomic_load_explicit(&pmc_sites_fast, memory_order_relaxed);
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
    atomic_store_explicit(&pmc_sites_fast, bigger, memory_order_release);
    return true;
}

/* ---- The content table: (file contents, line, api) -> id, under lock ---- */

struct content_slot {
    uint32_t hash;
    uint32_t id;                /* 0: empty */
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct content_slot *content;
static uint32_t content_mask, content_used;

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

static uint32_t content_find(const char *file, int line, enum pmc_api api, uint32_t h)
{
    for (uint32_t i = h & content_mask; content != NULL; i = (i + 1) & content_mask) {
        if (content[i].id == 0)
            return 0;
        const struct pmc_site *s = pmc_site_get(content[i].id);
        if (content[i].hash == h && s->line == line && s->api == api &&
            same_file(s->file, file))
            return content[i].id;
    }
    return 0;
}

static void content_put(struct content_slot *table, uint32_t mask, uint32_t h,
                        uint32_t id)
{
    uint32_t i = h & mask;
    while (table[i].id != 0)
        i = (i + 1) & mask;
    table[i].hash = h;
    table[i].id = id;
}

static bool content_make_room(void)
{
    if (content != NULL && (content_used + 1) * 2 <= content_mask + 1)
        return true;
    uint32_t slots = content == NULL ? 1024 : (content_mask + 1) * 2;
    struct content_slot *bigger = pmc_mem_alloc(slots * sizeof *bigger);
    if (bigger == NULL)
        return false;
    for (uint32_t i = 0; content != NULL && i <= content_mask; i++)
        if (content[i].id != 0)
            content_put(bigger, slots - 1, content[i].hash, content[i].id);
    pmc_mem_free(content, (content_mask + 1) * sizeof *content);
    content = bigger;
    content_mask = slots - 1;
    return true;
}

/* ---- File names: contents -> the tracer's copy, under lock ---- */

struct file_slot {
    uint32_t hash;
    const char *copy;           /* NULL: empty */
};

static struct file_slot *files;
static uint32_t files_mask, files_used;

static uint32_t file_hash(const char *file)
{
    return content_hash(file, 0, (enum pmc_api)0);
}

static void file_put(struct file_slot *table, uint32_t mask, uint32_t h,
                     const char *copy)
{
    uint32_t i = h & mask;
    while (table[i].copy != NULL)
        i = (i + 1) & mask;
    table[i].hash = h;
    table[i].copy = copy;
}

static bool files_make_room(void)
{
    if (files != NULL && (files_used + 1) * 2 <= files_mask + 1)
        return true;
    uint32_t slots = files == NULL ? 256 : (files_mask + 1) * 2;
    struct file_slot *bigger = pmc_mem_alloc(slots * sizeof *bigger);
    if (bigger == NULL)
        return false;
    for (uint32_t i = 0; files != NULL && i <= files_mask; i++)
        if (files[i].copy != NULL)
            file_put(bigger, slots - 1, files[i].hash, files[i].copy);
    pmc_mem_free(files, (files_mask + 1) * sizeof *files);
    files = bigger;
    files_mask = slots - 1;
    return true;
}

/* The tracer's copy of a file name, shared by every site of the file, so
 * that a site outlives the string literal that named it.  NULL without
 * memory. */
static const char *copy_file(const char *file)
{
    uint32_t h = file_hash(file);
    for (uint32_t i = h & files_mask; files != NULL && files[i].copy != NULL;
         i = (i + 1) & files_mask)
        if (files[i].hash == h && strcmp(files[i].copy, file) == 0)
            return files[i].copy;
    if (!files_make_room())
        return NULL;
    size_t n = strlen(file) + 1;
    char *copy = pmc_mem_alloc(n);
    if (copy == NULL)
        return NULL;
    memcpy(copy, file, n);
    file_put(files, files_mask, h, copy);
    files_used++;
    return copy;
}

/* Called with the lock held: a brand-new site.  0 without memory or ids. */
static uint32_t create(const char *file, int line, enum pmc_api api, uint32_t h)
{
    uint32_t id = atomic_load_explicit(&next_id, memory_order_relaxed);
    if (id > PMC_MAX_SITES || !content_make_room())
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
    content_put(content, content_mask, h, id);
    content_used++;
    atomic_store_explicit(&next_id, id + 1, memory_order_release);
    return id;
}

static PMC_T_NOINLINE uint32_t intern_slow(const char *file, int line, enum pmc_api api)
{
    pthread_mutex_lock(&lock);
    struct pmc_fast_table *t = atomic_load_explicit(&pmc_sites_fast, memory_order_relaxed);
    uint32_t id = t ? fast_find(t, file, line, api) : 0;
    if (id == 0) {
        uint32_t h = content_hash(file, line, api);
        id = content_find(file, line, api, h);
        if (id == 0)
            id = create(file, line, api, h);
        if (id != 0 && fast_make_room())
            fast_put(atomic_load_explicit(&pmc_sites_fast, memory_order_relaxed), file, line,
                     api, id);
    }
    pthread_mutex_unlock(&lock);
    return id;
}

uint32_t pmc_site_intern_slow(const char *file, int line, enum pmc_api api)
{
    uint32_t id = intern_slow(file, line, api);
    return id != 0 ? id : unknown_ids[api];
}

int pmc_sites_init(void)
{
    for (int api = 0; api < PMC_API_COUNT; api++) {
        if (unknown_ids[api] != 0)
            continue;
        uint32_t id = intern_slow(NULL, 0, (enum pmc_api)api);
        if (id == 0)
            return -1;
        unknown_ids[api] = id;
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
