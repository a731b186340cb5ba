// PEP 445 use case 1: replace the RAW and MEM allocators and the arena
// allocator with ones that waste 2 bytes per block and 10 bytes per arena,
// keep pymalloc for OBJ, then install the debug hooks on top of it all.
//
// RUN: %cc %s -o %t %libpymemcheck
// RUN: %t | FileCheck %s

#include "pymemcheck/pymem.h"

#include <stdlib.h>

static int alloc_padding = 2;
static int arena_padding = 10;
static size_t block_calls, arena_allocs, arena_frees;

static void *my_malloc(void *ctx, size_t size)
{
    block_calls++;
    return malloc(size + *(int *)ctx);
}
static void *my_calloc(void *ctx, size_t nelem, size_t elsize)
{
    block_calls++;
    return calloc(nelem * elsize + *(int *)ctx, 1);
}
static void *my_realloc(void *ctx, void *ptr, size_t size)
{
    block_calls++;
    return realloc(ptr, size + *(int *)ctx);
}
static void my_free(void *ctx, void *ptr)
{
    (void)ctx;
    free(ptr);
}
static void *my_alloc_arena(void *ctx, size_t size)
{
    arena_allocs++;
    return malloc(size + *(int *)ctx);
}
static void my_free_arena(void *ctx, void *ptr, size_t size)
{
    (void)ctx;
    (void)size;
    arena_frees++;
    free(ptr);
}

static void setup_custom_allocator(void)
{
    PyMemAllocatorEx alloc = {&alloc_padding, my_malloc, my_calloc, my_realloc, my_free};
    PyMem_SetAllocator(PYMEM_DOMAIN_RAW, &alloc);
    PyMem_SetAllocator(PYMEM_DOMAIN_MEM, &alloc);
    /* PYMEM_DOMAIN_OBJ stays pymalloc, fed by the arena allocator below. */
    PyObjectArenaAllocator arena = {&arena_padding, my_alloc_arena, my_free_arena};
    PyObject_SetArenaAllocator(&arena);
    PyMem_SetupDebugHooks();
}

enum { NBLOCKS = 5000 };

int main(void)
{
    setup_custom_allocator();

    static unsigned char *objs[NBLOCKS];
    for (int i = 0; i < NBLOCKS; i++)
        objs[i] = PyObject_Malloc(256);
    /* With the hooks each block is 256 + 24 bytes, class 288: 56 blocks per
     * 16 KiB pool; an arena from malloc is not pool-aligned, so 63 pools,
     * 3528 blocks: two arenas. */
    printf("obj: %zu arenas, %zu block calls, id '%c'\n", arena_allocs, block_calls,
           objs[0][-8]);

    unsigned char *mem = PyMem_Malloc(100);
    unsigned char *raw = PyMem_RawMalloc(100);
    unsigned char *big = PyObject_Malloc(1000);
    printf("mem id '%c', raw id '%c', big obj id '%c', block calls %zu\n", mem[-8],
           raw[-8], big[-8], block_calls);

    PyMem_Free(mem);
    PyMem_RawFree(raw);
    PyObject_Free(big);
    for (int i = 0; i < NBLOCKS; i++)
        PyObject_Free(objs[i]);
    printf("after freeing: %zu arenas freed, one kept\n", arena_frees);
    return 0;
}

// CHECK:      obj: 2 arenas, 0 block calls, id 'o'
// CHECK-NEXT: mem id 'm', raw id 'r', big obj id 'o', block calls 3
// CHECK-NEXT: after freeing: 1 arenas freed, one kept
