/*
 * workload.c: an allocation-heavy program, the whole-program half of the
 * tracer's benchmark (trace_workload.c runs it untraced and traced).
 *
 * It does what an extension module's data structures do, with the
 * allocation calls a C extension makes: records (PyObject_Malloc, 32 to
 * 160 bytes) holding keys (PyMem_Malloc), values (strdup) and small
 * arrays (PyMem_Realloc as they grow), in a hash table whose buckets are
 * PyMem_Calloc'ed and resized; a cache of `cache` records lives across
 * rounds and a fifth of it is replaced each round (records are dropped at
 * random: a free touches memory allocated long ago, as in real caches);
 * each round also serialises
 * part of the table into a growing buffer (PyMem_Realloc) and sorts keys.
 * So allocation is a large share of the run time, as in the programs
 * tracing is meant for (cfrac, espresso: reference/tracing-performance.md),
 * but not all of it.
 *
 * This file is compiled twice: as is, and with every allocation call
 * rewritten into its trace entry point (by the plugin where the build has
 * it, else by emulate_rewrite.h, which writes the same calls).  The second
 * copy's entry is renamed workload_run_traced.
 */
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE /* strdup */
#endif
#include "pymemcheck/pymem.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef PMC_EMULATE_REWRITE
#include "emulate_rewrite.h"
#endif

enum { ROUNDS = 60 };

struct record {
    struct record *next;        /* hash chain */
    char *key;                  /* PyMem_Malloc */
    char *value;                /* strdup */
    uint32_t hash;
    uint32_t count, room;
    int32_t *items;             /* PyMem_Realloc'ed as it grows */
    char pad[];                 /* 0..128 bytes: records of mixed size */
};

struct table {
    struct record **buckets;
    size_t mask, used;
};

static uint64_t rng;

static uint32_t next_random(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)rng;
}

static uint32_t hash_key(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

static void grow(struct table *t)
{
    size_t size = (t->mask + 1) * 2;
    struct record **buckets = PyMem_Calloc(size, sizeof *buckets);
    for (size_t i = 0; i <= t->mask; i++) {
        for (struct record *r = t->buckets[i], *next; r != NULL; r = next) {
            next = r->next;
            r->next = buckets[r->hash & (size - 1)];
            buckets[r->hash & (size - 1)] = r;
        }
    }
    PyMem_Free(t->buckets);
    t->buckets = buckets;
    t->mask = size - 1;
}

static struct record *make_record(uint32_t id)
{
    char key[32], value[64];
    snprintf(key, sizeof key, "key-%u", id);
    snprintf(value, sizeof value, "value %u of the cache, %u", id, next_random() % 1000);
    struct record *r = PyObject_Malloc(sizeof *r + next_random() % 129);
    r->key = PyMem_Malloc(strlen(key) + 1);
    memcpy(r->key, key, strlen(key) + 1);
    r->value = strdup(value);
    r->hash = hash_key(key);
    r->count = r->room = 0;
    r->items = NULL;
    for (uint32_t n = next_random() % 12; n > 0; n--) {
        if (r->count == r->room) {
            r->room = r->room ? r->room * 2 : 2;
            r->items = PyMem_Realloc(r->items, r->room * sizeof *r->items);
        }
        r->items[r->count++] = (int32_t)next_random();
    }
    return r;
}

static void drop_record(struct record *r)
{
    PyMem_Free(r->items);
    free(r->value);
    PyMem_Free(r->key);
    PyObject_Free(r);
}

static void insert(struct table *t, struct record *r)
{
    if (t->used + 1 > t->mask)
        grow(t);
    r->next = t->buckets[r->hash & t->mask];
    t->buckets[r->hash & t->mask] = r;
    t->used++;
}

/* Remove the record with this key; NULL when there is none. */
static struct record *take(struct table *t, const char *key)
{
    struct record **at = &t->buckets[hash_key(key) & t->mask];
    for (; *at != NULL; at = &(*at)->next) {
        if (strcmp((*at)->key, key) == 0) {
            struct record *r = *at;
            *at = r->next;
            t->used--;
            return r;
        }
    }
    return NULL;
}

static int compare_keys(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Serialise the records of a few buckets, and sort their keys. */
static uint64_t serialise(const struct table *t, size_t first)
{
    size_t room = 256, used = 0, nkeys = 0;
    char *out = PyMem_Malloc(room);
    char **keys = PyMem_Malloc(64 * sizeof *keys);
    for (size_t i = first; i < first + 64 && i <= t->mask; i++) {
        for (const struct record *r = t->buckets[i]; r != NULL; r = r->next) {
            size_t need = strlen(r->key) + strlen(r->value) + 16;
            while (used + need > room)
                out = PyMem_Realloc(out, room *= 2);
            used += (size_t)snprintf(out + used, room - used, "%s=%s;", r->key, r->value);
            if (nkeys < 64)
                keys[nkeys++] = r->key;
        }
    }
    qsort(keys, nkeys, sizeof *keys, compare_keys);
    uint64_t sum = used + (nkeys ? (unsigned char)keys[0][4] : 0);
    PyMem_Free(keys);
    PyMem_Free(out);
    return sum;
}

uint64_t workload_run(unsigned seed, uint32_t cache);

/* One run: fill the cache, then ROUNDS rounds of replacing a fifth of it
 * and serialising part of it; everything is freed at the end.  Returns a
 * checksum, so that nothing can be optimised away. */
uint64_t workload_run(unsigned seed, uint32_t cache)
{
    rng = 0x9E3779B97F4A7C15u ^ seed;
    struct table t = {PyMem_Calloc(1024, sizeof(struct record *)), 1023, 0};
    uint64_t sum = 0;
    uint32_t next_id = 0;
    for (; next_id < cache; next_id++)
        insert(&t, make_record(next_id));
    for (int round = 0; round < ROUNDS; round++) {
        for (uint32_t i = 0; i < cache / 5; i++) {
            char key[32];
            snprintf(key, sizeof key, "key-%u", next_id - cache + (next_random() % cache));
            struct record *r = take(&t, key);
            if (r != NULL)
                drop_record(r);
            insert(&t, make_record(next_id++));
        }
        for (size_t first = 0; first < cache / 12; first += 64)
            sum += serialise(&t, (first + (size_t)round * 4096) & t.mask);
    }
    for (size_t i = 0; i <= t.mask; i++) {
        for (struct record *r = t.buckets[i], *next; r != NULL; r = next) {
            next = r->next;
            drop_record(r);
        }
    }
    PyMem_Free(t.buckets);
    return sum + next_id;
}
