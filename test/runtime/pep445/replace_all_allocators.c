// PEP 445 use case 2: replace the allocators of all three domains (pymalloc
// is no longer used at all), then install the debug hooks.
//
// RUN: %cc %s -o %t %libpymemcheck
// RUN: %t | FileCheck %s

#include "pymemcheck/pymem.h"

#include <stdlib.h>

static int padding = 2;
static size_t calls[4], arena_calls;

static void *my_malloc(void *ctx, size_t size)
{
    calls[0]++;
    return malloc(size + *(int *)ctx);
}
static void *my_calloc(void *ctx, size_t nelem, size_t elsize)
{
    calls[1]++;
    return calloc(nelem * elsize + *(int *)ctx, 1);
}
static void *my_realloc(void *ctx, void *ptr, size_t size)
{
    calls[2]++;
    return realloc(ptr, size + *(int *)ctx);
}
static void my_free(void *ctx, void *ptr)
{
    (void)ctx;
    calls[3]++;
    free(ptr);
}
static void *no_arena(void *ctx, size_t size)
{
    (void)ctx;
    (void)size;
    arena_calls++;
    return NULL;
}
static void no_arena_free(void *ctx, void *ptr, size_t size)
{
    (void)ctx;
    (void)ptr;
    (void)size;
    arena_calls++;
}

int main(void)
{
    PyMemAllocatorEx alloc = {&padding, my_malloc, my_calloc, my_realloc, my_free};
    PyMem_SetAllocator(PYMEM_DOMAIN_RAW, &alloc);
    PyMem_SetAllocator(PYMEM_DOMAIN_MEM, &alloc);
    PyMem_SetAllocator(PYMEM_DOMAIN_OBJ, &alloc);
    PyObjectArenaAllocator arena = {NULL, no_arena, no_arena_free};
    PyObject_SetArenaAllocator(&arena);
    PyMem_SetupDebugHooks();

    void *blocks[300];
    for (int i = 0; i < 100; i++) {
        blocks[3 * i] = PyObject_Malloc(16);
        blocks[3 * i + 1] = PyMem_Calloc(4, 4);
        blocks[3 * i + 2] = PyMem_RawRealloc(NULL, 32);
    }
    for (int i = 0; i < 100; i++)
        blocks[3 * i + 2] = PyMem_RawRealloc(blocks[3 * i + 2], 64);
    printf("malloc %zu, calloc %zu, realloc %zu, free %zu, arena calls %zu\n", calls[0],
           calls[1], calls[2], calls[3], arena_calls);
    printf("pymalloc stats printed: %d\n", _PyObject_DebugMallocStats(stdout));
    for (int i = 0; i < 100; i++) {
        PyObject_Free(blocks[3 * i]);
        PyMem_Free(blocks[3 * i + 1]);
        PyMem_RawFree(blocks[3 * i + 2]);
    }
    printf("free %zu\n", calls[3]);
    return 0;
}

// Under the debug hooks realloc(NULL, n) is a malloc of the allocator below.
// CHECK:      malloc 200, calloc 100, realloc 100, free 0, arena calls 0
// CHECK-NEXT: pymalloc stats printed: 0
// CHECK-NEXT: free 300
