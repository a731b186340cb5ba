// The PEP 445 draft spelling over the final API: block allocators without
// calloc (calloc synthesised and zeroed), per-domain getters and setters,
// the one-argument PyMem_{Get,Set}Allocator next to the final two-argument
// form, the int-returning domain functions (-1 for an unknown domain), and
// the mapping allocator as the arena allocator.  A draft hook installed
// above a final-API hook that wraps a draft allocator: each draft set keeps
// its own record, so the chain runs once through each layer (one record
// per domain sent the final-API hook back into the draft hook for ever).
//
// RUN: %cc %s -o %t %libpymemcheck
// RUN: %t | FileCheck %s

#include "pymemcheck/pep445_draft.h"

#include <stdlib.h>
#include <string.h>

static int block_calls;

static void *my_malloc(void *ctx, size_t size)
{
    (void)ctx;
    block_calls++;
    void *p = malloc(size ? size : 1);
    if (p)
        memset(p, 0x5A, size); /* so that a missing zeroing in calloc shows */
    return p;
}
static void *my_realloc(void *ctx, void *ptr, size_t size)
{
    (void)ctx;
    block_calls++;
    return realloc(ptr, size ? size : 1);
}
static void my_free(void *ctx, void *ptr)
{
    (void)ctx;
    free(ptr);
}

/* Layers for the chain: a final-API hook, then a draft hook over it. */
static PyMemAllocatorEx final_below;
static int final_calls;
static void *final_malloc(void *ctx, size_t size)
{
    (void)ctx;
    final_calls++;
    return final_below.malloc(final_below.ctx, size);
}
static void *final_calloc(void *ctx, size_t nelem, size_t elsize)
{
    (void)ctx;
    return final_below.calloc(final_below.ctx, nelem, elsize);
}
static void *final_realloc(void *ctx, void *ptr, size_t size)
{
    (void)ctx;
    return final_below.realloc(final_below.ctx, ptr, size);
}
static void final_free(void *ctx, void *ptr)
{
    (void)ctx;
    final_below.free(final_below.ctx, ptr);
}

static PyMemBlockAllocator draft_below;
static int draft_calls;
static void *draft_hook_malloc(void *ctx, size_t size)
{
    (void)ctx;
    if (++draft_calls > 10) {
        printf("the draft hook was re-entered: a loop\n");
        exit(1);
    }
    return draft_below.malloc(draft_below.ctx, size);
}
static void *draft_hook_realloc(void *ctx, void *ptr, size_t size)
{
    (void)ctx;
    return draft_below.realloc(draft_below.ctx, ptr, size);
}
static void draft_hook_free(void *ctx, void *ptr)
{
    (void)ctx;
    draft_below.free(draft_below.ctx, ptr);
}

static int arena_calls;
static void *my_arena_alloc(void *ctx, size_t size)
{
    (void)ctx;
    arena_calls++;
    return malloc(size);
}
static void my_arena_free(void *ctx, void *ptr, size_t size)
{
    (void)ctx;
    (void)size;
    free(ptr);
}

int main(void)
{
    PyMemBlockAllocator mine = {&block_calls, my_malloc, my_realloc, my_free};

    PyMemBlockAllocator old_raw, old_mem, old_obj;
    PyMem_GetRawAllocator(&old_raw);
    PyMem_GetAllocator(&old_mem);
    PyObject_GetAllocator(&old_obj);

    PyMem_SetRawAllocator(&mine);
    PyMem_SetAllocator(&mine);
    PyObject_SetAllocator(&mine);

    PyMemBlockAllocator back;
    PyMem_GetAllocator(&back);
    printf("round trip: %d\n", memcmp(&back, &mine, sizeof back) == 0);

    unsigned char *z = PyMem_Calloc(4, 8);
    int zeroed = 1;
    for (int i = 0; i < 32; i++)
        zeroed &= z[i] == 0;
    printf("calloc through a draft allocator zeroed: %d, calls %d\n", zeroed, block_calls);
    z = PyMem_Realloc(z, 64);
    PyMem_Free(z);
    PyMem_RawFree(PyMem_RawMalloc(3));
    PyObject_Free(PyObject_Malloc(3));
    printf("calls %d\n", block_calls);

    PyMemAllocatorEx final_view;
    PyMem_GetAllocator(PYMEM_DOMAIN_OBJ, &final_view);
    printf("final API sees an allocator with calloc: %d\n", final_view.calloc != NULL);

    printf("unknown domain: get %d, set %d\n", PyMem_GetBlockAllocator(7, &back),
           PyMem_SetBlockAllocator(-1, &mine));
    printf("known domain: get %d, domain ids %d %d %d\n",
           PyMem_GetBlockAllocator(PYALLOC_PYOBJECT, &back), PYALLOC_PYMEM_RAW,
           PYALLOC_PYMEM, PYALLOC_PYOBJECT);

    PyMem_SetRawAllocator(&old_raw);
    PyMem_SetAllocator(&old_mem);
    PyObject_SetAllocator(&old_obj);
    PyMem_Free(PyMem_Malloc(3));
    printf("restored, calls %d\n", block_calls);

    PyMem_SetAllocator(&mine);
    PyMem_GetAllocator(PYMEM_DOMAIN_MEM, &final_below);
    PyMemAllocatorEx final_hook = {NULL, final_malloc, final_calloc, final_realloc,
                                   final_free};
    PyMem_SetAllocator(PYMEM_DOMAIN_MEM, &final_hook);
    PyMem_GetAllocator(&draft_below);
    PyMemBlockAllocator draft_hook = {NULL, draft_hook_malloc, draft_hook_realloc,
                                      draft_hook_free};
    PyMem_SetAllocator(&draft_hook);
    int before = block_calls;
    PyMem_Free(PyMem_Malloc(5));
    printf("chain: draft hook %d, final hook %d, draft allocator %d\n", draft_calls,
           final_calls, block_calls - before);
    PyMem_SetAllocator(&old_mem);

    PyMemMappingAllocator mapping = {NULL, my_arena_alloc, my_arena_free}, old_mapping;
    PyMem_GetMappingAllocator(&old_mapping);
    PyMem_SetMappingAllocator(&mapping);
    PyObjectArenaAllocator arena;
    PyObject_GetArenaAllocator(&arena);
    printf("mapping allocator is the arena allocator: %d\n", arena.alloc == my_arena_alloc);
    PyMem_SetMappingAllocator(&old_mapping);
    return 0;
}

// CHECK:      round trip: 1
// CHECK-NEXT: calloc through a draft allocator zeroed: 1, calls 1
// CHECK-NEXT: calls 4
// CHECK-NEXT: final API sees an allocator with calloc: 1
// CHECK-NEXT: unknown domain: get -1, set -1
// CHECK-NEXT: known domain: get 0, domain ids 0 1 2
// CHECK-NEXT: restored, calls 4
// CHECK-NEXT: chain: draft hook 1, final hook 1, draft allocator 1
// CHECK-NEXT: mapping allocator is the arena allocator: 1
