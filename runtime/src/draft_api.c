/*
 * draft_api.c: the PEP 445 draft's block allocators on top of the final API
 * (see pymemcheck/pep445_draft.h for the mapping).
 *
 * A draft allocator has no calloc, so installing one installs an adapter
 * whose calloc is the draft malloc followed by zeroing.  The adapter's ctx
 * is a per-domain record of the draft allocator, which is what lets a get
 * after a set hand back exactly what was set.
 */
#include "pymemcheck/pep445_draft.h"

#include "internal.h"

#include <string.h>

static PyMemBlockAllocator draft_allocators[3];

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

int PyMem_SetBlockAllocator(int domain, PyMemBlockAllocator *allocator)
{
    if (!known_domain(domain))
        return -1;
    draft_allocators[domain] = *allocator;
    PyMemAllocatorEx adapter = {&draft_allocators[domain], draft_malloc,
                                draft_calloc, draft_realloc, draft_free};
    (PyMem_SetAllocator)((PyMemAllocatorDomain)domain, &adapter);
    return 0;
}
