/*
 * draft_api.c: the PEP 445 draft's block allocators on top of the final API
 * (see pymemcheck/pep445_draft.h for the mapping).
 *
 * A draft allocator has no calloc, so installing one installs an adapter
 * whose calloc is the draft malloc followed by zeroing.  The adapter's ctx
 * is a record of the draft allocator, which is what lets a get after a set
 * hand back exactly what was set.
 *
 * Each allocator set gets a record of its own, kept for the life of the
 * process: a hook installed above an adapter saved the adapter, ctx and
 * all, and calls through it for as long as it lives.  One record per
 * domain, rewritten by the next set, sent such a hook's calls to the
 * allocator set after it, which was often a hook over it: a call went
 * round that loop for ever.  Records are shared by equal allocators, so
 * that a program setting the same few over and over keeps a few.
 */
#include "pymemcheck/pep445_draft.h"

#include "internal.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct draft_record {
    PyMemBlockAllocator allocator;
    struct draft_record *next;
};

static pthread_mutex_t records_lock = PTHREAD_MUTEX_INITIALIZER;
static struct draft_record *records;

static bool same_allocator(const PyMemBlockAllocator *a, const PyMemBlockAllocator *b)
{
    return a->ctx == b->ctx && a->malloc == b->malloc && a->realloc == b->realloc &&
           a->free == b->free;
}

/* The record of allocator, made if there is none yet; NULL without
 * memory.  From the C library: the domains' allocators are the ones
 * being replaced. */
static PyMemBlockAllocator *draft_record(const PyMemBlockAllocator *allocator)
{
    pthread_mutex_lock(&records_lock);
    struct draft_record *r = records;
    while (r != NULL && !same_allocator(&r->allocator, allocator))
        r = r->next;
    if (r == NULL && (r = malloc(sizeof *r)) != NULL) {
        r->allocator = *allocator;
        r->next = records;
        records = r;
    }
    pthread_mutex_unlock(&records_lock);
    return r != NULL ? &r->allocator : NULL;
}

static void *draft_malloc(void *ctx, size_t size)
{
    PyMemBlockAllocator *draft = ctx;
    return draft->malloc(draft->ctx, size);
}

static void *draft_calloc(void *ctx, size_t nelem, size_t elsize)
{
    PyMemBlockAllocator *draft = ctx;
    /* The public entry points already refused products beyond
     * PY_SSIZE_T_MAX, so this cannot overflow. */
    size_t size = nelem * elsize;
    void *ptr = draft->malloc(draft->ctx, size);
    if (ptr != NULL)
        memset(ptr, 0, size);
    return ptr;
}

static void *draft_realloc(void *ctx, void *ptr, size_t size)
{
    PyMemBlockAllocator *draft = ctx;
    return draft->realloc(draft->ctx, ptr, size);
}

static void draft_free(void *ctx, void *ptr)
{
    PyMemBlockAllocator *draft = ctx;
    draft->free(draft->ctx, ptr);
}

static bool known_domain(int domain)
{
    return domain == PYMEM_DOMAIN_RAW || domain == PYMEM_DOMAIN_MEM ||
           domain == PYMEM_DOMAIN_OBJ;
}

int PyMem_GetBlockAllocator(int domain, PyMemBlockAllocator *allocator)
{
    if (!known_domain(domain))
        return -1;
    PyMemAllocatorEx current;
    (PyMem_GetAllocator)((PyMemAllocatorDomain)domain, &current);
    if (current.malloc == draft_malloc) {
        *allocator = *(PyMemBlockAllocator *)current.ctx;
        return 0;
    }
    allocator->ctx = current.ctx;
    allocator->malloc = current.malloc;
    allocator->realloc = current.realloc;
    allocator->free = current.free;
    return 0;
}

/* -1 also when there is no memory for the record; the domain's allocator
 * is then left as it was. */
int PyMem_SetBlockAllocator(int domain, PyMemBlockAllocator *allocator)
{
    if (!known_domain(domain))
        return -1;
    PyMemBlockAllocator *record = draft_record(allocator);
    if (record == NULL)
        return -1;
    PyMemAllocatorEx adapter = {record, draft_malloc, draft_calloc, draft_realloc,
                                draft_free};
    (PyMem_SetAllocator)((PyMemAllocatorDomain)domain, &adapter);
    return 0;
}
